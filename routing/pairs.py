"""Labelled pairs from production: tier 1's draft beside a reference answer, weighted so that
they stand for every tier-1 decision of a period.

The population is the leads received in the period that tier 1 decided or escalated: a valid
tier-1 answer, a final (not provisional) decision, no suspected injection (those go to a
person, whatever the threshold). Each such lead has a *pair* when a reference answer exists:

- **Escalated** leads (tier 2 answered after tier 1's draft): every one has a pair, so each
  stands for itself, weight 1.
- **Confident** leads (tier 1 accepted, no escalation reason): only the shadow-audited ones
  have a pair (tier 2 asked on its own, routing.audits). Audits are drawn evenly over lead ids
  at the policy's rate, independently of the content, so each answered audit stands for
  1 / rate confident decisions. The rate used is the one realised in the period (confident
  decisions / answered audits): it is 1 / the policy's rate when every drawn audit has been
  answered, and it stays right when the rate changed during the period or some audits are
  still waiting for their batch (those are missing at random: the draw ignores the content).
- A rep's **correction** of the category (Feedback) is the truth for its lead and overrides
  tier 2's answer in either kind of pair. A correction of a lead that has no pair does *not*
  make one: reps correct what they see is wrong, so such pairs would be chosen by their
  outcome and inflate the miss rate.

Selection: escalated pairs exist only below the threshold that was in force (and above it
where another trigger fired), audited ones only above it. With the weights, every tier-1
decision of the period is represented once (Σ weights = the population's size, up to the
rounding of the draw), so a weighted mean (the Hájek estimator) estimates a rate over the
whole confidence range, at any threshold, without bias from where the pairs came from. Its
precision is that of Kish's effective sample size (Σw)² / Σw², which audits at 2% make far
smaller than the number of pairs: `wilson` uses it for the interval.

Left out and counted: escalations tier 2 did not answer, and confident-looking decisions
whose escalation the caps or the budget blocked (never audited, so not represented).
"""

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import Count, JSONField, Q, Sum
from django.db.models.expressions import RawSQL

from routing.models import Category, Feedback, ModelCall, ShadowAudit, Triage

PLACES = Decimal("0.00000001")  # ModelCall.cost_usd has 8 decimal places
Z95 = 1.959964
# Escalation reasons a confidence threshold does not control: such a lead is escalated at
# any threshold (routing.tiers.escalation_reasons, and the rule that forces a tier).
FORCED = ("model_asked", "category_", "company_size", "budget ", "long_input", "rule_forced_")
# Reasons that kept a lead from the escalation it would have had.
BLOCKED = ("escalation_cap_reached", "budget_exhausted", "escalation_failed")
TIER2_PURPOSES = ("escalation",)


@dataclass(frozen=True)
class Pair:
    lead_id: int
    received_at: datetime
    confidence: float  # tier 1's
    category: str  # tier 1's
    is_lead: bool  # tier 1's
    truth_category: str
    truth_is_lead: bool | None  # None: the reference did not say
    source: str  # "escalation" or "audit"
    corrected: bool  # the truth is a rep's correction
    forced: bool  # escalated for a reason no threshold controls
    weight: float

    @property
    def wrong(self) -> bool:
        """Tier 1's category, or its is_lead where the reference gives one, differs."""
        if self.category != self.truth_category:
            return True
        return self.truth_is_lead is not None and self.is_lead != self.truth_is_lead


@dataclass
class PairSet:
    pairs: list[Pair]
    decided: int = 0  # the population: tier-1 decisions of the period
    confident: int = 0  # of which tier 1 accepted with no escalation reason
    escalated: int = 0  # of which tier 2 answered after tier 1
    audited: int = 0  # confident ones with an answered audit
    policy_rate: float = 0.0
    left_out: Counter = field(default_factory=Counter)
    tier1_cost: Decimal = Decimal("0")  # mean cost of tier 1 per decision
    tier2_cost: Decimal = Decimal("0")  # mean cost of the escalation per escalated lead

    @property
    def left_out_rows(self) -> list[tuple[str, int]]:
        # For templates: a Counter answers 0 to a lookup of "items".
        return sorted(self.left_out.items())

    @property
    def audit_rate(self) -> float:
        """The realised rate: answered audits / confident decisions."""
        return self.audited / self.confident if self.confident else 0.0

    def subset(self, category: str | None) -> list[Pair]:
        return [p for p in self.pairs if category is None or p.category == category]


