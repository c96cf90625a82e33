"""Tests for geo.siting: MCLP optimal vs exhaustive search and spopt, greedy, inverse, what-if."""

from __future__ import annotations

import itertools
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import siting
from geo.coverage import covered_mask, demand_points
from geo.distance import geodesic_m
from geo.errors import ValidationError
from geo.siting import (
    GUIDANCE_VENUES,
    WhatIf,
    aeds_for_share,
    grid_candidates,
    place_candidates,
    site_aeds,
)
from ui.i18n import problem_text

LON0, LAT0 = 120.30, 31.57  # central Wuxi
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def lonlat(x_m, y_m):
    """Local metres east/north of the origin -> WGS84 lon/lat arrays."""
    x, y = np.asarray(x_m, float), np.asarray(y_m, float)
    return LON0 + x / M_PER_DEG_LON, LAT0 + y / M_PER_DEG_LAT


def points(x_m, y_m, crs="EPSG:4326", **cols) -> gpd.GeoDataFrame:
    lon, lat = lonlat(x_m, y_m)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(lon, lat), crs=crs)


def instance(seed: int, n_cells=60, n_cand=12, n_existing=2, size_m=3000.0):
    """A random small instance: population points, candidates, active existing AEDs."""
    rng = np.random.default_rng(seed)
    cells = points(*rng.uniform(0, size_m, (2, n_cells)),
                   pop=rng.integers(1, 100, n_cells).astype(float))
    cand = points(*rng.uniform(0, size_m, (2, n_cand)),
                  id=[f"C{i}" for i in range(n_cand)])
    existing = points(*rng.uniform(0, size_m, (2, n_existing)),
                      id=[f"E{i}" for i in range(n_existing)], kind="aed", status="active")
    return cells, cand, existing


def cover_sets(cells: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, radius_m: float) -> np.ndarray:
    """Brute force by exact geodesic: (n_cells x n_sites) bool."""
    if len(sites) == 0:
        return np.zeros((len(cells), 0), dtype=bool)
    cx, cy = cells.geometry.x.to_numpy(), cells.geometry.y.to_numpy()
    sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    shape = (cx.size, sx.size)
    d = geodesic_m(*(np.broadcast_to(v, shape).ravel() for v in
                     (cx[:, None], cy[:, None], sx[None, :], sy[None, :])))
    return d.reshape(shape) <= radius_m


def brute_coverage(cells, cand, existing, radius_m):
    pop = cells["pop"].to_numpy(float)
    before = cover_sets(cells, existing, radius_m).any(axis=1)
    open_pop = np.where(before, 0.0, pop)
    return cover_sets(cells, cand, radius_m), open_pop, float(pop[before].sum())


def subset_value(cover, open_pop, subset) -> float:
    if not subset:
        return 0.0
    return float(open_pop[cover[:, list(subset)].any(axis=1)].sum())


def best_by_exhaustion(cover, open_pop, p):
    m = cover.shape[1]
    return max(subset_value(cover, open_pop, s) for s in itertools.combinations(range(m), p))


def fewest_by_exhaustion(cover, open_pop, need):
    m = cover.shape[1]
    for k in range(m + 1):
        if any(subset_value(cover, open_pop, s) >= need - 1e-9
               for s in itertools.combinations(range(m), k)):
            return k
    return None


# ----------------------------------------------------------------------------- optimal


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_optimal_equals_exhaustive_search(seed, p):
    cells, cand, existing = instance(seed)
    radius = 600.0
    cover, open_pop, before = brute_coverage(cells, cand, existing, radius)
    best = best_by_exhaustion(cover, open_pop, p)
    result = site_aeds(existing, cells, p, radius, cand, "optimal")
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.status == "optimal" and result.gap == 0.0
    assert result.covered_before == pytest.approx(before)
    assert result.covered_after == pytest.approx(before + best)
    chosen = [int(c) for c in result.sites["candidate"]]
    assert subset_value(cover, open_pop, chosen) == pytest.approx(best)
    assert result.sites["gain_pop"].sum() == pytest.approx(best)
    assert len(result.sites) <= p


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_greedy_never_beats_optimal_and_its_bound_holds(seed, p):
    cells, cand, existing = instance(seed)
    cover, open_pop, _ = brute_coverage(cells, cand, existing, 600.0)
    best = best_by_exhaustion(cover, open_pop, p)
    greedy = site_aeds(existing, cells, p, 600.0, cand, "greedy")
    optimal = site_aeds(existing, cells, p, 600.0, cand, "optimal")
    assert greedy.objective <= optimal.objective + 1e-9
    assert greedy.bound >= best - 1e-6  # the proven bound is a real bound
    assert greedy.objective >= (1 - 1 / math.e) * best - 1e-6
    assert optimal.greedy_objective == pytest.approx(greedy.objective)
    assert optimal.greedy_shortfall == pytest.approx(
        (optimal.objective - greedy.objective) / optimal.objective if optimal.objective else 0)
    if greedy.status == "optimal":
        assert greedy.objective == pytest.approx(best)


