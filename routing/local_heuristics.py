"""The keyword and signal heuristics, in the triage contract's shape. Pure.

The `local` tier's fallback (routing.local) when no trained model loads, and the builder of
the local tier's answer either way: given the trained model's guess (`Guess`), it fills the
rest of the contract (facts, urgency, summary, next action) the same way. It is deliberately
modest: on its own, confidence never above 0.7; it never asks for escalation, and every fact it
states carries a quote that really occurs in the message, because its output goes through the
same `contract.validate` as a model's.
"""

import re
from dataclasses import dataclass

from intake.mime_text import fold_for_matching
from routing import contract, injection, local_facts
from routing.local_facts import extract_facts as extract_facts
from routing.prompt import clean_line

MAX_CONFIDENCE = 0.7


# --- intents -----------------------------------------------------------------------------------
# Patterns run on folded text (casefolded, accents removed, one space): "Démonstration" is
# "demonstration", "Lösung" is "losung". Each pattern counts once; subject hits count double.


def _rules(*pairs: tuple[str, int]) -> list[tuple[re.Pattern[str], int]]:
    return [(re.compile(pattern), weight) for pattern, weight in pairs]


INTENTS: dict[str, list[tuple[re.Pattern[str], int]]] = {
    "demo": _rules(
        (r"\bdemos?\b|\bdemo-?(?:call|termin)\b", 3),
        (r"\bdemonstration\b|\bdemostracion\b|\bdemonstracao\b|\bdimostrazione\b", 3),
        (r"\bvorfuhrung\b|\bproduktvorstellung\b|\bpresentacion del producto\b", 3),
        (r"\bwalk ?through\b|\bshow us\b|\bsee (?:the|your) (?:product|platform|tool)\b", 2),
        (r"\btime slots?\b|\bcreneaux?\b|\bterminvorschlag\w*\b|\bfree trial\b|\btrial\b", 1),
    ),
    "pricing": _rules(
        (r"\bpric(?:e|es|ing)\b|\bquotes?\b|\bquotation\b|\bprice list\b", 3),
        (r"\bcosts?\b|\bper (?:seat|user|month|year)\b|\bplans?\b", 1),
        (r"\bangebot\w*\b|\bpreis\w*\b|\bkosten\w*\b|\bkostenvoranschlag\b", 3),
        (r"\bdevis\b|\btarifs?\b|\bprix\b|\bcotizacion\b|\bprecios?\b", 3),
        (r"\borcamento\b|\bprecos?\b|\bpreventivo\b|\bprezzi\b", 3),
    ),
    "sales": _rules(
        (r"\blicen[cs]es?\b|\bseats?\b|\blizenz\w*\b|\blicencias?\b|\blicencas?\b", 2),
        (r"\bbuy\b|\bpurchas\w*\b|\bsubscri\w+\b|\benterprise\b|\bevaluat\w+\b|\brollout\b", 2),
        (r"\binterested in\b|\bsolution for\b|\breplac\w+ our\b|\bsso\b|\bsaml\b", 1),
        (r"\bkaufen\b|\binteresse an\b|\bsuchen eine losung\b|\blosung fur\b", 2),
        (r"\bacheter\b|\bsouhaitons\b|\bnotre equipe\b|\bcomprar\b|\bestamos interesados\b", 1),
    ),
    "support": _rules(
        (r"\blog ?in\b|\blog-in\b|\bsign ?in\b|\bpasswords?\b|\bpassword reset\b", 3),
        (r"\bbug\b|\berror\b|\bcrash\w*\b|\bnot working\b|\b(?:does|do|is) ?n[o']t work\b", 3),
        (r"\bsupport\b|\bhelp ?desk\b|\bticket\b|\boutage\b|\bbroken\b|\bissue with\b", 2),
        (r"\balready (?:a )?customers?\b|\bour account\b|\bexisting customer\b|\bcannot\b", 1),
        (r"\bfunktioniert nicht\b|\bfehler\w*\b|\banmeld\w*\b|\bpasswort\b|\bkennwort\b", 3),
        (r"\bmot de passe\b|\bne fonctionne pas\b|\berreur\b|\bconnexion\b", 3),
        (r"\bcontrasena\b|\bno funciona\b|\biniciar sesion\b|\bsenha\b|\bnon funziona\b", 3),
    ),
    "partnership": _rules(
        (r"\bpartner(?:ship|ships|s)?\b|\bintegrations?\b|\bintegrate\b", 3),
        (r"\bresell\w*\b|\breferral\b|\baffiliate\b|\bco-?market\w*\b|\bwhite[- ]?label\b", 3),
        (r"\boem\b|\balliance\b|\bpartnerschaft\b|\bpartenariat\b|\brevendeur\b", 3),
        (r"\bsocio comercial\b|\balianza\b|\bdistribuidor\b|\brivenditore\b|\bparceria\b", 3),
    ),
    "job": _rules(
        (r"\bapply(?:ing)? for\b|\bjob application\b|\bapplication(?: for\b|:)", 3),
        (r"\bcv\b|\bresume\b|\bcover letter\b|\blebenslauf\b|\bcurriculum\b|\bcurriculo\b", 3),
        (r"\bjob\b|\bposition\b|\bvacanc\w+\b|\bcareers? page\b|\bopening\b|\brole posted\b", 1),
        (r"\bbewerbung\b|\bbewerbe\b|\bstellenanzeige\b|\bcandidature\b|\bpostuler\b", 3),
        (r"\bcandidatura\b|\bvacante\b|\bempleo\b|\bofferta di lavoro\b|\bvaga\b", 2),
    ),
    "vendor": _rules(
        (r"\bseo\b|\bsearch engine\b|\bfirst page\b|\brank\w* (?:higher|on google|#?1)\b", 3),
        (r"\bguarantee\w*\b|\bquick (?:call|chat|question)\b|\b1?5 minutes\b|\bbook a call\b", 2),
        (r"\boutsourc\w+\b|\boffshore\b|\bdedicated developers\b|\bapp development\b", 3),
        (r"\blead (?:list|gen\w*)\b|\b(?:email|contact) lists?\b|\bappointment setting\b", 3),
        (r"\bweb ?design\b|\bbacklinks?\b|\bmarketing agency\b|\bwe are an? \w* ?agency\b", 3),
        (r"\byour website\b|\bwebsite traffic\b|\bincrease your (?:traffic|sales|revenue)\b", 2),
        (r"\bgrow your (?:business|revenue|pipeline)\b|\bi noticed\b|\bwe help companies\b", 2),
        (r"\bsuchmaschinenoptimierung\b|\breferencement\b|\bposicionamiento web\b", 3),
    ),
    "spam": _rules(
        (r"\bcrypto\w*\b|\bbitcoin\b|\bbtc\b|\bwallet\b|\bseed phrase\b|\bprivate key\b", 3),
        (r"\bwinner\b|\byou(?: have|'ve)? won\b|\bprize\b|\blottery\b|\bjackpot\b", 3),
        (r"\bcongratulations\b|\bclaim (?:now|your)\b|\binheritance\b|\bbeneficiary\b", 2),
        (r"\bcasino\b|\bviagra\b|\bfree money\b|\bact now\b|\b100% free\b", 3),
        (r"\bgewinner\b|\bgewonnen\b|\bgagnant\b|\bfelicitations\b|\bganador\b|\bvincitore\b", 3),
    ),
}
FAMILIES = {
    "sales": ("demo", "pricing", "sales"),
    "support": ("support",),
    "partnership": ("partnership",),
    "job": ("job",),
    "vendor": ("vendor",),
    "spam": ("spam",),
}
# Where an intent lands, nearest first, among the categories an admin has active.
PREFERENCES = {
    "demo": ("demo_request", "sales_inquiry", "sales", "pricing_request"),
    "pricing": ("pricing_request", "sales_inquiry", "sales", "demo_request"),
    "sales": ("sales_inquiry", "sales", "demo_request", "pricing_request"),
    "support": ("support", "customer_support"),
    "partnership": ("partnership", "partnerships", "partner"),
    "job": ("job_application", "jobs", "recruiting", "hr"),
    "vendor": ("vendor_pitch", "vendor"),
    "spam": ("spam",),
    "hygiene": ("auto_reply", "hygiene", "automatic"),
    "other": ("other",),
}
NEXT_ACTION = {
    "demo": "book_demo",
    "pricing": "reply_with_pricing",
    "sales": "request_more_info",
    "support": "route_to_support",
    "partnership": "route_to_partnerships",
    "job": "route_to_hr",
    "vendor": "no_action",
    "spam": "mark_spam",
    "hygiene": "no_action",
    "other": "no_action",
}
LABELS = {
    "demo": "Demo request",
    "pricing": "Pricing request",
    "sales": "Sales inquiry",
    "support": "Support request",
    "partnership": "Partnership inquiry",
    "job": "Job application",
    "vendor": "Vendor pitch",
    "spam": "Spam",
    "hygiene": "Automatic mail",
    "other": "Message",
}
SALES_INTENTS = {"demo", "pricing", "sales"}

