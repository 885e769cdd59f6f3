"""The triage pipeline: rules and hygiene, tier 1, escalation by code, tier 2/3, decision.

`triage_lead(lead_id)` is idempotent. A lead is claimed with a lease (a
conditional update), not a row lock, so the model is called outside any
transaction and every ModelCall row is committed as the call is made: a
worker killed mid-call leaves its real calls on record, and the lease expires
so the lead is triaged again.
"""

import functools
import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import leads
from intake.models import Lead, Message
from routing import (
    audits,
    calls,
    config,
    contract,
    followups,
    injection,
    inputs,
    lease,
    llm,
    local,
    resume,
    rows,
    rules,
)
from routing.assign import assign, compute_priority, compute_score
from routing.models import (
    Activity,
    Category,
    RoutingPolicy,
    Rule,
    ShadowAudit,
    Triage,
)
from routing.tiers import TierResult, escalation_reasons, message_text, run_tier, within_caps

logger = logging.getLogger(__name__)

# django-q stops a task at its timeout, so a lease of the same length is never outlived in a
# worker, and has run out by the time django-q redelivers a killed worker's task (retry). A
# re-run by a rep holds this one; triage holds lease.HELD_LEASE, renewed while it decides.
LEASE = timedelta(seconds=settings.Q_CLUSTER["timeout"])
# What people did about a lead's owner, latest first, in the workspace's record.
OWNER_KINDS = (Activity.Kind.CLAIM, Activity.Kind.UNCLAIM, Activity.Kind.ASSIGN)
# Decisions no model stood behind go to a person.
REVIEW_REASONS = {"max_attempts", "permanent_error", "no_valid_model_output", "triage_error"}


@dataclass
class Draft:
    """A decision in the making: who produced it and why it moved on."""

    output: contract.TriageOutput | None = None
    model: str = ""
    tier: int = 0
    reasons: list[str] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    rules_applied: list[str] = field(default_factory=list)
    provisional: bool = False
    # Drawn for a shadow audit (routing.audits sends it later, in a batch).
    audit: bool = False


def claim(lead_id: int) -> Triage | None:
    """Take the lead for this worker, or None when it is decided or another worker has it.

    The returned triage carries the lease this worker wrote (`claimed_until`) and the
    attempts so far, the rest deferred: `record_decision` saves only while that lease is
    still ours, and writes the decision over a row it reads again under a lock."""
    now = timezone.now()
    new = Triage(lead_id=lead_id, claimed_until=now + lease.HELD_LEASE, attempts=1)
    sql, inserted, returned = _claim_statement()
    values = rows.prepared(new, inserted, adding=True)
    claimed = rows.fetch(Triage, returned, sql, [*values, now])
    return claimed[0] if claimed else None


@functools.cache
def _claim_statement() -> tuple[str, list, list]:
    """One statement is the claim, and whoever's statement returns the row holds the lease: a
    new lead's row is inserted claimed; an existing one is taken only when no lease runs on it
    and it is undecided or provisional. ON CONFLICT waits for a concurrent insert of the same
    lead to commit, then checks the condition against that row as an UPDATE would."""
    inserted = [field for field in rows.fields_of(Triage) if not field.primary_key]
    returned = rows.fields_of(Triage, ("id", "lead", "attempts", "claimed_until"))
    sql = (
        f"INSERT INTO {Triage._meta.db_table} AS t ({rows.column_list(inserted)}) "
        f"VALUES ({', '.join(['%s'] * len(inserted))}) "
        "ON CONFLICT (lead_id) DO UPDATE SET claimed_until = EXCLUDED.claimed_until, "
        "attempts = t.attempts + 1 "
        "WHERE (t.claimed_until IS NULL OR t.claimed_until < %s) "
        "AND (t.decided_at IS NULL OR t.provisional) "
        f"RETURNING {rows.column_list(returned)}"
    )
    return sql, inserted, returned


def triage_lead(
    lead_id: int,
    *,
    tier1_response: "llm.Response | None" = None,
) -> Triage | None:
    """Triage one lead. `tier1_response`: tier 1's answer when it was already obtained (a
    Message Batch result, recorded by the caller); the rest of the decision is unchanged."""
    lead, message = inputs.lead_and_first_message(lead_id)
    if lead is None:
        logger.warning("triage_lead: lead %s no longer exists", lead_id)
        return None
    if lead.status != Lead.Status.AWAITING_TRIAGE:
        return getattr(lead, "triage", None)
    triage = claim(lead.pk)
    if triage is None:
        return None
    with config.pinned() as pinned:
        return triage_claimed(lead, message, triage, pinned.policy, tier1_response=tier1_response)


