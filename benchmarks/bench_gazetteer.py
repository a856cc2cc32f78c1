"""Gazetteer load time and memory, matcher and resolver start, and resolver lookups per second.

Run: ``python -m benchmarks gazetteer``.  Aims (issue 11): load < 0.5 s (a
compiled cache is fine), matcher < 1 s or cached, >= 100,000 lookups/s.

Every figure is printed as CPU time (``time.process_time``) beside wall
time, medians of several runs: the box is shared, and wall time there
measures the other jobs as much as this one.

- *Start, in a fresh process* (as a CLI run pays it; imports not counted):
  loading the tables, building the resolver's index and the place matcher,
  first with an empty compiled cache (``GEOMAP_CACHE_DIR`` pointed at a new
  folder: the tables read, checked and stored), then from the cache.
- *Lookups*: medians of 5 passes over up to 5,000 distinct names with the
  resolver's answer cache off and :func:`~geomap.normalize.name_key`'s cache
  cleared before each pass, so no pass gains from an earlier one; without
  context, and with a country and a date (which every answer must weigh).
  What the resolver builds once stays, as it would in use (the ranked
  answers of each name met, distances from a place to a country's places).
  "Cached repeats" is the usual case of names recurring across reports.

``BENCH_GAZETTEER_SYNTHETIC=1`` adds a synthetic table of the bundled rows
plus 6,000 generated communes with an alias each (written to a temporary
folder), which showed scaling before the real table grew.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from collections.abc import Callable
from pathlib import Path

from geomap._resources import data_path
from geomap.gazetteer import ALIAS_COLUMNS, PLACE_COLUMNS, Gazetteer
from geomap.geocoder import Resolver
from geomap.normalize import name_key

_SYLLABLES = (
    "Bắc Cao Đồng Hà Hải Hòa Hưng Khánh Lạng Lào Long Minh Nam Ninh Phú Quảng Sơn Tân Thái Thanh Trà "
    "Tuyên Vĩnh Yên Bình Giang Lâm Mỹ Xuân An Cẩm Đông Tây Trung Kim Ngọc Phong Thủy Văn Lục Hoà"
).split()


def _median_time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``repeat`` calls of ``fn``."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return statistics.median(wall), statistics.median(cpu)


def _ms(times: tuple[float, float]) -> str:
    return f"{times[1] * 1000:,.0f} ms CPU ({times[0] * 1000:,.0f} ms wall)"


def _synthetic(real: Path, out: Path, n: int) -> Path:
    """Copy the real table to ``out`` and add ``n`` generated communes with an ASCII alias each."""
    rng = random.Random(20250701)
    out.mkdir(parents=True, exist_ok=True)
    with open(real / "places.csv", encoding="utf-8", newline="") as fh:
        places = list(csv.DictReader(fh))
    with open(real / "aliases.csv", encoding="utf-8", newline="") as fh:
        aliases = list(csv.DictReader(fh))
    provinces = [p["id"] for p in places if p["kind"] == "province" and p["country"] == "VN"] or ["vn.country.vietnam"]
    for i in range(n):
        name = " ".join(rng.sample(_SYLLABLES, rng.choice((2, 3, 3, 3))))
        pid = f"vn.commune.synthetic-{i}"
        places.append(
            dict.fromkeys(PLACE_COLUMNS, "")
            | {
                "id": pid,
                "name": name,
                "kind": "commune",
                "country": "VN",
                "parent_id": rng.choice(provinces),
                "lat": f"{rng.uniform(9, 23):.5f}",
                "lon": f"{rng.uniform(103, 109):.5f}",
                "source": "ref:synthetic benchmark row",
            }
        )
        ascii_name = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
        aliases.append({"place_id": pid, "name": ascii_name.replace("Đ", "D").replace("đ", "d"), "lang": "ascii",
                        "kind": "official", "source": "ref:synthetic"})
    for file, columns, rows in (("places.csv", PLACE_COLUMNS, places), ("aliases.csv", ALIAS_COLUMNS, aliases)):
        with open(out / file, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return out


def _typo(rng: random.Random, key: str) -> str:
    """One deleted or doubled letter, away from the first letter."""
    if len(key) < 6:
        return key
    i = rng.randrange(2, len(key) - 1)
    return key[:i] + key[i + 1 :] if rng.random() < 0.5 else key[:i] + key[i] + key[i:]


def _bench(label: str, folder: Path) -> None:
    tracemalloc.start()
    gazetteer = Gazetteer.from_dir(folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"   {label}: {len(gazetteer):,} places, {sum(len(gazetteer.aliases_of(p.id)) for p in gazetteer):,} aliases")
    with tempfile.TemporaryDirectory(prefix="geomap-bench-cache-") as empty:
        cold = [_fresh_start(folder, os.path.join(empty, str(i))) for i in range(3)]  # a new cache folder each
    warm = [_fresh_start(folder, None) for _ in range(5)]
    print(f"     in a fresh process (median of {len(cold)} with an empty compiled cache, of {len(warm)} from the cache):")
    for step, what in (("load", "load the tables"), ("resolver", "resolver index"), ("matcher", "place matcher")):
        first = tuple(statistics.median(run[step][k] for run in cold) for k in (0, 1))
        cached = tuple(statistics.median(run[step][k] for run in warm) for k in (0, 1))
        print(f"       {what:16} built: {_ms(first)}; from the cache: {_ms(cached)}")
    total = tuple(statistics.median(sum(run[s][k] for s in run) for run in warm) for k in (0, 1))
    print(f"       all three from the cache: {_ms(total)}; peak memory of a load {peak / 1e6:.1f} MB")

    resolver = Resolver(gazetteer)
    rng = random.Random(7)
    places = list(gazetteer)
    exact = [p.name for p in places]
    folded = [
        "".join(c for c in unicodedata.normalize("NFD", p.name) if not unicodedata.combining(c)).upper() + " province"
        for p in places
    ]
    fuzzy = [_typo(rng, p.name.lower()) for p in places if len(p.name) >= 8]
    rng.shuffle(exact)
    rng.shuffle(folded)
    rng.shuffle(fuzzy)
    cold_resolver = Resolver(gazetteer, cache_size=0)  # every lookup computed
    context = {"country": "VN", "date": "2024-05-01"}
    print("     lookups a second, CPU (wall), medians of 5 passes:")
    for kind, names in (("exact", exact), ("folded", folded), ("fuzzy", fuzzy)):
        queries = names[:5000]
        found = sum(1 for q in queries if cold_resolver.resolve(q))
        plain = _median_time(_uncached(cold_resolver, queries, {}), 5)
        with_context = _median_time(_uncached(cold_resolver, queries, context), 5)
        repeated = (names * (20_000 // max(1, len(names)) + 1))[:20_000]
        warm_times = _median_time(lambda: [resolver.resolve(q) for q in repeated], 3)  # noqa: B023
        print(
            f"       {kind:6} uncached {_rate(len(queries), plain)}, with country + date {_rate(len(queries), with_context)}"
            f" ({len(queries):,} distinct names, {found / len(queries):.0%} found); cached repeats {_rate(len(repeated), warm_times)}"
        )


def _rate(n: int, times: tuple[float, float]) -> str:
    return f"{n / max(times[1], 1e-9):>9,.0f} ({n / max(times[0], 1e-9):,.0f})"


# Seconds (wall, CPU) a new Python process takes for each start step (imports not counted).
_START = """
import json, sys, time
from geomap.gazetteer import Gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher
out = {}
def step(name, fn):
    started, used = time.perf_counter(), time.process_time()
    value = fn()
    out[name] = (time.perf_counter() - started, time.process_time() - used)
    return value
