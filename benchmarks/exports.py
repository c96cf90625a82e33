"""Benchmark the download writers (CSV, XLSX, GeoJSON, GPKG) on 100k batch answers vs naive peers.

Usage: ``python benchmarks/exports.py [--quick]`` (``--quick``: 10k rows, under a minute).

The frame is real batch output: synthetic incidents spread over Wuxi, answered by
:func:`geo.batch.nearest_for_incidents` from the demo resources
(:func:`geo.datasets.load_demo`), k=1 for each of the demo's six kinds, so n incidents give
6n answer rows. Each incident carries columns of its own file (备注 with some formula-like
text, 地址, 联系电话), as :func:`geo.incidents.read_incidents` keeps them.

What the page offers for a batch is the localised CSV, the localised XLSX and the GeoJSON of
the answering resources (points): :func:`ui.downloads.localised` + :func:`geo.io.to_csv_bytes`
or :func:`geo.io.to_xlsx_bytes`, and :func:`ui.downloads.localised_geojson_frame` +
:func:`geo.io.to_geojson_bytes`; each file is built when its button is clicked, so each has the
2 s target (CSV and GeoJSON, the first two buttons, are also timed together, as before). The raw
batch frame (LineString geometry) is timed too.

Peers are the ways these files were written before (and the usual tutorial ways): per-cell
``Series.map`` of the defusing and ISO functions then ``DataFrame.to_csv``;
``GeoDataFrame.to_json``; openpyxl write-only, row by row; labels looked up once per row. The
engine's output is checked against each peer's (same cells, same JSON features).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import fmt, timed
from geo.batch import file_columns, nearest_for_incidents
from geo.datasets import load_demo
from geo.io import (
    _defuse,
    _iso,
    _json_default,
    _sheet_title,
    _xlsx_value,
    to_csv_bytes,
    to_geojson_bytes,
    to_gpkg_bytes,
    to_xlsx_bytes,
)
from geo.nearest import ResourceIndex
from ui.downloads import DECIMALS, HEADER_KEYS, localised, localised_geojson_frame
from ui.i18n import t, value_label

LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 120.10, 120.50, 31.40, 31.70  # Wuxi's urban districts
NOTES = ["鼋头渚 落水", "老人晕倒", '=HYPERLINK("http://x","y")', "-2+3", None, "商场 心脏骤停"]
TARGET_S = 2.0  # the CSV + GeoJSON downloads of 100k answers together; the XLSX alone


def synth_incidents(n: int, seed: int) -> gpd.GeoDataFrame:
    """Incidents as :func:`geo.incidents.read_incidents` returns them, with file columns."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(LON_MIN, LON_MAX, n)
    lat = rng.uniform(LAT_MIN, LAT_MAX, n)
    frame = pd.DataFrame({
        "incident": [f"E{i:06d}" for i in range(n)],
        "row": np.arange(2, n + 2),
        "lon": lon, "lat": lat,
        "source_crs": rng.choice(["wgs84", "gcj02"], n),
        "备注": pd.Series(rng.choice(np.array(NOTES, dtype=object), n), dtype="str"),
        "地址": pd.Series([f"无锡市梁溪区中山路 {i} 号" for i in range(n)], dtype="str"),
        "联系电话": pd.Series([f"1390510{i % 10_000:04d}" for i in range(n)], dtype="str"),
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


# ----------------------------------------------------------------------------- peers


def naive_plain(df: pd.DataFrame) -> pd.DataFrame:
    """The table writers' preparation before: Python per geometry and per cell."""
    if isinstance(df, gpd.GeoDataFrame):
        geoms = df.geometry
        plain = pd.DataFrame(df.drop(columns=geoms.name))
        non_empty = geoms[~(geoms.isna() | geoms.is_empty)]
        if bool((non_empty.geom_type == "Point").all()):
            if not {"lon", "lat"} <= set(plain.columns):
                plain["lon"] = [g.x if g is not None and not g.is_empty else np.nan
                                for g in geoms]
                plain["lat"] = [g.y if g is not None and not g.is_empty else np.nan
                                for g in geoms]
        else:
            plain["geometry_wkt"] = geoms.to_wkt()
    else:
        plain = pd.DataFrame(df).copy()
    for column in plain.columns:
        series = plain[column]
        if pd.api.types.is_datetime64_any_dtype(series) or series.dtype == object:
            plain[column] = series.map(_iso).astype(object)
    return plain


def naive_safe(df: pd.DataFrame) -> pd.DataFrame:
    plain = naive_plain(df)
    for column in plain.columns:
        if not pd.api.types.is_numeric_dtype(plain[column]):
            plain[column] = plain[column].map(_defuse, na_action="ignore")
    plain.columns = [_defuse(str(c)) for c in plain.columns]
    return plain


def naive_csv(df: pd.DataFrame) -> bytes:
    return naive_safe(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def naive_geojson(gdf: gpd.GeoDataFrame) -> bytes:
    return gdf.to_json(ensure_ascii=False, default=_json_default, drop_id=True).encode("utf-8")


def naive_xlsx(df: pd.DataFrame, sheet_name: str) -> bytes:
    """Write with openpyxl (write-only), row by row, every text cell forced to text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    plain = naive_safe(df)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(sheet_name))

    def cells(values: list) -> list:
        out = []
        for value in values:
            value = _xlsx_value(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            out.append(value)
        return out

    sheet.append(cells(list(plain.columns)))
    for row in plain.itertuples(index=False, name=None):
        sheet.append(cells(list(row)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def naive_localised(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The same table as :func:`ui.downloads.localised`, labels looked up once per row."""
    fields = {"kind": "kind", "mode": "mode", "source_crs": "crs", "method": "method_name"}
    headers = localised(results.iloc[:0], lang).columns
    sources = [c for c in HEADER_KEYS if c in results.columns] + file_columns(results)
    answered = results["kind"].notna().tolist()
    out = {}
    for header, column in zip(headers, sources, strict=True):
        values = results[column]
        if column in fields:
            values = [None if pd.isna(v) else value_label(fields[column], v, lang)
                      for v in values]
        elif column in DECIMALS:
            values = [round(v, DECIMALS[column]) for v in values]
        elif column == "name":
            values = [v if ok else t("dl_no_answer", lang)
                      for v, ok in zip(values, answered, strict=True)]
        out[header] = list(values)
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------- checks


def same_csv(a: bytes, b: bytes) -> bool:
    """Same cells (read back as text); the engine rounds nothing the peer does not."""
    read = {"encoding": "utf-8-sig", "dtype": str, "keep_default_na": False}
    return pd.read_csv(io.BytesIO(a), **read).equals(pd.read_csv(io.BytesIO(b), **read))


def same_geojson(a: bytes, b: bytes) -> bool:
    return json.loads(a)["features"] == json.loads(b)["features"]


def same_xlsx_head(a: bytes, b: bytes, n: int = 2_000) -> bool:
    from openpyxl import load_workbook

    def head(raw: bytes) -> list:
        sheet = load_workbook(io.BytesIO(raw), read_only=True).active
        return [[c.value for c in row] for row in sheet.iter_rows(max_row=n)]

    return head(a) == head(b)


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k rows, under a minute")
    args = parser.parse_args()
    started = time.perf_counter()
    ds = load_demo("wuxi")
    index = ResourceIndex(ds.resources)
    n_kinds = ds.resources["kind"].nunique()
    n_rows = 10_000 if args.quick else 100_000
    incidents = synth_incidents(-(-n_rows // n_kinds), seed=1)
    build_s, results = timed(lambda: nearest_for_incidents(index, incidents), 3)
    lang = "zh"
    sheet = t("dl_results_name", lang)
    rows = []

    def scenario(name: str, engine, peer, check, engine_reps: int = 3) -> None:
        engine_s, out = timed(engine, engine_reps)
        peer_s, theirs = timed(peer, 0) if peer is not None else (np.nan, None)
        rows.append({"download": name, "rows": len(results), "MB": len(out) / 1e6,
                     "engine_s": engine_s, "peer_s": peer_s,
                     "peer/engine": peer_s / engine_s,
                     "same": "n/a" if check is None else ("yes" if check(out, theirs) else "NO")})

    # What the page offers (localised CSV, GeoJSON of the resource points, XLSX).
    scenario("csv (localised)", lambda: to_csv_bytes(localised(results, lang)),
             lambda: naive_csv(naive_localised(results, lang)), same_csv)
    scenario("geojson points (localised)",
             lambda: to_geojson_bytes(localised_geojson_frame(results, lang)),
             lambda: naive_geojson(localised_geojson_frame(results, lang)), same_geojson)
    scenario("xlsx (localised)",
             lambda: to_xlsx_bytes(localised(results, lang), sheet_name=sheet),
             lambda: naive_xlsx(naive_localised(results, lang), sheet), same_xlsx_head)
    # The raw batch frame (LineString geometry, English codes).
    scenario("csv (raw, lines as WKT)", lambda: to_csv_bytes(results),
             lambda: naive_csv(results), same_csv)
    scenario("geojson lines (raw)", lambda: to_geojson_bytes(results),
             lambda: naive_geojson(results), same_geojson)
    scenario("geojson points_only (raw)", lambda: to_geojson_bytes(results, points_only=True),
             None, None)
    scenario("gpkg lines (raw)", lambda: to_gpkg_bytes(results), None, None)

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, na_rep="n/a", formatters={
            c: fmt for c in ("MB", "engine_s", "peer_s", "peer/engine")}))
    default = table.set_index("download").loc[["csv (localised)", "geojson points (localised)"]]
    total = float(default["engine_s"].sum())
    peer_total = float(default["peer_s"].sum())
    print(f"\nbatch answers built by nearest_for_incidents: {build_s:.2f} s "
          f"({len(incidents):,} incidents x {n_kinds} kinds = {len(results):,} rows)")
    print(f"target: CSV + GeoJSON points downloads of {len(results):,} answers, together, under "
          f"{TARGET_S:.0f} s: {total:.2f} s (peers {peer_total:.1f} s, "
          f"{peer_total / total:.1f}x) -> {'met' if total < TARGET_S else 'MISSED'}")
    xlsx = table.set_index("download").loc["xlsx (localised)"]
    print(f"target: xlsx download of {len(results):,} answers under {TARGET_S:.0f} s: "
          f"{xlsx['engine_s']:.2f} s ({xlsx['engine_s'] / len(results) * 1e6:.1f} us a row, "
          f"{xlsx['MB']:.1f} MB) -> {'met' if xlsx['engine_s'] < TARGET_S else 'MISSED'}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
