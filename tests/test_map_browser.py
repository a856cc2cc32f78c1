"""The written map, in a real headless Chromium with the network blocked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from _browser import Browser
from _map_layers import HOSTILE_SENTENCE, HOSTILE_TITLE, HOSTILE_URL, _incident, incidents_frame, make_layers
from shapely.geometry import Point, box

from geomap._mappayload import unit_breaks
from geomap.map import render, save_map

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[1] / "output"
MONG_CAI = (21.5247, 107.9653)


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def stacked_frame(*, hostile: bool = True) -> gpd.GeoDataFrame:
    """The small incidents plus five more at Mong Cai's point and two on one province point."""
    extra = [
        _incident(f"s-{k}", kind, *MONG_CAI, start=dt.date(2024, 3 + k, 2), place="Mong Cai", value=10 + k, unit=unit,
                  counts=f"{10 + k} {unit}", sentence=f"Stacked report number {k} at Mong Cai.", title=f"Stack {k}",
                  source="Stack Wire", url=f"https://example.org/s/{k}", article_date=f"2024-{3 + k:02d}-03")
        for k, (kind, unit) in enumerate(
            [("repatriation", "people"), ("drug_trafficking", "kg"), ("migrant_smuggling", "people"),
             ("repatriation", "people"), ("goods_smuggling", "vehicles")]
        )
    ]
    extra += [
        _incident(f"p-{k}", "repatriation", 21.9, 106.4, start=dt.date(2025, 2, 1 + k), place="Lang Son province",
                  value=100, unit="people", counts="100 people", sentence=f"Province figure {k}.", title="Province",
                  source="Stack Wire", url="", article_date="2025-02-10", location_precision=4)
        for k in range(2)
    ]
    frame = incidents_frame(hostile=hostile)
    return gpd.GeoDataFrame([*frame.drop(columns="geometry").assign(geometry=frame.geometry).to_dict("records"), *extra],
                            geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="module")
def layers():
    return make_layers(hostile=True, incidents=stacked_frame())


@pytest.fixture(scope="module")
def map_path(layers, tmp_path_factory):
    return save_map(render(layers, title="Border incidents"), tmp_path_factory.mktemp("map") / "map.html")


@pytest.fixture()
def page(browser, map_path):
    opened = browser.open(map_path)
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


def _state(page) -> dict:
    """What the page shows now: counts per layer, table rows, shading values."""
    return page.evaluate(
        """() => { const a = __geomapApp.app; return {
            shown: a.shown.length,
            sites: Array.from(a.siteCount).reduce((x, y) => x + y, 0),
            drawn: a.sitesLayer.items.reduce((n, it) => n + it.n, 0),
            heat: a.heatPoints,
            routes: a.routesShown,
            shading: Object.values(a.unitValues).reduce((x, y) => x + y, 0),
            units: document.querySelectorAll('path.geomap-shading').length,
            types: a.typeLabels.map(x => x.text.textContent.trim()),
            table: document.querySelector('.geomap-page').textContent,
            rows: document.querySelectorAll('.geomap-table tbody tr').length,
            count: document.querySelector('.geomap-time-count').textContent,
        }; }"""
    )


def _period(page, start: str, end: str, undated: bool = True) -> None:
    page.fill(".geomap-time input[name=from]", start)
    page.dispatch_event(".geomap-time input[name=from]", "change")
    page.fill(".geomap-time input[name=to]", end)
    page.dispatch_event(".geomap-time input[name=to]", "change")
    page.set_checked(".geomap-time input[name=undated]", undated)
    page.wait_for_timeout(50)


def _site_point(page, lat: float, lon: float) -> tuple[float, float]:
    """Page coordinates of the drawn circle holding (lat, lon)."""
    return tuple(page.evaluate(
        """([lat, lon]) => {
            const a = __geomapApp.app, m = a.map, p = m.latLngToContainerPoint([lat, lon]);
            const box = m.getContainer().getBoundingClientRect();
            const it = a.sitesLayer.hit(p);
            if (!it) { throw new Error('nothing drawn at ' + lat + ',' + lon); }
            return [box.left + it.x, box.top + it.y];
        }""",
        [lat, lon],
    ))


