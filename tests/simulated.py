"""The simulated Messages API as `make demo` runs it (its own process), for the tests of the
demo and of the pages that say "simulated". Import the fixture: `from tests.simulated import
simulated_api`."""

import pytest

from intake.management.commands import demo
from routing import calls, config, llm


@pytest.fixture
def simulated_api(settings):
    """The process and environment the demo gives its web server and worker; yields the
    base URL."""
    process, base_url = demo.start_simulated_api()
    try:
        env = demo.simulated_environment(base_url)
        settings.ANTHROPIC_API_KEY = env["ANTHROPIC_API_KEY"]
        settings.ANTHROPIC_BASE_URL = env["ANTHROPIC_BASE_URL"]
        settings.LEADROUTER_SIMULATED_API = env["LEADROUTER_SIMULATED_API"] == "1"
        llm.reset_client()
        config.forget()
        calls.forget_spend()
        yield base_url
    finally:
        llm.reset_client()
        process.stdin.close()
        process.wait(timeout=10)
