"""Import .eml files, directories of them and mbox files through the normal intake path.

Every message goes through `services.ingest_email`, the same code a webhook
uses: stored raw under its dedupe key, then processed by the task enqueued on
commit. Messages are stored up to 50 to a transaction, each under its own savepoint, so
one bad file never rolls back the others; their processing is enqueued a few
messages per task. Running the import twice stores nothing new.
"""

import logging
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, reset_queries, transaction
from tqdm import tqdm

from intake import mime, services

logger = logging.getLogger(__name__)

# Enough of a file to tell an mbox ("From " line) from a single message.
HEAD_BYTES = 4096
SHOWN_PATHS = 3
# Messages stored per transaction. Each has its own savepoint inside it (ingest_email), so
# a message that fails rolls back alone; the batch saves a commit per message.
BATCH = 50
BATCH_BYTES = 16 * 1024 * 1024  # or fewer, when they are large


def is_skipped(path: Path) -> bool:
    """Files a mail directory usually holds beside the mail: docs, licences, dotfiles."""
    name = path.name
    return (
        name.startswith(".")
        or name.upper().startswith(("README", "LICENSE"))
        or name.lower().endswith(".md")
    )


def walk(paths: list[Path], skipped: Counter | None = None) -> Iterator[Path]:
    """Every file to try, in a stable order; a file named on the command line is always tried."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                file_path = Path(root, name)
                if is_skipped(file_path) or not file_path.is_file():
                    if skipped is not None:
                        skipped["skipped"] += 1
                    continue
                yield file_path


def read_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) for each message in a file: one, or each of an mbox.

    An mbox is streamed line by line, so a large mailbox costs one message of
    memory at a time. A single file above the intake cap is not read at all:
    ingest_email would refuse it anyway.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        if mime.is_mbox(head):
            handle.seek(0)
            for number, raw in enumerate(mime.split_mbox(handle), start=1):
                yield f"{path}#{number}", raw
            return
        if os.fstat(handle.fileno()).st_size > settings.INTAKE_MAX_BYTES:
            raise services.MessageTooLarge(str(path))
        handle.seek(0)
        yield str(path), handle.read()


class Summary:
    def __init__(self):
        self.counts = Counter()
        self.reasons = Counter()
        # Only the first few paths per reason: a million rejects must not fill memory.
        self.examples: dict[str, list[str]] = defaultdict(list)

    def reject(self, reason: str, label: str) -> None:
        self.counts["rejected"] += 1
        self.reasons[reason] += 1
        if len(self.examples[reason]) < SHOWN_PATHS:
            self.examples[reason].append(label)

    def lines(self, seconds: float) -> list[str]:
        counts = self.counts
        skipped = counts["skipped"]
        first = (
            f"imported {counts['imported']}, duplicates {counts['duplicates']}, "
            f"rejected {counts['rejected']}"
        )
        if counts["failed"]:
            first += f", failed {counts['failed']}"
        if skipped:
            first += f", skipped {skipped} (README, LICENSE, *.md, hidden)"
        total = counts["imported"] + counts["duplicates"] + counts["rejected"] + counts["failed"]
        lines = [first]
        for reason, count in self.reasons.most_common():
            lines.append(f"rejected {count}: {reason}")
            lines += [f"  {label}" for label in self.examples[reason]]
            if count > SHOWN_PATHS:
                lines.append(f"  ... and {count - SHOWN_PATHS} more")
        rate = total / seconds if seconds else 0.0
        lines.append(f"{total} messages in {seconds:.1f} s ({rate:.1f}/s)")
        return lines


def rejection_reason(exc: services.IntakeError) -> str:
    # Grouped in the summary, so the reason names the kind, not the file.
    if isinstance(exc, services.MessageTooLarge):
        return f"too large (over INTAKE_MAX_BYTES={settings.INTAKE_MAX_BYTES})"
    if isinstance(exc, services.NotAnEmail):
        return "not an email (no RFC 822 header lines)"
    return str(exc)


class Command(BaseCommand):
    help = "Import .eml files, directories (recursively) and mbox files as inbound mail."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--provider", default="import", help="stored as Message.provider")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, paths, provider, no_progress, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"no such file or directory: {', '.join(missing)}")
        show_progress = not no_progress and sys.stderr.isatty()
        # Counting costs a directory walk; only the progress bar needs the total.
        total = sum(1 for _ in walk(paths)) if show_progress else None
        summary = Summary()
        started = time.monotonic()
        with tqdm(
            total=total, unit="file", file=sys.stderr, disable=not show_progress, leave=False
        ) as progress:
            messages = self.messages(paths, summary, progress)
            more = True
            while more:
                with transaction.atomic():
                    more = self.import_batch(messages, provider, summary)
                # With DEBUG on, Django keeps every query (raw bytes included) in memory.
                reset_queries()
        seconds = time.monotonic() - started
        for line in summary.lines(seconds):
            self.stdout.write(line)
        if summary.counts["failed"]:
            raise CommandError(f"{summary.counts['failed']} messages failed; see the log above")

    def import_batch(self, messages: Iterator[tuple[str, bytes]], provider, summary) -> bool:
        """Store messages until a batch is full, one at a time (a message is never held
        longer than its own insert); enqueue their processing on commit. False when
        `messages` ran out."""
        created, count, size = [], 0, 0
        for label, raw in messages:
            pk = self.import_message(label, raw, provider, summary)
            if pk is not None:
                created.append(pk)
            count, size = count + 1, size + len(raw)
            if count >= BATCH or size >= BATCH_BYTES:
                services.enqueue_processing(created)
                return True
        services.enqueue_processing(created)
        return False

    def messages(
        self, paths: list[Path], summary: Summary, progress
    ) -> Iterator[tuple[str, bytes]]:
        """(label, raw) for every message under `paths`; files that cannot be read are
        rejected here."""
        for path in walk(paths, summary.counts):
            label = str(path)
            try:
                for label, raw in read_messages(path):
                    yield label, raw
            except services.IntakeError as exc:
                summary.reject(rejection_reason(exc), label)
            except OSError as exc:
                summary.reject(f"unreadable: {exc.strerror or exc}", label)
            progress.update()
            counts = summary.counts
            progress.set_postfix(
                imported=counts["imported"],
                duplicates=counts["duplicates"],
                rejected=counts["rejected"],
                refresh=False,
            )

    def import_message(self, label: str, raw: bytes, provider: str, summary: Summary) -> int | None:
        """The stored message's id when it is new."""
        try:
            result = services.ingest_email(raw=raw, provider=provider, enqueue=False)
        except services.IntakeError as exc:
            summary.reject(rejection_reason(exc), label)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: every next message would fail too
        except Exception:
            # Our fault, not the file's: keep going, report it, and exit nonzero.
            logger.exception("import_mail: %s failed", label)
            summary.counts["failed"] += 1
        else:
            summary.counts["imported" if result.created else "duplicates"] += 1
            return result.message.pk if result.created else None
        return None
