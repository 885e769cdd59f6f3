"""Quality beside cost: tier 1's estimated accuracy, the live miss rate against the policy's
alpha, the drift check that raises an alert, and the dashboard's quality panel.

The estimates are routing.pairs' weighted ones. The live miss rate is the last 7 days' share
of tier-1 decisions accepted at the thresholds in force now (the policy's, or a category's
own) and wrong, with a 95% Wilson interval on the effective number of pairs.

The drift check (`check_drift`, scheduled hourly) raises an alert when that interval's upper
bound is over alpha, and only when the evidence can tell: with fewer effective pairs than
`pairs.items_for_bound(alpha)` even a spotless week has an upper bound over alpha, so the
check says "not enough evidence" instead of alerting for ever, unless the lower bound itself
is over alpha. An alert stays on the dashboard until someone acknowledges it; while it is
open the check updates its figures instead of adding rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from routing import calibration, pairs
from routing.models import Category, ModelCall, QualityAlert, RoutingPolicy

WINDOW = timedelta(days=7)
EVALUATION = "evaluation"  # ModelCall.purpose of evaluate_router's calls


def active_policy() -> RoutingPolicy:
    return RoutingPolicy.objects.filter(is_active=True).order_by("pk").first() or RoutingPolicy()


@dataclass(frozen=True)
class Estimate:
    rate: float | None
    low: float
    high: float
    pairs: int
    effective_n: float
    needed: int  # effective pairs for the bound to be able to reach alpha

    @property
    def conclusive(self) -> bool:
        return self.effective_n >= self.needed


def estimate(values: np.ndarray, weights: np.ndarray, *, alpha: float) -> Estimate:
    """The weighted mean of 0/1 values with its Wilson interval."""
    n = calibration.effective_n(weights) if len(weights) else 0.0
    rate = float(values @ weights / weights.sum()) if len(weights) and weights.sum() else None
    low, high = pairs.wilson(rate or 0.0, n)
    return Estimate(rate, float(low), float(high), len(weights), n, pairs.items_for_bound(alpha))


def accuracy(found: pairs.PairSet, *, alpha: float) -> Estimate:
    """Tier 1's estimated accuracy over every decision it drafted (category and is_lead)."""
    _, wrong, weights = pairs.arrays(found.pairs)
    return estimate((~wrong).astype(float), weights, alpha=alpha)


def miss_rate_in_force(found: pairs.PairSet, policy: RoutingPolicy, *, alpha: float) -> Estimate:
    """The miss rate at the thresholds in force now, per each pair's tier-1 category."""
    own = dict(Category.objects.values_list("slug", "confidence_threshold")) if found.pairs else {}
    conf, wrong, weights = pairs.arrays(found.pairs)
    in_force = [own.get(p.category) for p in found.pairs]
    threshold = np.array(
        [float(policy.confidence_threshold if t is None else t) for t in in_force], dtype=float
    )
    missed = ((conf >= threshold) & wrong).astype(float)
    return estimate(missed, weights, alpha=alpha)


def live(now: datetime | None = None, policy: RoutingPolicy | None = None) -> dict:
    now = now or timezone.now()
    policy = policy or active_policy()
    alpha = float(policy.quality_alpha)
    found = pairs.collect(
        since=now - WINDOW, until=now, policy_rate=policy.shadow_audit_rate, costs=False
    )
    miss = miss_rate_in_force(found, policy, alpha=alpha)
    over = miss.rate is not None and ((miss.high > alpha and miss.conclusive) or miss.low > alpha)
    return {
        "since": now - WINDOW,
        "until": now,
        "alpha": policy.quality_alpha,
        "miss": miss,
        "over": over,
        "found": found,
    }


def check_drift(now: datetime | None = None) -> QualityAlert | None:
    """Raise (or refresh) the open alert when the last 7 days' miss rate crossed alpha."""
    now = now or timezone.now()
    policy = RoutingPolicy.objects.filter(is_active=True).order_by("pk").first()
    if policy is None:
        return None
    result = live(now, policy)
    if not result["over"]:
        return None
    miss = result["miss"]
    figures = {
        "checked_at": now,
        "window_start": result["since"],
        "window_end": now,
        "alpha": policy.quality_alpha,
        "estimate": miss.rate,
        "lower": miss.low,
        "upper": miss.high,
        "pairs": miss.pairs,
        "effective_n": miss.effective_n,
    }
    try:
        with transaction.atomic():
            alert, _ = QualityAlert.objects.update_or_create(
                policy=policy, acknowledged_at__isnull=True, defaults=figures
            )
    except IntegrityError:  # a concurrent check opened it first: refresh that one
        alert = QualityAlert.objects.get(policy=policy, acknowledged_at__isnull=True)
        QualityAlert.objects.filter(pk=alert.pk).update(**figures)
    return alert


def acknowledge(alert_id: int, *, user) -> bool:
    return bool(
        QualityAlert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=user
        )
    )


def spend_apart(since: datetime, until: datetime) -> dict:
    """Calls made in the range: evaluation (evaluate_router) apart from triage's own."""
    sums = ModelCall.objects.filter(created_at__gte=since, created_at__lt=until).aggregate(
        evaluation=Sum("cost_usd", filter=Q(purpose=EVALUATION)),
        triage=Sum("cost_usd", filter=~Q(purpose=EVALUATION)),
    )
    return {key: value or Decimal("0") for key, value in sums.items()}


def panel(rng, now: datetime | None = None, policy: RoutingPolicy | None = None) -> dict:
    """The dashboard's quality panel for the dashboard's range (routing.dashboard.Range):
    four queries when there are no pairs, a few more when there are."""
    policy = policy or active_policy()
    alpha = float(policy.quality_alpha)
    found = pairs.collect(
        since=rng.since, until=rng.until, policy_rate=policy.shadow_audit_rate, costs=False
    )
    return {
        "policy": policy,
        "pairs": found,
        "accuracy": accuracy(found, alpha=alpha),
        "live": live(now, policy),
        "alert": QualityAlert.objects.filter(acknowledged_at__isnull=True)
        .order_by("-created_at")
        .first(),
        "spend": spend_apart(rng.since, rng.until),
    }
