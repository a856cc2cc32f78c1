"""Bundled boundaries (gazetteer/boundaries/) and the script that rebuilds them.

The rebuild tests need Debian qgis-common's ``world_map.gpkg`` (unpacked by
``scripts/build_boundaries.py`` into ``~/.cache/geomap``); they are skipped
when it is not there, as tests never touch the network.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import os
from pathlib import Path

import pytest
from shapely.geometry import Point

from geomap._errors import InputError
from geomap.boundaries import boundaries_dir, load_countries, load_provinces

REPO = Path(__file__).resolve().parent.parent
PLACES = REPO / "gazetteer" / "places.csv"


def _script():
    spec = importlib.util.spec_from_file_location("build_boundaries", REPO / "scripts" / "build_boundaries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _world_map() -> Path | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "geomap" / "qgis-common"
    for base in (Path("/"), cache):
        path = base / "usr/share/qgis/resources/data/world_map.gpkg"
        if path.exists():
            return path
    return None


def _gazetteer_rows() -> dict[str, dict[str, str]]:
    with PLACES.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


# -- countries -------------------------------------------------------------------


def test_countries_are_the_region_in_wgs84():
    c = load_countries()
    assert c.crs.to_epsg() == 4326
    assert list(c["iso_a2"]) == ["CN", "KH", "LA", "MM", "TH", "VN"]
    assert list(c.columns) == ["iso_a2", "name", "name_vi", "name_zh", "geometry"]
    vn = c.set_index("iso_a2").loc["VN"]
    assert (vn["name"], vn["name_vi"], vn["name_zh"]) == ("Vietnam", "Việt Nam", "越南")
    assert c.set_index("iso_a2").loc["CN", "name_vi"] == "Trung Quốc"
    assert c.geometry.is_valid.all()


@pytest.mark.parametrize(
    ("lat", "lon", "iso"),
    [
        (21.0285, 105.8542, "VN"),  # Hà Nội
        (10.7769, 106.7009, "VN"),  # Hồ Chí Minh City
        (22.8170, 108.3669, "CN"),  # Nanning
        (25.0389, 102.7183, "CN"),  # Kunming
        (17.9757, 102.6331, "LA"),  # Vientiane
        (11.5564, 104.9282, "KH"),  # Phnom Penh
    ],
)
def test_cities_fall_in_their_country(lat, lon, iso):
    c = load_countries()
    found = set(c[c.geometry.covers(Point(lon, lat))]["iso_a2"])
    assert found == {iso}


def test_countries_do_not_overlap():
    c = load_countries()
    geoms = list(c.geometry)
    for i, a in enumerate(geoms):
        for b in geoms[i + 1 :]:
            assert a.intersection(b).area < 1e-6


# -- provinces --------------------------------------------------------------------


def test_provinces_both_periods_of_vietnam():
    p = load_provinces()
    assert p.crs.to_epsg() == 4326
    assert list(p.columns) == ["province_id", "name", "country", "iso3166_2", "valid_from", "valid_to", "geometry"]
    vn = p[p["country"] == "VN"]
    pre = vn[vn["valid_from"].isna()]
    post = vn[vn["valid_to"].isna()]
    assert len(pre) == 63 and len(post) == 34
    unchanged = set(pre["province_id"]) & set(post["province_id"])
    assert len(unchanged) == 11
    assert {"vn.province.lang-son", "vn.province.cao-bang", "vn.province.quang-ninh", "vn.province.hue"} <= unchanged
    assert all(i.endswith("-pre2025") for i in set(pre["province_id"]) - unchanged)
    # dissolving loses no land
    area = lambda gdf: gdf.to_crs("EPSG:6933").geometry.area.sum()  # noqa: E731  (equal-area)
    assert area(post) == pytest.approx(area(pre), rel=1e-4)
    assert 320_000e6 < area(post) < 340_000e6  # Vietnam is about 331,000 km²


def test_provinces_on_a_date():
    before = load_provinces(on=dt.date(2025, 6, 30))
    after = load_provinces(on="2025-07-01")
    assert (before["country"] == "VN").sum() == 63
    assert (after["country"] == "VN").sum() == 34
    for gdf in (before, after):
        assert {"cn.province.guangxi", "cn.province.yunnan"} <= set(gdf["province_id"])
        assert (gdf["country"] == "LA").sum() == 17 and (gdf["country"] == "KH").sum() == 24


@pytest.mark.parametrize(
    ("lat", "lon", "before", "after"),
    [
        (22.8233, 104.9836, "vn.province.ha-giang-pre2025", "vn.province.tuyen-quang"),  # Hà Giang town
        (21.7229, 104.9113, "vn.province.yen-bai-pre2025", "vn.province.lao-cai"),  # Yên Bái town
        (10.4963, 107.1684, "vn.province.ba-ria-vung-tau-pre2025", "vn.province.ho-chi-minh"),  # Bà Rịa
        (10.9804, 106.6519, "vn.province.binh-duong-pre2025", "vn.province.ho-chi-minh"),  # Thủ Dầu Một
        (21.8537, 106.7615, "vn.province.lang-son", "vn.province.lang-son"),  # Lạng Sơn, unchanged
        (22.0946, 106.7549, "cn.province.guangxi", "cn.province.guangxi"),  # Pingxiang
        (23.3636, 103.3844, "cn.province.yunnan", "cn.province.yunnan"),  # Mengzi
    ],
)
def test_towns_fall_in_the_unit_of_the_period(lat, lon, before, after):
    pt = Point(lon, lat)
    for on, expected in (("2024-01-01", before), ("2025-08-01", after)):
        p = load_provinces(on=on)
        assert list(p[p.geometry.covers(pt)]["province_id"]) == [expected], on


def test_province_ids_and_names_are_the_gazetteers():
    rows = _gazetteer_rows()
    p = load_provinces()
    for pid, name, country, iso in zip(p["province_id"], p["name"], p["country"], p["iso3166_2"], strict=True):
        assert pid in rows, f"{pid} not in gazetteer/places.csv"
        row = rows[pid]
        assert row["kind"] == "province"
        assert (row["name"], row["country"], row["iso3166_2"] or None) == (name, country, iso)
    hg = p.set_index("province_id").loc["vn.province.ha-giang-pre2025"]
    assert (hg["iso3166_2"], hg["valid_to"]) == ("VN-03", "2025-07-01")


def test_bad_date_is_an_input_error():
    with pytest.raises(InputError, match="not a date"):
        load_provinces(on="July 2025")


def test_callers_get_copies():
    first = load_provinces()
    first.loc[0, "name"] = "changed"
    again = load_provinces()
    assert len(again) > 100 and again.loc[0, "name"] != "changed"


def test_files_are_small_rfc7946_with_ids():
    total = 0
    for name, key in (("countries.geojson", "iso_a2"), ("provinces.geojson", "province_id")):
        path = boundaries_dir() / name
        total += path.stat().st_size
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert "crs" not in doc
        for feature in doc["features"]:
            assert feature["id"] == feature["properties"][key]
            polys = feature["geometry"]["coordinates"]
            polys = [polys] if feature["geometry"]["type"] == "Polygon" else polys
            for poly in polys:
                ring = poly[0]
                area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
                assert area2 > 0, f"{feature['id']}: outer ring not counter-clockwise"
    assert total < 1_500_000


# -- the build script ----------------------------------------------------------------


def test_script_rebuilds_countries_byte_identical(tmp_path):
    script = _script()
    assert script.main(["--only", "countries", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "countries.geojson").read_bytes() == (boundaries_dir() / "countries.geojson").read_bytes()


@pytest.mark.skipif(_world_map() is None, reason="world_map.gpkg not cached (run scripts/build_boundaries.py once)")
def test_script_rebuilds_provinces_byte_identical(tmp_path):
    script = _script()
    cache = _world_map().parents[5].parent  # .../geomap/qgis-common/usr/share/qgis/resources/data -> .../geomap
    code = script.main(["--only", "provinces", "--out", str(tmp_path), "--cache", str(cache)])
    assert code == 0
    assert (tmp_path / "provinces.geojson").read_bytes() == (boundaries_dir() / "provinces.geojson").read_bytes()


@pytest.mark.skipif(_world_map() is None, reason="world_map.gpkg not cached (run scripts/build_boundaries.py once)")
def test_script_fails_loudly_on_an_unmatched_polygon(tmp_path):
    script = _script()
    rows = [r for r in script.read_places(PLACES) if r["id"] != "vn.province.cao-bang"]
    with pytest.raises(script.BuildError, match=r"match no gazetteer province: VN VN-04 'Cao Bằng'"):
        script.build_provinces(_world_map(), rows, places_path=PLACES)
