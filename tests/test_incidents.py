"""Incidents: sentence splitting, the taxonomy, clause splitting, counts, dates, places, actors."""

from __future__ import annotations

import datetime as dt

import pytest
from _extract import article, tools

from geomap.incidents import CUES, find_incidents, split_sentences
from geomap.places import find_mentions
from geomap.records import INCIDENT_TYPES


@pytest.fixture(scope="module")
def kit():
    return tools()


def _incidents(kit, text: str, **kwargs):
    gazetteer, matcher, resolver = kit
    a = article(text, **kwargs)
    mentions = find_mentions(a, matcher=matcher, resolver=resolver)
    found = find_incidents(a, mentions=mentions, gazetteer=gazetteer)
    for incident in found:
        assert a.text[incident.start : incident.end] == incident.sentence
    return found


def _counts(incident) -> list[tuple[float, str]]:
    return [(c.value, c.unit) for c in incident.counts]


def test_sentences_split_on_periods_but_not_abbreviations_or_decimals() -> None:
    text = (
        "Lt. Col. Tran met U.S. officials at No. 4 gate. Police seized 4.2 kg of heroin!\n"
        "A line with no final period\n"
        "Was it the last one? Yes."
    )
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans == [
        "Lt. Col. Tran met U.S. officials at No. 4 gate.",
        "Police seized 4.2 kg of heroin!",
        "A line with no final period",
        "Was it the last one?",
        "Yes.",
    ]


def test_every_type_has_cues_and_belongs_to_the_taxonomy() -> None:
    assert set(CUES) | {"cooperation", "other"} == set(INCIDENT_TYPES)
    assert all(CUES[t] for t in CUES)


def test_one_sentence_with_two_incidents_is_split_into_clauses(kit) -> None:
    text = (
        "Since January, officers in Ho Chi Minh City found 146 cases of illegal entry and exit, with "
        "431 people caught, 195 of them from China; in 14 of those cases prosecutors brought charges against "
        "42 defendants for organising illegal crossings."
    )
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["illegal_crossing", "migrant_smuggling"]
    assert _counts(found[0])[:2] == [(146, "cases"), (431, "people")]
    assert _counts(found[1]) == [(14, "cases"), (42, "defendants")]
    assert [i.id for i in found] == ["t1#1", "t1#2"]
    for incident in found:
        assert incident.place_id == "vn.province.ho-chi-minh" and incident.location_precision == 4
        assert incident.date.precision == "since" and incident.date.start == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("sentence", "kind", "counts"),
    [
        ("Border guards in Lao Cai on May 3 seized 12 kg of methamphetamine from two couriers.", "drug_trafficking", [(12, "kg")]),
        ("Customs officers in Mong Cai on May 2 found 300 cartons of contraband cigarettes in a truck.", "goods_smuggling", None),
        ("On May 9 Chinese police handed over three fugitives wanted for fraud at the Huu Nghi border gate.", "fugitive_handover", [(3, "fugitives")]),
        ("Cambodia repatriated 58 Vietnamese citizens through Svay Rieng on May 12.", "repatriation", [(58, "people")]),
        ("Officers from both sides carried out 4 joint patrols along the Quang Ninh border in April.", "joint_patrol", [(4, "patrols")]),
        ("Border posts in Lang Son handed out 1,500 leaflets on the rules for crossing in April.", "public_awareness", [(1500, "leaflets")]),
        ("Police rescued 7 women who were victims of human trafficking in Guangxi on May 1.", "human_trafficking", None),
        ("A joint rescue drill was held in Hekou on May 14 with teams from both countries.", "exercise", []),
        ("In April the Huu Nghi gate cleared more than 80,000 passengers and 20,000 vehicles.", "crossing_statistics", [(80000, "people"), (20000, "vehicles")]),
        ("On May 4 guards stopped 9 people who had crossed illegally from Laos into Lao Cai.", "illegal_crossing", [(9, "people")]),
    ],
)
def test_incident_types_and_counts(kit, sentence: str, kind: str, counts) -> None:
    found = _incidents(kit, sentence)
    assert [i.type for i in found][:1] == [kind], [(i.type, _counts(i)) for i in found]
    if counts is not None:
        assert _counts(found[0]) == counts


