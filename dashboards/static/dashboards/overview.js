// Draws the weekly chart from the figure the server embedded with json_script,
// and wires the "Print this week" button.
(function () {
  "use strict";
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () {
      window.print();
    });
  }
  // A printed page has no "click to open": the metric help is printed open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.metric-help--more").forEach(function (d) {
      d.open = true;
    });
  });
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
      labels: (layout.annotations || []).map(function (a) {
        return a.text;
      }),
      margin: { l: layout.margin.l, r: layout.margin.r },
    })
  );

  // On a phone: fewer weeks labelled (the newest always), no axis titles
  // (the legend names both series), narrower margins.
  function compact(narrow) {
    // 26 and 52 weeks: every other (or fourth on a phone) week labelled.
    var step = (narrow ? 2 : 1) * (full.tickvals.length > 26 ? 2 : 1);
    var keep = function (_, i) {
      return (full.tickvals.length - 1 - i) % step === 0;
    };
    var updates = {
      "xaxis.tickvals": full.tickvals.filter(keep),
      "xaxis.ticktext": full.ticktext.filter(keep),
      "yaxis.title": narrow ? { text: "" } : full.y1,
      "yaxis2.title": narrow ? { text: "" } : full.y2,
      "margin.l": narrow ? 36 : full.margin.l,
      "margin.r": narrow ? 32 : full.margin.r,
    };
    // On a phone the annotation labels keep only their numbers; the list under the
    // chart has the titles.
    full.labels.forEach(function (text, i) {
      updates["annotations[" + i + "].text"] = narrow ? text.split(" ")[0] : text;
    });
    return updates;
  }

  var isNarrow = function () {
    return target.clientWidth < 560;
  };
  // The same dotted keys Plotly.relayout takes, set on the layout before the first draw.
  function apply(obj, updates) {
    Object.keys(updates).forEach(function (key) {
      // "annotations[2].text" -> ["annotations", "2", "text"]
      var path = key.replace(/\[(\d+)\]/g, ".$1").split(".");
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
