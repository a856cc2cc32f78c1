"""Dates and periods as news reports state them.

:func:`parse_date` reads one date string (a metadata field, a header line);
:func:`find_dates` finds every date or period in a stretch of text, with its
offsets, resolved against the article's own date
(:func:`geomap.text.publication.find_publication_date` looks for the date
stamp reports carry in their first lines).

The work is split by concern: :mod:`geomap.text.date_forms` reads single
dates and :mod:`geomap.text.periods` ranges and periods, each form a pattern
of :mod:`geomap.text.date_patterns`; :mod:`geomap.text.date_search` finds
where in running text to try them; :mod:`geomap.text.days` holds the day
arithmetic; this module resolves what they find against the reference date
("since X", "from X to the present") and merges in the Vietnamese and
Chinese forms of :mod:`geomap.lang.vi` and :mod:`geomap.lang.zh`.

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

import datetime as dt
import re

from geomap import lang
from geomap._errors import InputError
from geomap.records import DateSpan
from geomap.text.date_forms import _YEAR
from geomap.text.date_search import _collect
from geomap.text.days import day_or_none, month_end, reference_date

__all__ = ["find_dates", "parse_date", "parse_iso_date_arg"]

_SINCE_BEFORE = re.compile(
    r"\b(?:since|from|từ)\s+(?:(?:early|late|mid)(?:\s*-\s*|\s+)|năm\s+)?$", re.IGNORECASE
)
_PRESENT_AFTER = re.compile(
    r"^\s+(?:(?:to|until|till|up\s+to)\s+(?:the\s+present|present|now|date|today)|(?:đến|tới)\s+nay)\b",
    re.IGNORECASE,
)


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


# "Updated:", "Published on", "Cập nhật:" (from geomap/lang/*.yaml)
_LABEL = re.compile(
    r"^\s*(?:" + "|".join(label for _, part in lang.merged("dates") for label in part.get("labels", ())) + ")"
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
        d = day_or_none(int(m["y"]), int(m["mo"]), int(m["d"]))
        return DateSpan(d, d, "day", text.strip()) if d else None
    s = _TIME_TAIL.sub("", s).strip(" .,;|")
    if re.fullmatch(_YEAR, s):
        y = int(s)
        return DateSpan(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", text.strip())
    m = re.fullmatch(rf"({_YEAR})[-/](0?[1-9]|1[0-2])", s)
    if m:
        y, mo = int(m[1]), int(m[2])
        return DateSpan(dt.date(y, mo, 1), month_end(y, mo), "month", text.strip())
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
    return day_or_none(parsed[0], parsed[1], parsed[2])


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
