"""Resource exports (geo.exports): CSV, XLSX, GeoJSON and GeoPackage of the resource table.

Each format is read back with an independent reader (pandas / the csv module, openpyxl,
pyogrio, GDAL's ogrinfo) over the demo dataset, the store's records and a frame with hostile
names: formula-like text is defused in the spreadsheet formats and kept literal in the GIS
formats, numbers stay numbers, every other value round-trips.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point

from geo import schema
from geo.datasets import load_demo
from geo.errors import ValidationError
from geo.exports import (
    FORMATS,
    LAYER,
    export_resources,
    resource_table,
    resources_csv,
    resources_geojson,
    resources_gpkg,
    resources_xlsx,
)
from geo.store import open_store
from geo.validate import validate_resources
from tests.conftest import PAYLOADS

SPEC = list(schema.RESOURCE_COLUMNS)
TEXT = [c.name for c in schema.RESOURCE_SPEC if c.type in ("text", "enum", "hours")]
DATES = list(schema.DATE_COLUMNS)
INTS = list(schema.INT_COLUMNS)
FLOATS = [c.name for c in schema.RESOURCE_SPEC if c.type in ("float", "lon", "lat")]

#: Names a spreadsheet would run, and what the CSV must hold instead.
INJECTIONS = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+cmd": "'+cmd",
    "-1+2": "'-1+2",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
}
HTML = "<img src=x onerror=alert(1)>"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    return load_demo().resources


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The store's records (a fresh store seeded with the demo): plain frame, store dtypes."""
    folder = tmp_path_factory.mktemp("export-store")
    store = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    try:
        return store.records()
    finally:
        store.close()


