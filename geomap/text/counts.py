"""Counts as news reports state them: a number with the thing it counts.

:func:`find_counts` finds every count in a stretch of text as
:class:`~geomap.records.Count` with offsets; the numbers themselves are read
by :func:`geomap.text.numbers.parse_number`, Chinese counts by
:mod:`geomap.lang.zh`.  Unit nouns and qualifiers are in ``geomap/lang/*.yaml``.

Rules:

* Digits: ``146``, ``4,900``, ``84,000``, ``774.6``; a scale after them
  multiplies (``4.2 million``, ``1.71 billion``, ``3 thousand``, ``2 triệu``,
  ``5 tỷ``).  Dots as thousands separators (Vietnamese style) are read only
  when unambiguous: two or more groups (``1.450.000``), a decimal comma
  after them (``1.450,5``), or a Vietnamese noun after the number
  ("1.450 người" is 1450 people).  Otherwise ``1.450`` is read the English
  way, 1.45.  A comma with one or two digits after it is a decimal comma
  (``2,5 tấn`` is 2.5 tonnes).  Vietnamese unit nouns and qualifiers ("hơn",
  "khoảng") are known too.
* Words: one to ninety-nine (``two``, ``Thirteen``, ``twenty-five``), with
  ``hundred``/``thousand``/``million``/``billion`` (``two hundred``, ``a
  thousand``), ``a dozen`` (12), ``a hundred``.  Vague quantities --
  ``dozens``, ``hundreds``, ``thousands``, ``several``, ``many`` -- are no
  number: :func:`parse_number` gives ``None`` and no count is made of them.
* A count needs a unit noun within the next few words ("146 cases of illegal
  entry", "195 Chinese citizens", "774.6 kilograms of drugs"); a number with
  no unit from :data:`UNITS` is left out.  Units are normalised:

  ``people`` (people, individuals, persons, citizens, nationals, migrants,
  residents, foreigners, workers, passengers, entrants, and roles that are
  not a legal status: criminals, smugglers, traffickers, brokers...), and,
  kept apart because they state a legal status: ``suspects`` (suspects,
  offenders), ``defendants``, ``fugitives`` (fugitives, "most wanted",
  "wanted criminals"), ``victims``; ``officers`` (officers, soldiers, guards,
  police); ``cases``, ``violations``, ``operations``,
  ``patrols``, ``talks``, ``meetings``, ``leaflets``,
  ``files``, ``vehicles``, ``boats``, ``trips``, ``groups`` (groups, rings,
  gangs), ``ports``, ``declarations``, ``kg``, ``g``, ``tonnes``,
  ``yuan``, ``VND``, ``USD``, ``items``, ``pills`` (pills, tablets), ``dangers``.
  "talks" and "meetings" (meetings, conferences, sessions) stay apart.
  A partitive is read through: "195 of them Chinese citizens" is 195 people.
* Money: ``$238.3 million``, ``US$5``, ``¥300``, ``VND 2 billion``,
  ``1.71 billion yuan``, ``5 million dong``.
* Qualifiers, normalised: ``over`` (over, more than, above, at least, in
  excess of, upwards of), ``about`` (about, around, approximately, some,
  roughly, an estimated, nearly, almost, close to), ``under`` (under, less
  than, fewer than, up to, at most, below); ranges ("from 10 to 12 people",
  "10-12 people", "between 10 and 12 people") have qualifier ``range`` and
  ``value_max``.
* Not counts: prices and rates ("3 million dong a person"), distances
  and lengths ("1,450 kilometers long"), years ("in 2019"), dates and times ("November 4", "28/06/2023",
  "10:09"), ordinals ("3rd", "10th meeting", "second"), ages and durations
  ("25-year-old", "three years", "six months"), compound adjectives
  ("100-year goal", "COVID-19"), phone-like numbers (a leading ``+`` or
  ``0``, digits grouped by spaces), list numbering at the start of a line
  ("1.", "2)"), and numbers after "No.", "number", "#", "aged".
"""

from __future__ import annotations

import functools
import re

