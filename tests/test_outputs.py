"""Output trouble and bugs: one line each, their own exit status, old outputs whole.

Full disks and read-only folders are real: a small tmpfs mounted for the test
(root only; skipped elsewhere, and said so).  Root ignores file permissions,
so a folder the user cannot write is a read-only mount here, or a folder
without write permission when the tests do not run as root.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from geomap._errors import InputError
from geomap.cli import EXIT_BUG, EXIT_OK, EXIT_USAGE, main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MANIFEST = ".geomap-manifest.json"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["-q", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST
    }


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("geomap: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    """Tables of the sample reports, for fast `geomap export` runs."""
    out = tmp_path_factory.mktemp("tables")
    assert main(["-q", "extract", str(SAMPLES / "reports"), "-o", str(out)]) == EXIT_OK
    return out


# -- a bug ---------------------------------------------------------------------------


def test_a_bug_is_one_line_exit_3_and_a_log_with_the_traceback(capsys, monkeypatch, tables, tmp_path) -> None:
    import geomap.jobs

    def broken(*args, **kwargs):
        return {}["a key that is not there"]  # a real bug in the job, not a user error

    monkeypatch.setattr(geomap.jobs, "export_tables", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    code, _, err = _run(capsys, "export", str(tables), "-o", str(tmp_path / "out"))
    assert code == EXIT_BUG == 3
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("geomap: internal error (a bug in geomap, please report it): KeyError:")
    log = Path(lines[0].rsplit("traceback in ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path and "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    assert "in broken" in log.read_text(encoding="utf-8")
    # under -v the traceback is on stderr too
    code = main(["-v", "export", str(tables), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == EXIT_BUG and "Traceback (most recent call last)" in err and "in broken" in err


# -- output trouble ------------------------------------------------------------------


def test_an_output_name_taken_by_a_folder_is_one_line(capsys, tables, tmp_path) -> None:
    out = tmp_path / "out"
    assert main(["-q", "export", str(tables), "-o", str(out)]) == EXIT_OK
    capsys.readouterr()
    before = _snapshot(out)
    (out / "incidents.geojson").unlink()
    (out / "incidents.geojson").mkdir()
    code, _, err = _run(capsys, "export", str(tables), "-o", str(out))
    assert code == EXIT_USAGE
    assert "incidents.geojson: is a folder" in _one_error_line(err)
    after = _snapshot(out)
    assert after == {k: v for k, v in before.items() if k != "incidents.geojson"}  # nothing written


def test_an_output_path_under_a_file_is_one_line(capsys, tables, tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _run(capsys, "export", str(tables), "-o", str(tmp_path / "notes.txt" / "out"))
    assert code == EXIT_USAGE
    assert f"{tmp_path / 'notes.txt'}: is a file, so" in _one_error_line(err)
    code, _, err = _run(capsys, "export", str(tables), "-o", str(tmp_path / "notes.txt"))
    assert code == EXIT_USAGE and "notes.txt: is not a folder" in _one_error_line(err)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_dangling_symlink_with_an_outputs_name_is_not_replaced(capsys, tables, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.txt").symlink_to(tmp_path / "nowhere.txt")
    code, _, err = _run(capsys, "export", str(tables), "-o", str(out))
    assert code == EXIT_USAGE
    assert "summary.txt: refusing to replace a symbolic link to a missing file" in _one_error_line(err)
    assert (out / "summary.txt").is_symlink() and not (tmp_path / "nowhere.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["summary.txt"]


def _mount_tmpfs(where: Path, *options: str) -> None:
    """Mount a tmpfs at ``where`` (root only); skip the test if that is not possible here."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full disk / read-only folder)")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def test_an_output_folder_that_cannot_be_written_is_one_line(capsys, tables, tmp_path) -> None:
    disk = tmp_path / "disk"
    if os.geteuid() != 0:  # permissions are real for a user
        disk.mkdir()
        disk.chmod(0o555)
    else:  # root ignores permissions: a read-only mount
        _mount_tmpfs(disk, "size=1m", "ro")
    try:
        code, _, err = _run(capsys, "export", str(tables), "-o", str(disk / "out"))
        assert code == EXIT_USAGE
        line = _one_error_line(err)
        assert f"{disk / 'out'}: cannot write: " in line
        assert line.endswith(("Read-only file system", "Permission denied"))
        report = str(SAMPLES / "reports" / "06_huu-nghi-traffic.txt")
        code, _, err = _run(capsys, "map", report, "-o", str(disk / "out"))
        assert code == EXIT_USAGE and f"{disk / 'out'}: cannot write: " in _one_error_line(err)
        code, _, err = _run(capsys, "extract", report, "-o", str(disk / "tables"))
        assert code == EXIT_USAGE and f"{disk}: cannot write the tables: " in _one_error_line(err)
    finally:
        if os.geteuid() == 0:
            _umount(disk)
        else:
            disk.chmod(0o755)


