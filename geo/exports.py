"""Resource exports: the resource table (all of it or a filtered view) as CSV, XLSX, GeoJSON, GPKG.

:func:`resource_table` brings a resource frame, as :meth:`geo.store.Store.records` or
:attr:`geo.datasets.Dataset.resources` give it (or any subset of its rows), to one shape: every
column of :data:`geo.schema.RESOURCE_SPEC` in spec order and typed by the spec (text as
``string``, numbers as ``float64``, whole numbers as ``Int64``, dates as ``datetime.date``),
then the frame's own other columns (the store's ``version``, ``changed_at``, ``changed_by``,
...), and a WGS84 point geometry that agrees with ``lon``/``lat``.

The four writers hand that table to the one writer of each format in :mod:`geo.io`, so a
resource export and a batch download are written, and defused, by the same code:

========================  ==========  ======================================================
function                  format      what a reader gets
========================  ==========  ======================================================
:func:`resources_csv`     CSV         UTF-8 with BOM; formula-like text gets a leading "'"
:func:`resources_xlsx`    XLSX        inline-string cells (never formulas), the same "'"
:func:`resources_geojson` GeoJSON     RFC 7946: WGS84 lon/lat points, no ``crs`` member
:func:`resources_gpkg`    GeoPackage  layer ``resources``, EPSG:4326 points, typed fields
========================  ==========  ======================================================

Column names are the spec's (``id``, ``kind``, ``stock_tent``, ...), the names the importer
reads, so an export goes back in unchanged; ``headers`` renames them (the UI passes its
labels). Coded values (``kind``, ``status``) stay codes: wording is the UI's business.

Formula injection: CSV and XLSX text starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a
leading apostrophe (OWASP's advice), unless the text is a plain number ("-5", "+3.2", which a
spreadsheet reads as that number and which runs nothing); numeric columns are numbers and are
never touched. An XLSX cell written as an inline string is never a formula, but the apostrophe
is kept there too, so that text copied out of the sheet or saved as CSV from Excel stays
harmless. GeoJSON and GeoPackage are data formats for GIS software, which does not evaluate
cells: their text is written exactly as stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import io, schema
from geo.errors import ValidationError

#: Layer name of the GeoPackage export, and the XLSX sheet name.
LAYER = "resources"
#: The CRS of every export (RFC 7946 GeoJSON allows no other).
EXPORT_CRS = "EPSG:4326"
_GEOMETRY = "geometry"
_TEXT_TYPES = frozenset({"text", "enum", "hours"})
_FLOAT_TYPES = frozenset({"float", "lon", "lat"})


@dataclass(frozen=True)
class ExportFormat:
    """One download format: file name suffix, MIME type and the writer.

    Parameters
    ----------
    suffix : str
        File name suffix with the dot (``".csv"``).
    mime : str
        The MIME type for a download button.
    write : callable
        ``write(frame, headers=None) -> bytes``.
    """

    suffix: str
    mime: str
    write: Callable[..., bytes]


# --------------------------------------------------------------------------------------------
# The table every export writes
# --------------------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> pd.Series | None:
    """The column as numbers, or None when a cell is text that is no number (kept as is)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return None
    try:
        return pd.to_numeric(values)
    except (ValueError, TypeError):
        return None


