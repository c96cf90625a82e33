"""Session state, cached loaders and small widgets shared by every page (pages stay thin)."""

from __future__ import annotations

import datetime as dt

import folium
import streamlit as st
import streamlit_folium

from geo.datasets import Dataset, load_demo
from geo.errors import GeoError
from geo.filters import NO_FILTERS, Filters, filter_resources
from geo.nearest import ResourceIndex
from geo.settings import SETTINGS
from geo.usable import CHINA_TZ
from ui import map as maps
from ui.assets import missing_files
from ui.i18n import error_text, t

CITY_KEYS = ("both", "wuxi", "zhenjiang")

APP_RAN = "_rcd_app_ran"


def run_through_app() -> None:
    """Make sure app.py (sidebar, session defaults, navigation) has run for this session.

    Streamlit treats a ``pages/`` folder as v1 page discovery until some session has called
    ``st.navigation``. The first request after a server start that goes straight to a page URL
    (a bookmark of ``/nearest``) would then run the page alone, with no sidebar. Switch the
    process to navigation mode and rerun: app.py runs and routes back to the same page, whose
    hash is that of its URL path in both modes.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not st.session_state.get(APP_RAN):
        PagesManager.uses_pages_directory = False
        st.rerun()


def init_session() -> None:
    """Session defaults for the shared sidebar (the entry file calls this first)."""
    st.session_state[APP_RAN] = True
    st.session_state.setdefault("lang", "zh")
    st.session_state.setdefault("city", "both")
    st.session_state.setdefault("basemap", default_basemap())


def choice(label: str, options: list[str], state_key: str, fmt) -> str:
    """A sidebar select box whose labels follow the language; the value lives in ``state_key``.

    A keyed select box keeps showing the labels of the language it was first drawn in, so the
    widget key carries the language and the chosen value is kept under ``state_key``.
    """
    current = st.session_state.get(state_key, options[0])
    index = options.index(current) if current in options else 0
    value = st.selectbox(label, options, index=index, format_func=fmt,
                         key=f"{state_key}__{lang()}")
    st.session_state[state_key] = value
    return value


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


def _basemap(key: str) -> maps.Basemap:
    choices = maps.basemaps(SETTINGS.tianditu_key)
    return choices.get(key, choices["none"])


def basemap() -> maps.Basemap:
    """The selected basemap."""
    return _basemap(st.session_state.get("basemap", "none"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(city_key: str | None) -> Dataset:
    return load_demo(city_key)


def dataset() -> Dataset:
    """The selected city's dataset (immutable; cached per process). Stops the page on errors."""
    try:
        return _load(city())
    except GeoError as exc:
        st.error(error_text(exc, lang(), prefix="data_error"))
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


@st.cache_resource(show_spinner=False, max_entries=16)
def _filtered(version: str, filters: Filters, _ds: Dataset) -> tuple:
    frame = filter_resources(_ds.resources, filters)
    return frame, ResourceIndex(frame)


def filtered(ds: Dataset, filters: Filters = NO_FILTERS) -> tuple:
    """Resources after the layer filters, with their nearest-resource index (built once each).

    Cached on ``(dataset.version, filters)``: a new dataset version (an edit, an import) gets
    its own index; the same version and filters reuse it in every session.
    """
    return _filtered(ds.version, filters, ds)


@st.cache_resource(show_spinner=False, max_entries=16)
def _resource_map(version: str, lang_key: str, basemap_key: str, filters: Filters,
                  _ds: Dataset) -> folium.Map:
    frame, _ = filtered(_ds, filters)
    return maps.resources_map(_ds.boundaries, frame, _basemap(basemap_key), lang_key)


def resource_map(ds: Dataset, lang_key: str, basemap_key: str,
                 filters: Filters = NO_FILTERS) -> folium.Map:
    """A page's base map of the (filtered) resources; show it with :func:`show_map`.

    Cached on ``(dataset.version, language, basemap, filters)``. It stays identical between
    runs, so answers drawn on it never rebuild the iframe. Never render it directly: folium's
    render changes the map it renders.
    """
    return _resource_map(ds.version, lang_key, basemap_key, filters, ds)


@st.cache_resource(show_spinner=False, max_entries=4)
def network(content: bytes, filename: str):
    """A road network uploaded by the user, parsed and prepared once per file content.

    At most four are kept (each holds a graph's sparse matrices); the least recently used goes.
    """
    import tempfile
    from pathlib import Path

    from geo.network import load_network, prepare_network

    suffix = Path(filename).suffix or ".graphml"
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as fh:
        fh.write(content)
        path = Path(fh.name)
    try:
        return prepare_network(load_network(path))
    finally:
        path.unlink(missing_ok=True)


