"""What the hand-off keeps: webhook endpoints and their deliveries, notification
preferences, queue channels and notifications sent, CRM records."""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from intake.models import Event

WEBHOOK_EVENTS = [
    (Event.Kind.LEAD_CREATED, "Lead created"),
    (Event.Kind.LEAD_TRIAGED, "Lead triaged"),
    (Event.Kind.LEAD_ASSIGNED, "Lead assigned"),
    (Event.Kind.LEAD_STATUS_CHANGED, "Lead status changed"),
    (Event.Kind.LEAD_REPLIED, "Reply sent"),
]


def new_secret() -> str:
    """Standard Webhooks' secret format: whsec_ and base64 of random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def all_webhook_events() -> list[str]:
    return [str(kind) for kind, _ in WEBHOOK_EVENTS]


class Endpoint(models.Model):
    """A receiver an admin registered for outbound webhooks."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(
        max_length=100, default=new_secret, help_text="whsec_…: give it to the receiver."
    )
    events = models.JSONField(default=all_webhook_events, help_text="Event types sent here.")
    enabled = models.BooleanField(default=True)
    # Failed attempts in a row; a success resets it.
    failure_count = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, kind: str) -> bool:
        return self.enabled and kind in (self.events or []) and kind in all_webhook_events()


class Delivery(models.Model):
    """One event for one endpoint: the body (identical on every attempt) and where the
    attempts stand."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    body = models.TextField(help_text="The JSON sent, byte for byte on every attempt.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker's lease while it sends: a killed worker's delivery is taken again after it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.kind} to {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One request of a delivery, as sent and as answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    request_headers = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number}"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


NOTIFY_EVENTS = [
    (Event.Kind.LEAD_ASSIGNED, "A lead is assigned to me"),
    ("hot", "A hot lead lands in a queue I work"),
    (Event.Kind.SLA_WARNING, "A lead of mine is about to breach its SLA"),
    (Event.Kind.SLA_BREACHED, "A lead breached its SLA (managers)"),
]


def all_notify_events() -> list[str]:
    return [str(kind) for kind, _ in NOTIFY_EVENTS]


class Preference(models.Model):
    """What a person wants to be told, how, and when not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    events = models.JSONField(default=all_notify_events)
    email = models.BooleanField(default=True)
    # A personal Slack incoming webhook (a DM channel), optional.
    slack_webhook_url = models.URLField(max_length=2000, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=60, default="UTC")

    def __str__(self) -> str:
        return f"notifications for {self.user}"


class QueueChannel(models.Model):
    """A Slack or Teams incoming webhook that hears about a queue's hot and assigned leads."""

    queue = models.ForeignKey(
        "routing.Queue", on_delete=models.CASCADE, related_name="notify_channels"
    )
    kind = models.CharField(
        max_length=10, choices=[(Channel.SLACK, "Slack"), (Channel.TEAMS, "Microsoft Teams")]
    )
    url = models.URLField(max_length=2000, help_text="The incoming webhook's URL.")
    min_score = models.PositiveSmallIntegerField(
        default=70, help_text="Posts leads scoring at least this."
    )
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.queue}"


class Notification(models.Model):
    """One message to one recipient on one channel for one event: never sent twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        HELD = "held", "Held for a digest"
        SENT = "sent", "Sent"
        DIGESTED = "digested", "Sent in a digest"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    # user:<id> or queue-channel:<id>: the unique key's recipient.
    recipient = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    queue_channel = models.ForeignKey(QueueChannel, null=True, blank=True, on_delete=models.CASCADE)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reason = models.CharField(max_length=40, help_text="Why this person is told.")
    subject = models.CharField(max_length=300)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    hold_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"], name="notification_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "held"]),
                name="notification_due",
            ),
            models.Index(fields=["user", "created_at"], name="notification_user"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class CrmRecord(models.Model):
    """A lead's records in a CRM: the ids a second push updates instead of duplicating."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SYNCED = "synced", "Synced"
        FAILED = "failed", "Failed"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="crm_records")
    crm = models.CharField(max_length=20)
    contact_id = models.CharField(max_length=64, blank=True)
    deal_id = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "crm"], name="crm_record_once")]

    def __str__(self) -> str:
        return f"{self.crm} record of lead {self.lead_id}"

    @property
    def label(self) -> str:
        return CRM_LABELS.get(self.crm, self.crm)


CRM_LABELS = {"hubspot": "HubSpot"}
