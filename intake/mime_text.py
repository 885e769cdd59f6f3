"""Text helpers for mail: charsets, encoded headers, addresses, reply splitting, subject
normalising (HTML is intake.mail_html).

Pure functions (no Django, no I/O), used by intake.mime; the public ones are re-exported there.
"""

import codecs
import re
import unicodedata
from email.utils import getaddresses

MAX_HEADER_VALUE = 2000
MAX_ADDRESSES = 500
MAX_WARNINGS = 50
# One run of whitespace, counting the NBSP and zero-width space mail HTML pads with.
WHITESPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")

# --- charsets ------------------------------------------------------------------------------
# Labels mail clients use that Python does not know, or knows as a strict subset of what
# senders actually put in them.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "euc-kr": "cp949",
    "iso-2022-jp": "iso2022_jp_ext", "shift_jis": "cp932", "shift-jis": "cp932", "x-sjis": "cp932",
    "sjis": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "big5": "big5hkscs", "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8",
    "ascii": "utf-8", "ansi_x3.4-1968": "utf-8", "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874", "tis-620": "cp874", "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8",
    "x-mac-roman": "mac_roman", "x-mac-cyrillic": "mac_cyrillic",
}  # fmt: skip
# Text codecs that are not charsets; punycode is also quadratic on long input.
_REFUSED_CODECS = {"unicode_escape", "raw_unicode_escape", "punycode", "idna", "undefined"}


def codec_for(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    return None if name.replace("-", "_") in _REFUSED_CODECS else name


def decode_bytes(data: bytes, charset: str, warnings: list[str], where: str) -> str:
    """Declared charset (via aliases) -> utf-8 -> cp1252 -> latin-1, with a warning. No raise."""
    label = (charset or "").strip().strip("\"'")[:40]
    codec = codec_for(label) if label else "utf-8"
    if codec:
        try:
            return data.decode(codec).replace("\x00", "")
        except (UnicodeDecodeError, LookupError, ValueError):
            pass
    problem = "unknown charset" if codec is None else "bytes do not match charset"
    for fallback in ("utf-8", "cp1252", "latin-1"):
        if fallback == codec:
            continue
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        if label or fallback != "utf-8":
            add_warning(warnings, f"{where}: {problem} {label or '(none)'}, decoded as {fallback}")
        return text.replace("\x00", "")
    return ""  # pragma: no cover - latin-1 decodes any bytes


def add_warning(warnings: list[str], message: str) -> None:
    message = clean_header(message, 300)
    if len(warnings) < MAX_WARNINGS and message not in warnings:
        warnings.append(message)


# --- headers -------------------------------------------------------------------------------
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r\n|\r|\n")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def _decode_word(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        data = _B64_JUNK.sub(b"", payload.encode("ascii", "ignore"))
        data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
        return codecs.decode(data + b"=" * (-len(data) % 4), "base64")
    raw = payload.replace("_", " ").encode("ascii", "surrogateescape")
    return codecs.decode(raw, "quopri")


def decode_header_value(value: str, warnings: list[str] | None = None) -> str:
    """RFC 2047 words decoded (adjacent words joined), unfolded, NUL-free. Never raises."""
    warnings = [] if warnings is None else warnings
    value = _FOLD.sub("", value).replace("\x00", "")
    if "=?" not in value:
        return value.strip()
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset, warnings, "a header"))
        pending, pending_charset = [], ""

    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if gap and not (pending and not gap.strip()):
            flush()
            out.append(gap)
        charset = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix
        try:
            data = _decode_word(match.group(2), match.group(3))
        except Exception:
            flush()
            out.append(match.group(0))
            pos = match.end()
            continue
        if pending and charset.lower() != pending_charset.lower():
            flush()
        pending.append(data)
        pending_charset = charset
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out).strip()


def header_text(value: str, hint: str = "") -> str:
    """compat32 keeps 8-bit header bytes as surrogates: UTF-8 (RFC 6532), else the body's
    charset (old clients wrote raw KOI8-R or Shift_JIS headers), else cp1252."""
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value
    if raw.isascii():
        return value
    hinted = codec_for(hint) if hint else None
    if hinted and hinted.startswith(("utf-16", "utf-32", "utf-7")):
        hinted = None  # not ASCII-compatible: would "decode" anything into nonsense
    for codec in ("utf-8", hinted, "cp1252", "latin-1"):
        if not codec:
            continue
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover - latin-1 decodes everything


