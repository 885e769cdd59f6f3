"""Automatic acknowledgements: templated, sent on intake for a form that asks and when a
lead is first decided into a queue that asks; never to automatic mail, our own addresses or
twice per contact within the window; always with Auto-Submitted: auto-replied."""

import pytest

from intake import submissions
from intake.models import Form, Lead, Message, Outbox
from routing import services
from routing.models import Queue
from tests.helpers import ingest, make_email

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SALES_FROM_EMAIL = "sales@leadrouter.test"
    settings.SALES_FROM_NAME = "Acme Sales"
    settings.INTAKE_REPLY_DOMAIN = "reply.leadrouter.test"
    settings.ACK_WINDOW_HOURS = 24


@pytest.fixture
def form(db):
    return Form.objects.create(
        slug="demo",
        name="Demo form",
        acknowledge=True,
        ack_subject="We got your request, {contact_name}",
        ack_body="Hi {contact_name} at {company}, a person will answer within a day. {x}",
    )


def submit(form, email="dana@acme-widgets.com", **kwargs):
    return submissions.ingest_submission(
        channel="form",
        email=email,
        name="Dana Buyer",
        company="Acme Widgets",
        message="We need a demo for 40 people.",
        form=form,
        **kwargs,
    )


def test_it_acknowledges_a_form_submission_with_rfc3834_headers(form, mailoutbox, on_commit):
    with on_commit():
        result = submit(form)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["dana@acme-widgets.com"]
    assert mail.from_email == "Acme Sales <sales@leadrouter.test>"
    assert mail.subject == "We got your request, Dana Buyer"
    assert mail.body == "Hi Dana Buyer at Acme Widgets, a person will answer within a day. {x}"
    assert mail.extra_headers["Auto-Submitted"] == "auto-replied"
    assert mail.reply_to == [f"reply+{result.lead.reply_token}@reply.leadrouter.test"]
    # On the lead (its timeline shows outbound messages) and kept raw.
    ack = Message.objects.get(lead=result.lead, direction="outbound")
    assert ack.outbox.kind == Outbox.Kind.ACK and ack.outbox.state == Outbox.State.SENT
    assert b"Auto-Submitted: auto-replied" in bytes(ack.raw)
    # An acknowledgement is no first response.
    lead = Lead.objects.get(pk=result.lead.pk)
    assert lead.first_response_at is None


def test_it_acknowledges_a_contact_once_per_window(form, mailoutbox, on_commit):
    with on_commit():
        submit(form)
        submit(form, external_id="second")
    assert len(mailoutbox) == 1


def test_it_never_acknowledges_our_own_addresses_or_unread_mailboxes(form, mailoutbox, on_commit):
    with on_commit():
        submit(form, email="sales@leadrouter.test")
        submit(form, email="someone@reply.leadrouter.test")
        submit(form, email="no-reply@acme-widgets.com")
    assert mailoutbox == []


def test_it_never_acknowledges_a_trapped_submission(form, mailoutbox, on_commit):
    with on_commit():
        submit(form, filtered_reason="honeypot")
    assert mailoutbox == []


def queue_acknowledges():
    Queue.objects.filter(slug="sales").update(
        acknowledge=True, ack_subject="", ack_body="Thanks {contact_name}, we'll be in touch."
    )


def test_it_acknowledges_when_a_lead_is_first_decided_into_a_queue(mailoutbox, on_commit):
    queue_acknowledges()
    with on_commit():
        lead = ingest(make_email(subject="Demo request for our team of 40")).message.lead
        services.triage_lead(lead.pk)
    lead.refresh_from_db()
    assert lead.triage.queue.slug == "sales"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Re: Demo request for our team of 40"
    assert mail.body == "Thanks Dana Buyer, we'll be in touch."
    assert mail.extra_headers["Auto-Submitted"] == "auto-replied"
    assert mail.extra_headers["In-Reply-To"] == "<m1@acme-widgets.com>"


AUTOMATIC = {
    "auto-reply": {"Auto-Submitted": "auto-replied"},
    "bounce-ish list": {"List-Unsubscribe": "<mailto:u@lists.example>", "Precedence": "bulk"},
    "out of office": {"X-Autoreply": "yes"},
}


@pytest.mark.parametrize("headers", AUTOMATIC.values(), ids=AUTOMATIC.keys())
def test_it_never_acknowledges_automatic_mail(mailoutbox, on_commit, headers):
    queue_acknowledges()
    with on_commit():
        lead = ingest(make_email(subject="Demo request", headers=headers)).message.lead
        if lead.status == Lead.Status.AWAITING_TRIAGE:
            services.triage_lead(lead.pk)
    assert mailoutbox == []


def test_it_never_acknowledges_a_bounce(mailoutbox, on_commit):
    queue_acknowledges()
    bounce = make_email(
        sender="Mail Delivery System <mailer-daemon@acme-widgets.com>",
        subject="Undelivered Mail Returned to Sender",
        message_id="<bounce-1@acme-widgets.com>",
        body="This is the mail system. Your message could not be delivered.",
    )
    with on_commit():
        lead = ingest(bounce).message.lead
        if lead.status == Lead.Status.AWAITING_TRIAGE:
            services.triage_lead(lead.pk)
    assert mailoutbox == []


def test_it_refuses_a_lead_holding_automatic_mail_even_when_asked_directly(mailoutbox):
    from intake import acknowledgements

    lead = ingest(make_email(headers={"Auto-Submitted": "auto-replied"})).message.lead
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.NEW)  # a rep reopened it
    lead.refresh_from_db()
    assert acknowledgements.refusal(lead).startswith("automatic mail")
    assert acknowledgements.acknowledge(lead=lead, subject="", body="Thanks") is None
