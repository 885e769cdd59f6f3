"""`manage.py triage_backlog`: the synchronous path, the Message Batch path, resume, since."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from intake.models import Lead
from routing import backlog, inputs, llm, prices, services
from routing.calls import price_in_force
from routing.models import BacklogBatch, ModelCall, RoutingPolicy
from tests.fakes.anthropic import FakeMessage
from tests.helpers import make_lead

pytestmark = pytest.mark.django_db

USAGE = {"input_tokens": 2000, "output_tokens": 200}


def answer(confidence: float = 0.9) -> dict:
    """A valid triage answer for any helper-made email (no evidence quotes needed)."""
    fact = {"value": None, "evidence": ""}
    return {
        "category": "demo_request",
        "is_lead": True,
        "qualification": {
            "budget": {**fact, "amount_usd": None},
            "authority": fact,
            "need": fact,
            "timeline": fact,
            "company_size": {**fact, "employees": None},
        },
        "urgency": "normal",
        "language": "en",
        "summary": "Wants a demo for the team.",
        "next_action": "book_demo",
        "confidence": confidence,
        "needs_escalation": False,
        "escalation_reason": "",
        "injection_suspected": False,
    }


@pytest.fixture
def fake(fake_anthropic):
    inputs.current_policy()
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))
    fake_anthropic.default = lambda request: FakeMessage(json.dumps(answer()), usage=USAGE)
    return fake_anthropic


def leads(count: int) -> list[Lead]:
    made = [
        make_lead(
            message_id=f"<backlog-{n}@acme-widgets.com>",
            sender=f"Buyer {n} <buyer{n}@acme-widgets.com>",
            subject=f"Demo for team {n}",
        )
        for n in range(count)
    ]
    for lead in made:
        lead.refresh_from_db()
        assert lead.status == Lead.Status.AWAITING_TRIAGE
    return made


def run(*args: str) -> str:
    out = StringIO()
    call_command("triage_backlog", "--no-progress", "--poll-interval", "0", *args, stdout=out)
    return out.getvalue()


def statuses(made: list[Lead]) -> list[str]:
    return [Lead.objects.get(pk=lead.pk).status for lead in made]


def batch_creates(fake) -> list:
    return fake.requests_to("/v1/messages/batches", "POST")


# --- without --batch ------------------------------------------------------------------


def test_it_triages_awaiting_leads_one_by_one(fake):
    made = leads(3)
    out = run()
    assert "3 decided, 0 provisional, 0 skipped" in out
    assert statuses(made) == [Lead.Status.NEW] * 3
    for lead in made:
        lead.refresh_from_db()
        assert lead.triage.model == "claude-haiku-5-5"
        assert lead.triage.tier == 1
    assert len(fake.requests_to("/v1/messages", "POST")) == 3
    assert not ModelCall.objects.filter(batch=True).exists()
    assert not batch_creates(fake)


def test_it_skips_leads_already_decided(fake):
    made = leads(2)
    Lead.objects.filter(pk=made[0].pk).update(status=Lead.Status.NEW)
    out = run()
    assert "1 decided" in out
    assert len(fake.requests_to("/v1/messages", "POST")) == 1


def test_it_filters_on_since(fake):
    made = leads(3)
    Lead.objects.filter(pk=made[0].pk).update(received_at=timezone.now() - timedelta(days=10))
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    out = run("--since", since)
    assert "2 decided" in out
    assert statuses(made) == [Lead.Status.AWAITING_TRIAGE, Lead.Status.NEW, Lead.Status.NEW]


def test_it_filters_on_since_in_batch_mode(fake):
    made = leads(3)
    Lead.objects.filter(pk=made[0].pk).update(received_at=timezone.now() - timedelta(days=10))
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    run("--batch", "--since", since)
    (create,) = batch_creates(fake)
    assert [item["custom_id"] for item in create.json["requests"]] == [
        f"lead-{made[1].pk}",
        f"lead-{made[2].pk}",
    ]
    assert statuses(made) == [Lead.Status.AWAITING_TRIAGE, Lead.Status.NEW, Lead.Status.NEW]


def test_it_rejects_a_bad_since(fake):
    with pytest.raises(CommandError, match="not a date"):
        run("--since", "last tuesday")


# --- with --batch ---------------------------------------------------------------------


def test_it_submits_one_batch_and_applies_it_at_the_batch_price(fake):
    made = leads(3)
    out = run("--batch")
    assert "3 decided, 0 provisional, 0 skipped" in out

    (create,) = batch_creates(fake)
    requests = create.json["requests"]
    assert [item["custom_id"] for item in requests] == [f"lead-{lead.pk}" for lead in made]
    assert not fake.requests_to("/v1/messages", "POST")  # no synchronous call at all

    calls = list(ModelCall.objects.filter(lead__in=made))
    assert len(calls) == 3
    usage = prices.Usage(**USAGE)
    price = price_in_force("claude-haiku-5-5", timezone.now())
    for call in calls:
        assert call.batch is True
        assert call.model == "claude-haiku-5-5"
        assert call.tier == 1
        assert call.input_tokens == 2000 and call.output_tokens == 200
        assert call.cost_usd == prices.cost(usage, price, batch=True)
        assert call.cost_usd * 2 == prices.cost(usage, price)
    for lead in made:
        lead.refresh_from_db()
        assert lead.status == Lead.Status.NEW
        assert lead.triage.model == "claude-haiku-5-5"
        assert lead.triage.tier == 1
        assert lead.triage.category == "demo_request"
    row = BacklogBatch.objects.get()
    assert row.applied_at is not None and row.ended_at is not None
    assert row.counts == {"decided": 3}


def test_it_bills_a_batch_call_half_of_a_direct_one(fake):
    direct, batched = leads(2)
    services.triage_lead(direct.pk)
    run("--batch")
    direct_call = ModelCall.objects.get(lead=direct)
    batch_call = ModelCall.objects.get(lead=batched)
    assert (direct_call.batch, batch_call.batch) == (False, True)
    assert batch_call.cost_usd * 2 == direct_call.cost_usd
    assert batch_call.cost_usd > 0


def test_it_sends_the_pipelines_own_tier1_request(fake):
    direct, batched = leads(2)
    services.triage_lead(direct.pk)
    run("--batch")
    sent = fake.requests_to("/v1/messages", "POST")[0].json
    (item,) = batch_creates(fake)[0].json["requests"]
    params = item["params"]
    for key in ("model", "max_tokens", "system", "output_config"):
        assert params[key] == sent[key], key
    assert "buyer1@acme-widgets.com" in json.dumps(params["messages"])


def test_it_applies_results_by_custom_id_whatever_their_order(fake):
    made = leads(3)
    items, _ = backlog.split_for_batch(backlog.awaiting_lead_ids())
    row = backlog.submit(items)
    fake_batch = fake.batches[row.batch_id]
    # Give each lead its own answer, then serve the results in reverse order.
    by_lead = {}
    for n, lead in enumerate(made):
        result = fake_batch.results[f"lead-{lead.pk}"]
        text = dict(answer(), summary=f"Summary for lead {n}")
        result["message"]["content"][0]["text"] = json.dumps(text)
        by_lead[lead.pk] = f"Summary for lead {n}"
    fake_batch.results = dict(reversed(list(fake_batch.results.items())))

    run("--batch")
    for lead in made:
        lead.refresh_from_db()
        assert lead.triage.summary == by_lead[lead.pk]
    assert len(batch_creates(fake)) == 1


def test_it_leaves_errored_and_expired_requests_awaiting_triage(fake):
    made = leads(3)
    fake.overloaded()  # the first batch item takes this scripted answer: errored
    items, _ = backlog.split_for_batch(backlog.awaiting_lead_ids())
    row = backlog.submit(items)
    fake.batches[row.batch_id].results[f"lead-{made[1].pk}"] = {"type": "expired"}

    out = run("--batch")
    assert "1 decided" in out and "1 errored" in out and "1 expired" in out
    assert statuses(made) == [
        Lead.Status.AWAITING_TRIAGE,
        Lead.Status.AWAITING_TRIAGE,
        Lead.Status.NEW,
    ]
    # The errored request is on record (no tokens, no cost); the expired one never ran.
    errored = ModelCall.objects.get(lead=made[0])
    assert errored.batch and errored.error_type == "overloaded_error" and errored.cost_usd is None
    assert not ModelCall.objects.filter(lead=made[1]).exists()
    assert BacklogBatch.objects.get().applied_at is not None


def test_it_resumes_the_submitted_batch_instead_of_submitting_again(fake):
    made = leads(2)
    items, _ = backlog.split_for_batch(backlog.awaiting_lead_ids())
    row = backlog.submit(items)  # ... and the process died here

    out = run("--batch")
    assert f"Resuming batch {row.batch_id}" in out
    assert "2 decided" in out
    assert len(batch_creates(fake)) == 1
    assert ModelCall.objects.filter(lead__in=made, batch=True).count() == 2

    out = run("--batch")  # nothing left: no batch, nothing applied twice
    assert "0 decided" in out
    assert len(batch_creates(fake)) == 1
    assert ModelCall.objects.filter(lead__in=made).count() == 2


def test_it_resumes_after_ctrl_c_while_polling(fake, monkeypatch):
    made = leads(2)

    def interrupted(batch_id):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(llm, "batch_status", interrupted)
        with pytest.raises(CommandError, match="run the command again"):
            run("--batch")
    assert statuses(made) == [Lead.Status.AWAITING_TRIAGE] * 2
    assert BacklogBatch.objects.get().applied_at is None

    out = run("--batch")
    assert "Resuming batch" in out and "2 decided" in out
    assert len(batch_creates(fake)) == 1
    assert statuses(made) == [Lead.Status.NEW] * 2


def test_it_does_not_record_a_result_twice_when_apply_is_resumed(fake):
    made = leads(2)
    run("--batch")
    row = BacklogBatch.objects.get()
    # As if the run died after applying, before marking the batch done.
    BacklogBatch.objects.filter(pk=row.pk).update(applied_at=None)
    out = run("--batch")
    assert "0 decided, 0 provisional, 2 skipped" in out
    assert ModelCall.objects.filter(lead__in=made).count() == 2


def test_it_polls_until_the_batch_has_ended(fake):
    fake.batch_polls = 3
    leads(1)
    run("--batch")
    (row,) = BacklogBatch.objects.all()
    retrieves = [r for r in fake.requests if r.path == f"/v1/messages/batches/{row.batch_id}"]
    # Three in progress, one ended, then one more: the SDK looks up the results URL.
    assert len(retrieves) == 5


def test_it_escalates_through_the_normal_tier2_call(fake):
    made = leads(1)
    fake.default = lambda request: FakeMessage(json.dumps(answer(confidence=0.3)), usage=USAGE)
    run("--batch")
    lead = Lead.objects.get(pk=made[0].pk)
    assert lead.triage.tier == 2 and lead.triage.model == "claude-sonnet-5-5"
    assert any("low_confidence" in reason for reason in lead.triage.escalation_reasons)
    calls = ModelCall.objects.filter(lead=lead).order_by("pk")
    assert [(c.tier, c.batch) for c in calls] == [(1, True), (2, False)]


def test_it_draws_progress_bars_on_stderr(fake, capsys):
    leads(1)
    out = StringIO()
    call_command("triage_backlog", "--batch", "--poll-interval", "0", stdout=out)
    assert "1 decided" in out.getvalue()
    assert "batch msgbatch_fake_" in capsys.readouterr().err