def test_exhortations_and_topics_are_not_incidents(kit) -> None:
    text = (
        "The two sides need to strengthen joint patrols against illegal entry and exit.\n"
        "Both ministries will share information on drug trafficking.\n"
        "The talks covered cooperation in preventing illegal crossings."
    )
    assert _incidents(kit, text) == []


def test_a_meeting_that_happened_is_one_cooperation_incident_at_its_venue(kit) -> None:
    text = (
        "Police of Lang Son and Guangxi held a conference in Pingxiang on May 15. "
        "At the conference, the two sides signed a memorandum of understanding."
    )
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["cooperation"]
    meeting = found[0]
    assert meeting.place_id == "cn.district.pingxiang" and meeting.location_precision == 3
    assert ("cn.district.pingxiang", "venue") in [(p.place_id, p.role) for p in meeting.places]
    assert meeting.date.start == dt.date(2024, 5, 15) and meeting.date.precision == "day"


def test_precision_gate_province_border_and_country(kit) -> None:
    gate = _incidents(kit, "On May 2 officers at the Huu Nghi border gate stopped 5 people crossing illegally.")[0]
    assert (gate.place_id, gate.location_precision) == ("vn.border_gate.huu-nghi", 1)
    border = _incidents(kit, "Along the Vietnam-China border, officers uncovered 437 drug trafficking cases in 2023.")[0]
    assert border.location_precision == 5 and border.place_id in {"vn.country.vn", "cn.country.cn"}
    assert {p.place_id for p in border.places} == {"vn.country.vn", "cn.country.cn"}
    nowhere = _incidents(kit, "Officers uncovered 12 drug trafficking cases in 2023.")[0]
    assert (nowhere.place_id, nowhere.location_precision) == (None, 6)


@pytest.mark.parametrize(
    "opening",
    [
        "Clearance on the China-Vietnam border has become faster, officials said.",
        "Officials reviewed the year on the border between China and Vietnam.",
    ],
)
def test_a_figure_naming_no_place_in_a_report_on_a_border_is_drawn_at_that_border(kit, opening) -> None:
    text = f"{opening}\n\nWork went well. Since 2019, a total of 84,000 people who entered illegally have been repatriated."
    back = [i for i in _incidents(kit, text) if i.type == "repatriation"][0]
    assert (back.place_id, back.location_precision) == ("cn.country.cn", 5)
    assert [(p.place_id, p.role) for p in back.places] == [("cn.country.cn", "party"), ("vn.country.vn", "party")]


def test_two_countries_named_without_a_border_give_no_border(kit) -> None:
    text = "Vietnam and China signed a trade deal on May 2.\n\nWork went well. Since 2019, a total of 84,000 people were repatriated."
    back = [i for i in _incidents(kit, text) if i.type == "repatriation"][0]
    assert (back.place_id, back.location_precision) == (None, 6)


def test_place_carried_from_the_sentence_before_in_the_paragraph(kit) -> None:
    text = "Police in Quang Ninh province held a review on May 10. They had seized 40 kg of heroin since January."
    drugs = [i for i in _incidents(kit, text) if i.type == "drug_trafficking"][0]
    assert drugs.place_id == "vn.province.quang-ninh" and drugs.location_precision == 4


def test_undated_sentence_takes_the_publication_month_flagged(kit) -> None:
    incident = _incidents(kit, "Guards in Lao Cai seized 3 kg of heroin.", day=dt.date(2024, 5, 20))[0]
    assert (incident.date.start, incident.date.end, incident.date.precision) == (dt.date(2024, 5, 1), dt.date(2024, 5, 31), "month")
    assert incident.date.text == ""  # the flag: no words in the text state this date
    assert _incidents(kit, "Guards in Lao Cai seized 3 kg of heroin.", day=None)[0].date is None


def test_actors_agencies_and_nationalities(kit) -> None:
    text = "On May 8 the Ministry of Public Security and Guangxi police handed over 2 Chinese fugitives to the National Immigration Administration."
    incident = _incidents(kit, text)[0]
    assert incident.actors == ("Ministry of Public Security", "Guangxi police", "Chinese", "National Immigration Administration")


