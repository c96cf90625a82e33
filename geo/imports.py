"""Resource imports: read a partner's file (a table or a GIS layer) into the store's import table.

A partner's list of AEDs, relief stores, first-aid stations or teams arrives as an Excel/WPS
sheet, a CSV from a Chinese Windows PC, or a GIS layer (GeoJSON, GeoPackage, KML/KMZ, a zipped
shapefile). :func:`read_resource_file` turns it into a :class:`ResourceFile`: a table whose
columns are those of :data:`geo.schema.RESOURCE_SPEC` (text cells), the file row number of each
of its rows, and one :class:`~geo.validate.Report` of every problem met while reading. That
table is what :meth:`geo.store.Store.preview_import` takes; the store's validation
(:func:`geo.validate.validate_resources`) then checks types, allowed values, dates (an expiry
before the install date), hours, counts (``number_too_large``) and ids, and converts each row
from its ``source_crs`` to WGS84.

What reading does, and validation does not:

- tables go through :func:`geo.io.read_table` (encodings, title lines, merged headers, data
  sheet, broken quotes, size cap); GIS layers through pyogrio (the geometry gives the point; a
  projected layer is brought to WGS84 by PROJ);
- columns are found by their headers in Chinese or English (:data:`RESOURCE_ALIASES`,
  :func:`guess_resource_columns`), including one ``经纬度`` column and a CRS named in a header
  bracket (``经度（GCJ-02）``);
- coordinate cells are read as people write them (:mod:`geo.coords`: DMS, 东经/北纬,
  full-width digits) and their ranges checked with the spec's own rules;
- labels become codes: kinds (``除颤仪`` -> ``aed``), statuses (``维修`` -> ``maintenance``),
  coordinate systems (``高德`` -> ``gcj02``), cities (``无锡市`` -> ``wuxi``), districts
  (``梁溪`` -> ``梁溪区``), venues, placements and team specialties; a value that is not known
  is passed on unchanged, so validation names it with its own code;
- dates as spreadsheets hold them (date cells, Excel serial numbers, ``2026/5/21``,
  ``2026年5月21日``) become ISO text; whole numbers lose Excel's ``.0``;
- a file without city or district columns gets them from each point and the district
  boundaries; a file without a kind column takes ``default_kind``; a file without a status
  column is taken as active. Each such choice is a warning in the report.

Rows with a reading error (their problems are in :attr:`ResourceFile.report`) are left out of
the table; every other row is handed on, problems and all, for validation to judge. Nothing
here raises for a bad file: every failure is a problem code worded in ``ui/i18n.py``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.coords import parse_coordinates, parse_pairs
from geo.crs import canonical_crs, to_wgs84
from geo.errors import ValidationError
from geo.incidents import _norm_header, header_crs
from geo.io import TABLE_EXTENSIONS, best_columns, gc_paused, is_empty, load_bytes, read_table
from geo.validate import Report, check_spec

#: File types read as GIS layers (pyogrio): GeoJSON, GeoPackage, KML/KMZ, zipped shapefile.
VECTOR_EXTENSIONS: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".kml", ".kmz", ".zip")
#: Every extension a resource import accepts (for the upload widget and the advice).
IMPORT_EXTENSIONS: tuple[str, ...] = TABLE_EXTENSIONS + VECTOR_EXTENSIONS

#: The meanings a column can have: every spec column, plus ``pair`` (one 经纬度 column).
#: ``source_crs`` is the per-row coordinate system column.
ROLES: tuple[str, ...] = (*schema.RESOURCE_COLUMNS, "pair")

#: Excel's day 0 (serial numbers count days from here; 1900 leap-year bug included).
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31

#: Header aliases per role, compared after :func:`geo.incidents._norm_header` with "_" removed
#: (case, width, brackets and separators do not matter). The order is the priority when a file
#: has several columns of one role (the others are left unmapped). Headers that only contain a
#: keyword (``AED编号``, ``事发地经度``, ``电极片到期日``) are found by keyword as well.
RESOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "资源编号", "设备编号", "点位编号", "唯一编号", "编码", "resource_id",
           "code", "identifier", "uid"),
    "kind": ("kind", "类型", "种类", "资源类型", "资源种类", "类别", "设施类型", "type",
             "resource_type", "category"),
    "name": ("name", "名称", "名字", "资源名称", "点位名称", "设备名称", "站点名称", "中文名称",
             "中文名", "name_zh", "title"),
    "name_en": ("name_en", "英文名称", "英文名", "english_name", "name_english", "en_name"),
    "city": ("city", "城市", "市", "所属城市", "所在城市", "地市", "所属地市"),
    "district": ("district", "区县", "区", "县", "区/县", "县区", "所属区县", "所在区县", "行政区",
                 "county"),
    "address": ("address", "地址", "详细地址", "所在地址", "安装地址", "地点", "addr"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "坐标x", "point_x",
            "x_coord", "coord_x"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "坐标y", "point_y", "y_coord",
            "coord_y"),
    "pair": ("经纬度", "坐标", "经纬度坐标", "位置坐标", "坐标位置", "gps坐标", "lnglat", "lng_lat",
             "lonlat", "lon_lat", "latlng", "lat_lng", "latlon", "lat_lon", "coordinates",
             "coordinate", "coords", "gps"),
    "source_crs": ("source_crs", "crs", "坐标系", "坐标系统", "坐标类型", "原始坐标系",
                   "coord_system", "coordinate_system", "srs"),
    "status": ("status", "状态", "使用状态", "设备状态", "运行状态", "state"),
    "hours": ("hours", "开放时间", "营业时间", "服务时间", "开放时段", "开放时长",
              "opening_hours", "open_hours"),
    "updated_at": ("updated_at", "更新日期", "更新时间", "最后更新", "核查日期", "updated",
                   "last_updated", "update_date"),
    "venue_type": ("venue_type", "场所类型", "场所", "设置场所", "安装场所", "venue"),
    "placement": ("placement", "室内/室外", "室内室外", "放置位置", "安放位置", "indoor_outdoor"),
    "installed_date": ("installed_date", "安装日期", "安装时间", "installed", "install_date"),
    "pads_expiry": ("pads_expiry", "电极片有效期", "电极片到期", "电极片到期日", "电极片失效日期",
                    "pads_expire", "pad_expiry"),
    "battery_expiry": ("battery_expiry", "电池有效期", "电池到期", "电池到期日", "电池失效日期",
                       "battery_expires"),
    "last_check": ("last_check", "上次巡检", "最近巡检", "巡检日期", "最后巡检", "最近检查",
                   "last_inspection"),
    "guardian": ("guardian", "管理人", "监护人", "负责人", "责任人", "管理员", "管理单位"),
    "guardian_phone": ("guardian_phone", "联系电话", "电话", "手机", "管理人电话", "负责人电话",
                       "phone", "tel", "contact_phone"),
    "capacity_m3": ("capacity_m3", "库容", "容量", "仓容", "库容m³", "库容立方米", "capacity"),
    "stock_family_kit": ("stock_family_kit", "家庭包", "家庭包库存", "库存家庭包", "family_kits",
                         "family_kit"),
    "stock_tent": ("stock_tent", "帐篷", "帐篷库存", "库存帐篷", "tents", "tent"),
    "stock_quilt": ("stock_quilt", "棉被", "棉被库存", "库存棉被", "quilts", "quilt"),
    "stock_life_jacket": ("stock_life_jacket", "救生衣", "救生衣库存", "库存救生衣",
                          "life_jackets", "life_jacket"),
    "stock_water_case": ("stock_water_case", "饮用水", "饮用水库存", "矿泉水", "库存饮用水",
                         "drinking_water", "water_cases", "water_case"),
    "serves": ("serves", "服务景区", "所在景区", "景区", "服务范围"),
    "staff": ("staff", "人员", "工作人员", "人员数", "值守人员", "救护员"),
    "specialty": ("specialty", "专业", "专长", "救援专业", "队伍类型", "专业类型", "speciality"),
    "members": ("members", "队员", "队员数", "队员人数", "人数"),
    "boats": ("boats", "船只", "船艇", "船只数", "冲锋舟"),
    "vehicles": ("vehicles", "车辆", "车辆数"),
    "trainees_per_year": ("trainees_per_year", "年培训人数", "每年培训人数", "年培训量",
                          "trainees"),
}

#: Keywords found inside longer headers, in this order ("AED编号", "事发地经度", "电极片到期日").
_CONTAINS: tuple[tuple[str, str], ...] = (
    ("英文", "name_en"), ("经纬度", "pair"), ("坐标系", "source_crs"), ("经度", "lon"),
    ("纬度", "lat"), ("longitude", "lon"), ("latitude", "lat"), ("电极片", "pads_expiry"),
    ("电池", "battery_expiry"), ("巡检", "last_check"), ("安装日期", "installed_date"),
    ("家庭包", "stock_family_kit"), ("帐篷", "stock_tent"), ("棉被", "stock_quilt"),
    ("救生衣", "stock_life_jacket"), ("饮用水", "stock_water_case"), ("库容", "capacity_m3"),
    ("电话", "guardian_phone"), ("编号", "id"), ("名称", "name"), ("地址", "address"),
    ("状态", "status"), ("开放时间", "hours"), ("营业时间", "hours"), ("更新", "updated_at"),
    ("区县", "district"), ("类型", "kind"),
)
_CONTAINS_RANK = 50
_WEAK_RANK = 100  # a column a GIS driver adds by itself (a KML placemark's own id)

#: Value labels per coded column: code -> the ways partners write it (compared after
#: :func:`_value_key`; the code itself and its plural in "s" are always accepted).
KIND_LABELS: dict[str, tuple[str, ...]] = {
    "aed": ("AED", "AEDs", "除颤仪", "除颤器", "AED除颤仪", "AED 除颤仪", "自动体外除颤器",
            "自动体外除颤仪", "自动除颤器", "defibrillator"),
    "relief_store": ("救灾物资储备点", "物资储备点", "救灾物资储备库", "救灾物资仓库", "物资储备库",
                     "储备点", "储备库", "物资库", "仓库", "relief store", "relief supply store",
                     "store", "warehouse", "depot"),
    "first_aid_station": ("景区救护站", "救护站", "红十字救护站", "急救站", "景区急救站",
                          "first-aid station", "first aid station", "scenic first-aid station",
                          "station"),
    "rescue_team": ("红十字救援队", "救援队", "应急救援队", "红十字应急救援队", "rescue team",
                    "emergency rescue team", "team"),
    "community_hub": ("博爱家园", "社区博爱家园", "红十字博爱家园", "community hub", "hub"),
    "training_base": ("救护培训基地", "培训基地", "应急救护培训基地", "红十字救护培训基地",
                      "training base", "first-aid training base"),
}
STATUS_LABELS: dict[str, tuple[str, ...]] = {
    "active": ("正常", "在用", "可用", "启用", "使用中", "正常使用", "运行", "运行中", "有效",
               "在岗", "active", "in use", "available", "ok", "normal", "in service"),
    "maintenance": ("维护", "维护中", "维修", "维修中", "检修", "检修中", "保养", "保养中",
                    "待维修", "maintenance", "in maintenance", "under maintenance", "repair",
                    "under repair"),
    "inactive": ("停用", "已停用", "报废", "已报废", "撤除", "已撤除", "关闭", "失效", "不可用",
                 "inactive", "retired", "disabled", "out of service", "decommissioned"),
}
VENUE_LABELS: dict[str, tuple[str, ...]] = {
    "metro": ("地铁站", "地铁", "轨道交通", "metro station", "subway"),
    "rail": ("火车站", "高铁站", "铁路车站", "railway station", "train station"),
    "airport": ("机场", "航站楼"),
    "hospital": ("医院", "卫生院", "社区卫生服务中心"),
    "mall": ("商场", "购物中心", "超市", "shopping mall"),
    "school": ("学校", "中学", "小学", "大学", "高校"),
    "stadium": ("体育场馆", "体育馆", "体育场", "体育中心"),
    "park": ("公园",),
    "scenic": ("景区", "风景区", "旅游景区", "scenic area"),
    "gov_service": ("政务服务中心", "政务中心", "市民中心", "government service hall"),
    "bus_stop": ("公交站急救箱", "公交站", "公交站台", "bus-stop cabinet", "bus stop"),
    "community": ("社区", "小区", "街道", "社区服务中心"),
    "office": ("办公楼", "写字楼", "机关", "office building"),
    "hotel": ("酒店", "宾馆", "饭店"),
}
PLACEMENT_LABELS: dict[str, tuple[str, ...]] = {
    "indoor": ("室内", "户内", "inside"),
    "outdoor": ("室外", "户外", "露天", "outside"),
}
SPECIALTY_LABELS: dict[str, tuple[str, ...]] = {
    "water_rescue": ("水上救援", "水域救援", "水上搜救", "水域搜救", "water rescue"),
    "mountain": ("山地救援", "山野救援", "mountain rescue"),
    "medical": ("医疗救护", "医疗", "救护", "medical rescue"),
    "search_rescue": ("搜索救援", "搜救", "城市搜救", "search and rescue", "search rescue", "sar"),
}

_VALUE_SEP_RE = re.compile(r"[\s\-_/·.,，、()（）\[\]【】]+")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?")
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
#: Columns a GIS driver makes up by itself: a KML placemark's own id (LIBKML) names no resource
#: when the file's data has an id column of its own.
_DRIVER_ID_COLUMNS = frozenset({"id"})


def _value_key(value: str) -> str:
    """A label compared without case, width, spaces or punctuation ("First-aid station")."""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return _VALUE_SEP_RE.sub("", text)


def _label_table(labels: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, names in labels.items():
        for name in (code, *names):
            key = _value_key(name)
            table.setdefault(key, code)
            if key.isascii() and len(key) > 3 and not key.endswith("s"):
                table.setdefault(key + "s", code)  # "aeds", "relief stores"
    return table


def _city_labels() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, names in schema.CITIES.items():
        zh = names["zh"]
        out[key] = (zh, zh.removesuffix("市"), names["en"], f"{names['en']} city",
                    names["adcode"])
    return out


_KINDS = _label_table(KIND_LABELS)
_STATUSES = _label_table(STATUS_LABELS)
_CITIES = _label_table(_city_labels())
_VALUE_TABLES: dict[str, dict[str, str]] = {
    "kind": _KINDS,
    "status": _STATUSES,
    "city": _CITIES,
    "venue_type": _label_table(VENUE_LABELS),
    "placement": _label_table(PLACEMENT_LABELS),
    "specialty": _label_table(SPECIALTY_LABELS),
}


def _alias_key(text: str) -> str:
    return _norm_header(text).replace("_", "")


_ALIAS_ROLE: dict[str, tuple[str, int]] = {}
for _role, _aliases in RESOURCE_ALIASES.items():
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_ROLE.setdefault(_alias_key(_alias), (_role, _rank))
del _role, _aliases, _rank, _alias


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


def _role_of(name: str) -> tuple[str | None, int]:
    """The role a header names and its priority (lower wins), or (None, 0)."""
    compact = _alias_key(name)
    if not compact:
        return None, 0
    found = _ALIAS_ROLE.get(compact)
    if found is not None:
        return found
    for keyword, role in _CONTAINS:
        if keyword in compact:
            return role, _CONTAINS_RANK
    if compact.endswith("坐标") and len(compact) <= 8:
        return "pair", _CONTAINS_RANK + 10
    return None, 0


def _guess(header: list[str], weak: frozenset[int] = frozenset()) -> dict[str, int]:
    return best_columns(header, _role_of, weak=weak, weak_rank=_WEAK_RANK)


def guess_resource_columns(header: list[str]) -> dict[str, int]:
    """Map roles to column positions from the header text; the best-named column wins.

    For a column-mapping step: the page shows the guess and lets the user change it (passing
    the result, as header texts, in ``columns`` of :func:`read_resource_file`).

    Parameters
    ----------
    header : list of str
        The header cells (Chinese or English; case, full-width characters, units in brackets
        and separators do not matter: "经度（GCJ-02）", "Longitude", "库容 (m³)").

    Returns
    -------
    dict
        ``role -> position`` for the roles of :data:`ROLES` found. Separate longitude and
        latitude columns win over a combined ``经纬度`` column (``pair``), which is then left
        unmapped. A column whose header names no role is not in the result.
    """
    return _guess([str(h) for h in header])


def resource_header_score(header: list[str]) -> float:
    """How much a row looks like a resource table's header (for :func:`geo.io.read_table`).

    Coordinates (a longitude and a latitude column, or one 经纬度 column) count 2, an id and a
    kind column 1 each, every other recognised column 0.25; a row naming nothing scores 0.
    """
    roles = guess_resource_columns(header)
    score = 2.0 if {"lon", "lat"} <= roles.keys() or "pair" in roles else 0.0
    if score == 0.0 and roles.keys() & {"lon", "lat"}:
        score = 0.5
    score += 1.0 * len(roles.keys() & {"id", "kind"})
    return score + 0.25 * len(roles.keys() - {"lon", "lat", "pair", "id", "kind"})


def _aliases_text(role: str) -> str:
    aliases = RESOURCE_ALIASES.get(role, ())
    chinese = [a for a in aliases if not a.isascii()][:3]
    latin = [a for a in aliases if a.isascii()][:2]
    return "/".join(chinese + latin)


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceFile:
    """A partner's resource file as read: the import table, its row numbers and the report.

    Attributes
    ----------
    table : DataFrame
        One row per file row that had no reading error, with exactly the columns of
        :data:`geo.schema.RESOURCE_COLUMNS` in spec order, every cell text (``""`` when empty):
        ready for :meth:`geo.store.Store.preview_import`. Coordinates are in the row's
        ``source_crs`` (validation converts them to WGS84).
    rows : numpy.ndarray of int64
        The file row number of each table row, as a person finds it: in a table the header
        counts (a plain file's first data row is row 2); in a GIS layer, the feature's number
        (1-based, in file order) plus one, as if its attribute table had a header row. Pass it
        as ``rows`` to ``preview_import``.
    report : Report
        Every problem found while reading, in row order (whole-file problems first). A
        whole-file error (``row`` None) means the table is empty. ``n_rows`` counts the data
        rows read, including those left out. Validation problems are not here: they come with
        the store's preview (:func:`combined_report` puts both together).
    source : dict
        What was read, for the page to show and let the user change: ``format`` ("csv",
        "xlsx", ..., "geojson", "gpkg", "kml", "kmz", "shapefile"), ``sheet``, ``sheets``,
        ``header_row``, ``header_guess``, ``header``, ``mapping`` (role -> header text),
        ``layer``, ``layers``, ``layer_crs`` (the layer's CRS as text), ``defaults`` (column ->
        value given to every row), ``derived`` (columns computed from the points),
        ``absent`` (spec columns the file does not have: they are empty in the table).
    columns : list of str
        The file's column names (header cells, or a layer's attribute names), for a
        column-mapping step.
    """

    table: pd.DataFrame
    rows: np.ndarray
    report: Report
    source: dict[str, Any] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """True when a whole-file error means nothing of the file can be imported."""
        return self.report.fatal


def combined_report(reading: Report, validation: Report) -> Report:
    """One report of a file's reading problems and its validation (or preview) problems.

    Parameters
    ----------
    reading : Report
        :attr:`ResourceFile.report`.
    validation : Report
        The store preview's ``report`` (row numbers already as in the file).

    Returns
    -------
    Report
        Every problem of both, whole-file problems first, then by row; ``n_rows`` and
        ``source`` are the reading report's, ``rows`` the validation's (the rows kept).
    """
    problems = [*reading.problems, *validation.problems]
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return Report(reading.n_rows, problems, validation.rows, dict(reading.source))


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in schema.RESOURCE_COLUMNS})


# --------------------------------------------------------------------------------------------
# What was read: one shape for tables and layers
# --------------------------------------------------------------------------------------------


@dataclass
class _Read:
    """Raw cells by column, their file rows, and (for a layer) the points of the geometry."""

    header: list[str]
    cells: list[np.ndarray]
    rows: np.ndarray
    n_dropped: int = 0
    weak: frozenset[int] = frozenset()
    widths: np.ndarray | None = None
    raw_rows: list[list[Any]] | None = None
    # layers only: the point of each feature (NaN where it has none) and its CRS name
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    point_crs: str | None = None
    geometry_problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_layer(self) -> bool:
        return self.lon is not None


def _bad_argument(name: str, value: Any, allowed: Any) -> ValidationError:
    expected = ", ".join(allowed)
    return ValidationError(f"{name} must be one of {expected}, got {value!r}", code="bad_argument",
                           params={"name": name, "value": str(value), "expected": expected})


def _check_arguments(default_kind: str | None, default_crs: str, city: str | None
                     ) -> tuple[str | None, str, str | None]:
    crs = canonical_crs(default_crs) if isinstance(default_crs, str) else None
    if crs is None:
        raise _bad_argument("default_crs", default_crs, schema.SOURCE_CRS)
    kind = None
    if default_kind is not None:
        kind = _KINDS.get(_value_key(default_kind))
        if kind is None:
            raise _bad_argument("default_kind", default_kind, schema.KINDS)
    city_key = None
    if city is not None:
        city_key = _CITIES.get(_value_key(city))
        if city_key is None:
            raise _bad_argument("city", city, schema.CITIES)
    return kind, crs, city_key


def read_resource_file(
    data: bytes | str | Path,
    filename: str,
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    default_kind: str | None = None,
    default_crs: str = "wgs84",
    city: str | None = None,
    columns: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    layer: str | None = None,
    header_row: int | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ResourceFile:
    """Read a partner's resource file into the table :meth:`Store.preview_import` takes.

    Parameters
    ----------
    data : bytes, str or Path
        The content (``bytes``, e.g. a Streamlit upload), a path (``Path``, or a ``str``
        without a line break) or CSV text (a ``str`` with a line break).
    filename : str
        The uploaded file's name; its extension picks the reader: a table
        (.csv/.tsv/.txt/.xlsx/.xlsm/.xls/.ods, see :func:`geo.io.read_table`) or a GIS layer
        (.geojson/.json, .gpkg, .kml, .kmz, or .zip holding a shapefile). Any other extension
        is refused (``unsupported_type``).
    boundaries : GeoDataFrame, optional
        District polygons (``city``, ``district``; any CRS). Needed when the file has no
        district column (each point's district is looked up, in WGS84 after converting the
        row from its CRS) or no city column; also lets district names be matched loosely
        ("梁溪" or "Liangxi" -> "梁溪区").
    default_kind : str, optional
        The kind of every row when the file has no kind column (a code or a label: "aed",
        "AED", "除颤仪"). Without it such a file is refused (``missing_resource_column``).
    default_crs : str, default "wgs84"
        The coordinate system of rows without a CRS column or with an empty CRS cell, unless
        the coordinate header names one ("经度（GCJ-02）"). Any label
        :func:`geo.crs.canonical_crs` understands. For a layer it applies to geographic
        layers in EPSG:4326 (GeoJSON, KML say so by definition, whatever the partner used).
    city : str, optional
        The city of rows without a city (no city column, or an empty cell): "wuxi",
        "无锡", "Zhenjiang" ... Without it, and without a city column, the city comes from
        the district name or the point (``boundaries``).
    columns : mapping, optional
        ``role -> header text`` (roles of :data:`ROLES`): the user's corrections of the
        column guess; None or "" for "the file has no such column". Others keep the guess.
    sheet : str, optional
        The workbook sheet to read (default: the one whose header looks most like resources).
    layer : str, optional
        The layer of a GeoPackage/KML to read (default: the first layer holding points).
    header_row : int, optional
        The file row (1-based) holding a table's header (default: found under title lines).
    max_bytes : int, optional
        The size cap, checked before anything is parsed (default: the ``max_upload_mb``
        setting).
    max_rows : int, optional
        Most data rows accepted (default: the ``max_batch_rows`` setting); a longer file is
        refused whole (``too_many_rows``).

    Returns
    -------
    ResourceFile
        The table, row numbers, report, what was read and the file's columns. Problem codes
        this reader adds to those of :func:`geo.io.read_table` and :mod:`geo.coords`: whole
        file ``missing_id_column``, ``missing_resource_column``, ``unknown_column``,
        ``header_only``, ``too_many_rows``, ``unsupported_type``, ``bad_vector_file``,
        ``no_shapefile_in_zip``, ``unknown_layer``, ``empty_layer``, ``vector_no_crs``;
        rows ``too_many_cells``, ``not_a_point``, ``swapped_lonlat``,
        ``outside_china_range``, ``outside_city`` (a point in no district when the district
        must be looked up); warnings ``columns_derived``, ``column_defaulted``,
        ``layer_chosen``. Coordinate cells add the codes of :mod:`geo.coords`
        (``not_a_number``, ``bad_dms``, ``not_a_pair`` ...). Cell values themselves (a
        count too large, an expiry before the install date, ...) are judged by validation.

    Raises
    ------
    ValidationError
        ``bad_argument`` when ``default_crs``, ``default_kind`` or ``city`` is not known, or
        ``columns`` names an unknown role; also when ``data`` has the wrong type.
    DataError
        If ``data`` names a file that does not exist.
    """
    kind, crs, city_key = _check_arguments(default_kind, default_crs, city)
    if columns:
        unknown = [role for role in columns if role not in ROLES]
        if unknown:
            msg = f"unknown column role {unknown[0]!r}; use one of {', '.join(ROLES)}"
            raise ValidationError(msg, code="bad_argument", params={
                "name": "columns", "value": str(unknown[0]), "expected": ", ".join(ROLES)})
    raw = load_bytes(data)
    with gc_paused():
        return _read(raw, str(filename or ""), boundaries, kind, crs, city_key, columns,
                     sheet, layer, header_row, max_bytes, max_rows)


def _settings_limits(max_bytes: int | None, max_rows: int | None) -> tuple[int, int]:
    if max_bytes is None or max_rows is None:
        from geo.settings import SETTINGS  # lazy: importing this module must not load settings

        if max_bytes is None:
            max_bytes = int(SETTINGS.max_upload_mb * 1_000_000)
        if max_rows is None:
            max_rows = SETTINGS.max_batch_rows
    return int(max_bytes), int(max_rows)


def _finish(report: Report, source: dict[str, Any], columns: list[str],
            table: pd.DataFrame | None = None, rows: np.ndarray | None = None) -> ResourceFile:
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)
    report.source = source
    if table is None:
        table, rows = _empty_table(), np.zeros(0, dtype=np.int64)
    return ResourceFile(table, np.asarray(rows, dtype=np.int64), report, source, columns)


def _read(raw: bytes, filename: str, boundaries: gpd.GeoDataFrame | None, default_kind: str | None,
          default_crs: str, city: str | None, columns: Mapping[str, str | None] | None,
          sheet: str | None, layer: str | None, header_row: int | None,
          max_bytes: int | None, max_rows: int | None) -> ResourceFile:
    """The body of :func:`read_resource_file`, with the cyclic garbage collector paused."""
    max_bytes, max_rows = _settings_limits(max_bytes, max_rows)
    report = Report()
    ext = Path(filename).suffix.lower()
    source: dict[str, Any] = {
        "format": ext.lstrip(".") or "csv", "sheet": None, "sheets": [], "header_row": None,
        "header_guess": None, "header": [], "mapping": {}, "layer": None, "layers": [],
        "layer_crs": None, "defaults": {}, "derived": [], "absent": []}
    if ext and ext not in IMPORT_EXTENSIONS:
        report.add(None, None, code="unsupported_type",
                   params={"ext": ext, "accepted": " ".join(IMPORT_EXTENSIONS)},
                   fix_code="upload_table")
        return _finish(report, source, [])
    if ext in VECTOR_EXTENSIONS:
        got = _read_layer(raw, ext, report, layer, max_bytes, source)
    else:
        got = _read_sheet(raw, filename, report, sheet, header_row, max_bytes, source)
    if got is None:
        return _finish(report, source, [])
    header = got.header
    shown = [h for h in header if h]
    role_pos = _guess(header, got.weak)
    if got.is_layer:  # the geometry is the point: attribute coordinates are not read
        for role in ("lon", "lat", "pair"):
            role_pos.pop(role, None)
    if columns and not _apply_forced(role_pos, columns, header, report, got.is_layer):
        return _finish(report, source, shown)
    source["mapping"] = {role: header[pos] for role, pos in role_pos.items()}
    if not _check_required(role_pos, got, boundaries, default_kind, city, report, source):
        return _finish(report, source, shown)

    n = len(got.rows)
    report.n_rows = n + got.n_dropped
    if n > max_rows:
        report.add(None, None, code="too_many_rows", params={"n": n, "limit": max_rows},
                   fix_code="split_file")
        return _finish(report, source, shown)
    if not n:
        if not got.n_dropped:
            if got.is_layer:
                report.add(None, None, code="empty_layer",
                           params={"layer": str(source.get("layer") or "")})
            else:
                report.add(None, None, code="header_only")
        return _finish(report, source, shown)
    table = _Builder(got, role_pos, report, boundaries, default_kind, default_crs, city,
                     source).build()
    keep = ~np.isin(got.rows, np.fromiter(report.bad_rows, dtype=np.int64))
    table = table.loc[keep].reset_index(drop=True)
    return _finish(report, source, shown, table, got.rows[keep])


def _apply_forced(role_pos: dict[str, int], columns: Mapping[str, str | None],
                  header: list[str], report: Report, is_layer: bool) -> bool:
    """Apply the user's column choices to the guess; False after an unknown header text."""
    shown = [h for h in header if h]
    chosen: dict[str, int] = {}
    cleared: list[str] = []
    for role, name in columns.items():
        if name is None or name == "":
            cleared.append(role)
            continue
        if name not in header:
            report.add(None, str(name), code="unknown_column",
                       params={"column": str(name), "columns": shown}, fix_code="pick_column")
            return False
        chosen[role] = header.index(name)
    if is_layer:
        for role in ("lon", "lat", "pair"):
            chosen.pop(role, None)
    if chosen.keys() & {"lon", "lat"}:
        role_pos.pop("pair", None)
    if "pair" in chosen:
        role_pos.pop("lon", None)
        role_pos.pop("lat", None)
    for role in cleared:
        role_pos.pop(role, None)
    taken = set(chosen.values())
    for role in [r for r, pos in role_pos.items() if pos in taken and r not in chosen]:
        del role_pos[role]  # a column the user gave another meaning
    role_pos.update(chosen)
    return True


