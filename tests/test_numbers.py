"""Numbers and counts: every figure a report states, with its unit, qualifier and offsets."""

from __future__ import annotations

import pytest

from geomap.text.counts import QUALIFIERS, UNITS, find_counts
from geomap.text.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("146", 146),
        ("4,900", 4900),
        ("84,000", 84000),
        ("774.6", 774.6),
        ("4.2 million", 4_200_000),
        ("1.71 billion", 1_710_000_000),
        ("3 thousand", 3000),
        ("two", 2),
        ("six", 6),
        ("Thirteen", 13),
        ("twenty-five", 25),
        ("two hundred", 200),
        ("a dozen", 12),
        ("a thousand", 1000),
        ("1.450.000", 1_450_000),  # Vietnamese thousands dots, unambiguous with two groups
        ("1.450,5", 1450.5),
        ("1.450", 1.45),  # one group is ambiguous: read the English way
        ("2 triệu", 2_000_000),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["hundreds", "dozens", "thousands", "several", "", "abc", "12abc", "1,2,3", None])
def test_parse_number_gives_none_for_vague_or_non_numbers(text):
    assert parse_number(text) is None


def counts(text: str) -> list[tuple]:
    found = find_counts(text)
    for c in found:
        assert text[c.start : c.end] == c.text, c
    return [(c.value, c.unit, c.qualifier) for c in found]


def test_cases_people_and_citizens_in_one_sentence():
    text = "Officers found 58 cases of illegal crossing involving 203 individuals, including 77 Chinese citizens."
    assert counts(text) == [(58, "cases", ""), (203, "people", ""), (77, "people", "")]
    assert [c.text for c in find_counts(text)] == ["58 cases", "203 individuals", "77 Chinese citizens"]


def test_qualifiers_are_normalised():
    text = (
        "over 52,000 foreign nationals, more than 9,000 residents, about 3,100 border cases, "
        "nearly 40 migrants, up to 15 people, at least 6 defendants"
    )
    assert counts(text) == [
        (52000, "people", "over"),
        (9000, "people", "over"),
        (3100, "cases", "about"),
        (40, "people", "about"),
        (15, "people", "under"),
        (6, "defendants", "over"),
    ]
    assert find_counts(text)[0].text == "over 52,000 foreign nationals"
    assert set(QUALIFIERS.values()) == {"over", "about", "under"}


def test_weights_and_scales():
    assert counts("They seized 312.5 kilograms of heroin and 2.4 tonnes of sugar.") == [
        (312.5, "kg", ""),
        (2.4, "tonnes", ""),
    ]
    assert counts("over 3.1 million entry declarations") == [(3_100_000, "declarations", "over")]


def test_money_in_yuan_and_dollars():
    found = find_counts("goods worth 2.35 billion yuan ($327.9 million) were seized, plus VND 4 billion")
    assert [(c.value, c.unit) for c in found] == [
        (2_350_000_000, "yuan"),
        (327_900_000, "USD"),
        (4_000_000_000, "VND"),
    ]
    assert found[1].text == "$327.9 million"


@pytest.mark.parametrize(
    "text",
    ["from 20 to 25 people", "20-25 people", "20 to 25 people", "between 20 and 25 people", "20 – 25 people"],
)
def test_ranges(text):
    (c,) = find_counts(text)
    assert (c.value, c.value_max, c.unit, c.qualifier) == (20, 25, "people", "range")
    assert c.text == text


def test_scale_of_the_upper_end_applies_to_both():
    (c,) = find_counts("2 to 3 million people")
    assert (c.value, c.value_max) == (2_000_000, 3_000_000)


def test_several_counts_joined_by_and():
    assert counts("clearance for more than 610,000 people and 98,000 vehicles") == [
        (610000, "people", "over"),
        (98000, "vehicles", ""),
    ]


def test_patrols_officers_leaflets_talks_operations_files():
    text = (
        "They held 12 joint patrols involving 310 officers, handed out 4,210 leaflets, held 8 talks, "
        "ran 97 joint operations and swapped 150 case information files."
    )
    assert counts(text) == [
        (12, "patrols", ""),
        (310, "officers", ""),
        (4210, "leaflets", ""),
        (8, "talks", ""),
        (97, "operations", ""),
        (150, "files", ""),
    ]


