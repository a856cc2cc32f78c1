"""Events told by several reports on the map, in a real headless Chromium: one marker, every report in its popup."""

from __future__ import annotations

import datetime as dt

import pytest
from _browser import Browser
from _extract import small_gazetteer

from geomap.extract import extract
from geomap.layers import build_layers
from geomap.map import render, save_map
from geomap.records import Article, DateSpan

pytestmark = pytest.mark.browser


def _report(aid: str, text: str, day: dt.date, outlet: str, url: str) -> Article:
    return Article(id=aid, text=text, date=DateSpan(day, day, "day", day.isoformat()), source=outlet, url=url)


REPORTS = [
    _report("a", "On May 4, border guards at Huu Nghi stopped 23 people crossing illegally from China.", dt.date(2024, 5, 5),
            "Wire A", "https://example.org/a"),
    _report("b", "Guards in Lang Son caught 25 people who had crossed illegally on Saturday, May 4. {{7*7}}", dt.date(2024, 5, 6),
            "Paper <b>B</b> {{7*7}}", "javascript:alert(1)"),
    _report("c", "Twenty-three people were stopped crossing illegally at Huu Nghi on May 4.", dt.date(2024, 5, 4),
            "Radio C", "https://example.org/c"),
    _report("d", "On May 2 police in Lao Cai seized 4 kg of heroin.", dt.date(2024, 5, 3), "Wire A", ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    gazetteer = small_gazetteer()
    layers = build_layers(extract(REPORTS, gazetteer=gazetteer), gazetteer=gazetteer)
    assert len(layers.events) == 2 and sorted(layers.events["reports"]) == [1, 3]
    path = save_map(render(layers, title="Events"), tmp_path_factory.mktemp("events") / "map.html")
    with Browser() as browser:
        opened = browser.open(path)
        yield opened
        opened.page.close()


def test_an_event_told_three_times_is_one_marker_and_its_incidents_stay_in_the_table(page):
    assert page.errors == []
    assert page.evaluate("() => window.__geomapEvents") == 1
    assert page.locator("path.geomap-event-marker").count() == 1
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())"
    )
    assert "Events told by several reports (1)" in labels
    # the event's three tellings stay in the app, which filters and tabulates them, beside the heroin seizure
    assert page.evaluate("() => __geomapApp.app.shown.length") == 4


def test_the_event_popup_lists_every_report_and_says_the_counts_disagree(page):
    page.locator("path.geomap-event-marker").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .geomap-event").last
    popup.wait_for(timeout=5000)
    sources = popup.locator(".geomap-event-source")
    assert sources.count() == 3
    outlets = [sources.nth(i).locator(".geomap-event-outlet").inner_text() for i in range(3)]
    # text, never HTML, and never a template: "{{7*7}}" stays as written
    assert outlets == ["Wire A (2024-05-05)", "Paper <b>B</b> {{7*7}} (2024-05-06)", "Radio C (2024-05-04)"]
    assert "Told by 3 reports" in popup.inner_text()
    assert "Counts disagree between reports" in popup.locator(".geomap-event-disagree").inner_text()
    assert [sources.nth(i).locator(".geomap-event-figures").inner_text() for i in range(3)] == [
        "23 people", "25 people", "23 people",
    ]  # fmt: skip
    evidence = sources.nth(1).locator(".geomap-evidence").inner_text()
    assert evidence.startswith("Guards in Lang Son caught 25 people") and "{{7*7}}" not in evidence  # its own sentence
    assert "49" not in popup.inner_text()
    # only http(s) links become links
    assert [a.get_attribute("href") for a in popup.locator("a.geomap-link").all()] == [
        "https://example.org/a", "https://example.org/c",
    ]  # fmt: skip
    assert popup.locator("b, script, img").count() == 0
