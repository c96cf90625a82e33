"""Session state, cached loaders and small widgets shared by every page (pages stay thin)."""

from __future__ import annotations

import datetime as dt

import folium
import streamlit as st
import streamlit_folium

from geo.datasets import Dataset
from geo.errors import GeoError
from geo.filters import NO_FILTERS, Filters, filter_resources
from geo.nearest import ResourceIndex
from geo.settings import SETTINGS
from geo.usable import CHINA_TZ
from ui import map as maps
from ui.assets import missing_files
from ui.i18n import error_text, md_text, t

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
    st.session_state.setdefault("city", "both")
    st.session_state.setdefault("basemap", default_basemap())


def choice(label: str, options: list[str], state_key: str, fmt) -> str:
    """A sidebar select box whose labels follow the language; the value lives in ``state_key``.

    A keyed select box keeps showing the labels of the language it was first drawn in, so the
    widget key carries the language and the chosen value is kept under ``state_key``.

    The choice is also copied in ``on_change``, which Streamlit runs before the next script run
    from the widget it drew: on a cold first run the widget gets another element id once the
    page is known, and a change made during that run would otherwise be lost.
    """
    current = st.session_state.get(state_key, options[0])
    index = options.index(current) if current in options else 0
    widget_key = f"{state_key}__{lang()}"
    value = st.selectbox(label, options, index=index, format_func=fmt, key=widget_key,
                         on_change=_copy_choice, args=(widget_key, state_key))
    st.session_state[state_key] = value
    return value


def _copy_choice(widget_key: str, state_key: str) -> None:
    if widget_key in st.session_state:
        st.session_state[state_key] = st.session_state[widget_key]


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


@st.cache_resource(show_spinner=False)
def store():
    """The data store (SQLite by default, PostgreSQL by ``RCD_DATABASE_URL``), one per process.

    Opening it upgrades an older schema and seeds an empty store with the demo.
    """
    from geo.store import open_store

    return open_store()


def dataset() -> Dataset:
    """The selected city's dataset, read through the store at its current revision.

    The store builds one Dataset per revision and city and shares it; an edit or an import
    bumps the revision, so every page and every open session sees it at its next run, and the
    caches keyed on ``dataset.version`` follow. Stops the page on errors.
    """
    try:
        return store().dataset(city())
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


# ---- batch incidents: one read and one answer per file and options, shared by sessions ----


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_batch(version: str, digest: str, name: str, crs: str, fix_swapped: bool,
                sheet: str | None, header_row: int | None, columns: tuple,
                _content: bytes, _ds: Dataset):
    from geo.incidents import read_incidents

    return read_incidents(_content, name, default_crs=crs, boundaries=_ds.boundaries,
                          fix_swapped=fix_swapped, sheet=sheet, header_row=header_row,
                          columns=dict(columns) or None)


def read_batch(ds: Dataset, digest: str, content: bytes, name: str, crs: str,
               fix_swapped: bool, sheet: str | None, header_row: int | None,
               columns: tuple):
    """Read an incident upload once per (content digest, read options, dataset version).

    Returns ``(incidents, report)`` as :func:`geo.incidents.read_incidents`; treat both as
    read-only (they are shared by every session that uploads the same file).
    """
    return _read_batch(ds.version, digest, name, crs, fix_swapped, sheet, header_row, columns,
                       content, ds)


@st.cache_resource(show_spinner=False, max_entries=4)
def _batch_answers(version: str, filters: Filters, read_key: str, k: int, at_key: str,
                   max_distance_m: float | None, _incidents, _at, _ds: Dataset):
    from geo.batch import nearest_for_incidents

    _, index = filtered(_ds, filters)
    return nearest_for_incidents(index, _incidents, k=k, at=_at, max_distance_m=max_distance_m)


def batch_answers(ds: Dataset, filters: Filters, read_key: str, incidents, *, k: int, at,
                  max_distance_m: float | None):
    """Nearest answers for every incident, once per (file read, filters, k, minute, range).

    ``read_key`` names the upload and every read option, so the cached answer belongs to
    exactly the incidents passed. Treat the result as read-only.
    """
    at_key = at.strftime("%Y-%m-%dT%H:%M") if hasattr(at, "strftime") else str(at)
    return _batch_answers(ds.version, filters, read_key, k, at_key, max_distance_m, incidents,
                          at, ds)


