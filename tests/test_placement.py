"""Where it happened: the place of the event, not an agency's seat, a biography or a reporting source."""

from __future__ import annotations

import pytest
from _extract import incidents_of, tools


@pytest.fixture(scope="module")
def kit():
    return tools()


def _one(kit, text: str, **kwargs):
    found = incidents_of(kit, text, **kwargs)
    assert len(found) == 1, found
    return found[0]


def _roles(incident) -> dict[str, str]:
    return {p.place_id: p.role for p in incident.places}


def test_the_place_of_the_arrest_not_the_seat_of_the_police(kit) -> None:
    one = _one(kit, "On May 3, Quang Ninh police arrested 4 people crossing illegally in Mong Cai.")
    assert (one.place_id, one.location_precision) == ("vn.city.mong-cai", 1)
    assert _roles(one)["vn.province.quang-ninh"] == "agency"
    # near miss: with no other place the agency's seat is all the text gives, and it surely holds the event
    one = _one(kit, "On May 3, Lao Cai police arrested 4 people crossing illegally.")
    assert (one.place_id, one.location_precision) == ("vn.province.lao-cai", 4)


def test_a_reporting_agency_is_never_the_place(kit) -> None:
    one = _one(kit, "Guards stopped 9 people crossing illegally at Huu Nghi on May 2, the Lang Son border guard said.")
    assert one.place_id == "vn.border_gate.huu-nghi"
    assert _roles(one)["vn.province.lang-son"] == "source"
    one = _one(kit, "According to Lao Cai police, 9 people were caught crossing illegally on May 2.")
    assert one.place_id != "vn.province.lao-cai"


def test_a_place_in_a_biography_is_not_where_it_happened(kit) -> None:
    one = _one(kit, "On May 8, a 35-year-old man from Lao Cai was caught crossing illegally at Huu Nghi.")
    assert one.place_id == "vn.border_gate.huu-nghi"
    assert _roles(one)["vn.province.lao-cai"] == "biography"
    one = _one(kit, "A native of Tay Ninh, he was arrested on May 8 with 3 kg of heroin in Mong Cai.")
    assert one.place_id == "vn.city.mong-cai"


def test_who_asks_is_not_where(kit) -> None:
    one = _one(kit, "Vietnamese police on May 8 arrested 2 fugitives wanted by China. Vietnam said more would follow.")
    assert one.place_id == "vn.country.vn" and one.location_precision == 6
    assert _roles(one)["cn.country.cn"] == "requester"


def test_a_seizure_on_a_road_is_near_its_start_not_at_the_town_it_leads_to(kit) -> None:
    one = _one(kit, "On May 3, officers stopped a truck on the road from Mong Cai to Lang Son carrying 2 tonnes of smuggled sugar.")
    assert (one.place_id, one.location_precision) == ("vn.city.mong-cai", 2)
    # near miss: a truck heading to a town, with no road named, is still placed by "to"
    one = _one(kit, "On May 3, officers stopped a truck heading to Lang Son with 2 tonnes of smuggled sugar.")
    assert one.place_id == "vn.province.lang-son"


def test_a_dateline_only_when_the_sentence_names_no_other_place(kit) -> None:
    one = _one(kit, "QUANG NINH - Border guards from Mong Cai stopped 6 people crossing illegally on May 4.")
    assert one.place_id == "vn.city.mong-cai"
    assert _roles(one)["vn.province.quang-ninh"] == "dateline"


def test_a_possessive_city_names_no_place_and_the_agency_country_stands(kit) -> None:
    one = _one(kit, "In 2022, Vietnamese police handed over 2 fugitives on Lang Son's wanted list. Vietnam said so.")
    assert one.place_id == "vn.country.vn" and one.location_precision == 6


def test_a_list_shares_its_first_role_only_when_the_names_are_side_by_side(kit) -> None:
    one = _one(kit, "Police from Lao Cai, Lang Son and Quang Ninh met in Mong Cai on May 4 and signed a plan.")
    roles = _roles(one)
    assert roles["vn.province.lao-cai"] == roles["vn.province.lang-son"] == roles["vn.province.quang-ninh"] == "agency"
    assert one.place_id == "vn.city.mong-cai"


# -- a unit inside another one named beside it: the bundled gazetteer ---------------------------


@pytest.fixture(scope="module")
def bundled():
    from geomap.gazetteer import load_gazetteer
    from geomap.geocoder import Resolver
    from geomap.places import PlaceMatcher

    gazetteer = load_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


@pytest.mark.parametrize(
    "text, day, place, precision",
    [
        # a township with its type word after its county-level city: both are drawn at precision 1
        ("11月18日，东兴市江平镇边境派出所在海边拦下一辆货车，查获走私冻品12吨。", "2024-11-20", "cn.town.jiangping", 1),
        # a township no source places stands at its county's point: precision 3, but still the township
        ("同一天，宁明县爱店镇警方在山间小路截获走私香烟300条。", "2024-11-20", "cn.town.aidian-ningming", 3),
        # a commune after its district, as Vietnamese reports name them
        ("Ngày 12/3, Đồn Biên phòng xã Lũng Cú, huyện Đồng Văn bắt giữ 2 đối tượng vận chuyển 3 kg ma túy.",
         "2019-03-14", "vn.commune.lung-cu-dong-van-ha-giang", 1),
    ],
)  # fmt: skip
def test_a_township_or_commune_named_with_its_parent_is_the_place(bundled, text, day, place, precision) -> None:
    import datetime as dt

    one = _one(bundled, text, day=dt.date.fromisoformat(day))
    assert (one.place_id, one.location_precision) == (place, precision)
    assert set(_roles(one)) > {place}  # the parent is still among the incident's places


def test_a_township_outside_the_city_named_does_not_take_its_place(bundled) -> None:
    import datetime as dt

    # near miss: 江平镇 is not inside 凭祥市, so the rule does not apply and the first place named stays
    one = _one(bundled, "11月18日，凭祥市警方与江平镇边境派出所查获走私冻品12吨。", day=dt.date(2024, 11, 20))
    assert one.place_id == "cn.district.pingxiang" or one.place_id.startswith("cn.city.pingxiang")
