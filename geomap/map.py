"""The interactive map: :class:`~geomap.layers.Layers` drawn with folium.

:func:`render` adds the layers to a folium map (a new one, or one of yours)
and returns it; :func:`save_map` writes it as one HTML file that, by default,
fetches nothing from the network but map tiles.

Design, chosen for scale (200,000 incidents and 40,000 routes in a page that
is ready in seconds): the data is one payload (:mod:`geomap._mappayload`:
the incident columns as deflated binary typed arrays, the detail strings
apart and read once the map is drawn), embedded as a
``<script type="application/json">`` element (its JSON deflated above
:data:`COMPRESS_ABOVE`), and fixed JavaScript shipped with the package
(``geomap/_web/geomap.js``) draws, filters and aggregates it in the browser:

- an event told by several reports is one marker (its report placed most
  precisely stands for it in the counts, filters, timeline and table), its
  popup listing each report and saying when their counts disagree; any
  other incident is one marker of its own;
- incidents drawn at one point are one *site*, a circle with their number;
  near sites are clustered on a grid at every zoom; clicking a site lists
  every incident there, and each opens its popup.  Exact places are drawn
  solid, district and province figures hollow, border figures dashed;
  country-wide figures are listed by country in the legend, not drawn;
- one set of filters (period, types, location precision, country, province,
  source, words in the evidence) applies to the sites, heat map, province
  shading, routes, per-type counts, the timeline and the table under the map;
- provinces are shaded by one measure the user picks (incidents, people
  smuggled or trafficked, people repatriated, drugs in kg, crossings), over
  the units valid at the end of the period, with natural-breaks classes;
- the filtered incidents export as CSV and GeoJSON, the view as PNG, and the
  view and filters live in the page's URL (``#...``), so a link reopens them.

No data is ever template source: the payload and the script reach the page
as raw elements that no template renders, and the page inserts every string
with ``textContent``.  Colours: :data:`TYPE_COLORS`.

Examples
--------
>>> m = render(layers, title="Border activity 2024-2025")  # doctest: +SKIP
>>> save_map(m, "output/map.html")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import html
import json
import math
import warnings
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import folium.elements
import folium.plugins
from branca.element import Element, Figure

from geomap._errors import InputError
from geomap._io import OutputDir
from geomap._mappayload import MEASURES, TYPE_COLORS, TYPE_LABELS, latlon, layer, pack, payload, text
from geomap._templates import SafeMacroElement, Verbatim, js_value, render_html, template
from geomap._templates import html_text as _html_text

if TYPE_CHECKING:
    from geopandas import GeoDataFrame as GeoFrame

__all__ = [
    "COMPRESS_ABOVE",
    "MEASURE_NAMES",
    "TYPE_COLORS",
    "TYPE_LABELS",
    "render",
    "save_map",
]

#: What ``render(shade=...)`` accepts: the measures provinces can be shaded by.
MEASURE_NAMES = tuple(key for key, _, _ in MEASURES)

#: The layer control starts open when the map has at most this many overlays.
LAYER_LIST_OPEN_MAX = 4

#: With ``compress="auto"``, a payload larger than this (bytes of JSON) is
#: embedded deflate-compressed and unpacked in the browser
#: (``DecompressionStream``): about a third of the size.
COMPRESS_ABOVE = 1_000_000

#: Height of the timeline and table under the map.
PANEL_HEIGHT = "260px"

_CROSSING_COLOR = "#b30000"
_COORD_DIGITS = 5  # ~1 m: finer figures would only grow the page
_BASEMAP_TOLERANCE = 0.01  # degrees (~1 km): the basemap is context, not survey data
_MINIMAP_TOLERANCE = 0.05

_CROSSING_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22">'
    '<rect x="1" y="1" width="20" height="20" rx="4" fill="#ffffff" stroke="{color}" stroke-width="2"/>'
    '<path d="M5 17V8l6-4 6 4v9M8 17v-5h6v5" fill="none" stroke="{color}" stroke-width="2"/></svg>'
)


# -- small helpers -------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _web(name: str) -> str:
    """One of the page's own files (``geomap/_web``): the map application and its stylesheet."""
    return resources.files("geomap").joinpath(f"_web/{name}").read_text(encoding="utf-8")


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