def show_map(base: folium.Map, key: str, layer: folium.FeatureGroup | None = None, **kwargs):
    """Render a cached base map (a private copy of it) with an optional per-run layer.

    The layer goes through ``feature_group_to_add``, so new answers are drawn without
    rebuilding the map's iframe.
    """
    return streamlit_folium.st_folium(maps.render_copy(base), key=key,
                                      feature_group_to_add=layer, **kwargs)


@st.cache_resource(show_spinner=False, max_entries=8)
def _district_map(version: str, lang_key: str, basemap_key: str, _ds: Dataset) -> folium.Map:
    fmap = maps.base_map(_ds.boundaries, _basemap(basemap_key), lang_key)
    fmap.add_child(maps.legend(lang_key, []))
    return fmap


def district_map(ds: Dataset, lang_key: str, basemap_key: str) -> folium.Map:
    """A base map of the district outlines only (answers are added per run), cached per version.

    Show it with :func:`show_map`; never render it directly.
    """
    return _district_map(ds.version, lang_key, basemap_key, ds)


def week_time(weekday: int, hour: int) -> dt.datetime:
    """China local time at ``hour`` on ``weekday`` (0 = Monday) of the current week."""
    today = dt.datetime.now(CHINA_TZ).date()
    day = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=int(weekday))
    return dt.datetime.combine(day, dt.time(int(hour), 0))


def china_today() -> dt.date:
    """Today's date in China (expiry is judged on it when no hour is asked)."""
    return dt.datetime.now(CHINA_TZ).date()


@st.cache_resource(show_spinner=False, max_entries=4)
def _population_grid(version: str, _ds: Dataset):
    from geo.coverage import PopulationGrid

    return PopulationGrid.from_frame(_ds.population, boundaries=_ds.boundaries)


def population_grid(ds: Dataset):
    """The population grid projected and indexed once per dataset version."""
    return _population_grid(ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=32)
def _coverage(version: str, kind: str, radius_m: float | None, minutes: float | None,
              at: dt.datetime | dt.date, policy: str, _ds: Dataset):
    from geo.coverage import coverage

    _, index = filtered(_ds)
    return coverage(index, population_grid(_ds), radius_m=radius_m, minutes=minutes, at=at,
                    policy=policy, kind=kind, boundaries=_ds.boundaries)


def coverage(ds: Dataset, kind: str, *, radius_m: float | None = None,
             minutes: float | None = None, at: dt.datetime | dt.date, policy: str):
    """The coverage answer, cached on the dataset version and every input that changes it."""
    return _coverage(ds.version, kind, radius_m, minutes, at, policy, ds)


def usable(ds: Dataset, kind: str, at: dt.datetime | dt.date, policy: str = "default"):
    """The resources of ``kind`` usable at ``at`` under ``policy`` (rows of ds.resources)."""
    from geo.coverage import usable_sites

    frame, index = filtered(ds)
    _, positions = usable_sites(index, kind, at, policy)
    return frame.iloc[positions]


@st.cache_resource(show_spinner=False, max_entries=8)
def _weekly(version: str, kind: str, radius_m: float | None, minutes: float | None,
            policy: str, week_of: dt.date, _ds: Dataset):
    from geo.coverage import weekly_profile

    _, index = filtered(_ds)
    return weekly_profile(index, population_grid(_ds), radius_m=radius_m, minutes=minutes,
                          policy=policy, kind=kind, week_of=week_of)


def weekly(ds: Dataset, kind: str, *, radius_m: float | None = None,
           minutes: float | None = None, policy: str):
    """Coverage for every hour of the current week (cached per version and inputs)."""
    today = china_today()
    monday = today - dt.timedelta(days=today.weekday())
    return _weekly(ds.version, kind, radius_m, minutes, policy, monday, ds)


@st.cache_resource(show_spinner=False, max_entries=16)
def _place_coverage(version: str, key: str, kind: str, at: dt.datetime | dt.date, policy: str,
                    minutes: float | None, radius_m: float | None, mode: str | None,
                    _places, _ds: Dataset):
    from geo.coverage import place_coverage

    _, index = filtered(_ds)
    return place_coverage(index, _places, kind, minutes=minutes, radius_m=radius_m, mode=mode,
                          at=at, policy=policy)


def place_coverage(ds: Dataset, key: str, places, kind: str, *, at, policy: str,
                   minutes: float | None = None, radius_m: float | None = None,
                   mode: str | None = None):
    """Which of the dataset's places (``key`` names them) a kind reaches; cached per version."""
    return _place_coverage(ds.version, key, kind, at, policy, minutes, radius_m, mode, places, ds)
