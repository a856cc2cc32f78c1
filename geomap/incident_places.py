"""Where an incident happened: the places of its sentence, their roles, the place it is drawn at, its precision.

The location precision codes (:data:`KIND_PRECISION`, :func:`point_precision`)
are those of ``docs/ARCHITECTURE.md``.  A sentence that names no place takes
the place of the sentences before it in its paragraph (:func:`_carried`), a
figure for the whole border the border's countries (:func:`_border_wide`,
:func:`_report_border`), an acting agency's country
(:func:`_nationality_country`), else the dateline's place (:func:`_dateline`).
A place inside an agency's full name ("Đồn Biên phòng cửa khẩu X", "X市公安局")
is that agency's seat (:func:`_in_agency_name`): a sentence whose subject
points back at the agency ("the unit", "đơn vị", "该支队") and names no
place of its own, or only the country across the border, takes that seat
(:func:`_agency_back`); a gate in a post's name is not where a crossing
"by a trail" happened (``places.off_gate``); an agency the reporter learned
the fact from ("从南宁海关获悉") is a ``source`` (:func:`_reporting_agency`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any

from geomap import lang
from geomap.clauses import _paragraph_of
from geomap.placement import rank as role_rank
from geomap.placement import EXCLUDED_ROLES, inside, refine_role, road_start
from geomap.records import IncidentPlace, Mention

__all__ = ["KIND_PRECISION", "point_precision"]

# -- location precision --------------------------------------------------------

#: The location precision code (see ``LOCATION_PRECISIONS``) of a place of each kind.
KIND_PRECISION = {
    "border_gate": 1,
    "port": 1,
    "town": 1,
    "commune": 1,
    "city": 1,
    "other": 1,
    "district": 3,
    "prefecture": 4,
    "province": 4,
    "country": 6,
}


def point_precision(gazetteer: Any, place_id: str | None, kind: str) -> int:
    """The location precision code of a place of ``kind``: its kind's, or its parent's when it stands at its parent's point.

    A township no source places (``point_source=parent``) is drawn at its
    county's seat, so it is only as precise as the county.
    """
    precision = KIND_PRECISION.get(kind, 1)
    place = gazetteer.get(place_id) if place_id and gazetteer is not None else None
    if place is not None and getattr(place, "at_parent_point", False) and place.parent_id:
        parent = gazetteer.get(place.parent_id)
        if parent is not None:
            precision = max(precision, point_precision(gazetteer, parent.id, parent.kind))
    return precision


def _precision_of(gazetteer: Any, place_id: str | None) -> int:
    if not place_id:
        return 6
    place = gazetteer.get(place_id) if gazetteer is not None else None
    return point_precision(gazetteer, place_id, place.kind) if place is not None else 1


def _place_words(name: str) -> list[str]:
    """The words of part ``name`` of ``places`` in every language file, English first (see ``docs/TAXONOMY.md``)."""
    return [w for _, part in lang.merged("places") for w in part.get(name, ())]


# "near Lang Son", "gần cửa khẩu" (folded: "gan"): the place is approximate.
_NEAR_RE = re.compile(r"\b(?:" + "|".join(_place_words("near_before")) + r")\b[^,.;:]{0,30}\b(?:in|of|at)?\s*$")
_NEAR_AFTER = re.compile("(?:" + ("|".join(_place_words("near_after")) or "(?!)") + ")")  # "东兴口岸附近"
# A figure for the border as a whole, not for one place on it.
_BORDER_WIDE = re.compile(r"\b(?:" + "|".join(_place_words("border_wide")) + r")\b")
# The words before a place that give its role, by role, in the order tried.
def _role_words() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for _, part in lang.merged("places"):
        for role, words in part.get("role_before", {}).items():
            table.setdefault(role, []).extend(words)
    return table


_ROLE_WORDS = _role_words()
_ROLE_BEFORE = tuple(
    (re.compile(r"\b(?:" + "|".join(words) + r")\s+(?:the\s+)?$"), role) for role, words in _ROLE_WORDS.items()
)
# _ROLE_BEFORE in one search: the keyword of a match ends where the window's last
# word (or the one before a last "the") ends, so at most one keyword can match,
# or "at" for two roles, which the first branch ("through") takes as the loop would.
_ROLE_BEFORE_ONE = re.compile(
    r"\b(?:" + "|".join("(" + "|".join(words) + ")" for words in _ROLE_WORDS.values()) + r")\s+(?:the\s+)?$"
)
_ROLE_OF_GROUP = (None, *_ROLE_WORDS)
_VENUE_TYPES = frozenset({"cooperation", "exercise", "public_awareness"})
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*(?:the\s+)?")  # the whole gap between two names of a list


_NATIONALITY_COUNTRY = {
    re.sub(r"\(.*", "", word).lower(): code for _, names in lang.merged("nationalities") for word, code in names.items()
}
_NATIONAL_AGENCY_RE = re.compile(
    r"\b(" + "|".join(re.sub(r"\(.*", "", word) for _, names in lang.merged("nationalities") for word in names) + ") "
    r"(?:" + "|".join(_place_words("national_agencies")) + r")\b"
)


# Agencies named in full with the place inside ("Đồn Biên phòng cửa khẩu Quốc tế Tây Trang",
# "凭祥市公安局"): ``agency_patterns`` of every language file, as geomap.actors reads them.
_AGENCY_NAME_RE = re.compile("|".join(p for _, patterns in lang.merged("agency_patterns") for p in patterns) or r"(?!)")
# A subject that points back at the agency named before ("the unit", "đơn vị", "该支队"), folded text.
_AGENCY_BACK_RE = re.compile("(?:" + ("|".join(_place_words("agency_back")) or "(?!)") + ")")


# A crossing made away from any gate ("by a forest trail", "qua đường mòn", "走便道"), folded text.
_OFF_GATE_RE = re.compile("(?:" + ("|".join(_place_words("off_gate")) or "(?!)") + ")")


# "从南宁海关获悉" (learned from Nanning customs), "theo Công an tỉnh X" (according to): an agency named
# in full that only reports the fact; the place in its name is a source, never the event's place.
_SOURCE_BEFORE = re.compile("(?:" + ("|".join(_place_words("source_before")) or "(?!)") + r")\s*$")
_SOURCE_AFTER = re.compile(r"\s*(?:" + ("|".join(_place_words("source_after")) or "(?!)") + ")")


def _agency_name(text: str, mention: Mention) -> tuple[int, int] | None:
    """The bounds of the agency's full name ``mention`` lies inside, if any ("Đồn Biên phòng cửa khẩu Quốc tế **Tây Trang**")."""
    for found in _AGENCY_NAME_RE.finditer(text, max(0, mention.start - 60), min(len(text), mention.end + 12)):
        if found.start() <= mention.start and mention.end <= found.end():
            return found.span()
    return None


