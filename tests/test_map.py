"""The map without a browser: determinism, offline assets, escaping, chaining."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from _map_layers import HOSTILE_SENTENCE, HOSTILE_URL, incidents_frame, make_layers
from shapely.geometry import Point

from geomap._assets import OfflineAssetError, known_urls
from geomap._errors import InputError
from geomap._mappayload import MEASURES, measure_of, unit_breaks, unpack
from geomap.map import TYPE_COLORS, TYPE_LABELS, render, save_map
from geomap.records import INCIDENT_TYPES

EXTERNAL_TAG = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
PAYLOAD = re.compile(r'<script type="application/json" id="geomap_app_\d+_data">(.*?)</script>', re.S)


def _payload(page: str, *, packed: bool = False) -> dict:
    """The page's data as embedded (``packed``) or read back to its logical form (``_mappayload.unpack``)."""
    found = PAYLOAD.search(page)
    assert found, "the map's data is missing from the page"
    data = json.loads(found.group(1))
    return data if packed else unpack(data)


def _rows(data: dict) -> list[dict]:
    """The payload's incidents as dicts of column -> value."""
    inc = data["inc"]
    return [{k: inc[k][i] for k in inc} for i in range(len(inc["id"]))]


def test_same_input_gives_byte_identical_html(tmp_path):
    first = save_map(render(make_layers(hostile=True), title="t"), tmp_path / "a.html").read_bytes()
    second = save_map(render(make_layers(hostile=True), title="t"), tmp_path / "b.html").read_bytes()
    assert first == second
    assert not re.search(rb"[0-9a-f]{32}", first), "a random folium id is left in the page"
    online = [save_map(render(make_layers()), tmp_path / f"o{i}.html", offline=False).read_bytes() for i in (1, 2)]
    assert online[0] == online[1]


def test_offline_page_links_nothing_external(tmp_path):
    page = save_map(render(make_layers()), tmp_path / "map.html").read_text(encoding="utf-8")
    assert not EXTERNAL_TAG.search(page)
    assert "L.Icon.Default.mergeOptions" in page  # default marker images set after leaflet.js
    assert page.index("L.Icon.Default.mergeOptions") > page.index("Leaflet")
    # Only what the page uses: no Bootstrap or Font Awesome without folium.Icon markers.
    assert "Font Awesome" not in page and "Bootstrap" not in page
    assert "leaflet-heat" in page or "simpleheat" in page


def test_online_page_keeps_cdn_links(tmp_path):
    page = save_map(render(make_layers()), tmp_path / "map.html", offline=False).read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>' in page
    assert len(page) < 300_000


