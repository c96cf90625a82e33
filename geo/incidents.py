"""Batch incident upload: read a dispatcher's CSV/XLSX points, report bad rows, keep good ones.

File bytes become raw cells in :mod:`geo.io`; this module gives the columns their meaning
(header roles), parses coordinate cells, converts each row from its CRS and checks the place.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import ACCEPTED_CRS_TEXT, canonical_crs, in_china, is_baidu_mercator, to_wgs84
from geo.errors import ValidationError
from geo.filters import in_area
from geo.io import NUMBER_RE, is_empty, read_table
from geo.validate import Report

#: Output columns that come first, before the file's own extra columns.
OUTPUT_COLUMNS: tuple[str, ...] = ("incident", "row", "lon", "lat", "source_crs")

#: Header aliases per role, compared after :func:`_norm_header`. For "incident" the order is the
#: priority when a file has several id-like columns (the others are kept as extra columns).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬"),
    "crs": ("crs", "coord_system", "coordinate_system", "coord_sys", "srs", "坐标系",
            "坐标系统"),
    "incident": ("incident", "incident_id", "id", "编号", "事件编号", "事件", "name",
                 "incident_name", "名称", "事件名称"),
}

_RESERVED = frozenset(OUTPUT_COLUMNS) | {"geometry"}

_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d+,\d+")
_PAIR_RE = re.compile(r"[+-]?\d+(?:\.\d+)?\s*[,;\uff0c]\s*[+-]?\d+(?:\.\d+)?")
_BRACKETED_RE = re.compile(r"[(\[\uff08\u3010].*?[)\]\uff09\u3011]")  # also full-width
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})

_RANGES = {"lon": 180.0, "lat": 90.0}


# --------------------------------------------------------------------------------------------
# Headers and cells
# --------------------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    """Normalise a header for alias lookup: NFKC, lower case, no bracketed units, '_' for gaps."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = _BRACKETED_RE.sub("", text)
    text = re.sub(r"[\s\-./]+", "_", text).strip("_")
    return text


def _roles(header: list[str]) -> dict[int, str]:
    """Map column positions to roles (lon, lat, crs, incident); the first matching column wins."""
    lookup = {alias: role for role, aliases in HEADER_ALIASES.items() for alias in aliases}
    found: dict[str, tuple[int, int]] = {}  # role -> (priority, position)
    for pos, name in enumerate(header):
        role = lookup.get(_norm_header(name))
        if role is None:
            continue
        priority = HEADER_ALIASES[role].index(_norm_header(name)) if role == "incident" else 0
        if role not in found or priority < found[role][0]:
            found[role] = (priority, pos)
    return {pos: role for role, (_, pos) in found.items()}


def _has_coordinates(header: list[str]) -> bool:
    """True for a header with both a longitude and a latitude column (picks the data sheet)."""
    return {"lon", "lat"} <= set(_roles(header).values())


#: A problem found in one cell: (code, params); see geo.validate.Problem.
_Issue = tuple[str, dict[str, Any]]


def _issue(code: str, **params: Any) -> _Issue:
    return code, params


def _parse_number(value: Any) -> tuple[float | None, _Issue | None, _Issue | None]:
    """Parse one coordinate cell: (number, error, warning); error and warning are _Issue or None.

    Accepted: numbers from Excel; text with surrounding spaces, full-width digits and point
    (full-width digits), a unicode minus, a trailing degree sign, or one decimal comma ("120,3",
    read as 120.3 with a warning). Rejected: empty cells, other text, NaN/infinity, booleans, dates.
    """
    if is_empty(value):
        return None, _issue("empty_cell"), None
    if isinstance(value, (bool, datetime, date)):
        return None, _issue("not_a_number", value=str(value)), None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not np.isfinite(number):
            return None, _issue("not_finite", value=number), None
        return number, None, None
    raw = str(value)
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS).strip()
    text = text.removesuffix("°").strip()
    if NUMBER_RE.fullmatch(text):
        return float(text), None, None
    if _DECIMAL_COMMA_RE.fullmatch(text):
        number = float(text.replace(",", "."))
        return number, None, _issue("decimal_comma", value=raw, number=number)
    if _PAIR_RE.fullmatch(text):
        return None, _issue("two_numbers", value=raw), None
    return None, _issue("not_a_number", value=raw), None


def _ident_text(value: Any) -> str:
    """Return an incident id as text: Excel's 1001.0 becomes "1001"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _dedupe(names: list[str]) -> list[str]:
    """Make extra-column names unique and keep them off the output's own column names."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        base = name or f"column_{i + 1}"
        if base in _RESERVED:
            base = f"{base}_file"
        candidate, k = base, 2
        while candidate in seen:
            candidate, k = f"{base}_{k}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out


# --------------------------------------------------------------------------------------------
# The public reader
# --------------------------------------------------------------------------------------------


def _empty_result(extra: list[str] | None = None) -> gpd.GeoDataFrame:
    columns = list(OUTPUT_COLUMNS) + list(extra or [])
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    frame["row"] = frame["row"].astype("int64")
    frame["lon"] = frame["lon"].astype("float64")
    frame["lat"] = frame["lat"].astype("float64")
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([], []), crs="EPSG:4326")


