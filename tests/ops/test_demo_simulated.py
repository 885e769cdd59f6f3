"""`make demo` without a key: the simulated Messages API it starts as its own process, and
the pipeline triaging the demo's mail through it with the real SDK."""

import pytest

from intake.management.commands import demo
from routing import services
from routing.models import ModelCall, Triage
from tests.helpers import ingest
from tests.simulated import simulated_api  # noqa: F401 (a fixture)


@pytest.mark.django_db
@pytest.mark.usefixtures("simulated_api")
def test_it_starts_the_simulated_api_and_the_demo_mail_is_triaged_through_it(settings):
    assert settings.ANTHROPIC_BASE_URL.startswith("http://127.0.0.1:")
    raw = (demo.DEMO_DIR / "01-demo-request.eml").read_bytes()
    lead = ingest(raw, provider="demo").message.lead
    services.triage_lead(lead.pk)  # what the demo's worker runs

    triage = Triage.objects.get(lead=lead)
    assert triage.model == "claude-haiku-5-5"
    assert triage.category == "demo_request"
    assert "simulated" in triage.summary and "claude" not in triage.summary.lower()
    call = ModelCall.objects.get(lead=lead)
    assert call.request_id.startswith("req_sim_")
    assert call.cost_usd > 0
    # The facts the keyword reading states carry quotes the contract accepted.
    assert triage.qualification["company_size"]["employees"] == 900
    assert triage.score > 0


def test_it_stops_when_the_demo_closes_its_pipe():
    process, base_url = demo.start_simulated_api()
    process.stdin.close()
    assert process.wait(timeout=10) == 0
