"""Chinese numbers, counts and dates: the grammar of a script written without spaces.

The words (numerals, scales, qualifiers, measure words and their units,
relative periods, Spring Festival dates) are in ``zh.yaml``; this module
reads them and holds the patterns they fit into.

Counts: a number in digits or Chinese numerals, a scale (万, 亿), then a
measure word or noun: 5名, 3起, 1.2万人次, 五千余人, 三四十人 (the range
30–40), 两辆, 近百人, 3亿元, 50万元, 冰毒5公斤.  Qualifiers stand before
the number (约, 近, 逾, 超过, 不到) or after it (余, 多, 以上, 左右).  Vague
quantities (数十, 几百) and ordinals (第3次) are no count.

Dates: 2023年5月12日, 5月12日, 5月12日至15日, 5月30日至6月2日, 2023年5月,
今年1至5月, 1-5月, 2023年, 今年, 去年, 上月, 本月, 今年以来 (since 1
January), 2020年以来, 5月以来 (since), 春节期间 (the Spring Festival holiday:
its eve and the six days after).  Without a reference date, a date without
its year is left out, as in English.
"""

from __future__ import annotations

import datetime as dt
import re

from geomap import lang
from geomap.text.days import month_end
from geomap.records import Count, DateSpan

__all__ = ["find_counts", "find_dates", "has_han", "parse_numeral"]

