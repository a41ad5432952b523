/* Sources: follow a collection's progress. Polls the source's progress endpoint every
   2 s until the run is over; writes text only (textContent), never HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url") + "?after=" + encodeURIComponent(box.getAttribute("data-after") || "0");
  var started = Date.now();
  var FIELDS = ["seen", "created", "updated", "unchanged", "skipped"];

  function field(name) {
    return box.querySelector('[data-field="' + name + '"]');
  }

  function show(data) {
    var label = field("label");
    label.textContent = data.label;
    label.className = "src-status src-status--" + data.state;
    box.setAttribute("data-state", data.state);
    FIELDS.forEach(function (name) {
      if (typeof data[name] === "number") field(name).textContent = String(data[name]);
    });
    var error = field("error");
    error.textContent = data.error || "";
    error.hidden = !data.error;
    var note = field("note");
    if (data.done) {
      note.textContent = "Finished. The run is in the history below.";
    } else if (data.state === "queued" && Date.now() - started > 60000) {
      note.textContent = "Still waiting for a worker to pick it up. Is a Celery worker running?";
    } else {
      note.textContent = "Updated every 2 seconds while it runs.";
    }
  }

  /* The run is over: bring the page's health summary and history up to date by swapping
     in the same sections of a fresh copy of this page (server-rendered, escaped there). */
  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["source-summary", "history"].forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next) now.replaceWith(document.importNode(next, true));
        });
      })
      .catch(function () {
        field("note").textContent = "Finished. Reload the page to see it in the history.";
      });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.done) refresh();
        else window.setTimeout(poll, 2000);
      })
      .catch(function () {
        field("note").textContent = "Could not read the progress just now; trying again.";
        window.setTimeout(poll, 5000);
      });
  }

  poll();
})();
