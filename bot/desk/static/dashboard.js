// Draws the dashboard charts with the vendored Chart.js from the chart descriptions the page carries
// (#dashboard-data). Every chart has the same numbers in a table next to it, so nothing here is the only way to
// read a number; without JavaScript the tables remain.
(function () {
  "use strict";
  const island = document.getElementById("dashboard-data");
  if (!island || !window.Chart) return;
  const specs = JSON.parse(island.textContent).charts || [];
  const Chart = window.Chart;

  // Dark, distinguishable colours (3:1 or better against white) in a fixed order.
  const PALETTE = ["#0b3d91", "#b35c00", "#1d6b35", "#6a1b9a", "#00695c", "#8c1d40"];
  const BAND = "rgba(11, 61, 145, 0.18)";
  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1b1b1b";
  if (reduceMotion) Chart.defaults.animation = false;

  const FORMAT = {
    percent: (v) => v.toFixed(1) + "%",
    index: (v) => v.toFixed(1),
    minutes: (v) => v.toFixed(1) + " min",
    count: (v) => Math.round(v).toLocaleString(),
  };

  function valueAxis(unit) {
    const axis = {beginAtZero: true, ticks: {callback: (v) => (unit === "percent" ? v + "%" : v)}};
    if (unit === "percent" || unit === "index") axis.max = 100;
    if (unit === "count") axis.ticks.precision = 0;
    return axis;
  }

  // Long category names (drivers, needs) wrap onto several lines instead of being cut off.
  function wrap(label, width) {
    const words = String(label).split(" ");
    const lines = [];
    let line = "";
    for (const word of words) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    }
    if (line) lines.push(line);
    return lines.length > 1 ? lines : label;
  }

  function config(spec) {
    const drawn = spec.series.filter((s) => s.chart !== false);
    const format = FORMAT[spec.unit] || FORMAT.index;
    const horizontal = spec.kind === "hbar";
    const datasets = drawn.map((series, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const base = {label: series.label, data: series.values, borderColor: colour, backgroundColor: colour};
      if (spec.kind === "band" && series.role === "band-low") {
        return Object.assign(base, {label: "95% confidence band", borderWidth: 0, pointRadius: 0, fill: false,
                                    backgroundColor: BAND, spanGaps: false, order: 2});
      }
      if (spec.kind === "band" && series.role === "band-high") {
        return Object.assign(base, {label: "95% confidence band (upper)", borderWidth: 0, pointRadius: 0,
                                    fill: "-1", backgroundColor: BAND, spanGaps: false, order: 2});
      }
      if (spec.kind === "band" || spec.kind === "line") {
        return Object.assign(base, {borderWidth: 3, pointRadius: 4, pointHoverRadius: 6, tension: 0,
                                    spanGaps: false, fill: false, order: 1});
      }
      return base;
    });
    const valueScale = valueAxis(spec.unit);
    return {
      type: spec.kind === "bar" || spec.kind === "hbar" ? "bar" : "line",
      data: {labels: spec.labels.map((l) => wrap(l, horizontal ? 22 : 16)), datasets: datasets},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        interaction: {mode: "index", intersect: false},
        scales: horizontal ? {x: valueScale, y: {ticks: {autoSkip: false}}}
                           : {y: valueScale, x: {ticks: {autoSkip: spec.labels.length > 16}}},
        plugins: {
          legend: {
            display: datasets.length > 1,
            labels: {filter: (item) => item.text !== "95% confidence band (upper)"},
          },
          tooltip: {
            filter: (item) => item.dataset.label !== "95% confidence band (upper)"
              && item.dataset.label !== "95% confidence band",
            callbacks: {
              label: (ctx) => {
                const v = horizontal ? ctx.parsed.x : ctx.parsed.y;
                if (v === null || v === undefined) return ctx.dataset.label + ": –";
                if (spec.kind === "band" && ctx.datasetIndex === 0) {
                  const low = drawn[1].values[ctx.dataIndex];
                  const high = drawn[2].values[ctx.dataIndex];
                  const band = low === null ? "" : " (95% CI " + format(low) + " to " + format(high) + ")";
                  return ctx.dataset.label + ": " + format(v) + band;
                }
                return ctx.dataset.label + ": " + format(v);
              },
            },
          },
        },
      },
    };
  }

  for (const spec of specs) {
    const canvas = document.getElementById("chart-" + spec.id);
    if (!canvas || !spec.labels.length) continue;
    if (spec.kind === "hbar") {  // room for every category, two lines of label each
      const bars = spec.series.filter((s) => s.chart !== false).length;
      canvas.parentElement.style.height = Math.max(16, spec.labels.length * (1.5 + 1.2 * bars)) + "rem";
    }
    try {
      new Chart(canvas, config(spec));
    } catch (err) {
      canvas.parentElement.hidden = true; // the table below still has the numbers
      if (window.console) console.error("chart " + spec.id + " failed", err);
    }
  }
})();
