"""Place-name search over resources, districts and public places.

A query may be a Chinese substring, an English name, pinyin (full, initials or mixed), a
common alias (``data/place_aliases.csv``: 金山寺 → 金山风景区), a Chinese near-homophone
(鼋头诸 → 鼋头渚) or a misspelt pinyin/English name (yuantouzu, Wuxi Raliway). With no match,
:meth:`PlaceIndex.suggest` names the nearest places.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import cachetools
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from geo.errors import DataError, ValidationError

#: Columns of the search result, in order. ``matched`` says how a row matched when it was not
#: by its own text or pinyin: ``"alias:<alias>"``, ``"sound:<the name's characters>"`` or
#: ``"spelling:<the spelling matched>"``; it is ``""`` otherwise.
RESULT_COLUMNS: tuple[str, ...] = (
    "name", "name_en", "kind", "district", "lon", "lat", "score", "matched")

#: Score bands (a match scores its band plus a bonus for how much of the field it covers).
#: An exact name beats an alias, which beats a prefix or substring of name/name_en/district,
#: then of the address; a Chinese query that matches no text falls back to near-homophones; a
#: Latin one matches pinyin, then (matching nothing) falls back to misspellings, lowest of all.
SCORE_EXACT = 100.0
SCORE_ALIAS = 90.0            # 90-95: the query is an alias of the place
SCORE_PREFIX = 80.0
SCORE_SUBSTRING = 60.0
SCORE_ADDRESS = 50.0
SCORE_SOUND = 45.0            # 45-49: same sound as (part of) the name: 鼋头诸 → 鼋头渚
SCORE_SOUND_NEAR = 41.0       # 41-44: one syllable blurred (z/zh, n/l, in/ing): 南三 → 南山
SCORE_PINYIN_EXACT = 40.0
SCORE_PINYIN_ALIAS = 39.0     # 39-39.9: the query spells an alias in pinyin
SCORE_PINYIN_PREFIX = 30.0
SCORE_PINYIN_SUBSTRING = 20.0
SCORE_PINYIN_ADDRESS = 10.0
SCORE_FUZZY = 1.0             # 1-9: a misspelt pinyin or English name
_COVER_BONUS = 9.0
_ALIAS_BONUS = 5.0
_SOUND_BONUS = 4.0
_SOUND_NEAR_BONUS = 3.0
_PINYIN_ALIAS_BONUS = 0.9
_ALIAS_SPELLING_PENALTY = 1.0  # a misspelt name beats the same misspelling of an alias

#: How a row matched (the part of ``matched`` before the colon).
MATCH_ALIAS = "alias"
MATCH_SOUND = "sound"
MATCH_SPELLING = "spelling"

#: The alias table in the data folder, and its columns.
ALIASES_FILE = "place_aliases.csv"
ALIAS_COLUMNS: tuple[str, ...] = ("alias", "name", "city", "note")

_CACHE_SIZE = 4
#: Sounds often confused (the "fuzzy pinyin" of Chinese input methods); each pair is one edit.
_BLUR_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"), ("h", "f"))
_BLUR_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))
_INITIALS_2 = ("zh", "ch", "sh")
_LATIN_QUERY_RE = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_UNIT_RE = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_NUMBERED_RE = re.compile(r"\s*\d+号")  # "灵山胜境 2号AED" is the second AED of 灵山胜境
#: What may follow a place's name in the name of a resource at it (compacted): 2号aed.
_AT_PLACE_RE = re.compile(r"(?:\d+号)?[a-z0-9]*")

#: Misspellings: queries this long (letters) are tried, with this many edits at most.
_FUZZY_MIN_LEN = 4
_FUZZY_MAX_LEN = 32
_FUZZY_SHORT = 5  # up to this long, the first letter must be right
_FUZZY_WIDTH = 36  # > _FUZZY_MAX_LEN + 3 edits: the longest prefix of a key compared

#: Where the default alias table comes from: "default" (``data/place_aliases.csv``).
DefaultAliases = Literal["default"]

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


@lru_cache(maxsize=8192)
def _token_steps(token: Token) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each reading of a token with the ways to spell it: in full or by its initial."""
    out = []
    for reading in sorted(token):
        steps = {reading, reading[0]}
        if reading[:2] in _INITIALS_2:
            steps.add(reading[:2])
        out.append((reading, tuple(sorted(steps, key=len, reverse=True))))
    return tuple(out)


def _blur(reading: str) -> str:
    """A reading with confusable sounds merged: zhu → zu, ling → lin, nan → lan."""
    for sharp, flat in _BLUR_INITIALS:
        if reading.startswith(sharp):
            reading = flat + reading[len(sharp):]
            break
    for sharp, flat in _BLUR_FINALS:
        if reading.endswith(sharp):
            return reading[:-len(sharp)] + flat
    return reading


def _mask(tokens: tuple[Token, ...]) -> int:
    """The letters and digits of every reading, as bits: a spelling uses no others."""
    bits = 0
    for token in tokens:
        for reading in token:
            bits |= _letters(reading)
    return bits


