// jiedao's own script for every page: small behaviours that need no
// library. Pages work without it; it only makes them quicker to use.
(function () {
  "use strict";
  var zh = document.documentElement.lang !== "en";

  // htmx requests carry the CSRF token as a header (see web/csrf.go).
  document.addEventListener("htmx:configRequest", function (e) {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m) e.detail.headers["X-CSRF-Token"] = m.content;
  });

  // Countdowns to a deadline: <span data-due="RFC 3339">.
  function span(ms) {
    var m = Math.floor(ms / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    if (zh) return d > 0 ? d + "天" + h + "小时" : h > 0 ? h + "小时" + mm + "分" : mm + "分钟";
    return d > 0 ? d + "d " + h + "h" : h > 0 ? h + "h " + mm + "m" : mm + "m";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now, over = left < 0;
      var s = span(Math.abs(left));
      el.textContent = over ? (zh ? "超期 " + s : "overdue by " + s) : (zh ? "剩余 " + s : s + " left");
      if (over) { el.classList.remove("due-ok", "due-warning"); el.classList.add("due-overdue"); }
    });
    // Waiting times: <span data-since="RFC 3339">.
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) return;
      el.textContent = (zh ? "已等待 " : "waiting ") + span(Math.max(now - since, 0));
    });
  }
  setInterval(tick, 30000);
  document.addEventListener("htmx:afterSettle", tick);

  // The demo accounts on the login page fill the form when tapped.
  document.addEventListener("click", function (e) {
    var c = e.target.closest("[data-fill-user]");
    if (!c) return;
    var u = document.getElementById("username"), p = document.getElementById("password");
    if (u) u.value = c.getAttribute("data-fill-user");
    if (p) { p.value = c.getAttribute("data-fill-pass") || ""; p.focus(); }
  });

  // "Use my location": fills the lat/lon fields of the form around the
  // button. Browsers give WGS-84, which jiedao stores as it is.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-geolocate]");
    if (!b) return;
    e.preventDefault();
    var form = b.closest("form"), out = form.querySelector("[data-geo-status]");
    function say(t) { if (out) out.textContent = t; }
    if (!navigator.geolocation) { say(zh ? "此浏览器不支持定位" : "this browser cannot locate you"); return; }
    say(zh ? "正在定位…" : "locating…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector('[name="lat"]').value = pos.coords.latitude.toFixed(6);
      form.querySelector('[name="lon"]').value = pos.coords.longitude.toFixed(6);
      form.querySelector('[name="lat"]').dispatchEvent(new Event("change", { bubbles: true })); // the pin map follows
      say((zh ? "已定位，精度约 " : "located, to about ") + Math.round(pos.coords.accuracy) + (zh ? " 米" : " m"));
      var cat = form.querySelector('[name="category"]');
      if (cat && window.htmx) htmx.trigger(cat, "change");
    }, function (err) {
      say((zh ? "定位失败：" : "could not locate: ") + err.message);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // Photo inputs show how many photos were chosen.
  document.addEventListener("change", function (e) {
    var f = e.target;
    if (f.type !== "file") return;
    var out = f.form && f.form.querySelector('[data-photo-count="' + f.name + '"]');
    if (out) out.textContent = f.files.length ? (zh ? "已选择 " + f.files.length + " 张照片" : f.files.length + " photo(s) chosen") : "";
  });

  // Print buttons.
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
  });
})();

// A "tick all" box: <input type="checkbox" data-check-all="NAME"> ticks
// every box named NAME in its form.
document.addEventListener("change", function (e) {
  var all = e.target.closest && e.target.closest("[data-check-all]");
  if (!all || !all.form) return;
  var name = all.getAttribute("data-check-all");
  all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = all.checked; });
});

// A checkbox list chosen by search (the admin's grid chooser): typing in
// [data-chooser-filter] hides the boxes whose data-text lacks the words;
// ticked boxes always stay, and are listed in [data-chooser-chosen].
document.addEventListener("input", function (e) {
  var f = e.target.closest && e.target.closest("[data-chooser-filter]");
  if (!f) return;
  var box = f.closest("[data-chooser]"), q = f.value.trim().toLowerCase();
  box.querySelectorAll("label[data-text]").forEach(function (l) {
    var cb = l.querySelector("input");
    l.hidden = q !== "" && !cb.checked && l.getAttribute("data-text").toLowerCase().indexOf(q) < 0;
  });
});
document.addEventListener("change", function (e) {
  var box = e.target.closest && e.target.closest("[data-chooser]");
  if (!box) return;
  var out = box.querySelector("[data-chooser-chosen]");
  if (!out) return;
  var names = [];
  box.querySelectorAll("label[data-text] input:checked").forEach(function (cb) { names.push(cb.parentNode.textContent.trim().split(/\s+/)[0]); });
  var zh = document.documentElement.lang !== "en";
  out.textContent = (zh ? "已选：" : "Chosen: ") + (names.length ? names.join("、") : (zh ? "无" : "none"));
});
