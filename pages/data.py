"""Data page: import a file (preview, then one commit), edit records, export, audit, users.

Viewing and exporting need no login (unless ``RCD_REQUIRE_LOGIN``); importing and editing need an
editor or admin, and the audit log and users an admin. The page only decides what to show: each
write goes to ``geo.store``, which checks the role itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from geo import exports, schema
from geo.crs import from_wgs84, to_wgs84
from geo.errors import GeoError
from geo.filters import districts_of_points
from geo.imports import ROLES as IMPORT_ROLES
from geo.imports import combined_report, read_resource_file
from geo.io import to_csv_bytes, to_xlsx_bytes
from geo.settings import SETTINGS
from geo.store import Conflict
from ui import auth, common, records
from ui.i18n import error_text, md_text, problem_text, t
from ui.nearest_view import problems_table

lang, ds, basemap = common.page_header("page_data", "data_help")
store = common.store()
user = auth.current_user()
can_edit = user is not None and user.role in ("editor", "admin")
is_admin = user is not None and user.role == "admin"

names = ["tab_import", "tab_edit", "tab_export"] + (["tab_audit", "tab_users"] if is_admin else [])
# One section at a time, not st.tabs: a map drawn in a hidden tab measures 0 px and Leaflet
# then fits the districts at world zoom; only the chosen section runs, too.
if st.session_state.get("data_section") not in names:
    st.session_state["data_section"] = names[0]
section = st.segmented_control(t("data_section", lang), names, key="data_section",
                               format_func=lambda n: t(n, lang), label_visibility="collapsed")
section = section or names[0]


def _needs_editor() -> bool:
    """Show the login (or say the role is too weak); True when the user may write."""
    if can_edit:
        return True
    if user is None:
        st.caption(t("login_to_edit", lang))
        auth.login_form(f"login_{tab_key}")
    else:
        st.warning(t("role_cannot_edit", lang, role=t(f"user_role_{user.role}", lang)))
    return False


def _role_label(role: str) -> str:
    return t("role_pair", lang) if role == "pair" else records.field_label(role, lang)


def _with_file_cells(table: pd.DataFrame, problems: pd.DataFrame, rf) -> pd.DataFrame:
    """The problems table plus each row's cells as read (id, name, position), for fixing."""
    cells = rf.table.assign(_row=rf.rows).set_index("_row")
    out = table.copy()
    for column in ("id", "name", "lon", "lat"):
        by_row = cells[column] if column in cells.columns else pd.Series(dtype=object)
        out[records.field_label(column, lang)] = [
            by_row.get(int(r), "") if pd.notna(r) else "" for r in problems["row"]]
    return out


def _show_error(exc: GeoError) -> None:
    st.error(error_text(exc, lang, prefix=None))


# ---- import ---------------------------------------------------------------------------------

