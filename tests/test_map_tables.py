"""`geomap map TABLES`: a map made from the tables a `geomap extract` wrote, streamed, bounded, and still whole in its counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_map import _payload

from geomap.cli import main
from _folding import folded, newest_drawn
from geomap.jobs import extract_tables, make_map

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SOURCES = [SAMPLES / "reports", SAMPLES / "tables" / "analyst_incidents.csv"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The sample's map made in memory, and its tables as Parquet by month."""
    root = tmp_path_factory.mktemp("runs")
    make_map(SOURCES, root / "memory", formats=["csv"])
    extract_tables(SOURCES, root / "tables", format="parquet", by_month=True)
    return {"memory": root / "memory", "tables": root / "tables", "root": root}


def _page(folder: Path) -> dict:
    return _payload((folder / "border_activity.html").read_text(encoding="utf-8"))


def _incidents(data: dict) -> dict[str, tuple]:
    """The payload's incidents by id: type, dates, place, precision, figures, evidence, unit, measure."""
    s, inc, units = data["s"], data["inc"], data["units"]["id"]
    name = lambda i: s[i] if i >= 0 else ""  # noqa: E731
    return {
        name(inc["id"][k]): (data["types"][inc["t"][k]][0], inc["d0"][k], inc["d1"][k], name(inc["place"][k]), inc["lp"][k],
                             name(inc["fig"][k]), name(inc["ev"][k]), units[inc["pv"][k]] if inc["pv"][k] >= 0 else "",
                             inc["mk"][k], inc["mv"][k], name(inc["cc"][k]))
        for k in range(len(inc["id"]))
    }  # fmt: skip


def _month(day: int | None) -> int:
    if day is None:
        return -1
    when = pd.Timestamp(day, unit="D")
    return when.year * 12 + when.month - 1


def _cells(data: dict) -> tuple[Counter, Counter]:
    """Incidents and measure by (unit, month, type), over the drawn incidents and the aggregates alike."""
    units, types, inc, agg = data["units"]["id"], data["types"], data["inc"], data["agg"]
    n, value = Counter(), Counter()
    events = data.get("events") or {"lead": [], "m": []}
    other = {r for lead, rows in zip(events["lead"], events["m"]) for r in rows if r != lead}  # counted as their lead
    for k in range(len(inc["id"])):
        if k in other:
            continue
        key = (units[inc["pv"][k]] if inc["pv"][k] >= 0 else "", _month(inc["d0"][k]), types[inc["t"][k]][0])
        n[key] += 1
        value[key] += inc["mv"][k]
    for k in range(len(agg["n"])):
        key = (units[agg["u"][k]] if agg["u"][k] >= 0 else "", agg["m"][k], types[agg["t"][k]][0])
        n[key] += agg["n"][k]
        value[key] += agg["v"][k]
    return n, Counter({k: round(v, 3) for k, v in value.items() if v})


def test_a_map_from_parquet_tables_is_the_map_made_in_memory(runs, capsys) -> None:
    out = runs["root"] / "whole"
    assert main(["map", str(runs["tables"]), "-o", str(out), "--formats", "csv"]) == 0
    memory, tables = _page(runs["memory"]), _page(out)
    assert _incidents(tables) == _incidents(memory) and len(_incidents(memory)) > 50
    assert _cells(tables) == _cells(memory)
    assert tables["agg"]["n"] == [] and tables["units"]["id"] == memory["units"]["id"]


def test_a_bounded_map_keeps_the_newest_incidents_and_counts_the_rest(runs) -> None:
    memory = _page(runs["memory"])
    whole = pd.read_csv(runs["memory"] / "incidents.csv", dtype=str, keep_default_na=False)
    out = runs["root"] / "bounded"
    assert main(["-q", "map", str(runs["tables"]), "-o", str(out), "--max-incidents", "12", "--formats", "csv"]) == 0
    drawn = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    fold = folded(runs["tables"])
    newest = newest_drawn(whole, fold, 12)  # the 12 newest, and the other reports of their events
    assert fold and sorted(drawn["incident_id"]) == sorted(newest) and len(drawn) >= 12
    bounded = _page(out)
    assert set(_incidents(bounded)) <= newest
    for iid, row in _incidents(bounded).items():
        assert row == _incidents(memory)[iid]
    # the aggregates hold every incident not drawn but those folded into their event's lead:
    # with the drawn ones they are the whole map's cells (an event counted once, as its lead)
    folded_away = [i for i in fold if i not in newest]
    assert sum(bounded["agg"]["n"]) == len(whole) - len(drawn) - len(folded_away)
    drawn_placed = len(_incidents(bounded))
    n_bounded, v_bounded = _cells(bounded)
    n_memory, v_memory = _cells(memory)
    assert sum(n_bounded.values()) + (len(drawn) - drawn_placed) == len(whole) - len(fold)
    # by province unit, month and type, the counts and measures are those of the whole map
    # (incidents with no place are in no unit: left off a map drawn whole, counted in the aggregates)
    with_unit = lambda cells: {k: v for k, v in cells.items() if k[0]}  # noqa: E731
    assert with_unit(n_bounded) == with_unit(n_memory) and len(with_unit(n_memory)) > 20
    assert with_unit(v_bounded) == pytest.approx(with_unit(v_memory))
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert f"incidents:         {len(whole)} ({len(drawn)} on the map)" in summary


