import json

from django import forms
from django.contrib.auth import get_user_model

from routing import rules
from routing.models import Category, Queue, Rule

CONDITIONS_HELP = """
A JSON list; each condition is {"field": ..., "operator": ..., "value": ...}.<br>
Fields: sender, domain, subject, body, channel (email, form, api), form (its slug), hygiene
(auto_reply, bounce, complaint, list); after the model also language, category and score
(0-100).<br>
Operators: equals, contains, regex (case-insensitive search), in_list (a list, or "a, b");
at_least and at_most for score. Text compares ignore case; a fact that is not known never
matches.<br>
Examples:
<code>[{"field": "domain", "operator": "in_list", "value": ["acme.com", "acme.de"]}]</code>
&nbsp;
<code>[{"field": "subject", "operator": "regex", "value": "\\\\b(invoice|refund)\\\\b"}]</code>
&nbsp; <code>[{"field": "score", "operator": "at_least", "value": 80}]</code>
"""

ACTIONS_HELP = """
A JSON list, applied in order; each action is {"action": ..., "value": ...}.<br>
set_category (a category slug), set_queue (a queue slug), set_priority (1 most urgent to 5),
set_assignee (a username), force_tier (2 or 3); mark_spam, skip_model (before the model only)
and stop (no later rule runs) take no value. A later rule overrides an earlier one.<br>
Example: <code>[{"action": "set_queue", "value": "support"}, {"action": "skip_model"},
{"action": "stop"}]</code>
"""


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
        required=False,
        initial=list,
        help_text=CONDITIONS_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90, "class": "vLargeTextField"}),
    )
    actions = PrettyJSONField(
        required=False,
        initial=list,
        help_text=ACTIONS_HELP,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 90, "class": "vLargeTextField"}),
    )

    class Meta:
        model = Rule
        fields = ("name", "position", "is_enabled", "stage", "match", "conditions", "actions")

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
