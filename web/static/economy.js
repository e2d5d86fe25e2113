// The building-economy map: each building a circle sized by its tax per
// m² (坪效), coloured by its tier; tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("economy-map");
  if (!el || !window.L) return;
  var data = [];
  try { data = JSON.parse(el.getAttribute("data-buildings") || "[]"); } catch (e) { return; }
  var map = L.map(el, { zoomSnap: 0.5, maxZoom: 19 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  map.setView([30.28, 120.12], 14);
  var colour = { "总部亿元楼": "#7a1fa2", "亿元楼宇": "#c62828", "千万元楼宇": "#ef6c00" };
  var maxPer = 1;
  data.forEach(function (b) { if (b.per_m2 > maxPer) maxPer = b.per_m2; });
  var group = L.featureGroup().addTo(map);
  data.forEach(function (b) {
    var c = L.circleMarker([b.lat, b.lon], {
      radius: 5 + 15 * Math.sqrt(b.per_m2 / maxPer), color: colour[b.tier] || "#607d8b", weight: 1, fillOpacity: 0.55
    });
    var a = document.createElement("a");
    a.href = "/buildings/" + b.id;
    a.textContent = b.name;
    var div = document.createElement("div");
    div.appendChild(a);
    div.appendChild(document.createElement("br"));
    div.appendChild(document.createTextNode(b.tier + " · " + b.tax + " 元 · " + b.per_m2 + " 元/㎡"));
    c.bindPopup(div);
    c.addTo(group);
  });
  if (data.length) map.fitBounds(group.getBounds(), { padding: [20, 20] });
  el.setAttribute("data-drawn", String(data.length));
})();
