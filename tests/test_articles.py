"""Reading articles: every format, encodings, bad input as Skipped, streaming, offsets."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import unicodedata
import warnings
from pathlib import Path

import pytest

from geomap._errors import InputError, InputNotFoundError
from geomap.records import Article, Skipped
from geomap.text.articles import DetectedEncodingWarning, parse_text, read_article, read_articles
from geomap.text.counts import find_counts
from geomap.text.dates import find_dates

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def read_all(paths, **kwargs) -> tuple[list[Article], list[Skipped]]:
    skipped: list[Skipped] = []
    articles = list(read_articles(paths, skipped=skipped, **kwargs))
    return articles, skipped


# -- formats -----------------------------------------------------------------------------


def test_plain_text_title_date_and_body():
    a = read_article(FIXTURES / "river_patrols.txt")
    assert a.id == "river_patrols"
    assert a.format == "text"
    assert a.title == "Border guards step up river patrols in Ha Giang"
    assert (a.date.start, a.date.precision) == (dt.date(2024, 3, 9), "day")
    assert a.text[a.date.begin : a.date.stop] == a.date.text
    assert "12 joint patrols" in a.text
    assert a.path.endswith("river_patrols.txt") and a.encoding == "utf-8"


def test_title_is_only_taken_when_it_looks_like_a_headline(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text("Police in Lao Cai stopped 9 people at dawn on the river bank.\nMore text.\n", encoding="utf-8")
    assert read_article(p).title == ""


def test_line_ends_are_unified(tmp_path):
    a = read_article(FIXTURES / "crlf_log.txt")
    assert "\r" not in a.text
    assert a.text.split("\n")[:3] == ["Ha Giang patrols log", "", "Officers counted 7 boats on the river"]


def test_markdown_with_front_matter():
    a = read_article(FIXTURES / "gate_talks.md")
    assert a.format == "markdown"
    assert a.title == "Provinces agree to share crossing data at the gate"
    assert (a.date.start, a.date.precision) == (dt.date(2023, 11, 21), "day")
    assert (a.source, a.url) == ("Frontier Wire", "https://example.org/news/gate-talks")
    assert "---" not in a.text and "title:" not in a.text
    # markup reduced to words: no emphasis, link targets, image or list markers
    assert "Officials from Lang Son and Guangxi met" in a.text
    assert "Huu Nghi border gate" in a.text
    for junk in ("**", "](", "https://", "![", "gate.jpg", "- They", "`"):
        assert junk not in a.text
    assert "They reviewed 36 cases" in a.text


def test_markdown_without_front_matter_takes_heading_and_header_date():
    a = read_article(FIXTURES / "no_front_matter.md")
    assert a.title == "Quiet year at the northern gates"
    assert (a.date.start, a.date.text) == (dt.date(2023, 12, 14), "Thứ Năm, 14/12/2023")


def test_markdown_front_matter_id_wins(tmp_path):
    p = tmp_path / "file-name.md"
    p.write_text("---\nid: custom-7\ndate: March 2024\n---\nSome words here.\n", encoding="utf-8")
    a = read_article(p)
    assert a.id == "custom-7"
    assert (a.date.start, a.date.precision) == (dt.date(2024, 3, 1), "month")


def test_malformed_front_matter_is_skipped_with_its_line(tmp_path):
    p = tmp_path / "bad.md"
    p.write_text("---\ntitle: [unclosed\ndate: 2024-01-01\n---\nBody.\n", encoding="utf-8")
    articles, skipped = read_all(p)
    assert articles == []
    assert len(skipped) == 1 and "front matter" in skipped[0].reason and skipped[0].line is not None


def test_html_keeps_article_text_and_drops_page_furniture():
    a = read_article(FIXTURES / "page.html")
    assert a.format == "html"
    assert a.title == "Fugitives handed over at Mong Cai"
    assert (a.date.start, a.date.precision) == (dt.date(2024, 5, 17), "day")  # meta wins over <time>
    assert a.source == "Example Daily"
    assert a.url == "https://example.org/mong-cai-handover"
    assert "handed over three Chinese fugitives to officers from Dongxing on May 16." in a.text
    assert "talks in April & the suspects had crossed the river <by night>." in a.text  # entities decoded
    for dropped in ("tracking", "color: red", "Home", "World", "Share on", "Related", "Search",
                    "Reader comment", "Copyright", "©", "All rights reserved"):
        assert dropped not in a.text, dropped
    paragraphs = [p for p in a.text.split("\n") if p.strip()]
    assert paragraphs[0] == a.title and len(paragraphs) == 3


def test_html_date_from_time_element_and_title_from_title_tag():
    html = (
        "<html><head><title>Night crossing foiled</title></head><body>"
        "<p>Posted <time datetime='2023-08-30T07:00:00Z'>yesterday</time></p>"
        "<p>Guards in Lang Son stopped 6 people.</p></body></html>"
    )
    a = parse_text(html, id="x", format="html")
    assert a.title == "Night crossing foiled"
    assert a.date.start == dt.date(2023, 8, 30)


def test_truncated_html_is_read_as_far_as_it_goes(tmp_path):
    p = tmp_path / "cut.html"
    page = "<html><body><h1>Gate reopens</h1><p>Guards in Cao Bang counted 40 trucks.</p><p class="
    p.write_text(page, encoding="utf-8")
    articles, skipped = read_all(p)
    assert skipped == []
    (a,) = articles
    assert "Guards in Cao Bang counted 40 trucks." in a.text
    assert a.title == "Gate reopens"


def test_jsonl_reads_each_line_and_skips_bad_lines():
    articles, skipped = read_all(FIXTURES / "batch.jsonl")
    assert [a.id for a in articles] == ["kb-001", "batch:2", "kb-006"]
    assert [a.line for a in articles] == [1, 2, 7]
    first = articles[0]
    assert (first.title, first.source, first.url, first.format) == (
        "Migrants stopped near Tay Ninh", "Delta Post", "https://example.org/kb-001", "jsonl",
    )
    assert first.date.start == dt.date(2024, 2, 14)
    assert articles[1].date.start == dt.date(2024, 2, 14)  # "14 February 2024"
    assert articles[2].date is None  # "not a date" is not guessed at
    assert [(s.line, s.reason.split(" ")[0]) for s in skipped] == [(4, "malformed"), (5, "no"), (6, "not")]
    assert all(s.path.endswith("batch.jsonl") for s in skipped)
    assert str(skipped[0]).startswith(f"{FIXTURES / 'batch.jsonl'}:4: malformed JSON")


def test_truncated_last_jsonl_line_is_malformed(tmp_path):
    p = tmp_path / "cut.jsonl"
    good = json.dumps({"id": "a", "text": "Officers in Lao Cai met."})
    p.write_text(good + "\n" + good.replace('"a"', '"b"')[:25], encoding="utf-8")
    articles, skipped = read_all(p)
    assert [a.id for a in articles] == ["a"]
    assert [(s.line, s.reason.startswith("malformed JSON")) for s in skipped] == [(2, True)]


def test_json_file_with_a_list_of_objects():
    articles, skipped = read_all(FIXTURES / "nested" / "list.json")
    assert [a.id for a in articles] == ["json-1", "json-2"] and skipped == []
    assert articles[1].format == "json"


# -- paths: folders, globs, missing ----------------------------------------------------------


def test_folder_is_walked_recursively_in_sorted_order_known_extensions_only():
    articles, skipped = read_all(FIXTURES)
    paths = [Path(a.path).relative_to(FIXTURES).as_posix() for a in articles]
    assert paths == sorted(paths)
    assert "nested/deeper/deep_report.txt" in paths
    assert not any(p.endswith(".csv") for p in paths)
    assert len(skipped) == 3  # the bad lines of batch.jsonl


def test_same_input_same_output():
    first, _ = read_all(FIXTURES)
    again, _ = read_all(FIXTURES)
    assert first == again


def test_glob_and_file_named_twice_is_read_once():
    articles, _ = read_all([str(FIXTURES / "*.md"), FIXTURES / "gate_talks.md"])
    assert [a.id for a in articles] == ["gate_talks", "no_front_matter"]


def test_recursive_glob():
    articles, _ = read_all(str(FIXTURES / "**" / "*.txt"))
    assert {a.id for a in articles} == {"crlf_log", "river_patrols", "deep_report"}


def test_missing_path_raises_at_once_naming_it(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputNotFoundError, match="nope.txt"):
        read_articles([FIXTURES / "river_patrols.txt", missing])
    with pytest.raises(FileNotFoundError):  # also a builtin a caller may catch
        read_articles(missing)
    with pytest.raises(InputNotFoundError, match=r"no file matches"):
        read_articles(str(tmp_path / "*.txt"))
    with pytest.raises(InputNotFoundError):
        read_article(missing)


def test_ids_stay_unique_within_a_batch(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text("Officers met.\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"id": "report", "text": "x y"}\n{"id": "report", "text": "x z"}\n', encoding="utf-8"
    )
    articles, _ = read_all(tmp_path)
    assert [a.id for a in articles] == ["report", "report~2", "report~3", "report~4"]


# -- streaming ----------------------------------------------------------------------------------


def test_read_articles_streams_one_article_at_a_time(tmp_path):
    for i in range(3):
        (tmp_path / f"r{i}.txt").write_text(f"Report {i}\n\nOfficers met {i + 2} people.\n", encoding="utf-8")
    stream = read_articles(tmp_path)
    assert inspect.isgenerator(stream)
    first = next(stream)
    assert first.id == "r0"
    # files not read yet can change before the stream reaches them
    (tmp_path / "r2.txt").write_text("Changed\n\nLater text.\n", encoding="utf-8")
    rest = list(stream)
    assert [a.id for a in rest] == ["r1", "r2"]
    assert rest[-1].title == "Changed"


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"\n  \n\t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4, "binary"),
        ("garbage.html", bytes(range(128, 256)) * 20, "undecodable"),
        ("empty.jsonl", b"\n\n", "empty"),
    ],
)
def test_bad_files_are_skipped_and_the_batch_goes_on(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "zz_good.txt").write_text("Good report\n\nGuards counted 3 boats.\n", encoding="utf-8")
    articles, skipped = read_all(tmp_path)
    assert [a.id for a in articles] == ["zz_good"]
    assert len(skipped) == 1
    assert skipped[0].path == str(tmp_path / name)
    assert skipped[0].reason.startswith(reason), skipped[0].reason


def test_bad_file_read_alone_raises_input_error_naming_it(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        read_article(p)
    with pytest.raises(ValueError):
        read_article(p)


def test_skipped_inputs_are_logged(tmp_path, caplog):
    (tmp_path / "empty.txt").write_bytes(b"")
    with caplog.at_level("WARNING", logger="geomap.text"):
        assert list(read_articles(tmp_path)) == []  # no list given: still logged, no crash
    assert "empty.txt: empty file" in caplog.text


def test_file_cut_inside_a_utf8_character_keeps_what_was_read(tmp_path):
    p = tmp_path / "cut.txt"
    p.write_bytes("Guards in Lạng Sơn counted 5 boats at Đồng".encode()[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # still UTF-8: no encoding warning
        a = read_article(p)
    assert a.text == "Guards in Lạng Sơn counted 5 boats at Đồn"
    assert a.encoding == "utf-8"


def test_jsonl_with_an_undecodable_line(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'{"id": "ok", "text": "fine"}\n{"id": "bad", "text": "caf\xe9"}\n')
    articles, skipped = read_all(p)
    assert [a.id for a in articles] == ["ok"]
    assert (skipped[0].line, skipped[0].reason.startswith("undecodable")) == (2, True)


# -- encodings ----------------------------------------------------------------------------------


def test_utf8_bom_is_dropped(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + "Lạng Sơn report\n\nText.".encode())
    a = read_article(p)
    assert a.text.startswith("Lạng Sơn") and a.encoding == "utf-8"


def test_utf16_with_bom(tmp_path):
    p = tmp_path / "wide.txt"
    p.write_bytes("Cửa khẩu Hữu Nghị report\n\nGuards counted 8 trucks.".encode("utf-16"))
    with pytest.warns(DetectedEncodingWarning, match="utf-16"):
        a = read_article(p)
    assert a.title == "Cửa khẩu Hữu Nghị report"
    assert a.encoding == "utf-16"


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "Patrols near the café “Le Pont” — officers stopped 12 passeurs près du fleuve.\n" * 3),
        ("gb18030", "越南谅山省公安与中国广西边境管理部门举行会谈，双方同意加强合作，打击非法出入境。\n" * 3),
    ],
)
def test_other_encodings_are_detected_named_and_warned(tmp_path, encoding, text):
    p = tmp_path / "legacy.txt"
    p.write_bytes(text.encode(encoding))
    with pytest.warns(DetectedEncodingWarning, match=r"legacy\.txt.*" + encoding):
        a = read_article(p)
    assert a.encoding == encoding
    assert a.text == text.strip("\n")


def test_encoding_warnings_can_be_turned_off(tmp_path):
    p = tmp_path / "legacy.txt"
    p.write_bytes(("Officers in the café counted 4 boats — “many”.\n" * 3).encode("cp1252"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a,) = read_articles(p, encoding_warnings=False)
    assert a.encoding == "cp1252"


# -- NFC and offsets ----------------------------------------------------------------------------------


def test_text_is_nfc_so_offsets_are_stable(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Lạng Sơn guards stopped 14 people on March 9, 2024.")
    p = tmp_path / "nfd.txt"
    p.write_text(decomposed, encoding="utf-8")
    a = read_article(p)
    assert unicodedata.is_normalized("NFC", a.text)
    assert a.text.startswith("Lạng Sơn")
    (c,) = find_counts(a.text)
    assert a.text[c.start : c.end] == c.text == "14 people"
    (d,) = find_dates(a.text, ref=a.date)
    assert a.text[d.begin : d.stop] == d.text == "March 9, 2024"


def test_offsets_of_counts_and_dates_index_article_text_in_every_format():
    articles, _ = read_all(FIXTURES)
    seen = 0
    for a in articles:
        for c in find_counts(a.text):
            assert a.text[c.start : c.end] == c.text
            seen += 1
        for d in find_dates(a.text, ref=a.date):
            assert a.text[d.begin : d.stop] == d.text
    assert seen >= 8


def test_relative_dates_resolve_against_the_publication_date():
    a = read_article(FIXTURES / "river_patrols.txt")
    spans = {s.text: (s.start, s.end, s.precision) for s in find_dates(a.text, ref=a.date)}
    assert spans["March 2"] == (dt.date(2024, 3, 2), dt.date(2024, 3, 2), "day")
    assert spans["Since 2022"] == (dt.date(2022, 1, 1), dt.date(2024, 3, 9), "since")


# -- parse_text --------------------------------------------------------------------------------------


def test_parse_text_metadata_given_wins():
    a = parse_text("Headline here\n\nUpdated: 2024-01-02\n\nBody.", id="n1", title="Given", date="2023-05-06")
    assert (a.id, a.title, a.date.start) == ("n1", "Given", dt.date(2023, 5, 6))


def test_parse_text_empty_raises():
    with pytest.raises(InputError, match="n2"):
        parse_text("  \n ", id="n2")


def test_html_declared_charset_is_used(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>Caf\u00e9 raid</title></head><body><p>Officers near the caf\u00e9 \u201cLe Pont\u201d "
        "stopped 12 people.</p></body></html>"
    )
    p = tmp_path / "legacy.html"
    p.write_bytes(page.encode("cp1252"))
    with pytest.warns(DetectedEncodingWarning, match="cp1252"):
        a = read_article(p)
    assert a.encoding == "cp1252"
    assert "Officers near the caf\u00e9 \u201cLe Pont\u201d stopped 12 people." in a.text


def test_markdown_setext_heading():
    a = parse_text("Gate talks resume\n=================\n\nOfficers met.\n", id="s", format="markdown")
    assert a.title == "Gate talks resume"
    assert "=" not in a.text


def test_parse_text_unknown_format():
    with pytest.raises(InputError, match="unknown format"):
        parse_text("x", id="a", format="pdf")


def test_html_main_column_with_a_noisy_class_is_kept():
    html = (
        '<html><body><div class="layout has-sidebar"><h1>Patrol report</h1>'
        "<p>Guards in Ha Giang and officers from Yunnan ran 12 joint patrols along the river in March.</p>"
        "<p>They stopped 40 people who tried to cross at night and returned them to the other side.</p>"
        '</div><div class="sidebar">Most read</div></body></html>'
    )
    a = parse_text(html, id="p", format="html")
    assert "ran 12 joint patrols" in a.text and "stopped 40 people" in a.text


def test_html_page_with_no_article_text_is_skipped(tmp_path):
    p = tmp_path / "shell.html"
    p.write_text("<html><head><title>Only a title</title></head><body><nav>Home</nav></body></html>", "utf-8")
    articles, skipped = read_all(p)
    assert articles == [] and skipped[0].reason == "no article text in the page"


def test_html_time_in_a_dropped_header_still_dates_the_page():
    html = (
        '<html><body><header><time datetime="2024-04-02">2 April</time></header>'
        "<article><p>Officers in Lao Cai met their counterparts.</p></article></body></html>"
    )
    assert parse_text(html, id="t", format="html").date.start == dt.date(2024, 4, 2)


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with a tone mark are written as base letter + combining tone."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)


def test_vietnamese_windows_1258_is_detected_and_composed(tmp_path):
    text = (
        "Công an tỉnh Lạng Sơn bắt 14 người vượt biên trái phép qua cửa khẩu Hữu Nghị.\n"
        "Bộ đội biên phòng Cao Bằng tuần tra chung với lực lượng Trung Quốc.\n"
    )
    p = tmp_path / "tin.txt"
    p.write_bytes(_to_cp1258(text))
    with pytest.warns(DetectedEncodingWarning, match="cp1258"):
        a = read_article(p)
    assert a.encoding == "cp1258"
    assert a.text == text.strip("\n")  # combining tones composed (NFC): "Lạng Sơn" matches as typed


def test_a_folder_or_glob_without_article_files_is_a_usage_error(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputNotFoundError, match="no article files in folder"):
        read_articles(tmp_path)
    with pytest.raises(InputNotFoundError, match="no article files match"):
        read_articles(str(tmp_path / "*.csv"))


def test_hard_wrapped_plain_text_is_joined_where_the_sentence_goes_on():
    text = (
        "Ring broken up near the gate\n\n"
        "Police said on March 2 that they had stopped 12 people trying to cross\n"
        "into China, and held two men.\n"
        "Officers will meet again.\n"
    )
    a = parse_text(text, id="w")
    assert "trying to cross into China, and held two men.\nOfficers will meet again." in a.text
    assert a.title == "Ring broken up near the gate"
    assert len(a.text) == len(text.strip("\n"))  # one character for one: nothing shifts


def test_markdown_soft_line_breaks_are_spaces():
    md = "# Talks\n\nOfficials from Lang Son met at the\nHuu Nghi gate on November 20.\n\n- one item\n- two items\n"
    a = parse_text(md, id="m", format="markdown")
    assert "met at the Huu Nghi gate on November 20." in a.text
    assert "one item\ntwo items" in a.text


# -- publication dates from the page (geomap.text.publication) ---------------------------


def test_publication_date_from_the_url_or_a_dateline_when_metadata_and_header_have_none() -> None:
    import datetime as dt

    from geomap.text.articles import parse_text

    body = "Guards stop group at the gate\n\nBorder guards stopped nine people on Tuesday, the agency said in 2019 of a pact."
    # no date anywhere but the address: taken from it, and said so
    a = parse_text(body, id="u1", url="https://example.org/news/2022/03/25/guards-stop-group")
    assert (a.date.start, a.date.precision, a.date_source) == (dt.date(2022, 3, 25), "day", "url")
    a = parse_text(body, id="u2", url="https://example.org/vn/bien-phong-20230908093512345.htm")
    assert (a.date.start, a.date_source) == (dt.date(2023, 9, 8), "url")
    a = parse_text(body, id="u3", url="https://example.org/2021/07/guards-stop-group")
    assert (a.date.start, a.date.end, a.date.precision) == (dt.date(2021, 7, 1), dt.date(2021, 7, 31), "month")
    # a dateline opening the story
    dated = "Guards stop group at the gate\n\nHANOI, March 25, 2022 (Sample Wire) - Border guards stopped nine people."
    a = parse_text(dated, id="d1")
    assert (a.date.start, a.date_source) == (dt.date(2022, 3, 25), "text")
    assert dated[a.date.begin : a.date.stop] == "March 25, 2022"
    # never a year from the body ("in 2019 of a pact"), nor a number in an address that is no date
    a = parse_text(body, id="n1", url="https://example.org/post-20231340-123.html")
    assert a.date is None and a.date_source == ""
    # metadata and a header win over the address
    a = parse_text(body, id="m1", date="2024-05-06", url="https://example.org/2022/03/25/x")
    assert (a.date.start, a.date_source) == (dt.date(2024, 5, 6), "metadata")
    a = parse_text("Headline of three words\nUpdated: 2024-03-05 09:12\n\n" + body, id="h1", url="https://example.org/2022/03/25/x")
    assert (a.date.start, a.date_source) == (dt.date(2024, 3, 5), "header")
