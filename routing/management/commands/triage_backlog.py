"""`manage.py triage_backlog [--since DATE] [--batch]`: triage leads still awaiting triage.

Without `--batch` each lead goes through `services.triage_lead`, as the worker would. With
`--batch` their tier-1 requests go in one Message Batch (half price, results within 24 h); the
batch is remembered, so running the command again after Ctrl-C or a crash resumes polling it
instead of submitting (and paying for) another. See routing/backlog.py.
"""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from routing import backlog, llm


def parse_since(value: str) -> datetime:
    """A date (its start, in the current time zone) or an ISO date-time."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = datetime.combine(day, time.min)
    except ValueError as exc:
        raise CommandError(f"--since: not a date: {value!r} (use YYYY-MM-DD)") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Triage leads still awaiting triage, one by one or through a Message Batch."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", help="Only leads received on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Send tier 1 through the Message Batches API (half price, up to 24 h).",
        )
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=30.0,
            help="Seconds between batch status polls (default 30).",
        )
        parser.add_argument("--limit", type=int, default=None, help="At most this many leads.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, since=None, batch=False, poll_interval=30.0, limit=None, **options):
        since_at = parse_since(since) if since else None
        progress = not options["no_progress"]
        if poll_interval < 0:
            raise CommandError("--poll-interval must not be negative")
        try:
            if batch:
                counts = backlog.run_batch(
                    since=since_at,
                    limit=limit,
                    interval=poll_interval,
                    progress=progress,
                    on_event=self.stdout.write,
                )
            else:
                ids = backlog.awaiting_lead_ids(since=since_at, limit=limit)
                counts = backlog.triage_each(ids, progress=progress)
        except KeyboardInterrupt as exc:
            pending = backlog.pending_batch()
            if pending is not None:
                raise CommandError(
                    f"Interrupted; batch {pending.batch_id} is on record: "
                    "run the command again to resume it."
                ) from exc
            raise CommandError("Interrupted.") from exc
        except llm.LlmError as exc:
            pending = backlog.pending_batch()
            hint = (
                f" Batch {pending.batch_id} is on record; run again to resume." if pending else ""
            )
            raise CommandError(f"Anthropic API: {exc}.{hint}") from exc
        shown = ["decided", "provisional", "skipped"]
        shown += [name for name in counts if name not in shown and counts[name]]
        summary = ", ".join(f"{counts.get(name, 0)} {name}" for name in shown)
        self.stdout.write(f"Triage backlog: {summary}.")
