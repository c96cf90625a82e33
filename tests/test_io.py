"""Tests for geo.io: reading uploads into raw tables, writing CSV/XLSX/GeoJSON/GPKG downloads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo.errors import DataError, ValidationError
from geo.io import (
    RawTable,
    load_bytes,
    read_table,
    to_csv_bytes,
    to_geojson_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from geo.validate import Report
from tests.conftest import xlsx_bytes

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "\t=1", "\r=1", "-2+3",
              "=1+1"]
NUMBERS = ["-120.5", "-2", "+3", "120.3"]


def _codes(report: Report) -> list[tuple]:
    return [(p.row, p.column, p.code, p.severity) for p in report.problems]




def _xlsx_rows(raw: bytes) -> list[list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [list(row) for row in book.active.iter_rows()]


def _lon_lat_score(header: list[str]) -> float:
    return float(len({"lon", "lat"} & {h.lower() for h in header}))


def _numbered(table: RawTable) -> list[tuple[int, list]]:
    return list(zip(table.row_numbers, table.rows, strict=True))


@pytest.fixture(scope="module")
def batch() -> gpd.GeoDataFrame:
    """Nearest-resource answers for two incidents on the Wuxi demo: LineString geometry."""
    from geo.batch import nearest_for_incidents
    from geo.datasets import load_demo
    from geo.incidents import read_incidents
    from geo.nearest import ResourceIndex

    ds = load_demo("wuxi")
    index = ResourceIndex(ds.resources)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["编号", "经度", "纬度", "备注"],
                      ["A1", "120.3", "31.57", '=HYPERLINK("http://x","y")'],
                      ["A2", "120.25", "31.52", "鼋头渚 落水"]])
    incidents, report = read_incidents(buffer.getvalue(), "batch.csv")
    assert not report.problems, report.summary()
    return nearest_for_incidents(index, incidents)


# ------------------------------------------------------------------ read_table


def test_read_table_plain_csv_keeps_file_row_numbers():
    report = Report()
    table = read_table(b"a,b\n1,2\n\n,\n3,4\n", "t.csv", report)
    assert isinstance(table, RawTable)
    assert report.problems == []
    assert (table.header_row, table.header, table.sheet) == (1, ["a", "b"], None)
    assert _numbered(table) == [(2, ["1", "2"]), (5, ["3", "4"])]  # blank rows left out


def test_read_table_header_below_blank_lines():
    report = Report()
    table = read_table(b"\n\nlon,lat\n120.3,31.57\n", "t.csv", report)
    assert table is not None
    assert table.header_row == 3 and _numbered(table) == [(4, ["120.3", "31.57"])]
    assert report.problems == []  # blank lines are not title lines: nothing to say


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16",
                                      "utf-16-le-bom", "utf-16-be-bom"])
def test_read_table_encodings(encoding: str):
    text = "编号,经度,纬度\n事件1,120.3,31.57\n"
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        bom = "\ufeff".encode(codec)
        raw = bom + text.encode(codec)
    else:
        raw = text.encode(encoding)
    report = Report()
    table = read_table(raw, "导出.csv", report)
    assert report.problems == []
    assert table is not None
    assert table.header == ["编号", "经度", "纬度"]
    assert _numbered(table) == [(2, ["事件1", "120.3", "31.57"])]


def test_read_table_utf8_bom_is_not_in_the_header():
    table = read_table("lon,lat\n1,2\n".encode("utf-8-sig"), "a.csv", Report())
    assert table is not None and table.header == ["lon", "lat"]


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "a.tsv"), ("\t", "a.txt"),
                                                 (";", "a.csv"), ("|", "a.csv"),
                                                 ("\uff0c", "a.csv")])
def test_read_table_delimiters(delimiter: str, name: str):
    text = delimiter.join(["名称", "lon", "lat"]) + "\n" + delimiter.join(["p", "1", "2"]) + "\n"
    table = read_table(text.encode("utf-8"), name, Report())
    assert table is not None
    assert table.header == ["名称", "lon", "lat"] and _numbered(table) == [(2, ["p", "1", "2"])]


def test_read_table_delimiter_is_found_under_a_title_line():
    text = "2024年7月 事件清单\n编号;lon;lat\nA;120,3;31,5\nB;120,4;31,6\n"
    report = Report()
    table = read_table(text.encode("gbk"), "eu.csv", report, score=_lon_lat_score)
    assert table is not None and table.header == ["编号", "lon", "lat"]
    assert _numbered(table)[0] == (3, ["A", "120,3", "31,5"])
    assert [(p.code, p.params["row"]) for p in report.problems] == [("header_row_found", 2)]


def test_read_table_utf16_tab_export_from_excel():
    text = "编号\t经度\t纬度\r\nA\t120.3\t31.57\r\n"
    table = read_table(text.encode("utf-16"), "unicode.txt", Report())
    assert table is not None and _numbered(table) == [(2, ["A", "120.3", "31.57"])]


def test_read_table_title_lines_are_skipped_by_the_score_and_said():
    text = "突发事件清单\n制表：应急办 2024-07-01\n\nid,lon,lat\nA,120.3,31.57\n"
    report = Report()
    table = read_table(text.encode("utf-8"), "t.csv", report, score=_lon_lat_score)
    assert table is not None and table.header_row == 4 and table.header_guess == 4
    assert _numbered(table) == [(5, ["A", "120.3", "31.57"])]
    assert _codes(report) == [(None, None, "header_row_found", "warning")]
    # Without a score, a one-cell title line is still not taken for the header.
    plain = read_table(text.encode("utf-8"), "t.csv", Report())
    assert plain is not None and plain.header_row == 4


def test_read_table_header_row_can_be_forced():
    text = "id,lon,lat\nnote,x,y\nA,120.3,31.57\n"
    report = Report()
    table = read_table(text.encode(), "t.csv", report, score=_lon_lat_score, header_row=2)
    assert table is not None and table.header == ["note", "x", "y"] and table.header_guess == 1
    assert _numbered(table) == [(3, ["A", "120.3", "31.57"])]
    assert report.problems == []
    bad = Report()
    assert read_table(text.encode(), "t.csv", bad, header_row=40) is None
    assert [p.code for p in bad.problems] == ["bad_header_row"]


def test_read_table_two_row_merged_header():
    rows = [["序号", "事发地点", "坐标", None, "备注"],
            [None, None, "lon", "lat", None],
            [1, "南长街", 120.3065, 31.564, "x"]]
    table = read_table(xlsx_bytes(("数据", rows)), "m.xlsx", Report(), score=_lon_lat_score)
    assert table is not None and table.header_row == 2
    assert table.header == ["序号", "事发地点", "lon", "lat", "备注"]
    assert _numbered(table) == [(3, [1, "南长街", 120.3065, 31.564, "x"])]


def test_read_table_unterminated_quote_is_one_row_error_not_lost_rows():
    text = ('id,lon,lat,note\nA,120.1,31.5,ok\nB,120.2,31.5,"broken\nC,120.3,31.5,ok\n'
            'D,120.4,31.5,ok\n')
    report = Report()
    table = read_table(text.encode(), "q.csv", report)
    assert table is not None
    assert [n for n, _ in _numbered(table)] == [2, 4, 5]
    assert _codes(report) == [(3, None, "broken_quote", "error")]
    assert table.n_dropped == 1


def test_read_table_real_line_break_inside_quotes_is_kept():
    text = 'id,lon,lat,note\nA,120.1,31.5,"line one\nline two"\nB,120.2,31.5,ok\n'
    report = Report()
    table = read_table(text.encode(), "q.csv", report)
    assert table is not None and report.problems == []
    assert _numbered(table) == [(2, ["A", "120.1", "31.5", "line one\nline two"]),
                                (4, ["B", "120.2", "31.5", "ok"])]


def test_read_table_huge_cell_is_a_row_error():
    raw = b'lon,lat,note\n120.1,31.5,"' + b"a" * 200_000 + b'"\n120.2,31.6,ok\n'
    report = Report()
    table = read_table(raw, "big.csv", report)
    assert table is not None and _numbered(table) == [(3, ["120.2", "31.6", "ok"])]
    assert _codes(report) == [(2, None, "cell_too_long", "error")]
    assert report.problems[0].params == {"n_chars": 200_000, "limit": 32_767}


def test_read_table_one_undecodable_line_is_a_row_error():
    good = "编号,经度,纬度\n".encode() + b"".join(
        f"A{i},120.3,31.5\n".encode() for i in range(200))
    raw = good + b"B\xff\xfe,120.4,31.6\n"
    report = Report()
    table = read_table(raw, "mixed.csv", report)
    assert table is not None and len(table.rows) == 200
    assert _codes(report) == [(202, None, "bad_bytes", "error")]


def test_read_table_xlsx_score_chooses_the_data_sheet():
    raw = xlsx_bytes(("说明", [["请在第二个表里填写"], ["第二行说明"]]),
                    ("数据", [[None], ["ID", "lon", "lat"], [1001, 120.3, 31.57],
                              [None, None, None], [1002, 119.43, 32.21]]))
    report = Report()
    table = read_table(raw, "two.xlsx", report, score=_lon_lat_score)
    assert table is not None
    assert table.sheet == "数据" and table.sheets == ["说明", "数据"]
    assert table.header_row == 2 and table.header == ["ID", "lon", "lat"]
    assert _numbered(table) == [(3, [1001, 120.3, 31.57]), (5, [1002, 119.43, 32.21])]
    assert _codes(report) == [(None, None, "sheet_chosen", "warning")]
    assert report.problems[0].params == {"sheet": "数据", "others": ["说明"]}
    forced = read_table(raw, "two.xlsx", Report(), score=_lon_lat_score, sheet="说明")
    assert forced is not None and forced.sheet == "说明"
    missing = Report()
    assert read_table(raw, "two.xlsx", missing, sheet="无") is None
    assert [p.code for p in missing.problems] == ["unknown_sheet"]


def test_read_table_xlsx_without_score_reads_the_first_sheet_with_data():
    raw = xlsx_bytes(("说明", [["见第二页"]]), ("数据", [["lon", "lat"], [120.3, 31.57]]))
    table = read_table(raw, "two.xlsx", Report())
    assert table is not None and table.sheet == "数据"  # a cover note has no data rows
    nothing_matches = read_table(raw, "two.xlsx", Report(), score=lambda header: 0.0)
    assert nothing_matches is not None and nothing_matches.sheet == "数据"
    both = xlsx_bytes(("一", [["a", "b"], [1, 2]]), ("二", [["lon", "lat"], [120.3, 31.57]]))
    first = read_table(both, "two.xlsx", Report())
    assert first is not None and first.sheet == "一"


def test_read_table_skips_empty_sheets_without_a_warning():
    raw = xlsx_bytes(("空", []), ("数据", [["lon", "lat"], [120.3, 31.57]]))
    report = Report()
    table = read_table(raw, "a.xlsx", report)
    assert table is not None and table.sheet == "数据"
    assert report.problems == []


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_read_table_old_excel_and_open_document(tmp_path: Path, fmt: str):
    frame = pd.DataFrame({"编号": ["A", "B"], "lon": [120.3, 119.43], "lat": [31.57, 32.21]})
    path = tmp_path / f"t.{fmt}"
    if fmt == "ods":
        frame.to_excel(path, index=False, engine="odf", sheet_name="数据")
    else:
        import xlwt

        book = xlwt.Workbook()
        sheet = book.add_sheet("数据")
        for r, row in enumerate([list(frame.columns), *frame.values.tolist()]):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        book.save(str(path))
    report = Report()
    table = read_table(path.read_bytes(), path.name, report, score=_lon_lat_score)
    assert report.problems == [] and table is not None
    assert table.sheet == "数据" and table.header == ["编号", "lon", "lat"]
    assert _numbered(table) == [(2, ["A", 120.3, 31.57]), (3, ["B", 119.43, 32.21])]


def test_read_table_workbook_with_a_csv_name_is_read_with_a_warning():
    raw = xlsx_bytes(("s", [["lon", "lat"], [120.3, 31.57]]))
    report = Report()
    table = read_table(raw, "really.csv", report)
    assert table is not None and _numbered(table) == [(2, [120.3, 31.57])]
    assert _codes(report) == [(None, None, "workbook_named_csv", "warning")]


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\x00\x00",
                                 b",,,\n,,\n"])
def test_read_table_empty_file(raw: bytes):
    report = Report()
    assert read_table(raw, "empty.csv", report) is None
    assert _codes(report) == [(None, None, "empty_file", "error")]
    assert report.fatal


def test_read_table_workbook_with_only_empty_sheets_is_an_empty_file():
    report = Report()
    assert read_table(xlsx_bytes(("a", []), ("b", [[None, None]])), "e.xlsx", report) is None
    assert [p.code for p in report.problems] == ["empty_file"]


@pytest.mark.parametrize("raw", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"\x00\x01\x02lon,lat\n",
])
def test_read_table_binary_junk(raw: bytes):
    report = Report()
    assert read_table(raw, "upload.csv", report) is None
    assert report.fatal
    assert [p.code for p in report.problems] in (["binary_file"], ["bad_encoding"])


@pytest.mark.parametrize(("raw", "filename", "code", "fix_code", "params"), [
    (b"lon,lat\n\x80\xff,1\n", "a.csv", "bad_encoding", "save_csv_utf8_or_xlsx", {}),
    (b"\x00\x01\x02lon,lat\n", "a.csv", "binary_file", "upload_table", {}),
    (b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx", "bad_workbook", "save_xlsx_or_csv",
     None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "bad_workbook",
     "save_xlsx_or_csv", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "renamed.csv", "bad_workbook",
     "save_xlsx_or_csv", None),
    (b"lon,lat\n120.3,31.57\n", "wrong.xlsx", "not_a_workbook", "rename_csv", {"ext": ".xlsx"}),
    (b"lon,lat\n120.3,31.57\n", "wrong.ods", "not_a_workbook", "rename_csv", {"ext": ".ods"}),
    (b"{}", "points.json", "unsupported_type", "upload_table",
     {"ext": ".json", "accepted": ".csv .tsv .txt .xlsx .xlsm .xls .ods"}),
    (b"%PDF-1.4", "scan.pdf", "unsupported_type", "upload_table", None),
])
def test_read_table_whole_file_errors(raw: bytes, filename: str, code: str,
                                      fix_code: str | None, params: dict | None):
    report = Report()
    assert read_table(raw, filename, report) is None
    problems = [p for p in report.problems if p.code != "workbook_named_csv"]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.row, problem.column, problem.code, problem.severity) == (None, None, code,
                                                                            "error")
    assert problem.fix_code == fix_code
    if params is not None:
        assert problem.params == params


@pytest.mark.parametrize("first", ["BMI,lon,lat", "GIF,lon,lat", "Rar,lon,lat", "PDF,lon,lat"])
def test_read_table_text_starting_like_a_binary_signature_is_still_text(first: str):
    table = read_table(f"{first}\n1,120.3,31.57\n".encode(), "t.csv", Report())
    assert table is not None and table.header == first.split(",")


def test_read_table_size_cap_is_checked_before_parsing():
    report = Report()
    raw = b"lon,lat\n" + b"120.3,31.57\n" * 1000
    assert read_table(raw, "big.csv", report, max_bytes=1000) is None
    assert _codes(report) == [(None, None, "upload_too_large", "error")]
    assert report.problems[0].params == {"size_mb": 0.0, "limit_mb": 0.0}
    assert read_table(raw, "big.csv", Report(), max_bytes=len(raw)) is not None


def test_read_table_and_load_bytes_accept_paths_and_text(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"lon,lat\n120.3,31.57\n")
    for data in (path, str(path), "lon,lat\n120.3,31.57\n", path.read_bytes()):
        table = read_table(data, "in.csv", Report())
        assert table is not None and _numbered(table) == [(2, ["120.3", "31.57"])]
    assert load_bytes(bytearray(b"ab")) == b"ab"
    assert load_bytes("x\ny") == b"x\ny"


def test_load_bytes_errors(tmp_path: Path):
    with pytest.raises(DataError, match="file not found"):
        load_bytes(tmp_path / "nope.csv")
    with pytest.raises(ValidationError, match="data must be bytes, str or Path, got int"):
        load_bytes(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------ CSV


def test_csv_of_batch_output_writes_lines_as_wkt(batch: gpd.GeoDataFrame):
    raw = to_csv_bytes(batch)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert "geometry" not in back.columns
    assert len(back) == len(batch)
    assert back["geometry_wkt"].str.startswith("LINESTRING (").all()
    assert {"incident_lon", "incident_lat", "lon", "lat"} <= set(back.columns)
    first = back.iloc[0]
    assert first["geometry_wkt"].startswith(
        f"LINESTRING ({first['incident_lon']} {first['incident_lat']}, ")
    assert set(back["incident"]) == {"A1", "A2"}
    assert back["name"].str.contains("[\u4e00-\u9fff]").any()  # Chinese readable


def test_csv_keeps_existing_lon_lat_and_adds_them_for_points():
    gdf = gpd.GeoDataFrame({"名称": ["无锡站"]}, geometry=gpd.points_from_xy([120.3], [31.59]),
                           crs="EPSG:4326")
    assert to_csv_bytes(gdf).decode("utf-8-sig").splitlines() == ["名称,lon,lat",
                                                                 "无锡站,120.3,31.59"]
    assert to_csv_bytes(pd.DataFrame({"a": [1]})).decode("utf-8-sig").splitlines() == ["a", "1"]


def test_csv_reprojects_to_wgs84():
    metric = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.3], [31.57]),
                              crs="EPSG:4326").to_crs("EPSG:4549")
    back = pd.read_csv(io.BytesIO(to_csv_bytes(metric)), encoding="utf-8-sig")
    assert back["lon"].iloc[0] == pytest.approx(120.3) and back["lat"].iloc[0] == pytest.approx(
        31.57)


def test_csv_mixed_geometry_goes_to_wkt():
    gdf = gpd.GeoDataFrame(
        {"k": ["p", "poly", "none"]},
        geometry=[Point(120.3, 31.5), Polygon([(120, 31), (121, 31), (121, 32)]), None],
        crs="EPSG:4326")
    back = pd.read_csv(io.BytesIO(to_csv_bytes(gdf)), encoding="utf-8-sig", dtype=str)
    assert back["geometry_wkt"].tolist()[:2] == ["POINT (120.3 31.5)",
                                                 "POLYGON ((120 31, 121 31, 121 32, 120 31))"]
    assert pd.isna(back["geometry_wkt"].iloc[2])
    assert "lon" not in back.columns


def test_csv_datetimes_are_iso():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-07-01 08:30", None]),
                          "day": [pd.Timestamp("2024-07-02").date(), None]})
    lines = to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert lines == ["when,day", "2024-07-01T08:30:00,2024-07-02", ","]


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_defuses_formulas(text: str):
    raw = to_csv_bytes(pd.DataFrame({"note": [text, "ok"], "n": [1, 2]}))
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["note"].tolist() == ["'" + text, "ok"]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [["note", "n"], ["'" + text, "1"], ["ok", "2"]]  # a CR inside is quoted


@pytest.mark.parametrize("text", NUMBERS)
def test_csv_leaves_numbers_as_they_are(text: str):
    raw = to_csv_bytes(pd.DataFrame({"note": [text], "x": [-120.5]}))
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    assert back["note"].tolist() == [text]
    assert back["x"].tolist() == ["-120.5"]


def test_csv_defuses_column_names():
    raw = to_csv_bytes(pd.DataFrame({"=cmd|' /C calc'!A0": ["x"]}))
    assert raw.decode("utf-8-sig").splitlines()[0] == "'=cmd|' /C calc'!A0"


# ------------------------------------------------------------------ XLSX


def test_xlsx_of_batch_output(batch: gpd.GeoDataFrame):
    rows = _xlsx_rows(to_xlsx_bytes(batch, sheet_name="最近资源"))
    header = [c.value for c in rows[0]]
    assert "geometry_wkt" in header and "incident_lon" in header and "geometry" not in header
    wkt = header.index("geometry_wkt")
    assert all(str(r[wkt].value).startswith("LINESTRING (") for r in rows[1:])
    assert len(rows) == len(batch) + 1
    lon = header.index("incident_lon")
    assert all(r[lon].data_type == "n" for r in rows[1:])
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(batch, sheet_name="最近资源")))
    assert book.sheetnames == ["最近资源"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_text_is_never_a_formula(text: str):
    rows = _xlsx_rows(to_xlsx_bytes(pd.DataFrame({"note": [text]})))
    cell = rows[1][0]
    assert cell.data_type == "s"
    assert cell.value == "'" + text.replace("\r", "\n")  # XML reads a lone CR as LF


def test_xlsx_formula_in_a_non_text_object_column_is_defused():
    class Odd:
        def __str__(self) -> str:
            return "=1+1"

    rows = _xlsx_rows(to_xlsx_bytes(pd.DataFrame({"o": [Odd()], "c": ["\x01=2+2"]})))
    assert [(c.value, c.data_type) for c in rows[1]] == [("'=1+1", "s"), ("'=2+2", "s")]


@pytest.mark.parametrize("text", NUMBERS)
def test_xlsx_number_text_stays_text_without_apostrophe(text: str):
    rows = _xlsx_rows(to_xlsx_bytes(pd.DataFrame({"note": [text], "x": [-120.5]})))
    assert (rows[1][0].value, rows[1][0].data_type) == (text, "s")
    assert (rows[1][1].value, rows[1][1].data_type) == (-120.5, "n")


def test_xlsx_types_missing_values_and_dates():
    frame = pd.DataFrame({
        "i": pd.array([1, None], dtype="Int64"), "f": [1.5, np.nan], "b": [True, False],
        "s": ["鼋头渚", None], "when": pd.to_datetime(["2024-07-01 08:30", None]),
        "inf": [np.inf, 2.0]})
    rows = _xlsx_rows(to_xlsx_bytes(frame))
    assert [c.value for c in rows[0]] == ["i", "f", "b", "s", "when", "inf"]
    assert [c.value for c in rows[1]] == [1, 1.5, True, "鼋头渚", "2024-07-01T08:30:00", None]
    assert [c.value for c in rows[2]] == [None, None, False, None, None, 2]


def test_xlsx_sheet_name_is_made_legal():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"a": [1]}),
                                                           sheet_name="a/b:c" + "x" * 40)))
    assert book.sheetnames == ["a_b_c" + "x" * 26]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"a": [1]}),
                                                           sheet_name="")))
    assert book.sheetnames == ["Sheet1"]


def test_xlsx_reads_back_through_read_table():
    gdf = gpd.GeoDataFrame({"编号": ["A"]}, geometry=[Point(120.3, 31.57)], crs="EPSG:4326")
    table = read_table(to_xlsx_bytes(gdf), "back.xlsx", Report())
    assert table is not None
    assert table.header == ["编号", "lon", "lat"] and _numbered(table) == [(2, ["A", 120.3, 31.57])]


# ------------------------------------------------------------------ GeoJSON


def test_geojson_keeps_chinese_and_is_valid_json(batch: gpd.GeoDataFrame):
    raw = to_geojson_bytes(batch)
    assert "鼋头渚".encode() in raw or any("\u4e00" <= ch <= "\u9fff" for ch in raw.decode())
    assert b"\\u" not in raw
    doc = json.loads(raw)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(batch)
    assert doc["features"][0]["geometry"]["type"] == "LineString"
    assert "id" not in doc["features"][0]


def test_geojson_dates_numbers_and_plain_frames():
    gdf = gpd.GeoDataFrame(
        {"name": ["鼋头渚"], "n": [np.int64(3)], "when": [pd.Timestamp("2024-07-01 08:30")]},
        geometry=gpd.points_from_xy([120.2275], [31.5205]), crs="EPSG:4326")
    doc = json.loads(to_geojson_bytes(gdf))
    assert doc["features"][0]["properties"] == {"name": "鼋头渚", "n": 3,
                                                "when": "2024-07-01T08:30:00"}
    plain = json.loads(to_geojson_bytes(pd.DataFrame({"lon": [120.3], "lat": [31.57]})))
    assert plain["features"][0]["geometry"]["coordinates"] == [120.3, 31.57]
    with pytest.raises(ValidationError, match="lon/lat columns"):
        to_geojson_bytes(pd.DataFrame({"x": [1]}))


# ------------------------------------------------------------------ GeoPackage


def _read_gpkg(raw: bytes, tmp_path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    path = tmp_path / "back.gpkg"
    path.write_bytes(raw)
    return gpd.read_file(path, layer=layer)


def test_gpkg_of_batch_output_reads_back(batch: gpd.GeoDataFrame, tmp_path: Path):
    raw = to_gpkg_bytes(batch, layer="nearest")
    assert raw.startswith(b"SQLite format 3\x00")
    back = _read_gpkg(raw, tmp_path, layer="nearest")
    assert back.crs.to_epsg() == 4326
    assert len(back) == len(batch)
    assert back["incident"].tolist() == batch["incident"].tolist()
    assert back["name"].tolist() == batch["name"].tolist()
    np.testing.assert_allclose(back["distance_m"], batch["distance_m"])
    assert back.geometry.geom_equals_exact(batch.geometry.reset_index(drop=True),
                                           tolerance=1e-9).all()


def test_gpkg_reprojects_and_writes_dates_and_mixed_text(tmp_path: Path):
    gdf = gpd.GeoDataFrame(
        {"when": pd.to_datetime(["2024-07-01 08:30", "2024-07-02 00:00"]),
         "mixed": [1001, "鼋头渚"], "n": pd.array([1, None], dtype="Int64")},
        geometry=[Point(120.3, 31.57), LineString([(120.3, 31.57), (120.31, 31.58)])],
        crs="EPSG:4326").to_crs("EPSG:4549")
    back = _read_gpkg(to_gpkg_bytes(gdf), tmp_path)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].x == pytest.approx(120.3)
    assert back["mixed"].tolist() == ["1001", "鼋头渚"]
    assert pd.Timestamp(back["when"].iloc[0]) == pd.Timestamp("2024-07-01 08:30")
    assert back["n"].iloc[0] == 1 and pd.isna(back["n"].iloc[1])


def test_gpkg_from_plain_frame_and_without_crs(tmp_path: Path):
    back = _read_gpkg(to_gpkg_bytes(pd.DataFrame({"lon": [120.3], "lat": [31.57]})), tmp_path)
    assert back.crs.to_epsg() == 4326 and back.geometry.iloc[0].x == 120.3
    no_crs = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(120.3, 31.57)])
    assert _read_gpkg(to_gpkg_bytes(no_crs), tmp_path).crs.to_epsg() == 4326


def test_gc_paused_restores_the_collector_also_nested_and_on_error():
    import gc

    from geo.io import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not end the outer one
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    read_table(b"lon,lat\n1,2\n", "a.csv", Report())
    assert gc.isenabled()
