"""What admins configure: queues and their members, categories, the routing policy, rules."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

TIER_CHOICES = [(0, "Rules / local"), (1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]


class Queue(models.Model):
    class Strategy(models.TextChoices):
        MANUAL = "manual", "Manual (reps claim)"
        ROUND_ROBIN = "round_robin", "Round-robin"
        LEAST_LOADED = "least_loaded", "Least loaded (within capacity)"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    sla_minutes = models.PositiveIntegerField(default=240)
    sla_warning_minutes = models.PositiveIntegerField(
        default=30, help_text="Warn the owner this long before the SLA is due (0: never)."
    )
    strategy = models.CharField(max_length=20, choices=Strategy.choices, default=Strategy.MANUAL)
    acknowledge = models.BooleanField(
        default=False,
        help_text="Mail the sender an acknowledgement when a lead is first decided into this "
        "queue (never to automatic mail, our own addresses, or twice within ACK_WINDOW_HOURS).",
    )
    ack_subject = models.CharField(
        max_length=250, blank=True, help_text='Empty: "Re: " and the subject.'
    )
    ack_body = models.TextField(
        blank=True, help_text="Variables: {contact_name}, {company}. No model writes it."
    )
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
    draft_on_triage = models.BooleanField(
        default=False,
        help_text="Write a reply draft as soon as a lead is decided into this category "
        "(a model call per lead, priced as a draft); reps still review and send it.",
    )
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
    second_opinion_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Escalate when the free local model is at least this sure of another category "
        "(or the other side of lead-vs-not) than tier 1; blank: off.",
    )
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
    quality_alpha = models.DecimalField(
        "quality target (alpha)",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.5"))],
        help_text="The largest acceptable miss rate: the share of leads tier 1 decides alone "
        "and gets wrong. Threshold advice aims under it; the drift check alerts above it.",
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