def test_sites_come_in_greedy_order_with_cumulative_columns():
    cells, cand, existing = instance(3, n_cells=200, n_cand=30)
    result = site_aeds(existing, cells, 6, 700.0, cand, "optimal")
    sites = result.sites
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    gains = sites["gain_pop"].to_numpy()
    assert np.all(np.diff(gains) <= 1e-9)  # each next site adds no more than the one before
    cover, open_pop, _ = brute_coverage(cells, cand, existing, 700.0)
    chosen = [int(c) for c in sites["candidate"]]
    for k in range(1, len(chosen) + 1):  # gain_pop is the marginal gain in that order
        added = subset_value(cover, open_pop, chosen[:k]) - subset_value(cover, open_pop,
                                                                         chosen[:k - 1])
        assert gains[k - 1] == pytest.approx(added)
    assert sites["cum_covered"].iloc[-1] == pytest.approx(result.covered_after)
    assert sites["cum_share"].iloc[-1] == pytest.approx(result.after_share)
    assert list(sites["id"]) == [f"C{c}" for c in chosen]
    assert sites.crs.to_epsg() == 4326


def test_existing_usable_aeds_coverage_is_removed_first():
    # cluster A (100 people) and cluster B (60 people), 5 km apart; one candidate at each
    cells = points([0, 10, 5000, 5010], [0, 0, 0, 0], pop=[50.0, 50.0, 30.0, 30.0])
    cand = points([5, 5005], [0, 0], id=["at_A", "at_B"])
    alone = site_aeds(None, cells, 1, 300.0, cand)
    assert list(alone.sites["id"]) == ["at_A"] and alone.objective == 100
    existing = points([0], [5], id=["E1"], kind="aed", status="active")
    with_aed = site_aeds(existing, cells, 1, 300.0, cand)
    assert with_aed.covered_before == 100 and with_aed.before_share == pytest.approx(100 / 160)
    assert list(with_aed.sites["id"]) == ["at_B"] and with_aed.objective == 60
    assert with_aed.after_share == pytest.approx(1.0)
    # an AED in maintenance, or (24 h only) one open by day, covers nobody
    for status, hours, only_24h in [("maintenance", "24h", False),
                                    ("active", "08:00-18:00", True)]:
        frozen = existing.assign(status=status, hours=hours)
        result = site_aeds(frozen, cells, 1, 300.0, cand.assign(open_24h=True),
                           only_24h=only_24h)
        assert result.covered_before == 0 and list(result.sites["id"]) == ["at_A"]
    # other kinds of resources never count as AEDs
    station = existing.assign(kind="first_aid_station")
    assert site_aeds(station, cells, 1, 300.0, cand).covered_before == 0


def test_no_site_is_placed_where_it_covers_nobody_new():
    cells = points([0, 10, 1000], [0, 0, 0], pop=[5.0, 5.0, 0.0])
    cand = points([0, 500, 1000], [0, 0, 0], id=["a", "b", "c"])
    result = site_aeds(None, cells, 3, 200.0, cand)
    assert result.n_candidates == 3 and not result.notes
    assert list(result.sites["id"]) == ["a"] and result.status == "optimal"
    assert result.after_share == 1.0


