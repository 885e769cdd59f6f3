"""A receiver that keeps failing: retried with backoff for about a day, then the endpoint
is disabled and the admins are told; re-enabling it in admin sends what waited."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from handoff import dispatch, webhooks
from handoff.models import Delivery, Endpoint
from intake.models import Event

pytestmark = pytest.mark.django_db


def test_it_backs_off_exponentially_with_jitter():
    waits = [webhooks.backoff(n) for n in range(1, webhooks.MAX_ATTEMPTS)]

    for wait, base in zip(waits, webhooks.RETRY_DELAYS, strict=True):
        assert base * 0.8 <= wait <= base * 1.2
    assert timedelta(hours=20) < sum(webhooks.RETRY_DELAYS, timedelta()) < timedelta(hours=30)


def test_it_disables_an_endpoint_that_failed_for_a_day_and_tells_the_admins(
    endpoint, receiver, on_commit, mailoutbox
):
    User.objects.create_superuser("root", "root@leadrouter.test", "pw-for-tests-1")
    receiver.default = 500
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)
    delivery = Delivery.objects.get(event=event)

    now = timezone.now()
    while True:
        delivery.refresh_from_db()
        if delivery.status != Delivery.Status.PENDING:
            break
        now = delivery.next_attempt_at + timedelta(seconds=1)
        with on_commit():
            webhooks.deliver(delivery.pk, now=now)

    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.received)
    assert now - delivery.created_at > timedelta(hours=20)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.failure_count == webhooks.MAX_ATTEMPTS
    assert "gave up" in endpoint.disabled_reason
    assert [m.to for m in mailoutbox] == [["root@leadrouter.test"]]
    assert endpoint.url in mailoutbox[0].body


def test_it_keeps_deliveries_of_a_disabled_endpoint_until_it_is_enabled_again(
    endpoint, receiver, on_commit
):
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)
    assert not Delivery.objects.exists()  # a disabled endpoint takes no new events

    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=True)
    later = Event.objects.create(kind="lead.created", data={"lead_id": None})
    receiver.answers(503)
    with on_commit():
        dispatch.dispatch_event(later.pk)
    delivery = Delivery.objects.get(event=later)
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    due_time = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhooks.due(now=due_time) == []
    assert not webhooks.deliver(delivery.pk, now=due_time)

    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=True)
    assert webhooks.due(now=due_time) == [delivery.pk]
    assert webhooks.deliver(delivery.pk, now=due_time)


def test_it_redelivers_on_request_with_the_same_webhook_id(endpoint, receiver, on_commit):
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)
    delivery = Delivery.objects.get(event=event, status=Delivery.Status.DELIVERED)

    with on_commit():
        assert webhooks.redeliver([delivery.pk]) == 1

    assert [r.headers["webhook-id"] for r in receiver.received] == [event.webhook_id] * 2
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2


def test_it_sweeps_up_an_event_whose_hand_off_task_was_lost(endpoint, receiver, on_commit):
    # Recorded, but its on-commit task never ran (a killed web process, a lost task).
    event = Event.objects.create(
        kind="lead.created",
        data={"lead_id": None},
        created_at=timezone.now() - timedelta(minutes=5),
    )
    from handoff import tasks

    with on_commit():
        swept = tasks.sweep()

    assert swept["events"] == 1
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.webhook_id]
