"""Reading articles: files, folders and globs to :class:`~geomap.records.Article`.

This module builds the articles and reads each format's container; the
rest is split by concern: :mod:`geomap.text.files` finds the files,
:mod:`geomap.text.decoding` turns bytes into text, :mod:`geomap.text.markdown`
and :mod:`geomap.text.pages` reduce Markdown and web pages to text, and
:mod:`geomap.text.metadata` reads front matter, fields, titles and the
publication date.

Formats, chosen by extension:

* ``.txt`` (and any unknown extension given by name): plain text.
* ``.md``, ``.markdown``: Markdown, with optional YAML front matter
  (``title``, ``date``, ``source``, ``url``, ``id``); the markup is reduced
  to plain text (headings, emphasis, link targets and images dropped).
* ``.html``, ``.htm``, ``.xhtml``: the article text of a web page, read with
  the standard library's :mod:`html.parser`.  Scripts, styles, navigation,
  headers, footers, asides, forms, comment boxes, share bars and copyright
  lines are dropped; paragraphs become lines.  Title from ``<h1>``, else
  ``og:title``, else ``<title>``; date from ``article:published_time`` (and
  similar meta), else ``<time datetime>``.
* ``.jsonl``, ``.ndjson``: JSON Lines, one article an object with ``text`` and
  optional ``id``, ``title``, ``date``, ``source``, ``url``; read line by line.
* ``.json``: one such object, or a list of them.

Every text is NFC-normalised with ``\\n`` line ends, so offsets computed on
``Article.text`` are stable.  A hard-wrapped plain-text line whose sentence
goes on in lower case on the next line is joined to it (the line end becomes
a space); in Markdown every soft line break inside a paragraph is a space.
Ids are the file stem (for JSON Lines the
object's ``id``, else ``<stem>:<line>``); an id already given out in the same
batch gets ``~2``, ``~3``... in read order.  Plain text and Markdown take
their first non-empty line as the title when it looks like a headline
(at most 200 characters and 30 words, not ending with ``.``, ``,``, ``;`` or ``:``).
The publication date comes from metadata, else from a date line among the
first lines (:func:`geomap.text.publication.find_publication_date`).

Files are decoded as UTF-8 (a BOM is allowed; UTF-16/32 with a BOM too);
otherwise an HTML page's declared charset is tried, then the encoding is
detected with ``charset_normalizer``; the one used is stored in
``Article.encoding`` and named in a :class:`DetectedEncodingWarning`.
JSON Lines must be UTF-8 (a line that is not is skipped).  Bad input -- an empty, binary or
undecodable file, a malformed JSON line, an object without ``text`` -- is
appended to ``skipped`` as a :class:`~geomap.records.Skipped` and logged;
the batch goes on.  A truncated file is read as far as it goes.
"""

from __future__ import annotations

import codecs
import itertools
import logging
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from geomap._errors import InputError, InputNotFoundError
from geomap._input import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    Unreadable,
    clean_text,
    display_path,
    load_json,
    open_regular,
    read_limited,
    read_lines,
    size_text,
)
from geomap.records import Article, DateSpan, Skipped
from geomap.text.decoding import declared_charset, decode, normalise
from geomap.text.files import article_format, expand
from geomap.text.markdown import markdown_to_text, unwrap_text
from geomap.text.metadata import (
    clean,
    field,
    first_line_title,
    message_at,
    meta_date,
    publication_date,
    short_repr,
    split_front_matter,
    str_field,
)
from geomap.text.pages import parse_html

__all__ = [
    "DetectedEncodingWarning",
    "parse_text",
    "read_article",
    "read_articles",
]

log = logging.getLogger(__name__)


class DetectedEncodingWarning(UserWarning):
    """A file was not UTF-8; its encoding was detected and used."""


_Unreadable = Unreadable  # a file or line that cannot be read; becomes a :class:`Skipped`


