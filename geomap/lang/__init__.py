"""Language resources: the words geomap reads reports by, one data file a language.

Each ``geomap/lang/<code>.yaml`` holds a language's cue patterns, number
words, units, qualifiers, date words, agencies, nationalities and route
words (schema in ``docs/TAXONOMY.md``, "Language resources").  They are
read once, checked, and merged: the extraction steps match every language's
words in one pass, so a report that mixes languages needs nothing special.
English comes first, then the others in the order of their codes.

:func:`resources` gives one language's table, :func:`merged` one part of
every language's table in that order.  A broken file raises
:class:`LanguageResourceError` naming the file and the key at fault.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from geomap._errors import InputError

__all__ = ["LanguageResourceError", "languages", "merged", "resources"]

_FOLDER = Path(__file__).resolve().parent

# Each part of a file and the shape it must have: "patterns" a list of regexes,
# "words" a list of strings, "map" a mapping of strings to strings or numbers,
# "groups" a mapping of strings to lists of strings (or regexes: "group_patterns").
_SCHEMA: dict[str, str] = {
    "language": "map",
    "cues": "group_patterns",
    "meeting": "patterns",
    "modal": "patterns",
    "topic_before": "patterns",
    "event_verbs": "patterns",
    "agencies": "patterns",
    "agency_names": "map",
    "agency_patterns": "patterns",
    "nationality_patterns": "patterns",
    "nationalities": "map",
    "abbreviations": "words",
    "numbers": "sections",
    "qualifiers": "groups",
    "units": "groups",
    "months": "map",
    "month_abbreviations": "map",
    "weekdays": "map",
    "function_words": "words",
    "dates": "sections",
    "routes": "group_patterns",
    "places": "sections",
    "incidents": "sections",
    "pages": "sections",
}
_QUALIFIER_KINDS = frozenset({"over", "about", "under"})


class LanguageResourceError(InputError):
    """A language data file is broken."""


def languages() -> tuple[str, ...]:
    """Codes of the languages geomap reads, English first: one data file each."""
    codes = sorted(p.stem for p in _FOLDER.glob("*.yaml"))
    return tuple(sorted(codes, key=lambda c: (c != "en", c)))


@functools.lru_cache(maxsize=None)
def resources(code: str) -> dict[str, Any]:
    """The checked resources of one language (``"en"``, ``"vi"``, ``"zh"``...)."""
    import yaml

    path = _FOLDER / f"{code}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{path}: no such language file: {code!r}"
        raise LanguageResourceError(msg) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        msg = f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"
        raise LanguageResourceError(msg) from None
    problems = _check(data, code)
    if problems:
        msg = f"{path}: " + "; ".join(problems)
        raise LanguageResourceError(msg)
    return data


def merged(part: str, *, codes: tuple[str, ...] | None = None) -> list[tuple[str, Any]]:
    """``(language, value)`` of one part of every language's file that has it, English first."""
    return [(code, resources(code)[part]) for code in (codes or languages()) if part in resources(code)]


def _check(data: Any, code: str) -> list[str]:
    """Every problem of a language file, each naming the key at fault."""
    if not isinstance(data, dict):
        return ["the file must be a mapping of parts"]
    problems: list[str] = []
    for key, value in data.items():
        shape = _SCHEMA.get(key)
        if shape is None:
            problems.append(f"unknown part {key!r} (known: {', '.join(sorted(_SCHEMA))})")
            continue
        problems.extend(_check_part(key, shape, value))
    language = data.get("language")
    if not isinstance(language, dict) or language.get("code") != code:
        problems.append(f"language.code must be {code!r}")
    from geomap.records import INCIDENT_TYPES

    for kind in data.get("cues") or {}:
        if kind not in INCIDENT_TYPES:
            problems.append(f"cues: unknown incident type {kind!r}")
    for kind in data.get("qualifiers") or {}:
        if kind not in _QUALIFIER_KINDS:
            problems.append(f"qualifiers: unknown qualifier {kind!r} (known: over, about, under)")
    return problems


def _check_part(key: str, shape: str, value: Any) -> list[str]:
    problems: list[str] = []
    if shape in ("patterns", "words"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return [f"{key}: must be a list of non-empty strings (quote words YAML reads otherwise: 'no', 'on')"]
        if shape == "patterns":
            problems.extend(_bad_regex(key, v) for v in value)
    elif shape == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return [f"{key}: must be a mapping with string keys"]
    elif shape in ("groups", "group_patterns"):
        if not isinstance(value, dict):
            return [f"{key}: must be a mapping of lists"]
        for name, items in value.items():
            if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
                problems.append(f"{key}.{name}: must be a list of non-empty strings")
            elif shape == "group_patterns":
                problems.extend(_bad_regex(f"{key}.{name}", v) for v in items)
    elif shape == "sections" and not isinstance(value, dict):
        return [f"{key}: must be a mapping"]
    return [p for p in problems if p]


def _bad_regex(key: str, pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"{key}: bad pattern {pattern!r}: {exc}"
    return ""
