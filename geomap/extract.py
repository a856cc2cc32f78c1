"""The extraction pipeline: reports in, tidy tables out.

:func:`extract` streams articles (files, folders, globs or
:class:`~geomap.records.Article` objects), finds their place mentions,
incidents and routes, applies an analyst's corrections, and returns an
:class:`Extraction` of pandas DataFrames with exactly the columns of
``docs/ARCHITECTURE.md``.  Articles are streamed, not held; the rows are kept
in typed columns until the tables are built.

:func:`write_extraction` (what ``geomap extract`` runs) writes the same tables
as CSV without holding them: rows go to disk a part at a time, corrected as
they go, so its memory stays flat however big the corpus.

Analyst incident tables (``*.csv`` with ``place,type,count,unit,date,source``)
are accepted beside articles; each row becomes an incident with
``source="table"`` and its own row in ``articles`` (id ``<file stem>:<line>``).
A bad row is reported in ``skipped`` with its file and line; the rest go on.

:func:`write_tables` writes the tables as CSV and never overwrites a file it
did not write itself (a manifest in the folder records what it wrote);
:func:`read_tables` reads reviewed tables back.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._cache import ArticleCache, extraction_version, real
from geomap._csv import restore, write_frame
from geomap._errors import InputError, InputNotFoundError, located
from geomap._input import MAX_TABLE_LINE_BYTES, Unreadable, display_path, open_regular, read_lines, size_text
from geomap._io import MANIFEST, OutputDir
from geomap.records import INCIDENT_TYPES, Article, DateSpan, Incident, Mention, Route, Skipped

__all__ = [
    "COLUMNS",
    "MANIFEST",
    "TABLES",
    "Extraction",
    "Tally",
    "extract",
    "read_tables",
    "with_events",
    "write_extraction",
    "write_tables",
]

_S, _I, _F, _B = "string", "Int64", "Float64", "boolean"

#: Every table's columns and their pandas dtypes, as in ``docs/ARCHITECTURE.md``.
COLUMNS: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": _S, "title": _S, "date": _S, "date_precision": _S, "date_source": _S, "source": _S, "url": _S,
        "path": _S, "line": _I, "format": _S, "encoding": _S, "n_chars": _I, "lang": _S,
    },
    "mentions": {
        "article_id": _S, "start": _I, "end": _I, "text": _S, "place_id": _S, "score": _F,
        "method": _S, "ambiguous": _B, "candidates": _S,
    },
    "incidents": {
        "incident_id": _S, "article_id": _S, "type": _S, "value": _F, "value_max": _F, "unit": _S,
        "qualifier": _S, "counts": _S, "change": _S, "date_start": _S, "date_end": _S, "date_precision": _S,
        "date_text": _S, "place_id": _S, "places": _S, "location_precision": _I, "actors": _S,
        "sentence": _S, "start": _I, "end": _I, "evidence": _S, "source": _S,
    },
    "events": {
        "event_id": _S, "incident_id": _S, "article_id": _S, "outlet": _S, "published": _S, "type": _S,
        "place_id": _S, "location_precision": _I, "date_start": _S, "date_end": _S, "date_precision": _S,
        "counts": _S, "reports": _I, "counts_disagree": _B, "match_reason": _S, "sentence": _S,
    },
    "routes": {
        "route_id": _S, "article_id": _S, "stop": _I, "place_id": _S, "role": _S, "precision": _I,
        "sentence": _S, "start": _I, "end": _I,
    },
    "unresolved": {"article_id": _S, "start": _I, "end": _I, "text": _S, "hint": _S},
    "skipped": {"path": _S, "line": _I, "reason": _S},
}  # fmt: skip
TABLES = tuple(COLUMNS)
# Columns added since tables were first written: a table without one is read with it empty.
_ADDED_COLUMNS = frozenset({("articles", "lang")})
_TABLE_COLUMNS = ("place", "type", "count", "unit", "date", "source")


@dataclass(frozen=True)
class Extraction:
    """The tidy tables of one extraction run (pandas DataFrames)."""

    articles: Any
    mentions: Any
    incidents: Any
    routes: Any
    unresolved: Any
    skipped: Any
    events: Any = None  # incidents grouped into events across reports (geomap.events); empty when not matched
    corrections: Any = None  # a geomap.review.CorrectionsReport when a corrections file was applied

    def __post_init__(self) -> None:
        if self.events is None:
            object.__setattr__(self, "events", _frame("events", []))

    def tables(self) -> dict[str, Any]:
        """The tables by name, in :data:`TABLES` order."""
        return {name: getattr(self, name) for name in TABLES}

    def summary(self) -> dict[str, int]:
        """Counts for a run's closing line: articles, skipped, mentions, places, incidents..."""
        tally = Tally()
        tally.add(self.tables())
        return {
            "articles": tally.articles + tally.table_rows,
            "skipped": len(self.skipped),
            "mentions": tally.mentions,
            "places": len(tally.places),
            "ambiguous": tally.ambiguous,
            "unresolved": len(self.unresolved),
            "incidents": tally.incidents,
            "events": tally.events,
            "events_multi": tally.events_multi,
            "routes": tally.routes,
        }


def _frame(name: str, rows: Any) -> Any:
    """A DataFrame with exactly the columns and dtypes of table ``name``."""
    import pandas as pd

    spec = COLUMNS[name]
    df = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=list(spec))
    for column in spec:
        if column not in df.columns:
            df[column] = None
    df = df[list(spec)].reset_index(drop=True)
    out = {}
    for column, dtype in spec.items():
        series = df[column]
        if dtype == _S:
            out[column] = series.astype(object).where(series.notna(), "").astype(str).astype(_S)
        elif dtype == _B:
            out[column] = series.astype(object).map(_as_bool).astype(_B)
        else:
            out[column] = pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce").astype(dtype)
    return pd.DataFrame(out, columns=list(spec))


_NO_INT = -(2**63)  # stands for a missing whole number in a typed array