from geomap import lang
from geomap.records import Count
from geomap.text.numbers import (
    _ANCHOR_AFTER,
    _LATIN,
    _NUMBER,
    _NUMBER_END,
    parse_number,
    _SCALE,
    _SCALES,
    _VAGUE,
    _WORD_ANCHOR_AT,
    _WORD_FIRST,
)

__all__ = ["QUALIFIERS", "UNITS", "find_counts"]

def _number_words(part: str) -> frozenset[str]:
    """The words of one list of the ``numbers`` part of every language written as English is."""
    return frozenset(word for _, table in lang.merged("numbers", codes=_LATIN) for word in table.get(part, ()))


#: Normalised qualifier for each phrase that may stand before a number.
QUALIFIERS: dict[str, str] = {
    phrase: kind for _, table in lang.merged("qualifiers", codes=_LATIN) for kind, phrases in table.items() for phrase in phrases
}

#: Normalised unit for each noun (lower case; plural and singular).
UNITS: dict[str, str] = {
    noun: unit for _, table in lang.merged("units", codes=("en",)) for unit, nouns in table.items() for noun in nouns
}
# Nouns of the other languages written in Latin script (a count names its head noun
# first: "14 đối tượng người Trung Quốc").
_VI_UNITS = {
    noun: unit
    for _, table in lang.merged("units", codes=tuple(c for c in _LATIN if c != "en"))
    for unit, nouns in table.items()
    for noun in nouns
}
UNITS.update(_VI_UNITS)
_VI_WORDS = {word for noun in _VI_UNITS for word in noun.split()}

# A sum followed by one of these is a price or rate, not a count ("3 million dong a person").
def _alternatives(part: str) -> str:
    """``(?:a|b|...)`` of the words (or patterns) of one list of ``numbers``, in every language written as English is."""
    return "(?:" + "|".join(w for _, table in lang.merged("numbers", codes=_LATIN) for w in table.get(part, ())) + ")"


_PRICE_AFTER = re.compile(
    rf"\s*{_alternatives('rate_before')}\s+{_alternatives('rate_units')}\b|\s*{_alternatives('rate_after')}\b"
    rf"|\s*/\s*{_alternatives('rate_slash_units')}\b",
    re.IGNORECASE,
)
# "195 of them Chinese citizens": the unit comes after the partitive.
_PARTITIVE = re.compile(rf"\s+of\s+{_alternatives('partitive_after_of')}\b", re.IGNORECASE)
# Distances and lengths are not counts: "1,450 kilometers long".
_DISTANCE_AFTER = re.compile(rf"\s*{_alternatives('distance_units')}\b", re.IGNORECASE)

# Words that end the search for a unit: the number counts nothing named here.
_STOP = _number_words("unit_stops")
_DURATION_AFTER = re.compile(rf"[-\s]*{_alternatives('duration_units')}s?(?:-old)?\b", re.IGNORECASE)
# Either of the two, in one regex call.
_DURATION_OR_DISTANCE_AFTER = re.compile(
    f"(?:{_DURATION_AFTER.pattern})|(?:{_DISTANCE_AFTER.pattern})", re.IGNORECASE
)

_CURRENCY_PREFIX = r"(?P<cur>US\$|\$|¥|€|VND\s*|CNY\s*|RMB\s*|USD\s*)"

_COUNT = re.compile(
    rf"(?P<n1>{_NUMBER})"
    rf"(?:(?P<conn>\s*[-–]\s*|\s+(?:to|and)\s+){_CURRENCY_PREFIX.replace('cur', 'cur2')}?(?P<n2>{_NUMBER_END}))?",
    re.IGNORECASE,
)
_CURRENCY_SYMBOLS = ("US$", "$", "¥", "€")
_CURRENCY_LAST = frozenset(sym[-1] for sym in _CURRENCY_SYMBOLS)
_CURRENCY_CODES = ("VND", "CNY", "RMB", "USD")
_QUAL_BY_LAST: dict[str, list[str]] = {}
for _phrase in sorted(QUALIFIERS, key=len, reverse=True):
    _QUAL_BY_LAST.setdefault(_phrase.split()[-1], []).append(_phrase)