def _download(page, button: str, nth: int) -> Path:
    """Click an export button; the file it downloads.

    The page makes the file (the detail strings read, a PNG drawn) and hands
    it to the browser, which starts the download: on a loaded machine either
    step can take seconds.  The wait follows the page's own record of files
    handed over (``__geomapApp.downloads``), then the browser's download
    event; the timeouts are ceilings, not guesses of how long it takes.
    """
    with page.expect_download(timeout=120_000) as info:
        page.click(button)
        page.wait_for_function(f"__geomapApp.downloads.length >= {nth}", timeout=120_000)
    return Path(info.value.path())


def _close_popups(page) -> None:
    page.evaluate("() => __geomapMap.closePopup()")


def test_initialises_offline_without_errors(page):
    assert page.errors == [] and page.blocked == []
    names = _layer_names(page)
    for name in ("Offline basemap (countries, provinces)", "Provinces shaded (measure in the filters)",
                 "Routes (stops in order)", "Incidents", "Heat map of incidents", "Border crossings"):
        assert name in names
    # Crossings start hidden, beneath the incidents.
    assert _count(page, ".geomap-crossing") == 0
    _toggle(page, "Border crossings")
    assert _count(page, ".leaflet-geomapCrossings-pane .geomap-crossing") == 2
    assert page.evaluate("() => +getComputedStyle(document.querySelector('.leaflet-geomapCrossings-pane')).zIndex") < \
        page.evaluate("() => +getComputedStyle(document.querySelector('.leaflet-geomapSites-pane')).zIndex")
    # The mini-map draws the offline country outlines: no tiles needed.
    assert page.evaluate("() => document.querySelectorAll('.leaflet-control-minimap path').length") >= 2


def test_every_stacked_incident_is_reachable_by_clicking(page, layers):
    """Five incidents share Mong Cai's point (with a route and crossings drawn too): each one opens."""
    _toggle(page, "Border crossings")
    page.evaluate(f"() => __geomapMap.setView([{MONG_CAI[0]}, {MONG_CAI[1]}], 12, {{animate: false}})")
    x, y = _site_point(page, *MONG_CAI)
    page.mouse.click(x, y)
    listing = page.locator(".leaflet-popup-content .geomap-list").last
    listing.wait_for(timeout=5000)
    ids = listing.locator("button.geomap-list-item").evaluate_all("bs => bs.map(b => b.dataset.incident)")
    expected = sorted(i for i, g in zip(layers.incidents["incident_id"], layers.incidents.geometry, strict=True)
                      if (round(g.y, 5), round(g.x, 5)) == MONG_CAI)
    assert sorted(ids) == expected and len(ids) == 6  # i-002 and the five stacked ones
    for incident in ids:
        page.mouse.click(x, y)
        page.locator(".leaflet-popup-content .geomap-list").last.locator(f"button[data-incident='{incident}']").click()
        shown = page.locator(".leaflet-popup-content .geomap-popup[data-incident]").last
        shown.wait_for(timeout=5000)
        assert shown.get_attribute("data-incident") == incident
        sentence = layers.incidents.set_index("incident_id").loc[incident, "sentence"]
        assert shown.locator(".geomap-evidence").inner_text() == sentence
    assert page.errors == []


def test_a_site_over_a_route_takes_the_click(page):
    """Lao Cai is both an incident and a route stop: clicking it opens the incident, not the route."""
    page.evaluate("() => __geomapMap.setView([22.4856, 103.9707], 11, {animate: false})")
    x, y = _site_point(page, 22.4856, 103.9707)
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content .geomap-popup").last
    popup.wait_for(timeout=5000)
    assert popup.get_attribute("data-incident") == "i-003"


