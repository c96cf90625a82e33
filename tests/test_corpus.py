"""Acceptance tests of the incident reader on the corpus of real export shapes (tests/corpus).

One table row per file (and per reading option): how many rows are good, which rows fail with
which code, which warnings come, which sheet and header row were read, how the columns were
understood and where the good points are in WGS84. ``maybe`` lists what a reader may add
without being wrong (e.g. a second complaint about the same broken row). The corpus is
written by ``scripts/make_corpus.py``; it must be reproducible byte for byte.
"""

from __future__ import annotations

import importlib.util
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from geo.crs import bd09_to_wgs84, gcj02_to_wgs84
from geo.incidents import read_incidents

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
OUTPUT_COLUMNS = ["incident", "row", "lon", "lat", "source_crs"]
TOL = 1e-6  # degrees, for coordinates written in WGS84
TOL_CONVERTED = 1e-5  # degrees, after a GCJ-02/BD-09 conversion
EXCEL_CELL_LIMIT = 32_767


def ext_is(ext: str) -> Callable[[Any], bool]:
    """A parameter check: the extension, with or without its dot, in any case."""
    return lambda value: str(value).lstrip(".").lower() == ext


def mentions(text: str) -> Callable[[Any], bool]:
    """A parameter check: the value (a list or a text) names ``text``."""
    return lambda value: text in (value if isinstance(value, (list, tuple)) else str(value))


def present(value: Any) -> bool:
    return value is not None


BOUNDARIES = "<demo boundaries>"  # replaced by the 13 districts in the test


@dataclass(frozen=True)
class Case:
    file: str
    good: int
    errors: frozenset = frozenset()  # {(row or None, code)}; "a|b": either code will do
    warnings: frozenset = frozenset()  # {code}
    maybe: frozenset = frozenset()  # tolerated extra warning codes or (row, code) errors
    sheet: Any = "<any>"  # report.source["sheet"]; None for delimited text
    header_row: int | None = None
    rows: tuple[int, ...] | None = None  # the good rows' file row numbers
    points: tuple[tuple, ...] = ()  # first good rows: (lon, lat) WGS84 or (lon, lat, crs)
    mapping: dict = field(default_factory=dict)  # subset of report.source["mapping"]
    incident: str | None = None  # the first good row's incident id
    extra: dict = field(default_factory=dict)  # first good row's other columns
    params: dict = field(default_factory=dict)  # code -> {param: value or check}
    warn_rows: frozenset = frozenset()  # {(row, warning code)} that must be there
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return self.file + (f"[{self.label}]" if self.label else "")


def fs(*items: Any) -> frozenset:
    return frozenset(items)


