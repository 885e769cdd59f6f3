"""The intake admin: changelists, change pages, the raw source, downloads and re-parse."""

import pytest
from django.urls import reverse

from intake import submissions
from intake.downloads import safe_filename
from intake.models import Attachment, Channel, Form, Lead, Message, WebhookNonce
from tests.helpers import ingest, make_email, make_lead, make_user

SCRIPT = "<script>alert('owned')</script>"


def email_with_attachment(
    *, filename: str, content_type: str, content: bytes, message_id: str = "<att@acme.test>"
) -> bytes:
    import base64

    body = base64.encodebytes(content).decode()
    return (
        "From: Dana Buyer <dana@acme-widgets.com>\r\n"
        "To: sales@leadrouter.test\r\n"
        "Subject: Our requirements\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Requirements attached.\r\n"
        "--b1\r\n"
        f"Content-Type: {content_type}\r\n"
        f'Content-Disposition: attachment; filename="{filename}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        f"{body}\r\n"
        "--b1--\r\n"
    ).encode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mail(media):
    """A few leads with several messages, one with an attachment, one hostile."""
    for n in range(3):
        make_lead(subject=f"Pricing for {n + 10} seats", message_id=f"<p{n}@acme.test>")
        ingest(
            make_email(
                subject=f"Re: Pricing for {n + 10} seats",
                message_id=f"<p{n}-reply@acme.test>",
                headers={"In-Reply-To": f"<p{n}@acme.test>"},
            )
        )
    ingest(
        email_with_attachment(
            filename="specs.pdf", content_type="application/pdf", content=b"%PDF-1.4 specs"
        )
    )
    return ingest(make_email(subject="Hello", body=SCRIPT, message_id="<evil@acme.test>")).message


@pytest.mark.django_db
def test_it_loads_every_changelist(admin_client, mail):
    Form.objects.create(slug="demo", name="Demo request")
    WebhookNonce.objects.create(provider="mailgun", token="t1", body_sha256="0" * 64)
    for model in ("contact", "lead", "message", "attachment", "form", "webhooknonce"):
        response = admin_client.get(reverse(f"admin:intake_{model}_changelist"))
        assert response.status_code == 200, model


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, query, expected",
    [
        ("lead", "q=acme-widgets", "Pricing for 11 seats"),
        ("lead", "status__exact=awaiting_triage&channel__exact=email", "Pricing for 12 seats"),
        ("lead", "received_at__gte=2000-01-01+00%3A00%3A00%2B00%3A00", "Pricing for 10 seats"),
        ("message", "q=p1-reply@acme.test", "Re: Pricing for 11 seats"),
        ("message", "q=dana", "Our requirements"),
        ("message", "parse_state__exact=parsed&hygiene__exact=&provider=raw", "Hello"),
        ("contact", "q=Dana+Buyer", "dana@acme-widgets.com"),
        ("attachment", "q=specs", "specs.pdf"),
    ],
)
def test_it_searches_and_filters(admin_client, mail, model, query, expected):
    response = admin_client.get(reverse(f"admin:intake_{model}_changelist") + "?" + query)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "errornote" not in response.content.decode()


@pytest.mark.django_db
def test_it_annotates_the_message_count_on_the_lead_list(admin_client, mail):
    response = admin_client.get(reverse("admin:intake_lead_changelist"))
    lead = Lead.objects.get(subject="Pricing for 10 seats")
    counts = {row.pk: row.n_messages for row in response.context["cl"].result_list}
    assert counts[lead.pk] == 2
    assert f"?lead__id__exact={lead.pk}" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["lead", "message"])
def test_it_keeps_changelist_queries_bounded(
    admin_client, mail, model, django_assert_max_num_queries
):
    url = reverse(f"admin:intake_{model}_changelist")
    admin_client.get(url)  # session and content types warmed up
    with django_assert_max_num_queries(8):
        assert admin_client.get(url).status_code == 200
    for n in range(10):
        make_lead(subject=f"More leads {n}", message_id=f"<more{n}@acme.test>")
    with django_assert_max_num_queries(8):
        assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
