"""Run every ``benchmarks/bench_*.py`` (or those named) and print their figures.

Usage: ``python -m benchmarks [NAME ...]`` from the repository root, e.g.
``python -m benchmarks gazetteer``.  Each module exposes ``main() -> None`` and
runs in a process of its own, so one benchmark's memory peak or warm caches
never colour the next one's figures.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    here = pathlib.Path(__file__).parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if any(m == f"bench_{n}" or m == n for n in names)]
        if not modules:
            print(f"no benchmark named {' '.join(names)}", file=sys.stderr)
            return 2
    failed = 0
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = f"import benchmarks.{name} as bench; bench.main()"
        done = subprocess.run([sys.executable, "-c", code], cwd=here.parent, check=False)
        failed += done.returncode != 0
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
