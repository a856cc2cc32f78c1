"""Extraction on a real Dask LocalCluster of two worker processes (127.0.0.1): the same tables as one process."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pandas as pd
import pytest
from test_review import _every_action, sample_run  # noqa: F401 (a fixture: the bundled sample and its extraction)

pytest.importorskip("distributed", reason="the test extra installs dask; CI runs these")

from geomap.text.articles import read_articles
from geomap.cluster import dask_client, dask_tables  # noqa: E402
from geomap.extract import TABLES, read_tables  # noqa: E402
from geomap.jobs import extract_tables  # noqa: E402
from geomap.records import Article  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def client():
    with dask_client(n_workers=2) as c:
        yield c


@pytest.fixture()
def small_batches(monkeypatch):
    import geomap.cluster as cluster

    monkeypatch.setattr(cluster, "BATCH", 3)  # the sample reports: many small tasks over the two workers


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def test_the_cluster_writes_the_tables_of_one_process_with_corrections(tmp_path, client, sample_run, small_batches) -> None:
    sources, gazetteer, plain = sample_run
    corrections, _, _ = _every_action(tmp_path, plain)
    one = extract_tables(sources, tmp_path / "one", gazetteer=gazetteer, corrections=corrections)
    many = extract_tables(sources, tmp_path / "many", gazetteer=gazetteer, corrections=corrections, client=client)
    assert _bytes(tmp_path / "one") == _bytes(tmp_path / "many")
    assert many.lines() == [line.replace("/one/", "/many/") for line in one.lines()]
    assert not [p for p in (tmp_path / "many").iterdir() if p.name.startswith(".geomap-staging")]
    # the corrections that matched are gathered from the workers, from their cache too on the next run
    assert many.corrections == one.corrections and many.corrections and many.unmatched == one.unmatched
    again = extract_tables(sources, tmp_path / "many", gazetteer=gazetteer, corrections=corrections, client=client)
    assert again.cached == again.articles
    assert (again.corrections, again.unmatched) == (many.corrections, many.unmatched)
    # Parquet, by month, too
    extract_tables(sources, tmp_path / "pq1", gazetteer=gazetteer, corrections=corrections, format="parquet", by_month=True)
    extract_tables(
        sources, tmp_path / "pq2", gazetteer=gazetteer, corrections=corrections, format="parquet", by_month=True,
        client=client,
    )  # fmt: skip
    files = sorted(p.relative_to(tmp_path / "pq1") for p in (tmp_path / "pq1").rglob("*.parquet"))
    assert files == sorted(p.relative_to(tmp_path / "pq2") for p in (tmp_path / "pq2").rglob("*.parquet"))
    for rel in files:
        assert (tmp_path / "pq1" / rel).read_bytes() == (tmp_path / "pq2" / rel).read_bytes(), rel


def test_an_incremental_run_on_the_cluster_extracts_only_the_changed_reports(tmp_path, client, sample_run, small_batches) -> None:
    _, gazetteer, _ = sample_run
    corpus = tmp_path / "reports"
    shutil.copytree(SAMPLES / "reports", corpus)
    out = tmp_path / "tables"
    first = extract_tables([corpus], out, gazetteer=gazetteer, client=client)
    assert first.cached == 0
    report = sorted(corpus.glob("*.txt"))[0]
    report.write_text(report.read_text(encoding="utf-8") + "\nGuards in Lang Son later stopped 4 more people.\n", encoding="utf-8")
    (corpus / "new.txt").write_text("Cao Bang guards\n2025-02-02\n\nGuards in Cao Bang turned back 6 people on February 1.", encoding="utf-8")
    again = extract_tables([corpus], out, gazetteer=gazetteer, client=client)
    n = sum(1 for _ in read_articles([SAMPLES / "reports"]))  # the bundled sample's articles
    assert (again.articles, again.cached) == (n + 1, n - 1)  # the new report and the edited one extracted
    extract_tables([corpus], tmp_path / "full", gazetteer=gazetteer)
    assert _bytes(out) == _bytes(tmp_path / "full")


def test_a_worker_killed_mid_run_still_gives_the_whole_tables(tmp_path, client, sample_run, small_batches, monkeypatch) -> None:
    import geomap.cluster as cluster

    sources, gazetteer, _ = sample_run
    extract_tables(sources, tmp_path / "one", gazetteer=gazetteer)
    read_part, killed = cluster._read_part, []

    def kill_a_worker_after_the_first_part(staging, number):
        if not killed:
            pids = client.run(os.getpid)
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)  # its tasks under way are lost: the scheduler runs them again
            killed.append(victim)
        return read_part(staging, number)

    monkeypatch.setattr(cluster, "_read_part", kill_a_worker_after_the_first_part)
    extract_tables(sources, tmp_path / "many", gazetteer=gazetteer, client=client)
    assert killed
    assert _bytes(tmp_path / "one") == _bytes(tmp_path / "many")
    client.wait_for_workers(2, timeout=300)  # the nanny starts a new one for the next tests (slowly on a loaded box)


def test_bad_input_on_the_cluster_is_reported_as_in_one_process(tmp_path, client, sample_run, small_batches) -> None:
    _, gazetteer, _ = sample_run
    corpus = tmp_path / "reports"
    shutil.copytree(SAMPLES / "reports", corpus)
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "wire.jsonl").write_text(
        json.dumps({"id": "w1", "text": "Police in Lao Cai seized 3 kg of heroin on May 2."}) + "\n"
        "{not json\n"
        + json.dumps({"id": "w1", "text": "The same id again."}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    one = extract_tables([corpus], tmp_path / "one", gazetteer=gazetteer)
    many = extract_tables([corpus], tmp_path / "many", gazetteer=gazetteer, client=client)
    assert len(one.skipped) == 2 and many.skipped == one.skipped and many.exit_code == one.exit_code == 1
    assert "wire.jsonl:2: malformed JSON" in str(many.skipped[1])
    assert "w1~2" in set(read_tables(tmp_path / "many").articles["article_id"])  # ids made unique as in one process
    assert _bytes(tmp_path / "one") == _bytes(tmp_path / "many")


def test_a_failed_cluster_run_leaves_no_half_written_table(tmp_path, client, sample_run, small_batches) -> None:
    sources, gazetteer, _ = sample_run
    out = tmp_path / "out"
    extract_tables(sources[:1], out, gazetteer=gazetteer, client=client)
    before = _bytes(out)
    broken = Article(id="broken", text=12345)  # not text: extraction fails on the worker, every retry
    with pytest.raises(Exception):  # noqa: B017 - whatever the worker raised, re-raised here
        extract_tables([sources[0], broken], out, gazetteer=gazetteer, client=client, full=True)
    assert _bytes(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".geomap-staging")]


def test_tables_as_dask_dataframes(tmp_path, client, sample_run) -> None:
    sources, gazetteer, plain = sample_run
    extract_tables(sources, tmp_path / "pq", gazetteer=gazetteer, format="parquet", by_month=True)
    frames = dask_tables(tmp_path / "pq")
    assert set(frames) == set(TABLES)
    by_type = frames["incidents"].groupby("type", observed=True).size().compute()
    assert by_type.sort_index().to_dict() == plain.incidents["type"].value_counts().sort_index().to_dict()
    extract_tables(sources, tmp_path / "csv", gazetteer=gazetteer)
    mentions = dask_tables(tmp_path / "csv")["mentions"].compute()
    assert len(mentions) == len(read_tables(tmp_path / "csv").mentions)
    assert isinstance(mentions, pd.DataFrame)


def test_without_dask_one_line_says_what_to_install(tmp_path, monkeypatch, capsys) -> None:
    import sys

    from geomap.cli import main

    for name in [m for m in sys.modules if m == "distributed" or m.startswith("distributed.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: import fails
    code = main(["extract", str(SAMPLES / "reports"), "-o", str(tmp_path / "t"), "--dask"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "geomap: error: extraction on a Dask cluster needs Dask: pip install 'geomap[dask]'" in err
    assert not (tmp_path / "t").exists()


def test_a_scheduler_address_is_used(tmp_path, client, sample_run, small_batches) -> None:
    """--dask ADDRESS submits to that scheduler (here the test cluster's, on 127.0.0.1)."""
    from geomap.cli import main

    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    assert main(["-q", "extract", str(SAMPLES / "reports"), "-o", str(tmp_path / "t"), "--dask", address]) == 0
    extract_tables([SAMPLES / "reports"], tmp_path / "one")
    assert _bytes(tmp_path / "t") == _bytes(tmp_path / "one")
    assert main(["extract", str(SAMPLES / "reports"), "-o", str(tmp_path / "u"), "--dask", "tcp://127.0.0.1:9"]) == 2


def test_extract_from_python_on_the_cluster_gives_the_frames_of_one_process(tmp_path, client, sample_run, small_batches) -> None:
    from geomap.extract import extract

    sources, gazetteer, plain = sample_run
    corrections, _, _ = _every_action(tmp_path, plain)
    one = extract(sources, gazetteer=gazetteer, corrections=corrections)
    many = extract(sources, gazetteer=gazetteer, corrections=corrections, client=client)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(many, name), getattr(one, name), obj=name)
    assert many.corrections == one.corrections and many.corrections is not None


