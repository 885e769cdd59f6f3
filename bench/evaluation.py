"""How long `evaluate_router --replay` takes on 10,000 messages (target: ≤ 2 s on one core).

`measure_replay()` makes a synthetic recording (seeded: ten categories, a tier 1 that errs
on about 15% of messages with a lower confidence, a tier 2 that errs on 5%) and times what
the command does with it after reading the file: the arrays built from the lines and the
labels, the 101-threshold curve with its bootstrap intervals, the baselines, APGR/CPT, the
calibration split and the held-out report. No database, no network.
"""

import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits  # locked as scikit-learn's dependency

from bench.report import Row, at_most
from routing.evaluation import evaluate, labelled, replay

CATEGORIES = tuple(f"category_{i}" for i in range(10))


def synthetic(n: int = 10_000, *, seed: int = 0) -> tuple[list[dict], labelled.LabelledSet]:
    rng = np.random.default_rng(seed)
    items, lines = [], []
    for i in range(n):
        name = f"{i:05d}.eml"
        truth = CATEGORIES[rng.integers(len(CATEGORIES))]
        lead = bool(rng.random() < 0.5)
        value = Decimal(int(rng.integers(1, 200)) * 1000) if lead else None
        items.append(labelled.LabelledItem(name, Path(name), truth, lead, value, "", "", i + 2))
        wrong1, wrong2 = rng.random() < 0.15, rng.random() < 0.05
        for tier, wrong in ((1, wrong1), (2, wrong2)):
            category = CATEGORIES[(CATEGORIES.index(truth) + 1) % 10] if wrong else truth
            confidence = rng.uniform(0.3, 0.8) if wrong else rng.uniform(0.6, 1.0)
            line = {
                "kind": "result",
                "file": name,
                "tier": tier,
                "output": {"category": category, "is_lead": lead, "confidence": confidence},
                "cost_usd": "0.00030000" if tier == 1 else "0.00600000",
            }
            if tier == 1:
                line["escalate"] = ["model_asked: unsure"] if rng.random() < 0.03 else []
            lines.append(line)
    return lines, labelled.LabelledSet(Path("."), tuple(items), CATEGORIES)


def measure_replay(n: int = 10_000) -> float:
    """Wall seconds for one replay of a synthetic n-message recording (file reading
    excluded), with numpy's BLAS held to one thread: the figure is for one core."""
    lines, labelled_set = synthetic(n)
    with threadpool_limits(limits=1):
        started = time.perf_counter()
        data = replay.build(lines, labelled_set)
        evaluate.evaluate(
            data, alpha=0.05, seed=0, high_value=50_000.0, policy_thresholds=(0.7, {})
        )
        return time.perf_counter() - started


def evaluation_section(ctx) -> list[Row]:
    """Section 7: the replay figure, best of three runs (the first also warms numpy)."""
    seconds = min(measure_replay() for _ in range(3))
    return [
        Row(
            "7 evaluate_router",
            "replay: 10,000 messages x 101 thresholds, bootstrap, calibration (one core)",
            f"{seconds:.2f} s",
            "<= 2 s",
            at_most(seconds, 2.0),
            seconds,
        )
    ]
