"""File reading and writing: bytes in, raw table and problem report out; frames in, bytes out.

Reading
-------
:func:`read_table` turns an upload into a :class:`RawTable` of raw cells, with the row numbers
a person sees in the file. It reads what partners' systems export:

- delimited text (.csv, .tsv, .txt) in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
  text") or GBK/GB18030, separated by comma, TAB, semicolon, bar or the full-width comma;
- workbooks: .xlsx/.xlsm, old .xls and .ods, all through calamine;
- title lines above the header, a two-row (merged) header, a cover sheet before the data.

It finds the sheet and the header row (the caller says what a good header looks like), reports
what it chose, and lets the caller force both. It never loses a row silently: an unterminated
quote, a cell longer than Excel's 32,767 characters or a line with undecodable bytes is a row
error, and the rows around it are read. Whole-file problems (too large, empty, binary,
undecodable, wrong type, corrupt workbook) go into a :class:`geo.validate.Report` as codes with
parameters; nothing is raised for a bad file. What the columns mean is the caller's business
(``geo.incidents`` for incident points).

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
import gc
import io
import itertools
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError, ValidationError
from geo.validate import Report

#: File name extensions read as delimited text, and as workbooks.
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
WORKBOOK_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
#: Every extension an upload may have (for the upload widget and the advice).
TABLE_EXTENSIONS: tuple[str, ...] = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
#: Excel's limit on one cell, in characters; a longer cell makes its row an error.
MAX_CELL_CHARS = 32_767
#: How many non-blank rows at the top of a sheet may hold the header (title lines above it).
HEADER_SEARCH_ROWS = 30
#: First bytes of a ZIP container (.xlsx, .ods) and of an OLE2 compound file (old .xls).
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Bytes that do not make a file non-empty: whitespace, NULs and a UTF-8 BOM.
_BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf"
_DELIMITERS = (",", "\t", ";", "|", "\uff0c")  # the last is the full-width comma "，"
#: Share of undecodable characters above which a text file is refused as a whole.
_BAD_TEXT_SHARE = 0.01

#: A plain decimal number written as text ("120.3", "-5", "+1.2e3"); such text is never defused.
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Text starting with one of these is run as a formula by Excel, WPS or LibreOffice.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Control characters that an .xlsx cell cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_BAD_RE = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31  # Excel's limit on a sheet name, in characters
#: GeoPackage version written: 1.2 is read without a warning by QGIS 3 and GDAL >= 2.2.
GPKG_VERSION = "1.2"

#: ``score(header_cells) -> float``: how much a row looks like the header the caller wants
#: (0 for not at all). Used to find the header row and the data sheet.
HeaderScore = Callable[[list[str]], float]

# One cell may be as long as a whole upload; the reader itself reports cells over the limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class RawTable:
    """Raw cells of one sheet (or one text file), before any column is interpreted.

    Attributes
    ----------
    header_row : int
        The file row number (1-based, as a spreadsheet or text editor shows it) of the header;
        for a two-row header, its lower row.
    header : list of str
        The header cells as stripped text ("" for an empty header cell); a two-row header is
        merged (the lower cell where it has text, else the upper one).
    rows : list of list
        The cells of every data row below the header that is not blank and was read. Text
        cells are ``str``; workbook cells keep their type (numbers, dates, ``""`` when empty).
        A row may have fewer or more cells than the header.
    row_numbers : list of int
        The file row number of each row of ``rows``.
    sheet : str or None
        The worksheet read, for a workbook; None for delimited text.
    sheets : list of str
        Every worksheet of the workbook (empty for delimited text), for a sheet picker.
    n_dropped : int
        Data rows the reader itself refused (each has a row error in the report).
    header_guess : int
        The header row the reader found on its own (equal to ``header_row`` unless forced).
    """

    header_row: int
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    n_dropped: int = 0
    header_guess: int = 0

    def column(self, pos: int) -> np.ndarray:
        """The cells at position ``pos`` of every row, as an object array (None when short)."""
        columns = self.__dict__.get("_columns")
        if columns is None or columns[0] != len(self.rows):
            # One transposition for all columns (C speed), redone if rows were changed.
            columns = (len(self.rows), list(itertools.zip_longest(*self.rows)))
            self.__dict__["_columns"] = columns
        cells = columns[1]
        out = np.empty(len(self.rows), dtype=object)
        if pos < len(cells):
            out[:] = cells[pos]
        return out

    def widths(self) -> np.ndarray:
        """How many cells each row has, trailing empty cells included."""
        return np.fromiter(map(len, self.rows), dtype=np.int64, count=len(self.rows))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a table's many small objects are made.

    Cells, rows and problems hold no reference cycles, so nothing is left uncollected; without
    the pause the collector rescans the growing rows again and again, which took 5 of the 8.7 s
    of reading a million rows. The previous state is restored, also when nested.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def _cell_text(value: Any) -> str:
    """A header cell as stripped text (Excel's 2024.0 as "2024", empty as "")."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- text files ----------------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str] | None:
    """Decode text bytes; return (text, encoding), or None when no encoding fits.

    UTF-16 is told by its BOM. Otherwise UTF-8 (BOM or not) and GB18030 (a superset of GBK)
    are tried strictly; if neither decodes every byte, the one with the fewest undecodable
    characters is used with U+FFFD in their place (the caller makes those lines row errors),
    unless more than 1 % of the text is undecodable.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="replace")
        return (text, "utf-16") if text.count("\ufffd") <= len(text) * _BAD_TEXT_SHARE else None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    candidates = [(raw.decode(enc, errors="replace"), enc) for enc in ("utf-8-sig", "gb18030")]
    text, encoding = min(candidates, key=lambda c: c[0].count("\ufffd"))
    if text.count("\ufffd") > max(1, len(text) * _BAD_TEXT_SHARE):
        return None
    return text, encoding


def _looks_binary(text: str) -> bool:
    """Return True for text that is really binary (NULs or many control characters)."""
    sample = text[:20_000]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def _pick_delimiter(lines: list[str]) -> str:
    """Return the delimiter whose count is the same on most of the first non-blank lines.

    A title line above the header has no delimiter at all, so the first line alone cannot
    tell; the delimiter that splits the most lines into the same number of cells wins (ties in
    the order comma, TAB, semicolon, bar, full-width comma).
    """
    sample = [line for line in itertools.islice((ln for ln in lines if ln.strip()), 50)]
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) for line in sample]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        mode = max(set(positive), key=positive.count)
        score = sum(1 for c in counts if c == mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_records(lines: list[str], start: int, delimiter: str
                   ) -> tuple[list[int], list[int], list[list[str]]]:
    """Parse CSV records from line index ``start``: their first lines, ends and cells.

    ``lines`` come from universal-newline splitting, so no line holds a bare line break and
    the csv module (non-strict, field limit raised) has nothing left to refuse.
    """
    if start == 0:
        # Fast path: when every line is one record (no quoted line breaks), the csv module
        # runs in C from end to end and line numbers are the record positions.
        records = list(csv.reader(lines, delimiter=delimiter))
        if len(records) == len(lines):
            return list(range(len(lines))), list(range(1, len(lines) + 1)), records
    starts: list[int] = []
    ends: list[int] = []
    records = []
    reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter)
    prev = 0
    for cells in reader:
        line_num = reader.line_num
        starts.append(start + prev)
        ends.append(start + line_num)
        records.append(cells)
        prev = line_num
    return starts, ends, records


def _runaway(cells: list[str], n_lines: int, width: int, delimiter: str) -> bool:
    """True when a record spanning ``n_lines`` lines is really a quote that never closed.

    A real cell with line breaks (a note typed with Alt+Enter) leaves the record with the
    header's number of cells and no embedded line that looks like a row of its own.
    """
    if n_lines <= 1:
        return False
    if width and len(cells) != width:
        return True
    for cell in cells:
        if "\n" in cell or "\r" in cell:
            inner = cell.splitlines()[1:]
            if any(width > 1 and line.count(delimiter) >= width - 1 for line in inner):
                return True
    return False


def _text_rows(text: str, report: Report, score: HeaderScore | None,
               header_row: int | None) -> RawTable | None:
    """Split decoded text into rows, recovering from broken quotes, and find the header."""
    lines = io.StringIO(text, newline="").readlines()
    delimiter = _pick_delimiter(lines[:200])
    starts, ends, records = _parse_records(lines, 0, delimiter)
    numbered = [(s + 1, c) for s, c in zip(starts[:HEADER_SEARCH_ROWS * 4],
                                           records[:HEADER_SEARCH_ROWS * 4], strict=True)]
    head = _find_header(numbered, score, header_row, report)
    if head is None:
        return None
    header_row_no, header, guess = head
    width = len(header)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    n_dropped = 0
    bad_line = "\ufffd" in text
    long_lines = max(map(len, lines), default=0) > MAX_CELL_CHARS
    while True:
        restart = None
        for s, e, cells in zip(starts, ends, records, strict=True):
            line_no = s + 1
            if line_no <= header_row_no:
                continue
            if not "".join(cells).strip():
                continue  # a blank line
            if e - s > 1 and _runaway(cells, e - s, width, delimiter):
                report.add(line_no, None, "broken_quote", {"line": line_no},
                           fix_code="close_quote")
                n_dropped += 1
                restart = s + 1
                break
            if long_lines:
                longest = max(map(len, cells), default=0)
                if longest > MAX_CELL_CHARS:
                    report.add(line_no, None, "cell_too_long",
                               {"n_chars": longest, "limit": MAX_CELL_CHARS},
                               fix_code="shorten_cell")
                    n_dropped += 1
                    continue
            if bad_line and any("\ufffd" in c for c in cells):
                report.add(line_no, None, "bad_bytes", {"line": line_no},
                           fix_code="save_csv_utf8_or_xlsx")
                n_dropped += 1
                continue
            rows.append(cells)
            row_numbers.append(line_no)
        if restart is None or restart >= len(lines):
            break
        starts, ends, records = _parse_records(lines, restart, delimiter)
    return RawTable(header_row_no, header, rows, row_numbers, None, [], n_dropped, guess)


#: First bytes of files people upload by mistake: images, PDF, RAR/7z/gzip archives (none of
#: them can start a text table; a BMP's "BM" could, so it is left to the NUL check).
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF89a", b"GIF87a", b"%PDF-", b"Rar!\x1a",
                 b"7z\xbc\xaf", b"\x1f\x8b\x08")


def _read_text(raw: bytes, report: Report, score: HeaderScore | None,
               header_row: int | None) -> RawTable | None:
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if raw.startswith(_BINARY_MAGIC) or (not utf16 and b"\x00" in raw[:4096].strip(b"\x00")):
        report.add(None, None, "binary_file", fix_code="upload_table")
        return None
    decoded = _decode(raw)
    if decoded is None:
        report.add(None, None, "bad_encoding", fix_code="save_csv_utf8_or_xlsx")
        return None
    text, _ = decoded
    if _looks_binary(text):
        report.add(None, None, "binary_file", fix_code="upload_table")
        return None
    return _text_rows(text, report, score, header_row)


# ---- header detection ----------------------------------------------------------------------


def _header_like(cells: list[Any]) -> bool:
    """True for a row of short text labels only (no numbers, no dates): a header row part."""
    texts = [c for c in cells if not is_empty(c)]
    if not texts:
        return False
    for cell in texts:
        if not isinstance(cell, str) or len(cell) > 60:
            return False
        if NUMBER_RE.fullmatch(unicodedata.normalize("NFKC", cell).strip()):
            return False
    return True


def _merge_header(upper: list[str], lower: list[str]) -> list[str]:
    """A two-row header as one: the lower cell where it has text, else the upper one."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    return [lo or up for up, lo in zip(upper, lower, strict=True)]


def _filled(cells: list[Any]) -> int:
    return sum(1 for c in cells if not is_empty(c))


def _find_header(numbered: list[tuple[int, list[Any]]], score: HeaderScore | None,
                 forced: int | None, report: Report) -> tuple[int, list[str], int] | None:
    """Find the header among the first non-blank rows: (row number, header cells, guess).

    With ``score``, the row that scores highest wins (the earliest on a tie), merged with the
    row below (or above) when the two together make a two-row header that scores at least as
    well. Without a score, or when no row scores, the first row with at least half as many
    filled cells as the widest of the first rows wins (a title line has one). ``forced`` (a
    file row number) overrides the guess.
    """
    top = [(n, c) for n, c in numbered if not is_blank(c)][:HEADER_SEARCH_ROWS]
    if not top:
        return None
    texts = [[_cell_text(c) for c in cells] for _, cells in top]
    guess_i = _guess_header(top, texts, score)
    guess_no = top[guess_i][0]
    header = texts[guess_i]
    header_no = guess_no
    first_no = top[0][0]
    if score is not None:
        header, header_no, first_header = _two_row_header(top, texts, guess_i, score)
        guess_no = header_no
        if first_header == top[0][0]:
            first_no = header_no  # a two-row header from the top: no title lines skipped
    if forced is not None:
        match = [i for i, (n, _) in enumerate(numbered) if n == forced]
        if not match:
            last = numbered[-1][0] if numbered else 0
            report.add(None, None, "bad_header_row", {"row": forced, "last": last})
            return None
        header = [_cell_text(c) for c in numbered[match[0]][1]]
        header_no = forced
    elif header_no != first_no:
        report.add(None, None, "header_row_found",
                   {"row": header_no, "first": top[0][0], "columns": [h for h in header if h]},
                   severity="warning")
    return header_no, header, guess_no


def _guess_header(top: list[tuple[int, list[Any]]], texts: list[list[str]],
                  score: HeaderScore | None) -> int:
    if score is not None:
        scores = [score(t) if _header_like(c) else 0.0 for t, (_, c) in zip(texts, top,
                                                                               strict=True)]
        best = max(range(len(top)), key=lambda i: (scores[i], -i))
        if scores[best] > 0:
            return best
    widest = max(_filled(c) for _, c in top)
    return next(i for i, (_, c) in enumerate(top) if _filled(c) >= max(2, widest / 2)
                or _filled(c) == widest)


def _two_row_header(top: list[tuple[int, list[Any]]], texts: list[list[str]], i: int,
                    score: HeaderScore) -> tuple[list[str], int, int]:
    """The header at ``top[i]``, merged with an adjacent header-like row where that helps.

    Returns the header cells, the row number of its lower row and that of its upper row.
    """
    header, header_no = texts[i], top[i][0]
    best = score(header)
    below = i + 1 < len(top) and top[i + 1][0] == header_no + 1 and _header_like(top[i + 1][1])
    if below:
        merged = _merge_header(header, texts[i + 1])
        if score(merged) >= best and _filled(top[i + 1][1]) < _filled(top[i][1]) + 1:
            return merged, top[i + 1][0], header_no
    above = i > 0 and top[i - 1][0] == header_no - 1 and _header_like(top[i - 1][1])
    if above and any(not h for h in header):
        merged = _merge_header(texts[i - 1], header)
        if score(merged) >= best and _filled(top[i - 1][1]) > 1:
            return merged, header_no, top[i - 1][0]
    return header, header_no, header_no


# ---- workbooks -----------------------------------------------------------------------------


def _workbook_cell(value: Any) -> Any:
    """A calamine cell as the reader hands it on: "" for empty, dates as datetime/date."""
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _sheet_table(name: str, rows: list[list[Any]], score: HeaderScore | None,
                 header_row: int | None, report: Report) -> RawTable | None:
    numbered = list(enumerate(rows, start=1))
    head = _find_header(numbered[: HEADER_SEARCH_ROWS * 4], score, header_row, report)
    if head is None:
        return None
    header_no, header, guess = head
    table = RawTable(header_no, header, sheet=name, header_guess=guess)
    for row_no, cells in numbered[header_no:]:
        if is_blank(cells):
            continue
        longest = max((len(c) for c in cells if isinstance(c, str)), default=0)
        if longest > MAX_CELL_CHARS:
            report.add(row_no, None, "cell_too_long", {"n_chars": longest,
                                                         "limit": MAX_CELL_CHARS},
                       fix_code="shorten_cell")
            table.n_dropped += 1
            continue
        table.rows.append([_workbook_cell(c) for c in cells])
        table.row_numbers.append(row_no)
    return table


def _read_workbook(raw: bytes, report: Report, score: HeaderScore | None,
                   sheet: str | None, header_row: int | None) -> RawTable | None:
    """Read the data sheet of an .xlsx/.xlsm/.xls/.ods workbook (calamine)."""
    import python_calamine  # lazy: only needed for workbooks

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = list(book.sheet_names)
        visible = {m.name for m in book.sheets_metadata
                   if m.visible == python_calamine.SheetVisibleEnum.Visible}
        grids = {}
        for name in names if sheet is None else [sheet] if sheet in names else []:
            grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # any failure here means a corrupt or foreign file
        report.add(None, None, "bad_workbook", {"error_type": type(exc).__name__},
                   fix_code="save_xlsx_or_csv")
        return None
    if sheet is not None and sheet not in names:
        report.add(None, None, "unknown_sheet", {"sheet": sheet, "sheets": names})
        return None
    found: list[tuple[tuple, RawTable, Report]] = []
    for order, (name, rows) in enumerate(grids.items()):
        trial = Report()
        table = _sheet_table(name, rows, score, header_row if sheet else None, trial)
        if table is None:
            continue
        fit = score(table.header) if score is not None else 0.0
        shown = name in visible or not visible
        found.append(((fit > 0, shown, fit, len(table.rows) > 0, -order), table, trial))
    if not found:
        return None
    found.sort(key=lambda f: f[0], reverse=True)
    _, chosen, trial = found[0]
    if sheet is None and header_row is not None:
        # The forced header row applies to the sheet the score picked: read it again with it.
        trial = Report()
        chosen = _sheet_table(chosen.sheet, grids[chosen.sheet], score, header_row, trial)
    report.problems.extend(trial.problems)
    if chosen is None:
        return None
    chosen.sheets = names
    if len(found) > 1 and sheet is None:
        others = [f[1].sheet for f in found[1:]]
        report.add(None, None, "sheet_chosen", {"sheet": chosen.sheet, "others": others},
                   severity="warning")
    return chosen


# ---- the public reader ---------------------------------------------------------------------


def best_columns(header: list[str], role_of: Callable[[str], tuple[str | None, int]], *,
                 weak: frozenset[int] = frozenset(), weak_rank: int = 100) -> dict[str, int]:
    """Map roles to header positions: per role, the best-ranked column (lowest rank) wins.

    ``role_of(name)`` gives a header cell's role and rank (None: no role). Positions in
    ``weak`` rank ``weak_rank`` lower (a column a GIS driver adds by itself). Separate ``lon``
    and ``lat`` columns win over a combined ``pair`` column (then left as an extra column).
    """
    found: dict[str, tuple[int, int]] = {}
    for pos, name in enumerate(header):
        role, rank = role_of(name)
        if role is None:
            continue
        rank += weak_rank if pos in weak else 0
        if role not in found or rank < found[role][0]:
            found[role] = (rank, pos)
    roles = {role: pos for role, (_, pos) in found.items()}
    if "lon" in roles and "lat" in roles:
        roles.pop("pair", None)
    elif "pair" in roles:
        roles.pop("lon", None)
        roles.pop("lat", None)
    return roles


def read_table(
    data: bytes | str | Path,
    filename: str,
    report: Report,
    *,
    score: HeaderScore | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    max_bytes: int | None = None,
) -> RawTable | None:
    """Read an uploaded table into raw cells; whole-file problems go into ``report``.

    The reader is chosen by the file name's extension and checked against the content: a
    workbook named .csv is read as a workbook (with a warning), a PNG named .csv is refused as
    binary, any other extension is refused with the list of accepted ones.

    Parameters
    ----------
    data : bytes, str or Path
        The content, as for :func:`load_bytes`.
    filename : str
        The uploaded file's name (only its extension is used; may be empty for CSV text).
    report : Report
        Receives the problems. Whole-file errors (``row`` None): ``upload_too_large``,
        ``empty_file``, ``bad_encoding``, ``binary_file``, ``bad_workbook``,
        ``unsupported_type``, ``unknown_sheet``, ``bad_header_row``. Row errors (that row is
        not in the table, the rest are): ``broken_quote``, ``cell_too_long``,
        ``bad_bytes``. Warnings: ``workbook_named_csv``, ``sheet_chosen`` (several sheets
        have data: which was read), ``header_row_found`` (the header is below title lines).
    score : callable, optional
        ``score(header_cells) -> float``, how much a row looks like the wanted header; it
        picks the header row among the first 30 non-blank rows (and merges a two-row header)
        and the data sheet of a workbook. Without it the header is the first row that is not
        a title line.
    sheet : str, optional
        Read this sheet of a workbook instead of the one the score picks.
    header_row : int, optional
        Take this file row (1-based) as the header instead of the guess.
    max_bytes : int, optional
        The size cap, checked before anything is parsed (default: the ``max_upload_mb``
        setting).

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
    with gc_paused():
        return _read_table(load_bytes(data), filename, report, score, sheet, header_row,
                           max_bytes)


def _read_table(raw: bytes, filename: str, report: Report, score: HeaderScore | None,
                sheet: str | None, header_row: int | None,
                max_bytes: int | None) -> RawTable | None:
    if max_bytes is None:
        from geo.settings import SETTINGS  # lazy: importing geo.io must not load settings

        max_bytes = int(SETTINGS.max_upload_mb * 1_000_000)
    if len(raw) > max_bytes:
        report.add(None, None, "upload_too_large",
                   {"size_mb": round(len(raw) / 1e6, 1), "limit_mb": round(max_bytes / 1e6, 1)},
                   fix_code="split_file")
        return None
    if not raw.strip(_BLANK_BYTES):
        report.add(None, None, "empty_file")
        return None
    table = _read_by_type(raw, filename, report, score, sheet, header_row)
    if table is None and not report.fatal:
        report.add(None, None, "empty_file")
    return table


def _read_by_type(raw: bytes, filename: str, report: Report, score: HeaderScore | None,
                  sheet: str | None, header_row: int | None) -> RawTable | None:
    """Read the bytes as text or a workbook, chosen by extension and checked on the content."""
    ext = Path(str(filename or "")).suffix.lower()
    is_workbook = raw.startswith((_ZIP_MAGIC, _OLE2_MAGIC))
    if ext in WORKBOOK_EXTENSIONS:
        if not is_workbook:
            report.add(None, None, "not_a_workbook", {"ext": ext}, fix_code="rename_csv")
            return None
        return _read_workbook(raw, report, score, sheet, header_row)
    if ext and ext not in CSV_EXTENSIONS:
        report.add(None, None, "unsupported_type",
                   {"ext": ext, "accepted": " ".join(TABLE_EXTENSIONS)}, fix_code="upload_table")
        return None
    if is_workbook:
        report.add(None, None, "workbook_named_csv", severity="warning")
        return _read_workbook(raw, report, score, sheet, header_row)
    return _read_text(raw, report, score, header_row)


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


def _geometry_name(df: pd.DataFrame) -> str | None:
    """The active geometry column of a GeoDataFrame if it is one of its columns, else None."""
    if not isinstance(df, gpd.GeoDataFrame):
        return None
    try:
        name = df.geometry.name
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return None
    return name if name in df.columns else None


def _missing(value: Any) -> bool:
    """True for None, NaN, NA and NaT (a scalar test that never looks inside containers)."""
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, float) and value != value))


#: What :func:`pandas.api.types.infer_dtype` says of object columns holding no date or time.
_NO_DATES = frozenset({"string", "empty", "integer", "floating", "mixed-integer-float",
                       "boolean", "decimal", "complex", "bytes"})
#: The years NumPy and :meth:`datetime.isoformat` both write as four plain digits.
_ISO_FIRST = np.datetime64("0001-01-01T00:00:00", "s")
_ISO_LAST = np.datetime64("9999-12-31T23:59:59", "s")


def _iso_column(series: pd.Series) -> pd.Series | None:
    """The column with its dates and datetimes as ISO 8601 text (NaT -> None), or None if none.

    A datetime column of whole seconds is formatted at once by NumPy; a time-zone-aware or
    sub-second one, or an object column holding dates, cell by cell with :func:`_iso` (the same
    text as ``isoformat``).
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dtype, "tz", None) is None:
            values = series.to_numpy()
            nat = np.isnat(values)
            seconds = values.astype("datetime64[s]")
            kept = seconds[~nat]
            if (kept == values[~nat]).all() and (
                    not len(kept) or (kept.min() >= _ISO_FIRST and kept.max() <= _ISO_LAST)):
                text = np.datetime_as_string(seconds, unit="s").astype(object)
                text[nat] = None
                return pd.Series(text, index=series.index, dtype=object)
        return series.map(_iso).astype(object)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) not in _NO_DATES:
        return series.map(_iso).astype(object)
    return None