@lru_cache(maxsize=8192)
def _letters(text: str) -> int:
    bits = 0
    for ch in text:
        if "a" <= ch <= "z":
            bits |= 1 << (ord(ch) - 97)
        elif "0" <= ch <= "9":
            bits |= 1 << (ord(ch) - 48 + 26)
        else:
            bits |= 1 << 36
    return bits


def _starts(tokens: tuple[Token, ...]) -> dict[str, tuple[int, ...]]:
    """For each first letter, the tokens a pinyin spelling may start at."""
    where: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        for letter in {r[0] for r in token if r}:
            where.setdefault(letter, []).append(i)
    return {k: tuple(v) for k, v in where.items()}


def _pinyin_span(tokens: tuple[Token, ...], query: str,
                 starts: dict[str, tuple[int, ...]] | None = None) -> tuple[int, int] | None:
    """Where ``query`` (a-z/0-9) spells consecutive tokens in pinyin, as (start, end) tokens.

    Each character may be spelled in full ("nan") or by its initial ("n", or "zh"/"ch"/"sh"),
    mixed freely; the query's last syllable may be cut short ("yuantouz"). The earliest start
    wins, then the longest span. ``starts`` (from :func:`_starts`) skips hopeless starts.
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
        for reading, steps in _token_steps(tokens[i]):
            if reading.startswith(rest):  # the query ends inside (or exactly at) this syllable
                best = max(best, i + 1)
                continue
            for step in steps:
                if rest.startswith(step):
                    best = max(best, best_end(i + 1, pos + len(step)))
        memo[key] = best
        return best

    if starts is None:
        starts = _starts(tokens)
    for start in starts.get(query[0], ()):
        end = best_end(start, 0)
        if end > 0:
            return start, end
    return None


def _units(text: Any) -> list[tuple[str, bool]]:
    """The spelling units of a text as lower-case a-z/0-9, each with "is it Han".

    A Han character gives its usual reading in context (南长街 → nan chang jie), a Latin or
    digit run gives itself as one word.
    """
    from pypinyin import Style, lazy_pinyin

    out: list[tuple[str, bool]] = []
    norm = unicodedata.normalize("NFKC", str(text or "")).lower()
    for run in _UNIT_RE.findall(norm):
        if _is_han(run[0]):
            for syllable in lazy_pinyin(run, style=Style.NORMAL, v_to_u=True,
                                        errors=lambda s: list(s)):
                unit = _latin_query(syllable)
                if unit:
                    out.append((unit, True))
        else:
            unit = _latin_query(run)
            if unit:
                out.append((unit, False))
    return out


def _spelling(units: list[tuple[str, bool]]) -> tuple[str, tuple[int, ...]]:
    """A spelling key (units joined, no spaces) and where each unit starts in it."""
    bounds, pos = [], 0
    for unit, _ in units:
        bounds.append(pos)
        pos += len(unit)
    return "".join(u for u, _ in units), tuple(bounds)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One searchable place with its precomputed search keys."""

    name: str
    name_en: str
    kind: str
    district: str
    lon: float
    lat: float
    city: str
    keys_text: tuple[str, ...]  # compacted name, name_en (and district for districts)
    key_address: str
    pinyin_name: tuple[Token, ...]
    pinyin_address: tuple[Token, ...]
    starts_name: dict[str, tuple[int, ...]]
    starts_address: dict[str, tuple[int, ...]]
    mask_name: int
    mask_address: int


@dataclass(frozen=True, slots=True)
class _Alias:
    """One alias with the entries it names and the score each gets."""

    alias: str  # as written in the table
    key: str  # compacted
    tokens: tuple[Token, ...]
    starts: dict[str, tuple[int, ...]]
    targets: tuple[tuple[int, float], ...]  # (entry, share of the name the place name covers)


@dataclass(frozen=True, slots=True)
class _SoundSubject:
    """A name or alias searched by sound: its tokens, its text and the entries it stands for."""

    tokens: tuple[Token, ...]
    label: str
    targets: tuple[tuple[int, float], ...]  # (entry, weight of the cover bonus)


def _text_score(key: str, query: str) -> float:
    """Exact/prefix/substring score of a compacted query in one compacted field (0 if none)."""
    if not key or query not in key:
        return 0.0
    if key == query:
        return SCORE_EXACT
    cover = _COVER_BONUS * len(query) / len(key)
    return (SCORE_PREFIX if key.startswith(query) else SCORE_SUBSTRING) + cover


def _pinyin_score(tokens: tuple[Token, ...], query: str, *, address: bool,
                  starts: dict[str, tuple[int, ...]] | None = None) -> float:
    span = _pinyin_span(tokens, query, starts)
    if span is None:
        return 0.0
    start, end = span
    cover = _COVER_BONUS * (end - start) / len(tokens)
    if address:
        return SCORE_PINYIN_ADDRESS + cover
    if start == 0 and end == len(tokens):
        return SCORE_PINYIN_EXACT
    return (SCORE_PINYIN_PREFIX if start == 0 else SCORE_PINYIN_SUBSTRING) + cover


