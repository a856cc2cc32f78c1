"""Incidents: the facts about border activity a report states, sentence by sentence.

A sentence becomes one or more :class:`~geomap.records.Incident` when it holds
a cue word of a type in :data:`CUES` (the taxonomy, documented in
``docs/TAXONOMY.md``) and states something that happened: a figure, a date,
or an event verb.  Exhortations ("the two sides need to strengthen...") and
topics ("cooperation in preventing illegal entry") are not incidents.

A sentence can hold several incidents ("found 146 cases of illegal entry ...;
charged 42 defendants for organising illegal crossings"): it is cut into
clauses at ``;`` ``,`` and "while", each clause with a cue opens an incident,
and the counts of a clause go to the incident of its clause (or the one
before it).  The places come from the mentions in the sentence, else from the
sentences before it in the same paragraph; the date from the sentence, else
the publication date at month precision (``date_text`` left empty to flag it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from geomap._regex import clue_size as _clue_size  # noqa: F401  (the tests read it here)
from geomap._regex import prefixes as _prefixes
from geomap._regex import required as _required
from geomap import lang
from geomap.placement import rank as role_rank
from geomap.placement import dateline_country, refine_role, road_start
from geomap.records import Article, Count, DateSpan, Incident, IncidentPlace, Mention
from geomap.text.publication import dateline_stop
from geomap.text.sentences import fold_text, split_sentences

__all__ = [
    "CUES",
    "KIND_PRECISION",
    "find_incidents",
    "fold_text",
    "point_precision",
    "split_sentences",
]

# -- the taxonomy: cue patterns over folded (lower-case, unaccented) text ------

def _cue_table() -> dict[str, tuple[str, ...]]:
    """Every language's cue patterns by type; the types in English's order (their specificity)."""
    table: dict[str, list[str]] = {}
    for _, cues in lang.merged("cues"):
        for kind, patterns in cues.items():
            table.setdefault(kind, []).extend(patterns)
    return {kind: tuple(patterns) for kind, patterns in table.items()}


def _alternatives(part: str, codes: tuple[str, ...] | None = None) -> str:
    """One part's patterns of the languages ``codes`` (all when ``None``), as alternatives: Latin-script
    ones between word boundaries, those of a script without spaces (Chinese) as they are."""
    patterns = [p for _, ps in lang.merged(part, codes=codes) for p in ps]
    latin = [p for p in patterns if not _CJK_START.match(p)]
    cjk = [p for p in patterns if _CJK_START.match(p)]
    pattern = r"\b(?:" + "|".join(latin) + r")\b"
    return pattern + ("|(?:" + "|".join(cjk) + ")" if cjk else "")


# A pattern of a script written without spaces: it opens with such a character, after any
# "(?:" and look-arounds ("(?<!模)拟").
_CJK_START = re.compile(r"(?:\(\?:|\(\?<?[!=][^()]*\))*[\u2e80-\u9fff\uf900-\ufaff]")

#: Cue patterns of each incident type, over folded text, from every ``geomap/lang/*.yaml``.
CUES: dict[str, tuple[str, ...]] = _cue_table()


@dataclass(frozen=True)
class _Rules:
    """The patterns that judge a cue, of some languages: an English report is read with English ones only."""

    meeting: re.Pattern  # a meeting, talks or a signing that took place
    modal: re.Pattern  # what should happen, not what did
    topic_before: re.Pattern  # a cue right after these names a topic ("cooperation in preventing illegal entry")
    event_verb: re.Pattern  # something happened


@functools.lru_cache(maxsize=None)
def _rules(codes: tuple[str, ...] | None = None) -> _Rules:
    topics = [p for _, ps in lang.merged("topic_before", codes=codes) for p in ps]
    topic_before = (
        r"\b(?:" + "|".join(p for p in topics if not _CJK_START.match(p)) + ")"
        r"(?: and [\w-]+)?(?: (?:the|of|on|against|to|in|illicit|cross-border))* $"
        + "".join("|(?:" + p + ")$" for p in topics if _CJK_START.match(p))
    )
    return _Rules(
        re.compile(_alternatives("meeting", codes)),
        re.compile(_alternatives("modal", codes)),
        re.compile(topic_before),
        re.compile(_alternatives("event_verbs", codes)),
    )


def _codes(language: str | None) -> tuple[str, ...] | None:
    """The languages whose rules read a report in ``language``: English's and its own; all when unknown."""
    if language == "en":
        return ("en",)
    if language in lang.languages():
        return ("en", language)  # type: ignore[return-value]
    return None