def parse_text(
    text: str,
    *,
    id: str,  # noqa: A002 - the field is called id everywhere
    format: str = "text",  # noqa: A002
    title: str | None = None,
    date: DateSpan | str | None = None,
    source: str = "",
    url: str = "",
    path: str = "",
    line: int | None = None,
    encoding: str = "utf-8",
) -> Article:
    """Build an :class:`Article` from text already in memory.

    Parameters
    ----------
    text
        The whole document: plain text, Markdown (front matter allowed) or HTML.
    id
        The article id.
    format
        "text", "markdown" or "html": how ``text`` is read.
    title, date, source, url
        Metadata known from elsewhere; they win over what the text says.

    Raises
    ------
    InputError
        Empty text, or Markdown front matter that is not valid YAML.
    """
    if format not in ("text", "markdown", "html"):
        msg = message_at(path or id, line, f"unknown format: {format!r} (expected 'text', 'markdown' or 'html')")
        raise InputError(msg)
    try:
        return _build(text, id=id, fmt=format, title=title, date=date, source=source, url=url,
                      path=path, line=line, encoding=encoding)
    except _Unreadable as exc:
        raise InputError(message_at(path or id, exc.line or line, exc.reason)) from None


def _build(
    text: str,
    *,
    id: str,  # noqa: A002
    fmt: str,
    title: str | None,
    date: DateSpan | str | None,
    source: str,
    url: str,
    path: str,
    line: int | None,
    encoding: str,
) -> Article:
    text, bad = clean_text(normalise(text))
    if bad:
        log.warning("%s", message_at(path or id, line, f"{bad} character(s) that are not text (lone surrogates) replaced with U+FFFD"))
    meta: dict = {}
    if fmt == "markdown":
        meta, text = split_front_matter(text, path)
        text = markdown_to_text(text)
    elif fmt == "html":
        text, meta = parse_html(text)
    else:
        text = unwrap_text(text.strip("\n"))
    if not text.strip():
        raise _Unreadable("empty file" if fmt != "html" else "no article text in the page", None)
    found_title = title if title is not None else str_field(meta, "title")
    if not found_title and fmt in ("text", "markdown"):
        found_title = first_line_title(text)
    found_url = clean(url or str_field(meta, "url"))
    span, date_source = publication_date(date, meta, text, found_url, where=(path or id, line))
    article_id = (str_field(meta, "id") or id) if fmt == "markdown" else id
    return Article(
        id=field("id", clean(article_id)),
        text=text,
        title=field("title", clean(" ".join(normalise(found_title).split()))),
        date=span,
        date_source=date_source,
        source=clean(source or str_field(meta, "source")),
        url=found_url,
        path=path,
        line=line,
        encoding=encoding,
        format=fmt,
    )


def _read_document(path: Path, fmt: str, *, encoding_warnings: bool) -> Article:
    """One text, Markdown or HTML file.  Raises _Unreadable."""
    data = read_limited(path, MAX_DOCUMENT_BYTES)
    shown = display_path(path)
    declared = declared_charset(data) if fmt == "html" else None
    text, encoding, truncated = decode(data, declared=declared)
    if encoding not in ("utf-8", "ascii") and encoding_warnings:  # names as codecs.lookup() gives them
        warnings.warn(f"{shown}: not UTF-8, read as {encoding}", DetectedEncodingWarning, stacklevel=4)
    if truncated:
        log.warning("%s: file ends inside a character; read up to there", shown)
    return _build(text, id=display_path(path.stem), fmt=fmt, title=None, date=None, source="", url="",
                  path=shown, line=None, encoding=encoding)


