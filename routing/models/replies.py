"""What reps reply with: templates and the reply knowledge drafts may use, per queue and
category (either left empty applies to all)."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from routing.models.setup import Category, Queue

# Only these names are replaced; anything else in braces stays as written (no attribute
# access, no format spec: a template is text, not code).
TEMPLATE_VARIABLES = ("contact_name", "company", "rep_name", "booking_link")
_VARIABLE = re.compile(r"\{(" + "|".join(TEMPLATE_VARIABLES) + r")\}")


def substitute(text: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1), "") or "", text)


class ScopedQuerySet(models.QuerySet):
    def for_lead(self, *, queue_id: int | None, category: str):
        """Rows for this queue and category, the most specific first (both set, then one,
        then neither)."""
        rows = self.filter(Q(queue__isnull=True) | Q(queue_id=queue_id)).filter(
            Q(category__isnull=True) | Q(category__slug=category)
        )
        return rows.order_by(
            models.F("queue_id").asc(nulls_last=True),
            models.F("category_id").asc(nulls_last=True),
            "pk",
        )


class ReplyTemplate(models.Model):
    name = models.CharField(max_length=100)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: every queue."
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: every category.",
    )
    subject = models.CharField(
        max_length=250, blank=True, help_text='Empty: "Re: " and the lead\'s subject.'
    )
    body = models.TextField(
        help_text="Variables: {contact_name}, {company}, {rep_name}, {booking_link}."
    )
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReplyKnowledge(models.Model):
    """Facts a draft may use: product, pricing, the booking link. The drafter sees this
    text, the thread and the triage facts, nothing else."""

    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: every queue."
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: every category.",
    )
    text = models.TextField(
        help_text="Product facts, prices, policies. Drafts may state only what is here or "
        "in the thread; anything else they mention is highlighted for the rep."
    )
    booking_link = models.URLField(blank=True, help_text="Fills {booking_link} in templates.")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "reply knowledge"

    def __str__(self) -> str:
        scope = " / ".join(str(x) for x in (self.queue, self.category) if x) or "everywhere"
        return f"Reply knowledge ({scope})"


class ReplyDraft(models.Model):
    """A reply the model wrote for a rep to edit: never sent by itself. `flags` are what
    routing.draft_check found in it that neither the knowledge nor the thread says."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="drafts")
    tier = models.PositiveSmallIntegerField(default=1)
    model = models.CharField(max_length=100)
    body = models.TextField()
    flags = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "rep" (Draft a reply) or "triage" (the category drafts when a lead is decided).
    trigger = models.CharField(max_length=10, default="rep")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["lead", "-created_at"], name="draft_lead_latest")]

    def __str__(self) -> str:
        return f"draft for lead {self.lead_id} ({self.model})"
