"""The simulated Messages API (bench/simulator): its error model by difficulty, its
confidence, its determinism, its keyword reading, and the server through the real SDK.
No database."""

import json
import math
import threading
import urllib.error
import urllib.request
from dataclasses import replace

import anthropic
import pytest

from bench.labelled import read_labels, replica_sender
from bench.simulator import reading
from bench.simulator.model import (
    CONFUSABLE,
    DIFFICULTIES,
    HAIKU_RELATIVE,
    LANGUAGE_FALLBACK,
    LEAD_CATEGORIES,
    SONNET_RELATIVE,
    Parameters,
    Truth,
    draw,
    tier_of,
    truth_from_label,
)
from bench.simulator.server import SimulatedApi, Simulator, input_tokens
from routing import contract, defaults, prompt

SEEDED = [slug for slug, *_ in defaults.CATEGORIES]
CATEGORIES = [(slug, name, description) for slug, name, description, *_ in defaults.CATEGORIES]
DRAWS = 4000


def truths(difficulty: str, n: int = DRAWS, category: str = "demo_request") -> list[Truth]:
    return [
        Truth(key=f"m{i}", category=category, is_lead=True, difficulty=difficulty) for i in range(n)
    ]


def test_it_gives_the_same_message_the_same_answer_on_every_run():
    params = Parameters()
    label = read_labels()[0]
    first = [draw(truth_from_label(label), tier=tier, params=params) for tier in (1, 2)]
    again = [draw(truth_from_label(label), tier=tier, params=params) for tier in (1, 2)]
    assert first == again
    # Each message's answer is its own: drawing others in between changes nothing.
    many = [draw(t, tier=1, params=params) for t in truths("hard", 200)]
    assert many == [draw(t, tier=1, params=params) for t in truths("hard", 200)]
    # Another seed is another run of the model.
    other = [draw(t, tier=1, params=replace(params, seed=99)) for t in truths("hard", 200)]
    assert other != many


@pytest.mark.parametrize("tier", [1, 2])
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_it_errs_at_the_rate_its_parameters_give_for_each_difficulty(tier, difficulty):
    params = Parameters()
    expected = params.tier(tier).error[difficulty]
    answers = [draw(t, tier=tier, params=params) for t in truths(difficulty)]
    observed = sum(not answer.right for answer in answers) / DRAWS
    # Four standard errors: a correct simulation fails this about once in 15,000 runs, and
    # the draws are seeded, so it either always passes or never does.
    tolerance = 4 * math.sqrt(expected * (1 - expected) / DRAWS)
    assert abs(observed - expected) <= tolerance, (observed, expected)
    assert all((a.category == "demo_request") == a.right for a in answers)


@pytest.mark.parametrize("tier", [1, 2])
@pytest.mark.parametrize("language", ["de", "ja", "nl"])
def test_it_errs_more_in_another_language_by_the_published_share(tier, language):
    """English accuracy scaled by the model's published accuracy in the language relative to
    English (nl is not in the table: the fallback share)."""
    params = Parameters()
    tier_params = params.tier(tier)
    table = HAIKU_RELATIVE if tier == 1 else SONNET_RELATIVE
    relative = table.get(language, LANGUAGE_FALLBACK[f"tier{tier}"])
    expected = 1 - (1 - tier_params.error["easy"]) * relative
    answers = [
        draw(replace(t, language=language), tier=tier, params=params) for t in truths("easy")
    ]
    observed = sum(not answer.right for answer in answers) / DRAWS
    tolerance = 4 * math.sqrt(expected * (1 - expected) / DRAWS)
    assert abs(observed - expected) <= tolerance, (observed, expected)
    assert expected > tier_params.error["easy"]  # more than in English, far less than "hard"
    assert expected < tier_params.error["hard"]


@pytest.mark.parametrize("tier", [1, 2])
def test_its_confidence_is_informative_but_not_perfect(tier):
    params = Parameters()
    answers = [draw(t, tier=tier, params=params) for t in truths("ambiguous")]
    right = [a.confidence for a in answers if a.right]
    wrong = [a.confidence for a in answers if not a.right]
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.2
    assert abs(sum(right) / len(right) - params.tier(tier).mean_confidence(True)) < 0.02
    # Imperfect: some wrong answers are confident, some right ones are not.
    assert max(wrong) >= 0.8 and min(right) <= 0.6
    assert all(0 <= a.confidence <= 1 and round(a.confidence, 2) == a.confidence for a in answers)


def test_it_errs_towards_a_plausible_category_and_is_lead_follows_it():
    params = Parameters()
    for category in ("pricing_request", "partnership", "support"):
        wrong = [
            a
            for a in (draw(t, tier=1, params=params) for t in truths("ambiguous", 400, category))
            if not a.right
        ]
        assert wrong
        assert {a.category for a in wrong} <= set(CONFUSABLE[category])
        for a in wrong:
            if (a.category in LEAD_CATEGORIES) != (category in LEAD_CATEGORIES):
                assert a.is_lead == (a.category in LEAD_CATEGORIES)
            else:
                assert a.is_lead is True  # truths() are leads: a lead category keeps it


def test_it_counts_a_label_without_difficulty_as_easy():
    row = {"file": "x.eml", "category": "support", "is_lead": "no", "language": "de"}
    assert truth_from_label(row).difficulty == "easy"
    assert truth_from_label({**row, "difficulty": "hard"}).difficulty == "hard"


