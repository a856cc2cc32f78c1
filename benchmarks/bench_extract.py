"""Extraction speed and memory on a generated corpus.

Writes 10,000 articles (about 5 KB each, JSON Lines, from templates in the
project's own words with varied places, counts and dates) to a temporary
folder, then prints, end to end (read, mentions, incidents, routes, tables):
articles/s and MB/s, beside a bare Aho–Corasick pass over the same text, the
ratio of the two, and peak traced memory at 2,500 and 10,000 articles (flat
when articles are streamed).

Run: ``python -m benchmarks extract`` (about a minute on one core).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

N_ARTICLES = int(__import__("os").environ.get("BENCH_EXTRACT_N", "10000"))
SMALL = 2_500

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
    "Residents said the market in {p1} was busy, and traders from {p2} came every week.",
    "Weather on the mountain roads near {p3} slowed traffic for several days during {month}.",
]


def _article(rng: random.Random, i: int) -> dict:
    parts: list[str] = []
    size = 0
    while size < 5000:
        template = rng.choice(_TEMPLATES)
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
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    hits = 0
    for text in texts:
        hits += len(matcher.find(text))
    return time.perf_counter() - started, hits


def _run(path: Path, gazetteer) -> tuple[float, int, int]:
    from geomap.extract import extract

    tracemalloc.start()
    started = time.perf_counter()
    tables = extract([path], gazetteer=gazetteer)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, len(tables.incidents)


def main() -> None:
    from geomap.gazetteer import load_gazetteer
    from geomap.places import PlaceMatcher

    gazetteer = load_gazetteer()
    started = time.perf_counter()
    matcher = PlaceMatcher.from_gazetteer(gazetteer)
    print(f"matcher: {len(matcher):,} patterns built in {time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        big, big_bytes = _corpus(Path(tmp), N_ARTICLES)
        small, _ = _corpus(Path(tmp), SMALL)
        mb = big_bytes / 1e6
        print(f"corpus: {N_ARTICLES:,} articles, {mb:.1f} MB of JSON Lines")

        bare_s, hits = _bare_pass(big, matcher)
        print(f"bare Aho-Corasick pass: {N_ARTICLES / bare_s:,.0f} articles/s, {mb / bare_s:.1f} MB/s ({hits:,} matches)")

        # warm (imports, caches) on the small corpus, then measure memory there without timing noise
        _run(small, gazetteer)
        small_s, small_peak, _ = _run(small, gazetteer)
        big_s, big_peak, incidents = _run(big, gazetteer)
        print(
            f"end to end: {N_ARTICLES / big_s:,.0f} articles/s, {mb / big_s:.2f} MB/s "
            f"({big_s:.1f} s, {incidents:,} incidents)"
        )
        print(f"ratio end to end / bare pass: {big_s / bare_s:.1f}x")
        print(f"peak traced memory: {small_peak / 1e6:.1f} MB at {SMALL:,} articles, {big_peak / 1e6:.1f} MB at {N_ARTICLES:,}")


if __name__ == "__main__":
    main()
