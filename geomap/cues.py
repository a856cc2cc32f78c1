"""The taxonomy's cues: which words of a sentence name an incident type, and the rules that judge them.

:data:`CUES` holds every incident type's cue patterns over folded text (lower
case, no accents), from every ``geomap/lang/*.yaml`` (schema in
``docs/TAXONOMY.md``); :func:`_rules` the patterns that judge a cue (a meeting
that took place, a modal "need to", a topic, an event verb) in some languages.
:func:`_cues` and :func:`_meetings` find them in an article, a literal
automaton first so that each pattern runs only where it can match.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geomap import lang
from geomap._regex import clue_size as _clue_size  # noqa: F401  (the tests read it here)
from geomap._regex import prefixes as _prefixes
from geomap._regex import required as _required

__all__ = ["CUES"]

# -- the taxonomy: cue patterns over folded (lower-case, unaccented) text ------

def _cue_table() -> dict[str, tuple[str, ...]]:
    """Every language's cue patterns by type; the types in English's order (their specificity)."""
    table: dict[str, list[str]] = {}
    for _, cues in lang.merged("cues"):
        for kind, patterns in cues.items():
            table.setdefault(kind, []).extend(patterns)
    return {kind: tuple(patterns) for kind, patterns in table.items()}


def _alternatives(part: str, codes: tuple[str, ...] | None = None) -> str:
    """One part's patterns of the languages ``codes`` (all when ``None``), as alternatives: Latin-script
    ones between word boundaries, those of a script without spaces (Chinese) as they are."""
    patterns = [p for _, ps in lang.merged(part, codes=codes) for p in ps]
    latin = [p for p in patterns if not _CJK_START.match(p)]
    cjk = [p for p in patterns if _CJK_START.match(p)]
    pattern = r"\b(?:" + "|".join(latin) + r")\b"
    return pattern + ("|(?:" + "|".join(cjk) + ")" if cjk else "")


# A pattern of a script written without spaces: it opens with such a character, after any
# "(?:" and look-arounds ("(?<!模)拟").
_CJK_START = re.compile(r"(?:\(\?:|\(\?<?[!=][^()]*\))*[\u2e80-\u9fff\uf900-\ufaff]")

#: Cue patterns of each incident type, over folded text, from every ``geomap/lang/*.yaml``.
CUES: dict[str, tuple[str, ...]] = _cue_table()


@dataclass(frozen=True)
class _Rules:
    """The patterns that judge a cue, of some languages: an English report is read with English ones only."""

    meeting: re.Pattern  # a meeting, talks or a signing that took place
    modal: re.Pattern  # what should happen, not what did
    topic_before: re.Pattern  # a cue right after these names a topic ("cooperation in preventing illegal entry")
    event_verb: re.Pattern  # something happened


# Words (folded) that may stand between a topic word and its cue ("preventing the illegal entry").
_TOPIC_JOINS = [w for _, part in lang.merged("incidents") for w in part.get("topic_joins", ())]


@functools.lru_cache(maxsize=None)
def _rules(codes: tuple[str, ...] | None = None) -> _Rules:
    topics = [p for _, ps in lang.merged("topic_before", codes=codes) for p in ps]
    topic_before = (
        r"\b(?:" + "|".join(p for p in topics if not _CJK_START.match(p)) + ")"
        r"(?: and [\w-]+)?(?: (?:" + "|".join(_TOPIC_JOINS) + "))* $"
        + "".join("|(?:" + p + ")$" for p in topics if _CJK_START.match(p))
    )
    return _Rules(
        re.compile(_alternatives("meeting", codes)),
        re.compile(_alternatives("modal", codes)),
        re.compile(topic_before),
        re.compile(_alternatives("event_verbs", codes)),
    )


def _codes(language: str | None) -> tuple[str, ...] | None:
    """The languages whose rules read a report in ``language``: English's and its own; all when unknown."""
    if language == "en":
        return ("en",)
    if language in lang.languages():
        return ("en", language)  # type: ignore[return-value]
    return None


_COOPERATION_EVENT = _rules().meeting
_MODAL = _rules().modal
_TOPIC_BEFORE = _rules().topic_before
_EVENT_VERB = _rules().event_verb


# -- the cue matcher -------------------------------------------------------------


# One regex a cue, without a leading \b: the word boundary before it is checked
# by hand.  Each goes with the literals one of which a text must contain for it
# to match, and, when every match starts with one of a few literals, those.
_CUE_PATTERNS = tuple(
    (kind, rank, re.compile(pattern), _required(pattern), _prefixes(pattern))
    for rank, (kind, patterns) in enumerate(CUES.items())
    for pattern in patterns
)


