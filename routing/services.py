import logging

from intake.models import Lead

logger = logging.getLogger(__name__)


def triage_lead(lead_id: int) -> str | None:
    """Decide a lead's category and queue.

    Until the model tiers land, a lead that reaches triage stays visible in
    `awaiting_triage`; running this twice, or for a lead already decided or
    filtered, changes nothing.
    """
    lead = Lead.objects.filter(pk=lead_id).only("status").first()
    if lead is None:
        logger.warning("triage_lead: lead %s no longer exists", lead_id)
        return None
    return lead.status