class _Columns:
    """One table's rows, kept column by column until the frame is built.

    Whole numbers and floats go into typed arrays (8 bytes a value, not a
    Python object each); strings and flags into lists (8 bytes a reference,
    the strings themselves interned where they repeat).  A row costs a
    fraction of a tuple of objects, so the tables of a big corpus stay small
    while they grow.
    """

    __slots__ = ("_buffer", "_cells", "_name", "_size")

    _BATCH = 4096  # rows gathered as tuples, then moved into the columns together

    def __init__(self, name: str) -> None:
        from array import array

        self._name = name
        self._size = 0
        self._buffer: list[tuple] = []
        self._cells = [
            (array("q") if dtype == _I else array("d") if dtype == _F else [], dtype) for dtype in COLUMNS[name].values()
        ]

    def __len__(self) -> int:
        return self._size + len(self._buffer)

    def append(self, row: tuple) -> None:
        """Add one row (a tuple in the table's column order)."""
        self._buffer.append(row)
        if len(self._buffer) >= self._BATCH:
            self._flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        """Add rows."""
        self._buffer.extend(rows)
        if len(self._buffer) >= self._BATCH:
            self._flush()

    def _flush(self) -> None:
        """Move the gathered rows into the columns, a column at a time."""
        if not self._buffer:
            return
        nan = float("nan")
        for (cells, dtype), values in zip(self._cells, zip(*self._buffer, strict=True), strict=True):
            if dtype == _I:
                cells.extend([_NO_INT if v is None else v for v in values])
            elif dtype == _F:
                cells.extend([nan if v is None else v for v in values])
            else:
                cells.extend(values)
        self._size += len(self._buffer)
        self._buffer.clear()

    def frame(self) -> Any:
        """The table as :func:`_frame` would build it; the columns are let go one by one."""
        import numpy as np
        import pandas as pd

        self._flush()
        out = {}
        for column, dtype in COLUMNS[self._name].items():
            cells, _ = self._cells.pop(0)
            if dtype == _S:
                if set(map(type, cells)) <= {str}:  # one C-level pass: the usual column needs no cleaning
                    texts = cells
                else:
                    texts = ["" if v is None or v != v else (v if type(v) is str else str(v)) for v in cells]
                out[column] = pd.array(texts, dtype=_S)
            elif dtype == _B:
                flags = np.array(cells, dtype=bool) if set(map(type, cells)) <= {bool} else [_as_bool(v) for v in cells]
                out[column] = pd.array(flags, dtype=_B)
            elif dtype == _I:
                values = np.array(cells, dtype=np.int64)
                missing = values == _NO_INT
                values[missing] = 0
                out[column] = pd.arrays.IntegerArray(values, missing)
            else:
                values = np.array(cells, dtype=np.float64)
                missing = np.isnan(values)
                values[missing] = 0.0
                out[column] = pd.arrays.FloatingArray(values, missing)
            del cells
        self._size = 0
        return pd.DataFrame(out, columns=list(COLUMNS[self._name]))


def _as_bool(value: Any) -> Any:
    if value is None or value is getattr(__import__("pandas"), "NA", object()):
        return None
    if isinstance(value, str):
        if value.strip().lower() in ("true", "1", "yes"):
            return True
        if value.strip().lower() in ("false", "0", "no", ""):
            return False
        return None
    try:
        return bool(value)
    except (TypeError, ValueError):
        return None


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _is_missing(value: Any) -> bool:
    """``None``, NaN, ``pd.NA``...: :func:`pandas.isna` for one value, without pandas for plain numbers."""
    if value is None:
        return True
    if type(value) is float or type(value) is int:
        return value != value
    if isinstance(value, str):
        return False
    import pandas as pd

    return bool(pd.isna(value))


def _format_count(value: Any, unit: str, qualifier: str = "", value_max: Any = None) -> str:
    """``146 cases``, ``over 500000 people``, ``10-12 people``."""
    if _is_missing(value):
        return ""
    text = _number(float(value))
    if not _is_missing(value_max):
        text = f"{text}-{_number(float(value_max))}"
    if qualifier and qualifier != "range":
        text = f"{qualifier} {text}"
    return f"{text} {unit}".strip()


def _precision_of(gazetteer: Any, place_id: str | None) -> int:
    from geomap.incidents import point_precision

    if not place_id:
        return 6
    place = gazetteer.get(place_id) if gazetteer is not None else None
    return point_precision(gazetteer, place_id, place.kind) if place is not None else 1


# -- rows ----------------------------------------------------------------------------

# Rows are tuples of str, int and float; strings that repeat across rows (names,
# place lists, dates, counts, actors) are interned, so a table of a big corpus
# holds each of them once.  The sentence string is already one per sentence.
def _intern(value: Any) -> Any:
    """``sys.intern`` for a str (exact type); anything else as it is."""
    return sys.intern(value) if type(value) is str else value


def _article_row(article: Article, *, fmt: str | None = None, lang: str = "") -> tuple:
    date = article.date
    return (
        article.id,
        article.title,
        _intern(date.start.isoformat()) if date is not None and date.start is not None else "",
        _intern(date.precision) if date is not None else "",
        _intern(article.date_source or ("metadata" if date is not None and (fmt or article.format) == "csv" else "")),
        _intern(article.source),
        article.url,
        _intern(article.path),
        article.line,
        _intern(fmt or article.format),
        _intern(article.encoding),
        len(article.text),
        lang,
    )


def _mention_row(m: Mention) -> tuple:
    return (
        m.article_id, m.start, m.end, _intern(m.text), _intern(m.place_id) if m.place_id else "", m.score,
        _intern(m.method), m.ambiguous, _intern(";".join(m.candidates)) if m.candidates else "",
    )  # fmt: skip


def _incident_row(incident: Incident) -> tuple:
    head = incident.counts[0] if incident.counts else None
    date = incident.date
    return (
        incident.id,
        incident.article_id,
        _intern(incident.type),
        head.value if head else None,
        head.value_max if head else None,
        _intern(head.unit) if head else "",
        _intern(head.qualifier) if head else "",
        _intern(";".join(_format_count(c.value, c.unit, c.qualifier, c.value_max) for c in incident.counts)),
        _intern(incident.change),
        _intern(date.start.isoformat()) if date is not None and date.start is not None else "",
        _intern(date.end.isoformat()) if date is not None and date.end is not None else "",
        _intern(date.precision) if date is not None else "",
        _intern(date.text) if date is not None else "",
        _intern(incident.place_id or ""),
        _intern(";".join(f"{p.place_id}:{p.role}" for p in incident.places)),
        incident.location_precision,
        _intern(";".join(incident.actors)),
        incident.sentence,
        incident.start,
        incident.end,
        ";".join(f"{a}-{b}" for a, b in incident.evidence or ((incident.start, incident.end),)),
        _intern(incident.source),
    )


def _route_rows(route: Route) -> Iterator[tuple]:
    for stop in route.stops:
        yield (
            route.id, route.article_id, stop.order, _intern(stop.place_id), _intern(stop.role), stop.precision,
            route.sentence, route.start, route.end,
        )  # fmt: skip


# -- sources -------------------------------------------------------------------------