_LINE_BREAKS = re.compile(r"[\r\n]+")


def clean_header(value: str, limit: int = MAX_HEADER_VALUE) -> str:
    """One line, no NUL, capped: safe to store, never usable to inject a header line."""
    return _LINE_BREAKS.sub(" ", value.replace("\x00", ""))[:limit].strip()


_ADDR_SPEC = re.compile(r"^[^@\s<>(),;:\"\[\]]{1,64}@[^@\s<>(),;:\"\[\]]{1,255}$")
_BARE_ADDRESS = re.compile(r"[^\s<>(),;:\"'@]{1,64}@[A-Za-z0-9.-]{1,255}")


def parse_addresses(
    raw_values: list[str], warnings: list[str], hint: str = ""
) -> list[tuple[str, str]]:
    """(name, email) pairs: email lower-cased addr-spec or "" when unparseable."""
    values = [header_text(v, hint)[:65536] for v in raw_values]
    try:
        pairs = getaddresses(values)
    except Exception:
        pairs = [("", m) for v in values for m in _BARE_ADDRESS.findall(v)]
    result = []
    for name, email in pairs[:MAX_ADDRESSES]:
        email = email.strip().strip("<>").lower()
        if not _ADDR_SPEC.match(email):
            email = ""
        name = clean_header(decode_header_value(name, warnings), 200).strip("\"' ")
        if email or name:
            result.append((name, email))
    return result


_MSG_ID = re.compile(r"<([^<>]{1,995})>")


def msg_ids(value: str) -> list[str]:
    found = [m.strip().replace(" ", "") for m in _MSG_ID.findall(value)]
    if not found:
        found = [t.strip("<>") for t in value.split() if "@" in t]
    return [f[:995] for f in found if f]


