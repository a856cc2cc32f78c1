"""Dates and periods as reports state them, resolved against the article's date."""

from __future__ import annotations

import datetime as dt

import pytest

from geomap._errors import InputError
from geomap.records import DATE_PRECISIONS, DateSpan
from geomap.text.dates import find_dates, parse_date, parse_iso_date_arg
from geomap.text.publication import find_publication_date

D = dt.date
REF = D(2024, 11, 6)  # the article's own date in most tests below


def only(text: str, ref=REF) -> DateSpan:
    spans = find_dates(text, ref=ref)
    assert len(spans) == 1, spans
    span = spans[0]
    assert text[span.begin : span.stop] == span.text
    assert span.precision in DATE_PRECISIONS
    return span


# -- parse_date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2024-03-09", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("Updated: 2024-03-09 18:40", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("2024-03-09T18:40:00+07:00", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("09/03/2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("09-03-2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("09.03.2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("03/25/2024", D(2024, 3, 25), D(2024, 3, 25), "day"),  # second part > 12: month first
        ("March, 9 2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("9 March 2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("March 9, 2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("Thứ Bảy, 09/03/2024, 18:40", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("Saturday, March 9, 2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("ngày 9 tháng 3 năm 2024", D(2024, 3, 9), D(2024, 3, 9), "day"),
        ("March 2024", D(2024, 3, 1), D(2024, 3, 31), "month"),
        ("february 2024", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2024", D(2024, 1, 1), D(2024, 12, 31), "year"),
    ],
)
def test_parse_date_forms(text, start, end, precision):
    span = parse_date(text)
    assert span is not None
    assert (span.start, span.end, span.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "31/02/2024", "2024-13-01", "March", "146 cases", "12:30", "1999 people"]
)
def test_parse_date_gives_none_for_non_dates(text):
    assert parse_date(text) is None


def test_parse_date_never_raises_on_odd_input():
    assert parse_date(None) is None  # type: ignore[arg-type]
    assert parse_date("\x00\x01") is None


def test_parse_iso_date_arg():
    assert parse_iso_date_arg("2024-03-09") == D(2024, 3, 9)
    for bad in ("2024-3-9", "09/03/2024", "2024-02-30", "yesterday"):
        with pytest.raises(InputError, match=r"bad date: .* \(expected YYYY-MM-DD\)"):
            parse_iso_date_arg(bad)
    with pytest.raises(ValueError):  # InputError is a ValueError too
        parse_iso_date_arg("x")


# -- find_dates: days and months --------------------------------------------------------


def test_day_without_year_takes_the_reference_year():
    span = only("The delegations met On October 28 at the border gate.")
    assert (span.start, span.precision, span.text) == (D(2024, 10, 28), "day", "October 28")


def test_day_after_the_reference_date_is_last_year():
    span = only("The talks opened on December 2 in the provincial capital.")
    assert span.start == D(2023, 12, 2)


def test_british_day_month_without_year():
    assert only("Officers met on 3 September at the gate.").start == D(2024, 9, 3)


def test_full_dates_in_running_text():
    text = "Signed on March 9, 2021 and renewed on 14 May 2023, with a review on 2023-08-01."
    spans = find_dates(text, ref=REF)
    assert [s.start for s in spans] == [D(2021, 3, 9), D(2023, 5, 14), D(2023, 8, 1)]
    assert all(s.precision == "day" for s in spans)
    assert all(text[s.begin : s.stop] == s.text for s in spans)


def test_vietnamese_weekday_date():
    span = only("Thứ Sáu, 15/03/2024, 09:10")
    assert span.start == D(2024, 3, 15)
    assert span.text.startswith("Thứ Sáu")


def test_month_with_and_without_year():
    assert only("The agreement was signed in March 2022.").start == D(2022, 3, 1)
    span = only("A joint committee met in September to review the markers.")
    assert (span.start, span.end, span.precision, span.text) == (D(2024, 9, 1), D(2024, 9, 30), "month", "September")
    # a month after the reference month belongs to the year before
    assert only("The drill was held in December.").start == D(2023, 12, 1)


def test_year_after_a_preposition():
    span = only("Police handed over three fugitives in 2021.")
    assert (span.start, span.end, span.precision, span.text) == (D(2021, 1, 1), D(2021, 12, 31), "year", "2021")


def test_bare_numbers_and_lowercase_month_words_are_not_dates():
    assert find_dates("They seized 2021 tablets and may march on.", ref=REF) == []
    assert find_dates("Officers may meet again; the exercise 2025 edition.", ref=REF) == []


# -- ranges -------------------------------------------------------------------------------


def test_day_range_with_dash():
    span = only("An exercise took place on September 10 - 12 near the river.")
    assert (span.start, span.end, span.precision) == (D(2024, 9, 10), D(2024, 9, 12), "range")


