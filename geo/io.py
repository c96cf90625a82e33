"""File reading and writing: bytes in, raw table and problem report out; frames in, bytes out.

Reading
-------
:func:`read_table` turns an upload (CSV/TSV/TXT in UTF-8, UTF-8 with BOM, UTF-16 or GBK/GB18030,
or an Excel .xlsx/.xlsm workbook) into a :class:`RawTable` of raw cells with the row numbers a
person sees in the file. Whole-file problems (empty, binary, undecodable, wrong type, .xls)
go into a :class:`geo.validate.Report` as codes with parameters; nothing is raised for a bad
file. What the columns mean is the caller's business (``geo.incidents`` for incident points).

Writing
-------
:func:`to_csv_bytes`, :func:`to_xlsx_bytes`, :func:`to_geojson_bytes` and :func:`to_gpkg_bytes`
turn a (Geo)DataFrame into download bytes, always in WGS84 (EPSG:4326). In CSV and XLSX a point
geometry becomes ``lon``/``lat`` columns and any other geometry WKT in ``geometry_wkt``;
datetimes are ISO 8601 text; text a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError, ValidationError
from geo.validate import Report

#: File name extensions read as delimited text, and as Excel workbooks.
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
#: First bytes of a ZIP container (.xlsx) and of an OLE2 compound file (old .xls).
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Bytes that do not make a file non-empty: whitespace, NULs and a UTF-8 BOM.
_BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf"
_DELIMITERS = (",", "\t", ";", "|", "\uff0c")  # the last is the full-width comma "，"

#: A plain decimal number written as text ("120.3", "-5", "+1.2e3"); such text is never defused.
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Text starting with one of these is run as a formula by Excel, WPS or LibreOffice.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Control characters that an .xlsx cell cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_BAD_RE = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31  # Excel's limit on a sheet name, in characters


@dataclass
class RawTable:
    """Raw cells of one sheet (or one CSV file), before any column is interpreted.

    Attributes
    ----------
    header_row : int
        The file row number (1-based, as a spreadsheet shows it) of the header: the first row
        that is not blank.
    header : list of str
        The header cells as stripped text ("" for an empty header cell).
    rows : list of (int, list)
        ``(file row number, cells)`` for every data row below the header that is not blank.
        CSV cells are ``str``; Excel cells keep their type (numbers, dates, ``None``). A row may
        have fewer or more cells than the header.
    sheet : str or None
        The worksheet read, for a workbook; None for delimited text.
    """

    header_row: int
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    sheet: str | None = None


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def load_bytes(data: bytes | str | Path) -> bytes:
    """Return an upload's content as bytes.

    Parameters
    ----------
    data : bytes, str or Path
        ``bytes`` (e.g. a Streamlit upload) are the content. A ``Path`` is read. A ``str``
        containing a line break is CSV text (encoded UTF-8); a ``str`` without one is a path.

    Returns
    -------
    bytes

    Raises
    ------
    DataError
        If a path names no file.
    ValidationError
        If ``data`` is of another type.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str) and ("\n" in data or "\r" in data):
        return data.encode("utf-8")
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            msg = f"file not found: {str(path)!r}"
            raise DataError(msg)
        return path.read_bytes()
    msg = f"data must be bytes, str or Path, got {type(data).__name__}"
    raise ValidationError(msg)


