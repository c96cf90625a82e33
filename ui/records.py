"""Widgets for one resource record: labels, the edit form by kind, history, the edit map layer.

Everything here shows or collects values; the store validates and writes them (and refuses
what the user's role does not allow).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import folium
import numpy as np
import pandas as pd
import streamlit as st
from branca.element import Element, MacroElement
from jinja2 import Template

from geo import schema
from ui.i18n import STRINGS, t, value_label
from ui.map import map_text

SPEC = schema.spec_by_name(schema.RESOURCE_SPEC)
#: Fields the form never shows: the id is fixed, the position is set on the map, the city and
#: district follow the position and the source CRS belongs to the position.
FIXED = ("id", "kind", "lon", "lat", "source_crs", "city", "district")
_OWN_LABELS = {"name": "col_name", "kind": "col_kind", "city": "col_city",
               "lon": "col_resource_lon", "lat": "col_resource_lat", "name_en": "f_name_en",
               "source_crs": "f_source_crs", "id": "f_id"}


def field_label(column: str, lang: str) -> str:
    """A resource column's label in ``lang`` (with its unit when it has one)."""
    key = _OWN_LABELS.get(column) or (column if column.startswith("stock_") else f"f_{column}")
    label = t(key, lang) if key in STRINGS else column
    spec = SPEC.get(column)
    if spec is not None and spec.unit and spec.unit not in label and spec.type == "int":
        label = f"{label}（{unit_text(spec.unit, lang)}）" if lang == "zh" else (
            f"{label} ({unit_text(spec.unit, lang)})")
    return label


def unit_text(unit: str, lang: str) -> str:
    """A unit in ``lang`` when the catalogue has it (``unit_people`` ...), else as written."""
    key = f"unit_{unit.replace('/', '_per_').replace('³', '3')}"
    return t(key, lang) if key in STRINGS else unit


