"""geo.datasets / geo.validate / geo.stats / geo.settings: the contract the pages build on."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import schema, stats
from geo.datasets import load_demo
from geo.errors import DataError, ValidationError
from geo.settings import load_settings
from geo.validate import validate_resources
from tests.conftest import resource_row

CITY_DISTRICTS = {
    "wuxi": {"梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "江阴市", "宜兴市"},
    "zhenjiang": {"京口区", "润州区", "丹徒区", "丹阳市", "扬中市", "句容市"},
}
CITY_POP = {"wuxi": 7_462_135, "zhenjiang": 3_210_418}


def test_dataset_contract(demo):
    assert set(demo.boundaries.columns) >= {"city", "district", "adcode", "geometry"}
    assert set(demo.resources.columns) >= set(schema.RESOURCE_COLUMNS)
    assert set(demo.population.columns) >= {"pop", "city", "district", "geometry"}
    for frame in (demo.boundaries, demo.resources, demo.population, demo.water):
        assert frame.crs.to_epsg() == 4326
    assert set(demo.resources["kind"]) <= set(schema.KINDS)
    assert set(demo.resources["kind"]) >= set(schema.CORE_KINDS)
    assert demo.resources["id"].is_unique
    assert demo.metric_crs == "EPSG:4549"
    assert demo.is_demo
    assert not demo.report.errors


@pytest.mark.parametrize("city", ["wuxi", "zhenjiang"])
def test_city_subset(city):
    ds = load_demo(city)
    assert set(ds.boundaries["district"]) == CITY_DISTRICTS[city]
    assert set(ds.resources["city"]) == {city}
    assert int(ds.population["pop"].sum()) == CITY_POP[city]
    assert set(ds.resources["district"]) <= CITY_DISTRICTS[city]


def test_population_cells_are_squares_of_their_size(demo):
    cells = demo.population.head(50).to_crs(demo.metric_crs)
    assert (cells.area - cells["cell_m"] ** 2).abs().max() < 1.0


def test_unknown_city_is_a_clear_error():
    with pytest.raises(ValidationError, match="city must be one of wuxi, zhenjiang"):
        load_demo("nanjing")


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"boundaries\.geojson is missing"):
        load_demo(data_dir=tmp_path)




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
    messages = [str(p) for p in report.errors]
    assert list(good["id"]) == ["T-7"]  # T-1 is duplicated, so both T-1 rows are reported
    expected = [
        "row 3, column 'lon': 'abc' is not a number",
        "row 4, column 'lon': lon and lat look swapped",
        "row 5, column 'kind': 'helicopter' is not one of",
        "row 5, column 'hours': 'all day' is not '24h' or 'HH:MM-HH:MM'",
        "row 6, column 'pads_expiry': 'next year' is not a date",
        "row 2, column 'id': id 'T-1' is used by more than one row",
        "row 7, column 'specialty': 'cooking' is not one of",
        "row 7, column 'district': '不存在区' is not a district of 'wuxi'",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in messages), (text, messages)
    # the GCJ-02 row was converted to WGS84: about 490 m south-west of its raw numbers
    assert good.loc[0, "lon"] == pytest.approx(120.3046 - 0.0046, abs=0.0003)
    assert good["pads_expiry"].dtype.kind == "M"


def test_validation_missing_columns_is_one_whole_file_error():
    good, report = validate_resources(pd.DataFrame({"id": ["x"], "name": ["y"]}))
    assert report.fatal and good.empty
    assert "missing column(s): kind" in report.errors[0].message
    with pytest.raises(ValidationError, match="1 problem"):
        report.raise_if_errors("resources.csv")


def test_district_table_and_totals(demo):
    table = stats.district_table(demo)
    assert len(table) == 13
    total = stats.totals(table)
    assert total["population"] == sum(CITY_POP.values())
    assert total["aed"] == (demo.resources["kind"] == "aed").sum()
    wuxi = stats.totals(table[table["city"] == "wuxi"])
    assert wuxi["aed"] == 495
    assert wuxi["aed_per_100k"] == pytest.approx(495 / 7_462_135 * 100_000, abs=0.01)
    assert total["team_members"] > 0


def test_settings_from_env_and_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('walk_speed_kmh = 4.0\ntianditu_key = "abc"\n', encoding="utf-8")
    s = load_settings({"RCD_DRIVE_SPEED_KMH": "25"}, secrets)
    assert (s.walk_speed_kmh, s.drive_speed_kmh, s.tianditu_key) == (4.0, 25.0, "abc")
    with pytest.raises(ValueError, match="setting walk_speed_kmh must be a float"):
        load_settings({"RCD_WALK_SPEED_KMH": "fast"}, secrets)
    with pytest.raises(ValueError, match="setting basemap must be"):
        load_settings({"RCD_BASEMAP": "google"}, secrets)