def test_headline_is_not_evidence(kit) -> None:
    title = "Lao Cai police seize 12 kg of heroin"
    text = f"{title}\n\nPolice in Lao Cai on May 3 seized 12 kg of heroin at a bus station."
    found = _incidents(kit, text, title=title)
    assert len(found) == 1 and found[0].sentence.startswith("Police in Lao Cai")


@pytest.mark.parametrize("tail", [" -0", " - VOV.VN", " | Lang Son newspaper", ""])
def test_headline_repeated_as_a_caption_is_not_evidence(kit, tail) -> None:
    """Scraped pages repeat the title under each photo, with a number or the site's name after it."""
    title = "Lao Cai police seize 12 kg of heroin"
    text = f"{title}\n\nPolice in Lao Cai on May 3 seized 12 kg of heroin at a bus station.\n\n{title}{tail}\n\nThe case is under investigation."
    found = _incidents(kit, text, title=title)
    assert [i.sentence[:17] for i in found] == ["Police in Lao Cai"]


def test_a_sentence_that_goes_on_from_the_headline_is_read(kit) -> None:
    title = "Lao Cai police seize heroin"
    text = f"{title} worth 2 billion dong at a bus station on May 3, officers said."
    assert [i.type for i in _incidents(kit, text, title=title)] == ["drug_trafficking"]


def test_same_input_same_output(kit) -> None:
    text = "On May 4 guards stopped 9 people who had crossed illegally from Laos into Lao Cai. Police seized 3 kg of heroin."
    assert _incidents(kit, text) == _incidents(kit, text)


def test_figure_for_the_whole_border_is_drawn_at_precision_5(kit) -> None:
    text = (
        "Officials from Vietnam and China met in Lang Son on May 2.\n\n"
        "So far this year, the two sides have carried out 24 joint border patrols."
    )
    patrol = [i for i in _incidents(kit, text) if i.type == "joint_patrol"][0]
    assert patrol.location_precision == 5 and patrol.place_id == "vn.country.vn"
    assert {(p.place_id, p.role) for p in patrol.places} == {("vn.country.vn", "party"), ("cn.country.cn", "party")}


def test_dateline_place_when_the_sentence_names_none(kit) -> None:
    text = "LAO CAI - Border guards held a review on Monday.\n\nThey had handled 4 trafficking cases involving 11 victims in the first half of the year."
    incident = [i for i in _incidents(kit, text) if i.type == "human_trafficking"][0]
    assert (incident.place_id, incident.location_precision) == ("vn.province.lao-cai", 4)


def test_a_fact_repeated_without_figures_is_one_incident(kit) -> None:
    text = (
        "Police in Lao Cai broke up a heroin ring.\n\n"
        "On May 3 officers seized 12 kg of heroin in Lao Cai.\n\n"
        "The heroin had come from the mountains, police said."
    )
    drugs = [i for i in _incidents(kit, text) if i.type == "drug_trafficking"]
    assert len(drugs) == 1 and _counts(drugs[0]) == [(12, "kg")]
    # but a second event on its own date is kept
    text2 = "On May 21 police in Lao Cai handed over a man wanted for fraud.\n\nSince January, police have handed over 5 fugitives."
    assert [i.type for i in _incidents(kit, text2)] == ["fugitive_handover", "fugitive_handover"]


def test_a_plan_after_the_fact_does_not_undo_it(kit) -> None:
    text = "Police of Lang Son and Guangxi met in Pingxiang on May 15 and agreed to share information faster."
    found = _incidents(kit, text)
    assert [i.type for i in found] == ["cooperation"]
    assert found[0].date.start == dt.date(2024, 5, 15)


# -- the shortcuts taken for speed give the same results -------------------------------

_SAMPLE_REPORTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "samples" / "reports"


def _sample_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(_SAMPLE_REPORTS.iterdir()) if p.is_file()]
    assert len(texts) >= 12
    return texts


def test_fold_text_is_fold_of_the_whole_text() -> None:
    from geomap.incidents import fold_text
    from geomap.normalize import fold

    odd = "İstanbul `Lao Cai` Đà Nẵng – 凭祥市 ＡＢＣ ß ĐÀ NẴNG’s “Móng Cái”"
    for text in [*_sample_texts(), odd, "plain ASCII, `Lang Son`", "Đ", "", "x\u0301y"]:
        assert fold_text(text) == fold(text)
        assert len(fold_text(text)) == len(text)


