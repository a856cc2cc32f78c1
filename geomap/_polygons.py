"""How far points lie outside polygons: the point checks of the gazetteer and its build.

Polygons are read from the GeoJSON files of ``gazetteer/boundaries/`` (one
feature a country or province, keyed by a property).  Distances are in km,
from the nearest point of the polygon, with longitude shrunk by latitude:
good to a few per cent at the tolerances used (a few km), which is all a
check needs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["KM_PER_DEGREE", "km_outside", "read_polygons"]

KM_PER_DEGREE = 111.32


def read_polygons(path: str | Path, key: str) -> dict[str, Any]:
    """The polygons of a GeoJSON file by the ``key`` property, parts of one key merged.

    Raises
    ------
    OSError, ValueError
        The file cannot be read or is not GeoJSON.
    """
    import shapely

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    parts: dict[str, list[Any]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        value = props.get(key)
        if value and feature.get("geometry"):
            parts.setdefault(str(value), []).append(shapely.geometry.shape(feature["geometry"]))
    merged = {k: shapely.union_all(v) if len(v) > 1 else v[0] for k, v in parts.items()}
    for geom in merged.values():
        shapely.prepare(geom)
    return merged


def km_outside(geom: Any, lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    """For each point, how far (km) it lies outside ``geom``; 0.0 inside."""
    import numpy as np
    import shapely
    import shapely.ops

    lat = np.asarray(lats, dtype=float)
    lon = np.asarray(lons, dtype=float)
    inside = shapely.contains_xy(geom, lon, lat)
    out = [0.0] * len(lat)
    for i in np.flatnonzero(~inside):
        point = shapely.Point(lon[i], lat[i])
        near = shapely.ops.nearest_points(geom, point)[0]
        dlat = (near.y - lat[i]) * KM_PER_DEGREE
        dlon = (near.x - lon[i]) * KM_PER_DEGREE * math.cos(math.radians(lat[i]))
        out[int(i)] = math.hypot(dlat, dlon)
    return out
