"""Tests for geo.coverage: exact against brute force, reach, usability, districts, gaps, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import geo.coverage as gc
from geo.coverage import PopulationGrid, coverage, coverage_profile, place_coverage, weekly_profile
from geo.distance import GEOD, Projector, geodesic_m, transformer
from geo.errors import ValidationError
from geo.travel import TravelModel
from geo.usable import DEFAULT, REGISTRY, UsabilityPolicy
from ui.i18n import problem_text

METRIC = "EPSG:4549"
PROJ = Projector(METRIC)
TO_WGS84 = transformer(METRIC, "EPSG:4326")
#: Metric origin of the test grids (near Wuxi, east of the central meridian 120E).
X0, Y0 = 530_000.0, 3_495_000.0
AT_NOON = dt.datetime(2026, 5, 6, 12, 0)  # a Wednesday


# --------------------------------------------------------------------------- builders


def lonlat_of(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = TO_WGS84.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def grid_frame(cells: list[tuple[int, int]] | np.ndarray, pop=None, *, cell_m: float = 100.0,
               district=None, city="wuxi") -> gpd.GeoDataFrame:
    """Point cells at (X0 + i*cell_m, Y0 + j*cell_m) in EPSG:4549, returned in WGS84."""
    ij = np.asarray(cells, dtype=float).reshape(-1, 2)
    lon, lat = lonlat_of(X0 + ij[:, 0] * cell_m, Y0 + ij[:, 1] * cell_m)
    n = len(ij)
    pop = np.full(n, 10) if pop is None else np.asarray(pop)
    district = ["A"] * n if district is None else list(district)
    return gpd.GeoDataFrame(
        {"cell_id": [f"C{k}" for k in range(n)], "city": city, "district": district,
         "cell_m": cell_m, "pop": pop},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def squares_of(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same cells as squares (drawn in the metric CRS, as geo.validate draws them)."""
    xy = frame.to_crs(METRIC).get_coordinates().to_numpy()
    half = frame["cell_m"].to_numpy(float) / 2
    sq = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    return frame.set_geometry(gpd.GeoSeries(sq, crs=METRIC).to_crs("EPSG:4326").values)


def resources(rows: list[dict]) -> gpd.GeoDataFrame:
    """Resource points; each row gives id and either (x, y) metric or (lon, lat)."""
    base = {"kind": "aed", "status": "active", "hours": "24h", "pads_expiry": "",
            "battery_expiry": "", "city": "wuxi", "district": "A"}
    records = []
    for r in rows:
        rec = {**base, "name": r["id"], **r}
        if "x" in rec:
            lon, lat = lonlat_of([rec.pop("x")], [rec.pop("y")])
            rec["lon"], rec["lat"] = float(lon[0]), float(lat[0])
        records.append(rec)
    frame = pd.DataFrame(records)
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


def random_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(119.0, 120.6, n), rng.uniform(31.1, 32.3, n)


def random_case(seed: int, n_cells: int = 1500, n_sites: int = 150, spread_deg: float = 0.08):
    """Cells and sites clustered in a few spots across both sides of the 120E meridian."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(119.1, 120.5, 4), rng.uniform(31.2, 32.2, 4)])
    pick_c = rng.integers(0, 4, n_cells)
    pick_s = rng.integers(0, 4, n_sites)
    clon = centres[pick_c, 0] + rng.uniform(-spread_deg, spread_deg, n_cells)
    clat = centres[pick_c, 1] + rng.uniform(-spread_deg, spread_deg, n_cells)
    slon = centres[pick_s, 0] + rng.uniform(-spread_deg, spread_deg, n_sites)
    slat = centres[pick_s, 1] + rng.uniform(-spread_deg, spread_deg, n_sites)
    pop = rng.integers(0, 50, n_cells)
    cells = gpd.GeoDataFrame({"pop": pop, "city": "wuxi",
                              "district": rng.choice(["A", "B", "C"], n_cells)},
                             geometry=gpd.points_from_xy(clon, clat), crs="EPSG:4326")
    sites = resources([{"id": f"S{k}", "lon": slon[k], "lat": slat[k]} for k in range(n_sites)])
    return cells, sites


def brute_ground(cells: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> np.ndarray:
    """(n_cells, n_sites) ground metres by the engine's own definition, all pairs."""
    a = PROJ.project(cells.geometry.x.to_numpy(), cells.geometry.y.to_numpy())
    b = PROJ.project(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy())
    return PROJ.ground_m(a[:, None, :], b[None, :, :])


def assert_worded(exc: ValidationError) -> None:
    """The error has a code the catalogue words in both languages with its params."""
    assert exc.code, exc
    for lang in ("zh", "en"):
        assert problem_text(exc.code, exc.params, lang, None), (exc.code, lang)


