"""Outbound requests go only to public addresses unless a setting allows private ones:
loopback, private, link-local (the metadata address) and reserved ranges are refused,
also when a name resolves to them, and nothing is sent."""

import pytest

from handoff import dispatch, http
from handoff.models import Delivery, Endpoint
from intake.models import Event

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://127.0.0.1:9/hook",
    "http://localhost:9/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:9/hook",
    "http://[fd00:ec2::254]/hook",
    "http://[::ffff:127.0.0.1]:9/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0:9/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_a_private_address(url, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(http.TransportError) as refused:
        http.request("POST", url, body=b"{}")

    assert refused.value.permanent and refused.value.status is None
    assert "OUTBOUND_ALLOW_PRIVATE_ADDRESSES" in str(refused.value)


def test_it_refuses_other_schemes(settings):
    with pytest.raises(http.TransportError) as refused:
        http.request("POST", "file:///etc/passwd")
    assert refused.value.permanent


def test_it_reaches_a_local_receiver_only_when_the_setting_allows(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(http.TransportError):
        http.request("POST", receiver.url, body=b"{}")
    assert receiver.received == []

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    assert http.request("POST", receiver.url, body=b"{}").status == 200
    assert len(receiver.received) == 1


def test_it_gives_up_at_once_on_a_refused_endpoint_and_sends_nothing(receiver, settings, on_commit):
    endpoint = Endpoint.objects.create(url=receiver.url)
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    event = Event.objects.create(kind="lead.created", data={"lead_id": None})

    with on_commit():
        dispatch.dispatch_event(event.pk)

    delivery = Delivery.objects.get(event=event, endpoint=endpoint)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "private" in delivery.last_error
    assert receiver.received == []


def test_it_tells_the_admin_form_why_a_url_is_refused(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    assert "loopback" in http.url_refusal("http://localhost:8108/")
    assert http.url_refusal("ftp://example.com/") == "Use an http:// or https:// URL."
