"""Layers and exports at scale: build_layers, then GeoJSON, GeoPackage and CSV.

Synthetic tables (a fixed seed) spread 1,000 / 10,000 / 100,000 incidents over
the bundled gazetteer's gates, towns and provinces, dated 2023-2026 (both
sides of Vietnam's 2025 reform), with a route for every tenth incident.
Prints, per size: build time, export time per format and file sizes.

Run: ``python -m benchmarks exports`` (about a minute on two cores).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geomap.exports import to_csv, to_geojson, to_geopackage
from geomap.gazetteer import load_gazetteer
from geomap.layers import build_layers

SIZES = (1_000, 10_000, 100_000)
TYPES = ("illegal_crossing", "migrant_smuggling", "human_trafficking", "repatriation", "crossing_statistics")


@dataclass(frozen=True)
class _Tables:
    articles: pd.DataFrame
    mentions: pd.DataFrame
    incidents: pd.DataFrame
    routes: pd.DataFrame


def _tables(n: int, seed: int = 7) -> _Tables:
    rng = random.Random(seed)
    gaz = load_gazetteer()
    places = sorted((p for p in gaz if p.kind in ("border_gate", "city", "district", "province")), key=lambda p: p.id)
    start = dt.date(2023, 1, 1)
    n_articles = max(1, n // 5)
    articles = pd.DataFrame(
        {
            "article_id": [f"a{i:06d}" for i in range(n_articles)],
            "title": [f"Report {i}" for i in range(n_articles)],
            "date": [(start + dt.timedelta(days=rng.randrange(1300))).isoformat() for _ in range(n_articles)],
            "source": "Bench",
            "url": [f"https://example.org/{i}" for i in range(n_articles)],
        }
    )
    inc, mentions, routes = [], [], []
    for i in range(n):
        place = rng.choice(places)
        day = start + dt.timedelta(days=rng.randrange(1300))
        aid = f"a{i % n_articles:06d}"
        people = rng.randrange(1, 500)
        inc.append(
            {
                "incident_id": f"i{i:07d}", "article_id": aid, "type": rng.choice(TYPES), "value": people,
                "unit": "people", "counts": f"{people} people", "date_start": day.isoformat(),
                "date_end": day.isoformat(), "date_precision": "day", "place_id": place.id,
                "location_precision": 4 if place.kind == "province" else 1,
                "sentence": f"{people} people near {place.name}.", "source": "extracted",
            }
        )  # fmt: skip
        mentions.append({"article_id": aid, "start": 0, "end": 5, "text": place.name, "place_id": place.id})
        if i % 10 == 0:
            for stop in range(3):
                routes.append(
                    {"route_id": f"r{i:07d}", "article_id": aid, "stop": stop + 1,
                     "place_id": rng.choice(places).id, "role": ("origin", "crossing", "destination")[stop],
                     "precision": 1}
                )  # fmt: skip
    return _Tables(articles, pd.DataFrame(mentions), pd.DataFrame(inc), pd.DataFrame(routes))


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    gaz = load_gazetteer()
    print(f"{'incidents':>10} {'build s':>8} {'geojson s':>9} {'MB':>6} {'gpkg s':>7} {'MB':>6} {'csv s':>6} {'MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for n in SIZES:
            tables = _tables(n)
            layers, t_build = _timed(build_layers, tables, gazetteer=gaz)
            path_gj, t_gj = _timed(to_geojson, layers.incidents, out / "incidents.geojson", layer_name="incidents")
            path_gp, t_gp = _timed(to_geopackage, layers, out / "geomap.gpkg")
            path_csv, t_csv = _timed(to_csv, layers.incidents, out / "incidents.csv", layer_name="incidents")
            mb = [p.stat().st_size / 1e6 for p in (path_gj, path_gp, path_csv)]
            print(
                f"{n:>10,} {t_build:>8.2f} {t_gj:>9.2f} {mb[0]:>6.1f} {t_gp:>7.2f} {mb[1]:>6.1f} {t_csv:>6.2f} {mb[2]:>6.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
