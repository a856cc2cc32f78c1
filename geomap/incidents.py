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

The steps of a sentence are modules of their own: :mod:`geomap.cues` (the
taxonomy's cue words and the rules that judge them), :mod:`geomap.clauses`
(clauses, their counts and dates), :mod:`geomap.incident_places` (places,
roles, location precision), :mod:`geomap.actors` (agencies and
nationalities); :mod:`geomap.restatements` merges the facts a report tells
twice.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from geomap.actors import _actors
from geomap.clauses import _between, _date_for, _groups, _paragraph_of, _paragraph_starts, _untold
from geomap.cues import CUES, _CUE_LITERALS, _codes, _cues, _meetings, _rules
from geomap.incident_places import (
    _BORDER_WIDE,
    _DATELINE_AFTER,
    KIND_PRECISION,
    _agency_back,
    _border_wide,
    _carried,
    _dateline,
    _kind,
    _nationality_country,
    _places,
    _report_border,
    _where,
    point_precision,
)
from geomap.placement import dateline_country
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
    mention_index = {id(m): i for i, m in enumerate(resolved)}
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
        if all(kinds[mention_index[id(m)]] == "country" for m in sentence_mentions):
            # "Đơn vị cũng phát hiện...", "the unit also seized...": the seat of the agency named before
            back = _agency_back(text, folded, s_start, sentence_cues[0].start, resolved, mention_starts, gazetteer)
            if back:
                context_mentions = back + sentence_mentions
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
            places = _places(
                text, folded, context_mentions, group.type, gazetteer, carried=not sentence_mentions, sentence=(s_start, s_end)
            )
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