def _cities(boundaries: gpd.GeoDataFrame) -> list[str]:
    """The boundaries' city keys in order of appearance ("wuxi", ...), or [] without a column."""
    if "city" not in boundaries.columns:
        return []
    return [str(c).strip().lower() for c in pd.unique(boundaries["city"].dropna())]


def read_incidents(
    data: bytes | str | Path,
    filename: str,
    *,
    default_crs: str = "wgs84",
    boundaries: gpd.GeoDataFrame | None = None,
    fix_swapped: bool = False,
) -> tuple[gpd.GeoDataFrame, Report]:
    """Read a batch of incident points from a CSV or XLSX upload and report every problem.

    Parameters
    ----------
    data : bytes, str or Path
        The file content (``bytes``, e.g. a Streamlit upload), a path (``Path``, or a ``str``
        without a line break), or CSV text (a ``str`` with at least one line break).
    filename : str
        The uploaded file's name; its extension picks the reader (.csv/.txt/.tsv or
        .xlsx/.xlsm). A .xls file gets a whole-file error asking for .xlsx or CSV.
    default_crs : str, default "wgs84"
        The coordinate system of rows that have no CRS column or an empty CRS cell. Any label
        :func:`canonical_crs` understands ("wgs84", "gcj02", "高德", "baidu", ...).
    boundaries : GeoDataFrame, optional
        District polygons; a point in none of them gets the warning "outside Wuxi/Zhenjiang"
        (names from the ``city`` column) and is kept.
    fix_swapped : bool, default False
        When a row's longitude and latitude are swapped (only the swapped pair lies in China),
        swap them back and report a warning instead of dropping the row with an error.

    Returns
    -------
    incidents : GeoDataFrame
        The good rows as WGS84 points (EPSG:4326) with columns ``incident`` (the id/name column,
        else "row N"), ``row`` (file row number, header = 1), ``lon``, ``lat`` (WGS84),
        ``source_crs`` and then the file's other columns (empty cells as missing values).
    report : Report
        Every problem at once; rows with an error are the ones left out. A whole-file error
        (``row`` None) means the frame is empty.

    Raises
    ------
    ValidationError
        If ``default_crs`` is not a known CRS or ``data`` has the wrong type.
    DataError
        If ``data`` names a file that does not exist.
    """
    source_default = canonical_crs(default_crs) if isinstance(default_crs, str) else None
    if source_default is None:
        msg = f"default_crs must be one of wgs84, gcj02, bd09, cgcs2000, got {default_crs!r}"
        raise ValidationError(msg)
    report = Report()
    table = read_table(data, filename, report, pick_sheet=_has_coordinates)
    if table is None:
        return _empty_result(), report

    header = table.header
    roles = _roles(header)
    role_pos = {role: pos for pos, role in roles.items()}
    missing = [role for role in ("lon", "lat") if role not in role_pos]
    columns = [h for h in header if h]
    for role in missing:
        aliases = "/".join(HEADER_ALIASES[role])
        report.add(None, role, "missing_column",
                   {"role": role, "aliases": aliases, "columns": columns}, fix_code="add_column")
    extra_pos = [pos for pos in range(len(header)) if pos not in roles]
    extra_names = _dedupe([header[pos] for pos in extra_pos])
    if missing:
        return _empty_result(), report

    data_rows = table.rows  # blank rows are already left out (their numbers are kept)
    report.n_rows = len(data_rows)
    if not data_rows:
        report.add(None, None, "header_only")
        return _empty_result(extra_names), report

    col_name = {role: header[pos] for role, pos in role_pos.items()}
    pair_name = f"{col_name['lon']}/{col_name['lat']}"
    good: list[dict[str, Any]] = []
    for row_no, cells in data_rows:
        n_before = len(report.problems)
        surplus = [c for c in cells[len(header):] if not is_empty(c)]
        if surplus:
            n_cells, n_header = len(header) + len(surplus), len(header)
            report.add(row_no, None, "too_many_cells", {"n_cells": n_cells, "n_header": n_header},
                       fix_code="quote_or_decimal_point")
        padded = list(cells) + [None] * (len(header) - len(cells))
        values: dict[str, float | None] = {}
        for role in ("lon", "lat"):
            number, error, warning = _parse_number(padded[role_pos[role]])
            for issue, severity in ((error, "error"), (warning, "warning")):
                if issue is not None:
                    code, params = issue
                    report.add(row_no, col_name[role], code, {"role": role, **params},
                               severity=severity)
            values[role] = number
        source = source_default
        if "crs" in role_pos and not is_empty(padded[role_pos["crs"]]):
            label = str(padded[role_pos["crs"]]).strip()
            source = canonical_crs(label)
            if source is None:
                if is_baidu_mercator(label):
                    code, params = "baidu_mercator", {"value": label}
                else:
                    code, params = "unknown_crs", {"value": label, "accepted": ACCEPTED_CRS_TEXT}
                report.add(row_no, col_name["crs"], code, params, fix_code="use_known_crs")
        lon, lat = values["lon"], values["lat"]
        if lon is not None and lat is not None:
            if not in_china(lon, lat) and in_china(lat, lon):
                if fix_swapped:
                    lon, lat = lat, lon
                    report.add(row_no, pair_name, "swapped_fixed", {"lon": lon, "lat": lat},
                               severity="warning", fix_code="swap_lonlat")
                else:
                    report.add(row_no, pair_name, "swapped_lonlat", {"lon": lon, "lat": lat},
                               fix_code="swap_lonlat")
            else:
                for role, number in (("lon", lon), ("lat", lat)):
                    limit = _RANGES[role]
                    if not -limit <= number <= limit:
                        report.add(row_no, col_name[role], "out_of_range",
                                   {"role": role, "value": number, "limit": limit})
        if any(p.severity == "error" for p in report.problems[n_before:]):
            continue
        ident = padded[role_pos["incident"]] if "incident" in role_pos else None
        record: dict[str, Any] = {
            "incident": f"row {row_no}" if is_empty(ident) else _ident_text(ident),
            "row": row_no, "lon": lon, "lat": lat, "source_crs": source,
        }
        for name, pos in zip(extra_names, extra_pos, strict=True):
            value = padded[pos]
            record[name] = None if is_empty(value) else value
        good.append(record)

    if not good:
        result = _empty_result(extra_names)
    else:
        frame = pd.DataFrame.from_records(good, columns=list(OUTPUT_COLUMNS) + extra_names)
        frame["row"] = frame["row"].astype("int64")
        lon_w = frame["lon"].to_numpy(dtype="float64").copy()
        lat_w = frame["lat"].to_numpy(dtype="float64").copy()
        for source, idx in frame.groupby("source_crs").indices.items():
            if source in ("wgs84", "cgcs2000"):
                continue
            lon_w[idx], lat_w[idx] = to_wgs84((lon_w[idx], lat_w[idx]), source)
        frame["lon"], frame["lat"] = lon_w, lat_w
        result = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon_w, lat_w),
                                  crs="EPSG:4326")
        _check_place(result, report, boundaries, pair_name)
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return result, report


