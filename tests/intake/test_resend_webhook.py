"""Resend: a svix-signed notification; anymail fetches the mail from Resend's API."""

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from svix.webhooks import Webhook

from intake.models import Message

URL = "/webhooks/anymail/resend/inbound/"
SIGNING_SECRET = "whsec_" + "dGVzdC1zaWduaW5nLXNlY3JldC1mb3ItcmVzZW5k"
EMAIL = {
    "id": "em_123",
    "from": "Ana Silva <ana@vinhos-douro.pt>",
    "to": ["sales@leadrouter.test"],
    "subject": "Wholesale pricing",
    "text": "We import 40 pallets a year and would like your wholesale prices.",
    "message_id": "<resend-1@vinhos-douro.pt>",
}


@pytest.fixture
def resend_api(settings):
    """Resend's receiving API, served on loopback: the one boundary we fake."""
    requests_seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests_seen.append((self.path, self.headers.get("Authorization")))
            body = json.dumps(EMAIL).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ANYMAIL = {
        "RESEND_API_KEY": "re_test_key",
        "RESEND_INBOUND_SECRET": SIGNING_SECRET,
        "RESEND_API_URL": f"http://127.0.0.1:{server.server_port}/",
    }
    yield requests_seen
    server.shutdown()


def signed(payload: bytes, msg_id: str = "msg_1") -> dict:
    now = datetime.now(tz=UTC)
    signature = Webhook(SIGNING_SECRET).sign(msg_id, now, payload.decode())
    return {
        "HTTP_SVIX_ID": msg_id,
        "HTTP_SVIX_TIMESTAMP": str(int(now.timestamp())),
        "HTTP_SVIX_SIGNATURE": signature,
    }


NOTIFICATION = json.dumps(
    {"type": "email.received", "created_at": "2026-11-23T10:00:00Z", "data": {"email_id": "em_123"}}
).encode()


@pytest.mark.django_db
def test_it_stores_a_signed_resend_notification(client, resend_api, on_commit):
    with on_commit():
        response = client.post(
            URL, NOTIFICATION, content_type="application/json", **signed(NOTIFICATION)
        )
    assert response.status_code == 200
    assert resend_api == [("/emails/receiving/em_123", "Bearer re_test_key")]
    message = Message.objects.get()
    assert message.provider == "resend"
    assert message.message_id == "resend-1@vinhos-douro.pt"
    assert message.subject == "Wholesale pricing"
    assert message.lead.contact.email == "ana@vinhos-douro.pt"


@pytest.mark.django_db
def test_it_rejects_an_unsigned_resend_notification(client, resend_api):
    response = client.post(URL, NOTIFICATION, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert resend_api == []
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_resend_notification_signed_for_another_body(client, resend_api):
    headers = signed(b'{"type": "email.received", "data": {"email_id": "other"}}')
    response = client.post(URL, NOTIFICATION, content_type="application/json", **headers)
    assert 400 <= response.status_code < 500
    assert resend_api == []
    assert not Message.objects.exists()
