"""A labelled set: a directory of `.eml` files and `labels.csv` saying what each one is.

Columns (README, "Labelled sets"): `file`, `category`, `is_lead` are required; `value_usd`,
`difficulty` (easy / hard / ambiguous) and `language` are optional; any other column is kept
out of the way (bench/labelled/labels.csv carries `value`, `kind` and `sender`). Every row
is checked before anything runs, and the first problem found is one `LabelError` naming the
row and the column, so a typo never costs an API call.

A file is looked up beside `labels.csv`, then in a `mail/` folder beside it.

The category must be a slug the set allows: the lines of `categories.txt` beside
`labels.csv` when the set has one, else the active `Category` rows of the database.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

LABELS = "labels.csv"
CATEGORIES = "categories.txt"
MAIL = "mail"  # files are found beside labels.csv, or in its mail/ folder (bench/labelled)
REQUIRED = ("file", "category", "is_lead")
DIFFICULTIES = ("easy", "hard", "ambiguous")
TRUE = {"yes", "true", "1", "y"}
FALSE = {"no", "false", "0", "n"}


class LabelError(ValueError):
    """The labelled set cannot be used as it is; the message says where and why."""


@dataclass(frozen=True)
class LabelledItem:
    file: str
    path: Path
    category: str
    is_lead: bool
    value_usd: Decimal | None = None
    difficulty: str = ""
    language: str = ""
    row: int = 0  # the line in labels.csv (the header is line 1)


@dataclass(frozen=True)
class LabelledSet:
    root: Path
    items: tuple[LabelledItem, ...]
    categories: tuple[str, ...]  # the slugs the set was checked against

    def __len__(self) -> int:
        return len(self.items)

    def by_file(self) -> dict[str, LabelledItem]:
        return {item.file: item for item in self.items}


def parse_bool(text: str) -> bool | None:
    value = (text or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def allowed_categories(root: Path, categories=None) -> tuple[str, ...]:
    """The slugs the set's labels may use: `categories` when given, else the set's
    categories.txt, else the database's active categories."""
    if categories is not None:
        return tuple(categories)
    listed = root / CATEGORIES
    if listed.is_file():
        lines = listed.read_text(encoding="utf-8").splitlines()
        return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    from routing.models import Category  # the database only when the set names no slugs

    return tuple(Category.objects.filter(is_active=True).values_list("slug", flat=True))


def load(path, *, categories=None) -> LabelledSet:
    """Read and check a labelled set; raise LabelError on the first bad row."""
    root = Path(path)
    if not root.is_dir():
        raise LabelError(f"{root}: not a directory (a labelled set is a directory)")
    labels = root / LABELS
    if not labels.is_file():
        raise LabelError(f"{root}: no {LABELS} (columns: file, category, is_lead, ...)")
    allowed = allowed_categories(root, categories)
    if not allowed:
        raise LabelError(f"{root}: no categories to check the labels against")
    try:
        text = labels.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelError(f"{labels}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise LabelError(f"{labels}: line 1: missing column {', '.join(missing)}")
    reader.fieldnames = header
    items: list[LabelledItem] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        items.append(_item(root, labels, line, row, allowed, seen))
    if not items:
        raise LabelError(f"{labels}: no rows")
    return LabelledSet(root=root, items=tuple(items), categories=allowed)


def _item(root: Path, labels: Path, line: int, row: dict, allowed, seen) -> LabelledItem:
    def fail(column: str, problem: str) -> LabelError:
        return LabelError(f"{labels}: line {line}, column {column}: {problem}")

    if None in row:  # more cells than the header has columns
        raise fail("(extra)", f"{len(row[None])} more cells than the header names")
    values = {key: (value or "").strip() for key, value in row.items()}
    name = values["file"]
    if not name:
        raise fail("file", "empty")
    if name in seen:
        raise fail("file", f"{name!r} is already on line {seen[name]}")
    seen[name] = line
    file = (root / name).resolve()
    if not file.is_file() and (root / MAIL / name).is_file():
        file = (root / MAIL / name).resolve()
    if root.resolve() not in file.parents:
        raise fail("file", f"{name!r} is outside the set's directory")
    if not file.is_file():
        raise fail("file", f"{name!r} does not exist in {root}")
    category = values["category"]
    if category not in allowed:
        raise fail("category", f"{category!r} is not one of {', '.join(allowed)}")
    is_lead = parse_bool(values["is_lead"])
    if is_lead is None:
        raise fail("is_lead", f"{values['is_lead']!r} is not yes/no, true/false or 1/0")
    value_usd = None
    if values.get("value_usd"):
        try:
            value_usd = Decimal(values["value_usd"].replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise fail("value_usd", f"{values['value_usd']!r} is not a number") from None
        if not value_usd.is_finite() or value_usd < 0:
            raise fail("value_usd", f"{values['value_usd']!r} is not a number of dollars")
    difficulty = values.get("difficulty", "").lower()
    if difficulty and difficulty not in DIFFICULTIES:
        raise fail(
            "difficulty", f"{values['difficulty']!r} is not one of {', '.join(DIFFICULTIES)}"
        )
    return LabelledItem(
        file=name,
        path=file,
        category=category,
        is_lead=is_lead,
        value_usd=value_usd,
        difficulty=difficulty,
        language=values.get("language", ""),
        row=line,
    )
