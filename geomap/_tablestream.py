"""Tables read a batch at a time as Arrow, only the columns asked for, each bad cell named by file and line or row group.

:mod:`geomap.mapdata` reads tables too big to hold through :func:`batches`:
CSV (one file a table) or Parquet (one file a table, or a folder of files:
``incidents/month=2024-05/part-0.parquet`` as ``geomap extract --by-month``
writes it, or any ``*.parquet`` below ``incidents/``, as Dask's
``to_parquet`` does).  Every batch has the columns asked for, in a plain
Arrow form whatever the file holds: text and dates as ``string`` (dates
ISO, ``""`` when missing), whole numbers ``int64``, numbers ``float64``,
flags ``bool``.  A batch holds at most :data:`BATCH_ROWS` rows, so memory
is that of one batch, not of the table.

Errors are :class:`~geomap._errors.InputError` on one line: ``file:line:
column: ...`` in CSV (the line of the cell), ``file: row group G: column:
...`` in Parquet (row groups counted from 0, rows in a group from 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomap._errors import InputError, located

__all__ = ["BATCH_ROWS", "Batch", "batches", "first_bad", "source"]

BATCH_ROWS = 65_536
_ISO = r"^(\d{4}-\d{2}-\d{2})?$"


def source(folder: Path, name: str, format: str | None) -> tuple[str, list[Path]] | None:
    """How table ``name`` is stored in ``folder``: ``("parquet", files)`` or ``("csv", [file])``; ``None`` if absent."""
    single, parts, csv = folder / f"{name}.parquet", folder / name, folder / f"{name}.csv"
    parquet = [single] if single.is_file() else sorted(parts.rglob("*.parquet")) if parts.is_dir() else []
    if parquet and csv.is_file() and format is None:
        raise InputError(located(csv, None, "the table is there as CSV and as Parquet: say which to read (format)"))
    if parquet and format != "csv":
        return "parquet", parquet
    if csv.is_file() and format != "parquet":
        return "csv", [csv]
    return None


@dataclass(frozen=True)
class Batch:
    """Rows of one table file: ``data`` (Arrow), and where its first row is (a CSV line, or a Parquet row group and row)."""

    data: Any
    path: Path
    line: int | None = None  # CSV: the line of the first row
    group: int | None = None  # Parquet: the row group
    row: int = 0  # Parquet: rows of the group before this batch

    def where(self, index: int, message: str) -> str:
        """``message`` located at row ``index`` of the batch."""
        if self.line is not None:
            return located(self.path, self.line + index, message)
        return located(self.path, None, f"row group {self.group}, row {self.row + index + 1}: {message}")


def batches(
    folder: Path, name: str, columns: list[str], format: str | None = None, *, date_format: str | None = None,
    newest_first: bool = False,
) -> Iterator[Batch]:  # fmt: skip
    """Table ``name`` of ``folder`` as :class:`Batch` es of ``columns`` (none if the table is absent).

    ``newest_first`` reads a folder of months from the last month back.
    CSV cells are read as :func:`geomap.tableio.read_tables` reads them:
    text geomap wrote against spreadsheet formulas restored, numbers and
    dates checked (``date_format`` as there).
    """
    found = source(folder, name, format)
    if found is None:
        return
    kind, files = found
    if newest_first:
        files = files[::-1]
    for path in files:
        if kind == "parquet":
            yield from _parquet(path, name, columns)
        else:
            yield from _csv(path, name, columns, date_format)


def _wanted(name: str, columns: list[str], present: list[str], path: Path, line: int | None) -> list[str]:
    """The columns to read; a missing one (but those added since tables were first written) is an error."""
    from geomap.tables import _ADDED_COLUMNS

    missing = [c for c in columns if c not in present and (name, c) not in _ADDED_COLUMNS]
    if missing:
        raise InputError(located(path, line, f"missing column: {missing[0]!r}"))
    return [c for c in columns if c in present]


def _parquet(path: Path, name: str, columns: list[str]) -> Iterator[Batch]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(located(path, None, f"not a readable Parquet table: {exc}")) from exc
    present = _wanted(name, columns, file.schema_arrow.names, path, None)
    for group in range(file.num_row_groups):
        row = 0
        try:
            for record in file.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=present, use_threads=False):
                where = Batch(None, path, group=group, row=row)
                yield Batch(_plain(name, pa.Table.from_batches([record]), columns, where), path, group=group, row=row)
                row += record.num_rows
        except InputError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise InputError(located(path, None, f"row group {group}: not readable: {_short(exc)}")) from exc


def _plain(name: str, data: Any, columns: list[str], batch: Batch) -> Any:
    """``data``'s columns in the plain form (see the module), each cast checked."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from geomap.tables import COLUMNS
    from geomap.tablefiles import DATES

    arrays = []
    for column in columns:
        kind = COLUMNS[name][column]
        if column not in data.column_names:  # a column added since (checked in _wanted)
            arrays.append(pa.array([""] * data.num_rows, type=pa.string()))
            continue
        array = data.column(column)
        if pa.types.is_dictionary(array.type):
            array = array.cast(array.type.value_type)
        try:
            if column in DATES.get(name, ()):
                if pa.types.is_date(array.type) or pa.types.is_timestamp(array.type):
                    array = array.cast(pa.date32()).cast(pa.string())
                else:
                    array = _checked_text(array.cast(pa.string()), _ISO, column, "not a date (YYYY-MM-DD)", batch)
                array = array.fill_null("")
            elif kind == "string":
                array = array.cast(pa.string()).fill_null("")
            else:
                target = {"Int64": pa.int64(), "Float64": pa.float64(), "boolean": pa.bool_()}[kind]
                array = _cast(array, target, column, batch)
        except pa.ArrowInvalid as exc:
            raise InputError(batch.where(0, f"{column}: {_short(exc)}")) from exc
        arrays.append(pc.cast(array, array.type) if isinstance(array, pa.ChunkedArray) else array)
    return pa.table(arrays, names=columns)


