"""Structured submissions, from the web form and the REST API: the JSON as accepted is stored
raw and the lead opened in the request (no MIME to parse)."""

import json

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from intake import acknowledgements, contacts, events, mime, search, services
from intake.models import Form, Lead, Message


def ingest_submission(
    *,
    channel: str,
    email: str,
    message: str,
    name: str = "",
    company: str = "",
    subject: str = "",
    fields: dict | None = None,
    form: Form | None = None,
    external_id: str = "",
    api_user: AbstractBaseUser | None = None,
    meta: dict | None = None,
    filtered_reason: str = "",
) -> services.Ingested:
    """Store a form or API submission (raw: the JSON as accepted) and open its lead.

    `external_id` is the caller's idempotency key, scoped to `api_user` (the API's
    caller): the same submission again returns the first (created=False); a different
    one under the same key raises services.ExternalIdReused.
    `filtered_reason` (a honeypot or time trap) stores the submission in a
    filtered lead that no sales queue shows, so nothing is lost and nobody's
    time is spent on it.
    """
    payload = {
        "email": email,
        "name": name,
        "company": company,
        "subject": subject,
        "message": message,
        "fields": fields or {},
        "meta": meta or {},
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    provider = f"form:{form.slug}" if form else channel
    if external_id and api_user is not None:
        # "by:" begins no key stored before keys were scoped, so none can collide.
        dedupe_key = f"by:{api_user.pk}:{provider}:{external_id}"
    elif external_id:
        dedupe_key = f"sub:{provider}:{external_id}"
    else:
        dedupe_key = services.content_key(raw)
    existing = services._find_existing(dedupe_key, provider, external_id, api_user)
    if existing is not None:
        return _same_submission(existing, raw, external_id)
    clean_text = message.replace("\x00", "")
    subject = (subject or _subject_from(message)).replace("\x00", "")[:998]
    try:
        with transaction.atomic():
            contact = contacts.upsert_contact(email=email, name=name, company=company)
            status = Lead.Status.FILTERED if filtered_reason else Lead.Status.AWAITING_TRIAGE
            lead = Lead.objects.create(
                contact=contact,
                channel=channel,
                subject=subject,
                subject_key=mime.normalize_subject(subject)[:255],
                form=form,
                queue_hint=form.default_queue if form else "",
                status=status,
                filter_reason=filtered_reason,
            )
            created = Message.objects.create(
                lead=lead,
                channel=channel,
                provider=provider,
                provider_message_id=external_id[:255],
                api_user=api_user,
                dedupe_key=dedupe_key[:998],
                raw=raw,
                raw_size=len(raw),
                provider_payload=meta or {},
                parse_state=Message.ParseState.PARSED,
                parsed_at=timezone.now(),
                from_email=contact.email,
                from_name=name[:200],
                subject=subject,
                text=clean_text,
                text_new=clean_text,
                headers=[[key, str(value)[:2000]] for key, value in (fields or {}).items()],
            )
            search.refresh([lead.pk])
            if not filtered_reason:
                events.record_event(
                    kind=events.Kind.LEAD_CREATED, lead_id=lead.pk, data={"channel": channel}
                )
    except IntegrityError:
        existing = services._find_existing(dedupe_key, provider, external_id, api_user)
        if existing is None:
            raise
        return _same_submission(existing, raw, external_id)
    if not filtered_reason:
        services.enqueue_triage(lead)
        if form is not None and form.acknowledge:
            acknowledgements.acknowledge(lead=lead, subject=form.ack_subject, body=form.ack_body)
    return services.Ingested(created, created=True)


def _same_submission(existing: Message, raw: bytes, external_id: str) -> services.Ingested:
    # A content key matches only the same bytes; an external_id also matches a changed
    # submission, which must not vanish behind a 200.
    if external_id and bytes(existing.raw) != raw:
        raise services.ExternalIdReused(existing.lead_id)
    return services.Ingested(existing, created=False)


def _subject_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line[:120]
