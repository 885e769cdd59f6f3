"""Thin django-q2 entry points: take an id, call a service. Every one is safe to run twice."""

from django.utils import timezone

from handoff import dispatch, notify, sla, webhooks
from handoff.crm import push as crm_push


def dispatch_events(event_ids: list[int]) -> int:
    return dispatch.dispatch_events(event_ids)


def deliver_webhook(delivery_id: int) -> bool:
    return webhooks.deliver(delivery_id)


def redeliver_webhook(delivery_id: int) -> bool:
    return webhooks.deliver(delivery_id, manual=True)


def send_notification(notification_id: int) -> bool:
    return notify.send(notification_id)


def push_to_crm(record_id: int) -> bool:
    return crm_push.push(record_id)


def sweep() -> dict:
    """Every minute: events whose hand-off task was lost, deliveries and notifications due
    (retries, and those a killed worker held), digests, CRM pushes due."""
    now = timezone.now()
    events = dispatch.dispatch_events(dispatch.undispatched(now=now), now=now)
    deliveries = webhooks.due(now=now)
    webhooks.enqueue(deliveries)
    notifications = notify.due(now=now)
    notify.enqueue(notifications)
    digests = notify.send_digests(now=now)
    pushes = crm_push.due(now=now)
    crm_push.enqueue(pushes)
    return {
        "events": events,
        "deliveries": len(deliveries),
        "notifications": len(notifications),
        "digests": digests,
        "crm": len(pushes),
    }


def check_sla() -> int:
    return sla.check()
