"""The `local` tier: the trained local model when one loads, the keyword heuristics when not.

Runs when there is no ANTHROPIC_API_KEY, the circuit is open or the budget says so, and is
recorded as model `local` at cost 0 (PRODUCT.md, "Without an API key"). The model
(routing.local_model) gives the category, P(lead), a calibrated confidence and, when sure,
the language (py3langid when not); routing.local_heuristics fills the rest of the contract
(facts only where its rules find them, each with a quote from the message) and validates it
like a model's answer.

`second_opinion` is the router's use of it: an escalation reason when the model disagrees
confidently with tier 1 (RoutingPolicy.second_opinion_threshold).
"""

import logging
from decimal import Decimal

from routing import contract, local_heuristics
from routing.local_heuristics import Guess
from routing.local_heuristics import extract_facts as extract_facts
from routing.local_heuristics import message_text as message_text
from routing.local_model import store

logger = logging.getLogger(__name__)
# Under this many letters language identification guesses; the stopword counts say English.
SHORT_TEXT = 20


def classify(**inputs) -> contract.TriageOutput:
    """routing.inputs.local_inputs(...) in, a validated triage out. Never fails for the model's
    sake: a model that does not load or predict leaves the heuristics to decide."""
    guess = None
    if not inputs.get("hygiene"):
        guess = model_guess(subject=inputs.get("subject") or "", body=inputs.get("body") or "")
    return local_heuristics.classify(**inputs, guess=guess)


def model_guess(*, subject: str, body: str) -> Guess | None:
    model = store.active()
    if model is None:
        return None
    text = message_text(subject, body)
    try:
        category, confidence, lead = model.predict(text)
    except Exception:
        logger.exception("local model v%s failed to predict; the heuristics decide", model.version)
        return None
    return Guess(category, confidence, lead, detect_language(text, model))


# The model's own language head decides when at least this sure; py3langid (97 languages,
# about 70 MB once loaded, so only then) when it is not: the head knows only the training
# set's languages and would call Polish Russian.
LANGUAGE_HEAD_SURE = 0.8


def detect_language(text: str, model=None) -> str:
    """ISO 639-1 code: the local model's language head when it is sure, else py3langid (its
    model ships in the wheel); stopwords for short text."""
    if sum(ch.isalpha() for ch in text) < SHORT_TEXT:
        return local_heuristics.detect_language(text)
    found = model.language(text) if model is not None else None
    if found and found[1] >= LANGUAGE_HEAD_SURE and contract.LANGUAGE.fullmatch(found[0]):
        return found[0]
    try:
        import py3langid

        code = py3langid.classify(text)[0]
    except Exception:
        logger.exception("language identification failed")
        return local_heuristics.detect_language(text)
    return code if contract.LANGUAGE.fullmatch(code) else "en"


def second_opinion(
    *, output: contract.TriageOutput, subject: str, body: str, threshold: Decimal | None
) -> str | None:
    """An escalation reason when the local model is at least `threshold` sure of another
    category than tier 1's, or of the other side of lead-vs-not; None otherwise (or when the
    option is off, or no model loads)."""
    if threshold is None:
        return None
    guess = model_guess(subject=subject, body=body)
    if guess is None or Decimal(str(guess.confidence)) < threshold:
        return None
    lead = guess.lead_probability >= 0.5
    if guess.category == output.category and lead == output.is_lead:
        return None
    return f"local_model_disagrees ({guess.category} {guess.confidence:.2f})"
