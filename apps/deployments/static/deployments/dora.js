// DORA weekly trends (Chart.js, vendored): one small line chart per key, drawn from the JSON the page
// embeds (<script id="dora-trend" type="application/json">, Django's json_script: data, not code).
// <canvas data-dora-trend="lead_time"> picks the key; durations are shown in hours, rates in percent.
(function () {
  const source = document.getElementById("dora-trend");
  if (!source || typeof Chart === "undefined") return;
  const weeks = JSON.parse(source.textContent);
  const SCALE = {
    deployment_frequency: (v) => v,
    lead_time: (v) => v / 3600,
    recovery_time: (v) => v / 3600,
    change_failure_rate: (v) => v * 100,
    rework_rate: (v) => v * 100,
  };
  const COLOR = "#0d6efd";

  document.querySelectorAll("canvas[data-dora-trend]").forEach((canvas) => {
    const key = canvas.dataset.doraTrend;
    const values = weeks.map((w) => (w[key] === null || w[key] === undefined ? null : SCALE[key](w[key])));
    if (!values.some((v) => v !== null)) {
      const note = document.createElement("p");
      note.className = "text-body-secondary small mb-0";
      note.textContent = "No data in this period.";
      canvas.replaceWith(note);
      return;
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: weeks.map((w) => w.week),
        datasets: [{ data: values, borderColor: COLOR, backgroundColor: COLOR, spanGaps: true, tension: 0.2,
                     pointRadius: 2 }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false },
                   tooltip: { callbacks: { title: (items) => `${items[0].label} (from ${weeks[items[0].dataIndex].start})` } } },
        scales: { x: { ticks: { maxTicksLimit: 4, font: { size: 10 } } },
                  y: { beginAtZero: true, ticks: { maxTicksLimit: 4, font: { size: 10 } } } },
      },
    });
  });
})();
