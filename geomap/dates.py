"""Dates and periods as news reports state them.

:func:`parse_date` reads one date string (a metadata field, a header line);
:func:`find_dates` finds every date or period in a stretch of text, with its
offsets, resolved against the article's own date; :func:`find_publication_date`
looks for the date stamp reports carry in their first lines.

Rules (every :class:`~geomap.records.DateSpan` has inclusive ``start``/``end``):

* Full dates -- ``2023-12-13`` (a time after it is allowed), ``2023/12/13``,
  ``28/06/2023``, ``28-06-2023``, ``28.06.2023`` (numeric dates are read
  day first, as in Vietnam and most of Asia; month first only when the second
  number cannot be a month), ``May, 10 2019``, ``December 13, 2023``,
  ``13 December 2023``, ``Thứ Tư, 28/06/2023`` (a weekday before the date is
  part of it), ``ngày 28 tháng 6 năm 2023`` -- have precision ``"day"``.
* ``December 2023``, ``tháng 6/2023``, ``2023-12`` (parse_date only): ``"month"``.
  ``in 2022`` (a year after *in, during, of, by, until, from, since, early,
  late, mid-, year*; a bare four-digit number alone is not a date): ``"year"``.
* A day or month without a year ("On November 4", "in September") takes the
  year of the reference date, or the year before when that would put it after
  the reference date.  Without a reference such dates are left out: a date
  the text does not pin down is never guessed.
* Ranges -- "October 14 - 15", "from April 25 to 28", "from October 30 to
  November 1, 2022", "14-15 October", "from April to October", "2019-2023" --
  have precision ``"range"``, from the first day of the first part to the last
  day of the last.  "and" joins a range only after "between".
* "since X" (any date, month or year) and "from X to the present/now/date"
  have precision ``"since"``: ``start`` is the first day of X, ``end`` the
  reference date (``None`` without one, or when it comes before X).  "so far this year", "since the
  beginning of the year", "year to date" run from 1 January of the reference
  year; "from the beginning of 2025 to the present" from 1 January 2025.
* "in the past year", "over the last 6 months", "in the past two weeks": a
  ``"range"`` from that long before the reference date to the reference date.
  A plural unit without a number ("over the past months", "in recent years")
  is vague and left out.
* "last month" / "last year" / "this month" / "this year" / "last week": the
  calendar month or year (``"month"``/``"year"``) around the reference date;
  "last week" is the seven days before it (``"range"``).
* "on Wednesday" (also "since/by/until/last Wednesday"): the latest
  Wednesday on or before the reference date ("last Wednesday": before it),
  precision ``"day"``.  A weekday before a full date is part of that date.
* "the first half of 2021", "the second quarter of this year", "Q3 2022",
  "the first six months of the year": a ``"range"`` of those months; a part
  of the reference year still under way ends at the reference date.
* Left out: "the same day", "today", "recently", "the coming time": they
  point at no date a reader could check.

* Vietnamese: "ngày 28/6/2023", "tháng 6/2023", "năm 2023", "từ đầu năm (đến
  nay)" (since 1 January of the reference year), "từ năm 2019 đến nay"
  (since 2019), "tháng trước"/"năm ngoái" (last month/year), "tháng này"/
  "năm nay".

Month names are English and must be capitalised in running text ("may" and
"march" are verbs); :func:`parse_date` accepts any case.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator

from geomap import lang
from geomap._errors import InputError
from geomap.records import DateSpan

__all__ = [
    "MONTHS",
    "find_dates",
    "find_publication_date",
    "parse_date",
    "parse_iso_date_arg",
    "reference_date",
]

_EN = lang.resources("en")
#: Month names and abbreviations (lower case) and their numbers, from ``geomap/lang/en.yaml``.
MONTHS: dict[str, int] = {**_EN["months"], **_EN["month_abbreviations"]}

# "(?:January|...|December)" and the same with the abbreviations after ("|Sept|Jan|...|Dec")
_FULL_MONTH = "(?:" + "|".join(name.capitalize() for name in _EN["months"]) + ")"
_MONTH = _FULL_MONTH[:-1] + "|" + "|".join(name.capitalize() for name in _EN["month_abbreviations"]) + ")"
_YEAR = r"(?:19|20)\d{2}"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD = r"(?:st|nd|rd|th)?"
_WEEKDAY = (
    r"(?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|"
    r"Thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy|[2-7])|Chủ\s+[Nn]hật)\s*,?\s*)?"
)
_CONN = r"(?P<conn>\s*[-–—]\s*|\s+(?:to|until|till|through|and)\s+)"
_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}  # fmt: skip


def reference_date(ref: DateSpan | dt.date | None) -> dt.date | None:
    """The day relative dates are resolved against: the last day of ``ref``."""
    if ref is None:
        return None
    if isinstance(ref, dt.datetime):
        return ref.date()
    if isinstance(ref, dt.date):
        return ref
    return ref.end or ref.start


# -- small date helpers -------------------------------------------------------


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_num(token: str, *, strict_case: bool) -> int | None:
    if strict_case and not (token[:1].isupper()):
        return None
    return MONTHS.get(token.lower().rstrip("."))


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _year_for(month: int, day: int, ref: dt.date) -> int:
    """The year of a month/day stated without one: the reference year, or the one before."""
    first = _day(ref.year, month, min(day, calendar.monthrange(ref.year, month)[1]))
    return ref.year - 1 if first is not None and first > ref else ref.year


# -- patterns -----------------------------------------------------------------
# Each handler gets the match, the reference day and whether month names must
# be capitalised; it returns (start, end, precision) or None to reject.

_Result = tuple[dt.date, dt.date, str] | None
_Handler = Callable[[re.Match, dt.date | None, bool, str], _Result]


def _h_iso(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    d = _day(int(m["y"]), int(m["mo"]), int(m["d"]))
    return (d, d, "day") if d else None


def _h_num_dmy(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    a, b, year = int(m["d"]), int(m["mo"]), int(m["y"])
    day, month = (b, a) if b > 12 >= a else (a, b)
    d = _day(year, month, day)
    return (d, d, "day") if d else None


def _h_mdy(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    d = _day(int(m["y"]), month, int(m["d"]))
    return (d, d, "day") if d else None


def _h_vi_day(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    day, month = int(m["d"]), int(m["mo"])
    if m["y"]:
        year = int(m["y"])
    elif ref is not None and 1 <= month <= 12:
        year = _year_for(month, day, ref)
    else:
        return None
    d = _day(year, month, day)
    return (d, d, "day") if d else None


def _h_vi_month(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month, year = int(m["mo"]), int(m["y"])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1), _month_end(year, month), "month"


def _h_md(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None or ref is None:
        return None
    day = int(m["d"])
    d = _day(_year_for(month, day, ref), month, day)
    return (d, d, "day") if d else None


def _h_month_year(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    year = int(m["y"])
    return dt.date(year, month, 1), _month_end(year, month), "month"


def _h_month(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None or ref is None:
        return None
    year = _year_for(month, 1, ref)
    return dt.date(year, month, 1), _month_end(year, month), "month"


def _h_year(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    year = int(m["y"])
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"


def _range_ok(m: re.Match, pre: str) -> bool:
    conn = m["conn"].strip()
    pre = pre.strip().lower()
    if conn == "and":
        return pre == "between"
    return True


def _h_range_md_md(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    m1 = _month_num(m["m1"], strict_case=strict)
    m2 = _month_num(m["m2"], strict_case=strict)
    if m1 is None or m2 is None:
        return None
    d1, d2 = int(m["d1"]), int(m["d2"])
    y2 = int(m["y2"]) if m["y2"] else (_year_for(m2, d2, ref) if ref else None)
    if y2 is None:
        return None
    y1 = int(m["y1"]) if m["y1"] else (y2 if (m1, d1) <= (m2, d2) else y2 - 1)
    a, b = _day(y1, m1, d1), _day(y2, m2, d2)
    return (a, b, "range") if a and b and a <= b else None


def _h_range_m_dd(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    d1, d2 = int(m["d1"]), int(m["d2"])
    year = int(m["y"]) if m["y"] else (_year_for(month, d2, ref) if ref else None)
    if year is None:
        return None
    a, b = _day(year, month, d1), _day(year, month, d2)
    return (a, b, "range") if a and b and a < b else None


def _h_range_dd_m(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    m2 = _month_num(m["m2"], strict_case=strict)
    m1 = _month_num(m["m1"], strict_case=strict) if m["m1"] else m2
    if m1 is None or m2 is None:
        return None
    d1, d2 = int(m["d1"]), int(m["d2"])
    y2 = int(m["y"]) if m["y"] else (_year_for(m2, d2, ref) if ref else None)
    if y2 is None:
        return None
    y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
    a, b = _day(y1, m1, d1), _day(y2, m2, d2)
    return (a, b, "range") if a and b and a < b else None


def _h_range_months(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    if not pre and m["conn"].strip() not in "-–—":
        return None
    m1 = _month_num(m["m1"], strict_case=strict)
    m2 = _month_num(m["m2"], strict_case=strict)
    if m1 is None or m2 is None:
        return None
    if m["y2"]:
        y2 = int(m["y2"])
    elif ref is not None:
        y2 = _year_for(m2, 1, ref)
    else:
        return None
    y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
    a, b = dt.date(y1, m1, 1), _month_end(y2, m2)
    return (a, b, "range") if a < b else None


def _h_range_years(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    y1, y2 = int(m["y1"]), int(m["y2"])
    if y1 >= y2:
        return None
    return dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range"


def _h_year_start(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if m["y"]:
        year = int(m["y"])
    elif ref is not None:
        year = ref.year
    else:
        return None
    start = dt.date(year, 1, 1)
    if ref is not None and ref < start:
        return None
    return start, ref, "since"  # type: ignore[return-value]


def _h_past(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if ref is None:
        return None
    unit = m["u"].lower()
    plural = unit.endswith("s")
    n_text = (m["n"] or "").lower()
    if not n_text:
        if plural:
            return None  # "over the past months": vague
        n = 1
    else:
        n = int(n_text) if n_text.isdigit() else _NUM_WORDS.get(n_text, 0)
        if n <= 0:
            return None
    base = unit.rstrip("s")
    if base == "year":
        start = _shift_months(ref, -12 * n)
    elif base == "month":
        start = _shift_months(ref, -n)
    elif base == "week":
        start = ref - dt.timedelta(weeks=n)
    else:
        start = ref - dt.timedelta(days=n)
    return start, ref, "range"


def _h_relative(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if ref is None:
        return None
    which, unit = m["which"].lower(), m["u"].lower()
    if unit == "week":
        if which != "last":
            return None
        return ref - dt.timedelta(days=7), ref - dt.timedelta(days=1), "range"
    if unit == "year":
        year = ref.year - 1 if which == "last" else ref.year
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    first = _shift_months(ref.replace(day=1), -1 if which == "last" else 0)
    return first, _month_end(first.year, first.month), "month"


_WEEKDAYS: dict[str, int] = dict(_EN["weekdays"])
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "final": 4, "1st": 1, "2nd": 2,
             "3rd": 3, "4th": 4}


def _h_vi_relative(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    """ "tháng trước" (last month), "năm ngoái" (last year), "tháng này", "năm nay"."""
    if ref is None:
        return None
    last = m["which"].lower() in ("trước", "ngoái")
    if m["u"].lower() == "năm":
        year = ref.year - 1 if last else ref.year
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    first = _shift_months(ref.replace(day=1), -1 if last else 0)
    return first, _month_end(first.year, first.month), "month"


def _h_weekday(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    """ "on Wednesday": the latest such day on or before the reference date."""
    if ref is None or (strict and not m["w"][:1].isupper()):
        return None
    back = (ref.weekday() - _WEEKDAYS[m["w"].lower()]) % 7
    if (m["last"] or "").lower() == "last" and back == 0:
        back = 7
    d = ref - dt.timedelta(days=back)
    return d, d, "day"


def _part_year(m: re.Match, ref: dt.date | None) -> int | None:
    if m["y"]:
        return int(m["y"])
    which = (m["which"] or "").lower()
    if ref is None:
        return None
    return ref.year - 1 if which == "last" else ref.year


def _h_half(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    """ "the first half of 2021", "the second quarter of the year", "Q3 2022", "first six months"."""
    year = _part_year(m, ref)
    if year is None:
        return None
    if m["q"]:
        first, n = (int(m["q"]) - 1) * 3 + 1, 3
    elif m["n"]:
        n_text = m["n"].lower()
        n = int(n_text) if n_text.isdigit() else _NUM_WORDS.get(n_text, 0)
        if not 1 <= n <= 12:
            return None
        first = 1 if m["ord"].lower() == "first" else 13 - n
        if m["ord"].lower() not in ("first", "last"):
            return None
    else:
        part = _ORDINALS.get(m["ord"].lower())
        size = 6 if m["part"].lower() == "half" else 3
        count = 12 // size
        if part is None or part > count and m["ord"].lower() not in ("last", "final"):
            return None
        part = count if m["ord"].lower() in ("last", "final") else part
        first, n = (part - 1) * size + 1, size
    start = dt.date(year, first, 1)
    end = _month_end(year, first + n - 1)
    if ref is not None and not m["y"] and end > ref >= start:
        end = ref
    return start, end, "range"


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
        _p(r"\b(?:(?:on|since|by|until|(?P<last>last|this|past))\s+)(?P<t>(?P<w>Monday|Tuesday|Wednesday|Thursday"
           r"|Friday|Saturday|Sunday))\b(?!\s*,?\s*(?:\d|January|February|March|April|May|June|July|August"
           r"|September|October|November|December|ngày|\d))"),
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
_RANGE_HANDLERS = frozenset({_h_range_md_md, _h_range_m_dd, _h_range_dd_m, _h_range_months, _h_range_years})
_DAY_HANDLERS = frozenset({_h_num_dmy, _h_mdy, _h_md})
_PRE_BEFORE = re.compile(r"\b(from|between)\s+\Z", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"(?<!\w){_WEEKDAY.removesuffix('?')}\Z")
_SINCE_BEFORE = re.compile(
    r"\b(?:since|from|từ)\s+(?:(?:early|late|mid)(?:\s*-\s*|\s+)|năm\s+)?$", re.IGNORECASE
)
_PRESENT_AFTER = re.compile(
    r"^\s+(?:(?:to|until|till|up\s+to)\s+(?:the\s+present|present|now|date|today)|(?:đến|tới)\s+nay)\b",
    re.IGNORECASE,
)


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
_WEEKDAY_WORDS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Thứ", "Chủ"}
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


def _as_since(text: str, begin: int, stop: int, span: DateSpan, ref: dt.date | None, lo: int, hi: int) -> DateSpan:
    """Turn "since X" and "from X to the present" into a "since" span."""
    if span.precision == "since":
        return span
    before = _SINCE_BEFORE.search(text, max(lo, begin - 18), begin)
    if before is None:
        return span
    word = before.group().split()[0].lower()
    after = _PRESENT_AFTER.match(text[stop:hi])
    if word in ("from", "từ") and after is None:
        return span
    new_begin = before.start()
    new_stop = stop + (after.end() if after else 0)
    end = ref if ref is not None and span.start is not None and ref >= span.start else None
    return DateSpan(span.start, end, "since", text[new_begin:new_stop], new_begin, new_stop)


def find_dates(
    text: str,
    *,
    ref: DateSpan | dt.date | None = None,
    start: int = 0,
    end: int | None = None,
) -> list[DateSpan]:
    """Every date or period stated in ``text[start:end]``, in text order.

    Parameters
    ----------
    text
        The article text (offsets in the result index it).
    ref
        The article's date, against which dates without a year and relative
        periods are resolved (see the module docstring for the rules).
    start, end
        The stretch to search, e.g. one sentence.

    Returns
    -------
    list of DateSpan
        With ``text``, ``begin`` and ``stop`` set, ``text[begin:stop] == span.text``.
    """
    hi = len(text) if end is None else min(end, len(text))
    lo = max(0, start)
    ref_day = reference_date(ref)
    spans = []
    for begin, stop, span in _collect(text, lo, hi, ref_day, True):
        spans.append(_as_since(text, begin, stop, span, ref_day, lo, hi))
    if not text[lo:hi].isascii():  # Vietnamese and Chinese forms of their own
        spans = _with_local(text, lo, hi, ref_day, spans)
    # "since" may have grown a span over a neighbour: keep the first of overlaps.
    kept: list[DateSpan] = []
    for span in spans:
        if kept and span.begin is not None and kept[-1].stop is not None and span.begin < kept[-1].stop:
            continue
        kept.append(span)
    return kept


def _with_local(text: str, lo: int, hi: int, ref: dt.date | None, spans: list[DateSpan]) -> list[DateSpan]:
    """``spans`` with the dates :mod:`geomap.lang.vi` and :mod:`geomap.lang.zh` find; the longer of two overlapping wins."""
    from geomap.lang import vi, zh

    extra = vi.find_dates(text, ref, lo, hi)
    if zh.has_han(text, lo, hi):
        extra += zh.find_dates(text, ref, lo, hi)
    if not extra:
        return spans
    merged = sorted([*spans, *extra], key=lambda s: (-((s.stop or 0) - (s.begin or 0)), s.begin or 0))
    taken: list[DateSpan] = []
    for span in merged:
        if all((span.stop or 0) <= (t.begin or 0) or (span.begin or 0) >= (t.stop or 0) for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.begin or 0)


_LABEL = re.compile(
    r"^\s*(?:(?:last\s+)?updated|published|posted|date|cập\s+nhật|ngày\s+đăng|đăng\s+lúc)"
    r"\s*(?:on|at)?\s*[:：-]?\s*",
    re.IGNORECASE,
)
_TIME_TAIL = re.compile(
    r"(?:[\s,|]+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"
    r"(?:\(?(?:GMT|UTC|ICT)?\s*[+-]?\d{0,2}(?::?\d{2})?\)?)?)\s*$"
)
_ISO_TZ = re.compile(
    rf"^(?P<y>{_YEAR})-(?P<mo>\d{{2}})-(?P<d>\d{{2}})"
    r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(text: str) -> DateSpan | None:
    """Read one date string; ``None`` when it is not a date.

    Accepts ISO dates (with or without a time), numeric day/month/year with
    ``/``, ``-`` or ``.``, "May, 10 2019", "13 December 2023", "December 13,
    2023", "December 2023", "2023-12", "2023", with an optional label
    ("Updated:") and weekday before and a time after.  Never raises.

    Examples
    --------
    >>> parse_date("Updated: 2023-12-13 10:09").start
    datetime.date(2023, 12, 13)
    >>> parse_date("December 2023").precision
    'month'
    """
    if not isinstance(text, str):
        return None
    s = " ".join(text.split()).strip(" .,;|")
    if not s:
        return None
    s = _LABEL.sub("", s)
    rfc = _rfc2822(s)
    if rfc is not None:
        return DateSpan(rfc, rfc, "day", text.strip())
    m = _ISO_TZ.match(s)
    if m:
        d = _day(int(m["y"]), int(m["mo"]), int(m["d"]))
        return DateSpan(d, d, "day", text.strip()) if d else None
    s = _TIME_TAIL.sub("", s).strip(" .,;|")
    if re.fullmatch(_YEAR, s):
        y = int(s)
        return DateSpan(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", text.strip())
    m = re.fullmatch(rf"({_YEAR})[-/](0?[1-9]|1[0-2])", s)
    if m:
        y, mo = int(m[1]), int(m[2])
        return DateSpan(dt.date(y, mo, 1), _month_end(y, mo), "month", text.strip())
    found = _collect(s, 0, len(s), None, False)
    if not found and not s.isascii():  # "2023年09月08日"
        from geomap.lang import zh

        found = [(d.begin, d.stop, d) for d in zh.find_dates(s, None) if d.precision in ("day", "month", "year")]
    if len(found) != 1:
        return None
    begin, stop, span = found[0]
    if s[:begin].strip(" ,") or s[stop:].strip(" ,."):
        return None
    return DateSpan(span.start, span.end, span.precision, text.strip())


_RFC2822 = re.compile(r"(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|[A-Z]{2,4})")


def _rfc2822(text: str) -> dt.date | None:
    """The day of an RFC 2822 date ("Fri, 08 Sep 2023 10:20:00 +0700", as feeds carry), as its writer meant it."""
    if not _RFC2822.fullmatch(text):
        return None
    import email.utils

    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return None
    return _day(parsed[0], parsed[1], parsed[2])


def parse_iso_date_arg(text: str) -> dt.date:
    """Parse a ``YYYY-MM-DD`` command-line argument (``--since``/``--until``).

    Raises
    ------
    InputError
        ``bad date: 'xx' (expected YYYY-MM-DD)``.
    """
    value = text.strip() if isinstance(text, str) else text
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    msg = f"bad date: {text!r} (expected YYYY-MM-DD)"
    raise InputError(msg)


_HEADER_LABEL = re.compile(r"(?:updated|published|posted|date|cập nhật|\||—|·)", re.IGNORECASE)


def first_lines(text: str, max_lines: int) -> Iterator[tuple[int, str]]:
    """The first ``max_lines`` non-empty lines of ``text``, each with the offset where it starts."""
    pos = 0
    seen = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        seen += 1
        if seen > max_lines:
            return
        yield line_start, line


def find_publication_date(text: str, *, max_lines: int = 8) -> DateSpan | None:
    """The date stamp in a report's first ``max_lines`` non-empty lines, if any.

    A line counts as a date line when the date fills most of it ("Thứ Tư,
    28/06/2023, 07:23", "May, 10 2019") or when it carries a label or a
    by-line separator ("By X | Paper | Updated: 2023-12-13 10:09").  Dates in
    body sentences are not taken for the publication date.  Only dates that
    state their year count.  Offsets index ``text``.
    """
    for line_start, line in first_lines(text, max_lines):
        spans = [s for s in find_dates(line, ref=None) if s.precision in ("day", "month")]
        if not spans:
            continue
        span = spans[0]
        short = len(line.strip()) <= max(40, 2 * len(span.text))
        if not (short or _HEADER_LABEL.search(line)):
            continue
        if span.begin is None or span.stop is None:
            continue
        return DateSpan(
            span.start, span.end, span.precision, span.text, line_start + span.begin, line_start + span.stop
        )
    return None
