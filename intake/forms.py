"""The web form: built-in fields, a form definition's extra fields, and the spam traps."""

import logging
import re
import time

from django import forms
from django.conf import settings
from django.core import signing

from intake.models import Form

logger = logging.getLogger(__name__)

HONEYPOT = "website"
TIMESTAMP = "ts"
TIMESTAMP_SALT = "intake.forms.timestamp"
RESERVED = {"name", "email", "company", "message", HONEYPOT, TIMESTAMP, "csrfmiddlewaretoken"}
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EXTRA_MAX_LENGTH = 5000
WIDGETS = {
    "text": forms.TextInput,
    "textarea": forms.Textarea,
    "email": forms.EmailInput,
    "tel": forms.TextInput(attrs={"type": "tel"}),
    "url": forms.URLInput,
}


def issue_timestamp(at: float | None = None) -> str:
    """A signed "form shown at" time, checked when the form comes back."""
    return signing.dumps(int(time.time() if at is None else at), salt=TIMESTAMP_SALT)


def timestamp_age(value: str) -> float | None:
    """Seconds since `value` was issued, or None when it is not one we signed."""
    try:
        issued = signing.loads(value, salt=TIMESTAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(issued, int):
        return None
    return time.time() - issued


def extra_fields(definition: Form | None) -> dict[str, forms.Field]:
    """The form definition's extra fields; an entry admin got wrong is skipped, not fatal."""
    result: dict[str, forms.Field] = {}
    for spec in (definition.fields if definition else None) or []:
        name = spec.get("name") if isinstance(spec, dict) else None
        kind = spec.get("type", "text") if isinstance(spec, dict) else None
        if (
            not isinstance(name, str)
            or not FIELD_NAME.match(name)
            or name in RESERVED
            or name in result
            or (kind not in WIDGETS and "choices" not in spec)
        ):
            logger.warning("form %s: skipping field definition %r", definition.slug, spec)
            continue
        label = str(spec.get("label") or name.replace("_", " ").capitalize())[:200]
        required = spec.get("required") is True
        choices = spec.get("choices")
        if isinstance(choices, list) and choices:
            options = [(str(choice), str(choice)) for choice in choices]
            blank = [] if required else [("", "---")]
            result[name] = forms.ChoiceField(
                label=label, required=required, choices=blank + options
            )
            continue
        max_length = spec.get("max_length")
        if not isinstance(max_length, int) or not 0 < max_length <= EXTRA_MAX_LENGTH:
            max_length = 2000 if kind == "textarea" else 200
        field_class = forms.EmailField if kind == "email" else forms.CharField
        if kind == "url":
            field_class = forms.URLField
        result[name] = field_class(
            label=label, required=required, max_length=max_length, widget=WIDGETS[kind]
        )
    return result


class SubmissionForm(forms.Form):
    """One form for /contact/ and the embed endpoint, so both validate alike."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email", max_length=320, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    company = forms.CharField(
        label="Company",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    message = forms.CharField(
        label="Message", max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    # People never see this field (CSS, aria-hidden, out of the tab order);
    # form-filling bots do. No max_length: any value at all is the tell.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    ts = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, definition: Form | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.definition = definition
        extras = extra_fields(definition)
        self.fields.update(extras)
        self.extra_names = list(extras)
        self.order_fields(["name", "email", "company", *extras, "message", HONEYPOT, TIMESTAMP])

    @property
    def shown_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in (HONEYPOT, TIMESTAMP)]

    def extra_values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in self.extra_names if self.cleaned_data[name]
        }

    def trap(self, *, require_timestamp: bool) -> str:
        """ "honeypot" or "time_trap" when a bot filled the form, else ""."""
        if self.cleaned_data[HONEYPOT]:
            return "honeypot"
        value = self.cleaned_data[TIMESTAMP]
        if not value:
            return "time_trap" if require_timestamp else ""
        age = timestamp_age(value)
        # A forged stamp, or one from the future, counts as too fast.
        if age is None or age < settings.FORM_MIN_SECONDS:
            return "time_trap"
        return ""
