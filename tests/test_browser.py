"""End-to-end: the real server in headless Chromium draws the map; nothing leaves loopback."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS, LIVE_MAP, eventually, running_server, settle

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _open(browser, url: str):
    page = browser.new_page()
    requests_seen: list[str] = []
    page.on("request", lambda req: requests_seen.append(req.url))
    page.goto(url, wait_until="networkidle", timeout=60_000)
    return page, requests_seen


def _external(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in LOOPBACK]


def _open_map(browser, url: str, lang: str):
    """Open ``url`` in ``lang``; wait for the run to settle and the live map to draw."""
    page, seen = _open(browser, url)
    if lang == "en":
        page.get_by_text("English", exact=True).click()
        page.get_by_text("Red Cross Emergency Resource Map").first.wait_for(timeout=60_000)
    page.wait_for_selector(LIVE_MAP, timeout=90_000)
    settle(page)
    frame_el = page.locator(LIVE_MAP)
    assert frame_el.count() == 1, "more than one live map"
    frame_el.scroll_into_view_if_needed()
    frame = page.frame_locator(LIVE_MAP)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    return page, seen, frame_el, frame


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_map_draws_offline(server, browser, lang):
    page, seen, frame_el, frame = _open_map(browser, f"{server}/", lang)
    markers = frame.locator(".leaflet-marker-pane .awesome-marker")
    eventually(lambda: markers.count() > 10, "expected resource markers on the map")
    eventually(lambda: frame.locator(".marker-cluster").count() > 0, "AEDs should be clustered")
    eventually(lambda: frame.locator("path.leaflet-interactive").count() >= 13,
                "district outlines missing")
    assert frame.locator(".rcd-legend").count() == 1
    box = frame_el.bounding_box()
    assert box is not None and box["height"] > 300, "the map iframe has no height"
    city = "无锡 + 镇江" if lang == "zh" else "Wuxi + Zhenjiang"
    shown = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").evaluate_all(
        "els => els.map(e => e.innerText + ' ' + [...e.querySelectorAll('input')]"
        ".map(i => i.value + ' ' + (i.getAttribute('aria-label') || '')).join(' '))")
    if not any(city in text for text in shown):
        page.screenshot(path='/tmp/fail.png', full_page=True)
        print('SIDEBAR', page.locator("[data-testid='stSidebar']").inner_text())
    assert any(city in text for text in shown), shown
    label = "梁溪区" if lang == "zh" else "Liangxi"
    # after a language switch the map is rebuilt: wait for the new labels, not the old frame
    frame.get_by_text(label, exact=True).first.wait_for(state="attached", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"overview-{lang}.png"), full_page=True)
    assert _external(seen) == [], f"requests left loopback: {_external(seen)[:5]}"
    page.close()


def test_click_on_map_shows_nearest_table_and_lines(server, browser):
    page, seen = _open(browser, f"{server}/nearest")
    frame = page.frame_locator(LIVE_MAP)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator(".leaflet-marker-pane .awesome-marker").first.wait_for(
        state="attached", timeout=30_000)
    settle(page)
    # Ask about 03:00 rather than "now", so the answer does not depend on the hour CI runs.
    page.get_by_text("仅显示当前可用").click()
    page.get_by_text("时间", exact=True).wait_for(timeout=30_000)
    settle(page)
    container = frame.locator(".leaflet-container")
    box = container.bounding_box()
    assert box is not None and box["height"] > 300
    # Click near the middle of the map (away from the markers).
    container.click(position={"x": box["width"] * 0.62, "y": box["height"] * 0.70})
    # st.dataframe draws on a canvas; its accessible (hidden) grid carries the text.
    page.get_by_text("距离（米）").first.wait_for(state="attached", timeout=60_000)
    lines = frame.locator("path.rcd-nearest-line")
    lines.first.wait_for(state="attached", timeout=30_000)
    # AED, relief store and rescue team; every scenic first-aid station is closed at 03:00,
    # and the page says so instead of drawing nothing silently.
    assert lines.count() == 3
    page.get_by_text("没有可用的景区救护站", exact=False).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "nearest-click.png"), full_page=True)
    assert _external(seen) == []
    page.close()


def test_batch_upload_answers_good_rows_and_names_bad_ones(server, browser, tmp_path):
    csv = tmp_path / "incidents.csv"
    csv.write_bytes("编号,经度,纬度,坐标系\nA1,120.3010,31.5790,WGS84\nA2,abc,31.5,WGS84\n"
                    "A3,31.49,120.28,WGS84\nA4,119.4550,32.2040,高德\n".encode("gbk"))
    page, seen = _open(browser, f"{server}/nearest")
    page.get_by_role("tab", name="批量事件").click()
    page.locator("input[type='file']").first.set_input_files(str(csv))
    page.get_by_text("共 4 行，可用 2 行").wait_for(timeout=60_000)
    page.get_by_text("下载结果 CSV").wait_for(timeout=30_000)
    cells = page.locator("[role='gridcell'], td")
    cells.filter(has_text="abc").first.wait_for(state="attached", timeout=30_000)
    assert cells.filter(has_text="交换经度和纬度").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "nearest-batch.png"), full_page=True)
    assert _external(seen) == []
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coverage_page_draws_the_gap_map(server, browser, lang):
    page, seen, frame_el, frame = _open_map(browser, f"{server}/coverage", lang)
    # district outlines (13) plus the gap areas, all as SVG paths
    paths = frame.locator("path.leaflet-interactive")
    eventually(lambda: paths.count() > 13 + 10, "the gap areas are not drawn")
    box = frame_el.bounding_box()
    assert box is not None and box["height"] > 300
    title = "覆盖缺口" if lang == "zh" else "Gap areas"
    page.get_by_text(title, exact=False).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"coverage-{lang}.png"), full_page=True)
    assert _external(seen) == []
    page.close()


def test_siting_page_proposes_sites_on_the_map(server, browser):
    page, seen = _open(browser, f"{server}/siting")
    page.get_by_text("贪心（即时）").click()
    settle(page)
    page.get_by_role("button", name="开始选址").click()
    page.get_by_text("选址后覆盖率").wait_for(timeout=120_000)
    page.wait_for_selector(LIVE_MAP, timeout=60_000)
    frame = page.frame_locator(LIVE_MAP).first
    frame.locator(".rcd-site").first.wait_for(state="attached", timeout=60_000)
    assert frame.locator(".rcd-site").count() == 20
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "siting-zh.png"), full_page=True)
    assert _external(seen) == []
    page.close()


def _xls_with_cover_and_title(path) -> None:
    """An old-format .xls as a county system exports it: cover sheet, title line, own columns."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    cover = book.add_sheet("说明")
    cover.write(0, 0, "本表由区应急指挥平台导出，请勿修改表头。")
    cover.write(1, 0, "坐标为高德（GCJ-02）坐标。")
    data = book.add_sheet("数据")
    data.write(0, 0, "2024年7月 突发事件清单")
    for col, name in enumerate(["事件编号", "事发地经度", "事发地纬度", "坐标系", "备注"]):
        data.write(1, col, name)
    rows = [("X-01", 120.3065, 31.5640, "高德", "南长街 老人晕倒"),
            ("X-02", "120°13'39\"E", "31°31'14\"N", "WGS84", "鼋头渚 游客落水"),
            ("X-03", "abc", 31.5, "WGS84", "坐标缺失")]
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            data.write(r, col, value)
    book.save(str(path))


