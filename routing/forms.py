import functools
import json

from django import forms
from django.contrib.auth import get_user_model

from routing import rules
from routing.models import Category, Queue, Rule
from routing.rule_rows import ActionRowsWidget, Choices, ConditionRowsWidget

CONDITIONS_HELP = (
    "One test of the lead a row; match all of them, or any, as set above. Text compares ignore "
    "case; a fact nobody knows yet never matches. <em>is one of</em> takes a list separated by "
    "commas. Facts known after the model (language, category, score, company size, budget) "
    'need the stage "after the model". Blank rows are ignored.'
)

ACTIONS_HELP = (
    "Applied in order; a later rule overrides an earlier one. Priority 1 is the most urgent; "
    "<em>Skip the model</em> works before the model only; <em>Stop</em> runs no later rule. "
    "Blank rows are ignored."
)


class PrettyJSONField(forms.JSONField):
    """Shows stored JSON indented, one item a line, so a rule reads without a JSON viewer."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value is None:
            return ""
        return json.dumps(value, indent=2, ensure_ascii=False)


class RuleForm(forms.ModelForm):
    # Not required: validate_conditions explains an empty list better than "required".
    conditions = PrettyJSONField(
        required=False, initial=list, help_text=CONDITIONS_HELP, widget=ConditionRowsWidget
    )
    actions = PrettyJSONField(
        required=False, initial=list, help_text=ACTIONS_HELP, widget=ActionRowsWidget
    )

    class Meta:
        model = Rule
        fields = ("name", "position", "is_enabled", "stage", "match", "conditions", "actions")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        load = functools.cache(Choices.load)  # the menus, read once for both lists of rows
        for name in ("conditions", "actions"):
            self.fields[name].widget.load_choices = load

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if "conditions" in cleaned:
            for error in rules.validate_conditions(cleaned["conditions"], stage=stage):
                self.add_error("conditions", error)
        if "actions" in cleaned:
            errors = rules.validate_actions(cleaned["actions"], stage=stage)
            errors += [] if errors else self._missing_targets(cleaned["actions"])
            for error in errors:
                self.add_error("actions", error)
        return cleaned

    def _missing_targets(self, actions: list[dict]) -> list[str]:
        """A slug or username that names nothing would send leads nowhere, silently."""
        wanted = {"set_category": set(), "set_queue": set(), "set_assignee": set()}
        for action in actions:
            if action["action"] in wanted:
                wanted[action["action"]].add(action["value"].strip())
        lookups = (
            ("set_category", "category", Category.objects, "slug"),
            ("set_queue", "queue", Queue.objects, "slug"),
            (
                "set_assignee",
                "active user",
                get_user_model().objects.filter(is_active=True),
                "username",
            ),
        )
        errors = []
        for kind, noun, manager, key in lookups:
            if not wanted[kind]:
                continue
            found = set(manager.filter(**{f"{key}__in": wanted[kind]}).values_list(key, flat=True))
            for name in sorted(wanted[kind] - found):
                errors.append(f"{kind}: there is no {noun} {name!r}.")
        return errors

    def rule_spec(self) -> rules.RuleSpec:
        """The rule as edited, valid and unsaved: what the preview evaluates."""
        data = self.cleaned_data
        return rules.RuleSpec(
            id=self.instance.pk,
            name=data["name"],
            match=data["match"],
            conditions=tuple(data["conditions"]),
            actions=tuple(data["actions"]),
        )
