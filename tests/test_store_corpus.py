"""Acceptance tests of resource imports on the corpus of partners' files (tests/store_corpus).

Every file is read with :func:`geo.imports.read_resource_file` and previewed against a fresh
SQLite store; the reading and validation problems together must be exactly those of
``expected.json`` (row and code, warnings too), and so must the number of rows the import
accepts. A file that must be refused leaves nothing to commit, and committing it leaves the
store unchanged row for row (records, audit log, revision). A file that imports is committed,
its values and points checked, and imported again: the second import changes nothing. The
corpus is written by ``scripts/make_store_corpus.py``; it must be reproducible.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod

from geo import schema
from geo import store as st
from geo.imports import ResourceFile, combined_report, read_resource_file
from ui.i18n import fix_text, problem_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "store_corpus"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "expected.json").read_text(encoding="utf-8"))
PASSWORD = "correct horse 42"
GEOD = Geod(ellps="WGS84")
#: Metres a stored point may be from the true place (GCJ-02/BD-09 inverses are exact to
#: < 0.5 m; 6 decimals in the file are ~0.1 m).
TOL_M = 1.0
#: Files imported a second time (one of each format; each preview costs ~50 ms).
AGAIN = frozenset({"spec_columns_utf8.csv", "chinese_gbk_gcj02.csv", "merged_header_sheets.xlsx",
                   "wps_export.xls", "libreoffice.ods", "excel_unicode.txt",
                   "cgcs2000_gk_epsg4547.gpkg", "placemarks.kml", "shapefile.zip",
                   "points.geojson", "formula_injection.csv", "html_js_names.csv"})


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "boundaries.geojson")


@pytest.fixture
def store(tmp_path: Path):
    opened = st.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", seed=False)
    yield opened
    opened.close()


def editor_of(store: st.Store) -> st.User:
    admin = store.create_user("admin", PASSWORD, "admin")
    return store.create_user("editor", PASSWORD, "editor", by=admin)


def snapshot(store: st.Store) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    return (store.records(include_retired=True), store.audit_log(), store.revision())


def assert_unchanged(store: st.Store, before: tuple[pd.DataFrame, pd.DataFrame, int]) -> None:
    records, log, revision = snapshot(store)
    pd.testing.assert_frame_equal(records, before[0])
    pd.testing.assert_frame_equal(log, before[1])
    assert revision == before[2]


def pairs(problems: list) -> list[list]:
    return sorted(([p.row, p.code] for p in problems), key=repr)


def stored_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def check_worded(problems: list) -> None:
    """Every problem renders in both languages with its own params (no fallback)."""
    for p in problems:
        for lang in ("zh", "en"):
            text = problem_text(p.code, p.params, lang, None)
            assert isinstance(text, str) and text, (p.code, p.params, lang)
            if p.fix_code:
                assert fix_text(p.fix_code, p.params, lang, None), (p.fix_code, lang)


def read(name: str, boundaries: gpd.GeoDataFrame) -> ResourceFile:
    kwargs = dict(EXPECTED[name]["kwargs"])
    return read_resource_file((CORPUS / name).read_bytes(), name, boundaries=boundaries,
                              **kwargs)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str, boundaries: gpd.GeoDataFrame, store: st.Store) -> None:
    expected = EXPECTED[name]
    editor = editor_of(store)
    found = read(name, boundaries)
    assert list(found.table.columns) == list(schema.RESOURCE_COLUMNS)
    assert len(found.rows) == len(found.table) and found.rows.dtype == "int64"
    assert found.refused == expected["refused"], found.report.summary()
    before = snapshot(store)
    preview = store.preview_import(found.table, editor, rows=found.rows)
    assert_unchanged(store, before)  # a preview writes nothing

    report = combined_report(found.report, preview.report)
    summary = report.summary(50)
    assert pairs(report.errors) == expected["errors"], summary
    assert pairs(report.warnings) == expected["warnings"], summary
    check_worded(report.problems)
    counts = preview.counts
    importable = counts["new"] + counts["changed"] + counts["unchanged"]
    assert importable == counts["new"] == expected["importable"], (counts, summary)
    # every row of the file is accounted for: imported, or named by an error
    error_rows = {p.row for p in report.errors if p.row is not None}
    if not found.refused:
        assert report.n_rows == importable + len(error_rows), summary

    if not importable:
        assert not preview.has_changes
        result = store.commit_import(preview, editor)
        assert (result.added, result.changed, result.retired) == (0, 0, 0)
        assert_unchanged(store, before)
        return

    result = store.commit_import(preview, editor)
    assert result.added == importable and result.revision == before[2] + 1
    records = store.records().set_index("id")
    assert len(records) == importable
    for ident, values in expected["values"].items():
        record = store.record(ident)
        for column, value in values.items():
            assert stored_value(record[column]) == value, (ident, column, record[column])
    for ident, (lon, lat) in expected["points"].items():
        record = store.record(ident)
        _, _, metres = GEOD.inv(record["lon"], record["lat"], lon, lat)
        assert metres < TOL_M, (ident, metres)

    if name not in AGAIN:
        return
    # the same file again changes nothing: ids make the import idempotent
    after = snapshot(store)
    again = read(name, boundaries)
    preview2 = store.preview_import(again.table, editor, rows=again.rows)
    assert preview2.counts["unchanged"] == importable and not preview2.has_changes
    store.commit_import(preview2, editor)
    assert_unchanged(store, after)


def test_a_huge_upload_is_refused_before_it_is_parsed(tmp_path: Path, monkeypatch,
                                                      boundaries: gpd.GeoDataFrame) -> None:
    """A 50 MB file is refused by the size cap (default setting): no reader ever sees it."""
    import pyogrio

    from geo import io as geo_io

    line = ("WX-BIG-{:07d},aed,名称,,wuxi,梁溪区,地址,120.3045,31.5875,wgs84,active,24h,"
            "2026-05-01\n")
    header = ",".join(schema.COMMON_COLUMNS) + "\n"
    parts = [header]
    size, i = len(header), 0
    while size < 50_000_000:
        row = line.format(i)
        parts.append(row)
        size += len(row.encode())
        i += 1
    path = tmp_path / "huge.csv"
    path.write_text("".join(parts), encoding="utf-8")
    assert path.stat().st_size >= 50_000_000

    def never(*_args, **_kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(geo_io, "_read_by_type", never)
    monkeypatch.setattr(pyogrio, "read_dataframe", never)
    monkeypatch.setattr(pyogrio, "list_layers", never)
    for name in ("huge.csv", "huge.geojson", "huge.xlsx"):
        found = read_resource_file(path, name, boundaries=boundaries)
        assert [(p.row, p.code) for p in found.report.problems] == [(None, "upload_too_large")]
        assert found.refused and found.table.empty
        assert found.report.problems[0].params["size_mb"] >= 50


# ---------------------------------------------------------------------- the corpus itself


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_store_corpus",
                                                  ROOT / "scripts" / "make_store_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_file_has_expectations_and_the_corpus_is_big_enough() -> None:
    on_disk = {p.name for p in CORPUS.iterdir()} - {"README.md", "expected.json"}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 40
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in on_disk:
        assert f"`{name}`" in readme, name
    kinds = {Path(n).suffix for n in on_disk}
    assert {".csv", ".xlsx", ".xls", ".ods", ".txt", ".geojson", ".gpkg", ".kml",
            ".zip"} <= kinds


_XMLNS_RE = re.compile(rb'\s+xmlns:[\w.-]+="[^"]*"')


def _zip_members(data: bytes) -> list[tuple[str, tuple, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return [(i.filename, i.date_time, _XMLNS_RE.sub(b"", book.read(i)))
                for i in book.infolist()]


def test_generating_again_gives_identical_files(tmp_path: Path) -> None:
    written = _make_corpus_module().build(tmp_path)
    assert {p.name for p in written} == {p.name for p in CORPUS.iterdir()}
    for path in written:
        new, old = path.read_bytes(), (CORPUS / path.name).read_bytes()
        if new.startswith(b"PK\x03\x04") and path.suffix != ".csv":
            try:
                assert _zip_members(new) == _zip_members(old), path.name
                continue
            except zipfile.BadZipFile:  # a zip cut short on purpose: compare the bytes
                pass
        assert new == old, path.name


def test_places_lie_in_the_districts_the_corpus_says(boundaries: gpd.GeoDataFrame) -> None:
    module = _make_corpus_module()
    import shapely

    for name, (lon, lat, city, district) in module.PLACES.items():
        hit = boundaries[boundaries.contains(shapely.Point(lon, lat))]
        assert list(zip(hit["city"], hit["district"], strict=True)) == [(city, district)], name
