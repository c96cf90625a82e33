"""geo.settings: every setting is parsed and range-checked when loaded, naming the setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from geo.errors import SettingsError
from geo.settings import BASEMAPS, Rule, Settings, load_settings, parse_setting
from ui.i18n import problem_text


@pytest.fixture
def no_secrets(tmp_path: Path) -> Path:
    return tmp_path / "absent.toml"


def test_defaults_are_valid(no_secrets):
    s = load_settings({}, no_secrets)
    assert s == Settings()
    assert (s.walk_speed_kmh, s.drive_speed_kmh, s.basemap) == (5.0, 30.0, "auto")


def test_env_overrides_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('walk_speed_kmh = 4\ndrive_speed_kmh = 20.5\ntianditu_key = "abc"\n'
                       'BASEMAP = "osm"\n', encoding="utf-8")
    s = load_settings({"RCD_DRIVE_SPEED_KMH": " 25 "}, secrets)
    assert (s.walk_speed_kmh, s.drive_speed_kmh, s.tianditu_key, s.basemap) == (
        4.0, 25.0, "abc", "osm")
    assert isinstance(s.walk_speed_kmh, float)


# (environment variable, a bad value, the expected range as the error states it)
BAD = [
    ("RCD_WALK_SPEED_KMH", "0", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "-3", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "20.5", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "fast", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "nan", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "inf", "(0, 20] km/h"),
    ("RCD_WALK_SPEED_KMH", "", "(0, 20] km/h"),
    ("RCD_DRIVE_SPEED_KMH", "0", "(0, 150] km/h"),
    ("RCD_DRIVE_SPEED_KMH", "151", "(0, 150] km/h"),
    ("RCD_WALK_CIRCUITY", "0.99", "[1, 3]"),
    ("RCD_WALK_CIRCUITY", "3.01", "[1, 3]"),
    ("RCD_DRIVE_CIRCUITY", "0", "[1, 3]"),
    ("RCD_DRIVE_CIRCUITY", "4", "[1, 3]"),
    ("RCD_TEAM_TURNOUT_MIN", "-1", "[0, 120] min"),
    ("RCD_TEAM_TURNOUT_MIN", "121", "[0, 120] min"),
    ("RCD_AED_RADIUS_M", "0", "(0, 10000] m"),
    ("RCD_AED_RADIUS_M", "10001", "(0, 10000] m"),
    ("RCD_TILE_PROBE_TIMEOUT_S", "0", "(0, 60] s"),
    ("RCD_TILE_PROBE_TIMEOUT_S", "61", "(0, 60] s"),
    ("RCD_BASEMAP", "google", "auto | osm | amap | tianditu | none"),
    ("RCD_BASEMAP", "", "auto | osm | amap | tianditu | none"),
    ("RCD_DEMO_AS_OF", "2026-13-01", "YYYY-MM-DD"),
    ("RCD_DEMO_AS_OF", "01/11/2026", "YYYY-MM-DD"),
    ("RCD_DEMO_AS_OF", "2026-1-1", "YYYY-MM-DD"),
    ("RCD_DATABASE_URL", "store.sqlite", "dialect://…"),
    ("RCD_DATA_DIR", "  ", "non-empty"),
]


@pytest.mark.parametrize(("name", "value", "expected"), BAD)
def test_impossible_values_are_rejected(no_secrets, name, value, expected):
    with pytest.raises(SettingsError, match=f"setting {name} .* must be ") as err:
        load_settings({name: value}, no_secrets)
    assert err.value.code == "bad_setting"
    assert err.value.params == {"name": name, "value": value, "expected": expected}
    assert isinstance(err.value, ValueError)
    for lang in ("zh", "en"):
        text = problem_text(err.value.code, err.value.params, lang, None)
        assert text is not None and name in text and expected in text


# (environment variable, a value at the edge of its range, the value read)
GOOD = [
    ("RCD_WALK_SPEED_KMH", "20", 20.0),
    ("RCD_WALK_SPEED_KMH", "0.1", 0.1),
    ("RCD_DRIVE_SPEED_KMH", "150", 150.0),
    ("RCD_WALK_CIRCUITY", "1", 1.0),
    ("RCD_DRIVE_CIRCUITY", "3", 3.0),
    ("RCD_TEAM_TURNOUT_MIN", "0", 0.0),
    ("RCD_TEAM_TURNOUT_MIN", "120", 120.0),
    ("RCD_AED_RADIUS_M", "10000", 10000.0),
    ("RCD_TILE_PROBE_TIMEOUT_S", "60", 60.0),
    ("RCD_DEMO_AS_OF", "2024-02-29", "2024-02-29"),
    ("RCD_DATABASE_URL", "postgresql+psycopg://u@db/rcd", "postgresql+psycopg://u@db/rcd"),
    ("RCD_TIANDITU_KEY", "", ""),
    *[("RCD_BASEMAP", b, b) for b in BASEMAPS],
]


@pytest.mark.parametrize(("name", "value", "read"), GOOD)
def test_values_at_the_edges_are_accepted(no_secrets, name, value, read):
    s = load_settings({name: value}, no_secrets)
    assert getattr(s, name.removeprefix("RCD_").lower()) == read


def test_the_bug_zero_walking_speed_is_refused(no_secrets):
    with pytest.raises(SettingsError, match=r"RCD_WALK_SPEED_KMH .* must be \(0, 20\] km/h"):
        load_settings({"RCD_WALK_SPEED_KMH": "0"}, no_secrets)


@pytest.mark.parametrize(("toml", "name"), [
    ("walk_speed_kmh = true", "RCD_WALK_SPEED_KMH"),      # a boolean is not a number
    ('walk_speed_kmh = "0"', "RCD_WALK_SPEED_KMH"),
    ("drive_circuity = 0.5", "RCD_DRIVE_CIRCUITY"),
    ("basemap = 3", "RCD_BASEMAP"),
    ("demo_as_of = 2026-11-01", "RCD_DEMO_AS_OF"),          # a TOML date, not text
])
def test_bad_values_in_secrets_name_the_setting(tmp_path, toml, name):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=name) as err:
        load_settings({}, secrets)
    assert err.value.params["name"] == name


def test_broken_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("walk_speed_kmh = = 4\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML") as err:
        load_settings({}, secrets)
    assert err.value.code == "bad_setting"
    assert err.value.params["name"] == "secrets.toml"


def test_direct_construction_is_checked_and_frozen():
    with pytest.raises(SettingsError, match="RCD_DRIVE_SPEED_KMH"):
        Settings(drive_speed_kmh=0.0)
    s = Settings(walk_speed_kmh="4.5")  # type: ignore[arg-type]
    assert s.walk_speed_kmh == 4.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.walk_speed_kmh = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("raw", "value"), [
    ("true", True), ("Yes", True), (" on ", True), ("1", True), (True, True),
    ("false", False), ("NO", False), ("off", False), ("0", False), (False, False),
])
def test_booleans_are_parsed(raw, value):
    assert parse_setting("use_cache", raw, "bool", Rule()) is value


@pytest.mark.parametrize("raw", ["", "maybe", "2", 1, None])
def test_bad_booleans_are_rejected(raw):
    with pytest.raises(SettingsError, match=r"RCD_USE_CACHE .* must be true \| false"):
        parse_setting("use_cache", raw, "bool", Rule())


@pytest.mark.parametrize(("raw", "value"), [("5", 5), (" 12 ", 12), (7, 7), (8.0, 8),
                                            ("9.0", 9)])
def test_integers_are_parsed(raw, value):
    got = parse_setting("workers", raw, "int", Rule(1, 64, unit="workers"))
    assert got == value and type(got) is int


@pytest.mark.parametrize("raw", ["5.5", "five", True, 0, "65", 2.5])
def test_bad_integers_are_rejected(raw):
    with pytest.raises(SettingsError, match=r"\[1, 64\] \(whole\) workers"):
        parse_setting("workers", raw, "int", Rule(1, 64, unit="workers"))
