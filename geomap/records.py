"""The plain records that flow through geomap.

text (:class:`Article`) -> places (:class:`Place`, :class:`Mention`)
-> :class:`Incident` / :class:`Route` -> GeoDataFrames -> map and exports.

Every record is a frozen dataclass with explicit fields.  Coordinates are
named ``lat`` and ``lon``; shapely geometry, built later, is ``(lon, lat)``.
Character offsets (``start``, ``end``) index the article's ``text`` as read,
``text[start:end]`` being the words that support the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "ALIAS_KINDS",
    "ALIAS_LANGS",
    "DATE_PRECISIONS",
    "INCIDENT_TYPES",
    "LOCATION_PRECISIONS",
    "PLACE_KINDS",
    "STOP_ROLES",
    "Alias",
    "Article",
    "Candidate",
    "Count",
    "DateSpan",
    "Incident",
    "IncidentPlace",
    "Mention",
    "Place",
    "Resolution",
    "Route",
    "Skipped",
    "Stop",
    "Unresolved",
]

# -- gazetteer ---------------------------------------------------------------

PLACE_KINDS = (
    "country",
    "province",  # province, region, autonomous region, centrally-run city
    "prefecture",  # Chinese prefecture-level city or prefecture
    "district",  # district, county, county-level city as an admin unit
    "city",
    "town",
    "commune",
    "border_gate",
    "port",
    "other",
)

#: A crossing's ``level`` (border gates only), one vocabulary for every country: Vietnam's
#: international, main (chính) and secondary (phụ) gates and its border-trade crossings (lối mở,
#: điểm thông quan); China's first-class (一类) ports are ``international``, second-class (二类)
#: ones ``main`` and its border-trade points (边民互市点, 通道) ``trade_point``; Laos's and
#: Cambodia's international, national and local checkpoints map likewise.
GATE_LEVELS = ("international", "main", "secondary", "trade_point")

ALIAS_LANGS = (
    "vi",  # Vietnamese with diacritics
    "ascii",  # any name written without diacritics (Lang Son, Pingxiang)
    "zh",  # Chinese characters
    "pinyin",  # Hanyu pinyin, with or without tone marks
    "en",  # English exonym (Friendship Pass)
    "fr",  # French colonial spelling (Langson, Caobang)
    "km",  # Khmer script
    "km-latn",  # Khmer romanisation
    "lo-latn",  # Lao romanisation
    "th",
    "my",
    "other",
)

ALIAS_KINDS = ("official", "short", "historical", "colloquial", "misspelling")


@dataclass(frozen=True, slots=True)
class Place:
    """One row of ``gazetteer/places.csv``."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    source: str
    parent_id: str | None = None
    iso3166_2: str | None = None
    population: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor_id: str | None = None
    pair_id: str | None = None
    note: str | None = None
    code: str | None = None  # the unit's official code (GSO, NBS, MEF) where it has one
    successors: tuple[str, ...] = ()  # every unit that took part of its territory; successor_id first
    point_source: str | None = None  # where lat/lon come from when not from ``source``; "parent": its parent's point
    level: str | None = None  # a border gate's level (GATE_LEVELS)

    @property
    def successor_ids(self) -> tuple[str, ...]:
        """Every successor: ``successors`` when the unit was split, else ``successor_id`` alone (or none)."""
        if self.successors:
            return self.successors
        return (self.successor_id,) if self.successor_id else ()

    @property
    def at_parent_point(self) -> bool:
        """True when no source places the row itself: its point is its parent's."""
        return self.point_source == "parent"

    def valid_on(self, day: dt.date | None) -> bool:
        """True when the place existed on ``day`` (always, for ``None``)."""
        if day is None:
            return True
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day >= self.valid_to)


@dataclass(frozen=True, slots=True)
class Alias:
    """One row of ``gazetteer/aliases.csv``: another name for a place."""

    place_id: str
    name: str
    lang: str
    kind: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name may refer to, with how well it matched (0-100)."""

    place: Place
    score: float
    matched: str  # the gazetteer name or alias that matched
    method: str  # "exact", "folded" or "fuzzy"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer to "which place is this name?": ranked candidates, best first."""

    query: str
    candidates: tuple[Candidate, ...] = ()
    ambiguous: bool = False  # several candidates that context could not separate

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def place(self) -> Place | None:
        return self.candidates[0].place if self.candidates else None

    def __bool__(self) -> bool:
        return bool(self.candidates)


