"""The rule admin: validation on save, and the preview that saves nothing."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import Contact, Lead
from routing.models import Category, Queue, Rule, Triage
from tests.helpers import make_lead

ADD_URL = reverse("admin:routing_rule_add")


def change_url(rule: Rule) -> str:
    return reverse("admin:routing_rule_change", args=[rule.pk])


@pytest.fixture
def queue(db):
    return Queue.objects.create(slug="rules-support", name="Support (rules test)")


def rule_data(*, conditions, actions=None, preview=False, **fields) -> dict:
    data = {
        "name": "Acme goes to support",
        "position": "10",
        "is_enabled": "on",
        "stage": "before",
        "match": "all",
        "conditions": json.dumps(conditions),
        "actions": json.dumps(
            actions if actions is not None else [{"action": "set_queue", "value": "rules-support"}]
        ),
        **fields,
    }
    if preview:
        data["_preview"] = "Preview matches"
    return data


def acme_domain(domain: str = "acme-widgets.com") -> list[dict]:
    return [{"field": "domain", "operator": "equals", "value": domain}]


@pytest.fixture
def leads(db):
    """Two leads from acme-widgets.com, one from elsewhere, one auto-reply from acme."""
    return {
        "first": make_lead(subject="Pricing for 40 seats", message_id="<a1@acme-widgets.com>"),
        "second": make_lead(subject="Demo next week", message_id="<a2@acme-widgets.com>"),
        "other": make_lead(
            subject="Partnership", sender="Bo <bo@beta.io>", message_id="<b1@beta.io>"
        ),
        "auto": make_lead(
            subject="Out of office",
            sender="Cy <cy@acme-widgets.com>",
            message_id="<a3@acme-widgets.com>",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    }


def preview_of(response) -> dict:
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview is not None, response.context["adminform"].form.errors
    return preview


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


@pytest.mark.django_db
def test_it_saves_a_valid_rule(admin_client, queue):
    response = admin_client.post(ADD_URL, rule_data(conditions=acme_domain()))

    assert response.status_code == 302
    rule = Rule.objects.get(name="Acme goes to support")
    assert rule.conditions == acme_domain()
    assert rule.actions == [{"action": "set_queue", "value": "rules-support"}]


@pytest.mark.django_db
def test_it_shows_a_bad_regex_on_the_conditions_field_and_saves_nothing(admin_client, queue):
    conditions = [{"field": "subject", "operator": "regex", "value": "(unclosed"}]

    response = admin_client.post(ADD_URL, rule_data(conditions=conditions))

    errors = form_errors(response)
    assert "Condition 1: the regex does not compile" in errors["conditions"][0]
    assert "the regex does not compile" in response.content.decode()
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_catastrophic_regex_on_an_existing_rule(admin_client, queue):
    rule = Rule.objects.create(name="Invoices", conditions=acme_domain(), actions=[])
    conditions = [{"field": "body", "operator": "regex", "value": "(a+)+$"}]

    response = admin_client.post(change_url(rule), rule_data(conditions=conditions))

    assert "repeats a repetition" in form_errors(response)["conditions"][0]
    rule.refresh_from_db()
    assert rule.conditions == acme_domain()


@pytest.mark.django_db
def test_it_shows_action_errors_on_the_actions_field(admin_client, queue):
    actions = [
        {"action": "set_priority", "value": 9},
        {"action": "force_tier", "value": 1},
    ]

    response = admin_client.post(ADD_URL, rule_data(conditions=acme_domain(), actions=actions))

    assert form_errors(response)["actions"] == [
        "Action 1: set_priority takes a whole number from 1 (most urgent) to 5.",
        "Action 2: force_tier takes 2 or 3.",
    ]
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_queue_category_or_assignee_that_does_not_exist(admin_client, queue):
    actions = [
        {"action": "set_queue", "value": "rules-support"},
        {"action": "set_queue", "value": "nowhere"},
        {"action": "set_category", "value": "no-such-category"},
        {"action": "set_assignee", "value": "ghost"},
    ]

    response = admin_client.post(ADD_URL, rule_data(conditions=acme_domain(), actions=actions))

    assert form_errors(response)["actions"] == [
        "set_category: there is no category 'no-such-category'.",
        "set_queue: there is no queue 'nowhere'.",
        "set_assignee: there is no active user 'ghost'.",
    ]
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_it_rejects_model_facts_in_a_rule_that_runs_before_the_model(admin_client, queue):
    conditions = [{"field": "score", "operator": "at_least", "value": 80}]

    response = admin_client.post(ADD_URL, rule_data(conditions=conditions, stage="before"))

    assert "only known after the model" in form_errors(response)["conditions"][0]


@pytest.mark.django_db
def test_it_keeps_json_that_does_not_parse_as_typed(admin_client, queue):
    data = {**rule_data(conditions=acme_domain()), "conditions": '[{"field": "domain",'}

    response = admin_client.post(ADD_URL, data)

    assert form_errors(response)["conditions"] == ["Enter a valid JSON."]
    assert response.context["adminform"].form["conditions"].value() == '[{"field": "domain",'
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_it_starts_a_new_rule_with_empty_lists(admin_client):
    form = admin_client.get(ADD_URL).context["adminform"].form

    assert (form["conditions"].value(), form["actions"].value()) == ("[]", "[]")


@pytest.mark.django_db
def test_it_shows_rules_as_rows_on_the_change_page(admin_client, queue):
    rule = Rule.objects.create(name="Acme", conditions=acme_domain(), actions=[])

    response = admin_client.get(change_url(rule))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="domain" data-kind="text" selected>Sender domain</option>' in page
    assert 'name="conditions-0-value" value="acme-widgets.com"' in page
    assert 'name="_preview"' in page


# --- Preview -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_previews_an_unsaved_rule_and_saves_nothing(admin_client, queue, leads):
    response = admin_client.post(ADD_URL, rule_data(conditions=acme_domain(), preview=True))

    preview = preview_of(response)
    matched = [row["lead"].pk for row in preview["rows"]]
    assert matched == [leads["auto"].pk, leads["second"].pk, leads["first"].pk]
    assert preview["count"] == 3
    assert preview["considered"] == 4
    assert all(row["changes"] == ["queue → rules-support"] for row in preview["rows"])
    page = response.content.decode()
    assert "matches <strong>3</strong> of the last 4 leads" in page
    assert "queue → rules-support" in page
    matches = page[page.index('id="preview"') :]
    assert "Demo next week" in matches
    assert "Partnership" not in matches
    # The form keeps what was typed, and nothing was written.
    assert response.context["adminform"].form["name"].value() == "Acme goes to support"
    assert not Rule.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_it_previews_the_edited_version_of_a_saved_rule_without_saving_it(
    admin_client, queue, leads
):
    rule = Rule.objects.create(
        name="Beta to support",
        conditions=acme_domain("beta.io"),
        actions=[{"action": "set_queue", "value": "rules-support"}],
    )
    Category.objects.create(slug="rules-support-cat", name="Support", description="Support.")
    edited = rule_data(
        name="Acme auto-replies are spam",
        match="any",
        conditions=[
            {"field": "hygiene", "operator": "equals", "value": "auto_reply"},
            {"field": "subject", "operator": "contains", "value": "40 SEATS"},
        ],
        actions=[
            {"action": "set_category", "value": "rules-support-cat"},
            {"action": "mark_spam"},
            {"action": "skip_model"},
        ],
        preview=True,
    )

    response = admin_client.post(change_url(rule), edited)

    preview = preview_of(response)
    assert [row["lead"].pk for row in preview["rows"]] == [leads["auto"].pk, leads["first"].pk]
    assert preview["rows"][0]["changes"] == [
        "category → rules-support-cat",
        "mark as spam",
        "skip the model",
    ]
    # The page title still names the rule as stored.
    assert response.context["original"].name == "Beta to support"
    rule.refresh_from_db()
    assert rule.name == "Beta to support"
    assert rule.conditions == acme_domain("beta.io")
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_it_shows_errors_instead_of_a_preview_for_an_invalid_rule(admin_client, queue, leads):
    conditions = [{"field": "subject", "operator": "regex", "value": "(a*)*b"}]

    response = admin_client.post(ADD_URL, rule_data(conditions=conditions, preview=True))

    assert response.context["preview"] is None
    assert "repeats a repetition" in form_errors(response)["conditions"][0]
    assert not Rule.objects.exists()


def decide(lead: Lead, **fields) -> Triage:
    return Triage.objects.create(lead=lead, decided_at=timezone.now(), model="local", **fields)


@pytest.mark.django_db
def test_it_previews_an_after_model_rule_against_the_decisions(admin_client, queue, leads):
    decide(leads["first"], category="pricing", score=85, language="en", queue=queue)
    decide(leads["second"], category="pricing", score=40, language="en")
    Triage.objects.create(lead=leads["other"], category="pricing", score=99)  # not decided yet
    conditions = [
        {"field": "category", "operator": "equals", "value": "PRICING"},
        {"field": "score", "operator": "at_least", "value": 80},
    ]
    actions = [{"action": "set_priority", "value": 1}, {"action": "force_tier", "value": 3}]

    response = admin_client.post(
        ADD_URL, rule_data(conditions=conditions, actions=actions, stage="after", preview=True)
    )

    preview = preview_of(response)
    assert [row["lead"].pk for row in preview["rows"]] == [leads["first"].pk]
    assert preview["rows"][0]["changes"] == ["priority → 1", "force tier 3"]
    assert "pricing in Support (rules test)" in response.content.decode()


@pytest.mark.django_db
def test_it_hides_model_facts_from_a_before_model_preview(admin_client, queue, leads):
    decide(leads["first"], category="pricing", score=85, language="en")
    conditions = [{"field": "body", "operator": "contains", "value": "demo"}]

    response = admin_client.post(
        ADD_URL, rule_data(conditions=conditions, stage="before", preview=True)
    )

    rows = preview_of(response)["rows"]
    assert {row["facts"].score for row in rows} == {None}
    assert {row["facts"].category for row in rows} == {""}


@pytest.mark.django_db
def test_it_previews_with_a_bounded_number_of_queries(
    admin_client, queue, django_assert_max_num_queries
):
    data = rule_data(conditions=acme_domain(), preview=True)

    def run():
        with CaptureQueriesContext(connection) as queries:
            assert preview_of(admin_client.post(ADD_URL, data))["count"] == Lead.objects.count()
        return len(queries)

    for n in range(3):
        lead = make_lead(subject=f"Few {n}", message_id=f"<few{n}@acme-widgets.com>")
        decide(lead, category="pricing", queue=queue)
    with_few = run()
    for n in range(27):
        lead = make_lead(subject=f"Many {n}", message_id=f"<many{n}@acme-widgets.com>")
        if n % 2:
            decide(lead, category="pricing", score=n, queue=queue)

    # The editor's menus (queues, categories, users, forms) are four of them.
    with django_assert_max_num_queries(12):
        with_many = run()
    assert with_many == with_few


@pytest.mark.django_db
def test_it_considers_only_the_last_500_leads(admin_client, queue):
    contact = Contact.objects.create(email="old@acme-widgets.com", domain="acme-widgets.com")
    start = timezone.now() - timedelta(days=30)
    Lead.objects.bulk_create(
        Lead(
            contact=contact,
            # The three oldest say "old deal": two fall outside the last 500, one is the 500th.
            subject="Old deal" if n < 3 else f"Regular {n}",
            received_at=start + timedelta(minutes=n),
        )
        for n in range(502)
    )
    boundary = Lead.objects.order_by("received_at")[2]
    conditions = [{"field": "subject", "operator": "contains", "value": "old deal"}]

    response = admin_client.post(ADD_URL, rule_data(conditions=conditions, preview=True))

    preview = preview_of(response)
    assert preview["considered"] == 500
    assert [row["lead"].pk for row in preview["rows"]] == [boundary.pk]
