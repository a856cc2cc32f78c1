"""Routes: the ordered places a report says people or goods moved through.

A sentence that describes movement ("smuggled from X via Y into Z",
"migrants gather in Svay Rieng, walk into An Giang and Tay Ninh, ride to Ho
Chi Minh City, then travel north to Lang Son before crossing into China")
becomes a :class:`~geomap.records.Route` whose stops are its place mentions in
text order, each with a role read from the words just before it:

* ``origin`` -- "from", "out of", "starts in", "leave";
* ``staging`` -- "gather in", "waited in", "assembled at", "hid in"; also a stop
  on the way followed by "where they waited" (or stayed, hid...);
* ``transit`` -- "through", "via", "across"; also any "to X" that is not the last;
* ``crossing`` -- a border gate, the stop just before "crossing into", or the
  first province or district past a country of origin that lies in another
  country ("leave Laos, enter Dien Bien");
* ``destination`` -- the last "to", "into", "toward", "reach".

Names in a list ("through An Giang, Tay Ninh and Kien Giang") share the role of
the first.  A place with no role word before it is not a stop (it is only
being talked about).  Country-level stops keep precision 6.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geomap import lang
from geomap.cues import _codes, _rules
from geomap.incident_places import point_precision
from geomap.records import Article, Mention, Route, Stop
from geomap.text.sentences import fold_text, split_sentences

__all__ = ["find_routes"]


def _words(role: str, code: str) -> str:
    return "|".join(lang.resources(code).get("routes", {}).get(role, ()))


def _others(role: str, tail: str = r"\s+$", cjk_tail: str = r"\s*$", codes: tuple[str, ...] | None = None) -> str:
    """The words of ``role`` in the languages ``codes`` (all when ``None``) other than English, each as a
    whole pattern: Latin-script ones after a word boundary and before ``tail``, Chinese ones before ``cjk_tail``."""
    out = ""
    for code, routes in lang.merged("routes", codes=codes):
        if code == "en" or not routes.get(role):
            continue
        cjk = lang.resources(code)["language"].get("script") == "han"
        alternatives = "|".join(routes[role])
        before_name = "|".join(routes.get("before_name", ()))
        if before_name and tail == r"\s+$":  # a word before the name that the name leaves out ("lên TP. Hồ Chí Minh")
            tail = rf"\s+(?:(?:{before_name})\s*)?$"
        out += f"|(?:{alternatives}){cjk_tail}" if cjk else rf"|\b(?:{alternatives}){tail}"
    return out


@dataclass(frozen=True)
class _RouteRules:
    """The route words of some languages: English words inside English grammar, the others as written."""

    movement: re.Pattern
    direction: re.Pattern
    origin: re.Pattern
    staging: re.Pattern
    cross_into: re.Pattern
    transit: re.Pattern
    toward: re.Pattern
    sequence: re.Pattern


@functools.lru_cache(maxsize=None)
def _route_rules(codes: tuple[str, ...] | None = None) -> _RouteRules:
    def others(role: str, tail: str = r"\s+$", cjk_tail: str = r"\s*$") -> str:
        return _others(role, tail, cjk_tail, codes)

    return _RouteRules(
        movement=re.compile(r"\b(?:" + _words("movement", "en") + r")\w*" + others("movement", r"\b", "")),
        direction=re.compile(r"\b(?:" + _words("direction", "en") + r")\b" + others("direction", r"\b", "")),
        origin=re.compile(
            "(?:" + "|".join(r"\b" + w for w in lang.resources("en")["routes"]["origin"]) + r")\s+(?:the\s+)?$"
            + others("origin")
        ),
        staging=re.compile(
            r"\b(?:" + _words("staging", "en") + r")(?:\s+[\w-]+){0,3}?\s+(?:in|at)\s+(?:the\s+)?$" + others("staging")
        ),
        cross_into=re.compile(
            r"\b(?:" + _words("cross_into", "en") + r")(?:\s+(?:the|a|over|at|night|border|river|line|illegally))*"
            r"\s+(?:into|to)\s+(?:the\s+)?$" + others("cross_into")
        ),
        transit=re.compile(r"\b(?:" + _words("transit", "en") + r")(?:\s+[\w-]+){0,2}?\s+$" + others("transit")),
        toward=re.compile(
            r"\b(?:" + _words("toward", "en") + r")(?:\s+(?:the|north|south|east|west|northern|southern))?\s+$"
            + others("toward")
        ),
        sequence=re.compile(r"\b(?:" + _words("sequence", "en") + r")\b" + others("sequence", r"\b", "")),
    )


# Every language's (what a report of unknown language is read with).
_ALL = _route_rules()
_MOVEMENT, _DIRECTION, _ORIGIN, _STAGING = _ALL.movement, _ALL.direction, _ALL.origin, _ALL.staging
_CROSS_INTO, _TRANSIT, _TOWARD, _SEQUENCE = _ALL.cross_into, _ALL.transit, _ALL.toward, _ALL.sequence
_WHERE_PEOPLE_WERE = re.compile(r"\b(?:in|near|at)\s+(?:the\s+)?$")
_AGENCY_IN = re.compile(r"\b(?:police|guards?|officers|authorities|customs|officials|department|command|forces?)\s+in\s+$")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*and|,?\s*or|/)\s*(?:the\s+)?$")
# After a stop: the travellers stayed there a while ("..., where they waited in rented rooms").
_STAGED_AFTER = re.compile(
    r"[^\S\n]*,?[^\S\n]*where[^\S\n]+(?:[\w-]+[^\S\n]+){0,3}?"
    r"(?:wait|stay|hid|hidden|gather|assembl|lodg|sheltere|housed)\w*"
)  # not "held" or "kept": "where border guards held them" is a detention
_CROSSING_KINDS = frozenset({"province", "district"})


def _country(gazetteer: Any, place_id: str) -> str | None:
    place = gazetteer.get(place_id) if gazetteer is not None else None
    return place.country if place is not None else None


def _kind(gazetteer: Any, place_id: str) -> str:
    place = gazetteer.get(place_id) if gazetteer is not None else None
    return place.kind if place is not None else "other"


def _role(window: str, rules: _RouteRules = _ALL) -> str | None:
    if rules.cross_into.search(window):
        return "cross_into"
    if rules.staging.search(window):
        return "staging"
    if rules.origin.search(window):
        return "origin"
    if rules.transit.search(window):
        return "transit"
    if rules.toward.search(window):
        return "toward"
    return None


def find_routes(
    article: Article,
    *,
    mentions: Sequence[Mention],
    gazetteer: Any = None,
    sentences: Sequence[tuple[int, int]] | None = None,
    folded: str | None = None,
    language: str | None = None,
) -> list[Route]:
    """Every movement the article describes, as ordered stops with roles.

    Parameters
    ----------
    article
        The report.
    mentions
        Its resolved place mentions, in text order.
    gazetteer
        For the kind of each place (border gates are crossings; countries get
        precision 6).  Without it every stop has precision 1.
    sentences
        The article's sentence spans, if already split.
    folded
        The article's text folded (:func:`geomap.text.sentences.fold_text`), if
        already done; else folded here when a sentence names two places.
    language
        The article's language: its route words and English's are read (an
        English report with English ones only); ``None`` reads every language's.

    Returns
    -------
    list of Route
        Ids ``<article_id>/r<n>``, in text order; only routes of two stops or more.
    """
    codes = _codes(language)
    rules, meeting = _route_rules(codes), _rules(codes).meeting
    text = article.text
    resolved = [m for m in mentions if m.place_id]
    if len(resolved) < 2:
        return []
    starts = [m.start for m in resolved]
    headline = article.title.strip()
    routes: list[Route] = []
    spans = sentences if sentences is not None else split_sentences(text)
    for s_start, s_end in _clauses(text, _with_two(spans, starts)):
        if headline and text[s_start:s_end] == headline:
            continue  # the headline repeats the body
        lo, hi = bisect.bisect_left(starts, s_start), bisect.bisect_left(starts, s_end)
        inside = [m for m in resolved[lo:hi] if m.end <= s_end]
        if len(inside) < 2:
            continue
        if folded is None:
            folded = fold_text(text)
        sentence = folded[s_start:s_end]
        if rules.direction.search(sentence) is None or rules.movement.search(sentence) is None:
            continue
        if meeting.search(sentence) is not None:
            continue  # officials travelling to a meeting are not a route
        stops = _stops(folded, s_start, inside, gazetteer, rules)
        if len(stops) < 2 or len({s.place_id for s in stops}) < 2:
            continue
        routes.append(
            Route(
                id=f"{article.id}/r{len(routes) + 1}",
                article_id=article.id,
                sentence=text[s_start:s_end],
                start=s_start,
                end=s_end,
                stops=tuple(stops),
            )
        )
    return routes


def _with_two(spans: Sequence[tuple[int, int]], starts: Sequence[int]) -> Sequence[tuple[int, int]]:
    """The sentences in which two of the mentions (``starts``) start: only their clauses can hold a route.

    A clause lies in its sentence, so a sentence in which fewer than two
    mentions start has no clause with two.  Found by placing each mention in
    its sentence (bisect) instead of walking every sentence; when the spans are
    not in order and apart, or the mentions not in order, all spans are kept.
    """
    if len(spans) < 2:
        return spans
    firsts, lasts = zip(*spans)
    if not (
        all(map(operator.le, firsts, lasts))
        and all(map(operator.le, lasts[:-1], firsts[1:]))
        and all(map(operator.le, starts[:-1], starts[1:]))
    ):
        return spans
    # one past the index of the sentence starting last at or before each mention;
    # the mentions of a sentence are consecutive, so two of them start in sentence
    # i - 1 when two neighbours share i and the later one starts before its end
    after = list(map(functools.partial(bisect.bisect_right, firsts), starts))
    picked = {i for i, j, at in zip(after, after[1:], starts[1:]) if i == j and i and at < lasts[i - 1]}
    return [spans[i - 1] for i in sorted(picked)]


def _clauses(text: str, sentences: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences, cut again at ";": a list of separate facts is not one journey."""
    out: list[tuple[int, int]] = []
    for s_start, s_end in sentences if sentences is not None else split_sentences(text):
        begin = s_start
        cut = text.find(";", begin, s_end)
        while cut != -1:
            out.append((begin, cut))
            begin = cut + 1
            cut = text.find(";", begin, s_end)
        out.append((begin, s_end))
    return out


