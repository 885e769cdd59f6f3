"""One tier of triage, and whether to go up a tier: the call, its validation with one
bounded retry, the escalation reasons the policy names, and the caps on escalating.

routing.services runs the pipeline and records the decision; this is what it asks of
each model.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from intake.models import Message
from routing import calls, contract, llm, prompt
from routing.models import ModelCall, Triage

MAX_TOKENS = {1: 1024, 2: 4096, 3: 8192}


def message_text(message: Message | None) -> str:
    if message is None:
        return ""
    return message.text_new or message.text


@dataclass
class TierResult:
    output: contract.TriageOutput | None
    model: str = ""
    tier: int = 0
    stop_reason: str = ""
    input_tokens: int | None = None


def tier_request(
    lead, message, policy, *, model, categories, previous=None, tier: int = 1
) -> tuple["llm.LlmRequest", str]:
    """The request a tier sends for this lead, and the email text it shows the model."""
    email = {
        "subject": message.subject if message else lead.subject,
        "sender": lead.contact.email,
        "body": message_text(message),
        "max_chars": policy.max_message_chars,
    }
    system, messages, _ = prompt.build_request_parts(
        categories=[(c.slug, c.name, c.description) for c in categories],
        previous=previous.to_dict() if previous else None,
        **email,
    )
    request = llm.LlmRequest(
        model=model,
        system=system,
        messages=messages,
        max_tokens=MAX_TOKENS.get(tier, MAX_TOKENS[3]),
        output_schema=contract.triage_schema([c.slug for c in categories]),
    )
    return request, prompt.email_text(**email)


def run_tier(
    lead,
    message,
    policy,
    draft,
    *,
    tier,
    model,
    categories,
    previous=None,
    purpose=None,
    response=None,
) -> TierResult:
    """One tier: a call, validation, and one bounded retry on invalid output.

    `response`: the first attempt's answer when it was already obtained (a batch result,
    recorded by the caller); a retry after invalid output is still a normal call.
    """
    slugs = [c.slug for c in categories]
    # Evidence must quote what the model was shown.
    request, shown = tier_request(
        lead, message, policy, model=model, categories=categories, previous=previous, tier=tier
    )
    purpose = purpose or (ModelCall.Purpose.TRIAGE if tier == 1 else ModelCall.Purpose.ESCALATION)
    result = TierResult(output=None, model=model, tier=tier)
    prepared = response
    for attempt_purpose in (purpose, ModelCall.Purpose.RETRY):
        if prepared is not None:
            response, prepared = prepared, None
        else:
            response = calls.call_model(
                lead,
                request,
                tier=tier,
                purpose=attempt_purpose,
                cooldown_seconds=policy.circuit_cooldown_seconds,
            )
        result.stop_reason = response.stop_reason or ""
        if response.usage is not None:
            result.input_tokens = (
                (response.usage.input_tokens or 0)
                + (response.usage.cache_read_input_tokens or 0)
                + (response.usage.cache_creation_input_tokens or 0)
            )
        if response.stop_reason == "refusal":
            draft.outputs.append({"tier": tier, "model": model, "refusal": True})
            return result
        try:
            output = contract.validate(response.text, categories=slugs, message_text=shown)
        except contract.ContractError as exc:
            draft.outputs.append({"tier": tier, "model": model, "invalid": exc.problems[:10]})
            continue
        result.output = output
        draft.outputs.append(
            {
                "tier": tier,
                "model": model,
                "output": output.to_dict(),
                "purpose": str(attempt_purpose),
            }
        )
        return result
    return result


def escalation_reasons(first: TierResult, draft, policy, categories, text) -> list[str]:
    reasons = []
    output = first.output
    if output is None:
        reasons.append("refusal" if first.stop_reason == "refusal" else "invalid_output")
        return reasons
    by_slug = {c.slug: c for c in categories}
    category = by_slug.get(output.category)
    threshold = policy.confidence_threshold
    if category is not None and category.confidence_threshold is not None:
        threshold = category.confidence_threshold
    if Decimal(str(output.confidence)) < threshold:
        reasons.append(f"low_confidence ({output.confidence:.2f} < {threshold})")
    if policy.escalate_when_model_asks and output.needs_escalation:
        reasons.append("model_asked: " + (output.escalation_reason or "")[:100])
    if category is not None and category.always_escalate:
        reasons.append(f"category_{category.slug}")
    employees = output.qualification.employees
    if (
        policy.escalate_company_size_at_least
        and employees
        and (employees >= policy.escalate_company_size_at_least)
    ):
        reasons.append(f"company_size {employees}")
    amount = output.qualification.amount_usd
    if (
        policy.escalate_budget_at_least
        and amount
        and Decimal(str(amount)) >= (policy.escalate_budget_at_least)
    ):
        reasons.append(f"budget {amount}")
    if first.input_tokens and first.input_tokens > policy.escalate_input_tokens_over:
        reasons.append(f"long_input ({first.input_tokens} tokens)")
    return reasons


def within_caps(lead, policy) -> bool:
    # Escalations that got an answer: failed attempts and shadow audits do not use up the cap.
    per_lead = ModelCall.objects.filter(
        lead=lead, purpose=ModelCall.Purpose.ESCALATION, completed_at__isnull=False, error=""
    ).count()
    if per_lead >= policy.max_escalations_per_lead:
        return False
    since = timezone.now() - timedelta(days=1)
    contact = lead.contact
    escalated = Triage.objects.filter(escalated=True, decided_at__gte=since).aggregate(
        per_sender=Count("pk", filter=Q(lead__contact=contact)),
        per_domain=Count("pk", filter=Q(lead__contact__domain=contact.domain)),
    )
    if escalated["per_sender"] >= policy.max_escalations_per_sender_per_day:
        return False
    if contact.is_free_mail or not contact.domain:
        return True
    return escalated["per_domain"] < policy.max_escalations_per_domain_per_day