def _missing(report: Report, role: str, header: list[str], header_row: int | None) -> None:
    params = {"column": role, "aliases": _aliases_text(role),
              "columns": [h for h in header if h], "header_row": header_row}
    if role == "id":  # ids are what make importing the same file twice change nothing
        report.add(None, role, code="missing_id_column", params=params, fix_code="pick_column")
    else:
        report.add(None, role, code="missing_resource_column", params=params,
                   fix_code="pick_column")


def _check_required(role_pos: dict[str, int], got: _Read, boundaries: gpd.GeoDataFrame | None,
                    default_kind: str | None, city: str | None, report: Report,
                    source: dict[str, Any]) -> bool:
    """Report columns the file lacks and nothing can stand in for; False if any."""
    header_row = source.get("header_row")
    missing: list[str] = []
    if "id" not in role_pos:
        missing.append("id")
    if "kind" not in role_pos and default_kind is None:
        missing.append("kind")
    if "name" not in role_pos:
        missing.append("name")
    if not got.is_layer and "pair" not in role_pos:
        missing += [r for r in ("lon", "lat") if r not in role_pos]
    has_boundaries = boundaries is not None and len(boundaries) > 0
    if "city" not in role_pos and city is None and not has_boundaries:
        missing.append("city")
    if "district" not in role_pos and not has_boundaries:
        missing.append("district")
    for role in missing:
        _missing(report, role, got.header, header_row)
    return not missing


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _read_sheet(raw: bytes, filename: str, report: Report, sheet: str | None,
                header_row: int | None, max_bytes: int, source: dict[str, Any]) -> _Read | None:
    table = read_table(raw, filename, report, score=resource_header_score, sheet=sheet,
                       header_row=header_row, max_bytes=max_bytes)
    if table is None:
        return None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) and source["format"] in (
            "csv", "tsv", "txt"):
        source["format"] = "workbook"
    source.update(sheet=table.sheet, sheets=list(table.sheets), header_row=table.header_row,
                  header_guess=table.header_guess, header=list(table.header))
    header = [str(h) for h in table.header]
    cells = [table.column(pos) for pos in range(len(header))]
    return _Read(header, cells, np.asarray(table.row_numbers, dtype=np.int64),
                 n_dropped=table.n_dropped, widths=table.widths(),
                 raw_rows=table.rows)


