"""The ``geomap`` command: parses arguments and calls the library.

Each command is a ``_cmd_<name>(args) -> int`` registered in :data:`COMMANDS`
and given its arguments in :func:`_build_parser`.  Exit codes: 0 done, 1 done
but some inputs were skipped or not found (or corrections matched nothing),
2 bad input or output trouble (one line on stderr, ``geomap: error: ...``),
3 an unexpected error, a bug (one line naming a log file with the traceback;
the traceback on stderr with ``-v``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from geomap._errors import GeomapError

__all__ = ["COMMANDS", "main"]

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


def _out(args: argparse.Namespace) -> TextIO:
    """Where results go (standard output; errors go to standard error)."""
    return sys.stdout


# -- geocode ----------------------------------------------------------------------


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geomap.gazetteer import load_gazetteer
    from geomap.geocoder import Resolver, parse_date

    date = parse_date(args.date, what="--date")
    gazetteer = load_gazetteer(args.path)
    resolver = Resolver(gazetteer)
    out = _out(args)
    missing = 0
    for name in args.names:
        resolution = resolver.resolve(name, country=args.country, date=date, limit=args.limit)
        if not resolution:
            missing += 1
        if args.json:
            out.write(json.dumps(_resolution_record(gazetteer, resolution), ensure_ascii=False) + "\n")
        elif args.quiet:
            out.write(f"{name}\t{resolution.place.id if resolution else ''}\n")
        else:
            out.write(_resolution_text(gazetteer, resolution, verbose=args.verbose) + "\n")
    return EXIT_PARTIAL if missing else EXIT_OK


def _candidate_record(gazetteer: Any, candidate: Any) -> dict[str, Any]:
    place = candidate.place
    province = gazetteer.province_of(place.id)
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "province_id": province.id if province is not None else None,
        "lat": place.lat,
        "lon": place.lon,
        "valid_from": place.valid_from.isoformat() if place.valid_from else None,
        "valid_to": place.valid_to.isoformat() if place.valid_to else None,
        "successor_id": place.successor_id,
        "score": candidate.score,
        "method": candidate.method,
        "matched": candidate.matched,
    }


def _resolution_record(gazetteer: Any, resolution: Any) -> dict[str, Any]:
    candidates = [_candidate_record(gazetteer, c) for c in resolution.candidates]
    return {
        "query": resolution.query,
        "found": bool(resolution),
        "ambiguous": resolution.ambiguous,
        "place": candidates[0] if candidates else None,
        "others": candidates[1:],
    }


def _resolution_text(gazetteer: Any, resolution: Any, *, verbose: int = 0) -> str:
    if not resolution:
        return f"{resolution.query}: not found in the gazetteer"
    best = resolution.best
    flag = "  AMBIGUOUS: context needed to choose" if resolution.ambiguous else ""
    lines = [f"{resolution.query}: {_candidate_line(best)}{flag}"]
    if verbose:
        lines.append(_detail(gazetteer, best))
    for other in resolution.candidates[1:]:
        lines.append(f"    or {_candidate_line(other)}")
        if verbose:
            lines.append(_detail(gazetteer, other))
    return "\n".join(lines)


def _detail(gazetteer: Any, candidate: Any) -> str:
    place = candidate.place
    within = " > ".join(p.name for p in gazetteer.ancestors(place.id)) or "-"
    return f"       matched {candidate.matched!r}; in {within}; source {place.source}"


def _candidate_line(candidate: Any) -> str:
    p = candidate.place
    validity = ""
    if p.valid_from or p.valid_to:
        validity = f" valid {p.valid_from or '…'}–{p.valid_to or '…'}"
        if p.successor_id:
            validity += f" -> {p.successor_id}"
    return (
        f"{p.id}  {p.name} ({p.kind}, {p.country})  {p.lat:.5f}, {p.lon:.5f}"
        f"  score {candidate.score:g} {candidate.method}{validity}"
    )


# -- gazetteer check / search -------------------------------------------------------


def _cmd_gazetteer_check(args: argparse.Namespace) -> int:
    from geomap.gazetteer import check_gazetteer

    problems = check_gazetteer(args.path, ambiguities=not args.no_ambiguities)
    out = _out(args)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for problem in problems:
        if problem.severity == "error" or not args.quiet:
            out.write(f"{problem}\n")
    out.write(f"{len(errors)} error(s), {len(warnings)} warning(s)\n")
    return EXIT_USAGE if errors else EXIT_OK


def _cmd_gazetteer_search(args: argparse.Namespace) -> int:
    from geomap.gazetteer import load_gazetteer
    from geomap.geocoder import Resolver

    gazetteer = load_gazetteer(args.path)
    resolution = Resolver(gazetteer).resolve(args.text, limit=args.limit)
    out = _out(args)
    if not resolution:
        out.write(f"{args.text}: no place matches\n")
        return EXIT_PARTIAL
    for candidate in resolution.candidates:
        place = candidate.place
        parents = " > ".join(p.id for p in gazetteer.ancestors(place.id)) or "-"
        aliases = "; ".join(f"{a.name} [{a.lang}/{a.kind}]" for a in gazetteer.aliases_of(place.id)) or "-"
        out.write(f"{_candidate_line(candidate)}\n")
        out.write(f"    parents: {parents}\n")
        out.write(f"    aliases: {aliases}\n")
        out.write(f"    source: {place.source}" + (f"  note: {place.note}" if place.note else "") + "\n")
    return EXIT_OK


# -- the main job, extraction and export ---------------------------------------------


def _types_arg(text: str) -> list[str]:
    from geomap.records import INCIDENT_TYPES

    types = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in types if t not in INCIDENT_TYPES]
    if unknown or not types:
        raise argparse.ArgumentTypeError(
            f"unknown incident type {unknown[0] if unknown else text!r} (choose from {', '.join(INCIDENT_TYPES)})"
        )
    return types


def _date_arg(text: str) -> str:
    from geomap.text.dates import parse_iso_date_arg

    try:
        return parse_iso_date_arg(text).isoformat()
    except GeomapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _formats_arg(text: str) -> list[str]:
    from geomap.exports import FORMATS

    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {unknown[0] if unknown else text!r} (choose from {', '.join(FORMATS)})")
    return formats


def _print_summary(args: argparse.Namespace, summary) -> int:
    if not getattr(args, "quiet", False):
        for line in summary.lines():
            print(line)
        if getattr(args, "verbose", 0):
            for line in summary.details():
                print(line)
    else:
        for skip in summary.skipped:
            sys.stderr.write(f"geomap: skipped {skip}\n")
        for miss in summary.unmatched:
            sys.stderr.write(f"geomap: warning: {miss}\n")
    return summary.exit_code


def _progress(args: argparse.Namespace) -> bool:
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _extraction(args: argparse.Namespace) -> dict[str, Any]:
    """The options ``map`` and ``extract`` pass on to :func:`geomap.extract.extract` (see ``_add_reports``)."""
    return {
        "corrections": args.corrections,
        "since": args.since,
        "until": args.until,
        "types": args.types,
        "progress": _progress(args),
        "jobs": args.jobs,
        "replace_corrected": args.replace_corrected,
    }


def _cmd_map(args: argparse.Namespace) -> int:
    from geomap.jobs import make_map

    summary = make_map(
        args.paths, args.output, offline=args.offline, formats=args.formats, title=args.title,
        max_incidents=args.max_incidents, **_extraction(args),
    )  # fmt: skip
    return _print_summary(args, summary)


def _cmd_extract(args: argparse.Namespace) -> int:
    from geomap.jobs import extract_tables

    options = {"full": args.full, "format": args.format, "by_month": args.by_month, **_extraction(args)}
    if args.dask is None:
        return _print_summary(args, extract_tables(args.paths, args.output, **options))
    from geomap.cluster import dask_client

    with dask_client(args.dask or None) as client:
        return _print_summary(args, extract_tables(args.paths, args.output, client=client, **options))


def _cmd_export(args: argparse.Namespace) -> int:
    from geomap.jobs import export_tables

    summary = export_tables(
        args.tables,
        args.output,
        since=args.since,
        until=args.until,
        types=args.types,
        formats=args.formats,
        with_map=not args.no_map,
        offline=args.offline,
        title=args.title,
        max_incidents=args.max_incidents,
        date_format=args.date_format,
        replace_corrected=args.replace_corrected,
    )
    return _print_summary(args, summary)


def _add_replace_corrected(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replace-corrected", action="store_true",
        help="replace outputs made with corrections by outputs made without them (refused otherwise)",
    )


def _add_reports(parser: argparse.ArgumentParser, *, output: str) -> None:
    """The reports to read, where to write, the analyst's corrections, and the filters."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns of reports")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help=output)
    parser.add_argument("--corrections", metavar="FILE", help="an analyst's corrections file (YAML), applied on every run")
    parser.add_argument(
        "-j", "--jobs", type=_positive_int, default=1, metavar="N",
        help="extract with N worker processes (default 1, at most one a processor); the tables are the same whatever N",
    )
    _add_replace_corrected(parser)
    _add_filters(parser)


