"""End-to-end: hostile names in the data and in an upload show as text and never run.

A second server reads a copy of ``data/`` in which some resources carry script payloads as
their name, English name and address. Headless Chromium opens their tooltips and popups on the
overview map, and the tooltips of uploaded incidents whose ids are payloads on the nearest page.
Any ``alert`` would be a dialog: none may appear, and every payload must read as plain text.
"""

from __future__ import annotations

import csv
import io
import shutil
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import ARTIFACTS, JINJA_PAYLOADS, PAYLOADS, ROOT, running_server
from ui.i18n import t

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# The first Wuxi AEDs in 梁溪区 (clustered markers) and two unclustered resources.
HOSTILE = {f"WX-AED-000{i + 1}": p for i, p in enumerate(PAYLOADS)}
HOSTILE |= {"WX-RT-06": PAYLOADS[3], "WX-FAS-04": PAYLOADS[0]}


def _hostile_data(folder) -> None:
    """Copy data/ to ``folder`` and give the HOSTILE rows payload names and addresses."""
    shutil.copytree(ROOT / "data", folder)
    path = folder / "resources.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    found = set()
    for row in rows:
        if row["id"] in HOSTILE:
            text = HOSTILE[row["id"]]
            row.update(name=text, name_en=text, address=text)
            # usable at any hour (and AED pads and battery in date), so the nearest answers
            # below always name them
            row.update(status="active", hours="24h")
            if row["kind"] == "aed":
                row.update(pads_expiry="2030-01-01", battery_expiry="2030-01-01")
            found.add(row["id"])
    assert found == set(HOSTILE), f"rows missing from data/resources.csv: {set(HOSTILE) - found}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` on loopback reading the hostile copy of data/ (RCD_DATA_DIR)."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    _hostile_data(data)
    with running_server("streamlit-hostile-server.log", RCD_DATA_DIR=str(data)) as base:
        yield base


def _open(browser, url: str):
    """A page at ``url`` that records (and dismisses) every JavaScript dialog."""
    page = browser.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="networkidle", timeout=60_000)
    return page, dialogs


def _map_frame(page, lang: str = "zh"):
    """The map iframe's Frame once Leaflet has drawn its markers and the legend in ``lang``.

    Switching the language rebuilds the iframe (for a moment there are two): wait until one
    is left, with the legend's title in ``lang``, so a soon-detached frame is never used.
    """
    page.wait_for_selector(MAP_FRAME, state="attached", timeout=60_000)
    ready = ("(title) => !!(window.map && window.L) && document.querySelectorAll("
             "'.leaflet-marker-pane .awesome-marker').length > 0 && "
             "(document.querySelector('.rcd-legend b') || {}).textContent === title")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _no_exception(page)
        frames = page.locator(MAP_FRAME)
        if frames.count() == 1:
            handle = frames.first.element_handle(timeout=5_000)
            frame = handle.content_frame() if handle else None
            try:
                if frame is not None and frame.evaluate(ready, t("legend", lang)):
                    return frame
            except PlaywrightError:
                pass  # the frame is being replaced
        page.wait_for_timeout(300)
    pytest.fail(f"the map never drew in {lang}")


