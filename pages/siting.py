"""AED siting page: where the next N AEDs cover the most people, how many reach a target."""

from __future__ import annotations

import streamlit as st

from geo.errors import GeoError
from geo.io import TABLE_EXTENSIONS, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
from ui import common
from ui.coverage_view import points_layer, sites_layer
from ui.i18n import error_text, people_text, t
from ui.nearest_view import problems_table

lang, ds, basemap = common.page_header("site_title", "site_help")

# ---- the question ---------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
question = c1.radio(t("site_question", lang), ("n_new", "target"), key="sg_question",
                    format_func=lambda q: t(f"site_q_{q}", lang))
if question == "n_new":
    n_new = int(c2.number_input(t("site_n_new", lang), value=20, step=5, key="sg_n_new"))
    target = None
else:
    target = c2.slider(t("site_target", lang), 50, 99, 90, key="sg_target") / 100
    n_new = None
minutes = c3.number_input(t("cov_minutes", lang), value=4.0, step=0.5, key="sg_minutes",
                          help=t("site_minutes_help", lang))
d1, d2, d3, d4 = st.columns(4)
method = d1.radio(t("site_method", lang), ("optimal", "greedy"), key="sg_method",
                  format_func=lambda m: t(f"site_method_{m}", lang))
source = d2.radio(t("site_candidates", lang), ("places", "grid", "upload"), key="sg_source",
                  format_func=lambda s: t(f"site_source_{s}", lang))
only_24h = d3.toggle(t("site_only_24h", lang), key="sg_24h")
night = d3.toggle(t("site_at_night", lang), value=True, key="sg_night",
                  help=t("site_at_night_help", lang))
time_limit = d4.slider(t("site_time_limit", lang), 5, 120, 30, key="sg_time_limit")
upload = None
if source == "upload":
    upload = st.file_uploader(t("site_upload", lang, types=" ".join(TABLE_EXTENSIONS)),
                              key="sg_upload")

at = common.week_time(2, 3) if night else common.china_today()
inputs = (ds.version, question, n_new, target, minutes, method, source, only_24h, night,
          time_limit, upload.file_id if upload is not None else None)
if st.session_state.get("sg_inputs") != inputs:
    # A changed question clears the old answer: it must never be read as this one's.
    st.session_state["sg_inputs"] = inputs
    st.session_state["sg_result"] = None
    st.session_state.pop("sg_whatif", None)

try:
    candidates, cand_report = common.siting_candidates(
        ds, source, upload.getvalue() if upload is not None else None,
        upload.name if upload is not None else "", only_24h)
except GeoError as exc:
    st.error(error_text(exc, lang))
    st.stop()
if cand_report is not None and cand_report.problems:
    st.caption(t("batch_problems", lang))
    st.dataframe(problems_table(cand_report.to_frame(), lang), hide_index=True, width="stretch")
st.caption(t("site_n_candidates", lang, n=len(candidates)))

if st.button(t("site_run", lang), type="primary", key="sg_run"):
    with st.status(t("site_running", lang), expanded=False) as status:
        def progress(incumbent: float, bound: float, gap: float, elapsed_s: float) -> None:
            """Show the solver's best answer so far, its bound and the proven gap."""
            status.update(label=t("site_progress", lang, people=incumbent, bound=bound,
                                  gap=gap * 100, s=elapsed_s))

        try:
            st.session_state["sg_result"] = common.run_siting(
                ds, candidates, n_new=n_new, target=target, minutes=minutes, method=method,
                at=at, time_limit_s=time_limit, only_24h=only_24h, progress=progress)
            status.update(label=t("site_done", lang), state="complete")
        except GeoError as exc:
            st.session_state["sg_result"] = None
            status.update(label=t("site_failed", lang), state="error")
            st.error(error_text(exc, lang))

result = st.session_state.get("sg_result")
if result is None:
    st.info(t("site_press_run", lang))
    st.stop()

# ---- the answer -----------------------------------------------------------------------------
k1, k2, k3, k4 = st.columns(4)
k1.metric(t("site_before", lang), f"{result.before_share * 100:.1f} %")
k2.metric(t("site_after", lang), f"{result.after_share * 100:.1f} %",
          delta=f"{(result.after_share - result.before_share) * 100:+.1f}")
k3.metric(t("site_new", lang), f"{len(result.sites)}")
k4.metric(t("site_gain", lang), people_text(result.covered_after - result.covered_before, lang),
          help=f"{int(result.covered_after - result.covered_before):,}")
st.caption(t(f"site_status_{result.method}", lang, status=result.status, gap=result.gap * 100,
             s=result.elapsed_s, greedy=result.greedy_objective, objective=result.objective))

existing = common.usable_aeds(ds, at)
if common.assets_ok():
    layer = points_layer(existing, basemap, lang, kind="aed", name=t("site_existing", lang),
                         color="#888888", radius=3)
    sites_layer(result.sites, basemap, lang).add_to(layer)
    common.show_map(common.district_map(ds, lang, basemap.key), "siting_map", layer,
                    height=520, use_container_width=True, returned_objects=[])

table = common.sites_table(result.sites, lang)
st.dataframe(table, hide_index=True, width="stretch", key="sg_sites_table")
e1, e2, e3 = st.columns(3)
e1.download_button(t("download_csv", lang), to_csv_bytes(table), "aed_sites.csv", "text/csv",
                   key="sg_dl_csv")
e2.download_button(t("download_xlsx", lang), to_xlsx_bytes(table, sheet_name="AED"),
                   "aed_sites.xlsx", key="sg_dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
e3.download_button(t("download_geojson", lang), to_geojson_bytes(result.sites), "aed_sites.geojson",
                   "application/geo+json", key="sg_dl_geojson")

# ---- what-if --------------------------------------------------------------------------------
st.subheader(t("site_whatif", lang))
st.caption(t("site_whatif_help", lang))
whatif = st.session_state.get("sg_whatif")
if whatif is None:
    whatif = common.new_whatif(ds, result, minutes=minutes, at=at)
    st.session_state["sg_whatif"] = whatif
w1, w2 = st.columns([1, 3])
w1.metric(t("site_whatif_share", lang), f"{whatif.share * 100:.2f} %",
          delta=f"{(whatif.share - result.after_share) * 100:+.2f}")
if w1.button(t("site_whatif_reset", lang), key="sg_whatif_reset"):
    st.session_state.pop("sg_whatif", None)
    st.rerun()
with w2:
    if common.assets_ok():
        layer = points_layer(whatif.sites_frame(), basemap, lang, kind="aed",
                             name=t("site_whatif", lang), color="#0a7d38", radius=5,
                             label_col="label")
        out = common.show_map(common.district_map(ds, lang, basemap.key), "whatif_map", layer,
                              height=480, use_container_width=True,
                              returned_objects=["last_clicked", "last_object_clicked"])
        if common.take_whatif_click(whatif, out, basemap):
            st.rerun()