def _fill(disk: Path, leave_kb: int) -> None:
    """Fill ``disk`` but ``leave_kb`` kilobytes with a file of zeros."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    size = max(0, free - leave_kb * 1024)
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * size)


def test_a_full_disk_is_one_line_and_leaves_each_output_old_or_new(capsys, tables, tmp_path) -> None:
    """ENOSPC at several points of `geomap export` (a real tmpfs): exit 2, one line, every file old or new, whole."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=6m")
    out = disk / "out"
    try:
        for leave in (0, 40, 150, 300, 500, 800):
            shutil.rmtree(out, ignore_errors=True)
            assert main(["-q", "export", str(tables), "-o", str(out)]) == EXIT_OK
            old = _snapshot(out)
            _fill(disk, leave)
            code, _, err = _run(capsys, "export", str(tables), "-o", str(out), "--types", "drug_trafficking")
            hit = _snapshot(out)
            (disk / "filler").unlink()
            if code != EXIT_OK:
                assert code == EXIT_USAGE, err
                assert _one_error_line(err).endswith("cannot write: No space left on device"), err
            # the next run, with room again, accepts every file as geomap's and leaves no temporary file
            code, _, err = _run(capsys, "export", str(tables), "-o", str(out), "--types", "drug_trafficking")
            assert code == EXIT_OK, err
            new = _snapshot(out)
            assert old != new
            for name, digest in hit.items():
                assert digest in (old.get(name), new.get(name)), (leave, name)
            assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MANIFEST]
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
            assert manifest["files"] == new and "pending" not in manifest
    finally:
        _umount(disk)


# -- the manifest is a journal ---------------------------------------------------------


def test_a_file_renamed_in_before_its_manifest_entry_is_still_geomaps(tmp_path) -> None:
    """A kill between the rename and the manifest's update: the new file is listed as pending, not taken for an edit."""
    from geomap._io import OutputDir

    out = OutputDir(tmp_path)
    out.write_text("map.html", "old")
    # what a run killed right after putting the new file in place leaves: the file new, its hash pending
    new = hashlib.sha256(b"new").hexdigest()
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["pending"] = {"map.html": new}
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    OutputDir(tmp_path).check("map.html")  # still old: fine
    (tmp_path / "map.html").write_text("new", encoding="utf-8")
    OutputDir(tmp_path).check("map.html")  # new: fine too
    (tmp_path / "map.html").write_text("edited", encoding="utf-8")
    with pytest.raises(InputError, match="edited since geomap wrote it"):
        OutputDir(tmp_path).check("map.html")


def test_temporary_files_of_a_dead_run_are_removed_by_the_next(tmp_path) -> None:
    from geomap._io import OutputDir

    dead = subprocess.Popen(["true"])  # a process id that is surely gone
    dead.wait()
    stale = [f".map.html.{dead.pid}-abc123.geomap-tmp.html", f".geomap.gpkg.{dead.pid}-x_9.geomap-tmp.gpkg-journal"]
    live = f".map.html.{os.getpid()}-zzz.geomap-tmp.html"
    for name in (*stale, live, ".my-notes"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    OutputDir(tmp_path).prepare()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".my-notes", live])


# -- the Python API keeps the CLI's promise ---------------------------------------------


