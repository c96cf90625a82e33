"""Coverage: who lives within reach of a usable resource, by district, with the gaps ranked.

The primitives here (demand points in metres, covering sets, covered masks) are shared with
:mod:`geo.siting`: one definition of "within reach", in ground metres (:mod:`geo.distance`).
A cell is covered when its centre is at most ``radius_m`` ground metres from a usable
resource; a centre at exactly the radius is covered.

On top of them:

* :func:`coverage` - people within a radius (or minutes, through the one travel model) of a
  usable resource of one kind, per district, and the uncovered cells merged into contiguous
  areas ranked by people (:class:`Coverage`);
* :func:`coverage_profile` and :func:`weekly_profile` - the same share hour by hour, next to
  the figure that counts every usable device as if it were open around the clock;
* :func:`place_coverage` - places (towns, scenic areas) and their nearest usable resource of
  a kind, within minutes or metres.

:class:`PopulationGrid` is a population grid prepared once (cell centres in metres, districts,
grid indices); the UI caches it per ``dataset.version`` and every function here takes it in
place of the GeoDataFrame.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import CRS
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.crs import metric_crs
from geo.distance import WGS84, Projector, transformer
from geo.errors import ValidationError
from geo.filters import districts_of_points
from geo.hours import CHINA_TZ
from geo.nearest import ResourceIndex, index_for, nearest
from geo.schema import KINDS
from geo.travel import MODES, TravelModel, travel_model
from geo.usable import DEFAULT, UsabilityPolicy, policy_of

__all__ = [
    "CONNECTIVITY", "GAP_COLUMNS", "MAX_GAPS", "PER_PEOPLE", "PROFILE_COLUMNS", "Coverage",
    "Demand", "GridProblem", "PopulationGrid", "Reach", "check_radius", "coverage",
    "coverage_profile", "covered_mask", "covering_matrix", "demand_points", "place_coverage",
    "reach", "usable_sites", "weekly_profile",
]

#: Gap areas are cut at the lines of a grid this wide (metres); see :func:`coverage`.
GAP_BLOCK_M = 1000.0
#: Slack on the grid radius when the projector's scale factor cannot be read: grid metres
#: exceed ground metres by the TM scale factor (at most 1.0014 over Jiangsu).
_GRID_SLACK = 1.002
#: Relative margin for float rounding between the KD-tree's grid distance and ``ground_m``.
_FLOAT_MARGIN = 1e-9
#: People per "per 100k" figure.
PER_PEOPLE = 100_000
#: Gap areas returned by :func:`coverage` unless told otherwise (the total is always counted).
MAX_GAPS = 200
#: Default neighbourhood of the gap areas: cells sharing an edge (4) merge; corner-only
#: contact (8) does not, so every area is one polygon.
CONNECTIVITY = 4
#: A cell centre may sit this fraction of a cell off the regular grid (rounded lon/lat).
_GRID_TOLERANCE = 0.25
#: Gap areas up to this many cells are unioned square by square (``coverage_union_all``);
#: larger ones are traced from their raster outline (cost grows with the outline).
_SMALL_AREA_CELLS = 128
#: Demand points from which KD-tree queries use every CPU core.
_PARALLEL_FROM = 4096
#: Columns of :attr:`Coverage.gaps` (besides geometry), in order.
GAP_COLUMNS: tuple[str, ...] = ("rank", "people", "n_cells", "city", "district", "lon", "lat")
#: Columns of :func:`coverage_profile` (weekly_profile adds ``weekday`` first).
PROFILE_COLUMNS: tuple[str, ...] = (
    "hour", "at", "share", "covered_pop", "n_usable", "share_24_7", "covered_pop_24_7",
    "n_usable_24_7", "overstatement_pts")
_BY_DISTRICT_COLUMNS: tuple[str, ...] = (
    "city", "district", "population", "covered", "share", "resources", "per_100k")


# --------------------------------------------------------------------------- input checks


def check_radius(radius_m: Any) -> float:
    """Return ``radius_m`` as a float, or raise a coded ValidationError unless finite and > 0."""
    try:
        value = float(radius_m)
    except (TypeError, ValueError) as exc:
        msg = f"radius_m must be a number of metres > 0, got {radius_m!r}"
        raise ValidationError(msg, code="bad_radius", params={"value": str(radius_m)}) from exc
    if not np.isfinite(value) or value <= 0:
        msg = f"radius_m must be finite and > 0, got {radius_m!r}"
        raise ValidationError(msg, code="bad_radius", params={"value": str(radius_m)})
    return value


def _check_kind(kind: Any, present: Iterable[str] = ()) -> str:
    known = sorted(set(KINDS) | set(present))
    if not isinstance(kind, str) or kind not in known:
        msg = f"unknown resource kind {kind!r}; expected one of {known}"
        raise ValidationError(msg, code="unknown_kind",
                              params={"kind": str(kind), "known": ", ".join(known)})
    return kind


def _check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    allowed = tuple(allowed)
    if value not in allowed:
        msg = f"{name} must be one of {allowed}, got {value!r}"
        raise ValidationError(msg, code="not_one_of",
                              params={"value": value, "allowed": ", ".join(map(str, allowed))})
    return value


def _check_count(name: str, value: Any, *, at_least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < at_least:
        msg = f"{name} must be a whole number >= {at_least}, got {value!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": name, "value": str(value),
                                      "expected": f"a whole number >= {at_least}"})
    return int(value)


def _is_wgs84(crs: Any) -> bool:
    return CRS(crs).equals(CRS(WGS84))


def _today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


@dataclass(frozen=True)
class Reach:
    """How far counts as "within reach": metres, and the minutes they came from.

    Attributes
    ----------
    radius_m : float
        Straight-line ground metres.
    minutes : float or None
        The minutes asked for (None when ``radius_m`` was given).
    mode : str or None
        ``"walk"`` or ``"drive"`` when minutes were converted, else None.
    """

    radius_m: float
    minutes: float | None = None
    mode: str | None = None


def reach(radius_m: Any = None, minutes: Any = None, kind: str = "aed", mode: str | None = None,
          travel: TravelModel | None = None) -> Reach:
    """Resolve a reach given as metres or as minutes (exactly one of them).

    Parameters
    ----------
    radius_m : float, optional
        Straight-line ground metres (> 0).
    minutes : float, optional
        Travel minutes (> 0), converted by :meth:`geo.travel.TravelModel.reach_m` (circuity and
        a rescue team's turnout included): on foot for AEDs, by car for other kinds, or
        ``mode``.
    kind : str, default "aed"
        The resource kind (picks the mode and the turnout).
    mode : {"walk", "drive"}, optional
        Overrides the kind's mode (walking to a first-aid station).
    travel : TravelModel, optional
        Default: the configured model (:func:`geo.travel.travel_model`).

    Returns
    -------
    Reach

    Raises
    ------
    ValidationError
        ``radius_or_minutes`` unless exactly one of ``radius_m`` and ``minutes`` is given;
        ``bad_radius``, ``bad_argument`` (minutes not > 0), ``not_one_of`` (mode) and
        ``minutes_below_turnout`` (no time left to move after a team's turnout).
    """
    if (radius_m is None) == (minutes is None):
        given = "both" if radius_m is not None else "neither"
        msg = f"give exactly one of radius_m and minutes, got {given}"
        raise ValidationError(msg, code="radius_or_minutes", params={"given": given})
    if mode is not None:
        _check_choice("mode", mode, MODES)
    if radius_m is not None:
        return Reach(check_radius(radius_m))
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        msg = f"minutes must be a finite number > 0, got {minutes!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "minutes", "value": str(minutes),
                                      "expected": "> 0"})
    model = travel or travel_model()
    used_mode = mode or model.mode(kind)
    metres = model.reach_m(value, kind, mode=used_mode)
    if metres <= 0:
        turnout = model.turnout_min(kind)
        msg = f"{value:g} minutes leave no time to move after the {turnout:g} min turnout"
        raise ValidationError(msg, code="minutes_below_turnout",
                              params={"minutes": f"{value:g}", "turnout": f"{turnout:g}"})
    return Reach(metres, value, used_mode)


# --------------------------------------------------------------------------- primitives


@dataclass(frozen=True)
class Demand:
    """Demand points (population cell centres) projected once to metres.

    Attributes
    ----------
    xy : numpy.ndarray
        (n, 2) metric coordinates of the cell centres.
    pop : numpy.ndarray
        People per cell (float64).
    projector : Projector
        The metric CRS used (shared with the sites).
    """

    xy: np.ndarray
    pop: np.ndarray
    projector: Projector

    def __len__(self) -> int:
        """Return the number of demand points."""
        return int(self.pop.shape[0])


def _population_frame(population: Any) -> gpd.GeoDataFrame:
    """The grid in WGS84 after the frame checks (coded errors)."""
    if population is None or (hasattr(population, "__len__") and len(population) == 0):
        msg = "the population grid is empty"
        raise ValidationError(msg, code="empty_population")
    if (not isinstance(population, gpd.GeoDataFrame) or "pop" not in population.columns
            or population.crs is None):
        msg = "population must be a GeoDataFrame with a CRS and a 'pop' column"
        raise ValidationError(msg, code="bad_population_frame")
    pop = pd.to_numeric(population["pop"], errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan)
    bad = ~(np.isfinite(pop) & (pop >= 0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = (f"population 'pop' must be finite numbers >= 0; {int(bad.sum())} bad value(s), "
               f"first at row {first}: {population['pop'].iloc[first]!r}")
        raise ValidationError(msg, code="bad_population_values",
                              params={"n": int(bad.sum()), "row": first,
                                      "value": str(population["pop"].iloc[first])})
    return population if _is_wgs84(population.crs) else population.to_crs(WGS84)


def _centres(frame: gpd.GeoDataFrame, projector: Projector | None
             ) -> tuple[np.ndarray, np.ndarray, Projector]:
    """Cell centres of a WGS84 grid: (metric xy (n, 2), lon/lat (n, 2), projector).

    Points are the centres; polygons (cell squares) give their centroid in the metric CRS.
    Without a projector, the metric CRS that fits the grid's bounds is used.
    """
    geoms = np.asarray(frame.geometry.values)  # plain object array: no pandas ufunc dispatch
    types = shapely.get_type_id(geoms)
    if (types == 0).all():
        lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)  # NaN for an empty point
        if np.isfinite(lon).all() and np.isfinite(lat).all():
            if projector is None:
                projector = Projector(metric_crs(lon.min(), lat.min(), lon.max(), lat.max()))
            return projector.project(lon, lat), np.column_stack([lon, lat]), projector
    projector = projector or Projector.for_data(frame)
    if np.isin(types, (3, 6)).all():  # Polygon, MultiPolygon
        metric = frame.geometry.to_crs(projector.metric_crs).centroid.values
        xy = np.column_stack([shapely.get_x(metric), shapely.get_y(metric)])
        lon, lat = transformer(projector.metric_crs, WGS84).transform(xy[:, 0], xy[:, 1])
        return xy, np.column_stack([np.asarray(lon), np.asarray(lat)]), projector
    msg = "population geometry must be all points (cell centres) or all polygons (cells)"
    raise ValidationError(msg, code="bad_population_frame")


def demand_points(population: Any, projector: Projector | None = None) -> Demand:
    """Project a population grid's cell centres to metres.

    Parameters
    ----------
    population : GeoDataFrame or PopulationGrid
        Cells with ``pop`` in any CRS (reprojected to WGS84 first); point geometry (cell
        centres) or polygons (their centroids are taken in the metric CRS). A prepared
        :class:`PopulationGrid` returns its demand.
    projector : Projector, optional
        Default: the metric CRS that fits the grid.

    Returns
    -------
    Demand

    Raises
    ------
    ValidationError
        ``empty_population`` when the grid has no cells; ``bad_population_frame`` when it has
        no ``pop`` column, no CRS or mixed geometry; ``bad_population_values`` for a ``pop``
        that is missing, negative or not finite.
    """
    if isinstance(population, PopulationGrid) and projector is None:
        return population.demand
    frame = _population_frame(population)
    xy, _, projector = _centres(frame, projector)
    pop = pd.to_numeric(frame["pop"]).to_numpy(dtype="float64")
    return Demand(xy, pop, projector)


def _grid_thresholds(projector: Projector, xy_a: np.ndarray, xy_b: np.ndarray,
                     radius_m: float) -> tuple[float, float]:
    """Grid-metre thresholds (sure, upper) bracketing ``radius_m`` ground metres.

    A pair whose grid distance is at most ``sure`` is within ``radius_m`` ground metres; one
    beyond ``upper`` is not; only the thin band between needs :meth:`Projector.ground_m`. The
    bounds come from the transverse-Mercator scale factor over the eastings present (the
    mean scale of a segment lies between its value at the smallest and the largest offset
    from the central meridian); other projections have grid == ground.
    """
    x_min = min(float(xy_a[:, 0].min()), float(xy_b[:, 0].min()))
    x_max = max(float(xy_a[:, 0].max()), float(xy_b[:, 0].max()))
    lo, hi = projector.scale_bounds(x_min, x_max)
    return radius_m * lo * (1.0 - _FLOAT_MARGIN), radius_m * hi * (1.0 + _FLOAT_MARGIN)


def covering_matrix(demand_xy: np.ndarray, site_xy: np.ndarray, radius_m: float,
                    projector: Projector) -> sp.csr_matrix:
    """Which sites reach which demand points: a sparse boolean (n_demand x n_sites) matrix.

    Pairs are found with a KD-tree in grid metres (bounded by the scale factor) and kept when
    their ground distance (:meth:`Projector.ground_m`) is at most ``radius_m``; a point at
    exactly the radius is covered.
    """
    radius_m = check_radius(radius_m)
    n, m = demand_xy.shape[0], site_xy.shape[0]
    if n == 0 or m == 0:
        return sp.csr_matrix((n, m), dtype=bool)
    _, upper = _grid_thresholds(projector, demand_xy, site_xy, radius_m)
    sites = cKDTree(site_xy)
    demand = cKDTree(demand_xy)
    pairs = demand.sparse_distance_matrix(sites, upper, output_type="ndarray")
    rows = pairs["i"].astype(np.int64)
    cols = pairs["j"].astype(np.int64)
    keep = projector.ground_m(demand_xy[rows], site_xy[cols]) <= radius_m
    rows, cols = rows[keep], cols[keep]
    data = np.ones(rows.size, dtype=bool)
    return sp.csr_matrix((data, (rows, cols)), shape=(n, m), dtype=bool)


def covered_mask(demand_xy: np.ndarray, site_xy: np.ndarray, radius_m: float,
                 projector: Projector) -> np.ndarray:
    """True for each demand point within ``radius_m`` ground metres of at least one site.

    The nearest site in grid metres decides all but the points whose nearest grid distance
    falls in the thin band where grid and ground metres can disagree (a few parts in 10^4 of
    the radius, from the scale factor over the eastings present); those are checked against
    every site in reach, vectorised, so the answer is exact in ground metres.
    """
    radius_m = check_radius(radius_m)
    n = demand_xy.shape[0]
    if n == 0 or site_xy.shape[0] == 0:
        return np.zeros(n, dtype=bool)
    sure_m, upper_m = _grid_thresholds(projector, demand_xy, site_xy, radius_m)
    tree = cKDTree(site_xy)
    workers = -1 if n >= _PARALLEL_FROM else 1
    dist, _ = tree.query(demand_xy, k=1, distance_upper_bound=upper_m, workers=workers)
    out = dist <= sure_m
    band = np.flatnonzero((dist <= upper_m) & ~out)
    if band.size:
        near = tree.query_ball_point(demand_xy[band], upper_m, workers=workers,
                                     return_sorted=False)
        counts = np.fromiter(map(len, near), dtype=np.int64, count=band.size)
        if counts.sum():
            cand = np.concatenate([np.asarray(c, dtype=np.int64) for c in near if c])
            owner = np.repeat(np.arange(band.size), counts)
            ok = projector.ground_m(demand_xy[band[owner]], site_xy[cand]) <= radius_m
            out[band] = np.bincount(owner, weights=ok, minlength=band.size) > 0
    return out


# --------------------------------------------------------------------------- prepared grid


def _require_columns(frame: Any, columns: tuple[str, ...], source: str) -> None:
    """Raise ``missing_columns`` naming what ``frame`` (called ``source``) lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{source} is missing column(s) {missing}"
        raise ValidationError(msg, code="missing_columns",
                              params={"missing": ", ".join(missing),
                                      "found": ", ".join(map(str, frame.columns)),
                                      "source": source})


def _check_boundaries(boundaries: Any) -> gpd.GeoDataFrame | None:
    if boundaries is None:
        return None
    if not isinstance(boundaries, gpd.GeoDataFrame) or boundaries.crs is None:
        msg = "boundaries must be a GeoDataFrame with a CRS and columns city, district"
        raise ValidationError(msg, code="bad_boundaries_frame")
    _require_columns(boundaries, ("city", "district"), "boundaries")
    return boundaries


def _labels(values: Any) -> np.ndarray:
    """Object array with None for missing values."""
    series = pd.Series(values).astype(object)
    return series.where(series.notna(), None).to_numpy(dtype=object)


def _factorize(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, label per code) of a column; missing values share one None label."""
    if values is None:
        return np.zeros(n, dtype=np.int64), np.array([None], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), _labels(np.asarray(uniques, dtype=object))


@dataclass(frozen=True, eq=False)
class PopulationGrid:
    """A population grid prepared once for coverage questions (the UI caches it per version).

    Build it with :meth:`from_frame`. Every coverage function takes it in place of the
    population GeoDataFrame, so the centres are projected and the districts factorised once.

    Attributes
    ----------
    demand : Demand
        Cell centres in metres, people per cell and the projector.
    lonlat : numpy.ndarray
        (n, 2) WGS84 cell centres.
    group : numpy.ndarray of int64
        Row of :attr:`districts` holding each cell.
    districts : pandas.DataFrame
        ``city``, ``district`` of each group (None where the cells name none); boundary
        districts without cells are included when boundaries were given.
    cell_m : float or None
        Side of the grid cells in metres (None when the cells are not one size).
    grid_ij : numpy.ndarray or None
        (n, 2) int64 column and row of each cell on the regular grid in the metric CRS
        (cell (0, 0) is centred at :attr:`grid_origin`); None when the cells are not on one.
    grid_origin : tuple of float
        Metric x, y of the centre of grid cell (0, 0).
    grid_problem : GridProblem or None
        Why the cells are not one regular grid (then gap areas cannot be drawn).
    """

    demand: Demand
    lonlat: np.ndarray
    group: np.ndarray
    districts: pd.DataFrame
    cell_m: float | None
    grid_ij: np.ndarray | None
    grid_origin: tuple[float, float]
    grid_problem: GridProblem | None

    def __len__(self) -> int:
        """Return the number of cells."""
        return len(self.demand)

    @property
    def pop(self) -> np.ndarray:
        """People per cell (float64)."""
        return self.demand.pop

    @property
    def projector(self) -> Projector:
        """The metric CRS of the centres."""
        return self.demand.projector

    @classmethod
    def from_frame(cls, population: Any, *, boundaries: gpd.GeoDataFrame | None = None,
                   projector: Projector | None = None,
                   cell_m: float | None = None) -> PopulationGrid:
        """Prepare a population grid: centres in metres, districts, grid indices.

        Parameters
        ----------
        population : GeoDataFrame
            Cells with ``pop`` (people, >= 0) in any CRS: points at the cell centres or the
            cell squares. ``city``/``district`` name each cell's district; ``cell_m`` gives
            the cell side in metres.
        boundaries : GeoDataFrame, optional
            District polygons with ``city``, ``district``: cells without district columns are
            placed by their centre, and districts without cells still get a row.
        projector : Projector, optional
            Default: the metric CRS that fits the grid (EPSG:4549 in south Jiangsu).
        cell_m : float, optional
            Cell side in metres when the frame has no ``cell_m`` column. Default: the square's
            side for polygons, the median spacing to the nearest centre for points.

        Returns
        -------
        PopulationGrid

        Raises
        ------
        ValidationError
            As :func:`demand_points`; ``bad_boundaries_frame`` / ``missing_columns`` for
            unusable boundaries.
        """
        frame = _population_frame(population)
        bounds = _check_boundaries(boundaries)
        xy, lonlat, projector = _centres(frame, projector)
        pop = pd.to_numeric(frame["pop"]).to_numpy(dtype="float64")
        demand = Demand(xy, pop, projector)

        n = len(frame)
        if bounds is not None and not {"city", "district"} <= set(frame.columns):
            city, district = districts_of_points(bounds, lonlat[:, 0], lonlat[:, 1])
        else:
            city = frame["city"] if "city" in frame.columns else None
            district = frame["district"] if "district" in frame.columns else None
        city_code, city_label = _factorize(city, n)
        district_code, district_label = _factorize(district, n)
        pair = city_code * district_label.size + district_code
        group, uniq = pd.factorize(pair)  # groups in order of first appearance
        group = np.asarray(group, dtype=np.int64)
        table = pd.DataFrame({"city": city_label[uniq // district_label.size],
                              "district": district_label[uniq % district_label.size]},
                             dtype=object)
        if bounds is not None:
            extra = pd.DataFrame({"city": _labels(bounds["city"]),
                                  "district": _labels(bounds["district"])})
            known = set(zip(table["city"], table["district"], strict=True))
            extra = extra[[(c, d) not in known for c, d in
                           zip(extra["city"], extra["district"], strict=True)]]
            table = pd.concat([table, extra.drop_duplicates()], ignore_index=True)

        size, grid_ij, origin, problem = _grid_of(frame, xy, projector, cell_m)
        return cls(demand, lonlat, group, table, size, grid_ij, origin, problem)


def _cell_sizes(frame: gpd.GeoDataFrame, xy: np.ndarray, projector: Projector,
                cell_m: float | None) -> np.ndarray | None:
    """Cell side per row in metres (None when it cannot be told)."""
    if cell_m is not None:
        return np.full(len(frame), check_radius(cell_m))
    if "cell_m" in frame.columns:
        sizes = pd.to_numeric(frame["cell_m"], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
        return sizes if (np.isfinite(sizes) & (sizes > 0)).all() else None
    if not (shapely.get_type_id(frame.geometry.values) == 0).all():
        area = frame.geometry.to_crs(projector.metric_crs).area.to_numpy()
        return np.sqrt(area)
    if len(frame) < 2:
        return None
    dist, _ = cKDTree(xy).query(xy, k=2)
    spacing = float(np.median(dist[:, 1]))
    return np.full(len(frame), spacing) if spacing > 0 else None


class GridProblem(NamedTuple):
    """Why a population's cells are not one regular grid: a message code, params and text."""

    code: str
    params: dict[str, Any]
    message: str


def _grid_of(frame: gpd.GeoDataFrame, xy: np.ndarray, projector: Projector,
             cell_m: float | None) -> tuple[float | None, np.ndarray | None,
                                            tuple[float, float], GridProblem | None]:
    """(cell side, grid indices, origin, problem): the cells' places on a regular grid."""
    origin = (float(xy[0, 0]), float(xy[0, 1]))
    sizes = _cell_sizes(frame, xy, projector, cell_m)
    if sizes is None:
        return None, None, origin, GridProblem(
            "unknown_cell_size", {}, "the cell size is unknown: give a cell_m column")
    size = float(np.median(sizes))
    if np.abs(sizes - size).max() > 1e-6 * size:
        shown = ", ".join(f"{v:g}" for v in sorted(pd.unique(np.round(sizes, 3)))[:5])
        return None, None, origin, GridProblem(
            "mixed_cell_sizes", {"sizes": shown}, f"the cells are not one size ({shown} m)")
    rel_x = (xy[:, 0] - origin[0]) / size
    rel_y = (xy[:, 1] - origin[1]) / size
    i, j = np.rint(rel_x), np.rint(rel_y)
    off = max(float(np.abs(rel_x - i).max()), float(np.abs(rel_y - j).max()))
    params = {"cell_m": f"{size:g}", "crs": projector.metric_crs}
    if off > _GRID_TOLERANCE:
        return size, None, origin, GridProblem(
            "not_a_grid", params, f"cell centres are up to {off * size:.0f} m off a regular "
                                  f"{size:g} m grid in {projector.metric_crs}")
    i, j = i.astype(np.int64), j.astype(np.int64)
    i_min, j_min = int(i.min()), int(j.min())
    keys = (j - j_min) * (int(i.max()) - i_min + 1) + (i - i_min)
    ij = np.column_stack([i, j])
    ordered = np.sort(keys)
    if (ordered[1:] == ordered[:-1]).any():
        return size, None, origin, GridProblem(
            "not_a_grid", params, f"two or more cells share one {size:g} m grid square")
    return size, ij, origin, None


# --------------------------------------------------------------------------- usable sites


def _check_resources(resources: Any) -> None:
    if isinstance(resources, ResourceIndex):
        return
    if not isinstance(resources, gpd.GeoDataFrame) or resources.crs is None:
        msg = ("resources must be a GeoDataFrame with a CRS (WGS84 lon/lat is EPSG:4326) or a "
               f"ResourceIndex, got {type(resources).__name__}"
               + ("" if not isinstance(resources, gpd.GeoDataFrame) else " without a CRS"))
        raise ValidationError(msg, code="bad_resources_frame")
    _require_columns(resources, ("id", "kind", "status"), "resources")


def _check_exclude(exclude: Any, n: int) -> None:
    if exclude is None or isinstance(exclude, str | bytes):
        return
    dtype = getattr(exclude, "dtype", None)
    if dtype is not None and np.dtype(dtype) == bool and np.shape(exclude) != (n,):
        msg = f"exclude mask must have one value per resource ({n}), got shape {np.shape(exclude)}"
        raise ValidationError(msg, code="bad_exclude_mask",
                              params={"n": n, "shape": str(np.shape(exclude))})


def usable_sites(resources: gpd.GeoDataFrame | ResourceIndex, kind: str = "aed", at: Any = None,
                 policy: UsabilityPolicy | str = DEFAULT, *,
                 exclude: Any = None) -> tuple[ResourceIndex, np.ndarray]:
    """The usable resources of ``kind``: their index and row positions in it.

    Parameters
    ----------
    resources : GeoDataFrame or ResourceIndex
        Resource points (any CRS) with ``id``, ``kind``, ``status`` and optionally ``hours``,
        ``pads_expiry``, ``battery_expiry``; indexed once per content
        (:func:`geo.nearest.index_for`).
    kind : str, default "aed"
        A kind of :data:`geo.schema.KINDS` (or present in the resources).
    at : datetime, date or ISO string, optional
        With a time of day, only resources open then count (as the policy says); its date
        judges expiry. Default: today's date in China (expiry checked, hours not).
    policy : UsabilityPolicy or str, default DEFAULT
        What "usable" means (:data:`geo.usable.POLICIES`).
    exclude : iterable of str or boolean array, optional
        Resources left out whatever the policy says: ids, or one bool per resource row.

    Returns
    -------
    index : ResourceIndex
    positions : numpy.ndarray of int64
        Row positions of the usable resources (``index.lon[positions]`` ...), which are also
        row positions in a GeoDataFrame ``resources``.

    Raises
    ------
    ValidationError
        ``bad_resources_frame``, ``missing_columns``, ``unknown_kind``, ``bad_exclude_mask``;
        a bad ``at`` or policy.
    """
    _check_resources(resources)
    rule = policy_of(policy)
    index = index_for(resources)
    _check_kind(kind, index.kinds)
    _check_exclude(exclude, len(index))
    when = _today() if at is None else at
    positions = index.candidates(kind, when, policy=rule, exclude=exclude)
    return index, np.asarray(positions, dtype=np.int64)


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    """Who lives within reach of a usable resource: totals, districts and ranked gap areas.

    Attributes
    ----------
    covered_pop : float
        People in covered cells.
    total_pop : float
        People in the grid.
    share : float
        ``covered_pop / total_pop`` (0 for a grid of zeros).
    radius_m : float
        The reach in straight-line ground metres.
    minutes : float or None
        The minutes the reach came from (None when ``radius_m`` was given).
    mode : str or None
        ``"walk"``/``"drive"`` when minutes were converted.
    kind : str
        The resource kind counted.
    n_resources : int
        Usable resources of ``kind`` counted (after ``exclude``).
    per_100k : float
        ``n_resources`` per 100,000 people of the grid (AEDs per 100k for ``kind="aed"``);
        also :attr:`aeds_per_100k`. NaN for a grid of zeros.
    by_district : pandas.DataFrame
        One row per district: ``city``, ``district``, ``population``, ``covered`` (people),
        ``share``, ``resources`` (usable ones of ``kind`` in the district, by its
        ``district`` column or, with boundaries, by location), ``per_100k`` (NaN where no
        people live). Population and covered sum to the totals.
    covered : numpy.ndarray of bool
        Per population row, in row order: the cell centre is within reach (read-only).
    gaps : geopandas.GeoDataFrame
        Uncovered cells with people merged into contiguous areas (cells sharing an edge for
        ``connectivity=4``, also a corner for 8), ranked by people, the top ``max_gaps``:
        ``rank`` (1 = most people), ``people``, ``n_cells``, ``city`` and ``district`` (the
        district holding most of the area's people), ``lon``/``lat`` (the centre of its most
        populous cell, inside the area), ``cell_m`` (the grid's cell side, so the area is
        ``n_cells * cell_m ** 2`` square metres) and the union of its cell squares as
        geometry (WGS84 polygons). Ties in people rank the larger area first, then the one whose
        first cell comes first.
    n_gaps : int or None
        How many gap areas there are in total (None when ``max_gaps=0`` skipped them).
    at : object
        The time (or date) usability was judged at; None means today's date.
    policy : str
        Name of the usability policy.
    """

    covered_pop: float
    total_pop: float
    share: float
    radius_m: float
    minutes: float | None
    mode: str | None
    kind: str
    n_resources: int
    per_100k: float
    by_district: pd.DataFrame
    covered: np.ndarray
    gaps: gpd.GeoDataFrame
    n_gaps: int | None
    at: Any
    policy: str

    @property
    def aeds_per_100k(self) -> float:
        """Usable resources of the kind per 100k people (AEDs for the default kind)."""
        return self.per_100k

    @property
    def uncovered_pop(self) -> float:
        """People beyond reach."""
        return self.total_pop - self.covered_pop


def _resource_districts(resources: Any, index: ResourceIndex, positions: np.ndarray,
                        boundaries: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    if boundaries is not None:
        return districts_of_points(boundaries, index.lon[positions], index.lat[positions])
    n = positions.size
    if (isinstance(resources, gpd.GeoDataFrame) and "district" in resources.columns
            and "city" in resources.columns):
        return (_labels(resources["city"].iloc[positions]),
                _labels(resources["district"].iloc[positions]))
    return np.full(n, None, dtype=object), np.full(n, None, dtype=object)


def _by_district(grid: PopulationGrid, covered: np.ndarray, res_city: np.ndarray,
                 res_district: np.ndarray) -> pd.DataFrame:
    n_groups = len(grid.districts)
    pop = np.bincount(grid.group, weights=grid.pop, minlength=n_groups)
    cov = np.bincount(grid.group, weights=np.where(covered, grid.pop, 0.0), minlength=n_groups)
    table = grid.districts.assign(population=pop, covered=cov)
    counts: dict[tuple, int] = {}
    for key in zip(res_city, res_district, strict=True):
        counts[key] = counts.get(key, 0) + 1
    known = {key: i for i, key in enumerate(zip(table["city"], table["district"], strict=True))}
    resources = np.zeros(n_groups, dtype=np.int64)
    extra = []
    for key, count in counts.items():
        if key in known:
            resources[known[key]] = count
        else:
            extra.append({"city": key[0], "district": key[1], "population": 0.0,
                          "covered": 0.0, "resources": count})
    table = table.assign(resources=resources)
    if extra:
        table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    people = table["population"].where(table["population"] > 0)
    table["share"] = table["covered"] / people
    table["per_100k"] = table["resources"] / people * PER_PEOPLE
    table["resources"] = table["resources"].astype("int64")
    return table[list(_BY_DISTRICT_COLUMNS)].reset_index(drop=True)


def _frozen(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


def coverage(resources: gpd.GeoDataFrame | ResourceIndex, population: Any,
             radius_m: float | None = None, at: Any = None,
             policy: UsabilityPolicy | str = DEFAULT, *, minutes: float | None = None,
             kind: str = "aed", mode: str | None = None, exclude: Any = None,
             boundaries: gpd.GeoDataFrame | None = None, travel: TravelModel | None = None,
             max_gaps: int = MAX_GAPS, connectivity: int = CONNECTIVITY,
             block_m: float | None = GAP_BLOCK_M) -> Coverage:
    """People within reach of a usable resource of ``kind``, by district, with the gap areas.

    Parameters
    ----------
    resources : GeoDataFrame or ResourceIndex
        Resource points in any CRS with ``id``, ``kind``, ``status`` (optionally ``hours``,
        ``pads_expiry``, ``battery_expiry``, ``city``, ``district``).
    population : GeoDataFrame or PopulationGrid
        The grid: ``pop`` per cell, points at the cell centres or the cell squares, any CRS
        (reprojected), ``city``/``district``/``cell_m`` columns as in the dataset. A prepared
        :class:`PopulationGrid` skips the preparation (cache one per dataset version).
    radius_m : float, optional
        Reach in straight-line ground metres (> 0). Give this or ``minutes``.
    at : datetime, date or ISO string, optional
        Judge usability at this time: with a time of day only resources open then count;
        expiry is judged on its date. Default: today's date (expiry, not hours).
    policy : UsabilityPolicy or str, default DEFAULT
        What "usable" means (:data:`geo.usable.POLICIES`): active and not expired by default.
    minutes : float, optional
        Reach in minutes, converted by the travel model (circuity included): on foot for
        AEDs, by car for other kinds, or ``mode``.
    kind : str, default "aed"
        The resource kind that covers.
    mode : {"walk", "drive"}, optional
        Travel mode for ``minutes`` (default: the kind's).
    exclude : iterable of str or boolean array, optional
        Resources left out (ids, or one bool per resource row), as in :func:`geo.nearest.nearest`.
    boundaries : GeoDataFrame, optional
        District polygons (``city``, ``district``): resources are counted per district by
        location, cells without district columns are placed by centre, and districts with no
        cells get a row. Ignored for placing cells when ``population`` is a PopulationGrid.
    travel : TravelModel, optional
        Default: the configured model.
    max_gaps : int, default 200
        Gap areas returned (most people first); ``n_gaps`` counts all. 0 skips the gaps.
    connectivity : {4, 8}, default 4
        Cells sharing an edge (4) or also a corner (8) belong to one gap area.
    block_m : float or None, default 1000
        Gap areas are cut at the lines of a ``block_m`` grid, so none is wider than one
        block: where most of a city is uncovered, one contiguous area would be the whole
        city, and a planner needs blocks a few AEDs could serve. None keeps whole areas.

    Returns
    -------
    Coverage

    Raises
    ------
    ValidationError
        ``radius_or_minutes``, ``bad_radius``, ``bad_argument``, ``minutes_below_turnout``,
        ``unknown_kind``, ``not_one_of`` (mode, connectivity), ``empty_population``,
        ``bad_population_frame``, ``bad_population_values``, ``bad_resources_frame``,
        ``missing_columns``, ``bad_exclude_mask``; ``not_a_grid``, ``mixed_cell_sizes`` or
        ``unknown_cell_size`` when gap areas are asked of cells that are not one regular grid
        (pass ``max_gaps=0``).
    """
    max_gaps = _check_count("max_gaps", max_gaps)
    _check_choice("connectivity", connectivity, (4, 8))
    _check_resources(resources)
    if isinstance(resources, gpd.GeoDataFrame):
        _check_kind(kind, pd.unique(resources["kind"].astype(str)))
    reached = reach(radius_m, minutes, kind, mode, travel)
    bounds = _check_boundaries(boundaries)
    grid = (population if isinstance(population, PopulationGrid)
            else PopulationGrid.from_frame(population, boundaries=bounds))
    rule = policy_of(policy)
    index, positions = usable_sites(resources, kind, at, rule, exclude=exclude)
    site_xy = grid.projector.project(index.lon[positions], index.lat[positions])
    covered = covered_mask(grid.demand.xy, site_xy, reached.radius_m, grid.projector)

    total = float(grid.pop.sum())
    covered_pop = float(grid.pop[covered].sum())
    res_city, res_district = _resource_districts(resources, index, positions, bounds)
    table = _by_district(grid, covered, res_city, res_district)
    if max_gaps:
        gaps, n_gaps = _gaps(grid, covered, max_gaps, connectivity, block_m)
    else:
        gaps, n_gaps = _empty_gaps(), None
    return Coverage(
        covered_pop=covered_pop, total_pop=total, share=covered_pop / total if total else 0.0,
        radius_m=reached.radius_m, minutes=reached.minutes, mode=reached.mode, kind=kind,
        n_resources=int(positions.size),
        per_100k=positions.size / total * PER_PEOPLE if total else math.nan,
        by_district=table, covered=_frozen(covered), gaps=gaps, n_gaps=n_gaps, at=at,
        policy=rule.name)


# --------------------------------------------------------------------------- gap areas


def _empty_gaps() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "rank": pd.Series(dtype="int64"), "people": pd.Series(dtype="float64"),
        "n_cells": pd.Series(dtype="int64"), "city": pd.Series(dtype=object),
        "district": pd.Series(dtype=object), "lon": pd.Series(dtype="float64"),
        "lat": pd.Series(dtype="float64"), "cell_m": pd.Series(dtype="float64")})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _components(ij: np.ndarray, connectivity: int,
                block: int | None = None) -> tuple[int, np.ndarray]:
    """Connected components of cells on an integer grid: (count, label per cell).

    With ``block`` (cells per side), cells in different ``block`` x ``block`` tiles of the
    grid are never joined, so no area is larger than one tile.
    """
    i = ij[:, 0] - ij[:, 0].min() + 1
    j = ij[:, 1] - ij[:, 1].min() + 1
    width = int(i.max()) + 2  # a padding column each side: a step of +-1 never wraps a row
    keys = j * width + i
    order = np.argsort(keys)  # keys are unique: any sort will do
    ordered = keys[order]
    steps = [1, width] + ([width - 1, width + 1] if connectivity == 8 else [])
    src, dst = [], []
    for step in steps:
        pos = np.searchsorted(ordered, ordered + step)
        hit = pos < ordered.size
        hit[hit] = ordered[pos[hit]] == ordered[hit] + step
        src.append(np.flatnonzero(hit))
        dst.append(pos[hit])
    a, b = np.concatenate(src), np.concatenate(dst)
    if block is not None:
        tile_i = ij[order, 0] // block
        tile_j = ij[order, 1] // block
        same = (tile_i[a] == tile_i[b]) & (tile_j[a] == tile_j[b])
        a, b = a[same], b[same]
    graph = sp.coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)),
                          shape=(ordered.size, ordered.size)).tocsr()
    count, sorted_labels = connected_components(graph, directed=False)
    labels = np.empty(ordered.size, dtype=np.int64)
    labels[order] = sorted_labels
    return int(count), labels


