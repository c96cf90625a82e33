"""Batch answers keep each answer's incident: lines are drawn from the incident that asked."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.batch import nearest_for_incidents
from geo.nearest import ResourceIndex
from ui.map import basemaps
from ui.nearest_view import results_layer


def _points(rows: list[tuple[str, float, float]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=["incident", "lon", "lat"])
    frame["row"] = range(2, 2 + len(frame))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


@pytest.fixture(scope="module")
def index() -> ResourceIndex:
    res = gpd.GeoDataFrame(
        {"id": ["A1"], "kind": ["aed"], "status": ["active"], "name": ["东林书院 AED"]},
        geometry=gpd.points_from_xy([120.3000], [31.5800]), crs="EPSG:4326")
    return ResourceIndex(res)


def test_first_incident_without_answer_does_not_shift_the_second(index):
    # FAR is ~30 km away: nothing within 2 km. NEAR is ~100 m from the AED.
    incidents = _points([("FAR", 120.60, 31.58), ("NEAR", 120.3010, 31.5800)])
    out = nearest_for_incidents(index, incidents, max_distance_m=2000, keep_unanswered=False)
    assert out["incident"].tolist() == ["NEAR"]
    assert out["origin"].tolist() == [1]
    assert (out["incident_lon"].iloc[0], out["incident_lat"].iloc[0]) == (120.3010, 31.58)
    line = out.geometry.iloc[0]
    assert line.coords[0] == (120.3010, 31.58)
    # By default FAR keeps one row with empty answer cells, before NEAR (file order).
    full = nearest_for_incidents(index, incidents, max_distance_m=2000)
    assert full["incident"].tolist() == ["FAR", "NEAR"]
    assert full["origin"].tolist() == [0, 1]
    assert full["kind"].isna().tolist() == [True, False]
    assert full.geometry.iloc[0] is None and full.geometry.iloc[1].equals(line)


def test_map_line_starts_at_the_incident_that_asked(index):
    incidents = _points([("FAR", 120.60, 31.58), ("NEAR", 120.3010, 31.5800)])
    out = nearest_for_incidents(index, incidents, max_distance_m=2000)
    origins = pd.DataFrame({"lon": incidents["lon"], "lat": incidents["lat"],
                            "label": incidents["incident"]})
    layer = results_layer(origins, out[out["kind"].notna()], basemaps()["none"], "zh")
    lines = [child for child in layer._children.values()
             if type(child).__name__ == "PolyLine"]
    assert len(lines) == 1
    start = lines[0].locations[0]
    assert start == pytest.approx([31.58, 120.3010])  # NEAR, not FAR (the old factorize bug)