def is_empty(value: Any) -> bool:
    """Return True for a cell with nothing in it: None, NaN or text of only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_blank(cells: list[Any]) -> bool:
    """Return True for a row whose every cell :func:`is_empty`."""
    return all(is_empty(c) for c in cells)


def _decode(raw: bytes) -> str | None:
    """Decode text bytes: UTF-16 (by BOM), UTF-8 with or without BOM, else GB18030 (⊃ GBK)."""
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


def _split_header(numbered: list[tuple[int, list[Any]]],
                  sheet: str | None = None) -> RawTable | None:
    """Take the first non-blank row as the header, drop blank rows; None when all are blank."""
    for i, (row_no, cells) in enumerate(numbered):
        if not is_blank(cells):
            header = ["" if c is None else str(c).strip() for c in cells]
            rows = [(n, c) for n, c in numbered[i + 1:] if not is_blank(c)]
            return RawTable(row_no, header, rows, sheet)
    return None


def _read_csv(raw: bytes, report: Report) -> RawTable | None:
    text = _decode(raw)
    if text is None:
        report.add(None, None, "bad_encoding", fix_code="save_csv_utf8_or_xlsx")
        return None
    if _looks_binary(text):
        report.add(None, None, "binary_file", fix_code="upload_csv_or_xlsx")
        return None
    delimiter = _pick_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = [(n, list(cells)) for n, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        report.add(None, None, "bad_csv", {"error": str(exc)})
        return None
    return _split_header(numbered)


def _read_xlsx(raw: bytes, report: Report,
               pick_sheet: Callable[[list[str]], bool] | None) -> RawTable | None:
    import openpyxl  # lazy: only needed for Excel uploads

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles/extensions in files written by other tools; harmless.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # any failure here means a corrupt or foreign upload
        report.add(None, None, "bad_xlsx", {"error_type": type(exc).__name__},
                   fix_code="save_xlsx_or_csv")
        return None
    try:
        tables: list[RawTable] = []
        for sheet in book.worksheets:
            numbered = [(n, list(cells)) for n, cells in
                        enumerate(sheet.iter_rows(values_only=True), start=1)]
            table = _split_header(numbered, sheet.title)
            if table is not None:
                tables.append(table)
    finally:
        book.close()
    if not tables:
        return None
    # Prefer the first sheet whose header the caller recognises, else the first non-empty one.
    chosen = tables[0]
    if pick_sheet is not None:
        chosen = next((t for t in tables if pick_sheet(t.header)), tables[0])
    if len(tables) > 1:
        others = ", ".join(repr(t.sheet) for t in tables if t is not chosen)
        report.add(None, None, "other_sheets_ignored", {"sheet": chosen.sheet, "others": others},
                   severity="warning")
    return chosen


def read_table(
    data: bytes | str | Path,
    filename: str,
    report: Report,
    *,
    pick_sheet: Callable[[list[str]], bool] | None = None,
) -> RawTable | None:
    """Read an uploaded table into raw cells; whole-file problems go into ``report``.

    The reader is chosen by the file name's extension (.csv/.txt/.tsv: delimited text, the
    delimiter sniffed from the first line among , TAB ; | and the full-width comma;
    .xlsx/.xlsm: Excel) and checked against the content: a workbook named .csv is read as a
    workbook (with a warning), an .xls (or an OLE2 file of any name) is refused.

    Parameters
    ----------
    data : bytes, str or Path
        The content, as for :func:`load_bytes`.
    filename : str
        The uploaded file's name (only its extension is used; may be empty for CSV text).
    report : Report
        Receives whole-file problems (``row`` None): ``empty_file``, ``bad_encoding``,
        ``binary_file``, ``bad_csv``, ``bad_xlsx``, ``xls_unsupported``, ``not_a_workbook``,
        ``unsupported_type`` (errors) and ``workbook_named_csv``, ``other_sheets_ignored``
        (warnings).
    pick_sheet : callable, optional
        ``pick_sheet(header) -> bool``; in a workbook with several non-empty sheets the first
        sheet whose header it accepts is read, else the first non-empty sheet.

    Returns
    -------
    RawTable or None
        None exactly when ``report`` got a whole-file error (the file gives no table at all).

    Raises
    ------
    DataError
        If ``data`` is a path that names no file.
    ValidationError
        If ``data`` has the wrong type.
    """
    raw = load_bytes(data)
    if not raw.strip(_BLANK_BYTES):
        report.add(None, None, "empty_file")
        return None
    table = _read_by_type(raw, filename, report, pick_sheet)
    if table is None and not report.fatal:
        report.add(None, None, "empty_file")
    return table


def _read_by_type(raw: bytes, filename: str, report: Report,
                  pick_sheet: Callable[[list[str]], bool] | None) -> RawTable | None:
    """Read the bytes as CSV or XLSX, chosen by extension and checked against the content."""
    ext = Path(str(filename or "")).suffix.lower()
    if ext == ".xls" or (ext not in XLSX_EXTENSIONS and raw.startswith(_OLE2_MAGIC)):
        report.add(None, None, "xls_unsupported", fix_code="save_xlsx_or_csv")
        return None
    if ext in XLSX_EXTENSIONS:
        if not raw.startswith(_ZIP_MAGIC):
            report.add(None, None, "not_a_workbook", {"ext": ext}, fix_code="rename_csv")
            return None
        return _read_xlsx(raw, report, pick_sheet)
    if ext and ext not in CSV_EXTENSIONS:
        report.add(None, None, "unsupported_type", {"ext": ext}, fix_code="upload_csv_or_xlsx")
        return None
    if raw.startswith(_ZIP_MAGIC):
        report.add(None, None, "workbook_named_csv", severity="warning")
        return _read_xlsx(raw, report, pick_sheet)
    return _read_csv(raw, report)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _defuse(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (=, +, -, @, TAB, CR) with "'".

    Text that is a plain number ("-120.5", "+3") is left alone: a spreadsheet reads it as that
    number, which runs nothing.
    """
    if (isinstance(value, str) and value.startswith(_FORMULA_PREFIXES)
            and not NUMBER_RE.fullmatch(value.strip())):
        return "'" + value
    return value


