"""One article's table rows: plain tuples in each table's column order (:data:`geomap.tables.COLUMNS`).

What :meth:`geomap._run._Run.rows` gives for an article, what the cache keeps
(:mod:`geomap._cache`) and what :class:`geomap.tables._Columns` gathers.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from geomap.records import Article, Incident, Mention, Route

# an article's row, then its mentions, unresolved names, incidents and routes, and the
# corrections (their index) that matched one of its mentions
_ArticleRows = tuple[tuple, list[tuple], list[tuple], list[tuple], list[tuple], frozenset]


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