@pytest.fixture(scope="module")
def hostile(demo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Demo rows of every kind with hostile names, Chinese text and a negative number column."""
    names = [*INJECTIONS, *PAYLOADS, "鼋头渚景区救护站（中山路 1 号）", "-5", "普通名字"]
    picks = [demo.index[demo["kind"] == kind][:4] for kind in schema.KINDS]
    rows = demo.loc[np.concatenate(picks)[:len(names)]].copy()
    assert len(rows) == len(names)
    rows["name"] = pd.array(names, dtype="string")
    rows["address"] = pd.array(["无锡市梁溪区学前街 168 号"] * len(rows), dtype="string")
    rows["offset_m"] = -np.arange(len(rows), dtype=np.float64) - 0.5
    rows["=evil"] = "header"
    return rows


def _csv_frame(raw: bytes) -> pd.DataFrame:
    """A CSV export read back as text, every cell as written ("" for empty)."""
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _expected_text(table: pd.DataFrame) -> pd.DataFrame:
    """What a CSV export should hold for ``resource_table(...)``, as text."""
    out = {}
    for name in table.columns:
        if name == "geometry":
            continue
        values = table[name]
        if name in INTS:
            out[name] = ["" if pd.isna(v) else str(int(v)) for v in values]
        elif name in FLOATS or pd.api.types.is_float_dtype(values.dtype):
            out[name] = ["" if pd.isna(v) else repr(float(v)) for v in values]
        elif name in DATES:
            out[name] = ["" if v is None else v.isoformat() for v in values]
        else:
            out[name] = ["" if pd.isna(v) else str(v) for v in values]
    return pd.DataFrame(out)


def _gpkg_path(raw: bytes, tmp_path: Path, name: str = "resources.gpkg") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def _ogrinfo(path: Path) -> subprocess.CompletedProcess[str]:
    """``ogrinfo -so -al``: GDAL's own command-line reader. Missing is a failure, not a skip."""
    exe = shutil.which("ogrinfo")
    if exe is None:
        pytest.fail("GDAL's ogrinfo is not installed: run `apt-get install -y gdal-bin` "
                    "(Debian package gdal-bin) to check GeoPackage exports")
    done = subprocess.run([exe, "-so", "-al", str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done


# ------------------------------------------------------------------------------ the table


def test_store_records_and_dataset_resources_give_one_table(demo, records):
    from_dataset = resource_table(demo)
    from_store = resource_table(records)
    assert list(from_dataset.columns) == [*SPEC, "geometry"]
    columns = list(from_store.columns)
    assert columns[:len(SPEC)] == SPEC and columns[-1] == "geometry"
    assert {"version", "changed_at", "changed_by"} <= set(columns)  # the store's own, kept
    pd.testing.assert_frame_equal(pd.DataFrame(from_store[SPEC]),
                                  pd.DataFrame(from_dataset[SPEC]))
    assert from_store.crs.to_epsg() == 4326
    assert from_store.geometry.geom_equals_exact(from_dataset.geometry, tolerance=0).all()
    assert all(str(from_store[c].dtype) == "Int64" for c in INTS)
    assert all(str(from_store[c].dtype) == "string" for c in TEXT)
    kept = from_store["updated_at"].dropna()
    assert len(kept) and all(type(v) is dt.date for v in kept)


def test_a_filtered_view_keeps_its_rows_and_order(demo):
    view = demo[demo["kind"] == "relief_store"].iloc[::-1]
    table = resource_table(view)
    assert table["id"].tolist() == view["id"].tolist()
    assert table.index.tolist() == list(range(len(view)))
    assert table["installed_date"].isna().all()  # no AED in the view: the column is there


def test_a_projected_frame_is_reprojected_and_sets_lon_lat(demo):
    rows = demo.iloc[:5]
    table = resource_table(rows.to_crs("EPSG:4549"))
    np.testing.assert_allclose(table["lon"], rows["lon"], atol=1e-9)
    np.testing.assert_allclose(table["lat"], rows["lat"], atol=1e-9)
    assert table.crs.to_epsg() == 4326


def test_missing_spec_columns_are_added_empty_and_typed():
    frame = pd.DataFrame({"id": ["X1"], "name": ["只有名字"], "lon": [120.3], "lat": [31.57]})
    table = resource_table(frame)
    assert list(table.columns) == [*SPEC, "geometry"]
    assert pd.isna(table["stock_tent"].iloc[0]) and str(table["stock_tent"].dtype) == "Int64"
    assert table.geometry.iloc[0].equals(Point(120.3, 31.57))


def test_a_cell_that_is_not_of_its_type_is_kept_not_lost():
    frame = pd.DataFrame({"id": ["X1", "X2"], "lon": [120.3, None], "lat": [31.57, None],
                          "staff": ["3", "约 5 人"], "updated_at": ["2026-01-02", "昨天"]})
    table = resource_table(frame)
    assert table["staff"].tolist() == ["3", "约 5 人"]
    assert table["updated_at"].tolist() == ["2026-01-02", "昨天"]
    assert table.geometry.iloc[1] is None


def test_errors_name_what_is_wrong(demo):
    with pytest.raises(ValidationError, match="lon/lat columns") as info:
        resource_table(pd.DataFrame({"id": ["X"]}))
    assert info.value.code == "missing_columns"
    lines = gpd.GeoDataFrame({"id": ["L"]}, geometry=[LineString([(120, 31), (121, 32)])],
                             crs="EPSG:4326")
    with pytest.raises(ValidationError, match=r"resources are points.*LINESTRING"):
        resource_table(lines)
    with pytest.raises(ValidationError, match=r"duplicates \['名称'\]"):
        resources_csv(demo.iloc[:2], headers={"name": "名称", "name_en": "名称"})
    with pytest.raises(ValidationError, match="fmt must be one of csv, xlsx, geojson, gpkg"):
        export_resources(demo.iloc[:2], "shp")


# ------------------------------------------------------------------------------ CSV


def test_csv_defuses_formulas_and_round_trips_everything_else(hostile):
    raw = resources_csv(hostile)
    back = _csv_frame(raw)
    expected = _expected_text(resource_table(hostile))
    expected.columns = [*expected.columns[:-1], "'=evil"]  # the header is defused too
    for name, defused in INJECTIONS.items():
        assert defused in back["name"].tolist(), name
    want = expected.copy()
    want["name"] = [INJECTIONS.get(v, v) for v in expected["name"]]
    pd.testing.assert_frame_equal(back, want)
    assert HTML in back["name"].tolist()  # literal text, not escaped, not dropped
    assert "鼋头渚景区救护站（中山路 1 号）" in back["name"].tolist()
    assert (back["address"] == "无锡市梁溪区学前街 168 号").all()
    assert "-5" in back["name"].tolist()  # a plain number is no formula: left as it is


def test_csv_no_text_cell_starts_a_formula_but_numbers_stay_numbers(hostile):
    raw = resources_csv(hostile)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, cells = rows[0], rows[1:]
    numeric = {i for i, name in enumerate(header) if name in (*INTS, *FLOATS, "offset_m",
                                                              "version")}
    number = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    for row in [header, *cells]:
        for i, cell in enumerate(row):
            if cell.startswith(FORMULA_START):
                assert i in numeric or number.fullmatch(cell.strip()), cell
    typed = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert pd.api.types.is_float_dtype(typed["offset_m"])
    np.testing.assert_array_equal(typed["offset_m"], hostile["offset_m"])
    assert (typed["offset_m"] < 0).all()
    assert pd.api.types.is_float_dtype(typed["lon"])


def test_csv_of_the_demo_imports_back_unchanged(demo):
    raw = resources_csv(demo)
    text = _csv_frame(raw)
    assert not any(str(v).startswith("'") for v in text.to_numpy().ravel())
    back, report = validate_resources(text, load_demo().boundaries)
    assert not [p for p in report.problems if p.severity == "error"], report.summary()
    pd.testing.assert_frame_equal(pd.DataFrame(back[SPEC]).reset_index(drop=True),
                                  pd.DataFrame(demo[SPEC]).reset_index(drop=True),
                                  check_dtype=False)


def test_csv_headers_rename_and_records_carry_their_store_columns(records):
    raw = resources_csv(records.iloc[:3], headers={"id": "编号", "name": "名称"})
    back = _csv_frame(raw)
    assert list(back.columns[:3]) == ["编号", "kind", "名称"]
    assert back["version"].tolist() == ["1", "1", "1"]
    assert back["stock_tent"].tolist() == ["", "", ""]  # no ".0", no "nan"


def test_an_empty_view_still_has_its_header(demo):
    back = _csv_frame(resources_csv(demo.iloc[:0]))
    assert list(back.columns) == SPEC and len(back) == 0


# ------------------------------------------------------------------------------ XLSX


def test_xlsx_has_no_formula_and_values_match(hostile):
    raw = resources_xlsx(hostile)
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb.active
    assert ws.title == LAYER
    rows = list(ws.iter_rows())
    assert all(cell.data_type != "f" for row in rows for cell in row)
    header = [c.value for c in rows[0]]
    table = resource_table(hostile)
    assert header == [*SPEC, "offset_m", "'=evil"]
    for r, row in enumerate(rows[1:]):
        got = dict(zip(header, (c.value for c in row), strict=True))
        for name in SPEC:
            value = table[name].iloc[r]
            if name in DATES:
                want = None if value is None else value.isoformat()
            elif pd.isna(value):
                want = None
            elif name in INTS:
                want = int(value)
            elif name in FLOATS:
                want = float(value)
            else:
                want = str(value)
            if name == "name":
                # formula-like text keeps its apostrophe; an XML reader reads CR as LF
                want = INJECTIONS.get(want, want).replace("\r", "\n")
            assert got[name] == want, (r, name, got[name], want)
        assert got["offset_m"] == hostile["offset_m"].iloc[r] < 0
    names = [row[SPEC.index("name")].value for row in rows[1:]]
    assert HTML in names and "-5" in names


def test_xlsx_of_store_records_opens(records):
    wb = openpyxl.load_workbook(io.BytesIO(resources_xlsx(records)))
    values = list(wb.active.iter_rows(values_only=True))
    assert len(values) == len(records) + 1
    at = values[0].index("capacity_m3")
    stores = [row[at] for row in values[1:] if row[at] is not None]
    assert stores and all(isinstance(v, int) for v in stores)


# ------------------------------------------------------------------------------ GeoJSON


@pytest.mark.parametrize("source", ["demo", "hostile", "records"])
def test_geojson_reads_back_with_the_same_ids_and_points(source, request):
    frame = request.getfixturevalue(source)
    raw = resources_geojson(frame)
    doc = json.loads(raw)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    back = pyogrio.read_dataframe(io.BytesIO(raw))
    assert back.crs.to_epsg() == 4326
    table = resource_table(frame)
    assert back["id"].tolist() == table["id"].tolist()
    np.testing.assert_allclose(back.geometry.x, table["lon"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(back.geometry.y, table["lat"], rtol=0, atol=1e-9)
    first = doc["features"][0]
    assert first["geometry"]["coordinates"] == [table["lon"].iloc[0], table["lat"].iloc[0]]
    assert back["name"].tolist() == table["name"].tolist()  # literal, never defused


def test_geojson_keeps_hostile_text_literal_and_dates_iso(hostile):
    doc = json.loads(resources_geojson(hostile))
    names = [f["properties"]["name"] for f in doc["features"]]
    assert names == hostile["name"].tolist()
    assert {*INJECTIONS, HTML} <= set(names)
    dates = [f["properties"]["updated_at"] for f in doc["features"]]
    assert all(d is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)


# ------------------------------------------------------------------------------ GeoPackage


def test_gpkg_ogrinfo_lists_the_layer_count_and_typed_fields(demo, tmp_path):
    path = _gpkg_path(resources_gpkg(demo), tmp_path)
    done = _ogrinfo(path)
    out = done.stdout
    assert f"Layer name: {LAYER}" in out
    assert f"Feature Count: {len(demo)}" in out
    assert "Geometry: Point" in out
    assert 'ID["EPSG",4326]' in out
    assert "partially supported" not in done.stderr  # GeoPackage 1.2: no version warning
    fields = dict(re.findall(r"^(\w+): (\w+(?:\(\w+\))?) \(", out, flags=re.MULTILINE))
    for column in schema.RESOURCE_SPEC:
        want = {"date": "Date", "int": "Integer64", "float": "Real", "lon": "Real",
                "lat": "Real"}.get(column.type, "String")
        assert fields.get(column.name) == want, (column.name, fields.get(column.name))


def test_gpkg_reads_back_with_pyogrio(demo, tmp_path):
    path = _gpkg_path(resources_gpkg(demo), tmp_path)
    info = pyogrio.read_info(path, layer=LAYER)
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point"
    assert info["features"] == len(demo)
    back = pyogrio.read_dataframe(path, layer=LAYER, use_arrow=True)
    table = resource_table(demo)
    assert back["id"].tolist() == table["id"].tolist()
    np.testing.assert_allclose(back.geometry.x, table["lon"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(back.geometry.y, table["lat"], rtol=0, atol=1e-9)
    def cells(values: pd.Series) -> list:
        return [None if pd.isna(v) else v for v in values]

    for name in TEXT:
        assert cells(back[name]) == cells(table[name]), name
    for name in INTS:
        assert cells(back[name]) == [None if pd.isna(v) else int(v) for v in table[name]], name
    for name in DATES:
        assert back[name].tolist() == table[name].tolist(), name
    np.testing.assert_array_equal(back["lon"], table["lon"])


def test_gpkg_of_hostile_names_and_store_records(hostile, records, tmp_path):
    path = _gpkg_path(resources_gpkg(hostile), tmp_path, "hostile.gpkg")
    assert f"Feature Count: {len(hostile)}" in _ogrinfo(path).stdout
    back = pyogrio.read_dataframe(path, use_arrow=True)
    assert back["name"].tolist() == hostile["name"].tolist()  # as stored, not defused
    assert back["=evil"].tolist() == ["header"] * len(hostile)
    np.testing.assert_array_equal(back["offset_m"], hostile["offset_m"])
    path = _gpkg_path(resources_gpkg(records), tmp_path, "records.gpkg")
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["version"].startswith("OFTInteger") and types["changed_at"] == "OFTDateTime"
    assert types["updated_at"] == "OFTDate" and types["stock_tent"] == "OFTInteger64"


def test_gpkg_of_a_view_without_dates_or_rows_keeps_its_types(demo, tmp_path):
    for name, view in (("stores.gpkg", demo[demo["kind"] == "relief_store"]),
                       ("empty.gpkg", demo.iloc[:0])):
        path = _gpkg_path(resources_gpkg(view), tmp_path, name)
        out = _ogrinfo(path).stdout
        assert f"Feature Count: {len(view)}" in out and "Geometry: Point" in out
        assert "pads_expiry: Date" in out and "staff: Integer64" in out


def test_formats_table_names_every_writer(demo, tmp_path):
    assert set(FORMATS) == {"csv", "xlsx", "geojson", "gpkg"}
    rows = demo.iloc[:3]
    for fmt, spec in FORMATS.items():
        assert spec.suffix == f".{fmt}"
        if fmt != "gpkg":  # a GeoPackage records when it was written
            assert export_resources(rows, fmt) == spec.write(rows)
    gpkg = export_resources(rows, "gpkg")
    assert gpkg.startswith(b"SQLite format 3\x00")
    back = pyogrio.read_dataframe(_gpkg_path(gpkg, tmp_path))
    assert back["id"].tolist() == rows["id"].tolist()


def test_a_missing_ogrinfo_fails_the_checks_and_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y gdal-bin"):
        _ogrinfo(tmp_path / "resources.gpkg")


def test_a_view_put_together_with_concat_exports(demo):
    """Text columns of concatenated frames are chunked Arrow arrays; every writer takes them."""
    parts = [demo[demo["kind"] == "rescue_team"], demo[demo["kind"] == "relief_store"]]
    view = pd.concat(parts)
    single = pd.concat(parts).copy()
    single["name"] = pd.array(single["name"].tolist(), dtype="string")
    for write in (resources_csv, resources_geojson):
        assert write(view) == write(single)
    back = _csv_frame(resources_csv(view))
    assert back["id"].tolist() == view["id"].tolist()
    rows = list(openpyxl.load_workbook(io.BytesIO(resources_xlsx(view))).active.values)
    assert [r[0] for r in rows[1:]] == view["id"].tolist()
