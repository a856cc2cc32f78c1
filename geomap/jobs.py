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

from geomap._errors import InputError
from geomap._io import OutputDir
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
    events: int = 0  # incidents grouped into events across reports (geomap.events)...
    events_multi: int = 0  # ...of which told by two reports or more
    by_type: tuple[tuple[str, int], ...] = ()  # incidents of each type, most first
    cached: int = 0  # articles an earlier run's cache gave (geomap extract), not extracted again
    unread: tuple[tuple[str, int], ...] = ()  # reports in a language geomap does not read, by language
    files: tuple[Path | str, ...] = ()  # paths, or URLs for tables published to object storage
    corrections: int | None = None  # items of the corrections file applied (None: no file)
    unmatched: tuple[str, ...] = ()  # items that matched nothing, each ``path:line: ...``

    @property
    def exit_code(self) -> int:
        """0 when every input was read and every correction applied; 1 when some were skipped or matched nothing."""
        return 1 if self.skipped or self.unmatched else 0

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
            from geomap.text.language import UNREAD_NAMES

            languages = ", ".join(f"{UNREAD_NAMES.get(code, code)} {n}" for code, n in self.unread)
            out.append(f"not read:          {sum(n for _, n in self.unread)} in languages geomap does not read "
                       f"({languages}): place names only, no incidents or routes")
        out += [
            f"place mentions:    {self.mentions} ({self.places} distinct places, {self.ambiguous} ambiguous)",
            f"names unresolved:  {len(self.unresolved)}" + (f" ({', '.join(self.unresolved[:8])}" + (", ..." if len(self.unresolved) > 8 else "") + ")" if self.unresolved else ""),
            f"incidents:         {self.incidents}" + (f" ({self.incidents_mapped} on the map)" if self.incidents_mapped != self.incidents else ""),
            f"events:            {self.events} ({self.events_multi} told by several reports)",
            f"routes:            {self.routes}",
        ]
        if self.corrections is not None:
            out.append(f"corrections:       {self.corrections} applied, {len(self.unmatched)} matched nothing")
            out += [f"  - {miss}" for miss in self.unmatched]
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
    replace_corrected: bool = False,
    max_incidents: int | None = None,
) -> RunSummary:
    """Run the main job: read reports, extract, join, render and export.

    Writes ``border_activity.html`` (self-contained unless ``offline=False``),
    one GeoJSON per layer, ``geomap.gpkg``, CSV of incidents and routes, and
    ``summary.txt`` into ``out_dir``.

    ``sources`` may instead be one folder of tables a ``geomap extract``
    wrote (CSV or Parquet, plain or by month, by one process or a Dask
    cluster; :func:`geomap.mapdata.is_table_folder`): the map is then made
    from the tables, as :func:`export_tables` makes it, streamed with memory
    bounded by ``max_incidents`` (the incidents drawn one by one; the rest
    are counted in aggregates the map carries).

    Raises
    ------
    InputNotFoundError
        A source path that does not exist.
    InputError
        A bad date, type or corrections file, an output file that geomap
        did not write (it is never overwritten), or outputs made with
        corrections that a run without them would replace (unless
        ``replace_corrected``).
    """
    from geomap.extract import extract

    tables = _table_folder(sources)
    if tables is not None:
        if corrections is not None:
            raise InputError(
                f"{tables}: a folder of tables has its corrections applied when it was extracted; "
                "give --corrections to `geomap extract`"
            )
        return export_tables(
            tables, out_dir, gazetteer=gazetteer, since=since, until=until, types=types, formats=formats,
            offline=offline, title=title, max_incidents=max_incidents, replace_corrected=replace_corrected,
        )  # fmt: skip
    out = OutputDir(out_dir)
    out.check(MAP_NAME, SUMMARY_NAME, *_export_names(formats))
    corrected = str(corrections) if corrections is not None else None
    _keep_corrected(out, corrected, replace_corrected)
    out.prepare()  # a folder that cannot be written fails now, not after the work
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
    out.note(corrected=corrected)
    return _render_and_export(extraction, out, gazetteer=gazetteer, offline=offline, formats=formats, title=title)


