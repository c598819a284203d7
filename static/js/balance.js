/* The statistics page (templates/balance/dashboard.html), progressively enhanced.
 *
 * Without this script every section shows, one after the other, and the contents bar
 * links to them. With it the bar becomes tabs (WAI-ARIA tabs pattern: arrow keys,
 * Home and End, automatic activation) showing one section at a time; the URL's hash
 * names the open tab, so a link or a reload opens the same one. Printing shows every
 * section and opens every <details>. The map shows the figures of the country under the
 * pointer or the keyboard focus below it. */
(function () {
  "use strict";

  function setUpTabs() {
    var nav = document.querySelector("[data-stats-nav]");
    var holder = document.querySelector("[data-stats-sections]");
    if (!nav || !holder) return;
    var list = nav.querySelector("ul");
    var tabs = Array.prototype.slice.call(nav.querySelectorAll("a[data-section]"));
    var panels = tabs.map(function (tab) { return document.getElementById(tab.dataset.section); });
    if (!tabs.length || panels.indexOf(null) !== -1) return;

    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", nav.getAttribute("aria-label") || "");
    tabs.forEach(function (tab, i) {
      tab.parentElement.setAttribute("role", "presentation");
      tab.setAttribute("role", "tab");
      tab.id = "tab-" + panels[i].id;
      tab.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", tab.id);
      panels[i].setAttribute("tabindex", "0");
    });
    document.documentElement.classList.add("stats-tabs");

    function select(index, focus, keepHash) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
      if (!keepHash) {
        history.replaceState(null, "", "#" + panels[index].id);
      }
    }

    function indexForHash() {
      var id = decodeURIComponent(location.hash.slice(1));
      if (!id) return -1;
      var target = document.getElementById(id);
      if (!target) return -1;
      for (var i = 0; i < panels.length; i++) {
        if (panels[i] === target || panels[i].contains(target)) return i;
      }
      return -1;
    }

    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, true);
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (i + 1) % tabs.length;
        else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (i - 1 + tabs.length) % tabs.length;
        else if (event.key === "Home") next = 0;
        else if (event.key === "End") next = tabs.length - 1;
        if (next === null) return;
        event.preventDefault();
        select(next, true);
      });
    });

    window.addEventListener("hashchange", function () {
      var i = indexForHash();
      if (i !== -1) {
        select(i, false, true);
        var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
        if (target && target !== panels[i]) target.scrollIntoView();
      }
    });

    var start = indexForHash();
    select(start === -1 ? 0 : start, false, start === -1);
    if (start !== -1) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && target !== panels[start]) target.scrollIntoView();
    }

    // Printing is a report of every section.
    var hiddenBeforePrint = [];
    var closedBeforePrint = [];
    window.addEventListener("beforeprint", function () {
      hiddenBeforePrint = panels.filter(function (p) { return p.hidden; });
      hiddenBeforePrint.forEach(function (p) { p.hidden = false; });
      closedBeforePrint = Array.prototype.slice.call(holder.querySelectorAll("details:not([open])"));
      closedBeforePrint.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      hiddenBeforePrint.forEach(function (p) { p.hidden = true; });
      closedBeforePrint.forEach(function (d) { d.open = false; });
    });
  }

  function setUpMapReadout() {
    var map = document.querySelector("svg.asem-map");
    var readout = document.querySelector("[data-map-readout]");
    if (!map || !readout) return;
    function show(event) {
      var country = event.target.closest && event.target.closest(".country");
      if (country) readout.textContent = country.getAttribute("data-label");
    }
    map.addEventListener("mouseover", show);
    map.addEventListener("focusin", show);
  }

  function start() {
    setUpTabs();
    setUpMapReadout();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
