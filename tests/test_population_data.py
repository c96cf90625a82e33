"""Tests for data/population.parquet, data/water.geojson, data/towns.csv, data/scenic_areas.csv.

Census totals, cell size, geometry, spread, and that the builder gives the committed bytes.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.schema import POPULATION_COLUMNS
from scripts import build_population as bp
from scripts.build_population import CENSUS_2020, CITY_TOTALS_2020

DATA = Path(__file__).resolve().parents[1] / "data"
CELL_M = 100
#: Inhabited 100 m cells in the committed grid (of about 777k land cells; the rest round to 0).
N_CELLS = 477_058
N_TOWNS = {"wuxi": 77, "zhenjiang": 51}
N_SCENIC = {"wuxi": 22, "zhenjiang": 7}


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    return pq.read_table(DATA / "population.parquet").to_pandas()


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "boundaries.geojson")


@pytest.fixture(scope="module")
def water() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "water.geojson")


@pytest.fixture(scope="module")
def wet(water: gpd.GeoDataFrame) -> shapely.Geometry:
    geom = shapely.union_all(water.geometry.values)
    shapely.prepare(geom)
    return geom


# --- the grid -------------------------------------------------------------------------------

def test_stored_columns_and_types() -> None:
    schema = pq.read_schema(DATA / "population.parquet")
    assert tuple(schema.names) == POPULATION_COLUMNS
    assert schema.field("cell_id").type == pa.string()
    assert schema.field("lon").type == schema.field("lat").type == pa.float64()
    assert schema.field("cell_m").type == pa.int16()
    assert schema.field("pop").type == pa.int32()
    assert not schema.metadata  # no pandas metadata: plain columns, the same bytes anywhere
    meta = pq.ParquetFile(DATA / "population.parquet").metadata
    assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"ZSTD"}


def test_cells(cells: pd.DataFrame) -> None:
    assert len(cells) == N_CELLS
    assert cells["cell_id"].is_unique
    assert cells["cell_id"].str.fullmatch(r"(WX|ZJ)-\d{6}").all()
    prefix = cells["cell_id"].str[:2].map({"WX": "wuxi", "ZJ": "zhenjiang"})
    assert (prefix == cells["city"]).all()
    assert (cells["pop"] > 0).all()
    assert (cells["cell_m"] == CELL_M).all()
    assert cells[["lon", "lat"]].notna().all().all()
    assert (cells["lon"] == cells["lon"].round(6)).all()


def test_census_dict_adds_up() -> None:
    for city, total in CITY_TOTALS_2020.items():
        assert sum(CENSUS_2020[city].values()) == total
    assert CITY_TOTALS_2020 == {"wuxi": 7_462_135, "zhenjiang": 3_210_418}


def test_district_totals_equal_census(cells: pd.DataFrame) -> None:
    got = cells.groupby(["city", "district"])["pop"].sum().to_dict()
    want = {(c, d): n for c, ds in CENSUS_2020.items() for d, n in ds.items()}
    assert got == want


def test_city_totals(cells: pd.DataFrame) -> None:
    assert cells.groupby("city")["pop"].sum().to_dict() == CITY_TOTALS_2020


def test_districts_match_boundaries(cells: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> None:
    want = set(zip(boundaries.city, boundaries.district, strict=True))
    pairs = cells[["city", "district"]].drop_duplicates()
    assert want == set(zip(pairs.city, pairs.district, strict=True))


def test_every_centre_inside_its_district(cells: pd.DataFrame,
                                         boundaries: gpd.GeoDataFrame) -> None:
    # All ~477k centres: one prepared point-in-polygon pass per district (well under 1 s).
    for row in boundaries.itertuples():
        sub = cells[cells.district == row.district]
        shapely.prepare(row.geometry)
        inside = shapely.contains_xy(row.geometry, sub.lon.to_numpy(), sub.lat.to_numpy())
        assert inside.all(), f"{row.district}: {int((~inside).sum())} centres outside"


def test_random_cells_are_in_their_district_by_spatial_join(
        cells: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> None:
    sample = cells.sample(20_000, random_state=7)
    points = gpd.GeoDataFrame(sample[["district"]], crs="EPSG:4326",
                              geometry=gpd.points_from_xy(sample.lon, sample.lat))
    joined = gpd.sjoin(points, boundaries[["district", "geometry"]], predicate="within")
    assert len(joined) == len(sample)
    assert (joined["district_left"] == joined["district_right"]).all()


def test_nobody_lives_on_water(cells: pd.DataFrame, wet: shapely.Geometry) -> None:
    assert not shapely.contains_xy(wet, cells.lon.to_numpy(), cells.lat.to_numpy()).any()


def test_grid_is_100m_and_aligned_in_metric_crs(cells: pd.DataFrame) -> None:
    pts = gpd.GeoSeries(gpd.points_from_xy(cells.lon, cells.lat), crs="EPSG:4326").to_crs(4549)
    for coord in (pts.x.to_numpy(), pts.y.to_numpy()):
        offset = np.mod(coord - CELL_M / 2, CELL_M)
        assert np.all(np.minimum(offset, CELL_M - offset) < 0.5)  # 6-decimal rounding: < 0.1 m
    # neighbours in a row of the grid are one cell apart
    x = np.sort(np.unique(np.round(pts.x.to_numpy(), -1)))
    assert np.median(np.diff(x)) == CELL_M


def test_distribution_is_concentrated(cells: pd.DataFrame,
                                      boundaries: gpd.GeoDataFrame) -> None:
    pops = np.sort(cells["pop"].to_numpy())[::-1]
    top = pops[: len(pops) // 10].sum() / pops.sum()
    assert 0.40 < top < 0.75  # about 52 % at 100 m (66 % at 500 m)
    assert pops.max() < 1_000  # no 100 m cell holds a town
    area = boundaries.to_crs(4549).set_index("district").area / 1e6
    dens = cells.groupby("district")["pop"].sum() / area
    assert dens["梁溪区"] > 8 * dens["宜兴市"]


def test_parquet_is_small() -> None:
    assert (DATA / "population.parquet").stat().st_size < 4_000_000
    assert not (DATA / "population.csv").exists()


def test_rebuild_gives_the_same_bytes(tmp_path: Path, boundaries: gpd.GeoDataFrame,
                                      water: gpd.GeoDataFrame) -> None:
    """The whole 100 m grid from the committed inputs (about 5 s) equals the committed file."""
    towns = bp.read_towns(DATA / "towns.csv")
    built = bp.build_population(boundaries, water, towns, CELL_M)
    bp.write_population(built, tmp_path / "population.parquet")
    assert filecmp.cmp(tmp_path / "population.parquet", DATA / "population.parquet",
                       shallow=False)


def test_cell_size_is_a_parameter(tmp_path: Path, boundaries: gpd.GeoDataFrame,
                                  water: gpd.GeoDataFrame) -> None:
    towns = bp.read_towns(DATA / "towns.csv")
    coarse = bp.build_population(boundaries, water, towns, 2_000)
    assert (coarse["cell_m"] == 2_000).all()
    assert coarse.groupby("city")["pop"].sum().to_dict() == CITY_TOTALS_2020
    assert 1_500 < len(coarse) < 2_500  # ~8,500 km² of districts in 4 km² cells, less water
    with pytest.raises(SystemExit, match="cell_m must be"):
        bp.build_population(boundaries, water, towns, 5)
    with pytest.raises(SystemExit, match="cell_m must be"):
        bp.main(["--cell-m", "0", "--reuse-water", "--data", str(tmp_path)])


# --- towns and scenic areas -------------------------------------------------------------------

def test_towns(boundaries: gpd.GeoDataFrame) -> None:
    towns = bp.read_towns(DATA / "towns.csv")
    assert tuple(towns.columns) == bp.TOWN_COLUMNS
    assert towns.groupby("city").size().to_dict() == N_TOWNS
    assert towns["name"].is_unique
    assert (towns["weight"] > 0).all() and towns["sigma_km"].between(1.0, 2.3).all()
    points = gpd.GeoDataFrame(towns, geometry=gpd.points_from_xy(towns.lon, towns.lat),
                              crs="EPSG:4326")
    joined = gpd.sjoin(points, boundaries[["city", "district", "geometry"]], predicate="within")
    assert len(joined) == len(towns)
    assert (joined["district_left"] == joined["district_right"]).all()
    assert (joined["city_left"] == joined["city_right"]).all()
    # every district has seats
    assert set(towns["district"]) == {d for ds in CENSUS_2020.values() for d in ds}


def test_scenic_areas(boundaries: gpd.GeoDataFrame, wet: shapely.Geometry) -> None:
    scenic = pd.read_csv(DATA / "scenic_areas.csv")
    assert tuple(scenic.columns) == bp.SCENIC_COLUMNS
    assert scenic["name"].is_unique
    assert scenic.groupby("city").size().to_dict() == N_SCENIC
    named = {"鼋头渚景区", "灵山胜境", "金山风景区", "焦山风景区", "北固山风景区",
             "西津渡历史文化街区", "南山风景区", "茅山风景区", "宝华山国家森林公园"}
    assert named <= set(scenic["name"])
    points = gpd.GeoDataFrame(scenic, geometry=gpd.points_from_xy(scenic.lon, scenic.lat),
                              crs="EPSG:4326")
    joined = gpd.sjoin(points, boundaries[["district", "geometry"]], predicate="within")
    assert (joined["district_left"] == joined["district_right"]).all() and len(joined) == 29
    assert not shapely.contains_xy(wet, scenic.lon.to_numpy(), scenic.lat.to_numpy()).any()
    # each scenic-area first-aid station serves one of them
    served = scenic[scenic["source"].str.contains("first-aid station")]
    assert served.groupby("city").size().to_dict() == {"wuxi": 8, "zhenjiang": 7}


def test_scenic_areas_follow_the_place_lists(tmp_path: Path) -> None:
    built = bp.build_scenic_areas(DATA)
    built.to_csv(tmp_path / "scenic_areas.csv", index=False, lineterminator="\n")
    assert filecmp.cmp(tmp_path / "scenic_areas.csv", DATA / "scenic_areas.csv", shallow=False)


# --- water ------------------------------------------------------------------------------------

def test_water_schema_and_validity(water: gpd.GeoDataFrame) -> None:
    assert {"name", "name_en", "kind", "method"} <= set(water.columns)
    assert set(water["kind"]) <= {"lake", "river"}
    assert {"太湖", "蠡湖", "长江"} <= set(water["name"])
    assert water.geometry.is_valid.all()
    assert water.crs.to_epsg() == 4326
    areas = water.to_crs(4549).set_index("name").area / 1e6
    assert 300 < areas["太湖"] < 1500
    assert 2 < areas["蠡湖"] < 10
    assert 60 < areas["长江"] < 400


@pytest.mark.parametrize(("label", "lon", "lat"), [
    ("mid 梅梁湖", 120.170, 31.490),
    ("mid 贡湖", 120.320, 31.430),
    ("蠡湖", 120.270, 31.528),
    ("长江 north of 江阴", 120.300, 31.960),
    ("长江 north of 镇江城区", 119.460, 32.259),
])
def test_known_water_points(wet: shapely.Geometry, label: str, lon: float, lat: float) -> None:
    assert shapely.contains_xy(wet, lon, lat), label


@pytest.mark.parametrize(("label", "lon", "lat"), [
    ("鼋头渚 gate (充山)", 120.240, 31.528),
    ("江阴城区", 120.285, 31.905),
    ("镇江 金山寺", 119.4165, 32.2205),
    ("镇江 北固山", 119.4555, 32.2215),
    ("灵山大佛 (马山)", 120.0957, 31.4275),
    ("无锡 崇安寺", 120.300, 31.577),
    ("宜兴 丁蜀", 119.860, 31.300),
    ("扬中 三茅", 119.800, 32.235),
])
def test_known_land_points(wet: shapely.Geometry, label: str, lon: float, lat: float) -> None:
    assert not shapely.contains_xy(wet, lon, lat), label
