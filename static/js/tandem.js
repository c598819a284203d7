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
    var announcer = root.querySelector("[data-notification-announce]");
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

  document.addEventListener("DOMContentLoaded", function () {
    detectTimeZone();
    filterBoxes();
    focusErrors();
    liveNotifications();
  });
})();
