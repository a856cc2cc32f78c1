"""Fuzzing the readers: random bytes, JSON and YAML never make a traceback.

Whatever a file holds, reading it gives articles or a skipped input with a
reason; the fields of what is read can be written as UTF-8.  The examples
are few enough for the run to take tens of seconds.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.records import Skipped
from geomap.text.articles import read_articles
from geomap.text.files import EXTENSIONS

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)  # lone surrogates included
    | st.dates().map(str)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_fields = st.sampled_from(["text", "title", "date", "source", "url", "id", "format"])
_objects = st.dictionaries(_fields, _json, max_size=7) | _json
_TEXT = "Border guards in Lạng Sơn stopped 3 people at the Hữu Nghị gate on May 1."


def _read(name: str, data: bytes) -> tuple[list, list[Skipped]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        skipped: list[Skipped] = []
        articles = list(read_articles(str(path), skipped=skipped, encoding_warnings=False))
    for article in articles:  # what is read can be written
        for value in (article.text, article.title, article.id, article.source, article.url, article.path):
            value.encode("utf-8")
    for item in skipped:
        assert "\n" not in str(item)  # a reason is one line
    return articles, skipped


@FUZZ
@given(st.sampled_from(sorted(EXTENSIONS)), st.binary(max_size=2000))
def test_random_bytes_are_read_or_skipped(suffix: str, data: bytes) -> None:
    articles, skipped = _read(f"fuzz{suffix}", data)
    if EXTENSIONS[suffix] not in ("json", "jsonl"):
        assert len(articles) + len(skipped) == 1


@FUZZ
@given(st.lists(_objects, min_size=1, max_size=4))
def test_random_json_lines_are_read_or_skipped_line_by_line(objects: list) -> None:
    lines = [json.dumps(obj, allow_nan=True) for obj in objects]
    articles, skipped = _read("fuzz.jsonl", ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    assert len(articles) + len(skipped) == len(lines)


@FUZZ
@given(_objects)
def test_random_json_documents_are_read_or_skipped(obj: object) -> None:
    _read("fuzz.json", json.dumps(obj, allow_nan=True).encode("utf-8", "surrogatepass"))


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=15,
)


@FUZZ
@given(st.dictionaries(_fields | st.text(max_size=8), _yaml_values, max_size=6))
def test_random_front_matter_is_read_or_skipped(meta: dict) -> None:
    try:
        front = yaml.safe_dump(meta, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        return  # not a document YAML writes
    data = f"---\n{front}---\n\n{_TEXT}\n".encode("utf-8", "surrogatepass")
    articles, skipped = _read("fuzz.md", data)
    assert len(articles) + len(skipped) == 1


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"\n #,?")), max_size=200))
def test_random_yaml_text_in_front_matter_is_read_or_skipped(front: str) -> None:
    articles, skipped = _read("fuzz.md", f"---\n{front}\n---\n\n{_TEXT}\n".encode())
    assert len(articles) + len(skipped) == 1


@pytest.fixture(scope="module")
def resolver():
    from geomap.gazetteer import load_gazetteer
    from geomap.geocoder import Resolver

    return Resolver(load_gazetteer())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.binary(max_size=600)
    | st.lists(st.lists(st.text(max_size=12), max_size=7), max_size=5).map(
        lambda rows: "\n".join(",".join(json.dumps(v) if i % 2 else v for i, v in enumerate(r)) for r in rows).encode(
            "utf-8", "surrogatepass"
        )
    )
)
def test_random_tables_are_read_or_skipped_row_by_row(resolver, data: bytes) -> None:
    from geomap.analyst_tables import _read_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(b"place,type,count,unit,date,source\n" + data)
        skipped: list[Skipped] = []
        rows = list(_read_table(path, resolver, skipped))
    for article, incident in rows:
        assert incident.place_id and math.isfinite(incident.counts[0].value if incident.counts else 0)
        article.text.encode("utf-8")
    assert all(s.line is None or s.line >= 1 for s in skipped)
