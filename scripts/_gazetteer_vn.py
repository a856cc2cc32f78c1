"""Vietnam's districts and communes of both eras, from the ``vietnamadminunits`` package.

Before 1 July 2025: every district-level unit (huyện, quận, thị xã, thành phố
thuộc tỉnh) and commune-level unit (xã, phường, thị trấn), ``valid_to``
2025-07-01; after: every commune-level unit (xã, phường, đặc khu),
``valid_from`` 2025-07-01.  Parents: commune -> district -> province before,
commune -> province after.  Successors: the package's converter (an old
commune that was split has several, the one it names as default first); a
district's is the special zone of its name (the island districts) or else the
new province that took most of its communes.

The package's points were scraped, so each is checked (see :func:`validate`)
and replaced when it fails, the row saying so in ``point_source`` and
``note``.  Called by ``scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

REFORM = "2025-07-01"
SOURCE = "vietnamadminunits"
#: How far outside its province polygon (Natural Earth 10m, coarse near coasts and borders) a point may lie.
PROVINCE_TOLERANCE_KM = 5.0
#: How far a commune's point may lie from its district's (the largest districts are about 60 km across).
DISTRICT_RADIUS_KM = 50.0
#: How far a 2025 commune's point may lie from the middle of the communes it was made of.
PREDECESSOR_RADIUS_KM = 40.0

# Vietnamese type words and their English forms, by the package's type.
_DISTRICT_TYPES = {"Huyện": "district", "Quận": "district", "Thị xã": "town", "Thành phố": "city"}
_COMMUNE_TYPES = {"Xã": "commune", "Phường": "ward", "Thị trấn": "township", "Đặc khu": "special zone"}


@dataclass
class Unit:
    """One derived row: the columns of ``places.csv``, its aliases, and how its point fared."""

    values: dict[str, str]
    aliases: list[dict[str, str]] = field(default_factory=list)
    key: str = ""  # the package's key of the unit
    point_ok: bool = True
    why: list[str] = field(default_factory=list)  # why the package's point was not kept


def _db_path() -> str:
    import vietnamadminunits

    return os.path.join(os.path.dirname(vietnamadminunits.__file__), "data")


@functools.lru_cache(maxsize=1)
def version() -> str:
    from importlib.metadata import version as _v

    return _v("vietnamadminunits")


def _row(pid: str, name: str, kind: str, parent: str, lat: float, lon: float, code: str, note: str) -> dict[str, str]:
    return {
        "id": pid,
        "name": name,
        "kind": kind,
        "country": "VN",
        "parent_id": parent,
        "lat": str(lat),
        "lon": str(lon),
        "point_source": "",
        "code": code,
        "iso3166_2": "",
        "population": "",
        "valid_from": "",
        "valid_to": "",
        "successor_id": "",
        "successors": "",
        "pair_id": "",
        "source": f"{SOURCE}:{version()}",
        "note": note,
    }


def _aliases(full: str, short: str, english: str) -> list[dict[str, str]]:
    """The official name with its type word ("Huyện Bến Cầu") and the English form ("Bến Cầu district")."""
    source = f"{SOURCE}:{version()}"
    out = []
    if full != short:
        out.append({"name": full, "lang": "vi", "kind": "official", "source": source})
    out.append({"name": f"{short} {english}", "lang": "en", "kind": "official", "source": source})
    return out


def derive(
    province_id: Callable[[str, bool], str | None], slugify: Callable[[str], str], problems: list[str]
) -> list[Unit]:
    """Every district and commune of both eras, unvalidated.

    ``province_id(name, after_reform)`` is the gazetteer id of a province
    (``None`` when unknown, which is a problem reported by the caller).
    """
    data = _db_path()
    db = sqlite3.connect(os.path.join(data, "dataset.db"))
    with open(os.path.join(data, "converter_2025.json"), encoding="utf-8") as fh:
        converter = json.load(fh)
    units: list[Unit] = []
    # -- after the reform
    new_rows = []
    for prov, prov_key, ward, short, wtype, code, lat, lon, wkey in db.execute(
        "select provinceShort, provinceKey, ward, wardShort, wardType, wardCode, wardLat, wardLon, wardKey"
        " from admin_units order by wardCode"
    ):
        parent = province_id(prov, True)
        if parent is None:
            problems.append(f"{SOURCE}: province {prov!r} (after 2025) is not in the curated provinces")
            continue
        name = _ward_name(ward, short)
        new_rows.append((f"vn.commune.{slugify(name)}-{parent.split('.')[-1]}", name, parent, ward, wtype, code, lat, lon, prov_key, wkey))
    new_ids = _unique_ids([(r[0], r[5]) for r in new_rows])
    new_by_key: dict[tuple[str, str], Unit] = {}
    for (_, name, parent, ward, wtype, code, lat, lon, prov_key, wkey), pid in zip(new_rows, new_ids):
        unit = Unit(
            _row(pid, name, "commune", parent, lat, lon, code, f"{wtype.lower()} from {REFORM}"),
            _aliases(ward, name, _COMMUNE_TYPES[wtype]),
            key=f"{prov_key}_{wkey}",
        )
        unit.values["valid_from"] = REFORM
        new_by_key[(prov_key, wkey)] = unit
        units.append(unit)
    # -- before the reform
    old_rows = []
    for row in db.execute(
        "select provinceShort, district, districtShort, districtType, districtCode, districtLat, districtLon,"
        " ward, wardShort, wardType, wardCode, wardLat, wardLon, provinceKey, districtKey, wardKey"
        " from admin_units_legacy order by districtCode, wardCode"
    ):
        parent = province_id(row[0], False)
        if parent is None:
            problems.append(f"{SOURCE}: province {row[0]!r} (before 2025) is not in the curated provinces")
            continue
        old_rows.append((parent, *row))
    district_rows = {r[5]: r for r in old_rows}  # by district code, in code order
    district_ids = dict(zip(district_rows, _unique_ids([
        (f"vn.district.{slugify(r[3])}-{_prov_slug(r[0])}", code) for code, r in district_rows.items()
    ])))
    districts: dict[str, Unit] = {}
    for code, (parent, _, dist, dshort, dtype, dcode, dlat, dlon, *_rest) in district_rows.items():
        pkey, dkey = _rest[-3], _rest[-2]
        unit = Unit(
            _row(district_ids[code], dshort, "district", parent, dlat, dlon, dcode, f"{dtype.lower()} until {REFORM}"),
            _aliases(dist, dshort, _DISTRICT_TYPES[dtype]),
            key=f"{pkey}_{dkey}",
        )
        unit.values["valid_to"] = REFORM
        districts[code] = unit
        units.append(unit)
    communes = [r for r in old_rows if r[8]]  # island districts without communes have no ward
    commune_ids = _unique_ids([
        (f"vn.commune.{slugify(_ward_name(r[8], r[9]))}-{slugify(r[3])}-{_prov_slug(r[0])}", r[11]) for r in communes
    ])
    old_by_key: dict[str, Unit] = {}
    for r, pid in zip(communes, commune_ids):
        (_, _, _, _, _, dcode, _, _, ward, wshort, wtype, wcode, wlat, wlon, pkey, dkey, wkey) = r
        name = _ward_name(ward, wshort)
        unit = Unit(
            _row(pid, name, "commune", districts[dcode].values["id"], wlat, wlon, wcode, f"{wtype.lower()} until {REFORM}"),
            _aliases(ward, name, _COMMUNE_TYPES[wtype]),
            key=f"{pkey}_{dkey}_{wkey}",
        )
        unit.values["valid_to"] = REFORM
        old_by_key[unit.key] = unit
        units.append(unit)
    # an old commune's id may equal a new one's ("Liên Sơn" of Lắk district, "Liên Sơn Lắk" of Đắk Lắk):
    # old communes are leaves, so they take their code
    taken = {u.values["id"] for u in new_by_key.values()} | {u.values["id"] for u in districts.values()}
    for unit in old_by_key.values():
        if unit.values["id"] in taken:
            unit.values["id"] += f"-{unit.values['code']}"
    _successors(converter, old_by_key, new_by_key, problems)
    _district_successors(units, new_by_key)
    return units


def _ward_name(ward: str, short: str) -> str:
    """The short name, or the full one for numbered wards ("Phường 1")."""
    return ward if short[:1].isdigit() else short


def _prov_slug(province_id: str) -> str:
    return province_id.split(".")[-1].removesuffix("-pre2025")


def _unique_ids(candidates: list[tuple[str, str]]) -> list[str]:
    """The ids, with the unit's code appended to those shared by several units."""
    count = Counter(pid for pid, _ in candidates)
    return [pid if count[pid] == 1 else f"{pid}-{code}" for pid, code in candidates]


