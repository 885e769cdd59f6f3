"""The `usd` template filter: one precision per column, never $0.00000000, $0.0 or $0."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from routing.templatetags.money import usd


@pytest.mark.parametrize(
    "value, places, shown",
    [
        (Decimal("12.345"), 2, "$12.35"),
        (Decimal("1234567.891"), 2, "$1,234,567.89"),
        (Decimal("0.00000000"), 2, "$0.00"),
        (Decimal("0.00000000"), 4, "$0.0000"),
        (Decimal("0.00123456"), 4, "$0.0012"),
        (Decimal("0.004"), 2, "<$0.01"),  # not zero, so never shown as $0.00
        (Decimal("0.00001"), 4, "<$0.0001"),
        (Decimal("-3.5"), 2, "-$3.50"),
        (Decimal("-0.004"), 2, ">-$0.01"),
        (5, 2, "$5.00"),
        (None, 4, "–"),
        ("not money", 2, "–"),
    ],
)
def test_it_formats_money_to_one_precision(value, places, shown):
    assert usd(value, places) == shown


def test_it_is_a_template_filter_with_two_places_by_default():
    template = Template("{% load money %}{{ total|usd }} / {{ each|usd:4 }}")
    rendered = template.render(Context({"total": Decimal("12.3"), "each": Decimal("0.0012")}))
    assert rendered == "$12.30 / $0.0012"
