"""Reply templates and the reply knowledge drafts use, per queue and category."""

from django.contrib import admin

from routing.models import ReplyKnowledge, ReplyTemplate


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
