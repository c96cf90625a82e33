"""Hostile data text on the map: shown as text, never run (in the browser, nor on the server).

Folium pastes tooltips and popups into JavaScript template literals, DivIcon html and layer
names into JSON strings, and compiles every rendered script as a Jinja template. Data text must
reach all of them through ``ui.map.map_text``; these tests render the map's script and look for
any payload that survived as code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit_folium

from geo.datasets import load_demo
from tests.conftest import JINJA_PAYLOADS, PAYLOADS
from ui import map as maps
from ui.nearest_view import results_layer

PAYLOADS = [*PAYLOADS, *JINJA_PAYLOADS]
NONE = maps.basemaps()["none"]
UI = Path(__file__).resolve().parents[1] / "ui"


def _script(fmap) -> str:
    fmap.get_root().render()
    return streamlit_folium._get_map_string(fmap)


def _hostile_resources(text: str | None) -> pd.DataFrame:
    """A few demo rows of each kind; ``text`` (None: harmless text) in every free-text field."""
    wuxi = load_demo("wuxi").resources
    rows = wuxi.groupby("kind", sort=False).head(2).copy()
    for i, col in enumerate(["name", "name_en", "address", "district", "hours", "guardian",
                             "status", "id"]):
        rows[col] = [text if text is not None else f"x{i}{j}" for j in range(len(rows))]
    return rows


def _hostile_boundaries(text: str | None):
    bounds = load_demo("wuxi").boundaries.copy()
    bounds["district"] = [text if text is not None else f"d{j}" for j in range(len(bounds))]
    bounds["district_en"] = bounds["district"]
    return bounds


def _resources_script(text: str | None, lang: str) -> str:
    fmap = maps.resources_map(_hostile_boundaries(text), _hostile_resources(text), NONE, lang)
    return _script(fmap)


def _results_script(text: str | None, lang: str = "zh") -> str:
    origins = pd.DataFrame({"lon": [120.30, 120.31], "lat": [31.58, 31.57],
                            "label": [text or "o1", text or "o2"]})
    results = pd.DataFrame({"kind": ["aed", "rescue_team"], "rank": [1, 1],
                            "name": [text or "r1", text or "r2"], "distance_m": [120.0, 900.0],
                            "travel_min": [1.5, 8.0], "lon": [120.301, 120.32],
                            "lat": [31.581, 31.56], "origin": [0, 1]})
    fmap = maps.render_copy(maps.resources_map(_hostile_boundaries(None),
                                               _hostile_resources(None), NONE, lang))
    script = _script(fmap)
    layer = results_layer(origins, results, NONE, lang)
    return script + streamlit_folium._get_feature_group_string(layer, fmap)


def _assert_inert(script: str, benign: str, payload: str) -> None:
    """The payload is in the script only escaped; it adds no backtick, ``${`` nor markup."""
    assert payload not in script
    assert maps.map_text(payload) in script, "the text never reached the map"
    # Same map with harmless text: any extra backtick or "${" came from the data.
    assert script.count("`") == benign.count("`")
    assert script.count("${") == benign.count("${") == 0
    assert script.count("\\`") == benign.count("\\`")
    assert "<img" not in script
    assert "<script>alert" not in script
    assert "{{" not in script and "{%" not in script


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_resource_text_reaches_the_map_only_escaped(payload, lang):
    _assert_inert(_resources_script(payload, lang), _resources_script(None, lang), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_incident_label_and_resource_name_in_results_layer_only_escaped(payload):
    _assert_inert(_results_script(payload), _results_script(None), payload)


def test_template_literal_payload_fails_with_html_escape_alone():
    """What the one door fixes: html.escape leaves "${" and backticks to the template literal."""
    import html

    assert "${alert(1)}" in html.escape("${alert(1)}")
    script = _resources_script("${alert(1)}", "zh")
    assert "${alert(1)}" not in script
    assert "&#36;&#123;alert(1)&#125;" in script


def test_jinja_in_data_is_not_run_by_folium_render():
    """folium's full render compiles each script as a Jinja template: data must not be code."""
    payload = "{{ lipsum.__module__ }}"  # reaches Python objects: os is one step further
    fmap = maps.resources_map(_hostile_boundaries(payload), _hostile_resources(payload), NONE,
                              "zh")
    page = fmap.get_root().render()
    assert "jinja2.utils" not in page
    assert "&#123;&#123; lipsum.__module__ &#125;&#125;" in page


def test_map_text_contract():
    text = maps.map_text
    assert text("${x}`\\'\"<>&{}") == (
        "&#36;&#123;x&#125;&#96;&#92;&#x27;&quot;&lt;&gt;&amp;&#123;&#125;")
    assert text("a\nb\r\u2028") == "a&#10;b&#13;&#8232;"
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert text(missing) == ""
    assert text(3) == "3" and text(2.5) == "2.5" and text("无锡 梁溪区") == "无锡 梁溪区"
    assert text(text("<")) == "&amp;lt;", "escaped once per call: call it on raw data only"


def test_one_door_html_escape_only_inside_map_text():
    """No other escaping path builds map text (STYLE 15): html.escape is called once, there."""
    map_src = (UI / "map.py").read_text(encoding="utf-8")
    view_src = (UI / "nearest_view.py").read_text(encoding="utf-8")
    assert map_src.count("html.escape(") == 1
    door = map_src.index("def map_text(")
    assert door < map_src.index("html.escape(") < map_src.index("\ndef ", door + 1)
    assert "html.escape" not in view_src and "import html" not in view_src


MARKDOWN_PAYLOADS = ["![](http://203.0.113.9/track.png)", "[点这里](javascript:alert(1))",
                     "**粗体** _斜体_", ":red[红字]", "$x^2$", "<b>x</b>", "# 标题", "a\nb"]


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS + PAYLOADS)
def test_md_text_leaves_no_markdown_or_html_active(payload):
    import re

    from ui.i18n import md_text

    text = md_text(payload)
    assert "\n" not in text
    # Every character Markdown or HTML acts on is escaped by a backslash, so it shows as typed.
    unescaped = re.sub(r"\\.", "", text)
    assert not set(unescaped) & set("\\`*_{}[]()#!|<>~$"), text
    assert re.sub(r"\\(.)", r"\1", text) == " ".join(payload.split())
