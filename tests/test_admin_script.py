"""scripts/admin.py: the first admin from the command line, refusals without tracebacks.

The script runs in a subprocess against a throwaway SQLite store (``RCD_DATABASE_URL``), the
password in ``RCD_ADMIN_PASSWORD``, stdin closed (no terminal); the prompts are tested in
process with a stand-in for ``getpass``. No password ever shows in the output.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from geo.store import LoginError, Store, open_store
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "admin.py"
PASSWORD = "Zq7-admin-Secret!"
OTHER = "Editor-pw-4711x"
WEAK = "s3cr!t"  # 6 characters: fewer than the store's 8


def _run(url: str, *args: str, password: str | None = PASSWORD,
         by_password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCD_")}
    env.update(RCD_DATABASE_URL=url, PYTHONUTF8="1")
    if password is not None:
        env["RCD_ADMIN_PASSWORD"] = password
    if by_password is not None:
        env["RCD_BY_PASSWORD"] = by_password
    done = subprocess.run([sys.executable, str(SCRIPT), *args], env=env, cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    for secret in (PASSWORD, OTHER, WEAK):
        assert secret not in output  # never echoed, logged or put in a message
    return done


def _store(url: str) -> Store:
    return open_store(url, seed=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'x.sqlite'}"


@pytest.fixture
def admin(url: str) -> str:
    """A store with its first admin "chief" (made in process: the script's run is tested)."""
    store = _store(url)
    try:
        store.create_user("chief", PASSWORD, "admin")
    finally:
        store.close()
    return url


# ------------------------------------------------------------------------------ subprocess


def test_first_admin_is_created_and_can_log_in(url):
    done = _run(url, "--name", "Chief")
    assert done.returncode == 0, done.stderr
    assert "已创建用户 chief（角色：admin）" in done.stdout
    assert "Created user chief (role: admin)" in done.stdout
    store = _store(url)
    try:
        user = store.login("chief", PASSWORD, "test")
        assert (user.name, user.role) == ("chief", "admin")
        assert store.has_admin()
        assert store.records().empty  # users only: the app seeds the demo on its start
    finally:
        store.close()


def test_default_name_is_admin(url):
    assert _run(url).returncode == 0
    store = _store(url)
    try:
        assert store.login("admin", PASSWORD, "test").role == "admin"
    finally:
        store.close()


def test_a_second_run_is_refused(admin):
    done = _run(admin, "--name", "deputy", password=OTHER)
    assert done.returncode == 1
    assert "已有管理员" in done.stderr and "An admin exists already" in done.stderr
    assert "Data › Users" in done.stderr and "--by" in done.stderr
    store = _store(admin)
    try:
        with pytest.raises(LoginError, match="wrong user name or password"):
            store.login("deputy", OTHER, "test")
    finally:
        store.close()


def test_a_weak_password_is_refused(url):
    done = _run(url, password=WEAK)
    assert done.returncode == 1
    assert "密码至少需要 8 个字符" in done.stderr
    assert "a password needs at least 8 characters" in done.stderr
    store = _store(url)
    try:
        assert not store.has_admin()
    finally:
        store.close()


def test_the_first_user_must_be_an_admin(url):
    done = _run(url, "--name", "ed", "--role", "editor")
    assert done.returncode == 1
    assert "the first user must be an admin" in done.stderr


def test_an_admin_creates_an_editor_with_by(admin):
    done = _run(admin, "--name", "ed", "--role", "editor", "--by", "chief", password=OTHER,
                by_password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Created user ed (role: editor)" in done.stdout
    store = _store(admin)
    try:
        assert store.login("ed", OTHER, "test").role == "editor"
    finally:
        store.close()
    again = _run(admin, "--name", "ED", "--role", "viewer", "--by", "chief", password=OTHER,
                 by_password=PASSWORD)
    assert again.returncode == 1
    assert "用户 ed 已存在" in again.stderr and "user ed exists already" in again.stderr


def test_by_with_a_wrong_password_or_a_non_admin_is_refused(admin):
    wrong = _run(admin, "--name", "ed", "--role", "editor", "--by", "chief", password=OTHER,
                 by_password=OTHER)
    assert wrong.returncode == 1
    assert "wrong user name or password" in wrong.stderr
    store = _store(admin)
    try:
        store.create_user("ed", OTHER, "editor", by=store.login("chief", PASSWORD, "test"))
    finally:
        store.close()
    weak_author = _run(admin, "--name", "vi", "--role", "viewer", "--by", "ed",
                       password=PASSWORD, by_password=OTHER)
    assert weak_author.returncode == 1
    assert "may not do this" in weak_author.stderr


@pytest.mark.parametrize(("database", "words"), [
    ("postgresql://rcd:dbSecret99@127.0.0.1:1/rcd", "cannot be opened"),
    ("sqlite:////proc/no-such-folder/x.sqlite", "cannot be opened"),
    ("nonsense", "RCD_DATABASE_URL"),
])
def test_an_unusable_database_is_a_message_not_a_traceback(database, words):
    done = _run(database)
    assert done.returncode == 1
    assert words in done.stderr and "No user was created" in done.stderr
    assert "dbSecret99" not in done.stderr  # the URL is shown with its password hidden


def test_without_a_terminal_or_password_variable_it_refuses(url):
    done = _run(url, password=None)
    assert done.returncode == 1
    assert "RCD_ADMIN_PASSWORD" in done.stderr and "not run in a terminal" in done.stderr


def test_a_bad_command_line_is_a_usage_error(url):
    done = _run(url, "--role", "root")
    assert done.returncode == 2 and "invalid choice" in done.stderr


# ------------------------------------------------------------------------------ prompts


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/admin.py imported, as if run in a terminal, with no password variables."""
    spec = importlib.util.spec_from_file_location("rcd_admin_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "_can_prompt", lambda: True)
    monkeypatch.delenv("RCD_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("RCD_BY_PASSWORD", raising=False)
    return module


@pytest.fixture
def store(url: str):
    opened = _store(url)
    yield opened
    opened.close()


def _typing(*answers: str):
    """A getpass stand-in giving ``answers`` in turn; it records the prompts."""
    queue = list(answers)
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return queue.pop(0)

    ask.prompts = prompts  # type: ignore[attr-defined]
    return ask


def test_a_mismatch_is_asked_again(script, store, capsys):
    ask = _typing(PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD)
    user = script.create(store, "chief", "admin", ask=ask)
    assert user.role == "admin" and store.login("chief", PASSWORD, "t").name == "chief"
    assert ask.prompts[0] == "新用户 chief 的密码 / Password for the new user chief: "
    out = capsys.readouterr()
    assert "The two passwords differ" in out.err
    assert PASSWORD not in out.out + out.err


def test_a_weak_typed_password_is_asked_again(script, store, capsys):
    script.create(store, "chief", "admin", ask=_typing(WEAK, WEAK, PASSWORD, PASSWORD))
    out = capsys.readouterr()
    assert "a password needs at least 8 characters" in out.err
    assert WEAK not in out.out + out.err
    assert store.login("chief", PASSWORD, "t").role == "admin"


def test_three_failed_tries_refuse(script, store, capsys):
    ask = _typing("aaaaaaaa1", "b", "aaaaaaaa2", "c", WEAK, WEAK)
    with pytest.raises(script.Refused):
        script.create(store, "chief", "admin", ask=ask)
    assert "Too many tries" in capsys.readouterr().err
    assert not store.has_admin()


def test_the_by_password_is_prompted(script, store):
    script.create(store, "chief", "admin", ask=_typing(PASSWORD, PASSWORD))
    ask = _typing(PASSWORD, OTHER, OTHER)
    assert script.create(store, "ed", "editor", "chief", ask=ask).role == "editor"
    assert ask.prompts[0] == "管理员 chief 的密码 / Password of the admin chief: "


def test_ctrl_c_at_the_prompt_creates_nothing(script, url, monkeypatch, capsys):
    import geo.store

    def interrupted(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(geo.store, "open_store", lambda **kw: open_store(url, **kw))
    monkeypatch.setattr(script.getpass, "getpass", interrupted)
    assert script.main(["--name", "chief"]) == 1
    assert "Cancelled; no user was created." in capsys.readouterr().err
    opened = _store(url)
    try:
        assert not opened.has_admin()
    finally:
        opened.close()
