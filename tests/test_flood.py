"""geo.flood: impact counts against brute force, the relief LP, dispatch, assignment, reading."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.optimize import linprog
from shapely.geometry import LineString, Point, Polygon, box

from geo import flood
from geo.crs import gcj02_to_wgs84
from geo.datasets import load_demo
from geo.distance import geodesic_m
from geo.errors import ValidationError
from geo.schema import RELIEF_ITEMS
from ui.i18n import problem_text

WGS84 = "EPSG:4326"
METRIC = "EPSG:4549"
#: A square over central Zhenjiang (大市口 / 健康路), WGS84.
ZJ_CENTRE = box(119.435, 32.195, 119.455, 32.212)


@pytest.fixture(scope="module")
def ds():
    return load_demo()


@pytest.fixture(scope="module")
def scenarios():
    return flood.scenarios()


def brute_force(ds, extent_frame: gpd.GeoDataFrame, buffer_m: float):
    """Independent answer: geopandas point-in-polygon on every cell and resource."""
    extent = shapely.union_all(extent_frame.to_crs(WGS84).geometry.values)
    pop = ds.population
    inside = shapely.intersects(extent, np.asarray(pop.geometry.values))
    res = ds.resources
    flooded = shapely.intersects(extent, np.asarray(res.geometry.values))
    zone_m = gpd.GeoSeries([extent], crs=WGS84).to_crs(METRIC).buffer(buffer_m).iloc[0]
    res_m = res.to_crs(METRIC)
    in_zone = np.asarray(res_m.geometry.intersects(zone_m)) if buffer_m > 0 else flooded
    return pop[inside], set(res["id"][flooded]), set(res["id"][in_zone & ~flooded])


def _check_impact(ds, frame, buffer_m):
    result = flood.impact(ds, frame, buffer_m)
    cells, flooded, at_risk = brute_force(ds, frame, buffer_m)
    assert result.people == int(cells["pop"].sum())
    assert len(result.cells) == len(cells)
    got = result.resources
    assert set(got["id"][got["zone"] == "flooded"]) == flooded
    assert set(got["id"][got["zone"] == "at_risk"]) == at_risk
    assert set(result.excluded_ids) == flooded | at_risk
    per = cells.groupby("district")["pop"].sum().sort_index()
    mine = result.by_district.set_index("district")["people"].sort_index()
    assert mine.to_dict() == {k: int(v) for k, v in per.items()}
    assert result.households == pytest.approx(result.people / 2.6)
    if len(result.by_town):
        assert int(result.by_town["people"].sum()) == result.people
    return result


@pytest.mark.parametrize("key", flood.SCENARIO_KEYS)
def test_scenario_counts_equal_brute_force(ds, scenarios, key):
    result = _check_impact(ds, scenarios[key], 500.0)
    assert result.people > 0 and len(result.resources) > 0


def test_hand_made_polygon_with_buffer_equals_brute_force(ds):
    frame = gpd.GeoDataFrame(geometry=[ZJ_CENTRE], crs=WGS84)
    result = _check_impact(ds, frame, 800.0)
    assert (result.resources["zone"] == "at_risk").any()
    assert (result.resources["zone"] == "flooded").any()


def test_extent_in_another_crs_and_geometry_input(ds):
    a = flood.impact(ds, ZJ_CENTRE, 300)
    b = flood.impact(ds, gpd.GeoDataFrame(geometry=[ZJ_CENTRE], crs=WGS84).to_crs(METRIC), 300)
    assert a.people == b.people
    assert list(a.resources["id"]) == list(b.resources["id"])


def test_bad_arguments_raise_with_codes(ds):
    with pytest.raises(ValidationError, match="buffer_m") as err:
        flood.impact(ds, ZJ_CENTRE, -1)
    assert err.value.code == "bad_argument"
    with pytest.raises(ValidationError, match="household_size"):
        flood.impact(ds, ZJ_CENTRE, household_size=0)
    with pytest.raises(ValidationError, match="unknown item"):
        flood.impact(ds, ZJ_CENTRE, needs={"sandbag": 3})
    with pytest.raises(ValidationError, match="polygon") as err:
        flood.impact(ds, LineString([(119.4, 32.2), (119.5, 32.2)]))
    assert err.value.code == "extent_no_area"


# --- the relief allocation LP -----------------------------------------------------------------

def test_allocation_hand_checked_optimum():
    # Stores A (stock 5) and B (stock 3); districts 1 (demand 4) and 2 (demand 6).
    # km: A->1 = 1, A->2 = 3, B->1 = 2, B->2 = 2. Total stock 8 < demand 10: deliver 8.
    # With x = A->1, y = B->1: A->2 = 5 - x, B->2 = 3 - y, x + y <= 4 (demand 1) and
    # (5 - x) + (3 - y) <= 6, so x + y >= 2. Cost = x + 3(5 - x) + 2y + 2(3 - y) = 21 - 2x,
    # lowest at x = 4 (then y = 0): ship [[4, 1], [0, 3]], 13 kit-km, district 2 short by 2.
    ship, short = flood.allocate([5, 3], [4, 6], [[1000, 3000], [2000, 2000]])
    assert ship.tolist() == [[4, 1], [0, 3]]
    assert short.tolist() == [0, 2]
    # Surplus: stock 10 + 10 for demand 4 + 6, each district from its near store (10 kit-km).
    ship, short = flood.allocate([10, 10], [4, 6], [[1000, 5000], [4000, 1000]])
    assert ship.tolist() == [[4, 0], [0, 6]]
    assert short.tolist() == [0, 0]


def _two_stage(stock, demand, cost):
    """Reference: stage 1 max delivered, stage 2 min item-km with delivered fixed (LP)."""
    m, n = len(stock), len(demand)
    a_ub = np.zeros((m + n, m * n))
    for i in range(m):
        a_ub[i, i * n:(i + 1) * n] = 1
    for j in range(n):
        a_ub[m + j, j::n] = 1
    b_ub = np.concatenate([stock, demand])
    first = linprog(-np.ones(m * n), A_ub=a_ub, b_ub=b_ub, method="highs")
    best = -first.fun
    second = linprog(np.asarray(cost, float).ravel() / 1000, A_ub=a_ub, b_ub=b_ub,
                     A_eq=np.ones((1, m * n)), b_eq=[best], method="highs")
    return best, second.fun


@pytest.mark.parametrize("seed", range(8))
def test_allocation_equals_two_stage_reference(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 5), rng.integers(1, 6)
    stock = rng.integers(0, 40, m)
    demand = rng.integers(0, 40, n)
    cost = rng.uniform(500, 50_000, (m, n))
    ship, short = flood.allocate(stock, demand, cost)
    assert ship.dtype == np.int64 and (ship >= 0).all()
    assert (ship.sum(axis=1) <= stock).all()
    assert (ship.sum(axis=0) + short == demand).all()
    delivered, km = _two_stage(stock, demand, cost)
    assert ship.sum() == round(delivered) == min(stock.sum(), demand.sum())
    assert (ship * cost / 1000).sum() == pytest.approx(km, rel=1e-9, abs=1e-6)


def test_allocate_refuses_bad_input():
    with pytest.raises(ValidationError, match="shape"):
        flood.allocate([1], [1, 2], [[1.0]])
    with pytest.raises(ValidationError, match="whole numbers"):
        flood.allocate([1.5], [1], [[1.0]])


def test_scenario_allocation_meets_stock_and_demand(ds, scenarios):
    result = flood.impact(ds, scenarios["jurong_dantu_waterlogging"], 500)
    stores = ds.resources.set_index("id")
    for item in result.needs:
        alloc = result.allocation[result.allocation["item"] == item]
        sent = alloc.groupby("store")["quantity"].sum()
        for store, quantity in sent.items():
            assert quantity <= stores.loc[store, f"stock_{item}"]
        short = result.shortfall[result.shortfall["item"] == item].set_index("district")
        for _, row in result.by_district.iterrows():
            got = alloc.loc[alloc["district"] == row["district"], "quantity"].sum()
            missing = short["quantity"].get(row["district"], 0)
            assert got + missing == row[f"need_{item}"]
    assert (result.shortfall["quantity"] > 0).all()
    assert result.allocation["quantity"].dtype == np.int64


def test_needs_are_households_times_rate_rounded_up(ds):
    result = flood.impact(ds, ZJ_CENTRE, needs={"family_kit": 1, "quilt": 2.5},
                          household_size=3)
    assert set(result.needs) == {"family_kit", "quilt"}
    hh = result.by_district["people"] / 3
    assert (result.by_district["need_quilt"] == np.ceil(hh * 2.5 - 1e-9)).all()
    assert set(RELIEF_ITEMS) >= set(result.allocation["item"])


def test_flooded_and_at_risk_stores_never_supply(ds, scenarios):
    result = flood.impact(ds, scenarios["jurong_dantu_waterlogging"])
    assert "ZJ-REL-03" in set(result.resources["id"])  # the Jurong store is under water
    assert "ZJ-REL-03" not in set(result.allocation["store"])
    # a polygon 1 km from the Dantu store: at risk with a 2 km buffer, so it ships nothing
    near = Point(119.445, 32.141).buffer(0.004)
    result = flood.impact(ds, near, 2000)
    zone = result.resources.set_index("id")["zone"]
    assert zone["ZJ-REL-02"] == "at_risk"
    assert len(result.allocation) and "ZJ-REL-02" not in set(result.allocation["store"])
    assert not set(result.excluded_ids) & set(result.allocation["store"])


def test_team_inside_or_deployed_is_never_dispatched(ds, scenarios):
    frame = scenarios["jurong_dantu_waterlogging"]
    result = flood.impact(ds, frame, deployed=["ZJ-RT-06"])
    teams = set(result.dispatch["team"])
    assert "ZJ-RT-05" in set(result.resources["id"]) and "ZJ-RT-05" not in teams
    assert "ZJ-RT-06" not in teams
    assert list(result.dispatch["rank"]) == list(range(1, len(teams) + 1))
    water = result.dispatch["specialty"] == "water_rescue"
    assert water.iloc[: water.sum()].all()  # water-rescue teams first
    for part in (result.dispatch[water], result.dispatch[~water]):
        assert part["eta_min"].is_monotonic_increasing
    dry = flood.impact(ds, frame, water=False).dispatch
    assert dry["eta_min"].is_monotonic_increasing


def test_dispatch_eta_uses_the_travel_model(ds):
    result = flood.impact(ds, ZJ_CENTRE)
    row = result.dispatch.iloc[0]
    team = ds.resources.set_index("id").loc[row["team"]]
    nearest = shapely.ops.nearest_points(ZJ_CENTRE, team.geometry)[0]
    exact = geodesic_m(team.geometry.x, team.geometry.y, nearest.x, nearest.y)
    assert row["distance_m"] == pytest.approx(float(exact), rel=2e-3, abs=5)
    assert row["eta_min"] == pytest.approx(row["distance_m"] * 1.4 / 500 + 5.0)


# --- assigning teams to incidents --------------------------------------------------------------

def _eta(team, lon, lat):
    d = float(geodesic_m(team.geometry.x, team.geometry.y, lon, lat))
    return d * 1.4 / 500 + 5.0  # 30 km/h = 500 m/min, circuity 1.4, turnout 5 min


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("water", [False, True])
def test_assign_teams_equals_exhaustive_search(ds, seed, water):
    rng = np.random.default_rng(seed)
    teams = ds.resources[ds.resources["kind"] == "rescue_team"]
    ids = list(teams["id"])
    free = list(rng.choice(ids, size=int(rng.integers(1, 6)), replace=False))
    deployed = [i for i in ids if i not in free]
    n = int(rng.integers(1, 6))
    points = np.column_stack([rng.uniform(119.3, 120.4, n), rng.uniform(31.4, 32.2, n)])
    got = flood.assign_teams(ds, points, water=water, deployed=deployed)
    assert list(got["incident"]) == list(range(n))
    assigned = got.dropna(subset=["team"])
    assert set(assigned["team"]) <= set(free)
    assert assigned["team"].is_unique
    assert len(assigned) == min(n, len(free))
    by_id = teams.set_index("id")
    eta = {(i, t): _eta(by_id.loc[t], *points[i]) for i in range(n) for t in free}
    water_team = {t: by_id.loc[t, "specialty"] == "water_rescue" for t in free}

    def score(pairs):
        other = sum(not water_team[t] for _, t in pairs)
        return (other if water else 0, sum(eta[i, t] for i, t in pairs))

    # every way to pair min(n, teams) incidents with distinct teams
    if n <= len(free):
        options = ([(i, t) for i, t in enumerate(tms)]
                   for tms in itertools.permutations(free, n))
    else:
        options = (list(zip(inc, free, strict=True))
                   for inc in itertools.permutations(range(n), len(free)))
    best = min(score(pairs) for pairs in options)
    mine = score(list(zip(assigned["incident"], assigned["team"], strict=True)))
    assert mine[0] == best[0]
    assert mine[1] == pytest.approx(best[1], rel=1e-4)
    assert assigned["eta_min"].sum() == pytest.approx(mine[1], rel=1e-4)


def test_assign_teams_never_sends_excluded_or_deployed(ds, scenarios):
    result = flood.impact(ds, scenarios["zhenjiang_yangtze_riverside"], 500)
    points = [(119.45, 32.21), (119.80, 32.24), (119.43, 32.20)]
    got = flood.assign_teams(ds, points, exclude=result.excluded_ids, deployed=["ZJ-RT-06"])
    sent = set(got["team"].dropna())
    assert not sent & (set(result.excluded_ids) | {"ZJ-RT-06"})
    assert "ZJ-RT-01" not in sent  # under water on the riverside
    empty = flood.assign_teams(ds, points, deployed=list(
        ds.resources.loc[ds.resources["kind"] == "rescue_team", "id"]))
    assert empty["team"].isna().all() and len(empty) == 3


# --- reading extent files ---------------------------------------------------------------------

def _geojson(*geoms, crs: str | None = None) -> bytes:
    frame = gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geoms))]},
                             geometry=list(geoms), crs=WGS84)
    data = json.loads(frame.to_json())
    for feat, geom in zip(data["features"], geoms, strict=True):
        if geom is None:
            feat["geometry"] = None
    return json.dumps(data).encode()


def _frame_bytes(frame: gpd.GeoDataFrame, driver: str, suffix: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"layer{suffix}"
    frame.to_file(path, driver=driver)
    return path.read_bytes()


def _shapefile_zip(frame, tmp_path, parts=(".shp", ".shx", ".dbf", ".prj")) -> bytes:
    frame.to_file(tmp_path / "extent.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for ext in parts:
            archive.write(tmp_path / f"extent{ext}", f"extent{ext}")
    return buffer.getvalue()


def _codes(report, severity=None):
    return [p.code for p in report.problems if severity is None or p.severity == severity]


def _worded(report):
    for p in report.problems:
        for lang in ("zh", "en"):
            assert problem_text(p.code, p.params, lang, None), p.code


BOWTIE = Polygon([(119.43, 32.19), (119.46, 32.21), (119.46, 32.19), (119.43, 32.21)])


def test_read_geojson_and_bowtie_repaired(ds):
    frame, report = flood.read_extent(_geojson(BOWTIE), "bowtie.geojson",
                                      boundaries=ds.boundaries)
    assert _codes(report) == ["extent_repaired"] and not report.errors
    assert len(frame) == 1 and frame.geometry.iloc[0].is_valid
    assert frame.geometry.iloc[0].area == pytest.approx(0.5 * 0.03 * 0.02, rel=1e-6)
    _worded(report)


def test_read_drops_empty_and_zero_area_parts(ds):
    flat = Polygon([(119.43, 32.19), (119.44, 32.19), (119.45, 32.19)])
    frame, report = flood.read_extent(_geojson(ZJ_CENTRE, flat, None), "a.geojson")
    assert "extent_empty_parts" in _codes(report, "warning") and not report.errors
    assert len(frame) == 1
    frame, report = flood.read_extent(_geojson(flat, None), "a.geojson")
    assert _codes(report, "error") == ["extent_no_area"] and frame.empty
    _worded(report)


def test_read_refuses_lines_and_points():
    frame, report = flood.read_extent(
        _geojson(LineString([(119.4, 32.2), (119.5, 32.2)]), Point(119.4, 32.2)), "l.geojson")
    assert _codes(report) == ["extent_not_polygon"] and frame.empty
    assert "LineString" in report.problems[0].params["geometry"]
    _worded(report)


def test_read_no_features_empty_and_too_large():
    empty = b'{"type": "FeatureCollection", "features": []}'
    frame, report = flood.read_extent(empty, "none.geojson")
    assert _codes(report) == ["empty_layer"] and frame.empty
    _, report = flood.read_extent(_geojson(ZJ_CENTRE), "a.geojson", max_bytes=10)
    assert _codes(report) == ["upload_too_large"]
    _, report = flood.read_extent(b"", "a.geojson")
    assert _codes(report) == ["empty_file"]
    _, report = flood.read_extent(b"abc", "a.shp")
    assert _codes(report) == ["unsupported_type"]
    _, report = flood.read_extent(b"{not json", "a.geojson")
    assert _codes(report) == ["bad_vector_file"]
    _worded(report)


def test_read_zipped_shapefile_needs_prj_and_dbf(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZJ_CENTRE], crs=WGS84)
    got, report = flood.read_extent(_shapefile_zip(frame, tmp_path), "flood.zip")
    assert not report.problems
    assert shapely.hausdorff_distance(got.geometry.iloc[0], ZJ_CENTRE) < 1e-9
    no_prj = _shapefile_zip(frame, tmp_path, (".shp", ".shx", ".dbf"))
    got, report = flood.read_extent(no_prj, "flood.zip")
    assert _codes(report) == ["shapefile_incomplete"] and got.empty
    assert report.problems[0].params["missing"] == ".prj"
    _worded(report)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no shapes here")
    _, report = flood.read_extent(buffer.getvalue(), "flood.zip")
    assert _codes(report) == ["no_shapefile_in_zip"]


def test_read_gcj02_option_shifts_about_500_m():
    raw = _geojson(ZJ_CENTRE)
    plain, _ = flood.read_extent(raw, "a.geojson")
    shifted, report = flood.read_extent(raw, "a.geojson", source_crs="gcj02")
    assert not report.problems
    a, b = plain.geometry.iloc[0].centroid, shifted.geometry.iloc[0].centroid
    moved = float(geodesic_m(a.x, a.y, b.x, b.y))
    assert 300 < moved < 800
    lon, lat = gcj02_to_wgs84(np.array([119.435]), np.array([32.195]))
    xy = shapely.get_coordinates(shifted.geometry.iloc[0])
    assert np.min(np.hypot(xy[:, 0] - lon[0], xy[:, 1] - lat[0])) < 1e-9


def test_read_projected_cgcs2000_gpkg(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZJ_CENTRE], crs=WGS84).to_crs(
        "EPSG:4547")
    got, report = flood.read_extent(_frame_bytes(frame, "GPKG", ".gpkg", tmp_path), "a.gpkg")
    assert not report.problems
    assert got.crs.to_epsg() == 4326
    assert shapely.hausdorff_distance(got.geometry.iloc[0], ZJ_CENTRE) < 1e-7


def test_read_kml(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZJ_CENTRE], crs=WGS84)
    got, report = flood.read_extent(_frame_bytes(frame, "KML", ".kml", tmp_path), "a.kml")
    assert not report.errors
    assert shapely.hausdorff_distance(got.geometry.iloc[0], ZJ_CENTRE) < 1e-7


@pytest.mark.filterwarnings("ignore:.crs. was not provided:UserWarning")
def test_read_layer_without_crs(tmp_path):
    lonlat = gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZJ_CENTRE])
    got, report = flood.read_extent(_frame_bytes(lonlat, "GPKG", ".gpkg", tmp_path), "a.gpkg")
    assert _codes(report) == ["extent_crs_assumed"] and len(got) == 1
    metres = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(500_000, 3_560_000, 502_000,
                                                             3_562_000)])
    (tmp_path / "b").mkdir()
    got, report = flood.read_extent(_frame_bytes(metres, "GPKG", ".gpkg", tmp_path / "b"),
                                    "b.gpkg")
    assert _codes(report) == ["vector_no_crs"] and got.empty
    _worded(report)


def test_read_outside_the_city_refused_partly_outside_warned(ds):
    shanghai = box(121.45, 31.21, 121.49, 31.25)
    got, report = flood.read_extent(_geojson(shanghai), "sh.geojson", boundaries=ds.boundaries)
    assert _codes(report) == ["extent_outside_area"] and got.empty
    # Yangzhong's east edge reaches into the river and Taizhou: partly outside
    edge = box(119.85, 32.15, 120.05, 32.25)
    got, report = flood.read_extent(_geojson(edge), "e.geojson", boundaries=ds.boundaries)
    assert _codes(report) == ["extent_partly_outside"] and len(got) == 1
    assert 0 < report.problems[0].params["percent"] < 100
    _worded(report)


def test_scenario_files_are_illustrative_wgs84(scenarios):
    assert list(scenarios) == list(flood.SCENARIO_KEYS)
    for frame in scenarios.values():
        assert frame.crs.to_epsg() == 4326
        assert set(frame["note"]) == {"illustrative"}
        assert frame["name_zh"].notna().all() and frame["name_en"].notna().all()
        assert frame.geometry.is_valid.all()
        assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}


def test_result_frames_have_the_documented_columns(ds, scenarios):
    result = flood.impact(ds, scenarios["wuxi_taihu_canal"], 300)
    assert list(result.allocation.columns) == ["store", "store_name", "city", "district",
                                               "item", "quantity", "distance_m"]
    assert list(result.shortfall.columns) == ["district", "item", "quantity"]
    assert list(result.dispatch.columns) == ["team", "name", "specialty", "target", "eta_min",
                                             "distance_m", "rank"]
    assert {"city", "district", "people", "households"} <= set(result.by_district.columns)
    assert isinstance(result.by_district, pd.DataFrame)
    assert result.resources.crs.to_epsg() == 4326
