"""Layers -> files a GIS user can open: GeoJSON (RFC 7946), GeoPackage, CSV.

Every file is written atomically (:mod:`geomap._io`): a crash mid-write leaves
the previous file as it was and no temporary file behind.  GeoJSON and CSV
are deterministic: the same layers give byte-identical files (the GeoPackage too,
its timestamps being fixed).

GeoJSON follows RFC 7946: WGS84 longitude/latitude (no ``crs`` member),
counter-clockwise outer rings and clockwise holes, coordinates rounded to 6
decimals (~0.1 m), an ``id`` on every feature (the record id), one
FeatureCollection per layer with one feature per line, properties in the
layer's column order (ids first), UTF-8.  CSV starts with a UTF-8 byte-order
mark, so that Excel shows Vietnamese and Chinese names rightly (pandas,
Python's ``csv`` with ``encoding="utf-8-sig"`` and GIS tools read it as usual).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap._csv import csv_writer, neutralise
from geomap._errors import InputError, OutputError
from geomap._io import OutputDir

if TYPE_CHECKING:
    import geopandas as gpd

    from geomap.layers import Layers

__all__ = ["FORMATS", "GEOMETRY_TYPES", "ID_COLUMNS", "export", "to_csv", "to_geojson", "to_geopackage", "to_geoparquet"]

FORMATS = ("geojson", "gpkg", "csv", "geoparquet")
DEFAULT_FORMATS = ("geojson", "gpkg", "csv")

#: The column that gives each layer's feature ``id`` (route stops: ``route_id:stop``).
ID_COLUMNS = {
    "places": "place_id",
    "incidents": "incident_id",
    "events": "event_id",
    "routes": "route_id",
    "route_stops": ("route_id", "stop"),
    "crossings": "place_id",
    "countries": "iso_a2",
    "provinces": "province_id",
    "province_stats": "province_id",
}

#: Geometry type of each layer in the GeoPackage (polygons promoted to multi).
GEOMETRY_TYPES = {
    "places": "Point",
    "incidents": "Point",
    "events": "Point",
    "routes": "LineString",
    "route_stops": "Point",
    "crossings": "Point",
    "countries": "MultiPolygon",
    "provinces": "MultiPolygon",
    "province_stats": "MultiPolygon",
}

#: Layers written as CSV by :func:`export`.
CSV_LAYERS = ("incidents", "events", "routes", "route_stops")

GPKG_NAME = "geomap.gpkg"
DECIMALS = 6


def export(
    layers: Layers, out_dir: str | Path, *, formats: Iterable[str] = DEFAULT_FORMATS, overwrite: bool = False
) -> list[Path]:
    """Write every layer to ``out_dir`` in the chosen formats.

    As the command line does, geomap replaces only the files it wrote itself
    and nobody edited since (:class:`geomap._io.OutputDir`): every name is
    checked before the first file is written.

    Parameters
    ----------
    layers
        From :func:`geomap.layers.build_layers`.
    out_dir
        Folder to write into (created if needed).
    formats
        Any of ``"geojson"`` (``<layer>.geojson``, one per layer), ``"gpkg"``
        (``geomap.gpkg``, one layer per GeoDataFrame) and ``"csv"``
        (``incidents.csv``, ``events.csv``, ``routes.csv``, ``route_stops.csv``) and
        ``"geoparquet"`` (``<layer>.parquet``, one per layer, GeoParquet 1.0).
    overwrite
        Replace files of those names even if geomap did not write them.

    Returns
    -------
    list of Path
        The files written, in the order written.

    Raises
    ------
    InputError
        An unknown format, a value that cannot be written, or a file that
        geomap did not write (or that was edited since) in the way.
    OutputError
        The folder cannot be written (a full disk, no permission...).
    """
    chosen = [formats] if isinstance(formats, str) else list(formats)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        msg = f"export: unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})"
        raise InputError(msg)
    out = OutputDir(out_dir, overwrite=overwrite)
    named = layers.as_dict()
    names = [f"{name}.geojson" for name in named] if "geojson" in chosen else []
    names += [GPKG_NAME] if "gpkg" in chosen else []
    names += [f"{name}.csv" for name in CSV_LAYERS] if "csv" in chosen else []
    names += [f"{name}.parquet" for name in named] if "geoparquet" in chosen else []
    out.check(*names)
    out.prepare()
    written: list[Path] = []
    if "geojson" in chosen:
        for name, gdf in named.items():
            written.append(_geojson(gdf, out, f"{name}.geojson", layer_name=name))
    if "gpkg" in chosen:
        written.append(_geopackage(layers, out, GPKG_NAME))
    if "csv" in chosen:
        for name in CSV_LAYERS:
            written.append(_csv(named[name], out, f"{name}.csv", layer_name=name))
    if "geoparquet" in chosen:
        for name, gdf in named.items():
            written.append(_geoparquet(gdf, out, f"{name}.parquet"))
    return written


def to_geoparquet(gdf: gpd.GeoDataFrame, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write one layer as GeoParquet 1.0 (EPSG:4326, WKB geometry), as :meth:`geopandas.GeoDataFrame.to_parquet` does.

    Written atomically; the same layer gives the same bytes (no row index,
    no write time in the file).  Text is kept as it is (Parquet is typed:
    no spreadsheet runs it).  Read it with :func:`geopandas.read_parquet`,
    QGIS (GDAL 3.5+), DuckDB or any Parquet reader.  A file of that name
    that geomap did not write is not replaced unless ``overwrite``.
    """
    path = Path(path)
    return _geoparquet(gdf, OutputDir(path.parent, overwrite=overwrite), path.name)


