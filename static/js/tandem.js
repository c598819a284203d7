// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Pre-select the browser's time zone on sign-up, where the user has not chosen one yet.
  function detectTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      var aliases = {};
      try { aliases = JSON.parse(select.getAttribute("data-zone-aliases") || "{}"); } catch (e) { /* none */ }
      var name = aliases[zone] || zone;
      if (select.value === "UTC" && name && select.querySelector('option[value="' + name + '"]')) {
        select.value = name;
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

  // The notification badge, and the list on /notifications/, follow the inbox socket
  // (frames: notifications/live.py). Text goes in as text, never as HTML; the news is
  // read out by a polite live region, and the focus stays where the user left it.
  function liveNotifications() {
    var root = document.querySelector("[data-notifications-live]");
    if (!root || !window.WebSocket || !window.JSON) { return; }
    var holder = root.querySelector("[data-notification-badge]");
    var announcer = document.querySelector("[data-notification-announce]");
    var list = document.querySelector("[data-notification-list]");
    var template = document.getElementById("notification-item-template");
    var attempt = 0, timer = null, socket = null, stopped = false, opened = 0;
    var refreshApprovals = approvalsBadge();

    function setBadge(unread, label) {
      holder.textContent = "";
      if (!unread) { return; }
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = label;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + root.getAttribute("data-unread-text");
      badge.appendChild(hidden);
      holder.append(" ", badge);
    }

    function announce(line) {
      // A function, so that "$&" in the line stays text.
      var text = root.getAttribute("data-announce").replace("%(line)s", function () { return line; });
      announcer.textContent = text;
    }

    function addToList(f) {
      if (!list || !template || document.getElementById("notification-" + f.id)) { return; }
      var item = template.content.firstElementChild.cloneNode(true);
      var field = function (name) { return item.querySelector('[data-field="' + name + '"]'); };
      item.id = "notification-" + f.id;
      field("line").textContent = f.line;
      field("when").textContent = f.when;
      field("when").setAttribute("datetime", f.at);
      field("url").value = f.url;
      field("action").textContent = f.action;
      item.querySelectorAll("form").forEach(function (form) {
        form.action = form.getAttribute("action").replace(/\/0\/read\/$/, "/" + f.id + "/read/");
      });
      list.prepend(item);
      list.hidden = false;
      var empty = document.querySelector("[data-notification-empty]");
      if (empty) { empty.hidden = true; }
    }

    function onFrame(f, first) {
      if (f.type !== "notification") { return; }
      setBadge(f.unread, f.label);
      if (f.id && f.line) {
        addToList(f);
        announce(f.line);
      }
      // News may be a pairing waiting for approval; back from a lost connection, some may
      // have come meanwhile. (The page came with the count: its first hello says nothing new.)
      if ((f.id && f.line) || (first && opened > 1)) { refreshApprovals(); }
    }

    function open() {
      var first = true;
      opened += 1;
      socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") +
        location.host + root.getAttribute("data-ws-path"));
      socket.onmessage = function (e) {
        // The first frame comes once the server listens for this user: live from here.
        attempt = 0;
        root.setAttribute("data-live", "connected");
        var frame;
        try { frame = JSON.parse(e.data); } catch (err) { return; }
        onFrame(frame, first);
        first = false;
      };
      socket.onclose = function (e) {
        socket = null;
        root.setAttribute("data-live", "closed");
        // Signed out (4401) or the session ended (4403): nothing more will come.
        if (e.code === 4401 || e.code === 4403) { stopped = true; return; }
        var delay = Math.min(30, Math.pow(2, attempt)) * (0.75 + Math.random() / 2);
        attempt += 1;
        timer = setTimeout(open, delay * 1000);
      };
    }
    window.addEventListener("online", function () {
      if (!socket && !stopped) { clearTimeout(timer); open(); }
    });
    open();
  }

  // The count beside "Approvals" (an international office's pairings waiting for its
  // decision): asked again from the proposals API (the same queue) when news comes.
  function approvalsBadge() {
    var holder = document.querySelector("[data-approvals-badge]");
    if (!holder || !window.fetch) { return function () {}; }
    var busy = false, again = false;

    function show(count) {
      holder.textContent = "";
      if (!count) { return; }
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = String(count);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + holder.getAttribute("data-waiting-text");
      badge.appendChild(hidden);
      holder.append(" ", badge);
    }

    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(holder.getAttribute("data-count-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && typeof data.count === "number") { show(data.count); }
      }).catch(function () { /* the next news asks again */ }).then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
    }
    return refresh;
  }


  // On a small screen the main menu folds behind a "Menu" button (templates/base.html):
  // it opens and closes with Enter or Space, Escape closes it and gives the focus back.
  // The button shows a dot while a count waits inside the folded menu.
  function navToggle() {
    var button = document.querySelector(".nav-toggle");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    var dot = button.querySelector("[data-nav-toggle-badge]");
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function showDot() {
      if (dot) { dot.hidden = !nav.querySelector(".badge"); }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
      if (getComputedStyle(button).display === "none") { return; }
      setOpen(false);
      button.focus();
    });
    showDot();
    if (window.MutationObserver) {
      new MutationObserver(showDot).observe(nav, { childList: true, subtree: true });
    }
  }

  // Below a phone's width a table's rows become cards (static/css/tandem.css): each cell
  // shows its column's header from data-label. The roles keep the table a table for screen
  // readers once CSS has made its parts blocks. Statistics tables and [data-no-stack] scroll.
  function stackTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.matches(".stats-table, [data-no-stack]") || !table.tHead) { return; }
      var headRow = table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) { return; }
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (th) {
        for (var i = 0; i < (th.colSpan || 1); i += 1) { labels.push(th.textContent.trim()); }
      });
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
        group.setAttribute("role", "rowgroup");
      });
      Array.prototype.forEach.call(table.rows, function (row) {
        var inHead = row.parentElement === table.tHead;
        row.setAttribute("role", "row");
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var header = cell.tagName === "TH";
          cell.setAttribute("role", inHead ? "columnheader" : (header ? "rowheader" : "cell"));
          if (!inHead && labels[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
      table.classList.add("stacked");
    });
  }

  // A native <select multiple> is hard to use on a touch screen (and with Ctrl-click):
  // it becomes a list of checkboxes (with a filter box when long) and a summary of the choice.
  // The select stays in the form, hidden, and follows the checkboxes; so the form posts
  // as before. Text comes from data-text-* on <body> (templates/base.html).
  function multiPicks() {
    var text = document.body.dataset;
    document.querySelectorAll("select[multiple]:not([data-native])").forEach(function (select, n) {
      if (!select.id) { select.id = "multi-pick-" + n; }
      multiPick(select, text);
    });
  }

  function made(tag, cls) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    return node;
  }

  // One checkbox per option, which sets the option; `changed` is told after each change.
  function pickBoxes(select, list, changed) {
    var boxes = [];
    Array.prototype.forEach.call(select.options, function (option, i) {
      if (!option.value) { return; }
      var item = made("li");
      var box = made("input");
      box.type = "checkbox";
      box.id = select.id + "-option-" + i;
      box.checked = option.selected;
      box.disabled = option.disabled || select.disabled;
      var name = made("label");
      name.htmlFor = box.id;
      name.textContent = option.textContent;
      if (option.lang) { name.lang = option.lang; }
      box.addEventListener("change", function () {
        option.selected = box.checked;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        changed();
      });
      item.append(box, name);
      list.appendChild(item);
      boxes.push({ box: box, item: item, name: option.textContent.trim() });
    });
    return boxes;
  }

  function multiPick(select, text) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label && !label.id) { label.id = select.id + "-label"; }
    var group = made("div", "multi-pick");
    group.setAttribute("role", "group");
    if (label) { group.setAttribute("aria-labelledby", label.id); }
    var filterLabel = made("label", "multi-pick-filter-label");
    var filter = made("input", "multi-pick-filter");
    filter.type = "search";
    filter.id = select.id + "-filter";
    filter.autocomplete = "off";
    filterLabel.htmlFor = filter.id;
    filterLabel.textContent = text.textFilter || "Filter";
    var list = made("ul", "multi-pick-list");
    var empty = made("p", "multi-pick-empty muted");
    empty.textContent = text.textNoMatch || "";
    empty.hidden = true;
    var chosen = made("p", "multi-pick-chosen");
    chosen.id = select.id + "-chosen";
    chosen.setAttribute("aria-live", "polite");
    var boxes = pickBoxes(select, list, summarise);
    function summarise() {
      var names = boxes.filter(function (b) { return b.box.checked; }).map(function (b) { return b.name; });
      chosen.textContent = names.length ?
        (text.textChosen || "%(names)s").replace("%(names)s", function () { return names.join(", "); }) :
        (text.textNoneChosen || "");
    }
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      boxes.forEach(function (b) {
        var name = b.name.toLowerCase();
        b.item.hidden = !words.every(function (w) { return name.indexOf(w) !== -1; });
        if (!b.item.hidden) { shown += 1; }
      });
      empty.hidden = shown > 0;
    });
    filter.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); }  // not a submit of the whole form
    });
    var described = select.getAttribute("aria-describedby");
    filter.setAttribute("aria-describedby", (described ? described + " " : "") + chosen.id);
    group.append(filterLabel, filter, chosen, list, empty);
    filterLabel.hidden = filter.hidden = boxes.length <= 8;  // a short list needs no filter
    select.hidden = true;
    select.setAttribute("tabindex", "-1");
    select.parentNode.insertBefore(group, select.nextSibling);
    summarise();
  }


  document.addEventListener("DOMContentLoaded", function () {
    detectTimeZone();
    filterBoxes();
    focusErrors();
    liveNotifications();
    navToggle();
    stackTables();
    multiPicks();
  });
})();
