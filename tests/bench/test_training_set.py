"""The local model's shipped training set: what bench/labelled/training.py writes, with a
held-out split made of sentences the training split never uses."""

import difflib
import gzip
import json
import re
from collections import Counter

from bench.labelled import texts, training, training_texts


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


def test_its_training_only_sentences_are_not_the_held_out_ones_reworded():
    """training_extra's sentences and subjects are new text: none is a held-out sentence or
    subject of the pools, or a sentence of the labelled set, nor close to one (difflib's
    ratio, slots taken out, under 0.7; the closest are at about 0.6)."""

    def plain(text: str) -> str:
        return re.sub(r"\{\w+\}", "", text).lower().strip()

    held: dict[str, set[str]] = {}
    subjects: dict[str, set[str]] = {}
    for language in training_texts.LANGUAGES:
        pools = training_texts.pools(language)
        for category in training_texts.CATEGORY_WEIGHTS:
            for kept, items in ((held, pools[category][1]), (subjects, pools[category][0])):
                kept.setdefault(language, set()).update(
                    plain(item)
                    for n, item in enumerate(items)
                    if training_texts.held_out(n, len(items))
                )
    for entries in vars(texts).values():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, tuple) and len(entry) == 3:
                language, _, body = entry
                sentences = re.split(r"(?<=[.!?。])\s+|\n+", body)
                held.setdefault(language, set()).update(plain(s) for s in sentences if len(s) > 15)
    close = []
    for language in training_texts.LANGUAGES:
        extra = training_texts.extra_pools(language)
        for category in training_texts.CATEGORY_WEIGHTS:
            extra_subjects, sentences = extra[category]
            close += [s for s in extra_subjects if plain(s) in subjects[language]]
            for sentence in sentences:
                for other in held[language]:
                    matcher = difflib.SequenceMatcher(None, plain(sentence), other)
                    if matcher.real_quick_ratio() >= 0.7 and matcher.ratio() >= 0.7:
                        close.append((sentence, other))
    assert close == []


def test_its_training_only_sentences_are_in_training_messages_only():
    rows = shipped()
    extra = [row for row in rows if "x" in row["template"].split("/")[-1]]
    assert len(extra) == training.MORE
    assert {row["split"] for row in extra} == {"train"}
    assert {row["language"] for row in extra} == set(training_texts.LANGUAGES)
