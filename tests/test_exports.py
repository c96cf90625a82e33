"""Downloads: the column-wise writers of geo.io, batch answers with the user's columns, and
their localised tables (ui.downloads). Behaviour only; speed is for benchmarks/exports.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from shapely.geometry import LineString, Point

from geo.batch import ANSWER_COLUMNS, INCIDENT_COLUMNS, file_columns, nearest_for_incidents
from geo.errors import ValidationError
from geo.incidents import read_incidents
from geo.io import (
    _column_letters,
    _csv_bytes,
    _float_texts,
    _safe_text_frame,
    to_csv_bytes,
    to_geojson_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from geo.nearest import ResourceIndex
from ui.downloads import HEADER_KEYS, localised, localised_geojson_frame
from ui.i18n import t

HOSTILE = '=HYPERLINK("http://x","y")'
INJECTIONS = [HOSTILE, "=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-x"]
NUMBERS = ["-120.5", "-2", "+3", "120.3", " -5 ", "+1.5e3"]


def _csv_rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _xlsx_rows(raw: bytes) -> list[list[openpyxl.cell.cell.Cell]]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [list(row) for row in book.active.iter_rows()]


@pytest.fixture(scope="module")
def index() -> ResourceIndex:
    res = gpd.GeoDataFrame(
        {"id": ["A1", "T1"], "kind": ["aed", "rescue_team"], "status": ["active", "active"],
         "name": ["东林书院 AED", "梁溪救援队"]},
        geometry=gpd.points_from_xy([120.3000, 120.3100], [31.5800, 31.5900]), crs="EPSG:4326")
    return ResourceIndex(res)


@pytest.fixture(scope="module")
def incidents() -> gpd.GeoDataFrame:
    """Three incidents read from a user's file with columns of their own (one clashes)."""
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    text = ("编号,备注,经度,纬度,地址,name,坐标系\n"
            f"NEAR,{quoted},120.3010,31.5800,南长街 1 号,n1,WGS84\n"
            "FAR,远处,120.9000,31.5800,,n2,WGS84\n"
            "MID,老人晕倒,120.3050,31.5850,学前街,n3,GCJ02\n")
    frame, report = read_incidents(text, "incidents.csv")
    assert not [p for p in report.problems if p.severity == "error"], report.summary()
    assert list(frame.columns[:5]) == ["incident", "row", "lon", "lat", "source_crs"]
    return frame