def _plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy without geometry, for tables: points as lon/lat, other shapes as geometry_wkt.

    Point geometry becomes ``lon``/``lat`` columns (WGS84) unless the frame has them already;
    any other geometry (lines, polygons, a mix) becomes WKT in ``geometry_wkt``. Dates and
    datetimes become ISO 8601 text. Column-wise: no Python work per cell for plain columns.
    """
    import shapely

    name = _geometry_name(df)
    if name is None:
        plain = pd.DataFrame(df).copy()
    else:
        frame = _wgs84(df)
        geoms = np.asarray(frame.geometry.array, dtype=object)
        plain = pd.DataFrame(frame.drop(columns=name))
        types = shapely.get_type_id(geoms)  # -1 for a missing geometry
        shown = (types >= 0) & ~shapely.is_empty(geoms)
        all_points = bool((types[shown] == shapely.GeometryType.POINT).all())
        if all_points and not {"lon", "lat"} <= set(plain.columns):
            lon = np.full(len(geoms), np.nan)
            lat = np.full(len(geoms), np.nan)
            lon[shown] = shapely.get_x(geoms[shown])
            lat[shown] = shapely.get_y(geoms[shown])
            plain["lon"], plain["lat"] = lon, lat
        elif not all_points:
            plain["geometry_wkt"] = frame.geometry.to_wkt().to_numpy()
    for i in range(plain.shape[1]):
        iso = _iso_column(plain.iloc[:, i])
        if iso is not None:
            plain.isetitem(i, iso)
    return plain


def _object_text(series: pd.Series) -> pd.Series:
    """An object column with every cell that is not text, a number, a bool or missing as text."""
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return series
    values = values.copy()
    for i, value in enumerate(values):
        if not isinstance(value, (str, bool, int, float, np.number, np.bool_)) and not _missing(
                value):
            values[i] = str(value)
    return pd.Series(values, index=series.index, dtype=object)


def _text_hits(series: pd.Series, *, prefixes: tuple[str, ...] | None = None,
               pattern: re.Pattern[str] | None = None) -> np.ndarray:
    """Positions of the text cells starting with one of ``prefixes`` or containing ``pattern``.

    A text dtype is tested at once (Arrow); an object column cell by cell, text cells only.
    """
    if isinstance(series.dtype, pd.StringDtype):
        if prefixes is not None:
            hits = series.str.startswith(prefixes)
        else:
            hits = series.str.contains(pattern.pattern, regex=True)
        return np.flatnonzero(hits.to_numpy(dtype=bool, na_value=False))
    values = series.to_numpy(dtype=object)
    if prefixes is not None:
        flags = [isinstance(v, str) and v.startswith(prefixes) for v in values]
    else:
        flags = [isinstance(v, str) and pattern.search(v) is not None for v in values]
    return np.flatnonzero(np.asarray(flags, dtype=bool))


def _replace_at(series: pd.Series, positions: np.ndarray,
                func: Callable[[str], str]) -> pd.Series:
    """``series`` with the cells at ``positions`` replaced by ``func(cell)``, dtype kept."""
    if not len(positions):
        return series
    values = series.to_numpy(dtype=object, copy=True)
    values[positions] = [func(v) for v in values[positions]]
    return pd.Series(values, index=series.index, dtype=series.dtype)


_CR_RE = re.compile(r"\r")


def _strip_illegal(text: str) -> str:
    return _XLSX_ILLEGAL_RE.sub("", text)


def _lf(text: str) -> str:
    """Line breaks as LF: the text an XML reader (Excel) gets from a cell holding CR or CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _safe_text(series: pd.Series, *, xlsx: bool = False) -> pd.Series:
    """A non-numeric column made safe for spreadsheets: text a formula would run gets a "'".

    Other objects become text first (numbers and bools stay as they are). With ``xlsx`` the
    control characters an .xlsx cell cannot hold are dropped before the check (dropping one
    may expose a leading "=") and CR/CRLF become LF after it. Only cells that need it change.
    """
    if not isinstance(series.dtype, pd.StringDtype):
        series = _object_text(series.astype(object))
    if xlsx:
        series = _replace_at(series, _text_hits(series, pattern=_XLSX_ILLEGAL_RE),
                             _strip_illegal)
    series = _replace_at(series, _text_hits(series, prefixes=_FORMULA_PREFIXES), _defuse)
    if xlsx:
        series = _replace_at(series, _text_hits(series, pattern=_CR_RE), _lf)
    return series


