"""Extraction quality on the sample corpus, scored against the hand-labelled key.

Three parts:

1. the scorer (``tests/_scoring.py``) checked on tiny hand-made tables, so
   its figures can be trusted (perfect, empty, half-right cases);
2. the corpus and the key checked against each other and the gazetteer
   (every labelled name is in its article as read, every place id exists);
3. ``geomap.extract.extract`` run on ``samples/reports/`` and held to the
   thresholds stated in ``samples/README.md``. On failure the message lists,
   article by article, what was missed and what was wrongly found.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import _scoring as sc

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
REPORTS = SAMPLES / "reports"
KEY_PATH = SAMPLES / "answer_key.json"
# Every key: answer_key.json (English), answer_key_vi.json, answer_key_zh.json... each scored on its own.
KEY_PATHS = sorted(SAMPLES.glob("answer_key*.json"))

# Thresholds: keep in step with the table in samples/README.md.
MENTION_PRECISION = 0.90
MENTION_RECALL = 0.85
INCIDENT_PRECISION = 0.75
INCIDENT_RECALL = 0.70
COUNT_ACCURACY = 0.80
DUPLICATE_RATE = 0.02  # at most: predicted incidents that repeat a fact another one gives
RIGHT_PLACE = 0.90  # place accuracy on matched incidents
EVENT_PRECISION = 0.90  # pairwise, over matched incidents: told as one event across reports
EVENT_RECALL = 0.90
STOP_RECALL = 0.75
# Per key file where they differ from the above: (mention P, R, incident P, R, counts, stop recall).
THRESHOLDS = {
    "answer_key_vi.json": (0.90, 0.90, 0.80, 0.85, 0.80, 0.75),
    "answer_key_zh.json": (0.90, 0.90, 0.80, 0.85, 0.80, 0.75),
    # reports 19-24 measure places (communes, districts, townships, gates, trade points); four of their
    # seventeen facts (fireworks and cattle as smuggled goods, a Chinese awareness campaign, a count of
    # trucks) no rule finds yet
    "answer_key_places.json": (0.90, 0.90, 0.75, 0.55, 0.80, 0.75),
}


# -- 1. the scorer on tiny tables --------------------------------------------

TINY_KEY = {
    "a1": {
        "mentions": [
            {"text": "Lang Son province", "place_id": "vn.province.lang-son"},
            {"text": "Lạng Sơn", "place_id": "vn.province.lang-son"},
            {"text": "Pingxiang", "place_id": "cn.district.pingxiang"},
        ],
        "incidents": [
            {
                "type": "illegal_crossing",
                "place_id": "vn.province.lang-son",
                "location_precision": 4,
                "counts": [{"value": 146, "unit": "cases"}, {"value": 431, "unit": "people"}],
                "date_start": "2025-01-01",
                "date_end": "2025-11-05",
                "sentence_contains": "146 cases",
            },
            {
                "type": "drug_trafficking",
                "place_id": None,
                "location_precision": 5,
                "counts": [{"value": 774.6, "unit": "kg"}],
                "date_start": None,
                "date_end": None,
                "sentence_contains": "774.6 kilograms",
            },
        ],
        "routes": [
            {
                "sentence_contains": "from Cambodia",
                "stops": [
                    {"place_id": "kh.country.cambodia", "role": "origin"},
                    {"place_id": "kh.province.svay-rieng", "role": "staging"},
                    {"place_id": "vn.province.ho-chi-minh", "role": "transit"},
                    {"place_id": "cn.country.china", "role": "destination"},
                ],
            }
        ],
    },
    "a2": {"mentions": [{"text": "Móng Cái", "place_id": "vn.city.mong-cai"}], "incidents": [], "routes": []},
}


def _mentions(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["article_id", "text", "place_id"])


def _incidents(rows: list[dict[str, object]]) -> pd.DataFrame:
    cols = ["article_id", "type", "place_id", "location_precision", "counts", "value", "unit", "date_start", "date_end",
            "sentence", "source"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def _routes(rows: list[tuple[str, str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["route_id", "article_id", "stop", "place_id", "role"])


PERFECT_INCIDENTS = [
    {
        "article_id": "a1",
        "type": "illegal_crossing",
        "place_id": "vn.province.lang-son",
        "location_precision": 4,
        "counts": "146 cases;431 people",
        "date_start": "2025-01-01",
        "date_end": "2025-11-05",
        "sentence": "Police found 146 cases involving 431 people.",
        "source": "extracted",
    },
    {
        "article_id": "a1",
        "type": "drug_trafficking",
        "place_id": "",
        "location_precision": 5,
        "counts": "774.6 kilograms",
        "date_start": None,
        "date_end": None,
        "sentence": "Officers seized 774.6 kilograms of drugs.",
        "source": "extracted",
    },
]
PERFECT_ROUTE = [
    ("r1", "a1", 0, "kh.country.cambodia", "origin"),
    ("r1", "a1", 1, "kh.province.svay-rieng", "staging"),
    ("r1", "a1", 2, "vn.province.ho-chi-minh", "transit"),
    ("r1", "a1", 3, "cn.country.china", "destination"),
]


def test_scorer_perfect_answer_scores_one() -> None:
    mentions = _mentions(
        [
            ("a1", "Lang Son", "vn.province.lang-son"),  # same name key as both labelled spellings
            ("a1", "Pingxiang", "cn.district.pingxiang"),
            ("a2", "Mong Cai", "vn.city.mong-cai"),
            ("zz", "Hanoi", "vn.province.ha-noi"),  # article outside the key: ignored
        ]
    )
    result = sc.score(
        type("E", (), {"mentions": mentions, "incidents": _incidents(PERFECT_INCIDENTS), "routes": _routes(PERFECT_ROUTE)}),
        TINY_KEY,
    )
    assert result.mentions.prf == sc.PRF(3, 0, 0)
    assert (result.mentions.prf.precision, result.mentions.prf.recall, result.mentions.prf.f1) == (1.0, 1.0, 1.0)
    assert result.incidents.type == sc.PRF(2, 0, 0)
    assert result.incidents.counts == sc.PRF(3, 0, 0)
    assert result.incidents.count_accuracy == 1.0
    assert result.incidents.place_accuracy == 1.0 and result.incidents.place_total == 1  # None place is not scored
    assert result.incidents.date_accuracy == 1.0 and result.incidents.date_total == 1
    assert result.incidents.location_precision_accuracy == 1.0
    assert (result.routes.routes_found, result.routes.stop_recall, result.routes.role_accuracy) == (1, 1.0, 1.0)
    assert result.breakdown() == ""


def test_scorer_empty_answer_scores_zero() -> None:
    result = sc.score(object(), TINY_KEY)
    assert result.mentions.prf == sc.PRF(0, 0, 3)  # the two Lang Son spellings are one item
    assert result.mentions.prf.precision == 0.0 and result.mentions.prf.recall == 0.0 and result.mentions.prf.f1 == 0.0
    assert result.incidents.type.precision == 0.0 and result.incidents.type.recall == 0.0
    assert result.routes.routes_found == 0 and result.routes.stop_recall == 0.0
    text = result.breakdown()
    assert "[a1]" in text and "missed mention: 'Pingxiang' -> cn.district.pingxiang" in text
    assert "missed incident: illegal_crossing at vn.province.lang-son" in text
    assert "kept 0/4" in text


def test_scorer_empty_key_and_empty_answer_is_perfect() -> None:
    key = {"a": {"mentions": [], "incidents": [], "routes": []}}
    result = sc.score(object(), key)
    assert result.mentions.prf.precision == 1.0 and result.mentions.prf.recall == 1.0
    assert result.incidents.type.f1 == 1.0 and result.routes.stop_recall == 1.0


def test_scorer_mentions_wrong_place_is_both_a_miss_and_a_false_positive() -> None:
    mentions = _mentions(
        [
            ("a1", "Lang Son", "vn.city.lang-son"),  # right words, wrong place
            ("a1", "Pingxiang", "cn.district.pingxiang"),
            ("a1", "Guangxi", None),  # unresolved: not a claim, not counted against precision
            ("a2", "Mong Cai", "vn.city.mong-cai"),
        ]
    )
    prf = sc.score_mentions(mentions, TINY_KEY).prf
    assert prf == sc.PRF(2, 1, 1)
    assert prf.precision == pytest.approx(2 / 3) and prf.recall == pytest.approx(2 / 3)
    assert prf.f1 == pytest.approx(2 / 3)


def test_scorer_mentions_partial_name_counts_within_longer_label() -> None:
    key = {"a": {"mentions": [{"text": "Guangxi Zhuang Autonomous Region", "place_id": "cn.province.guangxi"}],
                 "incidents": [], "routes": []}}
    found = sc.score_mentions(_mentions([("a", "Guangxi", "cn.province.guangxi")]), key).prf
    assert found == sc.PRF(1, 0, 0)
    # a different name for the same place is not the same mention
    other = sc.score_mentions(_mentions([("a", "Quảng Tây", "cn.province.guangxi")]), key).prf
    assert other == sc.PRF(0, 1, 1)


def test_scorer_incidents_wrong_type_duplicate_and_wrong_count() -> None:
    rows = [
        dict(PERFECT_INCIDENTS[0], counts="146 cases;430 people", place_id="vn.city.lang-son", date_end="2025-11-04"),
        dict(PERFECT_INCIDENTS[0], sentence="Another sentence."),  # a duplicate: a false positive
        dict(PERFECT_INCIDENTS[1], type="goods_smuggling"),  # wrong type: a miss and a false positive
        dict(PERFECT_INCIDENTS[1], source="table"),  # analyst row: not scored
    ]
    result = sc.score_incidents(_incidents(rows), TINY_KEY)
    assert result.type == sc.PRF(1, 2, 1)
    assert result.type.precision == pytest.approx(1 / 3) and result.type.recall == pytest.approx(1 / 2)
    # the pair chosen is the one whose sentence holds the labelled phrase, not the better-counted duplicate
    assert result.counts == sc.PRF(1, 1, 1)
    assert result.count_accuracy == 0.0
    assert result.place_accuracy == 0.0 and result.date_accuracy == 0.0
    text = "\n".join(result.wrong["a1"])
    assert "vn.city.lang-son not vn.province.lang-son" in text and "2025-11-04" in text


def test_scorer_counts_a_restated_fact_as_a_duplicate() -> None:
    rows = [
        PERFECT_INCIDENTS[0],
        dict(PERFECT_INCIDENTS[0], incident_id="a1#9", counts="431 people", sentence="Again: 431 people."),
        PERFECT_INCIDENTS[1],
        dict(PERFECT_INCIDENTS[1], incident_id="a1#8", counts="12 kg", sentence="Another seizure."),  # another fact
    ]
    result = sc.score_incidents(_incidents(rows), TINY_KEY)
    assert (result.duplicates, result.predicted) == (1, 4)
    assert result.duplicate_rate == pytest.approx(0.25)
    assert result.type == sc.PRF(2, 2, 0)


def test_scorer_events_pairwise() -> None:
    key = {
        "x": {"mentions": [], "routes": [], "incidents": [
            {"type": "repatriation", "place_id": None, "location_precision": None, "counts": [{"value": 58, "unit": "people"}],
             "date_start": None, "date_end": None, "sentence_contains": "58", "event": "e1"}]},
        "y": {"mentions": [], "routes": [], "incidents": [
            {"type": "repatriation", "place_id": None, "location_precision": None, "counts": [{"value": 60, "unit": "people"}],
             "date_start": None, "date_end": None, "sentence_contains": "60", "event": "e1"}]},
        "z": {"mentions": [], "routes": [], "incidents": [
            {"type": "repatriation", "place_id": None, "location_precision": None, "counts": [{"value": 58, "unit": "people"}],
             "date_start": None, "date_end": None, "sentence_contains": "58"}]},
    }  # fmt: skip
    incidents = pd.DataFrame(
        [
            {"incident_id": f"{a}#1", "article_id": a, "type": "repatriation", "counts": f"{n} people", "sentence": f"{n} back."}
            for a, n in (("x", 58), ("y", 60), ("z", 58))
        ]
    )
    # x and z joined (wrong), y apart (missed)
    events = pd.DataFrame({"event_id": ["e-x", "e-y", "e-x"], "incident_id": ["x#1", "y#1", "z#1"]})
    assert sc.score_events(incidents, events, key).pairs == sc.PRF(0, 1, 1)
    events = pd.DataFrame({"event_id": ["e-x", "e-x", "e-z"], "incident_id": ["x#1", "y#1", "z#1"]})
    assert sc.score_events(incidents, events, key).pairs == sc.PRF(1, 0, 0)
    assert sc.score_events(incidents, None, key).pairs == sc.PRF(0, 0, 1)  # no events table: nothing joined


def test_scorer_units_are_normalised() -> None:
    assert sc.normalise_unit("Kilograms") == "kg"
    assert sc.normalise_unit("dong") == sc.normalise_unit("VND") == "VND"
    assert sc.normalise_unit("citizens") == sc.normalise_unit("people") == "people"
    assert sc.normalise_unit("defendants") == "defendant" != sc.normalise_unit("people")
    assert sc.normalise_unit("vehicles") == sc.normalise_unit("vehicle")
    assert sc.parse_counts("1,710,000,000 yuan; 238300000 USD;bad") == [(1.71e9, "yuan"), (238300000.0, "USD")]
    assert sc.parse_counts(float("nan")) == []
    assert sc.parse_counts("over 64000 people;10-20 kg;1.71e9 yuan") == [(64000.0, "people"), (10.0, "kg"), (1.71e9, "yuan")]


def test_scorer_falls_back_on_the_headline_count() -> None:
    row = dict(PERFECT_INCIDENTS[1], counts=None, value=774.6, unit="kg", location_precision="5.0")
    result = sc.score_incidents(_incidents([PERFECT_INCIDENTS[0], row]), TINY_KEY)
    assert result.counts == sc.PRF(3, 0, 0) and result.location_precision_accuracy == 1.0


def test_scorer_routes_order_and_partial() -> None:
    # stops out of order: only the longest in-order run counts
    shuffled = [
        ("r1", "a1", 0, "kh.province.svay-rieng", "staging"),
        ("r1", "a1", 1, "kh.country.cambodia", "origin"),
        ("r1", "a1", 2, "vn.province.ho-chi-minh", "transit"),
        ("r1", "a1", 3, "cn.country.china", "crossing"),
    ]
    result = sc.score_routes(_routes(shuffled), TINY_KEY)
    assert (result.routes_found, result.stops_kept, result.stops_total) == (1, 3, 4)
    assert result.stop_recall == 0.75
    assert result.role_accuracy == pytest.approx(2 / 3)
    # one stop in common is not the route
    single = sc.score_routes(_routes([("r9", "a1", 0, "cn.country.china", "destination")]), TINY_KEY)
    assert single.routes_found == 0 and single.stop_recall == 0.0 and single.route_precision == 0.0
    # the stop column orders the stops, not the row order
    reversed_rows = _routes(list(reversed(PERFECT_ROUTE)))
    assert sc.score_routes(reversed_rows, TINY_KEY).stop_recall == 1.0


def test_load_key_rejects_a_malformed_key(tmp_path: Path) -> None:
    bad = tmp_path / "key.json"
    bad.write_text(json.dumps({"format": "geomap-answer-key/1", "articles": {"x": {"mentions": [], "incidents": [{}], "routes": []}}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"key\.json: article 'x'"):
        sc.load_key(bad)
    bad.write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown answer key format"):
        sc.load_key(bad)


# -- 2. the corpus and the key ----------------------------------------------


@pytest.fixture(scope="module")
def key() -> dict[str, dict[str, object]]:
    """Every key file's articles together (the files label different reports)."""
    merged: dict[str, dict[str, object]] = {}
    for path in KEY_PATHS:
        merged.update(sc.load_key(path))
    return merged


