"""Exports: GeoJSON (RFC 7946), GeoPackage and CSV, read back with the real libraries.

Golden files: ``tests/golden/*.geojson`` and ``*.csv`` are the exports of the
fixture in ``tests/_layers_fixture.py``.  When a change to the output is
intended, regenerate them and review the diff::

    GEOMAP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_exports.py -q
    git diff tests/golden/
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from _layers_fixture import HOSTILE_INCIDENT_ID, fixture_layers
from shapely.geometry import Point, Polygon, shape

from geomap._errors import InputError
from geomap.exports import export, to_csv, to_geojson, to_geopackage

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GEOMAP_UPDATE_GOLDEN") == "1"
# Countries and provinces are the bundled boundary files, checked by structure, not by golden copy.
GOLDEN_FILES = (
    "places.geojson",
    "incidents.geojson",
    "events.geojson",
    "routes.geojson",
    "route_stops.geojson",
    "crossings.geojson",
    "province_stats.geojson",
    "incidents.csv",
    "events.csv",
    "routes.csv",
    "route_stops.csv",
)


@pytest.fixture(scope="module")
def layers():
    return fixture_layers()


@pytest.fixture(scope="module")
def exported(layers, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    paths = export(layers, out)
    return out, paths


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _ring_is_ccw(ring: list) -> bool:
    """Shoelace sign, computed here rather than trusting shapely's orient."""
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    return area2 > 0


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


# -- what export writes ----------------------------------------------------------


def test_export_writes_every_layer_in_every_format(exported, layers):
    out, paths = exported
    names = {p.name for p in paths}
    assert {f"{n}.geojson" for n in layers.NAMES} <= names
    assert {"geomap.gpkg", "incidents.csv", "routes.csv"} <= names
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert hidden == [".geomap-manifest.json"], "temporary files left behind"  # the manifest of what geomap wrote


def test_export_rejects_unknown_format(layers, tmp_path):
    with pytest.raises(InputError, match="unknown format 'shp'"):
        export(layers, tmp_path, formats=("geojson", "shp"))
    assert not list(tmp_path.iterdir())


def test_export_one_format_only(layers, tmp_path):
    paths = export(layers, tmp_path, formats=("csv",))
    assert sorted(p.name for p in paths) == ["events.csv", "incidents.csv", "route_stops.csv", "routes.csv"]


# -- RFC 7946 ---------------------------------------------------------------------


def test_geojson_is_rfc7946(exported, layers):
    out, _ = exported
    for name, gdf in layers:
        doc = _load(out / f"{name}.geojson")
        assert doc["type"] == "FeatureCollection"
        assert "crs" not in doc, "RFC 7946 removed the crs member"
        assert len(doc["features"]) == len(gdf)
        ids = [f["id"] for f in doc["features"]]
        assert all(isinstance(i, str) and i for i in ids), name
        assert len(set(ids)) == len(ids), f"{name}: feature ids are not unique"
        for feature in doc["features"]:
            assert feature["type"] == "Feature"
            geom = feature["geometry"]
            if geom is None:
                continue
            for poly in _polygons(geom):
                assert _ring_is_ccw(poly[0]), f"{name} {feature['id']}: outer ring is clockwise"
                for hole in poly[1:]:
                    assert not _ring_is_ccw(hole), f"{name} {feature['id']}: hole is counter-clockwise"


def test_geojson_coordinates_are_lon_lat_and_rounded(exported):
    out, _ = exported
    doc = _load(out / "incidents.geojson")
    by_id = {f["id"]: f for f in doc["features"]}
    lon, lat = by_id["a001-i01"]["geometry"]["coordinates"]  # Hữu Nghị gate, Lạng Sơn
    assert 102 <= lon <= 110 and 8 <= lat <= 24
    assert (lon, lat) == (106.708, 21.967)
    text = (out / "provinces.geojson").read_text(encoding="utf-8")
    for feature in _load(out / "provinces.geojson")["features"]:
        for poly in _polygons(feature["geometry"]):
            for x, y in poly[0]:
                assert 92 <= x <= 118 and 5 <= y <= 30, f"{feature['id']}: ({x}, {y}) is not lon/lat in the region"
    numbers = [tok for tok in text.replace("[", ",").replace("]", ",").split(",") if tok[:1].isdigit()]
    assert all(len(n.split(".")[1]) <= 6 for n in numbers if "." in n)