def test_merged_rows_give_the_same_objective_and_weights():
    # a dense grid: many cells share the same covering set
    rng = np.random.default_rng(7)
    gx, gy = np.meshgrid(np.arange(0, 2000, 100.0), np.arange(0, 2000, 100.0))
    cells = points(gx.ravel(), gy.ravel(), pop=rng.integers(0, 50, gx.size).astype(float))
    cand = points(*rng.uniform(0, 2000, (2, 25)), id=[f"C{i}" for i in range(25)])
    demand = demand_points(cells)
    from geo.coverage import covering_matrix

    raw = covering_matrix(demand.xy, demand.projector.project(
        cand.geometry.x.to_numpy(), cand.geometry.y.to_numpy()), 450.0, demand.projector)
    pop = cells["pop"].to_numpy()
    merged, weights, columns, n_cells = siting._merge(raw, pop)
    assert merged.shape[0] < n_cells  # merging did something
    # weights: exactly the people of the cells with each covering set (independent grouping)
    expected: dict[tuple, float] = {}
    for i in range(raw.shape[0]):
        key = tuple(raw.indices[raw.indptr[i]:raw.indptr[i + 1]].tolist())
        if key:
            expected[key] = expected.get(key, 0.0) + pop[i]
    got = {tuple(columns[merged.indices[merged.indptr[r]:merged.indptr[r + 1]]].tolist()): w
           for r, w in enumerate(weights)}
    assert got == pytest.approx(expected)
    # the same optimum with merged and unmerged rows
    for p in (2, 5):
        unmerged = raw.tocsr()
        solved_raw = siting._solve(unmerged, pop, [], p=p, need=None, time_limit_s=30,
                                   mip_gap=0.0, progress=None, stop=None, start=0.0,
                                   cap=math.inf)
        solved_merged = siting._solve(merged, weights, [], p=p, need=None, time_limit_s=30,
                                      mip_gap=0.0, progress=None, stop=None, start=0.0,
                                      cap=math.inf)
        value_raw = siting._coverage_value(unmerged, pop, solved_raw.chosen)
        value_merged = siting._coverage_value(merged, weights, solved_merged.chosen)
        assert value_raw == pytest.approx(value_merged)
        result = site_aeds(None, cells, p, 450.0, cand)
        assert result.objective == pytest.approx(value_raw)


# ----------------------------------------------------------------------------- solver control


def hard_instance():
    """Big enough that HiGHS branches (greedy is not provably optimal on it)."""
    rng = np.random.default_rng(11)
    cells = points(*rng.uniform(0, 6000, (2, 3000)), pop=rng.integers(1, 60, 3000).astype(float))
    cand = points(*rng.uniform(0, 6000, (2, 400)), id=[f"C{i}" for i in range(400)])
    return cells, cand


def test_stop_interrupts_the_solve_and_keeps_the_best_solution():
    cells, cand = hard_instance()
    calls = []

    def stop():
        calls.append(1)
        return True

    result = site_aeds(None, cells, 12, 700.0, cand, "optimal", stop=stop)
    assert calls, "stop() was never polled"
    assert result.status == "interrupted"
    assert result.objective >= result.greedy_objective  # at least the warm start is kept
    assert 0 < len(result.sites) <= 12
    assert result.bound >= result.objective and result.gap > 0
    cover = cover_sets(cells, cand, 700.0)
    chosen = [int(c) for c in result.sites["candidate"]]
    assert subset_value(cover, cells["pop"].to_numpy(), chosen) == pytest.approx(
        result.objective)


def test_progress_is_reported_as_the_solver_improves():
    cells, cand = hard_instance()
    seen = []
    result = site_aeds(None, cells, 12, 700.0, cand, "optimal",
                       progress=lambda *args: seen.append(args))
    assert len(seen) >= 2  # the greedy answer first, then the final one
    incumbents, bounds, gaps, elapsed = (np.array(v) for v in zip(*seen, strict=True))
    assert incumbents[0] == pytest.approx(result.greedy_objective)
    assert incumbents[-1] == pytest.approx(result.objective)
    assert np.all(bounds >= incumbents - 1e-6)
    assert np.all(np.diff(elapsed) >= 0) and np.all(gaps >= 0)
    assert np.all(np.diff(incumbents) >= -1e-9)
    assert bounds[-1] == pytest.approx(result.bound)


