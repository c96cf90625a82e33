"""geo.coords: coordinates read the way people write them, one cell at a time and vectorised."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geo.coords as coords
from geo.coords import Issue, Pair, parse_coordinate, parse_coordinates, parse_pair, parse_pairs
from geo.errors import ValidationError
from tests.test_problems_text import _ALLOWED_LATIN, _masked
from ui.i18n import problem_text

DMS = 120 + 18 / 60 + 10 / 3600  # 120°18'10"
DMS_LAT = 31 + 34 / 60 + 48 / 3600  # 31°34'48" = 31.58


# --------------------------------------------------------------------------------------------
# One coordinate per cell
# --------------------------------------------------------------------------------------------

READS = [
    # numbers from Excel
    (120, None, 120.0),
    (120.3, "lon", 120.3),
    (np.float32(31.5), "lat", 31.5),
    (np.int64(120), "lon", 120.0),
    (np.float64(-5.25), None, -5.25),
    (Decimal("120.30"), "lon", 120.3),
    # decimal text
    ("120.3", "lon", 120.3),
    (" 120.3 ", "lon", 120.3),
    ("\t120.3\n", "lon", 120.3),
    (" １２０．３ ", "lon", 120.3),
    ("\u3000120.3\u00a0", "lon", 120.3),
    ("120.3\u200b", "lon", 120.3),
    ("−5", None, -5.0),
    ("–5", None, -5.0),
    ("—5", None, -5.0),
    ("﹣5", None, -5.0),
    ("－5", None, -5.0),
    ("+5", None, 5.0),
    ("120.3°", "lon", 120.3),
    ("120.3 °", "lon", 120.3),
    ("120.", "lon", 120.0),
    (".5", "lat", 0.5),
    ("1.203e2", "lon", 120.3),
    # degrees-minutes-seconds
    ("120°18'10\"E", "lon", DMS),
    ("120°18′10″", "lon", DMS),
    ("120°18’10”", "lon", DMS),
    ("120°18‘10“", "lon", DMS),
    ("120°18'", "lon", 120.3),
    ("120º18'10\"", "lon", DMS),
    ("120° 18′ 10″", "lon", DMS),
    ("120 ° 18 ' 10 \"", "lon", DMS),
    ("120°18′10″E", "lon", DMS),
    ("120度18分10秒", "lon", DMS),
    ("120度18分10.5秒", "lon", 120 + 18 / 60 + 10.5 / 3600),
    ("１２０度１８分１０秒", "lon", DMS),
    ("120°18.5'", "lon", 120 + 18.5 / 60),
    ("120度18.5分", "lon", 120 + 18.5 / 60),
    ("120°", "lon", 120.0),
    ("120.5°", "lon", 120.5),
    ("120°18", "lon", 120.3),
    ("120:18:10", "lon", DMS),
    ("120:18", "lon", 120.3),
    ("120:18.5", "lon", 120 + 18.5 / 60),
    ("120 18 10", "lon", DMS),
    ("120 18 10.5", "lon", 120 + 18 / 60 + 10.5 / 3600),
    ("31°34′48″N", "lat", DMS_LAT),
    ("-120°18'10\"", "lon", -DMS),
    ("−31:34:48", "lat", -DMS_LAT),
    # hemispheres and labels
    ("E120.3", "lon", 120.3),
    ("120.3E", "lon", 120.3),
    ("120.3 E", "lon", 120.3),
    ("e 120.3", "lon", 120.3),
    ("e120.3", None, 120.3),
    ("东经120.3", "lon", 120.3),
    ("东经 120°18′", "lon", 120.3),
    ("东经120度18分10秒", "lon", DMS),
    ("120.3东经", "lon", 120.3),
    ("北纬31.5", "lat", 31.5),
    ("N31.5", "lat", 31.5),
    ("31.5N", "lat", 31.5),
    ("31.5° N", "lat", 31.5),
    ("n 31°34'48\"", "lat", DMS_LAT),
    ("W120.3", "lon", -120.3),
    ("120.3W", "lon", -120.3),
    ("-120.3W", "lon", -120.3),
    ("西经120.3", "lon", -120.3),
    ("S31.5", "lat", -31.5),
    ("31.5s", "lat", -31.5),
    ("南纬31°30′", "lat", -31.5),
    ("经度120.3", "lon", 120.3),
    ("经度：120.3", "lon", 120.3),
    ("纬度 31.5", "lat", 31.5),
    ("lng=120.3", "lon", 120.3),
    ("lon: 120.3", "lon", 120.3),
    ("Longitude 120.3", "lon", 120.3),
    ("LAT:31.5", "lat", 31.5),
    ("latitude=31.5", "lat", 31.5),
    ("经度120.3E", "lon", 120.3),
    ("N31.5", None, 31.5),  # no role: nothing to contradict
]


@pytest.mark.parametrize(("value", "role", "expected"), READS)
def test_parse_coordinate_reads(value, role, expected):
    number, issues = parse_coordinate(value, role)
    assert issues == []
    assert isinstance(number, float)
    assert number == pytest.approx(expected, abs=1e-9)


def test_dms_is_exact():
    assert parse_coordinate("120°18'10\"")[0] == 120 + 18 / 60 + 10 / 3600
    assert parse_coordinate("120度18分10秒")[0] == 120 + 18 / 60 + 10 / 3600
    assert parse_coordinate("31°34′48″N", "lat")[0] == 31 + 34 / 60 + 48 / 3600
    assert parse_coordinate("120°18.5'")[0] == 120 + 18.5 / 60
    assert parse_coordinate("120 18 10")[0] == parse_coordinate("120:18:10")[0]


@pytest.mark.parametrize(("value", "expected"), [
    ("120,3", 120.3),
    (" 120,30 ", 120.3),
    ("-5,25", -5.25),
    ("１２０，３", 120.3),
    ("E120,3", 120.3),
])
def test_one_decimal_comma_is_read_with_a_warning(value, expected):
    number, issues = parse_coordinate(value, "lon")
    assert number == pytest.approx(expected, abs=1e-9)
    assert issues == [Issue(code="decimal_comma", params={"value": value, "number": number},
                            severity="warning")]


ERRORS = [
    # empty
    (None, "lon", "empty_cell"),
    ("", "lon", "empty_cell"),
    ("   ", "lon", "empty_cell"),
    ("\u3000", "lon", "empty_cell"),
    (float("nan"), "lon", "empty_cell"),
    (np.nan, "lat", "empty_cell"),
    (pd.NA, "lat", "empty_cell"),
    (pd.NaT, "lat", "empty_cell"),
    # not finite
    (float("inf"), "lon", "not_finite"),
    (-np.inf, "lon", "not_finite"),
    ("1e999", "lon", "not_finite"),
    # not numbers
    (True, "lon", "not_a_number"),
    (np.bool_(False), "lon", "not_a_number"),
    (date(2024, 1, 2), "lon", "not_a_number"),
    (datetime(2024, 1, 2, 3, 4), "lon", "not_a_number"),
    (pd.Timestamp("2024-01-02"), "lon", "not_a_number"),
    (np.datetime64("2024-01-02"), "lon", "not_a_number"),
    (b"120.3", "lon", "not_a_number"),
    (1 + 2j, "lon", "not_a_number"),
    ("abc", "lon", "not_a_number"),
    ("nan", "lon", "not_a_number"),
    ("inf", "lon", "not_a_number"),
    ("120.3.5", "lon", "not_a_number"),
    ("120-5", "lon", "not_a_number"),
    ("E", "lon", "not_a_number"),
    ("东经", "lon", "not_a_number"),
    ("E120.3E", "lon", "not_a_number"),
    ("E120.3W", "lon", "not_a_number"),
    ("120.3 31.5 7", "lon", "not_a_number"),
    ("120.3,31.5,7", "lon", "not_a_number"),
    ("12O.3", "lon", "not_a_number"),  # letter O
    # two numbers in a one-coordinate cell
    ("120.30,31.58", "lon", "two_numbers"),
    ("120.30 31.58", "lon", "two_numbers"),
    ("120.30，31.58", "lon", "two_numbers"),
    ("120.30;31.58", "lat", "two_numbers"),
    ("120 31", "lon", "two_numbers"),
    ("120,30,31,58", "lon", "two_numbers"),
    ("东经120.3 北纬31.5", "lon", "two_numbers"),
    ("120°18′E 31°34′N", "lat", "two_numbers"),
    # bad degrees-minutes-seconds
    ("120°60'", "lon", "bad_dms"),
    ("120°18'60\"", "lon", "bad_dms"),
    ("120°75′10″", "lon", "bad_dms"),
    ("120度18分61秒", "lon", "bad_dms"),
    ("120:60:00", "lon", "bad_dms"),
    ("120 18 75", "lon", "bad_dms"),
    ("120.5°18'", "lon", "bad_dms"),
    ("120°18.5'10\"", "lon", "bad_dms"),
    ("E120°60'", "lon", "bad_dms"),
    # a hemisphere or label for the other coordinate
    ("N31.5", "lon", "wrong_hemisphere"),
    ("31.5N", "lon", "wrong_hemisphere"),
    ("S31.5", "lon", "wrong_hemisphere"),
    ("北纬31.5", "lon", "wrong_hemisphere"),
    ("纬度31.5", "lon", "wrong_hemisphere"),
    ("lat=31.5", "lon", "wrong_hemisphere"),
    ("东经120.3", "lat", "wrong_hemisphere"),
    ("120.3E", "lat", "wrong_hemisphere"),
    ("W120.3", "lat", "wrong_hemisphere"),
    ("lng:120.3", "lat", "wrong_hemisphere"),
]


@pytest.mark.parametrize(("value", "role", "code"), ERRORS)
def test_parse_coordinate_errors(value, role, code):
    number, issues = parse_coordinate(value, role)
    assert number is None
    assert [i.code for i in issues] == [code]
    assert issues[0].severity == "error"
    assert "value" in issues[0].params


def test_error_params():
    assert parse_coordinate(" abc ", "lon")[1][0].params == {"value": " abc "}
    assert parse_coordinate(None, "lon")[1][0].params == {"value": ""}
    assert parse_coordinate("  ", "lon")[1][0].params == {"value": "  "}
    assert parse_coordinate(True, "lon")[1][0].params == {"value": "True"}
    assert parse_coordinate(math.inf, "lon")[1][0].params == {"value": math.inf}
    assert parse_coordinate("N31.5", "lon")[1][0].params == {"value": "N31.5", "role": "lon"}
    assert parse_coordinate("东经120", "lat")[1][0].params == {"value": "东经120", "role": "lat"}


def test_long_text_is_refused_at_once():
    essay = "1 " * 50_000
    assert parse_coordinate(essay, "lon")[1][0].code == "not_a_number"
    assert parse_pair(essay).issues[0].code == "not_a_pair"
    assert parse_coordinate("120°" + "1" * 5000, "lon")[1][0].code == "not_a_number"
    assert parse_coordinate(" " * 500 + "120.3" + " " * 500, "lon") == (120.3, [])


def test_no_range_check_beyond_dms():
    assert parse_coordinate("500", "lat") == (500.0, [])
    assert parse_coordinate("-999.5", "lon") == (-999.5, [])
    assert parse_coordinate("400°59′59″", "lon")[1] == []


@pytest.mark.parametrize("role", ["x", "longitude", 1])
def test_unknown_role_is_refused(role):
    with pytest.raises(ValidationError) as info:
        parse_coordinate("120.3", role)
    assert info.value.code == "bad_argument"
    with pytest.raises(ValidationError):
        parse_coordinates(["120.3"], role)


# --------------------------------------------------------------------------------------------
# One coordinate per cell, vectorised
# --------------------------------------------------------------------------------------------

MIXED = [
    "120.3", " 120.3 ", 120.3, 120, np.float64(31.5), np.int32(7), Decimal("1.5"), None,
    float("nan"), pd.NA, "", "  ", float("inf"), "-inf", "nan", "inf", "1e999", "1e-999",
    True, False, np.bool_(True), date(2024, 1, 1), pd.Timestamp("2024-01-01"), b"12",
    "120,3", "120°18'10\"E", "N31.5", "31.5N", "东经120.3", "120.30,31.58", "120.30 31.58",
    "abc", "１２０．３", "−5", "1_000", "0x10", "1e5", "+.5", "5.", "١٢٠", "\u3000120.3",
    "120°60'", "W120", [1, 2], {"a": 1}, 1 + 2j, "120.123456789012345678",
    "120.3E", "120.3e", "1e", "1e+", "120.3 E", "1.5d", "0b1", "-", ".", "1 000", "1,000",
    "1e5 ", " +1", "1.5\x00", "１２０", np.str_("31.5"),
]


def _assert_same(vector: tuple, cells: list, role: str) -> None:
    numbers, issues = vector
    assert numbers.dtype == np.float64 and numbers.shape == (len(cells),)
    for i, cell in enumerate(cells):
        number, found = parse_coordinate(cell, role)
        if number is None:
            assert np.isnan(numbers[i]), (i, cell)
        else:
            assert numbers[i] == number, (i, cell)
        assert issues.get(i, []) == found, (i, cell)
    assert all(issues.values()) and list(issues) == sorted(issues)


@pytest.mark.parametrize("role", ["lon", "lat"])
def test_parse_coordinates_agrees_with_parse_coordinate(role):
    _assert_same(parse_coordinates(MIXED, role), MIXED, role)
    _assert_same(parse_coordinates(tuple(MIXED), role), MIXED, role)
    _assert_same(parse_coordinates(pd.Series(MIXED, index=range(100, 100 + len(MIXED))), role),
                 MIXED, role)


@pytest.mark.parametrize("cells", [
    ["120.3", "31.5", " 7 ", "-1e2"],
    [120.3, 31.5, np.nan, -np.inf],
    [1, 2, 3],
    [True, False],
    ["a", None, np.nan],
    [np.nan, None],
    [1.5, True, "2", None],
    ["N31.5", "31.5", 31.5, "120,3"],
    [],
])
def test_parse_coordinates_agrees_on_plain_columns(cells):
    _assert_same(parse_coordinates(cells, "lat"), cells, "lat")
    _assert_same(parse_coordinates(pd.Series(cells, dtype=object), "lat"), cells, "lat")


def test_parse_coordinates_typed_arrays():
    floats = np.array([120.3, np.nan, np.inf, -5.0])
    numbers, issues = parse_coordinates(floats, "lon")
    np.testing.assert_array_equal(numbers, [120.3, np.nan, np.nan, -5.0])
    assert {i: [x.code for x in v] for i, v in issues.items()} == {1: ["empty_cell"],
                                                                    2: ["not_finite"]}
    assert floats[2] == np.inf  # the input is not changed
    numbers, issues = parse_coordinates(np.array([120, 31], dtype=np.int16), "lon")
    np.testing.assert_array_equal(numbers, [120.0, 31.0])
    assert issues == {}
    numbers, issues = parse_coordinates(np.array(["120.3", "E120.3", "x"]), "lon")
    np.testing.assert_array_equal(numbers, [120.3, 120.3, np.nan])
    assert [x.code for x in issues[2]] == ["not_a_number"]
    numbers, issues = parse_coordinates(np.array([True, False]), "lon")
    assert np.isnan(numbers).all() and len(issues) == 2
    numbers, issues = parse_coordinates(
        np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]"), "lon")
    assert np.isnan(numbers).all()
    assert [issues[0][0].code, issues[1][0].code] == ["not_a_number", "empty_cell"]
    numbers, issues = parse_coordinates(pd.Series([1.5, None], dtype="Float64"), "lat")
    np.testing.assert_array_equal(numbers, [1.5, np.nan])
    assert issues[1][0].code == "empty_cell"
    numbers, issues = parse_coordinates(pd.Series(["1.5", None, "E1"], dtype="string"), "lon")
    np.testing.assert_array_equal(numbers, [1.5, np.nan, 1.0])
    assert list(issues) == [1]


def test_parse_coordinates_reads_plain_cells_in_bulk(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("plain cells must not be parsed one by one")

    monkeypatch.setattr(coords, "parse_coordinate", refuse)
    numbers, issues = parse_coordinates(["120.3", " 31.5", 7, 8.5, "-1e1", None], "lon")
    np.testing.assert_array_equal(numbers, [120.3, 31.5, 7.0, 8.5, -10.0, np.nan])
    assert issues == {5: [Issue(code="empty_cell", params={"value": ""})]}
    numbers, issues = parse_coordinates(np.array([1.0, 2.0]), "lat")
    np.testing.assert_array_equal(numbers, [1.0, 2.0])


def test_read_only_input_is_fine_and_unchanged():
    floats = np.array([1.5, np.inf])
    cells = np.array(["1.5", "x", None], dtype=object)
    for arr in (floats, cells):
        arr.flags.writeable = False
    assert parse_coordinates(floats, "lon")[0][0] == 1.5
    assert parse_coordinates(cells, "lon")[0][0] == 1.5
    assert parse_pairs(cells)[2][0][0].code == "not_a_pair"
    assert floats[1] == np.inf and cells[1] == "x"


def test_parse_coordinates_refuses_a_table():
    with pytest.raises(ValidationError) as info:
        parse_coordinates(np.zeros((2, 2)), "lon")
    assert info.value.code == "bad_argument"


# --------------------------------------------------------------------------------------------
# Both coordinates in one cell
# --------------------------------------------------------------------------------------------

PAIRS = [
    # (text, lon, lat, order, how)
    ("120.30,31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30, 31.58", 120.30, 31.58, "lonlat", "ranges"),
    (" 120.30 , 31.58 ", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30，31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("１２０．３０，３１．５８", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30;31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30；31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30、31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30/31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30 31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("120.30\t31.58", 120.30, 31.58, "lonlat", "ranges"),
    ("(120.3, 31.5)", 120.3, 31.5, "lonlat", "ranges"),
    ("[120.3, 31.5]", 120.3, 31.5, "lonlat", "ranges"),
    ("（120.3，31.5）", 120.3, 31.5, "lonlat", "ranges"),
    ("【120.3 31.5】", 120.3, 31.5, "lonlat", "ranges"),
    ("31.58,120.30", 120.30, 31.58, "latlon", "ranges"),
    ("31.58 120.30", 120.30, 31.58, "latlon", "ranges"),
    ("(31.5, 120.3)", 120.3, 31.5, "latlon", "ranges"),
    ("120°18'10\", 31°34'48\"", DMS, DMS_LAT, "lonlat", "ranges"),
    ("120°18′10″ 31°34′48″", DMS, DMS_LAT, "lonlat", "ranges"),
    ("31°34′48″ 120°18′10″", DMS, DMS_LAT, "latlon", "ranges"),
    ("120 18 10, 31 34 48", DMS, DMS_LAT, "lonlat", "ranges"),
    ("120 18 10 31 34 48", DMS, DMS_LAT, "lonlat", "ranges"),
    ("120:18:10 31:34:48", DMS, DMS_LAT, "lonlat", "ranges"),
    ("120度18分10秒，31度34分48秒", DMS, DMS_LAT, "lonlat", "ranges"),
    ("120, 5", 120.0, 5.0, "lonlat", "ranges"),
    ("5, 120", 120.0, 5.0, "latlon", "ranges"),
    # labels and hemispheres decide
    ("lng:120.3 lat:31.5", 120.3, 31.5, "lonlat", "labels"),
    ("lng=120.3,lat=31.5", 120.3, 31.5, "lonlat", "labels"),
    ("lat:31.5, lng:120.3", 120.3, 31.5, "latlon", "labels"),
    ("Latitude 31.5 Longitude 120.3", 120.3, 31.5, "latlon", "labels"),
    ("经度120.3 纬度31.5", 120.3, 31.5, "lonlat", "labels"),
    ("经度：120.3，纬度：31.5", 120.3, 31.5, "lonlat", "labels"),
    ("经度120.3纬度31.5", 120.3, 31.5, "lonlat", "labels"),
    ("纬度31.5 经度120.3", 120.3, 31.5, "latlon", "labels"),
    ("东经120°18′ 北纬31°34′", 120.3, 31 + 34 / 60, "lonlat", "labels"),
    ("东经120°18′北纬31°34′", 120.3, 31 + 34 / 60, "lonlat", "labels"),
    ("北纬31°34′48″，东经120°18′10″", DMS, DMS_LAT, "latlon", "labels"),
    ("东经120度18分10秒 北纬31度34分48秒", DMS, DMS_LAT, "lonlat", "labels"),
    ("N31.58 E120.30", 120.30, 31.58, "latlon", "labels"),
    ("N 31.58 E 120.30", 120.30, 31.58, "latlon", "labels"),
    ("N31.58E120.30", 120.30, 31.58, "latlon", "labels"),
    ("31.58N, 120.30E", 120.30, 31.58, "latlon", "labels"),
    ("31.58N 120.30E", 120.30, 31.58, "latlon", "labels"),
    ("31.58N120.30E", 120.30, 31.58, "latlon", "labels"),
    ("120.30E,31.58N", 120.30, 31.58, "lonlat", "labels"),
    ("120°18'10\"E 31°34'48\"N", DMS, DMS_LAT, "lonlat", "labels"),
    ("31°34'48\"N 120°18'10\"E", DMS, DMS_LAT, "latlon", "labels"),
    ("E120.3 31.5", 120.3, 31.5, "lonlat", "labels"),  # one label tells both
    ("31.5 E120.3", 120.3, 31.5, "latlon", "labels"),
    ("lat 31.5, 120.3", 120.3, 31.5, "latlon", "labels"),
    # labels beat ranges, even out of China
    ("N120.3 E31.5", 31.5, 120.3, "latlon", "labels"),
    # W and S are negative (outside China: the caller refuses them)
    ("120.3W 31.5S", -120.3, -31.5, "lonlat", "labels"),
    ("S31.5 W120.3", -120.3, -31.5, "latlon", "labels"),
    ("西经120.3 南纬31.5", -120.3, -31.5, "lonlat", "labels"),
    # in neither order in China: the written order, no issue (the caller says outside China)
    ("-0.12, 51.5", -0.12, 51.5, "lonlat", "ranges"),
    ("51.5, -0.12", 51.5, -0.12, "lonlat", "ranges"),
    ("10, 20", 10.0, 20.0, "lonlat", "ranges"),
    ("200, 300", 200.0, 300.0, "lonlat", "ranges"),
]


@pytest.mark.parametrize(("text", "lon", "lat", "order", "how"), PAIRS)
def test_parse_pair_reads(text, lon, lat, order, how):
    pair = parse_pair(text)
    assert isinstance(pair, Pair)
    assert pair.lon == pytest.approx(lon, abs=1e-9)
    assert pair.lat == pytest.approx(lat, abs=1e-9)
    assert (pair.order, pair.how) == (order, how)
    assert all(i.severity == "warning" for i in pair.issues)
    codes = [i.code for i in pair.issues]
    assert codes == (["order_assumed"] if (order, how) == ("latlon", "ranges") else [])


def test_order_assumed_only_for_latitude_first_by_ranges():
    pair = parse_pair("31.58, 120.30")
    assert pair.issues == (Issue(code="order_assumed",
                                 params={"value": "31.58, 120.30", "lon": 120.30, "lat": 31.58},
                                 severity="warning"),)
    assert parse_pair("120.30, 31.58").issues == ()  # longitude first: nothing to say
    assert parse_pair("N31.58 E120.30").issues == ()  # labels told us
    assert parse_pair("纬度31.58 经度120.30").issues == ()
    assert parse_pair("51.5, -0.12").issues == ()  # nowhere in China: the caller's business


def test_pair_decimal_commas():
    pair = parse_pair("120,3 31,5")
    assert (pair.lon, pair.lat, pair.order, pair.how) == (120.3, 31.5, "lonlat", "ranges")
    assert [(i.code, i.params, i.severity) for i in pair.issues] == [
        ("decimal_comma", {"value": "120,3 31,5", "number": 120.3}, "warning"),
        ("decimal_comma", {"value": "120,3 31,5", "number": 31.5}, "warning")]
    pair = parse_pair("120,3; 31,5")
    assert (pair.lon, pair.lat) == (120.3, 31.5)


PAIR_ERRORS = [
    (None, "empty_cell"),
    (float("nan"), "empty_cell"),
    ("", "empty_cell"),
    ("  ", "empty_cell"),
    ("()", "empty_cell"),
    (120.3, "not_a_pair"),
    (True, "not_a_pair"),
    (date(2024, 1, 1), "not_a_pair"),
    ("120.3", "not_a_pair"),
    ("E120.3", "not_a_pair"),
    ("120°18'10\"", "not_a_pair"),
    ("120 18 10", "not_a_pair"),
    ("120.3,31.5,7", "not_a_pair"),
    ("120.3 31.5 7", "not_a_pair"),
    ("120 18 31 34", "not_a_pair"),  # 120 + 18°31'34" or 120°18'31" + 34
    ("120,30,31", "not_a_pair"),  # 120 + 30,31 or 120,30 + 31
    ("abc", "not_a_pair"),
    ("120.3, abc", "not_a_pair"),
    ("lng:120.3", "not_a_pair"),
    ("120°60', 31.5", "bad_dms"),
    ("东经120°18′ 北纬31°75′", "bad_dms"),
    ("E120 E31", "order_ambiguous"),
    ("N31 N120", "order_ambiguous"),
    ("经度120 经度31", "order_ambiguous"),
]


@pytest.mark.parametrize(("value", "code"), PAIR_ERRORS)
def test_parse_pair_errors(value, code):
    pair = parse_pair(value)
    assert [i.code for i in pair.issues] == [code]
    assert pair.issues[0].severity == "error"
    assert "value" in pair.issues[0].params
    if code == "order_ambiguous":  # the numbers as written, for a caller that asks the user
        assert (pair.order, pair.how) == ("lonlat", None)
        assert pair.lon is not None and pair.lat is not None
    else:
        assert (pair.lon, pair.lat, pair.order, pair.how) == (None, None, None, None)


# --------------------------------------------------------------------------------------------
# Both coordinates, vectorised
# --------------------------------------------------------------------------------------------

PAIR_CELLS = [text for text, *_ in PAIRS] + [value for value, _ in PAIR_ERRORS] + [
    "120.30,31.58", "31.58,120.30", " +120.3 ; -31.5 ", "120.,31.", "1e2,31", "nan,31",
    "inf,31", "120.3,", ",31.5", "1" + "0" * 400 + ",31", "120.3,31.5\n", pd.NA, np.str_("1,2"),
]


def _assert_same_pairs(vector: tuple, cells: list) -> None:
    lon, lat, issues = vector
    assert lon.dtype == lat.dtype == np.float64
    assert lon.shape == lat.shape == (len(cells),)
    for i, cell in enumerate(cells):
        pair = parse_pair(cell)
        if any(x.severity == "error" for x in pair.issues):
            assert np.isnan(lon[i]) and np.isnan(lat[i]), (i, cell)
        else:
            assert (lon[i], lat[i]) == (pair.lon, pair.lat), (i, cell)
        assert issues.get(i, []) == list(pair.issues), (i, cell)
    assert all(issues.values()) and list(issues) == sorted(issues)


def test_parse_pairs_agrees_with_parse_pair():
    _assert_same_pairs(parse_pairs(PAIR_CELLS), PAIR_CELLS)
    _assert_same_pairs(parse_pairs(pd.Series(PAIR_CELLS, index=range(5, 5 + len(PAIR_CELLS)))),
                       PAIR_CELLS)
    strings = [c for c in PAIR_CELLS if isinstance(c, str)]
    _assert_same_pairs(parse_pairs(np.array(strings)), strings)
    _assert_same_pairs(parse_pairs(pd.Series(strings, dtype="string")), strings)
    _assert_same_pairs(parse_pairs([]), [])
    _assert_same_pairs(parse_pairs(np.array([1.5, np.nan])), [1.5, np.nan])


def test_parse_pairs_reads_the_common_shape_in_bulk(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the common shape must not be parsed one by one")

    monkeypatch.setattr(coords, "parse_pair", refuse)
    cells = ["120.30,31.58", "31.58,120.30", " 120.3 ; 31.5 ", "120.3，31.5", "-0.12,51.5"]
    lon, lat, issues = parse_pairs(cells)
    np.testing.assert_array_equal(lon, [120.30, 120.30, 120.3, 120.3, -0.12])
    np.testing.assert_array_equal(lat, [31.58, 31.58, 31.5, 31.5, 51.5])
    assert issues == {1: [Issue(code="order_assumed",
                                params={"value": "31.58,120.30", "lon": 120.30, "lat": 31.58},
                                severity="warning")]}


# --------------------------------------------------------------------------------------------
# Every issue is worded, in both languages, with JSON-ish params
# --------------------------------------------------------------------------------------------


def _all_issues() -> list[Issue]:
    found: list[Issue] = []
    for value, role, _ in READS + ERRORS:
        found += parse_coordinate(value, role)[1]
    for value in PAIR_CELLS:
        found += parse_pair(value).issues
    found += parse_coordinate("120,3", "lon")[1]
    return found


def test_every_code_is_emitted_by_the_tables():
    codes = {i.code for i in _all_issues()}
    assert codes == {"empty_cell", "not_a_number", "not_finite", "two_numbers", "decimal_comma",
                     "bad_dms", "wrong_hemisphere", "order_assumed", "order_ambiguous",
                     "not_a_pair"}
    # the new codes appear as code="..." literals, which tests/test_problems_text.py scans for
    literal = set(re.findall(r'\bcode="([a-z_0-9]+)"', Path(coords.__file__).read_text("utf-8")))
    assert {"bad_dms", "wrong_hemisphere", "order_assumed", "order_ambiguous",
            "not_a_pair"} <= literal


def test_params_are_json_ish():
    for issue in _all_issues():
        assert issue.severity in ("error", "warning")
        assert "value" in issue.params
        for value in issue.params.values():
            assert type(value) in (str, float, int) or isinstance(value, str), issue
        json.dumps(issue.params)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_issue_is_worded(lang):
    sentinel = object()
    for issue in _all_issues():
        text = problem_text(issue.code, issue.params, lang, sentinel)
        assert isinstance(text, str) and text, issue
        if lang == "zh":
            params = {k: 0.0 if isinstance(v, float) and not math.isfinite(v) else v
                      for k, v in _masked(issue.params).items()}  # "inf" is no template word
            masked = problem_text(issue.code, params, "zh", None)
            words = set(re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", masked)) - _ALLOWED_LATIN
            assert not words, (issue.code, masked)
            assert re.search(r"[\u4e00-\u9fff]", masked)


def test_messages_name_the_cell():
    issue = parse_coordinate("N31.5", "lon")[1][0]
    assert problem_text(issue.code, issue.params, "zh") == (
        "'N31.5' 标明的不是经度（经度写 E/W 或 东经/西经，纬度写 N/S 或 北纬/南纬）："
        "请检查是否填错了列")
    assert "longitude" in problem_text(issue.code, issue.params, "en")
    issue = parse_pair("31.58,120.30").issues[0]
    assert "120.3" in problem_text(issue.code, issue.params, "en")
    assert "31.58" in problem_text(issue.code, issue.params, "zh")
