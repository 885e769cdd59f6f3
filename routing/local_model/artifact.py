"""The trained model as bytes, and back: a JSON header line naming the format, then the
model's numbers as an .npz (routing/local_model/compact.py). No pickle: the artifact holds
arrays only, and a worker predicts with numpy without importing scikit-learn."""

import json
from dataclasses import dataclass

from routing.local_model import compact

FORMAT = 2
MAGIC = b"leadrouter-local-model\n"


class ArtifactError(Exception):
    """The artifact cannot be used: corrupt, or of another format."""


@dataclass(frozen=True)
class Loaded:
    model: compact.Compact
    labels: tuple[str, ...]
    lead_labels: frozenset[str]
    version: int = 0

    def predict(self, text: str) -> tuple[str, float, float]:
        """(category, its probability, probability that it is a lead)."""
        probabilities = self.model.predict_proba(text)
        best = int(probabilities.argmax())
        lead = sum(
            float(p)
            for label, p in zip(self.labels, probabilities, strict=True)
            if label in self.lead_labels
        )
        return self.labels[best], float(probabilities[best]), lead

    def language(self, text: str) -> tuple[str, float] | None:
        """(ISO 639-1 code, its probability) from the model's language head, if it has one."""
        return self.model.language_of(text)


def sklearn_version() -> str:
    """Which scikit-learn fitted it, kept on the version's row for the record."""
    import sklearn

    return sklearn.__version__


def dumps(pipeline, lead_labels: list[str], language_model=None) -> bytes:
    header = {"format": FORMAT, "lead_labels": sorted(lead_labels)}
    body = compact.dumps(compact.export(pipeline, language_model))
    return MAGIC + json.dumps(header).encode() + b"\n" + body


def loads(data: bytes, version: int = 0) -> Loaded:
    data = bytes(data)
    if not data.startswith(MAGIC):
        raise ArtifactError("the artifact does not load: not a local model artifact")
    head, _, body = data[len(MAGIC) :].partition(b"\n")
    try:
        header = json.loads(head)
    except ValueError:
        raise ArtifactError("the artifact does not load: its header is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise ArtifactError(
            f"an artifact of format {found}; this worker reads format {FORMAT}: "
            "train again (manage.py train_local)"
        )
    try:
        model = compact.loads(body)
    except Exception as exc:  # a damaged .npz raises anything at all
        raise ArtifactError(
            f"the artifact does not load: {type(exc).__name__}: {exc}"[:500]
        ) from exc
    return Loaded(model, model.category.classes, frozenset(header["lead_labels"]), version)
