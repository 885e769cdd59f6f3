"""The only writers of intake rows.

Receiving is split in two, as in every trusted intake system: the request
path authenticates, size-checks and stores the raw bytes under a unique
dedupe key, and answers; `process_message` (a task, enqueued on commit) does
the authoritative parsing, hygiene, contact and threading work. A parse
failure never loses the message: it is kept raw, marked failed, and still
gets a lead.
"""

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from intake import contacts, events, hygiene, mime, search
from intake.models import (
    Attachment,
    Channel,
    Lead,
    Message,
    WebhookNonce,
)

logger = logging.getLogger(__name__)


class IntakeError(Exception):
    """The sender's fault: the request is answered 4xx and nothing is stored."""

    status = 400


class MessageTooLarge(IntakeError):
    status = 413


class NotAnEmail(IntakeError):
    pass


class ExternalIdReused(IntakeError):
    """A caller sent an external_id it used before, with a different submission: storing
    it would drop it silently, answering with the first lead would be a lie."""

    status = 409

    def __init__(self, lead_id: int | None):
        super().__init__(
            "This external_id was already used for a different submission "
            f"(lead {lead_id}); send a new external_id for a new lead."
        )


@dataclass
class Ingested:
    message: Message
    created: bool

    @property
    def lead(self) -> Lead | None:
        return self.message.lead


def content_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def email_key(message_id: str, raw: bytes) -> str:
    """The dedupe key of an email. Each kind of key has its own prefix so that a
    crafted Message-ID can never collide with a content hash or a submission."""
    return f"mid:{message_id}"[:998] if message_id else content_key(raw)


def ingest_email(
    *,
    raw: bytes,
    provider: str,
    provider_message_id: str = "",
    envelope_recipient: str = "",
    provider_payload: dict | None = None,
    enqueue: bool = True,
) -> Ingested:
    """Store an RFC 822 message as received and queue its processing.

    enqueue=False leaves the processing to the caller (`enqueue_processing`), which
    then owes it for every message created.

    Idempotent: N deliveries of one message, sequential or concurrent, give
    one Message and one processing task (unique constraints on the provider's
    id and on the Message-ID, or a content hash when there is none).
    """
    raw = bytes(raw)
    if len(raw) > settings.INTAKE_MAX_BYTES:
        raise MessageTooLarge(
            f"message is {len(raw)} bytes; the limit is {settings.INTAKE_MAX_BYTES}"
        )
    peek = mime.peek_headers(raw)
    if not peek.looks_like_mail:
        raise NotAnEmail("the body is not an RFC 822 message (no header lines)")
    dedupe_key = email_key(peek.message_id, raw)
    provider_message_id = (provider_message_id or "")[:255]

    try:
        # Insert first: a new message is the common case, and the unique
        # constraints settle duplicates and races alike. A savepoint keeps the
        # caller's transaction (a webhook's replay guard) usable after a conflict.
        with transaction.atomic():
            message = Message.objects.create(
                channel=Channel.EMAIL,
                provider=provider,
                provider_message_id=provider_message_id,
                message_id=peek.message_id[:998],
                dedupe_key=dedupe_key[:998],
                raw=raw,
                raw_size=len(raw),
                provider_payload=provider_payload or {},
                envelope_recipient=envelope_recipient[:320],
                subject=peek.subject[:998],
                from_email=peek.from_email[:320],
            )
    except IntegrityError:
        # Delivered before, or a concurrent delivery won the insert.
        existing = _find_existing(dedupe_key, provider, provider_message_id)
        if existing is None:
            raise
        return Ingested(existing, created=False)
    if enqueue:
        transaction.on_commit(lambda: async_task("intake.tasks.process_message", message.pk))
    return Ingested(message, created=True)


# Messages one processing task takes when they are enqueued together: far fewer tasks
# for a bulk import, and at most this many parse time budgets (mime.Limits.max_seconds)
# inside one task's Q_TIMEOUT.
PROCESS_BATCH = 10


def enqueue_processing(message_ids: list[int]) -> None:
    """Queue the processing of stored messages, on commit, a few per task."""
    for start in range(0, len(message_ids), PROCESS_BATCH):
        batch = message_ids[start : start + PROCESS_BATCH]
        transaction.on_commit(
            lambda batch=batch: async_task("intake.tasks.process_messages", batch)
        )


