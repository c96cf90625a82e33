"""Road-network distances: load an OSM/GraphML network, snap points to it and run Dijkstra."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
from pyproj import CRS, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.crs import metric_crs
from geo.distance import transformer
from geo.errors import ValidationError
from geo.nearest import (
    ResourceIndex,
    check_k,
    check_kinds,
    check_max_distance,
    index_for,
    origins_lonlat,
)
from geo.usable import UsabilityPolicy

#: Points farther than this from every network node cannot be routed (metres).
MAX_SNAP_M = 1000.0
#: Origins whose Dijkstra rows are computed together (bounds memory: chunk x nodes floats).
DIJKSTRA_CHUNK = 128
_OSM_SUFFIXES = (".osm", ".xml")
_GRAPHML_SUFFIXES = (".graphml",)
_MIN_EDGE_M = 1e-6


def load_network(path: str | Path, *, bidirectional: bool = False) -> nx.MultiDiGraph:
    """Read a road network from an OSM XML (``.osm``/``.xml``) or GraphML (``.graphml``) file.

    Parameters
    ----------
    path : str or Path
        OSM XML is read with :func:`osmnx.graph_from_xml`, unsimplified (every OSM node stays a
        graph node, so snapping to the nearest node stays accurate) with all components kept;
        GraphML with :func:`osmnx.load_graphml` (e.g. a file saved by ``osmnx.save_graphml``).
    bidirectional : bool, default False
        For OSM XML: treat one-way streets as two-way (walking networks).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes have ``x``/``y`` (in ``graph.graph["crs"]``), edges have ``length`` (metres).

    Raises
    ------
    ValidationError
        If the file is missing, has another suffix, cannot be parsed, or holds no roads.
    """
    import osmnx as ox  # heavy import, only needed here

    file = Path(path)
    if not file.is_file():
        msg = f"road network file not found: {file}"
        raise ValidationError(msg, code="network_file_missing", params={"name": file.name})
    suffix = file.suffix.lower()
    try:
        if suffix in _OSM_SUFFIXES:
            graph = ox.graph_from_xml(file, bidirectional=bidirectional, simplify=False,
                                      retain_all=True)
        elif suffix in _GRAPHML_SUFFIXES:
            graph = ox.load_graphml(file)
        else:
            msg = (f"road network file must be OSM XML (.osm, .xml) or GraphML (.graphml), "
                   f"got {file.name!r}")
            raise ValidationError(msg, code="network_bad_type", params={"name": file.name})
    except ValidationError:
        raise
    except (OSError, ValueError, KeyError, TypeError, ET.ParseError, nx.NetworkXError,
            AttributeError, IndexError) as exc:
        msg = f"cannot read road network {file.name!r}: {type(exc).__name__}: {exc}"
        raise ValidationError(msg, code="network_unreadable",
                              params={"name": file.name, "error": type(exc).__name__}) from exc
    if graph.number_of_edges() == 0:
        msg = f"road network {file.name!r} has no roads (0 edges)"
        raise ValidationError(msg, code="network_no_roads", params={"name": file.name})
    return graph


@dataclass(frozen=True)
class PreparedNetwork:
    """A road network turned into arrays: node coordinates (metric), sparse matrices, a node tree.

    Build it once per network with :func:`prepare_network` and pass it to
    :func:`nearest_by_network`; the engine keeps no copy (the dashboard caches it per upload).
    """

    crs: CRS
    to_metric: Transformer
    xy: np.ndarray
    forward: csr_matrix
    reverse: csr_matrix
    tree: cKDTree


def _graph_crs(graph: nx.MultiDiGraph, x: np.ndarray, y: np.ndarray) -> CRS:
    raw = graph.graph.get("crs")
    if raw is not None:
        try:
            return CRS(raw)
        except Exception as exc:  # pyproj raises CRSError (a subclass of Exception)
            msg = f"road network has an unreadable crs {raw!r}: {exc}"
            raise ValidationError(msg, code="network_bad_crs", params={"crs": str(raw)}) from exc
    if x.size and np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0):
        return CRS("EPSG:4326")
    msg = "road network has no 'crs' graph attribute and its node x/y are not lon/lat"
    raise ValidationError(msg, code="network_no_crs")


def prepare_network(graph: nx.MultiDiGraph | PreparedNetwork) -> PreparedNetwork:
    """Project a graph's nodes to metres and build its sparse matrices and node tree.

    Parallel edges keep the shortest; an edge without ``length`` gets the straight-line metres
    between its nodes. A :class:`PreparedNetwork` is returned as is. Nothing is cached here:
    the caller keeps the result for as long as it needs it.
    """
    if isinstance(graph, PreparedNetwork):
        return graph
    size = (graph.number_of_nodes(), graph.number_of_edges())
    if size[0] == 0 or size[1] == 0:
        msg = f"road network is empty ({size[0]} nodes, {size[1]} edges)"
        raise ValidationError(msg, code="network_no_roads", params={"name": ""})
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    try:
        x = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        y = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"every road network node needs numeric 'x' and 'y' attributes ({exc})"
        raise ValidationError(msg, code="network_bad_nodes") from exc
    crs = _graph_crs(graph, x, y)
    if crs.is_geographic:
        metric = CRS(metric_crs(x.min(), y.min(), x.max(), y.max()))
        mx, my = transformer(crs.to_wkt(), metric.to_wkt()).transform(x, y)
    else:
        metric, mx, my = crs, x, y
    xy = np.column_stack([np.asarray(mx, "float64"), np.asarray(my, "float64")])
    src, dst, length = [], [], []
    for u, v, data in graph.edges(data=True):
        src.append(position[u])
        dst.append(position[v])
        length.append(data.get("length", math.nan))
    u_a, v_a = np.array(src, np.int64), np.array(dst, np.int64)
    w = np.array(length, dtype="float64")
    missing = ~np.isfinite(w)
    w[missing] = np.hypot(*(xy[u_a[missing]] - xy[v_a[missing]]).T)
    w = np.maximum(w, _MIN_EDGE_M)  # csgraph would drop explicit zeros
    order = np.lexsort((w, v_a, u_a))
    u_a, v_a, w = u_a[order], v_a[order], w[order]
    first = np.r_[True, (u_a[1:] != u_a[:-1]) | (v_a[1:] != v_a[:-1])]
    u_a, v_a, w = u_a[first], v_a[first], w[first]
    n = len(nodes)
    forward = csr_matrix((w, (u_a, v_a)), shape=(n, n))
    reverse = csr_matrix((w, (v_a, u_a)), shape=(n, n))
    return PreparedNetwork(metric, transformer("EPSG:4326", metric.to_wkt()), xy,
                           forward, reverse, cKDTree(xy))


def _snap(prepared: PreparedNetwork, lon: np.ndarray,
          lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node index and straight-line snap distance (m) for WGS84 points."""
    if lon.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    x, y = prepared.to_metric.transform(lon, lat)
    dist, node = prepared.tree.query(np.column_stack([x, y]))
    return np.asarray(node, np.int64), np.asarray(dist, "float64")


