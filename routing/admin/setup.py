"""What admins configure: rules (with a preview), queues, categories, the policy, prices,
the API circuit."""

import copy

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from intake.admin import admin_link, changelist_link
from routing import rules
from routing.facts import PREVIEW_LEADS, preview_rule
from routing.forms import PrettyJSONField, RuleForm
from routing.models import (
    Category,
    Circuit,
    ModelPrice,
    Queue,
    QueueMembership,
    RoutingPolicy,
    Rule,
    Triage,
)

# --- Rules and their preview -------------------------------------------------------------


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("position", "name", "is_enabled", "stage", "match", "summary", "updated_at")
    list_display_links = ("name",)
    list_editable = ("position", "is_enabled")
    list_filter = ("is_enabled", "stage")
    search_fields = ("name",)
    ordering = ("position", "pk")
    actions = ("enable", "disable")
    save_as = True
    fieldsets = (
        (None, {"fields": ("name", ("position", "is_enabled"), ("stage", "match"))}),
        ("Conditions and actions", {"fields": ("conditions", "actions")}),
        ("History", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="Rule")
    def summary(self, obj):
        return Truncator(rules.describe(obj.match, obj.conditions, obj.actions)).chars(140)

    @admin.action(description="Enable selected rules", permissions=["change"])
    def enable(self, request, queryset):
        count = queryset.update(is_enabled=True, updated_at=timezone.now())
        self.message_user(request, f"Enabled {count} rule(s).", messages.SUCCESS)

    @admin.action(description="Disable selected rules", permissions=["change"])
    def disable(self, request, queryset):
        count = queryset.update(is_enabled=False, updated_at=timezone.now())
        self.message_user(request, f"Disabled {count} rule(s).", messages.SUCCESS)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            return self.preview_view(request, object_id, form_url)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, object_id, form_url):
        """Validate the rule as edited and show what it would match; save nothing.

        The change form is rendered the way ModelAdmin renders an invalid one, so every
        field keeps what the admin typed.
        """
        obj = None
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(
            request, obj, change=obj is not None, fields=flatten_fieldsets(fieldsets)
        )
        # The form writes the edits into its instance; the page's `original` stays as stored.
        form = form_class(request.POST, request.FILES, instance=copy.copy(obj))
        preview = None
        if form.is_valid():
            preview = preview_rule(form.rule_spec(), form.cleaned_data["stage"])
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": ("Change %s" if obj else "Add %s") % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "preview": preview,
            "preview_limit": PREVIEW_LEADS,
        }
        return self.render_change_form(
            request, context, add=obj is None, change=obj is not None, obj=obj, form_url=form_url
        )


# --- Queues and categories ---------------------------------------------------------------


