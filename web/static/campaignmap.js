// A campaign's units on the map: pending grey, checked green, a problem
// found red. Tiles only when configured, as on the case map.
(function () {
  "use strict";
  // Leaflet reads a string tooltip as HTML: names typed by admins go in
  // as text (a span whose textContent is set), never as markup.
  function plainText(s) {
    var e = document.createElement("span");
    e.textContent = s;
    return e;
  }
  var el = document.getElementById("campaign-map");
  if (!el || !window.L) return;
  var map = L.map(el, { preferCanvas: true, maxZoom: 19 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([30.28, 120.12], 15);
  fetch(el.getAttribute("data-units"), { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(function (units) {
    map.invalidateSize();
    var layer = L.featureGroup();
    units.forEach(function (u) {
      var colour = u.status !== "checked" ? "#9aa3ab" : (u.failed ? "#c62828" : "#2e9a50");
      L.circleMarker([u.lat, u.lon], { radius: 5, color: colour, fillColor: colour, fillOpacity: 0.8, weight: 1 })
        .bindTooltip(plainText(u.name)).addTo(layer);
    });
    layer.addTo(map);
    if (units.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    el.setAttribute("data-loaded", String(units.length));
  });
})();
