"""Write the labelled set: bench/labelled/mail/NNNN.eml and bench/labelled/labels.csv.

    .venv/bin/python -m bench.labelled.generate

Deterministic (fixed seed): re-running rewrites the same bytes, so a change to the texts shows
as a reviewable diff. The bodies are the hand-written ones in texts.py; this script picks a
sender, a company, numbers and a mail client for each, and builds the MIME the way that
client would (Gmail and Outlook send text and HTML, Apple Mail quoted-printable, Thunderbird
format=flowed, cold-mail tools a List-Unsubscribe header), plus the machine mail a sales inbox
gets: out-of-office replies (RFC 3834 headers or only a subject), ticket autoresponders,
newsletters and RFC 3464 bounces.
"""

import csv
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from bench.labelled import LABELS, MAIL_DIR, clients, texts

INBOXES = ["sales@tidewater.io", "hello@tidewater.io", "info@tidewater.io"]
LEAD_CATEGORIES = {"sales_inquiry", "demo_request", "pricing_request"}

# (category, texts, how many)
PLAN = [
    ("sales_inquiry", texts.SALES_INQUIRY, 28),
    ("demo_request", texts.DEMO_REQUEST, 26),
    ("pricing_request", texts.PRICING_REQUEST, 28),
    ("support", texts.SUPPORT, 24),
    ("vendor_pitch", texts.VENDOR_PITCH, 20),
    ("job_application", texts.JOB_APPLICATION, 12),
    ("partnership", texts.PARTNERSHIP, 12),
    ("spam", texts.SPAM, 16),
    ("other", texts.OTHER, 8),
]
AUTOMATIC = [("ooo", 22), ("autoresponder", 6), ("newsletter", 6), ("bounce", 12)]

