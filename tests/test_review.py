"""The review loop: corrections checked with file and line, applied on every run, never overwriting."""

from __future__ import annotations

import pandas as pd
import pytest
from _extract import article, small_gazetteer

from geomap._errors import InputError, InputNotFoundError
from geomap.extract import extract, read_tables, write_tables
from geomap.review import CorrectionsError, apply_corrections, load_corrections

TEXT = (
    "Police in Lao Cai province on May 3 seized 12 kg of heroin and arrested 2 suspects.\n\n"
    "On May 6 guards in Lang Son stopped 9 people who had crossed illegally from Guangxi."
)


@pytest.fixture()
def corpus():
    return [article(TEXT, id="a1")]


def _write(tmp_path, text: str):
    path = tmp_path / "corrections.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_are_reported_with_file_and_line(tmp_path) -> None:
    path = _write(
        tmp_path,
        "- action: drop_mention\n"
        "  article: a1\n"
        "  text: Long\n"
        "- action: fix_incident\n"
        "  id: a1#1\n"
        "  value: twelve\n"
        "- action: explode\n"
        "- action: add_incident\n"
        "  article: a1\n"
        "  type: piracy\n"
        "  date: 2024-13-01\n",
    )
    with pytest.raises(CorrectionsError) as err:
        load_corrections(path)
    problems = err.value.problems
    assert f"{path}:6: fix_incident: 'value' must be a number: 'twelve'" in problems
    assert f"{path}:7: unknown action: 'explode'" in problems
    assert any(p.startswith(f"{path}:10: add_incident: unknown incident type") for p in problems)
    assert f"{path}:11: not a date (YYYY-MM-DD): '2024-13-01'" in problems
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{path}:6:")
    assert isinstance(err.value, InputError) and isinstance(err.value, ValueError)


def test_bad_yaml_and_missing_file(tmp_path) -> None:
    with pytest.raises(CorrectionsError, match=r"corrections\.yaml:2: not valid YAML"):
        load_corrections(_write(tmp_path, "- action: drop_incident\n\tid: a1#1\n"))
    with pytest.raises(InputNotFoundError):
        load_corrections(tmp_path / "nope.yaml")


def test_place_ids_are_checked_against_the_gazetteer(tmp_path) -> None:
    path = _write(tmp_path, "- action: fix_mention\n  article: a1\n  text: Lang Son\n  place: vn.province.atlantis\n")
    with pytest.raises(CorrectionsError, match=r":4: fix_mention: unknown place id: 'vn.province.atlantis'"):
        load_corrections(path, gazetteer=small_gazetteer())


