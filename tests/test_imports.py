"""Resource imports (geo.imports): columns by header, labels to codes, coordinates, layers.

The corpus of whole files is in tests/test_store_corpus.py; here each rule of the reader is
tested on a small file built in the test, plus the two round trips through a real store that
matter most: the demo's own CSV imports as "nothing changed", and a GBK file with Chinese
headers and GCJ-02 coordinates lands in WGS84 within a metre (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import schema
from geo import store as st
from geo.crs import wgs84_to_gcj02
from geo.datasets import RESOURCES_FILE
from geo.errors import ValidationError
from geo.imports import (
    IMPORT_EXTENSIONS,
    RESOURCE_ALIASES,
    ROLES,
    ResourceFile,
    _alias_key,
    combined_report,
    guess_resource_columns,
    read_resource_file,
    resource_header_score,
)
from geo.settings import SETTINGS
from tests.test_store import opener, postgres_server, url  # noqa: F401  (fixtures)
from ui.i18n import STRINGS, problem_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "store_corpus"
PASSWORD = "correct horse 42"
GEOD = Geod(ellps="WGS84")
ZH = ["编号", "类型", "名称", "城市", "区县", "经度", "纬度", "坐标系", "状态"]


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "boundaries.geojson")


def text_file(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def one_row(**cells: str) -> list[str]:
    base = {"编号": "T-1", "类型": "AED", "名称": "测试", "城市": "无锡", "区县": "梁溪区",
            "经度": "120.3045", "纬度": "31.5875", "坐标系": "WGS84", "状态": "正常"}
    base.update(cells)
    return [base[h] for h in ZH]


def codes(found: ResourceFile) -> list[tuple]:
    return [(p.row, p.code) for p in found.report.problems]


def editor_of(store: st.Store) -> st.User:
    admin = store.create_user("admin", PASSWORD, "admin")
    return store.create_user("editor", PASSWORD, "editor", by=admin)


# --------------------------------------------------------------------------------- headers


@pytest.mark.parametrize(("header", "expected"), [
    (["编号", "类型", "名称", "经度", "纬度"],
     {"id": 0, "kind": 1, "name": 2, "lon": 3, "lat": 4}),
    (["ID", "Type", "Name", "Longitude", "Latitude", "Status"],
     {"id": 0, "kind": 1, "name": 2, "lon": 3, "lat": 4, "status": 5}),
    (["AED编号", "设备名称", "所在区县", "X坐标", "Y坐标", "电极片到期日", "电池有效期（年月日）"],
     {"id": 0, "name": 1, "district": 2, "lon": 3, "lat": 4, "pads_expiry": 5,
      "battery_expiry": 6}),
    (["编号", "经纬度", "坐标系", "英文名称", "库容 (m³)", "饮用水（箱）", "专长"],
     {"id": 0, "pair": 1, "source_crs": 2, "name_en": 3, "capacity_m3": 4,
      "stock_water_case": 5, "specialty": 6}),
    (["编号", "经度（GCJ-02）", "纬度（GCJ-02）", "经纬度"], {"id": 0, "lon": 1, "lat": 2}),
    (["区/县", "室内/室外", "开放时间", "更新日期", "上次巡检", "联系电话", "队员", "船只", "车辆"],
     {"district": 0, "placement": 1, "hours": 2, "updated_at": 3, "last_check": 4,
      "guardian_phone": 5, "members": 6, "boats": 7, "vehicles": 8}),
    (["备注", "", "序号"], {}),
])
def test_columns_are_found_by_their_headers(header: list[str], expected: dict) -> None:
    assert guess_resource_columns(header) == expected


def test_no_alias_names_two_roles_and_every_spec_column_has_aliases() -> None:
    seen: dict[str, str] = {}
    for role, aliases in RESOURCE_ALIASES.items():
        assert role in ROLES
        for alias in aliases:
            key = _alias_key(alias)
            assert seen.setdefault(key, role) == role, (alias, seen[key], role)
    assert set(schema.RESOURCE_COLUMNS) <= set(RESOURCE_ALIASES)


def test_the_header_scores_above_a_title_line() -> None:
    assert resource_header_score(["无锡市AED点位表"]) == 0
    assert resource_header_score(ZH) > resource_header_score(["编号", "名称"]) > 0


def test_import_extensions_cover_tables_and_layers() -> None:
    assert {".csv", ".xlsx", ".xls", ".ods", ".geojson", ".json", ".gpkg", ".kml", ".kmz",
            ".zip"} <= set(IMPORT_EXTENSIONS)


# ---------------------------------------------------------------------------------- values


@pytest.mark.parametrize(("column", "cell", "field", "code"), [
    ("类型", "除颤仪", "kind", "aed"), ("类型", "AED", "kind", "aed"),
    ("类型", "救灾物资储备点", "kind", "relief_store"),
    ("类型", "景区救护站", "kind", "first_aid_station"),
    ("类型", "红十字救援队", "kind", "rescue_team"), ("类型", "博爱家园", "kind", "community_hub"),
    ("类型", "救护培训基地", "kind", "training_base"), ("类型", "Relief Store", "kind",
                                                      "relief_store"),
    ("类型", "first_aid_station", "kind", "first_aid_station"),
    ("状态", "在用", "status", "active"), ("状态", "可用", "status", "active"),
    ("状态", "维修", "status", "maintenance"), ("状态", "检修中", "status", "maintenance"),
    ("状态", "报废", "status", "inactive"), ("状态", "停用", "status", "inactive"),
    ("坐标系", "GPS", "source_crs", "wgs84"), ("坐标系", "wgs-84", "source_crs", "wgs84"),
    ("坐标系", "高德", "source_crs", "gcj02"), ("坐标系", "腾讯", "source_crs", "gcj02"),
    ("坐标系", "火星坐标", "source_crs", "gcj02"), ("坐标系", "百度", "source_crs", "bd09"),
    ("坐标系", "BD-09", "source_crs", "bd09"), ("坐标系", "国家2000", "source_crs", "cgcs2000"),
    ("城市", "无锡市", "city", "wuxi"), ("城市", "Wuxi", "city", "wuxi"),
    ("城市", "镇江", "city", "zhenjiang"),
    ("类型", "消防栓", "kind", "消防栓"), ("状态", "坏了", "status", "坏了"),
    ("坐标系", "北京54", "source_crs", "北京54"), ("城市", "南京", "city", "南京"),
])
def test_labels_become_codes_and_unknown_values_pass(column: str, cell: str, field: str,
                                                     code: str,
                                                     boundaries: gpd.GeoDataFrame) -> None:
    found = read_resource_file(text_file([ZH, one_row(**{column: cell})]), "t.csv",
                               boundaries=boundaries)
    assert found.table.loc[0, field] == code


def test_cells_as_spreadsheets_hold_them(boundaries: gpd.GeoDataFrame) -> None:
    header = [*ZH, "安装日期", "电极片有效期", "电池有效期", "帐篷", "联系电话"]
    rows = [header, [*one_row(), "2024/5/21", "2027年5月21日", "20280131", "1,000",
                     "0510-1234"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    row = found.table.iloc[0]
    assert (row["installed_date"], row["pads_expiry"], row["battery_expiry"]) == (
        "2024-05-21", "2027-05-21", "2028-01-31")
    assert row["stock_tent"] == "1000" and row["guardian_phone"] == "0510-1234"
    assert row["lon"] == "120.3045" and row["lat"] == "31.5875"


def test_district_names_are_matched_loosely(boundaries: gpd.GeoDataFrame) -> None:
    rows = [ZH, one_row(区县="梁溪"), one_row(编号="T-2", 区县="liangxi district"),
            one_row(编号="T-3", 区县="不存在区")]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    assert found.table["district"].tolist() == ["梁溪区", "梁溪区", "不存在区"]


# ----------------------------------------------------------------------------- coordinates


def test_a_crs_in_the_header_wins_over_the_default(boundaries: gpd.GeoDataFrame) -> None:
    header = ["编号", "类型", "名称", "城市", "区县", "经度（GCJ-02）", "纬度（GCJ-02）", "坐标系"]
    rows = [header, ["A", "AED", "a", "无锡", "梁溪区", "120.31", "31.58", ""],
            ["B", "AED", "b", "无锡", "梁溪区", "120.31", "31.58", "百度"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries,
                               default_crs="bd09")
    assert found.table["source_crs"].tolist() == ["gcj02", "bd09"]
    plain = read_resource_file(text_file([ZH[:8], [*one_row()[:7], ""]]), "t.csv",
                               boundaries=boundaries, default_crs="高德")
    assert plain.table["source_crs"].tolist() == ["gcj02"]


def test_coordinate_problems_name_the_row_and_the_column(boundaries: gpd.GeoDataFrame) -> None:
    rows = [ZH, one_row(), one_row(编号="T-2", 经度="abc"), one_row(编号="T-3", 经度="31.58",
                                                                  纬度="120.30"),
            one_row(编号="T-4", 经度="东经120°78′"), one_row(编号="T-5", 经度="-inf")]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    assert codes(found) == [(3, "not_a_number"), (4, "swapped_lonlat"), (5, "bad_dms"),
                            (6, "not_a_number")]
    assert {p.column for p in found.report.problems} == {"经度"}
    assert found.rows.tolist() == [2] and found.table["id"].tolist() == ["T-1"]
    assert found.report.n_rows == 5


def test_counts_and_expiry_dates_are_judged_once_by_validation(
        tmp_path: Path, boundaries: gpd.GeoDataFrame) -> None:
    """The reader passes a huge count and an early expiry on; the store's validation names
    each once (with the spec's column), and the other rows import."""
    header = [*ZH, "安装日期", "电极片有效期", "帐篷"]
    rows = [header,
            [*one_row(), "2024/5/21", "2027年5月21日", ""],
            [*one_row(编号="T-2"), "2024-05-21", "2024-05-20", ""],
            [*one_row(编号="T-3", 类型="仓库"), "", "", "1e308"],
            [*one_row(编号="T-4", 类型="仓库"), "", "", "９９９９９９９９９９９９９９９９９９９９"],
            [*one_row(编号="T-5", 类型="仓库"), "", "", "1,000"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    assert not found.report.errors
    assert found.table["stock_tent"].tolist() == ["", "", "1e308", "9" * 20, "1000"]
    store = st.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False)
    try:
        preview = store.preview_import(found.table, editor_of(store), rows=found.rows)
    finally:
        store.close()
    both = combined_report(found.report, preview.report)
    assert [(p.row, p.column, p.code) for p in both.errors] == [
        (3, "pads_expiry", "expiry_before_install"), (4, "stock_tent", "number_too_large"),
        (5, "stock_tent", "number_too_large")]
    assert both.errors[0].params == {"value": "2024-05-20", "installed": "2024-05-21"}
    assert both.errors[2].params == {"value": "9" * 20, "limit": "1e+15"}
    assert preview.counts["new"] == 2 and both.rows.tolist() == [2, 6]


# -------------------------------------------------------------------- missing columns, defaults


def test_city_and_district_come_from_the_point(boundaries: gpd.GeoDataFrame) -> None:
    lon, lat = (float(v) for v in wgs84_to_gcj02(119.4260, 32.2140))
    rows = [["编号", "类型", "名称", "经度", "纬度", "坐标系", "状态"],
            ["A", "AED", "a", f"{lon:.6f}", f"{lat:.6f}", "高德", "正常"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    assert found.table.loc[0, ["city", "district"]].tolist() == ["zhenjiang", "润州区"]
    assert codes(found) == [(None, "columns_derived")]
    assert found.source["derived"] == ["city", "district"]


def test_a_given_city_fills_the_city_column(boundaries: gpd.GeoDataFrame) -> None:
    rows = [["编号", "类型", "名称", "区县", "经度", "纬度"],
            ["A", "AED", "a", "梁溪区", "120.3045", "31.5875"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries, city="无锡")
    assert found.table.loc[0, "city"] == "wuxi"
    assert found.source["defaults"] == {"city": "wuxi", "status": "active"}
    assert codes(found) == [(None, "column_defaulted")]


def test_without_boundaries_a_missing_district_is_refused() -> None:
    rows = [["编号", "类型", "名称", "经度", "纬度"], ["A", "AED", "a", "120.3045", "31.5875"]]
    found = read_resource_file(text_file(rows), "t.csv", city="wuxi")
    assert codes(found) == [(None, "missing_resource_column")]
    assert found.report.problems[0].params["column"] == "district"
    assert found.refused and found.table.empty and list(found.table.columns) == list(
        schema.RESOURCE_COLUMNS)


def test_every_missing_column_is_named_at_once() -> None:
    found = read_resource_file(text_file([["备注", "数量"], ["x", "3"]]), "t.csv")
    assert [(p.code, p.column) for p in found.report.problems] == [
        ("missing_id_column", "id"), ("missing_resource_column", "kind"),
        ("missing_resource_column", "name"), ("missing_resource_column", "lon"),
        ("missing_resource_column", "lat"), ("missing_resource_column", "city"),
        ("missing_resource_column", "district")]
    assert "编号" in found.report.problems[0].params["aliases"]


def test_the_users_column_choices_win(boundaries: gpd.GeoDataFrame) -> None:
    rows = [[*ZH, "站名"], [*one_row(), "无锡站北广场"]]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries,
                               columns={"name": "站名", "status": None})
    assert found.table.loc[0, "name"] == "无锡站北广场"
    assert found.source["mapping"]["name"] == "站名" and "status" not in found.source["mapping"]
    assert found.table.loc[0, "status"] == "active"  # the status column was unmapped
    bad = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries,
                             columns={"name": "名字"})
    assert codes(bad) == [(None, "unknown_column")] and bad.columns == [*ZH, "站名"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"default_crs": "mars"}, "default_crs must be one of"),
    ({"default_kind": "tank"}, "default_kind must be one of"),
    ({"city": "Nanjing"}, "city must be one of"),
    ({"columns": {"colour": "x"}}, "unknown column role 'colour'"),
])
def test_bad_arguments_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        read_resource_file(text_file([ZH, one_row()]), "t.csv", **kwargs)


