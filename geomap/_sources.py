"""The sources of a run: paths, folders, globs and articles, told apart from analysts' incident tables."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from geomap._errors import InputNotFoundError, located
from geomap._input import display_path
from geomap.records import Article, Skipped


def _split_sources(sources: Any) -> tuple[list[Any], list[Path], frozenset[str]]:
    """Article sources and analyst tables (``*.csv``), in the order given.

    Also the folders and globs that hold tables: those may hold no article.
    """
    from geomap.text.files import glob_paths, table_files

    if isinstance(sources, (str, os.PathLike, Article)):
        sources = [sources]
    others: list[Any] = []
    tables: list[Path] = []
    with_tables: set[str] = set()
    for source in sources:
        if isinstance(source, Article):
            others.append(source)
            continue
        text = os.fspath(source)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = glob_paths(text)
            csvs = [Path(m) for m in matches if m.lower().endswith(".csv") and os.path.isfile(m)]
            for m in matches:
                if os.path.isdir(m):
                    csvs.extend(table_files(m))
            tables.extend(csvs)
            if csvs:
                with_tables.add(text)
            if len(csvs) < len(matches) or not matches:
                others.append(source)
            continue
        path = Path(text)
        if path.is_dir():
            found = table_files(path)
            tables.extend(found)
            if found:
                with_tables.add(text)
            others.append(source)
        elif path.suffix.lower() == ".csv":
            if not path.exists():
                raise InputNotFoundError(located(display_path(path), None, "no such file"))
            tables.append(path)
        else:
            others.append(source)
    return others, list(dict.fromkeys(tables)), frozenset(with_tables)


def _articles(
    sources: list[Any], skipped: list[Skipped], with_tables: frozenset[str] = frozenset(), index: Any = None
) -> Iterator[Article]:
    """The articles of ``sources``; with an input ``index`` (:mod:`geomap._increment`), stubs for unchanged files."""
    from geomap.text.articles import _read_articles

    paths: list[Any] = []

    def flush() -> Iterator[Article]:
        if paths:
            if index is not None:
                yield from index.articles(list(paths), skipped, with_tables)
            else:
                yield from _read_articles(list(paths), skipped=skipped, optional=with_tables)
            paths.clear()

    for source in sources:
        if isinstance(source, Article):
            yield from flush()
            yield source
        else:
            paths.append(source)
    yield from flush()


def _unique_ids(articles: Iterable[Article], skipped: list[Skipped]) -> Iterator[Article]:
    """``articles`` but those whose id an earlier one had (each reported in ``skipped``)."""
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            skipped.append(Skipped(article.path or article.id, f"duplicate article id: {article.id!r}", article.line))
            continue
        seen.add(article.id)
        yield article