_RES = lang.resources("zh")
_NUM = _RES["numbers"]
_DIGITS: dict[str, int] = dict(_NUM["digits"])
_SMALL: dict[str, int] = dict(_NUM["small_scales"])
_LARGE: dict[str, float] = {k: float(v) for k, v in _NUM["large_scales"].items()}
_QUALIFIER_OF: dict[str, str] = {p: kind for kind, phrases in _RES["qualifiers"].items() for p in phrases}
_UNIT_OF: dict[str, str] = {noun: unit for unit, nouns in _RES["units"].items() for noun in nouns}

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def has_han(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` holds a Chinese character."""
    return _HAN_RE.search(text, start, len(text) if end is None else end) is not None


def _alternatives(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL) + "".join(_LARGE)
_PRE = [p for p in _QUALIFIER_OF if p not in ("余", "多", "以上", "左右", "上下", "以下", "以内", "多于")]
_POST_NUMBER = [p for p in ("余", "多") if p in _QUALIFIER_OF]
_POST_UNIT = [p for p in ("以上", "左右", "上下", "以下", "以内") if p in _QUALIFIER_OF]
_COUNT_RE = re.compile(
    rf"(?P<pre>{_alternatives(_PRE)})?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_NUMERAL_CHARS}]+)"
    rf"(?P<scale>[{''.join(_LARGE)}]*)"
    rf"(?P<post>{_alternatives(_POST_NUMBER)})?"
    rf"(?P<unit>{_alternatives(_UNIT_OF)})"
    rf"(?P<post2>{_alternatives(_POST_UNIT)})?"
)
_VAGUE_BEFORE = ("数", "几", "第", "若干", "上")  # 数十人, 几百人, 第3次, 上百人


def parse_numeral(numeral: str) -> tuple[float, float | None] | None:
    """The value of a Chinese numeral (and the upper end of a range such as 三四十), or ``None``.

    >>> parse_numeral("五千")
    (5000.0, None)
    >>> parse_numeral("三四十")
    (30.0, 40.0)
    >>> parse_numeral("一万二千")
    (12000.0, None)
    """
    if not numeral or numeral[0] in _LARGE:
        return None
    # two digits in a row before a scale: a range ("三四十" is 30 to 40, "七八百" 700 to 800)
    if len(numeral) >= 3 and numeral[0] in _DIGITS and numeral[1] in _DIGITS and numeral[2] in {**_SMALL, **_LARGE}:
        low = _numeral_value(numeral[0] + numeral[2:])
        high = _numeral_value(numeral[1:])
        if low is not None and high is not None and high > low:
            return low, high
    value = _numeral_value(numeral)
    return (value, None) if value is not None else None


def _numeral_value(numeral: str) -> float | None:
    total = 0.0  # what the large scales (万, 亿) have closed
    section = 0.0  # below the current large scale
    digit: float | None = None
    for char in numeral:
        if char in _DIGITS:
            if digit is not None:  # two digits in a row: only "一九" style, not a number here
                return None
            digit = float(_DIGITS[char])
        elif char in _SMALL:
            section += (1.0 if digit is None else digit) * _SMALL[char]
            digit = None
        elif char in _LARGE:
            section += digit or 0.0
            total = (total + (section or 1.0)) * _LARGE[char] if total and _LARGE[char] > 1e4 else total + (section or 1.0) * _LARGE[char]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0.0)


def _number(text: str) -> tuple[float, float | None] | None:
    if text[0].isdigit():
        return float(text.replace(",", "")), None
    return parse_numeral(text)


_PEOPLE_NOUNS = {noun: unit for unit, nouns in _RES["places"]["people_nouns"].items() for noun in nouns}
_NOUN_BEFORE = re.compile("(?:" + _alternatives(_PEOPLE_NOUNS) + r")$")
_NOUN_AFTER = re.compile(r"[^，。；、\d]{0,8}?(" + _alternatives(_PEOPLE_NOUNS) + ")")  # "一名越方通缉的在逃人员"


def _people_unit(text: str, m: re.Match, lo: int, hi: int) -> str:
    """Who a count of people are, from the noun before the number or after the measure word."""
    before = _NOUN_BEFORE.search(text, max(lo, m.start() - 8), m.start())
    if before is not None:
        return _PEOPLE_NOUNS[before.group()]
    after = _NOUN_AFTER.match(text, m.end(), hi)
    if after is not None:
        return _PEOPLE_NOUNS[after.group(1)]
    return "people"


def find_counts(text: str, start: int = 0, end: int | None = None) -> list[Count]:
    """Every Chinese count in ``text[start:end]`` (see the module docstring), in text order."""
    hi = len(text) if end is None else end
    counts: list[Count] = []
    for m in _COUNT_RE.finditer(text, start, hi):
        num_start = m.start("num")
        if text[max(start, num_start - 2) : num_start].endswith(_VAGUE_BEFORE) and not m["pre"]:
            continue
        if m["num"][0] in _SMALL and m["num"][0] != "十" and not m["pre"]:
            continue  # "百人", "千克": a measure or a word, not a number, unless "近百人"
        parsed = _number(m["num"])
        if parsed is None:
            continue
        value, value_max = parsed
        scale = 1.0
        for char in m["scale"]:
            scale *= _LARGE[char]
        unit_word = m["unit"]
        if unit_word in ("万元", "亿元"):
            scale *= _LARGE[unit_word[0]]
        value *= scale
        value_max = value_max * scale if value_max is not None else None
        qualifier = "range" if value_max is not None else ""
        for part in ("pre", "post", "post2"):
            if m[part] and not qualifier:
                qualifier = _QUALIFIER_OF[m[part]]
        unit = _UNIT_OF[unit_word]
        if unit == "people" and unit_word in ("名", "人", "人员"):
            unit = _people_unit(text, m, start, hi)
        counts.append(
            Count(
                value=value,
                unit=unit,
                qualifier=qualifier,
                value_max=value_max,
                text=m.group(),
                start=m.start(),
                end=m.end(),
            )
        )
    return counts


# -- dates ---------------------------------------------------------------------

_DATES = _RES["dates"]
_D = r"(?P<{}>\d{{1,2}})"
_TO = r"(?:至|到|—|–|-|~|～)"
_REL_YEAR = {**{w: 0 for w in _DATES["this_year"]}, **{w: -1 for w in _DATES["last_year"]}, "前年": -2}
_REL = _alternatives(_REL_YEAR)
_DAY_RE = re.compile(
    rf"(?:(?P<y>(?:19|20)\d{{2}})年|(?P<rel>{_REL}))?{_D.format('m')}月{_D.format('d')}[日号]"
    rf"(?:{_TO}(?:{_D.format('m2')}月)?{_D.format('d2')}[日号])?"
)
_MONTHS_RE = re.compile(
    rf"(?:(?P<y>(?:19|20)\d{{2}})年|(?P<rel>{_REL}))?{_D.format('m')}月?{_TO}{_D.format('m2')}月(?!\d{{1,2}}[日号])"
)
_MONTH_RE = re.compile(rf"(?:(?P<y>(?:19|20)\d{{2}})年|(?P<rel>{_REL}))?(?<!\d){_D.format('m')}月(?!\d{{1,2}}[日号]|份?{_TO})")
_YEAR_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})年(?!\d{1,2}月)")
_WORDS_RE = re.compile(
    _alternatives(
        [*_DATES["since_year_start"], *_DATES["this_year"], *_DATES["last_year"], "前年",
         *_DATES["this_month"], *_DATES["last_month"], "春节期间", "春节前后", "春节"]
    )
)  # fmt: skip
_SINCE_AFTER = re.compile(r"以来|至今")


def _year(m: re.Match, ref: dt.date | None, month: int, day: int = 1) -> int | None:
    if m["y"]:
        return int(m["y"])
    if ref is None:
        return None
    if m["rel"]:
        return ref.year + _REL_YEAR[m["rel"]]
    # a month and day without a year: this year, or last year if that would be after the reference
    try:
        return ref.year - 1 if dt.date(ref.year, month, min(day, 28)) > ref else ref.year
    except ValueError:
        return None


def _spans(text: str, start: int, hi: int, ref: dt.date | None) -> list[tuple[int, int, dt.date, dt.date, str]]:
    found: list[tuple[int, int, dt.date, dt.date, str]] = []

    def add(m: re.Match, a: dt.date, b: dt.date, precision: str) -> None:
        found.append((m.start(), m.end(), a, b, precision))

    for m in _DAY_RE.finditer(text, start, hi):
        month, day = int(m["m"]), int(m["d"])
        year = _year(m, ref, month, day)
        try:
            if year is None:
                continue
            first = dt.date(year, month, day)
            if m["d2"]:
                last = dt.date(year, int(m["m2"] or month), int(m["d2"]))
                if last > first:
                    add(m, first, last, "range")
                continue
            add(m, first, first, "day")
        except ValueError:
            continue
    for m in _MONTHS_RE.finditer(text, start, hi):
        m1, m2 = int(m["m"]), int(m["m2"])
        year = _year(m, ref, m2)
        if year is not None and 1 <= m1 < m2 <= 12:
            add(m, dt.date(year, m1, 1), month_end(year, m2), "range")
    for m in _MONTH_RE.finditer(text, start, hi):
        month = int(m["m"])
        year = _year(m, ref, month)
        if year is not None and 1 <= month <= 12:
            add(m, dt.date(year, month, 1), month_end(year, month), "month")
    for m in _YEAR_RE.finditer(text, start, hi):
        year = int(m["y"])
        add(m, dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    if ref is not None:
        for m in _WORDS_RE.finditer(text, start, hi):
            word = m.group()
            if word in _DATES["since_year_start"]:
                add(m, dt.date(ref.year, 1, 1), ref, "since")
            elif word in _REL_YEAR:
                year = ref.year + _REL_YEAR[word]
                add(m, dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
            elif word in _DATES["this_month"] or word in _DATES["last_month"]:
                first = ref.replace(day=1)
                if word in _DATES["last_month"]:
                    first = (first - dt.timedelta(days=1)).replace(day=1)
                add(m, first, month_end(first.year, first.month), "month")
            else:  # 春节期间: the holiday of the last Spring Festival on or before the reference date
                festivals = _DATES["spring_festival"]
                day = festivals.get(ref.year)
                if day is not None and day > ref:
                    day = festivals.get(ref.year - 1)
                if day is not None:
                    add(m, day - dt.timedelta(days=1), day + dt.timedelta(days=6), "range")
    return found


def find_dates(text: str, ref: dt.date | None, start: int = 0, end: int | None = None) -> list[DateSpan]:
    """Every Chinese date or period in ``text[start:end]``, resolved against ``ref``; longest first wins."""
    hi = len(text) if end is None else end
    try:
        found = _spans(text, start, hi, ref)
    except (ValueError, OverflowError):  # a period reaching past year 1 or 9999
        found = []
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int, dt.date, dt.date, str]] = []
    for item in found:
        if all(item[1] <= t[0] or item[0] >= t[1] for t in taken):
            taken.append(item)
    spans = []
    for begin, stop, a, b, precision in sorted(taken):
        if text.startswith("电", stop):
            continue  # "新华社南宁5月16日电": the day the report was filed, not a date it tells
        since = _SINCE_AFTER.match(text, stop, hi)
        if since is not None and precision != "since" and ref is not None and a <= ref:
            stop, b, precision = since.end(), ref, "since"  # "2020年以来", "5月以来": from then to the report
        spans.append(DateSpan(a, b, precision, text[begin:stop], begin, stop))
    return spans
