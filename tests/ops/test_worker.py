"""The real django-q2 worker processes what intake stores (no inline tasks here)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

from intake import services
from intake.models import Message
from routing import reconcile
from routing.models import ModelCall, ModelPrice, Triage
from tests.fakes.anthropic import FakeAnthropic
from tests.helpers import assert_handed_to_triage, make_email, make_lead
from tests.processes import kill_hard, start_worker, stop, wait_for
from tests.routing.test_triage import answer

TRIAGE_ANSWER = answer()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_processes_stored_mail_in_a_real_qcluster():
    Conf.SYNC = False
    get_broker().purge_queue()
    result = services.ingest_email(raw=make_email(), provider="raw")
    assert result.message.parse_state == Message.ParseState.PENDING

    worker = start_worker()
    try:
        # Both hops run in the worker: processing, then the triage it enqueues.
        processed = wait_for(
            lambda: Message.objects.filter(
                pk=result.message.pk,
                parse_state=Message.ParseState.PARSED,
                lead__triage__decided_at__isnull=False,
            ).exists()
        )
    finally:
        output = stop(worker)
    assert processed, output[-3000:]
    lead = Message.objects.get(pk=result.message.pk).lead
    assert_handed_to_triage(lead)
    assert lead.subject == "Pricing for 40 seats"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_triages_a_lead_once_after_the_worker_is_killed_mid_call(settings):
    """RELIABILITY 20: SIGKILL mid-triage; the task runs again; one Triage; one ModelCall
    row per request the API really received, the interrupted one included."""
    Conf.SYNC = False
    get_broker().purge_queue()
    settings.TRIAGE_RETRY_AFTER_SECONDS = 0
    # Transactional tests start from flushed tables: the seeded price rows are gone.
    ModelPrice.objects.get_or_create(
        model="claude-haiku-5-5",
        effective_from=date(2026, 1, 1),
        defaults=dict(
            input_per_mtok=Decimal("0.10"),
            output_per_mtok=Decimal("0.50"),
            cache_write_5m_per_mtok=Decimal("0.125"),
            cache_write_1h_per_mtok=Decimal("0.20"),
            cache_read_per_mtok=Decimal("0.01"),
        ),
    )
    lead = make_lead()
    with FakeAnthropic() as fake:
        fake.slow(20)  # the first call hangs: the worker is killed while waiting for it
        fake.default = lambda request: TRIAGE_ANSWER
        env = {
            "ANTHROPIC_API_KEY": "sk-test",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "Q_TIMEOUT": "3",  # the lease a claim takes lasts this long
            "Q_RETRY": "5",
        }
        async_task("routing.tasks.triage_lead", lead.pk)
        worker = start_worker(**env)
        assert wait_for(lambda: len(fake.requests_to("/v1/messages")) == 1), stop(worker)
        kill_hard(worker)
        assert not Triage.objects.filter(lead=lead, decided_at__isnull=False).exists()

        # The killed worker's lease (routing.lease.HELD_LEASE, a minute) runs out: the clock
        # moves on, as the test cannot wait for it.
        Triage.objects.filter(lead=lead).update(claimed_until=timezone.now() - timedelta(seconds=1))
        # With the database broker the held task comes back by itself after Q_RETRY; the
        # Redis broker loses it, and the reconciler re-enqueues it. Either way, once.
        reconcile.requeue_stuck_triage()
        worker = start_worker(**env)
        try:
            decided = wait_for(
                lambda: Triage.objects.filter(lead=lead, decided_at__isnull=False).exists(),
                timeout=40,
            )
        finally:
            output = stop(worker)
        assert decided, output[-3000:]

        triage = Triage.objects.get(lead=lead)
        assert triage.model == "claude-haiku-5-5"
        requests = len(fake.requests_to("/v1/messages"))
    assert requests == 2
    calls = ModelCall.objects.filter(lead=lead).order_by("pk")
    assert calls.count() == requests
    assert calls[0].completed_at is None and "interrupted" in calls[0].error
    assert calls[1].completed_at is not None and calls[1].cost_usd is not None
