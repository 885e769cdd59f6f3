import pytest

from routing import calls, config, llm
from tests.fakes.anthropic import FakeAnthropic


@pytest.fixture
def fake_anthropic(settings):
    """A fake Messages API per test, with routing.llm pointed at it through settings."""
    with FakeAnthropic() as fake:
        settings.ANTHROPIC_API_KEY = "sk-test"
        settings.ANTHROPIC_BASE_URL = fake.base_url
        # Backoff in tens of milliseconds: retry tests stay fast; retry-after still counts.
        settings.ANTHROPIC_BACKOFF_MS = 10
        llm.reset_client()
        yield fake
        llm.reset_client()


@pytest.fixture(autouse=True)
def _forget_process_caches():
    """What a process keeps between leads (the configuration, today's settled spend) never
    outlives a test: transactional tests flush the tables under it."""
    config.forget()
    calls.forget_spend()
    yield
    config.forget()
    calls.forget_spend()
