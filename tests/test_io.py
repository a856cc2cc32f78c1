"""Atomic writes: a failed write leaves the previous file intact and no debris."""

from __future__ import annotations

import pytest

from geomap._io import atomic_path, atomic_write, write_text


def test_write_text_replaces_content(tmp_path):
    target = tmp_path / "sub" / "map.html"
    write_text(target, "first")
    write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["map.html"]


def test_crash_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "incidents.geojson"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write('{"type": "FeatureCollection", "features": [')
        raise RuntimeError("writer died")
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["incidents.geojson"]


def test_atomic_path_for_writers_that_want_a_file_name(tmp_path):
    target = tmp_path / "layers.gpkg"
    with atomic_path(target) as tmp:
        assert not tmp.exists()
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"data")
        assert not target.exists()
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["layers.gpkg"]


def test_output_dir_overwrites_only_what_geomap_wrote_unchanged(tmp_path):
    from geomap._errors import InputError
    from geomap._io import OutputDir

    out = OutputDir(tmp_path)
    out.check("map.html", "notes.csv")  # nothing there yet
    write_text(tmp_path / "map.html", "v1")
    out.record("map.html")
    OutputDir(tmp_path).check("map.html")  # ours, unchanged: may be replaced

    (tmp_path / "notes.csv").write_text("an analyst's own file", encoding="utf-8")
    with pytest.raises(InputError, match="notes.csv: refusing to overwrite: the file was not written by geomap"):
        OutputDir(tmp_path).check("notes.csv")

    (tmp_path / "map.html").write_text("edited by hand", encoding="utf-8")
    with pytest.raises(InputError, match="map.html: refusing to overwrite: the file was edited since geomap wrote it"):
        OutputDir(tmp_path).check("map.html")