def _article_from_object(obj: object, path: Path, line: int | None, default_id: str, fmt: str) -> Article:
    if not isinstance(obj, dict):
        raise _Unreadable(f"not a JSON object: {type(obj).__name__}", line)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Unreadable("no 'text' in the object" if text is None else "'text' is empty or not a string", line)
    shown = display_path(path)
    raw_date = obj.get("date")
    span = meta_date(raw_date)
    if raw_date and span is None:
        log.warning("%s", message_at(shown, line, f"not a date: {short_repr(raw_date)}; looking in the text instead"))
    inner = obj.get("format") or "text"
    if inner not in ("text", "markdown", "html"):
        inner = "text"
    article = _build(
        text,
        id=str_field(obj, "id") or default_id,
        fmt=inner,
        title=str_field(obj, "title") if obj.get("title") is not None else None,
        date=span,
        source=str_field(obj, "source"),
        url=str_field(obj, "url"),
        path=shown,
        line=line,
        encoding="utf-8",
    )
    return replace(article, format=fmt)


def _read_jsonl(path: Path, skipped: list[Skipped] | None) -> Iterator[Article]:
    """Articles of a JSON Lines file, one line at a time (each at most :data:`~geomap._input.MAX_LINE_BYTES`)."""
    shown = display_path(path)
    try:
        fh = open_regular(path)
    except _Unreadable as exc:
        _skip(skipped, Skipped(shown, exc.reason))
        return
    with fh:
        state: dict[str, Any] = {}
        for _, article in jsonl_entries(fh, path, skipped, state=state):
            yield article
        if not state.get("seen"):
            _skip(skipped, Skipped(shown, "empty file"))


def jsonl_entries(
    fh: Any, path: Path, skipped: list[Skipped] | None, *, first: int = 1, end: int | None = None,
    state: dict[str, Any] | None = None,
) -> Iterator[tuple[int, Article]]:  # fmt: skip
    """``(offset, article)`` for each article of the JSON Lines file open in ``fh``, from its position.

    ``offset`` is the byte offset of the article's line.  ``first`` is the
    number of the line at ``fh``'s position; lines that start at ``end`` or
    after are left (a worker reads its stretch of a big file,
    :mod:`geomap.cluster`).  ``state`` gets ``"seen"``: whether a line that
    is not blank was met.  Bad lines go to ``skipped`` with their number.
    """
    shown = display_path(path)
    offset = fh.tell()
    state = {} if state is None else state
    state.setdefault("seen", False)
    for number, raw in read_lines(fh, MAX_LINE_BYTES):
        if end is not None and offset >= end:
            return
        number += first - 1
        here, offset = offset, fh.tell()
        if raw is None:
            state["seen"] = True
            reason = f"line longer than {size_text(MAX_LINE_BYTES)}"
            _skip(skipped, Skipped(shown, reason, number))
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        state["seen"] = True
        try:
            if b"\x00" in raw:
                raise _Unreadable("binary data (NUL bytes)", number)
            try:
                line_text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _Unreadable("undecodable: JSON Lines must be UTF-8", number) from None
            try:
                obj = load_json(line_text)
            except _Unreadable as exc:
                raise _Unreadable(exc.reason, number) from None
            yield here, _article_from_object(obj, path, number, f"{display_path(path.stem)}:{number}", "jsonl")
        except _Unreadable as exc:
            _skip(skipped, Skipped(shown, exc.reason, exc.line if exc.line is not None else number))


def _read_json(path: Path, skipped: list[Skipped] | None) -> Iterator[Article]:
    """Articles of a ``.json`` file: one object or a list of them."""
    shown = display_path(path)
    try:
        text, _, _ = decode(read_limited(path, MAX_DOCUMENT_BYTES))
        data = load_json(text)
    except _Unreadable as exc:
        _skip(skipped, Skipped(shown, exc.reason, exc.line))
        return
    items = data if isinstance(data, list) else [data]
    stem = display_path(path.stem)
    for index, obj in enumerate(items, start=1):
        default = stem if not isinstance(data, list) else f"{stem}:{index}"
        try:
            yield _article_from_object(obj, path, None, default, "json")
        except _Unreadable as exc:
            reason = exc.reason if not isinstance(data, list) else f"item {index}: {exc.reason}"
            _skip(skipped, Skipped(shown, reason))


def _skip(skipped: list[Skipped] | None, item: Skipped) -> None:
    log.warning("skipped %s", item, extra={"skipped": item})  # the CLI lists these in its summary instead
    if skipped is not None:
        skipped.append(item)


