"""What makes a second ``geomap extract`` over a grown corpus cheap: unchanged files are not read, unchanged stretches not written.

Two records in the output folder's cache (``.geomap-cache/``, beside the
articles' entries of :mod:`geomap._cache`):

- The *input index* (``inputs.json``, :class:`InputIndex`): for each file
  a run read, its stat (device, inode, size, modification and change times
  in nanoseconds) and what reading it gave, in order: each article's id as
  read and as made unique, its path and line, the digest of its content
  (:func:`geomap._cache.content_digest`), and each input skipped.  A file
  whose stat has not changed is not read again: its articles come as
  :class:`Stub` objects that carry their digest, which is all the cache
  needs to find their rows, and its skipped inputs are reported again as
  they were.  A stub is read for real (:meth:`Stub.load`) only when its
  rows must be extracted.  The change time cannot be set back by a program,
  so a file rewritten to the same size within the same nanosecond is the
  only one taken for unchanged (``--full`` reads everything).
- *Stretches* (:func:`stretches`): the articles are cut into runs of about
  :data:`STRETCH` articles at places their content decides (after an
  article whose key is a multiple of it, or after :data:`MAX_STRETCH`),
  so adding or changing reports changes only the stretches they fall into.
  A stretch is kept, keyed by its articles' keys and the table corrections,
  as the text its rows add to each CSV table, its counts for the summary,
  what event matching needs of its incidents, and the corrections it
  matched.  A stretch kept by an earlier run is copied into the tables as
  it is: no article entry read, no frame built, no CSV formatted.  The
  tables are the same as a full run's, byte for byte.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomap._cache import ArticleCache, _plain, content_digest
from geomap._io import atomic_path
from geomap.records import Article, Skipped

__all__ = ["MAX_STRETCH", "STRETCH", "InputIndex", "Stretch", "Stub", "stretches"]

log = logging.getLogger(__name__)

STRETCH = 64  # articles a stretch on average: a stretch ends after an article whose key is 0 modulo this
MAX_STRETCH = 1024
_INDEX = "inputs.json"
_INDEX_FORMAT = "geomap-input-index/1"
_STRETCH_FORMAT = "geomap-extract-stretch/1"
# What event matching keeps of an incident, after its row number (geomap.events.EventKey).
_KEY_FIELDS = ("incident_id", "article_id", "type", "place_id", "location_precision", "date_start", "date_end",
               "date_precision", "stated", "counts", "sentence", "outlet", "published")  # fmt: skip


_PART_TABLES = frozenset(("articles", "mentions", "incidents", "routes", "unresolved"))


def _strings(value: Any, n: int) -> bool:
    return isinstance(value, list) and len(value) == n and all(type(v) is str for v in value)


@dataclass(frozen=True)
class Stub:
    """An article of a file unchanged since an earlier run (or read by a worker): its id, where it was read, and its content's digest."""

    id: str
    path: str
    line: int | None
    digest: str
    file: str  # the file as walked, to read it again
    ordinal: int  # its place among the file's articles
    offset: int | None = None  # the byte offset of its line (JSON Lines): read again without reading the lines before

    def load(self) -> Article:
        """The article, read again from its file (its id as made unique in this run).

        Raises
        ------
        InputError
            The file changed since it was read (the article is gone, or its content differs).
        """
        from geomap._errors import InputError

        found = self._read()
        if found is not None:
            found = dataclasses.replace(found, id=self.id, path=self.path)
            if content_digest(found) == self.digest:
                return found
        msg = f"{self.path}: changed during the run (its article {self.id!r} is gone or differs)"
        raise InputError(msg)

    def _read(self) -> Article | None:
        if self.offset is None:
            for n, article in enumerate(_read_file(Path(self.file), [], encoding_warnings=False)):
                if n == self.ordinal:
                    return article
            return None
        from geomap._input import open_regular
        from geomap.text.articles import jsonl_entries, _Unreadable

        try:
            fh = open_regular(self.file)
        except _Unreadable:
            return None
        with fh:
            fh.seek(self.offset)
            for _, article in jsonl_entries(fh, Path(self.file), None, first=self.line or 1, end=self.offset + 1):
                return article
        return None


