"""The benchmark's labelled set and the fake model's answers built from it (no database).

The benchmark itself runs in CI as `make bench BENCH_ARGS=--quick` (.ci/run): these tests only
keep its inputs honest, cheaply.
"""

import json
from collections import Counter

from bench import fake
from bench.labelled import LABELS, MAIL_DIR, generate, mail_files, read_labels
from intake import hygiene, mime
from routing import contract, defaults, prompt

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
    # The rubric (bench/labelled/README.md): mail in another language is never easy.
    assert all(row["difficulty"] != "easy" for row in labels if row["language"] != "en")


def test_it_flags_every_labelled_machine_mail_at_the_gate():
    for row in read_labels():
        parsed = mime.parse_message((MAIL_DIR / row["file"]).read_bytes())
        verdict = hygiene.classify(parsed)
        if row["kind"] != "person":
            assert verdict.flag, row["file"]
        elif row["category"] in generate.LEAD_CATEGORIES | {"support"}:
            assert not verdict.flag, (row["file"], verdict)


def test_it_answers_each_sender_with_its_label_as_valid_contract_json():
    labels = {row["sender"].lower(): row for row in read_labels()}
    escalations = fake.Escalations()
    flagged = 0
    for row in read_labels()[:40]:
        shown = prompt.email_text(
            subject="Hello", sender=row["sender"], body="Some text.", max_chars=12000
        )
        request = {
            "model": "claude-haiku-5-5",
            "messages": [{"role": "user", "content": f"<<<EMAIL x>>>\n{shown}\n<<<END x>>>"}],
        }
        body, tier1 = fake.answer_for(request, labels, escalations)
        output = contract.validate(json.dumps(body), categories=SEEDED, message_text=shown)
        assert tier1 and output.category == row["category"]
        assert output.is_lead == (row["is_lead"] == "yes")
        flagged += output.needs_escalation
    assert flagged == 6  # 15% of 40


def test_the_fake_bills_what_the_request_sends_and_a_draft_as_more_input():
    categories = [(slug, name, description) for slug, name, description, *_ in defaults.CATEGORIES]
    email = {"subject": "Pricing", "sender": "a@b.example", "body": "How much for 12?"}
    system, messages, _ = prompt.build_request_parts(
        categories=categories, max_chars=12000, **email
    )
    schema = contract.triage_schema(SEEDED)
    alone = {
        "system": system,
        "messages": messages,
        "output_config": {"format": {"type": "json_schema", "schema": schema}},
    }
    _, checked, _ = prompt.build_request_parts(
        categories=categories, max_chars=12000, previous={"category": "pricing_request"}, **email
    )
    sent_chars = len(system[0]["text"]) + len(messages[0]["content"])
    sent_chars += len(json.dumps(schema, separators=(",", ":")))

    assert fake.input_tokens(alone) == sent_chars // 4  # the schema is billed as input too
    assert fake.input_tokens({**alone, "messages": checked}) > fake.input_tokens(alone)
    assert fake.usage_for(alone, tier1=True)["output_tokens"] == fake.TIER1_OUTPUT_TOKENS
    assert fake.usage_for(alone, tier1=False)["output_tokens"] == fake.TIER2_OUTPUT_TOKENS
