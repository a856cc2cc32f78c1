"""Border crossings in the gazetteer build: points taken from another row, checks, counts.

A curated crossing (``kind=border_gate``) that no public reference places
carries ``coords=place:<id>``: it takes the point of that row of the built
table (the commune, township or district it lies in, or its parent), and its
``point_source`` says so (``parent`` when that row is its parent, else
``place:<id>``).  The checks here stop the build (exit 2, ``file:line``) when a
crossing's pair is broken (not a border gate, in the same country, or not
pointing back), its ``level`` is not one of :data:`geomap.records.GATE_LEVELS`,
or its point lies on the wrong side of the border.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from geomap.records import GATE_LEVELS

#: A crossing may lie this far outside its own country's polygon: the Natural Earth 10m line is
#: coarse at the gates (Na Mèo's referenced point lies 4.1 km "inside" Laos by it).
SIDE_TOLERANCE_KM = 5.0
#: The countries whose borders the crossings are counted on.
BORDER_COUNTRIES = ("VN", "CN", "LA", "KH")


class _Row(Protocol):
    values: dict[str, str]
    origin: str
    coords: str

    @property
    def id(self) -> str: ...


def take_points(rows: Sequence[_Row], add_problem: Callable[[str, str, object], None]) -> None:
    """Give every row with ``coords=place:<id>`` the point of that row, and say so in ``point_source``."""
    by_id = {row.id: row for row in rows}
    for row in rows:
        if not row.coords.startswith("place:"):
            continue
        target_id = row.coords.split(":", 1)[1]
        target = by_id.get(target_id)
        if target is None or not target.values["lat"]:
            add_problem(row.origin, "coords names no place with a point", row.coords)
            continue
        if target.coords.startswith("place:"):
            add_problem(row.origin, "coords names a place that takes its own point from another", row.coords)
            continue
        if row.values["lat"] or row.values["lon"]:
            add_problem(row.origin, "give either lat/lon or coords, not both", row.coords)
            continue
        row.values["lat"], row.values["lon"] = target.values["lat"], target.values["lon"]
        row.values["point_source"] = "parent" if target_id == row.values["parent_id"] else f"place:{target_id}"


def _km_outside(polygons: Mapping[str, Any], country: str, lat: float, lon: float) -> float | None:
    from geomap._polygons import km_outside

    geom = polygons.get(country)
    return None if geom is None else km_outside(geom, [lat], [lon])[0]


def check_crossings(rows: Sequence[_Row], countries: Mapping[str, Any], add_problem: Callable[[str, str, object], None]) -> None:
    """Stop the build on a crossing whose level, pair or side of the border is wrong.

    ``countries`` maps ISO codes to country polygons (``boundaries/countries.geojson``).
    """
    by_id = {row.id: row for row in rows}
    for row in rows:
        v = row.values
        if v.get("level") and v["kind"] != "border_gate":
            add_problem(row.origin, "only a border gate has a level", v["level"])
        if v["kind"] != "border_gate":
            continue
        if v.get("level") not in GATE_LEVELS:
            add_problem(row.origin, f"a border gate needs a level ({', '.join(GATE_LEVELS)})", v.get("level", ""))
        pair = by_id.get(v["pair_id"]) if v["pair_id"] else None
        if pair is not None:
            if pair.values["kind"] != "border_gate":
                add_problem(row.origin, "pair_id names a place that is not a border gate", v["pair_id"])
            elif pair.values["country"] == v["country"]:
                add_problem(row.origin, "pair_id names a gate in the same country", v["pair_id"])
        if not (v["lat"] and v["lon"]):
            continue
        km = _km_outside(countries, v["country"], float(v["lat"]), float(v["lon"]))
        if km is None:
            continue
        if km > SIDE_TOLERANCE_KM:
            add_problem(row.origin, f"point lies {km:.1f} km outside {v['country']}, on the wrong side of the border", f"{v['lat']},{v['lon']}")
        elif pair is not None and _own_point(row) and _own_point(pair) and pair.values["lat"]:
            # however coarse the line, each side of a crossing lies on its own side of its pair
            pair_km = _km_outside(countries, v["country"], float(pair.values["lat"]), float(pair.values["lon"]))
            if pair_km is not None and km > pair_km:
                add_problem(row.origin, f"point lies farther outside {v['country']} than its pair {pair.id}: the sides are swapped", f"{v['lat']},{v['lon']}")


def _own_point(row: _Row) -> bool:
    """True when the row is placed by a source of its own, not at another row's point."""
    point = row.values.get("point_source", "")
    return point != "parent" and not point.startswith("place:")


def _border(row: _Row, by_id: Mapping[str, _Row], countries: Mapping[str, Any]) -> str:
    """The border a crossing is on: its country and its pair's, else the nearest other country."""
    v = row.values
    other = by_id[v["pair_id"]].values["country"] if v["pair_id"] in by_id else ""
    if not other and v["lat"]:
        distances = {
            cc: km
            for cc in BORDER_COUNTRIES
            if cc != v["country"] and (km := _km_outside(countries, cc, float(v["lat"]), float(v["lon"]))) is not None
        }
        other = min(distances, key=lambda cc: (distances[cc], cc)) if distances else "?"
    return "–".join(sorted((v["country"], other or "?"), key=lambda cc: (cc != "VN", cc != "CN", cc)))


def crossing_counts(rows: Sequence[_Row], countries: Mapping[str, Any]) -> Counter:
    """``(border, country, level) -> count`` of the border gates, for the build report."""
    by_id = {row.id: row for row in rows}
    return Counter(
        (_border(row, by_id, countries), row.values["country"], row.values.get("level") or "?")
        for row in rows
        if row.values["kind"] == "border_gate"
    )


def format_counts(counts: Counter) -> list[str]:
    """Report lines: one per border, each side's crossings by level."""
    lines = []
    for border in sorted({b for b, _, _ in counts}):
        sides = []
        for country in border.split("–"):
            parts = [f"{level} {counts[(border, country, level)]}" for level in (*GATE_LEVELS, "?") if counts[(border, country, level)]]
            if parts:
                sides.append(f"{country} " + ", ".join(parts))
        total = sum(n for (b, _, _), n in counts.items() if b == border)
        lines.append(f"  crossings {border}: {total} ({'; '.join(sides)})")
    return lines