def triage_claimed(
    lead: Lead,
    message: Message | None,
    triage: Triage,
    policy: RoutingPolicy,
    *,
    tier1_response: "llm.Response | None" = None,
) -> Triage:
    """Decide a lead this worker holds the lease on, and record the decision. `message`: the
    lead's first message (`first_message`)."""
    facts = inputs.lead_facts(lead, message)
    draft = Draft()
    if triage.attempts > policy.max_triage_attempts:
        # Earlier attempts died without deciding (killed, timed out, crashed): a person decides.
        draft.reasons.append("max_attempts")
        decide_locally(lead, message, facts, draft)
        return record_decision(lead, triage, draft, facts, policy)
    if tier1_response is None and triage.attempts > 1:
        # An earlier attempt may have died after tier 1 answered (during the escalation):
        # its recorded answer stands, so tier 1 is not paid for twice.
        tier1_response = resume.recorded_tier1_answer(triage, policy.tier1_model)
    try:
        with lease.kept(triage):
            decide(lead, message, facts, policy, draft, tier1_response=tier1_response)
    except (calls.TransientFailure, calls.PermanentFailure) as exc:
        draft.reasons.append(f"api_unavailable: {exc}")
        draft.outputs = [o for o in draft.outputs if o.get("model") != "local"]
        decide_locally(lead, message, facts, draft)
        retry = isinstance(exc, calls.TransientFailure)
        draft.provisional = retry and triage.attempts < policy.max_triage_attempts
        if not draft.provisional:
            draft.reasons.append("max_attempts" if retry else "permanent_error")
    except Exception:
        # A bug must not lose the lead: it stays visible, provisionally decided, and is retried.
        logger.exception("triage of lead %s failed", lead.pk)
        draft = Draft(reasons=["triage_error"])
        decide_locally(lead, message, facts, draft)
        draft.provisional = triage.attempts < policy.max_triage_attempts
        if not draft.provisional:
            draft.reasons.append("max_attempts")
    return record_decision(lead, triage, draft, facts, policy)


def decide(
    lead: Lead,
    message: Message | None,
    facts: rules.LeadFacts,
    policy: RoutingPolicy,
    draft: Draft,
    *,
    tier1_response: "llm.Response | None" = None,
) -> None:
    """Fill `draft` with the decision: rules alone, the local classifier, or tier 1 with an
    escalation when code finds a reason. Raises calls.TransientFailure / PermanentFailure
    when the API cannot be used now (the caller decides locally and retries later)."""
    before = rules.evaluate(inputs.enabled_rules(Rule.Stage.BEFORE_MODEL), facts)
    draft.rules_applied += [name for _, name in before.matched]
    if rules_decide_alone(before):
        _decide_by_rules(lead, message, facts, before, draft)
        return
    spent = _spend_allowed(policy, draft)
    if spent is None:
        decide_locally(lead, message, facts, draft)
        return

    categories = inputs.active_categories()
    first = run_tier(
        lead,
        message,
        policy,
        draft,
        tier=1,
        model=policy.tier1_model,
        categories=categories,
        response=tier1_response,
    )
    text = message_text(message)
    if _held_for_injection(lead, message, facts, first, text, draft):
        return
    reasons = escalation_reasons(first, draft, policy, categories, text)
    reasons += _second_opinion(lead, message, first, policy)
    if before.force_tier:
        reasons.append(f"rule_forced_tier_{before.force_tier}")
    budget_left = spent < policy.daily_budget_usd
    reasons = _escalations_allowed(lead, policy, reasons, budget_left, draft)
    if reasons:
        draft.reasons += reasons
        if _escalate(lead, message, policy, draft, first, categories, before.force_tier):
            return
    if first.output is None:
        draft.reasons.append("no_valid_model_output")
        decide_locally(lead, message, facts, draft)
        return
    draft.output, draft.model, draft.tier = first.output, policy.tier1_model, 1
    # A share of confident decisions is checked by tier 2 later, in a batch (routing.audits).
    draft.audit = (
        not reasons and budget_left and audits.drawn_for_audit(lead.pk, policy.shadow_audit_rate)
    )


def _decide_by_rules(
    lead: Lead,
    message: Message | None,
    facts: rules.LeadFacts,
    before: rules.Outcome,
    draft: Draft,
) -> None:
    """Pre-model rules settled it: the local classifier fills the rest of the contract."""
    output = local.classify(**inputs.local_inputs(lead, message, facts))
    draft.output = replace(
        output, category="spam" if before.spam else (before.category or output.category)
    )
    draft.model, draft.tier = "rules", 0
    draft.outputs.append({"tier": 0, "model": "rules", "output": draft.output.to_dict()})


