"""Row-level validation: gather every problem in a table at once, then decide (osmnx-style)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import schema
from geo.crs import to_wgs84
from geo.errors import ValidationError
from geo.hours import bad_hours


@dataclass(frozen=True)
class Problem:
    """One problem in an input table, as a code with parameters (the UI words it).

    ``row`` is the row number a person sees in the file (the header is row 1, so the first data
    row is row 2), or None for a whole-file problem. ``column`` names the field, if any.
    ``code`` (e.g. ``"not_a_number"``) and ``params`` (the values the message names: cell value,
    limits, column names, ...) are rendered in Chinese or English by ``ui.i18n.problem_text``;
    ``fix_code`` (e.g. ``"swap_lonlat"``) names a suggested correction, worded with the same
    params by ``ui.i18n.fix_text``. The engine itself holds no user-facing prose.
    """

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    severity: str = "error"  # "error": the row is dropped; "warning": kept, but reported
    fix_code: str | None = None

    def __str__(self) -> str:
        """Developer text: where, the code and its params (users see the catalogue's words)."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        detail = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        text = f"{self.code}({detail})" if detail else self.code
        prefix = ", ".join(where)
        return f"{prefix}: {text}" if prefix else text


@dataclass
class Report:
    """Every problem found in one table, plus how many rows were read and kept.

    Attributes
    ----------
    n_rows : int
        Rows read (data rows, without the header).
    problems : list of Problem
        Every problem, errors and warnings, in row order once a validator has finished.
    source : dict
        Set by file readers: what they chose (e.g. ``sheet``, ``header_row``, ``mapping``).
    rows : numpy.ndarray of int, optional
        Set by the validators: the file row number (header = row 1) of each row of the frame
        they return, in order, so ``rows[i]`` is the row a person sees for frame row ``i``. The
        returned frame itself holds no row numbers (they are not part of the data).
    """

    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: What a file reader chose (sheet, header row, column mapping ...), for the page to show.
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def add(self, row: int | None, column: str | None, code: str,
            params: dict[str, Any] | None = None, *, severity: str = "error",
            fix_code: str | None = None) -> None:
        """Record a problem (see :class:`Problem`)."""
        self.problems.append(Problem(row, column, code, dict(params or {}), severity, fix_code))

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
        """The problems as a table: row, column, severity, code, fix_code, params."""
        return pd.DataFrame(
            [(p.row, p.column, p.severity, p.code, p.fix_code, p.params)
             for p in self.problems],
            columns=["row", "column", "severity", "code", "fix_code", "params"],
        )

    def summary(self, limit: int = 20) -> str:
        """A developer summary naming rows, columns and codes (users see ``ui.i18n``)."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def raise_if_errors(self, what: str) -> None:
        """Raise one ValidationError listing every error, if there is any."""
        if self.errors:
            msg = f"{what}: {len(self.errors)} problem(s)\n" + Report(
                self.n_rows, self.errors).summary()
            raise ValidationError(msg, code="table_has_errors",
                                  params={"what": what, "n": len(self.errors)})


# --- checks driven by a column spec -----------------------------------------------------

#: Longitudes and latitudes a point in China (in any of its coordinate systems) can have.
CHINA_LON_RANGE: tuple[float, float] = (73, 136)
CHINA_LAT_RANGE: tuple[float, float] = (3, 54)
#: A whole number ("int" column) at or above this is refused (``number_too_large``): far
#: beyond any real count, below the 2**53 up to which a float64 holds whole numbers exactly,
#: and far below the ~9.2e18 where an int64 overflows.
MAX_WHOLE_NUMBER = 10**15
#: Resource date columns that cannot be earlier than ``installed_date`` of the same row
#: (``expiry_before_install``): an AED's pads and battery.
EXPIRY_COLUMNS: tuple[str, ...] = ("pads_expiry", "battery_expiry")


def _as_text(table: pd.DataFrame, name: str) -> pd.Series:
    """The column as stripped text (NA where missing or empty); all NA if the column is absent."""
    if name not in table.columns:
        return pd.Series(pd.NA, index=table.index, dtype="string")
    text = table[name].astype("string").str.strip()
    return text.mask(text == "")


def _number(text: pd.Series) -> pd.Series:
    """Parse text as float64 (NaN where empty or not a number; inf stays inf)."""
    return pd.to_numeric(text, errors="coerce").astype("float64")


class _Flagger:
    """Adds problems for the rows of a mask, with the file row numbers and cell text."""

    def __init__(self, report: Report, rows: np.ndarray, text: dict[str, pd.Series]) -> None:
        self.report = report
        self.rows = rows
        self.text = text

    def cell(self, column: str, i: int) -> str:
        value = self.text[column].iloc[i]
        return "" if pd.isna(value) else str(value)

    def __call__(self, mask: pd.Series | np.ndarray, column: str, code: str,
                 params_for: Any = None, fix_code: str | None = None) -> None:
        values = mask.fillna(False).to_numpy(dtype=bool) if isinstance(mask, pd.Series) else mask
        for i in np.flatnonzero(values):
            params = params_for(i) if params_for is not None else {}
            self.report.add(int(self.rows[i]), column, code, params, fix_code=fix_code)

    def value_of(self, column: str) -> Any:
        return lambda i: {"value": self.cell(column, i)}


def _check_column(col: schema.Column, text: pd.Series, applies: pd.Series,
                  flag: _Flagger) -> pd.Series:
    """Report every problem of one column and return its typed values (NA where bad)."""
    name = col.name
    blank = text.isna()
    present = ~blank
    value = flag.value_of(name)
    if col.required:
        code = "empty_cell" if col.type in schema.NUMERIC_TYPES else "empty_value"
        flag(applies & blank, name, code=code)
    if col.unique:
        dup = text.duplicated(keep=False) & present
        flag(dup, name, code="duplicate_id", params_for=lambda i: {"id": flag.cell(name, i)})
    if col.type == "enum":
        lower = text.str.lower()
        allowed = col.allowed or ()
        flag(present & ~lower.isin(allowed), name, code=col.bad_code,
             params_for=lambda i: {"value": flag.cell(name, i), "allowed": ", ".join(allowed)})
        return lower.fillna(col.default) if col.default is not None else lower
    if col.type == "hours":
        bad = present.to_numpy() & bad_hours(text.to_numpy(dtype=object, na_value=None))
        flag(bad, name, code="bad_hours", params_for=value)
        return text
    if col.type == "date":
        dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
        flag(present & dates.isna(), name, code="not_a_date", params_for=value)
        return dates.astype(col.dtype)
    if col.type in schema.NUMERIC_TYPES:
        number = _number(text)
        if col.type == "int":
            huge = _too_large(number, text) & present
            flag(huge, name, code="number_too_large",
                 params_for=lambda i: {"value": flag.cell(name, i),
                                       "limit": f"{MAX_WHOLE_NUMBER:.0e}"})
            whole = np.isfinite(number) & (number >= 0) & (number % 1 == 0)
            bad = present & ~whole & ~huge
            flag(bad, name, code="not_whole_number", params_for=value)
            bad = bad | huge
        else:
            bad = present & number.isna()
            flag(bad, name, code="not_a_number", params_for=value)
            if col.type == "float":
                infinite = present & number.notna() & ~np.isfinite(number)
                flag(infinite, name, code="not_finite",
                     params_for=lambda i: {"value": float(number.iloc[i])})
                bad = bad | infinite
        if col.minimum is not None:
            low = present & ~bad & (number < col.minimum)
            flag(low, name, code="below_minimum",
                 params_for=lambda i: {"value": flag.cell(name, i), "minimum": col.minimum})
            bad = bad | low
        number = number.mask(bad)
        return number.astype("Int64") if col.type == "int" else number
    return text


def _too_large(number: pd.Series, text: pd.Series) -> pd.Series:
    """Whole-number cells at or above :data:`MAX_WHOLE_NUMBER` (vectorised).

    ``number`` is the parsed value (float64, NaN where not a number), ``text`` the cell as
    read. A cell whose number overflows a float64 ("1e400" is inf) is too large when it is
    written with digits; "inf" itself is not a number at all (``not_whole_number``), nor is
    anything negative.
    """
    huge = (number >= MAX_WHOLE_NUMBER).fillna(False)
    overflow = huge & np.isinf(number)
    if overflow.any():
        digits = text[overflow].astype("string").str.contains(r"\d", regex=True)
        huge[overflow] = digits.fillna(False).to_numpy(dtype=bool)
    return huge


def _check_lonlat(lon: pd.Series, lat: pd.Series, lon_name: str, lat_name: str,
                  flag: _Flagger) -> pd.Series:
    """Flag swapped and out-of-China coordinates; return the rows that have such a problem."""
    lon_lo, lon_hi = CHINA_LON_RANGE
    lat_lo, lat_hi = CHINA_LAT_RANGE
    swapped = lon.between(lat_lo, lat_hi) & lat.between(lon_lo, lon_hi)
    flag(swapped, lon_name, "swapped_lonlat",
         lambda i: {"lon": float(lon.iloc[i]), "lat": float(lat.iloc[i])}, fix_code="swap_lonlat")
    bad = swapped.copy()
    for name, role, number, lo, hi in ((lon_name, "lon", lon, lon_lo, lon_hi),
                                       (lat_name, "lat", lat, lat_lo, lat_hi)):
        outside = ~swapped & number.notna() & ~number.between(lo, hi)
        flag(outside, name, "outside_china_range",
             lambda i, r=role, n=number, a=lo, b=hi: {
                 "role": r, "value": float(n.iloc[i]), "lo": a, "hi": b})
        bad = bad | outside
    return bad


def check_spec(table: pd.DataFrame, spec: tuple[schema.Column, ...], report: Report,
               rows: np.ndarray | None = None) -> dict[str, pd.Series]:
    """Check every cell of ``table`` against a column spec; return each column's typed values.

    Every problem goes to ``report`` at once (row numbers as in the file). A column's rules:
    ``required`` cells must be filled in rows of the column's ``kinds`` (``empty_value``, or
    ``empty_cell`` for numbers); ``unique`` values must not repeat (``duplicate_id``); a filled
    cell must be of the column's type in every row (``not_one_of`` or the column's
    ``bad_code``, ``bad_hours``, ``not_a_date``, ``not_whole_number``, ``not_a_number``,
    ``not_finite``, ``below_minimum``); a whole number must be below
    :data:`MAX_WHOLE_NUMBER` (``number_too_large``); ``lon``/``lat`` pairs must lie in
    China's ranges in either order (``swapped_lonlat``, ``outside_china_range``).

    Parameters
    ----------
    table : DataFrame
        Raw rows, all columns as read (strings are fine); index is ignored. Absent columns are
        read as empty.
    spec : tuple of Column
        E.g. :data:`geo.schema.RESOURCE_SPEC`.
    report : Report
        Where the problems go.
    rows : numpy.ndarray of int, optional
        File row number of each table row (default: position + 2, i.e. after one header row).

    Returns
    -------
    dict
        Column name -> Series of typed values, one per table row, in spec order; a bad cell is
        NA (NaN/NaT), so whole numbers are ``Int64`` here (:func:`good_rows` casts the kept rows
        to :func:`geo.schema.pandas_dtypes`). Enum values are lower-case.
    """
    table = table.reset_index(drop=True)
    rows = np.arange(len(table)) + 2 if rows is None else np.asarray(rows)
    text = {c.name: _as_text(table, c.name) for c in spec}
    flag = _Flagger(report, rows, text)
    row_kind = text["kind"].str.lower() if "kind" in text else None
    everywhere = pd.Series(True, index=table.index)
    typed: dict[str, pd.Series] = {}
    for col in spec:
        applies = (everywhere if col.kinds is None or row_kind is None
                   else row_kind.isin(col.kinds).fillna(False))
        typed[col.name] = _check_column(col, text[col.name], applies, flag)
    lon_cols = schema.column_names(spec, "lon")
    lat_cols = schema.column_names(spec, "lat")
    for lon_name, lat_name in zip(lon_cols, lat_cols, strict=True):
        bad = _check_lonlat(typed[lon_name], typed[lat_name], lon_name, lat_name, flag)
        typed[lon_name] = typed[lon_name].mask(bad)
        typed[lat_name] = typed[lat_name].mask(bad)
    return typed


def good_rows(typed: dict[str, pd.Series], keep: np.ndarray,
              spec: tuple[schema.Column, ...]) -> pd.DataFrame:
    """The rows ``keep`` of :func:`check_spec`'s values as a frame with the spec's dtypes."""
    dtypes = schema.pandas_dtypes(spec)
    return pd.DataFrame({name: values[keep].astype(dtypes[name]).reset_index(drop=True)
                         for name, values in typed.items()})


def _sort(report: Report) -> None:
    """Put problems in row order (whole-file problems first); a row keeps its check order."""
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)


def _missing(table: pd.DataFrame, needed: tuple[str, ...], report: Report) -> bool:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        params = {"missing": ", ".join(missing), "found": ", ".join(map(str, table.columns))}
        report.add(None, None, "missing_columns", params)
    return bool(missing)


def _empty(spec: tuple[schema.Column, ...], geometry: str = "Point") -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype=d) for c, d in schema.pandas_dtypes(spec).items()}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


# --- the resource table -------------------------------------------------------------------

def validate_resources(
    table: pd.DataFrame, boundaries: gpd.GeoDataFrame | None = None
) -> tuple[gpd.GeoDataFrame, Report]:
    """Check a resource table (:data:`geo.schema.RESOURCE_SPEC`); return its good rows and a Report.

    Every problem in every row is reported at once (the row number as in the file: header is
    row 1), in row order: those of :func:`check_spec` (``number_too_large`` among them),
    ``expiry_before_install`` when a date of :data:`EXPIRY_COLUMNS` is earlier than the row's
    ``installed_date``, and with ``boundaries`` ``unknown_district``. Rows with an error are
    dropped; the rest are typed (see :func:`geo.schema.pandas_dtypes`), converted from their
    ``source_crs`` to WGS84 and returned as a point GeoDataFrame in EPSG:4326 with exactly the
    spec's columns plus geometry. The frame holds no file row numbers: ``report.rows[i]`` is
    the file row of frame row ``i``.

    Parameters
    ----------
    table : DataFrame
        Raw rows, all columns as read (strings are fine). Every common column
        (:data:`geo.schema.COMMON_COLUMNS`) must be present; absent kind columns are empty.
    boundaries : GeoDataFrame, optional
        District polygons (WGS84). When given, each row's district must exist in its city and
        a point outside its district is a warning (kept).

    Returns
    -------
    resources : GeoDataFrame
        The good rows, WGS84 points.
    report : Report
        Every problem, and ``rows``.
    """
    spec = schema.RESOURCE_SPEC
    report = Report(n_rows=len(table))
    if _missing(table, schema.COMMON_COLUMNS, report):
        report.rows = np.zeros(0, dtype="int64")
        return _empty(spec), report
    table = table.reset_index(drop=True)
    rows = np.arange(len(table), dtype="int64") + 2
    typed = check_spec(table, spec, report, rows)
    _check_expiry(table, typed, report, rows)
    if boundaries is not None:
        flag = _Flagger(report, rows, {"district": _as_text(table, "district"),
                                       "city": _as_text(table, "city")})
        known = set(zip(boundaries["city"], boundaries["district"], strict=True))
        pairs = pd.Series(list(zip(typed["city"], typed["district"], strict=True)))
        bad = typed["district"].notna() & ~pairs.isin(known)
        flag(bad, "district", "unknown_district",
             lambda i: {"district": flag.cell("district", i), "city": flag.cell("city", i)})

    keep = ~np.isin(rows, list(report.bad_rows))
    out = good_rows(typed, keep, spec)
    lon, lat = out["lon"].to_numpy(copy=True), out["lat"].to_numpy(copy=True)
    for src in out["source_crs"].unique():
        sel = (out["source_crs"] == src).to_numpy()
        lon[sel], lat[sel] = to_wgs84((lon[sel], lat[sel]), src)
    out["lon"], out["lat"] = lon, lat
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    report.rows = rows[keep]
    if boundaries is not None and len(gdf):
        _warn_outside_district(gdf, boundaries, report)
    _sort(report)
    return gdf, report


def _check_expiry(table: pd.DataFrame, typed: dict[str, pd.Series], report: Report,
                  rows: np.ndarray) -> None:
    """Flag expiry dates earlier than the row's installation date (``expiry_before_install``).

    Compares :func:`check_spec`'s typed dates (NaT where empty or not a date, so those rows
    are not compared); ``params`` hold both cells as written.
    """
    installed = typed["installed_date"]
    names = ("installed_date", *EXPIRY_COLUMNS)
    flag = _Flagger(report, rows, {name: _as_text(table, name) for name in names})
    for name in EXPIRY_COLUMNS:
        early = (typed[name] < installed).fillna(False)
        flag(early, name, code="expiry_before_install",
             params_for=lambda i, n=name: {"value": flag.cell(n, i),
                                           "installed": flag.cell("installed_date", i)})


def _warn_outside_district(gdf: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                           report: Report) -> None:
    points = gdf[["city", "district", "geometry"]].assign(_row=report.rows)
    joined = gpd.sjoin(points, boundaries[["city", "district", "geometry"]], how="left",
                       predicate="within", lsuffix="own", rsuffix="area")
    joined = joined[~joined.index.duplicated()]
    off = joined["district_area"].isna() | (joined["district_area"] != joined["district_own"])
    for _, r in joined[off].iterrows():
        district = str(r["district_own"])
        if isinstance(r["district_area"], str):
            params = {"area": r["district_area"], "district": district}
            report.add(int(r["_row"]), "lon", "outside_district", params, severity="warning")
        else:
            params = {"district": district}
            report.add(int(r["_row"]), "lon", "outside_all_districts", params, severity="warning")


# --- the population grid ------------------------------------------------------------------

def _population_values(table: pd.DataFrame) -> dict[str, pd.Series]:
    """Each spec column as :func:`_check_column` reads it: numbers stay numbers (no text).

    A column that is already numeric (e.g. read from Parquet) is checked as it is; anything
    else (text from a CSV or an upload) as stripped text, as :func:`check_spec` does.
    """
    values: dict[str, pd.Series] = {}
    for col in schema.POPULATION_SPEC:
        column = table[col.name]
        numeric = (pd.api.types.is_numeric_dtype(column)
                   and not pd.api.types.is_bool_dtype(column))
        values[col.name] = (column if col.type in schema.NUMERIC_TYPES and numeric
                            else _as_text(table, col.name))
    return values


def _check_population(table: pd.DataFrame, report: Report, rows: np.ndarray,
                      boundaries: gpd.GeoDataFrame | None) -> dict[str, pd.Series]:
    """:func:`check_spec` for the grid, vectorised for typed columns, plus known districts."""
    spec = schema.POPULATION_SPEC
    values = _population_values(table)
    flag = _Flagger(report, rows, values)
    everywhere = pd.Series(True, index=table.index)
    typed: dict[str, pd.Series] = {}
    for col in spec:
        if not col.unique:
            typed[col.name] = _check_column(col, values[col.name], everywhere, flag)
            continue
        # Same checks and codes, but the (costly) duplicate test only when ids are not sorted.
        typed[col.name] = _check_column(replace(col, unique=False), values[col.name],
                                        everywhere, flag)
        flag(_duplicated(values[col.name]), col.name, code="duplicate_id",
             params_for=lambda i, n=col.name: {"id": flag.cell(n, i)})
    bad = _check_lonlat(typed["lon"], typed["lat"], "lon", "lat", flag)
    typed["lon"], typed["lat"] = typed["lon"].mask(bad), typed["lat"].mask(bad)
    if boundaries is not None:
        flag(unknown_districts(typed["city"], typed["district"], boundaries), "district",
             "unknown_district",
             lambda i: {"district": flag.cell("district", i), "city": flag.cell("city", i)})
    return typed


def _duplicated(text: pd.Series) -> np.ndarray:
    """Rows whose (non-empty) value occurs more than once; strictly sorted values skip the hash."""
    present = text.notna().to_numpy(dtype=bool)
    values = text[present]
    try:
        arrow = pa.array(values.array)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        ascending = len(arrow) < 2 or bool(pc.all(pc.greater(arrow[1:], arrow[:-1])).as_py())
    except (pa.ArrowException, TypeError):
        ascending = False
    if ascending:
        return np.zeros(len(text), dtype=bool)
    return (text.duplicated(keep=False) & text.notna()).to_numpy(dtype=bool)


def unknown_districts(city: pd.Series, district: pd.Series,
                      boundaries: gpd.GeoDataFrame) -> np.ndarray:
    """Rows whose (known) city has no district of that name in ``boundaries`` (vectorised).

    Parameters
    ----------
    city, district : Series
        One value per row (text; NA where missing). A row with a missing district or a city
        that is not in :data:`geo.schema.CITIES` is not flagged here (other checks name it).
    boundaries : GeoDataFrame
        District polygons with ``city`` and ``district`` columns.

    Returns
    -------
    numpy.ndarray of bool
        True where the district is unknown in its city.
    """
    city = pd.Series(city).reset_index(drop=True)
    district = pd.Series(district).reset_index(drop=True)
    unknown = (district.notna() & city.isin(tuple(schema.CITIES))).fillna(False)
    for name, districts in boundaries.groupby("city")["district"]:
        known = (city == name).fillna(False) & district.isin(set(districts)).fillna(False)
        unknown &= ~known
    return unknown.to_numpy(dtype=bool)


def validate_population(table: pd.DataFrame, boundaries: gpd.GeoDataFrame | None = None
                        ) -> tuple[gpd.GeoDataFrame, Report]:
    """Check a population grid (:data:`geo.schema.POPULATION_SPEC`); return its cells and a Report.

    Every problem in every row is reported at once, as for resources (codes such as
    ``empty_cell`` for a missing ``lon``, ``lat`` or ``pop``, ``not_a_number``,
    ``not_whole_number`` for a negative or fractional ``pop``, ``below_minimum`` for ``cell_m``
    < 1, ``duplicate_id`` for a repeated ``cell_id``, ``unknown_district`` when ``boundaries``
    are given). Rows are numbered as in a spreadsheet view of the table (header = row 1, so the
    first cell is row 2), whether it came from CSV, Parquet or memory. Typed columns (from
    Parquet) are checked as numbers, without going through text; text columns are parsed.
    Each good row becomes a point at its cell centre (WGS84); :func:`geo.datasets.cell_squares`
    draws the squares when they are needed.

    Parameters
    ----------
    table : DataFrame
        Rows with the columns of :data:`geo.schema.POPULATION_COLUMNS`, typed or text; other
        columns, and a geometry column, are ignored.
    boundaries : GeoDataFrame, optional
        District polygons with ``city`` and ``district``: each cell's district must be one of
        its city's.

    Returns
    -------
    cells : GeoDataFrame
        The good rows: the spec's columns (spec dtypes) plus Point geometry, EPSG:4326.
    report : Report
        Every problem, and ``rows`` (table row of each cell, numbered as above).
    """
    spec = schema.POPULATION_SPEC
    report = Report(n_rows=len(table))
    if _missing(table, schema.POPULATION_COLUMNS, report):
        report.rows = np.zeros(0, dtype="int64")
        return _empty(spec), report
    table = pd.DataFrame(table[list(schema.POPULATION_COLUMNS)]).reset_index(drop=True)
    rows = np.arange(len(table), dtype="int64") + 2
    typed = _check_population(table, report, rows, boundaries)
    bad_rows = report.bad_rows
    keep = (np.ones(len(table), dtype=bool) if not bad_rows
            else ~np.isin(rows, np.fromiter(bad_rows, dtype="int64")))
    out = good_rows(typed, keep, spec)
    points = gpd.points_from_xy(out["lon"].to_numpy(), out["lat"].to_numpy(), crs="EPSG:4326")
    cells = gpd.GeoDataFrame(out, geometry=points, crs="EPSG:4326")
    report.rows = rows[keep]
    _sort(report)
    return cells, report
