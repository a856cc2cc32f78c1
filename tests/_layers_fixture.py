"""A small, realistic set of layers built from hand-made tables, for layer, export and map tests.

Everything here is written for the tests (no article text is copied): a
dozen places along the Vietnam–China and Vietnam–Cambodia borders with their
real approximate coordinates, four articles (one of them hostile: its title,
outlet, link and sentence carry ``<script>``, ``<img onerror>`` and
``javascript:``), ten incidents covering every location precision and both
sides of Vietnam's 2025 provincial reform, and two routes.

Use::

    from _layers_fixture import fixture_layers, fixture_extraction, fixture_gazetteer
    layers = fixture_layers()          # geomap.layers.Layers

The boundaries are the real bundled ones (``gazetteer/boundaries/``); the
gazetteer is a tiny :class:`geomap.gazetteer.Gazetteer` built from records,
so the tests do not depend on the full table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geomap.gazetteer import Gazetteer
from geomap.layers import Layers, build_layers
from geomap.records import Place

__all__ = [
    "HOSTILE_ARTICLE_ID",
    "HOSTILE_INCIDENT_ID",
    "FixtureExtraction",
    "fixture_extraction",
    "fixture_gazetteer",
    "fixture_layers",
]

HOSTILE_ARTICLE_ID = "a004"
HOSTILE_INCIDENT_ID = "a004-i01"
REFORM = dt.date(2025, 7, 1)

_P = "ref:test fixture"


def _place(pid: str, name: str, kind: str, country: str, lat: float, lon: float, **kw: object) -> Place:
    return Place(id=pid, name=name, kind=kind, country=country, lat=lat, lon=lon, source=_P, **kw)  # type: ignore[arg-type]


def fixture_gazetteer() -> Gazetteer:
    """A tiny gazetteer whose ids follow the real table's conventions."""
    vn, cn, kh = "vn.country.vietnam", "cn.country.china", "kh.country.cambodia"
    places = [
        _place(vn, "Việt Nam", "country", "VN", 16.0, 106.0),
        _place(cn, "China", "country", "CN", 35.0, 105.0),
        _place(kh, "Cambodia", "country", "KH", 12.5, 104.9),
        _place("cn.province.guangxi", "Guangxi", "province", "CN", 22.817, 108.367, parent_id=cn, iso3166_2="CN-GX"),
        _place("kh.province.svay-rieng", "Svay Rieng", "province", "KH", 11.087, 105.800, parent_id=kh, iso3166_2="KH-20"),
        _place("kh.province.phnom-penh", "Phnom Penh", "province", "KH", 11.556, 104.928, parent_id=kh, iso3166_2="KH-12"),
        _place("vn.province.lang-son", "Lạng Sơn", "province", "VN", 21.854, 106.762, parent_id=vn, iso3166_2="VN-09"),
        _place("vn.province.quang-ninh", "Quảng Ninh", "province", "VN", 20.951, 107.080, parent_id=vn, iso3166_2="VN-13"),
        _place("vn.province.ha-noi", "Hà Nội", "province", "VN", 21.028, 105.854, parent_id=vn, iso3166_2="VN-HN"),
        _place(
            "vn.province.ha-giang-pre2025", "Hà Giang", "province", "VN", 22.823, 104.984, parent_id=vn,
            iso3166_2="VN-03", valid_to=REFORM, successor_id="vn.province.tuyen-quang",
        ),
        _place(
            "vn.province.tuyen-quang-pre2025", "Tuyên Quang", "province", "VN", 21.823, 105.214, parent_id=vn,
            iso3166_2="VN-07", valid_to=REFORM, successor_id="vn.province.tuyen-quang",
        ),
        _place("vn.province.tuyen-quang", "Tuyên Quang", "province", "VN", 21.823, 105.214, parent_id=vn, valid_from=REFORM),
        _place(
            "vn.province.lao-cai-pre2025", "Lào Cai", "province", "VN", 22.486, 103.975, parent_id=vn,
            iso3166_2="VN-02", valid_to=REFORM, successor_id="vn.province.lao-cai",
        ),
        _place(
            "vn.province.yen-bai-pre2025", "Yên Bái", "province", "VN", 21.705, 104.875, parent_id=vn,
            iso3166_2="VN-06", valid_to=REFORM, successor_id="vn.province.lao-cai",
        ),
        _place("vn.province.lao-cai", "Lào Cai", "province", "VN", 21.705, 104.875, parent_id=vn, valid_from=REFORM),
        _place(
            "vn.province.tay-ninh-pre2025", "Tây Ninh", "province", "VN", 11.310, 106.098, parent_id=vn,
            iso3166_2="VN-37", valid_to=REFORM, successor_id="vn.province.tay-ninh",
        ),
        _place("vn.province.tay-ninh", "Tây Ninh", "province", "VN", 10.535, 106.413, parent_id=vn, valid_from=REFORM),
        _place("vn.city.lang-son", "Lạng Sơn", "city", "VN", 21.8537, 106.7615, parent_id="vn.province.lang-son"),
        _place("vn.city.mong-cai", "Móng Cái", "city", "VN", 21.5247, 107.9669, parent_id="vn.province.quang-ninh"),
        _place("vn.city.lao-cai", "Lào Cai", "city", "VN", 22.4856, 103.9755, parent_id="vn.province.lao-cai"),
        _place("cn.district.pingxiang", "Pingxiang", "district", "CN", 22.0946, 106.7549, parent_id="cn.province.guangxi"),
        _place("kh.city.phnom-penh", "Phnom Penh", "city", "KH", 11.5564, 104.9282, parent_id="kh.province.phnom-penh"),
        _place(
            "vn.border_gate.huu-nghi", "Hữu Nghị", "border_gate", "VN", 21.9670, 106.7080,
            parent_id="vn.province.lang-son", pair_id="cn.border_gate.youyi-guan",
        ),
        _place(
            "cn.border_gate.youyi-guan", "Youyi Guan", "border_gate", "CN", 21.9750, 106.7050,
            parent_id="cn.district.pingxiang", pair_id="vn.border_gate.huu-nghi",
        ),
        _place(
            "vn.border_gate.moc-bai", "Mộc Bài", "border_gate", "VN", 11.0740, 106.1590,
            parent_id="vn.province.tay-ninh-pre2025", pair_id="kh.border_gate.bavet",
        ),
        _place(
            "kh.border_gate.bavet", "Bavet", "border_gate", "KH", 11.0630, 106.1500,
            parent_id="kh.province.svay-rieng", pair_id="vn.border_gate.moc-bai",
        ),
        _place("vn.border_gate.bac-luan", "Bắc Luân", "border_gate", "VN", 21.5420, 107.9630, parent_id="vn.province.quang-ninh"),
    ]  # fmt: skip
    return Gazetteer(places)