def test_the_same_tables_give_the_same_map(runs) -> None:
    one, two = runs["root"] / "one", runs["root"] / "two"
    for out in (one, two):
        assert main(["-q", "map", str(runs["tables"]), "-o", str(out), "--max-incidents", "9", "--formats", "csv"]) == 0
    assert (one / "border_activity.html").read_bytes() == (two / "border_activity.html").read_bytes()


def test_tables_another_tool_wrote_as_parquet_parts_are_read(runs, tmp_path) -> None:
    """Parquet parts below incidents/ (as dask's to_parquet writes them), with plain text dates and types."""
    from geomap.extract import TABLES, read_tables

    tables = read_tables(runs["tables"])
    folder = tmp_path / "parts"
    for name in TABLES:
        frame = getattr(tables, name)
        (folder / name).mkdir(parents=True)
        half = len(frame) // 2
        for k, part in enumerate((frame.iloc[:half], frame.iloc[half:])):
            pq.write_table(pa.Table.from_pandas(part.astype(object).where(part.notna(), None), preserve_index=False),
                           folder / name / f"part.{k}.parquet")  # fmt: skip
    out_parts, out_ours = tmp_path / "from_parts", tmp_path / "from_ours"
    for source, out in ((folder, out_parts), (runs["tables"], out_ours)):
        assert main(["-q", "map", str(source), "-o", str(out), "--max-incidents", "10", "--formats", "csv"]) == 0
    assert _incidents(_page(out_parts)) == _incidents(_page(out_ours))
    assert _cells(_page(out_parts)) == _cells(_page(out_ours))


