"""Batch answers as download tables in the user's language: translated headers and labels.

:func:`localised` is what the page hands to :func:`geo.io.to_csv_bytes` and
:func:`geo.io.to_xlsx_bytes` (which defuse text a spreadsheet would run as a formula);
:func:`localised_geojson_frame` is for :func:`geo.io.to_geojson_bytes`. Labels are worked out
once per distinct value, not once per row, so 100,000 answers take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.batch import file_columns
from ui.i18n import t, value_label

#: The batch columns a download shows, in this order, with the catalogue key of each header.
#: ``origin`` (a position for the map) and the geometry are left out.
HEADER_KEYS: dict[str, str] = {
    "incident": "col_incident",
    "row": "col_row",
    "kind": "col_kind",
    "rank": "col_rank",
    "resource_id": "col_resource_id",
    "name": "col_name",
    "distance_m": "col_distance_m",
    "travel_min": "col_travel_min",
    "mode": "col_mode",
    "lon": "col_resource_lon",
    "lat": "col_resource_lat",
    "incident_lon": "col_incident_lon",
    "incident_lat": "col_incident_lat",
    "source_crs": "col_source_crs",
    "method": "col_method",
}
#: Decimals kept: 0.1 m, 0.1 min (as on screen) and 1e-6 degree (about 0.1 m).
DECIMALS: dict[str, int] = {"distance_m": 1, "travel_min": 1, "lon": 6, "lat": 6,
                            "incident_lon": 6, "incident_lat": 6}


def _labellers(lang: str) -> dict[str, Callable[[Any], str]]:
    """The word in ``lang`` for each coded value of the columns that hold codes."""
    return {
        "kind": lambda v: value_label("kind", v, lang),
        "mode": lambda v: value_label("mode", v, lang),
        "source_crs": lambda v: value_label("crs", v, lang),
        "method": lambda v: value_label("method_name", v, lang),
    }


def _labels(values: pd.Series, label: Callable[[Any], str]) -> pd.Series:
    """``label(value)`` of each cell, once per distinct value; a missing value stays missing."""
    codes, uniques = pd.factorize(values)  # missing -> -1, the table's last entry
    table = np.array([*(label(u) for u in uniques), None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype="str")


def localised(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Batch answers ready for a CSV or XLSX download in the UI language.

    Parameters
    ----------
    results : DataFrame
        From :func:`geo.batch.nearest_for_incidents`. Columns it lacks are left out, so the
        answers of :func:`geo.nearest.nearest` for one point work too.
    lang : str
        "zh" or "en".

    Returns
    -------
    DataFrame
        One row per row of ``results``, in the same order:

        * the batch columns in the order of :data:`HEADER_KEYS`, headed in ``lang``; kind,
          mode, method and the file's coordinate system as words in ``lang``; distances,
          times and coordinates rounded as :data:`DECIMALS` says. On the row of an incident
          without any answer the name cell says so (``dl_no_answer``) and the other answer
          cells are empty;
        * then the user's own file columns (:func:`geo.batch.file_columns`), values as read,
          headed as in the file. A file header equal to one of the headers above gets the
          suffix ``dl_file_suffix`` ("（文件）", " (file)").

        Nothing is defused here: :func:`geo.io.to_csv_bytes` and :func:`geo.io.to_xlsx_bytes`
        give formula-like text and headers a leading apostrophe.
    """
    labellers = _labellers(lang)
    answered = (results["kind"].notna().to_numpy() if "kind" in results.columns
                else np.ones(len(results), dtype=bool))
    columns: dict[str, Any] = {}
    for column, key in HEADER_KEYS.items():
        if column not in results.columns:
            continue
        values = results[column]
        if column in labellers:
            values = _labels(values, labellers[column])
        elif column in DECIMALS:
            values = values.round(DECIMALS[column])
        elif column == "name" and not answered.all():
            values = values.mask(~answered, t("dl_no_answer", lang))
        columns[t(key, lang)] = values.array
    suffix = t("dl_file_suffix", lang)
    for column in file_columns(results):
        header, k = str(column), 2
        if header in columns:
            header = base = f"{header}{suffix}"
            while header in columns:
                header, k = f"{base}{k}", k + 1
        columns[header] = results[column].array
    return pd.DataFrame(columns)


def localised_geojson_frame(results: pd.DataFrame, lang: str) -> gpd.GeoDataFrame:
    """The answering resources as WGS84 points with the :func:`localised` attributes.

    Parameters
    ----------
    results : DataFrame
        As for :func:`localised`; needs the resource's ``lon`` and ``lat``.
    lang : str
        "zh" or "en".

    Returns
    -------
    GeoDataFrame
        One point per answer (at the resource; rows of incidents without an answer are left
        out) with the columns of :func:`localised`, in EPSG:4326. Cheap to write with
        :func:`geo.io.to_geojson_bytes` (points, not lines).
    """
    lon = results["lon"].to_numpy(dtype=np.float64, na_value=np.nan)
    lat = results["lat"].to_numpy(dtype=np.float64, na_value=np.nan)
    shown = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    table = localised(results.iloc[shown], lang)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon[shown], lat[shown]),
                            crs="EPSG:4326")
