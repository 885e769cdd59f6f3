"""Postmark: JSON behind basic auth. Irregular Headers entries of old payloads are
normalised, and the message is kept as bytes: RawEmail when Postmark sends it, else
composed from the fields (intake.rfc822) instead of anymail's email.message."""

import binascii
import json
from base64 import b64decode
from email.utils import getaddresses, unquote

from anymail.exceptions import AnymailConfigurationError
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType
from anymail.webhooks.postmark import PostmarkInboundWebhookView

from intake import rfc822
from intake.providers.base import Provider, text_bytes
from intake.services import IntakeError


class PostmarkInboundView(PostmarkInboundWebhookView):
    """Postmark's inbound JSON, with the message kept as bytes.

    anymail builds an `email.message` from the JSON, which we would then flatten
    back to bytes to store: most of a request's CPU. Here the raw message is
    Postmark's RawEmail when it sends one, else composed directly from the fields
    (intake.rfc822, parsed the same way as anymail's reconstruction), and the
    event's `message` carries only what the receiver reads besides the bytes: the
    envelope and the spam verdict.
    """

    def parse_events(self, request):
        esp_event = json.loads(request.body.decode("utf-8"))
        if not isinstance(esp_event, dict):
            raise IntakeError("a Postmark inbound post is one JSON object")
        return [self.esp_to_anymail_event(esp_event)]

    def esp_to_anymail_event(self, esp_event):
        esp_event = normalised_postmark(esp_event)
        record_type = esp_event.get("RecordType", "Inbound")
        if record_type != "Inbound":
            raise AnymailConfigurationError(
                f"You seem to have set Postmark's *{record_type}* webhook"
                " to Anymail's Postmark *inbound* webhook URL."
            )
        headers = [(h["Name"], h["Value"]) for h in esp_event["Headers"]]
        envelope_sender = None
        # Postmark puts the envelope sender first as Return-Path; it is not part of
        # the message (anymail drops it the same way).
        if headers and headers[0][0].lower() == "return-path":
            envelope_sender = unquote(headers.pop(0)[1])
        message = AnymailInboundMessage()
        message.envelope_sender = envelope_sender
        message.envelope_recipient = esp_event.get("OriginalRecipient")
        spam = {name.lower(): value for name, value in reversed(headers)}
        message.spam_detected = spam.get("x-spam-status", "No").strip().lower() == "yes"
        try:
            message.spam_score = float(spam["x-spam-score"])
        except (KeyError, TypeError, ValueError):
            pass
        event = AnymailInboundEvent(
            event_type=EventType.INBOUND,
            timestamp=None,
            event_id=esp_event.get("MessageID"),
            esp_event=esp_event,
            message=message,
        )
        event.raw = text_bytes(esp_event.get("RawEmail")) or postmark_message(esp_event, headers)
        return event


def normalised_postmark(esp_event: dict) -> dict:
    """Postmark's payload with its Headers as Name/Value pairs and the *Full fields set.

    2011-era payloads carry some Headers as {"X-Spam-Status": "No"} instead of
    {"Name": ..., "Value": ...}, and no FromFull/ToFull.
    """
    esp_event = dict(esp_event)
    headers = []
    entries = esp_event.get("Headers") or []
    if not isinstance(entries, list):
        raise IntakeError("Postmark Headers is not a list")
    for entry in entries:
        if isinstance(entry, dict) and "Name" in entry:
            headers.append({"Name": str(entry["Name"]), "Value": str(entry.get("Value") or "")})
        elif isinstance(entry, dict):
            headers += [{"Name": str(k), "Value": str(v)} for k, v in entry.items()]
    esp_event["Headers"] = headers
    if not esp_event.get("FromFull") and esp_event.get("From"):
        esp_event["FromFull"] = {"Email": esp_event["From"], "Name": esp_event.get("FromName", "")}
    for field in ("To", "Cc", "Bcc"):
        if not esp_event.get(f"{field}Full") and esp_event.get(field):
            esp_event[f"{field}Full"] = [
                {"Email": email, "Name": name} for name, email in getaddresses([esp_event[field]])
            ]
    return esp_event


def postmark_message(esp_event: dict, headers: list[tuple[str, str]]) -> bytes:
    """The RFC 5322 message from Postmark's parsed fields (no RawEmail in the payload)."""

    def mailboxes(entries) -> rfc822.Mailboxes:
        if isinstance(entries, dict):
            entries = [entries]
        return rfc822.mailboxes(
            [
                (str(e.get("Name") or ""), str(e.get("Email") or ""))
                for e in entries or []
                if isinstance(e, dict) and (e.get("Email") or e.get("Name"))
            ]
        )

    fields = []
    for name, key in (("From", "FromFull"), ("To", "ToFull"), ("Cc", "CcFull"), ("Bcc", "BccFull")):
        value = mailboxes(esp_event.get(key))
        if value:
            fields.append((name, value))
    fields.append(("Subject", str(esp_event.get("Subject") or "")))
    # Postmark gives these as fields of their own; the given fields win over headers.
    given = {"from", "to", "cc", "bcc", "subject"}
    fields += [(name, value) for name, value in headers if name.lower() not in given]
    present = {name.lower() for name, _ in fields}
    for name, key in (("Date", "Date"), ("Reply-To", "ReplyTo")):
        if esp_event.get(key) and name.lower() not in present:
            fields.append((name, str(esp_event[key])))
    attachments = []
    entries = esp_event.get("Attachments") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise IntakeError("Postmark Attachments is not a list of objects")
    for entry in entries:
        # Real payloads say "Content"; Postmark's test payloads have said "Data".
        content = entry.get("Content") or entry.get("Data") or ""
        try:
            data = b64decode(content, validate=False)
        except (binascii.Error, ValueError):
            raise IntakeError(f"Postmark attachment {entry.get('Name')!r} is not base64") from None
        attachments.append(
            rfc822.Attachment(
                content=data,
                content_type=str(entry.get("ContentType") or "application/octet-stream"),
                filename=str(entry.get("Name") or ""),
                content_id=str(entry.get("ContentID") or ""),
            )
        )
    return rfc822.compose(
        fields,
        text=str(esp_event.get("TextBody") or ""),
        html=str(esp_event.get("HtmlBody") or ""),
        attachments=attachments,
    )


PROVIDER = Provider(
    "postmark",
    PostmarkInboundView,
    "postmark/inbound/",
    ("WEBHOOK_SECRET",),
    payload_fields=(
        "MessageID",
        "MailboxHash",
        "OriginalRecipient",
        "MessageStream",
        "Tag",
        "BccFull",
    ),
)
