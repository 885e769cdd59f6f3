"""`evaluate_router --replay`: a recording and its labels as arrays, and the router's quality
and cost at every threshold, without a call to anything (RouterBench's record-once, replay
offline).

The rule replayed is production's (`routing.services.decide`, `routing.tiers`): at threshold
t a message goes to tier 2 when tier 1's confidence is under t, or when production escalates
it whatever the threshold (tier 1 failed the contract or refused, asked for escalation, an
always-escalate category, company size or budget at the policy's limits, a long input: the
`escalate` reasons recorded with tier 1's answer). An escalated message takes tier 2's
answer; when tier 2 gave none, tier 1's stands (production's `escalation_failed`), and with
neither the message counts as wrong. Caps, the daily budget and injection holds are not
replayed.

A message is *wrong* at a tier when its category or its is_lead differs from the label (or
there is no valid answer); a *miss* is a message tier 1 decided (not escalated) wrongly.
"""

from dataclasses import dataclass

import numpy as np

from routing.calibration import THRESHOLDS

NO_ANSWER = -1


@dataclass
class Replay:
    files: list[str]
    categories: list[str]  # the codes' slugs
    label: np.ndarray  # category code per message
    label_lead: np.ndarray  # bool
    value: np.ndarray  # value_usd, nan when unknown
    t1: np.ndarray  # tier 1's category code, NO_ANSWER when invalid
    t1_lead: np.ndarray
    conf: np.ndarray  # tier 1's confidence (0 when invalid)
    forced: np.ndarray  # escalated at every threshold
    t2: np.ndarray
    t2_lead: np.ndarray
    cost1: np.ndarray  # USD, float: shares only (the recorded Decimal strings stay exact)
    cost2: np.ndarray
    skipped: dict  # why messages of the set are not in the arrays: {reason: count}

    def __len__(self) -> int:
        return len(self.files)

    @property
    def wrong1(self) -> np.ndarray:
        return (self.t1 != self.label) | (self.t1_lead != self.label_lead) | (self.t1 < 0)

    def subset(self, index: np.ndarray) -> "Replay":
        picked = {
            name: getattr(self, name)[index]
            for name in (
                "label",
                "label_lead",
                "value",
                "t1",
                "t1_lead",
                "conf",
                "forced",
                "t2",
                "t2_lead",
                "cost1",
                "cost2",
            )
        }
        files = [self.files[i] for i in np.asarray(index)]
        return Replay(files=files, categories=self.categories, skipped=self.skipped, **picked)


def build(lines: list[dict], labelled) -> Replay:
    """Arrays from a recording's lines and the labelled set (only messages with both tiers)."""
    results: dict[tuple[str, int], dict] = {}
    filtered = set()
    for line in lines:
        if line.get("kind") == "result":
            results[(line["file"], int(line["tier"]))] = line
        elif line.get("kind") == "filtered":
            filtered.add(line["file"])
    categories = sorted(set(labelled.categories) | {item.category for item in labelled.items})
    code = {slug: i for i, slug in enumerate(categories)}
    rows = []
    skipped = {"filtered by the hygiene gate": 0, "not recorded at both tiers": 0}
    for item in labelled.items:
        if item.file in filtered:
            skipped["filtered by the hygiene gate"] += 1
            continue
        first, second = results.get((item.file, 1)), results.get((item.file, 2))
        if first is None or second is None:
            skipped["not recorded at both tiers"] += 1
            continue
        rows.append((item, first, second))
    n = len(rows)

    def answer(line):
        output = line.get("output")
        if not output:
            return NO_ANSWER, False, 0.0
        return (
            code.get(output["category"], NO_ANSWER),
            bool(output["is_lead"]),
            output["confidence"],
        )

    def cost(line):
        return float(line["cost_usd"]) if line.get("cost_usd") is not None else 0.0

    arrays = {
        name: np.zeros(n, dtype=dtype)
        for name, dtype in (
            ("label", int),
            ("label_lead", bool),
            ("value", float),
            ("t1", int),
            ("t1_lead", bool),
            ("conf", float),
            ("forced", bool),
            ("t2", int),
            ("t2_lead", bool),
            ("cost1", float),
            ("cost2", float),
        )
    }
    for i, (item, first, second) in enumerate(rows):
        arrays["label"][i] = code[item.category]
        arrays["label_lead"][i] = item.is_lead
        arrays["value"][i] = float(item.value_usd) if item.value_usd is not None else np.nan
        arrays["t1"][i], arrays["t1_lead"][i], arrays["conf"][i] = answer(first)
        arrays["forced"][i] = bool(first.get("escalate")) or arrays["t1"][i] < 0
        arrays["t2"][i], arrays["t2_lead"][i], _ = answer(second)
        arrays["cost1"][i], arrays["cost2"][i] = cost(first), cost(second)
    return Replay(
        files=[item.file for item, _, _ in rows],
        categories=categories,
        skipped={k: v for k, v in skipped.items() if v},
        **arrays,
    )