tab_key = "import"
if section == "tab_import":
    if _needs_editor():
        st.caption(t("import_help", lang))
        upload = st.file_uploader(t("import_file", lang), key="import_upload")
        c1, c2, c3 = st.columns(3)
        kind_options = ["", *schema.KINDS]
        default_kind = c1.selectbox(
            t("import_default_kind", lang), kind_options, key="import_kind",
            format_func=lambda k: t("import_kind_from_file", lang) if k == "" else t(
                f"kind_{k}", lang)) or None
        crs = c2.selectbox(t("import_crs", lang), list(schema.SOURCE_CRS), key="import_crs",
                           format_func=lambda c: t(f"crs_{c}", lang))
        replace = c3.checkbox(t("import_replace", lang), key="import_replace",
                              help=t("import_replace_help", lang))
        if upload is None:
            st.session_state.pop("import_preview", None)
        else:
            content = upload.getvalue()
            digest = hashlib.sha256(content).hexdigest()
            done = st.session_state.get("import_result")
            if done is not None and done[0] == digest:
                result = done[1]
                st.success(t("import_done", lang, added=result.added, changed=result.changed,
                             retired=result.retired, rejected=result.rejected,
                             revision=result.revision))
            opts = st.session_state.get(f"imp_read_{digest}", {})
            forced = {r: (c or None) for r, c in (opts.get("columns") or {}).items()}
            key = (digest, upload.name, default_kind, crs, replace, store.revision(),
                   opts.get("sheet"), opts.get("header_row"), tuple(sorted(forced.items())))
            held = st.session_state.get("import_preview")
            if held is None or held[0] != key:
                try:
                    rf = read_resource_file(content, upload.name, boundaries=ds.boundaries,
                                            default_kind=default_kind, default_crs=crs,
                                            sheet=opts.get("sheet"),
                                            header_row=opts.get("header_row"),
                                            columns=forced or None,
                                            max_bytes=int(SETTINGS.max_upload_mb * 1e6))
                    preview = (store.preview_import(rf.table, user, rows=rf.rows,
                                                    replace=replace,
                                                    keep=rf.source.get("absent") or ())
                               if len(rf.table) else None)
                except GeoError as exc:
                    _show_error(exc)
                    rf, preview = None, None
                held = (key, rf, preview)
                st.session_state["import_preview"] = held
            _, rf, preview = held
            if rf is not None and rf.source.get("header"):
                with st.expander(t("read_how", lang)):
                    common.read_options(digest, rf.source, lang, roles=IMPORT_ROLES,
                                        label=_role_label, prefix="imp", per_row=4)
            if rf is not None:
                problems = (combined_report(rf.report, preview.report) if preview is not None
                            else rf.report).to_frame()
                counts = dict(preview.counts) if preview is not None else {}
                # rows left out while reading (no usable position ...) are rejected too
                n_read_bad = len(set(rf.report.bad_rows))
                counts["rejected"] = counts.get("rejected", 0) + n_read_bad
                cols = st.columns(5)
                for col, name in zip(cols, ("new", "changed", "unchanged", "rejected", "retire"),
                                     strict=True):
                    col.metric(t(f"import_{name}", lang), f"{counts.get(name, 0):,}")
                if n_read_bad:
                    st.caption(t("import_read_rejected", lang, n=f"{n_read_bad:,}"))
                if preview is not None and len(preview.rows):
                    view = preview.rows.copy()
                    shown = view[view["status"] != "unchanged"]
                    st.markdown(f"**{t('import_preview', lang)}**")
                    st.dataframe(pd.DataFrame({
                        t("col_row", lang): shown["row"].astype("Int64"),
                        t("col_resource_id", lang): shown["id"].astype("string"),
                        t("col_status", lang): [t(f"import_{s}", lang) for s in shown["status"]],
                        t("col_changes", lang): [
                            "; ".join(f"{records.field_label(k, lang)}: "
                                      f"{records.value_text(k, v[0], lang)} → "
                                      f"{records.value_text(k, v[1], lang)}"
                                      for k, v in ch.items()) for ch in shown["changes"]],
                    }), hide_index=True, width="stretch")
                if len(problems):
                    st.markdown(f"**{t('import_problems', lang)}**")
                    table = problems_table(problems, lang)
                    st.dataframe(table, hide_index=True, width="stretch")
                    st.download_button(
                        t("import_download_rejected", lang),
                        data=to_csv_bytes(_with_file_cells(table, problems, rf)),
                        file_name=f"{t('import_rejected_name', lang)}.csv", mime="text/csv",
                        key="import_rejected_dl")
                if preview is not None and preview.has_changes:
                    if st.button(t("import_commit", lang), type="primary", key="import_commit"):
                        try:
                            result = store.commit_import(preview, user)
                        except GeoError as exc:
                            _show_error(exc)
                        else:
                            st.session_state["import_result"] = (digest, result)
                            st.session_state.pop("import_preview", None)
                            st.rerun()
                elif preview is not None:
                    st.info(t("import_nothing", lang))


# ---- edit -----------------------------------------------------------------------------------


def _shift(lon: np.ndarray, lat: np.ndarray):
    return from_wgs84((lon, lat), basemap.crs)


def _locate(lon: float, lat: float) -> tuple[str | None, str | None]:
    city, district = districts_of_points(ds.boundaries, np.array([lon]), np.array([lat]))
    return city[0], district[0]


def _pending(map_out: dict | None, key: str) -> tuple[float, float] | None:
    """A new click or drag on the edit map, in WGS84; kept in the session until used."""
    click = (map_out or {}).get("last_clicked")
    if click and st.session_state.get(f"{key}_click") != click:
        st.session_state[f"{key}_click"] = click
        lon, lat = to_wgs84((np.array([click["lng"]]), np.array([click["lat"]])), basemap.crs)
        st.session_state[f"{key}_pending"] = (float(lon[0]), float(lat[0]))
    return st.session_state.get(f"{key}_pending")


