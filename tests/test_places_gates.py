"""Border crossings in the bundled gazetteer: secondary gates, border openings and the ports facing them.

Every test reads the committed tables (``gazetteer/``) through the real
loader, resolver and matcher, and the committed province polygons; the
sentences are our own.  The crossings named here are among those added from
named references (``scripts/_gazetteer_gates.py``, ``curated/places_border_gates.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from _extract import article

from geomap._gazetteer_checks import PROVINCE_TOLERANCE_KM
from geomap._polygons import km_outside, read_polygons
from geomap.gazetteer import load_gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher, find_mentions
from geomap.records import GATE_LEVELS

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "gazetteer" / "curated" / "places_border_gates.csv"
PROVINCES = ROOT / "gazetteer" / "boundaries" / "provinces.geojson"
DAY = dt.date(2025, 5, 20)


@pytest.fixture(scope="module")
def kit():
    gazetteer = load_gazetteer()
    return gazetteer, PlaceMatcher.from_gazetteer(gazetteer), Resolver(gazetteer)


def _resolved(kit, text: str, day: dt.date = DAY) -> dict[str, str | None]:
    _, matcher, resolver = kit
    return {m.text: m.place_id for m in find_mentions(article(text, day=day), matcher=matcher, resolver=resolver)}


# -- a gate named with its generic words is the gate, in three languages ------------------------


@pytest.mark.parametrize(
    "text, name, gate",
    [
        # English: "X border gate", "X International Border Gate", "X border checkpoint"
        ("Trucks queued at the Tay Giang border gate.", "Tay Giang border gate", "vn.border_gate.tay-giang"),
        ("The Tan Nam International Border Gate opened.", "Tan Nam International Border Gate", "vn.border_gate.tan-nam"),
        ("Guards at the Meun Chey border checkpoint met them.", "Meun Chey border checkpoint", "kh.border_gate.meun-chey"),
        ("Lao traders used the Nam Tay border gate.", "Nam Tay border gate", "la.border_gate.nam-tay"),
        ("Ferries left the Ka Long border gate at dawn.", "Ka Long border gate", "vn.border_gate.ka-long"),
        ("Tourists crossed at the Bac Luan 2 border gate.", "Bac Luan 2 border gate", "vn.border_gate.bac-luan-2"),
        # Vietnamese: "cửa khẩu X", "cửa khẩu quốc tế X", "cửa khẩu phụ X", "lối mở X"
        ("Hàng qua cửa khẩu phụ Thông Thụ tăng.", "cửa khẩu phụ Thông Thụ", "vn.border_gate.thong-thu"),
        ("Xe qua cửa khẩu Bí Hà giảm.", "cửa khẩu Bí Hà", "vn.border_gate.bi-ha"),
        ("Cửa khẩu quốc tế Tân Nam đón khách.", "Cửa khẩu quốc tế Tân Nam", "vn.border_gate.tan-nam"),
        ("Biên phòng kiểm soát lối mở Nghĩa Thuận.", "lối mở Nghĩa Thuận", "vn.border_gate.nghia-thuan"),
        ("Xe qua cửa khẩu Hồng Vân tăng.", "cửa khẩu Hồng Vân", "vn.border_gate.hong-van"),
        ("Hàng sang cửa khẩu Kà Lừm của Lào.", "cửa khẩu Kà Lừm", "la.border_gate.kaleum"),
        # Chinese: "X口岸", "X通道", "X边民互市贸易区"
        ("货物经科甲口岸入境。", "科甲口岸", "cn.border_gate.kejia"),
        ("平河口岸恢复通关。", "平河口岸", "cn.border_gate.pinghe"),
        ("八布通道临时开放客运功能。", "八布通道", "cn.border_gate.babu"),
        ("杨万通道开放客运。", "杨万通道", "cn.border_gate.yangwan"),
        ("东兴边民互市贸易区交易活跃。", "东兴边民互市贸易区", "cn.border_gate.dongxing-border-market"),
        # the waterfall crossing and the Điện Biên and Quảng Trị openings added since
        ("游客经德天口岸入境。", "德天口岸", "cn.border_gate.detian"),
        ("Du khách làm thủ tục tại cửa khẩu Bản Giốc.", "cửa khẩu Bản Giốc", "vn.border_gate.ban-gioc"),
        ("Tourists lined up at the Detian checkpoint.", "Detian checkpoint", "cn.border_gate.detian"),
        ("Người dân qua lối mở Nam Dich.", "lối mở Nam Dich", "vn.border_gate.nam-dich"),
        ("Traders used the Huoi Hia border crossing.", "Huoi Hia border crossing", "la.border_gate.huoi-hia"),
        ("Hàng qua cửa khẩu phụ Nà Bủng tăng.", "cửa khẩu phụ Nà Bủng", "vn.border_gate.na-bung"),
        ("Hàng qua cửa khẩu Bản Cheng giảm.", "cửa khẩu Bản Cheng", "vn.border_gate.ban-cheng"),
        ("Xe qua lối mở Tân Hưng.", "lối mở Tân Hưng", "cn.border_gate.xinxing"),
    ],
)
def test_a_new_gate_with_its_generic_words_resolves_to_the_gate(kit, text, name, gate):
    found = _resolved(kit, text)
    assert found.get(name) == gate, found


@pytest.mark.parametrize(
    "gate_text, gate, unit_text, unit",
    [
        # the gate shares its name with the district, commune or township it lies in: the words decide
        ("cửa khẩu Tây Giang", "vn.border_gate.tay-giang", "huyện Tây Giang", "vn.district.tay-giang-quang-nam"),
        ("cửa khẩu Thị Hoa", "vn.border_gate.bi-ha", "xã Thị Hoa, huyện Hạ Lang", "vn.commune.thi-hoa-ha-lang-cao-bang"),
        ("cửa khẩu Ka Long", "vn.border_gate.ka-long", "phường Ka Long", "vn.commune.ka-long-mong-cai-quang-ninh"),
        ("cửa khẩu phụ Tam Hợp", "vn.border_gate.tam-hop", "xã Tam Hợp, huyện Tương Dương", "vn.commune.tam-hop-tuong-duong-nghe-an"),
        ("八布通道", "cn.border_gate.babu", "八布乡", "cn.commune.babu-malipo"),
    ],
)
def test_the_generic_words_tell_a_gate_from_the_unit_of_its_name(kit, gate_text, gate, unit_text, unit):
    day = dt.date(2024, 11, 20)  # before the 2025 reform: the districts still exist
    assert _resolved(kit, f"Tin từ {gate_text}.", day).get(gate_text) == gate
    found = _resolved(kit, f"Tin từ {unit_text}.", day)
    assert unit in found.values(), found
    assert gate not in found.values(), found


# -- the rows themselves ---------------------------------------------------------------------


def _curated_rows() -> list[dict[str, str]]:
    with open(CURATED, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_crossing_has_a_level_a_reference_and_a_pair_that_points_back(kit):
    gazetteer = kit[0]
    gates = [p for p in gazetteer if p.kind == "border_gate"]
    assert len(gates) >= 165
    unpaired = []
    for gate in gates:
        assert gate.level in GATE_LEVELS, gate.id
        assert gate.source.startswith("ref:"), gate.id
        if not gate.pair_id:
            unpaired.append(gate.id)
            continue
        pair = gazetteer.get(gate.pair_id)
        assert pair is not None and pair.kind == "border_gate", gate.id
        assert pair.pair_id == gate.id, f"{gate.id} -> {pair.id} -> {pair.pair_id}"
        assert pair.country != gate.country, gate.id
    # the few whose counterpart no reference names, each saying so in its note
    assert len(unpaired) <= 10, unpaired
    for gate_id in unpaired:
        note = gazetteer.get(gate_id).note
        assert "counterpart" in note and "not" in note, gate_id


@pytest.mark.parametrize(
    "vn, other, vn_level, other_level",
    [
        ("vn.border_gate.bi-ha", "cn.border_gate.kejia", "secondary", "trade_point"),
        ("vn.border_gate.u-ma-tu-khoong", "cn.border_gate.pinghe", "secondary", "trade_point"),
        ("vn.border_gate.nghia-thuan", "cn.border_gate.babu", "trade_point", "trade_point"),
        ("vn.border_gate.na-doong", "cn.border_gate.na-ray", "international", "international"),
        ("vn.border_gate.thong-thu", "la.border_gate.nam-tay", "secondary", "secondary"),
        ("vn.border_gate.tay-giang", "la.border_gate.kaleum", "secondary", "secondary"),
        ("vn.border_gate.tan-nam", "kh.border_gate.meun-chey", "international", "international"),
        ("vn.border_gate.dak-peur", "kh.border_gate.nam-lyr", "main", "main"),
        ("vn.border_gate.ban-gioc", "cn.border_gate.detian", "trade_point", "trade_point"),
        ("vn.border_gate.nam-dich", "la.border_gate.huoi-hia", "trade_point", "trade_point"),
        ("vn.border_gate.na-bung", "la.border_gate.lao-phu-chai", "secondary", "secondary"),
        ("vn.border_gate.ban-cheng", "la.border_gate.ban-may-phac-tha-na", "secondary", "secondary"),
    ],
)
def test_new_pairs_are_symmetric_with_their_levels(kit, vn, other, vn_level, other_level):
    gazetteer = kit[0]
    a, b = gazetteer.get(vn), gazetteer.get(other)
    assert (a.pair_id, b.pair_id) == (other, vn)
    assert (a.level, b.level) == (vn_level, other_level)


def test_a_crossing_no_reference_places_says_whose_point_it_takes(kit):
    gazetteer = kit[0]
    rows = [r for r in _curated_rows() if r["coords"].startswith("place:")]
    assert len(rows) >= 75
    for row in rows:
        place = gazetteer.get(row["id"])
        target_id = row["coords"].split(":", 1)[1]
        target = gazetteer.get(target_id)
        assert (place.lat, place.lon) == (target.lat, target.lon), row["id"]
        expected = "parent" if target_id == row["parent_id"] else f"place:{target_id}"
        assert place.point_source == expected, row["id"]
        assert place.at_parent_point == (expected == "parent")
        assert "point:" in row["note"], row["id"]
    # a lane of a gate pair stands at that gate's point
    assert gazetteer.get("vn.border_gate.na-doong").point_source == "place:vn.border_gate.tra-linh"


def test_every_crossing_with_a_point_of_its_own_lies_in_its_province_polygon(kit):
    """What ``geomap gazetteer check`` warns about, held for every crossing, the new ones included."""
    gazetteer = kit[0]
    polygons = read_polygons(PROVINCES, "province_id")

    checked, no_polygon = 0, set()
    for row in _curated_rows():
        gate = gazetteer.get(row["id"])
        if gate.at_parent_point:
            continue  # only as precise as its parent, which is checked itself
        province = gazetteer.province_of(gate.id).id
        if province not in polygons:
            no_polygon.add(province)
            continue
        (km,) = km_outside(polygons[province], [gate.lat], [gate.lon])
        assert km <= PROVINCE_TOLERANCE_KM, (gate.id, province, km)
        checked += 1
    assert checked >= 110
    # Natural Earth's admin-1 predates Tbong Khmum (split from Kampong Cham in 2013): the check skips it too
    assert no_polygon <= {"kh.province.tbong-khmum"}, no_polygon


# -- a gate named like communes only is, bare, not a mention ----------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        # a street of Hanoi, a company, a person: "Hoàng Diệu", "Tân Tiến", "Tân Nam" are also communes
        ("Trụ sở công ty tại số 12 Hoàng Diệu, quận Ba Đình, Hà Nội.", "Hoàng Diệu"),
        ("Công ty Tân Tiến nhập hàng.", "Tân Tiến"),
        ("Anh Tân Nam, 32 tuổi, bị bắt tại Hà Nội.", "Tân Nam"),
        # "Tân Hưng", the Vietnamese name of China's Xinxing trade point, is a given name and dozens of communes
        ("Anh Tân Hưng, 28 tuổi, bị bắt tại Hà Nội.", "Tân Hưng"),
        ("Chị Nà Bủng bán rau ở chợ.", "Nà Bủng"),
    ],
)
def test_a_bare_gate_name_that_only_communes_share_is_not_a_gate(kit, text, name):
    found = _resolved(kit, text)
    assert not any((pid or "").startswith("vn.border_gate.") for pid in found.values()), found
    assert found.get(name) is None, found


@pytest.mark.parametrize(
    "text, name, gate",
    [
        ("Xe qua cửa khẩu Hoàng Diệu sang Campuchia.", "cửa khẩu Hoàng Diệu", "vn.border_gate.hoang-dieu"),
        ("Trucks crossed at the Hoang Dieu border gate.", "Hoang Dieu border gate", "vn.border_gate.hoang-dieu"),
        ("Xe qua Hoàng Diệu (Bình Phước) sang Campuchia.", "Hoàng Diệu", "vn.border_gate.hoang-dieu"),
        ("Hàng qua cửa khẩu phụ Tân Tiến giảm.", "cửa khẩu phụ Tân Tiến", "vn.border_gate.tan-tien"),
        ("Cửa khẩu Đắk Ruê tạm dừng hoạt động.", "Cửa khẩu Đắk Ruê", "vn.border_gate.dak-rue"),
        ("The Loc Thinh border gate reopened.", "Loc Thinh border gate", "vn.border_gate.loc-thinh"),
    ],
)
def test_such_a_gate_counts_with_its_generic_words_or_beside_its_province(kit, text, name, gate):
    found = _resolved(kit, text, dt.date(2024, 5, 1))
    assert found.get(name) == gate, found


def test_a_gate_whose_name_a_town_also_bears_keeps_its_bare_name(kit):
    # "Dong Dang railway station": the town of Đồng Đăng makes it a place name; the station is the gate
    found = _resolved(kit, "Freight trains leave Dong Dang railway station for China.", dt.date(2024, 3, 5))
    assert found.get("Dong Dang railway station") == "vn.border_gate.dong-dang-railway", found
