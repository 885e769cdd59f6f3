"""Prompt-injection signs found by code, whatever the model says. Pure.

`suspicious()` returns one reason per kind found, as "kind: detail". The model's own
`injection_suspected` is a second opinion; a hit here sends the lead to a person, never to a
bigger model (ANTHROPIC.md, "Prompt injection").

What counts: text aimed at the AI reading the mail. A person who asks for their manager, wants
an urgent answer or writes "ignore my previous email" is a customer. So the phrases are anchored
on what only a prompt says: instructions/prompt/rules, the model, the answer's fields.
"""

import base64
import binascii
import re
import unicodedata

KINDS = (
    "ignore_instructions",
    "fake_turn",
    "jailbreak",
    "steering",
    "reveal_prompt",
    "ai_addressed",
    "fake_json",
    "delimiter_spoof",
    "zero_width",
    "bidi_control",
    "unicode_tags",
    "hidden_html",
    "base64_instructions",
)

# Cyrillic and Greek letters that look Latin: "іgnore" must still read as "ignore".
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁӏαεορτυνκмнтвΑΒΕΖΗΙΚΜΝΟΡΤΥΧАВЕКМНОРСТХ",
    "aeopcyxijsdlaeoptuvkmhtbabezhikmnoptyxabekmhopctx",
)
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u180e\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_TAGS_RE = re.compile("[\U000e0000-\U000e007f]")
_SPACE_RE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """For matching: NFKC, invisible characters out, look-alike letters mapped, one space."""
    text = unicodedata.normalize("NFKC", text)
    text = _TAGS_RE.sub("", _BIDI_RE.sub("", _ZERO_WIDTH_RE.sub("", text)))
    text = text.replace("\u00ad", "").casefold().translate(_CONFUSABLES)
    return _SPACE_RE.sub(" ", text)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_POSSESSIVE_OWN = re.compile(
    r"\b(?:my|our|mine|meine?\w*|unsere?\w*|mes|nos|notre|mis|nuestr\w*|mie|miei|nostr\w*)\b"
)
_IGNORE = [
    _p(
        r"\b(?:ignore|disregard|forget|override|bypass|discard)\b[^.\n]{0,30}?"
        r"\b(?:instructions?|prompts?|system prompt|directives?|rules|guidelines)\b"
    ),
    _p(
        r"\b(?:ignore|disregard|forget) (?:everything|all(?: of)?(?: the)? text) (?:above|before"
        r"|you (?:were|have been) told)\b"
    ),
    _p(r"\b(?:new|updated|real|actual|revised) (?:system )?instructions?\s*:"),
    _p(r"\binstead,? (?:follow|obey) (?:these|the following)\b"),
    # de
    _p(
        r"\b(?:ignorier\w*|vergiss|vergessen sie|missachte\w*)\b[^.\n]{0,40}?"
        r"\b(?:anweisung\w*|instruktion\w*|vorgaben|regeln|prompts?)\b"
    ),
    _p(r"\bneue anweisung(?:en)?\s*:"),
    # fr
    _p(
        r"\b(?:ignore[rz]?|oublie[rz]?|ne tiens pas compte)\b[^.\n]{0,40}?"
        r"\b(?:instructions?|consignes?|regles|directives?|prompts?)\b"
    ),
    _p(r"\bnouvelles? (?:instructions?|consignes?)\s*:"),
    # es / pt / it
    _p(
        r"\b(?:ignora[rd]?|ignore|olvida[rd]?|olvide|omite|esquece|ignorate|dimentica)\b"
        r"[^.\n]{0,40}?\b(?:instrucciones|instruccion|indicaciones|reglas|instrucoes|instrucao"
        r"|istruzioni|regole|prompts?)\b"
    ),
    _p(r"\bnuevas instrucciones\s*:"),
]

