"""Which resources can be used: one usability policy over status, opening hours and expiry.

A :class:`UsabilityPolicy` says which statuses count, whether expired AED pads/batteries count,
whether a resource must be open at the time asked and whether only 24 h resources count. Named
presets live in :data:`POLICIES`. :class:`Usability` parses a resource table once (hours through
:mod:`geo.hours`, the one opening-hours grammar) so each query is a few vectorised gathers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import ValidationError
from geo.hours import (
    CHINA_TZ,
    MINUTES_PER_DAY,
    CompiledHours,
    _bad_rows_message,
    compile_hours,
    week_minute,
)
from geo.schema import STATUSES

__all__ = [
    "CHINA_TZ", "DEFAULT", "EXPIRY_COLUMNS", "NEVER_EXPIRES_DAY", "PLANNER", "PLANNER_24H",
    "POLICIES", "REGISTRY", "Usability", "UsabilityPolicy", "local_time", "policy", "policy_of",
    "usable_mask",
]

#: Expiry columns checked against the query date (AED pads and battery).
EXPIRY_COLUMNS: tuple[str, ...] = ("pads_expiry", "battery_expiry")
#: Day number used for "unknown expiry" (treated as not expired).
NEVER_EXPIRES_DAY = np.iinfo(np.int64).max
#: Status code of a value outside :data:`geo.schema.STATUSES` (never usable).
_UNKNOWN_STATUS = len(STATUSES)


@dataclass(frozen=True, kw_only=True)
class UsabilityPolicy:
    """What "usable" means: which statuses count, and whether expiry and opening hours matter.

    Parameters
    ----------
    name : str, default "custom"
        Label shown in reports; the presets are ``"default"``, ``"planner"``, ``"planner_24h"``
        and ``"registry"`` (:data:`POLICIES`).
    statuses : iterable of str, default {"active"}
        Statuses that count (a subset of :data:`geo.schema.STATUSES`, not empty); a single
        string is one status. Stored as a frozenset.
    allow_expired : bool, default False
        Whether resources with expired AED pads or battery count.
    require_open : bool, default True
        Whether a resource must be open at ``at`` (only when ``at`` has a time of day).
    only_24h : bool, default False
        Whether only resources open around the clock every day count (with or without ``at``).

    Raises
    ------
    ValidationError
        For an empty or unknown status, a non-bool flag or an empty name.
    """

    name: str = "custom"
    statuses: frozenset[str] = frozenset({"active"})
    allow_expired: bool = False
    require_open: bool = True
    only_24h: bool = False
    _status_ok: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            msg = f"policy name must be a non-empty string, got {self.name!r}"
            raise ValidationError(msg)
        raw = self.statuses
        if isinstance(raw, str):
            raw = (raw,)
        if not isinstance(raw, Iterable):
            msg = f"policy statuses must be a set of statuses, got {raw!r}"
            raise ValidationError(msg)
        chosen = frozenset(str(s).strip().lower() for s in raw)
        if not chosen:
            msg = f"policy statuses must name at least one of {list(STATUSES)}, got none"
            raise ValidationError(msg)
        unknown = sorted(chosen - set(STATUSES))
        if unknown:
            msg = f"policy statuses has unknown value(s) {unknown}; allowed: {list(STATUSES)}"
            raise ValidationError(msg)
        for flag in ("allow_expired", "require_open", "only_24h"):
            value = getattr(self, flag)
            if not isinstance(value, bool | np.bool_):
                msg = f"policy {flag} must be True or False, got {value!r}"
                raise ValidationError(msg)
            object.__setattr__(self, flag, bool(value))
        object.__setattr__(self, "statuses", chosen)
        ok = np.array([s in chosen for s in STATUSES] + [False], dtype=bool)
        ok.flags.writeable = False
        object.__setattr__(self, "_status_ok", ok)


#: Nearest-resource default: active, pads/battery not expired, open at ``at``.
DEFAULT = UsabilityPolicy(name="default")
#: AED planner at a chosen hour: active, not expired, open at the hour asked.
PLANNER = UsabilityPolicy(name="planner")
#: AED planner, 24 h access only: as PLANNER, and only resources open around the clock.
PLANNER_24H = UsabilityPolicy(name="planner_24h", only_24h=True)
#: Installed equipment: every status, expired allowed, no opening-hours check.
REGISTRY = UsabilityPolicy(name="registry", statuses=frozenset(STATUSES), allow_expired=True,
                           require_open=False)
#: The named presets, by name.
POLICIES: dict[str, UsabilityPolicy] = {p.name: p for p in (DEFAULT, PLANNER, PLANNER_24H,
                                                              REGISTRY)}


def policy(name_or_obj: UsabilityPolicy | str) -> UsabilityPolicy:
    """Return the policy named ``name_or_obj`` (see :data:`POLICIES`), or the policy itself.

    Parameters
    ----------
    name_or_obj : UsabilityPolicy or str
        A policy object (returned unchanged) or a preset name.

    Returns
    -------
    UsabilityPolicy

    Raises
    ------
    ValidationError
        For an unknown name (the message lists the known ones) or another type.
    """
    if isinstance(name_or_obj, UsabilityPolicy):
        return name_or_obj
    if isinstance(name_or_obj, str):
        found = POLICIES.get(name_or_obj.strip().lower())
        if found is not None:
            return found
        msg = f"unknown usability policy {name_or_obj!r}; known: {sorted(POLICIES)}"
        raise ValidationError(msg)
    msg = f"policy must be a UsabilityPolicy or one of {sorted(POLICIES)}, got {name_or_obj!r}"
    raise ValidationError(msg)


def policy_of(name_or_obj: UsabilityPolicy | str | None) -> UsabilityPolicy:
    """Like :func:`policy`, with None meaning :data:`DEFAULT` (for optional arguments)."""
    return DEFAULT if name_or_obj is None else policy(name_or_obj)


def _ids_of(resources: pd.DataFrame) -> np.ndarray:
    if "id" in resources.columns:
        return resources["id"].astype(str).to_numpy(dtype=object)
    return np.array([f"row {i}" for i in range(len(resources))], dtype=object)


def _status_codes(values: pd.Series) -> np.ndarray:
    """Index into STATUSES per row (stripped, lower-cased); unknown -> ``_UNKNOWN_STATUS``."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    lut = np.array([STATUSES.index(s) if (s := str(u).strip().lower()) in STATUSES
                    else _UNKNOWN_STATUS for u in uniques] + [_UNKNOWN_STATUS], dtype=np.int8)
    return lut[codes]  # code -1 (missing) picks the trailing _UNKNOWN_STATUS


