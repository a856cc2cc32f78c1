"""The ``events`` layer: one point an event told by one or more reports, every report listed.

Built by :func:`geomap.layers.build_layers` from the ``events`` table
(:mod:`geomap.events`) and the ``incidents`` layer: an event is drawn where
its most precisely placed report puts it (the lowest ``location_precision``,
then the first incident id).  ``sources`` is a JSON list, one object a report
(incident, article, outlet, publication date, title, link, counts, dates,
sentence), for popups and for anyone reading the exports; ``counts`` the
counts each outlet gives (``Outlet: 14 people | Wire: 15 people``);
``counts_disagree`` is true when they differ.  An incident that the events
table does not list is an event of its own.
"""

from __future__ import annotations

import datetime as dt

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["EVENT_LAYER_COLUMNS", "event_layer"]

EVENT_LAYER_COLUMNS = (
    "event_id", "type", "reports", "incident_ids", "date_start", "date_end", "place_id", "place_name",
    "location_precision", "counts_disagree", "counts", "sources",
)  # fmt: skip


def _text(value: Any) -> str:
    if value is None or value != value:  # NaN, NA
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, dt.date):  # the incidents' days are datetime64: their ISO day
        return value.isoformat()[:10]
    return str(value)


def event_layer(events: pd.DataFrame | None, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One point an event (see the module docstring), sorted by ``event_id``."""
    import geopandas as gpd
    import pandas as pd

    event_of: dict[str, str] = {}
    disagree: dict[str, bool] = {}
    if events is not None and len(events):
        for eid, iid, flag in zip(events["event_id"], events["incident_id"], events["counts_disagree"], strict=True):
            event_of[_text(iid)] = _text(eid)
            disagree[_text(eid)] = disagree.get(_text(eid), False) or bool(flag is True or _text(flag) == "True")
    members: dict[str, list[tuple[dict, Any]]] = {}
    for row, geom in zip(incidents.drop(columns="geometry").to_dict("records"), incidents.geometry, strict=True):
        iid = _text(row.get("incident_id"))
        members.setdefault(event_of.get(iid) or f"ev-{iid}", []).append((row, geom))
    records, geoms = [], []
    for eid in sorted(members):
        told = sorted(members[eid], key=lambda rg: _text(rg[0].get("incident_id")))
        best_row, best_geom = min(
            told, key=lambda rg: (rg[1] is None, rg[0].get("location_precision") or 9, _text(rg[0].get("incident_id")))
        )
        starts = [_text(r.get("date_start")) for r, _ in told if _text(r.get("date_start"))]
        ends = [_text(r.get("date_end")) for r, _ in told if _text(r.get("date_end"))]
        sources = [
            {
                "incident_id": _text(r.get("incident_id")),
                "article_id": _text(r.get("article_id")),
                "outlet": _text(r.get("article_source")),
                "published": _text(r.get("article_date")),
                "title": _text(r.get("article_title")),
                "url": _text(r.get("article_url")),
                "counts": _text(r.get("counts")),
                "date_start": _text(r.get("date_start")),
                "date_end": _text(r.get("date_end")),
                "place_name": _text(r.get("place_name")),
                "sentence": _text(r.get("sentence")),
            }
            for r, _ in told
        ]
        precision = best_row.get("location_precision")
        records.append(
            {
                "event_id": eid,
                "type": _text(best_row.get("type")),
                "reports": len({s["article_id"] for s in sources}),
                "incident_ids": ";".join(s["incident_id"] for s in sources),
                "date_start": min(starts) if starts else None,
                "date_end": max(ends) if ends else None,
                "place_id": _text(best_row.get("place_id")),
                "place_name": _text(best_row.get("place_name")),
                "location_precision": None if precision is None or precision != precision else int(precision),
                "counts_disagree": disagree.get(eid, False),
                "counts": " | ".join(f"{s['outlet'] or s['article_id']}: {s['counts'] or 'no figure'}" for s in sources),
                "sources": json.dumps(sources, ensure_ascii=False, sort_keys=True),
            }
        )
        geoms.append(best_geom)
    df = pd.DataFrame.from_records(records, columns=list(EVENT_LAYER_COLUMNS)) if records else pd.DataFrame(
        columns=list(EVENT_LAYER_COLUMNS)
    )
    df["reports"] = pd.array(df["reports"].tolist(), dtype="Int64")
    df["location_precision"] = pd.array(df["location_precision"].tolist(), dtype="Int64")
    df["counts_disagree"] = df["counts_disagree"].astype(bool)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")