def _corpus_ids() -> dict[str, str]:
    """Article id -> format, read from the file names and JSON Lines ids."""
    ids: dict[str, str] = {}
    for path in sorted(REPORTS.iterdir()):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                ids[json.loads(line)["id"]] = "jsonl"
        else:
            ids[path.stem] = path.suffix.lstrip(".")
    return ids


def test_corpus_is_varied_and_fully_labelled(key: dict[str, dict[str, object]]) -> None:
    ids = _corpus_ids()
    assert len(ids) >= 14
    formats = list(ids.values())
    assert formats.count("md") >= 2 and formats.count("html") >= 2 and formats.count("jsonl") >= 2
    assert set(ids) == set(key), "every report has a key entry and every key entry a report"
    for path in REPORTS.iterdir():
        assert re.fullmatch(r"(?:[a-z]{2}_)?\d\d_[a-z0-9-]+\.(txt|md|html|jsonl)", path.name), path.name
    years = {int(str(art["date"])[:4]) for art in key.values()}
    assert min(years) <= 2019 and max(years) >= 2026
    types = {inc["type"] for art in key.values() for inc in art["incidents"]}
    from geomap.records import INCIDENT_TYPES

    assert types <= set(INCIDENT_TYPES)
    assert len(types) >= 12, f"incident types covered: {sorted(types)}"
    assert sum(len(art["routes"]) for art in key.values()) >= 3


