"""The lead page: thread, HTML in a sandbox, attachments, the triage card, the timeline."""

import pytest

from intake.models import Attachment
from routing.models import Activity, ModelCall, Triage
from tests.helpers import ingest
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = pytest.mark.django_db

HOSTILE_HTML_EMAIL = (
    b"From: Eve <eve@evil.example>\r\nTo: sales@leadrouter.test\r\n"
    b"Subject: Demo request with a surprise\r\nMessage-ID: <hostile@evil.example>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain\r\n\r\nWe want a demo for 40 people.\r\n"
    b"--b\r\nContent-Type: text/html\r\n\r\n<p>We want a <b>demo</b> for 40 people.</p>"
    b"<script>parent.document.body.dataset.pwned = '1'</script>"
    b'<img src="https://tracker.example/pixel.gif" onerror="parent.pwned=1">\r\n--b--\r\n'
)


def test_it_is_a_404_for_a_lead_in_another_queue(client):
    lead = support_lead(1)
    mine = sales_lead(1)
    theirs = lead.messages.get()
    client.force_login(make_rep(queues=("sales",)))
    assert client.get(f"/leads/{lead.pk}/").status_code == 404
    assert client.get(f"/leads/{lead.pk}/messages/{theirs.pk}/html/").status_code == 404
    # Nor through a lead of one's own: the message must belong to the lead in the URL.
    assert client.get(f"/leads/{mine.pk}/messages/{theirs.pk}/html/").status_code == 404
    assert client.get(f"/leads/{mine.pk}/live/").status_code == 200
    assert client.get(f"/leads/{lead.pk}/live/").status_code == 404
    client.force_login(make_manager())
    assert client.get(f"/leads/{lead.pk}/").status_code == 200
    assert client.get(f"/leads/{lead.pk}/messages/{theirs.pk}/html/").status_code == 200


def test_it_shows_the_thread_the_triage_card_and_what_the_lead_cost(client):
    lead = sales_lead(1)
    ModelCall.objects.create(
        lead=lead,
        tier=1,
        model="claude-haiku-5-5",
        input_tokens=1500,
        output_tokens=160,
        cost_usd="0.00069000",
    )
    client.force_login(make_rep())
    response = client.get(f"/leads/{lead.pk}/")
    html = response.content.decode()
    assert "we would like a demo for our team of 40" in html
    assert lead.triage.category in html
    assert "$0.000690" in html
    assert "Qualification" in html


def test_it_escapes_model_output_like_any_untrusted_text(client):
    lead = sales_lead(1)
    Triage.objects.filter(lead=lead).update(
        summary="<script>alert(1)</script>",
        qualification={"need": {"value": "<img src=x onerror=alert(1)>", "evidence": "<b>x</b>"}},
    )
    client.force_login(make_rep())
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_it_shows_html_only_on_request_in_a_sandboxed_frame_under_a_strict_csp(client):
    message = ingest(HOSTILE_HTML_EMAIL).message
    from routing import services

    services.triage_lead(message.lead_id)
    client.force_login(make_manager())
    page = client.get(f"/leads/{message.lead_id}/")
    assert "<iframe" not in page.content.decode()
    assert "default-src 'self'" in page["Content-Security-Policy"]
    page = client.get(f"/leads/{message.lead_id}/?html={message.pk}")
    frame = page.content.decode().split("<iframe", 1)[1].split(">", 1)[0]
    assert " sandbox " in frame and "allow-scripts" not in frame

    body = client.get(f"/leads/{message.lead_id}/messages/{message.pk}/html/")
    csp = body["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "img-src data:" in csp
    assert body["X-Frame-Options"] == "SAMEORIGIN"
    text = body.content.decode()
    assert "<b>demo</b>" in text
    assert "<script" not in text and "onerror" not in text


def test_it_serves_attachments_as_downloads_only(client):
    raw = (
        b"From: Dana <dana@acme-widgets.com>\r\nTo: sales@leadrouter.test\r\n"
        b"Subject: Demo request, RFP attached\r\nMessage-ID: <rfp@acme-widgets.com>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nWe would like a demo; our RFP is attached.\r\n"
        b'--b\r\nContent-Type: text/html; name="rfp.html"\r\n'
        b'Content-Disposition: attachment; filename="../../rfp.html"\r\n\r\n'
        b"<script>alert(1)</script>\r\n--b--\r\n"
    )
    message = ingest(raw).message
    from routing import services

    services.triage_lead(message.lead_id)
    attachment = Attachment.objects.get(message=message)
    client.force_login(make_manager())
    response = client.get(f"/leads/{message.lead_id}/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    # Named without the sender's path, as admin names it; not sniffed, never run as a page.
    assert response["Content-Disposition"] == 'attachment; filename="rfp.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    client.force_login(make_rep("nobody", queues=()))
    assert client.get(f"/leads/{message.lead_id}/attachments/{attachment.pk}/").status_code == 404


def test_it_shows_a_timeline_of_ingest_triage_and_what_people_did(client):
    rep = make_rep()
    lead = sales_lead(1)
    Activity.objects.create(lead=lead, user=rep, kind=Activity.Kind.NOTE, text="Called, voicemail")
    client.force_login(rep)
    events = client.get(f"/leads/{lead.pk}/").context["timeline"]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "ingest" and "triage" in kinds and kinds[-1] == "note"
    assert events[-1]["who"] == "rep" and events[-1]["text"] == "Called, voicemail"


def test_it_renders_with_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    rep = make_rep()
    lead = sales_lead(1)
    for n in range(5):
        Activity.objects.create(lead=lead, user=rep, kind=Activity.Kind.NOTE, text=f"note {n}")
        ModelCall.objects.create(lead=lead, model="claude-haiku-5-5", cost_usd="0.001")
    client.force_login(rep)
    # 17: the follow-ups, the reply templates and the latest draft are one query each.
    with django_assert_max_num_queries(17):
        assert client.get(f"/leads/{lead.pk}/").status_code == 200
    for n in range(20):  # four times the timeline: the same number of queries
        Activity.objects.create(lead=lead, user=rep, kind=Activity.Kind.NOTE, text=f"more {n}")
        ModelCall.objects.create(lead=lead, model="claude-haiku-5-5", cost_usd="0.001")
    with django_assert_max_num_queries(17):
        assert client.get(f"/leads/{lead.pk}/").status_code == 200


def test_it_sends_the_card_and_timeline_to_an_open_lead_page_only_when_they_change(client):
    rep = make_rep()
    lead = sales_lead(1)
    client.force_login(rep)
    since = client.get(f"/leads/{lead.pk}/").context["since"]
    assert client.get(f"/leads/{lead.pk}/live/", {"since": since}).status_code == 204
    Activity.objects.create(lead=lead, user=rep, kind=Activity.Kind.NOTE, text="From a colleague")
    response = client.get(f"/leads/{lead.pk}/live/", {"since": since})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="events" hx-swap-oob="true"' in html and "From a colleague" in html
    assert 'id="triage-summary" hx-swap-oob="true"' in html
    assert "<form" not in html  # nothing the rep may be typing in is replaced


def test_it_answers_a_bad_since_or_id_with_a_page_not_a_500(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    assert client.get(f"/leads/{lead.pk}/live/", {"since": "2026-02-30T00:00"}).status_code == 200
    assert client.get(f"/leads/{lead.pk}/", {"html": "²"}).status_code == 200
    updates = client.get("/queue/updates/", {"since": "2026-02-30T00:00", "shown": "1,²"})
    assert updates.status_code == 200
    assert client.get("/", {"after": "1~2026-02-30T00:00~5"}).status_code == 200
