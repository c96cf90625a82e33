"""Load the demo dataset (boundaries, resources, population, water) as validated GeoDataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.crs import metric_crs_for
from geo.errors import DataError, ValidationError
from geo.settings import SETTINGS
from geo.validate import Report, validate_resources

BOUNDARIES_FILE = "boundaries.geojson"
RESOURCES_FILE = "resources.csv"
POPULATION_FILE = "population.csv"
WATER_FILE = "water.geojson"


@dataclass
class Dataset:
    """One city's (or both cities') data, all in WGS84 (EPSG:4326).

    Attributes
    ----------
    boundaries : GeoDataFrame
        Districts: ``city``, ``city_zh``, ``district``, ``district_en``, ``adcode``, geometry.
    resources : GeoDataFrame
        One row per resource, columns of :data:`geo.schema.RESOURCE_COLUMNS`, Point geometry.
    population : GeoDataFrame
        Grid cells: ``cell_id``, ``pop``, ``city``, ``district``, ``cell_m``, square geometry.
    water : GeoDataFrame
        Lakes and rivers where nobody lives (Taihu, Lihu, the Yangtze).
    city : str or None
        ``"wuxi"``, ``"zhenjiang"`` or None for both.
    is_demo : bool
        True for the generated demo data; the UI says so while it is shown.
    report : Report
        Problems found while loading (warnings only; errors raise).
    """

    boundaries: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    city: str | None = None
    is_demo: bool = True
    report: Report = field(default_factory=Report)

    @property
    def metric_crs(self) -> str:
        """The projected CRS used for distances over this dataset (EPSG:4549 in south Jiangsu)."""
        return metric_crs_for(self.boundaries)

    def for_city(self, city: str | None) -> Dataset:
        """Return the subset for one city (or self for None)."""
        if city is None:
            return self
        _check_city(city)

        def pick(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return frame[frame["city"] == city].reset_index(drop=True)

        return Dataset(pick(self.boundaries), pick(self.resources), pick(self.population),
                       self.water, city, self.is_demo, self.report)


def _check_city(city: str | None) -> None:
    if city is not None and city not in schema.CITIES:
        msg = f"city must be one of {', '.join(schema.CITIES)} or None, got {city!r}"
        raise ValidationError(msg)


def _need(path: Path) -> Path:
    if not path.exists():
        msg = f"data file {path} is missing (see data/README.md for how to rebuild it)"
        raise DataError(msg)
    return path


def read_boundaries(data_dir: Path) -> gpd.GeoDataFrame:
    """Read the district polygons (WGS84)."""
    gdf = gpd.read_file(_need(data_dir / BOUNDARIES_FILE))
    missing = [c for c in schema.BOUNDARY_COLUMNS if c not in gdf.columns]
    if missing:
        msg = f"{BOUNDARIES_FILE}: missing column(s) {', '.join(missing)}"
        raise DataError(msg)
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf.to_crs("EPSG:4326")


def read_water(data_dir: Path) -> gpd.GeoDataFrame:
    """Read the water polygons (WGS84); empty if the file is absent."""
    path = data_dir / WATER_FILE
    if not path.exists():
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([]), crs="EPSG:4326")
    return gpd.read_file(path).to_crs("EPSG:4326")


def read_population(data_dir: Path) -> gpd.GeoDataFrame:
    """Read the population grid and rebuild each cell as a square in the metric CRS."""
    table = pd.read_csv(_need(data_dir / POPULATION_FILE), dtype={"cell_id": str})
    missing = [c for c in schema.POPULATION_COLUMNS if c not in table.columns]
    if missing:
        msg = f"{POPULATION_FILE}: missing column(s) {', '.join(missing)}"
        raise DataError(msg)
    bad = table[["lon", "lat", "pop", "cell_m"]].isna().any(axis=1) | (table["pop"] < 0)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
        msg = f"{POPULATION_FILE}: rows {rows} have empty or negative lon/lat/pop/cell_m"
        raise DataError(msg)
    centres = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326")
    metric = metric_crs_for(centres)
    xy = centres.to_crs(metric).get_coordinates().to_numpy()
    half = table["cell_m"].to_numpy(dtype="float64") / 2.0
    squares = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    cells = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(squares, crs=metric))
    cells["pop"] = cells["pop"].astype("int64")
    return cells.to_crs("EPSG:4326")


def read_resources(data_dir: Path, boundaries: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, Report]:
    """Read and validate the resource table; raise DataError listing every error, if any."""
    table = pd.read_csv(_need(data_dir / RESOURCES_FILE), dtype=str, keep_default_na=False)
    resources, report = validate_resources(table, boundaries)
    if report.errors:
        msg = f"{RESOURCES_FILE}: {len(report.errors)} problem(s)\n{report.summary()}"
        raise DataError(msg)
    return resources, report


_CACHE: dict[tuple[str, float], Dataset] = {}


def load_demo(city: str | None = None, data_dir: str | Path | None = None) -> Dataset:
    """Load the demo dataset for ``"wuxi"``, ``"zhenjiang"`` or both (None).

    The files are read and validated once per process (and per file modification time); the
    returned frames are shared, so treat them as read-only.

    Parameters
    ----------
    city : {"wuxi", "zhenjiang"} or None
        Which city; None returns both.
    data_dir : path, optional
        Folder with the data files (default: settings ``data_dir``, i.e. ``data/``).

    Returns
    -------
    Dataset
        Boundaries, resources, population and water, all WGS84.

    Raises
    ------
    ValidationError
        ``city`` is not a known city.
    DataError
        A file is missing or has invalid rows (every problem is listed in the message).
    """
    _check_city(city)
    folder = Path(data_dir or SETTINGS.data_dir)
    stamp = max((p.stat().st_mtime for p in folder.glob("*") if p.is_file()), default=0.0)
    key = (str(folder.resolve()), stamp)
    if key not in _CACHE:
        boundaries = read_boundaries(folder)
        resources, report = read_resources(folder, boundaries)
        _CACHE.clear()
        _CACHE[key] = Dataset(boundaries, resources, read_population(folder),
                              read_water(folder), None, True, report)
    return _CACHE[key].for_city(city)
