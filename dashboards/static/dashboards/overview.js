// Draws the weekly chart from the figure the server embedded with json_script.
(function () {
  "use strict";
  var data = document.getElementById("weekly-chart-data");
  var target = document.getElementById("weekly-chart");
  if (!data || !target || !window.Plotly) {
    return;
  }
  var figure = JSON.parse(data.textContent);
  var layout = figure.layout;
  // A copy: Plotly keeps and changes the layout object it is given.
  var full = JSON.parse(
    JSON.stringify({
      tickvals: layout.xaxis.tickvals,
      ticktext: layout.xaxis.ticktext,
      y1: layout.yaxis.title,
      y2: layout.yaxis2.title,
      margin: { l: layout.margin.l, r: layout.margin.r },
    })
  );

  // On a phone: every other week labelled (the newest always), no axis titles
  // (the legend names both series), narrower margins.
  function compact(narrow) {
    var keep = function (_, i) {
      return !narrow || (full.tickvals.length - 1 - i) % 2 === 0;
    };
    return {
      "xaxis.tickvals": full.tickvals.filter(keep),
      "xaxis.ticktext": full.ticktext.filter(keep),
      "yaxis.title": narrow ? { text: "" } : full.y1,
      "yaxis2.title": narrow ? { text: "" } : full.y2,
      "margin.l": narrow ? 36 : full.margin.l,
      "margin.r": narrow ? 32 : full.margin.r,
    };
  }

  var isNarrow = function () {
    return target.clientWidth < 560;
  };
  // The same dotted keys Plotly.relayout takes, set on the layout before the first draw.
  function apply(obj, updates) {
    Object.keys(updates).forEach(function (key) {
      var path = key.split(".");
      var last = path.pop();
      var node = path.reduce(function (parent, part) {
        return parent[part];
      }, obj);
      node[last] = updates[key];
    });
  }

  var narrow = isNarrow();
  apply(layout, compact(narrow));
  window.Plotly.newPlot(target, figure.data, layout, figure.config);

  window.addEventListener("resize", function () {
    if (isNarrow() !== narrow) {
      narrow = !narrow;
      window.Plotly.relayout(target, compact(narrow));
    }
  });
})();
