"""Labelled sets (routing/evaluation/labelled.py): what a good one gives, and every bad one
refused with the row and column named, through the command before anything runs."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from routing.evaluation import labelled

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "labelled" / "small"
HEADER = "file,category,is_lead,value_usd,difficulty,language"


def make_set(tmp_path: Path, rows: list[str], *, header: str = HEADER, files=("a.eml", "b.eml")):
    root = tmp_path / "set"
    root.mkdir()
    for name in files:
        (root / name).write_bytes(b"Subject: hello\n\nhello\n")
    (root / "labels.csv").write_text("\n".join([header, *rows]) + "\n")
    return root


def test_it_reads_a_set_with_optional_and_extra_columns():
    loaded = labelled.load(SMALL)
    assert len(loaded) == 6
    first = loaded.by_file()["a_pricing.eml"]
    assert first.category == "pricing_request" and first.is_lead is True
    assert first.value_usd == Decimal("60000") and first.difficulty == "easy"
    assert first.row == 2
    # is_lead as true / 0 too; the `notes` column is ignored.
    assert loaded.by_file()["b_demo.eml"].is_lead is True
    assert loaded.by_file()["d_vendor.eml"].is_lead is False
    # Checked against the database's categories.
    assert "pricing_request" in loaded.categories


def test_it_reads_the_benchmark_set_as_it_is():
    # bench/labelled/labels.csv has value, kind and sender columns and yes/no booleans.
    loaded = labelled.load(ROOT / "bench" / "labelled")
    assert len(loaded) >= 220
    assert all(item.value_usd is None or item.value_usd >= 0 for item in loaded.items)


def test_it_takes_the_categories_the_set_lists(tmp_path):
    root = make_set(tmp_path, ["a.eml,alpha,yes,,,", "b.eml,beta,no,,,"])
    (root / "categories.txt").write_text("# the set's own\nalpha\nbeta\n")
    assert labelled.load(root).categories == ("alpha", "beta")


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        (["a.eml,no_such,yes,,,"], HEADER, "line 2, column category: 'no_such' is not one of"),
        (
            ["a.eml,support,no,,,", "c.eml,support,no,,,"],
            HEADER,
            "line 3, column file: 'c.eml' does not exist",
        ),
        (
            ["a.eml,support,no,,,", "a.eml,spam,no,,,"],
            HEADER,
            "line 3, column file: 'a.eml' is already on line 2",
        ),
        (["a.eml,support,maybe,,,"], HEADER, "line 2, column is_lead: 'maybe' is not yes/no"),
        (["a.eml,support,yes,lots,,"], HEADER, "line 2, column value_usd: 'lots' is not a number"),
        (
            ["a.eml,support,yes,-5,,"],
            HEADER,
            "line 2, column value_usd: '-5' is not a number of dollars",
        ),
        (
            ["a.eml,support,yes,,tricky,"],
            HEADER,
            "line 2, column difficulty: 'tricky' is not one of easy",
        ),
        (["a.eml,support"], "file,category", "line 1: missing column is_lead"),
        (["../x.eml,support,no,,,"], HEADER, "column file: '../x.eml' is outside"),
        ([",support,no,,,"], HEADER, "line 2, column file: empty"),
        (["a.eml,support,no,,,,surplus"], HEADER, "line 2, column (extra)"),
        ([], HEADER, "no rows"),
    ],
)
def test_it_refuses_a_bad_label_file_naming_the_row(tmp_path, rows, header, message, settings):
    root = make_set(tmp_path, rows, header=header)
    with pytest.raises(labelled.LabelError) as error:
        labelled.load(root)
    assert message in str(error.value)
    # Through the command: a clear error before any call (no API key is even set).
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="labels.csv"):
        call_command(
            "evaluate_router", str(root), "--record", str(tmp_path / "x.jsonl"), stdout=StringIO()
        )
    assert not (tmp_path / "x.jsonl").exists()


def test_it_refuses_a_directory_without_labels(tmp_path):
    with pytest.raises(labelled.LabelError, match="no labels.csv"):
        labelled.load(tmp_path)
    with pytest.raises(labelled.LabelError, match="not a directory"):
        labelled.load(tmp_path / "missing")
