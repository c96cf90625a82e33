"""Batch incident upload: read a dispatcher's CSV/XLSX points, report bad rows, keep good ones."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import in_china, to_wgs84
from geo.errors import DataError, ValidationError
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

#: Per-row CRS values, compared after :func:`_norm_crs_key`, to the names geo.crs understands.
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
_MERCATOR_KEYS = frozenset({"bd09mc", "baidumercator", "百度墨卡托"})
_ACCEPTED_CRS_TEXT = "WGS84/GPS, GCJ-02/高德/腾讯, BD-09/百度, CGCS2000/天地图"

_CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", "\t", ";", "|", "\uff0c")  # the last is the full-width comma "，"
_RESERVED = frozenset(OUTPUT_COLUMNS) | {"geometry"}

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d+,\d+")
_PAIR_RE = re.compile(r"[+-]?\d+(?:\.\d+)?\s*[,;\uff0c]\s*[+-]?\d+(?:\.\d+)?")
_BRACKETED_RE = re.compile(r"[(\[\uff08\u3010].*?[)\]\uff09\u3011]")  # also full-width
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})
_CSV_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_ROLE_WORDS = {"lon": "longitude", "lat": "latitude"}
_RANGES = {"lon": 180.0, "lat": 90.0}


@dataclass
class _Table:
    """Raw cells of one sheet: header cells, then (file row number, cells) for each data row."""

    header_row: int
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading bytes into a raw table
# --------------------------------------------------------------------------------------------


def _load_bytes(data: bytes | str | Path) -> bytes:
    """Return the file content as bytes.

    ``bytes`` are the content. A ``Path`` is read. A ``str`` containing a line break is CSV text;
    a ``str`` without one is a path.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str) and ("\n" in data or "\r" in data):
        return data.encode("utf-8")
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            msg = f"incident file not found: {str(path)!r}"
            raise DataError(msg)
        return path.read_bytes()
    msg = f"data must be bytes, str or Path, got {type(data).__name__}"
    raise ValidationError(msg)


def _decode(raw: bytes) -> str | None:
    """Decode CSV bytes: UTF-16 (by BOM), UTF-8 with or without BOM, else GB18030 (⊃ GBK)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_binary(text: str) -> bool:
    """Return True for text that is really binary (NULs or many control characters)."""
    if "\x00" in text:
        return True
    sample = text[:20_000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def _pick_delimiter(text: str) -> str:
    """Return the delimiter seen most often in the first non-blank line (default ",")."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _split_header(numbered: list[tuple[int, list[Any]]]) -> _Table | None:
    """Take the first non-blank row as the header; None when every row is blank."""
    for i, (row_no, cells) in enumerate(numbered):
        if not _blank(cells):
            header = ["" if c is None else str(c).strip() for c in cells]
            return _Table(row_no, header, numbered[i + 1:])
    return None


