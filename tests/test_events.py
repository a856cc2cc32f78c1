"""Events across reports: one event told by several outlets shares an event_id; near misses stay apart."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from _extract import small_gazetteer

from geomap.extract import extract, read_tables, write_extraction, write_tables
from geomap.records import Article, DateSpan
from geomap.corrections import load_corrections


def _report(aid: str, text: str, day: dt.date, outlet: str) -> Article:
    return Article(id=aid, text=text, title="", date=DateSpan(day, day, "day", day.isoformat()), source=outlet)


# one event (our own words): guards at Huu Nghi stop a group on May 4; three outlets, one count differs
A = _report("a", "On May 4, border guards at Huu Nghi stopped 23 people crossing illegally from China.", dt.date(2024, 5, 5), "Wire A")
B = _report(
    "b", "Guards in Lang Son caught 25 people who had crossed illegally on Saturday, May 4.", dt.date(2024, 5, 6), "Paper B"
)
C = _report("c", "Twenty-three people were stopped crossing illegally at Huu Nghi on May 4.", dt.date(2024, 5, 4), "Radio C")


@pytest.fixture(scope="module")
def gazetteer():
    return small_gazetteer()


def _events(articles, gazetteer, **kwargs) -> pd.DataFrame:
    return extract(articles, gazetteer=gazetteer, **kwargs).events


def test_three_reports_of_one_event_share_an_event_and_keep_every_source(gazetteer) -> None:
    events = _events([A, B, C], gazetteer)
    assert list(events["article_id"]) == ["a", "b", "c"]
    assert events["event_id"].nunique() == 1
    assert list(events["outlet"]) == ["Wire A", "Paper B", "Radio C"]
    assert list(events["published"]) == ["2024-05-05", "2024-05-06", "2024-05-04"]
    assert all(events["reports"] == 3)
    assert all(events["counts_disagree"])  # 23 and 25 people: both kept, flagged
    assert list(events["counts"]) == ["23 people", "25 people", "23 people"]
    reasons = dict(zip(events["article_id"], events["match_reason"], strict=True))
    assert reasons["a"] == "first report"  # the earliest start (then article id) is the one matched against
    assert "place vn.border_gate.huu-nghi within vn.province.lang-son" in reasons["b"]
    assert "counts differ (23 vs 25 people)" in reasons["b"]
    assert "counts agree (23 people)" in reasons["c"]
    assert set(events["event_id"]) == {"ev-a#1"}
    # the same input gives the same table; another order, the same grouping
    pd.testing.assert_frame_equal(_events([A, B, C], gazetteer), events)
    assert _events([C, B, A], gazetteer)["event_id"].nunique() == 1


def test_near_misses_stay_apart(gazetteer) -> None:
    other_day = _report("d", "On May 9, border guards at Huu Nghi stopped 23 people crossing illegally.", dt.date(2024, 5, 9), "Wire D")
    other_place = _report("e", "On May 4, guards in Lao Cai stopped 23 people crossing illegally.", dt.date(2024, 5, 5), "Wire E")
    other_count = _report("f", "On May 4, border guards at Huu Nghi stopped 90 people crossing illegally.", dt.date(2024, 5, 5), "Wire F")
    other_type = _report("g", "On May 4, border guards at Huu Nghi seized 23 kg of heroin.", dt.date(2024, 5, 5), "Wire G")
    events = _events([A, other_day, other_place, other_count, other_type], gazetteer)
    assert events["event_id"].nunique() == 5
    assert set(events["match_reason"]) == {"one report"}


def test_two_incidents_of_one_report_are_never_one_event(gazetteer) -> None:
    text = (
        "On May 4, border guards at Huu Nghi stopped 23 people crossing illegally.\n\n"
        "On May 4, border guards in Lang Son stopped 25 people crossing illegally."
    )
    events = _events([_report("h", text, dt.date(2024, 5, 5), "Wire H")], gazetteer)
    assert events["event_id"].nunique() == 2


def test_an_analyst_splits_and_joins_events(gazetteer, tmp_path) -> None:
    far = _report("d", "On May 9, border guards at Huu Nghi stopped 23 people crossing illegally.", dt.date(2024, 5, 9), "Wire D")
    first = extract([A, B, C, far], gazetteer=gazetteer)
    ids = dict(zip(first.incidents["article_id"], first.incidents["incident_id"], strict=True))
    path = tmp_path / "corrections.yaml"
    path.write_text(
        f"- action: split_event\n  id: '{ids['b']}'\n- action: join_events\n  ids: ['{ids['a']}', '{ids['d']}']\n",
        encoding="utf-8",
    )
    fixed = extract([A, B, C, far], gazetteer=gazetteer, corrections=path).events
    event_of = dict(zip(fixed["article_id"], fixed["event_id"], strict=True))
    reason_of = dict(zip(fixed["article_id"], fixed["match_reason"], strict=True))
    assert event_of["a"] == event_of["c"] == event_of["d"] != event_of["b"]
    assert reason_of["b"] == f"split by analyst ({path}:1)"
    assert reason_of["d"] == f"joined by analyst ({path}:3)"


def test_bad_event_corrections_are_reported_with_their_line(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- action: join_events\n  ids: only-one\n- action: split_event\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_corrections(path)
    problems = caught.value.problems
    assert any(p.startswith(f"{path}:2:") and "two incident ids" in p for p in problems)
    assert any(p.startswith(f"{path}:3:") and "'id' is required" in p for p in problems)


def test_events_are_written_read_back_and_streamed_alike(gazetteer, tmp_path) -> None:
    tables = extract([A, B, C], gazetteer=gazetteer)
    write_tables(tables, tmp_path / "whole")
    write_extraction([A, B, C], tmp_path / "streamed", gazetteer=gazetteer)
    whole = (tmp_path / "whole" / "events.csv").read_bytes()
    assert whole == (tmp_path / "streamed" / "events.csv").read_bytes()
    back = read_tables(tmp_path / "whole").events
    pd.testing.assert_frame_equal(back, tables.events)


def test_small_counts_that_differ_by_a_third_are_two_events(gazetteer) -> None:
    # the same month at the same gate, but 3 and 2 suspects (and 9 and 20 people): two arrests, not one
    late = _report("p", "In late May, police at Huu Nghi arrested 3 people smugglers organising illegal crossings.",
                   dt.date(2024, 6, 2), "Wire P")  # fmt: skip
    early = _report("q", "On May 10, police at Huu Nghi arrested 2 people smugglers organising illegal crossings.",
                    dt.date(2024, 5, 12), "Wire Q")  # fmt: skip
    events = _events([late, early], gazetteer)
    assert len(events) == 2 and events["event_id"].nunique() == 2


# -- events across Vietnam's 2025 reform ------------------------------------------------------

_END = dt.date(2025, 7, 1)


# (id, kind, parent, successor): units that ended on 2025-07-01, and units that began then (no successor)
_OLD = [
    ("vn.province.ha-giang-pre2025", "province", "vn.country.vietnam", "vn.province.tuyen-quang"),
    ("vn.district.dong-van", "district", "vn.province.ha-giang-pre2025", "vn.province.tuyen-quang"),
    ("vn.district.meo-vac", "district", "vn.province.ha-giang-pre2025", "vn.province.tuyen-quang"),
    ("vn.commune.lung-cu-old", "commune", "vn.district.dong-van", "vn.commune.lung-cu"),
    ("vn.commune.lung-tao-old", "commune", "vn.district.dong-van", "vn.commune.lung-cu"),
    ("vn.commune.pho-bang-old", "commune", "vn.district.dong-van", "vn.commune.pho-bang"),
    ("vn.commune.meo-vac-old", "commune", "vn.district.meo-vac", "vn.commune.meo-vac"),
]
_NEW = [
    ("vn.province.tuyen-quang", "province", "vn.country.vietnam"),
    ("vn.commune.lung-cu", "commune", "vn.province.tuyen-quang"),
    ("vn.commune.pho-bang", "commune", "vn.province.tuyen-quang"),
    ("vn.commune.meo-vac", "commune", "vn.province.tuyen-quang"),
]


def _reform_gazetteer():
    """A tiny gazetteer shaped like the real one around Lung Cu: an old province, districts and communes
    (``valid_to`` 2025-07-01) and the new province and communes that succeeded them."""
    from geomap.gazetteer import Gazetteer
    from geomap.records import Place

    def place(pid, kind, parent, **dates):
        return Place(id=pid, name=pid.split(".")[-1], kind=kind, country="VN", lat=23.0, lon=105.0,
                     source="ref:test fixture", parent_id=parent, **dates)  # fmt: skip

    return Gazetteer(
        [place("vn.country.vietnam", "country", None)]
        + [place(pid, kind, parent, valid_to=_END, successor_id=successor) for pid, kind, parent, successor in _OLD]
        + [place(pid, kind, parent, valid_from=_END) for pid, kind, parent in _NEW]
    )


def _key(order: int, article: str, place: str, precision: int, published: str, counts: str = "14 people"):
    from geomap.events import EventKey

    return EventKey(order, f"{article}#1", article, "illegal_crossing", place, precision, "2025-06-20", "2025-06-20",
                    "day", True, counts, "A sentence.", f"Outlet {article}", published)  # fmt: skip


def _grouping(keys, gazetteer) -> dict[str, str]:
    from geomap.events import match_events

    rows = match_events(keys, gazetteer=gazetteer)
    return {row[2]: row[0] for row in rows}, {row[2]: row[14] for row in rows}


@pytest.mark.parametrize(
    ("old", "new", "precision"),
    [
        ("vn.commune.lung-cu-old", "vn.commune.lung-cu", 1),  # a commune and the commune that succeeded it
        ("vn.commune.lung-tao-old", "vn.commune.lung-cu", 1),  # a commune merged into a new one: nested
        ("vn.district.dong-van", "vn.commune.lung-cu", 3),  # an abolished district and a commune made of its communes
        ("vn.province.ha-giang-pre2025", "vn.commune.lung-cu", 4),  # a merged province and a commune of its successor
    ],
)
def test_a_report_before_the_reform_and_one_after_at_its_successor_are_one_event(old, new, precision) -> None:
    gazetteer = _reform_gazetteer()
    before = _key(0, "before", old, precision, "2025-06-21")
    after = _key(1, "after", new, 1, "2025-08-10")
    events, reasons = _grouping([before, after], gazetteer)
    assert events["before"] == events["after"]
    (matched,) = [r for r in reasons.values() if r != "first report"]
    assert f"place {old} (until 2025-07-01) and {new}, the same or nested through its successors" in matched


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("vn.commune.pho-bang-old", "vn.commune.lung-cu"),  # another commune of the same old district, not a successor
        ("vn.commune.meo-vac-old", "vn.commune.lung-cu"),  # a commune of another district
        ("vn.district.meo-vac", "vn.commune.lung-cu"),  # a district none of whose communes became Lung Cu
        ("vn.commune.lung-cu-old", "vn.commune.pho-bang"),  # the old commune and a new one that did not succeed it
    ],
)
def test_a_unit_that_did_not_succeed_the_old_one_is_another_place(old, new) -> None:
    gazetteer = _reform_gazetteer()
    events, _ = _grouping([_key(0, "before", old, 1, "2025-06-21"), _key(1, "after", new, 1, "2025-08-10")], gazetteer)
    assert events["before"] != events["after"]


def test_two_old_communes_merged_later_were_two_places_then() -> None:
    # Lung Cu and Lung Tao became one commune in 2025; two 2024 reports at each are two places
    gazetteer = _reform_gazetteer()
    keys = [_key(0, "x", "vn.commune.lung-cu-old", 1, "2025-06-21"), _key(1, "y", "vn.commune.lung-tao-old", 1, "2025-06-22")]
    events, _ = _grouping(keys, gazetteer)
    assert events["x"] != events["y"]


def test_the_real_gazetteer_joins_lung_cu_across_the_reform_and_not_pho_bang() -> None:
    from geomap.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    before = _key(0, "before", "vn.commune.lung-cu-dong-van-ha-giang", 1, "2025-06-21")
    after = _key(1, "after", "vn.commune.lung-cu-tuyen-quang", 1, "2025-08-10")
    elsewhere = _key(2, "elsewhere", "vn.commune.pho-bang-tuyen-quang", 1, "2025-08-11")
    events, _ = _grouping([before, after, elsewhere], gazetteer)
    assert events["before"] == events["after"] != events["elsewhere"]


def test_the_map_payload_folds_an_event_of_several_reports(gazetteer) -> None:
    # what the page draws as one marker: the event's rows, the one that stands for it, whether counts disagree
    from geomap._mappayload import payload
    from geomap.layers import build_layers

    heroin = _report("d", "On May 2 police in Lao Cai seized 4 kg of heroin.", dt.date(2024, 5, 3), "Wire A")
    data, _ = payload(build_layers(extract([A, B, C, heroin], gazetteer=gazetteer), gazetteer=gazetteer))
    ids = [data["s"][k] for k in data["inc"]["id"]]
    (rows,) = data["events"]["m"]
    assert sorted(ids[r] for r in rows) == ["a#1", "b#1", "c#1"]  # the heroin seizure stays a marker of its own
    (lead,) = data["events"]["lead"]
    assert ids[lead] == "a#1"  # at the gate (precision 1), not at the province B names; then the first id
    assert data["events"]["dis"] == [1]  # 23 and 25 people
