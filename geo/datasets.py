"""The dataset every page works on: an immutable, versioned bundle of validated GeoDataFrames.

Reading a file and validating it are two steps. ``read_*`` only read (no checks; CSV cells
stay text, Parquet columns keep their stored types); :meth:`Dataset.from_frames` validates
tables from any source (demo files, an import, later the database) with :mod:`geo.validate`
and builds a :class:`Dataset`, whose ``version`` is a hash of its content. :func:`load_demo`
is the two steps over ``data/``, memoised per folder and file stamps. Caches outside the
engine (Streamlit's) key on ``dataset.version``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from cachetools import LRUCache, cached

from geo import schema
from geo.crs import metric_crs_for
from geo.errors import DataError, ValidationError
from geo.settings import SETTINGS
from geo.validate import (
    Problem,
    Report,
    check_spec,
    good_rows,
    unknown_districts,
    validate_population,
    validate_resources,
)

BOUNDARIES_FILE = "boundaries.geojson"
RESOURCES_FILE = "resources.csv"
POPULATION_FILE = "population.parquet"
WATER_FILE = "water.geojson"
TOWNS_FILE = "towns.csv"
SCENIC_AREAS_FILE = "scenic_areas.csv"
DATA_FILES: tuple[str, ...] = (BOUNDARIES_FILE, RESOURCES_FILE, POPULATION_FILE, WATER_FILE,
                               TOWNS_FILE, SCENIC_AREAS_FILE)

#: The specs of the place tables live in :mod:`geo.schema` with the others.
TOWN_SPEC = schema.TOWN_SPEC
SCENIC_AREA_SPEC = schema.SCENIC_AREA_SPEC

#: How many folders (or file versions of one folder) :func:`load_demo` keeps in memory.
DEMO_CACHE_SIZE = 2
#: Problems named in an error's developer message (``params["problems"]`` has all of them).
_MESSAGE_PROBLEMS = 50
_ROW_LIST = 20
_VERSION_BYTES = 16


@dataclass(frozen=True, eq=False)
class Dataset:
    """One city's (or both cities') data, all in WGS84 (EPSG:4326); immutable and versioned.

    Build one with :meth:`from_frames` (validates) or :func:`load_demo`. The constructor takes
    already validated frames, copies them (the caller's frames stay its own), makes their
    arrays read-only and computes ``version``. Treat every frame as read-only and take a
    ``.copy()`` to change data. Attributes cannot be reassigned. As far as pandas allows,
    writing into a frame in place (``ds.resources.loc[0, "members"] = 3``) raises
    ``ValueError: assignment destination is read-only`` for numbers, dates and geometry;
    pandas cannot stop it for pyarrow-backed text columns, nor stop adding or replacing a whole
    column (``ds.resources["x"] = ...``). Frames derived without a copy (``reset_index``,
    ``to_crs``, ``assign``) share the read-only arrays: while the Dataset lives, an in-place
    write to them copies first (pandas copy-on-write); once it is gone, write to a ``.copy()``.

    Attributes
    ----------
    boundaries : GeoDataFrame
        Districts: ``city``, ``city_zh``, ``district``, ``district_en``, ``adcode``, geometry.
    resources : GeoDataFrame
        One row per resource, the columns of :data:`geo.schema.RESOURCE_SPEC`, Point geometry.
    population : GeoDataFrame
        Grid cells, the columns of :data:`geo.schema.POPULATION_SPEC`; the geometry is each
        cell's centre (a WGS84 Point); :func:`cell_squares` draws the squares.
    water : GeoDataFrame
        Lakes and rivers where nobody lives (Taihu, Lihu, the Yangtze); may be empty.
    city : str or None
        ``"wuxi"``, ``"zhenjiang"`` or None for both.
    is_demo : bool
        True for the generated demo data; the UI says so while it is shown.
    report : Report
        Problems found while validating (warnings only: errors raise). ``report.rows[i]`` is
        the file row of ``resources`` row ``i``.
    towns : GeoDataFrame
        Street and town seats (街道/镇), the columns of :data:`TOWN_SPEC`, Point geometry;
        coverage counts towns by rescue team or relief store. Empty by default.
    scenic_areas : GeoDataFrame
        Scenic areas, the columns of :data:`SCENIC_AREA_SPEC`, Point geometry. Empty by
        default.
    version : str
        Hex content hash (32 characters) of every frame (values, index, column names, dtypes,
        CRS and geometry), ``city`` and ``is_demo``: equal content gives an equal version in
        any process; any change gives another (see :func:`dataset_version`). Computed at
        construction; caches key on it. Two datasets compare equal when their versions are
        equal.
    """

    boundaries: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    city: str | None = None
    is_demo: bool = False
    report: Report = field(default_factory=Report)
    towns: gpd.GeoDataFrame = field(default_factory=lambda: _empty_points(TOWN_SPEC))
    scenic_areas: gpd.GeoDataFrame = field(
        default_factory=lambda: _empty_points(SCENIC_AREA_SPEC))
    version: str = field(init=False)
    _subsets: dict[str, Dataset] = field(init=False, repr=False, default_factory=dict)
    #: A version given by the builder (a store's revision key) instead of the content hash.
    given_version: InitVar[str | None] = None

    def __post_init__(self, given_version: str | None) -> None:
        _check_city(self.city)
        for name in _FRAMES:
            frame = getattr(self, name)
            if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None or (
                    frame.crs.to_epsg() != 4326):
                msg = (f"Dataset.{name} must be a GeoDataFrame in EPSG:4326, got "
                       f"{type(frame).__name__} with crs {getattr(frame, 'crs', None)}")
                raise ValidationError(msg)
            own = frame.copy()
            _freeze(own)
            object.__setattr__(self, name, own)
        report = Report(self.report.n_rows, list(self.report.problems),
                        None if self.report.rows is None else _frozen(self.report.rows))
        object.__setattr__(self, "report", report)
        object.__setattr__(self, "_given", given_version is not None)
        object.__setattr__(self, "version", given_version or dataset_version(
            [getattr(self, name) for name in _FRAMES], city=self.city, is_demo=self.is_demo))

    def __eq__(self, other: object) -> bool:
        """Equal content: the same class and the same version."""
        if not isinstance(other, Dataset):
            return NotImplemented
        return self.version == other.version

    def __hash__(self) -> int:
        """Hash of the version."""
        return hash(self.version)

    def __repr__(self) -> str:
        """Short form: city, sizes and version."""
        return (f"Dataset(city={self.city!r}, resources={len(self.resources)}, "
                f"population={len(self.population)}, towns={len(self.towns)}, "
                f"scenic_areas={len(self.scenic_areas)}, is_demo={self.is_demo}, "
                f"version={self.version!r})")

    @property
    def metric_crs(self) -> str:
        """The projected CRS used for distances over this dataset (EPSG:4549 in south Jiangsu)."""
        return metric_crs_for(self.boundaries)

    def for_city(self, city: str | None) -> Dataset:
        """Return the subset for one city, a Dataset with its own version (self for None).

        The subset is built once per Dataset and reused (both are immutable). Water is shared.

        Raises
        ------
        ValidationError
            ``city`` is not a known city.
        """
        if city is None:
            return self
        _check_city(city)
        if city in self._subsets:
            return self._subsets[city]

        def pick(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
            mask = (frame["city"] == city).fillna(False).to_numpy(dtype=bool)
            return frame[mask].reset_index(drop=True), mask

        resources, mask = pick(self.resources)
        problems = list(self.report.problems)
        rows = None
        if self.report.rows is not None:
            rows = self.report.rows[mask]
            kept = set(rows.tolist())
            problems = [p for p in problems if p.row is None or p.row in kept]
        report = Report(len(resources), problems, rows)
        # a given version (a store's revision key) gives its subsets derived versions too
        given = (hashlib.blake2b(f"{self.version}|{city}".encode(), digest_size=16).hexdigest()
                 if self._given else None)
        subset = Dataset(pick(self.boundaries)[0], resources, pick(self.population)[0],
                         self.water, city, self.is_demo, report, towns=pick(self.towns)[0],
                         scenic_areas=pick(self.scenic_areas)[0], given_version=given)
        self._subsets[city] = subset
        return subset

    @classmethod
    def from_frames(cls, boundaries: gpd.GeoDataFrame, resources_table: pd.DataFrame,
                    population: pd.DataFrame, water: gpd.GeoDataFrame | None = None, *,
                    towns: pd.DataFrame | None = None,
                    scenic_areas: pd.DataFrame | None = None,
                    is_demo: bool = False, city: str | None = None,
                    sources: Mapping[str, str] | None = None) -> Dataset:
        """Validate tables from any source and build a Dataset (the subset for ``city``).

        Parameters
        ----------
        boundaries : GeoDataFrame
            District polygons with :data:`geo.schema.BOUNDARY_COLUMNS`; a frame without a CRS
            is taken as WGS84, any other CRS is reprojected.
        resources_table : DataFrame
            Raw resource rows (strings are fine), e.g. a CSV read with ``dtype=str``; checked
            by :func:`geo.validate.validate_resources` against the boundaries.
        population : DataFrame
            Grid rows with :data:`geo.schema.POPULATION_COLUMNS`, typed (as read from
            Parquet) or text; checked by :func:`geo.validate.validate_population` (against the
            boundaries' districts), which makes each cell a point at its centre (a geometry
            column, if any, is ignored).
        water : GeoDataFrame, optional
            Water polygons; None gives an empty layer.
        towns, scenic_areas : DataFrame, optional
            Rows with the columns of :data:`TOWN_SPEC` / :data:`SCENIC_AREA_SPEC` (text is
            fine; a GeoDataFrame without ``lon``/``lat`` gives them from its points); checked
            by :func:`geo.validate.check_spec` and against the boundaries' districts. None
            gives an empty layer.
        is_demo : bool
            The data is the generated demo data.
        city : {"wuxi", "zhenjiang"} or None
            Return the subset for this city (None: everything).
        sources : mapping, optional
            Names of the tables in messages, e.g. ``{"resources": "resources.csv",
            "population": "population.parquet"}`` (default: the keys ``"resources"``,
            ``"population"``, ``"towns"``, ``"scenic_areas"`` themselves).

        Returns
        -------
        Dataset
            Its ``report`` holds the resource warnings.

        Raises
        ------
        DataError
            ``code="missing_columns"`` when the boundaries lack a column; ``code=
            "bad_resources"``, ``"bad_population"`` or ``"bad_places"`` (towns, scenic areas)
            when a table has any error. The params
            name every problem: ``n`` (errors), ``rows`` (sorted file rows with an error),
            ``row_list`` (the first rows as text), ``problems`` (every error as a
            :class:`~geo.validate.Problem`) and ``source`` (the table's name).
        ValidationError
            ``city`` is not a known city.
        """
        _check_city(city)
        names = {name: name for name in ("resources", "population", "towns", "scenic_areas")}
        names.update(sources or {})
        bounds = _prepare_boundaries(boundaries)
        resources, report = validate_resources(resources_table, bounds)
        _raise_if_errors(report, code="bad_resources", source=names["resources"])
        cells, pop_report = validate_population(population, bounds)
        _raise_if_errors(pop_report, code="bad_population", source=names["population"])
        water = _empty_water() if water is None else _wgs84(water)
        layers = {name: _validate_points(table, spec, bounds, names[name])
                  for name, table, spec in (("towns", towns, TOWN_SPEC),
                                            ("scenic_areas", scenic_areas, SCENIC_AREA_SPEC))}
        return cls(bounds, resources, cells, water, None, is_demo, report,
                   **layers).for_city(city)


    def with_resources(self, resources_table: pd.DataFrame, *, is_demo: bool | None = None,
                       version: str | None = None, source: str = "resources") -> Dataset:
        """Return the dataset (both cities) with other resources; every other frame is shared.

        Only the resources are validated (against these boundaries), so a data store can
        rebuild its dataset after an edit without checking the population grid again.

        Parameters
        ----------
        resources_table : DataFrame
            Raw resource rows, as for :meth:`from_frames`.
        is_demo : bool, optional
            Default: this dataset's.
        version : str, optional
            The new dataset's version (e.g. from a store's revision); default: the content
            hash. City subsets then get versions derived from it.
        source : str
            The table's name in messages.

        Raises
        ------
        DataError
            ``code="bad_resources"`` when a row has an error.
        """
        if self.city is not None:
            msg = "with_resources needs the dataset of both cities (city=None)"
            raise ValidationError(msg)
        resources, report = validate_resources(resources_table, self.boundaries)
        _raise_if_errors(report, code="bad_resources", source=source)
        return Dataset(self.boundaries, resources, self.population, self.water, None,
                       self.is_demo if is_demo is None else is_demo, report, towns=self.towns,
                       scenic_areas=self.scenic_areas, given_version=version)


#: The frames of a :class:`Dataset`, in the order they are checked and hashed.
_FRAMES: tuple[str, ...] = ("boundaries", "resources", "population", "water", "towns",
                            "scenic_areas")


def cell_squares(population: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The square of each grid cell, drawn on demand from its centre and ``cell_m``.

    Each square is built in the metric CRS that fits the cells (EPSG:4549 in south Jiangsu)
    as centre ± ``cell_m`` / 2, so it is a true square on the ground, then returned in WGS84.

    Parameters
    ----------
    population : GeoDataFrame
        Grid cells with ``cell_m`` (metres) and Point geometry (cell centres), any CRS.

    Returns
    -------
    GeoSeries
        Polygons in EPSG:4326, with the index of ``population``.

    Raises
    ------
    ValidationError
        ``code="bad_grid_frame"`` when the frame has no CRS, no ``cell_m`` or a
        geometry that is not a point.
    """
    if population.crs is None or "cell_m" not in population.columns:
        msg = "population must be a GeoDataFrame with a CRS and a 'cell_m' column"
        raise ValidationError(msg, code="bad_grid_frame")
    if len(population) == 0:
        return gpd.GeoSeries([], index=population.index, crs="EPSG:4326")
    centres = population.geometry
    if not (shapely.get_type_id(centres.to_numpy()) == 0).all():
        msg = "population geometry must be the cell centres (points)"
        raise ValidationError(msg, code="bad_grid_frame")
    metric = metric_crs_for(population)
    xy = centres.to_crs(metric).get_coordinates().to_numpy()
    half = population["cell_m"].to_numpy(dtype="float64") / 2.0
    squares = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    return gpd.GeoSeries(squares, index=population.index, crs=metric).to_crs("EPSG:4326")


def dataset_version(frames: Iterable[pd.DataFrame], **labels: Any) -> str:
    """Content hash of frames and labels: the same content gives the same hex string anywhere.

    Parameters
    ----------
    frames : iterable of DataFrame or GeoDataFrame
        Hashed in order: column names and dtypes, the index, then each column's values. Plain
        numpy columns (numbers, dates, booleans) are hashed from their little-endian buffer,
        Arrow-backed text from its offsets and bytes, anything else through
        ``pandas.util.hash_pandas_object``. For a GeoDataFrame also its CRS and geometry: the
        coordinates when every geometry is a 2-D point (the population grid), else each
        geometry as WKB (little-endian).
    **labels
        Further values hashed by their ``repr`` in name order (``city``, ``is_demo``).

    Returns
    -------
    str
        blake2b digest, 32 hex characters.
    """
    digest = hashlib.blake2b(digest_size=_VERSION_BYTES)
    for frame in frames:
        digest.update(b"\x00frame")
        rest = frame
        if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame:
            geometry = frame.geometry
            digest.update(repr((geometry.name, str(frame.crs))).encode())
            _hash_geometry(digest, geometry.to_numpy())
            rest = pd.DataFrame(frame.drop(columns=geometry.name))
        digest.update(repr([(str(c), str(t)) for c, t in rest.dtypes.items()]).encode())
        if isinstance(rest.index, pd.RangeIndex):
            digest.update(repr(("range", rest.index.start, rest.index.stop, rest.index.step,
                                rest.index.name)).encode())
        else:
            digest.update(
                pd.util.hash_pandas_object(rest.index).to_numpy(dtype="<u8").tobytes())
        for _, column in rest.items():
            _hash_values(digest, column)
    digest.update(repr(sorted(labels.items())).encode())
    return digest.hexdigest()


def _hash_geometry(digest: Any, geoms: np.ndarray) -> None:
    """Hash geometries: 2-D points by their coordinates, anything else as WKB."""
    points = len(geoms) > 0 and bool(
        (shapely.get_type_id(geoms) == 0).all() and not shapely.is_empty(geoms).any()
        and not shapely.has_z(geoms).any())
    if points:
        digest.update(b"points")
        digest.update(shapely.get_coordinates(geoms).astype("<f8").tobytes())
        return
    wkb = shapely.to_wkb(geoms, byte_order=1)
    blobs = [b"" if blob is None else blob for blob in wkb]
    digest.update(np.fromiter(map(len, blobs), dtype="<i8", count=len(blobs)).tobytes())
    digest.update(b"".join(blobs))


def _hash_values(digest: Any, column: pd.Series) -> None:
    """Hash one column's values (see :func:`dataset_version`)."""
    values = column.array
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        data = np.ascontiguousarray(column.to_numpy())
        if dtype.kind in "mM":
            data = data.view("i8")
        digest.update(b"numpy")
        digest.update(data.astype(data.dtype.newbyteorder("<"), copy=False).tobytes())
        return
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        arrow = pa.array(values)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        arrow = pa.concat_arrays([arrow.cast(pa.large_string())])  # own buffers, offset 0
        nulls = arrow.is_null().to_numpy(zero_copy_only=False)
        if nulls.any():
            arrow = pc.fill_null(arrow, "")
        offsets = np.frombuffer(arrow.buffers()[1], dtype="<i8", count=len(arrow) + 1)
        digest.update(b"text")
        digest.update(nulls.tobytes())
        digest.update((offsets - offsets[0]).tobytes())
        digest.update(arrow.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
                      if len(arrow) else b"")
        return
    digest.update(b"pandas")
    digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy(dtype="<u8").tobytes())


