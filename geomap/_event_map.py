"""Events told by several reports on the map: one marker an event, its popup listing every report.

:func:`add_events` adds a layer "Events told by several reports" to a folium
map, one circle an event of the ``events`` layer (:mod:`geomap.event_layer`)
whose ``reports`` is 2 or more.  Its popup names the event's type and place,
then lists each report (outlet, date, title, counts, the sentence, a link when
it is http or https) and says so when the reports' counts disagree.  The incidents
of those events are left out of the incident layers (:func:`geomap.map.render`
draws the rest), so an event told thrice is drawn once.

The element is a :class:`geomap._templates.SafeMacroElement`: its template is
fixed, the data go into the page as one value (:func:`geomap._templates.js_value`),
its output is never compiled again, and every popup is built with
``textContent``, so no text from an article ever becomes HTML or template
source.
"""

from __future__ import annotations

import json
from typing import Any

import folium

from geomap._templates import SafeMacroElement, html_text, template

__all__ = ["add_events"]

_COLOR = "#6a3d9a"


class _Events(SafeMacroElement):
    """The markers of the events told by several reports, filled from one embedded JSON list."""

    _template = template(
        """
{% macro script(this, kwargs) %}
(function(group, EVENTS) {
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function popup(ev) {
    var box = el("div", "geomap-popup geomap-event");
    box.appendChild(el("h4", null, ev.label));
    box.appendChild(el("div", "geomap-event-where", ev.where));
    box.appendChild(el("div", "geomap-event-count", "Told by " + ev.reports + " reports"));
    if (ev.disagree) {
      box.appendChild(el("div", "geomap-event-disagree", "Counts disagree between reports: " + ev.counts));
    }
    var list = el("ol", "geomap-event-sources");
    ev.sources.forEach(function(s) {
      var item = el("li", "geomap-event-source");
      item.appendChild(el("div", "geomap-event-outlet", s.outlet + (s.published ? " (" + s.published + ")" : "")));
      if (s.title) { item.appendChild(el("div", "geomap-event-title", s.title)); }
      item.appendChild(el("div", "geomap-event-figures", s.counts || "no figure"));
      item.appendChild(el("div", "geomap-evidence", s.sentence));
      if (s.url) {
        var a = el("a", "geomap-link", "Read the report");
        a.href = s.url; a.target = "_blank"; a.rel = "noopener noreferrer";
        item.appendChild(a);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }
  window.__geomapEvents = EVENTS.length;
  EVENTS.forEach(function(ev) {
    var marker = L.circleMarker([ev.lat, ev.lon], {
      radius: 9, color: {{ this.color|tojson }}, weight: 3, fillColor: "#ffffff", fillOpacity: 0.9,
      className: "geomap-event-marker"
    });
    marker.bindPopup(function() { return popup(ev); }, {maxWidth: 380});
    marker.addTo(group);
  });
})({{ this.parent_name }}, {{ this.payload|tojson }});
{% endmacro %}
"""
    )

    def __init__(self, payload: list[dict]) -> None:
        super().__init__()
        self._name = "GeomapEvents"
        self.payload = payload  # values only: the template writes it with js_value (tojson)
        self.color = _COLOR


def _payload(events: Any) -> tuple[list[dict], set[str]]:
    from geomap._mappayload import safe_url as _safe_url  # the URL check the incident popups use

    shown: list[dict] = []
    drawn: set[str] = set()
    for row, geom in zip(events.drop(columns="geometry").to_dict("records"), events.geometry, strict=True):
        reports = row.get("reports")
        if geom is None or geom.is_empty or reports is None or reports != reports or int(reports) < 2:
            continue
        sources = json.loads(row.get("sources") or "[]")
        kind = str(row.get("type") or "")
        shown.append(
            {
                "label": kind.replace("_", " ").capitalize(),
                "where": str(row.get("place_name") or row.get("place_id") or ""),
                "reports": int(reports),
                "disagree": bool(row.get("counts_disagree")),
                "counts": str(row.get("counts") or ""),
                "lat": round(geom.y, 6),
                "lon": round(geom.x, 6),
                "sources": [
                    {
                        "outlet": s.get("outlet") or s.get("article_id") or "",
                        "published": s.get("published") or "",
                        "title": s.get("title") or "",
                        "counts": s.get("counts") or "",
                        "sentence": s.get("sentence") or "",
                        "url": _safe_url(s.get("url")) or "",
                    }
                    for s in sources
                ],
            }
        )
        drawn.update(s.get("incident_id", "") for s in sources)
    return shown, drawn


def add_events(m: folium.Map, events: Any) -> set[str]:
    """Add the events told by several reports to ``m``; the ids of the incidents they draw.

    Nothing is added (and an empty set returned) when no event has two reports.
    """
    if events is None or not len(events) or "sources" not in events.columns:
        return set()
    shown, drawn = _payload(events)
    if not shown:
        return set()
    group = folium.FeatureGroup(name=html_text(f"Events told by several reports ({len(shown):,})"), show=True)
    group.add_to(m)
    _Events(shown).add_to(group)
    return drawn
