// The case map: grids from the directory as GeoJSON polygons, open cases as
// clustered markers (leaflet.markercluster), tiles only when configured.
(function () {
  "use strict";
  // Leaflet reads a string tooltip as HTML: names typed by admins go in
  // as text (a span whose textContent is set), never as markup.
  function plainText(s) {
    var e = document.createElement("span");
    e.textContent = s;
    return e;
  }
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var form = document.getElementById("map-filter");
  if (form) form.addEventListener("change", function () { form.submit(); });
  // maxZoom on the map itself: without a tile layer nothing else sets it,
  // and clustering needs it.
  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, maxZoom: 19 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([30.28, 120.12], 15);

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  var grids = L.geoJSON(null, {
    className: "grid-shape",
    style: function (f) { return { color: f.properties.kind === "standard" ? "#1a56a6" : "#b26a00", weight: 1.5, fillOpacity: 0.06 }; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(plainText(f.properties.community + " · " + f.properties.name), { sticky: true });
    }
  }).addTo(map);
  var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(clusters);

  get(el.getAttribute("data-grids")).then(function (fc) {
    grids.addData(fc);
    if (grids.getBounds().isValid()) map.fitBounds(grids.getBounds(), { padding: [10, 10] });
  });
  get(el.getAttribute("data-cases")).then(function (cases) {
    var markers = cases.map(function (c) {
      var m = L.marker([c.lat, c.lon], {
        icon: L.divIcon({ className: "case-pin due-" + (c.due || "none") + (c.approx ? " approx" : ""), iconSize: [14, 14] }),
        title: c.number + " " + c.title
      });
      var a = document.createElement("a");
      a.href = "/cases/" + c.id;
      a.textContent = c.number + " " + c.title;
      var div = document.createElement("div");
      div.appendChild(a);
      div.appendChild(document.createElement("br"));
      div.appendChild(document.createTextNode(c.status));
      m.bindPopup(div);
      return m;
    });
    clusters.addLayers(markers);
    var n = document.getElementById("map-count");
    if (n) n.textContent = cases.length + " " + el.getAttribute("data-count-label");
    el.setAttribute("data-loaded", "1");
  });
})();