# --------------------------------------------------------------------------------------------
# GIS layers
# --------------------------------------------------------------------------------------------


def _vector_format(ext: str) -> str:
    return {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".kml": "kml",
            ".kmz": "kmz", ".zip": "shapefile"}[ext]


def _read_layer(raw: bytes, ext: str, report: Report, layer: str | None, max_bytes: int,
                source: dict[str, Any]) -> _Read | None:
    """Read a GIS layer's attributes and points (pyogrio, from a private temporary file)."""
    source["format"] = _vector_format(ext)
    if len(raw) > max_bytes:
        report.add(None, None, code="upload_too_large",
                   params={"size_mb": round(len(raw) / 1e6, 1),
                           "limit_mb": round(max_bytes / 1e6, 1)}, fix_code="split_file")
        return None
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.add(None, None, code="empty_file")
        return None
    with tempfile.TemporaryDirectory(prefix="rcd-import-") as folder:
        path = Path(folder) / f"upload{ext}"
        path.write_bytes(raw)
        target = str(path)
        if ext == ".zip":
            target = _shapefile_in_zip(raw, path, report, layer)
            if target is None:
                return None
            layer = None  # the zip member is the layer
        with warnings.catch_warnings(), _kml_field_names(ext):
            warnings.simplefilter("ignore")  # GDAL's notes on odd files are not the user's
            frame = _pick_layer(target, ext, report, layer, source)
    if frame is None:
        return None
    return _layer_cells(frame, ext, report, source)


