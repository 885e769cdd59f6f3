"""End to end through the real processes: a rep sends a reply from the browser (gunicorn),
the qcluster sends it over SMTP to a local aiosmtpd sink, and the customer's answer, posted
back to /webhooks/raw/, lands on the same lead."""

import http.client
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django_q.brokers import get_broker
from django_q.conf import Conf

from intake.models import Lead, Message, Outbox
from tests.browser.conftest import chromium  # noqa: F401  (one Chromium for the module)
from tests.faults.stack import tail, with_password
from tests.helpers import make_email, make_lead
from tests.processes import free_port, start_web, start_worker, stop, wait_for, wait_for_http
from tests.workspace.people import make_rep

TOKEN = "roundtrip-intake-token"


class Sink:
    """An SMTP server that accepts everything and keeps it."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.mark.worker
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_reply_over_smtp_and_threads_the_answer(chromium, tmp_path):  # noqa: F811
    from routing import defaults
    from routing.models import Category, Queue, RoutingPolicy

    Conf.SYNC = False
    get_broker().purge_queue()
    defaults.seed_defaults(Queue, Category, RoutingPolicy)
    sink = Sink()
    # The web server on 8105 when free (this checkout's port), else the next free one.
    smtp_port, web_port = free_port(), free_port(8105, 8199)
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "SALES_FROM_EMAIL": "sales@leadrouter.test",
        "INTAKE_REPLY_DOMAIN": "reply.leadrouter.test",
        "INTAKE_TOKEN": TOKEN,
        "ANTHROPIC_API_KEY": "",
    }
    web_log = tmp_path / "web.log"
    web = start_web(web_port, log=web_log, workers=1, threads=4, **env)
    worker = start_worker(log=tmp_path / "worker.log", **env)
    try:
        wait_for_http(web_port)
        lead = make_lead(subject="Demo request for our team of 40", message_id="<rt-1@acme.test>")
        assert wait_for(lambda: Lead.objects.filter(pk=lead.pk, status="new").exists(), 60), tail(
            tmp_path / "worker.log"
        )
        rep = make_rep()
        rep.first_name, rep.last_name = "Robin", "Rep"
        rep.save()
        with_password(rep, "pw-for-tests-1")

        context = chromium.new_context(base_url=f"http://127.0.0.1:{web_port}")
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill("rep")
        page.get_by_label("Password").fill("pw-for-tests-1")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.goto(f"/leads/{lead.pk}/")
        page.get_by_label("Message", exact=True).fill("Hi Dana, Tuesday at 10 works. Robin")
        page.get_by_role("button", name="Send").click()
        page.wait_for_selector("article.message.outbound")
        context.close()

        assert wait_for(lambda: sink.received, 60), tail(tmp_path / "worker.log")
        mail_from, rcpt_tos, content = sink.received[0]
        sent = message_from_bytes(content, policy=policy.default)
        stored = Message.objects.get(lead=lead, direction="outbound")
        assert rcpt_tos == ["dana@acme-widgets.com"] and mail_from == "sales@leadrouter.test"
        assert sent["From"] == "Robin Rep <sales@leadrouter.test>"
        assert sent["Message-ID"] == f"<{stored.message_id}>"
        assert sent["In-Reply-To"] == "<rt-1@acme.test>"
        assert sent["Reply-To"] == f"reply+{lead.reply_token}@reply.leadrouter.test"
        assert "Tuesday at 10 works" in sent.get_content()
        assert wait_for(lambda: Outbox.objects.filter(state="sent").exists(), 30)
        assert len(sink.received) == 1

        # The customer answers; their client keeps In-Reply-To and writes to Reply-To.
        answer = make_email(
            subject="Re: Demo request for our team of 40",
            message_id="<rt-answer@acme.test>",
            to=sent["Reply-To"],
            headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
            body="Great, see you Tuesday.",
        )
        conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=10)
        conn.request(
            "POST", "/webhooks/raw/", body=answer, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        status = conn.getresponse().status
        conn.close()
        assert status in (200, 202), tail(web_log)
        landed = wait_for(
            lambda: Message.objects.filter(message_id="rt-answer@acme.test", lead=lead).exists(),
            60,
        )
        assert landed, tail(tmp_path / "worker.log")
        assert Lead.objects.filter(contact=lead.contact).count() == 1
    finally:
        stop(worker)
        stop(web)
        controller.stop()