def _reporting_agency(text: str, folded: str, mention: Mention) -> bool:
    """Whether ``mention`` is in the name of an agency the fact was learned from ("从南宁海关获悉", "Theo Công an tỉnh X, ...")."""
    span = _agency_name(text, mention)
    if span is None:
        return False
    if _SOURCE_AFTER.match(folded, span[1]) is None:
        return False
    # a Chinese agency's name starts at the place in it, though the pattern may take a character or two before
    return any(_SOURCE_BEFORE.search(folded, max(0, at - 12), at) for at in {span[0], mention.start})


def _in_agency_name(text: str, mention: Mention) -> bool:
    """Whether ``mention`` lies inside an agency's full name after its first word ("Đồn Biên phòng cửa khẩu **Tây Trang**").

    The agency is named after its seat; where the event happened is another
    matter, as for the English "**Lang Son** police" (role ``agency``).
    """
    span = _agency_name(text, mention)
    return span is not None and span[0] < mention.start


def _agency_back(
    text: str, folded: str, lo: int, hi: int, resolved: Sequence[Mention], starts: Sequence[int], gazetteer: Any
) -> list[Mention]:
    """The seat of the agency a sentence's subject points back at ("Đơn vị cũng phát hiện...", "The unit also seized...").

    ``folded[lo:hi]`` is the sentence up to its first cue; the seat is the
    last place named before it inside an agency's name (or, in English, as an
    agency: "Lang Son border guards"), not a country.  Empty when the subject
    points back at nothing or no agency was named.
    """
    if _AGENCY_BACK_RE.search(folded, lo, hi) is None:
        return []
    for i in range(bisect.bisect_left(starts, lo) - 1, -1, -1):
        m = resolved[i]
        kind = _kind(gazetteer, m.place_id)
        if kind == "country":
            continue
        if _in_agency_name(text, m) or refine_role(folded, m.start, m.end, "location", kind) == "agency":
            return [m]
    return []


