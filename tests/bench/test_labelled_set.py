"""The benchmark's labelled set (no database); the simulated model's answers from it are
tests/bench/test_simulator.py's.

The benchmark itself runs in CI as `make bench BENCH_ARGS=--quick` (.ci/run): these tests only
keep its inputs honest, cheaply.
"""

import email
from collections import Counter
from email.policy import default

from bench.labelled import (
    LABELS,
    MAIL_DIR,
    generate,
    mail_files,
    read_labels,
    replica,
    replica_sender,
    texts,
)
from intake import hygiene, mime
from routing import defaults

SEEDED = [slug for slug, *_ in defaults.CATEGORIES]


def test_it_ships_at_least_200_labelled_messages_in_the_seeded_categories():
    labels = read_labels()
    assert len(labels) >= 200
    assert [row["file"] for row in labels] == sorted(p.name for p in mail_files())
    assert set(Counter(row["category"] for row in labels)) == set(SEEDED)
    assert {"en", "de", "fr", "es"} <= {row["language"] for row in labels}
    senders = [row["sender"] for row in labels if row["kind"] == "person"]
    assert len(senders) == len(set(senders))
    leads = {row["file"] for row in labels if row["is_lead"] == "yes"}
    assert leads == {row["file"] for row in labels if row["category"] in generate.LEAD_CATEGORIES}


def test_it_regenerates_the_same_bytes():
    # The .eml files are what the generator writes: edit texts.py, then re-run it.
    built = generate.build()
    assert len(built) == len(read_labels())
    for row, (raw, info) in zip(read_labels(), built, strict=True):
        assert (MAIL_DIR / row["file"]).read_bytes() == raw, row["file"]
        assert info["category"] == row["category"]
    assert LABELS.read_text().startswith("file,category,is_lead,value_usd,difficulty,language,")


def test_it_labels_value_and_difficulty_in_the_labelled_set_format():
    labels = read_labels()
    for row in labels:
        if row["is_lead"] == "yes":
            assert int(row["value_usd"]) > 0, row["file"]
        else:
            assert row["value_usd"] == "", row["file"]
    counts = Counter(row["difficulty"] for row in labels)
    assert set(counts) == {"easy", "hard", "ambiguous"}
    # The rubric (bench/labelled/README.md): the language is not a difficulty; what is hard or
    # ambiguous is what texts.NOTES says, in any language.
    noted = {
        subject: note["difficulty"] for subject, note in texts.NOTES.items() if "difficulty" in note
    }
    for row in labels:
        message = email.message_from_bytes((MAIL_DIR / row["file"]).read_bytes(), policy=default)
        assert row["difficulty"] == noted.get(str(message["Subject"]), "easy"), row["file"]
    assert any(row["difficulty"] == "easy" for row in labels if row["language"] != "en")


def test_a_replica_is_a_message_of_its_own_with_the_same_text():
    for row in read_labels():
        raw = (MAIL_DIR / row["file"]).read_bytes()
        assert replica(raw, 0, row["sender"]) == raw
        copy = replica(raw, 2, row["sender"])
        original = email.message_from_bytes(raw, policy=default)
        again = email.message_from_bytes(copy, policy=default)
        assert replica_sender(row["sender"], 2).lower() in str(again["From"]).lower()
        if original["Message-ID"]:
            assert str(again["Message-ID"]).strip() == str(original["Message-ID"]).strip().replace(
                "<", "<r2.", 1
            )
        for header in ("In-Reply-To", "References"):
            if original[header]:
                assert str(again[header]).count("<r2.") == str(original[header]).count("<")
        assert (
            again.get_body(("plain", "html")).get_content()
            == original.get_body(("plain", "html")).get_content()
        )
        assert str(again["Subject"]) == str(original["Subject"])


def test_it_flags_every_labelled_machine_mail_at_the_gate():
    for row in read_labels():
        parsed = mime.parse_message((MAIL_DIR / row["file"]).read_bytes())
        verdict = hygiene.classify(parsed)
        if row["kind"] != "person":
            assert verdict.flag, row["file"]
        elif row["category"] in generate.LEAD_CATEGORIES | {"support"}:
            assert not verdict.flag, (row["file"], verdict)
