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
from geomap.map import CLUSTER_THRESHOLD, TYPE_COLORS, TYPE_LABELS, render, save_map
from geomap.records import INCIDENT_TYPES

EXTERNAL_TAG = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
PAYLOAD = re.compile(r"var geomap_incidents_\d+_data = (\{.*?\});\n", re.S)


def _payload(page: str) -> dict:
    found = PAYLOAD.search(page)
    assert found, "incident table missing from the page"
    return json.loads(found.group(1))


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
    assert "&#36;&#123;window.__pwned=&#x27;route&#x27;&#125;" in page  # the route sentence, escaped for folium
    data = _payload(page)
    assert HOSTILE_SENTENCE in data["s"]
    url_index = data["s"].index(HOSTILE_URL)
    article = next(a for a in data["a"] if a[3] == url_index)
    assert article[4] == 0  # a javascript: URL is never a link
    safe = next(a for a in data["a"] if data["s"][a[3]] == "https://example.org/a/1")
    assert safe[4] == 1


def test_payload_holds_every_incident_by_type_in_fixed_order():
    m = render(make_layers(hostile=True))
    data = _payload(m.get_root().render())
    keys = [t["key"] for t in data["t"]]
    assert keys == [t for t in INCIDENT_TYPES if t in keys]
    assert sum(len(t["rows"]) for t in data["t"]) == 7
    for t in data["t"]:
        assert t["color"] == TYPE_COLORS[t["key"]] and t["label"] == TYPE_LABELS[t["key"]]
        days = [r[2] for r in t["rows"] if r[2] is not None]
        assert days == sorted(days)
    mong_cai = next(r for t in data["t"] for r in t["rows"] if data["s"][r[11]] == "i-002")
    assert data["s"][r_ := mong_cai[7]] == "over 64,000 people; 146 cases", r_
    assert data["s"][mong_cai[4]] == "2024-06 (month)"
    assert (mong_cai[0], mong_cai[1]) == (21.5247, 107.9653)


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
    assert "Routes" in names and "Border crossings" in names and "Illegal entry/exit (2)" in names
    controls = [c for c in children if isinstance(c, folium.LayerControl)]
    assert len(controls) == 1
    assert children.index(controls[0]) > max(children.index(c) for c in children if isinstance(c, folium.FeatureGroup))
    # A second call adds more and still renders.
    render(make_layers(), m=m, heatmap=False)
    assert "Routes" in m.get_root().render()


def test_clustering_follows_the_threshold(tmp_path):
    small = _payload(render(make_layers()).get_root().render())
    assert small["cluster"] is False
    many = gpd.GeoDataFrame(
        [dict(incidents_frame().iloc[i % 6].drop("geometry"), incident_id=f"x-{i:05d}",
              geometry=Point(106 + (i % 100) / 50, 21 + (i // 100) / 50)) for i in range(CLUSTER_THRESHOLD + 1)],
        geometry="geometry", crs="EPSG:4326",
    )
    page = save_map(render(make_layers(incidents=many)), tmp_path / "many.html").read_text(encoding="utf-8")
    assert _payload(page)["cluster"] is True
    assert "markerClusterGroup" in page and "MarkerClusterGroup" in page  # the plugin is inlined
    assert "MarkerClusterGroup" not in save_map(render(make_layers()), tmp_path / "few.html").read_text(encoding="utf-8")


def test_incident_without_geometry_is_skipped_and_the_rest_drawn():
    frame = incidents_frame()
    frame.loc[0, "geometry"] = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = _payload(render(make_layers(incidents=frame)).get_root().render())
    assert sum(len(t["rows"]) for t in data["t"]) == 5
    assert any("1 incident(s)" in str(w.message) for w in caught)


def test_projected_layers_are_drawn_in_wgs84():
    layers = make_layers()
    layers.incidents = layers.incidents.to_crs("EPSG:3857")
    data = _payload(render(layers).get_root().render())
    lats = sorted(r[0] for t in data["t"] for r in t["rows"])
    assert 21 < lats[0] < lats[-1] < 23


def test_title_and_names_are_text_not_html():
    page = render(make_layers(hostile=True), title="<b>Bold</b>").get_root().render()
    assert "<b>Bold</b>" not in page.replace('\\u003cb\\u003eBold', "")
    assert "Ninh \\u0026lt;img src=x" in page  # province name HTML-escaped for its tooltip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"cluster": "yes"}, "cluster"), ({"choropleth": "area"}, "choropleth"), ({"m": "map"}, "folium.Map"),
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
    import base64
    import zlib

    page = render(make_layers(hostile=True), compress=True).get_root().render()
    packed = _payload(page)["z"]
    data = json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))
    assert HOSTILE_SENTENCE in data["s"]
    assert sum(len(t["rows"]) for t in data["t"]) == 7


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
    row = data["t"][0]["rows"][0]
    assert data["s"][row[7]] == "about 14 people; 4 people; 2 vehicles"


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
