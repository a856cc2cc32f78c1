"""A hostile corpus: template and script payloads in every field of every input format.

Shared by ``tests/test_security.py`` (files, exports, CLI) and its browser
test.  :func:`write_corpus` writes, into one folder, reports in each input
format (``.txt``, ``.md``, ``.html``, ``.jsonl``), an analyst table
(``.csv``), a corrections file and a small gazetteer whose curated rows (a
town, a border-gate pair and an alias) carry the payloads too.

Every payload is harmless if shown as text.  If Jinja2 ever evaluates one,
``{{7*7}}`` turns into ``49`` and the ``os.makedirs`` payloads create
:attr:`Corpus.canary` (a folder the test checks does not exist); if a browser
ever runs one as script, ``window.__pwned`` gets set.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from _gazetteer import SMALL

#: The marker that must appear literally in every output (never as 49).
MARK = "{{7*7}}"


def payloads(canary: Path) -> tuple[str, ...]:
    """Template and script payloads; the ``makedirs`` ones would create ``canary``."""
    target = str(canary).replace("'", "")
    return (
        MARK,
        "{% for x in [1, 2] %}loop{% endfor %}",
        "{{ lipsum.__globals__.os.makedirs('" + target + "') }}",
        "{{ cycler.__init__.__globals__.os.makedirs('" + target + "-b') }}",
        "{{ self.__init__.__globals__ }}",
        "{{ config }}",
        "{{ self }}",
        "{# comment #}",
        "{%raw%}",
        "{% endraw %}",
        "{#",
        "{{'x'}}",
        "<script>window.__pwned='script'</script>",
        "<img src=x onerror=window.__pwned='img'>",
        "</script><script>window.__pwned='close'</script>",
        "`${window.__pwned='tpl'}`",
    )


def hostile(canary: Path, label: str) -> str:
    """One field's text: a label, then every payload."""
    return f"{label} " + " ".join(payloads(canary))


@dataclass(frozen=True)
class Corpus:
    """Paths of a written hostile corpus, and the values put in its fields."""

    root: Path
    reports: Path  # folder of reports (txt, md, html, jsonl) and the analyst table
    corrections: Path
    gazetteer: Path
    canary: Path
    fields: dict[str, str]  # field name -> the exact text written there

    def canary_made(self) -> bool:
        """True when a payload ran: its folder (or its sibling's) exists."""
        return self.canary.exists() or Path(f"{self.canary}-b").exists()


def _sentence(text: str) -> str:
    """A payload that stays inside one sentence (no '. ' break), for article bodies."""
    return text.replace(". ", " ")