# --------------------------------------------------------------------------- exactness


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("pick", ["pair", "fixed"])
def test_equals_brute_force_in_ground_metres(seed: int, pick: str):
    cells, sites = random_case(seed)
    dist = brute_ground(cells, sites)
    if pick == "pair":  # the radius is exactly some cell's distance to some site
        rng = np.random.default_rng(seed + 100)
        close = np.argwhere(dist < 3000)
        i, j = close[rng.integers(len(close))]
        radius = float(dist[i, j])
    else:
        radius = 750.0
    expected = (dist <= radius).any(axis=1)
    result = coverage(sites, cells, radius_m=radius, at=AT_NOON, max_gaps=0)
    np.testing.assert_array_equal(result.covered, expected)
    assert result.covered_pop == cells["pop"].to_numpy()[expected].sum()
    assert result.total_pop == cells["pop"].sum()
    assert result.share == pytest.approx(result.covered_pop / result.total_pop)
    assert 0 < expected.sum() < len(cells)  # the instance is not trivial
    if pick == "pair":
        assert expected[i]
        below = np.nextafter(radius, 0.0)
        tighter = coverage(sites, cells, radius_m=below, at=AT_NOON, max_gaps=0)
        np.testing.assert_array_equal(tighter.covered, (dist <= below).any(axis=1))


@pytest.mark.parametrize("seed", range(3))
def test_primitives_agree_with_brute_force(seed: int):
    cells, sites = random_case(seed, n_cells=800, n_sites=80)
    dist = brute_ground(cells, sites)
    radius = 600.0
    demand = gc.demand_points(cells)
    site_xy = demand.projector.project(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy())
    matrix = gc.covering_matrix(demand.xy, site_xy, radius, demand.projector)
    np.testing.assert_array_equal(matrix.toarray(), dist <= radius)
    mask = gc.covered_mask(demand.xy, site_xy, radius, demand.projector)
    np.testing.assert_array_equal(mask, (dist <= radius).any(axis=1))


@pytest.mark.parametrize("lon", [119.05, 119.9, 120.0, 120.55])
@pytest.mark.parametrize("azimuth", [0.0, 37.0, 90.0, 215.0])
def test_exactly_at_radius_is_covered_and_one_ulp_less_is_not(lon: float, azimuth: float):
    cell = grid_frame([(0, 0)]).set_geometry([Point(lon, 31.7)], crs="EPSG:4326")
    site_lon, site_lat, _ = GEOD.fwd(lon, 31.7, azimuth, 480.0)
    site = resources([{"id": "S", "lon": site_lon, "lat": site_lat}])
    radius = float(brute_ground(cell, site)[0, 0])  # the engine's own distance, exactly
    assert coverage(site, cell, radius_m=radius, at=AT_NOON, max_gaps=0).covered[0]
    below = np.nextafter(radius, 0.0)
    assert not coverage(site, cell, radius_m=below, at=AT_NOON, max_gaps=0).covered[0]


@pytest.mark.parametrize("lon", [119.1, 120.0, 120.5])
@pytest.mark.parametrize("azimuth", [10.0, 100.0, 260.0])
@pytest.mark.parametrize(("offset_m", "inside"), [(-1.0, True), (1.0, False)])
def test_one_metre_inside_or_outside_by_geodesic(lon: float, azimuth: float, offset_m: float,
                                                 inside: bool):
    radius = 500.0
    cell = grid_frame([(0, 0)]).set_geometry([Point(lon, 31.6)], crs="EPSG:4326")
    site_lon, site_lat, _ = GEOD.fwd(lon, 31.6, azimuth, radius + offset_m)
    site = resources([{"id": "S", "lon": site_lon, "lat": site_lat}])
    assert coverage(site, cell, radius_m=radius, at=AT_NOON, max_gaps=0).covered[0] == inside


@pytest.mark.parametrize("seed", range(3))
def test_agrees_with_geodesic_brute_force_up_to_a_tolerance(seed: int, tol_rel: float = 1e-5):
    cells, sites = random_case(seed, n_cells=600, n_sites=60)
    radius = 800.0
    n, m = len(cells), len(sites)
    geod = geodesic_m(np.repeat(cells.geometry.x.to_numpy(), m),
                      np.repeat(cells.geometry.y.to_numpy(), m),
                      np.tile(sites.geometry.x.to_numpy(), n),
                      np.tile(sites.geometry.y.to_numpy(), n)).reshape(n, m)
    expected = (geod <= radius).any(axis=1)
    ambiguous = (np.abs(geod - radius) <= tol_rel * radius).any(axis=1)
    got = coverage(sites, cells, radius_m=radius, at=AT_NOON, max_gaps=0).covered
    np.testing.assert_array_equal(got[~ambiguous], expected[~ambiguous])
    assert ambiguous.sum() <= 2


# --------------------------------------------------------------------------- reach


@pytest.mark.parametrize(("kind", "mode", "minutes"), [
    ("aed", None, 4.0), ("aed", "drive", 2.0), ("first_aid_station", "walk", 10.0),
    ("rescue_team", None, 12.0), ("relief_store", None, 15.0)])
def test_minutes_become_metres_through_the_travel_model(kind, mode, minutes):
    model = TravelModel(walk_speed_kmh=4.2, drive_speed_kmh=25.0, walk_circuity=1.25,
                        drive_circuity=1.5, team_turnout_min=4.0)
    cells = grid_frame([(i, 0) for i in range(0, 80)])
    site = resources([{"id": "S", "kind": kind, "x": X0, "y": Y0}])
    got = coverage(site, cells, minutes=minutes, kind=kind, mode=mode, travel=model,
                   at=AT_NOON, max_gaps=0)
    expected_m = model.reach_m(minutes, kind, mode=mode)
    assert got.radius_m == expected_m
    assert got.minutes == minutes
    assert got.mode == (mode or model.mode(kind))
    same = coverage(site, cells, radius_m=expected_m, kind=kind, at=AT_NOON, max_gaps=0)
    np.testing.assert_array_equal(got.covered, same.covered)
    assert 0 < got.covered.sum() < len(cells)


