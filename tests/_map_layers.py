"""Small layers for the map tests, in the ``Layers`` column contract.

Coordinates are real (approximate) places on the Vietnam–China border; the
country and province polygons are coarse hand-drawn outlines, enough for a
basemap and a choropleth.  ``hostile=True`` adds an incident whose article
carries script payloads that set ``window.__pwned`` if they ever run.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import geopandas as gpd
from shapely.geometry import LineString, Point, Polygon

CRS = "EPSG:4326"

HOSTILE_SENTENCE = (
    'Guards stopped 3 people <script>window.__pwned = "script"</script> '
    '<img src=x onerror="window.__pwned = \'img\'"> near the gate `${window.__pwned = "tpl"}`'
)
HOSTILE_TITLE = '<b onmouseover="window.__pwned=\'title\'">Night patrol</b> & more'
HOSTILE_URL = "javascript:window.__pwned='link'"


def _incident(incident_id, kind, lat, lon, *, start, end=None, precision="day", place="", value=None,
              unit="", counts="", qualifier="", sentence="", title="", source="", url="", article_date="",
              location_precision=1):
    names = {1: "exact", 2: "near", 3: "district", 4: "province", 5: "border", 6: "country"}
    return {
        "incident_id": incident_id,
        "article_id": "a-" + incident_id,
        "type": kind,
        "value": value,
        "value_max": None,
        "unit": unit,
        "qualifier": qualifier,
        "counts": counts,
        "date_start": start,
        "date_end": end or start,
        "date_precision": precision if start else "",
        "place_id": "",
        "place_name": place,
        "location_precision": location_precision,
        "location_precision_name": names[location_precision],
        "actors": "Border Guard",
        "sentence": sentence,
        "article_title": title,
        "article_source": source,
        "article_url": url,
        "article_date": article_date,
        "geometry": Point(lon, lat),
    }


def incidents_frame(*, hostile: bool = False) -> gpd.GeoDataFrame:
    """Six incidents of four types, one undated, across 2024-2025."""
    rows = [
        _incident("i-001", "illegal_crossing", 21.9706, 106.7012, start=dt.date(2025, 3, 4), place="Huu Nghi border gate",
                  value=12, unit="people", counts="12 people", sentence="Border guards at the Huu Nghi gate turned back 12 people crossing without papers.",
                  title="Guards turn back crossers", source="Example News", url="https://example.org/a/1", article_date="2025-03-05"),
        _incident("i-002", "illegal_crossing", 21.5247, 107.9653, start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), precision="month",
                  place="Mong Cai", value=64000, unit="people", qualifier="over", counts="64000 people;146 cases",
                  sentence="Over 64,000 people and 146 cases were recorded in Mong Cai that month.",
                  title="Mong Cai figures", source="Example Daily", url="https://example.org/a/2", article_date="2024-07-02"),
        _incident("i-003", "migrant_smuggling", 22.4856, 103.9707, start=dt.date(2025, 1, 15), place="Lao Cai",
                  value=5, unit="people", counts="5 people", sentence="Police in Lao Cai broke up a ring guiding 5 migrants across the river.",
                  title="Smuggling ring broken", source="Example News", url="https://example.org/a/3", article_date="2025-01-16"),
        _incident("i-004", "fugitive_handover", 22.6657, 106.2570, start=dt.date(2025, 8, 20), place="Cao Bang",
                  value=1, unit="people", counts="1 people", sentence="A wanted man was handed over at the Cao Bang border.",
                  title="Fugitive handed over", source="Example Post", url="http://example.org/a/4", article_date="2025-08-21",
                  location_precision=4),
        _incident("i-005", "repatriation", 21.8537, 106.7615, start=None, place="Lang Son",
                  value=30, unit="people", counts="30 people", sentence="Thirty people were returned through Lang Son.",
                  title="Returns via Lang Son", source="Example Post", url="", article_date="", location_precision=4),
        _incident("i-006", "migrant_smuggling", 21.55, 107.97, start=dt.date(2024, 2, 10), place="Dongxing",
                  value=8, unit="people", counts="8 people", sentence="Eight people were found in a truck near Dongxing.",
                  title="Truck stopped", source="Example Daily", url="https://example.org/a/6", article_date="2024-02-11",
                  location_precision=2),
    ]
    if hostile:
        rows.append(
            _incident("i-666", "illegal_crossing", 21.70, 107.40, start=dt.date(2025, 5, 5), place='Gate <i>X</i>',
                      value=3, unit="people", counts="3 people", sentence=HOSTILE_SENTENCE, title=HOSTILE_TITLE,
                      source="<script>window.__pwned='src'</script>", url=HOSTILE_URL, article_date="2025-05-06")
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _box(west, south, east, north):
    return Polygon([(west, south), (east, south), (east, north), (west, north)])


def make_layers(*, hostile: bool = False, incidents: gpd.GeoDataFrame | None = None) -> SimpleNamespace:
    """A ``Layers``-shaped object: every layer the map draws."""
    countries = gpd.GeoDataFrame(
        [
            {"iso_a2": "VN", "name": "Vietnam", "name_vi": "Việt Nam", "name_zh": "越南",
             "geometry": Polygon([(102.1, 22.4), (103.9, 22.6), (106.7, 22.9), (108.0, 21.5), (106.5, 20.0),
                                  (106.0, 17.0), (109.0, 12.0), (106.5, 8.6), (104.5, 10.4), (105.0, 18.5), (102.1, 22.4)])},
            {"iso_a2": "CN", "name": "China", "name_vi": "Trung Quốc", "name_zh": "中国",
             "geometry": Polygon([(102.1, 22.4), (103.9, 22.6), (106.7, 22.9), (108.0, 21.5), (110.0, 21.5),
                                  (110.0, 25.0), (102.0, 25.0), (102.1, 22.4)])},
        ],
        geometry="geometry",
        crs=CRS,
    )
    provinces = gpd.GeoDataFrame(
        [
            {"province_id": "vn.province.lang-son", "name": "Lạng Sơn", "country": "VN", "iso3166_2": "VN-09",
             "valid_from": None, "valid_to": None, "geometry": _box(106.0, 21.4, 106.9, 22.4)},
            {"province_id": "vn.province.quang-ninh",
             "name": "Quảng Ninh <img src=x onerror=\"window.__pwned='prov'\">" if hostile else "Quảng Ninh",
             "country": "VN", "iso3166_2": "VN-13",
             "valid_from": None, "valid_to": None, "geometry": _box(106.9, 20.8, 108.0, 21.6)},
            {"province_id": "vn.province.lao-cai", "name": "Lào Cai", "country": "VN", "iso3166_2": "VN-02",
             "valid_from": None, "valid_to": None, "geometry": _box(103.5, 21.8, 104.6, 22.6)},
        ],
        geometry="geometry",
        crs=CRS,
    )
    stats = provinces[["province_id", "name", "country", "geometry"]].copy()
    stats["name"] = ["Lạng Sơn", "Quảng Ninh <img src=x onerror=\"window.__pwned='prov'\">" if hostile else "Quảng Ninh",
                     "Lào Cai"]
    stats["incidents"] = [2, 2, 1]
    stats["people"] = [42, 64008, 5]
    routes = gpd.GeoDataFrame(
        [
            {"route_id": "r-001", "article_id": "a-i-003", "stops": "Lao Cai → Hekou → Kunming", "roles": "origin;crossing;destination",
             "length_km": 412.3,
             "sentence": "They went from Lao Cai over to Hekou and on to Kunming `${window.__pwned='route'}`" if hostile
             else "They went from Lao Cai over to Hekou and on to Kunming.",
             "geometry": LineString([(103.9707, 22.4856), (103.9489, 22.5074), (102.7183, 25.0389)])},
        ],
        geometry="geometry",
        crs=CRS,
    )
    route_stops = gpd.GeoDataFrame(
        [
            {"route_id": "r-001", "stop": 0, "place_id": "vn.city.lao-cai", "name": "Lào Cai", "role": "origin", "precision": 1,
             "geometry": Point(103.9707, 22.4856)},
            {"route_id": "r-001", "stop": 1, "place_id": "cn.town.hekou", "name": "Hekou", "role": "crossing", "precision": 1,
             "geometry": Point(103.9489, 22.5074)},
            {"route_id": "r-001", "stop": 2, "place_id": "cn.city.kunming", "name": "Kunming", "role": "destination", "precision": 1,
             "geometry": Point(102.7183, 25.0389)},
        ],
        geometry="geometry",
        crs=CRS,
    )
    crossings = gpd.GeoDataFrame(
        [
            {"place_id": "vn.border_gate.huu-nghi", "name": "Hữu Nghị", "country": "VN", "pair_id": "cn.border_gate.youyi-guan",
             "pair_name": "Youyi Guan", "kind": "border_gate", "geometry": Point(106.7012, 21.9706)},
            {"place_id": "cn.border_gate.youyi-guan", "name": "Youyi Guan", "country": "CN", "pair_id": "vn.border_gate.huu-nghi",
             "pair_name": "Hữu Nghị", "kind": "border_gate", "geometry": Point(106.7090, 21.9820)},
        ],
        geometry="geometry",
        crs=CRS,
    )
    places = gpd.GeoDataFrame(
        [
            {"place_id": "vn.city.mong-cai", "name": "Móng Cái", "kind": "city", "country": "VN", "mentions": 3, "articles": "a-i-002",
             "geometry": Point(107.9653, 21.5247)},
            {"place_id": "vn.city.lao-cai", "name": "Lào Cai", "kind": "city", "country": "VN", "mentions": 2, "articles": "a-i-003",
             "geometry": Point(103.9707, 22.4856)},
            {"place_id": "cn.town.hekou", "name": "Hekou", "kind": "town", "country": "CN", "mentions": 1, "articles": "a-i-003",
             "geometry": Point(103.9489, 22.5074)},
        ],
        geometry="geometry",
        crs=CRS,
    )
    return SimpleNamespace(
        incidents=incidents if incidents is not None else incidents_frame(hostile=hostile),
        routes=routes,
        route_stops=route_stops,
        crossings=crossings,
        countries=countries,
        provinces=provinces,
        province_stats=stats,
        places=places,
    )