def test_read_tables_as_dask_dataframes(tmp_path, sample_run) -> None:
    import dask.dataframe as dd

    from geomap import read_tables as public_read_tables

    sources, gazetteer, plain = sample_run
    extract_tables(sources, tmp_path / "pq", gazetteer=gazetteer, format="parquet", by_month=True)
    lazy = public_read_tables(tmp_path / "pq", dask=True)
    assert all(isinstance(frame, dd.DataFrame) for frame in lazy.tables().values())
    counted = lazy.incidents.groupby("type", observed=True).size().compute()
    assert counted.sort_index().to_dict() == plain.incidents["type"].value_counts().sort_index().to_dict()
    assert lazy.articles["article_id"].nunique().compute() == len(plain.articles)


def _fill_but(disk: Path, leave_kb: int) -> None:
    stats = os.statvfs(disk)
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave_kb * 1024))


def test_a_full_disk_on_the_cluster_is_the_one_line_of_one_process(tmp_path, client, capfd, small_batches) -> None:
    """A part a worker cannot write: the line and exit status of a run in one process, no worker traceback, tables as they were."""
    import subprocess

    from geomap.cli import EXIT_USAGE, main

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk)")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    reports = str(SAMPLES / "reports")
    try:
        said = {}
        for name, dask in (("one", []), ("many", ["--dask", client.scheduler.address]), ("local", ["--dask"])):
            out = disk / name
            assert main(["-q", "extract", reports, "-o", str(out), *dask]) == 0
            before = _bytes(out)
            capfd.readouterr()
            _fill_but(disk, 0)
            code = main(["-q", "extract", reports, "-o", str(out), "--full", *dask])  # "local": a new LocalCluster
            err = capfd.readouterr().err
            (disk / "filler").unlink()
            said[name] = (code, err.replace(f"/{name}:", "/OUT:"))
            assert _bytes(out) == before, name
            assert not [p for p in out.rglob("*") if p.name.startswith(".geomap-staging") or ".geomap-tmp" in p.name], sorted(out.rglob("*"))
        assert said["one"] == (EXIT_USAGE, f"geomap: error: {disk}/OUT: cannot write the tables: No space left on device\n")
        assert said["many"] == said["local"] == said["one"]  # the worker's own log (a traceback) never reaches stderr
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def test_a_part_a_worker_cannot_write_is_an_output_error_naming_the_folder(tmp_path, sample_run) -> None:
    """On the worker itself (no cluster needed to call it): ENOSPC writing a part is told as the client tells its own."""
    import pickle
    import subprocess

    from geomap._cache import ArticleCache, extraction_version
    from geomap._errors import OutputError
    from geomap.cluster import _extract_part
    from geomap.extract import _prepare

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk)")
    _, gazetteer, _ = sample_run
    run, _ = _prepare(gazetteer, None, None, None, None, 1)
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        staging = disk / ".geomap-staging-1-x"
        staging.mkdir()
        _fill_but(disk, 0)
        cache = ArticleCache(disk, extraction_version(run.gazetteer, since=None, until=None, wanted=run.wanted), read=False)
        blob = pickle.dumps(run)
        articles = list(read_articles([SAMPLES / "reports"]))[:3]
        with pytest.raises(OutputError, match=rf"^{tmp_path}/elsewhere: cannot write the tables: .*No space left on device"):
            _extract_part("d", blob, cache, articles, str(staging), 0, (), str(tmp_path / "elsewhere"))
        (staging.parent / "filler").unlink()
        shutil.rmtree(staging)  # a run that failed removes its staging folder: a task still running never makes it again
        with pytest.raises(FileNotFoundError):
            _extract_part("d", blob, cache, articles, str(staging), 1, (), str(tmp_path))
        assert not staging.exists()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def test_staging_folders_of_a_killed_client_are_removed_by_the_next_run(tmp_path, client, sample_run, small_batches) -> None:
    import subprocess

    sources, gazetteer, _ = sample_run
    out = tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".geomap-staging-{dead.pid}-0123456789ab"
    (stale / "00000000").mkdir(parents=True)
    (stale / "00000000" / "articles.parquet").write_bytes(b"half")
    live = out / f".geomap-staging-{os.getpid()}-ba9876543210"  # a run still going (this process): kept
    live.mkdir()
    extract_tables(sources[:2], out, gazetteer=gazetteer, client=client)
    assert not stale.exists() and live.is_dir()