def _area_polygon(i: np.ndarray, j: np.ndarray, size: float,
                  origin: tuple[float, float]) -> shapely.Geometry:
    """Union of the squares of grid cells (column i, row j), from the raster's outline.

    The outline is traced on a small raster of the area: boundary edges between member and
    other cells, merged into straight runs that break wherever a perpendicular boundary edge
    meets them (so the segments are noded), then polygonized. Of the faces, those whose
    interior is made of member cells are the area (one face for 4-connected cells). Every
    corner's coordinate is computed from its integer grid line, so equal corners are equal
    floats. Cost grows with the outline, not the number of cells.
    """
    x0, y0 = origin
    if i.size <= _SMALL_AREA_CELLS:
        boxes = shapely.box(x0 + (2 * i - 1) * size / 2, y0 + (2 * j - 1) * size / 2,
                            x0 + (2 * i + 1) * size / 2, y0 + (2 * j + 1) * size / 2)
        return boxes[0] if i.size == 1 else shapely.coverage_union_all(boxes)
    i0, j0 = int(i.min()) - 1, int(j.min()) - 1
    width, height = int(i.max()) - i0 + 2, int(j.max()) - j0 + 2
    member = np.zeros((height, width), dtype=bool)
    member[j - j0, i - i0] = True
    h_edge = member[1:, :] != member[:-1, :]  # line k (rows k | k+1), spanning column l
    v_edge = member[:, 1:] != member[:, :-1]  # line l (columns l | l+1), spanning row k

    def line_x(n: np.ndarray) -> np.ndarray:  # grid line right of raster column n
        return x0 + (2 * (i0 + n) + 1) * size / 2

    def line_y(n: np.ndarray) -> np.ndarray:  # grid line above raster row n
        return y0 + (2 * (j0 + n) + 1) * size / 2

    # corner (k, l) joins rows k, k+1 and columns l, l+1
    touch_v = v_edge[:-1, :] | v_edge[1:, :]
    touch_h = h_edge[:, :-1] | h_edge[:, 1:]
    run_h = np.pad(h_edge[:, :-1] & h_edge[:, 1:] & ~touch_v, ((0, 0), (0, 1)))
    starts_h = h_edge & ~np.pad(run_h[:, :-1], ((0, 0), (1, 0)))
    ends_h = h_edge & ~run_h
    ks, ls = np.nonzero(starts_h)
    _, le = np.nonzero(ends_h)
    horizontal = np.stack([np.column_stack([line_x(ls - 1), line_y(ks)]),
                           np.column_stack([line_x(le), line_y(ks)])], axis=1)
    run_v = np.pad(v_edge[:-1, :] & v_edge[1:, :] & ~touch_h, ((0, 1), (0, 0)))
    starts_v = v_edge & ~np.pad(run_v[:-1, :], ((1, 0), (0, 0)))
    ends_v = v_edge & ~run_v
    lv, kv = np.nonzero(starts_v.T)
    _, ke = np.nonzero(ends_v.T)
    vertical = np.stack([np.column_stack([line_x(lv), line_y(kv - 1)]),
                         np.column_stack([line_x(lv), line_y(ke)])], axis=1)
    segments = shapely.linestrings(np.concatenate([horizontal, vertical]))
    faces = shapely.get_parts(shapely.polygonize(segments))
    ring = shapely.get_exterior_ring(faces)
    p0 = shapely.get_coordinates(shapely.get_point(ring, 0))
    p1 = shapely.get_coordinates(shapely.get_point(ring, 1))
    step = (p1 - p0) / np.linalg.norm(p1 - p0, axis=1)[:, None]
    inward = np.where(shapely.is_ccw(ring), 1.0, -1.0)[:, None] * np.column_stack(
        [-step[:, 1], step[:, 0]])
    probe = p0 + (step + inward) * size / 2  # centre of the cell inside the first edge
    col = np.floor((probe[:, 0] - x0) / size + 0.5).astype(np.int64) - i0
    row = np.floor((probe[:, 1] - y0) / size + 0.5).astype(np.int64) - j0
    kept = faces[member[row, col]]
    return kept[0] if kept.size == 1 else shapely.union_all(kept)


