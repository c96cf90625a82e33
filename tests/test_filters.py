"""Tests for geo.filters: the hashable Filters object, filter_resources and in_area."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geo.errors import ValidationError
from geo.filters import NO_FILTERS, Filters, filter_resources, in_area


@pytest.fixture
def resources() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "id": ["A1", "A2", "S1", "T1", "T2", "H1"],
        "kind": ["aed", "aed", "relief_store", "rescue_team", "rescue_team", "community_hub"],
        "district": ["梁溪区", "滨湖区", "梁溪区", "京口区", "润州区", "滨湖区"],
        "status": ["active", "maintenance", "active", "active", "inactive", "Active "],
        "hours": ["24h", "08:00-22:00", "00:00-23:59", None, "24/7; Su off", "周一至周五 24小时"],
        "specialty": ["", "", "", "water_rescue", "medical", ""],
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(
        [120.30, 120.31, 120.32, 119.45, 119.46, 120.28], [31.57, 31.50, 31.58, 32.20, 32.19,
                                                           31.52]), crs="EPSG:4326")


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


# ----------------------------------------------------------------------------- Filters


def test_filters_normalise_to_sorted_tuples_and_hash():
    a = Filters(kinds=["rescue_team", "aed", "aed"], districts={"滨湖区", "梁溪区"})
    b = Filters(kinds=("aed", "rescue_team"), districts=["梁溪区", "滨湖区"])
    assert a == b and hash(a) == hash(b)
    assert a.kinds == ("aed", "rescue_team")
    assert a.districts == tuple(sorted(["梁溪区", "滨湖区"]))
    assert {a: 1}[b] == 1
    assert Filters(kinds="aed").kinds == ("aed",)
    assert Filters(statuses=[" active "]).statuses == ("active",)


@pytest.mark.parametrize("empty", [dict(kinds=[]), dict(districts=()), dict(statuses=set()),
                                   dict(specialties=[]), {}])
def test_empty_selections_are_no_filter(empty):
    assert Filters(**empty) == NO_FILTERS
    assert hash(Filters(**empty)) == hash(NO_FILTERS)


def test_filters_differ_and_are_frozen():
    assert Filters(only_24h=True) != NO_FILTERS
    assert Filters(kinds=["aed"]) != Filters(kinds=["aed", "relief_store"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        NO_FILTERS.only_24h = True  # type: ignore[misc]
    assert Filters(only_24h=np.bool_(True)).only_24h is True


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(kinds=["aed", "ambulance"]), r"kinds has unknown value\(s\) \['ambulance'\]; allowed"),
    (dict(statuses=["broken"]), r"statuses has unknown value\(s\) \['broken'\]"),
    (dict(specialties=["diving"]), r"specialties has unknown value\(s\) \['diving'\]"),
    (dict(kinds=3), r"kinds must be a list of strings or None, got 3"),
    (dict(only_24h="yes"), r"only_24h must be True or False, got 'yes'"),
])
def test_filters_reject_bad_values(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        Filters(**kwargs)


# ----------------------------------------------------------------------------- filter_resources


@pytest.mark.parametrize(("filters", "expected"), [
    (NO_FILTERS, ["A1", "A2", "S1", "T1", "T2", "H1"]),
    (None, ["A1", "A2", "S1", "T1", "T2", "H1"]),
    (Filters(kinds=["aed"]), ["A1", "A2"]),
    (Filters(kinds=["rescue_team", "community_hub"]), ["T1", "T2", "H1"]),
    (Filters(districts=["滨湖区"]), ["A2", "H1"]),
    (Filters(statuses=["active"]), ["A1", "S1", "T1", "H1"]),  # "Active " counts as active
    (Filters(statuses=["maintenance", "inactive"]), ["A2", "T2"]),
    # 24 h: "24h", "00:00-23:59" and empty hours; not "24/7; Su off" nor weekdays-only
    (Filters(only_24h=True), ["A1", "S1", "T1"]),
    (Filters(specialties=["water_rescue"]), ["A1", "A2", "S1", "T1", "H1"]),
    (Filters(kinds=["aed", "rescue_team"], statuses=["active"], only_24h=True), ["A1", "T1"]),
])
def test_filter_resources(resources, filters, expected):
    got = filter_resources(resources, filters)
    assert ids(got) == expected
    assert isinstance(got, gpd.GeoDataFrame) and got.crs == resources.crs


def test_keyword_form_still_works(resources):
    got = filter_resources(resources, kinds=("aed", "rescue_team"), districts=None,
                           statuses=None, only_24h=True, specialties=("water_rescue",))
    assert ids(got) == ["A1", "T1"]
    assert ids(got) == ids(filter_resources(resources, Filters(
        kinds=["aed", "rescue_team"], only_24h=True, specialties=["water_rescue"])))


def test_filter_resources_errors(resources):
    with pytest.raises(ValidationError, match="either filters or keyword filters, not both"):
        filter_resources(resources, NO_FILTERS, kinds=["aed"])
    with pytest.raises(ValidationError, match=r"kinds has unknown value\(s\) \['x'\]"):
        filter_resources(resources, kinds=["x"])
    with pytest.raises(ValidationError, match="filters must be a Filters object, got tuple"):
        filter_resources(resources, (None, None, None, False, None))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no 'district' column"):
        filter_resources(resources.drop(columns="district"), Filters(districts=["滨湖区"]))


def test_only_24h_without_hours_column_and_with_bad_hours(resources):
    assert len(filter_resources(resources.drop(columns="hours"), only_24h=True)) == 6
    bad = resources.assign(hours=["24h", "abc", "08:00-24:30", "", "24/7", "24H"])
    assert ids(filter_resources(bad, only_24h=True)) == ["A1", "T1", "T2", "H1"]


def test_filter_empty_frame(resources):
    assert len(filter_resources(resources.iloc[:0], Filters(only_24h=True, kinds=["aed"]))) == 0


# ----------------------------------------------------------------------------- in_area


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district": ["west", "east"]},
                            geometry=[box(120.0, 31.0, 120.5, 31.5), box(120.5, 31.0, 121.0, 31.5)],
                            crs="EPSG:4326")


def test_in_area_inside_outside_and_edges(squares):
    lon = [120.25, 120.75, 121.5, 120.0, 120.5, 121.0, 120.25, np.nan]
    lat = [31.25, 31.25, 31.25, 31.25, 31.5, 31.0, 30.99, 31.2]
    assert in_area(lon, lat, squares).tolist() == [True, True, False, True, True, True, False,
                                                   False]


def test_in_area_reprojects_projected_boundaries(squares):
    lon, lat = np.array([120.25, 121.5, 120.99]), np.array([31.25, 31.25, 31.49])
    expected = in_area(lon, lat, squares)
    assert in_area(lon, lat, squares.to_crs("EPSG:4549")).tolist() == expected.tolist()
    assert in_area(lon, lat, squares.set_crs(None, allow_override=True)).tolist() == \
        expected.tolist()
    assert expected.tolist() == [True, False, True]


def test_in_area_holes_scalars_and_empties(squares):
    ring = gpd.GeoDataFrame(geometry=[Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]])],
        crs="EPSG:4326")
    assert in_area([5, 2], [5, 2], ring).tolist() == [False, True]
    assert in_area(120.25, 31.25, squares).tolist() == [True]
    assert in_area([], [], squares).tolist() == []
    assert in_area([120.25], [31.25], squares.iloc[:0]).tolist() == [False]


def test_in_area_errors(squares):
    with pytest.raises(ValidationError, match="same length"):
        in_area([120.0, 120.1], [31.0], squares)
    with pytest.raises(ValidationError, match="boundaries must be a GeoDataFrame, got DataFrame"):
        in_area([120.0], [31.0], pd.DataFrame({"a": [1]}))
