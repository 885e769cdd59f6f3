"""Reply templates and the reply knowledge drafts use, per queue and category."""

from django.contrib import admin

from routing.models import ReplyDraft, ReplyKnowledge, ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "queue", "category", "is_active")
    list_filter = ("is_active", "queue", "category")
    search_fields = ("name", "subject", "body")


@admin.register(ReplyKnowledge)
class ReplyKnowledgeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "queue", "category", "booking_link")
    list_filter = ("queue", "category")
    search_fields = ("text",)


@admin.register(ReplyDraft)
class ReplyDraftAdmin(admin.ModelAdmin):
    """Drafts the router wrote: a record (each call is also a ModelCall with purpose draft)."""

    list_display = ("lead", "model", "tier", "trigger", "flag_count", "created_at")
    list_filter = ("tier", "trigger", "model")
    readonly_fields = [f.name for f in ReplyDraft._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Highlighted")
    def flag_count(self, obj):
        return len(obj.flags or [])