def _safe_text_frame(df: pd.DataFrame, *, xlsx: bool = False) -> pd.DataFrame:
    """:func:`_plain_frame` with every text cell and column name defused for spreadsheets.

    Non-numeric columns hold text (other objects are written as text), numbers or missing
    values. With ``xlsx``, text and column names are also cleaned as :func:`_safe_text` says.
    """
    plain = _plain_frame(df)
    for i in range(plain.shape[1]):
        column = plain.iloc[:, i]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            plain.isetitem(i, _safe_text(column, xlsx=xlsx))
    names = [str(c) for c in plain.columns]
    if xlsx:
        names = [_lf(_defuse(_strip_illegal(n))) for n in names]
    plain.columns = [_defuse(n) for n in names]
    return plain


#: A CSV field holding one of these is quoted (as the csv module quotes, with CRLF rows).
_CSV_QUOTE_RE = re.compile(r'[,"\r\n]')
#: Within this range of magnitudes Arrow writes a float64 as Python's ``repr`` does, but for
#: the ".0" of whole numbers (checked by tests/test_exports.py); outside it, ``repr`` is used.
_ARROW_FLOAT_RANGE = (1e-4, 1e9)


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTE_RE.search(text) else text


def _text_array(values: Any) -> Any:
    """Python strings (None for null) as an Arrow large_string array."""
    import pyarrow as pa

    return pa.array(values, type=pa.large_string())


