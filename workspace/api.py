"""The REST API: create, list and read leads with their messages (in the workspace app:
reads go through the workspace's access rule, workspace/access.py).

Token auth only (settings.REST_FRAMEWORK): a request without a token, or with only a
session cookie, is answered 401 with `WWW-Authenticate: Token`, so a signed-in browser
can neither read nor write leads here. A token reads what its user may see in the
workspace (`access.api_leads`: a rep their queues, a manager or staff every lead); the
`integration` group reads every lead and is the only one that creates leads. A token
of a user with none of these roles is a 403. Tokens are issued in the Token admin.
The schema and the docs (config/urls.py) are for staff signed in to the admin.
"""

from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from intake import contacts, inputs, services, submissions
from intake.models import Channel, Contact, Lead, Message
from workspace import access

MAX_EXTRA_FIELDS = 50


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "email", "name", "company", "domain"]
        read_only_fields = fields


class SenderSerializer(serializers.Serializer):
    email = serializers.CharField(source="from_email", read_only=True)
    name = serializers.CharField(source="from_name", read_only=True)


class MessageSerializer(serializers.ModelSerializer):
    """One inbound item. Never the raw bytes; `html` is the sanitised copy."""

    sender = SenderSerializer(source="*", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "provider",
            "message_id",
            "subject",
            "sender",
            "text",
            "html",
            "sent_at",
            "received_at",
            "hygiene",
            "parse_state",
        ]
        read_only_fields = fields

    def get_fields(self):
        # "from" is a Python keyword, so the field is declared as `sender`.
        return {
            ("from" if name == "sender" else name): field
            for name, field in super().get_fields().items()
        }


class LeadSerializer(serializers.ModelSerializer):
    contact = ContactSerializer(read_only=True)
    form = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The web form it came from, if any."
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "status",
            "filter_reason",
            "channel",
            "subject",
            "contact",
            "form",
            "queue_hint",
            "received_at",
            "last_message_at",
        ]
        read_only_fields = fields


class LeadDetailSerializer(LeadSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class ExtraFieldsField(serializers.DictField):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            if len(data) > MAX_EXTRA_FIELDS:
                raise serializers.ValidationError(f"At most {MAX_EXTRA_FIELDS} fields.")
            # DictField validates the values only, and keys its errors by name: a
            # name with a NUL or a lone surrogate could be neither stored nor
            # echoed back in a JSON error, so names are checked first, unechoed.
            name_field = serializers.CharField(max_length=100)
            for key in data:
                try:
                    name_field.run_validation(key)
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError(
                        "A field name is invalid: " + " ".join(exc.detail)
                    ) from None
        return super().to_internal_value(data)


class LeadCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)
    message = serializers.CharField(max_length=100_000)
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    subject = serializers.CharField(max_length=998, required=False, default="", allow_blank=True)
    external_id = serializers.CharField(
        max_length=255,
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            "Your id for this lead, unique among your token's submissions. The same "
            "submission with the same external_id again returns the first lead (200); "
            "a different one with an external_id you used before is a 409."
        ),
    )
    fields = ExtraFieldsField(
        child=serializers.CharField(max_length=5000, allow_blank=True),
        required=False,
        default=dict,
        help_text="Extra named values, kept with the message.",
    )


class LeadFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Lead.Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    email = serializers.EmailField(required=False, help_text="The contact's email address.")
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)


class LeadPagination(CursorPagination):
    ordering = ("-received_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        # The position is the client's text, compared with received_at in SQL: one that is
        # no time (or one past the year 9999) would fail inside the query, as a 500.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                inputs.client_datetime(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


class ApiRole(BasePermission):
    """Reads need a sales role or the integration role; creating a lead needs the
    integration role (a manager's token reads, it does not feed leads in)."""

    message = "This token's user has no API role; ask an admin."

    def has_permission(self, request, view):
        if request.method == "POST":
            return access.is_integration(request.user)
        return access.can_use_api(request.user)


def lead_detail_queryset(leads=None):
    messages = Message.objects.only(
        "id",
        "lead",
        "channel",
        "provider",
        "message_id",
        "subject",
        "from_email",
        "from_name",
        "text",
        "html",
        "sent_at",
        "received_at",
        "hygiene",
        "parse_state",
    ).order_by("received_at", "id")
    leads = Lead.objects.all() if leads is None else leads
    return leads.select_related("contact", "form").prefetch_related(
        Prefetch("messages", queryset=messages)
    )


class LeadList(generics.ListAPIView):
    serializer_class = LeadSerializer
    pagination_class = LeadPagination
    permission_classes = [ApiRole]

    def get_queryset(self):
        return access.api_leads(self.request.user).select_related("contact", "form")

    def filter_queryset(self, queryset):
        filters = LeadFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        if "status" in wanted:
            queryset = queryset.filter(status=wanted["status"])
        if "channel" in wanted:
            queryset = queryset.filter(channel=wanted["channel"])
        if "email" in wanted:
            queryset = queryset.filter(contact__email=contacts.normalize_email(wanted["email"]))
        if "received_after" in wanted:
            queryset = queryset.filter(received_at__gte=wanted["received_after"])
        if "received_before" in wanted:
            queryset = queryset.filter(received_at__lt=wanted["received_before"])
        return queryset

    @extend_schema(
        summary="List leads, newest first",
        parameters=[LeadFilterSerializer],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a lead",
        request=LeadCreateSerializer,
        responses={
            201: OpenApiResponse(LeadDetailSerializer, description="Created."),
            200: OpenApiResponse(
                LeadDetailSerializer, description="Already received (same external_id)."
            ),
            409: OpenApiResponse(
                description="external_id already used by this caller for another submission."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = LeadCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            result = submissions.ingest_submission(
                channel=Channel.API,
                api_user=request.user,
                meta={"api_user": request.user.pk},
                **incoming.validated_data,
            )
        except services.ExternalIdReused as exc:
            return Response({"external_id": [str(exc)]}, status=status.HTTP_409_CONFLICT)
        lead = lead_detail_queryset().get(pk=result.lead.pk)
        return Response(
            LeadDetailSerializer(lead).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


@extend_schema(summary="Read a lead with its messages")
class LeadDetail(generics.RetrieveAPIView):
    """Another queue's lead is a 404, as in the workspace."""

    serializer_class = LeadDetailSerializer
    permission_classes = [ApiRole]

    def get_queryset(self):
        return lead_detail_queryset(access.api_leads(self.request.user))


urlpatterns = [
    path("leads/", LeadList.as_view(), name="lead-list"),
    path("leads/<int:pk>/", LeadDetail.as_view(), name="lead-detail"),
]
