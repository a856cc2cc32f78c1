"""Incremental runs of ``geomap extract``: what an earlier run extracted is kept, and only trusted when it is ours."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from geomap._cache import CACHE_DIR
from geomap.cli import main
from geomap.extract import TABLES
from geomap.text.articles import read_articles
from geomap.jobs import extract_tables

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
N_SAMPLES = sum(1 for _ in read_articles([SAMPLES / "reports"]))  # articles in the bundled sample

# New reports, in our own words, as a day's feed would bring them.
NEW_REPORTS = {
    "2025-03-04_mong-cai.txt": (
        "Mong Cai: nine held at the river crossing\n2025-03-04\n\n"
        "Border guards in Mong Cai stopped nine people on March 3 as they tried to wade across to Dongxing at night."
    ),
    "2025-03-05_lao-cai.md": (
        "# Heroin found in a truck at Lao Cai\n\nPublished 2025-03-05\n\n"
        "Customs officers at the Lao Cai international gate found 6 kg of heroin hidden under crates of fruit on March 4."
    ),
    "2025-03-06_tay-ninh.txt": (
        "Tay Ninh returns workers from Cambodia\n2025-03-06\n\n"
        "Tay Ninh province received 31 citizens sent back from Cambodia through the Moc Bai gate on March 5."
    ),
}


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A copy of the sample reports, to add to and change."""
    folder = tmp_path / "reports"
    shutil.copytree(SAMPLES / "reports", folder)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {f"{name}.csv": (folder / f"{name}.csv").read_bytes() for name in TABLES}


def _add_new(folder: Path) -> None:
    for name, text in NEW_REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_a_second_run_extracts_only_the_new_reports_and_writes_the_full_runs_tables(corpus, tmp_path) -> None:
    out = tmp_path / "tables"
    first = extract_tables([corpus], out)
    assert first.cached == 0 and first.articles == N_SAMPLES
    _add_new(corpus)
    second = extract_tables([corpus], out)
    assert (second.articles, second.cached) == (N_SAMPLES + len(NEW_REPORTS), N_SAMPLES)  # three extracted, the rest kept
    full = extract_tables([corpus], tmp_path / "full")
    assert full.cached == 0
    assert _files(out) == _files(tmp_path / "full")  # byte for byte
    # a third run over the same reports extracts nothing
    assert extract_tables([corpus], out).cached == second.articles


def test_full_extracts_everything_again(corpus, tmp_path, capsys) -> None:
    out = tmp_path / "tables"
    assert main(["extract", str(corpus), "-o", str(out)]) == 0
    assert main(["extract", str(corpus), "-o", str(out)]) == 0
    assert f"0 extracted, {N_SAMPLES} kept from earlier runs" in capsys.readouterr().out
    assert main(["extract", str(corpus), "-o", str(out), "--full"]) == 0
    assert "kept from earlier runs" not in capsys.readouterr().out


def test_an_edited_report_is_extracted_again(corpus, tmp_path) -> None:
    out = tmp_path / "tables"
    extract_tables([corpus], out)
    report = sorted(corpus.glob("*.txt"))[0]
    report.write_text(report.read_text(encoding="utf-8") + "\nGuards in Lang Son later stopped 4 more people.\n", encoding="utf-8")
    again = extract_tables([corpus], out)
    assert again.cached == N_SAMPLES - 1
    extract_tables([corpus], tmp_path / "full")
    assert _files(out) == _files(tmp_path / "full")


def test_a_changed_gazetteer_or_filter_invalidates_the_cache(corpus, tmp_path) -> None:
    from geomap.gazetteer import Gazetteer, load_gazetteer

    out = tmp_path / "tables"
    gazetteer = load_gazetteer()
    extract_tables([corpus], out, gazetteer=gazetteer)
    assert extract_tables([corpus], out, gazetteer=gazetteer).cached == N_SAMPLES
    # one alias less: every article may have named it, so none is trusted
    aliases = [a for p in gazetteer for a in gazetteer.aliases_of(p.id)]
    smaller = Gazetteer(list(gazetteer), aliases[1:])
    assert extract_tables([corpus], out, gazetteer=smaller).cached == 0
    assert extract_tables([corpus], out, gazetteer=gazetteer, types=["drug_trafficking"]).cached == 0
    # only the current version's entries are kept on disk
    assert len([p for p in (out / CACHE_DIR).iterdir() if p.is_dir()]) == 1