def test_xls_with_cover_sheet_and_title_line_answers_and_downloads_in_chinese(server, browser,
                                                                              tmp_path):
    xls = tmp_path / "区平台导出.xls"
    _xls_with_cover_and_title(xls)
    page, seen = _open(browser, f"{server}/nearest")
    page.get_by_role("tab", name="批量事件").click()
    page.locator("input[type='file']").first.set_input_files(str(xls))
    page.get_by_text("共 3 行，可用 2 行").wait_for(timeout=60_000)
    page.get_by_text("读取了工作表“数据”，表头在第 2 行。").first.wait_for(
        state="attached", timeout=30_000)
    cells = page.locator("[role='gridcell'], td")
    cells.filter(has_text="'abc' 不是数字").first.wait_for(state="attached", timeout=30_000)
    frame = page.frame_locator(LIVE_MAP)
    frame.locator("path.rcd-nearest-line").first.wait_for(state="attached", timeout=60_000)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text("下载结果 CSV").click()
    body = info.value.path().read_bytes().decode("utf-8-sig")
    header = body.splitlines()[0]
    assert "事件" in header and "类型" in header and "备注" in header, header
    assert "AED 除颤仪" in body and "步行" in body and "南长街 老人晕倒" in body
    assert ",aed," not in body and ",walk," not in body
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "nearest-xls.png"), full_page=True)
    assert _external(seen) == []
    page.close()


@pytest.mark.parametrize(("path", "lang"), [("overview", "zh"), ("overview", "en"),
                                            ("nearest", "zh"), ("nearest", "en")])
def test_page_urls_open_directly_without_a_popup(server, browser, path, lang):
    page, seen, _, frame = _open_map(browser, f"{server}/{path}", lang)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text("Page not found", exact=False).count() == 0
    assert page.locator("[role='dialog']").count() == 0
    title = {"overview": ("总览", "Overview"), "nearest": ("最近资源", "nearest")}[path]
    assert page.get_by_text(title[0] if lang == "zh" else title[1], exact=False).count() > 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert _external(seen) == []
    page.close()


def test_language_click_during_the_first_run_of_a_cold_server_sticks(browser):
    """A click on English while the first (cold) run is still going switches every label.

    Streamlit gives the entry script's widgets other element ids once the page is known; the
    radio used to resolve to its default then, leaving the title in English and the rest in
    Chinese with 中文 selected.
    """
    with running_server("streamlit-cold-server.log") as base:
        page = browser.new_page()
        page.goto(f"{base}/", wait_until="domcontentloaded", timeout=60_000)
        page.get_by_text("English", exact=True).click(timeout=60_000)
        page.get_by_text("Red Cross Emergency Resource Map").first.wait_for(timeout=60_000)
        settle(page)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "City" in sidebar and "Basemap" in sidebar, sidebar
        assert "城市" not in sidebar, sidebar
        assert page.locator("[data-testid='stSidebar'] label:has(input[type='radio']:checked)"
                            ).inner_text().strip() == "English"
        page.close()
