"""The written map, in a real headless Chromium with the network blocked."""

from __future__ import annotations

import warnings
from pathlib import Path

import folium
import pytest
from _browser import Browser
from _map_layers import HOSTILE_SENTENCE, HOSTILE_TITLE, HOSTILE_URL, make_layers

from geomap.map import render, save_map

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[1] / "output"


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def layers():
    return make_layers(hostile=True)


@pytest.fixture(scope="module")
def page(browser, layers, tmp_path_factory):
    path = save_map(render(layers, title="Border incidents"), tmp_path_factory.mktemp("map") / "map.html")
    opened = browser.open(path)
    yield opened
    opened.page.close()


def _count(page, selector: str) -> int:
    return page.evaluate("s => document.querySelectorAll(s).length", selector)


def _layer_names(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())"
    )


def _toggle(page, name: str) -> None:
    page.evaluate(
        """name => {
            const label = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
                .find(l => l.textContent.trim() === name);
            label.querySelector('input').click();
        }""",
        name,
    )


def test_initialises_offline_without_errors(page):
    assert page.errors == []
    assert page.blocked == []  # nothing but tiles was even attempted
    assert page.evaluate("() => typeof L") == "object"
    assert _count(page, ".leaflet-container") >= 1


def test_every_incident_is_one_marker(page, layers):
    assert _count(page, "path.geomap-incident") == len(layers.incidents)
    for kind, n in layers.incidents["type"].value_counts().items():
        assert _count(page, f"path.geomap-type-{kind}") == n


def test_every_layer_is_listed_and_toggles(page, layers):
    names = _layer_names(page)
    expected_types = {"Illegal entry/exit (3)", "Migrant smuggling (2)", "Fugitive handover (1)", "Repatriation (1)"}
    assert expected_types <= set(names)
    for fixed in ("Offline basemap (countries, provinces)", "Provinces: people (choropleth)", "Routes",
                  "Border crossings", "Heat map of incidents"):
        assert fixed in names
    checks = {
        "Illegal entry/exit (3)": ("path.geomap-type-illegal_crossing", 3),
        "Migrant smuggling (2)": ("path.geomap-type-migrant_smuggling", 2),
        "Offline basemap (countries, provinces)": (".leaflet-overlay-pane path.geomap-basemap-province", 3),
        "Provinces: people (choropleth)": ("path.geomap-choropleth", 3),
        "Routes": ("path.geomap-route", 1),
        "Border crossings": (".leaflet-marker-pane .geomap-crossing", 2),
    }
    for name, (selector, shown) in checks.items():
        assert _count(page, selector) == shown, name
        _toggle(page, name)
        assert _count(page, selector) == 0, f"{name} still drawn when unticked"
        _toggle(page, name)
        assert _count(page, selector) == shown, f"{name} not back when ticked"
    # The heat map starts hidden and draws its canvas when ticked.
    assert _count(page, "canvas.leaflet-heatmap-layer") == 0
    _toggle(page, "Heat map of incidents")
    assert _count(page, "canvas.leaflet-heatmap-layer") == 1
    _toggle(page, "Heat map of incidents")
    assert _count(page, "canvas.leaflet-heatmap-layer") == 0
    assert page.errors == []


def test_offline_basemap_draws(page):
    assert _count(page, ".leaflet-overlay-pane path.geomap-basemap-country") == 2
    assert _count(page, ".leaflet-overlay-pane path.geomap-basemap-province") == 3
    # Drawn: the path has real geometry, not an empty "M0 0".
    assert page.evaluate(
        "() => document.querySelector('path.geomap-basemap-country').getBBox().width"
    ) > 50


