"""Batch incident upload: read a dispatcher's table of points, report bad rows, keep good ones.

File bytes become raw cells in :mod:`geo.io` (any export shape: CSV/TSV/TXT, .xlsx/.xls/.ods,
title lines, cover sheets); :mod:`geo.coords` reads the coordinate cells as people write them.
This module gives the columns their meaning by their headers (``事发地经度``, ``X坐标``, one
``经纬度`` column ...), checks every row at once (column-wise, so 100k rows take well under a
second) and converts each row from its coordinate system to WGS84.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.coords import parse_coordinates, parse_pairs
from geo.crs import ACCEPTED_CRS_TEXT, canonical_crs, in_china, is_baidu_mercator, to_wgs84
from geo.errors import ValidationError
from geo.filters import in_area
from geo.io import best_columns, gc_paused, is_empty, read_table
from geo.validate import Report

#: Output columns that come first, before the file's own extra columns.
OUTPUT_COLUMNS: tuple[str, ...] = ("incident", "row", "lon", "lat", "source_crs")

#: The meanings a column can have.
ROLES: tuple[str, ...] = ("incident", "lon", "lat", "pair", "crs")

#: Exact header aliases per role, compared after :func:`_norm_header`. For "incident" the
#: order is the priority when a file has several id-like columns (the others stay as extra
#: columns). Headers that only contain a keyword (事发地经度, X坐标 ...) are found by
#: :func:`_role_of` as well.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "坐标x", "point_x",
            "x_coord", "coord_x"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "坐标y", "point_y", "y_coord",
            "coord_y"),
    "pair": ("经纬度", "坐标", "位置坐标", "坐标位置", "经纬度坐标", "gps坐标", "定位", "位置",
             "lnglat", "lng_lat", "lonlat", "lon_lat", "latlng", "lat_lng", "latlon", "lat_lon",
             "coordinates", "coordinate", "coords", "location", "gps"),
    "crs": ("crs", "coord_system", "coordinate_system", "coord_sys", "srs", "坐标系",
            "坐标系统", "坐标类型"),
    "incident": ("incident", "incident_id", "id", "编号", "事件编号", "事件", "name",
                 "incident_name", "名称", "事件名称", "警情编号", "任务编号", "序号", "no"),
}
_ALIAS_ROLE = {alias: role for role, aliases in HEADER_ALIASES.items() for alias in aliases}
#: Keywords found inside longer headers ("事发地经度", "报警人纬度", "事件坐标系").
_CONTAINS: tuple[tuple[str, str], ...] = (
    ("经纬度", "pair"), ("坐标系", "crs"), ("经度", "lon"), ("纬度", "lat"),
    ("longitude", "lon"), ("latitude", "lat"), ("编号", "incident"),
)

_RESERVED = frozenset(OUTPUT_COLUMNS) | {"geometry"}
_BRACKETED_RE = re.compile(r"[(\[\uff08\u3010].*?[)\]\uff09\u3011]")  # also full-width
_BRACKET_TEXT_RE = re.compile(r"[(\[\uff08\u3010](.*?)[)\]\uff09\u3011]")

_RANGES = {"lon": 180.0, "lat": 90.0}


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


def _norm_header(name: str) -> str:
    """Normalise a header for alias lookup: NFKC, lower case, no bracketed units, '_' for gaps."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = _BRACKETED_RE.sub("", text)
    text = re.sub(r"[\s\-./:：°]+", "_", text).strip("_")
    return text


def _role_of(name: str) -> tuple[str | None, int]:
    """The role a header names and its priority (lower wins), or (None, 0)."""
    norm = _norm_header(name)
    if not norm:
        return None, 0
    role = _ALIAS_ROLE.get(norm) or _ALIAS_ROLE.get(norm.replace("_", ""))
    if role is not None:
        rank = HEADER_ALIASES[role].index(norm) if norm in HEADER_ALIASES[role] else 0
        return role, rank
    compact = norm.replace("_", "")
    for keyword, role in _CONTAINS:
        if keyword in compact:
            return role, 50
    if compact.endswith("坐标") and len(compact) <= 8:
        return "pair", 60
    return None, 0


def header_crs(name: str) -> str | None:
    """The coordinate system a header names in brackets ("经度（GCJ-02）" -> "gcj02"), if any."""
    for inner in _BRACKET_TEXT_RE.findall(unicodedata.normalize("NFKC", str(name))):
        found = canonical_crs(inner)
        if found is not None:
            return found
    return None


