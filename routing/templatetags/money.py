"""Money in templates: `{{ cost|usd }}` for totals ($12.34), `{{ cost|usd:4 }}` for what one
lead or one call costs ($0.0012). One precision per column, thousands separated; an amount
that is not zero never shows as $0.00 (it is "<$0.01"), and a missing one is a dash."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

DASH = "–"


@register.filter
def usd(value, places=2) -> str:
    if value is None or value == "":
        return DASH
    try:
        amount = Decimal(str(value))
        places = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return DASH
    step = Decimal(1).scaleb(-places)
    rounded = amount.quantize(step, ROUND_HALF_UP)
    if amount and not rounded:
        return f"<${step}" if amount > 0 else f">-${step}"
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.{places}f}"
