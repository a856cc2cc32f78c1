"""geomap works from an installed wheel, not only from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("geomap-*.whl")
    return path


def test_wheel_ships_the_gazetteer_and_the_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "geomap/_data/gazetteer/places.csv" in names
    assert "geomap/_data/gazetteer/aliases.csv" in names
    assert any(n.startswith("geomap/_data/samples/reports/") for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_resolves_names_away_from_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import geomap, geomap.gazetteer as g, geomap.geocoder as gc\n"
        "assert geomap.__file__.startswith(%r), geomap.__file__\n"
        "gaz = g.load_gazetteer()\n"
        "r = gc.Resolver(gaz).resolve('Lạng Sơn province')\n"
        "print(r.place.id)\n" % str(site)
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "vn.province.lang-son"
