"""Tests for geo.incidents: batch incident upload, every bad-input case on real files."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.errors import DataError, ValidationError
from geo.incidents import (
    canonical_crs,
    incidents_template_csv,
    read_incidents,
)
from geo.io import to_csv_bytes, to_geojson_bytes
from geo.validate import Report
from ui.i18n import fix_text, problem_text

ROOT = Path(__file__).resolve().parents[1]

# Points inside Wuxi (Liangxi) and Zhenjiang (Runzhou), WGS84.
WUXI = (120.3000, 31.5700)
ZHENJIANG = (119.4300, 32.2100)
FULL_WIDTH_120_3 = "\uff11\uff12\uff10\uff0e\uff13"  # 120.3 typed with a Chinese IME


def en(problem) -> str:
    """The problem as an English user reads it (the catalogue's words)."""
    return problem_text(problem.code, problem.params, "en")


def fix_en(problem) -> str | None:
    return fix_text(problem.fix_code, problem.params, "en")


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    """The 13 districts of Wuxi and Zhenjiang."""
    return gpd.read_file(ROOT / "data" / "boundaries.geojson")


def _problems(report: Report, *, severity: str | None = None) -> list[tuple]:
    return [(p.row, p.column) for p in report.problems
            if severity is None or p.severity == severity]


def _one(report: Report, row: int | None, column: str | None):
    found = [p for p in report.problems if p.row == row and p.column == column]
    assert len(found) == 1, report.summary()
    return found[0]


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _xlsx(path: Path, rows: list[list], *, title: str = "incidents") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ------------------------------------------------------------------ good files and encodings


def test_plain_utf8_csv_reads_every_row():
    text = "id,lon,lat,note\nA1,120.3,31.57,落水\nA2,119.43,32.21,\n"
    gdf, report = read_incidents(text.encode("utf-8"), "batch.csv")
    assert report.problems == []
    assert report.n_rows == 2 and report.n_ok == 2
    assert list(gdf.columns) == ["incident", "row", "lon", "lat", "source_crs", "note",
                                 "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf["incident"].tolist() == ["A1", "A2"]
    assert gdf["row"].tolist() == [2, 3]
    assert gdf["source_crs"].tolist() == ["wgs84", "wgs84"]
    assert gdf.geometry.x.tolist() == [120.3, 119.43]
    assert gdf["note"].iloc[0] == "落水" and pd.isna(gdf["note"].iloc[1])


def test_utf8_bom_header_is_recognised():
    raw = "lon,lat,名称\n120.3,31.57,南长街\n".encode("utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf")
    gdf, report = read_incidents(raw, "bom.csv")
    assert report.problems == []
    assert gdf["incident"].tolist() == ["南长街"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_csv_with_chinese_headers(encoding: str):
    text = ("编号,经度,纬度,坐标系,备注\n"
            "事件1,120.3000,31.5700,WGS84,鼋头渚游客落水\n"
            "事件2,119.4300,32.2100,高德,西津渡\n")
    gdf, report = read_incidents(text.encode(encoding), "导出.csv")
    assert report.problems == [], report.summary()
    assert gdf["incident"].tolist() == ["事件1", "事件2"]
    assert gdf["source_crs"].tolist() == ["wgs84", "gcj02"]
    assert gdf["备注"].tolist() == ["鼋头渚游客落水", "西津渡"]


def test_header_aliases_are_case_insensitive_with_units():
    text = "Incident,Longitude (°),LATITUDE,Coord System\nx,120.3,31.57,GCJ-02\n"
    gdf, report = read_incidents(text, "a.csv")
    assert report.problems == []
    assert gdf["incident"].tolist() == ["x"]
    assert gdf["source_crs"].tolist() == ["gcj02"]


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters(delimiter: str):
    text = delimiter.join(["name", "lng", "lat"]) + "\n" + delimiter.join(["p", "120.3", "31.57"])
    gdf, report = read_incidents(text + "\n", "a.tsv" if delimiter == "\t" else "a.csv")
    assert report.problems == []
    assert gdf["lon"].tolist() == [120.3]


def test_path_and_str_path_inputs(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"lon,lat\n120.3,31.57\n")
    for data in (path, str(path)):
        gdf, report = read_incidents(data, path.name)
        assert len(gdf) == 1 and report.problems == []


def test_missing_path_raises_data_error(tmp_path: Path):
    with pytest.raises(DataError, match="not found"):
        read_incidents(tmp_path / "nope.csv", "nope.csv")


# ------------------------------------------------------------------ XLSX


def test_xlsx_from_path_and_bytes_reports_excel_rows(tmp_path: Path):
    path = _xlsx(tmp_path / "batch.xlsx", [
        ["编号", "经度", "纬度", "备注"],
        [1001, 120.3, 31.57, "ok"],
        [1002, "abc", 31.57, "bad lon"],
        [None, None, None, None],  # blank row: skipped silently, still counts as row 4
        [1004, FULL_WIDTH_120_3, " 31.57 ", "full-width text"],
    ])
    for data in (path, path.read_bytes()):
        gdf, report = read_incidents(data, path.name)
        assert _problems(report) == [(3, "经度")]
        assert "abc" in en(report.problems[0])
        assert gdf["row"].tolist() == [2, 5]
        assert gdf["incident"].tolist() == ["1001", "1004"]
        assert gdf["lon"].tolist() == [120.3, 120.3]
        assert gdf["lat"].tolist() == [31.57, 31.57]
        assert report.n_rows == 3 and report.n_ok == 2


def test_xlsx_picks_the_sheet_with_coordinates(tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["请在第二个表里填写"])
    sheet = book.create_sheet("数据")
    sheet.append(["lon", "lat"])
    sheet.append([120.3, 31.57])
    path = tmp_path / "two.xlsx"
    book.save(path)
    gdf, report = read_incidents(path, path.name)
    assert len(gdf) == 1
    assert [p.severity for p in report.problems] == ["warning"]
    assert "数据" in en(report.problems[0])


def test_xls_gets_a_clear_message():
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    gdf, report = read_incidents(raw, "old.xls")
    assert report.fatal and len(gdf) == 0
    assert ".xlsx" in en(report.problems[0]) and ".xls" in en(report.problems[0])


def test_xlsx_named_file_that_is_not_a_workbook():
    gdf, report = read_incidents(b"lon,lat\n120.3,31.57\n", "wrong.xlsx")
    assert report.fatal and len(gdf) == 0
    assert "rename" in en(report.problems[0])


def test_corrupt_xlsx_is_a_file_error_not_a_traceback():
    gdf, report = read_incidents(b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx")
    assert report.fatal and len(gdf) == 0
    assert "Excel" in en(report.problems[0])


def test_workbook_uploaded_with_csv_name_is_read(tmp_path: Path):
    path = _xlsx(tmp_path / "x.xlsx", [["lon", "lat"], [120.3, 31.57]])
    gdf, report = read_incidents(path.read_bytes(), "really_excel.csv")
    assert len(gdf) == 1 and not report.errors


# ------------------------------------------------------------------ whole-file problems


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(raw: bytes):
    gdf, report = read_incidents(raw, "empty.csv")
    assert report.fatal and len(gdf) == 0
    assert _problems(report) == [(None, None)]
    assert "the file has no rows" in en(report.problems[0])


def test_header_only():
    gdf, report = read_incidents(b"id,lon,lat\r\n", "header.csv")
    assert report.fatal and len(gdf) == 0
    assert "the file has no rows" in en(report.problems[0])
    assert list(gdf.columns)[:5] == ["incident", "row", "lon", "lat", "source_crs"]


def test_header_only_xlsx(tmp_path: Path):
    path = _xlsx(tmp_path / "h.xlsx", [["经度", "纬度"]])
    _, report = read_incidents(path, path.name)
    assert "the file has no rows" in en(report.problems[0])


def test_missing_lat_column_names_it_and_lists_columns():
    gdf, report = read_incidents("name,lon,height\nx,120.3,5\n", "a.csv")
    assert report.fatal and len(gdf) == 0
    problem = _one(report, None, "lat")
    assert "no latitude column" in en(problem) and "lat/latitude" in en(problem)
    assert "'name'" in en(problem) and "'height'" in en(problem)


def test_missing_both_columns_reports_both():
    _, report = read_incidents("a,b\n1,2\n", "a.csv")
    assert _problems(report) == [(None, "lon"), (None, "lat")]


@pytest.mark.parametrize("raw", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    b"\x00\x01\x02lon,lat\n",
])
def test_binary_garbage_is_a_file_error(raw: bytes):
    gdf, report = read_incidents(raw, "upload.csv")
    assert report.fatal and len(gdf) == 0
    assert report.problems[0].row is None


def test_unsupported_extension():
    _, report = read_incidents(b"{}", "points.json")
    assert report.fatal and ".json" in en(report.problems[0])


def test_invalid_default_crs_raises():
    with pytest.raises(ValidationError, match="default_crs"):
        read_incidents(b"lon,lat\n1,2\n", "a.csv", default_crs="mars")


# ------------------------------------------------------------------ row problems


def test_text_in_number_column_keeps_good_rows():
    text = ("id,lon,lat\n"
            "a,120.3,31.57\n"
            "b,abc,31.57\n"
            "c,119.43,32.21\n"
            "d,120.3,约31\n")
    gdf, report = read_incidents(text, "a.csv")
    assert _problems(report) == [(3, "lon"), (5, "lat")]
    assert "'abc' is not a number" in en(_one(report, 3, "lon"))
    assert gdf["incident"].tolist() == ["a", "c"]
    assert report.bad_rows == {3, 5}
    assert report.n_ok == 2


def test_empty_cells_are_named():
    text = "经度,纬度\n120.3,\n,31.57\n120.3,31.57\n"
    gdf, report = read_incidents(text.encode("gbk"), "a.csv")
    assert _problems(report) == [(2, "纬度"), (3, "经度")]
    assert all("empty" in en(p) for p in report.problems)
    assert gdf["row"].tolist() == [4]


def test_short_row_counts_as_empty_cells():
    _, report = read_incidents("lon,lat\n120.3\n", "a.csv")
    assert _problems(report) == [(2, "lat")]


@pytest.mark.parametrize("cell", ['" 120.3 "', FULL_WIDTH_120_3, "120.3°", "+120.3", "1.203e2"])
def test_accepted_number_spellings(cell: str):
    gdf, report = read_incidents(f"lon,lat\n{cell},31.57\n", "a.csv")
    assert not report.problems, report.summary()
    assert gdf["lon"].tolist() == [pytest.approx(120.3)]


def test_decimal_comma_is_read_with_a_warning():
    text = "lon;lat\n120,3;31,57\n"
    gdf, report = read_incidents(text, "eu.csv")
    assert gdf["lon"].tolist() == [120.3] and gdf["lat"].tolist() == [31.57]
    assert _problems(report, severity="warning") == [(2, "lon"), (2, "lat")]
    assert not report.errors


def test_unquoted_decimal_comma_shifts_cells_and_is_an_error():
    text = "id,lon,lat\na,120,3,31.57\nb,120.3,31.57\n"
    gdf, report = read_incidents(text, "a.csv")
    assert _problems(report, severity="error") == [(2, None)]
    assert "unquoted comma" in en(report.problems[0])
    assert gdf["incident"].tolist() == ["b"]


@pytest.mark.parametrize("cell", ["nan", "inf", "120.3,31.57", "120.30 31.58", "TRUE",
                                  "120°78'"])
def test_rejected_number_spellings(cell: str):
    gdf, report = read_incidents(f'lon,lat\n"{cell}",31.57\n', "a.csv")
    assert _problems(report) == [(2, "lon")]
    assert len(gdf) == 0


def test_out_of_range():
    text = "id,lon,lat\na,200,31.57\nb,120.3,-95\nc,120.3,31.57\n"
    gdf, report = read_incidents(text, "a.csv")
    assert _problems(report) == [(2, "lon"), (3, "lat")]
    assert "[-180, 180]" in en(_one(report, 2, "lon"))
    assert "[-90, 90]" in en(_one(report, 3, "lat"))
    assert gdf["incident"].tolist() == ["c"]


def test_swapped_is_an_error_with_a_fix():
    text = "id,经度,纬度\na,31.5,120.3\nb,120.3,31.57\n"
    gdf, report = read_incidents(text, "a.csv")
    problem = _one(report, 2, "经度/纬度")
    assert problem.severity == "error"
    assert fix_en(problem) == "swap lon and lat"
    assert "swapped" in en(problem)
    assert gdf["incident"].tolist() == ["b"]


def test_swapped_with_both_values_in_range_is_detected():
    _, report = read_incidents("lon,lat\n40.1,80.2\n", "a.csv")
    assert fix_en(_one(report, 2, "lon/lat")) == "swap lon and lat"


def test_fix_swapped_swaps_and_warns(boundaries: gpd.GeoDataFrame):
    text = "id,lon,lat\na,31.57,120.3\nb,120.3,31.57\n"
    gdf, report = read_incidents(text, "a.csv", fix_swapped=True, boundaries=boundaries)
    problem = _one(report, 2, "lon/lat")
    assert problem.severity == "warning" and fix_en(problem) == "swap lon and lat"
    assert not report.errors
    assert gdf[["lon", "lat"]].to_numpy().tolist() == [[120.3, 31.57], [120.3, 31.57]]


def test_unknown_crs_value_is_named():
    text = ("id,lon,lat,坐标系\n"
            "a,120.3,31.57,火星坐标系\n"
            "b,120.3,31.57,mars\n"
            "c,120.3,31.57,bd09mc\n"
            "d,120.3,31.57,\n")
    gdf, report = read_incidents(text, "a.csv", default_crs="baidu")
    assert _problems(report) == [(3, "坐标系"), (4, "坐标系")]
    assert "'mars'" in en(_one(report, 3, "坐标系"))
    assert "Mercator" in en(_one(report, 4, "坐标系"))
    assert gdf["source_crs"].tolist() == ["gcj02", "bd09"]  # empty cell -> default_crs


@pytest.mark.parametrize(("label", "expected"), [
    ("WGS84", "wgs84"), ("WGS-84", "wgs84"), ("GPS", "wgs84"), ("EPSG:4326", "wgs84"),
    ("GCJ-02", "gcj02"), ("gcj02", "gcj02"), ("高德", "gcj02"), ("高德地图", "gcj02"),
    ("腾讯", "gcj02"), ("腾讯坐标", "gcj02"), ("amap", "gcj02"), ("BD-09", "bd09"),
    ("百度", "bd09"), ("百度坐标系", "bd09"), ("Baidu", "bd09"), ("CGCS2000", "cgcs2000"),
    ("天地图", "cgcs2000"), ("mars", None), ("", None),
])
def test_canonical_crs(label: str, expected: str | None):
    assert canonical_crs(label) == expected


def test_point_outside_the_cities_is_kept_with_a_warning(boundaries: gpd.GeoDataFrame):
    text = "id,lon,lat\nwuxi,120.3,31.57\nshanghai,121.47,31.23\nzj,119.43,32.21\n"
    gdf, report = read_incidents(text, "a.csv", boundaries=boundaries)
    assert _problems(report) == [(3, "lon/lat")]
    problem = report.problems[0]
    assert problem.severity == "warning"
    assert "outside Wuxi/Zhenjiang" in en(problem)
    assert gdf["incident"].tolist() == ["wuxi", "shanghai", "zj"]


def test_point_outside_china_warns_without_boundaries():
    gdf, report = read_incidents("lon,lat\n-0.12,51.5\n0,0\n-120.3,31.5\n120.3,31.5\n",
                                 "a.csv")
    assert len(gdf) == 1  # outside China is an error: GCJ-02 is not even defined there
    assert [(p.row, p.code, p.severity) for p in report.problems] == [
        (2, "outside_china", "error"), (3, "outside_china", "error"),
        (4, "outside_china", "error")]


def test_every_problem_is_reported_at_once(boundaries: gpd.GeoDataFrame):
    text = ("编号,经度,纬度,坐标系\n"
            "1,120.3,31.57,WGS84\n"
            "2,abc,31.57,WGS84\n"
            "3,,31.57,WGS84\n"
            "4,200,31.57,WGS84\n"
            "5,31.57,120.3,WGS84\n"
            "6,120.3,31.57,火星人\n"
            "7,121.47,31.23,WGS84\n"
            "8,119.43,32.21,百度\n")
    gdf, report = read_incidents(text.encode("gbk"), "all.csv", boundaries=boundaries)
    assert _problems(report, severity="error") == [
        (3, "经度"), (4, "经度"), (5, "经度"), (6, "经度/纬度"), (7, "坐标系")]
    assert _problems(report, severity="warning") == [(8, "经度/纬度")]
    assert gdf["incident"].tolist() == ["1", "7", "8"]
    assert report.n_rows == 8 and report.n_ok == 3
    assert not report.fatal


def test_incident_falls_back_to_row_number():
    gdf, _ = read_incidents("lon,lat\n120.3,31.57\n", "a.csv")
    assert gdf["incident"].tolist() == ["row 2"]
    gdf, _ = read_incidents("id,lon,lat\n,120.3,31.57\n", "a.csv")
    assert gdf["incident"].tolist() == ["row 2"]


def test_duplicate_incident_ids_warn():
    gdf, report = read_incidents("id,lon,lat\na,120.3,31.57\na,120.31,31.57\n", "a.csv")
    assert len(gdf) == 2
    assert _one(report, 3, "incident").severity == "warning"


def test_reserved_extra_column_names_are_renamed():
    gdf, _ = read_incidents("lon,lat,row,geometry\n120.3,31.57,r,g\n", "a.csv")
    assert gdf["row"].tolist() == [2]
    assert gdf["row_file"].tolist() == ["r"] and gdf["geometry_file"].tolist() == ["g"]


# ------------------------------------------------------------------ CRS conversion


def test_gcj02_row_lands_about_500_m_from_wgs84_row():
    text = ("id,lon,lat,crs\n"
            f"w,{WUXI[0]},{WUXI[1]},WGS84\n"
            f"g,{WUXI[0]},{WUXI[1]},GCJ-02\n"
            f"b,{WUXI[0]},{WUXI[1]},百度\n")
    gdf, report = read_incidents(text, "a.csv")
    assert not report.problems
    w, g, b = gdf[["lon", "lat"]].to_numpy()
    assert w.tolist() == list(WUXI)
    assert 300 < _metres(*w, *g) < 700
    assert 700 < _metres(*w, *b) < 1500  # BD-09 adds Baidu's own ~0.5-1 km on top
    assert gdf.geometry.x.tolist() == gdf["lon"].tolist()


def test_default_crs_applies_without_crs_column():
    gdf_w, _ = read_incidents(f"lon,lat\n{WUXI[0]},{WUXI[1]}\n", "a.csv")
    gdf_g, _ = read_incidents(f"lon,lat\n{WUXI[0]},{WUXI[1]}\n", "a.csv", default_crs="amap")
    assert gdf_g["source_crs"].tolist() == ["gcj02"]
    assert 300 < _metres(*gdf_w[["lon", "lat"]].iloc[0], *gdf_g[["lon", "lat"]].iloc[0]) < 700


# ------------------------------------------------------------------ template and downloads


@pytest.mark.parametrize("chinese", [False, True])
def test_template_reads_back_clean(chinese: bool, boundaries: gpd.GeoDataFrame):
    raw = incidents_template_csv(chinese=chinese)
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("编号,经度,纬度" if chinese else "incident,lon,lat")
    gdf, report = read_incidents(raw, "template.csv", boundaries=boundaries)
    assert report.problems == [], report.summary()
    assert len(gdf) == 3
    assert gdf["source_crs"].tolist() == ["wgs84", "gcj02", "bd09"]


def test_results_to_csv_round_trips_and_defuses_formulas():
    text = "id,lon,lat,crs,note\na,120.3,31.57,gcj02,=HYPERLINK(\"x\")\nb,119.43,32.21,,-5\n"
    gdf, _ = read_incidents(text, "a.csv")
    raw = to_csv_bytes(gdf)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    assert "geometry" not in back.columns
    assert back["note"].tolist() == ["'=HYPERLINK(\"x\")", "-5"]
    again, report = read_incidents(raw, "results.csv")  # lon/lat are WGS84 now: no re-shift
    assert not report.errors
    np.testing.assert_allclose(again[["lon", "lat"]].to_numpy(), gdf[["lon", "lat"]].to_numpy())


def test_results_to_csv_adds_lon_lat_and_keeps_chinese():
    gdf = gpd.GeoDataFrame({"名称": ["无锡站"]}, geometry=gpd.points_from_xy([120.3], [31.59]),
                           crs="EPSG:4326")
    text = to_csv_bytes(gdf).decode("utf-8-sig")
    assert text.splitlines() == ["名称,lon,lat", "无锡站,120.3,31.59"]
    assert to_csv_bytes(pd.DataFrame({"a": [1]})).decode("utf-8-sig").splitlines() == ["a", "1"]


def test_to_geojson_bytes():
    gdf = gpd.GeoDataFrame(
        {"name": ["鼋头渚"], "n": [np.int64(3)], "when": [pd.Timestamp("2024-07-01 08:30")]},
        geometry=gpd.points_from_xy([120.2275], [31.5205]), crs="EPSG:4326")
    raw = to_geojson_bytes(gdf)
    assert "鼋头渚".encode() in raw
    doc = json.loads(raw)
    props = doc["features"][0]["properties"]
    assert props == {"name": "鼋头渚", "n": 3, "when": "2024-07-01T08:30:00"}
    assert doc["features"][0]["geometry"]["coordinates"] == [120.2275, 31.5205]


def test_results_to_geojson_reprojects_and_accepts_plain_frames():
    metric = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.3], [31.57]),
                              crs="EPSG:4326").to_crs("EPSG:4549")
    lon, lat = json.loads(to_geojson_bytes(metric))["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(120.3) and lat == pytest.approx(31.57)
    plain = json.loads(to_geojson_bytes(pd.DataFrame({"lon": [120.3], "lat": [31.57]})))
    assert plain["features"][0]["geometry"]["coordinates"] == [120.3, 31.57]
    with pytest.raises(ValidationError):
        to_geojson_bytes(pd.DataFrame({"x": [1]}))


def test_utf16_unicode_text_export_from_excel():
    text = "编号\t经度\t纬度\r\nA\t120.3\t31.57\r\n"
    gdf, report = read_incidents(text.encode("utf-16"), "unicode.txt")
    assert not report.problems
    assert gdf["incident"].tolist() == ["A"]


def test_all_rows_bad_gives_empty_frame_with_columns():
    gdf, report = read_incidents("id,lon,lat,note\na,x,y,z\n", "a.csv")
    assert len(gdf) == 0 and not report.fatal
    assert list(gdf.columns) == ["incident", "row", "lon", "lat", "source_crs", "note",
                                 "geometry"]
    assert report.n_ok == 0


# ------------------------------------------------------------------ problem codes (for i18n)


def _codes(report: Report) -> list[tuple]:
    return [(p.row, p.column, p.code) for p in report.problems]


def test_every_problem_has_a_code_and_params():
    text = ("编号,经度,纬度,坐标系\n"
            "1,abc,31.57,WGS84\n"
            "2,,31.57,WGS84\n"
            "3,200,31.57,WGS84\n"
            "4,31.57,120.3,WGS84\n"
            "5,120.3,31.57,火星人\n")
    _, report = read_incidents(text.encode("gbk"), "all.csv")
    assert report.problems
    assert all(p.code and isinstance(p.params, dict) for p in report.problems)


def test_code_out_of_range():
    _, report = read_incidents("id,lon,lat\na,200,31.57\nb,120.3,-95\n", "a.csv")
    assert _codes(report) == [(2, "lon", "out_of_range"), (3, "lat", "out_of_range")]
    assert _one(report, 2, "lon").params == {"role": "lon", "value": 200.0, "limit": 180.0}
    assert _one(report, 3, "lat").params == {"role": "lat", "value": -95.0, "limit": 90.0}


def test_code_swapped_and_swapped_fixed():
    text = "id,经度,纬度\na,31.5,120.3\n"
    _, report = read_incidents(text, "a.csv")
    problem = _one(report, 2, "经度/纬度")
    assert (problem.code, problem.fix_code) == ("swapped_lonlat", "swap_lonlat")
    assert problem.params == {"lon": 31.5, "lat": 120.3}
    _, report = read_incidents(text, "a.csv", fix_swapped=True)
    problem = _one(report, 2, "经度/纬度")
    assert (problem.code, problem.fix_code) == ("swapped_fixed", "swap_lonlat")
    assert problem.params == {"lon": 120.3, "lat": 31.5}


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "empty_file"), (b"   \r\n\r\n", "empty_file"), (b"\xef\xbb\xbf", "empty_file"),
    (b"id,lon,lat\r\n", "header_only"),
])
def test_code_empty_file(raw: bytes, code: str):
    _, report = read_incidents(raw, "empty.csv")
    assert _codes(report) == [(None, None, code)]
    assert report.problems[0].params == {}