def test_location_precision_is_drawn_and_filtered(page):
    page.evaluate("() => __geomapMap.setView([21.9, 106.4], 12, {animate: false})")
    item = page.evaluate("() => __geomapApp.app.sitesLayer.hit(__geomapMap.latLngToContainerPoint([21.9, 106.4]))")
    assert item["prec"] == 4 and item["n"] == 2  # a province figure: drawn hollow, with its number
    before = _state(page)["shown"]
    page.uncheck(".geomap-precision input[value='4']")
    page.wait_for_timeout(50)
    assert _state(page)["shown"] == before - 4  # the two stacked province figures, Cao Bang and Lang Son


def test_popup_shows_escaped_evidence_and_runs_nothing(page):
    page.evaluate("() => __geomapApp.app.flyTo(__geomapApp.app.shown.find(i => __geomapApp.app.str(__geomapApp.app.I.id[i]) === 'i-666'))")
    popup = page.locator(".leaflet-popup-content .geomap-popup").last
    popup.wait_for(timeout=5000)
    assert popup.locator(".geomap-evidence").inner_text() == HOSTILE_SENTENCE
    assert HOSTILE_TITLE in popup.inner_text()
    assert popup.locator("a").count() == 0  # the javascript: URL is inert text
    assert popup.locator(".geomap-inert-url").inner_text() == HOSTILE_URL
    assert _count(page, ".leaflet-popup-content img, .leaflet-popup-content script, .geomap-table img") == 0
    page.locator("path.geomap-route").first.dispatch_event("click")
    page.wait_for_timeout(100)
    assert "window.__pwned='route'" in page.locator(".leaflet-popup-content").last.inner_text()
    assert page.evaluate("() => window.__pwned") is None and page.dialogs == []


def test_route_popup_says_the_line_is_the_order_of_stops(page):
    page.locator("path.geomap-route").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .geomap-routes").last
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "not the path travelled" in text
    assert "Lao Cai → Hekou → Kunming" in text and "2025-01-16" in text  # the article's date
    assert "Smuggling ring broken" in text  # its title
    assert popup.locator("a.geomap-link").get_attribute("href") == "https://example.org/a/3"


def test_everything_follows_the_time_filter(page):
    whole = _state(page)
    assert whole["shown"] == 14 and whole["sites"] == 14 and whole["drawn"] == 14 and whole["routes"] == 1
    assert "14 of 14 incidents shown" in whole["count"] and "of 14" in whole["table"] and whole["rows"] == 14
    _period(page, "2024-01-01", "2024-12-31", undated=False)
    in_2024 = _state(page)
    # i-002, i-006 and the five stacked (March to July 2024).
    assert in_2024["shown"] == in_2024["sites"] == in_2024["drawn"] == in_2024["rows"] == 7
    assert "7 of 14 incidents shown" in in_2024["count"]
    assert in_2024["routes"] == 0  # the route's article is from 2025
    assert in_2024["shading"] < whole["shading"] and in_2024["heat"] < whole["heat"]
    assert in_2024["types"] != whole["types"]
    assert "Repatriation (2)" in in_2024["types"]
    _period(page, "2025-01-01", "2025-12-31")
    in_2025 = _state(page)
    assert in_2025["routes"] == 1 and in_2025["shown"] == 14 - 7
    assert page.errors == []


def test_type_source_country_and_text_filters(page):
    page.uncheck(".geomap-types input[value='repatriation']")
    page.wait_for_timeout(50)
    assert _state(page)["shown"] == 14 - 5
    page.check(".geomap-types input[value='repatriation']")
    page.select_option(".geomap-filters select[name=source]", "Stack Wire")
    page.wait_for_timeout(50)
    assert _state(page)["shown"] == 7
    page.select_option(".geomap-filters select[name=source]", "")
    page.select_option(".geomap-filters select[name=province]", "vn.province.lao-cai")
    page.wait_for_timeout(50)
    assert _state(page)["shown"] == 1
    page.select_option(".geomap-filters select[name=province]", "")
    page.fill(".geomap-filters input[name=q]", "truck")
    page.wait_for_timeout(400)
    state = _state(page)
    assert state["shown"] == 1 and state["rows"] == 1
    assert page.inner_text(".geomap-table tbody tr") .count("Dongxing") >= 1


