"""Vietnamese dates the shared patterns of :mod:`geomap.text.dates` do not cover.

The shared ones read "ngày 24/1", "ngày 28 tháng 6 năm 2023", "tháng 3/2024",
"năm 2023", "24-1-2024", "từ đầu năm (đến nay)", "tháng trước", "năm ngoái".
These add a time of day before a day ("chiều 26/11", "rạng sáng 3/4",
"9h30 ngày 4/5", "21h 12/8") and a month without its year ("tháng 3",
resolved against the publication date).  The times of day are in ``vi.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re

from geomap import lang
from geomap.text.days import month_end, year_for
from geomap.records import DateSpan

__all__ = ["find_dates"]

_TIMES = "|".join(sorted(lang.resources("vi")["dates"]["times_of_day"], key=len, reverse=True))
_YEAR = r"(?:19|20)\d{2}"
_DAY_RE = re.compile(
    rf"(?<!\w)(?:(?:{_TIMES})|\d{{1,2}}\s*(?:h|giờ)(?:\s*\d{{2}}(?:'|\s*phút)?)?)(?:\s+(?:{_TIMES}))?\s+(?:ngày\s+)?"
    rf"(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>{_YEAR}))?(?![\d/])",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(rf"(?<!\w)tháng\s+(?P<m>\d{{1,2}})(?![\d/]|[.,]\d|\s*(?:năm|/|,)\s*\d)", re.IGNORECASE)


def find_dates(text: str, ref: dt.date | None, start: int = 0, end: int | None = None) -> list[DateSpan]:
    """The dates of the forms above in ``text[start:end]``; without a year they need ``ref``."""
    hi = len(text) if end is None else end
    spans: list[DateSpan] = []
    # each form has a "/" ("26/11") or "tháng": most stretches have neither
    day_form = text.find("/", start, hi) != -1
    month_form = ref is not None and text.find("háng", start, hi) != -1
    for m in _DAY_RE.finditer(text, start, hi) if day_form else ():
        day, month = int(m["d"]), int(m["m"])
        if not 1 <= month <= 12 or (not m["y"] and ref is None):
            continue
        try:
            d = dt.date(int(m["y"]) if m["y"] else year_for(month, day, ref), month, day)  # type: ignore[arg-type]
        except ValueError:
            continue
        spans.append(DateSpan(d, d, "day", m.group(), m.start(), m.end()))
    if month_form:
        for m in _MONTH_RE.finditer(text, start, hi):
            month = int(m["m"])
            if 1 <= month <= 12:
                try:
                    year = year_for(month, 1, ref)
                    last = month_end(year, month)
                except ValueError:  # a reference date in year 1
                    continue
                spans.append(DateSpan(dt.date(year, month, 1), last, "month", m.group(), m.start(), m.end()))
    return spans
