"""Flood command: read a flood extent, find what and who is under water, allocate relief, dispatch.

An extent is one or more WGS84 polygons (drawn, uploaded through :func:`read_extent`, or a demo
scenario from :func:`scenarios`). :func:`impact` answers the questions command staff ask during a
flood: which resources are flooded or at risk (within a buffer in metres), how many people and
households live in the extent (by district and by town), how the dry relief stores should
supply the affected districts (a transport linear programme on HiGHS, with the shortfall), and
which rescue teams reach the flood zone first. :func:`assign_teams` sends teams to several
incident points at once (a linear assignment minimising total ETA).

Every distance is computed in metres in the dataset's metric CRS (EPSG:4549 in south Jiangsu),
as ground distances (:class:`geo.distance.Projector`); travel times come from
:mod:`geo.travel`.
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.optimize import linear_sum_assignment, linprog
from scipy.spatial import cKDTree

from geo.crs import to_wgs84
from geo.datasets import Dataset
from geo.distance import Projector
from geo.errors import ValidationError
from geo.nearest import origins_lonlat
from geo.schema import RELIEF_ITEMS
from geo.settings import DATA_DIR, SETTINGS, Settings
from geo.travel import travel_model
from geo.usable import DEFAULT, UsabilityPolicy, policy_of, usable_mask
from geo.validate import Report

__all__ = [
    "AT_RISK",
    "EXTENT_FORMATS",
    "FLOODED",
    "SCENARIO_DIR",
    "FloodImpact",
    "allocate",
    "assign_teams",
    "default_needs",
    "impact",
    "read_extent",
    "scenarios",
]

WGS84 = "EPSG:4326"
FLOODED = "flooded"
AT_RISK = "at_risk"
#: File types :func:`read_extent` reads (GeoJSON, KML/KMZ, zipped Shapefile, GeoPackage).
EXTENT_FORMATS: tuple[str, ...] = (".geojson", ".json", ".kml", ".kmz", ".zip", ".gpkg")
#: Shapefile members a zipped extent must hold (geometry, attributes, coordinate system).
SHAPEFILE_PARTS: tuple[str, ...] = (".shp", ".dbf", ".prj")
#: Parts smaller than this (m²) after repair are dropped as zero-area slivers.
MIN_PART_AREA_M2 = 1.0
#: Share of an extent's area outside the boundaries above which the reader warns (0..1).
OUTSIDE_WARN_SHARE = 0.001
#: Demo flood scenarios (``data/flood_scenarios/<key>.geojson``), illustrative only.
SCENARIO_DIR = DATA_DIR / "flood_scenarios"
SCENARIO_KEYS: tuple[str, ...] = ("jurong_dantu_waterlogging", "zhenjiang_yangtze_riverside",
                                  "wuxi_taihu_canal")
_M_PER_KM = 1000.0


# --- reading an extent ---------------------------------------------------------------------

def _empty_extent() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": pd.Series(dtype="string")},
                            geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _zip_target(raw: bytes, path: Path, report: Report) -> str | None:
    """The GDAL path of the shapefile in a zip; None (problem reported) when a part is missing."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [n for n in archive.namelist() if not Path(n).name.startswith(".")]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.add(None, None, code="bad_vector_file",
                   params={"ext": ".zip", "error_type": type(exc).__name__})
        return None
    shapes = sorted(n for n in names if n.lower().endswith(".shp"))
    listed = ", ".join(Path(n).name for n in names[:10]) or "-"
    if not shapes:
        report.add(None, None, code="no_shapefile_in_zip", params={"files": listed})
        return None
    stem = shapes[0][:-4].lower()
    have = {n.lower() for n in names}
    missing = [ext for ext in SHAPEFILE_PARTS if stem + ext not in have]
    if missing:
        report.add(None, None, code="shapefile_incomplete",
                   params={"missing": ", ".join(missing), "files": listed})
        return None
    return f"/vsizip/{path}/{shapes[0]}"


def _read_first_layer(target: str, ext: str, report: Report) -> gpd.GeoDataFrame | None:
    """Every feature of the first layer that has any (pyogrio); None with a problem otherwise."""
    import warnings

    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's notes on odd files are not the user's
            layers = [str(name) for name, _ in pyogrio.list_layers(target)]
            for name in layers:
                frame = pyogrio.read_dataframe(target, layer=name)
                if len(frame):
                    return frame
    except Exception as exc:  # pyogrio/GDAL raise several types for one broken file
        report.add(None, None, code="bad_vector_file",
                   params={"ext": ext, "error_type": type(exc).__name__})
        return None
    report.add(None, None, code="empty_layer", params={"layer": layers[0] if layers else ""})
    return None


