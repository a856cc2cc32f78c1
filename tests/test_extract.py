"""The extraction pipeline: sources, tidy tables, analyst CSV input, filters, determinism."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from _extract import article, small_gazetteer

from geomap._errors import InputError, InputNotFoundError
from geomap.extract import COLUMNS, MANIFEST, TABLES, extract, read_tables, write_tables

ARCH_COLUMNS = {
    "articles": "article_id, title, date, date_precision, date_source, source, url, path, line, format, encoding, n_chars, "
    "lang",
    "mentions": "article_id, start, end, text, place_id, score, method, ambiguous, candidates",
    "incidents": "incident_id, article_id, type, value, value_max, unit, qualifier, counts, change, date_start, date_end, "
    "date_precision, date_text, place_id, places, location_precision, actors, sentence, start, end, evidence, source",
    "events": "event_id, incident_id, article_id, outlet, published, type, place_id, location_precision, date_start, "
    "date_end, date_precision, counts, reports, counts_disagree, match_reason, sentence",
    "routes": "route_id, article_id, stop, place_id, role, precision, sentence, start, end",
    "unresolved": "article_id, start, end, text, hint",
    "skipped": "path, line, reason",
}

REPORT = """Lang Son guards stop group at Huu Nghi
Updated: 2024-05-20 09:00

LANG SON - On May 18 border guards at the Huu Nghi border gate stopped 12 people who had crossed illegally from Guangxi.