_COOPERATION_EVENT = _rules().meeting
_MODAL = _rules().modal
_TOPIC_BEFORE = _rules().topic_before
_EVENT_VERB = _rules().event_verb

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
    r"(?:公安局|公安厅|公安分局|边境派出所|派出所|出入境边防检查站|边防检查站|边检站|边境管理支队|边境管理大队"
    r"|边境管理总队|海关缉私局|海关|国家移民管理局|公安部|[\u4e00-\u9fff]{1,2})$"
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
_LEADING_NOISE = frozenset({"The", "A", "An", "In", "At", "Of", "On", "From", "By", "And", "Both", "Its", "Their", "His", "Her"})

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


_NEAR_RE = re.compile(r"\b(?:near|around|close to|outside|not far from|along|on the edge of|gan)\b[^,.;:]{0,30}\b(?:in|of|at)?\s*$")
_NEAR_AFTER = re.compile(r"(?:附近|周边|一带|周围)")
# A figure for the border as a whole, not for one place on it.
_BORDER_WIDE = re.compile(
    r"\b(?:both sides|two sides|two countries|both countries|either side|both sides of the border|"
    r"along the (?:shared |land |whole )?border|the border gates|the shared border|the border line|borderline)\b"
)
_ROLE_BEFORE = (
    (re.compile(r"\b(?:from|out of|left|leaving)\s+(?:the\s+)?$"), "origin"),
    (re.compile(r"\b(?:to|into|toward|towards|for|reach|reached|reaching|bound for)\s+(?:the\s+)?$"), "destination"),
    (re.compile(r"\b(?:through|via|across|at)\s+(?:the\s+)?$"), "through"),
    (re.compile(r"\b(?:in|at|on)\s+(?:the\s+)?$"), "in"),
)
# _ROLE_BEFORE in one search: the keyword of a match ends where the window's last
# word (or the one before a last "the") ends, so at most one keyword can match,
# or "at" for two roles, which the first branch ("through") takes as the loop would.
_ROLE_BEFORE_ONE = re.compile(
    r"\b(?:(from|out of|left|leaving)|(to|into|toward|towards|for|reach|reached|reaching|bound for)"
    r"|(through|via|across|at)|(in|at|on))\s+(?:the\s+)?$"
)
_ROLE_OF_GROUP = (None, "origin", "destination", "through", "in")
_VENUE_TYPES = frozenset({"cooperation", "exercise", "public_awareness"})
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*(?:the\s+)?")  # the whole gap between two names of a list

# -- sentences: clauses and paragraphs (sentence spans: geomap.text.sentences) ----

# ";|:|,|\bwhile\b|\bwhereas\b|\bmeanwhile\b", each branch opening with a literal
# and the word boundary before it checked after it, so the engine scans for ;:,wm in C
_CLAUSE_RE = re.compile(r";|:|,|w(?<!\w.)hile\b|w(?<!\w.)hereas\b|m(?<!\w.)eanwhile\b|，|、|；|：")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


# -- the cue matcher -------------------------------------------------------------


# One regex a cue, without a leading \b: the word boundary before it is checked
# by hand.  Each goes with the literals one of which a text must contain for it
# to match, and, when every match starts with one of a few literals, those.
_CUE_PATTERNS = tuple(
    (kind, rank, re.compile(pattern), _required(pattern), _prefixes(pattern))
    for rank, (kind, patterns) in enumerate(CUES.items())
    for pattern in patterns
)


@dataclass(frozen=True, slots=True)
class _Cue:
    type: str
    start: int
    end: int


