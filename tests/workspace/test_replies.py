"""Replying from the lead page: stored outbound, sent once through the outbox, threaded so
the customer's answer comes back to the same lead, and a failure kept with its text."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from intake import outbound
from intake.models import Lead, Message, Outbox
from routing.models import Activity
from tests.helpers import ingest, make_email
from tests.workspace.people import make_rep, sales_lead, support_lead
from workspace import compose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SALES_FROM_EMAIL = "sales@leadrouter.test"
    settings.INTAKE_REPLY_DOMAIN = "reply.leadrouter.test"


def rep_client(client, **kwargs):
    rep = make_rep(**kwargs)
    rep.first_name, rep.last_name = "Robin", "Rep"
    rep.save()
    client.force_login(rep)
    return rep


def send(client, lead, on_commit, **data):
    fields = {"to": lead.contact.email, "subject": "Re: Demo", "body": "Hi Dana, happy to."}
    fields.update(data)
    with on_commit():
        return client.post(f"/leads/{lead.pk}/reply/", fields)


def test_it_sends_a_reply_as_the_rep_with_threading_headers(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    response = send(client, lead, on_commit, cc="boss@acme-widgets.com")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    stored = Message.objects.get(lead=lead, direction=Message.Direction.OUTBOUND)
    assert mail.from_email == "Robin Rep <sales@leadrouter.test>"
    assert mail.to == ["dana@acme-widgets.com"] and mail.cc == ["boss@acme-widgets.com"]
    assert mail.reply_to == [f"reply+{lead.reply_token}@reply.leadrouter.test"]
    assert mail.extra_headers["Message-ID"] == f"<{stored.message_id}>"
    assert mail.extra_headers["In-Reply-To"] == "<sales-1@acme-widgets.com>"
    assert mail.extra_headers["References"] == "<sales-1@acme-widgets.com>"
    assert mail.body == "Hi Dana, happy to."
    # The raw bytes kept are the mail that went out.
    assert f"Message-ID: <{stored.message_id}>".encode() in bytes(stored.raw)
    assert b"In-Reply-To: <sales-1@acme-widgets.com>" in bytes(stored.raw)
    assert stored.outbox.state == Outbox.State.SENT and stored.outbox.attempts == 1


def test_it_prefills_the_composer_from_the_contact_and_subject(client):
    lead = sales_lead(1)
    rep_client(client)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'name="to" id="reply-to" value="dana@acme-widgets.com"' in page
    assert 'value="Re: Demo request for our team of 40 (1)"' in page


def test_it_moves_a_new_lead_to_contacted_and_records_first_response(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    assert lead.status == Lead.Status.NEW
    rep = rep_client(client)
    send(client, lead, on_commit)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED
    assert lead.first_response_at is not None
    first = lead.first_response_at
    activity = Activity.objects.get(lead=lead, kind=Activity.Kind.STATUS)
    assert activity.user == rep and "first reply" in activity.text
    # A second reply changes neither.
    send(client, lead, on_commit, body="And one more thing.")
    lead.refresh_from_db()
    assert lead.first_response_at == first and len(mailoutbox) == 2


def test_it_shows_the_reply_in_the_thread_and_the_timeline(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit, body="Here is the pricing sheet.")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Here is the pricing sheet." in page
    assert 'class="message outbound"' in page
    assert "Sent <time" in page
    assert "Reply</span> · Robin Rep" in page


def test_it_threads_the_customers_answer_by_in_reply_to(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit)
    ours = Message.objects.get(lead=lead, direction=Message.Direction.OUTBOUND)
    answer = make_email(
        subject="other words entirely",
        message_id="<answer-1@acme-widgets.com>",
        to="sales@leadrouter.test",
        headers={"In-Reply-To": f"<{ours.message_id}>"},
        body="Thanks, Tuesday works.",
    )
    assert ingest(answer).message.lead == lead


def test_it_threads_the_customers_answer_by_the_reply_address(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit)
    answer = make_email(
        subject="new subject, no headers",
        message_id="<answer-2@acme-widgets.com>",
        to=mailoutbox[0].reply_to[0],
        body="Thanks.",
    )
    assert ingest(answer).message.lead == lead


def test_it_attaches_files(client, mailoutbox, on_commit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = sales_lead(1)
    rep_client(client)
    upload = SimpleUploadedFile("pricing.pdf", b"%PDF-1.4 pricing", "application/pdf")
    send(client, lead, on_commit, attachments=upload)
    assert mailoutbox[0].attachments == [("pricing.pdf", b"%PDF-1.4 pricing", "application/pdf")]
    stored = Message.objects.get(lead=lead, direction=Message.Direction.OUTBOUND)
    assert stored.attachments.get().sniffed_type == "application/pdf"


def test_it_never_sends_a_mail_twice(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit)
    outbox = Outbox.objects.get()
    assert compose.deliver_reply(outbox.pk) is False  # a redelivered task
    assert outbound.deliver(outbox.pk) is False
    assert len(mailoutbox) == 1


def test_it_fails_a_send_interrupted_past_the_lease_instead_of_resending(
    client, mailoutbox, on_commit
):
    lead = sales_lead(1)
    rep_client(client)
    outbox = compose.send_reply(
        lead=lead, user=None, to=[lead.contact.email], cc=[], subject="Re", body="x", files=[]
    )
    # A worker claimed it and was killed before the backend answered.
    Outbox.objects.filter(pk=outbox.pk).update(
        state=Outbox.State.SENDING, claimed_at=timezone.now() - timedelta(minutes=6), attempts=1
    )
    with on_commit():
        assert outbound.reconcile_outbox() == {"failed": 1, "requeued": 0}
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.FAILED and "may or may not" in outbox.last_error
    assert mailoutbox == []
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "did not go out" in page and "Retry" in page
    with on_commit():
        assert client.post(f"/leads/{lead.pk}/outbox/{outbox.pk}/retry/").status_code == 302
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.SENT and len(mailoutbox) == 1


def test_it_requeues_a_queued_mail_whose_task_was_lost(mailoutbox, on_commit):
    lead = sales_lead(1)
    outbox = compose.send_reply(
        lead=lead, user=None, to=[lead.contact.email], cc=[], subject="Re", body="x", files=[]
    )
    Outbox.objects.filter(pk=outbox.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    with on_commit():
        assert outbound.reconcile_outbox() == {"failed": 0, "requeued": 1}
    assert len(mailoutbox) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_keeps_a_reply_the_mail_server_refused_with_its_error(client, settings, on_commit):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit, body="A long answer I do not want to type again.")
    outbox = Outbox.objects.get()
    assert outbox.state == Outbox.State.FAILED
    assert "ConnectionRefusedError" in outbox.last_error
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW and lead.first_response_at is None
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "A long answer I do not want to type again." in page
    assert "did not go out" in page and "ConnectionRefusedError" in page


def test_it_refuses_a_bad_address_and_keeps_what_was_typed(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    response = send(client, lead, on_commit, to="not an address", body="Keep me, please.")
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not an email address" in page and "Keep me, please." in page
    assert not Outbox.objects.exists() and mailoutbox == []


def test_it_keeps_message_text_out_of_the_headers(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    send(client, lead, on_commit, subject="Re: hi\r\nBcc: victim@example.com")
    mail = mailoutbox[0].message()
    assert mail["Bcc"] is None and "\n" not in mail["Subject"]


def test_it_refuses_a_reply_on_another_queues_lead_with_a_404(client, mailoutbox, on_commit):
    lead = support_lead(1)
    rep_client(client, queues=("sales",))
    assert send(client, lead, on_commit).status_code == 404
    assert mailoutbox == [] and not Message.objects.filter(direction="outbound").exists()


def test_it_shows_first_response_time_on_the_queue_and_the_dashboard(client, mailoutbox, on_commit):
    from tests.workspace.people import make_manager

    lead = sales_lead(1)
    rep_client(client)
    assert "answered in" not in client.get("/").content.decode()
    send(client, lead, on_commit)
    Lead.objects.filter(pk=lead.pk).update(
        first_response_at=lead.received_at + timedelta(minutes=75)
    )
    assert "answered in 1 h 15" in client.get("/?status=all").content.decode()
    admin = make_manager("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    start = lead.received_at.date().isoformat()
    page = client.get(f"/admin/routing/dashboard/?start={start}&end={start}").content.decode()
    assert "median <strong>1 h 15 min</strong>; 1 of 1 answered within their queue" in page


def test_it_fills_the_composer_from_a_template_of_the_leads_queue(client):
    from routing.models import Category, Queue, ReplyKnowledge, ReplyTemplate

    lead = sales_lead(1)
    rep_client(client)
    queue = lead.triage.queue
    category = Category.objects.get(slug=lead.triage.category)
    ReplyKnowledge.objects.create(queue=queue, text="Plans", booking_link="https://cal.test/robin")
    mine = ReplyTemplate.objects.create(
        name="Book a demo",
        queue=queue,
        category=category,
        subject="Your demo, {company}",
        body="Hi {contact_name},\n\nI'm {rep_name}; pick a time: {booking_link}. "
        "{unknown} {rep_name.__class__}",
    )
    other_queue = Queue.objects.exclude(pk=queue.pk).first()
    ReplyTemplate.objects.create(name="Support only", queue=other_queue, body="x")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Book a demo" in page and "Support only" not in page
    page = client.get(f"/leads/{lead.pk}/?template={mine.pk}").content.decode()
    assert "Hi Dana Buyer,\n\nI&#x27;m Robin Rep; pick a time: https://cal.test/robin." in page
    # Only the four names are replaced; anything else in braces stays text.
    assert "{unknown} {rep_name.__class__}" in page
    assert 'value="Your demo,"' in page


def test_it_drafts_from_the_lead_page_with_unsourced_parts_highlighted(client, fake_anthropic):
    from tests.routing.test_triage import answer

    fake_anthropic.reply(answer())
    lead = sales_lead(1)
    rep_client(client)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="draft-button"' in page
    fake_anthropic.reply({"body": "Sure, 20% off if you sign at https://sign.example/now."})
    assert client.post(f"/leads/{lead.pk}/draft/").status_code == 302
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert (
        '<mark title="Not from the reply knowledge or our own messages: url" data-flag="url">'
        in page
    )
    assert 'data-flag="price">20%</mark>' in page
    assert "2 things highlighted" in page
    draft_id = lead.drafts.get().pk
    page = client.get(f"/leads/{lead.pk}/?draft={draft_id}").content.decode()
    assert ">Sure, 20% off if you sign at https://sign.example/now.</textarea>" in page


def test_it_explains_why_there_is_no_draft_without_an_api_key(client, mailoutbox, on_commit):
    lead = sales_lead(1)
    rep_client(client)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="draft-button"' not in page
    assert "Drafts need Claude, and no API key is set" in page
    response = client.post(f"/leads/{lead.pk}/draft/", follow=True)
    assert "no API key" in response.content.decode()
    # The composer still sends.
    send(client, lead, on_commit)
    assert len(mailoutbox) == 1
