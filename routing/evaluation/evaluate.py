"""The whole replay report: curve, baselines, RouteLLM's summaries, the calibrated thresholds
and what they achieve on held-out messages. Pure: arrays in, a JSON-able dict out.

Calibration (`routing.calibration`, conformal risk control): a seeded split, stratified by
label category, into a calibration part (`calibration_share`) and a test part. On the
calibration part `choose_threshold` picks the cheapest global threshold whose bound on the
miss rate is at most alpha, and one per category (by tier 1's category, which is what the
policy's per-category thresholds key on) where the category has at least
`minimum_items(alpha)` calibration items, else the global one. Messages production escalates
whatever the threshold enter with confidence −1: never accepted, so never a miss.
"""

import numpy as np

from routing.calibration import THRESHOLDS, choose_threshold, minimum_items
from routing.evaluation import replay as rp

RANDOM_DRAWS = 200


def evaluate(
    data: rp.Replay,
    *,
    alpha: float,
    seed: int = 0,
    calibration_share: float = 0.5,
    high_value: float | None = None,
    rounds: int = 1000,
    policy_thresholds: tuple[float, dict[str, float]] | None = None,
) -> dict:
    n = len(data)
    weights = rp.bootstrap_weights(n, rounds=rounds, seed=seed) if n else np.zeros((rounds, 0))
    points = rp.curve(data, weights, high_value=high_value) if n else []
    acc1, acc2 = rp.tier_accuracies(data)
    report = {
        "set": {
            "messages": n,
            "skipped": data.skipped,
            "tier1_accuracy": acc1,
            "tier2_accuracy": acc2,
            "high_value_at_least": high_value,
            "bootstrap_rounds": rounds,
            "seed": seed,
        },
        "curve": points,
        "router": rp.apgr_cpt(points),
        "baselines": baselines(data, weights, high_value=high_value, seed=seed),
    }
    chosen = calibrate(data, alpha=alpha, seed=seed, share=calibration_share)
    report["chosen"] = chosen["chosen"]
    report["test"] = test_report(data, chosen, high_value=high_value, seed=seed, rounds=rounds)
    if chosen["limits"] is not None and n:
        mask = rp.escalated(data, thresholds_for(data, *chosen["limits"])[None, :])[0]
        # In-sample (the calibration part included): where the choice sits on the curve.
        report["chosen"]["point"] = rp.point(
            data, mask, weights, high_value=high_value, name="chosen (whole set)"
        )
        report["baselines"]["random"] = random_at(
            data, float(mask.mean()), high_value=high_value, seed=seed
        )
    if policy_thresholds is not None:
        limits = thresholds_for(data, *policy_thresholds)
        mask = rp.escalated(data, limits[None, :])[0]
        report["baselines"]["policy"] = {
            **rp.point(data, mask, weights, high_value=high_value, name="policy now"),
            "threshold": policy_thresholds[0],
        }
        if "random" not in report["baselines"] and n:
            # Nothing chosen: random escalation at the rate the policy's thresholds give.
            report["baselines"]["random"] = random_at(
                data, float(mask.mean()), high_value=high_value, seed=seed
            )
    report["per_category"] = per_category(data, report, chosen)
    return report


def thresholds_for(data: rp.Replay, default: float, by_category: dict[str, float]) -> np.ndarray:
    """A threshold per message: its tier-1 category's, else the default."""
    limits = np.full(len(data), float(default))
    for slug, value in by_category.items():
        if slug in data.categories:
            limits[data.t1 == data.categories.index(slug)] = float(value)
    return limits


def baselines(data: rp.Replay, weights, *, high_value, seed: int) -> dict:
    n = len(data)
    if not n:
        return {}
    none = np.zeros(n, dtype=bool)
    oracle = data.wrong1.copy()  # escalate exactly what tier 1 gets wrong
    return {
        "all_tier1": rp.point(data, none, weights, high_value=high_value, name="all tier 1"),
        "all_tier2": all_tier2(data, weights, high_value=high_value),
        "oracle": rp.point(data, oracle, weights, high_value=high_value, name="oracle"),
    }


def all_tier2(data: rp.Replay, weights, *, high_value) -> dict:
    """Every message to tier 2 and none to tier 1: the cost share's denominator, so 100%."""
    every = np.ones(len(data), dtype=bool)
    out = rp.point(data, every, weights, high_value=high_value, name="all tier 2")
    out["cost_share"] = 1.0 if data.cost2.sum() > 0 else None
    return out


def random_at(data: rp.Replay, rate: float, *, high_value, seed: int) -> dict:
    """Random escalation of the same share of messages, averaged over seeded draws."""
    n = len(data)
    count = int(round(rate * n))
    rng = np.random.default_rng(seed + 1)
    masks = np.zeros((RANDOM_DRAWS, n), dtype=bool)
    order = np.argsort(rng.random((RANDOM_DRAWS, n)), axis=1)[:, :count]
    np.put_along_axis(masks, order, True, axis=1)
    category, lead = rp.routed(data, masks)
    values = rp.metrics(data, category, lead, masks, high_value=high_value)
    out = {"name": f"random {rate:.1%}", "draws": RANDOM_DRAWS}
    for key, array in values.items():
        finite = array[np.isfinite(array)]
        out[key] = float(finite.mean()) if len(finite) else None
    out["miss_rate"] = float((~masks & data.wrong1[None, :]).mean())
    return out


