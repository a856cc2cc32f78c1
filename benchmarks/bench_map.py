"""The map at scale: ``geomap map`` end to end on generated corpora of 1,000, 5,000 and 20,000 reports.

For each size: the reports are generated (the extraction benchmark's
generator: ~5 KB articles in several styles, about ten incidents and two
routes a report), ``geomap map`` runs on them as a user would (every layer:
incidents, routes, crossings, shading, timeline, table), and the page it
writes is opened in headless Chromium with the network blocked, in three
fresh tabs (``GEOMAP_BENCH_OPENS``), and the medians printed: incidents and
routes drawn, the command's time, the HTML size, the time until the page is
ready by the page's own clock (from navigation start to every layer drawn,
the ``geomap-ready`` mark) and by the benchmark's wall clock (a new tab, the
load, ``window.__geomapReady``), the time until the detail strings (evidence,
titles: popups and table text) are read, the time to refilter by date
(a period set in the filters, until the next frame is painted: sites, heat,
shading, routes, counts, timeline and table), and, beside them, the figures
of the map before it was rebuilt around one payload (measured by the issue
that asked for this, same generator, same machine class).
Aim: 20,000 reports ready in at most 3 s, a page of at most 15 MB, a refilter
in at most 1 s.

Run: ``python -m benchmarks map`` (``GEOMAP_BENCH_SIZES=1000,5000`` to choose;
the 20,000 case takes several minutes on two cores: run it once).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 5_000, 20_000)

#: The map before (issue 14, all layers): reports -> (HTML MB, ready s); None: did not load in 5 minutes.
BEFORE = {1_000: (9.6, 10.7), 5_000: (42.0, 218.0), 20_000: None}


def _draw_time(page, action: str) -> float:
    """Seconds from running ``action`` (JS) until two animation frames have been painted."""
    return page.evaluate(
        """async (action) => {
            const t0 = performance.now();
            await (new Function("return (async () => {" + action + "})()"))();
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            return (performance.now() - t0) / 1000;
        }""",
        action,
    )


def _run(corpus: Path, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geomap", "map", str(corpus), "-o", str(out), "-q", "--jobs", "2"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def _open(browser, page_path: Path) -> tuple[float, float, float, float, list]:
    """One fresh tab: wall-clock ready, ready by the page's own clock, details read, refilter (s), counts."""
    t0 = time.perf_counter()
    opened = browser.open(page_path, timeout_ms=600_000)
    wall = time.perf_counter() - t0
    page = opened.page
    try:
        if opened.errors or opened.blocked:
            raise RuntimeError(f"{page_path}: {opened.errors[:2]} {opened.blocked[:2]}")
        # From navigation start: parsing the page, reading the data, drawing every layer.
        ready = page.evaluate("() => performance.getEntriesByName('geomap-ready')[0].startTime / 1000")
        details = page.evaluate("async () => { await __geomapApp.details(); return performance.now() / 1000; }")
        counts = page.evaluate("() => [__geomapApp.app.n, __geomapApp.app.routes.id.length]")
        lo, hi = page.evaluate("() => __geomapApp.app.range")
        refilter = _draw_time(page, f"__geomapApp.setPeriod({lo + (hi - lo) // 4}, {(lo + hi) // 2}, false);")
    finally:
        page.close()
    return wall, ready, details, refilter, counts


def main() -> None:
    import statistics

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    from _browser import Browser  # the tests' helper: Debian chromium, network blocked

    from benchmarks.bench_extract import _corpus

    sizes = [int(s) for s in os.environ.get("GEOMAP_BENCH_SIZES", "").split(",") if s] or SIZES
    opens = int(os.environ.get("GEOMAP_BENCH_OPENS", "3"))
    print(f"medians of {opens} fresh tabs each (the box is shared: figures move with its load)")
    print(f"{'reports':>8} {'incidents':>10} {'routes':>7} {'map s':>7} {'HTML MB':>8} {'ready s':>8} {'(wall)':>7} "
          f"{'details s':>9} {'refilter s':>10}   before: {'HTML MB':>7} {'ready s':>8}")
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n in sizes:
            corpus, *_ = _corpus(Path(tmp), n)
            out = Path(tmp) / f"out_{n}"
            seconds = _run(corpus, out)
            page_path = out / "border_activity.html"
            size_mb = page_path.stat().st_size / 1e6
            runs = [_open(browser, page_path) for _ in range(opens)]
            wall, ready, details, refilter = (statistics.median(r[k] for r in runs) for k in range(4))
            counts = runs[0][4]
            before = BEFORE.get(n, ())
            past = (f"{before[0]:>7.1f} {before[1]:>8.1f}" if before else f"{'-':>7} {'> 300':>8}") if n in BEFORE else ""
            print(f"{n:>8,} {counts[0]:>10,} {counts[1]:>7,} {seconds:>7.1f} {size_mb:>8.2f} {ready:>8.2f} {wall:>7.2f} "
                  f"{details:>9.2f} {refilter:>10.2f}   {past}", flush=True)


if __name__ == "__main__":
    main()