def test_code_gbk_file_with_bad_rows_keeps_chinese_column_names():
    text = "编号,经度,纬度,坐标系\n1,120.3,31.57,WGS84\n2,东经1二0,31.57,百度\n3,120.3,,高德\n"
    gdf, report = read_incidents(text.encode("gbk"), "导出.csv")
    assert _codes(report) == [(3, "经度", "not_a_number"), (4, "纬度", "empty_cell")]
    assert _one(report, 3, "经度").params == {"role": "lon", "value": "东经1二0"}
    assert _one(report, 4, "纬度").params == {"role": "lat", "value": ""}
    assert gdf["incident"].tolist() == ["1"]


def test_code_undecodable_bytes():
    _, report = read_incidents(b"lon,lat\n\x80\xff,1\n", "a.csv")
    assert _codes(report) == [(None, None, "bad_encoding")]
    assert report.problems[0].fix_code == "save_csv_utf8_or_xlsx"


def test_code_chinese_headers_missing_column():
    text = "编号,经度,备注\n1,120.3,落水\n"
    _, report = read_incidents(text.encode("gbk"), "a.csv")
    problem = _one(report, None, "lat")
    assert (problem.code, problem.fix_code) == ("missing_column", "add_column")
    assert problem.params["role"] == "lat"
    assert problem.params["columns"] == ["编号", "经度", "备注"]
    assert "纬度" in problem.params["aliases"]