def _to_wgs84(frame: gpd.GeoDataFrame, report: Report, source_crs: str, layer: str
              ) -> gpd.GeoDataFrame | None:
    """The layer in WGS84: reprojected, assumed when it has no CRS but lon/lat coordinates."""
    if frame.crs is None:
        xy = shapely.get_coordinates(np.asarray(frame.geometry.values, dtype=object))
        lonlat = bool(len(xy)) and bool((np.abs(xy[:, 0]) <= 180).all()
                                         and (np.abs(xy[:, 1]) <= 90).all())
        if not lonlat:
            report.add(None, None, code="vector_no_crs", params={"layer": layer})
            return None
        report.add(None, None, code="extent_crs_assumed", params={}, severity="warning")
        frame = frame.set_crs(WGS84)
    elif not CRS(frame.crs).equals(CRS(WGS84)):
        frame = frame.to_crs(WGS84)
    if source_crs != "wgs84":
        frame = to_wgs84(frame, source_crs)
    return frame


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Each geometry's polygonal part (None if none) and how many had other parts dropped."""
    out = np.empty(len(geoms), dtype=object)
    dropped = 0
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            out[i] = None
            continue
        parts = shapely.get_parts(geom)
        while any(p.geom_type == "GeometryCollection" for p in parts):
            parts = np.concatenate([shapely.get_parts(p) for p in parts])
        keep = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
        dropped += len(keep) != len(parts)
        out[i] = shapely.union_all(keep) if keep else None
    return out, dropped