def _border_wide(place_id: str | None, countries: Sequence[str]) -> tuple[str | None, int, list[IncidentPlace]]:
    """Precision 5, drawn at the first country the article names (``countries``: in order); they are the parties."""
    parties = [IncidentPlace(c, "party") for c in countries[:2]]
    anchor = countries[0] if countries else place_id
    return anchor, 5, parties


_PAIR_JOIN = re.compile(r"[ \t]*(?:-|–|—|/|and)[ \t]*")
_BORDER_AFTER = re.compile(r"[ \t]+(?:land[ \t]+)?(?:border|frontier)\b", re.IGNORECASE)
_BORDER_BETWEEN = re.compile(r"\b(?:border|frontier)[ \t]+between[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)


def _report_border(text: str, mentions: Sequence[Mention], gazetteer: Any) -> tuple[str, ...]:
    """The two countries of the border a report is about, from "the China-Vietnam border" or
    "the border between Vietnam and Laos" anywhere in it; empty when it names none."""
    countries = [m for m in mentions if _kind(gazetteer, m.place_id) == "country"]
    for a, b in zip(countries, countries[1:], strict=False):
        if a.place_id == b.place_id or not _PAIR_JOIN.fullmatch(text, a.end, b.start):
            continue
        if _BORDER_AFTER.match(text, b.end) or _BORDER_BETWEEN.search(text, max(0, a.start - 30), a.start):
            return (a.place_id, b.place_id)  # type: ignore[return-value]
    return ()


def _nationality_country(
    text: str, lo: int, hi: int, countries: Sequence[str], gazetteer: Any
) -> tuple[str | None, int]:
    """"Vietnamese police arrested...": with no place named, the acting agency's country (precision 6).

    ``countries``: the countries the article names, once each, in order.
    """
    m = _NATIONAL_AGENCY_RE.search(text, lo, hi)
    if m is None or gazetteer is None:
        return None, 6
    code = _NATIONALITY_COUNTRY[m.group(1).lower()]
    for place_id in countries:
        place = gazetteer.get(place_id)
        if place is not None and place.country == code:
            return place.id, 6
    return None, 6


def _carried(
    resolved: Sequence[Mention], starts: Sequence[int], last_place: Sequence[int], paragraphs: Sequence[int], s_start: int
) -> list[Mention]:
    """The place of the sentences before, in the same paragraph: the last one named that is not a country.

    ``starts``: where each of ``resolved`` starts; ``last_place``: for each,
    the index of the last mention up to it that is not a country (-1: none).
    """
    before = bisect.bisect_left(starts, s_start) - 1
    if before < 0 or last_place[before] < 0:
        return []
    m = resolved[last_place[before]]
    return [m] if m.start >= _paragraph_of(paragraphs, s_start) else []


_DATELINE_AFTER = (
    re.compile("(?:" + "|".join(w for _, p in lang.merged("places") for w in p.get("dateline_after", ())) + ")$")
    if any(p.get("dateline_after") for _, p in lang.merged("places"))
    else None
)
_DATELINE_DASH = re.compile(r"(?:,[ \t]*[A-Z][\w .]{0,24}?)?[ \t]*[-–—]")  # "LANG SON -", "Cao Bang, Vietnam –"


def _dateline(text: str, mentions: Sequence[Mention], gazetteer: Any) -> list[Mention]:
    """The place of a dateline ("LANG SON - Police said..."): where the report was filed.

    The last resort for a sentence that names no place and follows none in its paragraph.
    """
    for m in mentions:
        if m.start > 0 and text[m.start - 1] != "\n":
            continue
        if _DATELINE_DASH.match(text, m.end) and _kind(gazetteer, m.place_id) != "country":
            return [m]
    return []


def _kind(gazetteer: Any, place_id: str | None) -> str:
    if not place_id or gazetteer is None:
        return "other"
    place = gazetteer.get(place_id)
    return place.kind if place is not None else "other"


def _role(folded: str, mention: Mention, group_type: str, kind: str, carried: bool) -> str:
    if carried:
        return "location"
    if kind == "country" and group_type in _VENUE_TYPES:
        return "party"
    if folded[mention.end : mention.end + 2] == "'s":
        return "party"  # "Beijing's most-wanted list" names no place where anything happened
    window = folded[max(0, mention.start - 30) : mention.start]
    if kind == "border_gate":
        return "crossing"
    found = _ROLE_BEFORE_ONE.search(window)  # the first of _ROLE_BEFORE that matches
    if found is not None:
        role = _ROLE_OF_GROUP[found.lastindex]  # type: ignore[index]
        if role == "through":
            return "location" if kind != "country" else "party"
        if role == "in":
            return "venue" if group_type in _VENUE_TYPES else ("party" if kind == "country" else "location")
        return role  # type: ignore[return-value]
    return "party" if kind == "country" else "location"


def _places(
    text: str,
    folded: str,
    mentions: Sequence[Mention],
    group_type: str,
    gazetteer: Any,
    *,
    carried: bool,
    sentence: tuple[int, int] | None = None,
) -> list[IncidentPlace]:
    """The places of an incident with their roles; ``sentence``: the bounds of its sentence, when known.

    A gate named only in the name of the post that acted ("Đồn Biên phòng cửa
    khẩu Tây Trang") is the post's seat (``agency``) when the sentence says
    the crossing was made away from the gates ("qua đường mòn", "by a forest
    trail", ``places.off_gate`` of the language files).
    """
    out: list[IncidentPlace] = []
    seen: set[tuple[str, str]] = set()
    # the sentence says the crossing was made away from any gate ("qua đường mòn", "by a forest trail")
    off_gate = sentence is not None and _OFF_GATE_RE.search(folded, *sentence) is not None
    previous: tuple[Mention, str] | None = None
    for m in mentions:
        kind = _kind(gazetteer, m.place_id)
        role = refine_role(folded, m.start, m.end, _role(folded, m, group_type, kind, carried), kind)
        if role not in EXCLUDED_ROLES and _reporting_agency(text, folded, m):
            role = "source"  # "记者从南宁海关获悉": Nanning customs told the reporter; nothing happened there
        elif kind == "border_gate" and role == "crossing" and off_gate and _in_agency_name(text, m):
            # "the Tây Trang gate border post caught eight people who came in by a forest trail": not at the gate
            role = "agency"
        if previous is not None and kind != "border_gate" and _LIST_GAP.fullmatch(folded, previous[0].end, m.start):
            role = previous[1]  # "from Lang Son, Quang Ninh and Cao Bang": one role for the list
        if role == "destination" and group_type in _VENUE_TYPES:
            role = "venue"  # "travelled to Nanning for the conference"
        previous = (m, role)
        key = (m.place_id, role)
        if key in seen:
            continue
        seen.add(key)
        out.append(IncidentPlace(m.place_id, role, m.start, m.end))
    return out


def _where(
    text: str, folded: str, places: Sequence[IncidentPlace], mentions: Sequence[Mention], gazetteer: Any
) -> tuple[str | None, int]:
    """The place an incident is drawn at, and its location precision code."""
    best: tuple[int, int, str] | None = None
    countries: list[str] = []
    for order, place in enumerate(places):
        kind = _kind(gazetteer, place.place_id)
        rank = role_rank(place.role, kind)  # geomap.placement: an agency's seat late, a biography never
        if rank is None:
            continue
        if kind == "country":
            countries.append(place.place_id)
            continue
        precision = KIND_PRECISION.get(kind, 1)
        if place.start is not None and precision == 1 and (
            _NEAR_RE.search(folded, max(0, place.start - 45), place.start) or road_start(folded, place.start)
        ):
            precision = 2
        elif place.end is not None and precision == 1 and _NEAR_AFTER.match(folded, place.end):
            precision = 2  # "东兴口岸附近": Chinese says "near" after the name
        candidate = (rank, precision, order, place.place_id)
        if best is None or candidate[:3] < best[:3] or (candidate[:2] == best[:2] and inside(gazetteer, place.place_id, best[3])):
            best = candidate  # type: ignore[assignment]  # a place inside the one chosen is more specific
    if best is not None:
        # the most precise place named wins; drawn at its parent's point, it is only as precise as that
        return best[3], max(best[1], point_precision(gazetteer, best[3], _kind(gazetteer, best[3])))  # type: ignore[index]
    countries = list(dict.fromkeys(countries))
    if len(countries) >= 2:
        return countries[0], 5
    if countries:
        return countries[0], 6
    return None, 6
