"""Names to places, offline, from the curated gazetteer.

:class:`Resolver` turns a name into ranked :class:`~geomap.records.Candidate`
places; :class:`GazetteerGeocoder` wraps it in geopy's geocoder shape;
:class:`FallbackGeocoder` asks another geopy geocoder, only when allowed, for
names the gazetteer lacks, and keeps those answers on disk for review.

Scoring
-------
A candidate's score is its *match* score plus *adjustments*; candidates are
ranked by score, then by admin level (province before city), current units
before abolished ones, population and id, so the order is deterministic.

Match (the best one wins for each place):

* ``exact`` 100: the query equals a name or alias (Unicode NFC, case folded,
  spaces collapsed);
* ``folded`` 96: equal :func:`~geomap.normalize.name_key` (diacritics,
  punctuation and generic words such as "province" or "cửa khẩu" dropped);
  99 when neither the query nor the matched name has diacritics or a generic
  word ("Lang Son" cannot tell "Lạng Sơn" from "Lang Son", so spelling must
  not decide between places, but "Vientiane" is not "Vientiane Province");
  94 for equal :func:`~geomap.normalize.compact_key` ("Langson"), 98 for
  such a plain query;
* ``fuzzy`` 0.9 × rapidfuzz ``ratio`` of the compact keys, at most 90, only
  when nothing matched above, only against keys that share the first two
  letters or the first and the last letter with the query (a typo rarely
  hits both), and only from 85 up (90 for keys of 5 to 7 letters; never
  under 5 letters).
  A misspelt generic word at the end ("Lang Son provice") is dropped first.

Adjustments, all zero or negative so that a score never exceeds 100:

* kind hint, from a generic word in the query ("Lang Son *city*", "Huu Nghi
  *gate*"): −8 when the kind does not fit it, unless the name matched
  exactly or no candidate fits the hint ("Ho Chi Minh City" is a province);
* prominence, to prefer the larger unit of a name shared by nested places:
  country 0, province −1, prefecture −2, district −3, anything else −4;
  but a city of a million people or more 0: its bare name means the city
  ("Hanoi", "Beijing", "Kunming"), where "Lang Son" means the province;
  a unit known only from an admin register (a commune, district or township
  of ``vietnamadminunits`` and the like) another −5, given back when the
  query's type word fits it ("xã Kiên Giang"), since its bare name rarely
  means it ("Kien Giang" is the province, not the commune of Lệ Thủy);
  a bare name (``bare``) drops such units, and a border gate that shares its
  name only with such units ("Hoàng Diệu", "Tân Tiến"), unless the text names
  their parent;
* date: an admin unit not valid on the date −6, more than exact and folded
  matches differ (its successor is then added as a candidate with method
  ``successor``, 0.1 below it);
* country hint: 0 in that country, −1 within 50 km of one of its places
  (border towns across the line), else −10;
* province hint: 0 in that province, −5 within 150 km of it, else −10;
* places named nearby (``near``): 0 in the same province as one of them,
  else from −8 (400 km or more away) up to 0, linearly with distance.

A fuzzy candidate that context penalises fully is dropped: a typo is never
resolved to a far-away homonym.  The result is *ambiguous* when a candidate
within 5 points of the best is not related to it (related: one contains the
other, one succeeded the other, they are the two sides of a border crossing,
or their points lie within 5 km: two records of one place).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from geomap._errors import InputError
from geomap.gazetteer import COUNTRY_CODES, Gazetteer, is_register_unit, load_gazetteer
from geomap.normalize import GENERIC_WORDS, fold, name_key
from geomap.records import PLACE_KINDS, Candidate, Place, Resolution

__all__ = [
    "AMBIGUITY_MARGIN",
    "FallbackGeocoder",
    "GazetteerGeocoder",
    "REVERSE_MAX_KM",
    "Resolver",
    "parse_date",
]

SCORE_EXACT = 100.0
SCORE_FOLDED = 96.0
SCORE_COMPACT = 94.0
FUZZY_SCALE = 0.9
AMBIGUITY_MARGIN = 5.0
SAME_PLACE_KM = 5.0
BIG_CITY = 1_000_000
REGISTER_PENALTY = 5.0
_NOT_CACHED = frozenset({"gazetteer", "cache_size", "_places"})  # a resolver's own, not its tables' index
#: The index of the tables last resolved against in this process, by their stamp: the resolvers of
#: one gazetteer share it (it is a function of the tables only; what it works out on first need, it
#: works out once for all of them). It holds no gazetteer, so none is kept alive by it.
_RESOLVER_STATES: dict[str, dict[str, Any]] = {}


def _keep_state(stamp: str, state: dict[str, Any]) -> None:
    """Keep ``state`` as the index of the tables ``stamp``, forgetting all but the last two tables'."""
    _RESOLVER_STATES.pop(stamp, None)
    _RESOLVER_STATES[stamp] = state
    while len(_RESOLVER_STATES) > 2:
        del _RESOLVER_STATES[next(iter(_RESOLVER_STATES))]


_EARTH_KM = 6371.0088
#: How far :meth:`GazetteerGeocoder.reverse` looks by default, in km.
REVERSE_MAX_KM = 50.0

_PROMINENCE = {"country": 0.0, "province": -1.0, "prefecture": -2.0, "district": -3.0}
_LEVEL = {kind: i for i, kind in enumerate(PLACE_KINDS)}