NAMES = {
    "en": (
        "James Olivia Michael Emma Daniel Priya Tom Grace Ahmed Chloe Ryan Megan Lucas Aisha "
        "Ben Hannah Connor Zoe Marcus Leah",
        "Walker Bennett Patel Hughes Murphy O'Brien Fletcher Khan Reynolds Sullivan Price Carter "
        "Nguyen Brooks Harper Ellis",
    ),
    "de": (
        "Jonas Katrin Stefan Anja Markus Julia Tobias Sabine Florian Lena Matthias Petra",
        "Schneider Fischer Weber Becker Hoffmann Schäfer Koch Richter Wolf Neumann Braun Krüger",
    ),
    "fr": (
        "Camille Julien Élodie Nicolas Manon Antoine Sophie Mathieu Chloé Guillaume",
        "Martin Bernard Dubois Lefèvre Moreau Laurent Girard Roux Fontaine Chevalier",
    ),
    "es": (
        "Lucía Javier Marta Alejandro Carmen Diego Elena Pablo Sofía Andrés",
        "García Fernández López Martínez Sánchez Romero Navarro Torres Ruiz Jiménez",
    ),
    "it": ("Giulia Marco Francesca Luca Chiara", "Rossi Bianchi Romano Colombo Ricci"),
    "nl": ("Sanne Daan Eva Thijs Lotte", "de Vries Jansen Bakker Visser Smit"),
    "pt": ("João Ana Tiago Inês Rui", "Silva Santos Ferreira Costa Oliveira"),
}
COMPANIES = {
    "en": [
        ("Northgate Heating", "northgateheating.co.uk", "Leeds"),
        ("Summit Mechanical", "summitmech.com", "Denver"),
        ("BrightSpark Electrical", "brightspark-electrical.com", "Manchester"),
        ("Coastal Plumbing Co", "coastalplumbing.com", "San Diego"),
        ("Ironbridge Facilities", "ironbridgefm.co.uk", "Birmingham"),
        ("Lakeside Solar", "lakesidesolar.com", "Madison"),
        ("Apex Lift Services", "apexlifts.co.uk", "Bristol"),
        ("Redwood Property Maintenance", "redwoodpm.com", "Portland"),
        ("Harbour Fire & Security", "harbourfire.ie", "Cork"),
        ("Meridian Building Services", "meridianbs.com", "Chicago"),
        ("Greenline Pest Control", "greenlinepest.com", "Austin"),
        ("Kestrel Air Conditioning", "kestrel-ac.com.au", "Brisbane"),
        ("Pioneer Garage Doors", "pioneergaragedoors.com", "Phoenix"),
        ("Beacon Home Repairs", "beaconrepairs.org", "Glasgow"),
        ("Atlas Industrial Services", "atlas-industrial.com", "Houston"),
        ("Riverside Appliance Repair", "riversideappliance.com", "Sacramento"),
    ],
    "de": [
        ("Elektro Hartmann GmbH", "elektro-hartmann.de", "Stuttgart"),
        ("Kältetechnik Vogel", "kaeltetechnik-vogel.de", "Leipzig"),
        ("Haustechnik Brandl", "haustechnik-brandl.at", "Graz"),
        ("Sanitär Meier AG", "sanitaer-meier.ch", "Basel"),
        ("Aufzugsdienst Nord", "aufzugsdienst-nord.de", "Hamburg"),
        ("Gebäudeservice Lorenz", "gs-lorenz.de", "Köln"),
    ],
    "fr": [
        ("Thermique Dupré", "thermique-dupre.fr", "Lyon"),
        ("Ascenseurs Rivière", "ascenseurs-riviere.fr", "Nantes"),
        ("Clim Services Provence", "climservices-provence.fr", "Marseille"),
        ("Maintenance Lemaire", "maintenance-lemaire.be", "Liège"),
        ("Énergie Habitat", "energie-habitat.fr", "Toulouse"),
    ],
    "es": [
        ("Climatización Levante", "climalevante.es", "Valencia"),
        ("Mantenimientos Ibéricos", "mantenimientos-ibericos.es", "Madrid"),
        ("Instalaciones Sur", "instalacionessur.com", "Sevilla"),
        ("Servicios Técnicos Andes", "serviciosandes.cl", "Santiago"),
        ("Frío Industrial Norte", "frionorte.mx", "Monterrey"),
    ],
    "it": [("Impianti Moretti", "impiantimoretti.it", "Bologna")],
    "nl": [("Installatiebedrijf Kok", "installatie-kok.nl", "Utrecht")],
    "pt": [("Climatec Lisboa", "climatec.pt", "Lisboa")],
}
VENDORS = [
    ("RankRocket", "rankrocket.io"),
    ("LeadVault Data", "leadvault-data.com"),
    ("CodeBridge Solutions", "codebridge-solutions.in"),
    ("StoryReel", "storyreel.co"),
    ("FieldOps Media", "fieldopsmedia.com"),
    ("PixelForge Studio", "pixelforge.studio"),
    ("CloudTrim", "cloudtrim.io"),
    ("TalentHarbor", "talentharbor.co.uk"),
    ("StockWise", "stockwise.app"),
    ("NordImplement", "nordimplement.se"),
    ("HVAC Pro Association", "hvacpro-assoc.org"),
    ("Ledgerly Accounting", "ledgerly.co.uk"),
]
SPAM_DOMAINS = [
    "prize-claims-center.com",
    "secure-account-alert.net",
    "gmail.com",
    "mail.ru",
    "crypto-profit.biz",
    "outlook.com",
    "docs-notice.info",
    "yahoo.com",
]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "gmx.de", "orange.fr", "hotmail.es"]
TOOLS = [
    "ServiceTitan",
    "Jobber",
    "Salesforce",
    "HubSpot",
    "SAP Business One",
    "Zoho CRM",
    "simPRO",
    "Housecall Pro",
    "Microsoft Dynamics",
    "Odoo",
]
ROLES = [
    "Operations Director",
    "COO",
    "Service Manager",
    "Head of Field Operations",
    "Managing Director",
    "Dispatch Lead",
    "IT Manager",
]
MONTHS = {
    "en": "January February March April May June".split(),
    "de": "Januar Februar März April Mai Juni".split(),
    "fr": "janvier février mars avril mai juin".split(),
    "es": "enero febrero marzo abril mayo junio".split(),
    "it": "gennaio febbraio marzo aprile maggio giugno".split(),
    "nl": "januari februari maart april mei juni".split(),
    "pt": "janeiro fevereiro março abril maio junho".split(),
}
SEATS = [2, 3, 4, 6, 8, 12, 15, 20, 25, 35, 40, 60, 80, 120, 200, 350, 600]
BUDGETS = ["$12,000", "$25,000", "€30,000", "$48,000", "£60,000", "$90,000", "€150,000", "$250,000"]
START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Builder:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.when = START

    def pick(self, items):
        return self.rng.choice(items)

    def person(self, language: str) -> tuple[str, str]:
        firsts, lasts = NAMES.get(language, NAMES["en"])
        return self.pick(firsts.split()), self.pick(lasts.replace("de Vries", "de_Vries").split())

    def address(self, first: str, last: str, domain: str) -> str:
        local = f"{first}.{last}".lower().replace("'", "").replace("_", "")
        # ASCII local parts: an address is no place for "ã" without SMTPUTF8.
        local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        local = local.replace(" ", "")
        candidate, n = f"{local}@{domain}", 2
        while candidate in self.used:
            candidate, n = f"{local}{n}@{domain}", n + 1
        self.used.add(candidate)
        return candidate

    def tick(self) -> datetime:
        self.when += timedelta(minutes=self.rng.randint(7, 190))
        if self.when.weekday() >= 5:
            self.when += timedelta(days=7 - self.when.weekday())
        return self.when

    def slots(self, language: str, company, first: str, last: str) -> dict:
        seats = self.pick(SEATS)
        return {
            "first": first,
            "last": last.replace("_", " "),
            "company": company[0],
            "city": company[2],
            "domain": company[1],
            "seats": seats,
            "employees": max(seats + 3, int(seats * self.rng.uniform(1.3, 4)) // 5 * 5),
            "month": self.pick(MONTHS.get(language, MONTHS["en"])),
            "budget": self.pick(BUDGETS),
            "tool": self.pick(TOOLS),
            "role": self.pick(ROLES),
            "ticket": f"{self.rng.randint(10000, 99999)}",
        }


def fill(template: str, slots: dict) -> str:
    return template.format(**slots)


def human_message(b: Builder, category: str, entry, *, sender_kind: str) -> tuple[bytes, dict]:
    language, subject, body = entry
    if sender_kind in ("vendor", "partner"):
        first, last = b.person(language)
        company = (*b.pick(VENDORS), "London")
    elif sender_kind == "spam":
        first, last = b.person(b.pick(["en", "es", "fr"]))
        company = ("", b.pick(SPAM_DOMAINS), "")
    else:
        first, last = b.person(language)
        company = b.pick(COMPANIES.get(language, COMPANIES["en"]))
    slots = b.slots(language, company, first, last)
    domain = company[1]
    if sender_kind == "free" or (sender_kind == "person" and b.rng.random() < 0.15):
        domain = b.pick(FREE_MAIL)
    sender = b.address(first, last.replace("_", " "), domain)
    client = "bulk" if sender_kind in ("vendor", "spam") and b.rng.random() < 0.3 else None
    client = client or b.pick(clients.CLIENTS)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"{first} {last.replace('_', ' ')} <{sender}>"
    msg["To"] = b.pick(INBOXES)
    msg["Subject"] = fill(subject, slots)
    msg["Date"] = format_datetime(b.tick())
    msg["Message-ID"] = clients.message_id(b.rng, client, domain)
    text = fill(body, slots)
    clients.dress(msg, b.rng, client, text, language, domain)
    if category == "job_application" and any(w in text for w in ("CV", "Lebenslauf")):
        msg.add_attachment(
            PDF,
            maintype="application",
            subtype="pdf",
            filename=f"CV_{first}_{last.replace('_', '')}.pdf",
        )
    return clients.received(b.rng, b.when, domain, client, sender) + msg.as_bytes(), {
        "language": language,
        "sender": sender,
        "value_usd": value_usd(category, entry, slots),
        "difficulty": difficulty(entry),
    }


# --- Machine mail ----------------------------------------------------------------------


def original_subject(b: Builder) -> str:
    """What we sent that the machine answers: a sales follow-up or a campaign."""
    return b.pick(
        [
            "Your Tidewater trial",
            "Following up on your demo",
            "Tidewater: proposal for {company}",
            "Invitation: field service roundtable",
            "Your quote from Tidewater",
        ]
    )


def automatic_message(b: Builder, kind: str, entry=None) -> tuple[bytes, dict]:
    language, subject, body = entry or ("en", "", "")
    first, last = b.person(language)
    company = b.pick(COMPANIES.get(language, COMPANIES["en"]))
    slots = b.slots(language, company, first, last)
    slots["orig"] = fill(original_subject(b), slots)
    domain = company[1]
    if kind == "newsletter":
        vendor = b.pick(VENDORS)
        slots.update(company=vendor[0], domain=vendor[1])
        domain = vendor[1]
    if kind == "bounce":
        return bounce(b, slots, language)
    sender = b.address(
        "newsletter" if kind == "newsletter" else first,
        "" if kind == "newsletter" else last.replace("_", " "),
        domain,
    )
    sender = sender.replace(".@", "@")
    msg = EmailMessage(policy=SMTP)
    display = slots["company"] if kind in ("newsletter", "autoresponder") else f"{first} {last}"
    msg["From"] = f"{display.replace('_', ' ')} <{sender}>"
    msg["To"] = b.pick(INBOXES)
    msg["Subject"] = fill(subject, slots)
    msg["Date"] = format_datetime(b.tick())
    msg["Message-ID"] = clients.message_id(b.rng, "plain", domain)
    style = b.rng.random()
    if kind == "ooo":
        # Exchange and Gmail set RFC 3834 headers; some small hosts send only the subject.
        msg["In-Reply-To"] = f"<sent-{b.rng.randint(10**5, 10**6)}@tidewater.io>"
        if style < 0.5:
            msg["Auto-Submitted"] = "auto-replied"
            msg["X-Auto-Response-Suppress"] = "All"
        elif style < 0.7:
            msg["X-Autoreply"] = "yes"
            msg["Precedence"] = "auto_reply"
    elif kind == "autoresponder":
        msg["Auto-Submitted"] = "auto-generated" if style < 0.7 else "auto-replied"
    elif kind == "newsletter":
        msg["List-Unsubscribe"] = f"<https://{domain}/unsubscribe?u={b.rng.randint(10**6, 10**7)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Precedence"] = "bulk"
    text = fill(body, slots)
    msg.set_content(text, cte="quoted-printable")
    if kind == "newsletter":
        msg.add_alternative(clients.as_html(text, "gmail"), subtype="html", cte="quoted-printable")
    return clients.received(b.rng, b.when, domain, "plain", sender) + msg.as_bytes(), {
        "language": language,
        "sender": sender,
        "difficulty": difficulty(entry),
    }


