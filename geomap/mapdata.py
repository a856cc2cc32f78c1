"""What a map needs from tables too big to hold: read a batch at a time, bounded by the map, not the corpus.

``geomap map TABLES`` and ``geomap export TABLES`` on tables of a few
thousand incidents build the layers from the whole tables
(:func:`geomap.layers.build_layers`).  Past ``max_incidents`` incidents
(:data:`MAX_INCIDENTS` unless told) they read the tables here instead, a
batch of rows at a time with only the columns needed
(:mod:`geomap._tablestream`: CSV or Parquet, one file or a folder of
months, written by one process or by a Dask cluster):

- the ``max_incidents`` newest incidents (after the filters; by start date,
  then id, largest first, so the choice does not depend on the order the
  files are read in) are kept one by one, with their articles and their
  articles' mentions: the ``incidents`` layer and the map's points;
- every other incident is *aggregated* into cells of (province unit,
  country, location precision, month, type), each holding the incidents,
  the people (as ``province_stats`` counts them) and the value of the
  incident's shading measure (:data:`geomap._mappayload.MEASURES`: people
  smuggled, repatriated, kg of drugs, crossings): :attr:`Totals.rest`,
  which the map's payload carries beside the kept incidents so that the
  counts, timeline and shading still cover every incident;
- :attr:`Totals.cells` are the cells of every incident (kept and rest):
  the summary, the ``province_stats`` layer and the mentions per place are
  those of the *whole* corpus;
- the routes of the newest :data:`MAX_ROUTES` route ids are kept likewise;
- an event told by several reports (the ``events`` table) counts once, as
  its lead report (the one the map draws it as): its other reports are in
  no aggregate, and they are drawn with their lead when the lead is kept
  (one marker, its popup listing every report), so the map's counts and
  shading are those of the whole map, which folds events the same way.

Memory is that of one batch, the kept rows and the cells (units x months x
types, a few thousand), whatever the number of rows read.  An incident
counts for the province unit valid on the first day of its month (units
change on the first of a month: Vietnam's on 2025-07-01); an incident with
no date of its own counts for today's units (the whole-table path would use
its article's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._errors import InputError, InputNotFoundError, located
from geomap._tablestream import batches, first_bad, source

__all__ = ["MAX_INCIDENTS", "MAX_ROUTES", "Totals", "count_rows", "is_table_folder", "read_for_map"]

MAX_INCIDENTS = 50_000  # incidents drawn one by one (the map stays a few MB and quick to open)
MAX_ROUTES = 5_000

#: A cell of the aggregates: (province unit or "", country or "", location precision (0: none), month "YYYY-MM" or "", type).
Cell = tuple[str, str, int, str, str]
CELL_FIELDS = ("unit", "country", "precision", "month", "type")
_DERIVED = ("_key", "_unit", "_cc", "_lp", "_month", "_people", "_mv")


def is_table_folder(path: str | Path) -> bool:
    """True when ``path`` is a folder of tables written by ``geomap extract`` (its articles and incidents, CSV or Parquet)."""
    folder = Path(path)
    if not folder.is_dir():
        return False
    return all(
        (folder / f"{name}.csv").is_file() or (folder / f"{name}.parquet").is_file() or (folder / name).is_dir()
        for name in ("articles", "incidents")
    )


def count_rows(directory: str | Path, name: str = "incidents", *, format: str | None = None) -> int:
    """Rows of table ``name`` in ``directory`` (Parquet: from the files' footers, nothing else read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    found = source(Path(directory), name, format)
    if found is None:
        return 0
    kind, files = found
    if kind == "parquet":
        total = 0
        for path in files:
            try:
                total += pq.ParquetFile(path).metadata.num_rows
            except (OSError, pa.ArrowException) as exc:
                raise InputError(located(path, None, f"not a readable Parquet table: {exc}")) from exc
        return total
    with open(files[0], "rb") as fh:  # rows, not lines: a cell may hold a line break
        import csv
        import io

        try:
            return max(0, sum(1 for _ in csv.reader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))) - 1)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(located(files[0], None, f"not a readable CSV table: {exc}")) from exc


