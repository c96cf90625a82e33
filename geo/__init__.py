"""The engine: pure functions on GeoDataFrames, in WGS84 in and out, metres inside.

Modules
-------
crs        WGS84 / GCJ-02 / BD-09 conversions, the one CRS alias table, the metric CRS.
distance   Ground metres: projection to the metric CRS, grid-scale correction, geodesic check.
travel     The one travel model: metres to minutes by kind (walk, drive, circuity, turnout).
hours      The one opening-hours grammar (24h, spans, past midnight, weekday rules).
usable     The usability policy (statuses, expiry, open at a time, 24 h only) and its presets.
schema     The one column spec of the resource table (types, allowed values, units).
validate   Row-level checks by the spec; one report of problem codes with parameters.
datasets   ``Dataset``: immutable, versioned; ``from_frames`` validates any source.
io         Files in (CSV/TSV/TXT/XLSX/XLS/ODS; encodings; sheet and header-row detection; row
           errors for broken quotes and huge cells; a size cap), exports out (column-wise).
coords     Coordinate cells as people write them: decimal, DMS, 度分秒, E/N, 东经/北纬, pairs.
filters    ``Filters`` (frozen) on the resource table; ``in_area`` (is a point in the city?).
nearest    ``nearest(resources, origins, k, max_distance_m, at, policy, exclude)`` on an index.
network    The same answers by shortest path on a prepared road network.
batch      Nearest answers for every incident of an upload, each keeping its incident.
incidents  Incident uploads: header roles, coordinate cells, per-row CRS, place checks.
places     Place-name search: Chinese, pinyin, English, aliases, same-sound, typos.
coverage   Who is within reach of a usable resource, by district, with ranked gap areas.
siting     Where new AEDs cover the most people (HiGHS MILP or greedy), what-if.
stats      Per-district and per-city figures.
flood      Flood command: extents in (files, repaired), impact on resources and people, relief
           allocation (HiGHS LP, kit·km), team dispatch and assignment, demo scenarios.
imports    Resource files in (tables and GIS layers), mapped to the spec's columns for the store.
exports    Resource data out: CSV (formula-safe), XLSX, GeoJSON, GeoPackage.
store      The data store: SQLAlchemy 2 + Alembic, SQLite (WAL) or PostgreSQL; imports, edits,
           optimistic concurrency, audit log, users and roles; datasets by store revision.
settings   Configuration from ``RCD_*`` variables or secrets.toml, range-checked at load.
errors     ``GeoError`` and subclasses, carrying a message code and parameters.

This package never imports Streamlit or ``ui``; messages for users are worded in ``ui.i18n``.
"""

import importlib
from types import ModuleType

__all__ = ["batch", "coords", "coverage", "crs", "datasets", "distance", "errors", "exports",
           "filters", "flood", "hours", "imports", "incidents", "io", "nearest", "network",
           "places", "schema", "settings", "siting", "stats", "store", "travel", "usable",
           "validate"]


def __getattr__(name: str) -> ModuleType:
    """Import a submodule on first use (``geo.nearest``), so ``import geo.errors`` stays light.

    Loading ``geo.settings`` range-checks the configuration; the app imports ``geo.errors``
    first so that it can catch a bad setting and name it instead of showing a traceback.
    """
    if name in __all__:
        return importlib.import_module(f"geo.{name}")
    msg = f"module 'geo' has no attribute {name!r}"
    raise AttributeError(msg)
