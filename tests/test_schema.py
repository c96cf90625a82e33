"""geo.schema: one column spec drives the derived constants, dtypes and validation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import schema
from geo.validate import Report, check_spec, validate_population, validate_resources
from tests.conftest import resource_row
from ui.i18n import STRINGS

# The constants as they were hand-written before the spec: the spec must reproduce them.
OLD_COMMON = ("id", "kind", "name", "name_en", "city", "district", "address",
              "lon", "lat", "source_crs", "status", "hours", "updated_at")
OLD_KIND_COLUMNS = {
    "aed": ("venue_type", "placement", "installed_date", "pads_expiry", "battery_expiry",
            "last_check", "guardian", "guardian_phone"),
    "relief_store": ("capacity_m3", "stock_family_kit", "stock_tent", "stock_quilt",
                     "stock_life_jacket", "stock_water_case"),
    "first_aid_station": ("serves", "staff"),
    "rescue_team": ("specialty", "members", "boats", "vehicles"),
    "community_hub": (),
    "training_base": ("trainees_per_year",),
}
OLD_DATES = ("updated_at", "installed_date", "pads_expiry", "battery_expiry", "last_check")
OLD_INTS = ("stock_family_kit", "stock_tent", "stock_quilt", "stock_life_jacket",
            "stock_water_case", "capacity_m3", "staff", "members", "boats", "vehicles",
            "trainees_per_year")


def test_derived_constants_match_the_old_schema():
    assert schema.COMMON_COLUMNS == OLD_COMMON
    assert schema.KIND_COLUMNS == OLD_KIND_COLUMNS
    kind_cols = tuple(dict.fromkeys(c for cols in OLD_KIND_COLUMNS.values() for c in cols))
    assert schema.RESOURCE_COLUMNS == OLD_COMMON + kind_cols
    assert schema.DATE_COLUMNS == OLD_DATES
    assert set(schema.INT_COLUMNS) == set(OLD_INTS)
    assert schema.POPULATION_COLUMNS == ("cell_id", "city", "district", "lon", "lat", "cell_m",
                                         "pop")
    assert not hasattr(schema, "HOURS_PATTERN")  # one grammar: geo.hours


def test_spec_is_well_formed():
    names = [c.name for c in schema.RESOURCE_SPEC]
    assert len(names) == len(set(names))
    by_name = schema.spec_by_name(schema.RESOURCE_SPEC)
    allowed = {"kind": schema.KINDS, "city": tuple(schema.CITIES), "status": schema.STATUSES,
               "source_crs": schema.SOURCE_CRS, "venue_type": schema.AED_VENUES,
               "placement": schema.PLACEMENTS, "specialty": schema.TEAM_SPECIALTIES}
    assert {c.name: c.allowed for c in schema.RESOURCE_SPEC if c.type == "enum"} == allowed
    units = {c.name: c.unit for c in schema.RESOURCE_SPEC if c.unit}
    assert units["capacity_m3"] == "m³"
    assert units["members"] == units["staff"] == "people"
    assert units["boats"] == "boats"
    assert all(units[c] for c in schema.INT_COLUMNS)  # every count says what it counts
    assert by_name["hours"].type == "hours"
    assert {c.name for c in schema.RESOURCE_SPEC if c.required} == {
        "id", "kind", "name", "city", "district", "lon", "lat", "status", "specialty"}
    assert by_name["specialty"].kinds == ("rescue_team",)
    for kind in schema.KINDS:
        assert by_name["id"].applies_to(kind)
    assert by_name["venue_type"].applies_to("aed")
    assert not by_name["venue_type"].applies_to("relief_store")


def test_label_keys_exist_in_the_catalogue():
    for spec in (schema.RESOURCE_SPEC, schema.POPULATION_SPEC):
        for col in spec:
            if col.label_key is not None:
                assert col.label_key in STRINGS, col.name


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"type": "money"}, "type must be one of"),
    ({"type": "enum"}, "allowed values go with type 'enum'"),
    ({"type": "text", "allowed": ("a",)}, "allowed values go with type 'enum'"),
])
def test_column_rejects_a_bad_definition(kwargs, match):
    with pytest.raises(ValueError, match=match):
        schema.Column("x", **kwargs)


def test_pandas_dtypes():
    dtypes = schema.pandas_dtypes(schema.RESOURCE_SPEC)
    assert list(dtypes) == list(schema.RESOURCE_COLUMNS)
    assert dtypes["id"] == dtypes["kind"] == dtypes["hours"] == "string"
    assert dtypes["lon"] == "float64"
    assert dtypes["members"] == "Int64"
    assert dtypes["pads_expiry"] == "datetime64[us]"
    pop = schema.pandas_dtypes(schema.POPULATION_SPEC)
    assert pop["pop"] == pop["cell_m"] == "int64"


def test_validated_frames_have_the_spec_dtypes(demo):
    for frame, spec in ((demo.resources, schema.RESOURCE_SPEC),
                        (demo.population, schema.POPULATION_SPEC)):
        got = {c: str(t) for c, t in frame.drop(columns="geometry").dtypes.items()}
        want = {c: str(pd.api.types.pandas_dtype(t))
                for c, t in schema.pandas_dtypes(spec).items()}
        assert got == want


def test_empty_result_has_the_spec_columns_and_dtypes():
    good, report = validate_resources(pd.DataFrame({"id": ["x"]}))
    assert report.fatal and good.empty
    assert list(good.columns) == [*schema.RESOURCE_COLUMNS, "geometry"]
    assert good["members"].dtype == "Int64"
    assert len(report.rows) == 0


# --- validation driven by the spec ---------------------------------------------------------

def _codes(report: Report) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in report.problems]


def test_resources_frame_has_no_row_column_and_report_maps_rows():
    table = pd.DataFrame([
        resource_row(id="A"),
        resource_row(id="B", lon="abc"),
        resource_row(id="C", kind="community_hub"),
    ])
    good, report = validate_resources(table)
    assert "row" not in good.columns
    assert list(good.columns) == [*schema.RESOURCE_COLUMNS, "geometry"]
    assert list(good["id"]) == ["A", "C"]
    assert report.rows.tolist() == [2, 4]


def test_problems_come_in_row_order():
    table = pd.DataFrame([
        resource_row(id="A", status="broken"),
        resource_row(id="B", lon="abc", kind="boat"),
        resource_row(id="A"),
    ])
    _, report = validate_resources(table)
    rows = [p.row for p in report.problems]
    assert rows == sorted(rows)
    assert _codes(report) == [
        (2, "id", "duplicate_id"), (2, "status", "not_one_of"),
        (3, "kind", "not_one_of"), (3, "lon", "not_a_number"),
        (4, "id", "duplicate_id")]


@pytest.mark.parametrize(("hours", "ok"), [
    ("24h", True), ("", True), ("08:00-17:30", True), ("22:00-06:00", True),
    ("周一至周五 08:00-17:30", True), ("Mo-Fr 08:00-17:30; Sa 09:00-12:00", True),
    ("08:00-24:30", False), ("25:00-26:00", False), ("all day", False), ("08:00", False),
])
def test_hours_use_the_one_grammar(hours, ok):
    _, report = validate_resources(pd.DataFrame([resource_row(hours=hours)]))
    bad = [p for p in report.problems if p.code == "bad_hours"]
    assert (not bad) == ok
    if not ok:
        assert bad[0].params == {"value": hours}
        assert bad[0].column == "hours" and bad[0].row == 2


def test_kind_rules_required_and_checked_everywhere():
    table = pd.DataFrame([
        resource_row(id="T1", kind="rescue_team", specialty=""),        # required for teams
        resource_row(id="T2", kind="rescue_team", specialty="Water_Rescue", members="12"),
        resource_row(id="H1", kind="community_hub", venue_type="castle"),  # a filled cell is
        resource_row(id="H2", kind="community_hub", members="many"),       # checked in any row
        resource_row(id="A1", venue_type="METRO", placement="Indoor", city="WUXI"),
    ])
    good, report = validate_resources(table)
    assert _codes(report) == [
        (2, "specialty", "empty_value"),
        (4, "venue_type", "unknown_venue"),
        (5, "members", "not_whole_number"),
    ]
    assert report.problems[1].params == {"value": "castle",
                                         "allowed": ", ".join(schema.AED_VENUES)}
    assert list(good["id"]) == ["T2", "A1"]
    # enums compare case-insensitively and are stored lower-case
    assert good["specialty"].tolist()[0] == "water_rescue"
    assert good.loc[1, ["venue_type", "placement", "city"]].tolist() == [
        "metro", "indoor", "wuxi"]
    assert good["members"].tolist()[0] == 12


def test_empty_source_crs_defaults_to_wgs84():
    good, report = validate_resources(pd.DataFrame([resource_row(source_crs="")]))
    assert not report.problems
    assert good["source_crs"].tolist() == ["wgs84"]


def test_check_spec_on_a_small_spec():
    spec = (
        schema.Column("name", "text", required=True, unique=True),
        schema.Column("share", "float", minimum=0),
        schema.Column("count", "int", minimum=2, unit="boats"),
        schema.Column("when", "date"),
    )
    table = pd.DataFrame({
        "name": ["a", "b", "a", ""],
        "share": ["0.5", "inf", "-1", "x"],
        "count": ["2", "1", "2.5", ""],
        "when": ["2026-01-02", "2026-02-30", "", "soon"],
    })
    report = Report(n_rows=len(table))
    typed = check_spec(table, spec, report)
    assert sorted(_codes(report)) == sorted([
        (2, "name", "duplicate_id"), (4, "name", "duplicate_id"), (5, "name", "empty_value"),
        (3, "share", "not_finite"), (4, "share", "below_minimum"), (5, "share", "not_a_number"),
        (3, "count", "below_minimum"), (4, "count", "not_whole_number"),
        (3, "when", "not_a_date"), (5, "when", "not_a_date"),
    ])
    assert typed["share"].tolist()[0] == 0.5 and np.isnan(typed["share"].tolist()[1])
    assert typed["count"].dtype == "Int64" and typed["count"].tolist()[0] == 2
    assert typed["when"].dtype == "datetime64[us]"
    below = next(p for p in report.problems if p.code == "below_minimum" and p.column == "count")
    assert below.params == {"value": "1", "minimum": 2}


def test_population_validation_reports_rows_and_builds_squares():
    from geo.datasets import cell_squares

    table = pd.DataFrame({
        "cell_id": ["WX-1", "WX-2", "WX-3", "WX-3", "WX-5"],
        "city": ["wuxi", "wuxi", "wuxi", "wuxi", "shanghai"],
        "district": ["梁溪区"] * 5,
        "lon": ["120.30", "", "120.31", "120.32", "120.33"],
        "lat": ["31.57"] * 5,
        "cell_m": ["500", "500", "0", "500", "500"],
        "pop": ["10", "3", "-4", "2.5", "1"],
    })
    cells, report = validate_population(table)
    assert _codes(report) == [
        (3, "lon", "empty_cell"),
        (4, "cell_id", "duplicate_id"), (4, "cell_m", "below_minimum"),
        (4, "pop", "not_whole_number"),
        (5, "cell_id", "duplicate_id"), (5, "pop", "not_whole_number"),
        (6, "city", "not_one_of"),
    ]
    assert cells["cell_id"].tolist() == ["WX-1"]
    assert report.rows.tolist() == [2]
    assert isinstance(cells, gpd.GeoDataFrame) and cells.crs.to_epsg() == 4326
    assert cell_squares(cells).to_crs(4549).area.iloc[0] == pytest.approx(500 * 500, rel=1e-6)
