"""What a map needs from tables too big to hold: read a batch at a time, bounded by the map, not the corpus.

``geomap export`` on tables of a few thousand incidents builds the layers
from the whole tables (:func:`geomap.layers.build_layers`).  Past
:data:`MAX_INCIDENTS` incidents it reads the tables here instead, a batch
of rows at a time (CSV or Parquet, one file or a folder of months):

- every incident (after the filters) is counted, by place, month and type
  (:class:`Totals`): the summary, the ``province_stats`` layer (incidents
  and people per province) and the count of mentions per place are these
  totals over the *whole* corpus;
- the :data:`MAX_INCIDENTS` newest incidents (by start date, then id) are
  kept one by one, with their articles and their articles' mentions: the
  ``incidents`` layer, the map's points, holds them;
- the routes of the newest :data:`MAX_ROUTES` route ids are kept likewise.

Memory is that of the kept rows and of the totals (places x months x
types), whatever the number of rows read.  An incident counts for the
province units valid on the first day of its month (units change on the
first of a month: Vietnam's on 2025-07-01); an incident with no date of its
own counts for today's units (the whole-table path would use its article's
date).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomap._errors import InputError, InputNotFoundError, located

__all__ = ["MAX_INCIDENTS", "MAX_ROUTES", "Totals", "count_rows", "read_for_map"]

MAX_INCIDENTS = 50_000  # incidents drawn one by one (the map stays a few MB and quick to open)
MAX_ROUTES = 5_000
_BATCH_ROWS = 65_536


def _source(folder: Path, name: str, format: str | None) -> tuple[str, list[Path]] | None:
    """How table ``name`` is stored in ``folder``: ``("parquet", files)`` or ``("csv", [file])``; ``None`` if absent."""
    single, months, csv = folder / f"{name}.parquet", folder / name, folder / f"{name}.csv"
    parquet = [single] if single.is_file() else sorted(months.glob("month=*/part-0.parquet")) if months.is_dir() else []
    if parquet and csv.is_file() and format is None:
        raise InputError(located(csv, None, "the table is there as CSV and as Parquet: say which to read (format)"))
    if parquet and format != "csv":
        return "parquet", parquet
    if csv.is_file() and format != "parquet":
        return "csv", [csv]
    return None


def _batches(folder: Path, name: str, columns: list[str], format: str | None) -> Iterator[Any]:
    """Table ``name`` as frames of a batch of rows each, with only ``columns`` (text as in the CSV)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from geomap.tablefiles import from_arrow

    found = _source(folder, name, format)
    if found is None:
        return
    kind, files = found
    for path in files:
        try:
            if kind == "parquet":
                for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS, columns=columns):
                    import pyarrow as pa

                    yield from_arrow(name, pa.Table.from_batches([batch]))[columns]
            else:
                for chunk in pd.read_csv(
                    path, dtype=str, keep_default_na=False, encoding="utf-8", usecols=columns, chunksize=_BATCH_ROWS
                ):
                    yield chunk
        except (OSError, ValueError) as exc:
            raise InputError(located(path, None, f"not a readable table: {exc}")) from exc


def count_rows(directory: str | Path, name: str = "incidents", *, format: str | None = None) -> int:
    """Rows of table ``name`` in ``directory`` (Parquet: from the files' footers, nothing else read)."""
    import pyarrow.parquet as pq

    found = _source(Path(directory), name, format)
    if found is None:
        return 0
    kind, files = found
    if kind == "parquet":
        return sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    with open(files[0], "rb") as fh:  # rows, not lines: a cell may hold a line break
        import csv
        import io

        return max(0, sum(1 for _ in csv.reader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))) - 1)


@dataclass
class Totals:
    """Incidents counted over the whole table: by place, month (``YYYY-MM`` or ``""``) and type."""

    incidents: dict[tuple[str, int | None, str, str], list[float]] = field(default_factory=dict)  # -> [count, people]
    mentions: dict[str, int] = field(default_factory=dict)  # place id -> mentions
    articles: int = 0  # reports read (not rows of incident tables)
    table_rows: int = 0

    def add_incidents(self, frame: Any) -> None:
        from geomap.layers import _int, _people

        for place, precision, start, kind, unit, value, counts in zip(
            frame["place_id"], frame["location_precision"], frame["date_start"], frame["type"],
            frame["unit"], frame["value"], frame["counts"], strict=True,
        ):  # fmt: skip
            key = (place or "", _int(precision), (start or "")[:7], kind)
            total = self.incidents.setdefault(key, [0, 0.0])
            total[0] += 1
            total[1] += _people({"unit": unit, "value": value, "counts": counts})

    @property
    def n_incidents(self) -> int:
        return int(sum(t[0] for t in self.incidents.values()))

    def by_type(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, _, _, kind), (n, _) in self.incidents.items():
            out[kind] = out.get(kind, 0) + int(n)
        return out