def _successors(
    converter: dict,
    old_by_key: dict[str, Unit],
    new_by_key: dict[tuple[str, str], Unit],
    problems: list[str],
) -> None:
    """Old commune -> new unit(s), from the package's converter."""
    found: dict[str, list[str]] = defaultdict(list)
    for prov_key, wards in sorted(converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items()):
        for new_key, olds in sorted(wards.items()):
            new = new_by_key.get((prov_key, new_key))
            if new is None:
                problems.append(f"{SOURCE}: converter names an unknown 2025 unit {prov_key}/{new_key}")
                continue
            for old in olds:
                if old in old_by_key:
                    found[old].append(new.values["id"])
    for prov_key, olds in sorted(converter["DICT_PROVINCE_WARD_DIVIDED"].items()):
        for old, parts in sorted(olds.items()):
            if old not in old_by_key:
                continue
            ordered = sorted(parts, key=lambda p: (not p.get("isDefaultNewWard"), p["newWardKey"]))
            ids = []
            for part in ordered:
                new = new_by_key.get((prov_key, part["newWardKey"]))
                if new is not None:
                    ids.append(new.values["id"])
            found[old] = ids + [i for i in found.get(old, []) if i not in ids]
    for key, unit in old_by_key.items():
        ids = list(dict.fromkeys(found.get(key, [])))
        if not ids:
            continue
        unit.values["successor_id"] = ids[0]
        if len(ids) > 1:
            unit.values["successors"] = ";".join(ids)
            unit.values["note"] += f"; split into {len(ids)} units"