@pytest.fixture(scope="module")
def results(index: ResourceIndex, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return nearest_for_incidents(index, incidents, max_distance_m=5000)


# ------------------------------------------------------------------ CSV


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_defuses_every_prefix_in_cells_and_column_names(text: str):
    for dtype in ("str", object):
        frame = pd.DataFrame({text: pd.Series([text, "ok", None], dtype=dtype)})
        rows = _csv_rows(to_csv_bytes(frame))
        assert rows == [["'" + text], ["'" + text], ["ok"], [""]]


def test_csv_defuses_text_of_other_objects():
    class Odd:
        def __str__(self) -> str:
            return "=1+1"

    rows = _csv_rows(to_csv_bytes(pd.DataFrame({"o": [Odd(), 5, None], "n": [1, 2, 3]})))
    assert rows == [["o", "n"], ["'=1+1", "1"], ["5", "2"], ["", "3"]]


@pytest.mark.parametrize("text", NUMBERS)
def test_csv_leaves_numbers_and_number_text_alone(text: str):
    frame = pd.DataFrame({"s": pd.Series([text], dtype="str"),
                          "o": pd.Series([text], dtype=object), "x": [-120.5], "i": [-3]})
    assert _csv_rows(to_csv_bytes(frame))[1] == [text, text, "-120.5", "-3"]


def test_csv_dates_are_iso_and_missing_values_empty():
    frame = pd.DataFrame({
        "when": pd.to_datetime(["2024-07-01 08:30", None, "2024-07-02 00:00"]),
        "fine": pd.to_datetime(["2024-07-01 08:30:00.25", None, "2024-07-02 00:00:00.00"]),
        "tz": pd.to_datetime(["2024-07-01 08:30", None, "2024-07-02 00:00"]).tz_localize(
            "Asia/Shanghai"),
        "day": [dt.date(2024, 7, 2), None, pd.NaT],
        "f": [1.5, np.nan, np.inf],
        "i": pd.array([1, None, 3], dtype="Int64"),
        "b": pd.array([True, None, False], dtype="boolean"),
        "s": pd.Series(["鼋头渚", None, ""], dtype="str"),
    })
    rows = _csv_rows(to_csv_bytes(frame))
    assert rows[1:] == [
        ["2024-07-01T08:30:00", "2024-07-01T08:30:00.250000", "2024-07-01T08:30:00+08:00",
         "2024-07-02", "1.5", "1", "True", "鼋头渚"],
        ["", "", "", "", "", "", "", ""],
        ["2024-07-02T00:00:00", "2024-07-02T00:00:00", "2024-07-02T00:00:00+08:00", "",
         "inf", "3", "False", ""],
    ]


def test_csv_rows_end_in_crlf_and_line_breaks_and_quotes_are_quoted():
    frame = pd.DataFrame({"a": ["x,y", 'say "hi"', "one\ntwo", "lone\rcr", "plain"],
                          "b": [1, 2, 3, 4, 5]})
    raw = to_csv_bytes(frame)
    assert raw.count(b"\r\n") == 6 and raw.endswith(b"plain,5\r\n")
    assert b'"lone\rcr",4\r\n' in raw and b'"say ""hi""",2' in raw
    assert _csv_rows(raw)[1:] == [["x,y", "1"], ['say "hi"', "2"], ["one\ntwo", "3"],
                                  ["lone\rcr", "4"], ["plain", "5"]]


def test_csv_one_column_empty_cells_are_quoted_not_blank_lines():
    raw = to_csv_bytes(pd.DataFrame({"a": pd.Series(["x", None], dtype="str")}))
    assert raw == b'\xef\xbb\xbfa\r\nx\r\n""\r\n'
    assert to_csv_bytes(pd.DataFrame({"a": []})) == b"\xef\xbb\xbfa\r\n"


def test_csv_is_what_pandas_writes_for_every_kind_of_column():
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame({
        "f": rng.standard_normal(n) * 10.0 ** rng.integers(-8, 20, n),
        "coord": np.round(rng.uniform(119, 121, n), 6),
        "whole": np.floor(rng.uniform(-1e6, 1e6, n)),
        "f32": rng.standard_normal(n).astype(np.float32),
        "i": rng.integers(-10**12, 10**12, n),
        "u8": rng.integers(0, 255, n).astype(np.uint8),
        "b": rng.random(n) < 0.5,
        "s": pd.Series(rng.choice(["鼋头渚", "a,b", 'q"x', "line\nbreak", "", None], n),
                       dtype="str"),
        "o": pd.Series(rng.choice(np.array([1, 2.5, "x", None, "y,z", True], dtype=object), n),
                       dtype=object),
        "cat": pd.Categorical(rng.choice(["p", "q,r"], n)),
        "Int": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
    })
    frame.loc[::17, "f"] = np.nan
    frame.loc[::23, "f"] = -np.inf
    safe = _safe_text_frame(frame)
    expected = safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    assert _csv_bytes(safe) == expected


def test_float_text_is_python_repr_in_the_arrow_range_and_outside_it():
    rng = np.random.default_rng(3)
    inside = np.sign(rng.standard_normal(200_000)) * 10.0 ** rng.uniform(-4, 9, 200_000)
    inside = np.concatenate([inside, np.round(inside, 6), np.floor(inside), [0.0, -0.0, 5.0]])
    wide = np.concatenate([[-0.0], inside, [1e-7, 1e20, 12345678901.25]])
    for values in (inside, wide):
        assert _float_texts(values, "").to_pylist() == list(map(repr, values.tolist()))
    assert _float_texts(np.array([np.nan, np.inf, 1.0]), "null", finite_only=True).to_pylist() \
        == ["null", "null", "1.0"]


def test_csv_of_points_lines_and_projected_frames():
    gdf = gpd.GeoDataFrame({"名称": ["站"] * 3},
                           geometry=[Point(120.3, 31.59), None, Point()], crs="EPSG:4326")
    assert _csv_rows(to_csv_bytes(gdf)) == [["名称", "lon", "lat"], ["站", "120.3", "31.59"],
                                            ["站", "", ""], ["站", "", ""]]
    lines = gpd.GeoDataFrame({"k": [1]}, geometry=[LineString([(120, 31), (121, 32)])],
                             crs="EPSG:4326").to_crs("EPSG:4549")
    rows = _csv_rows(to_csv_bytes(lines))
    assert rows[0] == ["k", "geometry_wkt"] and rows[1][1].startswith("LINESTRING (120")


# ------------------------------------------------------------------ XLSX


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_text_cells_stay_text_and_are_defused(text: str):
    frame = pd.DataFrame({text: pd.Series([text, "ok"], dtype="str"),
                          "o": pd.Series([text, 3], dtype=object)})
    rows = _xlsx_rows(to_xlsx_bytes(frame))
    shown = "'" + text.replace("\r", "\n")
    assert [(c.value, c.data_type) for c in rows[0]] == [(shown, "s"), ("o", "s")]
    assert [(c.value, c.data_type) for c in rows[1]] == [(shown, "s"), (shown, "s")]
    assert [(c.value, c.data_type) for c in rows[2]] == [("ok", "s"), (3, "n")]


def test_xlsx_types_and_control_characters():
    frame = pd.DataFrame({"s": pd.Series(["\x01=2+2", "a\x07b", None], dtype="str"),
                          "n": pd.array([1, None, 3], dtype="Int64"),
                          "f": [np.nan, -np.inf, 2.5], "b": [True, False, True],
                          "lit": ["_x0041_", "x", "y"]})
    rows = _xlsx_rows(to_xlsx_bytes(frame))
    # A literal "_x0041_" is escaped as Excel does ("_x005F_" is "_"), or Excel would show "A";
    # openpyxl reads the escape as it is.
    assert [[c.value for c in r] for r in rows[1:]] == [
        ["'=2+2", 1, None, True, "_x005F_x0041_"], ["ab", None, None, False, "x"],
        [None, 3, 2.5, True, "y"]]
    assert rows[1][3].data_type == "b"


@pytest.mark.parametrize(("name", "title"), [
    ("a/b:c" + "x" * 40, "a_b_c" + "x" * 26), ("", "Sheet1"), ("'quoted'", "quoted"),
    ("x" * 30 + "'y", "x" * 30), ("History", "History_"), ("最近资源结果", "最近资源结果"),
    ("\U00020000" * 20, "\U00020000" * 15),
])
def test_xlsx_sheet_names_excel_accepts(name: str, title: str):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"a": [1]}),
                                                           sheet_name=name)))
    assert book.sheetnames == [title]


