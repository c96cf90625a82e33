"""Coordinate systems: WGS84 <-> GCJ-02 <-> BD-09 conversions and the metric CRS for distance work.

Chinese map apps do not publish WGS84 positions. Amap (高德) and Tencent give GCJ-02, Baidu gives
BD-09, GPS and OpenStreetMap give WGS84. PROJ does not implement GCJ-02, so the published
forward formulas live here, vectorised with numpy, with iterative inverses exact to far below
0.5 m. Everything the engine stores is WGS84 (EPSG:4326).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geo.errors import ValidationError

if TYPE_CHECKING:
    import geopandas as gpd

#: Krasovsky 1940 ellipsoid, as used by the published GCJ-02 algorithm.
GCJ_A_M = 6_378_245.0
GCJ_EE = 0.00669342162296594323
BD_X_PI = np.pi * 3000.0 / 180.0

#: The bounding box inside which GCJ-02 shifts coordinates (the published algorithm's test).
CHINA_LON_MIN, CHINA_LON_MAX = 72.004, 137.8347
CHINA_LAT_MIN, CHINA_LAT_MAX = 0.8293, 55.8271

#: EPSG:4549 is CGCS2000 / 3-degree Gauss-Kruger CM 120E: good to 0.14 % over all of Jiangsu.
SOUTH_JIANGSU_METRIC_EPSG = 4549
#: EPSG:4534 .. 4554 are the CGCS2000 3-degree Gauss-Kruger zones CM 75E .. 135E (no zone prefix).
_GK3_FIRST_EPSG, _GK3_FIRST_CM, _GK3_LAST_CM = 4534, 75, 135

SOURCES = ("wgs84", "gcj02", "bd09", "cgcs2000")

#: Every CRS label the engine understands (file cells, arguments, settings), compared after
#: :func:`_norm_crs_key`, to the names in :data:`SOURCES`. The one alias table of the project.
CRS_ALIASES: dict[str, str] = {
    "wgs84": "wgs84", "wgs1984": "wgs84", "epsg4326": "wgs84", "4326": "wgs84", "gps": "wgs84",
    "osm": "wgs84", "openstreetmap": "wgs84",
    "gcj02": "gcj02", "gcj": "gcj02", "amap": "gcj02", "gaode": "gcj02", "autonavi": "gcj02",
    "tencent": "gcj02", "qq": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星": "gcj02",
    "国测局": "gcj02",
    "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09", "百度": "bd09",
    "cgcs2000": "cgcs2000", "epsg4490": "cgcs2000", "4490": "cgcs2000", "国家2000": "cgcs2000",
    "2000国家大地": "cgcs2000", "天地图": "cgcs2000", "tianditu": "cgcs2000", "北斗": "cgcs2000",
}
#: Baidu's Mercator metres (BD-09MC): recognised so a file using them gets its own problem code.
_MERCATOR_KEYS = frozenset({"bd09mc", "baidumercator", "百度墨卡托"})
#: The accepted labels, as a problem's ``accepted`` parameter names them (not prose: labels).
ACCEPTED_CRS_TEXT = "WGS84/GPS, GCJ-02/高德/腾讯, BD-09/百度, CGCS2000/天地图"
_CRS_SUFFIX_RE = re.compile(r"(坐标系|坐标|地图|经纬度)$")
_INVERSE_ITERATIONS = 30
_INVERSE_TOL_DEG = 1e-12


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    if lon_a.shape != lat_a.shape:
        msg = f"lon and lat must have the same shape, got {lon_a.shape} and {lat_a.shape}"
        raise ValidationError(msg)
    return lon_a, lat_a


def in_china(lon: Any, lat: Any) -> np.ndarray:
    """Return a boolean array: True where GCJ-02 applies (the published algorithm's box)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    return (
        (lon_a >= CHINA_LON_MIN)
        & (lon_a <= CHINA_LON_MAX)
        & (lat_a >= CHINA_LAT_MIN)
        & (lat_a <= CHINA_LAT_MAX)
    )