# Generic words (folded) that hint at the kind of place meant.
_HINT_WORDS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (
        ("province", "provincial", "tinh", "sheng", "autonomous region", "zhuang autonomous region", "region",
         "municipality", "zizhiqu"),
        frozenset({"province"}),
    ),
    (("prefecture", "prefecture-level city", "autonomous prefecture"), frozenset({"prefecture"})),
    (
        ("district", "county", "huyen", "quan", "xian", "county-level city", "autonomous county"),
        frozenset({"district"}),
    ),
    (("city", "thanh pho", "tp", "shi"), frozenset({"city", "prefecture", "district"})),
    (("town", "thi xa", "thi tran", "township", "zhen"), frozenset({"town", "city", "commune"})),
    (("commune", "xa", "phuong", "ward", "village"), frozenset({"commune", "town"})),
    (
        ("international border gate", "international border crossing", "border crossing point", "border checkpoint",
         "border crossing", "border gate", "border port", "border station", "checkpoint", "gate", "pass", "port",
         "international highway port", "highway port", "land port", "international port", "port of entry",
         "cua khau quoc te", "cua khau chinh", "cua khau phu", "cua khau", "kouan", "loi mo", "diem thong quan",
         "border trade point", "border market", "main border gate", "secondary border gate", "auxiliary border gate",
         "main gate", "secondary gate", "international checkpoint", "national checkpoint", "local checkpoint",
         "border opening", "border passage", "customs clearance lane",
         "clearance lane", "trade point", "cua khau song phuong", "cua khau quoc gia", "cua khau duong bo quoc te",
         "cua khau duong bo", "loi thong quan", "cho bien gioi"),
        frozenset({"border_gate", "port"}),
    ),
)
_HINT_OF = {word: kinds for words, kinds in _HINT_WORDS for word in words}
_HINT_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(_HINT_OF, key=len, reverse=True)) + r")\b")
_CJK_HINTS = (
    ("壮族自治区", frozenset({"province"})),
    ("自治区", frozenset({"province"})),
    ("省", frozenset({"province"})),
    ("自治州", frozenset({"prefecture"})),
    ("县", frozenset({"district"})),
    ("市", frozenset({"city", "prefecture", "district"})),
    ("镇", frozenset({"town"})),
    ("国际口岸", frozenset({"border_gate", "port"})),
    ("口岸", frozenset({"border_gate", "port"})),
    ("边民互市点", frozenset({"border_gate", "port"})),
    ("互市点", frozenset({"border_gate", "port"})),
    ("边民互市贸易区", frozenset({"border_gate", "port"})),
    ("互市贸易区", frozenset({"border_gate", "port"})),
    ("边民互市区", frozenset({"border_gate", "port"})),
    ("公路口岸", frozenset({"border_gate", "port"})),
    ("铁路口岸", frozenset({"border_gate", "port"})),
    ("通道", frozenset({"border_gate", "port"})),
)
# Single generic words a report may misspell ("provice"): matched fuzzily at the end of a name.
_TYPO_WORDS = tuple(sorted({w for w in GENERIC_WORDS if " " not in w and len(w) >= 5}))
# Chinese pass names: "Youyi Guan" is also written "Youyi" (port, gate).
_GATE_SUFFIXES = (" guan", "guan")
_PUNCT_RE = re.compile(r"[^\w\s-]+")
_NON_WORD_RE = re.compile(r"[^\w\s]+")


def parse_date(value: dt.date | str | None, *, what: str = "date") -> dt.date | None:
    """A date from a ``date``, ``datetime`` or ISO ``YYYY-MM-DD`` string; ``None`` stays ``None``.

    Raises
    ------
    InputError
        The string is not an ISO date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{what} is not a date of the form YYYY-MM-DD: {value!r}") from None


@functools.lru_cache(maxsize=1024)
def _iso_day(value: str) -> dt.date | None:
    """:func:`parse_date` of a string, remembered: a batch of reports shares a few dates."""
    return parse_date(value)


def _country_code(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    code = str(value).strip().upper()
    if code not in COUNTRY_CODES:
        raise InputError(f"country is not an ISO 3166-1 alpha-2 code: {value!r}")
    return code


def _exact_key(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=4096)
def _same_key_char(char: str) -> bool:
    """True when case folding ``char`` as :func:`_exact_key` does changes no key a query gets.

    False for the few characters whose case folding is not one plain letter
    for one ("ß" -> "ss", "İ" -> "i" + a combining dot, "ﬁ" -> "fi") or folds
    otherwise than :func:`~geomap.normalize.fold` does ("Ð").
    """
    folded = char.casefold()
    if folded == char:
        return True
    if len(folded) != 1 or unicodedata.combining(folded):
        return False
    text = f"a{char}b"
    exact = _exact_key(text)
    return name_key(text) == name_key(exact) and fold(text) == fold(exact)


def _same_key(query: str) -> bool:
    """True when ``query`` gets the keys and kind hint of its exact key (so shares its answer).

    Holds for ASCII; for other text when it is NFC and has no character that
    :func:`_same_key_char` rejects.
    """
    return query.isascii() or (unicodedata.is_normalized("NFC", query) and all(map(_same_key_char, query)))


def _prominence(place: Place) -> float:
    """Prefer the larger unit of a shared name, except a big city's name, which means the city."""
    if place.kind == "city" and (place.population or 0) >= BIG_CITY:
        return 0.0
    return _PROMINENCE.get(place.kind, -4.0)


def _plain_form(name: str) -> str:
    """``name`` folded with punctuation dropped, generic words kept: equal to its key when it has none."""
    text = fold(unicodedata.normalize("NFC", name)).replace("'", "")
    return " ".join(_NON_WORD_RE.sub(" ", text).replace("_", " ").split())


