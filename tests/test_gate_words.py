"""Generic crossing words in three languages: with them a gate's name is the gate, not the unit of its name.

The words are those of ``geomap.normalize.GENERIC_WORDS``, the matcher's
wrapping words (``geomap.places``) and the resolver's kind hints
(``geomap.geocoder``).  Every test reads the committed gazetteer through the
real loader, matcher and resolver; the sentences are our own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extract import article

from geomap.gazetteer import load_gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher, find_mentions

DAY = dt.date(2025, 5, 20)


@pytest.fixture(scope="module")
def kit():
    gazetteer = load_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def _resolved(kit, text: str) -> dict[str, str | None]:
    _, matcher, resolver = kit
    return {m.text: m.place_id for m in find_mentions(article(text, day=DAY), matcher=matcher, resolver=resolver)}


@pytest.mark.parametrize(
    "text, name, gate",
    [
        # Vietnamese: a customs-clearance lane, a bilateral / national / road gate, a border market
        ("Xe hàng xếp hàng ở lối thông quan Đình Phong.", "lối thông quan Đình Phong", "vn.border_gate.dinh-phong"),
        ("Hàng qua cửa khẩu song phương Tân Thanh tăng.", "cửa khẩu song phương Tân Thanh", "vn.border_gate.tan-thanh"),
        ("Hàng qua cửa khẩu quốc gia Chi Ma giảm.", "cửa khẩu quốc gia Chi Ma", "vn.border_gate.chi-ma"),
        ("Khách qua cửa khẩu đường bộ quốc tế Hữu Nghị.", "cửa khẩu đường bộ quốc tế Hữu Nghị", "vn.border_gate.huu-nghi"),
        ("Chợ biên giới Tân Thanh đông khách.", "Chợ biên giới Tân Thanh", "vn.border_gate.tan-thanh"),
        # Chinese: a border residents' trade zone, a highway port
        ("货物经浦寨边民互市贸易区入境。", "浦寨边民互市贸易区", "cn.border_gate.puzhai"),
        ("货物经弄怀互市贸易区入境。", "弄怀互市贸易区", "cn.border_gate.nonghuai"),
        ("货物经弄尧边民互市区入境。", "弄尧边民互市区", "cn.border_gate.nongyao"),
        ("货车经水口公路口岸出境。", "水口公路口岸", "cn.border_gate.shuikou"),
        # English: Lao and Cambodian checkpoint levels, openings, passages, lanes, trade points
        ("Guards at the Boten International Checkpoint met them.", "Boten International Checkpoint", "la.border_gate.boten"),
        ("Traders met at the Nam Tay border opening.", "Nam Tay border opening", "la.border_gate.nam-tay"),
        ("Buses used the Babu passage again.", "Babu passage", "cn.border_gate.babu"),
        ("Trucks used the Na Doong customs clearance lane.", "Na Doong customs clearance lane", "vn.border_gate.na-doong"),
        ("Traders crowded the Tan Thanh trade point.", "Tan Thanh trade point", "vn.border_gate.tan-thanh"),
    ],
)
def test_a_gate_name_with_a_generic_crossing_word_is_the_gate(kit, text, name, gate):
    found = _resolved(kit, text)
    assert found.get(name) == gate, found


def test_a_bilateral_gate_is_not_read_as_a_ward(kit):
    # "cửa khẩu song phương X": the "phương" of "song phương" (bilateral) is no "phường" (ward) before X
    found = _resolved(kit, "Hàng qua cửa khẩu song phương Tân Thanh tăng.")
    assert not any(pid and ".commune." in pid for pid in found.values()), found


@pytest.mark.parametrize(
    "text, unit",
    [
        # near misses: the same names with a commune's type word stay the commune
        ("Người dân xã Đình Phong, huyện Trùng Khánh thu hoạch lúa.", "vn.commune.dinh-phong"),
        ("A market opened in Tan Thanh commune, Van Lang district.", "vn.commune.tan-thanh"),
    ],
)
def test_without_a_crossing_word_the_unit_of_the_name_stays(kit, text, unit):
    found = _resolved(kit, text)
    assert any(pid and pid.startswith(unit) for pid in found.values()), found
    assert not any(pid and ".border_gate." in pid for pid in found.values()), found


def test_a_row_named_with_a_trade_word_keeps_its_whole_name(kit):
    # "Border Trade Zone" is part of the market's name, not a generic word: stripped, it would tie with the Dongxing gate
    found = _resolved(kit, "Stalls at the Dongxing Border Trade Zone reopened.")
    assert found.get("Dongxing Border Trade Zone") == "cn.border_gate.dongxing-border-market", found
