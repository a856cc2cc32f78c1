"""A compiled cache of what is built from the gazetteer tables: loaded rows, resolver index, matcher.

Building them from 60,000 names takes seconds; reading them back a fraction
of that.  Each entry is a pickle in the user's cache folder
(``$GEOMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/geomap``, else
``~/.cache/geomap``), named by a digest of the tables' content, of the
Python version and of the geomap modules that build them: an edited table or a changed module is a new name, so a stale
entry is never read.  ``GEOMAP_CACHE_DIR=off`` turns the cache off.  Nothing
here is committed or shipped; a cache that cannot be written is skipped
silently (it only costs time).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

__all__ = ["cache_get", "cache_put", "table_stamp"]

_BUILDERS = ("gazetteer.py", "geocoder.py", "places.py", "normalize.py", "records.py", "_compiled.py")


def _folder() -> Path | None:
    value = os.environ.get("GEOMAP_CACHE_DIR")
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "geomap"


def table_stamp(folder: Path) -> str:
    """A digest naming the tables of ``folder`` by their content, and the code that reads them.

    Content, not modification times: a checkout or a copy of the same tables
    finds the entry already built, and an edit that keeps the size and the
    time stamp still makes a new one.  Hashing the 8 MB of tables takes a
    few hundredths of a second.
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode())
    for path in [folder / "places.csv", folder / "aliases.csv", *(here / name for name in _BUILDERS)]:
        digest.update(f"\0{path.name}\0".encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()[:32]


def cache_get(stamp: str, what: str) -> Any:
    """The cached ``what`` of the tables ``stamp``, or ``None``."""
    folder = _folder()
    if folder is None or not stamp:
        return None
    collecting = gc.isenabled()
    try:
        with open(folder / f"{what}-{stamp}.pickle", "rb") as fh:
            data = fh.read()
        # Hundreds of thousands of small containers come back at once: the cycle collector, run
        # every few hundred of them, would walk them all again and again (it doubled the time).
        gc.disable()
        return pickle.loads(data)  # noqa: S301 - the user's own cache, written by cache_put
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    finally:
        if collecting:
            gc.enable()


def cache_put(stamp: str, what: str, value: Any) -> None:
    """Store ``value`` as the ``what`` of the tables ``stamp`` (atomically; errors ignored)."""
    folder = _folder()
    if folder is None or not stamp:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{what}-{stamp}.pickle"
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        for old in folder.glob(f"{what}-*.pickle"):  # keep the folder from growing with every edit
            if old != target and old.stat().st_mtime < target.stat().st_mtime - 7 * 86400:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
