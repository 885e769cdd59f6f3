"""Hostile attachments posted over HTTP, stored by the worker, downloaded by a rep."""

import base64
import io
import os
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.models import Attachment, Lead, Message
from tests.faults import stack
from tests.workspace.people import make_rep

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MB = 1024 * 1024
BOMB_EXPANDS_TO = 256 * MB
STORED_NAME = re.compile(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}(\.[a-z0-9]{1,9})?\.bin")


def zip_bomb() -> bytes:
    """A zip of a few hundred KB holding 256 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(BOMB_EXPANDS_TO // MB):
                member.write(chunk)
    return buffer.getvalue()


def hostile_files() -> dict[str, tuple[str, bytes]]:
    """Name as sent → (declared type, bytes)."""
    return {
        "../../etc/passwd": ("text/plain", b"root:x:0:0:root:/root:/bin/bash\n"),
        "x.html": ("text/html", b"<script>fetch('/api/leads/').then(r => r.text())</script>"),
        "x.svg": (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<script>alert(document.cookie)</script></svg>",
        ),
        "quote.zip": ("application/zip", zip_bomb()),
    }


def raw_mail(files: dict[str, tuple[str, bytes]]) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Carla Buyer <carla@buyer-attach.example>"
    mail["To"] = "sales@leadrouter.test"
    mail["Subject"] = "Documents for our quote request"
    mail["Message-ID"] = "<attach-raw@buyer-attach.example>"
    mail.set_content("Hi, the documents for our quote for 40 seats are attached.")
    for name, (content_type, content) in files.items():
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def postmark_post(files: dict[str, tuple[str, bytes]]) -> dict:
    """Postmark's inbound JSON with its Attachments array and no RawEmail: the app rebuilds
    the message from the parts."""
    return {
        "MessageID": "attach-postmark-0000-0000-000000000000",
        "From": "pat@buyer-attach.example",
        "FromFull": {"Email": "pat@buyer-attach.example", "Name": "Pat Buyer"},
        "To": "sales@leadrouter.test",
        "ToFull": [{"Email": "sales@leadrouter.test", "Name": ""}],
        "Subject": "Signed order form for the 40 seats",
        "TextBody": "Hi, the signed order form for our 40 seats is attached.",
        "Headers": [{"Name": "Message-ID", "Value": "<attach-postmark@buyer-attach.example>"}],
        "Attachments": [
            {
                "Name": name,
                "Content": base64.b64encode(content).decode(),
                "ContentType": content_type,
                "ContentLength": len(content),
            }
            for name, (content_type, content) in files.items()
        ],
    }


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def tag_with_url(page: bytes, url: str) -> list[str]:
    """Every tag of the page that points at `url`, as written."""
    return re.findall(rb"<[^<>]*?" + re.escape(url.encode()) + rb"[^<>]*>", page)


@pytest.mark.reliability(12)
def test_it_stores_hostile_attachments_under_random_names_and_serves_them_as_downloads(
    web, workers, stack_root
):
    """Mail over the raw endpoint and Postmark carrying `../../etc/passwd`, `x.html`, `x.svg`
    and a 256 MB zip bomb: the worker stores each under a random name inside MEDIA_ROOT,
    nothing is written elsewhere or extracted, and a rep signed in over HTTP gets each as an
    octet-stream download with nosniff, linked from the lead page, never embedded."""
    files = hostile_files()
    media = stack_root / "media"
    # `../../etc/passwd` from MEDIA_ROOT, or from its attachments/YYYY/MM, lands in here.
    temp = stack_root.parent
    before = {path for path in files_under(temp) if media not in path.parents}
    passwd = os.stat("/etc/passwd")

    assert stack.post_raw(web, raw_mail(files)).status == 202
    assert stack.post_json(web, stack.POSTMARK, postmark_post(files)).status == 200
    worker = workers(Q_WORKERS="1")

    def decided() -> bool:
        return (
            Message.objects.filter(parse_state=Message.ParseState.PARSED).count() == 2
            and not Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE).exists()
        )

    assert stack.poll(decided, timeout=90), stack.tail(worker.log)
    stored = list(Attachment.objects.select_related("message").order_by("pk"))
    assert sorted(a.filename for a in stored) == sorted([*files, *files])

    # On disk: random names inside MEDIA_ROOT, the bytes as sent, the zip as a zip.
    for attachment in stored:
        assert STORED_NAME.fullmatch(attachment.file.name), attachment.file.name
        path = (media / attachment.file.name).resolve()  # the stack's MEDIA_ROOT
        assert media.resolve() in path.parents
        assert path.read_bytes() == files[attachment.filename][1], attachment.filename
    on_disk = files_under(media)
    assert len(on_disk) == len(stored)  # nothing unpacked beside them
    assert sum(path.stat().st_size for path in on_disk) < 2 * len(files["quote.zip"][1]) + MB
    written = {path for path in files_under(temp) if media not in path.parents} - before
    assert written <= {worker.log}, written
    assert os.stat("/etc/passwd").st_mtime_ns == passwd.st_mtime_ns

    # In the workspace: linked as downloads, never embedded; served as opaque bytes.
    leads = {attachment.message.lead for attachment in stored}
    # Whichever queue the local tier chose (sales or support: "the signed order form is
    # attached" reads either way), the rep works it.
    queues = {lead.triage.queue.slug for lead in leads}
    assert queues <= {"sales", "support"}, queues
    stack.with_password(make_rep("carla-rep", queues=tuple(sorted(queues))))
    rep = stack.sign_in(web, "carla-rep")
    for lead in leads:
        page = rep.get(f"/leads/{lead.pk}/")
        assert page.status == 200
        for attachment in stored:
            if attachment.message.lead_id != lead.pk:
                continue
            url = f"/leads/{lead.pk}/attachments/{attachment.pk}/"
            tags = tag_with_url(page.body, url)
            assert tags and all(t.startswith(b"<a ") and b" download" in t for t in tags), tags
            download = rep.get(url)
            assert download.status == 200, url
            assert download.headers["content-type"] == "application/octet-stream"
            assert download.headers["content-disposition"].startswith("attachment; filename")
            assert download.headers["x-content-type-options"] == "nosniff"
            assert download.body == files[attachment.filename][1]
