"""Layers: GeoDataFrames built from hand-made extraction tables (tests/_layers_fixture.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest
from _layers_fixture import (
    HOSTILE_INCIDENT_ID,
    FixtureExtraction,
    fixture_extraction,
    fixture_gazetteer,
    fixture_layers,
)
from shapely.geometry import LineString, Point

from geomap._errors import InputError
from geomap.layers import LAYER_NAMES, Layers, build_layers, point

# The contract of docs/ARCHITECTURE.md, "Layers".
INCIDENT_TABLE = (
    "incident_id, article_id, type, value, value_max, unit, qualifier, counts, change, date_start, date_end, "
    "date_precision, date_text, place_id, places, location_precision, actors, sentence, start, end, source"
)
CONTRACT = {
    "places": "place_id, name, kind, country, mentions, articles",
    "incidents": INCIDENT_TABLE
    + ", place_name, location_precision_name, country, province, article_title, article_source, article_url, article_date, event_id",
    "events": "event_id, type, reports, incident_ids, date_start, date_end, place_id, place_name, location_precision, "
    "counts_disagree, counts, sources",
    "routes": "route_id, article_id, stops, roles, length_km, sentence",
    "route_stops": "route_id, stop, place_id, name, role, precision",
    "crossings": "place_id, name, country, pair_id, pair_name, kind",
    "countries": "iso_a2, name, name_vi, name_zh",
    "provinces": "province_id, name, country, iso3166_2, valid_from, valid_to",
    "province_stats": "province_id, name, country, incidents, people",
}
ID_OF = {
    "places": "place_id",
    "incidents": "incident_id",
    "events": "event_id",
    "routes": "route_id",
    "crossings": "place_id",
    "countries": "iso_a2",
    "provinces": "province_id",
    "province_stats": "province_id",
}


@pytest.fixture(scope="module")
def layers() -> Layers:
    return fixture_layers()


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between (lon, lat) points, mean Earth radius: an independent check of pyproj."""
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _extraction(**tables: pd.DataFrame) -> FixtureExtraction:
    return dataclasses.replace(fixture_extraction(), **tables)


# -- shape of the layers ----------------------------------------------------------


def test_every_layer_has_exactly_the_contract_columns(layers):
    assert tuple(name for name, _ in layers) == LAYER_NAMES == tuple(CONTRACT)
    for name, gdf in layers:
        expected = [c.strip() for c in CONTRACT[name].split(",")]
        assert list(gdf.columns) == [*expected, "geometry"], name
        assert gdf.geometry.name == "geometry"


def test_every_layer_is_wgs84_and_sorted_by_id(layers):
    for name, gdf in layers:
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, name
        if name in ID_OF:
            ids = list(gdf[ID_OF[name]])
            assert ids == sorted(ids), name
            assert len(set(ids)) == len(ids), name
    stops = list(zip(layers.route_stops["route_id"], layers.route_stops["stop"], strict=True))
    assert stops == sorted(stops)


