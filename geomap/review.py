"""The review loop: an analyst's corrections, applied on every run.

Extraction is automatic and sometimes wrong.  An analyst writes what to change
in a YAML file; ``geomap`` only ever reads that file, and applies it each time
it extracts, so corrections survive re-runs.  The file is a list of items, each
with an ``action``::

    # corrections.yaml
    - action: drop_mention          # a false place mention
      article: 05_cao-bang-border-meeting
      text: Long                    # every "Long" in that article; or start: 120 (and end:)
    - action: fix_mention           # the right place for a mention
      article: 06_huu-nghi-traffic
      start: 214                    # or text: Lang Son city
      place: vn.city.lang-son
    - action: drop_incident
      id: 03_clearance-and-security-review#2
    - action: fix_incident          # any of: type value value_max unit qualifier date
      id: 01_hcmc-immigration-review#2   #   date_start date_end date_precision place location_precision
      value: 150
      unit: cases
      date: 2025-10-31
    - action: add_incident          # a fact the extractor missed
      article: 07_mong-cai-dongxing-route
      type: migrant_smuggling
      value: 17
      unit: people
      date: 2022-08-12
      place: vn.province.quang-ninh
      sentence: officers stopped a boat with 17 people preparing to cross
    - action: add_route             # or replace_route with the id of the route it replaces
      article: 07_mong-cai-dongxing-route
      stops:
        - {place: vn.province.ha-noi, role: origin}
        - {place: vn.province.quang-ninh, role: transit}
        - {place: cn.country.china, role: destination}
    - action: drop_route
      id: 09_lao-cai-hekou-drugs/r1
    - action: split_event           # this incident is an event of its own, whatever matching says
      id: 17_lao-cai-group-caught#1
    - action: join_events           # these incidents tell one event
      ids: [16_bat-xat-trail-crossing#1, 18_lao-cai-wire-brief#1]

Added incidents get ids ``<article>#c<k>`` and added routes ``<article>/c<k>``
(``k`` counts the items of that action in the file), unless an ``id`` is
given; so applying the same file twice gives the same tables.

:func:`load_corrections` checks the whole file and reports every problem with
its file and line; :func:`apply_corrections` applies it to an
:class:`~geomap.extract.Extraction`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap._errors import InputError, InputNotFoundError, located
from geomap.records import INCIDENT_TYPES, LOCATION_PRECISIONS, STOP_ROLES, Mention

if TYPE_CHECKING:
    from geomap.extract import Extraction

__all__ = [
    "ACTIONS",
    "Correction",
    "Corrections",
    "CorrectionsError",
    "CorrectionsReport",
    "StreamedCorrections",
    "apply_corrections",
    "apply_mention_corrections",
    "load_corrections",
]

_DATE_FIELDS = ("date", "date_start", "date_end")
_INCIDENT_FIELDS = (
    "type",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "date",
    "date_start",
    "date_end",
    "date_precision",
    "date_text",
    "place",
    "location_precision",
    "actors",
    "sentence",
)

#: Each action with its required and optional fields.
ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "drop_mention": (("article",), ("start", "end", "text", "note")),
    "fix_mention": (("article", "place"), ("start", "end", "text", "note")),
    "drop_incident": (("id",), ("note",)),
    "fix_incident": (("id",), _INCIDENT_FIELDS + ("note",)),
    "add_incident": (("article", "type"), _INCIDENT_FIELDS + ("id", "note")),
    "drop_route": (("id",), ("note",)),
    "add_route": (("article", "stops"), ("id", "sentence", "note")),
    "replace_route": (("id", "stops"), ("article", "sentence", "note")),
    "split_event": (("id",), ("note",)),
    "join_events": (("ids",), ("note",)),
}
_EVENT_ACTIONS = ("split_event", "join_events")
_DATE_PRECISIONS = ("day", "month", "year", "range", "since")


class CorrectionsError(InputError):
    """The corrections file has problems; ``problems`` lists every one, each ``path:line: ...``."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Correction:
    """One item of a corrections file."""

    action: str
    line: int
    values: dict = field(default_factory=dict)
    number: int = 0  # 1-based count of items with this action, for stable ids
    index: int = 0  # 0-based position among the file's items: which ones matched something


