"""Offline map assets: the npm packages folium needs, served by Streamlit from ./static/vendor.

Folium's defaults load Leaflet, jQuery, Bootstrap, Font Awesome and the plugins from CDNs,
which command centres without internet (and many networks in mainland China) cannot reach:
the map then draws nothing. ``scripts/fetch_assets.py`` installs these packages from the npm
registry at setup time (never committed), and :func:`use_local_assets` points folium at them.
Streamlit serves ``./static`` at ``/app/static`` when ``server.enableStaticServing`` is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
from folium import plugins

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "static" / "vendor"
URL_PREFIX = "/app/static/vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: which folder of its tarball to keep and where it goes."""

    spec: str  # name@version, pinned
    keep: str  # folder inside the tarball ("package/dist")
    dest: str  # folder under static/vendor
    only: tuple[str, ...] = ()  # sub-folders of ``keep`` to install (all when empty)


PACKAGES: dict[str, Package] = {
    "leaflet": Package("leaflet@1.9.3", "package/dist", "leaflet"),
    "jquery": Package("jquery@3.7.1", "package/dist", "jquery"),
    "bootstrap": Package("bootstrap@5.2.2", "package/dist", "bootstrap"),
    "fontawesome": Package(
        "@fortawesome/fontawesome-free@6.2.0", "package", "fontawesome", ("css/", "webfonts/")),
    "awesome_markers": Package("leaflet.awesome-markers@2.0.4", "package/dist", "awesome-markers"),
    "markercluster": Package("leaflet.markercluster@1.1.0", "package/dist", "markercluster"),
    "draw": Package("leaflet-draw@1.0.2", "package/dist", "leaflet-draw"),
    "heat": Package("leaflet.heat@0.2.0", "package/dist", "leaflet-heat"),
}


def _url(dest: str, path: str) -> str:
    return f"{URL_PREFIX}/{dest}/{path}"


MAP_JS = [
    ("leaflet", _url("leaflet", "leaflet.js")),
    ("jquery", _url("jquery", "jquery.min.js")),
    ("bootstrap", _url("bootstrap", "js/bootstrap.bundle.min.js")),
    ("awesome_markers", _url("awesome-markers", "leaflet.awesome-markers.min.js")),
]
MAP_CSS = [
    ("leaflet_css", _url("leaflet", "leaflet.css")),
    ("bootstrap_css", _url("bootstrap", "css/bootstrap.min.css")),
    ("awesome_markers_font_css", _url("fontawesome", "css/all.min.css")),
    ("awesome_markers_css", _url("awesome-markers", "leaflet.awesome-markers.css")),
]
PLUGIN_ASSETS = {
    plugins.MarkerCluster: (
        [("markerclusterjs", _url("markercluster", "leaflet.markercluster.js"))],
        [("markerclustercss", _url("markercluster", "MarkerCluster.css")),
         ("markerclusterdefaultcss", _url("markercluster", "MarkerCluster.Default.css"))],
    ),
    plugins.Draw: (
        [("leaflet_draw_js", _url("leaflet-draw", "leaflet.draw.js"))],
        [("leaflet_draw_css", _url("leaflet-draw", "leaflet.draw.css"))],
    ),
    plugins.HeatMap: ([("leaflet-heat.js", _url("leaflet-heat", "leaflet-heat.js"))], []),
}


def local_files() -> list[Path]:
    """Every file the map pages load, as paths on disk (to check the setup step ran)."""
    urls = [u for _, u in MAP_JS + MAP_CSS]
    for js, css in PLUGIN_ASSETS.values():
        urls += [u for _, u in js + css]
    return [VENDOR_DIR / u.removeprefix(URL_PREFIX + "/") for u in urls]


def missing_files() -> list[Path]:
    """Asset files that are not installed (run ``make setup`` / scripts/fetch_assets.py)."""
    return [p for p in local_files() if not p.exists()]


def use_local_assets() -> None:
    """Point folium and its plugins at the local copies (idempotent; call before building maps)."""
    folium.Map.default_js = list(MAP_JS)
    folium.Map.default_css = list(MAP_CSS)
    for cls, (js, css) in PLUGIN_ASSETS.items():
        cls.default_js = list(js)
        cls.default_css = list(css)
