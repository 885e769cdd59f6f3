"""Outbound webhooks: one Delivery per (event, endpoint), sent by a task, retried with
exponential backoff and jitter for about a day, then given up and the endpoint disabled
with an alert to the admins.

A delivery is claimed with a lease (a conditional update) before its request, and every
attempt is a row created before the request and completed after it, so a worker killed
mid-request leaves the attempt on record and the delivery is sent again, with the same
`webhook-id`, once the lease has run out (at least once, never lost: RELIABILITY.md #30).
"""

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from handoff import http, payloads, signing
from handoff.models import Delivery, DeliveryAttempt, Endpoint
from intake.models import Event

logger = logging.getLogger(__name__)

# After attempt n fails, the next waits RETRY_DELAYS[n - 1] (Standard Webhooks' suggested
# schedule, coarsened to the sweeper's minute): 8 attempts over about 28 hours.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
EXCERPT = 2000


def lease() -> timedelta:
    # Longer than one request can take (its own timeout), short enough that a killed
    # worker's delivery is taken again at the sweeper's next round or the one after.
    return timedelta(seconds=settings.OUTBOUND_TIMEOUT_SECONDS + 30)


def plan(event: Event) -> list[int]:
    """Delivery rows for every enabled endpoint that takes this event (none twice)."""
    endpoints = [e for e in Endpoint.objects.filter(enabled=True) if e.wants(event.kind)]
    if not endpoints:
        return []
    body = payloads.body(event)
    Delivery.objects.bulk_create(
        [Delivery(endpoint=e, event=event, body=body) for e in endpoints],
        ignore_conflicts=True,
    )
    return list(
        Delivery.objects.filter(event=event, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )


def enqueue(delivery_ids: list[int]) -> None:
    """Deliveries are tasks with their own short timeout: a slow receiver holds one
    worker for at most that long, and never intake or triage."""
    timeout = settings.OUTBOUND_TIMEOUT_SECONDS + 20
    for delivery_id in delivery_ids:
        transaction.on_commit(
            lambda d=delivery_id: async_task(
                "handoff.tasks.deliver_webhook", d, timeout=timeout, task_name=f"webhook-{d}"
            )
        )


def claim(delivery_id: int, *, now: datetime, manual: bool = False) -> bool:
    due = Q(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = Delivery.objects.filter(due & free)
    if not manual:
        claimed = claimed.filter(endpoint__enabled=True)
    return bool(claimed.update(claimed_until=now + lease(), attempts=F("attempts") + 1))


def deliver(delivery_id: int, *, now: datetime | None = None, manual: bool = False) -> bool:
    """Send the delivery if it is due and nobody else is sending it. True when delivered."""
    now = now or timezone.now()
    if not claim(delivery_id, now=now, manual=manual):
        return False
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    headers = signing.headers(
        secret=endpoint.secret,
        msg_id=event.webhook_id,
        timestamp=int(now.timestamp()),
        body=delivery.body,
    )
    attempt = DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=now,
        request_headers={k: v for k, v in headers.items() if k != "webhook-signature"},
    )
    try:
        response = http.request("POST", endpoint.url, body=delivery.body.encode(), headers=headers)
    except http.TransportError as exc:
        failed(delivery, attempt, exc, now=now)
        return False
    succeeded(delivery, attempt, response, now=now)
    return True


def succeeded(
    delivery: Delivery, attempt: DeliveryAttempt, response: http.Response, *, now: datetime
) -> None:
    with transaction.atomic():
        attempt.status_code = response.status
        attempt.response_excerpt = response.body[:EXCERPT].decode("utf-8", "replace")
        attempt.duration_ms = response.elapsed_ms
        attempt.save(update_fields=["status_code", "response_excerpt", "duration_ms"])
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED,
            delivered_at=timezone.now(),
            claimed_until=None,
            last_status_code=response.status,
            last_error="",
        )
        Endpoint.objects.filter(pk=delivery.endpoint_id).update(failure_count=0)


def failed(
    delivery: Delivery, attempt: DeliveryAttempt, exc: http.TransportError, *, now: datetime
) -> None:
    # A refused address will not become acceptable by waiting: no retries.
    give_up = delivery.attempts >= MAX_ATTEMPTS or (exc.permanent and exc.status is None)
    with transaction.atomic():
        attempt.status_code = exc.status
        attempt.response_excerpt = exc.body[:EXCERPT].decode("utf-8", "replace")
        attempt.error = str(exc)[:300]
        attempt.save(update_fields=["status_code", "response_excerpt", "error"])
        update = {
            "claimed_until": None,
            "last_status_code": exc.status,
            "last_error": str(exc)[:300],
        }
        if give_up:
            update["status"] = Delivery.Status.FAILED
        else:
            update["next_attempt_at"] = now + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(**update)
        Endpoint.objects.filter(pk=delivery.endpoint_id).update(
            failure_count=F("failure_count") + 1
        )
        logger.warning(
            "webhook delivery %s to endpoint %s, attempt %s: %s",
            delivery.pk,
            delivery.endpoint_id,
            delivery.attempts,
            exc,
        )
        if give_up and delivery.attempts >= MAX_ATTEMPTS:
            disable(delivery.endpoint, reason=f"gave up on delivery {delivery.pk}: {exc}")


def backoff(attempts: int) -> timedelta:
    """The wait after `attempts` failed attempts, give or take JITTER, so the retries of
    many deliveries to one receiver that came back do not arrive all at once."""
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def disable(endpoint: Endpoint, *, reason: str) -> None:
    """Stop sending to an endpoint that failed for about a day, and tell the admins. Its
    pending deliveries wait: re-enabling it in admin sends them."""
    changed = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    if not changed:
        return
    logger.error("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    admins = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if admins:
        url = f"{settings.SITE_URL}/admin/handoff/endpoint/{endpoint.pk}/change/"
        transaction.on_commit(
            lambda: send_mail(
                f"Webhook endpoint disabled: {endpoint}"[:200],
                f"leadrouter stopped sending webhooks to {endpoint.url}\n\n{reason}\n\n"
                f"Fix the receiver, then enable the endpoint again: {url}\n",
                None,
                admins,
                fail_silently=True,
            )
        )


def redeliver(delivery_ids: list[int], *, now: datetime | None = None) -> int:
    """An admin asks for another attempt now (the same webhook-id)."""
    now = now or timezone.now()
    count = Delivery.objects.filter(pk__in=delivery_ids).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, claimed_until=None
    )
    for delivery_id in delivery_ids:
        transaction.on_commit(
            lambda d=delivery_id: async_task("handoff.tasks.redeliver_webhook", d)
        )
    return count


def due(*, now: datetime, limit: int = 500) -> list[int]:
    """Deliveries whose next attempt is due and that nobody is sending (a lost task, a
    killed worker, a retry's time come)."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    # A first attempt's own task may still wait in the queue: give it a minute.
    lost = Q(attempts__gt=0) | Q(created_at__lt=now - timedelta(minutes=1))
    return list(
        Delivery.objects.filter(
            free,
            lost,
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
