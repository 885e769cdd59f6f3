"""The routing admin: every page loads, list columns and filters, read-only records, actions."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from routing.models import (
    Category,
    Circuit,
    Feedback,
    ModelCall,
    ModelPrice,
    Queue,
    QueueMembership,
    RoutingPolicy,
    Rule,
    Triage,
)
from tests.helpers import make_lead, make_user

MODELS = (
    "rule",
    "queue",
    "category",
    "routingpolicy",
    "modelprice",
    "triage",
    "modelcall",
    "feedback",
    "circuit",
)
READ_ONLY = ("triage", "modelcall", "feedback")


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:routing_{model}_{view}", args=args)


def price(model: str, effective_from, **fields) -> ModelPrice:
    rates = {
        "input_per_mtok": Decimal("1"),
        "output_per_mtok": Decimal("5"),
        "cache_write_5m_per_mtok": Decimal("1.25"),
        "cache_write_1h_per_mtok": Decimal("2"),
        "cache_read_per_mtok": Decimal("0.1"),
    }
    return ModelPrice.objects.create(
        model=model, effective_from=effective_from, **{**rates, **fields}
    )


def rep_user(username: str) -> User:
    """A rep who never logs in here: no password, so no hashing in every fixture."""
    return User.objects.create_user(username=username, is_staff=True)


@pytest.fixture
def routing(db):
    """One row of every routing model, linked the way the pipeline links them."""
    rep = rep_user("rep-admin-test")
    queue = Queue.objects.create(slug="admin-test-queue", name="Admin test queue")
    QueueMembership.objects.create(queue=queue, user=rep, capacity=5)
    lead = make_lead(subject="<b>Pricing</b> for 40 seats")
    call_price = price("claude-test-model", timezone.localdate() - timedelta(days=10))
    return {
        "rule": Rule.objects.create(
            name="Acme to the test queue",
            conditions=[{"field": "domain", "operator": "equals", "value": "acme-widgets.com"}],
            actions=[{"action": "set_queue", "value": "admin-test-queue"}],
        ),
        "queue": queue,
        "category": Category.objects.create(
            slug="admin-test-cat", name="Admin test", description="Tests.", queue=queue
        ),
        "routingpolicy": RoutingPolicy.objects.create(name="Admin test policy", is_active=False),
        "modelprice": call_price,
        "triage": Triage.objects.create(
            lead=lead,
            category="admin-test-cat",
            model="claude-test-model",
            tier=1,
            score=70,
            queue=queue,
            assignee=rep,
            decided_at=timezone.now(),
        ),
        "modelcall": ModelCall.objects.create(
            lead=lead,
            model="claude-test-model",
            input_tokens=1200,
            output_tokens=300,
            cost_usd=Decimal("0.0027"),
            price=call_price,
            latency_ms=850,
            request_id="req_admin_test",
            completed_at=timezone.now(),
        ),
        "feedback": Feedback.objects.create(
            lead=lead,
            user=rep,
            field="category",
            old_value="admin-test-cat",
            new_value="support",
            model="claude-test-model",
            tier=1,
        ),
        "circuit": Circuit.objects.create(
            name="admin-test-circuit",
            open_until=timezone.now() + timedelta(minutes=10),
            opened_at=timezone.now(),
            reason="401 from the API",
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_it_loads_every_changelist_and_change_page(admin_client, routing, model):
    changelist = admin_client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    change = admin_client.get(url(model, "change", routing[model].pk))
    assert change.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m for m in MODELS if m not in READ_ONLY])
def test_it_loads_every_add_page(admin_client, model):
    assert admin_client.get(url(model, "add")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY)
def test_it_keeps_decisions_and_calls_read_only(admin_client, routing, model):
    assert admin_client.get(url(model, "add")).status_code == 403
    obj = routing[model]
    assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, query",
    [
        ("triage", "queue__id__exact={queue}"),
        ("triage", "category=admin-test-cat"),
        ("triage", "model=claude-test-model&tier__exact=1&escalated__exact=0"),
        ("modelcall", "outcome=ok&model=claude-test-model"),
        ("modelcall", "purpose__exact=triage&tier__exact=1"),
        ("modelcall", "q=req_admin_test"),
        ("feedback", "field=category"),
        ("rule", "is_enabled__exact=1&stage__exact=before"),
        ("category", "queue__id__exact={queue}"),
    ],
)
def test_it_filters_to_the_matching_rows(admin_client, routing, model, query):
    response = admin_client.get(
        url(model, "changelist") + "?" + query.format(queue=routing["queue"].pk)
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [routing[model]]


@pytest.mark.django_db
def test_it_filters_model_calls_by_outcome(admin_client, routing):
    failed = ModelCall.objects.create(
        lead=routing["triage"].lead, model="claude-test-model", error="overloaded", retries=2
    )
    pending = ModelCall.objects.create(lead=routing["triage"].lead, model="claude-test-model")

    for outcome, expected in [
        ("error", failed),
        ("pending", pending),
        ("ok", routing["modelcall"]),
    ]:
        response = admin_client.get(url("modelcall", "changelist") + f"?outcome={outcome}")
        assert list(response.context["cl"].result_list) == [expected], outcome


@pytest.mark.django_db
def test_it_links_triage_rows_to_their_lead_and_queue(admin_client, routing):
    response = admin_client.get(url("triage", "changelist"))

    page = response.content.decode()
    lead = routing["triage"].lead
    assert reverse("admin:intake_lead_change", args=[lead.pk]) in page
    assert url("queue", "change", routing["queue"].pk) in page
    assert "&lt;b&gt;Pricing&lt;/b&gt;" in page  # a subject is text, never markup
    assert "<b>Pricing</b>" not in page


@pytest.mark.django_db
def test_it_counts_a_queues_members_and_leads(admin_client, routing):
    QueueMembership.objects.create(
        queue=routing["queue"], user=rep_user("away-rep"), is_active=False
    )

    response = admin_client.get(url("queue", "changelist") + "?q=admin-test-queue")

    [queue] = response.context["cl"].result_list
    assert (queue.n_members, queue.n_leads) == (1, 1)
    triage_link = url("triage", "changelist") + f"?queue__id__exact={queue.pk}"
    assert f'<a href="{triage_link}">1</a>' in response.content.decode()


@pytest.mark.django_db
def test_it_adds_a_queue_with_its_members(admin_client):
    rep = rep_user("new-member")

    response = admin_client.post(
        url("queue", "add"),
        {
            "name": "Enterprise",
            "slug": "admin-test-enterprise",
            "strategy": "least_loaded",
            "sla_minutes": "60",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(rep.pk),
            "memberships-0-capacity": "12",
            "memberships-0-is_active": "on",
        },
    )

    assert response.status_code == 302
    membership = QueueMembership.objects.get(queue__slug="admin-test-enterprise")
    assert (membership.user, membership.capacity, membership.is_active) == (rep, 12, True)


@pytest.mark.django_db
def test_it_counts_leads_per_category(admin_client, routing):
    response = admin_client.get(url("category", "changelist") + "?q=admin-test-cat")

    [category] = response.context["cl"].result_list
    assert category.n_leads == 1


@pytest.mark.django_db
def test_it_marks_the_price_in_force(admin_client, routing):
    today = timezone.localdate()
    old = price("claude-price-test", today - timedelta(days=100))
    current = price("claude-price-test", today - timedelta(days=1), input_per_mtok=Decimal("2"))
    future = price("claude-price-test", today + timedelta(days=30), input_per_mtok=Decimal("3"))

    response = admin_client.get(url("modelprice", "changelist") + "?model=claude-price-test")

    rows = {row.pk: row.in_force_pk == row.pk for row in response.context["cl"].result_list}
    assert rows == {old.pk: False, current.pk: True, future.pk: False}
    assert "a new row applies to calls from its date on" in response.content.decode()


@pytest.mark.django_db
def test_it_groups_the_policy_fields(admin_client, routing):
    response = admin_client.get(url("routingpolicy", "change", routing["routingpolicy"].pk))

    names = [fieldset.name for fieldset in response.context["adminform"]]
    assert names == [
        None,
        "Models",
        "Escalation",
        "Caps and budget",
        "Audit",
        "Scoring",
        "Queues",
        "Failure handling",
    ]


@pytest.mark.django_db
def test_it_reorders_and_toggles_rules_from_the_list(admin_client, routing):
    rule = routing["rule"]
    response = admin_client.post(
        url("rule", "changelist") + "?" + urlencode({"q": rule.name}),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(rule.pk),
            "form-0-position": "5",
            # is_enabled unchecked: the rule is switched off
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.position, rule.is_enabled) == (5, False)


@pytest.mark.django_db
def test_it_enables_and_disables_rules_in_bulk(admin_client, routing):
    rule = routing["rule"]
    changelist = url("rule", "changelist")

    admin_client.post(changelist, {"action": "disable", "_selected_action": [rule.pk]})
    rule.refresh_from_db()
    assert not rule.is_enabled

    admin_client.post(changelist, {"action": "enable", "_selected_action": [rule.pk]})
    rule.refresh_from_db()
    assert rule.is_enabled


@pytest.mark.django_db
def test_it_summarises_each_rule_in_the_list(admin_client, routing):
    response = admin_client.get(url("rule", "changelist"))

    assert "domain equals acme-widgets.com → set queue admin-test-queue" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_it_closes_an_open_circuit(admin_client, routing):
    circuit = routing["circuit"]
    assert circuit.is_open
    page = admin_client.get(url("circuit", "changelist")).content.decode()
    assert ">open</strong>" in page

    response = admin_client.post(
        url("circuit", "changelist"), {"action": "close", "_selected_action": [circuit.pk]}
    )

    assert response.status_code == 302
    circuit.refresh_from_db()
    assert not circuit.is_open
    assert circuit.reason == "401 from the API"  # kept: why it last opened
    follow = admin_client.get(response.url)
    assert "Closed 1 circuit(s)." in follow.content.decode()


@pytest.mark.django_db
def test_it_denies_the_routing_admin_to_reps(client, routing):
    make_user("plain-rep", staff=True)
    client.login(username="plain-rep", password="pw-for-tests-1")

    for model in MODELS:
        assert client.get(url(model, "changelist")).status_code == 403, model


@pytest.mark.django_db
def test_it_lets_admins_tune_the_escalation_caps(admin_client, routing):
    policy = routing["routingpolicy"]
    response = admin_client.get(url("routingpolicy", "change", policy.pk))

    fields = response.context["adminform"].form.fields
    assert {
        "max_escalations_per_lead",
        "max_escalations_per_sender_per_day",
        "max_escalations_per_domain_per_day",
    } <= set(fields)
