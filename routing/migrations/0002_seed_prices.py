"""List prices from ANTHROPIC.md (USD per million tokens), editable in admin afterwards.

A new price is a new row with a later `effective_from`, never an edit of these: calls already
recorded point at the row that priced them.
"""

import datetime
from decimal import Decimal as D

from django.db import migrations

SOURCE = "List price from docs ANTHROPIC.md (Anthropic pricing page, November 2026)."
CURRENT = datetime.date(2026, 11, 1)

PRICES = [
    {
        "model": "claude-haiku-5-5",
        "effective_from": CURRENT,
        "input_per_mtok": D("0.10"),
        "output_per_mtok": D("0.50"),
        "cache_write_5m_per_mtok": D("0.125"),
        "cache_write_1h_per_mtok": D("0.20"),
        "cache_read_per_mtok": D("0.01"),
        "long_prompt_threshold": 100_000,
        "long_prompt_multiplier": D("5"),
        "notes": f"Tier 1. Over 100K input + cache tokens the whole call bills at 5x. {SOURCE}",
    },
    {
        "model": "claude-haiku-4-5-20251001",
        "effective_from": CURRENT,
        "input_per_mtok": D("1.00"),
        "output_per_mtok": D("5.00"),
        "cache_write_5m_per_mtok": D("1.25"),
        "cache_write_1h_per_mtok": D("2.00"),
        "cache_read_per_mtok": D("0.10"),
        "notes": f"Older tier 1. {SOURCE}",
    },
    {
        "model": "claude-sonnet-5-5",
        "effective_from": CURRENT,
        "input_per_mtok": D("2.00"),
        "output_per_mtok": D("10.00"),
        "cache_write_5m_per_mtok": D("2.50"),
        "cache_write_1h_per_mtok": D("4.00"),
        "cache_read_per_mtok": D("0.10"),
        "notes": f"Tier 2. Thinking tokens bill as output. {SOURCE}",
    },
    {
        "model": "claude-opus-5-5",
        "effective_from": CURRENT,
        "input_per_mtok": D("4.00"),
        "output_per_mtok": D("20.00"),
        "cache_write_5m_per_mtok": D("5.00"),
        "cache_write_1h_per_mtok": D("8.00"),
        "cache_read_per_mtok": D("0.20"),
        "notes": f"Tier 3. Thinking cannot be turned off. {SOURCE}",
    },
    {
        # Kept so calls recorded before the retirement can still be re-priced.
        "model": "claude-3-5-haiku-20241022",
        "effective_from": datetime.date(2024, 10, 22),
        "input_per_mtok": D("0.80"),
        "output_per_mtok": D("4.00"),
        "cache_write_5m_per_mtok": D("1.00"),
        "cache_write_1h_per_mtok": D("1.60"),
        "cache_read_per_mtok": D("0.08"),
        "notes": "Retired on the Claude API on 2026-02-19. Input/output from ANTHROPIC.md; "
        "cache rates derived at 1.25x / 2x / 0.1x input.",
    },
]


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("routing", "ModelPrice")
    for row in PRICES:
        values = dict(row)
        ModelPrice.objects.get_or_create(
            model=values.pop("model"),
            effective_from=values.pop("effective_from"),
            defaults={"batch_multiplier": D("0.5"), **values},
        )


def unseed(apps, schema_editor):
    ModelPrice = apps.get_model("routing", "ModelPrice")
    for row in PRICES:
        # A row that priced recorded calls is PROTECTed and stays: the calls keep their price.
        ModelPrice.objects.filter(
            model=row["model"], effective_from=row["effective_from"], modelcall__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
