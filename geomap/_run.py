"""One run's options, checked, and what turns one article into table rows (:class:`_Run`).

The same :class:`_Run` works in this process and in a worker process
(:mod:`geomap._batches`) or on a Dask worker (:mod:`geomap.cluster`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from geomap._errors import InputError, located
from geomap._rows import _ArticleRows, _article_row, _incident_row, _intern, _mention_row, _route_rows
from geomap.records import INCIDENT_TYPES, Article, DateSpan, Incident


def _overlaps(date: DateSpan | None, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    if date is None or date.start is None:
        return False
    end = date.end or date.start
    return not ((since is not None and end < since) or (until is not None and date.start > until))


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
