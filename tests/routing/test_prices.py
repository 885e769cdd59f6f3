import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from routing.models import ModelPrice
from routing.prices import Usage, cost, tier2_equivalent


@dataclass
class Price:
    """A price row without the database: `cost` reads fields, nothing else."""

    input_per_mtok: Decimal = Decimal("1.00")
    output_per_mtok: Decimal = Decimal("5.00")
    cache_write_5m_per_mtok: Decimal = Decimal("1.25")
    cache_write_1h_per_mtok: Decimal = Decimal("2.00")
    cache_read_per_mtok: Decimal = Decimal("0.10")
    batch_multiplier: Decimal = Decimal("0.5")
    long_prompt_threshold: int | None = None
    long_prompt_multiplier: Decimal | None = None


HAIKU_45 = Price()
HAIKU_55 = Price(
    input_per_mtok=Decimal("0.10"),
    output_per_mtok=Decimal("0.50"),
    cache_write_5m_per_mtok=Decimal("0.125"),
    cache_write_1h_per_mtok=Decimal("0.20"),
    cache_read_per_mtok=Decimal("0.01"),
    long_prompt_threshold=100_000,
    long_prompt_multiplier=Decimal("5"),
)
SONNET_55 = Price(
    input_per_mtok=Decimal("2.00"),
    output_per_mtok=Decimal("10.00"),
    cache_write_5m_per_mtok=Decimal("2.50"),
    cache_write_1h_per_mtok=Decimal("4.00"),
    cache_read_per_mtok=Decimal("0.10"),
)


def test_it_prices_input_and_output():
    # 812 * 1.00 / 1M + 64 * 5.00 / 1M = 0.000812 + 0.00032
    assert cost(Usage(input_tokens=812, output_tokens=64), HAIKU_45) == Decimal("0.00113200")


def test_it_prices_a_split_cache_write_at_the_5m_and_1h_rates():
    usage = Usage(
        input_tokens=100,
        output_tokens=10,
        cache_creation_input_tokens=3000,
        cache_creation_5m_tokens=1000,
        cache_creation_1h_tokens=2000,
        cache_read_input_tokens=5000,
    )
    # 100*1 + 1000*1.25 + 2000*2 + 5000*0.1 + 10*5 = 100 + 1250 + 4000 + 500 + 50 = 5900 per 1M
    assert cost(usage, HAIKU_45) == Decimal("0.00590000")


def test_it_prices_an_unsplit_cache_write_at_the_5m_rate():
    usage = Usage(input_tokens=100, output_tokens=10, cache_creation_input_tokens=3000)
    # 100*1 + 3000*1.25 + 10*5 = 3900 per 1M
    assert cost(usage, HAIKU_45) == Decimal("0.00390000")


def test_it_bills_a_cache_total_larger_than_its_split_at_the_5m_rate():
    usage = Usage(
        input_tokens=0,
        output_tokens=0,
        cache_creation_input_tokens=3000,
        cache_creation_5m_tokens=0,
        cache_creation_1h_tokens=1000,
    )
    # 1000*2 + the unexplained 2000*1.25 = 4500 per 1M
    assert cost(usage, HAIKU_45) == Decimal("0.00450000")


def test_it_halves_a_batch_result():
    usage = Usage(input_tokens=812, output_tokens=64, cache_read_input_tokens=4000)
    plain = cost(usage, HAIKU_45)
    assert plain == Decimal("0.00153200")
    assert cost(usage, HAIKU_45, batch=True) == Decimal("0.00076600")


def test_it_keeps_normal_rates_at_exactly_the_long_prompt_threshold():
    # 60,000 input + 30,000 cache write + 10,000 cache read = 100,000: not over.
    usage = Usage(
        input_tokens=60_000,
        output_tokens=1_000,
        cache_creation_input_tokens=30_000,
        cache_read_input_tokens=10_000,
    )
    # 60000*0.10 + 30000*0.125 + 10000*0.01 + 1000*0.50 = 6000 + 3750 + 100 + 500 = 10350
    assert cost(usage, HAIKU_55) == Decimal("0.01035000")


def test_it_rates_the_whole_request_at_5x_one_token_over_the_threshold():
    usage = Usage(
        input_tokens=60_001,
        output_tokens=1_000,
        cache_creation_input_tokens=30_000,
        cache_read_input_tokens=10_000,
    )
    # (60001*0.10 + 3750 + 100 + 500) * 5 = 10350.1 * 5 = 51750.5 per 1M
    assert cost(usage, HAIKU_55) == Decimal("0.05175050")