def test_a_mention_correction_re_extracts_only_its_article(corpus, tmp_path) -> None:
    from geomap.extract import read_tables

    out = tmp_path / "tables"
    extract_tables([corpus], out)
    mentions = read_tables(out).mentions
    first = mentions.iloc[0]
    corrections = tmp_path / "corrections.yaml"
    corrections.write_text(
        f"- {{action: drop_mention, article: '{first['article_id']}', text: '{first['text']}'}}\n", encoding="utf-8"
    )
    again = extract_tables([corpus], out, corrections=corrections)
    assert again.cached == N_SAMPLES - 1
    extract_tables([corpus], tmp_path / "full", corrections=corrections, full=True)
    assert _files(out) == _files(tmp_path / "full")


def test_corrupt_or_foreign_entries_are_ignored_with_a_warning(corpus, tmp_path, caplog) -> None:
    out = tmp_path / "tables"
    extract_tables([corpus], out)
    expected = _files(out)
    entries = sorted((out / CACHE_DIR).glob("*/*/*.json"))
    stretches = [p for p in entries if b'"geomap-extract-stretch/' in p.read_bytes().partition(b"\n")[0]]
    for stretch in stretches:  # kept stretches of the tables would spare the run reading the articles' entries
        stretch.unlink()
    entries = sorted(set(entries) - set(stretches))
    assert len(entries) == N_SAMPLES
    entries[0].write_bytes(entries[0].read_bytes()[:-40])  # torn
    entries[1].write_bytes(entries[2].read_bytes())  # another article's entry, under this one's name
    head, _, body = entries[3].read_bytes().partition(b"\n")
    entries[3].write_bytes(head + b"\n" + body.replace(b'"', b"'", 1))  # a changed byte
    entries[4].write_bytes(b"\x80\x00 not ours at all")
    with caplog.at_level(logging.WARNING, logger="geomap"):
        again = extract_tables([corpus], out)
    warned = [r.getMessage() for r in caplog.records if "ignoring cache entry" in r.getMessage()]
    assert len(warned) == 4
    assert any("another article" in w for w in warned) and any("checksum" in w for w in warned)
    assert again.cached == N_SAMPLES - 4  # the four entries spoiled above are extracted again
    assert _files(out) == expected
    # the entries were written again: a third run trusts all of them
    assert extract_tables([corpus], out).cached == N_SAMPLES


def test_worker_processes_use_the_cache_too(corpus, tmp_path) -> None:
    out = tmp_path / "tables"
    extract_tables([corpus], out)
    _add_new(corpus)
    again = extract_tables([corpus], out, jobs=2)
    assert again.cached == N_SAMPLES
    extract_tables([corpus], tmp_path / "full", full=True)
    assert _files(out) == _files(tmp_path / "full")


@pytest.mark.parametrize("jobs", [1, 2])
def test_corrections_that_matched_are_told_the_same_from_the_cache(corpus, tmp_path, jobs) -> None:
    """A run from the cache lists the same unmatched corrections as the run that extracted, items added or not."""
    from geomap.extract import read_tables

    out = tmp_path / "tables"
    extract_tables([corpus], out)
    mentions = read_tables(out).mentions
    first, other = mentions.iloc[0], mentions[mentions["article_id"] != mentions.iloc[0]["article_id"]].iloc[0]
    corrections = tmp_path / "corrections.yaml"
    items = [
        f"- {{action: drop_mention, article: '{first['article_id']}', text: '{first['text']}'}}\n",
        f"- {{action: drop_mention, article: '{first['article_id']}', text: 'Atlantis'}}\n",
    ]
    corrections.write_text("".join(items), encoding="utf-8")
    made = extract_tables([corpus], out, corrections=corrections, jobs=jobs)
    kept = extract_tables([corpus], out, corrections=corrections, jobs=jobs)
    assert made.cached == N_SAMPLES - 1 and kept.cached == N_SAMPLES
    assert (made.corrections, made.unmatched) == (kept.corrections, kept.unmatched) == (
        1, (f"{corrections}:2: drop_mention 'Atlantis' in article '{first['article_id']}': matched nothing",)
    )
    # an item for another article, put first, moves the others' places in the file: still told right
    corrections.write_text(
        f"- {{action: drop_mention, article: '{other['article_id']}', text: '{other['text']}'}}\n" + "".join(items),
        encoding="utf-8",
    )
    again = extract_tables([corpus], out, corrections=corrections, jobs=jobs)
    assert again.cached == N_SAMPLES - 1  # only the other article is extracted again
    assert (again.corrections, again.unmatched) == (
        2, (f"{corrections}:3: drop_mention 'Atlantis' in article '{first['article_id']}': matched nothing",)
    )


