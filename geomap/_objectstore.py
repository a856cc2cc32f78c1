"""Tables written to object storage: ``geomap extract REPORTS -o s3://bucket/tables`` (any fsspec URL).

A ``file://`` URL is the local folder it names.  For any other URL
(``s3://``, ``gs://``, ``abfs://``, ``memory://``...) the run works in a
local folder of its own, kept in geomap's cache folder
(``~/.cache/geomap/remote/``, or ``$GEOMAP_CACHE_DIR``; a temporary one
when the cache is off) and named after the URL, so the next run into the
same URL is incremental as a local one is; then each table is *published*:
uploaded under a temporary key beside its own and moved onto its key, so a
reader sees the old object or the new one, never half of one (an S3 or GCS
move is a server-side copy of the whole object, then a delete).

As in a local folder, nothing a user made is overwritten: the run notes
the checksum (:meth:`fsspec.AbstractFileSystem.checksum`: an S3 ETag, a
local file's stat...) of each object it published, and refuses, before
writing anything, to replace an object at one of its keys that it did not
publish or that has changed since.  Month objects an earlier run published
and this run has no rows for are removed.  fsspec (a dependency of Dask:
``pip install 'geomap[dask]'``) and the file system's own package
(``s3fs``, ``gcsfs``, ``adlfs``) are needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["is_url", "local_folder", "publish", "working_folder"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_RECORD = ".geomap-published.json"


def is_url(out: Any) -> bool:
    """Whether ``out`` is a URL (``scheme://...``) rather than a folder."""
    return isinstance(out, str) and _URL.match(out) is not None


def local_folder(url: str) -> Path | None:
    """The folder a ``file://`` URL names; ``None`` for other URLs."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() != "file":
        return None
    if parsed.netloc not in ("", "localhost"):
        from geomap._errors import InputError

        raise InputError(f"{url}: a file:// URL names a folder on this machine (file:///path/to/tables)")
    return Path(urllib.parse.unquote(parsed.path))


def _fs(url: str) -> tuple[Any, str]:
    from geomap._errors import InputError, MissingDependencyError

    try:
        import fsspec
    except ImportError as exc:
        raise MissingDependencyError("output to a URL needs fsspec: pip install 'geomap[dask]' (or fsspec)") from exc
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise MissingDependencyError(f"{url}: {exc}") from exc
    except ValueError as exc:
        raise InputError(f"{url}: not a URL fsspec knows ({exc})") from None
    return fs, root.rstrip("/")


@contextlib.contextmanager
def working_folder(url: str) -> Iterator[Path]:
    """The local folder a run into ``url`` works in (kept for the next run, for its cache)."""
    from geomap._compiled import _folder

    _fs(url)  # fsspec and the URL's file system are there: checked before any work
    base = _folder()
    if base is None:  # the cache is off: a full run each time
        with tempfile.TemporaryDirectory(prefix="geomap-remote-") as tmp:
            yield Path(tmp)
        return
    folder = base / "remote" / hashlib.sha256(url.rstrip("/").encode("utf-8")).hexdigest()[:24]
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


def publish(url: str, folder: Path, files: list[Path]) -> list[str]:
    """Put the tables ``files`` (written into ``folder``) at ``url``, each atomically; the URLs written.

    Raises
    ------
    InputError
        An object at one of the tables' keys that this run's folder did not
        publish, or that changed since (nothing is written then).
    """
    from geomap._errors import InputError
    from geomap._io import write_text

    fs, root = _fs(url)
    record_path = folder / _RECORD
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("url") != url or not isinstance(record.get("objects"), dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    before: dict[str, Any] = record.get("objects", {})
    names = [f.relative_to(folder).as_posix() for f in files]
    stale = [n for n in before if n not in names]
    for name in [*names, *stale]:  # checked before anything is written
        key = f"{root}/{name}"
        if fs.exists(key) and before.get(name) != _checksum(fs, key):
            raise InputError(
                f"{url.rstrip('/')}/{name}: not written by geomap, or changed since it was; never overwritten "
                "(move it away, or choose another URL)"
            )
    published: dict[str, Any] = {}
    for name, local in zip(names, files, strict=True):
        key = f"{root}/{name}"
        parent, _, base = key.rpartition("/")
        temporary = f"{parent}/.{base}.geomap-{uuid.uuid4().hex[:12]}"
        fs.makedirs(parent, exist_ok=True)
        try:
            fs.put_file(os.fspath(local), temporary)
            fs.mv(temporary, key)
        except BaseException:
            with contextlib.suppress(Exception):
                fs.rm(temporary)
            raise
        published[name] = _checksum(fs, key)
        write_text(record_path, json.dumps({"url": url, "objects": {**before, **published}}))  # each, as it goes
    for name in stale:  # an earlier run's month this run has no rows for
        with contextlib.suppress(FileNotFoundError):
            fs.rm(f"{root}/{name}")
    write_text(record_path, json.dumps({"url": url, "objects": published}))
    return [f"{url.rstrip('/')}/{name}" for name in names]


def _checksum(fs: Any, key: str) -> Any:
    fs.invalidate_cache(key)
    return str(fs.checksum(key))