class _App(folium.elements.JSCSSMixin, SafeMacroElement):
    """The map application: its data, its script and stylesheet, the panel under the map."""

    default_js = [*folium.plugins.HeatMap.default_js, *folium.plugins.MiniMap.default_js]
    default_css = list(folium.plugins.MiniMap.default_css)
    _template = template("")

    def __init__(self, data: dict, groups: dict[str, folium.FeatureGroup], options: dict, *, compress: bool | str) -> None:
        super().__init__()
        self._name = "GeomapApp"
        body = js_value(pack(data, compress=compress is True))
        if compress == "auto" and len(body) > COMPRESS_ABOVE:
            body = js_value(pack(data, compress=True))
        self.body = body
        self.groups = groups
        self.options = options

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        figure = self.get_root()
        name = self.get_name()
        map_name = self._parent.get_name()
        panel = f"{name}_panel" if self.options.get("panel") else ""
        style = _web("geomap.css")
        if panel:
            style += f"#{map_name}{{height:calc(100% - {PANEL_HEIGHT})!important}}:root{{--geomap-panel:{PANEL_HEIGHT}}}\n"
        figure.header.add_child(Verbatim(f"<style>{style}</style>"), name="geomap_css")
        figure.header.add_child(Verbatim(f"<script>{_web('geomap.js')}</script>"), name="geomap_js")
        page = f'<script type="application/json" id="{name}_data">{self.body}</script>'
        if panel:
            page += f'<div class="geomap-panel" id="{panel}"></div>'
        figure.html.add_child(Verbatim(page), name=name)
        groups = ", ".join(f"{json.dumps(k)}: {g.get_name()}" for k, g in self.groups.items())
        options = js_value({**self.options, "panel": panel})
        start = f'var {name} = geomapStart({map_name}, "{name}_data", {{{groups}}}, {options});'
        figure.script.add_child(Verbatim(start), name=name)



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
    group = _mark(folium.FeatureGroup(name="Offline basemap (countries, provinces)", show=True))
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



def _add_crossings(m: folium.Map, crossings: GeoFrame | None, *, show: bool) -> bool:
    """Border gates, in a pane beneath the incidents (and off at first): they never take an incident's click."""
    if crossings is None:
        return False
    pane = _mark(folium.map.CustomPane("geomapCrossings", z_index=590))
    pane.add_to(m)
    group = folium.FeatureGroup(name="Border crossings", show=show)
    group._geomap = True
    ordered = crossings.sort_values("place_id", kind="stable") if "place_id" in crossings.columns else crossings
    records = ordered.drop(columns="geometry").to_dict("records")
    where_by_id = {}
    for record, geom in zip(records, ordered.geometry, strict=True):
        where = latlon(geom)
        if where is not None:
            where_by_id[text(record.get("place_id"))] = where
    drawn_pairs = set()
    for record in records:
        pid, pair = text(record.get("place_id")), text(record.get("pair_id"))
        if pid in where_by_id and pair in where_by_id and (pair, pid) not in drawn_pairs:
            drawn_pairs.add((pid, pair))
            folium.PolyLine(
                [where_by_id[pid], where_by_id[pair]], color=_CROSSING_COLOR, weight=2, dash_array="4 4",
                class_name="geomap-crossing-pair", pane="geomapCrossings",
            ).add_to(group)
    for record in records:
        pid = text(record.get("place_id"))
        if pid not in where_by_id:
            continue
        name = _html_text(record.get("name"))
        body = f'<div class="geomap-popup"><h4>{name}</h4><div>Border crossing'
        if text(record.get("country")):
            body += f" ({_html_text(record.get('country')).upper()})"
        body += "</div>"
        if text(record.get("pair_name")) or text(record.get("pair_id")):
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
            pane="geomapCrossings",
        ).add_to(group)
    group.add_to(m)
    return True


