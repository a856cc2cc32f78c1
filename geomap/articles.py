"""Reading articles: files, folders and globs to :class:`~geomap.records.Article`.

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
first lines (:func:`geomap.dates.find_publication_date`).

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
import glob
import itertools
import json
import logging
import os
import re
import stat
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from geomap._errors import InputError, InputNotFoundError
from geomap._input import (
    MAX_DOCUMENT_BYTES,
    MAX_FIELD_CHARS,
    MAX_FRONT_MATTER_BYTES,
    MAX_LINE_BYTES,
    Unreadable,
    clean_text,
    display_path,
    file_kind,
    load_json,
    load_yaml,
    open_regular,
    read_limited,
    read_lines,
    size_text,
    yaml_problem,
)
from geomap._io import MANIFEST, outputs_in
from geomap.dates import find_publication_date, parse_date
from geomap.records import Article, DateSpan, Skipped

__all__ = [
    "EXTENSIONS",
    "DetectedEncodingWarning",
    "article_format",
    "parse_text",
    "read_article",
    "read_articles",
]

log = logging.getLogger(__name__)

#: Extension (lower case) to format.  Folders are searched for these only.
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}

_GLOB_CHARS = re.compile(r"[*?\[]")


class DetectedEncodingWarning(UserWarning):
    """A file was not UTF-8; its encoding was detected and used."""


_Unreadable = Unreadable  # a file or line that cannot be read; becomes a :class:`Skipped`

#: Analysts' incident tables: not articles, but a folder walk tells of them too.
_TABLE_EXTENSIONS = (".csv",)


# -- paths ----------------------------------------------------------------------


class _Seen:
    """The folders and files one expansion has visited, by device and inode.

    A folder or file reached again, by a symbolic link or a second argument,
    is passed over: a link loop ends, and no report is read twice.
    """

    def __init__(self) -> None:
        self.folders: set[tuple[int, int]] = set()
        self.files: set[tuple[int, int]] = set()

    @staticmethod
    def first(group: set[tuple[int, int]], st: os.stat_result) -> bool:
        key = (st.st_dev, st.st_ino)
        if key in group:
            return False
        group.add(key)
        return True


def _expand(
    paths: str | os.PathLike | Iterable[str | os.PathLike], *, optional: frozenset[str] = frozenset()
) -> Iterator[Path | Skipped]:
    """Files named by ``paths`` (files, folders, globs), each once, in a stable order.

    Every path is checked at once (a missing one raises before any work);
    folders are then walked lazily.  What cannot be read on the way (a FIFO,
    an unreadable folder) comes as a :class:`Skipped`.  A folder or glob in
    ``optional`` may hold no article (it holds analysts' tables).
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    seen = _Seen()
    sources = [_expand_one(item, seen, optional=os.fspath(item) in optional) for item in items]
    for source in sources:
        yield from source


def _expand_one(item: str | os.PathLike, seen: _Seen, *, optional: bool = False) -> Iterator[Path | Skipped]:
    """The files ``item`` names; raises :class:`InputNotFoundError` now, walks later."""
    path = Path(item)
    text = os.fspath(item)
    shown = repr(display_path(text))
    if path.is_dir():
        return _not_empty(_walk(path, seen), f"no article files in folder {shown}", optional)
    if path.exists() or path.is_symlink():
        return _one_file(path, seen)
    if _GLOB_CHARS.search(text):
        matches = glob_paths(text)
        if not matches:
            msg = f"no file matches {shown}"
            raise InputNotFoundError(msg)
        return _not_empty(_from_matches(matches, seen), f"no article files match {shown}", optional)
    msg = f"no such file or folder: {shown}"
    raise InputNotFoundError(msg)


def _one_file(path: Path, seen: _Seen) -> Iterator[Path | Skipped]:
    try:
        st = path.stat()
    except OSError as exc:  # a dangling link, a link loop
        yield Skipped(display_path(path), f"cannot read: {exc.strerror or exc}")
        return
    if seen.first(seen.files, st):
        yield path


def _not_empty(files: Iterator[Path | Skipped], message: str, optional: bool) -> Iterator[Path | Skipped]:
    """``files``, after checking there is at least one file (read ahead up to the first)."""
    ahead: list[Path | Skipped] = []
    for item in files:
        ahead.append(item)
        if isinstance(item, Path):
            break
    else:
        if not optional:
            known = " ".join(sorted(EXTENSIONS))
            raise InputNotFoundError(f"{message} (looked for {known})")
    return itertools.chain(ahead, files)


def _from_matches(matches: list[str], seen: _Seen) -> Iterator[Path | Skipped]:
    for match in matches:
        p = Path(match)
        if p.is_dir():
            yield from _walk(p, seen)
        elif p.suffix.lower() in EXTENSIONS:
            yield from _one_file(p, seen)


def glob_paths(pattern: str) -> list[str]:
    """The paths a glob pattern matches, sorted; ``**`` walks folders as :func:`_walk` does.

    Python's :func:`glob.glob` follows every link under ``**``: two link
    loops make it list paths without end.  Here ``**`` goes into each folder
    once (by device and inode); hidden names are left out, as glob does.
    """
    parts = Path(pattern).parts
    if "**" not in parts:
        return sorted(glob.glob(pattern))
    first = parts.index("**")
    bases = sorted(glob.glob(os.path.join(*parts[:first]))) if first else [""]
    rest = parts[first:]
    found: list[str] = []
    for base in bases:
        if base and not os.path.isdir(base):
            continue
        seen = _Seen()
        for rel in _tree(base or os.curdir, seen):
            if _match_parts(rel, rest):
                found.append(os.path.join(base, *rel) if base else os.path.join(*rel))
    return sorted(found)


def _tree(top: str, seen: _Seen) -> Iterator[tuple[str, ...]]:
    """Every path under ``top`` (folders too) as a tuple of names, each folder entered once."""
    try:
        seen.first(seen.folders, os.stat(top))
    except OSError:
        return
    stack: list[tuple[tuple[str, ...], Iterator[os.DirEntry]]] = []
    listing = _entries(top)
    if isinstance(listing, Skipped):
        return
    stack.append(((), iter(listing)))
    while stack:
        prefix, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        rel = (*prefix, entry.name)
        yield rel
        try:
            st = entry.stat()
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and seen.first(seen.folders, st):
            listing = _entries(entry.path)
            if not isinstance(listing, Skipped):
                stack.append((rel, iter(listing)))


def _match_parts(names: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether path ``names`` match glob ``pattern`` parts (``**``: any number of folders, none too)."""
    import fnmatch

    # positions in the pattern a prefix of the names can have reached
    states = {0}
    for name in names:
        states = _closure(states, pattern)
        nxt = set()
        for i in states:
            if i < len(pattern):
                if pattern[i] == "**":
                    nxt.add(i)
                elif fnmatch.fnmatchcase(name, pattern[i]):
                    nxt.add(i + 1)
        states = nxt
        if not states:
            return False
    return len(pattern) in _closure(states, pattern)


def _closure(states: set[int], pattern: tuple[str, ...]) -> set[int]:
    out = set(states)
    for i in sorted(states):
        j = i
        while j < len(pattern) and pattern[j] == "**":
            j += 1
            out.add(j)
    return out


def _entries(folder: str | os.PathLike) -> list[os.DirEntry] | Skipped:
    """A folder's entries in name order, or why it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Skipped(display_path(folder), f"cannot read the folder: {exc.strerror or exc}")


def table_files(folder: str | os.PathLike) -> list[Path]:
    """The analysts' tables (``*.csv``) under ``folder``, walked as for articles; nothing is reported."""
    return [p for p in _walk(Path(folder), _Seen(), suffixes=_TABLE_EXTENSIONS, report=False) if isinstance(p, Path)]


def _walk(
    top: Path, seen: _Seen, *, suffixes: Iterable[str] = EXTENSIONS, report: bool = True
) -> Iterator[Path | Skipped]:
    """Files with one of ``suffixes`` under ``top``, in sorted path order, hidden ones left out.

    Lazy (one folder's listing at a time) and without recursion (any depth).
    Each folder and file is visited once whatever links lead to it again, so
    a link loop ends.  A non-regular file with a known extension (a FIFO, a
    socket, a device, a link to one), a dangling link and an unreadable
    folder come as a :class:`Skipped` when the walk is for articles (tables
    are found on the same folders by a second walk, which reports nothing
    again); nothing here opens a file.
    """
    try:
        if not seen.first(seen.folders, top.stat()):
            return
    except OSError as exc:
        if report:
            yield Skipped(display_path(top), f"cannot read the folder: {exc.strerror or exc}")
        return
    listing = _entries(top)
    if isinstance(listing, Skipped):
        if report:
            yield listing
        return
    stack = [_own_filtered(top, listing)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        suffix = os.path.splitext(entry.name)[1].lower()
        wanted = suffix in EXTENSIONS or suffix in _TABLE_EXTENSIONS
        try:
            st = entry.stat()  # follows links
        except OSError as exc:
            if wanted and report:
                yield Skipped(display_path(entry.path), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            if seen.first(seen.folders, st):
                listing = _entries(entry.path)
                if not isinstance(listing, Skipped):
                    stack.append(_own_filtered(Path(entry.path), listing))
                elif report:
                    yield listing
        elif not wanted:
            continue
        elif not stat.S_ISREG(st.st_mode):
            if report:
                yield Skipped(display_path(entry.path), f"not a regular file: {file_kind(st.st_mode)}")
        elif suffix in suffixes and seen.first(seen.files, st):
            yield Path(entry.path)


def _own_filtered(folder: Path, entries: list[os.DirEntry]) -> Iterator[os.DirEntry]:
    """``entries`` less hidden names and the files geomap wrote in ``folder`` (they are no input)."""
    names = {e.name for e in entries}
    own = outputs_in(folder) if MANIFEST in names else frozenset()
    return (e for e in entries if not e.name.startswith(".") and e.name not in own)


def article_format(path: str | os.PathLike) -> str:
    """The format a file is read as: "text", "markdown", "html", "jsonl" or "json"."""
    return EXTENSIONS.get(Path(path).suffix.lower(), "text")


# -- decoding -----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes, if Python knows it."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if m is None:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _decode(data: bytes, *, declared: str | None = None) -> tuple[str, str, bool]:
    """Decode file bytes: (text, encoding, truncated).  Raises _Unreadable.

    UTF-8 first; then an encoding the page declares (``declared``), when it
    decodes the bytes cleanly; then detection.
    """
    if not data.strip():
        raise _Unreadable("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", ""), False
            except UnicodeDecodeError as exc:
                msg = f"undecodable: not valid {encoding} despite its byte order mark ({exc.reason})"
                raise _Unreadable(msg) from None
    if b"\x00" in data[:8192]:
        raise _Unreadable("binary file (NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A file cut inside a multi-byte character: keep what was read.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return _check_text(data[: exc.start].decode("utf-8")), "utf-8", True
    else:
        return _check_text(text), "utf-8", False
    if declared and declared != "utf-8":
        try:
            return _check_text(data.decode(declared)), declared, False
        except UnicodeDecodeError:
            pass
    text, encoding = _detect(data)
    return _check_text(text), encoding, False


def _check_text(text: str) -> str:
    """``text`` unless control characters show it is binary data."""
    head = text[:8192]
    if "\x00" in head or len(_CONTROL.findall(head)) > max(2, len(head) // 100):
        raise _Unreadable("binary file (control characters)")
    return text


# charset_normalizer often names a rare code page (cp1257, cp775) for short
# Western text that cp1252 decodes just as well; these common encodings win
# when they decode the bytes to the same text or nearly as cleanly.
_PREFERRED = ("cp1252", "gb18030", "big5", "shift_jis", "euc_kr", "cp1251", "koi8_r", "cp1258", "latin_1")


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        raise _Unreadable("undecodable: not UTF-8 and no other encoding fits")
    best = results[0]
    best_text = str(best)
    by_name = {r.encoding: r for r in results}
    for name in _PREFERRED:
        match = by_name.get(name)
        if match is not None and match.chaos <= best.chaos + 0.1:
            return str(match), name
        try:
            if data.decode(name) == best_text:
                return best_text, name
        except (UnicodeDecodeError, LookupError):
            continue
    return best_text, codecs.lookup(best.encoding).name


def _normalise(text: str) -> str:
    """NFC, ``\\n`` line ends, no BOM: the form offsets are computed on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)


# -- titles and dates ----------------------------------------------------------------


def _headline(line: str) -> bool:
    s = line.strip()
    return (
        0 < len(s) <= 200
        and len(s.split()) <= 30
        and s[-1] not in ".,;:。，；："
        and any(ch.isalpha() for ch in s)
    )


def _first_line_title(text: str) -> str:
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


def _meta_date(value: object) -> DateSpan | None:
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


def _str_field(obj: dict, key: str) -> str:
    """A metadata field as text: a string or a number; ``_Unreadable`` for a list, a mapping, or one too long."""
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, (list, dict, set, tuple)):
        raise _Unreadable(f"'{key}' is a {type(value).__name__}, not text")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        raise _Unreadable(f"'{key}' is a number of more than 20 digits, not text")
    return _field(key, _normalise(str(value)).strip())


def _field(key: str, value: str) -> str:
    """``value`` if it is no longer than :data:`~geomap._input.MAX_FIELD_CHARS`; ``_Unreadable`` if it is."""
    if len(value) > MAX_FIELD_CHARS:
        raise _Unreadable(f"'{key}' is {len(value):,} characters long (the limit is {MAX_FIELD_CHARS:,})")
    return value


# -- markdown ------------------------------------------------------------------------

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_RULES = (
    (re.compile(r"^```.*$|^~~~.*$", re.MULTILINE), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"^\[[^\]]+\]:\s+\S+.*$", re.MULTILINE), ""),  # link definitions
    (re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE), r"\1"),
    (re.compile(r"^ {0,3}(?:=+|-{2,})[ \t]*$", re.MULTILINE), ""),  # setext heading underlines
    (re.compile(r"^ {0,3}>[ \t]?", re.MULTILINE), ""),
    (re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),
    (re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
)


def _split_front_matter(text: str, path: str) -> tuple[dict, str]:
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
# soft break), unless the next line starts a block (heading, list, quote,
# table, fence, setext underline).
_MD_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n(?=[ \t]{0,3}[^\s#>*+\-|`~=\d])")
# Plain text: a hard-wrapped sentence goes on in lower case on the next line.
# The line end becomes a space, one character for one.
# (The character before the line end is checked by hand: a pattern that starts
# with a look-behind is tried at every position, one that starts with "\n" is not.)
_TEXT_SOFT_BREAK = re.compile(r"\n[ \t]*(\w)")


def _unwrap_text(text: str) -> str:
    """Join hard-wrapped lines whose sentence goes on in lower case; length is kept."""

    def join(m: re.Match) -> str:
        at = m.start()
        if not m.group(1).islower() or at == 0 or text[at - 1].isspace() or text[at - 1] in ".!?:;":
            return m.group()
        return " " + m.group()[1:]

    return _TEXT_SOFT_BREAK.sub(join, text)


def _markdown_to_text(text: str) -> str:
    text = _MD_SOFT_BREAK.sub(" ", text)
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# -- html -----------------------------------------------------------------------------

_SKIP_TAGS = {
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template",
    "svg", "iframe", "button", "select", "textarea", "object", "canvas", "menu", "dialog",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "section", "article", "main", "blockquote", "pre", "hr", "dd", "dt", "dl",
    "figcaption", "figure", "address", "body", "title",
}  # fmt: skip
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "source", "area", "base", "col", "embed", "track"}
_NOISE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:comments?|comment-box|share|sharing|social|copyright|related|newsletter|"
    r"advert|ads?|cookie|breadcrumbs?|menu|sidebar|footer|header|nav|navbar|subscribe|promo|"
    r"tags|byline-share|disqus|widget|popup|modal|most[_-]?(?:read|viewed|popular)|popular|trending|"
    r"hot[_-]?(?:news|list)?|rank(?:ing)?|top[_-]?news|more[_-]?news|also[_-]?read|read[_-]?more|recommend\w*|"
    r"tin[_-]?(?:lien[_-]?quan|doc[_-]?nhieu|xem[_-]?nhieu|moi|khac)|xem[_-]?nhieu|doc[_-]?nhieu|"
    r"paihang|xgxw|tuijian|remen)(?:$|[\s_-])",
    re.IGNORECASE,
)
def _page_words(part: str) -> list[str]:
    from geomap import lang

    return [w for _, pages in lang.merged("pages") for w in pages.get(part, ())]


# "©", "Copyright", "Bản quyền", "版权所有"...: the page's copyright line (from geomap/lang/*.yaml)
_COPYRIGHT = re.compile(r"^\s*(?:" + "|".join(_page_words("copyright")) + ")", re.IGNORECASE)
# A heading that opens a box of other articles: "Related news", "Tin liên quan", "相关新闻"...
_BOX_LABELS = frozenset(label.casefold() for label in _page_words("box_labels"))
_NAV_LINKS = 3  # a line of this many links or more, and nearly nothing else, is navigation
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "article:modified_time",
)


class _PageParser(HTMLParser):
    """Collects the article text and metadata of one HTML page."""

    def __init__(self, *, by_class: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.by_class = by_class  # also drop elements whose class or id names page furniture
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False
        self._open: list[str] = []  # the elements open around the text being read
        self._links = self._link_chars = 0  # links in the block being read, and their characters
        self._in_link = False
        self._skip_open = False  # the element skipped is one of self._open (a box found by its heading)
        self.title_tag = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.time_datetime = ""  # the first <time datetime> in the kept text
        self.any_time_datetime = ""  # the first anywhere (a header's byline is often dropped)
        self.canonical = ""

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        self._current = []
        links, link_chars = self._links, self._link_chars
        self._links = self._link_chars = 0
        if not text or _COPYRIGHT.match(text):
            return
        if self.by_class and text.rstrip(":：").strip().casefold() in _BOX_LABELS and self._open:
            # "Tin liên quan", "相关新闻": a box of other articles, up to the end of what holds it
            self._skip_tag, self._skip_depth, self._skip_open = self._open[-1], 1, True
            return
        if self.by_class and links >= _NAV_LINKS and link_chars >= 0.8 * len(text.replace(" ", "")):
            return  # "Trang chủ | Xã hội | Pháp luật": a line of links is navigation
        self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and "content" in a and key not in self.meta:
                self.meta[key] = a["content"]
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or a.get("href", "")
            return
        if tag == "time" and a.get("datetime"):
            self.any_time_datetime = self.any_time_datetime or a["datetime"]
            if self._skip_tag is None:
                self.time_datetime = self.time_datetime or a["datetime"]
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag in _VOID:
            if tag == "br":
                self._flush()
            return
        noise = tag in _SKIP_TAGS or (
            self.by_class and _NOISE_CLASS.search(f"{a.get('class', '')} {a.get('id', '')}") is not None
        )
        if noise and tag not in ("body", "html", "main", "article", "title"):
            self._flush()
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        self._open.append(tag)
        if tag == "a":
            self._in_link = True
            self._links += 1
        if tag == "title":
            self._in_title = True
        elif tag == "h1" and not self.h1:
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
                    if self._skip_open and tag in self._open:
                        del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
                    self._skip_open = False
            return
        if tag in self._open:  # close it (and whatever was left open inside it)
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
        if tag == "a":
            self._in_link = False
        if tag == "title":
            self._in_title = False
            self._current = []  # the <title> is metadata, not body text
            return
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1 = " ".join("".join(self._current).split())
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._in_title:
            self.title_tag += data
            return
        if self._in_link:
            self._link_chars += len(data) - data.count(" ") - data.count("\n")
        self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


_MIN_PAGE_TEXT = 200


def _size(blocks: list[str]) -> int:
    """How much text the blocks hold: a Chinese character says about as much as three letters."""
    return sum(len(b) + 2 * len(_HAN.findall(b)) for b in blocks)


def _parse_html(text: str) -> tuple[str, dict[str, str]]:
    """The article text of a page and its metadata (title, date, source, url).

    Page furniture is also recognised by class or id ("share-bar",
    "comments"); when that leaves almost nothing (a main column with a class
    such as "has-sidebar"), the page is read again with tag rules only.
    """
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    if _size(parser.blocks) < _MIN_PAGE_TEXT:
        again = _PageParser(by_class=False)
        again.feed(text)
        again.close()
        if sum(map(len, again.blocks)) > sum(map(len, parser.blocks)):
            parser = again
    meta = parser.meta
    title = parser.h1 or meta.get("og:title", "") or " ".join(parser.title_tag.split())
    date = ""
    for key in _DATE_META:
        if meta.get(key):
            date = meta[key]
            break
    date = date or parser.time_datetime or parser.any_time_datetime
    body = "\n\n".join(parser.blocks)
    if title and body and not body.startswith(title):
        body = f"{title}\n\n{body}"
    info = {
        "title": title,
        "date": date,
        "source": meta.get("og:site_name", ""),
        "url": parser.canonical or meta.get("og:url", ""),
    }
    return body, info


# -- building articles -----------------------------------------------------------------


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
        msg = _where(path or id, line, f"unknown format: {format!r} (expected 'text', 'markdown' or 'html')")
        raise InputError(msg)
    try:
        return _build(text, id=id, fmt=format, title=title, date=date, source=source, url=url,
                      path=path, line=line, encoding=encoding)
    except _Unreadable as exc:
        raise InputError(_where(path or id, exc.line or line, exc.reason)) from None


def _where(path: str, line: int | None, reason: str) -> str:
    """``path:line: reason``, the one-line form every message takes."""
    return str(Skipped(path, reason, line))


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
    text, bad = clean_text(_normalise(text))
    if bad:
        log.warning("%s", _where(path or id, line, f"{bad} character(s) that are not text (lone surrogates) replaced with U+FFFD"))
    meta: dict = {}
    if fmt == "markdown":
        meta, text = _split_front_matter(text, path)
        text = _markdown_to_text(text)
    elif fmt == "html":
        text, meta = _parse_html(text)
    else:
        text = _unwrap_text(text.strip("\n"))
    if not text.strip():
        raise _Unreadable("empty file" if fmt != "html" else "no article text in the page", None)
    found_title = title if title is not None else _str_field(meta, "title")
    if not found_title and fmt in ("text", "markdown"):
        found_title = _first_line_title(text)
    found_url = _clean(url or _str_field(meta, "url"))
    span, date_source = _publication_date(date, meta, text, found_url, where=(path or id, line))
    article_id = (_str_field(meta, "id") or id) if fmt == "markdown" else id
    return Article(
        id=_field("id", _clean(article_id)),
        text=text,
        title=_field("title", _clean(" ".join(_normalise(found_title).split()))),
        date=span,
        date_source=date_source,
        source=_clean(source or _str_field(meta, "source")),
        url=found_url,
        path=path,
        line=line,
        encoding=encoding,
        format=fmt,
    )


def _clean(value: str) -> str:
    """``value`` with lone surrogates replaced (a metadata field: not worth a warning of its own)."""
    return clean_text(value)[0]


def _publication_date(
    date: DateSpan | str | None, meta: dict, text: str, url: str, *, where: tuple[str, int | None] = ("", None)
) -> tuple[DateSpan | None, str]:
    """The publication date and where it came from: metadata, the header, the URL, a dateline (``geomap.page_dates``).

    A metadata date that is not a date is a warning (``where``: the file and
    line it names); the date is then looked for in the text.
    """
    from geomap.page_dates import date_from_dateline, date_from_url

    span = date if isinstance(date, DateSpan) else _meta_date(date)
    if span is None and meta.get("date") not in (None, ""):
        span = _meta_date(meta["date"])
        if span is None:
            log.warning("%s", _where(where[0], where[1], f"not a date: {_short_repr(meta['date'])}; looking in the text instead"))
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


def _read_document(path: Path, fmt: str, *, encoding_warnings: bool) -> Article:
    """One text, Markdown or HTML file.  Raises _Unreadable."""
    data = read_limited(path, MAX_DOCUMENT_BYTES)
    shown = display_path(path)
    declared = _declared_charset(data) if fmt == "html" else None
    text, encoding, truncated = _decode(data, declared=declared)
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
    span = _meta_date(raw_date)
    if raw_date and span is None:
        log.warning("%s", _where(shown, line, f"not a date: {_short_repr(raw_date)}; looking in the text instead"))
    inner = obj.get("format") or "text"
    if inner not in ("text", "markdown", "html"):
        inner = "text"
    article = _build(
        text,
        id=_str_field(obj, "id") or default_id,
        fmt=inner,
        title=_str_field(obj, "title") if obj.get("title") is not None else None,
        date=span,
        source=_str_field(obj, "source"),
        url=_str_field(obj, "url"),
        path=shown,
        line=line,
        encoding="utf-8",
    )
    return replace(article, format=fmt)


def _short_repr(value: object) -> str:
    """``repr(value)`` cut to 80 characters, for a message about a value that may be huge."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _read_jsonl(path: Path, skipped: list[Skipped] | None) -> Iterator[Article]:
    """Articles of a JSON Lines file, one line at a time (each at most :data:`~geomap._input.MAX_LINE_BYTES`)."""
    shown = display_path(path)
    try:
        fh = open_regular(path)
    except _Unreadable as exc:
        _skip(skipped, Skipped(shown, exc.reason))
        return
    with fh:
        any_line = False
        for number, raw in read_lines(fh, MAX_LINE_BYTES):
            if raw is None:
                any_line = True
                reason = f"line longer than {size_text(MAX_LINE_BYTES)}"
                _skip(skipped, Skipped(shown, reason, number))
                continue
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            any_line = True
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
                yield _article_from_object(obj, path, number, f"{display_path(path.stem)}:{number}", "jsonl")
            except _Unreadable as exc:
                _skip(skipped, Skipped(shown, exc.reason, exc.line if exc.line is not None else number))
        if not any_line:
            _skip(skipped, Skipped(shown, "empty file"))


def _read_json(path: Path, skipped: list[Skipped] | None) -> Iterator[Article]:
    """Articles of a ``.json`` file: one object or a list of them."""
    shown = display_path(path)
    try:
        text, _, _ = _decode(read_limited(path, MAX_DOCUMENT_BYTES))
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
        extensions in :data:`EXTENSIONS`; globs (``reports/**/*.md``) are
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
    files = _expand(items, optional=optional)
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
        raise InputError(_where(display_path(p), exc.line, exc.reason)) from None
