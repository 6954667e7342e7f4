/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">, with
   the vendored Chart.js. Every bar has a dark outline, so each meets 3:1
   against white whatever its fill; no animation when the reader asks for
   reduced motion. */
(function () {
  "use strict";
  var COLOURS = ["#005eb8", "#007f3b", "#7c2855", "#ffb81c", "#d5281b", "#330072", "#4c6272", "#00a499"];
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    window.Chart.defaults.font.size = 14;
    window.Chart.defaults.font.family = "Arial, Helvetica, sans-serif";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, index) {
          return { label: series.label, data: series.data, backgroundColor: COLOURS[index % COLOURS.length],
                   borderColor: "#212b32", borderWidth: 1 };
        })
      },
      options: {
        animation: still ? false : { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { color: "#212b32" } },
                   tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + c.formattedValue + (spec.unit || ""); } } } },
        scales: { x: { ticks: { color: "#212b32" } }, y: { beginAtZero: true, ticks: { color: "#212b32" } } }
      }
    });
  }

  function drawAll() { Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
  window.attendanceCharts = { drawAll: drawAll };
}());