def _find_existing(
    dedupe_key: str,
    provider: str,
    provider_message_id: str,
    api_user: AbstractBaseUser | None = None,
) -> Message | None:
    match = Q(dedupe_key=dedupe_key[:998])
    if provider_message_id:
        match |= Q(provider=provider, provider_message_id=provider_message_id, api_user=api_user)
    return Message.objects.filter(match).defer("raw").first()


def process_message(message_id: int) -> Message | None:
    """Parse, flag, attach to a contact and a lead. Safe to run twice."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, parse_state=Message.ParseState.PENDING)
            .first()
        )
        if message is None:
            return None  # already processed by an earlier delivery of this task
        parsed = _parse(bytes(message.raw))
        _apply_parsed(message, parsed)
        try:
            verdict = hygiene.classify(parsed)
        except Exception:  # the gate must not stop the message from being stored
            logger.exception("hygiene failed for message %s", message.pk)
            verdict = hygiene.Verdict("", "")
        message.hygiene = verdict.flag
        if verdict.flag:
            message.parse_warnings = [*message.parse_warnings, f"hygiene: {verdict.reason}"]

        contact = contacts.upsert_contact(
            email=parsed.from_email, name=parsed.from_name, unreadable_key=f"m{message.pk}"
        )
        # A re-parse keeps the message in the conversation it already belongs to.
        lead = message.lead or contacts.find_thread(message=message, parsed=parsed, contact=contact)
        triage = opened = False
        if lead is None:
            lead = Lead.objects.create(
                contact=contact,
                channel=Channel.EMAIL,
                subject=message.subject,
                subject_key=mime.normalize_subject(message.subject)[:255],
                status=Lead.Status.FILTERED if verdict.flag else Lead.Status.AWAITING_TRIAGE,
                filter_reason=verdict.flag,
                received_at=message.received_at,
                last_message_at=message.received_at,
            )
            triage = opened = not verdict.flag
        else:
            # updated_at too: open queue pages pick up a reply to a lead they show.
            update = {
                "last_message_at": max(lead.last_message_at, message.received_at),
                "updated_at": timezone.now(),
            }
            if not verdict.flag and lead.status == Lead.Status.FILTERED:
                # A person answered in a thread that only held automatic mail.
                update.update(status=Lead.Status.AWAITING_TRIAGE, filter_reason="")
                triage = True
            Lead.objects.filter(pk=lead.pk).update(**update)
        message.lead = lead
        # Not the raw bytes: they are what was stored, and sending them back costs a copy of
        # every message's size.
        message.save(update_fields=[*PARSED_FIELDS, "hygiene", "lead"])
        _store_attachments(message, parsed.attachments)
        search.refresh([lead.pk])
        if triage:
            if opened:
                events.record_event(
                    kind=events.Kind.LEAD_CREATED, lead_id=lead.pk, data={"channel": "email"}
                )
            enqueue_triage(lead)
    return message


def reparse_message(message_id: int) -> Message | None:
    """Parse a stored email again (after a parser fix), keeping its lead.

    Attachments are replaced by what the new parse finds; the old files are
    deleted once the new rows are committed.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.channel != Channel.EMAIL:
            return None
        storage = Attachment._meta.get_field("file").storage
        old_files = [a.file.name for a in message.attachments.all() if a.file]
        message.attachments.all().delete()
        Message.objects.filter(pk=message_id).update(
            parse_state=Message.ParseState.PENDING, hygiene=""
        )
        processed = process_message(message_id)
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
    return processed


def enqueue_triage(lead: Lead) -> None:
    lead_id = lead.pk
    transaction.on_commit(lambda: async_task("routing.tasks.triage_lead", lead_id))


def _parse(raw: bytes) -> mime.ParsedMessage:
    limits = mime.Limits(max_bytes=settings.INTAKE_MAX_BYTES)
    try:
        return mime.parse_message(raw, limits=limits)
    except Exception as exc:  # parse_message promises not to raise; keep the mail if it does
        logger.exception("parse_message raised")
        peek = mime.peek_headers(raw)
        return mime.ParsedMessage(
            message_id=peek.message_id,
            subject=peek.subject,
            from_email=peek.from_email,
            failed=f"parser error: {type(exc).__name__}: {exc}"[:500],
        )