def test_geojson_properties_a_gis_user_needs(exported):
    out, _ = exported
    inc = {f["id"]: f["properties"] for f in _load(out / "incidents.geojson")["features"]}
    rep = inc["a002-i01"]
    assert rep["type"] == "repatriation"
    assert rep["counts"] == "146 cases;431 people"
    assert (rep["value"], rep["unit"]) == (146.0, "cases")
    assert (rep["date_start"], rep["date_end"], rep["date_precision"]) == ("2024-11-01", "2024-11-30", "month")
    assert (rep["location_precision"], rep["location_precision_name"]) == (4, "province")
    assert rep["article_id"] == "a002" and rep["article_date"] == "2024-12-02"
    assert rep["sentence"].startswith("In November")
    # an incident with no place keeps its row, with a null geometry
    nowhere = next(f for f in _load(out / "incidents.geojson")["features"] if f["id"] == "a003-i05")
    assert nowhere["geometry"] is None
    routes = {f["id"]: f for f in _load(out / "routes.geojson")["features"]}
    assert routes["a001-r01"]["geometry"]["type"] == "LineString"
    assert routes["a001-r01"]["properties"]["roles"] == "origin;staging;crossing;destination"
    stops = [f["id"] for f in _load(out / "route_stops.geojson")["features"]]
    assert stops[:2] == ["a001-r01:1", "a001-r01:2"]


def test_geojson_reads_back_with_geopandas_and_pyogrio(exported, layers):
    out, _ = exported
    for name, gdf in layers:
        back = gpd.read_file(out / f"{name}.geojson")
        assert back.crs.to_epsg() == 4326
        assert len(back) == len(gdf)
        info = pyogrio.read_info(out / f"{name}.geojson")
        assert info["features"] == len(gdf)
    inc = gpd.read_file(out / "incidents.geojson").set_index("incident_id")
    assert inc.loc["a001-i01", "geometry"].equals(Point(106.708, 21.967))
    assert inc.loc["a002-i01", "geometry"].within(
        layers.provinces.set_index("province_id").loc["vn.province.ha-giang-pre2025", "geometry"]
    )


def test_geojson_polygons_survive_the_round_trip(exported, layers):
    out, _ = exported
    feats = {f["id"]: f for f in _load(out / "province_stats.geojson")["features"]}
    for pid, geom in zip(layers.province_stats["province_id"], layers.province_stats.geometry, strict=True):
        back = shape(feats[pid]["geometry"])
        assert back.is_valid, pid
        assert abs(back.area - geom.area) < 1e-6 * max(geom.area, 1)


def test_hostile_text_is_written_as_data(exported):
    out, _ = exported
    inc = {f["id"]: f["properties"] for f in _load(out / "incidents.geojson")["features"]}
    assert "<script>alert('x')</script>" in inc[HOSTILE_INCIDENT_ID]["sentence"]
    assert inc[HOSTILE_INCIDENT_ID]["article_url"] == "javascript:alert('url')"


# -- determinism and golden files ---------------------------------------------------


def test_export_is_byte_identical_run_to_run(layers, tmp_path):
    first = export(layers, tmp_path / "a", formats=("geojson", "csv"))
    second = export(fixture_layers(), tmp_path / "b", formats=("geojson", "csv"))
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_matches_golden(exported, name):
    out, _ = exported
    produced = (out / name).read_bytes()
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(produced)
    assert golden.exists(), f"{golden} missing: run with GEOMAP_UPDATE_GOLDEN=1"
    assert produced == golden.read_bytes(), f"{name} differs from {golden} (GEOMAP_UPDATE_GOLDEN=1 to accept)"


# -- GeoPackage ----------------------------------------------------------------------


