"""The fitted pipeline as bytes, and back: a pickle with a header naming the format and the
scikit-learn version, so a worker never runs a pipeline another version pickled."""

import io
import pickle
from dataclasses import dataclass

FORMAT = 1


class ArtifactError(Exception):
    """The artifact cannot be used: corrupt, another format, another scikit-learn."""


@dataclass(frozen=True)
class Loaded:
    pipeline: object
    labels: tuple[str, ...]
    lead_labels: frozenset[str]
    version: int = 0

    def predict(self, text: str) -> tuple[str, float, float]:
        """(category, its probability, probability that it is a lead)."""
        probabilities = self.pipeline.predict_proba([text])[0]
        best = int(probabilities.argmax())
        lead = sum(
            p
            for label, p in zip(self.labels, probabilities, strict=True)
            if label in self.lead_labels
        )
        return self.labels[best], float(probabilities[best]), float(lead)


def sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def dumps(pipeline, lead_labels: list[str]) -> bytes:
    header = {"format": FORMAT, "sklearn": sklearn_version(), "lead_labels": list(lead_labels)}
    buffer = io.BytesIO()
    pickle.dump(header, buffer, protocol=5)
    pickle.dump(pipeline, buffer, protocol=5)
    return buffer.getvalue()


def loads(data: bytes, version: int = 0) -> Loaded:
    # The artifact is written only by train_local into our own database, never uploaded.
    buffer = io.BytesIO(bytes(data))
    try:
        header = pickle.load(buffer)  # noqa: S301
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ArtifactError("not a local model artifact of this format")
        if header.get("sklearn") != sklearn_version():
            raise ArtifactError(
                f"trained with scikit-learn {header.get('sklearn')}, this worker has "
                f"{sklearn_version()}: train again (manage.py train_local)"
            )
        pipeline = pickle.load(buffer)  # noqa: S301
        labels = tuple(str(label) for label in pipeline.classes_)
    except ArtifactError:
        raise
    except Exception as exc:  # a corrupt pickle raises anything at all
        raise ArtifactError(
            f"the artifact does not load: {type(exc).__name__}: {exc}"[:500]
        ) from exc
    return Loaded(pipeline, labels, frozenset(header["lead_labels"]), version)
