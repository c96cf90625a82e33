"""Build and validate data/resources.csv (Red Cross resources of Wuxi and Zhenjiang) from places.

The places are read from ``data/places_<city>.csv`` (see :func:`load_places`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.crs import SOUTH_JIANGSU_METRIC_EPSG  # noqa: E402
from geo.hours import bad_hours  # noqa: E402
from geo.schema import (  # noqa: E402
    AED_VENUES,
    KINDS,
    PLACEMENTS,
    RELIEF_ITEMS,
    RESOURCE_COLUMNS,
    SOURCE_CRS,
    STATUSES,
    STOCK_COLUMNS,
    TEAM_SPECIALTIES,
)

DEFAULT_OUT = ROOT / "data" / "resources.csv"
DEFAULT_BOUNDARIES = ROOT / "data" / "boundaries.geojson"
DEFAULT_WATER = ROOT / "data" / "water.geojson"

#: city key -> (places CSV, id prefix, placeholder phone area code, RNG seed).
CITIES: dict[str, tuple[Path, str, str, int]] = {
    "wuxi": (ROOT / "data" / "places_wuxi.csv", "WX", "0510", 20260510),
    "zhenjiang": (ROOT / "data" / "places_zhenjiang.csv", "ZJ", "0511", 20260511),
}

#: Places CSV columns read as int and as float; every other column is text. Empty cells are absent.
PLACE_INT_COLUMNS: frozenset[str] = frozenset(
    {"n_aed", "staff", "members", "boats", "vehicles", "capacity_m3", "trainees_per_year"}
    | set(STOCK_COLUMNS)
)
PLACE_FLOAT_COLUMNS: frozenset[str] = frozenset({"lon", "lat"})

#: AED opening hours by venue type (the venue's, since the cabinet is reachable when it is open).
AED_HOURS: dict[str, str] = {
    "airport": "24h",
    "hospital": "24h",
    "bus_stop": "24h",
    "rail": "24h",
    "metro": "06:00-23:00",
    "mall": "10:00-22:00",
    "school": "07:00-19:00",
    "park": "05:30-21:30",
    "scenic": "07:30-17:30",
    "gov_service": "08:30-17:30",
    "stadium": "08:00-21:00",
    "office": "08:00-20:00",
    "hotel": "24h",
    "community": "24h",
}
STORE_HOURS = "24h"
TEAM_HOURS = "24h"
HUB_HOURS = "08:30-17:30"
TRAINING_HOURS = "08:30-17:30"

#: Reference date for "already expired" shares.
AS_OF = dt.date(2026, 11, 1)
INSTALL_START, INSTALL_END = dt.date(2019, 1, 1), dt.date(2024, 12, 31)
PADS_MONTHS = 30
PADS_START, PADS_END = dt.date(2025, 6, 1), dt.date(2028, 12, 31)
BATTERY_START, BATTERY_END = dt.date(2027, 1, 1), dt.date(2030, 12, 31)
BATTERY_EXPIRED_START = dt.date(2026, 1, 1)
CHECK_START, CHECK_END = dt.date(2026, 5, 1), dt.date(2026, 10, 31)
UPDATED_START, UPDATED_END = dt.date(2026, 6, 1), dt.date(2026, 10, 31)
SHARE_PADS_EXPIRED = 0.06
SHARE_BATTERY_EXPIRED = 0.02
SHARE_MAINTENANCE = 0.04
SHARE_INACTIVE = 0.01

#: Extra AEDs at a venue sit this far (metres) from its point.
JITTER_MIN_M, JITTER_MAX_M = 20.0, 120.0
JITTER_TRIES = 200

KIND_CODES: dict[str, tuple[str, int]] = {
    "aed": ("AED", 4),
    "relief_store": ("REL", 2),
    "first_aid_station": ("FAS", 2),
    "rescue_team": ("RT", 2),
    "community_hub": ("HUB", 3),
    "training_base": ("TB", 2),
}


class BuildError(RuntimeError):
    """Raised when the resource table fails validation; nothing is written."""


@dataclass
class Places:
    """The places of one city, one list of dicts per resource kind, in file order.

    AED entries are venues (``n_aed`` devices each); relief stores carry ``stock`` as a dict keyed
    by relief item. ``source_crs`` is the coordinate system of every ``lon``/``lat``.
    """

    source_crs: str
    aed_sites: list[dict[str, Any]] = field(default_factory=list)
    relief_stores: list[dict[str, Any]] = field(default_factory=list)
    first_aid_stations: list[dict[str, Any]] = field(default_factory=list)
    rescue_teams: list[dict[str, Any]] = field(default_factory=list)
    community_hubs: list[dict[str, Any]] = field(default_factory=list)
    training_bases: list[dict[str, Any]] = field(default_factory=list)


#: Resource kind -> the `Places` list holding its entries.
PLACE_LISTS: dict[str, str] = {
    "aed": "aed_sites",
    "relief_store": "relief_stores",
    "first_aid_station": "first_aid_stations",
    "rescue_team": "rescue_teams",
    "community_hub": "community_hubs",
    "training_base": "training_bases",
}


def _place_value(column: str, text: str) -> Any:
    """Convert one non-empty places CSV cell to its type (int, float or str)."""
    if column in PLACE_INT_COLUMNS:
        return int(text)
    if column in PLACE_FLOAT_COLUMNS:
        return float(text)
    return text


def load_places(path: Path) -> Places:
    """Read a places CSV (UTF-8, header row, one row per place with its ``kind``).

    Parameters
    ----------
    path : Path
        ``data/places_<city>.csv``.

    Returns
    -------
    Places
        The entries by kind. Empty cells are left out of an entry; ``stock_<item>`` cells are
        gathered into a ``stock`` dict.

    Raises
    ------
    ValueError
        On an unknown kind, a missing ``source_crs`` or more than one ``source_crs`` in the file.
    """
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in PLACE_LISTS.values()}
    crs: set[str] = set()
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            kind, row_crs = row.pop("kind"), row.pop("source_crs")
            if kind not in PLACE_LISTS:
                raise ValueError(f"{path}:{line_no}: unknown kind {kind!r}")
            if not row_crs:
                raise ValueError(f"{path}:{line_no}: empty source_crs")
            crs.add(row_crs)
            item = {col: _place_value(col, text) for col, text in row.items() if text != ""}
            stock = {
                name: item.pop(f"stock_{name}") for name in RELIEF_ITEMS if f"stock_{name}" in item
            }
            if stock:
                item["stock"] = stock
            lists[PLACE_LISTS[kind]].append(item)
    if len(crs) != 1:
        raise ValueError(f"{path}: expected one source_crs, found {sorted(crs)}")
    return Places(source_crs=crs.pop(), **lists)


def _rand_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """Return a uniform random date in ``[start, end]``."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` shifted by ``months`` calendar months (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    for dom in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def _pick(
    rng: np.random.Generator, n: int, share: float, exclude: set[int] | None = None
) -> set[int]:
    """Pick ``round(share * n)`` distinct indices of ``range(n)`` not in ``exclude``."""
    pool = np.array([i for i in range(n) if not exclude or i not in exclude], dtype=int)
    k = min(len(pool), round(share * n))
    return {int(i) for i in rng.choice(pool, size=k, replace=False)} if k else set()


