"""Layer filters on the resource table: kind, district, status, 24-hour access, team specialty."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.errors import ValidationError


def _check(values: Iterable[str] | None, allowed: Iterable[str], name: str) -> set[str] | None:
    if values is None:
        return None
    chosen = {str(v) for v in values}
    unknown = sorted(chosen - set(allowed))
    if unknown:
        msg = f"{name} has unknown value(s) {unknown}; allowed: {sorted(allowed)}"
        raise ValidationError(msg)
    return chosen


def is_24h(hours: pd.Series) -> pd.Series:
    """True where the hours say the resource is always reachable ("24h" or empty)."""
    text = hours.astype("string").fillna("").str.strip().str.lower()
    return text.isin(["", "24h", "00:00-24:00", "00:00-23:59"])


def filter_resources(
    resources: gpd.GeoDataFrame,
    *,
    kinds: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    only_24h: bool = False,
    specialties: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Return the resources that pass every given filter (None means "no filter").

    ``only_24h`` keeps resources open around the clock. ``specialties`` restricts rescue teams
    only; other kinds pass through it unchanged.
    """
    keep = pd.Series(True, index=resources.index)
    chosen = _check(kinds, schema.KINDS, "kinds")
    if chosen is not None:
        keep &= resources["kind"].isin(chosen)
    if districts is not None:
        keep &= resources["district"].isin(list(districts))
    chosen = _check(statuses, schema.STATUSES, "statuses")
    if chosen is not None:
        keep &= resources["status"].isin(chosen)
    if only_24h:
        keep &= is_24h(resources["hours"])
    chosen = _check(specialties, schema.TEAM_SPECIALTIES, "specialties")
    if chosen is not None:
        keep &= (resources["kind"] != "rescue_team") | resources["specialty"].isin(chosen)
    return resources[keep.to_numpy()]