def test_an_error_in_a_callback_is_raised_not_swallowed():
    cells, cand = hard_instance()

    def stop():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        site_aeds(None, cells, 12, 700.0, cand, "optimal", stop=stop)


def test_time_limit_reports_the_gap():
    cells, cand = hard_instance()
    result = site_aeds(None, cells, 12, 700.0, cand, "optimal", time_limit_s=0.01)
    assert result.status in {"time_limit", "optimal"}
    assert result.bound >= result.objective >= result.greedy_objective
    if result.status == "time_limit":
        assert result.gap == pytest.approx((result.bound - result.objective) / result.bound)


# ----------------------------------------------------------------------------- inverse


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9, 1.0])
def test_aeds_for_share_returns_the_minimum(seed, fraction):
    cells, cand, existing = instance(seed, n_cand=10)
    radius = 700.0
    cover, open_pop, before = brute_coverage(cells, cand, existing, radius)
    total = float(cells["pop"].sum())
    reach = before + float(open_pop[cover.any(axis=1)].sum())
    target = (before + fraction * (reach - before)) / total
    fewest = fewest_by_exhaustion(cover, open_pop, target * total - before)
    result = aeds_for_share(existing, cells, target, radius, cand)
    assert len(result.sites) == fewest
    assert result.status == "optimal" and result.objective == fewest
    assert result.bound == fewest and result.question == "min_sites"
    assert result.after_share >= target - 1e-12
    chosen = [int(c) for c in result.sites["candidate"]]
    assert before + subset_value(cover, open_pop, chosen) >= target * total - 1e-6
    greedy = aeds_for_share(existing, cells, target, radius, cand, "greedy")
    assert len(greedy.sites) >= fewest and greedy.bound <= fewest
    assert greedy.after_share >= target - 1e-12


def test_aeds_for_share_when_existing_aeds_already_reach_it():
    cells = points([0, 10], [0, 0], pop=[5.0, 5.0])
    existing = points([0], [0], id=["E"], kind="aed", status="active")
    result = aeds_for_share(existing, cells, 1.0, 200.0, points([50], [0], id=["c"]))
    assert result.sites.empty and result.after_share == 1.0 and result.objective == 0


def test_aeds_for_share_above_the_reachable_maximum_says_the_maximum():
    cells = points([0, 5000], [0, 0], pop=[30.0, 70.0])
    cand = points([0], [10], id=["only"])
    with pytest.raises(ValidationError, match=r"at most 30\.0000%") as err:
        aeds_for_share(None, cells, 0.5, 300.0, cand)
    assert err.value.code == "siting_target_unreachable"
    assert err.value.params["max_share"] == pytest.approx(0.3)
    assert "30.0%" in problem_text(err.value.code, err.value.params, "zh")


# ----------------------------------------------------------------------------- what-if


def test_whatif_add_and_remove_equal_recomputing():
    rng = np.random.default_rng(5)
    cells = points(*rng.uniform(0, 4000, (2, 800)), pop=rng.integers(0, 40, 800).astype(float))
    existing = points(*rng.uniform(0, 4000, (2, 6)), id=[f"E{i}" for i in range(6)],
                      kind="aed", status=["active"] * 5 + ["inactive"])
    what = WhatIf.from_frames(existing, cells, 400.0)
    demand = demand_points(cells)
    total = float(cells["pop"].sum())
    sites = {f"E{i}": existing.geometry.iloc[i] for i in range(5)}  # the inactive one is out

    def recomputed() -> float:
        if not sites:
            return 0.0
        xy = demand.projector.project(np.array([g.x for g in sites.values()]),
                                      np.array([g.y for g in sites.values()]))
        covered = covered_mask(demand.xy, xy, 400.0, demand.projector)
        return float(cells["pop"].to_numpy()[covered].sum()) / total

    assert what.share == pytest.approx(recomputed())
    assert sorted(what.site_ids) == sorted(sites)
    for k, (x, y) in enumerate(rng.uniform(0, 4000, (5, 2))):
        lon, lat = lonlat(x, y)
        gain = what.gain(float(lon), float(lat))
        before = what.covered_pop
        share = what.add(float(lon), float(lat), site_id=f"N{k}")
        sites[f"N{k}"] = gpd.points_from_xy([lon], [lat])[0]
        assert share == pytest.approx(recomputed(), abs=1e-12)
        assert what.covered_pop - before == pytest.approx(gain)
    for site_id in ["E0", "N2", "E3", "N0"]:
        share = what.remove(site_id)
        del sites[site_id]
        assert share == pytest.approx(recomputed(), abs=1e-12)
    for site_id in list(sites):
        what.remove(site_id)
        del sites[site_id]
    assert what.share == 0.0
    with pytest.raises(ValidationError, match="no current site has the id 'E0'") as err:
        what.remove("E0")
    assert err.value.code == "whatif_unknown_site"


