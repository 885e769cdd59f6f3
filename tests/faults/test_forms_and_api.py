"""The embeddable form endpoint and the REST API through gunicorn under production settings."""

import json

import pytest
from rest_framework.authtoken.models import Token

from intake.models import Form, Lead
from tests.faults import stack
from tests.helpers import make_user

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ORIGIN = "https://www.example.com"
FORM_URL = "/api/forms/pricing/"


def submit(web: stack.Http, n: int, **extra) -> stack.Answer:
    data = {"email": f"dana{n}@acme-widgets.com", "name": "Dana", "message": "Pricing, please."}
    headers = {"Content-Type": "application/json", "Origin": ORIGIN}
    return web.post(FORM_URL, json.dumps({**data, **extra}).encode(), headers)


@pytest.mark.reliability(13)
def test_it_answers_a_honeypot_like_a_person_and_429_over_the_rate_limit(web):
    """A filled honeypot gets the normal success answer and no lead in a sales queue; past
    the per-address rate limit the form answers 429 and stores nothing more; CORS answers
    the allowed origin, never with credentials."""
    Form.objects.create(slug="pricing", name="Pricing", allowed_origins=ORIGIN)

    trapped = submit(web, 0, website="http://cheap-pills.example")
    answers = [submit(web, n) for n in range(1, 13)]

    assert trapped.status == 201 and trapped.json()["ok"] is True
    assert Lead.objects.get(contact__email="dana0@acme-widgets.com").status == Lead.Status.FILTERED
    statuses = [answer.status for answer in answers]
    accepted = statuses.count(201)
    assert statuses == [201] * accepted + [429] * (len(statuses) - accepted), statuses
    assert 0 < accepted < len(statuses)
    assert Lead.objects.count() == 1 + accepted
    assert answers[0].headers.get("access-control-allow-origin") == ORIGIN
    assert "access-control-allow-credentials" not in answers[0].headers


@pytest.mark.reliability(15)
def test_it_answers_401_to_the_api_without_a_token(web):
    """GET /api/leads/ without a token, or with a wrong one, is a 401; with a token, a 200."""
    token = Token.objects.create(user=make_user("api-reader"))

    def leads(authorization: str | None) -> int:
        headers = {
            **stack.BEHIND_TLS,
            **({"Authorization": authorization} if authorization else {}),
        }
        return web.get("/api/leads/", headers=headers).status

    assert leads(None) == 401
    assert leads("Token not-a-real-token") == 401
    assert leads(f"Token {token.key}") == 200
