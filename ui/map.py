"""Folium map builder shared by pages: offline base map, district outlines, layers, legend."""

from __future__ import annotations

import copy
import functools
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass

import branca.element
import folium
import geopandas as gpd
import jinja2
import pandas as pd
from branca.element import MacroElement
from folium import plugins
from jinja2 import Template

from geo import schema
from geo.crs import from_wgs84
from ui.assets import use_local_assets
from ui.i18n import t, value_label

MAX_ZOOM = 18

# Rendering a folium map wraps every element's rendered script in a new branca Element, which
# compiles it as a Jinja template: ~4,300 compilations, 2 s of a 2.8 s render for the demo map.
# A copy of a cached base map renders the very same strings each run, so compile each once.
# Compiled templates are immutable, so sharing them between sessions is safe.
branca.element.Template = functools.lru_cache(maxsize=16_384)(jinja2.Template)

# Characters that are harmless in HTML text but live in the script folium writes: replaced by
# numeric character references, which the browser shows as the very same characters.
_SCRIPT_CHARS = str.maketrans({
    "`": "&#96;",  # closes the template literal folium pastes tooltips and popups into
    "$": "&#36;",  # "${" runs an expression inside a template literal
    "\\": "&#92;",  # escapes the closing quote or backtick of a JS string
    "{": "&#123;", "}": "&#125;",  # Jinja: folium compiles each rendered script as a template
    "\n": "&#10;", "\r": "&#13;",  # would end a single- or double-quoted JS string
    "\u2028": "&#8232;", "\u2029": "&#8233;",
})


def map_text(value: object) -> str:
    r"""Data text made safe for the map: the one door by which data reaches folium.

    Folium pastes text into script, not into the DOM: a ``Tooltip`` and a ``Popup`` go inside
    a JavaScript template literal (a backtick string, where ``${...}`` runs), a ``DivIcon``'s
    html and a layer name into double-quoted JSON strings, and the legend in
    :class:`Legend` likewise; Leaflet then sets each as ``innerHTML``. Folium also compiles each
    element's rendered script as a Jinja template (``{{ ... }}`` would run on the server).
    So the text is HTML-escaped (quotes too), and `` ` ``, ``$``, ``\``, ``{``, ``}`` and line
    breaks become character references: the browser shows them unchanged, and none of them can
    end a string or start an expression. ``<`` is ``&lt;``, so ``</script`` cannot occur.

    Missing values (None, NA, NaN, NaT) give ""; anything else is shown as ``str(value)``.
    """
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    return html.escape(str(value), quote=True).translate(_SCRIPT_CHARS)


def render_copy(base: folium.Map) -> folium.Map:
    """A private copy of a cached base map, ready for ``st_folium`` to render.

    Folium's render is not idempotent (markers gain another ``setIcon`` each time, and
    streamlit-folium's variable renaming then breaks: a blank map with "geo_json_... is not
    defined"). Never render a shared map: render a deep copy. The copy keeps the element ids,
    so the generated script, and so the component's iframe, stays the same between runs.
    """
    return copy.deepcopy(base)


@dataclass(frozen=True)
class KindStyle:
    """How one resource kind is drawn: awesome-markers colour, Font Awesome icon, legend colour."""

    color: str
    icon: str
    hex: str


STYLES: dict[str, KindStyle] = {
    "aed": KindStyle("red", "heart-pulse", "#d63e2a"),
    "relief_store": KindStyle("orange", "warehouse", "#f69730"),
    "first_aid_station": KindStyle("green", "kit-medical", "#72b026"),
    "rescue_team": KindStyle("blue", "life-ring", "#38aadd"),
    "community_hub": KindStyle("purple", "house-user", "#d252b9"),
    "training_base": KindStyle("cadetblue", "graduation-cap", "#436978"),
}


@dataclass(frozen=True)
class Basemap:
    """A tile source. ``crs`` is the system its tiles are drawn in ("wgs84" or "gcj02")."""

    key: str
    url: str | None
    attribution: str
    crs: str = "wgs84"
    subdomains: str = "abc"


def basemaps(tianditu_key: str = "") -> dict[str, Basemap]:
    """The basemaps on offer; Tianditu only when a key is configured."""
    out = {
        "none": Basemap("none", None, ""),
        "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                       "&copy; OpenStreetMap contributors"),
        "amap": Basemap(
            "amap",
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}",
            "&copy; 高德地图 Amap", crs="gcj02", subdomains="1234"),
    }
    if tianditu_key:
        out["tianditu"] = Basemap(
            "tianditu",
            "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            f"&TILECOL={{x}}&tk={tianditu_key}",
            "&copy; 天地图 Tianditu", subdomains="01234567")
    return out


def to_display(frame: gpd.GeoDataFrame, basemap: Basemap) -> gpd.GeoDataFrame:
    """Shift WGS84 data to the basemap's system for display only (GCJ-02 for Amap)."""
    return frame if basemap.crs == "wgs84" else from_wgs84(frame, basemap.crs)


