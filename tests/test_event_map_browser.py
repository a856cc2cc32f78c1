"""Events told by several reports on the map, in a real headless Chromium: one marker, every report in its popup.

The map application folds an event into one marker (its most precisely placed
report stands for it in the sites, counts, timeline and table); there is no
second layer of event markers beside the incidents.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _browser import Browser
from _extract import small_gazetteer

from geomap.extract import extract
from geomap.layers import build_layers
from geomap.map import render, save_map
from geomap.records import Article, DateSpan

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "reports"
THREE_OUTLETS = ("16_bat-xat-trail-crossing.md", "17_lao-cai-group-caught.md", "18_frontier-wire.jsonl")


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
def browser():
    with Browser() as b:
        yield b


def _open(browser, path: Path):
    opened = browser.open(path)
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def hostile(browser, tmp_path_factory):
    gazetteer = small_gazetteer()
    layers = build_layers(extract(REPORTS, gazetteer=gazetteer), gazetteer=gazetteer)
    assert len(layers.events) == 2 and sorted(layers.events["reports"]) == [1, 3]
    yield from _open(browser, save_map(render(layers, title="Events"), tmp_path_factory.mktemp("events") / "map.html"))


@pytest.fixture(scope="module")
def sample(browser, tmp_path_factory):
    """The whole sample corpus, whose reports 16, 17 and 18 tell one event (14 or 15 people near Bat Xat)."""
    layers = build_layers(extract([SAMPLES]))
    told = layers.events[layers.events["reports"] == 3]
    assert len(told) == 1
    ids = str(told["incident_ids"].iloc[0]).split(";")
    assert sorted(i.split("#")[0] for i in ids) == sorted(name.split(".")[0] for name in THREE_OUTLETS[:2]) + [
        "18_lao-cai-wire-brief"
    ]  # the JSON Lines file's article id
    page_path = save_map(render(layers, title="Sample"), tmp_path_factory.mktemp("sample") / "map.html")
    for opened in _open(browser, page_path):
        yield opened, layers, ids


def _event_rows(page) -> list[dict]:
    # a page that reads its detail strings (ids, evidence) after it is drawn: wait for them
    page.evaluate("async () => { if (window.__geomapApp.details) { await window.__geomapApp.details(); } }")
    return page.evaluate(
        """() => { const a = __geomapApp.app, I = a.I;
            return a.E.lead.map((lead, e) => ({lead: a.str(I.id[lead]), reports: a.E.m[e].map(i => a.str(I.id[i])),
                                                dis: a.E.dis[e], site: I.site[lead]})); }"""
    )


def _click_lead(page, lead_id: str) -> None:
    """Click, with the mouse, the drawn circle of the incident ``lead_id`` stands for, zoomed in until it is alone."""
    page.evaluate(
        """id => { const a = __geomapApp.app, I = a.I, i = I.id.findIndex(k => a.str(k) === id), s = a.sites[I.site[i]];
                   a.map.setView([s[0], s[1]], a.map.getMaxZoom(), {animate: false}); }""",
        lead_id,
    )
    x, y = page.evaluate(
        """id => { const a = __geomapApp.app, I = a.I, i = I.id.findIndex(k => a.str(k) === id), s = a.sites[I.site[i]];
                   const p = a.map.latLngToContainerPoint([s[0], s[1]]), box = a.map.getContainer().getBoundingClientRect();
                   const it = a.sitesLayer.hit(p); if (!it) { throw new Error('nothing drawn for ' + id); }
                   return [box.left + it.x, box.top + it.y]; }""",
        lead_id,
    )
    page.mouse.click(x, y)


def test_an_event_told_three_times_is_one_marker_and_counted_once(hostile):
    page = hostile
    assert page.errors == []
    (event,) = _event_rows(page)
    assert sorted(event["reports"]) == ["a#1", "b#1", "c#1"]
    state = page.evaluate(
        """() => { const a = __geomapApp.app; return {shown: a.shown.length, n: a.n,
                   sites: Array.from(a.siteCount).reduce((x, y) => x + y, 0),
                   drawn: a.sitesLayer.items.reduce((n, it) => n + it.n, 0),
                   rows: document.querySelectorAll('.geomap-table tbody tr').length,
                   count: document.querySelector('.geomap-time-count').textContent,
                   legend: document.querySelector('.geomap-legend').textContent}; }"""
    )
    # four incidents, two events: the crossing told thrice and the heroin seizure
    assert state["n"] == 4 and state["shown"] == 2 and state["sites"] == 2 and state["drawn"] == 2 and state["rows"] == 2
    assert state["count"] == "2 of 2 events shown (4 incidents; 1 event told by several reports)"
    assert "A marker is one event" in state["legend"]
    # no second layer of event markers beside the incidents
    assert page.locator("path.geomap-event-marker").count() == 0
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.textContent.trim())"
    )
    assert not any("several reports" in label for label in labels)


def test_the_event_popup_lists_every_report_and_says_the_counts_disagree(hostile):
    page = hostile
    (event,) = _event_rows(page)
    assert event["dis"] == 1
    _click_lead(page, event["lead"])
    popup = page.locator(".leaflet-popup-content .geomap-event").last
    popup.wait_for(timeout=5000)
    sources = popup.locator(".geomap-event-source")
    assert sources.count() == 3
    assert sorted(sources.evaluate_all("ls => ls.map(l => l.dataset.incident)")) == ["a#1", "b#1", "c#1"]
    by_id = {sources.nth(k).get_attribute("data-incident"): sources.nth(k) for k in range(3)}
    # text, never HTML, and never a template: "{{7*7}}" stays as written
    assert by_id["b#1"].locator(".geomap-article").inner_text() == "Paper <b>B</b> {{7*7}} · 2024-05-06"
    assert by_id["a#1"].locator(".geomap-article").inner_text() == "Wire A · 2024-05-05"
    assert [by_id[k].locator(".geomap-event-figures").inner_text() for k in ("a#1", "b#1", "c#1")] == [
        "23 people", "25 people", "23 people",
    ]  # fmt: skip
    assert "One event told by 3 reports" in popup.inner_text()
    disagree = popup.locator(".geomap-event-disagree").inner_text()
    assert "counts disagree" in disagree and "25 people (Paper <b>B</b> {{7*7}})" in disagree and "23 people (Wire A)" in disagree
    evidence = by_id["b#1"].locator(".geomap-evidence").inner_text()
    assert evidence.startswith("Guards in Lang Son caught 25 people") and "{{7*7}}" not in evidence  # its own sentence
    assert "49" not in popup.inner_text()
    # only http(s) links become links
    assert sorted(a.get_attribute("href") for a in popup.locator("a.geomap-link").all()) == [
        "https://example.org/a", "https://example.org/c",
    ]  # fmt: skip
    assert popup.locator("b, script, img").count() == 0
    assert page.errors == []


def test_filters_count_events_and_a_filter_on_one_reports_outlet_keeps_the_event(hostile):
    page = hostile

    def shown() -> list[str]:
        return page.evaluate("() => __geomapApp.app.shown.map(i => __geomapApp.app.str(__geomapApp.app.I.id[i]))")

    (event,) = _event_rows(page)
    lead = event["lead"]
    # a source that told only the event (not its lead): the event stays, drawn once
    page.select_option(".geomap-filters select[name=source]", "Radio C")
    page.wait_for_timeout(50)
    assert shown() == [lead]
    page.select_option(".geomap-filters select[name=source]", "")
    # the type filter: heroin off leaves the event
    page.uncheck(".geomap-types input[value=drug_trafficking]")
    page.wait_for_timeout(50)
    assert shown() == [lead]
    assert "Illegal entry/exit (1)" in page.locator(".geomap-types").inner_text()
    page.check(".geomap-types input[value=drug_trafficking]")
    # a period that holds only the heroin seizure (May 2)
    page.evaluate("() => { const a = __geomapApp.app; a.state.from = a.range[0]; a.state.to = a.range[0]; a.apply(); }")
    assert shown() == ["d#1"]
    page.evaluate("() => { const a = __geomapApp.app; a.state.to = a.range[1]; a.apply(); }")
    assert sorted(shown()) == sorted([lead, "d#1"])
    # the export of what is shown carries every report of the event
    exported = page.evaluate("() => __geomapApp.app.records().map(r => r.incident_id)")
    assert sorted(exported) == ["a#1", "b#1", "c#1", "d#1"]
    assert page.errors == []


def test_the_sample_corpus_event_told_by_three_outlets_is_one_marker_listing_them(sample):
    page, layers, ids = sample
    assert page.errors == []
    events = {tuple(sorted(e["reports"])): e for e in _event_rows(page)}
    event = events[tuple(sorted(ids))]
    # one marker: the two other reports are neither drawn nor counted nor tabulated
    state = page.evaluate(
        """ids => { const a = __geomapApp.app, I = a.I;
            const rows = ids.map(id => I.id.findIndex(k => a.str(k) === id));
            return {shown: rows.filter(i => a.shown.indexOf(i) >= 0).length,
                    table: [...document.querySelectorAll('.geomap-table tbody tr')].map(tr => tr.dataset.incident),
                    nEvents: a.nEvents, n: a.n}; }""",
        ids,
    )
    assert state["shown"] == 1
    placed = int((~(layers.incidents.geometry.isna() | layers.incidents.geometry.is_empty)).sum())
    assert state["n"] <= placed and state["nEvents"] == state["n"] - sum(len(e["reports"]) - 1 for e in events.values())
    _click_lead(page, event["lead"])
    popup = page.locator(".leaflet-popup-content .geomap-event").last
    popup.wait_for(timeout=5000)
    assert sorted(popup.locator(".geomap-event-source").evaluate_all("ls => ls.map(l => l.dataset.incident)")) == sorted(ids)
    outlets = popup.locator(".geomap-event-source .geomap-article").all_inner_texts()
    assert sorted(o.split(" · ")[1] for o in outlets) == [
        "Frontier Wire Service (sample)", "Highland Daily (sample)", "Northern Frontier News (sample)",
    ]  # fmt: skip
    # 14 people in two reports, 15 in the wire's: said, and every count kept
    assert sorted(popup.locator(".geomap-event-figures").all_inner_texts()) == ["14 people", "14 people", "15 people"]
    assert "counts disagree" in popup.locator(".geomap-event-disagree").inner_text()
    assert len(popup.locator(".geomap-evidence").all_inner_texts()) == 3


def test_sample_filters_keep_working_with_events_folded(sample):
    page, layers, ids = sample
    lead = next(e["lead"] for e in _event_rows(page) if sorted(e["reports"]) == sorted(ids))

    def count() -> int:
        return page.evaluate("() => __geomapApp.app.shown.length")

    everything = count()
    page.select_option(".geomap-filters select[name=source]", "Frontier Wire Service (sample)")
    page.wait_for_timeout(50)
    wire = page.evaluate("() => __geomapApp.app.shown.map(i => __geomapApp.app.str(__geomapApp.app.I.id[i]))")
    assert lead in wire and 0 < len(wire) < everything  # the event is shown for the wire's report, by its lead
    page.select_option(".geomap-filters select[name=source]", "")
    page.uncheck(".geomap-types input[value=illegal_crossing]")
    page.wait_for_timeout(50)
    assert lead not in page.evaluate("() => __geomapApp.app.shown.map(i => __geomapApp.app.str(__geomapApp.app.I.id[i]))")
    assert count() < everything
    page.check(".geomap-types input[value=illegal_crossing]")
    page.wait_for_timeout(50)
    assert count() == everything
    assert page.errors == []
