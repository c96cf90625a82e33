"""AED siting: where N new AEDs cover the most people (maximal covering), and how many reach X %.

The maximal covering location problem (MCLP, Church & ReVelle 1974): given demand cells with
people, candidate sites and a radius, choose ``p`` sites that cover the most people. Existing
usable AEDs stay where they are and already cover their people, so their covered cells are
removed first; the model only weighs people nobody reaches yet.

Two methods share one sparse model:

* **greedy** (lazy greedy on a max-heap): instant, and always at least ``1 - 1/e`` of the
  optimum; in practice within a percent or two. It comes with a proven upper bound: the
  Nemhauser-Wolsey-Fisher bound (``f(S)`` plus the ``p`` largest marginal gains at ``S``),
  tightened for 0.1 s by a Lagrangian relaxation (subgradient steps towards the LP bound), so
  even the instant answer carries an honest gap (0.3 % at 100k cells x 5k sites, 500 m).
* **optimal**: a MILP built sparsely in HiGHS (:mod:`highspy`), ``max sum w_i y_i`` subject to
  ``y_i <= sum_{j in N_i} x_j`` and ``sum x_j <= p`` with binary ``x`` and ``y`` in [0, 1],
  started from the greedy answer, under a time limit, its root LP solved by interior point.
  It reports the proven bound and gap, calls ``progress`` as it improves and stops when
  ``stop()`` says so, keeping the best solution.

Coverage sets come from :func:`geo.coverage.covering_matrix` (KD-tree in metres, checked in
ground metres), the one definition of "within reach". Demand cells with the same covering set
are merged into one row (their people summed): the optimum does not change, the model shrinks
several-fold. :func:`aeds_for_share` answers the inverse question (the fewest new AEDs that reach
a target share) with a partial set-cover MILP; :class:`WhatIf` updates the covered share in
well under a millisecond when one AED is added or removed.

All inputs and outputs are WGS84 (EPSG:4326) lon/lat unless a frame says otherwise; distances are
ground metres in the metric CRS of the population grid (:class:`geo.distance.Projector`).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import operator
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import CRS
from scipy.spatial import cKDTree

from geo.coverage import Demand, check_radius, covered_mask, covering_matrix, demand_points
from geo.distance import Projector
from geo.errors import ValidationError
from geo.hours import is_24h
from geo.usable import DEFAULT, Usability, UsabilityPolicy, policy_of

__all__ = [
    "GUIDANCE_VENUES", "METHODS", "STATUSES", "SitingResult", "WhatIf", "aeds_for_share",
    "grid_candidates", "place_candidates", "site_aeds",
]

#: Solution methods of :func:`site_aeds` and :func:`aeds_for_share`.
METHODS: tuple[str, ...] = ("optimal", "greedy")
#: ``SitingResult.status`` values. "optimal": proven optimal (bound reached); "within_gap":
#: the solver stopped at the relative gap asked (``mip_gap``); "time_limit": stopped by the
#: time limit with the best solution found; "interrupted": ``stop()`` asked to stop;
#: "heuristic": a greedy answer whose bound is not reached (see ``gap``).
STATUSES: tuple[str, ...] = ("optimal", "within_gap", "time_limit", "interrupted", "heuristic")
#: Public-place venue types (codes of :data:`geo.schema.AED_VENUES`) that China's 2021 guidance
#: on AEDs in public places (国家卫生健康委《公共场所自动体外除颤器配置指南（试行）》) names
#: for priority placement: transport hubs (metro, rail, airport, coach/bus stations), schools,
#: sports venues, shopping centres, scenic areas and parks, government service halls, hotels,
#: office complexes and communities. Hospitals are left out: they hold their own AEDs.
GUIDANCE_VENUES: tuple[str, ...] = (
    "metro", "rail", "airport", "bus_stop", "school", "stadium", "mall", "scenic", "park",
    "gov_service", "hotel", "office", "community",
)
#: Columns added to ``SitingResult.sites``.
SITE_COLUMNS: tuple[str, ...] = ("rank", "candidate", "gain_pop", "cum_covered", "cum_share")

#: Slack of the KD-tree radius in :class:`WhatIf` (grid metres exceed ground metres by at most
#: 0.14 % over Jiangsu); pairs are then kept by ground metres, so the answer is exact.
_WHATIF_SLACK = 1.01
#: How often (s) a better dual bound alone is reported through ``progress``.
_PROGRESS_EVERY_S = 0.25
#: Seconds the greedy method spends tightening its proven bound (Lagrangian relaxation).
_BOUND_BUDGET_S = 0.1
#: Relative tolerance when comparing people counts (float sums in different orders).
_REL_TOL = 1e-9
_MAX_NAMED_IDS = 5

#: How the frames are named in messages (``what`` is the argument name).
_WHAT: dict[str, tuple[str, str]] = {
    "population": ("人口网格", "the population grid"),
    "existing": ("现有 AED 表", "the existing AED table"),
    "candidates": ("候选点位表", "the candidate sites"),
    "places": ("公共场所表", "the public places table"),
}

Progress = Callable[[float, float, float, float], Any]
Stop = Callable[[], Any]
Note = tuple[str, Mapping[str, Any]]


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class SitingResult:
    """The answer of :func:`site_aeds` or :func:`aeds_for_share`.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        The chosen new sites (WGS84 points), in greedy order of marginal gain (also for the
        optimal set: each row is the site that adds the most people given the rows above it).
        The candidate's own columns, plus ``rank`` (1, 2, ...), ``candidate`` (the candidate's
        index label), ``gain_pop`` (people this site newly covers given the sites above it),
        ``cum_covered`` (people covered by existing AEDs and sites up to this row) and
        ``cum_share`` (``cum_covered / total_pop``). Sites that would cover nobody new are not
        placed, so there can be fewer rows than ``n_new`` once everyone in reach is covered.
    total_pop : float
        People in the population grid.
    covered_before, covered_after : float
        People within ``radius_m`` of a usable existing AED; of one or a new site.
    before_share, after_share : float
        The same as shares of ``total_pop`` (0 when it is 0).
    method : str
        ``"optimal"`` or ``"greedy"`` (:data:`METHODS`).
    status : str
        One of :data:`STATUSES`.
    objective : float
        The model's objective value. For :func:`site_aeds`: people newly covered by the new
        sites (``covered_after - covered_before``). For :func:`aeds_for_share`: the number of
        new AEDs (``len(sites)``).
    bound : float
        Proven bound on the objective: for :func:`site_aeds` an upper bound on the people that
        ``n_new`` sites could newly cover; for :func:`aeds_for_share` a lower bound on the number
        of new AEDs that reach the target.
    gap : float
        ``|bound - objective| / max(|bound|, |objective|)`` (0 when proven optimal): at most
        this share of the best answer may be missed.
    elapsed_s : float
        Wall-clock seconds of the whole call (checks, coverage sets, greedy, solver).
    greedy_objective : float
        The greedy answer's objective (the solver's warm start when the method is "optimal").
    question : str
        ``"max_cover"`` (:func:`site_aeds`) or ``"min_sites"`` (:func:`aeds_for_share`).
    radius_m : float
        The coverage radius in ground metres.
    n_requested : int or None
        ``n_new`` asked for (None for :func:`aeds_for_share`).
    target_share : float or None
        The target share asked for (None for :func:`site_aeds`).
    n_candidates : int
        Candidates considered after dropping those outside the area, without a location or
        (24 h only) not open around the clock.
    notes : tuple of (code, params)
        Coded remarks for the user (``ui.i18n`` words them): candidates left out and why.
    timings : dict
        Seconds by step: ``"prepare"``, ``"cover"`` (covering sets and merging), ``"greedy"``,
        ``"bound"`` (Lagrangian bound), ``"solve"`` (HiGHS, 0 for greedy), ``"order"``.
    model_size : dict
        ``"cells"`` (uncovered populated cells reachable), ``"rows"`` (after merging equal
        covering sets), ``"columns"`` (candidates that reach someone), ``"nonzeros"``.
    """

    sites: gpd.GeoDataFrame
    total_pop: float
    covered_before: float
    covered_after: float
    before_share: float
    after_share: float
    method: str
    status: str
    objective: float
    bound: float
    gap: float
    elapsed_s: float
    greedy_objective: float
    question: str = "max_cover"
    radius_m: float = 0.0
    n_requested: int | None = None
    target_share: float | None = None
    n_candidates: int = 0
    notes: tuple[Note, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    model_size: Mapping[str, int] = field(default_factory=dict)

    @property
    def greedy_shortfall(self) -> float:
        """How far greedy falls behind the answer returned, as a share of it (0 = as good).

        For :func:`site_aeds`: ``(objective - greedy_objective) / objective``; for
        :func:`aeds_for_share`: ``(greedy_objective - objective) / objective`` (extra AEDs).
        """
        if self.objective <= 0:
            return 0.0
        if self.question == "min_sites":
            return (self.greedy_objective - self.objective) / self.objective
        return (self.objective - self.greedy_objective) / self.objective


# ----------------------------------------------------------------------------- checks


def _check_method(method: Any) -> str:
    if isinstance(method, str) and method.strip().lower() in METHODS:
        return method.strip().lower()
    msg = f"method must be one of {list(METHODS)}, got {method!r}"
    raise ValidationError(msg, code="siting_bad_method",
                          params={"method": str(method), "expected": " / ".join(METHODS)})


def _check_count(n_new: Any) -> int:
    ok = not isinstance(n_new, bool)
    value = 0
    if ok:
        try:
            value = operator.index(n_new)
        except TypeError:
            try:
                number = float(n_new)
            except (TypeError, ValueError):
                ok = False
            else:
                ok = math.isfinite(number) and number.is_integer()
                value = int(number) if ok else 0
    if not ok or value < 1:
        msg = f"n_new must be a whole number >= 1, got {n_new!r}"
        raise ValidationError(msg, code="siting_bad_count", params={"value": str(n_new)})
    return value


def _check_positive(name: str, value: Any, *, allow_zero: bool = False,
                    below: float | None = None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    ok = math.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if ok and below is not None:
        ok = number < below
    if not ok:
        expected = (">= 0" if allow_zero else "> 0") + (f" and < {below:g}" if below else "")
        msg = f"{name} must be a finite number {expected}, got {value!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": name, "value": str(value), "expected": expected})
    return number


def _check_target(target_share: Any) -> float:
    try:
        number = float(target_share)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and 0 < number <= 1):
        msg = f"target_share must be a share in (0, 1], got {target_share!r}"
        raise ValidationError(msg, code="siting_bad_target", params={"value": str(target_share)})
    return number


def _what(what: str) -> dict[str, str]:
    zh, en = _WHAT.get(what, (what, what))
    return {"what": what, "what_zh": zh, "what_en": en}


def _crs_of(frame: Any, what: str) -> CRS:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"{what} must be a GeoDataFrame, got {type(frame).__name__}"
        raise ValidationError(msg, code="siting_not_geo", params=_what(what))
    if frame.crs is None:
        msg = f"{what} has no CRS: set it (EPSG:4326 for WGS84 lon/lat)"
        raise ValidationError(msg, code="siting_no_crs", params=_what(what))
    return CRS(frame.crs)


def _check_same_crs(population: gpd.GeoDataFrame, **frames: Any) -> None:
    """Every frame has a CRS and the population's one (no silent reprojection)."""
    expected = _crs_of(population, "population")
    for what, frame in frames.items():
        if frame is None:
            continue
        crs = _crs_of(frame, what)
        if not crs.equals(expected, ignore_axis_order=True):
            msg = (f"{what} is in {crs.to_string()} but the population grid is in "
                   f"{expected.to_string()}: bring both to the same CRS (EPSG:4326)")
            raise ValidationError(msg, code="siting_crs_mismatch",
                                  params={**_what(what), "crs": crs.to_string(),
                                          "expected": expected.to_string()})


