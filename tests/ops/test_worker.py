"""The real django-q2 worker processes what intake stores (no inline tasks here)."""

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf

from intake import services
from intake.models import Lead, Message
from tests.helpers import make_email
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
        processed = wait_for(
            lambda: Message.objects.filter(
                pk=result.message.pk, parse_state=Message.ParseState.PARSED
            ).exists()
        )
    finally:
        output = stop(worker)
    assert processed, output[-3000:]
    lead = Message.objects.get(pk=result.message.pk).lead
    assert lead.status == Lead.Status.AWAITING_TRIAGE
    assert lead.subject == "Pricing for 40 seats"
