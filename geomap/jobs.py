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
from typing import Any

from geomap._io import OutputDir, write_text
from geomap.records import Skipped

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
            + (f" (and {self.table_rows} rows of incident tables)" if self.table_rows else ""),
            f"inputs skipped:    {len(self.skipped)}",
        ]
        out += [f"  - {skip}" for skip in self.skipped]
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
) -> RunSummary:
    """Extract the tidy tables from reports and write them as CSV for review."""
    from geomap.extract import TABLES, extract, write_tables

    OutputDir(out_dir).check(*(f"{name}.csv" for name in TABLES))  # before the work, not after
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
    files = write_tables(extraction, out_dir)
    return dataclasses.replace(_summarise(extraction), files=tuple(files))


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
) -> RunSummary:
    """Turn reviewed tables (from :func:`extract_tables`) into exports and the map."""
    from geomap.extract import read_tables

    out = OutputDir(out_dir)
    out.check(*((MAP_NAME,) if with_map else ()), SUMMARY_NAME, *_export_names(formats))
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
) -> RunSummary:
    import warnings

    from geomap.exports import export
    from geomap.layers import build_layers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted in the summary instead
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
    write_text(summary_path, "\n".join(summary.lines()) + "\n")
    out.record(*(p.name for p in summary.files))
    return summary


def _summarise(extraction: Any, *, layers: Any = None) -> RunSummary:
    counts = extraction.summary()
    skipped = tuple(
        Skipped(path=str(row.path), reason=str(row.reason), line=None if _blank(row.line) else int(row.line))
        for row in extraction.skipped.itertuples(index=False)
    )
    unresolved = tuple(sorted(set(extraction.unresolved["text"].astype(str))))
    incidents = len(extraction.incidents) if layers is None else len(layers.incidents)
    mapped = incidents
    if layers is not None:
        geoms = layers.incidents.geometry
        mapped = int((geoms.notna() & ~geoms.is_empty).sum())
    tables = int((extraction.articles["format"] == "csv").sum())
    frame = extraction.incidents if layers is None else layers.incidents
    kinds = frame["type"].astype(str).value_counts()
    by_type = tuple(sorted(((str(k), int(v)) for k, v in kinds.items()), key=lambda kv: (-kv[1], kv[0])))
    return RunSummary(
        articles=counts["articles"] - tables,
        table_rows=tables,
        skipped=skipped,
        mentions=counts["mentions"],
        places=counts["places"],
        ambiguous=counts["ambiguous"],
        unresolved=unresolved,
        incidents=incidents,
        incidents_mapped=mapped,
        routes=counts["routes"],
        by_type=by_type,
    )


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
    return names
