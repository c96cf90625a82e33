"""AppTest of the AED siting page: the figures are the engine's; what-if; inputs refused clearly."""

from __future__ import annotations

import pytest
import streamlit_folium

from geo.datasets import load_demo
from geo.siting import site_aeds
from tests.test_pages import run_page
from ui import common


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _solve(at, method: str = "greedy", **inputs) -> None:
    at.radio(key="sg_method").set_value(method)
    for key, value in inputs.items():
        widget = at.number_input(key=key) if key in ("sg_n_new", "sg_minutes") else None
        if widget is not None:
            widget.set_value(value)
    at.run()
    at.button(key="sg_run").click()
    at.run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("method", ["greedy", "optimal"])
def test_result_is_the_engine_answer(method):
    at = run_page("pages/siting.py", "zhenjiang", "zh")
    _solve(at, method, sg_n_new=5)
    ds = load_demo("zhenjiang")
    candidates, _ = common.siting_candidates(ds, "places", None, "", False)
    expected = site_aeds(ds.resources[ds.resources["kind"] == "aed"], ds.population, 5,
                         common._reach_m(4.0), candidates, method, at=common.week_time(2, 3),
                         policy="planner", time_limit_s=30)
    assert _metric(at, "选址后覆盖率") == f"{expected.after_share * 100:.1f} %"
    assert _metric(at, "新增 AED") == str(len(expected.sites))
    table = next(d.value for d in at.dataframe if "新覆盖人口" in d.value.columns)
    assert table["新覆盖人口"].tolist() == expected.sites["gain_pop"].round(0).astype(
        "int64").tolist()


def test_changing_an_input_clears_the_answer():
    at = run_page("pages/siting.py", "zhenjiang", "en")
    _solve(at, "greedy", sg_n_new=3)
    assert any(m.label == "Covered after" for m in at.metric)
    at.number_input(key="sg_n_new").set_value(4)
    at.run()
    assert not any(m.label == "Covered after" for m in at.metric)


def test_whatif_click_adds_an_aed_and_a_second_click_removes_it(monkeypatch):
    at = run_page("pages/siting.py", "zhenjiang", "zh")
    _solve(at, "greedy", sg_n_new=2)
    before = float(_metric(at, "当前覆盖率").rstrip(" %"))
    click = {"lat": 32.1960, "lng": 119.4400}  # 镇江 old town, off every proposed site

    def fake(fig, key=None, **kwargs):
        return {"last_clicked": click} if key == "whatif_map" else {}

    monkeypatch.setattr(streamlit_folium, "st_folium", fake)
    at.run()
    assert not at.exception, at.exception
    added = float(_metric(at, "当前覆盖率").rstrip(" %"))
    assert added >= before
    state = at.session_state["sg_whatif"]
    assert any(label == "新增（假设）" for *_, label in state.sites.values())

    def fake_again(fig, key=None, **kwargs):  # the same point, now a marker: removes it
        return ({"last_clicked": click, "last_object_clicked": dict(click, n=2)}
                if key == "whatif_map" else {})

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_again)
    at.run()
    assert float(_metric(at, "当前覆盖率").rstrip(" %")) == pytest.approx(before, abs=0.005)


def test_too_many_new_aeds_is_a_message():
    at = run_page("pages/siting.py", "zhenjiang", "zh")
    _solve(at, "greedy", sg_n_new=100_000)
    assert at.error, "expected a message for more AEDs than candidates"
    assert "候选" in at.error[0].value
