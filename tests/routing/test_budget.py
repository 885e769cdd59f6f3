"""The daily budget: today's spend, counted by the local day (TIME_ZONE), as the dashboard shows."""

from datetime import datetime, time, timedelta
from decimal import Decimal

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
