"""Opening hours: the one grammar that validation, usability and the 24 h filter all read.

Grammar
-------
A value is compiled into a weekly bitmap of ``7 * 1440`` minutes (Monday 00:00 is minute 0) of
China local wall-clock time. Before reading, the text is NFKC-normalised (full-width digits,
colons, commas, semicolons and tildes become ASCII) and lower-cased.

* **Empty or missing** (``None``, NaN, ``""``, blanks): always open, as the registries mean it.
* **Around the clock**: ``24h``, ``24H``, ``24 hours``, ``24小时``, ``24 小时``, ``24/7``,
  ``全天``, ``全天24小时``, optionally followed by ``营业`` or ``开放`` (``24小时营业``).
* **Span**: ``HH:MM-HH:MM`` or ``H:MM-HH:MM``; the range separator may be ``-`` ``~`` ``～``
  ``—`` ``–`` ``至`` ``到``. A closing time earlier than the opening time runs past midnight
  (``22:00-06:00``) and the minutes after midnight belong to the next day (a Friday span
  ``22:00-02:00`` is open early on Saturday). ``24:00`` may close a span (never open one).
  **23:59 as a closing time means "through midnight"** (registries write ``00:00-23:59`` for
  "all day"), so it is read as 24:00: ``00:00-23:59`` is open around the clock and
  ``08:00-23:59`` is open at 23:59:30. Equal times (``08:00-08:00``) and ``00:00-24:00`` are
  open all day.
* **Several spans**: separated by ``,`` ``，`` ``、`` ``/`` or spaces
  (``08:00-12:00,14:00-18:00``), or by ``;`` ``；`` or a new line (see rules below).
* **Weekday rules**: a day selector, an optional ``:``, then spans, an around-the-clock word or
  ``off``/``closed``/``休息``. Selectors are Chinese (``周一``, ``星期一``, ``礼拜一``,
  ``周日``/``周天``, ranges ``周一至周五``/``周一到周五``/``周一-周五``/``周一至五``, lists
  ``周一、三、五``, and the words ``周末``, ``工作日``, ``每天``/``每日``/``天天``) or
  OpenStreetMap style (``Mo``..``Su``, also ``Mon``/``Monday``..; ``Mo-Fr``, ``Mo,We,Fr``;
  a range may wrap: ``Fr-Mo``).
* **Rules** are separated by ``;``, ``；``, a new line, or simply start at the next day
  selector (``周一至周五 08:00-17:30 周六 09:00-12:00``). A rule without days continues the
  rule before it (``周一至周五 08:00-12:00；14:00-17:30``) or, first, means every day. A rule
  naming the same days as the rule just before it adds its spans; otherwise, as in
  OpenStreetMap, it replaces what earlier rules said about its days (``每天 08:00-22:00；
  周六 09:00-12:00`` opens Saturday 09:00-12:00 only; ``Mo-Su 08:00-20:00; Su off`` closes
  Sunday). ``off`` closes the spans that start on its days; the tail of a span from the evening
  before stays. Days no rule names are closed.

Rejected (:class:`HoursError`, code ``"bad_hours"``): minutes above 59, hours above 24,
``24:MM`` with ``MM > 0`` (so ``08:00-24:30``), ``24:00`` as an opening time, a time without a
range (``08:00``), a span without its other end (``08:00-``), a day selector without hours
(``周一至周五``), a rule both closed and open, a value that is never open (``Su off`` alone:
a closed resource says so in its status), a list starting with a bare numeral (``一至五``),
and every unknown word (``8am-5pm``, ``abc``, ``上午``). Holiday rules (``法定节假日``,
``节假日``, ``PH``, ``SH``) are rejected as unsupported for now; holidays may come later.

Each distinct string is compiled once (and cached), so a column of 100k rows with a few dozen
distinct values costs a few dozen parses plus vectorised gathers.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from geo.errors import ValidationError

#: Opening hours are local wall-clock time in China (UTC+8, no daylight saving).
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), name="Asia/Shanghai")
MINUTES_PER_DAY = 24 * 60
DAYS_PER_WEEK = 7
MINUTES_PER_WEEK = DAYS_PER_WEEK * MINUTES_PER_DAY
#: 1970-01-01 was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3
_EPOCH = dt.date(1970, 1, 1)
_MAX_NAMED = 5
_ALL_DAYS = frozenset(range(DAYS_PER_WEEK))
_EXAMPLES = "'24h', '08:00-17:30', '周一至周五 08:00-17:30' or 'Mo-Fr 08:00-17:30; Sa 09:00-12:00'"

_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_DAYS = {
    "mo": 0, "mon": 0, "monday": 0, "tu": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "we": 2, "wed": 2, "wednesday": 2, "th": 3, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fr": 4, "fri": 4, "friday": 4, "sa": 5, "sat": 5, "saturday": 5,
    "su": 6, "sun": 6, "sunday": 6,
}
_DAY_GROUPS = {"周末": frozenset({5, 6}), "工作日": frozenset(range(5)), "每天": _ALL_DAYS,
               "每日": _ALL_DAYS, "天天": _ALL_DAYS}
_EN_DAY_RE = "|".join(sorted(_EN_DAYS, key=len, reverse=True))
_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<always>(?:24\s*/\s*7|全天(?:\s*24\s*(?:小时|h(?![a-z])))?"
    r"|24\s*(?:小时|hours|hour|hrs|hr|h)(?![a-z]))(?:营业|开放)?)"
    r"|(?P<holiday>法定节假日|节假日|节日|假日|(?:ph|sh|holidays?)(?![a-z]))"
    r"|(?P<group>周末|工作日|每天|每日|天天)"
    r"|(?P<off>(?:off|closed)(?![a-z])|休息|闭馆|关闭|不开放)"
    r"|(?P<dayzh>(?:周|星期|礼拜)?[一二三四五六日天])"
    rf"|(?P<dayen>(?:{_EN_DAY_RE})(?![a-z]))"
    r"|(?P<time>\d{1,2}:\d{2}(?!\d))"
    r"|(?P<range>[-~\u2014\u2013\u2015\u301c\u2212至到])"
    r"|(?P<rulesep>[;\n])"
    r"|(?P<listsep>[,、/])"
    r"|(?P<colon>:)"
)
_DAY_KINDS = ("dayzh", "dayen", "group")


class HoursError(ValidationError):
    """Opening hours that cannot be read; ``code`` is ``"bad_hours"``, ``params["value"]`` the text.

    Parameters
    ----------
    message : str
        English text naming the value and what is wrong with it.
    code : str, default "bad_hours"
        Message code for the UI catalogue.
    params : mapping, optional
        Values the message names; always includes ``"value"`` when raised by this module.

    Attributes
    ----------
    reason : str
        What is wrong, without the value and the examples (the whole message by default).
    """

    def __init__(self, message: str = "", *, code: str = "bad_hours",
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params) if params else {}
        self.reason = message


class _Token(NamedTuple):
    kind: str
    text: str
    pos: int
    value: Any = None


def _fail(raw: str, reason: str) -> HoursError:
    msg = f"hours {raw!r} cannot be read: {reason}; expected forms like {_EXAMPLES}"
    error = HoursError(msg, params={"value": raw})
    error.reason = reason
    return error


def _tokenize(raw: str, text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            word = re.split(r"[\s,;、/:]", text[pos:], maxsplit=1)[0][:20] or text[pos]
            raise _fail(raw, f"unknown word {word!r}")
        kind = match.lastgroup or ""
        word = match.group()
        pos = match.end()
        if kind == "ws":
            if "\n" in word:
                tokens.append(_Token("rulesep", "\n", match.start()))
            continue
        if kind == "holiday":
            raise _fail(raw, f"holiday rules ({word!r}) are not supported yet")
        value: Any = None
        if kind == "dayzh":
            value = (_ZH_DAYS[word[-1]], len(word) > 1)  # (day, has a 周/星期/礼拜 prefix)
        elif kind == "dayen":
            value = (_EN_DAYS[word], True)
        elif kind == "group":
            value = _DAY_GROUPS[word]
        tokens.append(_Token(kind, word, match.start(), value))
    return tokens


def _minutes(raw: str, time: str, *, closing: bool) -> int:
    hour_text, minute_text = time.split(":")
    hour, minute = int(hour_text), int(minute_text)
    if minute > 59:
        raise _fail(raw, f"minute {minute_text} is above 59 in {time!r}")
    if hour > 24:
        raise _fail(raw, f"hour {hour_text} is above 24 in {time!r}")
    if hour == 24 and minute:
        raise _fail(raw, f"{time!r} is past midnight (24:00 is the latest closing time)")
    if hour == 24 and not closing:
        raise _fail(raw, f"{time!r} can only close a span, not open one")
    return hour * 60 + minute


def _span(raw: str, first: str, last: str) -> tuple[int, int]:
    """(start, end) minutes after the day's midnight; end may exceed 1440 (past midnight)."""
    start = _minutes(raw, first, closing=False)
    end = _minutes(raw, last, closing=True)
    if start == end:
        return 0, MINUTES_PER_DAY  # "08:00-08:00": all day
    if end == MINUTES_PER_DAY - 1:
        end = MINUTES_PER_DAY  # 23:59 closes "through midnight"
    if start == 0 and end == MINUTES_PER_DAY:
        return 0, MINUTES_PER_DAY
    if end < start:
        return start, end + MINUTES_PER_DAY
    return start, end


