"""Reading speed: articles and MB per second for read_articles, find_counts and find_dates.

First find_counts and find_dates over the bundled sample reports (a real
density of figures).  Then a generated corpus (text, Markdown, HTML and JSON
Lines, in the project's own words, far denser in figures and dates than real
reports) is written to a temporary folder and read back with
:func:`geomap.text.articles.read_articles`; counts and dates are found in every
article.  Peak memory while reading is measured with :mod:`tracemalloc` for
two corpus sizes: articles are streamed, so it stays small.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from geomap.text.articles import read_articles
from geomap.text.counts import find_counts
from geomap.text.dates import find_dates

_PLACES = ["Lang Son", "Cao Bang", "Ha Giang", "Lao Cai", "Quang Ninh", "Dien Bien", "Tay Ninh", "An Giang"]
_SENTENCES = [
    "Border guards in {p} stopped {n} people who tried to cross on forest trails on {m} {d}.",
    "Since {y}, police in {p} have handled about {n2} cases of illegal entry involving {n} individuals.",
    "Officers seized {k} kilograms of drugs and {n} vehicles from {lo} to {hi} {m}.",
    "So far this year, the two sides have held {s} joint patrols involving {n} officers.",
    "From {m} to {m2}, more than {n2} Chinese nationals were returned through the {p} gate.",
    "The committee met in {p} in {m} {y} and agreed to share information on wanted fugitives.",
    "A broker in {p} charged 5 million dong a person and was arrested with two suspects.",
]
_MONTHS = ["January", "March", "May", "June", "August", "September", "October", "November"]


def _article(rng: random.Random, i: int) -> str:
    lines = []
    for _ in range(rng.randint(6, 12)):
        lo = rng.randint(1, 20)
        lines.append(
            rng.choice(_SENTENCES).format(
                p=rng.choice(_PLACES), n=rng.randint(2, 900), n2=f"{rng.randint(1, 90)},{rng.randint(0, 999):03d}",
                m=rng.choice(_MONTHS), m2=rng.choice(_MONTHS), d=rng.randint(1, 28), y=rng.randint(2015, 2024),
                k=f"{rng.randint(1, 900)}.{rng.randint(0, 9)}", s=rng.randint(2, 40), lo=lo, hi=lo + 3,
            )
        )
    body = "\n\n".join(lines)
    stamp = f"Updated: 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 10:00"
    return f"Border report number {i} from {rng.choice(_PLACES)}\n\n{stamp}\n\n{body}\n"


def _write_corpus(folder: Path, n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    size = 0
    with (folder / "wire.jsonl").open("w", encoding="utf-8") as jsonl:
        for i in range(n):
            text = _article(rng, i)
            kind = i % 4
            if kind == 0:
                data = text
                (folder / f"r{i:06d}.txt").write_text(data, encoding="utf-8")
            elif kind == 1:
                data = f"---\ntitle: Report {i}\ndate: 2024-05-0{i % 9 + 1}\n---\n\n# Report {i}\n\n{text}"
                (folder / f"r{i:06d}.md").write_text(data, encoding="utf-8")
            elif kind == 2:
                paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
                data = (f"<html><head><title>Report {i}</title><script>var x=1;</script></head><body>"
                        f"<nav>Home | News</nav><article><h1>Report {i}</h1>{paras}</article>"
                        f"<footer>Copyright 2024</footer></body></html>")
                (folder / f"r{i:06d}.html").write_text(data, encoding="utf-8")
            else:
                data = json.dumps({"id": f"w{i}", "date": "2024-06-01", "text": text}, ensure_ascii=False)
                jsonl.write(data + "\n")
            size += len(data.encode("utf-8"))
    return size


def _run(folder: Path) -> dict[str, float]:
    """One pass: counts and times (wall and CPU) of reading, and of reading plus counts and dates."""
    articles = counts = dates = 0
    read_cpu = read_wall = 0.0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    w, c = wall0, cpu0
    for article in read_articles(folder):
        read_wall += time.perf_counter() - w
        read_cpu += time.process_time() - c
        articles += 1
        counts += len(find_counts(article.text))
        dates += len(find_dates(article.text, ref=article.date))
        w, c = time.perf_counter(), time.process_time()
    return {
        "articles": articles, "counts": counts, "dates": dates, "read_cpu": read_cpu, "read_wall": read_wall,
        "cpu": time.process_time() - cpu0, "wall": time.perf_counter() - wall0,
    }


def _sample_density() -> None:
    """counts and dates over the bundled sample reports, whose density of figures is a real report's."""
    samples = Path(__file__).resolve().parents[1] / "samples" / "reports"
    if not samples.is_dir():
        return
    articles = list(read_articles(samples))
    mb = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    rounds = max(1, int(2 / mb))  # about 2 MB of text
    cpu = time.process_time()
    for _ in range(rounds):
        for a in articles:
            find_counts(a.text)
    counts_cpu = time.process_time() - cpu
    cpu = time.process_time()
    for _ in range(rounds):
        for a in articles:
            find_dates(a.text, ref=a.date)
    dates_cpu = time.process_time() - cpu
    print(
        f"   sample reports x{rounds} ({mb * rounds:.1f} MB): find_counts {mb * rounds / counts_cpu:.1f} MB/s, "
        f"find_dates {mb * rounds / dates_cpu:.1f} MB/s (CPU)"
    )


def main() -> None:
    print("   figures per CPU second of this process (wall-clock in brackets: the box is shared)")
    _sample_density()
    for n in (1_000, 5_000):
        with tempfile.TemporaryDirectory(prefix="geomap-bench-") as tmp:
            folder = Path(tmp)
            size = _write_corpus(folder, n)
            tracemalloc.start()
            for _ in read_articles(folder):
                pass
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            r = _run(folder)
        mb = size / 1e6
        print(
            f"   {r['articles']:>6.0f} articles, {mb:4.1f} MB: "
            f"read {r['articles'] / r['read_cpu']:6.0f} art/s {mb / r['read_cpu']:4.1f} MB/s "
            f"({r['articles'] / r['read_wall']:.0f} art/s wall); "
            f"read+counts+dates {r['articles'] / r['cpu']:5.0f} art/s {mb / r['cpu']:4.1f} MB/s "
            f"({r['articles'] / r['wall']:.0f} art/s wall); "
            f"{r['counts']:.0f} counts, {r['dates']:.0f} dates; peak memory while reading {peak / 1e6:.2f} MB"
        )
