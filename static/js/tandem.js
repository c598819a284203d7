// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Pre-select the browser's time zone on sign-up, where the user has not chosen one yet.
  function detectTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      if (select.value === "UTC" && zone && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    });
  }

  // A filter box narrows a long <select> or a list of checkboxes as the user types.
  function filterBoxes() {
    document.querySelectorAll(".filter-box[data-filter-for]").forEach(function (box) {
      var input = box.querySelector("input");
      var target = document.getElementById(box.getAttribute("data-filter-for"));
      if (!input || !target) { return; }
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var matches = function (text) {
          text = text.toLowerCase();
          return words.every(function (w) { return text.indexOf(w) !== -1; });
        };
        if (target.tagName === "SELECT") {
          target.querySelectorAll("option").forEach(function (option) {
            if (!option.value) { return; }
            option.hidden = !matches(option.textContent);
          });
          target.querySelectorAll("optgroup").forEach(function (group) {
            var any = Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
            group.hidden = !any;
          });
        } else {
          target.querySelectorAll("input[type=checkbox]").forEach(function (checkbox) {
            var item = checkbox.closest("div, li") || checkbox.parentElement;
            item.hidden = !matches(item.textContent);
          });
        }
      });
    });
  }

  // Move focus to the error summary after a failed submit, for screen-reader users.
  function focusErrors() {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    detectTimeZone();
    filterBoxes();
    focusErrors();
  });
})();
