"""Which resources can be used now: status, opening hours and AED pad/battery expiry, vectorised."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import ValidationError

#: Opening hours are local wall-clock time in China (UTC+8, no daylight saving).
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), name="Asia/Shanghai")
MINUTES_PER_DAY = 24 * 60
#: Expiry columns checked against the query date (AED pads and battery).
EXPIRY_COLUMNS: tuple[str, ...] = ("pads_expiry", "battery_expiry")
#: Day number used for "unknown expiry" (treated as not expired).
NEVER_EXPIRES_DAY = np.iinfo(np.int64).max
_ALWAYS_OPEN = {"", "24h", "24/7", "nan", "none"}
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-\u2013\u2014~\uff5e]\s*(\d{1,2}):(\d{2})\s*$")
_MAX_NAMED = 5


def _ids_of(resources: pd.DataFrame) -> np.ndarray:
    if "id" in resources.columns:
        return resources["id"].astype(str).to_numpy(dtype=object)
    return np.array([f"row {i}" for i in range(len(resources))], dtype=object)


def _bad_rows_message(what: str, ids: np.ndarray, values: list[Any], expected: str) -> str:
    pairs = list(zip(ids, values, strict=True))[:_MAX_NAMED]
    shown = ", ".join(f"id {rid!r}: {val!r}" for rid, val in pairs)
    more = f" (and {len(values) - _MAX_NAMED} more)" if len(values) > _MAX_NAMED else ""
    return f"{what} must be {expected}; bad values at {shown}{more}"


def _parse_one_hours(text: str) -> tuple[int, int] | None:
    """Return (open_min, close_min) for one hours string, (0, 1440) for always open, None if bad."""
    key = text.strip().lower()
    if key in _ALWAYS_OPEN:
        return 0, MINUTES_PER_DAY
    match = _HOURS_RE.match(key)
    if match is None:
        return None
    oh, om, ch, cm = (int(g) for g in match.groups())
    if om > 59 or cm > 59 or oh > 24 or ch > 24 or (oh == 24 and om) or (ch == 24 and cm):
        return None
    open_min, close_min = oh * 60 + om, ch * 60 + cm
    if open_min % MINUTES_PER_DAY == close_min % MINUTES_PER_DAY:
        return 0, MINUTES_PER_DAY  # "00:00-24:00" or "08:00-08:00": a full 24-hour window
    return open_min % MINUTES_PER_DAY, close_min


def parse_hours(hours: Any, ids: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Parse opening-hours strings into open and close minutes after midnight.

    Each distinct string is parsed once, so a column of 100k rows with a few dozen distinct
    values costs a few dozen regex matches plus one vectorised lookup.

    Parameters
    ----------
    hours : array-like of str
        ``"24h"`` (also ``"24/7"``), empty/missing (always open) or ``"HH:MM-HH:MM"``. A window
        whose close is earlier than its open crosses midnight (``"22:00-06:00"``); ``"24:00"``
        may close a window; equal open and close (``"00:00-24:00"``) is open all day.
    ids : array-like, optional
        Resource ids used to name bad rows in the error message (row positions otherwise).

    Returns
    -------
    open_min, close_min : numpy.ndarray of int16
        Always-open rows get ``(0, 1440)``. A row is open at minute ``t`` when
        ``open <= t < close`` (``open < close``) or ``t >= open or t < close`` (crosses midnight).

    Raises
    ------
    ValidationError
        If a value is not in one of the forms above; the message names the row ids and values.
    """
    series = pd.Series(hours, dtype=object).reset_index(drop=True)
    text = series.where(series.notna(), "").astype(str)
    codes, uniques = pd.factorize(text, sort=False)
    table = np.zeros((len(uniques), 2), dtype=np.int16)
    bad_codes = []
    for code, value in enumerate(uniques):
        parsed = _parse_one_hours(value)
        if parsed is None:
            bad_codes.append(code)
        else:
            table[code] = parsed
    if bad_codes:
        bad_pos = np.flatnonzero(np.isin(codes, bad_codes))
        id_arr = (np.asarray(ids, dtype=object) if ids is not None
                  else np.array([f"row {i}" for i in range(len(series))], dtype=object))
        msg = _bad_rows_message("hours", id_arr[bad_pos], [text[i] for i in bad_pos],
                                "'24h', empty or 'HH:MM-HH:MM'")
        raise ValidationError(msg)
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int16)
    return table[codes, 0], table[codes, 1]


