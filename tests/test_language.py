"""Language detection: per article, on short and mixed texts, and what a run does with each."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.text.language import READ_LANGUAGES, UNREAD_NAMES, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Border guards in Lang Son stopped 12 people.", "en"),
        ("Police in Lạng Sơn said five people were held at Móng Cái.", "en"),  # names in Vietnamese
        ("Border guards at 东兴 port held 3 people on Monday.", "en"),  # a Chinese name
        ("Ho Chi Minh City police", "en"),
        ("Bắt 5 đối tượng", "vi"),
        ("Tổng cục Hải quan", "vi"),
        ("Đồn Biên phòng Hoành Mô phát hiện 3 người xuất cảnh trái phép sang Trung Quốc.", "vi"),
        ("Theo Công an tỉnh, trong năm 2023 các lực lượng đã bắt giữ 120 đối tượng.", "vi"),
        ("Hôm qua, đại diện Cục Quản lý xuất nhập cảnh cho biết police của hai nước đã hội đàm.", "vi"),
        ("凭祥", "zh"),
        ("东兴边境管理大队查获冰毒5公斤。", "zh"),
        ("越南籍男子在Móng Cái被抓获，涉嫌非法入境。", "zh"),  # a Vietnamese name in a Chinese report
        ("据新华社报道，ASEAN各国代表出席会议。", "zh"),
        ("ตำรวจจับกุมผู้ต้องสงสัย 5 คน ที่ Lạng Sơn", "th"),
        ("ຕຳຫຼວດລາວຈັບ 3 ຄົນ", "lo"),
        ("ប៉ូលិសចាប់ខ្លួនមនុស្ស ៥ នាក់", "km"),
        ("ရဲတပ်ဖွဲ့", "my"),
        ("12345 — 2024", "und"),
        ("", "und"),
    ],
)
def test_detect_language_on_short_and_mixed_texts(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_unread_languages_are_not_read_languages() -> None:
    assert READ_LANGUAGES == {"en", "vi", "zh"}
    assert not READ_LANGUAGES & set(UNREAD_NAMES)


def test_a_mixed_folder_records_each_language_and_reads_unread_ones_for_places_only(tmp_path: Path) -> None:
    from geomap.extract import extract
    from geomap.jobs import extract_tables

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "en.txt").write_text("Border guards in Lang Son stopped 12 people who crossed illegally on May 4, 2024.\n", encoding="utf-8")
    (folder / "vi.txt").write_text("Ngày 4/5/2024, Đồn Biên phòng bắt giữ 12 người xuất cảnh trái phép tại Lạng Sơn.\n", encoding="utf-8")
    (folder / "zh.txt").write_text("2024年5月4日，凭祥边检站查获非法入境人员12名。\n", encoding="utf-8")
    # Thai: the place names are found, nothing else is guessed at (the figure and the word for drugs are there)
    (folder / "th.txt").write_text("ตำรวจไทยจับกุมผู้ลักลอบขนยาเสพติด 20 กิโลกรัม ใกล้ Móng Cái\n", encoding="utf-8")
    result = extract([folder])
    langs = dict(zip(result.articles["article_id"], result.articles["lang"]))
    assert langs == {"en": "en", "vi": "vi", "zh": "zh", "th": "th"}
    assert set(result.incidents["article_id"]) == {"en", "vi", "zh"}
    assert result.incidents.set_index("article_id")["type"].to_dict() == {
        "en": "illegal_crossing", "vi": "illegal_crossing", "zh": "illegal_crossing",
    }
    thai = result.mentions[result.mentions["article_id"] == "th"]
    assert list(thai["place_id"]) == ["vn.city.mong-cai"]
    summary = extract_tables([folder], tmp_path / "out")
    line = next(x for x in summary.lines() if x.startswith("not read:"))
    assert "1 in languages geomap does not read (Thai 1)" in line
    # the tables read back keep the column; tables written before it existed still read
    from geomap.extract import read_tables

    assert list(read_tables(tmp_path / "out").articles["lang"]) == list(result.articles["lang"])
    old = tmp_path / "old"
    old.mkdir()
    result.articles.drop(columns=["lang"]).to_csv(old / "articles.csv", index=False)
    assert list(read_tables(old).articles["lang"]) == ["", "", "", ""]
