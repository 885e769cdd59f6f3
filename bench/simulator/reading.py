"""A cheap, deterministic reading of a message the labelled set does not know (the demo's
sample mail, the benchmark's rewritten senders): keywords give the category the simulated
model takes for the truth, how hard the message is, and a few facts with their quotes.

The difficulty follows the rubric of the labelled set as far as keywords can: ambiguous when
keywords of two categories are equally strong or none match, easy otherwise (the language,
read here too, is weighed by the error model on its own). The reading is not a classifier
worth anything on its own: the error model (bench/simulator/model.py) is applied on top of
it exactly as on a label.
"""

import hashlib
import re

from bench.simulator.model import LEAD_CATEGORIES, Truth

# Keywords per category in English, German, French and Spanish (lower case, matched as
# word starts). Order breaks ties only for the category, never for the difficulty.
KEYWORDS = {
    "auto_reply": [
        "out of office",
        "automatic reply",
        "auto-reply",
        "autoreply",
        "undeliver",
        "delivery status",
        "mailer-daemon",
        "unsubscribe",
        "abwesenheit",
        "absence",
    ],
    "spam": ["congratulations", "you won", "btc", "bitcoin", "crypto", "claim now", "lottery"],
    "job_application": [
        "application",
        "resume",
        "cv",
        "curriculum",
        "position",
        "bewerbung",
        "candidature",
        "solicitud de empleo",
    ],
    "vendor_pitch": [
        "seo",
        "website traffic",
        "lead list",
        "outsourc",
        "our agency",
        "quick call",
        "backlinks",
    ],
    "partnership": ["partnership", "partner", "integration", "resell", "co-marketing"],
    "support": [
        "login",
        "password",
        "error",
        "bug",
        "not working",
        "problem",
        "invoice",
        "support",
        "fehler",
        "problème",
    ],
    "demo_request": ["demo", "walkthrough", "démonstration", "demostración", "vorführung"],
    "pricing_request": [
        "pricing",
        "price",
        "quote",
        "cost",
        "plan",
        "angebot",
        "preis",
        "lizenzen",
        "tarif",
        "prix",
        "devis",
        "precio",
        "presupuesto",
    ],
    "sales_inquiry": ["interested", "evaluate", "trial", "features", "anfrage", "sso"],
}

# Words that give the language away (a few each is enough for the demo's mail).
LANGUAGE_WORDS = {
    "de": [" und ", " wir ", " für ", " ist ", " nicht ", " mit ", " sie "],
    "fr": [" nous ", " vous ", " pour ", " est ", " une ", " avec ", " les "],
    "es": [" somos ", " para ", " una ", " con ", " los ", " necesitamos ", " hola"],
    "en": [" the ", " and ", " we ", " you ", " for ", " with ", " our "],
}

EMPLOYEES = re.compile(
    r"(\d[\d,.]*)\s*(?:employees|staff|people|mitarbeiter(?:innen)?|salariés|empleados)",
    re.IGNORECASE,
)
SEATS = re.compile(
    r"(\d[\d,.]*)\s*(?:seats|users|licen[cs]es|lizenzen|usuarios|utilisateurs|licences)",
    re.IGNORECASE,
)
BUDGET = re.compile(r"\$\s?(\d[\d,.]*)\s*(k|m)?\b", re.IGNORECASE)
TIMELINE = re.compile(
    r"\b(?:this|next) (?:week|month|quarter)\b|\bby (?:the end of )?(?:january|february|march|"
    r"april|may|june|july|august|september|october|november|december|q[1-4])\b|"
    r"\ben (?:diciembre|enero|décembre|janvier)\b|\bim (?:dezember|januar)\b",
    re.IGNORECASE,
)
AUTHORITY = re.compile(
    r"\b(?:ceo|cto|cfo|coo|vp of [a-z]+|head of [a-z]+|director of [a-z]+|founder)\b",
    re.IGNORECASE,
)


def read(text: str) -> tuple[Truth, dict]:
    """(the simulated truth, qualification facts with quotes from `text`) for an email as the
    model is shown it (From, Subject, body)."""
    folded = " " + re.sub(r"\s+", " ", text.lower()) + " "
    scores = {category: _hits(folded, words) for category, words in KEYWORDS.items()}
    best = max(scores.values())
    top = [category for category, score in scores.items() if score == best]
    language = _language(folded)
    if best == 0:
        category, difficulty = "other", "ambiguous"
    else:
        category = top[0]
        difficulty = "ambiguous" if len(top) > 1 else "easy"
    key = "text:" + hashlib.sha256(text.encode()).hexdigest()
    truth = Truth(
        key=key,
        category=category,
        is_lead=category in LEAD_CATEGORIES,
        difficulty=difficulty,
        language=language,
    )
    return truth, facts(text) if truth.is_lead else {}


def facts(text: str) -> dict:
    """The qualification facts the text states, each with the exact words as its evidence."""
    found = {}
    if match := EMPLOYEES.search(text):
        found["company_size"] = {
            "value": f"{_number(match.group(1))} employees",
            "evidence": match.group(0),
            "employees": _number(match.group(1)),
        }
    if match := SEATS.search(text):
        found["need"] = {"value": f"{_number(match.group(1))} seats", "evidence": match.group(0)}
    if match := BUDGET.search(text):
        amount = _number(match.group(1)) * {"k": 1000, "m": 1_000_000}.get(
            (match.group(2) or "").lower(), 1
        )
        found["budget"] = {
            "value": f"${amount:,}",
            "evidence": match.group(0).strip(),
            "amount_usd": amount,
        }
    if match := TIMELINE.search(text):
        found["timeline"] = {"value": match.group(0), "evidence": match.group(0)}
    if match := AUTHORITY.search(text):
        found["authority"] = {"value": match.group(0), "evidence": match.group(0)}
    return found


def _hits(folded: str, words: list[str]) -> int:
    return sum(1 for word in words if re.search(r"(?<![a-z])" + re.escape(word), folded))


def _language(folded: str) -> str:
    counts = {
        code: sum(folded.count(word) for word in words) for code, words in LANGUAGE_WORDS.items()
    }
    best = max(counts, key=lambda code: (counts[code], code == "en"))
    return best if counts[best] else "en"


def _number(digits: str) -> int:
    cleaned = re.sub(r"[,.](?=\d{3}\b)", "", digits).split(".")[0].split(",")[0]
    return int(cleaned or 0)
