"""The facts rules see about a lead, built the same way for triage and for the rule preview."""

from django.db.models import Value
from django.db.models.functions import Coalesce, Left, NullIf

from intake.models import Lead, Message
from routing import rules
from routing.models import Rule

# The preview looks at this many of the most recent leads.
PREVIEW_LEADS = 500
# Enough of a body for any rule an admin writes; it bounds memory and regex time for 500 leads.
PREVIEW_BODY_CHARS = 20_000


def first_message_values(lead_ids: list[int], body_chars: int = PREVIEW_BODY_CHARS) -> dict:
    """The first message of each lead (PostgreSQL DISTINCT ON): what the lead was opened with."""
    return {
        row["lead_id"]: row
        for row in Message.objects.filter(lead__in=lead_ids)
        .order_by("lead_id", "received_at", "pk")
        .distinct("lead_id")
        .values(
            "lead_id",
            "from_email",
            "subject",
            "hygiene",
            body=Left(Coalesce(NullIf("text_new", Value("")), "text"), body_chars),
        )
    }


def recent_lead_facts(limit: int = PREVIEW_LEADS) -> list[tuple[Lead, rules.LeadFacts]]:
    """The most recent leads with the facts rules see: three queries, whatever the limit."""
    leads = list(
        Lead.objects.select_related("contact", "form", "triage__queue")
        .defer("triage__outputs", "triage__escalation_reasons")
        .order_by("-received_at", "-pk")[:limit]
    )
    first_messages = first_message_values([lead.pk for lead in leads])
    return [(lead, lead_facts(lead, first_messages.get(lead.pk))) for lead in leads]


def lead_facts(lead: Lead, message: dict | None) -> rules.LeadFacts:
    message = message or {}
    sender = (message.get("from_email") or lead.contact.email).lower()
    triage = getattr(lead, "triage", None)
    decided = triage is not None and triage.decided_at is not None
    return rules.LeadFacts(
        sender=sender,
        domain=lead.contact.domain or sender.rpartition("@")[2],
        subject=message.get("subject") or lead.subject,
        body=message.get("body") or "",
        channel=lead.channel,
        form=lead.form.slug if lead.form else "",
        language=triage.language if decided else "",
        category=triage.category if decided else "",
        score=triage.score if decided else None,
        hygiene=message.get("hygiene") or "",
        employees=_fact_number(triage.qualification, "company_size", "employees")
        if decided
        else None,
        budget_usd=_fact_number(triage.qualification, "budget", "amount_usd") if decided else None,
    )


def _fact_number(qualification, fact: str, key: str) -> int | float | None:
    """A qualification fact's number as recorded (contract.Qualification.to_dict)."""
    item = qualification.get(fact) if isinstance(qualification, dict) else None
    number = item.get(key) if isinstance(item, dict) else None
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return number


def preview_rule(spec: rules.RuleSpec, stage: str) -> dict:
    """What `spec` alone would do to each of the last PREVIEW_LEADS leads."""
    rows = []
    considered = recent_lead_facts()
    for lead, facts in considered:
        if stage == Rule.Stage.BEFORE_MODEL:
            facts = facts.before_model()
        outcome = rules.evaluate([spec], facts)
        if outcome.matched:
            rows.append({"lead": lead, "facts": facts, "changes": outcome.changes})
    return {"rows": rows, "count": len(rows), "considered": len(considered)}
