"""The only writers of intake rows.

Receiving is split in two, as in every trusted intake system: the request
path authenticates, size-checks and stores the raw bytes under a unique
dedupe key, and answers; `process_message` (a task, enqueued on commit) does
the authoritative parsing, hygiene, contact and threading work. A parse
failure never loses the message: it is kept raw, marked failed, and still
gets a lead. Messages stored together (an import, the reconciler) are processed
together, `process_messages`: one transaction and a statement per kind of row for
the batch, falling back to one message at a time if the batch fails.
"""

import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ
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
    processed = _process_batch([message_id])
    return processed[0] if processed else None


class ProcessingFailed(RuntimeError):
    """Some messages of a batch could not be processed (the others were)."""


def process_messages(message_ids: list[int]) -> list[Message]:
    """`process_message` for each of these messages, in pk order, in one transaction and a
    handful of statements for the whole batch (what a bulk import's tasks carry).

    Should the batch fail, it rolls back whole and each message is processed again in its own
    transaction, so one bad message cannot hold back the others; ProcessingFailed then names
    the ones that failed (the task fails and is retried: the ones done are skipped).
    """
    try:
        return _process_batch(message_ids)
    except Exception:
        logger.warning(
            "processing %d messages together failed; one by one", len(message_ids), exc_info=True
        )
    processed, failed = [], []
    for message_id in message_ids:
        try:
            message = process_message(message_id)
        except Exception:
            logger.exception("processing message %s failed", message_id)
            failed.append(message_id)
        else:
            if message is not None:
                processed.append(message)
    if failed:
        raise ProcessingFailed(f"processing failed for messages {failed}")
    return processed


# Raw bytes read into memory at once while a batch is parsed (a larger message alone).
BATCH_RAW_BYTES = 16 * 1024 * 1024


@dataclass
class _Item:
    message: Message
    flag: str
    sender: tuple[str, str, str]  # (email, name, unreadable_key) as parsed
    keys: contacts.ThreadKeys
    lead: Lead | None = None


def _process_batch(message_ids: list[int]) -> list[Message]:
    """Process the pending ones of these messages in one transaction, or none of them.

    Each message is parsed, flagged and threaded in turn, exactly as if the ones before it
    had been processed on their own; the rows are written at the end, a statement per kind
    for the whole batch. Locks: the messages in pk order, then new contacts in address
    order, then the leads the batch continues in pk order.
    """
    written: list[str] = []  # attachment files, deleted again if the batch rolls back
    try:
        with transaction.atomic():
            return _process_locked(message_ids, written)
    except BaseException:
        storage = Attachment._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise


def _process_locked(message_ids: list[int], written: list[str]) -> list[Message]:
    # The raw bytes come with the lock for messages under an even share of BATCH_RAW_BYTES;
    # a larger one is read on its own when its turn comes, so a batch of big mail is never
    # in memory at once.
    small = BATCH_RAW_BYTES // max(len(message_ids), 1)
    pending = (
        Message.objects.select_for_update()
        .filter(pk__in=message_ids, parse_state=Message.ParseState.PENDING)
        .defer("raw")
        .annotate(
            small_raw=Case(
                When(raw_size__lte=small, then=F("raw")), output_field=models.BinaryField()
            )
        )
        .order_by("pk")
    )
    messages = list(pending)
    if not messages:
        return []  # already processed by an earlier delivery of this task

    items: list[_Item] = []
    attachments: list[Attachment] = []
    for message in messages:
        raw, message.small_raw = message.small_raw, None
        if raw is None:
            raw = Message.objects.filter(pk=message.pk).values_list("raw", flat=True).get()
        parsed = _parse(bytes(raw))
        _apply_parsed(message, parsed)
        try:
            verdict = hygiene.classify(parsed)
        except Exception:  # the gate must not stop the message from being stored
            logger.exception("hygiene failed for message %s", message.pk)
            verdict = hygiene.Verdict("", "")
        message.hygiene = verdict.flag
        if verdict.flag:
            message.parse_warnings = [*message.parse_warnings, f"hygiene: {verdict.reason}"]
        attachments += _attachment_rows(message, parsed.attachments, written)
        sender = (parsed.from_email, parsed.from_name, f"m{message.pk}")
        items.append(_Item(message, verdict.flag, sender, contacts.thread_keys(message, parsed)))
        del parsed, raw  # what is kept is on the message; the rest can go

    senders = contacts.upsert_contacts([item.sender for item in items])
    threads = contacts.Threads(
        [(item.message, item.keys, contact) for item, contact in zip(items, senders, strict=True)]
    )
    now = timezone.now()
    touched: dict[int, tuple[datetime, bool]] = {}  # saved lead pk -> (last message, reopen)
    opened: list[Lead] = []
    to_triage: list[Lead] = []
    for item, contact in zip(items, senders, strict=True):
        message = item.message
        # A re-parse keeps the message in the conversation it already belongs to.
        if message.lead_id is not None:
            lead = threads.keep(Lead.objects.get(pk=message.lead_id))
        else:
            lead = threads.find(message, item.keys, contact)
        if lead is None:
            lead = Lead(
                contact=contact,
                channel=Channel.EMAIL,
                subject=message.subject,
                subject_key=contacts.subject_key(message),
                status=Lead.Status.FILTERED if item.flag else Lead.Status.AWAITING_TRIAGE,
                filter_reason=item.flag,
                received_at=message.received_at,
                last_message_at=message.received_at,
            )
            threads.add_lead(lead)
            if not item.flag:
                opened.append(lead)
                to_triage.append(lead)
        else:
            lead.last_message_at = max(lead.last_message_at, message.received_at)
            reopen = not item.flag and lead.status == Lead.Status.FILTERED
            if reopen:
                # A person answered in a thread that only held automatic mail.
                lead.status, lead.filter_reason = Lead.Status.AWAITING_TRIAGE, ""
                to_triage.append(lead)
            if lead.pk is not None:
                reopened = touched.get(lead.pk, (None, False))[1]
                touched[lead.pk] = (lead.last_message_at, reopened or reopen)
        item.lead = lead
        threads.add_message(message, lead)

    Lead.objects.bulk_create(threads.new)
    for item in items:
        item.message.lead = item.lead
    _touch_leads(touched, now)
    # Not the raw bytes: they are what was stored, and sending them back costs a copy of
    # every message's size.
    update_rows(Message, messages, [*PARSED_FIELDS, "hygiene", "lead"])
    Attachment.objects.bulk_create(attachments)
    search.refresh(sorted({item.lead.pk for item in items}))
    created = events.record_events(
        [(events.Kind.LEAD_CREATED, lead.pk, {"channel": "email"}) for lead in opened],
        enqueue=False,
    )
    # The batch's tasks in one push on commit: the events' hand-off, a triage per lead.
    tasks = [(events.DISPATCH, [event.pk for event in created])] if created else []
    tasks += [("routing.tasks.triage_lead", lead.pk) for lead in to_triage]
    if tasks:
        transaction.on_commit(lambda: enqueue_tasks(tasks))
    return messages