def test_analyst_table_uses_known_types() -> None:
    from geomap.records import INCIDENT_TYPES

    table = pd.read_csv(SAMPLES / "tables" / "analyst_incidents.csv", dtype=str)
    assert list(table.columns) == ["place", "type", "count", "unit", "date", "source"]
    assert 5 <= len(table) <= 8
    assert set(table["type"]) <= set(INCIDENT_TYPES)
    assert all(dt.date.fromisoformat(d) for d in table["date"])
    assert pd.to_numeric(table["count"]).gt(0).all()


def test_analyst_table_loads_without_skips() -> None:
    """Every row of the sample analyst table resolves to one place (no ambiguous names)."""
    if not (ROOT / "geomap" / "extract.py").exists():
        pytest.skip("geomap/extract.py has not landed yet")
    from geomap.extract import extract

    result = extract([SAMPLES / "tables" / "analyst_incidents.csv"])
    assert result.skipped.empty, result.skipped.to_string()
    table = pd.read_csv(SAMPLES / "tables" / "analyst_incidents.csv", dtype=str)
    assert len(result.incidents) == len(table)
    assert result.incidents["place_id"].notna().all()
    assert set(result.incidents["source"]) == {"table"}


def test_key_names_are_in_the_articles_as_read(key: dict[str, dict[str, object]]) -> None:
    """Every labelled name and phrase is in its article's text as the reader returns it.

    This also checks the HTML reader drops boilerplate: 03's comment box names
    Nanning, which the key does not list.
    """
    if not (ROOT / "geomap" / "text" / "articles.py").exists():
        pytest.skip("geomap/text/articles.py has not landed yet")
    from geomap.text.articles import read_articles

    skipped: list[object] = []
    articles = {a.id: a for a in read_articles([REPORTS], skipped=skipped)}
    assert skipped == []
    assert set(articles) == set(key)
    problems = []
    for aid, art in key.items():
        text = articles[aid].title + "\n" + articles[aid].text
        for m in art["mentions"]:
            if m["text"] not in text:
                problems.append(f"{aid}: mention {m['text']!r} not in text")
        for item in [*art["incidents"], *art["routes"]]:
            if item["sentence_contains"] not in " ".join(text.split()):
                problems.append(f"{aid}: phrase {item['sentence_contains']!r} not in text")
        if articles[aid].date is not None and articles[aid].date.start is not None:
            if articles[aid].date.start.isoformat() != art["date"]:
                problems.append(f"{aid}: publication date {articles[aid].date.start} not {art['date']}")
    assert "Nanning" not in articles["03_clearance-and-security-review"].text
    assert not problems, "\n".join(problems)


