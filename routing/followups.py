"""What follows a lead's first decision, beside the decision itself: a reply draft when its
category asks for one (routing/drafts.py), an acknowledgement when its queue sends them
(intake/acknowledgements.py says to whom never)."""

from intake import acknowledgements
from intake.models import Lead
from routing import config, drafts
from routing.models import Triage


def after_first_decision(lead: Lead, triage: Triage, status: str) -> None:
    """Runs inside record_decision's transaction; everything here is queued on commit."""
    if status != Lead.Status.NEW:
        return  # spam, or a provisional decision retried later
    drafts.draft_on_triage(lead, triage)
    queues = config.current().queues.values()
    queue = next((q for q in queues if q.pk == triage.queue_id), None)
    if queue is not None and queue.acknowledge:
        acknowledgements.acknowledge(lead=lead, subject=queue.ack_subject, body=queue.ack_body)