def _max_edits(length: int) -> int:
    """Edits a misspelling of this many letters may have: 1 up to 5, 2 up to 10, then 3."""
    return 1 if length <= 5 else 2 if length <= 10 else 3


def _prefix_distances(rows: np.ndarray, query: str, max_d: int) -> tuple[np.ndarray, np.ndarray]:
    """Fewest edits from ``query`` to a prefix of each row, and that prefix's length.

    ``rows`` holds ASCII codes, zero-padded on the right (a pad never matches). Prefixes of
    ``len(query) ± max_d`` letters are tried; a Levenshtein table over all rows at once.
    """
    m = len(query)
    cols = min(m + max_d, rows.shape[1])
    sub = rows[:, :cols]
    n = sub.shape[0]
    ar = np.arange(cols + 1, dtype=np.int16)
    prev = np.broadcast_to(ar, (n, cols + 1)).copy()
    for i, code in enumerate(query.encode("ascii"), start=1):
        cur = np.empty_like(prev)
        cur[:, 0] = i
        np.minimum(prev[:, :-1] + (sub != code), prev[:, 1:] + 1, out=cur[:, 1:])
        # an insertion in the row: cur[j] = min over k <= j of cur[k] + (j - k)
        cur = np.minimum.accumulate(cur - ar, axis=1) + ar
        prev = cur
    lo = max(1, m - max_d)
    window = prev[:, lo:]
    best = window.argmin(axis=1)
    return window[np.arange(n), best], best + lo


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


def _row_lon_lat(row: Any) -> tuple[float, float] | None:
    """A row's WGS84 position: its geometry, else its lon/lat columns (None if neither)."""
    geometry = getattr(row, "geometry", None)
    if geometry is not None:
        return _lon_lat(geometry)
    try:
        lon, lat = float(getattr(row, "lon", np.nan)), float(getattr(row, "lat", np.nan))
    except (TypeError, ValueError):
        return None
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return None
    return lon, lat


def _point_entry(row: Any, kind: str) -> _Entry | None:
    where = _row_lon_lat(row)
    name = _text(getattr(row, "name", ""))
    if where is None or not name:
        return None
    name_en = _text(getattr(row, "name_en", ""))
    address = _text(getattr(row, "address", ""))
    name_tokens, address_tokens = _tokens(name), _tokens(address)
    return _Entry(
        name, name_en, kind or _text(getattr(row, "kind", "")),
        _text(getattr(row, "district", "")), *where, city=_text(getattr(row, "city", "")),
        keys_text=(_compact(name), _compact(name_en)), key_address=_compact(address),
        pinyin_name=name_tokens, pinyin_address=address_tokens,
        starts_name=_starts(name_tokens), starts_address=_starts(address_tokens),
        mask_name=_mask(name_tokens), mask_address=_mask(address_tokens))