def _compact(key: str) -> str:
    return key.replace(" ", "").replace("-", "")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class Resolver:
    """Resolve place names against a :class:`~geomap.gazetteer.Gazetteer`.

    Building one indexes every name and alias once and ranks, ahead of any
    query, the places of each name and each folded key (under 0.1 s for the
    bundled table, about 0.4 s for 7,000 places): a query without context
    that is a gazetteer name in any case or spacing is then one dict lookup,
    a folded one a key computation and one more; context (country, date,
    province, ``near``) re-weighs the prepared matches.  The answers to up to
    ``cache_size`` distinct names are remembered (names repeat across
    reports); ``0`` turns that off.
    """

    def __init__(self, gazetteer: Gazetteer, *, cache_size: int = 65536) -> None:
        import numpy as np

        from geomap._compiled import cache_get, cache_put

        self.gazetteer = gazetteer
        self.cache_size = cache_size
        self._places: list[Place] = list(gazetteer)
        stamp = getattr(gazetteer, "_stamp", None)
        # the index of these very tables: made before in this process (the incremental run of a
        # notebook or a service builds a resolver a run), else from the compiled cache
        state = _RESOLVER_STATES.get(stamp) if stamp else None
        if state is None and stamp:
            state = cache_get(stamp, "resolver")
            if state is not None:
                _keep_state(stamp, state)
        if state is not None:
            self.__dict__.update(state)
            return
        self._index = {p.id: i for i, p in enumerate(self._places)}
        self._exact: dict[str, list[tuple[int, str]]] = {}
        self._folded: dict[str, list[tuple[int, str]]] = {}
        self._compact: dict[str, list[tuple[int, str]]] = {}
        self._plain_names: set[tuple[str, int]] = set()  # (key, place) with a name that is just the key
        key_of: dict[str, str] = {}  # exact key -> key, for names whose exact key has their key
        for i, place in enumerate(self._places):
            names = [place.name] + [a.name for a in gazetteer.aliases_of(place.id)]
            for name in names:
                exact = _exact_key(name)
                self._add(self._exact, exact, i, name)
                key = name_key(name)
                if _same_key(name):
                    key_of[exact] = key
                self._add(self._folded, key, i, name, plain=_plain_form(name) == key)
                self._add(self._compact, _compact(key), i, name)
                if place.kind in ("border_gate", "port"):
                    for suffix in _GATE_SUFFIXES:
                        if key.endswith(suffix) and len(key) > len(suffix) + 2:
                            short = key[: -len(suffix)].strip()
                            self._add(self._folded, short, i, name)
                            self._add(self._compact, _compact(short), i, name)
        self._buckets: dict[str, list[str]] = {}
        for key in sorted(self._compact):
            if key:
                # Typos rarely hit both the second and the last letter: two small buckets a key.
                self._buckets.setdefault(key[:2], []).append(key)
                self._buckets.setdefault(f"{key[0]}…{key[-1]}", []).append(key)
        self._province = [self._province_index(p) for p in self._places]
        # Per place: prominence, and the tie-break part of the sort key.
        self._prominence = [
            _prominence(p) - (REGISTER_PENALTY if is_register_unit(p) else 0.0) for p in self._places
        ]
        self._tiebreak = [
            (_LEVEL.get(p.kind, 99), p.valid_to is not None, -(p.population or 0), p.id) for p in self._places
        ]
        self._kind = [p.kind for p in self._places]
        self._register = [is_register_unit(p) for p in self._places]
        self._country = [p.country for p in self._places]
        self._span = [(p.valid_from, p.valid_to) for p in self._places]
        self._dated = [p.valid_from is not None or p.valid_to is not None for p in self._places]
        self._memo: dict[str, tuple[tuple[tuple[int, float, str, str], ...], str]] = {}
        self._plain: dict[tuple[str, int], Resolution] = {}  # answers to queries without context
        self._lat = np.array([p.lat for p in self._places], dtype=float)
        self._lon = np.array([p.lon for p in self._places], dtype=float)
        self._countries: dict[str, Any] = {}
        self._near_country: dict[tuple[int, str], float] = {}
        self._up: dict[int, frozenset[int]] = {}
        # Built once, so that a name of the gazetteer is a dict lookup, not a computation:
        # matches by exact key, matches by folded key (for a query that is plain or not),
        # and the finished ranking of each exact key for a query without context.
        # (the matches of each exact key are worked out on first need and kept: reading 60,000 of them
        # back from the compiled cache took longer than working out the few hundred a run meets)
        self._exact = _ExactNames(self._exact, key_of)  # packed: 43,000 lists of tuples took 100 ms to read back
        self._by_exact: dict[str, tuple[tuple[tuple[int, float, str, str], ...], str]] = {}
        # Built on first use (a table of 15,000 places has 60,000 names; a run meets a few hundred):
        # matches by folded key, the finished ranking of each exact key and of each folded key for a
        # query without context, and whether two places sharing a name are related.
        self._by_key: dict[str, tuple[tuple[tuple[int, float, str, str], ...], ...]] = {}
        self._kin: dict[tuple[int, int], bool] = {}
        self._ready: dict[str, tuple[tuple[Candidate, ...], bool]] = {}
        self._key_ready: dict[str, tuple[Any, ...]] = {}
        # the answer to a query without context of a folded key whose places differ in kind, for each kind
        # its generic words hint at ("LANG SON PROVINCE", "Lang Son city"): worked out on first need
        self._hinted: dict[tuple[str, bool, frozenset[str]], tuple[tuple[Candidate, ...], bool]] = {}
        self._register_parents: dict[str, frozenset[str]] = {}
        if stamp:
            state = {k: v for k, v in self.__dict__.items() if k not in _NOT_CACHED}
            cache_put(stamp, "resolver", state)
            _keep_state(stamp, state)

    def _ready_exact(self, exact: str) -> tuple[tuple[Candidate, ...], bool] | None:
        """The prepared answer to a query without context whose exact key is ``exact``."""
        ready = self._ready.get(exact)
        if ready is None:
            direct = self._exact_direct(exact)
            if direct is None:
                return None
            ready = self._ready[exact] = self._prepare(exact, direct[0], direct[1])
        return ready

    def _exact_direct(self, exact: str) -> tuple[tuple[tuple[int, float, str, str], ...], str] | None:
        """``(matches, key)`` of a query whose exact key ``exact`` is a gazetteer name's and has its key; else ``None``."""
        found = self._by_exact.get(exact)
        if found is None:
            key = self._exact.key_of(exact)
            if key is None:
                return None
            found = self._by_exact[exact] = (self._direct(exact, key), key)
        return found

    def _folded_of(self, key: str) -> tuple[tuple[tuple[int, float, str, str], ...], ...] | None:
        """:meth:`_folded_pair` of a folded key of the gazetteer, remembered; ``None`` for another key."""
        found = self._by_key.get(key)
        if found is None and key in self._folded:
            found = self._by_key[key] = self._folded_pair(key)
        return found

    def _key_prepared(self, key: str) -> tuple[Any, ...] | None:
        """For a folded key: (answer for a query that is not plain, for one that is, whether kinds are mixed)."""
        prepared = self._key_ready.get(key)
        if prepared is None:
            variants = self._folded_of(key)
            if variants is None:
                return None
            prepared = self._key_ready[key] = (
                self._prepare(key, variants[0], key, hint=False),
                self._prepare(key, variants[1], key, hint=False) if variants[1] else None,
                len({self._kind[m[0]] for m in variants[0]}) > 1,
            )
        return prepared

    def _prepare(
        self, name: str, found: tuple[tuple[int, float, str, str], ...], key: str, *, hint: bool = True
    ) -> tuple[tuple[Candidate, ...], bool]:
        """Every candidate for the matches ``found`` of a query without context, and whether it is ambiguous."""
        if len(found) == 1:
            i, score, matched, method = found[0]
            return (Candidate(self._places[i], round(score + self._prominence[i], 1), matched, method),), False
        done = self._rank(name, found, key, None, None, None, (), None, len(self._places), hint=hint)
        return done.candidates, done.ambiguous

    def _add(self, table: dict[str, list[tuple[int, str]]], key: str, i: int, name: str, *, plain: bool = False) -> None:
        """Index ``name`` of place ``i`` under ``key``, once a place; note names without generic words."""
        if not key:
            return
        entries = table.setdefault(key, [])
        if not entries or entries[-1][0] != i:  # places are indexed in turn: i can only be last
            entries.append((i, name))
        if plain:
            self._plain_names.add((key, i))

    def _province_index(self, place: Place) -> int | None:
        province = self.gazetteer.province_of(place.id)
        return self._index.get(province.id) if province is not None else None

    # -- context helpers
    def _place_index(self, value: str, *, what: str) -> int:
        i = self._index.get(value)
        if i is None:
            raise InputError(f"{what} is not a gazetteer place id: {value!r}")
        return i

    def _province_hint(self, value: str) -> int:
        if value in self._index:
            return self._index[value]
        found = self.resolve(value, kinds=("province",), limit=2)
        if not found or found.ambiguous:
            raise InputError(f"province is not a province the gazetteer knows: {value!r}")
        return self._index[found.candidates[0].place.id]

    def _km_to_country(self, i: int, code: str) -> float:
        """Distance from place ``i`` to the nearest gazetteer place of country ``code``."""
        import numpy as np

        cached = self._near_country.get((i, code))
        if cached is not None:
            return cached
        if code not in self._countries:
            mask = np.array([p.country == code and p.kind != "country" for p in self._places])
            self._countries[code] = (np.radians(self._lat[mask]), np.radians(self._lon[mask]))
        lat, lon = self._countries[code]
        if lat.size == 0:
            return math.inf
        p1, l1 = math.radians(self._lat[i]), math.radians(self._lon[i])
        h = np.sin((lat - p1) / 2) ** 2 + math.cos(p1) * np.cos(lat) * np.sin((lon - l1) / 2) ** 2
        km = float(2 * _EARTH_KM * np.arcsin(np.sqrt(h.min())))
        self._near_country[(i, code)] = km
        return km

    def _upward(self, i: int) -> frozenset[int]:
        """Place ``i`` and its ancestors, each mapped to its latest successor."""
        found = self._up.get(i)
        if found is None:
            chain = [self._places[i], *self.gazetteer.ancestors(self._places[i].id)]
            found = frozenset(self._latest(self._index[p.id]) for p in chain if p.kind != "country")
            self._up[i] = found
        return found

    def _latest(self, i: int) -> int:
        seen = {i}
        place = self._places[i]
        while place.successor_id and place.successor_id in self._index:
            j = self._index[place.successor_id]
            if j in seen:
                break
            seen.add(j)
            i, place = j, self._places[j]
        return i

    def _related(self, a: int, b: int) -> bool:
        """True when places ``a`` and ``b`` are one place or nested (see the module docstring)."""
        pair = (a, b) if a < b else (b, a)
        known = self._kin.get(pair)
        if known is None:
            known = self._kin[pair] = self._compute_related(a, b)
        return known

    def _compute_related(self, a: int, b: int) -> bool:
        pa, pb = self._places[a], self._places[b]
        if pa.pair_id == pb.id or pb.pair_id == pa.id:
            return True
        if pa.kind == "country" or pb.kind == "country":
            return pa.country == pb.country
        if self._latest(a) in self._upward(b) or self._latest(b) in self._upward(a):
            return True
        if pb.id in pa.successors or pa.id in pb.successors:
            return True  # a split unit and one of its parts
        # two records of one place (a city and the prefecture it is the seat of)
        return _km(pa.lat, pa.lon, pb.lat, pb.lon) <= SAME_PLACE_KM

    # -- matching
    def _direct(self, exact_key: str, key: str) -> tuple[tuple[int, float, str, str], ...]:
        """Exact, folded and compact-key matches ``(index, match score, matched name, method)``."""
        found = [(i, SCORE_EXACT, name, "exact") for i, name in self._exact.get(exact_key, ())]
        seen = {m[0] for m in found}
        # Without diacritics or generic words the query cannot tell "Lang Son" from "Lạng Sơn":
        # a folded match is then nearly as good as an exact one.
        plain_query = exact_key == key
        plain_names = self._plain_names
        for i, name in self._folded.get(key, ()):
            if i not in seen:
                seen.add(i)
                plain = plain_query and (key, i) in plain_names
                found.append((i, SCORE_EXACT - 1.0 if plain else SCORE_FOLDED, name, "folded"))
        compact_score = SCORE_EXACT - 2.0 if plain_query else SCORE_COMPACT
        for i, name in self._compact.get(_compact(key), ()):
            if i not in seen:
                seen.add(i)
                found.append((i, compact_score, name, "folded"))
        return tuple(found)

    def _folded_pair(self, key: str) -> tuple[tuple[tuple[int, float, str, str], ...], ...]:
        """:meth:`_direct` for a query of key ``key`` with no exact match: not plain, and plain (if it can be)."""
        if key in self._exact:  # a plain query of this key would be an exact match
            return self._direct("\0", key), ()
        plain_names = self._plain_names
        found, plain = [], []
        seen: set[int] = set()
        for i, name in self._folded[key]:
            if i not in seen:
                seen.add(i)
                found.append((i, SCORE_FOLDED, name, "folded"))
                plain.append((i, SCORE_EXACT - 1.0 if (key, i) in plain_names else SCORE_FOLDED, name, "folded"))
        for i, name in self._compact.get(_compact(key), ()):
            if i not in seen:
                seen.add(i)
                found.append((i, SCORE_COMPACT, name, "folded"))
                plain.append((i, SCORE_EXACT - 2.0, name, "folded"))
        return tuple(found), tuple(plain)

    def _matches(
        self, query: str, exact_key: str | None = None
    ) -> tuple[tuple[tuple[int, float, str, str], ...], str]:
        """Candidates ``(index, match score, matched name, method)`` and the query's lookup key.

        A name or alias of the gazetteer (any case or spacing) and a folded
        key of one are answered from tables built with the index; other
        queries are memoised per resolver (names repeat across reports),
        bounded so memory stays flat.
        """
        if exact_key is None:
            exact_key = _exact_key(query)
        ready = self._exact_direct(exact_key)
        if ready is not None and _same_key(query):
            return ready
        memo = self._memo.get(query)
        if memo is not None:
            return memo
        key = name_key(query)
        folded = self._folded_of(key) if exact_key not in self._exact else None
        if folded is not None:
            return folded[exact_key == key], key
        found_t = self._direct(exact_key, key)
        if found_t:
            result = (found_t, key)
        else:
            found: dict[int, tuple[float, str, str]] = {}
            trimmed, _ = _drop_misspelt_generic(key)
            if trimmed != key:
                for table, score in ((self._folded, SCORE_FOLDED), (self._compact, SCORE_COMPACT)):
                    for i, name in table.get(trimmed if table is self._folded else _compact(trimmed), ()):
                        if i not in found:
                            found[i] = (score - 2.0, name, "fuzzy")
            if not found:
                found = self._fuzzy(_compact(trimmed))
            result = (tuple((i, *m) for i, m in found.items()), key)
        if self.cache_size > 0:
            if len(self._memo) >= self.cache_size:
                self._memo.clear()
            self._memo[query] = result
        return result

    def _fuzzy(self, compact: str) -> dict[int, tuple[float, str, str]]:
        from rapidfuzz import fuzz, process

        if len(compact) < 5:
            return {}
        cutoff = 90.0 if len(compact) <= 7 else 85.0
        found: dict[int, tuple[float, str, str]] = {}
        for bucket in (compact[:2], f"{compact[0]}…{compact[-1]}"):
            choices = self._buckets.get(bucket, ())
            for key, ratio, _ in process.extract(
                compact, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=20
            ):
                for i, name in self._compact[key]:
                    score = round(FUZZY_SCALE * ratio, 1)
                    if i not in found or found[i][0] < score:
                        found[i] = (score, name, "fuzzy")
        return found

    # -- the public entry point
    def resolve(
        self,
        name: str,
        *,
        country: str | None = None,
        province: str | None = None,
        date: dt.date | str | None = None,
        near: Iterable[str] = (),
        kinds: Iterable[str] | None = None,
        limit: int = 10,
        bare: bool = False,
    ) -> Resolution:
        """Rank the places ``name`` may refer to, best first (scoring in the module docstring).

        Parameters
        ----------
        name
            A place name as written ("Lạng Sơn province", "Youyi Guan", "谅山").
        country
            ISO 3166-1 alpha-2 code of the country the text is about.
        province
            Place id or name of the province the text is about.
        date
            The report's date: admin units valid then are preferred.
        near
            Ids of other places named nearby in the text.
        kinds
            Keep only places of these kinds.
        limit
            Return at most this many candidates.
        bare
            The name stood in its text without a type word ("Tân Lập", not
            "xã Tân Lập"): units known only from an administrative register
            (:func:`~geomap.gazetteer.is_register_unit`: districts, communes,
            townships) are then candidates only when ``near`` holds one of
            their parents, since such names are often common words or
            people's names.

        Returns
        -------
        Resolution
            Empty when the gazetteer lacks the name; ``ambiguous`` when
            context could not separate unrelated places of that name.

        Raises
        ------
        InputError
            An unknown country code, province, ``near`` id or kind, or a bad date.
        """
        if not isinstance(name, str) or not name.strip():
            return Resolution(query=name if isinstance(name, str) else "")
        plain_query = date is None and country is None and province is None and not near and kinds is None and not bare
        if plain_query and self.cache_size > 0:
            done = self._plain.get((name, limit))
            if done is not None:
                return done
        exact = _exact_key(name)
        resolution = None
        if plain_query:
            ready = self._ready_exact(exact)
            if ready is not None and _same_key(name):
                candidates, ambiguous = ready
                if len(candidates) > limit:
                    candidates = candidates[: max(1, limit)]
                resolution = Resolution(name, candidates, ambiguous)
            elif exact not in self._exact:
                resolution = self._ready_by_key(name, exact, limit)
        if resolution is None:
            resolution = self._resolve(name, exact, date, country, province, near, kinds, limit, bare)
        if plain_query and self.cache_size > 0:
            if len(self._plain) >= self.cache_size:
                self._plain.clear()
            self._plain[(name, limit)] = resolution
        return resolution

    def _ready_by_key(self, name: str, exact: str, limit: int) -> Resolution | None:
        """The prepared answer to a query without context that matched nothing exactly, if there is one."""
        key = name_key(name)
        prepared = self._key_prepared(key)
        if prepared is None:
            return None
        plain = exact == key
        ready = prepared[plain]
        if ready is None:
            return None
        if prepared[2]:  # places of several kinds: a generic word in the query may decide
            hint = _kind_hint(name, key)
            if hint is not None:
                memo = (key, plain, hint)
                ready = self._hinted.get(memo)
                if ready is None:
                    variants = self._folded_of(key)
                    done = self._rank(name, variants[plain], key, None, None, None, (), None, len(self._places))  # type: ignore[index]
                    ready = self._hinted[memo] = (done.candidates, done.ambiguous)
        candidates, ambiguous = ready
        if len(candidates) > limit:
            candidates = candidates[: max(1, limit)]
        return Resolution(name, candidates, ambiguous)

    def _resolve(
        self,
        name: str,
        exact: str,
        date: dt.date | str | None,
        country: str | None,
        province: str | None,
        near: Iterable[str],
        kinds: Iterable[str] | None,
        limit: int,
        bare: bool = False,
    ) -> Resolution:
        """:meth:`resolve` once the context is checked; ``exact`` is the query's exact key."""
        day = (_iso_day(date) if isinstance(date, str) else parse_date(date)) if date is not None else None
        code = _country_code(country) if country is not None else None
        want = None
        if kinds is not None:
            want = frozenset(kinds)
            unknown = sorted(want - set(PLACE_KINDS))
            if unknown:
                raise InputError(f"kinds has an unknown kind: {unknown[0]!r}")
        near_ix = tuple(self._place_index(p, what="near") for p in near) if near else ()
        province_ix = self._province_hint(province) if province else None
        found, key = self._matches(name, exact)
        register = self._register
        if bare:
            # a gate named only like register units ("Hoàng Diệu", "Tân Tiến") is, bare, as often a street,
            # a person or one of those communes: like them it counts only beside its parent (its province);
            # a name a town or city also bears ("Đồng Đăng") is a place name anyway and keeps its gate
            shy = any(register[m[0]] for m in found) and all(
                register[m[0]] or self._kind[m[0]] == "border_gate" for m in found
            )
            found = tuple(
                m for m in found
                if not (register[m[0]] or (shy and self._kind[m[0]] == "border_gate")) or self._parent_named(m[0], near_ix)
            )
        if near_ix and want is not None and len(found) > 1 and not all(register[m[0]] for m in found):
            # a gate or town named like the units ("cửa khẩu Tam Hợp") is out when the type word rules
            # it out ("xã Tam Hợp, huyện Tương Dương"), so that the units can still be narrowed below
            fitting = tuple(m for m in found if register[m[0]] or self._kind[m[0]] in want)
            if len(fitting) > 1 and all(register[m[0]] for m in fitting):
                found = fitting
        if near_ix and len(found) > 1 and all(register[m[0]] for m in found):
            # same-named units ("xã Tân Lập" is in dozens of provinces): those inside a unit the text names
            # the units the text names, the most precise first (勐腊县 before 云南省), else their successors
            for strict in (True, False):
                depth = {m[0]: self._named_depth(m[0], near_ix, strict=strict) for m in found}
                top = max(depth.values())
                if top >= 0:
                    found = tuple(m for m in found if depth[m[0]] == top)
                    break
        return self._rank(name, found, key, day, code, want, near_ix, province_ix, limit)

    def register_parents(self, name: str) -> frozenset[str]:
        """Ids that, named in a text, let a bare ``name`` stand for a register unit (see ``bare``).

        The parents of the register units and gates of that name, with their latest
        successors for provinces: a quick test before resolving again with
        context, which a text that names none of them can skip.
        """
        key = name_key(name)
        found = self._register_parents.get(key)
        if found is None:
            ids: set[str] = set()
            for table, k in ((self._folded, key), (self._compact, _compact(key))):
                for i, _ in table.get(k, ()):
                    parent = self._places[i].parent_id
                    if (self._register[i] or self._kind[i] == "border_gate") and parent in self._index:
                        ids.add(parent)
                        j = self._index[parent]
                        if self._kind[j] == "province":
                            ids.add(self._places[self._latest(j)].id)
            found = self._register_parents[key] = frozenset(ids)
        return found

    def _parent_named(self, i: int, near_ix: tuple[int, ...]) -> bool:
        """True when one of the places ``near_ix`` is the parent of place ``i`` (or its successor)."""
        parent = self._places[i].parent_id
        if not near_ix or parent not in self._index:
            return False
        k = self._index[parent]
        if k in near_ix:
            return True
        # a province merged in 2025 is named by its old or its new name; an abolished district only by its own
        if self._kind[k] != "province":
            return False
        latest = self._latest(k)
        return any(self._kind[j] == "province" and self._latest(j) == latest for j in near_ix)

    def _named_depth(self, i: int, near_ix: tuple[int, ...], *, strict: bool) -> int:
        """How precise the most precise of the places ``near_ix`` containing place ``i`` is (its kind's rank); -1 for none."""
        if not strict:
            return 0 if self._within_named(i, near_ix) else -1
        named = {self._places[j].id for j in near_ix}
        return max(
            (_LEVEL.get(p.kind, 0) for p in self.gazetteer.ancestors(self._places[i].id) if p.id in named), default=-1
        )

    def _within_named(self, i: int, near_ix: tuple[int, ...], *, strict: bool = False) -> bool:
        """True when one of the places ``near_ix`` contains place ``i`` (or, unless ``strict``, succeeded a unit that does)."""
        if strict:
            named = {self._places[j].id for j in near_ix}
            return any(p.id in named for p in self.gazetteer.ancestors(self._places[i].id))
        up = self._upward(i)
        latest_i = self._latest(i)
        return any(self._latest(j) in up and self._latest(j) != latest_i for j in near_ix)

    def _rank(
        self,
        name: str,
        found: tuple[tuple[int, float, str, str], ...],
        key: str,
        day: dt.date | None,
        code: str | None,
        want: frozenset[str] | None,
        near_ix: tuple[int, ...],
        province_ix: int | None,
        limit: int,
        *,
        hint: bool = True,
    ) -> Resolution:
        """Weigh the matches ``found`` for ``name`` (lookup key ``key``) against the context.

        ``hint=False`` ignores generic words of the query that hint at a kind of place.
        """
        weigh_hint = hint
        places = self._places
        if want is not None:
            found = tuple(m for m in found if places[m[0]].kind in want)
        if not found:
            return Resolution(query=name)
        has_context = code is not None or province_ix is not None or bool(near_ix)
        if len(found) == 1 and (day is None or not self._dated[found[0][0]]):
            i, score, matched, method = found[0]  # the common case: one place, no successor to look for
            if has_context and not (province_ix is None and not near_ix and self._country[i] == code):
                bonus, most = self._context(i, code, province_ix, near_ix)
                if method == "fuzzy" and bonus <= 0:
                    return Resolution(query=name)  # a typo far from everything the text is about
                score += bonus - most
            candidate = Candidate(places[i], round(score + self._prominence[i], 1), matched, method)
            return Resolution(name, (candidate,), False)
        hint = None
        kind = self._kind
        if weigh_hint and len(found) > 1 and len({kind[m[0]] for m in found}) > 1:  # only mixed kinds need one
            hint = _kind_hint(name, key) or (_drop_misspelt_generic(key)[1] if found[0][3] == "fuzzy" else None)
            if hint is not None and not any(kind[m[0]] in hint for m in found):
                hint = None  # "Ho Chi Minh City" is a province-level unit: a hint nothing fits says nothing
        prominence, dated, span, country = self._prominence, self._dated, self._span, self._country
        only_country = province_ix is None and not near_ix
        scored: list[tuple[float, int, str, str]] = []
        ended = False  # a candidate abolished by ``day``, whose successor may be added
        for i, score, matched, method in found:
            if has_context and not (only_country and country[i] == code):  # in the country: full points
                bonus, most = self._context(i, code, province_ix, near_ix)
                if method == "fuzzy" and bonus <= 0:
                    continue  # a typo far from everything the text is about
                score += bonus - most
            score += prominence[i]
            if hint is not None and method != "exact" and kind[i] not in hint:
                score -= 8.0
            elif hint is not None and kind[i] in hint and self._register[i]:
                score += REGISTER_PENALTY  # "xã Kiên Giang": the type word names the unit
            if day is not None and dated[i]:
                start, end = span[i]
                if end is not None and day >= end:
                    score -= 6.0
                    ended = True
                elif start is not None and day < start:
                    score -= 6.0
            scored.append((score, i, matched, method))
        if not scored:
            return Resolution(query=name)
        if ended:
            self._add_successors(scored, day, want)
        ambiguous = False
        if len(scored) > 1:
            tiebreak = self._tiebreak
            scored.sort(key=lambda item: (-item[0], tiebreak[item[1]]))
            best_score, best = scored[0][0], scored[0][1]
            for s, i, _, _ in scored[1:]:
                if best_score - s >= AMBIGUITY_MARGIN:
                    break
                if not self._related(best, i):
                    ambiguous = True
                    break
        candidates = tuple(
            [Candidate(places[i], round(s, 1), m, meth) for s, i, m, meth in scored[: max(1, limit)]]
        )
        return Resolution(name, candidates, ambiguous)

    def _context(
        self, i: int, code: str | None, province_ix: int | None, near_ix: tuple[int, ...]
    ) -> tuple[float, float]:
        """Context points of place ``i`` and the most it could have had."""
        place = self._places[i]
        bonus = most = 0.0
        if code is not None:
            most += 10.0
            if place.country == code:
                bonus += 10.0
            elif self._km_to_country(i, code) <= 50.0:
                bonus += 9.0
        if province_ix is not None:
            most += 10.0
            hint = self._places[province_ix]
            if self._province[i] == province_ix or i == province_ix or self._latest(province_ix) in self._upward(i):
                bonus += 10.0
            elif _km(place.lat, place.lon, hint.lat, hint.lon) <= 150.0:
                bonus += 5.0
        best = 0.0
        if near_ix:
            most += 8.0
        for j in near_ix:
            if j == i:
                continue
            other = self._places[j]
            own = self._province[i]
            if own is not None and (own == self._province[j] or own == j):
                best = 8.0
                break
            km = _km(place.lat, place.lon, other.lat, other.lon)
            if km < 400.0:
                best = max(best, 8.0 * (1.0 - km / 400.0))
        return bonus + best, most

    def _add_successors(self, scored: list[tuple[float, int, str, str]], day: dt.date, want: frozenset | None) -> None:
        present = {i for _, i, _, _ in scored}
        for score, i, matched, _ in list(scored):
            place = self._places[i]
            if place.valid_to is None or day < place.valid_to:
                continue
            successor = self.gazetteer.successor_on(place.id, day)
            if successor is None or successor.id not in self._index:
                continue
            j = self._index[successor.id]
            if j in present or (want is not None and successor.kind not in want):
                continue
            present.add(j)
            scored.append((score - 0.1, j, matched, "successor"))