def _split_sources(sources: Any) -> tuple[list[Any], list[Path], frozenset[str]]:
    """Article sources and analyst tables (``*.csv``), in the order given.

    Also the folders and globs that hold tables: those may hold no article.
    """
    from geomap.text.files import glob_paths, table_files

    if isinstance(sources, (str, os.PathLike, Article)):
        sources = [sources]
    others: list[Any] = []
    tables: list[Path] = []
    with_tables: set[str] = set()
    for source in sources:
        if isinstance(source, Article):
            others.append(source)
            continue
        text = os.fspath(source)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = glob_paths(text)
            csvs = [Path(m) for m in matches if m.lower().endswith(".csv") and os.path.isfile(m)]
            for m in matches:
                if os.path.isdir(m):
                    csvs.extend(table_files(m))
            tables.extend(csvs)
            if csvs:
                with_tables.add(text)
            if len(csvs) < len(matches) or not matches:
                others.append(source)
            continue
        path = Path(text)
        if path.is_dir():
            found = table_files(path)
            tables.extend(found)
            if found:
                with_tables.add(text)
            others.append(source)
        elif path.suffix.lower() == ".csv":
            if not path.exists():
                raise InputNotFoundError(located(display_path(path), None, "no such file"))
            tables.append(path)
        else:
            others.append(source)
    return others, list(dict.fromkeys(tables)), frozenset(with_tables)


def _articles(
    sources: list[Any], skipped: list[Skipped], with_tables: frozenset[str] = frozenset(), index: Any = None
) -> Iterator[Article]:
    """The articles of ``sources``; with an input ``index`` (:mod:`geomap._increment`), stubs for unchanged files."""
    from geomap.text.articles import _read_articles

    paths: list[Any] = []

    def flush() -> Iterator[Article]:
        if paths:
            if index is not None:
                yield from index.articles(list(paths), skipped, with_tables)
            else:
                yield from _read_articles(list(paths), skipped=skipped, optional=with_tables)
            paths.clear()

    for source in sources:
        if isinstance(source, Article):
            yield from flush()
            yield source
        else:
            paths.append(source)
    yield from flush()


def _read_table(path: Path, resolver: Any, skipped: list[Skipped]) -> Iterator[tuple[Article, Incident]]:
    """Incidents from an analyst's CSV; each bad row goes to ``skipped`` with its line."""
    shown = display_path(path)
    try:
        fh = open_regular(path)
    except Unreadable as exc:
        skipped.append(Skipped(shown, f"cannot read the table: {exc.reason}"))
        return
    bad_rows = 0

    def skip(reason: str, line: int | None) -> None:
        nonlocal bad_rows
        bad_rows += 1
        if bad_rows <= _MAX_BAD_ROWS:
            skipped.append(Skipped(shown, reason, line))

    with fh:
        records = _table_records(fh)
        first = next(records, None)
        if first is None:
            skipped.append(Skipped(shown, "empty table"))
            return
        _, header, problem = first
        if problem is not None:
            skipped.append(Skipped(shown, problem, 1))
            return
        header = [h.strip().lower() for h in header]
        missing = [c for c in _TABLE_COLUMNS[:5] if c not in header]
        if missing:
            skipped.append(Skipped(shown, f"missing columns: {', '.join(missing)}", 1))
            return
        yield from _table_incidents(path, shown, header, records, resolver, skip)
    if bad_rows > _MAX_BAD_ROWS:
        skipped.append(Skipped(shown, f"{bad_rows - _MAX_BAD_ROWS} more bad rows, not listed one by one"))


_MAX_BAD_ROWS = 100  # of one table, listed one by one; the rest are counted


def _table_records(fh: Any) -> Iterator[tuple[int, list[str], str | None]]:
    """``(line, fields, problem)`` for each record of a CSV table read from binary ``fh``.

    ``line`` is the physical line the record starts on (a quoted field may
    span lines).  Lines are read a bounded chunk at a time: a line longer
    than :data:`~geomap._input.MAX_TABLE_LINE_BYTES`, one that is not UTF-8
    or holds NUL bytes, or a field longer than the csv module allows, makes
    its record a ``problem``; the records after it are read on.
    """
    broken: dict[int, str] = {}

    def lines() -> Iterator[str]:
        for number, raw in read_lines(fh, MAX_TABLE_LINE_BYTES):
            if raw is None:
                broken[number] = f"line longer than {size_text(MAX_TABLE_LINE_BYTES)}"
                yield "\n"
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                broken[number] = "binary data (NUL bytes)"
                yield "\n"
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                broken[number] = f"not UTF-8 text ({exc.reason})"
                yield "\n"

    reader = csv.reader(lines())
    done = 0  # physical lines read so far
    while True:
        try:
            values = next(reader)
            problem = None
        except StopIteration:
            return
        except csv.Error as exc:  # a field longer than csv.field_size_limit(), ...
            values, problem = [], " ".join(str(exc).split())
            if "field limit" in problem:
                problem = f"a field longer than {csv.field_size_limit():,} characters"
        start, done = done + 1, reader.line_num
        bad = [n for n in broken if start <= n <= done]
        if bad:
            problem = broken[bad[0]]
            start = bad[0]
            for n in bad:
                del broken[n]
        yield start, values, problem


def _table_incidents(
    path: Path, shown: str, header: list[str], records: Iterator[tuple[int, list[str], str | None]], resolver: Any, skip: Any
) -> Iterator[tuple[Article, Incident]]:
    """Incidents of the records of one table (after its header)."""
    from geomap.text.dates import parse_date
    from geomap.text.numbers import parse_number
    from geomap.records import Count, IncidentPlace

    gazetteer = resolver.gazetteer
    for line, values, problem in records:
        if problem is not None:
            skip(problem, line)
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            skip(f"expected {len(header)} fields, found {len(values)}", line)
            continue
        row = dict(zip(header, (v.strip() for v in values), strict=True))
        problem = None
        value = parse_number(row["count"]) if row["count"] else None
        date = parse_date(row["date"]) if row["date"] else None
        if row["type"] not in INCIDENT_TYPES:
            problem = f"unknown incident type: {row['type']!r}"
        elif row["count"] and value is None:
            problem = f"not a number: {row['count']!r}"
        elif row["date"] and date is None:
            problem = f"not a date: {row['date']!r}"
        elif not row["place"]:
            problem = "no place"
        resolution = None
        if problem is None:
            resolution = resolver.resolve(row["place"], date=date.start if date else None)
            if not resolution:
                problem = f"place not in the gazetteer: {row['place']!r}"
            elif resolution.ambiguous:
                ids = ", ".join(c.place.id for c in resolution.candidates[:4])
                problem = f"ambiguous place {row['place']!r} (one of {ids}): write its id"
        if problem is not None:
            skip(problem, line)
            continue
        place = resolution.place
        article = Article(
            id=f"{display_path(path.stem)}:{line}",
            text=",".join(values),
            title=f"{row['type']} at {row['place']}",
            date=date,
            source=row.get("source", ""),
            path=shown,
            line=line,
            format="csv",
        )
        counts = (Count(value, row["unit"] or "items", text=row["count"]),) if value is not None else ()
        incident = Incident(
            id=f"{article.id}#1",
            article_id=article.id,
            type=row["type"],
            sentence=article.text,
            start=0,
            end=len(article.text),
            counts=counts,
            date=date,
            places=(IncidentPlace(place.id, "location"),),
            location_precision=_precision_of(gazetteer, place.id),
            place_id=place.id,
            source="table",
        )
        yield article, incident


