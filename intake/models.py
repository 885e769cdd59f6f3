import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

# RFC 2606: .invalid is never a real domain, so no mail can come from it.
UNKNOWN_SENDER_DOMAIN = "unknown.invalid"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    FORM = "form", "Web form"
    API = "api", "API"


class Contact(models.Model):
    email = models.EmailField(max_length=320, unique=True, help_text="Normalised: lower-cased.")
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True)
    is_free_mail = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def is_placeholder(self) -> bool:
        """Made for a message whose From could not be read: the address is ours, not theirs."""
        return self.email.endswith("@" + UNKNOWN_SENDER_DOMAIN)


class LeadQuerySet(models.QuerySet):
    def in_sales_queue(self):
        return self.exclude(status__in=[Lead.Status.FILTERED, Lead.Status.SPAM])

    def open(self):
        return self.filter(status__in=Lead.OPEN_STATUSES)


def new_reply_token() -> str:
    return secrets.token_hex(8)


class Lead(models.Model):
    class Status(models.TextChoices):
        AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
        NEW = "new", "New"
        WORKING = "working", "Working"
        CONTACTED = "contacted", "Contacted"
        QUALIFIED = "qualified", "Qualified"
        DISQUALIFIED = "disqualified", "Disqualified"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        SPAM = "spam", "Spam"
        # Hygiene (auto-replies, bounces, list mail) or a form trap: never in a sales queue.
        FILTERED = "filtered", "Filtered"

    # What a rep still works on: the default queue view.
    # Not closed: the queue's default view, and where an SLA can still be breached.
    OPEN_STATUSES = ("awaiting_triage", "new", "working", "contacted", "qualified")
    # On a rep's plate: what counts against a queue member's capacity.
    WORKLOAD_STATUSES = ("new", "working", "contacted")
    # The sales workflow: where a rep may move a lead from each status.
    NEXT_STATUSES = {
        "awaiting_triage": ("working", "disqualified", "spam"),
        "new": ("working", "contacted", "disqualified", "spam"),
        "working": ("contacted", "qualified", "disqualified", "spam"),
        "contacted": ("working", "qualified", "disqualified", "spam"),
        "qualified": ("contacted", "won", "lost"),
        "disqualified": ("working",),
        "won": ("working",),
        "lost": ("working",),
        "spam": ("new",),
        "filtered": ("new",),
    }

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="leads")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_TRIAGE, db_index=True
    )
    filter_reason = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    subject = models.CharField(max_length=998, blank=True)
    # normalize_subject(subject): the subject-only threading fallback matches on it.
    subject_key = models.CharField(max_length=255, blank=True)
    form = models.ForeignKey(
        "intake.Form", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    # Routing hint from the form definition; routing resolves it to a queue.
    queue_hint = models.CharField(max_length=100, blank=True)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    # Indexed: open queue pages ask for what changed since they last looked.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Contact, company, subject and message text (intake.search keeps it current).
    search = SearchVectorField(null=True, editable=False)
    # When our first reply (not an acknowledgement) was sent: first-response time is this
    # minus received_at, shown against the queue's SLA.
    first_response_at = models.DateTimeField(null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["contact", "subject_key", "-last_message_at"]),
            GinIndex(fields=["search"], name="lead_search"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or '(no subject)'}"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Hygiene(models.TextChoices):
        NONE = "", "None"
        AUTO_REPLY = "auto_reply", "Auto-reply"
        BOUNCE = "bounce", "Bounce"
        COMPLAINT = "complaint", "Complaint"
        LIST = "list", "List mail"

    class ParseState(models.TextChoices):
        PENDING = "pending", "Pending"
        PARSED = "parsed", "Parsed"
        FAILED = "failed", "Parse failed"

    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Outbound: a reply or an acknowledgement we sent (intake.outbound), its Outbox row says
    # whether it left.
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    # postmark, mailgun, ..., raw, import, form, api; "outbound" for ours
    provider = models.CharField(max_length=30)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # The REST API caller (a token's user). Its external_id, kept in provider_message_id,
    # is unique per caller, not across callers (RELIABILITY.md #25). PROTECT: the key's
    # scope must not change under a stored submission; deactivate a caller instead. No
    # index of its own: the per-caller constraint serves lookups, and webhooks pay none.
    api_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    message_id = models.CharField(
        max_length=998, blank=True, help_text="RFC 5322 Message-ID, without angle brackets."
    )
    # The Message-ID, or a content hash when there is none: one Message per key.
    dedupe_key = models.CharField(max_length=998)
    raw = models.BinaryField(help_text="The bytes as received.")
    raw_size = models.PositiveIntegerField(default=0)
    provider_payload = models.JSONField(default=dict, blank=True)
    envelope_recipient = models.CharField(max_length=320, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    parse_state = models.CharField(
        max_length=10, choices=ParseState.choices, default=ParseState.PENDING
    )
    parse_error = models.TextField(blank=True)
    parse_warnings = models.JSONField(default=list, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)

    from_email = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.TextField(blank=True)
    cc = models.TextField(blank=True)
    subject = models.CharField(max_length=998, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    headers = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, help_text="The whole plain text.")
    text_new = models.TextField(blank=True, help_text="What this message adds: no quote.")
    text_quoted = models.TextField(blank=True)
    signature = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised HTML.")
    hidden_text = models.TextField(
        blank=True, help_text="Text the HTML as sent hid from a reader (for injection checks)."
    )
    hygiene = models.CharField(
        max_length=20, choices=Hygiene.choices, default=Hygiene.NONE, blank=True
    )

    class Meta:
        # Every index here is paid on each webhook insert: no LIKE twins, and
        # the pending index only holds what the reconciler looks for.
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="message_unique_dedupe_key"),
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"],
                condition=~Q(provider_message_id="") & Q(api_user__isnull=True),
                name="message_unique_provider_id",
            ),
            models.UniqueConstraint(
                fields=["api_user", "provider_message_id"],
                condition=~Q(provider_message_id="") & Q(api_user__isnull=False),
                name="message_unique_api_user_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["message_id"], name="message_rfc_id"),
            models.Index(fields=["lead", "received_at"], name="message_lead_received"),
            models.Index(
                fields=["received_at"],
                condition=Q(parse_state="pending"),
                name="message_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"message {self.pk}"


class Outbox(models.Model):
    """One outbound mail's delivery: claimed (queued -> sending) before the backend is called,
    so a killed worker never sends it twice (intake/outbound.py says why at-most-once)."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        ACK = "ack", "Acknowledgement"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLY)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "outbox"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message_id}: {self.get_state_display()}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the sender's name on disk: `../../etc/passwd` stays a display name.
    suffix = PurePath(filename).suffix.lower()[:10] if filename else ""
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{safe_suffix}.bin"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255, blank=True, help_text="As the sender named it.")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    size = models.PositiveIntegerField(default=0)
    declared_type = models.CharField(max_length=255, blank=True)
    sniffed_type = models.CharField(max_length=255, blank=True)
    content_id = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.filename or self.file.name


class Form(models.Model):
    """An embeddable web form: its fields, where it may be posted from, where leads go."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    fields = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            'Extra fields beyond email, name, company and message: [{"name": "budget", '
            '"label": "Budget", "required": false, "max_length": 200}]'
        ),
    )
    allowed_origins = models.TextField(
        blank=True, help_text="One origin a line, e.g. https://www.example.com"
    )
    default_queue = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    success_message = models.CharField(max_length=300, default="Thanks, we'll be in touch soon.")
    acknowledge = models.BooleanField(
        default=False, help_text="Mail the sender an acknowledgement when they submit."
    )
    ack_subject = models.CharField(
        max_length=250, blank=True, help_text='Empty: "Re: " and the subject.'
    )
    ack_body = models.TextField(
        blank=True, help_text="Variables: {contact_name}, {company}. No model writes it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]


class WebhookNonce(models.Model):
    """A Mailgun token already seen: the body is not signed, so tokens are single-use."""

    provider = models.CharField(max_length=30)
    token = models.CharField(max_length=200)
    body_sha256 = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "token"], name="webhook_nonce_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} token {self.token[:12]}"


class Event(models.Model):
    """Something that happened to a lead, written in the transaction that made it happen
    (the outbox): a killed process loses none. `handoff` fans it out to webhooks,
    notifications and the CRM, and marks it dispatched."""

    class Kind(models.TextChoices):
        LEAD_CREATED = "lead.created", "Lead created"
        LEAD_TRIAGED = "lead.triaged", "Lead triaged"
        LEAD_ASSIGNED = "lead.assigned", "Lead assigned"
        LEAD_STATUS_CHANGED = "lead.status_changed", "Lead status changed"
        LEAD_REPLIED = "lead.replied", "Reply sent"
        # Notifications only, never offered to webhook endpoints.
        SLA_WARNING = "lead.sla_warning", "SLA about to breach"
        SLA_BREACHED = "lead.sla_breached", "SLA breached"

    # The receiver's idempotency key (Standard Webhooks' webhook-id): never reused.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # SET_NULL: a merged-away lead's events stay on record (data keeps its id).
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)
    # Set for events that must happen once per cause (an SLA warning per due time).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} (lead {self.data.get('lead_id')})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.public_id.hex}"
