/* Tandem chat client (protocol: docs/chat_protocol.md).
 *
 * The page renders the latest messages and works without this script (a plain form
 * posts). With it, the chat is live: it reconnects by itself with back-off, resumes from
 * the last change it applied, and re-sends what was not acknowledged under the same
 * client id, so nothing is lost or doubled. Text is always inserted as text, never HTML.
 */
(function () {
  "use strict";

  var FINAL_CLOSES = { 4401: true, 4403: true, 4404: true };
  var CONNECTION_ERRORS = { unauthenticated: true, left: true, session_ended: true, too_many_connections: true };

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function format(template, params) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return params[key] === undefined ? "" : String(params[key]);
    });
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* A socket that reconnects with exponential back-off and jitter (1 s … 30 s). */
  function Reconnecting(path, handlers) {
    var self = this;
    self.attempt = 0;
    self.stopped = false;
    self.open = function () {
      var ws = new WebSocket(wsUrl(path));
      self.ws = ws;
      handlers.connecting();
      ws.onopen = function () { self.attempt = 0; handlers.open(); };
      ws.onmessage = function (e) {
        var frame;
        try { frame = JSON.parse(e.data); } catch (err) { return; }
        handlers.frame(frame);
      };
      ws.onclose = function (e) {
        self.ws = null;
        if (self.stopped) return;
        if (FINAL_CLOSES[e.code]) { self.stopped = true; handlers.final(e.code); return; }
        var delay = Math.min(30, Math.pow(2, self.attempt)) * (0.75 + Math.random() / 2);
        self.attempt += 1;
        handlers.waiting(Math.round(delay));
        self.timer = setTimeout(self.open, delay * 1000);
      };
    };
    self.send = function (frame) {
      if (self.ws && self.ws.readyState === WebSocket.OPEN) {
        self.ws.send(JSON.stringify(frame));
        return true;
      }
      return false;
    };
    // Come back at once when the network does, instead of waiting out the back-off.
    window.addEventListener("online", function () {
      if (!self.ws && !self.stopped) { clearTimeout(self.timer); self.open(); }
    });
    self.open();
  }

  /* ---- one conversation ---------------------------------------------------------- */

  function Chat(root) {
    var T = JSON.parse(document.getElementById("chat-strings").textContent);
    var $ = function (sel) { return root.querySelector(sel); };
    var log = $("[data-chat-log]");
    var form = $("[data-chat-form]");
    var textarea = form.querySelector("textarea");
    var status = $("[data-chat-status]");
    var errorBox = $("[data-chat-error]");
    var typingBox = $("[data-chat-typing]");
    var onlineBox = $("[data-chat-online]");
    var receiptBox = $("[data-chat-receipt]");
    var announce = $("[data-chat-announce]");
    var olderButton = $("[data-chat-older]");
    var counter = $("[data-chat-count]");
    var me = Number(root.dataset.user);
    var zone = root.dataset.timeZone || undefined;
    var storeKey = "tandem-chat-pending-" + root.dataset.conversation;
    var lastChange = Number(root.dataset.lastChange || 0);
    var firstSeq = root.dataset.firstSeq ? Number(root.dataset.firstSeq) : null;
    var readSent = Number(root.dataset.readSeq || 0);
    var members = {};      // user id -> {name, read_seq}
    var online = {};
    var pending = loadPending();  // client id -> text, until acknowledged
    // Connections each pending message was sent on. One that no server ever answers (it
    // breaks the connection) is given back after a few, not resent for ever.
    var sentOn = {};
    var MAX_SENDS = 3;
    var typingTimer = null, lastTypingSent = 0, readTimer = null, pingTimer = null;
    var resuming = false, greeted = false;
    var held = {}, gapTimer = null;  // frames that arrived ahead of a missing one
    var seenChange = lastChange;  // the highest change number heard of, applied or not
    var timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "medium", timeStyle: "short", timeZone: zone
    });

    function loadPending() {
      try { return JSON.parse(sessionStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
    }
    function savePending() {
      try { sessionStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
    }

    function setStatus(text, state) {
      status.textContent = text;
      root.dataset.state = state;
    }
    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
    }

    /* -- rendering: textContent only -- */

    function messageItem(m) {
      var li = document.createElement("li");
      li.className = "chat-message";
      li.id = "message-" + m.id;
      li.dataset.id = m.id;
      var meta = document.createElement("p");
      meta.className = "chat-meta";
      var author = document.createElement("strong");
      author.className = "chat-author";
      meta.appendChild(author);
      meta.appendChild(document.createTextNode(" "));
      var time = document.createElement("time");
      time.className = "chat-time";
      meta.appendChild(time);
      var text = document.createElement("p");
      text.className = "chat-text";
      text.setAttribute("dir", "auto");
      li.appendChild(meta);
      li.appendChild(text);
      return li;
    }

    function fill(li, m) {
      li.dataset.seq = m.seq;
      li.dataset.change = m.change;
      li.dataset.author = m.author.id;
      li.classList.toggle("mine", m.author.id === me);
      li.classList.toggle("deleted", !!m.deleted);
      li.classList.remove("pending");
      li.querySelector(".chat-author").textContent = m.author.name;
      var time = li.querySelector(".chat-time");
      time.setAttribute("datetime", m.sent_at);
      time.textContent = timeFormat.format(new Date(m.sent_at));
      var edited = li.querySelector(".chat-edited");
      if (m.edited_at && !m.deleted) {
        if (!edited) {
          edited = document.createElement("span");
          edited.className = "chat-edited muted";
          li.querySelector(".chat-meta").appendChild(document.createTextNode(" "));
          li.querySelector(".chat-meta").appendChild(edited);
        }
        edited.textContent = T.edited;
      } else if (edited) {
        edited.remove();
      }
      var text = li.querySelector(".chat-text");
      text.textContent = m.deleted ? T.deleted : m.text;
      text.classList.toggle("muted", !!m.deleted);
      addTools(li);
    }

    function addTools(li) {
      var old = li.querySelector(".chat-tools");
      if (old) old.remove();
      if (Number(li.dataset.author) !== me || li.classList.contains("deleted") || !li.dataset.id) return;
      var tools = document.createElement("p");
      tools.className = "chat-tools";
      [["edit", T.edit], ["delete", T["delete"]]].forEach(function (pair) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "link-button";
        b.dataset.action = pair[0];
        b.textContent = pair[1];
        tools.appendChild(b);
        tools.appendChild(document.createTextNode(" "));
      });
      li.appendChild(tools);
    }

    function insertBySeq(li) {
      var seq = Number(li.dataset.seq);
      var items = log.querySelectorAll("li.chat-message:not(.pending)");
      for (var i = items.length - 1; i >= 0; i--) {
        if (Number(items[i].dataset.seq) < seq) {
          items[i].after(li);
          return;
        }
      }
      log.prepend(li);
    }

    function apply(m, live) {
      var li = document.getElementById("message-" + m.id);
      var pendingLi = log.querySelector('li.pending[data-client-id="' + CSS.escape(m.client_id) + '"]');
      if (!li && m.author.id === me && pendingLi) {
        li = pendingLi;
        li.id = "message-" + m.id;
        li.dataset.id = m.id;
        li.remove();
        fill(li, m);
        insertBySeq(li);
      } else if (!li) {
        if (firstSeq !== null && m.seq < firstSeq) return;  // older than the page: not shown
        li = messageItem(m);
        fill(li, m);
        insertBySeq(li);
        if (firstSeq === null) firstSeq = m.seq;
        if (live && m.author.id !== me && !m.deleted) {
          announce.textContent = format(T.new_message, { name: m.author.name, text: m.text.slice(0, 140) });
        }
      } else if (Number(li.dataset.change) < m.change) {
        fill(li, m);
      }
      $("[data-chat-empty]").hidden = true;
      if (m.author.id !== me) clearTyping();
      scheduleRead();
      updateReceipt();
    }

    function scrollToEnd() { log.scrollTop = log.scrollHeight; }

    /* -- pending messages -- */

    function showPending(clientId, text) {
      var li = messageItem({ id: "" });
      li.removeAttribute("id");
      li.classList.add("chat-message", "mine", "pending");
      li.dataset.clientId = clientId;
      li.querySelector(".chat-author").textContent = members[me] ? members[me].name : "";
      li.querySelector(".chat-time").textContent = T.sending;
      li.querySelector(".chat-text").textContent = text;
      log.appendChild(li);
      $("[data-chat-empty]").hidden = true;
      scrollToEnd();
    }

    function giveBack(clientId) {
      var li = log.querySelector('li.pending[data-client-id="' + CSS.escape(clientId) + '"]');
      if (li) li.remove();
      if (!textarea.value) textarea.value = pending[clientId];
      delete pending[clientId];
      delete sentOn[clientId];
      savePending();
    }

    // On a new connection (reconnected) each pending message counts one more try.
    function flushPending(reconnected) {
      Object.keys(pending).forEach(function (clientId) {
        if (reconnected) sentOn[clientId] = (sentOn[clientId] || 0) + 1;
        if (sentOn[clientId] > MAX_SENDS) {
          giveBack(clientId);
          showError(T.not_sent);
          return;
        }
        socket.send({ type: "send", client_id: clientId, text: pending[clientId] });
      });
    }

    /* -- read marks, receipts, typing, presence -- */

    function newestSeq() {
      var items = log.querySelectorAll("li.chat-message:not(.pending)");
      return items.length ? Number(items[items.length - 1].dataset.seq) : 0;
    }

    function scheduleRead() {
      if (document.visibilityState !== "visible" || readTimer) return;
      readTimer = setTimeout(function () {
        readTimer = null;
        var seq = newestSeq();
        if (seq > readSent && socket.send({ type: "read", seq: seq })) readSent = seq;
      }, 1000);
    }

    function updateReceipt() {
      var mine = log.querySelectorAll("li.chat-message.mine:not(.pending)");
      if (!mine.length) { receiptBox.textContent = ""; return; }
      var seq = Number(mine[mine.length - 1].dataset.seq);
      var names = Object.keys(members).filter(function (id) {
        return Number(id) !== me && members[id].read_seq >= seq;
      }).map(function (id) { return members[id].name; });
      receiptBox.textContent = names.length ? format(T.seen, { names: names.join(", ") }) : "";
    }

    function clearTyping() {
      clearTimeout(typingTimer);
      typingBox.textContent = "";
    }

    function showOnline() {
      var names = Object.keys(online).filter(function (id) {
        return online[id] && Number(id) !== me;
      }).map(function (id) { return members[id] ? members[id].name : ""; });
      onlineBox.textContent = names.length ? format(T.online, { names: names.join(", ") }) : T.nobody_online;
      root.querySelectorAll("[data-presence]").forEach(function (dot) {
        var on = !!online[dot.dataset.presence];
        dot.classList.toggle("online", on);
        var label = root.querySelector('[data-presence-text="' + dot.dataset.presence + '"]');
        if (label) label.textContent = on ? ", " + T.online_suffix : "";
      });
    }

    /* -- frames from the server -- */

    function resume() {
      if (resuming) return;
      resuming = socket.send({ type: "resume", after: lastChange });
    }

    function applyLive(f) {
      apply(f, true);
      if (f.change > lastChange) lastChange = f.change;
      if (f.author.id === me || log.scrollHeight - log.scrollTop - log.clientHeight < 80) scrollToEnd();
    }

    function onFrame(f) {
      switch (f.type) {
        case "hello":
          members = {};
          f.members.forEach(function (m) { members[m.id] = { name: m.name, read_seq: m.read_seq }; });
          online = {};
          f.online.forEach(function (id) { online[id] = true; });
          showOnline();
          resuming = false;
          held = {};  // the resume below brings them
          if (f.last_seq > seenChange) seenChange = f.last_seq;
          resume();
          flushPending(true);
          updateReceipt();
          break;
        case "message":
          if (f.change > seenChange) seenChange = f.change;
          if (f.change > lastChange + 1) {
            // A number was skipped: usually two senders' frames crossing, filled a moment
            // later. Hold this one back; if the gap stays, fetch what is missing.
            held[f.change] = f;
            if (!gapTimer) gapTimer = setTimeout(function () { gapTimer = null; resume(); }, 800);
            return;
          }
          applyLive(f);
          while (held[lastChange + 1]) {
            var next = held[lastChange + 1];
            delete held[lastChange + 1];
            applyLive(next);
          }
          if (gapTimer && !Object.keys(held).length) { clearTimeout(gapTimer); gapTimer = null; }
          break;
        case "resume":
          f.messages.forEach(function (m) {
            apply(m, false);
            if (m.change > lastChange) lastChange = m.change;
          });
          resuming = false;
          Object.keys(held).forEach(function (change) {
            if (Number(change) <= lastChange) delete held[change];
          });
          if (f.last_seq > seenChange) seenChange = f.last_seq;
          if (f.more || seenChange > lastChange) resume();
          else if (f.messages.length) scrollToEnd();
          break;
        case "ack":
          delete pending[f.client_id];
          delete sentOn[f.client_id];
          savePending();
          if (f.duplicate) {
            // Stored before (the first ack was lost): the message itself is on the page
            // already, or comes with the resume.
            var twin = log.querySelector('li.pending[data-client-id="' + CSS.escape(f.client_id) + '"]');
            if (twin) twin.remove();
          }
          break;
        case "history":
          var anchor = log.firstElementChild;
          f.messages.forEach(function (m) {
            if (document.getElementById("message-" + m.id)) return;
            var li = messageItem(m);
            fill(li, m);
            log.insertBefore(li, anchor);
          });
          if (f.messages.length) firstSeq = f.messages[0].seq;
          olderButton.hidden = f.complete;
          if (f.messages.length) {
            var first = document.getElementById("message-" + f.messages[f.messages.length - 1].id);
            if (first) { first.tabIndex = -1; first.focus(); }
          }
          break;
        case "read":
          if (members[f.user]) members[f.user].read_seq = f.seq;
          updateReceipt();
          break;
        case "typing":
          typingBox.textContent = format(T.typing, { name: f.name });
          clearTimeout(typingTimer);
          typingTimer = setTimeout(clearTyping, 4000);
          break;
        case "presence":
          online[f.user] = f.online;
          if (!members[f.user]) members[f.user] = { name: f.name, read_seq: 0 };
          showOnline();
          break;
        case "pong":
          if (f.last_seq > seenChange) seenChange = f.last_seq;
          if (f.last_seq > lastChange) resume();
          break;
        case "error":
          if (f.client_id && pending[f.client_id] !== undefined && f.code !== "rate_limited") {
            // Refused for good (invalid, too long, empty, or it failed on the server):
            // give the text back to fix it; never send it again by itself.
            giveBack(f.client_id);
          } else if (f.client_id && f.code === "rate_limited") {
            setTimeout(function () { flushPending(false); }, 5000);  // try again shortly
          }
          showError(f.message);
          break;
      }
    }

    var socket = new Reconnecting(root.dataset.wsPath, {
      connecting: function () { setStatus(T.connecting, "connecting"); },
      open: function () {
        setStatus(T.connected, "connected");
        showError("");
        clearInterval(pingTimer);
        pingTimer = setInterval(function () { socket.send({ type: "ping" }); }, 25000);
      },
      waiting: function (seconds) {
        clearInterval(pingTimer);
        setStatus(navigator.onLine === false ? T.offline : format(T.reconnecting, { s: seconds }), "reconnecting");
      },
      final: function () { clearInterval(pingTimer); root.dataset.state = "closed"; },
      frame: function (f) {
        // Refusals of the connection itself: say why in the status line.
        if (f.type === "error" && (CONNECTION_ERRORS[f.code] || (f.code === "not_found" && !greeted))) {
          setStatus(f.message, "closed");
          return;
        }
        if (f.type === "hello") greeted = true;
        onFrame(f);
      }
    });

    /* -- the form and the tools -- */

    function send() {
      var text = textarea.value;
      if (!text.trim()) return;
      if (typeof text.isWellFormed === "function" && !text.isWellFormed()) {
        showError(T.bad_character);  // a lone surrogate: the server could not store it
        return;
      }
      var clientId = newClientId();
      pending[clientId] = text;
      savePending();
      showPending(clientId, text);
      textarea.value = "";
      counter.textContent = "0";
      showError("");
      socket.send({ type: "send", client_id: clientId, text: text });
      textarea.focus();
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    textarea.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    });
    textarea.addEventListener("input", function () {
      counter.textContent = String(textarea.value.length);
      var now = Date.now();
      if (now - lastTypingSent > 2000 && textarea.value) {
        lastTypingSent = now;
        socket.send({ type: "typing" });
      }
    });
    textarea.setAttribute("aria-describedby", "chat-hint");

    olderButton.hidden = root.dataset.more !== "1";
    olderButton.addEventListener("click", function () {
      socket.send({ type: "history", before: firstSeq });
    });

    log.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-action]");
      if (!button) return;
      var li = button.closest("li.chat-message");
      var id = Number(li.dataset.id);
      if (button.dataset.action === "delete") {
        if (window.confirm(T.confirm_delete)) socket.send({ type: "delete", id: id });
      } else if (button.dataset.action === "edit") {
        startEdit(li, id);
      }
    });

    function startEdit(li, id) {
      var text = li.querySelector(".chat-text");
      var editor = document.createElement("form");
      editor.className = "chat-edit";
      var box = document.createElement("textarea");
      box.value = text.textContent;
      box.maxLength = 4000;
      box.rows = 3;
      box.setAttribute("aria-label", T.edit_label);
      var save = document.createElement("button");
      save.type = "submit";
      save.textContent = T.save;
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "button-secondary";
      cancel.textContent = T.cancel;
      editor.append(box, save, document.createTextNode(" "), cancel);
      text.hidden = true;
      li.querySelector(".chat-tools").hidden = true;
      li.appendChild(editor);
      box.focus();
      function close() {
        editor.remove();
        text.hidden = false;
        var tools = li.querySelector(".chat-tools");
        if (tools) { tools.hidden = false; tools.querySelector("button").focus(); }
      }
      editor.addEventListener("submit", function (e) {
        e.preventDefault();
        if (box.value.trim() && box.value !== text.textContent) {
          socket.send({ type: "edit", id: id, text: box.value });
        }
        close();
      });
      cancel.addEventListener("click", close);
      box.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    }

    document.addEventListener("visibilitychange", scheduleRead);

    // Messages rendered by the server: tools for mine, and what was left unsent last time.
    log.querySelectorAll("li.chat-message").forEach(function (li) {
      var time = li.querySelector("time");
      if (time) time.textContent = timeFormat.format(new Date(time.getAttribute("datetime")));
      addTools(li);
    });
    Object.keys(pending).forEach(function (clientId) { showPending(clientId, pending[clientId]); });
    scrollToEnd();
    root.dataset.ready = "1";
  }

  /* ---- the dashboard's unread counts ----------------------------------------------- */

  function Inbox(root) {
    function setCount(id, count) {
      var badge = root.querySelector('[data-unread-for="' + id + '"]');
      if (!badge) return;
      badge.querySelector("[data-unread-number]").textContent = String(count);
      badge.hidden = count === 0;
    }
    new Reconnecting(root.dataset.wsPath, {
      connecting: function () {},
      open: function () { root.dataset.state = "connected"; },
      waiting: function () { root.dataset.state = "reconnecting"; },
      final: function () { root.dataset.state = "closed"; },
      frame: function (f) {
        if (f.type !== "unread") return;
        if (f.counts) Object.keys(f.counts).forEach(function (id) { setCount(id, f.counts[id]); });
        else setCount(f.conversation, f.count);
      }
    });
  }

  document.querySelectorAll("[data-chat]").forEach(function (root) { new Chat(root); });
  document.querySelectorAll("[data-inbox]").forEach(function (root) { new Inbox(root); });
})();
