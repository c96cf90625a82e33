"""geo.crs: published reference pairs, round-trips over China, frames, metric CRS."""

from __future__ import annotations

import coordTransform
import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo import crs
from geo.errors import ValidationError

# (WGS lat, lng) -> (GCJ lat, lng), published with eviltransform's tests.
GCJ_PAIRS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
# (BD lat, lng) -> (WGS lat, lng), from the same tests. They are empirical (Baidu's own picker);
# the public BD-09 formula, which every implementation shares, reproduces them to tens of metres.
# The exactness of our inverse is tested by the round trips below.
BD_PAIRS = [
    ((29.199786, 120.019809), (29.196131605295484, 120.00877901149691)),
    ((29.210504, 120.036455), (29.206795749156136, 120.0253853970846)),
]
GEOD = Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wgs, gcj):
    lon, lat = crs.wgs84_to_gcj02(wgs[1], wgs[0])
    assert lon == pytest.approx(gcj[1], abs=1e-9)
    assert lat == pytest.approx(gcj[0], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_PAIRS)
def test_gcj02_to_wgs84_inverts_published_pairs_below_half_a_metre(wgs, gcj):
    lon, lat = crs.gcj02_to_wgs84(gcj[1], gcj[0])
    assert metres(lon, lat, wgs[1], wgs[0]) < 0.5


@pytest.mark.parametrize(("bd", "wgs"), BD_PAIRS)
def test_bd09_to_wgs84_matches_published_pairs(bd, wgs):
    lon, lat = crs.bd09_to_wgs84(bd[1], bd[0])
    assert metres(lon, lat, wgs[1], wgs[0]) < 50