def _iso(value: Any) -> Any:
    """ISO 8601 text for a date or datetime (NaT -> None); anything else unchanged."""
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    return value


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326: no CRS is taken to be WGS84, any other CRS is reprojected."""
    if gdf.crs is None:
        return gdf.set_crs("EPSG:4326")
    if gdf.crs.to_epsg() != 4326:
        return gdf.to_crs("EPSG:4326")
    return gdf


def _as_geoframe(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame: a GeoDataFrame as is (reprojected), a DataFrame from lon/lat."""
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns:
        return _wgs84(df)
    if not {"lon", "lat"} <= set(df.columns):
        msg = f"need a GeoDataFrame or lon/lat columns, got columns {list(df.columns)}"
        raise ValidationError(msg)
    return gpd.GeoDataFrame(pd.DataFrame(df).copy(),
                            geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy without geometry, for tables: points as lon/lat, other shapes as geometry_wkt.

    Point geometry becomes ``lon``/``lat`` columns (WGS84) unless the frame has them already;
    any other geometry (lines, polygons, a mix) becomes WKT in ``geometry_wkt``. Dates and
    datetimes become ISO 8601 text.
    """
    if not isinstance(df, gpd.GeoDataFrame) or df.geometry.name not in df.columns:
        plain = pd.DataFrame(df).copy()
    else:
        frame = _wgs84(df)
        geoms = frame.geometry
        plain = pd.DataFrame(frame.drop(columns=geoms.name))
        non_empty = geoms[~(geoms.isna() | geoms.is_empty)]
        all_points = bool((non_empty.geom_type == "Point").all())
        if all_points and not {"lon", "lat"} <= set(plain.columns):
            plain["lon"] = [g.x if g is not None and not g.is_empty else np.nan for g in geoms]
            plain["lat"] = [g.y if g is not None and not g.is_empty else np.nan for g in geoms]
        elif not all_points:
            plain["geometry_wkt"] = geoms.to_wkt()
    for column in plain.columns:
        series = plain[column]
        if pd.api.types.is_datetime64_any_dtype(series) or series.dtype == object:
            plain[column] = series.map(_iso).astype(object)
    return plain


def _safe_text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`_plain_frame` with every text cell and column name defused for spreadsheets."""
    plain = _plain_frame(df)
    for column in plain.columns:
        if not pd.api.types.is_numeric_dtype(plain[column]):
            plain[column] = plain[column].map(_defuse, na_action="ignore")
    plain.columns = [_defuse(str(c)) for c in plain.columns]
    return plain


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Return a table as CSV bytes for download (UTF-8 with BOM, so Chinese Excel opens it).

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Any CRS; a GeoDataFrame's point geometry is written as WGS84 ``lon``/``lat`` columns
        unless they are already there, other geometries as WKT in ``geometry_wkt``.

    Returns
    -------
    bytes
        The CSV, rows ending in CRLF. Dates are ISO 8601. Text cells and column names
        starting with =, +, -, @, TAB or CR (that are not plain numbers) get a leading
        apostrophe, so a spreadsheet shows them instead of running them as formulas.
    """
    # CRLF rows (as Excel writes them) also make the writer quote a cell holding a lone CR.
    return _safe_text_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _xlsx_value(value: Any) -> Any:
    """A cell value openpyxl can write: numbers, booleans, text or None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    return _defuse(_XLSX_ILLEGAL_RE.sub("", str(value)))  # dropping a character may expose "="


def _sheet_title(name: str) -> str:
    title = _SHEET_NAME_BAD_RE.sub("_", str(name)).strip("'")[:_SHEET_NAME_MAX]
    return title or "Sheet1"


def to_xlsx_bytes(df: pd.DataFrame, *, sheet_name: str = "results") -> bytes:
    r"""Return a table as an Excel .xlsx workbook (one sheet) for download.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        As for :func:`to_csv_bytes`: WGS84 ``lon``/``lat`` for points, ``geometry_wkt`` for
        other geometries, ISO 8601 text for dates.
    sheet_name : str, default "results"
        The sheet's name; characters Excel forbids ([]:*?/\) become "_" and it is cut to 31.

    Returns
    -------
    bytes
        The workbook. Every text cell is stored as text (never as a formula), and text that a
        spreadsheet would run as a formula gets a leading apostrophe, as in the CSV. Missing
        values and NaN/infinity are empty cells; control characters Excel cannot hold are
        dropped.
    """
    from openpyxl import Workbook  # lazy: only needed for Excel downloads
    from openpyxl.cell import WriteOnlyCell

    plain = _safe_text_frame(df)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(sheet_name))

    def cells(values: list[Any]) -> list[Any]:
        out = []
        for value in values:
            value = _xlsx_value(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, whatever it starts with
                value = cell
            out.append(value)
        return out

    sheet.append(cells(list(plain.columns)))
    for row in plain.itertuples(index=False, name=None):
        sheet.append(cells(list(row)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def to_geojson_bytes(gdf: pd.DataFrame) -> bytes:
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

    Raises
    ------
    ValidationError
        If ``gdf`` is a plain DataFrame without ``lon`` and ``lat`` columns.
    """
    frame = _as_geoframe(gdf).copy()
    for column in frame.columns:
        if column != frame.geometry.name and pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: v.isoformat(), na_action="ignore")
    return frame.to_json(ensure_ascii=False, default=_json_default, drop_id=True).encode("utf-8")


def to_gpkg_bytes(gdf: pd.DataFrame, *, layer: str = "results") -> bytes:
    """Return a GeoDataFrame (or a DataFrame with lon/lat) as a GeoPackage file, in WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame or DataFrame
        As for :func:`to_geojson_bytes`. Text columns holding other objects (dates in a text
        column, lists, ...) are written as text; dates as ISO 8601.
    layer : str, default "results"
        The layer's name inside the GeoPackage.

    Returns
    -------
    bytes
        The .gpkg file (SQLite), one layer in EPSG:4326, written by pyogrio; QGIS opens it.

    Raises
    ------
    ValidationError
        If ``gdf`` is a plain DataFrame without ``lon`` and ``lat`` columns.
    """
    frame = _as_geoframe(gdf).copy()
    geometry = frame.geometry.name
    for column in frame.columns:
        if column != geometry and frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda v: None if is_empty(v) or v is pd.NA or v is pd.NaT else str(_iso(v)))
    with tempfile.TemporaryDirectory(prefix="rcd-gpkg-") as tmp:
        path = Path(tmp) / "export.gpkg"
        frame.to_file(path, driver="GPKG", layer=str(layer) or "results", engine="pyogrio")
        return path.read_bytes()
