"""Row-level validation: gather every problem in a table at once, then decide (osmnx-style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.crs import to_wgs84
from geo.errors import ValidationError


@dataclass(frozen=True)
class Problem:
    """One problem in an input table.

    ``row`` is the row number a person sees in the file (the header is row 1, so the first data
    row is row 2), or None for a whole-file problem. ``column`` names the field, if any.
    ``fix`` is an optional suggested correction shown to the user (e.g. "swap lon and lat").

    ``message`` and ``fix`` are English. ``code`` (e.g. "not_a_number") and ``params`` (the
    values the message names: cell value, limits, column names, ...) let the user interface
    rebuild the message in its own language; ``fix_code`` (e.g. "swap_lonlat") does the same
    for ``fix`` (its text takes the same ``params``). All three are optional.
    """

    row: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error": the row is dropped; "warning": kept, but reported
    fix: str | None = None
    code: str | None = None
    params: dict[str, Any] | None = field(default=None, hash=False)
    fix_code: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class Report:
    """Every problem found in one table, plus how many rows were read and kept."""

    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str, *,
            severity: str = "error", fix: str | None = None, code: str | None = None,
            params: dict[str, Any] | None = None, fix_code: str | None = None) -> None:
        """Record a problem (``code``, ``params`` and ``fix_code`` as in :class:`Problem`)."""
        self.problems.append(Problem(row, column, message, severity, fix, code,
                                     dict(params) if params else params, fix_code))

    @property
    def errors(self) -> list[Problem]:
        """Problems that drop a row (or the whole file when ``row`` is None)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that keep the row."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def bad_rows(self) -> set[int]:
        """File row numbers that have at least one error."""
        return {p.row for p in self.errors if p.row is not None}

    @property
    def fatal(self) -> bool:
        """True when a whole-file error means no row can be used."""
        return any(p.row is None for p in self.errors)

    @property
    def n_ok(self) -> int:
        """Rows kept."""
        return 0 if self.fatal else self.n_rows - len(self.bad_rows)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table.

        Columns: row, column, severity, message, fix (English text), then code, fix_code and
        params (a dict per problem, or None) for showing the message in another language.
        """
        return pd.DataFrame(
            [(p.row, p.column, p.severity, p.message, p.fix, p.code, p.fix_code, p.params)
             for p in self.problems],
            columns=["row", "column", "severity", "message", "fix", "code", "fix_code", "params"],
        )

    def summary(self, limit: int = 20) -> str:
        """A readable multi-line summary naming rows and columns."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def raise_if_errors(self, what: str) -> None:
        """Raise one ValidationError listing every error, if there is any."""
        if self.errors:
            msg = f"{what}: {len(self.errors)} problem(s)\n" + Report(
                self.n_rows, self.errors).summary()
            raise ValidationError(msg)


# --- the resource table -------------------------------------------------------------------

_ROLE_WORDS = {"lon": "longitude", "lat": "latitude"}


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


