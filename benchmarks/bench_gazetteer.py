"""Gazetteer load time and memory, and resolver lookups per second.

Run: ``python -m benchmarks gazetteer``.  Figures for the bundled table and
for a synthetic table of about 20,000 rows (the bundled rows plus 6,000
generated communes with an alias each, written to a temporary folder) so that scaling shows before the real
table grows.  Aims: load < 0.5 s; >= 100,000 exact or folded lookups/s;
fuzzy >= 10,000 names/s.

Lookups per second are medians of 5 passes over up to 5,000 distinct names
with the resolver's answer cache off and :func:`~geomap.normalize.name_key`'s
cache cleared before each pass, so no pass gains from an earlier one; without
context, and with a country and a date (which every answer must weigh).
What the resolver builds once stays, as it would in use: the ranked answers
it prepares for every gazetteer name and folded key (so "exact" queries,
which are gazetteer names, are one dict lookup), and distances from a place
to a country's places, computed on first need.  "Cached repeats" is the
usual case of names recurring across reports.
"""

from __future__ import annotations

import csv
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
from geomap.places import PlaceMatcher

_SYLLABLES = (
    "Bắc Cao Đồng Hà Hải Hòa Hưng Khánh Lạng Lào Long Minh Nam Ninh Phú Quảng Sơn Tân Thái Thanh Trà "
    "Tuyên Vĩnh Yên Bình Giang Lâm Mỹ Xuân An Cẩm Đông Tây Trung Kim Ngọc Phong Thủy Văn Lục Hoà"
).split()


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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
    load = _median_time(lambda: Gazetteer.from_dir(folder), 5)
    tracemalloc.start()
    gazetteer = Gazetteer.from_dir(folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    index = _median_time(lambda: Resolver(gazetteer), 3)
    resolver = Resolver(gazetteer)
    PlaceMatcher.from_gazetteer(gazetteer)  # built once (and cached) if need be
    matcher = _median_time(lambda: PlaceMatcher.from_gazetteer(gazetteer), 3)
    fresh = statistics.median(_fresh_load(folder) for _ in range(3))
    print(f"   {label}: {len(gazetteer):,} places, {sum(len(gazetteer.aliases_of(p.id)) for p in gazetteer):,} aliases")
    print(f"     load (median of 5 cold loads, validation included): {load * 1000:.0f} ms; peak memory {peak / 1e6:.1f} MB")
    print(f"     resolver index build (median of 3): {index * 1000:.0f} ms")
    print(f"     matcher (median of 3, from the compiled cache): {matcher * 1000:.0f} ms")
    print(f"     load in a fresh process, as a CLI run does (median of 3): {fresh * 1000:.0f} ms")

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
    cold = Resolver(gazetteer, cache_size=0)  # every lookup computed
    context = {"country": "VN", "date": "2024-05-01"}
    for kind, names in (("exact", exact), ("folded", folded), ("fuzzy", fuzzy)):
        queries = names[:5000]
        found = sum(1 for q in queries if cold.resolve(q))
        plain = len(queries) / _median_time(_uncached(cold, queries, {}), 5)
        with_context = len(queries) / _median_time(_uncached(cold, queries, context), 5)
        repeated = (names * (20_000 // max(1, len(names)) + 1))[:20_000]
        warm_seconds = _median_time(lambda: [resolver.resolve(q) for q in repeated], 3)
        print(
            f"     {kind:6} lookups, uncached: {plain:>9,.0f} /s, {with_context:>9,.0f} /s with country + date"
            f" ({len(queries):,} distinct names, {found / len(queries):.0%} found);"
            f" cached repeats {len(repeated) / warm_seconds:>10,.0f} /s"
        )


def _fresh_load(folder: Path) -> float:
    """Seconds a new Python process takes to load the gazetteer of ``folder`` (imports not counted)."""
    code = (
        "import sys, time\n"
        "from geomap.gazetteer import Gazetteer\n"
        "started = time.perf_counter()\n"
        "Gazetteer.from_dir(sys.argv[1])\n"
        "print(time.perf_counter() - started)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _uncached(resolver: Resolver, queries: list[str], context: dict[str, str]) -> Callable[[], object]:
    """One pass over ``queries`` with no answer remembered from before, not even a name's key."""

    def run() -> object:
        name_key.cache_clear()
        return [resolver.resolve(q, **context) for q in queries]

    return run


def main() -> None:
    """Print load time, memory and lookups per second for the bundled and a synthetic table."""
    real = data_path("gazetteer")
    _bench("bundled gazetteer", real)
    with tempfile.TemporaryDirectory(prefix="geomap-bench-") as tmp:
        _bench("synthetic gazetteer", _synthetic(real, Path(tmp) / "gazetteer", 6_000))


if __name__ == "__main__":
    main()
