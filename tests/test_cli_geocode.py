"""The ``geomap geocode`` and ``geomap gazetteer`` commands, in process and as ``python -m geomap``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from _gazetteer import BROKEN, SMALL

from geomap import __version__
from geomap.cli import COMMANDS, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_geocode_prints_the_place_and_the_other_candidates(capsys):
    code, out, err = run(capsys, "geocode", "Lang Son city", "--path", str(SMALL))
    assert code == 0 and err == ""
    first, second = out.splitlines()
    assert first.startswith("Lang Son city: vn.city.lang-son  Lạng Sơn (city, VN)  21.85370, 106.76150  score ")
    assert "AMBIGUOUS" not in first
    assert second.startswith("    or vn.province.lang-son")


def test_geocode_flags_ambiguity_and_not_found(capsys):
    code, out, _ = run(capsys, "geocode", "Pingxiang", "Atlantis", "--path", str(SMALL))
    assert code == 1  # done, but a name was not found
    lines = out.splitlines()
    assert "AMBIGUOUS" in lines[0]
    assert lines[2] == "Atlantis: not found in the gazetteer"
    code, out, _ = run(capsys, "geocode", "Pingxiang", "--country", "VN", "--path", str(SMALL))
    assert code == 0 and out.startswith("Pingxiang: cn.district.pingxiang") and "AMBIGUOUS" not in out


def test_geocode_json_is_one_object_a_line(capsys):
    code, out, _ = run(
        capsys, "geocode", "Hà Giang", "Tuyên Quang", "Nowhere", "--date", "2019-05-10", "--json", "--path", str(SMALL)
    )
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in records] == ["Hà Giang", "Tuyên Quang", "Nowhere"]
    assert records[0]["place"]["id"] == "vn.province.ha-giang-pre2025"
    assert records[0]["place"]["valid_to"] == "2025-07-01"
    assert records[1]["place"]["id"] == "vn.province.tuyen-quang-pre2025"
    assert records[1]["others"][0]["id"] == "vn.province.tuyen-quang"
    assert records[2] == {"query": "Nowhere", "found": False, "ambiguous": False, "place": None, "others": []}
    place = records[0]["place"]
    assert {"id", "name", "kind", "country", "lat", "lon", "score", "method"} <= set(place)


def test_geocode_quiet_and_verbose(capsys):
    code, out, _ = run(capsys, "-q", "geocode", "Langson", "Atlantis", "--path", str(SMALL))
    assert code == 1 and out == "Langson\tvn.province.lang-son\nAtlantis\t\n"
    _, out, _ = run(capsys, "geocode", "-v", "Youyi port", "--path", str(SMALL))
    assert "matched 'Youyi Guan'; in Pingxiang > Chongzuo > Guangxi Zhuang Autonomous Region > China; source ref:fixture" in out


def test_geocode_limit(capsys):
    _, out, _ = run(capsys, "geocode", "Pingxiang", "--limit", "1", "--json", "--path", str(SMALL))
    record = json.loads(out)
    assert record["ambiguous"] and record["others"] == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["geocode", "X", "--date", "2019-13-01"], "--date is not a date"),
        (["geocode", "X", "--country", "ZZ"], "country is not an ISO 3166-1 alpha-2 code: 'ZZ'"),
        (["geocode", "X", "--path", "/nonexistent/gaz"], "/nonexistent/gaz: gazetteer folder does not exist"),
        (["geocode", "X", "--path", str(BROKEN)], "places.csv:4: id: duplicate id"),
        (["gazetteer", "search", "X", "--path", "/nonexistent/gaz"], "gazetteer folder does not exist"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("geomap: error: ") and words in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    assert main(["geocode", "X", "--limit", "0"]) == 2
    assert main(["no-such-command"]) == 2
    assert main([]) == 2
    assert main(["gazetteer"]) == 2
    capsys.readouterr()


def test_gazetteer_check_lists_every_problem(capsys):
    code, out, _ = run(capsys, "gazetteer", "check", "--path", str(BROKEN))
    assert code == 2
    lines = out.splitlines()
    assert lines[-1] == "22 error(s), 0 warning(s)"
    assert any(line.endswith("places.csv:4: id: duplicate id (first on line 3): 'vn.province.lang-son'") for line in lines)
    assert any("aliases.csv:4: lang: unknown language" in line for line in lines)
    assert len(lines) == 23


def test_gazetteer_check_passes_with_warnings(capsys):
    code, out, _ = run(capsys, "gazetteer", "check", "--path", str(SMALL))
    assert code == 0
    assert out.splitlines()[-1] == "0 error(s), 7 warning(s)"
    assert "name shared by 2 places, cn.district.pingxiang, cn.prefecture.pingxiang-jiangxi" in out
    code, quiet, _ = run(capsys, "-q", "gazetteer", "check", "--path", str(SMALL))
    assert code == 0 and quiet == "0 error(s), 7 warning(s)\n"
    _, fewer, _ = run(capsys, "gazetteer", "check", "--no-ambiguities", "--path", str(SMALL))
    assert fewer.splitlines()[-1] == "0 error(s), 1 warning(s)"


def test_gazetteer_search_shows_ids_parents_and_aliases(capsys):
    code, out, _ = run(capsys, "gazetteer", "search", "lang son", "--path", str(SMALL))
    assert code == 0
    assert "vn.province.lang-son  Lạng Sơn (province, VN)" in out
    assert "parents: vn.province.lang-son > vn.country.vn" in out  # the city's
    assert "aliases: Lang Son [ascii/official]; Langson [fr/historical]; 谅山省 [zh/official]" in out
    code, out, _ = run(capsys, "gazetteer", "search", "Atlantis", "--path", str(SMALL))
    assert code == 1 and "no place matches" in out


def test_commands_registry():
    assert {"geocode", "gazetteer check", "gazetteer search"} <= set(COMMANDS)


def _module(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geomap", *argv], capture_output=True, text=True, check=False, timeout=120
    )


def test_python_m_geomap_end_to_end():
    done = _module("geocode", "Lạng Sơn", "Youyi Guan", "--json", "--path", str(SMALL))
    assert done.returncode == 0, done.stderr
    ids = [json.loads(line)["place"]["id"] for line in done.stdout.splitlines()]
    assert ids == ["vn.province.lang-son", "cn.border_gate.youyi-guan"]
    version = _module("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"geomap {__version__}"
    bad = _module("geocode", "X", "--date", "someday", "--path", str(SMALL))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["geomap: error: --date is not a date of the form YYYY-MM-DD: 'someday'"]
    broken = _module("gazetteer", "check", "--path", str(BROKEN))
    assert broken.returncode == 2 and "22 error(s)" in broken.stdout


def test_bundled_gazetteer_from_the_command_line():
    done = _module("geocode", "Lạng Sơn province", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["place"]["id"] == "vn.province.lang-son"
    check = _module("gazetteer", "check", "-q")
    assert check.returncode == 0, check.stdout