def _search_places(places: GeoFrame | None, crossings: GeoFrame | None) -> list[list]:
    found: dict[str, list] = {}
    for frame, default_kind in ((places, ""), (crossings, "border crossing")):
        if frame is None:
            continue
        for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
            where = latlon(geom)
            name = text(record.get("name"))
            if where is None or not name or name in found:
                continue
            kind = default_kind or text(record.get("kind")).replace("_", " ")
            found[name] = [name, where[0], where[1], kind]
    return [found[k] for k in sorted(found)]


def _move_layer_control_last(m: folium.Map) -> None:
    """LayerControl must come after the layers it lists: re-add it (one) at the end."""
    controls = [k for k, v in m._children.items() if isinstance(v, folium.LayerControl)]
    overlays = sum(1 for v in m._children.values() if isinstance(v, folium.FeatureGroup))
    # Open by default, unless the list would cover the map.
    keep = m._children[controls[0]] if controls else folium.LayerControl(collapsed=overlays > LAYER_LIST_OPEN_MAX)
    keep._geomap = False  # a user's control stays; ours is kept across renders too
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
    shade: str | None = "incidents",
    time_filter: bool = True,
    search: bool = True,
    controls: bool = True,
    panel: bool = True,
    crossings: bool = False,
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
        Layers you add to it afterwards join the same layer control.
    offline
        Make the map's Jupyter display self-contained too (assets inlined,
        as :func:`save_map` does); ``False`` leaves folium's CDN display.
    title
        Shown in the top-right corner (as text, never HTML).
    cluster
        ``"auto"`` or ``True``: near incident sites are drawn as one counted
        circle until zoomed in; ``False`` draws every site.
    heatmap
        Add a heat map of incidents (a layer, off until chosen).
    shade
        The measure provinces are first shaded by (one of
        :data:`MEASURE_NAMES`); the page can switch it.  ``None``: no shading.
    time_filter
        The filters (period, types, precision, place, source, words) on the map.
    search, controls
        The place search box, and fullscreen/mini-map/measure.
    panel
        The timeline and table under the map.
    crossings
        Show border crossings at first (they are a layer, drawn beneath incidents).
    compress
        ``"auto"`` embeds the data compressed above :data:`COMPRESS_ABOVE`
        bytes; ``True``/``False`` force it.

    Returns
    -------
    folium.Map
        ``m`` itself when given, so calls can be chained.

    Raises
    ------
    InputError
        ``layers`` is not layers, ``m`` is not a ``folium.Map``, or an option value is unknown.
    """
    from geomap.layers import Layers

    if not isinstance(layers, (Layers, Mapping)) and not hasattr(layers, "incidents"):
        raise InputError(
            f"render: layers must be geomap Layers (from build_layers) or a mapping of layer name to "
            f"GeoDataFrame: {type(layers).__name__!r}"
        )
    if m is not None and not isinstance(m, folium.Map):
        raise InputError(f"render: m must be a folium.Map: {type(m).__name__!r}")
    if cluster not in ("auto", True, False):
        raise InputError(f"render: cluster must be 'auto', True or False: {cluster!r}")
    if compress not in ("auto", True, False):
        raise InputError(f"render: compress must be 'auto', True or False: {compress!r}")
    if shade is not None and shade not in MEASURE_NAMES:
        raise InputError(f"render: shade must be one of {', '.join(MEASURE_NAMES)} or None: {shade!r}")
    created = m is None
    if m is None:
        m = _new_map()
    _remove_earlier_render(m)

    countries, provinces = layer(layers, "countries"), layer(layers, "provinces")
    _add_basemap(m, countries, provinces)
    data, unplaced = payload(layers)
    if unplaced:
        warnings.warn(f"{unplaced} incident(s) without a usable geometry left off the map", stacklevel=2)
    groups: dict[str, folium.FeatureGroup] = {}
    if shade is not None and data["units"]["id"]:
        groups["shading"] = folium.FeatureGroup(name="Provinces shaded (measure in the filters)", show=True)
    if data["routes"]["id"]:
        groups["routes"] = folium.FeatureGroup(name="Routes (stops in order)", show=True)
    if data["inc"]["id"]:
        groups["sites"] = folium.FeatureGroup(name="Incidents", show=True)
        if heatmap:
            groups["heat"] = folium.FeatureGroup(name="Heat map of incidents", show=False)
    for group in groups.values():
        group._geomap = True
        group.add_to(m)
    _add_crossings(m, layer(layers, "crossings"), show=crossings)
    if controls and countries is not None:
        data["outline"] = _geojson(countries, ["iso_a2"], tolerance=_MINIMAP_TOLERANCE)
    options = {
        "title": title or "",
        "measure": shade or "incidents",
        "cluster": cluster is not False,
        "filters": time_filter,
        "panel": panel,
        "minimap": controls,
        "unplaced": unplaced,
    }
    app = _App(data, groups, options, compress=compress)
    app._geomap = True
    app.add_to(m)
    if search:
        names = _search_places(layer(layers, "places"), layer(layers, "crossings"))
        if names:
            _mark(_PlaceSearch(names)).add_to(m)
    if title:
        _mark(_Title(title)).add_to(m)
    if controls:
        _mark(folium.plugins.Fullscreen(position="topleft")).add_to(m)
        _mark(
            folium.plugins.MeasureControl(
                position="topleft", primary_length_unit="kilometers", secondary_length_unit="miles",
                primary_area_unit="sqkilometers",
            )
        ).add_to(m)
    if created:
        bounds = _bounds(layer(layers, "incidents"), countries if countries is not None else provinces)
        if bounds:
            m.fit_bounds(bounds)
    _move_layer_control_last(m)
    _mark(_Ready([app])).add_to(m)
    if offline:
        m._repr_html_ = functools.partial(_offline_repr_html, m)
    _renumber(m)
    return m


def _mark(element: Element) -> Element:
    """Tag an element as geomap's, so that rendering again replaces it rather than adding a second."""
    element._geomap = True
    return element


