from tests.routing.conftest import fake_anthropic  # noqa: F401  (the fake Messages API)