def _lonlat(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 lon, lat per row and a mask of rows with a usable location.

    Points are taken as they are, other shapes by a point inside them.
    """
    wgs = frame if CRS(frame.crs).to_epsg() == 4326 else frame.to_crs(4326)
    geoms = wgs.geometry
    ok = (~geoms.isna() & ~geoms.is_empty).to_numpy()
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    if ok.any():
        points = geoms[ok].representative_point()  # a point stays itself
        lon[ok] = points.x.to_numpy()
        lat[ok] = points.y.to_numpy()
    ok = ok & np.isfinite(lon) & np.isfinite(lat)
    return lon, lat, ok


def _note(*, code: str, **params: Any) -> Note:
    """A coded remark for ``SitingResult.notes``: (code, params), worded by ``ui.i18n``."""
    return code, params


def _ids_text(frame: pd.DataFrame, rows: np.ndarray) -> str:
    labels = (frame["id"].astype(str).to_numpy()[rows] if "id" in frame.columns
              else np.asarray(frame.index.astype(str))[rows])
    named = ", ".join(labels[:_MAX_NAMED_IDS])
    return named + (f" (+{rows.size - _MAX_NAMED_IDS})" if rows.size > _MAX_NAMED_IDS else "")


# ----------------------------------------------------------------------------- candidates


def grid_candidates(population: gpd.GeoDataFrame, min_pop: float = 1.0,
                    top_n: int | None = None, *,
                    spacing_m: float | None = None) -> gpd.GeoDataFrame:
    """Candidate sites at the centres of populated grid cells.

    A grid site stands for an outdoor AED cabinet at the cell centre, reachable around the
    clock, so every row says ``open_24h = True``.

    Parameters
    ----------
    population : GeoDataFrame
        Cells with ``pop`` (any CRS; points or polygons).
    min_pop : float, default 1.0
        Only cells with at least this many people.
    top_n : int, optional
        Keep only the ``top_n`` most populated of those (ties by row order).
    spacing_m : float, optional
        Keep one candidate per ``spacing_m`` block (the block's most populated cell), so the
        candidates spread over every populated place at that spacing instead of crowding the
        densest centres. Applied before ``top_n``.

    Returns
    -------
    GeoDataFrame
        WGS84 points with ``id`` (``cell_id`` when the grid has one, else ``"cell-<row>"``),
        ``pop``, ``source = "grid"``, ``open_24h``, and ``city``/``district`` when present.

    Raises
    ------
    ValidationError
        ``empty_population`` / ``bad_population_frame`` as :func:`geo.coverage.demand_points`;
        ``bad_argument`` for a negative ``min_pop`` or a ``top_n`` below 1.
    """
    _check_population(population)
    demand_points(population)  # the same checks (empty, CRS, pop column) as everywhere else
    min_pop = _check_positive("min_pop", min_pop, allow_zero=True)
    if top_n is not None:
        top_n = _check_count_named("top_n", top_n)
    if spacing_m is not None:
        spacing_m = _check_positive("spacing_m", spacing_m)
    return _grid_frame(population, min_pop, top_n, spacing_m)


def _check_population(population: Any) -> None:
    if population is not None and not isinstance(population, gpd.GeoDataFrame) and len(
            population):
        msg = f"population must be a GeoDataFrame, got {type(population).__name__}"
        raise ValidationError(msg, code="siting_not_geo", params=_what("population"))


def _grid_frame(population: gpd.GeoDataFrame, min_pop: float, top_n: int | None,
                spacing_m: float | None = None) -> gpd.GeoDataFrame:
    frame = population if CRS(population.crs).to_epsg() == 4326 else population.to_crs(4326)
    pop = frame["pop"].to_numpy(dtype="float64")
    rows = np.flatnonzero(pop >= min_pop)
    if spacing_m is not None and rows.size:
        xy = demand_points(frame.iloc[rows]).xy
        block = np.floor(xy / spacing_m).astype(np.int64)
        order = np.lexsort((-pop[rows], block[:, 1], block[:, 0]))  # densest first per block
        keys = block[order]
        first = np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)]
        rows = np.sort(rows[order[first]])
    if top_n is not None and rows.size > top_n:
        order = np.argsort(-pop[rows], kind="stable")[: int(top_n)]
        rows = np.sort(rows[order])
    lon, lat, _ = _lonlat(frame.iloc[rows])
    ids = (frame["cell_id"].astype(str).to_numpy()[rows] if "cell_id" in frame.columns
           else np.array([f"cell-{r}" for r in rows], dtype=object))
    data: dict[str, Any] = {"id": ids, "pop": pop[rows], "source": "grid", "open_24h": True}
    for column in ("city", "district"):
        if column in frame.columns:
            data[column] = frame[column].to_numpy()[rows]
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _check_count_named(name: str, value: Any) -> int:
    try:
        return _check_count(value)
    except ValidationError as exc:
        msg = f"{name} must be a whole number >= 1, got {value!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": name, "value": str(value),
                                      "expected": ">= 1"}) from exc


def place_candidates(places: pd.DataFrame, venue_types: Iterable[str] | None = GUIDANCE_VENUES,
                     *, type_column: str = "venue_type") -> gpd.GeoDataFrame:
    """Candidate sites at public places of the venue types the 2021 AED guidance names.

    Parameters
    ----------
    places : GeoDataFrame or DataFrame
        Public places: a GeoDataFrame (any CRS), or a table with WGS84 ``lon`` and ``lat``
        columns (like ``data/places_*.csv``). A ``source_crs`` column other than WGS84 is not
        converted here: bring such rows to WGS84 first (:func:`geo.crs.to_wgs84`).
    venue_types : iterable of str or None, default GUIDANCE_VENUES
        Keep places whose ``type_column`` is one of these; None keeps every place.
    type_column : str, default "venue_type"
        The column holding the venue type.

    Returns
    -------
    GeoDataFrame
        The kept places as WGS84 points with their columns, ``source = "place"`` and ``id``
        (made from the row position when missing). Duplicate places (same name and point)
        are kept once. Their ``hours`` (if any) decide "24 h only" in :func:`site_aeds`.

    Raises
    ------
    ValidationError
        ``siting_no_crs`` for a GeoDataFrame without a CRS; ``bad_argument`` when the venue
        column or the ``lon``/``lat`` columns are missing.
    """
    if isinstance(places, gpd.GeoDataFrame):
        _crs_of(places, "places")
        frame = places.to_crs(4326) if CRS(places.crs).to_epsg() != 4326 else places.copy()
    else:
        missing = [c for c in ("lon", "lat") if c not in places.columns]
        if missing:
            msg = f"places must be a GeoDataFrame or have lon and lat columns, missing {missing}"
            raise ValidationError(msg, code="bad_argument",
                                  params={"name": "places", "value": ", ".join(missing),
                                          "expected": "lon, lat"})
        lon = pd.to_numeric(places["lon"], errors="coerce").to_numpy(dtype="float64")
        lat = pd.to_numeric(places["lat"], errors="coerce").to_numpy(dtype="float64")
        frame = gpd.GeoDataFrame(places.copy(), geometry=gpd.points_from_xy(lon, lat),
                                 crs="EPSG:4326")
    if venue_types is not None:
        if type_column not in frame.columns:
            msg = f"places has no {type_column!r} column to pick venue types from"
            raise ValidationError(msg, code="bad_argument",
                                  params={"name": "places", "value": type_column,
                                          "expected": "a venue type column"})
        wanted = {str(v).strip().lower() for v in venue_types}
        kinds = frame[type_column].astype(str).str.strip().str.lower()
        frame = frame[kinds.isin(wanted).to_numpy()]
    if "id" not in frame.columns:
        frame = frame.assign(id=[f"place-{i}" for i in range(len(frame))])
    lon, lat, _ = _lonlat(frame) if len(frame) else (np.zeros(0), np.zeros(0), None)
    key = pd.DataFrame({"name": (frame["name"].astype(str).to_numpy() if "name" in frame.columns
                                 else frame["id"].astype(str).to_numpy()),
                        "lon": np.round(lon, 7), "lat": np.round(lat, 7)})
    keep = ~key.duplicated().to_numpy()
    frame = frame[keep].assign(source="place")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326").reset_index(drop=True)


# ----------------------------------------------------------------------------- instance


@dataclass(frozen=True)
class _Instance:
    """The checked inputs in metres: uncovered demand merged by covering set, candidates."""

    demand: Demand
    candidates: gpd.GeoDataFrame  # kept candidates, WGS84 points, positional index
    cand_labels: np.ndarray  # the kept candidates' index labels in the caller's frame
    matrix: sp.csr_matrix  # merged rows x useful columns (bool), sorted indices
    weights: np.ndarray  # people per merged row
    columns: np.ndarray  # useful column -> kept candidate position
    total_pop: float
    covered_before: float
    notes: tuple[Note, ...]
    n_cells: int
    timings: dict[str, float]

    @property
    def reachable(self) -> float:
        """People not yet covered whom some candidate reaches."""
        return float(self.weights.sum())


def _truthy(values: pd.Series) -> np.ndarray:
    """True for True, 1 and the words true/yes/y/是 (any case); False for the rest and blanks."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).to_numpy(dtype=bool)
    words = values.astype(str).str.strip().str.lower()
    return words.isin(["true", "1", "1.0", "yes", "y", "是"]).to_numpy()


def _usable_existing(existing: gpd.GeoDataFrame | None, at: Any, rule: UsabilityPolicy,
                     projector: Projector) -> np.ndarray:
    """Metric xy of the existing AEDs usable at ``at`` under ``rule``."""
    if existing is None or len(existing) == 0:
        return np.zeros((0, 2))
    frame = existing
    if "kind" in frame.columns:
        frame = frame[(frame["kind"].astype(str).str.strip().str.lower() == "aed").to_numpy()]
        if len(frame) == 0:
            return np.zeros((0, 2))
    if "status" not in frame.columns:
        msg = ("existing AEDs need a 'status' column (active / maintenance / inactive) to "
               f"decide which are usable; got columns {list(frame.columns)}")
        raise ValidationError(msg, code="siting_existing_no_status")
    usable = Usability.from_frame(frame).mask(at, rule)
    lon, lat, ok = _lonlat(frame)
    keep = usable & ok
    return projector.project(lon[keep], lat[keep])


def _prepare(existing: gpd.GeoDataFrame | None, population: gpd.GeoDataFrame,
             radius_m: Any, candidates: gpd.GeoDataFrame | None, *, at: Any,
             policy: UsabilityPolicy | str | None, only_24h: bool,
             area: gpd.GeoDataFrame | None) -> _Instance:
    t0 = time.perf_counter()
    radius = check_radius(radius_m)
    _check_population(population)
    demand = demand_points(population)
    if candidates is None:
        candidates = _grid_frame(population, 1.0, None)
    _check_same_crs(population, existing=existing, candidates=candidates)
    if not isinstance(only_24h, bool | np.bool_):
        msg = f"only_24h must be True or False, got {only_24h!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "only_24h", "value": str(only_24h),
                                      "expected": "True / False"})
    rule = policy_of(policy)
    if only_24h and not rule.only_24h:
        rule = dataclasses.replace(rule, only_24h=True)
    projector = demand.projector
    pop = np.where(np.isfinite(demand.pop) & (demand.pop > 0), demand.pop, 0.0)
    total = float(pop.sum())
    existing_xy = _usable_existing(existing, at, rule, projector)
    covered = covered_mask(demand.xy, existing_xy, radius, projector)
    covered_before = float(pop[covered].sum())

    notes: list[Note] = []
    n_all = len(candidates)
    lon, lat, keep = _lonlat(candidates) if n_all else (np.zeros(0), np.zeros(0),
                                                        np.zeros(0, bool))
    if (~keep).any():
        rows = np.flatnonzero(~keep)
        notes.append(_note(code="siting_dropped_no_location", n=int(rows.size),
                           ids=_ids_text(candidates, rows)))
    if only_24h and n_all:
        if "open_24h" in candidates.columns:
            round_clock = _truthy(candidates["open_24h"])
        elif "hours" in candidates.columns:
            hours = candidates["hours"]
            given = hours.notna() & (hours.astype(str).str.strip() != "")
            round_clock = given.to_numpy() & is_24h(hours.to_numpy(dtype=object))
        else:
            round_clock = np.zeros(n_all, dtype=bool)
        rows = np.flatnonzero(keep & ~round_clock)
        if rows.size:
            notes.append(_note(code="siting_dropped_not_24h", n=int(rows.size),
                               ids=_ids_text(candidates, rows)))
        keep &= round_clock
        if not keep.any():
            msg = (f"none of the {n_all} candidates is open around the clock; '24 h only' "
                   "needs candidates whose hours read as 24 h (or open_24h = True)")
            raise ValidationError(msg, code="siting_no_24h_candidates", params={"n": n_all})
    cand_xy = np.full((n_all, 2), np.nan)
    if keep.any():
        cand_xy[keep] = projector.project(lon[keep], lat[keep])
    if area is not None:
        from geo.filters import in_area  # lazy: filters pulls in the resource schema

        inside = np.zeros(n_all, dtype=bool)
        inside[keep] = in_area(lon[keep], lat[keep], area)
    else:
        lo = demand.xy.min(axis=0) - radius * _WHATIF_SLACK
        hi = demand.xy.max(axis=0) + radius * _WHATIF_SLACK
        with np.errstate(invalid="ignore"):
            inside = np.all((cand_xy >= lo) & (cand_xy <= hi), axis=1)
    outside = np.flatnonzero(keep & ~inside)
    if outside.size:
        notes.append(_note(code="siting_dropped_outside", n=int(outside.size),
                           ids=_ids_text(candidates, outside)))
    keep &= inside
    if n_all == 0 or not keep.any():
        if n_all and outside.size:
            msg = (f"all {outside.size} candidate sites with a location lie outside the "
                   "population area: check their coordinates and CRS")
            raise ValidationError(msg, code="siting_candidates_outside",
                                  params={"n": int(outside.size)})
        msg = "there are no candidate sites to choose from"
        raise ValidationError(msg, code="siting_no_candidates", params={"n": n_all})
    kept = np.flatnonzero(keep)
    cand = candidates.iloc[kept]
    labels = np.asarray(cand.index, dtype=object)
    cand = gpd.GeoDataFrame(
        cand.drop(columns=[cand.geometry.name, *(c for c in SITE_COLUMNS if c in cand.columns)])
        .reset_index(drop=True),
        geometry=gpd.points_from_xy(lon[kept], lat[kept]), crs="EPSG:4326")
    if "id" not in cand.columns:
        cand["id"] = [str(v) for v in labels]
    t1 = time.perf_counter()

    open_rows = np.flatnonzero(~covered & (pop > 0))
    matrix = covering_matrix(demand.xy[open_rows], cand_xy[kept], radius, projector)
    merged, weights, columns, n_cells = _merge(matrix, pop[open_rows])
    t2 = time.perf_counter()
    return _Instance(demand, cand, labels, merged, weights, columns, total, covered_before,
                     tuple(notes), n_cells, {"prepare": t1 - t0, "cover": t2 - t1})


