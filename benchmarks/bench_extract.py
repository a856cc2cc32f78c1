"""Extraction speed and memory on a generated corpus.

Writes 10,000 articles (about 5 KB each, JSON Lines, from templates in the
project's own words with varied places, counts and dates) to a temporary
folder.  Like real reports, most sentences are context (background, quotes,
plans, topics such as "cooperation in preventing illegal entry", with places,
figures and years); about one in eight states a fact, a handful an article.
The density is printed.  Then it extracts a quarter, a half and all of the
corpus, end to end (read, mentions, incidents, routes, tables), printing
articles/s and MB/s, the rows and deep size of the tables, and the process's
peak resident memory after each; then a bare Aho–Corasick pass over the same
text (read, fold, match) and the ratio of the two.  The whole corpus and the
bare pass are each run three times, and the medians are printed, as CPU time
(``time.process_time``: the aim is for one core) beside wall time (the box is
shared: wall time there measures the other jobs too).  The articles are streamed, not held: what grows with the corpus is
the output tables that ``extract()`` returns.

It also times the whole corpus with two worker processes (``--jobs 2``), beside,
and runs ``geomap extract PATH -o DIR`` on each size in a fresh process, which
writes the tables as it goes: its peak memory stays flat as the corpus grows.

At the end it compares English, Vietnamese and Chinese reports per MB
(``bench_extract_languages``, at most 2,000 articles a language).

Run: ``python -m benchmarks extract`` (about three minutes);
``BENCH_EXTRACT_N=2000`` for a quick look.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

N_ARTICLES = int(os.environ.get("BENCH_EXTRACT_N", "10000"))
REPEATS = 3  # runs of the whole corpus and of the bare pass; their medians are printed

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
# Context: what most of a real report is (background, quotes, plans, topics),
# with places, figures, years and a few cue words that state no fact.
_FILLER = [
    "Residents said the market in {p1} was busy, and traders from {p2} came every week.",
    "Weather on the mountain roads near {p3} slowed traffic for several days during {month}.",
    "Officials said the work would continue and thanked local people for their help.",
    "The report was presented by the head of the provincial office, who answered questions from reporters.",
    "Farmers in the area grow rice, tea and fruit, and many families have relatives on both sides.",
    "New roads and a larger car park have made the crossing easier for traders in recent years.",
    "The meeting room was decorated with flags of both countries and photographs of earlier visits.",
    "Local schools have added lessons on the history of the region and its languages.",
    "{p1} shares about {km} km of border with {c1}, crossed by rivers, hills and forest trails.",
    "In {year}, the province opened a new wholesale market a few kilometres from {p3}.",
    "Officials said cooperation in preventing illegal entry and drug crime would remain a priority.",
    "The two sides need to share information faster and strengthen their joint work in {p2}.",
    "According to the tourism office, visitors to {p1} rose by {pct} percent compared with {year}.",
    "Speaking at the event, the deputy director said the work had brought clear results.",
    "Many young people from the hill districts go to work in factories in {p2} and send money home.",
    "The province has {k} communes along the border, and most residents belong to ethnic minority groups.",
    "Trucks loaded with fruit from {p1} often wait for hours at the gate during the harvest season.",
    "Reporters visited the area in {month} and spoke with shop owners near the old market.",
    "The new highway linking {p1} and {p2} is due to open in {year2}, officials said.",
    "Teachers in {p3} said more children now finish secondary school than ten years ago.",
    "Tourists from {c1} can visit the area with a border pass for up to {k} days.",
    '"We will keep working closely with our colleagues across the border," the commander said.',
    "Last year {p1} welcomed more than {m} tourists, many of them from {c1}.",
    "The district has built {k} kilometres of new road to villages near the border since {year}.",
    "Officers stressed that residents should report strangers and unusual goods to the nearest post.",
    "The conference heard reports from the provinces and agreed on a plan for the coming year.",
    "Prices of rice and pork in {p2} stayed steady over the month, traders said.",
    "The border post was built in {year} and has {k} officers on duty at any time.",
    "Experts say the fight against drug crime depends on trust between the police and villagers.",
    "Heavy rain in {month} damaged parts of the road to {p3}, which has since been repaired.",
]
_FACT_SHARE = 0.12  # share of sentences stating a fact; real reports carry a handful an article


def _article(rng: random.Random, i: int) -> tuple[dict, int]:
    """One article of about 5 KB and how many of its sentences state a fact."""
    parts: list[str] = []
    size = 0
    facts = 0
    while size < 5000:
        fact = rng.random() < _FACT_SHARE
        facts += fact
        template = rng.choice(_TEMPLATES if fact else _FILLER)
        year = rng.randint(2012, 2026)
        sentence = template.format(
            p1=rng.choice(_PLACES), p2=rng.choice(_PLACES), p3=rng.choice(_PLACES),
            c1=rng.choice(_COUNTRIES), c2=rng.choice(_COUNTRIES), month=rng.choice(_MONTHS),
            day=rng.randint(1, 28), n=rng.randint(2, 400), m=rng.randint(100, 90_000),
            k=rng.randint(2, 40), w=round(rng.uniform(0.5, 80), 1), km=rng.randint(40, 600),
            pct=rng.randint(3, 60), year=year, year2=year + 2,
        )  # fmt: skip
        parts.append(sentence)
        size += len(sentence) + 1
        if rng.random() < 0.25:
            parts.append("\n\n")
    year = rng.randint(2019, 2026)
    article = {
        "id": f"gen-{i:05d}",
        "title": f"Border report {i}",
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "source": "Generated (benchmark)",
        "url": "",
        "text": " ".join(parts).replace(" \n\n ", "\n\n"),
    }
    return article, facts


def _corpus(folder: Path, n: int) -> tuple[Path, int, int, int]:
    """Write ``n`` articles; return the file, its bytes, its sentences and its fact sentences."""
    rng = random.Random(20261123)
    path = folder / f"corpus_{n}.jsonl"
    size = sentences = facts = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            article, n_facts = _article(rng, i)
            line = json.dumps(article, ensure_ascii=False)
            size += len(line.encode("utf-8"))
            sentences += article["text"].count(". ") + article["text"].count(".\n") + 1
            facts += n_facts
            fh.write(line + "\n")
    return path, size, sentences, facts


def _bare_pass(path: Path, matcher) -> tuple[float, int, float]:
    """Read the texts, fold them and run the automaton: the floor the pipeline is compared to (wall, hits, CPU)."""
    started, used = time.perf_counter(), time.process_time()
    hits = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            hits += len(matcher.find(json.loads(line)["text"]))
    return time.perf_counter() - started, hits, time.process_time() - used


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _run(path: Path, gazetteer) -> tuple[float, object, float]:
    """Extract ``path``: wall seconds, the tables, CPU seconds."""
    from geomap.extract import extract

    started, used = time.perf_counter(), time.process_time()
    tables = extract([path], gazetteer=gazetteer)
    return time.perf_counter() - started, tables, time.process_time() - used


def _table_mb(tables) -> tuple[int, float]:
    """Rows in all tables and their deep size in MB (what the output itself holds)."""
    frames = tables.tables().values()
    return sum(len(f) for f in frames), sum(int(f.memory_usage(deep=True).sum()) for f in frames) / 1e6


# ``geomap extract PATH -o DIR`` in a process of its own, which prints its time and peak memory.
# Its peak is VmHWM, this process's own: ru_maxrss would carry the peak of the
# parent it was forked from (Linux keeps it across exec).
_CLI_RUN = """
import sys, time
from geomap.cli import main
started = time.perf_counter()
code = main(["extract", sys.argv[1], "-o", sys.argv[2]])
seconds = time.perf_counter() - started
with open("/proc/self/status") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
print(f"{code} {seconds} {peak}", file=sys.stderr)
"""


def _cli_extract(path: Path, out: Path) -> tuple[float, float, int]:
    """Run the CLI on ``path`` in a fresh process: seconds (with its start), peak RSS in MB, CSV bytes written."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _CLI_RUN, str(path), str(out)], capture_output=True, text=True, check=False
    )
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    code, seconds, peak = last.split() if last.count(" ") == 2 else ("?", "nan", "nan")
    if code != "0":
        raise SystemExit(f"geomap extract failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return float(seconds), float(peak), sum(f.stat().st_size for f in out.glob("*.csv"))


def main() -> None:
    from geomap.gazetteer import load_gazetteer
    from geomap.places import _shared_matcher

    gazetteer = load_gazetteer()
    started, used = time.perf_counter(), time.process_time()
    matcher = _shared_matcher(gazetteer)
    print(
        f"matcher: {len(matcher):,} patterns, ready in {time.process_time() - used:.2f} s CPU "
        f"({time.perf_counter() - started:.2f} s wall; built once for a table and kept in the compiled cache, "
        "then shared by the runs of a process; not in the figures below)"
    )
    sizes = sorted({max(1, N_ARTICLES // 4), max(1, N_ARTICLES // 2), N_ARTICLES})
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {n: _corpus(Path(tmp), n) for n in sizes}
        big, big_bytes, sentences, facts = corpora[N_ARTICLES]
        mb = big_bytes / 1e6
        print(
            f"corpus: {N_ARTICLES:,} articles, {mb:.1f} MB of JSON Lines, {big_bytes / N_ARTICLES / 1e3:.1f} KB an article; "
            f"{sentences / N_ARTICLES:.0f} sentences an article, {facts / N_ARTICLES:.1f} of them stating a fact "
            f"({facts / sentences:.0%}; the rest context with places, figures and years)"
        )
        base = _peak_mb()
        print(f"peak resident memory before extracting: {base:.0f} MB (gazetteer, matcher, corpus writer)")
        timings = {}
        cpu_timings = {}
        peaks: dict[int, tuple[int, float]] = {}
        for n in sizes:  # smallest first: the peak after each run is that run's peak
            path = corpora[n][0]
            seconds, tables, cpu = _run(path, gazetteer)
            rows, table_mb = _table_mb(tables)
            summary = tables.summary()
            del tables
            timings[n] = seconds
            cpu_timings[n] = cpu
            peaks[n] = (rows, _peak_mb())
            print(
                f"  {n:>6,} articles: {n / cpu:,.0f} articles/s CPU ({n / seconds:,.0f} wall), "
                f"{corpora[n][1] / 1e6 / cpu:.2f} MB/s CPU; "
                f"{summary['mentions'] / n:.0f} mentions, {summary['incidents'] / n:.1f} incidents, "
                f"{summary['routes'] / n:.2f} routes an article; "
                f"tables {rows:,} rows ({table_mb:.0f} MB by pandas' deep count, which counts a shared string "
                f"once a cell); peak RSS {_peak_mb():.0f} MB"
            )
        runs = [timings[N_ARTICLES]]
        cpu_runs = [cpu_timings[N_ARTICLES]]
        for _ in range(REPEATS - 1):  # the box is noisy: the figure is the median of a few runs
            seconds, _, cpu = _run(big, gazetteer)
            runs.append(seconds)
            cpu_runs.append(cpu)
        big_s, big_cpu = statistics.median(runs), statistics.median(cpu_runs)
        print(
            f"end to end: {N_ARTICLES / big_cpu:,.0f} articles/s, {mb / big_cpu:.2f} MB/s of CPU time "
            f"(median of {len(runs)} runs: {', '.join(f'{t:.1f}' for t in cpu_runs)} s CPU for {N_ARTICLES:,}); "
            f"wall {N_ARTICLES / big_s:,.0f} articles/s ({', '.join(f'{t:.1f}' for t in runs)} s)"
        )
        jobs = min(2, os.cpu_count() or 1)
        if jobs > 1:
            from geomap.extract import extract

            started = time.perf_counter()
            extract([big], gazetteer=gazetteer, jobs=jobs)
            par_s = time.perf_counter() - started
            print(
                f"with {jobs} worker processes (--jobs {jobs}): {N_ARTICLES / par_s:,.0f} articles/s, "
                f"{mb / par_s:.2f} MB/s, {big_s / par_s:.1f}x one process (same tables; the aim is for one core)"
            )
        print("geomap extract PATH -o DIR (the CLI, in a fresh process; its tables go to disk as they are made):")
        streamed: dict[int, float] = {}
        for n in sizes:
            seconds, peak, size = _cli_extract(corpora[n][0], Path(tmp) / f"tables_{n}")
            streamed[n] = peak
            print(
                f"  {n:>6,} articles: {n / seconds:,.0f} articles/s with the start (imports, gazetteer, matcher); "
                f"{size / 1e6:.0f} MB of CSV written; peak RSS {peak:.0f} MB"
            )
        bare = [_bare_pass(big, matcher) for _ in range(REPEATS)]
        bare_s, hits = statistics.median(b[0] for b in bare), bare[0][1]
        bare_cpu = statistics.median(b[2] for b in bare)
        print(
            f"bare Aho-Corasick pass: {N_ARTICLES / bare_cpu:,.0f} articles/s, {mb / bare_cpu:.1f} MB/s of CPU time "
            f"({N_ARTICLES / bare_s:,.0f} articles/s wall; {hits:,} matches; median of {REPEATS} runs)"
        )
        print(f"ratio end to end / bare pass: {big_cpu / bare_cpu:.1f}x CPU, {big_s / bare_s:.1f}x wall (medians)")
        (rows_a, peak_a), (rows_b, peak_b) = peaks[sizes[0]], peaks[sizes[-1]]
        per_row = (peak_b - peak_a) * 1e6 / max(1, rows_b - rows_a)
        print(
            f"memory: the articles are streamed, not held.  extract() returns the tables, so they grow: about "
            f"{per_row:,.0f} bytes of peak RSS a table row from {sizes[0]:,} to {sizes[-1]:,} articles (rows kept "
            "in typed columns while the run goes on, then the pandas tables, built once at the end).  "
            f"geomap extract writes them as it goes: peak RSS {streamed[sizes[0]]:.0f} MB at {sizes[0]:,} articles, "
            f"{streamed[sizes[-1]]:.0f} MB at {sizes[-1]:,} ({streamed[sizes[-1]] / streamed[sizes[0]]:.2f}x)"
        )
    from benchmarks.bench_extract_languages import compare

    n = min(N_ARTICLES, 2000)
    print(f"by language ({n:,} generated reports of about 5 KB each a language):")
    compare(n, gazetteer)


if __name__ == "__main__":
    main()
