"""The hand-off in the operator console: webhook endpoints and their delivery log (with a
redeliver action), queue channels, people's notification preferences, the notifications
sent, CRM records. Deliveries, notifications and CRM records are records: read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from handoff import http, webhooks
from handoff.models import (
    NOTIFY_EVENTS,
    WEBHOOK_EVENTS,
    CrmRecord,
    Delivery,
    DeliveryAttempt,
    Endpoint,
    Notification,
    Preference,
    QueueChannel,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def check_url(url: str) -> None:
    refusal = http.url_refusal(url)
    if refusal:
        raise forms.ValidationError(refusal)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WEBHOOK_EVENTS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "enabled", "secret"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        check_url(url)
        return url


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["__str__", "url", "enabled", "failure_count", "disabled_reason"]
    list_filter = ["enabled"]
    readonly_fields = ["failure_count", "disabled_at", "disabled_reason", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.enabled and change and "enabled" in form.changed_data:
            obj.failure_count, obj.disabled_at, obj.disabled_reason = 0, None, ""
        super().save_model(request, obj, form, change)


class AttemptInline(ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "started_at",
        "status_code",
        "duration_ms",
        "error",
        "response_excerpt",
        "request_headers",
    ]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "pk",
        "event_kind",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint", "event__kind"]
    list_select_related = ["endpoint", "event"]
    readonly_fields = [
        "endpoint",
        "event",
        "webhook_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "body",
    ]
    exclude = ["claimed_until"]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.display(description="event", ordering="event__kind")
    def event_kind(self, delivery):
        return delivery.event.kind

    @admin.display(description="webhook-id")
    def webhook_id(self, delivery):
        return delivery.event.webhook_id

    @admin.action(description="Redeliver now (the same webhook-id)")
    def redeliver(self, request, queryset):
        count = webhooks.redeliver(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)


class QueueChannelForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = QueueChannel
        fields = ["queue", "kind", "url", "min_score", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        check_url(url)
        return url


@admin.register(QueueChannel)
class QueueChannelAdmin(admin.ModelAdmin):
    form = QueueChannelForm
    list_display = ["__str__", "queue", "kind", "min_score", "enabled"]
    list_filter = ["kind", "enabled"]


class PreferenceForm(forms.ModelForm):
    slack_webhook_url = forms.URLField(max_length=2000, assume_scheme="https", required=False)
    events = forms.MultipleChoiceField(
        choices=NOTIFY_EVENTS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Preference
        fields = [
            "user",
            "events",
            "email",
            "slack_webhook_url",
            "quiet_start",
            "quiet_end",
            "time_zone",
        ]

    def clean_slack_webhook_url(self):
        url = self.cleaned_data["slack_webhook_url"]
        if url:
            check_url(url)
        return url


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    form = PreferenceForm
    list_display = ["user", "email", "quiet_start", "quiet_end", "time_zone"]
    autocomplete_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "subject", "recipient", "channel", "reason", "status", "sent_at"]
    list_filter = ["status", "channel", "reason"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(CrmRecord)
class CrmRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["lead", "crm", "status", "contact_id", "deal_link", "synced_at"]
    list_filter = ["crm", "status"]
    readonly_fields = [f.name for f in CrmRecord._meta.fields]

    @admin.display(description="deal")
    def deal_link(self, record):
        if record.url:
            return format_html('<a href="{}" rel="noopener">{}</a>', record.url, record.deal_id)
        return record.deal_id