def test_it_reads_unlabelled_mail_by_keywords_and_quotes_what_it_states():
    shown = prompt.email_text(
        subject="Demo request for our team",
        sender="priya@northwind.example",
        body="We are 450 employees and want a demo for 120 seats, with a budget of $40k.",
        max_chars=12000,
    )
    truth, facts = reading.read(shown)
    assert (truth.category, truth.is_lead, truth.difficulty) == ("demo_request", True, "easy")
    assert facts["company_size"]["employees"] == 450
    assert facts["budget"]["amount_usd"] == 40000
    for fact in facts.values():
        assert fact["evidence"] in shown
    german = prompt.email_text(
        subject="Anfrage",
        sender="a@b.de",
        body="Wir brauchen ein Angebot für 25 Lizenzen.",
        max_chars=12000,
    )
    # The language is not a difficulty: the error model weighs it by itself.
    assert reading.read(german)[0].difficulty == "easy"
    assert reading.read(german)[0].language == "de"
    assert reading.read("From: x@y.example\nSubject: hi\n\nhello")[0].difficulty == "ambiguous"


def test_it_bills_what_the_request_sends_and_a_draft_as_more_input():
    email = {"subject": "Pricing", "sender": "a@b.example", "body": "How much for 12?"}
    system, messages, _ = prompt.build_request_parts(
        categories=CATEGORIES, max_chars=12000, **email
    )
    schema = contract.triage_schema(SEEDED)
    alone = {
        "system": system,
        "messages": messages,
        "output_config": {"format": {"type": "json_schema", "schema": schema}},
    }
    _, checked, _ = prompt.build_request_parts(
        categories=CATEGORIES, max_chars=12000, previous={"category": "pricing_request"}, **email
    )
    sent_chars = len(system[0]["text"]) + len(messages[0]["content"])
    sent_chars += len(json.dumps(schema, separators=(",", ":")))
    assert input_tokens(alone) == sent_chars // 4  # the schema is billed as input too
    assert input_tokens({**alone, "messages": checked}) > input_tokens(alone)
    assert tier_of("claude-haiku-5-5") == 1 and tier_of("claude-sonnet-5-5") == 2


@pytest.fixture
def simulated_api():
    labels = {row["sender"]: row for row in read_labels()}
    server = SimulatedApi(Simulator(Parameters(), labels))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def request_for(row: dict, body: str = "Some text.") -> dict:
    system, messages, _ = prompt.build_request_parts(
        categories=CATEGORIES, subject="Hello", sender=row["sender"], body=body, max_chars=12000
    )
    return {
        "max_tokens": 1024,
        "system": system,
        "messages": messages,
        "output_config": {
            "format": {"type": "json_schema", "schema": contract.triage_schema(SEEDED)}
        },
    }


def test_it_answers_labelled_senders_through_the_real_sdk_as_the_model_draws(simulated_api):
    client = anthropic.Anthropic(api_key="any", base_url=simulated_api.base_url, max_retries=0)
    params = Parameters()
    people = [row for row in read_labels() if row["kind"] == "person"][:30]
    for row in people:
        shown = prompt.email_text(
            subject="Hello", sender=row["sender"], body="Some text.", max_chars=12000
        )
        for model, tier in (("claude-haiku-5-5", 1), ("claude-sonnet-5-5", 2)):
            message = client.messages.create(model=model, **request_for(row))
            output = contract.validate(
                message.content[0].text, categories=SEEDED, message_text=shown
            )
            expected = draw(truth_from_label(row), tier=tier, params=params)
            assert (output.category, output.is_lead, output.confidence) == (
                expected.category,
                expected.is_lead,
                expected.confidence,
            )
            assert "claude" not in output.summary.lower()
            assert message.usage.output_tokens == params.tier(tier).output_tokens
            assert message._request_id.startswith("req_sim_")

    # The Message Batches API answers the same way, keyed by custom_id.
    batch = client.messages.batches.create(
        requests=[
            {"custom_id": f"lead-{n}", "params": {"model": "claude-sonnet-5-5", **request_for(row)}}
            for n, row in enumerate(people[:3])
        ]
    )
    assert client.messages.batches.retrieve(batch.id).processing_status == "ended"
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}
    for n, row in enumerate(people[:3]):
        text = results[f"lead-{n}"].message.content[0].text
        expected = draw(truth_from_label(row), tier=2, params=params)
        assert json.loads(text)["category"] == expected.category


def test_it_answers_a_replica_of_a_labelled_sender_as_an_independent_reading(simulated_api):
    """`name+rK@host` (bench.labelled.replica) is the labelled sender's message read once more:
    the label's truth, the draw of key `label:<file>#rK`."""
    client = anthropic.Anthropic(api_key="any", base_url=simulated_api.base_url, max_retries=0)
    params = Parameters()
    people = [row for row in read_labels() if row["kind"] == "person"][:40]
    differs = 0
    for row in people:
        tagged = {**row, "sender": replica_sender(row["sender"], 3)}
        message = client.messages.create(model="claude-haiku-5-5", **request_for(tagged))
        output = json.loads(message.content[0].text)
        expected = draw(truth_from_label({**row, "replica": 3}), tier=1, params=params)
        assert (output["category"], output["confidence"]) == (
            expected.category,
            expected.confidence,
        )
        original = draw(truth_from_label(row), tier=1, params=params)
        differs += original.confidence != expected.confidence
    assert differs > 30  # another reading: its own confidence nearly always


def test_it_refuses_a_request_without_a_key(simulated_api):
    request = urllib.request.Request(
        simulated_api.base_url + "/v1/messages",
        data=json.dumps({"model": "claude-haiku-5-5", **request_for(read_labels()[0])}).encode(),
        headers={"content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["error"]["type"] == "authentication_error"
