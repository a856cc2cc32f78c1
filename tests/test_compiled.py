"""The compiled cache of the gazetteer (``geomap._compiled``): same answers as a fresh read, keyed by content."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _gazetteer import SMALL, copy_fixture

from geomap._compiled import table_stamp
from geomap.gazetteer import Gazetteer
from geomap.geocoder import Resolver
from geomap.places import PlaceMatcher


def _everything(gazetteer: Gazetteer) -> tuple:
    places = sorted(gazetteer, key=lambda p: p.id)
    return (
        places,
        [gazetteer.aliases_of(p.id) for p in places],
        sorted(gazetteer.names()),
        [gazetteer.children(p.id) for p in places],
        [gazetteer.country_of(p.id) for p in places],
    )


def test_a_gazetteer_read_back_from_the_cache_is_the_one_read_from_its_files(tmp_path: Path, monkeypatch) -> None:
    folder = copy_fixture(SMALL, tmp_path / "gazetteer")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", "off")
    fresh = Gazetteer.from_dir(folder)
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    first = Gazetteer.from_dir(folder)  # read, checked and stored
    assert list((tmp_path / "cache").glob("gazetteer-*.pickle"))
    again = Gazetteer.from_dir(folder)  # from the cache, aliases packed until asked for
    assert again._packed is not None
    assert _everything(again) == _everything(first) == _everything(fresh)
    for name in ("Lạng Sơn", "Lang Son", "谅山", "Pingxiang", "Svay Rieng"):
        answers = [Resolver(g).resolve(name) for g in (fresh, again)]
        assert [[c.place.id for c in a.candidates] for a in answers][0] == [c.place.id for c in answers[1].candidates]
    # bare names, names in their generic words (looked for beside the name found), Chinese names
    text = "Police in Lạng Sơn and 谅山 met; tỉnh Lạng Sơn, Lang Son province and 凭祥市 too."
    found = [PlaceMatcher.from_gazetteer(g).find(text) for g in (again, fresh)]
    assert found[0] == found[1]
    assert [text[m.start : m.end] for m in found[0]] == ["Lạng Sơn", "tỉnh Lạng Sơn", "Lang Son province", "凭祥市"]
    assert [m.kinds[:1] for m in found[0]] == [(), ("province",), ("province",), ("city",)]


def test_the_cache_is_keyed_by_the_tables_content(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    folder = copy_fixture(SMALL, tmp_path / "a")
    copy = copy_fixture(SMALL, tmp_path / "b")
    assert table_stamp(folder) == table_stamp(copy)  # the same tables elsewhere share the entry
    before = Gazetteer.from_dir(folder)
    places = folder / "places.csv"
    text = places.read_text(encoding="utf-8")
    stat = places.stat()
    row = next(line for line in text.splitlines() if ",Jiangxi," in line)
    # an edit that keeps the size and the modification time still makes a new entry
    places.write_text(text.replace(row, row.replace(",Jiangxi,", ",Jiangxu,")), encoding="utf-8")
    os.utime(places, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert places.stat().st_size == stat.st_size
    assert table_stamp(folder) != table_stamp(copy)
    after = Gazetteer.from_dir(folder)
    assert {p.name for p in after} - {p.name for p in before} == {"Jiangxu"}


def test_a_broken_cache_entry_is_read_again_from_the_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    folder = copy_fixture(SMALL, tmp_path / "gazetteer")
    first = Gazetteer.from_dir(folder)
    for entry in (tmp_path / "cache").glob("gazetteer-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert _everything(Gazetteer.from_dir(folder)) == _everything(first)


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path: Path):
    yield
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