def _geoparquet(gdf: gpd.GeoDataFrame, out: OutputDir, file_name: str) -> Path:
    with out.writing(file_name) as tmp:
        _wgs84(gdf).to_parquet(tmp, index=False, compression="zstd", schema_version="1.0.0")
    return out.path / file_name


def to_geojson(gdf: gpd.GeoDataFrame, path: str | Path, *, layer_name: str, overwrite: bool = False) -> Path:
    """Write one layer as an RFC 7946 FeatureCollection.

    Parameters
    ----------
    gdf
        A layer in EPSG:4326 (reprojected if it is in another CRS).
    path
        File to write, atomically.
    layer_name
        The layer's name (``"incidents"``...): picks the id column (see
        :data:`ID_COLUMNS`; other names use the first column) and is written
        as the collection's ``name``.
    overwrite
        Replace ``path`` even if geomap did not write it.

    Raises
    ------
    InputError
        A value that JSON cannot carry, duplicate feature ids, or a file at
        ``path`` that geomap did not write.
    """
    path = Path(path)
    return _geojson(gdf, OutputDir(path.parent, overwrite=overwrite), path.name, layer_name=layer_name)


def _geojson(gdf: gpd.GeoDataFrame, out: OutputDir, file_name: str, *, layer_name: str) -> Path:
    path = out.path / file_name
    gdf = _wgs84(gdf)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    ids = _ids(gdf, layer_name, columns)
    seen: set[str] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})
    if dupes:
        msg = f"{path}: layer {layer_name}: duplicate feature id: {dupes[0]!r}"
        raise InputError(msg)
    head = json.dumps({"type": "FeatureCollection", "name": layer_name}, **_JSON)[:-1]
    with out.open(file_name) as fh:
        fh.write(head + ',"features":[')
        rows = zip(ids, _rows(gdf, columns, path, layer_name), gdf.geometry, strict=True)
        for n, (fid, props, geom) in enumerate(rows):
            feature = {"type": "Feature", "id": fid, "properties": props, "geometry": _geometry(geom)}
            fh.write(("\n" if n == 0 else ",\n") + json.dumps(feature, **_JSON))
        fh.write("\n]}\n")
    return path


