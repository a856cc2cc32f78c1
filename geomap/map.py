"""The interactive map: :class:`~geomap.layers.Layers` drawn with folium.

:func:`render` adds every layer to a folium map (a new one, or one of yours)
and returns it; :func:`save_map` writes it as one HTML file that, by default,
fetches nothing from the network but map tiles.

Design, chosen for scale (100,000 incidents in about 6 MB, ready in a few
seconds): incidents are not one folium element each.  Each incident type is
one toggleable ``FeatureGroup`` filled, in the browser, from one embedded
JSON table (short rows, every string stored once, deflate-compressed above
:data:`COMPRESS_ABOVE`); popups are built on click with ``textContent``, so
no article text is ever parsed as HTML.  Above :data:`CLUSTER_THRESHOLD`
incidents the markers are clustered per type (or, with ``cluster=False``,
drawn on a canvas).  The time filter, heat map and "ready" flag
(``window.__geomapReady``) work on that table.  Routes, crossings, the
choropleth and the offline basemap are plain folium elements whose text is
escaped before folium sees it.  Colours: :data:`TYPE_COLORS`.

No data ever becomes template source (see :mod:`geomap._templates`): the
map's own elements subclass :class:`~geomap._templates.SafeMacroElement`:
fixed templates that take data only as values (``{{ this.x|tojson }}``) and
are rendered once; every text given to a folium element (popup, tooltip,
layer name) goes through ``_html_text`` first.

Examples
--------
>>> m = render(layers, title="Border activity 2024-2025")  # doctest: +SKIP
>>> save_map(m, "output/map.html")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import math
import re
import warnings
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import folium
import folium.elements
import folium.plugins
import pandas as pd
from branca.element import Element, Figure
from markupsafe import Markup

from geomap._errors import InputError
from geomap._io import write_text
from geomap._templates import SafeMacroElement, js_value, render_html, template
from geomap._templates import html_text as _html_text
from geomap._templates import text_of as _text
from geomap.records import INCIDENT_TYPES, LOCATION_PRECISIONS

if TYPE_CHECKING:
    from geopandas import GeoDataFrame as GeoFrame
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "CHOROPLETH_COLORS",
    "CLUSTER_THRESHOLD",
    "COMPRESS_ABOVE",
    "TYPE_COLORS",
    "TYPE_LABELS",
    "render",
    "save_map",
]

#: One fixed colour per incident type, so that maps from different runs read alike.
TYPE_COLORS: dict[str, str] = {
    "illegal_crossing": "#e6194b",
    "migrant_smuggling": "#f58231",
    "human_trafficking": "#911eb4",
    "drug_trafficking": "#800000",
    "goods_smuggling": "#9a6324",
    "fugitive_handover": "#4363d8",
    "repatriation": "#3cb44b",
    "joint_patrol": "#008080",
    "cooperation": "#42d4f4",
    "crossing_statistics": "#000075",
    "public_awareness": "#bfef45",
    "exercise": "#f032e6",
    "other": "#808080",
}
_UNKNOWN_COLOR = "#a9a9a9"

#: Human labels of the incident types, as the layer control and legend show them.
TYPE_LABELS: dict[str, str] = {
    "illegal_crossing": "Illegal entry/exit",
    "migrant_smuggling": "Migrant smuggling",
    "human_trafficking": "Human trafficking",
    "drug_trafficking": "Drug trafficking",
    "goods_smuggling": "Goods smuggling",
    "fugitive_handover": "Fugitive handover",
    "repatriation": "Repatriation",
    "joint_patrol": "Joint patrol",
    "cooperation": "Cooperation",
    "crossing_statistics": "Crossing statistics",
    "public_awareness": "Public awareness",
    "exercise": "Exercise",
    "other": "Other",
}

#: With ``cluster="auto"``, incidents are clustered (and drawn on a canvas)
#: when the map has more than this many: below it every marker stays visible
#: and is an SVG element; above it thousands of overlapping dots say less
#: than counted clusters, and canvas keeps panning smooth.
CLUSTER_THRESHOLD = 2000

#: The layer control starts open when the map has at most this many overlays.
LAYER_LIST_OPEN_MAX = 10

#: With ``compress="auto"``, an incident table larger than this (bytes of
#: JSON) is embedded deflate-compressed and unpacked in the browser
#: (``DecompressionStream``): about a third of the size at 100,000 incidents.
COMPRESS_ABOVE = 1_000_000

#: The choropleth's sequential palette (ColorBrewer YlOrRd), lightest first.
CHOROPLETH_COLORS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

_ROUTE_COLOR = "#1f3b73"
_CROSSING_COLOR = "#b30000"
_COORD_DIGITS = 5  # ~1 m: finer figures would only grow the page
_BASEMAP_TOLERANCE = 0.01  # degrees (~1 km): the basemap is context, not survey data
_EPOCH = dt.date(1970, 1, 1)

_CROSSING_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22">'
    '<rect x="1" y="1" width="20" height="20" rx="4" fill="#ffffff" stroke="{color}" stroke-width="2"/>'
    '<path d="M5 17V8l6-4 6 4v9M8 17v-5h6v5" fill="none" stroke="{color}" stroke-width="2"/></svg>'
)


# -- small helpers -------------------------------------------------------------


def _safe_url(value: Any) -> str | None:
    """The URL when it is an absolute ``http``/``https`` link, else ``None``."""
    url = _text(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not re.search(r"[\s\x00-\x1f]", url):
        return url
    return None


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _text(value)
    if math.isnan(number):
        return ""
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _to_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _layer(layers: Any, name: str) -> GeoFrame | None:
    """One GeoDataFrame of ``layers`` (a ``Layers`` object or a mapping), or ``None``."""
    frame = layers.get(name) if isinstance(layers, Mapping) else getattr(layers, name, None)
    if frame is None or len(frame) == 0 or "geometry" not in getattr(frame, "columns", ()):
        return None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def _point(geom: BaseGeometry | None) -> tuple[float, float] | None:
    """``(lat, lon)`` of a point, or of a polygon's representative point; ``None`` if empty."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type != "Point":
        geom = geom.representative_point()
    lat, lon = round(geom.y, _COORD_DIGITS), round(geom.x, _COORD_DIGITS)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _css_class(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", key.lower())


# -- incident payload ------------------------------------------------------------


def _count_key(number: Any, unit: str) -> tuple[float | str, str]:
    try:
        return float(number), unit.strip().lower()
    except (TypeError, ValueError):
        return _text(number), unit.strip().lower()


def _figures(row: Mapping[str, Any]) -> str:
    """All counts of an incident with units and qualifiers: 'over 64,000 people; 146 cases'."""
    parts: list[str] = []
    seen: set[tuple[float | str, str]] = set()
    value = row.get("value")
    if _text(value):
        head = _number(value)
        value_max = row.get("value_max")
        if _text(value_max):
            head += f"–{_number(value_max)}"
        qualifier = _text(row.get("qualifier"))
        if qualifier and qualifier != "range":
            head = f"{qualifier} {head}"
        unit = _text(row.get("unit"))
        parts.append(f"{head} {unit}".strip())
        seen.add(_count_key(value, unit))
    counts = row.get("counts")
    items = counts if isinstance(counts, (list, tuple)) else _text(counts).split(";")
    for item in items:
        item = _text(item)
        if not item:
            continue
        number, _, unit = item.partition(" ")
        key = _count_key(number, unit)
        if key in seen:  # the headline figure, already shown with its qualifier
            continue
        seen.add(key)
        parts.append(f"{_number(number)} {unit}".strip() if isinstance(key[0], float) else item)
    return "; ".join(parts)


def _date_label(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    if start is None and end is None:
        return "undated"
    if precision == "month" and start is not None:
        text = start.strftime("%Y-%m")
    elif precision == "year" and start is not None:
        text = str(start.year)
    elif precision == "since" and start is not None:
        return f"since {start.isoformat()}" + (f" (to {end.isoformat()})" if end and end != start else "")
    elif start is not None and end is not None and end != start:
        text = f"{start.isoformat()} to {end.isoformat()}"
    else:
        text = (start or end).isoformat()
    return f"{text} ({precision})" if precision else text


class _Strings:
    """Each distinct string once; rows hold indices (-1 for none)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: Any) -> int:
        text = _text(value)
        if not text:
            return -1
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.items)
            self.items.append(text)
        return found


def _incident_payload(incidents: GeoFrame, *, cluster: bool, canvas: bool) -> tuple[dict, int]:
    """The embedded table of incidents, grouped by type in the fixed type order; and how many had no location."""
    strings = _Strings()
    articles: list[list[int]] = []
    article_index: dict[tuple, int] = {}
    by_type: dict[str, list[tuple]] = {}
    skipped = 0
    columns = set(incidents.columns)
    records = incidents.drop(columns="geometry").to_dict("records")
    for record, geom in zip(records, incidents.geometry, strict=True):
        where = _point(geom)
        if where is None:
            skipped += 1
            continue
        start = _to_date(record.get("date_start"))
        end = _to_date(record.get("date_end")) or start
        start = start or end
        precision = _text(record.get("date_precision"))
        code = record.get("location_precision")
        precision_name = _text(record.get("location_precision_name"))
        if not precision_name and _text(code):
            try:
                precision_name = LOCATION_PRECISIONS.get(int(code), "")
            except (TypeError, ValueError):
                precision_name = ""
        url = _text(record.get("article_url"))
        article_key = (
            _text(record.get("article_title")),
            _text(record.get("article_source")),
            _text(record.get("article_date")),
            url,
        )
        aid = article_index.get(article_key)
        if aid is None:
            aid = article_index[article_key] = len(articles)
            articles.append([strings(article_key[0]), strings(article_key[1]), strings(article_key[2]),
                             strings(url), 1 if _safe_url(url) else 0])
        place = _text(record.get("place_name")) or _text(record.get("place_id"))
        row = [
            where[0],
            where[1],
            (start - _EPOCH).days if start else None,
            (end - _EPOCH).days if end else None,
            strings(_date_label(start, end, precision)),
            strings(place),
            strings(precision_name),
            strings(_figures(record)),
            strings(record.get("sentence")),
            aid,
            strings(record.get("actors")),
            strings(record.get("incident_id")),
        ]
        kind = _text(record.get("type")) or "other"
        sort_key = (row[2] if row[2] is not None else -10**9, _text(record.get("incident_id")))
        by_type.setdefault(kind, []).append((sort_key, row))
    if skipped:
        warnings.warn(f"{skipped} incident(s) without a usable geometry left off the map", stacklevel=3)
    order = [t for t in INCIDENT_TYPES if t in by_type] + sorted(t for t in by_type if t not in INCIDENT_TYPES)
    types = []
    for kind in order:
        rows = [r for _, r in sorted(by_type[kind], key=lambda item: item[0])]
        types.append(
            {
                "key": kind,
                "cls": _css_class(kind),
                "label": TYPE_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                "color": TYPE_COLORS.get(kind, _UNKNOWN_COLOR),
                "rows": rows,
            }
        )
    payload = {"s": strings.items, "a": articles, "t": types, "cluster": cluster, "canvas": canvas}
    return payload, skipped


# -- map elements ------------------------------------------------------------------


class _Style(SafeMacroElement):
    """The page's own CSS: popups, legend, time control, search, cluster icons."""

    _template = template(
        """
{% macro header(this, kwargs) %}
<style>
/* The opened layer list stays above the legend when the two corners meet. */
.leaflet-top.leaflet-right{z-index:1001}
.geomap-popup{font:13px/1.35 system-ui,sans-serif;max-width:340px}
.geomap-popup h4{margin:0 0 4px;font-size:14px;border-left:6px solid #888;padding-left:6px}
.geomap-popup dl{margin:0 0 6px;display:grid;grid-template-columns:auto 1fr;gap:1px 8px}
.geomap-popup dt{color:#555}.geomap-popup dd{margin:0}
.geomap-evidence{margin:4px 0;padding:4px 8px;border-left:3px solid #ccc;background:#f7f7f7;font-style:italic;white-space:pre-wrap}
.geomap-source{color:#333}.geomap-inert-url{color:#777;word-break:break-all}
.geomap-source a{word-break:break-all}
.geomap-legend,.geomap-time,.geomap-search,.geomap-title{background:rgba(255,255,255,.92);padding:6px 8px;font:12px/1.3 system-ui,sans-serif;border-radius:4px}
.geomap-legend{max-height:45vh;overflow:auto}
.geomap-legend i{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:5px;vertical-align:-2px;border:1px solid #222}
.geomap-legend .sq{border-radius:0}
.geomap-legend h5{margin:4px 0 2px;font-size:12px}
.geomap-title{font-size:15px;font-weight:600}
.geomap-time label{display:block;margin:2px 0}.geomap-time input[type=date]{font-size:12px}
.geomap-search input{width:180px;font-size:12px}
.geomap-cluster div{width:34px;height:34px;border-radius:50%;color:#fff;font:bold 12px/34px system-ui,sans-serif;text-align:center;opacity:.9;border:2px solid #fff;text-shadow:0 0 3px #000}
.geomap-legend summary{cursor:pointer}
.geomap-crossing{background:none;border:none}
.geomap-dot span{display:block;width:12px;height:12px;border-radius:50%;border:1px solid #222;box-sizing:border-box;opacity:.9}
</style>
{% endmacro %}
"""
    )


class _Title(SafeMacroElement):
    _template = template(
        """
{% macro script(this, kwargs) %}
(function(){
  var C = L.Control.extend({options: {position: "topright"}, onAdd: function() {
    var d = L.DomUtil.create("div", "geomap-title");
    d.textContent = {{ this.title|tojson }};
    return d;
  }});
  new C().addTo({{ this.parent_name }});
})();
{% endmacro %}
"""
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "GeomapTitle"
        self.title = title


class _Incidents(SafeMacroElement):
    """Every incident marker, per type, filled from one embedded JSON table."""

    _template = template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_data = {{ this.payload }};
var {{ this.get_name() }} = (function(map, groups, RAW) {
  var D, S, A, renderer, types = [];
  var listeners = [];
  var period = {from: null, to: null, undated: true};
  var api = {types: types, range: [null, null], total: 0};
  function load() {
    // Large tables are embedded deflate-compressed (base64): a third of the size.
    if (!RAW.z) { return Promise.resolve(RAW); }
    var bin = atob(RAW.z), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function str(i) { return i >= 0 ? S[i] : ""; }
  function popup(t, r) {
    var box = el("div", "geomap-popup");
    var h = box.appendChild(el("h4", null, t.label));
    h.style.borderLeftColor = t.color;
    var dl = box.appendChild(el("dl"));
    [["Figures", r[7]], ["Date", r[4]], ["Place", r[5]], ["Location precision", r[6]],
     ["Actors", r[10]], ["Incident", r[11]]].forEach(function(p) {
      if (p[1] >= 0) { dl.appendChild(el("dt", null, p[0])); dl.appendChild(el("dd", null, str(p[1]))); }
    });
    if (r[8] >= 0) { box.appendChild(el("blockquote", "geomap-evidence", str(r[8]))); }
    var a = A[r[9]];
    var src = box.appendChild(el("div", "geomap-source"));
    var bits = [str(a[0]), str(a[1]), str(a[2])].filter(function(s) { return s; });
    if (bits.length) { src.appendChild(el("div", "geomap-article", bits.join(" · "))); }
    if (a[3] >= 0) {
      var url = str(a[3]);
      if (a[4] === 1 && /^https?:\\/\\//i.test(url)) {
        var link = el("a", "geomap-link", url);
        link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
        src.appendChild(link);
      } else {
        src.appendChild(el("span", "geomap-inert-url", url));
      }
    }
    return box;
  }
  function clusterIcon(t) {
    return function(c) {
      var d = el("div", null, String(c.getChildCount()));
      d.style.background = t.color;
      var w = el("div"); w.appendChild(d);
      return L.divIcon({html: w.innerHTML, className: "geomap-cluster", iconSize: L.point(38, 38)});
    };
  }
  function shown(r) {
    if (r[2] === null) { return period.undated; }
    if (period.from !== null && r[3] < period.from) { return false; }
    if (period.to !== null && r[2] > period.to) { return false; }
    return true;
  }
  function fill(x) {
    // Refill off the map: a cluster group (or canvas) fed while on the map
    // recomputes what is visible after every marker, ~5x slower.
    var parent = x.parent;
    if (parent.hasLayer(x.holder)) { parent.removeLayer(x.holder); }
    x.holder.clearLayers();
    if (D.cluster) {
      x.holder.addLayers(x.visible);
    } else {
      x.visible.forEach(function(m) { x.holder.addLayer(m); });
    }
    parent.addLayer(x.holder);
  }
  function build(data) {
  D = data; S = D.s; A = D.a;
  renderer = D.canvas ? L.canvas({padding: 0.5}) : L.svg();
  D.t.forEach(function(t, ti) {
    var holder = D.cluster
      ? L.markerClusterGroup({chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 45,
                              iconCreateFunction: clusterIcon(t)})
      : L.featureGroup();
    // Clustered: singles are small DOM dots (few are ever unclustered at once);
    // otherwise circle markers, on a canvas when there are many.
    var icon = L.divIcon({className: "geomap-dot geomap-incident geomap-type-" + t.cls, iconSize: [12, 12],
                          html: '<span style="background:' + t.color + '"></span>'});
    var markers = t.rows.map(function(r) {
      var m = D.cluster
        ? L.marker([r[0], r[1]], {icon: icon, keyboard: false})
        : L.circleMarker([r[0], r[1]], {radius: 6, weight: 1, color: "#222", fillColor: t.color,
            fillOpacity: 0.85, renderer: renderer, className: "geomap-incident geomap-type-" + t.cls});
      m._geomapRow = r;
      return m;
    });
    holder.on("click", function(e) {
      var r = e.layer && e.layer._geomapRow;
      if (!r) { return; }
      L.popup({maxWidth: 360}).setLatLng(e.layer.getLatLng()).setContent(popup(t, r)).openOn(map);
    });
    types.push({t: t, holder: holder, markers: markers, visible: markers, parent: groups[ti]});
  });
  types.forEach(fill);
  var lo = null, hi = null;
  D.t.forEach(function(t) { t.rows.forEach(function(r) {
    if (r[2] !== null && (lo === null || r[2] < lo)) { lo = r[2]; }
    if (r[3] !== null && (hi === null || r[3] > hi)) { hi = r[3]; }
  }); });
  api.range = [lo, hi];
  api.total = D.t.reduce(function(n, t) { return n + t.rows.length; }, 0);
  return api;
  }
  var loaded = load().then(build);
  api.ready = function() { return loaded; };
  api.setPeriod = function(from, to, undated) {
    period = {from: from, to: to, undated: undated !== false};
    types.forEach(function(x) {
      x.visible = x.markers.filter(function(m) { return shown(m._geomapRow); });
      fill(x);
    });
    listeners.forEach(function(f) { f(); });
  };
  api.visibleCount = function() { return types.reduce(function(n, x) { return n + x.visible.length; }, 0); };
  api.points = function() {
    var out = [];
    types.forEach(function(x) { x.visible.forEach(function(m) { out.push([m._geomapRow[0], m._geomapRow[1]]); }); });
    return out;
  };
  api.onChange = function(f) { listeners.push(f); };
  return api;
})({{ this.parent_name }}, [{{ this.group_names|join(", ") }}], {{ this.get_name() }}_data);
{% endmacro %}
"""
    )

    def __init__(self, payload: dict, groups: list[folium.FeatureGroup], *, compress: bool | str = "auto") -> None:
        super().__init__()
        self._name = "GeomapIncidents"
        text = js_value(payload)
        if compress is True or (compress == "auto" and len(text) > COMPRESS_ABOVE):
            packed = zlib.compress(text.encode("utf-8"), 6)
            text = js_value({"z": base64.b64encode(packed).decode("ascii")})
        self.payload = text  # JSON marked safe: the template inserts it as it is
        self.groups = groups

    def render(self, **kwargs) -> None:
        self.group_names = [g.get_name() for g in self.groups]
        super().render(**kwargs)


class _ClusterAssets(folium.elements.JSCSSMixin, SafeMacroElement):
    """Declares Leaflet.markercluster's files (the incident clusters are built in JS)."""

    default_js = folium.plugins.MarkerCluster.default_js
    default_css = folium.plugins.MarkerCluster.default_css
    _template = template("")


class _Heat(folium.elements.JSCSSMixin, SafeMacroElement):
    """A heat map of the incidents the time control shows."""

    default_js = folium.plugins.HeatMap.default_js
    _template = template(
        """
{% macro script(this, kwargs) %}
(function(api) {
  var heat = L.heatLayer([], {radius: 18, blur: 15, minOpacity: 0.35, maxZoom: 12});
  heat.addTo({{ this.parent_name }});
  api.ready().then(function() { heat.setLatLngs(api.points()); });
  api.onChange(function() { heat.setLatLngs(api.points()); });
})({{ this.incidents.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, incidents: _Incidents) -> None:
        super().__init__()
        self._name = "GeomapHeat"
        self.incidents = incidents


class _TimeFilter(SafeMacroElement):
    """Two date inputs that hide incidents whose period lies outside the one chosen."""

    _template = template(
        """
{% macro script(this, kwargs) %}
(function(api, map) { api.ready().then(function() {
  if (api.range[0] === null) { return; }
  function iso(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }
  function day(v) { return v ? Math.floor(Date.parse(v + "T00:00:00Z") / 86400000) : null; }
  var C = L.Control.extend({options: {position: "bottomleft"}, onAdd: function() {
    var d = L.DomUtil.create("div", "geomap-time");
    var head = L.DomUtil.create("strong", "", d); head.textContent = "Period shown";
    function input(label, name, value) {
      var l = L.DomUtil.create("label", "", d); l.textContent = label + " ";
      var i = L.DomUtil.create("input", "", l);
      i.type = "date"; i.name = name; i.min = iso(api.range[0]); i.max = iso(api.range[1]); i.value = iso(value);
      return i;
    }
    var from = input("From", "from", api.range[0]);
    var to = input("To", "to", api.range[1]);
    var ul = L.DomUtil.create("label", "", d);
    var und = L.DomUtil.create("input", "", ul); und.type = "checkbox"; und.name = "undated"; und.checked = true;
    ul.appendChild(document.createTextNode(" undated incidents"));
    var count = L.DomUtil.create("div", "geomap-time-count", d);
    function showCount() {
      count.textContent = api.visibleCount().toLocaleString("en") + " of " + api.total.toLocaleString("en") +
        " incidents shown";
    }
    function apply() { api.setPeriod(day(from.value), day(to.value), und.checked); showCount(); }
    [from, to, und].forEach(function(i) { L.DomEvent.on(i, "change", apply); });
    L.DomEvent.disableClickPropagation(d);
    showCount();
    return d;
  }});
  new C().addTo(map);
}); })({{ this.incidents.get_name() }}, {{ this.parent_name }});
{% endmacro %}
"""
    )

    def __init__(self, incidents: _Incidents) -> None:
        super().__init__()
        self._name = "GeomapTimeFilter"
        self.incidents = incidents


class _PlaceSearch(SafeMacroElement):
    """A search box over place and border-gate names; picking one flies there."""

    _template = template(
        """
{% macro script(this, kwargs) %}
(function(map, places) {
  var C = L.Control.extend({options: {position: "topleft"}, onAdd: function() {
    var d = L.DomUtil.create("div", "geomap-search");
    var list = L.DomUtil.create("datalist", "", d); list.id = "{{ this.get_name() }}_names";
    places.forEach(function(p) { var o = document.createElement("option"); o.value = p[0]; list.appendChild(o); });
    var i = L.DomUtil.create("input", "", d);
    i.type = "search"; i.placeholder = "Find a place"; i.setAttribute("list", list.id); i.name = "place";
    i.setAttribute("aria-label", "Find a place");
    var popup = L.popup(), shown = null;  // Enter fires both keydown and change: one search, one popup
    function go() {
      var q = i.value.trim().toLowerCase();
      if (!q || (q === shown && popup.isOpen())) { return; }
      shown = q;
      var hit = places.filter(function(p) { return p[0].toLowerCase() === q; })[0] ||
                places.filter(function(p) { return p[0].toLowerCase().indexOf(q) === 0; })[0] ||
                places.filter(function(p) { return p[0].toLowerCase().indexOf(q) >= 0; })[0];
      if (!hit) { return; }
      map.setView([hit[1], hit[2]], Math.max(map.getZoom(), 10));
      var box = document.createElement("div"); box.className = "geomap-popup";
      var b = document.createElement("strong"); b.textContent = hit[0]; box.appendChild(b);
      if (hit[3]) { box.appendChild(document.createTextNode(" (" + hit[3] + ")")); }
      popup.setLatLng([hit[1], hit[2]]).setContent(box).openOn(map);
    }
    L.DomEvent.on(i, "change", go);
    L.DomEvent.on(i, "keydown", function(e) { if (e.key === "Enter") { go(); } });
    L.DomEvent.disableClickPropagation(d);
    return d;
  }});
  new C().addTo(map);
})({{ this.parent_name }}, {{ this.places }});
{% endmacro %}
"""
    )

    def __init__(self, places: list[list]) -> None:
        super().__init__()
        self._name = "GeomapSearch"
        self.places = js_value(places)


class _Legend(SafeMacroElement):
    """The legend: incident colours, route and crossing symbols, choropleth classes."""

    _template = template(
        """
{% macro script(this, kwargs) %}
(function(map) {
  var C = L.Control.extend({options: {position: "bottomright"}, onAdd: function() {
    var d = L.DomUtil.create("div", "geomap-legend");
    // Built from a template over our own labels and colours; nothing from articles.
    d.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableScrollPropagation(d);
    return d;
  }});
  new C().addTo(map);
})({{ this.parent_name }});
{% endmacro %}
"""
    )
    _body = template(
        """
<details open><summary><strong>Legend</strong></summary>
{%- if types %}<h5>Incidents</h5>{% for label, color in types %}<div><i style="background:{{ color }}"></i>{{ label }}</div>{% endfor %}{% endif %}
{%- if unplaced %}<div class="geomap-unplaced">{{ unplaced }} incident{{ "s" if unplaced > 1 }} with no location, not drawn</div>{% endif %}
{%- if routes %}<h5>Routes</h5><div><span style="color:{{ route_color }}">&#9656;&#9656;</span> direction of travel</div>{% endif %}
{%- if crossings %}<div>{{ crossing_svg }} border crossing</div>{% endif %}
{%- if bins %}<h5>{{ choropleth }} per province</h5>{% for label, color in bins %}<div><i class="sq" style="background:{{ color }}"></i>{{ label }}</div>{% endfor %}{% endif %}
</details>
"""
    )

    def __init__(self, *, types, routes, crossings, bins, choropleth, unplaced: int = 0) -> None:
        super().__init__()
        self._name = "GeomapLegend"
        # Fixed template, every value autoescaped; the SVG is the code's own markup.
        self.html = render_html(
            self._body,
            types=types,
            routes=routes,
            crossings=crossings,
            crossing_svg=Markup(_CROSSING_SVG.format(color=_CROSSING_COLOR).replace('width="22" height="22"', 'width="14" height="14"')),
            route_color=_ROUTE_COLOR,
            bins=bins,
            choropleth=choropleth,
            unplaced=unplaced,
        ).strip()


class _Ready(SafeMacroElement):
    """Sets ``window.__geomapReady`` once every layer is on the map (tests, benchmarks)."""

    _template = template(
        """
{% macro script(this, kwargs) %}
window.__geomapIncidents = (window.__geomapIncidents || []).concat([{{ this.names|join(", ") }}]);
Promise.all(window.__geomapIncidents.map(function(api) { return api.ready(); })).then(function() {
  window.__geomapMap = {{ this.parent_name }};
  window.__geomapReady = true;
});
{% endmacro %}
"""
    )

    def __init__(self, incidents: list[_Incidents]) -> None:
        super().__init__()
        self._name = "GeomapReady"
        self.incidents = incidents

    def render(self, **kwargs) -> None:
        self.names = [i.get_name() for i in self.incidents]
        super().render(**kwargs)


# -- layer builders ------------------------------------------------------------------


def _geojson(frame: GeoFrame, columns: Iterable[str], *, tolerance: float) -> dict:
    """A FeatureCollection of ``frame`` with simplified, rounded geometry and text columns escaped."""
    import shapely

    keep = [c for c in columns if c in frame.columns]
    geoms = frame.geometry.values
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 10 ** -_COORD_DIGITS)
    features = []
    for record, geom in zip(frame[keep].to_dict("records"), geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {}
        for key, value in record.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                props[key] = None if isinstance(value, float) and math.isnan(value) else value
            else:
                props[key] = _html_text(value)
        features.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def _add_basemap(m: folium.Map, countries: GeoFrame | None, provinces: GeoFrame | None) -> folium.FeatureGroup | None:
    if countries is None and provinces is None:
        return None
    group = folium.FeatureGroup(name="Offline basemap (countries, provinces)", show=True)
    if countries is not None:
        folium.GeoJson(
            _geojson(countries, ["iso_a2", "name"], tolerance=_BASEMAP_TOLERANCE),
            name="countries",
            style_function=lambda _: {
                "color": "#555555", "weight": 1.5, "fillColor": "#f2efe9", "fillOpacity": 0.6,
                "className": "geomap-basemap-country",
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            control=False,
        ).add_to(group)
    if provinces is not None:
        folium.GeoJson(
            _geojson(provinces, ["province_id", "name"], tolerance=_BASEMAP_TOLERANCE),
            name="provinces",
            style_function=lambda _: {
                "color": "#999999", "weight": 0.7, "fill": False, "className": "geomap-basemap-province",
            },
            control=False,
        ).add_to(group)
    group.add_to(m)
    return group


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``value`` (at least 1)."""
    if value < 1:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    return float(max(s * exponent for s in (1, 2, 5) if s * exponent <= value))


def _bins(values: list[float]) -> list[float]:
    """Class breaks for the choropleth: 0 alone, then log-spaced round numbers up to the maximum.

    Counts of people span 1 to tens of thousands; equal intervals would put
    every province but one in the first class.
    """
    top = max((v for v in values if v > 0), default=0.0)
    if top <= 0:
        return [0.0]
    classes = len(CHOROPLETH_COLORS) - 1
    breaks = [0.0, 1.0]
    for k in range(1, classes):
        edge = _nice(10 ** (math.log10(top) * k / classes))
        if edge > breaks[-1]:
            breaks.append(edge)
    return breaks


def _add_choropleth(m: folium.Map, stats: GeoFrame | None, column: str) -> list[tuple[str, str]]:
    if stats is None or column not in stats.columns:
        return []
    values = [float(v) if _text(v) else 0.0 for v in stats[column]]
    breaks = _bins(values)

    def color(value: float) -> str:
        index = max(i for i, low in enumerate(breaks) if value >= low) if value > 0 else 0
        return CHOROPLETH_COLORS[index]

    data = _geojson(stats, ["province_id", "name", "country", "incidents", "people"], tolerance=_BASEMAP_TOLERANCE)
    for feature in data["features"]:
        raw = feature["properties"].get(column)
        value = float(raw) if isinstance(raw, (int, float)) else 0.0
        feature["properties"]["_fill"] = color(value)
    label = "People" if column == "people" else "Incidents"
    group = folium.FeatureGroup(name=f"Provinces: {label.lower()} (choropleth)", show=True)
    fields = [f for f in ("name", "incidents", "people") if f in stats.columns]
    folium.GeoJson(
        data,
        style_function=lambda f: {
            "color": "#666666", "weight": 0.8, "fillColor": f["properties"]["_fill"], "fillOpacity": 0.55,
            "className": "geomap-choropleth",
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[f.capitalize() for f in fields]),
        control=False,
    ).add_to(group)
    group.add_to(m)
    legend = []
    for i, low in enumerate(breaks):
        high = breaks[i + 1] if i + 1 < len(breaks) else None
        if low == 0:
            text = "0"
        elif high is None:
            text = f"{_number(low)} and more"
        elif high - 1 > low:
            text = f"{_number(low)}–{_number(high - 1)}"
        else:
            text = _number(low)
        legend.append((text, CHOROPLETH_COLORS[i]))
    return legend


def _add_routes(m: folium.Map, routes: GeoFrame | None, stops: GeoFrame | None) -> bool:
    if routes is None and stops is None:
        return False
    group = folium.FeatureGroup(name="Routes", show=True)
    if routes is not None:
        ordered = routes.sort_values("route_id", kind="stable") if "route_id" in routes.columns else routes
        for record, geom in zip(ordered.drop(columns="geometry").to_dict("records"), ordered.geometry, strict=True):
            if geom is None or geom.is_empty or geom.geom_type != "LineString":
                continue
            coords = [(round(lat, _COORD_DIGITS), round(lon, _COORD_DIGITS)) for lon, lat, *_ in geom.coords]
            length = _number(round(float(record["length_km"]), 1)) if _text(record.get("length_km")) else ""
            body = [f"<b>Route</b> {_html_text(record.get('route_id'))}",
                    f"<div>{_html_text(record.get('stops'))}</div>"]
            if length:
                body.append(f"<div>{length} km</div>")
            if _text(record.get("sentence")):
                body.append(f'<blockquote class="geomap-evidence">{_html_text(record.get("sentence"))}</blockquote>')
            line = folium.PolyLine(
                coords,
                color=_ROUTE_COLOR,
                weight=3,
                opacity=0.85,
                class_name="geomap-route",
                tooltip=folium.Tooltip(_html_text(record.get("stops"))),
                popup=folium.Popup('<div class="geomap-popup">' + "".join(body) + "</div>", max_width=360),
            ).add_to(group)
            folium.plugins.PolyLineTextPath(
                line, "      ►      ", repeat=True, offset=6, attributes={"fill": _ROUTE_COLOR, "font-size": "16"}
            ).add_to(group)
    if stops is not None:
        ordered = stops.sort_values(["route_id", "stop"], kind="stable") if {"route_id", "stop"} <= set(stops.columns) else stops
        for record, geom in zip(ordered.drop(columns="geometry").to_dict("records"), ordered.geometry, strict=True):
            where = _point(geom)
            if where is None:
                continue
            role = _text(record.get("role"))
            name = _text(record.get("name")) or _text(record.get("place_id"))
            folium.CircleMarker(
                where,
                radius=5,
                color=_ROUTE_COLOR,
                weight=2,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=1,
                class_name="geomap-route-stop",
                tooltip=folium.Tooltip(_html_text(f"{name} ({role})" if role else name)),
            ).add_to(group)
    group.add_to(m)
    return True


def _add_crossings(m: folium.Map, crossings: GeoFrame | None) -> bool:
    if crossings is None:
        return False
    group = folium.FeatureGroup(name="Border crossings", show=True)
    ordered = crossings.sort_values("place_id", kind="stable") if "place_id" in crossings.columns else crossings
    records = ordered.drop(columns="geometry").to_dict("records")
    where_by_id = {}
    for record, geom in zip(records, ordered.geometry, strict=True):
        where = _point(geom)
        if where is not None:
            where_by_id[_text(record.get("place_id"))] = where
    drawn_pairs = set()
    for record in records:
        pid, pair = _text(record.get("place_id")), _text(record.get("pair_id"))
        if pid in where_by_id and pair in where_by_id and (pair, pid) not in drawn_pairs:
            drawn_pairs.add((pid, pair))
            folium.PolyLine(
                [where_by_id[pid], where_by_id[pair]], color=_CROSSING_COLOR, weight=2, dash_array="4 4",
                class_name="geomap-crossing-pair",
            ).add_to(group)
    for record in records:
        pid = _text(record.get("place_id"))
        if pid not in where_by_id:
            continue
        name = _html_text(record.get("name"))
        body = f'<div class="geomap-popup"><h4>{name}</h4><div>Border crossing'
        if _text(record.get("country")):
            body += f" ({_html_text(record.get('country')).upper()})"
        body += "</div>"
        if _text(record.get("pair_name")) or _text(record.get("pair_id")):
            body += f"<div>Paired with: {_html_text(record.get('pair_name') or record.get('pair_id'))}</div>"
        body += "</div>"
        folium.Marker(
            where_by_id[pid],
            icon=folium.DivIcon(
                html=_CROSSING_SVG.format(color=_CROSSING_COLOR),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
                class_name="geomap-crossing",
            ),
            tooltip=folium.Tooltip(name),
            popup=folium.Popup(body, max_width=300),
        ).add_to(group)
    group.add_to(m)
    return True


def _search_places(places: GeoFrame | None, crossings: GeoFrame | None) -> list[list]:
    found: dict[str, list] = {}
    for frame, default_kind in ((places, ""), (crossings, "border crossing")):
        if frame is None:
            continue
        for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
            where = _point(geom)
            name = _text(record.get("name"))
            if where is None or not name or name in found:
                continue
            kind = default_kind or _text(record.get("kind")).replace("_", " ")
            found[name] = [name, where[0], where[1], kind]
    return [found[k] for k in sorted(found)]


def _move_layer_control_last(m: folium.Map) -> None:
    """LayerControl must come after the layers it lists: re-add it (one) at the end."""
    controls = [k for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    overlays = sum(1 for v in m._children.values() if isinstance(v, folium.FeatureGroup))
    # Open by default, unless the list would cover the map (all 13 incident types present).
    keep = m._children[controls[0]] if controls else folium.LayerControl(collapsed=overlays > LAYER_LIST_OPEN_MAX)
    for key in controls:
        del m._children[key]
    keep.add_to(m)


def _renumber(m: folium.Map) -> None:
    """Replace folium's random element ids by sequence numbers, so output is byte-stable.

    Children are keyed by their names in their parent (some templates print
    the key), so the keys that were the old name are renamed too.
    """
    order: list[Element] = []
    stack: list[Element] = [m.get_root()]
    seen: set[int] = set()
    while stack:
        element = stack.pop(0)
        if id(element) in seen or not isinstance(element, Element):
            continue
        seen.add(id(element))
        order.append(element)
        stack.extend(element._children.values())
        # Elements held as attributes but never added (MiniMap's tile layer, Popup's html).
        stack.extend(v for k, v in element.__dict__.items() if k != "_parent" and isinstance(v, Element))
    old_names = {id(e): e.get_name() for e in order}
    for number, element in enumerate(order, start=1):
        element._id = f"{number:06d}"
    for element in order:
        items = list(element._children.items())
        element._children.clear()
        for key, child in items:
            if key == old_names.get(id(child)):
                key = child.get_name()
            element._children[key] = child


def _new_map() -> folium.Map:
    m = folium.Map(location=(21.5, 106.0), zoom_start=6, tiles=None, max_zoom=18, control_scale=True)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", max_zoom=18, show=False).add_to(m)
    folium.TileLayer(
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        name="Light (CARTO Positron)",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
        '&copy; <a href="https://carto.com/attributions">CARTO</a>',
        subdomains="abcd",
        max_zoom=18,
    ).add_to(m)
    m._geomap_lean = True  # save_map may leave out Bootstrap/Font Awesome if nothing uses them
    return m


# -- public API ----------------------------------------------------------------------


def render(
    layers: Any,
    *,
    m: folium.Map | None = None,
    offline: bool = True,
    title: str | None = None,
    cluster: bool | str = "auto",
    heatmap: bool = True,
    choropleth: str = "people",
    time_filter: bool = True,
    search: bool = True,
    controls: bool = True,
    compress: bool | str = "auto",
) -> folium.Map:
    """Draw ``layers`` on a folium map and return the map.

    Parameters
    ----------
    layers
        A :class:`geomap.layers.Layers` (or a mapping of layer name to
        GeoDataFrame); missing or empty layers are left out.
    m
        A map to add to; a new one centred on the region when ``None``.
    offline
        Make the map's Jupyter display self-contained too (assets inlined,
        as :func:`save_map` does); ``False`` leaves folium's CDN display.
    title
        Shown in the top-right corner (as text, never HTML).
    cluster
        ``"auto"`` clusters above :data:`CLUSTER_THRESHOLD` incidents;
        ``True``/``False`` force it.
    heatmap
        Add a heat map of incidents (a layer, off until chosen).
    choropleth
        ``"people"`` or ``"incidents"``: the ``province_stats`` column shaded.
    time_filter, search, controls
        The date filter, the place search box, and fullscreen/mini-map/measure.
    compress
        ``"auto"`` embeds the incident table compressed above
        :data:`COMPRESS_ABOVE` bytes; ``True``/``False`` force it.

    Returns
    -------
    folium.Map
        ``m`` itself when given, so calls can be chained.

    Raises
    ------
    InputError
        ``m`` is not a ``folium.Map``, or an option value is unknown.
    """
    if m is not None and not isinstance(m, folium.Map):
        raise InputError(f"render: m must be a folium.Map: {type(m).__name__!r}")
    if cluster not in ("auto", True, False):
        raise InputError(f"render: cluster must be 'auto', True or False: {cluster!r}")
    if compress not in ("auto", True, False):
        raise InputError(f"render: compress must be 'auto', True or False: {compress!r}")
    if choropleth not in ("people", "incidents"):
        raise InputError(f"render: choropleth must be 'people' or 'incidents': {choropleth!r}")
    created = m is None
    if m is None:
        m = _new_map()
    _Style().add_to(m)

    countries, provinces = _layer(layers, "countries"), _layer(layers, "provinces")
    _add_basemap(m, countries, provinces)
    bins = _add_choropleth(m, _layer(layers, "province_stats"), choropleth)
    has_routes = _add_routes(m, _layer(layers, "routes"), _layer(layers, "route_stops"))
    has_crossings = _add_crossings(m, _layer(layers, "crossings"))

    incidents = _layer(layers, "incidents")
    from geomap._event_map import add_events  # an event told by several reports: one marker (issue 13)

    drawn = add_events(m, _layer(layers, "events"))
    if incidents is not None and drawn:
        incidents = incidents[~incidents["incident_id"].isin(drawn)].reset_index(drop=True)
    legend_types: list[tuple[str, str]] = []
    ready: list[_Incidents] = []
    unplaced = 0
    if incidents is not None:
        clustered = len(incidents) > CLUSTER_THRESHOLD if cluster == "auto" else bool(cluster)
        payload, unplaced = _incident_payload(incidents, cluster=clustered, canvas=len(incidents) > CLUSTER_THRESHOLD)
        groups = []
        for entry in payload["t"]:
            # The layer control inserts names as HTML: a type from a reviewed table is text.
            group = folium.FeatureGroup(name=f"{_html_text(entry['label'])} ({len(entry['rows']):,})", show=True)
            group.add_to(m)
            groups.append(group)
            legend_types.append((entry["label"], entry["color"]))
        if clustered:
            _ClusterAssets().add_to(m)
        layer = _Incidents(payload, groups, compress=compress)
        layer.add_to(m)
        ready.append(layer)
        if heatmap and groups:
            heat = folium.FeatureGroup(name="Heat map of incidents", show=False)
            heat.add_to(m)
            _Heat(layer).add_to(heat)
        if time_filter:
            _TimeFilter(layer).add_to(m)

    if search:
        names = _search_places(_layer(layers, "places"), _layer(layers, "crossings"))
        if names:
            _PlaceSearch(names).add_to(m)
    if title:
        _Title(title).add_to(m)
    _Legend(
        types=legend_types,
        routes=has_routes,
        crossings=has_crossings,
        bins=bins,
        choropleth="People" if choropleth == "people" else "Incidents",
        unplaced=unplaced,
    ).add_to(m)
    if controls:
        folium.plugins.Fullscreen(position="topleft").add_to(m)
        folium.plugins.MiniMap(toggle_display=True, position="bottomleft", zoom_level_offset=-5).add_to(m)
        folium.plugins.MeasureControl(
            position="topleft", primary_length_unit="kilometers", secondary_length_unit="miles",
            primary_area_unit="sqkilometers",
        ).add_to(m)
    if created:
        bounds = _bounds(incidents, countries if countries is not None else provinces)
        if bounds:
            m.fit_bounds(bounds)
    _move_layer_control_last(m)
    _Ready(ready).add_to(m)
    if offline:
        m._repr_html_ = functools.partial(_offline_repr_html, m)
    _renumber(m)
    return m


def _bounds(incidents: GeoFrame | None, fallback: GeoFrame | None) -> list[list[float]] | None:
    """The first view: where the incidents are.

    Country-wide figures (drawn at a country's centre) do not set the view,
    and with many incidents the 5th to 95th percentiles do, so one far-away
    venue does not shrink the border region to a corner; every incident
    stays reachable by panning or zooming out.
    """
    for frame in (incidents, fallback):
        if frame is None or len(frame) == 0:
            continue
        keep = ~(frame.geometry.is_empty | frame.geometry.isna())
        if frame is incidents and "location_precision" in frame.columns:
            precise = keep & (frame["location_precision"].fillna(0) < 6)
            if precise.any():
                keep = precise
        valid = frame.geometry[keep]
        if len(valid) == 0:
            continue
        if frame is incidents and len(valid) >= 20:
            lons, lats = valid.representative_point().x, valid.representative_point().y
            minx, maxx = lons.quantile(0.05), lons.quantile(0.95)
            miny, maxy = lats.quantile(0.05), lats.quantile(0.95)
        else:
            minx, miny, maxx, maxy = valid.total_bounds
        pad = 0.3
        return [
            [round(float(miny) - pad, 4), round(float(minx) - pad, 4)],
            [round(float(maxy) + pad, 4), round(float(maxx) + pad, 4)],
        ]
    return None


def _uses_icons(m: folium.Map) -> bool:
    """True when an element needs Bootstrap / Font Awesome (folium.Icon and friends)."""
    stack = [m.get_root()]
    while stack:
        element = stack.pop()
        if isinstance(element, folium.Icon) or "awesome" in type(element).__name__.lower():
            return True
        if "beautify" in type(element).__name__.lower():
            return True
        stack.extend(getattr(element, "_children", {}).values())
    return False


def _page(m: folium.Map, *, offline: bool) -> str:
    """The full HTML page of ``m``: ids renumbered, assets inlined when ``offline``."""
    from geomap._assets import ICON_ASSETS, inline_assets

    _renumber(m)
    page = m.get_root().render()
    if offline:
        drop = ICON_ASSETS if getattr(m, "_geomap_lean", False) and not _uses_icons(m) else ()
        page = inline_assets(page, drop=drop)
    return page


def _offline_repr_html(m: folium.Map, **kwargs: Any) -> str:
    """Jupyter display of ``m`` with every asset inlined, so it shows with no network too."""
    root = m.get_root()
    if not isinstance(root, Figure):
        return folium.Map._repr_html_(m, **kwargs)
    srcdoc = html.escape(_page(m, offline=True))
    return (
        f'<div style="width:{root.width};"><div style="position:relative;width:100%;height:0;'
        f'padding-bottom:{root.ratio};"><iframe srcdoc="{srcdoc}" style="position:absolute;width:100%;'
        'height:100%;left:0;top:0;border:none !important;" allowfullscreen></iframe></div></div>'
    )


def save_map(m: folium.Map, path: str | Path, *, offline: bool = True) -> Path:
    """Write ``m`` as one HTML file, atomically; return its path.

    With ``offline=True`` (the default) every Leaflet and plugin script and
    stylesheet is embedded, so the page needs no network but for map tiles;
    an external asset with no local copy raises
    :class:`geomap._assets.OfflineAssetError` naming it, and nothing is
    written.  ``offline=False`` keeps folium's CDN links (a smaller file that
    needs the internet).
    """
    if not isinstance(m, folium.Map):
        raise InputError(f"save_map: expected a folium.Map: {type(m).__name__!r}")
    return write_text(path, _page(m, offline=offline))
