"""The local model's second opinion as one more routing strategy on the replay curve.

Production (`routing.services._second_opinion`, off unless the policy sets
`second_opinion_threshold`) escalates a message tier 1 would keep when the free local model
is at least d sure of another category, or of the other side of lead-vs-not. Replayed here:
at threshold t and level d a message goes to tier 2 when the threshold rule sends it
(`replay.escalated`) *or* the local model disagrees that confidently. The local model runs
on this machine (no API call), on the message as intake would store it.

Whether it is worth turning on is a comparison at equal cost: RouteLLM's APGR and CPT of the
threshold curve with the second opinion against those of the plain curve. If CPT(95%) falls,
it reaches 95% of tier 2's gain with fewer tier-2 calls than lowering the threshold alone.
"""

from dataclasses import dataclass

import numpy as np

from routing import local
from routing.calibration import THRESHOLDS
from routing.evaluation import replay as rp
from routing.evaluation.record import prepare
from routing.local_model import store
from routing.tiers import message_text

LEVELS = (0.6, 0.7, 0.8, 0.9)


@dataclass
class LocalAnswers:
    category: np.ndarray  # code in the replay's categories, NO_ANSWER when unknown to it
    lead: np.ndarray
    confidence: np.ndarray
    model: str


def local_answers(data: rp.Replay, labelled) -> LocalAnswers | None:
    """The active local model's answer for every replayed message; None without a model."""
    items = {item.file: item for item in labelled.items}
    code = {slug: i for i, slug in enumerate(data.categories)}
    n = len(data)
    category, lead, confidence = np.full(n, rp.NO_ANSWER), np.zeros(n, bool), np.zeros(n)
    for i, name in enumerate(data.files):
        prepared = prepare(items[name])
        guess = local.model_guess(
            subject=prepared.message.subject or "", body=message_text(prepared.message)
        )
        if guess is None:
            return None  # no model loads: the heuristics are no second opinion worth replaying
        category[i] = code.get(guess.category, rp.NO_ANSWER)
        lead[i] = guess.lead_probability >= 0.5
        confidence[i] = guess.confidence
    active = store.active()
    return LocalAnswers(
        category, lead, confidence, f"local v{active.version}" if active else "local"
    )


def disagrees(data: rp.Replay, answers: LocalAnswers, level: float) -> np.ndarray:
    other = (answers.category != data.t1) | (answers.lead != data.t1_lead)
    return other & (answers.confidence >= level) & (data.t1 >= 0)


def strategy(
    data: rp.Replay, answers: LocalAnswers, *, high_value, plain: dict, levels=LEVELS
) -> dict:
    """The curve's summaries with the second opinion at each level, beside the plain one."""
    rows = []
    for level in levels:
        extra = disagrees(data, answers, level)
        escalate = rp.escalated(data, THRESHOLDS) | extra[None, :]
        category, lead = rp.routed(data, escalate)
        values = rp.metrics(data, category, lead, escalate, high_value=high_value)
        acc1, acc2 = rp.tier_accuracies(data)
        points = [
            {
                "threshold": float(t),
                "escalation_rate": float(values["escalation_rate"][i]),
                "cost_share": rp._num(values["cost_share"][i]),
                "accuracy": float(values["accuracy"][i]),
                "miss_rate": float((~escalate[i] & data.wrong1).mean()),
                "pgr": rp.pgr(values["accuracy"][i], acc1, acc2),
            }
            for i, t in enumerate(THRESHOLDS)
        ]
        wrong_caught = float((extra & data.wrong1).sum() / max(data.wrong1.sum(), 1))
        rows.append(
            {
                "level": level,
                "flagged": float(extra.mean()) if len(data) else 0.0,
                # Of tier 1's wrong answers, how many the second opinion flags (at any t).
                "wrong_flagged": wrong_caught,
                # Of what it flags, how many tier 1 had wrong: its precision.
                "flagged_wrong": float((extra & data.wrong1).sum() / max(extra.sum(), 1)),
                **rp.apgr_cpt(points),
                "at_threshold_0": points[0],
                "curve": points,
            }
        )
    best = min(rows, key=lambda r: r["cpt95"] if r["cpt95"] is not None else 2.0)
    gains = plain.get("cpt95") is not None and best["cpt95"] is not None
    verdict = (
        "cheaper: reaches 95% of tier 2's gain with fewer tier-2 calls than the threshold alone"
        if gains and best["cpt95"] < plain["cpt95"] - 1e-9
        else "not cheaper: the threshold alone reaches 95% of tier 2's gain with as few calls"
        if gains
        else "no verdict: the curves do not reach 95% of tier 2's gain"
    )
    best_curve = best.pop("curve")
    for row in rows:
        row.pop("curve", None)
    return {
        "model": answers.model,
        "plain": {k: plain.get(k) for k in ("apgr", "cpt90", "cpt95")},
        "levels": rows,
        "best_level": best["level"],
        "best_curve": best_curve,
        "verdict": verdict,
    }
