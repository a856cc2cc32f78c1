"""The map with thousands of incidents and routes, in Chromium: what is drawn at scale stays reachable.

Past :data:`SVG_LEGS` legs the routes are one canvas that draws the busiest
legs in view (the rest as the user zooms in), and the table is virtual (only
the rows in view are elements): every incident and route must still be
reachable by zooming, clicking and scrolling, and a refilter must change the
counts, routes and table together.
"""

from __future__ import annotations

import datetime as dt
import random

import geopandas as gpd
import pytest
from _browser import Browser
from _map_layers import _incident, make_layers
from shapely.geometry import LineString, Point

from geomap.map import render, save_map

N_INCIDENTS = 3_000
N_ROUTES = 1_200
TYPES = ("illegal_crossing", "migrant_smuggling", "drug_trafficking", "repatriation")
HOSTILE = "<img src=x onerror=\"window.__pwned=1\">Point 0"  # the name of the stop at grid point 0


def _grid(k: int) -> tuple[float, float]:
    """Point k of a 20 x 20 grid over the northern border (lat, lon)."""
    return 21.0 + (k // 20) * 0.1, 103.5 + (k % 20) * 0.22


def _layers():
    rows = []
    for k in range(N_INCIDENTS):
        lat, lon = _grid(k % 400)
        day = dt.date(2023, 1, 1) + dt.timedelta(days=k % 700)
        rows.append(_incident(f"s-{k:05d}", TYPES[k % len(TYPES)], lat, lon, start=day, place=f"Point {k % 400}",
                              sentence=f"Guards stopped group {k} at the border.", source=f"Outlet {k % 5}",
                              article_date=day.isoformat()))  # fmt: skip
    layers = make_layers(incidents=gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326"))
    routes, stops, rng = [], [], random.Random(20261203)
    for r in range(N_ROUTES):
        at = rng.sample(range(400), 3)
        points = [_grid(k) for k in at]
        routes.append({"route_id": f"r-{r:05d}", "article_id": f"a-s-{r:05d}", "stops": " → ".join(f"Point {k}" for k in at),
                       "roles": "origin;transit;destination", "length_km": 100.0, "sentence": f"Route {r} went on.",
                       "geometry": LineString([(lon, lat) for lat, lon in points])})  # fmt: skip
        for s, (k, (lat, lon)) in enumerate(zip(at, points, strict=True)):
            stops.append({"route_id": f"r-{r:05d}", "stop": s, "place_id": f"p{k}", "name": HOSTILE if k == 0 else f"Point {k}",
                          "role": ("origin", "transit", "destination")[s], "precision": 1, "geometry": Point(lon, lat)})  # fmt: skip
    layers.routes = gpd.GeoDataFrame(routes, geometry="geometry", crs="EPSG:4326")
    layers.route_stops = gpd.GeoDataFrame(stops, geometry="geometry", crs="EPSG:4326")
    return layers


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = save_map(render(_layers(), title="scale"), tmp_path_factory.mktemp("scale") / "map.html")
    with Browser() as browser:
        opened = browser.open(path, timeout_ms=120_000)
        opened.page.evaluate("async () => { await __geomapApp.details(); }")
        yield opened
        opened.page.close()


def test_routes_are_one_canvas_and_a_click_on_a_leg_lists_its_routes(page):
    assert page.errors == []
    state = page.evaluate(
        """() => { const a = __geomapApp.app, L = a.routeLayer;
            return {canvas: !!L, paths: document.querySelectorAll('path.geomap-route').length, legs: a.routes.legs.length,
                    drawn: L.nDrawn, inView: L.legsInView, shown: a.routesShown}; }"""
    )
    assert state["canvas"] and state["paths"] == 0  # no SVG element a leg
    assert state["legs"] > 1_500 and state["shown"] == N_ROUTES and 0 < state["drawn"] <= state["inView"]
    # a drawn leg, clicked at its middle on the page, opens the list of the routes along it
    x, y, leg = page.evaluate(
        """() => { const a = __geomapApp.app, L = a.routeLayer, box = a.map.getContainer().getBoundingClientRect();
            for (let j = 0; j < L.nDrawn; j++) {
                const q = 4 * j, x = (L.drawnXY[q] + L.drawnXY[q + 2]) / 2, y = (L.drawnXY[q + 1] + L.drawnXY[q + 3]) / 2;
                if (x > 320 && x < box.width - 320 && y > 120 && y < box.height - 120 && !a.sitesLayer.hit({x: x, y: y})
                    && L.legAt({x: x, y: y}) === L.drawnLegs[j]) {
                    return [box.left + x, box.top + y, L.drawnLegs[j]];
                }
            }
            throw new Error('no leg clear of sites and controls'); }"""
    )
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content .geomap-routes").last
    popup.wait_for(timeout=10_000)
    expected = page.evaluate(
        "leg => __geomapApp.app.routes.path.filter(p => p.indexOf(leg) >= 0).length", leg
    )
    heading = popup.locator("h4").inner_text()
    assert heading == ("Route" if expected == 1 else f"{expected:,} routes on this leg")
    assert "not the path travelled" in popup.inner_text()
    page.evaluate("() => __geomapMap.closePopup()")


def test_every_route_leg_is_drawn_once_zoomed_in_enough(page):
    """The canvas draws the busiest legs in view; zoomed in on any leg, that leg is drawn and clickable."""
    missing = page.evaluate(
        """() => { const a = __geomapApp.app, L = a.routeLayer, R = a.routes, m = a.map, missing = [];
            const legs = [0, 1, 2, 3, R.legs.length >> 1, R.legs.length - 1];
            for (const k of legs) {
                const g = R.legs[k];
                m.fitBounds([[g[0], g[1]], [g[2], g[3]]], {animate: false, maxZoom: 14});
                L.redraw();
                const drawn = Array.from(L.drawnLegs.subarray(0, L.nDrawn));
                if (drawn.indexOf(k) < 0) { missing.push(k); }
            }
            return missing; }"""
    )
    assert missing == []


def test_the_virtual_table_lists_every_row_and_a_far_row_flies_to_its_incident(page):
    page.evaluate("() => __geomapMap.setView([10, 100], 5, {animate: false})")
    rows = page.evaluate("() => document.querySelectorAll('.geomap-table tbody tr').length")
    assert 0 < rows < 200  # only the rows in view (and a margin) are elements, not 3,000
    # scroll to a row far down: it is drawn, and a click on it opens its incident on the map
    target = page.evaluate("() => { const a = __geomapApp.app, i = a.shown[2500]; a.scrollTableTo(i); return a.str(a.I.id[i]); }")
    page.wait_for_timeout(100)
    row = page.locator(f".geomap-table tbody tr[data-incident='{target}']")
    row.click()
    popup = page.locator(f".leaflet-popup-content .geomap-popup[data-incident='{target}']").last
    popup.wait_for(timeout=10_000)
    assert page.evaluate("() => __geomapMap.getZoom() >= 9")
    # the last row is reachable by scrolling to the end
    last = page.evaluate(
        """() => { const a = __geomapApp.app, box = a.tableBox; box.scrollTop = box.scrollHeight; a.drawTable();
            const ids = [...document.querySelectorAll('.geomap-table tbody tr')].map(tr => tr.dataset.incident);
            return [ids[ids.length - 1], a.str(a.I.id[a.shown[a.shown.length - 1]])]; }"""
    )
    assert last[0] == last[1]
    page.evaluate("() => __geomapMap.closePopup()")


def test_a_stop_named_with_markup_is_shown_as_text_on_hover(page):
    # before the refilter below, which leaves a period set (and this stop's routes out of it)
    page.evaluate("() => { __geomapMap.setView([21.0, 103.5], 9, {animate: false}); __geomapApp.app.routeLayer.redraw(); }")
    found = page.evaluate(
        """name => { const a = __geomapApp.app, L = a.routeLayer, R = a.routes;
            const st = L.drawnStops.find(s => a.str(R.stops[s[0]][2]).startsWith(name));
            if (!st) { return false; }
            L._onMove({containerPoint: window.L.point(st[1], st[2])});
            return true; }""",
        HOSTILE,
    )
    assert found, "the stop at grid point 0 is not drawn in view"
    tip = page.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    assert tip.inner_text().startswith(HOSTILE)  # the markup as text (then the stop's role)
    assert tip.locator("img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    page.evaluate("() => __geomapMap.closeTooltip(__geomapApp.app.routeLayer._tip)")


def test_a_refilter_by_date_changes_counts_routes_and_table_together(page):
    before = page.evaluate("() => [__geomapApp.app.shown.length, __geomapApp.app.routesShown]")
    assert before == [N_INCIDENTS, N_ROUTES]
    page.fill(".geomap-time input[name=from]", "2023-03-01")
    page.dispatch_event(".geomap-time input[name=from]", "change")
    page.fill(".geomap-time input[name=to]", "2023-05-31")
    page.dispatch_event(".geomap-time input[name=to]", "change")
    after = page.evaluate(
        """() => { const a = __geomapApp.app;
            return {shown: a.shown.length, routes: a.routesShown, drawn: a.routeLayer.nDrawn,
                    sites: Array.from(a.siteCount).reduce((x, y) => x + y, 0),
                    count: document.querySelector('.geomap-time-count').textContent,
                    table: document.querySelector('.geomap-page').textContent}; }"""
    )
    # incidents k have day k % 700 from 2023-01-01: March to May 2023 is days 59..150
    expected = sum(1 for k in range(N_INCIDENTS) if 59 <= k % 700 <= 150)
    assert after["shown"] == after["sites"] == expected
    assert after["count"].startswith(f"{expected:,} of {N_INCIDENTS:,}")
    assert f"of {expected:,}" in after["table"]
    # route r is told by incident r's article, of that incident's day
    assert after["routes"] == sum(1 for r in range(N_ROUTES) if 59 <= r % 700 <= 150)
