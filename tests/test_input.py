"""Reading untrusted input within bounds (geomap/_input.py), and the folder walk that finds it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import yaml

from geomap._input import (
    Unreadable,
    clean_text,
    compose_yaml,
    display_path,
    load_json,
    load_yaml,
    read_limited,
    read_lines,
)
from geomap.records import Skipped
from geomap.text.articles import read_articles
from geomap.text.files import glob_paths

LAUGHS = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"


def test_yaml_aliases_are_refused_with_their_line() -> None:
    for read in (load_yaml, compose_yaml):
        with pytest.raises(yaml.YAMLError) as caught:
            read(LAUGHS)
        assert "aliases are not allowed" in str(caught.value)
        assert caught.value.problem_mark.line == 1  # the first alias, on the second line
    assert load_yaml("title: plain\ndate: 2024-03-01\n")["title"] == "plain"
    assert compose_yaml("- action: drop\n").value[0].start_mark.line == 0


def test_yaml_nested_too_deeply_is_refused_before_it_is_built() -> None:
    for read in (load_yaml, compose_yaml):
        assert read("a: " + "[" * 63 + "]" * 63 + "\n") is not None  # 64 levels with the mapping
        with pytest.raises(yaml.YAMLError, match="nested deeper than 64 levels") as caught:
            read("a:\n  b: " + "[" * 100 + "]" * 100 + "\n")
        assert caught.value.problem_mark.line == 1
        with pytest.raises(yaml.YAMLError, match="nested deeper than 64 levels"):
            read("a:\n  b: " + "[" * 100_000 + "]" * 100_000 + "\n")  # past Python's recursion limit (and libyaml's)


def test_yaml_values_python_cannot_hold_are_a_yaml_error() -> None:
    with pytest.raises(yaml.YAMLError, match="more digits than Python converts"):
        load_yaml("n: " + "9" * 5000 + "\n")


def test_json_depth_and_huge_numbers_are_refused() -> None:
    assert load_json('{"a": [[1]]}') == {"a": [[1]]}
    with pytest.raises(Unreadable, match="nested deeper than 64 levels"):
        load_json("[" * 65 + "]" * 65)
    with pytest.raises(Unreadable, match="nested deeper than 64 levels"):
        load_json("[" * 100_000 + "]" * 100_000)  # past Python's recursion limit too
    with pytest.raises(Unreadable, match="more digits than Python converts"):
        load_json("9" * 5000)
    with pytest.raises(Unreadable, match=r"malformed JSON \(Expecting value, column 7\)"):
        load_json('{"a": }')


def test_lone_surrogates_are_replaced_and_counted() -> None:
    assert clean_text("plain") == ("plain", 0)
    assert clean_text("a\ud800b\udfff") == ("a\ufffdb\ufffd", 2)
    clean_text("a\ud800b")[0].encode("utf-8")  # a writer can write it


def test_file_names_are_shown_on_one_line_with_bad_bytes_escaped() -> None:
    assert display_path("reports/a.txt") == "reports/a.txt"
    assert display_path("evil\ngeomap: error: x") == "evil\\ngeomap: error: x"
    assert display_path(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert display_path(b"caf\xe9.txt") == "caf\\xe9.txt"
    assert display_path("Lạng Sơn.txt") == "Lạng Sơn.txt"  # text is not escaped


def test_read_limited_checks_the_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(1 << 30)
    with pytest.raises(Unreadable, match=r"too large: 1 GiB \(the limit is 64 MiB\)"):
        read_limited(big)
    small = tmp_path / "small.txt"
    small.write_bytes(b"abc")
    assert read_limited(small, 3) == b"abc"
    with pytest.raises(Unreadable, match="too large: 3 bytes"):
        read_limited(small, 2)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, lambda: read_limited(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert isinstance(outcome[0], Unreadable) and "a FIFO" in str(outcome[0])
    with pytest.raises(Unreadable, match="a character device"):
        read_limited("/dev/zero")


def _catch(into: list[BaseException], call) -> None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        into.append(exc)


def test_read_lines_passes_over_a_long_line_in_bounded_pieces(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"short\n" + b"x" * 100 + b"\nlast")
    with open(path, "rb") as fh:
        assert list(read_lines(fh, 10)) == [(1, b"short\n"), (2, None), (3, b"last")]
    with open(path, "rb") as fh:
        assert [n for n, line in read_lines(fh, 101) if line is not None] == [1, 2, 3]


@pytest.fixture
def looped(tmp_path: Path) -> Path:
    """Two link loops, a second link to a report, a FIFO and a dangling link among reports."""
    top = tmp_path / "reports"
    sub = top / "sub"
    sub.mkdir(parents=True)
    (top / "a.txt").write_text("Guards met in Lang Son.\n", encoding="utf-8")
    (sub / "b.txt").write_text("Police met in Mong Cai.\n", encoding="utf-8")
    os.symlink(".", top / "again")
    os.symlink("..", sub / "up")
    os.symlink("../a.txt", sub / "a-twice.txt")
    os.symlink("missing.txt", top / "dangling.txt")
    if hasattr(os, "mkfifo"):
        os.mkfifo(top / "pipe.md")
    return top


def test_the_walk_visits_each_folder_and_file_once_and_tells_what_it_skips(looped: Path) -> None:
    skipped: list[Skipped] = []
    articles = list(read_articles(looped, skipped=skipped))
    assert sorted(a.id for a in articles) == ["a", "b"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["dangling.txt"].startswith("cannot read:")
    if hasattr(os, "mkfifo"):
        assert reasons["pipe.md"] == "not a regular file: a FIFO (named pipe)"


def test_a_glob_with_two_stars_ends_in_spite_of_link_loops(looped: Path) -> None:
    found = glob_paths(str(looped / "**" / "*.txt"))
    names = sorted(Path(p).name for p in found)
    # each folder is entered once: a.txt is listed once more only as the link that names it
    assert names == ["a-twice.txt", "a.txt", "b.txt", "dangling.txt"]
    assert glob_paths(str(looped / "**" / "b.txt")) == [str(looped / "sub" / "b.txt")]
    assert glob_paths(str(looped / "*.txt")) == sorted(str(looped / n) for n in ("a.txt", "dangling.txt"))
    articles = list(read_articles(str(looped / "**" / "*.txt"), skipped=[]))
    assert sorted(a.id for a in articles) == ["a", "b"]  # the link to a.txt is the same file: read once
