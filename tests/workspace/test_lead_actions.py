"""What reps do to a lead: each action is a POST, CSRF-checked, guarded, and on the timeline."""

import threading

import pytest
from django.db import connection
from django.test import Client

from intake.models import Lead, Message
from routing.models import Activity, Feedback, ModelCall, Rule, Triage
from tests.helpers import ingest, make_email
from tests.workspace.people import make_manager, make_rep, sales_lead, support_lead

pytestmark = pytest.mark.django_db


def kinds(lead) -> list[str]:
    return list(lead.activities.order_by("pk").values_list("kind", flat=True))


def post(client, lead, action, data=None, **extra):
    return client.post(f"/leads/{lead.pk}/{action}/", data or {}, **extra)


def test_it_enforces_csrf_on_every_action():
    lead = sales_lead(1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_rep())
    for action in ("claim", "unclaim", "assign", "status", "notes", "category", "spam", "merge"):
        assert post(client, lead, action).status_code == 403, action
    assert client.post("/queue/bulk/", {"action": "spam", "lead": lead.pk}).status_code == 403
    assert client.post("/views/", {"name": "x"}).status_code == 403
    assert not Activity.objects.exists()
    # With the token from the page, the same request goes through.
    client.get(f"/leads/{lead.pk}/")
    token = client.cookies["csrftoken"].value
    response = post(client, lead, "notes", {"text": "hi", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_it_refuses_actions_on_another_queues_lead_with_a_404(client):
    lead = support_lead(1)
    client.force_login(make_rep(queues=("sales",)))
    assert post(client, lead, "claim").status_code == 404
    assert post(client, lead, "status", {"status": "working"}).status_code == 404
    assert not Activity.objects.exists()


def test_it_lets_a_rep_claim_and_unclaim(client):
    lead = sales_lead(1)
    rep = make_rep()
    client.force_login(rep)
    assert post(client, lead, "claim").status_code == 302
    assert Triage.objects.get(lead=lead).assignee == rep
    assert post(client, lead, "unclaim").status_code == 302
    assert Triage.objects.get(lead=lead).assignee is None
    assert kinds(lead) == ["claim", "unclaim"]


def test_it_tells_the_second_rep_who_has_the_lead(client):
    lead = sales_lead(1)
    first = Client()
    first.force_login(make_rep("ana", queues=("sales",)))
    assert post(first, lead, "claim").status_code == 302
    client.force_login(make_rep("ben", queues=("sales",)))
    response = post(client, lead, "claim", {"from": "queue"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "ana has already claimed this lead" in response.content.decode()
    assert Triage.objects.get(lead=lead).assignee.username == "ana"
    # Someone else's lead cannot be unclaimed by a rep, only by a manager.
    assert post(client, lead, "unclaim").status_code == 302
    assert Triage.objects.get(lead=lead).assignee.username == "ana"
    client.force_login(make_manager())
    post(client, lead, "unclaim")
    assert Triage.objects.get(lead=lead).assignee is None


@pytest.mark.django_db(transaction=True)
def test_it_gives_a_lead_to_exactly_one_of_two_reps_claiming_at_once():
    lead = sales_lead(1)
    reps = [make_rep("ana"), make_rep("ben")]
    Triage.objects.filter(lead=lead).update(assignee=None)
    start = threading.Barrier(2)
    codes, pages = {}, {}

    def claim(rep):
        client = Client()
        client.force_login(rep)
        start.wait()
        codes[rep.username] = post(client, lead, "claim").status_code
        pages[rep.username] = client.get(f"/leads/{lead.pk}/").content
        connection.close()

    threads = [threading.Thread(target=claim, args=(rep,)) for rep in reps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    triage = Triage.objects.get(lead=lead)
    assert triage.assignee is not None
    assert Activity.objects.filter(lead=lead, kind="claim").count() == 1
    winner = triage.assignee.username
    loser = "ben" if winner == "ana" else "ana"
    assert codes[winner] == codes[loser] == 302  # both back to the lead page
    told = pages[loser].decode()
    assert f"{winner} has already claimed this lead" in told


def test_it_assigns_only_to_members_of_the_leads_queue(client):
    lead = sales_lead(1)
    rep, colleague = make_rep("ana"), make_rep("ben")
    outsider = make_rep("cy", queues=("support",))
    client.force_login(rep)
    post(client, lead, "assign", {"assignee": colleague.pk})
    assert Triage.objects.get(lead=lead).assignee == colleague
    response = post(client, lead, "assign", {"assignee": outsider.pk})
    assert response.status_code == 302
    assert Triage.objects.get(lead=lead).assignee == colleague
    assert kinds(lead) == ["assign"]


def test_it_moves_a_lead_through_the_status_workflow_and_refuses_a_skip(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    for status in ("working", "contacted", "qualified", "won"):
        post(client, lead, "status", {"status": status})
        lead.refresh_from_db()
        assert lead.status == status
    post(client, lead, "status", {"status": "new"})  # won → new is not a step
    lead.refresh_from_db()
    assert lead.status == "won"
    texts = list(lead.activities.values_list("text", flat=True))
    assert texts == [
        "New → Working",
        "Working → Contacted",
        "Contacted → Qualified",
        "Qualified → Won",
    ]


def test_it_adds_a_note(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    post(client, lead, "notes", {"text": "  Called Dana, demo on Tuesday  "})
    post(client, lead, "notes", {"text": "   "})
    note = Activity.objects.get(lead=lead)
    assert (note.kind, note.text, note.user.username) == (
        "note",
        "Called Dana, demo on Tuesday",
        "rep",
    )


def test_it_stores_a_category_correction_as_feedback_and_reroutes_the_lead(client):
    lead = sales_lead(1)
    triage = Triage.objects.get(lead=lead)
    client.force_login(make_manager())
    post(client, lead, "category", {"category": "support"})
    feedback = Feedback.objects.get(lead=lead)
    assert (feedback.field, feedback.old_value, feedback.new_value) == (
        "category",
        triage.category,
        "support",
    )
    assert (feedback.model, feedback.tier) == ("local", 0)
    triage.refresh_from_db()
    assert (triage.category, triage.queue.slug) == ("support", "support")
    assert kinds(lead) == ["correction"]


def test_it_corrects_the_qualification_and_rescores(client):
    lead = sales_lead(1, body="Hello, tell me about the product.")
    Triage.objects.filter(lead=lead).update(score=0, is_lead=True)
    client.force_login(make_rep())
    post(
        client,
        lead,
        "qualification",
        {"budget": "$40k approved", "authority": "VP Sales", "need": "routing", "timeline": ""},
    )
    triage = Triage.objects.get(lead=lead)
    assert triage.qualification["budget"]["value"] == "$40k approved"
    assert triage.qualification["budget"]["evidence"] == "set by rep"
    assert triage.score == 70  # budget 25 + authority 20 + need 25 of 100
    assert Feedback.objects.get(lead=lead).field == "qualification"


def test_it_marks_spam_and_blocks_the_sender_before_any_model_sees_the_next_email(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    post(client, lead, "spam", {"block": "sender"})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.SPAM
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "sender", "operator": "equals", "value": "dana@acme-widgets.com"}
    ]
    assert kinds(lead) == ["spam", "block_rule"]
    from routing import services

    again = ingest(make_email(message_id="<again@acme-widgets.com>", subject="Other topic"))
    services.triage_lead(again.message.lead_id)
    later = Lead.objects.get(pk=again.message.lead_id)
    assert later.status == Lead.Status.SPAM
    assert later.triage.model == "rules"


def test_it_refuses_to_block_a_free_mail_domain(client):
    lead = sales_lead(1, sender="Someone <someone@gmail.com>")
    client.force_login(make_rep())
    post(client, lead, "spam", {"block": "domain"})
    assert not Rule.objects.exists()
    lead.refresh_from_db()
    assert lead.status != Lead.Status.SPAM


def test_it_merges_two_leads_of_one_contact_keeping_messages_and_costs(client):
    target = sales_lead(1)
    source = sales_lead(2, subject="Separate thread about seats")
    ModelCall.objects.create(lead=source, model="claude-haiku-5-5", cost_usd="0.002")
    stranger = sales_lead(3, sender="Zed <zed@other.example>")
    client.force_login(make_rep())
    post(client, target, "merge", {"other": stranger.pk})
    assert Lead.objects.filter(pk=stranger.pk).exists()
    post(client, target, "merge", {"other": source.pk})
    assert not Lead.objects.filter(pk=source.pk).exists()
    assert Message.objects.filter(lead=target).count() == 2
    assert ModelCall.objects.get().lead_id == target.pk
    assert kinds(target) == ["merge"]
    response = client.get("/?q=separate")
    assert [lead.pk for lead in response.context["rows"]] == [target.pk]


def test_it_applies_bulk_actions_to_visible_leads_only(client):
    a, b = sales_lead(1), sales_lead(2)
    hidden = support_lead(1)
    rep = make_rep()
    client.force_login(rep)
    client.post("/queue/bulk/", {"action": "assign", "assign_value": rep.pk, "lead": [a.pk, b.pk]})
    assert set(Triage.objects.filter(assignee=rep).values_list("lead", flat=True)) >= {a.pk, b.pk}
    client.post(
        "/queue/bulk/",
        {"action": "status", "status_value": "working", "lead": [a.pk, b.pk, hidden.pk]},
    )
    assert set(Lead.objects.filter(status="working").values_list("pk", flat=True)) == {a.pk, b.pk}
    client.post("/queue/bulk/", {"action": "spam", "lead": [a.pk, hidden.pk]})
    assert Lead.objects.get(pk=a.pk).status == "spam"
    assert Lead.objects.get(pk=hidden.pk).status != "spam"


def test_it_answers_a_row_for_htmx_claims_from_the_queue(client):
    lead = sales_lead(1)
    Triage.objects.filter(lead=lead).update(assignee=None)
    client.force_login(make_rep("ana"))
    response = post(client, lead, "claim", {"from": "queue"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="lead-{lead.pk}"') and ">ana<" in html.replace("\n", "")


@pytest.mark.django_db(transaction=True)
def test_it_merges_outside_a_test_transaction_too():
    """Merge locks both leads inside its own transaction (a request has none of its own)."""
    target, source = sales_lead(1), sales_lead(2, subject="Separate thread about seats")
    client = Client()
    client.force_login(make_rep())
    assert post(client, target, "merge", {"other": source.pk}).status_code == 302
    assert not Lead.objects.filter(pk=source.pk).exists()
    assert Message.objects.filter(lead=target).count() == 2


def test_it_keeps_a_colleagues_lead_from_being_reassigned_by_a_rep(client):
    lead = sales_lead(1)
    ana, ben = make_rep("ana"), make_rep("ben")
    Triage.objects.filter(lead=lead).update(assignee=ana)
    client.force_login(ben)
    post(client, lead, "assign", {"assignee": ben.pk})
    assert Triage.objects.get(lead=lead).assignee == ana
    client.force_login(make_manager())
    post(client, lead, "assign", {"assignee": ben.pk})
    assert Triage.objects.get(lead=lead).assignee == ben


def test_it_does_not_overwrite_a_status_changed_since_the_page_was_shown(client):
    lead = sales_lead(1)
    client.force_login(make_rep())
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.WORKING)  # a colleague, meanwhile
    post(client, lead, "status", {"status": "disqualified", "seen": "new"})
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.WORKING
