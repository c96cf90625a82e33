"""Write the resource-import corpus in tests/store_corpus: partners' files, good and bad.

Usage: ``python scripts/make_store_corpus.py [--out DIR]`` (default ``tests/store_corpus``).
Each file imitates what a partner sends the Red Cross data desk: an Excel/WPS list of AEDs, a
GBK CSV from a district office, a GIS layer from a surveying firm, or something broken (cut
short, the wrong file, hostile text, impossible numbers). Every file is deterministic: zip
containers get fixed member times and document dates, GeoPackages and shapefiles a fixed
date, so running the script again gives the same files.

Next to the files it writes ``expected.json``: for each file, what it imitates, the read
options, the expected problems (``[row, code]``: ``row`` as in the file, None for the whole
file; reading and validation problems together), the warnings, and how many rows an import
into an empty store accepts. ``tests/test_store_corpus.py`` checks every file against it;
``README.md`` lists the files in one table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_corpus import FIXED_TIME, fixed_zip, fullwidth, xls_book, xlsx_book  # noqa: E402

from geo.crs import wgs84_to_bd09, wgs84_to_gcj02  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "store_corpus"
MAX_FILE_BYTES = 120_000
FIXED_GPKG_TIME = "2024-07-15T09:00:00.000Z"
FIXED_DBF_DATE = "2024-07-15"

#: Public places, WGS84 (lon, lat), and the district each lies in (checked against
#: data/boundaries.geojson by the tests).
PLACES: dict[str, tuple[float, float, str, str]] = {
    "无锡站": (120.3045, 31.5875, "wuxi", "梁溪区"),
    "南长街": (120.3065, 31.5640, "wuxi", "梁溪区"),
    "惠山古镇": (120.2695, 31.5815, "wuxi", "梁溪区"),
    "鼋头渚": (120.2275, 31.5205, "wuxi", "滨湖区"),
    "梅园": (120.2370, 31.5590, "wuxi", "滨湖区"),
    "灵山大佛": (120.0960, 31.4330, "wuxi", "滨湖区"),
    "东亭": (120.4050, 31.5850, "wuxi", "锡山区"),
    "新区": (120.3700, 31.4900, "wuxi", "新吴区"),
    "江阴": (120.2850, 31.9200, "wuxi", "江阴市"),
    "宜兴": (119.8200, 31.3600, "wuxi", "宜兴市"),
    "西津渡": (119.4260, 32.2140, "zhenjiang", "润州区"),
    "金山寺": (119.4120, 32.2210, "zhenjiang", "润州区"),
    "北固山": (119.4530, 32.2215, "zhenjiang", "京口区"),
    "焦山": (119.4960, 32.2265, "zhenjiang", "京口区"),
    "句容": (119.1700, 31.9500, "zhenjiang", "句容市"),
    "丹阳": (119.5800, 32.0000, "zhenjiang", "丹阳市"),
    "丹徒": (119.4300, 32.1300, "zhenjiang", "丹徒区"),
}
#: In China, outside Wuxi and Zhenjiang.
NANJING = (118.7840, 32.0410)
SHANGHAI = (121.4700, 31.2300)

#: The resource table's columns, in spec order (geo.schema.RESOURCE_COLUMNS when written).
EN_COLUMNS = (
    "id", "kind", "name", "name_en", "city", "district", "address", "lon", "lat", "source_crs",
    "status", "hours", "updated_at", "venue_type", "placement", "installed_date", "pads_expiry",
    "battery_expiry", "last_check", "guardian", "guardian_phone", "capacity_m3",
    "stock_family_kit", "stock_tent", "stock_quilt", "stock_life_jacket", "stock_water_case",
    "serves", "staff", "specialty", "members", "boats", "vehicles", "trainees_per_year")
#: Chinese headers of the columns most partner lists have.
ZH_BASE = ["编号", "类型", "名称", "城市", "区县", "地址", "经度", "纬度", "坐标系", "状态",
           "开放时间", "更新日期"]

#: name -> (builder, expectation); filled by @corpus_file.
FILES: dict[str, tuple[Callable[[], bytes], dict[str, Any]]] = {}


def corpus_file(name: str, what: str, *, importable: int, errors: tuple = (),
                warnings: tuple = (), kwargs: dict | None = None, points: dict | None = None,
                values: dict | None = None) -> Callable:
    """Register a builder of one corpus file with its expected outcome.

    ``errors`` and ``warnings`` are ``(row, code)`` pairs (row None for the whole file);
    ``points`` maps an id to its true WGS84 (lon, lat); ``values`` maps an id to stored
    values it must have after the import.
    """
    def register(builder: Callable[[], bytes]) -> Callable[[], bytes]:
        refused = any(row is None for row, _ in errors)
        FILES[name] = (builder, {
            "what": what, "kwargs": kwargs or {}, "refused": refused,
            "importable": importable,
            "errors": sorted([list(e) for e in errors], key=repr),
            "warnings": sorted([list(w) for w in warnings], key=repr),
            "points": {k: list(v) for k, v in (points or {}).items()},
            "values": values or {}})
        return builder
    return register


# --------------------------------------------------------------------------------- helpers


def place(name: str) -> tuple[float, float, str, str]:
    return PLACES[name]


def en_row(ident: str, kind: str, name: str, where: str, **kw: Any) -> list[Any]:
    """A row of the spec's columns (English headers) at a public place, WGS84."""
    lon, lat, city, district = place(where)
    cells: dict[str, Any] = {c: "" for c in EN_COLUMNS}
    cells.update(id=ident, kind=kind, name=name, name_en=f"{ident} {kind}", city=city,
                 district=district, address=f"{where}附近", lon=f"{lon:.6f}", lat=f"{lat:.6f}",
                 source_crs="wgs84", status="active", hours="24h", updated_at="2026-05-01")
    if kind == "aed":
        cells.update(venue_type="metro", placement="indoor", installed_date="2021-03-01",
                     pads_expiry="2027-06-01", battery_expiry="2028-06-01",
                     last_check="2026-04-01", guardian="值班室", guardian_phone="0510-0000-0000")
    elif kind == "relief_store":
        cells.update(capacity_m3="500", stock_family_kit="200", stock_tent="30",
                     stock_quilt="100", stock_life_jacket="60", stock_water_case="80")
    elif kind == "first_aid_station":
        cells.update(serves=where, staff="3", hours="08:00-17:30")
    elif kind == "rescue_team":
        cells.update(specialty="water_rescue", members="40", boats="4", vehicles="3")
    elif kind == "training_base":
        cells.update(trainees_per_year="3000")
    cells.update(kw)
    return [cells[c] for c in EN_COLUMNS]


def zh_row(ident: str, kind: str, name: str, where: str, *, crs: str = "WGS84",
           status: str = "正常", hours: str = "24小时", updated: str = "2026-05-01",
           lonlat: tuple[str, str] | None = None, city: str | None = None,
           district: str | None = None) -> list[Any]:
    """A row of :data:`ZH_BASE` at a public place (coordinates as given, or WGS84)."""
    lon, lat, c, d = place(where)
    x, y = lonlat or (f"{lon:.6f}", f"{lat:.6f}")
    return [ident, kind, name, city or {"wuxi": "无锡市", "zhenjiang": "镇江市"}[c],
            district or d, f"{where}附近", x, y, crs, status, hours, updated]


