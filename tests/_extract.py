"""Shared helpers for the extraction tests: a small real gazetteer and articles in our own words."""

from __future__ import annotations

import datetime as dt

from geomap.gazetteer import Gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher
from geomap.records import Alias, Article, DateSpan, Place

# id, name, kind, country, parent, lat, lon
_PLACES = [
    ("vn.country.vn", "Việt Nam", "country", "VN", None, 16.0, 106.0),
    ("cn.country.cn", "China", "country", "CN", None, 35.0, 103.0),
    ("kh.country.kh", "Cambodia", "country", "KH", None, 12.5, 104.9),
    ("la.country.la", "Laos", "country", "LA", None, 18.0, 103.0),
    ("vn.province.lang-son", "Lạng Sơn", "province", "VN", "vn.country.vn", 21.83, 106.58),
    ("vn.city.lang-son", "Lạng Sơn", "city", "VN", "vn.province.lang-son", 21.8537, 106.7615),
    ("vn.province.lao-cai", "Lào Cai", "province", "VN", "vn.country.vn", 22.3, 104.1),
    ("vn.province.quang-ninh", "Quảng Ninh", "province", "VN", "vn.country.vn", 21.2, 107.3),
    ("vn.city.mong-cai", "Móng Cái", "city", "VN", "vn.province.quang-ninh", 21.52, 107.96),
    ("vn.province.an-giang", "An Giang", "province", "VN", "vn.country.vn", 10.5, 105.1),
    ("vn.province.tay-ninh", "Tây Ninh", "province", "VN", "vn.country.vn", 11.3, 106.1),
    ("vn.province.ho-chi-minh", "Hồ Chí Minh City", "province", "VN", "vn.country.vn", 10.78, 106.7),
    ("vn.border_gate.huu-nghi", "Hữu Nghị", "border_gate", "VN", "vn.province.lang-son", 21.9705, 106.7037),
    ("vn.commune.long", "Long", "commune", "VN", "vn.province.an-giang", 10.6, 105.2),
    ("cn.province.guangxi", "Guangxi", "province", "CN", "cn.country.cn", 23.72, 108.81),
    ("cn.province.yunnan", "Yunnan", "province", "CN", "cn.country.cn", 24.5, 101.5),
    ("cn.province.jiangxi", "Jiangxi", "province", "CN", "cn.country.cn", 27.6, 115.7),
    ("cn.district.pingxiang", "Pingxiang", "district", "CN", "cn.province.guangxi", 22.0974, 106.7566),
    ("cn.prefecture.pingxiang-jiangxi", "Pingxiang", "prefecture", "CN", "cn.province.jiangxi", 27.62, 113.85),
    ("cn.district.hekou", "Hekou", "district", "CN", "cn.province.yunnan", 22.53, 103.94),
    ("cn.district.dongxing", "Dongxing", "district", "CN", "cn.province.guangxi", 21.55, 107.97),
    ("cn.border_gate.youyi-guan", "Youyi Guan", "border_gate", "CN", "cn.district.pingxiang", 21.976, 106.705),
    ("kh.province.svay-rieng", "Svay Rieng", "province", "KH", "kh.country.kh", 11.08, 105.8),
]
# place id, alias, lang
_ALIASES = [
    ("vn.country.vn", "Vietnam", "en"),
    ("vn.country.vn", "Viet Nam", "ascii"),
    ("vn.province.lang-son", "Lang Son", "ascii"),
    ("vn.province.lang-son", "谅山", "zh"),
    ("vn.city.lang-son", "Lang Son", "ascii"),
    ("vn.province.lao-cai", "Lao Cai", "ascii"),
    ("vn.province.quang-ninh", "Quang Ninh", "ascii"),
    ("vn.city.mong-cai", "Mong Cai", "ascii"),
    ("vn.province.tay-ninh", "Tay Ninh", "ascii"),
    ("vn.province.ho-chi-minh", "Ho Chi Minh City", "ascii"),
    ("vn.border_gate.huu-nghi", "Huu Nghi", "ascii"),
    ("cn.district.pingxiang", "凭祥", "zh"),
    ("cn.district.hekou", "河口", "zh"),
    ("cn.border_gate.youyi-guan", "友谊关", "zh"),
    ("cn.border_gate.youyi-guan", "Friendship Pass", "en"),
    ("cn.border_gate.youyi-guan", "Youyi", "pinyin"),
]


def small_gazetteer() -> Gazetteer:
    """A real :class:`Gazetteer` with the places the extraction tests need."""
    places = [
        Place(id=i, name=n, kind=k, country=c, parent_id=p, lat=lat, lon=lon, source="ref:test fixture")
        for i, n, k, c, p, lat, lon in _PLACES
    ]
    aliases = [Alias(place_id=i, name=n, lang=lang, kind="official", source="ref:test fixture") for i, n, lang in _ALIASES]
    return Gazetteer(places, aliases)


def tools() -> tuple[Gazetteer, PlaceMatcher, Resolver]:
    """The gazetteer, a matcher and a resolver built on it."""
    gazetteer = small_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def article(text: str, *, id: str = "t1", day: dt.date | None = dt.date(2024, 5, 20), title: str = "") -> Article:
    """An article dated ``day`` (a day-precision publication date)."""
    date = DateSpan(day, day, "day", day.isoformat()) if day is not None else None
    return Article(id=id, text=text, title=title, date=date, source="Test Wire", path="")


def incidents_of(kit: tuple[Gazetteer, PlaceMatcher, Resolver], text: str, **kwargs) -> list:
    """The incidents of ``article(text, **kwargs)``, found with the tools of :func:`tools`."""
    from geomap.incidents import find_incidents
    from geomap.places import find_mentions

    gazetteer, matcher, resolver = kit
    a = article(text, **kwargs)
    return find_incidents(a, mentions=find_mentions(a, matcher=matcher, resolver=resolver), gazetteer=gazetteer)
