"""Read coordinates the way people write them: decimals, degrees-minutes-seconds, E/N, 东经/北纬.

One cell holds one coordinate (:func:`parse_coordinate`, vectorised as
:func:`parse_coordinates`) or both (:func:`parse_pair`, vectorised as :func:`parse_pairs`).
Nothing here checks that a point lies in China or in a city: the caller does. What is checked is
that the text reads as numbers, that degrees-minutes-seconds are valid, that a hemisphere or
label agrees with the column, and (for pairs) which number is the longitude.

Problems come back as :class:`Issue` values: a code of the ``problem.*`` catalogue in
``ui/i18n.py`` plus the params its message names (always ``value``, the cell as written).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.crs import in_china
from geo.errors import ValidationError
from geo.io import NUMBER_RE, gc_paused

ROLES = ("lon", "lat")
#: Longer text is no coordinate (a long real form, 东经120度18分10.123秒 北纬31度34分48.123秒, has
#: 32 characters); the cap keeps a pasted essay from costing quadratic time in the splitter.
_MAX_CHARS = 120


@dataclass(frozen=True)
class Issue:
    """One problem found in a cell.

    Attributes
    ----------
    code : str
        Code of the message catalogue (``problem.<code>`` in ``ui/i18n.py``).
    params : dict
        The values the message names (str, float or int); always holds ``value``, the cell as
        written.
    severity : str
        ``"error"`` (the cell gives no number) or ``"warning"`` (read, but the user should look).
    """

    code: str
    params: dict
    severity: str = "error"


@dataclass(frozen=True)
class Pair:
    """Both coordinates read from one cell or one typed text.

    Attributes
    ----------
    lon, lat : float or None
        The longitude and latitude in degrees; None when the text was not read.
    order : str or None
        ``"lonlat"`` or ``"latlon"``: the order the text was written in.
    how : str or None
        ``"labels"`` when E/N, 东经/北纬 or lng=/lat= decided the order, ``"ranges"`` when
        China's ranges did (or nothing could, and the written order was kept); None if unread.
    issues : tuple of Issue
        Errors and warnings. After an error lon and lat are None, except for
        ``order_ambiguous``: then they hold the numbers as written (first as lon, ``order``
        "lonlat", ``how`` None), for a caller that asks the user which comes first.
    """

    lon: float | None
    lat: float | None
    order: str | None
    how: str | None
    issues: tuple[Issue, ...]


# --------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------

#: Applied before NFKC: marks that NFKC would break up or turn into letters, Chinese units,
#: minus signs and invisible characters.
_PRE_NFKC = str.maketrans({
    "\u2032": "'", "\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'", "\u02b9": "'",
    "\u2033": '"', "\u201c": '"', "\u201d": '"', "\u02ba": '"', "\u3003": '"',
    "\u00ba": "°", "\u02da": "°", "\u2218": "°",
    "度": "°", "分": "'", "秒": '"',
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\ufe63": "-",
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
})


def _normalise(raw: str) -> str:
    """Plain lower-case ASCII marks: full width folded, ° ' " for degrees, minutes, seconds."""
    # 经度/纬度 are labels: keep their 度 from becoming a degree sign
    raw = raw.replace("经度", "lng").replace("纬度", "lat")
    text = unicodedata.normalize("NFKC", raw.translate(_PRE_NFKC))
    return text.replace("''", '"').strip().lower()


# --------------------------------------------------------------------------------------------
# One coordinate
# --------------------------------------------------------------------------------------------

#: Prefix labels and hemispheres: word -> (axis, sign); sign 0 for a label that sets no sign.
_MARKERS: dict[str, tuple[str, int]] = {
    "东经": ("lon", 1), "西经": ("lon", -1), "北纬": ("lat", 1), "南纬": ("lat", -1),
    "longitude": ("lon", 0), "long": ("lon", 0), "lng": ("lon", 0), "lon": ("lon", 0),
    "latitude": ("lat", 0), "lat": ("lat", 0),
    "e": ("lon", 1), "w": ("lon", -1), "n": ("lat", 1), "s": ("lat", -1),
}
_PREFIX_RE = re.compile(
    r"(?P<mark>东经|西经|北纬|南纬|longitude|latitude|long|lng|lon|lat|[ewns])"
    r"\s*[:=]?\s*(?P<body>.*)", re.DOTALL)
