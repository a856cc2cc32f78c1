"""The job and batch plumbing of a run: articles to rows, here or in worker processes, and rows to parts.

Articles are read in order, one at a time, and worked on here or by worker
processes (:func:`_pool`, :func:`_in_order`), a few batches under way at a
time; the rows are gathered into parts of the tables (:func:`_parts`),
corrected as they go.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from geomap._cache import ArticleCache, real
from geomap._rows import _ArticleRows, _article_row, _incident_row
from geomap._run import _Run
from geomap._sources import _articles, _unique_ids
from geomap.analyst_tables import _read_table
from geomap.records import Article, Skipped
from geomap.tables import TABLES, _Columns

_WORKER_RUN: _Run | None = None  # the run of a worker process, set when it starts


def _start_worker(run: _Run) -> None:
    global _WORKER_RUN
    _WORKER_RUN = run


def _batch_rows(batch: list[Article]) -> list[_ArticleRows]:
    assert _WORKER_RUN is not None
    return [_WORKER_RUN.rows(article) for article in batch]


def _pool(run: _Run, jobs: int) -> Any:
    """Worker processes for a run, started from a clean process (forkserver, else spawn)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # not "fork": the parent may have threads (a progress bar, a Jupyter kernel), which
    # a forked child can deadlock on; each worker builds its matcher (half a second)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(run,)
    )


_BATCH = 32  # articles a task: a few milliseconds of work, worth the trip to a worker and back


def _in_order(
    pool: Any, articles: Iterable[Article], jobs: int, cache: ArticleCache | None = None
) -> Iterator[list[_ArticleRows]]:
    """Each batch's rows, in the order of the articles, with a few batches under way at a time.

    Only ``2 * jobs`` batches are out at once, so articles are read no faster
    than they are worked on and memory stays flat.  With a ``cache``, the
    articles it keeps are looked up here and only the others go to a worker.
    """
    from collections import deque

    pending: deque = deque()
    batch: list[tuple[Article, str | None, _ArticleRows | None]] = []

    def submit() -> None:
        todo = [real(article) for article, _, rows in batch if rows is None]
        pending.append((list(batch), pool.submit(_batch_rows, todo) if todo else None))
        batch.clear()

    def collect() -> list[_ArticleRows]:
        items, future = pending.popleft()
        fresh = iter(future.result() if future is not None else ())
        out = []
        for _, key, rows in items:
            if rows is None:
                rows = next(fresh)
                if cache is not None and key is not None:
                    cache.put(key, rows)
            out.append(rows)
        return out

    for article in articles:
        key = rows = None
        if cache is not None:
            key = cache.key(article)
            rows = cache.get(key)
            if rows is None:
                cache.misses += 1
            else:
                cache.hits += 1
        batch.append((article, key, rows))
        if len(batch) == _BATCH:
            submit()
            if len(pending) >= 2 * jobs:
                yield collect()
    if batch:
        submit()
    while pending:
        yield collect()


def _add_rows(tables: dict[str, _Columns], found: _ArticleRows, hits: set[int]) -> int:
    """Add one article's rows to ``tables``, and the corrections that matched to ``hits``; how many rows that is."""
    article_row, mentions, unresolved, incidents, routes, matched = found
    hits.update(matched)
    tables["articles"].append(article_row)
    tables["mentions"].extend(mentions)
    tables["unresolved"].extend(unresolved)
    tables["incidents"].extend(incidents)
    tables["routes"].extend(routes)
    return 1 + len(mentions) + len(unresolved) + len(incidents) + len(routes)


def _produce(
    run: _Run,
    others: list[Any],
    tables: list[Path],
    skipped: list[Skipped],
    jobs: int,
    progress: bool,
    cache: ArticleCache | None = None,
    with_tables: frozenset[str] = frozenset(),
    index: Any = None,
) -> Iterator[_ArticleRows]:
    """The rows of every article, then of every row of the incident tables, in order.

    ``others`` and ``tables`` are the sources as :func:`_split_sources` splits
    them.  What cannot be read goes to ``skipped``.  Articles are read here,
    one at a time, and worked on here or (``jobs`` > 1) by worker processes;
    with a ``cache``, an article kept from an earlier run is not worked on again.
    """

    bar = None
    jobs = min(jobs, os.cpu_count() or 1, 61)  # no more workers than processors (61: Windows' limit)
    pool = _pool(run, jobs) if jobs > 1 and others else None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" article", desc="extract", leave=False)
    try:
        articles = _unique_ids(_articles(others, skipped, with_tables, index), skipped)
        if pool is None:
            for article in articles:
                yield run.rows(article) if cache is None else cache.rows(run, article)
                if bar is not None:
                    bar.update(1)
        else:
            try:
                for batch in _in_order(pool, articles, jobs, cache):
                    yield from batch
                    if bar is not None:
                        bar.update(len(batch))
            except BaseException:  # an error or an interrupt: drop the batches not started, do not wait
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        for rows in _table_rows(run, tables, skipped):
            if bar is not None:
                bar.update(1)
            yield rows
    finally:
        if bar is not None:
            bar.close()


def _table_rows(run: _Run, tables: list[Path], skipped: list[Skipped]) -> Iterator[_ArticleRows]:
    """The rows of every row of the analysts' incident tables (bad rows go to ``skipped``)."""
    for path in tables:
        for article, incident in _read_table(path, run.resolver, skipped):
            kept = [_incident_row(incident)] if run.keep(incident) else []
            yield _article_row(article), [], [], kept, [], frozenset()


_PART_ROWS = 20_000  # rows of a part of the tables written at once by write_extraction


def _parts(found: Iterable[_ArticleRows], fixes: Any, hits: set[int]) -> Iterator[dict[str, Any]]:
    """The rows of articles, gathered into parts of the tables (frames), corrected by ``fixes``.

    The corrections that matched one of the articles' mentions go into ``hits``.
    """

    def new_part() -> dict[str, _Columns]:
        return {name: _Columns(name) for name in TABLES if name not in ("skipped", "events")}

    part, size = new_part(), 0
    for rows in found:
        size += _add_rows(part, rows, hits)
        if size >= _PART_ROWS:  # a part ends between articles: an article's rows are corrected together
            yield _part_frames(part, fixes)
            part, size = new_part(), 0
    yield _part_frames(part, fixes)


def _part_frames(part: dict[str, _Columns], fixes: Any) -> dict[str, Any]:
    frames = {name: columns.frame() for name, columns in part.items()}
    if fixes is not None:
        frames["mentions"], frames["incidents"], frames["routes"] = fixes.part(
            frames["mentions"], frames["incidents"], frames["routes"]
        )
    return frames