def _unique_read(stub: Stub, raw: str) -> Article:
    """The article of ``stub`` (its id made unique from ``raw``), read here."""
    article = dataclasses.replace(stub, id=raw).load()
    return dataclasses.replace(article, id=stub.id)


def display_name(path: Path) -> str:
    from geomap._input import display_path

    return display_path(path)


def scan(file: str, start: int = 0, end: int | None = None, first: int = 1) -> dict[str, Any]:
    """What reading ``file`` gives (on a worker): its articles' ids as read, lines, digests and offsets, and what was skipped.

    ``start`` and ``end`` cut a stretch of a JSON Lines file (:func:`line_cuts`):
    the lines that start at ``start`` (line number ``first``) or after, and
    before ``end``.  Events are those of the input index: ``["a", id,
    path, line, digest, offset]``, ``["s", path, reason, line]``, and
    ``["w", message]`` for an encoding warning.
    """
    import warnings

    from geomap._input import open_regular
    from geomap.text.articles import _Unreadable, article_format, jsonl_entries

    path = Path(file)
    events: list = []
    told = _Told([], events)
    jsonl = article_format(path) == "jsonl"
    found = {"start": start, "events": events, "jsonl": jsonl, "seen": False}
    if not jsonl:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for article in _read_file(path, told):
                events.append(["a", article.id, article.path, article.line, content_digest(article), None])
        events[:0] = [["w", str(w.message)] for w in caught]  # a document's warning comes as it is read
        found["stat"] = _stamp(path)
        return found
    try:
        fh = open_regular(path)
    except _Unreadable as exc:
        told.append(Skipped(display_name(path), exc.reason))
        found["seen"], found["stat"] = True, _stamp(path)
        return found
    state: dict[str, Any] = {}
    with fh:
        fh.seek(start)
        for offset, article in jsonl_entries(fh, path, told, first=first, end=end, state=state):
            events.append(["a", article.id, article.path, article.line, content_digest(article), offset])
    found["seen"], found["stat"] = state["seen"], _stamp(path)
    return found


