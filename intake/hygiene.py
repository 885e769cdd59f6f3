"""Mail that is not from a person: complaints, bounces, auto-replies, list mail. Pure.

A flagged message is kept (and threaded) but never reaches a sales queue or the model
(RELIABILITY.md, check 10). The checks run from the most specific signal to the least, and the
first that matches decides. A false positive hides a lead, so weak signals (a subject word alone)
are anchored to where auto-responders put them.
"""

import re
from dataclasses import dataclass

from intake.mime import ParsedMessage
from intake.mime_text import fold_for_matching


@dataclass(frozen=True)
class Verdict:
    flag: str  # "" | "auto_reply" | "bounce" | "complaint" | "list"
    reason: str


NONE = Verdict("", "")

# No person writes from mailer-daemon@. People do write from postmaster@ (a role mailbox, see
# flanker/long-links.eml), so that one needs a second sign of a machine.
_DAEMON_SENDERS = {"mailer-daemon", "mail-daemon", "mailerdaemon"}
_POSTMASTER_SENDERS = {"postmaster"}

# Matched at the start of the folded subject (casefolded, accents removed), after an optional
# gateway tag such as "[EXT]" or "[Postmaster]".
_BOUNCE_SUBJECT = re.compile(
    r"^(?:\[[^\]]{1,30}\]\s*)?(?:"
    r"undeliver(?:ed|able)\b"
    r"|returned mail\b|return(?:ed)? to sender\b"
    r"|delivery status notification\b|delivery status\s*$|delivery status notification:"
    r"|delivery (?:has )?fail|delivery failure\b|(?:e-?mail |mail )?delivery failure\b"
    r"|mail delivery (?:failed|failure|error|problem|subsystem)"
    r"|failure notice\b|non-?deliver(?:y|able)\b|nondeliverable\b"
    r"|mail system error\b|message (?:not|could not be) delivered|delayed mail\b"
    r"|sorry, your message could not be delivered"
    r"|could not send message|warning: could not send"
    r"|unzustellbar\b|nicht zustellbar|non remis\b|non distribuable|no se puede entregar"
    r"|no entregado|onbestelbaar\b|impossibile recapitare"
    r"|メールエラー通知|(?:メッセージを)?配信できません|配送エラー"
    r")"
)
# Out-of-office and auto-reply subjects, matched on the folded subject (casefolded, accents
# removed: "Außer Haus" -> "ausser haus", "Réponse" -> "reponse"). A phrase counts only at the
# start (after an optional "[tag]") and only when it stands alone or is followed by a separator
# or a date-ish word: "Urlaub bis 5. Mai", "Out of Office: Re: quote", "Absent" yes;
# "Vacation rental inquiry", "Absent-minded pricing question", "Out of office furniture" no.
_AUTO_REPLY_SUBJECT = re.compile(
    r"^(?:\[[^\]]{1,30}\]\s*)?(?:"
    r"out of (?:the )?office|ooo|auto(?:matic|matische|matisch)?[ -]?"
    r"(?:reply|replied|response|respons\w*|antwort|answer|antwoord)|autoreply|autorespon\w*"
    r"|away(?: from (?:the |my )?(?:office|desk|e-?mail|work))?"
    r"|vacation(?: (?:auto[- ]?)?(?:reply|response|notice|message))?|on vacation|on holiday"
    r"|on leave|abwesenheit(?:snotiz|smeldung|snachricht)?|abwesend|automatische antwort"
    r"|ausser haus|urlaub|im urlaub|nicht im buro"
    r"|absence du bureau|absente?(?: du bureau)?|message d'absence|reponse automatique"
    r"|je suis absente?|en conges|vacances|en vacances"
    r"|fuera de (?:la )?oficina|respuesta automatica|mensaje de ausencia|ausencia|de vacaciones"
    r"|ausente|risposta automatica|fuori (?:sede|ufficio)|resposta automatica"
    r"|automatisch antwoord|afwezig|autosvar|franvaro"
    r")(?:\s*$|\s*[:(\[]|\s+[-–|]\s|\s+(?:until|till|through|from|bis|vom|ab|jusqu\w*|du|au"
    r"|hasta|desde|del|al|returning|back|auto\w*|reply|re(?=:)|notice|notification|message)\b)"
)
_LIST_PRECEDENCE = {"bulk", "list", "junk"}