def test_too_many_rows_refuses_the_file(boundaries: gpd.GeoDataFrame) -> None:
    rows = [ZH, one_row(), one_row(编号="T-2")]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries, max_rows=1)
    assert codes(found) == [(None, "too_many_rows")] and found.table.empty


def test_rows_are_the_files_rows(boundaries: gpd.GeoDataFrame) -> None:
    found = read_resource_file(CORPUS / "title_lines.xlsx", "title_lines.xlsx",
                               boundaries=boundaries)
    assert found.rows.tolist() == [4, 5, 6]
    assert found.source["header_row"] == 3 and found.source["sheet"] == "AED"
    merged = read_resource_file(CORPUS / "merged_header_sheets.xlsx", "m.xlsx",
                                boundaries=boundaries)
    assert merged.source["sheet"] == "储备点" and merged.source["header_row"] == 2
    assert merged.source["sheets"] == ["填表说明", "储备点", "历史"]
    assert merged.source["mapping"]["lon"] == "经度"
    assert merged.source["mapping"]["stock_tent"] == "帐篷"


def test_a_path_reads_like_its_bytes(boundaries: gpd.GeoDataFrame) -> None:
    path = CORPUS / "chinese_gbk_gcj02.csv"
    by_path = read_resource_file(path, path.name, boundaries=boundaries)
    by_bytes = read_resource_file(path.read_bytes(), path.name, boundaries=boundaries)
    pd.testing.assert_frame_equal(by_path.table, by_bytes.table)
    assert codes(by_path) == codes(by_bytes) == []