The group had travelled from Ho Chi Minh City through Lang Son before trying to cross into China. Guards in Nam Quan Province also joined the search.
"""


@pytest.fixture()
def folder(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "01_lang-son.txt").write_text(REPORT, encoding="utf-8")
    wire = {
        "id": "w1",
        "title": "Drugs seized in Lao Cai",
        "date": "2023-09-02",
        "source": "Wire",
        "url": "https://example.org/w1",
        "text": "Police in Lao Cai province on September 1 seized 8.5 kg of heroin and arrested 3 suspects.",
    }
    (reports / "02_wire.jsonl").write_text(json.dumps(wire) + "\n", encoding="utf-8")
    (reports / "analyst.csv").write_text(
        "place,type,count,unit,date,source\n"
        "Lạng Sơn,illegal_crossing,37,people,2024-08-14,Field notes\n"
        "Atlantis,repatriation,5,people,2024-08-15,Field notes\n"
        "Lao Cai,smuggling_of_stuff,5,people,2024-08-16,Field notes\n"
        "Mong Cai,goods_smuggling,lots,VND,2024-08-17,Field notes\n"
        "Mong Cai,goods_smuggling,1200000,VND,2024-08-18,Field notes\n",
        encoding="utf-8",
    )
    return reports


def test_tables_have_exactly_the_documented_columns_and_stable_dtypes() -> None:
    for name in TABLES:
        assert ", ".join(COLUMNS[name]) == ARCH_COLUMNS[name]
    empty = extract([], gazetteer=small_gazetteer())
    full = extract([article("On May 3 police in Lao Cai seized 4 kg of heroin.")], gazetteer=small_gazetteer())
    for name in TABLES:
        assert list(empty.tables()[name].columns) == list(COLUMNS[name])
        assert dict(empty.tables()[name].dtypes.astype(str)) == dict(full.tables()[name].dtypes.astype(str)), name
    assert len(full.incidents) == 1 and full.incidents.iloc[0]["counts"] == "4 kg"


def test_folder_with_text_jsonl_and_an_analyst_table(folder) -> None:
    tables = extract([folder], gazetteer=small_gazetteer())
    assert list(tables.articles["article_id"][:2]) == ["01_lang-son", "w1"]

    gate = tables.incidents[tables.incidents["article_id"] == "01_lang-son"].iloc[0]
    assert (gate["type"], gate["value"], gate["unit"]) == ("illegal_crossing", 12.0, "people")
    assert (gate["place_id"], gate["location_precision"], gate["date_start"]) == ("vn.border_gate.huu-nghi", 1, "2024-05-18")
    assert "vn.border_gate.huu-nghi:crossing" in gate["places"].split(";")
    text = tables.articles.set_index("article_id").loc["01_lang-son"]
    assert gate["sentence"].startswith("LANG SON - On May 18")

    route = tables.routes[tables.routes["article_id"] == "01_lang-son"]
    assert list(route["place_id"]) == ["vn.province.ho-chi-minh", "vn.province.lang-son", "cn.country.cn"]
    assert list(route["role"]) == ["origin", "crossing", "destination"]

    unresolved = tables.unresolved
    assert list(unresolved["text"]) == ["Nam Quan Province"]

    # the analyst table: good rows become incidents with source "table", bad rows are reported by line
    table_rows = tables.incidents[tables.incidents["source"] == "table"]
    assert list(table_rows["type"]) == ["illegal_crossing", "goods_smuggling"]
    assert list(table_rows["place_id"]) == ["vn.province.lang-son", "vn.city.mong-cai"]
    assert list(table_rows["value"]) == [37.0, 1200000.0]
    skipped = tables.skipped
    assert list(skipped["line"]) == [3, 4, 5]
    assert all(p.endswith("analyst.csv") for p in skipped["path"])
    assert "Atlantis" in skipped.iloc[0]["reason"] and "smuggling_of_stuff" in skipped.iloc[1]["reason"]
    assert "'lots'" in skipped.iloc[2]["reason"]
    assert text["n_chars"] > 0


def test_filters_since_until_and_types(folder) -> None:
    gazetteer = small_gazetteer()
    later = extract([folder], gazetteer=gazetteer, since="2024-01-01")
    assert "w1" not in set(later.incidents["article_id"])
    assert set(later.incidents["date_start"]) >= {"2024-05-18"}
    early = extract([folder], gazetteer=gazetteer, until=dt.date(2023, 12, 31))
    assert set(early.incidents["article_id"]) == {"w1"}
    drugs = extract([folder], gazetteer=gazetteer, types=["drug_trafficking"])
    assert set(drugs.incidents["type"]) == {"drug_trafficking"}
    with pytest.raises(InputError, match="unknown incident type: 'piracy'"):
        extract([folder], gazetteer=gazetteer, types=["piracy"])
    with pytest.raises(InputError, match="since: not a date"):
        extract([folder], gazetteer=gazetteer, since="last year")
    with pytest.raises(InputNotFoundError):
        extract([folder / "missing.csv"], gazetteer=gazetteer)


def test_bad_article_files_are_skipped_and_the_rest_go_on(folder) -> None:
    (folder / "03_empty.txt").write_text("", encoding="utf-8")
    (folder / "04_broken.jsonl").write_text('{"id": "x", "text": "fine"}\n{not json\n', encoding="utf-8")
    tables = extract([folder], gazetteer=small_gazetteer())
    reasons = dict(zip(tables.skipped["path"].str.rsplit("/", n=1).str[-1], tables.skipped["line"], strict=False))
    assert "03_empty.txt" in reasons and reasons["04_broken.jsonl"] == 2
    assert {"01_lang-son", "w1", "x"} <= set(tables.articles["article_id"])


def test_worker_processes_give_the_same_tables_in_the_same_order(folder) -> None:
    # enough articles for several batches under way at once; a repeated article and a broken line among them
    lines = [
        json.dumps({
            "id": f"g{i}", "date": f"2024-05-{i % 9 + 1:02d}",
            "text": f"On May {i % 28 + 1}, guards in Lao Cai stopped {i + 2} people who had crossed illegally from Yunnan.",
        })
        for i in range(150)
    ]  # fmt: skip
    lines.insert(70, lines[3])
    lines.insert(90, "{broken")
    (folder / "05_many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    gazetteer = small_gazetteer()
    serial = extract([folder], gazetteer=gazetteer)
    parallel = extract([folder], gazetteer=gazetteer, jobs=2)
    for name in TABLES:
        pd.testing.assert_frame_equal(serial.tables()[name], parallel.tables()[name])
    assert len(serial.articles) > 150 and len(serial.incidents) >= 150
    assert any(reason.startswith("malformed JSON") for reason in serial.skipped["reason"])
    with pytest.raises(InputError, match="jobs must be a whole number, 1 or more: 0"):
        extract([folder], gazetteer=gazetteer, jobs=0)


def test_same_input_gives_byte_identical_tables(folder, tmp_path) -> None:
    gazetteer = small_gazetteer()
    one = write_tables(extract([folder], gazetteer=gazetteer), tmp_path / "one")
    two = write_tables(extract([folder], gazetteer=gazetteer), tmp_path / "two")
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (tmp_path / "one" / MANIFEST).exists()


def test_written_tables_read_back_equal(folder, tmp_path) -> None:
    tables = extract([folder], gazetteer=small_gazetteer())
    write_tables(tables, tmp_path / "out")
    text = (tmp_path / "out" / "incidents.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ARCH_COLUMNS["incidents"].replace(", ", ",")
    back = read_tables(tmp_path / "out")
    for name in TABLES:
        pd.testing.assert_frame_equal(tables.tables()[name], back.tables()[name], obj=name)


def test_read_tables_reports_the_file_and_line_of_a_bad_value(folder, tmp_path) -> None:
    tables = extract([folder], gazetteer=small_gazetteer())
    write_tables(tables, tmp_path / "out")
    path = tmp_path / "out" / "routes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[2] = "second"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"routes\.csv:3: stop: not a number: 'second'"):
        read_tables(tmp_path / "out")
    with pytest.raises(InputNotFoundError):
        read_tables(tmp_path / "nowhere")


def test_articles_given_as_records_and_summary() -> None:
    tables = extract(
        [article("On May 2 guards in Lao Cai stopped 4 people who crossed illegally from Laos.", id="k1")],
        gazetteer=small_gazetteer(),
    )
    summary = tables.summary()
    assert summary["articles"] == 1 and summary["incidents"] == 1 and summary["skipped"] == 0
    assert summary["places"] == 2


def test_tables_kept_column_by_column_equal_the_frame_of_their_rows(folder) -> None:
    # rows are kept in typed arrays while a run goes on; missing numbers and
    # flags must come out as missing, every value as it went in
    from geomap.extract import _Columns, _frame

    rows = {
        "incidents": [
            ("a#1", "a", "other", 146.0, None, "cases", "", "146 cases", "+12%", "2024-01-01", "", "since", "Since January",
             "vn.province.lang-son", "vn.province.lang-son:location", 4, "police", "Police found 146 cases.", 0, 23,
             "0-23", "extracted"),
            ("a#2", "a", "other", None, None, "", "", "", "", "", "", "", "", "", "", 6, "", "Nothing counted.", 24, 40,
             "24-40", "table"),
        ],
        "mentions": [("a", 3, 11, "Lang Son", "vn.province.lang-son", 0.97, "exact", False, ""),
                     ("a", 20, 24, "Bac", "", 0.5, "fuzzy", True, "x;y")],
        "skipped": [("bad.jsonl", None, "malformed JSON"), ("bad.jsonl", 7, "no text")],
        # more rows than one batch: moved into the columns on the way, not only at the end
        "routes": [(f"a/r{i}", "a", i % 3 + 1, "cn.country", "transit", 6, "They went on.", i, i + 12) for i in range(9000)],
    }  # fmt: skip
    for name, table_rows in rows.items():
        columns = _Columns(name)
        columns.extend(table_rows)
        assert len(columns) == len(table_rows)
        pd.testing.assert_frame_equal(columns.frame(), _frame(name, table_rows))
    full = extract([folder], gazetteer=small_gazetteer())
    assert full.skipped["line"].dtype == "Int64" and full.mentions["ambiguous"].dtype == "boolean"
