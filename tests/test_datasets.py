"""geo.datasets / geo.validate / geo.stats: the contract the pages build on."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo import schema, stats
from geo.datasets import (
    DATA_FILES,
    SCENIC_AREA_SPEC,
    TOWN_SPEC,
    Dataset,
    cell_squares,
    dataset_version,
    load_demo,
)
from geo.errors import DataError, ValidationError
from geo.validate import validate_resources
from tests.conftest import resource_row
from ui.i18n import problem_text

ROOT = Path(__file__).resolve().parents[1]
CITY_DISTRICTS = {
    "wuxi": {"梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "江阴市", "宜兴市"},
    "zhenjiang": {"京口区", "润州区", "丹徒区", "丹阳市", "扬中市", "句容市"},
}
CITY_POP = {"wuxi": 7_462_135, "zhenjiang": 3_210_418}
# data/README.md: resources per city and kind (Wuxi's from its Red Cross report).
CITY_KINDS = {
    "wuxi": {"aed": 495, "relief_store": 3, "first_aid_station": 8, "rescue_team": 11,
             "community_hub": 122, "training_base": 10},
    "zhenjiang": {"aed": 160, "relief_store": 4, "first_aid_station": 7, "rescue_team": 6,
                  "community_hub": 6, "training_base": 2},
}
TEAM_MEMBERS = {"wuxi": 426, "zhenjiang": 220}  # 646 in all
N_CELLS = 477_058  # inhabited 100 m cells (data/README.md)
CITY_TOWNS = {"wuxi": 77, "zhenjiang": 51}
CITY_SCENIC = {"wuxi": 22, "zhenjiang": 7}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the demo data files, free to corrupt."""
    for name in DATA_FILES:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    return tmp_path


def _edit_csv(path: Path, edit) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(table)
    table.to_csv(path, index=False)
    return table


def _edit_parquet(path: Path, edit) -> pd.DataFrame:
    table = pq.read_table(path).to_pandas()
    edit(table)
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path)
    return table


# --- the contract -------------------------------------------------------------------------

def test_dataset_contract(demo):
    assert set(demo.boundaries.columns) >= {"city", "district", "adcode", "geometry"}
    assert list(demo.resources.columns) == [*schema.RESOURCE_COLUMNS, "geometry"]
    assert "row" not in demo.resources.columns  # file rows live in the report
    assert demo.report.rows.tolist() == list(range(2, len(demo.resources) + 2))
    assert list(demo.population.columns) == [*schema.POPULATION_COLUMNS, "geometry"]
    assert list(demo.towns.columns) == [*schema.column_names(TOWN_SPEC), "geometry"]
    assert list(demo.scenic_areas.columns) == [
        *schema.column_names(SCENIC_AREA_SPEC), "geometry"]
    for frame in (demo.boundaries, demo.resources, demo.population, demo.water, demo.towns,
                  demo.scenic_areas):
        assert frame.crs.to_epsg() == 4326
    assert set(demo.resources["kind"]) == set(schema.KINDS)
    assert demo.resources["id"].is_unique
    assert demo.metric_crs == "EPSG:4549"
    assert demo.is_demo
    assert demo.city is None
    assert not demo.report.problems
    assert len(demo.resources) == 834
    assert len(demo.population) == N_CELLS
    assert len(demo.towns) == 128
    assert len(demo.scenic_areas) == 29
    assert (demo.population["cell_m"] == 100).all()


@pytest.mark.parametrize("city", ["wuxi", "zhenjiang"])
def test_city_subset(demo, city):
    ds = load_demo(city)
    assert ds.city == city
    assert set(ds.boundaries["district"]) == CITY_DISTRICTS[city]
    assert set(ds.resources["city"]) == {city}
    assert int(ds.population["pop"].sum()) == CITY_POP[city]
    assert set(ds.population["city"]) == {city}
    assert ds.towns.groupby("city").size().to_dict() == {city: CITY_TOWNS[city]}
    assert ds.scenic_areas.groupby("city").size().to_dict() == {city: CITY_SCENIC[city]}
    assert set(ds.towns["district"]) == CITY_DISTRICTS[city]
    assert set(ds.resources["district"]) <= CITY_DISTRICTS[city]
    assert ds.resources.groupby("kind").size().to_dict() == CITY_KINDS[city]
    teams = ds.resources[ds.resources["kind"] == "rescue_team"]
    assert int(teams["members"].sum()) == TEAM_MEMBERS[city]
    # the report's row mapping follows the subset
    full_rows = dict(zip(demo.resources["id"], demo.report.rows, strict=True))
    assert ds.report.rows.tolist() == [full_rows[i] for i in ds.resources["id"]]
    assert ds.version != demo.version
    assert load_demo(city) is ds  # built once per dataset


