"""A lead's decision and what people did about it: the triage, feedback, the timeline,
saved queue views."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from intake import leads
from intake.models import Lead
from routing.models.setup import TIER_CHOICES, Queue

# Statuses a rep still works on (the queue page's default and its partial index).
# The queue's order: priority, then SLA due (none last), then the lead; one expression in
# the indexes and in the queries, so PostgreSQL walks an index instead of sorting.
NO_SLA = datetime(9999, 12, 31, tzinfo=UTC)
SLA_ORDER = Coalesce("sla_due", Value(NO_SLA))
QUEUE_ORDER = (F("priority"), SLA_ORDER, F("lead_id"))
OPEN_LEAD_STATUS = Q(lead_status__in=Lead.OPEN_STATUSES)


class Triage(models.Model):
    """The decision for a lead: what it is, where it goes, who decided and why."""

    lead = models.OneToOneField("intake.Lead", on_delete=models.CASCADE, related_name="triage")
    category = models.CharField(max_length=50, blank=True)
    is_lead = models.BooleanField(default=True)
    qualification = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    urgency = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=10, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    next_action = models.CharField(max_length=40, blank=True)
    confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    injection_suspected = models.BooleanField(default=False)
    # The deciding model id, or "rules" / "local".
    model = models.CharField(max_length=100, blank=True)
    tier = models.PositiveSmallIntegerField(choices=TIER_CHOICES, default=0)
    escalated = models.BooleanField(default=False)
    escalation_reasons = models.JSONField(default=list, blank=True)
    # Every tier's validated (or rejected) output, in order.
    outputs = models.JSONField(default=list, blank=True)
    rules_applied = models.JSONField(default=list, blank=True)
    # A rules/local stand-in while the model tiers are unavailable; retried.
    provisional = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker's lease on the lead while it calls the model. Model calls happen
    # outside any transaction so every ModelCall row is committed as it is made
    # (a killed worker's real calls stay on record); the lease, not a row lock,
    # keeps two workers apart, and expires so a killed worker's lead is retried.
    claimed_until = models.DateTimeField(null=True, blank=True)
    shadow_category = models.CharField(max_length=50, blank=True)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 is the most urgent.")
    sla_due = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_triages",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # intake_lead.status, copied by database triggers (migration 0008) whatever writes it:
    # the status lives on the lead, the queue's order on the triage, and one index over
    # both lets the queue page read 50 rows instead of sorting every open lead.
    lead_status = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["queue", "priority", "sla_due"], name="triage_queue_order"),
            models.Index(fields=["decided_at"], name="triage_decided"),
            models.Index(
                *QUEUE_ORDER,
                name="triage_open_order",
                condition=Q(lead_status__in=Lead.OPEN_STATUSES),
            ),
            models.Index(F("lead_status"), *QUEUE_ORDER, name="triage_status_order"),
            models.Index(*QUEUE_ORDER, name="triage_order"),
            # The queue page's other orders of open leads (workspace/ordering.py), and its
            # open leads per queue, counted on every view.
            models.Index(
                SLA_ORDER, F("lead_id"), name="triage_open_sla", condition=OPEN_LEAD_STATUS
            ),
            models.Index(
                F("score").desc(),
                F("lead_id").desc(),
                name="triage_open_score",
                condition=OPEN_LEAD_STATUS,
            ),
            models.Index(fields=["queue"], name="triage_open_queue", condition=OPEN_LEAD_STATUS),
        ]

    def __str__(self) -> str:
        return f"triage of lead {self.lead_id}: {self.category or '?'}"


class Feedback(models.Model):
    """A rep's correction of a triage decision: the ground truth for per-tier agreement."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    field = models.CharField(max_length=30)  # "category" or "qualification"
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    model = models.CharField(max_length=100, blank=True, help_text="The model being corrected.")
    tier = models.PositiveSmallIntegerField(choices=TIER_CHOICES, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.field} correction on lead {self.lead_id}"


class Activity(models.Model):
    """Something a person did to a lead, for its timeline: who, what and when.

    Ingest, triage and escalation come from the messages, the triage and the model calls
    themselves; these rows hold what reps and managers did."""

    class Kind(models.TextChoices):
        CLAIM = "claim", "Claimed"
        UNCLAIM = "unclaim", "Unclaimed"
        ASSIGN = "assign", "Assigned"
        STATUS = "status", "Status changed"
        NOTE = "note", "Note"
        CORRECTION = "correction", "Corrected"
        RERUN = "rerun", "Triage re-run"
        SPAM = "spam", "Marked spam"
        BLOCK_RULE = "block_rule", "Block rule added"
        MERGE = "merge", "Merged"
        FOLLOW_UP = "follow_up", "Follow-up set"
        FOLLOW_UP_DONE = "follow_up_done", "Follow-up done"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="activities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["lead", "created_at"], name="activity_lead")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on lead {self.lead_id}"

    @classmethod
    def record(cls, lead, user, kind: str, text: str = "", **data) -> "Activity":
        """One timeline entry; the lead's `updated_at` moves so open queue pages pick it up."""
        leads.touch(lead.pk)
        return cls.objects.create(
            lead=lead,
            user=user if user and user.is_authenticated else None,
            kind=kind,
            text=text,
            data=data,
        )


class FollowUp(models.Model):
    """A "follow up on <date>": rep's reminder on a lead. Until the date the lead leaves the
    queue's default view (snoozed); from the date it is back, and in its author's "Follow-ups
    due". One pending per lead: setting another, or marking it done, closes it."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="follow_ups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "due_on"], name="follow_up_due", condition=Q(done_at=None)
            ),
        ]
        constraints = [
            # Also the index the queue's "snoozed?" test per row reads.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(done_at=None), name="follow_up_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"follow up on lead {self.lead_id} on {self.due_on}"


class SavedView(models.Model):
    """A rep's named set of queue filters (the query string of the queue page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
