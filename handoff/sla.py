"""SLA alerts (scheduled every minute): the owner is warned a queue's lead time before
a lead's SLA is due, and the queue's managers are told when it has breached. Each is an
event recorded once per lead and due time (its dedupe key), so a check that runs again, or
twice at once, alerts nobody twice."""

from datetime import datetime, timedelta

from django.utils import timezone

from intake import events
from intake.models import Lead
from routing.models import Triage

# Breaches older than this are not announced (a first deployment on an old backlog).
BREACH_HORIZON = timedelta(hours=24)
LONGEST_WARNING = timedelta(days=2)


def check(*, now: datetime | None = None, limit: int = 500) -> int:
    now = now or timezone.now()
    recorded = 0
    upcoming = (
        Triage.objects.filter(
            lead_status__in=Lead.OPEN_STATUSES,
            sla_due__gt=now,
            sla_due__lte=now + LONGEST_WARNING,
            queue__sla_warning_minutes__gt=0,
        )
        .select_related("queue")
        .order_by("sla_due")[:limit]
    )
    for triage in upcoming:
        if triage.sla_due - now <= timedelta(minutes=triage.queue.sla_warning_minutes):
            recorded += _record(events.Kind.SLA_WARNING, triage)
    breached = Triage.objects.filter(
        lead_status__in=Lead.OPEN_STATUSES,
        sla_due__lte=now,
        sla_due__gt=now - BREACH_HORIZON,
    ).order_by("sla_due")[:limit]
    for triage in breached:
        recorded += _record(events.Kind.SLA_BREACHED, triage)
    return recorded


def _record(kind: str, triage: Triage) -> int:
    due = triage.sla_due.isoformat()
    event = events.record_event(
        kind=kind,
        lead_id=triage.lead_id,
        data={"sla_due": due, "queue_id": triage.queue_id},
        dedupe_key=f"{kind}:{triage.lead_id}:{due}",
    )
    return 1 if event else 0