def _check_place(result: gpd.GeoDataFrame, report: Report,
                 boundaries: gpd.GeoDataFrame | None, pair_name: str) -> None:
    """Add warnings for points outside the boundaries (or China) and for repeated incident ids."""
    lon = result["lon"].to_numpy()
    lat = result["lat"].to_numpy()
    rows = result["row"].to_numpy()
    if boundaries is not None and len(boundaries):
        cities = _cities(boundaries)
        for i in np.flatnonzero(~in_area(lon, lat, boundaries)):
            report.add(int(rows[i]), pair_name, "outside_city",
                       {"lon": float(lon[i]), "lat": float(lat[i]), "cities": cities,
                        "n_districts": len(boundaries)},
                       severity="warning", fix_code="check_coords_crs")
    else:
        for i in np.flatnonzero(~in_china(lon, lat)):
            report.add(int(rows[i]), pair_name, "outside_china",
                       {"lon": float(lon[i]), "lat": float(lat[i])}, severity="warning",
                       fix_code="check_coords")
    first_row: dict[str, int] = {}
    for ident, row_no in zip(result["incident"], rows, strict=True):
        if ident in first_row:
            report.add(int(row_no), "incident", "duplicate_incident",
                       {"incident": str(ident), "first_row": first_row[ident]}, severity="warning",
                       fix_code="unique_id")
        else:
            first_row[ident] = int(row_no)


# --------------------------------------------------------------------------------------------
# Template and downloads
# --------------------------------------------------------------------------------------------

_TEMPLATE_ROWS: tuple[tuple[str, float, float, str, str, str], ...] = (
    ("INC-001", 120.2275, 31.5205, "wgs84", "WGS84", "鼋头渚 游客落水"),
    ("INC-002", 120.3065, 31.5640, "gcj02", "高德", "南长街 老人晕倒"),
    ("INC-003", 119.4260, 32.2140, "bd09", "百度", "西津渡 路人受伤"),
)


def incidents_template_csv(*, chinese: bool = False) -> bytes:
    """Return a small example incident CSV (UTF-8 with BOM) that :func:`read_incidents` accepts.

    Parameters
    ----------
    chinese : bool, default False
        False gives English headers ``incident,lon,lat,crs,note`` and CRS values wgs84/gcj02/
        bd09; True gives Chinese headers ``编号,经度,纬度,坐标系,备注`` and CRS values
        WGS84/高德/百度. Both read back to the same points.

    Returns
    -------
    bytes
        The CSV text, encoded UTF-8 with a BOM so Excel shows the Chinese correctly.
    """
    header = ("编号", "经度", "纬度", "坐标系", "备注") if chinese else (
        "incident", "lon", "lat", "crs", "note")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for ident, lon, lat, crs_en, crs_zh, note in _TEMPLATE_ROWS:
        writer.writerow((ident, f"{lon:.4f}", f"{lat:.4f}", crs_zh if chinese else crs_en, note))
    return buffer.getvalue().encode("utf-8-sig")


#: Old names of the writers, kept until pages/nearest.py imports them from geo.io.
