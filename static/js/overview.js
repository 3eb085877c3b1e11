// The street overview's charts (Apache ECharts, static/vendor/echarts).
// The figures come from the json_script element "overview-charts": the
// content security policy allows no inline script.
(function () {
  "use strict";
  var source = document.getElementById("overview-charts");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var printing = document.body.classList.contains("print-view");
  var red = "#a61b1b";
  var palette = [red, "#d97706", "#2563eb", "#059669", "#7c3aed", "#db2777",
    "#0891b2", "#65a30d", "#9333ea", "#ea580c"];
  var charts = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    // SVG draws sharply on paper; no animation so a print shows it whole.
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    option.color = palette;
    option.animation = false;
    option.textStyle = {
      fontFamily: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
    };
    chart.setOption(option);
    charts.push(chart);
  }

  // What every chart shares: tooltip, legend on top, room for labels.
  function frame(right) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 40, right: right, top: 48, bottom: 28, containLabel: true }
    };
  }

  function narrow() {
    return window.innerWidth < 600;
  }

  var c = data.concerns;
  draw("chart-concerns", Object.assign(frame(44), {
    xAxis: { type: "category", data: c.months,
      axisLabel: { rotate: narrow() ? 45 : 0 } },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
    ],
    series: [
      { name: c.labels.total, type: "bar", data: c.total, itemStyle: { color: "#f3c4c4" } },
      { name: c.labels.response, type: "line", yAxisIndex: 1, data: c.response, connectNulls: true },
      { name: c.labels.resolution, type: "line", yAxisIndex: 1, data: c.resolution, connectNulls: true },
      { name: c.labels.satisfaction, type: "line", yAxisIndex: 1, data: c.satisfaction, connectNulls: true }
    ]
  }));

  var s = data.scores;
  if (s.quarters.length) {
    draw("chart-scores", Object.assign(frame(20), {
      xAxis: { type: "category", data: s.quarters },
      yAxis: { type: "value", scale: true },
      series: s.series.map(function (line) {
        return { name: line.name, type: "line", data: line.data, connectNulls: true };
      })
    }));
  } else {
    var empty = document.getElementById("chart-scores");
    if (empty) {
      empty.hidden = true;
    }
  }

  var f = data.facilities;
  draw("chart-facilities", Object.assign(frame(44), {
    xAxis: { type: "category", data: f.communities,
      axisLabel: { interval: 0, rotate: narrow() || f.communities.length > 5 ? 40 : 0 } },
    yAxis: [
      { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      { type: "value", minInterval: 1 }
    ],
    series: [
      { name: f.labels.access, type: "bar", data: f.access },
      { name: f.labels.chargers, type: "bar", yAxisIndex: 1, data: f.chargers }
    ]
  }));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  if (!printing) {
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
})();
