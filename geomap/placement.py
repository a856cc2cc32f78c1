"""Where it happened: the roles that keep a place named beside an event from being taken for its place.

An incident is drawn at the most specific place the text ties to the event
(where the arrest, seizure, crossing or patrol happened).  A sentence also
names places that are not that place; this module tells them apart by the
words around the name (folded text), and :mod:`geomap.incidents` ranks the
roles when it picks the place (``docs/TAXONOMY.md``, "Where it happened"):

``agency``
    the seat of an agency that acts or reports: "Lang Son police", "the
    Quang Ninh border guard", "border guards from Mong Cai", "police of Hanoi".
    Used only when the sentence names no place of the event itself.
``source``
    an agency that only reports the fact: "..., the Quang Ninh border guard
    said", "according to Guangxi police".  Never the place of the event.
``biography``
    a place in a person's story: "a native of Ha Giang", "born in Nanning",
    "had been living in Hanoi", "a 35-year-old man from Cao Bang".  Never the
    place of the event (unless the sentence points back to it: "arrested
    there").
``requester``
    a country or city that asks or wants, not where anything happened:
    "wanted by China", "at the request of Beijing".
``dateline``
    "LANG SON - Border guards...": where the report was filed, used only
    when the sentence names no other place.
``location`` (near)
    "on the road from Mong Cai to Ha Long": the start of the road, drawn as
    near it (precision 2), not the town the road leads to.

Among places of one role and one precision, a place inside another one named
beside it is the place (:func:`inside`): "东兴市江平镇边境派出所" is the township
江平镇, not the county-level city 东兴市 that holds it, though both are drawn
at precision 1 ("xã Lũng Cú, huyện Đồng Văn" likewise).

Every pattern reads only the few words before or after the name, so the rules
hold for any place, not for one report's sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["EXCLUDED_ROLES", "ROLE_RANK", "dateline_country", "inside", "rank", "refine_role", "road_start"]

#: Roles never taken for the place of the event.
EXCLUDED_ROLES = frozenset({"source", "biography", "requester"})
#: Rank of each role when the place of an event is chosen (lower first; others after these).
ROLE_RANK = {"venue": 0, "crossing": 0, "location": 1, "destination": 2, "origin": 3, "through": 3, "agency": 4, "dateline": 5}

_AGENCY_AFTER = re.compile(
    r"(?:'s)?[ \t]+(?:provincial[ \t]+|city[ \t]+|district[ \t]+|county[ \t]+|municipal[ \t]+)?"
    r"(?:police|border[ \t-]guards?|border[ \t]guard[ \t]command|border[ \t]defen[cs]e|customs|public[ \t]security"
    r"|immigration[ \t](?:department|office|police|authorities)|procuracy|court|people's[ \t]court|coast[ \t]guard"
    r"|authorities|market[ \t]surveillance|department)\b"
)
_AGENCY_BEFORE = re.compile(
    r"\b(?:police|border[ \t]guards?|border[ \t]police|customs|authorities|officers|officials|coast[ \t]guard|"
    r"public[ \t]security|prosecutors|procuracy)[ \t]+(?:of|from)[ \t]+(?:the[ \t]+)?$"
)
_SAID_AFTER = re.compile(r"[^.;:,]{0,40}?\b(?:said|says|told|reported|announced|stated|added|confirmed)\b")
_ACCORDING_BEFORE = re.compile(r"\baccording[ \t]+to[ \t]+(?:the[ \t]+|a[ \t]+)?(?:[\w-]+[ \t]+){0,3}$")
_BIOGRAPHY_BEFORE = re.compile(
    r"\b(?:native[ \t]+of|born[ \t]+in|resident[ \t]+of|residing[ \t]+in|reside[ \t]+in|"
    r"(?:been[ \t]+|was[ \t]+|were[ \t]+|had[ \t]+)?(?:living|lived|lives|settled)[ \t]+in|"
    r"hometown[ \t]+(?:of|in)|home[ \t]+town[ \t]+of|permanent(?:ly)?[ \t]+(?:address|residence|residing)[ \t]+in|"
    r"registered[ \t]+(?:in|as[ \t]+living[ \t]+in)|grew[ \t]+up[ \t]+in|studied[ \t]+in|"
    r"\d+-year-old[ \t]+(?:\w+[ \t]+){0,2}from|(?:man|woman|men|women|resident|citizen)[ \t]+from)[ \t]+(?:the[ \t]+)?$"
)
_REQUEST_BEFORE = re.compile(
    r"\b(?:wanted[ \t]+by|at[ \t]+the[ \t]+request[ \t]+of|requested[ \t]+by|on[ \t]+behalf[ \t]+of|"
    r"sought[ \t]+by|pursued[ \t]+by)[ \t]+(?:the[ \t]+)?$"
)
# "LANG SON -", "Cao Bang, Vietnam –" at the start of a line: where the report was filed
_DATELINE_AFTER = re.compile(r"(?:,[ \t]*[\w .]{0,24}?)?[ \t]*[-–—]")
_ROAD_BEFORE = re.compile(
    r"\b(?:on|along|travell?ing[ \t]+on)[ \t]+(?:the|a)[ \t]+(?:[\w-]+[ \t]+)?(?:road|way|route|highway|track|trail)[ \t]+from[ \t]+$"
)

_BEFORE = re.compile(
    "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (("requester", _REQUEST_BEFORE), ("biography", _BIOGRAPHY_BEFORE), ("road", _ROAD_BEFORE))
    )
)


def refine_role(folded: str, start: int, end: int, role: str, kind: str) -> str:
    """The role of the place named at ``folded[start:end]``, refined from the words around it.

    ``role`` is what the word before it said ("in" gives ``location``, "from"
    ``origin``...); ``kind`` the place's kind.  A border gate keeps its role.
    """
    if kind == "border_gate":
        return role
    if (start == 0 or folded[start - 1] == "\n") and _DATELINE_AFTER.match(folded, end):
        return "dateline"
    before = folded[max(0, start - 50) : start]
    found = _BEFORE.search(before)  # the three patterns above in one pass
    if found is not None:
        return {"requester": "requester", "biography": "biography", "road": "location"}[found.lastgroup]  # type: ignore[index]
    after = _AGENCY_AFTER.match(folded, end)
    agency_end = after.end() if after is not None else None
    if agency_end is None and _AGENCY_BEFORE.search(before):
        agency_end = end
    if agency_end is None:
        return role
    if _ACCORDING_BEFORE.search(before) or _SAID_AFTER.match(folded, agency_end):
        return "source"
    if kind == "country":
        return role  # "Vietnamese police" is a nationality; "Vietnam's police" still the country's party
    return "agency"


def road_start(folded: str, start: int) -> bool:
    """The place starts a road an event happened on ("on the road from Mong Cai to..."): near it."""
    return _ROAD_BEFORE.search(folded, max(0, start - 50), start) is not None


def rank(role: str, kind: str = "") -> int | None:
    """Where a role stands when the place of an event is chosen; ``None`` for a role never chosen.

    A place in the possessive ("Beijing's most-wanted list", role ``party``)
    names no place where anything happened; a country taking part does, as a
    last resort (the border between the parties, or the country).
    """
    if role in EXCLUDED_ROLES or (role == "party" and kind != "country"):
        return None
    return ROLE_RANK.get(role, 3)


def inside(gazetteer: Any, place_id: str, outer: str) -> bool:
    """True when ``place_id`` lies within ``outer`` along the admin tree (a township in its county or city).

    Of two places a sentence ties to an event at the same precision, the one
    inside the other is the more specific: the event happened there.
    """
    ancestors = getattr(gazetteer, "ancestors", None)
    if ancestors is None or place_id == outer:
        return False
    return any(p.id == outer for p in ancestors(place_id))


def dateline_country(dateline: Sequence[Any], gazetteer: Any) -> tuple[str | None, int]:
    """The country of the report's dateline (precision 6), for a fact that names no place at all.

    "Since January, the Ministry of Public Security has handed over five
    fugitives" in a report filed from Lang Son happened in Vietnam: the
    next-larger unit that surely holds it, as ACLED places an event whose
    town is unknown.
    """
    country_of = getattr(gazetteer, "country_of", None)
    if not dateline or country_of is None:
        return None, 6
    country = country_of(dateline[0].place_id)
    return (country.id if country is not None else None), 6