def _shot(page, name: str) -> None:
    """A screenshot of the map iframe (Streamlit scrolls inside its own container)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # let Leaflet's fade-in finish
    page.locator(MAP_FRAME).first.screenshot(path=str(ARTIFACTS / name))


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']").first.inner_text()


# The marker (also inside a MarkerCluster) of each id, in the order of ``ids``, by its popup.
_FIND = """
(ids) => {
  const seen = new Set();
  const walk = (layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.getLayers) layer.getLayers().forEach(walk);
  };
  window.map.eachLayer(walk);
  const markers = [...seen].filter((l) => l instanceof L.Marker && l.getPopup && l.getPopup());
  return ids.map((id) => markers.find(
    (m) => (m.getPopup().getContent().textContent || "").includes(id)));
}
"""

# Show marker i (zooming into its cluster if need be), open its tooltip and popup, read them.
_OPEN_MARKER = """
async ([ids, i]) => {
  const m = (__FIND__)(ids)[i];
  const group = m.__parent && m.__parent._group;
  if (group && !m._icon) {
    await Promise.race([new Promise((ok) => group.zoomToShowLayer(m, ok)),
                        new Promise((ok) => setTimeout(ok, 10000))]);
  }
  m.openTooltip();
  m.openPopup();
  const tip = m.getTooltip()._container, pop = m.getPopup()._container;
  return {
    shown: !!m._icon, tip: tip ? tip.innerText : null, popup: pop ? pop.innerText : null,
    markup: [tip, pop].filter(Boolean).map((el) => el.querySelectorAll("img,script").length)
                      .reduce((a, b) => a + b, 0),
  };
}
""".replace("__FIND__", _FIND)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_resource_names_show_as_text_on_the_overview_map(hostile_server, browser, lang):
    page, dialogs = _open(browser, f"{hostile_server}/")
    if lang == "en":
        page.get_by_text("English", exact=True).click()
        page.get_by_text("Red Cross Emergency Resource Map").first.wait_for(timeout=60_000)
    frame = _map_frame(page, lang)
    _no_exception(page)
    page.wait_for_timeout(500)  # an onerror handler fires after the image fails to load
    assert dialogs == [], f"script from the data ran as the map loaded: {dialogs}"
    ids = sorted(HOSTILE)
    missing = frame.evaluate(f"(ids) => ({_FIND})(ids).map((m) => !m)", ids)
    assert not any(missing), f"no marker for {[i for i, m in zip(ids, missing, strict=True) if m]}"
    for i, ident in enumerate(ids):
        got = frame.evaluate(_OPEN_MARKER, [ids, i])
        text, payload = f"{got['tip']}\n{got['popup']}", HOSTILE[ident]
        assert got["shown"], f"{ident} never left its cluster"
        assert payload in got["tip"], f"{ident}: tooltip does not read {payload!r}: {text!r}"
        assert got["popup"].count(payload) >= 2, f"{ident}: popup lacks name, address: {text!r}"
        assert got["markup"] == 0, f"{ident}: the payload became markup"
        _shot(page, f"hostile-overview-{lang}-{ident}.png")
    assert "`+alert(1)+`" in frame.locator("body").inner_text()  # the last popup, as text
    page.wait_for_timeout(500)
    assert dialogs == [], f"script from the data ran: {dialogs}"
    _no_exception(page)
    page.close()


def _incidents_csv(ids: list[str], tmp_path) -> str:
    """One incident on each hostile AED; the first id twice; bad cells carrying payloads."""
    aeds = [(120.303000, 31.586200), (120.302590, 31.587050), (120.302679, 31.586254),
            (120.303526, 31.585868), (120.299000, 31.583500), (120.298570, 31.583648),
            (120.298329, 31.583216)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["编号", "经度", "纬度", "坐标系"])
    for ident, (lon, lat) in zip(ids, aeds, strict=False):
        writer.writerow([ident, f"{lon:.6f}", f"{lat:.6f}", "WGS84"])
    writer.writerow([ids[0], "120.301000", "31.579000", "WGS84"])  # duplicate id: a warning
    writer.writerow(["bad-lon", ids[-1], "31.579000", "WGS84"])  # not a number: an error
    writer.writerow(["bad-crs", "120.301000", "31.579000", ids[1]])  # unknown CRS: an error
    path = tmp_path / "incidents.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


# Open the tooltip of every layer the app added to the map (origins, lines, resources).
_OPEN_RESULTS = """
() => {
  const out = [];
  // streamlit-folium keeps every layer it was ever sent here: only those on the map count
  const groups = (window.feature_group || []).filter((fg) => window.map.hasLayer(fg));
  const bounds = L.latLngBounds([]);
  groups.forEach((fg) => { if (fg.getLayers().length) bounds.extend(fg.getBounds()); });
  if (bounds.isValid()) window.map.fitBounds(bounds, {animate: false});
  groups.forEach((fg) => fg.eachLayer((l) => {
    if (!l.getTooltip || !l.getTooltip()) return;
    l.openTooltip();
    const el = l.getTooltip()._container;
    out.push({text: el ? el.innerText : null,
              markup: el ? el.querySelectorAll("img,script").length : 0});
  }));
  return out;
}
"""


def _upload_and_open(page, path: str, n_ok: int):
    """Upload ``path`` as the incident batch; open the answers' tooltips once they are drawn."""
    page.get_by_role("tab", name="批量事件").click()
    page.locator("input[type='file']").first.set_input_files(path)
    page.get_by_text(f"可用 {n_ok} 行", exact=False).first.wait_for(timeout=60_000)
    drawn = ("(n) => !!window.L && (window.feature_group || [])"
             ".some((fg) => window.map.hasLayer(fg) && fg.getLayers().length >= n)")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _no_exception(page)  # the run can still fail after the summary is shown
        handle = page.locator(MAP_FRAME).first.element_handle(timeout=5_000)
        frame = handle.content_frame() if handle else None
        try:
            if frame is not None and frame.evaluate(drawn, n_ok):
                return frame, frame.evaluate(_OPEN_RESULTS)
        except PlaywrightError:
            pass  # the frame is being replaced
        page.wait_for_timeout(300)
    pytest.fail(f"the map never drew the {n_ok} incidents")


