"""What a notification says: who, what, why hot (the triage's one-line summary), and the
link. Subjects carry our own words and numbers only: strings from a message never go
into a header we send (the contact's words stay in the body)."""

from dataclasses import dataclass

from handoff import payloads
from intake.models import Event, Lead

REASONS = {
    Event.Kind.LEAD_ASSIGNED: "assigned to you",
    "hot": "a hot lead in your queue",
    Event.Kind.SLA_WARNING: "about to breach its SLA",
    Event.Kind.SLA_BREACHED: "has breached its SLA",
}


@dataclass
class Text:
    subject: str
    body: str


def compose(lead: Lead, reason: str, *, assignee_name: str = "") -> Text:
    triage = getattr(lead, "triage", None)
    queue = triage.queue.name if triage and triage.queue else "no queue"
    subjects = {
        Event.Kind.LEAD_ASSIGNED: f"Lead #{lead.pk} assigned to you",
        "hot": f"Hot lead #{lead.pk} in {queue}",
        Event.Kind.SLA_WARNING: f"SLA warning: lead #{lead.pk} is due soon",
        Event.Kind.SLA_BREACHED: f"SLA breached: lead #{lead.pk} in {queue}",
    }
    contact = lead.contact
    who = contact.name or contact.email
    if contact.company:
        who += f" ({contact.company})"
    lines = [f"{who} <{contact.email}>: {REASONS.get(reason, reason)}."]
    lines.append(f"Subject: {lead.subject or '(no subject)'}")
    if triage and triage.decided_at:
        lines.append(f"Why: {triage.summary or '(no summary)'}")
        lines.append(f"Category {triage.category}, score {triage.score}, queue {queue}")
        if triage.sla_due:
            lines.append(f"SLA due {triage.sla_due:%Y-%m-%d %H:%M %Z}")
    if assignee_name:
        lines.append(f"Owner: {assignee_name}")
    lines.append(f"Open: {payloads.lead_url(lead.pk)}")
    return Text(subjects.get(reason, f"Lead #{lead.pk}"), "\n".join(lines))


def slack_escape(text: str) -> str:
    # Slack's mrkdwn: &, < and > are its control characters (links, mentions).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(subject: str, body: str, url: str) -> dict:
    return {
        "text": f"*{slack_escape(subject)}*\n{slack_escape(body)}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{slack_escape(subject)}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(body)}},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": url}
                ],
            },
        ],
    }


def teams_payload(subject: str, body: str, url: str) -> dict:
    """An Adaptive Card, as Teams' Workflows incoming webhooks take."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": subject, "weight": "Bolder", "wrap": True},
                        {"type": "TextBlock", "text": body, "wrap": True},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": url}],
                },
            }
        ],
    }
