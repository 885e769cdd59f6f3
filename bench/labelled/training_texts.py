"""The sentences the local model's training set is composed from, by language.

Each language is a dict: "greet", "sign" (|-separated), "intro" (one sentence a line, about
the sender's company), and one entry per category: a first line "S: subject | subject ...",
then one request sentence a line. Slots are generate.py's ({company}, {seats}, {tool}, ...).
The composer (training.py) holds out every fourth sentence and subject of each pool, counted
from the end, so the held-out split is made of sentences the model never trained on.
training_extra.py (and training_extra_ru_ja.py) add training-only sentences in the same format:
none of them is ever held out.
"""

from bench.labelled import training_extra
from bench.labelled.training_en import EN
from bench.labelled.training_eu import DE, ES, FR
from bench.labelled.training_more import IT, JA, NL, PT, RU

LANGUAGES = {"en": EN, "de": DE, "fr": FR, "es": ES, "it": IT, "nl": NL, "pt": PT, "ru": RU}
LANGUAGES["ja"] = JA
# Share of the composed messages per language.
LANGUAGE_WEIGHTS = {"en": 28, "de": 14, "fr": 12, "es": 12, "it": 8, "nl": 7, "pt": 7}
LANGUAGE_WEIGHTS.update({"ru": 6, "ja": 6})
# Share per language of the training-only messages (training.MORE): the languages whose pools
# are smallest, and whose held-out figures were lowest, get the most.
MORE_LANGUAGE_WEIGHTS = {"en": 8, "de": 10, "fr": 10, "es": 8, "it": 8, "nl": 8, "pt": 8}
MORE_LANGUAGE_WEIGHTS.update({"ru": 20, "ja": 20})
# Share per category: leads are a third of the mail, as in the labelled set.
CATEGORY_WEIGHTS = {
    "sales_inquiry": 12,
    "demo_request": 11,
    "pricing_request": 11,
    "support": 12,
    "partnership": 8,
    "job_application": 8,
    "vendor_pitch": 11,
    "spam": 10,
    "auto_reply": 10,
    "other": 7,
}


def pools(language: str) -> dict:
    """{category: (subjects, sentences)}, "greet", "sign" and "intro" as lists."""
    raw = LANGUAGES[language]
    out = {
        "greet": raw["greet"].split("|"),
        "sign": raw["sign"].split("|"),
        "intro": raw["intro"].splitlines(),
    }
    for category in CATEGORY_WEIGHTS:
        first, *sentences = raw[category].splitlines()
        assert first.startswith("S: "), (language, category)
        out[category] = ([s.strip() for s in first[3:].split("|")], sentences)
    return out


def extra_pools(language: str) -> dict:
    """training_extra's {category: (subjects, sentences)} and "intro" for a language."""
    raw = training_extra.LANGUAGES[language]
    out = {"intro": raw.get("intro", "").splitlines()}
    for category in CATEGORY_WEIGHTS:
        first, *sentences = raw[category].splitlines()
        assert first.startswith("S: "), (language, category)
        out[category] = ([s.strip() for s in first[3:].split("|")], sentences)
    return out


def held_out(index: int, size: int) -> bool:
    """Every fourth item of a pool, counted from its end: the last is always held out."""
    return (size - 1 - index) % 4 == 0