def _grid_text(page) -> list[str]:
    """The cells of every st.dataframe, scrolled through.

    st.dataframe draws on a canvas; its hidden accessible grid carries the text, but only of
    the rows in view, so each table's scroller is stepped down and the cells collected.
    """
    page.locator("[role='gridcell']").first.wait_for(state="attached", timeout=30_000)
    seen: list[str] = []
    tables = page.locator("[data-testid='stDataFrame']")
    for k in range(tables.count()):
        table = tables.nth(k)
        table.scroll_into_view_if_needed()
        for step in range(20):
            seen += table.locator("[role='gridcell']").evaluate_all(
                "els => els.map(e => e.textContent)")
            moved = table.locator(".dvn-scroller").first.evaluate(
                "(el, y) => { const before = el.scrollTop; el.scrollTop = y;"
                " return el.scrollTop !== before; }", (step + 1) * 250)
            if not moved:
                break
            page.wait_for_timeout(400)
    return seen


def test_hostile_incident_ids_show_as_text_on_the_nearest_page(hostile_server, browser,
                                                               tmp_path):
    page, dialogs = _open(browser, f"{hostile_server}/nearest")
    _, tips = _upload_and_open(page, _incidents_csv(PAYLOADS, tmp_path), len(PAYLOADS) + 1)
    page.wait_for_timeout(500)
    assert dialogs == [], f"script from the upload ran: {dialogs}"
    texts = [tip["text"] or "" for tip in tips]
    for payload in PAYLOADS:
        # the origin's tooltip is the id; a line's tooltip names the (hostile) AED it reaches
        assert payload in texts, f"no incident tooltip reads {payload!r}"
        assert any(payload in text and "#1" in text for text in texts), f"no line names {payload!r}"
    assert sum(tip["markup"] for tip in tips) == 0, "an id became markup in a tooltip"
    _shot(page, "hostile-nearest-map.png")
    cells = _grid_text(page)
    for payload in PAYLOADS:
        # results: incident column and resource name; problems: duplicate id, bad lon, bad CRS
        assert sum(payload in c for c in cells) >= 2, f"{payload!r} not in the tables as text"
    assert any(PAYLOADS[-1] in c for c in cells if "'" in c), "bad longitude not quoted back"
    page.wait_for_timeout(500)
    assert dialogs == [], f"script from the upload ran: {dialogs}"
    _no_exception(page)
    page.locator("[data-testid='stDataFrame']").last.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "hostile-nearest-tables.png"))
    page.close()


def test_jinja_in_incident_ids_is_text_not_a_template(hostile_server, browser, tmp_path):
    page, dialogs = _open(browser, f"{hostile_server}/nearest")
    frame, tips = _upload_and_open(page, _incidents_csv(JINJA_PAYLOADS, tmp_path),
                                   len(JINJA_PAYLOADS) + 1)
    texts = [tip["text"] or "" for tip in tips]
    for payload in JINJA_PAYLOADS:
        assert payload in texts, f"no incident tooltip reads {payload!r}"
    assert "jinja2" not in frame.locator("body").inner_text()
    assert dialogs == []
    _no_exception(page)
    _shot(page, "hostile-nearest-jinja.png")
    page.close()
