"""Atomic file writes and output folders: a crash, a kill or a full disk never leaves a half-written output.

Every temporary file is named ``.<name>.<pid>-<random>.geomap-tmp<suffix>``
beside its target, so a run killed part-way leaves only names that the next
run in that folder recognises, and removes once their process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "MANIFEST",
    "OutputDir",
    "atomic_path",
    "atomic_write",
    "outputs_in",
    "write_bytes",
    "write_text",
]

_TMP_TAG = ".geomap-tmp"
_TMP_NAME = re.compile(r"^\..+\.(\d+)-[A-Za-z0-9_]+" + re.escape(_TMP_TAG))


def _temp_beside(path: Path) -> Path:
    """A fresh, unused name for a temporary file beside ``path`` (the file itself is not left behind)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=_TMP_TAG + path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL refuse to overwrite an existing file
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(path: str | Path, *, make_parents: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    For writers that want a file name (pyogrio, GeoPackage).  On any exception
    the temporary file is removed and ``path`` is left as it was.  With
    ``make_parents=False`` a missing folder is an error (``FileNotFoundError``), not made.
    """
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _temp_beside(path)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        _remove_temp(tmp_path)


def _remove_temp(tmp_path: Path) -> None:
    """Remove a temporary file and what a writer (SQLite) may have left beside it."""
    import glob

    for debris in (tmp_path, *tmp_path.parent.glob(glob.escape(tmp_path.name) + "-*")):
        with contextlib.suppress(FileNotFoundError):
            debris.unlink()


@contextlib.contextmanager
def _open_temp(tmp: Path, mode: str, encoding: str | None) -> Iterator[IO]:
    binary = "b" in mode
    with open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; replace ``path`` on success."""
    with atomic_path(path) as tmp, _open_temp(tmp, mode, encoding) as fh:
        yield fh


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
    after geomap wrote it, is curated and never replaced (unless
    ``overwrite=True``).  A symbolic link, even one to nothing, is never
    replaced either: geomap writes none.

    The manifest is a journal, kept true at every moment: before a new file
    is renamed into place its hash is listed as *pending* (either the old or
    the new file is geomap's), and once it is in place it is listed as
    written.  A run killed, or stopped by a full disk, at any point leaves
    each output old or new, whole, and never taken for an analyst's edit.
    Temporary files left by a killed run are removed by the next run that
    writes into the folder.
    """

    def __init__(self, path: str | Path, *, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.overwrite = overwrite

    # -- checks -------------------------------------------------------------

    def check(self, *names: str) -> None:
        """Raise if any of ``names`` may not be written: a curated file, a folder, a link, no folder to write in.

        Raises
        ------
        InputError
            A file geomap did not write, or one edited since.
        OutputError
            The folder's path runs through a file, or a name is taken by a
            folder or a symbolic link.
        """
        from geomap._errors import InputError, OutputError

        self._check_folder()
        accepted = _accepted(self.path)
        for name in names:
            target = self.path / name
            if target.is_symlink():
                if self.overwrite and target.exists():
                    continue
                dangling = "" if target.exists() else " to a missing file"
                raise OutputError(
                    f"{target}: refusing to replace a symbolic link{dangling}; remove it or choose another output folder"
                )
            if target.is_dir():
                raise OutputError(f"{target}: is a folder, not a file geomap can write; move it or choose another output folder")
            if self.overwrite or not target.exists():
                continue
            if _sha256(target) not in accepted.get(name, ()):
                why = "was edited since geomap wrote it" if name in accepted else "was not written by geomap"
                raise InputError(
                    f"{target}: refusing to overwrite: the file {why}; move it away or choose another output folder"
                )

    def is_own(self, name: str) -> bool:
        """Whether file ``name`` is there as geomap wrote it (not made, nor edited since, by anyone else)."""
        target = self.path / name
        return target.is_file() and not target.is_symlink() and _sha256(target) in _accepted(self.path).get(name, ())

    def _check_folder(self) -> None:
        from geomap._errors import OutputError

        for folder in (self.path, *self.path.parents):
            if folder.is_dir():
                return
            if os.path.lexists(folder):
                what = "is not a folder" if folder == self.path else f"is a file, so {self.path} cannot be a folder"
                raise OutputError(f"{folder}: {what}; choose another output folder")

    def prepare(self) -> None:
        """Make the folder and try a file in it, so a folder that cannot be written fails now, before the work.

        Temporary files that a killed run left here are removed.
        """
        with self._trouble(self.path):
            self.path.mkdir(parents=True, exist_ok=True)
            _temp_beside(self.path / "probe")
        self.sweep()

    def sweep(self, folder: str | Path = ".") -> None:
        """Remove the temporary files of runs that are no longer running (in ``folder``, relative to the output folder)."""
        try:
            entries = list(os.scandir(self.path / folder))
        except OSError:
            return
        for entry in entries:
            match = _TMP_NAME.match(entry.name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    # -- writing ------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Yield a temporary path for output ``name``; put it in place, journaled in the manifest, on success.

        The file is checked again first (it may have been edited during the
        run).  Any trouble writing (a full disk, no permission) raises
        :class:`~geomap._errors.OutputError` naming the file; the old file,
        if any, is left whole.
        """
        target = self.path / name
        self.check(name)
        with self._trouble(target):
            target.parent.mkdir(parents=True, exist_ok=True)  # a name may be in a subfolder (a month's table)
            tmp = _temp_beside(target)
        try:
            with self._trouble(target):
                yield tmp
            with self._trouble(target):
                digest = _sha256(tmp)
                self._journal(name, digest, pending=True)  # from here the old file and the new one are both geomap's
                os.replace(tmp, target)
                self._journal(name, digest, pending=False)
        finally:
            _remove_temp(tmp)

    @contextlib.contextmanager
    def open(self, name: str, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO]:
        """Open output ``name`` for writing, as :meth:`writing` does (text with ``\\n`` line ends, UTF-8)."""
        with self.writing(name) as tmp, _open_temp(tmp, mode, encoding) as fh:
            yield fh

    def write_text(self, name: str, text: str) -> Path:
        """Write output ``name`` (UTF-8)."""
        with self.open(name) as fh:
            fh.write(text)
        return self.path / name

    def note(self, **meta: Any) -> None:
        """Record facts about the output set in the manifest (``corrected=...``); ``None`` removes one."""
        manifest = _read(self.path)
        for key, value in meta.items():
            if value is None:
                manifest.pop(key, None)
            else:
                manifest[key] = value
        with self._trouble(self.path / MANIFEST):
            self._save(manifest)

    def meta(self, key: str) -> Any:
        """A fact recorded with :meth:`note`, or ``None``."""
        return _read(self.path).get(key)

    def record(self, *names: str) -> None:
        """Note that geomap has just written ``names`` (by other means than :meth:`writing`)."""
        for name in names:
            self._journal(name, _sha256(self.path / name), pending=False)

    def _journal(self, name: str, digest: str, *, pending: bool) -> None:
        manifest = _read(self.path)
        files = manifest.setdefault("files", {})
        waiting = manifest.setdefault("pending", {})
        if pending:
            waiting[name] = digest
        else:
            files[name] = digest
            waiting.pop(name, None)
        manifest["files"] = dict(sorted(files.items()))
        if waiting:
            manifest["pending"] = dict(sorted(waiting.items()))
        else:
            del manifest["pending"]
        self._save(manifest)

    def _save(self, manifest: dict) -> None:
        import json

        manifest = {"written_by": "geomap", **{k: v for k, v in manifest.items() if k != "written_by"}}
        target = self.path / MANIFEST
        tmp = _temp_beside(target)
        try:
            with _open_temp(tmp, "w", "utf-8") as fh:
                fh.write(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
            os.replace(tmp, target)
        finally:
            _remove_temp(tmp)

    @contextlib.contextmanager
    def _trouble(self, path: Path) -> Iterator[None]:
        """Turn an OS error at the write boundary into one line naming ``path``."""
        from geomap._errors import GeomapError, OutputError

        try:
            yield
        except GeomapError:
            raise
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise OutputError(f"{path}: cannot write: {reason}") from exc


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def outputs_in(folder: str | Path) -> frozenset[str]:
    """The names of the files geomap wrote in ``folder`` (listed in its manifest; none if it has none).

    Walking a folder for input, these are passed over: a map, GeoJSON or
    table that geomap wrote beside the reports is not a report or an
    analyst's table.
    """
    return frozenset(_accepted(Path(folder)))


def _read(folder: Path) -> dict:
    """The manifest of ``folder`` as a dict; empty if it has none or it is unreadable."""
    import json

    from geomap._input import Unreadable, read_limited

    try:  # bounded, and never blocks: a manifest may be a FIFO or a link to /dev/zero in a walked folder
        manifest = json.loads(read_limited(folder / MANIFEST, 64 << 20).decode("utf-8"))
    except (Unreadable, OSError, ValueError, RecursionError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _accepted(folder: Path) -> dict[str, set[str]]:
    """Each file the manifest lists, with the hashes that are geomap's (written, or pending a rename)."""
    manifest = _read(folder)
    out: dict[str, set[str]] = {}
    for key in ("files", "pending"):
        entries = manifest.get(key)
        if isinstance(entries, dict):
            for name, digest in entries.items():
                out.setdefault(str(name), set()).add(str(digest))
    return out


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
