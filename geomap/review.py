"""The review loop: an analyst's corrections, applied on every run.

Extraction is automatic and sometimes wrong.  An analyst writes what to change
in a YAML file (format and checks in :mod:`geomap.corrections`); ``geomap``
only ever reads that file, and applies it each time it extracts, so
corrections survive re-runs: mention corrections while each article is
extracted (:func:`apply_mention_corrections`), the rest to the whole tables
(:func:`apply_corrections`) or to tables written a part at a time
(:class:`StreamedCorrections`).  Applying the same file twice gives the same
tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap._errors import located
from geomap.corrections import _EVENT_ACTIONS, Correction, Corrections, CorrectionsReport, load_corrections
from geomap.records import Mention

if TYPE_CHECKING:
    from geomap.tables import Extraction

__all__ = ["StreamedCorrections", "apply_corrections", "apply_mention_corrections"]


def _report(corrections: Corrections, hits: set[int]) -> CorrectionsReport:
    """The report of ``corrections`` once the items at ``hits`` (their ``index``) have matched something."""
    missed = tuple(
        located(corrections.path, c.line, f"{c.action} {_describe(c)}: matched nothing")
        for c in corrections.items
        if c.index not in hits
    )
    return CorrectionsReport(corrections.path, len(corrections.items) - len(missed), missed)


def _describe(c: Correction) -> str:
    v = c.values
    if c.action in ("drop_mention", "fix_mention"):
        which = f"at {v['start']}" if "start" in v else f"{v.get('text')!r}"
        return f"{which} in article {v['article']!r}"
    if c.action == "add_incident":
        return f"in article {v['article']!r}"
    return repr(_target(c))


def _mention_hit(c: Correction, start: int, end: int, text: str) -> bool:
    if "start" in c.values:
        if start != c.values["start"]:
            return False
        return "end" not in c.values or end == c.values["end"]
    return text == c.values.get("text")


def apply_mention_corrections(
    mentions: Sequence[Mention], corrections: Corrections | None, *, hits: set[int] | None = None
) -> list[Mention]:
    """Drop and fix the mentions of one article before incidents and routes are drawn from them.

    The ``index`` of each correction that matched a mention is added to ``hits``.
    """
    if not corrections or not mentions:
        return list(mentions)
    items = corrections.for_article(mentions[0].article_id)
    if not items:
        return list(mentions)
    out: list[Mention] = []
    for m in mentions:
        dropped = False
        for c in items:
            if not _mention_hit(c, m.start, m.end, m.text):
                continue
            if hits is not None:
                hits.add(c.index)
            if c.action == "drop_mention":
                dropped = True
            else:
                m = replace(m, place_id=c.values["place"], ambiguous=False, candidates=(), method="correction", score=100.0)
        if not dropped:
            out.append(m)
    return out


def apply_corrections(
    extraction: Extraction,
    corrections: Corrections | str | Path | None,
    *,
    gazetteer: Any = None,
    matched: Iterable[int] = (),
) -> Extraction:
    """Apply a corrections file to extracted tables; applying it twice changes nothing more.

    Incidents a correction changed say ``source="corrected"`` (those it added,
    ``"correction"``); mentions it fixed, ``method="correction"``.  The
    result's ``corrections`` (a :class:`CorrectionsReport`) counts the items
    applied and lists those that matched nothing.

    Parameters
    ----------
    extraction
        Tables from :func:`geomap.extract.extract` or :func:`geomap.extract.read_tables`.
    corrections
        A :class:`Corrections`, or the path of a corrections file.
    gazetteer
        Gives the location precision of a place an analyst sets (else the
        correction's ``location_precision``, else 1).
    matched
        The ``index`` of items already matched (mention corrections applied
        while extracting, whose mentions are gone from the tables).

    Returns
    -------
    Extraction
        New tables; ``extraction`` is left as it was.
    """
    from geomap.tables import Extraction, _frame, with_events

    if corrections is None:
        return extraction
    if not isinstance(corrections, Corrections):
        corrections = load_corrections(corrections, gazetteer=gazetteer)
    hits = set(matched)
    mentions, incidents, routes = _apply(
        corrections.items,
        extraction.mentions.copy(),
        extraction.incidents.copy(),
        extraction.routes.copy(),
        gazetteer,
        hits=hits,
    )
    corrected = Extraction(
        articles=extraction.articles,
        mentions=_frame("mentions", mentions),
        incidents=_frame("incidents", incidents),
        routes=_frame("routes", routes),
        unresolved=extraction.unresolved,
        skipped=extraction.skipped,
    )
    # events are matched again on the corrected incidents, with the analyst's splits and joins
    corrected = with_events(corrected, gazetteer=gazetteer, corrections=corrections, hits=hits)
    return replace(corrected, corrections=_report(corrections, hits))


def _target(c: Correction) -> str:
    """The id of the incident or route a correction acts on (or makes), else its article."""
    v = c.values
    if c.action in ("drop_mention", "fix_mention"):
        return v["article"]
    if c.action == "add_incident":
        return v.get("id") or f"{v['article']}#c{c.number}"
    if c.action == "add_route":
        return v.get("id") or f"{v['article']}/c{c.number}"
    return v["id"]


class StreamedCorrections:
    """A corrections file applied to tables that are written a part at a time.

    Each part (the rows of some articles) gets the drops and fixes that touch
    it as it goes by; the rows that ``add_incident``, ``add_route`` and
    ``replace_route`` make come last (:meth:`tail`), as they do when the whole
    tables are corrected at once: the files are the same either way.
    """

    def __init__(self, corrections: Corrections, gazetteer: Any = None) -> None:
        self.corrections = corrections
        self.items = corrections.items
        self.gazetteer = gazetteer
        self.hits: set[int] = set()  # the index of every item that matched something
        self._olds: dict[str, dict[str, Any]] = {}  # a replaced route's first row, for its new rows

    def report(self) -> CorrectionsReport:
        """What the corrections did, once every part and the tail are through."""
        return _report(self.corrections, self.hits)

    def part(self, mentions: Any, incidents: Any, routes: Any) -> tuple[Any, Any, Any]:
        """One part's mentions, incidents and routes, corrected (frames of :func:`geomap.tables._frame`)."""
        from geomap.tables import _frame

        present = {  # what the items of each table are aimed at: articles, incident ids, route ids
            "mention": set(mentions["article_id"]),
            "incident": set(incidents["incident_id"]),
            "route": set(routes["route_id"]),
        }
        # only the items that touch this part: the others would change nothing in it (events are matched at the end)
        items = [c for c in self.items if c.action not in _EVENT_ACTIONS and _target(c) in present[c.action.rsplit("_", 1)[1]]]
        if not items:
            return mentions, incidents, routes
        out = _apply(
            items, mentions.copy(), incidents.copy(), routes.copy(), self.gazetteer, mode="part", olds=self._olds, hits=self.hits
        )
        return tuple(_frame(name, df) for name, df in zip(("mentions", "incidents", "routes"), out, strict=True))

    def tail(self) -> tuple[Any, Any]:
        """The incidents and routes the corrections add, to write after every part."""
        from geomap.tables import _frame

        empty = (_frame("mentions", []), _frame("incidents", []), _frame("routes", []))
        _, incidents, routes = _apply(self.items, *empty, self.gazetteer, mode="tail", olds=self._olds, hits=self.hits)
        return _frame("incidents", incidents), _frame("routes", routes)


def _apply(
    items: Sequence[Correction],
    mentions: Any,
    incidents: Any,
    routes: Any,
    gazetteer: Any,
    *,
    mode: str = "whole",
    olds: dict[str, dict[str, Any]] | None = None,
    hits: set[int] | None = None,
) -> tuple[Any, Any, Any]:
    """Apply ``items`` in order to the three tables.

    ``mode`` is ``"whole"`` for whole tables; for tables written a part at a
    time (:class:`StreamedCorrections`), ``"part"`` for a part, which gets only
    what the items take away or change, and ``"tail"`` for the last pass, over
    empty tables, which makes the rows the items add.  A replaced route keeps
    its sentence and offsets: a part puts them in ``olds`` for the tail.
    The ``index`` of each item that matched something goes into ``hits``.
    """
    import pandas as pd

    from geomap.incident_places import _precision_of
    from geomap.tables import _frame

    adds = mode != "part"
    hits = set() if hits is None else hits
    for c in items:
        v = c.values
        if c.action in ("drop_mention", "fix_mention"):
            hit = mentions["article_id"] == v["article"]
            if "start" in v:
                hit &= mentions["start"] == v["start"]
                if "end" in v:
                    hit &= mentions["end"] == v["end"]
            else:
                hit &= mentions["text"] == v["text"]
            hit = hit.fillna(False).astype(bool)
            if hit.any():
                hits.add(c.index)
            if c.action == "drop_mention":
                mentions = mentions[~hit]
            else:
                mentions.loc[hit, ["place_id", "method", "candidates"]] = [v["place"], "correction", ""]
                mentions.loc[hit, "ambiguous"] = False
                mentions.loc[hit, "score"] = 100.0
        elif c.action == "drop_incident":
            keep = incidents["incident_id"] != v["id"]
            if not keep.all():
                hits.add(c.index)
            incidents = incidents[keep]
        elif c.action == "fix_incident":
            hit = incidents["incident_id"] == v["id"]
            if hit.any():
                hits.add(c.index)
                incidents.loc[hit & (incidents["source"] != "correction"), "source"] = "corrected"
            for column, value in _incident_values(v, gazetteer).items():
                incidents.loc[hit, column] = value
            if "value" in v or "unit" in v:
                for idx in incidents.index[hit]:
                    incidents.loc[idx, "counts"] = _replace_headline(incidents.loc[idx])
        elif c.action == "add_incident":
            new_id = _target(c)
            incidents = incidents[incidents["incident_id"] != new_id]
            if not adds:
                continue
            hits.add(c.index)
            row = {column: None for column in incidents.columns}
            row.update(
                incident_id=new_id,
                article_id=v["article"],
                source="correction",
                sentence=v.get("sentence", ""),
                location_precision=_precision_of(gazetteer, v.get("place")) if v.get("place") else 6,
            )
            row.update(_incident_values(v, gazetteer))
            row["counts"] = _replace_headline(pd.Series(row)) if row.get("value") is not None else ""
            incidents = pd.concat([incidents, _frame("incidents", [row])], ignore_index=True)
        elif c.action == "drop_route":
            keep = routes["route_id"] != v["id"]
            if not keep.all():
                hits.add(c.index)
            routes = routes[keep]
        elif c.action in ("add_route", "replace_route"):
            route_id = _target(c)
            rows_before = routes[routes["route_id"] == route_id]
            old = rows_before.iloc[0].to_dict() if len(rows_before) else None
            routes = routes[routes["route_id"] != route_id]
            if old is not None or c.action == "add_route" and mode != "part":
                hits.add(c.index)
            if mode == "part":
                if old is not None and olds is not None:
                    olds[route_id] = old
                continue
            if old is None and mode == "tail" and olds is not None:
                old = olds.pop(route_id, None)  # taken: a second replace of it finds the first's rows
            article = v.get("article") or (old["article_id"] if old is not None else route_id.split("/")[0])
            rows = []
            for order, stop in enumerate(v["stops"], start=1):
                precision = stop.get("precision") or _precision_of(gazetteer, stop["place"])
                rows.append(
                    {
                        "route_id": route_id,
                        "article_id": article,
                        "stop": order,
                        "place_id": stop["place"],
                        "role": stop["role"],
                        "precision": precision,
                        "sentence": v.get("sentence", old["sentence"] if old is not None else ""),
                        "start": old["start"] if old is not None else None,
                        "end": old["end"] if old is not None else None,
                    }
                )
            routes = pd.concat([routes, _frame("routes", rows)], ignore_index=True)
    return mentions, incidents, routes


def _incident_values(v: dict, gazetteer: Any) -> dict[str, Any]:
    """Table columns set by the fields of an incident correction."""
    out: dict[str, Any] = {}
    for key in ("type", "value", "value_max", "unit", "qualifier", "date_precision", "date_text", "sentence"):
        if key in v:
            out[key] = float(v[key]) if key in ("value", "value_max") else v[key]
    if "date" in v:
        out["date_start"] = out["date_end"] = v["date"].isoformat()
        out.setdefault("date_precision", v.get("date_precision", "day"))
        out.setdefault("date_text", "")
    if "date_start" in v:
        out["date_start"] = v["date_start"].isoformat()
    if "date_end" in v:
        out["date_end"] = v["date_end"].isoformat()
    if "place" in v:
        out["place_id"] = v["place"]
        out["places"] = f"{v['place']}:location"
        out["location_precision"] = v.get("location_precision") or _precision(gazetteer, v["place"])
    elif "location_precision" in v:
        out["location_precision"] = v["location_precision"]
    if "actors" in v:
        actors = v["actors"]
        out["actors"] = ";".join(actors) if isinstance(actors, list) else str(actors)
    return out


def _precision(gazetteer: Any, place_id: str) -> int:
    from geomap.incident_places import _precision_of

    return _precision_of(gazetteer, place_id)


def _replace_headline(row: Any) -> str:
    """The ``counts`` cell with its first item set to the row's value and unit."""
    from geomap._rows import _format_count

    headline = _format_count(row.get("value"), row.get("unit") or "", row.get("qualifier") or "", row.get("value_max"))
    rest = str(row.get("counts") or "").split(";")[1:]
    return ";".join([headline] + [r for r in rest if r])