def test_day_range_with_from_to():
    span = only("The conference ran from May 21 to 23 in the city.")
    assert (span.start, span.end, span.precision, span.text) == (
        D(2024, 5, 21), D(2024, 5, 23), "range", "from May 21 to 23",
    )


def test_range_across_months_with_year():
    span = only("A visit from November 28 to December 2, 2022 sealed the plan.")
    assert (span.start, span.end, span.precision) == (D(2022, 11, 28), D(2022, 12, 2), "range")


def test_british_day_range():
    span = only("Patrols ran 14-16 August 2023 along the river.")
    assert (span.start, span.end) == (D(2023, 8, 14), D(2023, 8, 16))


def test_month_range():
    span = only("The campaign covered the period from March to September.")
    assert (span.start, span.end, span.precision) == (D(2024, 3, 1), D(2024, 9, 30), "range")
    span = only("Checks ran from November 2022 to February 2023.")
    assert (span.start, span.end) == (D(2022, 11, 1), D(2023, 2, 28))


def test_year_range():
    assert (only("between 2018 and 2021 the gate was shut").start, only("from 2018 to 2021").end) == (
        D(2018, 1, 1), D(2021, 12, 31),
    )


def test_and_joins_a_range_only_after_between():
    spans = find_dates("Officers met on May 3 and June 4.", ref=REF)
    assert [(s.start, s.precision) for s in spans] == [(D(2024, 5, 3), "day"), (D(2024, 6, 4), "day")]


# -- since and relative periods ---------------------------------------------------------------


def test_since_a_year_runs_to_the_reference_date():
    span = only("Since 2020, the two sides have held regular talks.")
    assert (span.start, span.end, span.precision, span.text) == (D(2020, 1, 1), REF, "since", "Since 2020")


def test_since_without_reference_has_no_end():
    span = only("Since 2020, talks were held.", ref=None)
    assert (span.start, span.end, span.precision) == (D(2020, 1, 1), None, "since")


def test_since_a_full_date():
    span = only("No crossings were recorded since March 9, 2024.")
    assert (span.start, span.end, span.precision) == (D(2024, 3, 9), REF, "since")


@pytest.mark.parametrize(
    "text",
    [
        "So far this year, officers caught 30 people.",
        "Since the beginning of the year, officers caught 30 people.",
        "Since the start of this year, officers caught 30 people.",
    ],
)
def test_this_year_so_far(text):
    span = only(text)
    assert (span.start, span.end, span.precision) == (D(2024, 1, 1), REF, "since")


def test_from_the_beginning_of_a_year_to_the_present():
    span = only("From the beginning of 2023 to the present, the city logged many entries.")
    assert (span.start, span.end, span.precision) == (D(2023, 1, 1), REF, "since")
    assert span.text == "From the beginning of 2023 to the present"


def test_from_a_month_to_the_present():
    span = only("from June 2023 to the present, the office worked")
    assert (span.start, span.end, span.precision) == (D(2023, 6, 1), REF, "since")


def test_past_year_and_past_n_months():
    span = only("In the past year, the two sides met four times.")
    assert (span.start, span.end, span.precision) == (D(2023, 11, 6), REF, "range")
    span = only("Over the last three months, 12 boats were stopped.")
    assert (span.start, span.end) == (D(2024, 8, 6), REF)


def test_vague_periods_are_left_out():
    assert find_dates("Over the past months, they checked many trucks.", ref=REF) == []
    assert find_dates("On the same day, the delegation left.", ref=REF) == []


def test_last_month_and_last_year():
    spans = find_dates("Arrests rose last month, after a quiet last year.", ref=REF)
    assert [(s.start, s.end, s.precision) for s in spans] == [
        (D(2024, 10, 1), D(2024, 10, 31), "month"),
        (D(2023, 1, 1), D(2023, 12, 31), "year"),
    ]


def test_relative_dates_need_a_reference():
    text = "On October 28, and last month, and in September, and so far this year."
    assert find_dates(text, ref=None) == []


def test_reference_may_be_a_datespan():
    ref = DateSpan(D(2024, 1, 1), D(2024, 12, 31), "year")
    assert only("On October 28 they met.", ref=ref).start == D(2024, 10, 28)


def test_start_and_end_limit_the_search_and_offsets_stay_global():
    text = "First sentence, March 9, 2021. Second one: June 1, 2022."
    cut = text.index("Second")
    spans = find_dates(text, ref=REF, start=cut)
    assert [s.start for s in spans] == [D(2022, 6, 1)]
    assert text[spans[0].begin : spans[0].stop] == "June 1, 2022"
    assert find_dates(text, ref=REF, end=cut)[0].start == D(2021, 3, 9)


