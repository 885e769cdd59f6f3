"""What follows a lead's first decision, beside the decision itself: a reply draft when its
category asks for one (routing/drafts.py)."""

from intake.models import Lead
from routing import drafts
from routing.models import Triage


def after_first_decision(lead: Lead, triage: Triage, status: str) -> None:
    """Runs inside record_decision's transaction; everything here is queued on commit."""
    if status != Lead.Status.NEW:
        return  # spam, or a provisional decision retried later
    drafts.draft_on_triage(lead, triage)
