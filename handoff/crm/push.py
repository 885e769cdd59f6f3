"""When a lead goes to the CRM, and the push itself (a task, retried).

A lead qualifies when its status becomes HANDOFF_CRM_STATUS (default `qualified`), or when
its triage scores at least HANDOFF_CRM_MIN_SCORE (0: off). Once a lead has a CRM record,
later triage and status changes push again and update it."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from handoff import http, payloads
from handoff.crm import base, hubspot
from handoff.models import CrmRecord
from intake.models import Event, Lead

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=3)


def current() -> base.Crm | None:
    """The CRM configured, if any (one branch per CRM module)."""
    if settings.HUBSPOT_TOKEN:
        return hubspot.HubSpot()
    return None


def qualifies(event: Event) -> bool:
    if event.kind == Event.Kind.LEAD_STATUS_CHANGED:
        return event.data.get("to") == settings.HANDOFF_CRM_STATUS
    if event.kind == Event.Kind.LEAD_TRIAGED and settings.HANDOFF_CRM_MIN_SCORE:
        score = (
            Lead.objects.filter(pk=event.lead_id).values_list("triage__score", flat=True).first()
        )
        return score is not None and score >= settings.HANDOFF_CRM_MIN_SCORE
    return False


def plan(event: Event, *, now: datetime | None = None) -> int | None:
    crm = current()
    if crm is None or event.lead_id is None:
        return None
    now = now or timezone.now()
    changed = event.kind in (Event.Kind.LEAD_TRIAGED, Event.Kind.LEAD_STATUS_CHANGED)
    record = CrmRecord.objects.filter(lead_id=event.lead_id, crm=crm.name).first()
    if record is None:
        if not qualifies(event):
            return None
        record, _ = CrmRecord.objects.get_or_create(lead_id=event.lead_id, crm=crm.name)
    elif not changed:
        return None
    CrmRecord.objects.filter(pk=record.pk).update(
        status=CrmRecord.Status.PENDING, next_attempt_at=now, attempts=0
    )
    enqueue([record.pk])
    return record.pk


def enqueue(record_ids: list[int]) -> None:
    for record_id in record_ids:
        transaction.on_commit(lambda r=record_id: async_task("handoff.tasks.push_to_crm", r))


def push(record_id: int, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    crm = current()
    if crm is None:
        return False
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = CrmRecord.objects.filter(
        free, pk=record_id, status=CrmRecord.Status.PENDING, next_attempt_at__lte=now
    ).update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    record = CrmRecord.objects.get(pk=record_id)
    try:
        pushed = crm.push(
            lead_for_crm(record.lead_id), contact_id=record.contact_id, deal_id=record.deal_id
        )
    except http.TransportError as exc:
        give_up = exc.permanent or record.attempts >= MAX_ATTEMPTS
        wait = RETRY_DELAYS[min(record.attempts, len(RETRY_DELAYS)) - 1]
        if exc.retry_after:
            wait = max(wait, timedelta(seconds=exc.retry_after))
        logger.warning(
            "CRM push of lead %s failed (attempt %s): %s", record.lead_id, record.attempts, exc
        )
        CrmRecord.objects.filter(pk=record.pk).update(
            claimed_until=None,
            last_error=str(exc)[:300],
            status=CrmRecord.Status.FAILED if give_up else CrmRecord.Status.PENDING,
            next_attempt_at=now + wait,
        )
        return False
    CrmRecord.objects.filter(pk=record.pk).update(
        contact_id=pushed.contact_id,
        deal_id=pushed.deal_id,
        url=pushed.url,
        status=CrmRecord.Status.SYNCED,
        synced_at=timezone.now(),
        claimed_until=None,
        last_error="",
    )
    return True


def lead_for_crm(lead_id: int) -> base.LeadForCrm:
    lead = Lead.objects.select_related("contact", "triage").get(pk=lead_id)
    triage = getattr(lead, "triage", None)
    name = (lead.contact.name or "").strip()
    first, _, last = name.partition(" ")
    budget = payloads.budget(triage) if triage else {"text": "", "amount_usd": None}
    try:
        amount = Decimal(budget["amount_usd"]) if budget["amount_usd"] else None
    except InvalidOperation:
        amount = None
    return base.LeadForCrm(
        lead_id=lead.pk,
        email=lead.contact.email,
        first_name=first,
        last_name=last,
        company=lead.contact.company,
        subject=lead.subject,
        summary=triage.summary if triage else "",
        score=triage.score if triage else 0,
        category=triage.category if triage else "",
        budget_text=budget["text"],
        budget_usd=amount,
        url=payloads.lead_url(lead.pk),
    )


def due(*, now: datetime, limit: int = 200) -> list[int]:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    lost = Q(attempts__gt=0) | Q(next_attempt_at__lt=now - timedelta(minutes=1))
    return list(
        CrmRecord.objects.filter(
            free, lost, status=CrmRecord.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