def test_timeline_brushing_sets_the_period(page):
    canvas = page.locator(".geomap-timeline-canvas").bounding_box()
    months = page.evaluate("() => __geomapApp.app.tlMonths")  # 2024-02 .. 2025-08
    first = page.evaluate("() => __geomapApp.app.tlFirst")
    width = canvas["width"] / months

    def x_of(month: int) -> float:
        return canvas["x"] + (month - first + 0.5) * width

    y = canvas["y"] + canvas["height"] / 2
    march, june = 2024 * 12 + 2, 2024 * 12 + 5
    page.mouse.move(x_of(march), y)
    page.mouse.down()
    page.mouse.move(x_of(june), y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(50)
    assert page.input_value(".geomap-time input[name=from]") == "2024-03-01"
    assert page.input_value(".geomap-time input[name=to]") == "2024-06-30"
    state = _state(page)
    # i-002 (June) and the stacked ones of March to June; the undated one stays (ticked).
    assert state["shown"] == 6
    page.dblclick(".geomap-timeline-canvas")
    assert _state(page)["shown"] == 14


def test_table_sorts_searches_and_a_row_opens_its_incident(page):
    page.click(".geomap-table th[data-sort=place]")
    places = page.locator(".geomap-table tbody tr td:nth-child(3)").all_inner_texts()
    assert places == sorted(places)
    page.click(".geomap-table th[data-sort=place]")
    assert page.locator(".geomap-table tbody tr td:nth-child(3)").all_inner_texts() == sorted(places, reverse=True)
    page.fill(".geomap-table-bar input", "Lao Cai broke up")
    page.wait_for_timeout(400)
    rows = page.locator(".geomap-table tbody tr")
    assert rows.count() == 1
    page.evaluate("() => __geomapMap.setView([10, 100], 5, {animate: false})")
    rows.first.click()
    popup = page.locator(".leaflet-popup-content .geomap-popup[data-incident]").last
    popup.wait_for(timeout=5000)
    assert popup.get_attribute("data-incident") == "i-003"
    assert page.evaluate("() => __geomapMap.getBounds().contains([22.4856, 103.9707]) && __geomapMap.getZoom() >= 9")


def test_exports_download_exactly_what_is_shown(page, tmp_path):
    _period(page, "2024-01-01", "2024-12-31", undated=False)
    page.uncheck(".geomap-types input[value='goods_smuggling']")
    page.wait_for_timeout(50)
    shown = sorted(page.evaluate("() => __geomapApp.app.shown.map(i => __geomapApp.app.str(__geomapApp.app.I.id[i]))"))
    assert len(shown) == 6
    # The picture first: it is made asynchronously, and a page's first download is never held back.
    png = _download(page, ".geomap-export-png", 1).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    shot = tmp_path / "export.png"
    shot.write_bytes(png)
    raw = _download(page, ".geomap-export-csv", 2).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads Vietnamese names as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["incident_id"] for r in rows) == shown
    assert next(r for r in rows if r["incident_id"] == "i-002")["province"].startswith("Quảng Ninh")
    data = json.loads(_download(page, ".geomap-export-geojson", 3).read_text(encoding="utf-8"))
    assert sorted(f["id"] for f in data["features"]) == shown
    assert data["features"][0]["geometry"]["type"] == "Point"
    assert page.evaluate("() => __geomapApp.downloads") == ["geomap_view.png", "geomap_incidents.csv", "geomap_incidents.geojson"]
    assert page.errors == []


