"""What the quality work records: threshold changes made from the advice page, and drift
alerts raised by the scheduled check (routing.drift)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from routing.models.setup import RoutingPolicy


class ThresholdChange(models.Model):
    """Confidence thresholds applied from the threshold advice page: who, when, from what to
    what, for which alpha, and the evidence the advice stood on."""

    policy = models.ForeignKey(RoutingPolicy, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    alpha = models.DecimalField(max_digits=4, decimal_places=3)
    old_threshold = models.DecimalField(max_digits=3, decimal_places=2)
    new_threshold = models.DecimalField(max_digits=3, decimal_places=2)
    # [{"slug", "name", "old", "new"}] for every category whose threshold changed
    # (None: the policy's threshold applies).
    categories = models.JSONField(default=list, blank=True)
    # The pairs and figures behind the advice: range, counts, risk, bound, escalation rate.
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"threshold {self.old_threshold} → {self.new_threshold} on {self.created_at:%Y-%m-%d}"
        )


class QualityAlert(models.Model):
    """The last 7 days' estimated miss rate crossed the policy's alpha (its upper bound did):
    shown on the dashboard until someone acknowledges it."""

    policy = models.ForeignKey(RoutingPolicy, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    alpha = models.DecimalField(max_digits=4, decimal_places=3)
    estimate = models.FloatField(help_text="Estimated miss rate at the thresholds in force.")
    lower = models.FloatField()
    upper = models.FloatField()
    pairs = models.PositiveIntegerField()
    effective_n = models.FloatField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open alert at a time: the check updates it rather than piling up rows.
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="quality_alert_one_open",
            )
        ]

    def __str__(self) -> str:
        return (
            f"miss rate up to {self.upper:.1%} over alpha {self.alpha} ({self.created_at:%Y-%m-%d})"
        )