def test_people_like_units_stay_distinct():
    text = "They arrested 31 suspects, tried 9 defendants, returned 5 wanted fugitives and freed 18 victims."
    assert [u for _, u, _ in counts(text)] == ["suspects", "defendants", "fugitives", "victims"]
    assert {"suspects", "defendants", "fugitives", "victims", "people"} <= set(UNITS.values())


def test_number_words_with_a_unit_noun():
    assert counts("Police handed over three Chinese most wanted to the other side.") == [(3, "fugitives", "")]
    assert counts("Eleven cases involved a dozen migrants.") == [(11, "cases", ""), (12, "people", "")]
    assert counts("They rescued seven victims.") == [(7, "victims", "")]


def test_handed_over_is_not_a_qualifier():
    (c,) = find_counts("The side handed over 4 fugitives.")
    assert (c.qualifier, c.text) == ("", "4 fugitives")


def test_vague_quantities_make_no_count():
    assert find_counts("They handled hundreds of criminal cases and dozens of migrants.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The plan was signed in 2021 by both sides.",
        "They met on March 9 at the gate.",
        "Thứ Bảy, 09/03/2024, 18:40",
        "Updated: 2024-03-09 18:40",
        "the 4th conference and the 11th meeting of the 19th Party Congress",
        "a 34-year-old man and a 100-year goal after COVID-19",
        "Police questioned 17-year-old students and 3-month-old children.",
        "On November 30 officers from both sides met.",
        "On 2 July officers met again.",
        "after more than two years of work and six months of talks",
        "Call 0912 345 678 or +84 912345678 for details.",
        "Decree No. 12 and Article 5 apply.",
        "The talks followed the 1 + 5 mechanism.",
    ],
)
def test_not_counts(text):
    assert find_counts(text) == []


def test_list_numbering_is_not_a_count():
    text = "1. Nine people were caught.\n2) Four boats were stopped."
    assert counts(text) == [(9, "people", ""), (4, "boats", "")]


def test_numbers_without_a_unit_are_left_out():
    assert find_counts("with more than 150,000 currently living in the city") == []


def test_start_end_limit_the_search_and_offsets_index_the_text():
    text = "First: 10 cases. Second: 20 people."
    cut = text.index("Second")
    (c,) = find_counts(text, start=cut)
    assert (c.value, c.start, c.end) == (20, text.index("20"), len(text) - 1)
    assert [x.value for x in find_counts(text, end=cut)] == [10]


def test_offsets_hold_with_non_ascii_text_around():
    text = "Tại Lạng Sơn, công an bắt 14 suspects — và 3 nghìn people."
    found = find_counts(text)
    assert [(c.value, c.unit) for c in found] == [(14, "suspects"), (3000, "people")]
    assert all(text[c.start : c.end] == c.text for c in found)


def test_partitive_is_read_through():
    assert counts("They found 88 people, 31 of them Lao citizens.") == [(88, "people", ""), (31, "people", "")]


def test_prices_and_distances_are_not_counts():
    assert find_counts("Each migrant paid 4 million dong a person to the broker.") == []
    assert find_counts("They charged $300 per person for the trip.") == []
    assert find_counts("The border is 1,300 kilometers long and the fence 12 km.") == []


def test_a_singular_noun_used_as_a_modifier_is_not_the_unit():
    assert counts("Police detained two boat owners.") == [(2, "people", "")]
    assert find_counts("They ran 5 vehicle inspections.") == []


def test_talks_and_meetings_stay_apart_and_roles_are_people():
    assert counts("They held 6 talks and 14 meetings; 3 brokers and 2 suspects were held.") == [
        (6, "talks", ""),
        (14, "meetings", ""),
        (3, "people", ""),
        (2, "suspects", ""),
    ]


