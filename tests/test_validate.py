"""Row rules of geo.validate that a cell's type alone does not give: sizes and date order.

A whole number at or above ``MAX_WHOLE_NUMBER`` (``number_too_large``) and an AED expiry
earlier than its installation date (``expiry_before_install``) are row errors of
:func:`geo.validate.validate_resources`, the one check behind imports and single-record edits:
the other rows are kept, nothing raises, and a store edit with such a value is refused
(``bad_record``) without writing anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import store as st
from geo.errors import ValidationError
from geo.validate import MAX_WHOLE_NUMBER, Report, validate_population, validate_resources
from tests.conftest import resource_row
from tests.test_store import dump, opener, people, store_row  # noqa: F401  (opener: fixture)
from ui.i18n import problem_text

LIMIT_TEXT = f"{MAX_WHOLE_NUMBER:.0e}"


@pytest.fixture
def url(tmp_path) -> str:
    """A SQLite file for :func:`tests.test_store.opener` (validation is the same on any)."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def _codes(report: Report) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in report.problems]


# --- whole numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code"), [
    ("1e308", "number_too_large"),
    ("99999999999999999999", "number_too_large"),
    ("9223372036854775808", "number_too_large"),  # 2**63: one past int64
    ("1e400", "number_too_large"),  # overflows a float64 to inf, but is written as a number
    ("1000000000000000", "number_too_large"),  # the limit itself
    ("inf", "not_whole_number"),
    ("-inf", "not_whole_number"),
    ("nan", "not_whole_number"),
    ("-1e308", "not_whole_number"),
    ("-5", "not_whole_number"),
    ("2.5", "not_whole_number"),
    ("999999999999999", None),  # just below the limit: kept, exactly
])
def test_a_whole_number_column_reports_instead_of_crashing(value: str, code: str | None):
    table = pd.DataFrame([store_row("S1"), store_row("S2", stock_tent=value), store_row("S3")])
    good, report = validate_resources(table)
    if code is None:
        assert not report.problems
        assert good["stock_tent"].tolist() == [10, int(value), 10]
        return
    assert _codes(report) == [(3, "stock_tent", code)]
    assert report.problems[0].params["value"] == value
    assert good["id"].tolist() == ["S1", "S3"] and report.rows.tolist() == [2, 4]
    assert str(good["stock_tent"].dtype) == "Int64"


def test_number_too_large_names_the_value_and_the_limit():
    table = pd.DataFrame([store_row("S1", capacity_m3=" 1e308 ")])
    _, report = validate_resources(table)
    (problem,) = report.problems
    assert problem.params == {"value": "1e308", "limit": LIMIT_TEXT} == {"value": "1e308",
                                                                         "limit": "1e+15"}
    assert problem_text(problem.code, problem.params, "en", None) == (
        "1e308 is too large: a count must be below 1e+15")
    assert problem_text(problem.code, problem.params, "zh", None) == "1e308 太大：数量须小于 1e+15"


def test_population_counts_too_large_as_text_or_as_numbers():
    """The grid reads Parquet columns as numbers: a float 1e308 there is refused too."""
    cell = {"cell_id": "c1", "city": "wuxi", "district": "梁溪区", "lon": 120.30, "lat": 31.57,
            "cell_m": 500, "pop": 10}
    typed = pd.DataFrame([cell, {**cell, "cell_id": "c2", "pop": 1e308},
                          {**cell, "cell_id": "c3", "pop": np.inf}])
    cells, report = validate_population(typed)
    assert _codes(report) == [(3, "pop", "number_too_large"), (4, "pop", "not_whole_number")]
    assert cells["cell_id"].tolist() == ["c1"]
    text = typed.astype(str).assign(pop=["10", "99999999999999999999", "12"])
    cells, report = validate_population(text)
    assert _codes(report) == [(3, "pop", "number_too_large")]
    assert cells["pop"].tolist() == [10, 12]


# --- an expiry before the installation ---------------------------------------------------------

