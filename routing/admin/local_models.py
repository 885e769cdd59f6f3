"""Versions of the trained local model: their figures, their load problems, which is active.

Versions are made by `manage.py train_local` (or by the first use on a fresh install), never
in the admin: here an admin compares them and chooses the active one.
"""

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from routing.local_model import store
from routing.models import LocalModel


def _figure(value) -> str:
    return "-" if value is None else f"{value:.1%}"


@admin.register(LocalModel)
class LocalModelAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "is_active",
        "problem",
        "trained_at",
        "examples",
        "lead_accuracy",
        "macro_f1",
        "worst_language",
    )
    actions = ["make_active"]
    exclude = ("artifact",)
    readonly_fields = (
        "version",
        "is_active",
        "trained_at",
        "algorithm",
        "sklearn_version",
        "sources",
        "problem",
        "counts_shown",
        "metrics_shown",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("artifact")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="examples")
    def examples(self, obj: LocalModel):
        return obj.counts.get("total", "-")

    @admin.display(description="lead-vs-not (held out)")
    def lead_accuracy(self, obj: LocalModel) -> str:
        return _figure((obj.metrics.get("heldout") or {}).get("lead_accuracy"))

    @admin.display(description="macro-F1 (held out)")
    def macro_f1(self, obj: LocalModel) -> str:
        value = (obj.metrics.get("heldout") or {}).get("macro_f1")
        return "-" if value is None else f"{value:.3f}"

    @admin.display(description="weakest language")
    def worst_language(self, obj: LocalModel) -> str:
        by_language = (obj.metrics.get("heldout") or {}).get("lead_accuracy_by_language") or {}
        if not by_language:
            return "-"
        language = min(by_language, key=by_language.get)
        return f"{language} {by_language[language]:.1%}"

    @admin.display(description="load problem")
    def problem(self, obj: LocalModel):
        if not obj.load_error:
            return "-"
        return format_html('<strong style="color:#ba2121">{}</strong>', obj.load_error)

    @admin.display(description="training counts")
    def counts_shown(self, obj: LocalModel):
        return format_html("<pre>{}</pre>", json.dumps(obj.counts, indent=2, sort_keys=True))

    @admin.display(description="metrics")
    def metrics_shown(self, obj: LocalModel):
        return format_html("<pre>{}</pre>", json.dumps(obj.metrics, indent=2, sort_keys=True))

    @admin.action(
        description="Make the selected version the active local model",
        permissions=["change"],
    )
    def make_active(self, request, queryset):
        chosen = list(queryset.only("pk", "version")[:2])
        if len(chosen) != 1:
            self.message_user(request, "Select exactly one version.", messages.ERROR)
            return
        store.activate(chosen[0])
        self.message_user(request, f"Local model v{chosen[0].version} is now active.")