def read_options(digest: str, source: dict, lang_key: str, *, roles=None, label=None,
                 prefix: str = "nr", per_row: int | None = None) -> None:
    """Widgets that show how an upload was read and let the user change it.

    Changing the sheet resets the header row and the columns; changing the header row resets
    the columns (their guess depends on both). The choices live in
    ``st.session_state[f"{prefix}_read_{digest}"]`` and take effect on the next run.

    ``roles`` are the column roles offered (default: the incident reader's), labelled by
    ``label(role)`` (default: the ``role_*`` texts), ``per_row`` to a row.
    """
    if roles is None:
        from geo.incidents import ROLES as roles
    if label is None:
        def label(role: str) -> str:
            return t(f"role_{role}", lang_key)

    opts = st.session_state.setdefault(f"{prefix}_read_{digest}", {})
    sheet, row = source.get("sheet"), source.get("header_row")
    if sheet:
        st.caption(t("read_summary_sheet", lang_key, sheet=md_text(sheet), row=row))
    elif row is not None:
        st.caption(t("read_summary", lang_key, row=row))
    c1, c2 = st.columns(2)
    sheets = list(source.get("sheets") or [])
    if len(sheets) > 1 and sheet in sheets:
        sheet_key = f"{prefix}_sheet_{digest}"

        def pick_sheet() -> None:
            opts.update(sheet=st.session_state[sheet_key], header_row=None, columns={})

        c1.selectbox(t("read_sheet", lang_key), sheets, index=sheets.index(sheet),
                     key=sheet_key, on_change=pick_sheet)
    if row is not None:
        row_key = f"{prefix}_hrow_{digest}_{sheet}"

        def pick_row() -> None:
            opts.update(header_row=int(st.session_state[row_key]), columns={})

        c2.number_input(t("read_header_row", lang_key), min_value=1, value=int(row), step=1,
                        key=row_key, on_change=pick_row)
    st.caption(t("read_columns", lang_key))
    header = [h for h in source.get("header") or [] if h]
    mapping = source.get("mapping") or {}
    roles = list(roles)
    width = per_row or len(roles)
    for start in range(0, len(roles), width):
        chunk = roles[start:start + width]
        for col, role in zip(st.columns(width), chunk, strict=False):
            key = f"{prefix}_col_{role}_{digest}_{sheet}_{row}"
            options = ["", *header]
            current = mapping.get(role, "")

            def pick_column(role: str = role, key: str = key) -> None:
                opts.setdefault("columns", {})[role] = st.session_state[key]

            col.selectbox(label(role), options,
                          index=options.index(current) if current in options else 0, key=key,
                          format_func=lambda h: h or t("col_none", lang_key),
                          on_change=pick_column)


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


# ---- AED siting ---------------------------------------------------------------------------------

#: Grid candidates: the most populated cell of every block this wide (metres), an outdoor
#: cabinet at the cell centre; spread over every populated place, so any share is reachable.
GRID_SPACING_M = 300.0
#: A click within this many metres of a what-if site removes it (else it adds one).
WHATIF_PICK_M = 60.0


@st.cache_resource(show_spinner=False, max_entries=8)
def _siting_candidates(version: str, source: str, content: bytes | None, name: str,
                       _ds: Dataset):
    import geopandas as gpd
    import pandas as pd

    from geo.datasets import read_public_places
    from geo.incidents import read_incidents
    from geo.siting import grid_candidates, place_candidates

    if source == "grid":
        return grid_candidates(_ds.population, spacing_m=GRID_SPACING_M), None
    if source == "upload":
        if content is None:
            return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326")), None
        points, report = read_incidents(content, name, boundaries=_ds.boundaries)
        frame = points.rename(columns={"incident": "name"})
        return gpd.GeoDataFrame(frame, geometry=frame.geometry, crs="EPSG:4326"), report
    places = place_candidates(read_public_places(_ds.city))
    # Street and town seats stand for their community centres (a guidance venue type).
    towns = _ds.towns.assign(venue_type="community", source="town",
                             id=["town-" + str(n) for n in _ds.towns["name"]])
    keep = [c for c in towns.columns if c in places.columns and c != "geometry"]
    both = pd.concat([places, towns[[*keep, "geometry"]]], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs="EPSG:4326"), None


def siting_candidates(ds: Dataset, source: str, content: bytes | None, name: str,
                      only_24h: bool):
    """Candidate AED sites: public places of the guidance's venue types, grid cells or a file.

    Returns the candidates (WGS84 points) and, for an uploaded file, its problem report.
    ``only_24h`` is applied by the siting engine itself.
    """
    del only_24h  # the engine keeps 24 h candidates (site_aeds(only_24h=...))
    return _siting_candidates(ds.version, source, content, name, ds)


def _reach_m(minutes: float) -> float:
    from geo.travel import travel_model

    return travel_model().reach_m(float(minutes), "aed")


def run_siting(ds: Dataset, candidates, *, n_new: int | None, target: float | None,
               minutes: float, method: str, at, time_limit_s: float, only_24h: bool = False,
               progress=None):
    """Site new AEDs or find how many reach ``target`` (not cached: it reports progress live).

    Existing AEDs usable at ``at`` under the planner's policy stay and cover their people.
    """
    from geo.siting import aeds_for_share, site_aeds

    existing = ds.resources[ds.resources["kind"] == "aed"]
    common_args = {"method": method, "at": at, "policy": "planner", "only_24h": only_24h,
                   "time_limit_s": time_limit_s, "progress": progress}
    if target is not None:
        return aeds_for_share(existing, ds.population, target, _reach_m(minutes), candidates,
                              **common_args)
    return site_aeds(existing, ds.population, n_new, _reach_m(minutes), candidates,
                     **common_args)


