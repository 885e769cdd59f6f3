from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from intake import leads
from intake.models import Lead

# Statuses a rep still works on (the queue page's default and its partial index).
# The queue's order: priority, then SLA due (none last), then the lead; one expression in
# the indexes and in the queries, so PostgreSQL walks an index instead of sorting.
NO_SLA = datetime(9999, 12, 31, tzinfo=UTC)
SLA_ORDER = Coalesce("sla_due", Value(NO_SLA))
QUEUE_ORDER = (F("priority"), SLA_ORDER, F("lead_id"))

TIER_CHOICES = [(0, "Rules / local"), (1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]


class Queue(models.Model):
    class Strategy(models.TextChoices):
        MANUAL = "manual", "Manual (reps claim)"
        ROUND_ROBIN = "round_robin", "Round-robin"
        LEAST_LOADED = "least_loaded", "Least loaded (within capacity)"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    sla_minutes = models.PositiveIntegerField(default=240)
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.MANUAL)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="QueueMembership", related_name="lead_queues"
    )
    # Round-robin position: the member who got the last lead.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return self.name


class QueueMembership(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    capacity = models.PositiveIntegerField(
        default=25, help_text="Open leads this member can hold before assignment skips them."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="queue_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.queue}"


class Category(models.Model):
    """The closed set the model must choose from; descriptions feed the prompt."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="Shown to the model: what belongs here.")
    is_sales = models.BooleanField(
        default=True, help_text="Leads in this category are sales opportunities."
    )
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL)
    always_escalate = models.BooleanField(
        default=False, help_text="Every lead the first tier puts here goes to tier 2."
    )
    confidence_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Overrides the policy's threshold for this category.",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class RoutingPolicy(models.Model):
    """Tier models, thresholds, escalation triggers, caps and budget: tuned in admin."""

    class BudgetAction(models.TextChoices):
        NO_ESCALATION = "no_escalation", "Stop escalating; tier 1 only"
        LOCAL_ONLY = "local_only", "Rules and the local classifier only"

    name = models.CharField(max_length=100, default="Default policy")
    is_active = models.BooleanField(default=True)
    tier1_model = models.CharField(max_length=100, default="claude-haiku-5-5")
    tier2_model = models.CharField(max_length=100, default="claude-sonnet-5-5")
    tier3_model = models.CharField(max_length=100, default="claude-opus-5-5")
    confidence_threshold = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.70")
    )
    escalate_when_model_asks = models.BooleanField(default=True)
    escalate_company_size_at_least = models.PositiveIntegerField(
        null=True, blank=True, default=1000, help_text="Employees; blank: never."
    )
    escalate_budget_at_least = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, default=Decimal("50000")
    )
    escalate_input_tokens_over = models.PositiveIntegerField(default=6000)
    max_message_chars = models.PositiveIntegerField(default=12000)
    max_escalations_per_lead = models.PositiveIntegerField(default=1)
    max_escalations_per_sender_per_day = models.PositiveIntegerField(default=5)
    max_escalations_per_domain_per_day = models.PositiveIntegerField(
        default=20,
        help_text="Across every sender of one company domain (free-mail domains excepted), so "
        "rotating addresses does not buy more escalations.",
    )
    daily_budget_usd = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("20"))
    budget_action = models.CharField(
        max_length=20, choices=BudgetAction.choices, default=BudgetAction.NO_ESCALATION
    )
    shadow_audit_rate = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.020"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of confident tier-1 decisions also checked by the tier-2 model, to "
        "measure agreement: sent later in a Message Batch (half price), without tier 1's answer.",
    )
    score_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Points per qualification fact, e.g. {"budget": 25, "authority": 20, '
        '"need": 25, "timeline": 15, "company_size": 15}',
    )
    default_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Suspected injections and leads that failed triage go here for a person.",
    )
    max_triage_attempts = models.PositiveIntegerField(default=5)
    circuit_cooldown_seconds = models.PositiveIntegerField(default=600)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "routing policies"

    def __str__(self) -> str:
        return self.name


class ModelPrice(models.Model):
    """USD per million tokens for one model from a date; the row in force prices a call."""

    model = models.CharField(max_length=100)
    effective_from = models.DateField()
    input_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    output_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    cache_write_5m_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    cache_write_1h_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    cache_read_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    batch_multiplier = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.5"))
    long_prompt_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Input + cache tokens above which the whole call is re-rated.",
    )
    long_prompt_multiplier = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True
    )
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "effective_from"], name="model_price_unique")
        ]
        ordering = ["model", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.model} from {self.effective_from}"


class Rule(models.Model):
    class Stage(models.TextChoices):
        BEFORE_MODEL = "before", "Before the model (hygiene, senders, channels)"
        AFTER_MODEL = "after", "After the model (category, score)"

    class Match(models.TextChoices):
        ALL = "all", "All conditions"
        ANY = "any", "Any condition"

    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    is_enabled = models.BooleanField(default=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.BEFORE_MODEL)
    match = models.CharField(max_length=5, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(
        default=list,
        help_text='[{"field": "domain", "operator": "in_list", "value": ["acme.com"]}]',
    )
    actions = models.JSONField(
        default=list, help_text='[{"action": "set_queue", "value": "support"}, {"action": "stop"}]'
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


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
        ]

    def __str__(self) -> str:
        return f"triage of lead {self.lead_id}: {self.category or '?'}"


class ModelCall(models.Model):
    """One row per Anthropic API call, created before the call and completed after it."""

    class Purpose(models.TextChoices):
        TRIAGE = "triage", "Triage"
        ESCALATION = "escalation", "Escalation"
        RETRY = "retry", "Retry after invalid output"
        SHADOW_AUDIT = "shadow_audit", "Shadow audit"
        RERUN = "rerun", "Re-run by a rep"
        COUNT_TOKENS = "count_tokens", "Token count"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="model_calls")
    tier = models.PositiveSmallIntegerField(choices=TIER_CHOICES, default=1)
    model = models.CharField(max_length=100)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.TRIAGE)
    batch = models.BooleanField(default=False)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    cache_creation_input_tokens = models.PositiveIntegerField(null=True, blank=True)
    cache_creation_5m_tokens = models.PositiveIntegerField(null=True, blank=True)
    cache_creation_1h_tokens = models.PositiveIntegerField(null=True, blank=True)
    cache_read_input_tokens = models.PositiveIntegerField(null=True, blank=True)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    price = models.ForeignKey(ModelPrice, null=True, blank=True, on_delete=models.PROTECT)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    stop_reason = models.CharField(max_length=30, blank=True)
    retries = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    error_type = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="model_call_created"),
            models.Index(fields=["lead", "created_at"], name="model_call_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.model} for lead {self.lead_id}"


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


class Circuit(models.Model):
    """The Anthropic API circuit: open after a permanent failure, closed after a cool-down."""

    ANTHROPIC = "anthropic"

    name = models.CharField(max_length=50, unique=True, default=ANTHROPIC)
    open_until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.open_until is not None and self.open_until > timezone.now()

    @classmethod
    def anthropic(cls) -> "Circuit | None":
        """The Anthropic API's circuit; None until it first opened."""
        return cls.objects.filter(name=cls.ANTHROPIC).first()


class BacklogBatch(models.Model):
    """A Message Batch submitted by `triage_backlog --batch`: kept so a re-run resumes it."""

    batch_id = models.CharField(max_length=100, unique=True)
    model = models.CharField(max_length=100)
    lead_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Outcome counts once applied: decided, provisional, skipped, errored, expired, ...
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.batch_id


class ShadowAudit(models.Model):
    """A confident tier-1 decision drawn for a quality check by the tier-2 model.

    The decision is recorded at once; the audit waits here for `routing.audits`, which sends
    the waiting ones as one Message Batch (half price: an audit needs no quick answer) without
    tier 1's draft (an auditor shown the answer tends to agree with it), and writes what tier 2
    says into `Triage.shadow_category`, the admin dashboard's agreement figure."""

    class Outcome(models.TextChoices):
        WAITING = "", "Waiting"
        ANSWERED = "answered", "Answered"
        INVALID = "invalid", "Invalid answer"
        ERRORED = "errored", "Errored"
        EXPIRED = "expired", "Expired or canceled"
        SKIPPED = "skipped", "Not sent (waited too long, or the decision was replaced)"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="shadow_audits")
    model = models.CharField(max_length=100)
    # The decision audited: the answer is written to the triage only while it still stands.
    decided_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    batch_id = models.CharField(max_length=100, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    category = models.CharField(max_length=50, blank=True, help_text="What tier 2 said.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="shadow_audit_waiting",
                condition=Q(batch_id="", done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"audit of lead {self.lead_id} ({self.get_outcome_display()})"


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


def model_family(model: str) -> str:
    """The name people know a model by (Haiku, Sonnet, Opus), or rules / local / other."""
    if model in ("rules", "local"):
        return model
    for prefix, name in (
        ("claude-haiku", "Haiku"),
        ("claude-sonnet", "Sonnet"),
        ("claude-opus", "Opus"),
    ):
        if model.startswith(prefix):
            return name
    return "other"