def _fmt(value: Any) -> str:
    """Format one cell: empty for None, 6 decimals for floats, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Geography:
    """District polygons and optional water polygons with point tests."""

    def __init__(self, boundaries_path: Path, water_path: Path | None) -> None:
        bounds = gpd.read_file(boundaries_path).to_crs(4326)
        self.districts: dict[tuple[str, str], Any] = {
            (row.city, row.district): row.geometry for row in bounds.itertuples()
        }
        for geom in self.districts.values():
            shapely.prepare(geom)
        self.water = None
        if water_path is not None and Path(water_path).exists():
            water = gpd.read_file(water_path).to_crs(4326)
            self.water = shapely.union_all(water.geometry.values)
            shapely.prepare(self.water)

    def problem(self, city: str, district: str, lon: float, lat: float) -> str | None:
        """Return why the point is misplaced, or None when it is fine."""
        geom = self.districts.get((city, district))
        if geom is None:
            return f"unknown district {city}/{district}"
        point = shapely.Point(lon, lat)
        if not geom.contains(point):
            return f"outside {district}"
        if self.water is not None and self.water.contains(point):
            return "inside water"
        return None


def _load_places(city: str) -> Places:
    """Read the places CSV of ``city``."""
    return load_places(CITIES[city][0])


def _aed_rows(
    city: str,
    places: Places,
    rng: np.random.Generator,
    geo: _Geography,
    to_m: Transformer,
    to_deg: Transformer,
) -> list[dict[str, Any]]:
    """Expand the AED venues of one city into one row per device."""
    area = CITIES[city][2]
    rows: list[dict[str, Any]] = []
    for venue_no, site in enumerate(places.aed_sites, start=1):
        x0, y0 = to_m.transform(site["lon"], site["lat"])
        for k in range(1, int(site["n_aed"]) + 1):
            lon, lat = float(site["lon"]), float(site["lat"])
            if k > 1:
                for _ in range(JITTER_TRIES):
                    dist = rng.uniform(JITTER_MIN_M, JITTER_MAX_M)
                    ang = rng.uniform(0.0, 2.0 * np.pi)
                    cand = to_deg.transform(x0 + dist * np.cos(ang), y0 + dist * np.sin(ang))
                    clon, clat = round(float(cand[0]), 6), round(float(cand[1]), 6)
                    if geo.problem(city, site["district"], clon, clat) is None:
                        lon, lat = clon, clat
                        break
                # else: no valid spot nearby (the venue point itself is misplaced); keep the venue
                # point so that validation reports the venue's problem.
            if k == 1:
                name, name_en = f"{site['name']}AED", f"{site['name_en']} AED"
            else:
                name, name_en = f"{site['name']} {k}号AED", f"{site['name_en']} AED {k}"
            rows.append(
                {
                    "kind": "aed",
                    "name": name,
                    "name_en": name_en,
                    "city": city,
                    "district": site["district"],
                    "address": site["address"],
                    "lon": lon,
                    "lat": lat,
                    "source_crs": places.source_crs,
                    "hours": AED_HOURS[site["venue_type"]],
                    "venue_type": site["venue_type"],
                    "placement": site["placement"],
                    "guardian": f"{site['name']}值班室",
                    "guardian_phone": f"{area}-0000-{venue_no:04d}",
                }
            )
    n = len(rows)
    maintenance = _pick(rng, n, SHARE_MAINTENANCE)
    inactive = _pick(rng, n, SHARE_INACTIVE, exclude=maintenance)
    pads_expired = _pick(rng, n, SHARE_PADS_EXPIRED)
    battery_expired = _pick(rng, n, SHARE_BATTERY_EXPIRED)
    for i, row in enumerate(rows):
        installed = _rand_date(rng, INSTALL_START, INSTALL_END)
        first_pads = _add_months(installed, PADS_MONTHS)
        if i in pads_expired:
            pads = _rand_date(rng, PADS_START, AS_OF - dt.timedelta(days=1))
        elif first_pads >= AS_OF:
            pads = first_pads
        else:
            pads = _rand_date(rng, AS_OF, PADS_END)
        if i in battery_expired:
            battery = _rand_date(rng, BATTERY_EXPIRED_START, AS_OF - dt.timedelta(days=1))
        else:
            battery = _rand_date(rng, BATTERY_START, BATTERY_END)
        check = _rand_date(rng, CHECK_START, CHECK_END)
        status = "maintenance" if i in maintenance else "inactive" if i in inactive else "active"
        row.update(
            {
                "status": status,
                "installed_date": installed,
                "pads_expiry": pads,
                "battery_expiry": battery,
                "last_check": check,
                "updated_at": check,
            }
        )
    return rows


def _other_rows(city: str, places: Places, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Rows of the non-AED kinds of one city, in kind order."""
    rows: list[dict[str, Any]] = []

    def base(kind: str, item: dict[str, Any], hours: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "name": item["name"],
            "name_en": item["name_en"],
            "city": city,
            "district": item["district"],
            "address": item["address"],
            "lon": float(item["lon"]),
            "lat": float(item["lat"]),
            "source_crs": places.source_crs,
            "status": "active",
            "hours": hours,
            "updated_at": _rand_date(rng, UPDATED_START, UPDATED_END),
        }

    for store in places.relief_stores:
        row = base("relief_store", store, STORE_HOURS)
        row["capacity_m3"] = int(store["capacity_m3"])
        for item in RELIEF_ITEMS:
            row[f"stock_{item}"] = int(store["stock"][item])
        rows.append(row)
    for station in places.first_aid_stations:
        row = base("first_aid_station", station, station["hours"])
        row.update({"serves": station["serves"], "staff": int(station["staff"])})
        rows.append(row)
    for team in places.rescue_teams:
        row = base("rescue_team", team, TEAM_HOURS)
        row.update({key: team[key] for key in ("specialty", "members", "boats", "vehicles")})
        rows.append(row)
    for hub in places.community_hubs:
        rows.append(base("community_hub", hub, HUB_HOURS))
    for tb in places.training_bases:
        row = base("training_base", tb, TRAINING_HOURS)
        row["trainees_per_year"] = int(tb["trainees_per_year"])
        rows.append(row)
    return rows


