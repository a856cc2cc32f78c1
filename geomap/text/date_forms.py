"""Date forms: the words and regex pieces dates are written with, and the readers of single dates.

Each reader ("handler") gets a match of one pattern of
:mod:`geomap.text.date_patterns`, the reference day and whether month names
must be capitalised, and gives ``(start, end, precision)`` or ``None`` to
turn the match down.  Here: full dates, a day and month, a month and year, a
month, a year (in English and Vietnamese).  Ranges and periods are in
:mod:`geomap.text.periods`.  Month and weekday names are in
``geomap/lang/en.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from geomap import lang
from geomap.text.days import day_or_none, month_end, year_for

__all__ = ["MONTHS"]

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
# "the past two weeks", "the first six months": the number words a period is counted in
_NUM_WORDS: dict[str, int] = {
    **{word: value for word, value in _EN["numbers"]["ones"].items() if 1 <= value <= 12},
    "a": 1,
    "an": 1,
}
_WEEKDAY_NAMES = "|".join(name.capitalize() for name in _EN["weekdays"])  # "Monday|...|Sunday"


def _month_num(token: str, *, strict_case: bool) -> int | None:
    if strict_case and not (token[:1].isupper()):
        return None
    return MONTHS.get(token.lower().rstrip("."))


# be capitalised; it returns (start, end, precision) or None to reject.

_Result = tuple[dt.date, dt.date, str] | None
_Handler = Callable[[re.Match, dt.date | None, bool, str], _Result]


def _h_iso(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    d = day_or_none(int(m["y"]), int(m["mo"]), int(m["d"]))
    return (d, d, "day") if d else None


def _h_num_dmy(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    a, b, year = int(m["d"]), int(m["mo"]), int(m["y"])
    day, month = (b, a) if b > 12 >= a else (a, b)
    d = day_or_none(year, month, day)
    return (d, d, "day") if d else None


def _h_mdy(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    d = day_or_none(int(m["y"]), month, int(m["d"]))
    return (d, d, "day") if d else None


def _h_vi_day(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    day, month = int(m["d"]), int(m["mo"])
    if m["y"]:
        year = int(m["y"])
    elif ref is not None and 1 <= month <= 12:
        year = year_for(month, day, ref)
    else:
        return None
    d = day_or_none(year, month, day)
    return (d, d, "day") if d else None


def _h_vi_month(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month, year = int(m["mo"]), int(m["y"])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1), month_end(year, month), "month"


def _h_md(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None or ref is None:
        return None
    day = int(m["d"])
    d = day_or_none(year_for(month, day, ref), month, day)
    return (d, d, "day") if d else None


def _h_month_year(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    year = int(m["y"])
    return dt.date(year, month, 1), month_end(year, month), "month"


def _h_month(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    month = _month_num(m["m"], strict_case=strict)
    if month is None or ref is None:
        return None
    year = year_for(month, 1, ref)
    return dt.date(year, month, 1), month_end(year, month), "month"


def _h_year(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    year = int(m["y"])
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