def _cast(array: Any, target: Any, column: str, batch: Batch) -> Any:
    """``array`` as ``target``; text that is not a number is named by its row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if array.type == target:
        return array
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        text = pc.utf8_trim_whitespace(array)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        pattern = r"^-?\d+$" if pa.types.is_integer(target) else r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^(?i:nan|inf|-inf)$"
        if pa.types.is_boolean(target):
            pattern = r"^(?i:true|false|1|0)$"
            text = pc.if_else(pc.is_in(pc.utf8_lower(text), pa.array(["true", "1"])), "true",
                              pc.if_else(pc.is_in(pc.utf8_lower(text), pa.array(["false", "0"])), "false", text))  # fmt: skip
        _checked_text(text, pattern, column, "not a whole number" if pa.types.is_integer(target) else "not a number", batch)
        return text.cast(target)
    try:
        return array.cast(target)
    except pa.ArrowInvalid:
        return array.cast(target, safe=False) if pa.types.is_floating(target) else _bad_cast(array, target, column, batch)


def _bad_cast(array: Any, target: Any, column: str, batch: Batch) -> Any:
    import pyarrow.compute as pc

    for index in range(len(array)):  # a float column read as whole numbers: name the first that is not
        value = array[index].as_py()
        if value is not None and value != int(value):
            raise InputError(batch.where(index, f"{column}: not a whole number: {value!r}"))
    return pc.cast(array, target, safe=False)


def _checked_text(array: Any, pattern: str, column: str, what: str, batch: Batch) -> Any:
    """``array`` when every non-null cell matches ``pattern``; else the first that does not, by its row."""
    import pyarrow.compute as pc

    ok = pc.match_substring_regex(array, pattern)
    bad = pc.and_(pc.is_valid(array), pc.invert(pc.fill_null(ok, True)))
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        raise InputError(batch.where(index, f"{column}: {what}: {array[index].as_py()!r}"))
    return array


def _csv(path: Path, name: str, columns: list[str], date_format: str | None) -> Iterator[Batch]:
    import pandas as pd
    import pyarrow as pa

    from geomap.tableio import _read_dates, _restore_text
    from geomap.tablefiles import DATES

    try:
        header = pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8").columns.tolist()
        present = _wanted(name, columns, header, path, 1)
        line = 2  # of the chunk's first row
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", usecols=present, chunksize=BATCH_ROWS)
        for chunk in reader:
            _restore_text(chunk, name)
            for column in DATES.get(name, ()):
                if column in chunk.columns:
                    chunk[column] = _read_dates(chunk[column], path, column, date_format, first=line)
            data = pa.Table.from_pandas(chunk, preserve_index=False)
            yield Batch(_plain(name, data, columns, Batch(None, path, line=line)), path, line=line)
            line += len(chunk)
    except InputError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(located(path, None, f"not a readable CSV table: {_short(exc)}")) from exc


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def first_bad(values: Any, allowed: Any) -> int | None:
    """Index of the first of ``values`` (Arrow text) not in ``allowed``, or ``None``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    bad = pc.invert(pc.is_in(pc.utf8_trim_whitespace(values), value_set=pa.array(sorted(allowed))))
    return pc.index(bad, True).as_py() if pc.any(bad).as_py() else None

