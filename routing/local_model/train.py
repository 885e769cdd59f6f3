"""Fit the local model and measure it: held-out figures and grouped cross-validation."""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from routing.local_model.data import Example

ALGORITHMS = ("tfidf-logreg", "tfidf-complement-nb")
DEFAULT_ALGORITHM = "tfidf-logreg"
# A category with fewer training examples than this is not learnt reliably: training refuses.
MIN_PER_CATEGORY = 20
# The word tokens: runs of two or more word characters, as scikit-learn's default, except that
# each kana or kanji is a token of its own. Japanese has no spaces, so the default made a whole
# clause one token, never seen again; single characters and their pairs (the word bigrams)
# are what carries over to a new sentence. compact.py tokenizes by the pattern it is given.
KANA_KANJI = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
TOKEN_PATTERN = r"(?u)[^\W" + KANA_KANJI + r"]{2,}|[" + KANA_KANJI + "]"


class TooFewExamples(Exception):
    """Some category has too few examples; the message names them."""


@dataclass
class Trained:
    pipeline: object
    algorithm: str
    lead_labels: list[str]
    counts: dict
    metrics: dict = field(default_factory=dict)
    # Logistic regression from the same features to the examples' languages: the worker
    # then needs no language-identification library of its own (its memory, compact.py).
    language_model: object = None


def build_pipeline(algorithm: str = DEFAULT_ALGORITHM):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            max_features=40000,
            token_pattern=TOKEN_PATTERN,
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=80000
        ),
    )
    if algorithm == "tfidf-complement-nb":
        return make_pipeline(features, ComplementNB(alpha=0.1))
    # Log-loss fitting gives probabilities that track accuracy (the benchmark checks them).
    return make_pipeline(features, LogisticRegression(C=20, max_iter=2000))


def fit_languages(features, languages: list[str]):
    """The language head, on the examples that say their language; None with fewer than two."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i, language in enumerate(languages) if language]
    if len({languages[i] for i in rows}) < 2:
        return None
    return LogisticRegression(C=10, max_iter=1000).fit(features[rows], [languages[i] for i in rows])


def counts_of(examples: list[Example]) -> dict:
    return {
        "category": dict(Counter(e.category for e in examples)),
        "language": dict(Counter(e.language or "?" for e in examples)),
        "total": len(examples),
    }


def check_enough(examples: list[Example], minimum: int = MIN_PER_CATEGORY) -> None:
    counts = Counter(e.category for e in examples)
    few = {category: n for category, n in sorted(counts.items()) if n < minimum}
    if len(counts) < 2:
        raise TooFewExamples("training needs at least two categories")
    if few:
        listed = ", ".join(f"{category} ({n})" for category, n in few.items())
        raise TooFewExamples(f"too few examples (under {minimum}) for: {listed}")


def fit(
    examples: list[Example], algorithm: str = DEFAULT_ALGORITHM, minimum: int = MIN_PER_CATEGORY
) -> Trained:
    check_enough(examples, minimum)
    started = time.process_time()
    pipeline = build_pipeline(algorithm)
    features = pipeline.steps[0][1].fit_transform([e.text for e in examples])
    pipeline.steps[-1][1].fit(features, [e.category for e in examples])
    language_model = fit_languages(features, [e.language for e in examples])
    by_category = defaultdict(list)
    for e in examples:
        by_category[e.category].append(e.is_lead)
    # A category is a lead category when most of its examples are leads.
    leads = sorted(c for c, flags in by_category.items() if sum(flags) * 2 > len(flags))
    trained = Trained(pipeline, algorithm, leads, counts_of(examples), {}, language_model)
    trained.metrics["train_cpu_seconds"] = round(time.process_time() - started, 1)
    return trained


def evaluate(trained: Trained, examples: list[Example]) -> dict:
    """Lead-vs-not accuracy, category accuracy and macro-F1, lead accuracy per language."""
    if not examples:
        return {}
    predicted = trained.pipeline.predict([e.text for e in examples])
    return score(list(predicted), examples, set(trained.lead_labels))


def score(predicted: list[str], examples: list[Example], leads: set[str]) -> dict:
    from sklearn.metrics import f1_score

    truth = [e.category for e in examples]
    lead_right = [(p in leads) == e.is_lead for p, e in zip(predicted, examples, strict=True)]
    by_language = defaultdict(list)
    for right, e in zip(lead_right, examples, strict=True):
        by_language[e.language or "?"].append(right)
    return {
        "n": len(examples),
        "lead_accuracy": round(sum(lead_right) / len(examples), 4),
        "category_accuracy": round(
            sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(examples), 4
        ),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "lead_accuracy_by_language": {
            language: round(sum(flags) / len(flags), 4)
            for language, flags in sorted(by_language.items())
        },
    }


def cross_validate(examples: list[Example], algorithm: str, folds: int) -> dict:
    """Grouped k-fold over the training examples: a template's messages stay in one fold."""
    from sklearn.model_selection import GroupKFold

    if folds < 2:
        return {}
    results = []
    splitter = GroupKFold(n_splits=folds)
    groups = [e.group or str(n) for n, e in enumerate(examples)]
    for train_index, test_index in splitter.split(examples, groups=groups):
        # The whole set passed the minimum; a fold's share of it may not, and need not.
        part = fit([examples[i] for i in train_index], algorithm, minimum=1)
        results.append(evaluate(part, [examples[i] for i in test_index]))
    keys = ("lead_accuracy", "category_accuracy", "macro_f1")
    return {"folds": folds, **{k: round(sum(r[k] for r in results) / folds, 4) for k in keys}}


def train(
    examples: list[Example], *, algorithm: str = DEFAULT_ALGORITHM, folds: int = 0
) -> Trained:
    """Fit on the train split, measure on the held-out split (by source), cross-validate."""
    training = [e for e in examples if e.split != "heldout"]
    held_out = [e for e in examples if e.split == "heldout"]
    trained = fit(training, algorithm)
    trained.metrics["heldout"] = evaluate(trained, held_out)
    by_source = defaultdict(list)
    for e in held_out:
        by_source[e.source].append(e)
    if len(by_source) > 1:
        trained.metrics["heldout_by_source"] = {
            source: evaluate(trained, items) for source, items in sorted(by_source.items())
        }
    if folds:
        trained.metrics["cross_validation"] = cross_validate(training, algorithm, folds)
    return trained