def validate_resources(
    table: pd.DataFrame, boundaries: gpd.GeoDataFrame | None = None
) -> tuple[gpd.GeoDataFrame, Report]:
    """Check a resource table (CSV columns of geo.schema) and return its good rows plus a Report.

    Every problem in every row is reported at once (the row number as in the file: header is
    row 1). Rows with an error are dropped; the rest are typed (dates, integers), converted from
    their ``source_crs`` to WGS84 and returned as a point GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    table : DataFrame
        Raw rows, all columns as read (strings are fine).
    boundaries : GeoDataFrame, optional
        District polygons (WGS84). When given, each row's district must exist in its city and
        a point outside its district is a warning (kept).
    """
    report = Report(n_rows=len(table))
    missing = [c for c in schema.COMMON_COLUMNS if c not in table.columns]
    if missing:
        params = {"missing": ", ".join(missing), "found": ", ".join(map(str, table.columns))}
        report.add(None, None, "missing column(s): {missing}; found: {found}".format(**params),
                   code="missing_columns", params=params)
        return _empty_resources(), report
    df = table.copy()
    for col in schema.RESOURCE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    df = df.reset_index(drop=True)
    rows = df.index.to_numpy() + 2
    text = {c: df[c].astype("string").str.strip() for c in df.columns}

    def cell(column: str, i: int) -> str:
        value = text[column][i]
        return "" if pd.isna(value) else str(value)

    def flag(mask: pd.Series, column: str, code: str, template: str, params_for=None, *,
             fix: str | None = None, fix_code: str | None = None) -> None:
        # template: the English message, str.format-ed with the problem's params
        for i in np.flatnonzero(mask.fillna(False).to_numpy()):
            params = params_for(i) if params_for is not None else {}
            report.add(int(rows[i]), column, template.format(**params), code=code,
                       params=params, fix=fix, fix_code=fix_code)

    def value_of(column: str):
        return lambda i: {"value": cell(column, i)}

    for col in ("id", "kind", "name", "city", "district", "status"):
        flag(_blank(df[col]), col, "empty_value", "is empty")
    dup = text["id"].duplicated(keep=False) & ~_blank(df["id"])
    flag(dup, "id", "duplicate_id", "id {id!r} is used by more than one row",
         lambda i: {"id": cell("id", i)})
    for col, allowed in (("kind", schema.KINDS), ("city", tuple(schema.CITIES)),
                         ("status", schema.STATUSES), ("source_crs", schema.SOURCE_CRS)):
        bad = ~_blank(df[col]) & ~text[col].str.lower().isin(allowed)
        flag(bad, col, "not_one_of", "{value!r} is not one of {allowed}",
             lambda i, c=col, a=allowed: {"value": cell(c, i), "allowed": ", ".join(a)})
    lon = pd.to_numeric(text["lon"], errors="coerce")
    lat = pd.to_numeric(text["lat"], errors="coerce")
    for col, number in (("lon", lon), ("lat", lat)):
        flag(_blank(df[col]), col, "empty_cell", "empty cell: a number is required")
        flag(~_blank(df[col]) & number.isna(), col, "not_a_number", "'{value}' is not a number",
             value_of(col))
    swapped = lon.between(3, 54) & lat.between(73, 136)
    flag(swapped, "lon", "swapped_lonlat",
         "lon and lat look swapped (lat is in China's longitudes)",
         lambda i: {"lon": float(lon[i]), "lat": float(lat[i])},
         fix="swap lon and lat", fix_code="swap_lonlat")
    for col, number, lo, hi in (("lon", lon, 73, 136), ("lat", lat, 3, 54)):
        flag(~swapped & number.notna() & ~number.between(lo, hi), col, "outside_china_range",
             "{value} is outside China's {role_word}s ({lo}..{hi})",
             lambda i, c=col, n=number, a=lo, b=hi: {
                 "role": c, "role_word": _ROLE_WORDS[c], "value": float(n[i]), "lo": a, "hi": b})
    hours = text["hours"].fillna("")
    bad_hours = (hours != "") & ~hours.str.fullmatch(schema.HOURS_PATTERN).fillna(False)
    flag(bad_hours, "hours", "bad_hours", "{value!r} is not '24h' or 'HH:MM-HH:MM'",
         value_of("hours"))
    dates = {}
    for col in schema.DATE_COLUMNS:
        dates[col] = pd.to_datetime(text[col], errors="coerce", format="ISO8601")
        flag(~_blank(df[col]) & dates[col].isna(), col, "not_a_date",
             "{value!r} is not a date (YYYY-MM-DD)", value_of(col))
    ints = {}
    for col in schema.INT_COLUMNS:
        num = pd.to_numeric(text[col], errors="coerce")
        ints[col] = num
        bad = ~_blank(df[col]) & (num.isna() | (num < 0) | (num % 1 != 0))
        flag(bad, col, "not_whole_number", "{value!r} is not a whole number >= 0", value_of(col))
    kind = text["kind"].str.lower()
    is_aed = kind == "aed"
    flag(is_aed & ~_blank(df["venue_type"]) & ~text["venue_type"].isin(schema.AED_VENUES),
         "venue_type", "unknown_venue", "{value!r} is not a known venue type",
         value_of("venue_type"))
    flag(is_aed & ~_blank(df["placement"]) & ~text["placement"].isin(schema.PLACEMENTS),
         "placement", "bad_placement", "{value!r} is not indoor or outdoor",
         value_of("placement"))
    is_team = kind == "rescue_team"
    flag(is_team & ~text["specialty"].isin(schema.TEAM_SPECIALTIES), "specialty", "not_one_of",
         "{value!r} is not one of {allowed}",
         lambda i: {"value": cell("specialty", i),
                    "allowed": ", ".join(schema.TEAM_SPECIALTIES)})
    if boundaries is not None:
        known = set(zip(boundaries["city"], boundaries["district"], strict=True))
        pairs = pd.Series(list(zip(text["city"].str.lower(), text["district"], strict=True)))
        bad = ~_blank(df["district"]) & ~pairs.isin(known)
        flag(bad, "district", "unknown_district", "{district!r} is not a district of {city!r}",
             lambda i: {"district": cell("district", i), "city": cell("city", i)})

    keep = ~pd.Series(rows).isin(report.bad_rows).to_numpy()
    out = df.loc[keep].copy()
    for col in schema.RESOURCE_COLUMNS:
        if col in dates:
            out[col] = dates[col][keep]
        elif col in ints:
            out[col] = ints[col][keep].astype("Int64")
        elif col not in ("lon", "lat"):
            out[col] = text[col][keep].astype("string")
    for col in ("kind", "city", "status", "source_crs"):
        out[col] = out[col].str.lower()
    out["source_crs"] = out["source_crs"].fillna("wgs84")
    out["row"] = rows[keep]
    wlon, wlat = lon[keep].to_numpy(), lat[keep].to_numpy()
    for src in out["source_crs"].unique():
        sel = (out["source_crs"] == src).to_numpy()
        wlon[sel], wlat[sel] = to_wgs84((wlon[sel], wlat[sel]), src)
    out["lon"], out["lat"] = wlon, wlat
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(wlon, wlat), crs="EPSG:4326")
    gdf = gdf[[*list(schema.RESOURCE_COLUMNS), "row", "geometry"]].reset_index(drop=True)
    if boundaries is not None and len(gdf):
        _warn_outside_district(gdf, boundaries, report)
    return gdf, report


def _warn_outside_district(gdf: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                           report: Report) -> None:
    joined = gpd.sjoin(gdf[["city", "district", "row", "geometry"]],
                       boundaries[["city", "district", "geometry"]], how="left",
                       predicate="within", lsuffix="own", rsuffix="area")
    joined = joined[~joined.index.duplicated()]
    off = joined["district_area"].isna() | (joined["district_area"] != joined["district_own"])
    for _, r in joined[off].iterrows():
        district = str(r["district_own"])
        if isinstance(r["district_area"], str):
            params = {"area": r["district_area"], "district": district}
            report.add(int(r["row"]), "lon", "the point lies in {area}, not in {district}".format(
                **params), severity="warning", code="outside_district", params=params)
        else:
            params = {"district": district}
            report.add(int(r["row"]), "lon", f"the point lies in no district, not in {district}",
                       severity="warning", code="outside_all_districts", params=params)


def _empty_resources() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="string") for c in schema.RESOURCE_COLUMNS}
    cols["row"] = pd.Series(dtype="int64")
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
