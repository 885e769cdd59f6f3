"""The trained local model as the `local` tier: trained on first use, versions with fallbacks,
the admin's choice of version, and its second opinion on tier 1.

The first test to need a model trains the default one from the shipped data (about 25 s of
CPU, once per test process: routing.local_model.store keeps it)."""

import json
from decimal import Decimal

import pytest

from routing import local, local_heuristics, services
from routing.local_model import artifact, store
from routing.models import LocalModel, RoutingPolicy
from tests.helpers import make_lead, make_user
from tests.routing.test_triage import answer

pytestmark = pytest.mark.django_db

CATEGORIES = [
    "sales_inquiry",
    "demo_request",
    "pricing_request",
    "partnership",
    "support",
    "job_application",
    "vendor_pitch",
    "spam",
    "auto_reply",
    "other",
]
# Dutch and a price asked without the word: the keyword lists miss both.
DUTCH_DEMO = ("Vraag", "Wanneer heeft u tijd voor een demonstratie volgende week?")
COST = ("Hello", "Could you tell me what it would cost for our 12 engineers?")


@pytest.fixture(autouse=True)
def fresh_process_state():
    store.forget()
    yield
    store.forget()


def inputs(subject: str, body: str) -> dict:
    return {
        "subject": subject,
        "body": body,
        "sender_email": "dana@acme-widgets.com",
        "sender_domain": "acme-widgets.com",
        "is_free_mail": False,
        "hygiene": "",
        "categories": CATEGORIES,
    }


def corrupt_version(data: bytes = b"not a pickle") -> LocalModel:
    """A newer version whose artifact does not load, made the active one."""
    store.ensure_default()
    LocalModel.objects.update(is_active=False)
    return LocalModel.objects.create(
        version=99, algorithm="tfidf-logreg", artifact=data, sklearn_version="x", is_active=True
    )


def test_it_trains_the_default_model_on_first_use_and_stores_it():
    assert not LocalModel.objects.exists()

    out = local.classify(**inputs(*DUTCH_DEMO))

    version = LocalModel.objects.get()
    assert (version.version, version.is_active, version.sources) == (1, True, ["shipped"])
    assert version.metrics["heldout"]["lead_accuracy"] > 0.8
    assert set(version.counts["language"]) >= {"en", "de", "fr", "es", "it", "nl", "pt", "ru"}
    assert (out.category, out.is_lead, out.language) == ("demo_request", True, "nl")


def test_it_gets_right_what_the_keyword_heuristics_get_wrong():
    for subject, body, category in [(*DUTCH_DEMO, "demo_request"), (*COST, "pricing_request")]:
        assert local_heuristics.classify(**inputs(subject, body)).category == "other"
        out = local.classify(**inputs(subject, body))
        assert (out.category, out.is_lead) == (category, True)
        assert 0.5 < out.confidence <= 1


def test_it_states_facts_only_with_a_quote_from_the_message():
    out = local.classify(**inputs(*COST))
    assert out.qualification.need.value == "12 engineers" or out.qualification.need.value is None
    for name in ("budget", "authority", "timeline", "company_size"):
        fact = getattr(out.qualification, name)
        assert fact.value is None or fact.evidence in COST[1]


def test_it_falls_back_to_the_previous_version_when_the_artifact_is_corrupt():
    bad = corrupt_version()

    out = local.classify(**inputs(*DUTCH_DEMO))

    assert out.category == "demo_request"  # version 1 decided
    bad.refresh_from_db()
    assert "does not load" in bad.load_error


def test_it_refuses_an_artifact_of_another_format():
    bad = corrupt_version(artifact.MAGIC + json.dumps({"format": 1}).encode() + b"\n")

    local.classify(**inputs(*COST))

    bad.refresh_from_db()
    assert "an artifact of format 1; this worker reads format 2" in bad.load_error


def test_it_uses_the_heuristics_when_no_version_loads():
    LocalModel.objects.create(
        version=1, algorithm="tfidf-logreg", artifact=b"\x00", sklearn_version="x", is_active=True
    )
    assert local.classify(**inputs(*COST)) == local_heuristics.classify(**inputs(*COST))


def test_triage_still_decides_and_admin_shows_the_problem(client):
    corrupt_version()
    lead = make_lead(subject=DUTCH_DEMO[0], body=DUTCH_DEMO[1])

    services.triage_lead(lead.pk)  # tests have no API key: the local tier decides

    lead.refresh_from_db()
    assert (lead.triage.model, lead.triage.category) == ("local", "demo_request")
    admin = make_user("boss", staff=True)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get("/admin/routing/localmodel/")
    assert page.status_code == 200
    assert "the artifact does not load" in page.content.decode()


def test_the_admin_action_chooses_the_active_version(client):
    first = store.ensure_default()
    second = LocalModel.objects.create(
        version=2, algorithm="tfidf-logreg", artifact=first.artifact, sklearn_version="x"
    )
    admin = make_user("boss", staff=True)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        "/admin/routing/localmodel/",
        {"action": "make_active", "_selected_action": [second.pk]},
        follow=True,
    )

    assert "Local model v2 is now active." in response.content.decode()
    assert list(LocalModel.objects.filter(is_active=True)) == [second]


def test_a_confident_disagreement_with_tier_1_escalates_when_the_policy_asks(fake_anthropic):
    store.ensure_default()
    # Tier 1 calls a plain demo request spam; the local model is sure it is a demo request.
    fake_anthropic.default = lambda request: answer(
        category="spam", is_lead=False, next_action="mark_spam"
    )
    quiet = make_lead()  # "we would like a demo for our team of 40 next week"
    services.triage_lead(quiet.pk)
    quiet.refresh_from_db()
    assert not quiet.triage.escalated  # off by default

    RoutingPolicy.objects.update(second_opinion_threshold=Decimal("0.80"))
    lead = make_lead(sender="Sam <sam@example.org>", message_id="<m2@example.org>")

    services.triage_lead(lead.pk)

    lead.refresh_from_db()
    assert lead.triage.escalated, (lead.triage.model, lead.triage.escalation_reasons)
    assert any(
        r.startswith("local_model_disagrees (demo_request") for r in lead.triage.escalation_reasons
    )


def test_an_agreeing_local_model_adds_no_escalation(fake_anthropic):
    store.ensure_default()
    fake_anthropic.default = lambda request: answer()
    RoutingPolicy.objects.update(second_opinion_threshold=Decimal("0.50"))

    lead = make_lead()

    services.triage_lead(lead.pk)

    lead.refresh_from_db()
    assert not lead.triage.escalated, lead.triage.escalation_reasons


def test_it_keeps_the_trained_default_for_the_next_process(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    store._default_fields.cache_clear()
    try:
        first = store._default_fields()
        (meta,) = (tmp_path / "local-model").glob("default-*.json")
        kept = json.loads(meta.read_text())
        assert kept["metrics"] == first["metrics"]
        # What a new process finds: the kept files, read instead of training again.
        kept["metrics"]["marker"] = "read from disk"
        meta.write_text(json.dumps(kept))
        store._default_fields.cache_clear()
        again = store._default_fields()
        assert again["metrics"]["marker"] == "read from disk"
        assert again["artifact"] == first["artifact"]
    finally:
        store._default_fields.cache_clear()