_URGENT = re.compile(
    r"\b(?:urgent\w*|asap|as soon as possible|immediately|today|tomorrow|this week|next week"
    r"|dringend|sofort|so schnell wie moglich|diese woche|nachste woche|cette semaine"
    r"|la semaine prochaine|des que possible|urgente|lo antes posible|esta semana"
    r"|la proxima semana)\b"
)


def _spam_signals(subject: str, body: str) -> int:
    """Shouting: a subject mostly in capitals, and runs of exclamation marks."""
    score = 0
    words = re.findall(r"[^\W\d_]{3,}", subject)
    if len(words) >= 2 and sum(word.isupper() for word in words) / len(words) >= 0.5:
        score += 2
    elif any(len(word) >= 6 and word.isupper() for word in words):
        score += 1
    if re.search(r"!{3,}", subject + " " + body):
        score += 2
    return score


def _score(patterns, subject: str, body: str) -> int:
    total = 0
    for pattern, weight in patterns:
        if pattern.search(subject):
            total += 2 * weight
        elif pattern.search(body):
            total += weight
    return total


# --- language ------------------------------------------------------------------------------------

STOPWORDS = {
    "en": "the and is are we you our your for with this that would like have please thanks "
    "hello hi of to on be can could will from about",
    "de": "und der die das wir sie ist nicht mit für ein eine einen ich uns bitte guten tag "
    "ihnen auf zu von den dem wäre sind haben grüßen freundlichen wie",
    "fr": "le les des et est nous vous pour pas avec dans sur bonjour votre notre cordialement "
    "merci sont avons souhaitons du au aux une",
    "es": "el los las y nosotros por hola gracias su nuestro nuestra estamos queremos usted "
    "del al saludos muy somos",
    "pt": "os é não nós você obrigado olá nosso nossa gostaríamos em dos das ao atenciosamente "
    "somos também",
    "it": "il lo gli è non noi per ciao grazie siamo vorremmo della delle dei sono cordiali "
    "saluti buongiorno anche",
}
_STOPWORDS = {language: set(words.split()) for language, words in STOPWORDS.items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code by stopword counts; English when nothing stands out."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    counts = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] >= 2 else "en"


# --- the classifier --------------------------------------------------------------------------


@dataclass(frozen=True)
class Guess:
    """The trained model's answer: a category slug, its probability, P(lead), the language."""

    category: str
    confidence: float
    lead_probability: float
    language: str


# The heuristics' intent for each seeded category (what drives facts, urgency, next action).
INTENT_OF = {
    "sales_inquiry": "sales",
    "demo_request": "demo",
    "pricing_request": "pricing",
    "support": "support",
    "partnership": "partnership",
    "job_application": "job",
    "vendor_pitch": "vendor",
    "spam": "spam",
    "auto_reply": "hygiene",
    "other": "other",
}


@dataclass(frozen=True)
class Scores:
    intent: str
    top: int
    runner_up: int


def score_intents(*, subject: str, body: str, hygiene: str) -> Scores:
    if hygiene:
        return Scores("hygiene", 10, 0)
    folded_subject, folded_body = fold_for_matching(subject), fold_for_matching(body)
    scores = {
        intent: _score(rules, folded_subject, folded_body) for intent, rules in INTENTS.items()
    }
    if scores["spam"]:
        scores["spam"] += _spam_signals(subject, body)
    families = {
        family: sum(scores[intent] for intent in intents) for family, intents in FAMILIES.items()
    }
    ranked = sorted(families.items(), key=lambda item: item[1], reverse=True)
    (family, top), runner_up = ranked[0], ranked[1][1]
    if scores["spam"] >= 6:  # a scam that also mentions a price is still a scam
        family, top = "spam", max(top, scores["spam"])
    if top < 2:
        return Scores("other", top, runner_up)
    if family == "sales":
        demo, pricing = scores["demo"], scores["pricing"]
        intent = "demo" if demo and demo >= pricing else "pricing" if pricing else "sales"
        return Scores(intent, top, runner_up)
    return Scores(family, top, runner_up)


def pick_category(intent: str, categories: list[str], hygiene: str = "") -> str:
    """The nearest active category for an intent: "other" when none fits, else the first."""
    preferences = ((hygiene,) if hygiene else ()) + PREFERENCES[intent]
    for slug in preferences:
        if slug in categories:
            return slug
    return "other" if "other" in categories else categories[0]


def message_text(subject: str, body: str) -> str:
    """The text the classifier's evidence quotes come from."""
    return f"{subject}\n{body}"


def classify(
    *,
    subject: str,
    body: str,
    sender_email: str,
    sender_domain: str,
    is_free_mail: bool,
    hygiene: str,
    categories: list[str],
    hidden: str = "",
    guess: Guess | None = None,
) -> contract.TriageOutput:
    """Triage without a model. `hidden` (the text the HTML hid, optional) only feeds
    the injection check. `guess`: the trained model's answer, which replaces the keyword
    scores (not the hygiene gate's flag)."""
    if not categories:
        raise ValueError("classify needs the active categories")
    subject, body = subject or "", body or ""
    scores = score_intents(subject=subject, body=body, hygiene=hygiene)
    intent = scores.intent
    category = pick_category(intent, categories, hygiene if intent == "hygiene" else "")
    if guess is not None and not hygiene:
        fallback = "sales" if guess.lead_probability >= 0.5 else "other"
        intent = INTENT_OF.get(guess.category, fallback)
        if guess.category in categories:
            category = guess.category
        else:
            category = pick_category(intent, categories)
    text = message_text(subject, body)
    # A pitch's "this week" or an applicant's "Head of Sales" says nothing about a buyer.
    facts = extract_facts(text) if intent not in {"hygiene", "spam", "vendor", "job"} else {}
    reasons = injection.suspicious(text, hidden)

    if guess is not None and not hygiene:
        confidence = round(min(max(guess.confidence, 0.0), 1.0), 2)
    elif intent == "hygiene":
        confidence = MAX_CONFIDENCE
    else:
        confidence = 0.3 + 0.05 * scores.top - 0.05 * scores.runner_up
        if intent in SALES_INTENTS and is_free_mail:
            confidence -= 0.1  # a buyer from gmail.com is real, but less often
        confidence = round(min(max(confidence, 0.2), MAX_CONFIDENCE), 2)

    if intent in {"vendor", "spam", "hygiene"}:
        urgency = "low"
    elif intent in SALES_INTENTS | {"support"} and _URGENT.search(fold_for_matching(text)):
        urgency = "high"
    else:
        urgency = "normal"

    who = sender_domain or sender_email or "unknown sender"
    topic = clean_line(subject, 300) or clean_line(body, 300)[:80] or "(no text)"
    summary = f"{LABELS[intent]} from {clean_line(who, 100)}: {topic}"
    if reasons:
        summary = "Possible prompt injection. " + summary
    if len(summary) > contract.SUMMARY_MAX:
        summary = summary[: contract.SUMMARY_MAX - 1].rstrip() + "\u2026"

    qualification = {}
    for name in contract.FACTS:
        fact = facts.get(name) or local_facts.fact()
        item = {"value": fact["value"], "evidence": fact["evidence"]}
        if name in contract.FACT_NUMBERS:
            item[contract.FACT_NUMBERS[name]] = fact["number"]
        qualification[name] = item

    output = {
        "category": category,
        "is_lead": (guess.lead_probability >= 0.5)
        if guess is not None and not hygiene
        else intent in SALES_INTENTS,
        "qualification": qualification,
        "urgency": urgency,
        "language": guess.language if guess is not None else detect_language(text),
        "summary": summary,
        "next_action": NEXT_ACTION[intent],
        "confidence": confidence,
        "needs_escalation": False,
        "escalation_reason": "",
        "injection_suspected": bool(reasons),
    }
    # Same gate as a model's answer: a bug here fails loudly instead of storing a bad triage.
    return contract.validate(output, categories=categories, message_text=text)
