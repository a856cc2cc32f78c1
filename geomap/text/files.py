"""Finding article files: paths, folders and globs, each file once, in a stable order.

Folders are walked lazily and without recursion, each folder and file once
whatever links lead to it again (a link loop ends); hidden names and the
files geomap itself wrote (listed in a folder's manifest) are left out.
What cannot be read on the way comes as a :class:`~geomap.records.Skipped`.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from geomap._errors import InputNotFoundError
from geomap._input import display_path, file_kind
from geomap._io import MANIFEST, outputs_in
from geomap.records import Skipped

__all__ = ["EXTENSIONS", "article_format", "expand", "glob_paths", "table_files"]

#: Extension (lower case) to format.  Folders are searched for these only.
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}

_GLOB_CHARS = re.compile(r"[*?\[]")

#: Analysts' incident tables: not articles, but a folder walk tells of them too.
_TABLE_EXTENSIONS = (".csv",)

class _Seen:
    """The folders and files one expansion has visited, by device and inode.

    A folder or file reached again, by a symbolic link or a second argument,
    is passed over: a link loop ends, and no report is read twice.
    """

    def __init__(self) -> None:
        self.folders: set[tuple[int, int]] = set()
        self.files: set[tuple[int, int]] = set()

    @staticmethod
    def first(group: set[tuple[int, int]], st: os.stat_result) -> bool:
        key = (st.st_dev, st.st_ino)
        if key in group:
            return False
        group.add(key)
        return True


def expand(
    paths: str | os.PathLike | Iterable[str | os.PathLike], *, optional: frozenset[str] = frozenset()
) -> Iterator[Path | Skipped]:
    """Files named by ``paths`` (files, folders, globs), each once, in a stable order.

    Every path is checked at once (a missing one raises before any work);
    folders are then walked lazily.  What cannot be read on the way (a FIFO,
    an unreadable folder) comes as a :class:`Skipped`.  A folder or glob in
    ``optional`` may hold no article (it holds analysts' tables).
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    seen = _Seen()
    sources = [_expand_one(item, seen, optional=os.fspath(item) in optional) for item in items]
    for source in sources:
        yield from source


def _expand_one(item: str | os.PathLike, seen: _Seen, *, optional: bool = False) -> Iterator[Path | Skipped]:
    """The files ``item`` names; raises :class:`InputNotFoundError` now, walks later."""
    path = Path(item)
    text = os.fspath(item)
    shown = repr(display_path(text))
    if path.is_dir():
        return _not_empty(_walk(path, seen), f"no article files in folder {shown}", optional)
    if path.exists() or path.is_symlink():
        return _one_file(path, seen)
    if _GLOB_CHARS.search(text):
        matches = glob_paths(text)
        if not matches:
            msg = f"no file matches {shown}"
            raise InputNotFoundError(msg)
        return _not_empty(_from_matches(matches, seen), f"no article files match {shown}", optional)
    msg = f"no such file or folder: {shown}"
    raise InputNotFoundError(msg)


def _one_file(path: Path, seen: _Seen) -> Iterator[Path | Skipped]:
    try:
        st = path.stat()
    except OSError as exc:  # a dangling link, a link loop
        yield Skipped(display_path(path), f"cannot read: {exc.strerror or exc}")
        return
    if seen.first(seen.files, st):
        yield path


def _not_empty(files: Iterator[Path | Skipped], message: str, optional: bool) -> Iterator[Path | Skipped]:
    """``files``, after checking there is at least one file (read ahead up to the first)."""
    ahead: list[Path | Skipped] = []
    for item in files:
        ahead.append(item)
        if isinstance(item, Path):
            break
    else:
        if not optional:
            known = " ".join(sorted(EXTENSIONS))
            raise InputNotFoundError(f"{message} (looked for {known})")
    return itertools.chain(ahead, files)


def _from_matches(matches: list[str], seen: _Seen) -> Iterator[Path | Skipped]:
    for match in matches:
        p = Path(match)
        if p.is_dir():
            yield from _walk(p, seen)
        elif p.suffix.lower() in EXTENSIONS:
            yield from _one_file(p, seen)


def glob_paths(pattern: str) -> list[str]:
    """The paths a glob pattern matches, sorted; ``**`` walks folders as :func:`_walk` does.

    Python's :func:`glob.glob` follows every link under ``**``: two link
    loops make it list paths without end.  Here ``**`` goes into each folder
    once (by device and inode); hidden names are left out, as glob does.
    """
    parts = Path(pattern).parts
    if "**" not in parts:
        return sorted(glob.glob(pattern))
    first = parts.index("**")
    bases = sorted(glob.glob(os.path.join(*parts[:first]))) if first else [""]
    rest = parts[first:]
    found: list[str] = []
    for base in bases:
        if base and not os.path.isdir(base):
            continue
        seen = _Seen()
        for rel in _tree(base or os.curdir, seen):
            if _match_parts(rel, rest):
                found.append(os.path.join(base, *rel) if base else os.path.join(*rel))
    return sorted(found)


def _tree(top: str, seen: _Seen) -> Iterator[tuple[str, ...]]:
    """Every path under ``top`` (folders too) as a tuple of names, each folder entered once."""
    try:
        seen.first(seen.folders, os.stat(top))
    except OSError:
        return
    stack: list[tuple[tuple[str, ...], Iterator[os.DirEntry]]] = []
    listing = _entries(top)
    if isinstance(listing, Skipped):
        return
    stack.append(((), iter(listing)))
    while stack:
        prefix, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        rel = (*prefix, entry.name)
        yield rel
        try:
            st = entry.stat()
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and seen.first(seen.folders, st):
            listing = _entries(entry.path)
            if not isinstance(listing, Skipped):
                stack.append((rel, iter(listing)))


def _match_parts(names: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether path ``names`` match glob ``pattern`` parts (``**``: any number of folders, none too)."""
    import fnmatch

    # positions in the pattern a prefix of the names can have reached
    states = {0}
    for name in names:
        states = _closure(states, pattern)
        nxt = set()
        for i in states:
            if i < len(pattern):
                if pattern[i] == "**":
                    nxt.add(i)
                elif fnmatch.fnmatchcase(name, pattern[i]):
                    nxt.add(i + 1)
        states = nxt
        if not states:
            return False
    return len(pattern) in _closure(states, pattern)


def _closure(states: set[int], pattern: tuple[str, ...]) -> set[int]:
    out = set(states)
    for i in sorted(states):
        j = i
        while j < len(pattern) and pattern[j] == "**":
            j += 1
            out.add(j)
    return out


def _entries(folder: str | os.PathLike) -> list[os.DirEntry] | Skipped:
    """A folder's entries in name order, or why it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Skipped(display_path(folder), f"cannot read the folder: {exc.strerror or exc}")


def table_files(folder: str | os.PathLike) -> list[Path]:
    """The analysts' tables (``*.csv``) under ``folder``, walked as for articles; nothing is reported."""
    return [p for p in _walk(Path(folder), _Seen(), suffixes=_TABLE_EXTENSIONS, report=False) if isinstance(p, Path)]


def _walk(
    top: Path, seen: _Seen, *, suffixes: Iterable[str] = EXTENSIONS, report: bool = True
) -> Iterator[Path | Skipped]:
    """Files with one of ``suffixes`` under ``top``, in sorted path order, hidden ones left out.

    Lazy (one folder's listing at a time) and without recursion (any depth).
    Each folder and file is visited once whatever links lead to it again, so
    a link loop ends.  A non-regular file with a known extension (a FIFO, a
    socket, a device, a link to one), a dangling link and an unreadable
    folder come as a :class:`Skipped` when the walk is for articles (tables
    are found on the same folders by a second walk, which reports nothing
    again); nothing here opens a file.
    """
    try:
        if not seen.first(seen.folders, top.stat()):
            return
    except OSError as exc:
        if report:
            yield Skipped(display_path(top), f"cannot read the folder: {exc.strerror or exc}")
        return
    listing = _entries(top)
    if isinstance(listing, Skipped):
        if report:
            yield listing
        return
    stack = [_own_filtered(top, listing)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        suffix = os.path.splitext(entry.name)[1].lower()
        wanted = suffix in EXTENSIONS or suffix in _TABLE_EXTENSIONS
        try:
            st = entry.stat()  # follows links
        except OSError as exc:
            if wanted and report:
                yield Skipped(display_path(entry.path), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            if seen.first(seen.folders, st):
                listing = _entries(entry.path)
                if not isinstance(listing, Skipped):
                    stack.append(_own_filtered(Path(entry.path), listing))
                elif report:
                    yield listing
        elif not wanted:
            continue
        elif not stat.S_ISREG(st.st_mode):
            if report:
                yield Skipped(display_path(entry.path), f"not a regular file: {file_kind(st.st_mode)}")
        elif suffix in suffixes and seen.first(seen.files, st):
            yield Path(entry.path)


def _own_filtered(folder: Path, entries: list[os.DirEntry]) -> Iterator[os.DirEntry]:
    """``entries`` less hidden names and the files geomap wrote in ``folder`` (they are no input)."""
    names = {e.name for e in entries}
    own = outputs_in(folder) if MANIFEST in names else frozenset()
    return (e for e in entries if not e.name.startswith(".") and e.name not in own)


def article_format(path: str | os.PathLike) -> str:
    """The format a file is read as: "text", "markdown", "html", "jsonl" or "json"."""
    return EXTENSIONS.get(Path(path).suffix.lower(), "text")
