"""Which local model this process uses: the active version, loaded once and kept; an older
version when the active artifact does not load; None (the heuristics) when none loads.

A fresh install has no version: the first use trains the default model from the shipped
training set and stores it as version 1, under an advisory lock so that workers starting
together train it once; the trained default is also kept under VAR_DIR/local-model, keyed
by the data and the code, so that it is trained once per machine, not once per database.
Load problems are written on the version's row (admin shows them).
"""

import functools
import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from routing.local_model import artifact, data, train
from routing.local_model.artifact import ArtifactError, Loaded
from routing.models import LocalModel

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_kept: dict[int, Loaded] = {}  # the one version in use, by row id
_failed: set[int] = set()  # row ids whose artifact did not load in this process
ADVISORY_KEY = 1414  # pg_advisory_xact_lock: one process trains the default model


def active() -> Loaded | None:
    """The model the local tier uses now, or None for the heuristics. Never raises."""
    try:
        return _active()
    except Exception:
        logger.exception("the local model could not be loaded; the heuristics decide")
        return None


def _active() -> Loaded | None:
    rows = list(
        LocalModel.objects.order_by("-is_active", "-version").values_list(
            "pk", "version", "is_active"
        )
    )
    if not rows:
        ensure_default()
        return _active() if LocalModel.objects.exists() else None
    if not rows[0][2]:
        return None  # no version is active: an admin chose the heuristics
    top = rows[0][1]
    # The active version, then older ones, newest first: a bad new artifact falls back.
    for pk, version, _ in [rows[0]] + [r for r in rows[1:] if r[1] < top]:
        with _lock:
            if pk in _kept:
                return _kept[pk]
            if pk in _failed:
                continue
            try:
                blob = LocalModel.objects.values_list("artifact", flat=True).get(pk=pk)
                loaded = artifact.loads(blob, version)
                loaded.predict("warm up")  # a pipeline that loads but cannot predict is corrupt
            except (ArtifactError, Exception) as exc:
                message = (
                    str(exc) if isinstance(exc, ArtifactError) else f"{type(exc).__name__}: {exc}"
                )
                logger.error("local model v%s does not load: %s", version, message)
                _failed.add(pk)
                LocalModel.objects.filter(pk=pk).update(load_error=message[:1000])
                continue
            _kept.clear()
            _kept[pk] = loaded
            if LocalModel.objects.filter(pk=pk).exclude(load_error="").exists():
                LocalModel.objects.filter(pk=pk).update(load_error="")
            return loaded
    return None


def forget() -> None:
    """Drop what this process loaded (tests; a new artifact for the same row)."""
    with _lock:
        _kept.clear()
        _failed.clear()


def _default_key() -> str:
    """What the default model depends on: the shipped data, the training code, the format."""
    digest = hashlib.sha256(data.SHIPPED.read_bytes())
    digest.update(Path(train.__file__).read_bytes())
    digest.update(f"{artifact.FORMAT}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def _default_fields() -> dict:
    """The default model's row, trained from the shipped data once per machine: the result is
    kept under VAR_DIR, keyed by what it depends on, so a new worker process (or a test
    database without the row) loads it in milliseconds instead of training for seconds."""
    folder = Path(settings.VAR_DIR) / "local-model"
    key = _default_key()
    meta, blob = folder / f"default-{key}.json", folder / f"default-{key}.bin"
    if meta.exists() and blob.exists():
        try:
            return {**json.loads(meta.read_text()), "artifact": blob.read_bytes()}
        except (OSError, ValueError):
            logger.warning("the kept default local model %s is unreadable: training", key)
    fields = _fields(train.train(data.shipped()))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, content in ((blob, fields["artifact"]), (meta, _meta(fields))):
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(content)
            partial.replace(path)  # atomic: another process never reads half a file
    except OSError:
        logger.warning("could not keep the default local model under %s", folder)
    return fields


def _meta(fields: dict) -> bytes:
    return json.dumps({k: v for k, v in fields.items() if k != "artifact"}).encode()


def _fields(trained: train.Trained) -> dict:
    return {
        "algorithm": trained.algorithm,
        "counts": trained.counts,
        "metrics": trained.metrics,
        "artifact": artifact.dumps(trained.pipeline, trained.lead_labels, trained.language_model),
        "sklearn_version": artifact.sklearn_version(),
    }


def ensure_default() -> LocalModel | None:
    """Store the default model when no version exists at all."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
        if LocalModel.objects.exists():
            return None
        logger.info("no local model yet: the default one, from the shipped data")
        return _create(_default_fields(), sources=["shipped"], activate=True)


def save_version(trained: train.Trained, *, sources: list[str], activate: bool) -> LocalModel:
    return _create(_fields(trained), sources=sources, activate=activate)


def _create(fields: dict, *, sources: list[str], activate: bool) -> LocalModel:
    with transaction.atomic():
        last = LocalModel.objects.select_for_update().order_by("-version").first()
        if activate:
            LocalModel.objects.filter(is_active=True).update(is_active=False)
        return LocalModel.objects.create(
            version=(last.version + 1) if last else 1,
            sources=sources,
            is_active=activate,
            **fields,
        )


def activate(model: LocalModel) -> None:
    with transaction.atomic():
        LocalModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        LocalModel.objects.filter(pk=model.pk).update(is_active=True)