_REOPEN = f"v.reopen AND l.status = '{Lead.Status.FILTERED.value}'"
_TOUCH_SQL = f"""
UPDATE intake_lead AS l SET
    last_message_at = GREATEST(l.last_message_at, v.last_message_at),
    updated_at = %s,
    status = CASE WHEN {_REOPEN} THEN '{Lead.Status.AWAITING_TRIAGE.value}' ELSE l.status END,
    filter_reason = CASE WHEN {_REOPEN} THEN '' ELSE l.filter_reason END
FROM (VALUES {{rows}}) AS v(id, last_message_at, reopen)
WHERE l.id = v.id
"""


def _touch_leads(touched: dict[int, tuple[datetime, bool]], now: datetime) -> None:
    """The leads the batch's messages continued: their last message, `updated_at` (open queue
    pages pick up a reply to a lead they show), and back to triage those that only held
    automatic mail until a person wrote (unless someone moved them meanwhile)."""
    if not touched:
        return
    rows = ", ".join(["(%s::bigint, %s::timestamptz, %s::boolean)"] * len(touched))
    params: list = [now]
    for pk in sorted(touched):  # lead locks in pk order
        params += [pk, *touched[pk]]
    with connection.cursor() as cursor:
        cursor.execute(_TOUCH_SQL.format(rows=rows), params)


def update_rows(model: type[models.Model], objs: list, fields: list[str]) -> None:
    """What `obj.save(update_fields=fields)` does for each of `objs`, in one statement: the
    rows go as one JSON parameter, read back as the table's own row type (so each value is
    checked against its column as an INSERT would), which keeps the statement short and the
    same for every batch. For text, number, boolean, date-time and JSON columns."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    rows = [
        {meta.pk.column: obj.pk, **{f.column: getattr(obj, f.attname) for f in columns}}
        for obj in objs
    ]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
    sql = (
        f"UPDATE {table} AS t SET {assignments} "
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS v WHERE t.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, default=_json_value)])


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()  # with its offset, to the microsecond
    raise TypeError(f"{type(value).__name__} is not a column value update_rows can send")


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


class _Collect:
    """What `async_task` pushes to (its `broker` option): keeps the signed tasks."""

    def __init__(self, list_key: str):
        self.list_key = list_key
        self.tasks: list[str] = []

    def enqueue(self, task: str) -> None:
        self.tasks.append(task)


def enqueue_tasks(tasks: list[tuple[str, object]]) -> None:
    """`async_task(func, arg)` for each (func, arg): with the database broker one INSERT for
    them all (one statement and one commit, not one of each per task)."""
    broker = get_broker()
    collect = _Collect(broker.list_key)
    for func, arg in tasks:
        async_task(func, arg, broker=collect)  # built and signed as always; run here if sync
    if isinstance(broker, ORM):
        now = timezone.now()
        key = broker.list_key or Conf.CLUSTER_NAME
        rows = [OrmQ(key=key, payload=task, lock=now) for task in collect.tasks]
        broker.get_connection().bulk_create(rows)
    else:
        for task in collect.tasks:
            broker.enqueue(task)


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


def _attachment_rows(
    message: Message, attachments: list[mime.ParsedAttachment], written: list[str]
) -> list[Attachment]:
    """The message's attachments, their files written (names added to `written`), their rows
    not yet saved."""
    rows = []
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
        written.append(attachment.file.name)
        rows.append(attachment)
    return rows


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