class PlaceIndex:
    """A search index over resources, district boundaries and public places, built once.

    Pinyin, alias, sound and spelling keys are all precomputed, so a query costs a few
    milliseconds for about a thousand places.

    Parameters
    ----------
    resources : GeoDataFrame or None
        Columns name, name_en, address, district, kind, optional city, and WGS84 point
        geometry. Missing text columns count as empty; rows without geometry are left out.
    boundaries : GeoDataFrame or None
        District polygons with district, district_en and optional city; each is found at its
        representative point (a point surely inside the polygon) with kind "district".
    places : DataFrame or None
        Public places (:func:`geo.datasets.read_public_places`): name, name_en, address,
        district, city and either point geometry or WGS84 lon/lat columns; kind "place".
    aliases : DataFrame or None
        Alias table (:func:`read_aliases`): columns alias, name and optional city. An alias
        names every entry (of that city, when both say) named as the place, or as the place
        followed by a number and a Latin tag: 灵山胜境 names 灵山胜境AED and 灵山胜境 2号AED,
        not 灵山胜境景区红十字救护站. A district's name names that district only. Rows naming
        no entry are ignored. None: no aliases.
    """

    def __init__(self, resources: Any = None, boundaries: Any = None, places: Any = None,
                 aliases: pd.DataFrame | None = None) -> None:
        entries: list[_Entry] = []
        if boundaries is not None and len(boundaries):
            for row in _wgs84(boundaries).itertuples(index=False):
                where = _lon_lat(getattr(row, "geometry", None))
                district = _text(getattr(row, "district", ""))
                if where is None or not district:
                    continue
                name_en = _text(getattr(row, "district_en", ""))
                tokens = _tokens(district)
                entries.append(_Entry(
                    district, name_en, "district", district, *where,
                    city=_text(getattr(row, "city", "")),
                    keys_text=(_compact(district), _compact(name_en)), key_address="",
                    pinyin_name=tokens, pinyin_address=(), starts_name=_starts(tokens),
                    starts_address={}, mask_name=_mask(tokens), mask_address=0))
        for frame, kind in ((resources, ""), (places, "place")):
            if frame is None or not len(frame):
                continue
            for row in _wgs84(frame).itertuples(index=False):
                entry = _point_entry(row, kind)
                if entry is not None:
                    entries.append(entry)
        self._entries = entries
        self._aliases = self._resolve_aliases(aliases)
        self._alias_by_key: dict[str, list[_Alias]] = {}
        for alias in self._aliases:
            self._alias_by_key.setdefault(alias.key, []).append(alias)
        self._build_sound_index()
        self._build_spelling_index()

    # ---- building ----------------------------------------------------------------------

    def _resolve_aliases(self, aliases: pd.DataFrame | None) -> list[_Alias]:
        if aliases is None or not len(aliases):
            return []
        by_name: dict[str, list[int]] = {}
        districts = set()
        for i, entry in enumerate(self._entries):
            by_name.setdefault(entry.keys_text[0], []).append(i)
            if entry.kind == "district":
                districts.add(entry.keys_text[0])
        names = sorted(by_name)
        out = []
        for row in aliases.itertuples(index=False):
            alias, canon = _text(getattr(row, "alias", "")), _compact(getattr(row, "name", ""))
            key, city = _compact(alias), _text(getattr(row, "city", ""))
            if not key or not canon or key == canon:
                continue
            if canon in districts:
                hits = [i for i in by_name[canon] if self._entries[i].kind == "district"]
            else:
                at = bisect.bisect_left(names, canon)
                hits = []
                while at < len(names) and names[at].startswith(canon):
                    if _AT_PLACE_RE.fullmatch(names[at][len(canon):]):
                        hits.extend(by_name[names[at]])
                    at += 1
            targets = tuple(
                (i, len(canon) / len(self._entries[i].keys_text[0])) for i in hits
                if not city or not self._entries[i].city or self._entries[i].city == city)
            if targets:
                tokens = _tokens(alias)
                out.append(_Alias(alias, key, tokens, _starts(tokens), targets))
        return out

    def _build_sound_index(self) -> None:
        subjects = [
            _SoundSubject(e.pinyin_name, e.keys_text[0], ((i, 1.0),))
            for i, e in enumerate(self._entries) if any(map(_is_han, e.keys_text[0]))]
        subjects += [_SoundSubject(a.tokens, a.key, a.targets) for a in self._aliases]
        by_reading: dict[str, set[int]] = {}
        for s, subject in enumerate(subjects):
            for token in subject.tokens:
                for reading in token:
                    by_reading.setdefault(reading, set()).add(s)
        blurred: dict[str, set[str]] = {}
        for reading in by_reading:
            blurred.setdefault(_blur(reading), set()).add(reading)
        self._sound_subjects = subjects
        self._by_reading = by_reading
        self._blurred = blurred

    def _build_spelling_index(self) -> None:
        """Build the spelling keys and the padded matrix of their suffixes.

        Keys: the full pinyin of each name and alias, and each English name; a suffix starts
        at each syllable or word, as ASCII codes.
        """
        keys: list[tuple[str, tuple[int, ...], tuple[tuple[int, float], ...], str]] = []
        initials: list[tuple[str, int]] = []
        for i, entry in enumerate(self._entries):
            units = _units(entry.name)
            keys.append((*_spelling(units), ((i, 1.0),), ""))
            if entry.name_en:
                keys.append((*_spelling(_units(entry.name_en)), ((i, 1.0),), ""))
            han = "".join(u[0] for u, is_han in units if is_han)
            if len(han) >= _FUZZY_MIN_LEN:
                initials.append((han, i))
        for alias in self._aliases:
            keys.append((*_spelling(_units(alias.alias)), alias.targets, alias.alias))
        keys = [k for k in keys if k[0]]
        # one row per distinct suffix (many names end alike: ...shequfuwuzhongxinaed)
        row_of: dict[str, int] = {}
        owners: list[list[tuple[int, int]]] = []
        for k, (key, bounds, _, _) in enumerate(keys):
            for b in bounds:
                suffix = key[b:b + _FUZZY_WIDTH]
                r = row_of.setdefault(suffix, len(row_of))
                if r == len(owners):
                    owners.append([])
                owners[r].append((k, b))
        matrix = np.zeros((len(row_of), _FUZZY_WIDTH), dtype=np.uint8)
        # the letters of each row's first j characters, as bits (see _letters)
        masks = np.zeros((len(row_of), _FUZZY_WIDTH + 1), dtype=np.int64)
        for suffix, r in row_of.items():
            matrix[r, :len(suffix)] = np.frombuffer(suffix.encode("ascii"), dtype=np.uint8)
            bits = 0
            for j, ch in enumerate(suffix, start=1):
                bits |= _letters(ch)
                masks[r, j] = bits
            masks[r, len(suffix) + 1:] = bits
        self._keys = keys
        self._rows = matrix
        self._row_masks = masks
        self._row_owners = owners
        self._row_len = np.asarray([len(s) for s in row_of], dtype=np.int64)
        self._initials = initials
        # suggestions: every key once (Latin spellings, and the Chinese names and aliases)
        self._latin_keys = [k[0] for k in keys] + [s for s, _ in initials]
        self._latin_pairs = _pairs([k[2] for k in keys] + [((i, 1.0),) for _, i in initials])
        self._latin_label = [k[3] for k in keys] + [""] * len(initials)
        self._han_keys = [e.keys_text[0] for e in self._entries] + [a.key for a in self._aliases]
        self._han_pairs = _pairs([((i, 1.0),) for i in range(len(self._entries))]
                                 + [a.targets for a in self._aliases])
        self._han_label = [""] * len(self._entries) + [a.alias for a in self._aliases]

    def __len__(self) -> int:
        """Return the number of searchable places."""
        return len(self._entries)

    # ---- search ------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10) -> pd.DataFrame:
        """Find places matching ``query``, best first.

        Parameters
        ----------
        query : str
            Chinese or Latin text: a Chinese substring of a name or address ("南长街"), an
            English name ("Wuxi Railway"), full pinyin ("yuantouzhu", tone marks and spaces
            allowed), pinyin initials ("ytz") or an alias ("金山寺"). Case, spaces and
            punctuation are ignored. A Chinese query matching no text is tried by sound
            ("鼋头诸" → 鼋头渚); a Latin one matching no text or pinyin is tried as a
            misspelling ("yuantouzu", "Wuxi Raliway").
        limit : int, default 10
            Most rows to return (at least 1).

        Returns
        -------
        DataFrame
            Columns :data:`RESULT_COLUMNS`; empty for a blank query or no match. Score bands:
            exact 100, alias 90-95, prefix 80-89, substring 60-69 (on name, name_en or
            district), address 50-59, same sound 45-49, one syllable blurred (z/zh, n/l,
            in/ing, ...) 41-44, pinyin exact 40, pinyin of an alias 39-39.9, pinyin prefix
            30-39, substring 20-29, pinyin of the address 10-19, misspelling 1-9; within a
            band, matching more of the field scores more. ``matched`` names the alias, sound or
            spelling that matched ("" for a match on the place's own text or pinyin).
        """
        _check_limit(limit)
        text_q = _compact(query or "")
        if not text_q:
            return _empty()
        latin_q = _latin_query(query or "")
        has_han = any(map(_is_han, text_q))
        use_pinyin = bool(_LATIN_QUERY_RE.fullmatch(latin_q)) and not has_han
        best: dict[int, tuple[float, str]] = {}
        letters = _letters(latin_q) if use_pinyin else 0
        for i, entry in enumerate(self._entries):
            score = max((_text_score(k, text_q) for k in entry.keys_text), default=0.0)
            if score < SCORE_ADDRESS and entry.key_address and text_q in entry.key_address:
                cover = _COVER_BONUS * len(text_q) / len(entry.key_address)
                score = max(score, SCORE_ADDRESS + cover)
            if use_pinyin and score < SCORE_PINYIN_EXACT and not letters & ~entry.mask_name:
                score = max(score, _pinyin_score(entry.pinyin_name, latin_q, address=False,
                                                 starts=entry.starts_name))
            if (use_pinyin and score < SCORE_PINYIN_ADDRESS + _COVER_BONUS
                    and not letters & ~entry.mask_address):
                score = max(score, _pinyin_score(entry.pinyin_address, latin_q, address=True,
                                                 starts=entry.starts_address))
            if score > 0:
                best[i] = (score, "")
        for alias in self._alias_by_key.get(text_q, ()):
            for i, share in alias.targets:
                _keep(best, i, SCORE_ALIAS + _ALIAS_BONUS * share, f"{MATCH_ALIAS}:{alias.alias}")
        if use_pinyin:
            for alias in self._aliases:
                if _pinyin_span(alias.tokens, latin_q, alias.starts) == (0, len(alias.tokens)):
                    for i, share in alias.targets:
                        _keep(best, i, SCORE_PINYIN_ALIAS + _PINYIN_ALIAS_BONUS * share,
                              f"{MATCH_ALIAS}:{alias.alias}")
        if not best and has_han:
            self._by_sound(text_q, best)
        if not best and use_pinyin:
            self._by_spelling(latin_q, best)
        return self._frame(best, int(limit))

    def _by_sound(self, text_q: str, best: dict[int, tuple[float, str]]) -> None:
        """Match names (and aliases) that sound like the query.

        Every syllable the same, or one syllable blurred (lin/ling, zu/zhu, san/shan; see
        :func:`_blur`).
        """
        query = _tokens(text_q)
        n = len(query)
        if n < 2:
            return
        same = [set().union(*(self._by_reading.get(r, ()) for r in token)) for token in query]
        near = [set().union(*(self._blurred.get(_blur(r), ()) for r in token)) - token
                if _is_han(ch) else set() for ch, token in zip(text_q, query, strict=True)]
        counts = Counter(s for subjects in same for s in subjects)
        for s, count in counts.items():
            if count < n - 1:
                continue
            subject = self._sound_subjects[s]
            found = _sound_span(subject.tokens, query, near)
            if found is None:
                continue
            start, off = found
            base, bonus = ((SCORE_SOUND, _SOUND_BONUS) if off == 0
                           else (SCORE_SOUND_NEAR, _SOUND_NEAR_BONUS))
            cover = n / len(subject.tokens)
            label = f"{MATCH_SOUND}:{subject.label[start:start + n]}"
            for i, weight in subject.targets:
                _keep(best, i, base + bonus * cover * weight, label)

    def _by_spelling(self, latin_q: str, best: dict[int, tuple[float, str]]) -> None:
        """Names, English names and aliases within a few edits of the query (typos)."""
        m = len(latin_q)
        if not _FUZZY_MIN_LEN <= m <= _FUZZY_MAX_LEN or not len(self._rows):
            return
        max_d = _max_edits(m)
        # a prefix within max_d edits lacks at most max_d of the query's letters
        lacking = np.bitwise_count(_letters(latin_q) & ~self._row_masks[:, m + max_d])
        keep = (self._row_len >= m - max_d) & (lacking <= max_d)
        if m <= _FUZZY_SHORT:  # a short misspelling keeps its first letter (else: noise)
            keep &= self._rows[:, 0] == ord(latin_q[0])
        rows = np.flatnonzero(keep)
        if len(rows):
            dist, length = _prefix_distances(self._rows[rows], latin_q, max_d)
            for r in np.flatnonzero(dist <= max_d):
                d = int(dist[r])
                for k, start in self._row_owners[rows[r]]:
                    key, bounds, targets, alias = self._keys[k]
                    end = start + int(length[r])
                    end = next((b for b in bounds if b >= end), len(key))  # the syllable's end
                    cover = (end - start) / len(key)
                    score = (SCORE_FUZZY + 2.0 * (max_d - d) + (1.0 if start == 0 else 0.0)
                             + cover - (_ALIAS_SPELLING_PENALTY if alias else 0.0))
                    label = (f"{MATCH_ALIAS}:{alias}" if alias
                             else f"{MATCH_SPELLING}:{key[start:end]}")
                    for i, _ in targets:
                        _keep(best, i, max(score, SCORE_FUZZY), label)
        for initials, d, k in process.extract(latin_q, [s for s, _ in self._initials],
                                              scorer=Levenshtein.distance, score_cutoff=1,
                                              limit=None):
            if initials[0] == latin_q[0]:
                _keep(best, self._initials[k][1], SCORE_FUZZY + (1 - d) * 0.5,
                      f"{MATCH_SPELLING}:{initials}")

    # ---- suggestions -------------------------------------------------------------------

    def suggest(self, query: str, limit: int = 3) -> pd.DataFrame:
        """The places nearest to ``query`` by a loose spelling similarity, for "did you mean".

        Meant for a query :meth:`search` finds nothing for: it always names up to ``limit``
        places (for a non-blank query and a non-empty index), however far. A Latin query is
        compared with every pinyin, English and alias spelling; a Chinese one with the Chinese
        names and aliases, and by its pinyin. Numbered copies at one place (灵山胜境AED,
        灵山胜境 2号AED) count once.

        Parameters
        ----------
        query : str
            Any text.
        limit : int, default 3
            Most rows to return (at least 1).

        Returns
        -------
        DataFrame
            Columns :data:`RESULT_COLUMNS`, nearest first; ``score`` is the similarity (0-100,
            rapidfuzz ``WRatio``) scaled to 0-9, below every match band, and ``matched`` names
            the alias or spelling compared ("" for a Chinese name).
        """
        _check_limit(limit)
        text_q = _compact(query or "")
        if not text_q or not self._entries:
            return _empty()
        n = len(self._entries)
        sim = np.full(n, -1.0)
        label = [""] * n
        has_han = any(map(_is_han, text_q))
        latin_q = "".join(u for u, _ in _units(text_q)) if has_han else _latin_query(query)
        groups = [(latin_q, self._latin_keys, self._latin_pairs, self._latin_label,
                   MATCH_SPELLING)]
        if has_han:
            groups.append((text_q, self._han_keys, self._han_pairs, self._han_label, ""))
        for q, keys, (pair_key, pair_entry), labels, how in groups:
            if not q or not keys:
                continue
            scores = process.cdist([q], keys, scorer=fuzz.WRatio, workers=1)[0]
            values = scores[pair_key]
            order = np.argsort(-values, kind="stable")
            entries, first = np.unique(pair_entry[order], return_index=True)
            for i, p in zip(entries.tolist(), order[first].tolist(), strict=True):
                if values[p] > sim[i]:
                    k = int(pair_key[p])
                    sim[i] = float(values[p])
                    label[i] = (f"{MATCH_ALIAS}:{labels[k]}" if labels[k]
                                else f"{how}:{keys[k]}" if how else "")
        # one row per place: its best similarity, shown by its shortest-named entry
        groups_of: dict[str, tuple[float, int, int, str]] = {}
        for i, entry in enumerate(self._entries):
            base = _NUMBERED_RE.sub("", entry.name)
            top, rep_len, rep, how = groups_of.get(base, (-2.0, 0, -1, ""))
            if sim[i] > top:
                top, how = float(sim[i]), label[i]
            if rep < 0 or len(entry.name) < rep_len:
                rep, rep_len = i, len(entry.name)
            groups_of[base] = (top, rep_len, rep, how)
        ranked = sorted(groups_of.values(), key=lambda g: (-g[0], g[1], g[2]))
        picked = {rep: (max(top, 0.0) * 9.0 / 100.0, how)
                  for top, _, rep, how in ranked[:int(limit)]}
        return self._frame(picked, int(limit))

    def _frame(self, best: dict[int, tuple[float, str]], limit: int) -> pd.DataFrame:
        ranked = sorted(best.items(),
                        key=lambda t: (-t[1][0], len(self._entries[t[0]].name), t[0]))
        rows = []
        for i, (score, matched) in ranked[:limit]:
            e = self._entries[i]
            rows.append((e.name, e.name_en, e.kind, e.district, e.lon, e.lat,
                         round(float(score), 2), matched))
        if not rows:
            return _empty()
        return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _pairs(owners: list[tuple[tuple[int, float], ...]]) -> tuple[np.ndarray, np.ndarray]:
    """(key, entry) pairs of a key list whose key k stands for the entries ``owners[k]``."""
    keys = [k for k, targets in enumerate(owners) for _ in targets]
    entries = [i for targets in owners for i, _ in targets]
    return np.asarray(keys, dtype=np.int64), np.asarray(entries, dtype=np.int64)


