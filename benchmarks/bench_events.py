"""Event matching at scale: incidents of many reports grouped into events.

Synthetic incidents (a fixed seed) spread over the bundled gazetteer's gates,
towns, districts and provinces of Vietnam, China, Cambodia and Laos, of every
type, dated 2021-2025: most on a day, some in a month, a year or "since"; a
tenth with no stated date.  A third of the events are told by two to four
outlets, with their place at the gate or at its province, the date a day
apart, and now and then another count.  Prints, per size, the wall and CPU time of
:func:`geomap.events.match_events` (blocked by type and country, swept by
date, never all pairs), the events found, and, as the generator knows which
incidents tell one event, pairwise precision and recall.

Run: ``python -m benchmarks events`` (about half a minute);
``BENCH_EVENTS_N=20000`` for a quick look at one size.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import statistics
import time

from geomap.events import EventKey, match_events
from geomap.gazetteer import load_gazetteer
from geomap.records import INCIDENT_TYPES

SIZES = tuple(int(n) for n in os.environ.get("BENCH_EVENTS_N", "10000,100000").split(","))
REPEATS = 3


def _places(gazetteer) -> list[tuple[str, str, int]]:
    """(place id, its province or itself, precision) of the places incidents happen at."""
    out = []
    precision = {"border_gate": 1, "city": 1, "town": 1, "district": 3, "province": 4}
    for place in gazetteer:
        if place.country in ("VN", "CN", "KH", "LA") and place.kind in precision:
            province = gazetteer.province_of(place.id)
            out.append((place.id, province.id if province is not None else place.id, precision[place.kind]))
    return sorted(out)


def _keys(n: int, gazetteer, rng: random.Random) -> tuple[list[EventKey], dict[str, int]]:
    """``n`` incidents and, for each, the event the generator made it for."""
    places = _places(gazetteer)
    start = dt.date(2021, 1, 1)
    keys: list[EventKey] = []
    truth: dict[str, int] = {}
    event = 0
    while len(keys) < n:
        event += 1
        kind = rng.choice(INCIDENT_TYPES)
        place, province, precision = rng.choice(places)
        day = start + dt.timedelta(days=rng.randrange(5 * 365))
        shape = rng.random()
        if shape < 0.75:
            d0, d1, dp = day, day, "day"
        elif shape < 0.9:
            d0 = day.replace(day=1)
            d1 = (d0 + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            dp = "month"
        else:
            d0, d1, dp = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year"
        value = rng.choice((2, 3, 5, 8, 12, 17, 23, 40, 58, 120, 450, 1200))
        unit = rng.choice(("people", "cases", "kg", "vehicles"))
        tellers = rng.choice((1, 1, 1, 1, 2, 2, 3, 4))
        for told in range(tellers):
            article = f"a{len(keys):07d}"
            stated = rng.random() > 0.1
            shift = dt.timedelta(days=rng.choice((0, 0, 0, 1)) if dp == "day" else 0)
            at, at_precision = (place, precision) if told == 0 or rng.random() < 0.6 else (province, 4)
            figure = value if rng.random() < 0.85 else value + 1
            published = d1 + dt.timedelta(days=rng.randrange(1, 4))
            key = EventKey(
                len(keys), f"{article}#1", article, kind, at, at_precision,
                (d0 + shift).isoformat() if stated else published.replace(day=1).isoformat(),
                (d1 + shift).isoformat() if stated else published.isoformat(), dp if stated else "month",
                stated, f"{figure} {unit}", "A sentence.", f"Outlet {told}", published.isoformat(),
            )  # fmt: skip
            keys.append(key)
            truth[key.incident_id] = event
    return keys[:n], truth


def _pairs(groups: dict[object, list[str]]) -> set[tuple[str, str]]:
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def main() -> None:
    gazetteer = load_gazetteer()
    for n in SIZES:
        keys, truth = _keys(n, gazetteer, random.Random(13))
        times = []
        cpu = []
        rows: list[tuple] = []
        for _ in range(REPEATS):
            fresh = [EventKey(*(getattr(k, f) for f in EventKey.__slots__[:14])) for k in keys]  # type: ignore[attr-defined]
            started, started_cpu = time.perf_counter(), time.process_time()
            rows = match_events(fresh, gazetteer=gazetteer)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        found: dict[object, list[str]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(row[1])
        told: dict[object, list[str]] = {}
        for incident, event in truth.items():
            told.setdefault(event, []).append(incident)
        got, want = _pairs(found), _pairs(told)
        right = len(got & want)
        print(
            f"{n:>9,} incidents: {statistics.median(times):.2f} s (median of {REPEATS}: "
            f"{', '.join(f'{t:.2f}' for t in times)}; CPU {statistics.median(cpu):.2f} s, the box being shared); "
            f"{len(found):,} events ({len(told):,} made); "
            f"pairwise precision {right / max(1, len(got)):.3f}, recall {right / max(1, len(want)):.3f}",
            flush=True,
        )
