"""Spend limit, a revoked key and the daily budget: the circuit opens, rules decide, no
retry storm (requests counted at the fake Messages API)."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from intake.models import Lead
from routing import reconcile
from routing.models import Circuit, ModelCall, RoutingPolicy, Triage
from tests.fakes.anthropic import FakeError, FakeMessage
from tests.faults import stack
from tests.processes import wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEADS = 8

SPEND_LIMIT = FakeError(
    429,
    "rate_limit_error",
    "You have reached your specified API usage limits.",
    details={"error_code": "enforced_spend_limit_reached"},
)
REVOKED_KEY = FakeError(401, "authentication_error", "invalid x-api-key")


def post_leads(web: stack.Http, tag: str) -> None:
    answers = [stack.post_raw(web, stack.lead_email(n, tag=tag)) for n in range(LEADS)]
    assert [answer.status for answer in answers] == [202] * LEADS


def all_decided() -> bool:
    return Triage.objects.filter(decided_at__isnull=False).count() == LEADS


def dashboard(web: stack.Http) -> stack.Answer:
    """The routing dashboard as an admin sees it, through the stack's web server."""
    browser = Client()
    browser.force_login(User.objects.create_superuser("admin", "admin@leadrouter.test", "pw-1"))
    # The session row lives in the database the web server reads.
    session = browser.cookies["sessionid"].value
    return web.get(
        "/admin/routing/dashboard/", headers={"Cookie": f"sessionid={session}", **stack.BEHIND_TLS}
    )


@pytest.mark.reliability(17)
@pytest.mark.parametrize("refusal", [SPEND_LIMIT, REVOKED_KEY], ids=["spend-limit", "401"])
def test_it_opens_the_circuit_on_an_account_error_without_a_retry_storm(
    web, workers, fake_api, model_env, policy, settings, refusal
):
    """A spend-limit 429 or a 401 reaches the API once: the circuit opens, every lead is
    decided by rules and the local classifier, reconciler runs call nothing, and the admin
    dashboard shows the alert."""
    fake_api.default = lambda request: refusal
    settings.TRIAGE_RETRY_AFTER_SECONDS = 0
    worker = workers(**model_env)

    post_leads(web, "circuit")

    assert wait_for(all_decided, timeout=90), stack.tail(worker.log)
    for _ in range(3):
        assert reconcile.requeue_stuck_triage() == 0  # not while the circuit is open
    assert len(stack.messages_calls(fake_api)) == 1, stack.tail(worker.log)
    assert ModelCall.objects.count() == 1
    circuit = Circuit.objects.get(name="anthropic")
    assert circuit.is_open and str(refusal.status) in circuit.reason
    assert set(Triage.objects.values_list("model", flat=True)) == {"local"}
    assert Lead.objects.exclude(triage__queue=None).count() == LEADS  # in a queue, visible
    page = dashboard(web)
    assert page.status == 200, page.body[:300]
    assert b'id="circuit-alert"' in page.body


@pytest.mark.reliability(17)
def test_it_stops_calling_the_api_once_the_daily_budget_is_spent(
    web, workers, fake_api, model_env, policy
):
    """With a $0.01 daily budget and "local only" when it is spent, the first answer (costing
    $0.015) is the last call: every later lead is decided locally, no call made."""
    policy.daily_budget_usd = Decimal("0.01")
    policy.budget_action = RoutingPolicy.BudgetAction.LOCAL_ONLY
    policy.save()
    costly = FakeMessage(
        json.dumps(stack.triage_answer()),
        usage={"input_tokens": 1000, "output_tokens": 30000},
    )
    fake_api.default = lambda request: costly
    worker = workers(**model_env)

    post_leads(web, "budget")

    assert wait_for(all_decided, timeout=90), stack.tail(worker.log)
    assert len(stack.messages_calls(fake_api)) == 1
    assert ModelCall.objects.get().cost_usd > Decimal("0.01")
    local = Triage.objects.filter(model="local")
    assert local.count() == LEADS - 1
    assert all("budget_exhausted" in triage.escalation_reasons for triage in local)
