"""Session state, cached loaders and small widgets shared by every page (pages stay thin)."""

from __future__ import annotations

import streamlit as st

from geo.datasets import Dataset, load_demo
from geo.errors import GeoError
from geo.settings import SETTINGS
from ui import map as maps
from ui.assets import missing_files
from ui.i18n import t

CITY_KEYS = ("both", "wuxi", "zhenjiang")


def init_session() -> None:
    """Session defaults for the shared sidebar (the entry file calls this first)."""
    st.session_state.setdefault("lang", "zh")
    st.session_state.setdefault("city", "both")
    st.session_state.setdefault("basemap", default_basemap())


def lang() -> str:
    """The session's language code ("zh" or "en")."""
    return st.session_state.get("lang", "zh")


def city() -> str | None:
    """The selected city key, or None for both."""
    value = st.session_state.get("city", "both")
    return None if value == "both" else value


@st.cache_resource(show_spinner=False)
def default_basemap() -> str:
    """The configured basemap; in "auto" mode the first tile server that answers, else "none"."""
    if SETTINGS.basemap != "auto":
        return SETTINGS.basemap
    order = ["amap", "osm"] + (["tianditu"] if SETTINGS.tianditu_key else [])
    return maps.probe_basemap(order, SETTINGS.tile_probe_timeout_s, SETTINGS.tianditu_key)


def basemap() -> maps.Basemap:
    """The selected basemap."""
    choices = maps.basemaps(SETTINGS.tianditu_key)
    return choices.get(st.session_state.get("basemap", "none"), choices["none"])


@st.cache_resource(show_spinner=False)
def _load(city_key: str | None) -> Dataset:
    return load_demo(city_key)


def dataset() -> Dataset:
    """The selected city's dataset (cached per process; read-only). Stops the page on errors."""
    try:
        return _load(city())
    except GeoError as exc:
        st.error(f"{t('data_error', lang())} {exc}")
        st.stop()
        raise


def demo_notice(ds: Dataset) -> None:
    """Say plainly that demo data is shown."""
    if ds.is_demo:
        st.info(t("demo_notice", lang()), icon="ℹ️")


def assets_ok() -> bool:
    """Warn (once per page) when the offline map assets are not installed."""
    if missing_files():
        st.error(t("assets_missing", lang()))
        return False
    return True
