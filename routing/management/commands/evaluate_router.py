"""`manage.py evaluate_router SET --record FILE` / `--replay FILE`: README, "Evaluating the
router". The work is in routing/evaluation/; this parses options and prints."""

import json
import sys
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from routing import inputs
from routing.evaluation import evaluate, labelled, record, render, replay, second_opinion


class Command(BaseCommand):
    help = "Record a labelled set at both tiers, or replay a recording: quality against cost."

    def add_arguments(self, parser):
        parser.add_argument(
            "set", help="a labelled set: a directory with .eml files and labels.csv"
        )
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--record", metavar="FILE.jsonl", help="call tier 1 and tier 2")
        mode.add_argument("--replay", metavar="FILE.jsonl", help="no API call: the report")
        parser.add_argument(
            "--direct", action="store_true", help="synchronous calls, not a Message Batch"
        )
        parser.add_argument("--poll-seconds", type=float, default=30.0)
        parser.add_argument(
            "--include-filtered",
            action="store_true",
            help="also send mail the hygiene gate keeps from the model in production",
        )
        parser.add_argument("--alpha", type=float, default=0.05, help="target miss rate")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--calibration-share", type=float, default=0.5)
        parser.add_argument(
            "--value-threshold",
            type=Decimal,
            help="value_usd of a high-value lead (default: the policy's escalation budget)",
        )
        parser.add_argument("--bootstrap", type=int, default=1000, help="resampling rounds")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true")
        output.add_argument("--markdown", action="store_true")
        parser.add_argument("--plot", metavar="FILE.svg", help="write the cost-quality curve")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--no-second-opinion",
            action="store_true",
            help="leave out the local model's second opinion as a strategy (replay)",
        )

    def handle(self, *args, **options):
        try:
            labelled_set = labelled.load(options["set"])
        except labelled.LabelError as exc:
            raise CommandError(str(exc)) from None
        if options["record"]:
            return self.record(labelled_set, options)
        return self.replay(labelled_set, options)

    def record(self, labelled_set, options):
        if not settings.ANTHROPIC_API_KEY:
            raise CommandError("recording calls the API: set ANTHROPIC_API_KEY")
        show = not options["no_progress"] and sys.stderr.isatty()
        with tqdm(unit="call", file=sys.stderr, disable=not show, leave=False) as bar:

            def progress(done, total):
                bar.total = total
                bar.n = done
                bar.refresh()

            recorder = record.Recorder(
                options["record"],
                labelled_set,
                policy=inputs.current_policy(),
                categories=inputs.active_categories(),
                batch=not options["direct"],
                poll_seconds=options["poll_seconds"],
                include_filtered=options["include_filtered"],
                progress=progress,
            )
            try:
                summary = recorder.run()
            except record.RecordError as exc:
                raise CommandError(str(exc)) from None
        missing = summary["missing"]
        self.stdout.write(
            f"{options['record']}: {summary['recorded']} of {summary['expected']} answers "
            f"recorded for {summary['messages']} messages ({summary['filtered']} kept from the "
            "model by the hygiene gate)"
            + (f"; {len(missing)} not answered yet (run again)" if missing else "")
        )

    def replay(self, labelled_set, options):
        path = Path(options["replay"])
        if not path.is_file():
            raise CommandError(f"{path}: no such recording")
        try:
            lines = record.read_lines(path)
        except record.RecordError as exc:
            raise CommandError(str(exc)) from None
        policy = inputs.current_policy()
        value = options["value_threshold"]
        if value is None:
            value = policy.escalate_budget_at_least
        by_category = {
            c.slug: float(c.confidence_threshold)
            for c in inputs.active_categories()
            if c.confidence_threshold is not None
        }
        if not 0 < options["alpha"] < 1:
            raise CommandError("--alpha must be between 0 and 1")
        if not 0 < options["calibration_share"] < 1:
            raise CommandError("--calibration-share must be between 0 and 1")
        data = replay.build(lines, labelled_set)
        if not len(data):
            left = ", ".join(f"{n} {why}" for why, n in data.skipped.items())
            raise CommandError(f"{path}: nothing to replay ({left or 'no answers'})")
        report = evaluate.evaluate(
            data,
            alpha=options["alpha"],
            seed=options["seed"],
            calibration_share=options["calibration_share"],
            high_value=float(value) if value is not None else None,
            rounds=max(options["bootstrap"], 1),
            policy_thresholds=(float(policy.confidence_threshold), by_category),
        )
        if not options["no_second_opinion"]:
            answers = second_opinion.local_answers(data, labelled_set)
            if answers is not None:
                report["strategies"] = {
                    "second_opinion": second_opinion.strategy(
                        data,
                        answers,
                        high_value=float(value) if value is not None else None,
                        plain=report["router"],
                    )
                }
        if options["plot"]:
            Path(options["plot"]).write_text(render.svg(report), encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=1))
        else:
            self.stdout.write(render.text(report, markdown=options["markdown"]))