_TEMPLATE_TOKENS = _p(
    r"<\|(?:im_start|im_end|im_sep|endoftext|system|user|assistant|eot_id|start_header_id"
    r"|end_header_id|begin_of_text)\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>"
)
_ROLE_TAGS = _p(
    r"</?(?:system|assistant|user|human|email|instructions?|prompt|admin|developer"
    r"|system[_-]?prompt)\s*>"
)
_ROLE_LINE = re.compile(
    r"^[ \t>#*\[\(]*(human|assistant|system|ai|claude|chatgpt|gpt|user)"
    r"(?:\s+(?:prompt|message|note|override))?[ \t\]\)*]*:[ \t]*(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# What a prompt says, not what a support ticket's "System: Windows 11" line says.
_IMPERATIVE = _p(
    r"\b(?:you are|you're an?|you must|you will now|ignore|disregard|new instructions?|override"
    r"|(?:respond|reply|answer) (?:only )?with|output (?:only|the following|json)"
    r"|classify (?:this|the)|categori[sz]e|mark (?:this|the)|escalate|the (?:email|message|lead)"
    r" is|set (?:the )?(?:category|score|confidence|priority))\b|^\s*\{"
)

_JAILBREAK = [
    _p(r"\b(?:dan|god|jailbreak|unrestricted|unfiltered) mode\b"),
    _p(r"\b(?:you are (?:now )?in|enter|activate) developer mode\b"),
    _p(r"\bdo anything now\b|\bjailbr(?:eak|oken)\b"),
    _p(
        r"\byou are (?:now|no longer)\b[^.\n]{0,40}?\b(?:an? )?(?:ai|assistant|bot|dan|classifier"
        r"|unrestricted|unfiltered|jailbroken|language model)\b"
    ),
    _p(
        r"\bfrom now on,? you (?:are|will|must|shall) (?:act|respond|answer|reply|classify"
        r"|output|ignore|be an?|only)\b"
    ),
    _p(
        r"\b(?:pretend|imagine|act|behave|role-?play)\b[^.\n]{0,20}?\b(?:to be|you are|as)\b"
        r"[^.\n]{0,30}?\b(?:ai|llm|chatbot|bot|dan|unrestricted|unfiltered|evil|jailbroken)\b"
    ),
    _p(r"\b(?:hypothetical|fictional) (?:response|scenario) where you\b"),
]

_STEERING = [
    _p(
        r"\b(?:escalate|forward|route|send|pass|hand)\b[^.\n]{0,30}?\bto\b (?:the |a )?"
        r"(?:claude[- ]?)?(?:opus|sonnet|gpt-?[45o]\w*|(?:bigger|larger|stronger|smarter|better"
        r"|more (?:capable|advanced|powerful)|premium|higher[- ]tier|tier[- ]?[23])\b"
        r"[^.\n]{0,10}?\b(?:model|ai|llm|tier))\b"
    ),
    _p(
        r"\b(?:use|switch to|call|invoke)\b (?:a |the )?(?:bigger|larger|stronger|smarter|better"
        r"|more (?:capable|advanced|powerful)) (?:model|ai|llm)\b"
    ),
    _p(
        r"\b(?:mark|classify|flag|label|tag|rate|score|categori[sz]e|set)\b"
        r"[^.\n]{0,40}?\bas\b (?:a |an )?(?:hot(?: lead)?|high[- ]priority|top[- ]priority"
        r"|priority (?:1|one)|p1|sales[- ]qualified|qualified lead|vip|must[- ]win)\b"
    ),
    _p(
        r"\bset\b[^.\n]{0,20}?\b(?:the )?(?:score|confidence|urgency|category|lead score"
        r"|needs_escalation|is_lead)\b[^.\n]{0,10}?(?:\bto\b|=|\bat\b)"
    ),
    _p(
        r"\b(?:lead score|priority score|confidence(?: score)?|urgency)\b\s*(?:[:=]|should be"
        r"|must be)\s*(?:1(?:\.0+)?\b|100\b|high\b|max)"
    ),
    _p(r"\b(?:needs_escalation|injection_suspected|is_lead|next_action)\b"),
]

_REVEAL = [
    _p(
        r"\b(?:reveal|show|print|repeat|output|display|leak|share|tell me|give me|write out"
        r"|what (?:is|are|were))\b[^.\n]{0,20}?\b(?:your|the)\b (?:\w+ )?(?:system prompt"
        r"|initial prompt|hidden prompt|original prompt|system message|prompt)\b"
    ),
    _p(
        r"\b(?:reveal|print|repeat|output|display|leak|write out|show me)\b (?:all )?(?:of )?your"
        r" (?:\w+ )?(?:instructions|rules|configuration|guidelines)\b"
    ),
    _p(r"\brepeat (?:the |all )?(?:text|words|everything) above\b"),
    _p(r"\b(?:verbatim|word for word)\b[^.\n]{0,30}?\b(?:prompt|instructions)\b"),
]

_AI_NAMES = (
    r"(?:ai|a\.i\.|ai (?:model|assistant|system|agent)|llm|language model|model|assistant"
    r"|classifier|bot|chatbot|claude|chatgpt|gpt|automated system|email filter|triage system)"
)
_AI_ADDRESSED = [
    # "Note to AI:", "Attention LLM -": formal address with its punctuation.
    _p(
        r"\b(?:attention|attn|note to|message to|instructions? (?:for|to)|p\.?s\.? (?:to|for))"
        r"\s+(?:the |any |all |our )?" + _AI_NAMES + r"s?\s*[:,!-]"
    ),
    # A greeting: only names no person has ("Hi Claude," is a person).
    _p(
        r"\b(?:dear|hey|hi|hello)\s+(?:the |dear )?(?:ai (?:model|assistant|system|agent)|llm"
        r"|language model|chatbot|chatgpt|gpt|classifier|email classifier|triage bot)\b"
    ),
    _p(r"\bif you are an? (?:ai|llm|language model|ai assistant|bot|chatbot|automated system)\b"),
    _p(
        r"\b(?:ai|llm|language model|assistant|bot|classifier|model)s? (?:reading|processing"
        r"|parsing|triaging|analy[sz]ing|summari[sz]ing) (?:this|these)\b"
    ),
]

_JSON_KEY = re.compile(
    r"[\"'\u201c\u201d](category|confidence|needs_escalation|is_lead|injection_suspected"
    r"|next_action|urgency|qualification|escalation_reason)[\"'\u201c\u201d]\s*:",
    re.IGNORECASE,
)
# Keys nobody but our contract uses: one is enough. "category" alone is any product feed.
_CONTRACT_ONLY = {"needs_escalation", "injection_suspected", "is_lead", "next_action"}

_DELIMITER = [
    _p(r"<{2,}\s*/?\s*(?:end|email|begin|start|system|stop)\b"),
    _p(
        r"\b(?:end|begin|start) ?(?:of)? ?(?:the )?(?:email|message|user input|input|document)"
        r"\s*(?:>{2,}|-{3,}|={3,})"
    ),
    _p(
        r"(?:-{3,}|={3,}|\#{3,}|\[)\s*(?:end|begin|start) (?:of )?(?:the )?(?:email|message"
        r"|user input|input|document|data)\b"
    ),
    _p(r"\bemail (?:ends|content ends) here\b"),
]

# Lines of base64 as mail wraps them; the total length is checked after joining.
_BASE64 = re.compile(
    r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/]{16,})*={0,2}"
    r"(?![A-Za-z0-9+/=])"
)
_BASE64_WORDS = _p(
    r"\b(?:ignore|disregard|instructions?|system prompt|assistant|prompt|escalate|you are"
    r"|classify|confidence|priority|jailbreak|override)\b"
)