def _add_max_incidents(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-incidents", type=_positive_int, metavar="N",
        help="tables of more incidents are read a batch at a time: the map draws the newest N one by one "
        "(default 50000) and counts the rest by province, month and type; the summary, counts, timeline "
        "and shading cover them all",
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_date_arg, metavar="DATE", help="keep incidents on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--until", type=_date_arg, metavar="DATE", help="keep incidents on or before DATE (YYYY-MM-DD)")
    parser.add_argument(
        "--types", type=_types_arg, metavar="T,...", help="keep only these incident types, comma-separated (see docs/TAXONOMY.md)"
    )


def _add_map_options(parser: argparse.ArgumentParser) -> None:
    assets = parser.add_mutually_exclusive_group()
    assets.add_argument(
        "--offline", dest="offline", action="store_true", default=True,
        help="embed Leaflet and plugin files: the page needs no network but for map tiles (default)",
    )
    assets.add_argument(
        "--online-assets", dest="offline", action="store_false",
        help="load Leaflet and plugin files from their CDNs (a smaller file that needs the internet)",
    )
    parser.add_argument("--title", metavar="TEXT", help="title shown on the map")
    parser.add_argument(
        "--formats", type=_formats_arg, default=["geojson", "gpkg", "csv"], metavar="F,...",
        help="export formats, comma-separated: geojson, gpkg, csv, geoparquet (default: geojson,gpkg,csv)",
    )