def read_articles(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skipped: list[Skipped] | None = None,
    encoding_warnings: bool = True,
) -> Iterator[Article]:
    """Read articles from files, folders (recursively) and glob patterns, one at a time.

    Parameters
    ----------
    paths
        One path or many.  Folders are walked in sorted order for the
        extensions in :data:`geomap.text.files.EXTENSIONS`; globs (``reports/**/*.md``) are
        expanded and sorted.  A file named twice is read once.
    skipped
        A list that collects every input that could not be read (empty,
        binary, undecodable, malformed JSON line, object without text);
        such inputs are also logged, and reading goes on.
    encoding_warnings
        Warn (:class:`DetectedEncodingWarning`) for each file that is not UTF-8.

    Yields
    ------
    Article
        In path order, ids unique within the call.

    Raises
    ------
    InputNotFoundError
        A path that does not exist, or a glob that matches nothing; raised
        by the call itself, before any article is read.
    """
    return _read_articles(paths, skipped=skipped, encoding_warnings=encoding_warnings)


def _read_articles(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skipped: list[Skipped] | None = None,
    encoding_warnings: bool = True,
    optional: frozenset[str] = frozenset(),
) -> Iterator[Article]:
    """:func:`read_articles`; a folder or glob in ``optional`` may hold no article (it holds tables)."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files = expand(items, optional=optional)
    next_file = next(files, None)  # runs the checks: a usage error shows before any work
    return _generate(next_file, files, skipped, encoding_warnings)


def _generate(
    first: Path | Skipped | None, files: Iterator[Path | Skipped], skipped: list[Skipped] | None, encoding_warnings: bool
) -> Iterator[Article]:
    if first is None:
        return
    files = itertools.chain([first], files)
    given: dict[str, int] = {}
    for path in files:
        if isinstance(path, Skipped):  # met on the walk: a FIFO, an unreadable folder...
            _skip(skipped, path)
            continue
        fmt = article_format(path)
        if fmt == "jsonl":
            articles: Iterable[Article] = _read_jsonl(path, skipped)
        elif fmt == "json":
            articles = _read_json(path, skipped)
        else:
            try:
                articles = [_read_document(path, fmt, encoding_warnings=encoding_warnings)]
            except _Unreadable as exc:
                _skip(skipped, Skipped(display_path(path), exc.reason, exc.line))
                continue
        for article in articles:
            yield _unique(article, given)


def _unique(article: Article, given: dict[str, int]) -> Article:
    """The article, its id suffixed with ``~n`` when the batch already gave it out."""
    n = given.get(article.id, 0) + 1
    given[article.id] = n
    if n == 1:
        return article
    new_id = f"{article.id}~{n}"
    while new_id in given:
        n += 1
        new_id = f"{article.id}~{n}"
    given[new_id] = 1
    return replace(article, id=new_id)


def read_article(path: str | os.PathLike, *, encoding_warnings: bool = True) -> Article:
    """Read one file holding one article.

    Raises
    ------
    InputNotFoundError
        The file does not exist.
    InputError
        The file cannot be read (empty, binary, undecodable...), or it is a
        JSON (Lines) file that does not hold exactly one article.
    """
    p = Path(path)
    if not p.exists():
        msg = f"no such file: {display_path(path)!r}"
        raise InputNotFoundError(msg)
    fmt = article_format(p)
    if fmt in ("jsonl", "json"):
        problems: list[Skipped] = []
        found = list(_read_jsonl(p, problems) if fmt == "jsonl" else _read_json(p, problems))
        if problems:
            raise InputError(str(problems[0]))
        if len(found) != 1:
            msg = f"{display_path(p)}: holds {len(found)} articles, not one: use read_articles"
            raise InputError(msg)
        return found[0]
    try:
        return _read_document(p, fmt, encoding_warnings=encoding_warnings)
    except _Unreadable as exc:
        raise InputError(message_at(display_path(p), exc.line, exc.reason)) from None
