"""Tests for geo.usable: usability policies, status, opening hours (incl. midnight) and expiry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.hours import HoursError, parse_hours
from geo.schema import STATUSES
from geo.usable import (
    CHINA_TZ,
    DEFAULT,
    PLANNER,
    PLANNER_24H,
    POLICIES,
    REGISTRY,
    Usability,
    UsabilityPolicy,
    local_time,
    policy,
    policy_of,
    usable_mask,
)


def frame(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"id": [f"R{i}" for i in range(n)], "status": ["active"] * n}
    base.update(cols)
    return pd.DataFrame(base)


def test_hours_come_from_geo_hours():
    values = ["24h", "", None, "08:00-22:00", "22:00-06:00", "00:00-24:00", " 9:30 ~ 17:45 ", "24H",
              "周一至周五 08:00-17:30"]
    usability = Usability.from_frame(frame(hours=values))
    weeks = usability.hours.table[usability.hours.codes]
    for value, week in zip(values, weeks, strict=True):
        assert np.array_equal(week, parse_hours(value).week)
    assert usability.always_open.tolist() == [True, True, True, False, False, True, False, True,
                                              False]


@pytest.mark.parametrize("bad", ["8am-5pm", "25:00-06:00", "08:60-09:00", "08:00", "24:30-01:00",
                                 "08:00-24:30"])
def test_bad_hours_names_row_and_value(bad):
    df = frame(hours=["24h", bad])
    with pytest.raises(HoursError, match=rf"hours .*id 'R1': '{bad}'"):
        usable_mask(df)


def test_status_only_without_at():
    df = frame(status=["active", "maintenance", "inactive", "Active "],
               hours=["08:00-09:00"] * 4, pads_expiry=["2000-01-01"] * 4)
    assert usable_mask(df).tolist() == [True, False, False, True]


def test_hours_at_time_of_day():
    df = frame(hours=["24h", "", "08:00-22:00", "22:00-06:00", "08:00-22:00"])
    night = usable_mask(df, dt.datetime(2026, 11, 1, 3, 0))
    assert night.tolist() == [True, True, False, True, False]
    day = usable_mask(df, dt.datetime(2026, 11, 1, 12, 0))
    assert day.tolist() == [True, True, True, False, True]
    # boundaries: open at the opening minute, closed at the closing minute
    assert usable_mask(df, dt.datetime(2026, 11, 1, 22, 0)).tolist() == [
        True, True, False, True, False]
    assert usable_mask(df, dt.datetime(2026, 11, 1, 6, 0)).tolist() == [
        True, True, False, False, False]
    assert usable_mask(df, dt.datetime(2026, 11, 1, 8, 0)).tolist() == [
        True, True, True, False, True]


def test_aware_datetime_is_converted_to_china_time():
    df = frame(hours=["08:00-22:00"])
    # 19:00 UTC is 03:00 next day in China -> closed
    assert not usable_mask(df, pd.Timestamp("2026-11-01T19:00:00Z"))[0]
    assert usable_mask(df, pd.Timestamp("2026-11-01T04:00:00Z"))[0]


def test_expiry_strings_and_datetimes():
    at = dt.datetime(2026, 11, 1, 12, 0)
    df = frame(pads_expiry=["2026-10-31", "2026-11-01", "", None, "2030-01-01"],
               battery_expiry=["", "", "2026-01-01", "", None])
    assert usable_mask(df, at).tolist() == [False, True, False, True, True]
    df2 = df.assign(pads_expiry=pd.to_datetime(df["pads_expiry"].replace("", None)),
                    battery_expiry=pd.to_datetime(df["battery_expiry"].replace("", None)))
    assert usable_mask(df2, at).tolist() == [False, True, False, True, True]
    # a bare date checks expiry but not hours
    df3 = df.assign(hours="08:00-09:00")
    assert usable_mask(df3, dt.date(2026, 11, 1)).tolist() == [False, True, False, True, True]


def test_bad_expiry_names_row():
    df = frame(pads_expiry=["2026-01-01", "next year"])
    with pytest.raises(ValidationError, match=r"pads_expiry .*id 'R1': 'next year'"):
        usable_mask(df)


def test_missing_status_and_bad_at():
    with pytest.raises(ValidationError, match="'status' column"):
        usable_mask(pd.DataFrame({"id": ["a"]}))
    with pytest.raises(ValidationError, match="at must be"):
        usable_mask(frame(hours=["24h"]), at="not a time")


def test_precomputed_mask_matches_row_by_row_and_subsets():
    rng = np.random.default_rng(1)
    n = 500
    hours_values = ["24h", "08:00-22:00", "22:00-06:00", "", "周一至周五 08:00-17:30",
                    "Fr 22:00-02:00", "00:00-23:59"]
    df = frame(status=rng.choice(["active", "maintenance", "inactive"], n).tolist(),
               hours=rng.choice(hours_values, n).tolist(),
               pads_expiry=rng.choice(["2026-01-01", "2027-01-01", ""], n).tolist())
    usability = Usability.from_frame(df)
    assert len(usability) == n
    expiry = pd.to_datetime(df["pads_expiry"].replace("", None)).dt.date
    for day in (1, 5, 6):  # Monday, Friday, Saturday
        for hour in (0, 3, 7, 8, 12, 17, 21, 22, 23):
            at = dt.datetime(2026, 6, day, hour, 30)
            expected = np.array([
                status == "active" and (pd.isna(exp) or exp >= at.date())
                and parse_hours(hours).is_open(at)
                for status, hours, exp in zip(df["status"], df["hours"], expiry, strict=True)])
            assert np.array_equal(usability.mask(at), expected)
            assert np.array_equal(usable_mask(df, at), expected)
            positions = np.arange(0, n, 7)
            assert np.array_equal(usability.subset(positions).mask(at), expected[positions])


def test_local_time_is_a_thin_wrapper_and_china_tz_is_reexported():
    assert local_time(dt.datetime(2026, 11, 2, 10, 30, 45)) == (630.0, 20759)
    assert local_time(dt.date(2026, 11, 2)) == (None, 20759)
    assert CHINA_TZ.utcoffset(None) == dt.timedelta(hours=8)
    with pytest.raises(ValidationError, match="at must be"):
        local_time("soon")


# ----------------------------------------------------------------------------- policies

# One row per situation: what each preset counts.
SITUATIONS = frame(
    id=["ok_24h", "ok_day", "maint", "inactive", "expired", "expired_day", "no_status"],
    status=["active", "active", "maintenance", "inactive", "active", "active", "broken"],
    hours=["24h", "08:00-22:00", "24h", "24h", "24h", "08:00-22:00", "24h"],
    pads_expiry=["2030-01-01", "", "", "", "2026-10-31", "2026-01-01", ""],
)
NIGHT = dt.datetime(2026, 11, 1, 3, 0)
MORNING = dt.datetime(2026, 11, 1, 10, 0)


@pytest.mark.parametrize(("rule", "at", "expected"), [
    (DEFAULT, None, ["ok_24h", "ok_day", "expired", "expired_day"]),
    (DEFAULT, NIGHT, ["ok_24h"]),
    (DEFAULT, MORNING, ["ok_24h", "ok_day"]),
    (DEFAULT, dt.date(2026, 11, 1), ["ok_24h", "ok_day"]),  # bare date: expiry, not hours
    (DEFAULT, "2026-11-01", ["ok_24h", "ok_day"]),  # an ISO date string is a bare date too
    (PLANNER, NIGHT, ["ok_24h"]),
    (PLANNER, MORNING, ["ok_24h", "ok_day"]),
    (PLANNER_24H, None, ["ok_24h", "expired"]),
    (PLANNER_24H, NIGHT, ["ok_24h"]),
    (PLANNER_24H, MORNING, ["ok_24h"]),  # open, but not around the clock
    (REGISTRY, None, ["ok_24h", "ok_day", "maint", "inactive", "expired", "expired_day"]),
    (REGISTRY, NIGHT, ["ok_24h", "ok_day", "maint", "inactive", "expired", "expired_day"]),
    (REGISTRY, MORNING, ["ok_24h", "ok_day", "maint", "inactive", "expired", "expired_day"]),
    (UsabilityPolicy(statuses={"active", "maintenance"}), MORNING, ["ok_24h", "ok_day", "maint"]),
    (UsabilityPolicy(allow_expired=True), NIGHT, ["ok_24h", "expired"]),
    (UsabilityPolicy(allow_expired=True), MORNING, ["ok_24h", "ok_day", "expired",
                                                    "expired_day"]),
    (UsabilityPolicy(require_open=False), NIGHT, ["ok_24h", "ok_day"]),
    (UsabilityPolicy(statuses="maintenance"), NIGHT, ["maint"]),
])
def test_policy_presets(rule, at, expected):
    usability = Usability.from_frame(SITUATIONS)
    got = SITUATIONS["id"][usability.mask(at, rule)].tolist()
    assert got == expected
    assert SITUATIONS["id"][usable_mask(SITUATIONS, at, policy=rule)].tolist() == expected
    if rule.name in POLICIES:  # by name, too
        assert SITUATIONS["id"][usability.mask(at, policy=rule.name)].tolist() == expected


def test_registry_counts_all_installed_equipment():
    usability = Usability.from_frame(SITUATIONS)
    for at in (None, NIGHT, MORNING, dt.date(2040, 1, 1)):
        assert int(usability.mask(at, REGISTRY).sum()) == len(SITUATIONS) - 1  # not "broken"


def test_presets_and_lookup():
    assert set(POLICIES) == {"default", "planner", "planner_24h", "registry"}
    assert POLICIES["planner_24h"] is PLANNER_24H
    assert (DEFAULT.statuses, DEFAULT.allow_expired, DEFAULT.require_open, DEFAULT.only_24h) == (
        frozenset({"active"}), False, True, False)
    assert REGISTRY.statuses == frozenset(STATUSES)
    assert not REGISTRY.require_open and REGISTRY.allow_expired
    assert policy("planner") is PLANNER
    assert policy(" Registry ") is REGISTRY
    assert policy(PLANNER_24H) is PLANNER_24H
    custom = UsabilityPolicy(name="night", only_24h=True)
    assert policy(custom) is custom
    assert policy_of(None) is DEFAULT
    assert policy_of("registry") is REGISTRY
    # hashable and comparable: usable as a cache key
    assert UsabilityPolicy(statuses=["active"]) == UsabilityPolicy()
    assert len({DEFAULT, PLANNER, UsabilityPolicy(name="default")}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.only_24h = True  # type: ignore[misc]


@pytest.mark.parametrize(("name", "match"), [
    ("night_shift", r"unknown usability policy 'night_shift'; known: \['default', 'planner', "
                    r"'planner_24h', 'registry'\]"),
    (3, r"policy must be a UsabilityPolicy or one of \['default'.*got 3"),
])
def test_unknown_policy(name, match):
    with pytest.raises(ValidationError, match=match):
        policy(name)
    with pytest.raises(ValidationError, match=match):
        Usability.from_frame(SITUATIONS).mask(None, name)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(statuses=[]), r"statuses must name at least one of \['active', 'maintenance', "),
    (dict(statuses={"active", "broken"}), r"statuses has unknown value\(s\) \['broken'\]"),
    (dict(statuses=3), r"statuses must be a set of statuses, got 3"),
    (dict(allow_expired="no"), r"allow_expired must be True or False, got 'no'"),
    (dict(require_open=1), r"require_open must be True or False, got 1"),
    (dict(only_24h=None), r"only_24h must be True or False, got None"),
    (dict(name=""), r"policy name must be a non-empty string, got ''"),
])
def test_policy_validation(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        UsabilityPolicy(**kwargs)


def test_policy_is_keyword_only():
    with pytest.raises(TypeError):
        UsabilityPolicy("default")  # type: ignore[misc]


def test_mask_is_a_gather_not_per_row_python():
    n = 20_000
    df = frame(hours=np.resize(["24h", "08:00-22:00", "周一至周五 08:00-17:30"], n).tolist())
    usability = Usability.from_frame(df)
    assert usability.hours.table.shape == (3, 7 * 1440)
    assert usability.mask(MORNING, PLANNER_24H).sum() == len(range(0, n, 3))
