"""Mail samples for the MIME parser tests: fixtures, the real-world corpus, torture mail."""

from pathlib import Path

from intake import mime
from intake.mime import peek_headers
from tests.helpers import MAIL_CORPUS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
CORPUS = MAIL_CORPUS
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file())
TEXT_FIELDS = ("subject", "from_name", "text", "html", "text_new", "text_quoted", "signature")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def messages_in(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    if mime.is_mbox(raw[:4096]):
        return list(mime.split_mbox(raw))
    return [raw] if peek_headers(raw).looks_like_mail else []


def assert_no_nul(parsed: mime.ParsedMessage) -> None:
    for name in TEXT_FIELDS + ("message_id", "from_email", "in_reply_to"):
        assert "\x00" not in getattr(parsed, name), name
    for name, value in parsed.headers:
        assert "\x00" not in name + value
    for pair in parsed.to + parsed.cc + parsed.reply_to:
        assert "\x00" not in "".join(pair)
    for attachment in parsed.attachments:
        assert "\x00" not in attachment.filename + attachment.content_type
    assert all("\x00" not in w for w in parsed.warnings)


def multipart(parts: int) -> bytes:
    body = b"".join(b"--x\nContent-Type: text/plain\n\npart %d\n" % i for i in range(parts))
    head = (
        b'From: a@example.com\nSubject: many parts\nContent-Type: multipart/mixed; boundary="x"\n'
    )
    return head + b"\n" + body + b"--x--\n"


def nested_multipart(depth: int) -> bytes:
    out = [b"From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n"]
    for i in range(depth):
        out.append(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
    out.append(b"Content-Type: text/plain\n\nthe bottom\n")
    out.extend(b"--b%d--\n" % i for i in reversed(range(depth)))
    return b"".join(out)


def nested_messages(depth: int) -> bytes:
    out = [b"From: a@example.com\nSubject: russian doll\n"]
    out.extend(b"Content-Type: message/rfc822\n\nSubject: level %d\n" % i for i in range(depth))
    out.append(b"Content-Type: text/plain\n\nthe bottom\n")
    return b"".join(out)
