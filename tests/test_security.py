"""Security: whatever an input holds is data, never template source and never script.

The hostile corpus (``tests/_hostile.py``) puts Jinja2 and script payloads in
every field of every input format, an analyst table, a corrections file and
a small gazetteer's curated rows.  The map and every export must carry the
text literally (``{{7*7}}``, never ``49``), no payload may run (the
``os.makedirs`` ones would create a folder), and in a real browser the text
shows as text and no script runs.
"""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from _browser import Browser
from _hostile import MARK, payloads, write_corpus
from _map_layers import make_layers

from geomap import load_gazetteer
from geomap._templates import SafeMacroElement, html_text, js_value, template
from geomap.cli import main
from geomap.jobs import make_map
from geomap.map import render, save_map

# Where each field's exact text must arrive in the incident table.
INCIDENT_FIELDS = {
    "txt title": "article_title",
    "md title": "article_title",
    "html title": "article_title",
    "jsonl title": "article_title",
    "md source": "article_source",
    "html meta": "article_source",
    "jsonl source": "article_source",
    "table source": "article_source",
    "md id": "article_id",
    "jsonl id": "article_id",
    "md url": "article_url",
    "jsonl url": "article_url",
    "html url": "article_url",
    "table unit": "unit",
    "correction unit": "unit",
    "correction actors": "actors",
    "correction sentence": "sentence",
    "place name": "place_name",
}
BODIES = ("txt body", "md body", "html body", "jsonl body")


def _in(field: str, text: str, haystack: str) -> bool:
    """``text`` (a field's value) is in ``haystack``.

    A Markdown body is reduced to text (``__emphasis__`` markers and HTML
    tags dropped): there, the template payloads before the first tag.
    """
    if field == "md body":
        text, haystack = text.split(" <script>")[0].replace("_", ""), haystack.replace("_", "")
    return text in haystack
JINJA_START = re.compile(r"\{[{%#]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def run(corpus):
    """``make_map`` over the whole corpus, with the hostile gazetteer, corrections and title."""
    out = corpus.root / "out"
    summary = make_map(
        corpus.reports,
        out,
        gazetteer=load_gazetteer(corpus.gazetteer),
        corrections=corpus.corrections,
        title=corpus.fields["txt title"],
    )
    return summary, out


def _tables(out):
    """The incident table as each export gives it back: CSV, GeoJSON, GeoPackage."""
    return {
        "csv": pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False),
        "geojson": gpd.read_file(out / "incidents.geojson", engine="pyogrio"),
        "gpkg": gpd.read_file(out / "geomap.gpkg", layer="incidents", engine="pyogrio"),
    }


def _cells(frame):
    for column in frame.columns:
        if column != "geometry":
            yield from (v for v in frame[column] if isinstance(v, str))


def test_no_payload_runs_and_the_run_completes(run, corpus):
    summary, out = run
    assert not corpus.canary_made()
    # The analyst table's row with an unknown type is the one input skipped, named with its line.
    assert summary.exit_code == 1
    skipped = [line for line in summary.lines() if "e_analyst.csv:3" in line]
    assert len(skipped) == 1 and "unknown incident type" in skipped[0]
    for name in ("border_activity.html", "incidents.geojson", "geomap.gpkg", "incidents.csv", "routes.csv"):
        assert (out / name).stat().st_size > 0, name


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_every_export_carries_every_field_literally(run, corpus, fmt):
    _, out = run
    incidents = _tables(out)[fmt]
    for field, column in INCIDENT_FIELDS.items():
        assert corpus.fields[field] in set(incidents[column]), (field, column)
    sentences = list(incidents["sentence"])
    for field in BODIES:
        assert any(_in(field, corpus.fields[field], s) for s in sentences), field
    for k, payload in enumerate(payloads(corpus.canary)):
        row = incidents[incidents["article_id"] == f"single-{k:02d}"]
        assert list(row["article_source"]) == [payload]
        assert row["sentence"].iloc[0].endswith(f"gate {payload}.")
    # Nothing was evaluated anywhere: every 7*7 is still inside its braces, no loop ran.
    for cell in _cells(incidents):
        assert cell.count("7*7") == cell.count(MARK)
        assert "looploop" not in cell
    assert not corpus.canary_made()


