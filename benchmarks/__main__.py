"""Run every ``benchmarks/bench_*.py`` (or those named) and print their figures.

Usage: ``python -m benchmarks [NAME ...]`` from the repository root, e.g.
``python -m benchmarks gazetteer``.  Each module exposes ``main() -> None``.
"""

from __future__ import annotations

import importlib
import pathlib
import sys
import time


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    here = pathlib.Path(__file__).parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if any(m == f"bench_{n}" or m == n for n in names)]
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