def _prev_word(text: str, lo: int, pos: int) -> tuple[int, str]:
    """The word that ends just before ``pos`` (spaces skipped), lower case, and where it starts."""
    k = pos
    while k > lo and text[k - 1] in " \t\xa0":
        k -= 1
    # the usual case first: letters back to a plain space (or to ``lo``)
    sp = text.rfind(" ", max(lo, k - 40), k)
    w = sp + 1 if sp >= 0 else lo
    if (sp >= 0 or w >= k - 40) and text[w:k].isalpha():
        return w, text[w:k].lower()
    w = k
    while w > lo and (text[w - 1].isalpha() or text[w - 1] == "."):
        w -= 1
    return w, text[w:k].lower()


def _before(
    text: str, lo: int, start: int, prev: tuple[int, str] | None = None
) -> tuple[str | None, int, str | None, int, str | None, int]:
    """Qualifier, "from"/"between" and currency before a number, with their offsets.

    Read backwards with string operations: far cheaper than a regex tried at
    every position before every number.  ``prev`` is ``_prev_word(text, lo,
    start)`` if the caller has it already.
    """
    cur = frm = qual = None
    cur_start = from_start = qual_start = -1
    j = start
    if prev is None:
        prev = _prev_word(text, lo, j)
    # every currency symbol ends in one of "$¥€": without one there, no loop
    if j > lo and text[j - 1] in _CURRENCY_LAST:
        for sym in _CURRENCY_SYMBOLS:
            if text.startswith(sym, j - len(sym)) and j - len(sym) >= lo:
                cur, cur_start, j = sym, j - len(sym), j - len(sym)
                prev = None
                break
    if prev is not None:
        w, word = prev
        if word.upper() in _CURRENCY_CODES:
            cur, cur_start, j = text[w:j], w, w
            prev = None
    w, word = prev if prev is not None else _prev_word(text, lo, j)
    if word in ("from", "between") and w < j:
        frm, from_start, j = word, w, w
        w, word = _prev_word(text, lo, j)
    for phrase in _QUAL_BY_LAST.get(word, ()):
        k = w + len(word) - len(phrase)
        if k >= lo and text[k : w + len(word)].lower() == phrase and (k == 0 or not text[k - 1].isalnum()):
            qual, qual_start = text[k : w + len(word)], k
            break
    return qual, qual_start, frm, from_start, cur, cur_start


_BREAK = re.compile(r"[,;:()\n.!?\d]")
_PHONE_TAIL = re.compile(r"\s\d{2,4}(?:\s\d{2,4})+\b")
_SCALE_TAIL = re.compile(_SCALE + r"\s*$", re.IGNORECASE)
_ONE_DOT_GROUP = re.compile(r"^\d{1,3}\.\d{3}(?!\d)")
_DASH_DIGIT = re.compile(r"\s*[-–]\s*\d")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'.][^\W\d_]+)*\.?|%|\$", re.UNICODE)
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*(?:\(?\d{1,2}[.)])[ \t]")
_NOT_BEFORE_WORDS = _number_words("ids_after")
_YEAR_BEFORE_WORDS = _number_words("years_after")
_MONTH_WORDS = {
    word for code in _LATIN for part in ("months", "month_abbreviations") for word in lang.resources(code).get(part, {})
}
# "4th of July", "28 June": a day, not a count (month names are capitalised in running text)
_MONTH_AFTER = re.compile(
    r"(?:st|nd|rd|th)?\s+(?:of\s+)?(?:"
    + "|".join(name.capitalize() for code in _LATIN for name in lang.resources(code).get("months", {}))
    + r")\b"
)


