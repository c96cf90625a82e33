"""Benchmark population coverage against buffer-union (the tutorial way) and a bare cKDTree.

Usage: ``python benchmarks/coverage.py [--quick]``.

Scenarios
---------
* **synthetic**: a regular 100 m grid in EPSG:4549 around Wuxi (1000 x 1000 = 1M cells,
  people in a few urban hot spots) and 10k AEDs placed where people live, with ~5 % unusable
  statuses and an hours mix; radius 500 m at a Wednesday 14:30.
* **smaller**: the same at 100k cells x 1k AEDs, where every peer is also timed warm.
* **real grid**: the demo dataset's population (``geo.datasets.load_demo``) and AEDs: one
  radius and one hour, warm, with and without gap areas, plus the 168-hour weekly profile.

Engine rows time :func:`geo.coverage.coverage` from the GeoDataFrames (usability filter, demand
projection, covered mask, districts; "+ gaps" adds the ranked gap areas) and from a prepared
:class:`geo.coverage.PopulationGrid` (how the UI can cache the grid per dataset version).
Peers get the AEDs already filtered to the usable ones (their best case) and the same
WGS84 GeoDataFrames; each projects for itself. Every scenario checks the answers: the engine
against an exact brute force (ground metres, every pair) on a sample of cells, and the peers
against the engine, where they may differ only in the thin band their definition of distance
allows (grid metres for cKDTree; grid metres and a 64-gon for buffers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import timed
from geo.coverage import PopulationGrid, coverage, weekly_profile
from geo.distance import Projector, transformer
from geo.usable import usable_mask

METRIC = "EPSG:4549"
AT = dt.datetime(2026, 5, 6, 14, 30)  # a Wednesday afternoon
RADIUS_M = 500.0
CELL_M = 100.0
X0, Y0 = 470_000.0, 3_440_000.0  # south-west cell centre (EPSG:4549), near Wuxi
BUFFER_QUAD_SEGS = 16  # geopandas' default: a 64-gon per buffer
BRUTE_SAMPLE = 2_000
HOURS = np.array(["24h", "24h", "24h", "", "08:00-22:00", "08:30-17:30", "06:00-23:00"])


# --------------------------------------------------------------------------- data


def synth_grid(side: int, seed: int) -> gpd.GeoDataFrame:
    """A square of 100 m cells (WGS84 points), people in a few urban hot spots."""
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(side), np.arange(side))
    i, j = i.ravel(), j.ravel()
    x, y = X0 + i * CELL_M, Y0 + j * CELL_M
    extent = side * CELL_M
    hot = rng.uniform(0.1, 0.9, (12, 2)) * extent
    sigma = rng.uniform(0.02, 0.08, 12) * extent
    weight = rng.uniform(0.3, 1.0, 12)
    density = 0.02 + sum(w * np.exp(-((x - X0 - hx) ** 2 + (y - Y0 - hy) ** 2) / (2 * s * s))
                         for (hx, hy), s, w in zip(hot, sigma, weight, strict=True))
    pop = rng.poisson(density * 200)
    lon, lat = transformer(METRIC, "EPSG:4326").transform(x, y)
    blocks = 4
    district = (np.minimum(i * blocks // side, blocks - 1) * blocks
                + np.minimum(j * blocks // side, blocks - 1))
    return gpd.GeoDataFrame(
        {"city": np.where(district < 8, "wuxi", "zhenjiang"),
         "district": np.char.add("D", district.astype(str)), "cell_m": CELL_M, "pop": pop},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def synth_aeds(cells: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """AEDs placed in cells drawn by population (jittered within the cell)."""
    rng = np.random.default_rng(seed)
    pop = cells["pop"].to_numpy(float)
    pick = rng.choice(len(cells), n, p=pop / pop.sum())
    xy = Projector(METRIC).project(cells.geometry.x.to_numpy()[pick],
                                   cells.geometry.y.to_numpy()[pick])
    xy += rng.uniform(-CELL_M / 2, CELL_M / 2, xy.shape)
    lon, lat = transformer(METRIC, "EPSG:4326").transform(xy[:, 0], xy[:, 1])
    return gpd.GeoDataFrame(
        {"id": [f"A{k:06d}" for k in range(n)], "kind": "aed",
         "status": rng.choice(["active", "maintenance", "inactive"], n, p=[0.95, 0.03, 0.02]),
         "hours": rng.choice(HOURS, n),
         "pads_expiry": rng.choice(["2027-03-01", "2028-01-15", "2026-01-01", ""], n,
                                   p=[0.5, 0.4, 0.03, 0.07]),
         "city": cells["city"].to_numpy()[pick], "district": cells["district"].to_numpy()[pick]},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


# --------------------------------------------------------------------------- peers


def peer_ckdtree(aeds: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> np.ndarray:
    """Project both, one cKDTree over the AEDs, query with distance_upper_bound (grid metres)."""
    to_m = transformer("EPSG:4326", METRIC)
    ax, ay = to_m.transform(aeds.geometry.x.to_numpy(), aeds.geometry.y.to_numpy())
    cx, cy = to_m.transform(cells.geometry.x.to_numpy(), cells.geometry.y.to_numpy())
    dist, _ = cKDTree(np.column_stack([ax, ay])).query(
        np.column_stack([cx, cy]), k=1, distance_upper_bound=RADIUS_M, workers=-1)
    return np.isfinite(dist)


def peer_buffer_union(aeds: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> np.ndarray:
    """What tutorials do: buffer the AEDs, union the discs, spatial-join the cells within."""
    discs = aeds.to_crs(METRIC).buffer(RADIUS_M, quad_segs=BUFFER_QUAD_SEGS)
    union = gpd.GeoDataFrame(geometry=[discs.union_all()], crs=METRIC)
    inside = gpd.sjoin(cells.to_crs(METRIC), union, predicate="within", how="inner")
    covered = np.zeros(len(cells), dtype=bool)
    covered[cells.index.get_indexer(inside.index.unique())] = True
    return covered


# --------------------------------------------------------------------------- helpers



def brute_check(cells: gpd.GeoDataFrame, aeds_usable: gpd.GeoDataFrame, covered: np.ndarray,
                seed: int) -> int:
    """Mismatches between ``covered`` and an exact all-pairs ground-metre count on a sample."""
    projector = Projector(METRIC)
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(cells), min(BRUTE_SAMPLE, len(cells)), replace=False)
    cxy = projector.project(cells.geometry.x.to_numpy()[sample],
                            cells.geometry.y.to_numpy()[sample])
    axy = projector.project(aeds_usable.geometry.x.to_numpy(), aeds_usable.geometry.y.to_numpy())
    truth = np.zeros(sample.size, dtype=bool)
    for start in range(0, sample.size, 200):
        part = cxy[start:start + 200]
        truth[start:start + 200] = (projector.ground_m(part[:, None, :], axy[None, :, :])
                                    <= RADIUS_M).any(axis=1)
    return int((truth != covered[sample]).sum())


def band_check(cells: gpd.GeoDataFrame, aeds_usable: gpd.GeoDataFrame, engine: np.ndarray,
               peer: np.ndarray, lo_m: float, hi_m: float) -> tuple[int, int]:
    """(mismatches, mismatches outside the band [lo_m, hi_m] of grid distance to the nearest)."""
    diff = np.flatnonzero(engine != peer)
    if diff.size == 0:
        return 0, 0
    projector = Projector(METRIC)
    cxy = projector.project(cells.geometry.x.to_numpy()[diff], cells.geometry.y.to_numpy()[diff])
    axy = projector.project(aeds_usable.geometry.x.to_numpy(), aeds_usable.geometry.y.to_numpy())
    dist, _ = cKDTree(axy).query(cxy, k=1)
    outside = (dist < lo_m) | (dist > hi_m)
    return int(diff.size), int(outside.sum())


Row = tuple[str, str, float, str]


def _count(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1000:g}k" if n >= 1000 else str(n)


def synthetic(side: int, n_aeds: int, repeats: int, peers: dict[str, int], seed: int,
              rows: list[Row], notes: list[str]) -> None:
    size = f"{_count(side * side)} cells x {_count(n_aeds)} AEDs"
    cells = synth_grid(side, seed)
    aeds = synth_aeds(cells, n_aeds, seed + 1)
    usable = aeds[usable_mask(aeds, AT)].reset_index(drop=True)

    t_plain, cov = timed(lambda: coverage(aeds, cells, RADIUS_M, AT, max_gaps=0), repeats)
    grid = PopulationGrid.from_frame(cells)
    t_grid, cov_g = timed(lambda: coverage(aeds, grid, RADIUS_M, AT, max_gaps=0), repeats)
    t_gaps, cov_full = timed(lambda: coverage(aeds, grid, RADIUS_M, AT), max(repeats - 2, 1))
    rows += [(size, "engine coverage() from GeoDataFrames", t_plain, ""),
             (size, "engine coverage() on a prepared PopulationGrid", t_grid, ""),
             (size, "engine coverage() + 200 ranked gap areas", t_gaps,
              f"{cov_full.n_gaps} areas")]
    assert np.array_equal(cov.covered, cov_g.covered)
    assert np.array_equal(cov.covered, cov_full.covered)
    bad = brute_check(cells, usable, cov.covered, seed)
    notes.append(f"{size}: share {cov.share:.4f} ({cov.n_resources} usable AEDs); "
                 f"engine vs exact brute force on {min(BRUTE_SAMPLE, len(cells))} cells: "
                 f"{bad} mismatches")
    assert bad == 0, "engine disagrees with the brute force"

    k_hi = 1.0014  # largest TM scale factor over Jiangsu: grid vs ground metres
    for name, func in (("cKDTree", peer_ckdtree), ("buffer-union", peer_buffer_union)):
        if name not in peers:
            continue
        t_peer, covered = timed(lambda f=func: f(usable, cells), peers[name])
        kind = "warm median" if peers[name] else "one cold run"
        lo = RADIUS_M * (np.cos(np.pi / (4 * BUFFER_QUAD_SEGS)) if name == "buffer-union"
                         else 1.0) / k_hi
        n_diff, n_out = band_check(cells, usable, cov.covered, covered, lo, RADIUS_M * k_hi)
        rows.append((size, f"peer {name}", t_peer, kind))
        notes.append(f"{size}: {name} differs from the engine on {n_diff} cells "
                     f"({n_diff / len(cells):.4%}), {n_out} of them outside the band its "
                     "distance definition allows")
        assert n_out == 0, f"{name} disagrees beyond its band"


def real_grid(repeats: int, rows: list[Row], notes: list[str]) -> None:
    from geo.datasets import load_demo

    t_load = time.perf_counter()
    ds = load_demo()
    t_load = time.perf_counter() - t_load
    cells = ds.population
    kinds = cells.geometry.geom_type.value_counts().to_dict()
    cell_m = sorted(pd.unique(cells["cell_m"]).tolist()) if "cell_m" in cells else "?"
    n_aeds = int((ds.resources["kind"] == "aed").sum())
    size = f"real grid {len(cells) // 1000}k cells x {n_aeds} AEDs"
    notes.append(f"real grid: {len(cells)} cells, cell_m {cell_m}, geometry {kinds}, "
                 f"{int(cells['pop'].sum())} people (load_demo {t_load:.1f} s, not timed)")
    res, bounds = ds.resources, ds.boundaries
    t1, cov = timed(lambda: coverage(res, cells, RADIUS_M, AT, boundaries=bounds, max_gaps=0),
                    repeats)
    t2, full = timed(lambda: coverage(res, cells, RADIUS_M, AT, boundaries=bounds), repeats)
    grid = PopulationGrid.from_frame(cells, boundaries=bounds)
    t3, _ = timed(lambda: coverage(res, grid, RADIUS_M, AT, boundaries=bounds), repeats)
    t4, week = timed(lambda: weekly_profile(res, grid, RADIUS_M, week_of=AT.date()), 1)
    rows += [(size, "engine coverage(), one radius and hour", t1, "no gaps"),
             (size, "engine coverage() + 200 ranked gap areas", t2, f"{full.n_gaps} areas"),
             (size, "  same on a prepared PopulationGrid", t3, ""),
             (size, "engine weekly_profile() (168 hours)", t4,
              f"{week.attrs['distinct_sets']} distinct usable sets")]
    usable = res[usable_mask(res, AT) & (res["kind"] == "aed").to_numpy()]
    bad = brute_check(cells, usable, cov.covered, 7)
    notes.append(f"real grid: share {cov.share:.4f} at {AT:%a %H:%M}; engine vs exact brute "
                 f"force on {BRUTE_SAMPLE} cells: {bad} mismatches")
    assert bad == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer repeats")
    args = parser.parse_args()
    start = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    if args.quick:
        synthetic(200, 400, 2, {"cKDTree": 2, "buffer-union": 1}, 1, rows, notes)
    else:
        synthetic(1000, 10_000, 5, {"cKDTree": 5, "buffer-union": 0}, 1, rows, notes)
        synthetic(316, 1_000, 5, {"cKDTree": 5, "buffer-union": 3}, 2, rows, notes)
    real_grid(2 if args.quick else 5, rows, notes)

    print("\n| scenario | method | seconds | note |")
    print("|---|---|---:|---|")
    for size, method, seconds, note in rows:
        print(f"| {size} | {method} | {seconds:.3f} | {note} |")
    print("\nRatios (peer time / engine time; engine = coverage() from GeoDataFrames, no gaps):")
    by_size: dict[str, dict[str, float]] = {}
    for size, method, seconds, _ in rows:
        by_size.setdefault(size, {})[method] = seconds
    for size, methods in by_size.items():
        engine = methods.get("engine coverage() from GeoDataFrames")
        prepared = methods.get("engine coverage() on a prepared PopulationGrid")
        for peer in ("peer cKDTree", "peer buffer-union"):
            if engine and peer in methods:
                extra = f", prepared grid {methods[peer] / prepared:.1f}x" if prepared else ""
                print(f"- {size}: {peer.removeprefix('peer ')} {methods[peer] / engine:.2f}x"
                      f"{extra}")
    print("\nChecks:")
    for note in notes:
        print(f"- {note}")
    print(f"\nTotal run time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
