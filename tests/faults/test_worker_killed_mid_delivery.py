"""SIGKILL of the qcluster while a webhook request is in flight."""

import threading
import time

import pytest
from django.db import transaction
from django.utils import timezone

from handoff import tasks
from handoff.models import Delivery, Endpoint
from intake import events
from intake.models import Event
from tests.fakes.receiver import Receiver
from tests.processes import kill_hard, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.reliability(30)
def test_it_delivers_again_with_the_same_webhook_id_after_the_worker_is_killed(workers, settings):
    """An event's webhook request hangs at the receiver; the worker is SIGKILLed: after the
    delivery's lease, the sweeper sends it again from a new worker with the same webhook-id
    and body, the interrupted attempt on record: delivered at least once, never lost."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 3
    release = threading.Event()
    env = {"OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "1", "OUTBOUND_TIMEOUT_SECONDS": "3"}
    with Receiver() as receiver:
        # The first request hangs (until the test ends); the next is answered 200.
        receiver.answers(lambda request: (release.wait(60), 200)[1])
        Endpoint.objects.create(url=receiver.url, events=["lead.created"])
        worker = workers(**env)
        with transaction.atomic():
            event = events.record_event(kind=events.Kind.LEAD_CREATED, lead_id=None)
        try:
            hung = wait_for(lambda: len(receiver.received) == 1, timeout=60)
            assert hung, worker.log.read_text()[-3000:]
            kill_hard(worker)
            delivery = Delivery.objects.get(event=event)
            assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1

            # The lease the killed worker held runs out; the sweeper's next round finds it.
            time.sleep(max(0, (delivery.claimed_until - timezone.now()).total_seconds()) + 0.5)
            assert tasks.sweep()["deliveries"] == 1
            worker = workers(**env)
            delivered = wait_for(
                lambda: Delivery.objects.filter(
                    pk=delivery.pk, status=Delivery.Status.DELIVERED
                ).exists(),
                timeout=90,
            )
            assert delivered, worker.log.read_text()[-3000:]
        finally:
            release.set()

    first, second = receiver.received
    event = Event.objects.get(pk=event.pk)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event.webhook_id
    assert first.body == second.body
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    interrupted, done = delivery.tries.all()
    assert interrupted.status_code is None and done.status_code == 200