def arrays(pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(confidences, wrong, weights) for routing.calibration. A forced escalation gets
    confidence -1: below every threshold, so it is escalated and never a miss at any."""
    conf = np.array([-1.0 if p.forced else p.confidence for p in pairs], dtype=float)
    wrong = np.array([p.wrong for p in pairs], dtype=bool)
    weights = np.array([p.weight for p in pairs], dtype=float)
    return conf, wrong, weights


def wilson(p, n, z: float = Z95):
    """Wilson's score interval for a proportion p seen on n (effective) items; works on
    arrays. (0, 1) where n is 0."""
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    n = np.asarray(n, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    denom = 1 + z * z / safe
    centre = (p + z * z / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0, 1), 0.0)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), 1.0)
    return low, high


def items_for_bound(alpha: float, z: float = Z95) -> int:
    """Fewest effective items for which Wilson's upper bound can be at most alpha (when no
    item is a miss): below it, no estimate can show the miss rate is under alpha."""
    return math.ceil(z * z * (1 - alpha) / alpha)


def tier1_entry(outputs) -> dict | None:
    """Tier 1's last valid output in a triage's record of outputs."""
    found = None
    for entry in outputs or []:
        if (
            isinstance(entry, dict)
            and entry.get("tier") == 1
            and isinstance(entry.get("output"), dict)
        ):
            found = entry["output"]
    return found


def _answer_fields(tier: int) -> RawSQL:
    """{category, is_lead, confidence} of the first valid answer of `tier` (2: tier 2 or 3)
    in a triage's outputs, as routing.tiers.run_tier records them."""
    test = "@.tier == 1" if tier == 1 else "@.tier >= 2"
    path = f"$[*] ? ({test} && exists(@.output)).output"
    fields = ", ".join(
        f"'{name}', jsonb_path_query_first(routing_triage.outputs, '{path}.{name}')"
        for name in ("category", "is_lead", "confidence")
    )
    return RawSQL(f"jsonb_build_object({fields})", [], output_field=JSONField())


def forced(reasons) -> bool:
    return any(str(r).startswith(FORCED) for r in reasons or [])


def blocked(reasons) -> bool:
    return any(str(r).startswith(BLOCKED) for r in reasons or [])


def population(since: datetime, until: datetime):
    """Final decisions of the leads received in [since, until) that could involve tier 1."""
    return Triage.objects.filter(
        lead__received_at__gte=since,
        lead__received_at__lt=until,
        decided_at__isnull=False,
        provisional=False,
        injection_suspected=False,
        tier__gte=1,
    )


def collect(*, since: datetime, until: datetime, policy_rate=0, costs: bool = True) -> PairSet:
    """Every pair of the leads received in [since, until), weighted (module docstring);
    `costs`: also the mean costs of tier 1 and of an escalation (one more query)."""
    # Only the few answer fields, extracted in PostgreSQL: a range's whole outputs (every
    # tier's answer with its evidence) would be megabytes on the dashboard's every view.
    rows = (
        population(since, until)
        .annotate(first=_answer_fields(1), upper=_answer_fields(2))
        .values_list(
            "lead_id",
            "lead__received_at",
            "escalated",
            "escalation_reasons",
            "first",
            "upper",
            "decided_at",
        )
    )
    found = PairSet(pairs=[], policy_rate=float(policy_rate or 0))
    drafts: dict[int, tuple] = {}  # lead: (received, tier-1 output, forced)
    escalated: dict[int, dict] = {}  # lead: the upper tier's answer
    confident: dict[int, datetime] = {}  # lead: decided_at
    for lead_id, received, was_escalated, reasons, first, answer, decided_at in rows.iterator():
        if not first or first.get("category") is None:
            continue  # tier 1 gave no valid answer: no draft to judge
        if was_escalated:
            if not answer or answer.get("category") is None:
                found.left_out["escalation without an answer"] += 1
                continue
            escalated[lead_id] = answer
            drafts[lead_id] = (received, first, forced(reasons))
        elif reasons:
            found.left_out["blocked escalation" if blocked(reasons) else "other reason"] += 1
        else:
            confident[lead_id] = decided_at
            drafts[lead_id] = (received, first, False)
    found.escalated = len(escalated)
    found.confident = len(confident)
    found.decided = found.escalated + found.confident
    audited = audit_answers(confident)
    found.audited = len(audited)
    weight = found.confident / found.audited if found.audited else 0.0
    corrections = corrected_truths(list(escalated) + list(audited))
    for lead_id, answer in [*escalated.items(), *audited.items()]:
        received, first, was_forced = drafts[lead_id]
        source = "escalation" if lead_id in escalated else "audit"
        truth_category = str(answer.get("category") or "")
        truth_is_lead = answer.get("is_lead") if isinstance(answer.get("is_lead"), bool) else None
        corrected = lead_id in corrections
        if corrected:
            truth_category, truth_is_lead = corrections[lead_id]
        found.pairs.append(
            Pair(
                lead_id=lead_id,
                received_at=received,
                confidence=float(first.get("confidence") or 0.0),
                category=str(first.get("category") or ""),
                is_lead=bool(first.get("is_lead")),
                truth_category=truth_category,
                truth_is_lead=truth_is_lead,
                source=source,
                corrected=corrected,
                forced=was_forced,
                weight=1.0 if source == "escalation" else weight,
            )
        )
    found.pairs.sort(key=lambda p: p.lead_id)
    if costs and found.decided:
        found.tier1_cost, found.tier2_cost = mean_costs(since, until, found)
    return found


