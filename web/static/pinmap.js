// The resident's pin map (resident.html, without a grid code): the
// subdistrict's outline, and a tap drops the pin that fills the form's
// lat/lon. "Use my location" moves the pin too. Tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("pin-map");
  if (!el || !window.L) return;
  var form = el.closest("form");
  var lat = form.querySelector('[name="lat"]'), lon = form.querySelector('[name="lon"]');
  var out = form.querySelector("[data-geo-status]");
  var map = L.map(el, { maxZoom: 19, attributionControl: false, tap: true });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([30.28, 120.12], 14);
  var pin = null;
  function put(la, lo, pan) {
    if (pin) pin.setLatLng([la, lo]);
    else pin = L.marker([la, lo], { icon: L.divIcon({ className: "case-pin here", iconSize: [20, 20] }) }).addTo(map);
    if (pan) map.panTo([la, lo]);
  }
  fetch(el.getAttribute("data-area")).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
    if (!fc) return;
    var area = L.geoJSON(fc, { style: function () { return { color: "#b3261e", weight: 1, opacity: 0.6, fillOpacity: 0.05 }; }, interactive: false }).addTo(map);
    if (area.getBounds().isValid()) map.fitBounds(area.getBounds(), { padding: [6, 6] });
    if (lat.value && lon.value) put(parseFloat(lat.value), parseFloat(lon.value), true);
    el.setAttribute("data-loaded", "1");
  }).catch(function () { el.setAttribute("data-loaded", "1"); });
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    put(e.latlng.lat, e.latlng.lng, false);
    if (out) out.textContent = el.getAttribute("data-msg");
    var cat = form.querySelector('[name="category"]');
    if (cat && cat.value && window.htmx) htmx.trigger(cat, "change");
  });
  // "Use my location" filled the fields: follow them.
  form.addEventListener("change", function () {
    if (lat.value && lon.value) put(parseFloat(lat.value), parseFloat(lon.value), true);
  });
})();
