"""Who gets a triaged lead: the queue's strategy, and a fresh choice on every decision."""

from decimal import Decimal

import pytest

from routing import services
from routing.models import Queue, QueueMembership, RoutingPolicy
from tests.helpers import make_lead, make_user
from tests.routing.test_triage import answer


@pytest.fixture(autouse=True)
def no_audits(db):
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))


def test_it_assigns_afresh_when_a_provisional_decision_is_replaced(fake_anthropic):
    sales = Queue.objects.get(slug="sales")  # least loaded, and demo requests go there
    assert sales.strategy == Queue.Strategy.LEAST_LOADED
    first, second = make_user("ada"), make_user("bo")
    ada = QueueMembership.objects.create(queue=sales, user=first)
    QueueMembership.objects.create(queue=sales, user=second)
    lead = make_lead()
    for _ in range(3):
        fake_anthropic.overloaded()

    provisional = services.triage_lead(lead.pk)

    assert provisional.provisional and provisional.queue == sales
    assert provisional.assignee == first  # equal loads: the lower user id
    # Before the API comes back, Ada leaves the sales queue.
    ada.is_active = False
    ada.save()
    fake_anthropic.reply(answer())

    final = services.triage_lead(lead.pk)

    assert not final.provisional and final.queue == sales
    assert final.assignee == second
