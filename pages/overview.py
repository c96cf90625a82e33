"""Overview page: KPI row, every resource layer on the district outlines, district table."""

from __future__ import annotations

import streamlit as st

from geo import schema, stats
from ui import common, tables
from ui.i18n import people_text, t

lang, ds, _ = common.page_header("app_title")

table = stats.district_table(ds)
total = stats.totals(table)
kinds = [k for k in schema.KINDS if total.get(k, 0) > 0]
for col, kind in zip(st.columns(len(kinds)), kinds, strict=True):
    col.metric(t(f"kind_{kind}", lang), f"{int(total[kind]):,}")
# Three wide cards: a population of ten million in 万 must not be cut off ("1,067.3…").
row2 = st.columns(3)
row2[0].metric(t("kpi_aed_per_100k", lang), f"{total['aed_per_100k']:.1f}")
row2[1].metric(t("kpi_team_members", lang), f"{int(total['team_members']):,}")
people = int(total["population"])
row2[2].metric(t("kpi_population", lang), people_text(people, lang), help=f"{people:,}")

if common.assets_ok():
    base = common.resource_map(ds, lang, common.basemap().key)
    common.show_map(base, "overview_map", height=640, use_container_width=True,
                    returned_objects=[])

st.subheader(t("by_district", lang))
st.dataframe(tables.district_view(table, lang), hide_index=True, width="stretch")