def line_cuts(path: Path, size: int, span: int) -> list[tuple[int, int]]:
    """Where the stretches of a big JSON Lines file start, about ``span`` bytes apart: ``(byte offset, line number)``.

    Each starts after the first newline at or past a multiple of ``span``;
    the lines are counted by one pass over the bytes (``bytes.count``, at
    the speed of the disk), so a worker numbers its stretch's lines as a
    reading of the whole file does (an article's line is part of its digest).
    """
    cuts = [(0, 1)]
    target, position, lines = span, 0, 0  # lines: the newlines before position
    with open(path, "rb") as fh:
        while target < size:
            chunk = fh.read(1 << 24)
            if not chunk:
                break
            while target < size:
                found = chunk.find(b"\n", max(target - 1 - position, 0))
                if found < 0:
                    break
                start = position + found + 1
                if start >= size:
                    target = size
                    break
                cuts.append((start, lines + chunk.count(b"\n", 0, found + 1) + 1))
                target = (start // span + 1) * span
            lines += chunk.count(b"\n")
            position += len(chunk)
    return cuts


def _read_file(path: Path, skipped: list, *, encoding_warnings: bool = True) -> Iterator[Article]:
    """The articles of one file, as :func:`geomap.text.articles.read_articles` reads it (ids not yet made unique)."""
    from geomap._input import display_path
    from geomap.text.articles import _read_document, _read_json, _read_jsonl, _skip, _Unreadable, article_format

    fmt = article_format(path)
    if fmt == "jsonl":
        yield from _read_jsonl(path, skipped)
    elif fmt == "json":
        yield from _read_json(path, skipped)
    else:
        try:
            yield _read_document(path, fmt, encoding_warnings=encoding_warnings)
        except _Unreadable as exc:
            _skip(skipped, Skipped(display_path(path), exc.reason, exc.line))


class _Told(list):
    """The run's list of skipped inputs, that also notes, in order, what one file gave."""

    def __init__(self, skipped: list, events: list) -> None:
        super().__init__()
        self.skipped, self.events = skipped, events

    def append(self, item: Skipped) -> None:
        self.skipped.append(item)
        self.events.append(["s", item.path, item.reason, item.line])


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class InputIndex:
    """What each input file gave an earlier run, by its stat (see the module's docstring).

    Parameters
    ----------
    cache
        The run's cache (its folder holds the index).
    read
        ``False`` for a full run: every file is read again (and the index written afresh).
    """

    def __init__(self, cache: ArticleCache, *, read: bool = True) -> None:
        self.path = cache.base / _INDEX
        self.old: dict[str, Any] = self._load() if read else {}
        self.new: dict[str, Any] = {}
        self.unread = 0  # files not read again, this run
        # Who reads the files that must be read (geomap.cluster: the workers); None: this process.
        self.reader: Any = None

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring %s (%s); every input is read again", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("format") != _INDEX_FORMAT or not isinstance(data.get("files"), dict):
            log.warning("ignoring %s (not a geomap input index); every input is read again", self.path)
            return {}
        return data["files"]

    def save(self) -> None:
        """Write the index of the files this run read (atomically; a failure costs the next run time only)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(self.path) as tmp:
                tmp.write_text(json.dumps({"format": _INDEX_FORMAT, "files": self.new}), encoding="utf-8")  # ASCII: a name that is not UTF-8 (surrogates) round-trips
        except OSError as exc:
            log.warning("cannot keep the input index %s (%s); the next run reads every input", self.path, exc.strerror or exc)

    def articles(self, sources: list[Any], skipped: list[Skipped], optional: frozenset[str] = frozenset()) -> Iterator[Any]:
        """The articles of ``sources`` (paths, folders, globs) as :func:`geomap.text.articles.read_articles` gives them.

        Those of an unchanged file come as :class:`Stub` objects.
        """
        from geomap.text.articles import _skip
        from geomap.text.files import expand as _expand

        files = _expand(list(sources), optional=optional)
        given: dict[str, int] = {}
        if self.reader is not None:
            yield from self.reader(self, files, skipped, given)
            return
        for path in files:
            if isinstance(path, Skipped):  # met on the walk: a FIFO, an unreadable folder...
                _skip(skipped, path)
                continue
            yield from self._file(path, skipped, given)

    def known(self, path: Path) -> bool:
        """Whether ``path`` is unchanged since the run that wrote the index (its articles come as stubs)."""
        known = self.old.get(str(path.absolute()))
        return known is not None and known.get("stat") == _stamp(path)

    def _file(self, path: Path, skipped: list[Skipped], given: dict[str, int]) -> Iterator[Any]:
        from geomap.text.articles import _skip, _unique

        name = str(path.absolute())
        stamp = _stamp(path)
        known = self.old.get(name)
        ids: list[str] | None = None
        if known is not None and stamp is not None and known.get("stat") == stamp:
            events = known["events"]
            offsets = known.get("offsets") or []
            stubs = []
            for ordinal, event in enumerate(e for e in events if e[0] == "a"):
                _, raw, _, shown, line, digest = event
                offset = offsets[ordinal] if ordinal < len(offsets) and type(offsets[ordinal]) is int else None
                stubs.append(_unique(Stub(raw, shown, line, digest, name, ordinal, offset), given))
            if all(s.id == e[2] for s, e in zip(stubs, (e for e in events if e[0] == "a"), strict=True)):
                self.new[name] = known
                self.unread += 1
                told = iter(stubs)
                for event in events:
                    if event[0] == "s":
                        _skip(skipped, Skipped(event[1], event[2], event[3]))
                    else:
                        yield next(told)
                return
            ids = [s.id for s in stubs]  # an id another file now gives too: read it, with the ids already made unique
        events: list = []
        told_skips = _Told(skipped, events)
        for n, article in enumerate(_read_file(path, told_skips)):
            raw = article.id
            if ids is None:
                article = _unique(article, given)
            elif n < len(ids):
                article = dataclasses.replace(article, id=ids[n])
            else:  # the file changed as it was read: no index entry
                stamp = None
                article = _unique(article, given)
            events.append(["a", raw, article.id, article.path, article.line, content_digest(article)])
            yield article
        if stamp is not None and stamp == _stamp(path):  # not changed while it was read
            self.new[name] = {"stat": stamp, "events": events}

    def scanned(
        self, path: Path, stamp: list[int] | None, parts: list[dict], skipped: list[Skipped], given: dict[str, int]
    ) -> Iterator[Any]:
        """The articles of ``path`` as :func:`scan` read it elsewhere (a worker), in ``parts`` (stretches of it, in order).

        Ids are made unique and skipped inputs told here, in reading order,
        exactly as reading the file here would; the articles come as stubs
        (a worker reads one again, by its offset, to extract it).  ``stamp``
        is the file's stat before it was read.
        """
        import warnings

        from geomap.text.articles import DetectedEncodingWarning, _skip, _unique

        name = str(path.absolute())
        events: list = []
        offsets: list = []
        seen = False
        ordinal = 0
        for part in parts:
            for event in part["events"]:
                if event[0] == "w":  # an encoding guessed: warned as reading here warns
                    warnings.warn(event[1], DetectedEncodingWarning, stacklevel=2)
                    continue
                if event[0] == "s":
                    item = Skipped(event[1], event[2], event[3])
                    _skip(skipped, item)
                    events.append(["s", item.path, item.reason, item.line])
                    continue
                _, raw, shown, line, digest, offset = event
                article: Any = _unique(Stub(raw, shown, line, digest, name, ordinal, offset), given)
                if article.id != raw:  # its digest covers its id: read it again here, with the id it has now
                    article = _unique_read(article, raw)
                events.append(["a", raw, article.id, shown, line, content_digest(article)])
                offsets.append(offset)
                ordinal += 1
                yield article
            seen = seen or part["seen"]
        if parts and parts[0]["jsonl"] and not seen:
            item = Skipped(display_name(path), "empty file")
            _skip(skipped, item)
            events.append(["s", item.path, item.reason, item.line])
        if stamp is not None and all(p["stat"] == stamp for p in parts):  # not changed while it was read
            entry: dict[str, Any] = {"stat": stamp, "events": events}
            if any(o is not None for o in offsets):
                entry["offsets"] = offsets
            self.new[name] = entry


@dataclass
class Stretch:
    """What a stretch of articles adds to the tables (the CSV text of each) and to the run's counts."""

    texts: dict[str, str]
    tally: Any  # a geomap.tables.Tally
    keys: list[list]  # what event matching needs of each incident (_KEY_FIELDS)
    outlets: dict[str, list[str]]  # article id -> [outlet, publication date]
    hits: list[int]  # mention corrections that matched (their index)
    fixed: list[int]  # table corrections that matched
    articles: int = 0

    def event_keys(self, start: int) -> list:
        """The stretch's :class:`~geomap.events.EventKey` objects, numbered from ``start``."""
        from geomap.events import EventKey

        return [EventKey(start + n, *values) for n, values in enumerate(self.keys)]

    def dumps(self) -> bytes:
        tally = dataclasses.asdict(self.tally)
        tally["places"], tally["unresolved"] = sorted(tally["places"]), sorted(tally["unresolved"])
        data = {"texts": self.texts, "tally": tally, "keys": self.keys, "outlets": self.outlets, "hits": self.hits,
                "fixed": self.fixed, "articles": self.articles}  # fmt: skip
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def loads(cls, body: bytes) -> Stretch:
        from geomap.tables import Tally

        data = json.loads(body)
        texts, tally, outlets = data["texts"], data["tally"], data["outlets"]
        if not (
            isinstance(texts, dict) and set(texts) <= _PART_TABLES and all(type(t) is str for t in texts.values())
            and isinstance(outlets, dict) and all(_strings(v, 2) for v in outlets.values())
            and all(isinstance(k, list) and len(k) == len(_KEY_FIELDS) for k in data["keys"])
            and all(type(n) is int for n in (*data["hits"], *data["fixed"], data["articles"]))
            and isinstance(tally, dict) and set(tally) == {f.name for f in dataclasses.fields(Tally)}
        ):  # fmt: skip
            raise ValueError("not a stretch of the tables")
        tally["places"], tally["unresolved"] = set(tally["places"]), set(tally["unresolved"])
        return cls(texts, Tally(**tally), data["keys"], outlets, data["hits"], data["fixed"], data["articles"])


def _salt(cache: ArticleCache, fixes: Any) -> str:
    """What, besides its articles' keys, decides a stretch: the version and the table corrections."""
    items = [[c.index, c.action, _plain(c.values)] for c in fixes.items] if fixes is not None else None
    return hashlib.sha256(json.dumps([cache.version, items], ensure_ascii=False).encode("utf-8")).hexdigest()


def _cut(articles: Iterable[Any], cache: ArticleCache) -> Iterator[list[tuple[Any, str]]]:
    """``articles`` with their keys, in stretches whose ends their content decides."""
    stretch: list[tuple[Any, str]] = []
    for article in articles:
        key = cache.key(article)
        stretch.append((article, key))
        if int(key[-8:], 16) % STRETCH == 0 or len(stretch) >= MAX_STRETCH:
            yield stretch
            stretch = []
    if stretch:
        yield stretch


def stretches(
    articles: Iterable[Any], tables: Iterable[Any], cache: ArticleCache, fixes: Any, hits: set[int], rows: Any
) -> Iterator[Stretch]:
    """What each stretch of ``articles``, then the rows of the analysts' ``tables``, add to the tables.

    ``rows(pairs)`` gives the rows of a list of ``(article, key)`` pairs (from
    the cache, or extracted).  A stretch kept by an earlier run is taken as
    it is; the others are built and kept.  The corrections that matched a
    mention go into ``hits``, and those of ``fixes`` into ``fixes.hits``.
    """
    salt = _salt(cache, fixes)
    for stretch in _cut(articles, cache):
        key = hashlib.sha256((salt + "".join(k for _, k in stretch)).encode("ascii")).hexdigest()
        body = cache.load(key, _STRETCH_FORMAT)
        if body is not None:
            try:
                kept = Stretch.loads(body)
            except (ValueError, TypeError, KeyError):
                kept = None
                cache._distrust(cache._path(key), "corrupt (not a stretch of the tables)")
            if kept is not None and kept.articles == len(stretch):
                cache.hits += len(stretch)
                hits.update(kept.hits)
                if fixes is not None:
                    fixes.hits.update(kept.fixed)
                yield kept
                continue
        olds = set(fixes._olds) if fixes is not None else set()
        made = _build(rows(stretch), fixes, hits)
        made.articles = len(stretch)
        if fixes is None or set(fixes._olds) == olds:  # a replaced route's old row is not kept: build it each run
            cache.store(key, _STRETCH_FORMAT, made.dumps())
        yield made
    yield _build(tables, fixes, hits)


def _build(found: Iterable[Any], fixes: Any, hits: set[int]) -> Stretch:
    """A stretch made from its articles' rows: corrected, counted and written as CSV text."""
    from geomap._csv import write_frame
    from geomap.events import event_keys
    from geomap._batches import _parts
    from geomap.tables import Tally

    own: set[int] = set()
    before: set[int] = set()
    if fixes is not None:  # the table corrections this stretch matches, apart from the others'
        before, fixes.hits = fixes.hits, set()
    texts: dict[str, io.StringIO] = {}
    tally = Tally()
    keys: list[list] = []
    outlets: dict[str, list[str]] = {}
    for frames in _parts(found, fixes, own):
        tally.add(frames)
        articles = frames["articles"]
        outlets.update(
            (a, [s, d]) for a, s, d in zip(articles["article_id"], articles["source"], articles["date"], strict=True)
        )
        for k in event_keys(frames["incidents"], {a: tuple(v) for a, v in outlets.items()}):
            keys.append([getattr(k, f) for f in _KEY_FIELDS])
        for name, frame in frames.items():
            if len(frame):
                write_frame(frame, texts.setdefault(name, io.StringIO()), header=False)
    hits.update(own)
    fixed: list[int] = []
    if fixes is not None:
        fixed = sorted(fixes.hits)
        fixes.hits = before | fixes.hits
    return Stretch({n: t.getvalue() for n, t in texts.items()}, tally, keys, outlets, sorted(own), fixed)