def _gaps(grid: PopulationGrid, covered: np.ndarray, max_gaps: int,
          connectivity: int, block_m: float | None = None) -> tuple[gpd.GeoDataFrame, int]:
    """The top ``max_gaps`` gap areas and how many there are in total."""
    cells = np.flatnonzero(~covered & (grid.pop > 0))
    if cells.size == 0:
        return _empty_gaps(), 0
    problem = grid.grid_problem
    if problem is not None or grid.grid_ij is None or grid.cell_m is None:
        problem = problem or GridProblem("not_a_grid", {"cell_m": "?", "crs": "?"},
                                         "the cells are not on a regular grid")
        msg = f"gap areas need cells on one regular grid: {problem.message}; pass max_gaps=0"
        if problem.code == "unknown_cell_size":
            raise ValidationError(msg, code="unknown_cell_size", params=problem.params)
        if problem.code == "mixed_cell_sizes":
            raise ValidationError(msg, code="mixed_cell_sizes", params=problem.params)
        raise ValidationError(msg, code="not_a_grid", params=problem.params)
    block = None if block_m is None else max(round(float(block_m) / grid.cell_m), 1)
    count, labels = _components(grid.grid_ij[cells], connectivity, block)
    pop = grid.pop[cells]
    people = np.bincount(labels, weights=pop, minlength=count)
    n_cells = np.bincount(labels, minlength=count)
    first = np.full(count, cells.size, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(cells.size))  # position of each area's first cell
    ranked = np.lexsort((first, -n_cells, -people))[:max_gaps]
    top = ranked.size
    rank_of = np.full(count, -1, dtype=np.int64)
    rank_of[ranked] = np.arange(top)
    rank = rank_of[labels]
    sel = rank >= 0
    cells, rank, pop = cells[sel], rank[sel], pop[sel]

    # district holding most of each area's people (ties: the first group)
    n_groups = len(grid.districts)
    by_group = np.bincount(rank * n_groups + grid.group[cells], weights=pop,
                           minlength=top * n_groups).reshape(top, n_groups)
    main = by_group.argmax(axis=1)
    # representative point: the most populous cell (ties: the first)
    order = np.lexsort((cells, -pop, rank))
    ranks = rank[order]
    head = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]])
    best = cells[order[head]]

    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(top + 1))
    ij = grid.grid_ij[cells[by_rank]]
    polygons = np.array([_area_polygon(ij[a:b, 0], ij[a:b, 1], grid.cell_m, grid.grid_origin)
                         for a, b in itertools.pairwise(bounds)], dtype=object)
    to_wgs84 = transformer(grid.projector.metric_crs, WGS84)

    def reproject(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    geometry = shapely.transform(polygons, reproject)
    frame = pd.DataFrame({
        "rank": np.arange(1, top + 1, dtype=np.int64),
        "people": people[ranked],
        "n_cells": n_cells[ranked].astype(np.int64),
        "city": grid.districts["city"].to_numpy(dtype=object)[main],
        "district": grid.districts["district"].to_numpy(dtype=object)[main],
        "lon": grid.lonlat[best, 0],
        "lat": grid.lonlat[best, 1],
        "cell_m": np.full(top, grid.cell_m),
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84), count


# --------------------------------------------------------------------------- hour profiles


def _mask_key(mask: np.ndarray) -> bytes:
    return hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest()


def _profile(resources: Any, population: Any, times: list[dt.datetime],
             radius_m: float | None, policy: UsabilityPolicy | str, minutes: float | None,
             kind: str, mode: str | None, exclude: Any, travel: TravelModel | None
             ) -> pd.DataFrame:
    _check_resources(resources)
    if isinstance(resources, gpd.GeoDataFrame):
        _check_kind(kind, pd.unique(resources["kind"].astype(str)))
    reached = reach(radius_m, minutes, kind, mode, travel)
    grid = (population if isinstance(population, PopulationGrid)
            else PopulationGrid.from_frame(population))
    rule = policy_of(policy)
    anytime = dataclasses.replace(rule, name=f"{rule.name}_24_7", require_open=False)
    index = index_for(resources)
    _check_kind(kind, index.kinds)
    _check_exclude(exclude, len(index))
    total = float(grid.pop.sum())
    cache: dict[bytes, float] = {}

    def covered_people(at: Any, which: UsabilityPolicy) -> tuple[float, int]:
        positions = index.candidates(kind, at, policy=which, exclude=exclude)
        mask = np.zeros(len(index), dtype=bool)
        mask[positions] = True
        key = _mask_key(mask)
        if key not in cache:
            xy = grid.projector.project(index.lon[positions], index.lat[positions])
            hit = covered_mask(grid.demand.xy, xy, reached.radius_m, grid.projector)
            cache[key] = float(grid.pop[hit].sum())
        return cache[key], int(positions.size)

    rows = []
    for at in times:
        people, n_usable = covered_people(at, rule)
        people_any, n_any = covered_people(at, anytime)
        share = people / total if total else 0.0
        share_any = people_any / total if total else 0.0
        rows.append({"hour": at.hour, "at": at, "share": share, "covered_pop": people,
                     "n_usable": n_usable, "share_24_7": share_any,
                     "covered_pop_24_7": people_any, "n_usable_24_7": n_any,
                     "overstatement_pts": (share_any - share) * 100.0})
    frame = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    frame.attrs["distinct_sets"] = len(cache)
    return frame


def _day_of(day: Any) -> dt.date:
    if day is None:
        return _today()
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    try:
        return dt.date.fromisoformat(str(day).strip())
    except ValueError as exc:
        msg = f"day must be a date or 'YYYY-MM-DD', got {day!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "day", "value": str(day),
                                      "expected": "YYYY-MM-DD"}) from exc


