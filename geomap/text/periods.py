"""Ranges and periods: the readers of dates that span more than one day.

"October 14 - 15", "from April to October", "2019-2023"; "since the
beginning of the year", "in the past two weeks", "last month", "on
Wednesday", "the first half of 2021", "tháng trước".  Each reader has the
form of those in :mod:`geomap.text.date_forms`; periods around the
reference date need one (without it they are turned down: a date the text
does not pin down is never guessed).
"""

from __future__ import annotations

import datetime as dt
import re

from geomap.text.date_forms import _EN, _month_num, _NUM_WORDS, _Result
from geomap.text.days import day_or_none, month_end, shift_months, year_for

__all__: list[str] = []

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
    y2 = int(m["y2"]) if m["y2"] else (year_for(m2, d2, ref) if ref else None)
    if y2 is None:
        return None
    y1 = int(m["y1"]) if m["y1"] else (y2 if (m1, d1) <= (m2, d2) else y2 - 1)
    a, b = day_or_none(y1, m1, d1), day_or_none(y2, m2, d2)
    return (a, b, "range") if a and b and a <= b else None


def _h_range_m_dd(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    month = _month_num(m["m"], strict_case=strict)
    if month is None:
        return None
    d1, d2 = int(m["d1"]), int(m["d2"])
    year = int(m["y"]) if m["y"] else (year_for(month, d2, ref) if ref else None)
    if year is None:
        return None
    a, b = day_or_none(year, month, d1), day_or_none(year, month, d2)
    return (a, b, "range") if a and b and a < b else None


def _h_range_dd_m(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    if not _range_ok(m, pre):
        return None
    m2 = _month_num(m["m2"], strict_case=strict)
    m1 = _month_num(m["m1"], strict_case=strict) if m["m1"] else m2
    if m1 is None or m2 is None:
        return None
    d1, d2 = int(m["d1"]), int(m["d2"])
    y2 = int(m["y"]) if m["y"] else (year_for(m2, d2, ref) if ref else None)
    if y2 is None:
        return None
    y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
    a, b = day_or_none(y1, m1, d1), day_or_none(y2, m2, d2)
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
        y2 = year_for(m2, 1, ref)
    else:
        return None
    y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
    a, b = dt.date(y1, m1, 1), month_end(y2, m2)
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
        start = shift_months(ref, -12 * n)
    elif base == "month":
        start = shift_months(ref, -n)
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
    first = shift_months(ref.replace(day=1), -1 if which == "last" else 0)
    return first, month_end(first.year, first.month), "month"


_WEEKDAYS: dict[str, int] = dict(_EN["weekdays"])
_ORDINALS: dict[str, int] = dict(_EN["dates"]["ordinals"])


def _h_vi_relative(m: re.Match, ref: dt.date | None, strict: bool, pre: str = "") -> _Result:
    """ "tháng trước" (last month), "năm ngoái" (last year), "tháng này", "năm nay"."""
    if ref is None:
        return None
    last = m["which"].lower() in ("trước", "ngoái")
    if m["u"].lower() == "năm":
        year = ref.year - 1 if last else ref.year
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    first = shift_months(ref.replace(day=1), -1 if last else 0)
    return first, month_end(first.year, first.month), "month"


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
    end = month_end(year, first + n - 1)
    if ref is not None and not m["y"] and end > ref >= start:
        end = ref
    return start, end, "range"