def to_geopackage(layers: Layers, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write every layer into one GeoPackage (EPSG:4326), one table per layer.

    Written to a temporary file and renamed over ``path`` only when every
    layer is in, so QGIS never sees a half-written package.  The package's
    ``last_change`` stamps are fixed (``SOURCE_DATE_EPOCH`` when set, else
    1970-01-01), so the same layers give a byte-identical file.  A file at
    ``path`` that geomap did not write is replaced only if ``overwrite``.
    """
    path = Path(path)
    return _geopackage(layers, OutputDir(path.parent, overwrite=overwrite), path.name)


def _geopackage(layers: Layers, out: OutputDir, file_name: str) -> Path:
    import pyogrio

    path = out.path / file_name
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _stamp()})
    try:
        _write_gpkg(layers, out, file_name)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path


def _stamp() -> str:
    """The fixed GeoPackage timestamp (reproducible-builds convention)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _write_gpkg(layers: Layers, out: OutputDir, file_name: str) -> None:
    import pyogrio

    path = out.path / file_name
    with out.writing(file_name) as tmp:
        for name, gdf in layers.as_dict().items():
            gdf = _wgs84(gdf)
            geom_type = GEOMETRY_TYPES.get(name)
            frame = _gpkg_frame(gdf, path, name)
            try:
                pyogrio.write_dataframe(
                    frame,
                    tmp,
                    layer=name,
                    driver="GPKG",
                    geometry_type=geom_type,
                    promote_to_multi=geom_type is not None and geom_type.startswith("Multi"),
                    append=tmp.exists(),
                )
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
                raise OutputError(f"{path}: cannot write: {_gdal_reason(exc, path)}") from exc


def _gdal_reason(exc: Exception, path: Path) -> str:
    """GDAL's message for a file it could not write; SQLite's "disk is full" is lost on the way, so look."""
    import shutil

    try:
        full = shutil.disk_usage(path.parent).free < (1 << 20)
    except OSError:
        full = False
    return "No space left on device" if full else " ".join(str(exc).split())


def to_csv(gdf: gpd.GeoDataFrame, path: str | Path, *, layer_name: str = "", overwrite: bool = False) -> Path:
    """Write a layer as CSV: its columns, then ``lat``/``lon`` for points or ``wkt`` for other shapes.

    UTF-8 with a byte-order mark (Excel then reads Vietnamese names rightly),
    ``\\n`` line ends, rows in the layer's order; empty cells for
    missing values; text that a spreadsheet would take for a formula gets a
    leading apostrophe, and a carriage return in a cell is quoted
    (:mod:`geomap._csv`).  A file at ``path`` that geomap did not write is
    replaced only if ``overwrite``.
    """
    path = Path(path)
    return _csv(gdf, OutputDir(path.parent, overwrite=overwrite), path.name, layer_name=layer_name)


def _csv(gdf: gpd.GeoDataFrame, out: OutputDir, file_name: str, *, layer_name: str) -> Path:
    path = out.path / file_name
    gdf = _wgs84(gdf)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    points = all(g is None or g.is_empty or g.geom_type == "Point" for g in gdf.geometry)
    extra = ["lat", "lon"] if points else ["wkt"]
    with out.open(file_name) as fh:
        fh.write("\ufeff")
        writer = csv_writer(fh)
        writer.writerow([*columns, *extra])
        for props, geom in zip(_rows(gdf, columns, path, layer_name), gdf.geometry, strict=True):
            cells = [neutralise(_cell(props[c])) for c in columns]
            if points:
                has = geom is not None and not geom.is_empty
                cells += [_num(round(geom.y, DECIMALS)), _num(round(geom.x, DECIMALS))] if has else ["", ""]
            else:
                cells.append(_wkt(geom))
            writer.writerow(cells)
    return path


# -- helpers -----------------------------------------------------------------

# Keys in their natural order: a feature's type, id, properties (the layer's columns, ids first), geometry.
_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":"), "allow_nan": False}


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326 (a frame without CRS is taken to be in it already)."""
    if gdf.crs is None:
        return gdf.set_crs("EPSG:4326")
    if gdf.crs.to_epsg() != 4326:
        return gdf.to_crs("EPSG:4326")
    return gdf


def _ids(gdf: gpd.GeoDataFrame, layer_name: str, columns: list[str]) -> list[str]:
    """The feature id of each row, as a string."""
    key = ID_COLUMNS.get(layer_name, columns[0] if columns else None)
    if key is None:
        return [str(i) for i in range(len(gdf))]
    if isinstance(key, tuple):
        return [":".join(_cell(_plain(v)) for v in vals) for vals in zip(*(gdf[k] for k in key), strict=True)]
    return [_cell(_plain(v)) for v in gdf[key]]


def _rows(gdf: gpd.GeoDataFrame, columns: list[str], path: Path, layer: str) -> Iterator[dict[str, Any]]:
    """Each row's properties as JSON-ready values; a value JSON cannot carry raises InputError."""
    lists = [gdf[c].tolist() for c in columns]  # plain Python values: far faster than Series iteration
    for n, values in enumerate(zip(*lists, strict=True), start=1):
        props = {}
        for col, value in zip(columns, values, strict=True):
            try:
                props[col] = _plain(value)
            except TypeError:
                msg = f"{path}: layer {layer}: row {n}: column {col}: cannot write a {type(value).__name__}: {value!r}"
                raise InputError(msg) from None
        yield props


