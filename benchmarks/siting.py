"""Benchmark AED siting (MCLP) against spopt (CBC and HiGHS through PuLP) and plain greedy.

Usage: ``python benchmarks/siting.py [--quick]``. A synthetic population on a 100 m grid
(clustered towns near Wuxi, WGS84), candidates drawn where people live and existing AEDs
(5 % in maintenance) feed every method. Each scenario checks its answers in the same run:
objectives are recomputed from the chosen sites by an independent coverage pass
(:func:`geo.coverage.covered_mask` over existing + new sites), greedy never beats the optimum,
every bound holds, spopt's optimum equals the engine's, and what-if shares equal recomputing.

spopt builds dense matrices and its constraints in pure Python (FIELD-NOTES: 67 s at 10k x 1k,
239 s at 20k x 2k), so it runs on a smaller instance; its time is the build plus the solve.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.coverage import covered_mask, covering_matrix, demand_points
from geo.distance import transformer
from geo.siting import WhatIf, aeds_for_share, site_aeds

METRIC = "EPSG:4549"
X0, Y0 = 470_000.0, 3_470_000.0  # south-west corner of the synthetic area (EPSG:4549 metres)
ROWS: list[tuple[str, ...]] = []
FAILURES: list[str] = []


def check(ok: bool, what: str) -> str:
    if not ok:
        FAILURES.append(what)
    return "ok" if ok else "FAILED"


def to_lonlat(xy: np.ndarray) -> gpd.array.GeometryArray:
    lon, lat = transformer(METRIC, "EPSG:4326").transform(xy[:, 0] + X0, xy[:, 1] + Y0)
    return gpd.points_from_xy(lon, lat)


def synth(n_cells: int, n_cand: int, n_existing: int, seed: int, span_m: float = 50_000.0):
    """Population cells on a 100 m grid in clustered towns; candidates and AEDs where people are."""
    rng = np.random.default_rng(seed)
    towns = 30
    centres = rng.uniform(0, span_m, (towns, 2))
    spread = rng.uniform(1000, 5000, towns)
    weight = rng.dirichlet(np.full(towns, 2.0))
    pick = rng.choice(towns, n_cells * 3, p=weight)
    raw = centres[pick] + rng.normal(0, 1, (n_cells * 3, 2)) * spread[pick, None]
    cells = np.unique(np.floor(raw / 100.0).astype(np.int64), axis=0)
    cells = cells[rng.permutation(len(cells))[:n_cells]]
    xy = (cells + 0.5) * 100.0
    pop = rng.lognormal(2.5, 1.0, len(xy)).round() + 1
    population = gpd.GeoDataFrame({"cell_id": [f"G{i}" for i in range(len(xy))], "pop": pop},
                                  geometry=to_lonlat(xy), crs="EPSG:4326")
    share = pop / pop.sum()
    at = rng.choice(len(xy), n_cand, replace=False, p=share)
    cand_xy = xy[at] + rng.uniform(-50, 50, (n_cand, 2))
    candidates = gpd.GeoDataFrame({"id": [f"C{i}" for i in range(n_cand)]},
                                  geometry=to_lonlat(cand_xy), crs="EPSG:4326")
    at = rng.choice(len(xy), n_existing, replace=False, p=share)
    status = rng.choice(["active", "maintenance"], n_existing, p=[0.95, 0.05])
    existing = gpd.GeoDataFrame({"id": [f"E{i}" for i in range(n_existing)], "kind": "aed",
                                 "status": status, "hours": "24h"},
                                geometry=to_lonlat(xy[at] + rng.uniform(-50, 50, (n_existing, 2))),
                                crs="EPSG:4326")
    return population, candidates, existing


def timed(func: Callable[[], object], repeats: int = 1) -> tuple[float, object]:
    """Median wall seconds of ``repeats`` runs (after one warm-up when repeats > 1)."""
    if repeats > 1:
        func()
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def recount(population, existing, sites, radius_m) -> float:
    """People covered by usable existing AEDs plus ``sites``, from scratch (independent pass)."""
    demand = demand_points(population)
    usable = existing[existing["status"] == "active"]
    geoms = list(usable.geometry) + list(sites.geometry)
    xy = demand.projector.project(np.array([g.x for g in geoms]), np.array([g.y for g in geoms]))
    return float(demand.pop[covered_mask(demand.xy, xy, radius_m, demand.projector)].sum())


def row(*cells: object) -> None:
    ROWS.append(tuple(str(c) for c in cells))


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


# ----------------------------------------------------------------------------- peers


def plain_greedy(population, existing, candidates, p, radius_m):
    """Textbook greedy: every step recomputes every candidate's gain (one sparse product)."""
    demand = demand_points(population)
    usable = existing[existing["status"] == "active"]
    ex_xy = demand.projector.project(usable.geometry.x.to_numpy(), usable.geometry.y.to_numpy())
    open_pop = np.where(covered_mask(demand.xy, ex_xy, radius_m, demand.projector), 0.0,
                        demand.pop)
    cand_xy = demand.projector.project(candidates.geometry.x.to_numpy(),
                                       candidates.geometry.y.to_numpy())
    cover = covering_matrix(demand.xy, cand_xy, radius_m, demand.projector).tocsc()
    chosen, value = [], 0.0
    for _ in range(p):
        gains = cover.T @ open_pop
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        value += float(gains[best])
        rows = cover.indices[cover.indptr[best]:cover.indptr[best + 1]]
        open_pop[rows] = 0.0
    return chosen, value