def _clean(frame: gpd.GeoDataFrame, report: Report, metric_crs: str
           ) -> gpd.GeoDataFrame | None:
    """Repair invalid polygons, drop empty and zero-area parts; refuse lines and points only."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    kinds = sorted({g.geom_type for g in geoms if g is not None and not g.is_empty})
    polys, dropped = _polygon_parts(geoms)
    if all(p is None for p in polys):
        report.add(None, None, code="extent_not_polygon", params={"geometry": ", ".join(kinds)
                                                                   or "-"})
        return None
    if dropped:
        report.add(None, None, code="extent_parts_dropped", params={"n": int(dropped)},
                   severity="warning")
    present = np.array([p is not None for p in polys])
    invalid = present.copy()
    invalid[present] = ~shapely.is_valid(polys[present].astype(object))
    if invalid.any():
        repaired, _ = _polygon_parts(shapely.make_valid(polys[invalid].astype(object)))
        polys[invalid] = repaired
        report.add(None, None, code="extent_repaired", params={"n": int(invalid.sum())},
                   severity="warning")
    # zero-area parts: measured in metres, never in degrees
    projector = Projector(metric_crs)
    n_dropped = 0
    for i, poly in enumerate(polys):
        if poly is None:
            n_dropped += 1
            continue
        parts = shapely.get_parts(poly)
        metric = shapely.transform(parts, lambda c: projector.project(c[:, 0], c[:, 1]))
        keep = shapely.area(metric) >= MIN_PART_AREA_M2
        n_dropped += int((~keep).sum())
        polys[i] = shapely.union_all(parts[keep]) if keep.any() else None
    if n_dropped:
        report.add(None, None, code="extent_empty_parts", params={"n": n_dropped},
                   severity="warning")
    present = np.array([p is not None for p in polys])
    if not present.any():
        report.add(None, None, code="extent_no_area", params={})
        return None
    attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))[present].reset_index(drop=True)
    return gpd.GeoDataFrame(attrs, geometry=list(polys[present]), crs=WGS84)


def _check_inside(frame: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame, report: Report,
                  metric_crs: str) -> bool:
    """Refuse an extent entirely outside the boundaries; warn when part of it is outside."""
    area = shapely.union_all(np.asarray(boundaries.geometry.values, dtype=object))
    extent = shapely.union_all(np.asarray(frame.geometry.values, dtype=object))
    if not shapely.intersects(area, extent):
        report.add(None, None, code="extent_outside_area", params={})
        return False
    to_m = gpd.GeoSeries([extent, shapely.difference(extent, area)], crs=WGS84).to_crs(metric_crs)
    total, outside = (float(a) for a in to_m.area)
    share = outside / total if total > 0 else 0.0
    if share > OUTSIDE_WARN_SHARE:
        report.add(None, None, code="extent_partly_outside",
                   params={"percent": round(100.0 * share, 1)}, severity="warning")
    return True


def read_extent(data: bytes | str, filename: str, *, boundaries: gpd.GeoDataFrame | None = None,
                max_bytes: int | None = None, source_crs: str = "wgs84"
                ) -> tuple[gpd.GeoDataFrame, Report]:
    """Read a flood extent file into WGS84 polygons, repairing what can be repaired.

    Parameters
    ----------
    data : bytes or str
        The file's content (text is encoded as UTF-8).
    filename : str
        Its name; the suffix picks the format (:data:`EXTENT_FORMATS`: GeoJSON, KML/KMZ,
        a zipped Shapefile with its ``.shp``, ``.dbf`` and ``.prj``, GeoPackage).
    boundaries : GeoDataFrame, optional
        District polygons (WGS84); an extent entirely outside them is refused, one partly
        outside gets a warning. None: not checked.
    max_bytes : int, optional
        Size cap, checked before parsing (default: settings ``max_upload_mb``).
    source_crs : {"wgs84", "gcj02", "bd09"}, default "wgs84"
        The datum of the lon/lat coordinates: ``"gcj02"`` for a polygon drawn on an Amap or
        Tencent map (shifted back to WGS84 by :func:`geo.crs.to_wgs84`, ~500 m in Jiangsu).

    Returns
    -------
    extent : GeoDataFrame
        One (Multi)Polygon row per kept feature, WGS84, with the file's attributes; empty when
        the report has an error.
    report : Report
        Whole-file problems (``row`` None). Errors: ``upload_too_large``,
        ``unsupported_type``, ``empty_file``, ``bad_vector_file``, ``no_shapefile_in_zip``,
        ``shapefile_incomplete`` (missing ``.dbf``/``.prj``), ``empty_layer`` (no features),
        ``vector_no_crs`` (no CRS and coordinates that are not lon/lat), ``extent_not_polygon``
        (only lines or points), ``extent_no_area`` (only empty or zero-area parts),
        ``extent_outside_area``. Warnings: ``extent_crs_assumed`` (no CRS, taken as WGS84),
        ``extent_repaired`` (self-intersections fixed by ``shapely.make_valid``),
        ``extent_empty_parts``, ``extent_parts_dropped`` (lines or points beside polygons),
        ``extent_partly_outside``. Never raises for bad content.
    """
    report = Report()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    ext = Path(str(filename)).suffix.lower()
    limit = int(max_bytes if max_bytes is not None else SETTINGS.max_upload_mb * 1e6)
    if len(raw) > limit:
        report.add(None, None, code="upload_too_large",
                   params={"size_mb": round(len(raw) / 1e6, 1), "limit_mb": round(limit / 1e6, 1)})
        return _empty_extent(), report
    if ext not in EXTENT_FORMATS:
        report.add(None, None, code="unsupported_type",
                   params={"ext": ext, "accepted": ", ".join(EXTENT_FORMATS)})
        return _empty_extent(), report
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.add(None, None, code="empty_file")
        return _empty_extent(), report
    source = str(source_crs).lower()
    with tempfile.TemporaryDirectory(prefix="rcd-extent-") as folder:
        path = Path(folder) / f"extent{ext}"
        path.write_bytes(raw)
        target: str | None = str(path)
        if ext == ".zip":
            target = _zip_target(raw, path, report)
        frame = None if target is None else _read_first_layer(target, ext, report)
    if frame is None:
        return _empty_extent(), report
    frame = _to_wgs84(frame, report, source, Path(str(filename)).name)
    if frame is None:
        return _empty_extent(), report
    metric = Projector.for_data(frame).metric_crs
    cleaned = _clean(frame, report, metric)
    if cleaned is None:
        return _empty_extent(), report
    if boundaries is not None and not _check_inside(cleaned, boundaries.to_crs(WGS84), report,
                                                    metric):
        return _empty_extent(), report
    report.n_rows = len(cleaned)
    return cleaned, report


def scenarios(data_dir: str | Path | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The demo flood scenarios (illustrative polygons, not observed floods), by key.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``<key>.geojson`` (default: ``data/flood_scenarios``).

    Returns
    -------
    dict of str to GeoDataFrame
        WGS84 polygons with ``name_zh``, ``name_en`` and ``note`` ("illustrative"), in the
        order of :data:`SCENARIO_KEYS`.
    """
    folder = Path(data_dir) if data_dir is not None else SCENARIO_DIR
    out = {}
    for key in SCENARIO_KEYS:
        frame = gpd.read_file(folder / f"{key}.geojson")
        out[key] = frame if frame.crs is not None else frame.set_crs(WGS84)
    return out


