"""Every error geomap raises on purpose.

One root, :class:`GeomapError`; each subclass also derives from the builtin a
caller would naturally catch.  Messages name the file, line and value at
fault, on one line, so the CLI can print them as they are.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GazetteerError",
    "GeomapError",
    "InputError",
    "InputNotFoundError",
    "MissingDependencyError",
    "OutputError",
    "located",
]


class GeomapError(Exception):
    """Root of every error geomap raises on purpose."""


class InputError(GeomapError, ValueError):
    """A file, argument or value given by the user is not usable."""


class InputNotFoundError(GeomapError, FileNotFoundError):
    """A path given by the user does not exist."""


class OutputError(GeomapError, OSError):
    """An output cannot be written: a name taken by a folder, a folder that cannot be written, a full disk."""


class MissingDependencyError(GeomapError, ImportError):
    """An optional extra a feature needs is not installed; the message says what to install."""


class GazetteerError(InputError):
    """The gazetteer tables are broken; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


def located(path: str | Path | None, line: int | None, message: str) -> str:
    """Format ``message`` as ``path:line: message`` (parts that are unknown are left out)."""
    where = ""
    if path is not None:
        where = str(path)
        if line is not None:
            where += f":{line}"
        where += ": "
    return f"{where}{message}"