def _first(patterns: list[re.Pattern[str]], text: str, skip=None) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            if skip is None or not skip.search(match.group(0)):
                return match.group(0)
    return None


def _snippet(text: str, limit: int = 60) -> str:
    text = _SPACE_RE.sub(" ", text).strip()
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _fold_lines(text: str) -> str:
    """Like _fold but keeps line breaks, for line-anchored patterns."""
    return "\n".join(_fold(line).strip() for line in text.splitlines())


def _fake_turn(raw: str, folded: str) -> str | None:
    for pattern in (_TEMPLATE_TOKENS, _ROLE_TAGS):
        match = pattern.search(folded)
        if match:
            return match.group(0)
    # "System: Windows 11" and "Assistant: Jane Doe" are ordinary lines; a role label is a fake
    # turn when it speaks like a prompt, or when an AI role and another make a transcript.
    labels = list(_ROLE_LINE.finditer(_fold_lines(raw)))
    for match in labels:
        if _IMPERATIVE.search(match.group(2)):
            return match.group(0)
    roles = {match.group(1).lower() for match in labels}
    if len(roles) >= 2 and roles & {"assistant", "ai", "claude", "chatgpt", "gpt"}:
        return labels[0].group(0)
    return None


def _fake_json(text: str) -> str | None:
    keys = {match.group(1).lower() for match in _JSON_KEY.finditer(text)}
    generic = keys - _CONTRACT_ONLY
    if keys & _CONTRACT_ONLY or {"category", "confidence"} <= keys or len(generic) >= 3:
        return "answer-shaped JSON with " + ", ".join(sorted(keys))
    return None


