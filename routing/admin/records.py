"""The record of every decision, model call, correction, audit and timeline entry:
read-only, since they change through services."""

from django.contrib import admin
from django.utils.text import Truncator

from intake.admin import admin_link
from routing.models import (
    Activity,
    Feedback,
    ModelCall,
    ShadowAudit,
    Triage,
)

# --- Records: decisions, calls, corrections ----------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Triage)
class TriageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "lead_link",
        "category",
        "model",
        "tier",
        "escalated",
        "score",
        "queue_link",
        "assignee",
        "priority",
        "decided_at",
    )
    list_display_links = ("id",)
    list_filter = ("model", "tier", "escalated", "category", "queue", "provisional")
    list_select_related = ("lead", "queue", "assignee")
    search_fields = ("=lead__id", "lead__subject", "lead__contact__email", "summary")
    date_hierarchy = "decided_at"

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)

    @admin.display(description="Queue", ordering="queue__name")
    def queue_link(self, obj):
        return admin_link(obj.queue)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """What reps did to leads, as the lead pages' timelines show it."""

    list_display = ("created_at", "kind", "user", "lead_link", "text")
    list_filter = ("kind", "user")
    list_select_related = ("lead", "user")
    search_fields = ("=lead__id", "text", "user__username")
    date_hierarchy = "created_at"

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)


class CallOutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return (("ok", "Succeeded"), ("error", "Failed"), ("pending", "No response yet"))

    def queryset(self, request, queryset):
        if self.value() == "ok":
            return queryset.filter(error="", completed_at__isnull=False)
        if self.value() == "error":
            return queryset.exclude(error="")
        if self.value() == "pending":
            return queryset.filter(error="", completed_at__isnull=True)
        return queryset


@admin.register(ModelCall)
class ModelCallAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "lead_link",
        "model",
        "tier",
        "purpose",
        "tokens",
        "cost_usd",
        "latency_ms",
        "request_id",
        "short_error",
    )
    list_display_links = ("id",)
    list_filter = (CallOutcomeFilter, "model", "tier", "purpose", "batch", "error_type")
    list_select_related = ("lead",)
    search_fields = ("=request_id", "=lead__id", "lead__contact__email")
    date_hierarchy = "created_at"
    show_full_result_count = False  # one row per API call: one COUNT(*) a page is enough

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)

    @admin.display(description="Tokens (in / out / cache read)")
    def tokens(self, obj):
        return " / ".join(
            "-" if n is None else str(n)
            for n in (obj.input_tokens, obj.output_tokens, obj.cache_read_input_tokens)
        )

    @admin.display(description="Error", ordering="error_type")
    def short_error(self, obj):
        return Truncator(obj.error).chars(80) if obj.error else ""


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "lead_link",
        "field",
        "old_value",
        "new_value",
        "model",
        "tier",
        "user",
    )
    list_display_links = ("created_at",)
    list_filter = ("field", "model", "tier")
    list_select_related = ("lead", "user")
    date_hierarchy = "created_at"

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)


@admin.register(ShadowAudit)
class ShadowAuditAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "lead_link",
        "model",
        "outcome",
        "category",
        "batch_id",
        "submitted_at",
        "done_at",
    )
    list_display_links = ("created_at",)
    list_filter = ("outcome", "model")
    list_select_related = ("lead",)
    search_fields = ("=batch_id", "=lead__id")
    date_hierarchy = "created_at"

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)