def _literal_finder() -> Any:
    """One Aho–Corasick automaton over every cue pattern's required literals and prefixes."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    literals = {lit for *_, needs, starts in _CUE_PATTERNS for lit in (needs or ()) + (starts or ())}
    for codes in _CODE_SETS:
        literals |= set(_required(_rules(codes).meeting.pattern) or ())
    for literal in sorted(literals):
        automaton.add_word(literal, literal)
    automaton.make_automaton()
    return automaton


_COOPERATION_NEEDS = _required(_COOPERATION_EVENT.pattern)
_STRETCH_END = re.compile(r"[.;]")
_CODE_SETS = (None, *(_codes(code) for code in lang.languages()))
_MEETING_NEEDS = {codes: _required(_rules(codes).meeting.pattern) for codes in _CODE_SETS}
_CUE_LITERALS = _literal_finder()


def _meetings(folded: str, literals: Sequence[tuple[int, str]], codes: tuple[str, ...] | None = None) -> list[_Cue]:
    """Every meeting, talk or signing (``_COOPERATION_EVENT``) in the article.

    No match of that regex holds a "." or a ";", so it runs only on the
    stretches between them that hold one of its literals (``literals``: the
    ``(end, literal)`` hits of ``_CUE_LITERALS``): the same matches as a
    run over the whole text.
    """
    meeting, needs = _rules(codes).meeting, _MEETING_NEEDS[codes]
    if needs is None:
        return [_Cue("cooperation", m.start(), m.end()) for m in meeting.finditer(folded)]
    stretches: dict[tuple[int, int], None] = {}
    size = len(folded)
    stops: list[int] | None = None  # where a "." or ";" stands, found once (not searched again for each hit)
    for end, literal in literals:
        if literal not in needs:
            continue
        if stops is None:
            stops = [m.start() for m in _STRETCH_END.finditer(folded)]
        at = end + 1 - len(literal)
        i = bisect.bisect_left(stops, at)
        stretches[(stops[i - 1] + 1 if i else 0, stops[i] if i < len(stops) else size)] = None
    return [
        _Cue("cooperation", m.start(), m.end())
        for lo, hi in sorted(stretches)
        for m in meeting.finditer(folded, lo, hi)
    ]


def _cues(folded: str, literals: Sequence[tuple[int, str]]) -> list[_Cue]:
    """Every cue in the article; where two overlap the more specific type (earlier in CUES) wins.

    ``literals`` are the ``(end, literal)`` hits of ``_CUE_LITERALS`` in the text.
    """
    present: set[str] = set()
    starts_of: dict[str, list[int]] = {}
    for end, literal in literals:
        if literal not in present:
            present.add(literal)
            starts_of[literal] = []
        starts_of[literal].append(end + 1 - len(literal))
    hits: list[tuple[int, int, int, str]] = []
    for kind, rank, pattern, needs, prefixes in _CUE_PATTERNS:
        if needs is not None and present.isdisjoint(needs):
            continue
        if prefixes is None:
            found = pattern.finditer(folded)
        else:  # a match starts at a prefix: try there only, leftmost first, without overlaps
            at = sorted({i for p in prefixes if p in present for i in starts_of[p]})
            found = []
            taken_to = -1
            for i in at:
                if i < taken_to:
                    continue
                m = pattern.match(folded, i)
                if m is not None:
                    found.append(m)
                    taken_to = max(m.end(), i + 1)
        for m in found:
            start = m.start()
            if start and folded[start - 1].isalnum() and folded[start] < "\u2e80":
                continue  # inside a word (Chinese, written without spaces, has no word boundaries)
            hits.append((start, rank, -m.end(), kind))
    return [_Cue(kind, start, -neg_end) for start, _, neg_end, kind in _most_specific(hits)]


def _most_specific(hits: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Cue hits ``(start, rank, -end, type)`` without overlaps: where two overlap the lower rank wins."""
    hits.sort()
    kept: list[tuple[int, int, int, str]] = []
    for hit in hits:
        if kept and hit[0] < -kept[-1][2]:
            if hit[1] < kept[-1][1]:
                kept[-1] = hit
            continue
        kept.append(hit)
    return kept


def _any_in(starts: Sequence[int], lo: int, hi: int) -> bool:
    i = bisect.bisect_left(starts, lo)
    return i < len(starts) and starts[i] < hi