def _joined(*parts: Any) -> Any:
    """Arrow string arrays and literal strings concatenated row by row (one C++ pass)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    args = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()))


def _concatenated(rows: Any, *, trim: int = 0) -> memoryview:
    """Every string of an Arrow large_string array back to back, as UTF-8 (not copied).

    ``trim`` bytes are left off the end (a separator after the last row). A chunked array (a
    text column of a frame put together with ``pd.concat``) is made one chunk first.
    """
    if not len(rows):
        return memoryview(b"")
    if hasattr(rows, "combine_chunks"):  # a pyarrow ChunkedArray
        rows = rows.combine_chunks()
    _, offsets, data = rows.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)
    start, end = int(bounds[rows.offset]), int(bounds[rows.offset + len(rows)])
    return memoryview(b"") if data is None else memoryview(data)[start:end - trim]


def _by_value(values: Any, text: Callable[[Any], str], missing: str) -> Any:
    """``text(value)`` of each cell (Arrow strings), once per distinct value; NA is ``missing``.

    Batch answers repeat most values (an incident's coordinates on each of its answer rows,
    a handful of kinds and resources), so this is much less work than once per cell.
    """
    import pyarrow as pa

    codes, uniques = pd.factorize(values)  # a missing value gets code -1: the last entry
    table = _text_array([*map(text, uniques.tolist()), missing])
    return table.take(pa.array(np.where(codes < 0, len(uniques), codes)))


def _float_texts(values: np.ndarray, missing: str, *, finite_only: bool = False) -> Any:
    """The shortest text that reads back as each float ("120.3", "1e-05", "inf"), in Arrow.

    float64 as Python's ``repr`` writes it (Arrow's own formatting where it is the same); a
    smaller float type as NumPy writes it (its shortest text, as pandas writes it to CSV).
    NaN is ``missing``, and so is infinity with ``finite_only`` (JSON has no infinity).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = ~np.isfinite(values) if finite_only else np.isnan(values)
    if values.dtype != np.float64:
        texts = _text_array(values.astype(str))
    else:
        low, high = _ARROW_FLOAT_RANGE
        size = np.abs(values[np.isfinite(values)])
        if (not np.isinf(values).any()
                and ((size >= low) | (size == 0)).all() and (size < high).all()):
            texts = pc.cast(pa.array(values), pa.large_string())  # "120.3", but "5" for 5.0
            texts = pc.if_else(pc.match_substring(texts, "."), texts, _joined(texts, ".0"))
        else:
            texts = _by_value(values, float.__repr__, missing)
            zero = values == 0  # 0.0 and -0.0 are one value to factorize
            if zero.any():
                signs = _text_array(np.where(np.signbit(values), "-0.0", "0.0"))
                texts = pc.if_else(pa.array(zero), signs, texts)
    if blank.any():
        texts = pc.if_else(pa.array(blank), pa.scalar(missing, pa.large_string()), texts)
    return texts