def test_word_form_is_fold_with_every_non_word_character_a_space() -> None:
    import re

    from geomap.normalize import fold
    from geomap.places import word_form

    odd = "İstanbul `Lao Cai` Đà Nẵng – 凭祥市 ＡＢＣ ß ĐÀ NẴNG’s “Móng Cái”\n(Hà Giang)"
    for text in [*_sample_texts(), odd, "plain ASCII, `Lang Son`!", ""]:
        expected = "".join(c if re.match(r"\w", c) else " " for c in fold(text))
        assert word_form(text) == expected


def test_every_cue_match_holds_one_of_the_literals_its_regex_is_gated_on() -> None:
    # a cue regex runs only on texts holding one of its literals: that must never lose a match
    from geomap.cues import _COOPERATION_EVENT, _COOPERATION_NEEDS, _CUE_PATTERNS, _clue_size, _required
    from geomap.incidents import fold_text

    sentences = [
        "Police co-chaired a meeting; officials sat down and signed a memorandum on border management.",
        "Guards stopped 12 people who slipped across the border and 3 who were attempting to cross illegally.",
        "They handed over 40 citizens and sent back 12 migrants; 2 brokers organised illegal entries.",
        "Human trafficking rings sold women into forced marriage; the drug-trafficking gang carried 40 kg.",
    ]
    folded = [fold_text(t) for t in [*_sample_texts(), *sentences]]
    patterns = [(p, needs) for _, _, p, needs, _ in _CUE_PATTERNS] + [(_COOPERATION_EVENT, _COOPERATION_NEEDS)]
    matched = 0
    for pattern, needs in patterns:
        assert needs is None or min(map(_clue_size, needs)) >= 3  # a Chinese character counts for two
        for text in folded:
            for m in pattern.finditer(text):
                matched += 1
                assert needs is None or any(lit in m.group() for lit in needs), (pattern.pattern, m.group())
    assert matched > 100
    # the literals are read from the pattern: a required word, or one from each branch
    assert _required(r"(?:crossed|entered)(?: [\w-]+){0,3} illegally") == (" illegally",)
    assert _required(r"co-?chaired|hosted") == ("chaired", "hosted")
    assert _required(r"(?:a|b)?x") is None
    # read without Python's private parser: what it does not know gives no clue, never a wrong one
    assert _required(r"(?i)smuggled") is None
    assert _required(r"(abc)\1def") is None
    assert _required(r"smugg(?:l|le)?ed{2,3} goods") == (" goods",)
    assert _required(r"a[)|(]bcdef") == ("bcdef",)


def test_cues_tried_only_at_their_prefixes_are_the_cues_a_full_search_finds() -> None:
    # a cue regex that opens with a group of words runs only where one of them stands
    from geomap.cues import _CUE_LITERALS, _CUE_PATTERNS, _cues, _most_specific, _prefixes
    from geomap.incidents import fold_text

    assert _prefixes(r"(?:crossed|passed through) the gates?") == ("crossed", "passed through")
    assert _prefixes(r"(?<!drug )trafficking (?:ring|gang)") == ("trafficking ",)
    assert _prefixes(r"organi[sz]\w* illegal") == ("organi",)
    assert _prefixes(r"(?:crossed|a) x") is None  # a branch too short to be worth it
    assert _prefixes(r"\w+ illegally") is None
    sentences = [
        "Guards caught 3 people carrying 40 kg of heroin and 2 illegal entrants; illegal entries rose.",
        "Vehicles crossed the border gates; 900 entries and exits were processed; they crossed illegally.",
        "A drug trafficking ring and a trafficking ring of brokers; illegally illegal entry entry.",
        "Trucks loaded with 20 tonnes of sugar passed through the gate, loaded with 5 crates.",
    ]
    texts = [fold_text(t) for t in [*_sample_texts(), *sentences, " ".join(sentences)]]

    def every_position(folded: str) -> list:
        hits = []
        for kind, rank, pattern, _, _ in _CUE_PATTERNS:
            for m in pattern.finditer(folded):
                # a word boundary before the cue, except in Chinese (written without spaces)
                if not (m.start() and folded[m.start() - 1].isalnum() and folded[m.start()] < "\u2e80"):
                    hits.append((m.start(), rank, -m.end(), kind))
        return [(kind, start, -end) for start, _, end, kind in _most_specific(hits)]

    total = 0
    for folded in texts:
        got = [(c.type, c.start, c.end) for c in _cues(folded, list(_CUE_LITERALS.iter(folded)))]
        assert got == every_position(folded)
        total += len(got)
    assert total > 50
    assert sum(prefixes is not None for *_, prefixes in _CUE_PATTERNS) > 20


