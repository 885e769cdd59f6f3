"""Versions of the trained local classifier (routing.local_model): one row per training run."""

from django.db import models
from django.utils import timezone


class LocalModel(models.Model):
    """A trained local model: what it learned from, how it did on the held-out split, and the
    artifact itself (the fitted scikit-learn pipeline, with the library version it needs)."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    algorithm = models.CharField(max_length=100)
    sources = models.JSONField(default=list, help_text="What it was trained from.")
    counts = models.JSONField(
        default=dict, help_text="Training examples per category and per language."
    )
    metrics = models.JSONField(default=dict, help_text="Held-out and cross-validated figures.")
    artifact = models.BinaryField()
    sklearn_version = models.CharField(max_length=20)
    is_active = models.BooleanField(default=False)
    load_error = models.TextField(
        blank=True, help_text="Why a worker could not load it (it then used an older version)."
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_local_model",
            )
        ]

    def __str__(self) -> str:
        return f"local model v{self.version}"