def _check_minute(minute: Any) -> int:
    if isinstance(minute, bool) or not isinstance(minute, int | np.integer) or not (
            0 <= minute < 60):
        msg = f"minute must be a whole number 0..59, got {minute!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "minute", "value": str(minute),
                                      "expected": "0..59"})
    return int(minute)


def _check_hours(hours: Iterable[Any]) -> list[int]:
    out = []
    for hour in hours:
        if isinstance(hour, bool) or not isinstance(hour, int | np.integer) or not 0 <= hour < 24:
            msg = f"hours must be whole hours 0..23, got {hour!r}"
            raise ValidationError(msg, code="bad_argument",
                                  params={"name": "hours", "value": str(hour),
                                          "expected": "0..23"})
        out.append(int(hour))
    return out


def coverage_profile(resources: gpd.GeoDataFrame | ResourceIndex, population: Any,
                     radius_m: float | None = None, hours: Iterable[int] = range(24),
                     day: Any = None, policy: UsabilityPolicy | str = DEFAULT, *,
                     minutes: float | None = None, kind: str = "aed", mode: str | None = None,
                     exclude: Any = None, travel: TravelModel | None = None,
                     minute: int = 0) -> pd.DataFrame:
    """Coverage hour by hour through one day, next to the figure that ignores opening hours.

    The demand is projected once and one covered mask is computed per distinct set of usable
    resources (hours that share a set share the answer: masks are cached by their hash
    within the call; ``frame.attrs["distinct_sets"]`` says how many were computed).

    Parameters
    ----------
    resources, population, radius_m, policy, minutes, kind, mode, exclude, travel
        As in :func:`coverage`.
    hours : iterable of int, default range(24)
        Hours of the day (0..23), each judged at ``HH:minute`` local time.
    day : date or "YYYY-MM-DD", optional
        The day (its weekday picks the opening hours, its date judges expiry). Default:
        today in China.
    minute : int, default 0
        Minute past each hour that is judged.

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`: ``hour``, ``at`` (the local time judged), ``share``,
        ``covered_pop``, ``n_usable`` (usable resources then), ``share_24_7``,
        ``covered_pop_24_7``, ``n_usable_24_7`` (every usable resource counted as if always
        open: the policy with ``require_open=False``) and ``overstatement_pts``
        (``(share_24_7 - share) * 100``, percentage points).

    Raises
    ------
    ValidationError
        As :func:`coverage`; ``bad_argument`` for a bad hour, minute or day.
    """
    chosen = _check_hours(hours)
    minute = _check_minute(minute)
    start = _day_of(day)
    times = [dt.datetime.combine(start, dt.time(hour, minute)) for hour in chosen]
    return _profile(resources, population, times, radius_m, policy, minutes, kind, mode,
                    exclude, travel)