class Legend(MacroElement):
    """A Leaflet control listing the layers (labels through :func:`map_text`, passed as JSON)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "rcd-legend");
                div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 9px;" +
                    "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.5 " +
                    "'Noto Sans CJK SC','Microsoft YaHei',sans-serif;";
                div.innerHTML = {{ this.body_json }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, items: Iterable[tuple[str, str, str]]):
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{map_text(title)}</b>"]
        for color, icon, label in items:
            rows.append(
                f'<div><i class="fa-solid fa-{map_text(icon)}" '
                f'style="color:{map_text(color)};'
                f'width:18px;text-align:center"></i> {map_text(label)}</div>')
        self.body_json = json.dumps("".join(rows), ensure_ascii=False)


def base_map(boundaries: gpd.GeoDataFrame, basemap: Basemap, lang: str) -> folium.Map:
    """A map with the basemap (if any) and the district outlines, fitted to the districts."""
    use_local_assets()
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, maxZoom=MAX_ZOOM,
                      zoom_control=True)
    if basemap.url:
        folium.TileLayer(basemap.url, attr=basemap.attribution,
                         name=map_text(t(f"basemap_{basemap.key}", lang)),
                         max_zoom=MAX_ZOOM, subdomains=basemap.subdomains,
                         control=False).add_to(fmap)
    shown = to_display(boundaries, basemap)
    group = folium.FeatureGroup(name=map_text(t("districts", lang)), show=True)
    label_col = "district" if lang == "zh" else "district_en"
    for _, row in shown.iterrows():
        label = map_text(row[label_col])
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f: {"color": "#4a4a4a", "weight": 1.6, "fillColor": "#f3efe6",
                                       "fillOpacity": 0.35},
            tooltip=label,
        ).add_to(group)
        point = row.geometry.representative_point()
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="rcd-district-label" style="font:600 12px sans-serif;'
                     f'color:#333;white-space:nowrap;transform:translate(-50%,-50%);'
                     f'text-shadow:0 0 3px #fff,0 0 3px #fff">{label}</div>',
                icon_size=(0, 0), class_name="rcd-district"),
            interactive=False,
        ).add_to(group)
    group.add_to(fmap)
    minx, miny, maxx, maxy = shown.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def finish(fmap: folium.Map, lang: str, kinds: Iterable[str]) -> folium.Map:
    """Add the legend and the layer switcher (last, so it sees every layer)."""
    fmap.add_child(legend(lang, kinds))
    fmap.add_child(folium.LayerControl(collapsed=False, position="topright"))
    return fmap


def resources_map(
    boundaries: gpd.GeoDataFrame, resources: gpd.GeoDataFrame, basemap: Basemap, lang: str
) -> folium.Map:
    """The overview map: districts plus one toggleable layer per resource kind."""
    fmap = base_map(boundaries, basemap, lang)
    groups = resource_layers(resources, basemap, lang)
    for group in groups:
        group.add_to(fmap)
    kinds = [k for k in schema.KINDS if (resources["kind"] == k).any()]
    return finish(fmap, lang, kinds)


def probe_basemap(keys: Iterable[str], timeout_s: float, tianditu_key: str = "") -> str:
    """Return the first basemap in ``keys`` whose tile server answers, else "none"."""
    import requests

    sample = {"z": 10, "x": 857, "y": 418, "s": "1"}
    for key in keys:
        source = basemaps(tianditu_key).get(key)
        if source is None or source.url is None:
            continue
        url = source.url.replace("{s}", source.subdomains[0])
        url = url.format(**{k: v for k, v in sample.items() if k != "s"})
        try:
            resp = requests.get(url, timeout=timeout_s, stream=True)
        except requests.RequestException:
            continue
        if resp.ok:
            return key
    return "none"


def popup_html(row: pd.Series, lang: str) -> str:
    """The popup for one resource: every attribute that applies to its kind, via map_text."""
    kind = row["kind"]
    name = _name(row, lang)
    fields = ["id", "district", "address", "status", "hours",
              *schema.KIND_COLUMNS.get(kind, ()), "source_crs", "updated_at"]
    lines = [f"<b>{map_text(name)}</b>",
             f"<span style='color:#666'>{map_text(t('kind_' + kind, lang))}</span>"]
    for field in fields:
        value = row.get(field)
        if not _present(value):
            continue
        if isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        label_key = field if field.startswith("stock_") else f"f_{field}"
        label = t(label_key, lang)
        lines.append(f"{map_text(label)}: {map_text(value_label(field, value, lang))}")
    return "<div style='min-width:190px'>" + "<br>".join(lines) + "</div>"


def _name(row: pd.Series, lang: str) -> object:
    """The resource's name in ``lang``: ``name_en`` in English when it is filled in."""
    return row["name"] if lang == "zh" or not _present(row.get("name_en")) else row["name_en"]


def _present(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and value != value:
        return False
    return str(value).strip() != ""


def resource_layers(
    resources: gpd.GeoDataFrame, basemap: Basemap, lang: str, kinds: Iterable[str] | None = None
) -> list[folium.FeatureGroup]:
    """One toggleable FeatureGroup per kind, each with its own icon and colour; AEDs clustered."""
    shown = to_display(resources, basemap)
    groups = []
    for kind in kinds or schema.KINDS:
        subset = shown[shown["kind"] == kind]
        if subset.empty:
            continue
        style = STYLES[kind]
        label = f"{t('kind_' + kind, lang)} ({len(subset)})"
        group = folium.FeatureGroup(name=map_text(label),
                                    show=kind in schema.CORE_KINDS)
        parent = plugins.MarkerCluster(name=kind, control=False,
                                       options={"maxClusterRadius": 45}) if kind == "aed" else group
        for _, row in subset.iterrows():
            tip = _name(row, lang)
            folium.Marker(
                [row.geometry.y, row.geometry.x],
                icon=folium.Icon(color=style.color, icon=style.icon, prefix="fa"),
                popup=folium.Popup(popup_html(row, lang), max_width=320),
                tooltip=map_text(tip),
            ).add_to(parent)
        if parent is not group:
            parent.add_to(group)
        groups.append(group)
    return groups


def legend(lang: str, kinds: Iterable[str]) -> Legend:
    """The legend for the given kinds plus the district outlines."""
    items = [(STYLES[k].hex, STYLES[k].icon, t("kind_" + k, lang)) for k in kinds]
    items.append(("#4a4a4a", "draw-polygon", t("districts", lang)))
    return Legend(t("legend", lang), items)