def test_popup_shows_escaped_evidence(page, layers):
    page.evaluate("() => document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    # Markers are sorted by date: the earliest illegal crossing is Mong Cai (June 2024).
    page.locator("path.geomap-type-illegal_crossing").nth(0).dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .geomap-popup").last
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "Illegal entry/exit" in text
    assert "over 64,000 people; 146 cases" in text
    assert "2024-06 (month)" in text
    assert "Mong Cai" in text and "exact" in text
    assert "Over 64,000 people and 146 cases were recorded in Mong Cai that month." in text
    assert "Mong Cai figures" in text and "Example Daily" in text and "2024-07-02" in text
    assert popup.locator("a.geomap-link").get_attribute("href") == "https://example.org/a/2"


def test_hostile_article_runs_nothing_and_shows_literally(page):
    page.evaluate("() => document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    # The hostile incident is dated 2025-05-05: the 3rd illegal crossing in date order.
    page.locator("path.geomap-type-illegal_crossing").nth(2).dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .geomap-popup").last
    popup.wait_for(timeout=5000)
    assert popup.locator(".geomap-evidence").inner_text() == HOSTILE_SENTENCE
    assert HOSTILE_TITLE in popup.inner_text()
    assert popup.locator("a").count() == 0  # the javascript: URL is inert text
    assert popup.locator(".geomap-inert-url").inner_text() == HOSTILE_URL
    assert popup.locator("script, img").count() == 0
    # Tooltips and popups folium builds (province names, route sentence) stay text too.
    page.locator("path.geomap-choropleth").nth(1).dispatch_event("mouseover")
    page.locator("path.geomap-route").dispatch_event("click")
    page.wait_for_timeout(200)
    assert _count(page, ".leaflet-popup-content img, .leaflet-tooltip img") == 0
    assert page.evaluate("() => window.__pwned") is None
    assert page.errors == []


def test_time_filter_hides_incidents_outside_the_period(page, layers):
    total = len(layers.incidents)
    assert _count(page, "path.geomap-incident") == total

    def period(start: str, end: str, undated: bool = True) -> None:
        page.fill(".geomap-time input[name=from]", start)
        page.fill(".geomap-time input[name=to]", end)
        page.set_checked(".geomap-time input[name=undated]", undated)
        page.dispatch_event(".geomap-time input[name=from]", "change")
        page.wait_for_timeout(50)

    period("2025-01-01", "2025-12-31")
    # 2025: i-001, i-003, i-004, i-666, plus the undated i-005.
    assert _count(page, "path.geomap-incident") == 5
    assert "5 of 7 incidents shown" in page.inner_text(".geomap-time")
    period("2024-06-15", "2024-06-15", undated=False)  # inside Mong Cai's month only
    assert _count(page, "path.geomap-incident") == 1
    assert _count(page, "path.geomap-type-illegal_crossing") == 1
    period("2024-01-01", "2025-12-31")
    assert _count(page, "path.geomap-incident") == total
    assert page.errors == []


def test_search_flies_to_a_place(page):
    page.evaluate("() => document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
    page.fill(".geomap-search input", "hekou")
    page.press(".geomap-search input", "Enter")
    page.wait_for_timeout(400)
    assert "Hekou" in page.inner_text(".leaflet-popup-content")
    assert page.evaluate("() => window.__geomapMap.getBounds().contains([22.5074, 103.9489])")
    assert page.evaluate("() => window.__geomapMap.getZoom()") >= 10


def test_screenshot(browser, layers, tmp_path):
    path = save_map(render(make_layers(), title="geomap test map"), tmp_path / "shot.html")
    opened = browser.open(path)
    try:
        OUTPUT.mkdir(exist_ok=True)
        opened.page.wait_for_timeout(800)  # let any zoom animation settle
        shot = OUTPUT / "map_test.png"
        opened.page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert opened.errors == [] and opened.blocked == []
    finally:
        opened.page.close()


def test_clustered_map_counts_every_incident(browser, tmp_path):
    """Clustered markers: every incident is held, and they gather into counted clusters."""
    path = save_map(render(make_layers(), cluster=True), tmp_path / "cluster.html")
    opened = browser.open(path)
    try:
        assert opened.errors == [] and opened.blocked == []
        held = opened.page.evaluate(
            "() => window.__geomapIncidents[0].types.reduce((n, x) => n + x.holder.getLayers().length, 0)"
        )
        assert held == 6
        assert opened.page.evaluate("() => document.querySelectorAll('path.geomap-incident').length") == 0  # dots, not SVG circles
        opened.page.evaluate("() => { const m = window.__geomapMap; m.setView(m.getCenter(), 4, {reset: true}); }")
        opened.page.wait_for_function("() => document.querySelector('.geomap-cluster div')", timeout=5000)
        clusters = opened.page.evaluate(
            "() => [...document.querySelectorAll('.geomap-cluster div')].map(d => +d.textContent)"
        )
        assert clusters and sum(clusters) <= 6 and max(clusters) >= 2
    finally:
        opened.page.close()


def test_compressed_table_unpacks_in_the_browser(browser, layers, tmp_path):
    """Large maps embed the incident table deflate-compressed; the page must unpack it offline."""
    path = save_map(render(layers, compress=True), tmp_path / "packed.html")
    opened = browser.open(path)
    try:
        assert opened.errors == [] and opened.blocked == []
        assert _count(opened.page, "path.geomap-incident") == len(layers.incidents)
        opened.page.locator("path.geomap-type-illegal_crossing").nth(2).dispatch_event("click")
        evidence = opened.page.locator(".leaflet-popup-content .geomap-evidence").last
        evidence.wait_for(timeout=5000)
        assert evidence.inner_text() == HOSTILE_SENTENCE
        assert opened.page.evaluate("() => window.__pwned") is None
    finally:
        opened.page.close()


def test_project_fixture_layers(browser, tmp_path):
    """The shared fixture built by geomap.layers: real boundaries, every precision, a hostile article."""
    from _layers_fixture import HOSTILE_INCIDENT_ID, fixture_layers

    layers = fixture_layers()
    placed = int((~(layers.incidents.geometry.isna() | layers.incidents.geometry.is_empty)).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fixture's country-wide incident has no point
        m = render(layers, title="fixture")
    opened = browser.open(save_map(m, tmp_path / "fixture.html"))
    try:
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        assert _count(page, "path.geomap-incident") == placed
        if placed < len(layers.incidents):
            assert "with no location, not drawn" in page.inner_text(".geomap-legend")
        assert _count(page, ".leaflet-overlay-pane path.geomap-basemap-province") >= len(layers.provinces) // 2
        assert _count(page, ".leaflet-marker-pane .geomap-crossing") == len(layers.crossings)
        row = layers.incidents.set_index("incident_id").loc[HOSTILE_INCIDENT_ID]
        # Find the hostile incident's marker through its evidence and open it.
        page.evaluate(
            """sentence => {
                for (const x of window.__geomapIncidents[0].types) {
                    for (const m of x.markers) {
                        m.fire('click', {latlng: m.getLatLng()}, true);
                        const all = document.querySelectorAll('.leaflet-popup-content .geomap-evidence');
                        const box = all[all.length - 1];  // closed popups fade out after a while
                        if (box && box.textContent === sentence) { return; }
                    }
                }
                throw new Error('no popup shows the hostile sentence');
            }""",
            row["sentence"],
        )
        popup = page.locator(".leaflet-popup-content .geomap-popup").last
        assert popup.locator("script, img, a").count() == 0
        assert row["article_title"] in popup.inner_text()
        assert popup.locator(".geomap-inert-url").inner_text() == row["article_url"]
        page.wait_for_timeout(200)
        assert opened.dialogs == [] and page.evaluate("() => window.__pwned") is None
        assert opened.errors == []
    finally:
        opened.page.close()



def test_minimal_options_and_incident_choropleth(browser, tmp_path):
    """Every optional piece off, the other choropleth column: still a working map."""
    m = render(make_layers(), heatmap=False, time_filter=False, search=False, controls=False, choropleth="incidents")
    opened = browser.open(save_map(m, tmp_path / "minimal.html"))
    try:
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        assert _count(page, "path.geomap-incident") == 6
        assert _count(page, ".geomap-time, .geomap-search, .leaflet-control-minimap, canvas.leaflet-heatmap-layer") == 0
        assert "Provinces: incidents (choropleth)" in _layer_names(page)
        assert "Incidents per province" in page.inner_text(".geomap-legend")
    finally:
        opened.page.close()


def test_adds_to_a_users_map_with_its_own_control(browser, tmp_path):
    m = folium.Map(location=(21.5, 106.5), zoom_start=7, tiles=None)
    folium.FeatureGroup(name="My notes").add_to(m)
    folium.LayerControl().add_to(m)
    render(make_layers(), m=m)
    opened = browser.open(save_map(m, tmp_path / "users.html"))
    try:
        assert opened.errors == [] and opened.blocked == []
        names = _layer_names(opened.page)
        assert "My notes" in names and "Routes" in names
        assert _count(opened.page, ".leaflet-control-layers") == 1
        assert _count(opened.page, "path.geomap-incident") == 6
    finally:
        opened.page.close()
