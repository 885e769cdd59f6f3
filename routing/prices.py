"""Pure pricing: token usage + a price row -> Decimal USD (ANTHROPIC.md, "Cost of one call")."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


@dataclass(frozen=True)
class Usage:
    """Token counts as the Messages API reports them; None where the response had none."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_creation_5m_tokens: int | None = None
    cache_creation_1h_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class Price(Protocol):
    """What `cost` reads from a price: a `ModelPrice` row, or anything with its fields."""

    input_per_mtok: Decimal
    output_per_mtok: Decimal
    cache_write_5m_per_mtok: Decimal
    cache_write_1h_per_mtok: Decimal
    cache_read_per_mtok: Decimal
    batch_multiplier: Decimal
    long_prompt_threshold: int | None
    long_prompt_multiplier: Decimal | None


PLACES = Decimal("0.00000001")  # ModelCall.cost_usd has 8 decimal places
MTOK = Decimal(1_000_000)


def _dec(value) -> Decimal:
    # str() first: Decimal(0.1) would carry the float's binary error into the bill.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _n(tokens: int | None) -> int:
    return tokens or 0


def cost(usage: Usage, price: Price | None, *, batch: bool = False) -> Decimal | None:
    """USD for one call, quantised to 8 places; None when usage or price is unknown.

    `input_tokens` excludes cached tokens (the API reports the three kinds apart). Cache writes
    are priced 5m/1h when the response splits them, else wholly at the 5m rate; a total larger
    than the split (never seen, but never under-bill) puts the remainder at the 5m rate too. A
    long-prompt band (Haiku 5.5: over 100,000 input + cache tokens) re-rates the whole request,
    output included, and the batch discount applies on top.
    """
    fields = (
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_creation_5m_tokens,
        usage.cache_creation_1h_tokens,
        usage.cache_read_input_tokens,
    )
    if price is None or all(value is None for value in fields):
        return None  # unknown is not zero: a call without usage is recorded, not priced

    split_given = (
        usage.cache_creation_5m_tokens is not None or usage.cache_creation_1h_tokens is not None
    )
    write_1h = _n(usage.cache_creation_1h_tokens) if split_given else 0
    write_5m = _n(usage.cache_creation_5m_tokens) if split_given else 0
    write_5m += max(_n(usage.cache_creation_input_tokens) - write_5m - write_1h, 0)
    read = _n(usage.cache_read_input_tokens)
    prompt_tokens = _n(usage.input_tokens) + write_5m + write_1h + read

    total = (
        _dec(price.input_per_mtok) * _n(usage.input_tokens)
        + _dec(price.cache_write_5m_per_mtok) * write_5m
        + _dec(price.cache_write_1h_per_mtok) * write_1h
        + _dec(price.cache_read_per_mtok) * read
        + _dec(price.output_per_mtok) * _n(usage.output_tokens)
    ) / MTOK

    threshold = price.long_prompt_threshold
    multiplier = price.long_prompt_multiplier
    if threshold is not None and multiplier is not None and prompt_tokens > threshold:
        total *= _dec(multiplier)
    if batch:
        total *= _dec(price.batch_multiplier)
    return total.quantize(PLACES, rounding=ROUND_HALF_UP)


def tier2_equivalent(
    usage: Usage, tier2_price: Price | None, *, batch: bool = False
) -> Decimal | None:
    """What the same tokens would have cost at another model's price: the savings baseline.

    Token counts are not converted between tokenizers (Haiku 5.5 counts ~30% more than Haiku
    4.5 for the same text, ANTHROPIC.md), so the baseline is an estimate, stated as such.
    """
    return cost(usage, tier2_price, batch=batch)
