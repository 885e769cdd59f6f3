"""Replying in a real browser: a template picked, a reply sent and shown in the thread, a
draft with its unsourced parts highlighted, and a send the mail server refused, with its
error and Retry."""

import socket

import pytest
from playwright.sync_api import expect

from intake.models import Outbox
from routing.models import ReplyKnowledge, ReplyTemplate
from tests.browser.conftest import screenshot, sign_in
from tests.routing.conftest import fake_anthropic  # noqa: F401
from tests.routing.test_triage import answer
from tests.workspace.people import make_rep, sales_lead

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SALES_FROM_EMAIL = "sales@leadrouter.test"
    settings.INTAKE_REPLY_DOMAIN = "reply.leadrouter.test"


def rep():
    user = make_rep()
    user.first_name, user.last_name = "Robin", "Rep"
    user.save()
    return user


def test_it_picks_a_template_and_sends_a_reply(page, mailoutbox):
    lead = sales_lead(1)
    rep()
    ReplyKnowledge.objects.create(text="Demos: 30 minutes.", booking_link="https://cal.test/robin")
    ReplyTemplate.objects.create(
        name="Book a demo",
        body="Hi {contact_name},\n\nthanks for your interest. Pick a time: {booking_link}\n\n"
        "{rep_name}",
    )
    sign_in(page, "rep")
    page.goto(f"/leads/{lead.pk}/")
    expect(page.get_by_label("To", exact=True)).to_have_value("dana@acme-widgets.com")
    expect(page.get_by_label("Subject", exact=True)).to_have_value(
        "Re: Demo request for our team of 40 (1)"
    )
    page.get_by_label("Template", exact=True).select_option(label="Book a demo")
    page.get_by_role("button", name="Use template").click()
    body = page.get_by_label("Message", exact=True)
    expect(body).to_have_value(
        "Hi Dana Buyer,\n\nthanks for your interest. Pick a time: https://cal.test/robin\n\n"
        "Robin Rep"
    )
    screenshot(page, "reply-composer")
    body.fill(body.input_value() + "\nP.S. Tuesday works for us too.")
    page.get_by_role("button", name="Send").click()
    outbound = page.locator("article.message.outbound")
    expect(outbound).to_contain_text("P.S. Tuesday works for us too.")
    expect(outbound).to_contain_text("Sent")
    expect(page.locator(".lead-head")).to_contain_text("Contacted")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["dana@acme-widgets.com"]
    screenshot(page, "reply-thread")


def test_it_shows_a_draft_with_its_unsourced_parts_highlighted(page, fake_anthropic):  # noqa: F811
    fake_anthropic.reply(answer())
    lead = sales_lead(1)
    rep()
    ReplyKnowledge.objects.create(text="Team plan: $49 per seat.")
    sign_in(page, "rep")
    page.goto(f"/leads/{lead.pk}/")
    fake_anthropic.reply(
        {
            "body": "Thanks Dana! The team plan is $49 per seat, and I can add 30% off. "
            "Sign at https://sign.example/now."
        }
    )
    page.get_by_role("button", name="Draft a reply").click()
    draft = page.locator("#draft")
    expect(draft).to_contain_text("2 things highlighted")
    expect(draft.locator("mark")).to_have_text(["30%", "https://sign.example/now"])
    screenshot(page, "reply-draft")
    page.get_by_role("link", name="Use this draft").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value(
        "Thanks Dana! The team plan is $49 per seat, and I can add 30% off. "
        "Sign at https://sign.example/now."
    )


def test_it_explains_why_drafts_are_unavailable_without_a_key(page):
    lead = sales_lead(1)
    rep()
    sign_in(page, "rep")
    page.goto(f"/leads/{lead.pk}/")
    expect(page.locator("#draft-unavailable")).to_contain_text("no API key is set")
    expect(page.get_by_role("button", name="Draft a reply")).to_be_disabled()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_shows_a_failed_send_with_its_error_and_retries_it(page, settings, mailoutbox):
    lead = sales_lead(1)
    rep()
    sign_in(page, "rep")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_label("Message", exact=True).fill("Our answer, which must not be lost.")
    page.get_by_role("button", name="Send").click()
    failure = page.locator(".send-failure")
    expect(failure).to_contain_text("This mail did not go out")
    expect(failure).to_contain_text("ConnectionRefusedError")
    expect(page.locator("article.message.outbound")).to_contain_text(
        "Our answer, which must not be lost."
    )
    screenshot(page, "reply-failed")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failure.get_by_role("button", name="Retry").click()
    expect(page.locator("article.message.outbound")).to_contain_text("Sent")
    assert Outbox.objects.get().state == Outbox.State.SENT and len(mailoutbox) == 1