def _is_day(tokens: list[_Token], i: int) -> bool:
    return i < len(tokens) and tokens[i].kind in _DAY_KINDS


def _day_of(raw: str, token: _Token, first: bool) -> int:
    day, prefixed = token.value
    if first and not prefixed:
        raise _fail(raw, f"unknown word {token.text!r} (write 周{token.text} for a weekday)")
    return day


def _parse_days(raw: str, tokens: list[_Token], i: int) -> tuple[frozenset[int], int]:
    days: set[int] = set()
    first = True
    while True:
        token = tokens[i]
        if token.kind == "group":
            days |= token.value
            i += 1
        else:
            start = _day_of(raw, token, first)
            i += 1
            if (i + 1 < len(tokens) and tokens[i].kind == "range"
                    and tokens[i + 1].kind in ("dayzh", "dayen")):
                end = _day_of(raw, tokens[i + 1], False)
                days |= {(start + k) % DAYS_PER_WEEK for k in range((end - start) % 7 + 1)}
                i += 2
            else:
                days.add(start)
        first = False
        if i + 1 < len(tokens) and tokens[i].kind == "listsep" and _is_day(tokens, i + 1):
            i += 1
        elif not _is_day(tokens, i):
            return frozenset(days), i


def _parse_body(raw: str, tokens: list[_Token], i: int,
                label: str) -> tuple[list[tuple[int, int]] | None, int]:
    """Spans of one rule (None for ``off``) and the index after it."""
    spans: list[tuple[int, int]] = []
    off = False
    n = len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind == "rulesep":
            i += 1
            break
        if token.kind in _DAY_KINDS:
            break
        if token.kind == "listsep":
            i += 1
        elif token.kind == "always":
            spans.append((0, MINUTES_PER_DAY))
            i += 1
        elif token.kind == "off":
            off = True
            i += 1
        elif token.kind == "time":
            if i + 2 < n and tokens[i + 1].kind == "range" and tokens[i + 2].kind == "time":
                spans.append(_span(raw, token.text, tokens[i + 2].text))
                i += 3
            elif i + 1 < n and tokens[i + 1].kind == "range":
                raise _fail(raw, f"the span starting at {token.text!r} has no closing time")
            else:
                raise _fail(raw, f"{token.text!r} is a time without a range (HH:MM-HH:MM)")
        elif token.kind == "range":
            raise _fail(raw, f"{token.text!r} at position {token.pos} has no opening time")
        else:
            raise _fail(raw, f"unexpected {token.text!r} at position {token.pos}")
    if off and spans:
        raise _fail(raw, f"{label} is both closed and open")
    if not off and not spans:
        raise _fail(raw, f"{label} has no hours (empty span)")
    return (None if off else spans), i


