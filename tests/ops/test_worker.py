"""The real django-q2 worker processes what intake stores (no inline tasks here)."""

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf

from intake import services
from intake.models import Message
from tests.helpers import assert_handed_to_triage, make_email
from tests.processes import start_worker, stop, wait_for


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
