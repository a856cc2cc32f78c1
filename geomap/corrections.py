"""The corrections file: what an analyst changes in the extracted tables, read and checked.

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
its file and line; :mod:`geomap.review` applies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._errors import InputError, InputNotFoundError, located
from geomap.records import INCIDENT_TYPES, LOCATION_PRECISIONS, STOP_ROLES

__all__ = ["ACTIONS", "Correction", "Corrections", "CorrectionsError", "CorrectionsReport", "load_corrections"]

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
