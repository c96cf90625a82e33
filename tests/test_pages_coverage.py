"""AppTest of the coverage page: its figures are the engine's, for the inputs the page shows."""

from __future__ import annotations

import pytest

from geo.coverage import coverage
from geo.datasets import load_demo
from tests.test_pages import run_page
from ui import common


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("radius", [300.0, 800.0])
def test_share_shown_is_the_engine_figure(radius):
    at = run_page("pages/coverage.py", "wuxi", "zh")
    at.number_input(key="cv_radius").set_value(radius)
    at.selectbox(key="cv_weekday").set_value(6)
    at.slider(key="cv_hour").set_value(14)
    at.run()
    assert not at.exception, at.exception
    ds = load_demo("wuxi")
    expected = coverage(ds.resources, ds.population, radius_m=radius,
                        at=common.week_time(6, 14), policy="planner", kind="aed")
    assert _metric(at, "覆盖人口比例") == f"{expected.share * 100:.1f} %"
    assert _metric(at, "当时可用数量") == f"{expected.n_resources:,}"


def test_night_is_worse_than_the_24_7_assumption():
    at = run_page("pages/coverage.py", "both", "en")
    at.slider(key="cv_hour").set_value(3)
    at.run()
    night = float(_metric(at, "People covered").rstrip(" %"))
    at.toggle(key="cv_all_hours").set_value(True)
    at.run()
    full = float(_metric(at, "People covered").rstrip(" %"))
    assert not at.exception, at.exception
    assert full > night


def test_bad_radius_is_a_message_not_a_traceback():
    at = run_page("pages/coverage.py", "wuxi", "zh")
    at.number_input(key="cv_radius").set_value(0.0)
    at.run()
    assert not at.exception, at.exception
    assert any("半径" in e.value for e in at.error), [e.value for e in at.error]