# The workbook is checked as Excel would show it, through two readers: openpyxl (which leaves
# Excel's "_xHHHH_" escapes as written: decoded here as Excel does) and calamine (the reader
# of geo.io.read_table, which decodes them).
_EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
MIXED = [1, "=1+1", True, 2.5, None, np.nan, np.inf, dt.date(2024, 7, 2), "\ud800x",
         np.int64(7), np.float64(0.5), np.bool_(False), "", "文本"]
TEXTS = [  # (cell, what a spreadsheet shows)
    ("鼋头渚 落水", "鼋头渚 落水"), (HOSTILE, "'" + HOSTILE),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"), ("]]>", "]]>"),
    ("&amp;", "&amp;"), ("\"quotes\" & 'apostrophes'", "\"quotes\" & 'apostrophes'"),
    ("a\x07b\x00c\x1f", "abc"), ("\x01=2+2", "'=2+2"), ("emoji 😀🚑", "emoji 😀🚑"),
    ("_x0041_ _x0041_x0042_", "_x0041_ _x0041_x0042_"), ("  spaced  ", "  spaced  "),
    ("\tx", "'\tx"), ("line\r\nbreak\rcr", "line\nbreak\ncr"), ("\ufffe=1+1", "'=1+1"),
    ("a\uffffb", "ab"), ("-120.5", "-120.5"), ("全角空格\u3000", "全角空格\u3000"),
    (None, None), ("", None),
]