def test_the_url_reopens_the_same_view_and_filters(browser, map_path):
    first = browser.open(map_path)
    try:
        page = first.page
        _period(page, "2024-03-01", "2024-12-31", undated=False)
        page.uncheck(".geomap-types input[value='drug_trafficking']")
        page.select_option(".geomap-filters select[name=measure]", "repatriated")
        page.evaluate("() => __geomapMap.setView([21.6, 107.5], 9, {animate: false})")
        page.wait_for_timeout(100)
        url = page.url
        before = _state(page)
        legend = page.inner_text(".geomap-shade-legend")
    finally:
        first.page.close()
    assert "#" in url and "from=2024-03-01" in url
    second = browser.open(map_path)
    try:
        page = second.page
        page.goto("about:blank")
        page.goto(url)
        page.wait_for_function("window.__geomapReady === true")
        assert _state(page) == before
        assert page.inner_text(".geomap-shade-legend") == legend
        assert "People repatriated" in legend and "2024-03-01 to 2024-12-31" in legend
        assert page.evaluate("() => [__geomapMap.getZoom(), +__geomapMap.getCenter().lat.toFixed(2)]") == [9, 21.6]
        assert not page.is_checked(".geomap-types input[value='drug_trafficking']")
    finally:
        second.page.close()


def test_shading_is_one_measure_and_its_breaks_match_mapclassify(page):
    # "Incidents" counts events: an event several reports told is one (labelled so in the picker and legend)
    picker = page.locator(".geomap-filters select[name=measure] option[value=incidents]").inner_text()
    assert picker == "Incidents (events counted once)"
    assert page.inner_text(".geomap-shade-legend").startswith("Provinces: Incidents (events counted once),")
    page.select_option(".geomap-filters select[name=measure]", "repatriated")
    page.wait_for_timeout(50)
    legend = page.inner_text(".geomap-shade-legend")
    assert legend.startswith("Provinces: People repatriated")
    values = page.evaluate("() => Object.values(__geomapApp.app.unitValues)")
    # Lang Son: 30 (i-005) + 2 x 100; Quang Ninh: 10 + 13 at Mong Cai.
    assert sorted(values) == [23, 230]
    for sample in ([1, 2, 2, 3, 10, 12, 40, 41, 300, 5000, 7, 8], [5, 5, 5, 9], [0.5, 1.5, 2.5, 8, 13, 21, 34, 55]):
        assert page.evaluate("v => geomapStart.jenks(v, Math.min(5, v.length))", sample) == pytest.approx(unit_breaks(sample))


def test_only_units_valid_for_the_period_are_shaded(browser, tmp_path):
    """An old and a new unit over the same ground: never drawn together; each holds its own period's figures."""
    layers = make_layers()
    old = {"province_id": "vn.province.old", "name": "Old unit", "country": "VN", "iso3166_2": "",
           "valid_from": None, "valid_to": "2025-07-01", "geometry": box(107.0, 21.0, 108.5, 22.0)}
    new = {"province_id": "vn.province.new", "name": "New unit", "country": "VN", "iso3166_2": "",
           "valid_from": "2025-07-01", "valid_to": None, "geometry": box(106.9, 20.9, 108.6, 22.1)}
    layers.provinces = gpd.GeoDataFrame([old, new], geometry="geometry", crs="EPSG:4326")
    frame = incidents_frame()
    layers.incidents = frame
    # i-002 (2024, Mong Cai) counts for the old unit; a 2025-08 incident for the new one.
    layers.incident_province = (("i-002", "vn.province.old"), ("i-006", "vn.province.new"))
    frame.loc[frame["incident_id"] == "i-006", "date_start"] = dt.date(2025, 8, 1)
    frame.loc[frame["incident_id"] == "i-006", "date_end"] = dt.date(2025, 8, 1)
    opened = browser.open(save_map(render(layers), tmp_path / "units.html"))
    try:
        page = opened.page
        names = lambda: sorted(page.evaluate(  # noqa: E731
            "() => Object.keys(__geomapApp.app.unitLayers).filter(u => __geomapApp.app.groups.shading"
            ".hasLayer(__geomapApp.app.unitLayers[u])).map(u => __geomapApp.app.units.name[u])"))
        assert names() == ["New unit"]  # the whole period ends after the reform: today's units
        assert page.evaluate("() => Object.values(__geomapApp.app.unitValues)") == [2]  # both, in the new unit
        _period(page, "2024-01-01", "2024-12-31")
        assert names() == ["Old unit"]
        assert _count(page, "path.geomap-shading") == 1
    finally:
        opened.page.close()