def _number_texts(series: pd.Series, missing: str, *, true: str, false: str,
                  finite_only: bool = False) -> Any:
    """The text of each cell of a bool or number column (Arrow), or None for another column.

    NumPy and nullable (``Int64``, ``Float64``, ``boolean``) columns; a missing cell is
    ``missing``; floats as :func:`_float_texts`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    kind = getattr(dtype, "kind", "O")
    if kind not in "biuf":
        return None
    if isinstance(dtype, np.dtype):
        values, blank = series.to_numpy(), None
    else:
        blank = series.isna().to_numpy()
        as_type = {"b": bool, "i": np.int64, "u": np.uint64, "f": np.float64}[kind]
        values = series.to_numpy(dtype=as_type, na_value=False if kind == "b" else 0)
    if kind == "b":
        texts = pc.if_else(pa.array(values), pa.scalar(true, pa.large_string()),
                           pa.scalar(false, pa.large_string()))
    elif kind in "iu":
        texts = pc.cast(pa.array(values), pa.large_string())
    else:
        texts = _float_texts(values, missing, finite_only=finite_only)
    if blank is not None and blank.any():
        texts = pc.if_else(pa.array(blank), pa.scalar(missing, pa.large_string()), texts)
    return texts


def _csv_cells(series: pd.Series) -> Any:
    """The CSV field of each cell of a column (Arrow), as ``DataFrame.to_csv`` writes it.

    Missing values are empty; numbers as their shortest text; bools True/False; text as is,
    quoted when it holds a comma, a quote or a line break.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = _number_texts(series, "", true="True", false="False")
    if numbers is not None:
        return numbers
    if isinstance(series.dtype, pd.StringDtype):
        text = pc.fill_null(pa.array(series).cast(pa.large_string()), "")
    else:
        text = _text_array(["" if _missing(v) else v if isinstance(v, str) else str(v)
                            for v in series.to_numpy(dtype=object)])
    quote = pc.match_substring_regex(text, _CSV_QUOTE_RE.pattern)
    if not pc.any(quote).as_py():
        return text
    return pc.if_else(quote, _joined('"', pc.replace_substring(text, '"', '""'), '"'), text)


def _csv_bytes(frame: pd.DataFrame, *, bom: bool = False) -> bytes:
    """The frame as UTF-8 CSV with CRLF rows: what ``frame.to_csv(index=False)`` writes.

    With ``bom`` the bytes start with a UTF-8 byte order mark.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if frame.shape[1] == 0:
        return frame.to_csv(index=False, lineterminator="\r\n").encode(
            "utf-8-sig" if bom else "utf-8")
    header = ",".join(_csv_field(str(c)) for c in frame.columns)
    columns = [_csv_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    if len(columns) == 1:  # a row of one empty field is written "", or it would be blank
        header = header or '""'
        columns[0] = pc.if_else(pc.equal(columns[0], ""), pa.scalar('""', pa.large_string()),
                                columns[0])
    parts: list[Any] = []
    for column in columns:
        parts += [",", column]
    rows = _joined(*parts[1:], "\r\n")
    return b"".join([b"\xef\xbb\xbf" if bom else b"", (header + "\r\n").encode("utf-8"),
                     _concatenated(rows)])


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
        The CSV, rows ending in CRLF (a cell holding a line break or a lone CR is quoted).
        Dates are ISO 8601; missing values are empty. Text cells and column names starting
        with =, +, -, @, TAB or CR (that are not plain numbers) get a leading apostrophe, so a
        spreadsheet shows them instead of running them as formulas. Built column by column
        in Arrow (100,000 rows in a fraction of a second).
    """
    return _csv_bytes(_safe_text_frame(df), bom=True)