def _addresses(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name} <{email}>" if name else email for name, email in pairs)[:10000]


# What `_apply_parsed` sets.
PARSED_FIELDS = [
    "parse_state", "parse_error", "parse_warnings", "parsed_at", "from_email", "from_name",
    "to", "cc", "subject", "sent_at", "in_reply_to", "references", "headers", "text",
    "text_new", "text_quoted", "signature", "html", "hidden_text",
]  # fmt: skip


def _apply_parsed(message: Message, parsed: mime.ParsedMessage) -> None:
    message.parse_state = Message.ParseState.FAILED if parsed.failed else Message.ParseState.PARSED
    message.parse_error = parsed.failed
    message.parse_warnings = list(parsed.warnings)[:50]
    message.parsed_at = timezone.now()
    message.from_email = (parsed.from_email or message.from_email)[:320]
    message.from_name = parsed.from_name[:200]
    message.to = _addresses(parsed.to)
    message.cc = _addresses(parsed.cc)
    message.subject = (parsed.subject or message.subject)[:998]
    message.sent_at = parsed.date
    message.in_reply_to = parsed.in_reply_to[:998]
    message.references = " ".join(parsed.references)[:20000]
    message.headers = [list(pair) for pair in parsed.headers]
    message.text = parsed.text
    message.text_new = parsed.text_new
    message.text_quoted = parsed.text_quoted
    message.signature = parsed.signature
    message.html = parsed.html
    message.hidden_text = parsed.hidden_text[:20_000]


def _store_attachments(message: Message, attachments: list[mime.ParsedAttachment]) -> None:
    for item in attachments:
        content = item.content or b""
        guessed = mimetypes.guess_type(item.filename)[0] if item.filename else None
        attachment = Attachment(
            message=message,
            filename=item.filename[:255],
            size=len(content),
            declared_type=item.content_type[:255],
            sniffed_type=(sniff_type(content) or guessed or "")[:255],
            content_id=item.content_id[:255],
            sha256=hashlib.sha256(content).hexdigest(),
        )
        attachment.file.save(item.filename or "attachment", ContentFile(content), save=False)
        attachment.save()


_MAGIC = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"BZh", "application/x-bzip2"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),
    (b"\x78\x9f\x3e\x22", "application/ms-tnef"),
]


def sniff_type(content: bytes) -> str:
    head = content[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if stripped.startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    return ""


# --- Housekeeping (scheduled) -------------------------------------------------------

STUCK_AFTER = timedelta(minutes=10)
# Sooner when the task is provably gone: nothing waits in the broker's queue and no worker
# holds the message (processing holds its row lock), as after a killed worker whose tasks
# the Redis broker lost.
GONE_AFTER = timedelta(minutes=1)


def requeue_stuck_messages(
    *, older_than: timedelta = STUCK_AFTER, gone_after: timedelta = GONE_AFTER, limit: int = 500
) -> int:
    """Re-enqueue messages still unprocessed long after they were stored.

    No broker here gives exactly-once delivery (Redis drops a task a killed
    worker held), so a reconciler picks up whatever was lost. Processing is
    idempotent: a task that was merely slow finds nothing to do. While tasks wait in
    the queue a pending message may be one of them, so only the long threshold applies;
    once the queue is empty, a pending message no worker holds has lost its task.
    """
    now = timezone.now()
    cutoff = now - (gone_after if task_queue_empty() else older_than)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(parse_state=Message.ParseState.PENDING, received_at__lt=cutoff)
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        enqueue_processing(ids)  # a few per task, as import_mail queues them
    return len(ids)


def task_queue_empty() -> bool:
    """No task waits in the broker's queue (tasks a cluster has already fetched, or a
    worker runs, are not counted). Scheduled reconcilers ask before taking a short cut."""
    from django_q.brokers import get_broker

    return get_broker().queue_size() == 0


def prune_webhook_nonces(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Mailgun tokens older than any acceptable timestamp can never be replayed."""
    cutoff = timezone.now() - older_than
    deleted, _ = WebhookNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