def test_as_dict_getitem_and_frozen(layers):
    assert list(layers.as_dict()) == list(LAYER_NAMES)
    assert layers["incidents"] is layers.incidents
    with pytest.raises(KeyError):
        layers["nope"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        layers.incidents = layers.places  # type: ignore[misc]


def test_build_is_deterministic(layers):
    again = fixture_layers()
    for (name, a), (_, b) in zip(layers, again, strict=True):
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry")), name
        assert list(a.geometry.to_wkt()) == list(b.geometry.to_wkt()), name


def test_point_swaps_lat_lon_once():
    assert point(21.967, 106.708).equals(Point(106.708, 21.967))
    assert point(None, 106.0) is None
    assert point(float("nan"), 106.0) is None


# -- incidents ------------------------------------------------------------------------


def test_incident_at_a_gate_is_the_gate_point(layers):
    inc = layers.incidents.set_index("incident_id")
    geom = inc.loc["a001-i01", "geometry"]
    assert geom.equals(Point(106.708, 21.967))
    assert 102 <= geom.x <= 110 and 8 <= geom.y <= 24
    assert inc.loc["a001-i01", "place_name"] == "Hữu Nghị"
    assert inc.loc["a001-i01", "location_precision_name"] == "exact"


def test_province_wide_incident_is_inside_its_province(layers):
    inc = layers.incidents.set_index("incident_id")
    provinces = layers.provinces.set_index("province_id")
    ha_giang = provinces.loc["vn.province.ha-giang-pre2025", "geometry"]
    geom = inc.loc["a002-i01", "geometry"]
    assert geom.within(ha_giang)
    assert not geom.equals(Point(104.984, 22.823)), "should be the polygon's point, not the gazetteer's"
    lao_cai_after = provinces.loc["vn.province.lao-cai", "geometry"]
    assert inc.loc["a003-i01", "geometry"].within(lao_cai_after)
    assert inc.loc["a002-i01", "location_precision_name"] == "province"


def test_incident_without_place_is_kept_without_geometry(layers):
    inc = layers.incidents.set_index("incident_id")
    assert inc.loc["a003-i05", "geometry"] is None
    assert inc.loc["a003-i05", "place_name"] == ""
    assert len(layers.incidents) == len(fixture_extraction().incidents)


def test_incident_carries_article_and_evidence(layers):
    inc = layers.incidents.set_index("incident_id")
    row = inc.loc["a002-i01"]
    assert row["article_title"].startswith("Provincial police")
    assert row["article_source"] == "Test Daily"
    assert row["article_url"] == "https://example.org/a002"
    assert row["article_date"] == pd.Timestamp("2024-12-02")
    assert row["counts"] == "146 cases;431 people"
    assert row["date_start"] == pd.Timestamp("2024-11-01") and row["date_precision"] == "month"
    assert row["location_precision"] == 4
    # text is kept as data: escaping is the map's job
    assert "<script>" in inc.loc[HOSTILE_INCIDENT_ID, "sentence"]


def test_dates_given_as_date_objects_are_days():
    ext = fixture_extraction()
    incidents = ext.incidents.copy()
    incidents["date_start"] = [dt.date.fromisoformat(d) if isinstance(d, str) else None for d in incidents["date_start"]]
    articles = ext.articles.copy()
    articles["date"] = pd.to_datetime(articles["date"])
    built = build_layers(_extraction(incidents=incidents, articles=articles), gazetteer=fixture_gazetteer())
    inc = built.incidents.set_index("incident_id")
    assert inc.loc["a001-i01", "date_start"] == pd.Timestamp("2024-03-12")
    assert inc.loc["a001-i01", "article_date"] == pd.Timestamp("2024-03-14")


def test_incident_columns_have_the_types_a_notebook_expects(layers):
    """Days as datetime64 (their precision in date_precision), counts as nullable ints, few-valued columns categorical."""
    inc = layers.incidents
    for col in ("date_start", "date_end", "article_date"):
        assert str(inc[col].dtype) == "datetime64[ns]", col
    for col in ("type", "date_precision", "location_precision_name", "country", "province", "article_source"):
        assert isinstance(inc[col].dtype, pd.CategoricalDtype), col
        assert list(inc[col].cat.categories) == sorted(inc[col].cat.categories), col
    assert str(inc["location_precision"].dtype) == "Int64"
    row = inc.set_index("incident_id").loc["a002-i01"]
    assert (row["date_start"], row["date_end"], row["date_precision"]) == (
        pd.Timestamp("2024-11-01"), pd.Timestamp("2024-11-30"), "month")
    assert inc["date_start"].dt.year.min() >= 2024  # date arithmetic works as on any datetime column
    undated = inc.set_index("incident_id").loc["a003-i05", "date_start"]
    assert undated is pd.NaT


# -- routes -----------------------------------------------------------------------------


def test_routes_run_through_stops_in_order(layers):
    routes = layers.routes.set_index("route_id")
    line = routes.loc["a003-r01", "geometry"]  # stops given out of order in the table
    assert isinstance(line, LineString)
    assert list(line.coords) == [(106.159, 11.074), (106.15, 11.063), (104.9282, 11.5564)]
    assert routes.loc["a003-r01", "stops"] == "Mộc Bài → Bavet → Phnom Penh"
    assert routes.loc["a003-r01", "roles"] == "origin;crossing;destination"
    stops = layers.route_stops[layers.route_stops["route_id"] == "a003-r01"]
    assert list(stops["role"]) == ["origin", "crossing", "destination"]
    assert list(stops["stop"]) == [1, 2, 3]


def test_route_length_is_geodesic_km(layers):
    routes = layers.routes.set_index("route_id")
    line = routes.loc["a001-r01", "geometry"]
    coords = list(line.coords)
    expected = sum(_haversine_km(a, b) for a, b in zip(coords, coords[1:], strict=False))
    assert routes.loc["a001-r01", "length_km"] == pytest.approx(expected, rel=0.005)
    assert 140 < routes.loc["a001-r01", "length_km"] < 200  # Hà Nội to Pingxiang by Lạng Sơn


def test_route_with_unknown_stop_keeps_the_known_ones():
    ext = fixture_extraction()
    routes = ext.routes.copy()
    routes.loc[routes["stop"] == 2, "place_id"] = "vn.city.nowhere"
    built = build_layers(_extraction(routes=routes), gazetteer=fixture_gazetteer())
    r = built.routes.set_index("route_id")
    assert len(r.loc["a001-r01", "geometry"].coords) == 3
    assert "vn.city.nowhere" in r.loc["a001-r01", "stops"]


# -- crossings and places -------------------------------------------------------------------


def test_crossings_link_both_sides(layers):
    c = layers.crossings.set_index("place_id")
    assert c.loc["vn.border_gate.huu-nghi", "pair_id"] == "cn.border_gate.youyi-guan"
    assert c.loc["vn.border_gate.huu-nghi", "pair_name"] == "Youyi Guan"
    assert c.loc["cn.border_gate.youyi-guan", "pair_name"] == "Hữu Nghị"
    assert c.loc["vn.border_gate.bac-luan", "pair_id"] == ""
    assert set(c["kind"]) == {"border_gate"}
    assert c.loc["kh.border_gate.bavet", "geometry"].equals(Point(106.15, 11.063))


def test_places_count_mentions_and_articles(layers):
    p = layers.places.set_index("place_id")
    assert p.loc["vn.city.lang-son", "mentions"] == 2
    assert p.loc["vn.city.lang-son", "articles"] == "a001;a004"
    assert p.loc["vn.border_gate.huu-nghi", "mentions"] == 2
    assert p.loc["vn.border_gate.huu-nghi", "articles"] == "a001"
    assert "Kuala X" not in set(p["name"])  # an unresolved mention is not a place
    assert p["mentions"].sum() == fixture_extraction().mentions["place_id"].notna().sum()


# -- province aggregate -----------------------------------------------------------------------


def test_province_stats_use_the_units_of_each_incident_date(layers):
    s = layers.province_stats.set_index("province_id")
    # 2024, a pre-reform province named directly
    assert s.loc["vn.province.ha-giang-pre2025", "incidents"] == 1
    # 2024, a town whose gazetteer parent is the post-reform unit: the merged province holding it
    assert s.loc["vn.province.lao-cai-pre2025", "people"] == 7
    # 2025-09, after the reform
    assert s.loc["vn.province.lao-cai", "people"] == 64000
    # a gate in China counts for its province through the gazetteer tree
    assert s.loc["cn.province.guangxi", "incidents"] == 1
    # polygons are those of the unit
    provinces = layers.provinces.set_index("province_id")
    assert s.loc["vn.province.lao-cai", "geometry"].equals(provinces.loc["vn.province.lao-cai", "geometry"])


def test_province_people_is_the_largest_people_count_per_incident(layers):
    s = layers.province_stats.set_index("province_id")
    assert s.loc["vn.province.ha-giang-pre2025", "people"] == 431  # 146 cases; 431 people
    assert s.loc["vn.province.lang-son", "incidents"] == 2
    assert s.loc["vn.province.lang-son", "people"] == 14  # 12 + 2
    assert s.loc["vn.province.quang-ninh", "people"] == 5  # 5 people; 2 vehicles


def test_country_wide_and_placeless_incidents_count_for_no_province(layers):
    counted = layers.province_stats["incidents"].sum()
    assert counted == len(layers.incidents) - 2  # a003-i04 (Việt Nam) and a003-i05 (no place)


def test_pre_reform_place_after_the_reform_counts_for_its_successor():
    ext = fixture_extraction()
    incidents = ext.incidents.copy()
    row = incidents["incident_id"] == "a002-i01"
    incidents.loc[row, ["date_start", "date_end"]] = ["2025-08-01", "2025-08-31"]
    built = build_layers(_extraction(incidents=incidents), gazetteer=fixture_gazetteer())
    s = built.province_stats.set_index("province_id")
    assert "vn.province.ha-giang-pre2025" not in s.index
    assert s.loc["vn.province.tuyen-quang", "people"] == 431


def test_provinces_on_a_date_keep_one_period():
    before = fixture_layers(on="2025-06-30").provinces
    after = fixture_layers(on=dt.date(2025, 7, 1)).provinces
    assert (before["country"] == "VN").sum() == 63
    assert (after["country"] == "VN").sum() == 34
    assert "vn.province.ha-giang-pre2025" in set(before["province_id"])
    assert "vn.province.tuyen-quang" in set(after["province_id"])


# -- filter -------------------------------------------------------------------------------------


def test_filter_by_period(layers):
    since = layers.filter(since="2025-07-01")
    assert set(since.incidents["incident_id"]) == {"a003-i01", "a003-i02", HOSTILE_INCIDENT_ID}
    assert set(since.province_stats["province_id"]) == {
        "vn.province.lao-cai",
        "vn.province.quang-ninh",
        "vn.province.lang-son",
    }
    assert since.province_stats.set_index("province_id").loc["vn.province.lang-son", "incidents"] == 1
    assert list(since.routes["route_id"]) == ["a003-r01"]  # article a003 is dated 2025-10-05
    assert set(since.route_stops["route_id"]) == {"a003-r01"}
    assert since.places.equals(layers.places) and since.crossings.equals(layers.crossings)
    # a span overlapping the bound is kept
    month = layers.filter(since="2024-11-15", until="2024-11-20")
    assert list(month.incidents["incident_id"]) == ["a002-i01"]
    assert len(layers.incidents) == 10, "filter must not change the original"


def test_filter_by_type(layers):
    only = layers.filter(types=["illegal_crossing"])
    assert list(only.incidents["incident_id"]) == ["a001-i01", "a002-i02"]
    one = layers.filter(types="repatriation")
    assert list(one.incidents["incident_id"]) == ["a002-i01"]
    assert list(one.province_stats["province_id"]) == ["vn.province.ha-giang-pre2025"]
    assert len(one.routes) == len(layers.routes)
    assert one.incidents.crs.to_epsg() == 4326


def test_filter_rejects_a_bad_date(layers):
    with pytest.raises(InputError, match=r"since: not a date \(YYYY-MM-DD\): 'last spring'"):
        layers.filter(since="last spring")
    assert len(layers.filter(until=dt.datetime(2024, 3, 31, 12, 0)).incidents) == 2


# -- odd input ------------------------------------------------------------------------------------


def test_empty_extraction_gives_empty_layers_with_columns():
    empty = FixtureExtraction(
        articles=pd.DataFrame(), mentions=pd.DataFrame(), incidents=pd.DataFrame(), routes=pd.DataFrame()
    )
    built = build_layers(empty, gazetteer=fixture_gazetteer())
    for name in ("places", "incidents", "routes", "route_stops", "province_stats"):
        gdf = built[name]
        assert len(gdf) == 0, name
        assert list(gdf.columns) == [*(c.strip() for c in CONTRACT[name].split(",")), "geometry"]
        assert gdf.crs.to_epsg() == 4326
    assert len(built.crossings) == 5 and len(built.countries) == 6


def test_real_gazetteer_crossings_are_all_paired():
    from geomap.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    empty = FixtureExtraction(
        articles=pd.DataFrame(), mentions=pd.DataFrame(), incidents=pd.DataFrame(), routes=pd.DataFrame()
    )
    crossings = build_layers(empty, gazetteer=gaz).crossings
    assert len(crossings) > 10
    paired = crossings[crossings["pair_id"] != ""]
    assert (paired["pair_name"] != "").all()
    assert paired["pair_id"].isin(crossings["place_id"]).all()
    for geom in crossings.geometry:
        assert 97 <= geom.x <= 110 and 8 <= geom.y <= 27


def test_tables_typed_as_extract_writes_them_give_the_same_layers(layers):
    """geomap.extract hands over pandas string/Int64/Float64 columns with "" for blanks."""
    from geomap.extract import COLUMNS

    def typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        for col, dtype in COLUMNS[name].items():
            if col not in out.columns:
                out[col] = None
            if dtype == "string":
                out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str).astype("string")
            elif dtype in ("Int64", "Float64"):
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(dtype)
        return out

    ext = fixture_extraction()
    names = ("articles", "mentions", "incidents", "routes")
    typed_ext = FixtureExtraction(**{name: typed(name, getattr(ext, name)) for name in names})
    again = build_layers(typed_ext, gazetteer=fixture_gazetteer())
    for name in ("places", "incidents", "routes", "route_stops", "province_stats"):
        a, b = layers[name], again[name]
        assert list(a.geometry.to_wkt()) == list(b.geometry.to_wkt()), name
    inc = again.incidents.set_index("incident_id")
    assert inc.loc["a003-i05", "date_start"] is pd.NaT and inc.loc["a003-i05", "geometry"] is None
    assert inc.loc["a002-i01", "location_precision"] == 4
    assert again.province_stats.set_index("province_id").loc["vn.province.ha-giang-pre2025", "people"] == 431


