"""The whole jobs the CLI and ``make map`` run: each step of the flow, in order.

``make_map``: reports -> extraction -> layers -> HTML map + exports + summary.
``extract_tables``: reports -> tidy tables for review.
``export_tables``: reviewed tables -> layers -> exports (and the map).

Each returns a :class:`RunSummary` that says what was read, skipped, found
and written; the CLI prints it and turns it into an exit status.  Outputs go
through :class:`geomap._io.OutputDir`, so files a user made or edited are
never overwritten, and every file is written atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap._io import OutputDir, write_text
from geomap.records import Skipped

if TYPE_CHECKING:
    from geomap.extract import Tally

__all__ = ["MAP_NAME", "SUMMARY_NAME", "RunSummary", "export_tables", "extract_tables", "make_map"]

MAP_NAME = "border_activity.html"
SUMMARY_NAME = "summary.txt"


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """What one run read, skipped, found and wrote."""

    articles: int = 0
    table_rows: int = 0  # rows of analysts' incident tables (CSV) read beside articles
    skipped: tuple[Skipped, ...] = ()
    mentions: int = 0
    places: int = 0
    ambiguous: int = 0
    unresolved: tuple[str, ...] = ()
    incidents: int = 0
    incidents_mapped: int = 0
    routes: int = 0
    by_type: tuple[tuple[str, int], ...] = ()  # incidents of each type, most first
    cached: int = 0  # articles an earlier run's cache gave (geomap extract), not extracted again
    unread: tuple[tuple[str, int], ...] = ()  # reports in a language geomap does not read, by language
    files: tuple[Path, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when every input was read, 1 when some were skipped."""
        return 1 if self.skipped else 0

    def details(self) -> list[str]:
        """Longer lines for ``-v``: incidents by type and every unresolved name."""
        out = ["incidents by type:"] + [f"  {kind:22} {count}" for kind, count in self.by_type]
        if self.unresolved:
            out.append("names the gazetteer lacks (add them to gazetteer/curated/):")
            out += [f"  {name}" for name in self.unresolved]
        return out

    def lines(self) -> list[str]:
        """The summary as short lines of text, for the terminal and ``summary.txt``."""
        out = [
            f"articles read:     {self.articles}"
            + (f" (and {self.table_rows} rows of incident tables)" if self.table_rows else "")
            + (f"; {self.articles - self.cached} extracted, {self.cached} kept from earlier runs" if self.cached else ""),
            f"inputs skipped:    {len(self.skipped)}",
        ]
        out += [f"  - {skip}" for skip in self.skipped]
        if self.unread:
            from geomap.language import UNREAD_NAMES

            languages = ", ".join(f"{UNREAD_NAMES.get(code, code)} {n}" for code, n in self.unread)
            out.append(f"not read:          {sum(n for _, n in self.unread)} in languages geomap does not read "
                       f"({languages}): place names only, no incidents or routes")
        out += [
            f"place mentions:    {self.mentions} ({self.places} distinct places, {self.ambiguous} ambiguous)",
            f"names unresolved:  {len(self.unresolved)}" + (f" ({', '.join(self.unresolved[:8])}" + (", ..." if len(self.unresolved) > 8 else "") + ")" if self.unresolved else ""),
            f"incidents:         {self.incidents}" + (f" ({self.incidents_mapped} on the map)" if self.incidents_mapped != self.incidents else ""),
            f"routes:            {self.routes}",
        ]
        if self.files:
            out.append("files written:")
            out += [f"  {path}" for path in self.files]
        return out


def make_map(
    sources: Any,
    out_dir: str | Path,
    *,
    gazetteer: Any = None,
    corrections: str | Path | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    offline: bool = True,
    formats: Sequence[str] = ("geojson", "gpkg", "csv"),
    title: str | None = None,
    progress: bool = False,
    jobs: int = 1,
) -> RunSummary:
    """Run the main job: read reports, extract, join, render and export.

    Writes ``border_activity.html`` (self-contained unless ``offline=False``),
    one GeoJSON per layer, ``geomap.gpkg``, CSV of incidents and routes, and
    ``summary.txt`` into ``out_dir``.

    Raises
    ------
    InputNotFoundError
        A source path that does not exist.
    InputError
        A bad date, type or corrections file, or an output file that geomap
        did not write (it is never overwritten).
    """
    from geomap.extract import extract

    out = OutputDir(out_dir)
    out.check(MAP_NAME, SUMMARY_NAME, *_export_names(formats))
    extraction = extract(
        sources,
        gazetteer=gazetteer,
        corrections=corrections,
        since=since,
        until=until,
        types=types,
        progress=progress,
        jobs=jobs,
    )
    return _render_and_export(extraction, out, gazetteer=gazetteer, offline=offline, formats=formats, title=title)


