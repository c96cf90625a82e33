"""Draw and tabulate nearest-resource answers (a layer added to the map without a rebuild)."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from geo.crs import from_wgs84
from ui.i18n import fix_text, problem_text, severity_text, t, value_label
from ui.map import STYLES, Basemap, map_text


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


def results_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The answer as a readable table: kind, rank, name, distance, time, mode."""
    view = pd.DataFrame({
        t("col_kind", lang): [t(f"kind_{k}", lang) for k in results["kind"]],
        t("col_rank", lang): results["rank"].to_numpy(),
        t("col_name", lang): results["name"].astype(str).to_numpy(),
        t("col_distance_m", lang): results["distance_m"].round(0).astype("int64").to_numpy(),
        t("col_travel_min", lang): results["travel_min"].round(1).to_numpy(),
        t("col_mode", lang): [value_label("mode", m, lang) for m in results["mode"]],
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
        "row": problems["row"].to_numpy() if "row" in problems.columns else [None] * n,
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
