// leadrouter workspace: keyboard shortcuts and live updates. No build step; works with
// htmx (vendored) and degrades to plain links and forms without JavaScript.
(function () {
  "use strict";

  var selectedId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.queue tr[data-lead]"));
  }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    if (!row) { selectedId = null; return; }
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    selectedId = row.getAttribute("data-lead");
    row.scrollIntoView({ block: "nearest" });
  }

  function selectedRow() {
    return selectedId ? document.getElementById("lead-" + selectedId) : null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(selectedRow());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function focusControl(id, row) {
    // On the queue: tick the selected row and go to the bulk control; on a lead: its own form.
    if (row) {
      var box = row.querySelector("input[type=checkbox]");
      if (box) box.checked = true;
      refreshBulk();
      var action = document.getElementById("bulk-action");
      if (action) action.value = id === "assignee" ? "assign" : "status";
      refreshBulk();
      id = id === "assignee" ? "bulk-assign" : "bulk-status";
    }
    var control = document.getElementById(id);
    if (control) control.focus();
  }

  function toggleHelp() {
    var dialog = document.getElementById("keys");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var onQueue = !!document.querySelector("table.queue");
    var row = selectedRow();
    switch (event.key) {
      case "j": if (onQueue) { move(1); event.preventDefault(); } break;
      case "k": if (onQueue) { move(-1); event.preventDefault(); } break;
      case "Enter":
        if (onQueue && row) { window.location.href = row.getAttribute("data-url"); event.preventDefault(); }
        break;
      case "c":
        var claim = onQueue ? (row && row.querySelector("[data-claim]")) : document.querySelector("[data-claim]");
        if (claim) { claim.click(); event.preventDefault(); }
        break;
      case "a": focusControl("assignee", onQueue ? row : null); event.preventDefault(); break;
      case "s": focusControl("status", onQueue ? row : null); event.preventDefault(); break;
      case "/":
        var search = document.getElementById("search");
        if (search) { search.focus(); search.select(); event.preventDefault(); }
        break;
      case "?": toggleHelp(); event.preventDefault(); break;
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-keys-help]")) { toggleHelp(); return; }
    var row = event.target.closest("table.queue tr[data-lead]");
    if (row && !event.target.closest("a, button, input, select")) select(row);
  });

  // Live updates: tell the server which rows are on the page, so it answers with in-place
  // replacements for those and new rows for the rest; keep the rep's selection across swaps.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "poll") {
      event.detail.parameters.shown = rows().map(function (r) { return r.getAttribute("data-lead"); }).join(",");
    }
  });
  // Between the rows' polls, ask every few seconds (one tiny JSON answer) whether anything
  // this page may show changed; when it did, fetch the rows now. A fetch already in flight
  // may have read the rows before the change: then fetch again once it is done. A hidden tab
  // does not ask (the rows' poll goes on) and asks as soon as it is shown again.
  function watchChanges() {
    var marker = document.getElementById("changes");
    if (!marker || !window.fetch) return;
    var url = marker.getAttribute("data-url");
    var stamp = marker.getAttribute("data-stamp") || "";
    var every = Math.max(250, parseFloat(marker.getAttribute("data-seconds")) * 1000 || 1000);
    var dirty = false, asking = false, timer = null;

    function fetchRows() {
      var poll = document.getElementById("poll");
      if (!poll || !window.htmx) return;
      if (poll.classList.contains("htmx-request")) { dirty = true; return; }
      dirty = false;
      htmx.trigger(poll, "queue-changed");
    }
    function later(delay) {
      clearTimeout(timer);
      timer = setTimeout(ask, delay);
    }
    function ask() {
      if (dirty) fetchRows();
      if (document.hidden || asking) { later(every); return; }
      asking = true;
      fetch(url + "?stamp=" + encodeURIComponent(stamp), {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || response.redirected || !json) throw new Error("signed out");
        return response.json();
      }).then(function (answer) {
        asking = false;
        stamp = answer.stamp;
        if (answer.changed) fetchRows();
        later(every);
      }).catch(function (error) {
        asking = false;
        // Signed out (the sign-in page answered): stop asking; the rows' poll remains.
        if (error && error.message === "signed out") return;
        later(every * 5);  // the server is away: ask less often until it is back
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) later(0);
    });
    later(every);
  }
  document.addEventListener("DOMContentLoaded", watchChanges);

  function reselect() {
    var row = selectedRow();
    if (row) row.classList.add("selected");
  }
  // Bulk changes: the menus offer only what works for every selected lead (a status each
  // of them may move to, a person who may take each of them); the server checks again.
  function refreshBulk() {
    var form = document.getElementById("bulk");
    if (!form) return;
    var chosen = rows().filter(function (r) {
      var box = r.querySelector("input[type=checkbox]");
      return box && box.checked;
    });
    var action = document.getElementById("bulk-action").value;
    form.querySelectorAll("[data-for-action]").forEach(function (control) {
      control.hidden = control.getAttribute("data-for-action") !== action;
    });
    var statuses = chosen.map(function (r) { return r.getAttribute("data-status"); });
    var queues = chosen.map(function (r) { return r.getAttribute("data-queue"); });
    var offered = { status: 0, assign: 0 };
    function offer(option, ok, kind) {
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok) offered[kind] += 1;
      if (!ok && option.selected) option.parentNode.value = "";
    }
    form.querySelectorAll("#bulk-status option[data-from]").forEach(function (option) {
      var from = option.getAttribute("data-from").split(" ");
      var ok = chosen.length > 0 && statuses.every(function (s) { return from.indexOf(s) >= 0; });
      offer(option, ok, "status");
    });
    form.querySelectorAll("#bulk-assign option[data-queues]").forEach(function (option) {
      var may = option.getAttribute("data-queues");
      var list = may.split(" ");
      var ok = chosen.length > 0 && queues.every(function (q) {
        return may === "all" || !q || list.indexOf(q) >= 0;
      });
      offer(option, ok, "assign");
    });
    var hint = document.getElementById("bulk-hint");
    if (!hint) return;
    if (!chosen.length) hint.textContent = "Select leads to change them together.";
    else if (action === "status" && !offered.status) hint.textContent = chosen.length + " selected: no status change fits all of them.";
    else if (action === "assign" && !offered.assign) hint.textContent = chosen.length + " selected: nobody may take all of them.";
    else hint.textContent = chosen.length + " selected.";
  }
  document.addEventListener("change", function (event) {
    if (event.target.closest("#bulk, table.queue")) refreshBulk();
  });
  document.addEventListener("DOMContentLoaded", refreshBulk);
  document.addEventListener("htmx:afterSettle", refreshBulk);
  document.addEventListener("htmx:afterSettle", reselect);
  document.addEventListener("htmx:oobAfterSwap", reselect);
})();