def test_geopackage_has_every_layer(exported, layers):
    out, _ = exported
    gpkg = out / "geomap.gpkg"
    listed = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    expected = {
        "places": "Point",
        "incidents": "Point",
        "events": "Point",
        "routes": "LineString",
        "route_stops": "Point",
        "crossings": "Point",
        "countries": "MultiPolygon",
        "provinces": "MultiPolygon",
        "province_stats": "MultiPolygon",
    }
    assert listed == expected
    for name, gdf in layers:
        back = gpd.read_file(gpkg, layer=name)
        assert back.crs.to_epsg() == 4326, name
        assert len(back) == len(gdf), name
        assert list(back.columns) == list(gdf.columns), name
        kinds = set(back.geometry.dropna().geom_type)
        assert kinds <= {expected[name]}, (name, kinds)
    inc = gpd.read_file(gpkg, layer="incidents").set_index("incident_id")
    assert inc.loc["a002-i01", "counts"] == "146 cases;431 people"
    assert inc.loc["a001-i01", "geometry"].equals(Point(106.708, 21.967))
    assert inc.loc["a003-i05", "geometry"] is None
    stats = gpd.read_file(gpkg, layer="province_stats").set_index("province_id")
    assert stats.loc["vn.province.ha-giang-pre2025", "people"] == 431


def test_geopackage_is_byte_identical_run_to_run(layers, tmp_path):
    import pyogrio

    first = to_geopackage(layers, tmp_path / "a.gpkg").read_bytes()
    time.sleep(1.1)  # GDAL would otherwise stamp a new last_change
    second = to_geopackage(fixture_layers(), tmp_path / "b.gpkg").read_bytes()
    assert first == second
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None, "GDAL setting not restored"


# -- CSV -----------------------------------------------------------------------------