def test_the_workers_read_the_reports_a_big_file_in_stretches(tmp_path, client, sample_run, small_batches, monkeypatch) -> None:
    """On a first run the workers read the files (a big JSON Lines file cut into stretches at any byte), not the client."""
    import geomap.cluster as cluster
    import geomap.text.articles as articles

    _, gazetteer, _ = sample_run
    corpus = tmp_path / "reports"
    shutil.copytree(SAMPLES / "reports", corpus)
    lines = ["\ufeff" + json.dumps({"id": "w0", "text": "Police in Lao Cai seized 3 kg of heroin on May 2."})]
    for n in range(1, 40):
        lines.append(json.dumps({"id": f"w{n % 17}", "text": f"Guards in Lang Son turned back {n} people on March {n % 28 + 1}."}))
        if n % 9 == 0:
            lines += ["", "{not json", "   "]
    (corpus / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (corpus / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    one = extract_tables([corpus], tmp_path / "one", gazetteer=gazetteer, format="parquet", by_month=True)
    monkeypatch.setattr(cluster, "SPAN", 300)  # stretches of 300 bytes: cut inside lines, ~20 reading tasks
    monkeypatch.setattr(cluster, "_SPAN_FILES", 2)

    def not_here(*args, **kwargs):
        raise AssertionError("an input was read by the client")

    for name in ("_read_jsonl", "_read_json", "_read_document"):  # in this process only: the workers read
        monkeypatch.setattr(articles, name, not_here)
    many = extract_tables([corpus], tmp_path / "many", gazetteer=gazetteer, format="parquet", by_month=True, client=client)
    assert many.skipped == one.skipped and len(one.skipped) == 5  # four bad lines and an empty file, by name and line
    assert "blank.jsonl: empty file" in str(many.skipped[0]) and "wire.jsonl:12: malformed JSON" in str(many.skipped[1])
    assert many.lines() == [line.replace("/one/", "/many/") for line in one.lines()]
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.parquet"))
    assert files == sorted(p.relative_to(tmp_path / "many") for p in (tmp_path / "many").rglob("*.parquet"))
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "many" / rel).read_bytes(), rel
    ids = set(read_tables(tmp_path / "many").articles["article_id"])
    assert {"w1", "w1~2", "w0"} <= ids
    # what the workers read is the next run's input index: nothing read again, nothing extracted again
    again = extract_tables([corpus], tmp_path / "many", gazetteer=gazetteer, format="parquet", by_month=True, client=client)
    assert again.cached == again.articles and again.skipped == one.skipped
    # the map and exports from the cluster's Parquet tables: those of one process's
    from geomap.jobs import export_tables, make_map

    monkeypatch.undo()
    for name in ("one", "many"):
        export_tables(tmp_path / name, tmp_path / f"x-{name}", gazetteer=gazetteer, formats=("csv",), with_map=False)
    exported = _bytes(tmp_path / "x-one")
    assert exported.pop("summary.txt").count(b"\n") == _bytes(tmp_path / "x-many").pop("summary.txt").count(b"\n")
    assert exported == {k: v for k, v in _bytes(tmp_path / "x-many").items() if k != "summary.txt"}
    drawn = make_map(tmp_path / "many", tmp_path / "map", gazetteer=gazetteer, formats=())
    assert drawn.incidents == one.incidents and (tmp_path / "map" / "border_activity.html").stat().st_size > 10_000