def _read_csv(raw: bytes, report: Report) -> _Table | None:
    text = _decode(raw)
    if text is None:
        report.add(None, None, "cannot read the file as text (it is neither UTF-8 nor GBK): "
                   "save it from Excel as 'CSV UTF-8' or as .xlsx",
                   fix="save as CSV UTF-8 or .xlsx", code="bad_encoding", params={},
                   fix_code="save_csv_utf8_or_xlsx")
        return None
    if _looks_binary(text):
        report.add(None, None, "this is not a CSV table (the file contains binary data): "
                   "upload a .csv or .xlsx file", fix="upload a .csv or .xlsx file",
                   code="binary_file", params={}, fix_code="upload_csv_or_xlsx")
        return None
    delimiter = _pick_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = [(n, list(cells)) for n, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        report.add(None, None, f"this is not a readable CSV table: {exc}", code="bad_csv",
                   params={"error": str(exc)})
        return None
    return _split_header(numbered)


def _read_xlsx(raw: bytes, report: Report) -> _Table | None:
    import openpyxl  # lazy: only needed for Excel uploads

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles/extensions in files written by other tools; harmless.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # any failure here means a corrupt or foreign upload
        report.add(None, None, "cannot open the file as an Excel .xlsx workbook "
                   f"({type(exc).__name__}): save it again as .xlsx or .csv",
                   fix="save as .xlsx or .csv", code="bad_xlsx",
                   params={"error_type": type(exc).__name__}, fix_code="save_xlsx_or_csv")
        return None
    try:
        tables: list[tuple[str, _Table]] = []
        for sheet in book.worksheets:
            numbered = [(n, list(cells)) for n, cells in
                        enumerate(sheet.iter_rows(values_only=True), start=1)]
            table = _split_header(numbered)
            if table is not None:
                tables.append((sheet.title, table))
    finally:
        book.close()
    if not tables:
        return None
    # Prefer the first sheet whose header has both coordinates, else the first non-empty one.
    chosen = next((t for t in tables if {"lon", "lat"} <= set(_roles(t[1].header).values())),
                  tables[0])
    if len(tables) > 1:
        others = ", ".join(repr(name) for name, _ in tables if name != chosen[0])
        report.add(None, None, f"read sheet {chosen[0]!r}; other sheets ignored: {others}",
                   severity="warning", code="other_sheets_ignored",
                   params={"sheet": chosen[0], "others": others})
    return chosen[1]


def _read_table(raw: bytes, filename: str, report: Report) -> _Table | None:
    """Read the bytes as CSV or XLSX, chosen by extension and checked against the content."""
    ext = Path(str(filename or "")).suffix.lower()
    if ext == ".xls" or (ext not in _XLSX_EXTENSIONS and raw.startswith(_OLE2_MAGIC)):
        report.add(None, None, "old Excel .xls files are not supported: open it in Excel or WPS "
                   "and save it as .xlsx or as CSV UTF-8", fix="save as .xlsx or .csv",
                   code="xls_unsupported", params={}, fix_code="save_xlsx_or_csv")
        return None
    if ext in _XLSX_EXTENSIONS:
        if not raw.startswith(_ZIP_MAGIC):
            report.add(None, None, f"the file is named {ext} but is not an Excel workbook; if it "
                       "is a CSV table, rename it to .csv", fix="rename to .csv",
                       code="not_a_workbook", params={"ext": ext}, fix_code="rename_csv")
            return None
        return _read_xlsx(raw, report)
    if ext and ext not in _CSV_EXTENSIONS:
        report.add(None, None, f"unsupported file type {ext!r}: upload a .csv or .xlsx file",
                   fix="upload a .csv or .xlsx file", code="unsupported_type",
                   params={"ext": ext}, fix_code="upload_csv_or_xlsx")
        return None
    if raw.startswith(_ZIP_MAGIC):
        report.add(None, None, "the file is an Excel workbook with a CSV name; read it as .xlsx",
                   severity="warning", code="workbook_named_csv", params={})
        return _read_xlsx(raw, report)
    return _read_csv(raw, report)


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


def _blank(cells: list[Any]) -> bool:
    return all(_is_empty(c) for c in cells)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _norm_crs_key(value: str) -> str:
    """Lower-case a CRS label and drop spaces, "-", "_", ":" and "." (GCJ-02 -> gcj02)."""
    key = unicodedata.normalize("NFKC", value).strip().lower()
    return re.sub(r"[\s\-_:.]+", "", key)


def canonical_crs(value: str) -> str | None:
    """Return the geo.crs name ("wgs84", "gcj02", "bd09", "cgcs2000") for a CRS label, or None.

    Labels are matched case-insensitively, ignoring spaces, "-", "_" and a trailing
    坐标系/坐标/地图, so "GCJ-02", "高德", "高德地图", "腾讯坐标", "BD-09", "百度", "GPS",
    "EPSG:4326" and "CGCS2000" are all understood.
    """
    key = _norm_crs_key(str(value))
    for _ in range(3):  # 高德地图坐标 -> 高德地图 -> 高德, but 天地图 matches before stripping
        if key in CRS_ALIASES:
            return CRS_ALIASES[key]
        key = re.sub(r"(坐标系|坐标|地图|经纬度)$", "", key)
    return None


#: A problem found in one cell: (code, params, English message); see geo.validate.Problem.
_Issue = tuple[str, dict[str, Any], str]


def _issue(code: str, template: str, **params: Any) -> _Issue:
    return code, params, template.format(**params)


def _parse_number(value: Any) -> tuple[float | None, _Issue | None, _Issue | None]:
    """Parse one coordinate cell: (number, error, warning); error and warning are _Issue or None.

    Accepted: numbers from Excel; text with surrounding spaces, full-width digits and point
    (full-width digits), a unicode minus, a trailing degree sign, or one decimal comma ("120,3",
    read as 120.3 with a warning). Rejected: empty cells, other text, NaN/infinity, booleans, dates.
    """
    if _is_empty(value):
        return None, _issue("empty_cell", "empty cell: a number is required"), None
    if isinstance(value, (bool, datetime, date)):
        return None, _issue("not_a_number", "'{value}' is not a number", value=str(value)), None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not np.isfinite(number):
            return None, _issue("not_finite", "{value!r} is not a finite number",
                                value=number), None
        return number, None, None
    raw = str(value)
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS).strip()
    text = text.removesuffix("°").strip()
    if _NUMBER_RE.fullmatch(text):
        return float(text), None, None
    if _DECIMAL_COMMA_RE.fullmatch(text):
        number = float(text.replace(",", "."))
        return number, None, _issue("decimal_comma", "decimal comma in '{value}' read as "
                                    "{number!r}", value=raw, number=number)
    if _PAIR_RE.fullmatch(text):
        return None, _issue("two_numbers", "'{value}' holds two numbers; put longitude and "
                            "latitude in separate columns", value=raw), None
    return None, _issue("not_a_number", "'{value}' is not a number", value=raw), None


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


