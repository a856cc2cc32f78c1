"""The review loop loses nothing without a word: every problem listed, unmatched corrections told, dates kept.

And one CSV rule for every table geomap writes: no live formula, no split row.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest
from _extract import article, small_gazetteer

from geomap._errors import InputError
from geomap.cli import EXIT_PARTIAL, EXIT_USAGE, main
from geomap.extract import COLUMNS, TABLES, Extraction, _frame, extract, read_tables, write_tables
from geomap.corrections import CorrectionsError, load_corrections

TEXT = (
    "Police in Lao Cai province on May 3 seized 12 kg of heroin and arrested 2 suspects.\n\n"
    "On May 6 guards in Lang Son stopped 9 people who had crossed illegally from Guangxi."
)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _write(tmp_path: Path, text: str, name: str = "corrections.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the loader --------------------------------------------------------------------------


def test_wrongly_typed_values_are_each_one_line_with_file_and_line(tmp_path, capsys) -> None:
    path = _write(
        tmp_path,
        "- action: [drop_incident]\n"  # 1: a list where an action name goes
        "  id: a1#1\n"
        "- action: {fix: incident}\n"  # 3: a mapping
        "- action: fix_incident\n"
        "  id: a1#1\n"
        f"  value: {'9' * 400}\n"  # 6: a 400-digit number
        "- action: drop_mention\n"
        "  article: [a1]\n"  # 8
        f"  start: {'7' * 400}\n"  # 9
        "- action: add_route\n"
        "  article: a1\n"
        "  stops: [{place: [x], role: origin}, {place: vn.province.lang-son, role: {a: 1}}]\n"  # 12
        "- {[1, 2]: x, action: drop_route, id: a1/r1}\n",  # 13: a key that is not a word
    )
    with pytest.raises(CorrectionsError) as err:
        load_corrections(path)
    problems = err.value.problems
    expected = [
        f"{path}:1: unknown action: ['drop_incident']",
        f"{path}:3: unknown action: {{'fix': 'incident'}}",
        f"{path}:6: fix_incident: 'value' must be a finite number below 1,000,000,000,000,000: 99999",
        f"{path}:8: drop_mention: 'article' must be text: ['a1']",
        f"{path}:9: drop_mention: 'start' must be a whole number, 0 or more: 77777",
        f"{path}:12: add_route: each stop needs a 'place' id (and a 'role'): {{'place': ['x'], 'role': 'origin'}}",
        f"{path}:12: add_route: unknown stop role: {{'a': 1}}",
        f"{path}:13: a field name must be a plain word",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert all(len(p) < 240 and "\n" not in p for p in problems)
    # the command line lists every one, each on its own line, and exits 2 with no traceback
    code = main(["extract", str(SAMPLES / "reports" / "06_huu-nghi-traffic.txt"), "-o", str(tmp_path / "t"),
                 "--corrections", str(path)])  # fmt: skip
    err_lines = capsys.readouterr().err.splitlines()
    assert code == EXIT_USAGE and len(err_lines) == len(problems) >= len(expected)
    assert all(line.startswith(f"geomap: error: {path}:") for line in err_lines)
    assert not (tmp_path / "t").exists()


def test_yaml_aliases_are_refused_not_expanded(tmp_path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    started = time.monotonic()
    with pytest.raises(CorrectionsError, match=rf"^{path}:2: not valid YAML: found an alias \(\*a0\): aliases are not allowed"):
        load_corrections(path)
    assert time.monotonic() - started < 2
    deep = _write(tmp_path, "- " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    with pytest.raises(CorrectionsError, match="nested deeper than 64 levels"):
        load_corrections(deep)


# -- what a run says about its corrections -----------------------------------------------


def _corrections(tmp_path: Path, plain: Extraction) -> Path:
    drugs = plain.incidents[plain.incidents["type"] == "drug_trafficking"].iloc[0]["incident_id"]
    return _write(
        tmp_path,
        f"- {{action: fix_incident, id: '{drugs}', value: 15, unit: kg}}\n"  # 1: applies
        "- {action: drop_incident, id: 'a1#99'}\n"  # 2: no such incident
        "- {action: drop_mention, article: a1, text: Atlantis}\n"  # 3: no such mention
        "- {action: drop_mention, article: a1, text: Guangxi}\n"  # 4: applies (while extracting)
        "- {action: drop_route, id: 'gone/r1'}\n",  # 5: no such route
    )


def test_unmatched_corrections_are_listed_and_corrected_rows_say_so(tmp_path) -> None:
    from geomap.jobs import extract_tables, make_map

    gazetteer = small_gazetteer()
    corpus = [article(TEXT, id="a1")]
    plain = extract(corpus, gazetteer=gazetteer)
    path = _corrections(tmp_path, plain)
    fixed = extract(corpus, gazetteer=gazetteer, corrections=path)
    report = fixed.corrections
    assert report.applied == 2
    assert report.unmatched == (
        f"{path}:2: drop_incident 'a1#99': matched nothing",
        f"{path}:3: drop_mention 'Atlantis' in article 'a1': matched nothing",
        f"{path}:5: drop_route 'gone/r1': matched nothing",
    )
    sources = fixed.incidents.set_index("incident_id")["source"]
    drugs = plain.incidents[plain.incidents["type"] == "drug_trafficking"].iloc[0]["incident_id"]
    assert sources[drugs] == "corrected"
    assert set(sources.drop(drugs)) == {"extracted"}
    # the streamed tables say the same, and the run's summary counts it and exits 1
    summary = extract_tables(corpus, tmp_path / "tables", gazetteer=gazetteer, corrections=path)
    assert (summary.corrections, summary.unmatched, summary.exit_code) == (2, report.unmatched, 1)
    assert "corrections:       2 applied, 3 matched nothing" in summary.lines()
    assert f"  - {report.unmatched[0]}" in summary.lines()
    assert read_tables(tmp_path / "tables").incidents.set_index("incident_id")["source"][drugs] == "corrected"
    summary = make_map(corpus, tmp_path / "map", gazetteer=gazetteer, corrections=path, formats=["csv"])
    assert (summary.corrections, summary.unmatched, summary.exit_code) == (2, report.unmatched, 1)
    assert "corrections:       2 applied, 3 matched nothing" in (tmp_path / "map" / "summary.txt").read_text(encoding="utf-8")
    # without a corrections file, nothing is said
    assert "corrections:" not in "\n".join(extract_tables(corpus, tmp_path / "t2", gazetteer=gazetteer).lines())


def test_the_cli_exits_1_when_a_correction_matches_nothing(tmp_path, capsys) -> None:
    path = _write(tmp_path, "- {action: drop_incident, id: 'nowhere#1'}\n")
    code = main(["-q", "extract", str(SAMPLES / "reports" / "06_huu-nghi-traffic.txt"), "-o", str(tmp_path / "t"),
                 "--corrections", str(path)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_PARTIAL
    assert err == f"geomap: warning: {path}:1: drop_incident 'nowhere#1': matched nothing\n"


# -- reviewed tables ---------------------------------------------------------------------


def test_dates_a_spreadsheet_rewrote_are_named_never_blanked(tmp_path, capsys) -> None:
    from geomap.jobs import export_tables

    gazetteer = small_gazetteer()
    write_tables(extract([article(TEXT, id="a1")], gazetteer=gazetteer), tmp_path / "tables")
    incidents = tmp_path / "tables" / "incidents.csv"
    table = pd.read_csv(incidents, dtype=str, keep_default_na=False)
    iso = list(table["date_start"])
    assert all(iso)
    # what a spreadsheet saves: month/day/year
    table["date_start"] = [pd.Timestamp(d).strftime("%m/%d/%Y") for d in iso]
    table.to_csv(incidents, index=False)
    with pytest.raises(InputError, match=rf"^{incidents}:2: date_start: not a date \(YYYY-MM-DD; .*--date-format\): '05/03/2024'"):
        export_tables(tmp_path / "tables", tmp_path / "out", gazetteer=gazetteer)
    assert not (tmp_path / "out").exists()
    code = main(["export", str(tmp_path / "tables"), "-o", str(tmp_path / "out")])
    assert code == EXIT_USAGE and capsys.readouterr().err.count("\n") == 1
    # told how to read them, the dates are all kept
    back = read_tables(tmp_path / "tables", date_format="%m/%d/%Y")
    assert list(back.incidents["date_start"]) == iso
    summary = export_tables(tmp_path / "tables", tmp_path / "out", gazetteer=gazetteer, date_format="%m/%d/%Y", formats=["csv"])
    assert summary.exit_code == 0
    assert list(pd.read_csv(tmp_path / "out" / "incidents.csv", dtype=str)["date_start"]) == iso
    with pytest.raises(InputError, match=r"not a date as '%d\.%m\.%Y': '05/03/2024'"):
        read_tables(tmp_path / "tables", date_format="%d.%m.%Y")


def test_outputs_made_with_corrections_are_not_replaced_by_outputs_without(tmp_path, capsys) -> None:
    from geomap.jobs import export_tables, extract_tables, make_map

    gazetteer = small_gazetteer()
    corpus = [article(TEXT, id="a1")]
    path = _write(tmp_path, "- {action: drop_mention, article: a1, text: Guangxi}\n")
    extract_tables(corpus, tmp_path / "reviewed", gazetteer=gazetteer, corrections=path)
    extract_tables(corpus, tmp_path / "plain", gazetteer=gazetteer)
    out = tmp_path / "out"
    export_tables(tmp_path / "reviewed", out, gazetteer=gazetteer, formats=["csv"])
    export_tables(tmp_path / "reviewed", out, gazetteer=gazetteer, formats=["csv"])  # corrected again: fine
    before = (out / "incidents.csv").read_bytes()
    with pytest.raises(InputError, match=r"its outputs were made with corrections \(.*corrections.yaml\) and this run has none"):
        export_tables(tmp_path / "plain", out, gazetteer=gazetteer, formats=["csv"])
    assert (out / "incidents.csv").read_bytes() == before
    code = main(["-q", "export", str(tmp_path / "plain"), "-o", str(out), "--formats", "csv", "--no-map"])
    assert code == EXIT_USAGE and "--replace-corrected" in capsys.readouterr().err
    export_tables(tmp_path / "plain", out, gazetteer=gazetteer, formats=["csv"], replace_corrected=True)
    export_tables(tmp_path / "plain", out, gazetteer=gazetteer, formats=["csv"])  # now plain: fine
    # tables an analyst edited by hand are corrected too; and the same holds for geomap map and extract
    extract_tables(corpus, tmp_path / "edited", gazetteer=gazetteer)
    edited = tmp_path / "edited" / "articles.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Test Wire", "Test Wire (checked)"), encoding="utf-8")
    export_tables(tmp_path / "edited", tmp_path / "out2", gazetteer=gazetteer, formats=["csv"], with_map=False)
    with pytest.raises(InputError, match="edited by hand"):
        export_tables(tmp_path / "plain", tmp_path / "out2", gazetteer=gazetteer, formats=["csv"], with_map=False)
    make_map(corpus, tmp_path / "map", gazetteer=gazetteer, corrections=path, formats=["csv"])
    with pytest.raises(InputError, match="made with corrections"):
        make_map(corpus, tmp_path / "map", gazetteer=gazetteer, formats=["csv"])
    with pytest.raises(InputError, match="made with corrections"):
        extract_tables(corpus, tmp_path / "reviewed", gazetteer=gazetteer)


# -- one CSV rule for every table ----------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "a\rb=1", "'=kept"]


def _cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _assert_safe(rows: list[list[str]]) -> None:
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert cell in ("-4.5",) or cell.lstrip("-").replace(".", "").isdigit(), cell


def _hostile_frames() -> dict[str, pd.DataFrame]:
    """Two rows of every table, each text cell a formula-like or carriage-return payload."""
    frames = {}
    for name, spec in COLUMNS.items():
        row = {}
        texts = iter(HOSTILE * 4)
        for column, dtype in spec.items():
            if column in ("date", "date_start", "date_end"):  # dates must be dates (see the test above)
                row[column] = "2024-05-03"
            elif name == "incidents" and column == "type":  # and types known ones
                row[column] = "other"
            elif dtype == "string":
                row[column] = next(texts)
            else:
                row[column] = -4.5 if dtype == "Float64" else (False if dtype == "boolean" else -4)
        frames[name] = _frame(name, [row, row])
    return frames


def test_every_extract_table_neutralises_formulas_and_keeps_rows_whole(tmp_path) -> None:
    frames = _hostile_frames()
    extraction = Extraction(**frames)
    write_tables(extraction, tmp_path)
    for name in TABLES:
        rows = _cells(tmp_path / f"{name}.csv")
        assert len(rows) == 3, name  # the header and two rows: no carriage return split one
        _assert_safe(rows)
        texts = [cell for cell in rows[1] if cell.lstrip("'")[:1] in ("=", "+", "@", "\t", "\r")]
        assert texts and all(cell.startswith("'") for cell in texts), (name, rows[1])
        if "value" in COLUMNS[name]:
            assert rows[1][list(COLUMNS[name]).index("value")] == "-4.5"  # a number stays a number
        # a spreadsheet (here pandas, as one would read it) sees one row each, and text, not formulas
        assert len(pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)) == 2
    back = read_tables(tmp_path)
    for name in TABLES:  # geomap reads back exactly what it wrote
        pd.testing.assert_frame_equal(back.tables()[name], frames[name], obj=name)


@pytest.mark.parametrize(("format", "by_month"), [("csv", False), ("parquet", False), ("parquet", True)])
def test_tables_of_geomap_extract_follow_the_csv_rule_and_parquet_keeps_text(tmp_path, format, by_month) -> None:
    """The writer of ``geomap extract`` (CSV or Parquet, by month or not): CSV by the one rule, Parquet typed and as is."""
    import json

    import pyarrow.parquet as pq

    from geomap._io import MANIFEST
    from geomap.tablefiles import table_writer

    frames = _hostile_frames()
    out = tmp_path / "tables"
    with table_writer(out, format=format, by_month=by_month) as tables_out:
        for name in TABLES:
            tables_out.write(name, frames[name])
        files = tables_out.commit()
    if format == "csv":
        for name in TABLES:
            rows = _cells(out / f"{name}.csv")
            assert len(rows) == 3, name
            _assert_safe(rows)
            assert any(cell.startswith("'=") for cell in rows[1]), name
    else:
        for path in files:  # no apostrophe in Parquet: a typed file that no spreadsheet runs
            table = pq.read_table(path)
            texts = {v for c in table.column_names if str(table.schema.field(c).type) == "string" for v in table.column(c).to_pylist()}
            assert texts & set(HOSTILE) and not any(str(t).startswith("'=H") for t in texts), path
    back = read_tables(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(back.tables()[name], frames[name], obj=name)
    # every file, months included, journaled in the manifest as written, none pending
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(p.relative_to(out).as_posix() for p in files)
    assert "pending" not in manifest
    assert (not by_month) or any("/month=2024-05/" in p.as_posix() for p in files)


def test_every_map_csv_export_neutralises_formulas_and_keeps_rows_whole(tmp_path) -> None:
    from geomap.exports import CSV_LAYERS, to_csv
    from geomap.layers import build_layers

    gazetteer = small_gazetteer()
    text = TEXT + "\n\nSmugglers moved the group from Lang Son to Guangxi through the Huu Nghi gate."
    layers = build_layers(extract([article(text, id="a1", title="=1+2\rSecond line")], gazetteer=gazetteer), gazetteer=gazetteer)
    named = layers.as_dict()
    for name in CSV_LAYERS:
        gdf = named[name].copy()
        assert len(gdf), name
        for n, column in enumerate(c for c in gdf.columns if c != gdf.geometry.name and gdf[c].dtype in (object, "string")):
            gdf[column] = HOSTILE[n % len(HOSTILE)]
        path = to_csv(gdf, tmp_path / f"{name}.csv", layer_name=name)
        rows = _cells(path)
        assert len(rows) == len(gdf) + 1, name
        _assert_safe(rows)
    incidents = pd.read_csv(io.StringIO((tmp_path / "incidents.csv").read_text(encoding="utf-8")), dtype=str)
    assert len(incidents) == len(named["incidents"])
    # the article title, as extracted, in the map's own CSV export
    to_csv(named["incidents"], tmp_path / "plain.csv", layer_name="incidents")
    titles = set(pd.read_csv(tmp_path / "plain.csv", dtype=str, keep_default_na=False)["article_title"])
    assert titles == {"'=1+2\rSecond line"}


def test_a_corrections_file_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path) -> None:
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # opened plainly for reading, it would wait for a writer forever
    with pytest.raises(CorrectionsError, match=rf"^{fifo}: not a regular file: a FIFO"):
        load_corrections(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    with pytest.raises(CorrectionsError, match=rf"^{zero}: not a regular file: a character device"):
        load_corrections(zero)
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(17 << 20)
    with pytest.raises(CorrectionsError, match=rf"^{big}: too large: 17 MiB \(the limit is 16 MiB\)"):
        load_corrections(big)
