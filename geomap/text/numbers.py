"""Numbers as news reports write them: :func:`parse_number` reads one ("4,900", "4.2 million", "Thirteen").

Digits with the separator rules below, number words and scale words of every
language written in Latin script (from ``geomap/lang/*.yaml``), and the
regular expressions :mod:`geomap.text.counts` finds numbers in running text
with.  Chinese numerals are read by :mod:`geomap.lang.zh`.

* Digits: ``146``, ``4,900``, ``84,000``, ``774.6``; a scale after them
  multiplies (``4.2 million``, ``1.71 billion``, ``3 thousand``, ``2 triệu``,
  ``5 tỷ``).  Dots as thousands separators (Vietnamese style) are read only
  when unambiguous: two or more groups (``1.450.000``) or a decimal comma
  after them (``1.450,5``); otherwise ``1.450`` is read the English way,
  1.45 (:func:`geomap.text.counts.find_counts` also reads it as 1450 before
  a Vietnamese noun).  A comma with one or two digits after it is a decimal
  comma (``2,5``).
* Words: one to ninety-nine (``two``, ``Thirteen``, ``twenty-five``), with
  ``hundred``/``thousand``/``million``/``billion`` (``two hundred``, ``a
  thousand``), ``a dozen`` (12), ``a hundred``.  Vague quantities --
  ``dozens``, ``hundreds``, ``thousands``, ``several``, ``many`` -- are no
  number: :func:`parse_number` gives ``None``.
"""

from __future__ import annotations

import re

from geomap import lang

__all__ = ["parse_number"]

# The words of every language that writes numbers as English does, from geomap/lang/*.yaml.
_LATIN = tuple(code for code in lang.languages() if lang.resources(code)["language"].get("script") == "latin")
_ONES: dict[str, int] = {w: v for _, n in lang.merged("numbers", codes=_LATIN) for w, v in n.get("ones", {}).items()}
_TENS: dict[str, int] = {w: v for _, n in lang.merged("numbers", codes=_LATIN) for w, v in n.get("tens", {}).items()}
# scale words read after a number ("4.2 million", "2 triệu"), then abbreviations parse_number reads ("4m")
_AFTER_SCALES = {w: v for _, n in lang.merged("numbers", codes=_LATIN) for w, v in n.get("scales", {}).items()}
_SCALES: dict[str, float] = dict(_AFTER_SCALES)
_SCALES.update({w: v for _, n in lang.merged("numbers", codes=_LATIN) for w, v in n.get("scale_abbreviations", {}).items()})
_VAGUE = {w for _, n in lang.merged("numbers", codes=_LATIN) for w in n.get("vague", ())}

