"""Mail we send on a lead: replies a rep writes and acknowledgements, stored as outbound
`Message` rows (raw bytes kept, like inbound) with an `Outbox` row that carries its
delivery.

Delivery is at-most-once. `deliver` claims the row (queued -> sending, a conditional
UPDATE committed before the backend is called), so a second task, a redelivered task or a
reconciler never sends it again. A worker killed between the claim and the backend's answer
leaves the row `sending`; once the lease has run out, `reconcile_outbox` marks it failed
with a reason instead of sending it again, because nothing tells us whether the provider
accepted it before the kill. A person then decides (Retry on the lead page). A duplicate
sales mail to a customer costs more than a visible "did not go out", and the stored
Message-ID lets the rep check the provider's log.

Strings from a message never go into a header we send: the Message-IDs we thread on are
checked against a strict pattern, the subject and names are flattened to one line of
printable text, and addresses are validated.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from intake import events, leads
from intake.models import Attachment, Channel, Lead, Message, Outbox
from intake.services import sniff_type

logger = logging.getLogger(__name__)

# The task that sends each kind: a reply has effects above intake (first response, status,
# timeline, webhooks), so the workspace owns its task; an acknowledgement is intake's own.
SEND_TASKS = {
    Outbox.Kind.REPLY: "workspace.tasks.send_reply",
    Outbox.Kind.ACK: "intake.tasks.send_outbound",
}
# A claimed row not finished within this long was interrupted (the backend's own timeout
# is far shorter): reconcile_outbox fails it for a person to retry.
SEND_LEASE = timedelta(minutes=5)
# A queued row whose task was lost (the Redis broker drops what a killed worker held).
QUEUED_LOST_AFTER = timedelta(minutes=2)

_MSG_ID = re.compile(r"^[!-;=?-~]{1,250}@[!-;=?-~]{1,250}$")  # printable, no < > or space
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e]+")


class OutboundError(Exception):
    """The mail cannot be stored as asked (a bad address, too large); the message says why."""


@dataclass
class OutgoingFile:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def one_line(value: str, limit: int = 250) -> str:
    """Printable text on one line: what may go into a header we send."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def clean_addresses(values: list[str]) -> list[str]:
    cleaned = []
    for value in values:
        value = (value or "").strip()
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            raise OutboundError(f"“{value[:80]}” is not an email address.") from None
        cleaned.append(value)
    return cleaned


def sales_address() -> str:
    return settings.SALES_FROM_EMAIL


def own_addresses() -> set[str]:
    """Addresses that are ours: mail from them is never acknowledged."""
    ours = {settings.SALES_FROM_EMAIL.lower(), settings.DEFAULT_FROM_EMAIL.lower()}
    return {a.rpartition("<")[2].rstrip(">").strip() for a in ours}


def is_own_address(email: str) -> bool:
    email = (email or "").lower()
    domain = email.rpartition("@")[2]
    reply_domain = settings.INTAKE_REPLY_DOMAIN.lower()
    return email in own_addresses() or bool(reply_domain and domain == reply_domain)


def reply_to_address(lead: Lead) -> str:
    domain = settings.INTAKE_REPLY_DOMAIN or "localhost"
    return f"reply+{lead.reply_token}@{domain}"


def thread_ids(lead: Lead) -> tuple[str, list[str]]:
    """In-Reply-To and References for a mail continuing the lead's thread (RFC 5322 3.6.4):
    the latest message with a usable Message-ID, and its references followed by it."""
    latest = (
        lead.messages.exclude(message_id="")
        .order_by("-received_at", "-pk")
        .only("message_id", "references")
        .first()
    )
    if latest is None or not _MSG_ID.match(latest.message_id):
        return "", []
    refs = [r.strip("<>") for r in latest.references.split() if _MSG_ID.match(r.strip("<>"))]
    refs = [*refs, latest.message_id][-20:]
    return latest.message_id, refs


def store_outbound(
    *,
    lead: Lead,
    from_name: str,
    to: list[str],
    subject: str,
    body: str,
    cc: list[str] | None = None,
    files: list[OutgoingFile] | None = None,
    kind: str = Outbox.Kind.REPLY,
    sender=None,
    extra_headers: dict[str, str] | None = None,
) -> Outbox:
    """Store the mail (raw bytes, its Message-ID generated here) and queue its sending, on
    commit. Whatever the backend later says, the text is kept on the lead."""
    to = clean_addresses(to)
    cc = clean_addresses(cc or [])
    if not to:
        raise OutboundError("Add at least one recipient.")
    files = files or []
    if sum(len(f.content) for f in files) > settings.OUTBOUND_MAX_BYTES:
        raise OutboundError(
            f"Attachments are over {settings.OUTBOUND_MAX_BYTES // 1_000_000} MB in all."
        )
    from_addr = sales_address()
    domain = from_addr.rpartition("@")[2] or "localhost"
    message_id = make_msgid(domain=domain)[1:-1]
    now = timezone.now()
    in_reply_to, references = thread_ids(lead)
    headers = {
        "Message-ID": f"<{message_id}>",
        "Date": format_datetime(now),
        "Reply-To": reply_to_address(lead),
    }
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
        headers["References"] = " ".join(f"<{r}>" for r in references)
    headers.update(extra_headers or {})
    subject = one_line(subject, 250)
    from_header = formataddr((one_line(from_name, 100), from_addr))
    email = _email(from_header, to, cc, subject, body, headers, files)
    raw = email.message().as_bytes()
    with transaction.atomic():
        message = Message.objects.create(
            lead=lead,
            channel=Channel.EMAIL,
            direction=Message.Direction.OUTBOUND,
            provider="outbound",
            message_id=message_id,
            dedupe_key=f"mid:{message_id}",
            raw=raw,
            raw_size=len(raw),
            received_at=now,
            sent_at=now,
            parse_state=Message.ParseState.PARSED,
            parsed_at=now,
            from_email=from_addr,
            from_name=one_line(from_name, 200),
            to=", ".join(to),
            cc=", ".join(cc),
            subject=subject,
            in_reply_to=in_reply_to,
            references=" ".join(references),
            headers=[[name, value] for name, value in headers.items()],
            text=body,
            text_new=body,
        )
        for item in files:
            attachment = Attachment(
                message=message,
                filename=item.name[:255],
                size=len(item.content),
                declared_type=item.content_type[:255],
                sniffed_type=sniff_type(item.content)[:255],
            )
            attachment.file.save(item.name or "attachment", ContentFile(item.content), save=False)
            attachment.save()
        outbox = Outbox.objects.create(message=message, kind=kind, sender=sender)
        leads.touch(lead.pk)
        enqueue(outbox)
    return outbox