def bounce(b: Builder, slots: dict, language: str) -> tuple[bytes, dict]:
    """An RFC 3464 DSN from our own MTA (failed or delayed), or an Exchange NDR."""
    target = fill(b.pick(texts.BOUNCE_TARGETS), slots)
    style = b.pick(["postfix", "exchange", "gmail-delay"])
    boundary = f"{b.rng.randint(10**9, 10**10)}.{b.rng.randint(10**5, 10**6)}/mx1.tidewater.io"
    when = format_datetime(b.tick())
    if style == "postfix":
        sender, subject = (
            "MAILER-DAEMON@mx1.tidewater.io (Mail Delivery System)",
            ("Undelivered Mail Returned to Sender"),
        )
        human = (
            f"This is the mail system at host mx1.tidewater.io.\n\nI'm sorry to have to "
            f"inform you that your message could not\nbe delivered to one or more "
            f"recipients.\n\n<{target}>: host {slots['domain']} said: 550 5.1.1 User "
            f"unknown"
        )
        status, action = "5.1.1", "failed"
    elif style == "exchange":
        sender, subject = (f"postmaster@{slots['domain']}", f"Undeliverable: {slots['orig']}")
        human = (
            f"Delivery has failed to these recipients or groups:\n\n{target}\nThe "
            f"recipient's mailbox is full and can't accept messages now."
        )
        status, action = "5.2.2", "failed"
    else:
        sender, subject = (
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification (Delay)",
        )
        human = (
            f"Message not delivered yet\n\nThere was a temporary problem delivering "
            f"your message to {target}. Gmail will retry for 46 more hours."
        )
        status, action = "4.4.1", "delayed"
    raw = (
        f"From: {sender}\r\nTo: sales@tidewater.io\r\nSubject: {subject}\r\n"
        f"Date: {when}\r\nMessage-ID: <{b.rng.randint(10**8, 10**9)}.dsn@mx1.tidewater.io>\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="{boundary}"'
        f"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n--{boundary}\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n\r\n{human}\r\n\r\n--{boundary}\r\n"
        f"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx1.tidewater.io\r\n"
        f"Arrival-Date: {when}\r\n\r\nFinal-Recipient: rfc822; {target}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n\r\n--{boundary}\r\n"
        f"Content-Type: text/rfc822-headers\r\n\r\nFrom: Sales <sales@tidewater.io>\r\n"
        f"To: {target}\r\nSubject: {slots['orig']}\r\n\r\n--{boundary}--\r\n"
    )
    return raw.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode(), {
        "language": "en",
        "sender": sender.split("<")[-1].split(" ")[0].rstrip(">"),
        "difficulty": "easy",
    }


