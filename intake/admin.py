"""The operator console for intake: contacts, leads, messages and their raw bytes.

Message content is hostile (RELIABILITY.md): nothing from a message is ever
rendered as HTML here. Raw source and sanitised HTML are shown escaped, and
bytes leave only as downloads with `nosniff`.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from intake import services
from intake.downloads import attachment_response, nosniff_download
from intake.models import (
    Attachment,
    Channel,
    Contact,
    Form,
    Lead,
    Message,
    Outbox,
    WebhookNonce,
)

# A page of escaped text beyond this is slow to render and useless to read.
RAW_VIEW_MAX_BYTES = 2 * 1024 * 1024
# Columns too large for a list page; the change page loads what it shows.
MESSAGE_HEAVY_FIELDS = (
    "raw",
    "text",
    "text_new",
    "text_quoted",
    "signature",
    "html",
    "headers",
    "provider_payload",
)


def admin_link(obj, label=None) -> str:
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def changelist_link(model, query: str, label) -> str:
    """A link to `model`'s changelist filtered by `query`: counts that lead to their rows."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + f"?{query}"
    return format_html('<a href="{}">{}</a>', url, label)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "name",
        "company",
        "domain",
        "is_free_mail",
        "lead_count",
        "created_at",
    )
    list_filter = ("is_free_mail", "created_at")
    search_fields = ("email", "name", "company", "domain")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_leads=Count("leads"))

    @admin.display(description="Leads", ordering="n_leads")
    def lead_count(self, obj):
        return changelist_link(Lead, f"contact__id__exact={obj.pk}", obj.n_leads)


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("message_link", "from_email", "received_at", "hygiene", "parse_state")
    readonly_fields = fields
    ordering = ("received_at",)
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*MESSAGE_HEAVY_FIELDS)

    @admin.display(description="Subject")
    def message_link(self, obj):
        return admin_link(obj, obj.subject or "(no subject)")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subject_link",
        "contact_link",
        "status",
        "channel",
        "filter_reason",
        "message_count",
        "received_at",
        "last_message_at",
    )
    list_display_links = None
    list_filter = ("status", "channel", "filter_reason", "received_at")
    list_select_related = ("contact",)
    search_fields = (
        "subject",
        "contact__email",
        "contact__name",
        "contact__company",
        "=reply_token",
    )
    date_hierarchy = "received_at"
    raw_id_fields = ("contact", "form")
    readonly_fields = ("reply_token", "subject_key", "received_at", "last_message_at", "updated_at")
    inlines = (MessageInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_messages=Count("messages"))

    @admin.display(description="Subject", ordering="subject")
    def subject_link(self, obj):
        return admin_link(obj, obj.subject or "(no subject)")

    @admin.display(description="Contact", ordering="contact__email")
    def contact_link(self, obj):
        return admin_link(obj.contact)

    @admin.display(description="Messages", ordering="n_messages")
    def message_count(self, obj):
        return changelist_link(Message, f"lead__id__exact={obj.pk}", obj.n_messages)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("attachment_link", "size", "declared_type", "sniffed_type", "download")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Filename")
    def attachment_link(self, obj):
        return admin_link(obj, obj.filename or "(unnamed)")

    @admin.display(description="")
    def download(self, obj):
        return download_link(obj)


class MessageChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*MESSAGE_HEAVY_FIELDS)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subject_link",
        "from_email",
        "lead_link",
        "provider",
        "hygiene",
        "parse_state",
        "raw_size",
        "received_at",
    )
    list_display_links = None
    list_filter = ("direction", "parse_state", "hygiene", "channel", "provider", "received_at")
    list_select_related = ("lead",)
    search_fields = (
        "subject",
        "=message_id",
        "=provider_message_id",
        "from_email",
        "from_name",
        "lead__contact__email",
        "lead__contact__name",
        "lead__contact__company",
    )
    date_hierarchy = "received_at"
    show_full_result_count = False  # the biggest table: one COUNT(*) a page is enough
    raw_id_fields = ("lead",)
    actions = ("reparse",)
    inlines = (AttachmentInline,)
    fieldsets = (
        (None, {"fields": ("lead", "subject", ("from_email", "from_name"), "to", "cc")}),
        (
            "Receipt",
            {
                "fields": (
                    ("channel", "provider", "received_at"),
                    ("message_id", "provider_message_id", "envelope_recipient"),
                    "api_user",
                    "dedupe_key",
                    "raw_source",
                    "provider_payload",
                )
            },
        ),
        (
            "Parsing",
            {
                "fields": (
                    ("parse_state", "parsed_at", "hygiene", "sent_at"),
                    "parse_error",
                    "parse_warnings",
                    ("in_reply_to", "references"),
                )
            },
        ),
        ("Text", {"fields": ("text_new", "text_quoted", "signature", "text")}),
        ("HTML and headers", {"classes": ("collapse",), "fields": ("html_source", "header_lines")}),
    )
    readonly_fields = [name for name in flatten_fieldsets(fieldsets) if name != "lead"]

    def has_add_permission(self, request):
        return False  # only services.ingest_* create messages

    def get_changelist(self, request, **kwargs):
        return MessageChangeList

    @admin.display(description="Subject", ordering="subject")
    def subject_link(self, obj):
        return admin_link(obj, obj.subject or "(no subject)")

    @admin.display(description="Lead", ordering="lead")
    def lead_link(self, obj):
        return admin_link(obj.lead)

    @admin.display(description="Raw source")
    def raw_source(self, obj):
        return format_html(
            '{} bytes: <a href="{}">view escaped</a> · <a href="{}">download .eml</a>',
            obj.raw_size,
            reverse("admin:intake_message_raw", args=[obj.pk]),
            reverse("admin:intake_message_eml", args=[obj.pk]),
        )

    @admin.display(description="Sanitised HTML (source)")
    def html_source(self, obj):
        # Shown as escaped source: even sanitised mail HTML is never rendered in admin.
        return format_html("<pre>{}</pre>", obj.html) if obj.html else "-"

    @admin.display(description="Headers")
    def header_lines(self, obj):
        rows = [pair for pair in obj.headers if isinstance(pair, list | tuple) and len(pair) == 2]
        return format_html("<pre>{}</pre>", format_html_join("\n", "{}: {}", rows)) if rows else "-"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/raw/", view(self.raw_view), name="intake_message_raw"),
            path("<int:pk>/eml/", view(self.eml_view), name="intake_message_eml"),
            *super().get_urls(),
        ]

    def _viewable(self, request, pk) -> Message:
        message = get_object_or_404(Message.objects.only("pk", "subject", "raw_size"), pk=pk)
        if not self.has_view_permission(request, message):
            raise PermissionDenied
        return message

    def raw_view(self, request, pk):
        message = self._viewable(request, pk)
        raw = Message.objects.filter(pk=pk).values_list("raw", flat=True).get()
        raw = bytes(raw)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": message,
            "title": f"Raw source of {message}",
            "raw_text": raw[:RAW_VIEW_MAX_BYTES].decode("utf-8", errors="replace"),
            "truncated": len(raw) > RAW_VIEW_MAX_BYTES,
            "eml_url": reverse("admin:intake_message_eml", args=[pk]),
        }
        return TemplateResponse(request, "admin/intake/message/raw.html", context)

    def eml_view(self, request, pk):
        self._viewable(request, pk)
        raw = Message.objects.filter(pk=pk).values_list("raw", flat=True).get()
        response = HttpResponse(bytes(raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{pk}.eml"'
        return nosniff_download(response)

    @admin.action(description="Re-parse selected messages", permissions=["change"])
    def reparse(self, request, queryset):
        done = skipped = 0
        for pk, channel in queryset.values_list("pk", "channel"):
            if channel != Channel.EMAIL:
                skipped += 1  # form and API submissions are stored parsed; there is no MIME
                continue
            services.reparse_message(pk)
            done += 1
        self.message_user(request, f"Re-parsed {done} message(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped} form/API submission(s): nothing to parse.",
                messages.WARNING,
            )


def download_link(attachment: Attachment) -> str:
    url = reverse("admin:intake_attachment_download", args=[attachment.pk])
    return format_html('<a href="{}">download</a>', url)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "filename_link",
        "message_link",
        "size",
        "declared_type",
        "sniffed_type",
        "download",
    )
    list_display_links = None
    list_filter = ("sniffed_type", "declared_type")
    list_select_related = ("message",)
    search_fields = ("filename", "=sha256", "message__subject", "=message__message_id")
    fields = (
        "message",
        "filename",
        "download",
        "size",
        "declared_type",
        "sniffed_type",
        "content_id",
        "sha256",
        "stored_as",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        heavy = (f"message__{name}" for name in MESSAGE_HEAVY_FIELDS)
        return super().get_queryset(request).select_related("message").defer(*heavy)

    @admin.display(description="Filename", ordering="filename")
    def filename_link(self, obj):
        return admin_link(obj, obj.filename or "(unnamed)")

    @admin.display(description="Message", ordering="message")
    def message_link(self, obj):
        return admin_link(obj.message)

    @admin.display(description="File")
    def download(self, obj):
        return download_link(obj)

    @admin.display(description="Stored as")
    def stored_as(self, obj):
        # The name only: a link to MEDIA_URL would bypass the staff-only, nosniff download.
        return obj.file.name

    def get_urls(self):
        view = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:pk>/download/", view, name="intake_attachment_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        attachment = get_object_or_404(Attachment, pk=pk)
        if not self.has_view_permission(request, attachment):
            raise PermissionDenied
        return attachment_response(attachment)


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "default_queue", "lead_count", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_leads=Count("leads"))

    @admin.display(description="Leads", ordering="n_leads")
    def lead_count(self, obj):
        return obj.n_leads


@admin.register(WebhookNonce)
class WebhookNonceAdmin(admin.ModelAdmin):
    list_display = ("provider", "token", "body_sha256", "seen_at")
    list_filter = ("provider", "seen_at")
    search_fields = ("=token",)
    readonly_fields = ("provider", "token", "body_sha256", "seen_at")

    def has_add_permission(self, request):
        return False


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Replies and acknowledgements and whether they left: a record, changed by
    intake.outbound (a failed one is retried from its lead's page)."""

    list_display = ("message", "kind", "state", "attempts", "sender", "created_at", "sent_at")
    list_filter = ("state", "kind", "created_at")
    search_fields = ("message__message_id", "message__to", "message__subject")
    readonly_fields = [f.name for f in Outbox._meta.fields]
    list_select_related = ("message", "sender")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
