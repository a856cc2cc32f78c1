"""Extraction on a Dask cluster: the same tables, row for row, with the work spread over workers.

Dask is an optional extra (``pip install geomap[dask]``): it is imported by
the functions that need it, which raise one :class:`ImportError` saying what
to install.

How a run goes (``geomap extract PATHS -o DIR --dask [ADDRESS]``, or
``write_extraction(..., client=client)`` from Python):

- The workers read the files that must be read (groups of files, a big
  JSON Lines file in stretches of :data:`SPAN` bytes) and send back what
  each gave: ids as read, lines, digests, byte offsets, inputs skipped.
  This process (the *client*) takes that back in the order of the files
  and makes ids unique, tells duplicates and skipped inputs (by file and
  line) exactly as a run in one process does (:meth:`geomap._increment.InputIndex.scanned`),
  and hands the articles, as stubs, to the workers in batches of
  :data:`BATCH`, a few batches a worker under way at a time.
- A worker reads each article of its batch again by its offset and extracts it (or takes it from the
  output folder's cache, ``.geomap-cache/``: incremental runs work the same
  on a cluster), applies the corrections that touch the batch's rows, and
  writes the batch's part of each table as Parquet into a hidden staging
  folder of the output folder.  It sends back only counts and, for the
  routes an analyst replaces, their first row.
- The client takes the parts in order and writes the tables through the
  same writer as a run in one process (:mod:`geomap.tablefiles`), then
  the rows the corrections add: the files are the same, byte for byte.

A worker that dies mid-run loses nothing: the scheduler runs its batches
again elsewhere (they are idempotent: a part is written atomically under a
fixed name).  A run that fails removes its staging folder and leaves the
tables as they were.  The output folder must be one the workers can write
to (a local cluster always can; for a remote one, a shared file system).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import CancelledError  # what a Dask future the scheduler forgot raises
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geomap._cache import ArticleCache
    from geomap._run import _Run

__all__ = ["BATCH", "dask_client", "dask_tables"]

BATCH = 256  # articles a task: about half a second of work on one core, worth the trip to a worker
SPAN = 64 << 20  # bytes of input a reading task: a big JSON Lines file is read by several workers, a stretch each
_SPAN_FILES = 256  # small files a reading task
_STAGING = ".geomap-staging-"
_DASK_MISSING = (
    "extraction on a Dask cluster needs Dask: pip install 'geomap[dask]' (dask[dataframe] and distributed)"
)


def _distributed() -> Any:
    from geomap._errors import MissingDependencyError

    try:
        import dask.dataframe  # noqa: F401  (the dataframe extra: tables as dask DataFrames)
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(_DASK_MISSING) from exc
    return distributed


@contextlib.contextmanager
def dask_client(address: str | None = None, *, n_workers: int | None = None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``address``, or of a new local cluster.

    Parameters
    ----------
    address
        A scheduler's address (``tcp://10.0.0.5:8786``); ``None`` starts a
        :class:`distributed.LocalCluster` on this machine (one single-threaded
        worker process a processor, listening on 127.0.0.1 only) and closes
        it at the end.
    n_workers
        Workers of the local cluster (default: the processors).

    Raises
    ------
    MissingDependencyError
        Dask is not installed (an :class:`ImportError` that says what to install).
    InputError
        No scheduler answers at ``address``.
    """
    from geomap._errors import InputError

    distributed = _distributed()
    if address:
        try:
            client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            msg = f"no Dask scheduler answers at {address!r}: {exc}"
            raise InputError(msg) from None
        with client:
            yield client
        return
    import logging

    workers = n_workers or max(1, os.cpu_count() or 1)
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        # The scheduler's HTTP routes on a free local port: no dashboard, no "port 8787 in use" warning.
        dashboard_address=None, scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
        # The workers' and scheduler's own logs (a task that failed, with its traceback; a heartbeat
        # lost while the cluster closes) stay off the user's terminal: what went wrong comes back
        # to this process as the error itself, told in one line as in a run in one process.
        silence_logs=logging.CRITICAL,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


