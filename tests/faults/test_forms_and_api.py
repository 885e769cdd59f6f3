"""The embeddable form endpoint and the REST API through gunicorn under production settings."""

import json

import pytest
from rest_framework.authtoken.models import Token

from intake.models import Form, Lead
from tests.faults import stack
from tests.helpers import make_user
from tests.workspace.people import make_rep, sales_lead, support_lead

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
    token = Token.objects.get(key=stack.api_headers()["Authorization"].split()[1])

    def leads(authorization: str | None) -> int:
        headers = {
            **stack.BEHIND_TLS,
            **({"Authorization": authorization} if authorization else {}),
        }
        return web.get("/api/leads/", headers=headers).status

    assert leads(None) == 401
    assert leads("Token not-a-real-token") == 401
    assert leads(f"Token {token.key}") == 200


@pytest.mark.reliability(23)
def test_it_applies_the_workspace_rule_to_every_way_in_to_a_lead(web):
    """A rep who works the sales queue, through the workspace page and the REST API by
    token: their lead is a 200, the support queue's lead a 404 on both with none of its
    text, the list holds only theirs; their session cookie is no API credential (401); a
    token whose user has no role is a 403; an integration token reads both leads."""
    mine, theirs = sales_lead(), support_lead()
    rep = stack.with_password(make_rep("rep-sales", queues=("sales",)))
    browser = stack.sign_in(web, "rep-sales")
    rep_api = {"Authorization": f"Token {Token.objects.create(user=rep).key}", **stack.BEHIND_TLS}
    nobody = make_user("nobody")
    nobody_api = {
        "Authorization": f"Token {Token.objects.create(user=nobody).key}",
        **stack.BEHIND_TLS,
    }

    pages = {lead: browser.get(f"/leads/{lead.pk}/") for lead in (mine, theirs)}
    reads = {lead: web.get(f"/api/leads/{lead.pk}/", headers=rep_api) for lead in (mine, theirs)}
    listed = web.get("/api/leads/", headers=rep_api)
    by_session = browser.get(f"/api/leads/{theirs.pk}/")
    by_nobody = [
        web.get("/api/leads/", headers=nobody_api),
        web.get(f"/api/leads/{mine.pk}/", headers=nobody_api),
    ]
    integration = web.get("/api/leads/", headers=stack.api_headers())

    assert (pages[mine].status, pages[theirs].status) == (200, 404)
    assert (reads[mine].status, reads[theirs].status) == (200, 404)
    for answer in (pages[theirs], reads[theirs], by_session):
        assert b"password reset" not in answer.body
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert by_session.status == 401
    assert [answer.status for answer in by_nobody] == [403, 403]
    assert {row["id"] for row in integration.json()["results"]} == {mine.pk, theirs.pk}


@pytest.mark.reliability(25)
def test_it_scopes_external_ids_to_the_caller_and_drops_nothing_silently(web):
    """Two integration tokens post the same external_id for different contacts: each gets
    its own lead (201) and the second answer holds none of the first's text; the first
    caller resending its body gets its lead (200), and a changed body under its id a 409
    that stores nothing."""
    first_api, second_api = stack.api_headers("crm-sync"), stack.api_headers("portal-sync")
    json_body = {"Content-Type": "application/json"}
    mine = {"email": "dana@acme-widgets.com", "message": "Dana: 40 seats", "external_id": "42"}
    theirs = {"email": "lee@other.example", "message": "Lee: a question", "external_id": "42"}

    def post(headers, body) -> stack.Answer:
        return web.post("/api/leads/", json.dumps(body).encode(), {**headers, **json_body})

    first = post(first_api, mine)
    second = post(second_api, theirs)
    again = post(first_api, mine)
    changed = post(first_api, {**mine, "message": "Dana: 400 seats"})

    assert (first.status, second.status, again.status, changed.status) == (201, 201, 200, 409)
    assert second.json()["id"] != first.json()["id"]
    assert b"Dana" not in second.body
    assert again.json()["id"] == first.json()["id"]
    assert b"external_id" in changed.body
    assert Lead.objects.count() == 2
    assert sorted(Lead.objects.values_list("messages__text", flat=True)) == [
        "Dana: 40 seats",
        "Lee: a question",
    ]
