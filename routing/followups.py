"""What follows a decision, beside the decision itself: the hand-off's events (every
decision), and after a lead's first one a reply draft when its category asks for one
(routing/drafts.py) and an acknowledgement when its queue sends them
(intake/acknowledgements.py says to whom never)."""

from intake import acknowledgements, events, leads
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


def record_decision_events(triage: Triage, owner_before: int | None, moved: bool, status: str):
    """The decision's events, in the decision's transaction, with one hand-off task."""
    if triage.provisional:
        return  # a stand-in while the model is away: the real decision is the event
    items = [(events.Kind.LEAD_TRIAGED, triage.lead_id, {"triage_id": triage.pk})]
    if moved:
        change = leads.status_change(Lead.Status.AWAITING_TRIAGE, status)
        items.append((events.Kind.LEAD_STATUS_CHANGED, triage.lead_id, change))
    if triage.assignee_id and triage.assignee_id != owner_before:
        items.append(
            (events.Kind.LEAD_ASSIGNED, triage.lead_id, {"assignee_id": triage.assignee_id})
        )
    # Triage runs in a worker: the hand-off goes on in it, without a queue's wait.
    events.record_events(items, inline=True)
