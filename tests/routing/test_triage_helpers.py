"""routing.tasks.triage_lead with helper threads: several waiting leads at once, each once.

Helper threads open their own database connections, so these tests commit (transaction=True).
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django_q.brokers import get_broker
from django_q.conf import Conf

from intake.models import Lead
from routing import inputs, services, tasks
from routing import waiting as waiting_module
from routing.models import BacklogBatch, ModelCall, RoutingPolicy, Triage
from routing.waiting import triage_waiting_leads
from tests.helpers import make_lead
from tests.routing.test_triage import HAIKU, answer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting(fake_anthropic, settings):
    """Five leads awaiting triage whose tasks are queued, not run; the API answers each."""
    Conf.SYNC = False  # intake enqueues each lead's task: left in the queue, purged below
    leads = [
        make_lead(
            sender=f"buyer{n}@company{n}.example",
            subject=f"Seats for team {n}",
            message_id=f"<helpers-{n}@company{n}.example>",
        )
        for n in range(5)
    ]
    get_broker().purge_queue()
    inputs.current_policy()  # seeds the defaults a flushed database lacks
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))
    fake_anthropic.default = lambda request: answer()
    settings.TRIAGE_THREADS = 3
    return leads


def test_it_triages_the_waiting_leads_with_one_task_once_each(waiting, fake_anthropic):
    tasks.triage_lead(waiting[0].pk)

    for lead in waiting:
        lead.refresh_from_db()
        assert lead.status == Lead.Status.NEW
        assert Triage.objects.get(lead=lead).model == HAIKU
    assert ModelCall.objects.count() == len(fake_anthropic.requests) == 5

    # Their own tasks come later and find them decided: nothing more is sent.
    for lead in waiting:
        tasks.triage_lead(lead.pk)
    assert len(fake_anthropic.requests) == 5


def test_it_leaves_leads_a_worker_started_or_a_batch_holds_alone(waiting, fake_anthropic):
    started, in_batch, *fresh = waiting
    # A worker claimed this one and was killed: its task, or the reconciler, takes it again.
    services.claim(started.pk)
    BacklogBatch.objects.create(batch_id="msgbatch_01", model=HAIKU, lead_ids=[in_batch.pk])

    assert triage_waiting_leads(until=float("inf")) == len(fresh)

    assert Triage.objects.get(lead=started).decided_at is None
    assert not Triage.objects.filter(lead=in_batch).exists()
    assert ModelCall.objects.count() == len(fresh)


def test_it_runs_alone_when_tasks_run_inline(waiting, fake_anthropic):
    Conf.SYNC = True

    tasks.triage_lead(waiting[0].pk)

    assert Triage.objects.filter(decided_at__isnull=False).count() == 1


def test_it_pumps_leads_that_arrive_while_its_threads_wait(waiting, fake_anthropic, settings):
    """Once its own lead is decided, a task with a pump slot goes on taking leads as they
    arrive (a steady flow rarely has two waiting at once), then stops when none has come."""
    first, *others = waiting
    for lead in others:  # not there yet: they arrive one by one while the first is triaged
        Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.NEW)
    arrived = []

    def arrive():
        for lead in others:
            time.sleep(0.3)
            Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.AWAITING_TRIAGE)
            arrived.append(lead.pk)
        connection.close()

    feeder = threading.Thread(target=arrive)
    feeder.start()
    tasks.triage_lead(first.pk)
    feeder.join()

    assert len(arrived) == len(others)
    for lead in waiting:
        assert Triage.objects.get(lead=lead).decided_at is not None, lead.pk
    assert len(fake_anthropic.requests) == len(waiting)


def test_it_runs_no_more_pumps_than_half_the_workers(waiting, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    slots = tasks.pump_slots()
    assert slots == 2
    taken, release = [], threading.Event()

    def worker_process():  # a connection of its own, as each worker process has
        slot = waiting_module.take_pump_slot(slots)
        taken.append(slot)
        if slot is not None:
            release.wait(10)
            waiting_module.release_pump_slot(slot)
        connection.close()

    pumps = [threading.Thread(target=worker_process) for _ in range(3)]
    for pump in pumps:
        pump.start()
    deadline = time.monotonic() + 10
    while len(taken) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(taken, key=str) == [0, 1, None]  # the third process works other tasks
    release.set()
    for pump in pumps:
        pump.join()
    # Released (as they are when a pump's process dies with its connection): free again.
    assert waiting_module.take_pump_slot(slots) == 0
    waiting_module.release_pump_slot(0)


def test_it_does_not_pump_for_a_lead_a_pump_had_already_decided(waiting, fake_anthropic):
    first, arriving, *later = waiting
    Lead.objects.filter(pk__in=[lead.pk for lead in later]).update(status=Lead.Status.NEW)
    services.triage_lead(first.pk)  # a pump (or a helper) got there first
    requests = len(fake_anthropic.requests)

    tasks.triage_lead(first.pk)

    # Its task did not become a pump: the lead that arrived waits for its own task.
    assert len(fake_anthropic.requests) == requests
    assert not Triage.objects.filter(lead=arriving).exists()
    tasks.triage_lead(arriving.pk)
    assert Triage.objects.get(lead=arriving).decided_at is not None