# --- the router at given thresholds ---------------------------------------------------------


def escalated(replay: Replay, thresholds: np.ndarray) -> np.ndarray:
    """T × n: whether each message goes to tier 2 at each threshold. `thresholds` is (T,) for
    one threshold per row, or (T, n) for a threshold per message (per-category ones)."""
    limits = np.asarray(thresholds, dtype=float)
    if limits.ndim == 1:
        limits = limits[:, None]
    return (replay.conf[None, :] < limits) | replay.forced[None, :]


def routed(replay: Replay, escalate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(category code, is_lead) the router decides, for escalation masks of any shape."""
    use2 = escalate & (replay.t2 >= 0)
    return np.where(use2, replay.t2, replay.t1), np.where(use2, replay.t2_lead, replay.t1_lead)


def metrics(replay: Replay, category, lead, escalate, *, high_value: float | None) -> dict:
    """Point metrics for T decisions at once (arrays T × n); each value an array of T."""
    category = np.atleast_2d(category)
    lead = np.atleast_2d(lead)
    escalate = np.atleast_2d(escalate)
    n = len(replay)
    correct = category == replay.label[None, :]
    k = len(replay.categories)
    t = category.shape[0]
    # Confusion counts per row: one bincount over (row, label, prediction + 1).
    index = (np.arange(t)[:, None] * k + replay.label[None, :]) * (k + 1) + (category + 1)
    confusion = np.bincount(index.ravel(), minlength=t * k * (k + 1)).reshape(t, k, k + 1)
    tp = confusion[:, np.arange(k), np.arange(k) + 1]
    support = confusion.sum(axis=2)
    predicted = confusion[:, :, 1:].sum(axis=1)
    present = support[0] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
    macro_f1 = f1[:, present].mean(axis=1) if present.any() else np.zeros(t)
    lead_tp = (lead & replay.label_lead[None, :]).sum(axis=1)
    lead_pred = lead.sum(axis=1)
    lead_true = replay.label_lead.sum()
    total2 = replay.cost2.sum()
    cost = replay.cost1.sum() + escalate.astype(float) @ replay.cost2
    out = {
        "escalation_rate": escalate.mean(axis=1) if n else np.zeros(t),
        "cost_share": cost / total2 if total2 > 0 else np.full(t, np.nan),
        "accuracy": correct.mean(axis=1) if n else np.zeros(t),
        "macro_f1": macro_f1,
        "lead_precision": np.where(lead_pred > 0, lead_tp / np.maximum(lead_pred, 1), np.nan),
        "lead_recall": lead_tp / lead_true if lead_true else np.full(t, np.nan),
        "high_value_recall": np.full(t, np.nan),
    }
    if high_value is not None:
        big = replay.label_lead & (replay.value >= high_value)
        if big.any():
            out["high_value_recall"] = (lead & big[None, :]).sum(axis=1) / big.sum()
    return out


METRICS = ("accuracy", "macro_f1", "lead_precision", "lead_recall", "high_value_recall")


def bootstrap_weights(n: int, *, rounds: int, seed: int) -> np.ndarray:
    """rounds × n resampling counts (each row sums to n): the same resamples for every
    router compared, so differences are paired."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(rounds, n)) + np.arange(rounds)[:, None] * n
    return np.bincount(draws.ravel(), minlength=rounds * n).reshape(rounds, n).astype(np.float32)


def intervals(replay: Replay, category, lead, weights, *, high_value) -> dict:
    """95% percentile intervals of every metric for one decision vector, from resample
    counts (`bootstrap_weights`)."""
    n = len(replay)
    if not n:
        return {name: None for name in METRICS}
    k = len(replay.categories)
    label_hot = np.eye(k, dtype=np.float32)[replay.label]  # n × k
    pred_hot = np.zeros((n, k), dtype=np.float32)
    valid = category >= 0
    pred_hot[np.flatnonzero(valid), category[valid]] = 1
    correct = (category == replay.label).astype(np.float32)
    tp = weights @ (label_hot * correct[:, None])
    support = weights @ label_hot
    predicted = weights @ pred_hot
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
        present = support > 0
        values = {
            "accuracy": weights @ correct / n,
            "macro_f1": (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1),
            "lead_precision": (weights @ (lead & replay.label_lead).astype(np.float32))
            / (weights @ lead.astype(np.float32)),
            "lead_recall": (weights @ (lead & replay.label_lead).astype(np.float32))
            / (weights @ replay.label_lead.astype(np.float32)),
            "high_value_recall": None,
        }
        if high_value is not None:
            big = (replay.label_lead & (replay.value >= high_value)).astype(np.float32)
            if big.any():
                values["high_value_recall"] = (weights @ (lead * big)) / (weights @ big)
    out = {}
    for name, samples in values.items():
        if samples is None:
            out[name] = None
            continue
        finite = samples[np.isfinite(samples)]
        out[name] = (
            [float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))]
            if len(finite)
            else None
        )
    return out


