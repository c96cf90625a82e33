"""Draw and tabulate coverage and siting answers: gap areas, points, sites, district tables."""

from __future__ import annotations

import altair as alt
import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from ui.i18n import t
from ui.map import STYLES, Basemap, map_text, to_display

#: Gap areas drawn on the map (the table lists every one returned).
MAP_GAPS = 60
#: Simplification of gap outlines for display only (metres; the cells are 100 m).
DISPLAY_SIMPLIFY_M = 20.0
_GAP_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")


def _colour(people: float, top: float) -> str:
    """A red shade by people, relative to the largest gap shown."""
    if top <= 0:
        return _GAP_COLOURS[0]
    step = min(int(np.sqrt(people / top) * len(_GAP_COLOURS)), len(_GAP_COLOURS) - 1)
    return _GAP_COLOURS[step]


def gap_layer(gaps: gpd.GeoDataFrame, basemap: Basemap, lang: str,
              selected: int | None = None) -> folium.FeatureGroup:
    """The ranked gap areas as red polygons (darker = more people), each with a tooltip.

    ``selected`` (a gap rank) is outlined in black.
    """
    group = folium.FeatureGroup(name=map_text(t("cov_gaps_layer", lang)), control=False)
    if gaps is None or gaps.empty:
        return group
    shown = gaps.head(MAP_GAPS)
    metric = shown.to_crs("EPSG:4549")
    simple = metric.geometry.simplify(DISPLAY_SIMPLIFY_M, preserve_topology=True)
    shown = to_display(gpd.GeoDataFrame(shown.drop(columns="geometry"),
                                        geometry=simple.to_crs("EPSG:4326")), basemap)
    top = float(shown["people"].max())
    name_col = "district" if lang == "zh" or "district_en" not in shown.columns else "district_en"
    for row in shown.itertuples(index=False):
        tip = t("cov_gap_tip", lang, rank=int(row.rank), people=int(row.people),
                district=getattr(row, name_col))
        is_selected = selected is not None and int(row.rank) == int(selected)
        fill = _colour(float(row.people), top)
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=fill, s=is_selected: {
                "color": "#111" if s else c, "weight": 3 if s else 1, "fillColor": c,
                "fillOpacity": 0.75},
            tooltip=map_text(tip),
        ).add_to(group)
    return group


def points_layer(points: gpd.GeoDataFrame, basemap: Basemap, lang: str, *, kind: str,
                 name: str, color: str | None = None, radius: int = 4,
                 label_col: str = "name") -> folium.FeatureGroup:
    """Small circle markers (usable resources, candidates), tooltips through map_text."""
    group = folium.FeatureGroup(name=map_text(name), control=False)
    if points is None or points.empty:
        return group
    shown = to_display(points, basemap)
    colour = color or STYLES.get(kind, STYLES["aed"]).hex
    labels = shown[label_col] if label_col in shown.columns else pd.Series([""] * len(shown))
    for geom, label in zip(shown.geometry, labels, strict=True):
        folium.CircleMarker([geom.y, geom.x], radius=radius, color=colour, weight=1,
                            fill=True, fill_color=colour, fill_opacity=0.85,
                            tooltip=map_text(label)).add_to(group)
    return group


def sites_layer(sites: gpd.GeoDataFrame, basemap: Basemap, lang: str) -> folium.FeatureGroup:
    """Proposed sites as numbered markers, in the order they were chosen."""
    group = folium.FeatureGroup(name=map_text(t("site_layer", lang)), control=False)
    if sites is None or sites.empty:
        return group
    shown = to_display(sites, basemap)
    for order, (geom, gain) in enumerate(zip(shown.geometry, shown["gain_pop"], strict=True),
                                         start=1):
        html = (f'<div style="background:#0a7d38;color:#fff;border-radius:50%;width:22px;'
                f'height:22px;line-height:22px;text-align:center;font:700 11px sans-serif;'
                f'border:2px solid #fff;box-shadow:0 0 3px #000">{order}</div>')
        folium.Marker([geom.y, geom.x],
                      icon=folium.DivIcon(html=html, icon_size=(22, 22), icon_anchor=(11, 11),
                                          class_name="rcd-site"),
                      tooltip=map_text(t("site_tip", lang, n=order, gain=int(gain)))
                      ).add_to(group)
    return group


