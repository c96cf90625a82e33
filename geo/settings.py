"""Configuration in one place: speeds, radii, basemap keys and data paths, from the environment.

Every value can be overridden by an environment variable named ``RCD_<NAME>`` (for example
``RCD_WALK_SPEED_KMH=4.5``) or by the same key in ``.streamlit/secrets.toml`` (the engine reads
that file itself with tomllib, so it never imports Streamlit). The README lists every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"
ENV_PREFIX = "RCD_"


@dataclass(frozen=True)
class Settings:
    """All tunable values. Units are in the names."""

    #: Walking speed used for AED trips (brisk walk with a bystander running to fetch it).
    walk_speed_kmh: float = 5.0
    #: Driving speed used for rescue teams and relief stores on urban/suburban roads.
    drive_speed_kmh: float = 30.0
    #: Ratio of network distance to straight-line distance (typical of Chinese city grids).
    walk_circuity: float = 1.3
    drive_circuity: float = 1.4
    #: Fixed start-up time before a team vehicle leaves (minutes).
    team_turnout_min: float = 5.0
    #: AED "a few minutes' walk" radius used by coverage and siting (metres).
    aed_radius_m: float = 500.0
    #: Basemap: "auto" (probe tile servers, fall back to "none"), "osm", "amap", "tianditu", "none".
    basemap: str = "auto"
    #: Tianditu key (天地图 tk); the Tianditu basemap is offered only when set.
    tianditu_key: str = ""
    #: Seconds to wait for a tile server when probing in "auto" mode.
    tile_probe_timeout_s: float = 1.5
    #: Where the demo data lives.
    data_dir: str = str(DATA_DIR)
    #: Date the demo data describes; expiry checks default to "now" in the UI.
    demo_as_of: str = "2026-11-01"
    #: Database URL (used by data management later; SQLite file by default).
    database_url: str = f"sqlite:///{ROOT / 'data' / 'store.sqlite'}"


def _read_secrets(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {str(k).lower(): v for k, v in data.items()}


def load_settings(env: dict[str, str] | None = None, secrets_path: Path = SECRETS_PATH) -> Settings:
    """Build Settings from defaults, then ``secrets.toml``, then ``RCD_*`` environment variables."""
    env = dict(os.environ if env is None else env)
    secrets = _read_secrets(secrets_path)
    values = {}
    for f in fields(Settings):
        raw = env.get(ENV_PREFIX + f.name.upper(), secrets.get(f.name))
        if raw is None:
            continue
        default = f.default
        try:
            values[f.name] = type(default)(raw)
        except (TypeError, ValueError) as exc:
            msg = f"setting {f.name} must be a {type(default).__name__}, got {raw!r}"
            raise ValueError(msg) from exc
    settings = Settings(**values)
    if settings.basemap not in {"auto", "osm", "amap", "tianditu", "none"}:
        msg = f"setting basemap must be auto, osm, amap, tianditu or none, got {settings.basemap!r}"
        raise ValueError(msg)
    return settings


SETTINGS = load_settings()