_DIGITS = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}\.\d{3},\d+"
    r"|\d{1,3},\d{1,2}(?!\d)|\d+(?:\.\d+)?)"
)
_SCALE = "(?:" + "|".join(_AFTER_SCALES) + ")"  # "(?:hundred|thousand|...|nghìn|...)"
# "(?:(?:twenty|...|ninety)(?:[-\s](?:one|...|nine))?|zero|one|...|nineteen|a\s+dozen|a\s+hundred|...)"
_A_SCALES = tuple(w for _, n in lang.merged("numbers", codes=_LATIN) for w in n.get("a_scales", ()))  # "a dozen"...
# words that multiply the number before them, or one ("two hundred", "a dozen")
_MULTIPLIERS = {w: float(v) for _, n in lang.merged("numbers", codes=_LATIN) for w, v in n.get("multipliers", {}).items()}
_WORD = (
    "(?:(?:" + "|".join(_TENS) + ")"
    r"(?:[-\s](?:" + "|".join(w for w, v in _ONES.items() if 1 <= v <= 9) + "))?"
    "|" + "|".join(_ONES) + "|" + "|".join(r"a\s+" + w for w in _A_SCALES) + ")"
)
_NUMBER_CORE = (
    rf"(?:{_DIGITS}(?![\w/]|[.,:]\d)(?:\s+{_SCALE}\b)?"
    rf"|\b{_WORD}(?:\s+{_SCALE}(?:\s+(?:and\s+)?{_WORD}\b(?!-))?)?\b(?!-)(?:\s+{_SCALE}\b)?)"
)
_NUMBER = rf"(?<![\w.,/:+#-]){_NUMBER_CORE}"
_NUMBER_END = rf"{_NUMBER_CORE}(?![.,/:-]\d)"
# Where a number may start: a digit, "$" or a number word.  The pattern
# starts with a character class so the regex engine can skip ahead fast; the
# rest of a word is checked loosely ("t" + "wo"), _COUNT then checks it well.
_NUMBER_WORD_TAILS = "|".join(w[1:] for w in (*_ONES, *_TENS))  # "ero|ne|wo|hree|..."
# the letters a number word starts with, both cases ("AaOoTtFfSsEeNnZz" in English; "a" of "a dozen")
_FIRSTS = "".join(sorted({c for w in ("a", *_ONES, *_TENS) for c in (w[0].upper(), w[0])}))
_ANCHOR = re.compile(
    rf"[\d${_FIRSTS}](?:(?<=[\d$])|(?<![A-Za-z].)"
    rf"(?:\s+(?:{'|'.join(_A_SCALES)})|{_NUMBER_WORD_TAILS})\b)"
)
# find_counts finds the same anchors, from a position ``pos`` on, faster: a
# number word needs a character other than an ASCII letter before it, and such
# characters are rarer than the letters a number word starts with.  So one
# regex looks at those characters: a digit or "$" is an anchor itself, and
# otherwise a number word may start right after (group 1).  Only a number word
# at ``pos`` itself has its character before ``pos``: _WORD_ANCHOR_AT, tried
# first when ``pos`` holds one of the letters.
_WORD_FIRST = frozenset(_FIRSTS)
_WORD_ANCHOR = rf"[{_FIRSTS}](?:\s+(?:{'|'.join(_A_SCALES)})|{_NUMBER_WORD_TAILS})\b"
_WORD_ANCHOR_AT = re.compile(rf"(?<![A-Za-z]){_WORD_ANCHOR}")
_ANCHOR_AFTER = re.compile(rf"[^A-Za-z](?:(?<=[\d$])|({_WORD_ANCHOR}))")

_WORD_SPLIT = re.compile(r"[\s-]+")
_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}\.\d{3},\d+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_DIGITS_AND_SCALE = re.compile(r"(\d[\d.,]*)\s*([^\W\d_]+)?")

def _word_value(words: str) -> float | None:
    """Value of a number written in words ("twenty-five", "a dozen", "two hundred")."""
    total = 0.0
    current = 0.0
    seen = False
    for token in _WORD_SPLIT.split(words.lower().strip()):
        if not token or token == "and":
            continue
        if token in ("a", "an"):
            current, seen = 1.0, True
        elif token in _MULTIPLIERS:
            current = (current or 1.0) * _MULTIPLIERS[token]
            seen = True
        elif token in _ONES:
            current += _ONES[token]
            seen = True
        elif token in _TENS:
            current += _TENS[token]
            seen = True
        elif token in _SCALES and _SCALES[token] >= 1e3 and token not in ("m", "k"):
            total += (current or 1.0) * _SCALES[token]
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


def _digits_value(token: str) -> float | None:
    """Value of a digit string, with the separator rules of the module docstring."""
    if _COMMA_GROUPS.fullmatch(token):
        return float(token.replace(",", ""))
    if _DOT_GROUPS.fullmatch(token):
        return float(token.replace(".", "").replace(",", "."))
    if _PLAIN.fullmatch(token):
        return float(token)
    if _DECIMAL_COMMA.fullmatch(token):  # decimal comma: "4,2"
        return float(token.replace(",", "."))
    return None


def parse_number(text: str) -> float | None:
    """Read one number in digits or words; ``None`` for vague or non-numbers.

    Examples
    --------
    >>> parse_number("4.2 million")
    4200000.0
    >>> parse_number("Thirteen")
    13.0
    >>> parse_number("hundreds") is None
    True
    """
    if type(text) is str and text.isdigit() and text.isascii():
        return float(text)  # plain digits ("146"): what the rules below give them
    if not isinstance(text, str):
        return None
    s = " ".join(text.split()).strip().lstrip("$¥€").strip()
    if not s:
        return None
    low = s.lower()
    if low in _VAGUE:
        return None
    m = _DIGITS_AND_SCALE.fullmatch(low)
    if m:
        value = _digits_value(m[1])
        if value is None:
            return None
        if m[2]:
            scale = _SCALES.get(m[2])
            if scale is None:
                return None
            value *= scale
        return value
    return _word_value(low)