class QueueMembershipInline(admin.TabularInline):
    model = QueueMembership
    fields = ("user", "capacity", "is_active")
    autocomplete_fields = ("user",)
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "strategy",
        "sla_minutes",
        "member_count",
        "lead_count",
        "last_assigned",
    )
    list_select_related = ("last_assigned",)
    list_filter = ("strategy",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "name",
        "slug",
        ("strategy", "sla_minutes"),
        "last_assigned",
        "acknowledge",
        "ack_subject",
        "ack_body",
    )
    readonly_fields = ("last_assigned",)
    inlines = (QueueMembershipInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=Count(
                    "memberships", filter=Q(memberships__is_active=True), distinct=True
                ),
                n_leads=Count("triage", distinct=True),
            )
        )

    @admin.display(description="Active members", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description="Leads", ordering="n_leads")
    def lead_count(self, obj):
        return changelist_link(Triage, f"queue__id__exact={obj.pk}", obj.n_leads)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "queue_link",
        "is_sales",
        "always_escalate",
        "confidence_threshold",
        "position",
        "is_active",
        "lead_count",
    )
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "is_sales", "always_escalate", "queue")
    list_select_related = ("queue",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        # Triage stores the category as a slug (the model's answer), so count by slug.
        decided = (
            Triage.objects.filter(category=OuterRef("slug"))
            .order_by()
            .values("category")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(n_leads=Coalesce(Subquery(decided), 0))

    @admin.display(description="Queue", ordering="queue__name")
    def queue_link(self, obj):
        return admin_link(obj.queue)

    @admin.display(description="Leads", ordering="n_leads")
    def lead_count(self, obj):
        return changelist_link(Triage, f"category={obj.slug}", obj.n_leads)


# --- Policy and prices -------------------------------------------------------------------


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "is_active",
        "tier1_model",
        "tier2_model",
        "tier3_model",
        "confidence_threshold",
        "daily_budget_usd",
        "budget_action",
        "updated_at",
    )
    list_filter = ("is_active",)
    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONField}}
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "is_active", "updated_at")}),
        ("Models", {"fields": ("tier1_model", "tier2_model", "tier3_model")}),
        (
            "Escalation",
            {
                "description": "Tier 1 escalates to tier 2 when any of these holds.",
                "fields": (
                    "confidence_threshold",
                    "escalate_when_model_asks",
                    "escalate_company_size_at_least",
                    "escalate_budget_at_least",
                    "escalate_input_tokens_over",
                    "second_opinion_threshold",
                ),
            },
        ),
        (
            "Caps and budget",
            {
                "fields": (
                    "max_message_chars",
                    "max_escalations_per_lead",
                    "max_escalations_per_sender_per_day",
                    "max_escalations_per_domain_per_day",
                    ("daily_budget_usd", "budget_action"),
                )
            },
        ),
        ("Audit", {"fields": ("shadow_audit_rate", "quality_alpha")}),
        ("Scoring", {"fields": ("score_weights",)}),
        ("Queues", {"fields": ("default_queue", "review_queue")}),
        ("Failure handling", {"fields": ("max_triage_attempts", "circuit_cooldown_seconds")}),
    )


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = (
        "model",
        "effective_from",
        "in_force",
        "input_per_mtok",
        "output_per_mtok",
        "cache_write_5m_per_mtok",
        "cache_write_1h_per_mtok",
        "cache_read_per_mtok",
        "batch_multiplier",
        "long_prompt_threshold",
        "long_prompt_multiplier",
    )
    list_filter = ("model",)
    search_fields = ("model", "notes")
    ordering = ("model", "-effective_from")
    fieldsets = (
        (
            None,
            {
                "description": (
                    "USD per million tokens. A new row applies to calls from its date on; "
                    "calls already made keep the cost they were recorded with."
                ),
                "fields": ("model", "effective_from", "notes"),
            },
        ),
        (
            "Per million tokens",
            {
                "fields": (
                    ("input_per_mtok", "output_per_mtok"),
                    ("cache_write_5m_per_mtok", "cache_write_1h_per_mtok", "cache_read_per_mtok"),
                )
            },
        ),
        (
            "Multipliers",
            {
                "fields": (
                    "batch_multiplier",
                    ("long_prompt_threshold", "long_prompt_multiplier"),
                )
            },
        ),
    )

    def get_queryset(self, request):
        in_force = (
            ModelPrice.objects.filter(
                model=OuterRef("model"), effective_from__lte=timezone.localdate()
            )
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return super().get_queryset(request).annotate(in_force_pk=Subquery(in_force))

    @admin.display(description="In force today", boolean=True)
    def in_force(self, obj):
        return obj.in_force_pk == obj.pk


@admin.register(Circuit)
class CircuitAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "open_until", "opened_at", "reason")
    actions = ("close",)
    readonly_fields = ("opened_at",)

    @admin.display(description="State")
    def state(self, obj):
        if obj.is_open:
            return format_html('<strong class="circuit-open">{}</strong>', "open")
        return "closed"

    @admin.action(
        description="Close selected circuits (call the API again now)", permissions=["change"]
    )
    def close(self, request, queryset):
        count = queryset.filter(open_until__gt=timezone.now()).update(open_until=None)
        self.message_user(request, f"Closed {count} circuit(s).", messages.SUCCESS)