def enqueue(outbox: Outbox) -> None:
    outbox_id, task = outbox.pk, SEND_TASKS[outbox.kind]
    transaction.on_commit(lambda: async_task(task, outbox_id))


def build_email(outbox: Outbox) -> EmailMessage:
    """The stored mail as an EmailMessage, for any backend (SMTP or an anymail ESP): same
    headers, Message-ID and Date as the raw bytes kept."""
    message = outbox.message
    headers = dict(message.headers)
    files = [
        OutgoingFile(a.filename, a.file.read(), a.declared_type) for a in message.attachments.all()
    ]
    from_header = formataddr((message.from_name, message.from_email))
    to = [a.strip() for a in message.to.split(",") if a.strip()]
    cc = [a.strip() for a in message.cc.split(",") if a.strip()]
    return _email(from_header, to, cc, message.subject, message.text, headers, files)


def _email(from_header, to, cc, subject, body, headers, files) -> EmailMessage:
    headers = dict(headers)
    reply_to = [headers.pop("Reply-To")] if "Reply-To" in headers else None
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=from_header,
        to=to,
        cc=cc,
        reply_to=reply_to,
        headers=headers,
    )
    for item in files:
        email.attach(item.name or "attachment", item.content, item.content_type or None)
    return email


def deliver(outbox_id: int) -> bool:
    """Send a queued mail once. True when this call sent it; False when it was not queued
    (sent, being sent, or failed: a redelivered task does nothing)."""
    # Committed on its own (autocommit) before the backend is called: the claim is what
    # stops a second send.
    claimed = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.QUEUED).update(
        state=Outbox.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    outbox = Outbox.objects.select_related("message", "sender").get(pk=outbox_id)
    try:
        email = build_email(outbox)
        sent = get_connection(fail_silently=False).send_messages([email])
        if not sent:
            raise RuntimeError("the mail backend accepted no message")
    except Exception as exc:
        logger.warning("outbox %s failed: %s", outbox_id, exc)
        mark_failed(outbox_id, f"{type(exc).__name__}: {exc}")
        return False
    with transaction.atomic():
        marked = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.SENDING).update(
            state=Outbox.State.SENT, sent_at=timezone.now(), last_error=""
        )
        if marked and outbox.kind == Outbox.Kind.REPLY and outbox.message.lead_id:
            # The hand-off's `lead.replied`, in the transaction that says it was sent.
            message = outbox.message
            events.record_event(
                kind=events.Kind.LEAD_REPLIED,
                lead_id=message.lead_id,
                data={
                    "message_id": message.message_id,
                    "to": message.to,
                    "subject": message.subject,
                    "sent_at": timezone.now().isoformat(),
                    "by": outbox.sender.get_username() if outbox.sender else "",
                },
            )
    if outbox.message.lead_id:
        leads.touch(outbox.message.lead_id)  # an open lead page picks up "sent"
    return True


def mark_failed(outbox_id: int, error: str) -> None:
    Outbox.objects.filter(pk=outbox_id).exclude(state=Outbox.State.SENT).update(
        state=Outbox.State.FAILED, last_error=error[:2000]
    )
    lead_id = Message.objects.filter(outbox__pk=outbox_id).values_list("lead_id", flat=True)
    for pk in lead_id:
        if pk:
            leads.touch(pk)


def retry(outbox_id: int) -> bool:
    """A failed mail back to the queue (a person asked). True when it was failed."""
    with transaction.atomic():
        moved = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.FAILED).update(
            state=Outbox.State.QUEUED, last_error="", claimed_at=None
        )
        if moved:
            enqueue(Outbox.objects.get(pk=outbox_id))
    return bool(moved)


def reconcile_outbox(
    *, lease: timedelta = SEND_LEASE, lost_after: timedelta = QUEUED_LOST_AFTER
) -> dict:
    """Scheduled. A row left `sending` past the lease is failed (never re-sent: see the
    module docstring); a row still queued long after it was stored lost its task and is
    enqueued again (deliver's claim makes a duplicate task harmless)."""
    now = timezone.now()
    stale = list(
        Outbox.objects.filter(state=Outbox.State.SENDING, claimed_at__lt=now - lease).values_list(
            "pk", flat=True
        )
    )
    for outbox_id in stale:
        mark_failed(
            outbox_id,
            "Interrupted while sending: the worker stopped before the mail server answered, "
            "so it may or may not have gone out. Check the recipient's mailbox or the "
            "provider's log for the Message-ID before you retry.",
        )
    lost = list(Outbox.objects.filter(state=Outbox.State.QUEUED, created_at__lt=now - lost_after))
    with transaction.atomic():
        for outbox in lost:
            enqueue(outbox)
    return {"failed": len(stale), "requeued": len(lost)}