def spopt_mclp(population, existing, candidates, p, radius_m, solver: str):
    """MCLP of spopt from a dense matrix of ground metres: (objective, build s, total s)."""
    import pulp
    from spopt.locate import MCLP

    demand = demand_points(population)
    usable = existing[existing["status"] == "active"]
    ex_xy = demand.projector.project(usable.geometry.x.to_numpy(), usable.geometry.y.to_numpy())
    weights = np.where(covered_mask(demand.xy, ex_xy, radius_m, demand.projector), 0.0,
                       demand.pop)
    cand_xy = demand.projector.project(candidates.geometry.x.to_numpy(),
                                       candidates.geometry.y.to_numpy())
    start = time.perf_counter()
    cost = demand.projector.ground_m(demand.xy[:, None, :], cand_xy[None, :, :])  # dense
    with warnings.catch_warnings():  # pulp 3.3 warns of its 4.0 API inside spopt
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(cost, weights, radius_m, p_facilities=p)
        build = time.perf_counter() - start
        engine = pulp.PULP_CBC_CMD(msg=False) if solver == "cbc" else pulp.HiGHS(msg=False)
        model.solve(engine, results=False)
    total = time.perf_counter() - start
    return float(pulp.value(model.problem.objective)), build, total


# ----------------------------------------------------------------------------- scenarios


def scenario_full(population, candidates, existing, radius_m, p, time_limit_s,
                  tag: str = "") -> float:
    label = (f"{len(population) // 1000}k x {len(candidates) // 1000}k, {radius_m:.0f} m, "
             f"p={p}{tag}")
    t_greedy, greedy = timed(lambda: site_aeds(existing, population, p, radius_m, candidates,
                                               "greedy"), repeats=3)
    t_plain, (plain_cols, plain_value) = timed(
        lambda: plain_greedy(population, existing, candidates, p, radius_m))
    t_opt, opt = timed(lambda: site_aeds(existing, population, p, radius_m, candidates,
                                         "optimal", time_limit_s=time_limit_s))
    truth_opt = recount(population, existing, opt.sites, radius_m) - opt.covered_before
    truth_greedy = recount(population, existing, greedy.sites, radius_m) - greedy.covered_before
    ok = check(abs(truth_opt - opt.objective) < 1e-6 and abs(truth_greedy - greedy.objective)
               < 1e-6 and greedy.objective <= opt.objective + 1e-6
               and opt.bound >= opt.objective and greedy.bound >= opt.objective
               and abs(plain_value - greedy.objective) < 1e-6, f"answers at {label}")
    size = opt.model_size
    print(f"\n## {label}: {size['cells']:,} uncovered cells in reach -> {size['rows']:,} merged "
          f"rows, {size['columns']:,} useful candidates, {size['nonzeros']:,} nonzeros; "
          f"covered before {opt.before_share:.2%}")
    print(f"   optimal timings: {', '.join(f'{k} {v:.2f}s' for k, v in opt.timings.items())}")
    row(label, "engine optimal (HiGHS)", fmt_s(t_opt), f"{opt.objective:,.0f}",
        f"{opt.bound:,.0f}", f"{opt.gap:.3%}", opt.status, "1.0", ok)
    row(label, "engine greedy (lazy)", fmt_s(t_greedy), f"{greedy.objective:,.0f}",
        f"{greedy.bound:,.0f}", f"{greedy.gap:.2%}",
        f"{opt.greedy_shortfall:.2%} behind {'opt' if opt.status == 'optimal' else 'best'}; "
        f"heap {greedy.timings['greedy'] * 1000:.0f} ms",
        f"{t_greedy / t_opt:.3f}", ok)
    same = sorted(plain_cols) == sorted(greedy.sites["candidate"].tolist())
    row(label, "plain greedy (peer)", fmt_s(t_plain), f"{plain_value:,.0f}", "-", "-",
        f"{len(plain_cols)} sites, same set: {same}", f"{t_plain / t_opt:.3f}", ok)
    return opt.objective


