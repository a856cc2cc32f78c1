"""Atomic file writes: a crash never leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["OutputDir", "atomic_path", "atomic_write", "outputs_in", "write_bytes", "write_text"]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    For writers that want a file name (pyogrio, GeoPackage).  On any exception
    the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL refuse to overwrite an existing file
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; replace ``path`` on success."""
    binary = "b" in mode
    with atomic_path(path) as tmp, open(
        tmp, mode, encoding=None if binary else encoding, newline=None if binary else ""
    ) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8, ``\\n`` line ends)."""
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


MANIFEST = ".geomap-manifest.json"


class OutputDir:
    """An output folder that geomap may write into, and may overwrite only its own files.

    A manifest (``.geomap-manifest.json``) records every file geomap wrote and
    the SHA-256 of what it wrote.  An existing file is overwritten only when
    the manifest lists it with the same hash: a file a user made, or edited
    after geomap wrote it, is curated and never replaced.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._manifest_path = self.path / MANIFEST
        self._hashes = _manifest(self.path)  # unreadable or missing: every existing file counts as the user's

    def check(self, *names: str) -> None:
        """Raise :class:`~geomap._errors.InputError` if any of ``names`` is a curated file."""
        from geomap._errors import InputError

        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"{self.path}: output path exists and is not a folder")
        for name in names:
            target = self.path / name
            if target.exists() and self._hashes.get(name) != _sha256(target):
                why = "was edited since geomap wrote it" if name in self._hashes else "was not written by geomap"
                raise InputError(
                    f"{target}: refusing to overwrite: the file {why}; move it away or choose another output folder"
                )

    def record(self, *names: str) -> None:
        """Note that geomap has just written ``names``, and save the manifest."""
        import json

        for name in names:
            self._hashes[name] = _sha256(self.path / name)
        manifest = {"written_by": "geomap", "files": dict(sorted(self._hashes.items()))}
        write_text(self._manifest_path, json.dumps(manifest, indent=1) + "\n")


def outputs_in(folder: str | Path) -> frozenset[str]:
    """The names of the files geomap wrote in ``folder`` (listed in its manifest; none if it has none).

    Walking a folder for input, these are passed over: a map, GeoJSON or
    table that geomap wrote beside the reports is not a report or an
    analyst's table.
    """
    return frozenset(_manifest(Path(folder)))


def _manifest(folder: Path) -> dict[str, str]:
    """The files listed in ``folder``'s manifest, with their SHA-256; empty if it has none or it is unreadable."""
    import json

    from geomap._input import Unreadable, read_limited

    try:  # bounded, and never blocks: a manifest may be a FIFO or a link to /dev/zero in a walked folder
        files = json.loads(read_limited(folder / MANIFEST, 64 << 20).decode("utf-8"))["files"]
        return {str(name): str(digest) for name, digest in files.items()}
    except (Unreadable, OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