def test_an_expiry_before_the_install_date_is_a_row_error():
    table = pd.DataFrame([
        resource_row(id="A1", installed_date="2020-06-01", pads_expiry="2019-01-01"),
        resource_row(id="A2", installed_date="2020-06-01", pads_expiry="",
                     battery_expiry="2020-05-31"),
        resource_row(id="A3", installed_date="2022-01-01", pads_expiry="2021-01-01",
                     battery_expiry="2021-06-01"),
        resource_row(id="A4", installed_date="2022-01-01", pads_expiry="2022-01-01"),  # same day
        resource_row(id="A5", installed_date="", pads_expiry="2019-01-01"),  # nothing to compare
        resource_row(id="A6", installed_date="2022-01-01", pads_expiry="soon"),  # not a date
        resource_row(id="A7", installed_date="2022-13-01", pads_expiry="2019-01-01"),
    ])
    good, report = validate_resources(table)
    assert _codes(report) == [
        (2, "pads_expiry", "expiry_before_install"),
        (3, "battery_expiry", "expiry_before_install"),
        (4, "pads_expiry", "expiry_before_install"),
        (4, "battery_expiry", "expiry_before_install"),
        (7, "pads_expiry", "not_a_date"),
        (8, "installed_date", "not_a_date"),
    ]
    assert report.problems[0].params == {"value": "2019-01-01", "installed": "2020-06-01"}
    assert report.problems[1].params == {"value": "2020-05-31", "installed": "2020-06-01"}
    for lang in ("zh", "en"):
        assert problem_text("expiry_before_install", report.problems[0].params, lang, None)
    assert good["id"].tolist() == ["A4", "A5"]


def test_both_problems_in_one_table_keep_the_other_rows():
    table = pd.DataFrame([
        store_row("S1"),
        store_row("S2", stock_tent="1e308", stock_quilt="99999999999999999999"),
        resource_row(id="A1"),
        resource_row(id="A2", installed_date="2028-01-01"),  # pads expire 2027-06-01
        store_row("S3", stock_tent="inf", stock_family_kit="-1e400"),
        store_row("S4", stock_tent="1e400"),
        resource_row(id="A3", installed_date="2026-01-01"),
    ])
    good, report = validate_resources(table)
    assert _codes(report) == [
        (3, "stock_tent", "number_too_large"), (3, "stock_quilt", "number_too_large"),
        (5, "pads_expiry", "expiry_before_install"),
        (6, "stock_family_kit", "not_whole_number"), (6, "stock_tent", "not_whole_number"),
        (7, "stock_tent", "number_too_large"),
    ]
    assert good["id"].tolist() == ["S1", "A1", "A3"]
    assert report.rows.tolist() == [2, 4, 8]


# --- the same rules for one record in a store ---------------------------------------------------

@pytest.mark.parametrize(("record", "code", "column"), [
    (store_row("S9", stock_tent="1e308"), "number_too_large", "stock_tent"),
    (store_row("S9", stock_water_case="99999999999999999999"), "number_too_large",
     "stock_water_case"),
    (store_row("S9", capacity_m3=1e308), "number_too_large", "capacity_m3"),
    (store_row("S9", stock_tent=float("inf")), "not_whole_number", "stock_tent"),
    (resource_row(id="A9", installed_date="2028-01-01"), "expiry_before_install",
     "pads_expiry"),
])
def test_store_add_refuses_the_record_and_writes_nothing(
        opener, record: dict, code: str, column: str):  # noqa: F811
    store = opener()
    _, alice, *_ = people(store)
    store.add(alice, store_row("S1"))
    before = dump(store)
    with pytest.raises(ValidationError, match=code) as err:
        store.add(alice, record)
    assert err.value.code == "bad_record"
    assert [(p.column, p.code) for p in err.value.params["problems"]] == [(column, code)]
    assert dump(store) == before
    with pytest.raises(st.NotFound):
        store.record(record["id"])


@pytest.mark.parametrize(("changes", "code", "column"), [
    ({"stock_tent": "1e308"}, "number_too_large", "stock_tent"),
    ({"stock_tent": 10**20}, "number_too_large", "stock_tent"),
    ({"stock_tent": "-inf"}, "not_whole_number", "stock_tent"),
    ({"installed_date": "2028-01-01"}, "expiry_before_install", "pads_expiry"),
    ({"battery_expiry": "2019-12-31", "installed_date": "2020-01-01"},
     "expiry_before_install", "battery_expiry"),
])
def test_store_update_refuses_the_change_and_writes_nothing(
        opener, changes: dict, code: str, column: str):  # noqa: F811
    store = opener()
    _, alice, *_ = people(store)
    store.add(alice, store_row("S1"))
    store.add(alice, resource_row(id="A1", installed_date="2024-01-01"))
    target = "A1" if column in ("pads_expiry", "battery_expiry") else "S1"
    current = store.record(target)
    before = dump(store)
    with pytest.raises(ValidationError, match=code) as err:
        store.update(alice, target, changes, current["version"])
    assert err.value.code == "bad_record"
    assert [(p.column, p.code) for p in err.value.params["problems"]] == [(column, code)]
    assert dump(store) == before
    assert store.record(target) == current
