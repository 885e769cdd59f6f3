"""Serving what senders sent: an attachment is always a download, under a safe name.

The sender chose the name and the bytes. Both admin and the workspace serve attachments
through `attachment_response`: octet-stream, never inline, not sniffed, never run as a
page, and named by `safe_filename` (no path, no control characters, nothing that breaks
the header).
"""

import re
import unicodedata

from django.http import FileResponse, Http404, HttpResponse

from intake.models import Attachment


def safe_filename(name: str, fallback: str) -> str:
    """A download name that cannot break the header or point outside the download folder."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["\'`;]', "_", name).strip(" .")
    return name[:150] or fallback


def nosniff_download(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    # A download is never shown in a frame or run as a page, even if a browser tried.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("the attachment's file is missing") from None
    # Never inline, whatever the sender declared: an .html or .svg would run as our origin.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(attachment.filename, f"attachment-{attachment.pk}.bin"),
        content_type="application/octet-stream",
    )
    return nosniff_download(response)
