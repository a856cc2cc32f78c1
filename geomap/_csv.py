"""The one rule for every CSV geomap writes: no live formulas, no split rows.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or a carriage return) as a formula; article text can start
that way, on purpose or not.  Such a text cell is written with a leading
apostrophe (OWASP's advice for CSV injection), which spreadsheets show as
text.  A cell that is a plain number (``-4.5``, ``+3``) is left as it is: it
is a number, not a formula.  A text that itself starts with apostrophes and
then one of those characters gets one more, so :func:`restore` (which
``geomap export`` applies when it reads tables back) gives the text exactly.

A carriage return inside a cell is quoted like a line feed, so no reader
takes it for the end of a row.
"""

from __future__ import annotations

import re
from typing import IO, Any

__all__ = ["FORMULA_START", "csv_writer", "neutralise", "neutralise_frame", "restore", "write_frame"]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _risky(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` (after any leading apostrophes) as a formula."""
    return text.lstrip("'")[:1] in FORMULA_START and not _NUMBER.fullmatch(text.lstrip("'"))


def neutralise(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs: ``'=1+2``, but ``-4.5`` as it is."""
    return "'" + text if text[:1] in ("'", *FORMULA_START) and _risky(text) else text


def restore(text: str) -> str:
    """The text a :func:`neutralise`\\ d cell stands for."""
    return text[1:] if text[:1] == "'" and _risky(text) else text


def neutralise_frame(df: Any) -> Any:
    """A copy of ``df`` with every text cell neutralised (number columns as they are)."""
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            try:
                mask = series.str[:1].isin(("'", *FORMULA_START)).fillna(False).astype(bool)
            except AttributeError:  # an object column holding no text
                continue
            if mask.any():
                series = series.astype(object)
                series[mask] = series[mask].map(neutralise)
                out[column] = series.astype(df[column].dtype)
    return out


class _LineFeeds:
    """A text file that takes ``\\r\\n``-terminated CSV rows and writes them ending in ``\\n``.

    Python's CSV writer quotes a cell holding a character of the line
    terminator: with ``\\r\\n`` as terminator, a cell with a lone ``\\r`` is
    quoted too (with ``\\n`` it is not, and a reader splits the row there).
    Each write is one row, so only its last two characters are the terminator.
    """

    def __init__(self, fh: IO[str]) -> None:
        self._fh = fh

    def write(self, text: str) -> int:
        return self._fh.write(text[:-2] + "\n" if text.endswith("\r\n") else text)

    def __iter__(self) -> Any:  # pandas takes an object with write and __iter__ for a file
        return iter(())


def csv_writer(fh: IO[str]) -> Any:
    """A :func:`csv.writer` on ``fh`` with ``\\n`` line ends that quotes carriage returns (cells as given)."""
    import csv

    return csv.writer(_LineFeeds(fh), lineterminator="\r\n")


def write_frame(df: Any, fh: IO[str], *, header: bool = True) -> None:
    """Write ``df`` to ``fh`` as CSV by the rule above (pandas' number formats, ``\\n`` line ends)."""
    neutralise_frame(df).to_csv(_LineFeeds(fh), index=False, header=header, lineterminator="\r\n")