@dataclass(frozen=True, slots=True)
class _Cue:
    type: str
    start: int
    end: int


def _literal_finder() -> Any:
    """One Aho–Corasick automaton over every cue pattern's required literals and prefixes."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    literals = {lit for *_, needs, starts in _CUE_PATTERNS for lit in (needs or ()) + (starts or ())}
    for codes in _CODE_SETS:
        literals |= set(_required(_rules(codes).meeting.pattern) or ())
    for literal in sorted(literals):
        automaton.add_word(literal, literal)
    automaton.make_automaton()
    return automaton


_COOPERATION_NEEDS = _required(_COOPERATION_EVENT.pattern)
_STRETCH_END = re.compile(r"[.;]")
_CODE_SETS = (None, *(_codes(code) for code in lang.languages()))
_MEETING_NEEDS = {codes: _required(_rules(codes).meeting.pattern) for codes in _CODE_SETS}
_CUE_LITERALS = _literal_finder()


def _meetings(folded: str, literals: Sequence[tuple[int, str]], codes: tuple[str, ...] | None = None) -> list[_Cue]:
    """Every meeting, talk or signing (``_COOPERATION_EVENT``) in the article.

    No match of that regex holds a "." or a ";", so it runs only on the
    stretches between them that hold one of its literals (``literals``: the
    ``(end, literal)`` hits of ``_CUE_LITERALS``): the same matches as a
    run over the whole text.
    """
    meeting, needs = _rules(codes).meeting, _MEETING_NEEDS[codes]
    if needs is None:
        return [_Cue("cooperation", m.start(), m.end()) for m in meeting.finditer(folded)]
    stretches: dict[tuple[int, int], None] = {}
    size = len(folded)
    stops: list[int] | None = None  # where a "." or ";" stands, found once (not searched again for each hit)
    for end, literal in literals:
        if literal not in needs:
            continue
        if stops is None:
            stops = [m.start() for m in _STRETCH_END.finditer(folded)]
        at = end + 1 - len(literal)
        i = bisect.bisect_left(stops, at)
        stretches[(stops[i - 1] + 1 if i else 0, stops[i] if i < len(stops) else size)] = None
    return [
        _Cue("cooperation", m.start(), m.end())
        for lo, hi in sorted(stretches)
        for m in meeting.finditer(folded, lo, hi)
    ]


def _cues(folded: str, literals: Sequence[tuple[int, str]]) -> list[_Cue]:
    """Every cue in the article; where two overlap the more specific type (earlier in CUES) wins.

    ``literals`` are the ``(end, literal)`` hits of ``_CUE_LITERALS`` in the text.
    """
    present: set[str] = set()
    starts_of: dict[str, list[int]] = {}
    for end, literal in literals:
        if literal not in present:
            present.add(literal)
            starts_of[literal] = []
        starts_of[literal].append(end + 1 - len(literal))
    hits: list[tuple[int, int, int, str]] = []
    for kind, rank, pattern, needs, prefixes in _CUE_PATTERNS:
        if needs is not None and present.isdisjoint(needs):
            continue
        if prefixes is None:
            found = pattern.finditer(folded)
        else:  # a match starts at a prefix: try there only, leftmost first, without overlaps
            at = sorted({i for p in prefixes if p in present for i in starts_of[p]})
            found = []
            taken_to = -1
            for i in at:
                if i < taken_to:
                    continue
                m = pattern.match(folded, i)
                if m is not None:
                    found.append(m)
                    taken_to = max(m.end(), i + 1)
        for m in found:
            start = m.start()
            if start and folded[start - 1].isalnum() and folded[start] < "\u2e80":
                continue  # inside a word (Chinese, written without spaces, has no word boundaries)
            hits.append((start, rank, -m.end(), kind))
    return [_Cue(kind, start, -neg_end) for start, _, neg_end, kind in _most_specific(hits)]


def _most_specific(hits: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Cue hits ``(start, rank, -end, type)`` without overlaps: where two overlap the lower rank wins."""
    hits.sort()
    kept: list[tuple[int, int, int, str]] = []
    for hit in hits:
        if kept and hit[0] < -kept[-1][2]:
            if hit[1] < kept[-1][1]:
                kept[-1] = hit
            continue
        kept.append(hit)
    return kept