def _shown(value: object, *, escaped: bool) -> tuple[str, object] | None:
    """A cell read back, by what a spreadsheet shows: empty, ("s", text), ("n", x), ("b", x).

    ``escaped``: the reader left Excel's "_xHHHH_" escapes in the text (they are decoded).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if escaped:
        value = _EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    return ("s", value)


def _trimmed(rows: list[list[object]], *, escaped: bool) -> list[list[object]]:
    rows = [[_shown(v, escaped=escaped) for v in row] for row in rows]
    rows = [row[:max([i + 1 for i, v in enumerate(row) if v is not None], default=0)]
            for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _read_back(raw: bytes) -> list[list[object]]:
    """The sheet's cells as openpyxl and calamine read them (asserted to agree)."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    theirs = _trimmed([list(r) for r in book.active.iter_rows(values_only=True)],
                      escaped=True)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    assert calamine.sheet_names == book.sheetnames
    ours = _trimmed(calamine.get_sheet_by_index(0).to_python(skip_empty_area=False),
                    escaped=False)
    assert ours == theirs
    return ours


def _sheet_xml(raw: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml")


def _hostile_frame() -> tuple[pd.DataFrame, list[list[object]]]:
    """Every kind of cell, and the rows a spreadsheet shows for it (header first)."""
    n = len(TEXTS)
    floats = [np.nan, np.inf, -np.inf, 0.1 + 0.2, 1e-7, 1e20, -0.0, 120.3, 12345678901.25]
    frame = pd.DataFrame({
        "名称": pd.Series([cell for cell, _ in TEXTS], dtype="str"),
        "=SUM(A1)": np.arange(n) - 5,
        "f": floats + [2.5] * (n - len(floats)),
        "b": [i % 3 == 0 for i in range(n)],
        "when": pd.to_datetime(["2024-07-01 08:30", None] + ["2024-07-02 00:00"] * (n - 2)),
        "i": pd.array([None, 2**40] + [3] * (n - 2), dtype="Int64"),
        "o": pd.Series(MIXED + [None] * (n - len(MIXED)), dtype=object),
        "空": pd.Series([None] * n, dtype="str"),
    })
    mixed = [("n", 1.0), ("s", "'=1+1"), ("b", True), ("n", 2.5), None, None, None,
             ("s", "2024-07-02"), ("s", "x"), ("n", 7.0), ("n", 0.5), ("b", False), None,
             ("s", "文本")]
    rows = [[("s", "名称"), ("s", "'=SUM(A1)"), ("s", "f"), ("s", "b"), ("s", "when"),
             ("s", "i"), ("s", "o"), ("s", "空")]]
    for k, (_, text) in enumerate(TEXTS):
        f = frame["f"].iloc[k]
        when = ["2024-07-01T08:30:00", None][k] if k < 2 else "2024-07-02T00:00:00"
        row = [None if text is None else ("s", text), ("n", float(k - 5)),
               ("n", f) if np.isfinite(f) else None, ("b", k % 3 == 0),
               None if when is None else ("s", when),
               None if k == 0 else ("n", float(2**40 if k == 1 else 3)),
               mixed[k] if k < len(mixed) else None]
        rows.append(row[:max(i + 1 for i, v in enumerate(row) if v is not None)])
    return frame, rows


def test_xlsx_reads_back_cell_for_cell_in_openpyxl_and_calamine():
    frame, expected = _hostile_frame()
    raw = to_xlsx_bytes(frame, sheet_name="最近资源")
    assert _read_back(raw) == expected
    sheet = _sheet_xml(raw)
    # Spaces kept where a reader would drop them, and only there.
    assert sheet.count(b'xml:space="preserve"') == 2
    assert b'<t xml:space="preserve">  spaced  </t>' in sheet
    # Empty text is a cell of empty text (as xlsxwriter wrote it); a missing value, no cell.
    assert b'<c r="A20" t="inlineStr"><is><t></t></is></c>' in sheet
    assert b'<c r="A19"' not in sheet and b'<row r="19"><c r="B19">' in sheet


def test_xlsx_is_a_valid_package_with_no_formula_and_is_deterministic():
    frame, _ = _hostile_frame()
    raw = to_xlsx_bytes(frame, sheet_name='a&b<"c">\x01\ufffe')
    assert raw == to_xlsx_bytes(frame, sheet_name='a&b<"c">\x01\ufffe')  # same bytes twice
    package = zipfile.ZipFile(io.BytesIO(raw))
    assert package.testzip() is None
    assert sorted(package.namelist()) == sorted([
        "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/styles.xml", "xl/worksheets/sheet1.xml"])
    for info in package.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        root = ElementTree.fromstring(package.read(info))  # well-formed XML 1.0
        assert not [e for e in root.iter() if e.tag.endswith("}f")]  # no formula anywhere
    assert openpyxl.load_workbook(io.BytesIO(raw)).sheetnames == ['a&b<"c">']


@pytest.mark.parametrize(("frame", "expected"), [
    (pd.DataFrame({"名称": pd.Series([], dtype="str"), "x": pd.Series([], dtype=float)}),
     [[("s", "名称"), ("s", "x")]]),
    (pd.DataFrame({"a": []}), [[("s", "a")]]),
    (pd.DataFrame({"only": ["=1", None, "b"]}),
     [[("s", "only")], [("s", "'=1")], [], [("s", "b")]]),
    (pd.DataFrame({"n": [1.5, np.nan, 3.0]}), [[("s", "n")], [("n", 1.5)], [], [("n", 3.0)]]),
    (pd.DataFrame(), []),
])
def test_xlsx_of_no_rows_and_one_column(frame: pd.DataFrame, expected: list):
    raw = to_xlsx_bytes(frame)
    assert _read_back(raw) == expected
    assert raw == to_xlsx_bytes(frame)


def test_xlsx_column_letters_and_references():
    assert [_column_letters(i) for i in (0, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]
    frame = pd.DataFrame({f"c{i}": [i, None] if i % 2 else [None, f"t{i}"] for i in range(30)})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert sheet["AD1"].value == "c29" and sheet["AD2"].value == 29
    assert sheet["AC3"].value == "t28" and sheet["AC2"].value is None
    assert _read_back(to_xlsx_bytes(frame))[1] == [None if i % 2 == 0 else ("n", float(i))
                                                   for i in range(30)]


def test_xlsx_rows_built_in_blocks_make_the_same_sheet(monkeypatch):
    frame, expected = _hostile_frame()
    frame = pd.concat([frame] * 4, ignore_index=True)
    whole = to_xlsx_bytes(frame)
    monkeypatch.setattr("geo.io._XLSX_BLOCK_CELLS", 1)
    monkeypatch.setattr("geo.io._XLSX_BLOCK_ROWS", 3)  # 76 rows in 26 blocks
    blocks = to_xlsx_bytes(frame)
    assert _sheet_xml(blocks) == _sheet_xml(whole)
    assert _read_back(blocks) == [expected[0], *expected[1:] * 4]


def test_xlsx_too_large_for_plain_zip_is_written_as_zip64(monkeypatch):
    frame = pd.DataFrame({"a": np.arange(500), "b": ["鼋头渚"] * 500})
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4_000)  # the sheet passes it, the rest not
    raw = to_xlsx_bytes(frame)
    rows = _read_back(raw)
    assert len(rows) == 501 and rows[-1] == [("n", 499.0), ("s", "鼋头渚")]


def test_xlsx_cuts_text_to_an_excel_cell_and_refuses_too_many_rows():
    rows = _read_back(to_xlsx_bytes(pd.DataFrame({"t": ["鼋" * 40_000, "x" * 32_767]})))
    assert rows[1] == [("s", "鼋" * 32_767)] and rows[2] == [("s", "x" * 32_767)]
    with pytest.raises(ValidationError, match="at most 1,048,575 rows"):
        to_xlsx_bytes(pd.DataFrame({"a": np.zeros(1_048_576, dtype=np.int8)}))



# ------------------------------------------------------------------ GeoJSON


def test_geojson_keeps_chinese_and_is_valid_json_with_null_for_missing():
    gdf = gpd.GeoDataFrame(
        {"名称": ["鼋头渚", None], "n": pd.array([3, None], dtype="Int64"),
         "f": [np.inf, 1.25], "b": [True, False], "when": pd.to_datetime(["2024-07-01", None]),
         "o": pd.Series([[1, 2], dt.date(2024, 7, 2)], dtype=object), 'k%"\\': ["x", "y"]},
        geometry=[Point(120.2275, 31.5205), None], crs="EPSG:4326")
    raw = to_geojson_bytes(gdf)
    assert "鼋头渚".encode() in raw and b"\\u" not in raw
    doc = json.loads(raw)
    assert doc["type"] == "FeatureCollection"
    first, second = doc["features"]
    assert first == {"type": "Feature", "geometry": {"type": "Point",
                                                     "coordinates": [120.2275, 31.5205]},
                     "properties": {"名称": "鼋头渚", "n": 3, "f": None, "b": True,
                                    "when": "2024-07-01T00:00:00", "o": [1, 2],
                                    'k%"\\': "x"}}
    assert second["geometry"] is None
    assert second["properties"] == {"名称": None, "n": None, "f": 1.25, "b": False,
                                    "when": None, "o": "2024-07-02", 'k%"\\': "y"}


def test_geojson_agrees_with_geopandas(results: gpd.GeoDataFrame):
    mine = json.loads(to_geojson_bytes(results))
    theirs = json.loads(results.to_json(drop_id=True, na="null"))
    assert mine["features"] == theirs["features"]


@pytest.mark.parametrize("points_only", [False, True])
def test_geojson_of_no_rows(points_only: bool):
    empty = gpd.GeoDataFrame({"a": [], "lon": [], "lat": []}, geometry=[], crs="EPSG:4326")
    for frame in (empty, pd.DataFrame(empty.drop(columns="geometry"))):
        assert json.loads(to_geojson_bytes(frame, points_only=points_only)) == {
            "type": "FeatureCollection", "features": []}


def test_geojson_reprojects_and_plain_frames_use_lon_lat():
    metric = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(120.3, 31.57)],
                              crs="EPSG:4326").to_crs("EPSG:4549")
    (feature,) = json.loads(to_geojson_bytes(metric))["features"]
    assert feature["geometry"]["coordinates"] == pytest.approx([120.3, 31.57])
    plain = pd.DataFrame({"lon": [120.3, np.nan], "lat": [31.57, 31.0]})
    features = json.loads(to_geojson_bytes(plain))["features"]
    assert [f["geometry"] for f in features] == [
        {"type": "Point", "coordinates": [120.3, 31.57]}, None]


