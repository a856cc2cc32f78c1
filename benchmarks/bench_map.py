"""The map at scale: ``geomap map`` end to end on generated corpora of 1,000, 5,000 and 20,000 reports.

For each size: the reports are generated (the extraction benchmark's
generator: ~5 KB articles in several styles, about ten incidents and two
routes a report), ``geomap map`` runs on them as a user would (every layer:
incidents, routes, crossings, shading, timeline, table), and the page it
writes is opened in headless Chromium with the network blocked.  Printed:
incidents and routes drawn, the command's time, the HTML size, the time until
the page is ready (``window.__geomapReady``), the time to refilter by date
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


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    from _browser import Browser  # the tests' helper: Debian chromium, network blocked

    from benchmarks.bench_extract import _corpus

    sizes = [int(s) for s in os.environ.get("GEOMAP_BENCH_SIZES", "").split(",") if s] or SIZES
    print(f"{'reports':>8} {'incidents':>10} {'routes':>7} {'map s':>7} {'HTML MB':>8} {'ready s':>8} "
          f"{'refilter s':>10}   before: {'HTML MB':>7} {'ready s':>8}")
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n in sizes:
            corpus, *_ = _corpus(Path(tmp), n)
            out = Path(tmp) / f"out_{n}"
            seconds = _run(corpus, out)
            page_path = out / "border_activity.html"
            size_mb = page_path.stat().st_size / 1e6
            t0 = time.perf_counter()
            opened = browser.open(page_path, timeout_ms=600_000)
            ready = time.perf_counter() - t0
            page = opened.page
            counts = page.evaluate("() => [__geomapApp.app.n, __geomapApp.app.routes.id.length]")
            lo, hi = page.evaluate("() => __geomapApp.app.range")
            mid = (lo + hi) // 2
            refilter = _draw_time(page, f"__geomapApp.setPeriod({lo + (hi - lo) // 4}, {mid}, false);")
            errors = f"  errors: {opened.errors[:2]}" if opened.errors or opened.blocked else ""
            before = BEFORE.get(n, ())
            past = (f"{before[0]:>7.1f} {before[1]:>8.1f}" if before else f"{'-':>7} {'> 300':>8}") if n in BEFORE else ""
            print(f"{n:>8,} {counts[0]:>10,} {counts[1]:>7,} {seconds:>7.1f} {size_mb:>8.2f} {ready:>8.2f} "
                  f"{refilter:>10.2f}   {past}{errors}", flush=True)
            page.close()


if __name__ == "__main__":
    main()
