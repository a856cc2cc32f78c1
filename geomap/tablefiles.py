"""The tidy tables on disk: CSV or Parquet, written a part at a time, and read back.

``geomap extract`` hands its rows to a *table writer* a part at a time
(:func:`table_writer`); the writer keeps them in unnamed temporary files and
puts each table in place atomically at the end (:meth:`commit`), so a run
that fails leaves no half-written table.  What a writer produces does not
depend on how the rows were cut into parts: one process, ``--jobs N``, a
Dask cluster or an incremental run give the same files, byte for byte.

Parquet (``format="parquet"``) has the CSV's columns, in the same order,
with real types (:func:`parquet_schema`): dates are ``date32`` (a missing
date is null), whole numbers ``int64``, numbers ``double``, flags ``bool``,
and the columns with few distinct values (:data:`CATEGORICAL`) dictionary
encoded, which pandas reads as categoricals; other text is ``string``
(empty, not null, when missing, as in the CSV).  Row groups hold
:data:`ROW_GROUP` rows.  With ``by_month=True`` each table but ``skipped``
is a folder partitioned the Hive way, ``incidents/month=2024-05/part-0.parquet``
(``month=unknown`` for undated rows): an incident by its own start date, an
article by its date, and mentions, unresolved names and routes by their
article's date.  :func:`read_table` (and :func:`geomap.tableio.read_tables`)
read either layout back into the CSV's frames.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geomap._csv import write_frame
from geomap._errors import GeomapError, InputError, OutputError, located
from geomap._io import OutputDir

__all__ = [
    "CATEGORICAL", "DATES", "FORMATS", "ROW_GROUP", "from_arrow", "parquet_schema", "read_table", "table_files",
    "table_writer", "to_arrow",
]  # fmt: skip

FORMATS = ("csv", "parquet")
ROW_GROUP = 10_000  # rows a Parquet row group: fixed, so the files do not depend on how the rows came in

#: The columns held as dates in Parquet (ISO ``YYYY-MM-DD`` text in CSV).
DATES = {"articles": ("date",), "incidents": ("date_start", "date_end")}
#: The columns dictionary-encoded in Parquet (pandas categoricals).
CATEGORICAL = {
    "articles": ("date_precision", "source", "format", "encoding"),
    "mentions": ("method",),
    "incidents": ("type", "unit", "qualifier", "date_precision", "source"),
    "routes": ("role",),
    "unresolved": ("hint",),
}
_UNKNOWN_MONTH = "unknown"


def _arrow_type(table: str, column: str, dtype: str) -> Any:
    import pyarrow as pa

    if column in DATES.get(table, ()):
        return pa.date32()
    if column in CATEGORICAL.get(table, ()):
        return pa.dictionary(pa.int32(), pa.string())
    return {"string": pa.string(), "Int64": pa.int64(), "Float64": pa.float64(), "boolean": pa.bool_()}[dtype]


def parquet_schema(table: str) -> Any:
    """The Arrow schema of ``table`` in Parquet (the CSV's columns, typed)."""
    import pyarrow as pa

    from geomap.tables import COLUMNS

    return pa.schema([pa.field(c, _arrow_type(table, c, d)) for c, d in COLUMNS[table].items()])


def _plain_schema(table: str) -> Any:
    """The schema with text in place of dictionaries: what rows are kept as until a row group is written."""
    import pyarrow as pa

    schema = parquet_schema(table)
    return pa.schema([pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in schema])


def to_arrow(table: str, frame: Any) -> Any:
    """One table's frame (columns and dtypes of :data:`geomap.tables.COLUMNS`) as Arrow, text not yet encoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = _plain_schema(table)
    arrays = []
    for field in schema:
        series = frame[field.name]
        if pa.types.is_date32(field.type):
            text = pa.array(series.to_numpy(dtype=object, na_value=""), type=pa.string())
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            try:
                arrays.append(text.cast(pa.date32()))
            except pa.ArrowInvalid as exc:
                msg = f"{table}.{field.name}: not a date (YYYY-MM-DD): {exc}"
                raise InputError(msg) from None
        elif pa.types.is_string(field.type):
            arrays.append(pa.array(series.to_numpy(dtype=object, na_value=""), type=pa.string()))
        else:
            arrays.append(pa.array(series.to_numpy(dtype=object, na_value=None), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _encoded(table: str, rows: Any) -> Any:
    """``rows`` with their categorical columns dictionary-encoded (dictionaries in order of first use)."""
    import pyarrow as pa

    rows = rows.combine_chunks()
    columns = [
        rows.column(i).dictionary_encode() if name in CATEGORICAL.get(table, ()) else rows.column(i)
        for i, name in enumerate(rows.column_names)
    ]
    return pa.Table.from_arrays([c.combine_chunks() for c in columns], schema=parquet_schema(table))


def from_arrow(table: str, data: Any) -> Any:
    """A Parquet table read back as the CSV's frame (dates as ISO text, categoricals as text)."""
    import pandas as pd
    import pyarrow as pa

    from geomap.tables import COLUMNS, _frame

    out = {}
    for column in COLUMNS[table]:
        if column not in data.column_names:
            continue
        array = data.column(column)
        if pa.types.is_dictionary(array.type):
            array = array.cast(pa.string())
        if pa.types.is_date32(array.type) or pa.types.is_timestamp(array.type):
            array = array.cast(pa.date32()).cast(pa.string()).fill_null("")
        mapped = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}
        out[column] = array.to_pandas(types_mapper=mapped.get)
    return _frame(table, pd.DataFrame(out))