def test_default_travel_model_is_the_configured_one():
    from geo.travel import travel_model

    cells = grid_frame([(0, 0), (3, 0)])
    site = resources([{"id": "S", "x": X0, "y": Y0}])
    got = coverage(site, cells, minutes=3, at=AT_NOON, max_gaps=0)
    assert got.radius_m == travel_model().reach_m(3, "aed")


# --------------------------------------------------------------------------- usability


def two_cells_two_devices(hours_a: str, hours_b: str, **extra_b) -> tuple:
    cells = grid_frame([(0, 0), (100, 0)], pop=[30, 70])
    sites = resources([{"id": "A", "x": X0, "y": Y0, "hours": hours_a},
                       {"id": "B", "x": X0 + 100 * 100.0, "y": Y0, "hours": hours_b,
                        **extra_b}])
    return cells, sites


def test_a_device_closed_at_3am_does_not_count_at_3am():
    cells, sites = two_cells_two_devices("24h", "08:00-20:00")
    night = coverage(sites, cells, radius_m=50, at=dt.datetime(2026, 5, 6, 3, 0), max_gaps=0)
    day = coverage(sites, cells, radius_m=50, at=AT_NOON, max_gaps=0)
    assert night.covered.tolist() == [True, False] and night.n_resources == 1
    assert day.covered.tolist() == [True, True] and day.n_resources == 2
    assert night.share == pytest.approx(0.3) and day.share == pytest.approx(1.0)


def test_profile_24_7_figure_is_at_least_the_hourly_one():
    cells, sites = two_cells_two_devices("06:00-22:00", "Mo-Fr 08:00-18:00")
    prof = coverage_profile(sites, cells, radius_m=50, day="2026-05-06")
    assert prof.columns.tolist() == list(gc.PROFILE_COLUMNS)
    assert prof["hour"].tolist() == list(range(24))
    assert (prof["share_24_7"] >= prof["share"]).all()
    assert prof["share_24_7"].eq(1.0).all()
    np.testing.assert_allclose(prof["overstatement_pts"],
                               (prof["share_24_7"] - prof["share"]) * 100)
    by_hour = prof.set_index("hour")["share"]
    assert by_hour[3] == 0.0 and by_hour[7] == pytest.approx(0.3)
    assert by_hour[12] == pytest.approx(1.0) and by_hour[20] == pytest.approx(0.3)
    assert prof.set_index("hour")["n_usable"][12] == 2
    assert prof.attrs["distinct_sets"] == 3  # {}, {A}, {A, B}; the 24/7 set is {A, B} again


def test_profile_computes_one_mask_per_distinct_usable_set(monkeypatch):
    cells, sites = two_cells_two_devices("06:00-22:00", "Mo-Fr 08:00-18:00")
    calls = []
    real = gc.covered_mask

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(gc, "covered_mask", counting)
    week = weekly_profile(sites, cells, radius_m=50, week_of="2026-05-07")
    assert len(week) == 168
    assert week["weekday"].tolist() == [d for d in range(7) for _ in range(24)]
    assert week["at"].iloc[0] == dt.datetime(2026, 5, 4, 0, 0)  # the Monday of that week
    # usable sets: none, {A}, {A, B} -- the 24/7 set is {A, B} again
    assert len(calls) == week.attrs["distinct_sets"] == 3
    saturday_noon = week[(week["weekday"] == 5) & (week["hour"] == 12)]
    assert saturday_noon["share"].item() == pytest.approx(0.3)


def test_weekly_profile_judges_expiry_on_each_day():
    cells, sites = two_cells_two_devices("24h", "24h", pads_expiry="2026-05-07")
    week = weekly_profile(sites, cells, radius_m=50, week_of="2026-05-04")
    per_day = week.groupby("weekday")["share"].first()
    np.testing.assert_allclose(per_day, [1.0] * 4 + [0.3] * 3)  # usable through Thursday


@pytest.mark.parametrize(("status", "policy", "counted"), [
    ("active", DEFAULT, True), ("maintenance", DEFAULT, False), ("inactive", DEFAULT, False),
    ("maintenance", REGISTRY, True), ("maintenance", "registry", True)])
def test_policy_decides_which_statuses_count(status, policy, counted):
    cells = grid_frame([(0, 0)])
    site = resources([{"id": "S", "x": X0, "y": Y0, "status": status}])
    got = coverage(site, cells, radius_m=50, at=AT_NOON, policy=policy, max_gaps=0)
    assert got.covered[0] == counted and got.n_resources == int(counted)


@pytest.mark.parametrize(("at", "allow_expired", "counted"), [
    (dt.date(2026, 5, 1), False, True), (dt.date(2026, 6, 2), False, False),
    (dt.date(2026, 6, 2), True, True), (None, False, False)])
def test_expired_pads_do_not_count(at, allow_expired, counted):
    cells = grid_frame([(0, 0)])
    # at=None judges expiry on today's date in China: give it pads that expired yesterday
    expiry = "2026-06-01" if at is not None else str(gc._today() - dt.timedelta(days=1))
    site = resources([{"id": "S", "x": X0, "y": Y0, "pads_expiry": expiry}])
    rule = UsabilityPolicy(name="t", allow_expired=allow_expired)
    assert coverage(site, cells, radius_m=50, at=at, policy=rule, max_gaps=0).covered[0] \
        == counted