def test_country_wide_figures_are_listed_not_drawn(browser, tmp_path):
    frame = incidents_frame()
    frame.loc[0, "location_precision"] = 6
    frame.loc[0, "geometry"] = Point(105.0, 35.0)
    frame["country"] = ["CN", "VN", "VN", "VN", "VN", "CN"]
    opened = browser.open(save_map(render(make_layers(incidents=frame)), tmp_path / "cw.html"))
    try:
        page = opened.page
        assert _state(page)["drawn"] == 5
        button = page.locator(".geomap-countrywide button")
        assert button.inner_text() == "China: 1"
        button.click()
        popup = page.locator(".leaflet-popup-content .geomap-popup[data-incident]").last
        popup.wait_for(timeout=5000)
        assert popup.get_attribute("data-incident") == "i-001"
        page.select_option(".geomap-filters select[name=country]", "CN")
        page.wait_for_timeout(50)
        assert _state(page)["shown"] == 2
    finally:
        opened.page.close()


def test_screenshots_for_the_readme(browser, tmp_path):
    """The README's pictures: the map with its filters, timeline and table; a site's list of incidents."""
    layers = make_layers(incidents=stacked_frame(hostile=False))
    opened = browser.open(save_map(render(layers, title="geomap: border incidents"), tmp_path / "shot.html"))
    try:
        OUTPUT.mkdir(exist_ok=True)
        page = opened.page
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUTPUT / "map_overview.png"))
        first = page.evaluate("() => { const c = __geomapMap.getCenter(); return [c.lat, c.lng, __geomapMap.getZoom()]; }")
        page.evaluate(f"() => __geomapMap.setView([{MONG_CAI[0]}, {MONG_CAI[1]}], 10, {{animate: false}})")
        page.mouse.click(*_site_point(page, *MONG_CAI))
        page.locator(".leaflet-popup-content .geomap-list").wait_for(timeout=5000)
        page.screenshot(path=str(OUTPUT / "map_stacked.png"))
        # The shading legend: one measure, its period, its natural-breaks classes.
        page.keyboard.press("Escape")
        page.evaluate("() => __geomapMap.closePopup()")
        page.evaluate("v => __geomapMap.setView([v[0], v[1]], v[2], {animate: false})", first)
        page.select_option(".geomap-filters select[name=measure]", "repatriated")
        legend = page.locator(".geomap-legend")
        assert "People repatriated" in legend.inner_text()
        page.evaluate("() => document.querySelector('.geomap-shade-legend').scrollIntoView({block: 'end'})")
        legend.screenshot(path=str(OUTPUT / "map_legend.png"))
        # The timeline brushed to 2024 and the table of what it shows, sorted by type.
        canvas = page.locator(".geomap-timeline-canvas").bounding_box()
        months = page.evaluate("() => __geomapApp.app.tlMonths")  # 2024-02 .. 2025-08
        step = canvas["width"] / months
        page.mouse.move(canvas["x"] + step * 0.5, canvas["y"] + canvas["height"] / 2)
        page.mouse.down()
        page.mouse.move(canvas["x"] + step * 10.5, canvas["y"] + canvas["height"] / 2, steps=4)
        page.mouse.up()
        page.locator(".geomap-table th[data-sort=type]").click()
        assert page.evaluate("() => __geomapApp.app.shown.length") == _state(page)["shown"] > 0
        page.locator(".geomap-panel").screenshot(path=str(OUTPUT / "map_timeline_table.png"))
        page.screenshot(path=str(OUTPUT / "map_shading.png"))
        for name in ("map_overview.png", "map_stacked.png", "map_legend.png", "map_timeline_table.png", "map_shading.png"):
            assert (OUTPUT / name).stat().st_size > 5_000
        assert opened.errors == [] and opened.blocked == []
    finally:
        opened.page.close()


