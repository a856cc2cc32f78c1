"""Districts, communes and gates in the bundled gazetteer: the rules that keep ten times more names precise.

Every test reads the committed tables (``gazetteer/``) through the real
loader, resolver and matcher; the sentences are our own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _extract import article

from geomap.gazetteer import is_register_unit, load_gazetteer
from geomap.geocoder import Resolver
from geomap.normalize import fold, name_key
from geomap.places import PlaceMatcher, find_mentions

OLD = dt.date(2019, 5, 10)
NEW = dt.date(2026, 2, 1)


@pytest.fixture(scope="module")
def kit():
    gazetteer = load_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def _mentions(kit, text: str, day: dt.date | None = OLD):
    _, matcher, resolver = kit
    found = find_mentions(article(text, day=day), matcher=matcher, resolver=resolver)
    return {m.text: m for m in found}


# -- the type-word rule -------------------------------------------------------------


def test_a_bare_commune_name_is_not_a_mention_but_with_its_type_word_it_is(kit):
    # "Tân Lập" is a commune in dozens of provinces, and a given name
    bare = _mentions(kit, "Ông Tân Lập, một thương lái, bị bắt tại Hà Nội.")
    assert "Tân Lập" not in bare
    typed = _mentions(kit, "Lực lượng chức năng xã Tân Lập đã bắt giữ hai đối tượng.")
    assert "xã Tân Lập" in typed
    mention = typed["xã Tân Lập"]
    # no context: it stays ambiguous, with same-named communes as candidates; never a silent pick
    assert mention.ambiguous and mention.place_id is None
    assert len(mention.candidates) > 3 and all(c.startswith("vn.commune.tan-lap") for c in mention.candidates)


@pytest.mark.parametrize(
    "text, name, place_id",
    [
        # "Hải quan" is the customs: its "quan" is not "quận" (Quảng Ninh district is in Quảng Bình)
        ("Hải quan Quảng Ninh phát hiện 12 vụ buôn lậu.", "Quảng Ninh", "vn.province.quang-ninh"),
        # a type word written with its marks still counts
        ("Công an xã Thị Hoa, huyện Hạ Lang bắt hai đối tượng.", "xã Thị Hoa", "vn.commune.thi-hoa-ha-lang-cao-bang"),
        # a text written without marks keeps its type words
        ("Cong an huyen Phong Tho, tinh Lai Chau bat 3 kg ma tuy.", "huyen Phong Tho", "vn.district.phong-tho-lai-chau"),
    ],
)
def test_a_type_word_without_the_marks_its_name_has_is_not_a_type_word(kit, text, name, place_id):
    found = _mentions(kit, text, NEW if "Quảng Ninh" in text else OLD)
    assert name in found, found
    assert found[name].place_id == place_id
    assert not any(m.place_id == "vn.district.quang-ninh-quang-binh" for m in found.values())


@pytest.mark.parametrize(
    "text",
    ["Border guards of Phong Thổ district seized 3 kg of drugs.", "Lực lượng huyện Phong Thổ bắt 3 kg ma túy."],
)
def test_a_district_with_its_type_word_in_english_or_vietnamese(kit, text):
    found = [m for m in _mentions(kit, text).values() if m.place_id == "vn.district.phong-tho-lai-chau"]
    assert found and "Phong Thổ" in found[0].text


def test_a_bare_commune_name_beside_its_parent_counts(kit):
    gazetteer = kit[0]
    found = _mentions(kit, "Hai người bị bắt ở Lũng Táo, huyện Đồng Văn, tỉnh Hà Giang.", OLD)
    mention = found["Lũng Táo"]
    assert mention.place_id == "vn.commune.lung-tao-dong-van-ha-giang"
    assert gazetteer.get(mention.place_id).parent_id == "vn.district.dong-van-ha-giang"


def test_context_picks_the_right_one_of_several_same_named_communes(kit):
    found = _mentions(kit, "Tại xã Tân Lập, huyện Thanh Sơn, tỉnh Phú Thọ, công an thu giữ 20 bánh heroin.", OLD)
    assert found["xã Tân Lập"].place_id == "vn.commune.tan-lap-thanh-son-phu-tho"
    assert not found["xã Tân Lập"].ambiguous


# -- both eras --------------------------------------------------------------------------


def test_a_2019_district_and_a_2026_commune_resolve_to_the_unit_of_their_day(kit):
    gazetteer = kit[0]
    old = _mentions(kit, "Ngày 10/5, đồn biên phòng huyện Đồng Văn bắt một vụ vận chuyển pháo.", OLD)
    district = gazetteer.get(old["huyện Đồng Văn"].place_id)
    assert district.id == "vn.district.dong-van-ha-giang" and district.parent_id == "vn.province.ha-giang-pre2025"
    assert district.valid_to == dt.date(2025, 7, 1) and district.code
    new = _mentions(kit, "Biên phòng xã Lũng Cú tuần tra dọc đường biên.", NEW)
    commune = gazetteer.get(new["xã Lũng Cú"].place_id)
    assert commune.id == "vn.commune.lung-cu-tuyen-quang" and commune.parent_id == "vn.province.tuyen-quang"
    assert commune.valid_from == dt.date(2025, 7, 1)
    old_commune = _mentions(kit, "Biên phòng xã Lũng Cú tuần tra dọc đường biên.", OLD)["xã Lũng Cú"]
    assert old_commune.place_id == "vn.commune.lung-cu-dong-van-ha-giang"
    assert gazetteer.get(old_commune.place_id).successor_id == commune.id


def test_a_split_commune_has_all_its_successors(kit):
    gazetteer = kit[0]
    split = [p for p in gazetteer if len(p.successors) > 1]
    assert len(split) > 400  # the converter splits 471
    place = split[0]
    after = gazetteer.successors_on(place.id, NEW)
    assert [p.id for p in after] == list(place.successors)
    assert gazetteer.successor_on(place.id, NEW).id == place.successor_id == place.successors[0]
    assert all(p.valid_on(NEW) for p in after)


def test_register_units_have_codes_type_word_aliases_and_ascii_forms(kit):
    gazetteer = kit[0]
    district = gazetteer.get("vn.district.ben-cau-tay-ninh")
    assert is_register_unit(district) and district.code == "711"
    names = {a.name for a in gazetteer.aliases_of(district.id)}
    assert {"Huyện Bến Cầu", "Bến Cầu district", "Ben Cau"} <= names


# -- Chinese ----------------------------------------------------------------------------


def test_traditional_characters_resolve_like_simplified(kit):
    assert fold("諒山廣西中國") == "谅山广西中国"
    assert name_key("廣西壯族自治區") == name_key("广西壮族自治区")
    found = _mentions(kit, "諒山省與廣西接壤，中國海關加強檢查。", None)
    ids = {m.place_id for m in found.values()}
    assert {"vn.province.lang-son", "cn.province.guangxi", "cn.country.china"} <= ids


# -- gates and the names of other things --------------------------------------------------


@pytest.mark.parametrize(
    "text, gate",
    [
        ("Trucks queued at the Lao Cai International Border Gate on Monday.", "vn.border_gate.lao-cai"),
        ("Exports through Youyiguan Highway Port rose.", "cn.border_gate.youyi-guan"),
        ("Hàng hóa qua cửa khẩu quốc tế Lào Cai tăng mạnh.", "vn.border_gate.lao-cai"),
        ("货物经友谊关口岸出口。", "cn.border_gate.youyi-guan"),
    ],
)
def test_a_gate_named_with_its_generic_words_resolves_to_the_gate(kit, text, gate):
    ids = [m.place_id for m in _mentions(kit, text, None).values()]
    assert gate in ids
    assert not {"vn.province.lao-cai", "vn.city.lao-cai"} & set(ids)


@pytest.mark.parametrize(
    "text, gate",
    [
        # secondary gates, border-trade crossings and China's ports, each with the generic words of its language
        ("Goods moved through the Ban Vuoc border gate and the Po Peo border gate.", "vn.border_gate.ban-vuoc"),
        ("Goods moved through the Ban Vuoc border gate and the Po Peo border gate.", "vn.border_gate.po-peo"),
        ("Traffic at Yuexu Port and the Mohan Highway Port rose in May.", "cn.border_gate.yuexu"),
        ("Traffic at Yuexu Port and the Mohan Highway Port rose in May.", "cn.border_gate.mohan"),
        ("Buses now use the Kim Thanh International Border Gate.", "vn.border_gate.kim-thanh"),
        ("Hàng qua cửa khẩu phụ Bản Vược giảm, qua cửa khẩu Pò Peo tăng.", "vn.border_gate.ban-vuoc"),
        ("Hàng qua cửa khẩu phụ Bản Vược giảm, qua cửa khẩu Pò Peo tăng.", "vn.border_gate.po-peo"),
        ("Biên phòng kiểm soát chặt lối mở Đình Phong.", "vn.border_gate.dinh-phong"),
        ("Xe hàng xếp hàng tại cửa khẩu quốc tế Bình Hiệp.", "vn.border_gate.binh-hiep"),
        ("货物经坝洒边民互市点入境，岳圩口岸同日恢复通关。", "cn.border_gate.bazha"),
        ("货物经坝洒边民互市点入境，岳圩口岸同日恢复通关。", "cn.border_gate.yuexu"),
        ("磨憨国际口岸出入境人员增长。", "cn.border_gate.mohan"),
    ],
)
def test_secondary_gates_trade_points_and_chinese_ports_resolve_to_their_side(kit, text, gate):
    gazetteer = kit[0]
    found = {m.place_id: m for m in _mentions(kit, text, NEW).values()}
    assert gate in found, sorted(filter(None, found))
    place = gazetteer.get(gate)
    assert place.kind == "border_gate" and place.level in ("international", "main", "secondary", "trade_point")
    # the facing gate is one step away, on the other side
    pair = gazetteer.get(place.pair_id)
    assert pair.pair_id == gate and pair.country != place.country


def test_a_gate_pair_is_readable_with_its_levels(kit):
    gazetteer = kit[0]
    ban_vuoc = gazetteer.get("vn.border_gate.ban-vuoc")
    bazha = gazetteer.get(ban_vuoc.pair_id)
    assert (bazha.id, bazha.country, bazha.level, ban_vuoc.level) == ("cn.border_gate.bazha", "CN", "trade_point", "secondary")
    # placed at the commune it lies in, and saying so
    assert ban_vuoc.point_source == "place:vn.commune.ban-vuoc-bat-xat-lao-cai"
    commune = gazetteer.get("vn.commune.ban-vuoc-bat-xat-lao-cai")
    assert (ban_vuoc.lat, ban_vuoc.lon) == (commune.lat, commune.lon)
    assert bazha.at_parent_point and bazha.parent_id == "cn.district.hekou"
    assert gazetteer.get("cn.border_gate.youyi-guan").level == "international"


@pytest.mark.parametrize(
    "text, place",
    [
        ("Đoàn công tác Quảng Tây sang thăm Lạng Sơn.", "cn.province.guangxi"),
        ("Chuyến bay từ Côn Minh hạ cánh xuống Hà Nội.", "cn.city.kunming"),
        ("Hàng hóa từ Tứ Xuyên về Hà Khẩu.", "cn.province.sichuan"),
        ("Lao động từ Công Pông Chàm sang Tây Ninh làm thuê.", "kh.province.kampong-cham"),
        ("Hai người quê Xvây Riêng bị bắt ở An Giang.", "kh.province.svay-rieng"),
        ("Đoàn đại biểu tỉnh Phôngxalỳ thăm Điện Biên.", "la.province.phongsaly"),
        ("Đường sắt nối Luông Pha Băng với Viêng Chăn.", "la.province.luang-prabang"),
    ],
)
def test_vietnamese_names_of_neighbouring_provinces_and_cities(kit, text, place):
    ids = {m.place_id for m in _mentions(kit, text, NEW).values()}
    assert place in ids, ids


def test_pingxiang_city_beside_chongzuo_is_guangxis(kit):
    gazetteer = kit[0]
    for text in (
        "Police in Pingxiang City, Chongzuo, seized 40 kg of methamphetamine.",
        "Customs in Pingxiang City, Guangxi, stopped a truck.",
    ):
        mention = _mentions(kit, text, None)["Pingxiang City"]
        assert mention.place_id is not None
        assert gazetteer.province_of(mention.place_id).id == "cn.province.guangxi", text


def test_a_bridge_named_after_countries_is_not_the_countries(kit):
    found = _mentions(kit, "Traders crossed the China-Vietnam friendship bridge at dawn.", None)
    assert not [m for m in found.values() if m.place_id in ("cn.country.china", "vn.country.vietnam")]
    # the border itself is still a mention of both countries
    border = _mentions(kit, "Guards patrolled the China-Vietnam border at dawn.", None)
    assert {m.place_id for m in border.values()} >= {"cn.country.china", "vn.country.vietnam"}


# -- Cambodia -----------------------------------------------------------------------------


def test_cambodian_districts_and_communes_with_codes_khmer_names_and_a_point_source(kit):
    gazetteer = kit[0]
    district = gazetteer.get("kh.district.svay-teab-svay-rieng")
    assert district.code == "2007" and district.parent_id == "kh.province.svay-rieng"
    assert district.point_source.startswith("geonames:")  # placed from GeoNames by name within its province
    communes = [p for p in gazetteer if p.country == "KH" and p.kind == "commune"]
    assert len(communes) > 1600
    assert all(p.point_source == "parent" or p.point_source.startswith("geonames:") for p in communes)
    bavet = gazetteer.get("kh.commune.bavet-bavet-svay-rieng")
    assert any(a.lang == "km" for a in gazetteer.aliases_of(bavet.id))
    found = _mentions(kit, "Police of Svay Teab district and Bavet commune met their Vietnamese counterparts.", None)
    assert found["Svay Teab district"].place_id == district.id
    assert found["Bavet commune"].place_id == bavet.id


def test_lao_districts_are_placed_and_say_where_their_point_comes_from(kit):
    gazetteer = kit[0]
    districts = [p for p in gazetteer if p.country == "LA" and p.kind == "district"]
    assert len(districts) == 148
    assert all(p.code.startswith("LA.") and gazetteer.get(p.parent_id).kind == "province" for p in districts)
    placed = [p for p in districts if not p.at_parent_point]
    assert placed and all(p.point_source.startswith("geonames:") for p in placed)


def test_a_unit_with_its_type_word_is_not_cut_short_by_a_shorter_name_with_the_same_word(kit):
    # "huyện Nậm" alone would be Ho Chi Minh City's Quận Năm (its GeoNames alias "Nam" takes any district
    # word); the whole "huyện Nậm Pồ" is Điện Biên's district, and the commune before it keeps its own
    found = _mentions(kit, "Sạt lở ở xã Nà Bủng, huyện Nậm Pồ, tỉnh Điện Biên.", dt.date(2024, 9, 1))
    assert "huyện Nậm Pồ" in found, found
    assert found["huyện Nậm Pồ"].place_id == "vn.district.nam-po-dien-bien"
    assert found["xã Nà Bủng"].place_id == "vn.commune.na-bung-nam-po-dien-bien"
    assert not any(m.place_id == "vn.district.nam" for m in found.values()), found
    # near miss: the short name with its own type word is still that district
    found = _mentions(kit, "Một vụ cháy xảy ra ở Quận Năm, TP. Hồ Chí Minh.", dt.date(2024, 9, 1))
    assert any(m.place_id == "vn.district.nam" for m in found.values()), found
