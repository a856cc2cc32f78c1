"""One fact, one incident: restatements within a report merge; different facts sharing a number do not."""

from __future__ import annotations

import datetime as dt

import pytest
from _extract import incidents_of, tools

from geomap.records import Count, DateSpan
from geomap.restatements import counts_agree, nested_places, same_period


@pytest.fixture(scope="module")
def kit():
    return tools()


def _incidents(kit, text: str):
    return incidents_of(kit, text)


def test_lede_and_body_telling_one_seizure_are_one_incident_with_both_spans(kit) -> None:
    text = (
        "Border guards in Quang Ninh seized 2.3 tonnes of smuggled sugar on May 4.\n\n"
        "The guards stopped a truck in Mong Cai on May 4 and found 2.3 tonnes of smuggled sugar and 400 kg "
        "of smuggled cigarettes under a load of fruit."
    )
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["goods_smuggling"]
    (one,) = found
    # both tellings kept as evidence, the first one's sentence as the incident's
    assert len(one.evidence) == 2
    assert [text[a:b] for a, b in one.evidence][1].startswith("The guards stopped a truck")
    assert one.sentence.startswith("Border guards in Quang Ninh")
    # the most specific place (Mong Cai inside Quang Ninh) and every figure
    assert one.place_id == "vn.city.mong-cai"
    assert {(c.value, c.unit) for c in one.counts} == {(2.3, "tonnes"), (400, "kg")}
    assert one.id == "t1#1"


def test_the_same_number_in_two_months_is_two_facts(kit) -> None:
    text = (
        "On March 3, border guards in Lang Son stopped 12 people crossing illegally from China.\n\n"
        "On May 9, border guards in Lang Son stopped 12 people crossing illegally from China."
    )
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["illegal_crossing", "illegal_crossing"]
    assert all(len(i.evidence) == 1 for i in found)
    assert [i.id for i in found] == ["t1#1", "t1#2"]


def test_the_same_number_in_two_provinces_is_two_facts(kit) -> None:
    text = (
        "On March 3, guards in Lang Son stopped 12 people crossing illegally.\n\n"
        "On March 3, guards in Lao Cai stopped 12 people crossing illegally."
    )
    assert len(_incidents(kit, text)) == 2


def test_the_same_number_of_another_unit_or_type_is_another_fact(kit) -> None:
    text = (
        "Since January, police in Lang Son found 12 cases of illegal entry.\n\n"
        "Since January, police in Lang Son caught 12 people crossing illegally."
    )
    assert len(_incidents(kit, text)) == 2
    text = "On May 2 police in Lao Cai seized 12 kg of heroin.\n\nOn May 2 police in Lao Cai seized 12 kg of smuggled pork."
    assert sorted(i.type for i in _incidents(kit, text)) == ["drug_trafficking", "goods_smuggling"]


def test_a_shared_figure_with_a_conflicting_one_is_not_a_restatement(kit) -> None:
    text = (
        "Since January, police in Lang Son found 146 cases of illegal entry involving 431 people.\n\n"
        "Since January, police in Lang Son found 146 cases of illegal entry involving 200 people."
    )
    assert len(_incidents(kit, text)) == 2


def test_rules_one_by_one(kit) -> None:
    gazetteer, _, _ = kit
    people = Count(58, "people")
    assert counts_agree([people], [Count(58, "people"), Count(17, "people")])
    assert not counts_agree([people], [Count(60, "people")])
    assert not counts_agree([people], [])  # a figure and none: not shown to be the same
    assert not counts_agree([Count(12, "cases")], [Count(12, "people")])
    assert nested_places("vn.border_gate.huu-nghi", "vn.province.lang-son", gazetteer)
    assert nested_places("vn.country.vn", "vn.city.mong-cai", gazetteer)
    assert not nested_places("vn.province.lao-cai", "vn.province.lang-son", gazetteer)
    assert not nested_places("cn.country.cn", "vn.city.mong-cai", gazetteer)
    may = DateSpan(dt.date(2024, 5, 1), dt.date(2024, 5, 31), "month", "in May")
    may4 = DateSpan(dt.date(2024, 5, 4), dt.date(2024, 5, 4), "day", "on May 4")
    june = DateSpan(dt.date(2024, 6, 1), dt.date(2024, 6, 30), "month", "in June")
    unstated = DateSpan(dt.date(2024, 6, 1), dt.date(2024, 6, 30), "month", "")
    assert same_period(may, may4) and same_period(may4, may)
    assert not same_period(may4, june)
    assert same_period(may4, unstated)  # the publication month stands in: no stated period to differ


# -- crossing and trade statistics ------------------------------------------------


def test_yearly_totals_of_people_vehicles_and_trade_with_their_change(kit) -> None:
    text = (
        "In 2023, more than 1.2 million people and 150,000 vehicles passed through Huu Nghi, up 12% on 2022.\n\n"
        "Import-export turnover through Lang Son reached 4.5 million tonnes in 2023, down 4.5 percent from a year earlier."
    )
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["crossing_statistics", "crossing_statistics"]
    people, trade = found
    assert [(c.value, c.unit) for c in people.counts] == [(1_200_000, "people"), (150_000, "vehicles")]
    assert (people.date.start, people.date.end, people.date.precision) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year")
    assert people.change == "+12%" and people.place_id == "vn.border_gate.huu-nghi"
    assert [(c.value, c.unit) for c in trade.counts] == [(4_500_000, "tonnes")]
    assert trade.change == "-4.5%"


def test_a_share_is_no_change(kit) -> None:
    text = "In 2023, 800,000 passengers passed through Huu Nghi; 12% of them were tourists."
    (one,) = _incidents(kit, text)
    assert one.type == "crossing_statistics" and one.change == ""
