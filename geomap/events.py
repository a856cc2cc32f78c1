"""Events across reports: incidents that tell the same event share an ``event_id``.

Three outlets reporting one seizure give three incidents (one a report, once
:mod:`geomap.restatements` has merged each report's restatements).
:func:`match_events` groups them into one event and explains why, so a map
draws one marker an event and an analyst sees every source.

Two incidents of different reports tell the same event when
(``docs/TAXONOMY.md``, "Events across reports"):

* they have the same type and both have a place;
* their places are the same or nested (a gate inside its province, a town
  inside its country), across a reform too: a unit that ended (Vietnam's
  2025 merger of communes and provinces) is the units that took its
  territory (its ``successors``; for a district abolished into its province,
  what its communes became), so a 2024 report's old commune and a 2025
  report's new commune that succeeded it are one place, a new commune that
  did not succeed it another;
* their dates overlap within their stated precision: a day is widened by one
  day either side (reports filed across midnight, time zones); a date no words
  state (``date_text`` empty) stands for "in the month before publication";
* their counts are compatible: for each unit both state, some values are
  within a quarter of each other (58 and 60 people, 14 and 15; not 2 and 3); where neither
  gives a unit the other does, the two must be told on the same day (± 1) at
  the same or nested places of precision 3 or finer.  An incident placed only
  at a border or a country (precision 5 or 6) needs the very same figure.

An event is built greedily, incidents taken in a fixed order (date, article,
id): an incident joins the first open event whose every member it matches and
that holds no incident of its article, else opens one.  The matching is
blocked by type and province (today's: a merged province counts as the one it
went into), and swept by date: only events still open at an
incident's start are tried, never all pairs; an incident placed only at a
country or border is tried against the events of its type and country that
hold one of its figures (an index).  Where counts disagree between
reports, every report's counts are kept and ``counts_disagree`` is set.

An analyst's corrections (``split_event``, ``join_events`` in
:mod:`geomap.review`) are applied last: a split incident makes an event of its
own, a join puts the named incidents in one event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EVENT_COLUMNS", "EventKey", "event_keys", "match_events"]

#: The ``events`` table: one row an incident, grouped by ``event_id``.
EVENT_COLUMNS = (
    "event_id", "incident_id", "article_id", "outlet", "published", "type", "place_id", "location_precision",
    "date_start", "date_end", "date_precision", "counts", "reports", "counts_disagree", "match_reason", "sentence",
)  # fmt: skip

_DAY = dt.timedelta(days=1)
_UNSTATED_WINDOW = dt.timedelta(days=31)
_RATIO = 1.25  # counts of one unit "compatible" within this ratio (58 and 60, 14 and 15; not 2 and 3)
_COUNT_RE = re.compile(r"^(?:(?:over|about|under) )?([0-9]+(?:\.[0-9]+)?)(?:-[0-9.]+)? (.+)$")


@dataclass(slots=True)
class EventKey:
    """What matching needs of one incident (a row of the ``incidents`` table and its article)."""

    order: int  # row order in the incidents table
    incident_id: str
    article_id: str
    type: str
    place_id: str
    location_precision: int
    date_start: str
    date_end: str
    date_precision: str
    stated: bool  # the date is stated in the text (``date_text`` not empty)
    counts: str
    sentence: str
    outlet: str = ""
    published: str = ""
    figures: dict[str, set[float]] = field(default_factory=dict)
    lo: dt.date | None = None
    hi: dt.date | None = None


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _figures(counts: str) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for item in counts.split(";"):
        m = _COUNT_RE.match(item.strip())
        if m:
            out.setdefault(m.group(2), set()).add(float(m.group(1)))
    return out


def event_keys(incidents: Any, articles: Any, *, start: int = 0) -> list[EventKey]:
    """The keys of the rows of an ``incidents`` table (a DataFrame), with their articles' outlet and date.

    ``articles`` maps an article id to ``(outlet, published)`` or is an
    ``articles`` table.  ``start`` numbers the rows (for a table read in parts).
    """
    if not isinstance(articles, Mapping):
        articles = {
            str(a): (str(s), str(d))
            for a, s, d in zip(articles["article_id"], articles["source"], articles["date"], strict=True)
        }
    texts = ("incident_id", "article_id", "type", "place_id", "date_start", "date_end", "date_precision", "date_text",
             "counts", "sentence")  # fmt: skip
    columns = {c: incidents[c].astype(object).where(incidents[c].notna(), "").astype(str).tolist() for c in texts}
    import pandas as pd

    precision = pd.to_numeric(incidents["location_precision"], errors="coerce").fillna(6).astype(int).tolist()
    keys = []
    for n, (iid, aid, kind, place, d0, d1, dp, dtext, counts, sentence, prec) in enumerate(
        zip(*columns.values(), precision, strict=True)
    ):
        outlet, published = articles.get(aid, ("", ""))
        keys.append(
            EventKey(start + n, iid, aid, kind, place, prec, d0, d1, dp, bool(dtext), counts, sentence, outlet, published)
        )
    return keys


def _span(key: EventKey) -> tuple[dt.date | None, dt.date | None]:
    if key.stated:
        lo, hi = _iso(key.date_start), _iso(key.date_end) or _iso(key.published)
        if lo is None:
            return None, None
        hi = hi or lo
        if key.date_precision == "day":
            return lo - _DAY, hi + _DAY
        return lo, hi
    published = _iso(key.published)
    if published is None:
        return None, None
    return published - _UNSTATED_WINDOW, published


class _Places:
    """Nesting of places by the gazetteer's tree and its reforms, cached.

    ``up`` is a place's ids from itself up to its country.  A unit a reform
    ended (``valid_to``) stands, in reports of after the reform, for the
    units that took its territory (:meth:`current`), so a 2024 report's old
    commune and a 2025 report's new commune that succeeded it are one place.
    """

    def __init__(self, gazetteer: Any) -> None:
        self.gazetteer = gazetteer
        self._up: dict[str, frozenset[str]] = {}
        self._country: dict[str, str] = {}
        self._province: dict[str, str | None] = {}
        self._current: dict[str, frozenset[str]] = {}
        self._ended: dict[str, dt.date | None] = {}
        self._reaches: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def up(self, place_id: str) -> frozenset[str]:
        found = self._up.get(place_id)
        if found is None:
            ids = {place_id}
            gaz = self.gazetteer
            if gaz is not None:
                ids.update(p.id for p in gaz.ancestors(place_id))
                country = gaz.country_of(place_id)
                if country is not None:
                    ids.add(country.id)
            found = self._up[place_id] = frozenset(ids)
        return found

    def country(self, place_id: str) -> str:
        found = self._country.get(place_id)
        if found is None:
            country = self.gazetteer.country_of(place_id) if self.gazetteer is not None else None
            found = self._country[place_id] = country.id if country is not None else place_id
        return found

    def province(self, place_id: str) -> str | None:
        """The province that is or holds the place, as it is today (a merged province: the one it went into).

        ``None`` for a country or a place outside any.  Blocking by today's
        province puts a 2024 report at an old commune and a 2025 report at
        its successor in one block.
        """
        if place_id not in self._province:
            gaz = self.gazetteer
            province = gaz.province_of(place_id) if gaz is not None else None
            seen: set[str] = set()
            while province is not None and province.valid_to is not None and province.successor_id and province.id not in seen:
                seen.add(province.id)
                province = gaz.get(province.successor_id) or province
            self._province[place_id] = province.id if province is not None else None
        return self._province[place_id]

    def ended(self, place_id: str) -> dt.date | None:
        """The first day the unit no longer existed (``valid_to``), ``None`` when it still does."""
        if place_id not in self._ended:
            place = self.gazetteer.get(place_id) if self.gazetteer is not None else None
            self._ended[place_id] = place.valid_to if place is not None and place.successor_ids else None
        return self._ended[place_id]

    def current(self, place_id: str) -> frozenset[str]:
        """The units that took the territory of a unit a reform ended (itself when it did not end).

        A unit whose successors are of its own level or finer (a commune
        merged into a commune, a province into a province) stands for them;
        one whose territory went to a coarser unit (a district abolished into
        its province) stands for what its own units became (its communes'
        successors), not for the whole province.
        """
        found = self._current.get(place_id)
        if found is not None:
            return found
        gaz, end = self.gazetteer, self.ended(place_id)
        ids = {place_id}
        if end is not None:
            after = gaz.successors_on(place_id, end)
            level = gaz.level(place_id)
            if after and all(gaz.level(p.id) >= level for p in after):
                ids = {p.id for p in after}
            else:
                kids = [c.id for c in gaz.children(place_id) if self.ended(c.id) is not None]
                ids = set().union(*(self.current(k) for k in kids)) if kids else {p.id for p in after} or ids
        found = self._current[place_id] = frozenset(ids)
        return found

    def _tree(self, a: str, b: str) -> bool:
        return a == b or b in self.up(a) or a in self.up(b)

    def relation(self, a: str, b: str) -> tuple[bool, bool]:
        """Whether ``a`` and ``b`` are the same or nested places, and whether only through a reform.

        An old unit and a place that existed after it ended are compared
        through the old unit's successors (:meth:`current`); two units of
        one time only through the tree (two old communes merged into one
        later were two places then).
        """
        if self._tree(a, b):
            return True, False
        for old, new in ((a, b), (b, a)):
            end = self.ended(old)
            if end is None:
                continue
            place = self.gazetteer.get(new)
            if place is None or not place.valid_on(end):
                continue
            after, around = self._reach(old)
            if new in around or not after.isdisjoint(self.up(new)):
                return True, True
        return False, False

    def _reach(self, old: str) -> tuple[frozenset[str], frozenset[str]]:
        """The units that took ``old``'s territory, and those and every unit holding one of them."""
        found = self._reaches.get(old)
        if found is None:
            after = self.current(old)
            found = self._reaches[old] = (after, frozenset().union(*(self.up(s) for s in after)))
        return found

    def nested(self, a: str, b: str) -> bool:
        return a == b or self.relation(a, b)[0]


