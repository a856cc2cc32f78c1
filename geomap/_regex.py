"""What literal text every match of a regular expression must hold, read from its source.

The cue matcher (:mod:`geomap.incidents`) runs a pattern only on texts that
hold one of the literals every match of it contains.  Python's own parser of
patterns is private (``re._parser``; ``sre_parse`` on 3.10) and changes
between versions, so the few constructs the cue patterns use are parsed here.
The reading is conservative: a construct it does not know (inline flags,
conditionals, back references) means "no clue", never a wrong one, so a
shortcut built on it can only be slower, never miss a match.
"""

from __future__ import annotations

import re

__all__ = ["clue_size", "prefixes", "required"]

# A parsed pattern is a list of items:
#   ("lit", ch)                          one literal character
#   ("group", items)                     a group without flags (capturing or not)
#   ("branch", [items, items, ...])      alternatives; a match takes one of them
#   ("repeat", min, items)               items repeated at least ``min`` times
#   ("lookbehind_not", items)            (?<!...): zero width
#   ("other",)                           anything else (a class, ``.``, ``\b``, a look-ahead...)

_COUNT = re.compile(r"\d+(?:,\d*)?|,\d+")
_ESCAPE_CLASSES = set("wWsSdDbBAZ")
_ESCAPE_CHARS = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


def clue_size(literal: str) -> int:
    """How telling a literal is: its length, a Chinese character counting for two (a
    two-character word such as 毒品 is as rare in text as a five-letter English one)."""
    return len(literal) + sum(1 for c in literal if c >= "\u2e80")


class _Unknown(Exception):
    """A construct this reader does not handle: no clue is given."""


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0

    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def alternatives(self) -> list:
        """Items up to a ``)`` or the end, alternatives folded into one ``branch``."""
        alts = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            alts.append(self.sequence())
        return alts[0] if len(alts) == 1 else [("branch", alts)]

    def sequence(self) -> list:
        items: list = []
        while self.i < len(self.s) and self.peek() not in "|)":
            atom = self.atom()
            items.append(self.quantified(atom))
        return items

    def quantified(self, atom: tuple) -> tuple:
        ch = self.peek()
        if ch in ("?", "*", "+"):
            self.i += 1
            low = 1 if ch == "+" else 0
        elif ch == "{" and self._counted():
            end = self.s.index("}", self.i)
            body = self.s[self.i + 1 : end]
            self.i = end + 1
            low = int(body.split(",")[0] or 0)
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: the same text is required
            self.i += 1
        if atom[0] == "lookbehind_not":
            raise _Unknown
        return ("repeat", low, [atom])

    def _counted(self) -> bool:
        """Whether a ``{`` here opens a repeat count (``{2}``, ``{0,5}``), not a literal brace."""
        end = self.s.find("}", self.i)
        return end != -1 and _COUNT.fullmatch(self.s[self.i + 1 : end]) is not None

    def atom(self) -> tuple:
        ch = self.peek()
        self.i += 1
        if ch == "(":
            return self.group()
        if ch == "[":
            self.char_class()
            return ("other",)
        if ch == "\\":
            return self.escape()
        if ch in ".^$":
            return ("other",)
        if ch in "*+?":
            raise _Unknown  # a quantifier with nothing before it
        return ("lit", ch)

    def escape(self) -> tuple:
        ch = self.peek()
        if not ch:
            raise _Unknown
        self.i += 1
        if ch in _ESCAPE_CLASSES:
            return ("other",)
        if ch in _ESCAPE_CHARS:
            return ("lit", _ESCAPE_CHARS[ch])
        if ch.isalnum():  # back references, \x.., \u...., \N{...}: not needed here
            raise _Unknown
        return ("lit", ch)

    def char_class(self) -> None:
        if self.peek() == "^":
            self.i += 1
        if self.peek() == "]":
            self.i += 1
        while True:
            ch = self.peek()
            if not ch:
                raise _Unknown
            self.i += 1
            if ch == "\\":
                self.i += 1
            elif ch == "]":
                return

    def group(self) -> tuple:
        kind = "group"
        if self.peek() == "?":
            head = self.peek(4)
            if head.startswith("?:"):
                self.i += 2
            elif head.startswith("?P<"):
                end = self.s.index(">", self.i)
                self.i = end + 1
            elif head.startswith(("?=", "?!")):
                self.i += 2
                kind = "other"
            elif head.startswith("?<!"):
                self.i += 3
                kind = "lookbehind_not"
            elif head.startswith("?<="):
                self.i += 3
                kind = "other"
            else:
                raise _Unknown  # inline flags, conditionals, comments
        inner = self.alternatives()
        if self.peek() != ")":
            raise _Unknown
        self.i += 1
        if kind == "other":
            return ("other",)
        return (kind, inner)


def _parse(pattern: str) -> list | None:
    reader = _Reader(pattern)
    try:
        items = reader.alternatives()
    except (_Unknown, ValueError):
        return None
    if reader.i != len(pattern):
        return None
    return items


def required(pattern: str) -> tuple[str, ...] | None:
    """Literal strings one of which every match of ``pattern`` contains, or ``None``.

    A run of literal characters that every match must contain, or, for a
    group of branches that every match must pass, one such clue of each
    branch.  The longest such clue (by its shortest string, in
    :func:`clue_size`) is kept; a clue shorter than three is not worth checking.
    """

    def best(items: list) -> set[str] | None:
        options = [clue for clue in clues(items) if min(map(clue_size, clue)) >= 3]
        return max(options, key=lambda clue: (min(map(clue_size, clue)), -len(clue))) if options else None

    def clues(items: list) -> list[set[str]]:
        found: list[set[str]] = []
        run: list[str] = []
        for item in items:
            if item[0] == "lit":
                run.append(item[1])
                continue
            if run:
                found.append({"".join(run)})
                run = []
            if item[0] == "group":
                found.extend(clues(item[1]))
            elif item[0] == "branch":
                got: set[str] = set()  # a match goes through one branch: one of their clues is in it
                for branch in item[1]:
                    clue = best(branch)
                    if clue is None:
                        got = set()
                        break
                    got |= clue
                if got:
                    found.append(got)
            elif item[0] == "repeat" and item[1] >= 1:
                found.extend(clues(item[2]))
        if run:
            found.append({"".join(run)})
        return found

    items = _parse(pattern)
    clue = best(items) if items is not None else None
    return tuple(sorted(clue)) if clue is not None else None


def prefixes(pattern: str) -> tuple[str, ...] | None:
    """Literal strings one of which every match of ``pattern`` starts with, or ``None``.

    The leading literal run, or one such run of each branch of a leading
    group; negative look-behinds before them are passed over (they do not
    move the start).  A prefix shorter than three (:func:`clue_size`) is not worth it.
    """

    def lead(items: list) -> set[str] | None:
        items = list(items)
        while items and items[0][0] == "lookbehind_not":
            items.pop(0)
        run: list[str] = []
        for item in items:
            if item[0] != "lit":
                break
            run.append(item[1])
        if run:
            return {"".join(run)} if clue_size("".join(run)) >= 3 else None
        if not items:
            return None
        if items[0][0] == "group":
            return lead(items[0][1])
        if items[0][0] == "branch":
            found: set[str] = set()
            for branch in items[0][1]:
                got = lead(branch)
                if got is None:
                    return None
                found |= got
            return found
        return None

    items = _parse(pattern)
    found = lead(items) if items is not None else None
    return tuple(sorted(found)) if found else None