def test_only_the_asked_kind_counts():
    cells = grid_frame([(0, 0), (50, 0)])
    sites = resources([{"id": "A", "x": X0, "y": Y0},
                       {"id": "R", "kind": "relief_store", "x": X0 + 5000.0, "y": Y0}])
    aed = coverage(sites, cells, radius_m=50, at=AT_NOON, max_gaps=0)
    store = coverage(sites, cells, radius_m=50, kind="relief_store", at=AT_NOON, max_gaps=0)
    assert aed.covered.tolist() == [True, False] and aed.n_resources == 1
    assert store.covered.tolist() == [False, True] and store.n_resources == 1


@pytest.mark.parametrize("exclude", [["A"], "A", np.array([True, False])])
def test_exclude_by_id_or_mask(exclude):
    cells = grid_frame([(0, 0), (50, 0)])
    sites = resources([{"id": "A", "x": X0, "y": Y0}, {"id": "B", "x": X0 + 5000.0, "y": Y0}])
    got = coverage(sites, cells, radius_m=50, at=AT_NOON, exclude=exclude, max_gaps=0)
    assert got.covered.tolist() == [False, True] and got.n_resources == 1


def test_resource_index_is_accepted():
    from geo.nearest import ResourceIndex

    cells, sites = random_case(1, n_cells=300, n_sites=30)
    a = coverage(sites, cells, radius_m=900, at=AT_NOON, max_gaps=0)
    b = coverage(ResourceIndex(sites), cells, radius_m=900, at=AT_NOON, max_gaps=0)
    np.testing.assert_array_equal(a.covered, b.covered)


# --------------------------------------------------------------------------- districts, totals


@pytest.mark.parametrize("seed", range(3))
def test_by_district_sums_to_the_totals(seed):
    cells, sites = random_case(seed, n_cells=500, n_sites=40)
    sites["district"] = np.random.default_rng(seed).choice(["A", "B", "Z"], len(sites))
    sites.loc[sites.index[:3], "status"] = "maintenance"
    got = coverage(sites, cells, radius_m=700, at=AT_NOON, max_gaps=0)
    table = got.by_district
    assert table.columns.tolist() == ["city", "district", "population", "covered", "share",
                                      "resources", "per_100k"]
    assert table["population"].sum() == got.total_pop
    assert table["covered"].sum() == got.covered_pop
    assert table["resources"].sum() == got.n_resources == len(sites) - 3
    z = table.set_index("district").loc["Z"]  # resources in a district without cells
    assert z["population"] == 0 and np.isnan(z["per_100k"])
    a = table.set_index("district").loc["A"]
    assert a["share"] == pytest.approx(a["covered"] / a["population"])
    assert a["per_100k"] == pytest.approx(a["resources"] / a["population"] * 1e5)
    assert got.aeds_per_100k == got.per_100k == pytest.approx(got.n_resources / got.total_pop
                                                             * 1e5)


def metric_box(x_min: float, x_max: float) -> shapely.Geometry:
    """A WGS84 box whose corners are (x_min, Y0 - 500) and (x_max, Y0 + 500) in EPSG:4549."""
    lon, lat = lonlat_of([X0 + x_min, X0 + x_max], [Y0 - 500, Y0 + 500])
    return box(lon[0], lat[0], lon[1], lat[1])


def test_boundaries_place_cells_and_resources_and_list_empty_districts():
    left, right, empty = metric_box(-500, 1050), metric_box(1050, 3000), metric_box(5000, 6000)
    bounds = gpd.GeoDataFrame({"city": ["wuxi"] * 3, "district": ["L", "R", "E"]},
                              geometry=[left, right, empty], crs="EPSG:4326")
    cells = grid_frame([(i, 0) for i in range(20)]).drop(columns=["city", "district"])
    sites = resources([{"id": "S1", "x": X0, "y": Y0, "district": "wrong"},
                       {"id": "S2", "x": X0 + 1500.0, "y": Y0, "district": "wrong"}])
    got = coverage(sites, cells, radius_m=250, at=AT_NOON, boundaries=bounds, max_gaps=0)
    table = got.by_district.set_index("district")
    assert table.loc["L", "population"] == 110 and table.loc["R", "population"] == 90
    assert table.loc["E", "population"] == 0 and table.loc["E", "resources"] == 0
    assert table.loc["L", "resources"] == 1 and table.loc["R", "resources"] == 1
    assert "wrong" not in table.index


def test_prepared_grid_gives_the_same_answer():
    cells, sites = random_case(4, n_cells=400, n_sites=40)
    grid = PopulationGrid.from_frame(cells)
    a = coverage(sites, cells, radius_m=800, at=AT_NOON, max_gaps=0)
    b = coverage(sites, grid, radius_m=800, at=AT_NOON, max_gaps=0)
    np.testing.assert_array_equal(a.covered, b.covered)
    pd.testing.assert_frame_equal(a.by_district, b.by_district)


def test_result_is_frozen_and_its_mask_read_only():
    got = coverage(resources([{"id": "S", "x": X0, "y": Y0}]), grid_frame([(0, 0)]),
                   radius_m=50, at=AT_NOON)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.share = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        got.covered[0] = False


