"""Benchmark reading and checking an incident upload against pandas.read_csv + a per-row check.

Usage: ``python benchmarks/io.py [--sizes 10000 100000 1000000]``. Each size is a UTF-8 CSV
(id, 经度, 纬度, 坐标系, 备注) made in memory with points inside Wuxi: 85 % WGS84, 10 % 高德
(GCJ-02) and 5 % 百度 (BD-09) rows, written in their own CRS, with short Chinese notes.

Cases
-----
* **reader**: :func:`geo.incidents.read_incidents` (decode, sniff, header roles, parse every
  cell, convert each row's CRS to WGS84, China check, GeoDataFrame of the good rows and a
  report); the upload caps (``max_bytes``, ``max_rows``) are lifted so 1M rows are read.
* **reader+bounds**: the same with ``boundaries=load_demo("wuxi").boundaries`` (the
  outside-the-city warning: a point-in-polygon test per row).
* **peer**: ``pandas.read_csv`` (C parser, numbers parsed in C) plus a naive Python loop per
  row: ``float()`` of each coordinate, range check, China check; no CRS conversion, no
  geometry, no messages. Its best case, so the ratio is an upper bound of the reader's cost.

Time is the median of warm runs (3 up to 100k rows, 1 at 1M) after a first run. Memory is
the peak resident set size above the resident size just before the first call, measured in a
fresh subprocess per case (the kernel's high-water mark ``VmHWM``, reset through
``/proc/self/clear_refs``; freed heap is handed back to the OS with ``malloc_trim`` first, so
the call cannot hide in memory already held). RSS is the headline because ``tracemalloc``
misses what pyarrow strings and the C CSV tokenizer allocate themselves; the tracemalloc peak
of a later call is printed beside it (Python and numpy objects only). The input bytes are
loaded before the baseline and are not counted.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import inspect
import io
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import fmt, timed

SIZES = (10_000, 100_000, 1_000_000)
CASES = ("reader", "reader+bounds", "peer")
CRS_LABELS = ("WGS84", "高德", "百度")
CRS_P = (0.85, 0.10, 0.05)
NOTES = ("游客落水", "老人晕倒", "心脏骤停 已使用AED", "中暑", "电动车与行人相撞 1人受伤",
         "儿童摔伤", "扭伤", "晕厥")
CHINA = (72.004, 137.8347, 0.8293, 55.8271)  # lon min/max, lat min/max (geo.crs box)


# ------------------------------------------------------------------------------- the data


def wuxi_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` WGS84 points uniformly inside Wuxi's districts."""
    from geo.datasets import load_demo
    from geo.filters import in_area

    bounds = load_demo("wuxi").boundaries
    lon_min, lat_min, lon_max, lat_max = bounds.total_bounds
    rng = np.random.default_rng(seed)
    lons, lats, have = [], [], 0
    while have < n:
        lon = rng.uniform(lon_min, lon_max, 2 * n)
        lat = rng.uniform(lat_min, lat_max, 2 * n)
        inside = in_area(lon, lat, bounds)
        lons.append(lon[inside])
        lats.append(lat[inside])
        have += int(inside.sum())
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


def make_csv(n: int, seed: int = 7) -> bytes:
    """An incident CSV of ``n`` rows inside Wuxi, each written in its own CRS."""
    from geo.crs import wgs84_to_bd09, wgs84_to_gcj02

    rng = np.random.default_rng(seed)
    lon, lat = wuxi_points(n, seed)
    crs = rng.choice(len(CRS_LABELS), n, p=CRS_P)
    for code, forward in ((1, wgs84_to_gcj02), (2, wgs84_to_bd09)):
        sel = crs == code
        lon[sel], lat[sel] = forward(lon[sel], lat[sel])
    notes = np.asarray(NOTES)[rng.integers(0, len(NOTES), n)]
    labels = np.asarray(CRS_LABELS)[crs]
    lines = ["id,经度,纬度,坐标系,备注"]
    lines += [f"INC{i:07d},{x:.6f},{y:.6f},{c},{t} 第{i}起"
              for i, (x, y, c, t) in enumerate(zip(lon.tolist(), lat.tolist(), labels.tolist(),
                                                   notes.tolist(), strict=True))]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# ---------------------------------------------------------------------------- the cases


def peer(data: bytes) -> pd.DataFrame:
    """pandas.read_csv and a per-row check: the good rows (no CRS conversion, no geometry)."""
    frame = pd.read_csv(io.BytesIO(data))
    lon_min, lon_max, lat_min, lat_max = CHINA
    good = []
    for i, (lon_cell, lat_cell) in enumerate(zip(frame["经度"], frame["纬度"], strict=True)):
        try:
            lon, lat = float(lon_cell), float(lat_cell)
        except (TypeError, ValueError):
            continue
        if not (math.isfinite(lon) and math.isfinite(lat)):
            continue
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            continue
        if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
            continue
        good.append(i)
    return frame.iloc[good]