def test_whatif_default_ids_and_duplicates():
    cells = points([0, 1000], [0, 0], pop=[1.0, 1.0])
    what = WhatIf.from_frames(None, cells, 100.0)
    lon, lat = lonlat(0, 0)
    assert what.add(float(lon), float(lat)) == 0.5 and what.last_added == "new-1"
    assert what.add(float(lon), float(lat), site_id="x") == 0.5
    assert what.remove("new-1") == 0.5  # the other AED still covers the cell
    assert what.remove("x") == 0.0


# ----------------------------------------------------------------------------- candidates


def test_grid_candidates_pick_populated_cells():
    cells = points([0, 100, 200, 300], [0, 0, 0, 0], pop=[0.0, 5.0, 50.0, 20.0],
                   cell_id=["a", "b", "c", "d"], district=["x"] * 4)
    grid = grid_candidates(cells)
    assert list(grid["id"]) == ["b", "c", "d"] and grid["open_24h"].all()
    assert list(grid_candidates(cells, min_pop=10, top_n=1)["id"]) == ["c"]
    assert list(grid_candidates(cells, top_n=2)["id"]) == ["c", "d"]
    assert grid.crs.to_epsg() == 4326 and list(grid["district"]) == ["x"] * 3


def test_grid_candidates_spacing_keeps_the_densest_cell_of_each_block():
    from geo.coverage import demand_points

    cells = points([0, 100, 200, 300, 400, 900, 1000], [0] * 7,
                   pop=[5.0, 50.0, 20.0, 7.0, 3.0, 1.0, 2.0], cell_id=list("abcdefg"))
    grid = grid_candidates(cells, spacing_m=300)
    block = np.floor(demand_points(cells).xy / 300).astype(int)
    expected = set()
    for key in {tuple(b) for b in block}:
        members = [i for i in range(7) if tuple(block[i]) == key]
        expected.add("abcdefg"[max(members, key=lambda i: cells["pop"].iloc[i])])
    assert set(grid["id"]) == expected and len(grid) == len(expected) < 7
    assert len(grid_candidates(cells, spacing_m=50)) == 7
    with pytest.raises(ValidationError, match="spacing_m"):
        grid_candidates(cells, spacing_m=0)


def test_default_candidates_are_the_populated_cells():
    cells = points([0, 3000], [0, 0], pop=[5.0, 9.0])
    result = site_aeds(None, cells, 1, 100.0)
    assert list(result.sites["id"]) == ["cell-1"] and result.objective == 9


def test_place_candidates_keep_the_guidance_venues():
    places = pd.read_csv("data/places_wuxi.csv", dtype=str, keep_default_na=False)
    cand = place_candidates(places)
    assert len(cand) > 0 and set(cand["venue_type"]) <= set(GUIDANCE_VENUES)
    assert "hospital" not in set(cand["venue_type"])
    assert (cand["source"] == "place").all() and cand.crs.to_epsg() == 4326
    metro = place_candidates(places, ["metro"])
    assert set(metro["venue_type"]) == {"metro"}
    assert len(metro) == len(places[places["venue_type"] == "metro"].drop_duplicates(
        ["name", "lon", "lat"]))


