"""Column schema of the resource, boundary and population tables: one spec drives every use.

A table is described once, as a tuple of :class:`Column` (name, type, whether it is required,
allowed values, unit, which resource kinds it applies to, its label key in the UI catalogue).
Validation (:mod:`geo.validate`), the problems table, exports and the SQL table all read the
same spec; the older tuples of names (``RESOURCE_COLUMNS``, ``DATE_COLUMNS``, ...) are derived
from it so they can never disagree with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CITIES: dict[str, dict[str, str]] = {
    "wuxi": {"zh": "无锡市", "en": "Wuxi", "adcode": "320200"},
    "zhenjiang": {"zh": "镇江市", "en": "Zhenjiang", "adcode": "321100"},
}

#: Core resource kinds every city has, then optional layers.
CORE_KINDS: tuple[str, ...] = ("aed", "relief_store", "first_aid_station", "rescue_team")
OPTIONAL_KINDS: tuple[str, ...] = ("community_hub", "training_base")
KINDS: tuple[str, ...] = CORE_KINDS + OPTIONAL_KINDS

STATUSES: tuple[str, ...] = ("active", "maintenance", "inactive")
SOURCE_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09", "cgcs2000")
#: Coordinate systems a person types or uploads lon/lat in (GPS, Amap/Tencent, Baidu).
LONLAT_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

AED_VENUES: tuple[str, ...] = (
    "metro", "rail", "airport", "hospital", "mall", "school", "stadium", "park",
    "scenic", "gov_service", "bus_stop", "community", "office", "hotel",
)
TEAM_SPECIALTIES: tuple[str, ...] = ("water_rescue", "mountain", "medical", "search_rescue")
PLACEMENTS: tuple[str, ...] = ("indoor", "outdoor")

#: Relief items held by stores: column suffix -> (Chinese, English, unit).
RELIEF_ITEMS: dict[str, tuple[str, str, str]] = {
    "family_kit": ("家庭包", "family kit", "个"),
    "tent": ("帐篷", "tent", "顶"),
    "quilt": ("棉被", "quilt", "床"),
    "life_jacket": ("救生衣", "life jacket", "件"),
    "water_case": ("饮用水", "drinking water", "箱"),
}
STOCK_COLUMNS: tuple[str, ...] = tuple(f"stock_{item}" for item in RELIEF_ITEMS)
#: Unit of each stock column (a count of the item).
_STOCK_UNITS: dict[str, str] = {
    "family_kit": "kits", "tent": "tents", "quilt": "quilts", "life_jacket": "life jackets",
    "water_case": "cases",
}

#: Column types a spec may use, and what a cell of each holds.
TYPES: dict[str, str] = {
    "text": "free text (stripped)",
    "enum": "one of the column's allowed values (case-insensitive, stored lower-case)",
    "float": "a finite decimal number",
    "int": "a whole number >= 0 (or >= the column's minimum)",
    "date": "an ISO date, YYYY-MM-DD",
    "hours": "opening hours in the grammar of geo.hours",
    "lon": "longitude in degrees (in the row's source_crs; WGS84 once validated)",
    "lat": "latitude in degrees (in the row's source_crs; WGS84 once validated)",
}

#: pandas dtype of each column type after validation (see :func:`pandas_dtypes`).
_DTYPES: dict[str, str] = {
    "text": "string", "enum": "string", "hours": "string", "float": "float64",
    "lon": "float64", "lat": "float64", "int": "Int64", "date": "datetime64[us]",
}
NUMERIC_TYPES: frozenset[str] = frozenset({"float", "int", "lon", "lat"})


@dataclass(frozen=True)
class Column:
    """One column of a table: what it holds, whether it must be filled, what values it allows.

    Parameters
    ----------
    name : str
        Column name as in the file header and the frame.
    type : str
        One of :data:`TYPES`: ``"text"``, ``"enum"``, ``"float"``, ``"int"``, ``"date"``,
        ``"hours"``, ``"lon"``, ``"lat"``.
    required : bool
        The cell must not be empty in rows the column applies to (see ``kinds``).
    allowed : tuple of str, optional
        For ``"enum"``: the allowed values (lower-case; cells are compared case-insensitively).
    unit : str, optional
        Unit of a number (``"m³"``, ``"people"``, ``"boats"``, ``"°"``, ...).
    kinds : tuple of str, optional
        Resource kinds the column belongs to; None means every kind (a common column). A value
        in a row of another kind is still checked against the type.
    label_key : str, optional
        Key of the column's label in the UI catalogue (``ui.i18n.STRINGS``).
    unique : bool
        No two rows may hold the same (non-empty) value (problem ``duplicate_id``).
    default : str, optional
        Value an empty cell takes after validation (``source_crs`` defaults to ``"wgs84"``).
    minimum : float, optional
        Smallest allowed value of a number (inclusive). ``"int"`` columns are >= 0 regardless.
    bad_code : str
        Problem code for an enum value that is not allowed (``not_one_of`` unless the column
        has a more precise message, such as ``unknown_venue``).
    """

    name: str
    type: str
    required: bool = False
    allowed: tuple[str, ...] | None = None
    unit: str | None = None
    kinds: tuple[str, ...] | None = None
    label_key: str | None = None
    unique: bool = False
    default: str | None = None
    minimum: float | None = None
    bad_code: str = "not_one_of"

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            msg = f"column {self.name!r}: type must be one of {', '.join(TYPES)}, got {self.type!r}"
            raise ValueError(msg)
        if (self.type == "enum") != (self.allowed is not None):
            msg = f"column {self.name!r}: allowed values go with type 'enum' (and only with it)"
            raise ValueError(msg)

    @property
    def dtype(self) -> str:
        """The pandas dtype of the column after validation (required ints are ``int64``)."""
        if self.type == "int" and self.required and self.kinds is None:
            return "int64"
        return _DTYPES[self.type]

    def applies_to(self, kind: str) -> bool:
        """True when the column belongs to rows of resource ``kind``."""
        return self.kinds is None or kind in self.kinds


_AED = ("aed",)
_STORE = ("relief_store",)
_STATION = ("first_aid_station",)
_TEAM = ("rescue_team",)

#: The resource table, in CSV column order: common columns, then each kind's own columns.
RESOURCE_SPEC: tuple[Column, ...] = (
    Column("id", "text", required=True, unique=True, label_key="f_id"),
    Column("kind", "enum", required=True, allowed=KINDS),
    Column("name", "text", required=True),
    Column("name_en", "text"),
    Column("city", "enum", required=True, allowed=tuple(CITIES)),
    Column("district", "text", required=True, label_key="f_district"),
    Column("address", "text", label_key="f_address"),
    Column("lon", "lon", required=True, unit="°"),
    Column("lat", "lat", required=True, unit="°"),
    Column("source_crs", "enum", allowed=SOURCE_CRS, default="wgs84",
       label_key="f_source_crs"),
    Column("status", "enum", required=True, allowed=STATUSES, label_key="f_status"),
    Column("hours", "hours", label_key="f_hours"),
    Column("updated_at", "date", label_key="f_updated_at"),
    # aed
    Column("venue_type", "enum", allowed=AED_VENUES, kinds=_AED, bad_code="unknown_venue",
       label_key="f_venue_type"),
    Column("placement", "enum", allowed=PLACEMENTS, kinds=_AED, bad_code="bad_placement",
       label_key="f_placement"),
    Column("installed_date", "date", kinds=_AED, label_key="f_installed_date"),
    Column("pads_expiry", "date", kinds=_AED, label_key="f_pads_expiry"),
    Column("battery_expiry", "date", kinds=_AED, label_key="f_battery_expiry"),
    Column("last_check", "date", kinds=_AED, label_key="f_last_check"),
    Column("guardian", "text", kinds=_AED, label_key="f_guardian"),
    Column("guardian_phone", "text", kinds=_AED, label_key="f_guardian_phone"),
    # relief_store
    Column("capacity_m3", "int", unit="m³", kinds=_STORE, label_key="f_capacity_m3"),
    *(Column(f"stock_{item}", "int", unit=_STOCK_UNITS[item], kinds=_STORE,
         label_key=f"stock_{item}") for item in RELIEF_ITEMS),
    # first_aid_station
    Column("serves", "text", kinds=_STATION, label_key="f_serves"),
    Column("staff", "int", unit="people", kinds=_STATION, label_key="f_staff"),
    # rescue_team
    Column("specialty", "enum", required=True, allowed=TEAM_SPECIALTIES, kinds=_TEAM,
       label_key="f_specialty"),
    Column("members", "int", unit="people", kinds=_TEAM, label_key="f_members"),
    Column("boats", "int", unit="boats", kinds=_TEAM, label_key="f_boats"),
    Column("vehicles", "int", unit="vehicles", kinds=_TEAM, label_key="f_vehicles"),
    # training_base
    Column("trainees_per_year", "int", unit="people/year", kinds=("training_base",),
       label_key="f_trainees_per_year"),
)

#: The population grid (``data/population.parquet``, 100 m cells): one row per square cell,
#: its centre in WGS84; ``cell_m`` is the side of the square in metres (EPSG:4549).
POPULATION_SPEC: tuple[Column, ...] = (
    Column("cell_id", "text", required=True, unique=True),
    Column("city", "enum", required=True, allowed=tuple(CITIES)),
    Column("district", "text", required=True, label_key="f_district"),
    Column("lon", "lon", required=True, unit="°"),
    Column("lat", "lat", required=True, unit="°"),
    Column("cell_m", "int", required=True, unit="m", minimum=1),
    Column("pop", "int", required=True, unit="people"),
)


def column_names(spec: Iterable[Column], type_: str | None = None) -> tuple[str, ...]:
    """Names of the spec's columns (of one ``type_`` if given), in spec order."""
    return tuple(c.name for c in spec if type_ is None or c.type == type_)


