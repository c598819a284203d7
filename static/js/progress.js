/* Pages of long work (an offer import, a pairing round) poll their progress URL and
   reload when the work is done. The page passes values in data- attributes (no inline
   script: Content-Security-Policy). */
(function () {
  "use strict";

  function poll(url, update, running) {
    function tick() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          if (running.indexOf(data.status) < 0) { window.location.reload(); return; }
          update(data);
          window.setTimeout(tick, 1500);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  function importJob(section) {
    var bar = document.getElementById("job-progress");
    var note = document.getElementById("job-note");
    var status = document.getElementById("job-status");
    // The view hands the sentence over JSON-encoded.
    var template = JSON.parse(section.getAttribute("data-progress-template") || '""');
    poll(section.getAttribute("data-progress-url"), function (data) {
      if (data.total) {
        bar.max = data.total; bar.value = data.done;
        var text = template.replace("DONE", data.done).replace("TOTAL", data.total);
        if (note.textContent !== text) { note.textContent = text; }
      }
      status.textContent = data.label;
    }, ["queued", "running"]);
  }

  function setWidth(bar, progress) {
    if (bar && bar.firstElementChild) { bar.firstElementChild.style.width = progress + "%"; }
  }

  function pairingRound(section) {
    var bar = document.getElementById("round-progress");
    var note = document.getElementById("round-note");
    var status = document.getElementById("round-status");
    if (bar) { setWidth(bar, bar.getAttribute("aria-valuenow")); }
    poll(section.getAttribute("data-progress-url"), function (data) {
      var text = data.progress + " % — " + data.note;
      if (bar) {
        bar.setAttribute("aria-valuenow", data.progress);
        bar.setAttribute("aria-valuetext", text);
        setWidth(bar, data.progress);
      }
      if (note && note.textContent !== text) { note.textContent = text; }
      status.textContent = data.status_display;
    }, ["queued", "running", "publishing"]);
  }

  function start() {
    var job = document.getElementById("job-running");
    if (job) { importJob(job); }
    var round = document.getElementById("round-running");
    if (round) { pairingRound(round); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
