"""Tests for data/population.csv and data/water.geojson: census totals, geometry, spread."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.schema import POPULATION_COLUMNS
from scripts.build_population import CENSUS_2020, CITY_TOTALS_2020

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    return pd.read_csv(DATA / "population.csv")


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "boundaries.geojson")


@pytest.fixture(scope="module")
def water() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "water.geojson")


def test_columns_and_types(cells: pd.DataFrame) -> None:
    assert tuple(cells.columns) == POPULATION_COLUMNS
    assert cells["cell_id"].is_unique
    assert cells["cell_id"].str.fullmatch(r"(WX|ZJ)-\d{6}").all()
    prefix = cells["cell_id"].str[:2].map({"WX": "wuxi", "ZJ": "zhenjiang"})
    assert (prefix == cells["city"]).all()
    assert pd.api.types.is_integer_dtype(cells["pop"])
    assert (cells["pop"] > 0).all()
    assert cells["cell_m"].between(250, 500).all()


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
    assert want == set(zip(cells.city, cells.district, strict=True))


def test_every_centre_inside_its_district(cells: pd.DataFrame,
                                         boundaries: gpd.GeoDataFrame) -> None:
    for row in boundaries.itertuples():
        sub = cells[cells.district == row.district]
        inside = shapely.contains_xy(row.geometry, sub.lon.to_numpy(), sub.lat.to_numpy())
        assert inside.all(), f"{row.district}: {int((~inside).sum())} centres outside"


def test_no_centre_in_water(cells: pd.DataFrame, water: gpd.GeoDataFrame) -> None:
    wet = shapely.union_all(water.geometry.values)
    assert not shapely.contains_xy(wet, cells.lon.to_numpy(), cells.lat.to_numpy()).any()


def test_grid_is_aligned_in_metric_crs(cells: pd.DataFrame) -> None:
    pts = gpd.GeoSeries(gpd.points_from_xy(cells.lon, cells.lat), crs="EPSG:4326").to_crs(4549)
    for coord in (pts.x.to_numpy(), pts.y.to_numpy()):
        offset = np.mod(coord - 250.0, 500.0)
        assert np.all(np.minimum(offset, 500.0 - offset) < 0.5)


def test_distribution_is_concentrated(cells: pd.DataFrame,
                                      boundaries: gpd.GeoDataFrame) -> None:
    pops = np.sort(cells["pop"].to_numpy())[::-1]
    top = pops[: len(pops) // 10].sum() / pops.sum()
    assert top > 0.40
    area = boundaries.to_crs(4549).set_index("district").area / 1e6
    dens = cells.groupby("district")["pop"].sum() / area
    assert dens["梁溪区"] > 8 * dens["宜兴市"]


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
def test_known_water_points(water: gpd.GeoDataFrame, label: str, lon: float, lat: float) -> None:
    wet = shapely.union_all(water.geometry.values)
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
def test_known_land_points(water: gpd.GeoDataFrame, label: str, lon: float, lat: float) -> None:
    wet = shapely.union_all(water.geometry.values)
    assert not shapely.contains_xy(wet, lon, lat), label


def test_csv_is_small() -> None:
    assert (DATA / "population.csv").stat().st_size < 4_000_000
