"""Coverage gaps page: who lives beyond reach of a usable resource, where, and at which hours."""

from __future__ import annotations

import streamlit as st

from geo.errors import GeoError
from geo.settings import SETTINGS
from geo.usable import POLICIES
from ui import common
from ui.coverage_view import (
    district_view,
    gap_layer,
    gaps_view,
    place_view,
    points_layer,
    profile_chart,
)
from ui.i18n import error_text, people_text, t

KINDS = ("aed", "first_aid_station", "rescue_team", "relief_store")
WEEKDAYS = tuple(range(7))

lang, ds, basemap = common.page_header("cov_title", "cov_help")

# ---- controls -------------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
kind = c1.selectbox(t("cov_kind", lang), KINDS, key="cv_kind",
                    format_func=lambda k: t(f"kind_{k}", lang))
reach_by = c2.radio(t("cov_reach_by", lang), ("metres", "minutes"), key="cv_reach_by",
                    horizontal=True, format_func=lambda r: t(f"cov_reach_{r}", lang))
if reach_by == "minutes":
    minutes = c3.number_input(t("cov_minutes", lang), value=4.0, step=0.5, key="cv_minutes")
    radius_m = None
else:
    radius_m = c3.number_input(t("cov_radius_m", lang), value=float(SETTINGS.aed_radius_m),
                               step=50.0, key="cv_radius")
    minutes = None
d1, d2, d3, d4 = st.columns(4)
policy = d1.selectbox(t("cov_policy", lang), tuple(POLICIES), key="cv_policy",
                      index=tuple(POLICIES).index("planner"),
                      format_func=lambda p: t(f"policy_{p}", lang))
all_hours = d2.toggle(t("cov_all_hours", lang), value=False, key="cv_all_hours",
                      help=t("cov_all_hours_help", lang))
if all_hours:
    at = common.china_today()
else:
    weekday = d3.selectbox(t("cov_weekday", lang), WEEKDAYS, index=2, key="cv_weekday",
                           format_func=lambda d: t(f"weekday_{d}", lang))
    hour = d4.slider(t("cov_hour", lang), 0, 23, 3, key="cv_hour")
    at = common.week_time(weekday, hour)
target = st.number_input(t("cov_target", lang), value=100.0, step=10.0, min_value=0.0,
                         key="cv_target", help=t("cov_target_help", lang))

try:
    result = common.coverage(ds, kind, radius_m=radius_m, minutes=minutes, at=at,
                             policy=policy)
except GeoError as exc:
    st.error(error_text(exc, lang))
    st.stop()

# ---- headline figures -----------------------------------------------------------------------
k1, k2, k3, k4 = st.columns(4)
k1.metric(t("cov_share", lang), f"{result.share * 100:.1f} %")
k2.metric(t("cov_uncovered", lang), people_text(result.total_pop - result.covered_pop, lang),
          help=f"{int(result.total_pop - result.covered_pop):,}")
k3.metric(t("cov_usable", lang), f"{result.n_resources:,}")
k4.metric(t("cov_per_100k", lang), f"{result.per_100k:.1f}",
          delta=f"{result.per_100k - target:+.1f}", delta_color="normal")
st.caption(t("cov_reach_note", lang, radius=result.radius_m))

# ---- map and gaps ---------------------------------------------------------------------------
st.subheader(t("cov_gaps", lang, n=result.n_gaps))
left, right = st.columns([3, 2])
with right:
    table = gaps_view(result.gaps, lang)
    picked = st.dataframe(table, hide_index=True, width="stretch", height=520,
                          on_select="rerun", selection_mode="single-row", key="cv_gap_table")
    rows = picked.selection.rows if picked is not None else []
    selected = int(result.gaps["rank"].iloc[rows[0]]) if rows else None
with left:
    if common.assets_ok():
        layer = gap_layer(result.gaps, basemap, lang, selected)
        # usable resources in blue, so the red gap blocks stand out
        points_layer(common.usable(ds, kind, at, policy), basemap, lang, kind=kind,
                     name=t(f"kind_{kind}", lang), color="#1f4e9c", radius=3).add_to(layer)
        center = zoom = None
        if selected is not None:
            gap = result.gaps[result.gaps["rank"] == selected].iloc[0]
            center, zoom = (float(gap["lat"]), float(gap["lon"])), 14
        common.show_map(common.district_map(ds, lang, basemap.key), "coverage_map", layer,
                        height=520, use_container_width=True, returned_objects=[],
                        center=center, zoom=zoom)

# ---- by district and by hour ----------------------------------------------------------------
st.subheader(t("by_district", lang))
st.dataframe(district_view(result.by_district, lang, target, ds.boundaries), hide_index=True,
             width="stretch", key="cv_district_table")

st.subheader(t("cov_profile", lang))
try:
    profile = common.weekly(ds, kind, radius_m=radius_m, minutes=minutes, policy=policy)
except GeoError as exc:
    st.error(error_text(exc, lang))
else:
    st.altair_chart(profile_chart(profile, lang), width="stretch")
    worst = profile.loc[profile["share"].idxmin()]
    st.caption(t("cov_profile_note", lang, full=float(profile["share_24_7"].iloc[0]) * 100,
                 low=float(worst["share"]) * 100,
                 mean=float(profile["share"].mean()) * 100,
                 over=float(profile["share_24_7"].iloc[0] - profile["share"].mean()) * 100))

# ---- places reached by the other kinds -------------------------------------------------------
st.subheader(t("cov_places", lang))
p1, p2, p3 = st.columns(3)
walk_min = p1.number_input(t("cov_scenic_minutes", lang), value=10.0, step=1.0,
                           key="cv_scenic_min")
drive_min = p2.number_input(t("cov_team_minutes", lang), value=30.0, step=5.0,
                            key="cv_team_min")
store_km = p3.number_input(t("cov_store_km", lang), value=20.0, step=5.0, key="cv_store_km")
questions = (
    ("scenic", ds.scenic_areas, "first_aid_station", {"minutes": walk_min, "mode": "walk"}),
    ("team", ds.towns, "rescue_team", {"minutes": drive_min}),
    ("store", ds.towns, "relief_store", {"radius_m": store_km * 1000}),
)
for (key, places, place_kind, reach), col in zip(questions, (p1, p2, p3), strict=True):
    try:
        reached = common.place_coverage(ds, key, places, place_kind, at=at, policy=policy,
                                        **reach)
    except GeoError as exc:
        col.error(error_text(exc, lang))
        continue
    col.metric(t(f"cov_places_{key}", lang),
               f"{int(reached['covered'].sum())} / {len(reached)}")
    missed = reached.loc[~reached["covered"]]
    col.dataframe(place_view(missed, lang), hide_index=True, width="stretch",
                  key=f"cv_places_{key}")
