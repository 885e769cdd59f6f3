"""Fan an event out: webhook deliveries, notifications, a CRM push; then mark it done.

All in one transaction with the event row locked, so two dispatchers (the on-commit task
and the sweeper) never both plan it, and a dispatcher killed half-way plans nothing; the
sends themselves are tasks enqueued on commit.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from handoff import notify, webhooks
from handoff.crm import push as crm_push
from intake.models import Event

# Undispatched this long: its on-commit task was lost.
LOST_AFTER = timedelta(minutes=1)


def dispatch_events(event_ids: list[int], *, now: datetime | None = None) -> int:
    return sum(dispatch_event(event_id, now=now) for event_id in event_ids)


def dispatch_event(event_id: int, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return False  # done already, or another dispatcher has it
        webhooks.enqueue(webhooks.plan(event))
        notify.enqueue(notify.plan(event, now=now))
        crm_push.plan(event)
        Event.objects.filter(pk=event.pk).update(dispatched_at=now)
    return True


def undispatched(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lt=now - LOST_AFTER)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