def scenario_inverse(population, candidates, existing, radius_m, time_limit_s) -> None:
    base = site_aeds(existing, population, 1, radius_m, candidates, "greedy")
    target = round(base.before_share + 0.10, 3)
    label = f"how many for {target:.1%} (now {base.before_share:.1%}), {radius_m:.0f} m"
    t_opt, res = timed(lambda: aeds_for_share(existing, population, target, radius_m,
                                              candidates, time_limit_s=time_limit_s))
    truth = recount(population, existing, res.sites, radius_m) / res.total_pop
    ok = check(truth >= target - 1e-12 and res.bound <= res.objective <= res.greedy_objective,
               f"inverse at {label}")
    row(label, "engine min AEDs (HiGHS)", fmt_s(t_opt), f"{res.objective:.0f} AEDs",
        f">= {res.bound:.0f}", f"{res.gap:.2%}",
        f"{res.status}; greedy {res.greedy_objective:.0f}", "-", ok)


def scenario_spopt(n_cells, n_cand, radius_m, p, seed) -> None:
    population, candidates, existing = synth(n_cells, n_cand, n_cand // 10, seed,
                                             span_m=15_000.0)
    label = f"{n_cells:,} x {n_cand:,}, {radius_m:.0f} m, p={p} (spopt size)"
    t_opt, opt = timed(lambda: site_aeds(existing, population, p, radius_m, candidates,
                                         "optimal"), repeats=3)
    t_greedy, greedy = timed(lambda: site_aeds(existing, population, p, radius_m, candidates,
                                               "greedy"), repeats=3)
    truth = recount(population, existing, opt.sites, radius_m) - opt.covered_before
    row(label, "engine optimal (HiGHS)", fmt_s(t_opt), f"{opt.objective:,.0f}",
        f"{opt.bound:,.0f}", f"{opt.gap:.3%}", opt.status, "1.0",
        check(abs(truth - opt.objective) < 1e-6 and opt.status == "optimal", label))
    row(label, "engine greedy (lazy)", fmt_s(t_greedy), f"{greedy.objective:,.0f}",
        f"{greedy.bound:,.0f}", f"{greedy.gap:.2%}", f"{opt.greedy_shortfall:.2%} behind",
        f"{t_greedy / t_opt:.3f}", check(greedy.objective <= opt.objective + 1e-6, label))
    for solver in ("cbc", "highs"):
        value, build, total = spopt_mclp(population, existing, candidates, p, radius_m, solver)
        row(label, f"spopt MCLP + {solver.upper()} (pulp)", fmt_s(total), f"{value:,.0f}", "-",
            "-", f"build {build:.1f}s", f"{total / t_opt:.0f}x",
            check(abs(value - opt.objective) < 1e-6, f"spopt {solver} at {label}"))


