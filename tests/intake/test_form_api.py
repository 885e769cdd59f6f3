import json
import time

import pytest
from django.core.cache import cache
from django.test import Client

from intake.forms import issue_timestamp
from intake.models import Channel, Form, Lead
from tests.helpers import assert_handed_to_triage, make_user

pytestmark = pytest.mark.django_db

URL = "/api/forms/pricing/"
ORIGIN = "https://www.example.com"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def form():
    return Form.objects.create(
        slug="pricing",
        name="Pricing",
        allowed_origins="https://www.example.com\nhttps://shop.example.com/\n",
        default_queue="sales-emea",
        fields=[{"name": "budget", "label": "Budget", "max_length": 20}],
        success_message="Thanks! We reply within a day.",
    )


def payload(**overrides) -> dict:
    data = {
        "email": "dana@acme-widgets.com",
        "name": "Dana Buyer",
        "company": "Acme Widgets",
        "message": "Pricing for 40 seats, please.",
        "budget": "50k",
    }
    data.update(overrides)
    return data


def post_json(client, data, origin=ORIGIN, **extra):
    if origin:
        extra["HTTP_ORIGIN"] = origin
    return client.post(URL, json.dumps(data), content_type="application/json", **extra)


def test_it_accepts_json_from_an_allowed_origin(client, form, on_commit):
    with on_commit():
        response = post_json(client, payload())

    assert response.status_code == 201
    assert response.json() == {"ok": True, "message": "Thanks! We reply within a day."}
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response
    lead = Lead.objects.get()
    assert_handed_to_triage(lead)
    assert (lead.channel, lead.form, lead.queue_hint) == (Channel.FORM, form, "sales-emea")
    message = lead.messages.get()
    assert message.provider == "form:pricing"
    assert message.text == "Pricing for 40 seats, please."
    assert message.headers == [["budget", "50k"]]
    assert message.provider_payload["origin"] == ORIGIN


def test_it_accepts_a_form_encoded_body(client, form):
    response = client.post(URL, payload(), HTTP_ORIGIN="https://shop.example.com")

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert Lead.objects.get().contact.name == "Dana Buyer"


def test_it_accepts_a_server_side_post_without_an_origin(client, form):
    response = post_json(client, payload(), origin=None)

    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://www.example.com", "null", "https://example.com"]
)
def test_it_rejects_a_disallowed_origin(client, form, origin):
    response = post_json(client, payload(), origin=origin)

    assert response.status_code == 403
    assert response.json()["error"]
    assert "Access-Control-Allow-Origin" not in response
    assert not Lead.objects.exists()