_RUNS: dict[str, _Run] = {}  # on a worker: the runs it has built (a matcher takes a while), by the digest of their pickle


def _worker_run(digest: str, blob: bytes) -> _Run:
    """The run pickled in ``blob``, built once a worker (and kept for the next runs with the same options)."""
    import pickle

    run = _RUNS.get(digest)
    if run is None:
        run = pickle.loads(blob)  # the client's own pickle of its run: trusted as the tasks themselves are
        _RUNS.clear()  # one run's matcher at a time
        _RUNS[digest] = run
    return run


def _extract_part(
    digest: str, blob: bytes, cache: ArticleCache, articles: list, staging: str, number: int, items: tuple, where: str
) -> dict:
    """On a worker: one batch's part of the tables, corrected, written to ``staging``; counts, replaced routes, matched corrections.

    A part that cannot be written (a full disk) is an :class:`~geomap._errors.OutputError`
    naming ``where``, the folder the client's own spools are in: the line a run in one process gives.
    """
    import pyarrow.parquet as pq

    from geomap._io import atomic_path
    from geomap._batches import _parts
    from geomap.corrections import Corrections
    from geomap.review import StreamedCorrections
    from geomap.tablefiles import _spool_trouble, to_arrow

    run = _worker_run(digest, blob)
    fixes = StreamedCorrections(Corrections("", items), run.gazetteer) if items else None
    found = [cache.rows(run, article) for article in articles]
    folder = Path(staging) / f"{number:08d}"
    hits: set[int] = set()
    with _spool_trouble(Path(where)):
        folder.mkdir(exist_ok=True)  # not its parent: a run that failed and removed its staging stays removed
        for frames in _parts(found, fixes, hits):  # one part: a batch is far smaller than a part
            for name, frame in frames.items():
                with atomic_path(folder / f"{name}.parquet", make_parents=False) as tmp:  # a staging removed stays removed
                    pq.write_table(to_arrow(name, frame), tmp, compression="zstd")
    olds = dict(fixes._olds) if fixes is not None else {}
    matched = sorted(hits | fixes.hits) if fixes is not None else sorted(hits)
    return {"hits": cache.hits, "misses": cache.misses, "olds": olds, "matched": matched, "unkept": cache.unkept}


def _read_part(staging: Path, number: int) -> dict[str, Any]:
    """The part a worker wrote, as frames (and the staged files removed)."""
    import pyarrow.parquet as pq

    from geomap.tables import TABLES
    from geomap.tablefiles import from_arrow

    folder = staging / f"{number:08d}"
    frames = {name: from_arrow(name, pq.read_table(folder / f"{name}.parquet")) for name in TABLES if name not in ("skipped", "events")}  # events: matched at the end
    shutil.rmtree(folder, ignore_errors=True)
    return frames


