"""Open local HTML files in Debian's headless Chromium, with the network blocked.

Shared by the browser tests and the map benchmark.  Every request that is not
``file:`` or ``data:`` is recorded; map-tile requests are answered with a
blank tile (so a missing tile server makes no console noise) and everything
else is aborted.  Console errors and page errors are collected.

    with Browser() as browser:
        page = browser.open(path)          # a Page, after the load event
        assert not page.errors and not page.blocked

If ``/usr/bin/chromium`` (or Playwright) is missing the calling test is
skipped, unless ``GEOMAP_REQUIRE_BROWSER=1`` (CI), where it fails.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Tile servers the maps use: {z}/{x}/{y} image URLs.
TILE_URL = re.compile(r"^https?://([a-z0-9-]+\.)*(tile\.openstreetmap\.org|basemaps\.cartocdn\.com)/.*\d+/\d+/\d+")
_BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII="
)


def _unavailable(reason: str) -> NoReturn:
    import pytest

    if os.environ.get("GEOMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required (GEOMAP_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@dataclass
class OpenedPage:
    """A page and what happened while it ran."""

    page: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    blocked: list[str] = field(default_factory=list)  # non-tile requests that were aborted
    tiles: list[str] = field(default_factory=list)  # tile requests answered with a blank image
    dialogs: list[str] = field(default_factory=list)  # alert()/confirm() messages (a script ran)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


class Browser:
    """One headless Chromium (persistent context in a fresh temp profile)."""

    def __init__(self, *, width: int = 1280, height: int = 800) -> None:
        self.viewport = {"width": width, "height": height}
        self._pw = None
        self._context = None
        self._profile: str | None = None

    def __enter__(self) -> Browser:
        if not Path(CHROMIUM).exists():
            _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            _unavailable("the playwright Python package is not installed")
        self._profile = tempfile.mkdtemp(prefix="geomap-chromium-")
        self._pw = sync_playwright().start()
        self._context = self._pw.chromium.launch_persistent_context(
            user_data_dir=self._profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=self.viewport,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def open(self, path: str | Path, *, wait_ready: bool = True, timeout_ms: int = 60_000) -> OpenedPage:
        """Load ``path`` with the network blocked; wait for ``window.__geomapReady`` if asked."""
        page = self._context.new_page()
        opened = OpenedPage(page)

        def route(r) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            elif TILE_URL.match(url):
                opened.tiles.append(url)
                r.fulfill(status=200, content_type="image/png", body=_BLANK_PNG)
            else:
                opened.blocked.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: opened.errors.append(f"pageerror: {exc}"))

        def dialog(d) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        page.bring_to_front()  # a background tab gets no animation frames
        if wait_ready:
            page.wait_for_function("window.__geomapReady === true", timeout=timeout_ms)
        return opened
