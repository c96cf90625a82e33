"""Place-name search over resources and districts: Chinese substrings, English names and pinyin."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cachetools
import numpy as np
import pandas as pd

from geo.errors import ValidationError

#: Columns of the search result, in order.
RESULT_COLUMNS: tuple[str, ...] = ("name", "name_en", "kind", "district", "lon", "lat", "score")

#: Score bands (a match scores its band plus up to 9 for how much of the field it covers).
#: Text matches on name/name_en/district beat address text, which beats pinyin.
SCORE_EXACT = 100.0
SCORE_PREFIX = 80.0
SCORE_SUBSTRING = 60.0
SCORE_ADDRESS = 50.0
SCORE_PINYIN_EXACT = 40.0
SCORE_PINYIN_PREFIX = 30.0
SCORE_PINYIN_SUBSTRING = 20.0
SCORE_PINYIN_ADDRESS = 10.0
_COVER_BONUS = 9.0

_CACHE_SIZE = 4
_INITIALS_2 = ("zh", "ch", "sh")
_LATIN_QUERY_RE = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")

#: One character's readings: lower-case pinyin without tones (or the character itself).
Token = frozenset[str]


def _compact(text: Any) -> str:
    """NFKC, lower case, accents dropped, only letters, digits and CJK (no spaces/punctuation)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    norm = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(text)).lower())
    return "".join(ch for ch in norm if ch.isalnum())