def write_corpus(root: Path) -> Corpus:
    """Write the hostile corpus under ``root`` and return where everything is."""
    root.mkdir(parents=True, exist_ok=True)
    canary = root / "pwned-canary"
    reports = root / "reports"
    reports.mkdir()
    f = {name: hostile(canary, name) for name in (
        "txt title", "txt body", "md title", "md source", "md body", "md id", "html title", "html meta",
        "html body", "jsonl title", "jsonl source", "jsonl body", "jsonl id", "table source", "table unit",
        "correction sentence", "correction actors", "correction unit", "place name", "gate name", "alias",
    )}
    # A .txt headline is at most 200 characters: the short payloads there (each has its own article too).
    f["txt title"] = "txt title " + MARK + " {%raw%} {# <img src=x onerror=window.__pwned='t'> {{ config }}"
    f["md url"] = "https://example.org/a?q=" + MARK + "<script>window.__pwned='url'</script>"
    f["jsonl url"] = "javascript:window.__pwned='link'//" + MARK
    f["html url"] = "https://example.org/{{config}}/" + MARK

    (reports / "a_plain.txt").write_text(
        f"{f['txt title']}\n"
        "Updated: 2024-03-05 09:10\n\n"
        "LANG SON - Border guards in Lạng Sơn province on March 3 stopped 12 people who were crossing "
        f"the border illegally, {_sentence(f['txt body'])}.\n\n"
        "The group had travelled from Svay Rieng through Lạng Sơn to Pingxiang in China, "
        f"{_sentence(f['txt body'])}.\n\n"
        "Officers later searched a house in Hostile Town.\n",
        encoding="utf-8",
    )
    (reports / "b_front.md").write_text(
        "---\n"
        f"title: {json.dumps(f['md title'], ensure_ascii=False)}\n"
        "date: 2024-04-10\n"
        f"source: {json.dumps(f['md source'], ensure_ascii=False)}\n"
        f"url: {json.dumps(f['md url'], ensure_ascii=False)}\n"
        f"id: {json.dumps(f['md id'], ensure_ascii=False)}\n"
        "---\n\n"
        "Police in Cao Bằng province on April 8 seized 4 kg of heroin from a drug trafficking ring, "
        f"{_sentence(f['md body'])}.\n",
        encoding="utf-8",
    )
    (reports / "c_page.html").write_text(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{_html(f['html title'])}</title>"
        f"<meta property=\"og:site_name\" content=\"{_html(f['html meta'])}\">"
        f"<meta property=\"og:url\" content=\"{_html(f['html url'])}\">"
        "<meta property=\"article:published_time\" content=\"2024-05-20\">"
        "</head><body><article>"
        f"<h1>{_html(f['html title'])}</h1>"
        "<p>Border guards at the Hữu Nghị border gate on May 18 handed over 6 people who had entered "
        f"China illegally, {_html(_sentence(f['html body']))}.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    lines = [
        {
            "id": f["jsonl id"],
            "title": f["jsonl title"],
            "date": "2024-06-02",
            "source": f["jsonl source"],
            "url": f["jsonl url"],
            "text": "Border guards in Lạng Sơn province on June 1 rescued 5 women from human traffickers, "
            f"{_sentence(f['jsonl body'])}.",
        }
    ]
    # One short article per payload, so a payload that only misbehaves alone is seen too.
    for k, payload in enumerate(payloads(canary)):
        lines.append({
            "id": f"single-{k:02d}",
            "title": f"Single payload {k} {payload}",
            "date": "2024-07-01",
            "source": payload,
            "url": "https://example.org/single/" + str(k),
            "text": f"Border guards in Cao Bằng province on June 30 stopped 3 people crossing the border "
            f"illegally near the Hữu Nghị gate {payload}.",
        })
    (reports / "d_feed.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    with (reports / "e_analyst.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["place", "type", "count", "unit", "date", "source"])
        writer.writerow(["Lạng Sơn", "illegal_crossing", "9", f["table unit"], "2024-08-14", f["table source"]])
        # One bad row: an unknown type; reported and skipped, the rest goes on.
        writer.writerow(["Lạng Sơn", "<img src=x onerror=window.__pwned='type'>", "2", "people", "2024-08-15", "x"])
        writer.writerow(["Hostile Town", "goods_smuggling", "3", "tonnes", "2024-08-16", f["table source"]])

    corrections = root / "corrections.yaml"
    corrections.write_text(
        "- action: add_incident\n"
        "  article: a_plain\n"
        "  type: migrant_smuggling\n"
        "  value: 7\n"
        f"  unit: {json.dumps(f['correction unit'], ensure_ascii=False)}\n"
        "  date: 2024-03-04\n"
        "  place: vn.province.cao-bang\n"
        f"  actors: {json.dumps(f['correction actors'], ensure_ascii=False)}\n"
        f"  sentence: {json.dumps(f['correction sentence'], ensure_ascii=False)}\n",
        encoding="utf-8",
    )

    gazetteer = root / "gazetteer"
    shutil.copytree(SMALL, gazetteer)
    with (gazetteer / "places.csv").open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["vn.city.hostile-town", f["place name"], "city", "VN", "vn.province.lang-son", "21.9",
                         "106.5", "", "", "", "", "", "", "ref:test fixture", ""])
        writer.writerow(["vn.border_gate.hostile", f["gate name"], "border_gate", "VN", "vn.province.cao-bang",
                         "22.8", "106.3", "", "", "", "", "", "cn.border_gate.hostile", "ref:test fixture", ""])
        writer.writerow(["cn.border_gate.hostile", "Hostile Gate CN", "border_gate", "CN", "cn.province.guangxi",
                         "22.85", "106.35", "", "", "", "", "", "vn.border_gate.hostile", "ref:test fixture", ""])
    with (gazetteer / "aliases.csv").open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["vn.city.hostile-town", "Hostile Town", "en", "official", "ref:test fixture"])
        writer.writerow(["vn.city.hostile-town", f["alias"], "en", "colloquial", "ref:test fixture"])
    return Corpus(root=root, reports=reports, corrections=corrections, gazetteer=gazetteer, canary=canary, fields=f)


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True)