def _counts(a: EventKey, b: EventKey) -> tuple[bool, bool]:
    """Whether the counts allow one event, and whether they are the very same on every shared unit."""
    fa, fb = a.figures, b.figures
    if not fa or not fb:
        return True, False
    same = True
    shared = False
    for unit, x in fa.items():
        y = fb.get(unit)
        if y is None:
            continue
        shared = True
        if x & y:
            continue
        same = False
        if not any(max(p, q) <= _RATIO * min(p, q) for p in x for q in y if min(p, q) > 0):
            return False, False
    return True, same and shared


def _g(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _matches(a: EventKey, b: EventKey, places: _Places) -> bool:
    """``b`` tells the same event as ``a`` (see the module docstring)."""
    if a.article_id == b.article_id or a.lo > b.hi or b.lo > a.hi:  # type: ignore[operator]
        return False
    if not places.nested(a.place_id, b.place_id):
        return False
    ok, same = _counts(a, b)
    if not ok:
        return False
    if same:
        return True
    if max(a.location_precision, b.location_precision) >= 5:
        return False  # a border- or country-wide figure: only the very same figure ties it to another report
    if a.figures.keys() & b.figures.keys():
        return True  # the figures differ, within reach of each other
    # no shared figure: told on the same day, at the same or nested places of a district or finer
    return (
        a.stated and b.stated and a.date_precision == b.date_precision == "day"
        and max(a.location_precision, b.location_precision) <= 3
    )  # fmt: skip


def _reason(a: EventKey, b: EventKey, places: _Places) -> str:
    """Why ``b`` was matched to ``a``, for the ``match_reason`` column."""
    if a.place_id == b.place_id:
        where = f"same place ({a.place_id})"
    elif places.relation(a.place_id, b.place_id)[1]:
        old, new = (a, b) if places.ended(a.place_id) is not None else (b, a)
        where = f"place {old.place_id} (until {places.ended(old.place_id)}) and {new.place_id}, the same or nested through its successors"
    else:
        inner, outer = (a, b) if a.location_precision <= b.location_precision else (b, a)
        where = f"place {inner.place_id} within {outer.place_id}"
    when = (
        f"dates overlap ({a.date_start or '?'}..{a.date_end or '?'} / {b.date_start or '?'}..{b.date_end or '?'})"
        if a.stated and b.stated
        else "one date not stated, published within a month"
    )
    shared = sorted(a.figures.keys() & b.figures.keys())
    if not shared:
        how = "no figure in common, told on the same day"
    elif all(a.figures[u] & b.figures[u] for u in shared):
        how = "counts agree (" + ", ".join(f"{_g(min(a.figures[u] & b.figures[u]))} {u}" for u in shared) + ")"
    else:
        how = "counts differ (" + "; ".join(
            f"{'/'.join(_g(v) for v in sorted(a.figures[u]))} vs {'/'.join(_g(v) for v in sorted(b.figures[u]))} {u}"
            for u in shared
        ) + ")"
    return f"same type; {where}; {when}; {how}"


@dataclass(slots=True, eq=False)  # compared and hashed by identity: two events are never "equal"
class _Event:
    members: list[EventKey]
    reasons: list[str]
    articles: set[str]
    hi: dt.date


def _try_join(event: _Event, key: EventKey, places: _Places) -> bool:
    if key.article_id in event.articles or not all(_matches(m, key, places) for m in event.members):
        return False
    event.reasons.append(_reason(event.members[0], key, places))
    event.members.append(key)
    event.articles.add(key.article_id)
    event.hi = max(event.hi, key.hi)  # type: ignore[type-var]
    return True


def _greedy(keys: Sequence[EventKey], places: _Places, alone: set[str]) -> list[_Event]:
    """Events built in two passes, in date order.

    Incidents placed in a province (or finer) are blocked by type and
    province and swept by date: only the events of their block still open at
    their start are tried.  Incidents placed only at a country or a border
    are then tried against the events of their type and country that hold
    one of their figures (an index, not a scan).
    """
    events: list[_Event] = []
    blocks: dict[tuple[str, str], list[EventKey]] = {}
    wide: list[EventKey] = []
    for key in keys:
        key.figures = _figures(key.counts)
        key.lo, key.hi = _span(key)
        if not key.place_id or key.lo is None or key.incident_id in alone:
            events.append(_Event([key], ["one report"], {key.article_id}, key.hi or dt.date.min))
            continue
        province = places.province(key.place_id)
        if province is None or key.location_precision >= 5:
            wide.append(key)
        else:
            blocks.setdefault((key.type, province), []).append(key)
    order = lambda k: (k.lo, k.article_id, k.order)  # noqa: E731
    by_figure: dict[tuple[str, str, str, float], list[_Event]] = {}
    for (kind, _), block in sorted(blocks.items()):
        block.sort(key=order)
        open_events: list[_Event] = []
        ends = dt.date.max  # no open event ends before this (ends only grow): no pruning needed until then
        for key in block:
            if key.lo > ends:  # some events ended before this starts: let them go
                open_events = [e for e in open_events if e.hi >= key.lo]  # type: ignore[operator]
                ends = min((e.hi for e in open_events), default=dt.date.max)
            if not any(_try_join(event, key, places) for event in open_events):
                event = _Event([key], ["one report"], {key.article_id}, key.hi)  # type: ignore[arg-type]
                open_events.append(event)
                ends = min(ends, key.hi)  # type: ignore[type-var]
                events.append(event)
                country = places.country(key.place_id)
                for unit, values in key.figures.items():
                    for value in values:
                        by_figure.setdefault((kind, country, unit, value), []).append(event)
    for key in sorted(wide, key=order):
        country = places.country(key.place_id)
        candidates = dict.fromkeys(
            event
            for unit, values in key.figures.items()
            for value in values
            for event in by_figure.get((key.type, country, unit, value), ())
        )
        if not any(_try_join(event, key, places) for event in candidates):
            event = _Event([key], ["one report"], {key.article_id}, key.hi)  # type: ignore[arg-type]
            events.append(event)
            for unit, values in key.figures.items():
                for value in values:
                    by_figure.setdefault((key.type, country, unit, value), []).append(event)
    return events


def _join(events: list[_Event], joins: Sequence[tuple[Sequence[str], str]]) -> list[_Event]:
    """Put the incidents each join names into one event (with every other incident of their events)."""
    for ids, why in joins:
        wanted = set(ids)
        hit = [e for e in events if any(m.incident_id in wanted for m in e.members)]
        if len(hit) < 2:
            continue
        first = min(hit, key=lambda e: min(m.order for m in e.members))
        for other in hit:
            if other is first:
                continue
            first.members.extend(other.members)
            first.reasons.extend(why for _ in other.members)
            first.articles |= other.articles
        events = [e for e in events if e is first or e not in hit]
    return events


def _disagree(members: Sequence[EventKey]) -> bool:
    if len(members) < 2:
        return False
    units: dict[str, set[float]] = {}
    for m in members:
        for unit, values in m.figures.items():
            units.setdefault(unit, set()).add(min(values))
    return any(len(values) > 1 for values in units.values())


def match_events(
    keys: Iterable[EventKey], *, gazetteer: Any = None, corrections: Any = None, hits: set[int] | None = None
) -> list[tuple]:
    """Group incidents of different reports that tell the same event.

    Parameters
    ----------
    keys
        One :class:`EventKey` an incident (:func:`event_keys`), in table order.
    gazetteer
        For nested places and blocking by country (``ancestors``,
        ``country_of``); ``None`` matches equal place ids only.
    corrections
        A :class:`geomap.review.Corrections`; its ``split_event`` and
        ``join_events`` items are applied.
    hits
        The ``index`` of each of those items that found its incidents (a
        split, its incident; a join, two of its incidents or more) is added.

    Returns
    -------
    list of tuple
        Rows of the ``events`` table (:data:`EVENT_COLUMNS`), in the order of
        the incidents: the same input gives the same rows.
    """
    keys = list(keys)
    if hits is not None:
        present = {k.incident_id for k in keys}
        for item in getattr(corrections, "items", ()):
            if item.action == "split_event" and str(item.values["id"]) in present:
                hits.add(item.index)
            elif item.action == "join_events" and sum(str(i) in present for i in item.values["ids"]) >= 2:
                hits.add(item.index)
    alone: set[str] = set()
    joins: list[tuple[Sequence[str], str]] = []
    splits: dict[str, str] = {}
    for item in getattr(corrections, "items", ()):
        where = f"{corrections.path}:{item.line}"
        if item.action == "split_event":
            alone.add(str(item.values["id"]))
            splits[str(item.values["id"])] = f"split by analyst ({where})"
        elif item.action == "join_events":
            joins.append(([str(i) for i in item.values["ids"]], f"joined by analyst ({where})"))
    places = _Places(gazetteer)
    events = _join(_greedy(keys, places, alone), joins)
    rows: list[tuple[int, tuple]] = []
    for event in events:
        ordered = sorted(zip(event.members, event.reasons, strict=True), key=lambda mr: mr[0].order)
        event_id = f"ev-{ordered[0][0].incident_id}"
        disagree = _disagree(event.members)
        reports = len(event.articles)
        for m, reason in ordered:
            if m.incident_id in splits and reports == 1:
                reason = splits[m.incident_id]
            elif reason == "one report" and reports > 1:
                reason = "first report"  # the one the others were matched against
            rows.append(
                (
                    m.order,
                    (
                        event_id, m.incident_id, m.article_id, m.outlet, m.published, m.type, m.place_id,
                        m.location_precision, m.date_start, m.date_end, m.date_precision, m.counts, reports,
                        disagree, reason, m.sentence,
                    ),
                )
            )  # fmt: skip
    rows.sort(key=lambda r: r[0])
    return [row for _, row in rows]
