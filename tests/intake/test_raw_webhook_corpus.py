"""Every file of the shared mail corpus posted to /webhooks/raw/, as a Postfix pipe would."""

import pytest

from intake.models import Lead, Message
from tests.corpus import expected_flag, split_corpus, stored

AUTH = {"HTTP_AUTHORIZATION": "Bearer corpus-token"}


@pytest.mark.django_db(transaction=True)
def test_it_stores_every_corpus_message_and_flags_the_automatic_ones(client, settings):
    settings.INTAKE_TOKEN = "corpus-token"
    mail, not_mail = split_corpus()

    first_deliveries = []
    for path, raws in mail.items():
        for raw in raws:
            response = client.post("/webhooks/raw/", raw, content_type="message/rfc822", **AUTH)
            assert response.status_code == 202, (path, response.content[:200])
            if not response.json()["duplicate"]:
                first_deliveries.append(raw)
    for path, raw in not_mail:
        response = client.post("/webhooks/raw/", raw, content_type="message/rfc822", **AUTH)
        assert response.status_code == 400, path  # a clear refusal, never a 5xx
        assert "error" in response.json()

    # Each message is stored, processed and in a lead; flagged mail never in a sales queue.
    sales_queue = set(Lead.objects.in_sales_queue().values_list("pk", flat=True))
    flagged = 0
    for path, raws in mail.items():
        for raw in raws:
            message = stored(raw)
            assert message.parse_state != Message.ParseState.PENDING, path
            assert message.lead_id is not None, path
        flag = expected_flag(path)
        if flag:
            message = stored(raws[0])
            assert message.hygiene == flag, path
            assert message.lead_id not in sales_queue, path
            flagged += 1
    assert flagged > 70
    # What was accepted first is kept byte for byte; later copies are duplicates of it.
    assert len(first_deliveries) == Message.objects.count()
    for raw in first_deliveries:
        assert bytes(stored(raw).raw) == raw
