"""Pure pricing: token usage + a price row -> Decimal USD (ANTHROPIC.md, "Cost of one call")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """Token counts as the Messages API reports them; None where the response had none."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_creation_5m_tokens: int | None = None
    cache_creation_1h_tokens: int | None = None
    cache_read_input_tokens: int | None = None