def guess_columns(header: list[str]) -> dict[str, int]:
    """Map roles to column positions from the header text; the best-named column wins.

    Parameters
    ----------
    header : list of str
        The header cells.

    Returns
    -------
    dict
        ``role -> position`` for the roles found among :data:`ROLES`. Separate longitude and
        latitude columns win over a combined ``经纬度`` column, which is then left as an extra
        column.
    """
    return best_columns(header, _role_of)


def header_score(header: list[str]) -> float:
    """How much a row looks like an incident table's header: coordinates 2, id and CRS 0.5."""
    roles = guess_columns(header)
    score = 2.0 if {"lon", "lat"} <= roles.keys() or "pair" in roles else 0.0
    if score == 0.0 and roles.keys() & {"lon", "lat"}:
        score = 0.5
    return score + 0.5 * len(roles.keys() & {"incident", "crs"})


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


def _text_array(values: np.ndarray) -> pa.Array | None:
    """Stripped text of a column of text cells (None stays null), or None.

    None when any cell is not text (workbook numbers, dates): such columns take the
    cell-by-cell path.
    """
    try:
        return pc.utf8_trim_whitespace(pa.array(values, type=pa.string(), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _blank(values: np.ndarray) -> np.ndarray:
    """Column-wise :func:`geo.io.is_empty`: None, NaN or whitespace-only text."""
    text = _text_array(values)
    if text is not None:
        return pc.fill_null(pc.equal(pc.utf8_length(text), 0), True).to_numpy(
            zero_copy_only=False)
    return np.fromiter(map(is_empty, values), dtype=bool, count=len(values))


def _ident_texts(values: np.ndarray) -> np.ndarray:
    """Incident ids as text: Excel's 1001.0 becomes "1001"; empty stays None."""
    text = _text_array(values)
    if text is not None:
        blank = pc.equal(pc.utf8_length(text), 0)
        return pc.if_else(blank, None, text).to_numpy(zero_copy_only=False).copy()
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if is_empty(value):
            out[i] = None
        elif isinstance(value, float) and value.is_integer():
            out[i] = str(int(value))
        else:
            out[i] = str(value).strip()
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


def _forced_roles(columns: dict[str, str], header: list[str], report: Report
                  ) -> dict[str, int | None] | None:
    """Positions of the columns a user picked by header text (None: "no such column").

    Returns None after reporting a header text that is not in the file.
    """
    roles: dict[str, int | None] = {}
    shown = [h for h in header if h]
    for role, name in columns.items():
        if role not in ROLES:
            msg = f"unknown column role {role!r}; use one of {', '.join(ROLES)}"
            raise ValidationError(msg)
        if name is None or name == "":
            roles[role] = None
            continue
        if name not in header:
            report.add(None, str(name), "unknown_column", {"column": str(name), "columns": shown},
                       fix_code="pick_column")
            return None
        roles[role] = header.index(name)
    return roles


def _add_issues(report: Report, issues: dict[int, list[Any]], rows: list[int], column: str,
                role: str | None) -> None:
    for pos, found in issues.items():
        for issue in found:
            params = dict(issue.params)
            if role is not None:
                params.setdefault("role", role)
            report.add(rows[pos], column, issue.code, params, severity=issue.severity,
                       fix_code=_FIXES.get(issue.code))


#: Suggested fixes for the coordinate codes of geo.coords.
_FIXES = {"two_numbers": "split_pair", "not_a_pair": "write_pair",
          "order_ambiguous": "write_pair_labels", "bad_dms": "check_dms"}


def read_incidents(
    data: bytes | str | Path,
    filename: str,
    *,
    default_crs: str = "wgs84",
    boundaries: gpd.GeoDataFrame | None = None,
    fix_swapped: bool = False,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: dict[str, str] | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> tuple[gpd.GeoDataFrame, Report]:
    """Read a batch of incident points from any table upload and report every problem.

    Parameters
    ----------
    data : bytes, str or Path
        The file content (``bytes``, e.g. a Streamlit upload), a path (``Path``, or a ``str``
        without a line break), or CSV text (a ``str`` with at least one line break).
    filename : str
        The uploaded file's name; its extension picks the reader (.csv/.tsv/.txt or
        .xlsx/.xlsm/.xls/.ods), see :func:`geo.io.read_table`.
    default_crs : str, default "wgs84"
        The coordinate system of rows that have no CRS column or an empty CRS cell (unless the
        coordinate header names one, as in "经度（GCJ-02）"). Any label :func:`canonical_crs`
        understands ("wgs84", "gcj02", "高德", "baidu", ...).
    boundaries : GeoDataFrame, optional
        District polygons; a point in China but in none of them gets the warning "outside
        Wuxi/Zhenjiang" (names from the ``city`` column) and is kept.
    fix_swapped : bool, default False
        When a row's longitude and latitude are swapped (only the swapped pair lies in China),
        swap them back and report a warning instead of dropping the row with an error.
    sheet : str, optional
        The workbook sheet to read (default: the one whose header names coordinates).
    header_row : int, optional
        The file row (1-based) holding the header (default: found under any title lines).
    columns : dict, optional
        ``role -> header text`` for roles ``incident``, ``lon``, ``lat``, ``pair``, ``crs``:
        the user's corrections of the column guess (the other roles keep the guess).
    max_bytes : int, optional
        The upload size cap (default: the ``max_upload_mb`` setting).
    max_rows : int, optional
        Most data rows accepted (default: the ``max_batch_rows`` setting); a longer file is
        refused whole with ``too_many_rows``.

    Returns
    -------
    incidents : GeoDataFrame
        The good rows as WGS84 points (EPSG:4326) with columns ``incident`` (the id column,
        else "row N"), ``row`` (file row number as a spreadsheet shows it), ``lon``, ``lat``
        (WGS84), ``source_crs`` and then the file's other columns (empty cells as missing
        values), under their own header text.
    report : Report
        Every problem at once; rows with an error are the ones left out; a point outside China
        is an error, one in China but outside ``boundaries`` a warning. A whole-file error
        (``row`` None) means the frame is empty. ``report.source`` says what was read:
        ``sheet``, ``sheets``, ``header_row``, ``header_guess``, ``header`` and ``mapping``
        (role -> header text), for the page to show and let the user change.

    Raises
    ------
    ValidationError
        If ``default_crs`` is not a known CRS, ``columns`` names an unknown role, or ``data``
        has the wrong type.
    DataError
        If ``data`` names a file that does not exist.
    """
    source_default = canonical_crs(default_crs) if isinstance(default_crs, str) else None
    if source_default is None:
        msg = f"default_crs must be one of wgs84, gcj02, bd09, cgcs2000, got {default_crs!r}"
        raise ValidationError(msg)
    with gc_paused():
        return _read_incidents(data, filename, source_default, boundaries, fix_swapped,
                               sheet, header_row, columns, max_bytes, max_rows)


def _read_incidents(data: bytes | str | Path, filename: str, source_default: str,
                    boundaries: gpd.GeoDataFrame | None, fix_swapped: bool, sheet: str | None,
                    header_row: int | None, columns: dict[str, str] | None,
                    max_bytes: int | None, max_rows: int | None
                    ) -> tuple[gpd.GeoDataFrame, Report]:
    """The body of :func:`read_incidents`, run with the cyclic garbage collector paused."""
    if max_rows is None:
        from geo.settings import SETTINGS  # lazy: importing this module must not load settings

        max_rows = SETTINGS.max_batch_rows
    report = Report()
    report.source = {"sheet": None, "sheets": [], "header_row": None, "header_guess": None,
                     "header": [], "mapping": {}}
    table = read_table(data, filename, report, score=header_score, sheet=sheet,
                       header_row=header_row, max_bytes=max_bytes)
    if table is None:
        return _finish(_empty_result(), report)

    header = table.header
    report.source.update(sheet=table.sheet, sheets=table.sheets, header_row=table.header_row,
                         header_guess=table.header_guess, header=list(header))
    role_pos = guess_columns(header)
    if columns:
        forced = _forced_roles(columns, header, report)
        if forced is None:
            return _finish(_empty_result(), report)
        chosen = {role: pos for role, pos in forced.items() if pos is not None}
        if chosen.keys() & {"lon", "lat"}:
            role_pos.pop("pair", None)
        if "pair" in chosen:
            role_pos.pop("lon", None)
            role_pos.pop("lat", None)
        for role in forced.keys() - chosen.keys():
            role_pos.pop(role, None)
        role_pos.update(chosen)
    report.source["mapping"] = {role: header[pos] for role, pos in role_pos.items()}
    has_pair = "pair" in role_pos and not {"lon", "lat"} <= role_pos.keys()
    missing = [] if has_pair else [r for r in ("lon", "lat") if r not in role_pos]
    shown = [h for h in header if h]
    for role in missing:
        aliases = "/".join(HEADER_ALIASES[role][:6])
        report.add(None, role, "missing_column",
                   {"role": role, "aliases": aliases, "columns": shown,
                    "header_row": table.header_row}, fix_code="add_column")
    used = set(role_pos.values()) if not has_pair else {role_pos[r] for r in role_pos
                                                         if r in ("pair", "crs", "incident")}
    extra_pos = [pos for pos in range(len(header)) if pos not in used]
    extra_names = _dedupe([header[pos] for pos in extra_pos])
    if missing:
        return _finish(_empty_result(), report)

    n = len(table.rows)
    report.n_rows = n + table.n_dropped
    if n > max_rows:
        report.add(None, None, "too_many_rows", {"n": n, "limit": max_rows},
                   fix_code="split_file")
        return _finish(_empty_result(extra_names), report)
    if not n and not table.n_dropped:
        report.add(None, None, "header_only")
        return _finish(_empty_result(extra_names), report)
    if not n:
        return _finish(_empty_result(extra_names), report)

    rows = table.row_numbers
    row_arr = np.asarray(rows, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    n_before = len(report.problems)
    widths = table.widths()
    for i in np.flatnonzero(widths > len(header)):
        surplus = [c for c in table.rows[i][len(header):] if not is_empty(c)]
        if surplus:
            report.add(rows[i], None, "too_many_cells",
                       {"n_cells": len(header) + len(surplus), "n_header": len(header)},
                       fix_code="quote_or_decimal_point")
    name = {role: header[pos] for role, pos in role_pos.items()}
    if has_pair:
        lon, lat, issues = parse_pairs(table.column(role_pos["pair"]))
        _add_issues(report, issues, rows, name["pair"], None)
        pair_name = name["pair"]
    else:
        lon, issues = parse_coordinates(table.column(role_pos["lon"]), "lon")
        _add_issues(report, issues, rows, name["lon"], "lon")
        lat, issues = parse_coordinates(table.column(role_pos["lat"]), "lat")
        _add_issues(report, issues, rows, name["lat"], "lat")
        pair_name = f"{name['lon']}/{name['lat']}"

    coord_header = name.get("pair") or name.get("lon", "")
    column_default = header_crs(coord_header) or header_crs(name.get("lat", "")) or source_default
    source = np.full(n, column_default, dtype=object)
    if "crs" in role_pos:
        _read_crs_column(table.column(role_pos["crs"]), source, rows, name["crs"], report)

    names = {"lon": name.get("lon", pair_name), "lat": name.get("lat", pair_name)}
    lon, lat = _check_ranges(lon, lat, rows, pair_name, names, report, fix_swapped=fix_swapped)
    for problem in report.problems[n_before:]:
        if problem.severity == "error" and problem.row is not None:
            bad[np.searchsorted(row_arr, problem.row)] = True
    keep = np.flatnonzero(~bad & np.isfinite(lon) & np.isfinite(lat))

    ident = (_ident_texts(table.column(role_pos["incident"])[keep])
             if "incident" in role_pos else np.full(len(keep), None, dtype=object))
    kept_rows = row_arr[keep]
    no_id = np.equal(ident, None)
    ident[no_id] = [f"row {r}" for r in kept_rows[no_id]]
    frame = pd.DataFrame({"incident": ident, "row": kept_rows, "lon": lon[keep],
                          "lat": lat[keep], "source_crs": source[keep]})
    for col_name, pos in zip(extra_names, extra_pos, strict=True):
        values = table.column(pos)[keep]
        values[_blank(values)] = None
        frame[col_name] = values
    lon_w = frame["lon"].to_numpy(dtype="float64").copy()
    lat_w = frame["lat"].to_numpy(dtype="float64").copy()
    for crs, idx in frame.groupby("source_crs").indices.items():
        if crs in ("wgs84", "cgcs2000"):
            continue
        lon_w[idx], lat_w[idx] = to_wgs84((lon_w[idx], lat_w[idx]), crs)
    frame["lon"], frame["lat"] = lon_w, lat_w
    result = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon_w, lat_w), crs="EPSG:4326")
    _check_place(result, report, boundaries, pair_name)
    return _finish(result, report)


def _finish(result: gpd.GeoDataFrame, report: Report) -> tuple[gpd.GeoDataFrame, Report]:
    """Sort the problems by row (whole-file problems first) and return the pair."""
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return result, report


def _read_crs_column(values: np.ndarray, source: np.ndarray, rows: list[int], column: str,
                     report: Report) -> None:
    """Fill ``source`` from a CRS column (each distinct label parsed once); report bad labels."""
    filled = ~_blank(values)
    at = np.flatnonzero(filled)
    labels = _text_array(values[filled])
    if labels is None:
        labels = pa.array([str(v).strip() for v in values[filled]], type=pa.string())
    codes = pc.dictionary_encode(labels).combine_chunks() if isinstance(
        labels, pa.ChunkedArray) else pc.dictionary_encode(labels)
    indices = codes.indices.to_numpy(zero_copy_only=False)
    order = np.argsort(indices, kind="stable")
    bounds = np.searchsorted(indices[order], np.arange(len(codes.dictionary) + 1))
    for k, label in enumerate(codes.dictionary.to_pylist()):
        where = at[order[bounds[k]:bounds[k + 1]]]
        found = canonical_crs(label)
        if found is not None:
            source[where] = found
            continue
        if is_baidu_mercator(label):
            code, params = "baidu_mercator", {"value": label}
        else:
            code, params = "unknown_crs", {"value": label, "accepted": ACCEPTED_CRS_TEXT}
        for i in where:
            report.add(rows[i], column, code, params, fix_code="use_known_crs")


def _check_ranges(lon: np.ndarray, lat: np.ndarray, rows: list[int], pair_name: str,
                  names: dict[str, str], report: Report, *, fix_swapped: bool
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Refuse points outside China (swapped pairs told apart); return the (fixed) arrays."""
    lon, lat = lon.copy(), lat.copy()
    read = np.isfinite(lon) & np.isfinite(lat)
    inside = np.zeros(len(lon), dtype=bool)
    inside[read] = in_china(lon[read], lat[read])
    for i in np.flatnonzero(read & ~inside):
        x, y = float(lon[i]), float(lat[i])
        if in_china(y, x):
            if fix_swapped:
                lon[i], lat[i] = y, x
                report.add(rows[i], pair_name, "swapped_fixed", {"lon": y, "lat": x},
                           severity="warning", fix_code="swap_lonlat")
            else:
                report.add(rows[i], pair_name, "swapped_lonlat", {"lon": x, "lat": y},
                           fix_code="swap_lonlat")
            continue
        out = False
        for role, number in (("lon", x), ("lat", y)):
            limit = _RANGES[role]
            if not -limit <= number <= limit:
                report.add(rows[i], names[role], "out_of_range",
                           {"role": role, "value": number, "limit": limit})
                out = True
        if not out:
            report.add(rows[i], pair_name, "outside_china", {"lon": x, "lat": y},
                       fix_code="check_coords")
    return lon, lat


def _check_place(result: gpd.GeoDataFrame, report: Report,
                 boundaries: gpd.GeoDataFrame | None, pair_name: str) -> None:
    """Warn about points outside the boundaries and about repeated incident ids."""
    lon = result["lon"].to_numpy()
    lat = result["lat"].to_numpy()
    rows = result["row"].to_numpy()
    if boundaries is not None and len(boundaries) and len(result):
        cities = _cities(boundaries)
        for i in np.flatnonzero(~in_area(lon, lat, boundaries)):
            report.add(int(rows[i]), pair_name, "outside_city",
                       {"lon": float(lon[i]), "lat": float(lat[i]), "cities": cities,
                        "n_districts": len(boundaries)},
                       severity="warning", fix_code="check_coords_crs")
    ids = result["incident"]
    repeated = ids.duplicated(keep="first").to_numpy()
    if repeated.any():
        first = pd.Series(rows, index=ids.to_numpy()).groupby(level=0).first()
        for i in np.flatnonzero(repeated):
            ident = ids.iat[i]
            report.add(int(rows[i]), "incident", "duplicate_incident",
                       {"incident": str(ident), "first_row": int(first[ident])},
                       severity="warning", fix_code="unique_id")


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
