"""routing.lease: the short triage lease a thread renews while a worker decides a lead."""

import time
from datetime import timedelta

import pytest

from routing import lease, services
from routing.models import Triage
from tests.helpers import make_lead


@pytest.fixture
def quick_renewals(monkeypatch):
    monkeypatch.setattr(lease, "RENEW_EVERY", timedelta(seconds=0.05))


def claimed_lead():
    """A lead claimed by this worker (make_lead's own triage, run on commit, undone)."""
    lead = make_lead()
    Triage.objects.filter(lead=lead).delete()
    return services.claim(lead.pk)


def stored_lease(triage):
    return Triage.objects.values_list("claimed_until", flat=True).get(pk=triage.pk)


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_it_renews_the_lease_while_the_lead_is_decided(quick_renewals):
    triage = claimed_lead()
    claimed = triage.claimed_until

    with lease.kept(triage):
        wait_for(lambda: stored_lease(triage) > claimed)

    # What record_decision compares against is the lease last written.
    assert triage.claimed_until == stored_lease(triage) > claimed


@pytest.mark.django_db(transaction=True)
def test_it_stops_renewing_a_lease_another_worker_took(quick_renewals):
    triage = claimed_lead()
    taken = triage.claimed_until + timedelta(minutes=1)
    Triage.objects.filter(pk=triage.pk).update(claimed_until=taken)

    with lease.kept(triage):
        time.sleep(0.3)  # several renewal periods

    assert stored_lease(triage) == taken
    assert triage.claimed_until != taken  # so record_decision drops this worker's result
