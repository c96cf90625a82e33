"""Tests for geo.places: Chinese, English and pinyin place search on a tiny inline dataset."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.errors import ValidationError
from geo.places import (
    RESULT_COLUMNS,
    SCORE_EXACT,
    PlaceIndex,
    clear_place_cache,
    place_index,
    search_places,
)


@pytest.fixture
def resources() -> gpd.GeoDataFrame:
    """Six resources in Wuxi and Zhenjiang."""
    rows = [
        ("无锡站", "Wuxi Railway Station", "梁溪区车站路1号", "梁溪区", "aed", 120.3050, 31.5880),
        ("无锡东站", "Wuxi East Railway Station", "锡山区东站路", "锡山区", "aed",
         120.4300, 31.5900),
        ("南长街急救站", "Nanchang Street First Aid", "梁溪区清名桥", "梁溪区", "first_aid_station",
         120.3060, 31.5640),
        ("清名桥社区救援队", "Qingming Bridge Team", "梁溪区南长街100号", "梁溪区", "rescue_team",
         120.3070, 31.5620),
        ("鼋头渚AED", "Yuantouzhu AED", "滨湖区鼋头渚风景区", "滨湖区", "aed", 120.2275, 31.5205),
        ("镇江站", "Zhenjiang Railway Station", "京口区中山西路", "京口区", "aed",
         119.4200, 32.2000),
    ]
    columns = ["name", "name_en", "address", "district", "kind", "lon", "lat"]
    frame = gpd.GeoDataFrame([dict(zip(columns, r, strict=True)) for r in rows])
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


@pytest.fixture
def districts() -> gpd.GeoDataFrame:
    """Two square districts."""
    return gpd.GeoDataFrame(
        {"city": ["wuxi", "wuxi"], "district": ["滨湖区", "梁溪区"],
         "district_en": ["Binhu", "Liangxi"]},
        geometry=[box(120.1, 31.3, 120.3, 31.55), box(120.25, 31.55, 120.35, 31.62)],
        crs="EPSG:4326")


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_place_cache()
    yield
    clear_place_cache()


def test_result_columns_and_exact_chinese(resources, districts):
    out = search_places(resources, districts, "无锡站")
    assert list(out.columns) == list(RESULT_COLUMNS)
    top = out.iloc[0]
    assert (top["name"], top["kind"], top["district"]) == ("无锡站", "aed", "梁溪区")
    assert (top["lon"], top["lat"]) == (120.3050, 31.5880)
    assert top["score"] == SCORE_EXACT


def test_chinese_substring_in_name_and_address(resources, districts):
    out = search_places(resources, districts, "南长街")
    assert out["name"].tolist() == ["南长街急救站", "清名桥社区救援队"]  # name beats address
    assert out["score"].is_monotonic_decreasing


def test_chinese_substring_with_latin_suffix(resources, districts):
    assert search_places(resources, districts, "鼋头渚")["name"].iloc[0] == "鼋头渚AED"


@pytest.mark.parametrize(("query", "expected"), [
    ("nanchang", "南长街急救站"),
    ("NanChang", "南长街急救站"),
    ("yuantouzhu", "鼋头渚AED"),
    ("yuán tóu zhǔ", "鼋头渚AED"),
    ("Wuxi Railway", "无锡站"),
    ("wuxi railway station", "无锡站"),
    ("zhenjiang", "镇江站"),
])
def test_english_and_pinyin(resources, districts, query, expected):
    assert search_places(resources, districts, query)["name"].iloc[0] == expected


def test_pinyin_of_chinese_name_without_english(resources, districts):
    plain = resources.assign(name_en="")
    assert search_places(plain, None, "nanchangjie")["name"].iloc[0] == "南长街急救站"
    assert search_places(plain, None, "qingmingqiao")["name"].iloc[0] == "清名桥社区救援队"
    # 长 is read "chang" here; "zhang" is the other reading, also accepted.
    assert "南长街急救站" in search_places(plain, None, "nanzhang")["name"].tolist()


def test_pinyin_of_address(resources):
    plain = resources.assign(name_en="")
    out = search_places(plain, None, "fengjingqu")
    assert out["name"].tolist() == ["鼋头渚AED"]


def test_pinyin_initials(resources, districts):
    out = search_places(resources, districts, "ytz")
    assert out["name"].iloc[0] == "鼋头渚AED"
    assert set(search_places(resources, districts, "wxz")["name"]) >= {"无锡站"}


def test_partial_last_syllable(resources):
    assert search_places(resources, None, "yuantouz")["name"].iloc[0] == "鼋头渚AED"


def test_district_by_chinese_and_english(resources, districts):
    for query in ("滨湖区", "滨湖", "binhu", "BINHU", "Liangxi"):
        top = search_places(resources, districts, query).iloc[0]
        assert top["kind"] == "district", query
        polygon = districts.loc[districts["district"] == top["district"], "geometry"].iloc[0]
        assert polygon.contains(Point(top["lon"], top["lat"]))


def test_rank_exact_prefix_substring_pinyin():
    names = [("南湖", "South Lake"), ("Henan Hall", ""), ("Nanjing Road", ""), ("Nan", "")]
    frame = gpd.GeoDataFrame(
        {"name": [n for n, _ in names], "name_en": [e for _, e in names],
         "address": [""] * 4, "district": [""] * 4, "kind": ["aed"] * 4},
        geometry=[Point(120.3, 31.5)] * 4, crs="EPSG:4326")
    out = search_places(frame, None, "nan")
    assert out["name"].tolist() == ["Nan", "Nanjing Road", "Henan Hall", "南湖"]
    assert out["score"].is_monotonic_decreasing
    assert out["score"].iloc[0] > out["score"].iloc[1] > out["score"].iloc[2] > out["score"].iloc[3]


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\uff0c\u3002"])
def test_blank_query_gives_empty_frame(resources, districts, query):
    out = search_places(resources, districts, query)
    assert out.empty and list(out.columns) == list(RESULT_COLUMNS)


def test_no_match_gives_empty_frame(resources, districts):
    out = search_places(resources, districts, "上海虹桥")
    assert out.empty and list(out.columns) == list(RESULT_COLUMNS)


def test_limit(resources, districts):
    assert len(search_places(resources, districts, "站", limit=2)) == 2
    with pytest.raises(ValidationError):
        search_places(resources, districts, "站", limit=0)


def test_index_is_cached_per_frame_and_rebuilt_on_change(resources, districts):
    first = place_index(resources, districts)
    assert place_index(resources, districts) is first
    resources.loc[0, "name"] = "无锡火车站"
    rebuilt = place_index(resources, districts)
    assert rebuilt is not first
    assert search_places(resources, districts, "无锡火车站")["score"].iloc[0] == SCORE_EXACT


def test_place_index_class_and_missing_inputs(resources, districts):
    index = PlaceIndex(resources, districts)
    assert len(index) == len(resources) + len(districts)
    assert index.search("无锡站").iloc[0]["name"] == "无锡站"
    assert len(PlaceIndex(None, None)) == 0
    assert search_places(None, districts, "binhu").iloc[0]["kind"] == "district"
    assert not search_places(resources, None, "binhu").empty  # pinyin of the address 滨湖区


def test_projected_resources_are_returned_in_wgs84(resources):
    out = search_places(resources.to_crs("EPSG:4549"), None, "无锡站")
    assert out.iloc[0]["lon"] == pytest.approx(120.3050)
    assert out.iloc[0]["lat"] == pytest.approx(31.5880)