_SUFFIX_RE = re.compile(r"(?P<body>.*?)\s*(?P<mark>东经|西经|北纬|南纬|[ewns])", re.DOTALL)

_NUM = r"\d+(?:\.\d+)?"
_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d+,\d+", re.ASCII)
_DMS_RES = (
    # 120°18'10"  120°18.5'  120°  120° 18' 10.5"
    re.compile(rf"(?P<sign>[+-]?)\s*(?P<d>{_NUM})\s*°\s*"
               rf"(?:(?P<m>{_NUM})\s*'?\s*(?:(?P<s>{_NUM})\s*\"?)?)?", re.ASCII),
    # 120:18:10  120:18.5
    re.compile(rf"(?P<sign>[+-]?)(?P<d>{_NUM})\s*:\s*(?P<m>{_NUM})(?:\s*:\s*(?P<s>{_NUM}))?",
               re.ASCII),
    # 120 18 10 (three numbers in a one-coordinate cell)
    re.compile(rf"(?P<sign>[+-]?)(?P<d>\d+)\s+(?P<m>\d+)\s+(?P<s>{_NUM})", re.ASCII),
)


@dataclass(frozen=True)
class _One:
    """What one piece of normalised text reads as (internal)."""

    number: float | None = None
    axis: str | None = None  # "lon"/"lat" when a label or hemisphere said so
    code: str | None = None  # error code when number is None
    comma: bool = False  # read with a decimal comma


def _dms(match: re.Match[str]) -> _One:
    """Degrees, minutes, seconds to degrees; minutes/seconds >= 60 or misplaced decimals fail."""
    d, m, s = match.group("d"), match.group("m"), match.group("s")
    bad = ((m is not None and ("." in d or float(m) >= 60))
           or (s is not None and ("." in m or float(s) >= 60)))
    if bad:
        return _One(code="bad_dms")
    number = float(d)
    if m is not None:
        number = number + float(m) / 60
    if s is not None:
        number = number + float(s) / 3600
    return _One(-number if match.group("sign") == "-" else number)


def _read_body(body: str) -> _One:
    """The number part of a coordinate, labels and hemispheres already taken off."""
    plain = body.removesuffix("°").rstrip()
    if NUMBER_RE.fullmatch(plain):
        return _One(float(plain))
    if _DECIMAL_COMMA_RE.fullmatch(plain):
        return _One(float(plain.replace(",", ".")), comma=True)
    for pattern in _DMS_RES:
        match = pattern.fullmatch(body)
        if match:
            return _dms(match)
    return _One(code="not_a_number")


def _read_one(text: str) -> _One:
    """Read normalised text holding one coordinate (with any label or hemisphere)."""
    if not text:
        return _One(code="empty_cell")
    if NUMBER_RE.fullmatch(text):
        return _One(float(text))
    axis, sign, body = None, 0, text
    prefix = _PREFIX_RE.fullmatch(body)
    if prefix:
        axis, sign = _MARKERS[prefix.group("mark")]
        body = prefix.group("body")
    suffix = _SUFFIX_RE.fullmatch(body)
    if suffix and suffix.group("body"):
        axis2, sign2 = _MARKERS[suffix.group("mark")]
        if sign or (axis is not None and axis2 != axis):  # "E120E", "N31E", "lng 31.5n"
            return _One(code="not_a_number")
        axis, sign, body = axis2, sign2, suffix.group("body")
    if not body:
        return _One(code="not_a_number")
    one = _read_body(body)
    if one.number is None:
        return one
    number = -abs(one.number) if sign < 0 else one.number
    return _One(number, axis, comma=one.comma)


def _check_role(role: Any, *, allow_none: bool) -> str | None:
    if role is None and allow_none:
        return None
    if role not in ROLES:
        msg = f"role must be 'lon', 'lat'{' or None' if allow_none else ''}, got {role!r}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "role", "value": str(role),
                                      "expected": "lon, lat"})
    return role


def _is_missing(value: Any) -> bool:
    """None, NaN, pd.NA, NaT, or text of only whitespace."""
    if isinstance(value, str):
        return not value.strip()
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):  # pragma: no cover - pd.isna takes any object
        return False
    return isinstance(missing, (bool, np.bool_)) and bool(missing)


