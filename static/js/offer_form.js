// The offer form (templates/offers/offer_form.html), enhanced: sections with progress, a
// search box for the long selects, the weekly windows shown live in the partner region's
// time zones, and an error summary whose links reach the field. Without this file the
// form works as one long page.
(function () {
  "use strict";

  var form = document.querySelector("[data-offer-form]");
  if (!form) { return; }
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var nav = form.querySelector("[data-steps]");
  var MODE_KEY = "tandem.offerForm.oneAtATime";

  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/_/g, " ");
  }

  // --- search boxes: narrow a long select as one types --------------------------------

  function selectSearch(box) {
    var input = box.querySelector("input");
    var select = document.getElementById(box.getAttribute("data-select-search"));
    var status = box.querySelector("[data-search-status]");
    if (!input || !select) { return; }
    box.hidden = false;
    var options = Array.prototype.slice.call(select.querySelectorAll("option")).filter(function (o) { return o.value; });
    var haystacks = options.map(function (o) {
      var group = o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
      return fold([o.textContent, o.getAttribute("data-search") || "", o.value, group].join(" "));
    });
    function visible() { return options.filter(function (o) { return !o.hidden; }); }

    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var count = 0;
      options.forEach(function (option, i) {
        var match = words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
        option.hidden = !match;
        if (match) { count += 1; }
      });
      var groups = 0;
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
        if (!group.hidden) { groups += 1; }
      });
      // While filtering, the matches show as an open list rather than a closed dropdown.
      select.size = words.length ? Math.max(2, Math.min(count + groups + 1, 10)) : 0;
      select.classList.toggle("is-filtered", words.length > 0);
      if (!words.length) { status.textContent = ""; return; }
      status.textContent = count ? box.getAttribute("data-count-text").replace("%(count)s", String(count))
        : box.getAttribute("data-none-text");
    }

    function choose(option) {
      if (!option) { return; }
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        // Enter takes the first match, and never submits the form from the search box.
        e.preventDefault();
        choose(visible()[0]);
      } else if (e.key === "ArrowDown" && visible().length) {
        e.preventDefault();
        if (select.selectedOptions[0] && select.selectedOptions[0].hidden) { choose(visible()[0]); }
        select.focus();
      }
    });
  }

  // --- sections: progress, one at a time, and where the reader is ------------------------

  function filled(control) {
    if (control.type === "radio" || control.type === "checkbox") {
      return !!form.querySelector('input[name="' + control.name + '"]:checked');
    }
    return control.value.trim() !== "";
  }

  function sectionState(section) {
    if (section.classList.contains("has-problems")) { return "problems"; }
    var required = Array.prototype.slice.call(section.querySelectorAll("[required]"));
    var rows = section.querySelectorAll("[data-row]");
    var rowDone = !rows.length || Array.prototype.some.call(rows, function (row) {
      var controls = row.querySelectorAll("select, input");
      return Array.prototype.every.call(controls, filled);
    });
    if (!required.length && !rows.length) { return "optional"; }
    return required.every(filled) && rowDone ? "complete" : "";
  }

  function updateProgress() {
    if (!nav) { return; }
    sections.forEach(function (section) {
      var item = nav.querySelector('[data-step-item="' + section.getAttribute("data-step") + '"]');
      var state = sectionState(section);
      item.classList.toggle("step-complete", state === "complete");
      if (state === "complete" || state === "optional") {
        item.querySelector("[data-step-state]").textContent = nav.getAttribute("data-" + state + "-text");
      } else if (state === "") {
        item.querySelector("[data-step-state]").textContent = "";
      }
    });
  }

  function markCurrent(section) {
    if (!nav) { return; }
    nav.querySelectorAll("[data-step-link]").forEach(function (link) {
      if (section && link.getAttribute("data-step-link") === section.getAttribute("data-step")) {
        link.setAttribute("aria-current", "step");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  var oneAtATime = false;

  function open(section, focusHeading) {
    if (oneAtATime) {
      sections.forEach(function (s) { s.hidden = s !== section; });
    }
    markCurrent(section);
    if (focusHeading) {
      var heading = section.querySelector("h2");
      heading.focus({ preventScroll: true });
      section.scrollIntoView({ block: "start" });
    }
  }

  function firstOpen() {
    var wrong = sections.filter(function (s) { return s.classList.contains("has-problems"); })[0];
    var hashed = location.hash && document.getElementById(location.hash.slice(1));
    var hashedSection = hashed && hashed.closest("[data-step]");
    return wrong || hashedSection || sections[0];
  }

  function setMode(one, keep) {
    oneAtATime = one;
    form.classList.toggle("one-at-a-time", one);
    var button = nav.querySelector("[data-step-mode]");
    button.textContent = nav.getAttribute(one ? "data-all-text" : "data-one-text");
    button.setAttribute("aria-pressed", "false");
    form.querySelectorAll("[data-step-buttons]").forEach(function (b) { b.hidden = !one; });
    var current = nav.querySelector('[aria-current="step"]');
    var section = current ? document.getElementById("step-" + current.getAttribute("data-step-link")) : firstOpen();
    if (one) { open(section, false); } else { sections.forEach(function (s) { s.hidden = false; }); }
    if (keep) {
      try { localStorage.setItem(MODE_KEY, one ? "1" : "0"); } catch (e) { /* private mode */ }
    }
  }

  function steps() {
    if (!nav || !sections.length) { return; }
    var stored = null;
    try { stored = localStorage.getItem(MODE_KEY); } catch (e) { /* private mode */ }
    // Small screens start with one section at a time; wide ones show all beside the list.
    var one = stored === null ? !window.matchMedia("(min-width: 64rem)").matches : stored === "1";
    var modeButton = nav.querySelector("[data-step-mode]");
    modeButton.hidden = false;
    modeButton.addEventListener("click", function () { setMode(!oneAtATime, true); });
    markCurrent(firstOpen());
    setMode(one, false);
    nav.addEventListener("click", function (e) {
      var link = e.target.closest("[data-step-link]");
      if (!link) { return; }
      e.preventDefault();
      open(document.getElementById("step-" + link.getAttribute("data-step-link")), true);
    });
    sections.forEach(function (section, i) {
      var next = section.querySelector("[data-step-next]");
      var back = section.querySelector("[data-step-back]");
      if (next) { next.addEventListener("click", function () { open(sections[i + 1], true); }); }
      if (back) { back.addEventListener("click", function () { open(sections[i - 1], true); }); }
    });
    // Showing all: the list follows the section being read.
    if (window.IntersectionObserver) {
      var observer = new IntersectionObserver(function (entries) {
        if (oneAtATime) { return; }
        entries.forEach(function (entry) { if (entry.isIntersecting) { markCurrent(entry.target); } });
      }, { rootMargin: "-20% 0px -70% 0px" });
      sections.forEach(function (s) { observer.observe(s); });
    }
    form.addEventListener("input", updateProgress);
    form.addEventListener("change", updateProgress);
    updateProgress();
  }

  // --- the error summary: each link opens its section and focuses the field --------------

  function errorLinks() {
    form.querySelectorAll("[data-error-link]").forEach(function (link) {
      link.addEventListener("click", function (e) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) { return; }
        e.preventDefault();
        var section = field.closest("[data-step]");
        if (section) { open(section, false); }
        var label = form.querySelector('label[for="' + field.id + '"]') || field;
        var group = field.closest("fieldset:not(.section)");
        (group || label).scrollIntoView({ block: "center" });
        field.focus({ preventScroll: true });
      });
    });
  }

  // A second institution may be in another country: its zone follows, unless chosen.
  function institutionZone(data) {
    var institution = document.getElementById("id_offer-institution");
    var zone = document.getElementById("id_time_zone");
    if (!institution || !zone) { return; }
    var chosen = false;
    zone.addEventListener("change", function (e) { if (e.isTrusted) { chosen = true; } });
    institution.addEventListener("change", function () {
      var place = data.places[institution.value];
      if (!chosen && place && zone.querySelector('option[value="' + place.zone + '"]')) {
        zone.value = place.zone;
        zone.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // --- the weekly windows in the partner region's zones, as the lecturer types ----------
  // Conversions use the browser's own time-zone data (Intl), like offers/timewindows.py
  // on the offer page: each window in the first week on or after the start of each period
  // between daylight-saving changes.

  var DAY = 86400000;
  var formats = {};

  function wallClock(zone, ms) {
    if (!formats[zone]) {
      formats[zone] = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit"
      });
    }
    var p = {};
    formats[zone].formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
    var date = Date.UTC(+p.year, +p.month - 1, +p.day);
    return { date: date, hour: +p.hour % 24, minute: +p.minute, weekday: (new Date(date).getUTCDay() + 6) % 7 };
  }

  function offset(zone, ms) {
    var w = wallClock(zone, ms);
    return (w.date + (w.hour * 60 + w.minute) * 60000 - Math.floor(ms / 60000) * 60000) / 60000;
  }

  // The instant when the clocks in `zone` show `minutes` past midnight on `date` (UTC ms).
  function instant(zone, date, minutes) {
    var guess = date + minutes * 60000;
    var first = offset(zone, guess);
    var t = guess - first * 60000;
    var second = offset(zone, t);
    return second === first ? t : guess - second * 60000;
  }

  function changes(zones, start, end) {
    var days = [];
    function offsets(day) { return zones.map(function (z) { return offset(z, day + DAY / 2); }).join(); }
    var day = start, before = offsets(day);
    while (day < end) {
      // A week at a time; a changed week is walked day by day.
      var next = Math.min(day + 7 * DAY, end), after = offsets(next);
      if (after !== before) {
        for (var d = day + DAY, prev = before; d <= next; d += DAY) {
          var now = offsets(d);
          if (now !== prev) { days.push(d); }
          prev = now;
        }
      }
      day = next; before = after;
    }
    return days;
  }

  function parseDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }

  function minutesOf(value) {
    var m = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return m ? +m[1] * 60 + +m[2] : null;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function windowsTyped() {
    var rows = [];
    form.querySelectorAll('select[name^="windows-"][name$="-weekday"]').forEach(function (day) {
      var prefix = day.name.slice(0, -"weekday".length);
      var start = minutesOf(form.elements[prefix + "start"].value);
      var end = minutesOf(form.elements[prefix + "end"].value);
      if (day.value !== "" && start !== null && end !== null && end > start) {
        rows.push({ weekday: +day.value, start: start, end: end });
      }
    });
    return rows.sort(function (a, b) { return a.weekday - b.weekday || a.start - b.start; });
  }

  function partnerTimes(panel, data) {
    var body = panel.querySelector("[data-partner-times-body]");
    var zoneSelect = document.getElementById("id_time_zone");
    var institution = document.getElementById("id_offer-institution");
    var lang = document.documentElement.lang || "en";
    var dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
    var cache = {};
    panel.hidden = false;

    function label(weekday, start, end, nextDay) {
      return data.weekdays[weekday] + " " + pad(Math.floor(start / 60)) + ":" + pad(start % 60) + "–" +
        pad(Math.floor(end / 60)) + ":" + pad(end % 60) + (nextDay ? " (+1)" : "");
    }

    function convert(w, source, target, weekOf) {
      var day = weekOf + ((w.weekday - (new Date(weekOf).getUTCDay() + 6) % 7 + 7) % 7) * DAY;
      var a = wallClock(target, instant(source, day, w.start));
      var b = wallClock(target, instant(source, day, w.end));
      return label(a.weekday, a.hour * 60 + a.minute, b.hour * 60 + b.minute, b.date > a.date);
    }

    function el(tag, text, attrs) {
      var node = document.createElement(tag);
      if (text) { node.textContent = text; }
      Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      return node;
    }

    // On a phone the rows become cards (static/css/offer_form.css); the roles keep the
    // table a table for screen readers once CSS has made its parts blocks.
    function table(caption, rows, source, partners, weekOf) {
      var wrap = el("div", "", { "class": "table-wrap" });
      var t = el("table", "", { role: "table", "data-no-stack": "" });
      var own = zoneSelect.selectedOptions[0].textContent;
      t.appendChild(el("caption", caption));
      var head = el("tr", "", { role: "row" });
      head.appendChild(el("th", own, { scope: "col", role: "columnheader" }));
      partners.forEach(function (p) { head.appendChild(el("th", p[1], { scope: "col", role: "columnheader" })); });
      t.appendChild(el("thead", "", { role: "rowgroup" })).appendChild(head);
      var tbody = t.appendChild(el("tbody", "", { role: "rowgroup" }));
      rows.forEach(function (w) {
        var tr = tbody.appendChild(el("tr", "", { role: "row" }));
        tr.appendChild(el("th", label(w.weekday, w.start, w.end, false),
          { scope: "row", role: "rowheader", "data-label": own }));
        partners.forEach(function (p) {
          tr.appendChild(el("td", convert(w, source, p[0], weekOf), { role: "cell", "data-label": p[1] }));
        });
      });
      wrap.appendChild(t);
      return wrap;
    }

    function render() {
      var place = data.places[institution ? institution.value : data.current] || { partners: [] };
      var source = zoneSelect.value, rows = windowsTyped();
      body.textContent = "";
      if (!rows.length || !place.partners.length) {
        body.appendChild(el("p", panel.getAttribute("data-empty-text"), { "class": "helptext" }));
        return;
      }
      var start = parseDate(form.elements.term_start.value);
      var end = parseDate(form.elements.term_end.value);
      if (start === null) {
        body.appendChild(el("p", panel.getAttribute("data-no-term-text"), { "class": "helptext" }));
        var now = new Date();
        start = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
      }
      if (end === null || end <= start) { end = start + 182 * DAY; }
      var zones = [source].concat(place.partners.map(function (p) { return p[0]; }));
      var key = zones.join() + start + "-" + end;
      var days = cache[key] || (cache[key] = changes(zones, start, end));
      var periods = [start].concat(days);
      periods.forEach(function (from, i) {
        var until = i + 1 < periods.length ? periods[i + 1] - DAY : end;
        var caption = periods.length === 1 ? panel.getAttribute("data-whole-term-text")
          : panel.getAttribute("data-period-text").replace("%(start)s", dateFormat.format(new Date(from)))
            .replace("%(end)s", dateFormat.format(new Date(until)));
        body.appendChild(table(caption, rows, source, place.partners, from));
      });
      if (periods.length > 1) {
        body.appendChild(el("p", panel.getAttribute("data-shift-text"), { "class": "helptext" }));
      }
    }

    function onEdit(e) {
      if (/^(windows-|term_|time_zone$|offer-institution$)/.test(e.target.name || "")) { render(); }
    }
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    form.querySelectorAll("[data-select-search]").forEach(selectSearch);
    steps();
    errorLinks();
    var panel = form.querySelector("[data-partner-times]");
    if (panel && window.Intl && Intl.DateTimeFormat.prototype.formatToParts) {
      var data = JSON.parse(panel.getAttribute("data-partner-times"));
      institutionZone(data);
      partnerTimes(panel, data);
    }
  });
})();
