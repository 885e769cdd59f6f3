"""The labelled set the benchmark triages: mail/NNNN.eml and labels.csv (see generate.py).

labels.csv is the labelled-set format (README.md here): file, category (a seeded routing
category, routing/defaults.py), is_lead (yes/no), value_usd (a lead's dollars a year, empty for
the rest), difficulty (easy/hard/ambiguous), language (ISO 639-1), and two columns of this set
only: kind (person, or the machine that wrote it: ooo, autoresponder, newsletter, bounce) and
sender.
"""

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIL_DIR = HERE / "mail"
LABELS = HERE / "labels.csv"


def read_labels() -> list[dict]:
    with LABELS.open(newline="") as handle:
        return list(csv.DictReader(handle))


def mail_files() -> list[Path]:
    return sorted(MAIL_DIR.glob("*.eml"))


ID_HEADERS = re.compile(
    rb"^(message-id|in-reply-to|references):(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE
)
HEADER_END = re.compile(rb"\r?\n\r?\n")


def replica_sender(sender: str, copy: int) -> str:
    """The address replica `copy` of a labelled message comes from: `name+rK@host`."""
    local, _, host = sender.partition("@")
    return f"{local}+r{copy}@{host}" if copy else sender


def replica(raw: bytes, copy: int, sender: str) -> bytes:
    """Copy `copy` of a labelled message as a message of its own: its sender tagged `+rK` (a
    contact of its own, and the simulated model's key for an independent reading) and every
    Message-ID it names prefixed `rK.` (not a duplicate of the original; a reply in the set
    threads into the same copy of its parent). Copy 0 is the message itself."""
    if not copy:
        return raw
    end = HEADER_END.search(raw)
    head, body = (raw[: end.start()], raw[end.start() :]) if end else (raw, b"")
    head = ID_HEADERS.sub(
        lambda match: match.group(1) + b":" + match.group(2).replace(b"<", b"<r%d." % copy), head
    )
    head = re.sub(
        re.escape(sender.encode()), replica_sender(sender, copy).encode(), head, flags=re.I
    )
    return head + body