def _table_folder(sources: Any) -> Path | None:
    """The one folder of tables among ``sources``, or ``None`` when they are reports.

    Tables given with reports are refused: the reports would need extracting
    and the tables are already extracted; map them apart, or extract all.
    """
    import os

    from geomap.mapdata import is_table_folder

    items = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources) if isinstance(sources, (list, tuple)) else []
    found = [Path(s) for s in items if isinstance(s, (str, os.PathLike)) and is_table_folder(s)]
    if not found:
        return None
    if len(items) > 1:
        raise InputError(
            f"{found[0]}: a folder of tables written by `geomap extract` given with other inputs: "
            "make a map of one folder of tables at a time, or extract the reports together first"
        )
    return found[0]


def _keep_corrected(out: OutputDir, corrected: str | None, replace: bool) -> None:
    """Refuse to replace outputs made with corrections by outputs made without them, unless asked."""
    before = out.meta("corrected")
    if before and not corrected and not replace:
        raise InputError(
            f"{out.path}: its outputs were made with corrections ({before}) and this run has none; "
            "give the corrections, or --replace-corrected to replace them anyway, or choose another output folder"
        )


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
    replace_corrected: bool = False,
) -> RunSummary:
    """Extract the tidy tables from reports and write them (CSV or Parquet) for review.

    The rows go to disk as they are made (:func:`geomap.extract.write_extraction`):
    memory stays flat however many reports there are.  Articles an earlier
    run into the same folder extracted are not extracted again (``full=True``
    extracts them all).  ``format``, ``by_month`` and a Dask ``client`` are
    those of :func:`geomap.extract.write_extraction`.  ``out_dir`` may be an
    fsspec URL (``s3://bucket/tables``, ``file:///srv/tables``): the tables
    are published there, each atomically (:mod:`geomap._objectstore`).
    """
    from geomap import _objectstore
    from geomap.extract import write_extraction

    url = None
    if _objectstore.is_url(out_dir):  # object storage through fsspec (geomap._objectstore)
        url, out_dir = str(out_dir), _objectstore.local_folder(str(out_dir))
    options = dict(gazetteer=gazetteer, corrections=corrections, since=since, until=until, types=types,
                   progress=progress, jobs=jobs, full=full, format=format, by_month=by_month, client=client)  # fmt: skip
    if url is not None and out_dir is None:
        with _objectstore.working_folder(url) as folder:
            _keep_corrected(OutputDir(folder), str(corrections) if corrections is not None else None, replace_corrected)
            files, tally, skipped = write_extraction(sources, folder, **options)
            files = _objectstore.publish(url, folder, files)  # URLs, not paths
    else:
        _keep_corrected(OutputDir(out_dir), str(corrections) if corrections is not None else None, replace_corrected)
        files, tally, skipped = write_extraction(sources, out_dir, **options)
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
    date_format: str | None = None,
    replace_corrected: bool = False,
) -> RunSummary:
    """Turn reviewed tables (from :func:`extract_tables`, CSV or Parquet) into exports and the map.

    Tables of more than ``max_incidents`` incidents (default
    :data:`geomap.mapdata.MAX_INCIDENTS`) are read a batch at a time
    (:mod:`geomap.mapdata`): the map and exports hold the newest
    ``max_incidents`` incidents, and the summary and ``province_stats``
    count every one.  Memory is bounded by the map, not by the tables.

    Tables made with corrections, or edited by hand since geomap wrote them,
    are *corrected*; outputs made from corrected tables (or by ``make_map``
    with corrections) are not replaced by outputs made from uncorrected ones
    unless ``replace_corrected``.  ``date_format`` reads dates a spreadsheet
    rewrote (see :func:`geomap.extract.read_tables`), in big tables too.
    """
    from geomap.extract import read_tables
    from geomap.mapdata import MAX_INCIDENTS, count_rows

    out = OutputDir(out_dir)
    out.check(*((MAP_NAME,) if with_map else ()), SUMMARY_NAME, *_export_names(formats))
    corrected = _corrected_tables(Path(tables_dir))
    _keep_corrected(out, corrected, replace_corrected)
    limit = MAX_INCIDENTS if max_incidents is None else max_incidents
    if count_rows(tables_dir) > limit:
        out.prepare()
        out.note(corrected=corrected)
        return _export_big(
            tables_dir, out, gazetteer=gazetteer, since=since, until=until, types=types, formats=formats,
            with_map=with_map, offline=offline, title=title, limit=limit, date_format=date_format,
        )  # fmt: skip
    extraction = read_tables(tables_dir, date_format=date_format)
    out.prepare()
    out.note(corrected=corrected)
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