def seq(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


XLS_MAP = {"incident": "编号", "lon": "经度", "lat": "纬度", "crs": "坐标系"}
CSV = None  # the sheet of delimited text

CASES: list[Case] = [
    # --- .xls (Excel 97-2003, WPS)
    Case("xls_plain.xls", 5, sheet="Sheet1", header_row=1, rows=seq(2, 6),
         points=((120.2275, 31.5205), (120.3065, 31.5640)), mapping=XLS_MAP,
         incident="WX20240715001", extra={"备注": "鼋头渚 游客落水 已救起"}),
    Case("xls_cover_sheet.xls", 4, warnings=fs("sheet_chosen"), sheet="事件清单", header_row=1,
         rows=seq(2, 5), points=((119.4260, 32.2140),), incident="ZJ20240715001",
         params={"sheet_chosen": {"sheet": "事件清单", "others": mentions("说明")}}),
    Case("xls_title_line.xls", 5, warnings=fs("header_row_found"), sheet="7月", header_row=2,
         rows=seq(3, 7), points=((120.3045, 31.5875),), mapping=XLS_MAP,
         incident="WX20240715001", params={"header_row_found": {"row": 2}}),
    Case("xls_merged_header.xls", 4, maybe=fs("header_row_found"), sheet="Sheet1",
         header_row=2, rows=seq(3, 6), points=((120.2275, 31.5205), (120.3065, 31.5640))),
    Case("wps_export.xls", 6, sheet="Sheet1", header_row=1, rows=seq(2, 7),
         points=((119.4260, 32.2140),), incident="ZJ20240715001",
         mapping={"incident": "事件编号", "lon": "经度", "lat": "纬度"},
         extra={"事发地点": "西津渡"}),
    # --- .xlsx (Excel, openpyxl)
    Case("xlsx_cover_sheet.xlsx", 5, warnings=fs("sheet_chosen"), sheet="事件", header_row=1,
         rows=seq(2, 6), points=((120.2275, 31.5205),), mapping=XLS_MAP,
         params={"sheet_chosen": {"sheet": "事件", "others": mentions("填表说明")}}),
    Case("xlsx_title_one.xlsx", 6, warnings=fs("header_row_found"), sheet="Sheet1",
         header_row=2, rows=seq(3, 8), points=((120.2275, 31.5205),), mapping=XLS_MAP,
         params={"header_row_found": {"row": 2}}),
    Case("xlsx_title_two.xlsx", 5, warnings=fs("header_row_found"), sheet="汇总", header_row=3,
         rows=seq(4, 8), points=((119.4260, 32.2140),), mapping=XLS_MAP,
         params={"header_row_found": {"row": 3}}),
    Case("xlsx_title_two.xlsx", 5, maybe=fs("header_row_found"), sheet="汇总", header_row=3,
         rows=seq(4, 8), points=((119.4260, 32.2140),), kwargs={"header_row": 3},
         label="header_row=3"),
    Case("xlsx_merged_header.xlsx", 5, maybe=fs("header_row_found"), sheet="事件登记",
         header_row=2, rows=seq(3, 7), points=((120.2695, 31.5815), (120.3020, 31.5765))),
    Case("xlsx_numbers_as_text.xlsx", 5, sheet="导出数据", header_row=1, rows=seq(2, 6),
         points=((119.4260, 32.2140), (119.4120, 32.2210)), incident="1001"),
    Case("xlsx_blank_rows.xlsx", 5, sheet="Sheet1", header_row=1, rows=(2, 3, 5, 6, 9),
         points=((120.2275, 31.5205), (120.3065, 31.5640), (120.3045, 31.5875))),
    Case("xlsx_two_data_sheets.xlsx", 4, warnings=fs("sheet_chosen"), sheet="本月",
         header_row=1, rows=seq(2, 5), points=((120.2275, 31.5205),),
         incident="WX20240715001",
         params={"sheet_chosen": {"sheet": "本月", "others": mentions("上月")}}),
    Case("xlsx_two_data_sheets.xlsx", 3, maybe=fs("sheet_chosen"), sheet="上月", header_row=1,
         rows=seq(2, 4), points=((119.4260, 32.2140),), incident="ZJ20240715101",
         kwargs={"sheet": "上月"}, label="sheet=上月"),
    Case("xlsx_dates.xlsx", 5, sheet="事件日志", header_row=1, rows=seq(2, 6),
         points=((119.4120, 32.2210),), incident="ZJ20240715001"),
    Case("xlsx_named_csv.csv", 4, warnings=fs("workbook_named_csv"), sheet="Sheet1",
         header_row=1, points=((120.3020, 31.5765),)),
    Case("corrupt.xlsx", 0, errors=fs((None, "bad_workbook"))),
    Case("xlsx_crs_mixed.xlsx", 5, sheet="汇总", rows=seq(2, 6),
         points=((120.2275, 31.5205, "wgs84"), (120.311107, 31.56211, "gcj02"),
                 (120.309107, 31.585608, "gcj02"), (120.280616, 31.585491, "bd09"),
                 (120.313205, 31.580267, "bd09")),
         mapping={"incident": "事件编号", "crs": "坐标系"}),
    # --- .ods (LibreOffice)
    Case("ods_plain.ods", 5, sheet="事件", header_row=1, rows=seq(2, 6),
         points=((119.4260, 32.2140),), mapping=XLS_MAP),
    Case("ods_cover_sheet.ods", 4, warnings=fs("sheet_chosen"), sheet="数据", header_row=1,
         rows=seq(2, 5), points=((120.3020, 31.5765),),
         params={"sheet_chosen": {"sheet": "数据", "others": mentions("说明")}}),
    # --- delimited text: encodings and separators
    Case("utf8.csv", 5, sheet=CSV, header_row=1, rows=seq(2, 6),
         points=((120.2275, 31.5205, "wgs84"),), incident="WX20240715001",
         mapping={"incident": "incident", "lon": "lon", "lat": "lat", "crs": "crs"},
         extra={"note": "鼋头渚 游客落水 已救起"}),
    Case("utf8_bom.csv", 6, sheet=CSV, header_row=1, rows=seq(2, 7),
         points=((119.4260, 32.2140),), mapping=XLS_MAP, incident="ZJ20240715001"),
    Case("gbk.csv", 5, sheet=CSV, header_row=1, rows=seq(2, 6), points=((120.3065, 31.5640),),
         mapping=XLS_MAP, extra={"备注": "南长街 老人晕倒"}),
    Case("gb18030_title.csv", 4, warnings=fs("header_row_found"), sheet=CSV, header_row=2,
         rows=seq(3, 6), points=((119.4260, 32.2140),), mapping=XLS_MAP,
         extra={"报告人": "刘䶮"}, params={"header_row_found": {"row": 2}}),
    Case("tab.tsv", 5, sheet=CSV, header_row=1, rows=seq(2, 6), points=((120.2695, 31.5815),),
         mapping={"incident": "id", "lon": "lng", "lat": "lat", "crs": "坐标系"}),
    Case("excel_unicode_text.txt", 5, sheet=CSV, header_row=1, rows=seq(2, 6),
         points=((119.4120, 32.2210),), incident="ZJ20240715001",
         extra={"备注": "金山寺 老人胸痛"}),
    Case("semicolon_decimal_comma.csv", 4, warnings=fs("decimal_comma"), sheet=CSV,
         header_row=1, rows=seq(2, 5), points=((120.2275, 31.5205), (120.3065, 31.5640)),
         incident="IFRC-1", mapping={"lon": "longitude", "lat": "latitude"}),
    Case("fullwidth_comma.csv", 4, sheet=CSV, header_row=1, rows=seq(2, 5),
         points=((119.4260, 32.2140),), incident="ZJ20240715001",
         extra={"备注": "西津渡游客摔倒 头部出血"}),
    # --- headers
    Case("header_shidi.csv", 5, rows=seq(2, 6), points=((120.2275, 31.5205),),
         mapping={"incident": "事件编号", "lon": "事发地经度", "lat": "事发地纬度"},
         incident="WX20240715001"),
    Case("header_degree_unit.csv", 4, rows=seq(2, 5), points=((119.4260, 32.2140),),
         mapping={"lon": "经度(°)", "lat": "纬度(°)"}),
    Case("header_xy.csv", 4, rows=seq(2, 5), points=((120.3020, 31.5765),),
         mapping={"lon": "X坐标", "lat": "Y坐标", "incident": "名称"}, incident="三阳广场"),
    Case("header_gcj_in_header.csv", 4, rows=seq(2, 5),
         points=((119.458387, 32.219573, "gcj02"), (119.501234, 32.224457, "gcj02")),
         mapping={"lon": "经度（GCJ-02）", "lat": "纬度（GCJ-02）", "crs": "坐标系"}),
    Case("pair_lonlat.csv", 5, rows=seq(2, 6),
         points=((120.2275, 31.5205), (120.3065, 31.5640)), mapping={"pair": "经纬度"},
         incident="WX20240715001"),
    Case("pair_latlon.csv", 4, warnings=fs("order_assumed"), rows=seq(2, 5),
         points=((120.3065, 31.5640), (120.3045, 31.5875)), mapping={"pair": "坐标"}),
    Case("pair_lnglat_amap.csv", 4, rows=seq(2, 5),
         points=((119.431447, 32.212117, "gcj02"),), mapping={"pair": "lnglat"},
         kwargs={"default_crs": "gcj02"}, label="default_crs=gcj02"),
    Case("pair_position_xlsx.xlsx", 4, sheet="Sheet1", rows=seq(2, 5),
         points=((120.3020, 31.5765),), mapping={"pair": "位置坐标"}),
    Case("pair_bad.csv", 2,
         errors=fs((3, "not_a_pair"), (4, "order_ambiguous"),
                   (5, "outside_china|order_ambiguous"), (6, "not_a_pair")),
         rows=(2, 7), points=((120.3065, 31.5640), (120.2695, 31.5815))),
    Case("amap_poi_export.csv", 5, rows=seq(2, 6), points=((120.232108, 31.518559, "gcj02"),),
         incident="鼋头渚", kwargs={"default_crs": "gcj02"}, label="default_crs=gcj02"),
    # --- coordinates as people write them
    Case("dms_symbols.csv", 3, rows=seq(2, 4),
         points=((120.3065, 31.5640), (120.2275, 31.5205), (120.3045, 31.5875))),
    Case("dms_chinese.csv", 3, rows=seq(2, 4),
         points=((119.4260, 32.2140), (119.4120, 32.2210), (119.4530, 32.2215))),
    Case("prefix_en.csv", 4, rows=seq(2, 5), points=((120.2275, 31.5205), (120.3065, 31.5640))),
    Case("prefix_zh.csv", 4, rows=seq(2, 5), points=((119.4260, 32.2140), (119.4120, 32.2210))),
    Case("fullwidth_digits.csv", 4, rows=seq(2, 5),
         points=((120.3065, 31.5640), (120.3045, 31.5875))),
    Case("dms_bad.csv", 2,
         errors=fs((3, "bad_dms"), (4, "outside_china|wrong_hemisphere"),
                   (5, "wrong_hemisphere")),
         rows=(2, 6), points=((120.3065, 31.5640), (120.2695, 31.5815))),
    Case("two_numbers.csv", 3, errors=fs((3, "two_numbers")), maybe=fs((3, "empty_cell")),
         rows=(2, 4, 5), points=((120.2275, 31.5205), (120.2695, 31.5815))),
    Case("outside_china.csv", 3, errors=fs((3, "outside_china"), (5, "outside_china")),
         rows=(2, 4, 6), points=((120.2275, 31.5205), (120.3045, 31.5875))),
    Case("swapped.csv", 3, errors=fs((3, "swapped_lonlat")), rows=(2, 4, 5),
         points=((120.2275, 31.5205), (120.3045, 31.5875))),
    Case("swapped.csv", 4, warnings=fs("swapped_fixed"), rows=seq(2, 5),
         points=((120.2275, 31.5205), (120.3065, 31.5640), (120.3045, 31.5875)),
         warn_rows=fs((3, "swapped_fixed")), kwargs={"fix_swapped": True},
         label="fix_swapped"),
    Case("problems_mixed.csv", 2,
         errors=fs((3, "not_a_number"), (4, "empty_cell"), (5, "out_of_range"),
                   (6, "unknown_crs"), (7, "too_many_cells")),
         maybe=fs((5, "outside_china")), rows=(2, 8),
         points=((119.4260, 32.2140), (119.4120, 32.2210))),
    Case("broken_quote.csv", 5, errors=fs((4, "broken_quote")), rows=(2, 3, 5, 6, 7),
         points=((120.2275, 31.5205), (120.3065, 31.5640), (120.2695, 31.5815))),
    # --- CRS columns
    Case("gcj02_gaode.csv", 4, rows=seq(2, 5),
         points=((120.232108, 31.518559, "gcj02"), (120.311107, 31.56211, "gcj02"),
                 (120.309107, 31.585608, "gcj02"), (120.27408, 31.579563, "gcj02"))),
    Case("bd09_baidu.csv", 4, rows=seq(2, 5),
         points=((119.437962, 32.218092, "bd09"), (119.423906, 32.225346, "bd09"),
                 (119.464983, 32.225216, "bd09"), (119.507676, 32.230654, "bd09"))),
    # --- places
    Case("zhenjiang_with_nanjing.csv", 4, rows=seq(2, 5),
         points=((119.4260, 32.2140), (119.4120, 32.2210), (118.7840, 32.0410))),
    Case("zhenjiang_with_nanjing.csv", 4, warnings=fs("outside_city"), rows=seq(2, 5),
         points=((119.4260, 32.2140),), warn_rows=fs((4, "outside_city")),
         kwargs={"boundaries": BOUNDARIES}, label="boundaries"),
    # --- whole-file problems
    Case("header_only.csv", 0, errors=fs((None, "header_only"))),
    Case("missing_lat.csv", 0, errors=fs((None, "missing_column")),
         params={"missing_column": {"role": "lat"}}),
    Case("generic_fields.csv", 0, errors=fs((None, "missing_column"))),
    Case("generic_fields.csv", 4, rows=seq(2, 5), points=((119.4260, 32.2140),),
         incident="ZJ20240715001",
         mapping={"incident": "字段1", "lon": "字段3", "lat": "字段4"},
         kwargs={"columns": {"incident": "字段1", "lon": "字段3", "lat": "字段4"}},
         label="columns="),
    Case("empty.csv", 0, errors=fs((None, "empty_file"))),
    Case("blank_lines.csv", 0, errors=fs((None, "empty_file"))),
    Case("latin1.csv", 0, errors=fs((None, "bad_encoding"))),
    Case("png_named.csv", 0, errors=fs((None, "binary_file"))),
    Case("report.docx", 0, errors=fs((None, "unsupported_type")),
         params={"unsupported_type": {"ext": ext_is("docx")}}),
    Case("report.pdf", 0, errors=fs((None, "unsupported_type")),
         params={"unsupported_type": {"ext": ext_is("pdf")}}),
    Case("utf8_bom.csv", 0, errors=fs((None, "upload_too_large")),
         params={"upload_too_large": {"size_mb": present, "limit_mb": present}},
         kwargs={"max_bytes": 100}, label="max_bytes=100"),
]


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    """The 13 districts of Wuxi and Zhenjiang."""
    return gpd.read_file(ROOT / "data" / "boundaries.geojson")


def _wgs84(point: tuple) -> tuple[float, float, float]:
    """Expected WGS84 lon, lat and tolerance of a table point."""
    lon, lat = point[0], point[1]
    crs = point[2] if len(point) > 2 else "wgs84"
    if crs == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    elif crs == "bd09":
        lon, lat = bd09_to_wgs84(lon, lat)
    return float(lon), float(lat), TOL if crs == "wgs84" else TOL_CONVERTED


def _param_ok(expected: Any, actual: Any) -> bool:
    return expected(actual) if callable(expected) else expected == actual


def check(case: Case, gdf: gpd.GeoDataFrame, report: Any) -> None:
    """Assert every expectation of ``case`` on one result of read_incidents."""
    summary = "\n".join(f"{p.row} {p.column} {p.severity} {p.code} {p.params}"
                        for p in report.problems)
    errors = {(p.row, p.code) for p in report.problems if p.severity == "error"}
    warnings = {p.code for p in report.problems if p.severity != "error"}
    tolerated_errors = {m for m in case.maybe if isinstance(m, tuple)}
    tolerated_warnings = {m for m in case.maybe if isinstance(m, str)}
    for row, codes in case.errors:  # each expected error, or one of its alternatives
        alternatives = {(row, code) for code in codes.split("|")}
        assert alternatives & errors, f"missing error {row} {codes}\n{summary}"
        tolerated_errors |= alternatives
    assert errors <= tolerated_errors, f"unexpected errors {errors - tolerated_errors}\n{summary}"
    assert case.warnings <= warnings, f"missing warnings {case.warnings - warnings}\n{summary}"
    assert warnings <= case.warnings | tolerated_warnings, (
        f"unexpected warnings {warnings - case.warnings - tolerated_warnings}\n{summary}")
    for row, code in case.warn_rows:
        assert any(p.row == row and p.code == code for p in report.problems), summary

    assert isinstance(gdf, gpd.GeoDataFrame)
    assert len(gdf) == case.good, summary
    if case.good:
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
        assert list(gdf.columns[:5]) == OUTPUT_COLUMNS, list(gdf.columns)
        assert (gdf.geometry.x.to_numpy() == gdf["lon"].to_numpy()).all()
        assert (gdf.geometry.y.to_numpy() == gdf["lat"].to_numpy()).all()
        bad_rows = {row for row, _code in errors if row is not None}
        assert not bad_rows & set(gdf["row"].tolist()), summary
        assert report.n_rows == case.good + len(bad_rows), summary
    if case.rows is not None:
        assert tuple(int(r) for r in gdf["row"]) == case.rows, summary

    for i, point in enumerate(case.points):
        lon, lat, tol = _wgs84(point)
        got = gdf.iloc[i]
        assert math.isclose(got["lon"], lon, abs_tol=tol), (i, got["lon"], lon)
        assert math.isclose(got["lat"], lat, abs_tol=tol), (i, got["lat"], lat)
        if len(point) > 2:
            assert got["source_crs"] == point[2], (i, got["source_crs"])
    if case.incident is not None:
        assert str(gdf.iloc[0]["incident"]) == case.incident
    for column, value in case.extra.items():
        assert column in gdf.columns, list(gdf.columns)
        assert gdf.iloc[0][column] == value, (column, gdf.iloc[0][column])

    for code, expected in case.params.items():
        found = [p for p in report.problems if p.code == code]
        assert found, summary
        for name, want in expected.items():
            assert any(name in p.params and _param_ok(want, p.params[name]) for p in found), (
                code, name, [p.params for p in found])

    source = getattr(report, "source", None) or {}
    if case.sheet != "<any>":
        assert source.get("sheet") == case.sheet, source
    if case.header_row is not None:
        assert source.get("header_row") == case.header_row, source
    for role, header in case.mapping.items():
        assert source.get("mapping", {}).get(role) == header, source.get("mapping")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_corpus_file(case: Case, boundaries: gpd.GeoDataFrame) -> None:
    kwargs = {k: boundaries if v is BOUNDARIES else v for k, v in case.kwargs.items()}
    data = (CORPUS / case.file).read_bytes()
    gdf, report = read_incidents(data, case.file, **kwargs)
    check(case, gdf, report)


def test_a_path_reads_like_its_bytes() -> None:
    path = CORPUS / "xls_cover_sheet.xls"
    gdf, report = read_incidents(path, path.name)
    check(next(c for c in CASES if c.id == path.name), gdf, report)


# --------------------------------------------------------------- cases built at run time


def _with_long_cell(n_chars: int) -> bytes:
    """utf8_bom.csv with row 3's note replaced by ``n_chars`` characters."""
    lines = (CORPUS / "utf8_bom.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    cells = lines[2].split(",")
    cells[-1] = ("金山寺 老人胸痛 " * (n_chars // 9 + 1))[:n_chars]
    lines[2] = ",".join(cells)
    return "\r\n".join(lines).encode("utf-8-sig")


def test_a_200k_character_cell_fails_only_its_row() -> None:
    data = _with_long_cell(200_000)
    assert len(data) < 1_000_000
    gdf, report = read_incidents(data, "long_cell.csv")
    case = Case("long_cell.csv", 5, errors=fs((3, "cell_too_long")), sheet=None, header_row=1,
                rows=(2, 4, 5, 6, 7), points=((119.4260, 32.2140), (119.4530, 32.2215)),
                params={"cell_too_long": {"n_chars": 200_000, "limit": EXCEL_CELL_LIMIT}})
    check(case, gdf, report)


def test_a_cell_at_excels_limit_is_fine() -> None:
    gdf, report = read_incidents(_with_long_cell(EXCEL_CELL_LIMIT), "limit_cell.csv")
    check(Case("limit_cell.csv", 6, rows=seq(2, 7)), gdf, report)
    assert len(gdf.iloc[1]["备注"]) == EXCEL_CELL_LIMIT


def test_two_numbers_is_never_glued_into_one() -> None:
    gdf, _report = read_incidents((CORPUS / "two_numbers.csv").read_bytes(), "two_numbers.csv")
    assert not ((gdf["lon"] - 120.30453158).abs() < 1e-3).any()


def test_date_cells_are_kept_as_extra_columns() -> None:
    gdf, _report = read_incidents((CORPUS / "xlsx_dates.xlsx").read_bytes(), "xlsx_dates.xlsx")
    assert {"发生时间", "上报日期", "备注"} <= set(gdf.columns)
    assert pd.Timestamp(gdf.iloc[0]["发生时间"]) == pd.Timestamp("2024-07-15 09:30")
    assert pd.Timestamp(gdf.iloc[0]["上报日期"]) == pd.Timestamp("2024-07-16")


# ---------------------------------------------------------------------- the corpus itself


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" /
                                                  "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_file_has_expectations_and_every_expectation_a_file() -> None:
    on_disk = {p.name for p in CORPUS.iterdir()} - {"README.md"}
    in_table = {c.file for c in CASES}
    assert on_disk == in_table
    assert len(on_disk) >= 35
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in on_disk:
        assert f"`{name}`" in readme, name
        assert (CORPUS / name).stat().st_size < 60_000, name


#: An XML namespace declaration: odfpy declares every namespace any earlier document in the
#: process used, so an .ods written after another one carries more of them (same content).
_XMLNS_RE = re.compile(rb'\s+xmlns:[\w.-]+="[^"]*"')


def _zip_members(data: bytes) -> list[tuple[str, tuple, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return [(i.filename, i.date_time, _XMLNS_RE.sub(b"", book.read(i)))
                for i in book.infolist()]


def test_generating_again_gives_identical_files(tmp_path: Path) -> None:
    """Text, .xls and the bytes inside every zip container are identical on a second run.

    Zip containers (.xlsx, .ods, .docx) are compared member by member (names, times, content):
    their compressed bytes depend on the zlib build, which is not the corpus's business.
    """
    module = _make_corpus_module()
    written = module.build(tmp_path)
    assert {p.name for p in written} == {p.name for p in CORPUS.iterdir()}
    for path in written:
        new, old = path.read_bytes(), (CORPUS / path.name).read_bytes()
        if new.startswith(b"PK\x03\x04") and len(new) > 1_000:
            assert _zip_members(new) == _zip_members(old), path.name
        else:
            assert new == old, path.name


def test_workbooks_open_in_a_spreadsheet_reader() -> None:
    """The workbooks are real: python-calamine (an independent reader) opens each sheet."""
    from python_calamine import CalamineWorkbook

    for name in sorted({c.file for c in CASES}):
        if not name.endswith((".xls", ".xlsx", ".ods")) or name == "corrupt.xlsx":
            continue
        book = CalamineWorkbook.from_filelike(io.BytesIO((CORPUS / name).read_bytes()))
        assert book.sheet_names, name
        for sheet in book.sheet_names:
            book.get_sheet_by_name(sheet).to_python()
