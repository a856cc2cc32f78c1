"""The tidy tables of an extraction: their columns, the :class:`Extraction`, frames built to them.

Every table's columns and pandas dtypes (:data:`COLUMNS`, as in
``docs/ARCHITECTURE.md``), the frames built to that schema from rows
(:func:`_frame`) or from typed columns kept while a run goes on
(:class:`_Columns`), the :class:`Extraction` that holds a run's tables, the
:class:`Tally` of what a run wrote, and :func:`with_events`, which matches
the events table again from the incidents.  Reading and writing the tables
as files is :mod:`geomap.tableio`; the run that fills them, :mod:`geomap.extract`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COLUMNS", "TABLES", "Extraction", "Tally", "with_events"]

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