def _corrected_tables(tables_dir: Path) -> str | None:
    """What corrected the tables in ``tables_dir``: their corrections file, an analyst's edits, or nothing."""
    from geomap.tablefiles import table_files

    folder = OutputDir(tables_dir)
    if folder.meta("corrected"):
        return str(folder.meta("corrected"))
    names = {*table_files(tables_dir, format="csv"), *table_files(tables_dir, format="parquet")}
    names |= set(table_files(tables_dir, format="parquet", by_month=True))
    for name in sorted(names):
        if (folder.path / name).exists() and not folder.is_own(name):
            return f"{folder.path / name} edited by hand"
    return None


def _export_big(tables_dir: str | Path, out: OutputDir, *, gazetteer: Any, since: Any, until: Any, types: Any,
                formats: Sequence[str], with_map: bool, offline: bool, title: str | None, limit: int,
                date_format: str | None = None) -> RunSummary:  # fmt: skip
    """:func:`export_tables` for tables too big to hold: the newest incidents drawn, every one counted."""
    import warnings

    from geomap.layers import build_layers
    from geomap.mapdata import places_counted, province_stats, read_for_map

    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    extraction, totals = read_for_map(
        tables_dir, since=since, until=until, types=types, max_incidents=limit, date_format=date_format,
        gazetteer=gazetteer,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        layers = build_layers(extraction, gazetteer=gazetteer)
        layers = dataclasses.replace(
            layers,
            province_stats=province_stats(totals, layers, gazetteer),
            places=places_counted(totals, extraction.mentions, gazetteer),
            aggregates=totals.rest_frame(),
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
    lines = summary.lines() + [f"(the map shows the newest {summary.incidents_mapped} incidents; all are counted)"]
    out.write_text(SUMMARY_NAME, "\n".join(lines) + "\n")
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
    summary = dataclasses.replace(summary, files=(*files, out.path / SUMMARY_NAME))
    if write_summary:
        out.write_text(SUMMARY_NAME, "\n".join(summary.lines()) + "\n")
    return summary


def _summarise(extraction: Any, *, layers: Any = None) -> RunSummary:
    from geomap.extract import Tally

    tally = Tally(corrections=extraction.corrections)
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
    events, multi = summary.events, summary.events_multi
    if getattr(layers, "events", None) is not None:  # the events of the incidents kept (--since, --types...)
        events = len(layers.events)
        multi = int((layers.events["reports"].fillna(1) > 1).sum())
    return dataclasses.replace(
        summary,
        events=events,
        events_multi=multi,
        incidents=len(layers.incidents),
        incidents_mapped=int((geoms.notna() & ~geoms.is_empty).sum()),
        by_type=_by_type((str(k), int(v)) for k, v in kinds.items()),
    )


def _from_tally(tally: Tally, skipped: tuple[Skipped, ...]) -> RunSummary:
    report = tally.corrections
    return RunSummary(
        corrections=report.applied if report is not None else None,
        unmatched=report.unmatched if report is not None else (),
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
        events=tally.events,
        events_multi=tally.events_multi,
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