def test_geojson_points_only_writes_the_answering_resources(results: gpd.GeoDataFrame):
    doc = json.loads(to_geojson_bytes(results, points_only=True))
    answered = results[results["kind"].notna()]
    assert len(doc["features"]) == len(answered) < len(results)
    assert {tuple(f["geometry"]["coordinates"]) for f in doc["features"]} == set(
        zip(answered["lon"], answered["lat"], strict=True))
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])


def test_gpkg_of_batch_results_with_an_unanswered_incident(results, tmp_path):
    path = tmp_path / "r.gpkg"
    path.write_bytes(to_gpkg_bytes(results))
    back = gpd.read_file(path)
    assert back["incident"].tolist() == results["incident"].tolist()
    assert back.geometry.isna().tolist() == results.geometry.isna().tolist()


# ------------------------------------------------------------------ batch answers


def test_batch_keeps_every_incident_and_the_file_columns(results, incidents):
    assert list(results.columns[:6]) == list(INCIDENT_COLUMNS)
    assert list(results.columns[6:16]) == list(ANSWER_COLUMNS)
    # The file's own columns follow, in file order; "name" clashed with an answer column.
    assert file_columns(results) == ["备注", "地址", "name_file"]
    assert list(results.columns[16:]) == ["备注", "地址", "name_file", "geometry"]
    # One row per incident x answer, and one empty row for FAR (nothing within 5 km).
    assert results["incident"].tolist() == ["NEAR", "NEAR", "FAR", "MID", "MID"]
    assert results["origin"].tolist() == [0, 0, 1, 2, 2]
    far = results.iloc[2]
    assert far[list(ANSWER_COLUMNS)].isna().all() and far.geometry is None
    assert (far["row"], far["备注"], far["name_file"], far["source_crs"]) == (3, "远处", "n2",
                                                                             "wgs84")
    assert results["rank"].dtype == "Int64"
    near = results.iloc[0]
    assert near["备注"] == HOSTILE and near["地址"] == "南长街 1 号"
    assert results["source_crs"].tolist()[3:] == ["gcj02", "gcj02"]
    assert near.geometry.coords[0] == (near["incident_lon"], near["incident_lat"])
    assert near.geometry.coords[1] == (near["lon"], near["lat"])