def _plain(value: Any) -> Any:
    """A JSON value for a cell: ``None`` for missing, ISO strings for dates, plain numbers."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        return None if value != value or value in (math.inf, -math.inf) else value
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        # A day (the layers' dates are datetime64 at midnight) is written as the day, as before.
        if value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise TypeError(type(value).__name__)


def _geometry(geom: Any) -> dict[str, Any] | None:
    """RFC 7946 geometry: lon/lat, rounded, outer rings counter-clockwise; ``None`` for none."""
    from shapely.geometry import mapping

    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return {"type": "Point", "coordinates": [_coord(geom.x), _coord(geom.y)]}
    gj = mapping(_oriented(geom))
    return {"type": gj["type"], "coordinates": _round(gj["coordinates"])}


def _oriented(geom: Any) -> Any:
    """Outer rings counter-clockwise, holes clockwise (right-hand rule, RFC 7946 §3.1.6)."""
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    if isinstance(geom, GeometryCollection):
        return GeometryCollection([_oriented(g) for g in geom.geoms])
    return geom


def _round(coords: Any) -> Any:
    if isinstance(coords, tuple | list):
        if coords and isinstance(coords[0], float | int):
            return [_coord(v) for v in coords[:2]]
        return [_round(c) for c in coords]
    return coords


def _coord(value: float) -> float:
    value = round(float(value), DECIMALS)
    return 0.0 if value == 0 else value  # no "-0.0"


def _gpkg_frame(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> gpd.GeoDataFrame:
    """A copy GDAL can store: nullable ints kept, objects as text, null geometry allowed."""
    import pandas as pd

    frame = gdf.copy()
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        if frame[col].dtype == object:
            values = []
            for n, value in enumerate(frame[col], start=1):
                try:
                    plain = _plain(value)
                except TypeError:
                    kind = type(value).__name__
                    msg = f"{path}: layer {layer}: row {n}: column {col}: cannot write a {kind}: {value!r}"
                    raise InputError(msg) from None
                values.append(plain if plain is None or isinstance(plain, str) else json.dumps(plain, **_JSON))
            frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _cell(value: Any) -> str:
    """CSV text of a plain value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _num(value: float) -> str:
    """Shortest text of a number: ``12`` for 12.0, ``0.5`` for 0.5."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _wkt(geom: Any) -> str:
    import shapely

    if geom is None or geom.is_empty:
        return ""
    return shapely.to_wkt(_oriented(geom), rounding_precision=DECIMALS, trim=True)