_SEP = "\x1f"  # between the fields of a packed entry of _ExactNames (a unit separator; names holding one kept apart)


class _ExactNames:
    """The resolver's places by the exact key of their names, each entry packed in one string until asked for.

    ``get(exact)`` gives ``[(place index, name), ...]`` as a dict of lists
    would, ``key_of(exact)`` the folded key of that name when a query that is
    the name itself has it (else ``None``), and ``exact in names`` tells
    whether any name has that exact key.  The compiled cache reads one string
    an entry several times faster than the lists and tuples it stands for,
    and a run unpacks only the few hundred entries it meets.
    """

    __slots__ = ("_packed", "_odd", "_open")

    def __init__(self, table: dict[str, list[tuple[int, str]]], key_of: dict[str, str]) -> None:
        self._packed: dict[str, str] = {}
        self._odd: dict[str, tuple[str | None, list[tuple[int, str]]]] = {}  # a name holding the separator
        for exact, entries in table.items():
            key = key_of.get(exact)
            if _SEP in exact or (key is not None and _SEP in key) or any(_SEP in name for _, name in entries):
                self._odd[exact] = (key, entries)
                self._packed[exact] = ""
                continue
            self._packed[exact] = _SEP.join(["\0" if key is None else key, *(f"{i}{_SEP}{name}" for i, name in entries)])
        self._open = dict(self._odd)

    def __getstate__(self) -> tuple[dict[str, str], dict[str, tuple[str | None, list[tuple[int, str]]]]]:
        return self._packed, self._odd

    def __setstate__(self, state: tuple[dict[str, str], dict[str, tuple[str | None, list[tuple[int, str]]]]]) -> None:
        self._packed, self._odd = state
        self._open = dict(self._odd)

    def __contains__(self, exact: object) -> bool:
        return exact in self._packed

    def _entry(self, exact: str) -> tuple[str | None, list[tuple[int, str]]] | None:
        found = self._open.get(exact)
        if found is None:
            packed = self._packed.get(exact)
            if packed is None:
                return None
            key, *fields = packed.split(_SEP)
            pairs = [(int(fields[j]), fields[j + 1]) for j in range(0, len(fields), 2)]
            found = self._open[exact] = (None if key == "\0" else key, pairs)
        return found

    def get(self, exact: str, default: Any = None) -> Any:
        found = self._entry(exact)
        return default if found is None else found[1]

    def key_of(self, exact: str) -> str | None:
        found = self._entry(exact)
        return None if found is None else found[0]