# -- parser and dispatch ------------------------------------------------------------

#: Command name (as given to ``args.command``) -> handler.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "geocode": _cmd_geocode,
    "gazetteer check": _cmd_gazetteer_check,
    "gazetteer search": _cmd_gazetteer_search,
    "map": _cmd_map,
    "extract": _cmd_extract,
    "export": _cmd_export,
}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


_MAP_FILES = "border_activity.html, one GeoJSON a layer, geomap.gpkg, CSV of incidents and routes, and summary.txt"


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: ``geomap: error: ...``, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"geomap: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_USAGE)


def _build_parser() -> argparse.ArgumentParser:
    from geomap import __version__

    parser = _Parser(
        prog="geomap",
        description="Turn news reports of cross-border activity into maps analysts can trust.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print less: ids only, errors only")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="print more: matched names, parents, sources")
    # The same options after the command; SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"geomap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser(
        "map",
        parents=[common],
        help="the main job: reports -> incidents and routes -> map, GeoJSON, GeoPackage, CSV",
        description=(
            "Read reports (text, Markdown, HTML, JSON Lines; analyst incident tables as CSV), resolve the places "
            f"they name, extract incidents and routes, and write {_MAP_FILES} into the output folder. "
            "PATH may instead be one folder of tables written by `geomap extract` (CSV or Parquet, by month or not): "
            "the map is made from the tables, streamed, however many incidents they hold. "
            "Files geomap did not write are never overwritten."
        ),
    )
    _add_reports(run, output="output folder (created if needed)")
    _add_max_incidents(run)
    _add_map_options(run)
    run.set_defaults(command="map")

    ext = sub.add_parser(
        "extract",
        parents=[common],
        help="reports -> tidy tables (CSV) for review",
        description=(
            "Extract articles, place mentions, incidents, routes, unresolved names and skipped inputs as CSV "
            "tables for an analyst to review; `geomap export` turns reviewed tables into maps and exports."
        ),
    )
    _add_reports(ext, output="folder for the tables (created if needed)")
    ext.add_argument(
        "--full", action="store_true",
        help="extract every article again (by default an article extracted by an earlier run into the same "
        "folder, with the same gazetteer, rules and corrections, is taken from the folder's cache)",
    )
    ext.add_argument(
        "--format", choices=("csv", "parquet"), default="csv",
        help="table format: csv (default) or parquet (typed columns; see docs/ARCHITECTURE.md)",
    )
    ext.add_argument(
        "--by-month", action="store_true", help="with --format parquet: one file a month of each table, for large runs"
    )
    ext.add_argument(
        "--dask", nargs="?", const="", default=None, metavar="SCHEDULER",
        help="extract on a Dask cluster (pip install 'geomap[dask]'): a new local one, or the scheduler at "
        "this address (tcp://host:8786); the tables are the same",
    )
    ext.set_defaults(command="extract")

    exp = sub.add_parser(
        "export",
        parents=[common],
        help="reviewed tables -> map, GeoJSON, GeoPackage, CSV",
        description="Build the layers from tables written by `geomap extract` (and reviewed) and write the exports and the map.",
    )
    exp.add_argument("tables", metavar="TABLES_DIR", help="folder of tables written by `geomap extract`")
    exp.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created if needed)")
    exp.add_argument("--no-map", action="store_true", help="write the exports only, not the HTML map")
    _add_max_incidents(exp)
    exp.add_argument(
        "--date-format", metavar="FMT",
        help="how a spreadsheet wrote the tables' dates, in strptime codes (e.g. %%m/%%d/%%Y); default: ISO YYYY-MM-DD only",
    )
    _add_replace_corrected(exp)
    _add_filters(exp)
    _add_map_options(exp)
    exp.set_defaults(command="export")

    geocode = sub.add_parser("geocode", parents=[common], help="resolve place names against the gazetteer")
    geocode.add_argument("names", nargs="+", metavar="NAME", help="place names, as written in a report")
    geocode.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2 code of the country the text is about")
    geocode.add_argument("--date", metavar="YYYY-MM-DD", help="report date: picks the admin units of that day")
    geocode.add_argument("--json", action="store_true", help="one JSON object a line")
    geocode.add_argument("--limit", type=_positive_int, default=5, metavar="N", help="candidates to show (default 5)")
    geocode.add_argument("--path", metavar="DIR", help="gazetteer folder (default: the bundled one)")
    geocode.set_defaults(command="geocode")

    gazetteer = sub.add_parser("gazetteer", help="check or search the gazetteer")
    gsub = gazetteer.add_subparsers(dest="gazetteer_command", metavar="ACTION")
    check = gsub.add_parser("check", parents=[common], help="report every problem in the tables, with file and line")
    check.add_argument("--path", metavar="DIR", help="gazetteer folder (default: the bundled one)")
    check.add_argument("--no-ambiguities", action="store_true", help="leave out the report of shared names")
    check.set_defaults(command="gazetteer check")
    search = gsub.add_parser("search", parents=[common], help="find places by name, for curators")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--limit", type=_positive_int, default=10, metavar="N")
    search.add_argument("--path", metavar="DIR", help="gazetteer folder (default: the bundled one)")
    search.set_defaults(command="gazetteer search")
    gazetteer.set_defaults(command=None, _help=gazetteer)
    return parser


