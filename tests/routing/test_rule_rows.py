"""The rule editor's rows: conditions and actions posted as rows of menus are stored as the
same JSON and validated by the same rules as before (routing/rule_rows.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from routing import rules
from routing.models import Category, Queue, Rule, Triage
from tests.helpers import make_lead, make_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:routing_rule_add")


@pytest.fixture
def enterprise(db):
    return Queue.objects.get_or_create(slug="enterprise", defaults={"name": "Enterprise"})[0]


def rows(conditions=(), actions=(), **fields) -> dict:
    """A post as the browser sends the editor: one set of fields per row, blank rows too."""
    data = {
        "name": "Big companies",
        "position": "10",
        "is_enabled": "on",
        "stage": "after",
        "match": "any",
        **fields,
    }
    for i, row in enumerate([*conditions, ("", "equals", "")]):
        field, operator, value = row[:3]
        data |= {f"conditions-{i}-field": field, f"conditions-{i}-operator": operator}
        data[f"conditions-{i}-value"] = value
        if len(row) > 3:
            data[f"conditions-{i}-remove"] = "on"
    for i, row in enumerate([*actions, ("", "")]):
        data |= {f"actions-{i}-action": row[0], f"actions-{i}-value": row[1]}
        if len(row) > 2:
            data[f"actions-{i}-remove"] = "on"
    return data


def errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_it_stores_rows_as_the_json_rules_read(admin_client, enterprise):
    data = rows(
        conditions=[
            ("employees", "at_least", "500"),
            ("budget_usd", "at_least", "$50,000"),
            ("domain", "in_list", "acme.com, acme.de"),
            ("subject", "regex", r"\b(rfp|tender)\b"),
        ],
        actions=[("set_queue", "enterprise"), ("set_priority", "1"), ("stop", "")],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, errors(response)
    rule = Rule.objects.get(name="Big companies")
    assert rule.conditions == [
        {"field": "employees", "operator": "at_least", "value": 500},
        {"field": "budget_usd", "operator": "at_least", "value": 50000},
        {"field": "domain", "operator": "in_list", "value": ["acme.com", "acme.de"]},
        {"field": "subject", "operator": "regex", "value": r"\b(rfp|tender)\b"},
    ]
    assert rule.actions == [
        {"action": "set_queue", "value": "enterprise"},
        {"action": "set_priority", "value": 1},
        {"action": "stop"},
    ]


def test_it_leaves_out_blank_rows_and_rows_marked_for_removal(admin_client, enterprise):
    data = rows(
        conditions=[("score", "at_least", "80"), ("domain", "equals", "gone.example", "remove")],
        actions=[("set_category", "nowhere", "remove"), ("set_queue", "enterprise")],
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, errors(response)
    rule = Rule.objects.get()
    assert rule.conditions == [{"field": "score", "operator": "at_least", "value": 80}]
    assert rule.actions == [{"action": "set_queue", "value": "enterprise"}]


def test_it_validates_rows_in_the_words_of_the_json_rules(admin_client, enterprise):
    data = rows(
        stage="before",
        conditions=[("score", "at_least", "80"), ("subject", "at_least", "5")],
        actions=[("set_queue", "nowhere")],
    )

    response = admin_client.post(ADD_URL, data)

    found = errors(response)
    assert found["conditions"] == [
        'Condition 1: score is only known after the model; set the stage to "after".',
        "Condition 2: at_least compares numbers; subject is text: use equals, contains, regex, "
        "in_list.",
    ]
    assert not Rule.objects.exists()
    # The rows come back as typed, numbered as the messages number them.
    page = response.content.decode()
    assert 'name="conditions-1-value" value="5"' in page
    assert '<td class="rule-number">2</td>' in page


def test_it_names_a_queue_that_does_not_exist(admin_client, enterprise):
    data = rows(conditions=[("score", "at_least", "80")], actions=[("set_queue", "nowhere")])

    response = admin_client.post(ADD_URL, data)

    assert errors(response)["actions"] == ["set_queue: there is no queue 'nowhere'."]


def test_it_requires_a_condition_when_every_row_is_blank(admin_client, enterprise):
    response = admin_client.post(ADD_URL, rows(actions=[("set_queue", "enterprise")]))

    assert errors(response)["conditions"] == [
        "Add at least one condition: a rule without conditions would catch every lead."
    ]


def test_it_offers_the_real_queues_categories_users_and_operators(admin_client, enterprise):
    Category.objects.create(slug="rfp", name="Request for proposal", description="An RFP.")
    dana = make_user("dana")
    dana.first_name, dana.last_name = "Dana", "Scully"
    dana.save(update_fields=["first_name", "last_name"])
    gone = make_user("gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    page = admin_client.get(ADD_URL).content.decode()

    assert '<option value="enterprise">Enterprise</option>' in page
    assert '<option value="rfp">Request for proposal</option>' in page
    assert '<option value="dana">Dana Scully (dana)</option>' in page
    assert 'value="gone"' not in page
    for name, label in rules.FIELD_LABELS.items():
        assert f">{label}</option>" in page, name
    for label in [*rules.OPERATOR_LABELS.values(), *rules.ACTION_LABELS.values()]:
        assert f">{label}</option>" in page
    # Without JavaScript: two blank rows of each, and a box to remove a row.
    assert page.count('data-role="field"') == 2
    assert page.count('data-role="action"') == 2
    assert 'name="conditions-1-remove"' in page
    assert 'src="/static/admin-rules.js"' in page


def test_it_shows_a_stored_rule_with_each_value_selected(admin_client, enterprise):
    rule = Rule.objects.create(
        name="Enterprise",
        stage="after",
        conditions=[
            {"field": "domain", "operator": "in_list", "value": ["acme.com", "acme.de"]},
            {"field": "category", "operator": "equals", "value": "pricing_request"},
        ],
        actions=[
            {"action": "set_queue", "value": "enterprise"},
            {"action": "force_tier", "value": 3},
        ],
    )

    page = admin_client.get(reverse("admin:routing_rule_change", args=[rule.pk])).content.decode()

    assert 'name="conditions-0-value" value="acme.com, acme.de"' in page
    assert (
        '<option value="in_list" data-kinds="text number" data-placeholder="a, b, c" selected>'
        in page
    )
    # A category condition suggests the categories (a datalist: works without JavaScript).
    assert 'name="conditions-1-value" value="pricing_request"' in page
    assert 'list="rule-values-category"' in page
    assert '<option value="enterprise" selected>Enterprise</option>' in page
    assert '<option value="3" selected>Tier 3</option>' in page


def test_it_keeps_a_stored_value_that_names_nothing_so_validation_can_say_so(admin_client):
    rule = Rule.objects.create(
        name="Old",
        conditions=[{"field": "sender_domain", "operator": "equals", "value": "acme.com"}],
        actions=[{"action": "set_queue", "value": "deleted-queue"}],
    )
    url = reverse("admin:routing_rule_change", args=[rule.pk])

    page = admin_client.get(url).content.decode()

    assert '<option value="sender_domain" data-kind="text" selected>sender_domain (unknown)' in page
    assert '<option value="deleted-queue" selected>deleted-queue (not found)</option>' in page
    response = admin_client.post(
        url,
        rows(
            stage="before",
            conditions=[("sender_domain", "equals", "acme.com")],
            actions=[("set_queue", "deleted-queue")],
        ),
    )
    assert "Condition 1: unknown field 'sender_domain'" in errors(response)["conditions"][0]


def test_it_previews_a_rule_built_from_rows(admin_client, enterprise):
    make_lead(subject="Pricing for 40 seats", message_id="<r1@acme-widgets.com>")
    make_lead(subject="Hello", sender="Bo <bo@beta.io>", message_id="<r2@beta.io>")
    data = rows(
        stage="before",
        conditions=[("domain", "equals", "acme-widgets.com")],
        actions=[("set_queue", "enterprise")],
    )
    data["_preview"] = "Preview matches"

    response = admin_client.post(ADD_URL, data)

    preview = response.context["preview"]
    assert (preview["count"], preview["considered"]) == (1, 2)
    assert preview["rows"][0]["changes"] == ["queue → enterprise"]
    assert not Rule.objects.exists()


def test_it_previews_company_size_from_the_recorded_qualification(admin_client, enterprise):
    for employees, n in ((900, 1), (20, 2), (None, 3)):
        lead = make_lead(subject=f"Lead {n}", message_id=f"<size{n}@acme-widgets.com>")
        Triage.objects.create(
            lead=lead,
            decided_at=timezone.now(),
            model="local",
            qualification={"company_size": {"value": "x", "evidence": "", "employees": employees}},
        )
    data = rows(
        conditions=[("employees", "at_least", "500")], actions=[("set_queue", "enterprise")]
    )
    data["_preview"] = "Preview matches"

    preview = admin_client.post(ADD_URL, data).context["preview"]

    assert [row["lead"].subject for row in preview["rows"]] == ["Lead 1"]
    assert preview["rows"][0]["facts"].employees == 900
