"""The engine: pure functions on GeoDataFrames, in WGS84 in and out, metres inside.

Modules
-------
crs        WGS84 / GCJ-02 / BD-09 conversions and the metric CRS for distance work.
datasets   ``load_demo(city)`` -> :class:`~geo.datasets.Dataset` (boundaries, resources, people).
validate   Row-level checks of resource tables; one report with every problem.
usable     Whether a resource is usable at a time (status, expiry, opening hours).
nearest    ``nearest(resources, origins, k, max_distance_m, at)`` on a cached spatial index.
network    The same answers by shortest path on a user's road network.
incidents  Reading batch incident files (CSV/XLSX, GBK, Chinese headers) with a problem report.
places     Place-name search over resources and districts, in Chinese or pinyin.
stats      Per-district and per-city figures.

This package never imports Streamlit or ``ui``.
"""

from geo import crs, datasets, errors, nearest, schema, settings, stats, usable, validate

__all__ = ["crs", "datasets", "errors", "nearest", "schema", "settings", "stats", "usable",
           "validate"]
