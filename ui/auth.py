"""Logins in the UI: who is signed in, idle expiry, the login form and the sidebar badge.

The store checks every write's role itself (``geo.store.require`` and the ``users`` table), so
this module only decides what to *show*: a page never offers a write the store would refuse,
and nothing here grants one. A login lives in the browser session's state; it ends after
``SETTINGS.session_idle_min`` minutes without a script run, or when its user is removed or
demoted (the role is read back from the store on every run).
"""

from __future__ import annotations

import time

import streamlit as st

from geo.errors import GeoError
from geo.settings import SETTINGS
from geo.store import User
from ui import common
from ui.i18n import error_text, md_text, t

USER_KEY = "auth_user"
SEEN_KEY = "auth_seen"
EXPIRED_KEY = "auth_expired"


def client_id() -> str:
    """Who is trying to log in, for the per-client rate limit: the address, else the session."""
    try:
        address = st.context.ip_address
    except Exception:
        address = None
    if address:
        return f"ip:{address}"
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx else 'local'}"


def current_user() -> User | None:
    """The logged-in user, or None; ends an idle login and follows role changes in the store."""
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, User):
        return None
    now = time.monotonic()
    if now - st.session_state.get(SEEN_KEY, now) > SETTINGS.session_idle_min * 60:
        logout()
        st.session_state[EXPIRED_KEY] = True
        return None
    fresh = common.store().refresh(user)
    if fresh is None:
        logout()
        return None
    st.session_state[USER_KEY] = fresh
    st.session_state[SEEN_KEY] = now
    return fresh


def logout() -> None:
    """Forget the session's login."""
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(SEEN_KEY, None)


def login_form(key: str = "login") -> User | None:
    """A login form; returns the user once the password is right (then the page reruns)."""
    lang = common.lang()
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info(t("login_expired", lang, minutes=f"{SETTINGS.session_idle_min:g}"))
    with st.form(key, clear_on_submit=False, border=True):
        st.markdown(f"**{t('login_title', lang)}**")
        name = st.text_input(t("login_name", lang), key=f"{key}_name")
        password = st.text_input(t("login_password", lang), type="password",
                                 key=f"{key}_password")
        submitted = st.form_submit_button(t("login_button", lang), type="primary")
    if not submitted:
        return None
    try:
        user = common.store().login(name, password, client_id())
    except GeoError as exc:
        st.error(error_text(exc, lang, prefix=None))
        return None
    st.session_state[USER_KEY] = user
    st.session_state[SEEN_KEY] = time.monotonic()
    st.rerun()
    return user


def sidebar_badge() -> None:
    """In the sidebar: who is logged in, with a log-out button (nothing when nobody is)."""
    user = current_user()
    if user is None:
        return
    lang = common.lang()
    st.caption(t("logged_in_as", lang, name=md_text(user.name),
                 role=t(f"user_role_{user.role}", lang)))
    if st.button(t("logout_button", lang), key="logout"):
        logout()
        st.rerun()


def require_login_to_view() -> None:
    """When ``SETTINGS.require_login`` is set, stop the page for anyone not logged in."""
    if not SETTINGS.require_login or current_user() is not None:
        return
    st.title(t("app_title", common.lang()))
    st.caption(t("login_to_view", common.lang()))
    login_form("login_view")
    st.stop()