tab_key = "edit"
if section == "tab_edit":
    if _needs_editor():
        live = store.records()
        if common.city() is not None:
            live = live[live["city"] == common.city()]
        done = st.session_state.pop("edit_done", None)
        if done is not None:
            st.success(t(done[1], lang, id=md_text(done[0])))
        mode = st.radio(t("edit_mode", lang), ["edit", "add"], horizontal=True, key="edit_mode",
                        format_func=lambda m: t(f"edit_mode_{m}", lang))
        left, right = st.columns([3, 2])
        if mode == "edit":
            query = left.text_input(t("edit_search", lang), key="edit_search")
            pool = live
            if query.strip():
                q = query.strip().lower()
                pool = live[live["id"].str.lower().str.contains(q, regex=False)
                            | live["name"].astype(str).str.lower().str.contains(q, regex=False)]
            ids = pool["id"].tolist()[:500]
            label = dict(zip(live["id"], live["name"].astype(str), strict=True))
            selected = left.selectbox(
                t("edit_record", lang), ids, key="edit_selected", index=None,
                placeholder=t("edit_pick", lang),
                format_func=lambda i: f"{i} · {label.get(i, '')}")
        else:
            selected = None
        if mode == "edit" and st.session_state.get("edit_pending_id") != selected:
            # a position clicked for one record never moves another
            st.session_state.pop("edit_pending", None)
            st.session_state["edit_pending_id"] = selected
        with left:
            layer = records.edit_layer(live, selected, st.session_state.get(
                f"{mode}_pending"), lang, _shift)
            focus = {}
            row = live[live["id"] == selected] if selected else live.iloc[:0]
            if len(row):  # centre on the chosen record (no rebuild of the map)
                x, y = _shift(row["lon"].to_numpy(float), row["lat"].to_numpy(float))
                focus = {"center": [float(y[0]), float(x[0])], "zoom": 15}
            out = common.show_map(common.district_map(ds, lang, basemap.key), "edit_map",
                                  layer=layer, height=460, use_container_width=True,
                                  returned_objects=["last_clicked"], **focus)
            pending = _pending(out, mode)
            st.caption(t("edit_map_help", lang))

        if mode == "edit" and selected:
            base_key = f"edit_base_{selected}"
            if base_key not in st.session_state:
                st.session_state[base_key] = store.record(selected)
            base = st.session_state[base_key]
            kind = base["kind"]
            with right:
                st.markdown(f"**{md_text(base['name'])}** · {t(f'kind_{kind}', lang)} · "
                            f"{t('col_version', lang)} {base['version']}")
                city_name = t(f"city_{base['city']}", lang)
                st.caption(f"{city_name} · {md_text(base['district'])} · "
                           f"{base['lon']:.6f}, {base['lat']:.6f}")
                if pending is not None:
                    city, district = _locate(*pending)
                    st.info(t("edit_new_position", lang, lon=f"{pending[0]:.6f}",
                              lat=f"{pending[1]:.6f}", district=md_text(district or "—")))
                    if st.button(t("edit_save_position", lang), key="edit_move", type="primary"):
                        changes = {"lon": pending[0], "lat": pending[1]}
                        if district and (city, district) != (base["city"], base["district"]):
                            changes.update(city=city, district=district)
                        st.session_state["edit_submit"] = changes
            with st.form(f"edit_form_{selected}"):
                values = records.record_form(kind, base, f"ef_{selected}", lang)
                saved = st.form_submit_button(t("edit_save", lang), type="primary")
            if saved:
                st.session_state["edit_submit"] = records.changes_between(base, values)
            q1, q2, q3 = st.columns(3)
            if kind == "aed" and q1.button(t("edit_inspected_today", lang), key="edit_check"):
                st.session_state["edit_submit"] = {
                    "last_check": common.china_today().isoformat()}
            if kind == "relief_store":
                with q2.popover(t("edit_delivery", lang)):
                    item = st.selectbox(t("edit_item", lang), list(schema.STOCK_COLUMNS),
                                        format_func=lambda c: records.field_label(c, lang),
                                        key="edit_item")
                    delta = st.number_input(t("edit_delta", lang), value=0, step=1,
                                            key="edit_delta", help=t("edit_delta_help", lang))
                    if st.button(t("edit_apply_delta", lang), key="edit_apply"):
                        now = int(base.get(item) or 0)
                        st.session_state["edit_submit"] = {item: max(0, now + int(delta))}
            with q3.popover(t("edit_retire", lang)):
                st.caption(t("edit_retire_help", lang))
                if st.button(t("edit_retire_confirm", lang), key="edit_retire"):
                    st.session_state["edit_submit"] = "retire"
            submit = st.session_state.pop("edit_submit", None)
            if submit:
                try:
                    if submit == "retire":
                        store.retire(user, selected, base["version"])
                    else:
                        store.update(user, selected, submit, base["version"])
                except Conflict as exc:
                    # kept in the session: the reload button below must exist on the next run
                    st.session_state["edit_conflict"] = (selected, exc.code, dict(exc.params),
                                                         submit)
                except GeoError as exc:
                    _show_error(exc)
                else:
                    for key in (base_key, "edit_pending", "edit_conflict"):
                        st.session_state.pop(key, None)
                    st.session_state["edit_done"] = (
                        selected, "edit_retired" if submit == "retire" else "edit_saved")
                    st.rerun()
            elif submit == {}:
                st.info(t("edit_nothing_changed", lang))
            conflict = st.session_state.get("edit_conflict")
            if conflict is not None and conflict[0] == selected:
                _, code, params, tried = conflict
                stored = params.get("stored", {})
                attempted = params.get("attempted", {}) if tried != "retire" else {}
                shown = {**params, "stored_text": records.pairs_text(stored, lang),
                         "attempted_text": records.pairs_text(attempted, lang) or "—"}
                st.error(problem_text(code, shown, lang, code))
                st.dataframe(records.both_values_table(stored, attempted, lang),
                             hide_index=True, width="stretch")
                if st.button(t("edit_reload", lang), key="edit_reload"):
                    st.session_state.pop(base_key, None)
                    st.session_state.pop("edit_conflict", None)
                    st.rerun()
            with st.expander(t("edit_history", lang), expanded=True):
                log = store.audit_log(selected)
                st.dataframe(records.audit_view(log, lang), hide_index=True, width="stretch")
        elif mode == "add":
            with right:
                kind = st.selectbox(t("col_kind", lang), list(schema.KINDS), key="add_kind",
                                    format_func=lambda k: t(f"kind_{k}", lang))
                if pending is None:
                    st.info(t("add_click_map", lang))
                else:
                    city, district = _locate(*pending)
                    st.info(t("edit_new_position", lang, lon=f"{pending[0]:.6f}",
                              lat=f"{pending[1]:.6f}", district=md_text(district or "—")))
            with st.form("add_form"):
                new_id = st.text_input(t("f_id", lang) + " *", key="add_id")
                name = st.text_input(t("col_name", lang) + " *", key="add_name")
                values = records.record_form(kind, {"status": "active"}, "af", lang)
                added = st.form_submit_button(t("add_save", lang), type="primary")
            if added:
                if pending is None:
                    st.error(t("add_needs_position", lang))
                else:
                    city, district = _locate(*pending)
                    record = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                              for k, v in values.items() if v is not None}
                    record.update(id=new_id.strip(), name=name.strip(), kind=kind,
                                  lon=pending[0], lat=pending[1], source_crs="wgs84",
                                  city=city, district=district)
                    try:
                        store.add(user, record)
                    except GeoError as exc:
                        _show_error(exc)
                    else:
                        st.session_state.pop("add_pending", None)
                        st.success(t("add_done", lang, id=md_text(record["id"])))


