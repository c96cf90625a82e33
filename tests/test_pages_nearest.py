"""AppTest of the nearest page: place search, filters, uploads, Amap round trip, stale answers."""

from __future__ import annotations

import datetime as dt
import io

import networkx as nx
import osmnx as ox
import pytest
import streamlit
import streamlit_folium
from pyproj import Geod
from streamlit.testing.v1 import AppTest

from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from tests.conftest import ROOT
from tests.test_pages import _results_frame, run_page

GEOD = Geod(ellps="WGS84")
WUXI = (120.3010, 31.5790)  # near 三阳广场, central Wuxi


class FakeUpload(io.BytesIO):
    """What st.file_uploader returns: bytes with a name."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def _uploads(monkeypatch, files: dict[str, FakeUpload | None]) -> None:
    """Make st.file_uploader return ``files[key]`` (AppTest cannot upload files itself)."""
    real = streamlit.file_uploader

    def fake(label, *args, key=None, **kwargs):
        if key in files:
            return files[key]
        return real(label, *args, key=key, **kwargs)

    monkeypatch.setattr(streamlit, "file_uploader", fake)


def _map_calls(monkeypatch, click: dict | None = None) -> list[dict]:
    """Patch st_folium: record its keyword arguments, answer ``click`` on the nearest map."""
    calls: list[dict] = []

    def fake(fig, key=None, **kwargs):
        calls.append({"key": key, **kwargs})
        return {"last_clicked": click} if (click and key == "nearest_map") else {}

    monkeypatch.setattr(streamlit_folium, "st_folium", fake)
    return calls


def _has_results(at) -> bool:
    """True when the page shows a nearest-resource answer table."""
    return any("距离（米）" in getattr(d.value, "columns", ()) for d in at.dataframe)


def _at_ten(at) -> None:
    at.toggle(key="nr_now").set_value(False)
    at.run()
    at.time_input(key="nr_time").set_value(dt.time(10, 0))
    at.run()


def test_place_search_answers_from_the_place(monkeypatch):
    _map_calls(monkeypatch)
    at = run_page("pages/nearest.py", "wuxi", "zh")
    at.text_input(key="nr_place_q").set_value("鼋头渚").run()
    assert not at.exception, at.exception
    labels = at.selectbox(key="nr_place_pick").options
    assert any("鼋头渚" in label for label in labels)
    at.button(key="nr_place_go").click().run()
    lon, lat, label = at.session_state["nr_origin"]
    assert "鼋头渚" in label
    assert 120.1 < lon < 120.3 and 31.4 < lat < 31.6
    assert len(_results_frame(at)) >= 3


def test_place_search_with_no_match_clears_the_previous_answer(monkeypatch):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert at.session_state["nr_origin"] is not None
    assert _has_results(at)
    at.text_input(key="nr_place_q").set_value("火星基地").run()
    assert not at.exception, at.exception
    assert at.session_state["nr_origin"] is None
    assert any("之前的查询结果已清除" in w.value for w in at.warning)
    assert not _has_results(at)


@pytest.mark.parametrize(("city", "query", "place", "how"), [
    ("zhenjiang", "金山寺", "金山", "别名“金山寺”"), ("wuxi", "鼋头诸", "鼋头渚", "同音"),
    ("wuxi", "yuantouzu", "鼋头渚", "拼写相近"), ("wuxi", "Lingshn", "灵山", "拼写相近")])
def test_place_search_forgives_aliases_homophones_and_typos(monkeypatch, city, query, place,
                                                            how):
    _map_calls(monkeypatch)
    at = run_page("pages/nearest.py", city, "zh")
    at.text_input(key="nr_place_q").set_value(query).run()
    assert not at.exception, at.exception
    first = at.selectbox(key="nr_place_pick").options[0]
    assert place in first and how in first, first
    at.button(key="nr_place_go").click().run()
    assert place in at.session_state["nr_origin"][2]
    assert _has_results(at)


def test_place_search_with_no_match_names_suggestions(monkeypatch):
    _map_calls(monkeypatch)
    at = run_page("pages/nearest.py", "wuxi", "en")
    at.text_input(key="nr_place_q").set_value("xyzq").run()
    assert not at.exception, at.exception
    assert any("Did you mean" in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.parametrize(("text", "field"), [
    ("200, 31.5", "经度"), ("120.3, 95", "纬度"), ("0, 0", "经度"), ("120.30 abc", "120.30 abc"),
    ("120.30", "120.30"), ("120°78′, 31°34′", "60")])
def test_refused_coordinates_clear_the_previous_answer(monkeypatch, text, field):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert at.session_state["nr_origin"] is not None
    at.text_input(key="nr_xy").set_value(text)
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["nr_origin"] is None
    assert any("坐标无效" in w.value for w in at.warning)
    assert any(field in e.value for e in at.error), [e.value for e in at.error]
    assert not _has_results(at)


@pytest.mark.parametrize(("text", "order_note"), [
    ("120.3010, 31.5790", False), ("31.5790 120.3010", True), ("31.5790，120.3010", True),
    ("东经120°18′3.6″ 北纬31°34′44.4″", False), ("N31.579 E120.301", False),
    ("１２０．３０１０, ３１．５７９０", False)])
def test_typed_coordinates_in_any_common_shape(monkeypatch, text, order_note):
    _map_calls(monkeypatch)
    at = run_page("pages/nearest.py", "wuxi", "zh")
    at.text_input(key="nr_xy").set_value(text)
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert not at.exception, at.exception
    lon, lat, _ = at.session_state["nr_origin"]
    assert (lon, lat) == (pytest.approx(120.301, abs=1e-4), pytest.approx(31.579, abs=1e-4))
    assert any("纬度在前" in i.value for i in at.info) == order_note
    assert _has_results(at)


def test_typed_order_can_be_forced(monkeypatch):
    _map_calls(monkeypatch)
    at = run_page("pages/nearest.py", "wuxi", "zh")
    at.text_input(key="nr_xy").set_value("31.5790, 120.3010")
    at.radio(key="nr_order").set_value("lonlat")  # says the first number is the longitude
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["nr_origin"] is None  # 31.58 is no longitude in China: refused
    assert any("坐标无效" in w.value for w in at.warning)


def test_filters_restrict_the_answer(monkeypatch):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    at = run_page("pages/nearest.py", "wuxi", "en")
    _at_ten(at)
    at.multiselect(key="nr_kinds").set_value(["rescue_team"])
    at.multiselect(key="nr_specialties").set_value(["water_rescue"])
    at.run()
    assert not at.exception, at.exception
    table = _results_frame(at)
    assert set(table["Kind"]) == {"Rescue teams"}
    from geo.datasets import load_demo

    res = load_demo("wuxi").resources.set_index("name")
    assert set(res.loc[table["Name"], "specialty"]) == {"water_rescue"}
    at.multiselect(key="nr_kinds").set_value(["aed"])
    at.toggle(key="nr_24h").set_value(True)
    at.run()
    table = _results_frame(at)
    assert set(table["Kind"]) == {"AEDs"}
    assert set(res.loc[table["Name"], "hours"]) <= {"24h", ""}


def _grid_graphml(tmp_path) -> bytes:
    """A street grid of 11 x 11 nodes ~200 m apart around WUXI, saved as GraphML."""
    graph = nx.MultiDiGraph(crs="epsg:4326")
    lon0, lat0 = WUXI[0] - 0.0105, WUXI[1] - 0.009
    for i in range(11):
        for j in range(11):
            graph.add_node(i * 11 + j, x=lon0 + 0.0021 * i, y=lat0 + 0.0018 * j)
    for i in range(11):
        for j in range(11):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < 11 and j + dj < 11:
                    u, v = i * 11 + j, (i + di) * 11 + j + dj
                    _, _, d = GEOD.inv(graph.nodes[u]["x"], graph.nodes[u]["y"],
                                       graph.nodes[v]["x"], graph.nodes[v]["y"])
                    graph.add_edge(u, v, length=float(d))
                    graph.add_edge(v, u, length=float(d))
    path = tmp_path / "grid.graphml"
    ox.save_graphml(graph, path)
    return path.read_bytes()


def test_road_network_upload_answers_by_network(monkeypatch, tmp_path):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    _uploads(monkeypatch, {"nr_network": FakeUpload(_grid_graphml(tmp_path), "grid.graphml")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    _at_ten(at)
    assert not at.exception, at.exception
    assert any("道路网络最短路径" in c.value for c in at.caption)
    table = _results_frame(at)
    assert "AED 除颤仪" in set(table["类型"])


def test_unreadable_road_network_is_a_message_not_a_traceback(monkeypatch):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    _uploads(monkeypatch, {"nr_network": FakeUpload(b"<osm><garbage", "roads.osm")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert not at.exception, at.exception
    assert any("输入有误" in e.value for e in at.error), [e.value for e in at.error]


def test_batch_upload_answers_and_draws_from_the_right_incident(monkeypatch):
    calls = _map_calls(monkeypatch)
    csv = ("编号,经度,纬度,坐标系\nFAR,120.9000,31.5790,WGS84\nNEAR,120.3010,31.5790,WGS84\n"
           "BAD,abc,31.5,WGS84\n").encode("gbk")
    _uploads(monkeypatch, {"nr_batch_file": FakeUpload(csv, "incidents.csv")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    at.number_input(key="nr_max_km").set_value(3.0)
    at.run()
    assert not at.exception, at.exception
    assert any("共 3 行，可用 2 行" in i.value for i in at.info)
    table = _results_frame(at)
    assert set(table["事件"]) == {"NEAR"}
    layer = calls[-1]["feature_group_to_add"]
    lines = [c for c in layer._children.values() if type(c).__name__ == "PolyLine"]
    assert lines and all(line.locations[0] == pytest.approx([31.5790, 120.3010])
                         for line in lines)


def _pick(at, label: str, value: str) -> None:
    next(s for s in at.selectbox if s.label == label).set_value(value)
    at.run()
    assert not at.exception, at.exception


def test_batch_column_guess_can_be_corrected_on_the_page(monkeypatch):
    _map_calls(monkeypatch)
    csv = "字段1,字段2,字段3,字段4\nA,120.3010,31.5790,落水\nB,120.3100,31.5700,晕倒\n".encode()
    _uploads(monkeypatch, {"nr_batch_file": FakeUpload(csv, "generic.csv")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert not at.exception, at.exception
    assert any("文件中没有可用的行" in e.value for e in at.error)
    _pick(at, "经度列", "字段2")
    _pick(at, "纬度列", "字段3")
    _pick(at, "编号列", "字段1")
    assert any("共 2 行，可用 2 行" in i.value for i in at.info), [i.value for i in at.info]
    assert set(_results_frame(at)["事件"]) == {"A", "B"}


def test_batch_sheet_and_header_row_can_be_changed_on_the_page(monkeypatch):
    from tests.conftest import xlsx_bytes

    _map_calls(monkeypatch)
    book = xlsx_bytes(("本月", [["编号", "经度", "纬度"], ["N1", 120.301, 31.579]]),
                      ("上月", [["上月清单"], ["编号", "经度", "纬度"], ["L1", 120.31, 31.57],
                               ["L2", 120.32, 31.58]]))
    _uploads(monkeypatch, {"nr_batch_file": FakeUpload(book, "两个月.xlsx")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert any("共 1 行，可用 1 行" in i.value for i in at.info)
    _pick(at, "工作表", "上月")
    assert any("共 2 行，可用 2 行" in i.value for i in at.info), [i.value for i in at.info]
    assert set(_results_frame(at)["事件"]) == {"L1", "L2"}
    next(n for n in at.number_input if n.label == "表头所在行").set_value(3).run()
    assert not at.exception, at.exception
    # Row 3 as the header names no coordinates: refused, with the advice to pick the columns.
    assert any("文件中没有可用的行" in e.value for e in at.error)


def test_refused_upload_clears_the_answer(monkeypatch):
    _map_calls(monkeypatch, {"lat": WUXI[1], "lng": WUXI[0]})
    _uploads(monkeypatch, {"nr_batch_file": FakeUpload(b"\x00\x01\x02junk", "incidents.csv")})
    at = run_page("pages/nearest.py", "wuxi", "zh")
    assert not at.exception, at.exception
    assert any("文件中没有可用的行" in e.value for e in at.error)
    assert not _has_results(at)


def test_amap_click_round_trip(monkeypatch):
    """A click on GCJ-02 tiles comes back as WGS84; the answer is drawn shifted to GCJ-02."""
    glon, glat = (float(v[0]) for v in wgs84_to_gcj02([WUXI[0]], [WUXI[1]]))
    calls = _map_calls(monkeypatch, {"lat": glat, "lng": glon})
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["city"] = "wuxi"
    at.session_state["basemap"] = "amap"
    at.run()
    at.switch_page("pages/nearest.py")
    at.run()
    assert not at.exception, at.exception
    lon, lat, _ = at.session_state["nr_origin"]
    assert (lon, lat) == pytest.approx(WUXI, abs=1e-6)
    layer = calls[-1]["feature_group_to_add"]
    marker = next(c for c in layer._children.values() if type(c).__name__ == "CircleMarker")
    assert marker.location == pytest.approx([glat, glon], abs=1e-6)  # shown on GCJ-02 tiles
    wlon, wlat = gcj02_to_wgs84([marker.location[1]], [marker.location[0]])
    assert (float(wlon[0]), float(wlat[0])) == pytest.approx(WUXI, abs=1e-6)
