"""The simulated model: what tier 1 and tier 2 answer for one message, from its label.

For a message of the labelled set the truth is its label; for any other message (the demo's
sample mail, the benchmark's rewritten senders) it is a cheap keyword reading of the text
(bench/simulator/reading.py), which also gives the difficulty. Then, per tier:

- the tier errs with a probability that depends on the message's difficulty (`easy`, `hard`,
  `ambiguous`; a label without one counts as easy) and its language: the English error rate
  by difficulty, with the accuracy scaled by what Anthropic publishes for the model in that
  language relative to English (HAIKU_RELATIVE, SONNET_RELATIVE); when it errs it picks a
  plausible wrong category (CONFUSABLE), and `is_lead` follows the wrong category when it
  changes it;
- it reports a confidence drawn from a Beta distribution whose mean is higher when it is right
  than when it is wrong: informative, not perfect (a right answer can be unsure, a wrong one
  confident);
- it never asks for escalation itself and states no qualification facts, so the confidence
  threshold alone decides escalation (the threshold the calibrator chose is the one the
  pipeline applies).

Every draw comes from a random generator seeded by (seed, tier, message key): the same
message gets the same answer from the same tier on every run, in every process, whatever
order the messages come in. Tier 3 answers as tier 2. A replica of a labelled message (its
sender's address tagged `+rK`, bench/labelled.replica) has a key of its own: K more
independent readings of the same text, with the same truth and difficulty.
"""

import hashlib
import random
from dataclasses import asdict, dataclass, field

DIFFICULTIES = ("easy", "hard", "ambiguous")
LEAD_CATEGORIES = frozenset({"sales_inquiry", "demo_request", "pricing_request"})

# The wrong answers a model plausibly gives, nearest first (categories of routing/defaults.py).
CONFUSABLE = {
    "sales_inquiry": ["pricing_request", "demo_request", "support", "other"],
    "demo_request": ["sales_inquiry", "pricing_request"],
    "pricing_request": ["sales_inquiry", "demo_request", "support"],
    "partnership": ["vendor_pitch", "sales_inquiry", "other"],
    "support": ["sales_inquiry", "other", "pricing_request"],
    "job_application": ["other", "vendor_pitch", "partnership"],
    "vendor_pitch": ["partnership", "spam", "sales_inquiry"],
    "spam": ["vendor_pitch", "other"],
    "auto_reply": ["other", "support"],
    "other": ["sales_inquiry", "support", "vendor_pitch"],
}

NEXT_ACTION = {
    "sales_inquiry": "request_more_info",
    "demo_request": "book_demo",
    "pricing_request": "reply_with_pricing",
    "support": "route_to_support",
    "partnership": "route_to_partnerships",
    "job_application": "route_to_hr",
    "spam": "mark_spam",
}


# Accuracy in a language as a share of the same model's English accuracy: Anthropic's
# published zero-shot Global-MMLU figures (platform.claude.com, "Multilingual support") for
# Claude Haiku 5.5 (tier 1) and Claude Sonnet 5.5 (tier 2). A language the table does not list
# takes the lowest figure of the table's high-resource languages (LANGUAGE_FALLBACK).
HAIKU_RELATIVE = {
    "es": 0.981, "pt": 0.981, "it": 0.977, "fr": 0.977, "id": 0.971, "de": 0.974,
    "ar": 0.966, "zh": 0.977, "ko": 0.970, "ja": 0.974, "hi": 0.966, "bn": 0.954,
}  # fmt: skip
SONNET_RELATIVE = {
    "es": 0.990, "pt": 0.987, "it": 0.984, "fr": 0.987, "id": 0.986, "de": 0.985,
    "ar": 0.983, "zh": 0.985, "ko": 0.983, "ja": 0.984, "hi": 0.985, "bn": 0.972,
}  # fmt: skip
LANGUAGE_FALLBACK = {"tier1": 0.966, "tier2": 0.983}


@dataclass(frozen=True)
class TierParameters:
    """How one tier errs and how sure it says it is."""

    error: dict[str, float]  # P(wrong category) by difficulty, for a message in English
    right_confidence: tuple[float, float]  # Beta(a, b) of the confidence when right
    wrong_confidence: tuple[float, float]  # Beta(a, b) when wrong
    output_tokens: int  # billed output per call (tier 2: adaptive thinking included)
    # accuracy in another language as a share of English accuracy (see HAIKU_RELATIVE)
    language_accuracy: dict[str, float] = field(default_factory=dict)
    other_languages: float = 1.0  # the share for a language not in language_accuracy

    def mean_confidence(self, right: bool) -> float:
        a, b = self.right_confidence if right else self.wrong_confidence
        return a / (a + b)

    def error_for(self, difficulty: str, language: str) -> float:
        """P(wrong) for a message of this difficulty in this language: English accuracy by
        difficulty, scaled by the language's accuracy relative to English."""
        relative = (
            1.0
            if language in ("en", "")
            else self.language_accuracy.get(language, self.other_languages)
        )
        return 1.0 - (1.0 - self.error[difficulty]) * relative