def _one_month(folder: Path) -> Path:
    return sorted((folder / "incidents").glob("month=*/part-0.parquet"))[-1]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", r"month=\d{4}-\d{2}/part-0.parquet: not a readable Parquet table: "),
        ("precision", r"month=\d{4}-\d{2}/part-0.parquet: row group 0, row 1: location_precision: not a whole number: 'near'"),
        ("type", r"month=\d{4}-\d{2}/part-0.parquet: row group 0, row 1: type: unknown incident type: '<b>x</b>'"),
        ("column", r"month=\d{4}-\d{2}/part-0.parquet: missing column: 'date_start'"),
    ],
)
def test_a_malformed_table_is_one_line_naming_file_and_row_group(runs, tmp_path, capsys, damage, message) -> None:
    import re
    import shutil

    folder = tmp_path / "tables"
    shutil.copytree(runs["tables"], folder)
    path = _one_month(folder)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    else:
        table = pq.read_table(path).to_pandas().astype(object)
        if damage == "column":
            table = table.drop(columns="date_start")
        else:
            column, value = ("location_precision", "near") if damage == "precision" else ("type", "<b>x</b>")
            table[column] = table[column].astype(str)
            table.loc[0, column] = value
        table = table.where(table.notna(), None)
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path)
    code = main(["map", str(folder), "-o", str(tmp_path / "out"), "--max-incidents", "3"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert not (tmp_path / "out" / "border_activity.html").exists()


def test_a_bad_number_in_csv_tables_names_its_line(tmp_path, capsys) -> None:
    folder = tmp_path / "tables"
    extract_tables([SAMPLES / "reports"], folder)
    table = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    table.loc[4, "location_precision"] = "three"
    table.to_csv(folder / "incidents.csv", index=False)
    assert main(["map", str(folder), "-o", str(tmp_path / "out"), "--max-incidents", "3"]) == 2
    assert f"{folder / 'incidents.csv'}:6: location_precision: not a whole number: 'three'" in capsys.readouterr().err


def test_tables_are_not_mixed_with_reports_nor_given_corrections(runs, tmp_path, capsys) -> None:
    assert main(["map", str(runs["tables"]), str(SAMPLES / "reports"), "-o", str(tmp_path / "a")]) == 2
    assert "a folder of tables written by `geomap extract` given with other inputs" in capsys.readouterr().err
    corrections = tmp_path / "c.yaml"
    corrections.write_text("[]\n", encoding="utf-8")
    assert main(["map", str(runs["tables"]), "-o", str(tmp_path / "b"), "--corrections", str(corrections)]) == 2
    assert "give --corrections to `geomap extract`" in capsys.readouterr().err


def _shown(page) -> dict:
    """What the page counts now: incidents, per type, per month, per province unit (by id)."""
    return page.evaluate(
        """() => { const a = __geomapApp.app, ids = a.units.id, v = {};
            Object.keys(a.unitValues).forEach(u => { v[ids[u]] = Math.round(a.unitValues[u] * 1000) / 1000; });
            return {total: a.shown.length + a.aggShown, aggregated: a.aggShown, types: Array.from(a.typeCounts),
                    months: Object.values(a.months).reduce((x, y) => x + y, 0), units: v,
                    count: document.querySelector('.geomap-time-count').textContent}; }"""
    )


def _set(page, *, start: str | None = None, end: str | None = None, measure: str | None = None, source: str | None = None) -> None:
    for name, value in (("from", start), ("to", end)):
        if value is not None:
            page.fill(f".geomap-time input[name={name}]", value)
            page.dispatch_event(f".geomap-time input[name={name}]", "change")
    if measure is not None:
        page.select_option(".geomap-filters select[name=measure]", measure)
    if source is not None:
        page.select_option(".geomap-filters select[name=source]", source)
    page.wait_for_timeout(50)


@pytest.mark.browser
def test_a_bounded_map_counts_and_shades_every_incident_in_the_browser(runs) -> None:
    """The page adds the aggregates to its counts, timeline and shading: per province they are the whole map's."""
    from _browser import Browser

    out = runs["root"] / "bounded-browser"
    assert main(["-q", "map", str(runs["tables"]), "-o", str(out), "--max-incidents", "12", "--formats", "csv"]) == 0
    data = _page(out)
    with Browser() as browser:
        whole, bounded = browser.open(runs["memory"] / "border_activity.html"), browser.open(out / "border_activity.html")
        for opened in (whole, bounded):
            opened.page.wait_for_function("() => window.__geomapApp && __geomapApp.app")
        one, two = _shown(whole.page), _shown(bounded.page)
        others = sum(len(rows) - 1 for rows in data["events"]["m"])  # an event's other reports count as its lead
        total = len(data["inc"]["id"]) - others + sum(data["agg"]["n"])
        assert two["total"] == sum(two["types"]) == total and two["aggregated"] == sum(data["agg"]["n"]) > 50
        assert two["count"].startswith(f"{total} of {total} events shown (")  # the sample has events told by several reports
        assert two["count"].endswith(f"({two['aggregated']} counted by province and month, not drawn)")
        assert two["units"] == one["units"] and len(one["units"]) > 10
        for settings in ({"start": "2023-01-01", "end": "2023-12-31"}, {"measure": "smuggled"}, {"measure": "drugs_kg"}):
            for opened in (whole, bounded):
                _set(opened.page, **settings)
            one, two = _shown(whole.page), _shown(bounded.page)
            assert two["units"] == one["units"], settings
        assert two["total"] < total and two["aggregated"] < sum(data["agg"]["n"])  # the period of 2023
        source = data["s"][data["sources"][0]]
        _set(bounded.page, source=source)  # the aggregates carry no source: they leave the counts
        left = _shown(bounded.page)
        assert left["aggregated"] == 0 and "not drawn, have no source or text to filter: left out" in left["count"]
        assert whole.errors == [] and bounded.errors == [] and bounded.blocked == []


def test_layers_filter_keeps_the_aggregates_of_the_types_and_months_asked(runs) -> None:
    import dataclasses

    from geomap.layers import build_layers
    from geomap.mapdata import read_for_map

    extraction, totals = read_for_map(runs["tables"], max_incidents=12)
    layers = dataclasses.replace(build_layers(extraction), aggregates=totals.rest_frame())
    cells = layers.aggregates
    fold, drawn = folded(runs["tables"]), set(extraction.incidents["incident_id"])
    assert cells["incidents"].sum() == totals.n_incidents - len(drawn) - len(set(fold) - drawn)
    kept = layers.filter(types=["repatriation", "drug_trafficking"], since="2023-03-15", until="2024-02-01").aggregates
    wanted = cells[cells["type"].isin(["repatriation", "drug_trafficking"]) & cells["month"].between("2023-03", "2024-02")]
    assert len(kept) == len(wanted) > 0 and kept["incidents"].sum() == wanted["incidents"].sum()
    assert layers.filter(types=["repatriation"]).aggregates["type"].eq("repatriation").all()
