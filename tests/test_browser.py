"""End-to-end: the real server in headless Chromium draws the map offline (nothing leaves loopback)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_map_draws_offline(server, browser, lang):
    page, seen = _open(browser, f"{server}/overview")
    if lang == "en":
        page.get_by_text("English", exact=True).click()
        page.wait_for_load_state("networkidle")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame_el = page.locator(MAP_FRAME).first
    frame_el.scroll_into_view_if_needed()
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    markers = frame.locator(".leaflet-marker-icon.awesome-marker")
    markers.first.wait_for(timeout=30_000)
    assert markers.count() > 10, "expected resource markers on the map"
    assert frame.locator(".marker-cluster").count() > 0, "AEDs should be clustered"
    assert frame.locator("path.leaflet-interactive").count() >= 13, "district outlines missing"
    assert frame.locator(".rcd-legend").count() == 1
    box = frame_el.bounding_box()
    assert box is not None and box["height"] > 300, "the map iframe has no height"
    label = "梁溪区" if lang == "zh" else "Liangxi"
    assert frame.get_by_text(label, exact=True).count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"overview-{lang}.png"), full_page=True)
    assert _external(seen) == [], f"requests left loopback: {_external(seen)[:5]}"
    page.close()
