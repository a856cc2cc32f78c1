"""``geomap extract ... -o URL``: the tables published to object storage through fsspec (its memory and local file systems; no network)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from test_review import sample_run  # noqa: F401 (a fixture: the bundled sample and its extraction)

fsspec = pytest.importorskip("fsspec", reason="the test extra installs dask, which brings fsspec")

from geomap._errors import InputError  # noqa: E402
from geomap.cli import main  # noqa: E402
from geomap.jobs import extract_tables  # noqa: E402


@pytest.fixture()
def url(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))  # the runs' working folders
    found = f"memory://geomap-test-{uuid.uuid4().hex[:8]}/tables"
    yield found
    fs = fsspec.filesystem("memory")
    if fs.exists(found):
        fs.rm(found, recursive=True)


def _objects(url: str) -> dict[str, bytes]:
    fs, root = fsspec.core.url_to_fs(url)
    return {p[len(root.rstrip("/")) + 1 :]: fs.cat_file(p) for p in fs.find(root)}


def _local(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}  # fmt: skip


def test_tables_published_to_a_url_are_those_of_a_folder_and_the_next_run_is_incremental(tmp_path, url, sample_run) -> None:
    sources, gazetteer, _ = sample_run
    local = extract_tables(sources, tmp_path / "one", gazetteer=gazetteer)
    remote = extract_tables(sources, url, gazetteer=gazetteer)
    assert _objects(url) == _local(tmp_path / "one")  # the same bytes, and nothing else (no temporary key left)
    assert [str(f) for f in remote.files] == [f"{url}/{Path(f).name}" for f in local.files]
    again = extract_tables(sources, url, gazetteer=gazetteer)
    assert again.cached == again.articles > 0
    assert _objects(url) == _local(tmp_path / "one")


def test_parquet_by_month_to_a_url_and_stale_months_removed(tmp_path, url, sample_run) -> None:
    sources, gazetteer, _ = sample_run
    extract_tables(sources, tmp_path / "pq", gazetteer=gazetteer, format="parquet", by_month=True)
    extract_tables(sources, url, gazetteer=gazetteer, format="parquet", by_month=True)
    assert _objects(url) == _local(tmp_path / "pq")
    months = {k.split("/")[1] for k in _objects(url) if k.startswith("incidents/")}
    assert len(months) > 1
    # a run with fewer reports: the months it has no rows for are gone, as in a local folder
    extract_tables(sources[:1], tmp_path / "pq1", gazetteer=gazetteer, format="parquet", by_month=True, since="2100-01-01")
    extract_tables(sources[:1], url, gazetteer=gazetteer, format="parquet", by_month=True, since="2100-01-01")
    assert _objects(url) == _local(tmp_path / "pq1")


def test_an_object_geomap_did_not_write_is_never_overwritten(tmp_path, url, sample_run) -> None:
    sources, gazetteer, _ = sample_run
    fs, root = fsspec.core.url_to_fs(url)
    fs.pipe_file(f"{root}/incidents.csv", b"an analyst's own table\n")
    with pytest.raises(InputError, match="incidents.csv: not written by geomap"):
        extract_tables(sources, url, gazetteer=gazetteer)
    assert _objects(url) == {"incidents.csv": b"an analyst's own table\n"}  # nothing written
    fs.rm(f"{root}/incidents.csv")
    extract_tables(sources, url, gazetteer=gazetteer)
    fs.pipe_file(f"{root}/routes.csv", b"edited since\n")  # an object geomap wrote, changed since
    with pytest.raises(InputError, match="routes.csv: not written by geomap, or changed since"):
        extract_tables(sources, url, gazetteer=gazetteer)
    assert fs.cat_file(f"{root}/routes.csv") == b"edited since\n"


def test_a_file_url_is_the_folder_it_names(tmp_path, sample_run) -> None:
    sources, gazetteer, _ = sample_run
    extract_tables(sources, tmp_path / "one", gazetteer=gazetteer)
    extract_tables(sources, (tmp_path / "two").as_uri(), gazetteer=gazetteer)
    assert _local(tmp_path / "two") == _local(tmp_path / "one")


def test_the_command_line_writes_to_a_url(tmp_path, url, sample_run, capsys) -> None:
    sources, _, _ = sample_run
    code = main(["extract", *map(str, sources), "-o", url])
    assert code == 0
    assert {"articles.csv", "incidents.csv", "events.csv", "skipped.csv"} <= set(_objects(url))
    assert f"{url}/incidents.csv" in capsys.readouterr().out
