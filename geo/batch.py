"""Batch answers: the nearest resources of each kind for every incident in an uploaded file."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.nearest import ResourceIndex, nearest

INCIDENT_COLUMNS = ("origin", "incident", "row", "incident_lon", "incident_lat")


def nearest_for_incidents(
    index: ResourceIndex, incidents: gpd.GeoDataFrame, *, k: int = 1, at: Any = None,
    kinds: Any = None, specialty: Any = None, max_distance_m: float | None = None,
    policy: Any = None, exclude: Any = None,
) -> gpd.GeoDataFrame:
    """Answer every incident at once; one row per (incident, kind, rank).

    Parameters
    ----------
    index : ResourceIndex
        Built once per resource table.
    incidents : GeoDataFrame
        WGS84 points with ``incident`` and ``row`` (as from :func:`geo.incidents.read_incidents`).
    k, at, kinds, specialty, max_distance_m, policy, exclude
        As for :func:`geo.nearest.nearest`.

    Returns
    -------
    GeoDataFrame
        ``origin`` (the incident's 0-based position in ``incidents``: draw lines from it, since
        an incident with no answer has no rows), ``incident``, ``row``, ``incident_lon``,
        ``incident_lat``, then the other :func:`geo.nearest.nearest` columns; geometry is the
        straight line from the incident to the resource (WGS84).
    """
    found = nearest(index, incidents, k=k, at=at, kinds=kinds, specialty=specialty,
                    max_distance_m=max_distance_m, policy=policy, exclude=exclude)
    inc = incidents.reset_index(drop=True)
    pos = found["origin"].to_numpy()
    head = pd.DataFrame({
        "origin": pos,
        "incident": inc["incident"].to_numpy()[pos],
        "row": inc["row"].to_numpy()[pos],
        "incident_lon": inc.geometry.x.to_numpy()[pos],
        "incident_lat": inc.geometry.y.to_numpy()[pos],
    })
    table = pd.concat([head, found.drop(columns=["origin"]).reset_index(drop=True)], axis=1)
    lines = shapely.linestrings(
        [[(a, b), (c, d)] for a, b, c, d in zip(table["incident_lon"], table["incident_lat"],
                                                table["lon"], table["lat"], strict=True)]
    ) if len(table) else []
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(lines, crs="EPSG:4326"))
