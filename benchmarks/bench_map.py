"""Map scale: 1,000, 10,000 and 100,000 synthetic incidents.

For each size: the Python time to build the map (``render``) and write it
(``save_map``, offline), the HTML size, and, in headless Chromium with the
network blocked, the time until the map is ready (``window.__geomapReady``),
then the time a pan, a zoom and a time-filter change take to draw.
Aim: 100,000 incidents under 20 MB and responsive.  Incidents sit on 400
shared sites, as geocoded reports do; a last run ("spread") gives each of the
largest size its own point, the worst case for clustering.

Run: ``python -m benchmarks map`` (``GEOMAP_BENCH_SIZES=1000,10000`` to choose).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
from shapely.geometry import Point, box

from geomap.map import render, save_map
from geomap.records import INCIDENT_TYPES

SIZES = (1_000, 10_000, 100_000)
N_SITES = 400
PLACES = ("Móng Cái", "Lạng Sơn", "Cao Bằng", "Lào Cai", "Hà Giang", "Dongxing", "Pingxiang", "Hekou", "Hữu Nghị",
          "Tân Thanh", "Chi Ma", "Bắc Phong Sinh", "Trà Lĩnh", "Thanh Thủy", "Ma Lù Thàng")
VERBS = ("stopped", "detained", "turned back", "handed over", "returned", "found", "fined", "questioned")
UNITS = ("people", "cases", "vehicles", "kg", "defendants")


def _layers(n: int, *, spread: bool = False) -> SimpleNamespace:
    """``n`` incidents at 400 sites over the border region, 5 per article, ~110-character sentences.

    ``spread=True`` gives every incident its own point: the worst case for clustering.
    """
    rows = []
    start = dt.date(2019, 1, 1)
    # Geocoded incidents sit on gazetteer points: a few hundred sites, a few of
    # them (the big gates) carrying most reports.
    sites = [Point(102.5 + (k * 0.6180339) % 6.0, 20.8 + (k * 0.4142135) % 2.4) for k in range(N_SITES)]
    for i in range(n):
        spot = int(N_SITES * (((i * 0.7548776662) % 1.0) ** 2))
        place = PLACES[spot % len(PLACES)]
        value = (i * 7919) % 500 + 1
        day = start + dt.timedelta(days=(i * 37) % 2400)
        article = i // 5
        rows.append(
            {
                "incident_id": f"i-{i:06d}",
                "article_id": f"a-{article:06d}",
                "type": INCIDENT_TYPES[(i * 31) % len(INCIDENT_TYPES)],
                "value": value,
                "unit": UNITS[i % len(UNITS)],
                "qualifier": "over" if i % 9 == 0 else "",
                "counts": f"{value} {UNITS[i % len(UNITS)]};{i % 40 + 1} cases",
                "date_start": day,
                "date_end": day + dt.timedelta(days=(i % 3) * 14),
                "date_precision": ("day", "range", "month")[i % 3],
                "place_id": f"p-{i % len(PLACES)}",
                "place_name": place,
                "location_precision": 1 + i % 4,
                "location_precision_name": ("exact", "near", "district", "province")[i % 4],
                "actors": "Border Guard; police",
                "sentence": f"Report {i}: border guards near {place} {VERBS[i % len(VERBS)]} {value} {UNITS[i % len(UNITS)]}"
                f" on a trail used at night, officials said.",
                "article_title": f"Border report number {article}",
                "article_source": ("Outlet A", "Outlet B", "Outlet C")[article % 3],
                "article_url": f"https://news.example.org/{article}",
                "article_date": (day + dt.timedelta(days=1)).isoformat(),
                "geometry": Point(102.5 + (i * 0.6180339) % 6.0, 20.8 + (i * 0.4142135) % 2.4) if spread else sites[spot],
            }
        )
    incidents = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    provinces = gpd.GeoDataFrame(
        [{"province_id": f"p{c}-{r}", "name": f"Province {c}-{r}", "country": "VN",
          "geometry": box(102 + c, 20.5 + r * 0.75, 103 + c, 21.25 + r * 0.75)} for c in range(7) for r in range(4)],
        geometry="geometry", crs="EPSG:4326",
    )
    stats = provinces.copy()
    stats["incidents"] = [n // 28] * len(stats)
    stats["people"] = [(i * 131) % 5000 for i in range(len(stats))]
    countries = gpd.GeoDataFrame([{"iso_a2": "VN", "name": "Vietnam", "geometry": box(102, 20.5, 109, 23.5)}],
                                 geometry="geometry", crs="EPSG:4326")
    return SimpleNamespace(incidents=incidents, provinces=provinces, province_stats=stats, countries=countries)


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


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _browser import Browser  # the tests' helper: Debian chromium, network blocked

    sizes = [int(s) for s in os.environ.get("GEOMAP_BENCH_SIZES", "").split(",") if s] or SIZES
    runs = [(n, False) for n in sizes] + [(max(sizes), True)]  # and the worst case: no shared points
    print(f"{'incidents':>17} {'render s':>9} {'save s':>7} {'HTML MB':>8} {'ready s':>8} {'pan s':>6} "
          f"{'zoom s':>7} {'filter s':>8}")
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for n, spread in runs:
            layers = _layers(n, spread=spread)
            t0 = time.perf_counter()
            m = render(layers, title=f"{n:,} synthetic incidents")
            t1 = time.perf_counter()
            path = save_map(m, Path(tmp) / f"map_{n}.html")
            t2 = time.perf_counter()
            size_mb = path.stat().st_size / 1e6
            t3 = time.perf_counter()
            opened = browser.open(path, timeout_ms=180_000)
            ready = time.perf_counter() - t3
            page = opened.page
            pan = _draw_time(page, "window.__geomapMap.panBy([300, 200], {animate: false});")
            zoom = _draw_time(
                page,
                "await new Promise(r => { window.__geomapMap.once('zoomend', r);"
                " window.__geomapMap.setZoom(window.__geomapMap.getZoom() + 1, {animate: false}); });",
            )
            filt = _draw_time(
                page,
                "const api = window.__geomapIncidents[0]; api.setPeriod(17900, 18600, true);"
                " await api.ready();",
            )
            errors = f"  errors: {opened.errors[:2]}" if opened.errors or opened.blocked else ""
            label = f"{n:,}" + (" spread" if spread else "")
            print(f"{label:>17} {t1 - t0:>9.2f} {t2 - t1:>7.2f} {size_mb:>8.2f} {ready:>8.2f} {pan:>6.2f} "
                  f"{zoom:>7.2f} {filt:>8.2f}{errors}", flush=True)
            page.close()


if __name__ == "__main__":
    main()