def test_code_missing_columns():
    _, report = read_incidents("a,b\n1,2\n", "a.csv")
    assert _codes(report) == [(None, "lon", "missing_column"), (None, "lat", "missing_column")]
    assert [p.params["role"] for p in report.problems] == ["lon", "lat"]
    assert all(p.params["columns"] == ["a", "b"] for p in report.problems)


def test_code_text_in_number_column():
    _, report = read_incidents("id,lon,lat\na,abc,31.57\nb,120.3,约31\n", "a.csv")
    assert _codes(report) == [(2, "lon", "not_a_number"), (3, "lat", "not_a_number")]
    assert _one(report, 2, "lon").params == {"role": "lon", "value": "abc"}
    assert _one(report, 3, "lat").params == {"role": "lat", "value": "约31"}


def test_code_outside_city(boundaries: gpd.GeoDataFrame):
    text = "id,lon,lat\nwuxi,120.3,31.57\nshanghai,121.47,31.23\n"
    _, report = read_incidents(text, "a.csv", boundaries=boundaries)
    problem = _one(report, 3, "lon/lat")
    assert (problem.code, problem.fix_code) == ("outside_city", "check_coords_crs")
    assert problem.params["cities"] == ["wuxi", "zhenjiang"]
    assert en(problem).startswith("(121.47000, 31.23000) is outside Wuxi/Zhenjiang")
    assert problem.params["n_districts"] == len(boundaries)
    assert (problem.params["lon"], problem.params["lat"]) == (121.47, 31.23)


def test_report_to_frame_has_code_and_params():
    _, report = read_incidents("id,lon,lat\na,abc,31.57\nb,31.5,120.3\n", "a.csv")
    frame = report.to_frame()
    assert list(frame.columns) == ["row", "column", "severity", "code", "fix_code", "params"]
    assert {"code", "params", "fix_code"} <= set(frame.columns)
    assert frame["code"].tolist() == ["not_a_number", "swapped_lonlat"]
    assert frame["params"].tolist()[0] == {"role": "lon", "value": "abc"}
    assert frame["fix_code"].tolist()[1] == "swap_lonlat"


def test_problem_is_a_code_with_params():
    from geo.validate import Problem

    problem = Problem(2, "lon", "not_a_number", {"value": "x"})
    assert (problem.code, problem.params, problem.fix_code) == ("not_a_number", {"value": "x"},
                                                                 None)
    assert str(problem) == "row 2, column 'lon': not_a_number(value='x')"
    assert hash(problem) == hash(Problem(2, "lon", "not_a_number", {"v": 1}))
    assert en(problem) == "'x' is not a number"