def test_population_cells_are_centre_points(demo):
    geoms = demo.population.geometry
    assert (geoms.geom_type == "Point").all()
    assert np.array_equal(geoms.x.to_numpy(), demo.population["lon"].to_numpy())
    assert np.array_equal(geoms.y.to_numpy(), demo.population["lat"].to_numpy())
    assert demo.population["pop"].dtype == "int64" and demo.population["cell_m"].dtype == "int64"


def test_cell_squares_are_squares_of_their_size(demo):
    cells = demo.population.sample(500, random_state=1)
    squares = cell_squares(cells)
    assert squares.crs.to_epsg() == 4326
    assert squares.index.equals(cells.index)
    metric = squares.to_crs(demo.metric_crs)
    assert (metric.area - cells["cell_m"].to_numpy() ** 2).abs().max() < 1.0
    assert metric.contains(cells.geometry.to_crs(demo.metric_crs)).all()
    # centred: the square's centroid is the cell centre (to far less than a metre)
    offset = metric.centroid.distance(cells.geometry.to_crs(demo.metric_crs))
    assert offset.max() < 0.01
    # neighbouring squares of the grid touch without overlapping
    dense = demo.population[demo.population["district"] == "梁溪区"].head(1000)
    xy = dense.geometry.to_crs(demo.metric_crs).get_coordinates().to_numpy()
    step = np.diff(xy, axis=0)
    i = int(np.flatnonzero((np.abs(step[:, 0] - 100) < 0.5) & (np.abs(step[:, 1]) < 0.5))[0])
    a, b = cell_squares(dense.iloc[i:i + 2]).to_crs(demo.metric_crs)  # west-east neighbours
    assert a.intersection(b).area < 1.0 and a.distance(b) < 0.01
    assert cell_squares(demo.population.head(0)).empty


def test_cell_squares_need_centres_and_a_size(demo):
    with pytest.raises(ValidationError, match="cell_m") as err:
        cell_squares(demo.population.drop(columns="cell_m").head(3))
    assert err.value.code == "bad_grid_frame"
    with pytest.raises(ValidationError, match="points"):
        cell_squares(demo.population.head(3).set_geometry(cell_squares(
            demo.population.head(3))))
    assert "cell-centre points" in problem_text("bad_grid_frame", {}, "en")


def test_towns_and_scenic_areas(demo):
    towns, scenic = demo.towns, demo.scenic_areas
    assert towns.groupby("city").size().to_dict() == CITY_TOWNS
    assert scenic.groupby("city").size().to_dict() == CITY_SCENIC
    assert scenic["name"].is_unique
    assert (towns.geom_type == "Point").all() and (scenic.geom_type == "Point").all()
    assert towns["weight"].dtype == "float64" and towns["lon"].dtype == "float64"
    seat = towns[towns["name"] == "崇安寺"].iloc[0]
    assert (seat["district"], seat["lon"], seat["lat"], seat["weight"], seat["sigma_km"]) == (
        "梁溪区", 120.300, 31.577, 22.0, 1.2)
    assert set(towns["district"]) == set(demo.boundaries["district"])


def test_unknown_city_is_a_clear_error():
    with pytest.raises(ValidationError, match="city must be one of wuxi, zhenjiang") as err:
        load_demo("nanjing")
    assert err.value.code == "not_one_of"
    assert err.value.params == {"value": "nanjing", "allowed": "wuxi, zhenjiang"}


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"boundaries\.geojson is missing") as err:
        load_demo(data_dir=tmp_path)
    assert err.value.code == "missing_file"
    assert err.value.params == {"file": "boundaries.geojson", "folder": str(tmp_path.resolve())}