def _latin_query(text: str) -> str:
    """Query text as plain a-z/0-9: tone marks dropped (nán → nan, ü → u), others removed."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=8192)
def _han_readings(ch: str) -> Token:
    """Every toneless pinyin reading of one Han character (heteronyms too: 长 → chang, zhang)."""
    from pypinyin import Style, pinyin  # lazy: only needed once an index is built

    per_char = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    readings: set[str] = set()
    for reading in (r.lower() for r in (per_char[0] if per_char else [])):
        readings.add(reading)
        if "v" in reading:
            readings.add(reading.replace("v", "u"))  # lü may be typed as lu
    return frozenset(readings) or frozenset({ch})


def _tokens(text: Any) -> tuple[Token, ...]:
    """One token per character of the compacted text: pinyin readings for Han, else itself."""
    return tuple(_han_readings(ch) if _is_han(ch) else frozenset({ch}) for ch in _compact(text))


def _pinyin_span(tokens: tuple[Token, ...], query: str) -> tuple[int, int] | None:
    """Where ``query`` (a-z/0-9) spells consecutive tokens in pinyin, as (start, end) tokens.

    Each character may be spelled in full ("nan") or by its initial ("n", or "zh"/"ch"/"sh"),
    mixed freely; the query's last syllable may be cut short ("yuantouz"). The earliest start
    wins, then the longest span.
    """
    n, m = len(tokens), len(query)
    if not n or not m:
        return None
    memo: dict[tuple[int, int], int] = {}

    def best_end(i: int, pos: int) -> int:
        if pos == m:
            return i
        if i == n:
            return -1
        key = (i, pos)
        if key in memo:
            return memo[key]
        best = -1
        rest = query[pos:]
        for reading in tokens[i]:
            if reading.startswith(rest):  # the query ends inside (or exactly at) this syllable
                best = max(best, i + 1)
                continue
            steps = {reading, reading[0]}
            if reading[:2] in _INITIALS_2:
                steps.add(reading[:2])
            for step in steps:
                if rest.startswith(step):
                    best = max(best, best_end(i + 1, pos + len(step)))
        memo[key] = best
        return best

    first = query[0]
    for start in range(n):
        if not any(r.startswith(first) for r in tokens[start]):
            continue
        end = best_end(start, 0)
        if end > 0:
            return start, end
    return None


@dataclass(frozen=True)
class _Entry:
    """One searchable place with its precomputed search keys."""

    name: str
    name_en: str
    kind: str
    district: str
    lon: float
    lat: float
    keys_text: tuple[str, ...]  # compacted name, name_en (and district for districts)
    key_address: str
    pinyin_name: tuple[Token, ...]
    pinyin_address: tuple[Token, ...]


def _text_score(key: str, query: str) -> float:
    """Exact/prefix/substring score of a compacted query in one compacted field (0 if none)."""
    if not key or query not in key:
        return 0.0
    if key == query:
        return SCORE_EXACT
    cover = _COVER_BONUS * len(query) / len(key)
    return (SCORE_PREFIX if key.startswith(query) else SCORE_SUBSTRING) + cover


def _pinyin_score(tokens: tuple[Token, ...], query: str, *, address: bool) -> float:
    span = _pinyin_span(tokens, query)
    if span is None:
        return 0.0
    start, end = span
    cover = _COVER_BONUS * (end - start) / len(tokens)
    if address:
        return SCORE_PINYIN_ADDRESS + cover
    if start == 0 and end == len(tokens):
        return SCORE_PINYIN_EXACT
    return (SCORE_PINYIN_PREFIX if start == 0 else SCORE_PINYIN_SUBSTRING) + cover


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _lon_lat(geometry: Any) -> tuple[float, float] | None:
    if geometry is None or geometry.is_empty:
        return None
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return float(point.x), float(point.y)


def _wgs84(frame: Any) -> Any:
    crs = getattr(frame, "crs", None)
    if crs is not None and not crs.is_geographic:
        return frame.to_crs("EPSG:4326")
    return frame


class PlaceIndex:
    """A search index over resources and district boundaries, built once (pinyin included).

    Parameters
    ----------
    resources : GeoDataFrame or None
        Columns name, name_en, address, district, kind and WGS84 point geometry. Missing text
        columns count as empty; rows without geometry are left out.
    boundaries : GeoDataFrame or None
        District polygons with district and district_en; each is found at its representative
        point (a point surely inside the polygon) with kind "district".
    """

    def __init__(self, resources: Any = None, boundaries: Any = None) -> None:
        entries: list[_Entry] = []
        if boundaries is not None and len(boundaries):
            for row in _wgs84(boundaries).itertuples(index=False):
                where = _lon_lat(getattr(row, "geometry", None))
                district = _text(getattr(row, "district", ""))
                if where is None or not district:
                    continue
                name_en = _text(getattr(row, "district_en", ""))
                entries.append(_Entry(
                    district, name_en, "district", district, *where,
                    keys_text=(_compact(district), _compact(name_en)), key_address="",
                    pinyin_name=_tokens(district), pinyin_address=()))
        if resources is not None and len(resources):
            for row in _wgs84(resources).itertuples(index=False):
                where = _lon_lat(getattr(row, "geometry", None))
                if where is None:
                    continue
                name = _text(getattr(row, "name", ""))
                name_en = _text(getattr(row, "name_en", ""))
                address = _text(getattr(row, "address", ""))
                entries.append(_Entry(
                    name, name_en, _text(getattr(row, "kind", "")),
                    _text(getattr(row, "district", "")), *where,
                    keys_text=(_compact(name), _compact(name_en)), key_address=_compact(address),
                    pinyin_name=_tokens(name), pinyin_address=_tokens(address)))
        self._entries = entries

    def __len__(self) -> int:
        """Return the number of searchable places."""
        return len(self._entries)

    def search(self, query: str, limit: int = 10) -> pd.DataFrame:
        """Find places matching ``query``, best first.

        Parameters
        ----------
        query : str
            Chinese or Latin text: a Chinese substring of a name or address ("南长街"), an
            English name ("Wuxi Railway"), full pinyin ("yuantouzhu", tone marks and spaces
            allowed) or pinyin initials ("ytz"). Case, spaces and punctuation are ignored.
        limit : int, default 10
            Most rows to return (at least 1).

        Returns
        -------
        DataFrame
            Columns name, name_en, kind, district, lon, lat, score; empty for a blank query or
            no match. Score bands: exact 100, prefix 80-89, substring 60-69 (on name, name_en
            or district), address 50-59, pinyin exact 40, prefix 30-39, substring 20-29,
            pinyin of the address 10-19; within a band, matching more of the field scores more.
        """
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            msg = f"limit must be a positive integer, got {limit!r}"
            raise ValidationError(msg)
        text_q = _compact(query or "")
        if not text_q:
            return _empty()
        latin_q = _latin_query(query or "")
        use_pinyin = bool(_LATIN_QUERY_RE.fullmatch(latin_q)) and not any(map(_is_han, text_q))
        scored: list[tuple[float, int, int]] = []
        for i, entry in enumerate(self._entries):
            score = max((_text_score(k, text_q) for k in entry.keys_text), default=0.0)
            if score < SCORE_ADDRESS and entry.key_address and text_q in entry.key_address:
                cover = _COVER_BONUS * len(text_q) / len(entry.key_address)
                score = max(score, SCORE_ADDRESS + cover)
            if use_pinyin and score < SCORE_PINYIN_EXACT:
                score = max(score, _pinyin_score(entry.pinyin_name, latin_q, address=False))
                if score < SCORE_PINYIN_ADDRESS + _COVER_BONUS:
                    score = max(score, _pinyin_score(entry.pinyin_address, latin_q, address=True))
            if score > 0:
                scored.append((score, len(entry.name), i))
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        rows = []
        for score, _, i in scored[: int(limit)]:
            e = self._entries[i]
            rows.append((e.name, e.name_en, e.kind, e.district, e.lon, e.lat, round(score, 2)))
        if not rows:
            return _empty()
        return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "name": pd.Series(dtype="object"), "name_en": pd.Series(dtype="object"),
        "kind": pd.Series(dtype="object"), "district": pd.Series(dtype="object"),
        "lon": pd.Series(dtype="float64"), "lat": pd.Series(dtype="float64"),
        "score": pd.Series(dtype="float64"),
    })


#: Place indexes keyed on the content they were built from (names, addresses, bounds).
_INDEX_CACHE: cachetools.LRUCache = cachetools.LRUCache(maxsize=_CACHE_SIZE)


def _fingerprint(resources: Any, boundaries: Any) -> int:
    """Return a cheap content hash, so an in-place edit of a cached frame rebuilds its index."""
    parts = []
    for frame, cols in ((resources, ("name", "name_en", "address", "district", "kind")),
                        (boundaries, ("district", "district_en"))):
        if frame is None:
            parts.append(0)
            continue
        present = [c for c in cols if c in frame.columns]
        text = pd.util.hash_pandas_object(pd.DataFrame(frame[present]).astype(str), index=False)
        parts.append(int(text.sum()) ^ len(frame))
        if len(frame) and hasattr(frame, "total_bounds"):
            parts.append(hash(tuple(np.round(frame.total_bounds, 9))))
    return hash(tuple(parts))


def place_index(resources: Any, boundaries: Any) -> PlaceIndex:
    """Return the :class:`PlaceIndex` for these frames, built once per content.

    The cache holds the last few indexes, keyed on a hash of the searched text columns and the
    frames' bounds, so a frame whose names, addresses or bounds changed gets a new index.
    """
    key = _fingerprint(resources, boundaries)
    index = _INDEX_CACHE.get(key)
    if index is None:
        index = PlaceIndex(resources, boundaries)
        _INDEX_CACHE[key] = index
    return index


def clear_place_cache() -> None:
    """Forget every cached :class:`PlaceIndex`."""
    _INDEX_CACHE.clear()


def search_places(resources: Any, boundaries: Any, query: str, limit: int = 10) -> pd.DataFrame:
    """Search resource names/addresses and district names for ``query``, best first.

    Parameters
    ----------
    resources : GeoDataFrame or None
        Columns name, name_en, address, district, kind and WGS84 point geometry.
    boundaries : GeoDataFrame or None
        District polygons with district and district_en (matched as kind "district").
    query : str
        Chinese, English or pinyin text; see :meth:`PlaceIndex.search`.
    limit : int, default 10
        Most rows to return.

    Returns
    -------
    DataFrame
        Columns name, name_en, kind, district, lon, lat, score (empty for a blank query).
    """
    if not _compact(query or ""):
        return _empty()
    return place_index(resources, boundaries).search(query, limit)