def read_for_map(
    directory: str | Path,
    *,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    types: Iterable[str] | None = None,
    max_incidents: int = MAX_INCIDENTS,
    max_routes: int = MAX_ROUTES,
    format: str | None = None,
) -> tuple[Any, Totals]:
    """The newest incidents of big tables, with what the map needs of them, and the totals of all.

    Returns
    -------
    extraction, totals
        An :class:`~geomap.extract.Extraction` holding at most
        ``max_incidents`` incidents (the newest after the filters), their
        articles, those articles' mentions, and the last ``max_routes``
        routes; and the :class:`Totals` of every incident that passed the
        filters, and of every mention.
    """
    import pandas as pd

    from geomap.extract import COLUMNS, Extraction, _frame
    from geomap.layers import _bound, _overlaps

    folder = Path(directory)
    if not folder.is_dir():
        raise InputNotFoundError(located(folder, None, "no such folder"))
    lo, hi = _bound("since", since), _bound("until", until)
    wanted = None if types is None else ({types} if isinstance(types, str) else set(types))
    totals = Totals()
    newest: list[tuple] = []  # a heap of (start, id, row): the smallest, oldest, goes first
    columns = list(COLUMNS["incidents"])
    start_at, id_at = columns.index("date_start"), columns.index("incident_id")
    read = 0
    for frame in _batches(folder, "incidents", columns, format):
        _known_types(folder, frame["type"], read, format)
        read += len(frame)
        keep = pd.Series(True, index=frame.index)
        if wanted is not None:
            keep &= frame["type"].isin(wanted)
        if lo or hi:
            spans = zip(frame["date_start"], frame["date_end"], strict=True)
            keep &= pd.Series([_overlaps(s or None, e or None, lo, hi) for s, e in spans], index=frame.index)
        frame = frame[keep]
        totals.add_incidents(frame)
        for row in zip(*(frame[c] for c in columns), strict=True):
            item = (row[start_at] or "", row[id_at], row)
            if len(newest) < max_incidents:
                heapq.heappush(newest, item)
            elif item[:2] > newest[0][:2]:
                heapq.heapreplace(newest, item)
    kept = [row for _, _, row in sorted(newest, key=lambda item: item[1])]
    del newest
    article_ids = {row[columns.index("article_id")] for row in kept}
    articles = []
    for part in _batches(folder, "articles", list(COLUMNS["articles"]), format):
        tables_read = int((part["format"] == "csv").sum())
        totals.table_rows += tables_read
        totals.articles += len(part) - tables_read
        articles.append(part[part["article_id"].isin(article_ids)])
    mentions = []
    for part in _batches(folder, "mentions", list(COLUMNS["mentions"]), format):
        for place in part["place_id"]:
            if place:
                totals.mentions[place] = totals.mentions.get(place, 0) + 1
        mentions.append(part[part["article_id"].isin(article_ids)])
    route_rows: dict[str, list] = {}
    for part in _batches(folder, "routes", list(COLUMNS["routes"]), format):
        for row in zip(*(part[c] for c in COLUMNS["routes"]), strict=True):
            route_rows.setdefault(row[0], []).append(row)
            if len(route_rows) > max_routes:
                route_rows.pop(next(iter(route_rows)))  # the oldest route id read goes
    extraction = Extraction(
        articles=_frame("articles", _concat(articles)),
        mentions=_frame("mentions", _concat(mentions)),
        incidents=_frame("incidents", pd.DataFrame(kept, columns=columns)),
        routes=_frame("routes", pd.DataFrame([r for rows in route_rows.values() for r in rows], columns=list(COLUMNS["routes"]))),
        unresolved=_frame("unresolved", []),
        skipped=_frame("skipped", []),
    )
    return extraction, totals


def _known_types(folder: Path, types: Any, before: int, format: str | None) -> None:
    """Reject an incident type the taxonomy lacks (it would become a layer name), naming the line or row."""
    from geomap.records import INCIDENT_TYPES

    bad = ~types.astype(str).str.strip().isin(INCIDENT_TYPES)
    if bad.any():
        row = before + int(bad.to_numpy().nonzero()[0][0])
        kind, files = _source(folder, "incidents", format) or ("csv", [folder / "incidents.csv"])
        value = types[bad].iloc[0]
        msg = f"type: unknown incident type: {value!r}"
        if kind == "csv":
            raise InputError(located(files[0], row + 2, msg))
        raise InputError(located(folder / "incidents", None, f"row {row + 1}: {msg}"))


def _concat(frames: list) -> Any:
    import pandas as pd

    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else []


def province_stats(totals: Totals, layers: Any, gazetteer: Any) -> Any:
    """The ``province_stats`` layer from the totals of every incident (as :func:`geomap.layers.build_layers` makes it)."""
    from geomap.layers import PROVINCE_STATS_COLUMNS, _frame, _ProvinceLocator, point

    polygons = layers._polygons()
    locate = _ProvinceLocator(gazetteer, polygons)
    rep = {
        pid: geom.representative_point()
        for pid, geom in zip(polygons["province_id"], polygons.geometry, strict=True)
        if geom is not None and not geom.is_empty
    }
    sums: dict[str, list[float]] = {}
    for (place_id, precision, month, _), (n, people) in totals.incidents.items():
        place = gazetteer.get(place_id) if place_id else None
        if place is None:
            continue  # drawn on a border, if anywhere: no province's
        geom = rep.get(place_id) if place.kind == "province" and (precision or 0) >= 4 else None
        geom = geom or point(place.lat, place.lon)
        province = locate(place_id, geom, f"{month}-01" if month else None, precision)
        if province:
            total = sums.setdefault(province, [0, 0.0])
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
