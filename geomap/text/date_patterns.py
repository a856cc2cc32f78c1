"""The date patterns: each date form's regular expression with its reader, in the order they are tried.

:data:`_PATTERNS` pairs every pattern with its handler
(:mod:`geomap.text.date_forms`, :mod:`geomap.text.periods`) and the kind of
anchor word it is built on.  Longer matches win over shorter ones at the
same place; ties go to the earlier pattern.  :data:`_STRICT_PATTERNS` are
the same patterns as run over running text, where month names are
capitalised: case-sensitive where they can be, and written to start with a
character class so the regex engine skips ahead fast (same matches, checked
by ``tests/test_dates.py``).
"""

from __future__ import annotations

import re

from geomap.text.date_forms import (
    _CONN,
    _DAY,
    _FULL_MONTH,
    _h_iso,
    _h_md,
    _h_mdy,
    _h_month,
    _h_month_year,
    _h_num_dmy,
    _h_vi_day,
    _h_vi_month,
    _h_year,
    _Handler,
    _MONTH,
    _ORD,
    _WEEKDAY_NAMES,
    _YEAR,
)
from geomap.text.periods import (
    _h_half,
    _h_past,
    _h_range_dd_m,
    _h_range_m_dd,
    _h_range_md_md,
    _h_range_months,
    _h_range_years,
    _h_relative,
    _h_vi_relative,
    _h_weekday,
    _h_year_start,
)

__all__: list[str] = []