def csv_text(rows: list[list[Any]], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def en_csv(*rows: list[Any], encoding: str = "utf-8") -> bytes:
    return csv_text([list(EN_COLUMNS), *rows]).encode(encoding)


def zh_csv(*rows: list[Any], header: list[str] | None = None, encoding: str = "utf-8-sig"
           ) -> bytes:
    return csv_text([header or ZH_BASE, *rows]).encode(encoding)


def shifted(where: str, to: str) -> tuple[str, str]:
    """A place's coordinates as Amap (gcj02) or Baidu (bd09) show them, 6 decimals."""
    lon, lat, _, _ = place(where)
    func = wgs84_to_gcj02 if to == "gcj02" else wgs84_to_bd09
    x, y = func(lon, lat)
    return f"{float(x):.6f}", f"{float(y):.6f}"


def truth(*pairs: tuple[str, str]) -> dict[str, tuple[float, float]]:
    """Expected WGS84 points: id -> the place's coordinates."""
    return {ident: place(where)[:2] for ident, where in pairs}


def feature_collection(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, indent=1).encode("utf-8")


def feature(geometry: dict | None, **properties: Any) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def point(where: str) -> dict:
    lon, lat, _, _ = place(where)
    return {"type": "Point", "coordinates": [lon, lat]}


def write_layers(path: Path, layers: list[tuple[str, Any, dict]], driver: str) -> None:
    """Write GeoDataFrames with pyogrio at a fixed date (GeoPackage, shapefile)."""
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_GPKG_TIME})
    try:
        for name, frame, options in layers:
            pyogrio.write_dataframe(frame, path, layer=name, driver=driver, append=path.exists()
                                    and driver == "GPKG", **options)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def fixed_gpkg(path: Path) -> bytes:
    """A GeoPackage's bytes with every time stamp fixed (GDAL writes "now" in places)."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE gpkg_contents SET last_change = ?", (FIXED_GPKG_TIME,))
        conn.commit()
    conn.close()
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    conn.close()
    return path.read_bytes()


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def kml(placemarks: str, *, folder: str = "资源") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
            f"<name>镇江市红十字会 资源点位</name>\n<Folder><name>{folder}</name>\n"
            f"{placemarks}</Folder>\n</Document>\n</kml>\n").encode()


def placemark(pid: str, name: str, where: str, **data: str) -> str:
    lon, lat, _, _ = place(where)
    fields = "".join(f'<Data name="{k}"><value>{v}</value></Data>' for k, v in data.items())
    return (f'<Placemark id="{pid}"><name>{name}</name>'
            f"<ExtendedData>{fields}</ExtendedData>"
            f"<Point><coordinates>{lon},{lat},0</coordinates></Point></Placemark>\n")


# ------------------------------------------------------------------------ good tables


@corpus_file("spec_columns_utf8.csv",
             "the dashboard's own export: every spec column, English headers, one row per kind",
             importable=7,
             points=truth(("SC-AED-1", "无锡站"), ("SC-TEAM-1", "焦山")),
             values={"SC-STORE-1": {"stock_family_kit": 200, "capacity_m3": 500}})
def spec_columns_utf8() -> bytes:
    return en_csv(
        en_row("SC-AED-1", "aed", "无锡站地铁AED", "无锡站"),
        en_row("SC-AED-2", "aed", "南长街AED", "南长街", venue_type="scenic",
               placement="outdoor"),
        en_row("SC-STORE-1", "relief_store", "丹徒救灾物资储备点", "丹徒"),
        en_row("SC-FAS-1", "first_aid_station", "鼋头渚救护站", "鼋头渚"),
        en_row("SC-TEAM-1", "rescue_team", "镇江水上救援队", "焦山"),
        en_row("SC-HUB-1", "community_hub", "东亭博爱家园", "东亭"),
        en_row("SC-TB-1", "training_base", "江阴救护培训基地", "江阴"))


@corpus_file("chinese_gbk_gcj02.csv",
             "a district office's Excel 'CSV (逗号分隔)' on Chinese Windows: GBK, Chinese "
             "headers and labels, coordinates picked on Amap (GCJ-02, 坐标系 高德)",
             importable=4,
             points=truth(("WX-GBK-1", "无锡站"), ("WX-GBK-2", "惠山古镇"),
                          ("WX-GBK-3", "鼋头渚"), ("WX-GBK-4", "东亭")),
             values={"WX-GBK-1": {"kind": "aed", "source_crs": "gcj02", "city": "wuxi"},
                     "WX-GBK-3": {"kind": "first_aid_station", "status": "maintenance"}})
def chinese_gbk_gcj02() -> bytes:
    return zh_csv(
        zh_row("WX-GBK-1", "除颤仪", "无锡站东广场AED", "无锡站", crs="高德",
               lonlat=shifted("无锡站", "gcj02")),
        zh_row("WX-GBK-2", "AED", "惠山古镇游客中心AED", "惠山古镇", crs="高德",
               lonlat=shifted("惠山古镇", "gcj02")),
        zh_row("WX-GBK-3", "景区救护站", "鼋头渚景区救护站", "鼋头渚", crs="GCJ-02",
               status="维修", hours="08:00-17:30", lonlat=shifted("鼋头渚", "gcj02")),
        zh_row("WX-GBK-4", "博爱家园", "东亭街道博爱家园", "东亭", crs="火星坐标",
               hours="08:30-17:00", lonlat=shifted("东亭", "gcj02")),
        encoding="gbk")


@corpus_file("header_crs_bracket.csv",
             "an Amap POI list: the coordinate system named in the header, 经度（GCJ-02）",
             importable=3,
             points=truth(("ZJ-HB-1", "西津渡"), ("ZJ-HB-2", "金山寺"), ("ZJ-HB-3", "北固山")),
             values={"ZJ-HB-1": {"source_crs": "gcj02"}})
def header_crs_bracket() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度（GCJ-02）", "纬度（GCJ-02）", "状态"]
    rows = []
    for i, where in enumerate(("西津渡", "金山寺", "北固山"), start=1):
        _, _, _, district = place(where)
        x, y = shifted(where, "gcj02")
        rows.append([f"ZJ-HB-{i}", "AED", f"{where}AED", "镇江", district, x, y, "在用"])
    return zh_csv(*rows, header=header)


@corpus_file("bd09_baidu.csv",
             "a list made on Baidu Maps: BD-09 coordinates, 坐标系 百度 / BD-09",
             importable=3,
             points=truth(("ZJ-BD-1", "焦山"), ("ZJ-BD-2", "句容"), ("ZJ-BD-3", "丹阳")),
             values={"ZJ-BD-2": {"source_crs": "bd09"}})
def bd09_baidu() -> bytes:
    return zh_csv(
        zh_row("ZJ-BD-1", "景区救护站", "焦山景区救护站", "焦山", crs="百度",
               lonlat=shifted("焦山", "bd09")),
        zh_row("ZJ-BD-2", "救护培训基地", "句容救护培训基地", "句容", crs="BD-09",
               hours="08:00-17:00", lonlat=shifted("句容", "bd09")),
        zh_row("ZJ-BD-3", "博爱家园", "丹阳博爱家园", "丹阳", crs="百度坐标",
               hours="08:00-17:00", lonlat=shifted("丹阳", "bd09")))


@corpus_file("crs_labels_mixed.csv",
             "one CRS column with every spelling people use (WGS84, GPS, wgs-84, GCJ-02, 火星, "
             "BD-09, 百度, CGCS2000, 国家2000) and one unknown (北京54)",
             importable=9, errors=((11, "not_one_of"),),
             points=truth(("MX-1", "无锡站"), ("MX-4", "南长街"), ("MX-6", "梅园"),
                          ("MX-8", "东亭")),
             values={"MX-2": {"source_crs": "wgs84"}, "MX-5": {"source_crs": "gcj02"},
                     "MX-7": {"source_crs": "bd09"}, "MX-9": {"source_crs": "cgcs2000"}})
def crs_labels_mixed() -> bytes:
    specs = [("WGS84", "无锡站", None), ("GPS", "惠山古镇", None), ("wgs-84", "鼋头渚", None),
             ("GCJ-02", "南长街", "gcj02"), ("火星", "新区", "gcj02"), ("BD-09", "梅园", "bd09"),
             ("百度", "灵山大佛", "bd09"), ("CGCS2000", "东亭", None),
             ("国家2000", "江阴", None), ("北京54", "宜兴", None)]
    rows = []
    for i, (label, where, shift) in enumerate(specs, start=1):
        lonlat = shifted(where, shift) if shift else None
        rows.append(zh_row(f"MX-{i}", "AED", f"{where}AED", where, crs=label, lonlat=lonlat))
    return zh_csv(*rows)


LABEL_HEADER = [*ZH_BASE, "场所类型", "室内/室外", "安装日期", "电极片有效期", "专长", "队员",
                "船只", "车辆", "库容（m³）", "家庭包", "帐篷"]


@corpus_file("labels_chinese.csv",
             "Chinese labels instead of codes: 除颤仪, 救灾物资储备点, 红十字救援队 ...; "
             "在用/维修/报废; 无锡市/镇江; 地铁站, 室内, 水上救援",
             importable=7,
             values={"LB-1": {"kind": "aed", "status": "active", "venue_type": "metro",
                              "placement": "indoor", "city": "wuxi"},
                     "LB-2": {"kind": "relief_store", "status": "maintenance",
                              "capacity_m3": 800, "stock_family_kit": 200},
                     "LB-3": {"kind": "first_aid_station", "status": "inactive"},
                     "LB-4": {"kind": "rescue_team", "specialty": "water_rescue", "boats": 6,
                              "city": "zhenjiang"},
                     "LB-5": {"kind": "community_hub"}, "LB-6": {"kind": "training_base"},
                     "LB-7": {"kind": "aed", "venue_type": "hospital", "placement": "outdoor"}})
def labels_chinese() -> bytes:
    blank = [""] * 11
    rows = [
        [*zh_row("LB-1", "除颤仪", "无锡站AED", "无锡站", status="在用"),
         "地铁站", "室内", "2021-03-01", "2027-03-01", "", "", "", "", "", "", ""],
        [*zh_row("LB-2", "救灾物资储备点", "丹徒物资储备点", "丹徒", status="维修", city="镇江"),
         "", "", "", "", "", "", "", "", "800", "200", "30"],
        [*zh_row("LB-3", "景区救护站", "鼋头渚救护站", "鼋头渚", status="报废",
                 hours="08:00-17:30"), *blank],
        [*zh_row("LB-4", "红十字救援队", "镇江红十字水上救援队", "焦山", city="镇江"),
         "", "", "", "", "水上救援", "40", "6", "3", "", "", ""],
        [*zh_row("LB-5", "博爱家园", "东亭博爱家园", "东亭", city="无锡",
                 hours="08:30-17:00"), *blank],
        [*zh_row("LB-6", "救护培训基地", "江阴救护培训基地", "江阴", status="可用",
                 hours="08:00-17:00"), *blank],
        [*zh_row("LB-7", "自动体外除颤器", "新区医院AED", "新区", status="正常"),
         "医院", "室外", "", "", "", "", "", "", "", "", ""],
    ]
    return zh_csv(*rows, header=LABEL_HEADER)


@corpus_file("labels_english.csv",
             "an English-language list: AED, Relief store, First-aid station, Rescue team, "
             "Community hub, Training base; In maintenance; Wuxi/Zhenjiang",
             importable=6,
             values={"EN-2": {"kind": "relief_store", "status": "maintenance"},
                     "EN-4": {"kind": "rescue_team", "specialty": "search_rescue",
                              "city": "zhenjiang"},
                     "EN-6": {"kind": "training_base", "status": "inactive"}})
def labels_english() -> bytes:
    header = ["ID", "Type", "Name", "City", "District", "Longitude", "Latitude", "Status",
              "Opening hours", "Specialty"]
    rows = []
    specs = [("EN-1", "AED", "无锡站", "Active", ""),
             ("EN-2", "Relief store", "丹徒", "In maintenance", ""),
             ("EN-3", "First-aid station", "金山寺", "active", ""),
             ("EN-4", "Rescue team", "北固山", "ACTIVE", "Search and rescue"),
             ("EN-5", "Community hubs", "东亭", "Active", ""),
             ("EN-6", "Training base", "宜兴", "Inactive", "")]
    for ident, kind, where, status, specialty in specs:
        lon, lat, city, district = place(where)
        rows.append([ident, kind, f"{where} {kind}", city.title(), district, lon, lat, status,
                     "24h", specialty])
    return zh_csv(*rows, header=header, encoding="utf-8")


@corpus_file("pair_column.csv",
             "one 经纬度 column as copied from a map app: '120.3045,31.5875', latitude first, "
             "东经/北纬 labels, and one cell with a single number",
             importable=3, errors=((5, "not_a_pair"),), warnings=((3, "order_assumed"),),
             points=truth(("PR-1", "无锡站"), ("PR-2", "鼋头渚"), ("PR-3", "西津渡")))
def pair_column() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经纬度", "状态"]
    return zh_csv(
        ["PR-1", "AED", "无锡站AED", "无锡", "梁溪区", "120.3045,31.5875", "正常"],
        ["PR-2", "AED", "鼋头渚AED", "无锡", "滨湖区", "31.5205 120.2275", "正常"],
        ["PR-3", "AED", "西津渡AED", "镇江", "润州区", "东经119.4260 北纬32.2140", "正常"],
        ["PR-4", "AED", "梅园AED", "无锡", "滨湖区", "120.2370", "正常"],
        header=header)


@corpus_file("dms_coordinates.csv",
             "coordinates in degrees-minutes-seconds as surveyors write them (120°18′16.2″E, "
             "东经120度13分39秒); one with 78 minutes, one latitude in the longitude column",
             importable=2, errors=((4, "bad_dms"), (5, "wrong_hemisphere")),
             points={"DMS-1": (120.3045, 31.5875), "DMS-2": (120.2275, 31.5205)})
def dms_coordinates() -> bytes:
    return zh_csv(
        zh_row("DMS-1", "AED", "无锡站AED", "无锡站",
               lonlat=("120°18′16.2″E", "31°35′15″N")),
        zh_row("DMS-2", "AED", "鼋头渚AED", "鼋头渚",
               lonlat=("东经120度13分39秒", "北纬31度31分13.8秒")),
        zh_row("DMS-3", "AED", "梅园AED", "梅园", lonlat=("120°78′", "31°33′32″")),
        zh_row("DMS-4", "AED", "南长街AED", "南长街", lonlat=("北纬120.3065", "31.5640")))


@corpus_file("fullwidth_digits.csv",
             "numbers typed with a Chinese IME in full-width mode: １２０．３０４５, １，０００",
             importable=2,
             points=truth(("FW-1", "丹徒"), ("FW-2", "无锡站")),
             values={"FW-1": {"stock_tent": 1000, "stock_family_kit": 250}})
def fullwidth_digits() -> bytes:
    header = [*ZH_BASE, "帐篷", "家庭包"]
    lon, lat, _, _ = place("丹徒")
    lon2, lat2, _, _ = place("无锡站")
    return zh_csv(
        [*zh_row("FW-1", "物资储备点", "丹徒仓库", "丹徒",
                 lonlat=(fullwidth(f"{lon:.4f}"), fullwidth(f"{lat:.4f}"))),
         fullwidth("1,000"), fullwidth("250")],
        [*zh_row("FW-2", "AED", "无锡站AED", "无锡站",
                 lonlat=(fullwidth(f"{lon2:.4f}"), fullwidth(f"{lat2:.4f}"))), "", ""],
        header=header)


NO_PLACE_HEADER = ["编号", "类型", "名称", "经度", "纬度", "状态"]


def no_place_row(ident: str, kind: str, where: str) -> list[Any]:
    lon, lat, _, _ = place(where)
    return [ident, kind, f"{where}{kind}", f"{lon:.6f}", f"{lat:.6f}", "正常"]


@corpus_file("no_city_district.csv",
             "a list with coordinates but no city or district columns (one point in Nanjing)",
             importable=3, errors=((5, "outside_city"),),
             warnings=((None, "columns_derived"),),
             values={"NP-1": {"city": "wuxi", "district": "梁溪区"},
                     "NP-2": {"city": "zhenjiang", "district": "润州区"},
                     "NP-3": {"city": "wuxi", "district": "江阴市"}})
def no_city_district() -> bytes:
    return zh_csv(no_place_row("NP-1", "AED", "无锡站"), no_place_row("NP-2", "AED", "西津渡"),
                  no_place_row("NP-3", "博爱家园", "江阴"),
                  ["NP-4", "AED", "新街口AED", *map(str, NANJING), "正常"],
                  header=NO_PLACE_HEADER)


@corpus_file("no_status.csv", "a list without a status column (taken as active, with a "
             "warning)",
             importable=3, warnings=((None, "column_defaulted"),),
             values={"NS-1": {"status": "active"}})
def no_status() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度", "纬度"]
    rows = []
    for i, where in enumerate(("无锡站", "鼋头渚", "北固山"), start=1):
        lon, lat, city, district = place(where)
        rows.append([f"NS-{i}", "AED", f"{where}AED", city, district, lon, lat])
    return zh_csv(*rows, header=header)


AED_ONLY_HEADER = ["设备编号", "设备名称", "所在城市", "所属区县", "安装地址", "经度", "纬度",
                   "设备状态", "电极片到期日", "电池到期日"]


def aed_only_rows() -> list[list[Any]]:
    rows = []
    for i, where in enumerate(("无锡站", "惠山古镇", "灵山大佛"), start=1):
        lon, lat, city, district = place(where)
        rows.append([f"AO-{i}", f"{where}AED", city, district, f"{where}服务中心", lon, lat,
                     "在用", "2027-05-01", "2028-05-01"])
    return rows


@corpus_file("aed_list_default_kind.csv",
             "a health commission's AED list: no kind column (every row an AED), read with "
             "default_kind='AED'",
             importable=3, warnings=((None, "column_defaulted"),),
             kwargs={"default_kind": "AED"},
             values={"AO-1": {"kind": "aed", "pads_expiry": "2027-05-01"}})
def aed_list_default_kind() -> bytes:
    return zh_csv(*aed_only_rows(), header=AED_ONLY_HEADER)


@corpus_file("aed_list_no_kind.csv",
             "the same kind of AED list read without default_kind",
             importable=0, errors=((None, "missing_resource_column"),))
def aed_list_no_kind() -> bytes:
    return zh_csv(*aed_only_rows()[:2], header=AED_ONLY_HEADER)


@corpus_file("no_id.csv", "a list without any id column (a re-import could not match rows)",
             importable=0, errors=((None, "missing_id_column"),))
def no_id() -> bytes:
    rows = [row[1:] for row in (zh_row("X", "AED", "无锡站AED", "无锡站"),
                                zh_row("X", "AED", "鼋头渚AED", "鼋头渚"))]
    return zh_csv(*rows, header=ZH_BASE[1:])


@corpus_file("no_latitude.csv", "a list with a longitude column but no latitude column",
             importable=0, errors=((None, "missing_resource_column"),))
def no_latitude() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度", "状态"]
    return zh_csv(["NL-1", "AED", "无锡站AED", "无锡", "梁溪区", "120.3045", "正常"],
                  header=header)


# ------------------------------------------------------------------------- workbooks


@corpus_file("title_lines.xlsx",
             "an Excel list with a title line and a 填报单位 line above the header; date cells",
             importable=3, warnings=((None, "header_row_found"),),
             values={"TL-1": {"updated_at": "2026-05-20", "installed_date": "2021-04-01"}})
def title_lines() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度", "纬度", "状态", "更新日期",
              "安装日期"]
    rows = [["无锡市红十字会 公共场所AED点位表"],
            ["填报单位：梁溪区红十字会    填报日期：2026年5月"], header]
    for i, where in enumerate(("无锡站", "南长街", "惠山古镇"), start=1):
        lon, lat, _, district = place(where)
        rows.append([f"TL-{i}", "AED", f"{where}AED", "无锡市", district, lon, lat, "在用",
                     datetime(2026, 5, 20), date(2021, 4, i)])
    return xlsx_book([{"name": "AED", "merges": ["A1:J1", "A2:J2"], "rows": rows}])


@corpus_file("merged_header_sheets.xlsx",
             "an Excel workbook: a 填表说明 sheet, the stores sheet with a two-row header "
             "(位置 merged over 经度/纬度, 库存 over 家庭包/帐篷/棉被) and a 历史 sheet",
             importable=3, warnings=((None, "sheet_chosen"),),
             values={"MH-1": {"stock_family_kit": 200, "stock_tent": 40, "stock_quilt": 120,
                              "kind": "relief_store"}})
def merged_header_sheets() -> bytes:
    top = ["编号", "类型", "名称", "城市", "区县", "位置", None, "库存", None, None, "状态"]
    sub = [None, None, None, None, None, "经度", "纬度", "家庭包", "帐篷", "棉被", None]
    rows = [top, sub]
    for i, where in enumerate(("丹徒", "句容", "丹阳"), start=1):
        lon, lat, _, district = place(where)
        rows.append([f"MH-{i}", "救灾物资储备点", f"{where}储备点", "镇江市", district, lon,
                     lat, 200 * i, 40 * i, 120 * i, "正常"])
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "H1:J1", "K1:K2"]
    cover = [["镇江市救灾物资储备点 填表说明"], ["1. 每个储备点一行，编号不得重复。"],
             ["2. 经度、纬度请填写 WGS84 小数度。"]]
    history = [["年份", "发放家庭包", "发放帐篷"], [2023, 150, 20], [2024, 200, 30]]
    return xlsx_book([{"name": "填表说明", "rows": cover},
                      {"name": "储备点", "rows": rows, "merges": merges, "bold_rows": 2},
                      {"name": "历史", "rows": history}])


@corpus_file("wps_export.xls",
             "a WPS 表格 .xls (Excel 97-2003): numeric ids and phone numbers stored as numbers, "
             "dates as date cells",
             importable=3,
             values={"1001": {"guardian_phone": "13800000001", "installed_date": "2020-07-01",
                              "kind": "aed"}})
def wps_export() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度", "纬度", "状态", "安装日期",
              "联系电话"]
    rows = [header]
    for i, where in enumerate(("金山寺", "北固山", "焦山"), start=1):
        lon, lat, _, district = place(where)
        rows.append([1000 + i, "AED", f"{where}AED", "镇江市", district, lon, lat, "正常",
                     datetime(2020, 7, i), 13800000000 + i])
    return xls_book([{"name": "Sheet1", "font": "宋体", "header_rows": 1, "rows": rows}])


@corpus_file("libreoffice.ods", "a LibreOffice Calc sheet with English spec headers",
             importable=2, points=truth(("OD-1", "梅园"), ("OD-2", "宜兴")))
def libreoffice_ods() -> bytes:
    import pandas as pd

    rows = [en_row("OD-1", "aed", "梅园AED", "梅园"),
            en_row("OD-2", "community_hub", "宜兴博爱家园", "宜兴")]
    frame = pd.DataFrame(rows, columns=list(EN_COLUMNS))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        frame.to_excel(writer, sheet_name="资源", index=False)
    return fixed_zip(buffer.getvalue())


@corpus_file("excel_dates.xlsx",
             "dates as spreadsheets hold them: a date cell, an Excel serial number, "
             "2024/5/21, 2024年5月21日, 20240521, 2024.05.21",
             importable=4,
             values={"DT-1": {"installed_date": "2024-05-21", "pads_expiry": "2027-05-21"},
                     "DT-2": {"installed_date": "2024-05-21", "pads_expiry": "2027-05-21"},
                     "DT-3": {"installed_date": "2024-05-21", "pads_expiry": "2027-05-21"},
                     "DT-4": {"installed_date": "2024-05-21", "battery_expiry": "2028-01-31"}})
def excel_dates() -> bytes:
    header = ["编号", "类型", "名称", "城市", "区县", "经度", "纬度", "状态", "安装日期",
              "电极片有效期", "电池有效期"]
    serial = (date(2027, 5, 21) - date(1899, 12, 30)).days
    cells = [(date(2024, 5, 21), serial, None), ("2024/5/21", "2027年5月21日", None),
             ("2024年5月21日", "20270521", None), ("20240521", None, "2028.01.31")]
    rows = [header]
    for i, (where, (installed, pads, battery)) in enumerate(
            zip(("无锡站", "南长街", "梅园", "东亭"), cells, strict=True), start=1):
        lon, lat, _, district = place(where)
        rows.append([f"DT-{i}", "AED", f"{where}AED", "无锡市", district, lon, lat, "在用",
                     installed, pads, battery])
    return xlsx_book([{"name": "Sheet1", "rows": rows}])


@corpus_file("excel_unicode.txt",
             "Excel's 'Unicode 文本' export: UTF-16 with BOM, tab-separated",
             importable=2, points=truth(("UT-1", "北固山"), ("UT-2", "丹阳")))
def excel_unicode() -> bytes:
    rows = [ZH_BASE, zh_row("UT-1", "AED", "北固山AED", "北固山"),
            zh_row("UT-2", "博爱家园", "丹阳博爱家园", "丹阳", hours="08:00-17:00")]
    return csv_text(rows, delimiter="\t").encode("utf-16")


# ------------------------------------------------------------------------ broken files


@corpus_file("truncated_row.csv",
             "a CSV download cut short in the middle of its last row (no latitude)",
             importable=3, errors=((5, "empty_cell"),))
def truncated_row() -> bytes:
    data = zh_csv(zh_row("TR-1", "AED", "无锡站AED", "无锡站"),
                  zh_row("TR-2", "AED", "南长街AED", "南长街"),
                  zh_row("TR-3", "AED", "梅园AED", "梅园"),
                  zh_row("TR-4", "AED", "东亭AED", "东亭"))
    return data[:data.rindex(b",31.")]


@corpus_file("truncated_half.xlsx", "an .xlsx upload cut in half (interrupted download)",
             importable=0, errors=((None, "bad_workbook"),))
def truncated_half() -> bytes:
    whole = title_lines()
    return whole[:len(whole) // 2]


@corpus_file("png_named.csv", "a map screenshot (PNG) uploaded under a .csv name",
             importable=0, errors=((None, "binary_file"),))
def png_named() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes([(x * 7 + y * 3) % 256 for x in range(16)])
                   for y in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


@corpus_file("xlsx_named.csv", "an Excel workbook saved under a .csv name",
             importable=2, warnings=((None, "workbook_named_csv"),))
def xlsx_named() -> bytes:
    return xlsx_book([{"name": "Sheet1", "rows": [ZH_BASE,
                                                  zh_row("XN-1", "AED", "无锡站AED", "无锡站"),
                                                  zh_row("XN-2", "AED", "梅园AED", "梅园")]}])


@corpus_file("huge_numbers.csv",
             "impossible numbers: longitude 1e308, latitude 99999999999, a stock of 1e308, "
             "1e400 and 99999999999999999999, a stock of 99999999999 (kept), a negative "
             "stock, a stock of inf",
             importable=2,
             errors=((2, "outside_china_range"), (3, "outside_china_range"),
                     (4, "number_too_large"), (6, "number_too_large"),
                     (7, "not_whole_number"), (9, "number_too_large"),
                     (10, "not_whole_number")),
             values={"HN-4": {"stock_family_kit": 99999999999, "capacity_m3": 99999999999}})
def huge_numbers() -> bytes:
    return en_csv(
        en_row("HN-1", "relief_store", "丹徒仓库", "丹徒", lon="1e308"),
        en_row("HN-2", "relief_store", "句容仓库", "句容", lat="99999999999"),
        en_row("HN-3", "relief_store", "丹阳仓库", "丹阳", stock_tent="1e308"),
        en_row("HN-4", "relief_store", "江阴仓库", "江阴", stock_family_kit="99999999999",
               capacity_m3="99999999999"),
        en_row("HN-5", "relief_store", "宜兴仓库", "宜兴", capacity_m3="1e400"),
        en_row("HN-6", "relief_store", "东亭仓库", "东亭", stock_quilt="-5"),
        en_row("HN-7", "relief_store", "新区仓库", "新区"),
        en_row("HN-8", "relief_store", "梅园仓库", "梅园",
               stock_water_case="99999999999999999999"),
        en_row("HN-9", "relief_store", "鼋头渚仓库", "鼋头渚", stock_tent="inf"))


@corpus_file("nan_inf_coordinates.csv",
             "NaN, inf and -inf as coordinates (a script's float formatting), one empty",
             importable=1,
             errors=((2, "not_a_number"), (3, "not_a_number"), (4, "not_a_number"),
                     (5, "not_a_number"), (6, "empty_cell")))
def nan_inf_coordinates() -> bytes:
    return en_csv(
        en_row("NI-1", "aed", "A", "无锡站", lon="NaN"),
        en_row("NI-2", "aed", "B", "无锡站", lon="inf"),
        en_row("NI-3", "aed", "C", "无锡站", lat="-inf"),
        en_row("NI-4", "aed", "D", "无锡站", lat="nan"),
        en_row("NI-5", "aed", "E", "无锡站", lon=""),
        en_row("NI-6", "aed", "F", "南长街"))


@corpus_file("empty.csv", "an empty upload (0 bytes)",
             importable=0, errors=((None, "empty_file"),))
def empty_csv() -> bytes:
    return b""


@corpus_file("header_only.csv", "the import template, downloaded and sent back unfilled",
             importable=0, errors=((None, "header_only"),))
def header_only() -> bytes:
    return zh_csv()


@corpus_file("mixed_encoding.csv",
             "a GBK CSV into which one line was pasted from a UTF-8 file",
             importable=2, errors=((3, "bad_bytes"),))
def mixed_encoding() -> bytes:
    return (zh_csv(zh_row("ME-1", "AED", "无锡站东广场AED", "无锡站"), encoding="gbk")
            + csv_text([zh_row("ME-2", "AED", "惠山古镇游客中心AED", "惠山古镇")]).encode()
            + csv_text([zh_row("ME-3", "AED", "锡山区东亭街道AED", "东亭")]).encode("gbk"))


FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1:A2)",
            "=1+1", "\t=1+2"]


@corpus_file("formula_injection.csv",
             "spreadsheet formulas in names and addresses (=HYPERLINK, +cmd, -1+2, @SUM): "
             "stored as the text written",
             importable=6,
             values={f"FI-{i}": {"name": f.strip(), "address": f.strip()}
                     for i, f in enumerate(FORMULAS, start=1)})
def formula_injection() -> bytes:
    return en_csv(*(en_row(f"FI-{i}", "aed", f, "无锡站", address=f)
                    for i, f in enumerate(FORMULAS, start=1)))


HOSTILE = ["<img src=x onerror=alert(1)>", "${alert(1)}", "`+alert(1)+`",
           "<script>alert(1)</script>", "\\`);alert(1);//", "{{ lipsum.__module__ }}",
           "</script><script>alert(1)</script>"]


@corpus_file("html_js_names.csv",
             "HTML and JavaScript in names (<img onerror>, ${...}, `+...+`, <script>): stored "
             "as the text written (escaping is the map's job)",
             importable=7,
             values={f"HJ-{i}": {"name": h, "name_en": h, "address": h}
                     for i, h in enumerate(HOSTILE, start=1)})
def html_js_names() -> bytes:
    return en_csv(*(en_row(f"HJ-{i}", "aed", h, "南长街", name_en=h, address=h)
                    for i, h in enumerate(HOSTILE, start=1)))


@corpus_file("duplicate_ids.csv", "the same id on two rows (a copied line)",
             importable=1, errors=((2, "duplicate_id"), (3, "duplicate_id")))
def duplicate_ids() -> bytes:
    return zh_csv(zh_row("DU-1", "AED", "无锡站AED", "无锡站"),
                  zh_row("DU-1", "AED", "无锡站AED（复制）", "无锡站"),
                  zh_row("DU-2", "AED", "梅园AED", "梅园"))


@corpus_file("swapped_lonlat.csv", "latitude typed in the longitude column and back",
             importable=2, errors=((3, "swapped_lonlat"),))
def swapped_lonlat() -> bytes:
    lon, lat, _, _ = place("鼋头渚")
    return zh_csv(zh_row("SW-1", "AED", "无锡站AED", "无锡站"),
                  zh_row("SW-2", "AED", "鼋头渚AED", "鼋头渚", lonlat=(str(lat), str(lon))),
                  zh_row("SW-3", "AED", "梅园AED", "梅园"))


@corpus_file("point_outside_city.csv",
             "district given, but one point is in Shanghai and one in Zhenjiang's 京口区",
             importable=3,
             warnings=((2, "outside_all_districts"), (3, "outside_district")))
def point_outside_city() -> bytes:
    x, y = SHANGHAI
    bx, by, _, _ = place("北固山")
    return zh_csv(zh_row("OC-1", "AED", "上海AED", "无锡站", lonlat=(str(x), str(y))),
                  zh_row("OC-2", "AED", "北固山AED", "无锡站", lonlat=(str(bx), str(by))),
                  zh_row("OC-3", "AED", "南长街AED", "南长街"))


@corpus_file("bad_dates.csv",
             "dates that are not dates: 2026-02-30, 明年, 31/12/2026, 2026-13-01, 下个月",
             importable=1,
             errors=((2, "not_a_date"), (3, "not_a_date"), (4, "not_a_date"),
                     (5, "not_a_date"), (5, "not_a_date")))
def bad_dates() -> bytes:
    return en_csv(en_row("BD-1", "aed", "A", "无锡站", updated_at="2026-02-30"),
                  en_row("BD-2", "aed", "B", "无锡站", updated_at="明年"),
                  en_row("BD-3", "aed", "C", "无锡站", updated_at="31/12/2026"),
                  en_row("BD-4", "aed", "D", "无锡站", updated_at="2026-13-01",
                         pads_expiry="下个月"),
                  en_row("BD-5", "aed", "E", "南长街"))


@corpus_file("expiry_before_install.csv",
             "AEDs whose pads or battery expire before the unit was installed",
             importable=1,
             errors=((2, "expiry_before_install"), (3, "expiry_before_install"),
                     (4, "expiry_before_install"), (4, "expiry_before_install")))
def expiry_before_install() -> bytes:
    return en_csv(
        en_row("EB-1", "aed", "A", "无锡站", installed_date="2020-06-01",
               pads_expiry="2019-01-01"),
        en_row("EB-2", "aed", "B", "无锡站", installed_date="2020-06-01",
               battery_expiry="2020-05-31"),
        en_row("EB-3", "aed", "C", "无锡站", installed_date="2022-01-01",
               pads_expiry="2021-01-01", battery_expiry="2021-06-01"),
        en_row("EB-4", "aed", "D", "南长街", installed_date="2022-01-01",
               pads_expiry="2022-01-01"))


@corpus_file("unknown_kind_status.csv",
             "values no list allows: kind 消防栓, status 坏了, city 南京, venue 城堡",
             importable=1,
             errors=((2, "not_one_of"), (3, "not_one_of"), (4, "not_one_of"),
                     (4, "unknown_district"), (5, "unknown_venue")))
def unknown_kind_status() -> bytes:
    return en_csv(en_row("UK-1", "消防栓", "A", "无锡站"),
                  en_row("UK-2", "aed", "B", "无锡站", status="坏了"),
                  en_row("UK-3", "aed", "C", "无锡站", city="南京"),
                  en_row("UK-4", "aed", "D", "无锡站", venue_type="城堡"),
                  en_row("UK-5", "aed", "E", "南长街"))


@corpus_file("bad_hours.csv",
             "opening hours no one can read (看情况, 25:00-26:00, 9点到5点) next to good ones",
             importable=2,
             errors=((2, "bad_hours"), (3, "bad_hours"), (4, "bad_hours")))
def bad_hours() -> bytes:
    return zh_csv(zh_row("BH-1", "AED", "A", "无锡站", hours="看情况"),
                  zh_row("BH-2", "AED", "B", "无锡站", hours="25:00-26:00"),
                  zh_row("BH-3", "AED", "C", "无锡站", hours="9点到5点"),
                  zh_row("BH-4", "AED", "D", "南长街", hours="周一至周五 08:00-17:30"),
                  zh_row("BH-5", "AED", "E", "梅园", hours="24小时"))


@corpus_file("unknown_district.csv",
             "district names as people write them: 梁溪 and Binhu (understood), 玄武区 (not a "
             "Wuxi district)",
             importable=2, errors=((4, "unknown_district"),),
             values={"UD-1": {"district": "梁溪区"}, "UD-2": {"district": "滨湖区"}})
def unknown_district() -> bytes:
    return zh_csv(zh_row("UD-1", "AED", "A", "无锡站", district="梁溪"),
                  zh_row("UD-2", "AED", "B", "鼋头渚", district="Binhu"),
                  zh_row("UD-3", "AED", "C", "南长街", district="玄武区"))


@corpus_file("too_many_cells.csv",
             "an address with an unquoted comma: the row has one cell too many (so its "
             "longitude column holds '2号楼')",
             importable=2, errors=((3, "too_many_cells"), (3, "not_a_number")))
def too_many_cells() -> bytes:
    good = zh_csv(zh_row("TM-1", "AED", "A", "无锡站"))
    bad = ",".join(str(c) for c in zh_row("TM-2", "AED", "B", "南长街")).replace(
        "南长街附近", "南长街8号,2号楼")
    return good + (bad + "\r\n").encode() + zh_csv(
        zh_row("TM-3", "AED", "C", "梅园")).split(b"\r\n", 1)[1]


@corpus_file("broken_quote.csv", "a quote opened in a name and never closed",
             importable=2, errors=((3, "broken_quote"),))
def broken_quote() -> bytes:
    lines = zh_csv(zh_row("BQ-1", "AED", "A", "无锡站"), zh_row("BQ-2", "AED", "B", "南长街"),
                   zh_row("BQ-3", "AED", "C", "梅园")).decode("utf-8-sig").split("\r\n")
    lines[2] = lines[2].replace(",B,", ',"B 南长街,')
    return "\r\n".join(lines).encode("utf-8-sig")


@corpus_file("team_missing_specialty.csv", "a rescue team row without its specialty",
             importable=1, errors=((2, "empty_value"),))
def team_missing_specialty() -> bytes:
    return en_csv(en_row("TS-1", "rescue_team", "队伍A", "焦山", specialty=""),
                  en_row("TS-2", "rescue_team", "队伍B", "北固山"))


@corpus_file("situation_report.pdf", "a PDF report uploaded instead of the list",
             importable=0, errors=((None, "unsupported_type"),))
def situation_report() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@corpus_file("csv_named.xlsx", "a CSV list saved under an .xlsx name",
             importable=0, errors=((None, "not_a_workbook"),))
def csv_named() -> bytes:
    return zh_csv(zh_row("CX-1", "AED", "A", "无锡站"))


# ------------------------------------------------------------------------------ layers


@corpus_file("points.geojson",
             "a GeoJSON of points with Chinese properties and no city/district",
             importable=3, warnings=((None, "columns_derived"),),
             points=truth(("GJ-1", "西津渡"), ("GJ-2", "鼋头渚"), ("GJ-3", "丹阳")),
             values={"GJ-1": {"kind": "first_aid_station", "district": "润州区"}})
def points_geojson() -> bytes:
    return feature_collection([
        feature(point("西津渡"), 编号="GJ-1", 类型="景区救护站", 名称="西津渡救护站", 状态="正常",
                开放时间="08:00-17:30"),
        feature(point("鼋头渚"), 编号="GJ-2", 类型="AED", 名称="鼋头渚AED", 状态="正常"),
        feature(point("丹阳"), 编号="GJ-3", 类型="博爱家园", 名称="丹阳博爱家园", 状态="在用"),
    ])


@corpus_file("lines.geojson",
             "a GeoJSON of patrol routes and an area drawn instead of points (one point)",
             importable=1,
             errors=((2, "not_a_point"), (3, "not_a_point"), (4, "not_a_point")),
             warnings=((None, "columns_derived"),))
def lines_geojson() -> bytes:
    a, b, c = (place(p)[:2] for p in ("无锡站", "南长街", "梅园"))
    line = {"type": "LineString", "coordinates": [list(a), list(b)]}
    line2 = {"type": "LineString", "coordinates": [list(b), list(c)]}
    area = {"type": "Polygon", "coordinates": [[list(a), list(b), list(c), list(a)]]}
    return feature_collection([
        feature(line, 编号="LN-1", 类型="AED", 名称="巡检路线1", 状态="正常"),
        feature(line2, 编号="LN-2", 类型="AED", 名称="巡检路线2", 状态="正常"),
        feature(area, 编号="LN-3", 类型="AED", 名称="服务范围", 状态="正常"),
        feature(point("惠山古镇"), 编号="LN-4", 类型="AED", 名称="惠山古镇AED", 状态="正常"),
    ])


@corpus_file("multipoint_null.geojson",
             "a GeoJSON with a one-point MultiPoint (read), a two-point MultiPoint and a "
             "feature without geometry",
             importable=1, errors=((3, "not_a_point"), (4, "not_a_point")),
             warnings=((None, "columns_derived"),), points=truth(("MP-1", "北固山")))
def multipoint_null() -> bytes:
    a, b = place("北固山")[:2], place("焦山")[:2]
    return feature_collection([
        feature({"type": "MultiPoint", "coordinates": [list(a)]}, 编号="MP-1", 类型="AED",
                名称="北固山AED", 状态="正常"),
        feature({"type": "MultiPoint", "coordinates": [list(a), list(b)]}, 编号="MP-2",
                类型="AED", 名称="两处AED", 状态="正常"),
        feature(None, 编号="MP-3", 类型="AED", 名称="未定位AED", 状态="正常"),
    ])


def _gpkg_frames() -> tuple[Any, Any]:
    import geopandas as gpd
    import shapely

    names = ("西津渡", "金山寺", "句容")
    frame = gpd.GeoDataFrame(
        {"编号": ["GP-1", "GP-2", "GP-3"], "类型": ["景区救护站", "景区救护站", "救援队"],
         "名称": [f"{n}点位" for n in names], "状态": ["正常", "正常", "正常"],
         "专长": ["", "", "山地救援"], "开放时间": ["08:00-17:30", "08:00-17:30", "24h"]},
        geometry=gpd.points_from_xy([place(n)[0] for n in names], [place(n)[1] for n in names]),
        crs="EPSG:4326").to_crs("EPSG:4547")
    area = gpd.GeoDataFrame({"名称": ["镇江主城区"]}, geometry=[shapely.box(
        119.38, 32.15, 119.52, 32.24)], crs="EPSG:4326").to_crs("EPSG:4547")
    return frame, area


@corpus_file("cgcs2000_gk_epsg4547.gpkg",
             "a surveying firm's GeoPackage in CGCS2000 / 3-degree Gauss-Kruger CM 114E "
             "(EPSG:4547): a 服务范围 polygon layer, then the points layer",
             importable=3,
             warnings=((None, "columns_derived"), (None, "layer_chosen")),
             points=truth(("GP-1", "西津渡"), ("GP-2", "金山寺"), ("GP-3", "句容")),
             values={"GP-1": {"source_crs": "wgs84", "district": "润州区"},
                     "GP-3": {"kind": "rescue_team", "specialty": "mountain"}})
def cgcs2000_gpkg() -> bytes:
    frame, area = _gpkg_frames()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.gpkg"
        no_index = {"layer_options": {"SPATIAL_INDEX": "NO"}}
        write_layers(path, [("服务范围", area, no_index), ("资源点位", frame, no_index)], "GPKG")
        return fixed_gpkg(path)


@corpus_file("broken.gpkg", "a GeoPackage cut short (interrupted copy)",
             importable=0, errors=((None, "bad_vector_file"),))
def broken_gpkg() -> bytes:
    return cgcs2000_gpkg()[:3000]


@corpus_file("placemarks.kml",
             "a KML exported from a map app: placemark names, ExtendedData 编号/类型/状态 in "
             "Chinese",
             importable=3, warnings=((None, "columns_derived"),),
             points=truth(("KM-1", "西津渡"), ("KM-2", "北固山"), ("KM-3", "丹徒")),
             values={"KM-1": {"name": "西津渡景区救护站", "kind": "first_aid_station"}})
def placemarks_kml() -> bytes:
    return kml(placemark("p1", "西津渡景区救护站", "西津渡", 编号="KM-1", 类型="景区救护站",
                         状态="正常", 开放时间="08:00-17:30")
               + placemark("p2", "北固山AED", "北固山", 编号="KM-2", 类型="AED", 状态="正常")
               + placemark("p3", "丹徒物资储备点", "丹徒", 编号="KM-3", 类型="物资储备点",
                           状态="正常"))


@corpus_file("kml_no_placemarks.kml", "a KML exported with nothing selected: no placemarks",
             importable=0, errors=((None, "empty_layer"),))
def kml_no_placemarks() -> bytes:
    return kml("")


@corpus_file("shapefile.zip", "a zipped ESRI shapefile (.shp/.shx/.dbf/.prj/.cpg, UTF-8)",
             importable=2, warnings=((None, "columns_derived"),),
             points=truth(("SH-1", "宜兴"), ("SH-2", "灵山大佛")))
def shapefile_zip() -> bytes:
    import geopandas as gpd

    names = ("宜兴", "灵山大佛")
    frame = gpd.GeoDataFrame(
        {"编号": ["SH-1", "SH-2"], "类型": ["AED", "AED"], "名称": [f"{n}AED" for n in names],
         "状态": ["正常", "正常"]},
        geometry=gpd.points_from_xy([place(n)[0] for n in names], [place(n)[1] for n in names]),
        crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "aed.shp"
        write_layers(path, [("aed", frame, {"encoding": "UTF-8",
                                            "layer_options": {
                                                "DBF_DATE_LAST_UPDATE": FIXED_DBF_DATE}})],
                     "ESRI Shapefile")
        members = [(f"aed{ext}", (Path(tmp) / f"aed{ext}").read_bytes())
                   for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
                   if (Path(tmp) / f"aed{ext}").exists()]
    return zipped(members)


@corpus_file("zip_without_shapefile.zip", "a zip of a CSV and a readme, but no shapefile",
             importable=0, errors=((None, "no_shapefile_in_zip"),))
def zip_without_shapefile() -> bytes:
    return zipped([("说明.txt", "资源点位见附件".encode()),
                   ("data.csv", zh_csv(zh_row("ZP-1", "AED", "A", "无锡站")))])


# ------------------------------------------------------------------------------------ main


def readme() -> str:
    lines = [
        "# Resource-import corpus",
        "",
        "Written by `scripts/make_store_corpus.py` (deterministic); the expected outcome of "
        "each file is in `expected.json` and checked by `tests/test_store_corpus.py`: every "
        "file is read with `geo.imports.read_resource_file` and previewed (and committed) "
        "against a fresh store. Rows are numbered as a spreadsheet shows them (the header of a "
        "plain file is row 1); a GIS feature's row is its number plus one. The 50 MB upload "
        "is generated by the test at run time, not stored here.",
        "",
        "| file | imitates | importable rows | problems |",
        "| --- | --- | --- | --- |",
    ]
    for name, (_builder, expected) in FILES.items():
        problems = [f"{code}@{row if row is not None else 'file'}"
                    for row, code in sorted(expected["errors"],
                                            key=lambda e: -1 if e[0] is None else e[0])]
        problems += [f"{code} (warning)" for _row, code in expected["warnings"]]
        what = expected["what"].replace("|", "\\|")
        lines.append(f"| `{name}` | {what} | {expected['importable']} | "
                     f"{', '.join(problems) or '-'} |")
    return "\n".join(lines) + "\n"


def build(out: Path) -> list[Path]:
    """Write every corpus file, ``expected.json`` and the README into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest: dict[str, Any] = {}
    for name, (builder, expected) in FILES.items():
        data = builder()
        if len(data) >= MAX_FILE_BYTES:
            msg = f"{name} is {len(data)} bytes, over {MAX_FILE_BYTES}"
            raise RuntimeError(msg)
        path = out / name
        path.write_bytes(data)
        written.append(path)
        manifest[name] = expected
    path = out / "expected.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written.append(path)
    path = out / "README.md"
    path.write_text(readme(), encoding="utf-8")
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} files to {args.out}")


if __name__ == "__main__":
    main()