def test_key_place_ids_are_in_the_gazetteer(key: dict[str, dict[str, object]]) -> None:
    if not (ROOT / "gazetteer" / "places.csv").exists():
        pytest.skip("gazetteer/places.csv has not landed yet")
    from geomap.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    ids: set[str] = set()
    for art in key.values():
        ids |= {m["place_id"] for m in art["mentions"]}
        ids |= {i["place_id"] for i in art["incidents"] if i["place_id"] is not None}
        ids |= {s["place_id"] for r in art["routes"] for s in r["stops"]}
    missing = sorted(pid for pid in ids if pid not in gazetteer)
    assert not missing, f"answer key ids the gazetteer lacks: {missing}"


# -- 3. extraction against the key ------------------------------------------


@pytest.fixture(scope="module")
def extraction() -> object:
    if not (ROOT / "geomap" / "extract.py").exists():
        pytest.skip("geomap/extract.py has not landed yet")
    from geomap.extract import extract

    return extract([REPORTS])


@pytest.fixture(scope="module", params=[p.name for p in KEY_PATHS])
def scored(request: pytest.FixtureRequest, extraction: object) -> tuple[sc.Score, tuple[float, ...]]:
    """Each key file scored on its own (one language each), with its thresholds."""
    result = sc.score(extraction, sc.load_key(SAMPLES / request.param))
    print(f"\n{request.param}:\n{result.summary()}")
    default = (MENTION_PRECISION, MENTION_RECALL, INCIDENT_PRECISION, INCIDENT_RECALL, COUNT_ACCURACY, STOP_RECALL)
    return result, THRESHOLDS.get(request.param, default)


