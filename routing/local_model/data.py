"""Training examples: the shipped set, labelled-set directories, corrections, tier-2 decisions."""

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from intake import mime

SHIPPED = Path(__file__).resolve().parent / "data" / "messages.jsonl.gz"


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


def from_set(labelled_set) -> list[Example]:
    """The messages of a labelled set that routing/evaluation/labelled.py `load` read and
    checked (every row, with the row and column named on the first problem) as examples."""
    examples = []
    for item in labelled_set.items:
        parsed = mime.parse_message(item.path.read_bytes())
        examples.append(
            Example(
                subject=parsed.subject or "",
                body=parsed.text_new or parsed.text or "",
                category=item.category,
                is_lead=item.is_lead,
                language=item.language,
                group=f"{labelled_set.root.name}/{item.file}",
                source=f"set:{labelled_set.root}",
            )
        )
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