def _unit_after(text: str, pos: int, hi: int, *, singular_ok: bool = False) -> tuple[str, int] | None:
    """The unit named within a few words after ``pos``, and where it ends.

    A singular unit noun used as a modifier ("201 case files") gives way to
    a unit noun right after it.
    """
    # _PARTITIVE needs "of" after the spaces: after one space and a letter
    # other than "o"/"O" ((?i) folds nothing else to "o") it cannot match
    nxt_char = text[pos + 1 : pos + 2]
    if not (text[pos : pos + 1] == " " and nxt_char.isalpha() and nxt_char not in "oO"):
        partitive = _PARTITIVE.match(text, pos, hi)
        if partitive:
            pos = partitive.end()
    # the words one search at a time (as finditer would give them): most
    # searches end at the first word
    lim = min(hi, pos + 80)
    gap_start = pos
    found: tuple[str, int] | None = None
    w = _WORD_RE.search(text, pos, lim)
    for _ in range(6):
        if w is None:
            break
        w_start = w.start()
        # one plain space (the usual gap) holds nothing _BREAK looks for
        if (w_start != gap_start + 1 or text[gap_start] != " ") and _BREAK.search(text, gap_start, w_start):
            break
        raw = w.group().lower()
        token = raw if raw in UNITS else raw.rstrip(".")
        hit: tuple[str, int] | None = None
        w_end = w.end()
        nxt: re.Match | None | bool = False  # False: not looked for yet
        if token in _PAIR_FIRSTS:  # a two-word unit can start with it
            nxt = _WORD_RE.search(text, w_end, lim)
            if nxt is not None and not text[w_end : nxt.start()].strip():
                pair = f"{token} {nxt.group().lower().rstrip('.')}"
                if pair in _TRIPLE_FIRSTS:  # "lượt phương tiện": a three-word unit
                    third = _WORD_RE.search(text, nxt.end(), lim)
                    if third is not None and not text[nxt.end() : third.start()].strip():
                        triple = f"{pair} {third.group().lower()}"
                        if triple in UNITS:
                            hit = UNITS[triple], third.end()
                if hit is None and pair in UNITS:
                    hit = UNITS[pair], nxt.end() - (1 if nxt.group().endswith(".") else 0)
        if hit is None and token in UNITS:
            hit = UNITS[token], w_end - (1 if token != raw else 0)
        if hit is not None:
            if found is not None or singular_ok or token not in _SINGULAR:
                return hit
            found = hit  # a singular noun: a modifier unless nothing follows
        elif token in _STOP or token in _VAGUE:
            break
        gap_start = w_end
        w = _WORD_RE.search(text, w_end, lim) if nxt is False else nxt
    # "two boat owners": a singular noun as a modifier of a head we do not know
    return None


# The first words of the units of more than one word.
_PAIR_FIRSTS = frozenset(noun.split(" ")[0] for noun in UNITS if " " in noun)
_TRIPLE_FIRSTS = frozenset(" ".join(noun.split(" ")[:2]) for noun in UNITS if noun.count(" ") == 2)
_PLURAL_WITHOUT_S = _number_words("plural_without_s")
_SINGULAR = {
    noun for noun in UNITS
    if " " not in noun and not noun.endswith("s") and noun not in _VI_UNITS and noun not in _PLURAL_WITHOUT_S
}
_HANDED = _number_words("over_particle_after")


def _currency(sym: str | None) -> str | None:
    if not sym:
        return None
    s = sym.strip().upper()
    if s in ("$", "US$", "USD"):
        return "USD"
    if s in ("¥", "CNY", "RMB"):
        return "yuan"
    if s == "VND":
        return "VND"
    if s == "€":
        return "EUR"
    return None