def _district_successors(units: list[Unit], new_by_key: dict[tuple[str, str], Unit]) -> None:
    """A district's successor: the special zone of its name, else the new province of most of its communes."""
    by_id = {u.values["id"]: u for u in units}
    zones = {(u.values["parent_id"], u.values["name"]): u.values["id"] for u in new_by_key.values() if "đặc khu" in u.values["note"]}
    votes: dict[str, Counter] = defaultdict(Counter)
    for unit in units:
        v = unit.values
        if v["kind"] == "commune" and v["valid_to"] and v["successor_id"]:
            votes[v["parent_id"]][by_id[v["successor_id"]].values["parent_id"]] += 1
    for unit in units:
        v = unit.values
        if v["kind"] != "district":
            continue
        if votes[v["id"]]:
            (province, _), *_ = sorted(votes[v["id"]].items(), key=lambda kv: (-kv[1], kv[0]))
        else:
            province = ""
        zone = next((z for (p, name), z in zones.items() if name == v["name"] and (not province or p == province)), "")
        v["successor_id"] = zone or province


# -- validation -------------------------------------------------------------------


def validate(
    units: list[Unit],
    province_km_outside: Callable[[str, list[float], list[float]], list[float] | None],
    km: Callable[[float, float, float, float], float],
) -> None:
    """Check every point; replace those that fail, saying so in the row.

    * a point more than :data:`PROVINCE_TOLERANCE_KM` outside its province polygon fails;
    * a district's point shared with another district of its province fails (the
      source's district longitudes repeat), as does one further than
      :data:`DISTRICT_RADIUS_KM` from the middle (median) of its communes;
    * a commune's point further than :data:`DISTRICT_RADIUS_KM` from its district's
      point, or shared with a sibling, fails;
    * a 2025 unit's point further than :data:`PREDECESSOR_RADIUS_KM` from the middle
      of the communes it was made of fails.

    A failed district takes the median of its sound communes' points; a failed
    commune of before the reform its district's point (``point_source=parent``);
    a failed 2025 unit the median of its predecessors' points when that lies in
    its province, else its province's point (``parent``).
    """
    by_id = {u.values["id"]: u for u in units}
    province_of: dict[str, str] = {}
    for u in units:
        v = u.values
        parent = v["parent_id"]
        province_of[v["id"]] = by_id[parent].values["parent_id"] if parent in by_id else parent
    # 1. province polygons
    by_province: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        by_province[province_of[u.values["id"]]].append(u)
    for province, members in sorted(by_province.items()):
        outside = province_km_outside(
            province, [float(u.values["lat"]) for u in members], [float(u.values["lon"]) for u in members]
        )
        if outside is None:
            continue
        for u, k in zip(members, outside):
            if k > PROVINCE_TOLERANCE_KM:
                u.point_ok = False
                u.why.append(f"{k:.0f} km outside its province polygon")
    # 2. points shared by siblings
    siblings: dict[tuple[str, str, str, str], list[Unit]] = defaultdict(list)
    for u in units:
        v = u.values
        siblings[(v["parent_id"], v["valid_to"], f"{float(v['lat']):.5f}", f"{float(v['lon']):.5f}")].append(u)
    for group in siblings.values():
        if len(group) > 1:
            for u in group:
                u.point_ok = False
                u.why.append(f"same point as {len(group) - 1} other unit(s) of its parent")
    # 3. districts against their communes
    communes_of: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        if u.values["kind"] == "commune" and u.values["valid_to"]:
            communes_of[u.values["parent_id"]].append(u)

    def middle(members: list[Unit]) -> tuple[float, float] | None:
        good = [u for u in members if u.point_ok]
        if not good:
            return None
        return (
            statistics.median(float(u.values["lat"]) for u in good),
            statistics.median(float(u.values["lon"]) for u in good),
        )

    for u in units:
        v = u.values
        if v["kind"] != "district":
            continue
        mid = middle(communes_of[v["id"]])
        if mid is not None and km(float(v["lat"]), float(v["lon"]), *mid) > DISTRICT_RADIUS_KM:
            u.point_ok = False
            u.why.append(f"{km(float(v['lat']), float(v['lon']), *mid):.0f} km from the middle of its communes")
        if not u.point_ok and mid is not None:
            _move(u, mid, f"{SOURCE}:median of its communes' points", "median of its communes' points")
    # 4. communes of before against their district
    for u in units:
        v = u.values
        if v["kind"] != "commune" or not v["valid_to"]:
            continue
        district = by_id[v["parent_id"]].values
        d = km(float(v["lat"]), float(v["lon"]), float(district["lat"]), float(district["lon"]))
        if d > DISTRICT_RADIUS_KM:
            u.point_ok = False
            u.why.append(f"{d:.0f} km from its district's point")
        if not u.point_ok:
            _move(u, (float(district["lat"]), float(district["lon"])), "parent", "its district's point")
    # 5. units of 2025 against the communes they were made of
    predecessors: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        if u.values["valid_to"] and u.values["kind"] == "commune":
            for sid in filter(None, (u.values["successors"] or u.values["successor_id"]).split(";")):
                predecessors[sid].append(u)
    for u in units:
        v = u.values
        if v["kind"] != "commune" or not v["valid_from"]:
            continue
        mid = middle([p for p in predecessors[v["id"]] if p.values["point_source"] != "parent"])
        if mid is not None:
            d = km(float(v["lat"]), float(v["lon"]), *mid)
            if d > PREDECESSOR_RADIUS_KM:
                u.point_ok = False
                u.why.append(f"{d:.0f} km from the communes it was made of")
        if u.point_ok:
            continue
        inside = mid is not None and (province_km_outside(v["parent_id"], [mid[0]], [mid[1]]) or [0.0])[0] <= PROVINCE_TOLERANCE_KM
        if inside:
            _move(u, mid, f"{SOURCE}:median of the points of the communes it was made of", "median of its predecessors' points")
        else:
            u.values["point_source"] = "parent"  # placed by the caller at its province's point
            u.values["note"] += "; point: its province's (the source's failed: " + "; ".join(u.why) + ")"


def _move(unit: Unit, point: tuple[float, float], point_source: str, what: str) -> None:
    unit.values["lat"], unit.values["lon"] = str(point[0]), str(point[1])
    unit.values["point_source"] = point_source
    unit.values["note"] += f"; point: {what} (the source's failed: " + "; ".join(unit.why) + ")"