def test_odd_input_never_raises_and_offsets_hold():
    import random

    tokens = (
        "over about 1,000 1.000.000 4.2 million billion people cases $ ¥ VND yuan a dozen twenty-five "
        "hundreds \n 1. 2) +84 0912 12 - – to and between from of them each a person kg tonnes , . ( )"
    ).split(" ")
    rng = random.Random(11)
    for _ in range(3000):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 12)))
        for c in find_counts(text):
            assert text[c.start : c.end] == c.text
            assert c.value_max is None or c.value_max > c.value
            assert c.qualifier in ("", "over", "about", "under", "range")
        parse_number(text)


def test_hundreds_with_and_in_words():
    assert counts("Guards held one hundred and twenty-five people.") == [(125, "people", "")]


def test_a_rejected_range_leaves_its_second_number():
    assert counts("five and six people") == [(6, "people", "")]


def test_years_before_a_noun_are_not_counts():
    assert find_counts("In 2023 people crossed less often; from 2019 to 2023 people waited.") == []


def test_vietnamese_counts():
    assert counts("Lực lượng chức năng bắt 14 đối tượng người Trung Quốc và 2 bị can.") == [
        (14, "suspects", ""),
        (2, "defendants", ""),
    ]
    # the Vietnamese noun settles "1.450" as a thousand four hundred and fifty
    assert counts("Đã làm thủ tục cho hơn 1.450 lượt người và 320 phương tiện.") == [
        (1450, "people", "over"),
        (320, "vehicles", ""),
    ]
    assert counts("thu giữ 2,5 tấn hàng hóa trị giá 1,2 tỷ đồng") == [(2.5, "tonnes", ""), (1.2e9, "VND", "")]
    assert counts("phát hiện khoảng 36 vụ với 118 người") == [(36, "cases", "about"), (118, "people", "")]


def test_quick_checks_before_the_regexes_change_nothing():
    # find_counts looks at the next character or two before some regexes; these
    # are the cases where a look that short could go wrong
    assert counts("a 5 \u212am road and 3 people") == [(3, "people", "")]  # (?i) reads the Kelvin sign as "k"
    assert counts("5 KM of road, 3 people") == [(3, "people", "")]
    assert counts("195 OF them Chinese citizens") == [(195, "people", "")]
    assert counts("7 Days later 3 people") == [(3, "people", "")]
    assert counts("4 -5 people and 6 \u2013 8 boats") == [(4, "people", "range"), (6, "boats", "range")]
    assert counts("1.\t5 people") == [(5, "people", "")]
    assert counts("Notes:\n  2) 7 people were held") == [(7, "people", "")]
    assert counts("On 3 March 20 people") == []
    assert counts("4,900 people and 4,900 vehicles") == [(4900, "people", ""), (4900, "vehicles", "")]


def test_fast_anchor_search_finds_what_the_plain_anchor_finds():
    # find_counts finds where a number may start with _WORD_ANCHOR_AT and
    # _ANCHOR_AFTER (for speed); from any position they must find what _ANCHOR finds
    import random

    from geomap.text import numbers

    def fast(text: str, pos: int, hi: int) -> tuple[int, int] | None:
        if pos < hi and text[pos] in numbers._WORD_FIRST:
            m = numbers._WORD_ANCHOR_AT.match(text, pos, hi)
            if m is not None:
                return m.span()
        m = numbers._ANCHOR_AFTER.search(text, pos, hi)
        if m is None:
            return None
        return m.span(1) if m.start(1) >= 0 else m.span()

    rng = random.Random(3)
    parts = [*"0123456789 $\n\t_xAaOoTtFfSsEeNnZzé٣", "one", "Two", "three", "seven", "eleven", "twenty", "ninety"]
    parts += ["a dozen", "A hundred", "thousand", "ero", "ven", "een", "ty", "\xa0", "-", "five", "5one", "$two", "often"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 10)))
        hi = rng.randint(0, len(text))
        for pos in range(hi + 1):
            plain = numbers._ANCHOR.search(text, pos, hi)
            assert fast(text, pos, hi) == (plain.span() if plain else None), (text, pos, hi)
