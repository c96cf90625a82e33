"""Write the incident-upload corpus in tests/corpus: real export shapes at real places.

Usage: ``python scripts/make_corpus.py [--out DIR]`` (default ``tests/corpus``). Each file
imitates what a Red Cross command post or a partner's system exports (Excel, WPS, LibreOffice,
Chinese-Windows CSV, Amap/Baidu tools, European spreadsheets, hand-typed coordinates) with
points at public places in Wuxi and Zhenjiang. Every file is deterministic: zip containers
(.xlsx, .ods, .docx) get fixed member timestamps and fixed document dates, so running the
script again gives byte-identical files. The expected outcome of each file is asserted in
``tests/test_corpus.py``; ``README.md`` (written here too) lists each file in one line.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "corpus"
#: Every generated file must stay commit-sized.
MAX_FILE_BYTES = 60_000
#: The time stamped on zip members and document properties (any fixed moment will do).
FIXED_TIME = (2024, 7, 15, 9, 0, 0)
FIXED_ISO = "2024-07-15T09:00:00Z"

# Public places, WGS84 (lon, lat), and what happened there.
WUXI = [
    ("鼋头渚", 120.2275, 31.5205, "游客落水 已救起"),
    ("南长街", 120.3065, 31.5640, "老人晕倒"),
    ("无锡站", 120.3045, 31.5875, "旅客心脏骤停 已使用AED"),
    ("惠山古镇", 120.2695, 31.5815, "游客中暑"),
    ("三阳广场", 120.3020, 31.5765, "电动车与行人相撞 1人受伤"),
    ("蠡湖公园", 120.2805, 31.5465, "儿童摔伤"),
    ("梅园", 120.2370, 31.5590, "游客扭伤"),
    ("灵山大佛", 120.0960, 31.4330, "香客晕厥"),
]
ZHENJIANG = [
    ("西津渡", 119.4260, 32.2140, "游客摔倒 头部出血"),
    ("金山寺", 119.4120, 32.2210, "老人胸痛"),
    ("北固山", 119.4530, 32.2215, "游客中暑"),
    ("焦山", 119.4960, 32.2265, "渡船乘客落水"),
    ("镇江站", 119.4385, 32.2045, "旅客晕倒"),
    ("南山", 119.4260, 32.1640, "登山者骨折"),
]
#: Nanjing's Xinjiekou: in China, outside Wuxi and Zhenjiang.
NANJING = ("新街口", 118.7840, 32.0410, "市民晕倒")

#: name -> (builder, what it imitates, expected outcome); filled by @corpus_file.
FILES: dict[str, tuple[Callable[[], bytes], str, str]] = {}


def corpus_file(name: str, imitates: str, outcome: str) -> Callable:
    """Register a builder of one corpus file (its bytes) with its README line."""
    def register(builder: Callable[[], bytes]) -> Callable[[], bytes]:
        FILES[name] = (builder, imitates, outcome)
        return builder
    return register


# --------------------------------------------------------------------------------- helpers


def wx_id(i: int) -> str:
    return f"WX20240715{i:03d}"


def zj_id(i: int) -> str:
    return f"ZJ20240715{i:03d}"


def f4(x: float) -> str:
    return f"{x:.4f}"


def dms(value: float, *, seconds_decimals: int = 1) -> tuple[int, int, str]:
    """Degrees, minutes and seconds text of a value with 4 decimals (exact in 0.1 seconds)."""
    tenths = round(value * 36_000)  # 0.1 arc-seconds
    deg, rest = divmod(tenths, 36_000)
    minutes, sec_tenths = divmod(rest, 600)
    sec = f"{sec_tenths / 10:.{seconds_decimals}f}"
    return deg, minutes, sec


def fullwidth(text: str) -> str:
    """Digits, point, minus and comma as a Chinese IME types them in full-width mode."""
    return text.translate(str.maketrans("0123456789.-,", "０１２３４５６７８９．－，"))


def text_csv(rows: list[list], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue()


def fixed_zip(raw: bytes) -> bytes:
    """Rewrite a zip container with fixed member times and fixed document dates."""
    date_re = re.compile(
        rb"(<(?:dcterms:created|dcterms:modified|meta:creation-date|dc:date)[^>]*>)[^<]*(<)")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in ("docProps/core.xml", "meta.xml"):
                stamp = FIXED_ISO.encode() if b"dcterms" in data else FIXED_ISO[:-1].encode()
                data = date_re.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = info.compress_type
            member.external_attr = 0o644 << 16
            zout.writestr(member, data)
    return out.getvalue()


def xls_book(sheets: list[dict]) -> bytes:
    """An Excel 97-2003 .xls (BIFF8, written by xlwt).

    Each sheet is a dict: ``name``, ``rows`` (lists of cells, None = no cell), optional
    ``merges`` [(r1, r2, c1, c2)] (0-based, inclusive), ``font`` (a font name for every cell),
    ``header_rows`` (how many top rows are bold), ``blank_styled`` (rows x cols of formatted
    empty cells after the data, as WPS leaves them).
    """
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        sheet = book.add_sheet(spec["name"])
        font = spec.get("font")
        base = f"font: name {font}, height 220" if font else ""
        plain = xlwt.easyxf(base)
        bold = xlwt.easyxf(f"{base}{';' if base else ''} font: bold on; "
                           "align: horiz center, vert center")
        when = xlwt.easyxf(base, num_format_str="yyyy-mm-dd hh:mm")
        merged_cells = set()
        for r1, r2, c1, c2 in spec.get("merges", []):
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        merged_cells.add((r, c))
        n_bold = spec.get("header_rows", 0)
        for r, row in enumerate(spec["rows"]):
            for c, value in enumerate(row):
                if value is None or (r, c) in merged_cells:
                    continue
                style = bold if r < n_bold else (when if isinstance(value, datetime) else plain)
                sheet.write(r, c, value, style)
        for r1, r2, c1, c2 in spec.get("merges", []):
            sheet.merge(r1, r2, c1, c2, bold)
        n_blank_rows, n_blank_cols = spec.get("blank_styled", (0, 0))
        start = len(spec["rows"])
        for r in range(start, start + n_blank_rows):
            for c in range(n_blank_cols):
                sheet.write(r, c, None, plain)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_book(sheets: list[dict]) -> bytes:
    """An .xlsx workbook written by openpyxl (as Excel itself lays it out).

    Each sheet is a dict: ``name``, ``rows`` (lists of cells; None = empty; a row that is
    ``[]`` is an empty row), optional ``merges`` (Excel ranges "D1:E1"), ``hidden`` (True for a
    hidden sheet), ``text`` (True to store every number-looking cell as text),
    ``widths`` {column letter: width}.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec["name"])
        for r, row in enumerate(spec["rows"], start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and spec.get("text"):
                    cell.data_type = "s"
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        for r in range(1, spec.get("bold_rows", 0) + 1):
            for cell in sheet[r]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center")
        for ref in spec.get("merges", []):
            sheet.merge_cells(ref)
        for letter, width in spec.get("widths", {}).items():
            sheet.column_dimensions[letter].width = width
        if spec.get("hidden"):
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue())


