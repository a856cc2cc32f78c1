"""An article's metadata: front matter, fields, the headline and the publication date.

Metadata known from the file (Markdown front matter, JSON fields, a page's
meta tags) wins over what the text says.  A title is otherwise the first
line that looks like a headline; the publication date comes from metadata,
else the header (:func:`geomap.text.publication.find_publication_date`), the
URL or a dateline (:mod:`geomap.text.publication`), and ``date_source`` says which.
"""

from __future__ import annotations

import logging
import re

from geomap._input import MAX_FIELD_CHARS, MAX_FRONT_MATTER_BYTES, Unreadable, clean_text, load_yaml, size_text, yaml_problem
from geomap.records import DateSpan, Skipped
from geomap.text.dates import parse_date
from geomap.text.decoding import normalise
from geomap.text.publication import date_from_dateline, date_from_url, find_publication_date

__all__ = [
    "clean",
    "field",
    "first_line_title",
    "message_at",
    "meta_date",
    "publication_date",
    "short_repr",
    "split_front_matter",
    "str_field",
]

log = logging.getLogger(__name__)

_Unreadable = Unreadable

def _headline(line: str) -> bool:
    s = line.strip()
    return (
        0 < len(s) <= 200
        and len(s.split()) <= 30
        and s[-1] not in ".,;:。，；："
        and any(ch.isalpha() for ch in s)
    )


def first_line_title(text: str) -> str:
    """The headline: the first non-empty line if it looks like one.

    Site chrome before it ("Home | World", a two-word banner) is passed over:
    the first of the first four lines that looks like a headline of three or
    more words and no ``|`` wins, else the first line when it looks like one.
    """
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()][:4]
    for line in lines:
        words = len(line.split()) + len(_HAN.findall(line)) // 2  # Chinese: no spaces, two characters a word
        if _headline(line) and words >= 3 and "|" not in line and not _is_date_line(line):
            return line
    return lines[0] if lines and _headline(lines[0]) else ""


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_date_line(line: str) -> bool:
    span = find_publication_date(line)
    return span is not None and len(span.text) >= len(line) * 0.5


_MAX_DATE_CHARS = 200  # no date written out is longer


def meta_date(value: object) -> DateSpan | None:
    """A date from metadata: a string, a ``date``/``datetime`` (YAML), a year, or nothing.

    Anything else -- a number that is not finite or not a plausible year or
    compact date (``.inf``, ``.nan``, a 400-digit integer), a list, a
    mapping, a string longer than any date -- is no date (``None``).
    """
    import datetime as dt
    import math

    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return DateSpan(value, value, "day", value.isoformat())
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        value = int(value)
    if isinstance(value, int):
        if not 0 < value < 100_000_000:  # a year (2024) or a compact date (20240325)
            return None
        value = str(value)
    if not isinstance(value, str) or len(value) > _MAX_DATE_CHARS:
        return None
    return parse_date(value)


def str_field(obj: dict, key: str) -> str:
    """A metadata field as text: a string or a number; ``_Unreadable`` for a list, a mapping, or one too long."""
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, (list, dict, set, tuple)):
        raise _Unreadable(f"'{key}' is a {type(value).__name__}, not text")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        raise _Unreadable(f"'{key}' is a number of more than 20 digits, not text")
    return field(key, normalise(str(value)).strip())


def field(key: str, value: str) -> str:
    """``value`` if it is no longer than :data:`~geomap._input.MAX_FIELD_CHARS`; ``_Unreadable`` if it is."""
    if len(value) > MAX_FIELD_CHARS:
        raise _Unreadable(f"'{key}' is {len(value):,} characters long (the limit is {MAX_FIELD_CHARS:,})")
    return value


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str, path: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    m = _FRONT.match(text, 0, MAX_FRONT_MATTER_BYTES + 16)  # no front matter is longer than the limit
    if not m:
        if _FRONT.match(text):
            raise _Unreadable(f"front matter longer than {size_text(MAX_FRONT_MATTER_BYTES)}", 1)
        return {}, text
    import yaml

    try:
        meta = load_yaml(m.group(1) or "") or {}  # safe; aliases and deep nesting refused
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise _Unreadable(f"malformed front matter: {problem}", line + 1 if line is not None else None) from None
    if not isinstance(meta, dict):
        raise _Unreadable("malformed front matter: not a mapping of keys to values", 2)
    return meta, text[m.end() :]


# Markdown: a single line break inside a paragraph is a space (CommonMark's


def message_at(path: str, line: int | None, reason: str) -> str:
    """``path:line: reason``, the one-line form every message takes."""
    return str(Skipped(path, reason, line))


def clean(value: str) -> str:
    """``value`` with lone surrogates replaced (a metadata field: not worth a warning of its own)."""
    return clean_text(value)[0]


def publication_date(
    date: DateSpan | str | None, meta: dict, text: str, url: str, *, where: tuple[str, int | None] = ("", None)
) -> tuple[DateSpan | None, str]:
    """The publication date and where it came from: metadata, the header, the URL, a dateline (:mod:`geomap.text.publication`).

    A metadata date that is not a date is a warning (``where``: the file and
    line it names); the date is then looked for in the text.
    """
    span = date if isinstance(date, DateSpan) else meta_date(date)
    if span is None and meta.get("date") not in (None, ""):
        span = meta_date(meta["date"])
        if span is None:
            log.warning("%s", message_at(where[0], where[1], f"not a date: {short_repr(meta['date'])}; looking in the text instead"))
    if span is not None:
        return span, "metadata"
    span = find_publication_date(text)
    if span is not None:
        return span, "header"
    span = date_from_url(url)
    if span is not None:
        return span, "url"
    span = date_from_dateline(text)
    return span, ("text" if span is not None else "")


def short_repr(value: object) -> str:
    """``repr(value)`` cut to 80 characters, for a message about a value that may be huge."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
