"""What ``geomap extract`` keeps between runs: each article's rows, keyed by its content and the rules.

An entry holds the rows one article gave (its own row, its mentions,
unresolved names, incidents and routes, before the table-wide corrections,
which every run applies afresh; and which of its mention corrections
matched, so a run from the cache still lists those that matched nothing).
Its key is a SHA-256 of everything that decides those rows:

- the article itself (id, text, title, date, source, url, path, line,
  encoding, format: all of them reach the tables);
- the mention corrections aimed at that article (``drop_mention``,
  ``fix_mention``), so editing one article's corrections re-extracts that
  article only;

and entries live in a folder named after the *version* of the extraction:
geomap's version, the source of the modules that turn text into rows (the
rules), the gazetteer's content and the run's filters (``since``, ``until``,
``types``).  Changing any of these starts a new folder; the old ones are
removed after the next successful run.

Entries are JSON (never pickle: a file in the output folder is not trusted
code), written atomically, and checked when read: a header names the format,
the version and the key, and carries the SHA-256 of the rows.  A corrupt,
truncated or foreign entry is ignored with a warning and the article is
extracted again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

from geomap._io import atomic_path

__all__ = ["CACHE_DIR", "ArticleCache", "content_digest", "extraction_version", "real"]

log = logging.getLogger(__name__)

CACHE_DIR = ".geomap-cache"
_FORMAT = "geomap-extract-cache/3"
_VERSION_CHARS = 24  # hex digits of the version in a folder name
_HEX = re.compile(r"^[0-9a-f]+$")

# The rules are every module and data file of the package (language files included), but for the
# page assets: any change to them may change an article's rows, so it starts a new version.
_RULE_SUFFIXES = frozenset((".py", ".yaml", ".yml", ".json"))
_NOT_RULES = ("_static", "_data")  # page assets; the gazetteer, hashed on its own

# Cells of each part of an article's rows: the article row, then lists of rows of mentions,
# unresolved names, incidents and routes (as the tables' columns, see geomap.tables.COLUMNS),
# then the positions of the article's mention corrections that matched.
_CELL_TYPES = frozenset((str, int, float, bool, type(None)))


@functools.lru_cache(maxsize=1)
def _rules_digest() -> str:
    """SHA-256 of the source of the package's modules and data files (not its page assets)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.suffix in _RULE_SUFFIXES
        and path.is_file()
        and path.relative_to(package).parts[0] not in _NOT_RULES
        and "__pycache__" not in path.parts
    )
    for name in files:
        digest.update(name.encode() + b"\0")
        digest.update((package / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _gazetteer_digest(gazetteer: Any) -> str:
    """SHA-256 of a gazetteer's places and aliases (whatever folder, or none, it came from)."""
    cached = getattr(gazetteer, "_geomap_digest", None)
    if cached is not None:
        return cached
    stamp = getattr(gazetteer, "_stamp", None)
    if stamp:  # loaded from files: the digest of their content names it (geomap._compiled.table_stamp)
        return f"tables:{stamp}"
    digest = hashlib.sha256()
    for place in sorted(gazetteer, key=lambda p: p.id):
        digest.update(repr(place).encode("utf-8"))
        for alias in gazetteer.aliases_of(place.id):
            digest.update(repr(alias).encode("utf-8"))
    value = digest.hexdigest()
    try:
        gazetteer._geomap_digest = value  # a loaded gazetteer is not changed in place, only loaded again
    except AttributeError:
        pass
    return value


def extraction_version(gazetteer: Any, *, since: Any, until: Any, wanted: Any) -> str:
    """The version of an extraction: geomap's, the rules', the gazetteer's and the filters'."""
    from geomap import __version__

    parts = {
        "geomap": __version__,
        "rules": _rules_digest(),
        "gazetteer": _gazetteer_digest(gazetteer),
        "since": since.isoformat() if since is not None else None,
        "until": until.isoformat() if until is not None else None,
        "types": sorted(wanted) if wanted is not None else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def content_digest(article: Any) -> str:
    """The SHA-256 of every field of ``article`` that reaches the tables (a stub of an unchanged file carries it)."""
    digest = getattr(article, "digest", None)
    if digest is not None:
        return digest
    date = article.date
    fields = [
        article.id, article.text, article.title, article.source, article.url, article.path, article.line,
        article.encoding, article.format, article.date_source,
        None if date is None else [repr(date.start), repr(date.end), date.precision, date.text],
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def real(article: Any) -> Any:
    """``article`` itself, or the article a stub of an unchanged file stands for, read again (:mod:`geomap._increment`)."""
    load = getattr(article, "load", None)
    return load() if load is not None else article


def _plain(value: Any) -> Any:
    """A correction's value as JSON can hold it (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class ArticleCache:
    """The entries of one extraction version in an output folder.

    Parameters
    ----------
    out_dir
        The output folder; entries go to ``out_dir/.geomap-cache/<version>/``.
    version
        From :func:`extraction_version`.
    corrections
        The run's :class:`~geomap.review.Corrections` (or ``None``): an
        article's mention corrections are part of its key.
    read
        ``False`` for a full run: every article is extracted again and its
        entry written afresh.
    """

    def __init__(self, out_dir: str | Path, version: str, *, corrections: Any = None, read: bool = True) -> None:
        self.base = Path(out_dir).absolute() / CACHE_DIR  # absolute: workers may run elsewhere
        self.version = version
        self.root = self.base / version[:_VERSION_CHARS]
        self.corrections = corrections
        self.read = read
        self.hits = 0
        self.misses = 0
        self._keyed: dict[str, str] = {}  # key -> article id, for the keys asked this run
        self.unkept: str | None = None  # why an entry could not be written, once one could not

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("hits", "misses", "_keyed", "unkept")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, hits=0, misses=0, _keyed={}, unkept=None)

    def key(self, article: Any) -> str:
        """The SHA-256 of what, besides the version, decides ``article``'s rows."""
        fields: list[Any] = [content_digest(article)]
        aimed = self.corrections.for_article(article.id) if self.corrections is not None else ()
        if aimed:  # only then: a corrections file aimed at other articles leaves this one's key alone
            fields.append([[c.action, _plain(c.values)] for c in aimed])
        key = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()
        self._keyed[key] = article.id
        return key

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple | None:
        """The rows kept for ``key``; ``None`` when there are none, or none to trust (warned)."""
        body = self.load(key, _FORMAT)
        if body is None:
            return None
        try:
            *tables, positions = _rows(json.loads(body))
            hits = self._indices(key, positions)
        except (ValueError, TypeError):
            return self._distrust(self._path(key), "corrupt (its rows are not the tables' rows)")
        return (*tables, hits)

    def load(self, key: str, kind: str) -> bytes | None:
        """The body of the entry of ``kind`` (a format name) kept for ``key``, checked; ``None`` if none to trust (warned)."""
        if not self.read:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return self._distrust(path, f"unreadable ({exc.strerror or exc})")
        head, _, body = data.partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            return self._distrust(path, "not a geomap cache entry")
        if not isinstance(header, dict) or header.get("format") != kind:
            return self._distrust(path, "not a geomap cache entry")
        if header.get("version") != self.version or header.get("key") != key:
            return self._distrust(path, "made for another article or another version")
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            return self._distrust(path, "corrupt (its checksum does not match)")
        return body

    def _aimed(self, key: str) -> tuple:
        article_id = self._keyed.get(key)
        if self.corrections is None or article_id is None:
            return ()
        return self.corrections.for_article(article_id)

    def _positions(self, key: str, hits: frozenset) -> list[int]:
        return [i for i, c in enumerate(self._aimed(key)) if c.index in hits]

    def _indices(self, key: str, positions: list[int]) -> frozenset:
        aimed = self._aimed(key)
        if any(p >= len(aimed) for p in positions):
            raise ValueError("a matched correction the article does not have")
        return frozenset(aimed[p].index for p in positions)

    def _distrust(self, path: Path, why: str) -> None:
        log.warning("ignoring cache entry %s: %s; the article is extracted again", path, why)
        return None

    def put(self, key: str, rows: tuple) -> None:
        """Keep ``rows`` for ``key`` (atomically; a failure to write only costs a later run time).

        The corrections that matched (the last part of ``rows``, their
        ``index`` in the file) are kept as positions among the article's own
        mention corrections, which are part of the key: adding an item for
        another article moves the indices, not the positions.
        """
        *tables, hits = rows
        entry = [*tables, self._positions(key, hits)]
        try:
            body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError):  # a value JSON cannot hold: not kept, extracted again next time
            return
        self.store(key, _FORMAT, body)

    def store(self, key: str, kind: str, body: bytes) -> None:
        """Keep ``body`` as the entry of ``kind`` (a format name) for ``key``, atomically, with a checked header."""
        header = {"format": kind, "version": self.version, "key": key, "sha256": hashlib.sha256(body).hexdigest()}
        path = self._path(key)
        if self.unkept is not None:  # the folder refused an entry (a full disk): no use trying each article
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:  # no fsync: a torn entry is caught by its checksum
                tmp.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)
        except OSError as exc:
            self.unkept = f"{path}: {exc.strerror or exc}"

    def warn_unkept(self) -> None:
        """Warn once, at the end of a run, if entries could not be kept (the next run extracts those articles again).

        Not per entry: on a full disk the run's own error says it in one line.
        """
        if self.unkept is not None:
            log.warning("cannot keep the cache entries (%s); the next run extracts those articles again", self.unkept)

    def rows(self, run: Any, article: Any, key: str | None = None) -> tuple:
        """``article``'s rows: from the cache if kept, else extracted by ``run`` and kept (``key``: its key, if known)."""
        key = key or self.key(article)
        found = self.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = run.rows(real(article))
        self.put(key, found)
        return found

    def prune(self) -> None:
        """Remove the entries of other versions (folders geomap made, holding only its entries)."""
        try:
            folders = [p for p in self.base.iterdir() if p.is_dir() and p.name != self.root.name]
        except OSError:
            return
        for folder in folders:
            if len(folder.name) != _VERSION_CHARS or not _HEX.match(folder.name):
                continue
            ours = all(
                sub.is_dir() and len(sub.name) == 2 and _HEX.match(sub.name)
                and all(f.suffix == ".json" and _HEX.match(f.stem) for f in sub.iterdir())
                for sub in folder.iterdir()
            )  # fmt: skip
            if ours:
                shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def _widths() -> tuple[int, ...]:
    """The widths of an entry's rows: the article's, then its mentions', unresolved names', incidents' and routes'."""
    from geomap.tables import COLUMNS

    return tuple(len(COLUMNS[name]) for name in ("articles", "mentions", "unresolved", "incidents", "routes"))


def _rows(data: Any) -> tuple:
    """An entry's JSON as the rows :meth:`geomap._run._Run.rows` gives; ``ValueError`` if it is not that."""
    widths = _widths()
    if not isinstance(data, list) or len(data) != len(widths) + 1:
        raise ValueError("not six parts")
    *data, positions = data
    if type(positions) is not list or not all(type(p) is int and p >= 0 for p in positions):
        raise ValueError("bad matched corrections")
    article, *groups = data
    if not _row(article, widths[0]):
        raise ValueError("bad article row")
    out: list[Any] = [tuple(article)]
    for rows, width in zip(groups, widths[1:], strict=True):
        if not isinstance(rows, list) or not all(_row(r, width) for r in rows):
            raise ValueError("bad rows")
        out.append([tuple(r) for r in rows])
    return (*out, positions)


def _row(row: Any, width: int) -> bool:
    return type(row) is list and len(row) == width and set(map(type, row)) <= _CELL_TYPES