# A lead's value: a year of its licences at list price, or the budget it states.
PRICE_PER_SEAT_YEAR = 588  # $49 a technician a month
TO_USD = {"$": 1.0, "€": 1.08, "£": 1.27}


def value_usd(category: str, entry, slots: dict) -> str:
    """Dollars a year, whole, for a lead; empty for everything else."""
    if category not in LEAD_CATEGORIES:
        return ""
    _, subject, body = entry
    if "{budget}" in body:
        budget = slots["budget"]
        return str(round(int(budget[1:].replace(",", "")) * TO_USD[budget[0]]))
    if "{seats}" in subject + body:
        seats = slots["seats"]
    elif "{employees}" in body:
        seats = max(2, slots["employees"] // 2)
    else:
        seats = texts.NOTES.get(subject, {}).get("seats", 5)
    return str(seats * PRICE_PER_SEAT_YEAR)


def difficulty(entry) -> str:
    """easy / hard / ambiguous by the rubric in README.md: what texts.NOTES says, else easy
    (the language is a column of its own: the simulated model weighs it by itself)."""
    if entry is None:
        return "easy"
    _, subject, _ = entry
    return texts.NOTES.get(subject, {}).get("difficulty") or "easy"


def build() -> list[tuple[bytes, dict]]:
    random.seed(2026)  # the email package draws MIME boundaries from the global generator
    b = Builder()
    items = []
    for category, entries, count in PLAN:
        kind = {"vendor_pitch": "vendor", "spam": "spam", "partnership": "partner"}.get(
            category, "person"
        )
        for n in range(count):
            entry = entries[n % len(entries)]
            raw, info = human_message(b, category, entry, sender_kind=kind)
            info.update(category=category, is_lead=category in LEAD_CATEGORIES, kind="person")
            items.append((raw, info))
    pools = {
        "ooo": texts.OUT_OF_OFFICE,
        "autoresponder": texts.AUTORESPONDERS,
        "newsletter": texts.NEWSLETTERS,
        "bounce": [None],
    }
    for kind, count in AUTOMATIC:
        for n in range(count):
            pool = pools[kind]
            raw, info = automatic_message(b, kind, pool[n % len(pool)])
            info.update(category="auto_reply", is_lead=False, value_usd="", kind=kind)
            items.append((raw, info))
    b.rng.shuffle(items)
    return items


def main() -> None:
    MAIL_DIR.mkdir(exist_ok=True)
    for old in MAIL_DIR.glob("*.eml"):
        old.unlink()
    rows = []
    for number, (raw, info) in enumerate(build(), start=1):
        name = f"{number:04d}.eml"
        (MAIL_DIR / name).write_bytes(raw)
        rows.append(
            {
                "file": name,
                "category": info["category"],
                "is_lead": "yes" if info["is_lead"] else "no",
                "value_usd": info["value_usd"],
                "difficulty": info["difficulty"],
                "language": info["language"],
                "kind": info["kind"],
                "sender": info["sender"],
            }
        )
    with LABELS.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} messages to {MAIL_DIR} and {LABELS}")


if __name__ == "__main__":
    main()