def _merge(matrix: sp.csr_matrix, pop: np.ndarray
           ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]:
    """Drop unreachable rows and useless columns; merge rows with equal covering sets.

    Rows are grouped by two random 64-bit column-sum hashes and their length, then every row
    is compared with its group's first row entry by entry; should hashes ever collide the
    rows are grouped exactly (by their index tuples) instead.

    Returns the merged matrix (rows x useful columns, sorted indices), the people per merged
    row, the kept candidate position of each column and the number of reachable cells.
    """
    matrix = matrix.tocsr()
    matrix.sort_indices()
    counts = np.diff(matrix.indptr)
    rows = np.flatnonzero(counts > 0)
    sub = matrix[rows]
    sub.sort_indices()
    weights = pop[rows]
    n_cells = int(rows.size)
    if n_cells == 0:
        return (sp.csr_matrix((0, 0), dtype=bool), np.zeros(0), np.zeros(0, np.int64), 0)
    rng = np.random.default_rng(0x5EED)
    m = sub.shape[1]
    length = np.diff(sub.indptr)
    row_of = np.repeat(np.arange(n_cells), length)
    keys = [length.astype(np.uint64)]
    for _ in range(2):  # sums wrap modulo 2**64; every row has at least one entry
        salt = rng.integers(0, np.iinfo(np.uint64).max, m, dtype=np.uint64, endpoint=True)
        keys.append(np.add.reduceat(salt[sub.indices], sub.indptr[:-1]))
    _, first, group = np.unique(np.column_stack(keys), axis=0, return_index=True,
                                return_inverse=True)
    group = group.ravel()
    offset = np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], length)
    rep_pos = sub.indptr[first[group]][row_of] + offset
    if not np.array_equal(sub.indices, sub.indices[rep_pos]):  # a hash collision: group exactly
        seen: dict[tuple[int, ...], int] = {}
        group = np.array([seen.setdefault(tuple(sub.indices[sub.indptr[i]:sub.indptr[i + 1]]),
                                          len(seen)) for i in range(n_cells)], dtype=np.int64)
        first = np.unique(group, return_index=True)[1]
    merged_w = np.bincount(group, weights=weights, minlength=first.size)
    merged = sub[first]
    useful = np.flatnonzero(np.diff(merged.tocsc().indptr) > 0)
    merged = merged[:, useful].tocsr()
    merged.sort_indices()
    return merged, merged_w, useful.astype(np.int64), n_cells


