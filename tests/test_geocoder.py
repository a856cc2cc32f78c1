"""The resolver and the geopy-compatible geocoders, on a small fixture and on the bundled gazetteer."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import geopandas
import pytest
from _gazetteer import SMALL
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from geomap._errors import InputError
from geomap.gazetteer import Gazetteer, load_gazetteer
from geomap.geocoder import FallbackGeocoder, GazetteerGeocoder, Resolver


@pytest.fixture(scope="module")
def small() -> Gazetteer:
    return Gazetteer.from_dir(SMALL)


@pytest.fixture(scope="module")
def resolver(small) -> Resolver:
    return Resolver(small)


def ids(resolution) -> list[str]:
    return [c.place.id for c in resolution.candidates]


# -- matching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "method"),
    [
        ("Lạng Sơn", "vn.province.lang-son", "exact"),
        ("Lang Son", "vn.province.lang-son", "exact"),
        ("lang son", "vn.province.lang-son", "exact"),
        ("Tỉnh Lạng Sơn", "vn.province.lang-son", "folded"),
        ("LẠNG SƠN PROVINCE", "vn.province.lang-son", "folded"),
        ("Langson", "vn.province.lang-son", "exact"),  # French spelling, an alias
        ("Lang-Son", "vn.province.lang-son", "folded"),
        ("谅山", "vn.province.lang-son", "folded"),
        ("谅山省", "vn.province.lang-son", "exact"),
        ("Caobang", "vn.province.cao-bang", "folded"),  # run together: compact key
        ("Cao Bang province", "vn.province.cao-bang", "folded"),
        ("Lang Son provice", "vn.province.lang-son", "fuzzy"),  # misspelt generic word
        ("Lang Sonn", "vn.province.lang-son", "fuzzy"),
        ("Huu Nghi gate", "vn.border_gate.huu-nghi", "folded"),
        ("Cửa khẩu Hữu Nghị", "vn.border_gate.huu-nghi", "exact"),
        ("Youyi Guan", "cn.border_gate.youyi-guan", "exact"),
        ("友谊关", "cn.border_gate.youyi-guan", "exact"),
        ("Youyi port", "cn.border_gate.youyi-guan", "folded"),
        ("Guangxi Province", "cn.province.guangxi", "folded"),
        ("Guangxi Zhuang autonomous region", "cn.province.guangxi", "exact"),
        ("Svay Rieng Province", "kh.province.svay-rieng", "folded"),
        ("Vietnam", "vn.country.vn", "exact"),
    ],
)
def test_names_resolve(resolver, query, expected, method):
    resolution = resolver.resolve(query)
    assert resolution.place is not None, query
    assert resolution.place.id == expected
    assert resolution.best.method == method
    assert 0 < resolution.best.score <= 100


def test_scores_rank_exact_above_folded_above_fuzzy(resolver):
    exact = resolver.resolve("Cao Bằng").best.score
    folded = resolver.resolve("Cao Bang province").best.score
    fuzzy = resolver.resolve("Cao Bangg").best.score
    assert exact > folded > fuzzy


def test_kind_words_choose_between_a_province_and_its_city(resolver):
    assert resolver.resolve("Lang Son").place.id == "vn.province.lang-son"
    assert resolver.resolve("Lang Son province").place.id == "vn.province.lang-son"
    city = resolver.resolve("Lang Son city")
    assert ids(city) == ["vn.city.lang-son", "vn.province.lang-son"]
    assert not city.ambiguous  # the city lies in the province: nested, not a homonym
    assert resolver.resolve("thành phố Lạng Sơn").place.id == "vn.city.lang-son"
    assert resolver.resolve("Svay Rieng city").place.id == "kh.city.svay-rieng"


def test_unknown_names_return_nothing(resolver):
    for query in ("Paris", "Hanoi", "Lang", "", "   ", "province", "Xyzzy county"):
        resolution = resolver.resolve(query)
        assert not resolution and resolution.candidates == () and resolution.place is None, query


def test_fuzzy_never_reaches_a_far_away_place_given_context(resolver):
    assert resolver.resolve("Lang Sonn").place.id == "vn.province.lang-son"
    assert not resolver.resolve("Lang Sonn", country="KH")
    assert resolver.resolve("Lang Sonn", country="VN").place.id == "vn.province.lang-son"


def test_homonym_without_context_is_ambiguous_with_every_candidate(resolver):
    resolution = resolver.resolve("Pingxiang")
    assert resolution.ambiguous
    assert set(ids(resolution)) == {"cn.district.pingxiang", "cn.prefecture.pingxiang-jiangxi"}
    assert resolver.resolve("Pingxiang").candidates == resolution.candidates  # deterministic


@pytest.mark.parametrize(
    "context",
    [
        {"country": "VN"},
        {"country": "vn"},
        {"near": ("vn.province.lang-son",)},
        {"near": ("cn.province.guangxi",)},
        {"near": ("vn.border_gate.huu-nghi", "cn.prefecture.chongzuo")},
        {"province": "cn.province.guangxi"},
        {"province": "Guangxi"},
    ],
)
def test_context_picks_guangxi_pingxiang(resolver, context):
    resolution = resolver.resolve("Pingxiang", **context)
    assert resolution.place.id == "cn.district.pingxiang"
    assert not resolution.ambiguous
    assert "cn.prefecture.pingxiang-jiangxi" in ids(resolution)  # still listed, ranked below


def test_context_can_also_pick_jiangxi(resolver):
    resolution = resolver.resolve("Pingxiang", near=("cn.province.jiangxi",))
    assert resolution.place.id == "cn.prefecture.pingxiang-jiangxi" and not resolution.ambiguous


def test_dates_pick_the_unit_of_their_day(resolver):
    assert resolver.resolve("Hà Giang", date=dt.date(2019, 5, 10)).place.id == "vn.province.ha-giang-pre2025"
    assert resolver.resolve("Tuyên Quang", date="2026-01-01").place.id == "vn.province.tuyen-quang"
    assert resolver.resolve("Tuyen Quang", date="2019-05-10").place.id == "vn.province.tuyen-quang-pre2025"
    assert resolver.resolve("Tuyên Quang", date=dt.datetime(2025, 7, 1, 8)).place.id == "vn.province.tuyen-quang"
    # no date: the current unit first, its predecessor listed, and not a homonym
    undated = resolver.resolve("Tuyên Quang")
    assert ids(undated) == ["vn.province.tuyen-quang", "vn.province.tuyen-quang-pre2025"]
    assert not undated.ambiguous


def test_an_abolished_unit_still_resolves_with_its_successor_noted(resolver):
    resolution = resolver.resolve("Ha Giang province", date="2026-03-01")
    assert resolution.place.id == "vn.province.ha-giang-pre2025"
    assert not resolution.ambiguous
    successor = resolution.candidates[1]
    assert successor.place.id == "vn.province.tuyen-quang" and successor.method == "successor"
    assert successor.score < resolution.best.score
    kien_giang = resolver.resolve("Kien Giang", date="2025-11-04")
    assert ids(kien_giang) == ["vn.province.kien-giang-pre2025", "vn.province.an-giang"]
    # in 2019 there is no successor to mention
    assert ids(resolver.resolve("Kien Giang", date="2019-01-01")) == ["vn.province.kien-giang-pre2025"]


def test_kinds_and_limit(resolver):
    assert ids(resolver.resolve("Lang Son", kinds=("city",))) == ["vn.city.lang-son"]
    assert not resolver.resolve("Lang Son", kinds=("border_gate",))
    assert len(resolver.resolve("Pingxiang", limit=1).candidates) == 1
    assert resolver.resolve("Pingxiang", limit=1).ambiguous


def test_the_two_sides_of_a_crossing_are_not_homonyms(resolver):
    resolution = resolver.resolve("Friendship Pass")
    assert set(ids(resolution)) == {"vn.border_gate.huu-nghi", "cn.border_gate.youyi-guan"}
    assert not resolution.ambiguous
    assert resolver.resolve("Friendship Pass", country="VN").place.id == "vn.border_gate.huu-nghi"
    assert resolver.resolve("Friendship Pass", country="CN").place.id == "cn.border_gate.youyi-guan"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"country": "Vietnam"}, "country"),
        ({"country": "ZZ"}, "country"),
        ({"date": "2019-13-01"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"near": ("vn.province.atlantis",)}, "near"),
        ({"province": "Atlantis"}, "province"),
        ({"kinds": ("volcano",)}, "kind"),
    ],
)
def test_bad_context_is_an_input_error(resolver, kwargs, words):
    with pytest.raises(InputError, match=words) as info:
        resolver.resolve("Lang Son", **kwargs)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


# -- GazetteerGeocoder ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def geocoder(small) -> GazetteerGeocoder:
    return GazetteerGeocoder(gazetteer=small)


def test_geocode_returns_a_geopy_location_with_the_record(geocoder):
    location = geocoder.geocode("Lạng Sơn province")
    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == (21.83, 106.58)
    assert location.address == "Lạng Sơn, Việt Nam"
    raw = location.raw
    assert raw["id"] == "vn.province.lang-son" and raw["kind"] == "province" and raw["country"] == "VN"
    assert raw["method"] == "folded" and raw["ambiguous"] is False and raw["iso3166_2"] == "VN-09"
    json.dumps(raw)  # plain data: can be written out as it is
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("") is None
    assert geocoder.geocode(float("nan")) is None  # an empty cell of a pandas column


def test_geocode_many_and_context(geocoder):
    many = geocoder.geocode("Pingxiang", exactly_one=False)
    assert [loc.raw["id"] for loc in many] == ["cn.prefecture.pingxiang-jiangxi", "cn.district.pingxiang"]
    assert all(loc.raw["ambiguous"] for loc in many)
    assert many[0].raw["candidates"] == [loc.raw["id"] for loc in many]
    assert geocoder.geocode("Pingxiang", country="VN").raw["id"] == "cn.district.pingxiang"
    assert geocoder.geocode("Hà Giang", date="2019-05-10").raw["id"] == "vn.province.ha-giang-pre2025"
    assert geocoder.geocode("Atlantis", exactly_one=False) == []


def test_constructor_options(small):
    strict = GazetteerGeocoder(gazetteer=small, ambiguous="none")
    assert strict.geocode("Pingxiang") is None
    assert strict.geocode("Pingxiang", country="VN").raw["id"] == "cn.district.pingxiang"
    vietnam = GazetteerGeocoder(gazetteer=small, country="VN", date="2026-01-01")
    assert vietnam.geocode("Pingxiang").raw["id"] == "cn.district.pingxiang"
    assert vietnam.geocode("Tuyên Quang").raw["id"] == "vn.province.tuyen-quang"
    picky = GazetteerGeocoder(gazetteer=small, min_score=95)
    assert picky.geocode("Lang Sonn") is None and picky.geocode("Lang Son") is not None
    assert GazetteerGeocoder(path=SMALL).geocode("Lang Son").raw["id"] == "vn.province.lang-son"
    with pytest.raises(InputError):
        GazetteerGeocoder(gazetteer=small, country="XX")
    with pytest.raises(TypeError):
        GazetteerGeocoder(small)  # keyword-only, like geopy's geocoders


def test_reverse_finds_the_nearest_place(geocoder):
    at_gate = geocoder.reverse((21.971, 106.704))
    assert at_gate.raw["id"] == "vn.border_gate.huu-nghi" and at_gate.raw["distance_km"] < 0.2
    assert geocoder.reverse("21.9761, 106.7051").raw["id"] == "cn.border_gate.youyi-guan"
    near_city = geocoder.reverse((21.85, 106.76), exactly_one=False, limit=3)
    assert [loc.raw["id"] for loc in near_city] == [
        "vn.city.lang-son",
        "vn.border_gate.huu-nghi",
        "cn.border_gate.youyi-guan",
    ]
    assert [loc.raw["distance_km"] for loc in near_city] == sorted(loc.raw["distance_km"] for loc in near_city)
    # admin units only when asked for
    assert geocoder.reverse((21.83, 106.58), kinds=("province",)).raw["id"] == "vn.province.lang-son"
    # nothing within 50 km (the default): no answer, rather than a place 10,000 km away
    assert geocoder.reverse((0.0, 0.0)) is None
    assert geocoder.reverse((0.0, 0.0), exactly_one=False) == []
    assert geocoder.reverse((21.971, 106.704), max_distance_km=0.01) is None
    far = geocoder.reverse((0.0, 0.0), max_distance_km=None)
    assert far is not None and far.raw["distance_km"] > 5000
    with pytest.raises(InputError):
        geocoder.reverse("north of here")


def test_works_with_geopy_rate_limiter(geocoder):
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert geocode("Youyi Guan").raw["id"] == "cn.border_gate.youyi-guan"
    assert geocode("Pingxiang", country="VN").raw["id"] == "cn.district.pingxiang"


def test_works_with_geopandas_geocode():
    names = ["Lạng Sơn", "Youyi Guan", "Atlantis", "Cao Bang province"]
    frame = geopandas.tools.geocode(names, provider=GazetteerGeocoder, path=SMALL)
    assert isinstance(frame, geopandas.GeoDataFrame)
    assert frame.crs.to_epsg() == 4326
    addresses = list(frame["address"])
    assert addresses[0] == "Lạng Sơn, Việt Nam"
    assert addresses[1] == "Youyi Guan, Guangxi Zhuang Autonomous Region, China"
    assert addresses[2] is None or addresses[2] != addresses[2]  # None or NaN: not found
    assert addresses[3] == "Cao Bằng, Việt Nam"
    assert frame.geometry[0].x == 106.58 and frame.geometry[0].y == 21.83  # (lon, lat)
    assert frame.geometry[2].is_empty
    # context passed through to the constructor
    context = geopandas.tools.geocode(["Pingxiang"], provider=GazetteerGeocoder, path=SMALL, country="VN")
    assert (context.geometry[0].y, context.geometry[0].x) == (22.0974, 106.7566)


def test_works_with_geopandas_reverse_geocode():
    from shapely.geometry import Point

    frame = geopandas.tools.reverse_geocode([Point(106.704, 21.971)], provider=GazetteerGeocoder, path=SMALL)
    assert frame["address"][0] == "Hữu Nghị, Lạng Sơn, Việt Nam"


# -- fallback chain ------------------------------------------------------------------------


class _ListGeocoder:
    """A tiny geopy-shaped geocoder over a fixed table (stands in for an online service)."""

    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def geocode(self, query, *, exactly_one=True, timeout=None):
        self.asked.append(query)
        if query not in self.table:
            return None
        lat, lon = self.table[query]
        location = Location(f"{query}, Somewhere", (lat, lon), {"display_name": query, "osm_id": 42})
        return location if exactly_one else [location]


def test_fallback_asks_only_when_allowed_and_caches_for_review(small, tmp_path):
    cache = tmp_path / "fallback.json"
    online = _ListGeocoder({"Chi Ma": (21.87, 107.02)})
    primary = GazetteerGeocoder(gazetteer=small)

    offline = FallbackGeocoder(primary, online, cache_path=cache)
    assert offline.geocode("Chi Ma") is None
    assert online.asked == [] and not cache.exists()

    chain = FallbackGeocoder(primary, online, cache_path=cache, allow_network=True)
    assert chain.geocode("Lạng Sơn").raw["id"] == "vn.province.lang-son"  # the gazetteer first
    assert online.asked == []
    found = chain.geocode("Chi Ma")
    assert (found.latitude, found.longitude) == (21.87, 107.02)
    assert found.raw["source"] == "fallback" and found.raw["status"] == "pending"
    assert found.raw["provider"] == "_ListGeocoder" and found.raw["raw"]["osm_id"] == 42
    assert chain.geocode("Nowhere at all") is None
    assert online.asked == ["Chi Ma", "Nowhere at all"]

    # asked once: a second chain reads the answers from disk, even offline
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert set(data["answers"]) == {"chi ma", "nowhere at all"}
    again = FallbackGeocoder(primary, online, cache_path=cache)
    assert again.geocode("chi ma").raw["status"] == "pending"
    assert again.geocode("Nowhere at all") is None
    assert online.asked == ["Chi Ma", "Nowhere at all"]
    assert [e["query"] for e in again.pending()] == ["Chi Ma"]
    assert again.pending()[0]["lat"] == 21.87

    # never added to the gazetteer
    assert not Resolver(small).resolve("Chi Ma")
    assert primary.geocode("Chi Ma") is None
    assert not list(tmp_path.glob(".*.tmp*"))  # atomic write left nothing behind


def test_fallback_rejects_a_broken_cache(small, tmp_path):
    cache = tmp_path / "fallback.json"
    cache.write_text("not json", encoding="utf-8")
    with pytest.raises(InputError, match="fallback.json"):
        FallbackGeocoder(GazetteerGeocoder(gazetteer=small), _ListGeocoder({}), cache_path=cache)


# -- the bundled gazetteer: every place the seed reports name -----------------------------


@pytest.fixture(scope="module")
def real() -> Resolver:
    return Resolver(load_gazetteer())


def _province(gazetteer, resolution) -> str | None:
    province = gazetteer.province_of(resolution.place.id) if resolution else None
    return province.id if province is not None else None


REPORT_2025 = dt.date(2025, 11, 4)


@pytest.mark.parametrize(
    ("query", "context", "expected"),
    [
        ("Lang Son", {"date": REPORT_2025}, "vn.province.lang-son"),
        ("Lao Cai", {"date": REPORT_2025}, "vn.province.lao-cai"),
        ("Lao Cai", {"date": dt.date(2019, 5, 10)}, "vn.province.lao-cai-pre2025"),
        ("Svay Rieng Province", {"date": REPORT_2025}, "kh.province.svay-rieng"),
        ("An Giang", {"date": REPORT_2025}, "vn.province.an-giang"),
        ("Tay Ninh", {"date": REPORT_2025}, "vn.province.tay-ninh"),
        ("Kien Giang", {"date": REPORT_2025}, "vn.province.kien-giang-pre2025"),
        ("Guangxi Province", {}, "cn.province.guangxi"),
        ("Guangxi", {"country": "VN"}, "cn.province.guangxi"),
        ("Guangxi Zhuang autonomous region", {}, "cn.province.guangxi"),
        ("Yunnan", {}, "cn.province.yunnan"),
        ("Yunnan province", {}, "cn.province.yunnan"),
        ("Quang Ninh", {"date": dt.date(2019, 5, 10)}, "vn.province.quang-ninh"),
        ("Cao Bang", {}, "vn.province.cao-bang"),
        ("Cao Bang province", {}, "vn.province.cao-bang"),
        ("Ha Giang", {"date": dt.date(2019, 5, 10)}, "vn.province.ha-giang-pre2025"),
        ("Hà Giang province", {"date": dt.date(2019, 5, 10)}, "vn.province.ha-giang-pre2025"),
        ("Tuyên Quang", {"date": dt.date(2026, 2, 1)}, "vn.province.tuyen-quang"),
        ("Tuyên Quang", {"date": dt.date(2019, 5, 10)}, "vn.province.tuyen-quang-pre2025"),
        ("Vietnam", {}, "vn.country.vietnam"),
        ("China", {}, "cn.country.china"),
        ("Cambodia", {}, "kh.country.cambodia"),
        ("Laos", {}, "la.country.laos"),
        ("Langson", {}, "vn.province.lang-son"),
        ("谅山", {}, "vn.province.lang-son"),
        ("Lạng Sơn", {}, "vn.province.lang-son"),
    ],
)
def test_seed_admin_names_resolve(real, query, context, expected):
    resolution = real.resolve(query, **context)
    assert resolution.place is not None, query
    assert resolution.place.id == expected
    assert not resolution.ambiguous


def test_abolished_unit_in_a_late_report_notes_its_successor(real):
    resolution = real.resolve("Kien Giang", date=REPORT_2025)
    assert [c.place.id for c in resolution.candidates[:2]] == ["vn.province.kien-giang-pre2025", "vn.province.an-giang"]
    assert resolution.candidates[1].method == "successor"


@pytest.mark.parametrize(
    ("query", "context", "kinds", "province"),
    [
        ("Beijing", {}, {"province", "city"}, "cn.province.beijing"),
        ("Ho Chi Minh City", {"date": REPORT_2025}, {"province", "city"}, "vn.province.ho-chi-minh"),
        ("Ha Long", {"country": "VN"}, {"city"}, "vn.province.quang-ninh"),
        ("Jiangcheng county", {"near": ("cn.province.yunnan",)}, {"district"}, "cn.province.yunnan"),
        ("Pu'er city", {"near": ("cn.province.yunnan",)}, {"prefecture", "city"}, "cn.province.yunnan"),
        ("Pu’er", {}, {"prefecture", "city"}, "cn.province.yunnan"),
        ("Pingxiang", {"near": ("cn.province.guangxi",)}, {"district", "city"}, "cn.province.guangxi"),
        ("Pingxiang", {"country": "VN"}, {"district", "city"}, "cn.province.guangxi"),
        ("Youyi port", {"near": ("cn.province.guangxi",)}, {"border_gate", "port"}, "cn.province.guangxi"),
        ("Youyi Guan", {}, {"border_gate"}, "cn.province.guangxi"),
        ("Youyi", {"near": ("cn.city.pingxiang",)}, {"border_gate"}, "cn.province.guangxi"),
        ("友谊关", {}, {"border_gate"}, "cn.province.guangxi"),
        ("凭祥", {}, {"city", "district"}, "cn.province.guangxi"),
        ("Friendship Pass", {}, {"border_gate"}, None),
        ("Hữu Nghị", {"country": "VN"}, {"border_gate"}, "vn.province.lang-son"),
        ("Huu Nghi gate", {}, {"border_gate"}, "vn.province.lang-son"),
    ],
)
def test_seed_places_resolve_to_the_right_feature(real, query, context, kinds, province):
    resolution = real.resolve(query, **context)
    assert resolution.place is not None, f"{query} not found"
    assert resolution.place.kind in kinds, resolution.place
    if province is not None:
        assert _province(real.gazetteer, resolution) == province
    else:  # the Friendship Pass: one of the two sides of the Hữu Nghị / Youyi Guan crossing
        assert resolution.place.pair_id and _province(real.gazetteer, resolution) in {
            "vn.province.lang-son",
            "cn.province.guangxi",
        }
    assert not resolution.ambiguous


def test_real_pingxiang_is_ambiguous_without_context(real):
    resolution = real.resolve("Pingxiang")
    assert resolution.ambiguous
    guangxi = [c.place for c in resolution.candidates if real.gazetteer.province_of(c.place.id)
               and real.gazetteer.province_of(c.place.id).id == "cn.province.guangxi"]
    others = [c.place for c in resolution.candidates if c.place not in guangxi]
    assert guangxi and others  # the Guangxi border city and the Jiangxi one (~1,000 km away) are both offered
    assert any(abs(p.lat - guangxi[0].lat) > 4 for p in others)


def test_cached_answers_equal_computed_ones(real):
    uncached = Resolver(real.gazetteer, cache_size=0)
    names = [p.name for p in real.gazetteer] + [a.name for p in list(real.gazetteer)[:200] for a in real.gazetteer.aliases_of(p.id)]
    for name in names:
        first = real.resolve(name)
        assert real.resolve(name) is first  # served from the cache
        assert uncached.resolve(name) == first, name


def test_every_preferred_name_finds_its_own_place(real):
    missed = [p.id for p in real.gazetteer if p.id not in {c.place.id for c in real.resolve(p.name, limit=50).candidates}]
    assert missed == []


def test_two_resolvers_agree(real):
    other = Resolver(load_gazetteer())
    for name in ("Pingxiang", "Lao Cai", "Hekou", "Tan Thanh", "Nanning", "Vientiane"):
        assert other.resolve(name) == real.resolve(name)


def test_a_name_with_a_generic_word_is_not_a_plain_match(real):
    # "Vientiane" is first the capital, not "Vientiane Province" (a different province)
    assert real.resolve("Vientiane").place.id == "la.city.vientiane"
    assert real.resolve("Vientiane Province").place.id == "la.province.vientiane"


def _answer(resolution) -> tuple[list[tuple[str, float, str, str]], bool]:
    return [(c.place.id, c.score, c.matched, c.method) for c in resolution.candidates], resolution.ambiguous


def test_case_spacing_and_unicode_form_do_not_change_the_answer(real):
    uncached = Resolver(real.gazetteer, cache_size=0)
    for place in real.gazetteer:
        for name in [place.name] + [a.name for a in real.gazetteer.aliases_of(place.id)]:
            expected = _answer(uncached.resolve(name, limit=50))
            assert expected[0], name
            spaced = "  " + "   ".join(name.split()) + " "
            for variant in (name.upper(), name.lower(), spaced, unicodedata.normalize("NFD", name)):
                got = uncached.resolve(variant, limit=50)
                assert got.query == variant
                assert _answer(got) == expected, variant


def test_limit_cuts_the_list_but_not_the_ambiguity(real):
    full = real.resolve("Pingxiang")
    assert full.ambiguous and len(full.candidates) >= 2
    for limit in (1, 0, -3):
        short = real.resolve("Pingxiang", limit=limit)
        assert short.ambiguous
        assert short.candidates == full.candidates[:1]
    assert real.resolve("PINGXIANG", limit=2).candidates == full.candidates[:2]


def test_context_still_weighs_names_answered_from_the_prepared_tables(real):
    # the same exact name: without context ambiguous, with a country or a date it is settled
    assert real.resolve("Pingxiang").ambiguous
    assert real.resolve("Pingxiang", country="VN").place.id == real.resolve("Pingxiang", near=("cn.province.guangxi",)).place.id
    assert real.resolve("HÀ GIANG", date=dt.date(2019, 5, 10)).place.id == "vn.province.ha-giang-pre2025"
    assert real.resolve("hà giang", kinds=("city",)).place.kind == "city"



@pytest.mark.parametrize(
    ("query", "place", "not_offered"),
    [
        ("Nan-ning", "cn.city.nanning", "cn.city.qujing"),
        ("ha lang", "vn.town.thanh-nhat", "vn.city.ha-long"),
        ("Hạ Lang", "vn.town.thanh-nhat", "vn.city.ha-long"),
        ("Ha Long", "vn.city.ha-long", "vn.town.thanh-nhat"),
    ],
)
def test_junk_romanisations_make_no_false_homonyms(real, query, place, not_offered):
    resolution = real.resolve(query)
    assert resolution.place.id == place
    assert not resolution.ambiguous
    assert not_offered not in ids(resolution)
