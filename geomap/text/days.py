"""Day arithmetic shared by the date readers of every language.

A day if it exists, a month's last day, months added to a day, the year of a
day stated without one, and the day relative dates are resolved against.
"""

from __future__ import annotations

import calendar
import datetime as dt

from geomap.records import DateSpan

__all__ = ["day_or_none", "month_end", "reference_date", "shift_months", "year_for"]


def reference_date(ref: DateSpan | dt.date | None) -> dt.date | None:
    """The day relative dates are resolved against: the last day of ``ref``."""
    if ref is None:
        return None
    if isinstance(ref, dt.datetime):
        return ref.date()
    if isinstance(ref, dt.date):
        return ref
    return ref.end or ref.start


def day_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def year_for(month: int, day: int, ref: dt.date) -> int:
    """The year of a month/day stated without one: the reference year, or the one before."""
    first = day_or_none(ref.year, month, min(day, calendar.monthrange(ref.year, month)[1]))
    return ref.year - 1 if first is not None and first > ref else ref.year