def test_it_answers_the_preflight(client, form):
    response = client.options(
        URL,
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_it_refuses_the_preflight_from_a_disallowed_origin(client, form):
    response = client.options(
        URL, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_it_sets_no_cookies(client, form):
    for response in [
        post_json(client, payload()),
        post_json(client, payload(email="bad")),
        post_json(client, payload(), origin="https://evil.example"),
    ]:
        assert not response.cookies, response.status_code
        assert "Set-Cookie" not in response


def test_it_treats_a_staff_session_as_anonymous(form, on_commit):
    staff = make_user("boss", staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    session_cookie = client.cookies["sessionid"].value

    with on_commit():
        response = post_json(client, payload())

    # Works without a CSRF token (no cookie is trusted here), and sets nothing.
    assert response.status_code == 201
    assert response.json() == {"ok": True, "message": "Thanks! We reply within a day."}
    assert not response.cookies
    assert client.cookies["sessionid"].value == session_cookie
    lead = Lead.objects.get()
    assert lead.contact.email == "dana@acme-widgets.com"
    assert_handed_to_triage(lead)
    assert "api_user" not in lead.messages.get().provider_payload
    # The session does not open the origin check either.
    assert post_json(client, payload(), origin="https://evil.example").status_code == 403


def test_it_returns_field_errors_as_json(client, form):
    response = post_json(client, payload(email="not-an-email", message="", budget="x" * 21))

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    errors = response.json()["errors"]
    assert errors["email"] == ["Enter a valid email address."]
    assert errors["message"] == ["This field is required."]
    assert errors["budget"] == ["Ensure this value has at most 20 characters (it has 21)."]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", {"error": "The body is not valid JSON."}),
        ('["a list"]', {"error": "The body must be a JSON object."}),
        (
            '{"email": "dana@acme-widgets.com", "message": {"nested": 1}}',
            {"errors": {"message": ["Expected text."]}},
        ),
        (
            '{"email": "dana@acme-widgets.com", "message": "hi \\ud800"}',
            {"errors": {"message": ["Contains characters that are not valid Unicode."]}},
        ),
        ('{"\\ud800": [1]}', {"errors": {"\ud800": ["Expected text."]}}),
    ],
)
def test_it_rejects_an_unreadable_json_body(client, form, body, expected):
    response = client.post(URL, body, content_type="application/json", HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 400
    assert response.json() == expected
    assert not Lead.objects.exists()


def test_it_rejects_a_null_character(client, form):
    response = post_json(client, payload(name="Dana\x00"))

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == ["Null characters are not allowed."]


def test_it_rejects_other_content_types_and_large_bodies(client, form):
    plain = client.post(URL, "email=a@b.c", content_type="text/plain", HTTP_ORIGIN=ORIGIN)
    large = post_json(client, payload(message="x" * 70_000))

    assert plain.status_code == 415
    assert large.status_code == 413
    assert large["Access-Control-Allow-Origin"] == ORIGIN
    assert not Lead.objects.exists()


def test_it_answers_404_for_an_unknown_or_inactive_form(client, form):
    Form.objects.create(slug="old", name="Old", allowed_origins=ORIGIN, is_active=False)

    unknown = client.post("/api/forms/nope/", payload(), HTTP_ORIGIN=ORIGIN)
    inactive = client.post("/api/forms/old/", payload(), HTTP_ORIGIN=ORIGIN)

    for response in (unknown, inactive):
        assert response.status_code == 404
        assert response.json() == {"error": "No such form."}
    assert not Lead.objects.exists()


def test_it_files_a_honeypot_submission_away_from_sales(
    client, form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_json(client, payload(website="http://cheap-pills.example"))

    assert response.status_code == 201
    assert response.json() == {"ok": True, "message": "Thanks! We reply within a day."}
    lead = Lead.objects.get()
    assert (lead.status, lead.filter_reason) == (Lead.Status.FILTERED, "honeypot")
    assert not Lead.objects.in_sales_queue().exists()
    assert callbacks == []


def test_it_traps_a_timestamp_younger_than_a_person_could_type(client, form):
    fresh = post_json(client, payload(ts=issue_timestamp()))
    old = post_json(client, payload(email="erin@example.com", ts=issue_timestamp(time.time() - 60)))

    assert fresh.status_code == old.status_code == 201
    assert fresh.json() == old.json()
    trapped = Lead.objects.get(contact__email="dana@acme-widgets.com")
    assert (trapped.status, trapped.filter_reason) == (Lead.Status.FILTERED, "time_trap")
    kept = Lead.objects.get(contact__email="erin@example.com")
    assert kept.status == Lead.Status.AWAITING_TRIAGE  # no on-commit hooks run here


def test_it_limits_posts_per_ip(client, form, settings):
    settings.FORM_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        assert post_json(client, payload(email=f"b{n}@example.com")).status_code == 201

    response = post_json(client, payload(email="b3@example.com"))

    assert response.status_code == 429
    assert "Try again in" in response.json()["error"]
    assert 0 < int(response["Retry-After"]) <= settings.FORM_RATE_LIMIT_WINDOW
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Expose-Headers"] == "Retry-After"
    assert Lead.objects.count() == 2


def test_it_limits_posts_per_email(client, form, settings):
    settings.FORM_RATE_LIMIT_PER_EMAIL = 2
    for n in range(2):
        response = post_json(client, payload(message=f"Q{n}"), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 201

    response = post_json(client, payload(message="Q3"), REMOTE_ADDR="192.0.2.50")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Lead.objects.count() == 2


@pytest.mark.parametrize(("trusted", "expected"), [(False, [201, 429]), (True, [201, 201])])
def test_it_reads_x_forwarded_for_only_behind_a_trusted_proxy(
    client, form, settings, trusted, expected
):
    settings.FORM_RATE_LIMIT_PER_IP = 1
    settings.TRUST_X_FORWARDED_FOR = trusted

    statuses = [
        post_json(
            client,
            payload(email=f"p{n}@example.com"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 10.0.0.1",
        ).status_code
        for n in range(2)
    ]

    assert statuses == expected
    ips = {lead.messages.get().provider_payload["ip"] for lead in Lead.objects.all()}
    assert ips == ({"198.51.100.0", "198.51.100.1"} if trusted else {"127.0.0.1"})


def test_it_builds_extra_fields_from_the_definition_and_skips_broken_ones(client, form):
    form.fields = [
        {"name": "team_size", "label": "Team size", "required": True, "choices": ["1-10", "11-50"]},
        {"name": "notes", "type": "textarea", "max_length": 30},
        {"name": "Bad Name"},
        {"name": "email", "label": "Shadowing a built-in"},
        {"name": "fax", "type": "fax-machine"},
        "not even a dict",
    ]
    form.save()

    wrong = post_json(client, payload(team_size="500", notes="n" * 31, fax="123"))
    right = post_json(client, payload(team_size="11-50", notes="Call after 3pm", fax="123"))

    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"team_size", "notes"}
    assert right.status_code == 201
    assert Lead.objects.get().messages.get().headers == [
        ["team_size", "11-50"],
        ["notes", "Call after 3pm"],
    ]
