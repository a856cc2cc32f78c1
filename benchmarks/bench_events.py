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

First, extraction with and without event matching on the generated corpus
of ``bench_extract`` (``BENCH_EVENTS_EXTRACT_N`` articles, 1,000 by default):
``extract()`` end to end, then the same with its last step (matching the
incidents into events, :func:`geomap.extract.with_events`) left out, runs
interleaved, three of each; medians and the ratio are printed (the aim:
within 10%).

Run: ``python -m benchmarks events`` (a few minutes on a shared box);
``BENCH_EVENTS_N=20000`` for a quick look at one size of the matching,
``BENCH_EVENTS_EXTRACT_N=0`` to skip the extraction comparison.
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
EXTRACT_N = int(os.environ.get("BENCH_EVENTS_EXTRACT_N", "1000"))
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


def _extraction(gazetteer) -> None:
    """Extraction of the generated corpus with and without event matching, interleaved; medians."""
    import tempfile
    from pathlib import Path

    import geomap.extract as extract_module
    from benchmarks.bench_extract import _corpus

    matching = extract_module.with_events
    with tempfile.TemporaryDirectory() as folder:
        path, size, _, _ = _corpus(Path(folder), EXTRACT_N)
        extract_module.extract([path], gazetteer=gazetteer)  # warm: the matcher is built once a process
        timed: dict[str, list[float]] = {"with": [], "without": []}
        cpu: dict[str, list[float]] = {"with": [], "without": []}
        found = {}
        for _ in range(REPEATS):
            for mode in ("with", "without"):
                # "without": the same run with its last step, the matching, left out
                extract_module.with_events = matching if mode == "with" else (lambda extraction, **_: extraction)
                try:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    tables = extract_module.extract([path], gazetteer=gazetteer)
                    timed[mode].append(time.perf_counter() - started)
                    cpu[mode].append(time.process_time() - started_cpu)
                finally:
                    extract_module.with_events = matching
                found[mode] = tables
        # the matching step alone, on the tables of the last run
        step = []
        for _ in range(REPEATS):
            started_cpu = time.process_time()
            matching(found["without"], gazetteer=gazetteer)
            step.append(time.process_time() - started_cpu)
    with_m, without_m = statistics.median(timed["with"]), statistics.median(timed["without"])
    with_c, without_c = statistics.median(cpu["with"]), statistics.median(cpu["without"])
    events = found["with"].events
    several = int(events.loc[events["reports"] > 1, "event_id"].nunique())
    print(
        f"extraction of {EXTRACT_N:,} generated articles ({size / 1e6:.1f} MB, {len(found['with'].incidents):,} incidents): "
        f"with event matching {with_m:.2f} s, without {without_m:.2f} s (medians of {REPEATS}, interleaved: "
        f"{', '.join(f'{t:.2f}' for t in timed['with'])} / {', '.join(f'{t:.2f}' for t in timed['without'])}); "
        f"ratio {with_m / without_m:.3f}; CPU {with_c:.2f} s and {without_c:.2f} s, ratio {with_c / without_c:.3f} "
        f"(aim: within 1.10); the matching step alone {statistics.median(step):.3f} s of CPU "
        f"({statistics.median(step) / without_c:.1%} of the extraction); "
        f"{events['event_id'].nunique():,} events, {several:,} told by several reports",
        flush=True,
    )


def main() -> None:
    gazetteer = load_gazetteer()
    if EXTRACT_N > 0:
        _extraction(gazetteer)
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
