"""Finding dates in running text: anchor words, the windows around them, and the patterns run there.

Every date names a month, a year, a weekday or a period word: one cheap
scan finds those anchor words, and each pattern of
:mod:`geomap.text.date_patterns` runs only in the windows around the anchors
of the kind it is built on, and only where the literals it cannot do
without are present.  Of overlapping matches the longest wins.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from geomap import lang
from geomap.records import DateSpan
from geomap.text.date_forms import _Handler, MONTHS, _WEEKDAY
from geomap.text.date_patterns import (
    _DAY_HANDLERS,
    _NEED_REF,
    _PATTERNS,
    _RANGE_HANDLERS,
    _REQUIRES,
    _STRICT_PATTERNS,
)

__all__: list[str] = []

_PRE_BEFORE = re.compile(r"\b(from|between)\s+\Z", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"(?<!\w){_WEEKDAY.removesuffix('?')}\Z")


# Every date names a month, a year, a weekday or a period word: the patterns
# run only in windows around these anchors, and only those that need an
# anchor kind present in the window.
# One cheap scan finds the candidate words; they are classified in Python.
# The scan finds, in this order of preference at one place: a capitalised
# word ("[A-Z]\w+"), a numeric date ("(?<![\d.,])\d{1,2}[/.-]\d{1,2}[/.-]
# (?:19|20)\d\d"), a year ("(?<![\d.,])(?:19|20)\d\d(?!\d)"), a period word
# ("\b(?:years?|months?|weeks?|days?|quarter|half|present)\b") and "ngày",
# "tháng", "năm".  It is written to start with one character class, so the
# regex engine skips ahead to a possible first character fast; the checks
# before that character are look-behinds placed after it.  The first
# character decides which of those can match, so their order here only
# keeps the numeric date before the year; the period words and Vietnamese
# words come first and name their second character before any look-behind,
# which lets the engine drop them at once for most lower-case letters.
_ANCHORS = re.compile(
    r"[A-Z\dymwdqhpnt]"
    r"(?:e(?<=ye)(?<!\w..)ars?\b|e(?<=we)(?<!\w..)eks?\b|o(?<=mo)(?<!\w..)nths?\b|a(?<=da)(?<!\w..)ys?\b"
    r"|u(?<=qu)(?<!\w..)arter\b|a(?<=ha)(?<!\w..)lf\b|r(?<=pr)(?<!\w..)esent\b"
    r"|g(?<=ng)ày|ă(?<=nă)m|h(?<=th)áng"
    r"|(?<=[A-Z])\w+"
    r"|(?<=\d)(?<![\d.,]\d)(?:\d?[/.-]\d{1,2}[/.-](?:19|20)\d\d|(?:(?<=1)9|(?<=2)0)\d\d(?!\d)))"
)
_KEYWORDS = {"year", "years", "month", "months", "week", "weeks", "day", "days", "quarter", "half", "present"}
# The first word of a weekday's name, as written in running text: "Monday", "Thứ" (Thứ Hai), "Chủ" (Chủ nhật)
_WEEKDAY_WORDS = {name.split()[0].capitalize() for _, weekdays in lang.merged("weekdays") for name in weekdays}
# The longest stretch before an anchor word: "from the very beginning of " (27);
# after the last one: " to the present" (15).  A little margin on each.
_BEFORE_ANCHOR = 36
_AFTER_ANCHOR = 24
# Anchor kinds as bits, so a window's kinds are one int: "kw" and "year"
# anchors also let the "kwyear" patterns run.
_KIND_BITS = {"month": 1, "numdate": 2, "year": 4, "kw": 8, "kwyear": 16, "weekday": 32, "vi": 64}
_ALL_KINDS = sum(_KIND_BITS.values())
_WINDOW_BITS = {
    kind: bit | (_KIND_BITS["kwyear"] if kind in ("kw", "year") else 0) for kind, bit in _KIND_BITS.items()
}


def _run_list(
    patterns: tuple[tuple[re.Pattern, _Handler, str], ...], *, strict: bool
) -> tuple[tuple[int, re.Pattern, _Handler, int, bool, int, bool, tuple | None], ...]:
    """Each pattern with what _collect needs of it, worked out once: its order,
    the bit of the anchor kind it needs, whether it has a "t" (the date proper)
    group, what may stand before a match (1: "from"/"between", 2: a weekday),
    whether its handler needs a reference date, and the literals it needs
    (_REQUIRES; for the case-sensitive patterns of running text only: the
    literals of the case-sensitive ones are matched as they are written)."""
    return tuple(
        (
            order,
            pattern,
            handler,
            _KIND_BITS[need],
            "t" in pattern.groupindex,
            1 if handler in _RANGE_HANDLERS else 2 if handler in _DAY_HANDLERS else 0,
            handler in _NEED_REF,
            _REQUIRES.get((handler, need)) if strict else None,
        )
        for order, (pattern, handler, need) in enumerate(patterns)
    )


_RUN = _run_list(_PATTERNS, strict=False)
_STRICT_RUN = _run_list(_STRICT_PATTERNS, strict=True)
for _order, _pattern, _handler, _, _, _, _, _requires in _STRICT_RUN:
    # a case-sensitive requirement needs a case-sensitive pattern, and the other way round
    assert not _requires or all(
        insensitive == bool(_pattern.flags & re.IGNORECASE) for _, insensitive in _requires
    ), _order


def _holds(text: str, window: list, requires: tuple[tuple[tuple[str, ...], bool], ...]) -> bool:
    """Whether ``window`` (``[lo, hi, kinds]``) holds a literal of every group.

    The window keeps its text, lower-cased text and the answer for each group
    (several patterns share a group) once worked out.
    """
    if len(window) == 3:
        seg = text[window[0] : window[1]]
        # ASCII only: (?i) matches "ſ" to "s", "K" (Kelvin) to "k", "ı"/"İ" to "i", which lower() does not
        window += (seg, seg.lower() if seg.isascii() else None, {})
    answers = window[5]
    for group in requires:
        ok = answers.get(id(group))
        if ok is None:
            literals, insensitive = group
            hay = window[4] if insensitive else window[3]
            ok = True
            if hay is not None:
                for lit in literals:
                    if lit in hay:
                        break
                else:
                    ok = False
            answers[id(group)] = ok
        if not ok:
            return False
    return True


def _anchor_kind(word: str) -> str | None:
    first = word[0]
    if first.isdigit():
        return "year" if len(word) == 4 else "numdate"
    if first.isupper():
        if word.lower() in MONTHS:
            return "month"
        if word in _WEEKDAY_WORDS:
            return "weekday"
        if len(word) == 2 and first == "Q" and word[1] in "1234":
            return "kw"
        low = word.lower()
        if low in _KEYWORDS:
            return "kw"
        return "vi" if low in ("ngày", "tháng", "năm") else None
    if word in ("ngày", "tháng", "năm"):
        return "vi"
    return "kw"


# The window bits of each anchor word seen (0: no anchor): most anchor words
# are capitalised names that recur from sentence to sentence.
@functools.lru_cache(maxsize=20_000)
def _word_bits(word: str) -> int:
    kind = _anchor_kind(word)
    return _WINDOW_BITS[kind] if kind is not None else 0


def _windows(text: str, start: int, end: int) -> list[list[int]]:
    """Stretches ``[lo, hi, kinds]`` of ``text`` around the words a date could be built on.

    Every date names a month, a year, a weekday or a period word: the
    patterns run only in these windows, and only those that need a kind of
    word the window holds (``kinds``: bits of :data:`_KIND_BITS`).
    """
    windows: list[list[int]] = []
    last: list[int] | None = None
    for m in _ANCHORS.finditer(text, start, end):
        bits = _word_bits(m.group())
        if not bits:
            continue
        a, b = m.span()
        lo = a - _BEFORE_ANCHOR
        if lo < start:
            lo = start
        hi = b + _AFTER_ANCHOR
        if hi > end:
            hi = end
        if last is not None and lo <= last[1]:
            last[1] = hi
            last[2] |= bits
        else:
            last = [lo, hi, bits]
            windows.append(last)
    return windows


def _collect(text: str, start: int, end: int, ref: dt.date | None, strict: bool) -> list[tuple[int, int, DateSpan]]:
    found: list[tuple[int, int, int, DateSpan]] = []
    if strict:
        windows = _windows(text, start, end)
        patterns = _STRICT_RUN
    else:  # one short date string (parse_date): every pattern, any case
        windows = [[start, end, _ALL_KINDS]]
        patterns = _RUN
    if not windows:
        return []
    needed = 0
    for window in windows:
        needed |= window[2]
    for order, pattern, handler, need, has_t, before_kind, need_ref, requires in patterns:
        if not need & needed:
            continue  # no window holds the kind of word this pattern is built on
        if need_ref and ref is None:
            continue  # its handler would turn every match down
        for window in windows:
            if not need & window[2]:
                continue
            if requires is not None and not _holds(text, window, requires):
                continue  # a literal every match of it has is missing
            for m in pattern.finditer(text, window[0], window[1]):
                begin, stop = m.span("t") if has_t and m["t"] else m.span()
                pre = ""
                if before_kind == 1:  # a range: "from"/"between" before it
                    before = _PRE_BEFORE.search(text, max(start, begin - 10), begin)
                    if before is not None:
                        pre, begin = before.group(1), before.start()
                elif before_kind == 2:  # a day: a weekday before it
                    before = _WEEKDAY_BEFORE.search(text, max(start, begin - 16), begin)
                    if before is not None:
                        begin = before.start()
                try:
                    result = handler(m, ref, strict, pre)
                except (ValueError, OverflowError):  # a period reaching past year 1 or 9999
                    result = None
                if result is None:
                    continue
                a, b, precision = result
                found.append((begin, stop, order, DateSpan(a, b, precision, text[begin:stop], begin, stop)))
    if not found:
        return []
    # Longest match wins; ties go to the earlier pattern.
    if len(found) > 1:
        found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    # Overlaps are checked on a mask of the stretch the matches cover: time linear in
    # the text, however many dates one long sentence holds.
    taken: list[tuple[int, int, DateSpan]] = []
    base = min(f[0] for f in found)
    covered = bytearray(max(f[1] for f in found) - base)
    for begin, stop, _, span in found:
        if covered.find(1, begin - base, stop - base) == -1:
            covered[begin - base : stop - base] = b"\x01" * (stop - begin)
            taken.append((begin, stop, span))
    taken.sort(key=lambda t: t[0])
    return taken
