"""Map & nearest page: click, coordinate, place and batch queries for nearest usable resources."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from geo import schema
from geo.coords import parse_pair
from geo.crs import check_lonlat_in_china, to_wgs84
from geo.datasets import read_public_places
from geo.errors import GeoError
from geo.filters import Filters, in_area
from geo.incidents import incidents_template_csv
from geo.io import TABLE_EXTENSIONS
from geo.nearest import nearest
from geo.network import nearest_by_network
from geo.places import place_index
from geo.settings import SETTINGS
from geo.usable import CHINA_TZ
from ui import common
from ui.i18n import error_text, list_text, md_text, problem_text, t, value_label
from ui.nearest_view import (
    batch_downloads,
    map_sample,
    problems_table,
    results_layer,
    results_table,
)

lang, ds, basemap = common.page_header("nearest_title", "nearest_help")
city_key = common.city()

# ---- controls --------------------------------------------------------------------------------
kinds_present = [k for k in schema.KINDS if (ds.resources["kind"] == k).any()]
with st.expander(t("filters", lang), expanded=False):
    c1, c2, c3 = st.columns(3)
    kinds = c1.multiselect(t("f_kinds", lang), kinds_present, default=list(schema.CORE_KINDS),
                           format_func=lambda k: t(f"kind_{k}", lang), key="nr_kinds")
    districts = c2.multiselect(t("f_districts", lang), list(ds.boundaries["district"]),
                               key="nr_districts")
    statuses = c3.multiselect(t("f_statuses", lang), list(schema.STATUSES),
                              default=list(schema.STATUSES), key="nr_statuses",
                              format_func=lambda s: value_label("status", s, lang))
    c4, c5, c6 = st.columns(3)
    specialties = c4.multiselect(t("f_specialties", lang), list(schema.TEAM_SPECIALTIES),
                                 key="nr_specialties",
                                 format_func=lambda s: value_label("specialty", s, lang))
    only_24h = c5.toggle(t("f_only_24h", lang), key="nr_24h")
    k = c6.slider(t("k_per_kind", lang), 1, 3, 1, key="nr_k")
    max_km = c6.number_input(t("max_distance_km", lang), 0.0, 100.0, 0.0, 0.5, key="nr_max_km")

t1, t2, t3 = st.columns([1, 1, 1])
now_only = t1.toggle(t("available_now", lang), value=True, key="nr_now")
now = dt.datetime.now(CHINA_TZ).replace(tzinfo=None)  # opening hours are China wall-clock time
if now_only:
    at = now
else:
    day = t2.date_input(t("at_date", lang), now.date(), key="nr_date")
    hour = t3.time_input(t("at_time", lang), dt.time(3, 0), key="nr_time", step=900)
    at = dt.datetime.combine(day, hour)

filters = Filters(kinds=tuple(kinds) or None, districts=tuple(districts) or None,
                  statuses=tuple(statuses) or None, only_24h=only_24h,
                  specialties=tuple(specialties) or None)
resources, index = common.filtered(ds, filters)
max_distance_m = max_km * 1000 if max_km > 0 else None

# ---- query point: click, coordinates or place -------------------------------------------------


def set_origin(origin: tuple[float, float, str] | None, refused: str | None = None) -> None:
    """Make ``origin`` the query point; None (a refused input) clears the previous answer.

    ``refused`` is the message key saying why, shown in place of the old answer, so nobody
    reads an earlier answer as the answer to the new question.
    """
    st.session_state["nr_origin"] = origin
    st.session_state["nr_refused"] = refused


def take_click(click: dict | None) -> bool:
    """Make a new map click (in the basemap's CRS) the query point; True if it was new."""
    if not click or click == st.session_state.get("nr_last_click"):
        return False
    st.session_state["nr_last_click"] = click
    clon, clat = to_wgs84(([click["lng"]], [click["lat"]]), basemap.crs)
    set_origin((float(clon[0]), float(clat[0]), f"{float(clon[0]):.5f}, {float(clat[0]):.5f}"))
    return True


# The map's last value is in the session before the map is drawn: answering a click in this run
# saves a second run (the check after the map is the fallback).
take_click((st.session_state.get("nearest_map") or {}).get("last_clicked"))
tab_click, tab_coords, tab_place, tab_batch = st.tabs(
    [t("tab_click", lang), t("tab_coords", lang), t("tab_place", lang), t("tab_batch", lang)])
with tab_click:
    st.caption(t("click_hint", lang))
with tab_coords:
    with st.form("nr_coords_form", border=False):
        a, c = st.columns([2, 1])
        # One text field, as coordinates are read out over the phone: any order, decimal or
        # degrees-minutes-seconds, E/N or 东经/北纬. No widget bounds: a refused entry is
        # answered below with a message naming what is wrong, and the old answer is cleared.
        text_in = a.text_input(t("coords_text", lang), value="120.3010, 31.5790", key="nr_xy")
        crs_in = c.selectbox(t("coord_system", lang), schema.LONLAT_CRS, key="nr_crs",
                             format_func=lambda s: t(f"crs_{s}", lang))
        order_in = st.radio(t("coords_order", lang), ["auto", "lonlat", "latlon"],
                            horizontal=True, key="nr_order",
                            format_func=lambda o: t({"auto": "coords_auto",
                                                     "lonlat": "coords_first_lon",
                                                     "latlon": "coords_first_lat"}[o], lang))
        if st.form_submit_button(t("query", lang)):
            pair = parse_pair(text_in)
            lon_in, lat_in = pair.lon, pair.lat
            errors = [i for i in pair.issues if i.severity == "error"
                      and not (order_in != "auto" and i.code == "order_ambiguous")]
            if order_in != "auto" and lon_in is not None and lat_in is not None:
                if pair.order is not None and pair.order != order_in:
                    lon_in, lat_in = lat_in, lon_in
            st.session_state["nr_order_note"] = None
            if errors or lon_in is None or lat_in is None:
                set_origin(None, "coords_refused")
                first = errors[0] if errors else None
                st.session_state["nr_refused_detail"] = md_text(problem_text(
                    first.code if first else "not_a_pair",
                    first.params if first else {"value": text_in}, lang, text_in))
            else:
                try:
                    check_lonlat_in_china(lon_in, lat_in)
                except GeoError as exc:
                    set_origin(None, "coords_refused")
                    st.session_state["nr_refused_detail"] = error_text(exc, lang)
                else:
                    if order_in == "auto" and pair.order == "latlon" and pair.how == "ranges":
                        st.session_state["nr_order_note"] = (lon_in, lat_in)
                    wlon, wlat = to_wgs84(([lon_in], [lat_in]), crs_in)
                    set_origin((float(wlon[0]), float(wlat[0]),
                                f"{lon_in:.6f}, {lat_in:.6f} ({crs_in})"))
    note = st.session_state.get("nr_order_note")
    if note and st.session_state.get("nr_origin") is not None:
        st.info(t("coords_order_note", lang, lon=f"{note[0]:.6f}", lat=f"{note[1]:.6f}"))
with tab_place:
    text = st.text_input(t("place_query", lang), key="nr_place_q")
    if text.strip():
        # Resources, districts and the public places they stand at (stations, parks, ...).
        index_p = place_index(ds.resources, ds.boundaries, places=read_public_places(ds.city))
        hits = index_p.search(text, limit=10)
        if hits.empty:
            if st.session_state.get("nr_place_missed") != text:
                st.session_state["nr_place_missed"] = text
                set_origin(None, "place_refused")
            near = index_p.suggest(text, limit=3)
            if len(near):
                names = list_text([md_text(f"{r.name}（{r.district}）" if lang == "zh" else
                                           f"{r.name} ({r.district})")
                                   for r in near.itertuples()], lang)
                st.warning(t("place_suggest", lang, query=md_text(text.strip()), names=names))
            else:
                st.caption(t("place_none", lang))
        else:
            st.session_state["nr_place_missed"] = None
            labels = [f"{r.name} · {r.district}" for r in hits.itertuples()]
            if "matched" in hits.columns:  # "alias:金山寺", "sound:鼋头诸", "spelling:..."
                labels = [lab if ":" not in str(m) else "{} · {}".format(
                              lab, t(f"place_matched_{str(m).split(':', 1)[0]}", lang,
                                     how=str(m).split(":", 1)[1]))
                          for lab, m in zip(labels, hits["matched"], strict=True)]
            pick = st.selectbox(t("place_pick", lang), range(len(hits)),
                                format_func=labels.__getitem__, key="nr_place_pick")
            if st.button(t("query", lang), key="nr_place_go"):
                hit = hits.iloc[pick]
                set_origin((float(hit["lon"]), float(hit["lat"]), str(hit["name"])))
with tab_batch:
    # Any file type: a refused type gets the app's own message in the user's language (the
    # browser would refuse it in English and keep showing the previous file's answer).
    up = st.file_uploader(t("batch_upload", lang, types=" ".join(TABLE_EXTENSIONS)),
                          key="nr_batch_file")
    b1, b2 = st.columns(2)
    batch_crs = b1.selectbox(t("batch_default_crs", lang), schema.LONLAT_CRS,
                             key="nr_batch_crs", format_func=lambda s: t(f"crs_{s}", lang))
    fix_swapped = b2.toggle(t("batch_fix_swapped", lang), key="nr_batch_swap")
    st.download_button(t("template", lang), incidents_template_csv(chinese=lang == "zh"),
                       "incidents_template.csv", "text/csv", key="nr_template")
    incidents = report = None
    if up is not None:
        content = up.getvalue()
        digest = hashlib.sha1(content, usedforsecurity=False).hexdigest()[:16]
        opts = st.session_state.setdefault(f"nr_read_{digest}", {})
        read_args = (batch_crs, fix_swapped, opts.get("sheet"), opts.get("header_row"),
                     tuple(sorted((opts.get("columns") or {}).items())))
        incidents, report = common.read_batch(ds, digest, content, up.name, *read_args)
        read_key = f"{digest}|{up.name}|{read_args!r}"
        source = report.source
        if source.get("header_row"):
            with st.expander(t("read_how", lang), expanded=not len(incidents)):
                common.read_options(digest, source, lang)
network_file = st.file_uploader(t("network_upload", lang), key="nr_network")

# ---- the map: base identical between runs; answers go in feature_group_to_add -----------------
base = common.resource_map(ds, lang, basemap.key, filters) if common.assets_ok() else None
origins = pd.DataFrame(columns=["lon", "lat", "label"])
results = pd.DataFrame()
batch_result = None

if up is not None:
    st.info(t("batch_summary", lang, n=report.n_rows, ok=len(incidents), bad=len(report.problems)))
    if report.problems:
        st.caption(t("batch_problems", lang))
        st.dataframe(problems_table(report.to_frame(), lang), hide_index=True, width="stretch")
    if len(incidents):
        batch_result = common.batch_answers(ds, filters, read_key, incidents, k=k, at=at,
                                            max_distance_m=max_distance_m)
        shown = map_sample(len(incidents), SETTINGS.map_sample_rows)
        origins = pd.DataFrame({"lon": incidents.geometry.x.to_numpy()[shown],
                                "lat": incidents.geometry.y.to_numpy()[shown],
                                "label": incidents["incident"].astype(str).to_numpy()[shown]})
        # Answers of the sampled incidents, their "origin" renumbered to the sample's order.
        answered = batch_result[batch_result["origin"].isin(shown)
                                & batch_result["kind"].notna()].copy()
        answered["origin"] = pd.Series(range(len(shown)), index=shown)[
            answered["origin"].to_numpy()].to_numpy()
        results = answered
        if len(shown) < len(incidents):
            st.caption(t("map_sample", lang, shown=f"{len(shown):,}", n=f"{len(incidents):,}"))
    else:
        st.error(t("batch_refused", lang))
else:
    origin = st.session_state.get("nr_origin")
    refused = st.session_state.get("nr_refused")
    if origin is None and refused:
        st.warning(t(refused, lang))
        if refused == "coords_refused":
            st.error(st.session_state.get("nr_refused_detail", ""))
    if origin is not None:
        origins = pd.DataFrame([origin], columns=["lon", "lat", "label"])
        try:
            if network_file is not None:
                graph = common.network(network_file.getvalue(), network_file.name)
                results = nearest_by_network(graph, index, [origin[:2]], k=k, at=at,
                                             max_distance_m=max_distance_m)
            else:
                results = nearest(index, [origin[:2]], k=k, at=at,
                                  max_distance_m=max_distance_m)
        except GeoError as exc:
            results = pd.DataFrame()
            st.error(error_text(exc, lang))

if base is not None:
    layer = results_layer(origins, results, basemap, lang)
    out = common.show_map(base, "nearest_map", layer, height=560, use_container_width=True,
                          returned_objects=["last_clicked"])
    if take_click((out or {}).get("last_clicked")):
        st.rerun()

# ---- answers ---------------------------------------------------------------------------------
if not origins.empty:
    answers = batch_result if batch_result is not None else results
    if "kind" in answers.columns:
        answers = answers[answers["kind"].notna()]
    method = answers["method"].iloc[0] if len(answers) else "straight_line"
    st.caption(t(f"method_{method}", lang, walk=SETTINGS.walk_speed_kmh,
                 drive=SETTINGS.drive_speed_kmh))
    if batch_result is None:
        lon0, lat0 = origins.iloc[0]["lon"], origins.iloc[0]["lat"]
        st.markdown(f"**{t('results_for', lang, lon=lon0, lat=lat0)}**")
        if not in_area([lon0], [lat0], ds.boundaries)[0]:
            st.caption(t("origin_outside", lang))
    if answers.empty:
        st.warning(t("no_results", lang))
    else:
        missing = [kd for kd in (kinds or schema.CORE_KINDS) if kd not in set(answers["kind"])]
        if missing:
            st.warning(t("kind_missing", lang,
                         kinds=list_text([t(f"kind_{kd}", lang) for kd in missing], lang)))
        st.dataframe(results_table(answers, lang), hide_index=True, width="stretch",
                     key="nr_results_table")
    if batch_result is not None and len(batch_result):
        batch_downloads(batch_result, lang)
