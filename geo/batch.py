"""Batch answers: the nearest resources of each kind for every incident in an uploaded file."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.nearest import OUTPUT_COLUMNS, ResourceIndex, nearest

#: The incident's columns at the front of every row: its position in the incidents frame,
#: id, file row number, WGS84 coordinates and the coordinate system its file row was in.
INCIDENT_COLUMNS = ("origin", "incident", "row", "incident_lon", "incident_lat", "source_crs")
#: The answer's columns (those of :func:`geo.nearest.nearest` but ``origin``).
ANSWER_COLUMNS = tuple(c for c in OUTPUT_COLUMNS if c != "origin")
#: Every column the batch writes itself; a column of the user's file with one of these names
#: is renamed with "_file" (as :func:`geo.incidents.read_incidents` does for its own names).
RESERVED_COLUMNS = frozenset((*INCIDENT_COLUMNS, *ANSWER_COLUMNS, "geometry"))
#: The columns :func:`geo.incidents.read_incidents` adds before the file's own columns.
_READ_COLUMNS = ("incident", "row", "lon", "lat", "source_crs")


def file_columns(results: pd.DataFrame) -> list[str]:
    """The columns of batch results that come from the user's file, in their file order.

    Parameters
    ----------
    results : DataFrame
        As returned by :func:`nearest_for_incidents` (or a copy with the same columns).

    Returns
    -------
    list of str
        Every column but :data:`INCIDENT_COLUMNS`, :data:`ANSWER_COLUMNS` and the geometry.
    """
    geometry = results.geometry.name if isinstance(results, gpd.GeoDataFrame) else None
    return [c for c in results.columns if c not in RESERVED_COLUMNS and c != geometry]


def _file_names(names: list[Any]) -> dict[Any, str]:
    """A result column name for each file column: itself, or with "_file" on a clash.

    A renamed column never takes the name of another file column ("kind" becomes
    "kind_file_2" when the file also has a "kind_file").
    """
    taken = set(RESERVED_COLUMNS) | set(names)
    out: dict[Any, str] = {}
    for name in names:
        if name not in RESERVED_COLUMNS:
            out[name] = name
            continue
        base = candidate = f"{name}_file"
        k = 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        out[name] = candidate
    return out


def nearest_for_incidents(
    index: ResourceIndex, incidents: gpd.GeoDataFrame, *, k: int = 1, at: Any = None,
    kinds: Any = None, specialty: Any = None, max_distance_m: float | None = None,
    policy: Any = None, exclude: Any = None, keep_unanswered: bool = True,
) -> gpd.GeoDataFrame:
    """Answer every incident at once; one row per (incident, kind, rank), no incident lost.

    Parameters
    ----------
    index : ResourceIndex
        Built once per resource table.
    incidents : GeoDataFrame
        WGS84 points with ``incident`` and ``row`` (as from :func:`geo.incidents.read_incidents`:
        then ``lon``, ``lat``, ``source_crs`` and the file's own columns).
    k, at, kinds, specialty, max_distance_m, policy, exclude
        As for :func:`geo.nearest.nearest`.
    keep_unanswered : bool, default True
        Give an incident with no answer at all (nothing usable in range) one row whose answer
        columns are empty, so a download lists every incident of the file. False: answers
        only.

    Returns
    -------
    GeoDataFrame
        In incident order, then kind and rank:

        * :data:`INCIDENT_COLUMNS`: ``origin`` (the incident's 0-based position in
          ``incidents``: draw lines from it), ``incident``, ``row``, ``incident_lon``,
          ``incident_lat`` (WGS84) and ``source_crs`` (missing if ``incidents`` has none);
        * :data:`ANSWER_COLUMNS`: ``kind``, ``rank``, ``resource_id``, ``name``,
          ``distance_m``, ``mode``, ``travel_min``, ``method``, ``lon``, ``lat`` (the
          resource, WGS84), as :func:`geo.nearest.nearest` gives them. On the row of an
          incident without an answer they are all missing (``kind`` is NA: the map and the
          answer table skip such rows); ``rank`` is then a nullable ``Int64`` column;
        * the file's own columns (every other column of ``incidents``) in file order, values
          as read; a name clashing with a column above gets "_file" (see :func:`file_columns`).

        The geometry is the straight line from the incident to the resource (WGS84), missing
        for an incident without an answer.
    """
    found = nearest(index, incidents, k=k, at=at, kinds=kinds, specialty=specialty,
                    max_distance_m=max_distance_m, policy=policy, exclude=exclude)
    inc = incidents.reset_index(drop=True)
    pos = found["origin"].to_numpy()
    source = np.arange(len(found))  # the answer row of each result row; -1: no answer
    if keep_unanswered:
        lonely = np.setdiff1d(np.arange(len(inc)), pos)
        pos = np.concatenate([pos, lonely])
        source = np.concatenate([source, np.full(len(lonely), -1)])
        order = np.argsort(pos, kind="stable")  # answers are already by origin, kind, rank
        pos, source = pos[order], source[order]
        found = found.astype({"rank": "Int64"})

    points = np.asarray(inc.geometry.array, dtype=object)
    inc_lon = shapely.get_x(points)[pos]
    inc_lat = shapely.get_y(points)[pos]
    table: dict[Any, Any] = {
        "origin": pos,
        "incident": inc["incident"].array.take(pos),
        "row": inc["row"].array.take(pos),
        "incident_lon": inc_lon,
        "incident_lat": inc_lat,
        "source_crs": (inc["source_crs"].array.take(pos) if "source_crs" in inc.columns
                       else np.full(len(pos), None, dtype=object)),
    }
    for column in ANSWER_COLUMNS:
        table[column] = found[column].array.take(source, allow_fill=True)
    geometry = inc.geometry.name
    extra = [c for c in inc.columns if c not in _READ_COLUMNS and c != geometry]
    for name, new in _file_names(extra).items():
        table[new] = inc[name].array.take(pos)

    lines = np.full(len(pos), None, dtype=object)
    has = source >= 0
    if has.any():
        ends = np.column_stack([inc_lon[has], inc_lat[has], table["lon"][has],
                                table["lat"][has]]).reshape(-1, 2, 2)
        lines[has] = shapely.linestrings(ends)
    return gpd.GeoDataFrame(pd.DataFrame(table), geometry=lines, crs="EPSG:4326")
