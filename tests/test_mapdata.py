"""Maps from tables too big to hold: the newest incidents drawn, every incident counted, as the whole-table path counts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geomap.cli import main
from _folding import folded, newest_drawn
from geomap.jobs import export_tables, extract_tables
from geomap.mapdata import count_rows, read_for_map

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module", params=["csv", "parquet"])
def tables(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"tables-{request.param}")
    extract_tables([SAMPLES / "reports", SAMPLES / "tables" / "analyst_incidents.csv"], out, format=request.param)
    return out


def _layer(folder: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / f"{name}.geojson")


def test_big_tables_are_counted_whole_and_drawn_newest_first(tables, tmp_path) -> None:
    whole = export_tables(tables, tmp_path / "whole", formats=["geojson"], with_map=False)
    assert count_rows(tables) == whole.incidents > 0
    big = export_tables(tables, tmp_path / "big", formats=["geojson"], with_map=False, max_incidents=10)
    # the summary counts every incident, place and mention
    everything = _layer(tmp_path / "whole", "incidents")
    newest = newest_drawn(everything, folded(tables), 10)  # the ten newest, and the other reports of their events
    assert (big.incidents, big.incidents_mapped, big.by_type) == (whole.incidents, len(newest), whole.by_type)
    assert (big.articles, big.table_rows, big.places, big.mentions) == (whole.articles, whole.table_rows, whole.places, whole.mentions)
    # the province totals are those of the whole tables
    one, two = _layer(tmp_path / "whole", "province_stats"), _layer(tmp_path / "big", "province_stats")
    assert one.drop(columns="geometry").equals(two.drop(columns="geometry"))
    assert one.geometry.geom_equals(two.geometry).all()
    places_one, places_two = _layer(tmp_path / "whole", "places"), _layer(tmp_path / "big", "places")
    assert list(places_one["place_id"]) == list(places_two["place_id"])
    assert list(places_one["mentions"]) == list(places_two["mentions"])
    # the map holds the ten newest incidents, as the whole path draws them
    drawn = _layer(tmp_path / "big", "incidents")
    assert sorted(drawn["incident_id"]) == sorted(newest)
    same = everything.set_index("incident_id").loc[sorted(drawn["incident_id"])]
    assert list(drawn.sort_values("incident_id")["place_name"]) == list(same["place_name"])
    assert f"(the map shows the newest {len(newest)} incidents; all are counted)" in (tmp_path / "big" / "summary.txt").read_text()


def test_filters_apply_before_counting(tables) -> None:
    _, totals = read_for_map(tables, since="2025-01-01", types=["illegal_crossing"], max_incidents=3)
    extraction, everything = read_for_map(tables, max_incidents=3)
    assert len(extraction.incidents) == 3 and everything.n_incidents == count_rows(tables)
    assert set(totals.by_type()) == {"illegal_crossing"}
    assert 0 < totals.n_incidents < everything.by_type()["illegal_crossing"]


def test_geomap_export_with_a_bound_on_the_map(tables, tmp_path, capsys) -> None:
    assert main(["export", str(tables), "-o", str(tmp_path / "out"), "--max-incidents", "5", "--formats", "csv"]) == 0
    assert f"incidents:         {count_rows(tables)} (5 on the map)" in capsys.readouterr().out
    assert (tmp_path / "out" / "border_activity.html").stat().st_size > 0


def test_an_unknown_type_in_big_tables_is_rejected_with_its_line(tmp_path, capsys) -> None:
    """A type becomes a layer name and a legend label: only the taxonomy's are let in, as for small tables."""
    import shutil

    folder = tmp_path / "tables"
    extract_tables([SAMPLES / "reports"], folder)
    shutil.rmtree(folder / ".geomap-cache")
    lines = (folder / "incidents.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[3].split(",")
    lines[3] = ",".join([*cells[:2], "<script>", *cells[3:]])  # the third column: type
    (folder / "incidents.csv").write_text("".join(lines), encoding="utf-8")
    assert "<script>" in lines[3]
    code = main(["export", str(folder), "-o", str(tmp_path / "out"), "--max-incidents", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "incidents.csv:4: type: unknown incident type: '<script>'" in err


def test_big_tables_read_dates_and_formula_cells_as_small_ones(tmp_path) -> None:
    """A spreadsheet's dates are named or read with --date-format, and '=... cells restored, as in the whole-table path."""
    import pandas as pd

    from geomap._errors import InputError

    folder = tmp_path / "tables"
    extract_tables([SAMPLES / "reports"], folder)
    whole = export_tables(folder, tmp_path / "whole", formats=["csv"], with_map=False)
    incidents = folder / "incidents.csv"
    table = pd.read_csv(incidents, dtype=str, keep_default_na=False)
    iso = list(table["date_start"])
    row = next(i for i, d in enumerate(iso) if d)
    table["date_start"] = [pd.Timestamp(d).strftime("%m/%d/%Y") if d else "" for d in iso]
    table.loc[row, "actors"] = "'=1+2"  # as geomap writes a cell that starts with '='
    table.to_csv(incidents, index=False)
    with pytest.raises(InputError, match=rf"^{incidents}:{row + 2}: date_start: not a date .*--date-format"):
        export_tables(folder, tmp_path / "big", formats=["csv"], with_map=False, max_incidents=5)
    big = export_tables(folder, tmp_path / "big", formats=["csv"], with_map=False, max_incidents=5, date_format="%m/%d/%Y")
    assert big.incidents == whole.incidents and big.incidents_mapped == 5
    drawn = pd.read_csv(tmp_path / "big" / "incidents.csv", dtype=str, keep_default_na=False)
    assert set(drawn["date_start"]) <= set(iso)  # ISO again, the newest five as the whole path draws them
    extraction, _ = read_for_map(folder, max_incidents=len(iso), date_format="%m/%d/%Y")
    assert "=1+2" in set(extraction.incidents["actors"])


def test_an_events_lead_is_ranked_by_one_rule() -> None:
    """The lead report (drawn, counted, filtered as the event) is picked by one rule, big tables or not."""
    from geomap._mappayload import lead_rank

    reports = [(4, "b#1", True), (1, "c#1", True), (1, "a#9", False), (None, "a#1", True), (6, "0#1", True)]
    assert min(lead_rank(p, i, drawn=d) for p, i, d in reports)[1] == "c#1"  # the most precise place drawn
    assert lead_rank(2, "x") < lead_rank(3, "a")  # precision first, then the id
    assert lead_rank(0, "x") == lead_rank(None, "x") == lead_rank(float("nan"), "x") == lead_rank(6, "x") == (9, "x")
    assert lead_rank(1, "x", drawn=False) == (9, "x")