def build_rows(
    boundaries_path: Path = DEFAULT_BOUNDARIES,
    water_path: Path | None = DEFAULT_WATER,
    places: dict[str, Places] | None = None,
) -> list[dict[str, Any]]:
    """Return every resource row (dicts keyed by schema column), ids assigned, not yet validated.

    Parameters
    ----------
    boundaries_path : Path
        District polygons (WGS84 GeoJSON with ``city`` and ``district``).
    water_path : Path or None
        Water polygons; used only if the file exists (jittered AEDs avoid water).
    places : dict of str to Places, optional
        Places by city key; defaults to reading ``data/places_<city>.csv`` (`load_places`).

    Returns
    -------
    list of dict
        One row per resource, in city then kind order.
    """
    geo = _Geography(Path(boundaries_path), Path(water_path) if water_path else None)
    to_m = Transformer.from_crs(4326, SOUTH_JIANGSU_METRIC_EPSG, always_xy=True)
    to_deg = Transformer.from_crs(SOUTH_JIANGSU_METRIC_EPSG, 4326, always_xy=True)
    rows: list[dict[str, Any]] = []
    for city, (_, prefix, _, seed) in CITIES.items():
        city_places = places[city] if places else _load_places(city)
        rng = np.random.default_rng(seed)
        city_rows = _aed_rows(city, city_places, rng, geo, to_m, to_deg) + _other_rows(
            city, city_places, rng
        )
        counters: Counter[str] = Counter()
        for row in city_rows:
            code, width = KIND_CODES[row["kind"]]
            counters[row["kind"]] += 1
            row["id"] = f"{prefix}-{code}-{counters[row['kind']]:0{width}d}"
        rows.extend(city_rows)
    return rows


