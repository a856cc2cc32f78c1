"""Make a rendered folium page self-contained: CDN links replaced by inline files.

folium, branca and the plugins write ``<script src="https://cdn...">`` and
``<link rel="stylesheet" href="https://cdn...">`` tags.  :func:`inline_assets`
replaces each one whose URL is in ``_static/manifest.json`` (written by
``scripts/build_assets.py``) by the file's content, and fails, naming the
URL, when an external script or stylesheet it does not know remains: a page
that silently needs the network is worse than no page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from geomap._errors import InputError

__all__ = ["OfflineAssetError", "inline_assets", "known_urls"]

# Bootstrap, Font Awesome and Awesome Markers: only folium.Icon markers need them.
ICON_ASSETS = (
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
)

_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"

_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*(["'])(?P<url>[^"']+)\1[^>]*>\s*</script\s*>""", re.I)
_LINK_HREF = re.compile(r"""<link\b[^>]*?\bhref\s*=\s*(["'])(?P<url>[^"']+)\1[^>]*?/?>""", re.I)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


class OfflineAssetError(InputError):
    """A page refers to an external script or stylesheet with no local copy."""


@lru_cache(maxsize=1)
def _manifest() -> dict:
    text = resources.files("geomap").joinpath("_static/manifest.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=32)
def _asset_text(local: str) -> str:
    return resources.files("geomap").joinpath(f"_static/{local}").read_text(encoding="utf-8")


def known_urls() -> frozenset[str]:
    """Every CDN URL that :func:`inline_assets` can replace or deliberately omit."""
    manifest = _manifest()
    return frozenset(manifest["assets"]) | frozenset(manifest["omitted"])


def _icon_fix() -> str:
    """Script that sets Leaflet's default marker images (path detection fails with data: CSS)."""
    icons = _manifest()["leaflet_icons"]
    options = json.dumps({**icons, "imagePath": ""}, sort_keys=True)
    return (
        "<script>L.Icon.Default.mergeOptions(" + options + ");"
        "L.Icon.Default.prototype._getIconUrl=L.Icon.prototype._getIconUrl;</script>"
    )


def _script(text: str) -> str:
    # An inline script ends at the first "</script": keep that sequence out of it.
    return "<script>" + re.sub(r"</(script)", r"<\\/\1", text, flags=re.I) + "</script>"


def _style(text: str) -> str:
    return "<style>" + re.sub(r"</(style)", r"<\\/\1", text, flags=re.I) + "</style>"


def inline_assets(html: str, *, drop: Iterable[str] = ()) -> str:
    """Return ``html`` with every known CDN script and stylesheet inlined.

    Parameters
    ----------
    html
        A page rendered by folium (``m.get_root().render()``).
    drop
        CDN URLs to remove instead of inlining (assets the page does not use).

    Raises
    ------
    OfflineAssetError
        When an external ``<script src>`` or ``<link href>`` has no local copy.
    """
    manifest = _manifest()
    assets, omitted = manifest["assets"], manifest["omitted"]
    dropped = frozenset(drop)
    seen: set[str] = set()
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        url = match.group("url").strip()
        tag = match.group(0)
        if not _EXTERNAL.match(url):  # local or data: references are already self-contained
            return tag
        if url in dropped or url in omitted:
            return ""
        entry = assets.get(url)
        if entry is None:
            unknown.append(url)
            return tag
        if url in seen:  # the same library twice (two plugins declaring it): once is enough
            return ""
        seen.add(url)
        text = _asset_text(entry["file"])
        if entry["kind"] == "css":
            return _style(text)
        out = _script(text)
        if url == _LEAFLET_JS:
            out += _icon_fix()
        return out

    html = _SCRIPT_SRC.sub(replace, html)
    html = _LINK_HREF.sub(replace, html)
    if unknown:
        msg = f"no offline copy of external asset {unknown[0]!r} (save with offline=False to keep CDN links)"
        raise OfflineAssetError(msg)
    return html