def test_batch_answers_only_and_no_incidents(index, incidents):
    answers = nearest_for_incidents(index, incidents, max_distance_m=5000,
                                    keep_unanswered=False)
    assert answers["incident"].tolist() == ["NEAR", "NEAR", "MID", "MID"]
    assert answers["rank"].dtype == "int64"
    none = nearest_for_incidents(index, incidents.iloc[:0])
    assert len(none) == 0 and file_columns(none) == ["备注", "地址", "name_file"]


def test_batch_file_column_named_like_an_answer_column_gets_file_suffix(index):
    frame = pd.DataFrame({"incident": ["A"], "row": [2], "lon": [120.301], "lat": [31.58],
                          "kind": ["fire"], "kind_file": ["x"], "origin": [9]})
    inc = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat),
                           crs="EPSG:4326")
    out = nearest_for_incidents(index, inc)
    assert file_columns(out) == ["kind_file_2", "kind_file", "origin_file"]
    assert out["kind_file_2"].iloc[0] == "fire" and out["source_crs"].isna().all()


# ------------------------------------------------------------------ localised downloads


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_localised_headers_values_and_file_columns(results, lang: str):
    table = localised(results, lang)
    headers = [t(key, lang) for key in HEADER_KEYS.values()]
    assert list(table.columns) == [*headers, "备注", "地址", "name_file"]
    assert "origin" not in table.columns and "geometry" not in table.columns
    kind = table[t("col_kind", lang)]
    assert kind.tolist()[:2] == [t("kind_aed", lang), t("kind_rescue_team", lang)]
    assert table[t("col_mode", lang)].iloc[0] == t("mode_walk", lang)
    assert table[t("col_source_crs", lang)].tolist()[2:4] == [t("crs_wgs84", lang),
                                                             t("crs_gcj02", lang)]
    assert table[t("col_method", lang)].iloc[0] == t("method_name_straight_line", lang)
    assert table[t("col_distance_m", lang)].iloc[0] == round(results["distance_m"].iloc[0], 1)
    # FAR had no answer: its row is there, says so, and the other answer cells are empty.
    far = table.iloc[2]
    assert far[t("col_incident", lang)] == "FAR" and far["备注"] == "远处"
    assert far[t("col_name", lang)] == t("dl_no_answer", lang)
    assert pd.isna(far[t("col_kind", lang)]) and pd.isna(far[t("col_distance_m", lang)])
    assert table["备注"].iloc[0] == HOSTILE  # values as read: defusing is the writer's job