def extract_tables(
    sources: Any,
    out_dir: str | Path,
    *,
    gazetteer: Any = None,
    corrections: str | Path | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    progress: bool = False,
    jobs: int = 1,
    full: bool = False,
    format: str = "csv",
    by_month: bool = False,
    client: Any = None,
) -> RunSummary:
    """Extract the tidy tables from reports and write them (CSV or Parquet) for review.

    The rows go to disk as they are made (:func:`geomap.extract.write_extraction`):
    memory stays flat however many reports there are.  Articles an earlier
    run into the same folder extracted are not extracted again (``full=True``
    extracts them all).  ``format``, ``by_month`` and a Dask ``client`` are
    those of :func:`geomap.extract.write_extraction`.
    """
    from geomap.extract import write_extraction

    files, tally, skipped = write_extraction(
        sources,
        out_dir,
        gazetteer=gazetteer,
        corrections=corrections,
        since=since,
        until=until,
        types=types,
        progress=progress,
        jobs=jobs,
        full=full,
        format=format,
        by_month=by_month,
        client=client,
    )
    skipped_rows = tuple(Skipped(str(s.path), str(s.reason), s.line) for s in skipped)
    return dataclasses.replace(_from_tally(tally, skipped_rows), files=tuple(files), cached=tally.cached)


def export_tables(
    tables_dir: str | Path,
    out_dir: str | Path,
    *,
    gazetteer: Any = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    formats: Sequence[str] = ("geojson", "gpkg", "csv"),
    with_map: bool = True,
    offline: bool = True,
    title: str | None = None,
    max_incidents: int | None = None,
) -> RunSummary:
    """Turn reviewed tables (from :func:`extract_tables`, CSV or Parquet) into exports and the map.

    Tables of more than ``max_incidents`` incidents (default
    :data:`geomap.mapdata.MAX_INCIDENTS`) are read a batch at a time
    (:mod:`geomap.mapdata`): the map and exports hold the newest
    ``max_incidents`` incidents, and the summary and ``province_stats``
    count every one.  Memory is bounded by the map, not by the tables.
    """
    from geomap.extract import read_tables
    from geomap.mapdata import MAX_INCIDENTS, count_rows

    out = OutputDir(out_dir)
    out.check(*((MAP_NAME,) if with_map else ()), SUMMARY_NAME, *_export_names(formats))
    limit = MAX_INCIDENTS if max_incidents is None else max_incidents
    if count_rows(tables_dir) > limit:
        return _export_big(
            tables_dir, out, gazetteer=gazetteer, since=since, until=until, types=types, formats=formats,
            with_map=with_map, offline=offline, title=title, limit=limit,
        )  # fmt: skip
    extraction = read_tables(tables_dir)
    return _render_and_export(
        extraction,
        out,
        gazetteer=gazetteer,
        offline=offline,
        formats=formats,
        title=title,
        with_map=with_map,
        since=since,
        until=until,
        types=types,
    )


