"""A corpus of hostile inputs, generated (never committed): one folder a class of trouble.

Each case is a folder holding the same two good reports and one kind of bad
input.  Run ``python tests/_hostile_inputs.py DIR`` to write every case under DIR
and try geomap on them by hand; ``tests/test_hostile.py`` runs each in a
subprocess with a time limit and a memory figure.

The good reports are written here in our own words.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GOOD = {
    "lang-son-crossing.txt": (
        "Guards turn back migrants at Lang Son gate\n\n"
        "Published: 2024-03-05\n\n"
        "Border guards in Lạng Sơn province said on March 2 that they had stopped 14 people trying to\n"
        "cross into China illegally near the Hữu Nghị border gate.\n"
    ),
    "mong-cai-seizure.md": (
        "---\ntitle: Customs seize smuggled sugar in Mong Cai\ndate: 2024-04-11\nsource: Border Desk\n---\n\n"
        "Customs officers in Móng Cái seized 20 tonnes of sugar smuggled across the border from Dongxing on April 9.\n"
    ),
}
#: The ids the good reports get: each must be in every case's output.
GOOD_IDS = ("lang-son-crossing", "mong-cai-seizure")

TABLE_HEADER = "place,type,count,unit,date,source\n"
TABLE_ROW = "Lang Son,drug_trafficking,12,kg,2024-05-02,analyst\n"


@dataclass(frozen=True)
class Case:
    """One class of hostile input: how to make it, and what geomap must say about it."""

    name: str
    build: Callable[[Path], None]
    #: Words of the one line that names the bad input (in the summary or a warning).
    says: str
    #: The file name that line names (escaped as geomap shows it).
    names: str
    #: The exit status: 1 when an input is skipped, 0 when it is read with a warning.
    status: int = 1
    #: Extra ids (analysts' table rows, reports read despite a warning) that must be in the output.
    also: tuple[str, ...] = ()
    #: Whether the case needs the good reports beside it (False: a folder of tables only).
    with_good: bool = True


def _write(path: Path, text: str | bytes) -> None:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _jsonl(name: str, line: str) -> Callable[[Path], None]:
    return lambda folder: _write(folder / name, line + "\n")


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]")
    return "---\ntitle: laughs\n" + "\n".join(lines) + "\n---\n\nBorder guards met in Lang Son.\n"


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)  # a hole: costs no disk, reads as zeros


def _symlink_loops(folder: Path) -> None:
    sub = folder / "sub"
    sub.mkdir()
    os.symlink(".", folder / "loop-self")
    os.symlink("..", sub / "loop-up")
    os.symlink(os.path.join("..", "lang-son-crossing.txt"), sub / "same-report.txt")


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.txt")


def _bad_names(folder: Path) -> None:
    raw = os.fsencode(folder) + b"/caf\xe9-report.txt"  # Latin-1, not UTF-8
    with open(raw, "wb") as fh:
        fh.write(GOOD["lang-son-crossing.txt"].replace("14 people", "9 people").encode("utf-8"))
    _write(folder / "evil\ngeomap: error: forged.txt", "")


def _wide_field(folder: Path) -> None:
    wide = '"' + "x" * 200_000 + '"'
    _write(folder / "wide.csv", TABLE_HEADER + f"Lang Son,drug_trafficking,3,kg,2024-05-01,{wide}\n" + TABLE_ROW)


def _multiline_table(folder: Path) -> None:
    _write(
        folder / "notes.csv",
        TABLE_HEADER
        + 'Lang Son,drug_trafficking,4,kg,2024-05-01,"analyst\nsecond line\nthird line"\n'  # lines 2-4
        + "Lang Son,no_such_type,4,kg,2024-05-01,analyst\n",  # line 5
    )


def _huge_table(folder: Path) -> None:
    path = folder / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(TABLE_HEADER.encode() + TABLE_ROW.encode())
        fh.truncate(1 << 30)  # then a gigabyte of zeros on one line


def _tables_only(folder: Path) -> None:
    _write(folder / "incidents.csv", TABLE_HEADER + TABLE_ROW)


def _unreadable(folder: Path) -> None:
    locked = folder / "locked"
    locked.mkdir()
    _write(locked / "inside.txt", GOOD["lang-son-crossing.txt"])
    locked.chmod(0)


#: The size of the one-line report: 4 MiB keeps the test near half a minute of CPU
#: (``benchmarks/bench_long_line.py`` runs 1 to 50 MB and prints the time per MB).
LONG_LINE_BYTES = 4 << 20


def _long_line(folder: Path) -> None:
    """One line of 4 MiB with no line end: prose, one endless sentence, and dates, a third each."""
    third = LONG_LINE_BYTES // 3
    parts = (
        "Border guards in Lang Son said on March 2 that they had stopped 14 people trying to cross into China "
        "near the Huu Nghi gate. Customs officers in Mong Cai seized 20 tonnes of sugar on April 9. ",
        "police in Lao Cai seized 5 kg of heroin on 3 March 2024 and arrested 12 people near Ha Khau and ",
        "2024-03-01 3 March 2024 March 2024 from May to June ",
    )
    line = "".join((unit * (third // len(unit) + 1))[:third] for unit in parts)
    _write(folder / "long-line.txt", line)


_TEXT = "Border guards in Lạng Sơn stopped 3 people at the Hữu Nghị gate on May 1."

CASES: tuple[Case, ...] = (
    Case("jsonl-date-inf", _jsonl("inf.jsonl", json.dumps({"id": "inf", "text": _TEXT, "date": 1e999})),
         "not a date: inf", "inf.jsonl", status=0, also=("inf",)),
    Case("jsonl-date-nan", _jsonl("nan.jsonl", '{"id": "nan", "text": "%s", "date": NaN}' % _TEXT),
         "not a date: nan", "nan.jsonl", status=0, also=("nan",)),
    Case("jsonl-date-huge", _jsonl("huge-int.jsonl", '{"id": "h", "text": "%s", "date": %s}' % (_TEXT, "9" * 5000)),
         "malformed JSON", "huge-int.jsonl"),
    Case("front-matter-date-inf", lambda f: _write(f / "inf.md", f"---\ndate: .inf\n---\n\n{_TEXT}\n"),
         "not a date: inf", "inf.md", status=0, also=("inf",)),
    Case("front-matter-date-huge", lambda f: _write(f / "big.md", f"---\ndate: {'7' * 5000}\n---\n\n{_TEXT}\n"),
         "malformed front matter: a number with more digits than Python converts", "big.md"),
    Case("json-deep", lambda f: _write(f / "deep.json", _nested(200_000)), "JSON nested deeper than", "deep.json"),
    Case("jsonl-deep", _jsonl("deep.jsonl", '{"text": "x", "extra": %s}' % _nested(100_000)),
         "JSON nested deeper than", "deep.jsonl:1"),
    Case("lone-surrogate", _jsonl("surrogate.jsonl", '{"id": "sur", "title": "bad \\udc80", "text": "%s \\ud800"}' % _TEXT),
         "lone surrogates", "surrogate.jsonl:1", status=0, also=("sur",)),
    Case("yaml-billion-laughs", lambda f: _write(f / "laughs.md", _billion_laughs()),
         "aliases are not allowed", "laughs.md"),
    Case("yaml-deep", lambda f: _write(f / "deepyaml.md", f"---\nx: {_nested(20_000)}\n---\n\n{_TEXT}\n"),
         "malformed front matter", "deepyaml.md"),
    Case("front-matter-too-long", lambda f: _write(f / "long.md", "---\nnote: " + "y" * 100_000 + "\n---\n\ntext\n"),
         "front matter longer than", "long.md"),
    Case("link-to-dev-zero", lambda f: os.symlink("/dev/zero", f / "zero.txt"), "not a regular file: a character device", "zero.txt"),
    Case("fifo", _fifo, "not a regular file: a FIFO", "pipe.txt"),
    Case("empty-gigabyte", lambda f: _sparse(f / "big.txt", 1 << 30), "too large: 1 GiB", "big.txt"),
    Case("symlink-loops", _symlink_loops, "", "", status=0),
    Case("names", _bad_names, "empty file", "evil\\ngeomap: error: forged.txt", also=("caf\\xe9-report",)),
    Case("unreadable-folder", _unreadable, "cannot read the folder", "locked"),
    Case("table-wide-field", _wide_field, "a field longer than 131,072 characters", "wide.csv:2", also=("wide:3",)),
    Case("table-multiline", _multiline_table, "unknown incident type", "notes.csv:5", also=("notes:2",)),
    Case("table-gigabyte", _huge_table, "line longer than 1 MiB", "huge.csv:3", also=("huge:2",)),
    Case("long-line", _long_line, "", "", status=0, also=("long-line",)),
    Case("tables-only", _tables_only, "", "", status=0, also=("incidents:2",), with_good=False),
)


def build(case: Case, folder: Path) -> Path:
    """Write ``case`` into a new folder ``folder`` (the good reports too); return it."""
    folder.mkdir(parents=True)
    if case.with_good:
        for name, text in GOOD.items():
            _write(folder / name, text)
    case.build(folder)
    return folder


def unlock(folder: Path) -> None:
    """Give back the permissions a case took away, so the folder can be removed."""
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IRWXU)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python tests/_hostile_inputs.py DIR\n")
        return 2
    top = Path(argv[0])
    for case in CASES:
        build(case, top / case.name)
    print(f"{len(CASES)} cases written under {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
