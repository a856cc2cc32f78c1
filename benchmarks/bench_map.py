"""The map at scale: ``geomap map`` on generated corpora of 1,000, 5,000 and 20,000 reports, and a synthetic 200,000.

For each size: the reports are generated (the extraction benchmark's
generator: ~5 KB articles in several styles, about six incidents and half a
route a report) into a cache folder (``GEOMAP_BENCH_CACHE``, else
``geomap-bench-cache`` in the temp folder) once; ``geomap map --jobs 2``
runs on them end to end as a user would (every layer: incidents, routes,
crossings, shading, timeline, table; ``BENCH_MAP_END_TO_END=0`` skips it:
20,000 reports take a quarter of an hour to extract on a loaded two-core
box), then ``geomap map TABLES`` on the tables ``geomap extract`` wrote from
them (extracted once into the cache: the map step alone).  Then a synthetic
page of 200,000 incidents and 40,000 routes, every one drawn
(``BENCH_MAP_SYNTHETIC=N:R,...``; tables generated straight into Parquet).

Each page is opened in headless Chromium with the network blocked, in three
fresh tabs (``GEOMAP_BENCH_OPENS``), and the medians printed: incidents and
routes, the command's wall and CPU time, the HTML size, the time until the
page is ready by the page's own clock (from navigation start to every layer
drawn, the ``geomap-ready`` mark), by the wall clock, and the renderer main
thread's CPU time over the load (DevTools ``Performance.getMetrics``
TaskDuration: it moves far less with the box's load than wall time), the
time until the detail strings are read, and the time to refilter by date (a
period set, until the second frame is painted) with its CPU time; beside
them, the figures before (measured by the issue that asked for this, or the
README's).  Aim: 20,000 reports ready in at most 3 s, a page of at most
15 MB, a refilter in at most 1 s.

Run: ``python -m benchmarks map`` (``BENCH_MAP_SIZES=1000,5000`` to choose;
``GEOMAP_BENCH_SIZES`` is read too).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 5_000, 20_000)

#: The map before (issue 14, all layers): reports -> (HTML MB, ready s); None: did not load in 5 minutes.
BEFORE = {1_000: (9.6, 10.7), 5_000: (42.0, 218.0), 20_000: None}


def synthetic_tables(folder: Path, n_incidents: int, n_routes: int) -> Path:
    """Parquet tables of ``n_incidents`` incidents (ten an article) and ``n_routes`` routes of three stops.

    Places are the bundled gazetteer's provinces, cities, districts and border
    gates (a few thousand points), location precisions 1 to 6, dates over
    seven years, types at random; cached under ``folder`` (written once).
    """
    import numpy as np
    import pandas as pd

    from geomap.extract import _frame
    from geomap.gazetteer import load_gazetteer
    from geomap.records import INCIDENT_TYPES
    from geomap.tablefiles import table_writer

    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    gazetteer = load_gazetteer()
    places = sorted(p.id for p in gazetteer if p.kind in ("province", "city", "district", "border_gate"))
    rng = np.random.default_rng(20261203)
    days = np.array([np.datetime64("2019-01-01") + i for i in range(0, 365 * 7)]).astype(str)
    n_articles = max(1, n_incidents // 10)
    arts = np.array([f"a{i:07d}" for i in range(n_articles)])
    art_day = rng.choice(days, n_articles)
    of = rng.integers(0, n_articles, n_incidents)
    place = rng.choice(places, n_incidents)
    value = rng.integers(1, 400, n_incidents).astype(float)
    ids = [f"{arts[a]}#{k}" for k, a in enumerate(of)]
    r_of = rng.integers(0, n_articles, n_routes)
    stops = rng.choice(places, (n_routes, 3))
    with table_writer(folder, format="parquet") as out:
        out.write("articles", _frame("articles", pd.DataFrame({
            "article_id": arts, "title": [f"Report {a}" for a in arts], "date": art_day, "date_precision": "day",
            "source": rng.choice([f"Outlet {k}" for k in range(12)], n_articles), "format": "jsonl",
            "encoding": "utf-8", "n_chars": 5000, "url": [f"https://example.org/{a}" for a in arts],
        })))  # fmt: skip
        out.write("mentions", _frame("mentions", pd.DataFrame({
            "article_id": arts[of], "start": 10, "end": 18, "text": place, "place_id": place, "score": 100.0,
            "method": "exact", "ambiguous": False,
        })))  # fmt: skip
        out.write("incidents", _frame("incidents", pd.DataFrame({
            "incident_id": ids, "article_id": arts[of], "type": rng.choice(INCIDENT_TYPES, n_incidents),
            "value": value, "unit": "people", "counts": [f"{int(v)} people" for v in value],
            "date_start": art_day[of], "date_end": art_day[of], "date_precision": "day", "place_id": place,
            "places": [f"{p}:location" for p in place], "location_precision": rng.choice([1, 1, 1, 2, 3, 4, 5, 6], n_incidents),
            "sentence": [f"Guards stopped group {k} at the border." for k in range(n_incidents)], "start": 0, "end": 40,
            "source": "extracted",
        })))  # fmt: skip
        out.write("routes", _frame("routes", pd.DataFrame({
            "route_id": np.repeat([f"{arts[a]}#r{k}" for k, a in enumerate(r_of)], 3), "article_id": np.repeat(arts[r_of], 3),
            "stop": np.tile([1, 2, 3], n_routes), "place_id": stops.reshape(-1),
            "role": np.tile(["origin", "transit", "destination"], n_routes), "precision": 1,
            "sentence": np.repeat([f"They went along route {k}." for k in range(n_routes)], 3), "start": 0, "end": 20,
        })))  # fmt: skip
        for name in ("unresolved", "skipped", "events"):
            out.write(name, _frame(name, []))
        out.commit()
    (folder / ".complete").write_text("")
    return folder


def synthetic_page(out: Path, n_incidents: int, n_routes: int, *, cache: Path | None = None) -> Path:
    """The map of :func:`synthetic_tables`, every incident and route drawn: ``out/border_activity.html``."""
    import dataclasses
    import warnings

    from geomap.gazetteer import load_gazetteer
    from geomap.layers import build_layers
    from geomap.map import render, save_map
    from geomap.mapdata import places_counted, province_stats, read_for_map

    tables = synthetic_tables((cache or _cache_dir()) / f"synthetic-{n_incidents}-{n_routes}", n_incidents, n_routes)
    gazetteer = load_gazetteer()
    extraction, totals = read_for_map(tables, max_incidents=n_incidents, max_routes=n_routes, gazetteer=gazetteer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        layers = build_layers(extraction, gazetteer=gazetteer)
        layers = dataclasses.replace(
            layers, province_stats=province_stats(totals, layers, gazetteer),
            places=places_counted(totals, extraction.mentions, gazetteer), aggregates=totals.rest_frame(),
        )  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        return save_map(render(layers, title="synthetic"), out / "border_activity.html", overwrite=True)


def _cache_dir() -> Path:
    """Where generated corpora and tables are kept between runs (``GEOMAP_BENCH_CACHE``; else the temp folder)."""
    folder = Path(os.environ.get("GEOMAP_BENCH_CACHE") or Path(tempfile.gettempdir()) / "geomap-bench-cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _corpus(n: int) -> Path:
    """The generated corpus of ``n`` reports (``bench_extract``'s generator), written once into the cache."""
    from benchmarks.bench_extract import _corpus as write

    folder = _cache_dir() / f"corpus-{n}"
    path = folder / f"corpus_{n}.jsonl"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        write(folder, n)
        (folder / ".complete").write_text("")
    return path


def _child(command: list[str]) -> tuple[float, float]:
    """Run ``command`` (``python -m geomap ...``); its wall and CPU seconds (the child's user + system time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geomap", "-q", *command], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _tables(corpus: Path, n: int) -> tuple[Path, float, float]:
    """``geomap extract`` of the corpus into the cache (once): the folder, and the wall and CPU seconds it took."""
    folder = _cache_dir() / f"tables-{n}"
    timing = folder.parent / f"tables-{n}.seconds"
    if not timing.exists():
        shutil.rmtree(folder, ignore_errors=True)
        wall, cpu = _child(["extract", str(corpus), "-o", str(folder), "--jobs", "2", "--format", "parquet"])
        timing.write_text(f"{wall} {cpu}")
    wall, cpu = (float(x) for x in timing.read_text().split())
    return folder, wall, cpu


class _Metrics:
    """The renderer's main-thread CPU time of one tab (DevTools ``Performance.getMetrics``: TaskDuration, s)."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def task(self) -> float:
        found = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return found["TaskDuration"]


def _open(browser, page_path: Path) -> dict:
    """One fresh tab, network blocked: ready (page clock, wall, main-thread CPU), details, refilter (wall, CPU), counts."""
    from _browser import TILE_URL, _BLANK_PNG

    page = browser._context.new_page()
    errors: list[str] = []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        elif TILE_URL.match(url):
            r.fulfill(status=200, content_type="image/png", body=_BLANK_PNG)
        else:
            errors.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        metrics = _Metrics(page)
        cpu0 = metrics.task()
        t0 = time.perf_counter()
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=600_000)
        page.bring_to_front()  # a background tab gets no animation frames
        page.wait_for_function("window.__geomapReady === true", timeout=600_000)
        out = {"wall": time.perf_counter() - t0, "cpu": metrics.task() - cpu0}
        if errors:
            raise RuntimeError(f"{page_path}: {errors[:2]}")
        # From navigation start: parsing the page, reading the data, drawing every layer.
        out["ready"] = page.evaluate("() => performance.getEntriesByName('geomap-ready')[0].startTime / 1000")
        out["details"] = page.evaluate("async () => { await __geomapApp.details(); return performance.now() / 1000; }")
        out["counts"] = page.evaluate("() => [__geomapApp.app.n, __geomapApp.app.routes.id.length]")
        lo, hi = page.evaluate("() => __geomapApp.app.range")
        cpu0 = metrics.task()
        out["refilter"] = page.evaluate(
            """async ([a, b]) => {
                const t0 = performance.now();
                __geomapApp.setPeriod(a, b, false);
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return (performance.now() - t0) / 1000;
            }""",
            [lo + (hi - lo) // 4, (lo + hi) // 2],
        )
        out["refilter_cpu"] = metrics.task() - cpu0
    finally:
        page.close()
    return out


def _line(label: str, made: str, page_path: Path, runs: list[dict], past: str) -> str:
    import statistics

    med = {k: statistics.median(r[k] for r in runs) for k in ("ready", "wall", "cpu", "details", "refilter", "refilter_cpu")}
    n, routes = runs[0]["counts"]
    mb = page_path.stat().st_size / 1e6
    return (f"{label:>16} {n:>9,} {routes:>7,} {made:>15} {mb:>6.1f} {med['ready']:>6.2f} {med['wall']:>6.2f} {med['cpu']:>5.2f} "
            f"{med['details']:>7.2f} {med['refilter']:>6.2f} {med['refilter_cpu']:>5.2f}   {past}")  # fmt: skip


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    from _browser import Browser  # the tests' helper: Debian chromium

    sizes = [int(s) for s in (os.environ.get("BENCH_MAP_SIZES") or os.environ.get("GEOMAP_BENCH_SIZES") or "").split(",") if s]
    sizes = sizes or list(SIZES)
    opens = int(os.environ.get("GEOMAP_BENCH_OPENS", "3"))
    end_to_end = os.environ.get("BENCH_MAP_END_TO_END", "1") != "0"
    synthetic = [tuple(int(x) for x in s.split(":")) for s in os.environ.get("BENCH_MAP_SYNTHETIC", "200000:40000").split(",") if s]
    print(f"medians of {opens} fresh tabs each; load average {os.getloadavg()[0]:.1f} (two cores shared with other jobs: "
          f"wall figures move with the load, CPU figures much less); generated inputs cached in {_cache_dir()}")  # fmt: skip
    print("  made: `geomap map` wall/CPU s (reports: extraction included; tables: the map step alone);")
    print("  ready: by the page's clock (navigation start to every layer drawn), by the wall clock, and the renderer's")
    print("  main-thread CPU (DevTools TaskDuration); refilter by date: wall to the second painted frame, and CPU")
    print(f"{'input':>16} {'incidents':>9} {'routes':>7} {'made wall/CPU':>15} {'MB':>6} {'ready':>6} {'(wall)':>6} {'CPU':>5} "
          f"{'details':>7} {'refilt':>6} {'CPU':>5}   before: MB, ready s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n in sizes:
            corpus = _corpus(n)
            before = BEFORE.get(n, ())
            past = (f"{before[0]:.1f}, {before[1]:.1f}" if before else "did not load in 300 s") if n in BEFORE else ""
            if end_to_end:
                out = Path(tmp) / f"out_{n}"
                wall, cpu = _child(["map", str(corpus), "-o", str(out), "--jobs", "2"])
                page_path = out / "border_activity.html"
                runs = [_open(browser, page_path) for _ in range(opens)]
                print(_line(f"{n:,} reports", f"{wall:.0f}/{cpu:.0f}", page_path, runs, past), flush=True)
                shutil.rmtree(out, ignore_errors=True)
            tables, ewall, ecpu = _tables(corpus, n)
            out = Path(tmp) / f"tables_out_{n}"
            wall, cpu = _child(["map", str(tables), "-o", str(out)])
            page_path = out / "border_activity.html"
            runs = [_open(browser, page_path) for _ in range(opens)]
            print(_line(f"{n:,} tables", f"{wall:.0f}/{cpu:.0f}", page_path, runs,
                        f"(extraction into tables: {ewall:.0f} s wall, {ecpu:.0f} s CPU)"), flush=True)  # fmt: skip
            shutil.rmtree(out, ignore_errors=True)
        for n_incidents, n_routes in synthetic:
            t0, c0 = time.perf_counter(), time.process_time()
            page_path = synthetic_page(Path(tmp) / f"synthetic_{n_incidents}", n_incidents, n_routes)
            made = f"{time.perf_counter() - t0:.0f}/{time.process_time() - c0:.0f}"
            runs = [_open(browser, page_path) for _ in range(opens)]
            print(_line("synthetic", made, page_path, runs, "5.4, 10.3 (refilter 1.8 s)"), flush=True)


if __name__ == "__main__":
    main()