@contextmanager
def _kml_field_names(ext: str) -> Iterator[None]:
    """Keep a KML's field names as written (LIBKML turns "编号" into "__" by default)."""
    if ext not in (".kml", ".kmz"):
        yield
        return
    import pyogrio

    key = "LIBKML_LAUNDER_FIELD_NAMES"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})


def _shapefile_in_zip(raw: bytes, path: Path, report: Report, layer: str | None) -> str | None:
    """The GDAL path of the shapefile in a zip (the named one, else the first)."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.add(None, None, code="bad_vector_file",
                   params={"ext": ".zip", "error_type": type(exc).__name__})
        return None
    shapes = sorted(n for n in names if n.lower().endswith(".shp")
                    and not Path(n).name.startswith("."))
    if layer is not None:
        shapes = [n for n in shapes if Path(n).stem == layer] or shapes
    if not shapes:
        listed = ", ".join(Path(n).name for n in names[:10]) or "-"
        report.add(None, None, code="no_shapefile_in_zip", params={"files": listed},
                   fix_code="upload_table")
        return None
    return f"/vsizip/{path}/{shapes[0]}"


def _pick_layer(target: str, ext: str, report: Report, layer: str | None,
                source: dict[str, Any]) -> gpd.GeoDataFrame | None:
    """The named layer, else the first holding points, else the first with features."""
    import pyogrio

    try:
        listed = pyogrio.list_layers(target)
    except Exception as exc:  # pyogrio/GDAL raise several types for one broken file
        report.add(None, None, code="bad_vector_file",
                   params={"ext": ext, "error_type": type(exc).__name__})
        return None
    names = [str(name) for name, _ in listed]
    types = {str(name): str(kind or "") for name, kind in listed}
    source["layers"] = names
    if layer is not None and layer not in names:
        report.add(None, None, code="unknown_layer",
                   params={"layer": str(layer), "available": ", ".join(names) or "-"})
        return None
    if layer is not None:
        order = [layer]
    else:  # point layers first, then layers of unknown type (KML), then the rest
        order = sorted(names, key=lambda n: (0 if "point" in types[n].lower() else
                                             1 if types[n] in ("", "Unknown", "None") else 2,
                                             names.index(n)))
    first_nonempty: tuple[str, gpd.GeoDataFrame] | None = None
    for name in order:
        try:
            frame = pyogrio.read_dataframe(target, layer=name)
        except Exception as exc:  # a corrupt layer: the file as a whole is not readable
            report.add(None, None, code="bad_vector_file",
                       params={"ext": ext, "error_type": type(exc).__name__})
            return None
        if not len(frame):
            continue
        if first_nonempty is None:
            first_nonempty = (name, frame)
        geoms = np.asarray(frame.geometry.array, dtype=object)
        if (shapely.get_type_id(geoms) == shapely.GeometryType.POINT).any() or layer:
            first_nonempty = (name, frame)
            break
    if first_nonempty is None:
        shown = layer if layer is not None else (names[0] if names else "")
        source["layer"] = shown or None
        report.add(None, None, code="empty_layer", params={"layer": shown})
        return None
    source["layer"] = first_nonempty[0]
    if len([n for n in names if n != first_nonempty[0]]) and layer is None:
        others = [n for n in names if n != first_nonempty[0]]
        report.add(None, None, code="layer_chosen",
                   params={"layer": first_nonempty[0], "others": others}, severity="warning")
    return first_nonempty[1]


def _layer_point_crs(frame: gpd.GeoDataFrame, report: Report, source: dict[str, Any],
                     x: np.ndarray, y: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, str | None] | None:
    """The points in lon/lat and their CRS name (None: per row, from a column or the default).

    A projected layer is reprojected to WGS84 by PROJ; a geographic layer other than WGS84
    and CGCS2000 too. A layer without a CRS is taken as lon/lat when its coordinates can be.
    """
    crs = frame.crs
    source["layer_crs"] = crs.to_string() if crs is not None else None
    finite = np.isfinite(x) & np.isfinite(y)
    if crs is None:
        if (np.abs(x[finite]) > 180).any() or (np.abs(y[finite]) > 90).any():
            report.add(None, None, code="vector_no_crs",
                       params={"layer": str(source.get("layer") or "")})
            return None
        return x, y, None
    epsg = crs.to_epsg()
    if crs.is_geographic and epsg == 4326:
        return x, y, None
    if crs.is_geographic and epsg == 4490:
        return x, y, "cgcs2000"
    from pyproj import Transformer

    transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = np.full(len(x), np.nan), np.full(len(y), np.nan)
    if finite.any():
        lon[finite], lat[finite] = transformer.transform(x[finite], y[finite])
    return lon, lat, "wgs84"


def _layer_cells(frame: gpd.GeoDataFrame, ext: str, report: Report,
                 source: dict[str, Any]) -> _Read | None:
    """The layer's attribute columns as raw cells and its features' points."""
    geometry = frame.geometry.name
    names = [str(c) for c in frame.columns if c != geometry]
    n = len(frame)
    rows = np.arange(n, dtype=np.int64) + 2  # feature k (1-based) is row k + 1
    geoms = np.asarray(frame.geometry.array, dtype=object)
    types = shapely.get_type_id(geoms)
    empty = np.zeros(n, dtype=bool)
    present = types >= 0
    empty[present] = shapely.is_empty(geoms[present])
    single = np.zeros(n, dtype=bool)
    multi = present & ~empty & (types == shapely.GeometryType.MULTIPOINT)
    if multi.any():
        single[multi] = shapely.get_num_geometries(geoms[multi]) == 1
        geoms = geoms.copy()
        geoms[single] = shapely.get_geometry(geoms[single], 0)
    point = present & ~empty & ((types == shapely.GeometryType.POINT) | single)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    x[point], y[point] = shapely.get_x(geoms[point]), shapely.get_y(geoms[point])
    problems: list[tuple[int, str]] = []
    for i in np.flatnonzero(~point):
        if not present[i]:
            kind = "none"
        elif empty[i]:
            kind = "empty"
        else:
            kind = str(geoms[i].geom_type)
        problems.append((int(rows[i]), kind))
    placed = _layer_point_crs(frame, report, source, x, y)
    if placed is None:
        return None
    lon, lat, point_crs = placed
    cells = [_layer_column(frame[c]) for c in frame.columns if c != geometry]
    weak = frozenset(i for i, name in enumerate(names)
                     if ext in (".kml", ".kmz") and name in _DRIVER_ID_COLUMNS)
    source.update(header=names, header_row=None)
    return _Read(names, cells, rows, weak=weak, lon=lon, lat=lat,
                 point_crs=point_crs, geometry_problems=problems)


def _layer_column(series: pd.Series) -> np.ndarray:
    """A layer attribute as raw cells: Python values, None where missing, dates as datetime."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = np.empty(len(series), dtype=object)
        for i, value in enumerate(series):
            values[i] = None if pd.isna(value) else value.to_pydatetime()
        return values
    values = series.to_numpy(dtype=object, na_value=None).copy()
    for i, value in enumerate(values):
        if isinstance(value, np.generic):
            values[i] = value.item()
        if isinstance(values[i], float) and math.isnan(values[i]):
            values[i] = None
    return values