def test_population_in_a_projected_crs_is_reprojected():
    cells, sites = random_case(2, n_cells=300, n_sites=30)
    a = coverage(sites, cells, radius_m=800, at=AT_NOON, max_gaps=0)
    b = coverage(sites.to_crs(METRIC), cells.to_crs(METRIC), radius_m=800, at=AT_NOON,
                 max_gaps=0)
    c = coverage(sites, cells.to_crs("EPSG:32650"), radius_m=800, at=AT_NOON, max_gaps=0)
    np.testing.assert_array_equal(a.covered, b.covered)
    np.testing.assert_array_equal(a.covered, c.covered)


@pytest.mark.parametrize("shape", ["points", "squares"])
def test_points_and_squares_give_the_same_coverage_and_gaps(shape):
    ij = [(i, j) for i in range(12) for j in range(6)]
    cells = grid_frame(ij, pop=np.arange(1, 73))
    if shape == "squares":
        cells = squares_of(cells)
    sites = resources([{"id": "S", "x": X0 + 550.0, "y": Y0 + 250.0}])
    got = coverage(sites, cells, radius_m=260, at=AT_NOON)
    ref = coverage(sites, grid_frame(ij, pop=np.arange(1, 73)), radius_m=260, at=AT_NOON)
    np.testing.assert_array_equal(got.covered, ref.covered)
    assert got.gaps["people"].tolist() == ref.gaps["people"].tolist()
    assert got.gaps.geometry.iloc[0].equals_exact(ref.gaps.geometry.iloc[0], 1e-8)


# --------------------------------------------------------------------------- gap areas


def test_two_separate_blobs_become_two_areas_ranked_by_people():
    small = [(i, j) for i in range(3) for j in range(3)]            # 9 cells x 10
    large = [(i, j) for i in range(10, 14) for j in range(2)]       # 8 cells x 20
    cells = grid_frame(small + large, pop=[10] * 9 + [20] * 8,
                       district=["A"] * 9 + ["B"] * 8)
    far = resources([{"id": "S", "x": X0 + 90_000.0, "y": Y0}])
    got = coverage(far, cells, radius_m=100, at=AT_NOON)
    gaps = got.gaps
    assert got.n_gaps == 2
    assert gaps.columns.tolist() == [*gc.GAP_COLUMNS, "cell_m", "geometry"]
    assert gaps["rank"].tolist() == [1, 2]
    assert gaps["people"].tolist() == [160.0, 90.0]
    assert gaps["n_cells"].tolist() == [8, 9]
    assert gaps["district"].tolist() == ["B", "A"]
    assert gaps.crs.to_epsg() == 4326


def test_max_gaps_caps_the_table_but_counts_every_area():
    cells = grid_frame([(3 * k, 0) for k in range(7)], pop=[5, 1, 7, 2, 9, 3, 4])
    far = resources([{"id": "S", "x": X0 + 90_000.0, "y": Y0}])
    got = coverage(far, cells, radius_m=100, at=AT_NOON, max_gaps=3)
    assert got.n_gaps == 7
    assert got.gaps["people"].tolist() == [9.0, 7.0, 5.0]
    none = coverage(far, cells, radius_m=100, at=AT_NOON, max_gaps=0)
    assert none.n_gaps is None and none.gaps.empty


@pytest.mark.parametrize(("connectivity", "n_areas"), [(4, 2), (8, 1)])
def test_cells_touching_only_at_a_corner(connectivity, n_areas):
    cells = grid_frame([(0, 0), (1, 0), (2, 1), (3, 1)])
    far = resources([{"id": "S", "x": X0 + 90_000.0, "y": Y0}])
    got = coverage(far, cells, radius_m=100, at=AT_NOON, connectivity=connectivity)
    assert got.n_gaps == n_areas
    assert got.gaps["n_cells"].sum() == 4


def test_covered_cells_split_an_area_and_uncovered_neighbours_merge():
    cells = grid_frame([(i, j) for i in range(9) for j in range(5)])
    middle = resources([{"id": "S", "x": X0 + 400.0, "y": Y0 + 200.0}])
    plus = coverage(middle, cells, radius_m=120, at=AT_NOON)  # the centre and 4 neighbours
    assert plus.n_gaps == 1  # rows 0 and 4 join the two sides around the covered cells
    assert plus.gaps["n_cells"].item() == 45 - 5
    wall = coverage(middle, cells, radius_m=260, at=AT_NOON)  # 21 cells, all of column 4
    assert wall.n_gaps == 2
    assert wall.gaps["n_cells"].tolist() == [12, 12]
    assert wall.gaps["rank"].tolist() == [1, 2]
    assert wall.gaps["lon"].iloc[0] < wall.gaps["lon"].iloc[1]  # tie: the first cell first


def area_cells(got: gc.Coverage, cells: gpd.GeoDataFrame, rank: int) -> gpd.GeoDataFrame:
    """The uncovered cells with people whose centre lies in the gap area of ``rank``."""
    area = got.gaps.set_index("rank").geometry[rank]
    open_cells = cells[~got.covered & (cells["pop"].to_numpy() > 0)]
    return open_cells[open_cells.within(area)]