def _zero_width(text: str) -> str | None:
    """Zero-width characters inside Latin text. Emoji joiners and Persian ZWNJ are writing."""
    count = 0
    for match in _ZERO_WIDTH_RE.finditer(text):
        start, end = match.start(), match.end()
        if match.group(0) == "\ufeff" and start == 0:
            continue  # a byte-order mark
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if (before.isascii() and before.strip()) or (after.isascii() and after.strip()):
            count += 1
    return f"{count} zero-width character(s) inside text" if count else None


def _base64_instructions(text: str, depth: int) -> str | None:
    for match in _BASE64.finditer(text):
        blob = _SPACE_RE.sub("", match.group(0))
        if len(blob) < 24:
            continue
        try:
            plain = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue  # binary: an image, a key, a tracking id
        printable = sum(ch.isprintable() or ch.isspace() for ch in plain)
        if not plain.strip() or printable / len(plain) < 0.95:
            continue
        inner = suspicious(plain, _depth=depth + 1) if depth < 1 else []
        if inner or _BASE64_WORDS.search(_fold(plain)):
            return "decodes to " + _snippet(plain)
    return None


def suspicious(text: str, hidden: str = "", *, _depth: int = 0) -> list[str]:
    """Reasons, one per kind found, as "kind: detail"; [] for an ordinary message.

    `text` is what the message says (subject and body); `hidden` the text its HTML hides
    from a reader (`Message.hidden_text`, found by intake.hidden_html as the mail is parsed).
    """
    text = text or ""
    folded = _fold(text)
    found: dict[str, str] = {}

    def quote(kind: str, hit: str | None) -> None:
        if hit and kind not in found:
            found[kind] = _snippet(hit)

    def describe(kind: str, detail: str | None) -> None:
        if detail and kind not in found:
            found[kind] = detail

    quote("ignore_instructions", _first(_IGNORE, folded, skip=_POSSESSIVE_OWN))
    quote("fake_turn", _fake_turn(text, folded))
    quote("jailbreak", _first(_JAILBREAK, folded))
    quote("steering", _first(_STEERING, folded))
    quote("reveal_prompt", _first(_REVEAL, folded))
    quote("ai_addressed", _first(_AI_ADDRESSED, folded))
    describe("fake_json", _fake_json(folded))
    quote("delimiter_spoof", _first(_DELIMITER, folded))
    describe("zero_width", _zero_width(text))
    bidi = _BIDI_RE.findall(text)
    describe("bidi_control", f"{len(bidi)} bidi control character(s)" if bidi else None)
    tags = [ord(ch) - 0xE0000 for ch in _TAGS_RE.findall(text)]
    if tags:
        smuggled = "".join(chr(code) for code in tags if 0x20 <= code < 0x7F)
        describe("unicode_tags", f"{len(tags)} tag character(s) spelling {_snippet(smuggled)}")
    describe("base64_instructions", _base64_instructions(text, _depth))

    if hidden and _depth == 0:
        # A spacer or an empty preheader is layout; a dozen hidden letters are text.
        if sum(ch.isalpha() for ch in hidden) >= 12:
            describe("hidden_html", "hidden text " + _snippet(hidden))
            for reason in suspicious(hidden, _depth=1):
                kind, _, detail = reason.partition(": ")
                describe(kind, detail + " (in hidden HTML)")
    return [f"{kind}: {detail}" for kind, detail in found.items()]


def kinds(reasons: list[str]) -> set[str]:
    """The kinds in a list of reasons from `suspicious`."""
    return {reason.partition(":")[0] for reason in reasons}