# ---- export ---------------------------------------------------------------------------------

if section == "tab_export":
    st.caption(t("export_help", lang))
    frame = store.records()
    if common.city() is not None:
        frame = frame[frame["city"] == common.city()]
    kinds = st.multiselect(t("f_kinds", lang), list(schema.KINDS), default=list(schema.KINDS),
                           placeholder=t("audit_all", lang),
                           key="export_kinds", format_func=lambda k: t(f"kind_{k}", lang))
    frame = frame[frame["kind"].isin(kinds)]
    st.caption(t("export_count", lang, n=f"{len(frame):,}"))
    stem = t("export_name", lang)
    cols = st.columns(4)
    for col, (fmt, fn, mime) in zip(cols, (
            ("CSV", exports.resources_csv, "text/csv"),
            ("XLSX", exports.resources_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("GeoJSON", exports.resources_geojson, "application/geo+json"),
            ("GeoPackage", exports.resources_gpkg, "application/geopackage+sqlite3")),
            strict=True):
        ext = {"GeoPackage": "gpkg"}.get(fmt, fmt.lower())
        col.download_button(fmt, data=lambda f=fn, fr=frame: f(fr), mime=mime,
                            file_name=f"{stem}.{ext}", key=f"export_{ext}",
                            disabled=not len(frame))


# ---- audit and users (admins) ---------------------------------------------------------------

if is_admin:
    if section == "tab_audit":
        log = store.audit_log(limit=20_000)
        c1, c2, c3, c4 = st.columns(4)
        who = c1.multiselect(t("col_user", lang), sorted(log["user_name"].dropna().unique()),
                             key="audit_users", placeholder=t("audit_all", lang))
        what = c2.multiselect(t("col_action", lang), sorted(log["action"].unique()),
                              key="audit_actions", placeholder=t("audit_all", lang),
                              format_func=lambda a: t(f"action_{a}", lang))
        rid = c3.text_input(t("col_resource_id", lang), key="audit_id")
        days = c4.number_input(t("audit_days", lang), min_value=1, value=365, key="audit_days")
        since = pd.Timestamp.now("UTC").tz_localize(None) - pd.Timedelta(days=int(days))
        keep = pd.to_datetime(log["at"]) >= since
        if who:
            keep &= log["user_name"].isin(who)
        if what:
            keep &= log["action"].isin(what)
        if rid.strip():
            keep &= log["resource_id"].astype("string").str.contains(rid.strip(), regex=False,
                                                                      na=False)
        view = records.audit_view(log[keep].iloc[::-1], lang)
        st.caption(t("audit_count", lang, n=f"{len(view):,}"))
        st.dataframe(view, hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        d1.download_button("CSV", data=lambda v=view: to_csv_bytes(v), mime="text/csv",
                           file_name=f"{t('audit_name', lang)}.csv", key="audit_csv")
        d2.download_button("XLSX", data=lambda v=view: to_xlsx_bytes(v),
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           file_name=f"{t('audit_name', lang)}.xlsx", key="audit_xlsx")

    if section == "tab_users":
        people = store.users(user)
        st.dataframe(pd.DataFrame({
            t("login_name", lang): people["name"],
            t("col_role", lang): [t(f"user_role_{r}", lang) for r in people["role"]],
            t("col_created", lang): people["created_at"].astype("string"),
            t("col_last_login", lang): people["last_login"].astype("string").fillna("—"),
        }), hide_index=True, width="stretch")
        u1, u2 = st.columns(2)
        with u1.form("user_new", clear_on_submit=True):
            st.markdown(f"**{t('user_new', lang)}**")
            new_name = st.text_input(t("login_name", lang), key="user_new_name")
            pw1 = st.text_input(t("login_password", lang), type="password", key="user_new_pw")
            pw2 = st.text_input(t("user_password_again", lang), type="password",
                                key="user_new_pw2")
            role = st.selectbox(t("col_role", lang), ["editor", "viewer", "admin"],
                                key="user_new_role",
                                format_func=lambda r: t(f"user_role_{r}", lang))
            if st.form_submit_button(t("user_create", lang)):
                if pw1 != pw2:
                    st.error(t("user_password_mismatch", lang))
                else:
                    try:
                        store.create_user(new_name, pw1, role, by=user)
                    except GeoError as exc:
                        _show_error(exc)
                    else:
                        st.success(t("user_created", lang, name=md_text(new_name)))
        with u2.form("user_role"):
            st.markdown(f"**{t('user_change_role', lang)}**")
            who = st.selectbox(t("login_name", lang), people["name"].tolist(), key="user_role_who")
            role = st.selectbox(t("col_role", lang), ["viewer", "editor", "admin"],
                                key="user_role_new",
                                format_func=lambda r: t(f"user_role_{r}", lang))
            if st.form_submit_button(t("user_set_role", lang)):
                try:
                    store.set_role(user, who, role)
                except GeoError as exc:
                    _show_error(exc)
                else:
                    st.success(t("user_role_set", lang, name=md_text(who),
                                 role=t(f"user_role_{role}", lang)))