def spec_by_name(spec: Iterable[Column]) -> dict[str, Column]:
    """The spec as a mapping name -> Column."""
    return {c.name: c for c in spec}


def pandas_dtypes(spec: Iterable[Column]) -> dict[str, str]:
    """The pandas dtype of every column after validation, for exports and the SQL table.

    Parameters
    ----------
    spec : iterable of Column
        E.g. :data:`RESOURCE_SPEC`.

    Returns
    -------
    dict
        Column name -> dtype string: ``"string"`` for text, enum and hours, ``"float64"`` for
        numbers and coordinates, ``"Int64"`` for whole numbers (``"int64"`` when every row must
        have one), ``"datetime64[us]"`` for dates.
    """
    return {c.name: c.dtype for c in spec}


#: Columns every resource row has (CSV order). ``lon``/``lat`` are WGS84 degrees.
COMMON_COLUMNS: tuple[str, ...] = tuple(c.name for c in RESOURCE_SPEC if c.kinds is None)

#: Kind-specific columns; empty for rows of other kinds.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    kind: tuple(c.name for c in RESOURCE_SPEC if c.kinds is not None and kind in c.kinds)
    for kind in KINDS
}

RESOURCE_COLUMNS: tuple[str, ...] = column_names(RESOURCE_SPEC)
DATE_COLUMNS: tuple[str, ...] = column_names(RESOURCE_SPEC, "date")
INT_COLUMNS: tuple[str, ...] = column_names(RESOURCE_SPEC, "int")

