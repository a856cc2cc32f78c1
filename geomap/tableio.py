"""The tidy tables as files: :func:`write_tables` writes them as CSV, :func:`read_tables` reads them back.

:func:`write_tables` never overwrites a file it did not write itself (a
manifest in the folder records what it wrote); :func:`read_tables` reads
tables written by geomap, perhaps reviewed by hand, as CSV or Parquet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from geomap._csv import restore, write_frame
from geomap._errors import InputError, InputNotFoundError, located
from geomap._io import MANIFEST, OutputDir
from geomap.records import INCIDENT_TYPES
from geomap.tables import _ADDED_COLUMNS, _F, _I, _S, COLUMNS, TABLES, Extraction, _frame

__all__ = ["MANIFEST", "read_tables", "write_tables"]


def write_tables(extraction: Extraction, out_dir: str | Path) -> list[Path]:
    """Write the six tables as UTF-8 CSV into ``out_dir``; never overwrite an analyst's file.

    A file is replaced only if geomap wrote it and nobody changed it since
    (:class:`geomap._io.OutputDir` keeps the checksums in the folder's
    :data:`MANIFEST`).  Every file is written atomically.

    Returns
    -------
    list of Path
        The files written, in :data:`TABLES` order.

    Raises
    ------
    InputError
        A table file exists that geomap did not write, or that was edited
        since (the analyst's work is kept; write elsewhere or move it).
    """
    out = OutputDir(out_dir)
    names = [f"{name}.csv" for name in TABLES]
    out.check(*names)
    out.prepare()
    out.note(corrected=extraction.corrections.path if extraction.corrections is not None else None)
    written: list[Path] = []
    for name, file_name in zip(TABLES, names, strict=True):
        with out.open(file_name) as fh:
            write_frame(_frame(name, extraction.tables()[name]), fh)
        written.append(out.path / file_name)
    return written


def read_tables(
    directory: str | Path, *, format: str | None = None, date_format: str | None = None, dask: bool = False
) -> Extraction:
    """Read tables written by :func:`write_tables` or ``geomap extract`` (perhaps reviewed by hand) back.

    With ``dask=True`` the tables are :class:`dask.dataframe.DataFrame` objects,
    lazy (nothing is read until ``.compute()``), one partition a Parquet file
    or row group, for tables bigger than memory, from a notebook or on a
    cluster (:func:`geomap.cluster.dask_tables`; needs ``geomap[dask]``).

    CSV or Parquet (:mod:`geomap.tablefiles`: one file a table or a folder
    of months), as found; ``format`` (``"csv"`` or ``"parquet"``) chooses
    when a folder holds both.  A missing table is read as empty; a missing
    column, a bad number, an incident type the taxonomy lacks or a bad date
    is an error naming the file and line (the row, in Parquet).  Dates in
    CSV are ISO 8601 (``2024-03-25``), as geomap writes them; a spreadsheet
    that saved them in its own way (``03/25/2024``) is named, never read as
    no date, unless ``date_format`` (:func:`~datetime.datetime.strptime`
    codes, such as ``"%m/%d/%Y"``) says how to read them (Parquet dates are
    typed).  Text cells geomap wrote with a leading apostrophe against
    spreadsheet formulas (:mod:`geomap._csv`) are read as the text they
    stand for.

    Raises
    ------
    InputNotFoundError
        ``directory`` does not exist.
    InputError
        A table lacks a column, holds a value of the wrong kind or an
        unknown incident type, or is there both as CSV and as Parquet and
        ``format`` does not say which.
    """
    import pandas as pd

    from geomap.tablefiles import DATES, read_table

    if dask:
        from geomap.cluster import dask_tables

        return Extraction(**dask_tables(directory))
    folder = Path(directory)
    if not folder.is_dir():
        raise InputNotFoundError(located(folder, None, "no such folder"))
    frames = {}
    for name, spec in COLUMNS.items():
        path = folder / f"{name}.csv"
        columnar = read_table(folder, name) if format != "csv" else None
        if columnar is not None and path.exists() and format is None:
            raise InputError(located(path, None, "the table is there as CSV and as Parquet: say which to read (format)"))
        if columnar is not None:
            if name == "incidents":
                _check_types(folder / name if (folder / name).is_dir() else folder / f"{name}.parquet", columnar["type"], csv=False)
            frames[name] = columnar
            continue
        if not path.exists() or format == "parquet":
            frames[name] = _frame(name, [])
            continue
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(located(path, None, f"not a readable CSV table: {exc}")) from exc
        missing = [c for c in spec if c not in df.columns and (name, c) not in _ADDED_COLUMNS]
        if missing:
            raise InputError(located(path, 1, f"missing column: {missing[0]!r}"))
        _restore_text(df, name)
        for column, dtype in spec.items():
            if dtype in (_I, _F):
                values = df[column].str.strip()
                parsed = pd.to_numeric(values.where(values != "", None), errors="coerce")
                bad = parsed.isna() & (values != "")
                if bad.any():
                    row = int(bad.to_numpy().nonzero()[0][0])
                    raise InputError(located(path, row + 2, f"{column}: not a number: {values.iloc[row]!r}"))
                if dtype == _I and ((parsed.dropna() % 1) != 0).any():
                    row = int(((parsed % 1) != 0).fillna(False).to_numpy().nonzero()[0][0])
                    raise InputError(located(path, row + 2, f"{column}: not a whole number: {values.iloc[row]!r}"))
                df[column] = parsed
        if name == "incidents":
            _check_types(path, df["type"])
        for column in DATES.get(name, ()):
            df[column] = _read_dates(df[column], path, column, date_format)
        frames[name] = _frame(name, df)
    return Extraction(**frames)


def _check_types(path: Path, types: Any, *, csv: bool = True) -> None:
    """Reject a reviewed table whose ``type`` column holds a type the taxonomy lacks.

    A type becomes a layer name and a legend label on the map: only the
    known ones are allowed in, whatever an editor typed.
    """
    bad = ~types.str.strip().isin(INCIDENT_TYPES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        msg = f"type: unknown incident type: {types.iloc[row]!r} (known: {', '.join(INCIDENT_TYPES)})"
        raise InputError(located(path, row + 2, msg) if csv else located(path, None, f"row {row + 1}: {msg}"))


def _restore_text(df: Any, name: str) -> None:
    """The text cells of a CSV table ``name`` that geomap wrote as ``'=...`` (see :mod:`geomap._csv`) as the text ``=...``."""
    for column, dtype in COLUMNS[name].items():
        if dtype == _S and column in df.columns:
            quoted = df[column].str.startswith("'")
            if quoted.any():
                df.loc[quoted, column] = df.loc[quoted, column].map(restore)


def _read_dates(values: Any, path: Path, column: str, date_format: str | None, *, first: int = 2) -> Any:
    """A column of dates as ISO text; a cell that is not a date raises, naming its line (never read as blank).

    ``first`` is the line of the column's first cell (2, under the header; more for a later batch).
    """
    import re

    import pandas as pd

    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    out = []
    for row, text in enumerate(values.str.strip(), start=first):
        if text == "":
            out.append("")
            continue
        try:
            if date_format is not None and not iso.fullmatch(text):
                day = dt.datetime.strptime(text, date_format).date()
            elif iso.fullmatch(text):
                day = dt.date.fromisoformat(text)
            else:
                raise ValueError(text)
        except ValueError:
            how = f"as {date_format!r}" if date_format else "(YYYY-MM-DD; if a spreadsheet rewrote the dates, say how with --date-format)"
            raise InputError(located(path, row, f"{column}: not a date {how}: {text!r}")) from None
        out.append(day.isoformat())
    return pd.Series(out, index=values.index, dtype=object)