def test_it_applies_the_long_prompt_band_and_the_batch_discount_together():
    usage = Usage(input_tokens=200_000, output_tokens=2_000)
    # (200000*0.10 + 2000*0.50) * 5 * 0.5 = 21000 * 2.5 = 52500 per 1M
    assert cost(usage, HAIKU_55, batch=True) == Decimal("0.05250000")


def test_it_ignores_the_band_for_a_model_without_one():
    usage = Usage(input_tokens=200_000, output_tokens=2_000)
    assert cost(usage, SONNET_55) == Decimal("0.42000000")


def test_it_returns_none_for_unknown_usage_not_zero():
    assert cost(Usage(), HAIKU_45) is None
    assert cost(Usage(input_tokens=10, output_tokens=1), None) is None


def test_it_prices_partial_usage_with_the_missing_counts_as_zero():
    assert cost(Usage(input_tokens=1_000_000), HAIKU_45) == Decimal("1.00000000")
    assert cost(Usage(output_tokens=0), HAIKU_45) == Decimal("0")


def test_it_is_exact_decimal_quantised_half_up_to_8_places():
    one_token = cost(Usage(input_tokens=1), HAIKU_55)
    assert isinstance(one_token, Decimal)
    # 0.10 / 1M = 0.0000001 exactly; a float would drift.
    assert one_token == Decimal("0.00000010")
    # One cache-read token at 0.01/M is 0.00000001, the smallest amount stored.
    assert cost(Usage(cache_read_input_tokens=1), HAIKU_55) == Decimal("0.00000001")
    half = Price(input_per_mtok=Decimal("0.005"))
    assert cost(Usage(input_tokens=1), half) == Decimal("0.00000001")  # 0.000000005 -> up
    assert sum(cost(Usage(input_tokens=3), HAIKU_45) for _ in range(3)) == Decimal("0.000009")


def test_it_accepts_float_rates_without_float_error():
    floaty = Price(input_per_mtok=0.1, output_per_mtok=0.5)  # type: ignore[arg-type]
    assert cost(Usage(input_tokens=3, output_tokens=3), floaty) == Decimal("0.00000180")


def test_it_prices_the_same_tokens_at_the_tier2_rate_for_savings():
    usage = Usage(input_tokens=812, output_tokens=64)
    assert tier2_equivalent(usage, SONNET_55) == Decimal("0.00226400")
    assert tier2_equivalent(usage, SONNET_55, batch=True) == Decimal("0.00113200")
    assert tier2_equivalent(Usage(), SONNET_55) is None


@pytest.mark.django_db
def test_it_seeds_the_list_prices():
    rows = {row.model: row for row in ModelPrice.objects.all()}
    assert {
        "claude-haiku-5-5",
        "claude-haiku-4-5-20251001",
        "claude-sonnet-5-5",
        "claude-opus-5-5",
        "claude-3-5-haiku-20241022",
    } <= set(rows)

    haiku = rows["claude-haiku-5-5"]
    assert haiku.effective_from == datetime.date(2026, 11, 1)
    assert (haiku.input_per_mtok, haiku.output_per_mtok) == (Decimal("0.10"), Decimal("0.50"))
    assert haiku.cache_write_5m_per_mtok == Decimal("0.125")
    assert haiku.cache_write_1h_per_mtok == Decimal("0.20")
    assert haiku.cache_read_per_mtok == Decimal("0.01")
    assert (haiku.long_prompt_threshold, haiku.long_prompt_multiplier) == (100_000, 5)
    assert haiku.batch_multiplier == Decimal("0.5")

    sonnet, opus = rows["claude-sonnet-5-5"], rows["claude-opus-5-5"]
    assert (sonnet.input_per_mtok, sonnet.output_per_mtok) == (Decimal("2"), Decimal("10"))
    assert (opus.input_per_mtok, opus.output_per_mtok) == (Decimal("4"), Decimal("20"))
    assert sonnet.long_prompt_threshold is None

    retired = rows["claude-3-5-haiku-20241022"]
    assert retired.input_per_mtok == Decimal("0.80")
    assert retired.effective_from < datetime.date(2026, 2, 19)
    assert "2026-02-19" in retired.notes
    assert all(row.notes for row in rows.values())


@pytest.mark.django_db
def test_it_prices_a_call_with_a_seeded_row():
    row = ModelPrice.objects.get(model="claude-haiku-5-5")
    usage = Usage(input_tokens=812, output_tokens=64, cache_read_input_tokens=4000)
    # 812*0.10 + 4000*0.01 + 64*0.50 = 81.2 + 40 + 32 = 153.2 per 1M
    assert cost(usage, row) == Decimal("0.00015320")