def _excluded(text: str, begin: int, end: int, lo: int, prev: tuple[int, str] | None = None) -> bool:
    """Numbers that are dates, list numbers, ids, ages or durations, not counts.

    ``prev`` is ``_prev_word(text, lo, begin)`` if the caller has it already.
    """
    w, word = _prev_word(text, lo, begin) if prev is None else prev
    if end - begin == 4 and word in _YEAR_BEFORE_WORDS and "1900" <= text[begin:end] <= "2100":
        return True  # "in 2023 people were...": a year
    bare = word.rstrip(".,")
    if bare in _NOT_BEFORE_WORDS or text[max(lo, begin - 2) : begin].strip().endswith("#"):
        return True
    if bare in _MONTH_WORDS and text[w : w + 1].isupper():
        return True
    if word == "road" and text[max(lo, w - 9) : w].lower().strip() == "national":
        return True
    # _MONTH_AFTER needs spaces and then "of" or a capitalised month: one space
    # and a lower-case letter other than "o" rule it out without the regex
    if not (text[end : end + 1] == " " and text[end + 1 : end + 2] in _LOWER_NOT_O) and _MONTH_AFTER.match(
        text, end, end + 20
    ):
        return True
    if text[end : end + 1] in ".)":  # "" (the text's end) too, as before
        # a list number: only spaces between the line start and the number
        k = begin
        while k > 0 and text[k - 1] != "\n" and text[k - 1].isspace():
            k -= 1
        if k == 0 or text[k - 1] == "\n":
            line_start = k
            if _LIST_NUMBER.match(text, line_start - 1 if line_start else 0):
                return True
    token = text[begin:end]
    if token[:1] == "0" and len(token) > 1 and token.isdigit():  # phone-like or codes
        return True
    if begin > 0 and text[begin - 1] == "+":
        return True
    # _PHONE_TAIL needs a digit after one space: look at that character first
    return text[end + 1 : end + 2].isdecimal() and bool(_PHONE_TAIL.match(text, end, end + 16))


def find_counts(text: str, *, start: int = 0, end: int | None = None) -> list[Count]:
    """Every count stated in ``text[start:end]``: a number and the thing it counts.

    Parameters
    ----------
    text
        The article text (offsets in the result index it).
    start, end
        The stretch to search, e.g. one sentence.

    Returns
    -------
    list of Count
        In text order, ``text[c.start:c.end] == c.text``; see the module
        docstring for units, qualifiers and what is not a count.

    Examples
    --------
    >>> [(c.value, c.unit) for c in find_counts("46 cases involving 12 people")]
    [(46.0, 'cases'), (12.0, 'people')]
    """
    hi = len(text) if end is None else min(end, len(text))
    lo = max(0, start)
    counts: list[Count] = []
    pos = lo
    while True:
        # the next anchor (_ANCHOR.search(text, pos, hi), found faster)
        anchor = None
        if pos < hi and text[pos] in _WORD_FIRST:
            anchor = _WORD_ANCHOR_AT.match(text, pos, hi)
        if anchor is not None:
            at, anchor_end = anchor.span()
        else:
            anchor = _ANCHOR_AFTER.search(text, pos, hi)
            if anchor is None:
                break
            at, anchor_end = anchor.span(1) if anchor.start(1) >= 0 else anchor.span()
        if text[at] == "$":  # the anchor is the "$" alone: the number follows it
            at += 1
        m = _COUNT.match(text, at, hi)
        if m is None:
            pos = anchor_end
            while pos < hi and text[pos].isdigit():  # the rest of a number that failed
                pos += 1
            continue
        count = _count_from_match(text, m, lo, hi)
        if count is not None:
            counts.append(count)
        # a rejected range ("five and six people") gives its second number a chance of its own
        pos = m.end() if count is not None and count.value_max is not None else m.end("n1")
    if _HAN.search(text, lo, hi) is not None:  # Chinese counts: a measure word right after the number
        from geomap.lang import zh

        counts = _merge(counts, zh.find_counts(text, lo, hi))
    return counts


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _merge(counts: list[Count], more: list[Count]) -> list[Count]:
    """Both lists in text order; of two that overlap, the one of ``more``."""
    if not more:
        return counts
    kept = [c for c in counts if all(c.end <= m.start or c.start >= m.end for m in more)]  # type: ignore[operator]
    return sorted(kept + more, key=lambda c: c.start)  # type: ignore[arg-type,return-value]


def _plain(value: float, unit: str, text: str, begin: int, end: int) -> Count:
    return Count(value=value, unit=unit, text=text[begin:end], start=begin, end=end)


_LOWER_NOT_O = frozenset("abcdefghijklmnpqrstuvwxyz")
# parse_number of the numbers seen (it depends on the string only): the same
# figures recur from article to article.
_value_of = functools.lru_cache(maxsize=20_000)(parse_number)


