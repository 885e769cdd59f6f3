"""Shadow audits: drawn at triage, sent later as a Message Batch without tier 1's draft,
recorded at the batch price, and written to the triage as the dashboard's agreement."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import Schedule

from intake.models import Lead
from routing import audits, dashboard, inputs, prices, rerun, services
from routing.calls import price_in_force
from routing.models import Circuit, ModelCall, RoutingPolicy, ShadowAudit, Triage
from tests.fakes.anthropic import FakeMessage
from tests.helpers import make_lead
from tests.routing.test_triage import HAIKU, SONNET, USAGE, answer, calls
from workspace import actions

pytestmark = pytest.mark.django_db

AUDIT_USAGE = {"input_tokens": 1900, "output_tokens": 500}


@pytest.fixture
def fake(fake_anthropic):
    inputs.current_policy()
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("1"))
    fake_anthropic.batch_polls = 0  # a batch has ended by the first status poll
    return fake_anthropic


def drawn(fake, **lead) -> Triage:
    """A lead decided by a confident tier-1 answer, drawn for an audit."""
    fake.reply(answer(), usage=USAGE)
    return services.triage_lead(make_lead(**lead).pk)


def batch_creates(fake):
    return fake.requests_to("/v1/messages/batches", "POST")


def test_it_draws_the_audit_at_triage_and_calls_nothing_more_then(fake):
    triage = drawn(fake)

    assert (triage.model, triage.escalated, triage.shadow_category) == (HAIKU, False, "")
    assert calls(triage.lead) == [(HAIKU, "triage")]
    audit = ShadowAudit.objects.get()
    assert (audit.lead_id, audit.model, audit.batch_id, audit.outcome) == (
        triage.lead_id,
        SONNET,
        "",
        "",
    )


def test_it_sends_waiting_audits_as_one_batch_and_records_tier_twos_answer(fake):
    first, second = (
        drawn(fake),
        drawn(fake, sender="sam@example.org", message_id="<m2@example.org>"),
    )
    fake.reply(answer(category="pricing_request"), usage=AUDIT_USAGE)  # a disagreement
    fake.reply(answer(), usage=AUDIT_USAGE)

    assert audits.run() == {"submitted": 2}
    assert audits.run() == {"answered": 2}

    (create,) = batch_creates(fake)
    assert [item["custom_id"] for item in create.json["requests"]] == [
        f"audit-{pk}"
        for pk in ShadowAudit.objects.order_by("created_at").values_list("pk", flat=True)
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.shadow_category, second.shadow_category) == ("pricing_request", "demo_request")
    assert calls(first.lead) == [(HAIKU, "triage"), (SONNET, "shadow_audit")]
    assert set(ShadowAudit.objects.values_list("outcome", "category")) == {
        ("answered", "pricing_request"),
        ("answered", "demo_request"),
    }
    # The dashboard's agreement figure reads what the audits wrote.
    today = timezone.localdate()
    (entry,) = dashboard.agreement(dashboard.decisions(dashboard.Range(today, today)))["shadow"]
    assert (entry["model"], entry["n"], entry["agreed"]) == (HAIKU, 2, 1)


def test_it_bills_an_audit_at_the_batch_price(fake):
    triage = drawn(fake)
    fake.reply(answer(), usage=AUDIT_USAGE)
    audits.run()
    audits.run()

    call = ModelCall.objects.get(lead=triage.lead, purpose="shadow_audit")
    price = price_in_force(SONNET, timezone.now())
    assert (call.batch, call.tier, call.input_tokens, call.output_tokens) == (True, 2, 1900, 500)
    assert call.cost_usd == prices.cost(prices.Usage(**AUDIT_USAGE), price, batch=True)
    assert call.cost_usd * 2 == prices.cost(prices.Usage(**AUDIT_USAGE), price)


def test_the_audit_is_tier_twos_own_request_without_tier_ones_draft(fake):
    drawn(fake)
    fake.reply(answer())
    audits.run()

    tier1 = fake.requests_to("/v1/messages", "POST")[0].json
    (item,) = batch_creates(fake)[0].json["requests"]
    params = item["params"]
    assert params["model"] == SONNET
    assert params["system"] == tier1["system"]
    assert params["output_config"] == tier1["output_config"]
    text = json.dumps(params["messages"])
    assert "<<<DRAFT" not in text and "first-pass" not in text  # nothing to agree with
    assert "demo for our team of 40" in text  # the email itself


@pytest.mark.parametrize("count", [50, 140, 1000, 20_000])
def test_the_draw_audits_the_rate_of_any_run_of_leads_to_within_one(count):
    rate = Decimal("0.02")
    for start in (1, 7_919, 10**9):
        drawn = sum(audits.drawn_for_audit(pk, rate) for pk in range(start, start + count))
        assert abs(drawn - float(rate) * count) <= 1.5, (start, drawn)


def test_the_draw_follows_the_rate_at_its_ends():
    assert all(audits.drawn_for_audit(pk, Decimal("1")) for pk in range(1, 1000))
    assert not any(audits.drawn_for_audit(pk, Decimal("0")) for pk in range(1, 1000))


def test_it_does_not_audit_escalated_or_unsure_decisions(fake):
    fake.reply(answer(confidence=0.4), usage=USAGE)
    fake.reply(answer(), usage=USAGE)
    triage = services.triage_lead(make_lead().pk)

    assert triage.escalated
    assert not ShadowAudit.objects.exists()


def test_it_draws_no_audit_at_rate_zero(fake):
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("0"))
    drawn(fake)
    assert not ShadowAudit.objects.exists()
    assert audits.run() == {}
    assert not batch_creates(fake)


def test_it_waits_for_a_batch_still_in_progress(fake):
    fake.batch_polls = 1  # the first status poll says in progress
    triage = drawn(fake)
    fake.reply(answer(category="support"))
    audits.run()

    assert audits.run() == {}  # still processing
    triage.refresh_from_db()
    assert triage.shadow_category == ""
    assert audits.run() == {"answered": 1}
    triage.refresh_from_db()
    assert triage.shadow_category == "support"


def test_a_batch_is_polled_once_a_run_however_many_audits_it_holds(fake):
    fake.batch_polls = 1
    for n in range(3):
        drawn(fake, sender=f"buyer{n}@example.org", message_id=f"<m{n}@example.org>")
    fake.default = lambda request: FakeMessage(json.dumps(answer()))
    audits.run()

    audits.run()  # in progress
    audits.run()  # ended
    gets = [r.path for r in fake.requests if r.method == "GET"]
    # One poll a run, and the SDK's own look-up of the results' address.
    assert len([path for path in gets if not path.endswith("/results")]) == 2 + 1
    assert len([path for path in gets if path.endswith("/results")]) == 1


def test_an_ended_batch_is_applied_once(fake):
    triage = drawn(fake)
    fake.reply(answer())
    audits.run()
    (batch_id,) = ShadowAudit.objects.values_list("batch_id", flat=True)
    audits.run()

    assert audits.apply_batch(batch_id) == {}  # run again, e.g. after an interruption
    assert ModelCall.objects.filter(lead=triage.lead, purpose="shadow_audit").count() == 1


def test_errored_invalid_and_expired_answers_are_recorded_and_change_nothing(fake):
    made = [
        drawn(fake, sender=f"buyer{n}@example.org", message_id=f"<m{n}@example.org>")
        for n in range(3)
    ]
    fake.overloaded()
    fake.reply("not json at all")
    fake.reply(answer())
    audits.run()
    (batch_id,) = set(ShadowAudit.objects.values_list("batch_id", flat=True))
    third = ShadowAudit.objects.get(lead=made[2].lead)
    fake.batches[batch_id].results[audits.custom_id(third.pk)] = {"type": "expired"}

    assert audits.run() == {"errored": 1, "invalid": 1, "expired": 1}

    for triage in made:
        triage.refresh_from_db()
        assert triage.shadow_category == ""
    errored = ModelCall.objects.get(lead=made[0].lead, purpose="shadow_audit")
    assert errored.batch and errored.error_type == "overloaded_error" and errored.cost_usd is None
    invalid = ModelCall.objects.get(lead=made[1].lead, purpose="shadow_audit")
    assert invalid.cost_usd > 0  # an invalid answer is still paid for
    assert not ModelCall.objects.filter(lead=made[2].lead, purpose="shadow_audit").exists()
    assert not ShadowAudit.objects.filter(done_at__isnull=True).exists()


def test_audits_of_a_batch_the_api_no_longer_has_are_closed(fake):
    drawn(fake)
    fake.reply(answer())
    audits.run()
    fake.batches.clear()  # results are kept 29 days

    assert audits.run() == {"expired": 1}
    assert ShadowAudit.objects.get().outcome == "expired"
    assert audits.run() == {}


def test_an_answer_arriving_after_a_rerun_stays_off_the_new_decision(fake):
    triage = drawn(fake)
    fake.reply(answer(category="support"))
    audits.run()  # sent
    fake.reply(answer(category="pricing_request"))
    rerun.redecide(triage.lead_id, tier=1)  # a rep's re-run: a new decision

    assert audits.run() == {"answered": 1}
    triage.refresh_from_db()
    assert (triage.category, triage.shadow_category) == ("pricing_request", "")
    assert ShadowAudit.objects.get().category == "support"  # the answer is still on record
    assert calls(triage.lead)[-1] == (SONNET, "shadow_audit")  # and paid for


def test_a_rerun_clears_the_audit_and_skips_one_not_yet_sent(fake):
    triage = drawn(fake)
    fake.reply(answer(category="support"))
    audits.run()
    audits.run()
    triage.refresh_from_db()
    assert triage.shadow_category == "support"
    drawn_again = drawn(fake, sender="sam@example.org", message_id="<m2@example.org>")

    fake.reply(answer())
    fake.reply(answer())
    rerun.redecide(triage.lead_id, tier=1)
    rerun.redecide(drawn_again.lead_id, tier=1)

    triage.refresh_from_db()
    assert triage.shadow_category == ""  # the new decision has not been audited
    waiting = ShadowAudit.objects.get(lead=drawn_again.lead)
    assert (waiting.outcome, waiting.batch_id) == ("skipped", "")
    assert audits.run() == {}
    assert len(batch_creates(fake)) == 1


def test_a_merge_keeps_the_audit_spend_of_the_merged_lead(fake):
    target = drawn(fake)
    source = drawn(fake, sender="sam@example.org", message_id="<m2@example.org>")
    Lead.objects.filter(pk=source.lead_id).update(contact=target.lead.contact)
    fake.reply(answer())
    fake.reply(answer(category="support"))  # the merged lead's audit, answered last
    audits.run()  # both sent
    actions.merge_leads(target.lead, Lead.objects.get(pk=source.lead_id), None)

    assert audits.run() == {"answered": 2}
    assert ModelCall.objects.filter(lead=target.lead, purpose="shadow_audit").count() == 2
    target.refresh_from_db()
    assert target.shadow_category == "demo_request"  # its own audit only


def test_a_failed_submit_leaves_the_audits_waiting_for_the_next_run(fake):
    drawn(fake)
    fake.server_error(endpoint="batch_create")
    fake.reply(answer())

    assert audits.run() == {"not_sent": 1}
    assert ShadowAudit.objects.get().batch_id == ""
    assert not Circuit.objects.exists()  # a 500 is no reason to stop
    assert audits.run() == {"submitted": 1}
    assert ShadowAudit.objects.get().batch_id != ""


def test_an_account_error_on_submit_opens_the_circuit(fake):
    drawn(fake)
    fake.unauthorized(endpoint="batch_create")

    assert audits.run() == {"not_sent": 1}
    assert Circuit.objects.get(name="anthropic").is_open
    assert audits.run() == {}  # nothing tried while it is open
    assert len(batch_creates(fake)) == 1


def test_nothing_is_sent_while_the_circuit_is_open(fake):
    drawn(fake)
    Circuit.objects.create(
        name="anthropic", open_until=timezone.now() + timedelta(minutes=5), reason="529s"
    )
    assert audits.run() == {}
    assert not batch_creates(fake)
    assert ShadowAudit.objects.get().batch_id == ""


def test_nothing_is_sent_once_the_days_budget_is_spent(fake):
    drawn(fake)
    RoutingPolicy.objects.update(daily_budget_usd=Decimal("0.000001"))
    assert audits.run() == {}
    assert not batch_creates(fake)


def test_an_audit_that_waited_too_long_is_skipped(fake):
    drawn(fake)
    ShadowAudit.objects.update(created_at=timezone.now() - audits.STALE_AFTER - timedelta(1))
    assert audits.run() == {"skipped": 1}
    assert not batch_creates(fake)
    assert ShadowAudit.objects.get().outcome == "skipped"


@pytest.mark.django_db(transaction=True)
def test_audits_another_run_is_sending_are_not_sent_twice(fake):
    inputs.current_policy()
    RoutingPolicy.objects.update(shadow_audit_rate=Decimal("1"))
    drawn(fake)
    fake.default = lambda request: FakeMessage(json.dumps(answer()))
    locked, release = threading.Event(), threading.Event()

    def other_run():
        # Another worker's run, between taking the rows and recording its batch.
        with transaction.atomic():
            list(ShadowAudit.objects.select_for_update())
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(10)
        assert audits.submit_waiting() == {}  # the rows are taken: skipped, not waited on
    finally:
        release.set()
        thread.join()
    assert not batch_creates(fake)


def test_the_audits_run_on_a_schedule():
    assert Schedule.objects.filter(func="routing.tasks.run_shadow_audits").exists()