def test_csv_of_incidents_has_lat_lon(exported, layers):
    out, _ = exported
    assert (out / "incidents.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads Vietnamese names
    with (out / "incidents.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(layers.incidents)
    first = rows[0]
    assert first["incident_id"] == "a001-i01"
    assert (float(first["lat"]), float(first["lon"])) == (21.967, 106.708)
    hostile = next(r for r in rows if r["incident_id"] == HOSTILE_INCIDENT_ID)
    assert "<script>" in hostile["sentence"]
    nowhere = next(r for r in rows if r["incident_id"] == "a003-i05")
    assert nowhere["lat"] == nowhere["lon"] == ""


def test_csv_of_routes_has_wkt_lines(exported):
    out, _ = exported
    with (out / "routes.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["route_id"]: r for r in csv.DictReader(fh)}
    line = shapely.from_wkt(rows["a001-r01"]["wkt"])
    assert line.geom_type == "LineString" and len(line.coords) == 4
    assert line.coords[0] == (105.854, 21.028)  # Hà Nội, lon first
    assert float(rows["a001-r01"]["length_km"]) > 100


def test_csv_defuses_spreadsheet_formulas(layers, tmp_path):
    gdf = layers.incidents.copy()
    gdf.loc[0, "sentence"] = "=HYPERLINK(\"http://evil\")"
    path = to_csv(gdf, tmp_path / "x.csv", layer_name="incidents")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["sentence"] == "'=HYPERLINK(\"http://evil\")"


# -- atomic writes -------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    """Hidden files but the manifest of what geomap wrote: temporary files left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".geomap-manifest.json")


def test_geojson_failing_midway_leaves_old_file(layers, tmp_path):
    path = to_geojson(layers.incidents, tmp_path / "incidents.geojson", layer_name="incidents")
    before = path.read_bytes()
    bad = layers.incidents.copy()
    bad["actors"] = bad["actors"].astype(object)
    bad.at[5, "actors"] = object()  # the sixth feature cannot be written: five are already in the temp file
    with pytest.raises(InputError, match=r"incidents\.geojson: layer incidents: row 6: column actors"):
        to_geojson(bad, path, layer_name="incidents")
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_geopackage_failing_midway_leaves_old_file(layers, tmp_path):
    path = to_geopackage(layers, tmp_path / "geomap.gpkg")
    before = path.read_bytes()
    bad_stats = layers.province_stats.copy()
    bad_stats["name"] = bad_stats["name"].astype(object)
    bad_stats.at[0, "name"] = object()  # the last layer fails, after seven were written
    broken = type(layers)(**{**layers.as_dict(), "province_stats": bad_stats})
    with pytest.raises(InputError, match="layer province_stats: row 1: column name"):
        to_geopackage(broken, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert len(gpd.read_file(path, layer="incidents")) == len(layers.incidents)


def test_duplicate_ids_are_refused(layers, tmp_path):
    gdf = layers.places.copy()
    gdf.loc[1, "place_id"] = gdf.loc[0, "place_id"]
    with pytest.raises(InputError, match="duplicate feature id"):
        to_geojson(gdf, tmp_path / "p.geojson", layer_name="places")
    assert not (tmp_path / "p.geojson").exists()


def test_other_crs_is_reprojected(layers, tmp_path):
    projected = layers.crossings.to_crs("EPSG:3857")
    path = to_geojson(projected, tmp_path / "c.geojson", layer_name="crossings")
    feats = {f["id"]: f for f in _load(path)["features"]}
    lon, lat = feats["vn.border_gate.huu-nghi"]["geometry"]["coordinates"]
    assert lon == pytest.approx(106.708, abs=1e-6) and lat == pytest.approx(21.967, abs=1e-6)


def test_clockwise_input_polygon_is_reoriented(tmp_path):
    clockwise = Polygon([(105, 21), (105, 22), (106, 22), (106, 21)])
    assert not clockwise.exterior.is_ccw
    gdf = gpd.GeoDataFrame({"province_id": ["x"]}, geometry=[clockwise], crs="EPSG:4326")
    doc = _load(to_geojson(gdf, tmp_path / "x.geojson", layer_name="provinces"))
    assert _ring_is_ccw(doc["features"][0]["geometry"]["coordinates"][0])


def test_properties_keep_the_layer_order_ids_first(exported, layers):
    out, _ = exported
    feature = json.loads((out / "incidents.geojson").read_text(encoding="utf-8").splitlines()[1].rstrip(","))
    assert list(feature) == ["type", "id", "properties", "geometry"]
    keys = list(feature["properties"])
    assert keys[:3] == ["incident_id", "article_id", "type"]
    assert keys == [c for c in layers.incidents.columns if c != "geometry"]
    assert {"country", "province"} <= set(keys)


def test_geopackage_and_geoparquet_keep_days_as_dates(layers, tmp_path):
    """Days are datetime64 in the layers and stay dates in GeoPackage and GeoParquet; CSV and GeoJSON keep ISO days."""
    import pandas as pd

    from geomap.exports import to_geoparquet

    inc = layers.incidents.set_index("incident_id")
    gpkg = gpd.read_file(to_geopackage(layers, tmp_path / "t.gpkg"), layer="incidents").set_index("incident_id")
    parquet = gpd.read_parquet(to_geoparquet(layers.incidents, tmp_path / "t.parquet")).set_index("incident_id")
    for back in (gpkg, parquet):
        for col in ("date_start", "date_end", "article_date"):
            assert pd.api.types.is_datetime64_any_dtype(back[col]), col
        assert back.loc["a002-i01", "date_start"] == pd.Timestamp("2024-11-01")
        assert back.loc["a002-i01", "date_end"] == pd.Timestamp("2024-11-30")
        assert back.loc["a002-i01", "date_precision"] == "month"
        assert pd.isna(back.loc["a003-i05", "date_start"])
    assert isinstance(parquet["type"].dtype, pd.CategoricalDtype)
    assert str(parquet["location_precision"].dtype) == "Int64"
    assert (parquet["type"].astype(str) == inc.loc[parquet.index, "type"].astype(str)).all()
    with to_csv(layers.incidents, tmp_path / "i.csv", layer_name="incidents").open(encoding="utf-8-sig") as fh:
        rows = {r["incident_id"]: r for r in csv.DictReader(fh)}
    assert (rows["a002-i01"]["date_start"], rows["a003-i05"]["date_start"]) == ("2024-11-01", "")