def _parts_on_cluster(
    client: Any,
    run: _Run,
    others: list[Any],
    tables: list[Path],
    skipped: list,
    cache: ArticleCache,
    fixes: Any,
    hits: set[int],
    spool_dir: Path,
    index: Any = None,
    with_tables: frozenset[str] = frozenset(),
) -> Iterator[dict[str, Any]]:
    """The parts of the tables, in the order of the articles, extracted by the cluster's workers.

    The corrections that matched something on a worker go into ``hits``.  The
    parts are staged in the output folder (which the workers can write);
    trouble writing them is told naming ``spool_dir``, as the client's own
    spools are (:func:`geomap.tablefiles.table_writer`).  With an input
    ``index`` (:mod:`geomap._increment`), the articles of files unchanged
    since an earlier run are not read here: they go as stubs, and a worker
    reads one only if it must extract it.
    """
    from geomap._batches import _parts, _table_rows
    from geomap._sources import _articles, _unique_ids

    from geomap.tablefiles import _spool_trouble

    _distributed()
    out = cache.base.parent.absolute()
    _sweep_staging(out)
    staging = out / f"{_STAGING}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    with _spool_trouble(spool_dir):
        staging.mkdir(parents=True, exist_ok=True)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    items = tuple(fixes.items) if fixes is not None else ()
    import hashlib
    import pickle

    blob = pickle.dumps(run)
    digest = hashlib.sha256(blob).hexdigest()
    (shared,) = client.scatter([blob], broadcast=True, hash=False)  # the bytes: each worker builds the run once
    pending: deque = deque()
    number = 0

    def send(batch: list, part: int, attempt: int = 0) -> Any:
        return client.submit(
            _extract_part, digest, shared, cache, batch, str(staging), part, items, str(spool_dir),
            key=f"geomap-part-{staging.name}-{part}" + (f"-again{attempt}" if attempt else ""),
            pure=False,  # a worker that dies is replaced and its tasks run again; an error is not retried
        )  # fmt: skip

    def submit(batch: list) -> None:
        nonlocal number
        pending.append((number, send(batch, number), batch))
        number += 1

    def collect() -> dict[str, Any]:
        nonlocal shared
        part, future, batch = pending.popleft()
        for attempt in range(1, 4):
            try:
                result = future.result()
                break
            except CancelledError:
                # A worker that died took the scattered run with it before the task ran: the scheduler
                # forgets the task.  Scatter the run again and send the same batch again.
                (shared,) = client.scatter([blob], broadcast=True, hash=False)
                future = send(batch, part, attempt)
        else:
            result = future.result()
        cache.hits += result["hits"]
        cache.misses += result["misses"]
        cache.unkept = cache.unkept or result["unkept"]
        hits.update(result["matched"])
        if fixes is not None:
            fixes._olds.update(result["olds"])
        frames = _read_part(staging, part)
        future.release()
        return frames

    if index is not None:  # the workers read the files that must be read (a first run: all of them)
        index.reader = functools.partial(_read_on_workers, client, workers)
    try:
        batch: list = []
        for article in _unique_ids(_articles(others, skipped, with_tables, index), skipped):
            batch.append(article)
            if len(batch) == BATCH:
                submit(batch)
                batch = []
                while len(pending) >= 2 * workers:
                    yield collect()
        if batch:
            submit(batch)
        while pending:
            yield collect()
        yield from _parts(_table_rows(run, tables, skipped), fixes, hits)
    finally:
        if index is not None:
            index.reader = None
        for _, future, _ in pending:
            future.cancel()
        for wait in (0.0, 0.2, 0.5, 1.0, 2.0):  # a task cancelled while running may still be writing its part
            time.sleep(wait)
            shutil.rmtree(staging, ignore_errors=True)  # then gone for good: a task never makes staging again
            if not staging.exists():
                break


def _scan_files(specs: list[tuple[str, int, int | None, int]], cwd: str) -> list[dict]:
    """On a worker: what reading each file (or stretch of a file) of ``specs`` gives (:func:`geomap._increment.scan`)."""
    from geomap._errors import InputError
    from geomap._increment import scan

    out = []
    for file, start, end, first in specs:
        if not os.path.isabs(file) and os.getcwd() != cwd:
            msg = (f"{file}: a relative input path, and this Dask worker runs in another folder ({os.getcwd()}); "
                   "give the inputs as absolute paths every worker can read")  # fmt: skip
            raise InputError(msg)
        out.append(scan(file, start, end, first))
    return out


