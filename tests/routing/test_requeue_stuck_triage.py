"""routing.reconcile.requeue_stuck_triage: the scheduled reconciler."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import Lead
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
