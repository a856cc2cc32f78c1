"""Extraction tables + gazetteer + boundaries -> map layers (GeoDataFrames, EPSG:4326).

:func:`build_layers` turns the tidy tables of :class:`geomap.extract.Extraction`
into the eight layers that :mod:`geomap.map` draws and :mod:`geomap.exports`
writes.  Columns are those of ``docs/ARCHITECTURE.md`` ("Layers"); every layer
is sorted by its id, so the same input always gives the same frames.

Where an incident is drawn
    A place with ``location_precision`` 4 (province) or coarser whose place
    is a province is drawn at the representative point of that province's
    polygon (always inside it); otherwise at the gazetteer point of its
    ``place_id``.  A figure for a stretch of border (``location_precision``
    5), or one whose sentence names no place, is drawn on the border its
    countries share (a province's figure on that province's stretch of it): the middle of the longest stretch of that border in the
    country polygons, named "Vietnam–China border" and so on.  The countries
    are those of the incident's places, then those its article names most.
    A country-wide figure (precision 6) stays at the country's point; an
    incident with no place and no two neighbouring countries in its article
    has no geometry (it is kept: exports list it, maps skip it).

Which province an incident counts for (``province_stats``)
    The incident's day is its ``date_start``, else ``date_end``, else its
    article's date; undated incidents count for today's units.  The province
    is the place itself or its nearest ``province`` ancestor in the
    gazetteer, moved to the unit valid that day: a pre-2025 Vietnamese
    province is replaced by its ``successor_id`` for days from 2025-07-01,
    and a post-reform unit is replaced, for earlier days, by the merged
    province whose polygon holds the incident's point.  Places with no
    province in the gazetteer are placed by their point (within ~10 km, as
    the Natural Earth border is coarse).  ``people`` is, per incident, the
    largest people-like count (so "12 people, 3 of them women" gives 12),
    summed per province.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from geomap._errors import InputError
from geomap.records import LOCATION_PRECISIONS

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from geomap.gazetteer import Gazetteer
    from geomap.records import Place

__all__ = [
    "CROSSING_COLUMNS",
    "INCIDENT_COLUMNS",
    "LAYER_NAMES",
    "PEOPLE_UNITS",
    "PLACE_COLUMNS",
    "PROVINCE_STATS_COLUMNS",
    "ROUTE_COLUMNS",
    "ROUTE_STOP_COLUMNS",
    "Layers",
    "build_layers",
    "point",
]

LAYER_NAMES = (
    "places",
    "incidents",
    "events",
    "routes",
    "route_stops",
    "crossings",
    "countries",
    "provinces",
    "province_stats",
)

INCIDENT_TABLE_COLUMNS = (
    "incident_id", "article_id", "type", "value", "value_max", "unit", "qualifier", "counts", "change",
    "date_start", "date_end", "date_precision", "date_text", "place_id", "places",
    "location_precision", "actors", "sentence", "start", "end", "source",
)  # fmt: skip
INCIDENT_COLUMNS = (
    *INCIDENT_TABLE_COLUMNS,
    "place_name", "location_precision_name", "country", "province",
    "article_title", "article_source", "article_url", "article_date", "event_id",
)  # fmt: skip
#: The incident columns that are days (``datetime64``; ``date_precision`` says how precise) and
#: those of a few values (categoricals), as a notebook user expects them.
INCIDENT_DATES = ("date_start", "date_end", "article_date")
INCIDENT_CATEGORIES = ("type", "date_precision", "location_precision_name", "country", "province", "article_source")
PLACE_COLUMNS = ("place_id", "name", "kind", "country", "mentions", "articles")
ROUTE_COLUMNS = ("route_id", "article_id", "stops", "roles", "length_km", "sentence")
ROUTE_STOP_COLUMNS = ("route_id", "stop", "place_id", "name", "role", "precision")
CROSSING_COLUMNS = ("place_id", "name", "country", "pair_id", "pair_name", "kind")
PROVINCE_STATS_COLUMNS = ("province_id", "name", "country", "incidents", "people")

#: Units whose counts are people, summed into ``province_stats.people``.
PEOPLE_UNITS = frozenset(
    {
        "people", "person", "persons", "individuals", "migrants", "citizens", "nationals",
        "workers", "labourers", "laborers", "victims", "defendants", "suspects", "fugitives",
        "subjects", "women", "men", "children", "minors", "girls", "boys", "passengers",
        "travellers", "travelers", "tourists", "immigrants", "emigrants", "returnees",
        "offenders", "smugglers", "traffickers", "wanted", "crossers", "entrants",
    }
)  # fmt: skip

_NEAR_DEG = 0.1  # how far (degrees, ~10 km) a point may lie outside its province polygon
_ROUTE_ARROW = " → "


def point(lat: float | None, lon: float | None) -> Point | None:
    """The one place where ``(lat, lon)`` becomes shapely ``Point(lon, lat)``; ``None`` when unknown."""
    from shapely.geometry import Point

    if lat is None or lon is None:
        return None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    return Point(lon, lat)


@dataclass(frozen=True, eq=False)
class Layers:
    """The map layers, each a GeoDataFrame in EPSG:4326 with the columns of the contract.

    Iterating gives ``(name, GeoDataFrame)`` pairs in :data:`LAYER_NAMES`
    order; ``layers["incidents"]`` and :meth:`as_dict` work too.  The three
    fields after the layers are not layers: they keep what :meth:`filter`
    needs to recompute ``province_stats`` (each incident's province, each
    article's date, every province polygon) and may be left out when
    building a ``Layers`` by hand.
    """

    places: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    route_stops: gpd.GeoDataFrame
    crossings: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    province_stats: gpd.GeoDataFrame
    events: gpd.GeoDataFrame | None = None  # one point an event told by several reports (geomap.event_layer)
    # What filter() needs to recompute the aggregates (not layers themselves).
    incident_province: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    article_dates: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    all_provinces: gpd.GeoDataFrame | None = field(default=None, repr=False)
    # Incidents counted but not drawn one by one (maps from big tables, geomap.mapdata): one row a
    # (unit, country, precision, month, type) cell with its incidents, people and measure; the map carries them.
    aggregates: pd.DataFrame | None = field(default=None, repr=False)

    NAMES: ClassVar[tuple[str, ...]] = LAYER_NAMES

    def __post_init__(self) -> None:
        if self.events is None:  # built by hand without events: each incident an event of its own
            from geomap.event_layer import event_layer

            object.__setattr__(self, "events", event_layer(None, self.incidents))

    def as_dict(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers by name, in :data:`LAYER_NAMES` order."""
        return {name: getattr(self, name) for name in LAYER_NAMES}

    def __iter__(self) -> Iterator[tuple[str, gpd.GeoDataFrame]]:
        return iter(self.as_dict().items())

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        if name not in LAYER_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def __len__(self) -> int:
        return len(LAYER_NAMES)

    def filter(
        self,
        *,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        types: Iterable[str] | None = None,
    ) -> Layers:
        """The same layers restricted to incidents of a period and/or of some types.

        An incident is kept when its ``[date_start, date_end]`` overlaps
        ``[since, until]`` (both inclusive); undated incidents are dropped
        once a bound is given.  Routes (and their stops) are kept when their
        article's date is in the period; ``types`` does not apply to them.
        ``province_stats`` is recomputed from the kept incidents; places,
        crossings and boundaries are unchanged.
        """
        lo = _bound("since", since)
        hi = _bound("until", until)
        inc = self.incidents
        keep = [True] * len(inc)
        if types is not None:
            wanted = {types} if isinstance(types, str) else set(types)
            keep = [k and t in wanted for k, t in zip(keep, inc["type"], strict=True)]
        if lo or hi:
            spans = zip(inc["date_start"], inc["date_end"], strict=True)
            keep = [k and _overlaps(_iso_date(s), _iso_date(e), lo, hi) for k, (s, e) in zip(keep, spans, strict=True)]
        incidents = inc[keep].reset_index(drop=True)
        routes, stops = self.routes, self.route_stops
        if lo or hi:
            dates = dict(self.article_dates)
            ok = {
                rid
                for rid, aid in zip(routes["route_id"], routes["article_id"], strict=True)
                if _overlaps(dates.get(aid), dates.get(aid), lo, hi)
            }
            routes = routes[routes["route_id"].isin(ok)].reset_index(drop=True)
            stops = stops[stops["route_id"].isin(ok)].reset_index(drop=True)
        kept = set(incidents["incident_id"])
        events = self.events
        if events is not None:  # an event stays while one of its reports does
            keep_event = [bool(kept & set(str(ids).split(";"))) for ids in events["incident_ids"]]
            events = events[keep_event].reset_index(drop=True)
        assignment = tuple((i, p) for i, p in self.incident_province if i in kept)
        stats = _province_stats(incidents, dict(assignment), self._polygons())
        aggregates = self.aggregates
        if aggregates is not None and (types is not None or lo or hi):  # by type, and by month meeting the period
            keep_cells = aggregates["type"].isin(wanted) if types is not None else aggregates["type"].notna()
            if lo or hi:
                months = aggregates["month"]
                keep_cells &= (months != "") & (months >= (lo or "")[:7]) & (months <= (hi or "9999-99")[:7])
            aggregates = aggregates[keep_cells].reset_index(drop=True)
        return dataclasses.replace(
            self,
            incidents=incidents,
            events=events,
            routes=routes,
            route_stops=stops,
            province_stats=stats,
            incident_province=assignment,
            aggregates=aggregates,
        )

    def _polygons(self) -> gpd.GeoDataFrame:
        return self.all_provinces if self.all_provinces is not None else self.provinces


def build_layers(extraction: Any, *, gazetteer: Gazetteer | None = None, on: dt.date | str | None = None) -> Layers:
    """Build the map layers from an extraction's tables.

    Parameters
    ----------
    extraction
        An :class:`geomap.extract.Extraction`, or anything with DataFrame
        attributes ``articles``, ``mentions``, ``incidents`` and ``routes``
        (columns as in ``docs/ARCHITECTURE.md``; missing ones count as empty).
    gazetteer
        The gazetteer the place ids come from; ``None`` loads the bundled one.
    on
        Date for the ``provinces`` layer: only the units valid that day
        (Vietnam's 63 or 34).  ``None`` keeps both sets.  The aggregates
        always use the units of each incident's own date.

    Returns
    -------
    Layers
    """
    from geomap.boundaries import load_countries, load_provinces

    if gazetteer is None:
        from geomap.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    articles = _table(getattr(extraction, "articles", None), ("article_id", "title", "date", "source", "url"))
    mentions = _table(getattr(extraction, "mentions", None), ("article_id", "start", "text", "place_id"))
    incidents_t = _table(getattr(extraction, "incidents", None), INCIDENT_TABLE_COLUMNS)
    routes_t = _table(
        getattr(extraction, "routes", None),
        ("route_id", "article_id", "stop", "place_id", "role", "precision", "sentence", "start", "end"),
    )
    all_provinces = load_provinces()
    provinces = load_provinces(on=on) if on is not None else all_provinces.copy()

    article_info = {
        _text(r["article_id"]): r for r in articles.to_dict("records") if _text(r["article_id"])
    }
    article_dates = {aid: _iso_date(r.get("date")) for aid, r in article_info.items()}

    countries = load_countries()
    borders = _BorderLocator(countries, all_provinces, gazetteer, mentions)
    events_t = getattr(extraction, "events", None)
    event_ids = {}
    if events_t is not None and len(events_t):
        event_ids = {_text(i): _text(e) for i, e in zip(events_t["incident_id"], events_t["event_id"], strict=True)}
    incidents, assignment = _incidents(incidents_t, article_info, gazetteer, all_provinces, borders, event_ids)
    routes, stops = _routes(routes_t, gazetteer, countries)
    from geomap.event_layer import event_layer

    return Layers(
        places=_places(mentions, gazetteer),
        incidents=incidents,
        events=event_layer(events_t, incidents),
        routes=routes,
        route_stops=stops,
        crossings=_crossings(gazetteer),
        countries=countries,
        provinces=provinces,
        province_stats=_province_stats(incidents, assignment, all_provinces),
        incident_province=tuple(sorted(assignment.items())),
        article_dates=tuple(sorted((k, v) for k, v in article_dates.items() if v)),
        all_provinces=all_provinces,
    )


# -- layers ------------------------------------------------------------------


def _places(mentions: pd.DataFrame, gaz: Gazetteer) -> gpd.GeoDataFrame:
    """Places mentioned, with how many mentions and in which articles."""
    counts: dict[str, int] = {}
    arts: dict[str, set[str]] = {}
    texts: dict[str, str] = {}
    for row in mentions.to_dict("records"):
        pid = _text(row.get("place_id"))
        if not pid:
            continue
        counts[pid] = counts.get(pid, 0) + 1
        arts.setdefault(pid, set()).add(_text(row.get("article_id")))
        texts.setdefault(pid, _text(row.get("text")))
    records, geoms = [], []
    for pid in sorted(counts):
        place = gaz.get(pid)
        records.append(
            {
                "place_id": pid,
                "name": place.name if place else texts[pid],
                "kind": place.kind if place else "",
                "country": place.country if place else "",
                "mentions": counts[pid],
                "articles": ";".join(sorted(a for a in arts[pid] if a)),
            }
        )
        geoms.append(point(place.lat, place.lon) if place else None)
    return _frame(records, PLACE_COLUMNS, geoms, ints=("mentions",))


def _incidents(
    table: pd.DataFrame,
    articles: dict[str, dict],
    gaz: Gazetteer,
    provinces: gpd.GeoDataFrame,
    borders: _BorderLocator,
    event_ids: dict[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Incident points and, for each incident, the province it counts for."""
    rep = {
        pid: geom.representative_point()
        for pid, geom in zip(provinces["province_id"], provinces.geometry, strict=True)
        if geom is not None and not geom.is_empty
    }
    rows = sorted(table.to_dict("records"), key=lambda r: _text(r.get("incident_id")))
    records, geoms, assignment = [], [], {}
    locate = _ProvinceLocator(gaz, provinces)
    for row in rows:
        rec = {col: _clean(row.get(col)) for col in INCIDENT_TABLE_COLUMNS}
        for col in ("date_start", "date_end"):
            rec[col] = _iso_date(rec[col])
        pid = _text(rec["place_id"])
        place = gaz.get(pid) if pid else None
        precision = _int(rec["location_precision"])
        rec["location_precision"] = precision
        art = articles.get(_text(rec["article_id"]), {})
        rec.update(
            place_name=place.name if place else "",
            location_precision_name=LOCATION_PRECISIONS.get(precision, "") if precision is not None else "",
            country=place.country if place else "",
            article_title=_text(art.get("title")),
            article_source=_text(art.get("source")),
            article_url=_text(art.get("url")),
            article_date=_iso_date(art.get("date")),
        )
        rec["event_id"] = (event_ids or {}).get(_text(rec["incident_id"])) or f"ev-{_text(rec['incident_id'])}"
        geom = None
        if place is None or precision == 5:
            border = borders.locate(_text(rec["article_id"]), place, _text(rec["places"]))
            if border is not None:
                rec["place_name"], geom = border
                rec["location_precision"] = precision = 5
                rec["location_precision_name"] = LOCATION_PRECISIONS[5]
        if geom is None and place is not None:
            if place.kind == "province" and (precision or 0) >= 4 and pid in rep:
                geom = rep[pid]
            else:
                geom = point(place.lat, place.lon)
        records.append(rec)
        geoms.append(geom)
        day = rec["date_start"] or rec["date_end"] or rec["article_date"]
        province = locate(pid, geom, day, precision)
        rec["province"] = province or ""
        if province:
            assignment[_text(rec["incident_id"])] = province
    ints = ("location_precision", "start", "end")
    gdf = _frame(records, INCIDENT_COLUMNS, geoms, floats=("value", "value_max"), ints=ints, dates=INCIDENT_DATES,
                 categories=INCIDENT_CATEGORIES)
    return gdf, assignment


class _BorderLocator:
    """Where to draw a figure that concerns a stretch of border between two countries."""

    def __init__(
        self, countries: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, gaz: Gazetteer, mentions: pd.DataFrame
    ) -> None:
        self._provinces = {
            _text(pid): geom
            for pid, geom in zip(provinces["province_id"], provinces.geometry, strict=True)
            if geom is not None and not geom.is_empty
        }
        self._polygons = {
            _text(code): geom
            for code, geom in zip(countries["iso_a2"], countries.geometry, strict=True)
            if geom is not None and not geom.is_empty
        }
        self._names = {_text(code): _text(name) for code, name in zip(countries["iso_a2"], countries["name"], strict=True)}
        self._gaz = gaz
        # Countries each article names, most-named first (ties by code, for stable output).
        tally: dict[str, dict[str, int]] = {}
        for aid, pid in zip(mentions["article_id"], mentions["place_id"], strict=True):
            place = gaz.get(_text(pid)) if _text(pid) else None
            if place is not None:
                per = tally.setdefault(_text(aid), {})
                per[place.country] = per.get(place.country, 0) + 1
        self._article_countries = {
            aid: [c for c, _ in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))] for aid, per in tally.items()
        }
        self._cache: dict[tuple[str, str], Point | None] = {}

    def locate(self, article_id: str, place: Place | None, places: str) -> tuple[str, Point] | None:
        """The border's name and point for an incident, or ``None`` when no two neighbours are involved.

        The pair must hold the incident's own country (when it has one);
        pairs with Vietnam come first, then the order countries are named in.
        A province's figure is drawn on that province's stretch of the border.
        """
        own: list[str] = []
        for item in [place.id if place else "", *places.split(";")]:
            found = self._gaz.get(item.rsplit(":", 1)[0]) if item else None
            if found is not None and found.country not in own:
                own.append(found.country)
        candidates = own + [c for c in self._article_countries.get(article_id, []) if c not in own]
        pairs = [(a, b) for i, a in enumerate(candidates) for b in candidates[i + 1 :]]
        if own:
            pairs = [pair for pair in pairs if own[0] in pair]
        pairs.sort(key=lambda pair: "VN" not in pair)  # stable: otherwise in naming order
        province = self._provinces.get(place.id) if place is not None and place.kind == "province" else None
        for first, second in pairs:
            if province is not None:
                other = second if first == place.country else first
                where = _shared_border_point(province, self._polygons.get(other))
                if where is not None:
                    return f"{place.name}–{self._names.get(other, other)} border", where
                continue
            where = self._border_point(first, second)
            if where is not None:
                a, b = sorted((first, second), key=lambda c: (c != "VN", c))
                return f"{self._names.get(a, a)}–{self._names.get(b, b)} border", where
        return None

    def _border_point(self, first: str, second: str) -> Point | None:
        key = tuple(sorted((first, second)))
        if key not in self._cache:
            self._cache[key] = _shared_border_point(self._polygons.get(key[0]), self._polygons.get(key[1]))
        return self._cache[key]


def _shared_border_point(a: Any, b: Any) -> Point | None:
    """The middle of the longest stretch of ``a``'s outline that runs along ``b`` (None if they do not meet)."""
    import shapely
    from shapely.geometry import LineString, MultiLineString

    if a is None or b is None:
        return None
    # The simplified polygons do not share vertices exactly: take a's outline within ~2 km of b.
    shared = shapely.line_merge(a.boundary.intersection(b.buffer(0.02)))
    parts = list(shared.geoms) if isinstance(shared, MultiLineString) else [shared]
    lines = [p for p in parts if isinstance(p, LineString) and not p.is_empty]
    if not lines:
        return None
    longest = max(lines, key=lambda line: line.length)
    where = longest.interpolate(0.5, normalized=True)
    return point(round(where.y, 5), round(where.x, 5))


def _routes(
    table: pd.DataFrame, gaz: Gazetteer, countries: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Route lines through their stops in order, and the stops as points.

    A country-level stop ("then on into China") is drawn where the route
    meets that country: the point of the country's polygon nearest the stop
    before it (the one after it, for a first stop), not at the country's
    centre hundreds of kilometres away.
    """
    from pyproj import Geod
    from shapely.geometry import LineString

    geod = Geod(ellps="WGS84")
    outlines = {
        _text(code): geom
        for code, geom in zip(countries["iso_a2"], countries.geometry, strict=True)
        if geom is not None and not geom.is_empty
    }
    by_route: dict[str, list[dict]] = {}
    for row in table.to_dict("records"):
        rid = _text(row.get("route_id"))
        if rid:
            by_route.setdefault(rid, []).append(row)
    route_recs, route_geoms, stop_recs, stop_geoms = [], [], [], []
    shared: dict[tuple[str, str], Any] = {}  # the border two countries share, worked out once a pair
    for rid in sorted(by_route):
        legs = sorted(by_route[rid], key=lambda r: (_int(r.get("stop")) or 0))
        places = [gaz.get(_text(r.get("place_id"))) if _text(r.get("place_id")) else None for r in legs]
        points = _stop_points(places, outlines, shared)
        names, roles, coords = [], [], []
        for row, place, pt in zip(legs, places, points, strict=True):
            pid = _text(row.get("place_id"))
            name = place.name if place else pid
            role = _text(row.get("role"))
            names.append(name)
            roles.append(role)
            if pt is not None and (not coords or coords[-1] != (pt.x, pt.y)):
                coords.append((pt.x, pt.y))
            stop_recs.append(
                {
                    "route_id": rid,
                    "stop": _int(row.get("stop")),
                    "place_id": pid,
                    "name": name,
                    "role": role,
                    "precision": _int(row.get("precision")),
                }
            )
            stop_geoms.append(pt)
        line = LineString(coords) if len(coords) >= 2 else None
        length = None
        if line is not None:
            lons, lats = zip(*coords, strict=True)
            length = round(geod.line_length(lons, lats) / 1000.0, 3)
        first = legs[0]
        route_recs.append(
            {
                "route_id": rid,
                "article_id": _text(first.get("article_id")),
                "stops": _ROUTE_ARROW.join(names),
                "roles": ";".join(roles),
                "length_km": length,
                "sentence": _text(first.get("sentence")),
            }
        )
        route_geoms.append(line)
    routes = _frame(route_recs, ROUTE_COLUMNS, route_geoms, floats=("length_km",))
    stops = _frame(stop_recs, ROUTE_STOP_COLUMNS, stop_geoms, ints=("stop", "precision"))
    return routes, stops


def _stop_points(
    places: list[Place | None], outlines: dict[str, Any], shared: dict[tuple[str, str], Any] | None = None
) -> list[Point | None]:
    """Each stop's point; country stops where the route meets the country (see :func:`_routes`)."""
    from shapely.ops import nearest_points

    points = [None if p is None or p.kind == "country" else point(p.lat, p.lon) for p in places]
    for i, place in enumerate(places):
        if place is None or place.kind != "country":
            continue
        outline = outlines.get(place.country)
        before = [j for j in range(i) if points[j] is not None]
        after = [j for j in range(i + 1, len(places)) if points[j] is not None]
        anchor = before[-1] if before else (after[0] if after else None)
        if outline is None or anchor is None:
            points[i] = point(place.lat, place.lon)
            continue
        # Coming from a neighbour, the route crosses their land border (Vietnam -> China
        # meets Guangxi or Yunnan, not Hainan, the nearest bit of China to the south).
        target = outline
        neighbour = outlines.get(places[anchor].country) if places[anchor] is not None else None
        if neighbour is not None and places[anchor].country != place.country:
            key = (place.country, places[anchor].country)
            if shared is None or key not in shared:
                border = outline.boundary.intersection(neighbour.buffer(0.02))
                if shared is None:
                    shared = {}
                shared[key] = border
            if not shared[key].is_empty:
                target = shared[key]
        near = nearest_points(target, points[anchor])[0]
        points[i] = point(round(near.y, 5), round(near.x, 5))
    return points


def _crossings(gaz: Gazetteer) -> gpd.GeoDataFrame:
    """Every border gate in the gazetteer, with the gate facing it across the border."""
    gates = sorted((p for p in gaz if p.kind == "border_gate"), key=lambda p: p.id)
    records, geoms = [], []
    for gate in gates:
        pair = gaz.get(gate.pair_id) if gate.pair_id else None
        records.append(
            {
                "place_id": gate.id,
                "name": gate.name,
                "country": gate.country,
                "pair_id": gate.pair_id or "",
                "pair_name": pair.name if pair else "",
                "kind": gate.kind,
            }
        )
        geoms.append(point(gate.lat, gate.lon))
    return _frame(records, CROSSING_COLUMNS, geoms)


def _province_stats(
    incidents: gpd.GeoDataFrame, assignment: dict[str, str], provinces: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Incidents and people per province, joined to the province polygons (only provinces with incidents)."""
    polys = {r["province_id"]: r for r in provinces.to_dict("records")}
    totals: dict[str, list[float]] = {}
    cols = ("incident_id", "unit", "value", "counts")
    for iid, unit, value, counts in zip(*(incidents[c] for c in cols), strict=True):
        pid = assignment.get(_text(iid))
        if pid is None or pid not in polys:
            continue
        total = totals.setdefault(pid, [0, 0.0])
        total[0] += 1
        total[1] += _people({"unit": unit, "value": value, "counts": counts})
    records, geoms = [], []
    for pid in sorted(totals):
        n, people = totals[pid]
        poly = polys[pid]
        records.append(
            {"province_id": pid, "name": poly["name"], "country": poly["country"], "incidents": n, "people": people}
        )
        geoms.append(poly["geometry"])
    return _frame(records, PROVINCE_STATS_COLUMNS, geoms, ints=("incidents",), floats=("people",))


# -- provinces of incidents ----------------------------------------------------


class _ProvinceLocator:
    """Which province unit, valid on a day, an incident at a place counts for.

    Built once per :func:`build_layers` call: polygons, validity and the
    gazetteer's successor links are indexed up front, and answers are cached
    by place and *period* (the span between two consecutive validity dates),
    since nothing else changes the answer.
    """

    def __init__(self, gaz: Gazetteer, provinces: gpd.GeoDataFrame) -> None:
        self.gaz = gaz
        self.units = [
            (pid, geom, vf, vt, country)
            for pid, geom, vf, vt, country in sorted(
                zip(
                    provinces["province_id"],
                    provinces.geometry,
                    provinces["valid_from"],
                    provinces["valid_to"],
                    provinces["country"],
                    strict=True,
                ),
                key=lambda u: u[0],
            )
            if geom is not None and not geom.is_empty
        ]
        self.known = {u[0] for u in self.units}
        self.predecessors: dict[str, list[str]] = {}
        edges = set()
        for place in gaz:
            if place.kind == "province":
                for day in (place.valid_from, place.valid_to):
                    if day:
                        edges.add(day.isoformat())
                if place.successor_id:
                    self.predecessors.setdefault(place.successor_id, []).append(place.id)
        for _, _, vf, vt, _ in self.units:
            edges.update(d for d in (vf, vt) if d)
        self.edges = sorted(edges)
        self.cache: dict[tuple[str, bool, int], str | None] = {}

    def __call__(self, place_id: str, geom: Point | None, day: str | None, precision: int | None) -> str | None:
        import bisect

        valid_day = day or dt.date.today().isoformat()
        period = bisect.bisect_right(self.edges, valid_day)
        key = (place_id, (precision or 0) >= 4, period)
        if key not in self.cache:
            self.cache[key] = self._find(place_id, geom, valid_day, precision)
        return self.cache[key]

    def _find(self, place_id: str, geom: Point | None, day: str, precision: int | None) -> str | None:
        unit = _province_place(place_id, self.gaz)
        seen: set[str] = set()
        while unit is not None and unit.id not in seen:
            seen.add(unit.id)
            start = unit.valid_from.isoformat() if unit.valid_from else None
            end = unit.valid_to.isoformat() if unit.valid_to else None
            if end and day >= end and unit.successor_id:
                unit = self.gaz.get(unit.successor_id)
                continue
            if start and day < start:
                # A post-reform unit named for an earlier day: the merged province holding the point.
                members = sorted(i for i in self.predecessors.get(unit.id, []) if i in self.known)
                found = self._locate(geom, lambda u, ids=frozenset(members): u[0] in ids)
                return found or next((i for i in members if i == f"{unit.id}-pre2025"), members[0] if members else None)
            return unit.id if unit.id in self.known else None
        place = self.gaz.get(place_id) if place_id else None
        if geom is None or place is None or place.kind == "country" or (precision or 0) >= 5:
            return None  # a country- or border-wide figure belongs to no province
        return self._locate(geom, lambda u: u[4] == place.country and _valid(u[2], u[3], day))

    def _locate(self, geom: Point | None, keep) -> str | None:
        """Id of the kept polygon holding ``geom``, else of the nearest within ~10 km, else ``None``."""
        if geom is None:
            return None
        units = [u for u in self.units if keep(u)]
        for pid, poly, *_ in units:
            if poly.covers(geom):
                return pid
        near = [(poly.distance(geom), pid) for pid, poly, *_ in units]
        near = [d for d in near if d[0] <= _NEAR_DEG]
        return min(near)[1] if near else None


def _province_place(place_id: str, gaz: Gazetteer) -> Place | None:
    """The place itself if it is a province, else its nearest province ancestor."""
    place = gaz.get(place_id) if place_id else None
    seen: set[str] = set()
    while place is not None and place.id not in seen:
        if place.kind == "province":
            return place
        seen.add(place.id)
        place = gaz.get(place.parent_id) if place.parent_id else None
    return None


def _people(row: dict) -> float:
    """Largest people-like figure of an incident (headline or any of its counts)."""
    best = 0.0
    if _text(row.get("unit")).lower() in PEOPLE_UNITS:
        value = _float(row.get("value"))
        best = max(best, value or 0.0)
    for item in _text(row.get("counts")).split(";"):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[1].strip().lower() in PEOPLE_UNITS:
            value = _float(parts[0].replace(",", "").split("-")[0])
            best = max(best, value or 0.0)
    return best


# -- small helpers -----------------------------------------------------------


def _table(df: pd.DataFrame | None, columns: Iterable[str]) -> pd.DataFrame:
    """``df`` with every expected column present (an empty frame for ``None``)."""
    import pandas as pd

    columns = list(columns)
    if df is None:
        return pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        df = df.assign(**{c: None for c in missing})
    return df


def _frame(
    records: list[dict],
    columns: Iterable[str],
    geoms: list,
    *,
    ints: Iterable[str] = (),
    floats: Iterable[str] = (),
    dates: Iterable[str] = (),
    categories: Iterable[str] = (),
) -> gpd.GeoDataFrame:
    """A GeoDataFrame with exactly ``columns`` + geometry, EPSG:4326, stable dtypes.

    ``ints`` become nullable integers (``Int64``), ``floats`` floats, ``dates``
    (ISO days) ``datetime64`` (NaT for none: the day's precision is its own
    column), ``categories`` categoricals with sorted categories (a column of a
    few values: incident type, precision, country, province); the rest stay
    text (``None`` for none).
    """
    import geopandas as gpd
    import pandas as pd

    columns = list(columns)
    df = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    for col in ints:
        df[col] = pd.array([_int(v) for v in df[col]], dtype="Int64")
    for col in floats:
        df[col] = pd.array([_float(v) for v in df[col]], dtype="Float64").astype("float64")
    for col in dates:
        df[col] = pd.to_datetime(pd.Series([_iso_date(v) for v in df[col]], dtype=object), format="%Y-%m-%d").astype(
            "datetime64[ns]"
        )
    typed = set(ints) | set(floats) | set(dates)
    for col in columns:
        if col not in typed:
            df[col] = df[col].astype(object).where(pd.notna(df[col]), None)
    for col in categories:  # "" stays a value (as in the CSV and GeoJSON), None is missing
        df[col] = df[col].astype(pd.CategoricalDtype(sorted({v for v in df[col] if v is not None})))
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(list(geoms), crs="EPSG:4326"), crs="EPSG:4326")


def _clean(value: Any) -> Any:
    """``None`` for NaN/NA/NaT, the value otherwise."""
    kind = type(value)
    if kind is str or kind is int:
        return value
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    value = _clean(value)
    if isinstance(value, dt.date):  # a day of a datetime64 column: its ISO day, as before
        return value.isoformat()[:10]
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    value = _clean(value)
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    value = _clean(value)
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _iso_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` of a date, datetime, Timestamp or ISO string; ``None`` when unknown."""
    value = _clean(value)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _iso_text(str(value).strip())


@functools.lru_cache(maxsize=4096)
def _iso_text(text: str) -> str | None:
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _bound(name: str, value: dt.date | str | None) -> str | None:
    """A filter bound as an ISO date; a value that is not a date is an InputError."""
    if value is None:
        return None
    day = _iso_date(value)
    if day is None:
        msg = f"Layers.filter: {name}: not a date (YYYY-MM-DD): {value!r}"
        raise InputError(msg)
    return day


def _valid(valid_from: str | None, valid_to: str | None, day: str) -> bool:
    if valid_from and day < valid_from:
        return False
    return not (valid_to and day >= valid_to)


def _overlaps(start: str | None, end: str | None, lo: str | None, hi: str | None) -> bool:
    """True when ``[start, end]`` meets ``[lo, hi]``; an undated span never does."""
    start = start or end
    end = end or start
    if start is None:
        return False
    if lo and end < lo:
        return False
    return not (hi and start > hi)