def test_every_cdn_url_folium_emits_here_has_a_local_copy(tmp_path):
    page = save_map(render(make_layers(), cluster=True), tmp_path / "map.html", offline=False).read_text(encoding="utf-8")
    urls = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)="(https://[^"]+)\"""", page)
    assert urls and set(urls) <= known_urls()


def test_unknown_external_asset_fails_loudly_and_writes_nothing(tmp_path):
    m = render(make_layers())
    m.get_root().header.add_child(folium.JavascriptLink("https://example.com/evil.js"))
    target = tmp_path / "map.html"
    with pytest.raises(OfflineAssetError, match=r"https://example\.com/evil\.js"):
        save_map(m, target)
    assert not target.exists()
    assert isinstance(OfflineAssetError("x"), InputError)


def test_icon_markers_bring_their_fonts(tmp_path):
    m = render(make_layers())
    folium.Marker((21.9, 106.7), icon=folium.Icon(icon="flag", prefix="fa")).add_to(m)
    page = save_map(m, tmp_path / "map.html").read_text(encoding="utf-8")
    assert not EXTERNAL_TAG.search(page)
    assert "Font Awesome" in page and "data:font/woff2;base64," in page
    assert "L.AwesomeMarkers" in page


def test_hostile_article_is_only_data(tmp_path):
    page = save_map(render(make_layers(hostile=True)), tmp_path / "map.html").read_text(encoding="utf-8")
    for raw in ("<script>window.__pwned", "<img src=x", 'onerror="window.__pwned'):
        assert raw not in page, raw
    # Outside the JSON table (where it is a plain string) no template-literal interpolation survives.
    assert "${window.__pwned" not in PAYLOAD.sub("", page)
    data = _payload(page)
    assert HOSTILE_SENTENCE in data["s"]
    assert any("window.__pwned='route'" in s for s in data["s"])  # the route sentence: data, shown as text
    url_index = data["s"].index(HOSTILE_URL)
    article = next(a for a in data["art"] if a[3] == url_index)
    assert article[4] == 0  # a javascript: URL is never a link
    safe = next(a for a in data["art"] if data["s"][a[3]] == "https://example.org/a/1")
    assert safe[4] == 1


def test_payload_holds_every_incident_with_types_in_fixed_order():
    m = render(make_layers(hostile=True))
    data = _payload(m.get_root().render())
    keys = [t[0] for t in data["types"]]
    assert keys == [t for t in INCIDENT_TYPES if t in keys]
    for key, label, color in data["types"]:
        assert color == TYPE_COLORS[key] and label == TYPE_LABELS[key]
    rows = _rows(data)
    assert len(rows) == 7
    days = [r["d0"] for r in rows if r["d0"] is not None]
    assert days == sorted(days)
    mong_cai = next(r for r in rows if data["s"][r["id"]] == "i-002")
    assert data["s"][mong_cai["fig"]] == "over 64,000 people; 146 cases"
    assert data["s"][mong_cai["dl"]] == "2024-06 (month)"
    assert data["sites"][mong_cai["site"]][:2] == [21.5247, 107.9653]
    # Each incident counts for the province it lies in, and the page knows the province's name.
    assert data["units"]["name"][mong_cai["pv"]].startswith("Quảng Ninh")


def test_incidents_at_one_point_share_one_site():
    frame = incidents_frame()
    frame["geometry"] = [Point(107.0, 21.5)] * 3 + list(frame.geometry[3:])
    data = _payload(render(make_layers(incidents=frame)).get_root().render())
    rows = _rows(data)
    assert len({r["site"] for r in rows[:0] + [r for r in rows if data["sites"][r["site"]][:2] == [21.5, 107.0]]}) == 1
    assert sum(1 for r in rows if data["sites"][r["site"]][:2] == [21.5, 107.0]) == 3
    assert len(data["sites"]) == 4


def test_country_wide_figures_are_not_a_dot_in_the_country():
    frame = incidents_frame()
    frame.loc[0, "location_precision"] = 6
    frame.loc[0, "geometry"] = Point(105.0, 35.0)  # China's centroid
    data = _payload(render(make_layers(incidents=frame)).get_root().render())
    row = next(r for r in _rows(data) if data["s"][r["id"]] == frame.loc[0, "incident_id"])
    assert row["site"] == -1 and row["lp"] == 6
    assert [105.0, 35.0] not in [s[:2][::-1] for s in data["sites"]]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"type": "repatriation", "value": 84000, "unit": "people", "counts": "84000 people"}, ("repatriated", 84000)),
        ({"type": "drug_trafficking", "value": 774.6, "unit": "kg", "counts": "774.6 kg;2 tonnes;500 g"}, ("drugs_kg", 2775.1)),
        ({"type": "migrant_smuggling", "value": 12, "unit": "people", "counts": "12 people;3 women"}, ("smuggled", 12)),
        ({"type": "crossing_statistics", "value": 500000, "unit": "passengers", "counts": ""}, ("crossings", 500000)),
        ({"type": "joint_patrol", "value": 4, "unit": "patrols", "counts": ""}, (None, 0)),
        ({"type": "repatriation", "value": 3, "unit": "vehicles", "counts": ""}, (None, 0)),
    ],
)
def test_each_incident_counts_for_one_measure_in_one_unit(row, expected):
    index, value = measure_of(row)
    assert (MEASURES[index][0] if index else None, value) == (expected[0], pytest.approx(expected[1]))


def test_class_breaks_are_mapclassify_fisher_jenks():
    import mapclassify

    values = [1, 2, 2, 3, 10, 12, 40, 41, 300, 5000, 7, 8]
    assert unit_breaks(values) == list(mapclassify.FisherJenks(sorted(values), k=5).bins)
    assert unit_breaks([3, 3, 9]) == [3.0, 9.0]  # fewer distinct values than classes: one class each


def test_palette_is_fixed_and_distinct():
    assert set(TYPE_COLORS) == set(INCIDENT_TYPES) == set(TYPE_LABELS)
    assert len(set(TYPE_COLORS.values())) == len(TYPE_COLORS)


def test_render_adds_to_an_existing_map():
    m = folium.Map(location=(21, 106), zoom_start=6)
    mine = folium.FeatureGroup(name="My notes").add_to(m)
    folium.LayerControl().add_to(m)
    out = render(make_layers(), m=m)
    assert out is m
    children = list(m._children.values())
    assert mine in children
    names = [c.layer_name for c in children if isinstance(c, folium.FeatureGroup)]
    assert {"Routes (stops in order)", "Border crossings", "Incidents", "Provinces shaded (measure in the filters)"} <= set(names)
    controls = [c for c in children if isinstance(c, folium.LayerControl)]
    assert len(controls) == 1
    assert children.index(controls[0]) > max(children.index(c) for c in children if isinstance(c, folium.FeatureGroup))
    # A second call replaces what the first drew: no layer twice.
    render(make_layers(), m=m, heatmap=False)
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert sorted(names) == sorted(set(names)) and "My notes" in names
    page = m.get_root().render()
    assert page.count('<script type="application/json"') == 1


def test_layers_added_after_render_join_the_layer_control(tmp_path):
    m = render(make_layers())
    folium.FeatureGroup(name="Added later").add_to(m)
    page = save_map(m, tmp_path / "later.html").read_text(encoding="utf-8")
    control = page.rindex("L.control.layers")
    assert page.index("Added later") < control or '"Added later"' in page[control:]
    assert page.count("L.control.layers") == 1


def test_render_refuses_what_is_not_layers():
    for wrong in ("output/", 42, [1, 2]):
        with pytest.raises(InputError, match="render: layers must be geomap Layers"):
            render(wrong)


@pytest.mark.parametrize("payload", ["{{7*7}}", "{% for x in range(3) %}x{% endfor %}", "{# c #}", "{{ lipsum.__globals__ }}", "{%raw%}"])
def test_template_syntax_in_data_is_text(tmp_path, payload):
    frame = incidents_frame()
    frame.loc[0, "sentence"] = f"Guards said {payload} at the gate."
    frame.loc[0, "article_title"] = payload
    page = save_map(render(make_layers(incidents=frame), title=payload), tmp_path / "t.html").read_text(encoding="utf-8")
    data = _payload(page)
    assert f"Guards said {payload} at the gate." in data["s"] and payload in data["s"]
    assert "49" not in data["s"]


def test_cluster_option_reaches_the_page():
    on = render(make_layers()).get_root().render()
    off = render(make_layers(), cluster=False).get_root().render()
    assert '"cluster":true' in on and '"cluster":false' in off


def test_incident_without_geometry_is_skipped_and_the_rest_drawn():
    frame = incidents_frame()
    frame.loc[0, "geometry"] = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = _payload(render(make_layers(incidents=frame)).get_root().render())
    assert len(data["inc"]["id"]) == 5
    assert any("1 incident(s)" in str(w.message) for w in caught)


def test_projected_layers_are_drawn_in_wgs84():
    layers = make_layers()
    layers.incidents = layers.incidents.to_crs("EPSG:3857")
    data = _payload(render(layers).get_root().render())
    lats = sorted(s[0] for s in data["sites"])
    assert 21 < lats[0] < lats[-1] < 23


def test_title_and_names_are_text_not_html():
    page = render(make_layers(hostile=True), title="<b>Bold</b>").get_root().render()
    assert "<b>Bold</b>" not in page.replace('\\u003cb\\u003eBold', "")
    assert "<img src=x" not in page
    assert "Ninh \\u003cimg src=x" in page  # the province name is data: the page shows it as text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"cluster": "yes"}, "cluster"), ({"shade": "people"}, "shade"), ({"m": "map"}, "folium.Map"),
     ({"compress": "zip"}, "compress")],
)
def test_bad_options_raise_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        render(make_layers(), **kwargs)


def test_empty_layers_still_make_a_map(tmp_path):
    page = save_map(render({}), tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "window.__geomapReady = true" in page
    assert not EXTERNAL_TAG.search(page)


def test_jupyter_display_is_self_contained_when_offline():
    import html

    shown = render(make_layers())._repr_html_()
    page = html.unescape(shown.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert "<iframe" in shown and "L.Icon.Default.mergeOptions" in page
    assert not EXTERNAL_TAG.search(page)
    online = html.unescape(render(make_layers(), offline=False)._repr_html_())
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in online


def test_compressed_table_round_trips(tmp_path):
    page = render(make_layers(hostile=True), compress=True).get_root().render()
    assert set(_payload(page, packed=True)) == {"z", "bin", "xz"}
    data = _payload(page)
    assert HOSTILE_SENTENCE in data["s"]
    assert len(data["inc"]["id"]) == 7


def test_inliner_keeps_local_references_and_rejects_unknown_links():
    from geomap._assets import inline_assets

    page = '<head><script src="local.js"></script><link rel="stylesheet" href="data:text/css,a{}"/></head>'
    assert inline_assets(page) == page
    with pytest.raises(OfflineAssetError, match="fonts.example.net"):
        inline_assets('<link rel="preconnect" href="//fonts.example.net"/>')
    leaflet = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    out = inline_assets(leaflet + leaflet)
    assert out.count("<script>") == 2  # Leaflet once, then the default-icon fix
    assert "</script" not in out.replace("</script>", "")


def test_popup_figures_keep_every_count_once():
    frame = incidents_frame().iloc[:1].copy()
    frame["value"], frame["unit"], frame["qualifier"] = 14, "people", "about"
    frame["counts"] = "14 people;4 people;2 vehicles"
    data = _payload(render(make_layers(incidents=frame)).get_root().render())
    assert data["s"][data["inc"]["fig"][0]] == "about 14 people; 4 people; 2 vehicles"


def test_identical_across_processes_and_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, sys.argv[2]);"
        "from _layers_fixture import fixture_layers; from geomap.map import render, save_map;"
        "save_map(render(fixture_layers(), title='t'), sys.argv[1])"
    )
    tests_dir = str(Path(__file__).parent)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(out), tests_dir], check=True, env=env, timeout=120)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_browser_helper_skips_without_chromium_unless_required(monkeypatch):
    import _browser

    monkeypatch.setattr(_browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("GEOMAP_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found"):
        _browser.Browser().__enter__()
    monkeypatch.setenv("GEOMAP_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="GEOMAP_REQUIRE_BROWSER=1"):
        _browser.Browser().__enter__()


def test_geopandas_explore_on_top_saves_offline(tmp_path):
    """explore()'s categorical legend hard-codes a jquery-ui link: it must be inlined too."""
    explore = pytest.importorskip("geopandas.explore")
    if not hasattr(explore, "_categorical_legend"):
        pytest.skip("geopandas moved its legend helper")
    m = render(make_layers())
    # What GeoDataFrame.explore(m=m, categorical=True) adds (explore() itself also needs mapclassify).
    explore._categorical_legend(m, "type", ["illegal_crossing", "repatriation"], ["#e6194b", "#3cb44b"])
    page = save_map(m, tmp_path / "explore.html").read_text(encoding="utf-8")
    assert not EXTERNAL_TAG.search(page)
    assert "jQuery UI" in page


def test_the_page_script_is_inert_text():
    """The map application is placed raw in the page: nothing in it may read as a tag or a template."""
    from importlib import resources

    for name in ("geomap.js", "geomap.css"):
        body = resources.files("geomap").joinpath(f"_web/{name}").read_text(encoding="utf-8")
        for token in ("{{", "{%", "{#", "<script", "</script", "<!--", "</style"):
            assert token not in body.lower(), (name, token)


def test_explore_works_with_the_core_dependencies(tmp_path):
    """GeoDataFrame.explore() needs mapclassify and matplotlib: both are core dependencies now."""
    incidents = make_layers().incidents
    m = incidents.explore(column="type", m=render(make_layers()))
    page = save_map(m, tmp_path / "explore.html").read_text(encoding="utf-8")
    assert not EXTERNAL_TAG.search(page)
    assert "Illegal entry/exit" in page or "illegal_crossing" in page
