"""Where it happened when the agency is named in full: its seat, a reporting source, a post named after a gate.

Rules of ``geomap/incident_places.py`` (``docs/TAXONOMY.md``, "Where it
happened"), each with a near miss the rule must leave alone.  The sentences
are written for these tests.
"""

from __future__ import annotations

import pytest
from _extract import incidents_of, small_gazetteer

from geomap.gazetteer import Gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher
from geomap.records import Alias


@pytest.fixture(scope="module")
def kit():
    """The shared small gazetteer with the Vietnamese names of Cambodia and China."""
    small = small_gazetteer()
    extra = [
        Alias(place_id=i, name=n, lang="vi", kind="official", source="ref:test fixture")
        for i, n in (("kh.country.kh", "Campuchia"), ("cn.country.cn", "Trung Quốc"))
    ]
    gazetteer = Gazetteer(list(small), [a for p in small for a in small.aliases_of(p.id)] + extra)
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def _by_type(kit, text: str) -> dict[str, object]:
    found = incidents_of(kit, text)
    return {i.type: i for i in found}


def _roles(incident) -> dict[str, str]:
    return {p.place_id: p.role for p in incident.places}


def test_a_subject_pointing_back_at_the_agency_takes_its_seat_not_the_last_place_named(kit) -> None:
    # the sentence before ends on where the people were heading; "the unit" is the border guard of An Giang
    text = (
        "Ngày 3/5, Bộ đội Biên phòng tỉnh An Giang phát hiện 12 người nhập cảnh trái phép từ Campuchia. "
        "Nhóm này định sang Móng Cái làm thuê. Đơn vị cũng bắt giữ 3 vụ buôn lậu."
    )
    one = _by_type(kit, text)["goods_smuggling"]
    assert (one.place_id, one.location_precision) == ("vn.province.an-giang", 4)
    # near miss: a sentence that names its own place keeps it
    one = _by_type(kit, text.replace("3 vụ buôn lậu.", "3 vụ buôn lậu tại Tây Ninh."))["goods_smuggling"]
    assert one.place_id == "vn.province.tay-ninh"
    # near miss: without a subject pointing back, the place of the sentence before is carried as it was
    one = _by_type(kit, text.replace("Đơn vị cũng bắt giữ", "Cũng trong ngày, có"))["goods_smuggling"]
    assert one.place_id == "vn.city.mong-cai"


def test_the_unit_in_english_takes_the_seat_of_the_guards_named_before(kit) -> None:
    text = (
        "On May 3, Quang Ninh border guards caught 6 people crossing illegally from China. "
        "The group said they were bound for Ho Chi Minh City. The unit also seized 200 kg of smuggled sugar."
    )
    one = _by_type(kit, text)["goods_smuggling"]
    assert one.place_id == "vn.province.quang-ninh"
    assert _roles(one)["vn.province.quang-ninh"] == "agency"


def test_the_country_across_the_border_is_not_where_the_provincial_force_counted(kit) -> None:
    # a yearly figure of "the province's border force" across the border with Cambodia: the province, not Cambodia
    text = (
        "Ngày 10/1/2024, Bộ Chỉ huy Bộ đội Biên phòng tỉnh Tây Ninh tổng kết công tác năm.\n\n"
        "Trong năm 2023, lực lượng Biên phòng tỉnh đã phát hiện 15 vụ với 40 người xuất, nhập cảnh trái phép "
        "qua biên giới với Campuchia."
    )
    one = _by_type(kit, text)["illegal_crossing"]
    assert (one.place_id, one.location_precision) == ("vn.province.tay-ninh", 4)
    assert _roles(one)["kh.country.kh"] == "party"
    # near miss: a country that is where it happened ("hiding in Cambodia") with no pointing-back subject stays
    one = _by_type(kit, text.replace("lực lượng Biên phòng tỉnh đã phát hiện", "đã có"))["illegal_crossing"]
    assert one.place_id == "kh.country.kh"


def test_an_agency_the_reporter_learned_from_is_a_source(kit) -> None:
    one = _by_type(kit, "记者5月3日从凭祥海关获悉，河口海关4月共查获走私案件12起。")["goods_smuggling"]
    assert one.place_id == "cn.district.hekou"
    assert _roles(one)["cn.district.pingxiang"] == "source"
    # near miss: the same customs acting, not telling, is the place
    one = _by_type(kit, "凭祥海关4月共查获走私案件12起。")["goods_smuggling"]
    assert one.place_id == "cn.district.pingxiang"


def test_a_post_named_after_a_gate_is_not_where_a_trail_crossing_happened(kit) -> None:
    text = (
        "Ngày 24/1/2024, tổ công tác Đồn Biên phòng cửa khẩu Quốc tế Hữu Nghị phát hiện 8 người nhập cảnh "
        "trái phép từ Trung Quốc vào Quảng Ninh qua đường mòn."
    )
    one = _by_type(kit, text)["illegal_crossing"]
    assert one.place_id == "vn.province.quang-ninh"
    assert _roles(one)["vn.border_gate.huu-nghi"] == "agency"
    # near miss: the same post, the crossing made at the gate: the gate
    one = _by_type(kit, text.replace(" qua đường mòn", " qua cửa khẩu"))["illegal_crossing"]
    assert one.place_id == "vn.border_gate.huu-nghi"
