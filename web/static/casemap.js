// The small map of a case page: the case's place as a pin, its grid's
// outline when the grids load, tiles only when configured (as map.js).
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || !window.L) return;
  var lat = parseFloat(el.getAttribute("data-lat")), lon = parseFloat(el.getAttribute("data-lon"));
  if (isNaN(lat) || isNaN(lon)) return;
  var map = L.map(el, { zoomControl: true, attributionControl: false, maxZoom: 19, scrollWheelZoom: false });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([lat, lon], 17);
  L.marker([lat, lon], { icon: L.divIcon({ className: "case-pin here", iconSize: [18, 18] }) }).addTo(map);
  var grid = el.getAttribute("data-grid");
  fetch(el.getAttribute("data-grids"), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
    if (!fc) return;
    var layer = L.geoJSON(fc, {
      filter: function (f) { return String(f.properties.id) === grid; },
      style: function () { return { color: "#1a56a6", weight: 2, fillOpacity: 0.08 }; }
    }).addTo(map);
    map.invalidateSize();
    if (layer.getBounds().isValid()) {
      var b = layer.getBounds().extend([lat, lon]);
      map.fitBounds(b, { padding: [12, 12], maxZoom: 18 });
    }
    el.setAttribute("data-loaded", "1");
  }).catch(function () { el.setAttribute("data-loaded", "1"); });
})();
