"""Ground distance: the scale-corrected grid distance is within 1e-5 of the geodesic."""

from __future__ import annotations

import numpy as np
import pytest

from geo.distance import GEOD, Projector, geodesic_m


@pytest.fixture(scope="module")
def pairs() -> tuple[np.ndarray, ...]:
    """2,000 random pairs over Jiangsu, 10 m to 60 km apart, in every direction."""
    rng = np.random.default_rng(7)
    lon = rng.uniform(116.4, 121.9, 2000)
    lat = rng.uniform(30.8, 35.1, 2000)
    dist = np.exp(rng.uniform(np.log(10.0), np.log(60_000.0), 2000))
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360, 2000), dist)
    return lon, lat, lon2, lat2, dist


def test_geodesic_matches_pyproj(pairs):
    lon, lat, lon2, lat2, dist = pairs
    np.testing.assert_allclose(geodesic_m(lon, lat, lon2, lat2), dist, rtol=1e-9)


def test_corrected_grid_distance_bound_over_jiangsu(pairs):
    lon, lat, lon2, lat2, dist = pairs
    projector = Projector("EPSG:4549")
    got = projector.distance_m(lon, lat, lon2, lat2)
    rel = np.abs(got - dist) / dist
    assert rel.max() < 1e-5, rel.max()
    # without the scale correction the grid distance is off by up to 0.14 % at Jiangsu's edge
    grid = np.hypot(*(projector.project(lon, lat) - projector.project(lon2, lat2)).T)
    assert (np.abs(grid - dist) / dist).max() > 1e-3


def test_projector_for_data_picks_the_jiangsu_zone():
    import geopandas as gpd

    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([120.3, 119.45], [31.57, 32.2]),
                             crs="EPSG:4326")
    assert Projector.for_data(frame).metric_crs == "EPSG:4549"


def test_scale_bounds_bracket_grid_over_ground(pairs):
    lon, lat, lon2, lat2, _ = pairs
    projector = Projector("EPSG:4549")
    a, b = projector.project(lon, lat), projector.project(lon2, lat2)
    grid = np.hypot(*(a - b).T)
    ratio = grid / projector.ground_m(a, b)
    lo, hi = projector.scale_bounds(min(a[:, 0].min(), b[:, 0].min()),
                                    max(a[:, 0].max(), b[:, 0].max()))
    assert lo <= ratio.min() and ratio.max() <= hi
    assert hi > lo  # Jiangsu spans eastings on both sides of 120E
    assert Projector("EPSG:3857").scale_bounds(0, 1) == (1.0, 1.0)