def _spend_allowed(policy: RoutingPolicy, draft: Draft) -> Decimal | None:
    """Today's spend when a model may be called; None when there is no API key, or the
    budget is spent and the policy says local only (noted on the draft). Raises
    TransientFailure while the circuit is open."""
    if not settings.ANTHROPIC_API_KEY:
        return None
    circuit = config.current().circuit
    if circuit is not None and circuit.is_open:
        raise calls.TransientFailure(
            f"circuit open until {circuit.open_until:%H:%M}: {circuit.reason}"
        )
    spent = calls.spend_today()
    if spent >= policy.daily_budget_usd and (
        policy.budget_action == RoutingPolicy.BudgetAction.LOCAL_ONLY
    ):
        draft.reasons.append("budget_exhausted")
        return None
    return spent


def _held_for_injection(
    lead: Lead,
    message: Message | None,
    facts: rules.LeadFacts,
    first: TierResult,
    text: str,
    draft: Draft,
) -> bool:
    """An email that tries to steer the model goes to a person, never to a bigger model."""
    suspected = injection.suspicious(text, message.hidden_text if message else "")
    if not suspected and not (first.output and first.output.injection_suspected):
        return False
    draft.reasons.append("injection_suspected: " + "; ".join(suspected or ["model flagged"]))
    output = first.output or local.classify(**inputs.local_inputs(lead, message, facts))
    draft.output = replace(output, injection_suspected=True)
    draft.model, draft.tier = first.model or "local", first.tier
    return True


def _second_opinion(
    lead: Lead, message: Message | None, first: TierResult, policy: RoutingPolicy
) -> list[str]:
    """The local model's confident disagreement with tier 1, when the policy asks for it."""
    if first.output is None or policy.second_opinion_threshold is None:
        return []
    reason = local.second_opinion(
        output=first.output,
        subject=(message.subject if message else lead.subject) or "",
        body=message_text(message),
        threshold=policy.second_opinion_threshold,
    )
    return [reason] if reason else []


def _escalations_allowed(
    lead: Lead, policy: RoutingPolicy, reasons: list[str], budget_left: bool, draft: Draft
) -> list[str]:
    """The escalation reasons that stand once the budget and the caps have their say."""
    if reasons and not budget_left:
        draft.reasons.append("budget_exhausted: no escalation")
        return []
    if reasons and not within_caps(lead, policy):
        draft.reasons.append("escalation_cap_reached")
        return []
    return reasons


def _escalate(
    lead: Lead,
    message: Message | None,
    policy: RoutingPolicy,
    draft: Draft,
    first: TierResult,
    categories: list[Category],
    force_tier: int | None,
) -> bool:
    """Tier 2 (tier 3 where a rule forces it) decides, shown tier 1's draft. False when it
    gave no valid answer: tier 1's answer (or the local classifier) stands."""
    tier = 3 if force_tier == 3 else 2
    model = policy.tier3_model if tier == 3 else policy.tier2_model
    try:
        second = run_tier(
            lead,
            message,
            policy,
            draft,
            tier=tier,
            model=model,
            categories=categories,
            previous=first.output,
        )
    except calls.TransientFailure:
        if first.output is None:
            raise
        # Keep tier 1's valid answer for now; the reconciler tries the escalation again.
        draft.reasons.append("escalation_failed")
        draft.provisional = True
        return False
    if second.output is not None:
        draft.output, draft.model, draft.tier = second.output, model, tier
        return True
    draft.reasons.append("escalation_failed")
    return False


def decide_locally(
    lead: Lead, message: Message | None, facts: rules.LeadFacts, draft: Draft
) -> None:
    draft.output = local.classify(**inputs.local_inputs(lead, message, facts))
    draft.model, draft.tier = "local", 0
    draft.outputs.append({"tier": 0, "model": "local", "output": draft.output.to_dict()})