def _not_number_type(value: Any) -> bool:
    """Cells that look numeric to Python but are no coordinate: booleans, dates, times."""
    return isinstance(value, (bool, np.bool_, date, time, timedelta, np.datetime64,
                              np.timedelta64))


def _empty(value: Any) -> Issue:
    return Issue(code="empty_cell", params={"value": value if isinstance(value, str) else ""})


def parse_coordinate(value: Any, role: str | None = None) -> tuple[float | None, list[Issue]]:
    """Read one cell holding ONE coordinate.

    Accepted: numbers (Python, numpy, Decimal); decimal text with spaces, full-width digits,
    unicode minus signs and a trailing ``°``; one decimal comma ("120,3", with a warning);
    degrees-minutes-seconds (``120°18'10"``, ``120°18′10″``, ``120度18分10秒``, ``120°18.5'``,
    ``120:18:10``, ``120 18 10``); a hemisphere or label before or after the number (``E120.3``,
    ``120.3E``, ``东经120.3``, ``北纬 31°34′``, ``lng=120.3``); W, S, 西经 and 南纬 make it
    negative. Ranges are not checked beyond degrees-minutes-seconds validity.

    Parameters
    ----------
    value : Any
        The raw cell: str, int, float, numpy scalar, None, a date...
    role : {"lon", "lat", None}
        The column's coordinate. With a role, a hemisphere or label naming the other one is the
        error ``wrong_hemisphere``.

    Returns
    -------
    number : float or None
        The coordinate in degrees, or None when the cell has an error.
    issues : list of Issue
        Errors (``empty_cell``, ``not_a_number``, ``not_finite``, ``two_numbers``, ``bad_dms``,
        ``wrong_hemisphere``) or the warning ``decimal_comma``; empty for a clean cell.

    Raises
    ------
    ValidationError
        ``bad_argument`` when ``role`` is not "lon", "lat" or None.
    """
    role = _check_role(role, allow_none=True)
    if _is_missing(value):
        return None, [_empty(value)]
    if _not_number_type(value):
        return None, [Issue(code="not_a_number", params={"value": str(value)})]
    if isinstance(value, (numbers.Real, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            return None, [Issue(code="not_finite", params={"value": number})]
        return number, []
    if not isinstance(value, str):
        return None, [Issue(code="not_a_number", params={"value": str(value)})]
    text = _normalise(value)
    if len(text) > _MAX_CHARS:
        return None, [Issue(code="not_a_number", params={"value": value})]
    one = _read_one(text)
    if one.number is not None and not math.isfinite(one.number):
        return None, [Issue(code="not_finite", params={"value": value})]
    if one.number is None:
        code = one.code or "not_a_number"
        if code == "not_a_number" and _split_pair(text)[0]:
            code = "two_numbers"
        return None, [Issue(code=code, params={"value": value})]
    if role is not None and one.axis is not None and one.axis != role:
        return None, [Issue(code="wrong_hemisphere", params={"value": value, "role": role})]
    if one.comma:
        return one.number, [Issue(code="decimal_comma", params={"value": value,
                                                                 "number": one.number},
                                  severity="warning")]
    return one.number, []


def _merged(first: dict[int, list[Issue]], second: dict[int, list[Issue]]
            ) -> dict[int, list[Issue]]:
    """Two position-ordered issue dicts as one, in position order (no sort when one is empty)."""
    if not first or not second:
        return first or second
    return dict(sorted((*first.items(), *second.items())))


def _as_array(values: Any) -> np.ndarray:
    """A 1-D numpy array of the cells; sequences become object arrays (no type coercion)."""
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy()
    elif isinstance(values, np.ndarray):
        arr = values
    else:
        cells = values if isinstance(values, (list, tuple)) else list(values)
        arr = np.empty(len(cells), dtype=object)
        arr[:] = cells
    if arr.ndim != 1:
        msg = f"values must be one column of cells, got an array of shape {arr.shape}"
        raise ValidationError(msg, code="bad_argument",
                              params={"name": "values", "value": str(arr.shape),
                                      "expected": "one column"})
    if arr.dtype.kind == "U":
        arr = arr.astype(object)
    return arr


#: What :func:`pandas.api.types.infer_dtype` calls columns without booleans, dates or bytes.
_PLAIN_KINDS = frozenset({"string", "floating", "integer", "mixed-integer-float", "empty"})


def _to_numbers(arr: np.ndarray) -> np.ndarray:
    """float64 of an object array by :func:`pandas.to_numeric`: NaN where it read nothing."""
    try:
        nums = np.asarray(pd.to_numeric(arr, errors="coerce"))
    except (TypeError, ValueError):  # cells pandas refuses even to coerce (lists, dicts...)
        return np.full(len(arr), np.nan)
    if nums.dtype.kind not in "fiu":  # complex or huge integers: left to the cell parser
        return np.full(len(arr), np.nan)
    return nums.astype("float64")


def _plain_cells(arr: np.ndarray) -> np.ndarray:
    """True for text and real numbers: the cells whose pandas reading can be trusted."""
    if pd.api.types.infer_dtype(arr, skipna=True) in _PLAIN_KINDS:
        return np.ones(len(arr), dtype=bool)
    return np.fromiter(
        (isinstance(v, (str, float, int, np.floating, np.integer)) and not isinstance(v, bool)
         for v in arr), dtype=bool, count=len(arr))


def parse_coordinates(values: Any, role: str) -> tuple[np.ndarray, dict[int, list[Issue]]]:
    """Read a column of cells each holding ONE coordinate: :func:`parse_coordinate`, vectorised.

    Plain numbers and numeric text are read by :func:`pandas.to_numeric` in one go; only the
    other cells go through :func:`parse_coordinate`.

    Parameters
    ----------
    values : sequence, numpy array or pandas Series
        The raw cells (str, int, float, None, dates...).
    role : {"lon", "lat"}
        The column's coordinate (see :func:`parse_coordinate`).

    Returns
    -------
    numbers : numpy.ndarray
        float64, NaN where a cell was not read.
    issues : dict of int to list of Issue
        Position (0-based) -> the issues of that cell, only for cells with issues, in position
        order.

    Raises
    ------
    ValidationError
        ``bad_argument`` for an unknown role or values that are not one column.
    """
    role = _check_role(role, allow_none=True)
    arr = _as_array(values)
    if arr.dtype.kind in "fiu":
        out = arr.astype("float64")
        good = np.isfinite(out)
    else:
        out = _to_numbers(arr) if arr.dtype.kind == "O" else np.full(len(arr), np.nan)
        good = np.isfinite(out) & _plain_cells(arr)
    out[~good] = np.nan
    rest = np.flatnonzero(~good)
    cells = arr[rest]
    missing = np.asarray(pd.isna(cells), dtype=bool)
    empty: dict[int, list[Issue]] = {}
    issues: dict[int, list[Issue]] = {}
    with gc_paused():
        for i in rest[missing].tolist():
            empty[i] = [_empty(None)]
        for i, cell in zip(rest[~missing].tolist(), cells[~missing], strict=True):
            number, found = parse_coordinate(cell, role)
            if number is not None:
                out[i] = number
            if found:
                issues[i] = found
    return out, _merged(empty, issues)


# --------------------------------------------------------------------------------------------
# Two coordinates
# --------------------------------------------------------------------------------------------

_SEPARATORS_RE = re.compile(r"[\s,;、/|]+")
_WORD_RE = re.compile(r"[a-z\u4e00-\u9fff]")
_BRACKETS_RE = re.compile(r"[(\[{【]\s*(?P<inner>.*?)\s*[)\]}】]", re.DOTALL)


def _cuts(text: str) -> list[tuple[int, int]]:
    """Where text may split into two coordinates: (end of first, start of second)."""
    runs = [(m.start(), m.end()) for m in _SEPARATORS_RE.finditer(text)]
    cuts = [(i, j) for i, j in runs if 0 < i and j < len(text)]
    edges = {i for run in runs for i in run}
    word = [bool(_WORD_RE.match(c)) for c in text]
    # a label or hemisphere right next to a number: "31.5n120.3e", "lng120.3lat31.5"
    cuts += [(j, j) for j in range(1, len(text)) if word[j - 1] != word[j] and j not in edges]
    return cuts


_DETACHED_RE = re.compile(r"^[a-z\u4e00-\u9fff]+\s|\s[a-z\u4e00-\u9fff]+$")


def _split_pair(text: str) -> tuple[tuple[_One, _One] | None, str]:
    """Split normalised text into two coordinates: ((first, second), "") or (None, error code).

    Every cut that reads as two coordinates counts. When cuts read differently, the reading
    whose labels touch their numbers wins ("31.5 E120.3": E belongs to 120.3, not to 31.5);
    otherwise the text is ``not_a_pair`` (e.g. "120 18 31 34": 120 and 18°31'34", or
    120°18'31" and 34).
    """
    found: dict[tuple[Any, ...], tuple[int, _One, _One]] = {}
    bad_dms = False
    for end, start in _cuts(text):
        head, tail = text[:end].strip(), text[start:].strip()
        first, second = _read_one(head), _read_one(tail)
        if first.number is not None and second.number is not None:
            key = (first.number, first.axis, second.number, second.axis)
            detached = bool(_DETACHED_RE.search(head)) + bool(_DETACHED_RE.search(tail))
            found.setdefault(key, (detached, first, second))
        elif {first.code, second.code} <= {None, "bad_dms"}:
            bad_dms = True
    if found:
        fewest = min(detached for detached, _, _ in found.values())
        best = [(first, second) for detached, first, second in found.values()
                if detached == fewest]
        if len(best) == 1:
            return best[0], ""
    elif bad_dms:
        return None, "bad_dms"
    return None, "not_a_pair"


def _orient(first: _One, second: _One, value: str) -> Pair:
    """Decide which of the two numbers is the longitude: labels first, else China's ranges."""
    a, b = first.number, second.number
    assert a is not None and b is not None
    warnings = tuple(Issue(code="decimal_comma", params={"value": value, "number": one.number},
                           severity="warning") for one in (first, second) if one.comma)
    ambiguous = Issue(code="order_ambiguous", params={"value": value})
    if first.axis is not None or second.axis is not None:
        if first.axis == second.axis:  # "E120 E31": both halves say longitude
            return Pair(a, b, "lonlat", None, (ambiguous, *warnings))
        if first.axis == "lon" or second.axis == "lat":
            return Pair(a, b, "lonlat", "labels", warnings)
        return Pair(b, a, "latlon", "labels", warnings)
    lonlat, latlon = bool(in_china(a, b)), bool(in_china(b, a))
    if lonlat and latlon:  # cannot happen with China's box, kept for a wider one
        return Pair(a, b, "lonlat", None, (ambiguous, *warnings))
    if latlon and not lonlat:
        assumed = Issue(code="order_assumed", params={"value": value, "lon": b, "lat": a},
                        severity="warning")
        return Pair(b, a, "latlon", "ranges", (*warnings, assumed))
    return Pair(a, b, "lonlat", "ranges", warnings)  # in China, or nowhere: the caller says


def _unread(*, code: str, value: str) -> Pair:
    return Pair(None, None, None, None, (Issue(code=code, params={"value": value}),))


def parse_pair(value: Any) -> Pair:
    """Read one cell or typed text holding BOTH coordinates, in either order.

    The two halves are split at a comma (also full-width ，), semicolon, 、, slash or spaces,
    or where a label starts ("经度120.3纬度31.5", "31.5N120.3E"); optional brackets around the
    whole are dropped. Each half may be anything :func:`parse_coordinate` reads. The order is
    told by labels or hemispheres when present (``how="labels"``: "lng:120.3 lat:31.5",
    "东经120°18′ 北纬31°34′", "N31.58 E120.30"), else by China's ranges (``how="ranges"``,
    :func:`geo.crs.in_china`): when only the latitude-first reading lies in China, it is taken
    with the warning ``order_assumed``; when neither does, the written order is kept (longitude
    first) without an issue, and the caller reports the point outside China.

    Parameters
    ----------
    value : Any
        The raw cell or text.

    Returns
    -------
    Pair
        lon, lat, the order written, how it was decided and the issues: errors ``empty_cell``,
        ``not_a_pair`` (one number, three or more, or text), ``bad_dms``, ``order_ambiguous``
        (both halves labelled the same axis: the numbers are kept in written order, see
        :class:`Pair`); warnings ``decimal_comma``, ``order_assumed``.
    """
    if _is_missing(value):
        return Pair(None, None, None, None, (_empty(value),))
    if not isinstance(value, str):
        return _unread(code="not_a_pair", value=str(value))
    text = _normalise(value)
    bracketed = _BRACKETS_RE.fullmatch(text)
    if bracketed:
        text = bracketed.group("inner")
    if not text:
        return Pair(None, None, None, None, (_empty(value),))
    if len(text) > _MAX_CHARS:
        return _unread(code="not_a_pair", value=value)
    halves, code = _split_pair(text)
    if halves is None:
        return _unread(code=code, value=value)
    return _orient(*halves, value)


#: The common shape "120.30,31.58" (also ; and ，), read by pyarrow without Python per cell.
_FAST_PAIR_RE = (r"^\s*(?P<a>[+-]?\d+(?:\.\d*)?)\s*[,;\x{ff0c}\x{ff1b}]\s*"
                 r"(?P<b>[+-]?\d+(?:\.\d*)?)\s*$")


def _fast_pairs(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both numbers of the cells of the common shape; NaN elsewhere (those go the slow way)."""
    n = len(arr)
    a, b = np.full(n, np.nan), np.full(n, np.nan)
    if arr.dtype.kind != "O" or not n:
        return a, b
    if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        where = np.arange(n)
    else:
        where = np.flatnonzero(np.fromiter((isinstance(v, str) for v in arr), bool, count=n))
    if not len(where):
        return a, b
    text = pa.array(arr[where], type=pa.string(), from_pandas=True)
    parts = pc.extract_regex(text, _FAST_PAIR_RE)
    for out, field in ((a, "a"), (b, "b")):
        numbers_ = pc.cast(pc.struct_field(parts, field), pa.float64())
        out[where] = numbers_.to_numpy(zero_copy_only=False)
    return a, b


def _has_error(issues: tuple[Issue, ...]) -> bool:
    return any(issue.severity == "error" for issue in issues)


def parse_pairs(values: Any) -> tuple[np.ndarray, np.ndarray, dict[int, list[Issue]]]:
    """Read a column of cells each holding BOTH coordinates: :func:`parse_pair`, vectorised.

    Cells of the common shape "120.30,31.58" are split and read in one go (pyarrow); the rest
    go through :func:`parse_pair`. Both give the same numbers and issues.

    Parameters
    ----------
    values : sequence, numpy array or pandas Series
        The raw cells.

    Returns
    -------
    lon, lat : numpy.ndarray
        float64, NaN where a cell was not read.
    issues : dict of int to list of Issue
        Position (0-based) -> the issues of that cell, only for cells with issues, in position
        order. A cell read latitude first because only that order lies in China has the warning
        ``order_assumed`` (``value``, ``lon``, ``lat``).

    Raises
    ------
    ValidationError
        ``bad_argument`` for values that are not one column.
    """
    arr = _as_array(values)
    a, b = _fast_pairs(arr)
    fast = np.isfinite(a) & np.isfinite(b)
    lonlat, latlon = in_china(a, b), in_china(b, a)
    fast &= ~(lonlat & latlon)
    swap = fast & latlon & ~lonlat
    lon = np.where(swap, b, a)
    lat = np.where(swap, a, b)
    lon[~fast] = np.nan
    lat[~fast] = np.nan
    assumed: dict[int, list[Issue]] = {}
    issues: dict[int, list[Issue]] = {}
    where = np.flatnonzero(swap)
    rest = np.flatnonzero(~fast)
    with gc_paused():
        for i, cell, x, y in zip(where.tolist(), arr[where], lon[where].tolist(),
                                 lat[where].tolist(), strict=True):
            # positional: a third faster than keywords, and a file may be all latitude first
            assumed[i] = [Issue("order_assumed", {"value": cell, "lon": x, "lat": y}, "warning")]
        for i, cell in zip(rest.tolist(), arr[rest], strict=True):
            pair = parse_pair(cell)
            if pair.lon is not None and pair.lat is not None and not _has_error(pair.issues):
                lon[i], lat[i] = pair.lon, pair.lat
            if pair.issues:
                issues[i] = list(pair.issues)
    return lon, lat, _merged(assumed, issues)
