from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django_q.models import Success
from rest_framework.authtoken.models import Token

from intake import submissions
from intake.models import Channel, Lead, Message
from tests.helpers import assert_handed_to_triage, make_user

pytestmark = pytest.mark.django_db

URL = "/api/leads/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def api():
    user = make_user("crm-sync")
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    token = Token.objects.create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


def submit(email: str, message: str = "Hello", *, channel=Channel.API, at=None, **kwargs) -> Lead:
    lead = submissions.ingest_submission(
        channel=channel, email=email, message=message, **kwargs
    ).lead
    if at is not None:
        Lead.objects.filter(pk=lead.pk).update(received_at=at)
    return lead


def test_it_requires_a_token(client):
    bad = Client(headers={"authorization": "Token not-a-real-token"})
    responses = [
        client.get(URL),
        client.post(URL, {"email": "a@example.com", "message": "hi"}),
        client.get(f"{URL}1/"),
        bad.get(URL),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert not Lead.objects.exists()


def test_it_creates_a_lead_and_enqueues_triage(api, on_commit):
    body = {
        "email": "Dana@Acme-Widgets.com",
        "name": "Dana Buyer",
        "company": "Acme Widgets",
        "subject": "Pricing for 40 seats",
        "message": "Can we get a demo next week?",
        "fields": {"source": "partner-portal"},
    }
    with on_commit():
        response = api.post(URL, body, content_type="application/json")

    assert response.status_code == 201
    data = response.json()
    lead = Lead.objects.get()
    assert data["id"] == lead.pk
    assert data["status"] == "awaiting_triage"  # answered before triage runs on commit
    assert data["channel"] == "api"
    assert data["subject"] == "Pricing for 40 seats"
    assert data["contact"]["email"] == "dana@acme-widgets.com"
    [message] = data["messages"]
    assert message["text"] == "Can we get a demo next week?"
    assert message["from"] == {"email": "dana@acme-widgets.com", "name": "Dana Buyer"}
    assert "raw" not in message
    assert_handed_to_triage(lead)
    assert lead.messages.get().headers == [["source", "partner-portal"]]
    # The routing task ran (synchronously in tests) for this lead.
    assert Success.objects.filter(func="routing.tasks.triage_lead", args=(lead.pk,)).count() == 1


def integration_client(username: str) -> Client:
    user = make_user(username)
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    return Client(headers={"authorization": f"Token {Token.objects.create(user=user).key}"})


def test_it_is_idempotent_on_external_id(api, on_commit):
    body = {"email": "dana@acme-widgets.com", "message": "Demo?", "external_id": "crm-42"}
    with on_commit():
        first = api.post(URL, body, content_type="application/json")
    with on_commit():
        again = api.post(URL, body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    # The same lead, which has since been triaged.
    assert {**first.json(), "status": "new"} == again.json()
    assert Lead.objects.count() == Message.objects.count() == 1
    assert Success.objects.filter(func="routing.tasks.triage_lead").count() == 1


def test_it_answers_409_to_an_external_id_reused_with_another_body(api):
    body = {"email": "dana@acme-widgets.com", "message": "Demo?", "external_id": "crm-42"}
    first = api.post(URL, body, content_type="application/json")
    changes = [
        {**body, "message": "Demo? (resent)"},
        {**body, "email": "lee@other.example"},
        {**body, "fields": {"source": "portal"}},
    ]

    answers = [api.post(URL, change, content_type="application/json") for change in changes]

    assert first.status_code == 201
    assert [answer.status_code for answer in answers] == [409, 409, 409]
    for answer in answers:
        assert answer.json() == {
            "external_id": [
                "This external_id was already used for a different submission "
                f"(lead {first.json()['id']}); send a new external_id for a new lead."
            ]
        }
        assert "Demo?" not in answer.content.decode()
    assert Lead.objects.count() == Message.objects.count() == 1


def test_it_scopes_external_id_to_the_caller(api):
    other = integration_client("portal-sync")
    mine = {"email": "dana@acme-widgets.com", "message": "Dana's secret plan", "external_id": "x"}
    theirs = {"email": "lee@other.example", "message": "Lee's question", "external_id": "x"}

    first = api.post(URL, mine, content_type="application/json")
    second = other.post(URL, theirs, content_type="application/json")
    same_body = other.post(URL, mine, content_type="application/json")  # guessed: no leak

    assert (first.status_code, second.status_code, same_body.status_code) == (201, 201, 409)
    assert second.json()["id"] != first.json()["id"]
    assert second.json()["contact"]["email"] == "lee@other.example"
    assert [m["text"] for m in second.json()["messages"]] == ["Lee's question"]
    assert "Dana" not in second.content.decode() + same_body.content.decode()
    assert Lead.objects.count() == Message.objects.count() == 2
    assert api.post(URL, mine, content_type="application/json").json()["id"] == first.json()["id"]


def test_it_rejects_an_invalid_lead(api):
    response = api.post(
        URL, {"email": "nope", "fields": {"a": "\x00"}}, content_type="application/json"
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"email", "message", "fields"}
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "a@example.com", "message": "hi", "fields": {"\\ud800": "x"}}',
        '{"email": "a@example.com", "message": "hi", "fields": {"\\ud800": null}}',
        '{"email": "a@example.com", "message": "hi", "fields": {"a\\u0000b": "x"}}',
        '{"email": "a@example.com", "message": "hi \\ud800"}',
        '{"email": "a@example.com", "message": "hi", "fields": ["not", "a", "dict"]}',
        '{"email": "a@example.com", "message": "hi", "external_id": {"no": 1}}',
        "[1, 2]",
        "{broken",
    ],
)
def test_it_answers_400_to_unstorable_input(api, body):
    response = api.post(URL, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert not Lead.objects.exists()


def test_it_lists_leads_newest_first_with_filters(api):
    old = submit("old@example.com", at=datetime(2026, 1, 5, tzinfo=UTC))
    form_lead = submit(
        "form@example.com", channel=Channel.FORM, at=datetime(2026, 2, 5, tzinfo=UTC)
    )
    spam = submit(
        "bot@example.com", filtered_reason="honeypot", at=datetime(2026, 3, 5, tzinfo=UTC)
    )
    new = submit("New@Example.com", at=datetime(2026, 4, 5, tzinfo=UTC))

    def ids(query: str) -> list[int]:
        response = api.get(URL + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [new.pk, spam.pk, form_lead.pk, old.pk]
    assert ids("?status=filtered") == [spam.pk]
    assert ids("?channel=form") == [form_lead.pk]
    assert ids("?email=NEW@example.com") == [new.pk]
    assert ids("?received_after=2026-02-01T00:00:00Z") == [new.pk, spam.pk, form_lead.pk]
    assert ids("?received_before=2026-02-05T00:00:00Z") == [old.pk]
    assert ids("?received_after=2026-02-01&received_before=2026-03-31&channel=api") == [spam.pk]
    row = api.get(URL + "?status=awaiting_triage&channel=api").json()["results"][0]
    assert row["contact"]["email"] == "new@example.com"
    assert "messages" not in row


def test_it_rejects_bad_filters(api):
    response = api.get(URL + "?status=hot&received_after=yesterday")

    assert response.status_code == 400
    assert set(response.json()) == {"status", "received_after"}


def test_it_pages_with_a_cursor(api):
    same_time = datetime(2026, 5, 1, tzinfo=UTC)
    leads = [submit(f"p{n}@example.com", at=same_time) for n in range(5)]
    expected = [lead.pk for lead in reversed(leads)]

    seen, url = [], URL + "?page_size=2"
    while url:
        page = api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == expected


def test_it_lists_in_a_bounded_number_of_queries(api, django_assert_num_queries):
    for n in range(3):
        submit(f"few{n}@example.com")
    with django_assert_num_queries(3):  # the token, its user's roles, the page
        assert len(api.get(URL).json()["results"]) == 3

    for n in range(20):
        submit(f"many{n}@example.com", channel=Channel.FORM)
    with django_assert_num_queries(3):
        assert len(api.get(URL).json()["results"]) == 23


def test_it_shows_a_lead_with_its_messages(api, django_assert_num_queries):
    lead = submit("dana@acme-widgets.com", "First <b>question</b>", name="Dana")
    Message.objects.filter(lead=lead).update(html="<p>sanitised</p>", raw=b"secret raw bytes")

    with django_assert_num_queries(4):  # the token, its user's roles, the lead, its messages
        response = api.get(f"{URL}{lead.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["id"] == lead.pk
    [message] = data["messages"]
    assert set(message) == {
        "id",
        "channel",
        "provider",
        "message_id",
        "subject",
        "from",
        "text",
        "html",
        "sent_at",
        "received_at",
        "hygiene",
        "parse_state",
    }
    assert message["text"] == "First <b>question</b>"
    assert message["html"] == "<p>sanitised</p>"
    assert message["parse_state"] == "parsed"
    assert "secret raw bytes" not in response.content.decode()
    assert api.get(f"{URL}{lead.pk + 1000}/").status_code == 404


def test_it_sends_no_cors_headers(api):
    response = api.get(URL, HTTP_ORIGIN="https://www.example.com")

    assert response.status_code == 200
    assert not any(name.lower().startswith("access-control-") for name in response.headers)