def point(replay: Replay, escalate: np.ndarray, weights, *, high_value, name="") -> dict:
    """Every metric, with its interval, for one escalation mask (n,)."""
    category, lead = routed(replay, escalate)
    values = metrics(replay, category, lead, escalate, high_value=high_value)
    out = {"name": name} if name else {}
    for key, array in values.items():
        out[key] = _num(array[0])
    out["interval"] = intervals(replay, category, lead, weights, high_value=high_value)
    out["miss_rate"] = _num((~escalate & replay.wrong1).mean()) if len(replay) else None
    return out


def _num(value):
    value = float(value)
    return None if np.isnan(value) else value


# --- the curve and RouteLLM's summaries -----------------------------------------------------


def curve(replay: Replay, weights, *, high_value, thresholds=THRESHOLDS) -> list[dict]:
    """The router at every threshold: point metrics, the miss rate, PGR, and the accuracy's
    interval and its paired difference with all-tier-2."""
    escalate = escalated(replay, thresholds)
    category, lead = routed(replay, escalate)
    values = metrics(replay, category, lead, escalate, high_value=high_value)
    correct = (category == replay.label[None, :]).astype(np.float32)
    n = max(len(replay), 1)
    samples = correct @ weights.T / n  # T × rounds
    all2 = routed(replay, np.ones(len(replay), dtype=bool))[0] == replay.label
    diff = (correct - all2.astype(np.float32)[None, :]) @ weights.T / n
    low, high = np.percentile(samples, [2.5, 97.5], axis=1)
    dlow, dhigh = np.percentile(diff, [2.5, 97.5], axis=1)
    misses = (~escalate & replay.wrong1[None, :]).mean(axis=1)
    acc1, acc2 = tier_accuracies(replay)
    out = []
    for i, threshold in enumerate(thresholds):
        row = {"threshold": float(threshold)}
        row.update({key: _num(array[i]) for key, array in values.items()})
        row["accuracy_interval"] = [float(low[i]), float(high[i])]
        row["accuracy_vs_tier2"] = _num(values["accuracy"][i] - all2.mean())
        row["accuracy_vs_tier2_interval"] = [float(dlow[i]), float(dhigh[i])]
        row["miss_rate"] = _num(misses[i])
        row["pgr"] = pgr(values["accuracy"][i], acc1, acc2)
        out.append(row)
    return out


def tier_accuracies(replay: Replay) -> tuple[float, float]:
    n = len(replay)
    if not n:
        return 0.0, 0.0
    acc1 = float((replay.t1 == replay.label).mean())
    acc2 = float((routed(replay, np.ones(n, dtype=bool))[0] == replay.label).mean())
    return acc1, acc2


def pgr(quality: float, weak: float, strong: float) -> float | None:
    """RouteLLM's performance gap recovered: (q(router) − q(weak)) / (q(strong) − q(weak))."""
    if strong <= weak:
        return None  # no gap to recover
    return float((quality - weak) / (strong - weak))


def apgr_cpt(points: list[dict]) -> dict:
    """APGR: the area under PGR against the share of calls to the strong model, from (0, 0)
    (all tier 1) through the curve's points to (1, 1) (all tier 2), by the trapezoid rule
    (thresholds with the same share: the best PGR). CPT(x%): the least share of strong-model
    calls among the points at which PGR ≥ x%."""
    pairs = [(p["escalation_rate"], p["pgr"]) for p in points if p.get("pgr") is not None]
    if not pairs:
        return {"apgr": None, "cpt90": None, "cpt95": None}
    pairs += [(0.0, 0.0), (1.0, 1.0)]
    best: dict[float, float] = {}
    for x, y in pairs:
        best[x] = max(y, best.get(x, -np.inf))
    xs = np.array(sorted(best))
    ys = np.array([best[x] for x in xs])
    area = float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2))

    def cpt(target: float) -> float | None:
        reached = [x for x, y in pairs if y >= target - 1e-12]
        return float(min(reached)) if reached else None

    return {"apgr": area, "cpt90": cpt(0.9), "cpt95": cpt(0.95)}