def test_24h_only_keeps_round_the_clock_candidates_and_notes_the_rest():
    cells = points([0, 2000, 4000, 6000], [0] * 4, pop=[10.0, 20.0, 30.0, 40.0])
    cand = points([0, 2000, 4000, 6000], [0] * 4, id=["a", "b", "c", "d"],
                  hours=["24h", "08:00-20:00", "", "全天"])
    result = site_aeds(None, cells, 2, 300.0, cand, only_24h=True)
    assert set(result.sites["id"]) == {"a", "d"}  # empty hours are not assumed 24 h
    codes = dict(result.notes)
    assert codes["siting_dropped_not_24h"]["n"] == 2
    assert codes["siting_dropped_not_24h"]["ids"] == "b, c"
    flagged = cand.drop(columns="hours").assign(open_24h=[False, True, "yes", None])
    assert set(site_aeds(None, cells, 2, 300.0, flagged, only_24h=True).sites["id"]) == {"b", "c"}
    assert set(site_aeds(None, cells, 2, 300.0, cand).sites["id"]) == {"c", "d"}


def test_candidates_outside_the_area_are_dropped_with_a_note():
    cells = points([0, 100], [0, 0], pop=[10.0, 10.0])
    cand = points([0, 90_000], [0, 0], id=["near", "far"])
    result = site_aeds(None, cells, 1, 300.0, cand)
    assert list(result.sites["id"]) == ["near"] and result.n_candidates == 1
    assert dict(result.notes)["siting_dropped_outside"] == {"n": 1, "ids": "far"}
    for lang in ("zh", "en"):
        assert "far" in problem_text("siting_dropped_outside",
                                     dict(result.notes)["siting_dropped_outside"], lang)


def test_area_polygons_decide_inside():
    from shapely.geometry import box

    cells = points([0, 100], [0, 0], pop=[10.0, 10.0])
    cand = points([0, 100], [0, 0], id=["in", "out"])
    lon0, lat0 = lonlat(-50, -50)
    lon1, lat1 = lonlat(50, 50)
    area = gpd.GeoDataFrame(geometry=[box(lon0, lat0, lon1, lat1)], crs="EPSG:4326")
    result = site_aeds(None, cells, 1, 300.0, cand, area=area)
    assert list(result.sites["id"]) == ["in"]


# ----------------------------------------------------------------------------- bad input


def small():
    cells = points([0, 100, 200], [0, 0, 0], pop=[1.0, 2.0, 3.0])
    cand = points([0, 200], [0, 0], id=["a", "b"])
    return cells, cand


BAD_CASES = [
    ("radius zero", dict(radius_m=0), "bad_radius", "radius_m must be"),
    ("radius nan", dict(radius_m=float("nan")), "bad_radius", "radius_m must be"),
    ("n_new zero", dict(n_new=0), "siting_bad_count", "n_new must be a whole number"),
    ("n_new fraction", dict(n_new=1.5), "siting_bad_count", "n_new must be a whole number"),
    ("n_new bool", dict(n_new=True), "siting_bad_count", "n_new must be a whole number"),
    ("n_new too many", dict(n_new=3), "siting_too_many", "more than the 2 candidate sites"),
    ("method", dict(method="fastest"), "siting_bad_method", "method must be one of"),
    ("time limit", dict(time_limit_s=0), "bad_argument", "time_limit_s must be"),
    ("mip gap", dict(mip_gap=1.5), "bad_argument", "mip_gap must be"),
    ("only_24h", dict(only_24h="yes"), "bad_argument", "only_24h must be"),
]




def frame_cases():
    cells, cand = small()
    projected = cand.to_crs("EPSG:4549")
    bare = gpd.GeoDataFrame(cand.drop(columns="geometry"), geometry=list(cand.geometry))
    far = points([500_000], [0], id=["sea"])
    no_status = points([0], [0], id=["E"], kind="aed")
    closed = cand.assign(hours=["08:00-18:00", "09:00-17:00"])
    return [
        ("empty population", dict(population=cells.iloc[:0]), "empty_population",
         "population grid is empty"),
        ("candidates without CRS", dict(candidates=bare), "siting_no_crs",
         "candidates has no CRS"),
        ("candidates in another CRS", dict(candidates=projected), "siting_crs_mismatch",
         "candidates is in EPSG:4549 but the population grid is in EPSG:4326"),
        ("existing in another CRS", dict(existing=projected.assign(status="active")),
         "siting_crs_mismatch", "existing is in EPSG:4549"),
        ("population not geo", dict(population=pd.DataFrame(cells.drop(columns="geometry"))),
         "siting_not_geo", "population must be a GeoDataFrame"),
        ("candidates outside", dict(candidates=far), "siting_candidates_outside",
         "all 1 candidate sites with a location lie outside"),
        ("no candidates", dict(candidates=cand.iloc[:0]), "siting_no_candidates",
         "no candidate sites"),
        ("none open 24 h", dict(candidates=closed, only_24h=True), "siting_no_24h_candidates",
         "none of the 2 candidates is open around the clock"),
        ("existing without status", dict(existing=no_status), "siting_existing_no_status",
         "need a 'status' column"),
    ]