def _p(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# Longer matches win over shorter ones at the same place (see _select).
_PATTERNS: tuple[tuple[re.Pattern, _Handler, str], ...] = (
    (
        _p(rf"(?<![\d/.-])(?P<y>{_YEAR})[-/](?P<mo>0?[1-9]|1[0-2])[-/](?P<d>{_DAY})"
           r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d/])"),
        _h_iso,
        "year",
    ),
    (
        _p(rf"(?<![\d/.-])(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<mo>\d{{1,2}})(?P=sep)"
           rf"(?P<y>{_YEAR})(?![\d/]|[.-]\d)"),
        _h_num_dmy,
        "numdate",
    ),
    (
        _p(rf"\b(?P<m>{_MONTH})\.?,?\s+(?P<d>{_DAY}){_ORD},?\s+(?P<y>{_YEAR})\b"),
        _h_mdy,
        "month",
    ),
    (
        _p(rf"\b(?P<d>{_DAY}){_ORD}\s+(?:of\s+)?(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b"),
        _h_mdy,
        "month",
    ),
    (
        _p(r"\bngày\s+(?P<d>\d{1,2})\s*(?:tháng\s*|/)(?P<mo>\d{1,2})"
           rf"(?:\s*(?:năm|,|/)\s*(?P<y>{_YEAR}))?(?!\d)"),
        _h_vi_day,
        "vi",
    ),
    (
        _p(rf"\btháng\s+(?P<mo>\d{{1,2}})\s*(?:năm|/|,)\s*(?P<y>{_YEAR})\b"),
        _h_vi_month,
        "vi",
    ),
    (
        _p(rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>{_DAY}){_ORD}"
           rf"(?:,?\s+(?P<y1>{_YEAR}))?{_CONN}(?P<m2>{_MONTH})\.?\s+(?P<d2>{_DAY}){_ORD}"
           rf"(?:,?\s+(?P<y2>{_YEAR}))?(?![\d:])"),
        _h_range_md_md,
        "month",
    ),
    (
        _p(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d1>{_DAY}){_ORD}{_CONN}"
           rf"(?P<d2>{_DAY}){_ORD}(?:,?\s+(?P<y>{_YEAR}))?(?![\d:])"),
        _h_range_m_dd,
        "month",
    ),
    (
        _p(rf"\b(?P<d1>{_DAY}){_ORD}(?:\s+(?P<m1>{_MONTH})\.?)?{_CONN}"
           rf"(?P<d2>{_DAY}){_ORD}\s+(?P<m2>{_MONTH})\b\.?(?:,?\s+(?P<y>{_YEAR}))?"),
        _h_range_dd_m,
        "month",
    ),
    (
        _p(rf"\b(?P<m1>{_FULL_MONTH})(?:\s+(?P<y1>{_YEAR}))?{_CONN}"
           rf"(?P<m2>{_FULL_MONTH})\b(?:,?\s+(?P<y2>{_YEAR})\b)?(?!\s*\d{{1,2}}(?!\d))"),
        _h_range_months,
        "month",
    ),
    (
        _p(rf"(?<![\d.,/-])\b(?P<y1>{_YEAR}){_CONN}(?P<y2>{_YEAR})\b(?![.,/-]\d)"),
        _h_range_years,
        "year",
    ),
    (
        _p(rf"\b(?:(?:from|since)\s+(?:the\s+)?(?:very\s+)?(?:beginning|start)\s+of\s+"
           rf"(?:(?P<y>{_YEAR})|(?:the|this)\s+year)"
           r"(?:\s+(?:to|until|till|up\s+to)\s+(?:the\s+present|present|now|date|today))?"
           r"|so\s+far\s+this\s+year|(?:this\s+)?year[\s-]+to[\s-]+date)\b"),
        _h_year_start,
        "kwyear",
    ),
    (
        _p(rf"\btừ\s+đầu\s+năm(?:\s+(?P<y>{_YEAR}))?(?:\s+(?:đến|tới)\s+nay)?"),
        _h_year_start,
        "vi",
    ),
    (
        _p(r"\b(?P<u>tháng|năm)\s+(?P<which>trước|ngoái|nay|này)\b"),
        _h_vi_relative,
        "vi",
    ),
    (
        _p(r"\b(?:in|over|during|for|within|throughout)\s+the\s+(?:past|last|previous)\s+"
           r"(?:(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+)?"
           r"(?P<u>years?|months?|weeks?|days?)\b"),
        _h_past,
        "kw",
    ),
    (
        _p(r"\b(?P<which>last|this)\s+(?P<u>month|year|week)\b"),
        _h_relative,
        "kw",
    ),
    (
        _p(r"\b(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last|final|1st|2nd|3rd|4th)\s+"
           r"(?:(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven)\s+months|(?P<part>half|quarter))"
           rf"|Q(?P<q>[1-4]))(?:\s+of|,)?\s+(?:(?P<y>{_YEAR})\b|(?:the|this|(?P<which>last))\s+year\b)"),
        _h_half,
        "kw",
    ),
    (
        _p(rf"\b(?:(?:on|since|by|until|(?P<last>last|this|past))\s+)(?P<t>(?P<w>{_WEEKDAY_NAMES}))"
           rf"\b(?!\s*,?\s*(?:\d|{_FULL_MONTH[3:-1]}|ngày|\d))"),
        _h_weekday,
        "weekday",
    ),
    (
        _p(rf"\b(?P<m>{_MONTH})\.?,?\s+(?P<d>{_DAY}){_ORD}(?![\d:,.]\d|\s*[-–—]\s*\d|\d)"),
        _h_md,
        "month",
    ),
    (
        _p(rf"\b(?P<d>{_DAY}){_ORD}\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?(?!,?\s*\d)"),
        _h_md,
        "month",
    ),
    (
        _p(rf"\b(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b(?![.,/-]\d)"),
        _h_month_year,
        "month",
    ),
    (
        _p(rf"\b(?:(?:in|during|since|until|till|by|through|from|(?:the\s+)?(?:end|beginning|start|middle)\s+of)\s+"
           rf"|(?:early|late|mid)(?:\s*-\s*|\s+))(?P<t>(?P<m>{_FULL_MONTH}))\b(?!\.?,?\s*\d)"),
        _h_month,
        "month",
    ),
    (
        _p(rf"\b(?:(?:in|during|since|until|till|by|through|from|of|year|throughout|năm)\s+"
           rf"|(?:early|late|mid)(?:\s*-\s*|\s+))(?P<t>(?P<y>{_YEAR}))\b(?![.,/-]\d|\s*[-–—]\s*\d)"),
        _h_year,
        "year",
    ),
)

