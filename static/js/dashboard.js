// Leader dashboard charts (ECharts, vendored). Data comes from the page's json_script block.
(function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  // bar charts: every bar named in full (wrapped, never cut) and labelled with its value
  var names = {interval: 0, width: 120, overflow: "break", lineHeight: 14};
  function fitBars(id, count) {  // tall enough for every name (CSSOM, allowed by the Content-Security-Policy)
    document.getElementById(id).style.height = Math.max(240, 34 * count + 60) + "px";
  }
  fitBars("chart-units", data.units.length);
  if (data.ranked) {
    fitBars("chart-ranked", data.ranked.length);
  }
  var trend = echarts.init(document.getElementById("chart-trend"));
  trend.setOption({
    title: {text: "近六个月趋势", textStyle: {fontSize: 13}},
    tooltip: {trigger: "axis", renderMode: "richText"}, legend: {data: ["未销号", "逾期"], right: 0}, grid: {left: 56},
    xAxis: {type: "category", data: data.months}, yAxis: {type: "value"},
    series: [{name: "未销号", type: "line", data: data.open, label: {show: true}},
             {name: "逾期", type: "line", data: data.overdue, color: "#b71c1c", label: {show: true, position: "bottom"}}]
  });
  var units = echarts.init(document.getElementById("chart-units"));
  units.setOption({
    title: {text: "各单位整改完成率(%)", textStyle: {fontSize: 13}},
    tooltip: {renderMode: "richText"}, grid: {left: 8, right: 52, top: 32, bottom: 8, containLabel: true},
    xAxis: {type: "value", max: 100}, yAxis: {type: "category", data: data.units, inverse: true, axisLabel: names},
    series: [{type: "bar", data: data.rates, color: "#b71c1c", label: {show: true, position: "right", formatter: "{c}%"}}]
  });
  // Every chart element opens the list of exactly what it counts. A click anywhere in a month's column (or a
  // unit's row) counts, so a finger on a phone need not hit the line's point or the bar itself.
  function onGrid(chart, handle) {
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (chart.containPixel("grid", point)) { handle(chart.convertFromPixel({seriesIndex: 0}, point)); }
    });
  }
  onGrid(trend, function (value) {
    var i = Math.round(value[0]);
    if (i < 0 || i >= data.months.length) { return; }
    var overdue = Math.abs(value[1] - data.overdue[i]) < Math.abs(value[1] - data.open[i]);
    window.location.href = (overdue ? data.overdue_urls : data.open_urls)[i];
  });
  onGrid(units, function (value) {
    var i = Math.round(value[1]);
    if (i >= 0 && i < data.unit_urls.length) { window.location.href = data.unit_urls[i]; }
  });
  var charts = [trend, units];
  if (data.grades) {
    var grades = echarts.init(document.getElementById("chart-grades"));
    grades.setOption({title: {text: "等次分布", textStyle: {fontSize: 13}}, tooltip: {renderMode: "richText"},
                      series: [{type: "pie", radius: "45%", data: data.grades, percentPrecision: 0,
                                label: {formatter: "{b}\n{c} 个 · {d}%", lineHeight: 15}, labelLine: {length: 8, length2: 6}}]});
    var ranked = echarts.init(document.getElementById("chart-ranked"));
    ranked.setOption({title: {text: "排名前五和后五", textStyle: {fontSize: 13}}, tooltip: {renderMode: "richText"},
                      grid: {left: 8, right: 52, top: 32, bottom: 8, containLabel: true},
                      xAxis: {type: "value"}, yAxis: {type: "category", data: data.ranked, inverse: true, axisLabel: names},
                      series: [{type: "bar", data: data.totals, color: "#1565c0", label: {show: true, position: "right"}}]});
    grades.on("click", function (p) { window.location.href = data.grades[p.dataIndex].url; });
    ranked.on("click", function (p) { window.location.href = data.ranked_urls[p.dataIndex]; });
    charts.push(grades, ranked);
  }
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