def form_fields(kind: str) -> list[str]:
    """The columns a record of ``kind`` has, in spec order, without :data:`FIXED`."""
    return [c.name for c in schema.RESOURCE_SPEC
            if c.name not in FIXED and (c.kinds is None or kind in c.kinds)]


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_date(value: Any) -> dt.date | None:
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def record_form(kind: str, values: dict[str, Any], key: str, lang: str) -> dict[str, Any]:
    """Widgets for every field of ``kind``, prefilled from ``values``; returns what they hold.

    Call it inside an ``st.form``. Empty text and an unset date or number come back as None.
    """
    out: dict[str, Any] = {}
    cols = st.columns(2)
    for i, name in enumerate(form_fields(kind)):
        spec = SPEC[name]
        label = field_label(name, lang) + (" *" if spec.required else "")
        current = values.get(name)
        where = cols[i % 2]
        wkey = f"{key}_{name}"
        if spec.type == "enum":
            options = list(spec.allowed or ())
            if not spec.required:
                options = ["", *options]
            value = "" if _is_missing(current) else str(current)
            if value not in options:
                options.append(value)
            out[name] = where.selectbox(
                label, options, index=options.index(value), key=wkey,
                format_func=lambda v, f=name: "—" if v == "" else value_label(f, v, lang)) or None
        elif spec.type == "date":
            out[name] = where.date_input(label, value=_as_date(current), key=wkey,
                                         min_value=dt.date(1990, 1, 1),
                                         max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD")
        elif spec.type == "int":
            number = None if _is_missing(current) else int(current)
            out[name] = where.number_input(label, value=number, min_value=0, step=1,
                                           key=wkey, placeholder="—")
        else:
            text = "" if _is_missing(current) else str(current)
            got = where.text_input(label, value=text, key=wkey,
                                   help=t("hours_help", lang) if spec.type == "hours" else None)
            out[name] = got.strip() or None
    return out


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs (missing values all count as the same)."""
    changed: dict[str, Any] = {}
    for name, new in after.items():
        old = before.get(name)
        if _is_missing(old) and _is_missing(new):
            continue
        if SPEC.get(name) is not None and SPEC[name].type == "date":
            if _as_date(old) == _as_date(new):
                continue
        elif not _is_missing(old) and not _is_missing(new) and str(old) == str(new):
            continue
        if isinstance(new, float) and new.is_integer() and SPEC[name].type == "int":
            new = int(new)
        changed[name] = new.isoformat() if isinstance(new, dt.date) else new
    return changed


def value_text(name: str, value: Any, lang: str) -> str:
    """One stored value as the UI shows it (labels for codes, ISO dates, — for nothing)."""
    if _is_missing(value):
        return "—"
    spec = SPEC.get(name)
    if spec is not None and spec.type == "enum":
        return value_label(name, value, lang) if name != "kind" else t(f"kind_{value}", lang)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if spec is not None and spec.type == "date" else str(value)
    if isinstance(value, float) and name in ("lon", "lat"):
        return f"{value:.6f}"
    return str(value)


def both_values_table(stored: dict[str, Any], attempted: dict[str, Any], lang: str
                      ) -> pd.DataFrame:
    """A conflict's two sides, field by field: the value now stored and the one typed."""
    names = list(dict.fromkeys([*attempted, *stored]))
    return pd.DataFrame({
        t("col_field", lang): [field_label(n, lang) for n in names],
        t("col_stored_now", lang): [value_text(n, stored.get(n), lang) for n in names],
        t("col_yours", lang): [value_text(n, attempted.get(n), lang) if n in attempted else ""
                               for n in names],
    })


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {}


def pairs_text(values: dict[str, Any], lang: str) -> str:
    """``field=value; ...`` with the fields' labels and values as the UI shows them."""

    def one(key: str, value: Any) -> str:
        if key == "role":
            return f"{t('col_role', lang)}={t('user_role_' + str(value), lang)}"
        if key in ("file", "rows"):
            return f"{key}={value}"
        return f"{field_label(key, lang)}={value_text(key, value, lang)}"

    return "; ".join(one(k, v) for k, v in values.items())


def audit_view(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Audit entries as a table in ``lang``: time (China), user, action, record, before, after."""
    at = pd.to_datetime(log["at"], utc=True).dt.tz_convert("Asia/Shanghai")
    return pd.DataFrame({
        t("col_time", lang): at.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        t("col_user", lang): log["user_name"].astype("string").to_numpy(),
        t("col_action", lang): [t(f"action_{a}", lang) for a in log["action"]],
        t("col_resource_id", lang): log["resource_id"].astype("string").fillna("").to_numpy(),
        t("col_version", lang): ["" if pd.isna(v) else str(int(v)) for v in log["version"]],
        t("col_before", lang): [pairs_text(_json(v), lang) for v in log["before"]],
        t("col_after", lang): [pairs_text(_json(v), lang) for v in log["after"]],
    })


class _DragToClick(MacroElement):
    """Dropping the dragged marker answers like a click at the drop point.

    streamlit-folium reports map clicks, not drags.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on('dragend', function (e) {
            window.map.fire('click', {latlng: e.target.getLatLng()});
        });
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "DragToClick"


def edit_layer(records: pd.DataFrame, selected: str | None, pending: tuple[float, float] | None,
               lang: str, shift) -> folium.FeatureGroup:
    """The records as small dots, the selected one as a draggable marker, a pending position.

    ``shift(lon, lat)`` moves WGS84 arrays onto the basemap's system (GCJ-02 for Amap tiles).
    """
    group = folium.FeatureGroup(name="edit", control=False)
    if len(records):
        lon, lat = shift(records["lon"].to_numpy(float), records["lat"].to_numpy(float))
        for rid, name, x, y in zip(records["id"], records["name"], lon, lat, strict=True):
            if rid == selected:
                continue
            folium.CircleMarker([y, x], radius=3, weight=1, color="#555", fill=True,
                                fill_opacity=0.6,
                                tooltip=f"{map_text(rid)} · {map_text(name)}").add_to(group)
    row = records[records["id"] == selected] if selected else records.iloc[:0]
    if len(row):
        x, y = shift(np.array([float(row["lon"].iloc[0])]), np.array([float(row["lat"].iloc[0])]))
        marker = folium.Marker([float(y[0]), float(x[0])], draggable=True,
                               tooltip=f"{map_text(selected)} · {map_text(row['name'].iloc[0])}",
                               icon=folium.Icon(color="red", icon="crosshairs", prefix="fa"))
        marker.add_child(_DragToClick())
        marker.add_to(group)
    if pending is not None:
        x, y = shift(np.array([pending[0]]), np.array([pending[1]]))
        folium.CircleMarker([float(y[0]), float(x[0])], radius=9, weight=3, color="#d62728",
                            fill=False, tooltip=map_text(t("pending_position", lang)),
                            class_name="rcd-pending").add_to(group)
    group.add_child(Element(""))
    return group
