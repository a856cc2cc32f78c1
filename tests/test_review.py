"""The review loop: corrections checked with file and line, applied on every run, never overwriting."""

from __future__ import annotations

import pandas as pd
import pytest
from _extract import article, small_gazetteer

from geomap._errors import InputError, InputNotFoundError
from geomap.extract import extract, read_tables, write_tables
from geomap.corrections import CorrectionsError, load_corrections
from geomap.review import apply_corrections

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
        "articles.csv", "mentions.csv", "incidents.csv", "events.csv", "routes.csv", "unresolved.csv", "skipped.csv"
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


SAMPLES = __import__("pathlib").Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def sample_run():
    """The bundled sample (reports and the analyst table) and its plain extraction."""
    from geomap.gazetteer import load_gazetteer

    sources = [SAMPLES / "reports", SAMPLES / "tables" / "analyst_incidents.csv"]
    gazetteer = load_gazetteer()
    return sources, gazetteer, extract(sources, gazetteer=gazetteer)


def _every_action(tmp_path, plain) -> object:
    """A corrections file with every action, some touching the same item twice, in an order that matters."""
    incidents, routes, mentions = plain.incidents, plain.routes, plain.mentions
    ids = list(incidents[incidents["source"] == "extracted"]["incident_id"])
    route_ids = list(dict.fromkeys(routes["route_id"]))
    assert len(ids) >= 4 and len(route_ids) >= 3
    late = mentions.iloc[-1]  # a mention of the last article: in the last part
    early = mentions.iloc[0]
    text = (
        f"- {{action: drop_mention, article: '{early['article_id']}', text: '{early['text']}'}}\n"
        f"- {{action: fix_mention, article: '{late['article_id']}', start: {int(late['start'])}, place: vn.province.lang-son}}\n"
        f"- {{action: drop_incident, id: '{ids[0]}'}}\n"
        f"- {{action: fix_incident, id: '{ids[-1]}', value: 77, unit: people}}\n"
        # fixed, then replaced by an incident of the analyst's with the same id
        f"- {{action: fix_incident, id: '{ids[1]}', type: other}}\n"
        f"- {{action: add_incident, id: '{ids[1]}', article: '{ids[1].rsplit('#', 1)[0]}', type: repatriation, value: 3, unit: people}}\n"
        # added, then fixed
        f"- {{action: add_incident, article: '{ids[2].rsplit('#', 1)[0]}', type: drug_trafficking, value: 2, unit: kg, place: vn.province.lao-cai}}\n"
        f"- {{action: fix_incident, id: '{ids[2].rsplit('#', 1)[0]}#c2', value: 5}}\n"
        "- {action: add_incident, article: not-in-this-corpus, type: other, sentence: from another batch}\n"
        # replaced twice: the second takes the first's rows
        f"- action: replace_route\n  id: '{route_ids[0]}'\n  stops:\n"
        "    - {place: kh.country.cambodia, role: origin}\n    - {place: vn.province.tay-ninh, role: crossing}\n"
        f"- action: replace_route\n  id: '{route_ids[0]}'\n  sentence: an analyst's own words\n  stops:\n"
        "    - {place: kh.country.cambodia, role: origin}\n    - {place: vn.province.an-giang, role: crossing}\n"
        f"- {{action: drop_route, id: '{route_ids[1]}'}}\n"
        f"- action: add_route\n  article: '{route_ids[2].rsplit('/', 1)[0]}'\n  stops:\n"
        "    - {place: vn.province.lang-son, role: origin}\n    - {place: cn.province.guangxi, role: destination}\n"
    )
    return _write(tmp_path, text), ids, route_ids