def _remove_earlier_render(m: folium.Map) -> None:
    """Rendering into the same map twice gives one set of geomap layers, not two."""
    for key in [k for k, v in m._children.items() if getattr(v, "_geomap", False)]:
        del m._children[key]


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

    _move_layer_control_last(m)  # after any layer added since render()
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


def save_map(m: folium.Map, path: str | Path, *, offline: bool = True, overwrite: bool = False) -> Path:
    """Write ``m`` as one HTML file, atomically; return its path.

    With ``offline=True`` (the default) every Leaflet and plugin script and
    stylesheet is embedded, so the page needs no network but for map tiles;
    an external asset with no local copy raises
    :class:`geomap._assets.OfflineAssetError` naming it, and nothing is
    written.  ``offline=False`` keeps folium's CDN links (a smaller file that
    needs the internet).

    As the command line does, a file at ``path`` is replaced only if geomap
    wrote it and nobody edited it since (``overwrite=True`` replaces it
    anyway); the folder's manifest records the page
    (:class:`geomap._io.OutputDir`).
    """
    if not isinstance(m, folium.Map):
        raise InputError(f"save_map: expected a folium.Map: {type(m).__name__!r}")
    path = Path(path)
    out = OutputDir(path.parent, overwrite=overwrite)
    out.check(path.name)
    page = _page(m, offline=offline)
    out.prepare()
    return out.write_text(path.name, page)