def classify(parsed: ParsedMessage) -> Verdict:
    headers = _headers(parsed)
    subject = fold_for_matching(parsed.subject)
    types = set(parsed.part_types) | {parsed.content_type}

    # Complaint: RFC 5965 ARF feedback reports.
    if parsed.content_type == "multipart/report" and parsed.report_type == "feedback-report":
        return Verdict("complaint", "multipart/report feedback-report")
    if "message/feedback-report" in types:
        return Verdict("complaint", "message/feedback-report part")

    # Bounce: RFC 3464 DSNs, then the sender and subject conventions of MTAs that do not send
    # DSNs (qmail, Exchange 2003, Gmail's plain-text bounces, ...). A delayed DSN is still a DSN.
    if parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status":
        return Verdict("bounce", "multipart/report delivery-status")
    for dsn_type in ("message/delivery-status", "message/global-delivery-status"):
        if dsn_type in types:
            return Verdict("bounce", f"{dsn_type} part")
    if "x-failed-recipients" in headers:
        return Verdict("bounce", "X-Failed-Recipients")
    local_part = parsed.from_email.partition("@")[0]
    if local_part in _DAEMON_SENDERS:
        return Verdict("bounce", f"sender {local_part}")
    if _BOUNCE_SUBJECT.match(subject):
        return Verdict("bounce", f"subject: {parsed.subject[:80]}")
    if local_part in _POSTMASTER_SENDERS:
        returned = types & {"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"}
        null_sender = headers.get("return-path", "").replace(" ", "") == "<>"
        auto = _first_token(headers.get("auto-submitted", "no")) != "no"
        if returned or null_sender or auto:
            return Verdict("bounce", f"sender {local_part} with a returned message or null sender")

    # Auto-reply: RFC 3834 first, then vendor headers, then out-of-office subjects.
    auto_submitted = _first_token(headers.get("auto-submitted", ""))
    if auto_submitted and auto_submitted != "no":
        return Verdict("auto_reply", f"Auto-Submitted: {auto_submitted}")
    if parsed.content_type == "multipart/report" and parsed.report_type:
        # disposition-notification: a read receipt, generated by the recipient's client.
        return Verdict("auto_reply", f"multipart/report {parsed.report_type}")
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        value = _first_token(headers.get(name, "x"))
        if name in headers and value not in ("no", "false", "0"):
            return Verdict("auto_reply", f"{name.title()}: {headers[name][:40]}")
    precedence = _first_token(headers.get("precedence", ""))
    if precedence == "auto_reply":
        return Verdict("auto_reply", "Precedence: auto_reply")
    if headers.get("x-apple-action", "").strip().lower() == "vacation":
        return Verdict("auto_reply", "X-Apple-Action: vacation")
    if _AUTO_REPLY_SUBJECT.match(subject):
        return Verdict("auto_reply", f"subject: {parsed.subject[:80]}")
    # X-Auto-Response-Suppress alone is deliberately not a signal. It asks *us* not to
    # auto-reply, and Outlook/Exchange set it on plenty of human-triggered mail: meeting
    # requests, messages sent through apps and CRMs, web-form notifications (which are leads).
    # Real Exchange auto-replies also carry "Automatic reply:" or Auto-Submitted, caught above.

    # List mail: RFC 2369/2919 headers, or Precedence (some auto-responders use bulk too).
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if name in headers:
            return Verdict("list", name.title())
    if precedence in _LIST_PRECEDENCE:
        return Verdict("list", f"Precedence: {precedence}")
    return NONE


def _headers(parsed: ParsedMessage) -> dict[str, str]:
    """First value of each header, by lower-cased name."""
    found: dict[str, str] = {}
    for name, value in parsed.headers:
        found.setdefault(name.strip().lower(), value)
    return found


def _first_token(value: str) -> str:
    return re.split(r"[\s;(]", value.strip().lower(), maxsplit=1)[0] if value.strip() else ""


FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    """
    gmail.com googlemail.com
    yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it yahoo.ca yahoo.com.au yahoo.co.in
    yahoo.co.jp yahoo.com.br yahoo.com.mx ymail.com rocketmail.com
    outlook.com outlook.fr outlook.de outlook.es hotmail.com hotmail.co.uk hotmail.fr hotmail.de
    hotmail.es hotmail.it live.com live.co.uk live.fr live.de msn.com passport.com
    aol.com aim.com aol.de aol.fr
    icloud.com me.com mac.com
    gmx.com gmx.de gmx.net gmx.at gmx.ch gmx.fr web.de freenet.de t-online.de arcor.de
    mail.com email.com usa.com
    mail.ru bk.ru inbox.ru list.ru yandex.ru yandex.com yandex.ua ya.ru rambler.ru
    proton.me protonmail.com protonmail.ch pm.me tutanota.com tuta.io
    zoho.com zohomail.com fastmail.com fastmail.fm hushmail.com
    qq.com 163.com 126.com yeah.net sina.com sohu.com aliyun.com foxmail.com
    naver.com daum.net hanmail.net
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr
    libero.it virgilio.it tiscali.it alice.it
    seznam.cz centrum.cz wp.pl o2.pl interia.pl onet.pl
    btinternet.com sky.com virginmedia.com ntlworld.com talktalk.net
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net
    rediffmail.com
    """.split()
)


def is_free_mail(domain: str) -> bool:
    """True for consumer mailbox providers: the sender's domain says nothing about a company."""
    return (domain or "").strip().lower().rstrip(".").removeprefix("www.") in FREE_MAIL_DOMAINS
