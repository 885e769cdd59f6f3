"""The per-email form rate limit counts one mailbox however its address is spelled: a
`+tag`, dots, case, full-width or look-alike letters, or a punycode domain do not start a
fresh count."""

import json

import pytest

from intake.models import Form, Lead
from intake.ratelimit import mailbox_key

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "dana+1@acme-widgets.com",
    "d.a.n.a@acme-widgets.com",
    "DANA@ACME-WIDGETS.COM",
    "dana@ａcme-widgets.com",  # full-width a
    "dana@\u0430cme-widgets.com",  # Cyrillic a
    "dana@xn--cme-widgets-xij.com",  # the same Cyrillic a, as punycode
]
# Refused by the form's own validation, but folded too should another entry point allow it.
NOT_ACCEPTED = ["dana@acme-widgets.com."]


@pytest.mark.parametrize("address", SPELLINGS + NOT_ACCEPTED)
def test_it_keys_every_spelling_as_one_mailbox(address):
    assert mailbox_key(address) == mailbox_key("dana@acme-widgets.com")


def test_it_keeps_different_mailboxes_apart():
    assert mailbox_key("dana@acme-widgets.com") != mailbox_key("dan@acme-widgets.com")
    assert mailbox_key("dana@acme-widgets.com") != mailbox_key("dana@acme-widget.com")


def test_it_limits_a_mailbox_posting_under_many_spellings(client, settings):
    settings.FORM_RATE_LIMIT_PER_EMAIL = 2
    Form.objects.create(slug="pricing", name="Pricing", allowed_origins="")
    statuses = []
    for n, address in enumerate(["dana@acme-widgets.com", *SPELLINGS]):
        body = {"email": address, "name": "Dana", "message": f"Question {n}"}
        response = client.post(
            "/api/forms/pricing/",
            json.dumps(body),
            content_type="application/json",
            REMOTE_ADDR=f"192.0.2.{n}",
        )
        statuses.append(response.status_code)

    assert statuses[:2] == [201, 201]
    assert set(statuses[2:]) == {429}, statuses
    assert Lead.objects.count() == 2