# -- articles ----------------------------------------------------------------

DATE_PRECISIONS = ("day", "month", "year", "range", "since")


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date or period as a report states it.

    ``start`` and ``end`` are inclusive; a day has ``start == end``; a month
    runs from its first to its last day; "since 2019" has ``precision ==
    "since"`` and ``end`` set to the article's date (or ``None``).
    """

    start: dt.date | None
    end: dt.date | None
    precision: str
    text: str = ""
    begin: int | None = None  # offsets of ``text`` in the article, when found there
    stop: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One report, as read from a file."""

    id: str
    text: str
    title: str = ""
    date: DateSpan | None = None  # publication date and its precision
    date_source: str = ""  # where it came from: "metadata", "header", "url", "text" (a dateline); "" when none
    source: str = ""  # outlet
    url: str = ""
    path: str = ""  # file it was read from
    line: int | None = None  # line in that file (JSON Lines)
    encoding: str = "utf-8"
    format: str = "text"  # "text", "markdown", "html", "jsonl"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read: reported, never fatal to a batch."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


# -- places in text ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """A gazetteer name found in an article, and the place it resolved to."""

    article_id: str
    start: int
    end: int
    text: str
    place_id: str | None
    score: float = 0.0
    method: str = ""
    candidates: tuple[str, ...] = ()  # place ids, best first, when ambiguous
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A place-like name the gazetteer lacks, for a curator to add."""

    article_id: str
    start: int
    end: int
    text: str
    hint: str = ""  # the generic word that made it look like a place ("province")


# -- incidents and routes ------------------------------------------------------

INCIDENT_TYPES = (
    "illegal_crossing",
    "migrant_smuggling",
    "human_trafficking",
    "drug_trafficking",
    "goods_smuggling",
    "fugitive_handover",
    "repatriation",
    "joint_patrol",
    "cooperation",
    "crossing_statistics",
    "public_awareness",
    "exercise",
    "other",
)

# In the spirit of ACLED's geo_precision and UCDP GED's where_prec: lower is finer.
LOCATION_PRECISIONS = {
    1: "exact",  # the place itself: a gate, a town
    2: "near",  # near or around a named place
    3: "district",  # a district or county
    4: "province",  # a province or prefecture
    5: "border",  # a stretch of border between two countries
    6: "country",  # only the country is known
}


@dataclass(frozen=True, slots=True)
class Count:
    """A figure stated in a sentence: "over 64,000 Chinese nationals"."""

    value: float
    unit: str  # "cases", "people", "defendants", "kg", "vehicles", "yuan", ...
    qualifier: str = ""  # "", "over", "about", "under", "range"
    value_max: float | None = None  # upper end of a range
    text: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class IncidentPlace:
    """A place involved in an incident, and its role."""

    place_id: str
    role: str  # "location", "origin", "destination", "crossing", "venue", "party"
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """One reported fact about border activity, tied to its sentence."""

    id: str
    article_id: str
    type: str
    sentence: str
    start: int
    end: int
    counts: tuple[Count, ...] = ()
    date: DateSpan | None = None
    places: tuple[IncidentPlace, ...] = ()
    actors: tuple[str, ...] = ()
    location_precision: int = 6
    place_id: str | None = None  # the place the incident is drawn at
    source: str = "extracted"  # "extracted", "table" (analyst CSV), "correction" (added) or "corrected" (changed)
    evidence: tuple[tuple[int, int], ...] = ()  # (start, end) of every sentence telling it, in text order
    change: str = ""  # a statistic's stated change on the period before ("+12%", "-4.5%")


STOP_ROLES = ("origin", "staging", "transit", "crossing", "destination")


@dataclass(frozen=True, slots=True)
class Stop:
    """One place on a route."""

    place_id: str
    role: str
    order: int
    precision: int = 1  # a LOCATION_PRECISIONS code
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """An ordered movement described in an article."""

    id: str
    article_id: str
    sentence: str
    start: int
    end: int
    stops: tuple[Stop, ...] = field(default_factory=tuple)
