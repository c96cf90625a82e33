"""End-to-end on the data page: log in, import a GBK file with two bad rows, preview, commit,
see the new AED on the map, edit it, and find the edit in the audit log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo.store import open_store
from tests.conftest import ARTIFACTS, LIVE_MAP, STORES, eventually, running_server, settle

LOG = "streamlit-store-server.log"
ADMIN, ADMIN_PW = "zhang.wei", "Jiangsu-2026!"
EDITOR, EDITOR_PW = "li.na", "Wuxi-redcross-7"

# Two AEDs at real public places in Wuxi (GCJ-02 from Amap, as partners copy them), one row
# whose longitude is not a number and one with an unknown type.
GBK_FILE = (
    "编号,类型,名称,经度,纬度,坐标系,状态,开放时间\n"
    "WX-NEW-001,AED,无锡站北广场服务台,120.3053,31.5898,高德,在用,24小时\n"
    "WX-NEW-002,除颤仪,三阳广场地铁站,120.3059,31.5772,高德,在用,每天 06:00-23:00\n"
    "WX-NEW-003,AED,坐标缺失的点,东经abc,31.58,高德,在用,24小时\n"
    "WX-NEW-004,灭火器,类型不对的点,120.30,31.57,高德,在用,24小时\n"
).encode("gbk")


@pytest.fixture(scope="module")
def store_server() -> Iterator[str]:
    """A server with its own store holding an admin and an editor (no default users ship)."""
    store = open_store(f"sqlite:///{STORES / (LOG + '.sqlite')}")
    admin = store.create_user(ADMIN, ADMIN_PW, "admin")
    store.create_user(EDITOR, EDITOR_PW, "editor", by=admin)
    store.close()
    with running_server(LOG) as base:
        yield base


def _login(page, name: str, password: str) -> None:
    form = page.locator("[data-testid='stForm']:visible").filter(has_text="用户名").first
    form.get_by_label("用户名").fill(name)
    form.get_by_label("密码").fill(password)
    form.get_by_role("button", name="登录").click()
    page.get_by_text(f"已登录：{name}").wait_for(timeout=60_000)
    settle(page)


def _section(page, name: str) -> None:
    page.locator("[data-testid='stButtonGroup'] button").filter(has_text=name).first.click()
    settle(page)


def _dialogs(page) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']").first.inner_text()


def test_login_import_preview_commit_map_edit_and_audit(store_server, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "合作方AED清单.csv"
    path.write_bytes(GBK_FILE)
    page = browser.new_page()
    dialogs = _dialogs(page)
    page.goto(f"{store_server}/data", wait_until="domcontentloaded", timeout=60_000)
    page.get_by_text("导入和编辑数据需要编辑员或管理员账号登录").first.wait_for(timeout=60_000)
    settle(page)
    # a wrong password is refused in Chinese, without saying which part was wrong
    form = page.locator("[data-testid='stForm']").first
    form.get_by_label("用户名").fill(EDITOR)
    form.get_by_label("密码").fill("not-the-password")
    form.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码错误", exact=False).first.wait_for(timeout=60_000)
    settle(page)
    _login(page, EDITOR, EDITOR_PW)

    # import: preview first, nothing written yet
    page.locator("input[type='file']").first.set_input_files(str(path))
    page.get_by_text("问题与拒收原因").wait_for(timeout=60_000)
    settle(page)
    metrics = page.locator("[data-testid='stMetric']")
    values = {m.locator("[data-testid='stMetricLabel']").inner_text().strip():
              m.locator("[data-testid='stMetricValue']").inner_text().strip()
              for m in metrics.all()}
    assert values["新增"] == "2" and values["拒收"] == "2", values
    cells = page.locator("[role='gridcell'], td")
    eventually(lambda: cells.filter(has_text="abc").count() > 0, "the bad longitude is not named")
    eventually(lambda: cells.filter(has_text="灭火器").count() > 0, "the bad type is not named")
    page.screenshot(path=str(ARTIFACTS / "data-import-preview.png"), full_page=True)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载问题清单 CSV").click()
    problems = info.value.path().read_bytes().decode("utf-8-sig")
    assert "行号" in problems.splitlines()[0] and "问题" in problems.splitlines()[0]
    assert "灭火器" in problems and "WX-NEW-004" in problems  # the rejected row, named
    page.get_by_role("button", name="提交导入").click()
    page.get_by_text("已提交：新增 2 条", exact=False).wait_for(timeout=60_000)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "data-import-done.png"), full_page=True)

    # the new AED is on the edit map, as the selected (red, draggable) marker
    _section(page, "编辑")
    settle(page)
    page.get_by_label("按编号或名称查找").fill("WX-NEW-001")
    page.get_by_label("按编号或名称查找").press("Enter")
    settle(page)
    page.locator("[data-testid='stSelectbox']").filter(
        has=page.get_by_text("记录", exact=True)).click()
    page.get_by_role("option", name="WX-NEW-001 · 无锡站北广场服务台").click()
    settle(page)
    frame = page.frame_locator(LIVE_MAP).first
    marker = frame.locator(".leaflet-marker-pane .awesome-marker")
    eventually(lambda: marker.count() == 1, "the selected AED has no marker on the edit map")
    tooltip = frame.locator(".leaflet-marker-pane .awesome-marker").first
    tooltip.hover()
    frame.get_by_text("无锡站北广场服务台", exact=False).first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "data-edit-map.png"), full_page=True)

    # edit it: a new address, saved with the version it was read at
    address = page.get_by_role("textbox", name="地址", exact=True)
    address.fill("无锡火车站北广场一楼服务台旁")
    page.get_by_role("button", name="保存修改").click()
    page.get_by_text("已保存 WX-NEW-001", exact=False).wait_for(timeout=60_000)
    settle(page)
    history = page.locator("[data-testid='stExpander']").filter(has_text="修改历史")
    eventually(lambda: history.get_by_text("无锡火车站北广场一楼服务台旁", exact=False).count() > 0
               or history.locator("[role='gridcell']").filter(
                   has_text="无锡火车站北广场一楼服务台旁").count() > 0,
               "the record's history does not show the edit")
    _no_error(page)
    page.screenshot(path=str(ARTIFACTS / "data-edit-saved.png"), full_page=True)

    # the admin sees the import and the edit in the audit log, with the editor's name
    page.get_by_role("button", name="退出登录").click()
    settle(page)
    _login(page, ADMIN, ADMIN_PW)
    _section(page, "审计日志")
    settle(page)
    grid = page.locator("[role='gridcell'], td")
    eventually(lambda: grid.filter(has_text="WX-NEW-001").count() >= 2,
               "the audit log lacks the import and the edit of WX-NEW-001")
    assert grid.filter(has_text=EDITOR).count() >= 2
    page.screenshot(path=str(ARTIFACTS / "data-audit.png"), full_page=True)
    _no_error(page)

    # the current data exports with the edit in it (as the GeoPackage tests show, QGIS-ready)
    _section(page, "导出")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    body = info.value.path().read_bytes().decode("utf-8-sig")
    assert "WX-NEW-001" in body and "无锡火车站北广场一楼服务台旁" in body
    assert "WX-NEW-003" not in body  # the rejected row never reached the store
    assert dialogs == []
    page.close()
