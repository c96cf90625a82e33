"""Nearest usable resources per kind: a KD-tree index in a metric CRS, filtered per query."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import cachetools
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from geo.crs import metric_crs_for
from geo.distance import Projector
from geo.errors import ValidationError
from geo.schema import KINDS
from geo.travel import TravelModel, travel_model
from geo.usable import Usability, UsabilityPolicy, local_time, policy_of

#: Output columns and their dtypes (also the dtypes of an empty result).
OUTPUT_DTYPES: dict[str, str] = {
    "origin": "int64",
    "kind": "str",
    "rank": "int64",
    "resource_id": "str",
    "name": "str",
    "distance_m": "float64",
    "mode": "str",
    "travel_min": "float64",
    "method": "str",
    "lon": "float64",
    "lat": "float64",
}
OUTPUT_COLUMNS: tuple[str, ...] = tuple(OUTPUT_DTYPES)

#: Below this fraction of usable rows in a kind, a filtered sub-tree (LRU-cached) is queried
#: instead of over-querying the full tree and masking.
SUBTREE_BELOW_FRACTION = 0.5
#: From this many origins in one query, a filtered sub-tree is used whatever the fraction (its
#: build cost is small next to over-querying and masking that many origins).
SUBTREE_FROM_ORIGINS = 1024
#: Filtered sub-trees kept per index (one per distinct usability mask).
SUBTREE_CACHE_SIZE = 8
#: Indexes kept by :func:`nearest` for GeoDataFrames passed directly.
INDEX_CACHE_SIZE = 4
#: Origins per batch from which cKDTree queries use all CPU cores.
PARALLEL_FROM_ORIGINS = 4096
#: Upper-bound slack so a projected (grid) distance never hides a point within max_distance_m.
_GRID_SLACK = 1.002
_SPECIALTY_SPLIT = re.compile(r"[;,|/\s]+")


def empty_result() -> pd.DataFrame:
    """Return an empty result table with the full column set and dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in OUTPUT_DTYPES.items()})


# --------------------------------------------------------------------------- input checks


def check_k(k: Any) -> int:
    """Return ``k`` as int, or raise ValidationError unless it is an integer >= 1."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        msg = f"k must be an integer >= 1, got {k!r}"
        raise ValidationError(msg)
    if k < 1:
        msg = f"k must be >= 1, got {k}"
        raise ValidationError(msg)
    return int(k)


def check_max_distance(max_distance_m: Any) -> float | None:
    """Return ``max_distance_m`` as float (or None), or raise unless it is finite and > 0."""
    if max_distance_m is None:
        return None
    try:
        value = float(max_distance_m)
    except (TypeError, ValueError) as exc:
        msg = f"max_distance_m must be a number of metres > 0, got {max_distance_m!r}"
        raise ValidationError(msg) from exc
    if not math.isfinite(value) or value <= 0:
        msg = f"max_distance_m must be finite and > 0, got {max_distance_m!r}"
        raise ValidationError(msg)
    return value


def _check_lonlat(lon: np.ndarray, lat: np.ndarray, what: str) -> None:
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0))
    if bad.any():
        pos = np.flatnonzero(bad)
        first = int(pos[0])
        msg = (f"{what} must be finite WGS84 lon/lat (lon in [-180, 180], lat in [-90, 90]); "
               f"{pos.size} bad, first at position {first}: ({lon[first]}, {lat[first]})")
        raise ValidationError(msg)


def _points_lonlat(geoms: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(geoms)
    if arr.size:
        not_point = (shapely.get_type_id(arr) != 0) | shapely.is_empty(arr)
        if not_point.any():
            first = int(np.flatnonzero(not_point)[0])
            msg = f"{what} must be non-empty Points; position {first} is {arr[first]!r}"
            raise ValidationError(msg)
    return shapely.get_x(arr).astype("float64"), shapely.get_y(arr).astype("float64")


def origins_lonlat(origins: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS84 (lon, lat) float arrays for origins given in any accepted form.

    Parameters
    ----------
    origins : GeoDataFrame, GeoSeries, shapely Point, sequence of (lon, lat) or (n, 2) array
        Frames in another CRS are reprojected; frames without a CRS are taken as WGS84. A single
        ``(lon, lat)`` pair is one origin.

    Returns
    -------
    lon, lat : numpy.ndarray of float64

    Raises
    ------
    ValidationError
        If the shape is wrong, a geometry is not a point, or a coordinate is not finite WGS84.
    """
    if isinstance(origins, (gpd.GeoDataFrame, gpd.GeoSeries)):
        frame = origins
        if frame.crs is not None and not CRS(frame.crs).equals(CRS("EPSG:4326")):
            frame = frame.to_crs("EPSG:4326")
        geoms = frame.geometry.values if isinstance(frame, gpd.GeoDataFrame) else frame.values
        lon, lat = _points_lonlat(geoms, "origins")
    elif isinstance(origins, shapely.Geometry):
        lon, lat = _points_lonlat(np.array([origins], dtype=object), "origins")
    else:
        try:
            arr = np.asarray(origins, dtype="float64")
        except (TypeError, ValueError) as exc:
            msg = f"origins must be points or (lon, lat) pairs, got {type(origins).__name__}"
            raise ValidationError(msg) from exc
        if arr.size == 0:
            arr = arr.reshape(0, 2)
        elif arr.ndim == 1 and arr.shape[0] == 2:
            arr = arr.reshape(1, 2)
        if arr.ndim != 2 or arr.shape[1] != 2:
            msg = f"origins must be (lon, lat) pairs of shape (n, 2), got shape {arr.shape}"
            raise ValidationError(msg)
        lon, lat = arr[:, 0].copy(), arr[:, 1].copy()
    _check_lonlat(lon, lat, "origins")
    return lon, lat


