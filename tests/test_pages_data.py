"""AppTest on the data page: what each role sees, idle logins, conflicts with both values."""

from __future__ import annotations

import dataclasses
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.schema import RESOURCE_COLUMNS
from geo.store import User
from tests.conftest import ROOT

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def users():
    """The AppTest store (RCD_DATABASE_URL, set in conftest) with one user of each role."""
    from ui import common

    store = common.store()
    if not store.has_admin():
        admin = store.create_user("pages.admin", PASSWORD, "admin")
        store.create_user("pages.editor", PASSWORD, "editor", by=admin)
        store.create_user("pages.viewer", PASSWORD, "viewer", by=admin)
    return {"admin": User("pages.admin", "admin"), "editor": User("pages.editor", "editor"),
            "viewer": User("pages.viewer", "viewer")}


def run_data(user: User | None, lang: str = "zh", seen: float | None = None,
             section: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["basemap"] = "none"
    if user is not None:
        at.session_state["auth_user"] = user
        at.session_state["auth_seen"] = time.monotonic() if seen is None else seen
    if section:
        at.session_state["data_section"] = section
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nobody_logged_in_sees_a_login_form_and_no_upload(users, lang):
    at = run_data(None, lang)
    assert at.text_input(key="login_import_name") is not None
    assert not [u for u in at.get("file_uploader")]
    assert ("需要编辑员或管理员" if lang == "zh" else "need a login") in _texts(at)
    assert not at.error


def test_a_viewer_is_told_the_role_is_too_weak(users):
    at = run_data(users["viewer"])
    assert "查看员" in _texts(at) and not [u for u in at.get("file_uploader")]


def test_an_editor_imports_but_sees_no_audit_or_users(users):
    at = run_data(users["editor"])
    assert [u for u in at.get("file_uploader")]
    at = run_data(users["editor"], section="tab_audit")  # forged: falls back to import
    assert [u for u in at.get("file_uploader")]
    assert not [d for d in at.dataframe if "用户" in list(d.value.columns)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_admin_sees_the_audit_log_and_the_users(users, lang):
    at = run_data(users["admin"], lang, section="tab_audit")
    frames = [d.value for d in at.dataframe]
    user_col = "用户" if lang == "zh" else "User"
    assert any(user_col in f.columns and "system" in set(f[user_col]) for f in frames)
    assert not at.error
    at = run_data(users["admin"], lang, section="tab_users")
    names = set().union(*(set(d.value.iloc[:, 0]) for d in at.dataframe))
    assert {"pages.admin", "pages.editor", "pages.viewer"} <= names


def test_an_idle_login_ends_and_says_so(users):
    at = run_data(users["editor"], seen=time.monotonic() - 31 * 60)
    assert "auth_user" not in at.session_state
    assert any("30 分钟无操作" in i.value for i in at.info)
    assert not [u for u in at.get("file_uploader")]


def test_a_demoted_user_loses_the_import_at_the_next_run(users):
    from ui import common

    store = common.store()
    store.create_user("pages.temp", PASSWORD, "editor", by=users["admin"]) if (
        "pages.temp" not in set(store.users(users["admin"])["name"])) else None
    store.set_role(users["admin"], "pages.temp", "editor")
    held = User("pages.temp", "editor")
    assert [u for u in run_data(held).get("file_uploader")]
    store.set_role(users["admin"], "pages.temp", "viewer")
    assert not [u for u in run_data(held).get("file_uploader")]


def test_viewing_can_require_a_login(users, monkeypatch):
    from ui import auth

    monkeypatch.setattr(auth, "SETTINGS", dataclasses.replace(auth.SETTINGS, require_login=True))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["basemap"] = "none"
    at.run()
    assert not at.exception
    assert at.text_input(key="login_view_name") is not None
    assert not [m for m in at.metric], "the overview ran without a login"


def test_a_second_editor_is_told_with_both_values(users):
    from ui import common

    store = common.store()
    rid = "WX-AED-0002"
    at = run_data(users["editor"], section="tab_edit")
    at.text_input(key="edit_search").input(rid).run()
    at.selectbox(key="edit_selected").select(rid).run()
    assert not at.exception
    # someone else saves the same record meanwhile
    version, before = store.record(rid)["version"], store.record(rid)["address"]
    store.update(users["admin"], rid, {"address": "他人刚改的地址"}, version)
    at.text_input(key=f"ef_{rid}_address").input("我的地址")
    at.button(key=f"FormSubmitter:edit_form_{rid}-保存修改").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "已被 pages.admin 修改" in errors and "地址=他人刚改的地址" in errors, errors
    assert "地址=我的地址" in errors and "address" not in errors, errors
    both = [d.value for d in at.dataframe if "您的修改" in d.value.columns]
    assert both, "the conflict does not show both values"
    row = both[0][both[0]["字段"] == "地址"].iloc[0]
    assert row["库中现值（他人已修改）"] == "他人刚改的地址" and row["您的修改"] == "我的地址"
    assert store.record(rid)["address"] == "他人刚改的地址"  # nothing overwritten
    # the conflict stays on screen across reruns until the newest values are loaded
    at.run()
    assert any("已被 pages.admin 修改" in e.value for e in at.error)
    at.button(key="edit_reload").click().run()
    assert not at.error and not at.exception
    # the typed value is still in the form: saving again now wins, on the new version
    at.button(key=f"FormSubmitter:edit_form_{rid}-保存修改").click().run()
    assert any(f"已保存 {rid}" in x.value for x in at.success), [e.value for e in at.error]
    assert store.record(rid)["address"] == "我的地址"
    store.update(users["admin"], rid, {"address": before}, store.record(rid)["version"])


def test_retiring_asks_once_more_and_says_it_was_done(users):
    from ui import common

    store = common.store()
    rid = "WX-AED-0006"
    at = run_data(users["editor"], section="tab_edit")
    at.text_input(key="edit_search").input(rid).run()
    at.selectbox(key="edit_selected").select(rid).run()
    at.button(key="edit_retire").click().run()
    assert not at.exception
    assert any(f"已退役 {rid}" in x.value for x in at.success)
    assert rid not in set(store.records()["id"])
    assert store.audit_log(rid)["action"].tolist()[-1] == "retire"
    # bring it back for the other pages' tests (an import of the record revives it)
    rec = store.record(rid)
    row = {k: rec[k] for k in RESOURCE_COLUMNS if k in rec}
    table = pd.DataFrame([row], dtype=object).fillna("").astype(str)
    store.commit_import(store.preview_import(table, users["editor"]), users["editor"])
    assert rid in set(store.records()["id"])



def test_a_record_is_added_where_the_map_was_clicked(users, monkeypatch):
    import streamlit_folium

    from ui import common

    click = {"last_clicked": {"lat": 31.5808, "lng": 120.3010}}  # 崇安寺, 梁溪区 (WGS84)
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: click)
    at = run_data(users["editor"], section="tab_edit")
    at.radio(key="edit_mode").set_value("add").run()
    assert not at.exception
    assert any("120.301000" in i.value and "梁溪区" in i.value for i in at.info)
    at.text_input(key="add_id").input("WX-AED-NEW-9")
    at.text_input(key="add_name").input("崇安寺步行街服务站")
    at.text_input(key="af_hours").input("24/7")
    at.button(key="FormSubmitter:add_form-新增").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("已新增 WX-AED-NEW-9" in s.value for s in at.success)
    rec = common.store().record("WX-AED-NEW-9")
    assert (rec["kind"], rec["city"], rec["district"]) == ("aed", "wuxi", "梁溪区")
    assert abs(rec["lon"] - 120.3010) < 1e-9 and abs(rec["lat"] - 31.5808) < 1e-9
    log = common.store().audit_log("WX-AED-NEW-9")
    assert log["action"].tolist() == ["add"] and log["user_name"].tolist() == ["pages.editor"]
    # the other pages' tests share this store: leave the demo as it was
    common.store().retire(users["editor"], "WX-AED-NEW-9", rec["version"])


def test_a_position_clicked_for_one_record_does_not_move_another(users, monkeypatch):
    import streamlit_folium

    click = {"last_clicked": {"lat": 31.5808, "lng": 120.3010}}
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: click)
    at = run_data(users["editor"], section="tab_edit")
    at.text_input(key="edit_search").input("WX-AED-000").run()
    at.selectbox(key="edit_selected").select("WX-AED-0004").run()
    assert not [b for b in at.button if b.key == "edit_move"]  # the earlier click is old
    click["last_clicked"] = {"lat": 31.5811, "lng": 120.3013}  # a click for 0004
    at.run()
    assert [b for b in at.button if b.key == "edit_move"], "the click gives no new position"
    at.selectbox(key="edit_selected").select("WX-AED-0005").run()  # same click still reported
    assert not at.exception
    assert not [b for b in at.button if b.key == "edit_move"], "B offered A's position"