def _kind_hint(query: str, key: str) -> frozenset[str] | None:
    """Kinds hinted by generic words in ``query`` that :func:`name_key` removed."""
    text = query.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)  # as the key was made: "Thành phố" may come decomposed
        for suffix, kinds in _CJK_HINTS:
            if text.endswith(suffix) and len(text) > len(suffix):
                return kinds
    elif text.casefold() == key:
        return None
    plain = " ".join(_PUNCT_RE.sub(" ", fold(text).replace("'", "")).split())
    if plain == key:
        return None
    kept = f" {key} "
    for word in _HINT_RE.findall(plain):
        if f" {word} " not in kept:
            return _HINT_OF[word]
    return None


def _drop_misspelt_generic(key: str) -> tuple[str, frozenset[str] | None]:
    """Drop a misspelt generic word at the end of ``key`` ("lang son provice" -> "lang son")."""
    from rapidfuzz import fuzz, process

    words = key.split(" ")
    if len(words) < 2 or len(words[-1]) < 4:
        return key, None
    found = process.extractOne(words[-1], _TYPO_WORDS, scorer=fuzz.ratio, processor=None, score_cutoff=80.0)
    if found is None:
        return key, None
    return " ".join(words[:-1]), _HINT_OF.get(found[0])


# -- geopy-compatible geocoders --------------------------------------------------------


