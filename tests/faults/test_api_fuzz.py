"""The REST API fuzzed from its own OpenAPI schema (schemathesis) through gunicorn."""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.faults import stack
from tests.helpers import make_lead, make_user

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Requests per operation and mode: bounded, and the same every run (derandomized).
EXAMPLES = 40
OPERATIONS = {("GET", "/api/leads/"), ("POST", "/api/leads/"), ("GET", "/api/leads/{id}/")}


@pytest.mark.reliability(15)
def test_it_answers_no_5xx_to_requests_generated_from_its_schema(web):
    """Requests generated from the live server's OpenAPI schema, valid and invalid, for
    each operation (40 of each kind per operation, derandomized), with a token: no 5xx."""
    for n in range(3):  # leads to find by id
        make_lead(message_id=f"<fuzz-{n}@acme-widgets.com>", subject=f"Fuzz {n}")
    headers = stack.api_headers()
    # The schema is served to staff signed in; the operations are called with a token.
    stack.with_password(make_user("docs-admin", staff=True))
    staff = stack.sign_in(web, "docs-admin")
    cookie = "; ".join(f"{name}={value}" for name, value in staff.cookies.items())
    schema = schemathesis.openapi.from_url(
        f"{web.base_url}/api/schema/?format=json",
        headers={**stack.BEHIND_TLS, "Cookie": cookie},
        timeout=30,
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == OPERATIONS
    answered: Counter[tuple[str, int]] = Counter()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case):
                response = case.call(base_url=web.base_url, headers=headers, timeout=60)
                answered[(case.operation.label, response.status_code)] += 1
                case.validate_response(response, checks=[not_a_server_error], headers=headers)

            fuzz()

    print(dict(answered))
    assert not [key for key in answered if key[1] >= 500]
    assert sum(answered.values()) >= len(OPERATIONS) * EXAMPLES
