"""The gazetteer loader and validator, on small fixtures and on the bundled table."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from _gazetteer import BROKEN, REPO_GAZETTEER, SMALL, copy_fixture

from geomap._errors import GazetteerError, GeomapError, InputNotFoundError
from geomap.gazetteer import PLACE_COLUMNS, Gazetteer, Problem, check_gazetteer, load_gazetteer
from geomap.records import ALIAS_KINDS, ALIAS_LANGS, PLACE_KINDS, Place


@pytest.fixture(scope="module")
def small() -> Gazetteer:
    return Gazetteer.from_dir(SMALL)


# -- loading and walking ---------------------------------------------------------------


def test_loads_every_row_with_types(small):
    assert len(small) == 21
    lang_son = small.get("vn.province.lang-son")
    assert isinstance(lang_son, Place)
    assert (lang_son.name, lang_son.kind, lang_son.country) == ("Lạng Sơn", "province", "VN")
    assert (lang_son.lat, lang_son.lon, lang_son.iso3166_2) == (21.83, 106.58, "VN-09")
    ha_giang = small.get("vn.province.ha-giang-pre2025")
    assert ha_giang.valid_to == dt.date(2025, 7, 1)
    assert ha_giang.successor_id == "vn.province.tuyen-quang"
    assert small.get("vn.city.lang-son").population == 200000
    assert small.get("nowhere") is None
    assert "cn.district.pingxiang" in small and "cn.city.pingxiang" not in small


def test_iterates_in_table_order(small):
    ids = [p.id for p in small]
    assert ids[:3] == ["vn.country.vn", "cn.country.cn", "kh.country.kh"]
    assert ids[-1] == "kh.city.svay-rieng"


def test_aliases_and_names(small):
    assert [a.name for a in small.aliases_of("vn.province.lang-son")] == ["Lang Son", "Langson", "谅山省"]
    assert small.aliases_of("kh.country.kh") == ()
    names = small.names()
    assert ("Lạng Sơn", "vn.province.lang-son", "vi", "preferred") in names
    assert ("谅山省", "vn.province.lang-son", "zh", "official") in names
    assert ("Friendship Pass", "cn.border_gate.youyi-guan", "en", "official") in names
    # every place has its preferred name; every alias is there too
    assert {n.place_id for n in names if n.kind == "preferred"} == {p.id for p in small}
    assert sum(1 for n in names if n.kind != "preferred") == 18


def test_admin_tree(small):
    assert [p.id for p in small.children("cn.prefecture.chongzuo")] == ["cn.district.pingxiang"]
    assert [p.id for p in small.ancestors("cn.border_gate.youyi-guan")] == [
        "cn.district.pingxiang",
        "cn.prefecture.chongzuo",
        "cn.province.guangxi",
        "cn.country.cn",
    ]
    assert small.province_of("cn.border_gate.youyi-guan").id == "cn.province.guangxi"
    assert small.province_of("vn.province.cao-bang").id == "vn.province.cao-bang"
    assert small.province_of("vn.country.vn") is None
    assert small.country_of("vn.border_gate.huu-nghi").id == "vn.country.vn"
    assert small.country_of("cn.country.cn").id == "cn.country.cn"
    assert small.ancestors("unknown") == () and small.province_of("unknown") is None


def test_successor_on_follows_the_reform(small):
    before, after = dt.date(2019, 5, 10), dt.date(2026, 1, 1)
    assert small.successor_on("vn.province.ha-giang-pre2025", before).id == "vn.province.ha-giang-pre2025"
    assert small.successor_on("vn.province.ha-giang-pre2025", after).id == "vn.province.tuyen-quang"
    assert small.successor_on("vn.province.ha-giang-pre2025", dt.date(2025, 7, 1)).id == "vn.province.tuyen-quang"
    assert small.successor_on("vn.province.kien-giang-pre2025", after).id == "vn.province.an-giang"
    # the new unit did not exist in 2019
    assert small.successor_on("vn.province.tuyen-quang", before) is None
    assert small.successor_on("vn.province.lang-son", after).id == "vn.province.lang-son"


def test_load_gazetteer_caches_and_reloads_an_edited_table(tmp_path):
    folder = copy_fixture(SMALL, tmp_path / "gaz")
    first = load_gazetteer(folder)
    assert load_gazetteer(folder) is first
    places = folder / "places.csv"
    text = places.read_text(encoding="utf-8")
    places.write_text(text + "vn.city.dong-dang,Đồng Đăng,city,VN,vn.province.lang-son,21.94,106.70,,,,,,,ref:test,\n", "utf-8")
    stat = places.stat()
    os.utime(places, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    second = load_gazetteer(folder)
    assert second is not first
    assert "vn.city.dong-dang" in second and "vn.city.dong-dang" not in first


def test_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(InputNotFoundError) as info:
        load_gazetteer(tmp_path / "nope")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, GeomapError)
    assert "nope" in str(info.value) and "\n" not in str(info.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputNotFoundError, match="places.csv"):
        load_gazetteer(tmp_path / "empty")


def test_bundled_gazetteer_loads_and_is_clean():
    gazetteer = load_gazetteer()
    assert gazetteer is load_gazetteer(None)
    assert gazetteer.path == REPO_GAZETTEER.resolve() or gazetteer.path.parts[-2:] == ("_data", "gazetteer")
    assert "vn.province.lang-son" in gazetteer
    for place in gazetteer:
        assert place.kind in PLACE_KINDS and place.source
    for pid in ("vn.province.lang-son", "vn.province.ha-giang-pre2025", "cn.province.guangxi"):
        for alias in gazetteer.aliases_of(pid):
            assert alias.lang in ALIAS_LANGS and alias.kind in ALIAS_KINDS
    errors = [p for p in check_gazetteer() if p.severity == "error"]
    assert errors == [], "\n".join(map(str, errors))


def test_bundled_aliases_carry_no_romanisations_from_other_scripts():
    # GeoNames gives Hạ Long "ha lwng" and "halwnj" (read back from Arabic or Persian script):
    # Latin names of Vietnam, Laos and Cambodia are capitalised, and China's lower-case ones are pinyin
    gazetteer = load_gazetteer()
    lower = [
        (place.id, alias.name)
        for place in gazetteer
        for alias in gazetteer.aliases_of(place.id)
        if alias.name.isascii() and alias.name == alias.name.lower() and alias.source.startswith("geonames:")
    ]
    assert [pair for pair in lower if not pair[0].startswith("cn.")] == []
    names_of_china = {name for _, name in lower}
    assert {"qu jing", "nan ning shi"} <= names_of_china
    assert not {"chwjng", "byhay", "nanyngh"} & names_of_china
    assert "Nan-ning" not in {a.name for a in gazetteer.aliases_of("cn.city.qujing")}  # an old name of Qujing


# -- validation --------------------------------------------------------------------------

PLACES_FAULTS = [
    # (line, column, words in the message, value)
    (4, "id", "duplicate id (first on line 3)", "vn.province.lang-son"),
    (5, "parent_id", "parent does not exist", "vn.province.nowhere"),
    (6, "parent_id", "parents form a cycle", "vn.district.loop-b"),
    (8, "lat", "out of range", "95.0"),
    (9, "lon", "not a number", "east"),
    (10, "lat", "outside VN", "13.75, 100.5"),
    (12, "kind", "unknown kind", "volcano"),
    (13, "country", "not an ISO 3166-1 alpha-2 code", "XX"),
    (14, "valid_to", "not after valid_from", "2019-01-01"),
    (15, "successor_id", "successor does not exist", "vn.province.nowhere-else"),
    (16, "successor_id", "successor is not valid on 2025-07-01", "vn.province.late"),
    (18, "pair_id", "paired place does not exist", "cn.border_gate.nowhere"),
    (19, "pair_id", "not back here", "vn.border_gate.other-way"),
    (21, "name", "required value is empty", ""),
    (22, "source", "required value is empty", ""),
    (23, "iso3166_2", "not an ISO 3166-2 code of VN", "CN-GX"),
    (24, "id", "not of the form cc.kind.slug", "Bad Id"),
    (25, "valid_from", "not an ISO date", "2025-13-01"),
]
ALIAS_FAULTS = [
    (3, "place_id", "alias points to no place", "vn.province.atlantis"),
    (4, "lang", "unknown language", "klingon"),
    (5, "kind", "unknown alias kind", "nickname"),
    (6, "name", "required value is empty", ""),
]


@pytest.fixture(scope="module")
def broken_problems() -> list[Problem]:
    return check_gazetteer(BROKEN)


@pytest.mark.parametrize(("line", "column", "words", "value"), PLACES_FAULTS)
def test_each_broken_place_row_is_caught_with_its_line(broken_problems, line, column, words, value):
    found = [p for p in broken_problems if p.file.endswith("places.csv") and p.line == line and p.column == column]
    assert found, f"nothing reported at places.csv:{line} ({column})"
    assert any(words in p.message and p.value == value and p.severity == "error" for p in found), found
    assert any(f"places.csv:{line}: {column}: " in str(p) for p in found)


@pytest.mark.parametrize(("line", "column", "words", "value"), ALIAS_FAULTS)
def test_each_broken_alias_row_is_caught_with_its_line(broken_problems, line, column, words, value):
    found = [p for p in broken_problems if p.file.endswith("aliases.csv") and p.line == line and p.column == column]
    assert any(words in p.message and p.value == value and p.severity == "error" for p in found), found


def test_sound_rows_of_the_broken_table_raise_nothing(broken_problems):
    errors = {(p.file.rsplit("/", 1)[-1], p.line) for p in broken_problems if p.severity == "error"}
    # country row, Lạng Sơn, the second loop row, the late successor, the paired-back gate and the aliases' line 2
    for clean in [("places.csv", 2), ("places.csv", 3), ("places.csv", 7), ("places.csv", 17), ("places.csv", 20)]:
        assert clean not in errors
    assert ("aliases.csv", 2) not in errors
    # Đồng Đăng lies about 2 km beyond the coarse test polygon: inside the tolerance
    assert ("places.csv", 11) not in errors
    assert len([p for p in broken_problems if p.severity == "error"]) == len(PLACES_FAULTS) + len(ALIAS_FAULTS)


def test_loading_a_broken_table_raises_with_every_error():
    with pytest.raises(GazetteerError) as info:
        Gazetteer.from_dir(BROKEN)
    error = info.value
    assert isinstance(error, ValueError)
    message = str(error)
    assert "\n" not in message and "places.csv:4" in message and "geomap gazetteer check" in message
    lines = {(p.file.rsplit("/", 1)[-1], p.line) for p in error.problems}
    # all table faults (the polygon check is check_gazetteer's: it needs the boundaries)
    assert {("places.csv", line) for line, *_ in PLACES_FAULTS if line != 10} <= lines
    assert {("aliases.csv", line) for line, *_ in ALIAS_FAULTS} <= lines
    # without validation the sound rows still load
    loose = Gazetteer.from_dir(BROKEN, validate=False)
    assert "vn.city.dong-dang" in loose and "vn.city.polar" not in loose


def test_missing_columns_are_reported_at_the_header(tmp_path):
    folder = tmp_path / "gaz"
    folder.mkdir()
    (folder / "places.csv").write_text("id,name,kind,country,lat,lon,source\nvn.country.vn,Việt Nam,country,VN,16,106,x\n")
    (folder / "aliases.csv").write_text("place_id,name,lang,kind,source\n")
    problems = check_gazetteer(folder)
    header = [p for p in problems if p.line == 1 and p.file.endswith("places.csv")]
    assert {p.column for p in header} == {"parent_id", "iso3166_2", "population", "valid_from", "valid_to",
                                          "successor_id", "pair_id", "note"}


def test_ragged_row_is_reported(tmp_path):
    folder = copy_fixture(SMALL, tmp_path / "gaz")
    with open(folder / "places.csv", "a", encoding="utf-8") as fh:
        fh.write("vn.city.short,Short,city,VN\n")
    problems = check_gazetteer(folder)
    assert any(p.line == 23 and "wrong number of fields" in p.message for p in problems)
    assert any(p.line == 23 and p.column == "lat" and "required" in p.message for p in problems)


def test_point_check_is_skipped_with_a_note_without_polygons():
    problems = check_gazetteer(SMALL)
    assert not [p for p in problems if p.severity == "error"]
    assert any("point-in-country check skipped" in p.message and p.severity == "warning" for p in problems)


def test_point_check_uses_given_polygons_with_a_tolerance():
    problems = check_gazetteer(SMALL, boundaries=BROKEN / "boundaries" / "countries.geojson", ambiguities=False)
    # the test box stops at 21.98°N: Cao Bằng (22.67) and Hà Giang (22.83) lie tens of km north of it;
    # Hữu Nghị (21.9705) is inside; Lạng Sơn city is inside; CN and KH rows have no polygon to check
    outside = {p.line: p for p in problems if "outside" in p.message}
    assert sorted(outside) == [7, 8]
    assert outside[7].value == "22.67, 106.25" and "77 km outside VN" in outside[7].message
    # in no country of the file (the sea, or an island the polygons lack): a warning, not an error
    assert {p.severity for p in outside.values()} == {"warning"}


def test_a_point_inside_another_country_is_an_error(broken_problems):
    (bangkok,) = [p for p in broken_problems if p.line == 10 and p.file.endswith("places.csv")]
    assert bangkok.severity == "error" and bangkok.message == "point lies 162 km outside VN, inside TH"


def test_points_beyond_a_clipped_polygon_file_are_not_checked(tmp_path):
    folder = copy_fixture(BROKEN, tmp_path / "gaz")
    with open(folder / "places.csv", "a", encoding="utf-8") as fh:
        fh.write("vn.city.far-north,Far North,city,VN,vn.country.vn,40.0,105.0,,,,,,,ref:test,\n")
    problems = check_gazetteer(folder)
    assert not any(p.line == 26 for p in problems)
    assert any("beyond the extent" in p.message and "vn.city.far-north" in p.value for p in problems)


def test_shared_names_are_reported_once_per_group(small):
    problems = [p for p in check_gazetteer(SMALL) if p.column == "name" and p.severity == "warning"]
    pingxiang = [p for p in problems if "cn.district.pingxiang" in p.message]
    assert len(pingxiang) == 1
    assert pingxiang[0].line == 18 and "pingxiang" in pingxiang[0].value
    assert "successor" not in pingxiang[0].message  # a true homonym
    tuyen = [p for p in problems if "vn.province.tuyen-quang-pre2025" in p.message]
    assert len(tuyen) == 1 and "told apart by date" in tuyen[0].message
    friendship = [p for p in problems if "cn.border_gate.youyi-guan" in p.message]
    assert friendship and friendship[0].file.endswith("aliases.csv") and friendship[0].line == 13
    assert check_gazetteer(SMALL, ambiguities=False) == [p for p in check_gazetteer(SMALL) if p not in problems]


# -- codes, split units, points placed at the parent ----------------------------------------

_HEADER = ",".join(c for c in PLACE_COLUMNS if c != "level")  # a table written before the optional level column


def _table(tmp_path, rows: list[str]):
    folder = tmp_path / "gaz"
    folder.mkdir()
    (folder / "places.csv").write_text(_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "aliases.csv").write_text("place_id,name,lang,kind,source\n", encoding="utf-8")
    return folder


_VN = "vn.country.vn,Việt Nam,country,VN,,16.0,106.0,,,,,,,,,,ref:test,"
_HG = "vn.province.hg,Hà Giang,province,VN,vn.country.vn,22.8,104.98,,02,,,,2025-07-01,vn.province.tq,,,ref:test,"
_TQ = "vn.province.tq,Tuyên Quang,province,VN,vn.country.vn,21.8,105.2,,08,,,2025-07-01,,,,,ref:test,"


def test_a_split_unit_lists_every_successor_and_loads_them(tmp_path):
    rows = [
        _VN, _HG, _TQ,
        "vn.commune.a,A,commune,VN,vn.province.hg,22.9,105.0,,00001,,,,2025-07-01,vn.commune.b,vn.commune.b;vn.commune.c,,ref:test,",
        "vn.commune.b,B,commune,VN,vn.province.tq,22.9,105.0,,00001,,,2025-07-01,,,,,ref:test,",
        "vn.commune.c,C,commune,VN,vn.province.tq,22.8,105.1,parent,00002,,,2025-07-01,,,,,ref:test,",
    ]  # fmt: skip
    gazetteer = Gazetteer.from_dir(_table(tmp_path, rows))
    a = gazetteer.get("vn.commune.a")
    assert a.successors == ("vn.commune.b", "vn.commune.c") and a.successor_ids == a.successors
    assert [p.id for p in gazetteer.successors_on("vn.commune.a", dt.date(2026, 1, 1))] == ["vn.commune.b", "vn.commune.c"]
    assert a.code == "00001" and gazetteer.get("vn.commune.b").code == "00001"  # one code, two eras: no clash
    assert gazetteer.get("vn.commune.c").at_parent_point and not a.at_parent_point


def test_broken_successors_and_duplicated_codes_are_reported_with_their_line(tmp_path):
    rows = [
        _VN, _HG, _TQ,
        "vn.commune.a,A,commune,VN,vn.province.hg,22.9,105.0,,00001,,,,2025-07-01,vn.commune.b,vn.commune.c;vn.commune.b,,ref:test,",
        "vn.commune.b,B,commune,VN,vn.province.tq,22.9,105.0,,00007,,,2025-07-01,,,,,ref:test,",
        "vn.commune.c,C,commune,VN,vn.province.tq,22.8,105.1,,00007,,,2025-07-01,,,,,ref:test,",
        "vn.commune.d,D,commune,VN,vn.province.hg,22.9,105.0,,00009,,,,2025-07-01,vn.commune.b,vn.commune.b;vn.commune.nowhere,,ref:test,",
        "vn.commune.e,E,commune,VN,vn.province.tq,22.8,105.1,somewhere,,,,2025-07-01,,,,,ref:test,",
    ]  # fmt: skip
    problems = [p for p in check_gazetteer(_table(tmp_path, rows), ambiguities=False) if p.severity == "error"]
    found = {(p.line, p.column): p for p in problems}
    assert "first successor must be successor_id" in found[(5, "successors")].message
    assert "duplicate code" in found[(7, "code")].message and found[(7, "code")].value == "00007"
    assert "successor does not exist" in found[(8, "successors")].message
    assert found[(8, "successors")].value == "vn.commune.nowhere"
    assert (9, "point_source") in found
    assert all("places.csv:" in str(p) for p in problems)