def _parse_rules(raw: str, text: str,
                 tokens: list[_Token]) -> list[tuple[frozenset[int] | None, list | None]]:
    rules: list[tuple[frozenset[int] | None, list | None]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in ("rulesep", "listsep"):
            i += 1
            continue
        days = None
        label = "the rule"
        if token.kind in _DAY_KINDS:
            start = token.pos
            days, i = _parse_days(raw, tokens, i)
            end = tokens[i].pos if i < len(tokens) else len(text)
            label = repr(text[start:end].strip())
            if i < len(tokens) and tokens[i].kind == "colon":
                i += 1
        spans, i = _parse_body(raw, tokens, i, label)
        rules.append((days, spans))
    return rules


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).lower()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _week_of(raw: str, text: str) -> np.ndarray:
    week = np.zeros(MINUTES_PER_WEEK, dtype=bool)
    if not text:
        week[:] = True
        return week
    rules = _parse_rules(raw, text, _tokenize(raw, text))
    if not rules:
        raise _fail(raw, "no opening hours, only separators")
    day_spans: list[list[tuple[int, int]]] = [[] for _ in range(DAYS_PER_WEEK)]
    prev_days: frozenset[int] | None = None
    prev_open = False
    for days, spans in rules:
        chosen = days if days is not None else (prev_days or _ALL_DAYS)
        if spans is not None and prev_open and chosen == prev_days:
            for day in chosen:
                day_spans[day].extend(spans)
        else:
            for day in chosen:
                day_spans[day] = list(spans or ())
        prev_days, prev_open = chosen, spans is not None
    for day, spans in enumerate(day_spans):
        for start, end in spans:
            lo, hi = day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end
            week[lo:min(hi, MINUTES_PER_WEEK)] = True
            if hi > MINUTES_PER_WEEK:
                week[:hi - MINUTES_PER_WEEK] = True  # Sunday night runs into Monday
    if not week.any():
        raise _fail(raw, "it is never open (a closed resource has status 'inactive')")
    return week


