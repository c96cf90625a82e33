"""AppTest: every page, for each city and language, runs without an exception."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = ["pages/overview.py", "pages/nearest.py", "pages/coverage.py", "pages/siting.py"]
CITIES = ["both", "wuxi", "zhenjiang"]
LANGS = ["zh", "en"]
TIMEOUT_S = 120


def run_page(page: str, city: str = "both", lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.session_state["city"] = city
    at.session_state["lang"] = lang
    at.session_state["basemap"] = "none"
    at.run()
    at.switch_page(page)
    at.run()
    return at


def map_json(at: AppTest) -> str:
    maps = [el for el in at.get("component_instance")
            if "streamlit_folium" in el.proto.component_name]
    assert maps, "no folium map on the page"
    return json.dumps(json.loads(maps[0].proto.json_args), ensure_ascii=False)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("lang", LANGS)
def test_page_runs(page, city, lang):
    at = run_page(page, city, lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang", LANGS)
def test_overview_shows_demo_notice_and_kpis(lang):
    at = run_page("pages/overview.py", "wuxi", lang)
    notice = " ".join(i.value for i in at.info)
    assert ("演示数据" if lang == "zh" else "Demo data") in notice
    labels = {m.label: m.value for m in at.metric}
    aed_label = "AED 除颤仪" if lang == "zh" else "AEDs"
    assert labels[aed_label] == "495"


def test_overview_map_is_offline_and_escaped():
    at = run_page("pages/overview.py", "wuxi", "zh")
    script = map_json(at)
    for host in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg"):
        assert host not in script
    assert "/app/static/vendor/leaflet/leaflet.js" in script
    assert "markerClusterGroup" in script
    assert "梁溪区" in script
    assert "<script>alert" not in script


def _click_at(monkeypatch, lon: float, lat: float) -> None:
    import streamlit_folium

    def fake_st_folium(fig, key=None, **kwargs):
        return {"last_clicked": {"lat": lat, "lng": lon}} if key == "nearest_map" else {}

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)


def _results_frame(at: AppTest):
    tables = [d.value for d in at.dataframe]
    assert tables, "no results table"
    return tables[-1]


@pytest.mark.parametrize("city", ["wuxi", "zhenjiang"])
def test_click_shows_nearest_of_each_kind(monkeypatch, city):
    lon, lat = (120.3010, 31.5790) if city == "wuxi" else (119.4550, 32.2040)
    _click_at(monkeypatch, lon, lat)
    at = run_page("pages/nearest.py", city, "zh")
    at.toggle(key="nr_now").set_value(False)
    at.run()
    at.time_input(key="nr_time").set_value(dt.time(10, 0))
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["nr_origin"][:2] == pytest.approx((lon, lat))
    table = _results_frame(at)
    assert set(table["类型"]) == {"AED 除颤仪", "救灾物资储备点", "景区救护站", "红十字救援队"}
    assert (table["距离（米）"] > 0).all()


def test_coordinates_in_gcj02_are_converted(monkeypatch):
    import streamlit_folium

    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: {})
    at = run_page("pages/nearest.py", "wuxi", "en")
    at.text_input(key="nr_xy").set_value("120.3056, 31.5771")
    at.selectbox(key="nr_crs").set_value("gcj02")
    next(b for b in at.button if b.label == "Search").click()
    at.run()
    assert not at.exception, at.exception
    lon, lat, _ = at.session_state["nr_origin"]
    assert lon == pytest.approx(120.3056 - 0.0046, abs=0.0003)
    assert lat == pytest.approx(31.5771 + 0.0019, abs=0.0003)


def test_time_filter_at_3am_only_keeps_open_aeds(monkeypatch, demo):
    _click_at(monkeypatch, 120.3010, 31.5790)
    at = run_page("pages/nearest.py", "wuxi", "en")
    at.toggle(key="nr_now").set_value(False)
    at.run()
    at.time_input(key="nr_time").set_value(dt.time(3, 0))
    at.slider(key="nr_k").set_value(3)
    at.run()
    assert not at.exception, at.exception
    table = _results_frame(at)
    aeds = table[table["Kind"] == "AEDs"]
    assert len(aeds) == 3
    hours = demo.resources.set_index("name")["hours"]
    for name in aeds["Name"]:
        window = str(hours[name])
        assert window == "24h" or window.split("-")[0] > window.split("-")[1], (name, window)


def test_closed_kinds_are_reported_not_silently_dropped(monkeypatch):
    _click_at(monkeypatch, 120.3010, 31.5790)
    at = run_page("pages/nearest.py", "wuxi", "zh")
    at.toggle(key="nr_now").set_value(False)
    at.run()  # default time is 03:00, when every scenic first-aid station is closed
    table = _results_frame(at)
    assert "景区救护站" not in set(table["类型"])
    assert any("没有可用的景区救护站" in w.value for w in at.warning)


def test_impossible_setting_is_named_not_a_traceback():
    """RCD_WALK_SPEED_KMH=0 stops the app with a message naming the setting (fresh process)."""
    import os
    import subprocess
    import sys

    script = ("from streamlit.testing.v1 import AppTest\n"
              "at = AppTest.from_file('app.py', default_timeout=60)\n"
              "at.run()\n"
              "print('EXC', bool(at.exception))\n"
              "print('ERR', [e.value for e in at.error])\n")
    env = {**os.environ, "RCD_WALK_SPEED_KMH": "0"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert "EXC False" in out, out
    assert "RCD_WALK_SPEED_KMH" in out and "配置有误" in out and "(0, 20] km/h" in out, out
