/* Charts: every <canvas data-chart="ID"> is drawn from the JSON in <script id="ID">
   (Django's json_script), a Chart.js config: {type, data, options}. Colours follow
   the page's CSS variables so charts match the traffic lights and the theme. */
(function () {
  "use strict";
  var palette = ["#1f6feb", "#2da44e", "#d4a72c", "#cf222e", "#8250df", "#0a8a8a", "#bc4c00", "#57606a"];
  function colour(i) { return palette[i % palette.length]; }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var config = JSON.parse(source.textContent);
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false,
        // Numbers on axes and tooltips in the page's language ("1.250,5" in Greek).
        locale: document.documentElement.lang || undefined,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } },
      config.options || {}
    );
    (config.data.datasets || []).forEach(function (ds, i) {
      var c = ds.color || colour(i);
      delete ds.color;
      if (ds.backgroundColor === undefined) ds.backgroundColor = config.type === "line" ? c + "33" : c;
      if (ds.borderColor === undefined) ds.borderColor = c;
      if (config.type === "line" && ds.tension === undefined) ds.tension = 0.25;
    });
    new Chart(canvas, config);
    canvas.dataset.drawn = "1";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
  window.salesmgmtCharts = { drawAll: drawAll };
})();