def test_routes_places_and_crossings_carry_their_text(run, corpus):
    _, out = run
    for read in (lambda name: gpd.read_file(out / f"{name}.geojson", engine="pyogrio"),
                 lambda name: gpd.read_file(out / "geomap.gpkg", layer=name, engine="pyogrio")):
        routes = read("routes")
        assert any(corpus.fields["txt body"] in s for s in routes["sentence"])
        assert corpus.fields["place name"] in set(read("places")["name"])
        crossings = read("crossings")
        assert corpus.fields["gate name"] in set(crossings["name"])
        assert corpus.fields["gate name"] in set(crossings["pair_name"])
    routes_csv = pd.read_csv(out / "routes.csv", dtype=str, keep_default_na=False)
    assert any(corpus.fields["txt body"] in s for s in routes_csv["sentence"])


def test_the_gazetteer_alias_is_a_name_like_any_other(corpus):
    from geomap import Resolver

    gazetteer = load_gazetteer(corpus.gazetteer)
    resolution = Resolver(gazetteer).resolve(corpus.fields["alias"])
    assert resolution.place.id == "vn.city.hostile-town"
    assert resolution.place.name == corpus.fields["place name"]


def test_cli_map_extract_and_export_run_nothing(corpus, tmp_path, capsys):
    """The CLI on the corpus (bundled gazetteer): done, skipped rows told, nothing evaluated."""
    title = corpus.fields["txt title"]
    out = tmp_path / "map"
    code = main(["map", str(corpus.reports), "-o", str(out), "--corrections", str(corpus.corrections),
                 "--title", title, "-q"])
    assert code == 1  # the analyst table's bad-type row (and its town, unknown to the bundled gazetteer)
    tables, exported = tmp_path / "tables", tmp_path / "exported"
    assert main(["extract", str(corpus.reports), "-o", str(tables), "--corrections", str(corpus.corrections),
                 "-q"]) == 1
    assert main(["export", str(tables), "-o", str(exported), "-q"]) == 1  # the tables keep the skipped rows
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not corpus.canary_made()
    for folder in (out, exported):
        incidents = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
        assert corpus.fields["md title"] in set(incidents["article_title"])
        assert corpus.fields["table source"] in set(incidents["article_source"])
        assert corpus.fields["correction sentence"] in set(incidents["sentence"])
        assert (folder / "border_activity.html").stat().st_size > 0


