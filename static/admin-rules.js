// The rule editor's rows (templates/admin/routing/rule/_condition_rows.html and
// _action_rows.html): add and remove rows in place, and offer only the operators and
// values that fit the chosen field or action. No inline script: the page's CSP allows
// only our own files. Without this file the form still works: two blank rows, a Remove box.
(function () {
  "use strict";

  function rows(box) {
    return Array.prototype.slice.call(box.querySelectorAll("tr.rule-row"));
  }

  function role(row, name) {
    return row.querySelector('[data-role="' + name + '"]');
  }

  function renumber(box) {
    var n = 0;
    rows(box).forEach(function (row) {
      var key = role(row, "field") || role(row, "action");
      var cell = row.querySelector(".rule-number");
      cell.textContent = key.value ? String(++n) : "";
    });
  }

  function fitCondition(box, row) {
    var field = role(row, "field");
    var operator = role(row, "operator");
    var value = role(row, "value");
    var chosen = field.options[field.selectedIndex];
    var kind = chosen && chosen.value ? chosen.getAttribute("data-kind") : "";
    Array.prototype.forEach.call(operator.options, function (option) {
      var fits = !kind || (option.getAttribute("data-kinds") || "").split(" ").indexOf(kind) >= 0;
      option.disabled = !fits;
      option.hidden = !fits;
    });
    if (operator.selectedOptions[0] && operator.selectedOptions[0].disabled) {
      var first = Array.prototype.find.call(operator.options, function (o) { return !o.disabled; });
      if (first) operator.value = first.value;
    }
    var list = box.querySelector("#rule-values-" + (field.value || "none"));
    if (list) value.setAttribute("list", list.id);
    else value.removeAttribute("list");
    var op = operator.options[operator.selectedIndex];
    value.placeholder = op ? op.getAttribute("data-placeholder") || "" : "";
  }

  function fitAction(row) {
    var action = role(row, "action").value;
    var value = role(row, "value");
    var groups = value.querySelectorAll("optgroup");
    var match = null;
    Array.prototype.forEach.call(groups, function (group) {
      var fits = group.getAttribute("data-for") === action;
      group.hidden = !fits;
      group.disabled = !fits;
      if (fits) match = group;
    });
    value.hidden = value.disabled = !match;
    if (match) {
      if (!value.selectedOptions[0] || value.selectedOptions[0].parentNode !== match) {
        var first = match.querySelector("option");
        if (first) first.selected = true;
      }
    }
  }

  function fit(box, row) {
    if (role(row, "field")) fitCondition(box, row);
    else fitAction(row);
  }

  function nextIndex(box) {
    var top = -1;
    rows(box).forEach(function (row) {
      var m = /-(\d+)-[a-z]+$/.exec(row.querySelector("select").name);
      if (m) top = Math.max(top, parseInt(m[1], 10));
    });
    return top + 1;
  }

  function addRow(box) {
    var template = rows(box)[0];
    var row = template.cloneNode(true);
    var index = nextIndex(box);
    Array.prototype.forEach.call(row.querySelectorAll("[name]"), function (el) {
      el.name = el.name.replace(/-\d+-([a-z]+)$/, "-" + index + "-$1");
      if (el.tagName === "SELECT") {
        var blank = el.querySelector('option[value=""]');
        var equals = el.querySelector('option[value="equals"]');
        (blank || equals || el.options[0]).selected = true;
      } else {
        el.value = "";
      }
    });
    box.querySelector("tbody").appendChild(row);
    wire(box, row);
    fit(box, row);
    renumber(box);
    return row;
  }

  function wire(box, row) {
    var remove = role(row, "remove");
    var label = remove.closest("label");
    var old = label.parentNode.querySelector("button");
    if (old) old.remove();
    label.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button rule-remove-button";
    button.textContent = "Remove";
    button.addEventListener("click", function () {
      if (rows(box).length === 1) addRow(box); // keep one row to copy the next from
      row.remove();
      renumber(box);
    });
    label.parentNode.appendChild(button);
    row.addEventListener("change", function () {
      fit(box, row);
      renumber(box);
    });
  }

  function start(box) {
    var add = box.querySelector('[data-role="add"]');
    rows(box).forEach(function (row) {
      wire(box, row);
      fit(box, row);
    });
    add.closest(".rule-add").hidden = false;
    add.addEventListener("click", function () {
      var row = addRow(box);
      (role(row, "field") || role(row, "action")).focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-rule-rows]"), start);
  });
})();
