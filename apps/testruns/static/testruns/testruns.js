// Test-run charts (Chart.js, vendored): drawn in the browser from the JSON API.
// <canvas data-history-chart="API url" data-run-url="/projects/x/test-runs/"> and
// <canvas data-trends-chart="API url" data-run-url="...">. Clicking a point opens that run.
(function () {
  const COLORS = { passed: "#198754", failed: "#dc3545", error: "#b02a37", skipped: "#adb5bd" };

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  function empty(canvas, text) {
    const note = document.createElement("p");
    note.className = "text-body-secondary small mb-0";
    note.textContent = text;
    canvas.replaceWith(note);
  }

  function openRun(canvas, ids) {
    return (event, elements) => {
      if (elements.length && canvas.dataset.runUrl) window.location = canvas.dataset.runUrl + ids[elements[0].index] + "/";
    };
  }

  async function historyChart(canvas) {
    const data = await getJSON(canvas.dataset.historyChart);
    const entries = (data.results || []).slice().reverse();
    if (!entries.length) return empty(canvas, "No runs yet.");
    const ids = entries.map((e) => e.run.number);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: entries.map((e) => `#${e.run.number}`),
        datasets: [{
          label: "Duration (s)",
          data: entries.map((e) => e.duration),
          backgroundColor: entries.map((e) => COLORS[e.status] || "#6c757d"),
          statuses: entries.map((e) => e.status + (e.flaky_in_run ? " (flaky)" : "")),
        }],
      },
      options: {
        maintainAspectRatio: false,
        onClick: openRun(canvas, ids),
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            label: (ctx) => `${ctx.dataset.statuses[ctx.dataIndex]} · ${ctx.parsed.y.toFixed(3)} s`,
            afterLabel: (ctx) => entries[ctx.dataIndex].run.branch ? `branch ${entries[ctx.dataIndex].run.branch}` : "",
          } },
        },
        scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } },
      },
    });
  }

  async function trendsChart(canvas) {
    const data = await getJSON(canvas.dataset.trendsChart);
    const points = data.points || [];
    if (!points.length) return empty(canvas, "No complete runs for this branch yet.");
    const ids = points.map((p) => p.number);
    // Points take the pass-rate colour scale the pages use (testruns templatetags, data-rate-scale).
    const scale = JSON.parse(canvas.dataset.rateScale || "[]");
    const colourOf = (rate) => (rate === null ? "#6c757d" : (scale.find(([from]) => rate >= from) || [0, "#6c757d"])[1]);
    new Chart(canvas, {
      data: {
        labels: points.map((p) => `#${p.number}`),
        datasets: [
          { type: "line", label: "Pass rate (%)", data: points.map((p) => p.pass_rate), borderColor: "#6c757d",
            pointBackgroundColor: points.map((p) => colourOf(p.pass_rate)), pointBorderColor: points.map((p) => colourOf(p.pass_rate)),
            yAxisID: "rate", tension: 0.2, pointRadius: 4 },
          { type: "bar", label: "Duration (s)", data: points.map((p) => p.duration), backgroundColor: "rgba(79, 70, 229, .35)",
            yAxisID: "duration" },
        ],
      },
      options: {
        maintainAspectRatio: false,
        onClick: openRun(canvas, ids),
        interaction: { mode: "index", intersect: false },
        plugins: { tooltip: { callbacks: { footer: (items) => {
          const p = points[items[0].dataIndex];
          return `${p.tests} tests · ${p.failed + p.errors} failing · ${p.skipped} skipped`;
        } } } },
        scales: {
          rate: { position: "left", min: 0, max: 100, title: { display: true, text: "pass rate %" } },
          duration: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "seconds" } },
        },
      },
    });
  }

  function init() {
    document.querySelectorAll("canvas[data-history-chart]").forEach((c) => historyChart(c).catch(() => empty(c, "The chart could not be loaded.")));
    document.querySelectorAll("canvas[data-trends-chart]").forEach((c) => trendsChart(c).catch(() => empty(c, "The chart could not be loaded.")));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