def test_hostile_text_comes_through_as_data(boundaries: gpd.GeoDataFrame) -> None:
    names = ["<img src=x onerror=alert(1)>", "${alert(1)}", "`+alert(1)+`",
             '=HYPERLINK("http://x","y")', "+cmd", "-1+2", "@SUM(A1:A2)"]
    rows = [ZH, *(one_row(编号=f"H-{i}", 名称=n) for i, n in enumerate(names))]
    found = read_resource_file(text_file(rows), "t.csv", boundaries=boundaries)
    assert found.table["name"].tolist() == names and not found.report.problems


def test_combined_report_puts_file_problems_first() -> None:
    from geo.validate import Report

    reading, validation = Report(n_rows=3), Report(n_rows=2)
    reading.add(4, "经度", "not_a_number", {"value": "x"})
    reading.add(None, None, "columns_derived", {"derived": "district"}, severity="warning")
    validation.add(2, "status", "not_one_of", {"value": "?", "allowed": "active"})
    both = combined_report(reading, validation)
    assert [(p.row, p.code) for p in both.problems] == [
        (None, "columns_derived"), (2, "not_one_of"), (4, "not_a_number")]
    assert both.n_rows == 3


# ---------------------------------------------------------------------------------- layers


def test_a_layer_can_be_named_and_an_unknown_one_is_refused(
        boundaries: gpd.GeoDataFrame) -> None:
    data = (CORPUS / "cgcs2000_gk_epsg4547.gpkg").read_bytes()
    found = read_resource_file(data, "p.gpkg", boundaries=boundaries)
    assert found.source["layer"] == "资源点位"
    assert found.source["layers"] == ["服务范围", "资源点位"]
    assert "4547" in found.source["layer_crs"]
    assert set(found.table["source_crs"]) == {"wgs84"}
    nope = read_resource_file(data, "p.gpkg", boundaries=boundaries, layer="nope")
    assert codes(nope) == [(None, "unknown_layer")]
    assert nope.report.problems[0].params["available"] == "服务范围, 资源点位"
    area = read_resource_file(data, "p.gpkg", boundaries=boundaries, layer="服务范围")
    assert [c for _, c in codes(area)] == ["missing_id_column", "missing_resource_column"]