BOUNDARY_COLUMNS: tuple[str, ...] = ("city", "district", "district_en", "adcode")
POPULATION_COLUMNS: tuple[str, ...] = column_names(POPULATION_SPEC)

#: Street and town seats (``data/towns.csv``): the places coverage counts as "towns" (towns by
#: rescue team or relief store) and the kernels the demo population grid is spread from.
TOWN_SPEC: tuple[Column, ...] = (
    Column("name", "text", required=True),
    Column("city", "enum", required=True, allowed=tuple(CITIES)),
    Column("district", "text", required=True, label_key="f_district"),
    Column("lon", "lon", required=True, unit="°"),
    Column("lat", "lat", required=True, unit="°"),
    Column("weight", "float", required=True, unit="relative size (~10k residents)",
                  minimum=0),
    Column("sigma_km", "float", required=True, unit="km", minimum=0),
)
#: Scenic areas (``data/scenic_areas.csv``): where visitors gather; one row per area.
SCENIC_AREA_SPEC: tuple[Column, ...] = (
    Column("name", "text", required=True, unique=True),
    Column("name_en", "text"),
    Column("city", "enum", required=True, allowed=tuple(CITIES)),
    Column("district", "text", required=True, label_key="f_district"),
    Column("lon", "lon", required=True, unit="°"),
    Column("lat", "lat", required=True, unit="°"),
    Column("source", "text"),
)
