"""Vietnamese and Chinese: language files, sentences, numbers, dates, routes and actors.

Every number form, date form, sentence rule and route pattern the language
files and grammars promise, on sentences written for these tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geomap import lang
from geomap.incidents import CUES, find_incidents, split_sentences
from geomap.records import Article
from geomap.text.counts import find_counts
from geomap.text.dates import find_dates, parse_date
from geomap.text.publication import find_publication_date

REF = dt.date(2024, 6, 20)


# -- the language files ------------------------------------------------------------


def test_every_language_file_loads_and_names_known_types() -> None:
    assert lang.languages()[0] == "en" and {"vi", "zh"} <= set(lang.languages())
    from geomap.records import INCIDENT_TYPES

    for code in lang.languages():
        data = lang.resources(code)
        assert data["language"]["code"] == code
        assert set(data.get("cues", {})) <= set(INCIDENT_TYPES)
    # every type of the taxonomy but "other" has cues in each language geomap reads
    for code in ("en", "vi", "zh"):
        cues = lang.resources(code)["cues"]
        meeting = lang.resources(code)["meeting"]
        assert set(cues) | {"cooperation"} == set(INCIDENT_TYPES) - {"other"}, code
        assert meeting
    assert any("偷越" in p for p in CUES["illegal_crossing"]) and any("vuot bien" in p for p in CUES["illegal_crossing"])


def test_a_broken_language_file_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geomap.lang import LanguageResourceError

    (tmp_path / "xx.yaml").write_text(
        "language: {code: xx}\ncues:\n  piracy: ['boarded']\nabbreviations: [no, 'ok']\nmodal: ['(unclosed']\nwords: [a]\n",
        encoding="utf-8",
    )
    (tmp_path / "yy.yaml").write_text("cues: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(lang, "_FOLDER", tmp_path)
    lang.resources.cache_clear()
    try:
        with pytest.raises(LanguageResourceError) as err:
            lang.resources("xx")
        message = str(err.value)
        assert message.startswith(str(tmp_path / "xx.yaml"))
        for part in ("unknown part 'words'", "unknown incident type 'piracy'", "abbreviations", "bad pattern '(unclosed'"):
            assert part in message, part
        with pytest.raises(LanguageResourceError, match=r"yy\.yaml:\d+: not valid YAML"):
            lang.resources("yy")
        with pytest.raises(LanguageResourceError, match="no such language file"):
            lang.resources("qq")
    finally:
        lang.resources.cache_clear()


# -- sentences -----------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_chinese_sentences_end_at_full_width_marks() -> None:
    text = "近日，东兴警方查获冰毒5公斤！另抓获2人；均已移交。是否还有同伙？“调查仍在继续。”下一句"
    assert _sentences(text) == ["近日，东兴警方查获冰毒5公斤！", "另抓获2人；", "均已移交。", "是否还有同伙？", "“调查仍在继续。”", "下一句"]
    # a decimal point or a dot in a figure ends nothing
    assert _sentences("查获1.2吨冻品。案值3.5亿元。") == ["查获1.2吨冻品。", "案值3.5亿元。"]


def test_vietnamese_abbreviations_end_no_sentence() -> None:
    text = "Tại TP. Hồ Chí Minh có 5 người. Q. 1 và P. Bến Nghé đều có. Ông Th.S Nguyễn Văn A. Tiếp theo."
    assert _sentences(text)[:2] == ["Tại TP. Hồ Chí Minh có 5 người.", "Q. 1 và P. Bến Nghé đều có."]
    assert _sentences("Ngày 4/5, lực lượng bắt 3 đối tượng. Sau đó, họ khai nhận.") == [
        "Ngày 4/5, lực lượng bắt 3 đối tượng.", "Sau đó, họ khai nhận.",
    ]


# -- numbers -------------------------------------------------------------------------


def _counts(text: str) -> list[tuple]:
    return [(c.value, c.value_max, c.unit, c.qualifier, c.text) for c in find_counts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu giữ 1,2 tấn hàng", (1.2, None, "tonnes", "", "1,2 tấn")),
        ("bắt 1.500 người", (1500.0, None, "people", "", "1.500 người")),
        ("hơn 1.500 người", (1500.0, None, "people", "over", "hơn 1.500 người")),
        ("gần 200 lượt", (200.0, None, "trips", "about", "gần 200 lượt")),
        ("khoảng 30 đối tượng", (30.0, None, "suspects", "about", "khoảng 30 đối tượng")),
        ("trên 40 vụ", (40.0, None, "cases", "over", "trên 40 vụ")),
        ("3 nghìn người", (3000.0, None, "people", "", "3 nghìn người")),
        ("3 vạn viên ma túy", (30000.0, None, "pills", "", "3 vạn viên")),
        ("2 triệu đồng", (2e6, None, "VND", "", "2 triệu đồng")),
        ("1,5 tỷ đồng", (1.5e9, None, "VND", "", "1,5 tỷ đồng")),
        ("6 bánh heroin", (6.0, None, "bricks", "", "6 bánh")),
        ("5 xe tải", (5.0, None, "vehicles", "", "5 xe tải")),
        ("150.000 lượt phương tiện", (150000.0, None, "vehicles", "", "150.000 lượt phương tiện")),
        ("1,2 triệu lượt người", (1.2e6, None, "people", "", "1,2 triệu lượt người")),
        ("12 kg ma túy", (12.0, None, "kg", "", "12 kg")),
    ],
)
def test_vietnamese_numbers_and_units(text: str, expected: tuple) -> None:
    assert _counts(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("受教育群众五千余人", (5000.0, None, "people", "over", "五千余人")),
        ("出动警力三四十人", (30.0, 40.0, "officers", "range", "三四十人")),
        ("查获两辆货车", (2.0, None, "vehicles", "", "两辆")),
        ("验放1.2万人次", (12000.0, None, "people", "", "1.2万人次")),
        ("案值3亿元", (3e8, None, "yuan", "", "3亿元")),
        ("涉案金额50万元", (5e5, None, "yuan", "", "50万元")),
        ("抓获20余名", (20.0, None, "people", "over", "20余名")),
        ("查获30多人", (30.0, None, "people", "over", "30多人")),
        ("约300人", (300.0, None, "people", "about", "约300人")),
        ("近百人", (100.0, None, "people", "about", "近百人")),
        ("逾千人", (1000.0, None, "people", "over", "逾千人")),
        ("不到50人", (50.0, None, "people", "under", "不到50人")),
        ("100人以上", (100.0, None, "people", "over", "100人以上")),
        ("破获案件3起", (3.0, None, "cases", "", "3起")),
        ("走私案3宗", (3.0, None, "cases", "", "3宗")),
        ("冰毒5公斤", (5.0, None, "kg", "", "5公斤")),
        ("海洛因700千克", (700.0, None, "kg", "", "700千克")),
        ("冰毒300克", (300.0, None, "g", "", "300克")),
        ("冻品1.2吨", (1.2, None, "tonnes", "", "1.2吨")),
        ("香烟500条", (500.0, None, "items", "", "500条")),
        ("化妆品20箱", (20.0, None, "items", "", "20箱")),
        ("罚款8000元", (8000.0, None, "yuan", "", "8000元")),
        ("犯罪嫌疑人3名", (3.0, None, "suspects", "", "3名")),
        ("一名越方通缉的在逃人员", (1.0, None, "fugitives", "", "一名")),
        ("一万二千人", (12000.0, None, "people", "", "一万二千人")),
    ],
)
def test_chinese_numbers_and_units(text: str, expected: tuple) -> None:
    assert _counts(text) == [expected]


def test_chinese_vague_quantities_and_ordinals_are_no_count() -> None:
    assert _counts("数十人参加，第3次会晤，几百人围观") == []
    assert _counts("年龄25岁，增长30%") == []


# -- dates ---------------------------------------------------------------------------


def _dates(text: str, ref: dt.date | None = REF) -> list[tuple]:
    return [(d.text, d.start.isoformat(), d.end.isoformat() if d.end else None, d.precision) for d in find_dates(text, ref=ref)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngày 24/1, lực lượng", ("ngày 24/1", "2024-01-24", "2024-01-24", "day")),
        ("Ngày 24-1-2024, tổ công tác", ("24-1-2024", "2024-01-24", "2024-01-24", "day")),
        ("Chiều 26/11, đơn vị", ("Chiều 26/11", "2023-11-26", "2023-11-26", "day")),
        ("rạng sáng 3/4/2023, tại", ("rạng sáng 3/4/2023", "2023-04-03", "2023-04-03", "day")),
        ("9h30 ngày 4/5, tại cửa khẩu", ("9h30 ngày 4/5", "2024-05-04", "2024-05-04", "day")),
        ("trong tháng 3/2024, Cục", ("tháng 3/2024", "2024-03-01", "2024-03-31", "month")),
        ("trong tháng 3, Cục", ("tháng 3", "2024-03-01", "2024-03-31", "month")),
        ("trong năm 2023, lực lượng", ("2023", "2023-01-01", "2023-12-31", "year")),
        ("Từ đầu năm đến nay, đơn vị", ("Từ đầu năm đến nay", "2024-01-01", "2024-06-20", "since")),
        ("ngày 28 tháng 6 năm 2023", ("ngày 28 tháng 6 năm 2023", "2023-06-28", "2023-06-28", "day")),
    ],
)
def test_vietnamese_dates(text: str, expected: tuple) -> None:
    assert _dates(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年5月12日，", ("2023年5月12日", "2023-05-12", "2023-05-12", "day")),
        ("5月12日，", ("5月12日", "2024-05-12", "2024-05-12", "day")),
        ("8月3日，", ("8月3日", "2023-08-03", "2023-08-03", "day")),  # after the report: last year
        ("5月12日至15日，", ("5月12日至15日", "2024-05-12", "2024-05-15", "range")),
        ("5月30日至6月2日，", ("5月30日至6月2日", "2024-05-30", "2024-06-02", "range")),
        ("今年1至5月，", ("今年1至5月", "2024-01-01", "2024-05-31", "range")),
        ("2023年5月，", ("2023年5月", "2023-05-01", "2023-05-31", "month")),
        ("2019年，", ("2019年", "2019-01-01", "2019-12-31", "year")),
        ("今年以来，", ("今年以来", "2024-01-01", "2024-06-20", "since")),
        ("2020年以来，", ("2020年以来", "2020-01-01", "2024-06-20", "since")),
        ("去年，", ("去年", "2023-01-01", "2023-12-31", "year")),
        ("上月，", ("上月", "2024-05-01", "2024-05-31", "month")),
        ("春节期间，", ("春节期间", "2024-02-09", "2024-02-16", "range")),
    ],
)
def test_chinese_dates(text: str, expected: tuple) -> None:
    assert _dates(text) == [expected]


def test_dates_without_a_year_need_a_reference_and_a_dateline_is_no_date() -> None:
    assert _dates("5月12日，今年以来，chiều 26/11", ref=None) == []
    assert _dates("2023年5月12日", ref=None) == [("2023年5月12日", "2023-05-12", "2023-05-12", "day")]
    # "新华社南宁5月16日电": the day the report was filed
    assert _dates("新华社南宁5月16日电 5月12日至15日，") == [("5月12日至15日", "2024-05-12", "2024-05-15", "range")]


def test_page_dates_in_the_forms_pages_and_feeds_carry() -> None:
    assert parse_date("Thứ Tư, 28/06/2023 10:09").start == dt.date(2023, 6, 28)
    assert parse_date("2023年09月08日 10:20").start == dt.date(2023, 9, 8)
    assert parse_date("Fri, 08 Sep 2023 10:20:00 +0700").start == dt.date(2023, 9, 8)
    assert parse_date("Sun, 31 Dec 2023 23:30:00 -0500").start == dt.date(2023, 12, 31)  # the writer's day, not UTC's
    span = find_publication_date("东兴边检站查获偷渡人员\n2023年09月08日 10:20 来源：广西日报\n正文")
    assert span is not None and span.start == dt.date(2023, 9, 8) and span.precision == "day"
    span = find_publication_date("Bắt 3 đối tượng\nThứ Tư, 28/06/2023 10:09\nNội dung")
    assert span is not None and span.start == dt.date(2023, 6, 28)


# -- incidents, routes and actors through the whole chain ----------------------------------


@pytest.fixture(scope="module")
def run() -> object:
    from geomap.extract import _Run
    from geomap.gazetteer import load_gazetteer

    return _Run(load_gazetteer(), None, None, None, None)


def _extract(run: object, text: str, date: dt.date = REF) -> tuple[list, list]:
    from geomap.places import find_mentions
    from geomap.records import DateSpan
    from geomap.routes import find_routes

    article = Article(id="a", text=text, date=DateSpan(date, date, "day"))
    mentions = find_mentions(article, matcher=run.matcher, resolver=run.resolver, cache={})  # type: ignore[attr-defined]
    incidents = find_incidents(article, mentions=mentions, gazetteer=run.gazetteer)  # type: ignore[attr-defined]
    routes = find_routes(article, mentions=mentions, gazetteer=run.gazetteer)  # type: ignore[attr-defined]
    return incidents, routes


def _stops(route: object) -> list[tuple[str, str]]:
    return [(s.place_id, s.role) for s in route.stops]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        ("Các đối tượng đưa 12 người từ Hà Giang qua Lào Cai sang Trung Quốc.",
         [("vn.province.ha-giang-pre2025", "origin"), ("vn.province.lao-cai-pre2025", "transit"), ("cn.country.china", "destination")]),
        ("Nhóm này đi từ Trung Quốc vào Việt Nam.", [("cn.country.china", "origin"), ("vn.country.vietnam", "destination")]),
        ("Họ đi từ Campuchia vào An Giang rồi lên TP. Hồ Chí Minh.",
         [("kh.country.cambodia", "origin"), ("vn.province.an-giang-pre2025", "crossing"), ("vn.province.ho-chi-minh-pre2025", "destination")]),
        ("Đối tượng đưa người từ Hà Nội về Móng Cái.", [("vn.city.ha-noi", "origin"), ("vn.city.mong-cai", "destination")]),
        ("犯罪嫌疑人从越南经东兴市前往南宁市。",
         [("vn.country.vietnam", "origin"), ("cn.city.dongxing", "transit"), ("cn.prefecture.nanning", "destination")]),
        ("该团伙从越南芒街接人，经东兴市到南宁市。",  # "越南芒街": Móng Cái, Vietnam, one stop
         [("vn.city.mong-cai", "origin"), ("cn.city.dongxing", "transit"), ("cn.prefecture.nanning", "destination")]),
        ("偷渡人员从越南进入凭祥市。", [("vn.country.vietnam", "origin"), ("cn.city.pingxiang", "destination")]),
        ("走私团伙将冻品从越南运入防城港。", [("vn.country.vietnam", "origin"), ("cn.prefecture.fangchenggang", "destination")]),
    ],
)
def test_route_patterns(run: object, text: str, stops: list) -> None:
    _, routes = _extract(run, text)
    assert [_stops(r) for r in routes] == [stops]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày 4/5, Đồn Biên phòng cửa khẩu Quốc tế Móng Cái phát hiện 6 người xuất cảnh trái phép sang Trung Quốc.",
         [("illegal_crossing", "6 people")]),
        ("Ngày 4/5, Đồn Biên phòng bắt 2 đối tượng tổ chức cho 9 người vượt biên.", [("migrant_smuggling", "2 suspects;9 people")]),
        ("Ngày 4/5, Công an tỉnh Lạng Sơn giải cứu 3 nạn nhân của đường dây mua bán người.", [("human_trafficking", "3 victims")]),
        ("Ngày 4/5, lực lượng chức năng bắt 2 đối tượng buôn lậu 500 bao thuốc lá.", [("goods_smuggling", "2 suspects;500 items")]),
        ("Ngày 4/5, phía Trung Quốc trao trả 20 công dân tại cửa khẩu Hữu Nghị.", [("repatriation", "20 people")]),
        ("Ngày 4/5, hai đồn tổ chức tuần tra song phương trên biên giới.", [("joint_patrol", "")]),
        ("Ngày 4/5, hai bên tổ chức diễn tập tại cửa khẩu Lào Cai.", [("exercise", "")]),
        ("Ngày 4/5, đồn đã tuyên truyền cho 300 người dân.", [("public_awareness", "300 people")]),
        ("Ngày 4/5, cửa khẩu Hữu Nghị có 2.000 lượt người xuất nhập cảnh.", [("crossing_statistics", "2000 people")]),
        ("Ngày 4/5, hai bên hội đàm tại cửa khẩu Trà Lĩnh.", [("cooperation", "")]),
        ("Ngày 4/5, Công an tỉnh Lào Cai bắt 1 đối tượng truy nã.", [("fugitive_handover", "1 suspects")]),
        ("5月4日，凭祥边检站查获非法入境人员12名。", [("illegal_crossing", "12 people")]),
        ("5月4日，民警抓获组织他人偷越国境的犯罪嫌疑人3名。", [("migrant_smuggling", "3 suspects")]),
        ("5月4日，警方解救被拐妇女6名。", [("human_trafficking", "6 people")]),
        ("5月4日，河口边检站查获冰毒5公斤。", [("drug_trafficking", "5 kg")]),
        ("5月4日，海关查获走私冻品30吨。", [("goods_smuggling", "30 tonnes")]),
        ("5月4日，警方向越方移交逃犯1名。", [("fugitive_handover", "1 fugitives")]),
        ("5月4日，凭祥遣返越南籍人员37名。", [("repatriation", "37 people")]),
        ("5月4日，中越双方在东兴开展联合巡逻。", [("joint_patrol", "")]),
        ("5月4日，双方在友谊关口岸举行会晤。", [("cooperation", "")]),
        ("5月4日，边境管理大队开展禁毒宣传，发放资料3000余份。", [("public_awareness", "over 3000 leaflets")]),
        ("5月4日，双方举行联合演练。", [("exercise", "")]),
        ("5月4日，友谊关口岸验放出入境人员1.2万人次。", [("crossing_statistics", "12000 people")]),
    ],
)
def test_every_type_from_each_languages_own_wording(run: object, text: str, expected: list) -> None:
    incidents, _ = _extract(run, text)
    got = [(i.type, ";".join(f"{c.qualifier + ' ' if c.qualifier else ''}{c.value:g} {c.unit}" for c in i.counts)) for i in incidents]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hai bên cần tiếp tục tăng cường tuần tra song phương.",  # a plan
        "Hội nghị bàn về công tác phòng, chống ma túy.",  # a topic
        "双方将继续加强联合巡逻。",  # a plan
        "会议研究了严厉打击走私工作。",  # a topic
        "那坡县查获外省务工人员20名，已遣送回原籍。",  # sent home within China: no repatriation
    ],
)
def test_plans_topics_and_home_returns_are_no_incidents(run: object, text: str) -> None:
    incidents, _ = _extract(run, text)
    assert [i.type for i in incidents if i.type in ("joint_patrol", "drug_trafficking", "goods_smuggling", "repatriation")] == []


def test_actors_in_vietnamese_and_chinese(run: object) -> None:
    incidents, _ = _extract(run, "Ngày 4/5, Bộ đội Biên phòng tỉnh Quảng Ninh đã bắt 3 đối tượng người Trung Quốc vận chuyển ma túy.")
    assert incidents[0].actors == ("Bộ đội Biên phòng tỉnh Quảng Ninh", "người Trung Quốc")
    incidents, _ = _extract(run, "据东兴市公安局通报，5月4日，警方抓获越南籍犯罪嫌疑人2名，查获冰毒1公斤。")
    assert incidents[0].actors == ("东兴市公安局", "越南籍")
    incidents, _ = _extract(run, "5月4日，Công an Hà Khẩu và Hải quan phát hiện 2 vụ buôn lậu.")
    assert incidents[0].actors == ("Công an Hà Khẩu", "Hải quan")


def test_chinese_names_inside_other_words_are_no_places(run: object) -> None:
    from geomap.places import find_mentions

    article = Article(id="a", text="新华社南宁5月16日电 记者从新华网获悉，南宁路上车流如常。", date=None)
    found = [(m.text, m.place_id) for m in find_mentions(article, matcher=run.matcher, resolver=run.resolver, cache={})]  # type: ignore[attr-defined]
    assert found == [("南宁", "cn.city.nanning")]


# -- pages -----------------------------------------------------------------------------

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("vi_boxes_without_classes.html",
         ["vừa bắt giữ 4 đối tượng", "12 bánh heroin tại khu vực giáp biên", "vận chuyển ma túy qua đường mòn"],
         ["Tin cùng chuyên mục", "50 kg ma túy ở Nghệ An", "Kiên Giang", "Xem nhiều", "Bắt 7 đối tượng", "Bản quyền", "Trang chủ"]),
        ("zh_boxes_without_classes.html",
         ["查获非法入境人员15名", "计划经靖西前往广东务工"],
         ["相关阅读", "案值2亿元", "凭祥遣返", "24小时排行", "河口查获冰毒", "版权所有", "首页"]),
        ("en_boxes_without_classes.html",
         ["stopped 11 people", "who handed them to local police"],
         ["Most read", "30 kg of heroin", "Nanning", "Related news", "smuggled sugar", "All rights reserved", "Home"]),
    ],
)
def test_pages_lose_their_navigation_and_related_and_most_read_boxes(name: str, kept: list, dropped: list) -> None:
    """Boxes found by their heading ("Tin liên quan", "相关阅读", "Most read"), lines of links, copyright lines."""
    from geomap.text.articles import read_article

    text = " ".join(read_article(PAGES / name).text.split())
    assert [k for k in kept if k not in text] == []
    assert [d for d in dropped if d in text] == []


def test_a_simulated_drill_is_a_drill_not_a_plan(run: object) -> None:
    incidents, _ = _extract(run, "5月4日，双方在河口口岸举行模拟演练，共80余人参加。")
    assert [(i.type, i.counts[0].value) for i in incidents] == [("exercise", 80.0)]


def test_a_planned_meeting_is_no_meeting(run: object) -> None:
    incidents, _ = _extract(run, "5月4日，双方拟在东兴举行会晤。")
    assert incidents == []