def _frozen(values: np.ndarray) -> np.ndarray:
    out = np.array(values, copy=True)
    out.flags.writeable = False
    return out


def _freeze(frame: pd.DataFrame) -> None:
    """Make the arrays behind a frame read-only, as far as pandas exposes them."""
    for block in getattr(getattr(frame, "_mgr", None), "blocks", ()):
        values = block.values
        arrays = [values] if isinstance(values, np.ndarray) else [
            getattr(values, attr, None) for attr in ("_ndarray", "_data", "_mask", "_codes")]
        for array in arrays:
            if isinstance(array, np.ndarray):
                array.flags.writeable = False


def _check_city(city: str | None) -> None:
    if city is not None and city not in schema.CITIES:
        msg = f"city must be one of {', '.join(schema.CITIES)} or None, got {city!r}"
        raise ValidationError(msg, code="not_one_of",
                              params={"value": city, "allowed": ", ".join(schema.CITIES)})


def _wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs("EPSG:4326")
    return frame.to_crs("EPSG:4326")


def _empty_water() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": pd.Series(dtype="string")},
                            geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _empty_points(spec: tuple[schema.Column, ...]) -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype=d) for c, d in schema.pandas_dtypes(spec).items()}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _validate_points(table: pd.DataFrame | None, spec: tuple[schema.Column, ...],
                     boundaries: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Check a small table of named WGS84 places (towns, scenic areas); raise on any error."""
    if table is None:
        return _empty_points(spec)
    if isinstance(table, gpd.GeoDataFrame) and not {"lon", "lat"} <= set(table.columns):
        wgs = _wgs84(table)
        table = pd.DataFrame(wgs.drop(columns=wgs.geometry.name)).assign(
            lon=wgs.geometry.x.to_numpy(), lat=wgs.geometry.y.to_numpy())
    table = pd.DataFrame(table).reset_index(drop=True)
    report = Report(n_rows=len(table))
    rows = np.arange(len(table), dtype="int64") + 2
    typed = check_spec(table, spec, report, rows)
    for i in np.flatnonzero(unknown_districts(typed["city"], typed["district"], boundaries)):
        report.add(int(rows[i]), "district", "unknown_district",
                   {"district": str(typed["district"].iloc[i]), "city": str(typed["city"].iloc[i])})
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)
    _raise_if_errors(report, code="bad_places", source=source)
    out = good_rows(typed, np.ones(len(table), dtype=bool), spec)
    points = gpd.points_from_xy(out["lon"].to_numpy(), out["lat"].to_numpy(), crs="EPSG:4326")
    return gpd.GeoDataFrame(out, geometry=points, crs="EPSG:4326")


def _prepare_boundaries(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in schema.BOUNDARY_COLUMNS if c not in boundaries.columns]
    if missing:
        params = {"missing": ", ".join(missing), "found": ", ".join(map(str, boundaries.columns)),
                  "source": "boundaries"}
        msg = f"boundaries: missing column(s) {params['missing']}; found {params['found']}"
        raise DataError(msg, code="missing_columns", params=params)
    bounds = _wgs84(boundaries)
    return bounds.assign(adcode=bounds["adcode"].astype("string"))


def _raise_if_errors(report: Report, code: str, source: str) -> None:
    errors: list[Problem] = report.errors
    if not errors:
        return
    rows = sorted(report.bad_rows)
    row_list = ", ".join(map(str, rows[:_ROW_LIST])) + (" …" if len(rows) > _ROW_LIST else "")
    shown = Report(report.n_rows, errors).summary(limit=_MESSAGE_PROBLEMS)
    msg = f"{source}: {len(errors)} problem(s) in {report.n_rows} row(s)\n{shown}"
    raise DataError(msg, code=code, params={
        "source": source, "n": len(errors), "rows": rows, "row_list": row_list or "-",
        "problems": errors})


# --- reading files (no checks beyond "the file is there and readable") --------------------

def _need(path: Path) -> Path:
    if not path.is_file():
        msg = f"data file {path} is missing (see data/README.md for how to rebuild it)"
        raise DataError(msg, code="missing_file",
                        params={"file": path.name, "folder": str(path.parent)})
    return path


def _unreadable(path: Path, exc: Exception) -> DataError:
    msg = f"data file {path} cannot be read: {type(exc).__name__}: {exc}"
    return DataError(msg, code="unreadable_file",
                     params={"file": path.name, "error": f"{type(exc).__name__}: {exc}"})


def _read_geo(path: Path) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(_need(path))
    except DataError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several types for one broken file
        raise _unreadable(path, exc) from exc


def _read_text_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(_need(path), dtype=str, keep_default_na=False, encoding="utf-8")
    except DataError:
        raise
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise _unreadable(path, exc) from exc


def read_boundaries(data_dir: Path) -> gpd.GeoDataFrame:
    """Read ``boundaries.geojson`` as it is (checked by :meth:`Dataset.from_frames`)."""
    return _read_geo(Path(data_dir) / BOUNDARIES_FILE)


def read_water(data_dir: Path) -> gpd.GeoDataFrame | None:
    """Read ``water.geojson``; None if the file is absent."""
    path = Path(data_dir) / WATER_FILE
    return _read_geo(path) if path.exists() else None


def read_resources_table(data_dir: Path) -> pd.DataFrame:
    """Read ``resources.csv`` with every cell as text (empty cells are ``""``)."""
    return _read_text_table(Path(data_dir) / RESOURCES_FILE)


def read_population_table(data_dir: Path) -> pd.DataFrame:
    """Read ``population.parquet`` with its stored column types (no checks, no text parsing).

    ``cell_id``, ``city`` and ``district`` come as text, ``lon``/``lat`` as float64,
    ``cell_m`` and ``pop`` as the stored integers (int16, int32); checked and cast to the
    spec's dtypes by :func:`geo.validate.validate_population`.
    """
    path = _need(Path(data_dir) / POPULATION_FILE)
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc


def read_towns_table(data_dir: Path) -> pd.DataFrame:
    """Read ``towns.csv`` with every cell as text (empty cells are ``""``)."""
    return _read_text_table(Path(data_dir) / TOWNS_FILE)


def read_scenic_areas_table(data_dir: Path) -> pd.DataFrame:
    """Read ``scenic_areas.csv`` with every cell as text (empty cells are ``""``)."""
    return _read_text_table(Path(data_dir) / SCENIC_AREAS_FILE)


def _stamp(folder: Path) -> tuple[tuple[str, int, int] | tuple[str, None, None], ...]:
    """(name, size, mtime_ns) of each data file; a changed file gives another stamp."""
    out: list[Any] = []
    for name in DATA_FILES:
        try:
            stat = (folder / name).stat()
        except OSError:
            out.append((name, None, None))
        else:
            out.append((name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


@cached(LRUCache(maxsize=DEMO_CACHE_SIZE), lock=threading.Lock())
def _load_folder(folder: str, stamp: tuple) -> Dataset:
    """Read and validate one folder; memoised on (folder, stamp) by :func:`load_demo`."""
    del stamp  # part of the cache key only
    path = Path(folder)
    return Dataset.from_frames(read_boundaries(path), read_resources_table(path),
                               read_population_table(path), read_water(path),
                               towns=read_towns_table(path),
                               scenic_areas=read_scenic_areas_table(path), is_demo=True,
                               sources={"resources": RESOURCES_FILE,
                                        "population": POPULATION_FILE,
                                        "towns": TOWNS_FILE,
                                        "scenic_areas": SCENIC_AREAS_FILE})


def load_demo(city: str | None = None, data_dir: str | Path | None = None) -> Dataset:
    """Load the demo dataset for ``"wuxi"``, ``"zhenjiang"`` or both (None).

    Reads the files of ``data_dir`` and validates them with :meth:`Dataset.from_frames`. The
    result is memoised (a few folders) on the folder and each file's size and modification
    time, so an edited file is read again; the Dataset is immutable, so sharing it is safe.

    Parameters
    ----------
    city : {"wuxi", "zhenjiang"} or None
        Which city; None returns both.
    data_dir : path, optional
        Folder with the data files (default: settings ``data_dir``, i.e. ``data/``).

    Returns
    -------
    Dataset
        Boundaries, resources, population (100 m cells as centre points), water, towns and
        scenic areas, all WGS84; ``is_demo`` is True.

    Raises
    ------
    ValidationError
        ``city`` is not a known city.
    DataError
        A file is missing (``code="missing_file"``) or unreadable (``"unreadable_file"``), or a
        table has invalid rows (``"bad_resources"``, ``"bad_population"``, ``"bad_places"``;
        every problem is in ``params["problems"]``).
    """
    _check_city(city)
    folder = Path(data_dir or SETTINGS.data_dir).resolve()
    return _load_folder(str(folder), _stamp(folder)).for_city(city)


#: The public-place lists the demo resources were placed on (WGS84), one file per city.
PLACES_FILES: dict[str, str] = {"wuxi": "places_wuxi.csv", "zhenjiang": "places_zhenjiang.csv"}


def read_public_places(city: str | None = None, data_dir: str | Path | None = None
                       ) -> pd.DataFrame:
    """The public places of the demo (stations, schools, malls, parks, scenic areas, ...).

    These are the real public places the demo resources sit at (``data/places_*.csv``), used
    as candidate AED sites. Rows keep the file's columns plus ``city``; ``lon``/``lat`` are
    WGS84 numbers.

    Parameters
    ----------
    city : {"wuxi", "zhenjiang"} or None
        One city, or both.
    data_dir : path, optional
        Folder with the files (default: the settings' ``data_dir``).

    Returns
    -------
    pandas.DataFrame
    """
    _check_city(city)
    folder = Path(data_dir or SETTINGS.data_dir)
    frames = []
    for key, name in PLACES_FILES.items():
        if city is not None and key != city:
            continue
        table = _read_text_table(folder / name)
        frames.append(table.assign(city=key))
    places = pd.concat(frames, ignore_index=True)
    for col in ("lon", "lat"):
        places[col] = pd.to_numeric(places[col], errors="coerce")
    return places