@dataclass(frozen=True)
class Parameters:
    """Every number the simulation uses; printed with the figures it produced."""

    seed: int = 13
    tier1: TierParameters = field(
        default_factory=lambda: TierParameters(
            error={"easy": 0.03, "hard": 0.25, "ambiguous": 0.45},
            right_confidence=(9.0, 1.5),  # mean 0.86
            wrong_confidence=(3.0, 2.5),  # mean 0.55
            output_tokens=220,
            language_accuracy=HAIKU_RELATIVE,
            other_languages=LANGUAGE_FALLBACK["tier1"],
        )
    )
    tier2: TierParameters = field(
        default_factory=lambda: TierParameters(
            error={"easy": 0.01, "hard": 0.08, "ambiguous": 0.20},
            right_confidence=(12.0, 1.5),  # mean 0.89
            wrong_confidence=(4.0, 2.5),  # mean 0.62
            output_tokens=600,
            language_accuracy=SONNET_RELATIVE,
            other_languages=LANGUAGE_FALLBACK["tier2"],
        )
    )

    def tier(self, tier: int) -> TierParameters:
        return self.tier1 if tier == 1 else self.tier2

    def describe(self) -> str:
        """One line for the benchmark table and the demo's start-up output."""
        parts = [f"simulated model, seed {self.seed}"]
        for n, tier in ((1, self.tier1), (2, self.tier2)):
            errors = " / ".join(f"{tier.error[d]:.0%}" for d in DIFFICULTIES)
            parts.append(
                f"tier {n} errs {errors} (easy / hard / ambiguous), confidence "
                f"Beta{tier.right_confidence} right (mean {tier.mean_confidence(True):.2f}), "
                f"Beta{tier.wrong_confidence} wrong (mean {tier.mean_confidence(False):.2f}), "
                f"{tier.output_tokens} output tokens, accuracy in another language "
                f"{min(tier.language_accuracy.values(), default=1):.1%}-"
                f"{max(tier.language_accuracy.values(), default=1):.1%} of English "
                "(published Global-MMLU)"
            )
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Truth:
    """What the simulated model reads a message as when it is right."""

    key: str  # what the draws are seeded by: the label's file, or a hash of the text
    category: str
    is_lead: bool
    difficulty: str = "easy"
    language: str = "en"


@dataclass(frozen=True)
class Answer:
    category: str
    is_lead: bool
    confidence: float
    right: bool


def tier_of(model: str) -> int:
    """Which tier a model id stands for: the policy's tier-1 models are Haiku."""
    name = (model or "").lower()
    return 1 if "haiku" in name else 3 if "opus" in name else 2


def draw(truth: Truth, *, tier: int, params: Parameters, categories=None) -> Answer:
    """The tier's answer for this message: deterministic per (seed, tier, message key).
    `categories`: the closed set the request allows (a wrong answer stays inside it)."""
    tier = 1 if tier == 1 else 2
    tier_params = params.tier(tier)
    rng = random.Random(_seed(params.seed, tier, truth.key))
    difficulty = truth.difficulty if truth.difficulty in DIFFICULTIES else "easy"
    wrong = rng.random() < tier_params.error_for(difficulty, truth.language)
    category, is_lead = truth.category, truth.is_lead
    if wrong:
        choices = [c for c in CONFUSABLE.get(category, ["other"]) if c != category]
        if categories is not None:
            choices = [c for c in choices if c in categories] or [
                c for c in categories if c != category
            ]
        if choices:
            # Nearest confusions are likelier: weights 1, 1/2, 1/3, ...
            category = rng.choices(choices, weights=[1 / (i + 1) for i in range(len(choices))])[0]
            if (category in LEAD_CATEGORIES) != (truth.category in LEAD_CATEGORIES):
                is_lead = category in LEAD_CATEGORIES
        else:
            wrong = False
    a, b = tier_params.wrong_confidence if wrong else tier_params.right_confidence
    confidence = round(min(max(rng.betavariate(a, b), 0.0), 1.0), 2)
    return Answer(category=category, is_lead=is_lead, confidence=confidence, right=not wrong)


def truth_from_label(row: dict) -> Truth:
    """A labels.csv row (bench/labelled): its file is the key, and its `replica` (the
    benchmark's independent readings of one message, bench/labelled.replica) when over 0."""
    replica = int(row.get("replica") or 0)
    return Truth(
        key=f"label:{row['file']}" + (f"#r{replica}" if replica else ""),
        category=row["category"],
        is_lead=row["is_lead"] == "yes",
        difficulty=(row.get("difficulty") or "easy").strip() or "easy",
        language=row.get("language") or "en",
    )


def _seed(seed: int, tier: int, key: str) -> int:
    digest = hashlib.sha256(f"{seed}:{tier}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
