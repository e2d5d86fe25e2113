// The command center's map (board.html): open cases coloured by their
// deadline (三色预警: green in time, yellow warning, red overdue, which
// alone flashes) and ringed by their state, over a heat layer of the last
// seven days' reports drawn as soft circles on a canvas, with the grids'
// outlines. Tiles only when configured. It redraws when board.js says the
// cases changed (event "board:changed") and every minute.
(function () {
  "use strict";
  // Leaflet reads a string tooltip as HTML: names typed by admins go in
  // as text (a span whose textContent is set), never as markup.
  function plainText(s) {
    var e = document.createElement("span");
    e.textContent = s;
    return e;
  }
  var el = document.getElementById("board-map");
  if (!el || !window.L || el.offsetParent === null) return; // hidden on a phone
  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, maxZoom: 19, attributionControl: false });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([30.28, 120.12], 15);
  map.createPane("heat").style.zIndex = 350; // under the markers, over the grids
  var heatRenderer = L.canvas({ pane: "heat" });

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  var grids = L.geoJSON(null, {
    style: function () { return { color: "#1a56a6", weight: 1, opacity: 0.5, fillOpacity: 0.02 }; },
    onEachFeature: function (f, layer) { layer.bindTooltip(plainText(f.properties.community + " · " + f.properties.name), { sticky: true }); }
  }).addTo(map);
  var heat = L.layerGroup().addTo(map);
  var pins = L.layerGroup().addTo(map);
  var rings = {
    reported: "new", accepted: "dispatch", returned: "dispatch", escalated: "dispatch",
    dispatched: "unit", signed: "unit", handling: "unit", rework: "unit",
    handled: "check", verified: "check", hung: "hung"
  };

  function drawHeat() {
    return get(el.getAttribute("data-heat")).then(function (cases) {
      heat.clearLayers();
      cases.forEach(function (c) {
        // Overlapping translucent circles add up: where reports crowd,
        // the colour deepens. Two sizes give a soft edge.
        L.circleMarker([c.lat, c.lon], { renderer: heatRenderer, radius: 26, stroke: false, fillColor: "#ff7043", fillOpacity: 0.09, interactive: false }).addTo(heat);
        L.circleMarker([c.lat, c.lon], { renderer: heatRenderer, radius: 12, stroke: false, fillColor: "#e53935", fillOpacity: 0.14, interactive: false }).addTo(heat);
      });
      el.setAttribute("data-heat-count", String(cases.length));
    });
  }
  function drawCases() {
    return get(el.getAttribute("data-cases")).then(function (cases) {
      pins.clearLayers();
      cases.forEach(function (c) {
        var cls = "case-pin big due-" + (c.due || "none") + " ring-" + (rings[c.state] || "unit") + (c.approx ? " approx" : "");
        var m = L.marker([c.lat, c.lon], { icon: L.divIcon({ className: cls, iconSize: [16, 16] }), title: c.number + " " + c.title, riseOnHover: true });
        var a = document.createElement("a");
        a.href = "/cases/" + c.id;
        a.textContent = c.number + " " + c.title;
        var div = document.createElement("div");
        div.appendChild(a);
        div.appendChild(document.createElement("br"));
        div.appendChild(document.createTextNode(c.status));
        m.bindPopup(div);
        m.addTo(pins);
      });
      el.setAttribute("data-cases-count", String(cases.length));
      el.setAttribute("data-loaded", "1");
    });
  }
  get(el.getAttribute("data-grids")).then(function (fc) {
    grids.addData(fc);
    if (grids.getBounds().isValid()) map.fitBounds(grids.getBounds(), { padding: [8, 8] });
  }).catch(function () { /* the cases still show */ });
  drawHeat().catch(function () {});
  drawCases().catch(function () {});
  var pending = null;
  document.addEventListener("board:changed", function () {
    if (!pending) pending = setTimeout(function () { pending = null; drawCases().catch(function () {}); }, 500);
  });
  setInterval(function () { drawCases().catch(function () {}); }, 60000);
  setInterval(function () { drawHeat().catch(function () {}); }, 300000);
  // The map's box changes size with the window (a wall screen switching
  // resolution): Leaflet must be told.
  window.addEventListener("resize", function () { map.invalidateSize(); });
})();