def _typed(values: pd.Series, column: schema.Column) -> pd.Series:
    """One spec column in its export type; a column that does not convert is kept as it is.

    Text, enum and hours columns become ``string`` (missing: NA); ``float``/``lon``/``lat``
    ``float64`` (NaN); ``int`` ``Int64`` (NA), or ``float64`` if a value is not whole; ``date``
    ``datetime.date`` objects (None), the time of a datetime dropped. Nothing is coerced to
    missing: a cell that is not of the column's type leaves the whole column untouched, so no
    value is lost in an export of unvalidated rows.
    """
    if column.type in _TEXT_TYPES:
        if str(values.dtype) == "string":  # not pandas 3's "str", which has NaN for missing
            return values
        objects = values.astype(object)
        return objects.where(~pd.isna(objects), None).astype("string")
    if column.type in _FLOAT_TYPES or column.type == "int":
        numbers = _numbers(values)
        if numbers is None:
            return values
        floats = pd.Series(numbers.to_numpy(dtype=np.float64, na_value=np.nan),
                           index=values.index)
        if column.type == "int":
            kept = floats[np.isfinite(floats)]
            if ((kept == np.round(kept)) & (kept.abs() < 2**53)).all():
                return floats.astype("Int64")
        return floats
    if column.type == "date":
        if pd.api.types.is_object_dtype(values.dtype) and pd.api.types.infer_dtype(
                values, skipna=True) in ("date", "empty"):
            return values.where(~pd.isna(values), None)
        try:
            stamps = pd.to_datetime(values, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            return values
        if getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        # NumPy turns days into datetime.date (NaT into None) at C speed, for years 1-9999.
        dates = stamps.to_numpy().astype("datetime64[D]").astype(object)
        return pd.Series(dates, index=values.index, dtype=object)
    return values


def _empty(column: schema.Column, n: int) -> pd.Series:
    """A column of ``n`` missing values in the column's export type."""
    if column.type in _TEXT_TYPES:
        return pd.Series(pd.array([None] * n, dtype="string"))
    if column.type in _FLOAT_TYPES:
        return pd.Series(np.full(n, np.nan))
    if column.type == "int":
        return pd.Series(pd.array([None] * n, dtype="Int64"))
    return pd.Series(np.full(n, None, dtype=object))


def _points(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The frame without geometry, and its WGS84 points (None where a row has no position).

    A GeoDataFrame's active geometry wins (reprojected to WGS84; no CRS is taken as WGS84) and
    ``lon``/``lat`` are set from it; a row without geometry keeps its ``lon``/``lat``. A plain
    DataFrame needs ``lon``/``lat`` (WGS84, as the spec stores them).
    """
    import shapely

    name = io._geometry_name(frame)
    if name is None:
        if not {"lon", "lat"} <= set(frame.columns):
            msg = ("resources need a point geometry or lon/lat columns, got columns "
                   f"{list(frame.columns)}")
            missing = [c for c in ("lon", "lat") if c not in frame.columns]
            raise ValidationError(msg, code="missing_columns",
                                  params={"missing": ", ".join(missing),
                                          "found": ", ".join(map(str, frame.columns))})
        plain = pd.DataFrame(frame).copy()
    else:
        wgs84 = io._wgs84(frame)
        geoms = np.asarray(wgs84.geometry.array, dtype=object)
        types = shapely.get_type_id(geoms)
        shown = (types >= 0) & ~shapely.is_empty(geoms)
        if (types[shown] != shapely.GeometryType.POINT).any():
            bad = sorted({shapely.GeometryType(t).name for t in types[shown]} - {"POINT"})
            msg = f"resources are points, got geometries of type {', '.join(bad)}"
            raise ValidationError(msg)
        plain = pd.DataFrame(wgs84.drop(columns=name))
        lon = np.full(len(plain), np.nan)
        lat = np.full(len(plain), np.nan)
        if "lon" in plain.columns and "lat" in plain.columns:
            own_lon = _numbers(plain["lon"])
            own_lat = _numbers(plain["lat"])
            if own_lon is not None and own_lat is not None:
                lon = own_lon.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
                lat = own_lat.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        lon[shown] = shapely.get_x(geoms[shown])
        lat[shown] = shapely.get_y(geoms[shown])
        plain["lon"], plain["lat"] = lon, lat
    plain = plain.reset_index(drop=True)
    lon_numbers = _numbers(plain["lon"])
    lat_numbers = _numbers(plain["lat"])
    points = np.full(len(plain), None, dtype=object)
    if lon_numbers is not None and lat_numbers is not None:
        lon = lon_numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        lat = lat_numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        known = np.isfinite(lon) & np.isfinite(lat)
        points[known] = shapely.points(lon[known], lat[known])
    return plain, points


def resource_table(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Resources (all, or a filtered view) in the one shape every export writes.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Resource rows as :meth:`geo.store.Store.records` gives them (plain DataFrame, WGS84
        ``lon``/``lat``, dates as ``datetime.date``, whole numbers as floats, the store's
        ``version``/``retired``/``changed_at``/``changed_by``) or as
        :attr:`geo.datasets.Dataset.resources` does (GeoDataFrame in EPSG:4326 with
        spec dtypes), or any subset of their rows. A GeoDataFrame in another CRS is
        reprojected; its point geometry then sets ``lon``/``lat``.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, index 0..n-1, rows in the input's order. Columns: every column of
        :data:`geo.schema.RESOURCE_SPEC` in spec order (one the input lacks is added,
        empty), typed as the spec says (``string``; ``float64``; ``Int64``; dates as
        ``datetime.date`` objects, missing as None); then the input's other columns as they
        are; then ``geometry``: the WGS84 point at ``lon``/``lat`` (None where a row has
        none).

    Raises
    ------
    ValidationError
        ``code="missing_columns"`` for a plain DataFrame without ``lon``/``lat``; a
        GeoDataFrame with other geometries than points (a programming error, no code).
    """
    plain, points = _points(frame)
    n = len(plain)
    columns: dict[str, Any] = {}
    for column in schema.RESOURCE_SPEC:
        if column.name in plain.columns:
            values = _typed(plain[column.name], column)
        else:
            values = _empty(column, n)
        columns[column.name] = values.reset_index(drop=True)
    spec = set(columns)
    for name in plain.columns:
        if name not in spec and name != _GEOMETRY:
            columns[name] = plain[name]
    table = pd.DataFrame(columns, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(points, crs=EXPORT_CRS),
                            crs=EXPORT_CRS)


def _renamed(table: gpd.GeoDataFrame, headers: Mapping[str, str] | None) -> gpd.GeoDataFrame:
    """The table with columns renamed by ``headers`` (the others keep their names)."""
    if not headers:
        return table
    names = [str(headers.get(c, c)) if c != _GEOMETRY else c for c in table.columns]
    clashes = sorted(name for name, n in Counter(names).items() if n > 1)
    if clashes:
        msg = f"headers must give every column its own name, got duplicates {clashes}"
        raise ValidationError(msg)
    out = table.copy()
    out.columns = names
    return out.set_geometry(_GEOMETRY)


def _table_only(table: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attribute table (``lon``/``lat`` kept, geometry dropped) for CSV and XLSX."""
    return pd.DataFrame(table.drop(columns=_GEOMETRY))


# --------------------------------------------------------------------------------------------
# The writers
# --------------------------------------------------------------------------------------------


def resources_csv(frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None) -> bytes:
    """Resources as CSV for Excel and WPS: UTF-8 with BOM, safe from formula injection.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        As for :func:`resource_table` (the store's records, a dataset's resources, a view).
    headers : mapping, optional
        Column name -> header to write; columns not named keep the spec's names.

    Returns
    -------
    bytes
        The table of :func:`resource_table` without geometry (``lon``/``lat`` hold the WGS84
        position), written by :func:`geo.io.to_csv_bytes`: rows end in CRLF, dates are
        ``YYYY-MM-DD``, whole numbers have no ".0", missing values are empty. A text cell
        or header starting with ``=``, ``+``, ``-``, ``@``, TAB or CR that is not a plain
        number gets a leading apostrophe; numeric columns (negative numbers too) are
        written as numbers.

    Raises
    ------
    ValidationError
        As :func:`resource_table`; also when ``headers`` give two columns one name.
    """
    return io.to_csv_bytes(_table_only(_renamed(resource_table(frame), headers)))


def resources_xlsx(frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None,
                   sheet_name: str = LAYER) -> bytes:
    """Resources as an Excel workbook (one sheet), safe from formula injection.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        As for :func:`resource_table`.
    headers : mapping, optional
        Column name -> header to write.
    sheet_name : str, default "resources"
        The sheet's name (cleaned as :func:`geo.io.to_xlsx_bytes` says).

    Returns
    -------
    bytes
        The columns of :func:`resources_csv`, written by :func:`geo.io.to_xlsx_bytes`:
        numbers are number cells, text is inline-string cells (which Excel never evaluates),
        dates ISO text. Formula-like text keeps the CSV's leading apostrophe although the
        cell cannot run: text copied out of the sheet, or the sheet saved as CSV, stays safe.

    Raises
    ------
    ValidationError
        As :func:`resources_csv`; also for more rows than a sheet holds (1,048,575).
    """
    table = _table_only(_renamed(resource_table(frame), headers))
    return io.to_xlsx_bytes(table, sheet_name=sheet_name)


def resources_geojson(frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None
                      ) -> bytes:
    """Resources as an RFC 7946 GeoJSON FeatureCollection of WGS84 points.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        As for :func:`resource_table`.
    headers : mapping, optional
        Column name -> property name.

    Returns
    -------
    bytes
        UTF-8, written by :func:`geo.io.to_geojson_bytes`: one feature per resource, in the
        input's order, geometry ``[lon, lat]`` in WGS84 (null where a row has no position),
        no ``crs`` member (RFC 7946 has none); every other column a property (``lon``/``lat``
        too), Chinese unescaped, dates ``YYYY-MM-DD``, missing values null. Text is as
        stored (not defused: GIS software does not evaluate it).

    Raises
    ------
    ValidationError
        As :func:`resources_csv`.
    """
    return io.to_geojson_bytes(_renamed(resource_table(frame), headers))


def resources_gpkg(frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None,
                   layer: str = LAYER) -> bytes:
    """Resources as a GeoPackage for QGIS: one point layer in EPSG:4326, typed fields.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        As for :func:`resource_table`.
    headers : mapping, optional
        Column name -> field name.
    layer : str, default "resources"
        The layer's name.

    Returns
    -------
    bytes
        A GeoPackage 1.2 file written by :func:`geo.io.to_gpkg_bytes` (pyogrio, a temporary
        file): layer ``layer`` with geometry type Point (also when empty) in EPSG:4326.
        Fields by the spec: text, enum and hours columns are ``String``; coordinates and
        decimals ``Real``; whole numbers ``Integer64`` (NULL when missing); dates ``Date``
        (also a date column with no value in the view). The store's ``version`` is an
        integer, ``changed_at`` a ``DateTime``, ``retired`` a Boolean. Text as stored.

    Raises
    ------
    ValidationError
        As :func:`resources_csv`.
    """
    import pyarrow as pa

    table = resource_table(frame)
    for column in schema.RESOURCE_SPEC:
        values = table[column.name]
        if column.type == "date" and pd.api.types.is_object_dtype(values.dtype) and (
                pd.api.types.infer_dtype(values, skipna=True) in ("date", "empty")):
            # date32 keeps the Date field type even when no row of the view has a date.
            table[column.name] = pd.Series(pd.array(values.where(values.notna(), None),
                                                    dtype=pd.ArrowDtype(pa.date32())),
                                           index=table.index)
    return io.to_gpkg_bytes(_renamed(table, headers), layer=layer, geometry_type="Point")


#: The export formats by name, for the download buttons of the data page.
FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(".csv", "text/csv", resources_csv),
    "xlsx": ExportFormat(
        ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        resources_xlsx),
    "geojson": ExportFormat(".geojson", "application/geo+json", resources_geojson),
    "gpkg": ExportFormat(".gpkg", "application/geopackage+sqlite3", resources_gpkg),
}


def export_resources(frame: pd.DataFrame, fmt: str, *,
                     headers: Mapping[str, str] | None = None) -> bytes:
    """Resources in the format named ``fmt`` (a key of :data:`FORMATS`).

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        As for :func:`resource_table`.
    fmt : {"csv", "xlsx", "geojson", "gpkg"}
        The format.
    headers : mapping, optional
        Column name -> header, as for each writer.

    Returns
    -------
    bytes

    Raises
    ------
    ValidationError
        ``code="not_one_of"`` for an unknown ``fmt``; otherwise as the writer.
    """
    if fmt not in FORMATS:
        msg = f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}"
        raise ValidationError(msg, code="not_one_of",
                              params={"value": str(fmt), "allowed": ", ".join(FORMATS)})
    return FORMATS[fmt].write(frame, headers=headers)