_RESOLVERS: weakref.WeakKeyDictionary[Gazetteer, Resolver] = weakref.WeakKeyDictionary()


def _shared_resolver(gazetteer: Gazetteer) -> Resolver:
    """One resolver a gazetteer, for geocoders made per call (``geopandas.tools.geocode`` does)."""
    resolver = _RESOLVERS.get(gazetteer)
    if resolver is None:
        resolver = _RESOLVERS[gazetteer] = Resolver(gazetteer)
    return resolver


def _place_record(gazetteer: Gazetteer, place: Place) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "parent_id": place.parent_id,
        "lat": place.lat,
        "lon": place.lon,
        "iso3166_2": place.iso3166_2,
        "population": place.population,
        "valid_from": place.valid_from.isoformat() if place.valid_from else None,
        "valid_to": place.valid_to.isoformat() if place.valid_to else None,
        "successor_id": place.successor_id,
        "pair_id": place.pair_id,
        "source": place.source,
        "note": place.note,
    }
    province = gazetteer.province_of(place.id)
    country = gazetteer.country_of(place.id)
    record["province_id"] = province.id if province is not None else None
    record["address"] = ", ".join(
        dict.fromkeys(
            p.name for p in (place, province, country) if p is not None
        )
    )
    return record


def _location(address: str, lat: float, lon: float, raw: dict[str, Any]) -> Any:
    """The one place where (lat, lon) becomes a geopy ``Location``."""
    from geopy.location import Location

    return Location(address, (lat, lon), raw)


