"""The actors of an incident: the agencies and nationalities a sentence names.

The names are data (``agencies``, ``agency_names``, ``nationalities`` and the
full-name patterns of each ``geomap/lang/*.yaml``); what is here is how they
are found and labelled ("Lang Son Border Guard", "凭祥市公安局").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geomap import lang
from geomap.clauses import _between


def _capitalised_words(names: Sequence[str]) -> str:
    r"""``\b(name|name|...)\b`` written so that the regex engine scans for the first letters in C.

    ``\b`` before a letter is "no word character before it": checked here
    right after the letter (``(?<!\w.)``, which also holds at the start of the
    string, as ``\b`` does).  Every branch then opens with a plain letter, so
    the engine jumps from one of those letters to the next instead of trying
    every word: the same matches, the same group 1, found faster.  Worth it
    where those letters are rare in text (capitals).
    """
    for name in names:
        if not (name[:1].isascii() and name[:1].isalpha() and name[1:2] not in ("?", "*", "+", "{")):
            raise ValueError(f"{name!r} does not open with a letter")
    return "(" + "|".join(name[0] + r"(?<!\w.)" + name[1:] for name in names) + r")\b"


# r"\b(Ministry of Public Security|National Immigration Administration|Immigration Department|"
# r"Border Guard Command|Border Guards?|border guards?|General Station of Immigration Inspection|"
# r"Border Control General Station|border control station|Public Security Bureau|public security (?:bureau|department|bodies)|"
# r"[Pp]olice|[Cc]ustoms|Coast Guard|coast guard|Procuracy|prosecutors|[Ii]mmigration authorities|"
# r"Ministry of Foreign Affairs|Ministry of National Defen[cs]e|NIA|MPS)\b", each [Xx] spelt out in place
_ACTOR_RE = re.compile(_capitalised_words([a for _, agencies in lang.merged("agencies") for a in agencies]))
# r"\b(Chinese|Vietnamese|Cambodian|Laotian|Lao(?! Cai| Bao| Bảo)|Thai|Myanmar|Burmese|North Korean)\b"
_NATIONALITY_RE = re.compile(_capitalised_words([n for _, names in lang.merged("nationalities") for n in names]))
_ACTOR_NAMES = {short: name for _, names in lang.merged("agency_names") for short, name in names.items()}
# The agency word a Chinese agency's name ends with (公安局, 边检站, 海关...), when no place name opens it.
_AGENCY_WORD = re.compile(
    "(?:" + "".join(w + "|" for _, part in lang.merged("incidents") for w in part.get("agency_words", ()))
    + r"[\u4e00-\u9fff]{1,2})$"
)
# Agencies and nationalities in languages that name them in full, the place inside the
# name ("Đồn Biên phòng Hoành Mô", "凭祥市公安局", "người Trung Quốc"): the words matched are the label.
_NAMED_ACTOR_RE = re.compile(
    "|".join(
        [p for _, patterns in lang.merged("agency_patterns") for p in patterns]
        + [p for _, names in lang.merged("nationality_patterns") for p in names]
    )
    or r"(?!)"
)
# Capitalised words before an agency that are no part of its name ("The Border Guard").
_LEADING_NOISE = frozenset(w for _, part in lang.merged("incidents") for w in part.get("not_in_agency_names", ()))


# "(?:[A-Z][\w'’]*[ \t]+){1,4}$", written to open with a character class the engine can scan for
_CAPITALISED_BEFORE_RE = re.compile(r"[A-Z][\w'’]*[ \t]+(?:[A-Z][\w'’]*[ \t]+){0,3}$")


def _actors(text: str, lo: int, hi: int, mention_starts: Sequence[int] = (), *, named: bool = True) -> tuple[str, ...]:
    """Agencies and nationalities named in the sentence, in text order.

    A Chinese agency's name starts at the place name in it ("据东兴市公安局" is
    东兴市公安局): ``mention_starts`` are where the article's place names start.
    """
    found: list[tuple[int, str]] = []
    for m in _ACTOR_RE.finditer(text, lo, hi):
        at = m.start()
        # the capitalised words end in a space or tab, just before the name or before a line end there
        if at > lo and text[at - 1] in " \t\n":
            before = _CAPITALISED_BEFORE_RE.search(text, max(lo, at - 60), at)
            words = before.group(0).split() if before is not None else []
        else:
            words = []
        while words and words[0] in _LEADING_NOISE:
            words.pop(0)
        head = m.group(1)
        name = _ACTOR_NAMES.get(head, head)
        if head[0].islower():
            name = head.lower()
        words = [w for w in words if _NATIONALITY_RE.fullmatch(w) is None and not w.endswith(("'s", "’s"))]
        label = " ".join(words + [name]).strip()
        found.append((m.start(), label))
    for m in _NATIONALITY_RE.finditer(text, lo, hi):
        found.append((m.start(), m.group(1)))
    if named and not text.isascii():  # agencies and nationalities named in full, in Vietnamese or Chinese
        for m in _NAMED_ACTOR_RE.finditer(text, lo, hi):
            at, label = m.start(), m.group()
            if " " not in label and label[:1] >= "\u2e80":
                inside = _between(mention_starts, mention_starts, at, m.end())
                cut = inside[0] if inside else at + len(label) - len(_AGENCY_WORD.search(label).group())  # type: ignore[union-attr]
                at, label = cut, text[cut : m.end()]
            words = label.split(" ")
            # "Bộ đội Biên phòng tỉnh Quảng Ninh đã": the name ends at its last capital
            while len(words) > 1 and words[-1][:1].islower() and _NAMED_ACTOR_RE.fullmatch(" ".join(words[:-1])):
                words.pop()
            found.append((at, " ".join(words)))
    found.sort()
    return tuple(dict.fromkeys(label for _, label in found))
