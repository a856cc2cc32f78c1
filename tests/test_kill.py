"""`geomap map` and `geomap export` killed (SIGKILL) at random moments: each output old or new, whole; the next run works.

Half the kills come at a random time in the run, half just after the first
temporary file of the write phase appears (plus a random few milliseconds),
so the write phase is hit every time.  After each kill the manifest must
accept every file on disk as geomap's (a file it would take for an analyst's
edit would stop the next run).  At the end the new run goes through, leaves
no temporary file, and every file seen after a kill is the old one or the
new one, byte for byte (the outputs are deterministic).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from geomap._io import MANIFEST, OutputDir

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
REPORTS = [SAMPLES / "reports" / "06_huu-nghi-traffic.txt", SAMPLES / "reports" / "09_lao-cai-hekou-drugs.txt"]


def _geomap(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "geomap", "-q", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def _temporary(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != MANIFEST)


def _kill_at_random(argv: list[str], out: Path, rng: random.Random, *, duration: float, in_writes: bool) -> int | None:
    """Run geomap and SIGKILL it; the exit status if it finished first."""
    proc = _geomap(*argv)
    try:
        if in_writes:  # wait for the write phase, then a little
            deadline = time.monotonic() + 10 * duration + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if out.is_dir() and _temporary(out):
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.3))
        else:
            time.sleep(rng.uniform(0.3, 1.0) * duration)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.communicate()
    return None if proc.returncode == -signal.SIGKILL else proc.returncode


def _check_kills(old_argv: list[str], new_argv: list[str], out: Path, kills: int) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    started = time.monotonic()
    done = _geomap(*old_argv)
    _, err = done.communicate()
    assert done.returncode == 0, err
    duration = time.monotonic() - started
    old = _snapshot(out)
    seen = []
    for n in range(kills):
        code = _kill_at_random(new_argv, out, rng, duration=duration, in_writes=n % 2 == 1)
        assert code in (None, 0), (seed, n, code)
        seen.append(_snapshot(out))
        # the manifest, at that moment, takes every output on disk for geomap's own
        OutputDir(out).check(*seen[-1])
    final = _geomap(*new_argv)
    _, err = final.communicate()
    assert final.returncode == 0, (seed, err.decode())
    assert err == b""
    assert _temporary(out) == [], seed  # what the killed runs left is gone
    new = _snapshot(out)
    assert old != new
    for n, files in enumerate(seen):
        for name, digest in files.items():
            assert digest in (old.get(name), new.get(name)), (seed, n, name)


def test_geomap_export_killed_at_random_moments(tmp_path) -> None:
    tables = tmp_path / "tables"
    subprocess.run([sys.executable, "-m", "geomap", "-q", "extract", *map(str, REPORTS), "-o", str(tables)], check=True)
    out = tmp_path / "out"
    _check_kills(
        ["export", str(tables), "-o", str(out), "--title", "one"],
        ["export", str(tables), "-o", str(out), "--title", "two", "--types", "drug_trafficking"],
        out,
        kills=6,
    )


def test_geomap_map_killed_at_random_moments(tmp_path) -> None:
    out = tmp_path / "out"
    _check_kills(
        ["map", *map(str, REPORTS), "-o", str(out), "--title", "one"],
        ["map", *map(str, REPORTS), "-o", str(out), "--title", "two", "--types", "drug_trafficking"],
        out,
        kills=4,
    )