@pytest.mark.parametrize("seed", range(4))
def test_area_polygons_are_the_union_of_their_cell_squares(seed):
    rng = np.random.default_rng(seed)
    ij = [(i, j) for i in range(40) for j in range(30) if rng.random() < 0.8]
    cells = grid_frame(ij, pop=rng.integers(1, 40, len(ij)))
    sites = resources([{"id": f"S{k}", "x": X0 + rng.uniform(0, 4000), "y": Y0 +
                        rng.uniform(0, 3000)} for k in range(6)])
    got = coverage(sites, cells, radius_m=450, at=AT_NOON)
    assert got.n_gaps >= 2 and got.gaps.geometry.is_valid.all()
    assert got.gaps["rank"].tolist() == list(range(1, got.n_gaps + 1))
    metric = got.gaps.to_crs(METRIC)
    np.testing.assert_allclose(metric.area, got.gaps["n_cells"] * 100.0 ** 2, rtol=1e-9)
    squares = squares_of(cells).to_crs(METRIC)
    for rank in got.gaps["rank"]:
        members = area_cells(got, cells, rank)
        row = got.gaps.set_index("rank").loc[rank]
        assert len(members) == row["n_cells"]
        assert members["pop"].sum() == row["people"]
        union = shapely.union_all(squares.geometry[members.index].values)
        assert union.symmetric_difference(metric.geometry.iloc[rank - 1]).area < 1e-3
        best = members.loc[members["pop"].idxmax()]
        assert (row["lon"], row["lat"]) == (best.geometry.x, best.geometry.y)
        assert got.gaps.set_index("rank").geometry[rank].contains(Point(row["lon"], row["lat"]))


def test_an_area_around_a_covered_hole_has_a_hole():
    ring = [(i, j) for i in range(7) for j in range(7)]
    cells = grid_frame(ring)
    centre = resources([{"id": "S", "x": X0 + 300.0, "y": Y0 + 300.0}])
    got = coverage(centre, cells, radius_m=120, at=AT_NOON)  # covers the plus of 5 cells
    area = got.gaps.to_crs(METRIC).geometry.iloc[0]
    assert got.n_gaps == 1 and area.geom_type == "Polygon"
    assert len(area.interiors) == 1
    assert area.area == pytest.approx((49 - 5) * 100.0 ** 2)


def test_no_gap_when_everyone_is_covered_and_zero_pop_cells_are_not_gaps():
    cells = grid_frame([(0, 0), (1, 0), (5, 0)], pop=[10, 10, 0])
    site = resources([{"id": "S", "x": X0 + 50.0, "y": Y0}])
    got = coverage(site, cells, radius_m=60, at=AT_NOON)
    assert got.n_gaps == 0 and got.gaps.empty and got.share == 1.0


# --------------------------------------------------------------------------- places


