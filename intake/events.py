"""The outbox: events are rows written in the caller's transaction, handed on at commit.

Intake is the lowest layer, so every app records what happened to a lead here, and
`handoff` (the top layer) delivers it: `handoff.tasks.dispatch_events` is enqueued by its
dotted path on commit, as intake enqueues triage. Should that task be lost (a killed
worker, the Redis broker), `handoff.tasks.sweep` dispatches what is still undispatched.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task

from intake.models import Event

Kind = Event.Kind
DISPATCH = "handoff.tasks.dispatch_events"  # the hand-off task: takes a list of event ids
logger = logging.getLogger(__name__)


def record_event(
    *, kind: str, lead_id: int | None, data: dict | None = None, dedupe_key: str | None = None
) -> Event | None:
    """Record one event; None when `dedupe_key` was recorded before."""
    events = record_events([(kind, lead_id, data or {})], dedupe_key=dedupe_key)
    return events[0] if events else None


def record_events(
    items: list[tuple[str, int | None, dict]],
    *,
    dedupe_key: str | None = None,
    inline: bool = False,
    enqueue: bool = True,
) -> list[Event]:
    """Record several events of one change with one hand-off task. Must run inside the
    transaction of the change (or alone: then it is its own). `inline`, for a caller that is
    itself a worker (triage's decision): the hand-off runs right after the commit in this
    thread, a queue's wait sooner than a task of its own; should it fail, the task is
    enqueued after all (and the sweeper stands behind both). enqueue=False leaves the
    hand-off to the caller, who then owes `DISPATCH` for the events' ids on commit."""
    if not items:
        return []
    rows = [
        Event(kind=kind, lead_id=lead_id, data={"lead_id": lead_id, **data})
        for kind, lead_id, data in items
    ]
    if dedupe_key is not None:
        rows[0].dedupe_key = dedupe_key[:200]
        try:
            with transaction.atomic():
                rows[0].save()
        except IntegrityError:
            return []
        rows[1:] = Event.objects.bulk_create(rows[1:])
    else:
        rows = Event.objects.bulk_create(rows)
    ids = [event.pk for event in rows]
    if inline:
        transaction.on_commit(lambda: dispatch_now(ids))
    elif enqueue:
        transaction.on_commit(lambda: async_task(DISPATCH, ids))
    return rows


def dispatch_now(ids: list[int]) -> None:
    try:
        import_string(DISPATCH)(ids)
    except Exception:
        logger.exception("events %s: dispatching inline failed; enqueued instead", ids)
        async_task(DISPATCH, ids)
