"""Configuration in one place: speeds, radii, basemap keys and data paths, from the environment.

Every value can be overridden by an environment variable named ``RCD_<NAME>`` (for example
``RCD_WALK_SPEED_KMH=4.5``) or by the same key in ``.streamlit/secrets.toml`` (the engine reads
that file itself with tomllib, so it never imports Streamlit). The README lists every key.

Every value is parsed and checked when the settings are built: a speed of 0 (every travel time
infinite), a circuity below 1 or an unknown basemap raises :class:`~geo.errors.SettingsError`
with ``code="bad_setting"`` and ``params`` naming the setting (``RCD_WALK_SPEED_KMH``), the
value received and the range expected, instead of surfacing later as a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from geo.errors import SettingsError

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"
ENV_PREFIX = "RCD_"
BASEMAPS: tuple[str, ...] = ("auto", "osm", "amap", "tianditu", "none")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


@dataclass(frozen=True)
class Rule:
    """What a setting may hold: a number range, a set of choices, a date, a URL or text.

    Parameters
    ----------
    lo, hi : float, optional
        Bounds of a number (None: unbounded on that side).
    lo_open, hi_open : bool
        The bound itself is excluded (``lo_open`` with ``lo=0``: must be > 0).
    unit : str
        Unit shown with the range (``"km/h"``).
    choices : tuple of str, optional
        The allowed values of a text setting.
    form : str, optional
        ``"date"`` (``YYYY-MM-DD``), ``"url"`` (``dialect://...``) or ``"nonempty"``.
    """

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    choices: tuple[str, ...] | None = None
    form: str | None = None

    def expected(self, type_name: str) -> str:
        """The allowed values in a language-neutral notation: ``(0, 20] km/h``, ``a | b``."""
        if self.choices is not None:
            return " | ".join(self.choices)
        if self.form == "date":
            return "YYYY-MM-DD"
        if self.form == "url":
            return "dialect://…"
        if self.form == "nonempty":
            return "non-empty"
        if type_name == "bool":
            return "true | false"
        if type_name in ("float", "int") and (self.lo is not None or self.hi is not None):
            left = "(" if self.lo_open or self.lo is None else "["
            right = ")" if self.hi_open or self.hi is None else "]"
            lo = "-∞" if self.lo is None else f"{self.lo:g}"
            hi = "∞" if self.hi is None else f"{self.hi:g}"
            whole = " (whole)" if type_name == "int" else ""
            return f"{left}{lo}, {hi}{right}{whole} {self.unit}".rstrip()
        return {"float": "number", "int": "whole number", "str": "text"}.get(type_name, type_name)

    def allows(self, value: Any) -> bool:
        """True when an already typed value is within the rule."""
        if self.choices is not None:
            return value in self.choices
        if self.form == "date":
            if not _DATE_RE.match(value):
                return False
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return False
            return True
        if self.form == "url":
            return bool(_URL_RE.match(value))
        if self.form == "nonempty":
            return bool(value.strip())
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo):
            return False
        return not (self.hi is not None and (value >= self.hi if self.hi_open else value > self.hi))


def _setting(default: Any, rule: Rule | None = None) -> Any:
    return field(default=default, metadata={"rule": rule or Rule()})


@dataclass(frozen=True)
class Settings:
    """All tunable values, each checked against its :class:`Rule` when built. Units in names."""

    #: Walking speed used for AED trips (brisk walk with a bystander running to fetch it).
    walk_speed_kmh: float = _setting(5.0, Rule(0, 20, lo_open=True, unit="km/h"))
    #: Driving speed used for rescue teams and relief stores on urban/suburban roads.
    drive_speed_kmh: float = _setting(30.0, Rule(0, 150, lo_open=True, unit="km/h"))
    #: Ratio of network distance to straight-line distance (typical of Chinese city grids).
    walk_circuity: float = _setting(1.3, Rule(1, 3))
    drive_circuity: float = _setting(1.4, Rule(1, 3))
    #: Fixed start-up time before a team vehicle leaves (minutes).
    team_turnout_min: float = _setting(5.0, Rule(0, 120, unit="min"))
    #: AED "a few minutes' walk" radius used by coverage and siting (metres).
    aed_radius_m: float = _setting(500.0, Rule(0, 10_000, lo_open=True, unit="m"))
    #: Basemap: "auto" (probe tile servers, fall back to "none"), "osm", "amap", "tianditu", "none".
    basemap: str = _setting("auto", Rule(choices=BASEMAPS))
    #: Tianditu key (天地图 tk); the Tianditu basemap is offered only when set.
    tianditu_key: str = _setting("")
    #: Seconds to wait for a tile server when probing in "auto" mode.
    tile_probe_timeout_s: float = _setting(1.5, Rule(0, 60, lo_open=True, unit="s"))
    #: Where the demo data lives (a missing file is reported when the data is loaded).
    data_dir: str = _setting(str(DATA_DIR), Rule(form="nonempty"))
    #: Date the demo data describes; expiry checks default to "now" in the UI.
    demo_as_of: str = _setting("2026-11-01", Rule(form="date"))
    #: Largest table upload read (MB), checked before parsing; Streamlit's own cap is higher.
    max_upload_mb: float = _setting(20.0, Rule(0, 200, lo_open=True, unit="MB"))
    #: Most incident rows one batch answers (the reader and the page stay bounded in memory).
    max_batch_rows: int = _setting(200_000, Rule(1, 2_000_000, unit="rows"))
    #: Most incidents drawn on the batch map; the tables and downloads hold every row.
    map_sample_rows: int = _setting(200, Rule(1, 20_000, unit="rows"))
    #: Database URL: a SQLite file under the data folder by default, or PostgreSQL
    #: (``postgresql+psycopg://user:pass@host/db``). ``DATABASE_URL`` is read as well.
    database_url: str = _setting(f"sqlite:///{ROOT / 'data' / 'store.sqlite'}", Rule(form="url"))
    #: Viewing needs a login too (editing and importing always do).
    require_login: bool = _setting(False)
    #: A login ends after this many minutes without any action in its browser session.
    session_idle_min: float = _setting(30.0, Rule(0, 24 * 60, lo_open=True, unit="min"))
    #: People per household for flood relief: 2.6, the average household size of Jiangsu in
    #: the 2020 (seventh) national census (江苏省第七次全国人口普查公报: 2.60 persons/household).
    household_size: float = _setting(2.6, Rule(0, 20, lo_open=True, unit="people"))
    #: Relief needed per affected household (each matches a relief-store ``stock_*`` column):
    #: one family kit, two quilts, one case of drinking water, one life jacket per two households
    #: (households evacuated by boat share them), no tent (evacuees go to shelters). Demo
    #: planning figures, not an official standard.
    flood_need_family_kit: float = _setting(1.0, Rule(0, 100, unit="per household"))
    flood_need_quilt: float = _setting(2.0, Rule(0, 100, unit="per household"))
    flood_need_water_case: float = _setting(1.0, Rule(0, 100, unit="per household"))
    flood_need_life_jacket: float = _setting(0.5, Rule(0, 100, unit="per household"))
    flood_need_tent: float = _setting(0.0, Rule(0, 100, unit="per household"))

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            object.__setattr__(self, f.name, parse_setting(f.name, value, str(f.type),
                                                           f.metadata["rule"]))


def env_name(name: str) -> str:
    """The environment variable of a setting: ``walk_speed_kmh`` -> ``RCD_WALK_SPEED_KMH``."""
    return ENV_PREFIX + name.upper()


def _bad(name: str, raw: Any, expected: str) -> SettingsError:
    msg = (f"setting {env_name(name)} ({name} in secrets.toml) must be {expected}, "
           f"got {raw!r}")
    return SettingsError(msg, code="bad_setting",
                         params={"name": env_name(name), "value": raw, "expected": expected})


def _convert(raw: Any, type_name: str) -> Any:
    """Turn a raw value (text from the environment, or a TOML value) into ``type_name``."""
    if type_name == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError(raw)
    if type_name in ("float", "int"):
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ValueError(raw)
        number = float(raw.strip()) if isinstance(raw, str) else float(raw)
        if type_name == "float":
            return number
        if not number.is_integer():
            raise ValueError(raw)
        return int(number)
    if not isinstance(raw, str):
        raise ValueError(raw)
    return raw.strip() if type_name == "str" else raw


def parse_setting(name: str, raw: Any, type_name: str, rule: Rule) -> Any:
    """Parse one setting and check it against its rule.

    Parameters
    ----------
    name : str
        Field name (``"walk_speed_kmh"``).
    raw : Any
        Text from the environment, a TOML value or an already typed value.
    type_name : {"float", "int", "bool", "str"}
        Target type. Booleans accept ``true/false/yes/no/on/off/1/0``; a boolean is never a
        number; an int accepts ``"5"`` or ``5.0`` but not ``"5.5"``; a float must be finite.
    rule : Rule
        Range, choices or form.

    Returns
    -------
    The typed value.

    Raises
    ------
    SettingsError
        ``code="bad_setting"``, ``params={"name": "RCD_...", "value": raw, "expected": ...}``.
    """
    try:
        value = _convert(raw, type_name)
    except (TypeError, ValueError) as exc:
        raise _bad(name, raw, rule.expected(type_name)) from exc
    if not rule.allows(value):
        raise _bad(name, raw, rule.expected(type_name))
    return value


def _read_secrets(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path} is not valid TOML: {exc}"
        raise SettingsError(msg, code="bad_setting",
                            params={"name": path.name, "value": str(exc), "expected": "TOML"}
                            ) from exc
    return {str(k).lower(): v for k, v in data.items()}


def load_settings(env: dict[str, str] | None = None, secrets_path: Path = SECRETS_PATH) -> Settings:
    """Build Settings from defaults, then ``secrets.toml``, then ``RCD_*`` environment variables.

    Parameters
    ----------
    env : dict, optional
        Environment to read (default: ``os.environ``).
    secrets_path : Path
        The ``secrets.toml`` to read, if it exists.

    Returns
    -------
    Settings

    Raises
    ------
    SettingsError
        A value cannot be parsed or is out of its range (see :class:`Settings` for each
        setting's rule), or the secrets file is not valid TOML. ``params["name"]`` names the
        setting as its environment variable.
    """
    env = dict(os.environ if env is None else env)
    secrets = _read_secrets(secrets_path)
    values = {}
    for f in fields(Settings):
        raw = env.get(env_name(f.name), secrets.get(f.name))
        if raw is None and f.name == "database_url":
            raw = env.get("DATABASE_URL")  # the name every platform and tool uses
        if raw is not None:
            values[f.name] = raw
    return Settings(**values)


SETTINGS = load_settings()