@dataclass(frozen=True)
class FixtureExtraction:
    """The four tidy tables build_layers reads (same columns as geomap.extract.Extraction)."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    incidents: pd.DataFrame
    routes: pd.DataFrame


_ARTICLES = [
    # article_id, title, date, date_precision, source, url
    ("a001", "Border guards stop a group at the Friendship gate", "2024-03-14", "day", "Test Border News", "https://example.org/a001"),
    ("a002", "Provincial police sum up repatriations in Hà Giang", "2024-12-02", "day", "Test Daily", "https://example.org/a002"),
    ("a003", "Lào Cai gate sees busy autumn after the merger", "2025-10-05", "day", "Test Daily", "https://example.org/a003"),
    # names no place at all: its incident cannot be put on any map
    ("a005", "Officials promise more talks", "2025-10-06", "day", "Test Daily", "https://example.org/a005"),
    (
        HOSTILE_ARTICLE_ID,
        'Hostile <script>alert("title")</script> report',
        "2025-10-03",
        "day",
        "<img src=x onerror=alert('outlet')>",
        "javascript:alert('url')",
    ),
]

_INC_COLS = (
    "incident_id", "article_id", "type", "value", "value_max", "unit", "qualifier", "counts",
    "date_start", "date_end", "date_precision", "date_text", "place_id", "places",
    "location_precision", "actors", "sentence", "start", "end", "source",
)  # fmt: skip

_INCIDENTS = [
    ("a001-i01", "a001", "illegal_crossing", 12, None, "people", "", "12 people",
     "2024-03-12", "2024-03-12", "day", "on 12 March", "vn.border_gate.huu-nghi",
     "vn.border_gate.huu-nghi:location", 1, "border guards",
     "Guards at Hữu Nghị turned back 12 people walking a forest path on 12 March.", 0, 76, "extracted"),
    ("a001-i02", "a001", "fugitive_handover", 1, None, "fugitives", "", "1 fugitives",
     "2024-03-10", "2024-03-10", "day", "on 10 March", "cn.border_gate.youyi-guan",
     "cn.border_gate.youyi-guan:location", 1, "police",
     "Chinese police handed one wanted man over at Youyi Guan on 10 March.", 77, 146, "extracted"),
    ("a002-i01", "a002", "repatriation", 146, None, "cases", "", "146 cases;431 people",
     "2024-11-01", "2024-11-30", "month", "in November", "vn.province.ha-giang-pre2025",
     "vn.province.ha-giang-pre2025:location", 4, "provincial police",
     "In November the province took back 146 cases, 431 people in all.", 0, 65, "extracted"),
    ("a002-i02", "a002", "illegal_crossing", 7, None, "people", "", "7 people",
     "2024-05-20", "2024-05-20", "day", "on 20 May", "vn.city.lao-cai",
     "vn.city.lao-cai:location", 2, "", "Seven people were found near Lào Cai city in May.", 66, 115, "extracted"),
    ("a003-i01", "a003", "crossing_statistics", 64000, None, "people", "over", "64000 people",
     "2025-09-01", "2025-09-30", "month", "in September", "vn.province.lao-cai",
     "vn.province.lao-cai:location", 4, "", "More than 64,000 travellers used the gate in September.", 0, 56, "extracted"),
    ("a003-i02", "a003", "migrant_smuggling", 5, None, "people", "", "5 people;2 vehicles",
     "2025-08-05", "2025-08-05", "day", "on 5 August", "vn.city.mong-cai",
     "vn.city.mong-cai:location", 1, "smugglers", "Five people and two cars were stopped in Móng Cái on 5 August.",
     57, 120, "extracted"),
    ("a003-i03", "a003", "human_trafficking", 3, None, "victims", "", "3 victims",
     "2024-06-01", "2024-06-01", "day", "on 1 June", "vn.border_gate.moc-bai",
     "vn.border_gate.moc-bai:location", 1, "", "Three victims were brought back through Mộc Bài on 1 June.",
     121, 178, "table"),
    ("a003-i04", "a003", "joint_patrol", None, None, "", "", "",
     "2025-05-01", "2025-05-31", "month", "in May", "vn.country.vietnam",
     "vn.country.vietnam:location", 6, "border guards", "Joint patrols ran all along the line in May.", 179, 224,
     "extracted"),
    ("a003-i05", "a005", "cooperation", None, None, "", "", "",
     None, None, "", "", None, "", 6, "", "Both sides agreed to keep talking.", 225, 259, "extracted"),
    (HOSTILE_INCIDENT_ID, HOSTILE_ARTICLE_ID, "other", 2, None, "people", "", "2 people",
     "2025-10-02", "2025-10-02", "day", "on 2 October", "vn.city.lang-son",
     "vn.city.lang-son:location", 1, "<b>nobody</b>",
     "Two people <script>alert('x')</script><img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">here</a>.",
     0, 99, "extracted"),
]  # fmt: skip

_ROUTES = [
    # route_id, article_id, stop, place_id, role, precision, sentence, start, end
    ("a001-r01", "a001", 1, "vn.province.ha-noi", "origin", 4, "They went from Hà Nội to Lạng Sơn, then crossed at Hữu Nghị to Pingxiang.", 0, 70),
    ("a001-r01", "a001", 2, "vn.city.lang-son", "staging", 1, "They went from Hà Nội to Lạng Sơn, then crossed at Hữu Nghị to Pingxiang.", 0, 70),
    ("a001-r01", "a001", 3, "vn.border_gate.huu-nghi", "crossing", 1, "They went from Hà Nội to Lạng Sơn, then crossed at Hữu Nghị to Pingxiang.", 0, 70),
    ("a001-r01", "a001", 4, "cn.district.pingxiang", "destination", 3, "They went from Hà Nội to Lạng Sơn, then crossed at Hữu Nghị to Pingxiang.", 0, 70),
    ("a003-r01", "a003", 2, "kh.border_gate.bavet", "crossing", 1, "The group left Tây Ninh by Mộc Bài and Bavet for Phnom Penh.", 0, 60),
    ("a003-r01", "a003", 1, "vn.border_gate.moc-bai", "origin", 1, "The group left Tây Ninh by Mộc Bài and Bavet for Phnom Penh.", 0, 60),
    ("a003-r01", "a003", 3, "kh.city.phnom-penh", "destination", 1, "The group left Tây Ninh by Mộc Bài and Bavet for Phnom Penh.", 0, 60),
]  # fmt: skip

_MENTIONS = [
    # article_id, start, end, text, place_id
    ("a001", 10, 18, "Hữu Nghị", "vn.border_gate.huu-nghi"),
    ("a001", 90, 100, "Youyi Guan", "cn.border_gate.youyi-guan"),
    ("a001", 150, 156, "Hà Nội", "vn.province.ha-noi"),
    ("a001", 160, 167, "Lạng Sơn", "vn.city.lang-son"),
    ("a001", 180, 188, "Hữu Nghị", "vn.border_gate.huu-nghi"),
    ("a001", 192, 201, "Pingxiang", "cn.district.pingxiang"),
    ("a002", 5, 13, "Hà Giang", "vn.province.ha-giang-pre2025"),
    ("a002", 80, 87, "Lào Cai", "vn.city.lao-cai"),
    ("a003", 0, 7, "Lào Cai", "vn.province.lao-cai"),
    ("a003", 90, 98, "Móng Cái", "vn.city.mong-cai"),
    ("a003", 140, 146, "Mộc Bài", "vn.border_gate.moc-bai"),
    ("a003", 150, 155, "Bavet", "kh.border_gate.bavet"),
    ("a003", 160, 170, "Phnom Penh", "kh.city.phnom-penh"),
    ("a003", 300, 308, "Kuala X", None),
    (HOSTILE_ARTICLE_ID, 40, 48, "Lạng Sơn", "vn.city.lang-son"),
]  # fmt: skip


def fixture_extraction() -> FixtureExtraction:
    """The hand-made tables, typed as extraction writes them (ISO date strings, ``None`` for blanks)."""
    articles = pd.DataFrame(_ARTICLES, columns=["article_id", "title", "date", "date_precision", "source", "url"])
    incidents = pd.DataFrame(_INCIDENTS, columns=list(_INC_COLS))
    routes = pd.DataFrame(
        _ROUTES, columns=["route_id", "article_id", "stop", "place_id", "role", "precision", "sentence", "start", "end"]
    )
    mentions = pd.DataFrame(_MENTIONS, columns=["article_id", "start", "end", "text", "place_id"])
    return FixtureExtraction(articles=articles, mentions=mentions, incidents=incidents, routes=routes)


def fixture_layers(*, on: dt.date | str | None = None) -> Layers:
    """The fixture tables built into layers with the fixture gazetteer and the bundled boundaries."""
    return build_layers(fixture_extraction(), gazetteer=fixture_gazetteer(), on=on)