# -- figures for a stretch of border --------------------------------------------------


def _table(name: str, rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Table ``name`` with ``rows`` in ``columns``, its other columns empty."""
    from geomap.extract import COLUMNS

    df = pd.DataFrame(rows, columns=columns)
    for col in COLUMNS[name]:
        if col not in df.columns:
            df[col] = None
    return df[list(COLUMNS[name])]


def _border_extraction(incidents: list[tuple], mentions: list[tuple]):
    from geomap.extract import Extraction

    articles = _table("articles", [("b1", "Border review", "2023-12-13", "day")], ["article_id", "title", "date", "date_precision"])
    inc = _table(
        "incidents",
        incidents,
        ["incident_id", "article_id", "type", "place_id", "places", "location_precision", "sentence"],
    )
    men = _table("mentions", mentions, ["article_id", "start", "end", "text", "place_id"])
    empty = {name: _table(name, [], []) for name in ("routes", "unresolved", "skipped")}
    return Extraction(articles=articles, mentions=men, incidents=inc, **empty)


def _near(geom, polygon, km: float) -> bool:
    return polygon.distance(geom) * 111.0 <= km


def test_border_wide_figures_are_drawn_on_the_shared_border_not_inside_a_country():
    from geomap.boundaries import load_countries

    extraction = _border_extraction(
        [
            ("b1#1", "b1", "drug_trafficking", "cn.country.china", "cn.country.china:location", 5, "Along the border, 437 cases."),
            ("b1#2", "b1", "repatriation", None, "", 6, "84,000 people were returned."),
            ("b1#3", "b1", "crossing_statistics", "vn.province.cao-bang", "vn.province.cao-bang:location", 5, "Gates cleared 500,000 people."),
            ("b1#4", "b1", "cooperation", "vn.country.vietnam", "vn.country.vietnam:location", 6, "Vietnam pledged more talks."),
        ],
        [("b1", 0, 5, "China", "cn.country.china"), ("b1", 10, 17, "Vietnam", "vn.country.vietnam"), ("b1", 20, 27, "Vietnam", "vn.country.vietnam")],
    )
    layers = build_layers(extraction)
    inc = layers.incidents.set_index("incident_id")
    countries = load_countries().set_index("iso_a2").geometry
    for iid in ("b1#1", "b1#2"):
        row = inc.loc[iid]
        assert row["place_name"] == "Vietnam–China border"
        assert row["location_precision"] == 5
        assert _near(row["geometry"], countries["VN"], 3) and _near(row["geometry"], countries["CN"], 3)
    cao_bang = inc.loc["b1#3"]
    assert cao_bang["place_name"] == "Cao Bằng–China border"
    provinces = layers.provinces.set_index("province_id").geometry
    assert _near(cao_bang["geometry"], provinces["vn.province.cao-bang"], 3)
    assert _near(cao_bang["geometry"], countries["CN"], 3)
    # A country-wide figure stays at the country's point.
    assert inc.loc["b1#4", "location_precision"] == 6
    assert inc.loc["b1#4", "place_name"] == "Vietnam"


def test_an_incident_with_no_place_in_an_article_naming_one_country_has_no_geometry():
    extraction = _border_extraction(
        [("b1#1", "b1", "cooperation", None, "", 6, "Talks went on.")],
        [("b1", 0, 7, "Vietnam", "vn.country.vietnam")],
    )
    row = build_layers(extraction).incidents.iloc[0]
    assert row["geometry"] is None and row["place_name"] == ""


def test_country_stops_are_drawn_where_the_route_meets_the_country():
    from geomap.boundaries import load_countries
    from geomap.extract import Extraction

    routes = _table(
        "routes",
        [
            ("r1", "a", 1, "vn.city.lang-son", "transit"),
            ("r1", "a", 2, "cn.country.china", "destination"),
            ("r2", "a", 1, "kh.province.phnom-penh", "origin"),
            ("r2", "a", 2, "vn.country.vietnam", "transit"),
            ("r2", "a", 3, "cn.country.china", "destination"),
        ],
        ["route_id", "article_id", "stop", "place_id", "role"],
    )
    empty = {name: _table(name, [], []) for name in ("articles", "mentions", "incidents", "unresolved", "skipped")}
    layers = build_layers(Extraction(routes=routes, **empty))
    stops = layers.route_stops.set_index(["route_id", "stop"]).geometry
    countries = load_countries().set_index("iso_a2").geometry
    lang_son = stops[("r1", 1)]
    china = stops[("r1", 2)]
    # Just across the border from Lạng Sơn, not at China's centre (35N 105E).
    assert china.distance(lang_son) * 111 < 40
    assert _near(china, countries["CN"], 1) and _near(china, countries["VN"], 3)
    # From southern Vietnam the route still crosses the land border, not to Hainan.
    assert stops[("r2", 3)].y > 21
    assert _near(stops[("r2", 2)], countries["VN"], 1)
    lengths = layers.routes.set_index("route_id")["length_km"]
    assert 5 < lengths["r1"] < 60


def test_incidents_carry_their_country_and_province(layers):
    """Each incident names its place's country and the province unit it counts for (as province_stats does)."""
    inc = layers.incidents
    assignment = dict(layers.incident_province)
    for iid, country, province in zip(inc["incident_id"], inc["country"], inc["province"], strict=True):
        assert (province or None) == assignment.get(iid)
    placed = inc[inc["place_id"].fillna("") != ""]
    assert set(placed["country"]) - {""} <= {"VN", "CN", "LA", "KH", "TH", "MM"}
    assert (placed["country"] != "").any()
