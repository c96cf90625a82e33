"""Tests for geo.hours: the one opening-hours grammar (validation, usability and 24 h filter)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.filters import filter_resources
from geo.hours import (
    CHINA_TZ,
    MINUTES_PER_WEEK,
    HoursError,
    OpeningHours,
    bad_hours,
    compile_hours,
    is_24h,
    parse_hours,
    week_minute,
)
from geo.usable import Usability

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
# 2026-11-02 is a Monday; MONDAY + n days is weekday n.
MONDAY = dt.date(2026, 11, 2)


def at(day: str, hhmm: str, second: int = 0) -> dt.datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    date = MONDAY + dt.timedelta(days=DAYS.index(day))
    return dt.datetime(date.year, date.month, date.day, hour, minute, second)


def spans(text: str) -> list[str]:
    """The week of ``text`` as one 'HH:MM-HH:MM,...' (or '-') string per weekday."""
    week = parse_hours(text).week.reshape(7, 1440)
    out = []
    for row in week:
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        out.append(",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                            for a, b in zip(edges[::2], edges[1::2], strict=True)) or "-")
    return out


ALL_DAY = ["00:00-24:00"] * 7


# ----------------------------------------------------------------------------- grammar


@pytest.mark.parametrize("text", [
    "", "   ", None, np.nan, pd.NA, "24h", "24H", " 24h ", "24 h", "24 hours", "24小时", "24 小时",
    "24/7", "全天", "全天24小时", "全天 24 小时", "24小时营业", "全天开放", "２４Ｈ",
    "00:00-24:00", "00:00-23:59", "08:00-08:00", "0:00-24:00", "每天 24小时", "Mo-Su 00:00-24:00",
    "周一至周五 00:00-24:00; 周末 24h",
])
def test_always_open_forms(text):
    hours = parse_hours(text)
    assert hours.always_open
    assert hours.week.all()
    assert spans(text) == ALL_DAY


@pytest.mark.parametrize(("text", "daily"), [
    ("08:00-17:30", "08:00-17:30"),
    ("9:30-17:45", "09:30-17:45"),
    (" 9:30 ~ 17:45 ", "09:30-17:45"),
    ("08:00～17:30", "08:00-17:30"),
    ("０８：００－１７：３０", "08:00-17:30"),
    ("８:００～１７:３０", "08:00-17:30"),
    ("08:00—17:30", "08:00-17:30"),
    ("08:00–17:30", "08:00-17:30"),
    ("08:00至17:30", "08:00-17:30"),
    ("08:00到17:30", "08:00-17:30"),
    ("08:00-24:00", "08:00-24:00"),
    ("08:00-23:59", "08:00-24:00"),  # 23:59 closes "through midnight"
    ("22:00-06:00", "00:00-06:00,22:00-24:00"),
    ("08:00-12:00,14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00，14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00;14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00；14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00、14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00 14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00\n14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00/14:00-18:00", "08:00-12:00,14:00-18:00"),
    ("08:00-12:00,10:00-14:00", "08:00-14:00"),  # overlapping spans merge
    ("每天 08:00-20:00", "08:00-20:00"),
    ("每日08:00-20:00", "08:00-20:00"),
])
def test_same_hours_every_day(text, daily):
    assert spans(text) == [daily] * 7
    assert not parse_hours(text).always_open


WEEKDAYS_0800_1730 = ["08:00-17:30"] * 5 + ["-", "-"]
WEEKDAYS_SATURDAY = ["08:00-17:30"] * 5 + ["09:00-12:00", "-"]


@pytest.mark.parametrize(("text", "week"), [
    ("周一至周五 08:00-17:30", WEEKDAYS_0800_1730),
    ("周一到周五 08:00-17:30", WEEKDAYS_0800_1730),
    ("周一-周五 08:00-17:30", WEEKDAYS_0800_1730),
    ("周一至五 08:00-17:30", WEEKDAYS_0800_1730),
    ("星期一至星期五 08:00-17:30", WEEKDAYS_0800_1730),
    ("礼拜一到礼拜五 08:00-17:30", WEEKDAYS_0800_1730),
    ("周一至周五08:00-17:30", WEEKDAYS_0800_1730),
    ("周一至周五：08:00-17:30", WEEKDAYS_0800_1730),
    ("工作日 08:00-17:30", WEEKDAYS_0800_1730),
    ("Mo-Fr 08:00-17:30", WEEKDAYS_0800_1730),
    ("mo-fr 08:00-17:30", WEEKDAYS_0800_1730),
    ("Mon-Fri 08:00-17:30", WEEKDAYS_0800_1730),
    ("Mo-Fr 08:00-17:30; Sa-Su off", WEEKDAYS_0800_1730),
    ("Mo-Su 08:00-17:30; Sa,Su closed", WEEKDAYS_0800_1730),
    ("每天 08:00-17:30；周末休息", WEEKDAYS_0800_1730),
    ("周六 09:00-12:00", ["-"] * 5 + ["09:00-12:00", "-"]),
    ("周末 09:00-12:00", ["-"] * 5 + ["09:00-12:00"] * 2),
    ("周日 09:00-12:00", ["-"] * 6 + ["09:00-12:00"]),
    ("周天 09:00-12:00", ["-"] * 6 + ["09:00-12:00"]),
    ("星期日 09:00-12:00", ["-"] * 6 + ["09:00-12:00"]),
    ("周一、三、五 09:00-12:00", ["09:00-12:00", "-"] * 2 + ["09:00-12:00", "-", "-"]),
    ("周一、周三、周五 09:00-12:00", ["09:00-12:00", "-"] * 2 + ["09:00-12:00", "-", "-"]),
    ("Mo,We,Fr 09:00-12:00", ["09:00-12:00", "-"] * 2 + ["09:00-12:00", "-", "-"]),
    ("Fr-Mo 10:00-11:00", ["10:00-11:00", "-", "-", "-"] + ["10:00-11:00"] * 3),
    ("周一至周五 08:00-17:30；周六 09:00-12:00", WEEKDAYS_SATURDAY),
    ("周一至周五 08:00-17:30 周六 09:00-12:00", WEEKDAYS_SATURDAY),
    ("周一至周五 08:00-17:30，周六 09:00-12:00", WEEKDAYS_SATURDAY),
    ("周一至周五 08:00-17:30\n周六 09:00-12:00", WEEKDAYS_SATURDAY),
    ("Mo-Fr 08:00-17:30; Sa 09:00-12:00", WEEKDAYS_SATURDAY),
    ("Mo-Fr 08:00-17:30; Sa 09:00-12:00; Su off", WEEKDAYS_SATURDAY),
    ("Mo-Fr 08:00-12:00,13:00-17:00", ["08:00-12:00,13:00-17:00"] * 5 + ["-", "-"]),
    ("周一至周五 08:00-12:00；14:00-17:30", ["08:00-12:00,14:00-17:30"] * 5 + ["-", "-"]),
    ("Mo-Fr 08:00-12:00; Mo-Fr 13:00-17:00", ["08:00-12:00,13:00-17:00"] * 5 + ["-", "-"]),
    # a later rule replaces what an earlier one said about its days (OpenStreetMap)
    ("每天 08:00-22:00；周六 09:00-12:00", ["08:00-22:00"] * 5 + ["09:00-12:00", "08:00-22:00"]),
    ("Mo-Su 08:00-20:00; Su off", ["08:00-20:00"] * 6 + ["-"]),
    ("24/7; Su off", ["00:00-24:00"] * 6 + ["-"]),
    ("周一至周六 24小时", ["00:00-24:00"] * 6 + ["-"]),
    # past midnight: the minutes after midnight belong to the next day
    ("Fr 22:00-02:00", ["-"] * 4 + ["22:00-24:00", "00:00-02:00", "-"]),
    ("周五 22:00-02:00", ["-"] * 4 + ["22:00-24:00", "00:00-02:00", "-"]),
    ("Su 22:00-02:00", ["00:00-02:00"] + ["-"] * 5 + ["22:00-24:00"]),
    ("Fr 22:00-02:00; Sa off", ["-"] * 4 + ["22:00-24:00", "00:00-02:00", "-"]),
    ("Mo 08:00-08:00", ["00:00-24:00"] + ["-"] * 6),
])
def test_weekday_rules(text, week):
    assert spans(text) == week


def test_friday_night_runs_into_saturday():
    hours = parse_hours("周五 22:00-06:00")
    assert hours.is_open(at("Fr", "23:00"))
    assert hours.is_open(at("Sa", "05:59", 59))
    assert not hours.is_open(at("Sa", "06:00"))
    assert not hours.is_open(at("Fr", "05:00"))  # Thursday night was not open
    assert not hours.is_open(at("Sa", "23:00"))


def test_midnight_boundaries():
    assert parse_hours("08:00-24:00").is_open(at("We", "23:59", 59))
    assert not parse_hours("08:00-24:00").is_open(at("Th", "00:00"))
    # 00:00-23:59 is open at 23:59:30 (and around the clock)
    assert parse_hours("00:00-23:59").is_open(at("We", "23:59", 30))
    assert parse_hours("00:00-23:59").always_open
    # opening minute open, closing minute closed
    hours = parse_hours("08:00-22:00")
    assert hours.is_open(at("Mo", "08:00")) and not hours.is_open(at("Mo", "07:59", 59))
    assert not hours.is_open(at("Mo", "22:00"))


def test_is_open_on_a_bare_date_means_some_time_that_day():
    hours = parse_hours("周六 09:00-12:00")
    assert hours.is_open(MONDAY + dt.timedelta(days=5))
    assert not hours.is_open(MONDAY)


INVALID = [
    ("08:00-24:30", r"'24:30' is past midnight"),
    ("24:30-01:00", r"'24:30' is past midnight"),
    ("25:00-26:00", r"hour 25 is above 24"),
    ("08:00-25:00", r"hour 25 is above 24"),
    ("8:60-9:00", r"minute 60 is above 59"),
    ("08:00-09:75", r"minute 75 is above 59"),
    ("24:00-06:00", r"'24:00' can only close a span"),
    ("abc", r"unknown word 'abc'"),
    ("8am-5pm", r"unknown word '8am-5pm'"),
    ("8-22", r"unknown word"),
    ("0800-1730", r"unknown word"),
    ("上午8:00-12:00", r"unknown word"),
    ("24", r"unknown word '24'"),
    ("nan", r"unknown word 'nan'"),
    ("一至五 08:00-17:00", r"unknown word '一'"),
    ("08:00", r"time without a range"),
    ("08:00 17:00", r"time without a range"),
    ("08:00-", r"no closing time"),
    ("-17:00", r"has no opening time"),
    ("08:00--17:00", r"no closing time"),
    ("周一至周五", r"has no hours"),
    ("周一至周五 08:00-17:30；周六", r"'周六' has no hours"),
    ("Mo-Fr", r"has no hours"),
    (";", r"only separators"),
    ("Su off", r"never open"),
    ("closed", r"never open"),
    ("周日休息", r"never open"),
    ("08:00-17:00 off", r"both closed and open"),
    ("法定节假日休息", r"holiday rules .* not supported"),
    ("Mo-Fr 08:00-17:00; PH off", r"holiday rules \('ph'\) are not supported"),
    ("节假日 09:00-12:00", r"holiday rules"),
    ("08:00-17:00:00", r"unknown word '00'"),
    ("08:00-17:00 :", r"unexpected ':'"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_hours_raise_hours_error(text, reason):
    with pytest.raises(HoursError, match=reason) as info:
        parse_hours(text)
    error = info.value
    assert isinstance(error, ValidationError)
    assert error.code == "bad_hours"
    assert error.params == {"value": text}
    assert repr(text) in str(error)


def test_hours_error_takes_code_and_params():
    error = HoursError("boom", code="other", params={"value": "x"})
    assert (str(error), error.code, error.params) == ("boom", "other", {"value": "x"})
    assert HoursError("plain").params == {}


def test_opening_hours_is_frozen_and_read_only():
    hours = parse_hours("08:00-17:30")
    assert isinstance(hours, OpeningHours)
    assert hours.week.dtype == bool and hours.week.shape == (MINUTES_PER_WEEK,)
    with pytest.raises(ValueError, match="read-only"):
        hours.week[0] = True
    with pytest.raises(dataclasses.FrozenInstanceError):
        hours.text = "24h"  # type: ignore[misc]
    assert parse_hours("08:00-17:30") == hours
    assert parse_hours("24h") != parse_hours("24/7")  # equality is by text


# ----------------------------------------------------------------------------- vectorised


def test_bad_hours_is_vectorised_and_missing_is_fine():
    values = ["24h", None, np.nan, "", "08:00-24:30", "24/7", "08:00-24:30", "abc", "9:30-17:45"]
    assert bad_hours(values).tolist() == [False, False, False, False, True, False, True, True,
                                          False]
    assert bad_hours(pd.Series(values, index=range(10, 19))).tolist() == bad_hours(values).tolist()
    assert bad_hours([]).tolist() == []
    assert bad_hours("abc").tolist() == [True]


SAMPLES = ["", None, "24h", "24H", "24/7", "24小时", "全天", "00:00-23:59", "00:00-24:00",
           "08:00-08:00", "08:00-23:59", "22:00-06:00", "08:00-17:30", "周一至周五 00:00-24:00",
           "24/7; Su off", "每天 24小时", "abc", "08:00-24:30"]


def test_is_24h_agrees_with_parse_hours():
    got = is_24h(SAMPLES)
    expected = []
    for text in SAMPLES:
        try:
            expected.append(parse_hours(text).always_open)
        except HoursError:
            expected.append(False)
    assert got.tolist() == expected
    assert got.tolist()[:11] == [True] * 10 + [False]
    assert is_24h([]).tolist() == []


def test_compile_hours_tables_and_open_at():
    compiled = compile_hours(["24h", "08:00-22:00", None, "08:00-22:00", "Fr 22:00-02:00"])
    assert compiled.codes.tolist() == [0, 1, 3, 1, 2]  # missing is its own ("") entry
    assert compiled.table.shape == (4, MINUTES_PER_WEEK)
    assert not compiled.table.flags.writeable
    assert compiled.always_open.tolist() == [True, False, True, False, False]
    assert len(compiled) == 5
    saturday_1am = week_minute(at("Sa", "01:00"))[0]
    assert compiled.open_at(saturday_1am).tolist() == [True, False, True, False, True]
    monday_noon = week_minute(at("Mo", "12:00"))[0]
    assert compiled.open_at(monday_noon).tolist() == [True, True, True, True, False]
    assert compiled.open_at(np.int64(monday_noon)).tolist() == [True, True, True, True, False]
    sub = compiled.subset(np.array([4, 0]))
    assert sub.open_at(saturday_1am).tolist() == [True, True]
    assert sub.table is compiled.table
    empty = compile_hours([])
    assert empty.table.shape == (0, MINUTES_PER_WEEK)
    assert empty.open_at(0).tolist() == []


@pytest.mark.parametrize("minute", [-1, MINUTES_PER_WEEK, 1.5, "12", True, None])
def test_open_at_rejects_bad_minutes(minute):
    with pytest.raises(ValidationError, match=r"week_minute must be an integer in 0\.\.10079"):
        compile_hours(["24h"]).open_at(minute)


def test_compile_hours_error_names_ids_and_values():
    values = ["24h", "abc", "08:00-24:30", "abc", "x1", "x2", "x3", "x4"]
    with pytest.raises(HoursError, match=(
            r"^hours must be opening hours like .*; bad values at id 'B': 'abc', "
            r"id 'C': '08:00-24:30', id 'D': 'abc', id 'E': 'x1', id 'F': 'x2' \(and 2 more\); "
            r"first problem: unknown word 'abc'$")) as info:
        compile_hours(values, ids=list("ABCDEFGH"))
    assert info.value.code == "bad_hours"
    assert info.value.params == {"value": "abc", "id": "B", "count": 7}
    with pytest.raises(HoursError, match=r"id 'row 1': '25:00-26:00'; first problem: hour 25"):
        compile_hours(["24h", "25:00-26:00"])


# ----------------------------------------------------------------------------- week_minute


@pytest.mark.parametrize(("value", "expected"), [
    (dt.datetime(2026, 11, 2, 0, 0), (0, 20759)),  # Monday midnight
    (dt.datetime(2026, 11, 8, 23, 59, 59), (10079, 20765)),  # Sunday 23:59:59
    (pd.Timestamp("2026-11-04 10:30"), (2 * 1440 + 630, 20761)),
    ("2026-11-04T10:30:00", (2 * 1440 + 630, 20761)),
    ("2026-11-04T02:30:00Z", (2 * 1440 + 630, 20761)),  # UTC -> China time
    (dt.datetime(2026, 11, 1, 19, 0, tzinfo=dt.UTC), (3 * 60, 20759)),  # Mon 03:00 in China
    (dt.datetime(2026, 11, 4, 10, 30, tzinfo=CHINA_TZ), (2 * 1440 + 630, 20761)),
    (np.datetime64("2026-11-04T10:30"), (2 * 1440 + 630, 20761)),
    (dt.date(2026, 11, 4), (None, 20761)),
    ("2026-11-04", (None, 20761)),
    (" 2026-11-04 ", (None, 20761)),
    (dt.date(1970, 1, 1), (None, 0)),
])
def test_week_minute(value, expected):
    assert week_minute(value) == expected


@pytest.mark.parametrize("value", ["not a time", "2026-13-01", None, 5, 3.5, ["2026-11-04"],
                                   np.datetime64("NaT"), pd.NaT])
def test_week_minute_rejects_bad_input(value):
    with pytest.raises(ValidationError, match="at must be a datetime, date or ISO timestamp"):
        week_minute(value)


# ----------------------------------------------------------------------------- consistency


CONSISTENCY = [
    # the bug report's cases: each was judged differently by validation, usability and filter
    "24/7", "24H", "9:30-17:45", "00:00-23:59", "08:00-24:30",
    # and the rest of the grammar
    "", "24h", "24小时", "全天", "08:00-08:00", "00:00-24:00", "08:00-23:59", "22:00-06:00",
    "08:00-12:00,14:00-18:00", "周一至周五 08:00-17:30", "Mo-Fr 08:00-17:30; Sa 09:00-12:00",
    "每天 24小时", "24/7; Su off", "Fr 22:00-02:00", "25:00-26:00", "8:60-9:00", "abc",
]
# every half hour of the week, plus 23:59:30 of each day
TIMES = ([at(d, f"{h:02d}:{m:02d}") for d in DAYS for h in range(24) for m in (0, 30)]
         + [at(d, "23:59", 30) for d in DAYS])


@pytest.mark.parametrize("text", CONSISTENCY)
def test_validation_usability_and_filter_agree(text):
    frame = pd.DataFrame({"id": ["R0"], "kind": ["aed"], "status": ["active"], "hours": [text]})
    resources = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([120.3], [31.5]),
                                 crs="EPSG:4326")
    invalid = bool(bad_hours([text])[0])
    kept_24h = len(filter_resources(resources, only_24h=True)) == 1
    if invalid:
        with pytest.raises(HoursError, match=r"id 'R0'"):
            Usability.from_frame(resources)
        assert not kept_24h
        return
    usability = Usability.from_frame(resources)
    open_at = [bool(usability.mask(t)[0]) for t in TIMES]
    assert kept_24h == all(open_at)
    assert kept_24h == parse_hours(text).always_open
    assert open_at == [parse_hours(text).is_open(t) for t in TIMES]


@pytest.mark.parametrize("text", CONSISTENCY)
def test_validated_rows_are_usable_and_filtered_consistently(text):
    """End to end: what validation keeps, usability can read and the 24 h filter agrees with."""
    from geo.validate import validate_resources
    from tests.conftest import resource_row

    good, report = validate_resources(pd.DataFrame([resource_row(hours=text)]))
    codes = {p.code for p in report.problems}
    assert ("bad_hours" in codes) == bool(bad_hours([text])[0])
    if len(good) == 0:
        assert "bad_hours" in codes
        return
    usability = Usability.from_frame(good)  # never raises on validated rows
    open_at = [bool(usability.mask(t)[0]) for t in TIMES]
    assert (len(filter_resources(good, only_24h=True)) == 1) == all(open_at)


def test_bug_report_cases():
    # accepted by every part now, and 00:00-23:59 is open at 23:59:30
    assert not bad_hours(["24/7", "24H", "9:30-17:45", "00:00-23:59"]).any()
    assert bad_hours(["08:00-24:30"]).all()
    frame = pd.DataFrame({"status": ["active"], "hours": ["00:00-23:59"]})
    assert Usability.from_frame(frame).mask(at("Mo", "23:59", 30)).tolist() == [True]
    assert is_24h(["00:00-23:59"]).tolist() == [True]
