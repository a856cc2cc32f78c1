"""Where the bundled data lives: inside an installed wheel, or in the checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_path", "sample_path"]

_PACKAGE = Path(__file__).resolve().parent


def data_path(*parts: str) -> Path:
    """Path of bundled data such as ``data_path("gazetteer", "places.csv")``.

    A wheel carries the repository's ``gazetteer/`` and ``samples/`` folders as
    ``geomap/_data/...``; a checkout (editable install) has them beside the
    package.  The wheel's copy wins when both exist.
    """
    packaged = _PACKAGE.joinpath("_data", *parts)
    if packaged.exists():
        return packaged
    return _PACKAGE.parent.joinpath(*parts)


def sample_path() -> Path:
    """The folder of bundled sample reports that ``make map`` runs on."""
    return data_path("samples", "reports")