def test_longest_reading_wins():
    # the whole range, not "December 2, 2022" on its own
    spans = find_dates("from November 28 to December 2, 2022", ref=REF)
    assert len(spans) == 1 and spans[0].precision == "range"


# -- publication date from header lines ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "day"),
    [
        ("By A. Writer | Border Daily | Updated: 2024-03-09 18:40", D(2024, 3, 9)),
        ("March, 9 2024", D(2024, 3, 9)),
        ("Thứ Bảy, 09/03/2024, 18:40", D(2024, 3, 9)),
        ("9 March 2024", D(2024, 3, 9)),
        ("Published March 9, 2024", D(2024, 3, 9)),
    ],
)
def test_publication_date_from_header_line(header, day):
    text = f"Patrols step up on the river\n\n{header}\n\nOfficers said on 2 February that 12 boats were stopped."
    span = find_publication_date(text)
    assert span is not None and span.start == day and span.precision == "day"
    assert text[span.begin : span.stop] == span.text


def test_publication_date_ignores_dates_in_body_sentences():
    text = (
        "Patrols step up on the river\n"
        "The two provinces signed a new plan on March 9, 2021, after months of talks about the river crossings "
        "and the markets along the border, officials said on Tuesday."
    )
    assert find_publication_date(text) is None


def test_publication_date_only_in_the_first_lines():
    text = "\n".join(["Headline here"] + [f"Line {i} of the story goes on." for i in range(12)] + ["2024-03-09"])
    assert find_publication_date(text) is None


def test_weekday_resolves_to_the_latest_such_day():
    # REF is Wednesday 6 November 2024
    assert only("Guards on Monday stopped nine people.").start == D(2024, 11, 4)
    assert only("Guards on Wednesday stopped nine people.").start == D(2024, 11, 6)
    assert only("Guards last Wednesday stopped nine people.").start == D(2024, 10, 30)
    assert find_dates("Guards on Monday stopped nine people.", ref=None) == []


def test_halves_quarters_and_first_months():
    span = only("They handled 4 cases in the first half of 2021.")
    assert (span.start, span.end, span.precision) == (D(2021, 1, 1), D(2021, 6, 30), "range")
    assert (only("in the third quarter of 2022").start, only("in the third quarter of 2022").end) == (
        D(2022, 7, 1), D(2022, 9, 30),
    )
    assert only("figures for Q2 2023 show").end == D(2023, 6, 30)
    span = only("In the first ten months of this year, 300 people were returned.")
    assert (span.start, span.end) == (D(2024, 1, 1), D(2024, 10, 31))
    # a part still under way ends at the reference date
    assert only("in the second half of this year").end == REF


_TOKENS = (
    "in the past 999 years months last since from to between and January May Feb. 31 29 February 2024 "
    "1900 2099 0 - – / . , Q4 first half quarter of this year Wednesday Thứ Tư 28/06/2023 99/99/9999 "
    "2023-02-30 So far present week on Monday days ngày tháng năm 12 13"
).split()


@pytest.mark.parametrize("ref", [None, D(2024, 2, 29), D(1, 1, 1), D(9999, 12, 31)])
def test_odd_input_never_raises_and_spans_stay_consistent(ref):
    import random

    rng = random.Random(7)
    for _ in range(1500):
        text = " ".join(rng.choice(_TOKENS) for _ in range(rng.randint(1, 12)))
        for span in find_dates(text, ref=ref):
            assert text[span.begin : span.stop] == span.text
            assert span.precision in DATE_PRECISIONS
            assert span.start is None or span.end is None or span.start <= span.end, (text, span)
        parse_date(text)
        find_publication_date(text)


def test_since_a_date_after_the_reference_has_no_end():
    span = only("Arrests since March 9, 2025 were counted.", ref=D(2024, 1, 1))
    assert (span.start, span.end, span.precision) == (D(2025, 3, 9), None, "since")


def test_early_mid_late():
    assert only("The gate reopened in mid-July.").start == D(2024, 7, 1)
    span = only("Arrests have risen since early 2022.")
    assert (span.start, span.end, span.precision, span.text) == (D(2022, 1, 1), REF, "since", "since early 2022")
    span = only("from mid-2021 to the present")
    assert (span.start, span.precision) == (D(2021, 1, 1), "since")


def test_vietnamese_periods():
    span = only("Từ đầu năm đến nay, biên phòng đã bắt 14 đối tượng.")
    assert (span.start, span.end, span.precision) == (D(2024, 1, 1), REF, "since")
    span = only("Từ năm 2019 đến nay, hai bên tuần tra chung.")
    assert (span.start, span.end, span.precision) == (D(2019, 1, 1), REF, "since")
    assert only("Trong năm 2023, hai bên họp 4 lần.").precision == "year"
    assert [(s.start, s.precision) for s in find_dates("tháng trước và năm ngoái", ref=REF)] == [
        (D(2024, 10, 1), "month"),
        (D(2023, 1, 1), "year"),
    ]
    assert only("Sáng ngày 28/6/2023, đoàn công tác đến cửa khẩu.").start == D(2023, 6, 28)
    assert only("Trong tháng 6/2023 có nhiều vụ.").end == D(2023, 6, 30)