# -- the pipeline ------------------------------------------------------------------------


def _overlaps(date: DateSpan | None, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    if date is None or date.start is None:
        return False
    end = date.end or date.start
    return not ((since is not None and end < since) or (until is not None and date.start > until))


# an article's row, then its mentions, unresolved names, incidents and routes, and the
# corrections (their index) that matched one of its mentions
_ArticleRows = tuple[tuple, list[tuple], list[tuple], list[tuple], list[tuple], frozenset]


class _Run:
    """What turning one article into table rows needs: the same in this process and in a worker."""

    def __init__(self, gazetteer: Any, corrections: Any, since: dt.date | None, until: dt.date | None,
                 wanted: frozenset[str] | None) -> None:  # fmt: skip
        self.gazetteer = gazetteer
        self.corrections = corrections
        self.since, self.until, self.wanted = since, until, wanted
        self._matcher: Any = None
        self._resolver: Any = None
        self.names: dict = {}  # this run's memo of names resolved without context

    # Built when first needed: an incremental run whose articles are all in the cache needs neither.
    @property
    def matcher(self) -> Any:
        from geomap.places import _shared_matcher

        if self._matcher is None:
            self._matcher = _shared_matcher(self.gazetteer)  # built once a gazetteer, reused by later runs
        return self._matcher

    @property
    def resolver(self) -> Any:
        from geomap.geocoder import Resolver

        if self._resolver is None:
            # a resolver of its own (0.1 s): a shared one would keep its gazetteer alive for ever
            self._resolver = Resolver(self.gazetteer)
        return self._resolver

    def __getstate__(self) -> dict:  # a worker started by "spawn" builds its own matcher and resolver
        return {"args": (self.gazetteer, self.corrections, self.since, self.until, self.wanted)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(*state["args"])  # type: ignore[misc]

    def keep(self, incident: Incident) -> bool:
        return (self.wanted is None or incident.type in self.wanted) and _overlaps(incident.date, self.since, self.until)

    def rows(self, article: Article) -> _ArticleRows:
        """The article's row and those of its mentions, unresolved names, incidents and routes."""
        from geomap.incidents import find_incidents
        from geomap.text.sentences import fold_text, split_sentences
        from geomap.text.language import READ_LANGUAGES, detect_language
        from geomap.places import find_mentions, find_unresolved
        from geomap.review import apply_mention_corrections
        from geomap.routes import find_routes

        gazetteer = self.gazetteer
        mentions = find_mentions(article, matcher=self.matcher, resolver=self.resolver, cache=self.names)
        hits: set[int] = set()
        mentions = apply_mention_corrections(mentions, self.corrections, hits=hits)
        unresolved = [
            (u.article_id, u.start, u.end, _intern(u.text), _intern(u.hint))
            for u in find_unresolved(article, mentions=mentions)
        ]
        lang = detect_language(article.text)
        if lang not in READ_LANGUAGES:  # Thai, Lao, Khmer...: read for place names only, never guessed at
            return _article_row(article, lang=lang), list(map(_mention_row, mentions)), unresolved, [], [], frozenset(hits)
        sentences = split_sentences(article.text)
        folded = fold_text(article.text)  # once, for incidents and routes
        found = find_incidents(
            article, mentions=mentions, gazetteer=gazetteer, sentences=sentences, folded=folded, language=lang
        )
        incidents = [_incident_row(incident) for incident in found if self.keep(incident)]
        routes: list[tuple] = []
        if _overlaps(article.date, self.since, self.until) or article.date is None:
            found_routes = find_routes(
                article, mentions=mentions, gazetteer=gazetteer, sentences=sentences, folded=folded, language=lang
            )
            for route in found_routes:
                routes.extend(_route_rows(route))
        return _article_row(article, lang=lang), list(map(_mention_row, mentions)), unresolved, incidents, routes, frozenset(hits)


_WORKER_RUN: _Run | None = None  # the run of a worker process, set when it starts


def _start_worker(run: _Run) -> None:
    global _WORKER_RUN
    _WORKER_RUN = run


def _batch_rows(batch: list[Article]) -> list[_ArticleRows]:
    assert _WORKER_RUN is not None
    return [_WORKER_RUN.rows(article) for article in batch]


def _pool(run: _Run, jobs: int) -> Any:
    """Worker processes for a run, started from a clean process (forkserver, else spawn)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # not "fork": the parent may have threads (a progress bar, a Jupyter kernel), which
    # a forked child can deadlock on; each worker builds its matcher (half a second)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(run,)
    )


_BATCH = 32  # articles a task: a few milliseconds of work, worth the trip to a worker and back


def _in_order(
    pool: Any, articles: Iterable[Article], jobs: int, cache: ArticleCache | None = None
) -> Iterator[list[_ArticleRows]]:
    """Each batch's rows, in the order of the articles, with a few batches under way at a time.

    Only ``2 * jobs`` batches are out at once, so articles are read no faster
    than they are worked on and memory stays flat.  With a ``cache``, the
    articles it keeps are looked up here and only the others go to a worker.
    """
    from collections import deque

    pending: deque = deque()
    batch: list[tuple[Article, str | None, _ArticleRows | None]] = []

    def submit() -> None:
        todo = [real(article) for article, _, rows in batch if rows is None]
        pending.append((list(batch), pool.submit(_batch_rows, todo) if todo else None))
        batch.clear()

    def collect() -> list[_ArticleRows]:
        items, future = pending.popleft()
        fresh = iter(future.result() if future is not None else ())
        out = []
        for _, key, rows in items:
            if rows is None:
                rows = next(fresh)
                if cache is not None and key is not None:
                    cache.put(key, rows)
            out.append(rows)
        return out

    for article in articles:
        key = rows = None
        if cache is not None:
            key = cache.key(article)
            rows = cache.get(key)
            if rows is None:
                cache.misses += 1
            else:
                cache.hits += 1
        batch.append((article, key, rows))
        if len(batch) == _BATCH:
            submit()
            if len(pending) >= 2 * jobs:
                yield collect()
    if batch:
        submit()
    while pending:
        yield collect()


def extract(
    sources: Any,
    *,
    gazetteer: Any = None,
    corrections: Any = None,
    progress: bool = False,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    jobs: int = 1,
    client: Any = None,
) -> Extraction:
    """Extract place mentions, incidents and routes from reports.

    Parameters
    ----------
    sources
        Paths, folders, globs or :class:`~geomap.records.Article` objects
        (one or many); ``*.csv`` files are read as analyst incident tables.
    gazetteer
        A :class:`~geomap.gazetteer.Gazetteer`; ``None`` loads the bundled one.
    corrections
        A corrections file (path) or :class:`~geomap.review.Corrections`,
        applied to mentions before incidents are drawn and to the tables after.
    progress
        Show a progress bar, one step an article.
    since, until
        Keep only incidents whose date overlaps this period (inclusive).
    types
        Keep only incidents of these types.
    jobs
        Worker processes to extract with (``1``: in this process; at most
        the number of processors).  The tables are the same whatever the
        number; articles are still read here, in order, and handed out in
        small batches.  Workers start from a clean process, as
        :mod:`multiprocessing` does on macOS and Windows: in a script, call
        this under ``if __name__ == "__main__":``.
    client
        A :class:`distributed.Client`: extract on that Dask cluster
        (:mod:`geomap.cluster`) instead.  The workers write the tables'
        parts into a temporary folder; the tables come back the same as in
        one process.  For a corpus bigger than memory, write the tables with
        :func:`geomap.jobs.extract_tables` (``client=`` too) and read them
        with ``read_tables(folder, dask=True)``.

    Returns
    -------
    Extraction

    Raises
    ------
    InputNotFoundError
        A path or glob that matches nothing.
    InputError
        An unknown incident type, a bad date, a broken corrections file, or
        ``jobs`` below 1.
    """
    from geomap.review import apply_corrections

    if client is not None:
        return _extract_on_cluster(sources, client, gazetteer=gazetteer, corrections=corrections, since=since,
                                   until=until, types=types)  # fmt: skip
    run, corrections = _prepare(gazetteer, corrections, since, until, types, jobs)
    skipped: list[Skipped] = []
    rows = {name: _Columns(name) for name in TABLES}
    others, tables, with_tables = _split_sources(sources)
    hits: set[int] = set()
    for found in _produce(run, others, tables, skipped, jobs, progress, with_tables=with_tables):
        _add_rows(rows, found, hits)
    rows["skipped"].extend((s.path, s.line, s.reason) for s in skipped)
    # one table at a time, letting go of its rows as soon as its frame exists
    extraction = Extraction(**{name: rows.pop(name).frame() for name in TABLES})
    if corrections is not None:
        return apply_corrections(extraction, corrections, gazetteer=run.gazetteer, matched=hits)  # events matched there
    return with_events(extraction, gazetteer=run.gazetteer)


def _extract_on_cluster(sources: Any, client: Any, **options: Any) -> Extraction:
    """:func:`extract` on a Dask cluster: the tables written by its workers into a temporary folder, read back."""
    import dataclasses
    import tempfile

    from geomap.review import Corrections, load_corrections

    corrections = options.pop("corrections")
    gazetteer = options.pop("gazetteer")
    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    if corrections is not None and not isinstance(corrections, Corrections):
        corrections = load_corrections(corrections, gazetteer=gazetteer)
    with tempfile.TemporaryDirectory(prefix="geomap-extract-") as folder:
        _, tally, _ = write_extraction(
            sources, folder, gazetteer=gazetteer, corrections=corrections, format="parquet", client=client, full=True,
            **options,
        )  # fmt: skip
        extraction = read_tables(folder, format="parquet")
    return dataclasses.replace(extraction, corrections=tally.corrections)


def with_events(
    extraction: Extraction, *, gazetteer: Any = None, corrections: Any = None, hits: set[int] | None = None
) -> Extraction:
    """``extraction`` with its ``events`` table matched again from its incidents (:mod:`geomap.events`).

    The ``index`` of each ``split_event`` or ``join_events`` item that found its incidents goes into ``hits``.
    """
    import dataclasses

    from geomap.events import event_keys, match_events

    keys = event_keys(extraction.incidents, extraction.articles)
    rows = match_events(keys, gazetteer=gazetteer, corrections=corrections, hits=hits)
    return dataclasses.replace(extraction, events=_frame("events", rows))


def _add_rows(tables: dict[str, _Columns], found: _ArticleRows, hits: set[int]) -> int:
    """Add one article's rows to ``tables``, and the corrections that matched to ``hits``; how many rows that is."""
    article_row, mentions, unresolved, incidents, routes, matched = found
    hits.update(matched)
    tables["articles"].append(article_row)
    tables["mentions"].extend(mentions)
    tables["unresolved"].extend(unresolved)
    tables["incidents"].extend(incidents)
    tables["routes"].extend(routes)
    return 1 + len(mentions) + len(unresolved) + len(incidents) + len(routes)


def _prepare(gazetteer: Any, corrections: Any, since: Any, until: Any, types: Any, jobs: Any) -> tuple[_Run, Any]:
    """Check the options of a run; the run, and its corrections loaded."""
    from geomap.corrections import Corrections, load_corrections

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs must be a whole number, 1 or more: {jobs!r}")
    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    since_d = _arg_date(since, "since")
    until_d = _arg_date(until, "until")
    wanted = _arg_types(types)
    if corrections is not None and not isinstance(corrections, Corrections):
        corrections = load_corrections(corrections, gazetteer=gazetteer)
    return _Run(gazetteer, corrections, since_d, until_d, wanted), corrections


def _produce(
    run: _Run,
    others: list[Any],
    tables: list[Path],
    skipped: list[Skipped],
    jobs: int,
    progress: bool,
    cache: ArticleCache | None = None,
    with_tables: frozenset[str] = frozenset(),
    index: Any = None,
) -> Iterator[_ArticleRows]:
    """The rows of every article, then of every row of the incident tables, in order.

    ``others`` and ``tables`` are the sources as :func:`_split_sources` splits
    them.  What cannot be read goes to ``skipped``.  Articles are read here,
    one at a time, and worked on here or (``jobs`` > 1) by worker processes;
    with a ``cache``, an article kept from an earlier run is not worked on again.
    """

    bar = None
    jobs = min(jobs, os.cpu_count() or 1, 61)  # no more workers than processors (61: Windows' limit)
    pool = _pool(run, jobs) if jobs > 1 and others else None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" article", desc="extract", leave=False)
    try:
        articles = _unique_ids(_articles(others, skipped, with_tables, index), skipped)
        if pool is None:
            for article in articles:
                yield run.rows(article) if cache is None else cache.rows(run, article)
                if bar is not None:
                    bar.update(1)
        else:
            try:
                for batch in _in_order(pool, articles, jobs, cache):
                    yield from batch
                    if bar is not None:
                        bar.update(len(batch))
            except BaseException:  # an error or an interrupt: drop the batches not started, do not wait
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        for rows in _table_rows(run, tables, skipped):
            if bar is not None:
                bar.update(1)
            yield rows
    finally:
        if bar is not None:
            bar.close()


def _unique_ids(articles: Iterable[Article], skipped: list[Skipped]) -> Iterator[Article]:
    """``articles`` but those whose id an earlier one had (each reported in ``skipped``)."""
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            skipped.append(Skipped(article.path or article.id, f"duplicate article id: {article.id!r}", article.line))
            continue
        seen.add(article.id)
        yield article


def _table_rows(run: _Run, tables: list[Path], skipped: list[Skipped]) -> Iterator[_ArticleRows]:
    """The rows of every row of the analysts' incident tables (bad rows go to ``skipped``)."""
    for path in tables:
        for article, incident in _read_table(path, run.resolver, skipped):
            kept = [_incident_row(incident)] if run.keep(incident) else []
            yield _article_row(article), [], [], kept, [], frozenset()


@dataclass
class Tally:
    """What a run's summary counts, gathered table part by table part."""

    articles: int = 0  # reports read (not rows of incident tables)
    table_rows: int = 0
    mentions: int = 0
    places: set[str] = field(default_factory=set)  # at most the gazetteer's places
    ambiguous: int = 0
    unresolved: set[str] = field(default_factory=set)  # the names, once each
    incidents: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    routes: int = 0
    corrections: Any = None  # a geomap.review.CorrectionsReport when a corrections file was applied
    extracted: int = 0  # articles extracted by this run (geomap extract)...
    cached: int = 0  # ...and those an earlier run's cache gave
    unread: dict[str, int] = field(default_factory=dict)  # reports in a language geomap does not read, by language
    events: int = 0
    events_multi: int = 0  # events told by two reports or more

    def add(self, tables: dict[str, Any]) -> None:
        """Count the rows of some tables (frames of :data:`COLUMNS`; any of them may be missing).

        A route's rows are never split between two calls.
        """
        if "articles" in tables:
            tables_read = int((tables["articles"]["format"] == "csv").sum())
            self.table_rows += tables_read
            self.articles += len(tables["articles"]) - tables_read
            self._add_unread(tables["articles"])
        if "mentions" in tables:
            mentions = tables["mentions"]
            self.mentions += len(mentions)
            places = mentions["place_id"]
            self.places.update(places[places.fillna("") != ""].astype(str))
            self.ambiguous += int(mentions["ambiguous"].fillna(False).sum())
        if "unresolved" in tables:
            self.unresolved.update(tables["unresolved"]["text"].astype(str))
        if "incidents" in tables:
            self.incidents += len(tables["incidents"])
            for kind, n in tables["incidents"]["type"].astype(str).value_counts().items():
                self.by_type[kind] = self.by_type.get(kind, 0) + int(n)
        if "routes" in tables:
            self.routes += int(tables["routes"]["route_id"].nunique())
        if "events" in tables:  # an event's rows are never split between two calls
            events = tables["events"]
            self.events += int(events["event_id"].nunique())
            told = events.loc[events["reports"].fillna(1).astype(int) > 1, "event_id"]
            self.events_multi += int(told.nunique())

    def merge(self, other: Tally) -> None:
        """Add the counts of ``other`` (of other rows of the same tables)."""
        for name in ("articles", "table_rows", "mentions", "ambiguous", "incidents", "routes", "events"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.places |= other.places
        self.unresolved |= other.unresolved
        for mine, theirs in ((self.by_type, other.by_type), (self.unread, other.unread)):
            for kind, n in theirs.items():
                mine[kind] = mine.get(kind, 0) + n

    def _add_unread(self, articles: Any) -> None:
        from geomap.text.language import UNREAD_NAMES

        if "lang" not in articles:
            return
        for code, n in articles["lang"].astype(str).value_counts().items():
            if code in UNREAD_NAMES:
                self.unread[code] = self.unread.get(code, 0) + int(n)


_PART_ROWS = 20_000  # rows of a part of the tables written at once by write_extraction


def write_extraction(
    sources: Any,
    out_dir: str | Path,
    *,
    gazetteer: Any = None,
    corrections: Any = None,
    progress: bool = False,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    jobs: int = 1,
    full: bool = False,
    format: str = "csv",
    by_month: bool = False,
    client: Any = None,
) -> tuple[list[Path], Tally, list[Skipped]]:
    """Extract the tables from ``sources`` and write them into ``out_dir``, without holding them.

    The CSV files are those :func:`write_tables` writes for :func:`extract` of
    the same sources, byte for byte, but the rows are spooled to disk a few
    thousand at a time (corrected as they go), so memory stays flat however
    big the corpus.  The spools are unnamed temporary files: a run that fails
    or is killed leaves nothing behind.  At the end each table is written
    atomically, and a file geomap did not write, or one edited since (even
    during the run), is never overwritten.  The options are those of
    :func:`extract`.

    The run is incremental: what each article gave is kept in the output
    folder (``.geomap-cache/``, see :mod:`geomap._cache`), keyed by the
    article's content and the extraction's version (the rules, the
    gazetteer, the filters, the article's mention corrections), and an
    article kept by an earlier run is not extracted again.  The tables are
    the same as a full run's, byte for byte.  ``full=True`` extracts every
    article again (and keeps the new results).

    ``format="parquet"`` writes typed Parquet tables instead of CSV, one file
    a table or, with ``by_month=True``, one a month (:mod:`geomap.tablefiles`).
    With a Dask ``client`` (:mod:`geomap.cluster`) the articles are extracted
    and the parts of the tables written by the cluster's workers; the tables
    are the same.

    Returns
    -------
    files, tally, skipped
        The files written (in :data:`TABLES` order), the counts of the rows
        written, and the inputs skipped.
    """
    from geomap._increment import InputIndex
    from geomap.events import event_keys, match_events
    from geomap.review import StreamedCorrections
    from geomap.tablefiles import table_writer

    with table_writer(out_dir, format=format, by_month=by_month) as tables_out:  # checks the folder before the work
        run, corrections = _prepare(gazetteer, corrections, since, until, types, jobs)
        others, tables, with_tables = _split_sources(sources)  # before any spool exists: one can not be taken for a table
        fixes = StreamedCorrections(corrections, run.gazetteer) if corrections is not None else None
        version = extraction_version(run.gazetteer, since=run.since, until=run.until, wanted=run.wanted)
        cache = ArticleCache(out_dir, version, corrections=corrections, read=not full)
        skipped: list[Skipped] = []
        tally = Tally()
        hits: set[int] = set()  # the corrections that matched a mention, as articles are extracted
        # what event matching needs of every incident (not the whole row), and of every article
        keys: list = []
        outlets: dict[str, tuple[str, str]] = {}
        index = InputIndex(cache, read=not full)
        parts: Iterable[dict[str, Any]] = ()
        if client is not None:
            from geomap.cluster import _parts_on_cluster

            parts = _parts_on_cluster(
                client, run, others, tables, skipped, cache, fixes, hits, tables_out.spool_dir, index=index, with_tables=with_tables
            )
        elif format == "csv":  # in stretches: those an earlier run wrote are copied as they are
            for name in ("articles", "mentions", "incidents", "routes", "unresolved"):
                tables_out.write(name, _frame(name, []))  # the headers
            split = (others, tables, with_tables)
            for stretch in _stretched(run, split, skipped, cache, index, fixes, hits, jobs=jobs, progress=progress):
                tally.merge(stretch.tally)
                outlets.update((a, tuple(v)) for a, v in stretch.outlets.items())
                keys.extend(stretch.event_keys(len(keys)))
                for name, text in stretch.texts.items():
                    tables_out.write_text(name, text)
        else:
            parts = _parts(_produce(run, others, tables, skipped, jobs, progress, cache, with_tables, index), fixes, hits)
        try:
            for frames in parts:
                tally.add(frames)
                articles = frames["articles"]
                outlets.update(zip(articles["article_id"], zip(articles["source"], articles["date"], strict=True), strict=True))
                keys.extend(event_keys(frames["incidents"], outlets, start=len(keys)))
                for name, frame in frames.items():
                    tables_out.write(name, frame)
        finally:  # a write that failed: the parts' own clean-up (a cluster's staging folder) runs now, not when collected
            close = getattr(parts, "close", None)
            if close is not None:
                close()
        if fixes is not None:
            added = dict(zip(("incidents", "routes"), fixes.tail(), strict=True))
            tally.add(added)
            keys.extend(event_keys(added["incidents"], outlets, start=len(keys)))
            for name, frame in added.items():
                tables_out.write(name, frame)
        matched = _Columns("events")  # typed columns: a frame of all incidents, built in a fraction of _frame's time
        matched.extend(match_events(keys, gazetteer=run.gazetteer, corrections=corrections, hits=hits))
        del keys
        events = matched.frame()
        if fixes is not None:
            fixes.hits.update(hits)
            tally.corrections = fixes.report()
        tally.add({"events": events})
        tables_out.write("events", events)
        tables_out.write("skipped", _frame("skipped", [(s.path, s.line, s.reason) for s in skipped]))
        files = tables_out.commit(corrected=corrections.path if corrections is not None else None)
    tally.extracted, tally.cached = cache.misses, cache.hits
    cache.warn_unkept()
    index.save()
    cache.prune()
    return files, tally, skipped


def _stretched(
    run: _Run, split: tuple, skipped: list[Skipped], cache: ArticleCache, index: Any, fixes: Any, hits: set[int], *,
    jobs: int, progress: bool,
) -> Iterator[Any]:  # fmt: skip
    """What each stretch of the articles adds to the CSV tables (:func:`geomap._increment.stretches`).

    ``split`` is what :func:`_split_sources` gives.  As in :func:`_produce`, the articles
    are read here, in order, and extracted here or by ``jobs`` worker processes
    (started only if some article is not in the cache).
    """
    others, tables, with_tables = split
    from geomap._increment import stretches

    jobs = min(jobs, os.cpu_count() or 1, 61)
    pool = None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" article", desc="extract", leave=False)

    def rows(pairs: list[tuple[Article, str]]) -> Iterator[_ArticleRows]:
        nonlocal pool
        if jobs == 1:
            found: Iterable[_ArticleRows] = (cache.rows(run, article, key) for article, key in pairs)
        else:
            pool = pool or _pool(run, jobs)
            found = (rows for batch in _in_order(pool, (a for a, _ in pairs), jobs, cache) for rows in batch)
        yield from found
        if bar is not None:
            bar.update(len(pairs))

    articles = _unique_ids(_articles(others, skipped, with_tables, index), skipped)
    try:
        yield from stretches(articles, _table_rows(run, tables, skipped), cache, fixes, hits, rows)
    except BaseException:
        if pool is not None:  # an error or an interrupt: drop the batches not started, do not wait
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None:
            bar.close()


def _parts(found: Iterable[_ArticleRows], fixes: Any, hits: set[int]) -> Iterator[dict[str, Any]]:
    """The rows of articles, gathered into parts of the tables (frames), corrected by ``fixes``.

    The corrections that matched one of the articles' mentions go into ``hits``.
    """

    def new_part() -> dict[str, _Columns]:
        return {name: _Columns(name) for name in TABLES if name not in ("skipped", "events")}

    part, size = new_part(), 0
    for rows in found:
        size += _add_rows(part, rows, hits)
        if size >= _PART_ROWS:  # a part ends between articles: an article's rows are corrected together
            yield _part_frames(part, fixes)
            part, size = new_part(), 0
    yield _part_frames(part, fixes)


def _part_frames(part: dict[str, _Columns], fixes: Any) -> dict[str, Any]:
    frames = {name: columns.frame() for name, columns in part.items()}
    if fixes is not None:
        frames["mentions"], frames["incidents"], frames["routes"] = fixes.part(
            frames["mentions"], frames["incidents"], frames["routes"]
        )
    return frames


def _arg_date(value: dt.date | str | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(located(None, None, f"{what}: not a date (YYYY-MM-DD): {value!r}")) from None


def _arg_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    if isinstance(types, str):
        types = [t.strip() for t in types.split(",") if t.strip()]
    wanted = frozenset(types)
    unknown = sorted(wanted - set(INCIDENT_TYPES))
    if unknown:
        raise InputError(f"unknown incident type: {unknown[0]!r} (known: {', '.join(INCIDENT_TYPES)})")
    return wanted


# -- files ---------------------------------------------------------------------------------


def write_tables(extraction: Extraction, out_dir: str | Path) -> list[Path]:
    """Write the six tables as UTF-8 CSV into ``out_dir``; never overwrite an analyst's file.

    A file is replaced only if geomap wrote it and nobody changed it since
    (:class:`geomap._io.OutputDir` keeps the checksums in the folder's
    :data:`MANIFEST`).  Every file is written atomically.

    Returns
    -------
    list of Path
        The files written, in :data:`TABLES` order.

    Raises
    ------
    InputError
        A table file exists that geomap did not write, or that was edited
        since (the analyst's work is kept; write elsewhere or move it).
    """
    out = OutputDir(out_dir)
    names = [f"{name}.csv" for name in TABLES]
    out.check(*names)
    out.prepare()
    out.note(corrected=extraction.corrections.path if extraction.corrections is not None else None)
    written: list[Path] = []
    for name, file_name in zip(TABLES, names, strict=True):
        with out.open(file_name) as fh:
            write_frame(_frame(name, extraction.tables()[name]), fh)
        written.append(out.path / file_name)
    return written


def read_tables(
    directory: str | Path, *, format: str | None = None, date_format: str | None = None, dask: bool = False
) -> Extraction:
    """Read tables written by :func:`write_tables` or ``geomap extract`` (perhaps reviewed by hand) back.

    With ``dask=True`` the tables are :class:`dask.dataframe.DataFrame` objects,
    lazy (nothing is read until ``.compute()``), one partition a Parquet file
    or row group, for tables bigger than memory, from a notebook or on a
    cluster (:func:`geomap.cluster.dask_tables`; needs ``geomap[dask]``).

    CSV or Parquet (:mod:`geomap.tablefiles`: one file a table or a folder
    of months), as found; ``format`` (``"csv"`` or ``"parquet"``) chooses
    when a folder holds both.  A missing table is read as empty; a missing
    column, a bad number, an incident type the taxonomy lacks or a bad date
    is an error naming the file and line (the row, in Parquet).  Dates in
    CSV are ISO 8601 (``2024-03-25``), as geomap writes them; a spreadsheet
    that saved them in its own way (``03/25/2024``) is named, never read as
    no date, unless ``date_format`` (:func:`~datetime.datetime.strptime`
    codes, such as ``"%m/%d/%Y"``) says how to read them (Parquet dates are
    typed).  Text cells geomap wrote with a leading apostrophe against
    spreadsheet formulas (:mod:`geomap._csv`) are read as the text they
    stand for.

    Raises
    ------
    InputNotFoundError
        ``directory`` does not exist.
    InputError
        A table lacks a column, holds a value of the wrong kind or an
        unknown incident type, or is there both as CSV and as Parquet and
        ``format`` does not say which.
    """
    import pandas as pd

    from geomap.tablefiles import DATES, read_table

    if dask:
        from geomap.cluster import dask_tables

        return Extraction(**dask_tables(directory))
    folder = Path(directory)
    if not folder.is_dir():
        raise InputNotFoundError(located(folder, None, "no such folder"))
    frames = {}
    for name, spec in COLUMNS.items():
        path = folder / f"{name}.csv"
        columnar = read_table(folder, name) if format != "csv" else None
        if columnar is not None and path.exists() and format is None:
            raise InputError(located(path, None, "the table is there as CSV and as Parquet: say which to read (format)"))
        if columnar is not None:
            if name == "incidents":
                _check_types(folder / name if (folder / name).is_dir() else folder / f"{name}.parquet", columnar["type"], csv=False)
            frames[name] = columnar
            continue
        if not path.exists() or format == "parquet":
            frames[name] = _frame(name, [])
            continue
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(located(path, None, f"not a readable CSV table: {exc}")) from exc
        missing = [c for c in spec if c not in df.columns and (name, c) not in _ADDED_COLUMNS]
        if missing:
            raise InputError(located(path, 1, f"missing column: {missing[0]!r}"))
        _restore_text(df, name)
        for column, dtype in spec.items():
            if dtype in (_I, _F):
                values = df[column].str.strip()
                parsed = pd.to_numeric(values.where(values != "", None), errors="coerce")
                bad = parsed.isna() & (values != "")
                if bad.any():
                    row = int(bad.to_numpy().nonzero()[0][0])
                    raise InputError(located(path, row + 2, f"{column}: not a number: {values.iloc[row]!r}"))
                if dtype == _I and ((parsed.dropna() % 1) != 0).any():
                    row = int(((parsed % 1) != 0).fillna(False).to_numpy().nonzero()[0][0])
                    raise InputError(located(path, row + 2, f"{column}: not a whole number: {values.iloc[row]!r}"))
                df[column] = parsed
        if name == "incidents":
            _check_types(path, df["type"])
        for column in DATES.get(name, ()):
            df[column] = _read_dates(df[column], path, column, date_format)
        frames[name] = _frame(name, df)
    return Extraction(**frames)


def _check_types(path: Path, types: Any, *, csv: bool = True) -> None:
    """Reject a reviewed table whose ``type`` column holds a type the taxonomy lacks.

    A type becomes a layer name and a legend label on the map: only the
    known ones are allowed in, whatever an editor typed.
    """
    bad = ~types.str.strip().isin(INCIDENT_TYPES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        msg = f"type: unknown incident type: {types.iloc[row]!r} (known: {', '.join(INCIDENT_TYPES)})"
        raise InputError(located(path, row + 2, msg) if csv else located(path, None, f"row {row + 1}: {msg}"))


def _restore_text(df: Any, name: str) -> None:
    """The text cells of a CSV table ``name`` that geomap wrote as ``'=...`` (see :mod:`geomap._csv`) as the text ``=...``."""
    for column, dtype in COLUMNS[name].items():
        if dtype == _S and column in df.columns:
            quoted = df[column].str.startswith("'")
            if quoted.any():
                df.loc[quoted, column] = df.loc[quoted, column].map(restore)


def _read_dates(values: Any, path: Path, column: str, date_format: str | None, *, first: int = 2) -> Any:
    """A column of dates as ISO text; a cell that is not a date raises, naming its line (never read as blank).

    ``first`` is the line of the column's first cell (2, under the header; more for a later batch).
    """
    import re

    import pandas as pd

    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    out = []
    for row, text in enumerate(values.str.strip(), start=first):
        if text == "":
            out.append("")
            continue
        try:
            if date_format is not None and not iso.fullmatch(text):
                day = dt.datetime.strptime(text, date_format).date()
            elif iso.fullmatch(text):
                day = dt.date.fromisoformat(text)
            else:
                raise ValueError(text)
        except ValueError:
            how = f"as {date_format!r}" if date_format else "(YYYY-MM-DD; if a spreadsheet rewrote the dates, say how with --date-format)"
            raise InputError(located(path, row, f"{column}: not a date {how}: {text!r}")) from None
        out.append(day.isoformat())
    return pd.Series(out, index=values.index, dtype=object)
