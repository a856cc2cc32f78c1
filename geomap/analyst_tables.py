"""Analysts' incident tables: ``*.csv`` with ``place,type,count,unit,date,source``, read as incidents.

Each row becomes an incident with ``source="table"`` and its own article
(id ``<file stem>:<line>``).  A bad row is reported in ``skipped`` with its
file and line; the rest go on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geomap._input import MAX_TABLE_LINE_BYTES, Unreadable, display_path, open_regular, read_lines, size_text
from geomap.incident_places import _precision_of
from geomap.records import INCIDENT_TYPES, Article, Incident, Skipped

_TABLE_COLUMNS = ("place", "type", "count", "unit", "date", "source")


def _read_table(path: Path, resolver: Any, skipped: list[Skipped]) -> Iterator[tuple[Article, Incident]]:
    """Incidents from an analyst's CSV; each bad row goes to ``skipped`` with its line."""
    shown = display_path(path)
    try:
        fh = open_regular(path)
    except Unreadable as exc:
        skipped.append(Skipped(shown, f"cannot read the table: {exc.reason}"))
        return
    bad_rows = 0

    def skip(reason: str, line: int | None) -> None:
        nonlocal bad_rows
        bad_rows += 1
        if bad_rows <= _MAX_BAD_ROWS:
            skipped.append(Skipped(shown, reason, line))

    with fh:
        records = _table_records(fh)
        first = next(records, None)
        if first is None:
            skipped.append(Skipped(shown, "empty table"))
            return
        _, header, problem = first
        if problem is not None:
            skipped.append(Skipped(shown, problem, 1))
            return
        header = [h.strip().lower() for h in header]
        missing = [c for c in _TABLE_COLUMNS[:5] if c not in header]
        if missing:
            skipped.append(Skipped(shown, f"missing columns: {', '.join(missing)}", 1))
            return
        yield from _table_incidents(path, shown, header, records, resolver, skip)
    if bad_rows > _MAX_BAD_ROWS:
        skipped.append(Skipped(shown, f"{bad_rows - _MAX_BAD_ROWS} more bad rows, not listed one by one"))


_MAX_BAD_ROWS = 100  # of one table, listed one by one; the rest are counted


def _table_records(fh: Any) -> Iterator[tuple[int, list[str], str | None]]:
    """``(line, fields, problem)`` for each record of a CSV table read from binary ``fh``.

    ``line`` is the physical line the record starts on (a quoted field may
    span lines).  Lines are read a bounded chunk at a time: a line longer
    than :data:`~geomap._input.MAX_TABLE_LINE_BYTES`, one that is not UTF-8
    or holds NUL bytes, or a field longer than the csv module allows, makes
    its record a ``problem``; the records after it are read on.
    """
    broken: dict[int, str] = {}

    def lines() -> Iterator[str]:
        for number, raw in read_lines(fh, MAX_TABLE_LINE_BYTES):
            if raw is None:
                broken[number] = f"line longer than {size_text(MAX_TABLE_LINE_BYTES)}"
                yield "\n"
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if b"\x00" in raw:
                broken[number] = "binary data (NUL bytes)"
                yield "\n"
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                broken[number] = f"not UTF-8 text ({exc.reason})"
                yield "\n"

    reader = csv.reader(lines())
    done = 0  # physical lines read so far
    while True:
        try:
            values = next(reader)
            problem = None
        except StopIteration:
            return
        except csv.Error as exc:  # a field longer than csv.field_size_limit(), ...
            values, problem = [], " ".join(str(exc).split())
            if "field limit" in problem:
                problem = f"a field longer than {csv.field_size_limit():,} characters"
        start, done = done + 1, reader.line_num
        bad = [n for n in broken if start <= n <= done]
        if bad:
            problem = broken[bad[0]]
            start = bad[0]
            for n in bad:
                del broken[n]
        yield start, values, problem


def _table_incidents(
    path: Path, shown: str, header: list[str], records: Iterator[tuple[int, list[str], str | None]], resolver: Any, skip: Any
) -> Iterator[tuple[Article, Incident]]:
    """Incidents of the records of one table (after its header)."""
    from geomap.text.dates import parse_date
    from geomap.text.numbers import parse_number
    from geomap.records import Count, IncidentPlace

    gazetteer = resolver.gazetteer
    for line, values, problem in records:
        if problem is not None:
            skip(problem, line)
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            skip(f"expected {len(header)} fields, found {len(values)}", line)
            continue
        row = dict(zip(header, (v.strip() for v in values), strict=True))
        problem = None
        value = parse_number(row["count"]) if row["count"] else None
        date = parse_date(row["date"]) if row["date"] else None
        if row["type"] not in INCIDENT_TYPES:
            problem = f"unknown incident type: {row['type']!r}"
        elif row["count"] and value is None:
            problem = f"not a number: {row['count']!r}"
        elif row["date"] and date is None:
            problem = f"not a date: {row['date']!r}"
        elif not row["place"]:
            problem = "no place"
        resolution = None
        if problem is None:
            resolution = resolver.resolve(row["place"], date=date.start if date else None)
            if not resolution:
                problem = f"place not in the gazetteer: {row['place']!r}"
            elif resolution.ambiguous:
                ids = ", ".join(c.place.id for c in resolution.candidates[:4])
                problem = f"ambiguous place {row['place']!r} (one of {ids}): write its id"
        if problem is not None:
            skip(problem, line)
            continue
        place = resolution.place
        article = Article(
            id=f"{display_path(path.stem)}:{line}",
            text=",".join(values),
            title=f"{row['type']} at {row['place']}",
            date=date,
            source=row.get("source", ""),
            path=shown,
            line=line,
            format="csv",
        )
        counts = (Count(value, row["unit"] or "items", text=row["count"]),) if value is not None else ()
        incident = Incident(
            id=f"{article.id}#1",
            article_id=article.id,
            type=row["type"],
            sentence=article.text,
            start=0,
            end=len(article.text),
            counts=counts,
            date=date,
            places=(IncidentPlace(place.id, "location"),),
            location_precision=_precision_of(gazetteer, place.id),
            place_id=place.id,
            source="table",
        )
        yield article, incident
