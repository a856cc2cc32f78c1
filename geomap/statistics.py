"""Crossing and trade statistics: the stated change of a figure on an earlier period.

A yearly or monthly total ("1.2 million people and 150,000 vehicles passed
through the gate in 2023, up 12% on 2022") is a ``crossing_statistics``
incident like any other; its figures are its counts and its period its date.
:func:`find_change` reads the change the report states beside it, as a signed
percentage for the ``change`` column: ``"+12%"``, ``"-4.5%"``.

The words are data (``geomap/lang/change.json``, one entry a language):
English, Vietnamese and Chinese, matched on folded text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["find_change", "format_change"]

_WORDS = Path(__file__).with_name("lang") / "change.json"
_NUMBER = r"(\d+(?:[.,]\d+)?)"


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(set(words), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, str]:
    data = json.loads(_WORDS.read_text(encoding="utf-8"))
    langs = [v for k, v in data.items() if k != "about"]
    pick = lambda part: [w for lang in langs for w in lang.get(part, ())]  # noqa: E731
    percent = _alternatives(pick("percent"))
    filler = r"(?:[ \t]+(?:nearly|almost|about|around|some|more[ \t]+than|over|just[ \t]+over|roughly))?"
    # "up 12%", "an increase of 12 percent", "tăng 12%", "增长12%": the direction before the figure
    before = re.compile(
        r"(?<![\w])(?:(" + _alternatives(pick("up")) + r")|(" + _alternatives(pick("down")) + r"))"
        + filler + r"[ \t]*" + _NUMBER + r"[ \t]*(?:" + percent + r")"
    )
    # "12% more than", "4.5 per cent fewer": the direction after it
    after = re.compile(
        _NUMBER + r"[ \t]*(?:" + percent + r")[ \t]+(?:(" + _alternatives(pick("more")) + r")|("
        + _alternatives(pick("less")) + r"))\b"
    )
    return before, after, percent


def format_change(value: str, up: bool) -> str:
    """``"+12%"`` or ``"-4.5%"`` from the figure as written ("4,5" is 4.5)."""
    number = value.replace(",", ".")
    return f"{'+' if up else '-'}{number}%"


def find_change(folded: str, spans: Sequence[tuple[int, int]]) -> str:
    """The first change stated in the spans of folded text, as ``"+12%"``; ``""`` when none.

    Only a percentage tied to a direction word counts: "12% of the travellers
    were tourists" states no change.
    """
    before, after, _ = _patterns()
    for lo, hi in spans:
        if "%" not in folded[lo:hi] and "per" not in folded[lo:hi] and "phan tram" not in folded[lo:hi] and "％" not in folded[lo:hi]:
            continue
        found = [(m.start(), m.group(3), m.group(1) is not None) for m in before.finditer(folded, lo, hi)]
        found += [(m.start(), m.group(1), m.group(2) is not None) for m in after.finditer(folded, lo, hi)]
        if found:
            _, value, up = min(found)
            return format_change(value, up)
    return ""
