"""A sentence cut into clauses, the clauses gathered around their cues with their counts, and their dates.

Also where paragraphs start: a sentence that names no place or date takes
them from the sentences before it in its paragraph.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geomap import lang
from geomap.cues import _TOPIC_BEFORE, CUES, _Cue
from geomap.records import Count, DateSpan

# -- sentences: clauses and paragraphs (sentence spans: geomap.text.sentences) ----


def _incident_words(name: str) -> list[str]:
    """The words of part ``name`` of ``incidents`` in every language file, English first (see ``docs/TAXONOMY.md``)."""
    return [w for _, part in lang.merged("incidents") for w in part.get(name, ())]


def _clause_pattern(words: Sequence[str]) -> str:
    r"""``;|:|,|\bwhile\b|...|，|、|；|：``, each word's branch opening with a literal and the word
    boundary before it checked after it (``w(?<!\w.)hile\b``), so the engine scans for ``;:,wm`` in C."""
    for word in words:
        if not (word[:1].isascii() and word[:1].isalpha()):
            raise ValueError(f"incidents.clause_words: {word!r} does not open with a letter")
    return "|".join([";", ":", ",", *(w[0] + r"(?<!\w.)" + w[1:] + r"\b" for w in words), "，", "、", "；", "："])


_CLAUSE_RE = re.compile(_clause_pattern(_incident_words("clause_words")))
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _any_in(starts: Sequence[int], lo: int, hi: int) -> bool:
    i = bisect.bisect_left(starts, lo)
    return i < len(starts) and starts[i] < hi


def _between(items: Sequence[Any], keys: Sequence[int], lo: int, hi: int) -> list[Any]:
    return list(items[bisect.bisect_left(keys, lo) : bisect.bisect_left(keys, hi)])


@dataclass(slots=True)
class _Group:
    type: str
    start: int
    end: int
    counts: list[Count]
    cue: int  # where its cue starts
    cue_end: int


_RANK = {kind: rank for rank, kind in enumerate(CUES)}
# a meeting in a clause is what the clause reports, unless it is an outreach
# meeting (public awareness) or an event type more specific than a meeting
_RANK["cooperation"] = _RANK["public_awareness"] + 0.5


def _groups(
    folded: str, lo: int, hi: int, counts: Sequence[Count], cues: Sequence[_Cue], topic_before: re.Pattern = _TOPIC_BEFORE
) -> list[_Group]:
    """Cut a sentence into clauses and gather them around their cues.

    A clause with a cue opens an incident of that cue's type (of the most
    specific one if it holds several) or joins the open one of that type; a
    clause without a cue joins the incident before it, unless it follows a
    ``;`` and states a figure, which then is an incident of type ``other``.
    """
    cues = [c for c in cues if not _is_topic(folded, lo, c, topic_before)]
    if not cues:
        return []
    cuts = [lo] + [m.end() for m in _CLAUSE_RE.finditer(folded, lo, hi)] + [hi]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    groups: list[_Group] = []
    # the cues are in text order (and start in [lo, hi)): those of each clause are the next ones
    next_cue = 0
    for a, b in clauses:
        first = next_cue
        while next_cue < len(cues) and cues[next_cue].start < b:
            next_cue += 1
        inside = cues[first:next_cue]
        strong = a > lo and folded[a - 1] == ";"
        if inside:
            primary = inside[0] if len(inside) == 1 else min(inside, key=lambda c: (_RANK.get(c.type, 99), c.start))
            current = next((g for g in groups if g.type == primary.type), None)
            if current is None:
                current = _Group(primary.type, a, b, [], primary.start, primary.end)
                groups.append(current)
            else:
                current.end = b
            target: _Group | None = current
        elif groups and not strong:
            target = groups[-1]
            target.end = b
        elif strong and any(c.start is not None and a <= c.start < b for c in counts):
            target = _Group("other", a, b, [], a, a)
            groups.append(target)
        else:
            target = None
        if target is not None and counts:
            target.counts.extend(c for c in counts if c.start is not None and a <= c.start < b)
    # counts before the first clause with a cue go to the first group
    if groups and counts:
        first = groups[0]
        early = [c for c in counts if c.start is not None and c.start < first.start]
        first.counts[:0] = early
    return groups


def _is_topic(folded: str, lo: int, cue: _Cue, topic_before: re.Pattern = _TOPIC_BEFORE) -> bool:
    """A cue right after "preventing", "combating"... names a topic, not an event."""
    window = folded[max(lo, cue.start - 40) : cue.start]
    return topic_before.search(window) is not None


def _paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in _PARAGRAPH_BREAK.finditer(text):
        starts.append(m.end())
    return starts


def _paragraph_of(paragraphs: Sequence[int], pos: int) -> int:
    """Where the paragraph holding ``pos`` starts (``paragraphs`` sorted, from 0)."""
    return paragraphs[max(0, bisect.bisect_right(paragraphs, pos) - 1)]


_REPORTED_ON = re.compile(r"\b(?:" + "|".join(_incident_words("reported_on")) + r")(?: on| in| last)?\s*$")


def _untold(dates: Sequence[DateSpan], folded: str) -> Sequence[DateSpan]:
    """``dates`` less those a statement was made on ("said on Sunday"), unless that leaves none."""
    if not folded or not dates:
        return dates
    told = [d for d in dates if _REPORTED_ON.search(folded, max(0, d.begin - 20), d.begin)]
    if told and len(told) < len(dates):
        return [d for d in dates if d not in told]
    return dates


def _date_for(
    dates: Sequence[DateSpan], group: _Group, ref: DateSpan | None, folded: str = "", lo: int = 0
) -> DateSpan | None:
    """The date of a clause group, else of its sentence, else the publication month (flagged: no text).

    The date a statement was made ("said on Sunday") gives way to the date of
    what it reports.
    """
    if folded:
        dates = _untold(dates, folded)
    upto = [d for d in dates if d.begin is not None and lo <= d.begin < group.end]
    if upto:
        return upto[0]
    if dates:
        return dates[0]
    if ref is None or ref.start is None:
        return None
    day = ref.start
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return DateSpan(first, following - dt.timedelta(days=1), "month", "")
