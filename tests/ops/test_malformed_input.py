"""Malformed input to the endpoints that are not provider webhooks (RELIABILITY.md #27): deep
JSON, impossible dates and cursors are answered 4xx with a reason, never a 500."""

import base64
import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token

from intake.models import Form, Lead
from tests.helpers import make_user
from tests.workspace.people import make_rep

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def api():
    user = make_user("integration")
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    token = Token.objects.create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"}, raise_request_exception=False)


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def test_it_refuses_deeply_nested_json_on_the_form_endpoint(anonymous):
    Form.objects.create(slug="pricing", name="Pricing", allowed_origins="")
    body = '{"email": "dana@acme-widgets.com", "message": ' + "[" * 5000 + "]" * 5000 + "}"

    response = anonymous.post("/api/forms/pricing/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize("body", [DEEP, '{"email": "a@b.com", "fields": ' + DEEP + "}"])
def test_it_refuses_deeply_nested_json_on_the_rest_api(api, body):
    response = api.post("/api/leads/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_it_still_reads_ordinary_nesting(api):
    body = {"email": "dana@acme-widgets.com", "message": "Hi", "fields": {"source": "portal"}}

    response = api.post("/api/leads/", json.dumps(body), content_type="application/json")

    assert response.status_code == 201


def cursor(position: str) -> str:
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.mark.parametrize(
    "position", ["99999999999-01-01", "0000-00-00", "2026-02-30T10:00:00Z", "not a date"]
)
def test_it_refuses_a_cursor_whose_position_is_not_a_time(api, position):
    response = api.get("/api/leads/", {"cursor": cursor(position)})

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_it_follows_a_real_cursor(api):
    for n in range(3):
        body = {"email": f"lead{n}@acme-widgets.com", "message": "Hi"}
        api.post("/api/leads/", json.dumps(body), content_type="application/json")

    first = api.get("/api/leads/", {"page_size": 2}).json()
    second = api.get(first["next"])

    assert second.status_code == 200
    assert len(second.json()["results"]) == 1


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:04+00:00"])
def test_it_refuses_a_poll_since_the_edge_of_time(since):
    client = Client(raise_request_exception=False)
    client.force_login(make_rep())

    response = client.get("/queue/updates/", {"since": since})

    assert response.status_code == 400
    assert "since" in response.content.decode()
