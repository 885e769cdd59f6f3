"""Outbound webhooks as Standard Webhooks: signed, with a stable webhook-id, retried."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from handoff import dispatch, payloads, webhooks
from handoff.models import Delivery, Endpoint
from intake import submissions
from intake.models import Channel, Event

pytestmark = pytest.mark.django_db


def submit(**overrides):
    fields = {
        "channel": Channel.API,
        "email": "dana@acme-widgets.com",
        "name": "Dana Buyer",
        "company": "Acme Widgets",
        "message": "We would like a demo for our team of 40 next week; budget $20,000.",
    }
    fields.update(overrides)
    return submissions.ingest_submission(**fields).lead


def test_it_signs_each_delivery_so_standardwebhooks_verifies_it(endpoint, receiver, on_commit):
    with on_commit():
        lead = submit()

    created = [r for r in receiver.received if json.loads(r.body)["type"] == "lead.created"]
    assert len(created) == 1
    request = created[0]
    verified = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert verified["type"] == "lead.created"
    assert verified["version"] == payloads.VERSION
    assert verified["data"]["lead"]["id"] == lead.pk
    assert verified["data"]["lead"]["url"].endswith(f"/leads/{lead.pk}/")
    event = Event.objects.get(lead=lead, kind="lead.created")
    assert request.headers["webhook-id"] == event.webhook_id


def test_it_fails_verification_with_another_secret_or_a_changed_body(endpoint, receiver, on_commit):
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)
    request = receiver.received[-1]

    with pytest.raises(WebhookVerificationError):
        Webhook(Endpoint(url=receiver.url).secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body + b" ", request.headers)


def test_it_retries_a_500_with_the_same_id_and_body_then_stops_at_200(
    endpoint, receiver, on_commit
):
    receiver.answers(500, 200)
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})

    with on_commit():
        dispatch.dispatch_event(event.pk)
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=40)

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhooks.due(now=later) == [delivery.pk]
    assert webhooks.deliver(delivery.pk, now=later)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event.webhook_id
    assert first.body == second.body
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]
    Webhook(endpoint.secret).verify(second.body, second.headers)
    assert [a.status_code for a in delivery.tries.all()] == [500, 200]
    assert webhooks.due(now=later + timedelta(hours=1)) == []


def test_it_does_not_follow_a_redirect(endpoint, receiver, on_commit):
    receiver.answers((302, {"Location": receiver.url + "/elsewhere"}, b""))
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})

    with on_commit():
        dispatch.dispatch_event(event.pk)

    assert len(receiver.received) == 1
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.PENDING and delivery.last_status_code == 302
    assert "redirect" in delivery.last_error


def test_it_sends_an_endpoint_only_the_events_it_chose(receiver, db):
    Endpoint.objects.create(url=receiver.url, events=["lead.status_changed"])
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})

    dispatch.dispatch_event(event.pk)

    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_it_dispatches_an_event_once_however_often_asked(endpoint, receiver, on_commit):
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})

    with on_commit():
        assert dispatch.dispatch_event(event.pk)
    with on_commit():
        assert not dispatch.dispatch_event(event.pk)

    assert len(receiver.received) == 1
