"""Score an extraction against the hand-labelled answer key.

Pure functions: they take the tidy tables of an ``Extraction`` (pandas
DataFrames with the columns in ``docs/ARCHITECTURE.md``) and the answer key
(``samples/answer_key.json``, format in ``samples/README.md``) and return
precision, recall and F1, plus a per-article list of misses and false
positives so a developer sees what to fix.

Matching rules (documented for labellers in ``samples/README.md``):

- Mentions: one item per distinct ``(article, name_key(text), place_id)``.
  A predicted mention is right when the same article has a labelled mention
  of the same place whose name key equals it or contains it word for word
  (or the other way round), so "Lang Son province" and "Lang Son" for
  ``vn.province.lang-son`` are one item, and "Guangxi" found inside
  "Guangxi Zhuang Autonomous Region" still counts. Rows without a place id
  are left out of precision (they are unresolved, not claims).
- Incidents: paired one to one within an article on equal ``type``,
  preferring the pair whose sentence contains the labelled phrase, then the
  one with more counts in common, then the one at the same place. Place,
  location precision, counts and dates are then scored on the pairs.
- Counts: ``value`` and ``unit``; units are normalised (``kilograms`` ->
  ``kg``, ``dong`` -> ``VND``, person words -> ``people``) and values compared
  with a relative tolerance of 1e-6.
- Routes: stops as a sequence of place ids. Each labelled route is paired
  with the predicted route of the same article that keeps the most of its
  stops in order (longest common subsequence); stop recall is the kept
  stops over all labelled stops.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.normalize import name_key

__all__ = [
    "PRF",
    "EventScore",
    "IncidentScore",
    "MentionScore",
    "RouteScore",
    "Score",
    "load_key",
    "normalise_unit",
    "parse_counts",
    "score",
    "score_events",
    "score_incidents",
    "score_mentions",
    "score_routes",
]


# -- the numbers -----------------------------------------------------------


@dataclass(frozen=True)
class PRF:
    """True positives, false positives and false negatives, with P, R and F1.

    With nothing predicted and nothing expected, precision and recall are 1
    (a perfect empty answer); with nothing predicted but something expected,
    precision is 0 as well as recall, so an extractor that returns nothing
    never passes a precision threshold.
    """

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.tp + self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def __str__(self) -> str:
        return (
            f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn})"
        )


def _ratio(right: int, total: int) -> float:
    """``right / total``, 1.0 when there is nothing to get right."""
    return 1.0 if total == 0 else right / total


@dataclass(frozen=True)
class MentionScore:
    """Mention scores and, by article, what was missed and what was wrong."""

    prf: PRF
    missed: dict[str, list[str]] = field(default_factory=dict)
    false: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentScore:
    """Incident type P/R/F1 and accuracies over the matched pairs."""

    type: PRF
    counts: PRF
    place_right: int = 0
    place_total: int = 0
    precision_right: int = 0
    precision_total: int = 0
    counts_right: int = 0
    counts_total: int = 0
    date_right: int = 0
    date_total: int = 0
    duplicates: int = 0  # unpaired predictions that tell a paired labelled fact again
    predicted: int = 0
    change_right: int = 0
    change_total: int = 0
    missed: dict[str, list[str]] = field(default_factory=dict)
    false: dict[str, list[str]] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(default_factory=dict)

    @property
    def duplicate_rate(self) -> float:
        """Share of predicted incidents that repeat a fact another predicted incident already gives."""
        return 0.0 if self.predicted == 0 else self.duplicates / self.predicted

    @property
    def change_accuracy(self) -> float:
        return _ratio(self.change_right, self.change_total)

    @property
    def place_accuracy(self) -> float:
        return _ratio(self.place_right, self.place_total)

    @property
    def location_precision_accuracy(self) -> float:
        return _ratio(self.precision_right, self.precision_total)

    @property
    def count_accuracy(self) -> float:
        """Share of matched incidents with labelled counts whose every count was found."""
        return _ratio(self.counts_right, self.counts_total)

    @property
    def date_accuracy(self) -> float:
        return _ratio(self.date_right, self.date_total)


@dataclass(frozen=True)
class RouteScore:
    """Route scores: routes found, stops kept in order, roles right."""

    routes_found: int
    routes_total: int
    routes_predicted: int
    stops_kept: int
    stops_total: int
    roles_right: int = 0
    missed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def route_recall(self) -> float:
        return _ratio(self.routes_found, self.routes_total)

    @property
    def route_precision(self) -> float:
        if self.routes_predicted == 0:
            return 1.0 if self.routes_total == 0 else 0.0
        return min(1.0, self.routes_found / self.routes_predicted)

    @property
    def stop_recall(self) -> float:
        return _ratio(self.stops_kept, self.stops_total)

    @property
    def role_accuracy(self) -> float:
        return _ratio(self.roles_right, self.stops_kept)


@dataclass(frozen=True)
class Score:
    """Everything the quality test checks, with a readable breakdown."""

    mentions: MentionScore
    incidents: IncidentScore
    routes: RouteScore
    events: EventScore | None = None

    def summary(self) -> str:
        """A few lines with the headline figures."""
        inc, rt = self.incidents, self.routes
        return "\n".join(
            [
                f"mentions   {self.mentions.prf}",
                f"incidents  {inc.type}",
                f"  place accuracy {inc.place_accuracy:.3f} ({inc.place_right}/{inc.place_total}), "
                f"location precision accuracy {inc.location_precision_accuracy:.3f} "
                f"({inc.precision_right}/{inc.precision_total})",
                f"  count accuracy {inc.count_accuracy:.3f} ({inc.counts_right}/{inc.counts_total}); counts {inc.counts}",
                f"  date accuracy {inc.date_accuracy:.3f} ({inc.date_right}/{inc.date_total}), "
                f"change accuracy {inc.change_accuracy:.3f} ({inc.change_right}/{inc.change_total})",
                f"  duplicate incidents {inc.duplicate_rate:.3f} ({inc.duplicates}/{inc.predicted}), "
                f"right place {inc.place_accuracy:.3f}",
                f"events     pairs {self.events.pairs if self.events is not None else '-'}",
                f"routes     found {rt.routes_found}/{rt.routes_total} (predicted {rt.routes_predicted}), "
                f"stop recall {rt.stop_recall:.3f} ({rt.stops_kept}/{rt.stops_total}), "
                f"role accuracy {rt.role_accuracy:.3f}",
            ]
        )

    def breakdown(self) -> str:
        """Per article: missed and false mentions, incidents and routes."""
        sections = (
            ("missed mention", self.mentions.missed),
            ("false mention", self.mentions.false),
            ("missed incident", self.incidents.missed),
            ("false incident", self.incidents.false),
            ("wrong detail", self.incidents.wrong),
            ("route", self.routes.missed),
        )
        event_lines = []
        if self.events is not None:
            event_lines = [f"  events not joined: {m}" for m in self.events.missed]
            event_lines += [f"  events joined wrongly: {m}" for m in self.events.false]
        articles = sorted({aid for _, by in sections for aid in by})
        lines: list[str] = []
        for aid in articles:
            lines.append(f"[{aid}]")
            for label, by in sections:
                lines.extend(f"  {label}: {item}" for item in by.get(aid, ()))
        if event_lines:
            lines.append("[events across reports]")
            lines.extend(event_lines)
        return "\n".join(lines)


# -- the key ---------------------------------------------------------------

_KEY_FORMAT = "geomap-answer-key/1"


def load_key(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read the answer key and return its articles, keyed by article id.

    Raises ``ValueError`` naming the file and the article when the key is
    malformed, so a labelling slip fails loudly rather than scoring wrong.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != _KEY_FORMAT:
        msg = f"{path}: unknown answer key format: {data.get('format')!r}"
        raise ValueError(msg)
    articles = data["articles"]
    for aid, art in articles.items():
        for part in ("mentions", "incidents", "routes"):
            if not isinstance(art.get(part), list):
                msg = f"{path}: article {aid!r}: {part!r} must be a list"
                raise ValueError(msg)
        for inc in art["incidents"]:
            for col in ("type", "place_id", "location_precision", "counts", "date_start", "date_end", "sentence_contains"):
                if col not in inc:
                    msg = f"{path}: article {aid!r}: incident without {col!r}: {inc!r}"
                    raise ValueError(msg)
    return articles


# -- helpers ---------------------------------------------------------------

_PERSON_WORDS = frozenset(
    """people person persons individual individuals citizen citizens national nationals migrant migrants
    victim victims fugitive fugitives woman women man men traveller travellers traveler travelers passenger
    passengers broker brokers worker workers resident residents entrant entrants foreigner foreigners
    child children criminal criminals""".split()
)
_UNIT_SYNONYMS = {
    "kilogram": "kg",
    "kilograms": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kgs": "kg",
    "tonne": "tonnes",
    "ton": "tonnes",
    "tons": "tonnes",
    "t": "tonnes",
    "dong": "VND",
    "đồng": "VND",
    "vnd": "VND",
    "yuan": "yuan",
    "cny": "yuan",
    "rmb": "yuan",
    "usd": "USD",
    "$": "USD",
    "us$": "USD",
    "dollar": "USD",
    "dollars": "USD",
}


def normalise_unit(unit: object) -> str:
    """The unit in one canonical spelling, so "kilograms" and "kg" compare equal."""
    text = "" if _missing(unit) else str(unit).strip().lower()
    if text in _PERSON_WORDS:
        return "people"
    if text in _UNIT_SYNONYMS:
        return _UNIT_SYNONYMS[text]
    if len(text) > 3 and text.endswith("s") and not text.endswith("ss"):
        text = text[:-1]
    return text


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


_NUMBER = r"[0-9][0-9_,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
# "146 cases", "over 64000 people", "10-20 people" (the lower end is the value)
_COUNT_RE = re.compile(rf"({_NUMBER})(?:\s*(?:-|–|to)\s*{_NUMBER})?\s*(.*?)\s*$")


def parse_counts(cell: object) -> list[tuple[float, str]]:
    """Parse an incidents ``counts`` cell ("146 cases;431 people") into (value, unit) pairs.

    A leading qualifier ("over 64000 people") is skipped; items without a
    number are ignored.
    """
    out: list[tuple[float, str]] = []
    for item in _text(cell).split(";"):
        m = _COUNT_RE.search(item)
        if m:
            out.append((float(m.group(1).replace(",", "").replace("_", "")), normalise_unit(m.group(2))))
    return out


def _int_or_none(value: object) -> int | None:
    if _missing(value) or _text(value).strip() == "":
        return None
    try:
        return int(float(_text(value)))
    except ValueError:
        return None


def _same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _count_overlap(gold: Sequence[tuple[float, str]], pred: Sequence[tuple[float, str]]) -> int:
    """How many gold counts the prediction has (each predicted count used once)."""
    left = list(pred)
    hit = 0
    for value, unit in gold:
        for i, (pv, pu) in enumerate(left):
            if pu == unit and _same_value(pv, value):
                hit += 1
                del left[i]
                break
    return hit


def _words_within(small: str, big: str) -> bool:
    return bool(small) and f" {small} " in f" {big} "


def _compatible(a: str, b: str) -> bool:
    return a == b or _words_within(a, b) or _words_within(b, a)


def _frame(table: pd.DataFrame | None, columns: Iterable[str]) -> pd.DataFrame:
    """The table, or an empty one with ``columns`` when it is missing."""
    if table is None:
        return pd.DataFrame(columns=list(columns))
    return table


def _iso(value: object) -> str | None:
    text = _text(value).strip()
    return text[:10] if text else None


# -- mentions --------------------------------------------------------------


def score_mentions(mentions: pd.DataFrame | None, key: Mapping[str, Mapping[str, Any]]) -> MentionScore:
    """Score mentions on (article, name key of the text, place id); articles outside the key are ignored."""
    table = _frame(mentions, ("article_id", "text", "place_id"))
    predicted: dict[str, set[tuple[str, str, str]]] = {}
    for aid, text, pid in zip(table["article_id"], table["text"], table["place_id"], strict=True):
        aid = _text(aid)
        if aid not in key or _missing(pid) or not _text(pid):
            continue
        predicted.setdefault(aid, set()).add((name_key(_text(text)), _text(pid), _text(text)))
    tp = fp = fn = 0
    missed: dict[str, list[str]] = {}
    false: dict[str, list[str]] = {}
    for aid in sorted(key):
        gold: dict[tuple[str, str], str] = {}
        for m in key[aid]["mentions"]:
            gold.setdefault((name_key(m["text"]), m["place_id"]), m["text"])
        # one predicted item per (name key, place); keep the first spelling seen for messages
        preds: dict[tuple[str, str], str] = {}
        for k, pid, text in sorted(predicted.get(aid, ())):
            preds.setdefault((k, pid), text)
        for (gk, gpid), gtext in gold.items():
            if any(pid == gpid and _compatible(k, gk) for k, pid in preds):
                tp += 1
            else:
                fn += 1
                missed.setdefault(aid, []).append(f"{gtext!r} -> {gpid}")
        for (k, pid), text in preds.items():
            if not any(pid == gpid and _compatible(k, gk) for gk, gpid in gold):
                fp += 1
                false.setdefault(aid, []).append(f"{text!r} -> {pid}")
    return MentionScore(PRF(tp, fp, fn), missed, false)


# -- incidents -------------------------------------------------------------


@dataclass(frozen=True)
class _PredIncident:
    incident_id: str
    type: str
    place_id: str
    location_precision: int | None
    counts: list[tuple[float, str]]
    date_start: str | None
    date_end: str | None
    sentence: str
    change: str = ""


def _same_fact(g: Mapping[str, Any], p: _PredIncident) -> bool:
    """The prediction tells the labelled fact (of its type): a labelled figure, or no figures on the same start."""
    if p.type != g["type"]:
        return False
    gcounts = [(float(c["value"]), normalise_unit(c["unit"])) for c in g["counts"]]
    if gcounts:
        return _count_overlap(gcounts, p.counts) > 0
    return not p.counts and g["date_start"] is not None and p.date_start == g["date_start"]


def _pred_incidents(table: pd.DataFrame, key: Mapping[str, Any]) -> dict[str, list[_PredIncident]]:
    out: dict[str, list[_PredIncident]] = {}
    if table.empty:
        return out
    rows = table
    if "source" in rows.columns:
        # analyst tables and corrections are not extraction; score only what was extracted
        rows = rows[rows["source"].fillna("extracted").astype(str).isin(["extracted", ""])]
    for rec in rows.to_dict("records"):
        aid = _text(rec.get("article_id"))
        if aid not in key:
            continue
        counts = parse_counts(rec.get("counts"))
        if not counts and not _missing(rec.get("value")):
            # no counts list: fall back on the headline count
            counts = parse_counts(f"{rec.get('value')} {_text(rec.get('unit'))}")
        out.setdefault(aid, []).append(
            _PredIncident(
                incident_id=_text(rec.get("incident_id")),
                type=_text(rec.get("type")),
                place_id=_text(rec.get("place_id")),
                location_precision=_int_or_none(rec.get("location_precision")),
                counts=counts,
                date_start=_iso(rec.get("date_start")),
                date_end=_iso(rec.get("date_end")),
                sentence=_text(rec.get("sentence")),
                change=_text(rec.get("change")),
            )
        )
    return out


def _describe_gold(inc: Mapping[str, Any]) -> str:
    counts = ", ".join(f"{c['value']:g} {c['unit']}" for c in inc["counts"]) or "no counts"
    return f"{inc['type']} at {inc['place_id']} [{counts}] in {inc['sentence_contains']!r}"


def _describe_pred(inc: _PredIncident) -> str:
    counts = ", ".join(f"{v:g} {u}" for v, u in inc.counts) or "no counts"
    sentence = " ".join(inc.sentence.split())
    if len(sentence) > 90:
        sentence = sentence[:87] + "..."
    return f"{inc.type} at {inc.place_id or '-'} [{counts}] in {sentence!r}"


def _pair_incidents(
    gold: Sequence[Mapping[str, Any]], pred: Sequence[_PredIncident]
) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) of the same type, best evidence first."""
    candidates = []
    for gi, g in enumerate(gold):
        gcounts = [(float(c["value"]), normalise_unit(c["unit"])) for c in g["counts"]]
        phrase = " ".join(g["sentence_contains"].split()).casefold()
        for pi, p in enumerate(pred):
            if p.type != g["type"]:
                continue
            in_sentence = phrase in " ".join(p.sentence.split()).casefold()
            overlap = _count_overlap(gcounts, p.counts)
            same_place = g["place_id"] is not None and p.place_id == g["place_id"]
            candidates.append((-int(in_sentence), -overlap, -int(same_place), gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for *_, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def score_incidents(incidents: pd.DataFrame | None, key: Mapping[str, Mapping[str, Any]]) -> IncidentScore:
    """Score incidents: type P/R/F1, then place, precision, counts and dates on the matched pairs."""
    table = _frame(incidents, ("article_id", "type", "place_id", "counts", "sentence"))
    predicted = _pred_incidents(table, key)
    type_prf = PRF(0, 0, 0)
    count_prf = PRF(0, 0, 0)
    acc = dict.fromkeys(
        ("place_right", "place_total", "precision_right", "precision_total", "counts_right", "counts_total",
         "date_right", "date_total", "duplicates", "predicted", "change_right", "change_total"),
        0,
    )
    missed: dict[str, list[str]] = {}
    false: dict[str, list[str]] = {}
    wrong: dict[str, list[str]] = {}
    for aid in sorted(key):
        gold = key[aid]["incidents"]
        pred = predicted.get(aid, [])
        pairs = _pair_incidents(gold, pred)
        type_prf += PRF(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
        paired_g = {gi for gi, _ in pairs}
        paired_p = {pi for _, pi in pairs}
        missed_here = [_describe_gold(g) for gi, g in enumerate(gold) if gi not in paired_g]
        false_here = [_describe_pred(p) for pi, p in enumerate(pred) if pi not in paired_p]
        acc["predicted"] += len(pred)
        for pi, p in enumerate(pred):
            if pi not in paired_p and any(_same_fact(gold[gi], p) for gi in paired_g):
                acc["duplicates"] += 1
                false_here.append(f"(a duplicate) {_describe_pred(p)}")
        wrong_here: list[str] = []
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            gcounts = [(float(c["value"]), normalise_unit(c["unit"])) for c in g["counts"]]
            overlap = _count_overlap(gcounts, p.counts)
            count_prf += PRF(overlap, len(p.counts) - overlap, len(gcounts) - overlap)
            if gcounts:
                acc["counts_total"] += 1
                if overlap == len(gcounts):
                    acc["counts_right"] += 1
                else:
                    wrong_here.append(f"counts of {_describe_gold(g)}: got {_describe_pred(p)}")
            if g["place_id"] is not None:
                acc["place_total"] += 1
                if p.place_id == g["place_id"]:
                    acc["place_right"] += 1
                else:
                    wrong_here.append(f"place of {g['type']} {g['sentence_contains']!r}: {p.place_id or '-'} not {g['place_id']}")
            if g["location_precision"] is not None:
                acc["precision_total"] += 1
                acc["precision_right"] += int(p.location_precision == g["location_precision"])
            if g.get("change") is not None:
                acc["change_total"] += 1
                acc["change_right"] += int(p.change == g["change"])
            if g["date_start"] is not None:
                acc["date_total"] += 1
                if (p.date_start, p.date_end) == (g["date_start"], g["date_end"]):
                    acc["date_right"] += 1
                else:
                    wrong_here.append(
                        f"date of {g['type']} {g['sentence_contains']!r}: {p.date_start}..{p.date_end} "
                        f"not {g['date_start']}..{g['date_end']}"
                    )
        if missed_here:
            missed[aid] = missed_here
        if false_here:
            false[aid] = false_here
        if wrong_here:
            wrong[aid] = wrong_here
    return IncidentScore(type_prf, count_prf, missed=missed, false=false, wrong=wrong, **acc)


# -- events ----------------------------------------------------------------


@dataclass(frozen=True)
class EventScore:
    """Pairwise precision and recall of events over the labelled incidents that were found.

    Two found incidents are a gold pair when their labels carry the same
    ``event``, a predicted pair when the ``events`` table gives their
    predicted incidents the same ``event_id``.
    """

    pairs: PRF
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)


def score_events(
    incidents: pd.DataFrame | None, events: pd.DataFrame | None, key: Mapping[str, Mapping[str, Any]]
) -> EventScore:
    """Score the events table: pairs of matched incidents told as one event, against the key's ``event`` labels."""
    table = _frame(incidents, ("incident_id", "article_id", "type", "place_id", "counts", "sentence"))
    predicted = _pred_incidents(table, key)
    ev = _frame(events, ("event_id", "incident_id"))
    event_of = {_text(i): _text(e) for i, e in zip(ev["incident_id"], ev["event_id"], strict=True)}
    found: list[tuple[str, str, str]] = []  # (label, gold event, predicted event)
    for aid in sorted(key):
        gold = key[aid]["incidents"]
        pred = predicted.get(aid, [])
        for gi, pi in _pair_incidents(gold, pred):
            label = f"{aid}: {gold[gi]['type']} {gold[gi]['sentence_contains']!r}"
            gold_event = gold[gi].get("event") or f"{aid}#{gi}"
            pred_event = event_of.get(pred[pi].incident_id) or f"?{aid}#{pi}"  # not in the table: alone
            found.append((label, gold_event, pred_event))
    tp = fp = fn = 0
    missed: list[str] = []
    false: list[str] = []
    for i, (la, ga, pa) in enumerate(found):
        for lb, gb, pb in found[i + 1 :]:
            same_gold, same_pred = ga == gb, pa == pb
            if same_gold and same_pred:
                tp += 1
            elif same_pred:
                fp += 1
                false.append(f"{la} + {lb}")
            elif same_gold:
                fn += 1
                missed.append(f"{la} + {lb}")
    return EventScore(PRF(tp, fp, fn), missed, false)


# -- routes ----------------------------------------------------------------


def _lcs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of ``a`` and ``b``."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _pred_routes(table: pd.DataFrame, key: Mapping[str, Any]) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    out: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    if table.empty:
        return out
    rows = table.assign(_stop=pd.to_numeric(table["stop"], errors="coerce"))
    for (aid, rid), group in rows.groupby(["article_id", "route_id"], sort=True):
        if _text(aid) not in key:
            continue
        group = group.sort_values("_stop", kind="stable")
        stops = [(_text(p), _text(r)) for p, r in zip(group["place_id"], group["role"], strict=True)]
        out.setdefault(_text(aid), []).append((_text(rid), stops))
    return out


def score_routes(routes: pd.DataFrame | None, key: Mapping[str, Mapping[str, Any]]) -> RouteScore:
    """Score routes: a labelled route is found when a predicted route keeps at least half its stops (and two) in order."""
    table = _frame(routes, ("route_id", "article_id", "stop", "place_id", "role"))
    predicted = _pred_routes(table, key)
    found = total = kept_all = stops_all = roles = 0
    n_pred = sum(len(v) for v in predicted.values())
    missed: dict[str, list[str]] = {}
    for aid in sorted(key):
        pred = predicted.get(aid, [])
        used: set[int] = set()
        for route in key[aid]["routes"]:
            gold_ids = [s["place_id"] for s in route["stops"]]
            total += 1
            stops_all += len(gold_ids)
            best: tuple[int, int, list[tuple[int, int]]] | None = None
            for idx, (_, stops) in enumerate(pred):
                if idx in used:
                    continue
                aligned = _lcs(gold_ids, [p for p, _ in stops])
                if best is None or len(aligned) > best[1]:
                    best = (idx, len(aligned), aligned)
            kept = 0
            if best is not None and best[1] >= max(2, math.ceil(len(gold_ids) / 2)):
                idx, kept, aligned = best
                used.add(idx)
                found += 1
                stops = pred[idx][1]
                roles += sum(route["stops"][gi]["role"] == stops[pj][1] for gi, pj in aligned)
            kept_all += kept
            if kept < len(gold_ids):
                got = " -> ".join(p for p, _ in pred[best[0]][1]) if best is not None and kept else "nothing"
                missed.setdefault(aid, []).append(
                    f"{' -> '.join(gold_ids)} ({route.get('sentence_contains', '')!r}): kept {kept}/{len(gold_ids)}, got {got}"
                )
    return RouteScore(found, total, n_pred, kept_all, stops_all, roles, missed)


# -- everything ------------------------------------------------------------


def score(extraction: Any, key: Mapping[str, Mapping[str, Any]]) -> Score:
    """Score an ``Extraction`` (anything with ``mentions``, ``incidents`` and ``routes`` tables)."""
    return Score(
        mentions=score_mentions(getattr(extraction, "mentions", None), key),
        incidents=score_incidents(getattr(extraction, "incidents", None), key),
        routes=score_routes(getattr(extraction, "routes", None), key),
        events=score_events(getattr(extraction, "incidents", None), getattr(extraction, "events", None), key),
    )