gazetteer = step("load", lambda: Gazetteer.from_dir(sys.argv[1]))
step("resolver", lambda: Resolver(gazetteer))
step("matcher", lambda: PlaceMatcher.from_gazetteer(gazetteer))
print(json.dumps(out))
"""


def _fresh_start(folder: Path, cache: str | None) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of each start step in a new process; ``cache``: a compiled-cache folder (new, so empty)."""
    env = dict(os.environ)
    if cache is not None:
        env["GEOMAP_CACHE_DIR"] = cache
    else:
        subprocess.run([sys.executable, "-c", _START, str(folder)], capture_output=True, check=True, env=env)  # filled
    done = subprocess.run([sys.executable, "-c", _START, str(folder)], capture_output=True, text=True, check=True, env=env)
    return {k: tuple(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def _uncached(resolver: Resolver, queries: list[str], context: dict[str, str]) -> Callable[[], object]:
    """One pass over ``queries`` with no answer remembered from before, not even a name's key."""

    def run() -> object:
        name_key.cache_clear()
        return [resolver.resolve(q, **context) for q in queries]

    return run


def main() -> None:
    """Print start times, memory and lookups per second for the bundled table (and a synthetic one if asked)."""
    real = data_path("gazetteer")
    _bench("bundled gazetteer", real)
    if os.environ.get("BENCH_GAZETTEER_SYNTHETIC"):
        with tempfile.TemporaryDirectory(prefix="geomap-bench-") as tmp:
            _bench("synthetic gazetteer", _synthetic(real, Path(tmp) / "gazetteer", 6_000))


if __name__ == "__main__":
    main()
