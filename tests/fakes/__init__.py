"""Fakes for the boundaries only: outside systems spoken to over their real protocols."""

from tests.fakes.anthropic import FakeAnthropic

__all__ = ["FakeAnthropic"]
