"""The map's one data payload: incidents, sites, province units, routes, compact and columnar.

:func:`payload` turns the layers into what the map's fixed JavaScript
(``geomap/_web/geomap.js``) draws, filters and aggregates in the browser;
:func:`pack` turns that into what the page embeds, :func:`unpack` reads it back.

What the renderer accepts (``payload(layers)``)
    ``layers`` is a :class:`geomap.layers.Layers` or any object or mapping with
    GeoDataFrames named ``incidents`` (points; the columns of
    ``layers.INCIDENT_COLUMNS``, any missing one read as empty), and optionally
    ``routes`` + ``route_stops``, ``provinces`` (or ``all_provinces``, every unit
    with ``valid_from``/``valid_to``), ``countries``; ``incident_province``
    (incident id -> province unit id) and ``article_dates`` (article id -> ISO
    day) when the frames do not carry ``province``/``article_date``.  Every
    incident given is drawn, filtered, counted and listed one by one: a reader
    of big tables (streamed batches) hands it the bounded set it wants shown.
    The page holds 200,000 incidents comfortably (binary columns, below).
    ``layers.aggregates`` (optional) counts incidents not given one by one
    (maps from big tables, :mod:`geomap.mapdata`): one row a (unit, country,
    precision, month, type) cell, read by :func:`aggregates`.

The logical payload (a dict; ``v`` 2)
    - ``s``: every string once, rows holding indices (-1 for none).  The first
      ``ns`` are the *core* strings the map needs to draw and filter (types,
      places, countries, sources, date labels, stop names); after them the
      *details* (incident ids, evidence, figures, actors, article titles,
      dates and links, route ids, stops and evidence), which the page reads
      only once the map is drawn (or when a popup, the table, a text search or
      an export needs them);
    - ``inc``: the incidents as columns (:data:`_COLUMNS`), in date order, each
      with its *site*: incidents drawn at the same point share one site, so
      200,000 incidents on a few thousand gazetteer points are a few thousand
      circles, each opening the list of its incidents.  Country-wide figures
      (location precision 6) have no site: the legend lists them by country;
    - for shading, each incident's province unit (the unit of its own day) and
      its contribution to one *measure* (:data:`MEASURES`), so that the page
      never adds people to kilograms; ``units``: their polygons, validity and
      successor, so that the page draws only the units valid for the period;
    - ``agg``: the incidents counted but not drawn one by one, as columns of
      cells: province unit ``u``, country ``cc``, location precision ``lp``,
      month ``m`` (year * 12 + month - 1; -1 undated), type ``t``, incidents
      ``n``, and ``v``, the value of the type's measure ``mk``.  The page adds
      them to the per-type counts, the timeline and the shading, under every
      filter they can answer (type, period by month, precision, country,
      province); a source or text filter leaves them out.  Empty for maps
      made in memory;
    - ``routes``: legs (consecutive stops) shared between routes, each route a
      list of leg indices, with its article and date; ``art``: the articles.

What the page embeds (:func:`pack`)
    The incident columns as one deflated block of little-endian typed arrays
    (``bin``, laid out by ``cols``; a missing day is :data:`NO_DAY`), which the
    browser views without parsing; the detail strings apart (``x``, or deflated
    ``xz``); the rest as JSON (deflated ``z`` when large).  A 200,000-incident
    page is about 5 MB, most of it the details.

Nothing here is HTML: the page inserts every string with ``textContent``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from geomap._templates import text_of as text
from geomap.records import INCIDENT_TYPES, LOCATION_PRECISIONS

if TYPE_CHECKING:
    from geopandas import GeoDataFrame as GeoFrame
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "MEASURES", "NO_DAY", "TYPE_COLORS", "TYPE_LABELS", "aggregates", "lead_rank", "measure_of", "pack", "payload",
    "unit_breaks", "unpack",
]

#: One fixed colour per incident type (Paul Tol's and ColorBrewer's distinct sets), so maps read alike.
TYPE_COLORS: dict[str, str] = {
    "illegal_crossing": "#e6194b",
    "migrant_smuggling": "#f58231",
    "human_trafficking": "#911eb4",
    "drug_trafficking": "#800000",
    "goods_smuggling": "#9a6324",
    "fugitive_handover": "#4363d8",
    "repatriation": "#3cb44b",
    "joint_patrol": "#008080",
    "cooperation": "#42d4f4",
    "crossing_statistics": "#000075",
    "public_awareness": "#bfef45",
    "exercise": "#f032e6",
    "other": "#808080",
}
UNKNOWN_COLOR = "#a9a9a9"

#: Human labels of the incident types, as the filters and legend show them.
TYPE_LABELS: dict[str, str] = {
    "illegal_crossing": "Illegal entry/exit",
    "migrant_smuggling": "Migrant smuggling",
    "human_trafficking": "Human trafficking",
    "drug_trafficking": "Drug trafficking",
    "goods_smuggling": "Goods smuggling",
    "fugitive_handover": "Fugitive handover",
    "repatriation": "Repatriation",
    "joint_patrol": "Joint patrol",
    "cooperation": "Cooperation",
    "crossing_statistics": "Crossing statistics",
    "public_awareness": "Public awareness",
    "exercise": "Exercise",
    "other": "Other",
}

#: What the provinces can be shaded by: (key, label, incident types counted).  One unit each,
#: never summed with another; ``incidents`` counts incidents of every type.  The order is
#: the page's (``geomap.js`` ``MEASURES``).
MEASURES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("incidents", "Incidents (events counted once)", frozenset(INCIDENT_TYPES)),
    ("smuggled", "People smuggled or trafficked", frozenset({"migrant_smuggling", "human_trafficking"})),
    ("repatriated", "People repatriated", frozenset({"repatriation"})),
    ("drugs_kg", "Drugs seized (kg)", frozenset({"drug_trafficking"})),
    ("crossings", "Border crossings (people)", frozenset({"crossing_statistics"})),
)
_KG = {"kg": 1.0, "g": 0.001, "tonnes": 1000.0}
_COORD_DIGITS = 5  # ~1 m
_UNIT_TOLERANCE = 0.01  # degrees (~1 km): province shading is context, not survey data
_EPOCH = dt.date(1970, 1, 1)
# The incident columns of the payload (``geomap.js`` reads them by these names).
_COLUMNS = ("id", "t", "d0", "d1", "dl", "place", "lp", "fig", "ev", "a", "act", "cc", "pv", "mk", "mv", "site")
# Their binary types in the page (numpy dtype codes; ``geomap.js`` ``ARRAYS``).
_COLUMN_TYPES = {"id": "i4", "t": "u1", "d0": "i4", "d1": "i4", "dl": "i4", "place": "i4", "lp": "u1", "fig": "i4",
                 "ev": "i4", "a": "i4", "act": "i4", "cc": "i4", "pv": "i4", "mk": "u1", "mv": "f8", "site": "i4"}
# The columns that index detail strings (read after the map is drawn).
_DETAIL_COLUMNS = ("id", "fig", "ev", "act")
#: A day column's value for "no date" in the binary columns.
NO_DAY = -(2**31)


# -- small helpers ------------------------------------------------------------------


def safe_url(value: Any) -> str | None:
    """The URL when it is an absolute ``http``/``https`` link, else ``None``."""
    url = text(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"[\s\x00-\x1f]", url):
        return url
    return None


def number_text(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return text(value)
    if math.isnan(number):
        return ""
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def to_date(value: Any) -> dt.date | None:
    """The day of a date, datetime, Timestamp or ISO text; ``None`` for none (``NaT``, ``NaN``, '')."""
    if value is None or value == "" or value != value:  # NaT and NaN are not equal to themselves
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _day(value: Any) -> int | None:
    day = to_date(value)
    return (day - _EPOCH).days if day else None


def latlon(geom: BaseGeometry | None) -> tuple[float, float] | None:
    """``(lat, lon)`` of a point, or of a polygon's representative point; ``None`` if empty."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type != "Point":
        geom = geom.representative_point()
    lat, lon = round(geom.y, _COORD_DIGITS), round(geom.x, _COORD_DIGITS)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _count_key(number: Any, unit: str) -> tuple[float | str, str]:
    try:
        return float(number), unit.strip().lower()
    except (TypeError, ValueError):
        return text(number), unit.strip().lower()