def test_fast_regex_forms_find_what_their_plain_forms_find() -> None:
    # sentence ends and role words are searched with faster forms of plain regexes
    import random

    from geomap.incident_places import _ROLE_BEFORE, _ROLE_BEFORE_ONE, _ROLE_OF_GROUP
    from geomap.text.sentences import _ABBREVIATIONS, _SENTENCE_END_OR_SURE_RE, _SENTENCE_END_RE, fold_text

    # the sure-end form spells each abbreviation as ASCII letters of at most six
    assert all(a.isascii() and a.isalpha() and len(a) <= 6 for a in _ABBREVIATIONS)
    rng = random.Random(7)
    pieces = ["Lt.", " ", "\n", "\n\n", "word", "Word", ".", "!", "?", "…", '"', "”", ")", "4.2", "U.S.", "\t",
              "\u00a0", "no.", "No. 5", "approx.", "a", "B", "(", "’", "%", "-", "x" * 17,
              "。", "；", "！", "」", "查获", "TP."]
    texts = [*_sample_texts()] + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(20000)]
    sure = 0
    for text in texts:
        fast = list(_SENTENCE_END_OR_SURE_RE.finditer(text))
        assert [m.span() for m in fast] == [m.span() for m in _SENTENCE_END_RE.finditer(text)], text
        sure += sum(m.group(1) is not None for m in fast)
    assert sure > 1000
    roles = 0
    for text in map(fold_text, _sample_texts()):
        for end in range(len(text) + 1):
            window = text[max(0, end - 30) : end]
            plain = next((role for pattern, role in _ROLE_BEFORE if pattern.search(window)), None)
            found = _ROLE_BEFORE_ONE.search(window)
            assert (_ROLE_OF_GROUP[found.lastindex] if found else None) == plain, window
            roles += plain is not None
    assert roles > 100


def test_gated_extraction_finds_the_same_incidents_as_reading_every_sentence(kit) -> None:
    # counts and dates are read only in sentences with a cue; a sentence without
    # a date still takes the last date before it in its paragraph
    text = (
        "Officials met reporters on Monday. On May 3, heavy rain closed the road near Lang Son.\n"
        "Border guards in Lang Son stopped 14 people who had crossed illegally from China. "
        "The market reopened with 300 traders.\n\n"
        "In April, police in Mong Cai seized 8 kg of heroin."
    )
    found = _incidents(kit, text)
    assert [(i.type, _counts(i)) for i in found] == [("illegal_crossing", [(14, "people")]), ("drug_trafficking", [(8, "kg")])]
    assert found[0].date.start == dt.date(2024, 5, 3) and found[0].date.text == "May 3"
    assert found[1].date.precision == "month" and found[1].date.text == "April"


def test_meetings_found_stretch_by_stretch_are_those_of_the_whole_text() -> None:
    from geomap.cues import _COOPERATION_EVENT, _CUE_LITERALS, _meetings
    from geomap.incidents import fold_text

    texts = [*_sample_texts(),
        "They met with reporters. The meeting; was held in Hanoi on May 3.",
        "A working session\nheld on May 3 co-chaired by both sides; they signed a memorandum of understanding.",
        "The conference in Lang Son, which many officials attended, was held on Monday. Hội nghị. Ký kết",
        "No meeting words here at all.", ""]  # fmt: skip
    found = 0
    for text in map(fold_text, texts):
        stretched = [(c.start, c.end) for c in _meetings(text, list(_CUE_LITERALS.iter(text)))]
        assert stretched == [m.span() for m in _COOPERATION_EVENT.finditer(text)]
        found += len(stretched)
    assert found >= 8