def _sound_span(tokens: tuple[Token, ...], query: tuple[Token, ...],
                near: list[set[str]]) -> tuple[int, int] | None:
    """Where the query sounds like consecutive tokens: (start, syllables off); same sound first."""
    n = len(query)
    found = None
    for start in range(len(tokens) - n + 1):
        off = 0
        for token, want, close in zip(tokens[start:start + n], query, near, strict=True):
            if token & want:
                continue
            if off or not (token & close):
                off = 2
                break
            off = 1
        if off == 0:
            return start, 0
        if off == 1 and found is None:
            found = (start, 1)
    return found


def _keep(best: dict[int, tuple[float, str]], i: int, score: float, matched: str) -> None:
    """Record a match of entry ``i`` unless it already has a better one."""
    if score > best.get(i, (0.0, ""))[0]:
        best[i] = (score, matched)


def _check_limit(limit: Any) -> None:
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        msg = f"limit must be a positive integer, got {limit!r}"
        raise ValidationError(msg)


def _empty() -> pd.DataFrame:
    dtypes = {"lon": "float64", "lat": "float64", "score": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in RESULT_COLUMNS})


# ---- the alias table ---------------------------------------------------------------------

def read_aliases(path: str | Path | None = None) -> pd.DataFrame:
    """Read the place alias table: names people use for the places in the data.

    Each row maps an ``alias`` (金山寺, 灵山大佛, 无锡火车站) to the ``name`` of a place as the
    place lists or the district boundaries spell it, for one ``city`` (wuxi, zhenjiang; empty:
    any); ``note`` says why. The file is read once per content (cached on its size and time).

    Parameters
    ----------
    path : str or Path, optional
        The CSV file (UTF-8); default ``place_aliases.csv`` in the settings' ``data_dir``.

    Returns
    -------
    DataFrame
        Columns alias, name, city, note as text, blank rows dropped.

    Raises
    ------
    DataError
        The file is missing (``code="missing_file"``), unreadable (``"unreadable_file"``) or
        lacks the alias or name column (``"missing_columns"``).
    """
    if path is None:
        from geo.settings import SETTINGS

        path = Path(SETTINGS.data_dir) / ALIASES_FILE
    path = Path(path)
    if not path.is_file():
        msg = f"data file {path} is missing (see data/README.md)"
        raise DataError(msg, code="missing_file",
                        params={"file": path.name, "folder": str(path.parent)})
    stat = path.stat()
    return _read_aliases(str(path.resolve()), stat.st_mtime_ns, stat.st_size).copy()


