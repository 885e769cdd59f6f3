"""Password reset does the same work in the request for an address with an account and one
without (RELIABILITY.md #28): both enqueue one task and nothing else, so the answer's timing
says nothing about who has an account; the worker sends the mail, or nothing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.brokers import get_broker
from django_q.conf import Conf

from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def test_it_enqueues_the_same_for_known_and_unknown_addresses(client, broker, mailoutbox):
    make_user("dana")
    done = []
    for email in ["dana@leadrouter.test", "nobody@example.com"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/password_reset/", {"email": email})
        done.append((response.status_code, response["Location"], len(queries)))

    assert done[0] == done[1] == (302, "/password_reset/done/", done[0][2])
    assert broker.queue_size() == 2
    # Nothing is looked up or sent in the request: the worker does that.
    assert mailoutbox == []


def test_it_mails_a_working_link_from_the_task_only_to_an_account(client, mailoutbox):
    make_user("dana")
    client.post("/password_reset/", {"email": "nobody@example.com"})
    assert mailoutbox == []

    client.post("/password_reset/", {"email": "dana@leadrouter.test"})

    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/reset/\S+)", mailoutbox[0].body).group(1)
    assert b"Choose a new password" in client.get(link, follow=True).content