def _expiry_days(values: pd.Series, ids: np.ndarray, column: str) -> np.ndarray:
    """Days since 1970-01-01 (int64); missing or empty -> NEVER_EXPIRES_DAY."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values
        if getattr(values.dt, "tz", None) is not None:
            stamps = values.dt.tz_convert(CHINA_TZ).dt.tz_localize(None)
        days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        out = days.astype(np.int64)
        out[np.isnat(days)] = NEVER_EXPIRES_DAY
        return out
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    empty = text.isin(["", "nan", "NaT", "None"]).to_numpy()
    stamps = pd.to_datetime(text.where(~empty, None), errors="coerce", format="ISO8601")
    bad_codes = np.flatnonzero(stamps.isna().to_numpy() & ~empty)
    if bad_codes.size:
        bad = np.flatnonzero(np.isin(codes, bad_codes))
        msg = _bad_rows_message(column, ids[bad], [text.iloc[codes[i]] for i in bad],
                                "an ISO date (YYYY-MM-DD) or empty")
        raise ValidationError(msg)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert(CHINA_TZ).dt.tz_localize(None)
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    lut = days.astype(np.int64)
    lut[np.isnat(days)] = NEVER_EXPIRES_DAY
    lut = np.append(lut, NEVER_EXPIRES_DAY)  # code -1 (missing) picks the last entry
    return lut[codes]


def local_time(at: Any) -> tuple[float | None, int]:
    """Return (minute of day or None for a bare date, days since 1970-01-01) of ``at`` in UTC+8.

    A thin wrapper over :func:`geo.hours.week_minute` kept for callers that validate ``at``;
    the minute is whole (seconds dropped).

    Raises
    ------
    ValidationError
        If ``at`` is not a datetime, date, pandas.Timestamp or ISO timestamp string.
    """
    minute, day = week_minute(at)
    return (None if minute is None else float(minute % MINUTES_PER_DAY)), day


@dataclass(frozen=True)
class Usability:
    """Precomputed usability columns of a resource table: a query is a few vectorised gathers.

    Attributes
    ----------
    status_code : numpy.ndarray of int8
        Index into :data:`geo.schema.STATUSES` per row (stripped, lower-cased); a value
        outside it gets ``len(STATUSES)`` and is never usable.
    hours : geo.hours.CompiledHours
        Weekly opening bitmaps (one per distinct value) and a code per row.
    expiry_day : numpy.ndarray of int64
        Earliest of pads/battery expiry as days since 1970-01-01; unknown -> never expires.
    """

    status_code: np.ndarray
    hours: CompiledHours
    expiry_day: np.ndarray

    @classmethod
    def from_frame(cls, resources: pd.DataFrame) -> Usability:
        """Parse status, hours and expiry columns once (each distinct value once).

        Parameters
        ----------
        resources : pandas.DataFrame
            Must have ``status``; ``hours``, ``pads_expiry`` and ``battery_expiry`` are optional
            (missing means always open / unknown expiry). Hours follow :mod:`geo.hours`.

        Returns
        -------
        Usability

        Raises
        ------
        ValidationError
            If ``status`` is missing or an hours/expiry value cannot be parsed (names the ids;
            a bad hours value raises :class:`geo.hours.HoursError`).
        """
        if "status" not in resources.columns:
            msg = f"resources must have a 'status' column, got columns {list(resources.columns)}"
            raise ValidationError(msg)
        n = len(resources)
        ids = _ids_of(resources)
        status_code = _status_codes(resources["status"])
        hours_values = (resources["hours"].to_numpy(dtype=object) if "hours" in resources.columns
                        else np.full(n, None, dtype=object))
        hours = compile_hours(hours_values, ids)
        expiry = np.full(n, NEVER_EXPIRES_DAY, dtype=np.int64)
        for column in EXPIRY_COLUMNS:
            if column in resources.columns:
                expiry = np.minimum(expiry, _expiry_days(resources[column], ids, column))
        return cls(status_code, hours, expiry)

    def __len__(self) -> int:
        """Return the number of resources."""
        return int(self.status_code.shape[0])

    @property
    def active(self) -> np.ndarray:
        """Boolean array: ``status == "active"``."""
        return self.status_code == STATUSES.index("active")

    @property
    def always_open(self) -> np.ndarray:
        """Boolean array: open around the clock every day."""
        return self.hours.always_open

    def subset(self, positions: np.ndarray) -> Usability:
        """Return the usability of the rows at ``positions`` (integer array)."""
        return Usability(self.status_code[positions], self.hours.subset(positions),
                         self.expiry_day[positions])

    def mask(self, at: Any = None, policy: UsabilityPolicy | str = DEFAULT) -> np.ndarray:
        """Return a boolean array: True where the resource is usable at ``at`` under ``policy``.

        Parameters
        ----------
        at : datetime, date, pandas.Timestamp or ISO string, optional
            A naive datetime is China local time; an aware one is converted to UTC+8. A bare
            date (``datetime.date`` or ``"YYYY-MM-DD"``) checks expiry but not hours. Without
            ``at`` only the statuses (and ``only_24h``) are checked: neither expiry nor
            opening hours.
        policy : UsabilityPolicy or str, default DEFAULT
            What counts as usable (a preset name from :data:`POLICIES` or an object).

        Returns
        -------
        numpy.ndarray of bool

        Raises
        ------
        ValidationError
            For a bad ``at`` or an unknown policy.
        """
        rule = policy_of(policy)
        ok = rule._status_ok[self.status_code]
        if rule.only_24h:
            ok &= self.hours.always_open
        if at is None:
            return ok
        minute, day = week_minute(at)
        if not rule.allow_expired:
            ok &= self.expiry_day >= day
        if rule.require_open and minute is not None:
            ok &= self.hours.open_at(minute)
        return ok


def usable_mask(resources: pd.DataFrame, at: Any = None,
                policy: UsabilityPolicy | str = DEFAULT) -> np.ndarray:
    """Return a boolean array: True where a resource is usable under ``policy`` at ``at``.

    Parameters
    ----------
    resources : pandas.DataFrame or geopandas.GeoDataFrame
        Resource table with ``status`` and optionally ``hours``, ``pads_expiry``,
        ``battery_expiry`` (strings or datetime64; empty means unknown, treated as not expired).
    at : datetime, date, pandas.Timestamp or ISO string, optional
        When given (and the policy asks), the resource must also be open at that time
        (:mod:`geo.hours`) and neither expiry may be before ``at``'s date. Without ``at`` only
        the statuses (and ``only_24h``) are checked.
    policy : UsabilityPolicy or str, default DEFAULT
        What counts as usable (:data:`POLICIES`).

    Returns
    -------
    numpy.ndarray of bool
        One value per row, in row order.

    Raises
    ------
    ValidationError
        For a missing ``status`` column, unparsable hours/expiry values (names the row ids), a
        bad ``at`` or an unknown policy.
    """
    return Usability.from_frame(resources).mask(at, policy)