# In running text month names are capitalised, so the patterns that start
# with a month or a digit can be matched case-sensitively, which is faster.
_CASE_SENSITIVE_OK = frozenset({
    _h_iso, _h_num_dmy, _h_mdy, _h_range_md_md, _h_range_m_dd, _h_range_dd_m, _h_range_months,
    _h_range_years, _h_md, _h_month_year,
})  # fmt: skip


def _first_class(alternatives: str, before: str) -> str:
    """``alternatives`` ("(?:January|...)", each starting with a plain character)
    written to start with one character class, so the regex engine can skip
    ahead to a possible first character fast; ``before`` (a look-behind
    assertion, two characters wide, the second being that first character)
    stands for what had to hold before it.  Same matches, same order of trying.
    """
    alts = alternatives.removeprefix("(?:").removesuffix(")").split("|")
    firsts = sorted({a[0] for a in alts})
    return f"[{''.join(firsts)}]{before}(?:" + "|".join(f"(?<={a[0]}){a[1:]}" for a in alts) + ")"


# What may stand first in a case-sensitive pattern, each with its fast form.
# "\b" before a word character is "no word character before it": "(?<!\w.)"
# once that character is read.  _DAY's "0?[1-9]|[12]\d|3[01]" is tried as
# "0[1-9]", "[1-9]", "[12]\d", "3[01]", in that order, as the engine tries it.
_FAST_DAY = r"[0-9](?<!\w.)(?:(?<=0)[1-9]|(?<=[1-9])|(?<=[12])\d|(?<=3)[01])"
_FAST_STARTS = (
    (r"\b(?P<{g}>" + _MONTH + ")", "(?P<{g}>" + _first_class(_MONTH, r"(?<!\w.)") + ")"),
    (r"\b(?P<{g}>" + _FULL_MONTH + ")", "(?P<{g}>" + _first_class(_FULL_MONTH, r"(?<!\w.)") + ")"),
    (r"\b(?P<{g}>" + _DAY + ")", "(?P<{g}>" + _FAST_DAY + ")"),
    (r"(?<![\d.,/-])\b(?P<{g}>" + _YEAR + ")", r"(?P<{g}>[12](?<![\d.,/-].)(?<!\w.)(?:(?<=1)9|(?<=2)0)\d{{2}})"),
    (r"(?<![\d/.-])(?P<{g}>" + _YEAR + ")", r"(?P<{g}>[12](?<![\d/.-].)(?:(?<=1)9|(?<=2)0)\d{{2}})"),
    (r"(?<![\d/.-])(?P<{g}>\d{{1,2}})", r"(?P<{g}>\d(?<![\d/.-]\d)\d?)"),
)


def _fast_start(pattern: str) -> str:
    """``pattern`` with its start in the fast form of _FAST_STARTS, if it has one of them."""
    for group in ("m", "m1", "d", "d1", "y", "y1"):
        for slow, fast in _FAST_STARTS:
            slow = slow.replace("{g}", group).replace("{{", "{").replace("}}", "}")
            if pattern.startswith(slow):
                return fast.replace("{g}", group).replace("{{", "{").replace("}}", "}") + pattern[len(slow) :]
    return pattern