def weekly_profile(resources: gpd.GeoDataFrame | ResourceIndex, population: Any,
                   radius_m: float | None = None, week_of: Any = None,
                   policy: UsabilityPolicy | str = DEFAULT, *, minutes: float | None = None,
                   kind: str = "aed", mode: str | None = None, exclude: Any = None,
                   travel: TravelModel | None = None, minute: int = 0) -> pd.DataFrame:
    """Coverage for every hour of a week (168 rows, Monday 00:00 first).

    Parameters
    ----------
    resources, population, radius_m, policy, minutes, kind, mode, exclude, travel, minute
        As in :func:`coverage_profile`.
    week_of : date or "YYYY-MM-DD", optional
        Any day of the week wanted (default: today in China); expiry is judged on each day.

    Returns
    -------
    pandas.DataFrame
        ``weekday`` (0 = Monday) then :data:`PROFILE_COLUMNS`, one row per hour.
    """
    minute = _check_minute(minute)
    day = _day_of(week_of)
    monday = day - dt.timedelta(days=day.weekday())
    times = [dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(h, minute))
             for d in range(7) for h in range(24)]
    frame = _profile(resources, population, times, radius_m, policy, minutes, kind, mode,
                     exclude, travel)
    frame.insert(0, "weekday", [t.weekday() for t in times])
    return frame


