"""routing.tasks.triage_lead with helper threads: several waiting leads at once, each once.

Helper threads open their own database connections, so these tests commit (transaction=True).
"""

from decimal import Decimal

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf

from intake.models import Lead
from routing import inputs, services, tasks
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