def _between(items: Sequence[Any], keys: Sequence[int], lo: int, hi: int) -> list[Any]:
    return list(items[bisect.bisect_left(keys, lo) : bisect.bisect_left(keys, hi)])


# -- incidents ---------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    type: str
    start: int
    end: int
    counts: list[Count]
    cue: int  # where its cue starts
    cue_end: int


def find_incidents(
    article: Article,
    *,
    mentions: Sequence[Mention],
    gazetteer: Any,
    first_number: int = 1,
    sentences: Sequence[tuple[int, int]] | None = None,
    folded: str | None = None,
    language: str | None = None,
) -> list[Incident]:
    """Every incident the article states, each tied to its sentence.

    Parameters
    ----------
    article
        The report.
    mentions
        Its place mentions (from :func:`geomap.places.find_mentions`), in text order.
    gazetteer
        For the kind, province and country of each place (``get(place_id)``).
    first_number
        Number of the first incident: ids are ``<article_id>#<n>``.
    sentences
        The article's sentence spans, if already split (:func:`split_sentences`).
    folded
        The article's text folded (:func:`fold_text`), if already done.
    language
        The article's language (:func:`geomap.text.language.detect_language`): its
        rules and English's judge the cues (an English report is read with
        English ones only); ``None`` uses every language's.

    Returns
    -------
    list of Incident
        In text order.
    """
    from geomap.text.dates import find_dates
    from geomap.text.counts import find_counts

    text = article.text
    if folded is None:
        folded = fold_text(text)
    literals = list(_CUE_LITERALS.iter(folded))  # one pass finds them all
    cues = _cues(folded, literals)
    codes = _codes(language)
    rules = _rules(codes)
    meetings = _meetings(folded, literals, codes)
    if not cues and not meetings:
        return []
    cues = sorted(cues + meetings, key=lambda c: c.start)
    cue_starts = [c.start for c in cues]
    # only the sentences with a cue are read further: most of a report is context
    spans = sentences if sentences is not None else split_sentences(text)
    sentence_starts = [lo for lo, _ in spans]
    picked: dict[int, None] = {}
    for at in cue_starts:
        i = bisect.bisect_right(sentence_starts, at) - 1
        if i >= 0 and at < spans[i][1]:
            picked[i] = None
    cue_sentences = [spans[i] for i in picked]
    if not cue_sentences:
        return []
    paragraphs = _paragraph_starts(text)
    ref = article.date
    # numbers in the cue sentences only; dates only in the sentences that give
    # an incident, and, for one that states none, in its paragraph before it
    all_counts: list[Count] = []
    for lo, hi in cue_sentences:
        all_counts.extend(c for c in find_counts(text, start=lo, end=hi) if c.start is not None)
    count_starts = [c.start for c in all_counts]
    # paragraph -> (dates read up to, its dates so far, where they begin): each stretch is read once
    read_to: dict[int, tuple[int, list[DateSpan], list[int]]] = {}

    def dates_in(lo: int, hi: int) -> list[DateSpan]:
        return [d for d in find_dates(text, ref=ref, start=lo, end=hi) if d.begin is not None]

    def last_date_before(s_start: int) -> DateSpan | None:
        para = _paragraph_of(paragraphs, s_start)
        upto, dates, begins = read_to.get(para) or (para, [], [])
        if upto < s_start:  # read on from where the last look stopped (a sentence start)
            found = dates_in(upto, s_start)
            dates.extend(found)
            begins.extend(d.begin for d in found)  # type: ignore[misc]
            upto = s_start
        read_to[para] = (upto, dates, begins)
        i = bisect.bisect_left(begins, s_start)
        return dates[i - 1] if i else None
    resolved = [m for m in mentions if m.place_id]
    if _DATELINE_AFTER is not None and language != "en" and not text.isascii():
        # "新华社南宁5月16日电": where the report was filed, not where anything happened
        resolved = [m for m in resolved if not _DATELINE_AFTER.search(text, max(0, m.start - 4), m.start)]
    mention_starts = [m.start for m in resolved]
    dateline = _dateline(text, resolved, gazetteer)
    kinds = [_kind(gazetteer, m.place_id) for m in resolved]
    countries = list(dict.fromkeys(m.place_id for m, kind in zip(resolved, kinds, strict=True) if kind == "country"))
    # for each mention, the last one up to it that is not a country (-1: none)
    last_place: list[int] = []
    for i, kind in enumerate(kinds):
        last_place.append(i if kind != "country" else (last_place[-1] if last_place else -1))
    filed_to = dateline_stop(text)
    drafts: list[_Draft] = []
    report_border: tuple[str, ...] | None = None  # the two countries of "the China-Vietnam border", looked up once
    seen_cooperation: set[tuple] = set()
    headline = article.title.strip()
    for s_start, s_end in cue_sentences:
        sentence_cues = _between(cues, cue_starts, s_start, s_end)
        if headline and _repeats_headline(text[s_start:s_end], headline):
            continue  # a headline repeats a fact of the body: drawing it would count it twice
        counts = _between(all_counts, count_starts, s_start, s_end)
        groups = _groups(folded, s_start, s_end, counts, sentence_cues, rules.topic_before)
        # what should happen is no incident: a modal word before the cue ("need to increase patrols")
        modal = rules.modal.search(folded, s_start, s_end) if groups else None
        if modal is not None:
            groups = [g for g in groups if modal.start() >= g.cue_end]
        if any(g.counts for g in groups):
            # the sentence's fact is the counted one; other cues in it are context
            groups = [g for g in groups if g.counts or g.type == "cooperation"]
        if not groups:
            continue
        sentence = text[s_start:s_end]  # one string shared by the incidents of this sentence
        dates = dates_in(s_start, s_end)
        if s_start < filed_to:  # a dateline's date is when the story was filed, not when it happened
            dates = [d for d in dates if d.begin >= filed_to]
        happened: bool | None = True if dates else None  # else looked up when a group needs it
        # the dates a clause may take: those of the sentence, less the dates statements were made
        clause_dates = _untold(dates, folded)
        sentence_mentions = [m for m in _between(resolved, mention_starts, s_start, s_end) if m.end <= s_end]
        context_mentions = sentence_mentions or _carried(resolved, mention_starts, last_place, paragraphs, s_start) or dateline
        border_wide: bool | None = False if sentence_mentions else None
        actors: tuple[str, ...] | None = None  # read when the sentence gives its first incident
        group_start = s_start  # where the clauses of a group may take their date from: after the group before
        for group in groups:
            lo_date, group_start = group_start, group.end
            if group.type != "cooperation":
                if not group.counts:
                    if happened is None:
                        happened = rules.event_verb.search(folded, s_start, s_end) is not None
                    if not happened or group.type in _NEED_COUNTS:
                        continue
            places = _places(text, folded, context_mentions, group.type, gazetteer, carried=not sentence_mentions)
            place_id, precision = _where(text, folded, places, context_mentions, gazetteer)
            if border_wide is None:
                border_wide = _BORDER_WIDE.search(folded, s_start, s_end) is not None
            if border_wide:
                # "both sides conducted 24 joint patrols": the border, not the place named earlier
                place_id, precision, places = _border_wide(place_id, countries)
            elif place_id is None:
                place_id, precision = _nationality_country(text, s_start, s_end, countries, gazetteer)
                if place_id is None:
                    if report_border is None:
                        report_border = _report_border(text, resolved, gazetteer)
                    if report_border:
                        # a figure that names no place, in a report on the X–Y border: that border
                        place_id, precision = report_border[0], 5
                        places = [IncidentPlace(c, "party") for c in report_border]
                    else:
                        place_id, precision = dateline_country(dateline, gazetteer)
            date = _date_for(clause_dates, group, ref, "", lo_date)
            if date is not None and not date.text:
                date = last_date_before(s_start) or date
            if group.type == "cooperation" and not group.counts:
                key = (date.start if date else None, place_id)
                if key in seen_cooperation:
                    continue  # the same meeting again
                seen_cooperation.add(key)
            if actors is None:
                actors = _actors(text, s_start, s_end, mention_starts, named=language != "en")
            drafts.append(
                _Draft(group.type, sentence, s_start, s_end, tuple(group.counts), date, tuple(places), actors, precision, place_id)
            )
    # built once the repeats are dropped and the restatements merged, each with its number
    from geomap.restatements import merge_restatements
    from geomap.statistics import find_change

    return [
        Incident(
            id=f"{article.id}#{n}",
            article_id=article.id,
            type=d.type,
            sentence=d.sentence,
            start=d.start,
            end=d.end,
            counts=d.counts,
            date=d.date,
            places=d.places,
            actors=d.actors,
            location_precision=d.location_precision,
            place_id=d.place_id,
            source="extracted",
            evidence=evidence,
            change=find_change(folded, evidence) if d.counts else "",
        )
        for n, (d, evidence) in enumerate(merge_restatements(_drop_repeats(drafts), gazetteer), start=first_number)
    ]


