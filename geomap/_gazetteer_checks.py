"""The point checks of ``geomap gazetteer check`` that scale with the table.

* every row inside its province's polygon, within :data:`PROVINCE_TOLERANCE_KM`
  (a warning: the polygons are coarse and partly older than the units; the
  build holds curated rows to it strictly);
* a commune within :data:`DISTRICT_RADIUS_KM` of its district's point;
* no two units of one parent at one point, unless the rows say they are placed
  at their parent's point (``point_source=parent``) or one is the other's seat.

Rows placed at their parent's point are checked through their parent only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geomap.records import Place

__all__ = ["DISTRICT_RADIUS_KM", "PROVINCE_TOLERANCE_KM", "point_problems"]

#: How far outside its province polygon (Natural Earth 10m, coarse near borders and coasts) a point may lie.
PROVINCE_TOLERANCE_KM = 5.0
#: How far a commune's point may lie from its district's.
DISTRICT_RADIUS_KM = 50.0
_EARTH_KM = 6371.0088


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def point_problems(
    places: Mapping[str, Place],
    lines: Mapping[str, int],
    file: str,
    provinces: Path,
    problem: Callable[..., Any],
) -> list[Any]:
    """The problems found; ``problem(file, line, column, value, message, severity)`` makes one."""
    from geomap._polygons import km_outside, read_polygons

    out: list[Any] = []
    try:
        polygons = read_polygons(provinces, "province_id")
    except (OSError, ValueError) as exc:
        return [problem(str(provinces), None, "", "", f"cannot read province polygons ({exc})", "warning")]

    def province_of(place: Place) -> str | None:
        seen: set[str] = set()
        current: Place | None = place
        while current is not None and current.id not in seen:
            if current.kind == "province":
                return current.id
            seen.add(current.id)
            current = places.get(current.parent_id) if current.parent_id else None
        return None

    members: dict[str, list[Place]] = defaultdict(list)
    for place in places.values():
        if place.kind in ("country", "province") or place.at_parent_point:
            continue
        province = province_of(place)
        if province in polygons:
            members[province].append(place)
    import shapely

    for province, rows in sorted(members.items()):
        outside = km_outside(polygons[province], [p.lat for p in rows], [p.lon for p in rows])
        for place, km in zip(rows, outside):
            if km <= PROVINCE_TOLERANCE_KM:
                continue
            # a warning: Natural Earth's 10m provinces are coarse and, in the Mekong delta and the
            # northwest, older than the 2004 splits (Sa Đéc and Ninh Kiều fall "in" Cần Thơ's new
            # polygon, Than Uyên in Lào Cai's); a point in another country is the country check's error
            point = shapely.Point(place.lon, place.lat)
            other = next((k for k, g in polygons.items() if k != province and g.contains(point)), None)
            where = f"inside {other}" if other else "in no province of the polygon file"
            out.append(
                problem(file, lines[place.id], "lat", f"{place.lat}, {place.lon}",
                        f"point lies {km:.0f} km outside its province {province}, {where}",
                        "warning")
            )  # fmt: skip
    shared: dict[tuple[str, float, float], list[Place]] = defaultdict(list)
    for place in places.values():
        parent = places.get(place.parent_id) if place.parent_id else None
        if parent is None or place.at_parent_point:
            continue
        if place.kind == "commune" and parent.kind == "district" and not parent.at_parent_point:
            km = _km(place.lat, place.lon, parent.lat, parent.lon)
            if km > DISTRICT_RADIUS_KM:
                out.append(
                    problem(file, lines[place.id], "lat", f"{place.lat}, {place.lon}",
                            f"commune lies {km:.0f} km from its district's point ({parent.id})", "error")
                )  # fmt: skip
        if place.kind in ("district", "commune") and (place.lat, place.lon) != (parent.lat, parent.lon):
            shared[(parent.id, place.lat, place.lon)].append(place)
    for (parent_id, _, _), rows in shared.items():
        eras = defaultdict(list)
        for place in rows:
            eras[(place.valid_from, place.valid_to)].append(place)
        for same in eras.values():
            if len(same) > 1:
                first = same[0]
                out.append(
                    problem(file, lines[first.id], "lat", f"{first.lat}, {first.lon}",
                            f"{len(same)} units of {parent_id} share this point: {', '.join(p.id for p in same)}",
                            "warning")
                )  # fmt: skip
    return out