# --- impact ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FloodImpact:
    """What a flood extent hits and what to send; every frame in WGS84, distances in metres.

    Attributes
    ----------
    extent : shapely geometry
        The union of the extent polygons (WGS84).
    zone : shapely geometry
        The extent grown by ``buffer_m`` (WGS84; equals ``extent`` when the buffer is 0).
    buffer_m : float
        The at-risk buffer in metres (buffered in the dataset's metric CRS).
    resources : GeoDataFrame
        Resources inside the zone, with ``zone`` = ``"flooded"`` (in the extent) or
        ``"at_risk"`` (in the buffer only).
    excluded_ids : tuple of str
        Their ids, for ``exclude=`` of :func:`geo.nearest.nearest` and coverage.
    people : int
        People of grid cells whose centre lies in the extent (inside or on its edge).
    households : float
        ``people / household_size``.
    household_size : float
        People per household used.
    needs : dict
        Items needed per household (``family_kit``: 1.0, ...).
    by_district : DataFrame
        ``city``, ``district``, ``cells``, ``people``, ``households`` and ``need_<item>``
        (households x need, rounded up, per item).
    by_town : DataFrame
        ``city``, ``district``, ``town`` (nearest town seat of each affected cell), ``cells``,
        ``people``, ``households``; empty when the dataset has no towns.
    allocation : DataFrame
        ``store``, ``store_name``, ``city``, ``district``, ``item``, ``quantity`` (int),
        ``distance_m``: what each dry usable store sends to each affected district.
    shortfall : DataFrame
        ``district``, ``item``, ``quantity`` (int > 0): demand the stores cannot meet.
    dispatch : DataFrame
        ``team``, ``name``, ``specialty``, ``target`` ("extent"), ``eta_min``, ``distance_m``,
        ``rank``: available teams outside the extent by ETA, water-rescue teams first.
    cells : numpy.ndarray of int
        Positions (in ``dataset.population``) of the affected cells.
    """

    extent: Any
    zone: Any
    buffer_m: float
    resources: gpd.GeoDataFrame
    excluded_ids: tuple[str, ...]
    people: int
    households: float
    household_size: float
    needs: dict[str, float]
    by_district: pd.DataFrame
    by_town: pd.DataFrame
    allocation: pd.DataFrame
    shortfall: pd.DataFrame
    dispatch: pd.DataFrame
    cells: np.ndarray = field(repr=False)


def default_needs(settings: Settings = SETTINGS) -> dict[str, float]:
    """Items per affected household from the settings (``flood_need_<item>``), zeros left out."""
    out = {item: float(getattr(settings, f"flood_need_{item}")) for item in RELIEF_ITEMS}
    return {item: rate for item, rate in out.items() if rate > 0}


def _extent_geometry(extent: Any) -> Any:
    """The union of a WGS84 geometry or GeoDataFrame/GeoSeries as one polygonal geometry."""
    if isinstance(extent, (gpd.GeoDataFrame, gpd.GeoSeries)):
        frame = extent
        if frame.crs is not None and not CRS(frame.crs).equals(CRS(WGS84)):
            frame = frame.to_crs(WGS84)
        geoms = np.asarray(frame.geometry.values if isinstance(frame, gpd.GeoDataFrame)
                           else frame.values, dtype=object)
        geom = shapely.union_all(geoms) if len(geoms) else shapely.Polygon()
    elif isinstance(extent, shapely.Geometry):
        geom = extent
    else:
        msg = f"extent must be a shapely geometry or GeoDataFrame, got {type(extent).__name__}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "extent", "value": type(extent).__name__,
                                      "expected": "Polygon / GeoDataFrame"})
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys, _ = _polygon_parts(np.array([geom], dtype=object))
    if polys[0] is None or polys[0].is_empty:
        msg = f"extent must hold a polygon with an area, got {geom.geom_type}"
        raise ValidationError(msg, code="extent_no_area", params={})
    return polys[0]


def _check_number(name: str, value: Any, *, strict: bool) -> float:
    number = float(value)
    ok = math.isfinite(number) and (number > 0 if strict else number >= 0)
    if not ok:
        expected = "> 0" if strict else ">= 0"
        msg = f"{name} must be a finite number {expected}, got {value!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": name, "value": str(value), "expected": expected})
    return number


def _check_needs(needs: Mapping[str, float] | None) -> dict[str, float]:
    if needs is None:
        return default_needs()
    out = {}
    for item, rate in dict(needs).items():
        if item not in RELIEF_ITEMS:
            msg = f"needs: unknown item {item!r}; items are {', '.join(RELIEF_ITEMS)}"
            raise ValidationError(msg, code="bad_argument",
                                  params={"name": "needs", "value": str(item),
                                          "expected": " | ".join(RELIEF_ITEMS)})
        value = _check_number(f"needs[{item!r}]", rate, strict=False)
        if value > 0:
            out[item] = value
    return out