def figures(row: Mapping[str, Any]) -> str:
    """All counts of an incident with units and qualifiers: 'over 64,000 people; 146 cases'."""
    parts: list[str] = []
    seen: set[tuple[float | str, str]] = set()
    value = row.get("value")
    if text(value):
        head = number_text(value)
        value_max = row.get("value_max")
        if text(value_max):
            head += f"–{number_text(value_max)}"
        qualifier = text(row.get("qualifier"))
        if qualifier and qualifier != "range":
            head = f"{qualifier} {head}"
        unit = text(row.get("unit"))
        parts.append(f"{head} {unit}".strip())
        seen.add(_count_key(value, unit))
    counts = row.get("counts")
    items = counts if isinstance(counts, (list, tuple)) else text(counts).split(";")
    for item in items:
        item = text(item)
        if not item:
            continue
        number, _, unit = item.partition(" ")
        key = _count_key(number, unit)
        if key in seen:  # the headline figure, already shown with its qualifier
            continue
        seen.add(key)
        parts.append(f"{number_text(number)} {unit}".strip() if isinstance(key[0], float) else item)
    return "; ".join(parts)


def date_label(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    if start is None and end is None:
        return "undated"
    if precision == "month" and start is not None:
        label = start.strftime("%Y-%m")
    elif precision == "year" and start is not None:
        label = str(start.year)
    elif precision == "since" and start is not None:
        return f"since {start.isoformat()}" + (f" (to {end.isoformat()})" if end and end != start else "")
    elif start is not None and end is not None and end != start:
        label = f"{start.isoformat()} to {end.isoformat()}"
    else:
        label = (start or end).isoformat()
    return f"{label} ({precision})" if precision else label


class Strings:
    """Each distinct string once; rows hold indices (-1 for none)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: Any) -> int:
        label = text(value)
        if not label:
            return -1
        found = self._index.get(label)
        if found is None:
            found = self._index[label] = len(self.items)
            self.items.append(label)
        return found


def layer(layers: Any, name: str) -> GeoFrame | None:
    """One GeoDataFrame of ``layers`` (a ``Layers`` object or a mapping) in EPSG:4326, or ``None``."""
    frame = layers.get(name) if isinstance(layers, Mapping) else getattr(layers, name, None)
    if frame is None or len(frame) == 0 or "geometry" not in getattr(frame, "columns", ()):
        return None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


# -- measures -------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _counts(row: Mapping[str, Any]) -> list[tuple[float, str]]:
    """Every (number, unit) of an incident: its headline figure and its ``counts``."""
    out = []
    value = _float(row.get("value"))
    if value is not None:
        out.append((value, text(row.get("unit")).lower()))
    for item in text(row.get("counts")).split(";"):
        number, _, unit = item.strip().partition(" ")
        found = _float(number.split("-")[0]) if number else None
        if found is not None:
            out.append((found, unit.strip().lower()))
    return out


def measure_of(row: Mapping[str, Any]) -> tuple[int, float]:
    """The measure an incident counts for (index into :data:`MEASURES`, 0 for none) and its value.

    People are the largest people-like count (so "12 people, 3 of them
    women" gives 12); drugs are every weight in kg, grams or tonnes,
    converted to kg and summed once per distinct figure.
    """
    kind = text(row.get("type"))
    for index, (key, _, types) in enumerate(MEASURES):
        if index == 0 or kind not in types:
            continue
        counts = _counts(row)
        if key == "drugs_kg":
            seen = {(n, u) for n, u in counts if u in _KG}
            value = sum(n * _KG[u] for n, u in seen)
        else:
            from geomap.layers import PEOPLE_UNITS

            value = max((n for n, u in counts if u in PEOPLE_UNITS), default=0.0)
        return (index, round(value, 3)) if value > 0 else (0, 0.0)
    return 0, 0.0


def unit_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Class upper bounds for shading: Fisher–Jenks natural breaks (mapclassify), at most ``k`` classes.

    The page computes the same breaks (``jenks`` in ``geomap.js``) whenever
    the filters change; this is the reference it is tested against.
    """
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Numba not installed": the pure Python path is fine here
        import mapclassify

    data = np.array(sorted(v for v in values if v > 0), dtype=float)
    distinct = np.unique(data)
    if len(distinct) <= k:
        return [float(v) for v in distinct]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return [float(v) for v in mapclassify.FisherJenks(data, k=k).bins]


# -- the payload -------------------------------------------------------------------------


def _units(all_units: GeoFrame | None, used: set[str]) -> tuple[dict, dict[str, int]]:
    """The province units incidents count for, their successors, polygons, validity."""
    import shapely

    if all_units is None or not used:
        return {"id": [], "name": [], "cc": [], "from": [], "to": [], "succ": [], "used": [], "geo": None}, {}
    frame = all_units.sort_values("province_id", kind="stable")
    rows = {text(r["province_id"]): r for r in frame.to_dict("records")}
    geoms = dict(zip(frame["province_id"].map(text), frame.geometry, strict=True))

    def successor(pid: str) -> str | None:
        """The unit valid from the day ``pid`` ended that holds its representative point."""
        end = text(rows[pid].get("valid_to"))
        if not end:
            return None
        where = geoms[pid].representative_point() if geoms[pid] is not None else None
        for other, row in rows.items():
            if other != pid and text(row.get("valid_from")) <= end and (not text(row.get("valid_to")) or text(row.get("valid_to")) > end):
                if where is not None and geoms[other] is not None and geoms[other].covers(where):
                    return other
        return None

    keep: list[str] = []
    todo = sorted(p for p in used if p in rows)
    while todo:
        pid = todo.pop(0)
        if pid in keep:
            continue
        keep.append(pid)
        nxt = successor(pid)
        if nxt and nxt not in keep:
            todo.append(nxt)
    keep.sort()
    index = {pid: i for i, pid in enumerate(keep)}
    succ = [index.get(successor(pid) or "", -1) for pid in keep]
    shapes = shapely.set_precision(
        shapely.simplify([geoms[p] for p in keep], _UNIT_TOLERANCE, preserve_topology=True), 10**-4
    )
    features = [
        {"type": "Feature", "properties": {"u": i}, "geometry": shapely.geometry.mapping(g)}
        for i, g in enumerate(shapes)
        if g is not None and not g.is_empty
    ]
    units = {
        "id": keep,
        "name": [text(rows[p].get("name")) or p for p in keep],
        "cc": [text(rows[p].get("country")) for p in keep],
        "from": [_day(rows[p].get("valid_from")) for p in keep],
        "to": [_day(rows[p].get("valid_to")) for p in keep],
        "succ": succ,
        "used": [1 if p in used else 0 for p in keep],
        "geo": {"type": "FeatureCollection", "features": features},
    }
    return units, index


_FIGURE_FIELDS = ("type", "value", "value_max", "unit", "qualifier", "counts")


def _points(frame: GeoFrame) -> list[tuple[float, float] | None]:
    """``(lat, lon)`` of every geometry, rounded, vectorised (a polygon gives a point inside it)."""
    import numpy as np
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    points = np.where(shapely.get_type_id(geoms) == 0, geoms, None)
    others = ~missing & (points == None)  # noqa: E711 (an object array)
    if others.any():
        points[others] = shapely.point_on_surface(geoms[others])
    lats = np.round(shapely.get_y(points.astype(object)), _COORD_DIGITS)
    lons = np.round(shapely.get_x(points.astype(object)), _COORD_DIGITS)
    ok = ~missing & ~np.isnan(lats) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    return [(float(a), float(b)) if k else None for a, b, k in zip(lats.tolist(), lons.tolist(), ok.tolist(), strict=True)]


def _incidents(
    frame: GeoFrame, strings: Strings, details: Strings, province_of: Mapping[str, str], unit_index_of: Any,
    country_of: Any, types: list[str] | None = None,
) -> tuple[dict, list, list, dict[str, int], int]:
    """The incident columns, the sites, the articles (and by article id), how many had no location.

    Built column by column with the repeated work (dates, figures, measures,
    articles) memoised: 200,000 incidents share far fewer distinct values.
    """
    n = len(frame)
    names = ("incident_id", "article_id", "type", "date_start", "date_end", "date_precision", "place_name", "place_id",
             "location_precision", "sentence", "actors", "country", "province", "article_title", "article_source",
             "article_date", "article_url", *_FIGURE_FIELDS)  # fmt: skip
    col = {c: (frame[c].tolist() if c in frame.columns else [None] * n) for c in dict.fromkeys(names)}
    cols: dict[str, list] = {k: [] for k in _COLUMNS}
    type_index = {kind: i for i, kind in enumerate(types if types is not None else _type_order(frame))}
    sites: list[list] = []
    site_index: dict[tuple[float, float], int] = {}
    articles: list[list] = []
    article_index: dict[tuple, int] = {}
    by_id: dict[str, int] = {}
    unplaced = 0
    days: dict[Any, int | None] = {}
    labels: dict[tuple, int] = {}
    figs: dict[tuple, tuple[int, int, float]] = {}

    def day(value: Any) -> int | None:
        key = value if isinstance(value, (str, dt.date)) else text(value)
        if key not in days:
            days[key] = _day(value)
        return days[key]

    starts = [day(v) for v in col["date_start"]]
    ends = [day(v) for v in col["date_end"]]
    ids = [text(v) for v in col["incident_id"]]
    order = sorted(range(n), key=lambda i: (starts[i] if starts[i] is not None else -(10**9), ids[i]))
    where_all = _points(frame)
    for i in order:
        precision = col["location_precision"][i]
        try:
            precision = int(precision) if text(precision) else 0
        except (TypeError, ValueError):
            precision = 0
        where = where_all[i]
        if where is None and precision != 6:
            unplaced += 1
            continue
        start, end = starts[i], ends[i]
        end = end if end is not None else start
        start = start if start is not None else end
        key = (text(col["article_title"][i]), text(col["article_source"][i]), text(col["article_date"][i]),
               text(col["article_url"][i]))  # fmt: skip
        aid = article_index.get(key)
        if aid is None:
            aid = article_index[key] = len(articles)
            articles.append([details(key[0]), strings(key[1]), details(key[2]), details(key[3]), 1 if safe_url(key[3]) else 0])
        by_id.setdefault(text(col["article_id"][i]), aid)
        site = -1
        if precision != 6 and where is not None:
            site = site_index.get(where, -1)
            if site < 0:
                site = site_index[where] = len(sites)
                sites.append([where[0], where[1], strings(col["place_name"][i]), precision or 1])
            elif precision and precision < sites[site][3]:
                sites[site][3] = precision
        label_key = (start, end, text(col["date_precision"][i]))
        label = labels.get(label_key)
        if label is None:
            to = lambda d: _EPOCH + dt.timedelta(days=d) if d is not None else None  # noqa: E731
            label = labels[label_key] = strings(date_label(to(start), to(end), label_key[2]))
        fig_key = tuple(text(col[c][i]) for c in _FIGURE_FIELDS)
        found = figs.get(fig_key)
        if found is None:
            row = dict(zip(_FIGURE_FIELDS, fig_key, strict=True))
            found = figs[fig_key] = (details(figures(row)), *measure_of(row))
        unit = text(col["province"][i]) or province_of.get(ids[i], "")
        pv = unit_index_of(unit)
        cols["id"].append(details(ids[i]))
        cols["t"].append(type_index[text(col["type"][i]) or "other"])
        cols["d0"].append(start)
        cols["d1"].append(end)
        cols["dl"].append(label)
        cols["place"].append(strings(text(col["place_name"][i]) or text(col["place_id"][i])))
        cols["lp"].append(precision)
        cols["fig"].append(found[0])
        cols["ev"].append(details(col["sentence"][i]))
        cols["a"].append(aid)
        cols["act"].append(details(col["actors"][i]))
        cols["cc"].append(strings(text(col["country"][i]) or (country_of(pv) if pv >= 0 else "")))
        cols["pv"].append(pv)
        cols["mk"].append(found[1])
        cols["mv"].append(found[2])
        cols["site"].append(site)
    return cols, sites, articles, by_id, unplaced


def _province_by_point(incidents: GeoFrame, units: GeoFrame) -> dict[str, str]:
    """Each incident's province by where it is drawn (layers built by hand carry no assignment).

    Country-wide and border figures (location precision 5, 6) belong to no province.
    """
    import geopandas as gpd

    if "incident_id" not in incidents.columns or "province_id" not in units.columns:
        return {}
    keep = incidents[["incident_id", "geometry"]].copy()
    if "location_precision" in incidents.columns:
        keep = keep[~incidents["location_precision"].isin([5, 6])]
    keep = keep[~(keep.geometry.isna() | keep.geometry.is_empty)]
    if not len(keep):
        return {}
    joined = gpd.sjoin(keep, units[["province_id", "geometry"]].to_crs(keep.crs), predicate="within", how="inner")
    joined = joined.sort_values(["incident_id", "province_id"], kind="stable").drop_duplicates("incident_id")
    return {text(i): text(p) for i, p in zip(joined["incident_id"], joined["province_id"], strict=True)}


def _type_order(frame: GeoFrame) -> list[str]:
    present = {text(t) or "other" for t in frame["type"]} if "type" in frame.columns else set()
    return [t for t in INCIDENT_TYPES if t in present] + sorted(present - set(INCIDENT_TYPES))


def _routes(
    routes: GeoFrame | None,
    stops: GeoFrame | None,
    strings: Strings,
    details: Strings,
    articles: dict[str, int],
    dates: Mapping[str, str],
    article_dates: list[int],
) -> dict:
    """Routes as legs shared between routes, with their stops, article and date."""
    out: dict[str, list] = {k: [] for k in ("id", "a", "d", "stops_text", "ev", "km", "path", "at", "legs", "stops")}
    if routes is None:
        return out
    leg_index: dict[tuple, int] = {}
    stop_index: dict[tuple[float, float], int] = {}
    stops_by_route: dict[str, list[tuple[tuple[float, float], str]]] = {}
    if stops is not None and {"route_id", "stop"} <= set(stops.columns):
        ordered = stops.sort_values(["route_id", "stop"], kind="stable")
        for record, geom in zip(ordered.drop(columns="geometry").to_dict("records"), ordered.geometry, strict=True):
            where = latlon(geom)
            if where is not None:
                name = text(record.get("name")) or text(record.get("place_id"))
                role = text(record.get("role"))
                stops_by_route.setdefault(text(record.get("route_id")), []).append((where, f"{name} ({role})" if role else name))
    ordered = routes.sort_values("route_id", kind="stable") if "route_id" in routes.columns else routes
    for record, geom in zip(ordered.drop(columns="geometry").to_dict("records"), ordered.geometry, strict=True):
        if geom is None or geom.is_empty or geom.geom_type != "LineString":
            continue
        coords = [(round(lat, _COORD_DIGITS), round(lon, _COORD_DIGITS)) for lon, lat, *_ in geom.coords]
        rid = text(record.get("route_id"))
        aid = text(record.get("article_id"))
        article = articles.get(aid)
        out["id"].append(details(rid))
        out["a"].append(article if article is not None else -1)
        day = dates.get(aid) or record.get("article_date")
        if not day and article is not None and article_dates[article] >= 0:
            day = details.items[article_dates[article]]
        out["d"].append(_day(day))
        out["stops_text"].append(details(record.get("stops")))
        out["ev"].append(details(record.get("sentence")))
        km = _float(record.get("length_km"))
        out["km"].append(round(km, 1) if km is not None else None)
        path = []
        for a, b in zip(coords, coords[1:]):
            leg = (*a, *b)
            if leg not in leg_index:
                leg_index[leg] = len(out["legs"])
                out["legs"].append(list(leg))
            path.append(leg_index[leg])
        out["path"].append(path)
        at = []
        for where, name in stops_by_route.get(rid, []):
            if where not in stop_index:
                stop_index[where] = len(out["stops"])
                out["stops"].append([where[0], where[1], strings(name)])
            at.append(stop_index[where])
        out["at"].append(at)
    return out


_AGG_COLUMNS = ("u", "cc", "lp", "m", "t", "n", "v", "mk")


def aggregates(frame: Any, strings: Strings, unit_index: Mapping[str, int], type_index: Mapping[str, int]) -> dict:
    """The ``agg`` columns of the payload from :attr:`geomap.layers.Layers.aggregates` (``None``: none)."""
    out: dict[str, list] = {k: [] for k in _AGG_COLUMNS}
    if frame is None or not len(frame):
        return out
    measure_of_type = {t: i for i, (_, _, types) in enumerate(MEASURES) if i for t in types}
    for unit, country, precision, month, kind, n, value in zip(
        frame["unit"], frame["country"], frame["precision"], frame["month"], frame["type"], frame["incidents"],
        frame["measure"], strict=True,
    ):  # fmt: skip
        year, _, mon = text(month).partition("-")
        out["u"].append(unit_index.get(text(unit), -1))
        out["cc"].append(strings(country))
        out["lp"].append(int(precision or 0))
        out["m"].append(int(year) * 12 + int(mon) - 1 if mon else -1)
        out["t"].append(type_index[text(kind) or "other"])
        out["n"].append(int(n))
        out["v"].append(round(float(value), 3))
        out["mk"].append(measure_of_type.get(text(kind), 0) if value else 0)
    return out


def lead_rank(precision: Any, incident_id: str, *, drawn: bool = True) -> tuple[int, str]:
    """The rank of one report of an event told by several: the lowest is the event's *lead*.

    The lead is the report the map draws, counts and filters the event as
    (:func:`_events`, and :func:`geomap.mapdata.read_for_map` when it folds
    events in big tables): the most precisely placed report (location
    precision 1 to 5), then the first incident id.  A report drawn nowhere
    (no place, or a country-wide figure, precision 6) or of unknown
    precision ranks as 9.
    """
    try:
        rank = int(precision) or 9
    except (TypeError, ValueError):  # None, NaN, pandas' NA
        rank = 9
    return (rank if drawn and rank != 6 else 9, incident_id)


def _events(incidents: GeoFrame | None, data: Mapping[str, Any], events: GeoFrame | None) -> dict:
    """The events told by several reports, as the page folds them: one marker an event.

    ``m`` lists each event's incident rows (indices into ``inc``, in date
    order), ``lead`` the row it is drawn, counted and filtered as (the most
    precisely placed, then the first incident id: where the ``events`` layer
    puts it), ``dis`` 1 when the reports' counts disagree (every count is
    kept: each row's own).  An incident in no such event stays one marker.
    """
    out: dict[str, list] = {"lead": [], "m": [], "dis": []}
    cols, names = data["inc"], data["s"]
    if incidents is None or "event_id" not in incidents.columns or not cols["id"]:
        return out
    row_of = {names[k]: row for row, k in enumerate(cols["id"]) if k >= 0}
    members: dict[str, list[int]] = {}
    for iid, eid in zip(incidents["incident_id"].map(text), incidents["event_id"].map(text), strict=True):
        row = row_of.get(iid)
        if row is not None and eid:
            members.setdefault(eid, []).append(row)
    disagree: dict[str, bool] = {}
    if events is not None and {"event_id", "counts_disagree"} <= set(events.columns):
        disagree = {text(e): bool(d is True or text(d) == "True") for e, d in zip(events["event_id"], events["counts_disagree"], strict=True)}
    for eid in sorted(members, key=lambda e: min(members[e])):
        rows = sorted(members[eid])
        articles = {cols["a"][r] for r in rows}
        if len(rows) < 2 or len(articles) < 2:
            continue
        lead = min(rows, key=lambda r: lead_rank(cols["lp"][r], names[cols["id"][r]], drawn=cols["site"][r] >= 0))
        flag = disagree.get(eid)
        if flag is None:  # no events layer: the reports' figures differ
            flag = len({cols["fig"][r] for r in rows}) > 1
        out["lead"].append(lead)
        out["m"].append(rows)
        out["dis"].append(1 if flag else 0)
    return out


def payload(layers: Any) -> tuple[dict, int]:
    """The page's data for ``layers`` (its logical form, see the module docstring) and how many
    incidents had no location (left off the map).  :func:`pack` turns it into what the page embeds.
    """
    strings = Strings()
    details = Strings()
    incidents = layer(layers, "incidents")
    assignment = dict(getattr(layers, "incident_province", ()) or ())
    all_units = getattr(layers, "all_provinces", None)
    if all_units is None:
        all_units = layer(layers, "provinces")
    if incidents is not None and "province" in incidents.columns:
        used = {text(p) for p in incidents["province"] if text(p)}
    else:
        if not assignment and incidents is not None and all_units is not None:
            assignment = _province_by_point(incidents, all_units)
        used = set(assignment.values())
    rest = getattr(layers, "aggregates", None)
    if rest is not None and len(rest):
        used |= {text(u) for u in rest["unit"] if text(u)}
    units, unit_index = _units(all_units, used)
    cols: dict[str, list] = {k: [] for k in _COLUMNS}
    sites: list = []
    articles: list = []
    by_article: dict[str, int] = {}  # for the routes' popups: title, date, link like the incidents'
    unplaced = 0
    types: list[str] = _type_order(incidents) if incidents is not None else []
    if rest is not None and len(rest):
        present = set(types) | {text(t) or "other" for t in rest["type"]}
        types = [t for t in INCIDENT_TYPES if t in present] + sorted(present - set(INCIDENT_TYPES))
    if incidents is not None:
        cols, sites, articles, by_article, unplaced = _incidents(
            incidents, strings, details, assignment, lambda u: unit_index.get(u, -1), lambda i: units["cc"][i],
            types,
        )
    dates = dict(getattr(layers, "article_dates", ()) or ())
    routes = _routes(
        layer(layers, "routes"), layer(layers, "route_stops"), strings, details, by_article, dates,
        [a[2] for a in articles],
    )
    countries = layer(layers, "countries")
    names = {}
    if countries is not None and {"iso_a2", "name"} <= set(countries.columns):
        names = {text(c): text(n) for c, n in zip(countries["iso_a2"], countries["name"], strict=True)}
    codes = {strings.items[c] for c in cols["cc"] if c >= 0}
    if rest is not None:
        codes |= {text(c) for c in rest["country"] if text(c)}
    sources = sorted({a[1] for a in articles if a[1] >= 0}, key=lambda i: strings.items[i])
    agg = aggregates(rest, strings, unit_index, {t: i for i, t in enumerate(types)})
    # One index space: the core strings (all of them added by now), then the details (read lazily by the page).
    shift = len(strings.items)

    def moved(values: list[int]) -> list[int]:
        return [v + shift if v >= 0 else v for v in values]

    for key in _DETAIL_COLUMNS:
        cols[key] = moved(cols[key])
    for row in articles:
        row[0], row[2], row[3] = moved([row[0], row[2], row[3]])
    for key in ("id", "stops_text", "ev"):
        routes[key] = moved(routes[key])
    data = {
        "v": 2,
        "types": [[t, TYPE_LABELS.get(t, t.replace("_", " ").capitalize()), TYPE_COLORS.get(t, UNKNOWN_COLOR)] for t in types],
        "precisions": LOCATION_PRECISIONS,
        "inc": cols,
        "sites": sites,
        "art": articles,
        "units": units,
        "routes": routes,
        "agg": agg,
        "countries": [[c, names.get(c, c)] for c in sorted(codes)],
        "country_names": names,
        "sources": sources,
        "s": strings.items + details.items,
        "ns": shift,
    }
    data["events"] = _events(incidents, data, layer(layers, "events"))  # read from ``data``: its final string indices
    return data, unplaced


# -- what the page embeds ------------------------------------------------------------------


def _deflated(raw: bytes) -> str:
    import base64
    import zlib

    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _inflated(packed: str) -> bytes:
    import base64
    import zlib

    return zlib.decompress(base64.b64decode(packed))


def pack(data: Mapping[str, Any], *, compress: bool) -> dict:
    """What the page embeds for the logical payload ``data`` (the inverse of :func:`unpack`).

    The incident columns become one deflated binary block (``bin``, little-endian
    typed arrays described by ``cols``: ``[name, dtype, byte offset]``, days with
    no date :data:`NO_DAY`); the strings are split into the core (``s``, read at
    start) and the details (``x``, or deflated as ``xz`` when ``compress``: read
    after the map is drawn).  With ``compress`` the rest is deflated JSON (``z``).
    """
    import json

    import numpy as np

    inc = data["inc"]
    n = len(inc["id"])
    blocks: list[bytes] = []
    layout: list[list] = []
    offset = 0
    for name in _COLUMNS:
        kind = _COLUMN_TYPES[name]
        values = inc[name]
        if kind == "i4" and name in ("d0", "d1"):
            values = [NO_DAY if v is None else v for v in values]
        raw = np.asarray(values, dtype=np.dtype(kind).newbyteorder("<")).tobytes()
        layout.append([name, kind, offset])
        pad = (-len(raw)) % 8  # every column starts 8-byte aligned (typed array views need it)
        blocks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    ns = data["ns"]
    rest = {k: v for k, v in data.items() if k not in ("inc", "s")}
    rest["s"] = data["s"][:ns]
    rest["n"] = n
    rest["cols"] = layout
    out: dict[str, Any] = {"bin": _deflated(b"".join(blocks))}
    details = data["s"][ns:]
    if compress:
        out["z"] = _deflated(json.dumps(rest, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8"))
        out["xz"] = _deflated(json.dumps(details, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    else:
        out.update(rest)
        out["x"] = details
    return out


def unpack(packed: Mapping[str, Any]) -> dict:
    """The logical payload of what a page embeds (:func:`pack`): for tests, and to read a page back."""
    import json

    import numpy as np

    data = dict(json.loads(_inflated(packed["z"]).decode("utf-8")) if "z" in packed else packed)
    blob = _inflated(packed["bin"])
    n = data.pop("n")
    inc = {}
    for name, kind, offset in data.pop("cols"):
        values = np.frombuffer(blob, dtype=np.dtype(kind).newbyteorder("<"), count=n, offset=offset).tolist()
        if name in ("d0", "d1"):
            values = [None if v == NO_DAY else v for v in values]
        inc[name] = values
    details = json.loads(_inflated(packed["xz"]).decode("utf-8")) if "xz" in packed else data.pop("x")
    data.pop("bin", None)
    data.pop("xz", None)
    data["inc"] = inc
    data["s"] = [*data["s"], *details]
    return data
