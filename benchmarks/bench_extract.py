"""Extraction speed and memory on a generated corpus.

Writes 10,000 articles (about 5 KB each, JSON Lines, from templates in the
project's own words with varied places, counts and dates; about half the
sentences state a fact, the rest are the filler news reports carry) to a
temporary folder, then prints, end to end (read, mentions, incidents, routes,
tables): articles/s and MB/s, beside a bare Aho–Corasick pass over the same
text (read, fold, match), the ratio of the two, and the process's peak
resident memory after 2,500 and after 10,000 articles.  The tables grow with
the corpus (they are the output); the articles are streamed, not held.

Run: ``python -m benchmarks extract`` (one to two minutes on one core);
``BENCH_EXTRACT_N=2000`` for a quick look.
"""

from __future__ import annotations

import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

N_ARTICLES = int(os.environ.get("BENCH_EXTRACT_N", "10000"))
SMALL = N_ARTICLES // 4

_PLACES = [
    "Lang Son", "Lạng Sơn province", "Cao Bang", "Quảng Ninh", "Lao Cai", "Hà Giang", "Mong Cai",
    "Ho Chi Minh City", "An Giang", "Tay Ninh", "Kien Giang", "Dien Bien", "Hanoi", "Ha Long",
    "Guangxi", "Yunnan", "Pingxiang", "Dongxing", "Hekou", "Nanning", "Kunming",
    "Svay Rieng", "Phnom Penh", "Huu Nghi border gate", "Youyi port", "Moc Bai", "Bavet",
]  # fmt: skip
_COUNTRIES = ["Vietnam", "China", "Cambodia", "Laos"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
_TEMPLATES = [
    "On {month} {day}, border guards in {p1} stopped {n} people who had crossed illegally from {c1}.",
    "Since the start of the year, police in {p1} have found {n} cases of illegal entry involving {m} people.",
    "Prosecutors in {p2} charged {k} defendants in {n} cases of organising illegal crossings.",
    "Officers seized {w} kg of methamphetamine on the road between {p1} and {p2} on {month} {day}.",
    "Customs officers in {p2} seized smuggled goods worth {w} billion dong in {month}.",
    "The group travelled from {c1} through {p1} and {p2} before crossing into {c2}.",
    "Police of {p1} and {p2} held a conference in {p3} on {month} {day} to review their joint work.",
    "Border posts handed out {m} leaflets on the rules of entry and exit to families in {p3}.",
    "Officers from both sides carried out {k} joint patrols along the {p1} section of the border.",
    "The two sides need to share information faster and strengthen their joint work in {p2}.",
    "In {month}, the {p3} gate cleared more than {m} passengers and {n} vehicles.",
    "{c2} repatriated {m} citizens of {c1} through {p3} on {month} {day}.",
]
_FILLER = [
    "Residents said the market in {p1} was busy, and traders from {p2} came every week.",
    "Weather on the mountain roads near {p3} slowed traffic for several days during {month}.",
    "Officials said the work would continue and thanked local people for their help.",
    "The report was presented by the head of the provincial office, who answered questions from reporters.",
    "Farmers in the area grow rice, tea and fruit, and many families have relatives on both sides.",
    "New roads and a larger car park have made the crossing easier for traders in recent years.",
    "The meeting room was decorated with flags of both countries and photographs of earlier visits.",
    "Local schools have added lessons on the history of the region and its languages.",
]


def _article(rng: random.Random, i: int) -> dict:
    parts: list[str] = []
    size = 0
    while size < 5000:
        template = rng.choice(_TEMPLATES if rng.random() < 0.5 else _FILLER)
        sentence = template.format(
            p1=rng.choice(_PLACES), p2=rng.choice(_PLACES), p3=rng.choice(_PLACES),
            c1=rng.choice(_COUNTRIES), c2=rng.choice(_COUNTRIES), month=rng.choice(_MONTHS),
            day=rng.randint(1, 28), n=rng.randint(2, 400), m=rng.randint(100, 90_000),
            k=rng.randint(2, 40), w=round(rng.uniform(0.5, 80), 1),
        )  # fmt: skip
        parts.append(sentence)
        size += len(sentence) + 1
        if rng.random() < 0.25:
            parts.append("\n\n")
    year = rng.randint(2019, 2026)
    return {
        "id": f"gen-{i:05d}",
        "title": f"Border report {i}",
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "source": "Generated (benchmark)",
        "url": "",
        "text": " ".join(parts).replace(" \n\n ", "\n\n"),
    }


def _corpus(folder: Path, n: int) -> tuple[Path, int]:
    rng = random.Random(20261123)
    path = folder / f"corpus_{n}.jsonl"
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            line = json.dumps(_article(rng, i), ensure_ascii=False)
            size += len(line.encode("utf-8"))
            fh.write(line + "\n")
    return path, size


def _bare_pass(path: Path, matcher) -> tuple[float, int]:
    """Read the texts, fold them and run the automaton: the floor the pipeline is compared to."""
    started = time.perf_counter()
    hits = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            hits += len(matcher.find(json.loads(line)["text"]))
    return time.perf_counter() - started, hits


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _run(path: Path, gazetteer) -> tuple[float, int]:
    from geomap.extract import extract

    started = time.perf_counter()
    tables = extract([path], gazetteer=gazetteer)
    return time.perf_counter() - started, len(tables.incidents)


def main() -> None:
    from geomap.gazetteer import load_gazetteer
    from geomap.places import PlaceMatcher

    gazetteer = load_gazetteer()
    started = time.perf_counter()
    matcher = PlaceMatcher.from_gazetteer(gazetteer)
    print(f"matcher: {len(matcher):,} patterns built in {time.perf_counter() - started:.2f} s (once a run)")
    with tempfile.TemporaryDirectory() as tmp:
        big, big_bytes = _corpus(Path(tmp), N_ARTICLES)
        small, _ = _corpus(Path(tmp), SMALL)
        mb = big_bytes / 1e6
        print(f"corpus: {N_ARTICLES:,} articles, {mb:.1f} MB of JSON Lines")
        base = _peak_mb()

        small_s, _ = _run(small, gazetteer)
        small_peak = _peak_mb()
        big_s, incidents = _run(big, gazetteer)
        big_peak = _peak_mb()
        print(
            f"end to end: {N_ARTICLES / big_s:,.0f} articles/s, {mb / big_s:.2f} MB/s "
            f"({big_s:.1f} s for {N_ARTICLES:,}, {incidents:,} incidents; {SMALL:,} took {small_s:.1f} s)"
        )
        bare_s, hits = _bare_pass(big, matcher)
        print(f"bare Aho-Corasick pass: {N_ARTICLES / bare_s:,.0f} articles/s, {mb / bare_s:.1f} MB/s ({hits:,} matches)")
        print(f"ratio end to end / bare pass: {big_s / bare_s:.1f}x")
        print(
            f"peak resident memory: {base:.0f} MB before, {small_peak:.0f} MB after {SMALL:,} articles, "
            f"{big_peak:.0f} MB after {N_ARTICLES:,}"
        )


if __name__ == "__main__":
    main()