def places_at(points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    lon, lat = lonlat_of([p[0] for p in points], [p[1] for p in points])
    return gpd.GeoDataFrame({"name": [f"P{k}" for k in range(len(points))],
                             "district": "A"},
                            geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def test_scenic_areas_by_first_aid_stations_within_minutes_walk():
    model = TravelModel()
    stations = resources([{"id": "F1", "kind": "first_aid_station", "x": X0, "y": Y0},
                          {"id": "F2", "kind": "first_aid_station", "x": X0 + 3000.0,
                           "y": Y0, "hours": "08:00-17:00"}])
    places = places_at([(X0 + 300.0, Y0), (X0 + 400.0, Y0), (X0 + 2900.0, Y0)])
    got = place_coverage(stations, places, "first_aid_station", minutes=5, mode="walk",
                         at=dt.datetime(2026, 5, 6, 20, 0), travel=model)
    reach_m = model.reach_m(5, "first_aid_station", mode="walk")  # 320.5 m
    assert got["name"].tolist() == ["P0", "P1", "P2"]
    assert got["resource_id"].tolist() == ["F1", "F1", "F1"]  # F2 is closed at 20:00
    np.testing.assert_allclose(got["distance_m"][:2], [300.0, 400.0], rtol=2e-4)
    assert got["covered"].tolist() == [True, False, False]
    assert (got["distance_m"][:2] <= reach_m).tolist() == [True, False]
    np.testing.assert_allclose(got["minutes"],
                               model.minutes(got["distance_m"], "first_aid_station",
                                             mode="walk"))
    assert set(got["mode"]) == {"walk"}
    day = place_coverage(stations, places, "first_aid_station", minutes=5, mode="walk",
                         at=AT_NOON, travel=model)
    assert day["resource_id"].tolist() == ["F1", "F1", "F2"]
    assert day["covered"].tolist() == [True, False, True]


def test_towns_by_rescue_teams_drive_with_turnout_and_by_stores_within_km():
    model = TravelModel(drive_speed_kmh=30.0, drive_circuity=1.5, team_turnout_min=5.0)
    res = resources([{"id": "T", "kind": "rescue_team", "x": X0, "y": Y0},
                     {"id": "W", "kind": "relief_store", "x": X0, "y": Y0 + 8000.0}])
    towns = places_at([(X0 + 1500.0, Y0), (X0 + 2500.0, Y0)])
    teams = place_coverage(res, towns, "rescue_team", minutes=8, travel=model, at=AT_NOON)
    # 8 min - 5 turnout = 3 min driving = 1500 m of road = 1000 m straight line
    assert teams["covered"].tolist() == [False, False]
    teams = place_coverage(res, towns, "rescue_team", minutes=11, travel=model, at=AT_NOON)
    assert teams["covered"].tolist() == [True, False]  # 6 min: 3000 m road = 2000 m
    assert teams["minutes"].iloc[0] == pytest.approx(5 + 1500 * 1.5 / 500, rel=2e-4)
    stores = place_coverage(res, towns, "relief_store", radius_m=8200, at=AT_NOON)
    assert stores["covered"].tolist() == [True, False]
    assert stores["mode"].iloc[0] == "drive"


def test_place_without_any_usable_resource():
    res = resources([{"id": "T", "kind": "rescue_team", "x": X0, "y": Y0,
                      "status": "inactive"}])
    got = place_coverage(res, places_at([(X0, Y0)]), "rescue_team", radius_m=5000, at=AT_NOON)
    assert got["resource_id"].isna().all() and got["distance_m"].isna().all()
    assert not got["covered"].any()


# --------------------------------------------------------------------------- bad input


def raises(code: str, match: str, func, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError, match=match) as info:
        func(*args, **kwargs)
    assert info.value.code == code
    assert_worded(info.value)
    return info.value


@pytest.fixture
def tiny():
    return (resources([{"id": "S", "x": X0, "y": Y0}]), grid_frame([(0, 0), (1, 0)]))


@pytest.mark.parametrize("radius", [0, -5, -1e-9, float("nan"), float("inf"), "abc", [500]])
def test_bad_radius(tiny, radius):
    raises("bad_radius", "radius_m must be", coverage, *tiny, radius_m=radius, at=AT_NOON)


@pytest.mark.parametrize(("radius", "minutes", "given"), [(500, 5, "both"),
                                                         (None, None, "neither")])
def test_radius_or_minutes_exactly_one(tiny, radius, minutes, given):
    exc = raises("radius_or_minutes", f"exactly one of radius_m and minutes, got {given}",
                 coverage, *tiny, radius_m=radius, minutes=minutes)
    assert exc.params == {"given": given}


@pytest.mark.parametrize("minutes", [0, -3, float("nan"), "soon"])
def test_bad_minutes(tiny, minutes):
    raises("bad_argument", "minutes must be", coverage, *tiny, minutes=minutes)


def test_minutes_below_a_team_turnout(tiny):
    _, cells = tiny
    teams = resources([{"id": "T", "kind": "rescue_team", "x": X0, "y": Y0}])
    raises("minutes_below_turnout", "no time to move", coverage, teams, cells, minutes=3,
           kind="rescue_team", travel=TravelModel(team_turnout_min=5.0))


@pytest.mark.parametrize("kind", ["defibrillator", "", None])
def test_unknown_kind(tiny, kind):
    raises("unknown_kind", "unknown resource kind", coverage, *tiny, radius_m=100, kind=kind)
    raises("unknown_kind", "unknown resource kind", place_coverage, tiny[0],
           places_at([(X0, Y0)]), kind, radius_m=100)


def test_empty_population(tiny):
    res, cells = tiny
    raises("empty_population", "population grid is empty", coverage, res, cells.iloc[:0],
           radius_m=100)
    raises("empty_population", "population grid is empty", coverage, res, None, radius_m=100)


@pytest.mark.parametrize("breakage", ["no_crs", "no_pop", "plain_frame", "lines"])
def test_bad_population_frame(tiny, breakage):
    res, cells = tiny
    if breakage == "no_crs":
        cells = gpd.GeoDataFrame(pd.DataFrame(cells.drop(columns="geometry")),
                                 geometry=list(cells.geometry))
    elif breakage == "no_pop":
        cells = cells.drop(columns="pop")
    elif breakage == "plain_frame":
        cells = pd.DataFrame(cells.drop(columns="geometry"))
    else:
        cells = cells.set_geometry(
            [shapely.LineString([(120.3, 31.5), (120.31, 31.5)])] * len(cells), crs="EPSG:4326")
    raises("bad_population_frame", "population", coverage, res, cells, radius_m=100)


@pytest.mark.parametrize("value", [-1, np.nan, np.inf])
def test_bad_population_values(tiny, value):
    res, cells = tiny
    cells = cells.assign(pop=[5.0, value])
    exc = raises("bad_population_values", "finite numbers >= 0", coverage, res, cells,
                 radius_m=100)
    assert exc.params["row"] == 1


def test_resources_without_crs_or_columns(tiny):
    res, cells = tiny
    bare = gpd.GeoDataFrame(pd.DataFrame(res.drop(columns="geometry")),
                            geometry=list(res.geometry))
    raises("bad_resources_frame", "without a CRS", coverage, bare, cells, radius_m=100)
    raises("bad_resources_frame", "got DataFrame", coverage, pd.DataFrame(res), cells,
           radius_m=100)
    exc = raises("missing_columns", r"missing column\(s\) \['status'\]", coverage,
                 res.drop(columns="status"), cells, radius_m=100)
    assert exc.params["source"] == "resources"


@pytest.mark.parametrize(("argument", "value", "code"), [
    ("mode", "fly", "not_one_of"), ("connectivity", 6, "not_one_of"),
    ("max_gaps", -1, "bad_argument"), ("max_gaps", 2.5, "bad_argument")])
def test_bad_options(tiny, argument, value, code):
    raises(code, argument if argument != "mode" else "mode must be one of", coverage, *tiny,
           radius_m=100, **{argument: value})


def test_bad_exclude_mask(tiny):
    exc = raises("bad_exclude_mask", "one value per resource", coverage, *tiny, radius_m=100,
                 exclude=np.array([True, False]))
    assert exc.params["n"] == 1


def test_cells_off_a_regular_grid_cannot_make_gap_areas(tiny):
    res, _ = tiny
    cells, _ = random_case(0, n_cells=50, n_sites=1)
    cells["cell_m"] = 100
    raises("not_a_grid", "regular grid", coverage, res, cells, radius_m=100, at=AT_NOON)
    assert coverage(res, cells, radius_m=100, at=AT_NOON, max_gaps=0).n_gaps is None


def test_mixed_cell_sizes_cannot_make_gap_areas(tiny):
    res, _ = tiny
    cells = grid_frame([(10, 0), (11, 0)]).assign(cell_m=[100, 200])
    exc = raises("mixed_cell_sizes", "not one size", coverage, res, cells, radius_m=100,
                 at=AT_NOON)
    assert exc.params == {"sizes": "100, 200"}


def test_cells_sharing_a_square_are_not_a_grid(tiny):
    res, _ = tiny
    cells = grid_frame([(10, 0), (10.1, 0)])
    exc = raises("not_a_grid", "share one 100 m grid square", coverage, res, cells,
                 radius_m=100, at=AT_NOON)
    assert exc.params == {"cell_m": "100", "crs": "EPSG:4549"}


def test_a_single_point_without_cell_size_has_no_gap_areas(tiny):
    res, _ = tiny
    cells = grid_frame([(10, 0)]).drop(columns="cell_m")
    raises("unknown_cell_size", "cell size is unknown", coverage, res, cells, radius_m=100,
           at=AT_NOON)


def test_cell_size_is_inferred_without_a_cell_m_column(tiny):
    res, _ = tiny
    cells = grid_frame([(10, 0), (11, 0), (11, 1)], cell_m=250).drop(columns="cell_m")
    got = coverage(res, cells, radius_m=100, at=AT_NOON)
    assert got.gaps["n_cells"].tolist() == [3]
    assert got.gaps.to_crs(METRIC).area.iloc[0] == pytest.approx(3 * 250.0 ** 2)


def test_bad_boundaries(tiny):
    bounds = gpd.GeoDataFrame({"city": ["wuxi"]}, geometry=[box(120, 31, 121, 32)],
                              crs="EPSG:4326")
    raises("missing_columns", "district", coverage, *tiny, radius_m=100, boundaries=bounds)
    raises("bad_boundaries_frame", "boundaries must be", coverage, *tiny, radius_m=100,
           boundaries=pd.DataFrame({"city": [], "district": []}))


@pytest.mark.parametrize("breakage", ["no_crs", "polygons"])
def test_bad_places(tiny, breakage):
    places = places_at([(X0, Y0)])
    if breakage == "no_crs":
        places = gpd.GeoDataFrame(pd.DataFrame(places.drop(columns="geometry")),
                                  geometry=list(places.geometry))
    else:
        discs = shapely.buffer(np.asarray(places.geometry.values), 0.001)
        places = places.set_geometry(gpd.GeoSeries(discs, crs="EPSG:4326"))
    raises("bad_places_frame", "GeoDataFrame of points", place_coverage, tiny[0], places, "aed",
           radius_m=100)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"hours": [3, 24]}, "hours must be whole hours"), ({"hours": [1.5]}, "hours must be"),
    ({"day": "2026-13-01"}, "day must be a date"), ({"minute": 60}, "minute must be"),
    ({"minute": True}, "minute must be")])