@dataclass(frozen=True, slots=True)
class Corrections:
    """A checked corrections file."""

    path: str
    items: tuple[Correction, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def for_article(self, article_id: str) -> tuple[Correction, ...]:
        """The mention corrections of one article."""
        return tuple(
            c for c in self.items if c.action in ("drop_mention", "fix_mention") and c.values.get("article") == article_id
        )


@dataclass(frozen=True, slots=True)
class CorrectionsReport:
    """What a corrections file did in a run: how many items applied, and those that matched nothing."""

    path: str
    applied: int = 0
    unmatched: tuple[str, ...] = ()  # each ``path:line: action ...: matched nothing``


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


def _construct(node: Any) -> Any:
    import yaml

    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


_MAX_BYTES = 16 << 20  # a corrections file is written by hand: 16 MB is thousands of pages
_BIGGEST = 1e15  # counts above this are typing slips, and lose precision as floats
_BIGGEST_OFFSET = 2**31


def _shown(value: Any) -> str:
    """``value`` for a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_corrections(path: str | Path, *, gazetteer: Any = None) -> Corrections:
    """Read and check a corrections file.

    Parameters
    ----------
    path
        The YAML file (format in the module docstring).
    gazetteer
        When given, place ids are checked against it too.

    Returns
    -------
    Corrections

    Raises
    ------
    InputNotFoundError
        The file does not exist.
    CorrectionsError
        Anything wrong in it; the message names the first problem as
        ``path:line: what: 'value'`` and ``.problems`` holds every one.
        YAML aliases are refused (never expanded), and so are nesting
        deeper than 64 levels, a file over 16 MB and one that is not a
        regular file (a FIFO, a device).
    """
    import yaml

    from geomap._input import Unreadable, compose_yaml, read_limited, yaml_problem

    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(located(path, None, "corrections file not found"))
    try:
        text = read_limited(path, _MAX_BYTES).decode("utf-8")  # a regular file only: a FIFO or a device never blocks
    except Unreadable as exc:
        raise CorrectionsError(located(path, None, exc.reason)) from None
    except UnicodeDecodeError as exc:
        raise CorrectionsError(located(path, None, f"not UTF-8 text: {exc.reason}")) from exc
    try:
        root = compose_yaml(text)
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        message = located(path, line, f"not valid YAML: {problem}")
        raise CorrectionsError(message, (message,)) from None
    if root is None:
        return Corrections(str(path))
    if isinstance(root, yaml.MappingNode):
        inner = [v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "corrections"]
        if not inner:
            raise CorrectionsError(located(path, root.start_mark.line + 1, "expected a list of corrections (or 'corrections:')"))
        root = inner[0]
    if not isinstance(root, yaml.SequenceNode):
        raise CorrectionsError(located(path, root.start_mark.line + 1, "expected a list of corrections"))

    problems: list[str] = []
    items: list[Correction] = []
    numbers: dict[str, int] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(located(path, line, "each correction must be a mapping with an 'action'"))
            continue
        lines: dict[str, int] = {}
        values: dict[str, Any] = {}
        broken = False
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(located(path, key_node.start_mark.line + 1, "a field name must be a plain word"))
                broken = True
                continue
            key = str(key_node.value)
            lines[key] = value_node.start_mark.line + 1
            try:
                values[key] = _construct(value_node)
            except (ValueError, OverflowError, yaml.YAMLError):
                # YAML reads 2024-13-01 as a timestamp and fails on it
                what = "not a date (YYYY-MM-DD)" if key in _DATE_FIELDS else "not a valid value"
                shown = value_node.value if isinstance(value_node, yaml.ScalarNode) else value_node.tag
                problems.append(located(path, lines[key], f"{what}: {_shown(shown)}"))
                broken = True
        action = values.get("action")
        if not isinstance(action, str) or action not in ACTIONS:
            problems.append(located(path, lines.get("action", line), f"unknown action: {_shown(action)}"))
            continue
        values = {k: v for k, v in values.items() if k != "action"}
        before = len(problems)
        _check(values, action, path, line, lines, problems, gazetteer)
        if len(problems) == before and not broken:
            numbers[action] = numbers.get(action, 0) + 1
            items.append(Correction(action, line, values, numbers[action], len(items)))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CorrectionsError(problems[0] + more, problems)
    return Corrections(str(path), tuple(items))


def _check(
    values: dict,
    action: str,
    path: Path,
    line: int,
    lines: dict[str, int],
    problems: list[str],
    gazetteer: Any,
) -> None:
    required, optional = ACTIONS[action]

    def bad(key: str, message: str, value: Any = None) -> None:
        shown = f": {_shown(value)}" if value is not None else ""
        problems.append(located(path, lines.get(key, line), f"{action}: {message}{shown}"))

    def number(value: Any) -> bool:
        return not isinstance(value, bool) and isinstance(value, (int, float)) and abs(value) < _BIGGEST

    for key in required:
        if values.get(key) in (None, ""):
            bad(key, f"'{key}' is required")
    for key in values:
        if key not in required and key not in optional:
            bad(key, "unknown field", key)
    if action in ("drop_mention", "fix_mention") and "start" not in values and "text" not in values:
        bad("article", "give 'start' (and 'end') or 'text' to say which mention")
    for key in ("start", "end", "location_precision"):
        if key not in values:
            continue
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _BIGGEST_OFFSET:
            bad(key, f"'{key}' must be a whole number, 0 or more", value)
        elif key == "location_precision" and value not in LOCATION_PRECISIONS:
            bad("location_precision", "must be one of 1-6", value)
    for key in ("value", "value_max"):
        if key not in values:
            continue
        if isinstance(values[key], bool) or not isinstance(values[key], (int, float)):
            bad(key, f"'{key}' must be a number", values[key])
        elif not (number(values[key]) and values[key] == values[key]):
            bad(key, f"'{key}' must be a finite number below {_BIGGEST:,.0f}", values[key])
    if "type" in values and (not isinstance(values["type"], str) or values["type"] not in INCIDENT_TYPES):
        bad("type", "unknown incident type", values["type"])
    if "date_precision" in values and (
        not isinstance(values["date_precision"], str) or values["date_precision"] not in _DATE_PRECISIONS
    ):
        bad("date_precision", "unknown date precision", values["date_precision"])
    for key in _DATE_FIELDS:
        if key in values:
            parsed = _as_date(values[key])
            if parsed is None:
                bad(key, "not a date (YYYY-MM-DD)", values[key])
            else:
                values[key] = parsed
    for key in ("article", "id", "text", "unit", "qualifier", "sentence", "place", "date_text"):
        value = values.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (not isinstance(value, str) and not number(value)):
            bad(key, f"'{key}' must be text", value)
            values[key] = None
        else:
            values[key] = str(value)
    if "actors" in values:
        actors = values["actors"]
        if not isinstance(actors, str) and not (isinstance(actors, list) and all(isinstance(a, str) for a in actors)):
            bad("actors", "'actors' must be text or a list of texts", actors)
    if isinstance(values.get("place"), str) and gazetteer is not None and gazetteer.get(values["place"]) is None:
        bad("place", "unknown place id", values["place"])
    if "ids" in values:
        ids = values["ids"]
        if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, (str, int)) for i in ids):
            bad("ids", "a list of two incident ids or more", ids)
        else:
            values["ids"] = [str(i) for i in ids]
    if "stops" in values:
        stops = values["stops"]
        if not isinstance(stops, list) or len(stops) < 2:
            bad("stops", "a route needs a list of at least two stops")
        else:
            clean = []
            for stop in stops:
                if not isinstance(stop, dict) or not isinstance(stop.get("place"), str):
                    bad("stops", "each stop needs a 'place' id (and a 'role')", stop)
                    continue
                role = stop.get("role", "transit")
                if not isinstance(role, str) or role not in STOP_ROLES:
                    bad("stops", "unknown stop role", role)
                    continue
                place = stop["place"]
                if gazetteer is not None and gazetteer.get(place) is None:
                    bad("stops", "unknown place id", place)
                    continue
                precision = stop.get("precision")
                if precision is not None and (not isinstance(precision, int) or precision not in LOCATION_PRECISIONS):
                    bad("stops", "precision must be one of 1-6", precision)
                    continue
                clean.append({"place": place, "role": role, "precision": precision})
            values["stops"] = clean


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


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
    from geomap.extract import Extraction, _frame, with_events

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
        """One part's mentions, incidents and routes, corrected (frames of :func:`geomap.extract._frame`)."""
        from geomap.extract import _frame

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
        from geomap.extract import _frame

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

    from geomap.extract import _frame, _precision_of

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
    from geomap.extract import _precision_of

    return _precision_of(gazetteer, place_id)


def _replace_headline(row: Any) -> str:
    """The ``counts`` cell with its first item set to the row's value and unit."""
    from geomap.extract import _format_count

    headline = _format_count(row.get("value"), row.get("unit") or "", row.get("qualifier") or "", row.get("value_max"))
    rest = str(row.get("counts") or "").split(";")[1:]
    return ";".join([headline] + [r for r in rest if r])