class _Spool:
    """One output file's rows, in an unnamed temporary file until the run ends."""

    def __init__(self, spool_dir: Path, binary: bool) -> None:
        self.file = tempfile.TemporaryFile("w+b" if binary else "w+", dir=spool_dir, **({} if binary else {"encoding": "utf-8", "newline": ""}))

    def copy_to(self, out: OutputDir, name: str, binary: bool) -> None:
        """Put the rows in place as ``out``'s file ``name`` (journaled in its manifest)."""
        self.file.seek(0)
        with out.open(name, "wb" if binary else "w") as fh:
            shutil.copyfileobj(self.file, fh, 1 << 20)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # rows it could not take (a full disk) are dropped with it: the error was told
            self.file.close()


class _CsvWriter:
    """The tables as UTF-8 CSV, one file each (``articles.csv``...), by the one CSV rule of :mod:`geomap._csv`."""

    binary = False

    def __init__(self, spool_dir: Path) -> None:
        from geomap.tables import TABLES

        self._spools = {name: _Spool(spool_dir, False) for name in TABLES}
        self._started: dict[str, bool] = dict.fromkeys(TABLES, False)

    def write(self, name: str, frame: Any) -> None:
        if len(frame) or not self._started[name]:
            write_frame(frame, self._spools[name].file, header=not self._started[name])
            self._started[name] = True

    def write_text(self, name: str, text: str) -> None:
        """Add rows already written as CSV text (no header), after the table's header."""
        if not self._started[name]:
            from geomap.tables import _frame

            self.write(name, _frame(name, []))
        self._spools[name].file.write(text)

    def files(self) -> dict[str, _Spool]:
        return {f"{name}.csv": spool for name, spool in self._spools.items()}

    def close(self) -> None:
        for spool in self._spools.values():
            spool.close()


