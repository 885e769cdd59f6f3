"""Facts for the no-key classifier: budget, authority, need, timeline and company size.

Regexes over the sender's own words, each fact with the quote that shows it, in the shape
`contract.validate` checks. Pure; used by routing.local.
"""

import re

from routing import contract

# Patterns run on the original text, so the quote is exactly what the sender wrote.

_NUM = r"\d{1,3}(?:[.,\u00a0 ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_I = re.IGNORECASE

_EMPLOYEES = re.compile(
    r"(?:(?:about|around|approximately|approx\.?|over|more than|roughly|nearly|almost|ca\.?"
    r"|rund|etwa|über|environ|plus de|près de|unos|alrededor de|cerca de|más de|mais de|circa)"
    r"\s+)?"
    rf"({_NUM})\s*(k\b)?\+?\s*(?:employees|staff|people|persons|FTEs?"
    r"|Mitarbeiter(?:innen|n)?|Mitarbeitende[n]?|Beschäftigte[n]?|Angestellte[n]?"
    r"|salariés|employés|collaborateurs|personnes|empleados|trabajadores|personas"
    r"|funcionários|colaboradores|dipendenti|persone)\b",
    _I,
)
_HEADCOUNT = re.compile(rf"\bheadcount (?:of )?({_NUM})\b", _I)
_SEATS = re.compile(
    rf"\b({_NUM})\s*(seats?|licen[cs]es?|users?|agents?|sales reps|reps|Lizenzen|Nutzer"
    r"(?:innen)?|Benutzer|Arbeitsplätze|utilisateurs|postes|licencias|usuarios|puestos"
    r"|licenças|usuários|licenze|utenti)\b",
    _I,
)
_TEAM = re.compile(
    rf"\b(?:team of|Team von|équipe de|equipo de|equipe de|squadra di)\s+({_NUM})\b", _I
)
_NEED_PHRASE = re.compile(
    r"\b(?:we need|we are looking for|we're looking for|we are evaluating|we're evaluating"
    r"|we are replacing|we're replacing|we would like|we'd like|we want"
    r"|wir suchen|wir benötigen|suchen eine|nous cherchons|nous souhaitons|souhaitons"
    r"|buscamos|necesitamos|estamos buscando|procuramos|cerchiamo)\s[^.\n!?]{3,80}",
    _I,
)
_MULTIPLIER = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "thousand": 1_000}
_MULTIPLIER.update({"million": 1_000_000, "tsd": 1_000, "mio": 1_000_000})
_USD = [
    re.compile(rf"(?:US)?\$\s?({_NUM})\s?(k|mm|m|thousand|million)?(?![\w])", _I),
    re.compile(rf"\b({_NUM})\s?(k|m|thousand|million)?\s?(?:USD|US dollars|dollars)\b", _I),
]
_OTHER_MONEY = [
    re.compile(rf"(?:€|EUR|£|GBP|CHF)\s?({_NUM})\s?(k|m|Tsd\.?|Mio\.?)?(?![\w])", _I),
    re.compile(
        rf"\b({_NUM})\s?(k|m|Tsd\.?|Mio\.?)?\s?(?:€|EUR\b|euros?\b|£|GBP\b|CHF\b|pounds\b)", _I
    ),
]
_BUDGET_PHRASE = re.compile(
    r"\bbudget\b[^.\n]{0,40}?\b(?:approved|allocated|in place|secured|available|signed off"
    r"|confirmed)\b|\b(?:approved|allocated) budget\b"
    r"|\bBudget\b[^.\n]{0,30}?\b(?:freigegeben|genehmigt|vorhanden|eingeplant)\b"
    r"|\bbudget\b[^.\n]{0,30}?\b(?:validé|approuvé|alloué|prévu)\b"
    r"|\bpresupuesto\b[^.\n]{0,30}?\b(?:aprobado|asignado|disponible)\b",
    _I,
)
_AUTHORITY = [
    (
        re.compile(
            r"\bdecision[- ]makers?\b|\bfinal say\b|\bsigning authority\b|\bbudget holder\b"
            r"|\bEntscheider(?:in)?\b|\bEntscheidungsträger(?:in)?\b|\bdécideur\b"
            r"|\bdécisionnaire\b|\btomador de decisiones\b",
            _I,
        ),
        "decision maker",
    ),
    (
        re.compile(
            r"\b(?:CEO|CTO|CFO|COO|CIO|CMO|CRO|CISO|CPO)\b|\bChief [A-Z]\w+ Officer\b"
            r"|\b(?:Co-?)?[Ff]ounder\b|\bManaging Director\b|\bGeschäftsführer(?:in)?\b"
            r"|\bInhaber(?:in)?\b|\bPDG\b|\b[Dd]irect(?:eur|rice) général(?:e)?\b|\bgérante?\b"
            r"|\bfondat(?:eur|rice)\b|\b[Dd]irector [Gg]eneral\b|\bfundador(?:a)?\b"
        ),
        None,
    ),
    (
        re.compile(
            r"\bHead of [A-Z][\w&-]+(?: [A-Z][\w&-]+)?|\bVP(?: of)? [A-Z][\w&-]+"
            r"|\bVice President(?: of)? [A-Z][\w&-]+|\b(?:Senior )?Director(?: of)? [A-Z][\w&-]+"
            r"|\b(?:Abteilungs|Bereichs|Vertriebs|IT-)?[Ll]eiter(?:in)?\b(?: [A-Z]\w+)?"
            r"|\b[Dd]irect(?:eur|rice) (?:commercial|des \w+|de \w+)|\b[Rr]esponsable (?:des? \w+)"
            r"|\b[Jj]efe de \w+|\b[Gg]erente de \w+|\b[Dd]irector de \w+"
        ),
        None,
    ),
    (
        re.compile(r"\b(?:IT[- ])?(?:Procurement|Purchasing|Einkauf|achats|compras)\b", _I),
        "procurement",
    ),
]
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_TIMELINE = [
    re.compile(r"\b(?:this|next|the coming) (?:week|month|quarter|year)\b", _I),
    re.compile(r"\b(?:asap|as soon as possible|immediately|today|tomorrow)\b", _I),
    re.compile(
        r"\b(?:by|before|until|in|from|starting|starting in|within)\s+(?:the )?(?:end of |mid-?"
        rf"|early |late |the end of )?(?:{_MONTHS}|Q[1-4]|the (?:year|month|quarter))"
        r"(?: \d{4})?\b",
        _I,
    ),
    re.compile(r"\bQ[1-4](?:[ /-]?(?:20)?\d{2}\b)?", 0),
    re.compile(r"\bwithin (?:the next )?\d+ (?:days|weeks|months)\b", _I),
    re.compile(
        r"\b(?:nächste[nr]?|diese[nr]?|kommende[nr]?) (?:Woche|Monat|Quartal|Jahr)\b"
        r"|\b(?:im|ab|bis|bis Ende|Anfang|Mitte|Ende) (?:Januar|Februar|März|April|Mai|Juni"
        r"|Juli|August|September|Oktober|November|Dezember)\b|\b(?:sofort|baldmöglichst)\b",
        _I,
    ),
    re.compile(
        r"\b(?:cette semaine|la semaine prochaine|le mois prochain|ce mois-ci|dès que possible)"
        r"|\b(?:en|d'ici|avant|fin|début) (?:janvier|février|mars|avril|mai|juin|juillet|août"
        r"|septembre|octobre|novembre|décembre)\b",
        _I,
    ),
    re.compile(
        r"\b(?:esta semana|la próxima semana|el próximo mes|lo antes posible)\b"
        r"|\b(?:en|antes de|para|a partir de) (?:enero|febrero|marzo|abril|mayo|junio|julio"
        r"|agosto|septiembre|octubre|noviembre|diciembre)\b",
        _I,
    ),
]
_WS = re.compile(r"\s+")