def district_view(by_district: pd.DataFrame, lang: str, target_per_100k: float,
                  boundaries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Residents, covered %, usable resources and per-100k against the target, per district."""
    view = by_district.copy()
    if lang != "zh" and boundaries is not None and "district_en" in boundaries.columns:
        names = dict(zip(boundaries["district"], boundaries["district_en"], strict=True))
        view["district"] = view["district"].map(lambda d: names.get(d, d))
    view["city"] = view["city"].map(lambda c: t(f"city_{c}", lang))
    view["share"] = (view["share"] * 100).round(1)
    view["per_100k"] = view["per_100k"].round(1)
    view["vs_target"] = (view["per_100k"] - float(target_per_100k)).round(1)
    cols = {"city": "col_city", "district": "col_district", "population": "col_population",
            "covered": "cov_col_covered", "share": "cov_col_share",
            "resources": "cov_col_resources", "per_100k": "cov_col_per_100k",
            "vs_target": "cov_col_vs_target"}
    view = view[[c for c in cols if c in view.columns]].sort_values("share")
    return view.rename(columns={k: t(v, lang) for k, v in cols.items()})


def gaps_view(gaps: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """The ranked gap areas as a table: rank, district, people, cells, a point inside."""
    if gaps is None or gaps.empty:
        return pd.DataFrame({t("cov_col_rank", lang): []})
    name_col = "district" if lang == "zh" or "district_en" not in gaps.columns else "district_en"
    view = pd.DataFrame({
        t("cov_col_rank", lang): gaps["rank"].to_numpy(),
        t("col_district", lang): gaps[name_col].astype(str).to_numpy(),
        t("cov_col_people", lang): gaps["people"].round(0).astype("int64").to_numpy(),
        t("cov_col_area_km2", lang): (gaps["n_cells"] * gaps.get("cell_m", 100) ** 2
                                      / 1e6).round(2).to_numpy()
        if "n_cells" in gaps.columns else np.nan,
        t("lon", lang): gaps["lon"].round(5).to_numpy(),
        t("lat", lang): gaps["lat"].round(5).to_numpy(),
    })
    return view


def profile_chart(profile: pd.DataFrame, lang: str) -> alt.Chart:
    """Covered share by hour (of the day or week), with the 24/7 figure as a dashed rule."""
    x_field = "hour_of_week" if "hour_of_week" in profile.columns else "hour"
    data = pd.DataFrame({
        "x": profile[x_field].to_numpy(),
        "share": (profile["share"] * 100).to_numpy(),
    })
    x_title = t("cov_hour_of_week" if x_field == "hour_of_week" else "cov_hour", lang)
    line = alt.Chart(data).mark_line(point=x_field == "hour", color="#d7000f").encode(
        x=alt.X("x:Q", title=x_title),
        y=alt.Y("share:Q", title=t("cov_col_share", lang), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("x:Q", title=x_title),
                 alt.Tooltip("share:Q", title=t("cov_col_share", lang), format=".1f")],
    )
    if "share_24_7" not in profile.columns:
        return line.properties(height=260)
    rule = alt.Chart(pd.DataFrame({"y": [float(profile["share_24_7"].iloc[0]) * 100]})).mark_rule(
        strokeDash=[6, 4], color="#555").encode(y="y:Q")
    return (line + rule).properties(height=260)


def place_view(places: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Places out of reach: name, district, the nearest usable resource, distance and minutes."""
    name_col = "name_en" if lang != "zh" and "name_en" in places.columns else "name"
    return pd.DataFrame({
        t("col_name", lang): places[name_col].astype(str).to_numpy(),
        t("col_district", lang): places["district"].astype(str).to_numpy(),
        t("cov_col_nearest", lang): places["resource_name"].fillna("—").astype(str).to_numpy(),
        t("col_distance_m", lang): places["distance_m"].round(0).to_numpy(),
        t("col_travel_min", lang): places["minutes"].round(1).to_numpy(),
    })
