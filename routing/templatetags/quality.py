"""Template filters for the quality pages: rates as percentages."""

from django import template

register = template.Library()


@register.filter
def pct(value, places: int = 1) -> str:
    """0.0423 → "4.2%"; None → "-"."""
    if value is None or value == "":
        return "-"
    return f"{float(value) * 100:.{int(places)}f}%"