def usable_aeds(ds: Dataset, at):
    """The AEDs usable at ``at`` under the planner's policy."""
    return usable(ds, "aed", at, "planner")


class WhatIfState:
    """A planner's what-if session: the engine's incremental share plus where each site is."""

    def __init__(self, engine, sites: dict[str, tuple[float, float, str]]) -> None:
        self.engine = engine
        self.sites = sites  # id -> (lon, lat, label)
        self.last_click: object = None

    @property
    def share(self) -> float:
        """Covered share with the current sites."""
        return self.engine.share

    def sites_frame(self):
        """The current sites as WGS84 points with a ``label`` column."""
        import geopandas as gpd

        ids = list(self.sites)
        return gpd.GeoDataFrame(
            {"id": ids, "label": [self.sites[i][2] for i in ids]},
            geometry=gpd.points_from_xy([self.sites[i][0] for i in ids],
                                        [self.sites[i][1] for i in ids]), crs="EPSG:4326")

    def add(self, lon: float, lat: float, label: str) -> None:
        """Add an AED at a WGS84 point."""
        self.engine.add(lon, lat)
        self.sites[self.engine.last_added] = (lon, lat, label)

    def remove_near(self, lon: float, lat: float) -> bool:
        """Remove the site nearest a WGS84 point if it is within WHATIF_PICK_M; True if so."""
        from geo.distance import geodesic_m

        if not self.sites:
            return False
        ids = list(self.sites)
        dist = geodesic_m([lon] * len(ids), [lat] * len(ids),
                          [self.sites[i][0] for i in ids], [self.sites[i][1] for i in ids])
        best = int(dist.argmin())
        if dist[best] > WHATIF_PICK_M:
            return False
        self.engine.remove(ids[best])
        del self.sites[ids[best]]
        return True


def new_whatif(ds: Dataset, result, *, minutes: float, at) -> WhatIfState:
    """A what-if session starting from the usable AEDs plus the proposed sites of ``result``."""
    from geo.siting import WhatIf

    existing = usable_aeds(ds, at)
    engine = WhatIf.from_frames(existing, ds.population, _reach_m(minutes), at=at,
                                policy="planner")
    sites = {str(i): (float(g.x), float(g.y), str(n)) for i, g, n in
             zip(existing["id"], existing.geometry, existing["name"], strict=True)}
    state = WhatIfState(engine, sites)
    for rank, geom in zip(result.sites["rank"], result.sites.geometry, strict=True):
        state.add(float(geom.x), float(geom.y), f"#{int(rank)}")
    return state


def take_whatif_click(state: WhatIfState, out: dict | None, basemap) -> bool:
    """Apply a new map click: on a site it removes it, elsewhere it adds one. True if changed."""
    from geo.crs import to_wgs84

    out = out or {}
    click = out.get("last_object_clicked") or out.get("last_clicked")
    if not click or click == state.last_click:
        return False
    state.last_click = click
    lon, lat = to_wgs84(([click["lng"]], [click["lat"]]), basemap.crs)
    lon, lat = float(lon[0]), float(lat[0])
    if not state.remove_near(lon, lat):
        state.add(lon, lat, t("site_whatif_added", lang()))
    return True


def sites_table(sites, lang_key: str):
    """The proposed sites as a table in ``lang_key``: rank, name, district, gain, running share."""
    import pandas as pd

    name = sites["name"].astype(str) if "name" in sites.columns else pd.Series(
        [""] * len(sites))
    return pd.DataFrame({
        t("cov_col_rank", lang_key): sites["rank"].to_numpy(),
        t("col_name", lang_key): name.fillna("").to_numpy(),
        t("col_district", lang_key): (sites["district"].astype(str).to_numpy()
                                      if "district" in sites.columns else ""),
        t("site_col_gain", lang_key): sites["gain_pop"].round(0).astype("int64").to_numpy(),
        t("site_col_cum_share", lang_key): (sites["cum_share"] * 100).round(2).to_numpy(),
        t("lon", lang_key): sites.geometry.x.round(6).to_numpy(),
        t("lat", lang_key): sites.geometry.y.round(6).to_numpy(),
    })


def page_header(title_key: str, help_key: str | None = None) -> tuple[str, Dataset, maps.Basemap]:
    """Start a page: app.py's session, the title, the demo notice and the help line.

    Returns the language, the selected dataset and the basemap.
    """
    run_through_app()
    lang_key = lang()
    ds = dataset()
    st.title(t(title_key, lang_key))
    demo_notice(ds)
    if help_key:
        st.caption(t(help_key, lang_key))
    return lang_key, ds, basemap()