def _shapefile_zip(frame: gpd.GeoDataFrame, tmp_path: Path, *, prj: bool) -> bytes:
    path = tmp_path / "pts.shp"
    frame.to_file(path, engine="pyogrio")
    members = [".shp", ".shx", ".dbf", ".cpg"] + ([".prj"] if prj else [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for ext in members:
            if (tmp_path / f"pts{ext}").exists():
                archive.write(tmp_path / f"pts{ext}", f"pts{ext}")
    return buffer.getvalue()


def test_a_shapefile_without_prj(tmp_path: Path, boundaries: gpd.GeoDataFrame) -> None:
    frame = gpd.GeoDataFrame({"id": ["S-1"], "kind": ["aed"], "name": ["a"],
                              "status": ["active"]},
                             geometry=[shapely.Point(120.3045, 31.5875)], crs="EPSG:4326")
    lonlat = read_resource_file(_shapefile_zip(frame, tmp_path, prj=False), "a.zip",
                                boundaries=boundaries, default_crs="gcj02")
    assert lonlat.table.loc[0, "source_crs"] == "gcj02"  # no CRS: the default applies
    metres = frame.to_crs("EPSG:4547")
    (tmp_path / "projected").mkdir()
    found = read_resource_file(_shapefile_zip(metres, tmp_path / "projected", prj=False),
                               "b.zip", boundaries=boundaries)
    assert codes(found) == [(None, "vector_no_crs")]


def test_a_kmz_reads_like_its_kml(boundaries: gpd.GeoDataFrame) -> None:
    kml = (CORPUS / "placemarks.kml").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    kmz = read_resource_file(buffer.getvalue(), "p.kmz", boundaries=boundaries)
    plain = read_resource_file(kml, "p.kml", boundaries=boundaries)
    pd.testing.assert_frame_equal(kmz.table, plain.table)
    assert plain.table["id"].tolist() == ["KM-1", "KM-2", "KM-3"]  # not the placemark ids
    assert plain.rows.tolist() == [2, 3, 4]


@pytest.mark.parametrize("ext", [".csv", ".txt", ".xlsx", ".xls", ".ods", ".geojson", ".json",
                                 ".gpkg", ".kml", ".kmz", ".zip", ".shp", ""])
def test_garbage_never_raises(ext: str, boundaries: gpd.GeoDataFrame) -> None:
    rng = random.Random(ext)
    starts = [b"", b"PK\x03\x04", b"SQLite format 3\x00", b"<?xml version='1.0'?><kml>",
              b'{"type": "FeatureCollection", "features": [', b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
    for start in starts:
        data = start + bytes(rng.randrange(256) for _ in range(600))
        found = read_resource_file(data, f"junk{ext}", boundaries=boundaries)
        assert found.refused or found.report.problems, (start, ext)
        assert list(found.table.columns) == list(schema.RESOURCE_COLUMNS)


# ------------------------------------------------------------------------ every code worded


_LATIN_OK = {"CSV", "UTF", "GBK", "Excel", "WPS", "xlsx", "csv", "xls", "WGS84", "GCJ",
             "CGCS2000", "YYYY", "lon", "lat", "shp", "prj", "24h"}


def _problems_of_every_code(boundaries: gpd.GeoDataFrame, tmp_path: Path) -> list:
    found = []
    for path in sorted(CORPUS.iterdir()):
        if path.name not in ("README.md", "expected.json"):
            found += read_resource_file(path, path.name, boundaries=boundaries).report.problems
    data = (CORPUS / "cgcs2000_gk_epsg4547.gpkg").read_bytes()
    found += read_resource_file(data, "p.gpkg", layer="nope").report.problems
    frame = gpd.GeoDataFrame({"id": ["S-1"]}, geometry=[shapely.Point(1e6, 3e6)],
                             crs="EPSG:4547")  # its .prj is left out of the zip
    found += read_resource_file(_shapefile_zip(frame, tmp_path, prj=False), "b.zip",
                                boundaries=boundaries).report.problems
    spec = CORPUS / "spec_columns_utf8.csv"
    for kwargs in ({"max_rows": 1}, {"max_bytes": 10}, {"columns": {"name": "名字"}}):
        found += read_resource_file(spec, spec.name, boundaries=boundaries,
                                    **kwargs).report.problems
    return found


def test_every_code_the_reader_reports_is_worded(boundaries: gpd.GeoDataFrame,
                                                 tmp_path: Path) -> None:
    source = (ROOT / "geo" / "imports.py").read_text(encoding="utf-8")
    own = set(re.findall(r'\bcode="([a-z_0-9]+)"', source))
    assert own, "the scan found no codes"
    for code in own:
        entry = STRINGS.get(f"problem.{code}")
        assert entry and entry["zh"].strip() and entry["en"].strip(), code
    problems = _problems_of_every_code(boundaries, tmp_path)
    emitted = {p.code for p in problems}
    raised = {"bad_argument"}  # errors of the caller's arguments (test_bad_arguments_raise)
    assert own - raised <= emitted, sorted(own - raised - emitted)
    for p in problems:
        if p.code not in own:
            continue
        masked = {k: ("※" if isinstance(v, str) else ["※"] if isinstance(v, list) else v)
                  for k, v in p.params.items()}
        zh = problem_text(p.code, masked, "zh", None)
        assert zh and re.search(r"[\u4e00-\u9fff]", zh), p
        assert not set(re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", zh)) - _LATIN_OK, (p.code, zh)
        assert problem_text(p.code, p.params, "en", None), p


# ------------------------------------------------------------------ round trips in a store


def test_importing_the_demo_csv_changes_nothing(tmp_path: Path,
                                                boundaries: gpd.GeoDataFrame) -> None:
    store = st.open_store(f"sqlite:///{tmp_path / 'demo.sqlite'}", seed=True)
    try:
        editor = editor_of(store)
        before = (store.records(include_retired=True), store.audit_log(), store.revision())
        path = Path(SETTINGS.data_dir) / RESOURCES_FILE
        found = read_resource_file(path, path.name, boundaries=boundaries)
        assert not found.report.problems and found.rows.tolist() == list(
            range(2, len(found.table) + 2))
        preview = store.preview_import(found.table, editor, rows=found.rows)
        assert preview.counts["unchanged"] == len(found.table) == len(before[0])
        assert not preview.has_changes and not preview.report.problems
        result = store.commit_import(preview, editor)
        assert (result.added, result.changed) == (0, 0)
        pd.testing.assert_frame_equal(store.records(include_retired=True), before[0])
        pd.testing.assert_frame_equal(store.audit_log(), before[1])
        assert store.revision() == before[2] and store.is_demo()
    finally:
        store.close()


#: (id, place, WGS84 lon, lat): where each resource really is.
TRUE_POINTS = [("GB-1", "无锡站", 120.3045, 31.5875), ("GB-2", "鼋头渚", 120.2275, 31.5205),
               ("GB-3", "金山寺", 119.4120, 32.2210)]


def test_a_gbk_file_in_gcj02_lands_in_wgs84_within_a_metre(opener, boundaries) -> None:  # noqa: F811
    header = ["资源编号", "资源类型", "名称", "所在城市", "所属区县", "经度（GCJ-02）",
              "纬度（GCJ-02）", "使用状态", "开放时间"]
    rows = [header]
    for ident, where, lon, lat in TRUE_POINTS:
        x, y = (float(v) for v in wgs84_to_gcj02(lon, lat))
        city, district = ("无锡市", "梁溪区" if where == "无锡站" else "滨湖区") if lon > 120 else (
            "镇江市", "润州区")
        rows.append([ident, "除颤仪", f"{where}除颤仪", city, district, f"{x:.6f}", f"{y:.6f}",
                     "在用", "24小时"])
    data = text_file(rows, encoding="gbk")
    store = opener()
    editor = editor_of(store)
    found = read_resource_file(data, "名单.csv", boundaries=boundaries)
    assert not found.report.problems
    preview = store.preview_import(found.table, editor, rows=found.rows)
    assert preview.counts["new"] == 3 and not preview.report.problems
    store.commit_import(preview, editor)
    for ident, _where, lon, lat in TRUE_POINTS:
        record = store.record(ident)
        assert record["source_crs"] == "gcj02" and record["kind"] == "aed"
        _, _, metres = GEOD.inv(record["lon"], record["lat"], lon, lat)
        assert metres < 1.0, (ident, metres)
    revision = store.revision()
    again = store.preview_import(found.table, editor, rows=found.rows)
    assert again.counts["unchanged"] == 3 and not again.has_changes
    store.commit_import(again, editor)
    assert store.revision() == revision
    assert np.isclose(store.records()["lon"].astype(float), [p[2] for p in TRUE_POINTS],
                      atol=1e-5).all()