def _expiry_days(values: pd.Series, ids: np.ndarray, column: str) -> np.ndarray:
    """Days since 1970-01-01 (int64); missing or empty -> NEVER_EXPIRES_DAY."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values
        if getattr(values.dt, "tz", None) is not None:
            stamps = values.dt.tz_convert(CHINA_TZ).dt.tz_localize(None)
    else:
        raw = pd.Series(values.to_numpy(dtype=object), dtype=object)
        text = raw.where(raw.notna(), "").astype(str).str.strip()
        empty = text.isin(["", "nan", "NaT", "None"]).to_numpy()
        stamps = pd.to_datetime(text.where(~empty, None), errors="coerce", format="ISO8601")
        bad = np.flatnonzero(stamps.isna().to_numpy() & ~empty)
        if bad.size:
            msg = _bad_rows_message(column, ids[bad], [text.iloc[i] for i in bad],
                                    "an ISO date (YYYY-MM-DD) or empty")
            raise ValidationError(msg)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert(CHINA_TZ).dt.tz_localize(None)
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = NEVER_EXPIRES_DAY
    return out


def local_time(at: Any) -> tuple[float | None, int]:
    """Return (minute of day or None for a bare date, days since 1970-01-01) of ``at`` in UTC+8.

    Raises
    ------
    ValidationError
        If ``at`` is not a datetime, date, pandas.Timestamp or ISO timestamp string.
    """
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        return None, int(np.datetime64(at, "D").astype(np.int64))
    try:
        stamp = pd.Timestamp(at)
    except (TypeError, ValueError) as exc:
        msg = f"at must be a datetime, date or ISO timestamp string, got {at!r}"
        raise ValidationError(msg) from exc
    if stamp is pd.NaT:
        msg = f"at must be a datetime, date or ISO timestamp string, got {at!r}"
        raise ValidationError(msg)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(CHINA_TZ).tz_localize(None)
    minute = stamp.hour * 60 + stamp.minute + stamp.second / 60.0
    day = int(np.datetime64(stamp.date(), "D").astype(np.int64))
    return minute, day


@dataclass(frozen=True)
class Usability:
    """Precomputed usability columns of a resource table: a query at time ``at`` is a few compares.

    Attributes
    ----------
    active : numpy.ndarray of bool
        ``status == "active"``.
    open_min, close_min : numpy.ndarray of int16
        Opening window in minutes after midnight (see :func:`parse_hours`).
    always_open : numpy.ndarray of bool
        True for 24-hour rows.
    expiry_day : numpy.ndarray of int64
        Earliest of pads/battery expiry as days since 1970-01-01; unknown -> never expires.
    """

    active: np.ndarray
    open_min: np.ndarray
    close_min: np.ndarray
    always_open: np.ndarray
    expiry_day: np.ndarray

    @classmethod
    def from_frame(cls, resources: pd.DataFrame) -> Usability:
        """Parse status, hours and expiry columns once.

        Parameters
        ----------
        resources : pandas.DataFrame
            Must have ``status``; ``hours``, ``pads_expiry`` and ``battery_expiry`` are optional
            (missing means always open / unknown expiry).

        Returns
        -------
        Usability

        Raises
        ------
        ValidationError
            If ``status`` is missing or an hours/expiry value cannot be parsed (names the ids).
        """
        if "status" not in resources.columns:
            msg = f"resources must have a 'status' column, got columns {list(resources.columns)}"
            raise ValidationError(msg)
        n = len(resources)
        ids = _ids_of(resources)
        status = resources["status"].astype(str).str.strip().str.lower()
        active = (status == "active").to_numpy(dtype=bool)
        if "hours" in resources.columns:
            open_min, close_min = parse_hours(resources["hours"].to_numpy(dtype=object), ids)
        else:
            open_min = np.zeros(n, dtype=np.int16)
            close_min = np.full(n, MINUTES_PER_DAY, dtype=np.int16)
        always_open = (open_min == 0) & (close_min == MINUTES_PER_DAY)
        expiry = np.full(n, NEVER_EXPIRES_DAY, dtype=np.int64)
        for column in EXPIRY_COLUMNS:
            if column in resources.columns:
                expiry = np.minimum(expiry, _expiry_days(resources[column], ids, column))
        return cls(active, open_min, close_min, always_open, expiry)

    def __len__(self) -> int:
        """Return the number of resources."""
        return int(self.active.shape[0])

    def subset(self, positions: np.ndarray) -> Usability:
        """Return the usability of the rows at ``positions`` (integer array)."""
        return Usability(self.active[positions], self.open_min[positions],
                         self.close_min[positions], self.always_open[positions],
                         self.expiry_day[positions])

    def mask(self, at: Any = None) -> np.ndarray:
        """Return a boolean array: True where the resource is usable at ``at``.

        Parameters
        ----------
        at : datetime, date, pandas.Timestamp or ISO string, optional
            Without ``at`` only ``status == "active"`` is checked. A naive datetime is China
            local time; an aware one is converted to UTC+8. A bare date checks expiry only.

        Returns
        -------
        numpy.ndarray of bool
        """
        if at is None:
            return self.active.copy()
        minute, day = local_time(at)
        ok = self.active & (self.expiry_day >= day)
        if minute is None:
            return ok
        after_open = self.open_min <= minute
        before_close = minute < self.close_min
        crosses = self.close_min <= self.open_min
        is_open = np.where(crosses, after_open | before_close, after_open & before_close)
        return ok & (self.always_open | is_open)


def usable_mask(resources: pd.DataFrame, at: Any = None) -> np.ndarray:
    """Return a boolean array: True where a resource is usable (active, open, not expired).

    Parameters
    ----------
    resources : pandas.DataFrame or geopandas.GeoDataFrame
        Resource table with ``status`` and optionally ``hours``, ``pads_expiry``,
        ``battery_expiry`` (strings or datetime64; empty means unknown, treated as not expired).
    at : datetime, date, pandas.Timestamp or ISO string, optional
        When given, the resource must also be open at that time of day (``"24h"``/empty is always
        open, windows may cross midnight) and neither expiry may be before ``at``'s date.

    Returns
    -------
    numpy.ndarray of bool
        One value per row, in row order.

    Raises
    ------
    ValidationError
        For a missing ``status`` column or unparsable hours/expiry values (names the row ids).
    """
    return Usability.from_frame(resources).mask(at)