def test_forward_agrees_with_coordtransform_package():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(74, 134, 500), rng.uniform(19, 53, 500)
    ours = crs.wgs84_to_gcj02(lon, lat)
    theirs = np.array([coordTransform.wgs84_to_gcj02(x, y) for x, y in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(ours[0], theirs[:, 0], atol=1e-9)
    np.testing.assert_allclose(ours[1], theirs[:, 1], atol=1e-9)
    bd = crs.gcj02_to_bd09(*ours)
    theirs_bd = np.array([coordTransform.gcj02_to_bd09(x, y)
                          for x, y in zip(ours[0], ours[1], strict=True)])
    np.testing.assert_allclose(bd[0], theirs_bd[:, 0], atol=1e-9)


@pytest.mark.parametrize(("forward", "inverse"), [
    (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
    (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
    (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
])
def test_round_trips_over_china_are_exact_to_half_a_metre(forward, inverse):
    rng = np.random.default_rng(42)
    lon, lat = rng.uniform(73.5, 135.0, 20_000), rng.uniform(18.0, 53.5, 20_000)
    back = inverse(*forward(lon, lat))
    assert np.max(metres(lon, lat, back[0], back[1])) < 0.5
    shifted = forward(lon, lat)
    assert np.max(metres(lon, lat, shifted[0], shifted[1])) > 100  # it really moves points


def test_gcj_offset_at_wuxi_is_about_490_m():
    lon, lat = crs.wgs84_to_gcj02(120.30, 31.57)
    assert lon - 120.30 == pytest.approx(0.0046, abs=0.0003)
    assert lat - 31.57 == pytest.approx(-0.0019, abs=0.0003)
    assert 400 < metres(120.30, 31.57, lon, lat) < 600


@pytest.mark.parametrize("point", [(2.35, 48.86), (-74.0, 40.7), (151.2, -33.9), (140.0, 35.7)])
def test_points_outside_china_are_unshifted(point):
    for func in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84):
        lon, lat = func(*point)
        assert (float(lon), float(lat)) == point


def test_vectorised_shapes_and_mismatch_error():
    lon, _lat = crs.wgs84_to_gcj02(np.zeros((2, 3)) + 120, np.zeros((2, 3)) + 31)
    assert lon.shape == (2, 3)
    with pytest.raises(ValidationError, match="same shape"):
        crs.wgs84_to_gcj02([120, 121], [31])


def test_to_wgs84_on_a_frame_and_on_arrays():
    gcj = crs.wgs84_to_gcj02(120.30, 31.57)
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(float(gcj[0]), float(gcj[1]))],
                             crs="EPSG:4326")
    out = crs.to_wgs84(frame, "amap")
    assert out.crs.to_epsg() == 4326
    assert metres(out.geometry.x[0], out.geometry.y[0], 120.30, 31.57) < 0.5
    assert frame.geometry.x[0] == pytest.approx(float(gcj[0]))  # input untouched
    lon, lat = crs.to_wgs84(crs.wgs84_to_bd09([120.30], [31.57]), "BD-09")
    assert metres(lon[0], lat[0], 120.30, 31.57) < 0.5
    projected = frame.to_crs("EPSG:4549")
    assert crs.to_wgs84(projected, "cgcs2000").crs.to_epsg() == 4326


def test_to_wgs84_rejects_unknown_source():
    with pytest.raises(ValidationError, match="source must be one of"):
        crs.to_wgs84(([120.0], [31.0]), "mercator")


@pytest.mark.parametrize(("bounds", "expected"), [
    ((119.0, 31.1, 120.6, 32.3), "EPSG:4549"),   # Wuxi + Zhenjiang: CM 120E
    ((116.2, 39.7, 116.6, 40.1), "EPSG:4548"),   # Beijing: CM 117E
    ((113.8, 22.4, 114.3, 22.8), "EPSG:4547"),   # Shenzhen: CM 114E
    ((2.2, 48.8, 2.4, 48.9), "EPSG:32631"),      # Paris: UTM 31N
])
def test_metric_crs(bounds, expected):
    assert crs.metric_crs(*bounds) == expected


def test_metric_crs_distances_agree_with_geodesic_over_jiangsu():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(118.5, 121.5, 400), rng.uniform(30.8, 34.9, 400)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    proj = pts.to_crs(crs.metric_crs(*pts.total_bounds))
    planar = proj.iloc[:200].distance(proj.iloc[200:].set_axis(range(200)), align=False)
    geodesic = metres(lon[:200], lat[:200], lon[200:], lat[200:])
    assert np.max(np.abs(planar.to_numpy() / geodesic - 1)) < 0.005


def test_metric_crs_rejects_bad_bounds():
    with pytest.raises(ValidationError, match="finite WGS84"):
        crs.metric_crs(float("nan"), 0, 1, 1)


# ------------------------------------------------------------------ the one CRS alias table


@pytest.mark.parametrize(("label", "expected"), [
    ("WGS84", "wgs84"), ("wgs 84", "wgs84"), ("WGS-1984", "wgs84"), ("GPS", "wgs84"),
    ("EPSG:4326", "wgs84"), ("4326", "wgs84"), ("OpenStreetMap", "wgs84"),
    ("GCJ-02", "gcj02"), ("gcj_02", "gcj02"), ("高德", "gcj02"), ("高德地图坐标", "gcj02"),
    ("腾讯坐标", "gcj02"), ("火星坐标系", "gcj02"), ("ＧＣＪ－０２", "gcj02"), ("AMap", "gcj02"),
    ("BD-09", "bd09"), ("bd09ll", "bd09"), ("百度坐标系", "bd09"), ("Baidu", "bd09"),
    ("CGCS2000", "cgcs2000"), ("EPSG:4490", "cgcs2000"), ("天地图", "cgcs2000"),
    ("国家2000坐标系", "cgcs2000"),
    ("mars", None), ("", None), ("bd09mc", None), ("百度墨卡托", None), ("EPSG:3857", None),
])
def test_canonical_crs(label: str, expected: str | None):
    assert crs.canonical_crs(label) == expected


def test_every_alias_names_a_source():
    assert set(crs.CRS_ALIASES.values()) == set(crs.SOURCES)
    assert all(crs.canonical_crs(name) == name for name in crs.SOURCES)
    assert all(crs.canonical_crs(alias) == name for alias, name in crs.CRS_ALIASES.items())


@pytest.mark.parametrize(("label", "expected"), [
    ("bd09mc", True), ("BD-09MC", True), ("Baidu Mercator", True), ("百度墨卡托", True),
    ("百度墨卡托坐标", True), ("bd09", False), ("百度", False), ("mercator", False),
])
def test_is_baidu_mercator(label: str, expected: bool):
    assert crs.is_baidu_mercator(label) is expected


def test_to_wgs84_takes_every_alias_of_the_table():
    gcj = crs.wgs84_to_gcj02([120.30], [31.57])
    for label in ("高德", "GCJ-02", "腾讯地图", "gaode"):
        lon, lat = crs.to_wgs84(gcj, label)
        assert metres(lon[0], lat[0], 120.30, 31.57) < 0.5
    lon, lat = crs.from_wgs84(([120.30], [31.57]), "百度")
    assert metres(lon[0], lat[0], 120.30, 31.57) > 500
    with pytest.raises(ValidationError, match="source must be one of"):
        crs.to_wgs84(([120.0], [31.0]), "bd09mc")
    with pytest.raises(ValidationError, match="source must be one of"):
        crs.to_wgs84(([120.0], [31.0]), None)  # type: ignore[arg-type]


def test_incidents_use_the_same_table():
    from geo import incidents

    assert incidents.canonical_crs is crs.canonical_crs