# ----------------------------------------------------------------------------- greedy


@dataclass(frozen=True)
class _Greedy:
    chosen: list[int]  # columns in the order taken
    gains: list[float]  # people each newly covers, in that order
    value: float
    bound: float  # proven upper bound on the optimum with the same p


def _greedy(matrix: sp.csr_matrix, weights: np.ndarray, p: int,
            allowed: np.ndarray | None = None, target: float | None = None) -> _Greedy:
    """Lazy greedy on a max-heap: take the column adding the most weight, ``p`` times.

    Marginal gains only shrink as rows are covered (submodularity), so a stale heap entry is an
    upper bound: a column whose recomputed gain still tops the heap is the true best. Stops
    early when nothing adds weight, or once ``target`` weight is reached.
    ``allowed`` restricts the columns (used to order a given set).
    """
    csc = matrix.tocsc()
    csc.sort_indices()
    indptr, indices = csc.indptr, csc.indices
    gains0 = np.asarray(csc.T @ weights).ravel() if matrix.shape[0] else np.zeros(matrix.shape[1])
    columns = np.arange(matrix.shape[1]) if allowed is None else np.asarray(allowed)
    heap = [(-float(gains0[j]), int(j)) for j in columns if gains0[j] > 0]
    heapq.heapify(heap)
    covered = np.zeros(matrix.shape[0], dtype=bool)
    chosen: list[int] = []
    gains: list[float] = []
    value = 0.0
    bound = float(weights.sum())
    while heap and len(chosen) < p:
        if target is not None and value >= target:
            break
        _, j = heapq.heappop(heap)
        rows = indices[indptr[j]:indptr[j + 1]]
        open_rows = rows[~covered[rows]]
        gain = float(weights[open_rows].sum())
        if gain <= 0:
            continue
        if heap and gain < -heap[0][0]:
            heapq.heappush(heap, (-gain, j))
            continue
        # ``gain`` is the best marginal gain at the current set S, so any p sites add at
        # most p * gain to f(S): OPT <= f(S) + p * gain
        bound = min(bound, value + p * gain)
        chosen.append(j)
        gains.append(gain)
        value += gain
        covered[open_rows] = True
    if allowed is None and target is None and matrix.shape[0]:
        # Nemhauser-Wolsey-Fisher: OPT <= f(S) + the sum of the p largest marginal gains at S
        left = np.asarray(csc.T @ np.where(covered, 0.0, weights)).ravel()
        top = left[left > 0]
        if top.size > p:
            top = np.partition(top, top.size - p)[top.size - p:]
        bound = min(bound, value + float(top.sum()))
    return _Greedy(chosen, gains, value, max(bound, value))


