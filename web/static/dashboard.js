// Draws the dashboard's charts with ECharts from each chart's data-chart
// attribute; a click on a bar, point or slice opens the cases behind it.
(function () {
  "use strict";
  var red = ["#b3261e", "#1a56a6", "#1e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5d4037", "#546e7a"];
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  if (!window.echarts) return;
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d = JSON.parse(el.getAttribute("data-chart"));
    var bars = d.bars || [];
    if (!bars.length) {
      el.textContent = el.getAttribute("data-empty") || "";
      el.classList.add("empty");
      el.setAttribute("data-drawn", "1");
      return;
    }
    var c = echarts.init(el, null, { renderer: "canvas" });
    var text = { fontFamily: getComputedStyle(document.body).fontFamily };
    var opt;
    if (d.kind === "pie") {
      opt = {
        color: red, textStyle: text, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: bars.map(function (b) { return { name: b.label, value: b.value, link: b.link }; }),
          label: { formatter: "{b}\n{c}" } }]
      };
    } else {
      opt = {
        color: red, textStyle: text, tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: bars.map(function (b) { return b.label; }), axisLabel: { interval: 0, rotate: bars.length > 4 ? 40 : 0, width: 90, overflow: "truncate" } },
        yAxis: { type: "value" },
        series: [{ type: d.kind === "line" ? "line" : "bar", data: bars.map(function (b) { return { value: b.value, link: b.link }; }),
          smooth: false, areaStyle: d.kind === "line" ? { opacity: 0.15 } : undefined, barMaxWidth: 36 }]
      };
    }
    opt.aria = { enabled: true };
    opt.animation = false;
    c.setOption(opt);
    c.on("click", function (p) { if (p.data && p.data.link) window.location.href = p.data.link; });
    el.setAttribute("data-drawn", "1");
    charts.push(c);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