_AFTER_HEADLINE = re.compile(r"\s*[-–—|:]\s*\S.{0,38}")  # " - VOV.VN", " | Báo Lạng Sơn", " -0" (a caption's number)


def _repeats_headline(sentence: str, headline: str) -> bool:
    """The headline again, alone or with a short tail after a dash or bar (a site's name, a photo number)."""
    if not sentence.startswith(headline):
        return False
    rest = sentence[len(headline) :]
    return not rest.strip() or _AFTER_HEADLINE.fullmatch(rest) is not None


class _Draft(NamedTuple):
    """An incident before its number is known (the fields of :class:`Incident` it needs)."""

    type: str
    sentence: str
    start: int
    end: int
    counts: tuple[Count, ...]
    date: DateSpan | None
    places: tuple[IncidentPlace, ...]
    actors: tuple[str, ...]
    location_precision: int
    place_id: str | None


# Types that say nothing without a figure ("cleared more than 500,000 people").
_NEED_COUNTS = frozenset({"crossing_statistics", "public_awareness", "other"})
_NATIONALITY_COUNTRY = {
    re.sub(r"\(.*", "", word).lower(): code for _, names in lang.merged("nationalities") for word, code in names.items()
}
_NATIONAL_AGENCY_RE = re.compile(
    r"\b(" + "|".join(re.sub(r"\(.*", "", word) for _, names in lang.merged("nationalities") for word in names) + ") "
    r"(?:police|border guards?|authorities|officers|customs|side|immigration|ministry|public security)\b"
)


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


