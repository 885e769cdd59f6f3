"""Train a local model version: `python manage.py train_local [SET ...] [--from-corrections]
[--from-tier2]`.

Always trains on the shipped training set's train split and measures on its held-out split;
SET directories (labelled-set format), reps' corrections and tier-2 decisions are added to the
training examples. A category with too few examples stops the run and the active version
stays. The new version becomes the active one unless --no-activate.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from routing.evaluation import labelled
from routing.local_model import data, store, train
from routing.models import Category


class Command(BaseCommand):
    help = "Train the local model, measure it on the held-out split, store it as a new version."

    def add_arguments(self, parser):
        parser.add_argument("sets", nargs="*", type=Path, help="labelled-set directories")
        parser.add_argument("--from-corrections", action="store_true", help="add reps' fixes")
        parser.add_argument("--from-tier2", action="store_true", help="add tier-2 decisions")
        parser.add_argument("--folds", type=int, default=3, help="cross-validation folds (0: off)")
        parser.add_argument(
            "--algorithm", choices=train.ALGORITHMS, default=train.DEFAULT_ALGORITHM
        )
        parser.add_argument("--no-shipped", action="store_true", help="leave the shipped set out")
        parser.add_argument(
            "--no-activate", action="store_true", help="store it, keep the active one"
        )

    def handle(self, *args, **options):
        categories = sorted(Category.objects.values_list("slug", flat=True))
        examples, sources = [], []
        if not options["no_shipped"]:
            examples += data.shipped()
            sources.append("shipped")
        for directory in options["sets"]:
            try:
                found = data.from_set(labelled.load(directory, categories=categories))
            except labelled.LabelError as exc:
                raise CommandError(str(exc)) from exc
            examples += found
            sources.append(f"set {directory} ({len(found)})")
        for flag, reader, name in (
            ("from_corrections", data.from_corrections, "corrections"),
            ("from_tier2", data.from_tier2, "tier 2"),
        ):
            if options[flag]:
                found = reader()
                examples += found
                sources.append(f"{name} ({len(found)})")
                self.stdout.write(f"{name}: {len(found)} examples")
        try:
            trained = train.train(examples, algorithm=options["algorithm"], folds=options["folds"])
        except train.TooFewExamples as exc:
            raise CommandError(f"{exc}. The active local model is unchanged.") from exc
        version = store.save_version(trained, sources=sources, activate=not options["no_activate"])
        held = trained.metrics.get("heldout") or {}
        self.stdout.write(
            f"local model v{version.version}: {trained.counts['total']} training examples, "
            f"held out {held.get('n', 0)}: lead-vs-not {held.get('lead_accuracy', 0):.1%}, "
            f"category macro-F1 {held.get('macro_f1', 0):.3f}"
        )
        for language, value in (held.get("lead_accuracy_by_language") or {}).items():
            self.stdout.write(f"  {language}: lead-vs-not {value:.1%}")
        cv = trained.metrics.get("cross_validation")
        if cv:
            self.stdout.write(
                f"cross-validation ({cv['folds']} folds by template): lead-vs-not "
                f"{cv['lead_accuracy']:.1%}, macro-F1 {cv['macro_f1']:.3f}"
            )
        self.stdout.write(
            "active" if version.is_active else "stored, not active (choose it in admin)"
        )