# Two case-insensitive patterns that run on every month or year window, in a
# fast form: the first character as a class of every character (?i) matches
# to the first letters (with "İ", "ı" for "i" and "ſ" for "s"), then the rest
# case-insensitively, each alternative checking that character by a
# look-behind, in the order of the plain form.  Keyed by the plain form: if
# that is changed, the plain form is used.
_CASELESS_FAST = {
    (
        rf"\b(?:(?:in|during|since|until|till|by|through|from|(?:the\s+)?(?:end|beginning|start|middle)\s+of)\s+"
        rf"|(?:early|late|mid)(?:\s*-\s*|\s+))(?P<t>(?P<m>{_FULL_MONTH}))\b(?!\.?,?\s*\d)"
    ): (
        r"[IiİıDdSsſUuTtBbFfEeMmLl](?<!\w.)(?i:"
        r"(?:(?:(?<=i)n|(?<=d)uring|(?<=s)ince|(?<=u)ntil|(?<=t)ill|(?<=b)y|(?<=t)hrough|(?<=f)rom"
        r"|(?:(?<=t)he\s+(?:end|beginning|start|middle)|(?<=e)nd|(?<=b)eginning|(?<=s)tart|(?<=m)iddle)\s+of)\s+"
        r"|(?:(?<=e)arly|(?<=l)ate|(?<=m)id)(?:\s*-\s*|\s+))"
        rf"(?P<t>(?P<m>{_FULL_MONTH}))\b(?!\.?,?\s*\d))"
    ),
    (
        rf"\b(?:(?:in|during|since|until|till|by|through|from|of|year|throughout|năm)\s+"
        rf"|(?:early|late|mid)(?:\s*-\s*|\s+))(?P<t>(?P<y>{_YEAR}))\b(?![.,/-]\d|\s*[-–—]\s*\d)"
    ): (
        r"[IiİıDdSsſUuTtBbFfOoYyNnEeLlMm](?<!\w.)(?i:"
        r"(?:(?:(?<=i)n|(?<=d)uring|(?<=s)ince|(?<=u)ntil|(?<=t)ill|(?<=b)y|(?<=t)hrough|(?<=f)rom|(?<=o)f"
        r"|(?<=y)ear|(?<=t)hroughout|(?<=n)ăm)\s+"
        r"|(?:(?<=e)arly|(?<=l)ate|(?<=m)id)(?:\s*-\s*|\s+))"
        rf"(?P<t>(?P<y>{_YEAR}))\b(?![.,/-]\d|\s*[-–—]\s*\d))"
    ),
}


def _strict_form(pattern: re.Pattern, handler: _Handler) -> re.Pattern:
    if handler in _CASE_SENSITIVE_OK:
        return re.compile(_fast_start(pattern.pattern))
    fast = _CASELESS_FAST.get(pattern.pattern)
    return re.compile(fast) if fast is not None else pattern


_STRICT_PATTERNS: tuple[tuple[re.Pattern, _Handler, str], ...] = tuple(
    (_strict_form(p, h), h, need) for p, h, need in _PATTERNS
)

# What the search (geomap.text.date_search) needs to know of each pattern's reader:
# which read ranges ("from"/"between" may stand before them) and days (a weekday may).
_RANGE_HANDLERS = frozenset({_h_range_md_md, _h_range_m_dd, _h_range_dd_m, _h_range_months, _h_range_years})
_DAY_HANDLERS = frozenset({_h_num_dmy, _h_mdy, _h_md})
# Handlers that give nothing without a reference date, whatever the match.
_NEED_REF = frozenset({_h_md, _h_month, _h_past, _h_relative, _h_weekday, _h_vi_relative})
# Literals a match of a pattern cannot do without: when a window holds none
# of one group of them, the pattern cannot match there and is not run.
# (literals, case-insensitive?) -- the literals are lower case.
_YEAR_LITS = ("19", "20")  # _YEAR is (?:19|20)\d{2}
_CONN_LITS = ("-", "–", "—", "to", "til", "through", "and")  # _CONN; "til": until, till
_YEAR_GROUP = (_YEAR_LITS, False)  # one object each, so windows keep one answer for it
_CONN_GROUP = (_CONN_LITS, False)
_REQUIRES: dict[tuple[_Handler, str], tuple[tuple[tuple[str, ...], bool], ...]] = {
    (_h_mdy, "month"): (_YEAR_GROUP,),
    (_h_month_year, "month"): (_YEAR_GROUP,),
    (_h_range_md_md, "month"): (_CONN_GROUP,),
    (_h_range_m_dd, "month"): (_CONN_GROUP,),
    (_h_range_dd_m, "month"): (_CONN_GROUP,),
    (_h_range_months, "month"): (_CONN_GROUP,),
    (_h_range_years, "year"): (_CONN_GROUP, _YEAR_GROUP),
    (_h_year_start, "kwyear"): ((("beginning", "start", "far", "date"), True),),
    (_h_past, "kw"): ((("past", "last", "previous"), True),),
    (_h_relative, "kw"): ((("last", "this"), True),),
    (_h_half, "kw"): ((("first", "second", "third", "fourth", "last", "final", "1st", "2nd", "3rd", "4th", "q"), True),),
}
