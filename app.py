"""Entry point: shared sidebar (city, language, basemap), session defaults and page navigation."""

from __future__ import annotations

import streamlit as st

from geo.errors import SettingsError
from ui.i18n import LANG_LABELS, LANGS, error_text, t

try:  # a setting with an impossible value stops here, with its name, before anything uses it
    from geo.settings import SETTINGS
except SettingsError as exc:
    st.error(error_text(exc, st.session_state.get("lang", "zh"), prefix="settings_error"))
    st.stop()

from ui import auth, common
from ui import map as maps

st.set_page_config(page_title="红十字应急资源地图 · Red Cross resources",
                   page_icon="static/favicon.png",
                   layout="wide")
common.init_session()
lang = common.lang()

with st.sidebar:
    st.markdown(f"### {t('app_title', lang)}")
    st.caption(t("app_subtitle", lang))
    # The index follows the session's language: on a cold first run Streamlit gives the radio
    # another element id once the page is known, and a new id resolves to its default, which
    # would silently undo a click made during that run. So "lang" is never written by code.
    st.radio("语言 / Language", LANGS, index=LANGS.index(lang), key="lang", horizontal=True,
             format_func=LANG_LABELS.__getitem__)
    lang = common.lang()
    common.choice(t("sidebar_city", lang), list(common.CITY_KEYS), "city",
                  lambda c: t(f"city_{c}", lang))
    choices = list(maps.basemaps(SETTINGS.tianditu_key))
    if st.session_state.get("basemap") not in choices:
        st.session_state["basemap"] = "none"
    common.choice(t("basemap", lang), choices, "basemap",
                  lambda b: t(f"basemap_{b}", lang))
    if common.default_basemap() == "none" and SETTINGS.basemap == "auto":
        st.caption(t("basemap_offline_note", lang))
    auth.sidebar_badge()

auth.require_login_to_view()

pages = [
    # The default page is served at "/" (Streamlit gives it an empty path), so "/overview", the
    # address people bookmark and share, is the same page registered once more, hidden.
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/map:",
            default=True, url_path="home"),
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/map:",
            url_path="overview", visibility="hidden"),
    st.Page("pages/nearest.py", title=t("page_nearest", lang), icon=":material/near_me:",
            url_path="nearest"),
    st.Page("pages/coverage.py", title=t("page_coverage", lang), icon=":material/layers:",
            url_path="coverage"),
    st.Page("pages/siting.py", title=t("page_siting", lang), icon=":material/add_location:",
            url_path="siting"),
    st.Page("pages/data.py", title=t("page_data", lang), icon=":material/database:",
            url_path="data"),
]
st.navigation(pages).run()
