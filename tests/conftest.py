"""Shared fixtures: the demo dataset, a real Streamlit server, headless Chromium for e2e tests."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
#: The tests' own data stores: never the repo's data/store.sqlite. Set before geo.settings is
#: imported (AppTest pages read through the store in this process).
STORES = Path(tempfile.mkdtemp(prefix="rcd-test-stores-"))
os.environ.setdefault("RCD_DATABASE_URL", f"sqlite:///{STORES / 'apptest.sqlite'}")
CHROMIUM = os.environ.get("RCD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--disable-dev-shm-usage",
]


#: Hostile text as partners' spreadsheets may carry it: HTML, JS template literal and string
#: breakouts, a spreadsheet formula.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "${alert(1)}",
    "`+alert(1)+`",
    "\\`);alert(1);//",
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
]
#: folium compiles each rendered script as a Jinja template: these would run on the server.
JINJA_PAYLOADS = ["{{ lipsum.__module__ }}", "{% if 1 %}", "{# x"]


def xlsx_bytes(*sheets: tuple[str, list[list]]) -> bytes:
    """An .xlsx workbook with the given (title, rows) sheets, as bytes."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def resource_row(**kw) -> dict:
    """One valid AED row of a resource table (every cell as text), with ``kw`` overriding."""
    base = {"id": "T-1", "kind": "aed", "name": "测试", "name_en": "Test", "city": "wuxi",
            "district": "梁溪区", "address": "人民中路1号", "lon": "120.30", "lat": "31.57",
            "source_crs": "wgs84", "status": "active", "hours": "24h",
            "updated_at": "2026-01-01", "venue_type": "metro", "placement": "indoor",
            "pads_expiry": "2027-06-01"}
    base.update(kw)
    return base


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashes in this process (the default cost has its own test)."""
    from geo import store

    monkeypatch.setattr(store, "BCRYPT_ROUNDS", 4)


@pytest.fixture(scope="session")
def demo():
    """Both cities' demo dataset."""
    from geo.datasets import load_demo

    return load_demo()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(log_name: str, **env_extra: str) -> Iterator[str]:
    """Run `streamlit run app.py` on loopback with ``env_extra``; yield its base URL."""
    port = _free_port()
    store = f"sqlite:///{STORES / (log_name + '.sqlite')}"  # each server its own store
    env = {**os.environ, "RCD_BASEMAP": "none", "PYTHONUNBUFFERED": "1",
           "RCD_DATABASE_URL": store, **env_extra}
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}; see {log.name}")
            try:
                if requests.get(f"{base}/_stcore/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not become healthy within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The app on loopback with the demo data; stopped after the session."""
    with running_server("streamlit-server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`), fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
        yield context
        context.close()
        chromium.close()


# ---- browser helpers: a Streamlit run that has settled, and polled conditions ----

# During a rerun Streamlit keeps the old element (data-stale="true") next to the new one, so
# two map iframes can exist for a moment; only the live one is ever the answer.
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
LIVE_MAP = f"[data-testid='stElementContainer']:not([data-stale='true']) {MAP_FRAME}"
_SETTLED = """() => {
  const busy = document.querySelector("[data-testid='stStatusWidgetRunningIcon'],"
      + "[data-testid='stStatusWidgetRunningManIcon'], [data-stale='true']");
  window.__rcdQuiet = busy ? 0 : (window.__rcdQuiet || 0) + 1;
  return window.__rcdQuiet >= 4;
}"""


def settle(page, timeout: int = 90_000) -> None:
    """Wait until the script run has finished and no stale element is left (1 s of quiet)."""
    page.evaluate("() => { window.__rcdQuiet = 0; }")
    page.wait_for_function(_SETTLED, timeout=timeout, polling=250)


def eventually(check, what: str, timeout_s: float = 60.0) -> None:
    """Poll ``check`` until it holds: a rebuilt map may drop its layers for a moment."""
    import time

    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.25)