class GazetteerGeocoder:
    """A geopy-compatible geocoder backed by the offline gazetteer: no network, no key.

    Works wherever a geopy geocoder does, e.g.
    ``geopandas.tools.geocode(names, provider=GazetteerGeocoder)`` (pass the
    class: geopandas calls ``provider(**kwargs)``) and
    ``geopy.extra.rate_limiter.RateLimiter(GazetteerGeocoder().geocode)``.
    The ``raw`` of each ``Location`` is the gazetteer record plus ``score``,
    ``method``, ``matched``, ``ambiguous`` and ``candidates`` (ids, best first).

    Parameters
    ----------
    gazetteer
        The gazetteer to use; default: ``load_gazetteer(path)``.
    path
        Gazetteer folder, when ``gazetteer`` is not given (``None``: bundled).
    country, date
        Default context for :meth:`geocode` (ISO code, report date).
    min_score
        Answers scoring below this are treated as not found.
    ambiguous
        ``"best"`` returns the best candidate of an ambiguous name (flagged in
        ``raw["ambiguous"]``); ``"none"`` returns ``None`` for it.
    timeout, user_agent
        Accepted for geopy compatibility; unused (nothing goes over a network).
    """

    def __init__(
        self,
        *,
        gazetteer: Gazetteer | None = None,
        path: str | Path | None = None,
        country: str | None = None,
        date: dt.date | str | None = None,
        min_score: float = 0.0,
        ambiguous: str = "best",
        timeout: float | None = None,
        user_agent: str | None = None,
    ) -> None:
        if ambiguous not in ("best", "none"):
            raise InputError(f"ambiguous must be 'best' or 'none': {ambiguous!r}")
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer(path)
        self.resolver = _shared_resolver(self.gazetteer)
        self.country = _country_code(country)
        self.date = parse_date(date)
        self.min_score = float(min_score)
        self.ambiguous = ambiguous
        self.timeout = timeout
        self.user_agent = user_agent

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        country: str | None = None,
        date: dt.date | str | None = None,
        province: str | None = None,
        near: Sequence[str] = (),
        kinds: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> Any:
        """Geocode a place name: a geopy ``Location``, a list of them, or ``None``.

        ``exactly_one=False`` returns every candidate (up to ``limit``), best first.
        """
        if not isinstance(query, str) or not query.strip():
            return None
        resolution = self.resolver.resolve(
            query,
            country=country if country is not None else self.country,
            province=province,
            date=date if date is not None else self.date,
            near=near,
            kinds=kinds,
            limit=limit or (1 if exactly_one else 10),
        )
        if not resolution or (resolution.ambiguous and self.ambiguous == "none"):
            return None if exactly_one else []
        ids = [c.place.id for c in resolution.candidates]
        locations = []
        for candidate in resolution.candidates:
            if candidate.score < self.min_score:
                continue
            raw = _place_record(self.gazetteer, candidate.place)
            raw.update(
                query=query,
                score=candidate.score,
                method=candidate.method,
                matched=candidate.matched,
                ambiguous=resolution.ambiguous,
                candidates=ids,
            )
            locations.append(_location(raw["address"], candidate.place.lat, candidate.place.lon, raw))
        if exactly_one:
            return locations[0] if locations else None
        return locations

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        kinds: Iterable[str] | None = None,
        date: dt.date | str | None = None,
        limit: int = 10,
        max_distance_km: float | None = REVERSE_MAX_KM,
    ) -> Any:
        """The nearest gazetteer place(s) to ``query``, a ``(lat, lon)`` pair or ``"lat, lon"``.

        By default only point-like places (cities, towns, communes, gates,
        ports, other) are considered, since an admin unit's point is just a
        representative point; pass ``kinds`` to change that.

        Parameters
        ----------
        max_distance_km
            Places farther than this (great-circle distance to their point)
            are not an answer: ``None`` (or ``[]``) when none is nearer.
            The default, :data:`REVERSE_MAX_KM` (50 km), is more than the gap
            between neighbouring towns and communes anywhere the gazetteer
            covers, and far less than the distance to a place it does not
            cover: a point in the sea or on another continent has no answer.
            Admin units' points stand in the middle of large areas: pass a
            larger figure with ``kinds=("province",)``, or ``None`` for no limit.
        """
        import numpy as np
        from geopy.point import Point

        try:
            point = Point(query)
        except (ValueError, TypeError) as exc:
            raise InputError(f"not a (lat, lon) pair: {query!r}") from exc
        day = parse_date(date)
        want = frozenset(kinds) if kinds is not None else frozenset(
            {"city", "town", "commune", "border_gate", "port", "other"}
        )
        r = self.resolver
        p1, l1 = math.radians(point.latitude), math.radians(point.longitude)
        lat, lon = np.radians(r._lat), np.radians(r._lon)
        h = np.sin((lat - p1) / 2) ** 2 + math.cos(p1) * np.cos(lat) * np.sin((lon - l1) / 2) ** 2
        km = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        order = np.lexsort((np.arange(km.size), km))
        locations = []
        for i in order:
            place = r._places[int(i)]
            if max_distance_km is not None and km[i] > max_distance_km:
                break
            if place.kind not in want or not place.valid_on(day):
                continue
            raw = _place_record(self.gazetteer, place)
            raw["distance_km"] = round(float(km[i]), 3)
            locations.append(_location(raw["address"], place.lat, place.lon, raw))
            if exactly_one or len(locations) >= limit:
                break
        if exactly_one:
            return locations[0] if locations else None
        return locations


