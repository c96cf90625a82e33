"""Build the illustrative demo flood scenarios (``data/flood_scenarios/*.geojson``).

Run from the repository root: ``.venv/bin/python scripts/build_flood_scenarios.py``. The polygons
are drawn with shapely in metres (EPSG:4549): buffers of line strings through real places
(towns in ``data/towns.csv``, the shorelines in ``data/water.geojson``, the district
boundaries), minus open water. They are plausible shapes for demonstrations and tests, not
observed or modelled floods.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point, box

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "flood_scenarios"
METRIC = "EPSG:4549"


def metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in metres (EPSG:4549)."""
    return frame.to_crs(METRIC)


def line(*lonlat: tuple[float, float]):
    """A WGS84 line string through ``lonlat``, in metres."""
    return gpd.GeoSeries([LineString(lonlat)], crs="EPSG:4326").to_crs(METRIC).iloc[0]


def point(lon: float, lat: float):
    """A WGS84 point, in metres."""
    return gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC).iloc[0]


def lonlat_box(x0: float, y0: float, x1: float, y1: float):
    """A WGS84 box, in metres."""
    return gpd.GeoSeries([box(x0, y0, x1, y1)], crs="EPSG:4326").to_crs(METRIC).iloc[0]


def save(key: str, parts: list[tuple[object, str, str]]) -> None:
    """Write ``<key>.geojson``: one feature per (geometry in metres, name_zh, name_en)."""
    frame = gpd.GeoDataFrame(
        {"name_zh": [p[1] for p in parts], "name_en": [p[2] for p in parts],
         "note": ["illustrative"] * len(parts)},
        geometry=[shapely.simplify(p[0], 15.0) for p in parts], crs=METRIC).to_crs("EPSG:4326")
    frame.geometry = shapely.set_precision(frame.geometry.values, 1e-6)
    frame.to_file(OUT / f"{key}.geojson", driver="GeoJSON")


def main() -> None:
    """Build the three scenarios."""
    bounds = metric(gpd.read_file(ROOT / "data" / "boundaries.geojson"))
    water = shapely.union_all(metric(gpd.read_file(ROOT / "data" / "water.geojson")).geometry)
    district = {d: g for d, g in zip(bounds["district"], bounds.geometry, strict=True)}

    # (a) waterlogging in Jurong (华阳 town centre, the low Qinhuai headwater plain to its
    # south-east) and Dantu (高资 on the riverside plain, 辛丰 along the canal)
    huayang = shapely.union(point(119.172, 31.950).buffer(1800),
                            line((119.160, 31.958), (119.178, 31.945), (119.205, 31.930))
                            .buffer(900))
    gaozi = line((119.235, 32.170), (119.262, 32.160), (119.290, 32.152)).buffer(800)
    xinfeng = line((119.540, 32.082), (119.560, 32.070), (119.585, 32.058)).buffer(700)
    save("jurong_dantu_waterlogging", [
        (huayang & district["句容市"], "句容华阳街道内涝", "Jurong Huayang waterlogging"),
        ((gaozi - water) & district["丹徒区"], "丹徒高资内涝", "Dantu Gaozi waterlogging"),
        (xinfeng & district["丹徒区"], "丹徒辛丰内涝", "Dantu Xinfeng waterlogging"),
    ])

    # (b) Yangtze riverside flooding: the south bank strip from 金山 past 北固山 to 象山, and
    # the edges of Yangzhong island
    bank = line((119.405, 32.222), (119.425, 32.218), (119.450, 32.215), (119.475, 32.218),
                (119.500, 32.205), (119.530, 32.200))
    south = (shapely.buffer(bank, 900) - water) & (district["润州区"] | district["京口区"])
    island = district["扬中市"]
    edge = island - shapely.buffer(island, -600)
    edge = edge & lonlat_box(119.75, 32.15, 119.90, 32.30)
    save("zhenjiang_yangtze_riverside", [
        (south, "镇江长江南岸沿江地带（金山—北固山—象山）",
         "Zhenjiang south bank of the Yangtze (Jinshan - Beigushan - Xiangshan)"),
        (edge, "扬中沿江圩区", "Yangzhong island riverside polders"),
    ])

    # (c) Taihu shore in Binhu (马山 to 鼋头渚) and the Grand Canal through Liangxi
    shore = (shapely.buffer(water, 900) - water) & district["滨湖区"]
    shore = shore & lonlat_box(120.07, 31.42, 120.25, 31.53)
    canal = line((120.262, 31.618), (120.276, 31.606), (120.290, 31.592), (120.296, 31.578),
                 (120.300, 31.562), (120.308, 31.548), (120.318, 31.535)).buffer(350)
    save("wuxi_taihu_canal", [
        (shore, "太湖沿岸（马山—鼋头渚）", "Taihu shore (Mashan - Yuantouzhu)"),
        (canal - water, "京杭大运河梁溪段沿岸", "Grand Canal banks through Liangxi"),
    ])


if __name__ == "__main__":
    main()