@pytest.mark.parametrize("part_rows", [1, 60, 20_000])
def test_streamed_tables_are_the_tables_written_at_once(tmp_path, sample_run, monkeypatch, part_rows) -> None:
    """``geomap extract`` writes its rows a part at a time: the same files, corrected the same, whatever the part."""
    from geomap.jobs import _summarise, extract_tables

    sources, gazetteer, plain = sample_run
    corrections, ids, route_ids = _every_action(tmp_path, plain)
    at_once = write_tables(extract(sources, gazetteer=gazetteer, corrections=corrections), tmp_path / "at_once")
    monkeypatch.setattr("geomap._batches._PART_ROWS", part_rows)
    summary = extract_tables(sources, tmp_path / "streamed", gazetteer=gazetteer, corrections=corrections)
    streamed = list(summary.files)
    assert [p.name for p in streamed] == [p.name for p in at_once]
    for one, two in zip(at_once, streamed, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    # the corrections took effect (the files are not both merely uncorrected)
    tables = read_tables(tmp_path / "streamed")
    assert "not-in-this-corpus#c3" in set(tables.incidents["incident_id"])
    by_id = tables.incidents.set_index("incident_id")
    assert by_id.loc[ids[-1], "value"] == 77 and ids[0] not in by_id.index
    assert (by_id.loc[ids[1], "type"], by_id.loc[ids[1], "source"]) == ("repatriation", "correction")
    assert by_id.loc[f"{ids[2].rsplit('#', 1)[0]}#c2", "value"] == 5
    replaced = tables.routes[tables.routes["route_id"] == route_ids[0]]
    assert list(replaced["place_id"]) == ["kh.country.cambodia", "vn.province.an-giang"]
    assert set(replaced["sentence"]) == {"an analyst's own words"}
    # and the summary counts what was written
    expected = _summarise(read_tables(tmp_path / "at_once"))
    assert summary.lines()[: len(expected.lines())] == expected.lines()
    assert summary.by_type == expected.by_type and summary.unresolved == expected.unresolved


def test_a_streamed_run_that_fails_leaves_the_folder_as_it_was(tmp_path, sample_run, monkeypatch) -> None:
    """Parts already written go to temporary files: a crash midway changes nothing in the folder."""
    import geomap.extract as extract_module
    from geomap.jobs import extract_tables

    sources, gazetteer, _ = sample_run
    out = tmp_path / "out"
    first = extract_tables(sources[:1], out, gazetteer=gazetteer)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    rows = extract_module._Run.rows
    seen = []

    def fails_on_the_fifth(self, article):
        seen.append(article.id)
        if len(seen) == 5:
            raise RuntimeError("disk on fire")
        return rows(self, article)

    monkeypatch.setattr("geomap._batches._PART_ROWS", 1)  # four parts are written before the fault
    monkeypatch.setattr(extract_module._Run, "rows", fails_on_the_fifth)
    with pytest.raises(RuntimeError, match="disk on fire"):
        extract_tables(sources, out, gazetteer=gazetteer, full=True)  # full: the first run's articles are extracted again
    # no table changed and no temporary file left (the cache keeps the articles extracted before the fault)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert first.articles > 5


def test_an_edit_made_during_a_streamed_run_is_kept(tmp_path, sample_run, monkeypatch) -> None:
    """The check for an analyst's edits is made again at the end of a run, not only at its start."""
    import geomap.extract as extract_module
    from geomap.jobs import extract_tables

    sources, gazetteer, _ = sample_run
    out = tmp_path / "out"
    extract_tables(sources[:1], out, gazetteer=gazetteer)
    mentions = out / "mentions.csv"
    rows = extract_module._Run.rows
    seen = []

    def analyst_edits_on_the_third(self, article):
        seen.append(article.id)
        if len(seen) == 3:
            mentions.write_text(mentions.read_text(encoding="utf-8") + "my,own,row\n", encoding="utf-8")
        return rows(self, article)

    monkeypatch.setattr(extract_module._Run, "rows", analyst_edits_on_the_third)
    with pytest.raises(InputError, match=r"mentions\.csv: refusing to overwrite: the file was edited since geomap wrote it"):
        extract_tables(sources, out, gazetteer=gazetteer, full=True)
    assert mentions.read_text(encoding="utf-8").endswith("my,own,row\n")


def test_tables_written_inside_an_input_folder_are_not_read_as_input(tmp_path, sample_run) -> None:
    import shutil

    from geomap.jobs import extract_tables

    _, gazetteer, plain = sample_run
    data = tmp_path / "data"
    shutil.copytree(SAMPLES / "reports", data)
    summary = extract_tables([data], data / "tables", gazetteer=gazetteer)
    assert summary.skipped == () and summary.exit_code == 0
    # run again: the tables it wrote there, and a map with its exports, are geomap's own, not input
    from geomap.jobs import make_map

    make_map([data], data / "map", gazetteer=gazetteer)
    again = extract_tables([data], data / "tables", gazetteer=gazetteer)
    assert (again.skipped, again.articles, again.table_rows) == ((), summary.articles, 0)
    # an analyst's own table beside them is still read
    (data / "tables" / "mine.csv").write_text(
        "place,type,count,unit,date,source\nLang Son,illegal_crossing,4,people,2024-05-01,my notes\n", encoding="utf-8"
    )
    assert extract_tables([data], data / "tables2", gazetteer=gazetteer).table_rows == 1


def test_a_killed_run_leaves_nothing_behind(tmp_path) -> None:
    """Spooled parts are unnamed files: a run killed midway (SIGKILL) leaves no table, nor any temporary file."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "tables"
    marker = tmp_path / "halfway"
    script = (
        "import sys, time, pathlib\n"
        "import geomap.extract as ex\n"
        "import geomap._batches\n"
        "geomap._batches._PART_ROWS = 1\n"
        "rows, seen = ex._Run.rows, []\n"
        "def slow(self, article):\n"
        "    seen.append(article.id)\n"
        "    if len(seen) == 6:\n"
        "        pathlib.Path(sys.argv[3]).write_text('x')\n"
        "        time.sleep(60)\n"
        "    return rows(self, article)\n"
        "ex._Run.rows = slow\n"
        "from geomap.cli import main\n"
        "main(['extract', sys.argv[1], '-o', sys.argv[2]])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(SAMPLES / "reports"), str(out), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the run never got halfway"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # no table and no temporary file: only the cache entries of the articles done, which the next run starts from
    left = [p.relative_to(out) for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert len(left) == 5 and all(p.parts[0] == ".geomap-cache" and not p.name.startswith(".") for p in left)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["halfway", "tables"]  # nothing beside it
