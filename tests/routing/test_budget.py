"""The daily budget: today's spend, counted by the local day (TIME_ZONE), as the dashboard shows."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from routing import calls
from routing.models import ModelCall
from tests.helpers import make_lead


def zone_where_it_is_about_noon() -> str:
    """An Etc/GMT zone where it is around noon now, so local midnight lies hours away from
    now and from UTC midnight, whatever time the test runs."""
    hour = timezone.now().hour
    offset = 12 - hour if hour != 12 else 6  # at 12:00 UTC, noon would be UTC itself
    return f"Etc/GMT{-offset:+d}"  # the Etc/GMT names have the sign reversed


def test_it_counts_spend_from_local_midnight_not_utc_midnight(db, settings):
    settings.TIME_ZONE = zone_where_it_is_about_noon()
    local_midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    lead = make_lead()
    for minutes, cost in ((-1, "5.00"), (1, "0.25")):  # just before and just after it
        ModelCall.objects.create(
            lead=lead,
            model="claude-haiku-5-5",
            cost_usd=Decimal(cost),
            created_at=local_midnight + timedelta(minutes=minutes),
        )

    assert calls.spend_today() == Decimal("0.25")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_settled_part_of_the_day_and_reads_only_newer_calls():
    """Outside a transaction spend_today() sums the day once, then only calls too recent to
    be final: it must still equal the whole day's sum as calls are added and completed."""
    lead = make_lead()
    now = timezone.now()
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    early = max(midnight, now - timedelta(hours=2))

    def call(cost, at):
        return ModelCall.objects.create(
            lead=lead, model="claude-haiku-5-5", cost_usd=cost, created_at=at
        )

    def whole_day():
        total = ModelCall.objects.filter(created_at__gte=midnight).aggregate(t=Sum("cost_usd"))
        return total["t"] or Decimal("0")

    call(Decimal("1.00"), early)
    call(Decimal("0.50"), now)
    assert calls.spend_today() == whole_day() == Decimal("1.50")

    open_call = call(None, timezone.now())  # made, its answer not in yet
    call(Decimal("0.25"), timezone.now())
    assert calls.spend_today() == Decimal("1.75")

    open_call.cost_usd = Decimal("2.00")  # the answer comes in and is priced
    open_call.save()
    assert calls.spend_today() == whole_day() == Decimal("3.75")