def ods_book(sheets: list[tuple[str, pd.DataFrame, bool]]) -> bytes:
    """An OpenDocument .ods written by pandas (odfpy): (sheet name, frame, write header)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        for name, frame, header in sheets:
            frame.to_excel(writer, sheet_name=name, index=False, header=header)
    return fixed_zip(buffer.getvalue())


def cn_rows(places: list[tuple], ids: Callable[[int], str], crs: str | None = "WGS84",
            start: int = 1) -> list[list]:
    """Rows 编号, 经度, 纬度, (坐标系,) 备注 with coordinates as 4-decimal numbers."""
    rows = []
    for i, (place, lon, lat, note) in enumerate(places, start=start):
        row = [ids(i), lon, lat]
        if crs is not None:
            row.append(crs)
        rows.append([*row, f"{place} {note}"])
    return rows


# ----------------------------------------------------------------------------- .xls (xlwt)

XLS_HEADER = ["编号", "经度", "纬度", "坐标系", "备注"]


@corpus_file("xls_plain.xls", "Excel 97-2003 workbook saved by an old office PC (one sheet)",
             "5 good rows from Sheet1, header row 1, no problems")
def xls_plain() -> bytes:
    return xls_book([{"name": "Sheet1", "header_rows": 1,
                      "rows": [XLS_HEADER, *cn_rows(WUXI[:5], wx_id)]}])


@corpus_file("xls_cover_sheet.xls",
             "Excel 97-2003 report: a 说明 sheet of instructions before the data sheet",
             "4 good rows from sheet 事件清单; warning sheet_chosen")
def xls_cover_sheet() -> bytes:
    cover = [["突发事件上报表 填表说明"],
             ["1. 每起事件填写一行，编号不得重复。"],
             ["2. 经度、纬度请填写小数度，例如 120.3065、31.5640。"],
             ["3. 坐标系填写 WGS84、高德 或 百度。"],
             ["4. 填好后请于当日 18:00 前报送市红十字会应急办。"]]
    return xls_book([{"name": "说明", "rows": cover},
                     {"name": "事件清单", "header_rows": 1,
                      "rows": [XLS_HEADER, *cn_rows(ZHENJIANG[:4], zj_id)]}])


@corpus_file("xls_title_line.xls",
             "Excel 97-2003 list with a merged title line '2024年7月 突发事件清单' above "
             "the header",
             "5 good rows; header row 2; warning header_row_found")
def xls_title_line() -> bytes:
    return xls_book([{"name": "7月", "header_rows": 2, "merges": [(0, 0, 0, 4)],
                      "rows": [["2024年7月 突发事件清单"], XLS_HEADER,
                               *cn_rows(WUXI[2:7], wx_id)]}])


@corpus_file("xls_merged_header.xls",
             "Excel 97-2003 form with a two-row header: 坐标 merged over 经度/纬度",
             "4 good rows (rows 3-6); header row 2")
def xls_merged_header() -> bytes:
    rows = [["序号", "事发地点", "坐标", None, "备注"],
            [None, None, "经度", "纬度", None]]
    for i, (place, lon, lat, note) in enumerate(WUXI[:4], start=1):
        rows.append([i, place, lon, lat, note])
    merges = [(0, 0, 2, 3), (0, 1, 0, 0), (0, 1, 1, 1), (0, 1, 4, 4)]
    return xls_book([{"name": "Sheet1", "header_rows": 2, "merges": merges, "rows": rows}])


@corpus_file("wps_export.xls",
             "WPS 表格 .xls: 宋体 everywhere, coordinates typed as text, formatted blank rows "
             "below the data, empty default Sheet2/Sheet3",
             "6 good rows from Sheet1, no problems (empty sheets are not 'other sheets')")
def wps_export() -> bytes:
    header = ["事件编号", "发生时间", "事发地点", "经度", "纬度", "事件描述"]
    rows = [header]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG, start=1):
        rows.append([zj_id(i), f"2024-07-15 {8 + i:02d}:30", place, f4(lon), f4(lat), note])
    return xls_book([
        {"name": "Sheet1", "font": "宋体", "header_rows": 1, "rows": rows,
         "blank_styled": (30, 6)},
        {"name": "Sheet2", "rows": []},
        {"name": "Sheet3", "rows": []},
    ])


# -------------------------------------------------------------------------- .xlsx (openpyxl)


@corpus_file("xlsx_cover_sheet.xlsx",
             "Excel workbook with a 填表说明 cover sheet (mentions 经度/纬度 in prose) before "
             "the data sheet",
             "5 good rows from sheet 事件; warning sheet_chosen")
def xlsx_cover_sheet() -> bytes:
    cover = [["无锡市红十字会 突发事件汇总表"], [],
             ["填表说明：经度、纬度请填写WGS84坐标（小数度），坐标系一栏可填 WGS84/高德/百度。"],
             ["联系人：应急救护科  电话：0510-8270xxxx"]]
    return xlsx_book([
        {"name": "填表说明", "rows": cover, "widths": {"A": 80}},
        {"name": "事件", "bold_rows": 1, "rows": [XLS_HEADER, *cn_rows(WUXI[:5], wx_id)]},
    ])


@corpus_file("xlsx_title_one.xlsx", "Excel list with one merged title line above the header",
             "6 good rows; header row 2; warning header_row_found")
def xlsx_title_one() -> bytes:
    return xlsx_book([{"name": "Sheet1", "merges": ["A1:E1"],
                       "rows": [["2024年7月 突发事件清单"], XLS_HEADER,
                                *cn_rows(WUXI[:6], wx_id)]}])


@corpus_file("xlsx_title_two.xlsx",
             "Excel report with a title line and a 填报单位/填报日期 line above the header",
             "5 good rows; header row 3; warning header_row_found")
def xlsx_title_two() -> bytes:
    return xlsx_book([{"name": "汇总", "merges": ["A1:E1", "A2:E2"],
                       "rows": [["镇江市红十字会 2024年7月 突发事件清单"],
                                ["填报单位：镇江市红十字会应急办    填报日期：2024-07-31"],
                                XLS_HEADER, *cn_rows(ZHENJIANG[:5], zj_id)]}])


@corpus_file("xlsx_merged_header.xlsx",
             "Excel form with merged header cells: 坐标 over 经度/纬度, others merged down",
             "5 good rows (rows 3-7); header row 2")
def xlsx_merged_header() -> bytes:
    rows = [["序号", "事件名称", "事发地点", "坐标", None, "处置情况"],
            [None, None, None, "经度", "纬度", None]]
    for i, (place, lon, lat, note) in enumerate(WUXI[3:8], start=1):
        rows.append([i, note, place, lon, lat, "已处置"])
    merges = ["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"]
    return xlsx_book([{"name": "事件登记", "bold_rows": 2, "merges": merges, "rows": rows}])


@corpus_file("xlsx_numbers_as_text.xlsx",
             "Excel sheet from a system export that stores every number as text (green "
             "triangles), some with stray spaces",
             "5 good rows, no problems")
def xlsx_numbers_as_text() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[:5], start=1):
        pad = " " if i % 2 else ""
        rows.append([str(1000 + i), f"{pad}{f4(lon)}", f"{f4(lat)}{pad}", f"{place} {note}"])
    return xlsx_book([{"name": "导出数据", "text": True, "rows": rows}])


@corpus_file("xlsx_blank_rows.xlsx",
             "Excel list a person edited: empty rows left between data rows",
             "5 good rows at rows 2, 3, 5, 6, 9 (blank rows skipped, numbers kept)")
def xlsx_blank_rows() -> bytes:
    data = cn_rows(WUXI[:5], wx_id)
    rows = [XLS_HEADER, data[0], data[1], [], data[2], data[3], [], [], data[4]]
    return xlsx_book([{"name": "Sheet1", "rows": rows}])


@corpus_file("xlsx_two_data_sheets.xlsx",
             "Excel workbook with this month's sheet and last month's, the latter hidden",
             "4 good rows from sheet 本月; warning sheet_chosen (sheet='上月' reads 3 rows)")
def xlsx_two_data_sheets() -> bytes:
    return xlsx_book([
        {"name": "本月", "rows": [XLS_HEADER, *cn_rows(WUXI[:4], wx_id)]},
        {"name": "上月", "hidden": True,
         "rows": [XLS_HEADER, *cn_rows(ZHENJIANG[:3], zj_id, start=101)]},
    ])


@corpus_file("xlsx_dates.xlsx",
             "Excel incident log with real date/time cells (发生时间, 上报日期)",
             "5 good rows; 发生时间/上报日期 kept as extra columns")
def xlsx_dates() -> bytes:
    rows = [["编号", "发生时间", "上报日期", "经度", "纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[1:6], start=1):
        rows.append([zj_id(i), datetime(2024, 7, 15, 8 + i, 30), date(2024, 7, 16), lon, lat,
                     f"{place} {note}"])
    return xlsx_book([{"name": "事件日志", "rows": rows, "widths": {"B": 18, "C": 12}}])


@corpus_file("xlsx_named_csv.csv",
             "an .xlsx workbook renamed to .csv by a user",
             "4 good rows; warning workbook_named_csv")
def xlsx_named_csv() -> bytes:
    return xlsx_book([{"name": "Sheet1", "rows": [XLS_HEADER, *cn_rows(WUXI[4:8], wx_id)]}])


@corpus_file("corrupt.xlsx", "an .xlsx upload cut short (truncated download)",
             "whole-file error bad_workbook")
def corrupt_xlsx() -> bytes:
    # Members stored uncompressed, so the cut bytes do not depend on the zlib build.
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(xlsx_named_csv())) as zin,
          zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout):
        for info in zin.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zout.writestr(member, zin.read(info))
    return out.getvalue()[:700]


@corpus_file("xlsx_crs_mixed.xlsx",
             "Excel sheet merged from several teams: 坐标系 WGS84 / 高德 / GCJ-02 / 百度 / BD-09",
             "5 good rows, each converted from its own CRS to WGS84")
def xlsx_crs_mixed() -> bytes:
    from geo.crs import wgs84_to_bd09, wgs84_to_gcj02

    labels = ["WGS84", "高德", "GCJ-02", "百度", "BD-09"]
    rows = [["事件编号", "经度", "纬度", "坐标系", "备注"]]
    for i, ((place, lon, lat, note), label) in enumerate(zip(WUXI[:5], labels, strict=True),
                                                         start=1):
        if label in ("高德", "GCJ-02"):
            lon, lat = (round(float(v), 6) for v in wgs84_to_gcj02(lon, lat))
        elif label in ("百度", "BD-09"):
            lon, lat = (round(float(v), 6) for v in wgs84_to_bd09(lon, lat))
        rows.append([wx_id(i), lon, lat, label, f"{place} {note}"])
    return xlsx_book([{"name": "汇总", "rows": rows}])


# ---------------------------------------------------------------------------------- .ods


@corpus_file("ods_plain.ods", "LibreOffice Calc spreadsheet (one sheet)",
             "5 good rows from sheet 事件, no problems")
def ods_plain() -> bytes:
    frame = pd.DataFrame(cn_rows(ZHENJIANG[:5], zj_id), columns=XLS_HEADER)
    return ods_book([("事件", frame, True)])


@corpus_file("ods_cover_sheet.ods", "LibreOffice Calc file with a 说明 sheet before the data",
             "4 good rows from sheet 数据; warning sheet_chosen")
def ods_cover_sheet() -> bytes:
    cover = pd.DataFrame({"text": ["突发事件登记表", "经度纬度填小数度，坐标系填 WGS84。",
                                   "每起事件一行。"]})
    frame = pd.DataFrame(cn_rows(WUXI[4:8], wx_id), columns=XLS_HEADER)
    return ods_book([("说明", cover, False), ("数据", frame, True)])


# ------------------------------------------------------------------------- delimited text


def cn_text_rows(places: list[tuple], ids: Callable[[int], str], crs: str | None = "WGS84",
                 start: int = 1) -> list[list[str]]:
    return [[c if isinstance(c, str) else f4(c) for c in row]
            for row in cn_rows(places, ids, crs, start)]


@corpus_file("utf8.csv", "a script's UTF-8 CSV (LF line ends) with English headers",
             "5 good rows, no problems")
def utf8_csv() -> bytes:
    rows = [["incident", "lon", "lat", "crs", "note"],
            *cn_text_rows(WUXI[:5], wx_id, "wgs84")]
    return text_csv(rows, newline="\n").encode("utf-8")


@corpus_file("utf8_bom.csv", "Excel 'CSV UTF-8 (逗号分隔)' export: BOM, CRLF, Chinese headers",
             "6 good rows, no problems")
def utf8_bom_csv() -> bytes:
    return text_csv([XLS_HEADER, *cn_text_rows(ZHENJIANG, zj_id)]).encode("utf-8-sig")


@corpus_file("gbk.csv", "Excel 'CSV (逗号分隔)' export on Chinese Windows: GBK (cp936), CRLF",
             "5 good rows, no problems")
def gbk_csv() -> bytes:
    return text_csv([XLS_HEADER, *cn_text_rows(WUXI[1:6], wx_id)]).encode("gbk")


@corpus_file("gb18030_title.csv",
             "GB18030 CSV from a government system: a title line above the header, a name "
             "outside GBK (䶮)",
             "4 good rows (rows 3-6); header row 2; warning header_row_found")
def gb18030_title_csv() -> bytes:
    rows = [["镇江市 2024年7月 突发事件清单"], [*XLS_HEADER, "报告人"]]
    for row in cn_text_rows(ZHENJIANG[:4], zj_id):
        rows.append([*row, "刘䶮"])
    return text_csv(rows).encode("gb18030")


@corpus_file("tab.tsv", "tab-separated export of a dispatch database (UTF-8, LF)",
             "5 good rows, no problems")
def tab_tsv() -> bytes:
    rows = [["id", "lng", "lat", "坐标系", "备注"], *cn_text_rows(WUXI[3:8], wx_id)]
    return text_csv(rows, delimiter="\t", newline="\n").encode("utf-8")


@corpus_file("excel_unicode_text.txt",
             "Excel 'Unicode 文本 (*.txt)' export: UTF-16 LE with BOM, tab-separated, CRLF",
             "5 good rows, no problems")
def excel_unicode_text() -> bytes:
    rows = [["事件编号", "经度", "纬度", "坐标系", "备注"], *cn_text_rows(ZHENJIANG[1:6], zj_id)]
    return b"\xff\xfe" + text_csv(rows, delimiter="\t").encode("utf-16-le")


@corpus_file("semicolon_decimal_comma.csv",
             "European partner's Excel export: ';' separator, decimal commas (120,3065)",
             "4 good rows; warning decimal_comma")
def semicolon_decimal_comma() -> bytes:
    rows = [["id", "longitude", "latitude", "note"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[:4], start=1):
        rows.append([f"IFRC-{i}", f4(lon).replace(".", ","), f4(lat).replace(".", ","),
                     f"{place} {note}"])
    return text_csv(rows, delimiter=";").encode("utf-8-sig")


@corpus_file("fullwidth_comma.csv",
             "a list typed in Notepad with a Chinese IME: full-width comma '，' separators",
             "4 good rows, no problems")
def fullwidth_comma() -> bytes:
    lines = ["编号，经度，纬度，备注"]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[:4], start=1):
        lines.append(f"{zj_id(i)}，{f4(lon)}，{f4(lat)}，{place}{note}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# ------------------------------------------------------------------------------- headers


@corpus_file("header_shidi.csv", "a 110/120 dispatch export: headers 事发地经度/事发地纬度",
             "5 good rows, no problems")
def header_shidi() -> bytes:
    rows = [["事件编号", "事发地点", "事发地经度", "事发地纬度", "事件类型"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[:5], start=1):
        rows.append([wx_id(i), place, f4(lon), f4(lat), note])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("header_degree_unit.csv", "a survey sheet with units in the header: 经度(°)/纬度(°)",
             "4 good rows, no problems")
def header_degree_unit() -> bytes:
    rows = [["编号", "名称", "经度(°)", "纬度(°)"]]
    for i, (place, lon, lat, _note) in enumerate(ZHENJIANG[:4], start=1):
        rows.append([zj_id(i), place, f4(lon), f4(lat)])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("header_xy.csv", "a GIS desk export: X坐标/Y坐标 holding lon/lat degrees",
             "4 good rows, no problems")
def header_xy() -> bytes:
    rows = [["名称", "X坐标", "Y坐标", "备注"]]
    for place, lon, lat, note in WUXI[4:8]:
        rows.append([place, f4(lon), f4(lat), note])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("header_gcj_in_header.csv",
             "an Amap-based tool: headers 经度（GCJ-02）/纬度（GCJ-02） and 坐标系 高德",
             "4 good rows, converted from GCJ-02")
def header_gcj_in_header() -> bytes:
    from geo.crs import wgs84_to_gcj02

    rows = [["编号", "经度（GCJ-02）", "纬度（GCJ-02）", "坐标系"]]
    for i, (_place, lon, lat, _note) in enumerate(ZHENJIANG[2:6], start=1):
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        rows.append([zj_id(i), f"{float(g_lon):.6f}", f"{float(g_lat):.6f}", "高德"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("pair_lonlat.csv", "one column 经纬度 '120.3065,31.5640' (lon first), as copied "
             "from a map's coordinate picker", "5 good rows, no problems")
def pair_lonlat() -> bytes:
    rows = [["编号", "经纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[:5], start=1):
        rows.append([wx_id(i), f"{f4(lon)},{f4(lat)}", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("pair_latlon.csv",
             "one column 坐标 '31.5640, 120.3065' (lat first, as Google Maps copies it)",
             "4 good rows; warning order_assumed")
def pair_latlon() -> bytes:
    rows = [["编号", "坐标", "备注"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[1:5], start=1):
        rows.append([wx_id(i), f"{f4(lat)}, {f4(lon)}", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("pair_lnglat_amap.csv",
             "Amap open-platform export: one column lnglat in GCJ-02 (no CRS column)",
             "4 good rows; read with default_crs='gcj02', converted")
def pair_lnglat_amap() -> bytes:
    from geo.crs import wgs84_to_gcj02

    rows = [["name", "lnglat", "address"]]
    for place, lon, lat, _note in ZHENJIANG[:4]:
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        rows.append([place, f"{float(g_lon):.6f},{float(g_lat):.6f}", f"镇江市 {place}"])
    return text_csv(rows, newline="\n").encode("utf-8")


@corpus_file("pair_position_xlsx.xlsx", "Excel sheet with one column 位置坐标 '120.3065,31.5640'",
             "4 good rows, no problems")
def pair_position_xlsx() -> bytes:
    rows = [["名称", "位置坐标", "备注"]]
    for place, lon, lat, note in WUXI[4:8]:
        rows.append([place, f"{f4(lon)},{f4(lat)}", note])
    return xlsx_book([{"name": "Sheet1", "rows": rows}])


@corpus_file("pair_bad.csv", "a 经纬度 column with typing slips",
             "2 good rows (2, 7); errors row 3 not_a_pair (one number), row 4 "
             "order_ambiguous (E written twice), row 5 outside_china (two latitudes; "
             "order_ambiguous also accepted), row 6 not_a_pair (three numbers)")
def pair_bad() -> bytes:
    rows = [["编号", "经纬度", "备注"],
            [wx_id(1), "120.3065,31.5640", "南长街 老人晕倒"],
            [wx_id(2), "120.3045", "无锡站 只填了经度"],
            [wx_id(3), "E120.3020,E31.5765", "三阳广场 两个都写了E"],
            [wx_id(4), "31.5640,31.5875", "两个纬度"],
            [wx_id(5), "120.2275,31.5205,12", "多了高程"],
            [wx_id(6), "120.2695,31.5815", "惠山古镇 游客中暑"]]
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("amap_poi_export.csv",
             "Amap POI search export (名称/地址/经度/纬度 in GCJ-02, no CRS column)",
             "5 good rows; read with default_crs='gcj02', converted")
def amap_poi_export() -> bytes:
    from geo.crs import wgs84_to_gcj02

    rows = [["名称", "地址", "经度", "纬度"]]
    for place, lon, lat, _note in WUXI[:5]:
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        rows.append([place, f"无锡市 {place}", f"{float(g_lon):.6f}", f"{float(g_lat):.6f}"])
    return text_csv(rows).encode("utf-8-sig")


# --------------------------------------------------------------------------- coordinates


@corpus_file("dms_symbols.csv",
             "a field team's sheet in degrees-minutes-seconds: 120°18'23.4\"E, 120°13.65', "
             "120°18′16.2″",
             "3 good rows (DMS, decimal minutes, primes), no problems")
def dms_symbols() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"]]
    place, lon, lat, note = WUXI[1]
    d, m, s = dms(lon)
    d2, m2, s2 = dms(lat)
    rows.append([wx_id(1), f"{d}°{m}'{s}\"E", f"{d2}°{m2}'{s2}\"N", f"{place} {note}"])
    place, lon, lat, note = WUXI[0]
    rows.append([wx_id(2), f"{int(lon)}°{(lon % 1) * 60:.2f}'",
                 f"{int(lat)}°{(lat % 1) * 60:.2f}'", f"{place} {note}"])
    place, lon, lat, note = WUXI[2]
    d, m, s = dms(lon)
    d2, m2, s2 = dms(lat)
    rows.append([wx_id(3), f"{d}°{m}′{s}″", f"{d2}°{m2}′{s2}″", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("dms_chinese.csv", "hand-typed Chinese DMS: 119度25分33.6秒 (one with 东经/北纬)",
             "3 good rows, no problems")
def dms_chinese() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[:3], start=1):
        d, m, s = dms(lon)
        d2, m2, s2 = dms(lat)
        lon_text, lat_text = f"{d}度{m}分{s}秒", f"{d2}度{m2}分{s2}秒"
        if i == 3:
            lon_text, lat_text = "东经" + lon_text, "北纬" + lat_text
        rows.append([zj_id(i), lon_text, lat_text, f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("prefix_en.csv", "GPS handset export: E120.3065 / N31.5640", "4 good rows")
def prefix_en() -> bytes:
    rows = [["id", "longitude", "latitude", "note"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[:4], start=1):
        rows.append([wx_id(i), f"E{f4(lon)}", f"N{f4(lat)}", f"{place} {note}"])
    return text_csv(rows).encode("utf-8")


@corpus_file("prefix_zh.csv", "a report typed in Chinese: 东经119.4260 / 北纬32.2140",
             "4 good rows")
def prefix_zh() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[:4], start=1):
        rows.append([zj_id(i), f"东经{f4(lon)}", f"北纬{f4(lat)}", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("fullwidth_digits.csv", "numbers typed in full-width mode: １２０．３０６５",
             "4 good rows, no problems")
def fullwidth_digits() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"]]
    for i, (place, lon, lat, note) in enumerate(WUXI[1:5], start=1):
        rows.append([wx_id(i), fullwidth(f4(lon)), fullwidth(f4(lat)), f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("dms_bad.csv",
             "DMS typing slips: 78 minutes, W for a Chinese longitude, E in the 纬度 column",
             "2 good rows (2, 6); errors row 3 bad_dms, row 4 outside_china (W makes it "
             "-120.3; wrong_hemisphere also accepted), row 5 wrong_hemisphere")
def dms_bad() -> bytes:
    rows = [["编号", "经度", "纬度", "备注"],
            [wx_id(1), "120°18'23.4\"E", "31°33'50.4\"N", "南长街 老人晕倒"],
            [wx_id(2), "120°78'10\"E", "31°31'13.8\"N", "分写成78"],
            [wx_id(3), "120°18'16.2\"W", "31°35'15.0\"N", "写成西经"],
            [wx_id(4), "120°16'10.2\"E", "31°34'53.4\"E", "纬度也写了E"],
            [wx_id(5), "120°16'10.2\"E", "31°34'53.4\"N", "惠山古镇 游客中暑"]]
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("two_numbers.csv",
             "both coordinates typed into the 经度 cell: '120.3045 31.5875' (纬度 left empty)",
             "3 good rows; error row 3 two_numbers (never read as 120.30453158...)")
def two_numbers() -> bytes:
    rows = [XLS_HEADER, *cn_text_rows(WUXI[:1], wx_id)]
    rows.append([wx_id(2), "120.3045 31.5875", "", "WGS84", "无锡站 旅客晕倒"])
    rows += cn_text_rows(WUXI[3:5], wx_id, start=3)
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("outside_china.csv",
             "a sheet with a (0, 0) placeholder row and a western-hemisphere sign slip",
             "3 good rows; errors row 3 outside_china (0,0), row 5 outside_china (-120.3065)")
def outside_china() -> bytes:
    rows = [XLS_HEADER, *cn_text_rows(WUXI[:1], wx_id),
            [wx_id(2), "0", "0", "WGS84", "坐标待补"],
            *cn_text_rows(WUXI[2:3], wx_id, start=3),
            [wx_id(4), "-120.3065", "31.5640", "WGS84", "南长街 负号手误"],
            *cn_text_rows(WUXI[4:5], wx_id, start=5)]
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("swapped.csv", "one row with 经度/纬度 swapped (31.5640 under 经度)",
             "3 good rows; error row 3 swapped_lonlat (fix_swapped=True: 4 rows, warning "
             "swapped_fixed)")
def swapped() -> bytes:
    rows = [XLS_HEADER, *cn_text_rows(WUXI[:1], wx_id),
            [wx_id(2), "31.5640", "120.3065", "WGS84", "南长街 老人晕倒"],
            *cn_text_rows(WUXI[2:4], wx_id, start=3)]
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("problems_mixed.csv",
             "a hand-kept CSV with one problem per row: words for a number, an empty cell, "
             "200.5°, 北京54, an unquoted comma in a note",
             "2 good rows (2, 8); errors row 3 not_a_number, 4 empty_cell, 5 out_of_range, "
             "6 unknown_crs, 7 too_many_cells")
def problems_mixed() -> bytes:
    lines = ["编号,经度,纬度,坐标系,备注",
             f"{zj_id(1)},119.4260,32.2140,WGS84,西津渡 游客摔倒",
             f"{zj_id(2)},一百一十九点四,32.2210,WGS84,金山寺 老人胸痛",
             f"{zj_id(3)},119.4530,,WGS84,北固山 纬度漏填",
             f"{zj_id(4)},200.5,32.2265,WGS84,焦山 多打了数字",
             f"{zj_id(5)},119.4385,32.2045,北京54,镇江站 旅客晕倒",
             f"{zj_id(6)},119.4260,32.1640,WGS84,南山 登山者骨折,已送医",
             f"{zj_id(7)},119.4120,32.2210,WGS84,金山 游客中暑"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@corpus_file("broken_quote.csv",
             "a CSV whose note in row 4 opens a quote and never closes it",
             "5 good rows; error row 4 broken_quote, rows 5-7 still read")
def broken_quote() -> bytes:
    lines = ["编号,经度,纬度,坐标系,备注"]
    for i, (place, lon, lat, note) in enumerate(WUXI[:6], start=1):
        text = f'"{place} {note}' if i == 3 else f"{place} {note}"
        lines.append(f"{wx_id(i)},{f4(lon)},{f4(lat)},WGS84,{text}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@corpus_file("gcj02_gaode.csv", "a list from Amap users: 坐标系 高德 / GCJ-02",
             "4 good rows, converted GCJ-02 -> WGS84")
def gcj02_gaode() -> bytes:
    from geo.crs import wgs84_to_gcj02

    rows = [XLS_HEADER]
    for i, (place, lon, lat, note) in enumerate(WUXI[:4], start=1):
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        rows.append([wx_id(i), f"{float(g_lon):.6f}", f"{float(g_lat):.6f}",
                     "高德" if i % 2 else "GCJ-02", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("bd09_baidu.csv", "a list from Baidu Maps users: 坐标系 百度 / BD-09",
             "4 good rows, converted BD-09 -> WGS84")
def bd09_baidu() -> bytes:
    from geo.crs import wgs84_to_bd09

    rows = [XLS_HEADER]
    for i, (place, lon, lat, note) in enumerate(ZHENJIANG[:4], start=1):
        b_lon, b_lat = wgs84_to_bd09(lon, lat)
        rows.append([zj_id(i), f"{float(b_lon):.6f}", f"{float(b_lat):.6f}",
                     "百度" if i % 2 else "BD-09", f"{place} {note}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("zhenjiang_with_nanjing.csv",
             "a Zhenjiang list with one incident in Nanjing (新街口)",
             "4 good rows; with boundaries: warning outside_city on row 4")
def zhenjiang_with_nanjing() -> bytes:
    rows = [XLS_HEADER, *cn_text_rows(ZHENJIANG[:2], zj_id),
            *cn_text_rows([NANJING], zj_id, start=3),
            *cn_text_rows(ZHENJIANG[2:3], zj_id, start=4)]
    return text_csv(rows).encode("utf-8-sig")


# -------------------------------------------------------------------- structure problems


@corpus_file("header_only.csv", "a template downloaded and sent back unfilled",
             "whole-file error header_only")
def header_only() -> bytes:
    return text_csv([XLS_HEADER]).encode("utf-8-sig")


@corpus_file("missing_lat.csv", "a sheet with 经度 but no latitude column (地址 instead)",
             "whole-file error missing_column (role lat)")
def missing_lat() -> bytes:
    rows = [["编号", "经度", "地址"]]
    for i, (place, lon, _lat, _note) in enumerate(WUXI[:3], start=1):
        rows.append([wx_id(i), f4(lon), f"无锡市 {place}"])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("generic_fields.csv",
             "a database dump with generic headers 字段1..字段4",
             "whole-file error missing_column; with columns= mapping: 4 good rows")
def generic_fields() -> bytes:
    rows = [["字段1", "字段2", "字段3", "字段4"]]
    for i, (place, lon, lat, _note) in enumerate(ZHENJIANG[:4], start=1):
        rows.append([zj_id(i), place, f4(lon), f4(lat)])
    return text_csv(rows).encode("utf-8-sig")


@corpus_file("empty.csv", "an empty upload (0 bytes)", "whole-file error empty_file")
def empty_csv() -> bytes:
    return b""


@corpus_file("blank_lines.csv", "a CSV of only blank lines and spaces, with a BOM",
             "whole-file error empty_file")
def blank_lines() -> bytes:
    return "\r\n  \r\n\t\r\n".encode("utf-8-sig")


@corpus_file("latin1.csv", "a Windows-1252 (Latin-1) CSV from a European partner",
             "whole-file error bad_encoding")
def latin1() -> bytes:
    rows = [["id", "lon", "lat", "note"],
            ["1", "120.3065", "31.5640", "Café, Nanchang street"],
            ["2", "119.4260", "32.2140", "Xijindu, bléssé"]]
    return text_csv(rows).encode("cp1252")


def png_bytes() -> bytes:
    """A 16 x 16 red cross on white, as a PNG (written by hand: no encoder settings vary)."""
    size = 16
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # filter: none
        for x in range(size):
            red = 6 <= x < 10 or 6 <= y < 10
            raw += bytes((220, 20, 30) if red else (255, 255, 255))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


@corpus_file("png_named.csv", "a screenshot (PNG) renamed to .csv",
             "whole-file error binary_file")
def png_named() -> bytes:
    return png_bytes()


@corpus_file("report.docx", "a Word report uploaded instead of the table",
             "whole-file error unsupported_type (ext docx)")
def report_docx() -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>2024年7月15日 鼋头渚 游客落水事件报告：经度120.2275，"
        "纬度31.5205。</w:t></w:r></w:p></w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in (("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("word/document.xml", document)):
            book.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), text.encode("utf-8"),
                          compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@corpus_file("report.pdf", "a PDF situation report uploaded instead of the table",
             "whole-file error unsupported_type (ext pdf)")
def report_pdf() -> bytes:
    stream = b"BT /F1 12 Tf 72 720 Td (Incident report 2024-07-15: 120.2275, 31.5205) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# ------------------------------------------------------------------------------------ main


def readme() -> str:
    lines = [
        "# Incident-upload corpus",
        "",
        "Written by `scripts/make_corpus.py` (deterministic: run it again for byte-identical "
        "files); the expected outcome of each file is asserted in `tests/test_corpus.py`. "
        "Rows are numbered as a spreadsheet shows them (the header of a plain file is row 1). "
        "Points are at public places in Wuxi and Zhenjiang (WGS84 unless the file says "
        "otherwise). The 200,000-character-cell case and the size-cap case are generated in "
        "the test at run time, not stored here.",
        "",
        "| file | imitates | expected outcome |",
        "| --- | --- | --- |",
    ]
    for name, (_builder, imitates, outcome) in FILES.items():
        cell, result = (text.replace("|", "\\|") for text in (imitates, outcome))
        lines.append(f"| `{name}` | {cell} | {result} |")
    return "\n".join(lines) + "\n"


def build(out: Path) -> list[Path]:
    """Write every corpus file and the README into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (builder, _imitates, _outcome) in FILES.items():
        data = builder()
        if len(data) >= MAX_FILE_BYTES:
            msg = f"{name} is {len(data)} bytes, over {MAX_FILE_BYTES}"
            raise RuntimeError(msg)
        path = out / name
        path.write_bytes(data)
        written.append(path)
    path = out / "README.md"
    path.write_text(readme(), encoding="utf-8")
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} files to {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