def test_export_rejects_an_unknown_type_in_a_reviewed_table(corpus, tmp_path, capsys):
    tables = tmp_path / "tables"
    main(["extract", str(corpus.reports), "-o", str(tables), "-q"])
    path = tables / "incidents.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = "<img src=x onerror=alert(1)>"
    frame.loc[2, "type"] = bad
    frame.to_csv(path, index=False)
    capsys.readouterr()
    assert main(["export", str(tables), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{path}:4:" in err and repr(bad) in err and "unknown incident type" in err
    assert not (tmp_path / "out" / "border_activity.html").exists()


# -- the mechanism --------------------------------------------------------------------


def test_values_can_never_start_a_template_tag(corpus):
    texts = [*payloads(corpus.canary), " ".join(payloads(corpus.canary)), "{{{x}}}", "\\{{x}}", "a\u2028b"]
    for text in texts:
        as_html, as_js = html_text(text), str(js_value(text))
        assert not JINJA_START.search(as_html) and not JINJA_START.search(as_js), text
        assert "<" not in as_html + as_js and "`" not in as_html
        assert html.unescape(as_html) == text.strip()
        assert json.loads(as_js) == text
    nested = {"a": [{"b": t} for t in texts], "{{k}}": {}}
    assert json.loads(str(js_value(nested))) == nested


class _Probe(SafeMacroElement):
    _template = template(
        "{% macro html(this, kwargs) %}<p class=probe>{{ this.value }}</p>{% endmacro %}"
        "{% macro script(this, kwargs) %}window.__probe = {{ this.value|tojson }};{% endmacro %}"
    )

    def __init__(self, value):
        super().__init__()
        self._name = "Probe"
        self.value = value


def test_a_safe_element_puts_data_in_as_values_only(corpus, tmp_path):
    """Data in a :class:`SafeMacroElement` reaches the page once, escaped, and is never evaluated."""
    value = " ".join(payloads(corpus.canary))
    m = folium.Map(tiles=None)
    _Probe(value).add_to(m)
    page = m.get_root().render()
    assert not corpus.canary_made()
    shown = re.search(r"<p class=probe>(.*?)</p>", page).group(1)
    assert html.unescape(shown) == value
    script = re.search(r"window\.__probe = (.*?);\n", page).group(1)
    assert json.loads(script) == value


def test_the_sandbox_hides_private_attributes():
    class Peek(SafeMacroElement):
        _template = template("{% macro script(this, kwargs) %}{{ this.__init__.__globals__ }}{% endmacro %}")

    m = folium.Map(tiles=None)
    Peek().add_to(m)
    with pytest.raises(Exception, match="unsafe|not safely accessible|access to attribute"):
        m.get_root().render()


# -- in the browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def _popup_texts(page, selector: str) -> list[str]:
    """Click every element matching ``selector``; the text content of each popup opened."""
    texts = []
    for i in range(page.locator(selector).count()):
        page.evaluate("() => { window.__geomapMap.closePopup(); }")  # returns nothing: a map object is slow to serialise
        page.locator(selector).nth(i).dispatch_event("click")
        popup = page.locator(".leaflet-popup-content").last
        popup.wait_for(timeout=5000)
        texts.append(popup.evaluate("e => e.textContent"))
        assert popup.locator("script, img, iframe, svg *[onload]").count() == 0
    return texts


@pytest.mark.browser
def test_the_map_shows_every_payload_as_text_and_runs_none(run, corpus, browser):
    _, out = run
    opened = browser.open(out / "border_activity.html")
    page = opened.page
    try:
        f = corpus.fields
        assert page.evaluate("() => document.querySelector('.geomap-title').textContent") == f["txt title"]
        # Every incident's popup, opened as a click on its site or table row opens it.
        popups = "\n".join(page.evaluate(
            """() => { const a = __geomapApp.app; return a.shown.map(i => { a.openIncident(i);
                const all = document.querySelectorAll('.leaflet-popup-content');
                return all[all.length - 1].textContent; }); }"""
        ))
        assert page.locator(".leaflet-popup-content script, .leaflet-popup-content img").count() == 0
        for field in (*INCIDENT_FIELDS, *BODIES):
            assert _in(field, f[field], popups), field  # ids too, in incident ids '<article id>#1'

        for k, payload in enumerate(payloads(corpus.canary)):
            assert f"Single payload {k} {payload}" in popups
        assert popups.count("7*7") == popups.count(MARK) and "looploop" not in popups
        routes = "\n".join(_popup_texts(page, "path.geomap-route"))
        assert f["txt body"] in routes
        page.evaluate(
            """() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
                .find(l => l.textContent.trim() === 'Border crossings').querySelector('input').click()"""
        )  # crossings start hidden
        crossings = "\n".join(_popup_texts(page, ".geomap-crossing"))
        assert f["gate name"] in crossings
        # Search the hostile town by its name: the popup shows the name as text.
        page.evaluate("() => { window.__geomapMap.closePopup(); }")
        page.fill(".geomap-search input", f["place name"])
        page.press(".geomap-search input", "Enter")
        page.locator(".leaflet-popup-content strong").last.wait_for(timeout=5000)
        assert page.evaluate("() => [...document.querySelectorAll('.leaflet-popup-content strong')].pop().textContent") == \
            f["place name"]
        # Hover tooltips (route stops, crossings, provinces) hold no markup either.
        for selector in ("path.geomap-route-stop", "path.geomap-route", "path.geomap-shading"):
            for i in range(page.locator(selector).count()):
                page.locator(selector).nth(i).dispatch_event("mouseover")
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        assert page.locator(".leaflet-control-layers img, .geomap-legend img").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        assert opened.dialogs == [] and opened.errors == [] and opened.blocked == []
    finally:
        page.close()
    assert not corpus.canary_made()


@pytest.mark.browser
def test_an_unknown_type_is_a_text_label_in_the_filters(browser, tmp_path):
    """A type from code (tables reject them) still reaches the type filters as text only."""
    layers = make_layers()
    kind = "<img src=x onerror=window.__pwned='layer'>{{7*7}}"
    layers.incidents.loc[layers.incidents.index[0], "type"] = kind
    opened = browser.open(save_map(render(layers), tmp_path / "map.html"))
    page = opened.page
    try:
        label = kind.replace("_", " ").capitalize()
        types = page.evaluate("() => document.querySelector('.geomap-types').textContent")
        assert f"{label} (1)" in types
        assert page.locator(".leaflet-control-layers img, .geomap-legend img, .geomap-filters img").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        assert opened.dialogs == [] and opened.errors == []
    finally:
        page.close()
