"""routing.reconcile.requeue_stuck_triage: the scheduled reconciler."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import Lead
from intake.services import GONE_AFTER
from routing import reconcile
from routing.models import BacklogBatch, Triage
from tests.helpers import make_lead


@pytest.fixture
def stuck_leads(db, settings):
    """Two leads received an hour ago whose triage task was lost (no Triage row)."""
    settings.TRIAGE_RETRY_AFTER_SECONDS = 300
    leads = [
        make_lead(
            sender=f"buyer{n}@company{n}.example",
            subject=f"Seats for team {n}",
            message_id=f"<stuck-{n}@company{n}.example>",
        )
        for n in range(2)
    ]
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(
        received_at=timezone.now() - timedelta(hours=1)
    )
    return leads


def test_it_leaves_a_lead_inside_an_unfinished_backlog_batch_to_the_batch(stuck_leads):
    in_batch, alone = stuck_leads
    BacklogBatch.objects.create(
        batch_id="msgbatch_01", model="claude-haiku-5-5", lead_ids=[in_batch.pk]
    )

    # Tasks run inline in tests: a requeued lead is triaged (locally: no API key) at once.
    assert reconcile.requeue_stuck_triage() == 1

    assert Triage.objects.get(lead=alone).decided_at is not None
    assert not Triage.objects.filter(lead=in_batch).exists()
    in_batch.refresh_from_db()
    assert in_batch.status == Lead.Status.AWAITING_TRIAGE


def test_it_takes_the_lead_back_once_its_batch_is_applied(stuck_leads):
    in_batch, _ = stuck_leads
    BacklogBatch.objects.create(
        batch_id="msgbatch_01",
        model="claude-haiku-5-5",
        lead_ids=[in_batch.pk],
        applied_at=timezone.now(),  # applied, but its result for this lead errored
    )

    assert reconcile.requeue_stuck_triage() == 2

    assert Triage.objects.get(lead=in_batch).decided_at is not None


@pytest.fixture
def empty_queue(settings):
    """The real broker with nothing waiting in it (tasks run inline in tests)."""
    from django_q.brokers import get_broker

    get_broker().purge_queue()


def test_it_takes_back_a_lead_whose_lease_ran_out_at_once(db, settings, empty_queue):
    """A worker killed mid-triage: once its lease has run out no worker is on the lead,
    so the reconciler does not wait TRIAGE_RETRY_AFTER_SECONDS more."""
    settings.TRIAGE_RETRY_AFTER_SECONDS = 300
    lead = make_lead()
    Triage.objects.create(
        lead=lead, attempts=1, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    held = make_lead(sender="held@other.example", message_id="<held@other.example>")
    Triage.objects.create(
        lead=held, attempts=1, claimed_until=timezone.now() + timedelta(minutes=4)
    )

    assert reconcile.requeue_stuck_triage() == 1

    assert Triage.objects.get(lead=lead).decided_at is not None
    assert Triage.objects.get(lead=held).decided_at is None  # its worker still has it


def test_it_takes_back_an_unclaimed_lead_after_a_minute_when_nothing_waits(
    db, settings, empty_queue
):
    settings.TRIAGE_RETRY_AFTER_SECONDS = 300
    lost = make_lead()
    Lead.objects.filter(pk=lost.pk).update(
        received_at=timezone.now() - GONE_AFTER - timedelta(seconds=5)
    )
    make_lead(sender="new@other.example", message_id="<new@other.example>")

    assert reconcile.requeue_stuck_triage() == 1

    assert Triage.objects.get(lead=lost).decided_at is not None


def test_it_waits_for_an_unclaimed_lead_while_tasks_wait_in_the_queue(db, settings, empty_queue):
    from django_q.brokers import get_broker

    settings.TRIAGE_RETRY_AFTER_SECONDS = 300
    lead = make_lead()
    Lead.objects.filter(pk=lead.pk).update(
        received_at=timezone.now() - GONE_AFTER - timedelta(seconds=5)
    )
    queue = get_broker()
    queue.enqueue("a task still waiting")
    try:
        assert reconcile.requeue_stuck_triage() == 0
    finally:
        queue.purge_queue()