def split(data: rp.Replay, *, seed: int, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Seeded calibration / test indices, stratified by label category."""
    if not 0 < share < 1:
        raise ValueError(f"the calibration share must be between 0 and 1, not {share}")
    rng = np.random.default_rng(seed)
    calibration, test = [], []
    for code in np.unique(data.label):
        members = rng.permutation(np.flatnonzero(data.label == code))
        cut = int(round(share * len(members)))
        calibration.append(members[:cut])
        test.append(members[cut:])
    join = lambda parts: np.sort(np.concatenate(parts)) if parts else np.array([], int)  # noqa: E731
    return join(calibration), join(test)


def calibrate(data: rp.Replay, *, alpha: float, seed: int, share: float) -> dict:
    calibration, test = split(data, seed=seed, share=share)
    part = data.subset(calibration)
    conf = np.where(part.forced, -1.0, part.conf)
    wrong = part.wrong1
    needed = minimum_items(alpha)
    chosen = {
        "alpha": alpha,
        "seed": seed,
        "calibration_share": share,
        "calibration_items": len(part),
        "test_items": len(test),
        "minimum_items": needed,
        "global": None,
        "per_category": {},
    }
    found = choose_threshold(conf, wrong, alpha=alpha) if len(part) else None
    if found is None:
        chosen["note"] = (
            f"no threshold keeps the bound at alpha {alpha} with {len(part)} calibration items"
            f" (at least {needed} are needed, and few enough misses)"
        )
        return {"chosen": chosen, "calibration": calibration, "test": test, "limits": None}
    chosen["global"] = _choice(found)
    for code, slug in enumerate(data.categories):
        members = part.t1 == code
        if members.sum() < needed:
            continue
        own = choose_threshold(conf[members], wrong[members], alpha=alpha)
        if own is not None:
            chosen["per_category"][slug] = _choice(own)
    by_category = {slug: c["threshold"] for slug, c in chosen["per_category"].items()}
    return {
        "chosen": chosen,
        "calibration": calibration,
        "test": test,
        "limits": (found.threshold, by_category),
    }


def _choice(found) -> dict:
    return {
        "threshold": found.threshold,
        "risk": found.risk,
        "bound": found.bound,
        "escalation_rate": found.escalation_rate,
        "n": found.n,
    }


def test_report(data: rp.Replay, chosen: dict, *, high_value, seed: int, rounds: int) -> dict:
    """The calibrated thresholds on the held-out part: what they actually achieve."""
    if chosen["limits"] is None or not len(chosen["test"]):
        return {"items": int(len(chosen["test"])), "chosen": None}
    part = data.subset(chosen["test"])
    weights = rp.bootstrap_weights(len(part), rounds=rounds, seed=seed + 2)
    default, by_category = chosen["limits"]
    global_mask = rp.escalated(part, np.array([default]))[0]
    mask = rp.escalated(part, thresholds_for(part, default, by_category)[None, :])[0]
    out = {
        "items": len(part),
        "alpha": chosen["chosen"]["alpha"],
        "global": rp.point(part, global_mask, weights, high_value=high_value, name="global"),
        "chosen": rp.point(part, mask, weights, high_value=high_value, name="chosen"),
        "all_tier2": all_tier2(part, weights, high_value=high_value),
    }
    # The paired loss against all-tier-2 on the same resamples (positive: the router is worse).
    correct = (rp.routed(part, mask)[0] == part.label).astype(np.float32)
    strong = (rp.routed(part, np.ones(len(part), bool))[0] == part.label).astype(np.float32)
    loss = (strong - correct) @ weights.T / len(part)
    out["accuracy_loss"] = float((strong - correct).mean())
    out["accuracy_loss_interval"] = [float(x) for x in np.percentile(loss, [2.5, 97.5])]
    out["miss_rate"] = out["chosen"]["miss_rate"]
    out["miss_rate_within_alpha"] = out["miss_rate"] <= chosen["chosen"]["alpha"]
    out["random"] = random_at(
        part, out["chosen"]["escalation_rate"], high_value=high_value, seed=seed
    )
    return out


def per_category(data: rp.Replay, report: dict, chosen: dict) -> dict:
    """By label category: size, each tier's accuracy, and the router at the chosen
    thresholds (on the whole set) and along the threshold grid."""
    if not len(data):
        return {}
    if chosen["limits"] is not None:
        limits = thresholds_for(data, *chosen["limits"])
    else:
        limits = np.full(len(data), 1.0)
    mask = rp.escalated(data, limits[None, :])[0]
    category, _ = rp.routed(data, mask)
    grid = rp.escalated(data, THRESHOLDS)
    grid_category, _ = rp.routed(data, grid)
    grid_correct = grid_category == data.label[None, :]
    all2 = rp.routed(data, np.ones(len(data), bool))[0]
    out = {}
    for code, slug in enumerate(data.categories):
        members = data.label == code
        if not members.any():
            continue
        cost2 = data.cost2[members].sum()
        cost = data.cost1[members].sum() + data.cost2[members & mask].sum()
        own = chosen["chosen"]["per_category"].get(slug)
        out[slug] = {
            "n": int(members.sum()),
            "tier1_accuracy": float((data.t1[members] == code).mean()),
            "tier2_accuracy": float((all2[members] == code).mean()),
            "threshold": own["threshold"] if own else (chosen["limits"] or [None])[0],
            "escalation_rate": float(mask[members].mean()),
            "accuracy": float((category[members] == code).mean()),
            "cost_share": float(cost / cost2) if cost2 > 0 else None,
            "curve": [
                {
                    "threshold": float(t),
                    "escalation_rate": float(grid[i, members].mean()),
                    "accuracy": float(grid_correct[i, members].mean()),
                }
                for i, t in enumerate(THRESHOLDS)
            ],
        }
    return out
