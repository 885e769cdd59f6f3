"""`manage.py benchmark`: the project's speed, memory and cost figures in one table.

The sections live in bench/ (one module per concept, bench/run.py orders them). This command
only parses options and prints; it exits nonzero when a section could not run, never because
a figure missed its target.
"""

import sys
import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from bench import report
from bench.run import SECTIONS, machine, run


class Command(BaseCommand):
    help = (
        "Measure intake, import, triage, cost and django-helpdesk side by side against a "
        "scratch PostgreSQL database, gunicorn and the simulated Messages API; print one table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick", action="store_true", help="small sizes, under a minute (what CI runs)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument(
            "--markdown", action="store_true", help="print the table as Markdown (for README)"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=list(SECTIONS),
            help="run only these sections, in this order",
        )
        parser.add_argument(
            "--port", type=int, default=8870, help="port for the benchmark's gunicorn"
        )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(line: str) -> None:
            sys.stderr.write(line.rstrip() + "\n")
            sys.stderr.flush()

        rows, ctx = run(options, progress)
        when = datetime.now().astimezone()
        header = [
            f"leadrouter benchmark, {'quick' if ctx.quick else 'full'} run, "
            f"{when:%Y-%m-%d %H:%M %Z}",
            f"machine: {machine()}",
            f"took {time.monotonic() - started:.0f} s; targets are shown, not enforced",
            "",
        ]
        if options["json"]:
            meta = {
                "date": when.isoformat(),
                "machine": machine(),
                "quick": ctx.quick,
                "seconds": round(time.monotonic() - started, 1),
                "failures": ctx.failures,
            }
            self.stdout.write(report.as_json(rows, meta))
        elif options["markdown"]:
            self.stdout.write("\n".join(header[:3]) + "\n\n" + report.markdown(rows))
        else:
            self.stdout.write(report.table(rows, header))
        if ctx.failures:
            raise CommandError("sections failed to run: " + "; ".join(ctx.failures))