@dataclass
class Totals:
    """What was counted over the whole tables: incidents by cell (:data:`Cell`), mentions by place, articles."""

    cells: dict[Cell, list[float]] = field(default_factory=dict)  # every incident: -> [incidents, people, measure]
    rest: dict[Cell, list[float]] = field(default_factory=dict)  # those not kept one by one (the map's aggregates)
    mentions: dict[str, int] = field(default_factory=dict)  # place id -> mentions
    articles: int = 0  # reports read (not rows of incident tables)
    table_rows: int = 0

    @property
    def n_incidents(self) -> int:
        return int(sum(t[0] for t in self.cells.values()))

    def by_type(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for key, (n, _, _) in self.cells.items():
            out[key[4]] = out.get(key[4], 0) + int(n)
        return out

    def rest_frame(self) -> Any:
        """:attr:`rest` as a DataFrame: the cell's fields, ``incidents``, ``people``, ``measure`` (sorted, deterministic)."""
        import pandas as pd

        rows = [(*key, int(n), people, round(value, 3)) for key, (n, people, value) in sorted(self.rest.items()) if n]
        return pd.DataFrame(rows, columns=[*CELL_FIELDS, "incidents", "people", "measure"])


def _add(cells: dict[Cell, list[float]], frame: Any) -> None:
    """Count the rows of ``frame`` (with the derived columns) into ``cells``."""
    if not len(frame):
        return
    grouped = frame.groupby(["_unit", "_cc", "_lp", "_month", "type"], sort=False).agg(
        n=("_lp", "size"), people=("_people", "sum"), measure=("_mv", "sum")
    )
    for key, n, people, measure in zip(grouped.index, grouped["n"], grouped["people"], grouped["measure"], strict=True):
        total = cells.setdefault(key, [0, 0.0, 0.0])
        total[0] += int(n)
        total[1] += float(people)
        total[2] += float(measure)


class _Derive:
    """Per incident: its sort key, cell (unit, country, precision, month) and figures, memoised by distinct values."""

    def __init__(self, gazetteer: Any) -> None:
        from geomap.boundaries import load_provinces
        from geomap.layers import _ProvinceLocator

        self.gazetteer = gazetteer
        provinces = load_provinces()
        self.locate = _ProvinceLocator(gazetteer, provinces)
        self.rep = {
            pid: geom.representative_point()
            for pid, geom in zip(provinces["province_id"], provinces.geometry, strict=True)
            if geom is not None and not geom.is_empty
        }
        self.places: dict[tuple[str, int], tuple[Any, Any]] = {}  # (place id, precision) -> place, point
        self.figures: dict[tuple, tuple[float, float]] = {}  # (type, value, unit, counts) -> people, measure

    def where(self, place_id: str, precision: int, month: str) -> tuple[str, str]:
        """The province unit (or "") and country (or "") an incident at ``place_id`` counts for."""
        found = self.places.get((place_id, precision))
        if found is None:
            from geomap.layers import point

            place = self.gazetteer.get(place_id) if place_id else None
            geom = None
            if place is not None:
                geom = self.rep.get(place_id) if place.kind == "province" and precision >= 4 else None
                geom = geom or point(place.lat, place.lon)
            found = self.places[(place_id, precision)] = (place, geom)
        place, geom = found
        if place is None:
            return "", ""
        return self.locate(place_id, geom, f"{month}-01" if month else None, precision or None) or "", place.country or ""

    def __call__(self, frame: Any) -> Any:
        """``frame`` (plain incidents) with the columns of :data:`_DERIVED`."""
        import pandas as pd

        from geomap._mappayload import measure_of
        from geomap.layers import _people

        starts, ends = frame["date_start"].tolist(), frame["date_end"].tolist()
        months = [(s or e)[:7] for s, e in zip(starts, ends, strict=True)]
        lp = frame["location_precision"].fillna(0).astype("int64").tolist()
        places = [self.where(p, k, m) for p, k, m in zip(frame["place_id"].tolist(), lp, months, strict=True)]
        figures = self.figures
        if len(figures) > 100_000:  # bounded: a corpus of ever new figures does not grow it past this
            figures.clear()
        people, measure = [], []
        for key in zip(frame["type"].tolist(), frame["value"].tolist(), frame["unit"].tolist(), frame["counts"].tolist(), strict=True):
            found = figures.get(key)
            if found is None:
                value = None if pd.isna(key[1]) else key[1]
                row = {"type": key[0], "value": value, "unit": key[2], "counts": key[3]}
                found = figures[key] = (_people(row), measure_of(row)[1])
            people.append(found[0])
            measure.append(found[1])
        ids = frame["incident_id"].tolist()
        return frame.assign(
            _key=[f"{s}\x00{i}" for s, i in zip(starts, ids, strict=True)],
            _unit=[p[0] for p in places], _cc=[p[1] for p in places], _lp=lp, _month=months,
            _people=people, _mv=measure,
        )  # fmt: skip


def read_for_map(
    directory: str | Path,
    *,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    max_incidents: int = MAX_INCIDENTS,
    max_routes: int = MAX_ROUTES,
    format: str | None = None,
    date_format: str | None = None,
    gazetteer: Any = None,
) -> tuple[Any, Totals]:
    """The newest incidents of big tables, with what the map needs of them, and the aggregates of all.

    Dates in CSV tables are read as :func:`geomap.tableio.read_tables` reads
    them (ISO, or ``date_format``; a cell that is neither names its line).

    Returns
    -------
    extraction, totals
        An :class:`~geomap.tables.Extraction` holding at most
        ``max_incidents`` incidents (the newest after the filters), their
        articles, those articles' mentions, and the last ``max_routes``
        routes; and the :class:`Totals` of every incident that passed the
        filters (:attr:`Totals.rest`: those not kept), and of every mention.

    Raises
    ------
    InputError
        A table that cannot be read, lacks a column, or holds a value of the
        wrong kind or an unknown incident type: one line naming the file and
        the line (CSV) or row group (Parquet).
    """
    import numpy as np
    import pandas as pd

    from geomap.tables import COLUMNS, Extraction, _frame
    from geomap.layers import _bound
    from geomap.records import INCIDENT_TYPES

    folder = Path(directory)
    if not folder.is_dir():
        raise InputNotFoundError(located(folder, None, "no such folder"))
    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    lo, hi = _bound("since", since), _bound("until", until)
    wanted = None if types is None else ({types} if isinstance(types, str) else set(types))
    derive = _Derive(gazetteer)
    totals = Totals()
    columns = list(COLUMNS["incidents"])
    kept = None  # the newest rows so far, with their derived columns, at most max_incidents
    multi, lead_of = _told_by_several(folder, format)
    folded = []  # the other reports of an event told by several: drawn with their lead, counted in it
    for batch in batches(folder, "incidents", columns, format, date_format=date_format, newest_first=True):
        bad = first_bad(batch.data.column("type"), INCIDENT_TYPES)
        if bad is not None:
            value = batch.data.column("type")[bad].as_py()
            raise InputError(batch.where(bad, f"type: unknown incident type: {value!r}"))
        frame = _filtered(batch.data.to_pandas(), lo, hi, wanted)
        if lead_of and len(frame):
            other = frame["incident_id"].isin(lead_of.keys()).to_numpy()
            if other.any():
                folded.append(frame[other])
                _add(totals.cells, derive(frame[other]))
                frame = frame[~other]
        if not len(frame):
            continue
        if kept is not None and len(kept) >= max_incidents:  # most rows of an old month go straight to the aggregates
            floor = kept["_key"].iloc[0]
            starts = frame["date_start"].to_numpy(dtype=object)
            older = np.array([f"{s}\x00{i}" <= floor for s, i in zip(starts, frame["incident_id"], strict=True)], dtype=bool)
            _add(totals.rest, derive(frame[older]))
            frame = frame[~older]
            if not len(frame):
                continue
        frame = derive(frame)
        both = frame if kept is None else pd.concat([kept, frame], ignore_index=True)
        order = np.argsort(both["_key"].to_numpy(dtype=object), kind="stable")
        cut = max(0, len(both) - max_incidents)
        _add(totals.rest, both.iloc[order[:cut]])
        kept = both.iloc[order[cut:]].reset_index(drop=True)  # ascending: the oldest kept first
    if kept is None:
        kept = pd.DataFrame(columns=[*columns, *_DERIVED])
    for cell, values in totals.rest.items():
        into = totals.cells.setdefault(cell, [0.0] * len(values))
        totals.cells[cell] = [a + b for a, b in zip(into, values, strict=True)]
    _add(totals.cells, kept)
    kept = kept[columns]
    events = multi.iloc[0:0] if multi is not None else []
    if folded:  # the other reports of a kept lead are drawn with it (one marker, its popup lists them all)
        leads = set(kept["incident_id"])
        others = pd.concat(folded, ignore_index=True)
        others = others[[lead_of[i] in leads for i in others["incident_id"]]]
        kept = pd.concat([kept, others[columns]], ignore_index=True)
        shown = set(kept["incident_id"])
        events = multi[[i in shown for i in multi["incident_id"]]].reset_index(drop=True)
    kept = kept.sort_values("incident_id", kind="stable")
    article_ids = set(kept["article_id"])
    articles = _kept(folder, "articles", format, date_format, article_ids, totals)
    mentions = _kept(folder, "mentions", format, None, article_ids, totals)
    extraction = Extraction(
        articles=_frame("articles", articles),
        mentions=_frame("mentions", mentions),
        incidents=_frame("incidents", kept.reset_index(drop=True)),
        routes=_frame("routes", _routes(folder, format, max_routes)),
        unresolved=_frame("unresolved", []),
        skipped=_frame("skipped", []),
        events=_frame("events", events),
    )
    return extraction, totals


def _told_by_several(folder: Path, format: str | None) -> tuple[Any, dict[str, str]]:
    """The ``events`` rows of events told by several reports, and each such event's other incidents' lead.

    The lead is the incident the map draws and counts the event as, picked by
    :func:`geomap._mappayload.lead_rank` as the map picks it (a report with no
    place counts as drawn nowhere); the others are folded into it, so the
    aggregates count an event once, as the whole map does.
    """
    import pandas as pd

    from geomap._mappayload import lead_rank
    import pyarrow as pa
    import pyarrow.compute as pc

    from geomap.tables import COLUMNS

    parts = []
    for batch in batches(folder, "events", list(COLUMNS["events"]), format):
        several = pc.fill_null(pc.greater_equal(batch.data.column("reports"), 2), False)
        if pc.any(several).as_py():
            parts.append(batch.data.filter(several))
    if not parts:
        return None, {}
    multi = pa.concat_tables(parts).to_pandas()
    lead_of: dict[str, str] = {}
    for _, rows in multi.groupby("event_id", sort=True):
        ids = [str(i) for i in rows["incident_id"]]
        if len(set(rows["article_id"])) < 2:
            continue
        places = [not pd.isna(p) and bool(p) for p in rows["place_id"]]
        lead = min(lead_rank(p, i, drawn=d) for p, i, d in zip(rows["location_precision"], ids, places, strict=True))[1]
        lead_of.update({i: lead for i in ids if i != lead})
    return multi, lead_of


def _filtered(frame: Any, lo: str | None, hi: str | None, wanted: set[str] | None) -> Any:
    """The rows of ``frame`` that pass the filters (types, and a period their dates overlap)."""
    from geomap.layers import _overlaps

    if wanted is not None:
        frame = frame[frame["type"].str.strip().isin(wanted)]
    if lo or hi:
        spans = zip(frame["date_start"], frame["date_end"], strict=True)
        frame = frame[[_overlaps(s or None, e or None, lo, hi) for s, e in spans]]
    return frame


def _kept(folder: Path, name: str, format: str | None, date_format: str | None, article_ids: set[str], totals: Totals) -> Any:
    """The rows of table ``name`` of the kept articles (counting articles, or mentions by place, on the way)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from geomap.tables import COLUMNS

    keep = pa.array(sorted(article_ids), type=pa.string())
    parts = []
    for batch in batches(folder, name, list(COLUMNS[name]), format, date_format=date_format):
        data = batch.data
        if name == "articles":
            tables_read = pc.sum(pc.equal(data.column("format"), "csv")).as_py() or 0
            totals.table_rows += tables_read
            totals.articles += data.num_rows - tables_read
        else:
            places = data.column("place_id")
            counts = pc.value_counts(pc.filter(places, pc.not_equal(places, "")))
            for item in counts.to_pylist():
                totals.mentions[item["values"]] = totals.mentions.get(item["values"], 0) + item["counts"]
        mask = pc.is_in(data.column("article_id"), value_set=keep)
        if pc.any(mask).as_py():
            parts.append(data.filter(mask))
    if not parts:
        return []
    return pa.concat_tables(parts).to_pandas()


def _routes(folder: Path, format: str | None, max_routes: int) -> Any:
    """The rows of the last ``max_routes`` route ids read."""
    from geomap.tables import COLUMNS

    names = list(COLUMNS["routes"])
    route_rows: dict[str, list] = {}
    for batch in batches(folder, "routes", names, format):
        frame = batch.data.to_pandas()
        for row in zip(*(frame[c] for c in names), strict=True):
            route_rows.setdefault(row[0], []).append(row)
            if len(route_rows) > max_routes:
                route_rows.pop(next(iter(route_rows)))  # the oldest route id read goes
    import pandas as pd

    return pd.DataFrame([r for rows in route_rows.values() for r in rows], columns=names)


def province_stats(totals: Totals, layers: Any, gazetteer: Any) -> Any:
    """The ``province_stats`` layer from the totals of every incident (as :func:`geomap.layers.build_layers` makes it)."""
    from geomap.layers import PROVINCE_STATS_COLUMNS, _frame

    polygons = layers._polygons()
    sums: dict[str, list[float]] = {}
    for (unit, _, _, _, _), (n, people, _) in totals.cells.items():
        if unit:
            total = sums.setdefault(unit, [0, 0.0])
            total[0] += n
            total[1] += people
    polys = {r["province_id"]: r for r in polygons.to_dict("records")}
    records, geoms = [], []
    for pid in sorted(p for p in sums if p in polys):
        records.append({"province_id": pid, "name": polys[pid]["name"], "country": polys[pid]["country"],
                        "incidents": int(sums[pid][0]), "people": sums[pid][1]})  # fmt: skip
        geoms.append(polys[pid]["geometry"])
    return _frame(records, PROVINCE_STATS_COLUMNS, geoms, ints=("incidents",), floats=("people",))


def places_counted(totals: Totals, mentions: Any, gazetteer: Any) -> Any:
    """The ``places`` layer: every place mentioned in the whole table, with its mentions counted there.

    ``articles`` lists the kept articles (``mentions``) that name the place.
    """
    import pandas as pd

    from geomap.layers import _places

    missing = sorted(set(totals.mentions) - set(mentions["place_id"]))
    extra = pd.DataFrame({"article_id": [""] * len(missing), "place_id": missing, "text": missing})
    places = _places(pd.concat([mentions[["article_id", "place_id", "text"]], extra], ignore_index=True), gazetteer)
    places["mentions"] = pd.array([totals.mentions.get(p, 0) for p in places["place_id"]], dtype="Int64")
    return places
