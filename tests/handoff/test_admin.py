"""The hand-off in admin: every list opens, an endpoint's URL is checked, and the delivery
log's redeliver action sends the delivery again with the same webhook-id."""

import pytest
from django.contrib.auth.models import User

from handoff import dispatch
from handoff.models import Delivery, Endpoint
from intake.models import Event

pytestmark = pytest.mark.django_db

PAGES = ["endpoint", "delivery", "queuechannel", "preference", "notification", "crmrecord"]


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@leadrouter.test", "pw-1-x"))
    return client


@pytest.mark.parametrize("model", PAGES)
def test_it_lists_each_record(admin_client, endpoint, on_commit, model):
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)

    assert admin_client.get(f"/admin/handoff/{model}/").status_code == 200
    if model == "delivery":
        delivery = Delivery.objects.get()
        page = admin_client.get(f"/admin/handoff/delivery/{delivery.pk}/change/")
        assert event.webhook_id in page.content.decode()


def test_it_redelivers_from_the_delivery_log(admin_client, endpoint, receiver, on_commit):
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})
    with on_commit():
        dispatch.dispatch_event(event.pk)
    delivery = Delivery.objects.get()

    with on_commit():
        answer = admin_client.post(
            "/admin/handoff/delivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    assert answer.status_code == 302
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.webhook_id] * 2


def test_it_refuses_a_private_url_in_the_endpoint_form(admin_client, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False

    answer = admin_client.post(
        "/admin/handoff/endpoint/add/",
        {
            "url": "http://169.254.169.254/latest/",
            "events": ["lead.created"],
            "enabled": "on",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        },
    )

    assert answer.status_code == 200
    assert "link-local" in answer.content.decode()
    assert not Endpoint.objects.exists()