@contextlib.contextmanager
def _one_line_messages() -> Any:
    """Warnings and log messages on stderr as one line each, ``geomap: warning: ...``.

    Not Python's warning format (with the file and line of geomap's code) nor
    a bare message.  Inputs skipped are left to the summary, which lists them
    all (with those found while extracting), so they are not told twice.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("geomap: warning: %(message)s"))
    handler.addFilter(lambda record: not hasattr(record, "skipped"))
    logger = logging.getLogger("geomap")
    own = not logger.handlers  # an application that set up logging keeps its own
    if own:
        logger.addHandler(handler)
        level, propagate = logger.level, logger.propagate
        logger.setLevel(logging.WARNING)
        logger.propagate = False

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        sys.stderr.write(f"geomap: warning: {' '.join(str(message).split())}\n")

    try:
        with warnings.catch_warnings():
            warnings.showwarning = show
            yield
    finally:
        if own:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geomap`` command line; return the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    handler = COMMANDS.get(args.command or "")
    if handler is None:
        (getattr(args, "_help", None) or parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _one_line_messages():
            return handler(args)
    except GeomapError as exc:
        problems = getattr(exc, "problems", ())
        lines = problems if problems and all(isinstance(p, str) for p in problems) else (str(exc),)
        for line in lines:  # every problem of a corrections file, each with its file and line
            sys.stderr.write(f"geomap: error: {_one_line(line)}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # `geomap ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("geomap: interrupted\n")
        return EXIT_INTERRUPTED
    except OSError as exc:  # the system refused something geomap does not wrap: a plain fact, not a bug
        if exc.filename is None:
            return _crash(exc, verbose=getattr(args, "verbose", 0))
        sys.stderr.write(f"geomap: error: {_one_line(f'{exc.filename}: {exc.strerror or exc}')}\n")
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a bug: one line and a log, not a traceback and exit 1
        return _crash(exc, verbose=getattr(args, "verbose", 0))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _crash(exc: BaseException, *, verbose: int) -> int:
    """Report a bug: one line naming a log file with the traceback (and the traceback itself under ``-v``)."""
    import os
    import tempfile
    import time
    import traceback

    from geomap import __version__

    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    what = _one_line(f"{type(exc).__name__}: {exc}")
    if len(what) > 300:
        what = what[:297] + "..."
    stamp = time.strftime("%Y%m%dT%H%M%S")
    log = os.path.join(tempfile.gettempdir(), f"geomap-crash-{stamp}-{os.getpid()}.log")
    try:
        with open(log, "w", encoding="utf-8") as fh:
            fh.write(f"geomap {__version__}, Python {sys.version.split()[0]}\nargv: {sys.argv!r}\n\n{trace}")
        where = f"traceback in {log}"
    except OSError:
        where = "run again with -v for the traceback"
    if verbose:
        sys.stderr.write(trace)
    sys.stderr.write(f"geomap: internal error (a bug in geomap, please report it): {what} ({where})\n")
    return EXIT_BUG