@pytest.mark.parametrize(("label", "change", "code", "match"), BAD_CASES + frame_cases(),
                         ids=[c[0] for c in BAD_CASES + frame_cases()])
def test_bad_arguments_and_frames_raise_coded_errors(label, change, code, match):
    cells, cand = small()
    kwargs = dict(existing=None, population=cells, n_new=1, radius_m=300.0, candidates=cand)
    kwargs.update(change)
    with pytest.raises(ValidationError, match=match) as err:
        site_aeds(**kwargs)
    assert err.value.code == code


@pytest.mark.parametrize("target", [0, -0.1, 1.5, "most", float("nan")])
def test_bad_target_share(target):
    cells, cand = small()
    with pytest.raises(ValidationError, match="target_share must be a share") as err:
        aeds_for_share(None, cells, target, 300.0, cand)
    assert err.value.code == "siting_bad_target"


SITING_CODES = {
    "siting_bad_method": {"method": "x", "expected": "optimal / greedy"},
    "siting_bad_count": {"value": "0"},
    "siting_too_many": {"n_new": 3, "n_candidates": 2},
    "siting_bad_target": {"value": "1.5"},
    "siting_target_unreachable": {"target": 0.9, "max_share": 0.5, "n_candidates": 3},
    "siting_not_geo": siting._what("population"),
    "siting_no_crs": siting._what("candidates"),
    "siting_crs_mismatch": {**siting._what("existing"), "crs": "EPSG:4549",
                            "expected": "EPSG:4326"},
    "siting_candidates_outside": {"n": 2},
    "siting_no_candidates": {"n": 0},
    "siting_no_24h_candidates": {"n": 4},
    "siting_existing_no_status": {},
    "siting_dropped_no_location": {"n": 1, "ids": "a"},
    "siting_dropped_not_24h": {"n": 1, "ids": "a"},
    "siting_dropped_outside": {"n": 1, "ids": "a"},
    "whatif_unknown_site": {"site_id": "E9"},
}


@pytest.mark.parametrize("code", sorted(SITING_CODES))
def test_every_siting_code_is_worded_in_both_languages(code):
    for lang in ("zh", "en"):
        text = problem_text(code, SITING_CODES[code], lang, None)
        assert text and "{" not in text, (code, lang)
    assert problem_text(code, SITING_CODES[code], "zh") != problem_text(
        code, SITING_CODES[code], "en")


# ----------------------------------------------------------------------------- spopt


@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize(("seed", "p"), [(0, 3), (1, 5), (2, 8)])
def test_objective_equals_spopt_mclp(seed, p, solver):
    import pulp
    from spopt.locate import MCLP

    cells, cand, existing = instance(seed, n_cells=300, n_cand=40, n_existing=3,
                                     size_m=5000.0)
    radius = 600.0
    cover, open_pop, _ = brute_coverage(cells, cand, existing, radius)
    cost = np.where(cover, 0.0, 1.0)  # covered pairs cost 0, others 1; service radius 0.5
    with warnings.catch_warnings():  # pulp 3.3 warns of its 4.0 API (LpVariable, CBC)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(cost, open_pop, 0.5, p_facilities=p)
        engine = pulp.PULP_CBC_CMD(msg=False) if solver == "cbc" else pulp.HiGHS(msg=False)
        model.solve(engine, results=False)
    assert model.problem.status == pulp.LpStatusOptimal
    spopt_value = float(pulp.value(model.problem.objective))
    result = site_aeds(existing, cells, p, radius, cand, "optimal")
    assert result.objective == pytest.approx(spopt_value, abs=1e-6)