# --------------------------------------------------------------------------------------------
# Cells -> the import table
# --------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A raw cell as the text of a table cell: stripped, "" when empty, Excel's 1001.0 as 1001."""
    if value is None or is_empty(value):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _mapped(values: np.ndarray, func: Any) -> np.ndarray:
    """``func`` of every cell, computed once per distinct cell (columns repeat a lot).

    A column of text (and empty cells) is factorized at once; any other column goes through
    a memo keyed on the cell's type and value (so 1, 1.0 and True stay apart).
    """
    out = np.empty(len(values), dtype=object)
    if not len(values):
        return out
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:-1] = [func(u) for u in uniques]
        table[-1] = func(None)  # code -1: None or NaN
        out[:] = table[codes]
        return out
    memo: dict[tuple[type, Any], Any] = {}
    for i, value in enumerate(values):
        try:
            key = (value.__class__, value)
            out[i] = memo[key] if key in memo else memo.setdefault(key, func(value))
        except TypeError:  # an unhashable cell
            out[i] = func(value)
    return out


def _texts(values: np.ndarray) -> np.ndarray:
    return _mapped(values, _text)


def _date_text(value: Any) -> str:
    """A date cell as ISO text when it is a date as spreadsheets and people write them."""
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial number (a date cell without its format), days since 1899-12-30.
        if math.isfinite(value) and 1 <= value <= _EXCEL_LAST_SERIAL and float(
                value).is_integer():
            return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        return _text(value)
    text = unicodedata.normalize("NFKC", _text(value))
    match = _DATE_RE.fullmatch(text) or _COMPACT_DATE_RE.fullmatch(text)
    if match is None:
        return _text(value)
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _whole_text(value: Any) -> str:
    """A count cell as text: full-width digits folded, thousands separators dropped."""
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    if _THOUSANDS_RE.fullmatch(text):
        text = text.replace(",", "")
    return text


