"""First-response time (our first reply, from intake.Lead.first_response_at) against the
SLA each lead's queue set (Triage.sla_due), for the dashboard."""

from datetime import timedelta

from django.db import connection

FIRST_RESPONSE_SQL = """
SELECT COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY l.first_response_at - l.received_at),
       COUNT(*) FILTER (WHERE t.sla_due IS NOT NULL AND l.first_response_at <= t.sla_due),
       COUNT(*) FILTER (WHERE t.sla_due IS NOT NULL)
FROM intake_lead l
LEFT JOIN routing_triage t ON t.lead_id = l.id
WHERE l.first_response_at IS NOT NULL AND l.received_at >= %s AND l.received_at < %s
"""


def first_response(since, until) -> dict:
    """Leads received in the range that were answered: how many, the median time to our
    first reply, and how many of those with an SLA were answered within it."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_RESPONSE_SQL, [since, until])
        answered, median, within, with_sla = cursor.fetchone()
    return {
        "answered": answered,
        "median": duration_text(median) if median is not None else "",
        "within_sla": within,
        "with_sla": with_sla,
    }


def duration_text(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"