@dataclass(frozen=True)
class OpeningHours:
    """One opening-hours value compiled to a weekly bitmap (equal when the texts are equal).

    Attributes
    ----------
    text : str
        The value as given.
    week : numpy.ndarray of bool, shape (10080,)
        Read-only; ``week[m]`` is True when open during minute ``m`` of the week (China local
        time, Monday 00:00 = 0).
    always_open : bool
        True when open around the clock every day.
    """

    text: str
    week: np.ndarray = field(compare=False, repr=False)
    always_open: bool = field(compare=False)

    def is_open(self, at: Any) -> bool:
        """Return True when open at ``at`` (for a bare date: open at some time that day).

        Parameters
        ----------
        at : datetime, date, pandas.Timestamp or ISO string
            Naive values are China local time; aware ones are converted (see
            :func:`week_minute`).

        Returns
        -------
        bool

        Raises
        ------
        ValidationError
            If ``at`` is not a time.
        """
        minute, day = week_minute(at)
        if minute is None:
            weekday = (day + _EPOCH_WEEKDAY) % DAYS_PER_WEEK
            return bool(self.week[weekday * MINUTES_PER_DAY:(weekday + 1) * MINUTES_PER_DAY].any())
        return bool(self.week[minute])


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


@functools.lru_cache(maxsize=4096)
def _parse_cached(raw: str) -> OpeningHours:
    week = _week_of(raw, _normalise(raw))
    week.flags.writeable = False
    return OpeningHours(raw, week, bool(week.all()))


def parse_hours(text: str) -> OpeningHours:
    """Compile one opening-hours value (see the module docstring for the grammar).

    Parameters
    ----------
    text : str
        The value; ``None``, NaN and ``""`` mean always open. Other non-strings are read as
        ``str(text)``.

    Returns
    -------
    OpeningHours

    Raises
    ------
    HoursError
        If the value cannot be read; ``params["value"]`` holds it and the message says why.
    """
    raw = "" if _is_missing(text) else text if isinstance(text, str) else str(text)
    return _parse_cached(raw)


