"""Past one machine: one process, --jobs 2, a two-worker Dask cluster, an incremental re-run, and a map of 1M incidents.

On the generated corpus of ``bench_extract`` (about 5 KB an article, JSON
Lines), ``geomap extract`` is timed four ways into fresh folders, each
writing the same tables: in one process; with ``--jobs 2``; on a local Dask
cluster of two single-threaded worker processes (its start is timed apart);
and again into the first folder after adding 1% new reports, which extracts
only those (the aim: under 5% of the full run).  Then a million incidents
(with 250,000 articles and a million mentions, generated straight into
Parquet tables by month, with places from the bundled gazetteer) are turned
into the map and exports by ``geomap map TABLES`` in a fresh process
(``bench_bigmap``): its time, peak memory (aim: under 1 GB) and the HTML's
size are printed.

Each extraction is run ``BENCH_SCALE_REPEAT`` times (default 3) and its
median printed with the spread: the development box is shared and noisy.
The incremental runs each start from a copy of the first full run's folder
(tables and cache); their ratio is to the one-process median, scaled to the
same number of reports.

Every time is printed as wall and CPU seconds (this process's
``time.process_time()``, or a child's ``getrusage``; a cluster's workers'
CPU is not counted): the box is shared, so the CPU figures and the ratios
are the ones to compare.

Run: ``python -m benchmarks scale`` (``BENCH_SCALE_N`` articles, default
10,000; ``BENCH_SCALE_INCIDENTS``, default 1,000,000, 0 for no map;
``BENCH_SCALE_ONLY=incremental`` for one full run and the incremental runs
only, ``BENCH_SCALE_ONLY=cluster`` for one process and the cluster only).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_ARTICLES = int(os.environ.get("BENCH_SCALE_N", "10000"))
N_INCIDENTS = int(os.environ.get("BENCH_SCALE_INCIDENTS", "1000000"))  # 0: no map
REPEAT = int(os.environ.get("BENCH_SCALE_REPEAT", "3"))
ONLY = os.environ.get("BENCH_SCALE_ONLY", "")  # "incremental", "cluster" or "" (everything)

_CPU: list[float] = []  # the CPU seconds of each _timed call, in order


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    """Wall seconds and the result; the CPU seconds (this process's and its children's) go to ``_CPU``."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time()
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append(time.process_time() - cpu + (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return seconds, result


def _cpu(n: int) -> str:
    """The median CPU seconds of the last ``n`` timed runs."""
    return f"CPU {statistics.median(_CPU[-n:]):.2f} s"


def _tables_equal(one: Path, two: Path) -> bool:
    return all((one / f).read_bytes() == (two / f).read_bytes() for f in os.listdir(one) if f.endswith(".csv"))


def _big_tables(folder: Path, n_incidents: int, *, by_month: bool = False) -> None:
    """Parquet tables of ``n_incidents`` incidents (4 an article) and as many mentions, a chunk at a time (``by_month``: partitioned)."""
    import numpy as np
    import pandas as pd

    from geomap.extract import _frame
    from geomap.gazetteer import load_gazetteer
    from geomap.records import INCIDENT_TYPES
    from geomap.tablefiles import table_writer

    gazetteer = load_gazetteer()
    places = sorted(p.id for p in gazetteer if p.kind in ("province", "city", "district", "border_gate"))
    rng = np.random.default_rng(20261203)
    days = np.array([np.datetime64("2019-01-01") + i for i in range(0, 365 * 7)]).astype(str)
    chunk = 100_000
    with table_writer(folder, format="parquet", by_month=by_month) as out:
        for first in range(0, n_incidents, chunk):
            n = min(chunk, n_incidents - first)
            ids = np.arange(first, first + n)
            arts = [f"a{i // 4:07d}" for i in ids]
            place = rng.choice(places, n)
            day = rng.choice(days, n)
            value = rng.integers(1, 400, n).astype(float)
            out.write("articles", _frame("articles", pd.DataFrame({
                "article_id": arts[::4], "title": [f"Report {a}" for a in arts[::4]], "date": day[::4],
                "date_precision": "day", "source": "Generated", "format": "jsonl", "encoding": "utf-8",
                "n_chars": 5000,
            })))  # fmt: skip
            out.write("mentions", _frame("mentions", pd.DataFrame({
                "article_id": arts, "start": 10, "end": 18, "text": place, "place_id": place, "score": 100.0,
                "method": "exact", "ambiguous": False,
            })))  # fmt: skip
            out.write("incidents", _frame("incidents", pd.DataFrame({
                "incident_id": [f"{a}#{i % 4 + 1}" for a, i in zip(arts, ids, strict=True)], "article_id": arts,
                "type": rng.choice(INCIDENT_TYPES, n), "value": value, "unit": "people",
                "counts": [f"{int(v)} people" for v in value], "date_start": day, "date_end": day,
                "date_precision": "day", "place_id": place, "places": [f"{p}:location" for p in place],
                "location_precision": 1, "sentence": "Guards stopped a group at the border.", "start": 0, "end": 40,
                "source": "extracted",
            })))  # fmt: skip
        for name in ("routes", "unresolved", "skipped"):
            out.write(name, _frame(name, []))
        out.commit()


def _median(seconds: list[float]) -> str:
    """``median s (min-max, n runs)``: the box is shared and noisy, so the median of a few runs, and their spread."""
    if len(seconds) == 1:
        return f"{seconds[0]:7.2f} s"
    return f"{statistics.median(seconds):7.2f} s (median of {len(seconds)}: {min(seconds):.2f}-{max(seconds):.2f})"


def main() -> None:
    from benchmarks.bench_bigmap import _run_map
    from benchmarks.bench_extract import _corpus
    from geomap.cluster import dask_client
    from geomap.gazetteer import load_gazetteer
    from geomap.jobs import extract_tables

    gazetteer = load_gazetteer()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus, size, _, _ = _corpus(root, N_ARTICLES)
        print(f"corpus: {N_ARTICLES:,} articles, {size / 1e6:.1f} MB of JSON Lines (the corpus of bench_extract); "
              f"each figure the median of {REPEAT} runs, on a box shared with other jobs (load average "
              f"{os.getloadavg()[0]:.1f} at the start): the ratios carry over, the rates less so")  # fmt: skip
        runs = [_timed(extract_tables, [corpus], root / f"one{i}", gazetteer=gazetteer, full=True)[0] for i in range(REPEAT)]
        one_s, one_cpu = statistics.median(runs), statistics.median(_CPU[-REPEAT:])
        print(f"one process:      {_median(runs)}  {_cpu(REPEAT)}  {N_ARTICLES / one_s:7,.0f} articles/s")
        if ONLY in ("", "jobs"):
            runs = [_timed(extract_tables, [corpus], root / f"jobs{i}", gazetteer=gazetteer, jobs=2)[0] for i in range(REPEAT)]
            jobs_s = statistics.median(runs)
            print(f"--jobs 2:         {_median(runs)}  {_cpu(REPEAT)} (this process)  {N_ARTICLES / jobs_s:7,.0f} articles/s"
                  f"  ({one_s / jobs_s:.2f}x)  same tables: {_tables_equal(root / 'one0', root / 'jobs0')}")  # fmt: skip
        if ONLY in ("", "cluster"):
            started = time.perf_counter()
            with dask_client(n_workers=2) as client:
                start_s = time.perf_counter() - started
                runs = [_timed(extract_tables, [corpus], root / f"dask{i}", gazetteer=gazetteer, client=client)[0]
                        for i in range(REPEAT)]  # fmt: skip
            dask_s = statistics.median(runs)
            print(f"Dask, 2 workers:  {_median(runs)}  {_cpu(REPEAT)} (the client)  {N_ARTICLES / dask_s:7,.0f} articles/s  "
                  f"({one_s / dask_s:.2f}x; the cluster's start, {start_s:.1f} s, apart)  "
                  f"same tables: {_tables_equal(root / 'one0', root / 'dask0')}")  # fmt: skip
        if ONLY not in ("", "incremental"):
            return
        extra = max(1, N_ARTICLES // 100)
        (root / "more").mkdir()
        more = _corpus(root / "more", extra)[0]
        renamed = root / "new_reports.jsonl"  # the same generator: give the new reports ids of their own
        with more.open(encoding="utf-8") as src, renamed.open("w", encoding="utf-8") as dst:
            for line in src:
                dst.write(line.replace('"id": "gen-', '"id": "new-', 1))
        runs = []
        for i in range(REPEAT):  # each time from the first full run's folder (its tables and cache), copied
            shutil.copytree(root / "one0", root / f"inc{i}")
            seconds, summary = _timed(extract_tables, [corpus, renamed], root / f"inc{i}", gazetteer=gazetteer)
            runs.append(seconds)
        inc_s, inc_cpu = statistics.median(runs), statistics.median(_CPU[-REPEAT:])
        extract_tables([corpus, renamed], root / "full", gazetteer=gazetteer, full=True)
        scale = (N_ARTICLES + extra) / N_ARTICLES
        full_s, full_cpu = one_s * scale, one_cpu * scale
        print(f"incremental, +{extra:,} reports (1%): {_median(runs)}  {_cpu(REPEAT)} = {inc_s / full_s:.1%} of a full "
              f"run of the same {N_ARTICLES + extra:,} in wall time, {inc_cpu / full_cpu:.1%} in CPU (the one-process "
              f"medians, scaled: {full_s:.1f} s, CPU {full_cpu:.1f} s); {summary.articles - summary.cached:,} extracted, "
              f"{summary.cached:,} from the cache; same tables as a full run: {_tables_equal(root / 'inc0', root / 'full')}")  # fmt: skip
        # The same as a daily job runs it: a fresh process (imports, the gazetteer loaded, the matcher built),
        # against a full run from the command line too; the two alternate.
        full_runs, runs, full_cpus, cpus = [], [], [], []
        for i in range(REPEAT):
            command = [sys.executable, "-m", "geomap", "-q", "extract", str(corpus), str(renamed)]
            full_runs.append(_timed(subprocess.run, [*command, "-o", str(root / f"clifull{i}"), "--full"], check=True)[0])
            full_cpus.append(_CPU[-1])
            shutil.copytree(root / "one0", root / f"cli{i}")
            runs.append(_timed(subprocess.run, [*command, "-o", str(root / f"cli{i}")], check=True)[0])
            cpus.append(_CPU[-1])
        cli_s, cli_cpu = statistics.median(runs), statistics.median(cpus)
        cfull_s, cfull_cpu = statistics.median(full_runs), statistics.median(full_cpus)
        print(f"from the command line (a fresh process): full run {_median(full_runs)}  CPU {cfull_cpu:.2f} s; "
              f"incremental {_median(runs)}  CPU {cli_cpu:.2f} s = {cli_s / cfull_s:.1%} of the full run in wall "
              f"time, {cli_cpu / cfull_cpu:.1%} in CPU; same tables: {_tables_equal(root / 'cli0', root / 'full')}")  # fmt: skip
        if not N_INCIDENTS:
            return

        tables = root / "big"
        gen_s, _ = _timed(_big_tables, tables, N_INCIDENTS, by_month=True)
        mb = sum(p.stat().st_size for p in tables.rglob("*.parquet")) / 1e6
        print(f"generated {N_INCIDENTS:,} incidents as Parquet by month ({mb:.0f} MB, {gen_s:.0f} s)")
        code, wall, cpu, peak, err = _run_map(tables, root / "map")
        html = root / "map" / "border_activity.html"
        print(f"geomap map of {N_INCIDENTS:,} incidents from Parquet: exit {code}, {wall:.0f} s ({cpu:.0f} s CPU), "
              f"peak RSS {peak:.0f} MB, HTML {html.stat().st_size / 1e6 if html.exists() else float('nan'):.1f} MB "
              "(the newest 50,000 drawn, the rest counted by province, month and type)")  # fmt: skip
        if code != 0:
            print(err)

if __name__ == "__main__":
    main()