def test_review_loop_drop_fix_add_and_apply_twice(tmp_path, corpus) -> None:
    gazetteer = small_gazetteer()
    plain = extract(corpus, gazetteer=gazetteer)
    assert "Guangxi" in set(plain.mentions["text"])  # an analyst finds this mention wrong
    drugs = plain.incidents[plain.incidents["type"] == "drug_trafficking"].iloc[0]
    path = _write(
        tmp_path,
        "corrections:\n"
        "- action: drop_mention\n"
        "  article: a1\n"
        "  text: Guangxi\n"
        "- action: fix_mention\n"
        "  article: a1\n"
        "  text: Lang Son\n"
        "  place: vn.city.lang-son\n"
        f"- action: fix_incident\n  id: '{drugs['incident_id']}'\n  value: 15\n  unit: kg\n"
        "- action: add_incident\n"
        "  article: a1\n"
        "  type: repatriation\n"
        "  value: 9\n"
        "  unit: people\n"
        "  date: 2024-05-07\n"
        "  place: vn.province.lang-son\n"
        "  sentence: the nine were sent back to Guangxi the next day\n"
        "- action: add_route\n"
        "  article: a1\n"
        "  stops:\n"
        "    - {place: cn.province.guangxi, role: origin}\n"
        "    - {place: vn.border_gate.huu-nghi, role: crossing}\n"
        "    - {place: vn.province.lang-son, role: destination}\n",
    )
    before = path.read_bytes()
    fixed = extract(corpus, gazetteer=gazetteer, corrections=path)
    assert path.read_bytes() == before  # the analyst's file is only read

    assert "Guangxi" not in set(fixed.mentions["text"])
    lang_son = fixed.mentions[fixed.mentions["text"] == "Lang Son"].iloc[0]
    assert (lang_son["place_id"], lang_son["method"], bool(lang_son["ambiguous"])) == ("vn.city.lang-son", "correction", False)
    # the fixed mention feeds the incident drawn from its sentence
    crossing = fixed.incidents[fixed.incidents["type"] == "illegal_crossing"].iloc[0]
    assert crossing["place_id"] == "vn.city.lang-son" and crossing["location_precision"] == 1
    assert "guangxi" not in crossing["places"] and "guangxi" in plain.incidents["places"].str.cat()

    row = fixed.incidents.set_index("incident_id").loc[drugs["incident_id"]]
    assert (row["value"], row["unit"]) == (15.0, "kg")
    assert row["counts"].split(";")[0] == "15 kg"

    added = fixed.incidents[fixed.incidents["source"] == "correction"]
    assert list(added["incident_id"]) == ["a1#c1"]
    assert (added.iloc[0]["type"], added.iloc[0]["value"], added.iloc[0]["date_start"]) == ("repatriation", 9.0, "2024-05-07")
    assert added.iloc[0]["location_precision"] == 4

    route = fixed.routes[fixed.routes["route_id"] == "a1/c1"]
    assert list(route["place_id"]) == ["cn.province.guangxi", "vn.border_gate.huu-nghi", "vn.province.lang-son"]
    assert list(route["stop"]) == [1, 2, 3] and list(route["precision"]) == [4, 1, 4]

    again = apply_corrections(fixed, load_corrections(path), gazetteer=gazetteer)
    for name, table in fixed.tables().items():
        pd.testing.assert_frame_equal(table, again.tables()[name], obj=name)


def test_drop_incident_and_replace_route(tmp_path, corpus) -> None:
    gazetteer = small_gazetteer()
    plain = extract(corpus, gazetteer=gazetteer)
    first = plain.incidents.iloc[0]["incident_id"]
    path = _write(
        tmp_path,
        f"- action: drop_incident\n  id: '{first}'\n"
        "- action: replace_route\n  id: a1/r9\n  article: a1\n  stops:\n"
        "    - {place: vn.province.lao-cai, role: origin}\n    - {place: cn.province.yunnan, role: destination}\n",
    )
    fixed = extract(corpus, gazetteer=gazetteer, corrections=path)
    assert first not in set(fixed.incidents["incident_id"])
    assert len(fixed.incidents) == len(plain.incidents) - 1
    assert list(fixed.routes[fixed.routes["route_id"] == "a1/r9"]["role"]) == ["origin", "destination"]


def test_write_tables_never_overwrites_an_analysts_file(tmp_path, corpus) -> None:
    gazetteer = small_gazetteer()
    tables = extract(corpus, gazetteer=gazetteer)
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "incidents.csv"
    mine.write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"incidents\.csv: refusing to overwrite: the file was not written by geomap"):
        write_tables(tables, out)
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert not (out / "articles.csv").exists()  # nothing written when one file is refused

    mine.unlink()
    written = write_tables(tables, out)
    assert [p.name for p in written] == [
        "articles.csv", "mentions.csv", "incidents.csv", "routes.csv", "unresolved.csv", "skipped.csv"
    ]
    # geomap may rewrite what it wrote itself...
    assert write_tables(tables, out) == written
    # ...but not once an analyst has edited it
    reviewed = read_tables(out)
    edited = out / "mentions.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace("vn.province.lao-cai", "vn.city.lao-cai"), encoding="utf-8")
    with pytest.raises(InputError, match=r"mentions\.csv: refusing to overwrite: the file was edited since geomap wrote it"):
        write_tables(tables, out)
    assert "vn.city.lao-cai" in edited.read_text(encoding="utf-8")
    assert len(reviewed.mentions) == len(tables.mentions)
