"""Country and province polygons bundled with geomap (Natural Earth, public domain).

The files live in ``gazetteer/boundaries/`` (rebuilt by
``scripts/build_boundaries.py``) and ship in the wheel as
``geomap/_data/gazetteer/boundaries/``.  Both loaders return fresh
GeoDataFrames in EPSG:4326; the parsed files are cached, so repeated calls are
cheap and a caller editing its copy never changes what the next call sees.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from geomap._errors import InputError, InputNotFoundError
from geomap._resources import data_path

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["COUNTRY_COLUMNS", "PROVINCE_COLUMNS", "boundaries_dir", "load_countries", "load_provinces"]

COUNTRY_COLUMNS = ("iso_a2", "name", "name_vi", "name_zh")
PROVINCE_COLUMNS = ("province_id", "name", "country", "iso3166_2", "valid_from", "valid_to")


def boundaries_dir() -> Path:
    """Folder holding ``countries.geojson`` and ``provinces.geojson`` (wheel copy first)."""
    return data_path("gazetteer", "boundaries")


def load_countries() -> gpd.GeoDataFrame:
    """Country polygons (VN, CN, LA, KH, TH, MM), sorted by ``iso_a2``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a2, name, name_vi, name_zh`` and a (Multi)Polygon
        geometry, EPSG:4326, clipped to lon 73–135.5, lat 3–54 (the whole
        of the six countries).
    """
    return _read(str(boundaries_dir() / "countries.geojson"), COUNTRY_COLUMNS, "iso_a2").copy()


def load_provinces(*, on: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """Province polygons, Vietnam's before and after the 2025 reform.

    Parameters
    ----------
    on
        A date (or ISO ``YYYY-MM-DD`` string): keep only the units valid that
        day (``valid_from <= on < valid_to``), so Vietnam's 63 earlier units
        or its 34 later ones, never both.  ``None`` keeps every unit.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``province_id, name, country, iso3166_2, valid_from,
        valid_to`` (dates as ISO strings, ``None`` when open) and a
        (Multi)Polygon geometry, EPSG:4326, sorted by ``province_id``.

    Raises
    ------
    InputError
        ``on`` is not a date.
    """
    gdf = _read(str(boundaries_dir() / "provinces.geojson"), PROVINCE_COLUMNS, "province_id")
    if on is not None:
        day = _as_day(on)
        keep = gdf.apply(lambda r: _valid_on(r["valid_from"], r["valid_to"], day), axis=1).astype(bool)
        gdf = gdf[keep]
    return gdf.reset_index(drop=True).copy()


def _as_day(on: dt.date | str) -> str:
    """``on`` as an ISO date string, the form the files carry."""
    if isinstance(on, dt.datetime):
        return on.date().isoformat()
    if isinstance(on, dt.date):
        return on.isoformat()
    try:
        return dt.date.fromisoformat(str(on)[:10]).isoformat()
    except ValueError:
        msg = f"load_provinces: on: not a date (YYYY-MM-DD): {on!r}"
        raise InputError(msg) from None


def _valid_on(valid_from: str | None, valid_to: str | None, day: str) -> bool:
    """True when a unit with this validity existed on ``day`` (ISO strings compare as dates)."""
    if valid_from and day < valid_from:
        return False
    return not (valid_to and day >= valid_to)


@functools.lru_cache(maxsize=8)
def _read(path: str, columns: tuple[str, ...], key: str) -> gpd.GeoDataFrame:
    """Parse one bundled file once; callers get copies."""
    import json

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import shape

    file = Path(path)
    if not file.exists():
        msg = f"{path}: boundary file missing; rebuild with scripts/build_boundaries.py"
        raise InputNotFoundError(msg)
    # Plain json rather than GDAL: GDAL would turn the ISO date strings into datetimes.
    features = json.loads(file.read_text(encoding="utf-8"))["features"]
    records = [{col: f["properties"].get(col) for col in columns} for f in features]
    geoms = [shape(f["geometry"]) for f in features]
    gdf = gpd.GeoDataFrame(records, columns=list(columns), geometry=geoms, crs="EPSG:4326")
    for col in columns:  # plain str/None cells (pandas would infer a string dtype with NaN)
        gdf[col] = pd.Series([r[col] for r in records], index=gdf.index, dtype=object)
    return gdf.sort_values(key, kind="stable").reset_index(drop=True)