def test_export_and_save_map_never_overwrite_a_users_file(tmp_path) -> None:
    import folium

    from geomap import export, save_map
    from geomap.extract import extract
    from geomap.layers import build_layers

    mine = tmp_path / "incidents.csv"
    mine.write_text("my own table\n", encoding="utf-8")
    page = tmp_path / "map.html"
    page.write_text("<p>my page</p>", encoding="utf-8")
    layers = build_layers(extract(SAMPLES / "reports" / "06_huu-nghi-traffic.txt"))
    with pytest.raises(InputError, match="incidents.csv: refusing to overwrite: the file was not written by geomap"):
        export(layers, tmp_path)
    assert mine.read_text(encoding="utf-8") == "my own table\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incidents.csv", "map.html"]  # checked before any write
    with pytest.raises(InputError, match="map.html: refusing to overwrite"):
        save_map(folium.Map(), page)
    assert page.read_text(encoding="utf-8") == "<p>my page</p>"
    # geomap's own files are replaced; anything with overwrite=True
    export(layers, tmp_path / "out")
    export(layers, tmp_path / "out")
    save_map(folium.Map(), tmp_path / "out" / "map.html")
    save_map(folium.Map(), tmp_path / "out" / "map.html")
    export(layers, tmp_path, overwrite=True)
    save_map(folium.Map(), page, overwrite=True)
    assert mine.read_text(encoding="utf-8-sig").startswith("incident_id,")
    assert "<p>my page</p>" not in page.read_text(encoding="utf-8")


def test_a_full_disk_while_extracting_tables_is_one_line(capsys, tmp_path) -> None:
    """`geomap extract` spools its tables beside the output: a disk too small for them stops with one line."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=40k")
    try:
        code, _, err = _run(capsys, "extract", str(SAMPLES / "reports"), "-o", str(disk / "tables"))
        assert code == EXIT_USAGE
        assert _one_error_line(err) == f"geomap: error: {disk}: cannot write the tables: No space left on device"
        assert [p.name for p in disk.iterdir()] in ([], ["tables"])
        # no table, nor any temporary file; only the entries of the articles done, which the next run keeps
        left = sorted(p.relative_to(disk).as_posix() for p in disk.rglob("*") if p.is_file())
        assert all(name.startswith("tables/.geomap-cache/") and name.endswith(".json") for name in left), left
        assert not [name for name in left if ".geomap-tmp" in name]
    finally:
        _umount(disk)


def test_a_full_disk_at_any_point_of_extract_is_one_line_and_leaves_each_table_old_or_new(capsys, tmp_path) -> None:
    """ENOSPC while the cache, the spools or the tables are written, or the spools closed: exit 2, one line, no traceback.

    First into a new folder with a little room left (the room of a few cache
    entries and spools: some runs fail as their spools are thrown away with
    rows still buffered), then over tables an earlier run wrote.
    """
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=8m")
    out = disk / "tables"
    reports = str(SAMPLES / "reports")

    def extract(*more: str) -> tuple[int, str]:
        code, _, err = _run(capsys, "extract", reports, "-o", str(out), *more)
        if code != EXIT_OK:
            assert code == EXIT_USAGE, err
            assert _one_error_line(err).endswith("No space left on device"), err
        return code, err

    try:
        for leave in (100, 200, 300, 400, 500):
            shutil.rmtree(out, ignore_errors=True)
            _fill(disk, leave)
            code, _ = extract()
            (disk / "filler").unlink()
            assert not [p for p in out.rglob("*") if ".geomap-tmp" in p.name], leave
        shutil.rmtree(out, ignore_errors=True)
        assert main(["-q", "extract", reports, "-o", str(out)]) == EXIT_OK
        old = _snapshot(out)
        for leave in (0, 100, 300, 450):
            _fill(disk, leave)
            extract("--full", "--types", "drug_trafficking")
            hit = _snapshot(out)
            (disk / "filler").unlink()
            code, err = extract("--full", "--types", "drug_trafficking")
            assert code == EXIT_OK, (leave, err)
            new = _snapshot(out)
            for name, digest in hit.items():
                assert digest in (old.get(name), new.get(name)), (leave, name)
            assert not [p for p in out.rglob("*") if ".geomap-tmp" in p.name]
            assert main(["-q", "extract", reports, "-o", str(out), "--full"]) == EXIT_OK  # back to the old tables
            assert _snapshot(out) == old
    finally:
        _umount(disk)