def _lagrangian_bound(matrix: sp.csr_matrix, weights: np.ndarray, p: int, lower: float,
                      budget_s: float, max_iter: int = 400) -> float:
    """An upper bound on the optimum by Lagrangian relaxation, improved by subgradient steps.

    Relaxing ``y_i <= sum_{j in N_i} x_j`` with multipliers ``0 <= lam_i <= w_i`` leaves
    ``L(lam) = sum_i (w_i - lam_i) + (sum of the p largest c_j)`` with ``c = A^T lam``, an
    upper bound for every ``lam`` (its minimum is the LP bound). Polyak steps towards
    ``lower`` (a known solution's value), halving the step after 5 steps without progress;
    stops after ``budget_s`` seconds or ``max_iter`` steps. Each step is two sparse products.
    """
    k, m = matrix.shape
    if k == 0 or p >= m:
        return float(weights.sum())
    t_end = time.perf_counter() + budget_s
    a = matrix.astype(np.float64)
    a_t = a.T.tocsr()
    lam = 0.5 * weights
    best = float(weights.sum())
    scale, since = 2.0, 0
    for _ in range(max_iter):
        c = a_t @ lam
        top = np.argpartition(-c, p)[:p]
        value = float((weights - lam).sum() + np.maximum(c[top], 0.0).sum())
        if value < best * (1 - 1e-12):
            best, since = value, 0
        else:
            since += 1
            if since >= 5:
                scale, since = scale / 2, 0
        if best <= lower * (1 + _REL_TOL) or time.perf_counter() > t_end:
            break
        chosen = np.zeros(m)
        chosen[top[c[top] > 0]] = 1.0
        grad = a @ chosen - 1.0  # dL/dlam_i = (times i is covered by the top p) - 1
        grad[(lam <= 0) & (grad > 0)] = 0.0
        grad[(lam >= weights) & (grad < 0)] = 0.0
        norm = float(grad @ grad)
        if norm == 0:
            break
        lam = np.clip(lam - scale * (value - lower) / norm * grad, 0.0, weights)
    return best


def _proven(value: float, bound: float, integral: bool) -> bool:
    """True when ``bound`` proves ``value`` optimal.

    With whole people the optimum is whole too, so a bound less than one above ``value`` proves
    it; otherwise the two must agree to a relative 1e-9.
    """
    slack = (1.0 - 1e-6) if integral else 0.0
    return bound - value <= slack + _REL_TOL * max(abs(bound), 1.0)


def _coverage_value(matrix: sp.csr_matrix, weights: np.ndarray, columns: Iterable[int]) -> float:
    cols = np.asarray(list(columns), dtype=np.int64)
    if cols.size == 0 or matrix.shape[0] == 0:
        return 0.0
    hit = np.asarray(matrix[:, cols].sum(axis=1)).ravel() > 0
    return float(weights[hit].sum())


# ----------------------------------------------------------------------------- HiGHS


@dataclass
class _Solve:
    chosen: np.ndarray
    value: float  # HiGHS objective of the incumbent
    bound: float  # HiGHS dual bound
    status: str
    seconds: float


class _Watch:
    """Callbacks for HiGHS: report progress, honour ``stop()``; user errors are re-raised."""

    def __init__(self, progress: Progress | None, stop: Stop | None, start: float,
                 cap: float) -> None:
        self.progress = progress
        self.stop = stop
        self.start = start
        self.cap = cap  # a bound known before the solve (greedy's): reported bounds never worse
        self.stopped = False
        self.error: BaseException | None = None
        self.last_report = -math.inf
        self.last = (math.nan, math.nan)
        self.lock = threading.Lock()

    def _report(self, incumbent: float, bound: float) -> None:
        if self.progress is None or not math.isfinite(incumbent):
            return
        bound = _tighter(bound, self.cap, incumbent)
        if (incumbent, bound) == self.last:
            return
        self.last = (incumbent, bound)
        self.last_report = time.perf_counter()
        self.progress(incumbent, bound, _gap(incumbent, bound),
                      time.perf_counter() - self.start)

    def improving(self, event: Any) -> None:
        with self.lock:
            if self.error is not None:
                return
            try:
                out = event.data_out
                self._report(out.objective_function_value, out.mip_dual_bound)
            except BaseException as exc:  # re-raised after the solve
                self.error = exc

    def interrupt(self, event: Any) -> None:
        with self.lock:
            try:
                if self.error is None and self.stop is not None and self.stop():
                    self.stopped = True
                if (self.error is None and self.progress is not None
                        and time.perf_counter() - self.last_report >= _PROGRESS_EVERY_S):
                    out = event.data_out
                    self._report(out.mip_primal_bound, out.mip_dual_bound)
            except BaseException as exc:  # re-raised after the solve
                self.error = exc
            if self.stopped or self.error is not None:
                event.interrupt()


def _tighter(bound: float, cap: float, incumbent: float) -> float:
    """The tighter of two valid bounds on the side of ``incumbent`` (upper or lower)."""
    if not math.isfinite(bound):
        return cap
    return min(bound, cap) if cap >= incumbent else max(bound, cap)


def _gap(value: float, bound: float) -> float:
    scale = max(abs(value), abs(bound))
    if scale == 0 or not math.isfinite(bound):
        return 0.0 if value == bound else math.inf
    return max(abs(bound - value) / scale, 0.0)