def _lonlat(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    return shapely.get_x(geoms).astype("float64"), shapely.get_y(geoms).astype("float64")


def _in_geometry(geom: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where (lon, lat) lies in ``geom`` or on its edge; bbox prefilter, prepared geometry."""
    out = np.zeros(len(lon), dtype=bool)
    if geom.is_empty or not len(lon):
        return out
    x0, y0, x1, y1 = geom.bounds
    box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    if box.any():
        shapely.prepare(geom)
        out[box] = shapely.intersects_xy(geom, lon[box], lat[box])
    return out


def _metric(geom: Any, projector: Projector) -> Any:
    return shapely.transform(geom, lambda c: projector.project(c[:, 0], c[:, 1]))


def _zone(extent: Any, buffer_m: float, projector: Projector) -> tuple[Any, Any]:
    """(zone in WGS84, zone in metres): the extent grown by ``buffer_m`` in the metric CRS."""
    if buffer_m <= 0:
        return extent, _metric(extent, projector)
    grown = shapely.buffer(_metric(extent, projector), buffer_m, quad_segs=8)
    back = gpd.GeoSeries([grown], crs=projector.metric_crs).to_crs(WGS84).iloc[0]
    # a point is at risk when it is within buffer_m metres of the extent (tested in metres)
    return shapely.union(back, extent), grown


def _classify_resources(resources: gpd.GeoDataFrame, extent: Any, zone_m: Any,
                        buffer_m: float, projector: Projector) -> np.ndarray:
    """Per resource: "flooded", "at_risk" or None."""
    lon, lat = _lonlat(resources)
    flooded = _in_geometry(extent, lon, lat)
    at_risk = np.zeros(len(lon), dtype=bool)
    if buffer_m > 0 and len(lon):
        xy = projector.project(lon, lat)
        shapely.prepare(zone_m)
        at_risk = shapely.intersects_xy(zone_m, xy[:, 0], xy[:, 1]) & ~flooded
    out = np.full(len(lon), None, dtype=object)
    out[flooded] = FLOODED
    out[at_risk] = AT_RISK
    return out


def _people_tables(population: gpd.GeoDataFrame, cells: np.ndarray, towns: gpd.GeoDataFrame,
                   size: float, needs: dict[str, float], projector: Projector
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """by_district, by_town and the demand points (population-weighted centroid per district)."""
    hit = population.iloc[cells]
    lon, lat = _lonlat(hit)
    pop = hit["pop"].to_numpy(dtype="float64")
    xy = projector.project(lon, lat)
    frame = pd.DataFrame({"city": hit["city"].astype(str).to_numpy(),
                          "district": hit["district"].astype(str).to_numpy(), "pop": pop,
                          "wx": xy[:, 0] * pop, "wy": xy[:, 1] * pop, "x": xy[:, 0],
                          "y": xy[:, 1]})
    grouped = frame.groupby(["city", "district"], sort=True)
    by_district = grouped.agg(cells=("pop", "size"), people=("pop", "sum"), wx=("wx", "sum"),
                              wy=("wy", "sum"), x=("x", "mean"), y=("y", "mean")).reset_index()
    by_district["people"] = by_district["people"].round().astype("int64")
    by_district["households"] = by_district["people"] / size
    for item, rate in needs.items():
        by_district[f"need_{item}"] = np.ceil(
            np.round(by_district["households"].to_numpy() * rate, 9)).astype("int64")
    weight = by_district["people"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        px = np.where(weight > 0, by_district["wx"] / np.where(weight > 0, weight, 1),
                      by_district["x"])
        py = np.where(weight > 0, by_district["wy"] / np.where(weight > 0, weight, 1),
                      by_district["y"])
    points = pd.DataFrame({"city": by_district["city"], "district": by_district["district"],
                           "x": px, "y": py})
    by_district = by_district.drop(columns=["wx", "wy", "x", "y"])
    town_cols = ["city", "district", "town", "cells", "people", "households"]
    if len(towns) and len(hit):
        tlon, tlat = _lonlat(towns)
        tree = cKDTree(projector.project(tlon, tlat))
        _, nearest = tree.query(xy)
        frame["town"] = towns["name"].astype(str).to_numpy()[nearest]
        frame["town_city"] = towns["city"].astype(str).to_numpy()[nearest]
        frame["town_district"] = towns["district"].astype(str).to_numpy()[nearest]
        by_town = (frame.groupby(["town_city", "town_district", "town"], sort=True)
                   .agg(cells=("pop", "size"), people=("pop", "sum")).reset_index()
                   .rename(columns={"town_city": "city", "town_district": "district"}))
        by_town["people"] = by_town["people"].round().astype("int64")
        by_town["households"] = by_town["people"] / size
        by_town = by_town.sort_values("people", ascending=False, kind="stable")
        by_town = by_town.reset_index(drop=True)[town_cols]
    else:
        by_town = pd.DataFrame({c: pd.Series(dtype="object") for c in town_cols})
    return by_district, by_town, points


_ALLOCATION_COLUMNS = ["store", "store_name", "city", "district", "item", "quantity",
                       "distance_m"]


def allocate(stock: np.ndarray, demand: np.ndarray, cost_m: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Ship one item from stores to districts: deliver as much as possible, then fewest item-km.

    The problem is a balanced transportation problem. The most any plan can deliver is
    ``min(total stock, total demand)`` (every store can reach every district), so a zero-cost
    dummy store holding ``total demand - total stock`` (or a dummy district taking the surplus
    stock) balances it; minimising the cost then minimises item-km among the plans that deliver
    the most (the two stages "max delivered, then min cost" in one solve). Its constraint
    matrix is totally unimodular, so with whole stock and demand the optimum is whole; it is
    solved by HiGHS (``scipy.optimize.linprog``) with ``integrality=1`` to make that explicit,
    and checked.

    Parameters
    ----------
    stock : array of int, shape (m,)
        Units each store can send (>= 0).
    demand : array of int, shape (n,)
        Units each district needs (>= 0).
    cost_m : array of float, shape (m, n)
        Ground metres store -> district demand point.

    Returns
    -------
    ship : numpy.ndarray of int64, shape (m, n)
        Units sent; row sums <= stock, column sums <= demand.
    shortfall : numpy.ndarray of int64, shape (n,)
        ``demand - ship.sum(axis=0)``, exactly.

    Raises
    ------
    ValidationError
        For negative or fractional quantities or a cost matrix of the wrong shape.
    RuntimeError
        When HiGHS reports no optimum (cannot happen for a balanced problem).
    """
    stock = np.asarray(stock, dtype="float64")
    demand = np.asarray(demand, dtype="float64")
    cost = np.asarray(cost_m, dtype="float64")
    m, n = len(stock), len(demand)
    if cost.shape != (m, n):
        msg = f"cost_m must have shape ({m}, {n}), got {cost.shape}"
        raise ValidationError(msg)
    for name, arr in (("stock", stock), ("demand", demand)):
        if (arr < 0).any() or (np.round(arr) != arr).any():
            msg = f"{name} must be whole numbers >= 0, got {arr.tolist()}"
            raise ValidationError(msg)
    ship = np.zeros((m, n), dtype="int64")
    if m == 0 or n == 0 or stock.sum() == 0 or demand.sum() == 0:
        return ship, demand.astype("int64") - ship.sum(axis=0)
    gap = demand.sum() - stock.sum()
    # balance with a dummy row (missing stock) or column (surplus stock), both at cost 0
    s = np.append(stock, max(gap, 0.0))
    d = np.append(demand, max(-gap, 0.0))
    c = np.zeros((m + 1, n + 1))
    c[:m, :n] = cost / _M_PER_KM  # item-km keeps the numbers well scaled
    rows, cols = m + 1, n + 1
    a_eq = np.zeros((rows + cols, rows * cols))
    for i in range(rows):
        a_eq[i, i * cols:(i + 1) * cols] = 1.0
    for j in range(cols):
        a_eq[rows + j, j::cols] = 1.0
    b_eq = np.concatenate([s, d])
    res = linprog(c.ravel(), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs",
                  integrality=np.ones(rows * cols))
    if res.status != 0 or res.x is None:
        msg = f"relief allocation has no optimum: {res.message}"
        raise RuntimeError(msg)
    x = np.rint(res.x.reshape(rows, cols)).astype("int64")
    if np.abs(res.x.reshape(rows, cols) - x).max() > 1e-6:
        msg = "relief allocation: HiGHS returned a fractional plan"
        raise RuntimeError(msg)
    ship = x[:m, :n]
    if (ship.sum(axis=1) > stock).any() or (ship.sum(axis=0) > demand).any():
        msg = "relief allocation: the rounded plan breaks a stock or demand limit"
        raise RuntimeError(msg)
    return ship, demand.astype("int64") - ship.sum(axis=0)


def _allocation(stores: gpd.GeoDataFrame, points: pd.DataFrame, by_district: pd.DataFrame,
                needs: dict[str, float], projector: Projector
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Allocation and shortfall frames over every needed item."""
    alloc_rows: list[dict[str, Any]] = []
    short_rows: list[dict[str, Any]] = []
    if len(stores):
        slon, slat = _lonlat(stores)
        sxy = projector.project(slon, slat)
    else:
        sxy = np.zeros((0, 2))
    dxy = points[["x", "y"]].to_numpy(dtype="float64")
    cost = projector.ground_m(sxy[:, None, :], dxy[None, :, :]) if len(dxy) else np.zeros(
        (len(sxy), 0))
    for item in needs:
        column = f"stock_{item}"
        stock = (pd.to_numeric(stores[column], errors="coerce").fillna(0).to_numpy("float64")
                 if column in stores else np.zeros(len(stores)))
        demand = by_district[f"need_{item}"].to_numpy(dtype="float64")
        ship, short = allocate(stock, demand, cost)
        for i, j in zip(*np.nonzero(ship), strict=True):
            alloc_rows.append({"store": str(stores["id"].iloc[i]),
                               "store_name": str(stores["name"].iloc[i]),
                               "city": str(by_district["city"].iloc[j]),
                               "district": str(by_district["district"].iloc[j]),
                               "item": item, "quantity": int(ship[i, j]),
                               "distance_m": float(cost[i, j])})
        for j in np.flatnonzero(short > 0):
            short_rows.append({"district": str(by_district["district"].iloc[j]), "item": item,
                               "quantity": int(short[j])})
    allocation = pd.DataFrame(alloc_rows, columns=_ALLOCATION_COLUMNS).astype(
        {"quantity": "int64", "distance_m": "float64"})
    shortfall = pd.DataFrame(short_rows, columns=["district", "item", "quantity"]).astype(
        {"quantity": "int64"})
    return allocation, shortfall


_TEAM_COLUMNS = ["team", "name", "specialty", "target", "eta_min", "distance_m", "rank"]


def _available_teams(resources: gpd.GeoDataFrame, policy: UsabilityPolicy, at: Any,
                     exclude: Iterable[str]) -> gpd.GeoDataFrame:
    teams = resources[(resources["kind"] == "rescue_team").fillna(False).to_numpy(bool)]
    if not len(teams):
        return teams
    ok = usable_mask(teams, at, policy) & ~teams["id"].astype(str).isin(
        [str(i) for i in exclude]).to_numpy(bool)
    return teams[ok]


def _dispatch(resources: gpd.GeoDataFrame, extent: Any, policy: UsabilityPolicy, at: Any,
              water: bool, deployed: Iterable[str], projector: Projector) -> pd.DataFrame:
    """Available teams outside the extent ranked by ETA to its nearest point."""
    teams = _available_teams(resources, policy, at, deployed)
    if len(teams):
        lon, lat = _lonlat(teams)
        teams = teams[~_in_geometry(extent, lon, lat)]
    if not len(teams):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _TEAM_COLUMNS})
    lon, lat = _lonlat(teams)
    txy = projector.project(lon, lat)
    extent_m = _metric(extent, projector)
    lines = shapely.shortest_line(shapely.points(txy), extent_m)
    near = shapely.get_coordinates(lines).reshape(-1, 2, 2)[:, 1, :]
    distance = projector.ground_m(txy, near)
    eta = travel_model().minutes(distance, "rescue_team")
    specialty = teams["specialty"].astype(str).to_numpy()
    out = pd.DataFrame({"team": teams["id"].astype(str).to_numpy(),
                        "name": teams["name"].astype(str).to_numpy(), "specialty": specialty,
                        "target": "extent", "eta_min": eta, "distance_m": distance})
    out["_first"] = (specialty != "water_rescue") if water else False
    out = out.sort_values(["_first", "eta_min", "team"], kind="stable").drop(columns="_first")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def impact(dataset: Dataset, extent: Any, buffer_m: float = 0.0, *,
           policy: UsabilityPolicy | str | None = None, at: Any = None,
           household_size: float | None = None, needs: Mapping[str, float] | None = None,
           water: bool = True, deployed: Iterable[str] = ()) -> FloodImpact:
    """What a flood extent hits (resources, people), relief allocation and team dispatch.

    Parameters
    ----------
    dataset : Dataset
        The data (WGS84); distances in its metric CRS (``dataset.metric_crs``).
    extent : shapely geometry, GeoDataFrame or GeoSeries
        The flooded area in WGS84 (a frame in another CRS is reprojected); several polygons
        are united. Invalid polygons are repaired with ``shapely.make_valid``.
    buffer_m : float, default 0
        At-risk band around the extent in metres (grown in the metric CRS, never in degrees).
    policy : UsabilityPolicy or str, optional
        Which stores and teams are usable (default :data:`geo.usable.DEFAULT`).
    at : datetime, optional
        When: usability (opening hours, expiry) is judged at this time; None checks status.
    household_size : float, optional
        People per household (default settings ``household_size``: 2.6, the Jiangsu average
        in the 2020 census).
    needs : mapping of item to float, optional
        Items per household, keys of :data:`geo.schema.RELIEF_ITEMS` (default settings
        ``flood_need_*``: family kit 1, quilt 2, water case 1, life jacket 0.5).
    water : bool, default True
        The hazard is water: water-rescue teams rank first in ``dispatch``.
    deployed : iterable of str
        Ids of teams already deployed elsewhere (never dispatched).

    Returns
    -------
    FloodImpact
        People count the grid cells whose centre point lies in the extent itself (inside or
        on its edge; the buffer marks resources at risk, not people). Households are people
        / household size; each district's need of an item is households x need rounded up.
        Stores supply only when usable and outside the extent and the buffer; each district
        is served at the population-weighted centroid of its affected cells (see
        :func:`allocate` for the programme). Teams inside the extent or deployed are not
        dispatched; ETAs use :mod:`geo.travel` (drive, circuity, turnout) to the nearest
        point of the extent.

    Raises
    ------
    ValidationError
        ``code="bad_argument"`` for a negative buffer, a household size <= 0 or an unknown
        item; ``code="extent_no_area"`` for an extent with no polygon area.
    """
    buffer_m = _check_number("buffer_m", buffer_m, strict=False)
    size = _check_number("household_size", SETTINGS.household_size if household_size is None
                         else household_size, strict=True)
    rates = _check_needs(needs)
    rule = policy_of(policy) if policy is not None else DEFAULT
    geom = _extent_geometry(extent)
    projector = Projector(dataset.metric_crs)
    zone, zone_m = _zone(geom, buffer_m, projector)

    resources = dataset.resources
    labels = _classify_resources(resources, geom, zone_m, buffer_m, projector)
    hit = labels != None  # noqa: E711 - element-wise on an object array
    affected = resources[hit].copy()
    affected["zone"] = labels[hit]
    affected = affected.reset_index(drop=True)
    excluded = tuple(affected["id"].astype(str))

    plon, plat = _lonlat(dataset.population)
    cells = np.flatnonzero(_in_geometry(geom, plon, plat))
    people = round(float(dataset.population["pop"].to_numpy("float64")[cells].sum()))
    by_district, by_town, points = _people_tables(dataset.population, cells, dataset.towns,
                                                  size, rates, projector)

    stores = resources[((resources["kind"] == "relief_store").fillna(False).to_numpy(bool))
                       & ~hit]
    if len(stores):
        stores = stores[usable_mask(stores, at, rule)]
    allocation, shortfall = _allocation(stores, points, by_district, rates, projector)
    dispatch = _dispatch(resources, geom, rule, at, water, deployed, projector)
    return FloodImpact(extent=geom, zone=zone, buffer_m=buffer_m, resources=affected,
                       excluded_ids=excluded, people=people, households=people / size,
                       household_size=size, needs=rates, by_district=by_district,
                       by_town=by_town, allocation=allocation, shortfall=shortfall,
                       dispatch=dispatch, cells=cells)


# --- several incidents ----------------------------------------------------------------------

_ASSIGN_COLUMNS = ["incident", "team", "name", "eta_min", "distance_m"]


def assign_teams(dataset: Dataset, points: Any, *, exclude: Iterable[str] = (),
                 water: bool = True, deployed: Iterable[str] = (),
                 policy: UsabilityPolicy | str | None = None, at: Any = None) -> pd.DataFrame:
    """Send one available team to each incident point, minimising the total ETA.

    Parameters
    ----------
    dataset : Dataset
        The data; rescue teams are its ``kind == "rescue_team"`` resources.
    points : GeoDataFrame, sequence of (lon, lat) or (n, 2) array
        Incident points in WGS84 (see :func:`geo.nearest.origins_lonlat`). A frame's ``id``
        column names the incidents; otherwise they are numbered 0, 1, ...
    exclude : iterable of str
        Resource ids left out (e.g. ``FloodImpact.excluded_ids``: teams under water).
    water : bool, default True
        Water hazard: as many incidents as possible get a water-rescue team, then the total
        ETA is minimised (a lexicographic objective: each other team costs a penalty larger
        than any total ETA). False: only the total ETA counts.
    deployed : iterable of str
        Ids of teams already out; never assigned.
    policy : UsabilityPolicy or str, optional
        Which teams are usable (default :data:`geo.usable.DEFAULT`).
    at : datetime, optional
        When usability is judged.

    Returns
    -------
    DataFrame
        One row per incident, in input order: ``incident``, ``team``, ``name``, ``eta_min``,
        ``distance_m``; with fewer teams than incidents, unassigned incidents have NA team.
        Solved by ``scipy.optimize.linear_sum_assignment`` (rectangular allowed).
    """
    lon, lat = origins_lonlat(points)
    if isinstance(points, gpd.GeoDataFrame) and "id" in points.columns:
        names = points["id"].astype(str).tolist()
    else:
        names = list(range(len(lon)))
    rule = policy_of(policy) if policy is not None else DEFAULT
    teams = _available_teams(dataset.resources, rule, at, [*map(str, exclude),
                                                            *map(str, deployed)])
    out = pd.DataFrame({"incident": names, "team": pd.Series([pd.NA] * len(names),
                                                             dtype="string"),
                        "name": pd.Series([pd.NA] * len(names), dtype="string"),
                        "eta_min": np.full(len(names), np.nan),
                        "distance_m": np.full(len(names), np.nan)})
    if not len(teams) or not len(names):
        return out[_ASSIGN_COLUMNS]
    projector = Projector(dataset.metric_crs)
    tlon, tlat = _lonlat(teams)
    txy = projector.project(tlon, tlat)
    ixy = projector.project(lon, lat)
    distance = projector.ground_m(ixy[:, None, :], txy[None, :, :])
    eta = travel_model().minutes(distance, "rescue_team")
    cost = eta.copy()
    if water:
        other = teams["specialty"].astype(str).to_numpy() != "water_rescue"
        cost = cost + np.where(other, float(eta.max()) * min(len(names), len(teams)) + 1.0,
                               0.0)[None, :]
    rows, cols = linear_sum_assignment(cost)
    out.loc[rows, "team"] = teams["id"].astype(str).to_numpy()[cols]
    out.loc[rows, "name"] = teams["name"].astype(str).to_numpy()[cols]
    out.loc[rows, "eta_min"] = eta[rows, cols]
    out.loc[rows, "distance_m"] = distance[rows, cols]
    return out[_ASSIGN_COLUMNS]