@lru_cache(maxsize=4)
def _read_aliases(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    del mtime_ns, size  # cache key only
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        msg = f"data file {path} cannot be read: {type(exc).__name__}: {exc}"
        raise DataError(msg, code="unreadable_file", params={
            "file": Path(path).name, "error": f"{type(exc).__name__}: {exc}"}) from exc
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ("alias", "name") if c not in table.columns]
    if missing:
        msg = f"alias table {path} lacks column(s) {missing}"
        raise DataError(msg, code="missing_columns", params={
            "missing": ", ".join(missing), "found": ", ".join(table.columns)})
    for col in ALIAS_COLUMNS:
        table[col] = table[col].str.strip() if col in table.columns else ""
    table = table[(table["alias"] != "") & (table["name"] != "")]
    return table[list(ALIAS_COLUMNS)].reset_index(drop=True)


def _default_aliases() -> pd.DataFrame | None:
    """The shipped alias table, or None when the data folder has none (search works without)."""
    try:
        return read_aliases()
    except DataError as exc:
        if exc.code == "missing_file":
            return None
        raise


def _aliases_arg(aliases: pd.DataFrame | DefaultAliases | None) -> pd.DataFrame | None:
    if isinstance(aliases, str):
        if aliases != "default":
            msg = f"aliases must be a DataFrame, None or 'default', got {aliases!r}"
            raise ValidationError(msg)
        return _default_aliases()
    return aliases