def _distinct(values: Any) -> tuple[np.ndarray, list[str]]:
    """Row codes into the list of distinct texts (missing values become ``""``)."""
    if isinstance(values, str):
        values = [values]
    array = pd.Series(values, dtype=object).to_numpy(dtype=object)
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    texts = [u if isinstance(u, str) else str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(texts), codes)
        texts.append("")
    return codes.astype(np.intp, copy=False), texts


def _try_parse(text: str) -> OpeningHours | HoursError:
    try:
        return _parse_cached(text)
    except HoursError as exc:
        return exc


def bad_hours(values: Iterable[Any]) -> np.ndarray:
    """Return a boolean array: True where an opening-hours value cannot be read.

    Parameters
    ----------
    values : array-like
        One value per row; ``None``, NaN and ``""`` are fine (always open).

    Returns
    -------
    numpy.ndarray of bool
        One value per row, in order. Each distinct value is parsed once.
    """
    codes, texts = _distinct(values)
    lut = np.array([isinstance(_try_parse(t), HoursError) for t in texts], dtype=bool)
    return lut[codes] if texts else np.zeros(0, dtype=bool)


def is_24h(values: Iterable[Any]) -> np.ndarray:
    """Return a boolean array: True where a resource is open around the clock every day.

    Parameters
    ----------
    values : array-like
        Opening-hours values; empty/missing counts as 24 h, an unreadable value does not (it
        does not raise: use :func:`bad_hours` or :func:`compile_hours` to report it).

    Returns
    -------
    numpy.ndarray of bool
        One value per row, in order; agrees with ``parse_hours(value).always_open``.
    """
    codes, texts = _distinct(values)
    parsed = [_try_parse(t) for t in texts]
    lut = np.array([isinstance(p, OpeningHours) and p.always_open for p in parsed], dtype=bool)
    return lut[codes] if texts else np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class CompiledHours:
    """Opening hours of a column: one weekly bitmap per distinct value and a code per row.

    Attributes
    ----------
    codes : numpy.ndarray of intp
        Row ``i`` has the hours ``table[codes[i]]``.
    table : numpy.ndarray of bool, shape (n_distinct, 10080)
        Read-only weekly bitmaps (see :class:`OpeningHours`).
    always_open : numpy.ndarray of bool
        Per row: open around the clock every day.
    """

    codes: np.ndarray
    table: np.ndarray
    always_open: np.ndarray

    def __len__(self) -> int:
        """Return the number of rows."""
        return int(self.codes.shape[0])

    def open_at(self, week_minute: int) -> np.ndarray:
        """Return a boolean array per row: open during minute ``week_minute`` of the week.

        Parameters
        ----------
        week_minute : int
            0 (Monday 00:00) to 10079 (Sunday 23:59), China local time; see
            :func:`week_minute`.

        Returns
        -------
        numpy.ndarray of bool

        Raises
        ------
        ValidationError
            If ``week_minute`` is not an integer in 0..10079.
        """
        if (isinstance(week_minute, bool) or not isinstance(week_minute, int | np.integer)
                or not 0 <= week_minute < MINUTES_PER_WEEK):
            msg = (f"week_minute must be an integer in 0..{MINUTES_PER_WEEK - 1}, "
                   f"got {week_minute!r}")
            raise ValidationError(msg)
        return self.table[:, int(week_minute)][self.codes]

    def subset(self, positions: np.ndarray) -> CompiledHours:
        """Return the hours of the rows at ``positions`` (integer array); the table is shared."""
        return CompiledHours(self.codes[positions], self.table, self.always_open[positions])


