"""`manage.py train_local`: a stored version with its figures, reps' corrections as labels,
labelled sets checked row by row, and a refusal that leaves the active version alone."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from routing.local_model import data, train
from routing.models import Feedback, LocalModel
from tests.helpers import make_email, make_lead

pytestmark = pytest.mark.django_db


def write_set(directory: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A labelled set: one .eml per row and labels.csv (file, category, is_lead)."""
    lines = ["file,category,is_lead,value_usd,difficulty,language"]
    for n, (category, is_lead, body) in enumerate(rows, start=1):
        name = f"{n:04d}.eml"
        (directory / name).write_bytes(make_email(subject=f"Message {n}", body=body))
        lines.append(f"{name},{category},{is_lead},,easy,en")
    (directory / "labels.csv").write_text("\n".join(lines) + "\n")
    return directory


def test_it_trains_a_version_with_held_out_figures_and_a_reps_correction():
    lead = make_lead(body="We resell scheduling software in Norway and want to work with you.")
    Feedback.objects.create(
        lead=lead, field="category", old_value="sales_inquiry", new_value="partnership"
    )
    out = io.StringIO()

    call_command("train_local", "--from-corrections", "--folds", "0", stdout=out)

    version = LocalModel.objects.get()
    assert version.is_active and version.version == 1
    assert version.sources == ["shipped", "corrections (1)"]
    shipped = [e for e in data.shipped() if e.split == "train"]
    partnerships = sum(e.category == "partnership" for e in shipped)
    assert version.counts["category"]["partnership"] == partnerships + 1
    held = version.metrics["heldout"]
    assert held["n"] == sum(e.split == "heldout" for e in data.shipped())
    assert {"lead_accuracy", "macro_f1", "lead_accuracy_by_language"} <= set(held)
    assert set(version.metrics["heldout_by_source"]) == {"shipped:composed", "shipped:labelled"}
    assert "corrections: 1 examples" in out.getvalue()
    assert "local model v1" in out.getvalue()


def test_it_refuses_too_few_examples_and_keeps_the_active_version(tmp_path):
    active = LocalModel.objects.create(
        version=1, algorithm="tfidf-logreg", artifact=b"x", sklearn_version="x", is_active=True
    )
    rows = [("demo_request", "yes", "Can we see a demo?")] * 3 + [("spam", "no", "You won!")] * 2
    labelled = write_set(tmp_path, rows)

    with pytest.raises(CommandError) as error:
        call_command("train_local", "--no-shipped", str(labelled))

    assert "too few examples (under 20) for: demo_request (3), spam (2)" in str(error.value)
    assert "active local model is unchanged" in str(error.value)
    assert list(LocalModel.objects.filter(is_active=True)) == [active]
    assert LocalModel.objects.count() == 1


@pytest.mark.parametrize(
    "row, message",
    [
        ("0002.eml,nope,no,,easy,en", "line 3, column category: 'nope' is not one of"),
        ("0002.eml,spam,maybe,,easy,en", "line 3, column is_lead: 'maybe' is not yes/no"),
        ("0001.eml,spam,no,,easy,en", "line 3, column file: '0001.eml' is already on line 2"),
        ("missing.eml,spam,no,,,", "line 3, column file: 'missing.eml' does not exist"),
        ("0002.eml,spam,no,,tricky,en", "line 3, column difficulty: 'tricky' is not one of"),
    ],
)
def test_it_names_the_bad_row_of_a_labelled_set(tmp_path, row, message):
    # The shared reader (routing/evaluation/labelled.py) checks the set, as evaluate_router's.
    labelled = write_set(tmp_path, [("demo_request", "yes", "Demo?"), ("spam", "no", "Hm")])
    lines = (tmp_path / "labels.csv").read_text().splitlines()
    (tmp_path / "labels.csv").write_text("\n".join([*lines[:2], row]) + "\n")

    with pytest.raises(CommandError) as error:
        call_command("train_local", str(labelled))

    assert f"{tmp_path / 'labels.csv'}: {message}" in str(error.value)
    assert not LocalModel.objects.exists()


def test_it_adds_a_labelled_set_to_the_training_examples(tmp_path):
    rows = [
        ("demo_request", "yes", f"Could we book a demo for {n} technicians?") for n in range(20)
    ]
    rows += [("spam", "no", f"You won {n} euros, click the link") for n in range(20)]
    labelled = write_set(tmp_path, rows)

    call_command("train_local", "--no-shipped", "--folds", "0", str(labelled), stdout=io.StringIO())

    version = LocalModel.objects.get()
    assert version.sources == [f"set {labelled} (40)"]
    assert version.counts["category"] == {"demo_request": 20, "spam": 20}
    assert version.counts["language"] == {"en": 40}


def test_it_cross_validates_by_template():
    examples = [
        data.Example(
            subject="",
            body=f"{word} number {n}",
            category=word,
            is_lead=word == "demo",
            group=f"{word}/{n % 5}",
        )
        for word in ("demo", "invoice", "resume")
        for n in range(30)
    ]
    result = train.cross_validate(examples, train.DEFAULT_ALGORITHM, folds=3)
    assert result["folds"] == 3
    assert result["lead_accuracy"] == 1.0 and result["macro_f1"] == 1.0


def test_it_learns_tier_2_decisions_as_labels(fake_anthropic):
    from routing import services
    from tests.routing.test_triage import answer

    # Tier 1 is unsure; tier 2 calls it a partnership: that is the label --from-tier2 adds.
    fake_anthropic.default = lambda request: answer(
        category="partnership", is_lead=False, next_action="route_to_partnerships"
    )
    fake_anthropic.reply(answer(confidence=0.4))
    lead = make_lead()
    services.triage_lead(lead.pk)
    lead.refresh_from_db()
    assert lead.triage.tier == 2

    examples = data.from_tier2()

    assert [(e.category, e.is_lead, e.source) for e in examples] == [
        ("partnership", False, "tier2")
    ]
    assert "demo for our team of 40" in examples[0].text
    Feedback.objects.create(lead=lead, field="category", new_value="demo_request")
    assert data.from_tier2() == []  # a rep's correction overrides tier 2
