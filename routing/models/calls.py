"""Model calls and what bounds them: prices, the calls themselves, the circuit, Message
Batches (backlog and shadow audits)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from intake.models import Lead
from routing.models.setup import TIER_CHOICES


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


class ModelCallQuerySet(models.QuerySet):
    def for_leads(self):
        """The calls made for leads: what cost per lead, savings and the daily budget count.
        Evaluation calls (`evaluate_router --record`) are spend too, but on a labelled set,
        and are shown apart."""
        return self.exclude(purpose=ModelCall.Purpose.EVALUATION).filter(lead__isnull=False)

    def evaluation(self):
        return self.filter(purpose=ModelCall.Purpose.EVALUATION)


class ModelCall(models.Model):
    """One row per Anthropic API call, created before the call and completed after it."""

    class Purpose(models.TextChoices):
        TRIAGE = "triage", "Triage"
        ESCALATION = "escalation", "Escalation"
        RETRY = "retry", "Retry after invalid output"
        SHADOW_AUDIT = "shadow_audit", "Shadow audit"
        RERUN = "rerun", "Re-run by a rep"
        COUNT_TOKENS = "count_tokens", "Token count"
        # `evaluate_router --record`: a labelled message, no lead; never part of a lead's cost.
        EVALUATION = "evaluation", "Router evaluation"
        DRAFT = "draft", "Reply draft"

    # Null only for evaluation calls (a labelled message is not a lead).
    lead = models.ForeignKey(
        "intake.Lead",
        on_delete=models.CASCADE,
        related_name="model_calls",
        null=True,
        blank=True,
    )
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
    # The answer's text: an interrupted triage resumes from tier 1's answer instead of paying
    # for it again (routing.resume).
    answer = models.TextField(blank=True)
    retries = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    error_type = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ModelCallQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="model_call_created"),
            models.Index(fields=["lead", "created_at"], name="model_call_lead"),
        ]

    def __str__(self) -> str:
        if self.lead_id is None:
            return f"{self.model} ({self.get_purpose_display()})"
        return f"{self.model} for lead {self.lead_id}"


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


# What people call each family model_family() returns (the keys are lower case, CSS-safe).
FAMILY_LABELS = {
    "rules": "Rules",
    "local": "Local classifier",
    "haiku": "Haiku",
    "sonnet": "Sonnet",
    "opus": "Opus",
    "other": "Other model",
}


def model_family(model: str) -> str:
    """The model's family as a lower-case key: haiku, sonnet, opus, rules, local or other
    (FAMILY_LABELS has the names people know them by)."""
    if model in ("rules", "local"):
        return model
    for family in ("haiku", "sonnet", "opus"):
        if model.startswith(f"claude-{family}"):
            return family
    return "other"
