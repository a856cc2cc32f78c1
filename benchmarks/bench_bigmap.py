"""`geomap map` on tables of 100,000 and 1,000,000 incidents (Parquet, by month): time, peak memory, HTML size.

The tables are generated straight into Parquet partitioned by month (the
generator of ``bench_scale``: 4 incidents and 4 mentions an article, places
from the bundled gazetteer, seven years of dates), then ``geomap map TABLES
-o OUT --formats csv`` runs in a child process under ``/usr/bin/time -v``
(or, without it, ``resource.getrusage`` of the child): its wall time, peak
resident memory (aim: under 1 GB at a million) and the HTML's size are
printed, with what the map holds (incidents drawn one by one, aggregate
cells).  ``BENCH_BIGMAP_REPEAT`` runs (default 1) give medians.  The
development box has two cores shared by several jobs: wall times there are
several times the CPU time, which is printed too.

Run: ``python -m benchmarks bigmap`` (``BENCH_BIGMAP_SIZES``, default
``100000,1000000``).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [int(n) for n in os.environ.get("BENCH_BIGMAP_SIZES", "100000,1000000").split(",") if n.strip()]
REPEAT = int(os.environ.get("BENCH_BIGMAP_REPEAT", "1"))
TIME = "/usr/bin/time"


def _run_map(tables: Path, out: Path) -> tuple[int, float, float, float, str]:
    """Exit code, wall seconds, CPU seconds, peak RSS (MB) of ``geomap map tables -o out`` in a fresh process."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "geomap", "-q", "map", str(tables), "-o", str(out), "--formats", "csv"]
    timed = os.path.exists(TIME)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([TIME, "-v", *command] if timed else command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if timed:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        peak = int(found.group(1)) / 1024 if found else float("nan")
    else:  # the largest child so far: sizes run smallest first
        peak = after.ru_maxrss / 1024
    return done.returncode, wall, cpu, peak, done.stderr[-2000:]


def _holds(out: Path) -> tuple[int, int]:
    """Incidents drawn one by one and aggregate cells in the written map."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_map import _payload

    data = _payload((out / "border_activity.html").read_text(encoding="utf-8"))
    return len(data["inc"]["id"]), len(data["agg"]["n"])


def main() -> None:
    from benchmarks.bench_scale import _big_tables

    print(f"geomap map on generated Parquet tables by month; {REPEAT} run(s) each, medians; a shared 2-core box: "
          "wall time includes waiting for other jobs (CPU time beside it)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in SIZES:
            tables = root / f"tables-{n}"
            started = time.perf_counter()
            _big_tables(tables, n, by_month=True)
            mb = sum(p.stat().st_size for p in tables.rglob("*.parquet")) / 1e6
            files = len(list((tables / "incidents").rglob("*.parquet")))
            print(f"{n:>9,} incidents: {mb:.0f} MB of Parquet, {files} month files "
                  f"(generated in {time.perf_counter() - started:.0f} s)")  # fmt: skip
            runs = [_run_map(tables, root / f"map-{n}") for _ in range(REPEAT)]
            failed = [r for r in runs if r[0] != 0]
            if failed:
                print(f"           geomap map failed (exit {failed[0][0]}):\n{failed[0][4]}")
                continue
            html = root / f"map-{n}" / "border_activity.html"
            drawn, cells = _holds(root / f"map-{n}")
            wall, cpu, peak = (statistics.median(r[i] for r in runs) for i in (1, 2, 3))
            print(f"           geomap map: {wall:.0f} s wall, {cpu:.0f} s CPU, peak RSS {peak:.0f} MB, "
                  f"HTML {html.stat().st_size / 1e6:.1f} MB ({drawn:,} incidents drawn, {cells:,} aggregate cells)")  # fmt: skip
            shutil.rmtree(tables, ignore_errors=True)


if __name__ == "__main__":
    main()