def _drop_repeats(drafts: Sequence[Any]) -> list[Any]:
    """A fact told once with figures and again in passing is one incident.

    Of each type (cooperation aside), an incident without counts is dropped
    when the article already gives that type and the incident states no date
    of its own, or the same date.
    """
    def when(incident: Any) -> Any:
        date = incident.date
        return (date.start, date.end) if date is not None and date.text else None

    dated: dict[str, set] = {}
    for incident in drafts:
        if incident.counts:
            dated.setdefault(incident.type, set()).add(when(incident))
    kept: list[Any] = []
    for incident in drafts:
        if incident.type != "cooperation" and not incident.counts:
            known = dated.setdefault(incident.type, set())
            day = when(incident)
            # an undated mention, or one on a date already told, repeats a known fact
            if known and (day is None or day in known):
                continue
            known.add(day)
        kept.append(incident)
    return kept


_RANK = {kind: rank for rank, kind in enumerate(CUES)}
# a meeting in a clause is what the clause reports, unless it is an outreach
# meeting (public awareness) or an event type more specific than a meeting
_RANK["cooperation"] = _RANK["public_awareness"] + 0.5


def _groups(
    folded: str, lo: int, hi: int, counts: Sequence[Count], cues: Sequence[_Cue], topic_before: re.Pattern = _TOPIC_BEFORE
) -> list[_Group]:
    """Cut a sentence into clauses and gather them around their cues.

    A clause with a cue opens an incident of that cue's type (of the most
    specific one if it holds several) or joins the open one of that type; a
    clause without a cue joins the incident before it, unless it follows a
    ``;`` and states a figure, which then is an incident of type ``other``.
    """
    cues = [c for c in cues if not _is_topic(folded, lo, c, topic_before)]
    if not cues:
        return []
    cuts = [lo] + [m.end() for m in _CLAUSE_RE.finditer(folded, lo, hi)] + [hi]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    groups: list[_Group] = []
    # the cues are in text order (and start in [lo, hi)): those of each clause are the next ones
    next_cue = 0
    for a, b in clauses:
        first = next_cue
        while next_cue < len(cues) and cues[next_cue].start < b:
            next_cue += 1
        inside = cues[first:next_cue]
        strong = a > lo and folded[a - 1] == ";"
        if inside:
            primary = inside[0] if len(inside) == 1 else min(inside, key=lambda c: (_RANK.get(c.type, 99), c.start))
            current = next((g for g in groups if g.type == primary.type), None)
            if current is None:
                current = _Group(primary.type, a, b, [], primary.start, primary.end)
                groups.append(current)
            else:
                current.end = b
            target: _Group | None = current
        elif groups and not strong:
            target = groups[-1]
            target.end = b
        elif strong and any(c.start is not None and a <= c.start < b for c in counts):
            target = _Group("other", a, b, [], a, a)
            groups.append(target)
        else:
            target = None
        if target is not None and counts:
            target.counts.extend(c for c in counts if c.start is not None and a <= c.start < b)
    # counts before the first clause with a cue go to the first group
    if groups and counts:
        first = groups[0]
        early = [c for c in counts if c.start is not None and c.start < first.start]
        first.counts[:0] = early
    return groups


