"""The fitted pipeline as plain arrays, and its prediction with numpy alone.

A worker that only predicts has no need of scikit-learn (about 110 MB of RSS once imported)
or of a pickle of its objects: what a fitted TF-IDF + linear model does at prediction time is
counting n-grams, an idf weight, an L2 norm per vectorizer, a matrix product and a softmax.
`export` takes those numbers out of the fitted scikit-learn pipeline (at training time, where
scikit-learn is loaded anyway); `Compact` predicts from them, the same probabilities to float
precision (tests/routing/test_local_model_compact.py checks it against scikit-learn's own).

The n-grams are scikit-learn's own definitions (`TfidfVectorizer` with `lowercase=True`):
word n-grams of the tokens the vectorizer's `token_pattern` finds (kept in the artifact;
scikit-learn's default `(?u)\\b\\w\\w+\\b` for an artifact without one), joined by a space;
`char_wb` n-grams of each whitespace-separated word padded with one space on each side.

Both models the trainer offers end in a linear score and a softmax: logistic regression
(multinomial: `coef_`, `intercept_`) and complement naive Bayes (`feature_log_prob_`, no
intercept, its joint log-likelihood normalised). The language head is a second logistic
regression over the same features, trained on the examples' languages.
"""

import io
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

TOKEN = r"(?u)\b\w\w+\b"  # scikit-learn's default token_pattern
WHITE_SPACES = re.compile(r"\s\s+")


@dataclass
class Vectorizer:
    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    sublinear_tf: bool
    vocabulary: dict[str, int]
    idf: np.ndarray
    token_pattern: str = TOKEN

    def __post_init__(self):
        self._tokens = re.compile(self.token_pattern)

    def terms(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngram_range
        grams: list[str] = []
        if self.analyzer == "word":
            tokens = self._tokens.findall(text)
            for n in range(low, min(high, len(tokens)) + 1):
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            return grams
        for word in WHITE_SPACES.sub(" ", text).split():
            word = f" {word} "
            for n in range(low, high + 1):
                if len(word) <= n:
                    # As scikit-learn: a padded word no longer than n counts once, whole,
                    # and no longer n-gram is taken of it.
                    grams.append(word)
                    break
                grams += [word[i : i + n] for i in range(len(word) - n + 1)]
        return grams

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, tf-idf values, L2-normalised) of one text."""
        counts = Counter(t for t in self.terms(text) if t in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int64)
        tf = np.fromiter(counts.values(), dtype=float)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        values = tf * self.idf[index]
        norm = math.sqrt(float(values @ values))
        return index, values / norm if norm else values


@dataclass
class Head:
    classes: tuple[str, ...]
    weights: np.ndarray  # classes × features
    bias: np.ndarray

    def probabilities(self, index: np.ndarray, values: np.ndarray) -> np.ndarray:
        scores = self.weights[:, index] @ values + self.bias
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


@dataclass
class Compact:
    vectorizers: list[Vectorizer]
    offsets: list[int]  # where each vectorizer's columns start
    category: Head
    language: Head | None

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        parts = [v.features(text) for v in self.vectorizers]
        index = np.concatenate([i + off for (i, _), off in zip(parts, self.offsets, strict=True)])
        return index, np.concatenate([values for _, values in parts])

    def predict_proba(self, text: str) -> np.ndarray:
        return self.category.probabilities(*self.features(text))

    def language_of(self, text: str) -> tuple[str, float] | None:
        if self.language is None:
            return None
        p = self.language.probabilities(*self.features(text))
        best = int(p.argmax())
        return self.language.classes[best], float(p[best])


def _head(model) -> Head:
    classes = tuple(str(c) for c in model.classes_)
    if hasattr(model, "coef_"):
        weights, bias = np.asarray(model.coef_), np.asarray(model.intercept_)
        if len(classes) == 2 and weights.shape[0] == 1:  # binary: one row for class 1
            weights = np.vstack([np.zeros_like(weights[0]), weights[0]])
            bias = np.array([0.0, bias[0]])
    else:  # ComplementNB: jll = X @ feature_log_prob_.T
        weights = np.asarray(model.feature_log_prob_)
        bias = np.zeros(len(classes))
    return Head(classes, weights.astype(np.float32), bias.astype(float))


def export(pipeline, language_model=None) -> Compact:
    """The numbers of a fitted make_pipeline(make_union(TfidfVectorizer, ...), model)."""
    union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    vectorizers, offsets, offset = [], [], 0
    for _, vectorizer in union.transformer_list:
        vocabulary = {str(term): int(i) for term, i in vectorizer.vocabulary_.items()}
        vectorizers.append(
            Vectorizer(
                analyzer=vectorizer.analyzer,
                ngram_range=tuple(vectorizer.ngram_range),
                sublinear_tf=bool(vectorizer.sublinear_tf),
                vocabulary=vocabulary,
                idf=np.asarray(vectorizer.idf_, dtype=float),
                token_pattern=vectorizer.token_pattern,
            )
        )
        offsets.append(offset)
        offset += len(vocabulary)
    language = _head(language_model) if language_model is not None else None
    return Compact(vectorizers, offsets, _head(model), language)


def dumps(compact: Compact) -> bytes:
    """An .npz: arrays only, no pickle (allow_pickle stays off when it is read)."""
    arrays = {}
    for n, v in enumerate(compact.vectorizers):
        terms = sorted(v.vocabulary, key=v.vocabulary.__getitem__)
        arrays[f"v{n}_terms"] = np.array(terms, dtype=str)
        arrays[f"v{n}_idf"] = v.idf
        meta = [v.analyzer, str(v.ngram_range[0]), str(v.ngram_range[1]), str(int(v.sublinear_tf))]
        arrays[f"v{n}_meta"] = np.array([*meta, v.token_pattern])
    heads = {"category": compact.category, "language": compact.language}
    for name, head in heads.items():
        if head is not None:
            arrays[f"{name}_classes"] = np.array(head.classes, dtype=str)
            arrays[f"{name}_weights"] = head.weights
            arrays[f"{name}_bias"] = head.bias
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def loads(data: bytes) -> Compact:
    arrays = np.load(io.BytesIO(data), allow_pickle=False)
    vectorizers, offsets, offset, n = [], [], 0, 0
    while f"v{n}_terms" in arrays:
        # An artifact written before the token pattern was kept has four fields: the default.
        analyzer, low, high, sublinear, *pattern = (str(x) for x in arrays[f"v{n}_meta"])
        terms = arrays[f"v{n}_terms"].tolist()
        vectorizers.append(
            Vectorizer(
                analyzer,
                (int(low), int(high)),
                sublinear == "1",
                {term: i for i, term in enumerate(terms)},
                arrays[f"v{n}_idf"],
                pattern[0] if pattern else TOKEN,
            )
        )
        offsets.append(offset)
        offset += len(terms)
        n += 1

    def head(name: str) -> Head | None:
        if f"{name}_classes" not in arrays:
            return None
        return Head(
            tuple(arrays[f"{name}_classes"].tolist()),
            arrays[f"{name}_weights"],
            arrays[f"{name}_bias"],
        )

    category = head("category")
    if not vectorizers or category is None:
        raise ValueError("not a compact local model")
    return Compact(vectorizers, offsets, category, head("language"))