# ---- cached indexes ----------------------------------------------------------------------

#: Place indexes keyed on the content they were built from (names, addresses, bounds, aliases).
_INDEX_CACHE: cachetools.LRUCache = cachetools.LRUCache(maxsize=_CACHE_SIZE)


def _frame_hash(frame: Any, cols: tuple[str, ...]) -> tuple[int, ...]:
    if frame is None:
        return (0,)
    present = [c for c in cols if c in frame.columns]
    text = pd.util.hash_pandas_object(pd.DataFrame(frame[present]).astype(str), index=False)
    parts = [int(text.sum()) ^ len(frame), hash(tuple(present))]
    if len(frame) and hasattr(frame, "total_bounds"):
        parts.append(hash(tuple(np.round(frame.total_bounds, 9))))
    return tuple(parts)


def _fingerprint(resources: Any, boundaries: Any, places: Any = None,
                 aliases: pd.DataFrame | None = None) -> int:
    """Return a cheap content hash, so an in-place edit of a cached frame rebuilds its index."""
    text = ("name", "name_en", "address", "district", "kind", "city")
    return hash((
        _frame_hash(resources, text),
        _frame_hash(boundaries, ("district", "district_en", "city")),
        _frame_hash(places, (*text, "lon", "lat")),
        _frame_hash(aliases, ("alias", "name", "city")),
    ))


