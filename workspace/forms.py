"""The workspace's forms: queue filters, saved views, notes, qualification corrections."""

from django import forms

from intake.models import Channel, Lead

MODEL_FILTERS = [
    ("", "Any model"),
    ("rules", "Rules"),
    ("local", "Local"),
    ("haiku", "Haiku"),
    ("sonnet", "Sonnet"),
    ("opus", "Opus"),
]
OWNER_FILTERS = [("", "Anyone"), ("mine", "Mine"), ("unassigned", "Unassigned")]
FOLLOW_UP_FILTERS = [
    ("", "Not snoozed"),
    ("due", "My follow-ups due"),
    ("snoozed", "Snoozed (follow-up later)"),
]
SORTS = [("", "Priority"), ("sla", "SLA due"), ("score", "Score")]


class QueueFilterForm(forms.Form):
    """The queue page's filters, from the query string; every field is optional."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    queue = forms.ChoiceField(required=False, label="Queue")
    status = forms.ChoiceField(required=False, label="Status")
    category = forms.ChoiceField(required=False, label="Category")
    score_min = forms.IntegerField(required=False, min_value=0, max_value=100, label="Score from")
    score_max = forms.IntegerField(required=False, min_value=0, max_value=100, label="Score to")
    owner = forms.ChoiceField(required=False, choices=OWNER_FILTERS, label="Owner")
    channel = forms.ChoiceField(required=False, label="Channel")
    model = forms.ChoiceField(required=False, choices=MODEL_FILTERS, label="Model")
    received_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        required=False, label="Received to", widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up = forms.ChoiceField(required=False, choices=FOLLOW_UP_FILTERS, label="Follow-ups")
    sort = forms.ChoiceField(required=False, choices=SORTS, widget=forms.HiddenInput)

    def __init__(self, *args, queues, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", "All my queues")] + [(q.slug, q.name) for q in queues]
        self.fields["status"].choices = [("", "Open"), ("all", "Any status")] + [
            (value, label) for value, label in Lead.Status.choices
        ]
        self.fields["category"].choices = [("", "Any category")] + [
            (c.slug, c.name) for c in categories
        ]
        self.fields["channel"].choices = [("", "Any channel"), *Channel.choices]


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60)
    query = forms.CharField(max_length=1000, required=False)


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label="Follow up on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Follow-up note",
        widget=forms.TextInput(attrs={"placeholder": "What to do then"}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class QualificationForm(forms.Form):
    budget = forms.CharField(required=False, max_length=200)
    authority = forms.CharField(required=False, max_length=200)
    need = forms.CharField(required=False, max_length=200)
    timeline = forms.CharField(required=False, max_length=200)
    company_size = forms.CharField(required=False, max_length=200, label="Company size")
