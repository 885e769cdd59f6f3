"""Request plumbing for the intake endpoints: our own size cap and form parsing.

Django answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with a bare
400, and its multipart parser applies the same cap to every non-file field.
Providers send more than that: Postmark posts attachments base64 inside JSON,
Mailgun's `body-mime` and SendGrid's `email` carry whole messages in plain
form fields. So the webhook views read the body themselves, up to
settings.INTAKE_MAX_BYTES, answer a deliberate 413 above it, and parse
multipart/form-data without a per-field cap. Every other view keeps Django's
defaults.
"""

import hashlib
from email.parser import HeaderParser
from email.policy import HTTP

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict

READ_CHUNK = 1024 * 1024
# Parts carry per-object overhead the byte cap does not see.
MAX_FORM_PARTS = 10_000


class BodyTooLarge(Exception):
    """Answered 413: the request is bigger than we accept."""


class BadForm(Exception):
    """Answered 400: a multipart/form-data body we cannot split."""


def json_error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def read_body(request: HttpRequest, limit: int, *, parse_form: bool = True) -> bytes:
    """Read the whole body, at most `limit` bytes, and make request.body/POST/FILES use it.

    Reads `limit + 1` bytes at most rather than trusting Content-Length, so a
    body without one (chunked, where the server allows it) is capped too.
    """
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise BodyTooLarge(f"the body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    while True:
        chunk = request.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is over the limit of {limit} bytes")
    body = b"".join(chunks)
    # HttpRequest.body returns _body when it is set, skipping Django's size check.
    request._body = body
    if parse_form and request.content_type == "multipart/form-data":
        boundary = request.content_params.get("boundary", "")
        parts = split_multipart(body, boundary)
        request._post, request._files = form_from_parts(parts, request.encoding)
        request.intake_form_parts = parts
    return body


def split_multipart(body: bytes, boundary: str) -> list[tuple[dict, bytes]]:
    """[(headers, content)] for each part of a multipart/form-data body (RFC 7578, RFC 2046).

    Content is kept byte for byte: a raw message in a form field is stored as sent.
    """
    if not boundary or len(boundary) > 200:
        raise BadForm("multipart/form-data without a usable boundary")
    try:
        delimiter = b"\r\n--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        raise BadForm("multipart boundary is not ASCII") from None
    # The first delimiter may open the body without the CRLF that belongs to the others.
    pieces = (b"\r\n" + body).split(delimiter)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            return parts  # the close delimiter; anything after it is epilogue
        if len(parts) >= MAX_FORM_PARTS:
            raise BodyTooLarge(f"more than {MAX_FORM_PARTS} form parts")
        line_end = piece.find(b"\r\n")
        if line_end == -1 or piece[:line_end].strip(b" \t"):
            raise BadForm("malformed multipart delimiter line")
        piece = piece[line_end + 2 :]
        if piece.startswith(b"\r\n"):
            head, content = b"", piece[2:]
        else:
            head, separator, content = piece.partition(b"\r\n\r\n")
            if not separator:
                raise BadForm("multipart part without a blank line after its headers")
        headers = HeaderParser(policy=HTTP).parsestr(head.decode("utf-8", "replace") + "\r\n\r\n")
        disposition = headers.get("Content-Disposition")
        name = disposition.params.get("name") if disposition is not None else None
        if name is None:
            raise BadForm("multipart part without a form field name")
        parts.append(
            (
                {
                    "name": name,
                    "filename": headers.get_filename(),
                    "content_type": headers.get_content_type(),
                    "charset": headers.get_content_charset(),
                },
                content,
            )
        )
    raise BadForm("multipart body without its closing delimiter (truncated?)")


def form_from_parts(
    parts: list[tuple[dict, bytes]], encoding: str | None
) -> tuple[QueryDict, MultiValueDict]:
    post = QueryDict(mutable=True, encoding=encoding)
    files = MultiValueDict()
    for info, content in parts:
        if info["filename"] is not None:
            upload = SimpleUploadedFile(
                info["filename"] or "attachment", content, content_type=info["content_type"]
            )
            upload.charset = info["charset"]
            files.appendlist(info["name"], upload)
        else:
            post.appendlist(info["name"], _decode(content, info["charset"] or post.encoding))
    post._mutable = False
    return post, files


def _decode(content: bytes, charset: str) -> str:
    try:
        return content.decode(charset, "replace")
    except LookupError:
        return content.decode("utf-8", "replace")


def field_bytes(request: HttpRequest, name: str) -> bytes | None:
    """The exact bytes of a posted form field (the last one of that name), if posted."""
    parts = getattr(request, "intake_form_parts", None)
    if parts is not None:
        found = [
            content for info, content in parts if info["name"] == name and info["filename"] is None
        ]
        return found[-1] if found else None
    value = request.POST.get(name)
    return value.encode("utf-8") if value is not None else None


def form_digest(request: HttpRequest) -> str:
    """sha256 of what a form post says, independent of its multipart boundary.

    A provider's retry of one post carries the same fields in the same order,
    but clients pick a new random boundary for every request.
    """
    digest = hashlib.sha256()
    parts = getattr(request, "intake_form_parts", None)
    if parts is None:
        digest.update(request.body)
        return digest.hexdigest()
    for info, content in parts:
        for value in (info["name"], info["filename"] or "", info["content_type"]):
            digest.update(value.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()