def _dash_possible(text: str, pos: int) -> bool:
    """Whether _DASH_DIGIT (spaces, a dash) could match at ``pos``: False when a
    character other than a space or dash comes first, or after one space."""
    c0 = text[pos : pos + 1]
    if c0 in ("-", "–", ""):
        return True
    if not c0.isspace():
        return False
    c1 = text[pos + 1 : pos + 2]
    return c1 in ("-", "–", "") or c1.isspace()


def _count_from_match(text: str, match: re.Match, lo: int, hi: int) -> Count | None:
    n1_begin, n1_end = match.span("n1")  # n1 starts the match
    prev = _prev_word(text, lo, n1_begin)
    if _excluded(text, n1_begin, n1_end, lo, prev):
        return None
    n1 = match["n1"]
    value = _value_of(n1)
    if value is None:
        return None
    qual, qual_start, frm, from_start, cur, cur_start = _before(text, lo, n1_begin, prev)
    n2 = match["n2"]
    cur2 = match["cur2"]
    value_max = None
    last = n1_end
    if n2:
        n2_begin, n2_end = match.span("n2")
        conn = match["conn"].strip().lower()
        v2 = parse_number(n2)
        between_and = conn != "and" or (frm or "").lower() == "between"
        if v2 is None or not between_and or _excluded(text, n2_begin, n2_end, lo):
            if conn in ("-", "–"):
                return None  # "2023-12", "1 - 0": not a count
        else:
            scale1 = _SCALE_TAIL.search(n1)
            scale2 = _SCALE_TAIL.search(n2)
            if scale2 and not scale1:  # "2 to 3 million": the upper scale applies to both
                value *= _SCALES[scale2.group().strip().lower()]
            if v2 <= value:
                if conn in ("-", "–"):
                    return None
            else:
                value_max = v2
                last = n2_end
    elif _dash_possible(text, n1_end) and _DASH_DIGIT.match(text, n1_end, n1_end + 4):
        return None
    # a duration or distance word starts with one of "ymwdhk": after one space,
    # another ASCII letter rules them out ((?i) folds the Kelvin sign to "k": not ASCII)
    c1 = text[last + 1 : last + 2]
    if not (text[last : last + 1] == " " and c1.isascii() and c1.isalpha() and c1.lower() not in "ymwdhk"):
        if _DURATION_OR_DISTANCE_AFTER.match(text, last):
            return None
    unit = (_currency(cur) or _currency(cur2)) if cur or cur2 else None
    unit_end = last
    after = _unit_after(text, last, hi, singular_ok=value == 1 and value_max is None)
    if unit is None:
        if after is None:
            return None
        unit, unit_end = after
    elif after is not None and after[0] in ("USD", "yuan", "VND"):
        unit_end = after[1]
    if unit in ("USD", "yuan", "VND", "EUR") and _PRICE_AFTER.match(text, unit_end, hi):
        return None
    if "." in n1 and _ONE_DOT_GROUP.search(n1) and _VI_WORDS.intersection(text[last:unit_end].lower().split()):
        # "1.450 người": Vietnamese writes thousands with a dot; the noun settles it
        value = parse_number(n1.replace(".", "")) or value
        if value_max is not None and n2:
            value_max = parse_number(n2.replace(".", "")) or value_max
    qualifier = "range" if value_max is not None else ""
    c_begin = cur_start if cur else n1_begin
    if frm:
        if value_max is None:
            return _plain(value, unit, text, c_begin, unit_end)  # "from 10 people": no range, no qualifier
        c_begin = from_start
    qual = " ".join(qual.lower().split()) if qual else ""
    if qual and not (qual == "over" and _prev_word(text, lo, qual_start)[1] in _HANDED):
        c_begin = qual_start
        if value_max is None:
            qualifier = QUALIFIERS.get(qual, "")
    return Count(
        value=value,
        unit=unit,
        qualifier=qualifier,
        value_max=value_max,
        text=text[c_begin:unit_end],
        start=c_begin,
        end=unit_end,
    )
