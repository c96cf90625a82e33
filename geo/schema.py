"""Column schema of the resource, boundary and population tables, shared by loaders and checks."""

from __future__ import annotations

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

#: Relief items held by stores: column suffix -> (Chinese, English, unit).
RELIEF_ITEMS: dict[str, tuple[str, str, str]] = {
    "family_kit": ("家庭包", "family kit", "个"),
    "tent": ("帐篷", "tent", "顶"),
    "quilt": ("棉被", "quilt", "床"),
    "life_jacket": ("救生衣", "life jacket", "件"),
    "water_case": ("饮用水", "drinking water", "箱"),
}
STOCK_COLUMNS: tuple[str, ...] = tuple(f"stock_{item}" for item in RELIEF_ITEMS)

#: Columns every resource row has (CSV order). ``lon``/``lat`` are WGS84 degrees.
COMMON_COLUMNS: tuple[str, ...] = (
    "id", "kind", "name", "name_en", "city", "district", "address",
    "lon", "lat", "source_crs", "status", "hours", "updated_at",
)

#: Kind-specific columns; empty for rows of other kinds.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "aed": (
        "venue_type", "placement", "installed_date", "pads_expiry", "battery_expiry",
        "last_check", "guardian", "guardian_phone",
    ),
    "relief_store": ("capacity_m3", *STOCK_COLUMNS),
    "first_aid_station": ("serves", "staff"),
    "rescue_team": ("specialty", "members", "boats", "vehicles"),
    "community_hub": (),
    "training_base": ("trainees_per_year",),
}

RESOURCE_COLUMNS: tuple[str, ...] = COMMON_COLUMNS + tuple(
    dict.fromkeys(col for cols in KIND_COLUMNS.values() for col in cols)
)
DATE_COLUMNS: tuple[str, ...] = (
    "updated_at", "installed_date", "pads_expiry", "battery_expiry", "last_check",
)
INT_COLUMNS: tuple[str, ...] = (
    *STOCK_COLUMNS, "capacity_m3", "staff", "members", "boats", "vehicles", "trainees_per_year",
)

BOUNDARY_COLUMNS: tuple[str, ...] = ("city", "district", "district_en", "adcode")
POPULATION_COLUMNS: tuple[str, ...] = ("cell_id", "city", "district", "lon", "lat", "cell_m", "pop")

#: Opening hours: "24h" (or empty = always open) or one window "HH:MM-HH:MM" (may cross midnight).
HOURS_PATTERN = r"^(24h|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d)$"
PLACEMENTS: tuple[str, ...] = ("indoor", "outdoor")