def test_it_loads_change_pages(admin_client, mail):
    lead = mail.lead
    attachment = Attachment.objects.get()
    pages = [
        reverse("admin:intake_lead_change", args=[lead.pk]),
        reverse("admin:intake_message_change", args=[mail.pk]),
        reverse("admin:intake_message_change", args=[attachment.message_id]),
        reverse("admin:intake_contact_change", args=[lead.contact_id]),
        reverse("admin:intake_attachment_change", args=[attachment.pk]),
        reverse("admin:intake_form_add"),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_it_shows_the_lead_messages_inline_with_links(admin_client, mail):
    lead = Lead.objects.get(subject="Pricing for 10 seats")
    response = admin_client.get(reverse("admin:intake_lead_change", args=[lead.pk]))
    body = response.content.decode()
    for message in lead.messages.all():
        assert reverse("admin:intake_message_change", args=[message.pk]) in body
    assert "Re: Pricing for 10 seats" in body


@pytest.mark.django_db
def test_it_never_renders_message_content_as_html(admin_client, mail):
    response = admin_client.get(reverse("admin:intake_message_change", args=[mail.pk]))
    body = response.content.decode()
    assert SCRIPT not in body
    assert "&lt;script&gt;" in body


@pytest.mark.django_db
def test_it_shows_the_raw_source_escaped(admin_client, mail):
    response = admin_client.get(reverse("admin:intake_message_raw", args=[mail.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in body
    assert "Message-ID: &lt;evil@acme.test&gt;" in body


@pytest.mark.django_db
def test_it_replaces_bytes_that_are_not_utf8_in_the_raw_view(admin_client, media):
    raw = make_email(body="caf\xe9").replace("caf\xe9".encode(), b"caf\xe9")
    message = ingest(raw).message
    response = admin_client.get(reverse("admin:intake_message_raw", args=[message.pk]))
    assert "caf\ufffd" in response.content.decode()


@pytest.mark.django_db
def test_it_downloads_the_eml(admin_client, mail):
    response = admin_client.get(reverse("admin:intake_message_eml", args=[mail.pk]))
    assert response.status_code == 200
    assert response.content == bytes(Message.objects.get(pk=mail.pk).raw)
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{mail.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_it_downloads_an_attachment_never_inline(admin_client, media):
    content = b"<html><script>alert(1)</script></html>"
    raw = email_with_attachment(
        filename="../../etc/passwd.html", content_type="text/html", content=content
    )
    attachment = ingest(raw).message.attachments.get()
    response = admin_client.get(reverse("admin:intake_attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and ".." not in disposition
    assert disposition == 'attachment; filename="passwd.html"'


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\dana\\quote.pdf", "quote.pdf"),
        ('a"b;c.pdf', "a_b_c.pdf"),
        ("evil\r\nSet-Cookie: x.txt", "evilSet-Cookie: x.txt"),
        ("..", "attachment-7.bin"),
        ("", "attachment-7.bin"),
        ("Angebot über 40 Plätze.pdf", "Angebot über 40 Plätze.pdf"),
    ],
)
def test_it_sanitises_the_download_filename(name, expected):
    assert safe_filename(name, "attachment-7.bin") == expected


@pytest.mark.django_db
def test_it_reparses_and_keeps_one_lead(admin_client, mail):
    messages_before = {m.pk: m.lead_id for m in Message.objects.all()}
    leads_before = Lead.objects.count()
    Message.objects.filter(pk__in=messages_before).update(text="stale", hygiene="bounce")

    response = admin_client.post(
        reverse("admin:intake_message_changelist"),
        {"action": "reparse", "_selected_action": list(messages_before)},
        follow=True,
    )

    assert f"Re-parsed {len(messages_before)} message(s)." in response.content.decode()
    assert Lead.objects.count() == leads_before
    for message in Message.objects.all():
        assert message.lead_id == messages_before[message.pk]
        assert message.parse_state == Message.ParseState.PARSED
        assert message.text != "stale"
        assert message.hygiene == ""
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_it_reparses_a_message_without_subject_into_its_own_lead(admin_client, media):
    # No subject, so threading finds nothing: process_message alone would open a second lead.
    message = ingest(make_email(subject="", message_id="<nosubject@acme.test>")).message
    lead_id = message.lead_id

    admin_client.post(
        reverse("admin:intake_message_changelist"),
        {"action": "reparse", "_selected_action": [message.pk]},
    )

    message.refresh_from_db()
    assert message.lead_id == lead_id
    assert Lead.objects.count() == 1
    assert message.parse_state == Message.ParseState.PARSED


@pytest.mark.django_db
def test_it_replaces_attachments_on_reparse(admin_client, media, on_commit):
    raw = email_with_attachment(filename="a.pdf", content_type="application/pdf", content=b"%PDF-1")
    message = ingest(raw).message
    old = message.attachments.get()
    assert (media / old.file.name).exists()

    with on_commit():
        admin_client.post(
            reverse("admin:intake_message_changelist"),
            {"action": "reparse", "_selected_action": [message.pk]},
        )

    new = message.attachments.get()
    assert new.pk != old.pk
    assert new.sha256 == old.sha256
    assert (media / new.file.name).exists()
    assert not (media / old.file.name).exists()


@pytest.mark.django_db
def test_it_does_not_reparse_form_submissions(admin_client):
    submission = submissions.ingest_submission(
        channel=Channel.FORM, email="dana@acme-widgets.com", message="Demo please"
    ).message

    response = admin_client.post(
        reverse("admin:intake_message_changelist"),
        {"action": "reparse", "_selected_action": [submission.pk]},
        follow=True,
    )

    assert "Skipped 1 form/API submission(s)" in response.content.decode()
    submission.refresh_from_db()
    assert submission.text == "Demo please"
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_it_sends_non_staff_to_the_login_page(client, mail):
    attachment = Attachment.objects.get()
    client.force_login(make_user("rep"))
    urls = [
        reverse("admin:intake_lead_changelist"),
        reverse("admin:intake_message_raw", args=[mail.pk]),
        reverse("admin:intake_message_eml", args=[mail.pk]),
        reverse("admin:intake_attachment_download", args=[attachment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


@pytest.mark.django_db
def test_it_forbids_staff_without_view_permission(client, mail):
    attachment = Attachment.objects.get()
    client.force_login(make_user("intern", staff=True))
    assert client.get(reverse("admin:intake_message_raw", args=[mail.pk])).status_code == 403
    download = reverse("admin:intake_attachment_download", args=[attachment.pk])
    assert client.get(download).status_code == 403


@pytest.mark.django_db
def test_it_cannot_add_messages_by_hand(admin_client):
    assert admin_client.get(reverse("admin:intake_message_add")).status_code == 403