# --- reply splitting ---------------------------------------------------------------------
# Attribution lines that open a quote, English, German, French, Spanish, plus Dutch, Italian,
# Portuguese and Scandinavian. Matched on one line, or on up to three lines joined (clients wrap).
_ATTRIBUTION = re.compile(
    r"^(?:"
    r"on\b.{4,300}\bwrote\s*:"
    r"|am\b.{4,300}\bschrieb\b.{0,200}:"
    r"|le\b.{4,300}\ba\s+[ée]crit\s*:"
    r"|el\b.{4,300}\bescribi[óo]\s*:"
    r"|op\b.{4,300}\bschreef\b.{0,200}:"
    r"|il\b.{4,300}\bha\s+scritto\s*:"
    r"|em\b.{4,300}\bescreveu\s*:"
    r"|(?:den|d\.)\b.{4,300}\bskrev\b.{0,200}:"
    r")\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(?:on|am|le|el|op|il|em|den|d\.)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:original message|urspr[üu]ngliche nachricht|message d'origine"
    r"|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# Outlook's block: "From: ..." followed closely by "Sent:"/"Date:"/"To:"/"Subject:" lines.
_OUTLOOK_FROM = re.compile(r"^\**\s*(?:from|von|de|da|van|från|fra)\s*:\**\s*\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\**\s*(?:sent|date|to|subject|cc|gesendet|datum|an|betreff|envoy[ée]|[àa]|objet"
    r"|enviado|fecha|para|asunto|verzonden|aan|onderwerp|inviato|data|oggetto)\s*:",
    re.IGNORECASE,
)
_SEPARATOR_LINE = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^(?:sent from my|sent from (?:outlook|mail) for|get outlook for|sent with|sent via"
    r"|gesendet von meinem|von meinem \S+ gesendet|envoy[ée] de mon|envoy[ée] depuis mon"
    r"|enviado desde mi|enviado do meu|inviato da)\b",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 15


_ATTRIBUTION_HINT = re.compile(r"@|\d{1,2}[:.]\d{2}")


def _attribution_before(lines: list[str], quote: int) -> int:
    """An unrecognised attribution ("... пользователь x@y написал:") right above a `>` block:
    a line ending in ":" with an address or a time in it, possibly wrapped over two lines."""
    above = [j for j in range(max(0, quote - 3), quote) if lines[j].strip()]
    if not above or above[-1] != quote - 1 and lines[quote - 1].strip():
        return quote
    last = above[-1]
    if not lines[last].rstrip().endswith(":") or len(lines[last]) > 300:
        return quote
    if not _ATTRIBUTION_HINT.search(lines[last]):
        return quote
    previous = last - 1
    if previous >= 0 and lines[previous].strip() and len(lines[previous]) < 300:
        if _ATTRIBUTION_HINT.search(lines[previous]):
            return previous
    return last


_MAX_ATTRIBUTION_CANDIDATES = 200


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line of the quoted part, or None."""
    candidates = 0  # the attribution regex backtracks: bound its work on crafted text
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or len(stripped) > 1000:
            continue
        if stripped.startswith(">"):
            return _attribution_before(lines, i)
        if _ORIGINAL_MESSAGE.match(stripped):
            return i
        if candidates < _MAX_ATTRIBUTION_CANDIDATES and _ATTRIBUTION_START.match(stripped):
            candidates += 1
            joined = stripped
            for extra in range(3):
                if _ATTRIBUTION.match(joined):
                    return i
                if i + extra + 1 >= len(lines):
                    break
                joined = f"{joined} {lines[i + extra + 1].strip()}"
        if _OUTLOOK_FROM.match(stripped):
            following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()][:3]
            if sum(1 for ln in following if _OUTLOOK_NEXT.match(ln.strip())) >= 2:
                if i and _SEPARATOR_LINE.match(lines[i - 1]):
                    return i - 1
                return i
    return None


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    for i in range(len(lines) - 1, max(-1, len(lines) - 1 - _MAX_SIGNATURE_LINES * 2), -1):
        if _SIGNATURE_DELIMITER.match(lines[i]) and len(lines) - i <= _MAX_SIGNATURE_LINES + 1:
            return lines[:i], lines[i:]
    tail = [i for i, line in enumerate(lines) if line.strip()]
    for i in tail[-3:]:
        if _MOBILE_SIGNATURE.match(lines[i].strip()):
            return lines[:i], lines[i:]
    return lines, []


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").rstrip()


def split_reply(text: str) -> tuple[str, str, str]:
    """Split a message body into (new text, quoted text, signature).

    Quote starts: a `>` line, an attribution ("On ... wrote:", "Am ... schrieb", "Le ... a écrit",
    "El ... escribió", ...), "-----Original Message-----", or an Outlook From:/Sent: block.
    Signature: the last "-- " delimiter, or a mobile "Sent from my ..." line, near the end.
    Forwarded messages are not split: the forwarded content is what a rep needs to read.
    """
    if not text:
        return "", "", ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _quote_start(lines)
    if start is None:
        new, quoted = lines, []
    else:
        new, quoted = lines[:start], lines[start:]
        marked = [i for i, line in enumerate(quoted) if line.lstrip().startswith(">")]
        if not _join(new) and marked and _join(quoted[marked[-1] + 1 :]):
            # Bottom-posting: the reply comes after the quote.
            new, quoted = quoted[marked[-1] + 1 :], quoted[: marked[-1] + 1]
    new, signature = _split_signature(new)
    return _join(new), _join(quoted), _join(signature)


# --- subjects ----------------------------------------------------------------------------
_SUBJECT_PREFIX = re.compile(
    r"^(?:re|fwd?|aw|wg|sv|vs|vb|tr|rv|r[ée]f|antw|antwort|odp|pd|enc|res|rif|r|i|ynt|ilt|fs"
    r"|doorst|reply|forward|回复|回覆|答复|转发|轉寄|返信|転送)"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]",
    re.IGNORECASE,
)
# Security gateways and lists tag subjects: "[EXT]", "[External]", "[SPAM]".
_SUBJECT_TAG = re.compile(r"^\[[A-Za-z][A-Za-z _-]{0,30}\]")


def normalize_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and gateway tags, casefolded: a thread key."""
    current = WHITESPACE.sub(" ", subject or "").strip()
    while True:
        stripped = _SUBJECT_PREFIX.sub("", current, count=1).strip()
        stripped = _SUBJECT_TAG.sub("", stripped, count=1).strip()
        if stripped == current:
            break
        current = stripped
    return current.casefold()


_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")


def fold_for_matching(value: str) -> str:
    """Casefolded, Latin accents removed, whitespace collapsed: for keyword matching.

    Only U+0300-U+036F go: kana voicing marks (U+3099) are part of the word, not an accent.
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", decomposed))
    return WHITESPACE.sub(" ", plain).strip()
