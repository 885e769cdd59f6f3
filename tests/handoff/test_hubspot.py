"""A qualified lead goes to HubSpot: the contact upserted by email, a deal with the
triage's summary, score, category, budget and the lead's URL; a second push updates the
same deal; 429 (after its Retry-After) and 5xx are retried."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from handoff.crm import push
from handoff.models import CrmRecord
from intake.models import Lead
from routing.models import Queue, Triage
from tests.fakes.hubspot import FakeHubSpot
from tests.helpers import make_lead, make_user
from workspace import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubspot(settings):
    with FakeHubSpot() as fake:
        settings.HUBSPOT_TOKEN = fake.token
        settings.HUBSPOT_BASE_URL = fake.base_url
        settings.HUBSPOT_PORTAL_ID = "4242"
        settings.HUBSPOT_BACKOFF_MS = 10
        settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
        yield fake


def working_lead():
    lead = make_lead()
    Triage.objects.create(
        lead=lead,
        queue=Queue.objects.get(slug="sales"),
        score=85,
        category="demo_request",
        summary="Wants a demo for 40 seats next week",
        qualification={"budget": {"value": "$20,000 a year", "amount_usd": 20000}},
        decided_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.WORKING)
    return Lead.objects.get(pk=lead.pk)


def qualify(lead, on_commit):
    with on_commit():
        actions.set_status(lead, make_user("ada", staff=True), "qualified")


def test_it_upserts_the_contact_and_creates_a_deal_when_a_lead_qualifies(hubspot, on_commit):
    lead = working_lead()

    qualify(lead, on_commit)

    upsert, deal = hubspot.requests
    assert upsert.path == "/crm/v3/objects/contacts/batch/upsert"
    assert upsert.json["inputs"][0]["id"] == "dana@acme-widgets.com"
    assert upsert.json["inputs"][0]["properties"]["firstname"] == "Dana"
    assert deal.path == "/crm/v3/objects/deals"
    properties = deal.json["properties"]
    assert properties["amount"] == "20000"
    assert "Wants a demo for 40 seats next week" in properties["description"]
    assert "Score 85, category demo_request" in properties["description"]
    assert f"/leads/{lead.pk}/" in properties["description"]
    association = deal.json["associations"][0]
    assert association["to"]["id"] == upsert_id(hubspot)
    assert association["types"][0]["associationTypeId"] == 3
    record = CrmRecord.objects.get(lead=lead)
    assert record.status == CrmRecord.Status.SYNCED
    assert record.url == f"https://app.hubspot.com/contacts/4242/record/0-3/{record.deal_id}"


def upsert_id(fake):
    return fake.contacts["dana@acme-widgets.com"]["id"]


def test_it_updates_the_same_deal_on_a_second_push(hubspot, on_commit):
    lead = working_lead()
    qualify(lead, on_commit)
    record = CrmRecord.objects.get(lead=lead)

    with on_commit():
        actions.set_status(Lead.objects.get(pk=lead.pk), make_user("bo", staff=True), "won")

    assert len(hubspot.deals) == 1 and len(hubspot.contacts) == 1
    patch = hubspot.requests[-1]
    assert (patch.method, patch.path) == ("PATCH", f"/crm/v3/objects/deals/{record.deal_id}")
    assert CrmRecord.objects.get(lead=lead).deal_id == record.deal_id


def test_it_pushes_nothing_for_a_lead_that_did_not_qualify(hubspot, on_commit):
    lead = working_lead()

    with on_commit():
        actions.set_status(lead, make_user("ada", staff=True), "contacted")

    assert hubspot.requests == []
    assert not CrmRecord.objects.exists()


def test_it_waits_out_a_429_and_retries_a_5xx(hubspot, on_commit):
    hubspot.fail(429, retry_after="0.2")
    hubspot.fail(502)
    lead = working_lead()

    qualify(lead, on_commit)

    statuses = [r.status for r in hubspot.requests]
    assert statuses == [429, 502, 200, 201]
    assert len(hubspot.deals) == 1
    assert CrmRecord.objects.get(lead=lead).status == CrmRecord.Status.SYNCED


def test_it_leaves_a_push_that_keeps_failing_to_the_sweeper(hubspot, on_commit):
    hubspot.fail(503, times=3)
    hubspot.fail(429, retry_after="120")
    lead = working_lead()

    qualify(lead, on_commit)
    record = CrmRecord.objects.get(lead=lead)
    assert record.status == CrmRecord.Status.PENDING and "503" in record.last_error
    assert hubspot.deals == {}

    later = record.next_attempt_at + timedelta(seconds=1)
    assert push.due(now=later) == [record.pk]
    assert not push.push(record.pk, now=later)  # the 429 asks for two minutes
    record.refresh_from_db()
    assert record.next_attempt_at >= later + timedelta(seconds=120)
    assert push.push(record.pk, now=record.next_attempt_at)
    assert CrmRecord.objects.get(pk=record.pk).status == CrmRecord.Status.SYNCED
    assert len(hubspot.deals) == 1


def test_it_stops_on_a_refused_token(hubspot, on_commit, settings):
    settings.HUBSPOT_TOKEN = "pat-wrong"
    lead = working_lead()

    qualify(lead, on_commit)

    record = CrmRecord.objects.get(lead=lead)
    assert record.status == CrmRecord.Status.FAILED and "401" in record.last_error
    assert len(hubspot.requests) == 1


def test_it_pushes_on_a_score_rule_when_one_is_set(hubspot, on_commit, settings):
    settings.HANDOFF_CRM_MIN_SCORE = 80
    lead = working_lead()
    from intake import events

    with on_commit():
        events.record_event(kind=events.Kind.LEAD_TRIAGED, lead_id=lead.pk)

    assert CrmRecord.objects.get(lead=lead).status == CrmRecord.Status.SYNCED
    assert Decimal(hubspot.deals[CrmRecord.objects.get().deal_id]["properties"]["amount"]) == 20000


def test_it_links_the_deal_on_the_lead_page(hubspot, on_commit, client):
    lead = working_lead()
    qualify(lead, on_commit)
    record = CrmRecord.objects.get(lead=lead)
    manager = make_user("boss", staff=True)
    client.force_login(manager)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert f'href="{record.url}"' in page and "HubSpot deal" in page
