"""Reading untrusted input within bounds: files, lines, JSON, YAML, names.

Everything a report or an analyst hands geomap goes through here before it
is parsed: a file is opened without blocking and read only when it is a
regular file no larger than a limit; a line is read a bounded chunk at a
time; JSON is refused past a nesting depth; YAML is read with a safe loader
that refuses aliases (so a "billion laughs" document cannot expand); text
that cannot be written as UTF-8 (lone surrogates) is cleaned; a file name is
shown with its undecodable bytes and control characters escaped, so it can
never break or forge a line of geomap's output.

Every limit is a module constant; the messages name it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Iterator
from typing import IO, Any

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_FIELD_CHARS",
    "MAX_FRONT_MATTER_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_LINE_BYTES",
    "MAX_TABLE_LINE_BYTES",
    "MAX_YAML_DEPTH",
    "Unreadable",
    "clean_text",
    "compose_yaml",
    "display_path",
    "file_kind",
    "load_json",
    "load_yaml",
    "open_regular",
    "read_limited",
    "read_lines",
    "size_text",
    "yaml_problem",
]

#: A text, Markdown, HTML or ``.json`` file, read whole: at most this many bytes.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: One line of a JSON Lines file (one article).
MAX_LINE_BYTES = 64 * 1024 * 1024
#: One physical line of an analyst's CSV table (and so one field of it).
MAX_TABLE_LINE_BYTES = 1024 * 1024
#: YAML front matter of a Markdown file.
MAX_FRONT_MATTER_BYTES = 64 * 1024
#: An article's title, source, url, id or date, in characters.
MAX_FIELD_CHARS = 10_000
#: Nesting of JSON arrays and objects (an article object needs two or three).
MAX_JSON_DEPTH = 64

_CHUNK = 1 << 20


class Unreadable(Exception):
    """An input (a file, a line) that cannot be read: becomes a :class:`~geomap.records.Skipped`."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def size_text(n: int) -> str:
    """``n`` bytes for a message: ``64 MiB``, ``1.5 GiB``, ``900 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) or value >= 10 else f"{value:.1f} {unit}"
    return f"{n} bytes"


# -- names ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape_char(m: re.Match) -> str:
    ch = m.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{code:02x}")
    return f"\\u{code:04x}"


def display_path(path: str | os.PathLike | bytes) -> str:
    """``path`` as one printable line: undecodable bytes as ``\\xff``, control characters escaped.

    Used for every file name geomap writes into a message or a table: a
    name that is not UTF-8, or that holds a newline, is shown escaped and
    can neither crash a writer nor forge a line of output.
    """
    text = os.fsdecode(path)
    return _CONTROL.sub(_escape_char, text)


# -- text ------------------------------------------------------------------------------

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> tuple[str, int]:
    """``text`` with every lone surrogate replaced by U+FFFD, and how many there were.

    A JSON string may hold ``"\\ud800"``, which Python reads but no UTF-8
    writer can write; a valid pair is already one character once parsed.
    """
    if _SURROGATE.search(text) is None:  # the common case: no copy
        return text, 0
    cleaned, n = _SURROGATE.subn("\ufffd", text)
    return cleaned, n


# -- files -----------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for a message."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike) -> IO[bytes]:
    """Open ``path`` for reading in binary, if it is a regular file; raise :class:`Unreadable` if not.

    The file is opened without blocking (a FIFO opened for reading waits for
    a writer otherwise) and checked with ``fstat`` on the open descriptor,
    so a name swapped for a FIFO or a device between a check and the open
    is caught too.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(f"not a regular file: {file_kind(mode)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file no larger than ``limit``; raise :class:`Unreadable` otherwise.

    The size is checked before anything is read, and at most ``limit + 1``
    bytes are ever read (a file that grows meanwhile is refused too).
    """
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise Unreadable(f"too large: {size_text(size)} (the limit is {size_text(limit)})")
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise Unreadable(f"too large: more than {size_text(limit)}")
    return data


def read_lines(fh: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(number, line)`` for each physical line of ``fh``; ``line`` is ``None`` when it is longer than ``limit``.

    A line is read at most ``limit + 1`` bytes at a time: an endless line
    costs bounded memory and is passed over to its end.  Lines end at
    ``\\n`` (a ``\\r\\n`` keeps its ``\\r``).
    """
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if line.endswith(b"\n") or len(line) <= limit:
            yield number, line
            continue
        while not line.endswith(b"\n"):  # pass over the rest of the long line
            line = fh.readline(_CHUNK)
            if not line:
                break
        yield number, None


# -- JSON ------------------------------------------------------------------------------


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON; raise :class:`Unreadable` if it is malformed or nested deeper than ``max_depth``.

    ``NaN`` and ``Infinity`` are read as Python reads them (the fields that
    take numbers check them); an integer of more digits than Python converts
    is malformed.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"malformed JSON ({exc.msg}, column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise Unreadable(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise Unreadable(f"malformed JSON ({_value_problem(exc)})") from None
    if _depth(data, max_depth) > max_depth:
        raise Unreadable(f"JSON nested deeper than {max_depth} levels")
    return data


def _value_problem(exc: ValueError) -> str:
    """A short reason for a value Python refused to convert."""
    text = " ".join(str(exc).split())
    if "integer string conversion" in text:
        return "a number with more digits than Python converts"
    return text[:200]


def _depth(data: Any, limit: int) -> int:
    """How deeply ``data`` nests lists and dicts (stops counting past ``limit``)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        stack.extend((item, depth + 1) for item in value if isinstance(item, (list, dict)))
    return deepest


# -- YAML ------------------------------------------------------------------------------

#: Nesting of YAML sequences and mappings (front matter and corrections need two or three).
MAX_YAML_DEPTH = 64


@functools.lru_cache(maxsize=1)
def _fast_loader() -> Any:
    """The fastest safe loader: libyaml's when PyYAML was built with it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_events(text: str) -> None:
    """Refuse an alias or nesting past :data:`MAX_YAML_DEPTH`, before anything is composed.

    The parser's events are read once (no node is built): an alias is
    refused, never expanded, so a "billion laughs" document costs its own
    size; a deep document is refused before a recursive composer sees it.
    """
    import yaml

    try:
        _walk_events(yaml.parse(text, Loader=_fast_loader()))
    except yaml.scanner.ScannerError as exc:
        if exc.problem != "exceeded maximum nesting depth":  # libyaml's own limit (1,000 levels): the same refusal
            raise
        raise yaml.composer.ComposerError(None, None, _TOO_DEEP, exc.problem_mark) from None


_TOO_DEEP = f"nested deeper than {MAX_YAML_DEPTH} levels"


def _walk_events(events: Iterator[Any]) -> None:
    import yaml

    depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"found an alias (*{event.anchor}): aliases are not allowed", event.start_mark
            )
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, _TOO_DEEP, event.start_mark)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def compose_yaml(text: str) -> Any:
    """The node tree of a YAML document (``None`` if empty), with line marks; aliases and deep nesting refused.

    Raises
    ------
    yaml.YAMLError
        Not valid YAML, an alias (``*name``), or nested deeper than
        :data:`MAX_YAML_DEPTH`; ``problem_mark`` says where.
    """
    import yaml

    _check_events(text)
    return yaml.compose(text, Loader=_fast_loader())


def load_yaml(text: str) -> Any:
    """A YAML document as Python data, read with a safe loader; aliases and deep nesting refused.

    Raises
    ------
    yaml.YAMLError
        Not valid YAML, an alias (``*name``), nested deeper than
        :data:`MAX_YAML_DEPTH`, or a value Python cannot hold (a 5,000-digit
        integer); ``problem_mark`` says where when known.
    """
    import yaml

    _check_events(text)
    try:
        return yaml.load(text, Loader=_fast_loader())  # noqa: S506 - a safe loader
    except (ValueError, OverflowError) as exc:  # a 5,000-digit integer, a date past year 9999
        raise yaml.constructor.ConstructorError(None, None, _value_problem(exc)) from None


def yaml_problem(exc: Exception) -> tuple[int | None, str]:
    """(the 1-based line, the problem) of an error :func:`load_yaml` or :func:`compose_yaml` raised."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return line, " ".join(str(problem).split())
