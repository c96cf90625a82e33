"""The folium maps: a cached base map renders the same script every run, and stays untouched."""

from __future__ import annotations

import re

import pandas as pd
import streamlit_folium

from ui import map as maps
from ui.nearest_view import results_layer

# streamlit-folium renames folium's random variable names; one left over is a broken map.
RAW_NAME = re.compile(r"\b(?:geo_json|marker|feature_group|marker_cluster)_[0-9a-f]{32}\b")


def _script(fmap) -> str:
    fmap.get_root().render()
    return streamlit_folium._get_map_string(fmap)


def test_render_copy_gives_the_same_script_every_run(demo):
    wuxi = demo.resources[demo.resources["city"] == "wuxi"]
    base = maps.resources_map(demo.boundaries, wuxi, maps.basemaps()["none"], "zh")
    origins = pd.DataFrame({"lon": [120.30], "lat": [31.58], "label": ["A"]})
    scripts = []
    for _ in range(3):
        fmap = maps.render_copy(base)
        scripts.append(_script(fmap))
        # what st_folium(feature_group_to_add=...) does to the map it is given
        layer = results_layer(origins, pd.DataFrame(), maps.basemaps()["none"], "zh")
        streamlit_folium._get_feature_group_string(layer, fmap)
    assert scripts[0] == scripts[1] == scripts[2], "the iframe would be rebuilt on every run"
    assert not RAW_NAME.findall(scripts[2])
    assert "feature_group_feature_group_0" not in scripts[2]


def test_rendering_a_shared_map_twice_is_what_breaks(demo):
    """The failure render_copy avoids: folium's render is not idempotent."""
    wuxi = demo.resources[demo.resources["city"] == "wuxi"]
    base = maps.resources_map(demo.boundaries, wuxi.head(20), maps.basemaps()["none"], "zh")
    first, second = _script(base), _script(base)
    assert first != second
    assert RAW_NAME.findall(second)