def _xlsx_value(value: Any) -> Any:
    """An .xlsx cell value: a number, a bool, text or None (an empty cell)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    # Dropping a character may expose "=" (so defuse after), a CR reads back as LF.
    return _lf(_defuse(_strip_illegal(str(value))))


def _sheet_title(name: str) -> str:
    """A sheet name Excel takes: no forbidden character, no "'" at either end, 31 UTF-16 units."""
    title = _SHEET_NAME_BAD_RE.sub("_", str(name)).strip("'")[:_SHEET_NAME_MAX]
    while len(title.encode("utf-16-le")) > 2 * _SHEET_NAME_MAX:  # characters beyond U+FFFF
        title = title[:-1]
    title = title.rstrip("'")
    if title.lower() == "history":  # Excel keeps this name for itself
        title += "_"
    return title or "Sheet1"


_XLSX_MAX_ROWS = 1_048_576  # Excel's limits on a sheet
_XLSX_MAX_COLUMNS = 16_384
#: What XML 1.0 cannot hold besides the control characters of ``_XLSX_ILLEGAL_RE``: lone
#: surrogates, U+FFFE and U+FFFF. They are dropped from text cells, column and sheet names.
_XML_BAD_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")
_XML_BAD_ARROW = "[\ufffe\uffff]"  # the same in Arrow strings (valid UTF-8: no surrogates)
#: Excel reads "_xHHHH_" in a cell as an escaped character ("_x0041_" is "A"), so the "_" of
#: such text is written as the escape "_x005F_" (as Excel and xlsxwriter write it), overlaps
#: too; the Arrow (RE2) pattern finds the few cells that need it.
_XLSX_ESCAPE_RE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_ESCAPE_ARROW = "_x[0-9A-Fa-f]{4}_"
#: A cell's kind (0 is an empty cell, not written) and the XML around its value, after the
#: opening ``<c r="B2``. Text with white space at either end keeps it (as xlsxwriter does).
_XLSX_NUMBER, _XLSX_BOOL, _XLSX_TEXT, _XLSX_SPACED = 1, 2, 3, 4
_XLSX_OPEN = (None, '"><v>', '" t="b"><v>', '" t="inlineStr"><is><t>',
              '" t="inlineStr"><is><t xml:space="preserve">')
_XLSX_CLOSE = (None, "</v></c>", "</v></c>", "</t></is></c>", "</t></is></c>")
_XLSX_JOIN_AT_ONCE = 256  # columns joined in one Arrow call (wider sheets: in steps)
#: Rows built at once (then compressed while the next are built): about this many cells,
#: but never fewer rows than this (each block costs some work per column).
_XLSX_BLOCK_CELLS, _XLSX_BLOCK_ROWS = 1 << 18, 256
_ZIP_LEVEL = 4  # zlib: some 10% larger than its default (6), in half the time
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: The parts of a one-sheet workbook but the sheet and the workbook (which names the sheet).
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE_TYPES}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_OFFICE_TYPES}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE_TYPES}.styles+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_OFFICE_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_SHEET_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
        '</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"),
}


def _column_letters(i: int) -> str:
    """The letters of the column at 0-based position ``i``: A..Z, AA..ZZ, AAA.. (as in "B2")."""
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_clean(text: str) -> str:
    """Text without the characters XML cannot hold (re-defused: one may hide a leading "=")."""
    return _defuse(_XML_BAD_RE.sub("", text))


def _xml_attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _fixed_where(values: Any, pattern: str, func: Callable[[str], str]) -> Any:
    """Arrow text with ``func`` applied to the cells matching ``pattern`` (RE2), in Python.

    For what few cells need (rare characters, literal escapes): the rest is not touched.
    """
    import pyarrow.compute as pc

    hits = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    positions = np.flatnonzero(hits.to_numpy(zero_copy_only=False))
    if not len(positions):
        return values
    cells = values.to_pylist()
    for i in positions:
        cells[i] = func(cells[i])
    return _text_array(cells)


def _xlsx_text_values(values: Any) -> Any:
    """The XML of text cells: Arrow large_string in and out, null for a missing value.

    Characters XML cannot hold are dropped, text longer than an Excel cell (32,767
    characters) is cut, a literal "_xHHHH_" is escaped and &, <, > become entities. Text is
    already defused and free of control characters (:func:`_safe_text`).
    """
    import pyarrow.compute as pc

    text = bytes(_concatenated(values))  # every cell's UTF-8: tests for what most lack
    if b"\xef\xbf\xbe" in text or b"\xef\xbf\xbf" in text:  # U+FFFE, U+FFFF
        values = _fixed_where(values, _XML_BAD_ARROW, _xml_clean)
    size = pc.binary_length(values)  # bytes: a cell longer than the limit has more of them
    if pc.any(pc.greater(size, MAX_CELL_CHARS)).as_py():
        values = pc.utf8_slice_codeunits(values, 0, MAX_CELL_CHARS)
    if b"_x" in text:
        values = _fixed_where(values, _XLSX_ESCAPE_ARROW,
                              lambda cell: _XLSX_ESCAPE_RE.sub("_x005F_", cell))
    for char, entity in ((b"&", "&amp;"), (b"<", "&lt;"), (b">", "&gt;")):  # "&" first
        if char in text:
            values = pc.replace_substring(values, char.decode(), entity)
    return values


def _xlsx_texts(cells: list[str | None]) -> Any:
    """:func:`_xlsx_text_values` of Python strings (None for a missing value)."""
    if _XML_BAD_RE.search("".join(filter(None, cells))):  # lone surrogates: not UTF-8
        cells = [_xml_clean(c) if c and _XML_BAD_RE.search(c) else c for c in cells]
    return _xlsx_text_values(_text_array(cells))


def _spaced(values: Any) -> np.ndarray:
    """Which Arrow text cells start or end with white space (an XML reader would drop it)."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(values)
    spaced = pc.not_equal(pc.binary_length(trimmed), pc.binary_length(values))
    return pc.fill_null(spaced, False).to_numpy(zero_copy_only=False)


def _xlsx_kinds(values: Any, kinds: Any) -> Any:
    """``kinds`` (a code or an array of them) with ``_XLSX_SPACED`` for text needing it."""
    spaced = _spaced(values)
    if not spaced.any():
        return kinds
    return np.where(spaced & (kinds == _XLSX_TEXT), _XLSX_SPACED, kinds).astype(np.int8)


