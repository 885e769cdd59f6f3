from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client

from intake.models import Lead, Message
from routing import defaults
from routing.models import Category, Queue, RoutingPolicy, Triage


@pytest.mark.django_db(transaction=True)
def test_it_loads_the_demo_data_through_intake_and_prints_logins():
    # What the data migrations seed, which an earlier transactional test may have flushed.
    defaults.seed_defaults(Queue, Category, RoutingPolicy)
    out = StringIO()
    call_command("demo", "--setup-only", stdout=out)
    text = out.getvalue()

    login_lines = [line for line in text.splitlines() if "login:" in line]
    assert len(login_lines) == 3
    logins = {}
    for line in login_lines:
        username, password = line.split("login:")[1].strip().split(" / ")
        assert authenticate(username=username, password=password) is not None
        logins[line.split()[0]] = (username, password)
    # Without a key the demo's processes would call the simulated Messages API (--setup-only
    # starts none; tests/ops/test_demo_simulated.py starts it).
    assert "simulated Messages API" in text and "Claude is off" not in text

    assert Message.objects.count() == 15
    assert Message.objects.filter(parse_state=Message.ParseState.PENDING).count() == 0
    # The reply threads onto the demo request; hygiene keeps three out of the queue.
    assert Lead.objects.count() == 14
    assert Lead.objects.filter(status=Lead.Status.FILTERED).count() == 3
    assert not Triage.objects.filter(lead__status=Lead.Status.FILTERED).exists()

    # Without a key the local classifier decides, labelled as such, into sensible queues.
    decided = {
        t.lead.subject: (t.category, t.queue.slug if t.queue else None)
        for t in Triage.objects.select_related("lead", "queue")
    }
    assert len(decided) == 11
    # The job application is decided by a rule before the model: no classifier at all.
    assert set(Triage.objects.values_list("model", flat=True)) == {"local", "rules"}
    # The demo's example rules: enterprise-size and security questions to Enterprise.
    assert decided["Demo request for our operations team (120 seats)"] == (
        "demo_request",
        "enterprise",
    )
    assert decided["Enterprise pricing and SSO"] == ("pricing_request", "enterprise")
    assert decided["Application: Senior Account Executive"] == ("job_application", "review")
    assert decided["Anfrage: Angebot für 25 Lizenzen"] == ("pricing_request", "sales")
    assert decided["Login problem after password reset"] == ("support", "support")
    assert decided["Integration partnership with StackBridge"] == ("partnership", "partnerships")
    assert decided["Quick question about your website traffic"] == ("vendor_pitch", None)
    assert decided["CONGRATULATIONS!!! You won 5 BTC - claim now"] == ("spam", None)
    assert Lead.objects.filter(status=Lead.Status.SPAM).count() == 1
    assert Lead.objects.in_sales_queue().count() == 10

    # The printed sales login opens a queue with the demo's sales leads in it.
    client = Client()
    username, password = logins["sales"]
    assert client.login(username=username, password=password)
    subjects = [lead.subject for lead in client.get("/").context["rows"]]
    assert "Demo request for our operations team (120 seats)" in subjects
    assert "Login problem after password reset" not in subjects  # the support queue's
    enterprise = client.get("/?queue=enterprise").context["rows"]
    assert "Enterprise pricing and SSO" in [lead.subject for lead in enterprise]

    # The printed API token is an integration's: it reads every lead and creates one; the
    # sales rep's session is no API credential.
    [token_line] = [line for line in text.splitlines() if "API token" in line]
    key = token_line.split("Token ")[1].split('"')[0]
    api = Client(headers={"authorization": f"Token {key}"})
    assert len(api.get("/api/leads/?page_size=200").json()["results"]) == 14
    created = api.post(
        "/api/leads/",
        {"email": "dana@acme-widgets.com", "message": "Demo?"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert client.get("/api/leads/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_it_loads_nothing_new_the_second_time():
    call_command("demo", "--setup-only", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--setup-only", stdout=out)
    assert "sample messages: 0 new" in out.getvalue()
    assert Message.objects.count() == 15


def test_it_ships_example_rules_the_rule_admin_would_accept():
    from intake.management.commands.demo import DEMO_RULES
    from routing import rules

    for rule in DEMO_RULES:
        problems = rules.validate_rule(
            rule["match"], rule["conditions"], rule["actions"], stage=rule["stage"]
        )
        assert problems == [], rule["name"]


@pytest.mark.django_db(transaction=True)
def test_it_says_claude_is_off_with_the_local_option():
    out = StringIO()
    call_command("demo", "--setup-only", "--local", stdout=out)
    assert "Claude is off" in out.getvalue()
    assert "simulated" not in out.getvalue()
