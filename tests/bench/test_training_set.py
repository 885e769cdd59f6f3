"""The local model's shipped training set: what bench/labelled/training.py writes, with a
held-out split made of sentences the training split never uses."""

import gzip
import json
from collections import Counter

from bench.labelled import training


def shipped() -> list[dict]:
    with gzip.open(training.OUT, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_it_regenerates_the_same_rows():
    assert shipped() == [json.loads(json.dumps(row)) for row in training.build()]


def test_it_holds_out_sentences_the_training_split_never_uses():
    rows = shipped()
    sentences = {"train": set(), "heldout": set()}
    for row in rows:
        if row["source"] == "composed":
            language, category, picks = row["template"].split("/")
            sentences[row["split"]] |= {(language, category, n) for n in picks.split("+")}
    assert sentences["train"] and sentences["heldout"]
    assert not sentences["train"] & sentences["heldout"]
    assert all(row["split"] == "heldout" for row in rows if row["source"] == "labelled")


def test_it_covers_nine_languages_and_every_category():
    rows = [row for row in shipped() if row["split"] == "train"]
    assert len(rows) >= 8000
    assert set(Counter(row["language"] for row in rows)) == {
        "en",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "pt",
        "ru",
        "ja",
    }
    assert min(Counter(row["category"] for row in rows).values()) >= 300