class _ParquetWriter:
    """The tables as Parquet: one file each, or one a month (``by_month``)."""

    binary = True

    def __init__(self, spool_dir: Path, by_month: bool) -> None:
        self._dir = spool_dir
        self._by_month = by_month
        self._open: dict[str, tuple[_Spool, Any, list, list[int]]] = {}  # file name -> spool, writer, pending, rows
        self._months: dict[str, str] = {}  # article id -> month (only by_month)

    def _file(self, name: str, month: str | None) -> str:
        return f"{name}.parquet" if month is None else f"{name}/month={month}/part-0.parquet"

    def write(self, name: str, frame: Any) -> None:
        if not self._by_month or name == "skipped":
            self._add(name, self._file(name, None), frame)
            return
        months = self._month_of(name, frame)
        for month in sorted(set(months)):
            self._add(name, self._file(name, month), frame[months == month])

    def _month_of(self, name: str, frame: Any) -> Any:
        import numpy as np

        def month(text: Any) -> str:
            return text[:7] if isinstance(text, str) and len(text) >= 7 else ""

        if name == "articles":
            own = [month(d) for d in frame["date"]]
            self._months.update(zip(frame["article_id"], own, strict=True))
        else:
            parent = [self._months.get(a, "") for a in frame["article_id"]]
            own = [month(d) or p for d, p in zip(frame["date_start"], parent, strict=True)] if name == "incidents" else parent
        return np.array([m or _UNKNOWN_MONTH for m in own], dtype=object)

    def _add(self, name: str, file_name: str, frame: Any) -> None:
        import pyarrow.parquet as pq

        if file_name not in self._open:
            spool = _Spool(self._dir, True)
            writer = pq.ParquetWriter(spool.file, parquet_schema(name), compression="zstd", write_statistics=True)
            self._open[file_name] = (spool, writer, [], [0])
        _, writer, pending, count = self._open[file_name]
        if len(frame):
            pending.append(to_arrow(name, frame))
            count[0] += len(frame)
        while count[0] >= ROW_GROUP:
            self._flush(name, writer, pending, count, ROW_GROUP)

    def _flush(self, name: str, writer: Any, pending: list, count: list[int], size: int) -> None:
        import pyarrow as pa

        rows = pa.concat_tables(pending)
        writer.write_table(_encoded(name, rows.slice(0, size)), row_group_size=size)
        pending.clear()
        if rows.num_rows > size:
            pending.append(rows.slice(size))
        count[0] = rows.num_rows - size

    def files(self) -> dict[str, _Spool]:
        out = {}
        for file_name, (spool, writer, pending, count) in self._open.items():
            if count[0]:  # the last row group: what is left
                self._flush(file_name.split("/", 1)[0].split(".", 1)[0], writer, pending, count, count[0])
            writer.close()
            out[file_name] = spool
        return out

    def close(self) -> None:
        for spool, writer, _, _ in self._open.values():
            with contextlib.suppress(Exception):
                writer.close()
            spool.close()


_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})


@contextlib.contextmanager
def _spool_trouble(spool_dir: Path) -> Iterator[None]:
    """A spool that cannot be made or written (a full disk, a read-only folder): one line naming the folder.

    The spools live in the output folder, or the nearest one that exists.
    """
    try:
        yield
    except OSError as exc:
        if isinstance(exc, GeomapError) or exc.errno not in _NO_ROOM:
            raise
        reason = os.strerror(exc.errno)  # the system's words: pyarrow's own ("Error writing bytes...") differ
        raise OutputError(f"{spool_dir}: cannot write the tables: {reason}") from exc


@contextlib.contextmanager
def table_writer(out_dir: str | Path, *, format: str = "csv", by_month: bool = False) -> Iterator[Any]:
    """A writer of the tables into ``out_dir``: ``.write(table, frame)`` a part at a time, then ``.commit()``.

    Nothing reaches ``out_dir`` before :meth:`commit`, which checks again that
    no file it replaces was made or edited by someone else, writes every
    table atomically, journaled in the folder's manifest
    (:class:`geomap._io.OutputDir`), and removes the month files of an
    earlier run that this run has no rows for.  Leaving the block without
    committing (an error) leaves ``out_dir`` as it was.  A full disk or a
    folder that cannot be written is one :class:`~geomap._errors.OutputError`.
    CSV cells follow the one CSV rule (:mod:`geomap._csv`); Parquet is
    typed and its text is kept as it is.
    """
    if format not in FORMATS:
        msg = f"unknown table format {format!r} (choose from {', '.join(FORMATS)})"
        raise InputError(msg)
    if by_month and format != "parquet":
        raise InputError("tables by month are written as Parquet only (format='parquet')")
    out = Path(out_dir)
    OutputDir(out).check(*table_files(out, format=format, by_month=by_month))
    spool_dir = next(p for p in (out.absolute(), *out.absolute().parents) if p.is_dir())
    with _spool_trouble(spool_dir):
        inner = _CsvWriter(spool_dir) if format == "csv" else _ParquetWriter(spool_dir, by_month)
    holder = _Committer(out, inner, format, by_month, spool_dir)
    try:
        yield holder
    finally:
        inner.close()


