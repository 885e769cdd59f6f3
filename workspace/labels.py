"""Words for the codes the pipeline stores: what a rep reads on the queue and lead pages.

Categories are named by admins (the Category rows); next actions, statuses and model
families are fixed sets named here, once, so every page says the same thing."""

from django.utils import dateformat, timezone

from intake.models import Lead
from routing.models import FAMILY_LABELS, model_family

NEXT_ACTIONS = {
    "reply_with_pricing": "Reply with pricing",
    "book_demo": "Book a demo",
    "route_to_support": "Hand to support",
    "route_to_partnerships": "Hand to partnerships",
    "route_to_hr": "Hand to HR",
    "request_more_info": "Ask for more information",
    "no_action": "No action needed",
    "mark_spam": "Mark as spam",
}

FAMILIES = {**FAMILY_LABELS, "local": "Local", "pending": "Pending"}

STATUSES = dict(Lead.Status.choices)


def humanize(code: str) -> str:
    """A code nobody named (an old category, an unknown action) as words, not snake_case."""
    return code.replace("_", " ").strip().capitalize() if code else ""


def category_label(slug: str, names: dict[str, str]) -> str:
    """`names`: slug → name of the categories (the caller reads them once per page)."""
    if not slug:
        return ""
    return names.get(slug) or humanize(slug)


def next_action_label(code: str) -> str:
    return NEXT_ACTIONS.get(code) or humanize(code)


def status_label(code: str) -> str:
    return STATUSES.get(code) or humanize(code)


def family(model: str) -> str:
    """The model's family as a CSS-safe lower-case key: haiku, sonnet, opus, rules, local,
    other, or pending before any decision."""
    return model_family(model) if model else "pending"


def family_label(model: str) -> str:
    return FAMILIES.get(model_family(model), "Other model") if model else "Pending"


# One way to write a time and a day on every workspace page.
WHEN = "j M Y, H:i"
DAY = "j M Y"


def when(value) -> str:
    """An aware datetime in the site's time zone, as the pages write it."""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value), WHEN)


def day(value) -> str:
    return dateformat.format(value, DAY) if value else ""
