"""Which incidents a map folds into another: the other reports of an event told by several reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomap.extract import read_tables


def folded(tables: Path) -> dict[str, str]:
    """``{incident id: its event's lead}`` for every report but the lead of an event told by several reports.

    The lead is the incident the map draws the event as: the most precisely placed, then the first id.
    """
    events = read_tables(tables).events
    out: dict[str, str] = {}
    for _, rows in events[pd.to_numeric(events["reports"]).fillna(0) >= 2].groupby("event_id"):
        if rows["article_id"].nunique() < 2:
            continue
        ranks = sorted((int(p) if pd.notna(p) and int(p) else 9, str(i)) for p, i in zip(rows["location_precision"], rows["incident_id"]))
        out.update({i: ranks[0][1] for _, i in ranks[1:]})
    return out


def newest_drawn(incidents: pd.DataFrame, fold: dict[str, str], n: int, date: str = "date_start") -> set[str]:
    """The incidents a map bounded to ``n`` draws: the ``n`` newest leads or single reports, and their events' other reports."""
    own = incidents[~incidents["incident_id"].isin(fold)]
    newest = set(own.assign(_d=own[date].fillna("")).sort_values(["_d", "incident_id"]).tail(n)["incident_id"])
    return newest | {i for i, lead in fold.items() if lead in newest}
