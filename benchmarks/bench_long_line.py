"""Hostile sizes: extraction time of one long line, and the cost of a huge file or table.

Each run is ``geomap extract`` in a process of its own; its CPU time and peak
memory come from the kernel (``os.wait4``).  A line of each kind is tried at
1, 4, 16 and 50 MB (``GEOMAP_BENCH_LINE_MB="1 2"`` for others): time linear in
the text shows as a steady CPU time per MB.  The start-up (loading the
gazetteer, building the matcher) is measured on an empty batch and taken off.
Then a 1 GiB file of zeros (an article, then an analyst's table) shows that
neither is read whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

_UNITS = {
    "prose": (
        "Border guards in Lang Son said on March 2 that they had stopped 14 people trying to cross into "
        "China illegally near the Huu Nghi gate. Customs officers in Mong Cai seized 20 tonnes of sugar "
        "smuggled from Dongxing on April 9; two drivers were fined. "
    ),
    "one sentence": "police in Lao Cai seized 5 kg of heroin on 3 March 2024 and arrested 12 people near Ha Khau and ",
    "dates": "2024-03-01 3 March 2024 March 2024 from May to June ",
}


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds, peak memory in MB) of ``argv``."""
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _extract(path: Path, tmp: Path) -> tuple[float, float]:
    out = tmp / "out"
    return _run([sys.executable, "-m", "geomap", "extract", str(path), "-o", str(out)], tmp)


def main() -> None:
    sizes = [float(s) for s in os.environ.get("GEOMAP_BENCH_LINE_MB", "1 4 16 50").split()]
    with tempfile.TemporaryDirectory(prefix="geomap-bench-") as name:
        tmp = Path(name)
        empty = tmp / "empty.txt"
        empty.write_text("Nothing happened.\n", encoding="utf-8")
        base, base_mb = _extract(empty, tmp)
        print(f"   start-up (one short report): {base:.1f} s CPU, {base_mb:.0f} MB peak")
        kinds = os.environ.get("GEOMAP_BENCH_LINE_KINDS")
        for kind, unit in _UNITS.items():
            if kinds and kind not in kinds.split(","):
                continue
            cells = []
            for mb in sizes:
                n = int(mb * (1 << 20))
                path = tmp / "line.txt"
                path.write_text((unit * (n // len(unit) + 1))[:n], encoding="utf-8")
                cpu, peak = _extract(path, tmp)
                cells.append(f"{mb:g} MB {cpu - base:5.1f} s ({(cpu - base) / mb:.1f} s/MB, {peak:.0f} MB peak)")
            print(f"   one line of {kind:12}: " + "; ".join(cells))
        for name, head in (("zeros.txt", b""), ("zeros.csv", b"place,type,count,unit,date,source\n")):
            path = tmp / name
            with open(path, "wb") as fh:
                fh.write(head)
                fh.truncate(1 << 30)
            cpu, peak = _extract(path, tmp)
            print(f"   1 GiB of zeros as {name:9}: {cpu:.1f} s CPU, {peak:.0f} MB peak")
            path.unlink()
