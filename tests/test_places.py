"""Place mentions: the Aho–Corasick matcher, resolution in context, unresolved names."""

from __future__ import annotations

import pickle

import pytest
from _extract import article, tools

from geomap.places import PlaceMatcher, find_mentions, find_unresolved


@pytest.fixture(scope="module")
def kit():
    return tools()


def _found(kit, text: str, **kwargs) -> list[tuple[str, str | None]]:
    _, matcher, resolver = kit
    a = article(text, **kwargs)
    mentions = find_mentions(a, matcher=matcher, resolver=resolver)
    for m in mentions:
        assert a.text[m.start : m.end] == m.text
    return [(m.text, m.place_id) for m in mentions]


def test_longest_match_wins_and_generic_words_are_part_of_it(kit) -> None:
    found = _found(kit, "Police in Lang Son province met officers from Lạng Sơn city and tỉnh Lào Cai.")
    assert found == [
        ("Lang Son province", "vn.province.lang-son"),
        ("Lạng Sơn city", "vn.city.lang-son"),
        ("tỉnh Lào Cai", "vn.province.lao-cai"),
    ]


def test_generic_word_hints_the_kind_of_place(kit) -> None:
    found = _found(kit, "Trucks queued at Youyi port and at the Huu Nghi border gate.")
    assert found == [("Youyi port", "cn.border_gate.youyi-guan"), ("Huu Nghi border gate", "vn.border_gate.huu-nghi")]


def test_word_boundaries_for_latin_names(kit) -> None:
    # Hekou is not inside Shekou; "Lao" of Lao Cai is not inside Laos
    found = _found(kit, "Ships from Shekou docked. Migrants from Laos reached Hekou, then Lao Cai.")
    assert found == [("Laos", "la.country.la"), ("Hekou", "cn.district.hekou"), ("Lao Cai", "vn.province.lao-cai")]


def test_cjk_names_need_no_word_boundaries(kit) -> None:
    text = "越南谅山省与中国凭祥市相邻，友谊关口岸车辆很多。"
    found = _found(kit, text)
    assert [t for t, _ in found] == ["谅山省", "凭祥市", "友谊关口岸"]
    assert [p for _, p in found] == ["vn.province.lang-son", "cn.district.pingxiang", "cn.border_gate.youyi-guan"]


def test_lowercase_common_words_and_stopwords_are_not_places(kit) -> None:
    # "Long" is a commune in the test gazetteer, but "long" in running text is a word
    assert _found(kit, "It was a long night on the border.") == []
    # and a family name is followed by a given name, not by a place
    assert _found(kit, "Colonel Nguyen Long spoke.") == []


def test_ambiguous_name_keeps_its_candidates(kit) -> None:
    mentions = _found(kit, "A delegation visited Pingxiang last week.")
    assert mentions == [("Pingxiang", None)]
    _, matcher, resolver = kit
    m = find_mentions(article("A delegation visited Pingxiang last week."), matcher=matcher, resolver=resolver)[0]
    assert m.ambiguous
    assert set(m.candidates) == {"cn.district.pingxiang", "cn.prefecture.pingxiang-jiangxi"}


def test_context_of_the_article_resolves_the_ambiguous_name(kit) -> None:
    found = _found(kit, "Officers from Lang Son met Guangxi police in Pingxiang on Monday.")
    assert ("Pingxiang", "cn.district.pingxiang") in found


def test_matcher_is_built_once_and_pickles(kit) -> None:
    _, matcher, _ = kit
    text = "From Mong Cai to Dongxing."
    again = pickle.loads(pickle.dumps(matcher))
    assert [(m.start, m.end) for m in again.find(text)] == [(m.start, m.end) for m in matcher.find(text)] == [(5, 13), (17, 25)]


def test_empty_text_and_empty_gazetteer() -> None:
    assert PlaceMatcher.from_names([]).find("Lang Son") == []
    _, matcher, resolver = tools()
    assert find_mentions(article(""), matcher=matcher, resolver=resolver) == []


def test_unresolved_place_like_names_are_listed(kit) -> None:
    _, matcher, resolver = kit
    text = (
        "Guards in Nam Quan Province stopped a van near the Bac Phong Sinh border gate, "
        "40 km from Lang Son province, and sent the driver to xã Thanh Hòa for questioning."
    )
    a = article(text)
    mentions = find_mentions(a, matcher=matcher, resolver=resolver)
    unresolved = find_unresolved(a, mentions=mentions)
    assert [(u.text, u.hint) for u in unresolved] == [
        ("Nam Quan Province", "province"),
        ("Bac Phong Sinh border gate", "border gate"),
        ("xã Thanh Hòa", "xã"),
    ]
    for u in unresolved:
        assert text[u.start : u.end] == u.text
    # names the gazetteer has are not listed
    assert all("Lang Son" not in u.text for u in unresolved)


def test_name_before_a_generic_word_is_searched_from_a_few_words_back_with_the_same_result() -> None:
    # the search for "Nam Quan" in "... Nam Quan Province" starts four words back, not at the line start
    import random

    from geomap.places import _NAME_BEFORE_RE, _words_back

    rng = random.Random(3)
    pieces = ["Lang", "Son", " ", " ", "\t", "x", "the", "Nam", "Quan", "'", "’", "-", "U.S.", "9", "_", "Đà", "of", "\n", "  "]
    found = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) + " Province"
        hi = len(text) - len("Province")
        lo = max(text.rfind("\n", 0, hi) + 1, hi - 80)
        slow = _NAME_BEFORE_RE.search(text, lo, hi)
        fast = _NAME_BEFORE_RE.search(text, _words_back(text, lo, hi), hi)
        assert (slow and slow.span(1)) == (fast and fast.span(1)), text
        found += slow is not None
    assert found > 1000
    a = article("Police in the remote Bac Phong Sinh border gate area and in tỉnh Xin Mần met on May 2.")
    assert [u.text for u in find_unresolved(a, mentions=[])] == ["Bac Phong Sinh border gate", "tỉnh Xin Mần"]
