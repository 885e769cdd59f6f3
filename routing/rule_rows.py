"""The rule editor's rows: conditions (field, operator, value) and actions (action, value)
as rows of menus, read back into the JSON lists that RuleForm validates and Rule stores.

The rows only translate: a number typed into a score row becomes 80, "a, b" in an "is one
of" row becomes ["a", "b"], and everything else is passed on as typed, so rules.py says
what is wrong in the same words as before. A post without row fields (a script, the tests
of the JSON contract) is read as the JSON it carries.

Without JavaScript the form shows the stored rows and two blank ones (save to get more), a
"Remove" box on each; static/admin-rules.js adds and removes rows in place, and offers
only the operators and values that fit the chosen field or action.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from intake.models import Channel, Form, Message
from routing import rules
from routing.models import Category, Queue

BLANK_ROWS = 2
# Operators by the kind of fact they compare, for the menus (rules.py checks the pairs).
KINDS = {"text": rules.TEXT_OPERATORS, "number": rules.NUMBER_OPERATORS}
PLACEHOLDERS = {
    "in_list": "a, b, c",
    "regex": r"\b(invoice|refund)\b",
    "at_least": "500",
    "at_most": "20",
}
ARRIVAL_FIELDS = [(f, rules.FIELD_LABELS[f]) for f in rules.FIELDS if f not in rules.MODEL_FIELDS]
MODEL_FIELDS = [(f, rules.FIELD_LABELS[f]) for f in rules.FIELDS if f in rules.MODEL_FIELDS]
NUMBER_TYPED = re.compile(r"^[-+]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Choices:
    """What the menus offer: the queues, categories, active users and web forms there are."""

    queues: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    users: list[tuple[str, str]]
    forms: list[tuple[str, str]]

    @classmethod
    def load(cls) -> "Choices":
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        return cls(
            queues=list(Queue.objects.order_by("name").values_list("slug", "name")),
            categories=[
                (c.slug, c.name if c.is_active else f"{c.name} (inactive)")
                for c in Category.objects.only("slug", "name", "is_active")
            ],
            users=[
                (u.username, f"{u.get_full_name()} ({u.username})" if u.get_full_name() else "")
                for u in users.only("username", "first_name", "last_name")
            ],
            forms=list(Form.objects.order_by("name").values_list("slug", "name")),
        )

    def value_lists(self) -> dict[str, list[tuple[str, str]]]:
        """Suggestions for a condition's value, by field (an HTML datalist each)."""
        return {
            "channel": list(Channel.choices),
            "hygiene": [(v, label) for v, label in Message.Hygiene.choices if v],
            "form": self.forms,
            "category": self.categories,
        }

    def action_values(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The value menu of an action row: one group per action that takes a value."""
        return [
            ("set_queue", "Queues", self.queues),
            ("set_category", "Categories", self.categories),
            ("set_assignee", "Users", [(name, label or name) for name, label in self.users]),
            ("set_priority", "Priorities", [("1", "1 (most urgent)"), *_numbers(2, 5)]),
            ("force_tier", "Tiers", [("2", "Tier 2"), ("3", "Tier 3")]),
        ]


def _numbers(low: int, high: int) -> list[tuple[str, str]]:
    return [(str(n), str(n)) for n in range(low, high + 1)]


# --- From the posted rows to JSON ---------------------------------------------------------


def row_indexes(data, name: str, key: str) -> list[int] | None:
    """The row numbers posted for `name` (conditions-3-field: 3), in order; None for none."""
    pattern = re.compile(rf"^{re.escape(name)}-(\d+)-{key}$")
    found = {int(m.group(1)) for k in data if (m := pattern.match(k))}
    return sorted(found) if found else None


def read_conditions(data, name: str) -> list[dict] | None:
    indexes = row_indexes(data, name, "field")
    if indexes is None:
        return None
    conditions = []
    for i in indexes:
        prefix = f"{name}-{i}-"
        field = data.get(prefix + "field", "").strip()
        operator = data.get(prefix + "operator", "").strip()
        text = data.get(prefix + "value", "")
        if data.get(prefix + "remove") or (not field and not text.strip()):
            continue  # a blank row, or one marked for removal
        conditions.append(
            {"field": field, "operator": operator, "value": _value(field, operator, text)}
        )
    return conditions


def _value(field: str, operator: str, text: str) -> Any:
    if operator == "in_list":
        items = rules._items(text)
        return [_number_or_text(item) for item in items] if field in rules.NUMBER_FIELDS else items
    if field in rules.NUMBER_FIELDS:
        return _number_or_text(text)
    return text if operator == "regex" else text.strip()


def _number_or_text(text: str) -> Any:
    """80 for "80", 50000 for "$50,000", 1.5 for "1.5"; anything else stays text, so the
    validation names the problem."""
    cleaned = re.sub(r"[\s,_$]", "", text)
    if not NUMBER_TYPED.match(cleaned):
        return text.strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return text.strip()
    return int(number) if number == number.to_integral_value() else float(number)


def read_actions(data, name: str) -> list[dict] | None:
    indexes = row_indexes(data, name, "action")
    if indexes is None:
        return None
    actions = []
    for i in indexes:
        prefix = f"{name}-{i}-"
        kind = data.get(prefix + "action", "").strip()
        text = data.get(prefix + "value", "").strip()
        if data.get(prefix + "remove") or not kind:
            continue
        if kind in rules.FLAG_ACTIONS:
            actions.append({"action": kind})
        elif kind in ("set_priority", "force_tier") and text.isdigit():
            actions.append({"action": kind, "value": int(text)})
        else:
            actions.append({"action": kind, "value": text})
    return actions


# --- From JSON to the rows shown ----------------------------------------------------------


def _stored(value) -> tuple[list, str]:
    """The list a field holds (from the form's JSON text) and any text that was not JSON."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return [], value
    return (value if isinstance(value, list) else []), ""


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if value is None:
        return ""
    return str(value)


def _options(pairs, selected: str, *, missing: str = "not found") -> list[dict]:
    options = [{"value": v, "label": label or v, "selected": v == selected} for v, label in pairs]
    if selected and not any(o["selected"] for o in options):
        options.append({"value": selected, "label": f"{selected} ({missing})", "selected": True})
    return options


def condition_rows(conditions: list, choices: Choices) -> list[dict]:
    value_lists = choices.value_lists()
    rows = []
    items = [c for c in conditions if isinstance(c, dict)] + [{}] * BLANK_ROWS
    for i, condition in enumerate(items):
        field = str(condition.get("field") or "")
        operator = str(condition.get("operator") or "equals")
        model_field = field in rules.MODEL_FIELDS
        groups = [
            {
                "label": "Known on arrival",
                "options": _options(
                    ARRIVAL_FIELDS, "" if model_field else field, missing="unknown"
                ),
            },
            {
                "label": "Known after the model",
                "options": _options(MODEL_FIELDS, field if model_field else ""),
            },
        ]
        for group in groups:
            for option in group["options"]:
                option["kind"] = "number" if option["value"] in rules.NUMBER_FIELDS else "text"
        operators = _options(rules.OPERATOR_LABELS.items(), operator, missing="unknown")
        for option in operators:
            option["kinds"] = " ".join(k for k, ops in KINDS.items() if option["value"] in ops)
            option["placeholder"] = PLACEHOLDERS.get(option["value"], "")
        rows.append(
            {
                "index": i,
                "number": i + 1 if condition else None,
                "groups": groups,
                "operators": operators,
                "value": _shown(condition.get("value")),
                "placeholder": PLACEHOLDERS.get(operator, ""),
                "list": f"rule-values-{field}" if field in value_lists else "",
            }
        )
    return rows


def action_rows(actions: list, choices: Choices) -> list[dict]:
    rows = []
    items = [a for a in actions if isinstance(a, dict)] + [{}] * BLANK_ROWS
    for i, action in enumerate(items):
        kind = str(action.get("action") or "")
        value = _shown(action.get("value")) if kind not in rules.FLAG_ACTIONS else ""
        kinds = [("", "---------"), *rules.ACTION_LABELS.items()]
        groups = [
            {
                "action": group_kind,
                "label": label,
                "options": _options(pairs, value if group_kind == kind else ""),
            }
            for group_kind, label, pairs in choices.action_values()
        ]
        rows.append(
            {
                "index": i,
                "number": i + 1 if action else None,
                "actions": _options(kinds, kind, missing="unknown"),
                "groups": groups,
                "no_value": kind in rules.FLAG_ACTIONS,
            }
        )
    return rows


# --- The widgets ----------------------------------------------------------------------


class RuleRowsWidget(forms.Widget):
    """Rows of menus for a JSON list; `template_name` shows them, `read` reads them back."""

    template = ""
    rows_of = staticmethod(condition_rows)
    read = staticmethod(read_conditions)

    class Media:
        js = ["admin-rules.js"]

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # Called on render only (a save that succeeds never queries the menus); RuleForm
        # gives both widgets one cached loader.
        self.load_choices: Callable[[], Choices] = Choices.load

    def value_from_datadict(self, data, files, name):
        rows = self.read(data, name)
        if rows is None:
            return data.get(name)  # JSON as text, from a script or an older form
        return json.dumps(rows)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self.read(data, name) is None

    def render(self, name, value, attrs=None, renderer=None):
        choices = self.load_choices()
        stored, unreadable = _stored(value)
        context = {
            "name": name,
            "rows": self.rows_of(stored, choices),
            "unreadable": unreadable,
            "value_lists": choices.value_lists(),
        }
        return render_to_string(self.template, context)


class ConditionRowsWidget(RuleRowsWidget):
    template = "admin/routing/rule/_condition_rows.html"


class ActionRowsWidget(RuleRowsWidget):
    template = "admin/routing/rule/_action_rows.html"
    rows_of = staticmethod(action_rows)
    read = staticmethod(read_actions)
