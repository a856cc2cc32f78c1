"""geomap: news reports of cross-border activity, turned into maps analysts can trust.

The flow, one module a step: ``text`` (articles, dates, counts) -> ``places``
(mentions, resolved by ``geocoder`` against the ``gazetteer``) -> ``incidents``
and ``routes`` -> ``layers`` (GeoDataFrames) -> ``map`` and ``exports``.

>>> from geomap import build_layers, extract, render, sample_path
>>> layers = build_layers(extract(sample_path()))  # doctest: +SKIP
>>> render(layers)  # doctest: +SKIP

The names below are imported lazily, so ``import geomap`` stays quick for the
command line and heavy libraries load only when used.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("geomap")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

_EXPORTS = {
    "Article": "geomap.records",
    "Extraction": "geomap.extract",
    "Gazetteer": "geomap.gazetteer",
    "GazetteerError": "geomap._errors",
    "GazetteerGeocoder": "geomap.geocoder",
    "GeomapError": "geomap._errors",
    "InputError": "geomap._errors",
    "Layers": "geomap.layers",
    "Resolver": "geomap.geocoder",
    "build_layers": "geomap.layers",
    "check_gazetteer": "geomap.gazetteer",
    "export": "geomap.exports",
    "extract": "geomap.extract",
    "extract_tables": "geomap.jobs",
    "load_gazetteer": "geomap.gazetteer",
    "make_map": "geomap.jobs",
    "read_articles": "geomap.text.articles",
    "read_tables": "geomap.extract",
    "render": "geomap.map",
    "sample_path": "geomap._resources",
    "save_map": "geomap.map",
    "write_tables": "geomap.extract",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from geomap._errors import GazetteerError, GeomapError, InputError
    from geomap._resources import sample_path
    from geomap.text.articles import read_articles
    from geomap.exports import export
    from geomap.extract import Extraction, extract, read_tables, write_tables
    from geomap.gazetteer import Gazetteer, check_gazetteer, load_gazetteer
    from geomap.geocoder import GazetteerGeocoder, Resolver
    from geomap.jobs import extract_tables, make_map
    from geomap.layers import Layers, build_layers
    from geomap.map import render, save_map
    from geomap.records import Article


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geomap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
