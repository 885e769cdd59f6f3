"""Choosing the confidence threshold by conformal risk control: pure, shared by
`evaluate_router` (labelled sets), the threshold advice page (production pairs) and the
benchmark.

A message is a *miss* at threshold t when tier 1 was accepted (its confidence ≥ t) and
tier 1 was wrong: the loss L_i(t) = 1[conf_i ≥ t and wrong_i] is in [0, 1] and never grows
with t. Conformal risk control (Angelopoulos et al., "Conformal Risk Control", 2022) picks

    t̂ = inf { t : n/(n+1) · R̂_n(t) + 1/(n+1) ≤ α }

and then E[L_{n+1}(t̂)] ≤ α on a new message exchangeable with the calibration ones. The
smallest such t escalates least, so it is also the cheapest threshold that keeps the bound.

Production pairs are not exchangeable as drawn: shadow audits sample confident decisions at
an audit rate, so each carries weight 1/rate. With weights, R̂ is the weighted mean and n is
Kish's effective sample size (Σw)²/Σw², which is n again when every weight is 1.
"""

from dataclasses import dataclass

import numpy as np

# 0.00, 0.01, …, 1.00: what the policy's threshold field can hold at two decimals.
THRESHOLDS = np.round(np.linspace(0.0, 1.0, 101), 2)


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    risk: float  # R̂ at the threshold: the (weighted) share of misses on the calibration items
    bound: float  # n/(n+1)·R̂ + 1/(n+1), at most alpha
    escalation_rate: float  # (weighted) share of items below the threshold
    n: float  # effective number of calibration items


def effective_n(weights: np.ndarray) -> float:
    total = float(weights.sum())
    return total * total / float((weights * weights).sum()) if total else 0.0


def minimum_items(alpha: float) -> int:
    """Fewest items for which any threshold can pass: even a risk of 0 bounds at 1/(n+1)."""
    return max(1, int(np.ceil(1.0 / alpha - 1.0)))


def miss_curve(
    confidences, wrong, *, thresholds=THRESHOLDS, weights=None
) -> tuple[np.ndarray, np.ndarray]:
    """The (weighted) miss rate and escalation rate at every threshold, vectorised."""
    conf = np.asarray(confidences, dtype=float)
    bad = np.asarray(wrong, dtype=bool)
    w = np.ones_like(conf) if weights is None else np.asarray(weights, dtype=float)
    total = w.sum()
    if not len(conf) or total <= 0:
        zeros = np.zeros(len(thresholds))
        return zeros, zeros
    accepted = conf[None, :] >= np.asarray(thresholds, dtype=float)[:, None]
    misses = (accepted & bad[None, :]) @ w / total
    escalated = (~accepted) @ w / total
    return misses, escalated


def choose_threshold(
    confidences, wrong, *, alpha: float, thresholds=THRESHOLDS, weights=None
) -> ThresholdChoice | None:
    """The cheapest threshold whose conformal bound on the miss rate is at most alpha, or None
    when there are too few items for any threshold to pass (see `minimum_items`)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    w = np.ones(len(confidences)) if weights is None else np.asarray(weights, dtype=float)
    n = effective_n(w)
    if n <= 0:
        return None
    risks, escalated = miss_curve(confidences, wrong, thresholds=thresholds, weights=w)
    bounds = n / (n + 1) * risks + 1 / (n + 1)
    passing = np.flatnonzero(bounds <= alpha)
    if not len(passing):
        return None
    i = int(passing[0])
    return ThresholdChoice(
        threshold=float(thresholds[i]),
        risk=float(risks[i]),
        bound=float(bounds[i]),
        escalation_rate=float(escalated[i]),
        n=n,
    )
