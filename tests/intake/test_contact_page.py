import re
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client

from intake.forms import issue_timestamp, timestamp_age
from intake.models import Channel, Form, Lead, Message
from tests.helpers import assert_handed_to_triage

pytestmark = pytest.mark.django_db

URL = "/contact/"
VOID = {"input", "br", "img", "hr", "meta", "link"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def valid(**overrides) -> dict:
    data = {
        "name": "Dana Buyer",
        "email": "Dana@Acme-Widgets.com",
        "company": "Acme Widgets",
        "message": "We need a demo for 40 seats next week.",
        "website": "",
        # Shown a minute ago: a person's pace.
        "ts": issue_timestamp(time.time() - 60),
    }
    data.update(overrides)
    return data


class _ElementText(HTMLParser):
    def __init__(self, element_id: str):
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth, self.found = 1, True

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of(html: str, element_id: str) -> str:
    parser = _ElementText(element_id)
    parser.feed(html)
    assert parser.found, f"no element with id {element_id!r}"
    return " ".join(" ".join(parser.parts).split())


def test_it_renders_the_form_with_csrf_token_honeypot_and_timestamp(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "csrftoken" in response.cookies
    for name in ("name", "email", "company", "message"):
        assert f'<label for="id_{name}">' in html
    assert re.search(r'<input type="email" name="email"[^>]*required', html)
    honeypot = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'name="website"' in honeypot
    assert 'tabindex="-1"' in honeypot
    assert 'autocomplete="off"' in honeypot
    ts = re.search(r'<input type="hidden" name="ts" value="([^"]+)"', html).group(1)
    assert 0 <= timestamp_age(ts) < 60


def test_it_stores_a_valid_submission_and_redirects_to_thanks(client, on_commit):
    with on_commit():
        response = client.post(URL, valid())

    assert response.status_code == 302
    assert response["Location"] == "/contact/?sent=1"
    lead = Lead.objects.get()
    assert_handed_to_triage(lead)
    assert lead.channel == Channel.FORM
    assert lead.contact.email == "dana@acme-widgets.com"
    assert lead.contact.company == "Acme Widgets"
    assert lead in Lead.objects.in_sales_queue()
    message = Message.objects.get()
    assert message.lead == lead
    assert message.text == "We need a demo for 40 seats next week."
    assert message.provider_payload["ip"] == "127.0.0.1"

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you, Dana Buyer." in thanks.content.decode()
    assert "Thanks, we&#x27;ll be in touch soon." in thanks.content.decode()


def test_it_shows_errors_next_to_their_fields(client):
    response = client.post(URL, valid(email="not-an-email", message="   "))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in text_of(html, "field-email")
    assert "This field is required." in text_of(html, "field-message")
    assert "This field is required." not in text_of(html, "field-email")
    assert "Enter a valid email" not in text_of(html, "field-name")
    assert 'aria-describedby="id_email_error"' in html
    assert 'id="id_email_error"' in html
    assert 'value="not-an-email"' in html
    assert not Lead.objects.exists()


def test_it_enforces_csrf():
    client = Client(enforce_csrf_checks=True)

    response = client.post(URL, valid())

    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_it_accepts_a_post_with_the_csrf_token_it_rendered():
    client = Client(enforce_csrf_checks=True)
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(URL, valid(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    # Stored and waiting for triage: the on-commit task does not run inside this test.
    assert Lead.objects.get().status == Lead.Status.AWAITING_TRIAGE


def test_it_files_a_honeypot_submission_away_from_sales(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, valid(website="http://cheap-pills.example"))

    assert response.status_code == 302
    assert response["Location"] == "/contact/?sent=1"
    assert "Thank you, Dana Buyer." in client.get(response["Location"]).content.decode()
    lead = Lead.objects.get()
    assert lead.status == Lead.Status.FILTERED
    assert lead.filter_reason == "honeypot"
    assert not Lead.objects.in_sales_queue().exists()
    assert lead.messages.get().provider_payload["honeypot"] == "http://cheap-pills.example"
    assert callbacks == []  # no triage task


def test_it_traps_a_form_posted_faster_than_a_person_could(client):
    page = client.get(URL).content.decode()
    ts = re.search(r'name="ts" value="([^"]+)"', page).group(1)

    response = client.post(URL, valid(ts=ts))

    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.status, lead.filter_reason) == (Lead.Status.FILTERED, "time_trap")
    assert not Lead.objects.in_sales_queue().exists()


@pytest.mark.parametrize("ts", ["", "1700000000", "bogus:signature"])
def test_it_traps_a_missing_or_forged_timestamp(client, ts):
    response = client.post(URL, valid(ts=ts))

    assert response.status_code == 302
    assert Lead.objects.get().filter_reason == "time_trap"


def test_it_limits_posts_per_ip(client, settings):
    settings.FORM_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        assert client.post(URL, valid(email=f"buyer{n}@example.com")).status_code == 302

    response = client.post(URL, valid(email="buyer3@example.com"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.FORM_RATE_LIMIT_WINDOW
    assert "Please try again in about" in response.content.decode()
    assert Lead.objects.count() == 2
    other_ip = client.post(URL, valid(email="buyer4@example.com"), REMOTE_ADDR="192.0.2.7")
    assert other_ip.status_code == 302


def test_it_limits_posts_per_email(client, settings):
    settings.FORM_RATE_LIMIT_PER_EMAIL = 2
    for n in range(2):
        response = client.post(URL, valid(message=f"Question {n}"), REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 302

    response = client.post(
        URL, valid(email="DANA@acme-widgets.com", message="Again"), REMOTE_ADDR="192.0.2.9"
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Lead.objects.count() == 2


def test_it_uses_the_contact_form_definition(client, on_commit):
    form = Form.objects.create(
        slug="contact",
        name="Contact",
        default_queue="enterprise",
        fields=[{"name": "budget", "label": "Budget", "required": True, "max_length": 50}],
        success_message="We answer within one working day.",
    )
    page = client.get(URL).content.decode()
    assert '<label for="id_budget">Budget</label>' in page

    missing = client.post(URL, valid())
    assert "This field is required." in text_of(missing.content.decode(), "field-budget")

    with on_commit():
        response = client.post(URL, valid(budget="50k EUR"))

    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.form, lead.queue_hint) == (form, "enterprise")
    assert ["budget", "50k EUR"] in lead.messages.get().headers
    thanks = client.get(response["Location"]).content.decode()
    assert "We answer within one working day." in thanks


def test_it_stores_hostile_input_as_text_and_escapes_it(client):
    name = "<script>alert(1)</script>"
    body = 'Hello <img src=x onerror="alert(2)">\nsecond line'

    response = client.post(URL, valid(name=name, message=body))

    message = Message.objects.get()
    assert message.text == body
    assert message.lead.contact.name == name
    thanks = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in thanks
    assert "<img src=x" not in thanks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in thanks
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in thanks