def _is_topic(folded: str, lo: int, cue: _Cue, topic_before: re.Pattern = _TOPIC_BEFORE) -> bool:
    """A cue right after "preventing", "combating"... names a topic, not an event."""
    window = folded[max(lo, cue.start - 40) : cue.start]
    return topic_before.search(window) is not None


def _paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in _PARAGRAPH_BREAK.finditer(text):
        starts.append(m.end())
    return starts


def _paragraph_of(paragraphs: Sequence[int], pos: int) -> int:
    """Where the paragraph holding ``pos`` starts (``paragraphs`` sorted, from 0)."""
    return paragraphs[max(0, bisect.bisect_right(paragraphs, pos) - 1)]


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
    text: str, folded: str, mentions: Sequence[Mention], group_type: str, gazetteer: Any, *, carried: bool
) -> list[IncidentPlace]:
    out: list[IncidentPlace] = []
    seen: set[tuple[str, str]] = set()
    previous: tuple[Mention, str] | None = None
    for m in mentions:
        kind = _kind(gazetteer, m.place_id)
        role = refine_role(folded, m.start, m.end, _role(folded, m, group_type, kind, carried), kind)
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
        if best is None or candidate[:3] < best[:3]:
            best = candidate  # type: ignore[assignment]
    if best is not None:
        # the most precise place named wins; drawn at its parent's point, it is only as precise as that
        return best[3], max(best[1], point_precision(gazetteer, best[3], _kind(gazetteer, best[3])))  # type: ignore[index]
    countries = list(dict.fromkeys(countries))
    if len(countries) >= 2:
        return countries[0], 5
    if countries:
        return countries[0], 6
    return None, 6


_REPORTED_ON = re.compile(r"\b(?:said|says|told|announced|reported|stated|added)(?: on| in| last)?\s*$")


def _untold(dates: Sequence[DateSpan], folded: str) -> Sequence[DateSpan]:
    """``dates`` less those a statement was made on ("said on Sunday"), unless that leaves none."""
    if not folded or not dates:
        return dates
    told = [d for d in dates if _REPORTED_ON.search(folded, max(0, d.begin - 20), d.begin)]
    if told and len(told) < len(dates):
        return [d for d in dates if d not in told]
    return dates


def _date_for(
    dates: Sequence[DateSpan], group: _Group, ref: DateSpan | None, folded: str = "", lo: int = 0
) -> DateSpan | None:
    """The date of a clause group, else of its sentence, else the publication month (flagged: no text).

    The date a statement was made ("said on Sunday") gives way to the date of
    what it reports.
    """
    if folded:
        dates = _untold(dates, folded)
    upto = [d for d in dates if d.begin is not None and lo <= d.begin < group.end]
    if upto:
        return upto[0]
    if dates:
        return dates[0]
    if ref is None or ref.start is None:
        return None
    day = ref.start
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return DateSpan(first, following - dt.timedelta(days=1), "month", "")


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