def _narrowed(mentions: Sequence[Mention], gazetteer: Any) -> list[Mention]:
    """A country named right before a place in it, with nothing between ("越南芒街": Móng Cái,
    Vietnam), is that place: one stop, read from where the country's name starts."""
    out: list[Mention] = []
    for m in mentions:
        if out and out[-1].end == m.start and _kind(gazetteer, out[-1].place_id) == "country" and (
            _country(gazetteer, m.place_id) == _country(gazetteer, out[-1].place_id)
        ):
            out[-1] = dataclasses.replace(m, start=out[-1].start)
            continue
        out.append(m)
    return out


def _stops(
    folded: str, s_start: int, mentions: Sequence[Mention], gazetteer: Any, rules: _RouteRules = _ALL
) -> list[Stop]:
    mentions = _narrowed(mentions, gazetteer)
    raw: list[tuple[Mention, str]] = []
    unplaced: list[Mention] = []  # places named before the first stop, with no role word
    previous_end = s_start
    previous_role: str | None = None
    for m in mentions:
        window = folded[max(previous_end, m.start - 60) : m.start]
        role = _role(window, rules)
        if role is None and previous_role is not None and _LIST_GAP.match(folded[previous_end : m.start]):
            role = "toward" if previous_role == "cross_into" else previous_role
        if role is None and raw and _kind(gazetteer, m.place_id) == "border_gate":
            role = "crossing"
        if role is None and not raw and _WHERE_PEOPLE_WERE.search(window) and not _AGENCY_IN.search(window):
            unplaced.append(m)
        if role is not None:
            if raw and raw[-1][0].place_id == m.place_id:
                previous_end = m.end
                continue
            raw.append((m, role))
        previous_role = role
        previous_end = m.end
    if raw and unplaced and not any(r == "origin" for _, r in raw) and _kind(gazetteer, unplaced[-1].place_id) != "country":
        # "recruited people in Hanoi, brought them to Ha Long": where the movement starts
        raw.insert(0, (unplaced[-1], "origin"))
    if len(raw) < 2 or not any(r in ("toward", "cross_into", "transit") for _, r in raw):
        return []  # a list of origins ("officials from Vietnam, China and Laos") is no journey
    if all(r == "toward" for _, r in raw) and not any(
        rules.sequence.search(folded, a.end, b.start) for (a, _), (b, _) in zip(raw, raw[1:], strict=False)
    ):
        # "tourists heading for Pingxiang and visitors coming to Hanoi": where
        # several groups go, not one journey, unless told in sequence ("then to")
        return []
    # the last "to"/"into" is the destination; earlier ones are transit stops;
    # the stop just before "crossing into X" is where the border was crossed
    last_toward = max((i for i, (_, r) in enumerate(raw) if r in ("toward", "cross_into")), default=None)
    roles: list[str] = []
    for i, (m, r) in enumerate(raw):
        kind = _kind(gazetteer, m.place_id)
        if r == "cross_into":
            if roles and roles[-1] != "origin":
                roles[-1] = "crossing"
            r = "destination" if i == last_toward else "transit"
        elif r == "toward":
            r = "destination" if i == last_toward else "transit"
        if kind == "border_gate" and r in ("transit", "toward"):
            r = "crossing"
        roles.append(r)
    for i in range(1, len(raw)):
        m, prev = raw[i][0], raw[i - 1][0]
        if roles[i] == "transit" and roles[i - 1] == "origin" and _kind(gazetteer, prev.place_id) == "country":
            # "leave Laos, enter Dien Bien", "from Laos through Dien Bien": the first
            # place past a country of origin, in another country, is where they crossed
            # only a province or district: a city reached from abroad ("flew from China to
            # Ho Chi Minh City") is no land crossing
            if _kind(gazetteer, m.place_id) in _CROSSING_KINDS and _country(gazetteer, m.place_id) not in (
                None,
                _country(gazetteer, prev.place_id),
            ):
                roles[i] = "crossing"
        if roles[i] == "transit" and _STAGED_AFTER.match(folded, m.end):
            roles[i] = "staging"  # "then to Mong Cai, where they waited in rented rooms"
    pairs = list(zip((m for m, _ in raw), roles, strict=True))
    # "entered Dien Bien from Laos": the origin goes first, whatever the word order
    origins = [p for p in pairs if p[1] == "origin"]
    if origins and pairs[0][1] != "origin":
        pairs = origins[:1] + [p for p in pairs if p is not origins[0]]
    stops = []
    for order, (m, role) in enumerate(pairs, start=1):
        kind = _kind(gazetteer, m.place_id)
        stops.append(
            Stop(
                place_id=m.place_id,
                role=role,
                order=order,
                precision=point_precision(gazetteer, m.place_id, kind),
                start=m.start,
                end=m.end,
            )
        )
    return stops