def _delta_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (dlon, dlat) in degrees that GCJ-02 adds to a WGS84 point."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A_M * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (GCJ_A_M / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat (degrees, arrays) to GCJ-02; points outside China are unchanged."""
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _delta_gcj(lon_a, lat_a)
    inside = in_china(lon_a, lat_a)
    return np.where(inside, lon_a + dlon, lon_a), np.where(inside, lat_a + dlat, lat_a)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat (degrees, arrays) to Baidu's BD-09."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Invert a forward transform by fixed-point iteration (converges in ~5 steps to 1e-12 deg)."""
    target_lon, target_lat = _as_arrays(lon, lat)
    guess_lon, guess_lat = target_lon.copy(), target_lat.copy()
    for _ in range(_INVERSE_ITERATIONS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = fwd_lon - target_lon, fwd_lat - target_lat
        guess_lon = guess_lon - err_lon
        guess_lat = guess_lat - err_lat
        if (np.all(np.abs(err_lon) < _INVERSE_TOL_DEG)
                and np.all(np.abs(err_lat) < _INVERSE_TOL_DEG)):
            break
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat to WGS84 (iterative inverse, exact to < 1e-9 degrees)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 lon/lat to GCJ-02 (iterative inverse of :func:`gcj02_to_bd09`)."""
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 lon/lat to WGS84 (via GCJ-02, both steps iterative)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {
    "wgs84": None,
    "cgcs2000": None,  # CGCS2000 geographic agrees with WGS84 to a few centimetres
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84 = {"wgs84": None, "cgcs2000": None, "gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def _norm_crs_key(value: str) -> str:
    """Lower-case a CRS label (NFKC) and drop spaces, "-", "_", ":" and "." (GCJ-02 -> gcj02)."""
    key = unicodedata.normalize("NFKC", value).strip().lower()
    return re.sub(r"[\s\-_:.]+", "", key)


def canonical_crs(value: str) -> str | None:
    """Return the name in :data:`SOURCES` for a CRS label, or None when it is not known.

    Parameters
    ----------
    value : str
        A label as people write it. Matched case-insensitively (after NFKC), ignoring spaces,
        "-", "_", ":", "." and a trailing 坐标系/坐标/地图/经纬度, so "GCJ-02", "高德",
        "高德地图", "腾讯坐标", "BD-09", "百度", "GPS", "EPSG:4326" and "CGCS2000" are all
        understood.

    Returns
    -------
    str or None
        "wgs84", "gcj02", "bd09" or "cgcs2000"; None for anything else (including Baidu
        Mercator metres, see :func:`is_baidu_mercator`).
    """
    key = _norm_crs_key(str(value))
    for _ in range(3):  # 高德地图坐标 -> 高德地图 -> 高德, but 天地图 matches before stripping
        if key in CRS_ALIASES:
            return CRS_ALIASES[key]
        key = _CRS_SUFFIX_RE.sub("", key)
    return None


def is_baidu_mercator(value: str) -> bool:
    """Return True for a label of Baidu's Mercator metres (BD-09MC), which is not lon/lat."""
    key = _norm_crs_key(str(value))
    return key in _MERCATOR_KEYS or _CRS_SUFFIX_RE.sub("", key) in _MERCATOR_KEYS


def _check_source(source: str) -> str:
    name = canonical_crs(str(source))
    if name is None:
        msg = f"source must be one of {SOURCES} (or an alias such as amap, baidu), got {source!r}"
        raise ValidationError(msg)
    return name


def _transform_frame(frame: gpd.GeoDataFrame | gpd.GeoSeries, func) -> Any:
    def xy_func(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    out = frame.copy()
    geoms = shapely.transform(np.asarray(frame.geometry.values), xy_func)
    if hasattr(out, "set_geometry"):
        return out.set_geometry(geoms, crs="EPSG:4326")
    return type(frame)(geoms, index=frame.index, crs="EPSG:4326")


def to_wgs84(frame_or_xy: Any, source: str) -> Any:
    """Bring coordinates in a named system to WGS84.

    Parameters
    ----------
    frame_or_xy : GeoDataFrame, GeoSeries or (lon, lat) pair of arrays
        A frame is taken as lon/lat degrees in ``source`` (a projected CRS on the frame is first
        reprojected to EPSG:4326 by PROJ). A pair is returned as a pair of numpy arrays.
    source : {"wgs84", "gcj02", "bd09", "cgcs2000"}
        The system the coordinates came in; any label :func:`canonical_crs` understands
        ("amap", "高德", "tencent" for GCJ-02, "baidu", "百度" for BD-09, "EPSG:4326", ...).

    Returns
    -------
    Same kind as the input, in WGS84 (EPSG:4326).
    """
    src = _check_source(source)
    func = _TO_WGS84[src]
    if hasattr(frame_or_xy, "geometry"):
        frame = frame_or_xy
        if frame.crs is not None and frame.crs.is_projected:
            frame = frame.to_crs("EPSG:4326")
        if func is None:
            return frame.set_crs("EPSG:4326", allow_override=True)
        return _transform_frame(frame, func)
    lon, lat = frame_or_xy
    lon_a, lat_a = _as_arrays(lon, lat)
    if func is None:
        return lon_a.copy(), lat_a.copy()
    return func(lon_a, lat_a)


def from_wgs84(frame_or_xy: Any, target: str) -> Any:
    """Shift WGS84 coordinates to ``target`` (for display on GCJ-02/BD-09 basemaps only)."""
    func = _FROM_WGS84[_check_source(target)]
    if hasattr(frame_or_xy, "geometry"):
        return frame_or_xy.copy() if func is None else _transform_frame(frame_or_xy, func)
    lon_a, lat_a = _as_arrays(*frame_or_xy)
    return (lon_a.copy(), lat_a.copy()) if func is None else func(lon_a, lat_a)


def metric_crs(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> str:
    """Return a metric CRS (EPSG string) for data in the given WGS84 bounds.

    Inside China's longitudes this is the CGCS2000 3-degree Gauss-Kruger zone whose central
    meridian is nearest the data's centre (EPSG:4549, CM 120E, for south Jiangsu); elsewhere the
    UTM zone of the centre. Distances there are within ~0.2 % of geodesic over a 3-degree band.
    """
    lon_c = (float(lon_min) + float(lon_max)) / 2.0
    lat_c = (float(lat_min) + float(lat_max)) / 2.0
    if not (np.isfinite(lon_c) and np.isfinite(lat_c)) or abs(lat_c) > 90 or abs(lon_c) > 180:
        msg = f"bounds must be finite WGS84 degrees, got {(lon_min, lat_min, lon_max, lat_max)}"
        raise ValidationError(msg)
    cm = round(lon_c / 3.0) * 3
    if _GK3_FIRST_CM <= cm <= _GK3_LAST_CM and lat_c > 0:
        return f"EPSG:{_GK3_FIRST_EPSG + (cm - _GK3_FIRST_CM) // 3}"
    zone = int((lon_c + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{(32600 if lat_c >= 0 else 32700) + zone}"


def metric_crs_for(frame: Any) -> str:
    """Return :func:`metric_crs` for a WGS84 GeoDataFrame/GeoSeries (EPSG:4549 if empty)."""
    if len(frame) == 0:
        return f"EPSG:{SOUTH_JIANGSU_METRIC_EPSG}"
    return metric_crs(*frame.total_bounds)


def check_lonlat_in_china(lon: float, lat: float) -> None:
    """Raise a ValidationError naming the field when a typed lon/lat is not a point in China.

    A person types coordinates read out over the phone: a longitude of 200, a latitude of 0, or
    the two swapped. Each gets its own code (``lon_outside_china``, ``lat_outside_china``,
    ``swapped_lonlat``) so the user interface can say which field is wrong.
    """
    lon_f, lat_f = float(lon), float(lat)
    if not (np.isfinite(lon_f) and np.isfinite(lat_f)):
        msg = f"lon/lat must be finite numbers, got ({lon!r}, {lat!r})"
        raise ValidationError(msg, code="not_finite", params={"value": f"{lon}, {lat}"})
    if bool(in_china(lon_f, lat_f)):
        return
    if bool(in_china(lat_f, lon_f)):
        msg = f"lon {lon_f} and lat {lat_f} look swapped"
        raise ValidationError(msg, code="swapped_lonlat", params={"lon": lon_f, "lat": lat_f})
    inside_lon = CHINA_LON_MIN <= lon_f <= CHINA_LON_MAX
    role = "lat" if inside_lon else "lon"
    value = lat_f if inside_lon else lon_f
    lo, hi = ((CHINA_LAT_MIN, CHINA_LAT_MAX) if inside_lon else (CHINA_LON_MIN, CHINA_LON_MAX))
    msg = f"{role} {value} is outside China's range {lo:g}..{hi:g}"
    raise ValidationError(msg, code="outside_china_range",
                          params={"role": role, "value": value, "lo": round(lo, 2),
                                  "hi": round(hi, 2)})
