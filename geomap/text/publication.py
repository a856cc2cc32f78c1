"""The publication date a report states: a date line in its header, else its URL, else a dateline.

:func:`find_publication_date` looks for the date stamp reports carry in
their first lines ("Thứ Tư, 28/06/2023, 07:23", "Updated: 2023-12-13").
Many outlets put the date in the address (``/2022/03/25/...``,
``...-20230908093512345.htm``) or open the story with a dateline
("HANOI, March 25, 2022 (Wire) - ...").  :func:`geomap.text.articles.read_articles`
tries, in order: metadata (front matter, JSON fields, ``<time datetime>``),
the header (a date line under the headline), the URL, the dateline; the
first found is the article's date, and ``date_source`` says which
(``metadata``, ``header``, ``url``, ``text``).  No date is ever guessed from a
year elsewhere in the text: "the agreement of 2019" says nothing of when the
report was written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from geomap import lang
from geomap.records import DateSpan
from geomap.text.dates import find_dates

__all__ = ["DATE_SOURCES", "date_from_dateline", "date_from_url", "dateline_stop", "find_publication_date", "first_lines"]

#: Where an article's publication date came from, best first.
DATE_SOURCES = ("metadata", "header", "url", "text")

_FIRST_YEAR = 1990
# /2022/03/25/ or /2022/3/5/, /2022-03-25, _2022_03_25; then /2022/03/ (a month)
_URL_DAY = re.compile(r"(?<![0-9])((?:19|20)\d{2})([/_-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?![0-9])")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(?![0-9])")
# -20230908, /20230908/, -20230908093512345.htm: eight digits that start a run of 8 to 17
_URL_COMPACT = re.compile(r"(?<=[/_.=-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{0,9})(?![0-9])")
# "HANOI, March 25, 2022 (Wire) -", "Lang Son, 05/03/2024 –": a place, a comma, the date, a dash
_DATELINE = re.compile(r"^[ \t]*[A-Z][\w'’. -]{1,40}?,[ \t]*(?P<date>[^\n()–—-]{6,40}?)[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*[-–—]")


def day_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    return found if found.year >= _FIRST_YEAR else None


def date_from_url(url: str, *, today: dt.date | None = None) -> DateSpan | None:
    """The date an article's address carries, if any (precision ``day``, or ``month`` for ``/2022/03/``).

    Dates after ``today`` (by default, the real today plus a day) are not
    dates of publication and are ignored.
    """
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", path, flags=re.IGNORECASE)  # the host holds no date
    latest = today or (dt.date.today() + dt.timedelta(days=1))
    for m in _URL_DAY.finditer(path):
        day = day_or_none(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if day is not None and day <= latest:
            return DateSpan(day, day, "day", m.group(0))
    for m in _URL_COMPACT.finditer(path):
        day = day_or_none(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is not None and day <= latest:
            return DateSpan(day, day, "day", m.group(0)[:8])
    for m in _URL_MONTH.finditer(path):
        first = day_or_none(int(m.group(1)), int(m.group(2)), 1)
        if first is not None and first <= latest:
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return DateSpan(first, following - dt.timedelta(days=1), "month", m.group(0).strip("/"))
    return None


def date_from_dateline(text: str, *, max_lines: int = 6) -> DateSpan | None:
    """The date of a dateline that opens one of the first ``max_lines`` non-empty lines, if it states a year.

    Offsets (``begin``, ``stop``) index ``text``.
    """
    for line_start, line in first_lines(text, max_lines):
        m = _DATELINE.match(line)
        if m is None:
            continue
        found = [s for s in find_dates(m.group("date"), ref=None) if s.precision == "day" and s.start is not None]
        if not found or found[0].begin is None:
            continue
        span = found[0]
        offset = line_start + m.start("date")
        return DateSpan(span.start, span.end, "day", span.text, offset + span.begin, offset + (span.stop or span.begin))
    return None


def dateline_stop(text: str) -> int:
    """Where a dated dateline at the very start of ``text`` ends (after its dash); 0 when there is none.

    The date of "LAO CAI, September 17, 2025 (Wire) - Guards held 15 people on
    Tuesday" is when the story was filed: the first sentence's event is
    dated by "on Tuesday", not by it.
    """
    m = _DATELINE.match(text)
    return m.end() if m is not None else 0


# A label ("Updated", "Cập nhật", from geomap/lang/*.yaml) or a by-line separator marks a header line.
_HEADER_WORDS = [re.escape(word) for _, part in lang.merged("dates") for word in part.get("header_labels", ())]
_HEADER_LABEL = re.compile("(?:" + "|".join([*_HEADER_WORDS, r"\|", "—", "·"]) + ")", re.IGNORECASE)


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