def audit_answers(confident: dict[int, datetime]) -> dict[int, dict]:
    """Tier 2's answer for every confident decision with an answered audit of that very
    decision: the category from the audit, is_lead from the audit call's answer."""
    if not confident:
        return {}
    audits = ShadowAudit.objects.filter(
        lead_id__in=list(confident), outcome=ShadowAudit.Outcome.ANSWERED
    ).values_list("lead_id", "decided_at", "category", "done_at")
    answered = {}
    for lead_id, decided_at, category, done_at in audits:
        if decided_at == confident[lead_id] and category:
            answered[lead_id] = (category, done_at)
    # routing.audits.apply_one creates the audit's call at the audit's done_at.
    said: dict[tuple[int, datetime], bool] = {}
    calls = ModelCall.objects.filter(
        lead_id__in=list(answered), purpose=ModelCall.Purpose.SHADOW_AUDIT
    ).values_list("lead_id", "created_at", "answer")
    for lead_id, created_at, text in calls:
        try:
            value = json.loads(text).get("is_lead")
        except (ValueError, AttributeError):
            continue
        if isinstance(value, bool):
            said[(lead_id, created_at)] = value
    return {
        lead_id: {"category": category, "is_lead": said.get((lead_id, done_at))}
        for lead_id, (category, done_at) in answered.items()
    }


def corrected_truths(lead_ids: list[int]) -> dict[int, tuple[str, bool | None]]:
    """The latest category correction of each lead, with is_lead as the workspace sets it
    (the corrected category's is_sales)."""
    if not lead_ids:
        return {}
    rows = list(
        Feedback.objects.filter(lead_id__in=lead_ids, field="category")
        .order_by("created_at", "pk")
        .values_list("lead_id", "new_value")
    )
    if not rows:
        return {}
    sales = dict(Category.objects.values_list("slug", "is_sales"))
    return {
        lead_id: (value, sales.get(value))
        for lead_id, value in rows
        if isinstance(value, str) and value
    }


def mean_costs(since: datetime, until: datetime, found: PairSet) -> tuple[Decimal, Decimal]:
    """Tier 1's mean cost per decision and the escalation's per escalated lead, over the
    population's calls (shadow audits and evaluation calls apart)."""
    sums = ModelCall.objects.filter(
        lead__received_at__gte=since,
        lead__received_at__lt=until,
        lead__triage__in=population(since, until),
    ).aggregate(
        tier1=Sum("cost_usd", filter=Q(tier=1, purpose__in=("triage", "retry"))),
        tier2=Sum("cost_usd", filter=Q(tier__gte=2, purpose__in=(*TIER2_PURPOSES, "retry"))),
        n=Count("pk"),
    )

    def mean(total, n):
        if not total or not n:
            return Decimal("0")
        return (Decimal(total) / n).quantize(PLACES, ROUND_HALF_UP)

    return mean(sums["tier1"], found.decided), mean(sums["tier2"], found.escalated)