def _bad_rows_message(what: str, ids: np.ndarray, values: list[Any], expected: str) -> str:
    """Message naming up to five bad (id, value) pairs (shared with :mod:`geo.usable`)."""
    pairs = list(zip(ids, values, strict=True))[:_MAX_NAMED]
    shown = ", ".join(f"id {rid!r}: {val!r}" for rid, val in pairs)
    more = f" (and {len(values) - _MAX_NAMED} more)" if len(values) > _MAX_NAMED else ""
    return f"{what} must be {expected}; bad values at {shown}{more}"


def compile_hours(values: Iterable[Any], ids: Iterable[Any] | None = None) -> CompiledHours:
    """Compile a column of opening hours (each distinct value once).

    Parameters
    ----------
    values : array-like
        One value per row; ``None``, NaN and ``""`` mean always open.
    ids : array-like, optional
        Row ids used to name bad rows in the error (``"row i"`` otherwise).

    Returns
    -------
    CompiledHours

    Raises
    ------
    HoursError
        If any value cannot be read. The message names up to five ids and values and the first
        reason; ``params`` holds ``value`` and ``id`` of the first bad row and ``count``.
    """
    codes, texts = _distinct(values)
    parsed = [_try_parse(t) for t in texts]
    bad_codes = [c for c, p in enumerate(parsed) if isinstance(p, HoursError)]
    if bad_codes:
        rows = np.flatnonzero(np.isin(codes, bad_codes))
        id_arr = (np.asarray(list(ids), dtype=object) if ids is not None
                  else np.array([f"row {i}" for i in range(len(codes))], dtype=object))
        bad_values = [texts[codes[r]] for r in rows]
        first = parsed[codes[rows[0]]]
        msg = _bad_rows_message("hours", id_arr[rows], bad_values,
                                f"opening hours like {_EXAMPLES}")
        msg = f"{msg}; first problem: {first.reason}"  # type: ignore[union-attr]
        raise HoursError(msg, params={"value": bad_values[0], "id": str(id_arr[rows[0]]),
                                      "count": int(rows.size)})
    table = (np.stack([p.week for p in parsed]) if parsed  # type: ignore[union-attr]
             else np.zeros((0, MINUTES_PER_WEEK), dtype=bool))
    table.flags.writeable = False
    lut = np.array([p.always_open for p in parsed], dtype=bool)  # type: ignore[union-attr]
    always = lut[codes] if parsed else np.zeros(0, dtype=bool)
    return CompiledHours(codes, table, always)


_BAD_AT = "at must be a datetime, date or ISO timestamp string, got {at!r}"
_DATE_ONLY_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def week_minute(at: Any) -> tuple[int | None, int]:
    """Return (minute of the week, days since 1970-01-01) of ``at`` in China local time.

    Parameters
    ----------
    at : datetime, date, pandas.Timestamp, numpy.datetime64 or ISO string
        A naive value is China local time (UTC+8); an aware one is converted. A bare date
        (``datetime.date`` or ``"YYYY-MM-DD"``) has no time of day.

    Returns
    -------
    minute : int or None
        Minute of the week, Monday 00:00 = 0 .. Sunday 23:59 = 10079 (seconds are dropped);
        None for a bare date.
    day : int
        Days since 1970-01-01 of the local date.

    Raises
    ------
    ValidationError
        If ``at`` is not one of the types above or cannot be parsed.
    """
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        return None, (at - _EPOCH).days
    if isinstance(at, str) and _DATE_ONLY_RE.match(at):
        try:
            return None, (dt.date.fromisoformat(at.strip()) - _EPOCH).days
        except ValueError as exc:
            raise ValidationError(_BAD_AT.format(at=at)) from exc
    if not isinstance(at, dt.datetime | str | np.datetime64):
        raise ValidationError(_BAD_AT.format(at=at))
    try:
        stamp = pd.Timestamp(at)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_BAD_AT.format(at=at)) from exc
    if stamp is pd.NaT:
        raise ValidationError(_BAD_AT.format(at=at))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(CHINA_TZ).tz_localize(None)
    minute = stamp.weekday() * MINUTES_PER_DAY + stamp.hour * 60 + stamp.minute
    return minute, (stamp.date() - _EPOCH).days
