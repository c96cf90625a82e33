"""Checks of data/resources.csv: schema, report counts, placement and reproducibility."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.schema import RELIEF_ITEMS, RESOURCE_COLUMNS  # noqa: E402
from scripts import build_resources  # noqa: E402

CSV = ROOT / "data" / "resources.csv"
BOUNDARIES = ROOT / "data" / "boundaries.geojson"
WATER = ROOT / "data" / "water.geojson"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """The committed resource table, every cell as text."""
    return pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def points(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The resource table as WGS84 points."""
    return gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
        crs=4326,
    )


def test_columns_are_the_schema(table: pd.DataFrame) -> None:
    """The header is exactly the schema's resource columns, in order."""
    assert tuple(table.columns) == RESOURCE_COLUMNS


def test_ids_unique(table: pd.DataFrame) -> None:
    """Every id occurs once."""
    assert table["id"].is_unique


@pytest.mark.parametrize(
    ("city", "kind", "expected"),
    [
        ("wuxi", "aed", 495),
        ("wuxi", "rescue_team", 11),
        ("wuxi", "first_aid_station", 8),
        ("wuxi", "community_hub", 122),
        ("wuxi", "training_base", 10),
        ("zhenjiang", "relief_store", 4),
        ("zhenjiang", "first_aid_station", 7),
        ("zhenjiang", "community_hub", 6),
    ],
)
def test_report_counts(table: pd.DataFrame, city: str, kind: str, expected: int) -> None:
    """Counts taken from the Red Cross reports are reproduced exactly."""
    assert ((table["city"] == city) & (table["kind"] == kind)).sum() == expected


def test_wuxi_has_relief_store(table: pd.DataFrame) -> None:
    """Wuxi has at least one relief store."""
    assert ((table["city"] == "wuxi") & (table["kind"] == "relief_store")).sum() >= 1


def test_zhenjiang_stores_and_water_team(table: pd.DataFrame) -> None:
    """Zhenjiang stores cover 句容市 and 丹徒区; the city has a water-rescue team."""
    stores = table[(table["city"] == "zhenjiang") & (table["kind"] == "relief_store")]
    assert (stores["district"] == "句容市").sum() >= 1
    assert (stores["district"] == "丹徒区").sum() >= 1
    teams = table[(table["city"] == "zhenjiang") & (table["kind"] == "rescue_team")]
    assert (teams["specialty"] == "water_rescue").sum() >= 1


def test_points_inside_their_district(points: gpd.GeoDataFrame) -> None:
    """Every point lies inside the polygon of the district it names."""
    bounds = gpd.read_file(BOUNDARIES).to_crs(4326)
    polygons = {(row.city, row.district): row.geometry for row in bounds.itertuples()}
    bad = [
        row.id
        for row in points.itertuples()
        if not polygons[(row.city, row.district)].contains(row.geometry)
    ]
    assert bad == []


def test_no_point_in_water(points: gpd.GeoDataFrame) -> None:
    """No point lies in Taihu, Lihu or the Yangtze (the water layer must exist)."""
    assert WATER.exists(), "data/water.geojson is missing"
    water = shapely.union_all(gpd.read_file(WATER).to_crs(4326).geometry.values)
    wet = points.loc[points.geometry.within(water), "id"].tolist()
    assert wet == []


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    """Running the build script again reproduces the committed CSV byte for byte."""
    out = tmp_path / "resources.csv"
    build_resources.build(out, BOUNDARIES, WATER)
    assert out.read_bytes() == CSV.read_bytes()


@pytest.mark.parametrize(("city", "n_aed"), [("wuxi", 495), ("zhenjiang", 160)])
def test_places_csv_loads_typed(city: str, n_aed: int) -> None:
    """data/places_<city>.csv reads back typed: ints, floats, empty cells absent, stock nested."""
    places = build_resources.load_places(build_resources.CITIES[city][0])
    assert places.source_crs == "wgs84"
    assert sum(site["n_aed"] for site in places.aed_sites) == n_aed
    site = places.aed_sites[0]
    assert type(site["n_aed"]) is int
    assert type(site["lon"]) is float and type(site["lat"]) is float
    assert "staff" not in site and "stock" not in site
    for store in places.relief_stores:
        assert list(store["stock"]) == list(RELIEF_ITEMS)
        assert all(type(n) is int for n in store["stock"].values())
        assert not any(key.startswith("stock_") for key in store)
    assert all(type(team["boats"]) is int for team in places.rescue_teams)