def _xlsx_column(series: pd.Series) -> tuple[Any, Any]:
    """A column's cells as XML values (Arrow, null for an empty cell) and their kind.

    The kind is one ``_XLSX_*`` code for the column, or an array of them (an object column
    mixing text, numbers and bools, or text with white space at the ends of some cells).
    Numbers are written as Python's ``repr`` (finite only: NaN and infinity are empty cells),
    bools as 1/0.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    null = pa.scalar(None, pa.large_string())
    numbers = _number_texts(series, "", true="1", false="0", finite_only=True)
    if numbers is not None:
        kind = _XLSX_BOOL if series.dtype.kind == "b" else _XLSX_NUMBER
        return pc.if_else(pc.equal(numbers, ""), null, numbers), kind
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        texts = pa.array(series).cast(pa.large_string())
        if isinstance(texts, pa.ChunkedArray):  # a column put together from several
            texts = texts.combine_chunks()
        texts = _xlsx_text_values(texts)
        return texts, _xlsx_kinds(texts, _XLSX_TEXT)
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        texts = _xlsx_texts([v if isinstance(v, str) else None for v in values])
        return texts, _xlsx_kinds(texts, _XLSX_TEXT)
    cells: list[str | None] = []
    kinds = np.zeros(len(values), dtype=np.int8)
    for i, value in enumerate(map(_xlsx_value, values)):
        if isinstance(value, str):
            kinds[i] = _XLSX_TEXT
        elif isinstance(value, bool):
            kinds[i], value = _XLSX_BOOL, "1" if value else "0"
        elif value is not None:
            kinds[i], value = _XLSX_NUMBER, repr(value)
        cells.append(value)
    texts = _xlsx_texts(cells)
    return texts, _xlsx_kinds(texts, kinds)


def _row_join(parts: list[Any]) -> Any:
    """Arrow strings and literals joined row by row; a null (empty cell) adds nothing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    args = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()),
                                       null_handling="replace", null_replacement="")


def _sheet_head(plain: pd.DataFrame, letters: list[str]) -> bytes:
    """The worksheet XML up to the first data row: the sheet's size and the header row."""
    names = _xlsx_texts([str(c) for c in plain.columns])
    kinds = _xlsx_kinds(names, np.full(len(names), _XLSX_TEXT))
    header = "".join(f'<c r="{letter}1{_XLSX_OPEN[kind]}{name}{_XLSX_CLOSE[kind]}'
                     for letter, name, kind in zip(letters, names.to_pylist(), kinds,
                                                   strict=True))
    last = f"{letters[-1]}{len(plain) + 1}" if letters else "A1"
    return (f'{_XML_DECLARATION}<worksheet xmlns="{_SHEET_MAIN}" xmlns:r="{_OFFICE_RELS}">'
            f'<dimension ref="A1:{last}"/><sheetData><row r="1">{header}</row>').encode()


