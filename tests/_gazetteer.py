"""Shared helpers for the gazetteer, geocoder and CLI tests: fixture folders."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "gazetteer_small"
BROKEN = FIXTURES / "gazetteer_broken"
REPO_GAZETTEER = Path(__file__).resolve().parents[1] / "gazetteer"


def copy_fixture(src: Path, dest: Path) -> Path:
    """Copy a fixture gazetteer folder to ``dest`` (for tests that edit it)."""
    shutil.copytree(src, dest)
    return dest
