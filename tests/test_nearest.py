"""Tests for geo.nearest: brute force, filters, ties, empties, errors, geodesic accuracy."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point

import geo.nearest as gn
from geo.errors import ValidationError
from geo.nearest import OUTPUT_COLUMNS, OUTPUT_DTYPES, ResourceIndex, nearest
from geo.settings import SETTINGS

GEOD = Geod(ellps="WGS84")
KINDS4 = ["aed", "relief_store", "first_aid_station", "rescue_team"]


def resources(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"status": "active", "hours": "24h", "pads_expiry": "", "battery_expiry": "",
            "specialty": ""}
    records = [{**base, "name": r["id"], **r} for r in rows]
    frame = pd.DataFrame(records)
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


def random_resources(n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(119.0, 120.6, n)
    lat = rng.uniform(31.1, 32.3, n)
    return resources([
        {"id": f"R{i:05d}", "kind": KINDS4[i % 4], "lon": lon[i], "lat": lat[i],
         "status": rng.choice(["active", "active", "active", "maintenance"])}
        for i in range(n)])


def brute_force(res: gpd.GeoDataFrame, origins: np.ndarray, k: int, kinds: list[str],
                keep: np.ndarray) -> dict:
    """Geodesic brute force: {(origin, kind): [ids in rank order]}."""
    out = {}
    lon = res.geometry.x.to_numpy()
    lat = res.geometry.y.to_numpy()
    for o, (olon, olat) in enumerate(origins):
        for kind in kinds:
            sel = np.flatnonzero((res["kind"].to_numpy() == kind) & keep)
            if sel.size == 0:
                continue
            _, _, d = GEOD.inv(np.full(sel.size, olon), np.full(sel.size, olat), lon[sel], lat[sel])
            order = np.lexsort((res["id"].to_numpy()[sel], d))[:k]
            out[(o, kind)] = (res["id"].to_numpy()[sel][order].tolist(), d[order])
    return out


@pytest.mark.parametrize("k", [1, 2, 3])
def test_matches_brute_force(k):
    res = random_resources(400, seed=k)
    rng = np.random.default_rng(100 + k)
    origins = np.column_stack([rng.uniform(119.0, 120.6, 25), rng.uniform(31.1, 32.3, 25)])
    got = nearest(res, origins, k=k)
    keep = (res["status"] == "active").to_numpy()
    expected = brute_force(res, origins, k, KINDS4, keep)
    assert len(got) == sum(len(v[0]) for v in expected.values())
    for (o, kind), (ids, dist) in expected.items():
        rows = got[(got["origin"] == o) & (got["kind"] == kind)]
        assert rows["rank"].tolist() == list(range(1, len(ids) + 1))
        assert rows["resource_id"].tolist() == ids
        np.testing.assert_allclose(rows["distance_m"].to_numpy(), dist, rtol=1e-4)


def test_output_columns_dtypes_modes_and_travel():
    res = resources([
        {"id": "A1", "kind": "aed", "lon": 120.30, "lat": 31.57},
        {"id": "T1", "kind": "rescue_team", "lon": 120.31, "lat": 31.57},
        {"id": "S1", "kind": "relief_store", "lon": 120.32, "lat": 31.57},
    ])
    got = nearest(res, [(120.30, 31.57)], k=1)
    assert tuple(got.columns) == OUTPUT_COLUMNS
    assert {c: str(t) for c, t in got.dtypes.items()} == OUTPUT_DTYPES
    assert got["kind"].tolist() == ["aed", "relief_store", "rescue_team"]  # schema kind order
    assert got["mode"].tolist() == ["walk", "drive", "drive"]
    assert (got["method"] == "straight_line").all()
    team = got[got["kind"] == "rescue_team"].iloc[0]
    expected = (team["distance_m"] * SETTINGS.drive_circuity / (SETTINGS.drive_speed_kmh / 0.06)
                + SETTINGS.team_turnout_min)
    assert team["travel_min"] == pytest.approx(expected)
    store = got[got["kind"] == "relief_store"].iloc[0]
    assert store["travel_min"] == pytest.approx(
        store["distance_m"] * SETTINGS.drive_circuity / (SETTINGS.drive_speed_kmh / 0.06))
    assert got["lon"].tolist() == [120.30, 120.32, 120.31]
    assert got.loc[0, "distance_m"] == pytest.approx(0.0, abs=1e-6)


def near_pair(**far_overrides) -> gpd.GeoDataFrame:
    """Two AEDs east of the origin: NEAR at ~100 m (overridable), FAR at ~1 km (always fine)."""
    near = {"id": "NEAR", "kind": "aed", "lon": 120.301, "lat": 31.5, **far_overrides}
    return resources([near, {"id": "FAR", "kind": "aed", "lon": 120.31, "lat": 31.5}])


ORIGIN = [(120.3, 31.5)]
NIGHT = dt.datetime(2026, 11, 1, 3, 0)
NOON = dt.datetime(2026, 11, 1, 12, 0)


@pytest.mark.parametrize(("override", "at"), [
    ({"pads_expiry": "2026-10-31"}, NOON),
    ({"battery_expiry": "2025-01-01"}, NOON),
    ({"hours": "08:00-22:00"}, NIGHT),
    ({"hours": "22:00-06:00"}, NOON),
    ({"status": "maintenance"}, None),
    ({"status": "inactive"}, NOON),
])
def test_filters_change_the_answer(override, at):
    res = near_pair(**override)
    assert nearest(res, ORIGIN, at=at, usable_only=False)["resource_id"].tolist() == ["NEAR"]
    assert nearest(res, ORIGIN, at=at)["resource_id"].tolist() == ["FAR"]


def test_midnight_crossing_open_at_night_and_expiry_on_the_day():
    res = near_pair(hours="22:00-06:00", pads_expiry="2026-11-01")
    assert nearest(res, ORIGIN, at=NIGHT)["resource_id"].tolist() == ["NEAR"]
    assert nearest(res, ORIGIN, at=dt.datetime(2026, 11, 1, 23, 30))["resource_id"].tolist() == [
        "NEAR"]
    assert nearest(res, ORIGIN, at=dt.datetime(2026, 11, 2, 3, 0))["resource_id"].tolist() == [
        "FAR"]


def test_specialty_filter_only_affects_rescue_teams():
    res = resources([
        {"id": "T-MED", "kind": "rescue_team", "lon": 120.301, "lat": 31.5,
         "specialty": "medical"},
        {"id": "T-WATER", "kind": "rescue_team", "lon": 120.35, "lat": 31.5,
         "specialty": "water_rescue"},
        {"id": "A1", "kind": "aed", "lon": 120.30, "lat": 31.5},
    ])
    got = nearest(res, ORIGIN, specialty="water_rescue")
    assert got["resource_id"].tolist() == ["A1", "T-WATER"]
    got = nearest(res, ORIGIN, kinds="rescue_team", specialty=["medical", "water_rescue"], k=2)
    assert got["resource_id"].tolist() == ["T-MED", "T-WATER"]
    assert nearest(res, ORIGIN, kinds="rescue_team", specialty="mountain").empty


def test_ties_broken_by_resource_id():
    # four AEDs at the same spot (one building) plus two at equal distance either side
    rows = [{"id": rid, "kind": "aed", "lon": 120.31, "lat": 31.5} for rid in ("d", "b", "c", "a")]
    res = resources(rows)
    for k in (1, 2, 3, 4):
        got = nearest(res, ORIGIN, k=k)
        assert got["resource_id"].tolist() == ["a", "b", "c", "d"][:k]
        assert got["rank"].tolist() == list(range(1, k + 1))
    # the same with most candidates unusable (filtered path) and with a far extra point
    res2 = resources([*rows, {"id": "0", "kind": "aed", "lon": 120.5, "lat": 31.5},
                      *[{"id": f"x{i}", "kind": "aed", "lon": 120.31, "lat": 31.5,
                         "status": "inactive"} for i in range(6)]])
    assert nearest(res2, ORIGIN, k=2)["resource_id"].tolist() == ["a", "b"]
    assert nearest(res2, ORIGIN, k=5)["resource_id"].tolist() == ["a", "b", "c", "d", "0"]


def test_fewer_resources_than_k_and_max_distance():
    res = near_pair()
    got = nearest(res, ORIGIN, k=5)
    assert got["resource_id"].tolist() == ["NEAR", "FAR"]
    assert nearest(res, ORIGIN, k=5, max_distance_m=500)["resource_id"].tolist() == ["NEAR"]
    d_far = nearest(res, ORIGIN, k=2)["distance_m"].iloc[1]
    assert nearest(res, ORIGIN, k=2, max_distance_m=d_far + 0.01)["resource_id"].tolist() == [
        "NEAR", "FAR"]
    assert nearest(res, ORIGIN, k=2, max_distance_m=d_far - 0.01)["resource_id"].tolist() == [
        "NEAR"]


def test_empty_results_keep_columns_and_dtypes():
    res = near_pair()
    empties = [
        nearest(res, ORIGIN, max_distance_m=10),  # nothing in range
        nearest(res, [], k=2),  # no origins
        nearest(res, np.zeros((0, 2))),
        nearest(res, ORIGIN, kinds="rescue_team"),  # a schema kind absent from the data
        nearest(res.assign(status="inactive"), ORIGIN),  # nothing usable
    ]
    for got in empties:
        assert got.empty
        assert tuple(got.columns) == OUTPUT_COLUMNS
        assert {c: str(t) for c, t in got.dtypes.items()} == OUTPUT_DTYPES


def test_origin_without_result_has_no_rows():
    res = near_pair()
    got = nearest(res, [(120.3, 31.5), (119.0, 32.3), (120.3, 31.5)], max_distance_m=2000)
    assert got["origin"].tolist() == [0, 2]


def test_origin_forms_are_equivalent():
    res = random_resources(60, seed=7)
    pts = [(120.0, 31.6), (119.5, 32.0)]
    want = nearest(res, pts, k=2)
    gdf = gpd.GeoDataFrame(geometry=[Point(p) for p in pts], crs="EPSG:4326")
    for form in (np.array(pts), gdf, gdf.geometry, gdf.to_crs("EPSG:4549")):
        pd.testing.assert_frame_equal(nearest(res, form, k=2), want, rtol=1e-9)
    one = nearest(res, (120.0, 31.6), k=2)
    pd.testing.assert_frame_equal(one, want[want["origin"] == 0])
    pd.testing.assert_frame_equal(nearest(res, Point(120.0, 31.6), k=2), one)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"k": 0}, "k must be >= 1, got 0"),
    ({"k": 1.5}, "k must be an integer"),
    ({"k": True}, "k must be an integer"),
    ({"max_distance_m": 0}, "max_distance_m must be finite and > 0"),
    ({"max_distance_m": float("nan")}, "max_distance_m must be finite"),
    ({"max_distance_m": "far"}, "max_distance_m must be a number"),
    ({"kinds": ["aed", "helicopter"]}, r"unknown kind\(s\) \['helicopter'\]"),
    ({"specialty": ""}, "specialty must be"),
    ({"at": "soon"}, "at must be"),
])
def test_argument_errors(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        nearest(near_pair(), ORIGIN, **kwargs)


@pytest.mark.parametrize(("origins", "match"), [
    ([(120.3, float("nan"))], "finite WGS84"),
    ([(31.5, 120.3)], r"first at position 0: \(31.5, 120.3\)"),  # swapped lon/lat
    ([(120.3, 31.5), (200.0, 31.5)], "position 1"),
    ([(1.0, 2.0, 3.0)], r"shape \(n, 2\)"),
    ("somewhere", "origins must be"),
])
def test_origin_errors(origins, match):
    with pytest.raises(ValidationError, match=match):
        nearest(near_pair(), origins)


def test_resource_errors():
    res = near_pair()
    with pytest.raises(ValidationError, match="no CRS"):
        nearest(res.set_crs(None, allow_override=True), ORIGIN)
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['status'\]"):
        nearest(res.drop(columns="status"), ORIGIN)
    with pytest.raises(ValidationError, match="GeoDataFrame"):
        nearest(pd.DataFrame(res.drop(columns="geometry")), ORIGIN)
    with pytest.raises(ValidationError, match=r"hours .*id 'NEAR'"):
        nearest(res.assign(hours=["8-22", "24h"]), ORIGIN)


@pytest.mark.parametrize("distance_m", [10.0, 100.0, 1_000.0, 10_000.0, 50_000.0, 100_000.0])
def test_distance_agrees_with_geodesic(distance_m):
    """Points at known geodesic distances in several directions across Jiangsu."""
    rng = np.random.default_rng(int(distance_m))
    olon = rng.uniform(119.0, 120.6, 12)
    olat = rng.uniform(31.1, 32.3, 12)
    az = rng.uniform(0, 360, 12)
    rlon, rlat, _ = GEOD.fwd(olon, olat, az, np.full(12, distance_m))
    for i in range(12):
        res = resources([{"id": "X", "kind": "aed", "lon": rlon[i], "lat": rlat[i]}])
        got = nearest(res, [(olon[i], olat[i])])["distance_m"].iloc[0]
        assert got == pytest.approx(distance_m, rel=0.005)
        assert got == pytest.approx(distance_m, rel=1e-4)  # the scale correction does better


def test_index_is_not_rebuilt_between_queries(monkeypatch):
    builds = []
    real = gn.cKDTree

    def counting(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(gn, "cKDTree", counting)
    gn.clear_index_cache()
    res = random_resources(200, seed=3)
    nearest(res, ORIGIN, k=2)
    after_first = len(builds)
    assert after_first == 4  # one tree per kind
    for hour in (3, 12, 3, 12):
        nearest(res, ORIGIN, k=3, at=dt.datetime(2026, 11, 1, hour), kinds=["aed", "rescue_team"])
    nearest(res, [(119.5, 31.2), (120.1, 32.0)], k=1, max_distance_m=5000)
    assert len(builds) == after_first
    index = gn.index_for(res)
    assert gn.index_for(res) is index
    assert gn.nearest(index, ORIGIN).equals(gn.nearest(res, ORIGIN))
    assert len(builds) == after_first
    # a different frame (or a changed one) gets its own index
    changed = res.assign(status="active")
    nearest(changed, ORIGIN)
    assert len(builds) == after_first + 4


def test_sparse_usable_uses_cached_subtree():
    rows = [{"id": f"A{i:03d}", "kind": "aed", "lon": 120.3 + i * 1e-3, "lat": 31.5,
             "hours": "08:00-22:00" if i % 10 else "24h"} for i in range(100)]
    index = ResourceIndex(resources(rows))
    before = ResourceIndex.tree_builds
    night = index.query(ORIGIN, k=3, at=NIGHT)
    assert night["resource_id"].tolist() == ["A000", "A010", "A020"]
    assert ResourceIndex.tree_builds == before + 1  # one filtered sub-tree for the night mask
    index.query(ORIGIN, k=3, at=dt.datetime(2026, 11, 2, 4, 15))  # same mask -> cache hit
    assert ResourceIndex.tree_builds == before + 1
    day = index.query(ORIGIN, k=3, at=NOON)
    assert day["resource_id"].tolist() == ["A000", "A001", "A002"]
    assert ResourceIndex.tree_builds == before + 1  # mostly usable -> full tree, masked


def test_usable_only_false_ignores_at_and_status():
    res = near_pair(status="inactive", hours="08:00-09:00")
    got = nearest(res, ORIGIN, at=NIGHT, usable_only=False, k=2)
    assert got["resource_id"].tolist() == ["NEAR", "FAR"]


# ---- usability policy and exclusion ------------------------------------------------------


@pytest.mark.parametrize(("policy", "override", "at", "first"), [
    ("default", {"hours": "08:00-22:00"}, NIGHT, "FAR"),       # closed at 03:00
    ("default", {"hours": "08:00-22:00"}, NOON, "NEAR"),
    ("planner_24h", {"hours": "08:00-22:00"}, NOON, "FAR"),    # not a 24 h device
    ("planner", {"pads_expiry": "2026-10-31"}, NOON, "FAR"),   # expired pads
    ("registry", {"pads_expiry": "2026-10-31"}, NOON, "NEAR"),  # the registry counts it
    ("registry", {"status": "maintenance"}, NIGHT, "NEAR"),
    ("default", {"status": "maintenance"}, NOON, "FAR"),
])
def test_policy_presets(policy, override, at, first):
    got = nearest(near_pair(**override), ORIGIN, at=at, policy=policy)
    assert got["resource_id"].iloc[0] == first


def test_policy_object_and_unknown_name():
    from geo.usable import UsabilityPolicy

    custom = UsabilityPolicy(statuses=frozenset({"active", "maintenance"}), name="loan")
    got = nearest(near_pair(status="maintenance"), ORIGIN, policy=custom)
    assert got["resource_id"].iloc[0] == "NEAR"
    with pytest.raises(ValidationError, match="policy"):
        nearest(near_pair(), ORIGIN, policy="nonsense")


@pytest.mark.parametrize("exclude", [["NEAR"], "NEAR", np.array([True, False]),
                                     pd.Series(["NEAR", "UNKNOWN"])])
def test_exclude_by_id_or_mask(exclude):
    got = nearest(near_pair(), ORIGIN, k=2, exclude=exclude)
    assert got["resource_id"].tolist() == ["FAR"]


def test_exclude_nothing_and_everything():
    assert nearest(near_pair(), ORIGIN, k=2, exclude=[])["resource_id"].tolist() == [
        "NEAR", "FAR"]
    assert nearest(near_pair(), ORIGIN, exclude=["NEAR", "FAR"]).empty


def test_exclude_mask_of_wrong_length():
    with pytest.raises(ValidationError, match=r"one value per resource \(2\)"):
        nearest(near_pair(), ORIGIN, exclude=np.array([True]))


def test_exclude_works_on_the_subtree_path():
    rows = [{"id": f"A{i:03d}", "kind": "aed", "lon": 120.3 + i * 1e-3, "lat": 31.5}
            for i in range(50)]
    index = ResourceIndex(resources(rows))
    origins = np.tile([120.3, 31.5], (gn.SUBTREE_FROM_ORIGINS, 1))  # a batch: sub-tree path
    got = index.query(origins, exclude=["A000", "A001"])
    assert set(got["resource_id"]) == {"A002"}


def test_network_path_honours_exclude_and_policy():
    import networkx as nx

    from geo.network import nearest_by_network

    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for i, lon in enumerate([120.3, 120.301, 120.31]):
        graph.add_node(i, x=lon, y=31.5)
    graph.add_edge(0, 1, length=95.0)
    graph.add_edge(1, 2, length=860.0)
    res = near_pair(hours="08:00-22:00")
    assert nearest_by_network(graph, res, ORIGIN, exclude=["NEAR"])["resource_id"].tolist() == [
        "FAR"]
    assert nearest_by_network(graph, res, ORIGIN, at=NIGHT)["resource_id"].tolist() == ["FAR"]
    assert nearest_by_network(graph, res, ORIGIN, at=NIGHT,
                              policy="registry")["resource_id"].tolist() == ["NEAR"]