# --------------------------------------------------------------------------- places


def place_coverage(resources: gpd.GeoDataFrame | ResourceIndex, places: gpd.GeoDataFrame,
                   kind: str, *, minutes: float | None = None, radius_m: float | None = None,
                   mode: str | None = None, at: Any = None,
                   policy: UsabilityPolicy | str = DEFAULT, exclude: Any = None,
                   travel: TravelModel | None = None) -> gpd.GeoDataFrame:
    """Each place with its nearest usable resource of ``kind`` and whether it is within reach.

    Used for scenic areas by first-aid stations within N minutes' walk (``mode="walk"``),
    towns by rescue teams within N minutes' drive, towns by relief stores within N km.

    Parameters
    ----------
    resources : GeoDataFrame or ResourceIndex
        As in :func:`coverage`.
    places : GeoDataFrame
        Points in any CRS (reprojected to WGS84), typically with ``name`` and ``district``;
        every column is kept.
    kind : str
        The resource kind.
    minutes, radius_m : float
        The reach: exactly one (minutes through the travel model, as in :func:`coverage`).
    mode : {"walk", "drive"}, optional
        Travel mode for the minutes (default: walk for AEDs, drive for other kinds).
    at, policy, exclude, travel
        As in :func:`coverage`.

    Returns
    -------
    geopandas.GeoDataFrame
        The places (WGS84, same row order and index) plus ``resource_id``,
        ``resource_name`` (None where no usable resource exists), ``distance_m``
        (straight-line ground metres), ``minutes`` (travel model, with ``mode``), ``mode``
        and ``covered`` (``distance_m`` within the reach).

    Raises
    ------
    ValidationError
        As :func:`coverage`; ``bad_places_frame`` for places that are not a point
        GeoDataFrame with a CRS.
    """
    _check_resources(resources)
    if isinstance(resources, gpd.GeoDataFrame):
        _check_kind(kind, pd.unique(resources["kind"].astype(str)))
    reached = reach(radius_m, minutes, kind, mode, travel)
    if (not isinstance(places, gpd.GeoDataFrame) or places.crs is None or (len(places) and (
            (shapely.get_type_id(places.geometry.values) != 0).any()
            or shapely.is_empty(places.geometry.values).any()))):
        msg = "places must be a GeoDataFrame of points with a CRS"
        raise ValidationError(msg, code="bad_places_frame")
    frame = places if _is_wgs84(places.crs) else places.to_crs(WGS84)
    rule = policy_of(policy)
    index, _ = usable_sites(resources, kind, at, rule, exclude=exclude)
    model = travel or travel_model()
    used_mode = mode or model.mode(kind)
    when = _today() if at is None else at
    found = nearest(index, frame, k=1, kinds=kind, at=when, policy=rule, exclude=exclude)
    n = len(frame)
    distance = np.full(n, np.nan)
    ids = np.full(n, None, dtype=object)
    names = np.full(n, None, dtype=object)
    origin = found["origin"].to_numpy(dtype=np.int64)
    distance[origin] = found["distance_m"].to_numpy(dtype="float64")
    ids[origin] = found["resource_id"].to_numpy(dtype=object)
    names[origin] = found["name"].to_numpy(dtype=object)
    out = frame.copy()
    out["resource_id"] = ids
    out["resource_name"] = names
    out["distance_m"] = distance
    out["minutes"] = np.where(np.isfinite(distance),
                              model.minutes(np.nan_to_num(distance), kind, mode=used_mode),
                              np.nan)
    out["mode"] = used_mode
    out["covered"] = np.isfinite(distance) & (np.nan_to_num(distance, nan=np.inf)
                                              <= reached.radius_m)
    return out
