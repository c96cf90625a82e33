"""AppTest: every page, for each city and language, runs without an exception."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py"]
CITIES = ["both", "wuxi", "zhenjiang"]
LANGS = ["zh", "en"]
TIMEOUT_S = 120


def run_page(page: str, city: str = "both", lang: str = "zh") -> AppTest:
    at = AppTest.from_file("app.py", default_timeout=TIMEOUT_S)
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