def validate(
    rows: list[dict[str, Any]],
    boundaries_path: Path = DEFAULT_BOUNDARIES,
    water_path: Path | None = DEFAULT_WATER,
) -> list[str]:
    """Return the list of problems in ``rows`` (empty when the table is valid).

    Parameters
    ----------
    rows : list of dict
        Rows from :func:`build_rows`.
    boundaries_path : Path
        District polygons.
    water_path : Path or None
        Water polygons, checked when the file exists.

    Returns
    -------
    list of str
        One message per problem.
    """
    geo = _Geography(Path(boundaries_path), Path(water_path) if water_path else None)
    problems: list[str] = []
    ids = Counter(row["id"] for row in rows)
    problems += [f"duplicate id {key}" for key, n in ids.items() if n > 1]
    hours_bad = dict(zip((r["id"] for r in rows), bad_hours([r["hours"] for r in rows]),
                         strict=True))
    for row in rows:
        rid = row["id"]
        where = geo.problem(row["city"], row["district"], row["lon"], row["lat"])
        if where:
            problems.append(f"{rid} {row['name']}: {where}")
        if row["kind"] not in KINDS:
            problems.append(f"{rid}: unknown kind {row['kind']}")
        if row["status"] not in STATUSES:
            problems.append(f"{rid}: bad status {row['status']}")
        if row["source_crs"] not in SOURCE_CRS:
            problems.append(f"{rid}: bad source_crs {row['source_crs']}")
        if hours_bad[rid]:
            problems.append(f"{rid}: bad hours {row['hours']}")
        if not str(row["updated_at"]).startswith("2026-"):
            problems.append(f"{rid}: updated_at not in 2026")
        if row["kind"] == "aed":
            if row["venue_type"] not in AED_VENUES:
                problems.append(f"{rid}: bad venue_type {row['venue_type']}")
            if row["placement"] not in PLACEMENTS:
                problems.append(f"{rid}: bad placement {row['placement']}")
            installed = row["installed_date"]
            if not (installed < row["pads_expiry"] and installed < row["battery_expiry"]):
                problems.append(f"{rid}: consumables expire before installation")
        if row["kind"] == "rescue_team" and row["specialty"] not in TEAM_SPECIALTIES:
            problems.append(f"{rid}: bad specialty {row['specialty']}")
    return problems