class _Committer:
    def __init__(self, out: Path, inner: Any, format: str, by_month: bool, spool_dir: Path) -> None:
        self.out, self.inner, self.format, self.by_month, self.spool_dir = out, inner, format, by_month, spool_dir
        self.written: list[Path] = []

    def write(self, name: str, frame: Any) -> None:
        """Add ``frame`` (a part of table ``name``) to the table."""
        with _spool_trouble(self.spool_dir):
            self.inner.write(name, frame)

    def write_text(self, name: str, text: str) -> None:
        """Add rows of table ``name`` already written as CSV text without a header (CSV tables only)."""
        with _spool_trouble(self.spool_dir):
            self.inner.write_text(name, text)

    def commit(self, *, corrected: str | None = None) -> list[Path]:
        """Put the tables in place; the files written.

        ``corrected`` (the corrections file applied, if any) is noted in the
        manifest, so outputs made with corrections are not replaced by
        outputs made without by mistake.
        """
        with _spool_trouble(self.spool_dir):
            spools = self.inner.files()
        stale = [n for n in table_files(self.out, format=self.format, by_month=self.by_month) if n not in spools]
        out = OutputDir(self.out)  # read again: an analyst may have edited a table meanwhile
        out.check(*spools, *stale)
        out.prepare()
        for folder in sorted({Path(n).parent for n in spools} - {Path(".")}):
            out.sweep(folder)  # temporary files a killed run left in a month's folder
        out.note(corrected=corrected)
        for file_name in sorted(spools, key=_table_order):
            spools[file_name].copy_to(out, file_name, self.inner.binary)
        for file_name in stale:  # an earlier run's month this run has no rows for
            with contextlib.suppress(FileNotFoundError):
                (self.out / file_name).unlink()
        self.written = [self.out / n for n in sorted(spools, key=_table_order)]
        return self.written


def _table_order(file_name: str) -> tuple[int, str]:
    from geomap.tables import TABLES

    name = file_name.split("/", 1)[0].split(".", 1)[0]
    return (TABLES.index(name) if name in TABLES else len(TABLES), file_name)


def table_files(folder: str | Path, *, format: str = "csv", by_month: bool = False) -> list[str]:
    """The files of the tables in ``folder``, as a run of this format writes them (those present, for months)."""
    from geomap.tables import TABLES

    folder = Path(folder)
    if format == "csv":
        return [f"{name}.csv" for name in TABLES]
    if not by_month:
        return [f"{name}.parquet" for name in TABLES]
    names = ["skipped.parquet"]
    for name in TABLES:
        if (folder / name).is_dir():
            names += sorted(p.relative_to(folder).as_posix() for p in (folder / name).glob("month=*/part-0.parquet"))
    return names


def read_table(folder: str | Path, name: str) -> Any | None:
    """Table ``name`` of ``folder`` from Parquet (one file or a folder of months), as the CSV's frame; ``None`` if absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    single, by_month = folder / f"{name}.parquet", folder / name
    parts = [single] if single.is_file() else sorted(by_month.glob("month=*/part-0.parquet")) if by_month.is_dir() else []
    if not parts:
        return None
    tables = []
    for path in parts:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(located(path, None, f"not a readable Parquet table: {exc}")) from exc
    frames = [from_arrow(name, t) for t in tables]
    if len(frames) == 1:
        return frames[0]
    import pandas as pd

    from geomap.tables import _frame

    return _frame(name, pd.concat(frames, ignore_index=True))