def nearest_by_network(graph: nx.MultiDiGraph | PreparedNetwork,
                       resources: gpd.GeoDataFrame | ResourceIndex,
                       origins: Any, k: int = 1, kinds: Any = None, at: Any = None, *,
                       usable_only: bool = True, specialty: str | Iterable[str] | None = None,
                       max_distance_m: float | None = None, speed_kmh: float | None = None,
                       max_snap_m: float = MAX_SNAP_M,
                       policy: UsabilityPolicy | str | None = None,
                       exclude: Any = None) -> Any:
    """Return the ``k`` nearest usable resources of each kind by road-network distance.

    Origins and resources are snapped to their nearest network node (in a metric CRS) and
    Dijkstra runs from each origin's node over edge ``length``. AED trips (walk) ignore one-way
    restrictions; drive trips are measured from the resource to the origin (a team drives to
    the incident), following one-way edges.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or PreparedNetwork
        Nodes with ``x``/``y`` in ``graph.graph["crs"]`` (osmnx convention; lon/lat assumed if
        absent), edges with ``length`` in metres (straight-line between nodes if absent).
        Pass the :class:`PreparedNetwork` of :func:`prepare_network` to query it many times.
    resources : GeoDataFrame or ResourceIndex
        As for :func:`geo.nearest.nearest`.
    origins : GeoDataFrame, GeoSeries, Point, sequence of (lon, lat) or (n, 2) array
        WGS84 points.
    k : int, default 1
        Results per origin and kind.
    kinds : str or sequence of str, optional
        Default every kind present.
    at : datetime, date or ISO string, optional
        Usability time (open, not expired); see :func:`geo.usable.usable_mask`.
    usable_only : bool, default True
        Drop unusable resources.
    specialty : str or sequence of str, optional
        Restrict rescue teams to these specialties.
    max_distance_m : float, optional
        Maximum network distance (including snap distances).
    speed_kmh : float, optional
        Travel speed for every kind; default walk speed for AEDs, drive speed otherwise.
    max_snap_m : float, default 1000
        Origins farther than this from every node raise; resources farther are skipped.
    policy, exclude
        What "usable" means and which resources to leave out, as for
        :func:`geo.nearest.nearest`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`geo.nearest.nearest`, with ``method == "network"``,
        ``distance_m`` = origin snap + network path + resource snap, and ``travel_min`` =
        the travel model's minutes for network metres (:meth:`geo.travel.TravelModel.minutes`
        with ``network=True``: no circuity factor, plus turnout for rescue teams). Ordering,
        ties (by resource id) and empty results follow :meth:`geo.nearest.ResourceIndex.query`;
        a resource with no path to the origin (another component, beyond ``max_distance_m``)
        is not listed.

    Raises
    ------
    ValidationError
        For bad arguments, an unusable graph, an origin more than ``max_snap_m`` from the
        network, or when every candidate resource is more than ``max_snap_m`` from it.
    """
    k = check_k(k)
    max_m = check_max_distance(max_distance_m)
    snap_limit = check_max_distance(max_snap_m)
    if speed_kmh is not None and (not math.isfinite(float(speed_kmh)) or float(speed_kmh) <= 0):
        msg = f"speed_kmh must be finite and > 0, got {speed_kmh!r}"
        raise ValidationError(msg)
    index = index_for(resources)
    kinds_t = check_kinds(kinds, index.kinds)
    lon, lat = origins_lonlat(origins)
    prepared = prepare_network(graph)
    o_node, o_snap = _snap(prepared, lon, lat)
    far = np.flatnonzero(o_snap > snap_limit)
    if far.size:
        msg = (f"{far.size} origin(s) are more than {snap_limit:.0f} m from the road network "
               f"(first: position {int(far[0])}, {o_snap[far[0]]:.0f} m away); "
               f"use a network that covers them or straight-line distances")
        raise ValidationError(msg, code="network_too_far",
                              params={"n": int(far.size), "limit_m": round(snap_limit),
                                      "first_m": round(float(o_snap[far[0]]))})

    per_kind = []
    n_candidates = n_snapped = 0
    for code, kind in enumerate(kinds_t):
        rows = index.candidates(kind, at=at, usable_only=usable_only, specialty=specialty,
                                policy=policy, exclude=exclude)
        r_node, r_snap = _snap(prepared, index.lon[rows], index.lat[rows])
        near = r_snap <= snap_limit
        n_candidates += rows.size
        n_snapped += int(near.sum())
        rows, r_node, r_snap = rows[near], r_node[near], r_snap[near]
        order = np.argsort(index.id_rank[rows], kind="stable")  # ties -> resource id order
        per_kind.append((code, kind, rows[order], r_node[order], r_snap[order]))
    if n_candidates and not n_snapped:
        msg = (f"none of the {n_candidates} candidate resources is within {snap_limit:.0f} m "
               f"of the road network")
        raise ValidationError(msg, code="network_no_candidates",
                              params={"n": int(n_candidates), "limit_m": round(snap_limit)})

    parts = []
    for code, kind, rows, r_node, r_snap in per_kind:
        if rows.size == 0 or lon.size == 0:
            continue
        walk = index.travel.mode(kind) == "walk"
        matrix = prepared.forward if walk else prepared.reverse
        origin_parts, pos_parts, dist_parts = [], [], []
        unique_nodes, inverse = np.unique(o_node, return_inverse=True)
        for start in range(0, unique_nodes.size, DIJKSTRA_CHUNK):
            chunk = unique_nodes[start:start + DIJKSTRA_CHUNK]
            limit = np.inf if max_m is None else max_m
            net = dijkstra(matrix, directed=not walk, indices=chunk, limit=limit)
            in_chunk = np.flatnonzero((inverse >= start) & (inverse < start + chunk.size))
            total = (net[inverse[in_chunk] - start][:, r_node] + r_snap[None, :]
                     + o_snap[in_chunk, None])
            if max_m is not None:
                total[total > max_m] = np.inf
            take = min(k, rows.size)
            best = np.argsort(total, axis=1, kind="stable")[:, :take]
            best_d = np.take_along_axis(total, best, 1)
            o_ix, r_ix = np.nonzero(np.isfinite(best_d))
            origin_parts.append(in_chunk[o_ix])
            pos_parts.append(rows[best[o_ix, r_ix]])
            dist_parts.append(best_d[o_ix, r_ix])
        dist = np.concatenate(dist_parts)
        parts.append((code, kind, np.concatenate(origin_parts), np.concatenate(pos_parts), dist,
                      index.travel.minutes(dist, kind, network=True, speed_kmh=speed_kmh)))
    return index.assemble(parts, resort=True, method="network")
