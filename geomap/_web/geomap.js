/* geomap's map application: fixed code, shipped with the package and inlined in every map.
 *
 * It reads one JSON payload (a script element of type application/json) and draws,
 * filters and aggregates in the browser, so that one set of filters (period, types,
 * location precision, country, province, source, text) applies to the incident sites,
 * heat map, shading, routes, per-type counts, timeline and table alike.  Text from
 * articles is only ever inserted with textContent.  No network is used.
 */
(function () {
  "use strict";

  var PRECISION = {1: "exact", 2: "near", 3: "district", 4: "province", 5: "border", 6: "country"};
  var MEASURES = [
    ["incidents", "Incidents (events counted once)"],
    ["smuggled", "People smuggled or trafficked"],
    ["repatriated", "People repatriated"],
    ["drugs_kg", "Drugs seized (kg)"],
    ["crossings", "Border crossings (people)"]
  ];
  var SHADES = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  var CELL = 44; // px: sites closer than this at the current zoom are drawn as one cluster
  var TABLE_MARGIN = 15; // table rows drawn beyond those in view, above and below
  var MAX_LEGS = 4000; // route legs drawn at once on the canvas: the busiest in view (zoom in for the rest)
  var SVG_LEGS = 1500; // route legs and stops drawn as SVG elements up to this many, on one canvas above (RouteLayer)
  var DAY = 86400000;
  var NO_DAY = -2147483648; // a day column's "no date" (``_mappayload.NO_DAY``)
  var ARRAYS = {i4: Int32Array, u1: Uint8Array, f8: Float64Array, i2: Int16Array};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  /** The colour of class k of n: spread over the palette, lightest first. */
  function shadeColor(k, n) { return SHADES[n <= 1 ? SHADES.length - 1 : Math.round(k * (SHADES.length - 1) / (n - 1))]; }
  function iso(d) { return d === null || d === undefined || d === NO_DAY ? "" : new Date(d * DAY).toISOString().slice(0, 10); }
  function dayOf(v) { return v ? Math.floor(Date.parse(v + "T00:00:00Z") / DAY) : null; }
  function fmt(n) {
    if (n === null || n === undefined) { return ""; }
    return (Math.round(n * 100) / 100).toLocaleString("en");
  }
  function monthOf(d) { var t = new Date(d * DAY); return t.getUTCFullYear() * 12 + t.getUTCMonth(); }
  function monthStart(m) { return Math.floor(Date.UTC(Math.floor(m / 12), m % 12, 1) / DAY); }
  function monthLabel(m) { return Math.floor(m / 12) + "-" + ("0" + (m % 12 + 1)).slice(-2); }

  /** Jenks natural breaks (Fisher's exact optimisation, as mapclassify.FisherJenks): upper bounds of k classes. */
  function jenks(values, k) {
    var data = values.slice().sort(function (a, b) { return a - b; });
    var distinct = data.filter(function (v, i) { return i === 0 || v !== data[i - 1]; });
    if (distinct.length <= k) { return distinct; }
    var n = data.length, i, j, m;
    var lower = [], variance = [];
    for (i = 0; i <= n; i++) {
      lower.push(new Array(k + 1).fill(0));
      variance.push(new Array(k + 1).fill(i === 0 ? 0 : Infinity));
    }
    for (j = 1; j <= k; j++) { lower[1][j] = 1; variance[1][j] = 0; }
    for (i = 2; i <= n; i++) {
      var s1 = 0, s2 = 0, w = 0, v = 0;
      for (m = 1; m <= i; m++) {
        var low = i - m + 1, val = data[low - 1];
        s2 += val * val; s1 += val; w += 1;
        v = s2 - (s1 * s1) / w;
        var before = low - 1;
        if (before !== 0) {
          for (j = 2; j <= k; j++) {
            if (variance[i][j] >= v + variance[before][j - 1]) {
              lower[i][j] = low; variance[i][j] = v + variance[before][j - 1];
            }
          }
        }
      }
      lower[i][1] = 1; variance[i][1] = v;
    }
    var breaks = new Array(k), at = n;
    for (j = k; j >= 1; j--) { breaks[j - 1] = data[at - 1]; at = lower[at][j] - 1; }
    return breaks;
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; } // never a formula in a spreadsheet
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  var handedOver = []; // the names of the files handed to the browser to download, in order (tests wait on it)

  function download(name, blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    handedOver.push(name);
    // The browser reads the blob when the download starts, which a busy machine can delay by seconds:
    // the URL is revoked a minute later, not at once (a revoked URL is a download that never starts).
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 60000);
  }

  /** The bytes of a deflated, base64 block, as a Response to read as text or an ArrayBuffer. */
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")));
  }

  /** The payload (``_mappayload.pack``): the core JSON and the incident columns as typed arrays over one binary block.
   *  The detail strings (evidence, ids, figures, titles) stay packed in ``D.xz`` until ``App.loadDetails``. */
  function load(node) {
    var raw = JSON.parse(node.textContent);
    var core = raw.z ? inflate(raw.z).text().then(JSON.parse) : Promise.resolve(raw);
    return Promise.all([core, inflate(raw.bin).arrayBuffer()]).then(function (got) {
      var D = got[0], buf = got[1], inc = {};
      D.cols.forEach(function (c) { inc[c[0]] = new ARRAYS[c[1]](buf, c[2], D.n); });
      D.inc = inc;
      if (raw.xz) { D.xz = raw.xz; }
      return D;
    });
  }

  // -- the incident sites, drawn and clustered on one canvas ----------------------------

  /** A canvas over the map's view in its own pane (above ``zIndex``), taking no pointer events. */
  function viewCanvas(map, paneName, zIndex, className) {
    var pane = map.getPane(paneName) || map.createPane(paneName);
    pane.style.zIndex = zIndex;
    pane.style.pointerEvents = "none";
    return L.DomUtil.create("canvas", className + " leaflet-zoom-hide", pane);
  }

  /** Lay ``canvas`` over the map's current view at the screen's pixel ratio; its 2D context, in CSS pixels. */
  function fitCanvas(map, canvas) {
    var size = map.getSize(), ratio = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }

  var SiteLayer = L.Layer.extend({
    initialize: function (app) { this.app = app; this.items = []; },
    onAdd: function (map) {
      this._map = map;
      this.canvas = viewCanvas(map, "geomapSites", 620, "geomap-sites-canvas");
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      // Clicks are taken before any layer beneath (routes, shading, crossings) sees them:
      // an incident is never hidden by what is drawn under it.
      var self = this, box = map.getContainer();
      this._down = function (e) { self._at = [e.clientX, e.clientY]; };
      this._capture = function (e) {
        if (e.target.closest && e.target.closest(".leaflet-popup, .leaflet-control")) { return; }
        if (self._at && Math.abs(self._at[0] - e.clientX) + Math.abs(self._at[1] - e.clientY) > 4) { return; }
        if (self._click(map.mouseEventToContainerPoint(e))) { e.stopPropagation(); }
      };
      this._move = function (e) {
        if (e.target.closest && e.target.closest(".leaflet-popup, .leaflet-control")) { return; }
        var hit = self.hit(map.mouseEventToContainerPoint(e));
        box.classList.toggle("geomap-over-site", !!hit);
      };
      box.addEventListener("mousedown", this._down, true);
      box.addEventListener("click", this._capture, true);
      box.addEventListener("mousemove", this._move, true);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      var box = map.getContainer();
      box.removeEventListener("mousedown", this._down, true);
      box.removeEventListener("click", this._capture, true);
      box.removeEventListener("mousemove", this._move, true);
      L.DomUtil.remove(this.canvas);
      this.items = [];
    },
    redraw: function () {
      if (!this._map) { return; }
      var map = this._map, app = this.app, size = map.getSize();
      var ctx = fitCanvas(map, this.canvas);
      var cells = {}, order = [], zoom = map.getZoom(), single = !app.opts.cluster || zoom >= map.getMaxZoom() - 2;
      var bounds = map.getBounds().pad(0.2);
      for (var s = 0; s < app.sites.length; s++) {
        var n = app.siteCount[s];
        if (!n) { continue; }
        var site = app.sites[s];
        if (!bounds.contains([site[0], site[1]])) { continue; }
        var p = map.latLngToContainerPoint([site[0], site[1]]);
        var key = single ? "s" + s : Math.floor(p.x / CELL) + ":" + Math.floor(p.y / CELL);
        var cell = cells[key];
        if (!cell) { cell = cells[key] = {sites: [], n: 0, x: 0, y: 0, types: {}, prec: 9}; order.push(cell); }
        cell.sites.push(s); cell.n += n; cell.x += p.x * n; cell.y += p.y * n;
        cell.prec = Math.min(cell.prec, site[3] || 9);
        for (var t = 0; t < app.nTypes; t++) {
          var k = app.siteTypes[s * app.nTypes + t];
          if (k) { cell.types[t] = (cell.types[t] || 0) + k; }
        }
      }
      this.items = order.map(function (c) {
        var best = null, most = -1;
        for (var t in c.types) { if (c.types[t] > most) { most = c.types[t]; best = +t; } }
        var r = Math.min(26, 6 + 3.2 * Math.log(c.n) / Math.LN2 * 0.9);
        return {x: c.x / c.n, y: c.y / c.n, r: r, n: c.n, sites: c.sites, color: app.types[best][2],
                mixed: Object.keys(c.types).length > 1, prec: c.prec};
      });
      this.items.sort(function (a, b) { return b.r - a.r; }); // small ones on top, each clickable
      ctx.font = "bold 11px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      this.items.forEach(function (it) {
        ctx.beginPath(); ctx.arc(it.x, it.y, it.r, 0, 2 * Math.PI);
        var hollow = it.sites.length === 1 && it.prec >= 3 && it.prec <= 5;
        ctx.globalAlpha = 0.9;
        ctx.fillStyle = hollow ? "#ffffff" : it.color; ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = hollow ? 3 : 1.5;
        ctx.strokeStyle = hollow ? it.color : (it.mixed ? "#111111" : "#ffffff");
        ctx.setLineDash(it.prec === 5 && it.sites.length === 1 ? [4, 3] : []);
        ctx.stroke(); ctx.setLineDash([]);
        if (it.n > 1) {
          ctx.fillStyle = hollow ? "#111111" : "#ffffff";
          ctx.lineWidth = 3; ctx.strokeStyle = hollow ? "#ffffff" : "rgba(0,0,0,.55)";
          ctx.strokeText(String(it.n), it.x, it.y); ctx.fillText(String(it.n), it.x, it.y);
        }
      });
    },
    hit: function (point) {
      for (var i = this.items.length - 1; i >= 0; i--) {
        var it = this.items[i], dx = it.x - point.x, dy = it.y - point.y;
        if (dx * dx + dy * dy <= (it.r + 3) * (it.r + 3)) { return it; }
      }
      return null;
    },
    _click: function (point) {
      var it = this.hit(point);
      if (!it) { return false; }
      var app = this.app, map = this._map;
      if (it.sites.length > 1 && map.getZoom() < map.getMaxZoom() - 2) {
        var b = L.latLngBounds(it.sites.map(function (s) { return [app.sites[s][0], app.sites[s][1]]; }));
        if (b.getNorthEast().distanceTo(b.getSouthWest()) > 1) { map.fitBounds(b.pad(0.3), {animate: false}); return true; }
      }
      app.openSites(it.sites, map.containerPointToLatLng([it.x, it.y]));
      return true;
    }
  });

  // -- routes past SVG_LEGS legs: one canvas, drawn from typed arrays ---------------------

  /** Web Mercator at zoom 0 (256 px a world), as Leaflet's EPSG:3857 projects: x, y of each lat/lon pair. */
  function project0(lat, lon, out, k) {
    var d = Math.PI / 180, max = 85.0511287798, s = Math.sin(Math.max(Math.min(max, lat), -max) * d);
    out[k] = 128 + 128 * lon / 180;
    out[k + 1] = 128 - 128 * Math.log((1 + s) / (1 - s)) / (2 * Math.PI);
  }

  /** Every route leg and stop on one canvas: legs that are shown drawn in a few strokes (one per width),
   *  arrows where a leg is long enough on screen; a click near a leg lists its routes, a stop names itself. */
  var RouteLayer = L.Layer.extend({
    initialize: function (app) {
      var R = app.routes, k;
      this.app = app;
      this.legXY = new Float64Array(R.legs.length * 4);
      for (k = 0; k < R.legs.length; k++) {
        var g = R.legs[k];
        project0(g[0], g[1], this.legXY, 4 * k); project0(g[2], g[3], this.legXY, 4 * k + 2);
      }
      this.stopXY = new Float64Array(R.stops.length * 2);
      for (k = 0; k < R.stops.length; k++) { project0(R.stops[k][0], R.stops[k][1], this.stopXY, 2 * k); }
      this.drawnLegs = new Int32Array(0); this.drawnXY = new Float32Array(0); this.nDrawn = 0;
      this.drawnStops = [];
    },
    onAdd: function (map) {
      this._map = map;
      this.canvas = viewCanvas(map, "geomapRoutes", 450, "geomap-routes-canvas");
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
      if (this._tip) { map.closeTooltip(this._tip); }
      L.DomUtil.remove(this.canvas);
      this.nDrawn = 0; this.drawnStops = [];
    },
    /** The container pixel of a zoom-0 point, for the map's current zoom and pan. */
    _transform: function () {
      var map = this._map, scale = map.options.crs.scale(map.getZoom()) / 256;
      var origin = map.getPixelOrigin(), pane = map._getMapPanePos();
      return [scale, pane.x - origin.x, pane.y - origin.y];
    },
    redraw: function () {
      if (!this._map) { return; }
      var map = this._map, app = this.app, size = map.getSize(), R = app.routes;
      var ctx = fitCanvas(map, this.canvas);
      var count = app.legCount, used = app.stopUsed;
      if (!count) { return; }
      var tr = this._transform(), s = tr[0], ox = tr[1], oy = tr[2], xy = this.legXY, W = size.x, H = size.y;
      var nLegs = R.legs.length, inView = new Int32Array(nLegs), m = 0, k, c;
      for (k = 0; k < nLegs; k++) {
        if (!count[k]) { continue; }
        var x0 = xy[4 * k] * s + ox, y0 = xy[4 * k + 1] * s + oy, x1 = xy[4 * k + 2] * s + ox, y1 = xy[4 * k + 3] * s + oy;
        if ((x0 < 0 && x1 < 0) || (x0 > W && x1 > W) || (y0 < 0 && y1 < 0) || (y0 > H && y1 > H)) { continue; }
        inView[m++] = k;
      }
      // More legs in view than can be drawn legibly (and quickly): the busiest MAX_LEGS, the rest as the user zooms in.
      var floor = 0, atFloor = MAX_LEGS;
      if (m > MAX_LEGS) {
        var hist = {}, levels = [];
        for (k = 0; k < m; k++) { c = count[inView[k]]; if (!hist[c]) { hist[c] = 0; levels.push(c); } hist[c]++; }
        levels.sort(function (a, b) { return b - a; });
        var taken = 0;
        for (k = 0; k < levels.length; k++) {
          if (taken + hist[levels[k]] >= MAX_LEGS) { floor = levels[k]; atFloor = MAX_LEGS - taken; break; }
          taken += hist[levels[k]];
        }
      }
      this.legsInView = m;
      var drawnLegs = new Int32Array(Math.min(m, MAX_LEGS)), drawnXY = new Float32Array(drawnLegs.length * 4);
      var half = new Float32Array(drawnLegs.length), byWidth = {}, n = 0;
      for (var i = 0; i < m; i++) {
        k = inView[i]; c = count[k];
        if (c < floor || (c === floor && atFloor-- <= 0)) { continue; }
        drawnLegs[n] = k;
        drawnXY[4 * n] = xy[4 * k] * s + ox; drawnXY[4 * n + 1] = xy[4 * k + 1] * s + oy;
        drawnXY[4 * n + 2] = xy[4 * k + 2] * s + ox; drawnXY[4 * n + 3] = xy[4 * k + 3] * s + oy;
        var w = Math.min(10, Math.round(2 * (2 + 1.5 * Math.log(c) / Math.LN2)) / 2);
        (byWidth[w] = byWidth[w] || []).push(n);
        half[n] = w / 2 + 3;
        n++;
      }
      this.drawnLegs = drawnLegs; this.drawnXY = drawnXY; this.nDrawn = n; this.drawnHalf = half;
      // Opaque strokes of a few hundred segments each: one translucent path of tens of thousands of
      // crossing segments takes a software rasteriser minutes.
      ctx.strokeStyle = "#2d4a80";
      Object.keys(byWidth).map(Number).sort(function (a, b) { return a - b; }).forEach(function (w) {
        var list = byWidth[w];
        ctx.lineWidth = w;
        for (var j0 = 0; j0 < list.length; j0 += 256) {
          ctx.beginPath();
          for (var j = j0; j < Math.min(list.length, j0 + 256); j++) {
            var q = 4 * list[j], ax = drawnXY[q], ay = drawnXY[q + 1], bx = drawnXY[q + 2], by = drawnXY[q + 3];
            ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
            var dx = bx - ax, dy = by - ay, len = Math.sqrt(dx * dx + dy * dy);
            if (len > 40) {  // an arrow at the middle: the direction of travel
              var ux = dx / len, uy = dy / len, mx = (ax + bx) / 2, my = (ay + by) / 2, a = 7;
              ctx.moveTo(mx - ux * a - uy * a * 0.6, my - uy * a + ux * a * 0.6); ctx.lineTo(mx, my);
              ctx.lineTo(mx - ux * a + uy * a * 0.6, my - uy * a - ux * a * 0.6);
            }
          }
          ctx.stroke();
        }
      });
      var sxy = this.stopXY, stops = [];
      ctx.beginPath();
      for (k = 0; k < R.stops.length; k++) {
        if (!used[k]) { continue; }
        var px = sxy[2 * k] * s + ox, py = sxy[2 * k + 1] * s + oy;
        if (px < -5 || py < -5 || px > W + 5 || py > H + 5) { continue; }
        stops.push([k, px, py]);
        ctx.moveTo(px + 4, py); ctx.arc(px, py, 4, 0, 2 * Math.PI);
      }
      ctx.fillStyle = "#ffffff"; ctx.fill(); ctx.lineWidth = 2; ctx.strokeStyle = "#1f3b73"; ctx.stroke();
      this.drawnStops = stops;
    },
    /** The shown leg nearest the container point (within its half width and 3 px), or -1. */
    legAt: function (p) {
      var best = -1, bestD = Infinity, xy = this.drawnXY, half = this.drawnHalf;
      for (var j = 0; j < this.nDrawn; j++) {
        var q = 4 * j, ax = xy[q], ay = xy[q + 1], dx = xy[q + 2] - ax, dy = xy[q + 3] - ay;
        var l2 = dx * dx + dy * dy, t = l2 ? Math.max(0, Math.min(1, ((p.x - ax) * dx + (p.y - ay) * dy) / l2)) : 0;
        var ex = ax + t * dx - p.x, ey = ay + t * dy - p.y, d = Math.sqrt(ex * ex + ey * ey);
        if (d <= half[j] && d < bestD) { bestD = d; best = this.drawnLegs[j]; }
      }
      return best;
    },
    stopAt: function (p) {
      for (var j = this.drawnStops.length - 1; j >= 0; j--) {
        var st = this.drawnStops[j], dx = st[1] - p.x, dy = st[2] - p.y;
        if (dx * dx + dy * dy <= 49) { return st[0]; }
      }
      return -1;
    },
    _onClick: function (e) {
      var leg = this.legAt(e.containerPoint);
      if (leg >= 0) { this.app.openRoutes(leg, e.latlng); }
    },
    _onMove: function (e) {
      var map = this._map, stop = this.stopAt(e.containerPoint), box = map.getContainer();
      box.classList.toggle("geomap-over-route", stop >= 0 || this.legAt(e.containerPoint) >= 0);
      if (stop >= 0) {
        var R = this.app.routes;
        this._tip = this._tip || L.tooltip({direction: "top", offset: [0, -6]});
        this._tip.setLatLng([R.stops[stop][0], R.stops[stop][1]]).setContent(el("span", null, this.app.str(R.stops[stop][2])));
        if (!map.hasLayer(this._tip)) { map.openTooltip(this._tip); }
      } else if (this._tip && map.hasLayer(this._tip)) {
        map.closeTooltip(this._tip);
      }
    }
  });

  // -- the application ---------------------------------------------------------------

  function App(map, D, groups, opts) {
    var app = this;
    this.map = map; this.D = D; this.groups = groups; this.opts = opts;
    this.S = D.s;
    this.types = D.types;
    var I = this.I = D.inc;
    this.n = I.id.length;
    this.sites = D.sites;
    this.units = D.units || {id: [], name: [], geo: null};
    this.routes = D.routes || {id: []};
    this.listeners = [];
    this.lower = null;
    var lo = null, hi = null;
    for (var i = 0; i < this.n; i++) {
      var a = I.d0[i], b = I.d1[i];
      if (a !== NO_DAY && (lo === null || a < lo)) { lo = a; }
      if (b !== NO_DAY && (hi === null || b > hi)) { hi = b; }
    }
    var A = this.agg = D.agg && D.agg.n && D.agg.n.length ? D.agg : null;
    this.aggTotal = 0;
    if (A) {  // incidents counted, not drawn (maps from big tables): the period covers their months too
      for (i = 0; i < A.n.length; i++) {
        this.aggTotal += A.n[i];
        if (A.m[i] < 0) { continue; }
        var m0 = monthStart(A.m[i]), m1 = monthStart(A.m[i] + 1) - 1;
        if (lo === null || m0 < lo) { lo = m0; }
        if (hi === null || m1 > hi) { hi = m1; }
      }
    }
    this.range = [lo, hi];
    this.state = {from: lo, to: hi, undated: true, types: {}, prec: {}, country: "", province: "", source: "",
                  q: "", measure: opts.measure || "incidents", sort: "date", desc: false};
    this.types.forEach(function (t, ti) { app.state.types[ti] = true; });
    [1, 2, 3, 4, 5, 6].forEach(function (p) { app.state.prec[p] = true; });
    this.mask = new Uint8Array(this.n);
    this.details = null; // a promise once the detail strings are being read
    this.detailsReady = !D.xz;
    if (D.x) { this.S = this.S.concat(D.x); }
    this.siteCount = new Int32Array(this.sites.length);
    this.siteTypes = new Int32Array(0);
    this.prepare();
    this.prepareEvents();
    this.readHash();
    this.build();
    performance.mark("geomap-layers");
    this.apply();
  }

  App.prototype.str = function (i) { return i >= 0 ? this.S[i] : ""; };
  App.prototype.article = function (i) { return this.D.art[this.I.a[i]] || [-1, -1, -1, -1, 0]; };
  App.prototype.onChange = function (f) { this.listeners.push(f); };

  /** Read the detail strings (evidence, ids, figures, titles, links), packed apart so the map draws first. */
  App.prototype.loadDetails = function () {
    var app = this;
    if (!this.details) {
      this.details = this.detailsReady ? Promise.resolve() : inflate(this.D.xz).text().then(function (text) {
        app.S = app.S.concat(JSON.parse(text));
        app.lower = null;
        app.detailsReady = true;
        delete app.D.xz;
        app.drawTable();
      });
    }
    return this.details;
  };

  /** Run ``fn`` now when the detail strings are read, else once they are. */
  App.prototype.withDetails = function (fn) {
    if (this.detailsReady) { return fn(); }
    var app = this;
    return this.loadDetails().then(function () { return fn.call(app); });
  };

  /** Per-incident lookups made once: month, article source, and the lower-cased text searched. */
  App.prototype.prepare = function () {
    var I = this.I, n = this.n, art = this.D.art;
    this.month = new Int32Array(n);
    this.src = new Int32Array(n);
    for (var i = 0; i < n; i++) {
      this.month[i] = I.d0[i] === NO_DAY ? -1 : monthOf(I.d0[i]);
      this.src[i] = (art[I.a[i]] || [-1, -1])[1];
    }
    this.nTypes = this.types.length;
  };

  /** The filters as fast tests: type and precision flags, string indices for exact matches. */
  App.prototype.compile = function () {
    var st = this.state, S = this.S, app = this, ns = this.D.ns;
    var index = function (v) { return v ? S.slice(0, ns).indexOf(v) : -2; };
    var f = {
      type: new Uint8Array(this.nTypes), prec: new Uint8Array(8), cc: index(st.country), src: index(st.source),
      pv: st.province ? this.units.id.indexOf(st.province) : -2, q: st.q, from: st.from, to: st.to, undated: st.undated
    };
    this.types.forEach(function (t, ti) { f.type[ti] = st.types[ti] ? 1 : 0; });
    for (var p = 0; p < 8; p++) { f.prec[p] = st.prec[p || 1] ? 1 : 0; }
    if (f.q && !this.lower) { this.lower = this.S.map(function (s) { return s.toLowerCase(); }); }
    return f;
  };

  /** Incident i passes every filter but type and period. */
  App.prototype.passesOther = function (i, f) {
    var I = this.I;
    if (!f.prec[I.lp[i] || 1]) { return false; }
    if (f.cc !== -2 && I.cc[i] !== f.cc) { return false; }
    if (f.pv !== -2 && I.pv[i] !== f.pv) { return false; }
    if (f.src !== -2 && this.src[i] !== f.src) { return false; }
    if (f.q) {
      var lw = this.lower, q = f.q, a = this.D.art[I.a[i]] || [-1];
      if (!((I.ev[i] >= 0 && lw[I.ev[i]].indexOf(q) >= 0) || (I.place[i] >= 0 && lw[I.place[i]].indexOf(q) >= 0) ||
            (a[0] >= 0 && lw[a[0]].indexOf(q) >= 0) || (I.fig[i] >= 0 && lw[I.fig[i]].indexOf(q) >= 0))) { return false; }
    }
    return true;
  };

  App.prototype.inPeriod = function (i, f) {
    var I = this.I;
    if (I.d0[i] === NO_DAY) { return f.undated; }
    if (f.from !== null && I.d1[i] < f.from) { return false; }
    return !(f.to !== null && I.d0[i] > f.to);
  };

  App.prototype.apply = function () {
    // Words and sorts by figures or evidence need the detail strings: filter once they are read.
    if (!this.detailsReady && (this.state.q || this.state.sort === "figures" || this.state.sort === "evidence")) {
      return this.withDetails(this.apply);
    }
    var I = this.I, n = this.n, st = this.state, i, f = this.compile(), nt = this.nTypes;
    var typeCounts = new Int32Array(nt);
    this.siteCount = new Int32Array(this.sites.length);
    this.siteTypes = new Int32Array(this.sites.length * nt);
    var shown = [];
    this.countryWide = {};
    this.months = {};
    var unitValues = {};
    var mIndex = MEASURES.map(function (m) { return m[0]; }).indexOf(st.measure);
    var refDay = st.to !== null ? st.to : this.range[1];
    var unitMap = this.units.id.map(function (u, k) { return this.unitOn(k, refDay); }, this);
    var months = this.months, siteCount = this.siteCount, siteTypes = this.siteTypes;
    var T = I.t, SITE = I.site, PV = I.pv, MK = I.mk, MV = I.mv, month = this.month;
    for (i = 0; i < n; i++) {
      if (this.follower[i] || !this.passesEvent(i, f)) { this.mask[i] = 0; continue; }
      var t = T[i], typeOk = f.type[t] === 1, timeOk = this.eventInPeriod(i, f);
      if (timeOk) { typeCounts[t]++; }
      if (typeOk && month[i] >= 0) { months[month[i]] = (months[month[i]] || 0) + 1; }
      var ok = typeOk && timeOk;
      this.mask[i] = ok ? 1 : 0;
      if (!ok) { continue; }
      shown.push(i);
      var s = SITE[i];
      if (s >= 0) {
        siteCount[s]++;
        siteTypes[s * nt + t]++;
      } else if ((I.lp[i] || 0) === 6) {
        var c = this.str(I.cc[i]) || "?";
        (this.countryWide[c] = this.countryWide[c] || []).push(i);
      }
      var u = PV[i];
      if (u >= 0) {
        u = unitMap[u];
        if (u >= 0) {
          var v = mIndex === 0 ? 1 : (MK[i] === mIndex ? MV[i] : 0);
          if (v) { unitValues[u] = (unitValues[u] || 0) + v; }
        }
      }
    }
    this.aggShown = this.agg ? this.addAggregates(f, typeCounts, months, unitValues, mIndex, unitMap) : 0;
    this.aggLeftOut = !!this.agg && (f.src !== -2 || !!f.q);
    this.shown = shown;
    this.typeCounts = Array.prototype.slice.call(typeCounts);
    this.unitValues = unitValues;
    this.refDay = refDay;
    this.sortShown();
    this.drawAll();
    this.writeHash();
    this.listeners.forEach(function (fn) { fn(); });
  };

  /** Add the cells of incidents counted but not drawn (``D.agg``) to the counts, timeline and shading; how many pass.
   *  A cell answers the type, period (by month), precision, country and province filters; not source or text. */
  App.prototype.addAggregates = function (f, typeCounts, months, unitValues, mIndex, unitMap) {
    var A = this.agg, shown = 0;
    if (f.src !== -2 || f.q) { return 0; }
    for (var k = 0; k < A.n.length; k++) {
      if (!f.prec[A.lp[k] || 1] || (f.cc !== -2 && A.cc[k] !== f.cc) || (f.pv !== -2 && A.u[k] !== f.pv)) { continue; }
      var t = A.t[k], n = A.n[k], m = A.m[k], typeOk = f.type[t] === 1, timeOk;
      if (m < 0) { timeOk = f.undated; } else {
        timeOk = !(f.from !== null && monthStart(m + 1) - 1 < f.from) && !(f.to !== null && monthStart(m) > f.to);
      }
      if (timeOk) { typeCounts[t] += n; }
      if (typeOk && m >= 0) { months[m] = (months[m] || 0) + n; }
      if (!(typeOk && timeOk)) { continue; }
      shown += n;
      var u = A.u[k] >= 0 ? unitMap[A.u[k]] : -1;
      var v = mIndex === 0 ? n : (A.mk[k] === mIndex ? A.v[k] : 0);
      if (u >= 0 && v) { unitValues[u] = (unitValues[u] || 0) + v; }
    }
    return shown;
  };

  /** The unit valid on ``day`` that unit ``u`` became (successors followed); -1 when it did not exist yet. */
  App.prototype.unitOn = function (u, day) {
    var U = this.units, seen = 0;
    if (day === null || day === undefined) { return u; }
    while (u >= 0 && seen++ < 8) {
      if (U.to[u] !== null && day >= U.to[u]) { u = U.succ[u]; continue; }
      if (U.from[u] !== null && day < U.from[u]) { return -1; }
      return u;
    }
    return -1;
  };

  App.prototype.visibleCount = function () { return this.shown.length; };

  // -- building the map pieces -----------------------------------------------------------

  App.prototype.build = function () {
    var app = this, map = this.map, g = this.groups;
    this.sitesLayer = new SiteLayer(this);
    if (g.sites) { g.sites.addLayer(this.sitesLayer); }
    if (g.heat && L.heatLayer) {
      this.heat = L.heatLayer([], {radius: 22, blur: 18, minOpacity: 0.45, maxZoom: 9, max: 1});
      g.heat.addLayer(this.heat);
    }
    if (g.shading && this.units.geo) { this.buildShading(); }
    if (g.routes && this.routes.id.length) { this.buildRoutes(); }
    this.buildControls();
    this.buildPanel();
  };

  App.prototype.buildShading = function () {
    var app = this, U = this.units;
    var pane = this.map.getPane("geomapShading") || this.map.createPane("geomapShading");
    pane.style.zIndex = 390;
    this.unitLayers = {};
    L.geoJSON(U.geo, {
      pane: "geomapShading",
      style: function () { return {color: "#666", weight: 0.8, fillOpacity: 0.6, fillColor: "#fff", className: "geomap-shading"}; },
      onEachFeature: function (f, layer) {
        var u = f.properties.u;
        app.unitLayers[u] = layer;
        layer.bindTooltip(function () {
          var box = el("div");
          box.appendChild(el("strong", null, U.name[u]));
          box.appendChild(el("div", null, app.measureLabel() + ": " + fmt(app.unitValues[u] || 0)));
          return box;
        }, {sticky: true});
      }
    });
  };

  App.prototype.measureLabel = function () {
    var st = this.state;
    return MEASURES.filter(function (m) { return m[0] === st.measure; })[0][1];
  };

  App.prototype.drawShading = function () {
    if (!this.unitLayers) { return; }
    var U = this.units, app = this, g = this.groups.shading, day = this.refDay;
    var values = [];
    Object.keys(this.unitLayers).forEach(function (u) {
      if (app.unitOn(+u, day) === +u && app.unitValues[u]) { values.push(app.unitValues[u]); }
    });
    this.breaks = values.length ? jenks(values, Math.min(SHADES.length, values.length)) : [];
    var breaks = this.breaks;
    Object.keys(this.unitLayers).forEach(function (u) {
      var layer = app.unitLayers[u];
      var valid = app.unitOn(+u, day) === +u;
      var v = app.unitValues[u] || 0;
      if (!valid || !v) { if (g.hasLayer(layer)) { g.removeLayer(layer); } return; }
      var k = 0;
      while (k < breaks.length - 1 && v > breaks[k]) { k++; }
      layer.setStyle({fillColor: shadeColor(k, breaks.length)});
      layer.feature.properties.value = v;
      if (!g.hasLayer(layer)) { g.addLayer(layer); }
    });
  };

  App.prototype.buildRoutes = function () {
    var app = this, R = this.routes, map = this.map;
    var pane = map.getPane("geomapRoutes") || map.createPane("geomapRoutes");
    pane.style.zIndex = 450;
    // Up to SVG_LEGS legs and stops each is an SVG element (styled, testable); more are drawn on one canvas
    // from typed arrays (RouteLayer): tens of thousands of Leaflet paths would take seconds to add and paint.
    if (R.legs.length + R.stops.length > SVG_LEGS) {
      this.routeLayer = new RouteLayer(this);
      this.groups.routes.addLayer(this.routeLayer);
      return;
    }
    var renderer = L.svg({pane: "geomapRoutes"});
    this.legLayers = R.legs.map(function (leg, k) {
      var a = [leg[0], leg[1]], b = [leg[2], leg[3]];
      var line = L.polyline([a, b], {renderer: renderer, color: "#1f3b73", weight: 2.5, opacity: 0.85,
                                     className: "geomap-route"});
      var dx = b[1] - a[1], dy = b[0] - a[0], mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      var len = Math.sqrt(dx * dx + dy * dy) || 1, ux = dx / len, uy = dy / len, s = Math.min(0.25, len * 0.08);
      var arrow = L.polyline([[mid[0] - uy * s + ux * s * 0.6, mid[1] - ux * s - uy * s * 0.6], mid,
                              [mid[0] - uy * s - ux * s * 0.6, mid[1] - ux * s + uy * s * 0.6]],
                             {renderer: renderer, color: "#1f3b73", weight: 2.5, className: "geomap-route-arrow",
                              interactive: false});
      line.on("click", function (e) { app.openRoutes(k, e.latlng); });
      return L.layerGroup([line, arrow]);
    });
    this.stopLayers = R.stops.map(function (st) {
      var m = L.circleMarker([st[0], st[1]], {renderer: renderer, radius: 4, color: "#1f3b73", weight: 2,
                                              fillColor: "#fff", fillOpacity: 1, className: "geomap-route-stop"});
      m.bindTooltip(function () { return el("span", null, app.str(st[2])); });
      return m;
    });
  };

  App.prototype.routeShown = function (r) {
    var st = this.state, R = this.routes, d = R.d[r];
    if (d === null) { if (!st.undated) { return false; } }
    else {
      if (st.from !== null && d < st.from) { return false; }
      if (st.to !== null && d > st.to) { return false; }
    }
    var art = this.D.art[R.a[r]] || [-1, -1, -1, -1, 0];
    if (st.source && this.str(art[1]) !== st.source) { return false; }
    if (st.q) {
      if (!this.lower) { this.lower = this.S.map(function (s) { return s.toLowerCase(); }); }
      var lw = this.lower;
      if (!((R.ev[r] >= 0 && lw[R.ev[r]].indexOf(st.q) >= 0) || (R.stops_text[r] >= 0 && lw[R.stops_text[r]].indexOf(st.q) >= 0))) {
        return false;
      }
    }
    return true;
  };

  App.prototype.drawRoutes = function () {
    if (!this.legLayers && !this.routeLayer) { return; }
    var R = this.routes, g = this.groups.routes, legCount = new Int32Array(R.legs.length);
    var stopUsed = new Uint8Array(R.stops.length), shown = 0, k;
    for (var r = 0; r < R.id.length; r++) {
      if (!this.routeShown(r)) { continue; }
      shown++;
      var path = R.path[r], at = R.at[r];
      for (k = 0; k < path.length; k++) { legCount[path[k]]++; }
      for (k = 0; k < at.length; k++) { stopUsed[at[k]] = 1; }
    }
    this.routesShown = shown;
    this.legCount = legCount;
    this.stopUsed = stopUsed;
    if (this.routeLayer) { this.routeLayer.redraw(); return; }
    this.legLayers.forEach(function (layer, k) {
      var n = legCount[k];
      if (!n) { if (g.hasLayer(layer)) { g.removeLayer(layer); } return; }
      var w = 2 + 1.5 * Math.log(n) / Math.LN2;
      layer.eachLayer(function (l) { l.setStyle({weight: Math.min(w, 10)}); });
      if (!g.hasLayer(layer)) { g.addLayer(layer); }
    });
    this.stopLayers.forEach(function (layer, s) {
      if (!stopUsed[s]) { if (g.hasLayer(layer)) { g.removeLayer(layer); } return; }
      if (!g.hasLayer(layer)) { g.addLayer(layer); }
    });
  };

  App.prototype.drawHeat = function () {
    if (!this.heat) { return; }
    var pts = [], max = 1, app = this;
    for (var s = 0; s < this.sites.length; s++) { if (this.siteCount[s] > max) { max = this.siteCount[s]; } }
    for (s = 0; s < this.sites.length; s++) {
      var n = this.siteCount[s];
      if (n) { pts.push([this.sites[s][0], this.sites[s][1], 0.25 + 0.75 * Math.sqrt(n / max)]); }
    }
    this.heatPoints = pts.length;
    if (this.map.hasLayer(this.heat)) { this.heat.setLatLngs(pts); } else { this.heat._latlngs = pts; }
  };

  App.prototype.drawAll = function () {
    if (this.sitesLayer) { this.sitesLayer.redraw(); }
    this.drawHeat();
    this.drawShading();
    this.drawRoutes();
    this.drawControls();
    this.drawTimeline();
    this.drawTable();
  };

  // -- popups ------------------------------------------------------------------------

  App.prototype.incidentBox = function (i) {
    var I = this.I, t = this.types[I.t[i]], app = this;
    var box = el("div", "geomap-popup");
    box.setAttribute("data-incident", this.str(I.id[i]));
    var h = box.appendChild(el("h4", null, t[1]));
    h.style.borderLeftColor = t[2];
    var dl = box.appendChild(el("dl"));
    [["Figures", I.fig[i]], ["Date", I.dl[i]], ["Place", I.place[i]], ["Actors", I.act[i]], ["Incident", I.id[i]]]
      .forEach(function (p) {
        if (p[1] >= 0) { dl.appendChild(el("dt", null, p[0])); dl.appendChild(el("dd", null, app.str(p[1]))); }
      });
    dl.appendChild(el("dt", null, "Location precision"));
    dl.appendChild(el("dd", null, PRECISION[I.lp[i]] || "unknown"));
    if (I.ev[i] >= 0) { box.appendChild(el("blockquote", "geomap-evidence", this.str(I.ev[i]))); }
    box.appendChild(this.sourceBox(this.article(i)));
    return box;
  };

  App.prototype.sourceBox = function (a) {
    var src = el("div", "geomap-source");
    var bits = [this.str(a[0]), this.str(a[1]), this.str(a[2])].filter(function (s) { return s; });
    if (bits.length) { src.appendChild(el("div", "geomap-article", bits.join(" · "))); }
    if (a[3] >= 0) {
      var url = this.str(a[3]);
      if (a[4] === 1 && /^https?:\/\//i.test(url)) {
        var link = el("a", "geomap-link", url);
        link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
        src.appendChild(link);
      } else {
        src.appendChild(el("span", "geomap-inert-url", url));
      }
    }
    return src;
  };

  /** A popup listing every shown incident of some sites; one incident opens directly. */
  App.prototype.openSites = function (sites, latlng) {
    var I = this.I, want = {}, rows = [];
    sites.forEach(function (s) { want[s] = true; });
    for (var k = 0; k < this.shown.length; k++) { var i = this.shown[k]; if (want[I.site[i]]) { rows.push(i); } }
    this.openList(rows, latlng, "incidents here");
  };

  App.prototype.openList = function (rows, latlng, what) {
    if (!this.detailsReady) { return this.withDetails(function () { this.openList(rows, latlng, what); }); }
    var app = this, I = this.I;
    if (rows.length === 1) { this.openIncident(rows[0], latlng); return; }
    var box = el("div", "geomap-popup geomap-list");
    box.appendChild(el("h4", null, rows.length.toLocaleString("en") + " " + what));
    var ul = box.appendChild(el("ul"));
    var limit = Math.min(rows.length, 200);
    rows.slice(0, limit).forEach(function (i) {
      var li = ul.appendChild(el("li"));
      var sw = li.appendChild(el("i")); sw.style.background = app.types[I.t[i]][2];
      var b = li.appendChild(el("button", "geomap-list-item",
        [app.str(I.dl[i]), app.types[I.t[i]][1], app.str(I.fig[i]), app.reportsLabel(i)].filter(Boolean).join(" · ")));
      b.type = "button";
      b.setAttribute("data-incident", app.str(I.id[i]));
      L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); app.openIncident(i, latlng); });
    });
    if (rows.length > limit) {
      box.appendChild(el("div", "geomap-more", (rows.length - limit).toLocaleString("en") +
        " more: zoom in, or narrow the filters; the table lists them all"));
    }
    L.popup({maxWidth: 380, maxHeight: 320}).setLatLng(latlng).setContent(box).openOn(this.map);
  };

  App.prototype.openIncident = function (i, latlng) {
    if (!this.detailsReady) { return this.withDetails(function () { this.openIncident(i, latlng); }); }
    var I = this.I;
    var at = latlng || (I.site[i] >= 0 ? [this.sites[I.site[i]][0], this.sites[I.site[i]][1]] : this.map.getCenter());
    var box = this.eventOf[i] >= 0 ? this.eventBox(i) : this.incidentBox(i);
    L.popup({maxWidth: 380, maxHeight: 360}).setLatLng(at).setContent(box).openOn(this.map);
  };

  // -- events told by several reports: one marker, one row, one count -------------------

  /** Which incidents tell one event of several reports (``D.events``): the lead stands for the event. */
  App.prototype.prepareEvents = function () {
    var E = this.E = this.D.events || {lead: [], m: [], dis: []};
    this.eventOf = new Int32Array(this.n).fill(-1);
    this.follower = new Uint8Array(this.n);
    var followers = 0;
    for (var e = 0; e < E.lead.length; e++) {
      for (var k = 0; k < E.m[e].length; k++) {
        var i = E.m[e][k];
        this.eventOf[i] = e;
        if (i !== E.lead[e]) { this.follower[i] = 1; followers++; }
      }
    }
    this.nEvents = this.n - followers;
  };

  /** The event of lead i passes every filter but type and period when one of its reports does. */
  App.prototype.passesEvent = function (i, f) {
    var e = this.eventOf[i];
    if (e < 0) { return this.passesOther(i, f); }
    var m = this.E.m[e];
    for (var k = 0; k < m.length; k++) { if (this.passesOther(m[k], f)) { return true; } }
    return false;
  };

  /** ... and is in the period when one of those reports is. */
  App.prototype.eventInPeriod = function (i, f) {
    var e = this.eventOf[i];
    if (e < 0) { return this.inPeriod(i, f); }
    var m = this.E.m[e];
    for (var k = 0; k < m.length; k++) { if (this.passesOther(m[k], f) && this.inPeriod(m[k], f)) { return true; } }
    return false;
  };

  /** Every report of the events in ``rows`` (leads), for exports of what is shown. */
  App.prototype.withReports = function (rows) {
    var out = [], E = this.E, app = this;
    rows.forEach(function (i) { if (app.eventOf[i] >= 0) { out.push.apply(out, E.m[app.eventOf[i]]); } else { out.push(i); } });
    return out;
  };

  App.prototype.unitWord = function (capital) {
    var w = this.E.lead.length ? "events" : "incidents";
    return capital ? w.charAt(0).toUpperCase() + w.slice(1) : w;
  };

  /** "N of M events shown": an event of several reports counts once; incidents counted by province and month too. */
  App.prototype.countText = function () {
    var text = (this.shown.length + this.aggShown).toLocaleString("en") + " of " + (this.nEvents + this.aggTotal).toLocaleString("en") +
      " " + this.unitWord(false) + " shown";
    if (this.E.lead.length) {
      var k = this.E.lead.length;
      text += " (" + this.n.toLocaleString("en") + " incidents; " + k.toLocaleString("en") + (k === 1 ? " event" : " events") +
        " told by several reports)";
    }
    return text + (!this.agg ? "" : this.aggLeftOut ? " (those counted by province and month, not drawn, have no source or text to filter: left out)" :
      " (" + this.aggShown.toLocaleString("en") + " counted by province and month, not drawn)");
  };

  App.prototype.reportsLabel = function (i) {
    var e = this.eventOf[i];
    return e >= 0 ? this.E.m[e].length + " reports" : "";
  };

  App.prototype.sourceLabel = function (i) {
    var src = this.str(this.article(i)[1]), e = this.eventOf[i];
    return e >= 0 ? src + " + " + (this.E.m[e].length - 1) + " more report" + (this.E.m[e].length > 2 ? "s" : "") : src;
  };

  App.prototype.legendMarkers = function (box) {
    if (this.E.lead.length) {
      box.appendChild(el("h5", null, "Events (a number: how many at that spot)"));
      box.appendChild(el("div", "geomap-note", "A marker is one event: one report's incident, or every report of an event " +
        "several outlets told (its popup lists them all). Counts, timeline and table count events."));
    } else {
      box.appendChild(el("h5", null, "Incidents (a number: how many at that spot)"));
    }
  };

  /** The popup of an event told by several reports: each report (outlet, date, figures, sentence, link). */
  App.prototype.eventBox = function (i) {
    var I = this.I, E = this.E, e = this.eventOf[i], lead = E.lead[e], t = this.types[I.t[lead]], app = this;
    var rows = E.m[e];
    var box = el("div", "geomap-popup geomap-event");
    box.setAttribute("data-event", this.str(I.id[lead]));
    var h = box.appendChild(el("h4", null, t[1]));
    h.style.borderLeftColor = t[2];
    box.appendChild(el("div", "geomap-event-count", "One event told by " + rows.length + " reports"));
    var dl = box.appendChild(el("dl"));
    [["Date", I.dl[lead]], ["Place", I.place[lead]]].forEach(function (p) {
      if (p[1] >= 0) { dl.appendChild(el("dt", null, p[0])); dl.appendChild(el("dd", null, app.str(p[1]))); }
    });
    dl.appendChild(el("dt", null, "Location precision"));
    dl.appendChild(el("dd", null, PRECISION[I.lp[lead]] || "unknown"));
    if (E.dis[e]) {
      box.appendChild(el("div", "geomap-event-disagree", "The reports' counts disagree (all are kept): " + rows.map(function (r) {
        return (app.str(I.fig[r]) || "no figure") + " (" + (app.str(app.article(r)[1]) || "unnamed outlet") + ")";
      }).join("; ")));
    }
    var list = box.appendChild(el("ol", "geomap-event-sources"));
    rows.forEach(function (r) {
      var li = list.appendChild(el("li", "geomap-event-source"));
      li.setAttribute("data-incident", app.str(I.id[r]));
      li.appendChild(el("div", "geomap-event-figures", app.str(I.fig[r]) || "no figure"));
      var meta = [app.str(I.dl[r]), app.str(I.place[r])].filter(Boolean).join(" · ");
      if (meta) { li.appendChild(el("div", "geomap-event-meta", meta)); }
      if (I.ev[r] >= 0) { li.appendChild(el("blockquote", "geomap-evidence", app.str(I.ev[r]))); }
      li.appendChild(app.sourceBox(app.article(r)));
    });
    return box;
  };

  App.prototype.openRoutes = function (leg, latlng) {
    if (!this.detailsReady) { return this.withDetails(function () { this.openRoutes(leg, latlng); }); }
    var app = this, R = this.routes, rows = [];
    for (var r = 0; r < R.id.length; r++) { if (R.path[r].indexOf(leg) >= 0 && this.routeShown(r)) { rows.push(r); } }
    var box = el("div", "geomap-popup geomap-routes");
    box.appendChild(el("h4", null, rows.length === 1 ? "Route" : rows.length.toLocaleString("en") + " routes on this leg"));
    box.appendChild(el("div", "geomap-note", "The line joins the stops in the order reported; it is not the path travelled."));
    rows.slice(0, 50).forEach(function (r) {
      var item = box.appendChild(el("div", "geomap-route-item"));
      item.appendChild(el("div", "geomap-route-stops", app.str(R.stops_text[r])));
      var meta = [app.str(R.id[r]), R.km[r] !== null ? fmt(R.km[r]) + " km along the line" : "", iso(R.d[r])].filter(Boolean);
      item.appendChild(el("div", "geomap-route-meta", meta.join(" · ")));
      if (R.ev[r] >= 0) { item.appendChild(el("blockquote", "geomap-evidence", app.str(R.ev[r]))); }
      item.appendChild(app.sourceBox(app.D.art[R.a[r]] || [-1, -1, -1, -1, 0]));
    });
    if (rows.length > 50) { box.appendChild(el("div", "geomap-more", (rows.length - 50) + " more")); }
    L.popup({maxWidth: 380, maxHeight: 320}).setLatLng(latlng).setContent(box).openOn(this.map);
  };

  // -- controls: filters, legend, country-wide figures ----------------------------------

  App.prototype.buildControls = function () {
    var app = this, D = this.D, st = this.state;
    var Filters = L.Control.extend({options: {position: "topright"}, onAdd: function () {
      var d = el("div", "geomap-filters");
      var det = d.appendChild(el("details")); det.open = true;
      det.appendChild(el("summary", null, "Filters"));
      var time = det.appendChild(el("div", "geomap-time"));
      time.appendChild(el("strong", null, "Period shown"));
      function dateInput(label, name) {
        var l = time.appendChild(el("label", null, label + " "));
        var i = l.appendChild(el("input")); i.type = "date"; i.name = name;
        if (app.range[0] !== null) { i.min = iso(app.range[0]); i.max = iso(app.range[1]); }
        L.DomEvent.on(i, "change", function () { st[name] = dayOf(i.value); if (st[name] === null) { st[name] = app.range[name === "from" ? 0 : 1]; } app.apply(); });
        return i;
      }
      app.fromInput = dateInput("From", "from");
      app.toInput = dateInput("To", "to");
      var ul = time.appendChild(el("label"));
      var und = ul.appendChild(el("input")); und.type = "checkbox"; und.name = "undated";
      ul.appendChild(document.createTextNode(" undated incidents"));
      L.DomEvent.on(und, "change", function () { st.undated = und.checked; app.apply(); });
      app.undatedInput = und;
      app.countLine = time.appendChild(el("div", "geomap-time-count"));

      var types = det.appendChild(el("fieldset", "geomap-types"));
      types.appendChild(el("legend", null, "Types"));
      app.typeLabels = D.types.map(function (t, ti) {
        var l = types.appendChild(el("label"));
        var c = l.appendChild(el("input")); c.type = "checkbox"; c.name = "type"; c.value = t[0];
        L.DomEvent.on(c, "change", function () { st.types[ti] = c.checked; app.apply(); });
        var sw = l.appendChild(el("i")); sw.style.background = t[2];
        var text = l.appendChild(el("span"));
        return {box: c, text: text};
      });

      var prec = det.appendChild(el("fieldset", "geomap-precision"));
      prec.appendChild(el("legend", null, "Location precision"));
      app.precInputs = {};
      [1, 2, 3, 4, 5, 6].forEach(function (p) {
        var l = prec.appendChild(el("label"));
        var c = l.appendChild(el("input")); c.type = "checkbox"; c.name = "precision"; c.value = String(p);
        l.appendChild(document.createTextNode(" " + PRECISION[p]));
        L.DomEvent.on(c, "change", function () { st.prec[p] = c.checked; app.apply(); });
        app.precInputs[p] = c;
      });

      function select(label, name, options) {
        var l = det.appendChild(el("label", "geomap-select", label + " "));
        var s = l.appendChild(el("select")); s.name = name;
        var all = s.appendChild(el("option", null, "all")); all.value = "";
        options.forEach(function (o) { var op = s.appendChild(el("option", null, o[1])); op.value = o[0]; });
        L.DomEvent.on(s, "change", function () { st[name] = s.value; app.apply(); });
        return s;
      }
      app.countrySelect = select("Country", "country", D.countries.map(function (c) { return [c[0], c[1]]; }));
      var units = [];
      for (var u = 0; u < app.units.id.length; u++) { if (app.units.used[u]) { units.push([app.units.id[u], app.units.name[u]]); } }
      units.sort(function (a, b) { return a[1].localeCompare(b[1]); });
      app.provinceSelect = select("Province", "province", units);
      app.sourceSelect = select("Source", "source", D.sources.map(function (s) { return [app.str(s), app.str(s)]; }));
      var ql = det.appendChild(el("label", "geomap-select", "Search evidence "));
      var q = ql.appendChild(el("input")); q.type = "search"; q.name = "q"; q.placeholder = "words in the reports";
      var timer = null;
      L.DomEvent.on(q, "input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { st.q = q.value.trim().toLowerCase(); app.apply(); }, 250);
      });
      app.qInput = q;
      app.measureSelect = select("Shade provinces by", "measure", MEASURES);
      app.measureSelect.removeChild(app.measureSelect.firstChild);

      var ex = det.appendChild(el("div", "geomap-export"));
      ex.appendChild(el("span", null, "Export what is shown: "));
      [["CSV", function () { app.exportCsv(); }], ["GeoJSON", function () { app.exportGeoJSON(); }],
       ["PNG", function () { app.exportPng(); }]].forEach(function (b) {
        var btn = ex.appendChild(el("button", "geomap-export-" + b[0].toLowerCase(), b[0])); btn.type = "button";
        L.DomEvent.on(btn, "click", function (e) { L.DomEvent.stop(e); b[1](); });
      });
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    }});
    if (this.opts.filters !== false) { new Filters().addTo(this.map); }

    var Legend = L.Control.extend({options: {position: "bottomleft"}, onAdd: function () {
      var d = el("div", "geomap-legend");
      var det = d.appendChild(el("details")); det.open = true;
      det.appendChild(el("summary", null, "Legend"));
      var sites = det.appendChild(el("div"));
      app.legendMarkers(sites);
      [["solid", "exact place or near it"], ["hollow", "district or province figure"], ["dashed", "on a stretch of border"]]
        .forEach(function (p) { var r = sites.appendChild(el("div")); r.appendChild(el("i", "geomap-sym-" + p[0])); r.appendChild(document.createTextNode(p[1])); });
      app.countryBox = det.appendChild(el("div", "geomap-countrywide"));
      if (app.routes.id.length) {
        det.appendChild(el("h5", null, "Routes"));
        det.appendChild(el("div", null, "Lines join a route's stops in the order reported (arrow: direction); they are not the path travelled. Thicker: more routes."));
      }
      app.shadeBox = det.appendChild(el("div", "geomap-shade-legend"));
      det.appendChild(el("div", "geomap-note", "Tiles are left out of PNG exports."));
      L.DomEvent.disableScrollPropagation(d);
      L.DomEvent.disableClickPropagation(d);
      return d;
    }});
    new Legend().addTo(this.map);
  };

  App.prototype.drawControls = function () {
    var app = this, st = this.state;
    if (this.countLine) {
      this.countLine.textContent = this.countText();
      this.fromInput.value = iso(st.from); this.toInput.value = iso(st.to);
      this.undatedInput.checked = st.undated;
      this.typeLabels.forEach(function (x, ti) {
        x.box.checked = !!st.types[ti];
        x.text.textContent = " " + app.types[ti][1] + " (" + app.typeCounts[ti].toLocaleString("en") + ")";
      });
      Object.keys(this.precInputs).forEach(function (p) { app.precInputs[p].checked = !!st.prec[p]; });
      this.countrySelect.value = st.country; this.provinceSelect.value = st.province;
      this.sourceSelect.value = st.source; this.measureSelect.value = st.measure;
      if (document.activeElement !== this.qInput) { this.qInput.value = st.q; }
    }
    // Country-wide figures: listed, not drawn as a dot in the middle of a country.
    var box = this.countryBox;
    if (box) {
      box.textContent = "";
      var keys = Object.keys(this.countryWide).sort();
      if (keys.length) {
        box.appendChild(el("h5", null, "Country-wide figures (no place to draw)"));
        keys.forEach(function (c) {
          var b = box.appendChild(el("button", "geomap-country-button", (app.D.country_names[c] || c) + ": " +
            app.countryWide[c].length.toLocaleString("en")));
          b.type = "button";
          L.DomEvent.on(b, "click", function (e) {
            L.DomEvent.stop(e);
            app.openList(app.countryWide[c], app.map.getCenter(), "country-wide figures for " + (app.D.country_names[c] || c));
          });
        });
      }
    }
    var shade = this.shadeBox;
    if (shade && this.unitLayers) {
      shade.textContent = "";
      var period = (this.state.from !== null ? iso(this.state.from) : "start") + " to " + (this.state.to !== null ? iso(this.state.to) : "end");
      shade.appendChild(el("h5", null, "Provinces: " + this.measureLabel() + ", " + period));
      var b = this.breaks || [], lowV = 0;
      if (!b.length) { shade.appendChild(el("div", null, "none in this selection")); }
      b.forEach(function (up, k) {
        var r = shade.appendChild(el("div"));
        var sw = r.appendChild(el("i", "sq")); sw.style.background = shadeColor(k, b.length);
        var low = k === 0 ? (b.length === 1 ? up : 0) : b[k - 1];
        r.appendChild(document.createTextNode(k === 0 && b.length > 1 ? "up to " + fmt(up) : (k === 0 ? fmt(up) : "over " + fmt(low) + " to " + fmt(up))));
      });
      shade.appendChild(el("div", "geomap-note", "Units as they were on " + iso(this.refDay) + "; classes: natural breaks (Jenks)."));
    }
  };

  // -- the panel under the map: timeline and table ------------------------------------------

  App.prototype.buildPanel = function () {
    var app = this, panel = document.getElementById(this.opts.panel);
    if (!panel) { return; }
    this.panel = panel;
    var tl = panel.appendChild(el("div", "geomap-timeline"));
    tl.appendChild(el("div", "geomap-timeline-title", this.unitWord(true) + " per month (drag to choose a period; double-click for all)"));
    var canvas = tl.appendChild(el("canvas", "geomap-timeline-canvas"));
    this.tl = canvas;
    var drag = null;
    function monthAt(ev) {
      var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left;
      return app.tlFirst + Math.max(0, Math.min(app.tlMonths - 1, Math.floor(x / (r.width / app.tlMonths))));
    }
    canvas.addEventListener("pointerdown", function (ev) { if (app.tlMonths) { drag = [monthAt(ev), monthAt(ev)]; canvas.setPointerCapture(ev.pointerId); app.drawTimeline(drag); } });
    canvas.addEventListener("pointermove", function (ev) { if (drag) { drag[1] = monthAt(ev); app.drawTimeline(drag); } });
    canvas.addEventListener("pointerup", function () {
      if (!drag) { return; }
      var a = Math.min(drag[0], drag[1]), b = Math.max(drag[0], drag[1]);
      drag = null;
      app.state.from = monthStart(a); app.state.to = monthStart(b + 1) - 1;
      app.apply();
    });
    canvas.addEventListener("dblclick", function () { app.state.from = app.range[0]; app.state.to = app.range[1]; app.apply(); });

    var tb = panel.appendChild(el("div", "geomap-table"));
    var bar = tb.appendChild(el("div", "geomap-table-bar"));
    var search = bar.appendChild(el("input")); search.type = "search"; search.placeholder = "Search the table (evidence, place, title)";
    search.name = "table-search";
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { app.state.q = search.value.trim().toLowerCase(); app.apply(); }, 250);
    });
    this.tableSearch = search;
    this.pageInfo = bar.appendChild(el("span", "geomap-page"));
    // A virtual table: only the rows in view (and a few around) are elements; spacers stand for the rest.
    this.tableBox = tb;
    this.topSpace = tb.appendChild(el("div", "geomap-table-space"));
    var drawing = false;
    tb.addEventListener("scroll", function () {
      if (drawing) { return; }
      drawing = true;
      requestAnimationFrame(function () { drawing = false; app.drawTable(); });
    });
    var table = tb.appendChild(el("table"));
    this.thead = table.appendChild(el("thead"));
    var head = this.thead.appendChild(el("tr"));
    this.columns = [["date", "Date"], ["type", "Type"], ["place", "Place"], ["figures", "Figures"], ["country", "Country"],
                    ["province", "Province"], ["precision", "Precision"], ["source", "Source"], ["evidence", "Evidence"]];
    this.columns.forEach(function (c) {
      var th = head.appendChild(el("th", null, c[1]));
      th.setAttribute("data-sort", c[0]);
      th.addEventListener("click", function () {
        if (app.state.sort === c[0]) { app.state.desc = !app.state.desc; } else { app.state.sort = c[0]; app.state.desc = false; }
        if (app.tableBox) { app.tableBox.scrollTop = 0; }
        app.withDetails(function () { app.sortShown(); app.drawTable(); app.writeHash(); });
      });
    });
    this.tbody = table.appendChild(el("tbody"));
    this.bottomSpace = tb.appendChild(el("div", "geomap-table-space"));
  };

  App.prototype.sortKey = function (col) {
    var app = this, I = this.I;
    switch (col) {
      case "type": return function (i) { return app.types[I.t[i]][1]; };
      case "place": return function (i) { return app.str(I.place[i]); };
      case "figures": return function (i) { return app.str(I.fig[i]); };
      case "country": return function (i) { return app.str(I.cc[i]); };
      case "province": return function (i) { return I.pv[i] >= 0 ? app.units.name[I.pv[i]] : ""; };
      case "precision": return function (i) { return I.lp[i] || 9; };
      case "source": return function (i) { return app.str(app.article(i)[1]); };
      case "evidence": return function (i) { return app.str(I.ev[i]); };
      default: return function (i) { return I.d0[i] === NO_DAY ? Infinity : I.d0[i]; };
    }
  };

  App.prototype.sortShown = function () {
    if (!this.shown) { return; }
    // The payload is in date order (then id): the default sort is the order shown is built in.
    if (this.state.sort === "date") {
      var order = Int32Array.from(this.shown).sort();
      if (this.state.desc) { order.reverse(); }
      this.shown = Array.prototype.slice.call(order);
      return;
    }
    var key = this.sortKey(this.state.sort), keys = {}, sign = this.state.desc ? -1 : 1, I = this.I;
    this.shown.forEach(function (i) { keys[i] = key(i); });
    this.shown.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x < y) { return -sign; }
      if (x > y) { return sign; }
      return a - b;
    });
  };

  App.prototype.drawTable = function () {
    if (!this.tbody) { return; }
    var app = this, I = this.I, st = this.state, tbody = this.tbody, box = this.tableBox, n = this.shown.length;
    var rowH = this.rowHeight || 21, head = this.topSpace.offsetTop + this.thead.offsetHeight;  // where row 0 starts
    var first = Math.max(0, Math.floor((box.scrollTop - head) / rowH) - TABLE_MARGIN);
    var count = Math.ceil((box.clientHeight || 200) / rowH) + 2 * TABLE_MARGIN;
    first = Math.max(0, Math.min(first, n - count));
    var rows = this.shown.slice(first, first + count);
    this.topSpace.style.height = first * rowH + "px";
    this.bottomSpace.style.height = Math.max(0, n - first - rows.length) * rowH + "px";
    var top = Math.max(0, Math.min(n, Math.floor(Math.max(0, box.scrollTop - head) / rowH)));
    var last = Math.min(n, top + Math.max(1, Math.floor((box.clientHeight || 200) / rowH)));
    this.pageInfo.textContent = n ? (top + 1).toLocaleString("en") + "–" + last.toLocaleString("en") +
      " of " + n.toLocaleString("en") + " (scroll for more)" : "no incidents";
    if (n && last >= n && top === 0) { this.pageInfo.textContent = "1–" + n.toLocaleString("en") + " of " + n.toLocaleString("en"); }
    if (document.activeElement !== this.tableSearch) { this.tableSearch.value = st.q; }
    tbody.textContent = "";
    rows.forEach(function (i) {
      var tr = tbody.appendChild(el("tr"));
      tr.setAttribute("data-incident", app.str(I.id[i]));
      var cells = [app.str(I.dl[i]), app.types[I.t[i]][1], app.str(I.place[i]), app.str(I.fig[i]), app.str(I.cc[i]),
                   I.pv[i] >= 0 ? app.units.name[I.pv[i]] : "", PRECISION[I.lp[i]] || "", app.sourceLabel(i),
                   app.str(I.ev[i])];
      cells.forEach(function (c, k) { tr.appendChild(el("td", k === 8 ? "geomap-td-evidence" : null, c)); });
      tr.addEventListener("click", function () { app.flyTo(i); });
    });
    if (!this.rowHeight && tbody.firstChild && tbody.firstChild.offsetHeight) {
      this.rowHeight = tbody.firstChild.offsetHeight;  // rows are one line each (CSS): measured once
      if (this.rowHeight !== rowH) { this.drawTable(); return; }
    }
    Array.prototype.forEach.call(this.panel.querySelectorAll("th"), function (th) {
      th.className = th.getAttribute("data-sort") === st.sort ? (st.desc ? "sorted-desc" : "sorted-asc") : "";
    });
  };

  /** Scroll the table to incident i's row (it is drawn once in view). */
  App.prototype.scrollTableTo = function (i) {
    var k = this.shown.indexOf(i);
    if (k < 0 || !this.tableBox) { return; }
    this.tableBox.scrollTop = Math.max(0, this.topSpace.offsetTop + (k - 2) * (this.rowHeight || 21));
    this.drawTable();
  };

  App.prototype.flyTo = function (i) {
    var I = this.I;
    if (I.site[i] >= 0) {
      var s = this.sites[I.site[i]];
      this.map.setView([s[0], s[1]], Math.max(this.map.getZoom(), 9), {animate: false});
      this.openIncident(i, [s[0], s[1]]);
    } else {
      this.openIncident(i, this.map.getCenter());
    }
  };

  App.prototype.drawTimeline = function (drag) {
    var canvas = this.tl;
    if (!canvas) { return; }
    var keys = Object.keys(this.months).map(Number);
    var lo = this.range[0] !== null ? monthOf(this.range[0]) : null, hi = this.range[1] !== null ? monthOf(this.range[1]) : null;
    var w = canvas.clientWidth || 600, h = canvas.clientHeight || 70, ratio = window.devicePixelRatio || 1;
    canvas.width = w * ratio; canvas.height = h * ratio;
    var ctx = canvas.getContext("2d"); ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (lo === null) { this.tlMonths = 0; return; }
    this.tlFirst = lo; this.tlMonths = hi - lo + 1;
    var max = 1;
    keys.forEach(function (k) { if (this.months[k] > max) { max = this.months[k]; } }, this);
    var bw = w / this.tlMonths, st = this.state;
    var selA = drag ? Math.min(drag[0], drag[1]) : (st.from !== null ? monthOf(st.from) : lo);
    var selB = drag ? Math.max(drag[0], drag[1]) : (st.to !== null ? monthOf(st.to) : hi);
    ctx.fillStyle = "rgba(31,59,115,.10)";
    ctx.fillRect((selA - lo) * bw, 0, (selB - selA + 1) * bw, h);
    for (var m = lo; m <= hi; m++) {
      var n = this.months[m] || 0;
      if (!n) { continue; }
      var bh = Math.max(1, (h - 14) * n / max);
      ctx.fillStyle = m >= selA && m <= selB ? "#1f3b73" : "#b8bfcc";
      ctx.fillRect((m - lo) * bw + (bw > 3 ? 0.5 : 0), h - 12 - bh, Math.max(1, bw - (bw > 3 ? 1 : 0)), bh);
    }
    ctx.fillStyle = "#333"; ctx.font = "10px system-ui, sans-serif"; ctx.textBaseline = "bottom";
    var step = Math.max(1, Math.ceil(this.tlMonths / Math.max(1, Math.floor(w / 60))));
    for (m = lo; m <= hi; m += step) { ctx.fillText(monthLabel(m), (m - lo) * bw + 1, h); }
  };

  // -- exports and the URL -----------------------------------------------------------------

  App.prototype.records = function () {
    var app = this, I = this.I;
    var order = this.withReports(this.shown).sort(function (a, b) { return a - b; });
    return order.map(function (i) {
      var a = app.article(i), site = I.site[i] >= 0 ? app.sites[I.site[i]] : null;
      return {
        incident_id: app.str(I.id[i]), type: app.types[I.t[i]][0], date_start: iso(I.d0[i]), date_end: iso(I.d1[i]),
        date: app.str(I.dl[i]), place: app.str(I.place[i]), location_precision: PRECISION[I.lp[i]] || "",
        country: app.str(I.cc[i]), province: I.pv[i] >= 0 ? app.units.name[I.pv[i]] : "", figures: app.str(I.fig[i]),
        actors: app.str(I.act[i]), evidence: app.str(I.ev[i]), article_title: app.str(a[0]), article_source: app.str(a[1]),
        article_date: app.str(a[2]), article_url: app.str(a[3]), lat: site ? site[0] : null, lon: site ? site[1] : null
      };
    });
  };

  App.prototype.exportCsv = function () {
    if (!this.detailsReady) { return this.withDetails(this.exportCsv); }
    var rows = this.records();
    var cols = ["incident_id", "type", "date_start", "date_end", "date", "place", "location_precision", "country", "province",
                "figures", "actors", "evidence", "article_title", "article_source", "article_date", "article_url", "lat", "lon"];
    var out = [cols.join(",")];
    rows.forEach(function (r) { out.push(cols.map(function (c) { return csvCell(r[c]); }).join(",")); });
    // A byte-order mark, so that Excel reads the Vietnamese and Chinese names as UTF-8.
    download("geomap_incidents.csv", new Blob(["\ufeff" + out.join("\r\n") + "\r\n"], {type: "text/csv;charset=utf-8"}));
    return rows.length;
  };

  App.prototype.exportGeoJSON = function () {
    if (!this.detailsReady) { return this.withDetails(this.exportGeoJSON); }
    var features = this.records().map(function (r) {
      var props = {};
      Object.keys(r).forEach(function (k) { if (k !== "lat" && k !== "lon") { props[k] = r[k]; } });
      return {type: "Feature", id: r.incident_id, properties: props,
              geometry: r.lat === null ? null : {type: "Point", coordinates: [r.lon, r.lat]}};
    });
    download("geomap_incidents.geojson", new Blob([JSON.stringify({type: "FeatureCollection", features: features})],
                                                 {type: "application/geo+json"}));
    return features.length;
  };

  /** A PNG of the current view: the vector layers (basemap, shading, routes, sites, heat), title and legend text. */
  App.prototype.exportPng = function () {
    var map = this.map, box = map.getContainer().getBoundingClientRect(), app = this;
    var canvas = document.createElement("canvas"), ratio = window.devicePixelRatio || 1;
    canvas.width = box.width * ratio; canvas.height = box.height * ratio;
    var ctx = canvas.getContext("2d"); ctx.scale(ratio, ratio);
    ctx.fillStyle = "#e9eef3"; ctx.fillRect(0, 0, box.width, box.height);
    var parts = Array.prototype.slice.call(map.getPanes().mapPane.querySelectorAll("svg, canvas"));
    function drawPart(k) {
      if (k >= parts.length) { return Promise.resolve(); }
      var node = parts[k], r = node.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(node).display === "none") { return drawPart(k + 1); }
      if (node.tagName.toLowerCase() === "canvas") {
        try { ctx.drawImage(node, r.left - box.left, r.top - box.top, r.width, r.height); } catch (e) { /* tainted: skip */ }
        return drawPart(k + 1);
      }
      var copy = node.cloneNode(true);
      copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
      copy.setAttribute("width", r.width); copy.setAttribute("height", r.height);
      copy.style.transform = ""; copy.style.position = "";
      var xml = new XMLSerializer().serializeToString(copy);
      return new Promise(function (resolve) {
        var img = new Image();
        // a layer that cannot be drawn is left out, never a picture that never comes
        var timer = setTimeout(resolve, 5000);
        img.onload = function () {
          try { ctx.drawImage(img, r.left - box.left, r.top - box.top, r.width, r.height); } catch (e) { /* skip */ }
          clearTimeout(timer); resolve();
        };
        img.onerror = function () { clearTimeout(timer); resolve(); };
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml);
      }).then(function () { return drawPart(k + 1); });
    }
    return drawPart(0).then(function () {
      var lines = [app.opts.title || "geomap", app.shown.length.toLocaleString("en") + " " + app.unitWord(false) + ", " +
                   (app.state.from !== null ? iso(app.state.from) : "start") + " to " + (app.state.to !== null ? iso(app.state.to) : "end")];
      if (app.unitLayers) { lines.push("Provinces shaded by: " + app.measureLabel()); }
      ctx.fillStyle = "rgba(255,255,255,.9)"; ctx.fillRect(8, 8, 360, 18 * lines.length + 8);
      ctx.fillStyle = "#111"; ctx.font = "13px system-ui, sans-serif"; ctx.textBaseline = "top";
      lines.forEach(function (t, k) { ctx.fillText(t, 14, 13 + 18 * k); });
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { blob = new Blob([], {type: "image/png"}); }  // a canvas too large to encode
          download("geomap_view.png", blob); resolve(blob.size);
        }, "image/png");
      });
    });
  };

  App.prototype.writeHash = function () {
    if (this.opts.url === false || this.restoring) { return; }
    var st = this.state, app = this, p = new URLSearchParams();
    var c = this.map.getCenter();
    p.set("view", c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + this.map.getZoom());
    if (st.from !== this.range[0]) { p.set("from", iso(st.from)); }
    if (st.to !== this.range[1]) { p.set("to", iso(st.to)); }
    if (!st.undated) { p.set("undated", "0"); }
    var off = this.types.filter(function (t, ti) { return !st.types[ti]; }).map(function (t) { return t[0]; });
    if (off.length) { p.set("hide", off.join(",")); }
    var prec = [1, 2, 3, 4, 5, 6].filter(function (k) { return !st.prec[k]; });
    if (prec.length) { p.set("hideprec", prec.join(",")); }
    ["country", "province", "source", "q"].forEach(function (k) { if (st[k]) { p.set(k, st[k]); } });
    if (st.measure !== (app.opts.measure || "incidents")) { p.set("measure", st.measure); }
    if (st.sort !== "date" || st.desc) { p.set("sort", (st.desc ? "-" : "") + st.sort); }
    try { history.replaceState(null, "", "#" + p.toString()); } catch (e) { /* sandboxed frame */ }
  };

  App.prototype.readHash = function () {
    var hash = (location.hash || "").replace(/^#/, "");
    if (!hash || this.opts.url === false) { return; }
    var p = new URLSearchParams(hash), st = this.state, app = this;
    if (p.get("from")) { st.from = dayOf(p.get("from")); }
    if (p.get("to")) { st.to = dayOf(p.get("to")); }
    if (p.get("undated") === "0") { st.undated = false; }
    (p.get("hide") || "").split(",").forEach(function (k) {
      app.types.forEach(function (t, ti) { if (t[0] === k) { st.types[ti] = false; } });
    });
    (p.get("hideprec") || "").split(",").forEach(function (k) { if (st.prec[k] !== undefined) { st.prec[k] = false; } });
    ["country", "province", "source", "q"].forEach(function (k) { if (p.get(k)) { st[k] = p.get(k); } });
    if (p.get("measure") && MEASURES.some(function (m) { return m[0] === p.get("measure"); })) { st.measure = p.get("measure"); }
    if (p.get("sort")) { var s = p.get("sort"); st.desc = s[0] === "-"; st.sort = s.replace(/^-/, ""); }
    var v = (p.get("view") || "").split(",").map(Number);
    if (v.length === 3 && v.every(isFinite)) { this.view = v; }
  };

  // -- start -----------------------------------------------------------------------------

  window.geomapStart = function (map, dataId, groups, opts) {
    var node = document.getElementById(dataId);
    var api = {ready: null, app: null};
    api.ready = function () { return started; };
    performance.mark("geomap-start");
    var started = load(node).then(function (D) {
      performance.mark("geomap-data");
      var app = new App(map, D, groups, opts || {});
      performance.mark("geomap-built");
      api.app = app;
      if (app.opts.minimap && L.Control.MiniMap && D.outline) {
        // The mini-map shows the offline outline of the countries: it needs no tiles.
        var outline = L.geoJSON(D.outline, {style: function () {
          return {color: "#666", weight: 1, fillColor: "#f2efe9", fillOpacity: 1};
        }, interactive: false});
        app.minimap = new L.Control.MiniMap(outline, {toggleDisplay: true, position: "bottomright", zoomLevelOffset: -5,
                                                       width: 150, height: 150}).addTo(map);
      }
      // The older interface (tests, benchmarks): a period and the count shown.
      api.setPeriod = function (from, to, undated) {
        app.state.from = from; app.state.to = to; app.state.undated = undated !== false; app.apply();
      };
      api.visibleCount = function () { return app.shown.length; };
      api.details = function () { return app.loadDetails(); };
      api.downloads = handedOver;
      api.total = app.n;
      api.range = app.range;
      api.onChange = function (f) { app.onChange(f); };
      // The view from the link, once the first view (an animated fitBounds) has settled.
      return new Promise(function (resolve) {
        function restore() {
          if (app.view) { map.setView([app.view[0], app.view[1]], app.view[2], {animate: false}); }
          map.on("moveend", function () { app.writeHash(); });
          app.writeHash();
          performance.mark("geomap-ready");
          resolve(api);
          setTimeout(function () { app.loadDetails(); }, 0);
        }
        // Leaflet starts a zoom animation on the next frame: let it start, then end.
        requestAnimationFrame(function () { requestAnimationFrame(function () {
          if (map._animatingZoom) { map.once("zoomend", function () { setTimeout(restore, 0); }); } else { restore(); }
        }); });
      });
    });
    window.__geomapIncidents = (window.__geomapIncidents || []).concat([api]);
    window.geomapStart.jenks = jenks; // the class breaks, for tests against mapclassify
    window.__geomapApp = api;
    return api;
  };
})();
