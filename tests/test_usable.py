"""Tests for geo.usable: status, opening hours (incl. across midnight) and expiry filters."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.usable import Usability, parse_hours, usable_mask


def frame(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"id": [f"R{i}" for i in range(n)], "status": ["active"] * n}
    base.update(cols)
    return pd.DataFrame(base)


def test_parse_hours_forms():
    open_min, close_min = parse_hours(
        ["24h", "", None, "08:00-22:00", "22:00-06:00", "00:00-24:00", " 9:30 ~ 17:45 ", "24H"])
    assert open_min.tolist() == [0, 0, 0, 480, 1320, 0, 570, 0]
    assert close_min.tolist() == [1440, 1440, 1440, 1320, 360, 1440, 1065, 1440]


@pytest.mark.parametrize("bad", ["8am-5pm", "25:00-06:00", "08:60-09:00", "08:00", "24:30-01:00"])
def test_parse_hours_bad_names_row_and_value(bad):
    df = frame(hours=["24h", bad])
    with pytest.raises(ValidationError, match=rf"hours .*id 'R1': '{bad}'"):
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


def test_precomputed_mask_matches_and_subsets():
    rng = np.random.default_rng(1)
    n = 500
    df = frame(status=rng.choice(["active", "maintenance", "inactive"], n).tolist(),
               hours=rng.choice(["24h", "08:00-22:00", "22:00-06:00", ""], n).tolist(),
               pads_expiry=rng.choice(["2026-01-01", "2027-01-01", ""], n).tolist())
    usability = Usability.from_frame(df)
    assert len(usability) == n
    for hour in (0, 3, 7, 8, 12, 21, 22, 23):
        at = dt.datetime(2026, 6, 1, hour, 30)
        expected = usable_mask(df, at)
        assert np.array_equal(usability.mask(at), expected)
        positions = np.arange(0, n, 7)
        assert np.array_equal(usability.subset(positions).mask(at), expected[positions])
