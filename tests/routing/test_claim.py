"""routing.services.claim: one statement takes a lead for a worker, or tells it to leave it."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from intake.models import Lead
from routing import lease, services
from routing.models import Triage
from tests.helpers import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return make_lead()


def test_it_claims_a_new_lead_with_a_lease_and_one_attempt(lead):
    before = timezone.now()

    triage = services.claim(lead.pk)

    stored = Triage.objects.get(lead=lead)
    assert (triage.pk, triage.attempts, triage.claimed_until) == (
        stored.pk,
        1,
        stored.claimed_until,
    )
    assert stored.claimed_until >= before + lease.HELD_LEASE
    assert (stored.decided_at, stored.category, stored.outputs) == (None, "", [])
    assert stored.lead_status == Lead.Status.AWAITING_TRIAGE  # the trigger still ran


def test_it_leaves_a_lead_whose_lease_is_running(lead):
    held = services.claim(lead.pk)

    assert services.claim(lead.pk) is None

    stored = Triage.objects.get(lead=lead)
    assert (stored.attempts, stored.claimed_until) == (1, held.claimed_until)


def test_it_takes_a_lead_over_when_the_lease_ran_out(lead):
    services.claim(lead.pk)
    Triage.objects.filter(lead=lead).update(claimed_until=timezone.now() - timedelta(seconds=1))

    triage = services.claim(lead.pk)

    assert triage.attempts == 2
    assert Triage.objects.get(lead=lead).claimed_until == triage.claimed_until


def test_it_leaves_a_decided_lead_and_takes_a_provisional_one_again(lead):
    Triage.objects.create(lead=lead, decided_at=timezone.now(), attempts=1)

    assert services.claim(lead.pk) is None

    Triage.objects.filter(lead=lead).update(provisional=True)
    assert services.claim(lead.pk).attempts == 2


def test_it_leaves_the_transaction_it_runs_in_usable(lead):
    with transaction.atomic():
        services.claim(lead.pk)
        assert services.claim(lead.pk) is None
        # A refused claim is not an error that aborts the transaction.
        assert Triage.objects.filter(lead=lead).count() == 1