def _export_big(tables_dir: str | Path, out: OutputDir, *, gazetteer: Any, since: Any, until: Any, types: Any,
                formats: Sequence[str], with_map: bool, offline: bool, title: str | None, limit: int) -> RunSummary:  # fmt: skip
    """:func:`export_tables` for tables too big to hold: the newest incidents drawn, every one counted."""
    import warnings

    from geomap.layers import build_layers
    from geomap.mapdata import places_counted, province_stats, read_for_map

    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    extraction, totals = read_for_map(tables_dir, since=since, until=until, types=types, max_incidents=limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        layers = build_layers(extraction, gazetteer=gazetteer)
        layers = dataclasses.replace(
            layers,
            province_stats=province_stats(totals, layers, gazetteer),
            places=places_counted(totals, extraction.mentions, gazetteer),
        )
    summary = _render_and_export(extraction, out, gazetteer=gazetteer, offline=offline, formats=formats, title=title,
                                 with_map=with_map, layers=layers, write_summary=False)  # fmt: skip
    summary = dataclasses.replace(
        summary,
        incidents=totals.n_incidents,
        by_type=_by_type(totals.by_type().items()),
        places=len(totals.mentions),
        mentions=sum(totals.mentions.values()),
        articles=totals.articles,
        table_rows=totals.table_rows,
    )
    summary_path = out.path / SUMMARY_NAME
    lines = summary.lines() + [f"(the map shows the newest {summary.incidents_mapped} incidents; all are counted)"]
    write_text(summary_path, "\n".join(lines) + "\n")
    out.record(SUMMARY_NAME)
    return summary


def _render_and_export(
    extraction: Any,
    out: OutputDir,
    *,
    gazetteer: Any,
    offline: bool,
    formats: Sequence[str],
    title: str | None,
    with_map: bool = True,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    layers: Any = None,
    write_summary: bool = True,
) -> RunSummary:
    import warnings

    from geomap.exports import export
    from geomap.layers import build_layers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted in the summary instead
        if layers is None:
            layers = build_layers(extraction, gazetteer=gazetteer)
        if since is not None or until is not None or types is not None:
            layers = layers.filter(since=since, until=until, types=types)
    files: list[Path] = []
    if with_map:
        from geomap.map import render, save_map

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            m = render(layers, title=title)
        files.append(save_map(m, out.path / MAP_NAME, offline=offline))
    files += export(layers, out.path, formats=formats)
    summary = _summarise(extraction, layers=layers)
    summary_path = out.path / SUMMARY_NAME
    summary = dataclasses.replace(summary, files=(*files, summary_path))
    if write_summary:
        write_text(summary_path, "\n".join(summary.lines()) + "\n")
        out.record(*(p.name for p in summary.files))
    else:
        out.record(*(p.name for p in files))
    return summary


def _summarise(extraction: Any, *, layers: Any = None) -> RunSummary:
    from geomap.extract import Tally

    tally = Tally()
    tally.add(extraction.tables())
    skipped = tuple(
        Skipped(path=str(row.path), reason=str(row.reason), line=None if _blank(row.line) else int(row.line))
        for row in extraction.skipped.itertuples(index=False)
    )
    summary = _from_tally(tally, skipped)
    if layers is None:
        return summary
    # what the map holds: the incidents after the layers' filters, and those with a geometry
    geoms = layers.incidents.geometry
    kinds = layers.incidents["type"].astype(str).value_counts()
    return dataclasses.replace(
        summary,
        incidents=len(layers.incidents),
        incidents_mapped=int((geoms.notna() & ~geoms.is_empty).sum()),
        by_type=_by_type((str(k), int(v)) for k, v in kinds.items()),
    )


def _from_tally(tally: Tally, skipped: tuple[Skipped, ...]) -> RunSummary:
    return RunSummary(
        articles=tally.articles,
        table_rows=tally.table_rows,
        skipped=skipped,
        mentions=tally.mentions,
        places=len(tally.places),
        ambiguous=tally.ambiguous,
        unresolved=tuple(sorted(tally.unresolved)),
        incidents=tally.incidents,
        incidents_mapped=tally.incidents,
        routes=tally.routes,
        by_type=_by_type(tally.by_type.items()),
        unread=tuple(sorted(tally.unread.items())),
    )


def _by_type(counts: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Incidents of each type, most first (then by name)."""
    return tuple(sorted(counts, key=lambda kv: (-kv[1], kv[0])))


def _blank(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value)) or value == ""


def _export_names(formats: Sequence[str]) -> list[str]:
    from geomap.exports import CSV_LAYERS, GPKG_NAME
    from geomap.layers import LAYER_NAMES

    names: list[str] = []
    if "geojson" in formats:
        names += [f"{layer}.geojson" for layer in LAYER_NAMES]
    if "gpkg" in formats:
        names.append(GPKG_NAME)
    if "csv" in formats:
        names += [f"{layer}.csv" for layer in CSV_LAYERS]
    if "geoparquet" in formats:
        names += [f"{layer}.parquet" for layer in LAYER_NAMES]
    return names
