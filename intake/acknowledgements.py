"""Automatic acknowledgements ("we got your message"): templated, no model call, sent on
intake for a form that asks for them and when a lead is first decided into a queue that
does (routing.followups).

Never to auto-replies, bounces, complaints or list mail (the hygiene gate's flags), nor to
our own addresses or a placeholder sender; at most once per contact per ACK_WINDOW_HOURS; and
marked `Auto-Submitted: auto-replied` (RFC 3834 section 5) so that well-behaved
autoresponders do not answer them, which also stops two auto-responders from looping.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from intake import outbound
from intake.models import Lead, Message, Outbox

# Mailboxes nobody reads: an acknowledgement to them is noise or a bounce.
_NO_REPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)\b")
_VARIABLE = re.compile(r"\{(contact_name|company)\}")


def fill(text: str, lead: Lead) -> str:
    """{contact_name} and {company}, nothing else: a template is text, not code."""
    contact = lead.contact
    values = {"contact_name": contact.name, "company": contact.company}
    return _VARIABLE.sub(lambda m: values.get(m.group(1)) or "", text)


def refusal(lead: Lead) -> str:
    """Why this lead gets no acknowledgement, or "" when it may get one."""
    if lead.status in (Lead.Status.FILTERED, Lead.Status.SPAM):
        return "filtered or spam"
    contact = lead.contact
    if contact.is_placeholder:
        return "the sender could not be read"
    if outbound.is_own_address(contact.email):
        return "one of our own addresses"
    if _NO_REPLY.match(contact.email):
        return "a mailbox nobody reads"
    first = lead.messages.order_by("received_at", "pk").only("hygiene", "direction").first()
    if first is None or first.direction != Message.Direction.INBOUND:
        return "no inbound message"
    if lead.messages.exclude(hygiene="").filter(direction=Message.Direction.INBOUND).exists():
        return "automatic mail (auto-reply, bounce, complaint or list)"
    since = timezone.now() - timedelta(hours=settings.ACK_WINDOW_HOURS)
    if Outbox.objects.filter(
        kind=Outbox.Kind.ACK, message__lead__contact=contact, created_at__gte=since
    ).exists():
        return "already acknowledged within the window"
    return ""


def acknowledge(*, lead: Lead, subject: str, body: str) -> Outbox | None:
    """Store and queue the acknowledgement, or None when the lead must not get one."""
    if not body.strip() or refusal(lead):
        return None
    subject = fill(subject, lead) or f"Re: {outbound.one_line(lead.subject, 240)}"
    return outbound.store_outbound(
        lead=lead,
        from_name=settings.SALES_FROM_NAME,
        to=[lead.contact.email],
        subject=subject,
        body=fill(body, lead),
        kind=Outbox.Kind.ACK,
        extra_headers={"Auto-Submitted": "auto-replied"},
    )
