"""Benchmark flood impact against a naive geopandas overlay of grid squares with the extent.

Usage: ``python benchmarks/flood.py [--repeats 3]``.

The extent is a ~200 km² multipolygon of ~5,000 vertices: four ragged "flood" blobs around
Wuxi's old town, central Zhenjiang, Jurong and Yixing, built in metres (EPSG:4549). It is run
against the demo population grid (``load_demo().population``: its size is printed; the issue
guessed ~800k cells) and the demo resources, with a 500 m at-risk buffer.

Rows (median of ``--repeats`` warm runs after one warm-up):

* engine ``impact`` end to end (people, resources, districts, towns, relief LP, dispatch);
* its parts: people only (point-in-polygon on cell centres), the relief allocation
  (:func:`geo.flood.allocate` over every item), dispatch (:func:`geo.flood.assign_teams` of
  five incidents, as a proxy of the ranking);
* peers: ``gpd.sjoin`` of the cell centres with the extent (the same rule, checked equal), and
  the naive way: draw every cell's square (:func:`geo.datasets.cell_squares`) and
  ``gpd.overlay`` it with the extent, people pro rata to the area inside (measured in
  EPSG:4549; another rule: the counts differ by the cells cut by the edge, printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import fmt, timed
from geo import flood
from geo.datasets import cell_squares, load_demo

METRIC = "EPSG:4549"
WGS84 = "EPSG:4326"
#: Blob centres (lon, lat) and radii (m): Wuxi old town, central Zhenjiang, Jurong, Yixing.
BLOBS = (((120.300, 31.575), 4_200.0), ((119.450, 32.200), 4_000.0),
         ((119.170, 31.950), 3_800.0), ((119.820, 31.360), 3_900.0))
VERTICES_PER_BLOB = 1_250
BUFFER_M = 500.0


def extent(seed: int = 7) -> gpd.GeoDataFrame:
    """Four ragged star-shaped polygons, ~200 km² and ~5,000 vertices in all (WGS84)."""
    rng = np.random.default_rng(seed)
    centres = gpd.GeoSeries(shapely.points([c for c, _ in BLOBS]), crs=WGS84).to_crs(METRIC)
    polys = []
    for (centre, (_, radius)) in zip(centres, BLOBS, strict=True):
        theta = np.linspace(0, 2 * np.pi, VERTICES_PER_BLOB, endpoint=False)
        wobble = (1 + 0.18 * np.sin(5 * theta + rng.uniform(0, 6))
                  + 0.08 * np.sin(17 * theta) + rng.normal(0, 0.02, theta.size))
        r = radius * wobble
        ring = np.column_stack([centre.x + r * np.cos(theta), centre.y + r * np.sin(theta)])
        polys.append(shapely.Polygon(ring))
    frame = gpd.GeoDataFrame({"name": [f"blob{i}" for i in range(len(polys))]},
                             geometry=polys, crs=METRIC)
    return frame.to_crs(WGS84)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ds = load_demo()
    pop = ds.population
    area = extent()
    geom = shapely.union_all(area.geometry.values)
    n_vertices = len(shapely.get_coordinates(geom))
    km2 = float(area.to_crs(METRIC).area.sum()) / 1e6
    print(f"population grid: {len(pop):,} cells of {int(pop['cell_m'].iloc[0])} m, "
          f"{int(pop['pop'].sum()):,} people; resources: {len(ds.resources)}")
    print(f"extent: {len(area)} polygons, {n_vertices:,} vertices, {km2:.1f} km², "
          f"buffer {BUFFER_M:g} m; median of {args.repeats} warm runs\n")

    t_impact, result = timed(lambda: flood.impact(ds, area, BUFFER_M), args.repeats)
    lon = shapely.get_x(np.asarray(pop.geometry.values))
    lat = shapely.get_y(np.asarray(pop.geometry.values))
    t_people, cells = timed(lambda: np.flatnonzero(flood._in_geometry(geom, lon, lat)),
                            args.repeats)

    stock = ds.resources[ds.resources["kind"] == "relief_store"]
    demand = result.by_district
    rng = np.random.default_rng(1)
    cost = rng.uniform(1_000, 100_000, (len(stock), len(demand)))

    def allocate_all():
        return [flood.allocate(stock[f"stock_{item}"].fillna(0).to_numpy("int64"),
                               demand[f"need_{item}"].to_numpy("int64"), cost)
                for item in result.needs]

    t_alloc, _ = timed(allocate_all, args.repeats)
    incidents = [c for c, _ in BLOBS] + [(119.80, 32.24)]
    t_assign, _ = timed(lambda: flood.assign_teams(ds, incidents), args.repeats)

    def sjoin_people():
        hit = gpd.sjoin(pop[["pop", "geometry"]], area[["geometry"]], predicate="intersects")
        return int(pop["pop"].to_numpy()[np.unique(hit.index.to_numpy())].sum())

    t_sjoin, sjoin_count = timed(sjoin_people, args.repeats)
    t_squares, squares = timed(lambda: cell_squares(pop), args.repeats)
    frame = gpd.GeoDataFrame({"pop": pop["pop"].to_numpy()}, geometry=squares.values,
                             crs=WGS84)

    def overlay_people():
        parts = gpd.overlay(frame.reset_index(names="cell"), area[["geometry"]],
                            how="intersection", keep_geom_type=True)
        cell_m = pop["cell_m"].to_numpy("float64")[parts["cell"].to_numpy()]
        share = parts.geometry.to_crs(METRIC).area.to_numpy() / (cell_m * cell_m)  # metres
        return float((parts["pop"].to_numpy() * share).sum()), parts["cell"].nunique()

    t_overlay, (overlay_pop, overlay_cells) = timed(overlay_people, args.repeats)

    people = result.people
    assert int(pop["pop"].to_numpy()[cells].sum()) == people
    assert sjoin_count == people, (sjoin_count, people)
    naive = t_squares + t_overlay
    rows = [
        ("engine impact (all: people, resources, LP, dispatch)", t_impact, people),
        ("  engine people only (centre in polygon)", t_people, people),
        ("  engine relief LP, every item", t_alloc, "-"),
        ("  engine assign_teams, 5 incidents", t_assign, "-"),
        ("peer gpd.sjoin centres x extent", t_sjoin, sjoin_count),
        ("peer naive: cell_squares (all cells)", t_squares, "-"),
        ("peer naive: gpd.overlay squares x extent", t_overlay, round(overlay_pop)),
        ("peer naive total (squares + overlay)", naive, round(overlay_pop)),
    ]
    print(f"{'what':<56}{'seconds':>10}{'people':>10}{'x impact':>10}")
    for name, seconds, count in rows:
        print(f"{name:<56}{fmt(seconds):>10}{count!s:>10}{seconds / t_impact:>10.2f}")
    print(f"\nnaive overlay / engine people-only: {naive / t_people:.0f}x; "
          f"naive / engine impact: {naive / t_impact:.1f}x")
    print(f"affected cells: engine {len(cells):,} (centre rule), overlay {overlay_cells:,} "
          f"(any overlap); people {people:,} vs {overlay_pop:,.0f} pro rata")
    print(f"flooded/at-risk resources: {len(result.resources)}; allocation rows "
          f"{len(result.allocation)}; shortfall rows {len(result.shortfall)}; "
          f"dispatch {len(result.dispatch)} teams")
    target = "met" if t_impact < 3.0 else "MISSED"
    print(f"target impact < 3 s: {target} ({t_impact:.3f} s)")


if __name__ == "__main__":
    main()
