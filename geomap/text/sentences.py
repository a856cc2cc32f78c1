"""Sentences of a text, and the text folded: what the later steps read a report by.

:func:`split_sentences` cuts a text into sentence spans (English,
Vietnamese and Chinese ends; abbreviations from ``geomap/lang/*.yaml`` end
none); :func:`fold_text` folds a whole text (lower case, diacritics
dropped, one character for one) for the cue patterns of incidents and routes.
"""

from __future__ import annotations

import re

from geomap import lang
from geomap.normalize import CharMap, fold_char, translate_runs

__all__ = ["fold_text", "split_sentences"]

_ABBREVIATIONS = frozenset(word.lower() for _, words in lang.merged("abbreviations") for word in words)
# The plain form of a sentence end; the fast form below finds the same spans
# (tests/test_incidents.py checks that, and the abbreviations' shape it relies on).
# Chinese ends a sentence at 。！？ and at ； (full width), with no space after them.
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)|[。！？；]+[”’」』）]*|\n\s*\n|\n")


def _sure_end() -> str:
    """A "." that surely ends a sentence, for :func:`split_sentences` to take without its checks.

    What follows the dot (where ``_SENTENCE_END_RE`` would start, since no
    ``.!?…`` stands before it) up to the same end.  Sure: the word before it, back to a
    space, is 1 to 16 characters of ASCII letters, digits, ``%-)’`` that spell
    none of ``_ABBREVIATIONS`` and are no single capital, and the next
    character on the line is a capital, a digit, a quote or bracket, or none.
    """
    word = "[A-Za-z0-9%’)\\-]"
    by_length: dict[int, list[str]] = {}
    for abbreviation in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(abbreviation), []).append(abbreviation)
    alternatives = [r"(?<=\s[a-z0-9%’)\-]\.)"]  # one character: no capital
    for size in range(2, 17):
        alternative = r"(?<=\s" + word + "{%d}\\.)" % size
        if size in by_length:
            alternative += r"(?<!\s(?i:" + "|".join(by_length[size]) + r")\.)"
        alternatives.append(alternative)
    return (
        r"(?:" + "|".join(alternatives) + r")"  # each ends in "\.": the dot just read
        r"[.!?…]*[\"'”’)\]]*(?=\s+|$)(?=[^\S\n]*(?:[A-Z0-9\"“‘'(\[\n]|\Z))"
    )


# The matches of _SENTENCE_END_RE, the same spans, in a form that opens with a
# character class (so the engine scans for [.!?…\n] in C instead of trying every
# position): a line end, with the next if only space lies between
# ("\n\s*\n|\n"), or a run of end marks; group 1 when it is a sure end.
_SENTENCE_END_OR_SURE_RE = re.compile(
    r"[.!?…\n。！？；](?:(?<=\n)(?:\s*\n)?|(?<=[。！？；])[。！？；]*[”’」』）]*|(" + _sure_end() + r")"
    r"|[.!?…]*[\"'”’)\]]*(?=\s+|$))"
)
_INLINE_SPACE_RE = re.compile(r"[^\S\n]*")  # spaces, not a line end
_LONGEST_WORD = 100  # characters looked back for the word before a dot
#: A "sentence" longer than this (a line with no end, a hostile megabyte) is cut at
#: the last space before each such stretch, so every later step reads bounded
#: sentences and its time stays linear in the text.
LONGEST_SENTENCE = 4_000


def split_sentences(text: str, *, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, trimmed of surrounding space.

    A sentence ends at ``.``, ``!`` or ``?`` followed by space (not after an
    abbreviation such as "Lt.", "No." or "U.S.", nor inside "4.2"), and at
    every line end, since reports often leave a line without a final period.
    A span longer than :data:`LONGEST_SENTENCE` characters is cut at a space.
    """
    hi = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _SENTENCE_END_OR_SURE_RE.finditer(text, start, hi):
        # a sure end (unless the first word may start before ``start``, which the
        # regex sees but the checks below do not): the span up to it, as _add_span adds it
        if m.lastindex and (begin > start or not start):
            stop = m.end()
            while begin < stop and text[begin].isspace():
                begin += 1
            if stop > begin:
                spans.append((begin, stop))
            begin = stop
            continue
        mark = m.group()
        newline = "\n" in mark
        if not newline and mark[0] == ".":
            dot = m.start()
            # the word before the dot: back to the last space (str.rfind, not a loop a character)
            # (no further back than a word can be: a line of dots without spaces stays linear)
            near = max(begin, dot - _LONGEST_WORD)
            cut = max(text.rfind(" ", near, dot), text.rfind("\n", near, dot))
            word = text[cut + 1 if cut >= near else near : dot]
            if not word.isprintable():  # another kind of space (or a control character) in it
                parts = word.split()
                word = parts[-1] if parts and not word[-1].isspace() else ""
            bare = word.strip("(\"'“‘")
            if bare.lower() in _ABBREVIATIONS or "." in bare or (len(bare) == 1 and bare.isupper()):
                continue  # "Lt.", "U.S.", "J. Smith"
            nxt = m.end()
            if text.startswith(" ", nxt):  # the usual one space, else any run of spaces on the line
                nxt += 1
            if nxt < hi and text[nxt].isspace() and text[nxt] != "\n":
                nxt = _INLINE_SPACE_RE.match(text, nxt, hi).end()  # type: ignore[union-attr]
            if nxt < hi and text[nxt].islower():
                continue  # "approx. five" and similar: a sentence starts with a capital
        stop = m.start() if newline else m.end()
        _add_span(text, begin, stop, spans)
        begin = m.end()
    _add_span(text, begin, hi, spans)
    if any(b - a > LONGEST_SENTENCE for a, b in spans):
        spans = [part for a, b in spans for part in _cut(text, a, b)]
    return spans


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` in pieces of at most :data:`LONGEST_SENTENCE`, cut at a space where one is near."""
    pieces: list[tuple[int, int]] = []
    while end - start > LONGEST_SENTENCE:
        limit = start + LONGEST_SENTENCE
        space = text.rfind(" ", limit - LONGEST_SENTENCE // 4, limit)
        stop = space if space > start else limit
        _add_span(text, start, stop, pieces)
        start = stop
    _add_span(text, start, end, pieces)
    return pieces


def _add_span(text: str, begin: int, stop: int, spans: list[tuple[int, int]]) -> None:
    while begin < stop and text[begin].isspace():
        begin += 1
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    if stop > begin:
        spans.append((begin, stop))


# -- folding -----------------------------------------------------------------------


_FOLD_TABLE = CharMap(fold_char)  # fold folds a non-ASCII text one character for one with fold_char


def fold_text(text: str) -> str:
    """:func:`geomap.normalize.fold` of a whole article, fast (same result, same length)."""
    if text.isascii():
        return text.lower()
    return translate_runs(text, _FOLD_TABLE)