@pytest.fixture()
def short_stretches(monkeypatch):
    import geomap._increment as increment

    monkeypatch.setattr(increment, "STRETCH", 4)  # the sample: several stretches, not one


def test_unchanged_files_are_not_read_again_and_kept_stretches_not_rebuilt(corpus, tmp_path, short_stretches, monkeypatch) -> None:
    import geomap._increment as increment
    from geomap._cache import ArticleCache

    out = tmp_path / "tables"
    extract_tables([corpus], out)
    _add_new(corpus)
    read, entries = [], []
    read_file, get = increment._read_file, ArticleCache.get
    monkeypatch.setattr(increment, "_read_file", lambda path, *a, **k: read.append(path.name) or read_file(path, *a, **k))
    monkeypatch.setattr(ArticleCache, "get", lambda self, key: entries.append(key) or get(self, key))
    second = extract_tables([corpus], out)
    assert sorted(read) == sorted(NEW_REPORTS)  # only the new files are read
    assert second.cached == N_SAMPLES and second.articles == N_SAMPLES + len(NEW_REPORTS)
    assert len(entries) < N_SAMPLES  # the articles of the stretches kept whole are not even looked up
    monkeypatch.undo()
    extract_tables([corpus], tmp_path / "full", full=True)
    assert _files(out) == _files(tmp_path / "full")


def test_skipped_inputs_and_ids_made_unique_are_told_as_in_a_full_run(corpus, tmp_path, short_stretches) -> None:
    import json

    (corpus / "feed.jsonl").write_text(
        json.dumps({"id": "w1", "text": "Police in Lao Cai seized 3 kg of heroin on May 2."}) + "\n{not json\n"
        + json.dumps({"id": "w1", "text": "Guards in Mong Cai stopped 5 people on May 3."}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "tables"
    first = extract_tables([corpus], out)
    # a new file read first that gives an id the feed gives too: the feed's ids change, so it is read again
    (corpus / "00_wire.jsonl").write_text(
        json.dumps({"id": "w1", "text": "Lang Son customs held 2 trucks of frozen meat on May 1."}) + "\n", encoding="utf-8"
    )
    second = extract_tables([corpus], out)
    full = extract_tables([corpus], tmp_path / "full", full=True)
    assert [str(s) for s in first.skipped] == [str(s).replace("/full/", "/tables/") for s in full.skipped]
    assert second.skipped == full.skipped and len(full.skipped) == 2
    assert second.articles == full.articles and second.cached == first.articles - 2  # the feed's two articles have new ids
    assert _files(out) == _files(tmp_path / "full")
    assert {"w1", "w1~2", "w1~3"} <= set(read_tables_ids(out))
    assert extract_tables([corpus], out).skipped == full.skipped  # told again from the index


def read_tables_ids(folder: Path) -> list[str]:
    from geomap.extract import read_tables

    return list(read_tables(folder).articles["article_id"])


def test_an_article_of_an_unchanged_file_is_read_again_when_its_entry_is_gone(corpus, tmp_path, short_stretches) -> None:
    out = tmp_path / "tables"
    extract_tables([corpus], out)
    expected = _files(out)
    for entry in (out / CACHE_DIR).glob("*/*/*.json"):  # every entry, the index of the inputs kept
        entry.unlink()
    assert (out / CACHE_DIR / "inputs.json").is_file()
    again = extract_tables([corpus], out)
    assert again.cached == 0 and _files(out) == expected


def test_a_spoiled_stretch_or_index_is_ignored_with_a_warning(corpus, tmp_path, short_stretches, caplog) -> None:
    out = tmp_path / "tables"
    extract_tables([corpus], out)
    expected = _files(out)
    entries = sorted((out / CACHE_DIR).glob("*/*/*.json"))
    stretches = [p for p in entries if b'"geomap-extract-stretch/' in p.read_bytes().partition(b"\n")[0]]
    assert len(stretches) > 1
    head, _, body = stretches[0].read_bytes().partition(b"\n")
    stretches[0].write_bytes(head + b"\n" + body.replace(b"a", b"b", 1))
    (out / CACHE_DIR / "inputs.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geomap"):
        again = extract_tables([corpus], out)
    warned = [r.getMessage() for r in caplog.records]
    assert any("checksum" in w for w in warned) and any("inputs.json" in w for w in warned)
    assert again.cached == N_SAMPLES and _files(out) == expected
