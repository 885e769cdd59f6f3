"""Training examples: the shipped set, labelled-set directories, corrections, tier-2 decisions."""

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from intake import mime

SHIPPED = Path(__file__).resolve().parent / "data" / "messages.jsonl.gz"
YES, NO = {"yes", "true", "1"}, {"no", "false", "0"}
DIFFICULTIES = {"", "easy", "hard", "ambiguous"}


@dataclass(frozen=True)
class Example:
    subject: str
    body: str
    category: str
    is_lead: bool
    language: str = ""
    split: str = "train"  # or "heldout": never trained on
    group: str = ""  # the template or source it came from: cross-validation keeps one together
    source: str = ""

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}"


class DataError(Exception):
    """A labelled set that cannot be read: the message names the row."""


def shipped() -> list[Example]:
    """The training set in the repository (bench/labelled/training.py writes it)."""
    with gzip.open(SHIPPED, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [
        Example(
            subject=row["subject"],
            body=row["body"],
            category=row["category"],
            is_lead=row["is_lead"],
            language=row["language"],
            split=row["split"],
            group=row["template"],
            source=f"shipped:{row['source']}",
        )
        for row in rows
    ]


def read_set(directory: Path, *, categories: set[str]) -> list[Example]:
    """A labelled set: `labels.csv` (file, category, is_lead, optional value_usd, difficulty,
    language) and the `.eml` files it names. Every row is checked before any is used."""
    labels = directory / "labels.csv"
    if not labels.is_file():
        raise DataError(f"{directory}: no labels.csv")
    with labels.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    problems, seen, examples = [], set(), []
    for number, row in enumerate(rows, start=2):
        where = f"{labels}:{number}"
        name = (row.get("file") or "").strip()
        category = (row.get("category") or "").strip()
        is_lead = (row.get("is_lead") or "").strip().lower()
        if not name or name in seen:
            problems.append(f"{where}: {'duplicate' if name else 'missing'} file {name!r}")
            continue
        seen.add(name)
        path = directory / name
        if not path.is_file():
            problems.append(f"{where}: no file {name}")
            continue
        if category not in categories:
            problems.append(f"{where}: unknown category {category!r}")
        if is_lead not in YES | NO:
            problems.append(f"{where}: is_lead must be yes or no, not {is_lead!r}")
        if (row.get("difficulty") or "").strip() not in DIFFICULTIES:
            problems.append(f"{where}: difficulty must be easy, hard or ambiguous")
        if problems:
            continue
        parsed = mime.parse_message(path.read_bytes())
        examples.append(
            Example(
                subject=parsed.subject or "",
                body=parsed.text_new or parsed.text or "",
                category=category,
                is_lead=is_lead in YES,
                language=(row.get("language") or "").strip(),
                group=f"{directory.name}/{name}",
                source=f"set:{directory}",
            )
        )
    if problems:
        raise DataError("\n".join(problems[:20]))
    return examples


def from_corrections() -> list[Example]:
    """Leads whose category a rep corrected: the rep's category is the label."""
    from routing.models import Category, Feedback

    sales = set(Category.objects.filter(is_sales=True).values_list("slug", flat=True))
    latest = {}
    for feedback in Feedback.objects.filter(field="category").order_by("created_at", "pk"):
        if isinstance(feedback.new_value, str) and feedback.new_value:
            latest[feedback.lead_id] = feedback.new_value
    return _examples(latest, sales, "corrections")


def from_tier2() -> list[Example]:
    """Leads decided at tier 2 or above that no rep corrected (a correction is the truth:
    from_corrections): what the paid model decided."""
    from routing.models import Category, Feedback, Triage

    sales = set(Category.objects.filter(is_sales=True).values_list("slug", flat=True))
    corrected = Feedback.objects.filter(field="category").values("lead_id")
    decided = dict(
        Triage.objects.filter(tier__gte=2, decided_at__isnull=False)
        .exclude(lead_id__in=corrected)
        .values_list("lead_id", "category")
    )
    return _examples(decided, sales, "tier2")


def _examples(labels: dict[int, str], sales: set[str], source: str) -> list[Example]:
    from routing import inputs
    from routing.tiers import message_text

    examples = []
    for lead_id, category in labels.items():
        lead, message = inputs.lead_and_first_message(lead_id)
        if lead is None:
            continue
        examples.append(
            Example(
                subject=(message.subject if message else lead.subject) or "",
                body=message_text(message),
                category=category,
                is_lead=category in sales,
                group=f"{source}/{lead_id}",
                source=source,
            )
        )
    return examples