def _quote(match: re.Match[str]) -> str:
    return _WS.sub(" ", match.group(0)).strip()[: contract.EVIDENCE_MAX]


def _number(text: str, suffix: str | None = None) -> float | None:
    """ "2,000" / "2.000" / "2 000" -> 2000, "1.5" -> 1.5; times k/m/Tsd/Mio."""
    raw = text.replace("\u00a0", " ").strip()
    if re.fullmatch(r"\d{1,3}(?:[., ]\d{3})+", raw):
        value = float(re.sub(r"[., ]", "", raw))
    else:
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            return None
    if suffix:
        value *= _MULTIPLIER.get(suffix.lower().rstrip("."), 1)
    return value


def _first_match(patterns, text: str) -> re.Match[str] | None:
    """The earliest match of any pattern: what the sender said first."""
    matches = [match for pattern in patterns if (match := pattern.search(text))]
    return min(matches, key=lambda match: match.start()) if matches else None


def fact(value=None, evidence: str = "", number=None) -> dict:
    return {"value": value, "evidence": evidence if value is not None else "", "number": number}


def extract_facts(text: str) -> dict[str, dict]:
    """Budget, authority, need, timeline and company size, each with the words that show it.

    Mail wraps lines anywhere ("this\nweek"), so the text is matched with whitespace collapsed;
    the contract compares quotes the same way.
    """
    text = _WS.sub(" ", text)
    facts = {name: fact() for name in contract.FACTS}

    match = _EMPLOYEES.search(text) or _HEADCOUNT.search(text)
    if match:
        count = _number(match.group(1), match.group(2) if match.re is _EMPLOYEES else None)
        if count and count >= 1:
            facts["company_size"] = fact(f"{int(count)} employees", _quote(match), int(count))

    match = _SEATS.search(text)
    if match:
        facts["need"] = fact(f"{match.group(1)} {match.group(2)}", _quote(match))
    elif match := _TEAM.search(text):
        facts["need"] = fact(f"team of {match.group(1)}", _quote(match))
    elif match := _NEED_PHRASE.search(text):
        facts["need"] = fact(_quote(match)[:100], _quote(match))

    match = _first_match(_USD, text)
    if match:
        amount = _number(match.group(1), match.group(2))
        number = round(amount, 2) if amount is not None else None
        facts["budget"] = fact(_quote(match), _quote(match), number)
    elif match := _first_match(_OTHER_MONEY, text):
        # No exchange rates here: the amount stays in its currency, amount_usd unknown.
        facts["budget"] = fact(_quote(match), _quote(match))
    elif match := _BUDGET_PHRASE.search(text):
        facts["budget"] = fact("approved", _quote(match))

    for pattern, value in _AUTHORITY:
        match = pattern.search(text)
        if match:
            facts["authority"] = fact(value or _quote(match), _quote(match))
            break

    match = _first_match(_TIMELINE, text)
    if match:
        facts["timeline"] = fact(_quote(match), _quote(match))
    return facts