def _place_label(boundaries: gpd.GeoDataFrame) -> str:
    names = [c.title() for c in _cities(boundaries)]
    return "/".join(names) if names else "the given boundaries"


def _outside(lon: np.ndarray, lat: np.ndarray, boundaries: gpd.GeoDataFrame) -> np.ndarray:
    """Boolean array: True where a WGS84 point lies in no boundary polygon (edges count inside)."""
    bounds = boundaries
    if bounds.crs is not None and bounds.crs.is_projected:
        bounds = bounds.to_crs("EPSG:4326")
    points = gpd.points_from_xy(lon, lat)
    hits, _ = bounds.sindex.query(np.asarray(points), predicate="intersects")
    outside = np.ones(len(lon), dtype=bool)
    outside[np.unique(hits)] = False
    return outside


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
    raw = _load_bytes(data)
    report = Report()
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.add(None, None, "the file has no rows (it is empty)", code="empty_file",
                   params={})
        return _empty_result(), report
    table = _read_table(raw, filename, report)
    if report.fatal:
        return _empty_result(), report
    if table is None:
        report.add(None, None, "the file has no rows (it is empty)", code="empty_file",
                   params={})
        return _empty_result(), report

    header = table.header
    roles = _roles(header)
    role_pos = {role: pos for pos, role in roles.items()}
    missing = [role for role in ("lon", "lat") if role not in role_pos]
    columns = [h for h in header if h]
    found_text = ", ".join(repr(h) for h in columns) or "none"
    for role in missing:
        aliases = "/".join(HEADER_ALIASES[role])
        report.add(None, role, f"missing the {_ROLE_WORDS[role]} column '{role}' (any of "
                   f"{aliases}); columns found: {found_text}", fix=f"add a column named '{role}'",
                   code="missing_column", params={"role": role, "aliases": aliases,
                                                  "columns": columns},
                   fix_code="add_column")
    extra_pos = [pos for pos in range(len(header)) if pos not in roles]
    extra_names = _dedupe([header[pos] for pos in extra_pos])
    if missing:
        return _empty_result(), report

    data_rows = [(n, cells) for n, cells in table.rows if not _blank(cells)]
    report.n_rows = len(data_rows)
    if not data_rows:
        report.add(None, None, "the file has no rows (only a header)", code="header_only",
                   params={})
        return _empty_result(extra_names), report

    col_name = {role: header[pos] for role, pos in role_pos.items()}
    pair_name = f"{col_name['lon']}/{col_name['lat']}"
    good: list[dict[str, Any]] = []
    for row_no, cells in data_rows:
        n_before = len(report.problems)
        surplus = [c for c in cells[len(header):] if not _is_empty(c)]
        if surplus:
            n_cells, n_header = len(header) + len(surplus), len(header)
            report.add(row_no, None, f"the row has {n_cells} or more cells but the header has "
                       f"{n_header}: a value probably holds an unquoted comma (e.g. a decimal "
                       "comma 120,3)", fix="quote the value or use a decimal point",
                       code="too_many_cells", params={"n_cells": n_cells, "n_header": n_header},
                       fix_code="quote_or_decimal_point")
        padded = list(cells) + [None] * (len(header) - len(cells))
        values: dict[str, float | None] = {}
        for role in ("lon", "lat"):
            number, error, warning = _parse_number(padded[role_pos[role]])
            for issue, severity in ((error, "error"), (warning, "warning")):
                if issue is not None:
                    code, params, message = issue
                    report.add(row_no, col_name[role], message, severity=severity, code=code,
                               params={"role": role, **params})
            values[role] = number
        source = source_default
        if "crs" in role_pos and not _is_empty(padded[role_pos["crs"]]):
            label = str(padded[role_pos["crs"]]).strip()
            source = canonical_crs(label)
            if source is None:
                if _norm_crs_key(label) in _MERCATOR_KEYS:
                    code, params = "baidu_mercator", {"value": label}
                    text = (f"'{label}' (Baidu Mercator, metres) is not supported: export "
                            "BD-09 longitude/latitude instead")
                else:
                    code, params = "unknown_crs", {"value": label, "accepted": _ACCEPTED_CRS_TEXT}
                    text = f"unknown coordinate system '{label}'; use {_ACCEPTED_CRS_TEXT}"
                report.add(row_no, col_name["crs"], text, fix="use WGS84, GCJ-02 or BD-09",
                           code=code, params=params, fix_code="use_known_crs")
        lon, lat = values["lon"], values["lat"]
        if lon is not None and lat is not None:
            if not in_china(lon, lat) and in_china(lat, lon):
                if fix_swapped:
                    lon, lat = lat, lon
                    report.add(row_no, pair_name, f"longitude and latitude were swapped; read as "
                               f"lon={lon!r}, lat={lat!r}", severity="warning",
                               fix="swap lon and lat", code="swapped_fixed",
                               params={"lon": lon, "lat": lat}, fix_code="swap_lonlat")
                else:
                    report.add(row_no, pair_name, f"longitude {lon!r} and latitude {lat!r} look "
                               "swapped (swapped, the point is in China)", fix="swap lon and lat",
                               code="swapped_lonlat", params={"lon": lon, "lat": lat},
                               fix_code="swap_lonlat")
            else:
                for role, number in (("lon", lon), ("lat", lat)):
                    limit = _RANGES[role]
                    if not -limit <= number <= limit:
                        report.add(row_no, col_name[role], f"{_ROLE_WORDS[role]} {number!r} is "
                                   f"out of range [-{limit:g}, {limit:g}]", code="out_of_range",
                                   params={"role": role, "value": number, "limit": limit})
        if any(p.severity == "error" for p in report.problems[n_before:]):
            continue
        ident = padded[role_pos["incident"]] if "incident" in role_pos else None
        record: dict[str, Any] = {
            "incident": f"row {row_no}" if _is_empty(ident) else _ident_text(ident),
            "row": row_no, "lon": lon, "lat": lat, "source_crs": source,
        }
        for name, pos in zip(extra_names, extra_pos, strict=True):
            value = padded[pos]
            record[name] = None if _is_empty(value) else value
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
        label = _place_label(boundaries)
        cities = _cities(boundaries)
        for i in np.flatnonzero(_outside(lon, lat, boundaries)):
            report.add(int(rows[i]), pair_name, f"({lon[i]:.5f}, {lat[i]:.5f}) is outside "
                       f"{label}: it is in none of the {len(boundaries)} districts",
                       severity="warning", fix="check the coordinates and their CRS",
                       code="outside_city", params={
                           "lon": float(lon[i]), "lat": float(lat[i]), "place": label,
                           "cities": cities, "n_districts": len(boundaries)},
                       fix_code="check_coords_crs")
    else:
        for i in np.flatnonzero(~in_china(lon, lat)):
            report.add(int(rows[i]), pair_name, f"({lon[i]:.5f}, {lat[i]:.5f}) is outside China",
                       severity="warning", fix="check the coordinates", code="outside_china",
                       params={"lon": float(lon[i]), "lat": float(lat[i])},
                       fix_code="check_coords")
    first_row: dict[str, int] = {}
    for ident, row_no in zip(result["incident"], rows, strict=True):
        if ident in first_row:
            report.add(int(row_no), "incident", f"incident '{ident}' is also on row "
                       f"{first_row[ident]}", severity="warning",
                       fix="give each incident its own id", code="duplicate_incident",
                       params={"incident": str(ident), "first_row": first_row[ident]},
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


def _defuse(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (=, +, -, @) with an apostrophe."""
    if (isinstance(value, str) and value.startswith(_CSV_INJECTION_PREFIXES)
            and not _NUMBER_RE.fullmatch(value.strip())):
        return "'" + value
    return value


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a DataFrame without geometry: points as lon/lat, other shapes as geometry_wkt."""
    if not isinstance(df, gpd.GeoDataFrame) or df.geometry.name not in df.columns:
        return pd.DataFrame(df).copy()
    frame = df
    if frame.crs is not None and not frame.crs.is_geographic:
        frame = frame.to_crs("EPSG:4326")
    geoms = frame.geometry
    plain = pd.DataFrame(frame.drop(columns=geoms.name))
    non_empty = geoms[~(geoms.isna() | geoms.is_empty)]
    all_points = bool((non_empty.geom_type == "Point").all())
    if all_points and not {"lon", "lat"} <= set(plain.columns):
        plain["lon"] = [g.x if g is not None and not g.is_empty else np.nan for g in geoms]
        plain["lat"] = [g.y if g is not None and not g.is_empty else np.nan for g in geoms]
    elif not all_points:
        plain["geometry_wkt"] = geoms.to_wkt()
    return plain


def results_to_csv(df: pd.DataFrame) -> bytes:
    """Return a table as CSV bytes for download (UTF-8 with BOM, so Chinese Excel opens it).

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        A GeoDataFrame's point geometry is written as ``lon``/``lat`` columns (WGS84) unless
        they are already there; other geometries are written as WKT in ``geometry_wkt``.

    Returns
    -------
    bytes
        The CSV. Text cells starting with =, +, - or @ (that are not numbers) get a leading
        apostrophe so a spreadsheet shows them instead of running them as formulas.
    """
    plain = _plain_frame(df)
    for column in plain.columns:
        if not (pd.api.types.is_numeric_dtype(plain[column])
                or pd.api.types.is_datetime64_any_dtype(plain[column])):
            plain[column] = plain[column].map(_defuse, na_action="ignore")
    return plain.to_csv(index=False).encode("utf-8-sig")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    return str(value)


def results_to_geojson(gdf: pd.DataFrame) -> bytes:
    """Return a GeoDataFrame (or a DataFrame with lon/lat) as UTF-8 GeoJSON bytes in WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame or DataFrame
        A plain DataFrame needs WGS84 ``lon`` and ``lat`` columns. A GeoDataFrame without a CRS
        is taken to be WGS84; any other CRS is reprojected to EPSG:4326.

    Returns
    -------
    bytes
        A GeoJSON FeatureCollection; Chinese text is kept readable (not escaped) and dates
        are ISO 8601 strings.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        if not {"lon", "lat"} <= set(gdf.columns):
            msg = f"need a GeoDataFrame or lon/lat columns, got columns {list(gdf.columns)}"
            raise ValidationError(msg)
        gdf = gpd.GeoDataFrame(gdf.copy(), geometry=gpd.points_from_xy(gdf["lon"], gdf["lat"]),
                               crs="EPSG:4326")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    frame = gdf.copy()
    for column in frame.columns:
        if column != frame.geometry.name and pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: v.isoformat(), na_action="ignore")
    return frame.to_json(ensure_ascii=False, default=_json_default, drop_id=True).encode("utf-8")