def _report(result: sc.Score) -> str:
    return f"\n{result.summary()}\n\nPer article:\n{result.breakdown()}"


def test_mentions_meet_thresholds(scored: tuple[sc.Score, tuple[float, ...]]) -> None:
    result, (precision, recall, *_) = scored
    prf = result.mentions.prf
    assert prf.precision >= precision and prf.recall >= recall, _report(result)


def test_incident_types_meet_thresholds(scored: tuple[sc.Score, tuple[float, ...]]) -> None:
    result, (_, _, precision, recall, _, _) = scored
    prf = result.incidents.type
    assert prf.precision >= precision and prf.recall >= recall, _report(result)


def test_incident_counts_meet_threshold(scored: tuple[sc.Score, tuple[float, ...]]) -> None:
    result, (*_, counts, _) = scored
    assert result.incidents.counts_total > 0, _report(result)
    assert result.incidents.count_accuracy >= counts, _report(result)


def test_every_route_is_found_in_order(scored: tuple[sc.Score, tuple[float, ...]]) -> None:
    result, (*_, stop_recall) = scored
    routes = result.routes
    assert routes.routes_found == routes.routes_total and routes.stop_recall >= stop_recall, _report(result)


# The English key labels restated facts, agency-versus-event places and an event told by three outlets:
# these measures are held on it (the Vietnamese and Chinese keys print them).
@pytest.fixture(scope="module")
def scored_en(extraction: object) -> sc.Score:
    return sc.score(extraction, sc.load_key(KEY_PATH))


def test_one_fact_is_one_incident(scored_en: sc.Score) -> None:
    assert scored_en.incidents.predicted > 0, _report(scored_en)
    assert scored_en.incidents.duplicate_rate <= DUPLICATE_RATE, _report(scored_en)


def test_incidents_are_at_the_right_place(scored_en: sc.Score) -> None:
    assert scored_en.incidents.place_total > 0, _report(scored_en)
    assert scored_en.incidents.place_accuracy >= RIGHT_PLACE, _report(scored_en)


def test_events_across_reports_are_merged_correctly(scored_en: sc.Score) -> None:
    pairs = scored_en.events.pairs
    assert pairs.tp + pairs.fn > 0, "the key labels no event told by several reports"
    assert pairs.precision >= EVENT_PRECISION and pairs.recall >= EVENT_RECALL, _report(scored_en)
