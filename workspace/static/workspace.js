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
      var action = document.getElementById("bulk-action");
      if (action) action.value = id === "assignee" ? "assign" : "status";
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
  function reselect() {
    var row = selectedRow();
    if (row) row.classList.add("selected");
  }
  document.addEventListener("htmx:afterSettle", reselect);
  document.addEventListener("htmx:oobAfterSwap", reselect);
})();
