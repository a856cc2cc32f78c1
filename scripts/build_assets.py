"""Rebuild ``geomap/_static/``: the Leaflet and plugin files a self-contained map inlines.

Every file comes from a pinned npm package fetched with ``npm pack`` (the
npm registry is the only network this needs), except the Leaflet.heat build
folium ships with its own patch, which is read from the installed folium
package.  CSS ``url(...)`` images and fonts are turned into ``data:`` URIs
here, once, so that writing a map only copies text.

Output: ``geomap/_static/<package>/<file>``, ``geomap/_static/licenses/`` and
``geomap/_static/manifest.json``, which maps each CDN URL that folium,
branca and the plugins geomap uses emit to its local file.  The committed
``_static/`` is this script's output; run it again after a folium upgrade::

    python scripts/build_assets.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import posixpath
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "geomap" / "_static"

# npm package -> licence file inside its tarball (None: no file shipped; the
# licence named in package.json is recorded instead).
PACKAGES = {
    "leaflet@1.9.3": "LICENSE",
    "jquery@3.7.1": "LICENSE.txt",
    "bootstrap@5.2.2": "LICENSE",
    "@fortawesome/fontawesome-free@6.2.0": "LICENSE.txt",
    "drmonty-leaflet-awesome-markers@2.0.2": None,
    "leaflet.markercluster@1.1.0": "MIT-LICENCE.txt",
    "leaflet.fullscreen@3.0.0": "LICENSE",
    "leaflet-minimap@3.6.1": "LICENSE.txt",
    "leaflet-measure@2.1.7": "LICENSE",
    "leaflet-textpath@1.2.3": "LICENSE",
    "leaflet.heat@0.2.0": "LICENSE",
    "d3@3.5.5": "LICENSE",
    "jquery-ui-dist@1.12.1": "LICENSE.txt",
}

# CDN URL -> (npm package, path inside the package).  ``folium:`` reads from
# the installed folium package; ``generated:`` is written by this script.
ASSETS = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": ("leaflet@1.9.3", "dist/leaflet.js"),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": ("leaflet@1.9.3", "dist/leaflet.css"),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery@3.7.1", "dist/jquery.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap@5.2.2",
        "dist/js/bootstrap.bundle.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap@5.2.2",
        "dist/css/bootstrap.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "@fortawesome/fontawesome-free@6.2.0",
        "css/all.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "drmonty-leaflet-awesome-markers@2.0.2",
        "js/leaflet.awesome-markers.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "drmonty-leaflet-awesome-markers@2.0.2",
        "css/leaflet.awesome-markers.css",
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        "generated:",
        "leaflet.awesome.rotate.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster@1.1.0",
        "dist/leaflet.markercluster.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster@1.1.0",
        "dist/MarkerCluster.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "leaflet.markercluster@1.1.0",
        "dist/MarkerCluster.Default.css",
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        "leaflet.fullscreen@3.0.0",
        "Control.FullScreen.js",
    ),
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        "leaflet.fullscreen@3.0.0",
        "Control.FullScreen.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js": (
        "leaflet-minimap@3.6.1",
        "dist/Control.MiniMap.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css": (
        "leaflet-minimap@3.6.1",
        "dist/Control.MiniMap.min.css",
    ),
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js": (
        "leaflet-measure@2.1.7",
        "dist/leaflet-measure.min.js",
    ),
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css": (
        "leaflet-measure@2.1.7",
        "dist/leaflet-measure.css",
    ),
    "https://cdn.jsdelivr.net/npm/leaflet-textpath@1.2.3/leaflet.textpath.min.js": (
        "leaflet-textpath@1.2.3",
        "leaflet.textpath.js",
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": (
        "folium:",
        "templates/leaflet_heat.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": ("d3@3.5.5", "d3.min.js"),
    # geopandas' explore() writes this into its categorical legend.
    "https://code.jquery.com/ui/1.12.1/jquery-ui.js": ("jquery-ui-dist@1.12.1", "jquery-ui.min.js"),
}

# Known URLs deliberately left out of offline pages, with the reason.
OMITTED = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "Bootstrap 3 glyphicons: only for folium.Icon(prefix='glyphicon'); not packaged on npm"
    ),
}

# The Leaflet default marker images, set explicitly after leaflet.js in
# offline pages (Leaflet's path detection fails with data: CSS).
LEAFLET_ICONS = {
    "iconUrl": ("leaflet@1.9.3", "dist/images/marker-icon.png"),
    "iconRetinaUrl": ("leaflet@1.9.3", "dist/images/marker-icon-2x.png"),
    "shadowUrl": ("leaflet@1.9.3", "dist/images/marker-shadow.png"),
}

_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_TTF_SRC = re.compile(r""",\s*url\(\s*['"]?[^'")]+\.ttf['"]?\s*\)\s*format\(\s*['"]truetype['"]\s*\)""")


def _safe_name(package: str) -> str:
    return package.rsplit("@", 1)[0].lstrip("@").replace("/", "-")


def _fetch(package: str, into: Path) -> Path:
    """``npm pack`` one package and unpack it; return its ``package/`` folder."""
    out = subprocess.run(
        ["npm", "pack", package, "--silent", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    )
    tgz = into / out.stdout.strip().splitlines()[-1]
    dest = into / _safe_name(package)
    with tarfile.open(tgz) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0]
    if mime is None:
        mime = {".woff2": "font/woff2", ".woff": "font/woff", ".svg": "image/svg+xml"}.get(path.suffix)
    if mime is None:
        raise SystemExit(f"{path}: unknown file type for a data: URI")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css_urls(css: str, css_path: Path, package_root: Path) -> str:
    """Replace every relative ``url(...)`` in ``css`` by a ``data:`` URI of the file."""
    css = _TTF_SRC.sub("", css)  # woff2 is enough for every browser Leaflet supports

    def repl(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if "://" in target or target.startswith("//"):
            raise SystemExit(f"{css_path}: external url in CSS: {target}")
        clean = target.split("?", 1)[0].split("#", 1)[0]
        file = (css_path.parent / clean).resolve()
        if not file.is_relative_to(package_root.resolve()) or not file.is_file():
            raise SystemExit(f"{css_path}: CSS url points to a missing file: {target}")
        return f'url("{_data_uri(file)}")'

    return _URL.sub(repl, css)


def _rotate_css() -> str:
    return "".join(f".fa-rotate-{d}{{transform:rotate({d}deg)}}" for d in range(360)) + "\n"


def main() -> int:
    import folium

    folium_root = Path(folium.__file__).parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        roots = {pkg: _fetch(pkg, tmp_path) for pkg in PACKAGES}
        if STATIC.exists():
            for old in sorted(STATIC.rglob("*"), reverse=True):
                old.unlink() if old.is_file() else old.rmdir()
        STATIC.mkdir(parents=True, exist_ok=True)
        (STATIC / "licenses").mkdir()

        manifest: dict = {"assets": {}, "omitted": dict(sorted(OMITTED.items())), "packages": {}, "leaflet_icons": {}}
        for pkg, licence in PACKAGES.items():
            meta = json.loads((roots[pkg] / "package.json").read_text(encoding="utf-8"))
            name = _safe_name(pkg)
            entry = {"version": meta["version"], "license": meta.get("license", "")}
            if licence:
                dest = STATIC / "licenses" / f"{name}.txt"
                dest.write_bytes((roots[pkg] / licence).read_bytes())
                entry["license_file"] = f"licenses/{name}.txt"
            manifest["packages"][pkg] = entry

        for url, (pkg, inner) in sorted(ASSETS.items()):
            if pkg == "folium:":
                src = folium_root / inner
                text = src.read_text(encoding="utf-8")
                source = f"folium {folium.__version__}: folium/{inner}"
                local = f"leaflet.heat/{posixpath.basename(inner)}"
            elif pkg == "generated:":
                text = _rotate_css()
                source = "generated by scripts/build_assets.py (same rules as folium's file)"
                local = f"folium/{inner}"
            else:
                src = roots[pkg] / inner
                text = src.read_text(encoding="utf-8")
                if src.suffix == ".css":
                    text = _inline_css_urls(text, src, roots[pkg])
                source = f"npm {pkg}: {inner}"
                local = f"{_safe_name(pkg)}/{posixpath.basename(inner)}"
            text = text.replace("\r\n", "\n")
            dest = STATIC / local
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8", newline="\n")
            kind = "css" if local.endswith(".css") else "js"
            manifest["assets"][url] = {
                "file": local,
                "kind": kind,
                "source": source,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            }
        for key, (pkg, inner) in LEAFLET_ICONS.items():
            manifest["leaflet_icons"][key] = _data_uri(roots[pkg] / inner)

        (STATIC / "manifest.json").write_text(
            json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    total = sum(p.stat().st_size for p in STATIC.rglob("*") if p.is_file())
    print(f"wrote {len(manifest['assets'])} assets to {STATIC} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