def test_localised_file_header_equal_to_a_translated_one_gets_a_suffix(results):
    clash = results.rename(columns={"地址": "名称"})
    assert list(localised(clash, "zh").columns[-3:]) == ["备注", "名称（文件）", "name_file"]
    assert list(localised(clash, "en").columns[-3:]) == ["备注", "名称", "name_file"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_file_value_is_defused_in_csv_and_xlsx(results, lang: str):
    table = localised(results, lang)
    rows = _csv_rows(to_csv_bytes(table))
    note = rows[0].index("备注")
    assert rows[1][note] == "'" + HOSTILE
    assert rows[0][0] == t("col_incident", lang)
    sheet = _xlsx_rows(to_xlsx_bytes(table, sheet_name=t("dl_results_name", lang)))
    cell = sheet[1][note]
    assert cell.data_type == "s" and cell.value == "'" + HOSTILE
    assert [c.value for c in sheet[0]] == rows[0]


def test_localised_geojson_frame_is_the_answering_resources(results):
    frame = localised_geojson_frame(results, "zh")
    answered = results[results["kind"].notna()]
    assert len(frame) == len(answered) and frame.crs.to_epsg() == 4326
    assert (frame.geometry.x.to_numpy() == answered["lon"].to_numpy()).all()
    doc = json.loads(to_geojson_bytes(frame))
    props = doc["features"][0]["properties"]
    assert props["类型"] == "AED 除颤仪" and props["备注"] == HOSTILE
    assert "FAR" not in {f["properties"]["事件"] for f in doc["features"]}
