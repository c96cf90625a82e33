"""Draw and tabulate nearest-resource answers (a layer added to the map without a rebuild)."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import streamlit as st

from geo.crs import from_wgs84
from ui.i18n import fix_text, problem_text, severity_text, t, value_label
from ui.map import STYLES, Basemap, map_text

#: Above this many answer lines, each kind's lines are drawn as one multi-line (one Leaflet
#: object per kind and rank band instead of two per answer), so a batch map stays light.
DETAILED_LINES_MAX = 50


def _shift(lon: np.ndarray, lat: np.ndarray, basemap: Basemap) -> tuple[np.ndarray, np.ndarray]:
    return from_wgs84((lon, lat), basemap.crs)


def results_layer(
    origins: pd.DataFrame, results: pd.DataFrame, basemap: Basemap, lang: str
) -> folium.FeatureGroup:
    """Origins (WGS84 lon/lat, ``label``) and lines to each nearest resource, coloured by kind."""
    group = folium.FeatureGroup(name=map_text(t("origin", lang)), control=False)
    olon, olat = _shift(origins["lon"].to_numpy(float), origins["lat"].to_numpy(float), basemap)
    for i, (x, y) in enumerate(zip(olon, olat, strict=True)):
        folium.CircleMarker(
            [float(y), float(x)], radius=8, color="#111", weight=2, fill=True,
            fill_color="#ffd400", fill_opacity=1.0,
            tooltip=map_text(origins["label"].iloc[i]),
        ).add_to(group)
    if results.empty:
        return group
    rlon, rlat = _shift(results["lon"].to_numpy(float), results["lat"].to_numpy(float), basemap)
    pos = results["origin"].to_numpy()
    if len(results) > DETAILED_LINES_MAX:
        _batch_lines(group, olon, olat, rlon, rlat, pos, results, lang)
        return group
    for j, row in enumerate(results.itertuples(index=False)):
        color = STYLES[row.kind].hex
        tip = map_text(f"{t('kind_' + row.kind, lang)} #{row.rank}: {row.name} · "
                       f"{row.distance_m:,.0f} m · {row.travel_min:.1f} min")
        start = [float(olat[pos[j]]), float(olon[pos[j]])]
        end = [float(rlat[j]), float(rlon[j])]
        folium.PolyLine([start, end], color=color, weight=4 if row.rank == 1 else 2,
                        opacity=0.9, dash_array=None if row.rank == 1 else "6 6",
                        tooltip=tip, class_name="rcd-nearest-line").add_to(group)
        folium.CircleMarker(end, radius=6, color=color, fill=True, fill_opacity=0.9,
                            tooltip=tip).add_to(group)
    return group


def _batch_lines(group: folium.FeatureGroup, olon: np.ndarray, olat: np.ndarray,
                 rlon: np.ndarray, rlat: np.ndarray, pos: np.ndarray, results: pd.DataFrame,
                 lang: str) -> None:
    """Many answers: one multi-line per kind and rank band (the resources are on the base map)."""
    kinds = results["kind"].to_numpy()
    first = results["rank"].to_numpy() == 1
    for kind in pd.unique(kinds):
        for best in (True, False):
            idx = np.flatnonzero((kinds == kind) & (first == best))
            if not len(idx):
                continue
            segments = [[[float(olat[pos[j]]), float(olon[pos[j]])],
                         [float(rlat[j]), float(rlon[j])]] for j in idx]
            folium.PolyLine(segments, color=STYLES[kind].hex, weight=3 if best else 2,
                            opacity=0.8, dash_array=None if best else "6 6",
                            tooltip=map_text(t(f"kind_{kind}", lang)),
                            class_name="rcd-nearest-line").add_to(group)


def map_sample(n: int, limit: int) -> np.ndarray:
    """Positions of at most ``limit`` of ``n`` incidents, evenly spread through the file."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def batch_downloads(results: pd.DataFrame, lang: str) -> None:
    """CSV, XLSX and GeoJSON buttons for batch answers, in ``lang``, built only when clicked.

    The files keep every row and every column of the user's own file; labels (kinds, modes,
    coordinate systems) and headers are in the UI language; text is defused for spreadsheets.
    """
    from geo.io import to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
    from ui.downloads import localised, localised_geojson_frame

    name = t("dl_results_name", lang)
    d1, d2, d3 = st.columns(3)
    d1.download_button(t("download_csv", lang), lambda: to_csv_bytes(localised(results, lang)),
                       f"{name}.csv", "text/csv", key="nr_dl_csv", on_click="ignore")
    d2.download_button(t("download_xlsx", lang),
                       lambda: to_xlsx_bytes(localised(results, lang), sheet_name=name),
                       f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="nr_dl_xlsx", on_click="ignore")
    d3.download_button(t("download_geojson", lang),
                       lambda: to_geojson_bytes(localised_geojson_frame(results, lang)),
                       f"{name}.geojson", "application/geo+json", key="nr_dl_geojson",
                       on_click="ignore")


def results_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The answer as a readable table: kind, rank, name, distance, time, mode (column-wise)."""
    kinds = results["kind"].astype(str)
    modes = results["mode"].astype(str)
    view = pd.DataFrame({
        t("col_kind", lang): kinds.map({k: t(f"kind_{k}", lang) for k in kinds.unique()})
        .to_numpy(),
        t("col_rank", lang): results["rank"].to_numpy(),
        t("col_name", lang): results["name"].astype(str).to_numpy(),
        t("col_distance_m", lang): results["distance_m"].round(0).astype("int64").to_numpy(),
        t("col_travel_min", lang): results["travel_min"].round(1).to_numpy(),
        t("col_mode", lang): modes.map({m: value_label("mode", m, lang)
                                        for m in modes.unique()}).to_numpy(),
    })
    if "incident" in results.columns:
        view.insert(0, t("col_incident", lang), results["incident"].astype(str).to_numpy())
    return view


def problems_table(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A validation report's problems (``Report.to_frame()``) in ``lang``, headers translated.

    The columns are row, column, severity, message and fix, worded from ``code``,
    ``fix_code`` and ``params`` by the catalogue (an unknown code is shown as itself).
    """
    n = len(problems)

    def col(name: str) -> list:
        return problems[name].tolist() if name in problems.columns else [None] * n

    params = col("params")
    view = pd.DataFrame({
        # A whole-file problem has no row: an empty cell, not "None".
        "row": pd.Series(["" if r is None or pd.isna(r) else str(int(r)) for r in col("row")],
                         dtype="string"),
        "column": pd.Series(col("column"), dtype="string"),
        "severity": pd.Series([severity_text(s, lang) for s in col("severity")], dtype="string"),
        "message": pd.Series([problem_text(c, p, lang, c) for c, p in
                              zip(col("code"), params, strict=True)], dtype="string"),
        "fix": pd.Series([fix_text(c, p, lang, None) for c, p in
                          zip(col("fix_code"), params, strict=True)], dtype="string"),
    })
    view[["column", "fix"]] = view[["column", "fix"]].fillna("")  # blank, not "None"
    cols = {"row": "col_row", "column": "col_column", "severity": "col_severity",
            "message": "col_message", "fix": "col_fix"}
    return view.rename(columns={k: t(v, lang) for k, v in cols.items()})
