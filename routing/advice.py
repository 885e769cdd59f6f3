"""Threshold advice from what production records: the curve of confidence threshold →
escalation rate, cost and estimated miss rate, the cheapest threshold that keeps the miss
rate under alpha, what changing to it would do, and applying it.

The pairs and their weights are routing.pairs' (escalations at weight 1, shadow audits at
1 / the realised audit rate, rep corrections as the truth). On them:

- the **miss rate** at threshold t, P(tier 1 accepted and wrong), is the weighted share of
  pairs with confidence ≥ t whose tier-1 answer was wrong (routing.calibration.miss_curve;
  a lead escalated for a reason no threshold controls is escalated at every t), with a 95%
  Wilson interval on Kish's effective number of pairs;
- the **escalation rate** at t is the weighted share below t (or forced), and the **cost**
  per tier-1 decision is tier 1's mean cost plus that rate times the mean cost of an
  escalation, both from the recorded calls of the period;
- the **advice** is routing.calibration.choose_threshold with the same weights: the smallest
  t with n/(n+1)·R̂(t) + 1/(n+1) ≤ α (conformal risk control, n effective). Per category
  (tier 1's category, which is what Category.confidence_threshold is keyed on) where its own
  pairs are enough, else the category follows the policy's threshold. Too few pairs for any
  threshold to pass (`calibration.minimum_items`): nothing is advised.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Sum

from routing import calibration
from routing.models import Category, ModelCall, RoutingPolicy, ThresholdChange, Triage
from routing.pairs import PLACES, Pair, PairSet, arrays, blocked, forced, tier1_entry, wilson

DEFAULT_LAST = 500
TABLE_EVERY = 5  # a table row every 0.05; the chart has all 101 thresholds
CENTS = Decimal("0.01")


def threshold_value(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


@dataclass
class Curve:
    thresholds: np.ndarray
    risk: np.ndarray
    low: np.ndarray
    high: np.ndarray
    escalation: np.ndarray
    cost: list[Decimal]  # per tier-1 decision
    n: int
    n_eff: float

    def at(self, threshold) -> dict:
        i = int(round(float(threshold) * 100))
        return {
            "threshold": threshold_value(self.thresholds[i]),
            "risk": float(self.risk[i]),
            "low": float(self.low[i]),
            "high": float(self.high[i]),
            "escalation": float(self.escalation[i]),
            "cost": self.cost[i],
        }

    def table(self) -> list[dict]:
        return [self.at(t) for t in self.thresholds[::TABLE_EVERY]]


def curve(pairs: list[Pair], *, tier1_cost: Decimal, tier2_cost: Decimal) -> Curve:
    conf, wrong, weights = arrays(pairs)
    risk, escalation = calibration.miss_curve(conf, wrong, weights=weights)
    n_eff = calibration.effective_n(weights) if len(pairs) else 0.0
    low, high = wilson(risk, n_eff)
    cost = [
        (tier1_cost + tier2_cost * Decimal(f"{rate:.6f}")).quantize(PLACES, ROUND_HALF_UP)
        for rate in escalation
    ]
    return Curve(calibration.THRESHOLDS, risk, low, high, escalation, cost, len(pairs), n_eff)


@dataclass
class Scope:
    """The advice for every lead (slug None) or for one tier-1 category."""

    slug: str | None
    name: str
    current: Decimal  # the threshold in force for it
    curve: Curve
    needed: int  # effective pairs below which no threshold can pass
    choice: calibration.ThresholdChoice | None
    configured: Decimal | None = None  # a category's own threshold (None: the policy's)

    @property
    def enough(self) -> bool:
        return self.curve.n_eff >= self.needed

    @property
    def advised(self) -> Decimal | None:
        return threshold_value(self.choice.threshold) if self.choice else None

    @property
    def now(self) -> dict:
        return self.curve.at(self.current)

    @property
    def then(self) -> dict | None:
        return self.curve.at(self.advised) if self.choice else None


@dataclass
class Advice:
    alpha: float
    pairs: PairSet
    policy: RoutingPolicy
    overall: Scope
    categories: list[Scope] = field(default_factory=list)

    @property
    def without_pairs(self) -> list[str]:
        return [scope.name for scope in self.categories if not scope.curve.n]

    def proposal(self) -> "Proposal | None":
        """The thresholds to apply, or None when nothing is advised."""
        if self.overall.advised is None:
            return None
        threshold = self.overall.advised
        by_category = {}
        for scope in self.categories:
            advised = scope.advised
            by_category[scope.slug] = None if advised == threshold else advised
        return Proposal(threshold=threshold, categories=by_category)

    def evidence(self) -> dict:
        pairs = self.pairs
        choice = self.overall.choice
        return {
            "pairs": len(pairs.pairs),
            "effective_n": round(self.overall.curve.n_eff, 1),
            "escalation_pairs": sum(p.source == "escalation" for p in pairs.pairs),
            "audit_pairs": sum(p.source == "audit" for p in pairs.pairs),
            "corrected": sum(p.corrected for p in pairs.pairs),
            "decided": pairs.decided,
            "audit_rate": round(pairs.audit_rate, 4),
            "risk": round(choice.risk, 4) if choice else None,
            "bound": round(choice.bound, 4) if choice else None,
            "escalation_rate": round(choice.escalation_rate, 4) if choice else None,
        }


@dataclass(frozen=True)
class Proposal:
    threshold: Decimal
    categories: dict  # slug: Decimal, or None for the policy's threshold

    def for_category(self, slug: str) -> Decimal:
        value = self.categories.get(slug)
        return self.threshold if value is None else value

    def fields(self) -> dict[str, str]:
        """The proposal as form values, so Apply can tell whether the evidence moved."""
        values = {"threshold": str(self.threshold)}
        for slug, value in sorted(self.categories.items()):
            values[f"category_{slug}"] = "" if value is None else str(value)
        return values


def tunable_categories() -> list[Category]:
    """Categories a threshold applies to: active, and not escalated whatever the confidence."""
    return list(Category.objects.filter(is_active=True, always_escalate=False))


def advise(*, pairs: PairSet, alpha: float, policy: RoutingPolicy) -> Advice:
    needed = calibration.minimum_items(alpha)
    costs = {"tier1_cost": pairs.tier1_cost, "tier2_cost": pairs.tier2_cost}

    def scope(slug, name, subset, current, configured=None):
        conf, wrong, weights = arrays(subset)
        choice = None
        if subset and calibration.effective_n(weights) >= needed:
            choice = calibration.choose_threshold(conf, wrong, alpha=alpha, weights=weights)
        return Scope(
            slug, name, current, curve(subset, **costs), needed, choice, configured=configured
        )

    overall = scope(None, "All categories", pairs.pairs, policy.confidence_threshold)
    advice = Advice(alpha=alpha, pairs=pairs, policy=policy, overall=overall)
    for category in tunable_categories():
        current = category.confidence_threshold
        advice.categories.append(
            scope(
                category.slug,
                category.name,
                pairs.subset(category.slug),
                policy.confidence_threshold if current is None else current,
                configured=current,
            )
        )
    return advice


# --- What a change would do ----------------------------------------------------------------


@dataclass
class Change:
    triage: Triage
    category: str  # its name
    confidence: float
    now: Decimal
    new: Decimal
    escalated_now: bool
    cost: Decimal  # what the change adds (+) or saves (-)


@dataclass
class Preview:
    considered: int = 0
    escalated_now: int = 0
    gained: int = 0
    lost: int = 0
    cost_now: Decimal = Decimal("0")
    cost_delta: Decimal = Decimal("0")
    changes: list[Change] = field(default_factory=list)
    tier2_cost: Decimal = Decimal("0")

    @property
    def escalated_new(self) -> int:
        return self.escalated_now + self.gained - self.lost

    @property
    def cost_new(self) -> Decimal:
        return self.cost_now + self.cost_delta


def preview(
    proposal: Proposal, *, policy: RoutingPolicy, tier2_cost: Decimal, last: int = DEFAULT_LAST
) -> Preview:
    """What the proposal would change on the last `last` leads tier 1 decided or escalated,
    against the thresholds in force now: each decision that would go the other way, with its
    cost (the escalation's recorded cost when the lead had one, else the period's mean
    escalation). Leads escalated for another reason, or held by a cap, stay as they are."""
    names = dict(Category.objects.values_list("slug", "name"))
    thresholds = {
        slug: (policy.confidence_threshold if value is None else value)
        for slug, value in Category.objects.values_list("slug", "confidence_threshold")
    }
    triages = list(
        Triage.objects.filter(
            decided_at__isnull=False, provisional=False, injection_suspected=False, tier__gte=1
        )
        .select_related("lead")
        .order_by("-lead__received_at", "-lead_id")
        .only(
            "lead__subject",
            "lead__received_at",
            "lead__status",
            "tier",
            "model",
            "escalated",
            "escalation_reasons",
            "outputs",
            "category",
        )[:last]
    )
    costs = dict(
        ModelCall.objects.filter(lead_id__in=[t.lead_id for t in triages])
        .values_list("lead_id")
        .annotate(total=Sum("cost_usd"))
        .values_list("lead_id", "total")
    )
    escalation_costs = dict(
        ModelCall.objects.filter(
            lead_id__in=[t.lead_id for t in triages],
            tier__gte=2,
            purpose__in=("escalation", "retry"),
        )
        .values_list("lead_id")
        .annotate(total=Sum("cost_usd"))
        .values_list("lead_id", "total")
    )
    result = Preview(tier2_cost=tier2_cost)
    for triage in triages:
        first = tier1_entry(triage.outputs)
        if first is None:
            continue
        result.considered += 1
        result.cost_now += costs.get(triage.lead_id) or Decimal("0")
        reasons = triage.escalation_reasons
        if blocked(reasons) or forced(reasons):
            result.escalated_now += triage.escalated
            continue  # decided by something other than the threshold
        slug = str(first.get("category") or "")
        confidence = Decimal(str(first.get("confidence") or 0))  # as routing.tiers compares
        now = thresholds.get(slug, policy.confidence_threshold)
        new = proposal.for_category(slug)
        escalated_now, escalated_new = confidence < now, confidence < new
        result.escalated_now += escalated_now
        if escalated_now == escalated_new:
            continue
        # What its escalation cost when it had one, else what one costs on average.
        price = (escalation_costs.get(triage.lead_id) if triage.escalated else None) or tier2_cost
        if escalated_new:
            result.gained += 1
            delta = price
        else:
            result.lost += 1
            delta = -price
        result.cost_delta += delta
        result.changes.append(
            Change(triage, names.get(slug, slug), float(confidence), now, new, escalated_now, delta)
        )
    return result


# --- Applying it -----------------------------------------------------------------------------


def apply_thresholds(
    *, proposal: Proposal, alpha: Decimal, user, evidence: dict
) -> ThresholdChange:
    """Write the proposal to the active policy and the categories, set the policy's alpha,
    and record who changed what (a ThresholdChange, and the admin's LogEntry)."""
    with transaction.atomic():
        policy = (
            RoutingPolicy.objects.select_for_update().filter(is_active=True).order_by("pk").first()
        )
        if policy is None:
            raise RoutingPolicy.DoesNotExist("no active routing policy")
        old = policy.confidence_threshold
        policy.confidence_threshold = proposal.threshold
        policy.quality_alpha = alpha
        policy.save(update_fields=["confidence_threshold", "quality_alpha", "updated_at"])
        changed = []
        categories = Category.objects.select_for_update().filter(slug__in=proposal.categories)
        for category in categories:
            new = proposal.categories[category.slug]
            if new == category.confidence_threshold:
                continue
            changed.append(
                {
                    "slug": category.slug,
                    "name": category.name,
                    "old": _text(category.confidence_threshold),
                    "new": _text(new),
                }
            )
            category.confidence_threshold = new
            category.save(update_fields=["confidence_threshold"])
        record = ThresholdChange.objects.create(
            policy=policy,
            user=user,
            alpha=alpha,
            old_threshold=old,
            new_threshold=proposal.threshold,
            categories=changed,
            evidence=evidence,
        )
        message = f"Threshold advice applied (alpha {alpha}): confidence threshold {old} → " + (
            f"{proposal.threshold}"
        )
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[policy], action_flag=CHANGE, change_message=message
        )
        if changed:
            moved = [c for c in categories if c.slug in {row["slug"] for row in changed}]
            LogEntry.objects.log_actions(
                user_id=user.pk,
                queryset=moved,
                action_flag=CHANGE,
                change_message="Confidence threshold set by threshold advice",
            )
    return record


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