def _coded(texts: np.ndarray, table: dict[str, str]) -> np.ndarray:
    """Labels as codes (each distinct text looked up once); unknown text is left as it is."""
    out = texts.copy()
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    mapped = [table.get(_value_key(u), u) if u else u for u in uniques]
    if len(mapped):
        out[:] = np.asarray(mapped, dtype=object)[codes]
    return out


class _Builder:
    """Turns the raw cells of a file into the spec's text columns, reporting row problems."""

    def __init__(self, got: _Read, role_pos: dict[str, int], report: Report,
                 boundaries: gpd.GeoDataFrame | None, default_kind: str | None,
                 default_crs: str, city: str | None, source: dict[str, Any]) -> None:
        self.got = got
        self.role_pos = role_pos
        self.report = report
        self.boundaries = boundaries if boundaries is not None and len(boundaries) else None
        self.default_kind = default_kind
        self.default_crs = default_crs
        self.city = city
        self.source = source
        self.n = len(got.rows)
        self.rows = got.rows
        self.header = got.header
        self.out: dict[str, np.ndarray] = {}

    def name_of(self, role: str) -> str:
        return self.header[self.role_pos[role]] if role in self.role_pos else role

    def raw(self, role: str) -> np.ndarray:
        return self.got.cells[self.role_pos[role]]

    def add(self, i: int, column: str | None, code: str, params: dict[str, Any], *,
            severity: str = "error", fix_code: str | None = None) -> None:
        self.report.add(int(self.rows[i]), column, code, params, severity=severity,
                        fix_code=fix_code)

    def build(self) -> pd.DataFrame:
        self._surplus_cells()
        self._coordinates()
        for col in schema.RESOURCE_SPEC:
            if col.name in ("lon", "lat", "source_crs", "city", "district"):
                continue
            self.out[col.name] = self._column(col)
        self._defaults()
        self._place()
        absent = [c for c in schema.RESOURCE_COLUMNS if c not in self.role_pos
                  and not (c in ("lon", "lat") and ("pair" in self.role_pos or self.got.is_layer))
                  and c not in self.source["defaults"] and c not in self.source["derived"]
                  and not (c == "source_crs")]
        self.source["absent"] = absent
        return pd.DataFrame({c: self.out[c] for c in schema.RESOURCE_COLUMNS}, dtype=object)

    # -- checks of the raw rows --------------------------------------------------------------

    def _surplus_cells(self) -> None:
        widths, width = self.got.widths, len(self.header)
        if widths is None or self.got.raw_rows is None:
            return
        for i in np.flatnonzero(widths > width):
            surplus = [c for c in self.got.raw_rows[i][width:] if not is_empty(c)]
            if surplus:
                self.add(i, None, code="too_many_cells",
                         params={"n_cells": width + len(surplus), "n_header": width},
                         fix_code="quote_or_decimal_point")

    # -- coordinates -------------------------------------------------------------------------

    def _coordinates(self) -> None:
        got = self.got
        if got.is_layer:
            lon, lat = got.lon.copy(), got.lat.copy()
            for row, kind in got.geometry_problems:
                self.report.add(row, "geometry", code="not_a_point", params={"geometry": kind})
            names = {"lon": "geometry", "lat": "geometry"}
            crs_default = got.point_crs or self.default_crs
        elif "pair" in self.role_pos:
            lon, lat, issues = parse_pairs(self.raw("pair"))
            self._issues(issues, self.name_of("pair"), None)
            names = {"lon": self.name_of("pair"), "lat": self.name_of("pair")}
            crs_default = header_crs(self.name_of("pair")) or self.default_crs
        else:
            lon, issues = parse_coordinates(self.raw("lon"), "lon")
            self._issues(issues, self.name_of("lon"), "lon")
            lat, issues = parse_coordinates(self.raw("lat"), "lat")
            self._issues(issues, self.name_of("lat"), "lat")
            names = {"lon": self.name_of("lon"), "lat": self.name_of("lat")}
            crs_default = (header_crs(self.name_of("lon")) or header_crs(self.name_of("lat"))
                           or self.default_crs)
        source = np.full(self.n, crs_default, dtype=object)
        if "source_crs" in self.role_pos and not (got.is_layer and got.point_crs):
            texts = _texts(self.raw("source_crs"))
            known = {t: canonical_crs(t) for t in set(texts.tolist()) if t}
            for i, t in enumerate(texts):
                if t:
                    source[i] = known[t] or t  # unknown labels go on: validation names them
        elif "source_crs" in self.role_pos:
            self.source["defaults"]["source_crs"] = crs_default
        finite = np.isfinite(lon) & np.isfinite(lat)
        lon_text = np.array([repr(float(v)) if np.isfinite(v) else "" for v in lon], dtype=object)
        lat_text = np.array([repr(float(v)) if np.isfinite(v) else "" for v in lat], dtype=object)
        # The spec's own range checks (swapped, outside China), on the rows read so far.
        lonlat = [c for c in schema.RESOURCE_SPEC if c.name in ("lon", "lat")]
        found = Report()
        check_spec(pd.DataFrame({"lon": lon_text[finite], "lat": lat_text[finite]}),
                   tuple(lonlat), found, self.rows[finite])
        for problem in found.problems:
            column = names.get(problem.column or "", problem.column)
            self.report.problems.append(dataclasses.replace(problem, column=column))
        self.out["lon"], self.out["lat"], self.out["source_crs"] = lon_text, lat_text, source
        self.lon, self.lat, self.crs = lon, lat, source
        self.coordinate_names = names

    def _issues(self, issues: dict[int, list[Any]], column: str, role: str | None) -> None:
        fixes = {"two_numbers": "split_pair", "not_a_pair": "write_pair",
                 "order_ambiguous": "write_pair_labels", "bad_dms": "check_dms"}
        for pos, found in issues.items():
            for issue in found:
                params = dict(issue.params)
                if role is not None:
                    params.setdefault("role", role)
                self.add(pos, column, issue.code, params, severity=issue.severity,
                         fix_code=fixes.get(issue.code))

    # -- ordinary columns --------------------------------------------------------------------

    def _column(self, col: schema.Column) -> np.ndarray:
        if col.name not in self.role_pos:
            return np.full(self.n, "", dtype=object)
        values = self.raw(col.name)
        if col.type == "date":
            return _mapped(values, _date_text)
        if col.type == "int":
            return _mapped(values, _whole_text)  # its size is validation's (number_too_large)
        texts = _texts(values)
        if col.name in _VALUE_TABLES:
            texts = _coded(texts, _VALUE_TABLES[col.name])
        return texts

    def _defaults(self) -> None:
        defaults = self.source["defaults"]
        if "kind" not in self.role_pos and self.default_kind is not None:
            self.out["kind"] = np.full(self.n, self.default_kind, dtype=object)
            defaults["kind"] = self.default_kind
            self.report.add(None, "kind", code="column_defaulted",
                            params={"column": "kind", "value": self.default_kind},
                            severity="warning")
        if "status" not in self.role_pos:
            self.out["status"] = np.full(self.n, "active", dtype=object)
            defaults["status"] = "active"
            self.report.add(None, "status", code="column_defaulted",
                            params={"column": "status", "value": "active"}, severity="warning")

    # -- city and district -------------------------------------------------------------------

    def _place(self) -> None:
        has_city, has_district = "city" in self.role_pos, "district" in self.role_pos
        city = (_coded(_texts(self.raw("city")), _CITIES) if has_city
                else np.full(self.n, "", dtype=object))
        district = (_texts(self.raw("district")) if has_district
                    else np.full(self.n, "", dtype=object))
        derived: list[str] = []
        if self.boundaries is not None and has_district:
            district, from_name = self._district_names(district)
            if not has_city and self.city is None:
                city = from_name
                derived.append("city")
        if self.city is not None:
            city = np.where(city == "", self.city, city).astype(object)
            if not has_city:
                self.source["defaults"]["city"] = self.city
        need = (city == "") | (district == "")
        if self.boundaries is not None and need.any() and not (has_city and has_district):
            found_city, found_district = self._locate()
            located = found_district != ""
            bad = self.report.bad_rows
            for i in np.flatnonzero(need & ~located):
                if int(self.rows[i]) in bad or not (np.isfinite(self.lon_w[i])
                                                    and np.isfinite(self.lat_w[i])):
                    continue  # no point to look up (its problem is reported already)
                self.add(i, self.coordinate_names["lon"], code="outside_city",
                         params={"lon": float(self.lon_w[i]), "lat": float(self.lat_w[i]),
                                 "cities": self._cities(),
                                 "n_districts": len(self.boundaries)},
                         fix_code="check_coords_crs")
            if not has_city and self.city is None:
                city = np.where(city == "", found_city, city).astype(object)
                if "city" not in derived:
                    derived.append("city")
            if not has_district:
                district = np.where(district == "", found_district, district).astype(object)
                derived.append("district")
        if derived:
            self.source["derived"] = derived
            self.report.add(None, ", ".join(derived), code="columns_derived",
                            params={"derived": ", ".join(derived)}, severity="warning")
        self.out["city"], self.out["district"] = city, district

    def _cities(self) -> list[str]:
        return [str(c).strip().lower() for c in pd.unique(self.boundaries["city"].dropna())]

    def _district_names(self, district: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """District names as the boundaries spell them ("梁溪", "Liangxi" -> "梁溪区")."""
        lookup: dict[str, tuple[str, str] | None] = {}
        english = "district_en" in self.boundaries.columns
        for _, row in self.boundaries.iterrows():
            name, city = str(row["district"]), str(row["city"])
            keys = {_value_key(name), _value_key(re.sub(r"(区|县|市)$", "", name))}
            if english and isinstance(row["district_en"], str):
                keys |= {_value_key(row["district_en"]),
                         _value_key(row["district_en"] + " district")}
            for key in keys:
                lookup[key] = None if key in lookup and lookup[key] != (city, name) else (
                    city, name)  # a key two districts share matches neither
        def match(text: str | None) -> tuple[str, str | None]:
            hit = lookup.get(_value_key(text)) if text else None
            return hit if hit is not None else ("", text or "")

        found = _mapped(district, match)  # once per distinct name
        cities = np.asarray([c for c, _ in found], dtype=object)
        out = np.asarray([d for _, d in found], dtype=object)
        return out, cities

    def _locate(self) -> tuple[np.ndarray, np.ndarray]:
        """The city and district each point lies in ("" outside all), in WGS84."""
        lon_w, lat_w = np.full(self.n, np.nan), np.full(self.n, np.nan)
        read = np.isfinite(self.lon) & np.isfinite(self.lat)
        crs = pd.Series(self.crs, dtype=object)
        for name in pd.unique(crs[read]):
            if name not in schema.SOURCE_CRS:
                continue  # an unknown CRS: validation reports it
            at = np.flatnonzero(read & (crs == name).to_numpy())
            lon_w[at], lat_w[at] = to_wgs84((self.lon[at], self.lat[at]), name)
        self.lon_w, self.lat_w = lon_w, lat_w
        bounds = self.boundaries
        if bounds.crs is not None and bounds.crs.to_epsg() != 4326:
            bounds = bounds.to_crs("EPSG:4326")
        city = np.full(self.n, "", dtype=object)
        district = np.full(self.n, "", dtype=object)
        todo = np.isfinite(lon_w) & np.isfinite(lat_w)
        for polygon, c, d in zip(bounds.geometry.to_numpy(), bounds["city"], bounds["district"],
                                 strict=True):
            if polygon is None or polygon.is_empty or not todo.any():
                continue
            shapely.prepare(polygon)
            where = np.flatnonzero(todo)
            hit = where[shapely.intersects_xy(polygon, lon_w[where], lat_w[where])]
            city[hit], district[hit] = str(c), str(d)
            todo[hit] = False
        return city, district