def case_function(case: str, data: bytes):
    """The call to time for ``case``, with everything it needs loaded beforehand."""
    if case == "peer":
        return lambda: peer(data)
    from geo.incidents import read_incidents

    kwargs = {"max_bytes": len(data) + 1}
    if "max_rows" in inspect.signature(read_incidents).parameters:
        kwargs["max_rows"] = 10 * data.count(b"\n") + 10
    if case == "reader+bounds":
        from geo.datasets import load_demo

        kwargs["boundaries"] = load_demo("wuxi").boundaries
    return lambda: read_incidents(data, "incidents.csv", **kwargs)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    msg = f"{field} not in /proc/self/status"
    raise RuntimeError(msg)


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _release_free_memory() -> None:
    """Hand freed heap back to the OS, so the baseline RSS holds no reusable free memory."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def run_child(case: str, path: Path, repeats: int) -> dict:
    """Measure one case in this (fresh) process: peak RSS of a first call, then warm time."""
    data = path.read_bytes()
    func = case_function(case, data)
    _release_free_memory()
    before_kb = _status_kb("VmRSS")
    if _reset_peak():
        how = "VmHWM"
    else:  # the lifetime peak: only an upper bound if loading went higher than the call
        how = "ru_maxrss"
    start = time.perf_counter()
    result = func()
    cold = time.perf_counter() - start
    peak_kb = (_status_kb("VmHWM") if how == "VmHWM"
               else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    n_good = len(result[0] if isinstance(result, tuple) else result)
    del result
    gc.collect()
    warm, _ = timed(func, repeats)
    gc.collect()
    tracemalloc.start()
    func()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"case": case, "cold_s": cold, "warm_s": warm,
            "rss_mb": max(peak_kb - before_kb, 0) / 1024, "traced_mb": traced_peak / 2**20,
            "n_good": n_good, "how": how}


def measure(case: str, path: Path, repeats: int) -> dict:
    """Run one case in a subprocess and return its measurements."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, "--data", str(path),
         "--repeats", str(repeats)],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- the table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="row counts (default: 10000 100000 1000000)")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.data, args.repeats)))
        return

    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="rcd-bench-io-") as tmp:
        for n in args.sizes:
            data = make_csv(n)
            path = Path(tmp) / f"incidents_{n}.csv"
            path.write_bytes(data)
            repeats = 3 if n <= 100_000 else 1
            got = {case: measure(case, path, repeats) for case in CASES}
            naive = got["peer"]
            for case, res in got.items():
                assert res["n_good"] == n, (case, res)
                rows.append({
                    "rows": n, "case": case, "file_MB": len(data) / 1e6,
                    "warm_s": res["warm_s"], "cold_s": res["cold_s"],
                    "rss_peak_MB": res["rss_mb"], "traced_peak_MB": res["traced_mb"],
                    "t/peer": res["warm_s"] / naive["warm_s"],
                    "rss/peer": res["rss_mb"] / max(naive["rss_mb"], 1e-9),
                    "rows/s": n / res["warm_s"],
                })
            path.unlink()
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(table.to_string(index=False, formatters={
            **{c: fmt for c in table.columns}, "rows/s": lambda v: f"{v:,.0f}"}))
    how = {r["how"] for r in got.values()}
    print(f"\nwarm_s: median warm run; cold_s: the first call in a fresh process; rss_peak_MB: "
          f"peak RSS above the pre-call RSS ({'/'.join(sorted(how))}), one subprocess per case, "
          "freed heap trimmed before the baseline; traced_peak_MB: tracemalloc peak of a "
          "later call (Python and numpy objects only, not pyarrow/C buffers); peer = "
          "pandas.read_csv + per-row float/range/China loop (no CRS, no geometry, no messages)")
    by = {(r["rows"], r["case"]): r for r in rows}
    for n, limit in ((100_000, 1.0), (1_000_000, 10.0)):
        if (n, "reader") in by:
            t0, t1 = by[n, "reader"]["warm_s"], by[n, "reader+bounds"]["warm_s"]
            print(f"target {n:>9,} rows read+checked < {limit:.0f} s: reader {t0:.2f} s, "
                  f"with boundaries {t1:.2f} s -> "
                  f"{'OK' if t0 < limit else 'MISSED'} / {'OK' if t1 < limit else 'MISSED'}")
    if (100_000, "reader") in by:
        peak = max(by[100_000, c]["rss_peak_MB"] for c in ("reader", "reader+bounds"))
        print(f"target 100k rows bounded in memory (far below 1 GB): peak RSS {peak:.0f} MB -> "
              f"{'OK' if peak < 1024 else 'MISSED'}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
