"""The main job, extraction and export, end to end through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geomap.cli import main

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "samples" / "reports"

REPORT = """Police break up ring moving migrants through Lạng Sơn

Updated: 2024-03-05 09:12

Police in Lạng Sơn province said on March 2 that they had stopped 12 people trying to cross
into China illegally near the Hữu Nghị border gate, and arrested two men who had organised the trip.
"""


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "lang-son.txt").write_text(REPORT, encoding="utf-8")
    return folder


def test_map_writes_the_map_exports_and_summary(reports, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["map", str(reports), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "articles read:     1" in printed
    assert str(out / "border_activity.html") in printed
    for name in ("border_activity.html", "incidents.geojson", "routes.geojson", "geomap.gpkg", "incidents.csv", "summary.txt"):
        assert (out / name).stat().st_size > 0, name
    incidents = gpd.read_file(out / "incidents.geojson")
    assert len(incidents) >= 1
    assert set(incidents["type"]) & {"illegal_crossing", "migrant_smuggling"}
    assert "incidents" in pyogrio.list_layers(out / "geomap.gpkg")[:, 0]
    assert (out / "summary.txt").read_text(encoding="utf-8").startswith("articles read:")


def test_a_bad_input_is_skipped_reported_and_exit_status_is_1(reports, tmp_path, capsys):
    (reports / "broken.jsonl").write_text('{"id": "a", "text": "Lào Cai police"}\n{"id": "b", "text": \n', encoding="utf-8")
    (reports / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    assert main(["map", str(reports), "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "inputs skipped:    2" in printed
    assert "broken.jsonl:2" in printed and "empty.txt" in printed
    assert (out / "border_activity.html").exists()


def test_warnings_and_skipped_inputs_are_one_line_each_and_told_once(reports, tmp_path):
    """A file in an old encoding is read with a one-line warning; a skipped one is listed once, in the summary."""
    (reports / "legacy.txt").write_bytes(
        ("Border guards in Lang Son stopped 4 people near the café “Le Pont” on May 3.\n" * 3).encode("cp1252")
    )
    (reports / "empty.txt").write_bytes(b"")
    for quiet in (False, True):
        out = tmp_path / f"out{quiet}"
        argv = [sys.executable, "-m", "geomap", "extract", str(reports), "-o", str(out)] + (["-q"] if quiet else [])
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert done.returncode == 1
        lines = done.stderr.splitlines()
        assert lines[0] == f"geomap: warning: {reports / 'legacy.txt'}: not UTF-8, read as cp1252"
        told = (done.stdout + done.stderr).count("empty.txt: empty file")
        assert told == 1, (done.stdout, done.stderr)
        assert all(line.startswith("geomap: ") for line in lines), lines  # no Python warning format, no source line



@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["map", "missing-folder", "-o", "OUT"], "missing-folder"),
        (["map", "REPORTS", "-o", "OUT", "--since", "2024-02-30"], "bad date: '2024-02-30'"),
        (["map", "REPORTS", "-o", "OUT", "--types", "piracy"], "unknown incident type 'piracy'"),
        (["extract", "REPORTS", "-o", "OUT", "--until", "yesterday"], "bad date: 'yesterday'"),
        (["export", "missing-tables", "-o", "OUT"], "missing-tables"),
        (["map", "REPORTS", "-o", "OUT", "--corrections", "nope.yaml"], "nope.yaml"),
        (["extract", "REPORTS", "-o", "OUT", "--jobs", "0"], "must be 1 or more: '0'"),
        (["map", "REPORTS", "-o", "OUT", "-j", "two"], "not a whole number: 'two'"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(argv, message, reports, tmp_path, capsys):
    argv = [a.replace("REPORTS", str(reports)).replace("OUT", str(tmp_path / "out")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("geomap: error: ")
    assert message in err
    assert not (tmp_path / "out" / "border_activity.html").exists()


def test_python_m_geomap_error_has_no_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "geomap", "map", str(tmp_path / "nothing-here"), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "nothing-here" in done.stderr


def test_extract_with_two_worker_processes_writes_the_same_tables(reports, tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["extract", str(reports), "-o", str(one)]) == 0
    assert main(["extract", str(reports), "-o", str(two), "--jobs", "2"]) == 0
    names = sorted(p.name for p in one.glob("*.csv"))
    assert names and names == sorted(p.name for p in two.glob("*.csv"))
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_an_analysts_file_in_the_output_folder_is_never_overwritten(reports, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "incidents.csv").write_text("my reviewed incidents\n", encoding="utf-8")
    assert main(["map", str(reports), "-o", str(out)]) == 2
    assert "incidents.csv" in capsys.readouterr().err
    assert (out / "incidents.csv").read_text(encoding="utf-8") == "my reviewed incidents\n"
    assert not (out / "border_activity.html").exists()


def test_rerun_replaces_geomaps_own_files(reports, tmp_path):
    out = tmp_path / "out"
    assert main(["-q", "map", str(reports), "-o", str(out)]) == 0
    first = (out / "incidents.geojson").read_bytes()
    assert main(["-q", "map", str(reports), "-o", str(out)]) == 0
    assert (out / "incidents.geojson").read_bytes() == first  # deterministic, and allowed to replace


def test_types_and_period_filters_reach_the_exports(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["-q", "map", str(REPORTS), "-o", str(out), "--types", "drug_trafficking", "--since", "2020-01-01"]) == 0
    incidents = json.loads((out / "incidents.geojson").read_text(encoding="utf-8"))["features"]
    assert incidents
    assert {f["properties"]["type"] for f in incidents} == {"drug_trafficking"}
    assert all((f["properties"]["date_end"] or "9999") >= "2020-01-01" for f in incidents)


def test_extract_review_then_export(reports, tmp_path, capsys):
    tables = tmp_path / "tables"
    assert main(["-q", "extract", str(reports), "-o", str(tables)]) == 0
    for name in ("articles", "mentions", "incidents", "routes", "unresolved", "skipped"):
        assert (tables / f"{name}.csv").exists(), name
    # The analyst reviews: keep only the first incident.
    reviewed = tmp_path / "reviewed"
    shutil.copytree(tables, reviewed)
    lines = (reviewed / "incidents.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 2
    (reviewed / "incidents.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["-q", "export", str(reviewed), "-o", str(out)]) == 0
    assert len(gpd.read_file(out / "incidents.geojson")) == 1
    assert (out / "border_activity.html").exists()


def test_every_command_has_help(capsys):
    for argv in (["--help"], ["map", "--help"], ["extract", "--help"], ["export", "--help"], ["geocode", "--help"], ["gazetteer", "check", "--help"], ["gazetteer", "search", "--help"]):
        assert main(argv) == 0
        assert "usage: geomap" in capsys.readouterr().out


def test_verbose_lists_incidents_by_type(reports, tmp_path, capsys):
    assert main(["-v", "map", str(reports), "-o", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "incidents by type:" in printed
    assert "illegal_crossing" in printed.split("incidents by type:")[1]


def test_map_and_extract_count_events_beside_incidents(tmp_path, capsys):
    # the sample's event told by three outlets (16, 17, 18): one event of several reports
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("16_bat-xat-trail-crossing.md", "17_lao-cai-group-caught.md", "18_frontier-wire.jsonl"):
        shutil.copy(REPORTS / name, folder / name)
    assert main(["map", str(folder), "-o", str(tmp_path / "map")]) == 0
    printed = capsys.readouterr().out
    import pandas as pd

    events = pd.read_csv(tmp_path / "map" / "events.csv")
    several = int((events["reports"] > 1).sum())
    assert several >= 1 and len(events) < len(pd.read_csv(tmp_path / "map" / "incidents.csv"))
    assert f"events:            {len(events)} ({several} told by several reports)" in printed.splitlines()
    assert main(["extract", str(folder), "-o", str(tmp_path / "tables")]) == 0
    table = pd.read_csv(tmp_path / "tables" / "events.csv")
    told = table.groupby("event_id")["reports"].first()
    assert f"events:            {len(told)} ({int((told > 1).sum())} told by several reports)" in capsys.readouterr().out
    assert len(told) == len(events) and int((told > 1).sum()) == several
