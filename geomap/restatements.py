"""One fact, one incident: restatements within a report merged.

A report often tells its main fact two or three times: in the lede, again in
the body with more detail, once more in a closing summary.  Each telling is
found as an incident; drawn as they are, one seizure becomes three markers.
:func:`merge_restatements` runs after the incidents of one report are found
and merges those that tell the same fact, keeping every sentence that tells
it as evidence.

Two incidents of a report are the same fact when all of these hold
(``docs/TAXONOMY.md``, "One fact, one incident"):

* the same type;
* compatible counts: both state figures, they share at least one figure
  (value and unit), and no unit both state has values that all differ
  ("58 people" and "58 citizens, 17 of them women" agree; "12 people" and
  "15 people" do not);
* the same or nested places (a gate in its province, a province in its
  country), or one of them placed nowhere;
* the same period: both dates equal, or one inside the other, or one of
  them not stated (the publication month stands in for it).

Different facts that share a number stay apart: "12 people" stopped in
March and "12 people" stopped in May, or 12 people in Lang Son and 12 in Cao
Bang, or 12 cases and 12 people.

The merged incident keeps the first telling's sentence and offsets, the
union of the counts, the most precise date and the most specific place;
``evidence`` lists the span of every telling.

Time is linear in the number of tellings: a telling is compared only with
facts whose first telling shares one of its figures, tellings that read alike
once, and no more than 64 facts and 256 tellings (far beyond a real report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = ["counts_agree", "merge_restatements", "nested_places", "same_period"]

T = TypeVar("T")
#: A telling is compared with the latest facts that share a figure with it, and with
#: at most this many tellings in all: a report tells a fact two or three times, and
#: a hostile one (a megabyte line of distinct facts sharing a number) stays linear.
_MAX_FACTS = 64
_MAX_COMPARISONS = 256
Span = tuple[int, int]


def _figures(counts: Sequence[Any]) -> dict[str, set[float]]:
    by_unit: dict[str, set[float]] = {}
    for count in counts:
        by_unit.setdefault(count.unit, set()).add(float(count.value))
    return by_unit


def counts_agree(first: Sequence[Any], second: Sequence[Any]) -> bool:
    """Both state figures, share one (value and unit), and no unit of both has only differing values."""
    if not first or not second:
        return False
    a, b = _figures(first), _figures(second)
    shared = a.keys() & b.keys()
    if not shared:
        return False
    return all(a[unit] & b[unit] for unit in shared)


def nested_places(first: str | None, second: str | None, gazetteer: Any) -> bool:
    """The same place, one inside the other (by the gazetteer's admin tree or country), or one unknown."""
    if not first or not second or first == second:
        return True
    if gazetteer is None:
        return False
    return _inside(first, second, gazetteer) or _inside(second, first, gazetteer)


def _inside(inner: str, outer: str, gazetteer: Any) -> bool:
    if any(p.id == outer for p in gazetteer.ancestors(inner)):
        return True
    place = gazetteer.get(outer)
    if place is not None and place.kind == "country":
        country = gazetteer.country_of(inner)
        return country is not None and country.id == outer
    return False


def _stated(date: Any) -> bool:
    return date is not None and date.start is not None and bool(date.text)


def _bounds(date: Any) -> tuple[dt.date, dt.date]:
    return date.start, date.end or dt.date.max


def same_period(first: Any, second: Any) -> bool:
    """Equal dates, one inside the other, or one not stated in the text (``DateSpan`` or ``None``)."""
    if not _stated(first) or not _stated(second):
        return True
    (a0, a1), (b0, b1) = _bounds(first), _bounds(second)
    return (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)


def _span(item: Any) -> Span:
    return (item.start, item.end)


def _tells_same(a: Any, b: Any, gazetteer: Any) -> bool:
    return (
        a.type == b.type
        and counts_agree(a.counts, b.counts)
        and same_period(a.date, b.date)
        and nested_places(a.place_id, b.place_id, gazetteer)
    )


def _key(item: Any) -> tuple:
    """What :func:`_tells_same` reads of an item: two items of one key compare alike."""
    date = item.date
    when = (date.start, date.end) if _stated(date) else None
    figures = frozenset((c.unit, float(c.value)) for c in item.counts)
    return item.type, figures, when, item.place_id


def _narrower(a: Any, b: Any) -> Any:
    """The more precise of two dates: a stated one over an unstated one, then the shorter span."""
    if _stated(a) != _stated(b):
        return a if _stated(a) else b
    if not _stated(a):
        return a if a is not None else b
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    return b if (b1 - b0) < (a1 - a0) else a


def _merge(base: Any, other: Any) -> Any:
    """``base`` with what ``other`` adds: its new figures, a narrower date, a more specific place."""
    seen = {(c.unit, float(c.value)) for c in base.counts}
    counts = tuple(base.counts) + tuple(c for c in other.counts if (c.unit, float(c.value)) not in seen)
    changes: dict[str, Any] = {"counts": counts, "date": _narrower(base.date, other.date)}
    if other.place_id and (not base.place_id or other.location_precision < base.location_precision):
        changes.update(place_id=other.place_id, location_precision=other.location_precision, places=other.places)
    if getattr(other, "actors", None):
        changes["actors"] = tuple(dict.fromkeys(tuple(base.actors) + tuple(other.actors)))
    if getattr(other, "change", "") and not getattr(base, "change", ""):
        changes["change"] = other.change
    return _replace(base, changes)


def _replace(item: Any, changes: dict[str, Any]) -> Any:
    if hasattr(item, "_replace"):  # a NamedTuple
        return item._replace(**{k: v for k, v in changes.items() if k in item._fields})
    import dataclasses

    names = {f.name for f in dataclasses.fields(item)}
    return dataclasses.replace(item, **{k: v for k, v in changes.items() if k in names})


def merge_restatements(items: Sequence[T], gazetteer: Any) -> list[tuple[T, tuple[Span, ...]]]:
    """Merge the incidents of one report that tell the same fact.

    Parameters
    ----------
    items
        The report's incidents (or drafts: anything with ``type``, ``counts``,
        ``date``, ``place_id``, ``location_precision``, ``places``, ``start``
        and ``end``), in text order.
    gazetteer
        For nested places (``ancestors``, ``country_of``, ``get``).

    Returns
    -------
    list of (item, evidence)
        One item a fact, in the order of its first telling, with the spans
        ``(start, end)`` of every sentence that tells it, in text order.
    """
    groups: list[list[Any]] = []  # the tellings of each fact, first one first
    merged: list[Any] = []
    # What a comparison reads of a telling, once each; a fact's tellings that read
    # alike are compared once (a line repeating one sentence is one comparison).
    kinds: list[dict[tuple, Any]] = []  # per fact: telling key -> a telling of that key
    by_figure: dict[tuple, list[int]] = {}  # (type, unit, value) -> facts whose first telling states it
    for item in items:
        key = _key(item)
        figures = {(item.type, c.unit, float(c.value)) for c in item.counts}
        # a fact can take the item only if its first telling shares a figure with it
        candidates = sorted({i for f in figures for i in by_figure.get(f, ())})[-_MAX_FACTS:]
        budget = _MAX_COMPARISONS
        for index in candidates:
            tellings = kinds[index]
            if key in tellings:  # told alike before: it agreed with every other telling then
                fits = True
            else:
                budget -= len(tellings)
                fits = budget >= 0 and all(_tells_same(t, item, gazetteer) for t in tellings.values())
            if fits:
                groups[index].append(item)
                tellings.setdefault(key, item)
                merged[index] = _merge(merged[index], item)
                break
            if budget < 0:
                break
        else:
            for f in figures:
                by_figure.setdefault(f, []).append(len(groups))
            groups.append([item])
            kinds.append({key: item})
            merged.append(item)
    out = []
    for item, tellings in zip(merged, groups, strict=True):
        out.append((item, tuple(sorted(dict.fromkeys(_span(t) for t in tellings)))))
    return out
