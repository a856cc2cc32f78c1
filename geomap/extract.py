"""The extraction pipeline: reports in, tidy tables out.

:func:`extract` streams articles (files, folders, globs or
:class:`~geomap.records.Article` objects), finds their place mentions,
incidents and routes, applies an analyst's corrections, and returns an
:class:`Extraction` of pandas DataFrames with exactly the columns of
``docs/ARCHITECTURE.md``.  Articles are streamed, not held; the rows are kept
in typed columns until the tables are built.

:func:`write_extraction` (what ``geomap extract`` runs) writes the same tables
as CSV without holding them: rows go to disk a part at a time, corrected as
they go, so its memory stays flat however big the corpus.

Analyst incident tables (``*.csv`` with ``place,type,count,unit,date,source``,
:mod:`geomap.analyst_tables`) are accepted beside articles.

This module runs the steps; the pieces it runs are: :mod:`geomap._sources`
(the sources told apart), :mod:`geomap._run` (one article to rows),
:mod:`geomap._batches` (worker processes, parts of the tables),
:mod:`geomap.tables` (the columns, frames, :class:`Extraction`) and
:mod:`geomap.tableio` (:func:`write_tables`, :func:`read_tables`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from geomap._batches import _add_rows, _in_order, _parts, _pool, _produce, _table_rows
from geomap._cache import ArticleCache, extraction_version
from geomap._rows import _ArticleRows
from geomap._run import _prepare, _Run
from geomap._sources import _articles, _split_sources, _unique_ids
from geomap.records import Article, Skipped
from geomap.tableio import MANIFEST, read_tables, write_tables
from geomap.tables import COLUMNS, TABLES, Extraction, Tally, _Columns, _frame, with_events

__all__ = [
    "COLUMNS",
    "MANIFEST",
    "TABLES",
    "Extraction",
    "Tally",
    "extract",
    "read_tables",
    "with_events",
    "write_extraction",
    "write_tables",
]


def extract(
    sources: Any,
    *,
    gazetteer: Any = None,
    corrections: Any = None,
    progress: bool = False,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    jobs: int = 1,
    client: Any = None,
) -> Extraction:
    """Extract place mentions, incidents and routes from reports.

    Parameters
    ----------
    sources
        Paths, folders, globs or :class:`~geomap.records.Article` objects
        (one or many); ``*.csv`` files are read as analyst incident tables.
    gazetteer
        A :class:`~geomap.gazetteer.Gazetteer`; ``None`` loads the bundled one.
    corrections
        A corrections file (path) or :class:`~geomap.review.Corrections`,
        applied to mentions before incidents are drawn and to the tables after.
    progress
        Show a progress bar, one step an article.
    since, until
        Keep only incidents whose date overlaps this period (inclusive).
    types
        Keep only incidents of these types.
    jobs
        Worker processes to extract with (``1``: in this process; at most
        the number of processors).  The tables are the same whatever the
        number; articles are still read here, in order, and handed out in
        small batches.  Workers start from a clean process, as
        :mod:`multiprocessing` does on macOS and Windows: in a script, call
        this under ``if __name__ == "__main__":``.
    client
        A :class:`distributed.Client`: extract on that Dask cluster
        (:mod:`geomap.cluster`) instead.  The workers write the tables'
        parts into a temporary folder; the tables come back the same as in
        one process.  For a corpus bigger than memory, write the tables with
        :func:`geomap.jobs.extract_tables` (``client=`` too) and read them
        with ``read_tables(folder, dask=True)``.

    Returns
    -------
    Extraction

    Raises
    ------
    InputNotFoundError
        A path or glob that matches nothing.
    InputError
        An unknown incident type, a bad date, a broken corrections file, or
        ``jobs`` below 1.
    """
    from geomap.review import apply_corrections

    if client is not None:
        return _extract_on_cluster(sources, client, gazetteer=gazetteer, corrections=corrections, since=since,
                                   until=until, types=types)  # fmt: skip
    run, corrections = _prepare(gazetteer, corrections, since, until, types, jobs)
    skipped: list[Skipped] = []
    rows = {name: _Columns(name) for name in TABLES}
    others, tables, with_tables = _split_sources(sources)
    hits: set[int] = set()
    for found in _produce(run, others, tables, skipped, jobs, progress, with_tables=with_tables):
        _add_rows(rows, found, hits)
    rows["skipped"].extend((s.path, s.line, s.reason) for s in skipped)
    # one table at a time, letting go of its rows as soon as its frame exists
    extraction = Extraction(**{name: rows.pop(name).frame() for name in TABLES})
    if corrections is not None:
        return apply_corrections(extraction, corrections, gazetteer=run.gazetteer, matched=hits)  # events matched there
    return with_events(extraction, gazetteer=run.gazetteer)


def _extract_on_cluster(sources: Any, client: Any, **options: Any) -> Extraction:
    """:func:`extract` on a Dask cluster: the tables written by its workers into a temporary folder, read back."""
    import dataclasses
    import tempfile

    from geomap.review import Corrections, load_corrections

    corrections = options.pop("corrections")
    gazetteer = options.pop("gazetteer")
    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    if corrections is not None and not isinstance(corrections, Corrections):
        corrections = load_corrections(corrections, gazetteer=gazetteer)
    with tempfile.TemporaryDirectory(prefix="geomap-extract-") as folder:
        _, tally, _ = write_extraction(
            sources, folder, gazetteer=gazetteer, corrections=corrections, format="parquet", client=client, full=True,
            **options,
        )  # fmt: skip
        extraction = read_tables(folder, format="parquet")
    return dataclasses.replace(extraction, corrections=tally.corrections)


def write_extraction(
    sources: Any,
    out_dir: str | Path,
    *,
    gazetteer: Any = None,
    corrections: Any = None,
    progress: bool = False,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    jobs: int = 1,
    full: bool = False,
    format: str = "csv",
    by_month: bool = False,
    client: Any = None,
) -> tuple[list[Path], Tally, list[Skipped]]:
    """Extract the tables from ``sources`` and write them into ``out_dir``, without holding them.

    The CSV files are those :func:`write_tables` writes for :func:`extract` of
    the same sources, byte for byte, but the rows are spooled to disk a few
    thousand at a time (corrected as they go), so memory stays flat however
    big the corpus.  The spools are unnamed temporary files: a run that fails
    or is killed leaves nothing behind.  At the end each table is written
    atomically, and a file geomap did not write, or one edited since (even
    during the run), is never overwritten.  The options are those of
    :func:`extract`.

    The run is incremental: what each article gave is kept in the output
    folder (``.geomap-cache/``, see :mod:`geomap._cache`), keyed by the
    article's content and the extraction's version (the rules, the
    gazetteer, the filters, the article's mention corrections), and an
    article kept by an earlier run is not extracted again.  The tables are
    the same as a full run's, byte for byte.  ``full=True`` extracts every
    article again (and keeps the new results).

    ``format="parquet"`` writes typed Parquet tables instead of CSV, one file
    a table or, with ``by_month=True``, one a month (:mod:`geomap.tablefiles`).
    With a Dask ``client`` (:mod:`geomap.cluster`) the articles are extracted
    and the parts of the tables written by the cluster's workers; the tables
    are the same.

    Returns
    -------
    files, tally, skipped
        The files written (in :data:`TABLES` order), the counts of the rows
        written, and the inputs skipped.
    """
    from geomap._increment import InputIndex
    from geomap.events import event_keys, match_events
    from geomap.review import StreamedCorrections
    from geomap.tablefiles import table_writer

    with table_writer(out_dir, format=format, by_month=by_month) as tables_out:  # checks the folder before the work
        run, corrections = _prepare(gazetteer, corrections, since, until, types, jobs)
        others, tables, with_tables = _split_sources(sources)  # before any spool exists: one can not be taken for a table
        fixes = StreamedCorrections(corrections, run.gazetteer) if corrections is not None else None
        version = extraction_version(run.gazetteer, since=run.since, until=run.until, wanted=run.wanted)
        cache = ArticleCache(out_dir, version, corrections=corrections, read=not full)
        skipped: list[Skipped] = []
        tally = Tally()
        hits: set[int] = set()  # the corrections that matched a mention, as articles are extracted
        # what event matching needs of every incident (not the whole row), and of every article
        keys: list = []
        outlets: dict[str, tuple[str, str]] = {}
        index = InputIndex(cache, read=not full)
        parts: Iterable[dict[str, Any]] = ()
        if client is not None:
            from geomap.cluster import _parts_on_cluster

            parts = _parts_on_cluster(
                client, run, others, tables, skipped, cache, fixes, hits, tables_out.spool_dir, index=index, with_tables=with_tables
            )
        elif format == "csv":  # in stretches: those an earlier run wrote are copied as they are
            for name in ("articles", "mentions", "incidents", "routes", "unresolved"):
                tables_out.write(name, _frame(name, []))  # the headers
            split = (others, tables, with_tables)
            for stretch in _stretched(run, split, skipped, cache, index, fixes, hits, jobs=jobs, progress=progress):
                tally.merge(stretch.tally)
                outlets.update((a, tuple(v)) for a, v in stretch.outlets.items())
                keys.extend(stretch.event_keys(len(keys)))
                for name, text in stretch.texts.items():
                    tables_out.write_text(name, text)
        else:
            parts = _parts(_produce(run, others, tables, skipped, jobs, progress, cache, with_tables, index), fixes, hits)
        try:
            for frames in parts:
                tally.add(frames)
                articles = frames["articles"]
                outlets.update(zip(articles["article_id"], zip(articles["source"], articles["date"], strict=True), strict=True))
                keys.extend(event_keys(frames["incidents"], outlets, start=len(keys)))
                for name, frame in frames.items():
                    tables_out.write(name, frame)
        finally:  # a write that failed: the parts' own clean-up (a cluster's staging folder) runs now, not when collected
            close = getattr(parts, "close", None)
            if close is not None:
                close()
        if fixes is not None:
            added = dict(zip(("incidents", "routes"), fixes.tail(), strict=True))
            tally.add(added)
            keys.extend(event_keys(added["incidents"], outlets, start=len(keys)))
            for name, frame in added.items():
                tables_out.write(name, frame)
        matched = _Columns("events")  # typed columns: a frame of all incidents, built in a fraction of _frame's time
        matched.extend(match_events(keys, gazetteer=run.gazetteer, corrections=corrections, hits=hits))
        del keys
        events = matched.frame()
        if fixes is not None:
            fixes.hits.update(hits)
            tally.corrections = fixes.report()
        tally.add({"events": events})
        tables_out.write("events", events)
        tables_out.write("skipped", _frame("skipped", [(s.path, s.line, s.reason) for s in skipped]))
        files = tables_out.commit(corrected=corrections.path if corrections is not None else None)
    tally.extracted, tally.cached = cache.misses, cache.hits
    cache.warn_unkept()
    index.save()
    cache.prune()
    return files, tally, skipped


def _stretched(
    run: _Run, split: tuple, skipped: list[Skipped], cache: ArticleCache, index: Any, fixes: Any, hits: set[int], *,
    jobs: int, progress: bool,
) -> Iterator[Any]:  # fmt: skip
    """What each stretch of the articles adds to the CSV tables (:func:`geomap._increment.stretches`).

    ``split`` is what :func:`_split_sources` gives.  As in :func:`_produce`, the articles
    are read here, in order, and extracted here or by ``jobs`` worker processes
    (started only if some article is not in the cache).
    """
    others, tables, with_tables = split
    from geomap._increment import stretches

    jobs = min(jobs, os.cpu_count() or 1, 61)
    pool = None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" article", desc="extract", leave=False)

    def rows(pairs: list[tuple[Article, str]]) -> Iterator[_ArticleRows]:
        nonlocal pool
        if jobs == 1:
            found: Iterable[_ArticleRows] = (cache.rows(run, article, key) for article, key in pairs)
        else:
            pool = pool or _pool(run, jobs)
            found = (rows for batch in _in_order(pool, (a for a, _ in pairs), jobs, cache) for rows in batch)
        yield from found
        if bar is not None:
            bar.update(len(pairs))

    articles = _unique_ids(_articles(others, skipped, with_tables, index), skipped)
    try:
        yield from stretches(articles, _table_rows(run, tables, skipped), cache, fixes, hits, rows)
    except BaseException:
        if pool is not None:  # an error or an interrupt: drop the batches not started, do not wait
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None:
            bar.close()
