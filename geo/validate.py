"""Row-level validation: gather every problem in a table at once, then decide (osmnx-style)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """

    row: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error": the row is dropped; "warning": kept, but reported
    fix: str | None = None

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
            severity: str = "error", fix: str | None = None) -> None:
        """Record a problem."""
        self.problems.append(Problem(row, column, message, severity, fix))

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
        """The problems as a table (row, column, severity, message, fix)."""
        return pd.DataFrame(
            [(p.row, p.column, p.severity, p.message, p.fix) for p in self.problems],
            columns=["row", "column", "severity", "message", "fix"],
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
        report.add(None, None, f"missing column(s): {', '.join(missing)}; "
                   f"found: {', '.join(map(str, table.columns))}")
        return _empty_resources(), report
    df = table.copy()
    for col in schema.RESOURCE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    df = df.reset_index(drop=True)
    rows = df.index.to_numpy() + 2
    text = {c: df[c].astype("string").str.strip() for c in df.columns}

    def flag(mask: pd.Series, column: str, message_for) -> None:
        for i in np.flatnonzero(mask.fillna(False).to_numpy()):
            report.add(int(rows[i]), column, message_for(i))

    for col in ("id", "kind", "name", "city", "district", "status"):
        flag(_blank(df[col]), col, lambda i: "is empty")
    dup = text["id"].duplicated(keep=False) & ~_blank(df["id"])
    flag(dup, "id", lambda i: f"id {text['id'][i]!r} is used by more than one row")
    for col, allowed in (("kind", schema.KINDS), ("city", tuple(schema.CITIES)),
                         ("status", schema.STATUSES), ("source_crs", schema.SOURCE_CRS)):
        bad = ~_blank(df[col]) & ~text[col].str.lower().isin(allowed)
        flag(bad, col, lambda i, c=col, a=allowed: f"{text[c][i]!r} is not one of {', '.join(a)}")
    lon = pd.to_numeric(text["lon"], errors="coerce")
    lat = pd.to_numeric(text["lat"], errors="coerce")
    flag(lon.isna(), "lon", lambda i: f"{text['lon'][i]!r} is not a number")
    flag(lat.isna(), "lat", lambda i: f"{text['lat'][i]!r} is not a number")
    swapped = lon.between(3, 54) & lat.between(73, 136)
    flag(swapped, "lon", lambda i: "lon and lat look swapped (lat is in China's longitudes)")
    flag(~swapped & lon.notna() & ~lon.between(73, 136), "lon",
         lambda i: f"{lon[i]} is outside China's longitudes (73..136)")
    flag(~swapped & lat.notna() & ~lat.between(3, 54), "lat",
         lambda i: f"{lat[i]} is outside China's latitudes (3..54)")
    hours = text["hours"].fillna("")
    bad_hours = (hours != "") & ~hours.str.fullmatch(schema.HOURS_PATTERN).fillna(False)
    flag(bad_hours, "hours", lambda i: f"{hours[i]!r} is not '24h' or 'HH:MM-HH:MM'")
    dates = {}
    for col in schema.DATE_COLUMNS:
        dates[col] = pd.to_datetime(text[col], errors="coerce", format="ISO8601")
        flag(~_blank(df[col]) & dates[col].isna(), col,
             lambda i, c=col: f"{text[c][i]!r} is not a date (YYYY-MM-DD)")
    ints = {}
    for col in schema.INT_COLUMNS:
        num = pd.to_numeric(text[col], errors="coerce")
        ints[col] = num
        bad = ~_blank(df[col]) & (num.isna() | (num < 0) | (num % 1 != 0))
        flag(bad, col, lambda i, c=col: f"{text[c][i]!r} is not a whole number >= 0")
    kind = text["kind"].str.lower()
    is_aed = kind == "aed"
    flag(is_aed & ~_blank(df["venue_type"]) & ~text["venue_type"].isin(schema.AED_VENUES),
         "venue_type", lambda i: f"{text['venue_type'][i]!r} is not a known venue type")
    flag(is_aed & ~_blank(df["placement"]) & ~text["placement"].isin(schema.PLACEMENTS),
         "placement", lambda i: f"{text['placement'][i]!r} is not indoor or outdoor")
    is_team = kind == "rescue_team"
    flag(is_team & ~text["specialty"].isin(schema.TEAM_SPECIALTIES), "specialty",
         lambda i: f"{text['specialty'][i]!r} is not one of {', '.join(schema.TEAM_SPECIALTIES)}")
    if boundaries is not None:
        known = set(zip(boundaries["city"], boundaries["district"], strict=True))
        pairs = pd.Series(list(zip(text["city"].str.lower(), text["district"], strict=True)))
        bad = ~_blank(df["district"]) & ~pairs.isin(known)
        flag(bad, "district", lambda i: f"{text['district'][i]!r} is not a district of "
             f"{text['city'][i]!r}")

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
        where = r["district_area"] if isinstance(r["district_area"], str) else "no district"
        report.add(int(r["row"]), "lon", f"the point lies in {where}, not in {r['district_own']}",
                   severity="warning")


def _empty_resources() -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype="string") for c in schema.RESOURCE_COLUMNS}
    cols["row"] = pd.Series(dtype="int64")
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