def scenario_whatif(population, existing, radius_m, n_ops, seed) -> None:
    rng = np.random.default_rng(seed)
    t_build, what = timed(lambda: WhatIf.from_frames(existing, population, radius_m))
    demand = demand_points(population)
    usable = existing[existing["status"] == "active"]
    sites = {str(i): (g.x, g.y) for i, g in zip(usable["id"], usable.geometry, strict=True)}
    bounds = population.total_bounds
    add_times, remove_times, scratch_times, worst = [], [], [], 0.0

    def from_scratch() -> float:
        xy = demand.projector.project(np.array([v[0] for v in sites.values()]),
                                      np.array([v[1] for v in sites.values()]))
        mask = covered_mask(demand.xy, xy, radius_m, demand.projector)
        return float(demand.pop[mask].sum() / demand.pop.sum())

    for k in range(n_ops):
        lon = float(rng.uniform(bounds[0], bounds[2]))
        lat = float(rng.uniform(bounds[1], bounds[3]))
        start = time.perf_counter()
        share = what.add(lon, lat, site_id=f"N{k}")
        add_times.append(time.perf_counter() - start)
        sites[f"N{k}"] = (lon, lat)
        victim = list(sites)[int(rng.integers(len(sites)))]
        start = time.perf_counter()
        share = what.remove(victim)
        remove_times.append(time.perf_counter() - start)
        del sites[victim]
        start = time.perf_counter()
        truth = from_scratch()
        scratch_times.append(time.perf_counter() - start)
        worst = max(worst, abs(truth - share))
    label = f"what-if, {len(population) // 1000}k cells, {len(sites)} sites, {radius_m:.0f} m"
    ok = check(worst < 1e-9, label)
    scratch = statistics.median(scratch_times)
    row(label, "WhatIf build (once)", fmt_s(t_build), "-", "-", "-", "-", "-", ok)
    add_med = statistics.median(add_times)
    row(label, "WhatIf.add (median)", f"{add_med * 1000:.3f} ms", "-", "-", "-",
        f"max {max(add_times) * 1000:.2f} ms", f"{scratch / add_med:.0f}x faster", ok)
    row(label, "WhatIf.remove (median)", f"{statistics.median(remove_times) * 1000:.3f} ms",
        "-", "-", "-", f"max {max(remove_times) * 1000:.2f} ms",
        f"{scratch / statistics.median(remove_times):.0f}x faster", ok)
    row(label, "recompute from scratch (peer)", f"{scratch * 1000:.1f} ms", "-", "-", "-",
        f"{n_ops} checks, max diff {worst:.1e}", "1.0", ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    start = time.perf_counter()
    n_cells, n_cand, n_existing = (20_000, 1_000, 100) if args.quick else (100_000, 5_000, 400)
    p = 40 if args.quick else 200
    limit = 20.0 if args.quick else 60.0
    population, candidates, existing = synth(n_cells, n_cand, n_existing, seed=1)
    print(f"synthetic: {len(population):,} cells on a 100 m grid, {int(population['pop'].sum()):,}"
          f" people, {len(candidates):,} candidates, {len(existing)} existing AEDs "
          f"({int((existing['status'] == 'active').sum())} active); HiGHS time limit {limit:.0f} s")
    scenario_full(population, candidates, existing, 500.0, p, limit)
    scenario_full(population, candidates, existing, 1000.0, p, limit)
    scenario_full(population, candidates, existing.iloc[:0], 1000.0, p, limit,
                  tag=", no existing AEDs")
    scenario_inverse(population, candidates, existing, 500.0, limit / 2)
    scenario_spopt(2_000 if args.quick else 4_000, 200 if args.quick else 400, 500.0,
                   10 if args.quick else 20, seed=2)
    scenario_whatif(population, existing, 500.0, 50 if args.quick else 200, seed=3)

    header = ("scenario", "method", "seconds", "objective", "bound", "gap", "note", "ratio",
              "check")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(len(header))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in ROWS:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print("\nobjective = people newly covered (inverse: new AEDs); bound = proven upper bound "
          "(inverse: lower bound); seconds are end to end (frames in, result out); ratio = "
          "seconds / engine optimal of the same scenario (what-if: speed-up over recomputing "
          "from scratch)")
    print(f"total {time.perf_counter() - start:.0f} s")
    if FAILURES:
        print("FAILED checks: " + "; ".join(FAILURES))
        return 1
    print("all answers checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
