"""Write the local model's shipped data: routing/local_model/data/messages.jsonl.gz.

    .venv/bin/python -m bench.labelled.training

Deterministic (fixed seed, gzip without a timestamp): re-running writes the same bytes. One JSON
object a line: subject, body (the text triage reads), category, is_lead, language,
difficulty, split ("train" or "heldout"), source ("composed" or "labelled") and template.

- "composed": messages put together from the hand-written sentences in training_texts.py
  (nine languages): a greeting, sometimes a line about the sender's company, one or two
  request sentences of the category, a sign-off and a name. Held-out messages use only the
  held-out sentences and subjects (`training_texts.held_out`), so the held-out figures are on
  sentences the model never saw. Then MORE training messages, each with at least one of the
  training-only sentences of training_extra.py (template "x<n>"), weighted towards the
  languages with the smallest pools.
- "labelled": the whole labelled set (bench/labelled/mail, texts.py), as triage reads each
  message, always held out: whole hand-written messages of another author's style.

routing reads the file by path (routing/local_model/data.py); it never imports bench.
"""

import gzip
import io
import json
import random
from pathlib import Path

from bench.labelled import MAIL_DIR, generate, read_labels, training_texts
from intake import mime

OUT = Path(__file__).resolve().parents[2] / "routing" / "local_model" / "data" / "messages.jsonl.gz"
COMPOSED = {"train": 8000, "heldout": 2400}
MORE = 4000  # training messages that use training_extra's sentences (never held out)
LEADS = generate.LEAD_CATEGORIES
NAMES = {
    "ru": ("Алексей Мария Дмитрий Елена Сергей Ольга", "Иванов Петрова Смирнов Кузнецова Попов"),
    "ja": ("健太 美咲 翔太 陽子 大輔", "佐藤 鈴木 高橋 田中 伊藤"),
}
COMPANIES = {
    "ru": [
        ("Техсервис Север", "tehservis.ru", "Москва"),
        ("Климат Плюс", "klimatplus.ru", "Казань"),
    ],
    "ja": [("東和設備", "towa-setsubi.jp", "大阪"), ("三光メンテナンス", "sanko-mt.jp", "名古屋")],
}
URLS = ["http://secure-login.example/verify", "https://bit.example/claim", "http://pay.example/fee"]


def compose(b: generate.Builder, rng: random.Random, split: str) -> dict:
    language = rng.choices(*zip(*training_texts.LANGUAGE_WEIGHTS.items(), strict=True))[0]
    category = rng.choices(*zip(*training_texts.CATEGORY_WEIGHTS.items(), strict=True))[0]
    pools = training_texts.pools(language)
    subjects, sentences = pools[category]
    chosen_subjects, chosen = side(subjects, split), side(sentences, split)
    picks = rng.sample(chosen, k=min(len(chosen), rng.choice([1, 1, 2])))
    return message(b, rng, language, category, pools, chosen_subjects, picks, split)


def compose_more(b: generate.Builder, rng: random.Random) -> dict:
    """A training message with at least one of training_extra's sentences; the rest from the
    pool's training side. Subjects and intros from both."""
    weights = training_texts.MORE_LANGUAGE_WEIGHTS
    language = rng.choices(*zip(*weights.items(), strict=True))[0]
    category = rng.choices(*zip(*training_texts.CATEGORY_WEIGHTS.items(), strict=True))[0]
    pools, extra = training_texts.pools(language), training_texts.extra_pools(language)
    own = [(f"x{n}", text) for n, text in enumerate(extra[category][1])]
    pool_side = side(pools[category][1], "train")
    picks = [rng.choice(own)]
    if rng.random() < 0.4:
        others = [item for item in own + pool_side if item != picks[0]]
        picks.insert(rng.randrange(2), rng.choice(others))
    subjects = side(pools[category][0], "train") + [
        (f"x{n}", text) for n, text in enumerate(extra[category][0])
    ]
    pools = {**pools, "intro": pools["intro"] + extra["intro"]}
    return message(b, rng, language, category, pools, subjects, picks, "train")


def side(items: list[str], split: str) -> list[tuple[int, str]]:
    """The items of a pool that belong to the split, numbered by their place in the pool."""
    return [
        (n, item)
        for n, item in enumerate(items)
        if training_texts.held_out(n, len(items)) == (split == "heldout")
    ]


def message(b, rng, language, category, pools, subjects, picks, split) -> dict:
    """Greeting, sometimes a line about the sender's company, the picked sentences, sign-off."""
    if language in NAMES:
        first = rng.choice(NAMES[language][0].split())
        last = rng.choice(NAMES[language][1].split())
        company = rng.choice(COMPANIES[language])
    else:
        first, last = b.person(language)
        company = b.pick(generate.COMPANIES.get(language, generate.COMPANIES["en"]))
    slots = b.slots(language if language in generate.MONTHS else "en", company, first, last)
    subject = rng.choice(subjects)[1].format(**slots)
    lines = [" ".join(text.format(**slots) for _, text in picks)]
    machine = category == "auto_reply"
    if category in LEADS | {"support", "partnership", "other"} and rng.random() < 0.5:
        lines.insert(0, rng.choice(pools["intro"]).format(**slots))
    if category == "spam" and rng.random() < 0.6:
        lines.append(rng.choice(URLS))
    body = "\n\n".join(lines)
    if not machine or rng.random() < 0.5:
        body = f"{rng.choice(pools['greet'])}\n\n{body}"
    sign = slots["first"] if machine else f"{rng.choice(pools['sign'])}\n{slots['first']} {last}"
    if category in LEADS | {"support"} and rng.random() < 0.4:
        sign += f"\n{slots['company']}"
    if rng.random() < 0.15:
        subject = ""  # some mail has none: the body must carry it
    return {
        "subject": subject,
        "body": f"{body}\n\n{sign}",
        "category": category,
        "is_lead": category in LEADS,
        "language": language,
        "difficulty": "easy" if language == "en" else "hard",
        "split": split,
        "source": "composed",
        "template": f"{language}/{category}/" + "+".join(str(n) for n, _ in picks),
    }


def labelled() -> list[dict]:
    rows = []
    for row in read_labels():
        parsed = mime.parse_message((MAIL_DIR / row["file"]).read_bytes())
        rows.append(
            {
                "subject": parsed.subject or "",
                "body": parsed.text_new or parsed.text or "",
                "category": row["category"],
                "is_lead": row["is_lead"] == "yes",
                "language": row["language"],
                "difficulty": row["difficulty"],
                "split": "heldout",
                "source": "labelled",
                "template": f"labelled/{row['file']}",
            }
        )
    return rows


def build() -> list[dict]:
    rng = random.Random(14)
    b = generate.Builder(seed=1414)
    rows = [compose(b, rng, split) for split, count in COMPOSED.items() for _ in range(count)]
    # After the held-out messages and with an rng of their own: adding training-only
    # sentences never changes a held-out message.
    more = random.Random(1415)
    rows += [compose_more(b, more) for _ in range(MORE)]
    return rows + labelled()


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        for row in build():
            handle.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode())
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {OUT} ({len(buffer.getvalue()) // 1024} KiB)")


if __name__ == "__main__":
    main()