def _model_rows(matrix: sp.csr_matrix, n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise ``y_i - sum_{j in N_i} x_j`` (x first, then y), CSR arrays."""
    k = matrix.shape[0]
    length = np.diff(matrix.indptr) + 1
    start = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(length, out=start[1:])
    index = np.empty(int(start[-1]), dtype=np.int32)
    value = np.full(int(start[-1]), -1.0)
    y_pos = start[:-1]
    index[y_pos] = n_cols + np.arange(k)
    value[y_pos] = 1.0
    rest = np.ones(int(start[-1]), dtype=bool)
    rest[y_pos] = False
    index[rest] = matrix.indices
    return start, index, value


def _solve(matrix: sp.csr_matrix, weights: np.ndarray, warm: list[int], *, p: int | None,
           need: float | None, time_limit_s: float, mip_gap: float,
           progress: Progress | None, stop: Stop | None, start: float, cap: float) -> _Solve:
    """Max covering (``p`` given) or partial set cover (``need`` given) on HiGHS."""
    k, m = matrix.shape
    inf = highspy.kHighsInf
    start_r, index, value = _model_rows(matrix, m)
    # the last row: sum x <= p (max covering) or sum w y >= need (fewest sites)
    if p is not None:
        last_index = np.arange(m, dtype=np.int32)
        last_value = np.ones(m)
        last_lo, last_hi = -inf, float(p)
        cost = np.concatenate([np.zeros(m), weights])
        sense = highspy.ObjSense.kMaximize
    else:
        last_index = np.arange(m, m + k, dtype=np.int32)
        last_value = weights.astype("float64")
        last_lo, last_hi = float(need), inf
        cost = np.concatenate([np.ones(m), np.zeros(k)])
        sense = highspy.ObjSense.kMinimize
    lp = highspy.HighsLp()
    lp.num_col_ = m + k
    lp.num_row_ = k + 1
    lp.sense_ = sense
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(m + k)
    lp.col_upper_ = np.ones(m + k)
    lp.row_lower_ = np.concatenate([np.full(k, -inf), [last_lo]])
    lp.row_upper_ = np.concatenate([np.zeros(k), [last_hi]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = m + k
    lp.a_matrix_.num_row_ = k + 1
    lp.a_matrix_.start_ = np.concatenate([start_r, [start_r[-1] + last_index.size]])
    lp.a_matrix_.index_ = np.concatenate([index, last_index])
    lp.a_matrix_.value_ = np.concatenate([value, last_value])
    lp.integrality_ = ([highspy.HighsVarType.kInteger] * m
                       + [highspy.HighsVarType.kContinuous] * k)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    # the root LP by interior point: dual simplex stalls on the large, degenerate covering LP
    # (no root bound within 60 s at 100k cells x 5k sites, 1000 m); IPM solves it in ~15 s
    h.setOptionValue("mip_lp_solver", "ipm")
    # whole people (or a count of sites): a bound less than 1 above the incumbent proves it
    integral = p is None or bool(np.all(weights == np.round(weights)))
    abs_gap = 1.0 - 1e-6 if integral else 1e-6
    h.setOptionValue("mip_abs_gap", abs_gap)
    h.passModel(lp)
    x0 = np.zeros(m + k)
    x0[np.asarray(warm, dtype=np.int64)] = 1.0
    if k:
        x0[m:] = (np.asarray(matrix[:, np.asarray(warm, dtype=np.int64)].sum(axis=1)).ravel()
                  > 0) if warm else 0.0
    solution = highspy.HighsSolution()
    solution.col_value = x0
    solution.value_valid = True
    h.setSolution(solution)
    watch = _Watch(progress, stop, start, cap)
    h.cbMipImprovingSolution.subscribe(watch.improving)
    h.cbMipInterrupt.subscribe(watch.interrupt)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    h.clearCallbacks()
    if watch.error is not None:
        raise watch.error
    model_status = h.getModelStatus()
    info = h.getInfo()
    col = np.asarray(h.getSolution().col_value)
    chosen = (np.flatnonzero(col[:m] > 0.5) if col.size >= m and h.getSolution().value_valid
              else np.asarray(warm, dtype=np.int64))
    statuses = highspy.HighsModelStatus
    if watch.stopped or model_status == statuses.kInterrupt:
        status = "interrupted"
    elif model_status == statuses.kTimeLimit:
        status = "time_limit"
    elif model_status == statuses.kOptimal:
        closed = abs(info.mip_dual_bound - info.objective_function_value) < abs_gap
        status = "optimal" if mip_gap == 0 or closed or info.mip_gap <= 1e-9 else "within_gap"
    else:
        status = "time_limit"
    bound = float(info.mip_dual_bound)
    return _Solve(chosen, float(info.objective_function_value), bound, status, seconds)


# ----------------------------------------------------------------------------- answers


def _sites_frame(inst: _Instance, columns: list[int], gains: list[float]) -> gpd.GeoDataFrame:
    positions = inst.columns[np.asarray(columns, dtype=np.int64)] if columns else np.zeros(
        0, dtype=np.int64)
    sites = inst.candidates.iloc[positions].reset_index(drop=True)
    cum = inst.covered_before + np.cumsum(np.asarray(gains, dtype="float64"))
    sites.insert(0, "rank", np.arange(1, len(positions) + 1))
    sites.insert(1, "candidate", inst.cand_labels[positions] if len(positions) else [])
    sites["gain_pop"] = np.asarray(gains, dtype="float64")
    sites["cum_covered"] = cum
    sites["cum_share"] = cum / inst.total_pop if inst.total_pop > 0 else np.zeros(cum.size)
    return sites


def _result(inst: _Instance, columns: list[int], gains: list[float], *, method: str,
            status: str, objective: float, bound: float, greedy_objective: float,
            start: float, timings: dict[str, float], question: str,
            n_requested: int | None, target_share: float | None,
            radius_m: float) -> SitingResult:
    sites = _sites_frame(inst, columns, gains)
    after = inst.covered_before + float(np.sum(gains))
    total = inst.total_pop

    def share(value: float) -> float:
        return value / total if total > 0 else 0.0

    gap = _gap(objective, bound)
    if gap <= _REL_TOL:
        gap = 0.0
        if status in ("heuristic", "time_limit", "interrupted", "within_gap"):
            status = "optimal"
    return SitingResult(
        sites=sites, total_pop=total, covered_before=inst.covered_before, covered_after=after,
        before_share=share(inst.covered_before), after_share=share(after), method=method,
        status=status, objective=objective, bound=bound, gap=gap,
        elapsed_s=time.perf_counter() - start, greedy_objective=greedy_objective,
        question=question, radius_m=radius_m, n_requested=n_requested,
        target_share=target_share, n_candidates=len(inst.candidates), notes=inst.notes,
        timings={**inst.timings, **timings},
        model_size={"cells": inst.n_cells, "rows": int(inst.matrix.shape[0]),
                    "columns": int(inst.matrix.shape[1]), "nonzeros": int(inst.matrix.nnz)})


def site_aeds(existing: gpd.GeoDataFrame | None, population: gpd.GeoDataFrame, n_new: int,
              radius_m: float, candidates: gpd.GeoDataFrame | None = None,
              method: str = "optimal", *, at: Any = None,
              policy: UsabilityPolicy | str | None = DEFAULT, only_24h: bool = False,
              time_limit_s: float = 60.0, mip_gap: float = 0.0,
              progress: Progress | None = None, stop: Stop | None = None,
              area: gpd.GeoDataFrame | None = None) -> SitingResult:
    """Choose up to ``n_new`` new AED sites that cover the most people not yet covered.

    Parameters
    ----------
    existing : GeoDataFrame or None
        Installed resources (only ``kind == "aed"`` rows when a ``kind`` column exists) with
        ``status`` and optionally ``hours``, ``pads_expiry``, ``battery_expiry``. Those usable
        at ``at`` under ``policy`` stay and cover their people first. Same CRS as
        ``population``.
    population : GeoDataFrame
        Grid cells with ``pop`` (points or polygons; WGS84 or any CRS with the others alike).
    n_new : int
        How many new AEDs to place (>= 1, at most the number of candidates).
    radius_m : float
        Reach of one AED in ground metres (> 0); for a walking time use
        ``TravelModel.reach_m(minutes, "aed")``.
    candidates : GeoDataFrame, optional
        Possible sites (points; other shapes by a point inside them), any source: public places
        (:func:`place_candidates`), grid cells (:func:`grid_candidates`) or an uploaded file.
        Default: the centres of every populated cell. Candidates without a location, outside
        ``area`` (default: the population grid's extent plus ``radius_m``) or, with
        ``only_24h``, not open around the clock are left out and named in ``notes``.
    method : {"optimal", "greedy"}, default "optimal"
        "optimal" solves the MILP on HiGHS (greedy warm start, time limit, proven gap);
        "greedy" returns the lazy-greedy answer with its proven bound (about 0.1 s more
        is spent tightening that bound).
    at : datetime, date or ISO string, optional
        When the existing AEDs must be usable (China local time; see :mod:`geo.usable`).
    policy : UsabilityPolicy or str, default DEFAULT
        Which existing AEDs count (e.g. ``"planner"``).
    only_24h : bool, default False
        Count only existing AEDs open around the clock and keep only candidates that are:
        a candidate with an ``open_24h`` column is 24 h when it is True there; otherwise one
        whose ``hours`` value reads as 24 h (:func:`geo.hours.is_24h`). A candidate whose
        hours are empty or missing is **not** assumed to be open around the clock (unlike a
        registered AED, whose empty hours mean "always open"); grid candidates say
        ``open_24h = True`` (an outdoor cabinet).
    time_limit_s : float, default 60
        Seconds for the whole call (> 0): HiGHS gets what is left after the coverage sets,
        greedy and the Lagrangian bound, and the best solution found by then is returned with
        its gap. HiGHS checks its clock between LP solves, so a long interior-point solve can
        overrun it by a few seconds (6 s at 100k cells x 5k sites, 1000 m).
    mip_gap : float, default 0.0
        Relative gap at which HiGHS may stop (0 = prove optimality).
    progress : callable, optional
        ``progress(incumbent, bound, gap, elapsed_s)`` as the solver improves (people newly
        covered by the best set found and the proven upper bound; seconds since the call).
    stop : callable, optional
        Polled during the solve; returning True stops it and keeps the best set found.
    area : GeoDataFrame, optional
        The city or district polygons candidates must lie in (:func:`geo.filters.in_area`).

    Returns
    -------
    SitingResult

    Raises
    ------
    ValidationError
        ``bad_radius``; ``empty_population`` / ``bad_population_frame``; ``siting_bad_count``
        (``n_new`` < 1 or not whole); ``siting_too_many`` (more than the candidates);
        ``siting_bad_method``; ``siting_no_crs`` / ``siting_crs_mismatch`` /
        ``siting_not_geo``; ``siting_candidates_outside`` (every candidate outside the area);
        ``siting_no_candidates``; ``siting_no_24h_candidates``; ``siting_existing_no_status``;
        ``bad_argument`` (time limit, gap, flags).
    """
    start = time.perf_counter()
    method = _check_method(method)
    p = _check_count(n_new)
    time_limit_s = _check_positive("time_limit_s", time_limit_s)
    mip_gap = _check_positive("mip_gap", mip_gap, allow_zero=True, below=1.0)
    inst = _prepare(existing, population, radius_m, candidates, at=at, policy=policy,
                    only_24h=only_24h, area=area)
    if p > len(inst.candidates):
        msg = (f"n_new = {p} is more than the {len(inst.candidates)} candidate sites; "
               "add candidates or ask for fewer")
        raise ValidationError(msg, code="siting_too_many",
                              params={"n_new": p, "n_candidates": len(inst.candidates)})
    radius = check_radius(radius_m)
    matrix, weights = inst.matrix, inst.weights
    t0 = time.perf_counter()
    greedy = _greedy(matrix, weights, p)
    timings = {"greedy": time.perf_counter() - t0, "bound": 0.0, "solve": 0.0, "order": 0.0}
    common = {"start": start, "question": "max_cover", "n_requested": p,
              "target_share": None, "radius_m": radius}
    integral = bool(np.all(weights == np.round(weights)))
    bound = greedy.bound
    if not _proven(greedy.value, bound, integral) and p < matrix.shape[1]:
        t1 = time.perf_counter()
        budget = _BOUND_BUDGET_S if method == "greedy" else min(1.0, 0.05 * time_limit_s)
        bound = min(bound, _lagrangian_bound(matrix, weights, p, greedy.value, budget))
        timings["bound"] = time.perf_counter() - t1
    proven = p >= matrix.shape[1] or _proven(greedy.value, bound, integral)
    if proven:
        bound = greedy.value
    if progress is not None:  # the instant answer first
        progress(greedy.value, bound, _gap(greedy.value, bound), time.perf_counter() - start)
    if method == "greedy" or proven:
        return _result(inst, greedy.chosen, greedy.gains, method=method,
                       status="optimal" if proven else "heuristic", objective=greedy.value,
                       bound=bound, greedy_objective=greedy.value, timings=timings, **common)
    left_s = max(time_limit_s - (time.perf_counter() - start), 0.05 * time_limit_s)
    solved = _solve(matrix, weights, greedy.chosen, p=p, need=None, time_limit_s=left_s,
                    mip_gap=mip_gap, progress=progress, stop=stop, start=start, cap=bound)
    timings["solve"] = solved.seconds
    chosen = [int(j) for j in solved.chosen]
    value = _coverage_value(matrix, weights, chosen)
    if value < greedy.value:  # never return less than the warm start
        chosen, value = list(greedy.chosen), greedy.value
    t1 = time.perf_counter()
    ordered = _greedy(matrix, weights, len(chosen), allowed=np.asarray(chosen, dtype=np.int64))
    timings["order"] = time.perf_counter() - t1
    if math.isfinite(solved.bound):
        bound = min(bound, solved.bound)
    if solved.status == "optimal" or _proven(value, bound, integral):
        bound = value
    bound = max(bound, value)
    if progress is not None:
        progress(value, bound, _gap(value, bound), time.perf_counter() - start)
    return _result(inst, ordered.chosen, ordered.gains, method=method, status=solved.status,
                   objective=ordered.value, bound=bound, greedy_objective=greedy.value,
                   timings=timings, **common)


def aeds_for_share(existing: gpd.GeoDataFrame | None, population: gpd.GeoDataFrame,
                   target_share: float, radius_m: float,
                   candidates: gpd.GeoDataFrame | None = None, method: str = "optimal", *,
                   at: Any = None, policy: UsabilityPolicy | str | None = DEFAULT,
                   only_24h: bool = False, time_limit_s: float = 60.0,
                   progress: Progress | None = None, stop: Stop | None = None,
                   area: gpd.GeoDataFrame | None = None) -> SitingResult:
    """The fewest new AEDs that bring the covered share of people to ``target_share``.

    "optimal" solves a partial set-cover MILP on HiGHS: ``min sum x_j`` subject to
    ``y_i <= sum_{j in N_i} x_j`` and ``sum w_i y_i >= target * total - covered_before``,
    warm-started by greedy. What is proven: with status "optimal" no smaller number of the
    candidates reaches the target; otherwise ``bound`` is a proven lower bound on that number
    (the solver's dual bound, rounded up; at least the fewest largest single-site gains that
    add up to the need). "greedy" adds sites in greedy order until the target is reached.

    Parameters
    ----------
    existing, population, radius_m, candidates, method, at, policy, only_24h, time_limit_s,
    progress, stop, area
        As in :func:`site_aeds`; ``progress`` receives counts of AEDs (incumbent, lower bound).
    target_share : float
        Share of all people in the grid to cover, in (0, 1].

    Returns
    -------
    SitingResult
        ``question = "min_sites"``; ``objective`` is ``len(sites)``, ``bound`` the proven lower
        bound on it, ``greedy_objective`` greedy's count. When the existing AEDs already reach
        the target, ``sites`` is empty.

    Raises
    ------
    ValidationError
        As :func:`site_aeds`, plus ``siting_bad_target`` (not in (0, 1]) and
        ``siting_target_unreachable`` when even every candidate together falls short (the
        params give ``max_share``, the most they reach).
    """
    start = time.perf_counter()
    method = _check_method(method)
    target = _check_target(target_share)
    time_limit_s = _check_positive("time_limit_s", time_limit_s)
    inst = _prepare(existing, population, radius_m, candidates, at=at, policy=policy,
                    only_24h=only_24h, area=area)
    radius = check_radius(radius_m)
    matrix, weights = inst.matrix, inst.weights
    total = inst.total_pop
    need = target * total - inst.covered_before
    need_eps = need - _REL_TOL * max(total, 1.0)
    max_share = (inst.covered_before + inst.reachable) / total if total > 0 else 0.0
    common = {"start": start, "question": "min_sites", "n_requested": None,
              "target_share": target, "radius_m": radius}
    if need_eps <= 0:
        return _result(inst, [], [], method=method, status="optimal", objective=0.0, bound=0.0,
                       greedy_objective=0.0, timings={"greedy": 0.0, "solve": 0.0}, **common)
    if inst.reachable < need_eps:
        msg = (f"target_share {target:.4g} cannot be reached: all {len(inst.candidates)} "
               f"candidates together cover at most {max_share:.4%} of the people")
        raise ValidationError(msg, code="siting_target_unreachable",
                              params={"target": target, "max_share": max_share,
                                      "n_candidates": len(inst.candidates)})
    t0 = time.perf_counter()
    greedy = _greedy(matrix, weights, matrix.shape[1], target=need_eps)
    timings = {"greedy": time.perf_counter() - t0, "solve": 0.0, "order": 0.0}
    n_greedy = len(greedy.chosen)
    # a cheap lower bound: single-site gains are subadditive, so fewer than the count of the
    # largest gains that add up to the need cannot reach it
    single = np.sort(np.asarray(matrix.tocsc().T @ weights).ravel())[::-1]
    lower = int(np.searchsorted(np.cumsum(single), need_eps) + 1)
    lower = min(lower, n_greedy)
    if method == "greedy" or lower >= n_greedy:
        if progress is not None:
            progress(float(n_greedy), float(lower), _gap(n_greedy, lower),
                     time.perf_counter() - start)
        return _result(inst, greedy.chosen, greedy.gains, method=method,
                       status="optimal" if lower >= n_greedy else "heuristic",
                       objective=float(n_greedy), bound=float(lower),
                       greedy_objective=float(n_greedy), timings=timings, **common)
    if progress is not None:
        progress(float(n_greedy), float(lower), _gap(n_greedy, lower),
                 time.perf_counter() - start)
    left_s = max(time_limit_s - (time.perf_counter() - start), 0.05 * time_limit_s)
    solved = _solve(matrix, weights, greedy.chosen, p=None, need=need_eps,
                    time_limit_s=left_s, mip_gap=0.0, progress=progress, stop=stop,
                    start=start, cap=float(lower))
    timings["solve"] = solved.seconds
    chosen = [int(j) for j in solved.chosen]
    if _coverage_value(matrix, weights, chosen) < need_eps or len(chosen) > n_greedy:
        chosen = list(greedy.chosen)  # keep the warm start if the solver's set falls short
    t1 = time.perf_counter()
    ordered = _greedy(matrix, weights, len(chosen), allowed=np.asarray(chosen, dtype=np.int64))
    timings["order"] = time.perf_counter() - t1
    n_best = len(ordered.chosen)
    bound = float(lower)
    if math.isfinite(solved.bound):
        bound = max(bound, float(math.ceil(solved.bound - 1e-6)))
    if solved.status == "optimal":
        bound = float(n_best)
    bound = min(bound, float(n_best))
    if progress is not None:
        progress(float(n_best), bound, _gap(n_best, bound), time.perf_counter() - start)
    return _result(inst, ordered.chosen, ordered.gains, method=method, status=solved.status,
                   objective=float(n_best), bound=bound, greedy_objective=float(n_greedy),
                   timings=timings, **common)


# ----------------------------------------------------------------------------- what-if


class WhatIf:
    """Covered share as single AEDs are added or removed, updated from per-cell cover counts.

    Build it once from the demand and the current sites; each :meth:`add` or :meth:`remove`
    touches only the cells within ``radius_m`` of that one site (a KD-tree query on the demand
    points, checked in ground metres), so it costs well under a millisecond at 100k cells.

    Parameters
    ----------
    demand : Demand
        Population cell centres in metres (:func:`geo.coverage.demand_points`).
    site_xy : numpy.ndarray
        (n, 2) metric coordinates of the current sites, in ``demand.projector``'s CRS.
    site_ids : iterable of str
        One id per site (for :meth:`remove`); repeated ids are allowed and removed one at a
        time.
    radius_m : float
        Reach in ground metres (> 0).

    Attributes
    ----------
    total_pop : float
        People in the grid.
    """

    def __init__(self, demand: Demand, site_xy: np.ndarray, site_ids: Iterable[Any],
                 radius_m: float) -> None:
        self.radius_m = check_radius(radius_m)
        self.demand = demand
        self._pop = np.where(np.isfinite(demand.pop) & (demand.pop > 0), demand.pop, 0.0)
        self.total_pop = float(self._pop.sum())
        self._tree = cKDTree(demand.xy)
        ids = [str(i) for i in site_ids]
        site_xy = np.asarray(site_xy, dtype="float64").reshape(-1, 2)
        if len(ids) != site_xy.shape[0]:
            msg = f"site_ids has {len(ids)} ids for {site_xy.shape[0]} sites"
            raise ValidationError(msg)
        cover = covering_matrix(demand.xy, site_xy, self.radius_m, demand.projector).tocsc()
        cover.sort_indices()
        self._count = np.zeros(len(demand), dtype=np.int32)
        self._sites: dict[str, list[np.ndarray]] = {}
        for j, site_id in enumerate(ids):
            cells = cover.indices[cover.indptr[j]:cover.indptr[j + 1]].astype(np.int64)
            self._sites.setdefault(site_id, []).append(cells)
        np.add.at(self._count, cover.indices, 1)
        self._covered = float(self._pop[self._count > 0].sum())
        self._added = 0
        #: Id of the site the last :meth:`add` placed (None before any).
        self.last_added: str | None = None

    @classmethod
    def from_frames(cls, existing: gpd.GeoDataFrame | None, population: gpd.GeoDataFrame,
                    radius_m: float, *, at: Any = None,
                    policy: UsabilityPolicy | str | None = DEFAULT,
                    only_24h: bool = False) -> WhatIf:
        """Build from the resource table and the grid, as :func:`site_aeds` reads them.

        Only existing AEDs usable at ``at`` under ``policy`` (24 h ones with ``only_24h``)
        count; their ``id`` column (or index) names them for :meth:`remove`.
        """
        radius = check_radius(radius_m)
        demand = demand_points(population)
        _check_same_crs(population, existing=existing)
        rule = policy_of(policy)
        if only_24h and not rule.only_24h:
            rule = dataclasses.replace(rule, only_24h=True)
        if existing is None or len(existing) == 0:
            return cls(demand, np.zeros((0, 2)), [], radius)
        frame = existing
        if "kind" in frame.columns:
            frame = frame[(frame["kind"].astype(str).str.strip().str.lower() == "aed")
                          .to_numpy()]
        if "status" not in frame.columns:
            msg = "existing AEDs need a 'status' column to decide which are usable"
            raise ValidationError(msg, code="siting_existing_no_status")
        usable = Usability.from_frame(frame).mask(at, rule) if len(frame) else np.zeros(0, bool)
        lon, lat, ok = _lonlat(frame) if len(frame) else (np.zeros(0), np.zeros(0),
                                                          np.zeros(0, bool))
        keep = usable & ok
        ids = (frame["id"].astype(str).to_numpy() if "id" in frame.columns
               else np.asarray(frame.index.astype(str)))
        return cls(demand, demand.projector.project(lon[keep], lat[keep]), ids[keep], radius)

    @property
    def covered_pop(self) -> float:
        """People within reach of at least one site now."""
        return self._covered

    @property
    def share(self) -> float:
        """Covered share of all people now (0 for an empty grid)."""
        return self._covered / self.total_pop if self.total_pop > 0 else 0.0

    @property
    def site_ids(self) -> list[str]:
        """Ids of the current sites (one entry per site)."""
        return [site_id for site_id, stack in self._sites.items() for _ in stack]

    def cells_within(self, lon: float, lat: float) -> np.ndarray:
        """Positions of the demand cells within ``radius_m`` ground metres of a WGS84 point."""
        projector = self.demand.projector
        xy = projector.project(np.array([lon], "float64"), np.array([lat], "float64"))[0]
        if not np.all(np.isfinite(xy)):
            msg = f"the point ({lon!r}, {lat!r}) is not a WGS84 lon/lat"
            raise ValidationError(msg, code="bad_argument",
                                  params={"name": "lon, lat", "value": f"{lon}, {lat}",
                                          "expected": "WGS84 degrees"})
        near = np.asarray(self._tree.query_ball_point(xy, self.radius_m * _WHATIF_SLACK),
                          dtype=np.int64)
        if near.size == 0:
            return near
        ground = projector.ground_m(self.demand.xy[near], np.broadcast_to(xy, (near.size, 2)))
        return np.sort(near[ground <= self.radius_m])

    def gain(self, lon: float, lat: float) -> float:
        """People a new AED at (lon, lat) would newly cover (nothing is changed)."""
        cells = self.cells_within(lon, lat)
        return float(self._pop[cells[self._count[cells] == 0]].sum())

    def add(self, lon: float, lat: float, site_id: Any = None) -> float:
        """Add an AED at a WGS84 point; return the new covered share.

        ``site_id`` names it for :meth:`remove` (default ``"new-1"``, ``"new-2"``, ...).
        """
        cells = self.cells_within(lon, lat)
        fresh = cells[self._count[cells] == 0]
        self._covered += float(self._pop[fresh].sum())
        self._count[cells] += 1
        self._added += 1
        key = f"new-{self._added}" if site_id is None else str(site_id)
        self._sites.setdefault(key, []).append(cells)
        self.last_added = key
        return self.share

    def remove(self, site_id: Any) -> float:
        """Remove the site with this id (one of them if repeated); return the new share.

        Raises
        ------
        ValidationError
            ``whatif_unknown_site`` when no current site has that id.
        """
        key = str(site_id)
        stack = self._sites.get(key)
        if not stack:
            msg = f"no current site has the id {site_id!r}"
            raise ValidationError(msg, code="whatif_unknown_site", params={"site_id": key})
        cells = stack.pop()
        if not stack:
            del self._sites[key]
        self._count[cells] -= 1
        lost = cells[self._count[cells] == 0]
        self._covered = max(self._covered - float(self._pop[lost].sum()), 0.0)
        if not self._sites:
            self._covered = 0.0  # no float drift once every site is gone
        return self.share
