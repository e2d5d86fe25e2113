// The command center's board: a server-sent event stream says which cases
// changed; the board then fetches its sections again with htmx and marks
// the changed cases. Filters submit as soon as they change.
(function () {
  "use strict";
  var rows = document.getElementById("board-rows");
  var live = document.getElementById("live");
  if (!rows) return;
  // The wall screen's clock.
  var clock = document.getElementById("board-clock");
  function showTime() {
    if (clock) clock.textContent = new Date().toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
  }
  showTime();
  setInterval(showTime, 1000);
  var form = document.getElementById("board-filter");
  if (form) form.addEventListener("change", function () { form.submit(); });

  var fresh = [], pending = null;
  function refresh() {
    pending = null;
    var mark = fresh.slice(); fresh = [];
    htmx.ajax("GET", rows.getAttribute("data-rows"), { target: rows, swap: "innerHTML" }).then(function () {
      mark.forEach(function (n) {
        rows.querySelectorAll('[data-number="' + n + '"]').forEach(function (li) { li.classList.add("fresh"); });
      });
      document.dispatchEvent(new CustomEvent("board:changed"));
    });
  }
  function state(on) {
    live.textContent = live.getAttribute(on ? "data-msg-up" : "data-msg-down");
    live.classList.toggle("on", on);
  }
  var es = new EventSource(rows.getAttribute("data-stream"));
  es.onopen = function () { state(true); };
  es.onerror = function () { state(false); };
  // The session ended: reloading shows the login page.
  es.addEventListener("end", function () { es.close(); window.location.reload(); });
  es.addEventListener("cases", function (e) {
    JSON.parse(e.data).forEach(function (c) { fresh.push(c.number); });
    if (!pending) pending = setTimeout(refresh, 300); // one fetch for a burst of changes
  });
})();
