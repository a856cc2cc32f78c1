"""Parquet tables: the CSV's columns with real types, the same rows, deterministic, by month for large runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_review import _every_action, sample_run  # noqa: F401 (a fixture: the bundled sample and its extraction)

from geomap.cli import main
from geomap.extract import COLUMNS, TABLES, extract, read_tables
from geomap.jobs import extract_tables

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _same_tables(one, two) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(one.tables()[name], two.tables()[name], obj=name)


def test_parquet_tables_hold_the_csv_rows_with_real_types(tmp_path, sample_run) -> None:
    sources, gazetteer, plain = sample_run
    corrections, _, _ = _every_action(tmp_path, plain)
    extract_tables(sources, tmp_path / "csv", gazetteer=gazetteer, corrections=corrections)
    summary = extract_tables(sources, tmp_path / "pq", gazetteer=gazetteer, corrections=corrections, format="parquet")
    assert [p.name for p in summary.files] == [f"{name}.parquet" for name in TABLES]
    _same_tables(read_tables(tmp_path / "csv"), read_tables(tmp_path / "pq"))
    incidents = pq.read_table(tmp_path / "pq" / "incidents.parquet")
    assert incidents.column_names == list(COLUMNS["incidents"])
    types = dict(zip(incidents.column_names, incidents.schema.types, strict=True))
    assert types["date_start"] == pa.date32() and types["value"] == pa.float64() and types["start"] == pa.int64()
    assert pa.types.is_dictionary(types["type"]) and types["sentence"] == pa.string()
    assert pq.read_table(tmp_path / "pq" / "mentions.parquet").schema.field("ambiguous").type == pa.bool_()
    frame = pd.read_parquet(tmp_path / "pq" / "incidents.parquet")  # what a notebook gets
    assert isinstance(frame["type"].dtype, pd.CategoricalDtype)
    assert frame["date_start"].dropna().map(type).eq(__import__("datetime").date).all()


def test_parquet_files_do_not_depend_on_how_the_rows_came(tmp_path, sample_run, monkeypatch) -> None:
    import geomap.tablefiles as tablefiles

    sources, gazetteer, _ = sample_run
    for by_month in (False, True):
        extract_tables(sources, tmp_path / f"a{by_month}", gazetteer=gazetteer, format="parquet", by_month=by_month)
        with monkeypatch.context() as m:
            m.setattr("geomap._batches._PART_ROWS", 7)  # many small parts
            m.setattr(tablefiles, "ROW_GROUP", tablefiles.ROW_GROUP)
            extract_tables(sources, tmp_path / f"b{by_month}", gazetteer=gazetteer, format="parquet", by_month=by_month, full=True)
        one = {p.relative_to(tmp_path / f"a{by_month}"): p.read_bytes() for p in (tmp_path / f"a{by_month}").rglob("*.parquet")}
        two = {p.relative_to(tmp_path / f"b{by_month}"): p.read_bytes() for p in (tmp_path / f"b{by_month}").rglob("*.parquet")}
        assert one == two and len(one) >= len(TABLES)


def test_row_groups_are_fixed_in_size(tmp_path, sample_run, monkeypatch) -> None:
    import geomap.tablefiles as tablefiles

    sources, gazetteer, _ = sample_run
    monkeypatch.setattr(tablefiles, "ROW_GROUP", 50)
    extract_tables(sources, tmp_path / "t", gazetteer=gazetteer, format="parquet")
    meta = pq.ParquetFile(tmp_path / "t" / "mentions.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes[:-1] == [50] * (len(sizes) - 1) and 0 < sizes[-1] <= 50 and len(sizes) > 2
    _same_tables(read_tables(tmp_path / "t"), extract(sources, gazetteer=gazetteer))


def test_tables_by_month(tmp_path, sample_run) -> None:
    sources, gazetteer, plain = sample_run
    out = tmp_path / "months"
    code = main(["extract", *map(str, sources), "-o", str(out), "--format", "parquet", "--by-month"])
    assert code == 0
    months = sorted(p.name for p in (out / "incidents").iterdir())
    assert months and all(m.startswith("month=") for m in months)
    by_month = pd.read_parquet(out / "incidents")  # Hive partitions: a month column from the folders
    for month, start in zip(by_month["month"].astype(str), by_month["date_start"], strict=True):
        assert month == "unknown" or month == str(start)[:7]
    back = read_tables(out)  # the rows, month by month
    for name in TABLES:
        got, want = back.tables()[name], plain.tables()[name]
        assert len(got) == len(want), name
        key = list(COLUMNS[name])
        pd.testing.assert_frame_equal(
            got.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True), obj=name
        )
    # a later run into the folder with fewer reports: the months it has no rows for are gone
    one = sorted((SAMPLES / "reports").iterdir())[0]
    assert main(["extract", str(one), "-o", str(out), "--format", "parquet", "--by-month"]) == 0
    assert len(read_tables(out).articles) == 1
    assert len(list((out / "articles").glob("month=*/part-0.parquet"))) == 1


def test_csv_and_parquet_in_one_folder_must_be_told_apart(tmp_path, sample_run) -> None:
    from geomap._errors import InputError

    sources, gazetteer, _ = sample_run
    extract_tables(sources[:1], tmp_path, gazetteer=gazetteer)
    extract_tables(sources[:1], tmp_path, gazetteer=gazetteer, format="parquet")
    with pytest.raises(InputError, match=r"articles\.csv: the table is there as CSV and as Parquet"):
        read_tables(tmp_path)
    _same_tables(read_tables(tmp_path, format="csv"), read_tables(tmp_path, format="parquet"))


def test_a_failed_parquet_run_leaves_the_tables_as_they_were(tmp_path, sample_run, monkeypatch) -> None:
    import geomap.extract as extract_module

    sources, gazetteer, _ = sample_run
    out = tmp_path / "out"
    extract_tables(sources[:1], out, gazetteer=gazetteer, format="parquet", by_month=True)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".geomap-cache" not in p.parts}
    rows, seen = extract_module._Run.rows, []

    def fails_on_the_fifth(self, article):
        seen.append(article.id)
        if len(seen) == 5:
            raise RuntimeError("disk on fire")
        return rows(self, article)

    monkeypatch.setattr("geomap._batches._PART_ROWS", 1)
    monkeypatch.setattr(extract_module._Run, "rows", fails_on_the_fifth)
    with pytest.raises(RuntimeError, match="disk on fire"):
        extract_tables(sources, out, gazetteer=gazetteer, format="parquet", by_month=True, full=True)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".geomap-cache" not in p.parts}
    assert after == before


def test_layers_as_geoparquet(tmp_path, sample_run) -> None:
    """GeoParquet 1.0 as geopandas writes it: read back the same, the same bytes twice."""
    import json

    import geopandas as gpd

    from geomap.exports import export
    from geomap.layers import LAYER_NAMES, build_layers

    _, gazetteer, plain = sample_run
    layers = build_layers(plain, gazetteer=gazetteer)
    first = export(layers, tmp_path / "a", formats=["geoparquet"])
    export(layers, tmp_path / "b", formats=["geoparquet"])
    assert [p.name for p in first] == [f"{name}.parquet" for name in LAYER_NAMES]
    for path in first:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    geo = json.loads(pq.read_schema(tmp_path / "a" / "incidents.parquet").metadata[b"geo"])
    assert geo["version"].startswith("1.") and geo["primary_column"] == "geometry"
    back = gpd.read_parquet(tmp_path / "a" / "incidents.parquet")
    assert back.crs == "EPSG:4326" and list(back.columns) == list(layers.incidents.columns)
    assert back.geometry.geom_equals(layers.incidents.geometry).all()
    assert list(back["incident_id"]) == list(layers.incidents["incident_id"])


def test_an_unknown_type_in_a_parquet_table_is_rejected_with_its_row(tmp_path, sample_run) -> None:
    from geomap._errors import InputError

    sources, gazetteer, _ = sample_run
    extract_tables(sources[:1], tmp_path, gazetteer=gazetteer, format="parquet")
    table = pq.read_table(tmp_path / "incidents.parquet")
    types = table.column("type").cast(pa.string()).to_pylist()
    types[2] = "<img src=x>"
    table = table.set_column(table.column_names.index("type"), "type", pa.array(types).dictionary_encode())
    pq.write_table(table, tmp_path / "incidents.parquet")
    with pytest.raises(InputError, match=r"incidents\.parquet: row 3: type: unknown incident type: '<img src=x>'"):
        read_tables(tmp_path)