def place_index(resources: Any, boundaries: Any, places: Any = None,
                aliases: pd.DataFrame | DefaultAliases | None = "default") -> PlaceIndex:
    """Return the :class:`PlaceIndex` for these frames, built once per content.

    The cache holds the last few indexes, keyed on a hash of the searched text columns, the
    frames' bounds and the alias table, so a frame whose names, addresses or bounds changed,
    or an edited alias table, gets a new index.

    Parameters
    ----------
    resources, boundaries, places : frames or None
        As for :class:`PlaceIndex`.
    aliases : DataFrame, None or "default", default "default"
        An alias table, None for none, or "default": :func:`read_aliases` (none when the data
        folder has no ``place_aliases.csv``).

    Returns
    -------
    PlaceIndex
    """
    table = _aliases_arg(aliases)
    key = _fingerprint(resources, boundaries, places, table)
    index = _INDEX_CACHE.get(key)
    if index is None:
        index = PlaceIndex(resources, boundaries, places, table)
        _INDEX_CACHE[key] = index
    return index


def clear_place_cache() -> None:
    """Forget every cached :class:`PlaceIndex`."""
    _INDEX_CACHE.clear()


def search_places(resources: Any, boundaries: Any, query: str, limit: int = 10,
                  places: Any = None,
                  aliases: pd.DataFrame | DefaultAliases | None = "default") -> pd.DataFrame:
    """Search resource names/addresses, district names and public places for ``query``.

    Parameters
    ----------
    resources : GeoDataFrame or None
        Columns name, name_en, address, district, kind and WGS84 point geometry.
    boundaries : GeoDataFrame or None
        District polygons with district and district_en (matched as kind "district").
    query : str
        Chinese, English, pinyin or alias text; see :meth:`PlaceIndex.search`.
    limit : int, default 10
        Most rows to return.
    places : DataFrame or None
        Public places (kind "place"); see :class:`PlaceIndex`.
    aliases : DataFrame, None or "default", default "default"
        The alias table; see :func:`place_index`.

    Returns
    -------
    DataFrame
        Columns :data:`RESULT_COLUMNS`, best first (empty for a blank query or no match).
    """
    if not _compact(query or ""):
        _check_limit(limit)
        return _empty()
    return place_index(resources, boundaries, places, aliases).search(query, limit)


def suggest_places(resources: Any, boundaries: Any, query: str, limit: int = 3,
                   places: Any = None,
                   aliases: pd.DataFrame | DefaultAliases | None = "default") -> pd.DataFrame:
    """The places nearest to ``query`` for "did you mean" when :func:`search_places` is empty.

    Parameters
    ----------
    resources, boundaries, places, aliases
        As for :func:`search_places`.
    query : str
        Any text.
    limit : int, default 3
        Most rows to return.

    Returns
    -------
    DataFrame
        Columns :data:`RESULT_COLUMNS`, nearest first; see :meth:`PlaceIndex.suggest`.
    """
    if not _compact(query or ""):
        _check_limit(limit)
        return _empty()
    return place_index(resources, boundaries, places, aliases).suggest(query, limit)