def test_case_folded_letters_still_match_the_case_insensitive_patterns():
    # (?i) matches "ſ" (long s) to "s": the quick literal check before a
    # pattern runs must not skip such a window (it looks at ASCII text only)
    span = only("Arrests rose in the paſt two weeks.")
    assert (span.start, span.end, span.precision) == (D(2024, 10, 23), REF, "range")
    span = only("IN THE PAST TWO WEEKS, 5 PEOPLE WERE HELD")
    assert (span.start, span.end, span.precision) == (D(2024, 10, 23), REF, "range")
    assert only("LAST MONTH the gate closed.").precision == "month"
    assert only("So Far This Year, 12 cases.").precision == "since"
    assert only("the FIRST HALF of 2021").end == D(2021, 6, 30)


def _strings(seed: int, n: int) -> list[str]:
    import random

    rng = random.Random(seed)
    parts = [
        "May", "June", "Jan", "Jan.", "Sept", "September", "Mayor", "aJune", "1", "12", "05", "0", "31", "32", "1st",
        "2023", "1999", "2100", "20", "19", " ", "  ", ",", ".", "-", "/", "–", " to ", " and ", "of", "x", "_", "é",
        "٣", "²", "\n", "year", "years", "day", "days", "weeks", "quarter", "half", "present", "ngày", "tháng", "năm",
        "Q1", "Thứ", "yearly", "ye", "da", "th", "ng", "in ", "IN ", "İn ", "ın ", "ſince ", "during ", "till ",
        "through ", "throughout ", "from ", "the ", "end ", "beginning ", "middle ", "of ", "early ", "mid-", "Late ",
        "năm ", "NĂM ", "by ", "until ", "start ", "year ", "thehe ",
    ]  # fmt: skip
    shapes = [
        "{d} {m} {y}", "{m} {d}, {y}", "{m} {d}{c}{d}", "{d}{c}{d} {m}", "{m}{c}{m} {y}", "{y}{c}{y}", "{d}/{d}/{y}",
        "{y}-{d}-{d}", "{d}.{d}.{y}", "{m} {y}", "in {m}", "{d} of {m}", "{m} {d}{c}{m} {d}", "in {y}", "mid-{m}",
        "the end of {m}", "from the beginning of {m} {y}", "throughout {y}", "năm {y}", "early {y}", "İn {m}", "ın {y}",
        "ſince {m}", "SINCE {y}", "the middle of {m}", "start of {y}", "late {m}", "year {y}", "of {y}",
    ]  # fmt: skip

    choices = {
        "d": ["1", "5", "05", "0", "12", "29", "31", "32", "3", "1st"],
        "m": ["May", "Sept", "September", "June", "Jan."],
        "y": ["2023", "1999", "20", "2100"],
        "c": [" - ", " to ", " and ", "-", "–", " until "],
    }

    def pick(key: str) -> str:
        return rng.choice(choices[key])

    def piece() -> str:
        if rng.random() < 0.5:
            return rng.choice(parts)
        shape = rng.choice(shapes)
        return "".join(pick(bit[0]) + bit[1:] if i else bit for i, bit in enumerate(shape.split("{"))).replace("}", "")

    return ["".join(piece() for _ in range(rng.randint(1, 6))) for _ in range(n)]


def test_fast_forms_of_the_patterns_match_as_their_plain_forms():
    # the anchor scan and some patterns are written to start with a character
    # class (for speed); their plain forms must give the same matches
    import re

    from geomap.text import date_patterns, date_search

    plain_anchors = re.compile(
        r"[A-Z]\w+|(?<![\d.,])\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d|(?<![\d.,])(?:19|20)\d\d(?!\d)"
        r"|\b(?:years?|months?|weeks?|days?|quarter|half|present)\b|ngày|tháng|năm"
    )
    pairs = [(plain_anchors, date_search._ANCHORS)] + [
        (re.compile(plain.pattern) if handler in date_patterns._CASE_SENSITIVE_OK else plain, fast)
        for (plain, handler, _), (fast, _, _) in zip(date_patterns._PATTERNS, date_patterns._STRICT_PATTERNS)
        if fast is not plain
    ]
    assert len(pairs) == 15
    for text in _strings(5, 4000):
        for lo in (0, len(text) // 3):
            for plain, fast in pairs:
                want = [(m.span(), m.groupdict()) for m in plain.finditer(text, lo)]
                assert [(m.span(), m.groupdict()) for m in fast.finditer(text, lo)] == want, (fast.pattern, text, lo)
