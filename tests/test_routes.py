"""Routes: ordered stops with roles, from sentences that describe movement."""

from __future__ import annotations

import pytest
from _extract import article, tools

from geomap.places import find_mentions
from geomap.routes import find_routes


@pytest.fixture(scope="module")
def kit():
    return tools()


def _routes(kit, text: str):
    gazetteer, matcher, resolver = kit
    a = article(text, id="r")
    mentions = find_mentions(a, matcher=matcher, resolver=resolver)
    return find_routes(a, mentions=mentions, gazetteer=gazetteer)


def _stops(route) -> list[tuple[str, str]]:
    return [(s.place_id, s.role) for s in route.stops]


def test_long_route_with_staging_transit_crossing_and_destination(kit) -> None:
    text = (
        "The path starts in Cambodia: migrants gather in Svay Rieng, walk trails into An Giang and Tay Ninh, "
        "ride to Ho Chi Minh City, and then travel north to Lang Son before crossing into China."
    )
    (route,) = _routes(kit, text)
    assert _stops(route) == [
        ("kh.country.kh", "origin"),
        ("kh.province.svay-rieng", "staging"),
        ("vn.province.an-giang", "transit"),
        ("vn.province.tay-ninh", "transit"),
        ("vn.province.ho-chi-minh", "transit"),
        ("vn.province.lang-son", "crossing"),
        ("cn.country.cn", "destination"),
    ]
    assert [s.order for s in route.stops] == [1, 2, 3, 4, 5, 6, 7]
    # country-level stops keep country precision
    assert [s.precision for s in route.stops] == [6, 4, 4, 4, 4, 4, 6]
    assert route.id == "r/r1" and route.sentence == text
    for stop in route.stops:
        assert text[stop.start : stop.end] in text


def test_from_via_into(kit) -> None:
    (route,) = _routes(kit, "The ring smuggled workers from Lao Cai via Hekou into Yunnan.")
    assert _stops(route) == [
        ("vn.province.lao-cai", "origin"),
        ("cn.district.hekou", "transit"),
        ("cn.province.yunnan", "destination"),
    ]


def test_origin_stated_after_the_destination_goes_first(kit) -> None:
    (route,) = _routes(kit, "Guards stopped nine people who had entered Lao Cai from Laos on forest trails.")
    assert _stops(route) == [("la.country.la", "origin"), ("vn.province.lao-cai", "destination")]


def test_a_border_gate_on_the_way_is_the_crossing(kit) -> None:
    (route,) = _routes(kit, "The goods were trucked from Lang Son through the Huu Nghi border gate to Guangxi.")
    assert _stops(route) == [
        ("vn.province.lang-son", "origin"),
        ("vn.border_gate.huu-nghi", "crossing"),
        ("cn.province.guangxi", "destination"),
    ]


def test_no_route_without_movement(kit) -> None:
    assert _routes(kit, "Officials from Vietnam, China and Cambodia met in Lang Son.") == []
    assert _routes(kit, "Police of Lang Son and Guangxi held talks.") == []
    assert _routes(kit, "A delegation paid a visit to China.") == []  # one place is no route


def test_where_several_groups_go_is_no_route_unless_told_in_sequence(kit) -> None:
    # two crowds with their own destinations: not one journey through four places
    text = "Shoppers from the south travelled to Pingxiang and Dongxing and traders came to Lang Son and Hekou."
    assert _routes(kit, text) == []
    (route,) = _routes(kit, "The men travelled to Lang Son and then to Dongxing.")
    assert [role for _, role in _stops(route)] == ["transit", "destination"]


def test_first_place_past_a_country_of_origin_is_the_crossing(kit) -> None:
    (route,) = _routes(kit, "They left Laos on foot, entered Lao Cai by a forest trail and then went on to Lang Son.")
    assert [role for _, role in _stops(route)] == ["origin", "crossing", "destination"]
    # a place in the country they started from is no crossing, nor one after a province
    (route,) = _routes(kit, "Migrants travelled from Cambodia to Svay Rieng and then through An Giang to Tay Ninh.")
    assert [role for _, role in _stops(route)] == ["origin", "transit", "transit", "destination"]
    # a city reached from abroad is no land crossing
    (route,) = _routes(kit, "The ring flew the women from Cambodia to Mong Cai and then to Quang Ninh.")
    assert [role for _, role in _stops(route)] == ["origin", "transit", "destination"]


def test_a_stop_where_they_waited_is_staging(kit) -> None:
    text = "The ring moved the women from Lang Son to Mong Cai, where they waited for two nights, and then into Dongxing."
    (route,) = _routes(kit, text)
    assert [role for _, role in _stops(route)] == ["origin", "staging", "destination"]
    # held by the police there: a detention, not a stop on the way
    text = "The ring moved the women from Lang Son to Mong Cai, where border guards held them, and then into Dongxing."
    (route,) = _routes(kit, text)
    assert [role for _, role in _stops(route)] == ["origin", "transit", "destination"]


def test_routes_are_numbered_in_text_order(kit) -> None:
    text = (
        "In May a group travelled from Laos into Lao Cai. "
        "In June another was taken from Mong Cai across the river into Dongxing."
    )
    routes = _routes(kit, text)
    assert [r.id for r in routes] == ["r/r1", "r/r2"]
    assert _stops(routes[1]) == [("vn.city.mong-cai", "origin"), ("cn.district.dongxing", "destination")]
