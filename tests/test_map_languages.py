"""The map and exports with Vietnamese and Chinese reports: the original words survive, and render.

The whole chain runs on the Vietnamese and Chinese sample reports: extract,
layers, GeoJSON / GeoPackage / CSV read back with the real libraries, and the
map in a real headless Chromium, where a Chinese and a Vietnamese popup show
their sentences as written and the glyphs are drawn (fonts-noto-cjk; no tofu).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "samples" / "reports"
OUTPUT = ROOT / "output"


@pytest.fixture(scope="module")
def layers():
    from geomap.extract import extract
    from geomap.gazetteer import load_gazetteer
    from geomap.layers import build_layers

    sources = sorted(p for p in REPORTS.iterdir() if p.name.startswith(("vi_", "zh_")))
    gazetteer = load_gazetteer()
    return build_layers(extract(sources, gazetteer=gazetteer), gazetteer=gazetteer)


def _sentence(layers, article_prefix: str) -> str:
    rows = layers.incidents[layers.incidents["article_id"].str.startswith(article_prefix)]
    placed = rows[~(rows.geometry.isna() | rows.geometry.is_empty)]
    return str(placed.iloc[0]["sentence"])


def test_exports_keep_vietnamese_and_chinese_words(layers, tmp_path: Path) -> None:
    from geomap.exports import export

    export(layers, tmp_path)
    expected = sorted(layers.incidents["sentence"].astype(str))
    assert any("查获" in s for s in expected) and any("trái phép" in s for s in expected)
    from_geojson = gpd.read_file(tmp_path / "incidents.geojson")
    from_gpkg = gpd.read_file(tmp_path / "geomap.gpkg", layer="incidents")
    from_csv = pd.read_csv(tmp_path / "incidents.csv", dtype=str, encoding="utf-8")
    placed = layers.incidents[~(layers.incidents.geometry.isna() | layers.incidents.geometry.is_empty)]
    for table in (from_geojson, from_gpkg):
        assert sorted(table["sentence"].astype(str)) == sorted(placed["sentence"].astype(str))
    assert sorted(from_csv["sentence"].astype(str)) == expected
    # the routes keep their sentences too ("từ Hải Phòng qua Móng Cái sang Trung Quốc", "经东兴市前往南宁市")
    routes = gpd.read_file(tmp_path / "routes.geojson")
    assert any("经东兴市前往南宁市" in s for s in routes["sentence"]) and any("qua Móng Cái" in s for s in routes["sentence"])


@pytest.mark.browser
def test_map_shows_the_original_sentences_and_draws_their_glyphs(layers, tmp_path: Path) -> None:
    from _browser import Browser

    from geomap.map import render, save_map

    path = save_map(render(layers, title="Biên giới · 边境"), tmp_path / "map.html")
    with Browser() as browser:
        opened = browser.open(path)
        page = opened.page
        try:
            assert opened.errors == [] and opened.blocked == []
            for prefix in ("zh_03", "vi_01"):
                sentence = _sentence(layers, prefix)
                page.evaluate(
                    """sentence => {
                        const a = window.__geomapApp.app;
                        const i = a.shown.find(k => a.str(a.I.ev[k]) === sentence);
                        if (i !== undefined) { a.openIncident(i); return; }
                        throw new Error('no popup shows ' + sentence);
                    }""",
                    sentence,
                )
                evidence = page.locator(".leaflet-popup-content .geomap-evidence").last
                assert evidence.inner_text() == sentence
            # Glyphs, not tofu: two different characters drawn in the page's font must differ
            # (a missing font draws both as the same empty box).
            drawn_apart = page.evaluate(
                """pairs => pairs.map(([a, b]) => {
                    const font = getComputedStyle(document.querySelector('.geomap-evidence')).font;
                    const draw = ch => {
                        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
                        const g = c.getContext('2d'); g.font = font.replace(/\\d+(\\.\\d+)?px/, '48px');
                        g.fillText(ch, 4, 52); return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
                    };
                    const x = draw(a), y = draw(b);
                    return x !== y && /[^0,]/.test(x);
                })""",
                [["凭", "祥"], ["毒", "品"], ["Ệ", "Ế"], ["ử", "ữ"]],
            )
            assert drawn_apart == [True, True, True, True]
            OUTPUT.mkdir(exist_ok=True)
            page.wait_for_timeout(300)
            shot = OUTPUT / "map_vi_zh_test.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            assert opened.errors == []
        finally:
            page.close()