class FallbackGeocoder:
    """Ask ``primary`` first; ask ``fallback`` only when it has nothing and the user allowed it.

    Answers from the fallback (another geopy geocoder, usually an online one)
    are cached in the JSON file ``cache_path`` (written atomically) and served
    from there afterwards, also offline; :meth:`pending` lists them for a
    curator.  They are never added to the gazetteer.  Their ``raw`` has
    ``source="fallback"`` and ``status="pending"``.

    Parameters
    ----------
    primary
        Usually a :class:`GazetteerGeocoder`.
    fallback
        Any object with geopy's ``geocode(query, *, exactly_one, timeout)``.
    cache_path
        JSON file for the fallback's answers.
    allow_network
        Ask the fallback at all; ``False`` (default) only reads the cache.
    """

    def __init__(self, primary: Any, fallback: Any, *, cache_path: str | Path, allow_network: bool = False) -> None:
        self.primary = primary
        self.fallback = fallback
        self.cache_path = Path(cache_path)
        self.allow_network = allow_network
        self._cache = self._read_cache()

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        if not self.cache_path.exists():
            return {}
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
            answers = data["answers"]
            if not isinstance(answers, dict):
                raise TypeError("answers is not an object")
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{self.cache_path}: not a geomap fallback cache ({exc})") from None
        return answers

    def _write_cache(self) -> None:
        from geomap._io import write_text

        data = {"version": 1, "answers": {k: self._cache[k] for k in sorted(self._cache)}}
        write_text(self.cache_path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n")

    @staticmethod
    def _key(query: str) -> str:
        return name_key(query) or _exact_key(query)

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: float | None = None, **kwargs: Any) -> Any:
        """Geocode with the primary; then the cache; then, if allowed, the fallback."""
        found = self.primary.geocode(query, exactly_one=exactly_one, timeout=timeout, **kwargs)
        if found:
            return found
        if not isinstance(query, str) or not query.strip():
            return None if exactly_one else []
        key = self._key(query)
        if key not in self._cache:
            if not self.allow_network:
                return None if exactly_one else []
            answer = self.fallback.geocode(query, exactly_one=True, timeout=timeout)
            self._cache[key] = self._entry(query, answer)
            self._write_cache()
        entry = self._cache[key]
        if entry.get("lat") is None:
            return None if exactly_one else []
        raw = {
            "source": "fallback",
            "provider": entry["provider"],
            "status": entry["status"],
            "query": entry["query"],
            "raw": entry.get("raw"),
        }
        location = _location(entry["address"], entry["lat"], entry["lon"], raw)
        return location if exactly_one else [location]

    def _entry(self, query: str, answer: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "query": query,
            "provider": type(self.fallback).__name__,
            "status": "pending",
            "address": None,
            "lat": None,
            "lon": None,
            "raw": None,
        }
        if answer:
            entry.update(
                address=answer.address,
                lat=float(answer.latitude),
                lon=float(answer.longitude),
                raw=json.loads(json.dumps(answer.raw, default=str)) if answer.raw is not None else None,
            )
        return entry

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: float | None = None, **kwargs: Any) -> Any:
        """Reverse geocoding uses the primary only."""
        return self.primary.reverse(query, exactly_one=exactly_one, timeout=timeout, **kwargs)

    def pending(self) -> list[dict[str, Any]]:
        """The fallback's answers awaiting review (found ones only), by query."""
        return [dict(e) for _, e in sorted(self._cache.items()) if e.get("status") == "pending" and e.get("lat") is not None]