def _read_on_workers(client: Any, workers: int, index: Any, files: Iterator[Any], skipped: list, given: dict) -> Iterator[Any]:
    """The articles of ``files`` (walked here), the files that must be read read by the workers (:meth:`InputIndex.articles`).

    Files are sent in groups (up to :data:`_SPAN_FILES` files, or :data:`SPAN`
    bytes), and a JSON Lines file bigger than :data:`SPAN` in stretches, one a
    task; a few tasks a worker under way, ahead of the extraction.  What each
    gave is taken back here in the order of the files: ids made unique,
    duplicates and skipped inputs told, exactly as reading here does.
    Files unchanged since the last run are not read at all (stubs from the
    input index).
    """
    from geomap._increment import _stamp, line_cuts
    from geomap.text.articles import _skip, article_format

    cwd = os.getcwd()
    queue: deque = deque()  # ("skip", Skipped) | ("known", path) | ("read", path, stamp, [(group, position), ...])
    sent: list = []  # the groups sent whose files are not all taken back yet
    group: dict = {"specs": [], "bytes": 0, "future": None}  # the group being filled

    def send(g: dict) -> None:
        nonlocal group
        if g["future"] is None:
            g["future"] = client.submit(_scan_files, g["specs"], cwd, pure=False)
            sent.append(g)
        if g is group:
            group = {"specs": [], "bytes": 0, "future": None}

    def take() -> Iterator[Any]:
        item = queue.popleft()
        if item[0] == "skip":
            _skip(skipped, item[1])
            return
        if item[0] == "known":
            yield from index._file(item[1], skipped, given)
            return
        _, path, stamp, pieces = item
        parts = []
        for g, position in pieces:
            send(g)
            parts.append(g["future"].result()[position])
            if position == len(g["specs"]) - 1:  # its last file: the group is done
                sent.remove(g)
        yield from index.scanned(path, stamp, parts, skipped, given)

    for path in files:
        if not isinstance(path, Path):  # met on the walk: a FIFO, an unreadable folder...
            queue.append(("skip", path))
        elif index.known(path):
            queue.append(("known", path))
        else:
            stamp = _stamp(path)
            size = stamp[2] if stamp is not None else 0
            if article_format(path) == "jsonl" and size > SPAN:  # a big file: a stretch of it a task
                cuts = line_cuts(path, size, SPAN)
                ends = [start for start, _ in cuts[1:]] + [None]  # the last to the end, whatever it grew to
                pieces = [({"specs": [(str(path), start, end, line)], "future": None}, 0)
                          for (start, line), end in zip(cuts, ends, strict=True)]  # fmt: skip
                queue.append(("read", path, stamp, pieces))
                for g, _ in pieces:
                    send(g)
            else:
                target = group
                target["specs"].append((str(path), 0, None, 1))
                target["bytes"] += size
                queue.append(("read", path, stamp, [(target, len(target["specs"]) - 1)]))
                if len(target["specs"]) >= _SPAN_FILES or target["bytes"] >= SPAN:
                    send(target)
        while len(sent) >= 2 * workers:
            yield from take()
    while queue:
        yield from take()


def _sweep_staging(folder: Path) -> None:
    """Remove the staging folders that runs no longer running (killed on this machine) left in ``folder``."""
    from geomap._io import _alive

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(_STAGING) :].split("-", 1)[0]
        if entry.name.startswith(_STAGING) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def dask_tables(directory: str | Path) -> dict[str, Any]:
    """The tables of a folder written by ``geomap extract`` as dask DataFrames (lazy: nothing read yet).

    Parquet tables (one file or a folder of months) are read with
    :func:`dask.dataframe.read_parquet`, one partition a file or row group;
    CSV tables with :func:`dask.dataframe.read_csv`, as text, the columns as
    in the CSV.  For a notebook on tables too big for pandas:
    ``dask_tables("tables")["incidents"].groupby("type").size().compute()``.

    Raises
    ------
    MissingDependencyError
        Dask is not installed (an :class:`ImportError`).
    InputNotFoundError
        The folder does not exist.
    """
    from geomap._errors import InputNotFoundError, located
    from geomap.tables import TABLES, _frame

    _distributed()
    import dask.dataframe as dd

    folder = Path(directory)
    if not folder.is_dir():
        raise InputNotFoundError(located(folder, None, "no such folder"))
    out = {}
    for name in TABLES:
        if (folder / f"{name}.parquet").is_file():
            out[name] = dd.read_parquet(folder / f"{name}.parquet")
        elif (folder / name).is_dir():
            out[name] = dd.read_parquet(str(folder / name), partitioning="hive")
        elif (folder / f"{name}.csv").is_file():
            out[name] = dd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, blocksize="64MB")
        else:  # a table with no rows (no month of it written)
            out[name] = dd.from_pandas(_frame(name, []), npartitions=1)
    return out