@pytest.mark.parametrize("name", ["boundaries.geojson", "resources.csv", "population.parquet",
                                  "towns.csv", "scenic_areas.csv"])
def test_each_missing_file_is_named(data_copy, name):
    (data_copy / name).unlink()
    with pytest.raises(DataError, match=rf"{name.replace('.', '[.]')} is missing") as err:
        load_demo(data_dir=data_copy)
    assert err.value.code == "missing_file"
    assert err.value.params["file"] == name
    text = problem_text(err.value.code, err.value.params, "zh")
    assert name in text and "缺少数据文件" in text


def test_water_file_is_optional(data_copy):
    (data_copy / "water.geojson").unlink()
    ds = load_demo(data_dir=data_copy)
    assert ds.water.empty and ds.water.crs.to_epsg() == 4326


def test_unreadable_file_is_a_data_error(data_copy):
    (data_copy / "boundaries.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"boundaries\.geojson cannot be read") as err:
        load_demo(data_dir=data_copy)
    assert err.value.code == "unreadable_file"


def test_unreadable_population_is_a_data_error(data_copy):
    (data_copy / "population.parquet").write_bytes(b"PAR1 not really parquet")
    with pytest.raises(DataError, match=r"population\.parquet cannot be read") as err:
        load_demo(data_dir=data_copy)
    assert err.value.code == "unreadable_file"
    assert err.value.params["file"] == "population.parquet"


# --- bad rows in the files ------------------------------------------------------------------

def test_bad_resource_rows_are_named(data_copy):
    def corrupt(table: pd.DataFrame) -> None:
        table.loc[0, "lon"] = "abc"                    # file row 2
        table.loc[5, "kind"] = "helicopter"            # row 7
        table.loc[10, "id"] = table.loc[11, "id"]      # rows 12 and 13
        table.loc[20, "hours"] = "08:00-24:30"         # row 22

    table = _edit_csv(data_copy / "resources.csv", corrupt)
    with pytest.raises(DataError, match=r"resources\.csv: 5 problem") as err:
        load_demo(data_dir=data_copy)
    params = err.value.params
    assert err.value.code == "bad_resources"
    assert params["rows"] == [2, 7, 12, 13, 22]
    assert params["row_list"] == "2, 7, 12, 13, 22"
    assert params["source"] == "resources.csv" and params["n"] == 5
    found = [(p.row, p.column, p.code, p.params) for p in params["problems"]]
    dup = table.loc[11, "id"]
    assert found == [
        (2, "lon", "not_a_number", {"value": "abc"}),
        (7, "kind", "not_one_of", {"value": "helicopter", "allowed": ", ".join(schema.KINDS)}),
        (12, "id", "duplicate_id", {"id": dup}),
        (13, "id", "duplicate_id", {"id": dup}),
        (22, "hours", "bad_hours", {"value": "08:00-24:30"}),
    ]
    for row in ("row 2,", "row 7,", "row 12,", "row 13,", "row 22,"):
        assert row in str(err.value)
    assert problem_text("bad_resources", params, "en") == (
        "resources.csv: 5 problem(s) in rows 2, 7, 12, 13, 22")


def test_bad_population_rows_are_named(data_copy):
    def corrupt(table: pd.DataFrame) -> None:
        table["pop"] = table["pop"].astype("float64")
        table.loc[3, "pop"] = -5          # row 5 (rows numbered as in a sheet: header = 1)
        table.loc[8, "lon"] = np.nan      # row 10
        table.loc[12, "pop"] = np.nan     # row 14
        table.loc[20, "district"] = "不存在区"  # row 22
        table.loc[30, "lat"] = np.nan     # row 32

    _edit_parquet(data_copy / "population.parquet", corrupt)
    with pytest.raises(DataError, match=r"population\.parquet: 5 problem") as err:
        load_demo(data_dir=data_copy)
    assert err.value.code == "bad_population"
    assert err.value.params["rows"] == [5, 10, 14, 22, 32]
    assert err.value.params["source"] == "population.parquet"
    found = [(p.row, p.column, p.code) for p in err.value.params["problems"]]
    assert found == [(5, "pop", "not_whole_number"), (10, "lon", "empty_cell"),
                     (14, "pop", "empty_cell"), (22, "district", "unknown_district"),
                     (32, "lat", "empty_cell")]
    assert err.value.params["problems"][0].params == {"value": "-5.0"}
    assert err.value.params["problems"][3].params == {"district": "不存在区", "city": "wuxi"}
    assert "第 5, 10, 14, 22, 32 行" in problem_text("bad_population", err.value.params, "zh")


def test_population_typed_and_text_tables_validate_alike(demo):
    typed = pd.DataFrame(demo.population.drop(columns="geometry").head(200))
    text = typed.astype(str)
    a = Dataset.from_frames(demo.boundaries, pd.DataFrame([resource_row()]), typed)
    b = Dataset.from_frames(demo.boundaries, pd.DataFrame([resource_row()]), text)
    assert a.version == b.version
    assert_geodataframe_equal(a.population, demo.population.head(200))
    bad = typed.assign(pop=typed["pop"].astype("int32"))
    bad.loc[0, "pop"] = -1
    with pytest.raises(DataError) as err:
        Dataset.from_frames(demo.boundaries, pd.DataFrame([resource_row()]), bad)
    assert [(p.row, p.column, p.code, p.params) for p in err.value.params["problems"]] == [
        (2, "pop", "not_whole_number", {"value": "-1"})]


def test_bad_town_and_scenic_rows_are_named(data_copy):
    def corrupt_towns(table: pd.DataFrame) -> None:
        table.loc[0, "lon"] = "east"        # row 2
        table.loc[4, "district"] = "不存在区"  # row 6
        table.loc[7, "sigma_km"] = "-1"     # row 9

    _edit_csv(data_copy / "towns.csv", corrupt_towns)
    with pytest.raises(DataError, match=r"towns\.csv: 3 problem") as err:
        load_demo(data_dir=data_copy)
    assert err.value.code == "bad_places"
    found = [(p.row, p.column, p.code) for p in err.value.params["problems"]]
    assert found == [(2, "lon", "not_a_number"), (6, "district", "unknown_district"),
                     (9, "sigma_km", "below_minimum")]
    assert problem_text("bad_places", err.value.params, "en") == (
        "towns.csv: 3 problem(s) in rows 2, 6, 9")
    shutil.copy(ROOT / "data" / "towns.csv", data_copy / "towns.csv")

    def corrupt_scenic(table: pd.DataFrame) -> None:
        table.loc[1, "name"] = table.loc[0, "name"]  # rows 2 and 3

    _edit_csv(data_copy / "scenic_areas.csv", corrupt_scenic)
    with pytest.raises(DataError, match=r"scenic_areas\.csv: 2 problem") as err:
        load_demo(data_dir=data_copy)
    assert err.value.params["rows"] == [2, 3]


def test_boundaries_without_a_column_are_a_data_error(demo):
    bounds = demo.boundaries.drop(columns="adcode")
    table = pd.DataFrame([resource_row()])
    with pytest.raises(DataError, match="missing column") as err:
        Dataset.from_frames(bounds, table, pd.DataFrame(demo.population.head(3)))
    assert err.value.code == "missing_columns"
    assert err.value.params["missing"] == "adcode"


def test_from_frames_keeps_warnings_and_takes_a_city(demo):
    table = pd.DataFrame([
        resource_row(id="A"),
        resource_row(id="B", district="锡山区"),                       # point in 梁溪区: warning
        resource_row(id="Z", city="zhenjiang", district="京口区", lon="119.45", lat="32.20"),
    ])
    population = pd.DataFrame(demo.population.drop(columns="geometry").head(5))
    ds = Dataset.from_frames(demo.boundaries, table, population)
    assert not ds.is_demo and ds.city is None
    assert ds.towns.empty and ds.scenic_areas.empty  # optional layers
    assert list(ds.towns.columns) == list(demo.towns.columns)
    assert list(ds.resources["id"]) == ["A", "B", "Z"]
    warnings = [(p.row, p.code, p.severity) for p in ds.report.problems]
    assert warnings == [(3, "outside_district", "warning")]
    assert ds.report.rows.tolist() == [2, 3, 4]
    zj = Dataset.from_frames(demo.boundaries, table, population, city="zhenjiang", is_demo=True)
    assert zj.city == "zhenjiang" and zj.is_demo
    assert list(zj.resources["id"]) == ["Z"] and zj.report.rows.tolist() == [4]
    assert not zj.report.problems and zj.water.empty
    # towns and scenic areas: text tables or GeoDataFrames, subset with the city
    towns = pd.DataFrame(demo.towns.drop(columns="geometry")).astype(str)
    scenic = demo.scenic_areas.drop(columns=["lon", "lat"])  # positions from the points
    both = Dataset.from_frames(demo.boundaries, table, population, towns=towns,
                               scenic_areas=scenic, city="zhenjiang")
    assert len(both.towns) == CITY_TOWNS["zhenjiang"]
    assert len(both.scenic_areas) == CITY_SCENIC["zhenjiang"]
    assert both.scenic_areas["lon"].tolist() == demo.scenic_areas.loc[
        demo.scenic_areas["city"] == "zhenjiang", "lon"].tolist()


def test_validation_reports_every_problem_and_keeps_good_rows(demo):
    table = pd.DataFrame([
        resource_row(),
        resource_row(id="T-2", lon="abc"),
        resource_row(id="T-3", lon="31.57", lat="120.30"),
        resource_row(id="T-4", kind="helicopter", hours="all day"),
        resource_row(id="T-1", pads_expiry="next year"),
        resource_row(id="T-6", kind="rescue_team", specialty="cooking", district="不存在区"),
        resource_row(id="T-7", source_crs="gcj02", lon="120.3046", lat="31.5681"),
    ])
    good, report = validate_resources(table, demo.boundaries)
    messages = [f"row {p.row}, column '{p.column}': {problem_text(p.code, p.params, 'en')}"
                for p in report.errors]
    assert list(good["id"]) == ["T-7"]  # T-1 is duplicated, so both T-1 rows are reported
    assert report.rows.tolist() == [8]
    expected = [
        "row 2, column 'id': id 'T-1' is used by more than one row",
        "row 3, column 'lon': 'abc' is not a number",
        "row 4, column 'lon': longitude 31.57 and latitude 120.3 look swapped",
        "row 5, column 'kind': 'helicopter' is not one of",
        "row 5, column 'hours': cannot read the opening hours 'all day'",
        "row 6, column 'id': id 'T-1' is used by more than one row",
        "row 6, column 'pads_expiry': 'next year' is not a date",
        "row 7, column 'specialty': 'cooking' is not one of",
        "row 7, column 'district': '不存在区' is not a district of 'wuxi'",
    ]
    assert len(messages) == len(expected)
    for text, message in zip(expected, messages, strict=True):
        assert message.startswith(text), (text, messages)
    # the GCJ-02 row was converted to WGS84: about 490 m south-west of its raw numbers
    assert good.loc[0, "lon"] == pytest.approx(120.3046 - 0.0046, abs=0.0003)
    assert good["pads_expiry"].dtype.kind == "M"


def test_validation_missing_columns_is_one_whole_file_error():
    good, report = validate_resources(pd.DataFrame({"id": ["x"], "name": ["y"]}))
    assert report.fatal and good.empty
    first = report.errors[0]
    assert "missing column(s): kind" in problem_text(first.code, first.params, "en")
    with pytest.raises(ValidationError, match="1 problem"):
        report.raise_if_errors("resources.csv")


# --- immutability and version ---------------------------------------------------------------

def test_dataset_is_frozen(demo):
    ds = Dataset(demo.boundaries, demo.resources, demo.population, demo.water,
                 towns=demo.towns, scenic_areas=demo.scenic_areas)  # own frames
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.resources = ds.resources.head(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.version = "x"
    with pytest.raises(ValueError, match="read-only"):
        ds.resources.loc[0, "members"] = 99
    with pytest.raises(ValueError):  # pandas rewords the read-only error for dates
        ds.resources.loc[0, "updated_at"] = pd.Timestamp("2030-01-01")
    assert ds.resources.loc[0, "updated_at"] == demo.resources.loc[0, "updated_at"]
    with pytest.raises(ValueError, match="read-only"):
        ds.population.loc[0, "pop"] = 1
    with pytest.raises(ValueError, match="read-only"):
        ds.towns.loc[0, "weight"] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        ds.resources.loc[0, "geometry"] = None
    copy = ds.resources.copy()
    copy.loc[0, "members"] = 99  # a copy is the caller's own
    assert pd.isna(ds.resources.loc[0, "members"])
    assert ds.version == dataset_version(
        (ds.boundaries, ds.resources, ds.population, ds.water, ds.towns, ds.scenic_areas),
        city=None, is_demo=False)


def test_constructor_copies_the_callers_frames(demo):
    resources = demo.resources.copy()
    ds = Dataset(demo.boundaries, resources, demo.population, demo.water, is_demo=True,
                 towns=demo.towns, scenic_areas=demo.scenic_areas)
    resources.loc[0, "name"] = "changed"  # the caller's frame stays writable ...
    assert ds.resources.loc[0, "name"] != "changed"  # ... and is not the dataset's
    assert ds == demo and hash(ds) == hash(demo)  # same content, same version
    with pytest.raises(ValidationError, match="EPSG:4326"):
        Dataset(demo.boundaries.to_crs(4549), demo.resources, demo.population, demo.water)


def test_version_is_a_content_hash(demo):
    assert len(demo.version) == 32 and int(demo.version, 16) >= 0
    again = Dataset(demo.boundaries, demo.resources, demo.population, demo.water,
                    is_demo=True, report=demo.report, towns=demo.towns,
                    scenic_areas=demo.scenic_areas)
    assert again.version == demo.version
    without_towns = Dataset(demo.boundaries, demo.resources, demo.population, demo.water,
                            is_demo=True, scenic_areas=demo.scenic_areas)
    assert without_towns.version != demo.version
    heavier = demo.towns.copy()
    heavier.loc[0, "weight"] = heavier.loc[0, "weight"] + 1
    assert Dataset(demo.boundaries, demo.resources, demo.population, demo.water,
                   is_demo=True, towns=heavier,
                   scenic_areas=demo.scenic_areas).version != demo.version
    renamed_area = demo.scenic_areas.copy()
    renamed_area.loc[0, "name"] = "改名"
    assert Dataset(demo.boundaries, demo.resources, demo.population, demo.water,
                   is_demo=True, towns=demo.towns,
                   scenic_areas=renamed_area).version != demo.version
    renamed = demo.resources.copy()
    renamed.loc[3, "name"] = renamed.loc[3, "name"] + "x"
    changed = Dataset(demo.boundaries, renamed, demo.population, demo.water, is_demo=True)
    assert changed.version != demo.version
    def with_population(population):
        return Dataset(demo.boundaries, demo.resources, population, demo.water, is_demo=True,
                       towns=demo.towns, scenic_areas=demo.scenic_areas)

    assert with_population(demo.population.copy()).version == demo.version
    moved = demo.population.copy()
    moved.loc[0, "geometry"] = shapely.Point(moved.geometry.iloc[0].x + 1e-6,
                                             moved.geometry.iloc[0].y)
    assert with_population(moved).version != demo.version
    squares = demo.population.set_geometry(cell_squares(demo.population.head(3)).reindex(
        demo.population.index))  # not all points: hashed as WKB
    assert with_population(squares).version != demo.version
    more = demo.population.copy()
    more.loc[5, "pop"] = more.loc[5, "pop"] + 1
    assert with_population(more).version != demo.version
    other_id = demo.population.copy()
    other_id.loc[7, "cell_id"] = "WX-X"
    assert with_population(other_id).version != demo.version
    not_demo = Dataset(demo.boundaries, demo.resources, demo.population, demo.water)
    assert not_demo.version != demo.version
    assert dataset_version([demo.resources]) != dataset_version([demo.resources.head(833)])
    versions = {demo.version, load_demo("wuxi").version, load_demo("zhenjiang").version}
    assert len(versions) == 3


def test_version_same_across_processes_and_folders(demo, data_copy):
    script = ("from geo.datasets import load_demo; import sys; "
              "print(load_demo(data_dir=sys.argv[1]).version, "
              "load_demo('wuxi', data_dir=sys.argv[1]).version)")
    out = subprocess.run([sys.executable, "-c", script, str(data_copy)], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == [demo.version, load_demo("wuxi").version]
    assert load_demo(data_dir=data_copy).version == demo.version


def test_load_demo_memoises_on_file_stamps(data_copy):
    first = load_demo(data_dir=data_copy)
    assert load_demo(data_dir=data_copy) is first

    def rename(table: pd.DataFrame) -> None:
        table.loc[0, "name"] = "改名"

    _edit_csv(data_copy / "resources.csv", rename)
    second = load_demo(data_dir=data_copy)
    assert second is not first and second.version != first.version
    assert second.resources.loc[0, "name"] == "改名"


# --- figures ------------------------------------------------------------------------------

def test_district_table_and_totals(demo):
    table = stats.district_table(demo)
    assert len(table) == 13
    total = stats.totals(table)
    assert total["population"] == sum(CITY_POP.values())
    assert total["team_members"] == 646
    for kind in schema.KINDS:
        assert total[kind] == sum(CITY_KINDS[c][kind] for c in CITY_KINDS)
    for city in CITY_KINDS:
        figures = stats.totals(table[table["city"] == city])
        assert figures["population"] == CITY_POP[city]
        assert figures["team_members"] == TEAM_MEMBERS[city]
        assert {k: figures[k] for k in schema.KINDS} == CITY_KINDS[city]
        aed = CITY_KINDS[city]["aed"]
        assert figures["aed_per_100k"] == pytest.approx(aed / CITY_POP[city] * 100_000,
                                                        abs=0.01)
    active = int(((demo.resources["kind"] == "aed")
                  & (demo.resources["status"] == "active")).sum())
    assert total["aed_active"] == active
    assert 0 < active < 655


def test_district_table_on_a_city_subset():
    table = stats.district_table(load_demo("zhenjiang"))
    assert set(table["district"]) == CITY_DISTRICTS["zhenjiang"]
    assert int(table["population"].sum()) == CITY_POP["zhenjiang"]
    assert int(table["aed"].sum()) == 160


def test_population_reads_the_committed_file_exactly(demo):
    raw = pq.read_table(ROOT / "data" / "population.parquet").to_pandas()
    assert np.array_equal(demo.population["pop"].to_numpy(), raw["pop"].to_numpy())
    assert demo.population["cell_id"].tolist() == raw["cell_id"].tolist()
    assert np.array_equal(demo.population["lon"].to_numpy(), raw["lon"].to_numpy())
    assert isinstance(demo.population, gpd.GeoDataFrame)
    assert int(demo.population["pop"].sum()) == sum(CITY_POP.values())


def test_with_resources_validates_only_the_records_and_keeps_the_rest(demo):
    table = demo.resources.drop(columns="geometry").head(5).astype(object)
    table = table.where(table.notna(), "").astype(str)
    mine = demo.with_resources(table)
    assert mine.resources["id"].tolist() == demo.resources["id"].head(5).tolist()
    assert mine.population.equals(demo.population) and mine.boundaries.equals(demo.boundaries)
    # without a given version it is the content hash: the same content, the same version
    assert len(mine.version) == 32 and mine.version != demo.version
    assert demo.with_resources(table).version == mine.version
    assert demo.with_resources(table.assign(name="改")).version != mine.version
    given = demo.with_resources(table, version="rev-7")
    assert given.version == "rev-7"
    wuxi = given.for_city("wuxi")
    assert wuxi.version not in ("rev-7", mine.for_city("wuxi").version)
    assert wuxi.version == demo.with_resources(table, version="rev-7").for_city("wuxi").version
    bad = table.assign(lon="abc")
    with pytest.raises(DataError) as err:
        demo.with_resources(bad, source="store")
    assert err.value.code == "bad_resources"
    with pytest.raises(ValidationError):
        demo.for_city("wuxi").with_resources(table)