def test_compressed_payload_unpacks_in_the_browser(browser, layers, tmp_path):
    opened = browser.open(save_map(render(layers, compress=True), tmp_path / "packed.html"))
    try:
        assert opened.errors == [] and opened.blocked == []
        assert _state(opened.page)["shown"] == len(layers.incidents)
    finally:
        opened.page.close()


def test_project_fixture_layers(browser, tmp_path):
    """The shared fixture built by geomap.layers: real boundaries, every precision, a hostile article."""
    from _layers_fixture import HOSTILE_INCIDENT_ID, fixture_layers

    layers = fixture_layers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = render(layers, title="fixture")
    opened = browser.open(save_map(m, tmp_path / "fixture.html"))
    try:
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        placed = int((~(layers.incidents.geometry.isna() | layers.incidents.geometry.is_empty)
                      | (layers.incidents["location_precision"] == 6)).sum())
        assert _state(page)["shown"] == placed
        assert _count(page, ".leaflet-overlay-pane path.geomap-basemap-province") >= len(layers.provinces) // 2
        row = layers.incidents.set_index("incident_id").loc[HOSTILE_INCIDENT_ID]
        page.evaluate(
            "id => { const a = __geomapApp.app; a.flyTo(a.shown.find(i => a.str(a.I.id[i]) === id)); }",
            HOSTILE_INCIDENT_ID,
        )
        popup = page.locator(".leaflet-popup-content .geomap-popup").last
        popup.wait_for(timeout=5000)
        assert popup.locator(".geomap-evidence").inner_text() == row["sentence"]
        assert popup.locator("script, img, a").count() == 0
        assert row["article_title"] in popup.inner_text()
        page.wait_for_timeout(200)
        assert opened.dialogs == [] and page.evaluate("() => window.__pwned") is None
        assert opened.errors == []
    finally:
        opened.page.close()


def test_minimal_options(browser, tmp_path):
    """Every optional piece off: still a working map."""
    m = render(make_layers(), heatmap=False, time_filter=False, search=False, controls=False, panel=False, shade=None)
    opened = browser.open(save_map(m, tmp_path / "minimal.html"))
    try:
        page = opened.page
        assert opened.errors == [] and opened.blocked == []
        assert page.evaluate("() => __geomapApp.app.shown.length") == 6
        assert _count(page, ".geomap-filters, .geomap-search, .leaflet-control-minimap, .geomap-panel, path.geomap-shading") == 0
    finally:
        opened.page.close()


def test_adds_to_a_users_map_with_its_own_control(browser, tmp_path):
    m = folium.Map(location=(21.5, 106.5), zoom_start=7, tiles=None)
    folium.FeatureGroup(name="My notes").add_to(m)
    folium.LayerControl().add_to(m)
    render(make_layers(), m=m)
    render(make_layers(), m=m)  # twice: still one of each
    folium.FeatureGroup(name="Added after").add_to(m)
    opened = browser.open(save_map(m, tmp_path / "users.html"))
    try:
        assert opened.errors == [] and opened.blocked == []
        names = _layer_names(opened.page)
        assert "My notes" in names and "Routes (stops in order)" in names and "Added after" in names
        assert len(names) == len(set(names))
        assert _count(opened.page, ".leaflet-control-layers") == 1
        assert _count(opened.page, ".geomap-filters") == 1
    finally:
        opened.page.close()
