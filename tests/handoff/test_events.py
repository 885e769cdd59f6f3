"""Each event a lead goes through is recorded in the transaction of its change and sent to
the endpoints that chose it, signed, with its documented payload."""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django_q.brokers import get_broker
from django_q.conf import Conf
from standardwebhooks.webhooks import Webhook

from handoff import payloads
from intake import events, outbound
from intake.models import Event, Lead
from routing import services
from routing.models import Queue, QueueMembership
from tests.handoff.test_webhook_delivery import submit
from tests.helpers import make_lead, make_user
from workspace import actions

pytestmark = pytest.mark.django_db


def received(receiver, endpoint, kind):
    bodies = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.received]
    return [body for body in bodies if body["type"] == kind]


def test_it_sends_created_triaged_status_and_assigned_for_a_new_email(
    endpoint, receiver, on_commit
):
    rep = make_user("ada")
    QueueMembership.objects.create(queue=Queue.objects.get(slug="sales"), user=rep)

    with on_commit():
        lead = make_lead()

    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW and lead.triage.assignee == rep
    kinds = [json.loads(r.body)["type"] for r in receiver.received]
    assert kinds == ["lead.created", "lead.triaged", "lead.status_changed", "lead.assigned"]
    triaged = received(receiver, endpoint, "lead.triaged")[0]
    assert triaged["data"]["lead"]["triage"]["category"] == lead.triage.category
    assert triaged["data"]["lead"]["triage"]["summary"] == lead.triage.summary
    assert triaged["data"]["lead"]["contact"]["email"] == "dana@acme-widgets.com"
    changed = received(receiver, endpoint, "lead.status_changed")[0]
    assert (changed["data"]["from"], changed["data"]["to"]) == ("awaiting_triage", "new")
    assigned = received(receiver, endpoint, "lead.assigned")[0]
    assert assigned["data"]["assignee"]["username"] == "ada"
    assert assigned["data"]["by"] is None  # the queue's rotation, not a person


def test_it_sends_lead_created_for_a_form_or_api_submission(endpoint, receiver, on_commit):
    with on_commit():
        lead = submit()

    created = received(receiver, endpoint, "lead.created")
    assert [c["data"]["lead"]["id"] for c in created] == [lead.pk]
    assert created[0]["data"]["channel"] == "api"


def test_it_sends_a_rep_s_claim_assignment_and_status_change(endpoint, receiver, on_commit):
    sales = Queue.objects.get(slug="sales")
    rep, other = make_user("ada"), make_user("bo")
    for user in (rep, other):
        user.groups.add(Group.objects.get_or_create(name="sales")[0])
        QueueMembership.objects.create(queue=sales, user=user, capacity=0)  # no rotation
    with on_commit():
        lead = make_lead()
    lead.refresh_from_db()
    receiver.received.clear()

    with on_commit():
        actions.claim_lead(lead, rep)
    with on_commit():
        actions.set_status(lead, rep, "working")
    with on_commit():
        actions.assign_lead(Lead.objects.get(pk=lead.pk), rep, other.pk)

    kinds = [json.loads(r.body)["type"] for r in receiver.received]
    assert kinds == ["lead.assigned", "lead.status_changed", "lead.assigned"]
    claimed, handed = received(receiver, endpoint, "lead.assigned")
    assert claimed["data"]["assignee"]["username"] == "ada"
    assert claimed["data"]["by"]["username"] == "ada"
    assert handed["data"]["assignee"]["username"] == "bo"
    changed = received(receiver, endpoint, "lead.status_changed")[0]
    assert (changed["data"]["from"], changed["data"]["to"]) == ("new", "working")
    assert changed["data"]["lead"]["status"] == "working"


def test_it_records_no_event_for_a_change_that_was_rolled_back(db):
    lead = make_lead()
    before = Event.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.set_status(lead, make_user("ada"), "working")
        raise RuntimeError("the request failed after the change")

    assert Event.objects.count() == before
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.AWAITING_TRIAGE


def test_it_sends_lead_replied_from_the_reply_hook(endpoint, receiver, on_commit):
    lead = make_lead()

    with on_commit():
        events.record_event(
            kind=events.Kind.LEAD_REPLIED, lead_id=lead.pk, data={"reply_id": 7, "by": "ada"}
        )

    replied = received(receiver, endpoint, "lead.replied")[0]
    assert replied["data"]["reply"] == {"reply_id": 7, "by": "ada"}
    assert replied["version"] == payloads.VERSION


def test_it_sends_lead_replied_when_a_rep_s_reply_is_sent(
    endpoint, receiver, on_commit, mailoutbox
):
    lead = make_lead()
    rep = make_user("ada")
    with on_commit():
        reply = outbound.store_outbound(
            lead=lead,
            from_name="Ada",
            to=[lead.contact.email],
            subject="Re: hi",
            body="Hello",
            sender=rep,
        )
    # Sent by its task on commit (the test's worker runs it at once).
    assert len(mailoutbox) == 1
    replied = received(receiver, endpoint, "lead.replied")[0]
    assert replied["data"]["reply"]["message_id"] == reply.message.message_id
    assert replied["data"]["reply"]["by"] == "ada"
    with on_commit():
        assert not outbound.deliver(reply.pk)  # a redelivered task sends and says nothing
    assert len(received(receiver, endpoint, "lead.replied")) == 1


def test_it_never_offers_sla_alerts_to_webhook_endpoints(endpoint, receiver, on_commit):
    endpoint.events = [*endpoint.events, "lead.sla_warning"]
    endpoint.save()
    lead = make_lead()

    with on_commit():
        events.record_event(kind=events.Kind.SLA_WARNING, lead_id=lead.pk)

    assert receiver.received == []


def test_it_hands_a_decision_off_in_the_deciding_worker_not_through_the_queue(on_commit):
    """A decision's events are dispatched right after its commit by the worker that decided,
    a queue's wait sooner; a change from elsewhere (here: the new lead) goes as a task."""
    Conf.SYNC = False  # tasks are queued, not run: only what ran inline is dispatched
    try:
        with on_commit():
            lead = make_lead()
        created = Event.objects.get(lead=lead, kind=Event.Kind.LEAD_CREATED)
        assert created.dispatched_at is None  # its task waits in the queue
        with on_commit():
            services.triage_lead(lead.pk)
    finally:
        Conf.SYNC = True
        get_broker().purge_queue()
    decision = Event.objects.filter(lead=lead).exclude(kind=Event.Kind.LEAD_CREATED)
    assert {event.kind for event in decision} >= {Event.Kind.LEAD_TRIAGED}
    assert all(event.dispatched_at is not None for event in decision)
    created.refresh_from_db()
    assert created.dispatched_at is None
