"""Validation problems in Chinese and English: the catalogue words every geo problem code."""

from __future__ import annotations

import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.incidents import read_incidents
from geo.validate import Problem, Report, validate_resources
from tests.conftest import resource_row, xlsx_bytes
from ui.i18n import STRINGS, fix_text, problem_text, severity_text, t
from ui.nearest_view import problems_table

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = {k.removeprefix("problem."): v for k, v in STRINGS.items() if k.startswith("problem.")}
FIXES = {k.removeprefix("fix."): v for k, v in STRINGS.items() if k.startswith("fix.")}


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "boundaries.geojson")




def _bad_incident_files() -> list[tuple[bytes | str, str, dict]]:
    """(data, filename, read_incidents kwargs) for every kind of bad upload."""
    rows = ("编号,经度,纬度,坐标系\n"
            "1,120.3,31.57,WGS84\n"
            "2,abc,31.57,WGS84\n"        # not_a_number
            "3,,31.57,WGS84\n"           # empty_cell
            "4,200,31.57,WGS84\n"        # out_of_range
            "5,31.57,120.3,WGS84\n"      # swapped_lonlat
            "6,120.3,31.57,火星人\n"      # unknown_crs
            "7,120.3,31.57,bd09mc\n"     # baidu_mercator
            "8,121.47,31.23,WGS84\n"     # outside_city
            '9,"120.3,31.57",31.57,\n'   # two_numbers
            "1,120.31,31.57,\n"          # duplicate_incident
            "11,120,3,31.57,WGS84\n")    # too_many_cells
    return [
        (rows.encode("gbk"), "all.csv", {}),
        (rows.encode("gbk"), "all.csv", {"fix_swapped": True}),                 # swapped_fixed
        ("lon,lat\n-0.12,51.5\n", "london.csv", {"boundaries": None}),           # outside_china
        ("lon;lat\n120,3;31,57\n", "eu.csv", {}),                                # decimal_comma
        (b"", "empty.csv", {}),                                                  # empty_file
        (b"id,lon,lat\r\n", "header.csv", {}),                                   # header_only
        ("编号,经度,备注\n1,120.3,落水\n".encode("gbk"), "a.csv", {}),            # missing_column
        ("a,b\n1,2\n", "a.csv", {}),
        (b"lon,lat\n\x80\xff,1\n", "a.csv", {}),                                 # bad_encoding
        (b"\x00\x01\x02lon,lat\n", "a.csv", {}),                                  # binary_file
        (b'lon,lat\n"' + b"a" * 200_000 + b'",1\n', "a.csv", {}),                # cell_too_long
        (b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx", {}),                    # bad_workbook
        (b"lon,lat\n120.3,31.57\n", "wrong.xlsx", {}),                           # not_a_workbook
        (b"{}", "points.json", {}),                                              # unsupported_type
        (xlsx_bytes(("说明", [["见第二页"]]), ("数据", [["lon", "lat"], [120.3, 31.57]])),
         "two.xlsx", {}),                                                        # sheet_chosen
        (xlsx_bytes(("说明", [["见第二页"]])), "two.xlsx", {"sheet": "数据"}),      # unknown_sheet
        (xlsx_bytes(("s", [["lon", "lat"], [120.3, 31.57]])), "really.csv", {}),      # named_csv
        ("事件清单\nlon,lat\n120.3,31.57\n", "t.csv", {}),                        # header_row_found
        ("lon,lat\n120.3,31.57\n", "t.csv", {"header_row": 9}),                   # bad_header_row
        ("lon,lat\n120.3,31.57\n", "t.csv", {"columns": {"lon": "经度"}}),        # unknown_column
        ("lon,lat\n120.3,31.57\n", "t.csv", {"max_bytes": 5}),                    # upload_too_large
        ("lon,lat\n120.3,31.57\n120.4,31.57\n", "t.csv", {"max_rows": 1}),      # too_many_rows
        ('id,lon,lat\n1,"120.3,31.57\n2,120.4,31.57\n', "q.csv", {}),           # broken_quote
        (b"lon,lat\n" + b"120.3,31.57\n" * 200 + b"12\xff\xfe,31\n", "b.csv", {}),  # bad_bytes
        ("坐标\n31.57 120.30\n120.3\n北纬31.5 北纬31.6\n", "pair.csv", {}),  # order_*, not_a_pair
        ("lon,lat\n120°78',31.5\nN120.3,31.5\n", "dms.csv", {}),  # bad_dms, wrong_hemisphere
    ]




def _bad_resource_tables() -> list[pd.DataFrame]:
    return [
        pd.DataFrame([
            resource_row(),
            resource_row(id="T-2", lon="abc"),
            resource_row(id="T-3", lon="", name=""),
            resource_row(id="T-4", lon="31.57", lat="120.30"),
            resource_row(id="T-5", lon="10"),
            resource_row(id="T-6", kind="helicopter", hours="all day"),
            resource_row(id="T-1", pads_expiry="next year"),
            resource_row(id="T-8", kind="rescue_team", specialty="cooking", members="-2",
                          district="不存在区"),
            resource_row(id="T-9", venue_type="castle", placement="roof"),
            resource_row(id="T-10", lon="119.43", lat="32.21"),
            resource_row(id="T-11", lon="121.47", lat="31.23"),
            resource_row(id="T-12", installed_date="2028-01-01"),  # expiry_before_install
            resource_row(id="T-13", stock_tent="1e308"),            # number_too_large
        ]),
        pd.DataFrame({"id": ["x"], "name": ["y"]}),
    ]


@pytest.fixture(scope="module")
def problems(boundaries: gpd.GeoDataFrame) -> list[Problem]:
    """Every problem the bad incident files and resource tables give."""
    found: list[Problem] = []
    for data, filename, kwargs in _bad_incident_files():
        _, report = read_incidents(data, filename, **{"boundaries": boundaries, **kwargs})
        found += report.problems
    for table in _bad_resource_tables():
        _, report = validate_resources(table, boundaries)
        found += report.problems
    return found


def test_every_problem_has_a_known_code(problems: list[Problem]):
    assert problems
    unknown = {p.code for p in problems if p.code not in MESSAGES}
    assert not unknown
    fixes = {p.fix_code for p in problems if p.fix_code and p.fix_code not in FIXES}
    assert not fixes
    assert all(isinstance(p.params, dict) for p in problems)


def test_corpus_covers_every_template(problems: list[Problem]):
    emitted = {p.code for p in problems}
    # Codes only errors raise (not rows of a report) are checked by the next test; not_finite:
    # a numeric cell that is NaN/inf cannot be written to a real xlsx file.
    raised = _codes_in_geo_source()
    assert set(MESSAGES) - emitted - raised <= {"not_finite"}
    assert set(FIXES) == {p.fix_code for p in problems if p.fix_code}


def _codes_in_geo_source() -> set[str]:
    """Every literal ``code="..."`` an engine module raises or reports."""
    found: set[str] = set()
    for path in (ROOT / "geo").glob("*.py"):
        found |= set(re.findall(r'\bcode="([a-z_0-9]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_engine_raises_is_worded():
    raised = _codes_in_geo_source()
    assert raised, "the scan found no codes"
    assert not raised - set(MESSAGES), sorted(raised - set(MESSAGES))


def test_every_template_has_zh_and_en():
    for table in (MESSAGES, FIXES):
        for code, entry in table.items():
            assert set(entry) == {"zh", "en"}, code
            assert all(entry[lang].strip() for lang in ("zh", "en")), code


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_templates_format_without_key_error(problems: list[Problem], lang: str):
    sentinel = object()
    for p in problems:
        text = problem_text(p.code, p.params, lang, sentinel)
        assert isinstance(text, str) and text, (p.code, p.params)
        if p.fix_code:
            fix = fix_text(p.fix_code, p.params, lang, sentinel)
            assert isinstance(fix, str) and fix, (p.fix_code, p.params)
    assert problem_text("not_finite", {"value": math.nan}, lang, sentinel) != sentinel


_ALLOWED_LATIN = {"CSV", "UTF", "GBK", "Excel", "WPS", "xlsx", "csv", "xls", "WGS84", "GCJ",
                  "tsv", "txt", "ods",
                  "CGCS2000", "YYYY", "indoor", "outdoor", "lon", "lat", "24h"}


def _masked(params: dict) -> dict:
    """Params with their text replaced, so only the template's own words remain."""
    out = {}
    for key, value in params.items():
        if key == "role":
            out[key] = value
        elif isinstance(value, str):
            out[key] = "※"
        elif isinstance(value, list):
            out[key] = ["※"] * len(value)
        else:
            out[key] = value
    return out


def test_chinese_text_has_no_leftover_english(problems: list[Problem]):
    for p in problems:
        for text in (problem_text(p.code, _masked(p.params), "zh", None),
                     fix_text(p.fix_code, _masked(p.params), "zh", None)):
            if text is None:
                continue
            words = set(re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text)) - _ALLOWED_LATIN
            assert not words, (p.code, text)
            assert re.search(r"[\u4e00-\u9fff]", text), (p.code, text)


@pytest.mark.parametrize(("code", "params", "zh", "en"), [
    ("not_a_number", {"role": "lon", "value": "abc"}, "'abc' 不是数字", "'abc' is not a number"),
    ("swapped_lonlat", {"lon": 31.5, "lat": 120.3},
     "经纬度似乎颠倒了：经度 31.5、纬度 120.3（交换后该点位于中国境内）",
     "longitude 31.5 and latitude 120.3 look swapped (swapped, the point is in China)"),
    ("out_of_range", {"role": "lat", "value": -95.0, "limit": 90.0},
     "纬度 -95.0 超出范围 [-90, 90]", "latitude -95.0 is out of range [-90, 90]"),
    ("missing_column", {"role": "lat", "aliases": "lat/纬度", "columns": ["编号", "经度"],
                        "header_row": 3},
     "找不到纬度列（列名可以是 lat/纬度、“事发地纬度”或一列“经纬度”）；表头取自第 3 行，列为："
     "“编号”、“经度”。可在“读取方式”中改表头行或指定列",
     "no latitude column found (any of lat/纬度, a header containing 'latitude', or one "
     "'lon,lat' column); the header was taken from row 3: '编号', '经度'. Change the header "
     "row or pick the column under 'How the file was read'"),
    ("outside_city", {"lon": 121.47, "lat": 31.23, "place": "Wuxi/Zhenjiang",
                      "cities": ["wuxi", "zhenjiang"], "n_districts": 13},
     "(121.47000, 31.23000) 在无锡市/镇江市范围之外：不在 13 个区县中的任何一个内",
     "(121.47000, 31.23000) is outside Wuxi/Zhenjiang: it is in none of the 13 districts"),
    ("empty_file", {}, "文件中没有任何行（文件为空）", "the file has no rows (it is empty)"),
])
def test_common_messages(code: str, params: dict, zh: str, en: str):
    assert problem_text(code, params, "zh", "x") == zh
    assert problem_text(code, params, "en", "x") == en


def test_fix_texts():
    assert fix_text("swap_lonlat", {}, "zh") == "交换经度和纬度"
    assert fix_text("swap_lonlat", {}, "en") == "swap lon and lat"
    assert fix_text("add_column", {"role": "lon"}, "zh") == "添加一列，列名为“lon”或“经度”"
    assert fix_text(None, {}, "zh") is None
    assert fix_text("nope", {}, "zh", "keep me") == "keep me"


def test_unknown_code_or_missing_params_fall_back():
    assert problem_text("no_such_code", {}, "zh", "English text") == "English text"
    assert problem_text(None, None, "zh", "English text") == "English text"
    assert problem_text("not_a_number", {}, "zh", "English text") == "English text"
    assert problem_text("not_a_number", float("nan"), "zh", "fb") == "fb"  # params from a frame
    assert problem_text("empty_file", None, "fr", "fb") == "文件中没有任何行（文件为空）"


def test_severity_text():
    assert [severity_text(s, "zh") for s in ("error", "warning")] == ["错误", "警告"]
    assert [severity_text(s, "en") for s in ("error", "warning")] == ["error", "warning"]
    assert severity_text("info", "zh") == "info"


def _batch_report(boundaries: gpd.GeoDataFrame) -> Report:
    text = ("编号,经度,纬度,坐标系\nA1,120.3010,31.5790,WGS84\nA2,abc,31.5,WGS84\n"
            "A3,31.49,120.28,WGS84\nA4,121.47,31.23,WGS84\n")
    _, report = read_incidents(text.encode("gbk"), "incidents.csv", boundaries=boundaries)
    return report


def test_problems_table_in_chinese(boundaries: gpd.GeoDataFrame):
    view = problems_table(_batch_report(boundaries).to_frame(), "zh")
    keys = ("col_row", "col_column", "col_severity", "col_message", "col_fix")
    assert list(view.columns) == [t(k, "zh") for k in keys]
    message, fix, severity = (view[t(k, "zh")].tolist() for k in keys[3:] + keys[2:3])
    assert message[0] == "'abc' 不是数字"
    assert message[1].startswith("经纬度似乎颠倒了")
    assert message[2].startswith("(121.47") and "无锡市/镇江市" in message[2]
    assert fix[0] == ""  # no suggestion: shown blank, not "None"
    assert fix[1:] == ["交换经度和纬度", "检查坐标及其坐标系"]
    assert severity == ["错误", "错误", "警告"]
    assert view[t("col_row", "zh")].tolist() == ["3", "4", "5"]
    assert view[t("col_column", "zh")].tolist() == ["经度", "经度/纬度", "经度/纬度"]


def test_problems_table_in_english(boundaries: gpd.GeoDataFrame):
    report = _batch_report(boundaries)
    view = problems_table(report.to_frame(), "en")
    assert list(view.columns) == ["Row", "Column", "Severity", "Problem", "Suggested fix"]
    assert view["Problem"].tolist() == [
        "'abc' is not a number",
        "longitude 31.49 and latitude 120.28 look swapped (swapped, the point is in China)",
        "(121.47000, 31.23000) is outside Wuxi/Zhenjiang: it is in none of the 13 districts"]
    assert view["Suggested fix"].tolist() == [
        "", "swap lon and lat", "check the coordinates and their CRS"]
    assert view["Severity"].tolist() == ["error", "error", "warning"]


def test_problems_table_with_an_unknown_code_shows_the_code():
    frame = pd.DataFrame({"row": [2], "column": ["lon"], "severity": ["error"],
                          "code": ["something_odd"], "fix_code": [None], "params": [{}]})
    view = problems_table(frame, "zh")
    assert view[t("col_message", "zh")].tolist() == ["something_odd"]
    assert view[t("col_severity", "zh")].tolist() == ["错误"]
    empty = problems_table(Report().to_frame(), "zh")
    assert empty.empty and len(empty.columns) == 5


def test_resource_problems_in_chinese(boundaries: gpd.GeoDataFrame):
    table = pd.DataFrame([resource_row(id="T-2", lon="abc"),
                          resource_row(id="T-3", lon="31.57", lat="120.30")])
    _, report = validate_resources(table, boundaries)
    view = problems_table(report.to_frame(), "zh")
    assert view[t("col_message", "zh")].tolist()[:2] == [
        "'abc' 不是数字", "经纬度似乎颠倒了：经度 31.57、纬度 120.3（交换后该点位于中国境内）"]
    assert view[t("col_fix", "zh")].tolist()[1] == "交换经度和纬度"
