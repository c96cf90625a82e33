"""Tests for geo.network: a river with one bridge makes network and straight-line answers differ."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
from pyproj import Geod

from geo.errors import ValidationError
from geo.nearest import OUTPUT_COLUMNS, OUTPUT_DTYPES, nearest
from geo.network import load_network, nearest_by_network
from geo.settings import SETTINGS

GEOD = Geod(ellps="WGS84")
LONS = np.round(np.arange(120.300, 120.3201, 0.002), 6)  # 11 columns, ~190 m apart
SOUTH_LAT, NORTH_LAT = 31.500, 31.503  # two roads ~333 m apart with a river between them
ORIGIN = [(120.318, 31.5004)]  # near the east end of the south road


def river_graph() -> nx.MultiDiGraph:
    """Two east-west roads either side of a river, joined only by a bridge at the west end."""
    graph = nx.MultiDiGraph(crs="epsg:4326")
    for row, lat in enumerate((SOUTH_LAT, NORTH_LAT)):
        for col, lon in enumerate(LONS):
            graph.add_node(row * 100 + col, x=float(lon), y=lat)
    edges = [(row * 100 + c, row * 100 + c + 1) for row in (0, 1) for c in range(len(LONS) - 1)]
    edges.append((0, 100))  # the bridge
    for u, v in edges:
        _, _, length = GEOD.inv(graph.nodes[u]["x"], graph.nodes[u]["y"],
                                graph.nodes[v]["x"], graph.nodes[v]["y"])
        graph.add_edge(u, v, length=float(length))
        graph.add_edge(v, u, length=float(length))
    return graph


def resources(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame([{"status": "active", "hours": "24h", "name": r["id"], **r} for r in rows])
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


RES = resources([
    {"id": "ACROSS", "kind": "aed", "lon": 120.318, "lat": 31.5028},  # ~270 m, over the river
    {"id": "SAME", "kind": "aed", "lon": 120.308, "lat": 31.5002},  # ~950 m, same bank
    {"id": "TEAM-N", "kind": "rescue_team", "lon": 120.316, "lat": 31.5030},
    {"id": "TEAM-S", "kind": "rescue_team", "lon": 120.304, "lat": 31.5001},
])


def check_river_answer(graph: nx.MultiDiGraph) -> pd.DataFrame:
    straight = nearest(RES, ORIGIN)
    assert straight["resource_id"].tolist() == ["ACROSS", "TEAM-N"]
    got = nearest_by_network(graph, RES, ORIGIN)
    assert got["resource_id"].tolist() == ["SAME", "TEAM-S"]
    assert tuple(got.columns) == OUTPUT_COLUMNS
    assert {c: str(t) for c, t in got.dtypes.items()} == OUTPUT_DTYPES
    assert (got["method"] == "network").all()
    assert got["mode"].tolist() == ["walk", "drive"]
    # network distance >= straight line, and about the along-road distance here
    line = nearest(RES, ORIGIN, kinds="aed", k=2).set_index("resource_id")["distance_m"]
    aed = got.iloc[0]
    assert aed["distance_m"] >= line["SAME"]
    assert aed["distance_m"] == pytest.approx(line["SAME"] + 44 + 22, rel=0.01)  # + snaps
    assert aed["travel_min"] == pytest.approx(aed["distance_m"] / (SETTINGS.walk_speed_kmh / 0.06))
    team = got.iloc[1]
    assert team["travel_min"] == pytest.approx(
        team["distance_m"] / (SETTINGS.drive_speed_kmh / 0.06) + SETTINGS.team_turnout_min)
    both = nearest_by_network(graph, RES, ORIGIN, kinds="aed", k=2)
    assert both["resource_id"].tolist() == ["SAME", "ACROSS"]
    assert both["distance_m"].iloc[1] > 3000  # via the bridge, vs ~270 m straight
    return got


def test_network_answer_differs_from_straight_line():
    check_river_answer(river_graph())


def test_graphml_round_trip(tmp_path):
    path = tmp_path / "river.graphml"
    ox.save_graphml(river_graph(), path)
    graph = load_network(path)
    assert graph.number_of_edges() == river_graph().number_of_edges()
    check_river_answer(graph)


def test_osm_xml(tmp_path):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for row, lat in enumerate((SOUTH_LAT, NORTH_LAT)):
        for col, lon in enumerate(LONS):
            lines.append(f'<node id="{row * 100 + col + 1}" lat="{lat}" lon="{lon}"/>')

    def way(way_id: int, refs: list[int], name: str) -> None:
        lines.append(f'<way id="{way_id}">')
        lines.extend(f'<nd ref="{r + 1}"/>' for r in refs)
        lines.append(f'<tag k="highway" v="residential"/><tag k="name" v="{name}"/></way>')

    cols = list(range(len(LONS)))
    way(1, cols, "south")
    way(2, [100 + c for c in cols], "north")
    way(3, [0, 100], "bridge")
    lines.append("</osm>")
    path = tmp_path / "river.osm"
    path.write_text("\n".join(lines), encoding="utf-8")
    graph = load_network(path)
    assert graph.number_of_nodes() == 2 * len(LONS)
    check_river_answer(graph)


def test_one_way_street_direction_for_drive_only():
    graph = nx.MultiDiGraph(crs="epsg:4326")
    graph.add_node(1, x=120.300, y=31.5)
    graph.add_node(2, x=120.310, y=31.5)
    graph.add_edge(1, 2, length=950.0)  # one-way west -> east
    team_west = resources([{"id": "T", "kind": "rescue_team", "lon": 120.300, "lat": 31.5},
                           {"id": "A", "kind": "aed", "lon": 120.300, "lat": 31.5}])
    east = [(120.310, 31.5)]
    got = nearest_by_network(graph, team_west, east)
    assert got["resource_id"].tolist() == ["A", "T"]  # the team drives with the one-way
    team_east = resources([{"id": "T", "kind": "rescue_team", "lon": 120.310, "lat": 31.5},
                           {"id": "A", "kind": "aed", "lon": 120.310, "lat": 31.5}])
    got = nearest_by_network(graph, team_east, [(120.300, 31.5)])
    assert got["resource_id"].tolist() == ["A"]  # walking ignores one-way; driving cannot


def test_filters_max_distance_ties_and_empty():
    graph = river_graph()
    res = pd.concat([RES, resources([
        {"id": "SAME-B", "kind": "aed", "lon": 120.308, "lat": 31.5002},
        {"id": "SAME-0", "kind": "aed", "lon": 120.308, "lat": 31.5002, "status": "inactive"},
    ])], ignore_index=True)
    got = nearest_by_network(graph, res, ORIGIN, kinds="aed", k=3)
    assert got["resource_id"].tolist() == ["SAME", "SAME-B", "ACROSS"]
    assert got["rank"].tolist() == [1, 2, 3]
    got = nearest_by_network(graph, res, ORIGIN, kinds="aed", k=3, max_distance_m=2000)
    assert got["resource_id"].tolist() == ["SAME", "SAME-B"]
    none = nearest_by_network(graph, res, ORIGIN, max_distance_m=50)
    assert none.empty and tuple(none.columns) == OUTPUT_COLUMNS
    assert nearest_by_network(graph, res, []).empty
    assert {c: str(t) for c, t in none.dtypes.items()} == OUTPUT_DTYPES
    fast = nearest_by_network(graph, RES, ORIGIN, kinds="aed", speed_kmh=10.0)
    assert fast["travel_min"].iloc[0] == pytest.approx(fast["distance_m"].iloc[0] / (10 / 0.06))


def test_far_points():
    graph = river_graph()
    with pytest.raises(ValidationError, match=r"1 origin\(s\) are more than 1000 m"):
        nearest_by_network(graph, RES, [(120.318, 31.5004), (120.5, 31.6)])
    far_res = resources([{"id": "FAR", "kind": "aed", "lon": 120.5, "lat": 31.6}])
    with pytest.raises(ValidationError, match="within 1000 m of the road network"):
        nearest_by_network(graph, far_res, ORIGIN)
    # a far resource is skipped when others can be routed
    mixed = pd.concat([RES, far_res], ignore_index=True)
    got = nearest_by_network(graph, mixed, ORIGIN, kinds="aed", k=5)
    assert "FAR" not in got["resource_id"].tolist()


def test_unreadable_files(tmp_path):
    with pytest.raises(ValidationError, match="not found"):
        load_network(tmp_path / "missing.osm")
    bad_suffix = tmp_path / "roads.shp"
    bad_suffix.write_text("x")
    with pytest.raises(ValidationError, match=r"must be OSM XML \(.osm, .xml\) or GraphML"):
        load_network(bad_suffix)
    for name, text in [("broken.osm", "<osm><node id='1'"), ("broken.graphml", "not xml"),
                       ("empty.osm", "<osm version='0.6'></osm>")]:
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ValidationError, match=name):
            load_network(path)


def test_argument_errors():
    graph = river_graph()
    with pytest.raises(ValidationError, match="k must be >= 1"):
        nearest_by_network(graph, RES, ORIGIN, k=0)
    with pytest.raises(ValidationError, match="speed_kmh must be"):
        nearest_by_network(graph, RES, ORIGIN, speed_kmh=0)
    with pytest.raises(ValidationError, match="road network is empty"):
        nearest_by_network(nx.MultiDiGraph(crs="epsg:4326"), RES, ORIGIN)