def _sheet_rows(plain: pd.DataFrame, start: int, stop: int, letters: list[str]) -> memoryview:
    """The XML of the data rows ``start`` to ``stop`` (0-based, end excluded), column-wise.

    Each column becomes its cells' values in a few Arrow passes, then every row is joined at
    once from the XML around them (``<c r="B2" ...>``; a column with empty cells is joined
    first, leaving nothing for them), and the rows are put back to back.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = plain.iloc[start:stop]
    numbers = pc.cast(pa.array(np.arange(start + 2, start + len(rows) + 2, dtype=np.int64)),
                      pa.large_string())
    parts: list[Any] = ['<row r="', numbers, '">']
    for i, letter in enumerate(letters):
        values, kind = _xlsx_column(rows.iloc[:, i])
        if isinstance(kind, np.ndarray):
            opening = pa.array(_XLSX_OPEN, pa.large_string()).take(kind)
            closing = pa.array(_XLSX_CLOSE, pa.large_string()).take(kind)
        else:
            opening, closing = _XLSX_OPEN[kind], _XLSX_CLOSE[kind]
        cell = [f'<c r="{letter}', numbers, opening, values, closing]
        parts += cell if values.null_count == 0 else [_joined(*cell)]  # empty cells: null
    parts.append("</row>")
    while len(parts) > _XLSX_JOIN_AT_ONCE:
        parts = [_row_join(parts[k:k + _XLSX_JOIN_AT_ONCE])
                 for k in range(0, len(parts), _XLSX_JOIN_AT_ONCE)]
    joined = _row_join(parts)
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    return _concatenated(joined)


def _xlsx_package(plain: pd.DataFrame, title: str, *, zip64: bool = False) -> bytes:
    """The .xlsx file of a safe frame: its parts zipped, the sheet's rows block by block.

    A block of rows is built (Arrow, in a second thread) while the one before is compressed,
    so the two overlap and the sheet's XML is never all in memory. ``zip64`` for a sheet
    whose XML passes 2 GiB. Every member has the same fixed time: the same table gives the
    same bytes.
    """
    import zipfile
    from concurrent.futures import ThreadPoolExecutor

    parts = {**_XLSX_PARTS, "xl/workbook.xml": (
        f'<workbook xmlns="{_SHEET_MAIN}" xmlns:r="{_OFFICE_RELS}"><sheets>'
        f'<sheet name="{_xml_attribute(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>')}
    letters = [_column_letters(i) for i in range(plain.shape[1])]
    step = max(_XLSX_BLOCK_ROWS, _XLSX_BLOCK_CELLS // max(1, len(letters)))
    buffer = io.BytesIO()
    # A member added by name gets the ZipFile's compression and ZipInfo's fixed time (1980).
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=_ZIP_LEVEL) as book:
        for name, xml in parts.items():
            with book.open(name, "w") as member:
                member.write((_XML_DECLARATION + xml).encode("utf-8"))
        with (book.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64) as sheet,
              ThreadPoolExecutor(max_workers=1) as builder):
            sheet.write(_sheet_head(plain, letters))
            starts = range(0, len(plain), step)
            block = builder.submit(_sheet_rows, plain, 0, step, letters) if starts else None
            for start in starts:
                rows = block.result()
                if start + step < len(plain):
                    block = builder.submit(_sheet_rows, plain, start + step, start + 2 * step,
                                           letters)
                sheet.write(rows)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def to_xlsx_bytes(df: pd.DataFrame, *, sheet_name: str = "results") -> bytes:
    r"""Return a table as an Excel .xlsx workbook (one sheet) for download.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        As for :func:`to_csv_bytes`: WGS84 ``lon``/``lat`` for points, ``geometry_wkt`` for
        other geometries, ISO 8601 text for dates.
    sheet_name : str, default "results"
        The sheet's name; characters Excel forbids ([]:*?/\) become "_", apostrophes at either
        end are dropped, it is cut to 31 characters and "History" (kept by Excel) becomes
        "History_". Characters XML cannot hold are dropped.

    Returns
    -------
    bytes
        The workbook: the sheet's XML built column by column in Arrow (100,000 rows of 18
        columns in under a second) and zipped with a fixed time stamp, so the same table
        gives the same bytes. Every text cell is an inline string (never a formula), and text
        that a spreadsheet would run as a formula gets a leading apostrophe, as in the CSV.
        Numbers are written as Python's ``repr``; missing values and NaN/infinity are empty
        cells (none is written), empty text is a text cell. Control characters and other
        characters XML cannot hold are dropped, a CR becomes LF (as an XML reader reads it),
        literal "_xHHHH_" text is escaped so Excel shows it as written, and text is cut to
        Excel's 32,767 characters a cell.

    Raises
    ------
    ValidationError
        If the table has more rows or columns than an Excel sheet holds (1,048,575 data rows,
        16,384 columns).
    """
    plain = _safe_text_frame(df, xlsx=True)
    if len(plain) >= _XLSX_MAX_ROWS or plain.shape[1] > _XLSX_MAX_COLUMNS:
        msg = (f"an Excel sheet holds at most {_XLSX_MAX_ROWS - 1:,} rows and "
               f"{_XLSX_MAX_COLUMNS:,} columns, got {plain.shape[0]:,} x {plain.shape[1]:,}")
        raise ValidationError(msg)
    title = _sheet_title(_XLSX_ILLEGAL_RE.sub("", _XML_BAD_RE.sub("", str(sheet_name))))
    try:
        return _xlsx_package(plain, title)
    except RuntimeError as error:  # zipfile: "File size too large, try using force_zip64"
        if "zip64" not in str(error).lower():
            raise
        return _xlsx_package(plain, title, zip64=True)


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


def _json_cells(series: pd.Series) -> Any:
    """The JSON text of each cell of a column (Arrow), column-wise for numbers, bools, text.

    Missing values and NaN/infinity are null; dates and datetimes ISO 8601 strings; text as
    ``json.dumps(..., ensure_ascii=False)`` writes it (Chinese unescaped); other objects
    through ``json.dumps`` (lists, dicts) or as their text.
    """
    import json
    from json.encoder import encode_basestring  # json.dumps(ensure_ascii=False) of a str

    numbers = _number_texts(series, "null", true="true", false="false", finite_only=True)
    if numbers is not None:
        return numbers
    if isinstance(series.dtype, pd.StringDtype):
        return _by_value(series, encode_basestring, "null")

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return encode_basestring(value)
        if _missing(value):
            return "null"
        if isinstance(value, (bool, np.bool_)):
            return "true" if value else "false"
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        if isinstance(value, (float, np.floating)):
            return float.__repr__(float(value)) if np.isfinite(value) else "null"
        if isinstance(value, (pd.Timestamp, datetime, date)):
            return encode_basestring(value.isoformat())
        return json.dumps(value, ensure_ascii=False, default=_json_default)

    iso = _iso_column(series)
    return _text_array([cell(v) for v in (series if iso is None else iso).to_numpy(dtype=object)])


def _feature_collection(properties: pd.DataFrame, geometries: Any) -> bytes:
    """GeoJSON FeatureCollection bytes from property columns and geometry JSON texts (Arrow).

    Each feature is put together in Arrow, row by row in C++; one feature per line.
    """
    from json.encoder import encode_basestring

    head = b'{"type":"FeatureCollection","features":['
    if not len(properties):
        return head + b"]}\n"
    parts: list[Any] = ['{"type":"Feature","properties":{']
    for i, column in enumerate(properties.columns):
        key = encode_basestring(str(column))
        parts += [f",{key}:" if i else f"{key}:", _json_cells(properties.iloc[:, i])]
    parts += ['},"geometry":', geometries, "},\n"]
    features = _concatenated(_joined(*parts), trim=2)  # no ",\n" after the last feature
    return b"".join([head, b"\n", features, b"\n]}\n"])


def to_geojson_bytes(gdf: pd.DataFrame, *, points_only: bool = False) -> bytes:
    """Return a GeoDataFrame (or a DataFrame with lon/lat) as UTF-8 GeoJSON bytes in WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame or DataFrame
        A plain DataFrame needs WGS84 ``lon`` and ``lat`` columns. A GeoDataFrame without a CRS
        is taken to be WGS84; any other CRS is reprojected to EPSG:4326.
    points_only : bool, default False
        Write each row as the point at its WGS84 ``lon``/``lat`` columns instead of its
        geometry, leaving out rows without both: for batch answers (:mod:`geo.batch`) the
        answering resources rather than the lines to them, without the incidents that have no
        answer.

    Returns
    -------
    bytes
        A GeoJSON FeatureCollection, one feature per line; every column but the geometry is a
        property. Chinese text is kept readable (not escaped), dates are ISO 8601 strings,
        missing values and NaN are null, a missing geometry is null. Built column by column
        in Arrow (100,000 rows in a fraction of a second).

    Raises
    ------
    ValidationError
        If ``gdf`` is a plain DataFrame (or ``points_only`` is set) without ``lon`` and ``lat``
        columns.
    """
    import shapely

    name = _geometry_name(gdf)
    if name is not None and not points_only:
        frame = _wgs84(gdf)
        texts = shapely.to_geojson(np.asarray(frame.geometry.array, dtype=object))
        return _feature_collection(pd.DataFrame(frame.drop(columns=name)),
                                   _text_array(np.where(pd.isna(texts), "null", texts)))
    if not {"lon", "lat"} <= set(gdf.columns):
        msg = f"need a GeoDataFrame or lon/lat columns, got columns {list(gdf.columns)}"
        raise ValidationError(msg)
    properties = pd.DataFrame(gdf.drop(columns=name) if name is not None else gdf)
    lon = properties["lon"].to_numpy(dtype=np.float64, na_value=np.nan)
    lat = properties["lat"].to_numpy(dtype=np.float64, na_value=np.nan)
    shown = np.isfinite(lon) & np.isfinite(lat)
    if points_only and not shown.all():
        properties, lon, lat = properties.iloc[np.flatnonzero(shown)], lon[shown], lat[shown]
        shown = shown[shown]
    texts = np.full(len(lon), "null", dtype=object)
    texts[shown] = shapely.to_geojson(shapely.points(lon[shown], lat[shown]))
    return _feature_collection(properties, _text_array(texts))


def to_gpkg_bytes(gdf: pd.DataFrame, *, layer: str = "results",
                  geometry_type: str | None = None) -> bytes:
    """Return a GeoDataFrame (or a DataFrame with lon/lat) as a GeoPackage file, in WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame or DataFrame
        As for :func:`to_geojson_bytes`. An object column holding only dates
        (``datetime.date``, not datetimes) and missing values becomes a GeoPackage ``Date``
        field; a datetime64 column a ``DateTime`` field; nullable integers (``Int64``) an
        ``Integer64`` field with NULLs. Other object columns (mixed values, lists, datetimes
        among text, ...) are written as text, dates and datetimes in them as ISO 8601.
    layer : str, default "results"
        The layer's name inside the GeoPackage.
    geometry_type : str, optional
        The layer's geometry type as OGR names it (``"Point"``, ``"LineString"``, ...);
        default: found from the data ("Unknown" for an empty table or a mix).

    Returns
    -------
    bytes
        The .gpkg file (SQLite), one layer in EPSG:4326, written by pyogrio through Arrow
        (which keeps ``Date`` fields and NULL integers). It is an OGC GeoPackage 1.2 file
        (:data:`GPKG_VERSION`), which QGIS 3 and every GDAL since 2.2 read without a
        warning (GDAL >= 3.7 would otherwise write 1.4, which older GDAL reads only
        "partially").

    Raises
    ------
    ValidationError
        If ``gdf`` is a plain DataFrame without ``lon`` and ``lat`` columns.
    """
    frame = _as_geoframe(gdf).copy()
    geometry = frame.geometry.name
    for column in frame.columns:
        if (column == geometry or frame[column].dtype != object
                or pd.api.types.infer_dtype(frame[column], skipna=True) == "date"):
            continue
        frame[column] = frame[column].map(
            lambda v: None if is_empty(v) or v is pd.NA or v is pd.NaT else str(_iso(v)))
    with tempfile.TemporaryDirectory(prefix="rcd-gpkg-") as tmp:
        path = Path(tmp) / "export.gpkg"
        frame.to_file(path, driver="GPKG", layer=str(layer) or "results", engine="pyogrio",
                      use_arrow=True, dataset_options={"VERSION": GPKG_VERSION},
                      **({"geometry_type": geometry_type} if geometry_type else {}))
        return path.read_bytes()
