"""Tests for geo.places: Chinese, English, pinyin, alias, sound and misspelt place search."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.errors import DataError, ValidationError
from geo.places import (
    ALIAS_COLUMNS,
    RESULT_COLUMNS,
    SCORE_ADDRESS,
    SCORE_ALIAS,
    SCORE_EXACT,
    SCORE_FUZZY,
    SCORE_PINYIN_ADDRESS,
    SCORE_PINYIN_ALIAS,
    SCORE_PINYIN_EXACT,
    SCORE_SOUND,
    SCORE_SOUND_NEAR,
    PlaceIndex,
    clear_place_cache,
    place_index,
    read_aliases,
    search_places,
    suggest_places,
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


# ---- aliases, sounds, misspellings, suggestions ------------------------------------------

def _points(rows: list[tuple]) -> gpd.GeoDataFrame:
    columns = ["name", "name_en", "address", "district", "kind", "city", "lon", "lat"]
    frame = pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows])
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


@pytest.fixture
def scenic() -> gpd.GeoDataFrame:
    """Resources at scenic areas and stations, named as the demo names them."""
    return _points([
        ("金山", "Jinshan", "润州区金山路", "润州区", "aed", "zhenjiang", 119.420, 32.219),
        ("金山路社区", "Jinshan Road Community", "润州区金山路8号", "润州区", "community_hub",
         "zhenjiang", 119.425, 32.215),
        ("君山社区", "Junshan Community", "江阴市君山路", "江阴市", "community_hub", "wuxi",
         120.280, 31.910),
        ("灵山胜境AED", "Lingshan Buddhist Scenic Area AED", "滨湖区马山", "滨湖区", "aed",
         "wuxi", 120.098, 31.427),
        ("灵山胜境 2号AED", "Lingshan Buddhist Scenic Area AED 2", "滨湖区马山", "滨湖区", "aed",
         "wuxi", 120.099, 31.428),
        ("灵山胜境景区红十字救护站", "Lingshan Red Cross First-aid Station", "滨湖区马山",
         "滨湖区", "first_aid_station", "wuxi", 120.097, 31.426),
        ("鼋头渚景区AED", "Yuantouzhu Scenic Area AED", "滨湖区鼋头渚", "滨湖区", "aed", "wuxi",
         120.2275, 31.5205),
        ("无锡站", "Wuxi Railway Station", "梁溪区车站路1号", "梁溪区", "aed", "wuxi",
         120.3050, 31.5880),
        ("无锡东站", "Wuxi East Railway Station", "锡山区东站路", "锡山区", "aed", "wuxi",
         120.4300, 31.5900),
    ])


@pytest.fixture
def aliases() -> pd.DataFrame:
    return pd.DataFrame([
        ("金山寺", "金山", "zhenjiang", "the temple on 金山"),
        ("灵山大佛", "灵山胜境", "wuxi", "the Buddha stands in 灵山胜境"),
        ("无锡火车站", "无锡站", "wuxi", "common name"),
        ("无锡火车站", "无锡站", "zhenjiang", "wrong city: names nothing"),
        ("崇安区", "梁溪区", "wuxi", "merged into 梁溪区 in 2015"),
        ("上海站", "上海虹桥站", "", "no such place: ignored"),
    ], columns=list(ALIAS_COLUMNS))


def test_matched_column_is_appended(resources, districts):
    assert RESULT_COLUMNS[:7] == ("name", "name_en", "kind", "district", "lon", "lat", "score")
    assert RESULT_COLUMNS[-1] == "matched"
    out = search_places(resources, districts, "无锡站")
    assert list(out.columns) == list(RESULT_COLUMNS)
    assert out["matched"].iloc[0] == ""  # its own name, not an alias


def test_alias_names_the_canonical_place_just_below_exact(scenic, aliases):
    out = search_places(scenic, None, "金山寺", aliases=aliases)
    top = out.iloc[0]
    assert top["name"] == "金山"
    assert top["matched"] == "alias:金山寺"
    assert SCORE_ALIAS < top["score"] < SCORE_EXACT
    assert out["name"].tolist() == ["金山"]  # 金山路社区 is another place


def test_alias_names_the_numbered_resources_of_a_place_not_others(scenic, aliases):
    out = search_places(scenic, None, "灵山大佛", aliases=aliases)
    assert out["name"].tolist() == ["灵山胜境AED", "灵山胜境 2号AED"]
    assert set(out["matched"]) == {"alias:灵山大佛"}
    assert (out["score"] >= SCORE_ALIAS).all()


def test_alias_respects_its_city_and_district_aliases_name_the_district(
        scenic, districts, aliases):
    out = search_places(scenic, districts, "无锡火车站", aliases=aliases)
    assert out["name"].iloc[0] == "无锡站" and out["matched"].iloc[0] == "alias:无锡火车站"
    elsewhere = aliases[aliases["note"].str.startswith("wrong city")]  # 无锡火车站 in zhenjiang
    assert search_places(scenic, None, "无锡火车站", aliases=elsewhere).empty
    assert search_places(scenic.drop(columns="city"), None, "无锡火车站",
                         aliases=elsewhere)["name"].tolist() == ["无锡站"]  # city unknown
    top = search_places(scenic, districts, "崇安区", aliases=aliases).iloc[0]
    assert (top["name"], top["kind"]) == ("梁溪区", "district")


def test_alias_spelt_in_pinyin(scenic, aliases):
    top = search_places(scenic, None, "lingshan dafo", aliases=aliases).iloc[0]
    assert top["name"] == "灵山胜境AED" and top["matched"] == "alias:灵山大佛"
    assert SCORE_PINYIN_ALIAS <= top["score"] < SCORE_PINYIN_EXACT


def test_without_aliases_an_alias_finds_nothing(scenic, aliases):
    assert search_places(scenic, None, "金山寺", aliases=None).empty
    assert PlaceIndex(scenic).search("灵山大佛").empty


@pytest.mark.parametrize(("query", "expected", "matched"), [
    ("鼋头诸", "鼋头渚景区AED", "sound:鼋头渚"),     # 诸/渚 both zhu
    ("园头渚", "鼋头渚景区AED", "sound:鼋头渚"),     # 园/鼋 both yuan
    ("灵山圣境", "灵山胜境AED", "sound:灵山胜境"),  # 圣/胜 both sheng
])
def test_chinese_near_homophones(scenic, query, expected, matched):
    out = search_places(scenic, None, query, aliases=None)
    top = out.iloc[0]
    assert (top["name"], top["matched"]) == (expected, matched)
    assert SCORE_SOUND <= top["score"] < SCORE_ADDRESS


def test_one_blurred_syllable_scores_below_the_same_sound(scenic):
    same = search_places(scenic, None, "鼋头诸", aliases=None).iloc[0]
    near = search_places(scenic, None, "鼋头组", aliases=None).iloc[0]  # 组 zu for 渚 zhu
    assert near["name"] == "鼋头渚景区AED"
    assert SCORE_SOUND_NEAR <= near["score"] < SCORE_SOUND <= same["score"]
    # 君 jun is no blur of 金 jin: no match by sound
    assert search_places(scenic.iloc[[2]], None, "金山", aliases=None).empty


@pytest.mark.parametrize(("query", "expected"), [
    ("yuantouzu", "鼋头渚景区AED"),     # yuantouzhu
    ("Lingshn", "灵山胜境AED"),         # lingshan...
    ("Wuxi Raliway", "无锡站"),          # Wuxi Railway (a transposition)
    ("Wuxi Railwya Station", "无锡站"),
])
def test_misspelt_pinyin_and_english(scenic, query, expected):
    out = search_places(scenic, None, query, aliases=None)
    top = out.iloc[0]
    assert top["name"] == expected
    assert top["matched"].startswith("spelling:")
    assert SCORE_FUZZY <= top["score"] < SCORE_PINYIN_ADDRESS
    assert (out["score"] < SCORE_PINYIN_ADDRESS).all()


def test_misspelling_of_an_alias(scenic, aliases):
    top = search_places(scenic, None, "lingshan dafu0", aliases=aliases).iloc[0]
    assert top["name"] == "灵山胜境AED" and top["matched"] == "alias:灵山大佛"


def test_fuzzy_and_sound_never_beat_a_real_match(scenic, aliases):
    out = search_places(scenic, None, "金山", aliases=aliases)
    assert out.iloc[0]["name"] == "金山" and out.iloc[0]["score"] == SCORE_EXACT
    assert not out["matched"].str.startswith(("spelling:", "sound:")).any()
    out = search_places(scenic.assign(name_en=""), None, "jinshan", aliases=aliases)
    assert out.iloc[0]["name"] == "金山" and out.iloc[0]["score"] == SCORE_PINYIN_EXACT
    assert "君山社区" not in out["name"].tolist()  # junshan is one edit away: not tried
    assert search_places(scenic, None, "yuantouzhu", aliases=None).iloc[0]["matched"] == ""


def test_gibberish_finds_nothing_but_gets_suggestions(scenic, districts):
    assert search_places(scenic, districts, "xyzq").empty
    hints = suggest_places(scenic, districts, "xyzq")
    assert 1 <= len(hints) <= 3
    assert list(hints.columns) == list(RESULT_COLUMNS)
    assert (hints["score"] < SCORE_PINYIN_ADDRESS).all()
    assert len(PlaceIndex(scenic).suggest("xyzq", limit=5)) == 5


def test_suggestions_name_the_nearest_places_once(scenic, aliases):
    index = PlaceIndex(scenic, aliases=aliases)
    hints = index.suggest("lingshen shengjin")
    assert hints["name"].iloc[0] == "灵山胜境AED"
    assert "灵山胜境 2号AED" not in hints["name"].tolist()  # the same place, numbered
    assert index.suggest("鼋头岛渚")["name"].iloc[0] == "鼋头渚景区AED"
    assert index.suggest("灵山大福")["matched"].iloc[0] == "alias:灵山大佛"


@pytest.mark.parametrize("query", ["", "   ", "\uff0c\u3002"])
def test_blank_query_gives_no_suggestions(scenic, query):
    out = suggest_places(scenic, None, query)
    assert out.empty and list(out.columns) == list(RESULT_COLUMNS)
    assert PlaceIndex(scenic).suggest(query).empty
    assert PlaceIndex(None, None).suggest("xyzq").empty
    with pytest.raises(ValidationError):
        PlaceIndex(scenic).suggest("xyzq", limit=0)


def test_public_places_are_searchable():
    places = pd.DataFrame({
        "name": ["灵山胜境", "无锡站"], "name_en": ["Lingshan Buddhist Scenic Area", ""],
        "address": ["", ""], "district": ["滨湖区", "梁溪区"], "city": ["wuxi", "wuxi"],
        "lon": [120.098, 120.305], "lat": [31.427, 31.588]})
    top = search_places(None, None, "灵山胜境", places=places).iloc[0]
    assert (top["name"], top["kind"], top["lon"], top["lat"]) == (
        "灵山胜境", "place", 120.098, 31.427)
    assert suggest_places(None, None, "lingshn", places=places)["name"].iloc[0] == "灵山胜境"


def test_cache_key_follows_the_alias_table(scenic, aliases):
    first = place_index(scenic, None, aliases=aliases)
    assert place_index(scenic, None, aliases=aliases.copy()) is first
    edited = aliases.copy()
    edited.loc[0, "alias"] = "金山古寺"
    second = place_index(scenic, None, aliases=edited)
    assert second is not first
    assert second.search("金山古寺").iloc[0]["name"] == "金山"
    assert second.search("金山寺").empty
    assert place_index(scenic, None, aliases=None) is not first
    assert place_index(scenic, None) is not place_index(scenic, None, aliases=None)
    with pytest.raises(ValidationError):
        place_index(scenic, None, aliases="mine")


def test_read_aliases_checks_and_rereads(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,name,city\n金山寺,金山,zhenjiang\n , ,\n", encoding="utf-8")
    table = read_aliases(path)
    assert list(table.columns) == list(ALIAS_COLUMNS)
    assert table[["alias", "name", "city", "note"]].values.tolist() == [
        ["金山寺", "金山", "zhenjiang", ""]]
    path.write_text("alias,name,city,note\n灵山大佛,灵山胜境,wuxi,x\n北固楼,北固山风景区,,y\n",
                    encoding="utf-8")
    assert read_aliases(path)["alias"].tolist() == ["灵山大佛", "北固楼"]  # the new content
    with pytest.raises(DataError) as missing:
        read_aliases(tmp_path / "none.csv")
    assert missing.value.code == "missing_file"
    path.write_text("alias,place\n金山寺,金山\n", encoding="utf-8")
    with pytest.raises(DataError) as bad:
        read_aliases(path)
    assert bad.value.code == "missing_columns"


def test_shipped_alias_table_is_well_formed():
    table = read_aliases()
    assert list(table.columns) == list(ALIAS_COLUMNS)
    assert len(table) >= 40
    assert not table.duplicated(["alias", "name", "city"]).any()
    assert set(table["city"]) <= {"wuxi", "zhenjiang"}
    assert (table["note"] != "").all()
    assert (table["alias"] != table["name"]).all()
    for query in ("金山寺", "灵山大佛", "无锡火车站", "镇江火车站", "西津渡", "南山", "北固山",
                  "三国城", "南长街"):
        assert query in set(table["alias"]), query


def test_every_shipped_alias_names_an_existing_place(demo):
    from geo.datasets import read_public_places

    table = read_aliases()
    places = read_public_places()
    known = set(zip(places["name"], places["city"], strict=True)) | set(
        zip(demo.boundaries["district"], demo.boundaries["city"], strict=True))
    assert [r for r in table.itertuples() if (r.name, r.city) not in known] == []
    # with the public places: the alias finds the very place, at the alias band's top
    with_places = PlaceIndex(None, demo.boundaries, places, aliases=table)
    # as the page searches (resources and districts): the alias finds the place's resources
    page = PlaceIndex(demo.resources, demo.boundaries, aliases=table)
    for row in table.itertuples():
        out = with_places.search(row.alias, limit=50)
        hit = out[(out["name"] == row.name) & (out["matched"] == f"alias:{row.alias}")]
        assert len(hit) >= 1 and hit["score"].max() == SCORE_ALIAS + 5, row
        out = page.search(row.alias, limit=50)
        named = out.loc[out["matched"] == f"alias:{row.alias}", "name"]
        assert named.str.startswith(row.name).any(), row