def record_decision(
    lead: Lead, triage: Triage, draft: Draft, facts: rules.LeadFacts, policy: RoutingPolicy
) -> Triage:
    """Save the decision (post-model rules, score, queue, owner, status) while this
    worker's lease still holds; the decision another worker saved meanwhile stands."""
    output = draft.output
    score = compute_score(output, policy)
    after = rules.evaluate(
        inputs.enabled_rules(Rule.Stage.AFTER_MODEL),
        replace(
            facts,
            category=output.category,
            score=score,
            language=output.language,
            employees=output.qualification.employees,
            budget_usd=output.qualification.amount_usd,
        ),
    )
    draft.rules_applied += [name for _, name in after.matched]
    category = after.category or output.category
    spam = after.spam or category == "spam"
    held = triage.claimed_until
    with transaction.atomic():
        # Only what the decision does not overwrite: the lease, and whether and to whom it
        # was decided before.
        sql, fields = _locked_statement()
        found = rows.fetch(Triage, fields, sql, [triage.pk])
        if not found:
            raise Triage.DoesNotExist(f"triage {triage.pk} is gone")
        current = found[0]
        if current.claimed_until != held:
            # Our lease ran out and another worker took the lead: its decision stands.
            logger.warning("triage of lead %s outlived its lease; result dropped", lead.pk)
            return current
        triage = current
        # A re-decision (after a provisional one, or a rep's re-run) assigns afresh, except
        # that an owner a person chose keeps the lead while it stays in the same queue.
        redecided = triage.decided_at is not None
        kept_owner = redecided and owner_chosen_by_a_person(triage)
        queue_before = triage.queue_id
        owner_before = triage.assignee_id
        if redecided and not kept_owner:
            triage.assignee = None
        triage.category = category
        triage.is_lead = output.is_lead
        triage.qualification = output.qualification.to_dict()
        triage.score = score
        triage.urgency = output.urgency
        triage.language = output.language
        triage.summary = output.summary[:300]
        triage.next_action = output.next_action
        triage.confidence = Decimal(str(round(output.confidence, 2)))
        triage.injection_suspected = output.injection_suspected
        triage.model = draft.model
        triage.tier = draft.tier
        triage.escalated = draft.tier >= 2
        triage.escalation_reasons = draft.reasons
        triage.outputs = draft.outputs
        triage.rules_applied = draft.rules_applied
        triage.provisional = draft.provisional
        triage.shadow_category = ""  # an audit is of one decision: a new one starts blank
        triage.priority = after.priority or compute_priority(score, output.urgency)
        triage.decided_at = timezone.now()
        triage.claimed_until = None
        review = output.injection_suspected or bool(REVIEW_REASONS.intersection(draft.reasons))
        assign(triage, lead, policy, queue_slug=after.queue, assignee=after.assignee, review=review)
        if kept_owner and triage.queue_id != queue_before:
            triage.assignee = None  # moved to another queue: its own assignment applies
            assign(
                triage, lead, policy, queue_slug=after.queue, assignee=after.assignee, review=review
            )
        rows.update(triage, rows.loaded_fields(triage))
        if redecided:
            audits.skip_waiting(lead.pk)
        if draft.audit:
            ShadowAudit.objects.create(
                lead_id=lead.pk, model=policy.tier2_model, decided_at=triage.decided_at
            )
        if spam:
            status = Lead.Status.SPAM
        elif draft.provisional:
            status = Lead.Status.AWAITING_TRIAGE
        else:
            status = Lead.Status.NEW
        # Only a lead still waiting moves: a rep's status change is never overwritten.
        moved = leads.move_status(
            lead.pk, status, only_from=Lead.Status.AWAITING_TRIAGE, record=False
        )
        if moved:
            followups.after_first_decision(lead, triage, status)
        followups.record_decision_events(triage, owner_before, moved, status)
    return triage


@functools.cache
def _locked_statement() -> tuple[str, list]:
    """`record_decision`'s read of the triage row, locked: what the decision does not
    overwrite."""
    fields = rows.fields_of(
        Triage,
        (
            "id",
            "lead",
            "claimed_until",
            "decided_at",
            "assignee",
            "queue",
            "attempts",
            "created_at",
        ),
    )
    sql = f"SELECT {rows.column_list(fields)} FROM {Triage._meta.db_table} WHERE id = %s FOR UPDATE"
    return sql, fields


def owner_chosen_by_a_person(triage: Triage) -> bool:
    """The lead's owner was claimed by, or assigned by, a person (the workspace's record),
    not given by a queue's rotation."""
    if triage.assignee_id is None:
        return False
    last = (
        Activity.objects.filter(lead_id=triage.lead_id, kind__in=OWNER_KINDS)
        .order_by("-created_at", "-pk")
        .values_list("kind", "user_id", "data")
        .first()
    )
    if last is None:
        return False
    kind, user_id, data = last
    if kind == Activity.Kind.CLAIM:
        return user_id == triage.assignee_id
    return kind == Activity.Kind.ASSIGN and data.get("assignee_id") == triage.assignee_id


def rules_decide_alone(before: rules.Outcome) -> bool:
    """Pre-model rules settle the lead with no model call (unless one forces a tier)."""
    return bool(before.spam or before.skip_model or (before.category and not before.force_tier))