def write_csv(rows: list[dict[str, Any]], out_path: Path) -> None:
    """Write ``rows`` atomically as UTF-8 CSV with the schema header (temp file then replace)."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".resources-", suffix=".csv", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(RESOURCE_COLUMNS)
            for row in rows:
                writer.writerow([_fmt(row.get(col)) for col in RESOURCE_COLUMNS])
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(
    out_path: Path = DEFAULT_OUT,
    boundaries_path: Path = DEFAULT_BOUNDARIES,
    water_path: Path | None = DEFAULT_WATER,
    places: dict[str, Places] | None = None,
) -> list[dict[str, Any]]:
    """Build, validate and write the resource CSV; on problems raise `BuildError`, write nothing.

    Parameters
    ----------
    out_path : Path
        Destination CSV.
    boundaries_path : Path
        District polygons.
    water_path : Path or None
        Water polygons (checked when the file exists).
    places : dict of str to Places, optional
        Places by city key (defaults to reading ``data/places_<city>.csv``).

    Returns
    -------
    list of dict
        The rows written.
    """
    rows = build_rows(boundaries_path, water_path, places)
    problems = validate(rows, boundaries_path, water_path)
    if problems:
        raise BuildError("resource table invalid:\n  " + "\n  ".join(problems))
    write_csv(rows, out_path)
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    """Return counts per city and kind, then per city and district, as text."""
    lines = []
    by_kind = Counter((row["city"], row["kind"]) for row in rows)
    for city in CITIES:
        parts = ", ".join(f"{kind} {by_kind[(city, kind)]}" for kind in KINDS)
        lines.append(f"{city}: {parts}")
    by_district = Counter((row["city"], row["district"]) for row in rows)
    for (city, district), n in sorted(by_district.items()):
        lines.append(f"  {city} {district}: {n}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build data/resources.csv and print counts; non-zero on problems."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--boundaries", type=Path, default=DEFAULT_BOUNDARIES)
    parser.add_argument("--water", type=Path, default=DEFAULT_WATER)
    args = parser.parse_args(argv)
    if not args.water.exists():
        print(f"note: {args.water} not found; water check skipped", file=sys.stderr)
    try:
        rows = build(args.out, args.boundaries, args.water)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(summary(rows))
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
