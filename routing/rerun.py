"""A decision a person asked for: a rep re-runs triage on a chosen tier from the lead page.

The same pipeline as triage (routing.services): the same lease, inputs, limits and
recording; only the tier is chosen, and the rep's status and owner stay.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from intake.models import Lead, Message
from routing import calls, inputs, rules, services, tiers
from routing.models import Activity, Circuit, ModelCall, RoutingPolicy, Triage

TIER_LABELS = {0: "the local classifier", 1: "tier 1", 2: "tier 2", 3: "tier 3"}


def model_refusal() -> str:
    """Why no model may be called now (no key, the circuit open, the day's budget spent),
    or "": a rep's re-run obeys the same limits as triage."""
    if not settings.ANTHROPIC_API_KEY:
        return "Claude is off (no API key)"
    circuit = Circuit.anthropic()
    if circuit is not None and circuit.is_open:
        return f"The Anthropic API is paused until {circuit.open_until:%H:%M} ({circuit.reason})"
    if calls.spend_today() >= inputs.current_policy().daily_budget_usd:
        return "Today's model budget is spent"
    return ""


def redecide(lead_id: int, *, tier: int, user_id: int | None = None) -> Triage | None:
    """Decide the lead again with one chosen tier (0: the local classifier), on the lead's
    timeline as the person who asked; the rep's status and owner stay. None when the lead is
    gone, triage holds it now, or the tier gave no answer (the timeline says which)."""
    lead = Lead.objects.select_related("contact", "form").filter(pk=lead_id).first()
    if lead is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    label = TIER_LABELS[tier]
    triage, _ = Triage.objects.get_or_create(lead=lead)
    now = timezone.now()
    if not Triage.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=triage.pk
    ).update(claimed_until=now + services.LEASE):
        Activity.record(
            lead, user, Activity.Kind.RERUN, "skipped: triage is running for this lead now"
        )
        return None
    triage.refresh_from_db()
    policy = inputs.current_policy()
    message = inputs.first_message(lead)
    facts = inputs.lead_facts(lead, message)
    draft = services.Draft(reasons=[f"rerun: {label}"])
    try:
        _decide_at(tier, lead, message, facts, policy, draft)
    except (calls.TransientFailure, calls.PermanentFailure) as exc:
        Triage.objects.filter(pk=triage.pk).update(claimed_until=None)
        Activity.record(lead, user, Activity.Kind.RERUN, f"{label} failed: {exc}"[:500])
        return None
    triage = services.record_decision(lead, triage, draft, facts, policy)
    Activity.record(
        lead,
        user,
        Activity.Kind.RERUN,
        f"{label} decided {triage.category} (score {triage.score})",
        model=triage.model,
    )
    return triage


def _decide_at(
    tier: int,
    lead: Lead,
    message: Message | None,
    facts: rules.LeadFacts,
    policy: RoutingPolicy,
    draft: services.Draft,
) -> None:
    """One chosen tier decides `draft`, or a PermanentFailure says why it could not."""
    if tier == 0:
        services.decide_locally(lead, message, facts, draft)
        return
    refusal = model_refusal()
    if refusal:
        raise calls.PermanentFailure(refusal)
    model = {1: policy.tier1_model, 2: policy.tier2_model, 3: policy.tier3_model}[tier]
    result = tiers.run_tier(
        lead,
        message,
        policy,
        draft,
        tier=tier,
        model=model,
        categories=inputs.active_categories(),
        purpose=ModelCall.Purpose.RERUN,
    )
    if result.output is None:
        raise calls.PermanentFailure("no valid answer (refused or off the contract)")
    draft.output, draft.model, draft.tier = result.output, model, tier