def test_bad_profile_arguments(tiny, kwargs, match):
    raises("bad_argument", match, coverage_profile, *tiny, radius_m=100, **kwargs)


def test_weekly_profile_checks_like_coverage(tiny):
    raises("radius_or_minutes", "exactly one", weekly_profile, *tiny)
    raises("bad_argument", "minute must be", weekly_profile, *tiny, radius_m=100, minute=-1)


# --------------------------------------------------------------------------- demo data


def test_demo_data_coverage_is_consistent(demo):
    at = dt.datetime(2026, 5, 6, 3, 0)
    got = coverage(demo.resources, demo.population, radius_m=500, at=at,
                   boundaries=demo.boundaries, policy="planner")
    assert got.total_pop == demo.population["pop"].sum()
    assert got.by_district["population"].sum() == got.total_pop
    assert got.by_district["covered"].sum() == got.covered_pop
    assert 0 < got.share < 1 and got.n_gaps > len(got.gaps) == gc.MAX_GAPS
    assert got.gaps["people"].is_monotonic_decreasing
    assert got.gaps.geometry.is_valid.all()
    assert got.gaps["people"].sum() <= got.uncovered_pop


@pytest.mark.parametrize(("block_m", "n_areas"), [(None, 1), (1000.0, 3), (500.0, 6)])
def test_gap_areas_are_cut_at_block_lines(block_m, n_areas):
    # one uncovered strip 3 km long (30 cells from a block line): one area, or one per block
    strip = [(i, 0) for i in range(30)]
    cells = grid_frame(strip, pop=[1] * 30)
    far = resources([{"id": "S", "x": X0 + 90_000.0, "y": Y0}])
    got = coverage(far, cells, radius_m=100, at=AT_NOON, block_m=block_m)
    assert got.n_gaps == n_areas
    assert got.gaps["n_cells"].sum() == 30
    if block_m is not None:
        assert got.gaps["n_cells"].max() <= block_m / 100
