"""The real-world mail corpus (tests/fixtures/corpus/eml) and what tests expect of it."""

import re
from pathlib import Path

from intake import mime, services
from intake.models import Message
from tests.helpers import MAIL_CORPUS as CORPUS

# Expected hygiene flag by corpus path (relative to CORPUS), first match wins.
FLAGS = [
    (re.compile(r"sisimai-set-of-emails/maildir/\w+/rfc3834-"), Message.Hygiene.AUTO_REPLY),
    (
        re.compile(r"sisimai-set-of-emails/maildir/\w+/(lhost|rhost|rfc3464)-"),
        Message.Hygiene.BOUNCE,
    ),
    (re.compile(r"sisimai-set-of-emails/maildir/\w+/arf-"), Message.Hygiene.COMPLAINT),
    (re.compile(r"flanker/bounce/"), Message.Hygiene.BOUNCE),
    (re.compile(r"flanker/complaints/"), Message.Hygiene.COMPLAINT),
]


def corpus_files() -> list[Path]:
    """Every file but docs, licences and dotfiles."""
    files = []
    for path in sorted(CORPUS.rglob("*")):
        name = path.name
        if not path.is_file() or any(part.startswith(".") for part in path.parts):
            continue
        if name.startswith(("README", "LICENSE")) or name.endswith(".md"):
            continue
        files.append(path)
    return files


def messages_in(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return list(mime.split_mbox(data)) if mime.is_mbox(data[:4096]) else [data]


def split_corpus() -> tuple[dict[Path, list[bytes]], list[tuple[Path, bytes]]]:
    """(mail by file, non-mail files) over the whole corpus."""
    mail, not_mail = {}, []
    for path in corpus_files():
        for raw in messages_in(path):
            if mime.peek_headers(raw).looks_like_mail:
                mail.setdefault(path, []).append(raw)
            else:
                not_mail.append((path, raw))
    return mail, not_mail


def expected_flag(path: Path) -> str | None:
    relative = path.relative_to(CORPUS).as_posix()
    return next((flag for pattern, flag in FLAGS if pattern.search(relative)), None)


def dedupe_key(raw: bytes) -> str:
    return services.email_key(mime.peek_headers(raw).message_id, raw)[:998]


def stored(raw: bytes) -> Message:
    return Message.objects.select_related("lead").get(dedupe_key=dedupe_key(raw))