def check_kinds(kinds: Any, present: tuple[str, ...]) -> tuple[str, ...]:
    """Return the requested kinds as a tuple (default ``present``); raise for unknown kinds."""
    if kinds is None:
        return present
    wanted = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in wanted if k not in present and k not in KINDS]
    if unknown:
        msg = f"unknown kind(s) {unknown}; expected some of {sorted(set(KINDS) | set(present))}"
        raise ValidationError(msg)
    return tuple(dict.fromkeys(wanted))


def _check_specialty(specialty: Any) -> tuple[str, ...] | None:
    if specialty is None:
        return None
    values = (specialty,) if isinstance(specialty, str) else tuple(specialty)
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        msg = f"specialty must be a non-empty string or list of strings, got {specialty!r}"
        raise ValidationError(msg)
    return tuple(v.strip().lower() for v in values)


# --------------------------------------------------------------------------- the index


@dataclass
class _KindIndex:
    """One kind's KD-tree plus the arrays needed to filter and rank its rows."""

    kind: str
    positions: np.ndarray  # row positions in the index's resource arrays
    tree: cKDTree
    usability: Usability
    id_rank: np.ndarray  # tie-break key (rank of resource_id among all rows)
    specialty_masks: dict[str, np.ndarray]


class ResourceIndex:
    """Nearest-resource index, built once per resource table and queried many times.

    The resources are projected once to a metric CRS (:func:`geo.crs.metric_crs_for`), one
    :class:`scipy.spatial.cKDTree` is built per kind, and status/hours/expiry are parsed once
    (:class:`geo.usable.Usability`). A query then costs a few vectorised comparisons for the
    usability mask plus KD-tree lookups:

    * when at least ``SUBTREE_BELOW_FRACTION`` of a kind is usable, the full tree is asked for
      more candidates than ``k`` and unusable ones are masked out, doubling the candidate count
      only for origins still short of ``k`` usable hits (or with a possible tie at rank ``k``);
    * when fewer are usable (e.g. at night, most AEDs locked away), or a batch has at least
      ``SUBTREE_FROM_ORIGINS`` origins, a tree over the usable rows is built once per distinct
      mask and kept in a small LRU keyed by the mask's hash (masks change only when the query
      time crosses an opening/closing minute or an expiry date, so hits are the rule).

    Parameters
    ----------
    resources : geopandas.GeoDataFrame
        Point geometry (any CRS; reprojected to WGS84 for output lon/lat) and columns ``id``,
        ``kind``, ``status``; optional ``name``, ``hours``, ``pads_expiry``,
        ``battery_expiry``, ``specialty``.
    metric_crs : str, optional
        Metric CRS for distances; default :func:`geo.crs.metric_crs_for` of the resources.
    travel : TravelModel, optional
        Speeds, circuity and turnout used for ``travel_min`` (default: from the settings).

    Attributes
    ----------
    tree_builds : int
        Class-wide count of KD-trees built (tests use it to prove queries do not rebuild).
    """

    tree_builds: int = 0

    def __init__(self, resources: gpd.GeoDataFrame, *, metric_crs: str | None = None,
                 travel: TravelModel | None = None) -> None:
        if not isinstance(resources, gpd.GeoDataFrame):
            msg = f"resources must be a GeoDataFrame, got {type(resources).__name__}"
            raise ValidationError(msg)
        missing = [c for c in ("id", "kind", "status") if c not in resources.columns]
        if missing:
            msg = f"resources is missing column(s) {missing}"
            raise ValidationError(msg)
        if resources.crs is None:
            msg = "resources has no CRS; set it (WGS84 lon/lat is EPSG:4326) before indexing"
            raise ValidationError(msg)
        frame = resources
        if not CRS(frame.crs).equals(CRS("EPSG:4326")):
            frame = frame.to_crs("EPSG:4326")
        self.travel = travel or travel_model()
        self.n = len(frame)
        self.lon, self.lat = _points_lonlat(frame.geometry.values, "resource geometries")
        _check_lonlat(self.lon, self.lat, "resource geometries")
        self.metric_crs = metric_crs or metric_crs_for(frame)
        self.projector = Projector(self.metric_crs)
        self.xy = self.projector.project(self.lon, self.lat)
        self.usability = Usability.from_frame(frame)

        ids = frame["id"].astype(str).to_numpy(dtype=object)
        self.ids = pd.array(ids, dtype="str")
        names = (frame["name"].astype(object).where(frame["name"].notna(), "").astype(str)
                 if "name" in frame.columns else pd.Series([""] * self.n, dtype=object))
        self.names = pd.array(names.to_numpy(dtype=object), dtype="str")
        id_rank = np.empty(self.n, dtype=np.int64)
        id_rank[np.argsort(ids.astype(str), kind="stable")] = np.arange(self.n)
        self.id_rank = id_rank
        kind_values = frame["kind"].astype(str).to_numpy(dtype=object)
        present = set(kind_values.tolist())
        self.kinds: tuple[str, ...] = tuple(k for k in KINDS if k in present) + tuple(
            sorted(present - set(KINDS)))
        specialty = (frame["specialty"].to_numpy(dtype=object)
                     if "specialty" in frame.columns else None)

        self._by_kind: dict[str, _KindIndex] = {}
        for kind in self.kinds:
            positions = np.flatnonzero(kind_values == kind)
            masks: dict[str, np.ndarray] = {}
            if specialty is not None:
                for j, value in enumerate(specialty[positions]):
                    if isinstance(value, str):
                        for token in _SPECIALTY_SPLIT.split(value.strip().lower()):
                            if token:
                                masks.setdefault(token, np.zeros(positions.size, bool))[j] = True
            self._by_kind[kind] = _KindIndex(
                kind, positions, self._build_tree(self.xy[positions]),
                self.usability.subset(positions), id_rank[positions], masks)
        self._subtrees: cachetools.LRUCache = cachetools.LRUCache(maxsize=SUBTREE_CACHE_SIZE)
        self._kind_names = pd.array(np.array(self.kinds, dtype=object), dtype="str")
        self._mode_names = pd.array(np.array(["walk", "drive"], dtype=object), dtype="str")

    # ----------------------------------------------------------------------- helpers

    @classmethod
    def _build_tree(cls, xy: np.ndarray) -> cKDTree:
        cls.tree_builds += 1
        return cKDTree(xy)

    def __len__(self) -> int:
        """Return the number of indexed resources."""
        return self.n

    def __repr__(self) -> str:
        """Short description: size, kinds and CRS."""
        return f"ResourceIndex(n={self.n}, kinds={list(self.kinds)}, crs={self.metric_crs!r})"

    def project(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Project WGS84 lon/lat arrays to the index's metric CRS; returns an (n, 2) array."""
        return self.projector.project(lon, lat)

    def exclusion(self, exclude: Any) -> np.ndarray | None:
        """Boolean array over the index rows: True for resources left out, or None for none.

        Parameters
        ----------
        exclude : iterable of str, boolean array, or None
            Resource ids to leave out (unknown ids are ignored: a flooded store may already be
            filtered away), or a boolean mask with one value per indexed resource, in row order.

        Raises
        ------
        ValidationError
            For a mask of the wrong length or a value that is neither.
        """
        if exclude is None:
            return None
        if isinstance(exclude, (str, bytes)):
            exclude = [exclude]
        arr = np.asarray(list(exclude) if not hasattr(exclude, "dtype") else exclude)
        if arr.dtype == bool:
            if arr.shape != (self.n,):
                msg = (f"exclude mask must have one value per resource ({self.n}), "
                       f"got shape {arr.shape}")
                raise ValidationError(msg)
            return arr if arr.any() else None
        if arr.size == 0:
            return None
        out = np.asarray(pd.Index(self.ids).isin(arr.astype(str).tolist()))
        return out if out.any() else None

    def _subtree(self, entry: _KindIndex, mask: np.ndarray) -> tuple[cKDTree, np.ndarray]:
        """Tree over ``entry``'s rows where ``mask`` is True, cached by the mask's hash."""
        digest = hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest()
        key = (entry.kind, int(mask.size), digest)
        hit = self._subtrees.get(key)
        if hit is not None:
            return hit
        local = np.flatnonzero(mask)
        built = (self._build_tree(self.xy[entry.positions[local]]), local)
        self._subtrees[key] = built
        return built

    def _kind_mask(self, entry: _KindIndex, at: Any, rule: UsabilityPolicy | None,
                   specialty: tuple[str, ...] | None,
                   excluded: np.ndarray | None = None) -> np.ndarray | None:
        """Boolean mask over the kind's rows, or None when every row qualifies.

        ``rule`` None means no usability check (every status, hours and expiry count).
        """
        mask = entry.usability.mask(at, rule) if rule is not None else None
        if specialty is not None and entry.kind == "rescue_team":
            spec = np.zeros(entry.positions.size, bool)
            for token in specialty:
                if token in entry.specialty_masks:
                    spec |= entry.specialty_masks[token]
            mask = spec if mask is None else mask & spec
        if excluded is not None:
            keep = ~excluded[entry.positions]
            mask = keep if mask is None else mask & keep
        if mask is not None and mask.all():
            return None
        return mask

    def _query_kind(self, entry: _KindIndex, oxy: np.ndarray, k: int, upper_m: float,
                    mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Find the k nearest qualifying rows of one kind for every origin.

        Returns
        -------
        dist_m, pos : (m, k) arrays
            Grid distance (inf where missing) and row positions in the index (-1 where missing),
            each row sorted by distance then resource id.
        """
        m = oxy.shape[0]
        tree, local = entry.tree, None
        frac = 1.0
        if mask is not None:
            frac = float(np.count_nonzero(mask)) / mask.size
            if frac == 0.0:
                return np.full((m, k), np.inf), np.full((m, k), -1, np.int64)
            if frac < SUBTREE_BELOW_FRACTION or m >= SUBTREE_FROM_ORIGINS:
                tree, local = self._subtree(entry, mask)
                mask = None
                frac = 1.0
        n_tree = tree.n
        id_rank = entry.id_rank if local is None else entry.id_rank[local]
        out_d = np.full((m, k), np.inf)
        out_i = np.full((m, k), -1, np.int64)
        pending = np.arange(m)
        # k + 1 candidates so a tie at rank k is seen; more when some rows will be masked out.
        k_query = min(n_tree, math.ceil((k + 1) / frac) + (0 if mask is None else 2))
        while pending.size:
            workers = -1 if pending.size >= PARALLEL_FROM_ORIGINS else 1
            d, i = tree.query(oxy[pending], k=k_query, distance_upper_bound=upper_m,
                              workers=workers)
            d = d.reshape(pending.size, k_query)
            i = i.reshape(pending.size, k_query)
            found = np.isfinite(d)
            i_ok = np.where(found, i, 0)
            if mask is None:
                d_ok = d  # already sorted by distance
            else:  # push unusable candidates to the end, keeping distance order
                d_ok = np.where(found & mask[i_ok], d, np.inf)
                order = np.argsort(d_ok, axis=1, kind="stable")
                d_ok = np.take_along_axis(d_ok, order, 1)
                i_ok = np.take_along_axis(i_ok, order, 1)
            # equal distances (co-located resources): order those rows by resource id
            tied = ((d_ok[:, 1:] == d_ok[:, :-1]) & np.isfinite(d_ok[:, 1:])).any(axis=1)
            if tied.any():
                rows_t = np.flatnonzero(tied)
                order = np.lexsort((id_rank[i_ok[rows_t]], d_ok[rows_t]), axis=-1)
                d_ok = d_ok.copy()
                d_ok[rows_t] = np.take_along_axis(d_ok[rows_t], order, 1)
                i_ok[rows_t] = np.take_along_axis(i_ok[rows_t], order, 1)
            take = min(k, k_query)
            top_d, top_i = d_ok[:, :take], i_ok[:, :take]
            kth_d = top_d[:, k - 1] if take == k else np.full(pending.size, np.inf)
            exhausted = (k_query >= n_tree) | ~found[:, -1]
            done = exhausted | (d[:, -1] > kth_d)
            rows = pending[done]
            out_d[rows, :take] = top_d[done]
            out_i[rows, :take] = np.where(np.isfinite(top_d[done]), top_i[done], -1)
            pending = pending[~done]
            k_query = min(n_tree, k_query * 2)
        valid = out_i >= 0
        local_pos = np.where(valid, out_i, 0)
        if local is not None:
            local_pos = local[local_pos]
        pos = np.where(valid, entry.positions[local_pos], -1)
        return out_d, pos

    # ----------------------------------------------------------------------- public

    def query(self, origins: Any, k: int = 1, kinds: Any = None,
              max_distance_m: float | None = None, at: Any = None, usable_only: bool = True,
              specialty: str | Iterable[str] | None = None, *,
              policy: UsabilityPolicy | str | None = None, exclude: Any = None,
              ) -> pd.DataFrame:
        """Return the ``k`` nearest qualifying resources of each kind for every origin.

        Parameters
        ----------
        origins : GeoDataFrame, GeoSeries, Point, sequence of (lon, lat) or (n, 2) array
            WGS84 points (frames in another CRS are reprojected).
        k : int, default 1
            Results per origin and kind (>= 1).
        kinds : str or sequence of str, optional
            Kinds to search; default every kind present, in schema order.
        max_distance_m : float, optional
            Only resources within this straight-line distance (metres, > 0).
        at : datetime, date or ISO string, optional
            With ``usable_only``: the time the policy judges usability at (open at that
            time, pads/battery not expired on its date).
        usable_only : bool, default True
            Keep only usable resources, as ``policy`` defines them; False keeps every row.
        specialty : str or sequence of str, optional
            Rescue teams must have one of these specialties; other kinds are not affected.
        policy : UsabilityPolicy or str, optional
            What "usable" means (:data:`geo.usable.POLICIES`); default
            :data:`geo.usable.DEFAULT` (active, not expired, open at ``at``).
        exclude : iterable of str or boolean array, optional
            Resources to leave out whatever the policy says: ids, or one bool per indexed row
            (flooded stores, deployed teams); see :meth:`exclusion`.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`OUTPUT_COLUMNS`, one row per (origin, kind, rank), sorted by origin,
            kind (in ``kinds`` order) and rank. Ranks are by ground distance, ties broken by
            ``resource_id`` (string order). An origin with nothing qualifying (in range) for a
            kind has no rows for it; with no rows at all the frame is empty but keeps every
            column and dtype. ``origin`` is the 0-based position of the origin in ``origins``.

        Raises
        ------
        ValidationError
            For bad ``k``, ``max_distance_m``, ``kinds``, ``specialty``, ``at`` or origins.
        """
        k = check_k(k)
        max_m = check_max_distance(max_distance_m)
        kinds_t = check_kinds(kinds, self.kinds)
        spec = _check_specialty(specialty)
        rule = policy_of(policy) if usable_only else None
        excluded = self.exclusion(exclude)
        lon, lat = origins_lonlat(origins)
        if usable_only and at is not None:
            local_time(at)  # validate `at` even when no kind is queried
        oxy = self.project(lon, lat)
        upper = np.inf if max_m is None else max_m * _GRID_SLACK
        parts = []
        for code, kind in enumerate(kinds_t):
            entry = self._by_kind.get(kind)
            if entry is None or oxy.shape[0] == 0:
                continue
            mask = self._kind_mask(entry, at, rule, spec, excluded)
            _, pos = self._query_kind(entry, oxy, k, upper, mask)
            origin_ix, rank_ix = np.nonzero(pos >= 0)
            rpos = pos[origin_ix, rank_ix]
            dist = self.projector.ground_m(oxy[origin_ix], self.xy[rpos])
            keep = np.ones(dist.size, bool) if max_m is None else dist <= max_m
            origin_ix, rpos, dist = origin_ix[keep], rpos[keep], dist[keep]
            travel = self.travel.minutes(dist, kind)
            parts.append((code, kind, origin_ix, rpos, dist, travel))
        return self.assemble(parts, resort=len(kinds_t) > 1 or k > 1, method="straight_line")

    def candidates(self, kind: str, at: Any = None, usable_only: bool = True,
                   specialty: str | Iterable[str] | None = None, *,
                   policy: UsabilityPolicy | str | None = None,
                   exclude: Any = None) -> np.ndarray:
        """Return row positions of the ``kind`` rows that pass the usability/specialty filters.

        Parameters
        ----------
        kind : str
            A kind; an absent kind gives an empty array.
        at, usable_only, specialty, policy, exclude
            As in :meth:`query`.

        Returns
        -------
        numpy.ndarray of int64
            Positions into the index's row arrays (``ids``, ``names``, ``lon``, ``lat``).
        """
        entry = self._by_kind.get(kind)
        if entry is None:
            return np.zeros(0, np.int64)
        rule = policy_of(policy) if usable_only else None
        mask = self._kind_mask(entry, at, rule, _check_specialty(specialty),
                               self.exclusion(exclude))
        return entry.positions if mask is None else entry.positions[mask]

    def assemble(self, parts: list[tuple], *, resort: bool, method: str) -> pd.DataFrame:
        """Build the result table from per-kind parts (used by the straight-line and network paths).

        Parameters
        ----------
        parts : list of tuple
            ``(requested_kind_order, kind, origin, row_position, distance_m, travel_min)`` with
            equal-length arrays in the last four slots.
        resort : bool
            Sort by origin, requested kind, distance and resource id, and renumber ranks (False
            when the parts are already in that order, e.g. one kind with k = 1).
        method : str
            Value of the ``method`` column.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`OUTPUT_COLUMNS` with dtypes :data:`OUTPUT_DTYPES`.
        """
        if not parts:
            return empty_result()
        origin = np.concatenate([p[2] for p in parts]).astype(np.int64)
        rpos = np.concatenate([p[3] for p in parts]).astype(np.int64)
        dist = np.concatenate([p[4] for p in parts]).astype("float64")
        kind_code = np.concatenate([np.full(p[2].size, self.kinds.index(p[1])) for p in parts])
        req_code = np.concatenate([np.full(p[2].size, p[0]) for p in parts])
        travel = np.concatenate([np.asarray(p[5], "float64") for p in parts])
        mode_code = np.concatenate([np.full(p[2].size, 0 if self.travel.mode(p[1]) == "walk" else 1)
                                    for p in parts])
        if resort:
            # Final order: origin, requested kind order, ground distance, resource id (the
            # scale correction can swap near-equal grid distances, so re-sort after it).
            order = np.lexsort((self.id_rank[rpos], dist, req_code, origin))
            origin, rpos, dist = origin[order], rpos[order], dist[order]
            kind_code, req_code = kind_code[order], req_code[order]
            travel, mode_code = travel[order], mode_code[order]
        group = origin * (len(self.kinds) + 1) + req_code
        starts = np.r_[True, group[1:] != group[:-1]] if group.size else np.zeros(0, bool)
        first = np.maximum.accumulate(np.where(starts, np.arange(group.size), 0))
        rank = (np.arange(group.size) - first + 1).astype(np.int64)
        return pd.DataFrame({
            "origin": origin,
            "kind": self._kind_names.take(kind_code),
            "rank": rank,
            "resource_id": self.ids.take(rpos),
            "name": self.names.take(rpos),
            "distance_m": dist,
            "mode": self._mode_names.take(mode_code),
            "travel_min": travel,
            "method": pd.array(np.array([method], dtype=object), dtype="str").take(
                np.zeros(origin.size, np.int64)),
            "lon": self.lon[rpos],
            "lat": self.lat[rpos],
        })


# --------------------------------------------------------------------------- cached entry point

#: Indexes kept by :func:`index_for`, keyed on a digest of the content they were built from.
_INDEX_CACHE: cachetools.LRUCache = cachetools.LRUCache(maxsize=INDEX_CACHE_SIZE)
#: Columns an index reads: a change in any of them (or in the geometry) is a new index.
_INDEX_COLUMNS = ("id", "kind", "status", "name", "hours", "pads_expiry", "battery_expiry",
                  "specialty")


def content_key(frame: gpd.GeoDataFrame) -> str:
    """A digest of what an index is built from: the indexed columns, coordinates and CRS.

    Hashing every row costs about 0.6 microseconds a row (1 ms for the demo, 60 ms for 100k
    rows), less than building the index, and unlike an object id or a sample of rows it
    changes whenever the content does. Callers that query one table many times pass a
    :class:`ResourceIndex` instead (the dashboard keeps one per dataset version).
    """
    cols = [c for c in _INDEX_COLUMNS if c in frame.columns]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str((len(frame), cols, str(frame.crs))).encode())
    if len(frame):
        table = pd.DataFrame(frame[cols])
        try:
            hashed = pd.util.hash_pandas_object(table, index=False)
        except TypeError:  # unhashable cells (lists, dicts): hash their text
            hashed = pd.util.hash_pandas_object(table.astype(str), index=False)
        digest.update(hashed.to_numpy().tobytes())
        digest.update(shapely.get_coordinates(frame.geometry.values).tobytes())
        digest.update(shapely.get_type_id(frame.geometry.values).tobytes())
    return digest.hexdigest()


def index_for(resources: gpd.GeoDataFrame | ResourceIndex) -> ResourceIndex:
    """Return a ResourceIndex for ``resources``, reusing one built from the same content.

    The cache holds the last :data:`INDEX_CACHE_SIZE` indexes, keyed on :func:`content_key`, so
    an edited frame (in place or not) gets a new index. The dashboard itself builds its index
    once per dataset version and passes the :class:`ResourceIndex`.

    Parameters
    ----------
    resources : GeoDataFrame or ResourceIndex
        A ResourceIndex is returned as is.

    Returns
    -------
    ResourceIndex
    """
    if isinstance(resources, ResourceIndex):
        return resources
    if not isinstance(resources, gpd.GeoDataFrame):
        msg = f"resources must be a GeoDataFrame or ResourceIndex, got {type(resources).__name__}"
        raise ValidationError(msg)
    key = content_key(resources)
    index = _INDEX_CACHE.get(key)
    if index is None:
        index = ResourceIndex(resources)
        _INDEX_CACHE[key] = index
    return index


def clear_index_cache() -> None:
    """Forget every cached index."""
    _INDEX_CACHE.clear()


def nearest(resources: gpd.GeoDataFrame | ResourceIndex, origins: Any, k: int = 1,
            max_distance_m: float | None = None, at: Any = None, *, kinds: Any = None,
            usable_only: bool = True, specialty: str | Iterable[str] | None = None,
            policy: UsabilityPolicy | str | None = None, exclude: Any = None,
            ) -> pd.DataFrame:
    """Return the ``k`` nearest usable resources of each kind for every origin (straight line).

    Parameters
    ----------
    resources : GeoDataFrame or ResourceIndex
        WGS84 resource points with ``id``, ``kind``, ``status`` (see :class:`ResourceIndex`).
        A GeoDataFrame is indexed once and the index reused (see :func:`index_for`).
    origins : GeoDataFrame, GeoSeries, Point, sequence of (lon, lat) or (n, 2) array
        WGS84 points.
    k : int, default 1
        Results per origin and kind.
    max_distance_m : float, optional
        Only resources within this many metres.
    at : datetime, date or ISO string, optional
        Also require open at ``at`` (local time) and pads/battery not expired on its date.
    kinds : str or sequence of str, optional
        Default: every kind present.
    usable_only : bool, default True
        Drop inactive / maintenance resources (and closed / expired ones with ``at``).
    specialty : str or sequence of str, optional
        Restrict rescue teams to these specialties (other kinds unaffected).
    policy : UsabilityPolicy or str, optional
        What "usable" means; default :data:`geo.usable.DEFAULT` (active, not expired, open at
        ``at``). Named presets: :data:`geo.usable.POLICIES`.
    exclude : iterable of str or boolean array, optional
        Resources to leave out (ids, or one bool per resource row): flooded stores,
        deployed teams.

    Returns
    -------
    pandas.DataFrame
        Columns origin, kind, rank, resource_id, name, distance_m, mode, travel_min, method,
        lon, lat; see :meth:`ResourceIndex.query` for ordering, ties and empty results.
        ``mode`` is "walk" for AEDs and "drive" otherwise; ``travel_min`` is distance x
        circuity / speed (+ turnout for rescue teams); ``method`` is "straight_line".
    """
    return index_for(resources).query(origins, k=k, kinds=kinds, max_distance_m=max_distance_m,
                                      at=at, usable_only=usable_only, specialty=specialty,
                                      policy=policy, exclude=exclude)
