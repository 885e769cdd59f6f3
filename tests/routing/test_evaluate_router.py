"""`manage.py evaluate_router`: recording a labelled set (direct and in Message Batches,
resumed after an interruption), evaluation calls kept out of cost per lead and the budget,
and the replay report (no request at all, known metrics, calibration, JSON, SVG)."""

import json
import re
import socket
from decimal import Decimal
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from routing import calls, dashboard, inputs, llm
from routing.models import ModelCall, RoutingPolicy
from tests.fakes.anthropic import FakeError, FakeMessage
from tests.helpers import make_lead

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labelled"
SMALL = FIXTURES / "small"
USAGE = {"input_tokens": 2000, "output_tokens": 200}
# What each fixture email is (by subject), and what tier 1 gets wrong.
TRUTH = {
    "Quote for 200 seats": ("pricing_request", True),
    "Demo for our team": ("demo_request", True),
    "Login broken": ("support", False),
    "Boost your rankings": ("vendor_pitch", False),
    "Application: account executive": ("job_application", False),
}
TIER1_WRONG = {"Boost your rankings": ("sales_inquiry", True, 0.55)}


def answer(category: str, is_lead: bool, confidence: float) -> dict:
    fact = {"value": None, "evidence": ""}
    return {
        "category": category,
        "is_lead": is_lead,
        "qualification": {
            "budget": {**fact, "amount_usd": None},
            "authority": fact,
            "need": fact,
            "timeline": fact,
            "company_size": {**fact, "employees": None},
        },
        "urgency": "normal",
        "language": "en",
        "summary": "A message from the labelled set.",
        "next_action": "no_action",
        "confidence": confidence,
        "needs_escalation": False,
        "escalation_reason": "",
        "injection_suspected": False,
    }


def simulated(request: dict) -> FakeMessage:
    """Tier 2 is always right; tier 1 is right and sure except on the vendor pitch."""
    subject = re.search(r"Subject: (.*)", request["messages"][0]["content"]).group(1)
    category, is_lead = TRUTH.get(subject, ("auto_reply", False))
    confidence = 0.9
    if "haiku" in request["model"] and subject in TIER1_WRONG:
        category, is_lead, confidence = TIER1_WRONG[subject]
    return FakeMessage(json.dumps(answer(category, is_lead, confidence)), usage=USAGE)


@pytest.fixture
def fake(fake_anthropic):
    inputs.current_policy()
    fake_anthropic.default = simulated
    return fake_anthropic


def run(*args) -> str:
    out = StringIO()
    call_command("evaluate_router", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def results(path: Path) -> dict[tuple[str, int], dict]:
    return {(x["file"], x["tier"]): x for x in lines(path) if x["kind"] == "result"}


def messages_sent(fake) -> int:
    return len(fake.requests_to("/v1/messages", "POST"))


# --- record -------------------------------------------------------------------------------


def test_it_records_every_message_at_both_tiers_directly(fake, tmp_path):
    out = tmp_path / "run.jsonl"
    printed = run(SMALL, "--record", out, "--direct")

    recorded = results(out)
    files = {"a_pricing.eml", "b_demo.eml", "c_support.eml", "d_vendor.eml", "e_job.eml"}
    assert set(recorded) == {(f, t) for f in files for t in (1, 2)}
    # The out-of-office is kept from the model, as the hygiene gate does in production.
    assert [x for x in lines(out) if x["kind"] == "filtered"] == [
        {"kind": "filtered", "file": "f_ooo.eml", "hygiene": "auto_reply"}
    ]
    assert messages_sent(fake) == 10
    assert "10 of 10 answers" in printed

    first, second = recorded[("d_vendor.eml", 1)], recorded[("d_vendor.eml", 2)]
    assert first["model"] == "claude-haiku-5-5" and second["model"] == "claude-sonnet-5-5"
    assert first["output"]["category"] == "sales_inquiry" and first["errors"] is None
    assert first["escalate"] == []  # nothing forces it: only its confidence can
    assert first["usage"]["input_tokens"] == 2000 and first["batch"] is False
    assert first["prompt_hash"] == second["prompt_hash"] and len(first["prompt_hash"]) == 16
    # Priced from ModelPrice: Haiku 5.5 at $0.10 / $0.50 per million tokens.
    assert Decimal(first["cost_usd"]) == Decimal("0.00030000")
    assert Decimal(second["cost_usd"]) == Decimal("0.00600000")

    # Tier 2 is shown tier 1's draft, as an escalation is.
    tier2_requests = [
        r.json for r in fake.requests_to("/v1/messages") if "sonnet" in r.json["model"]
    ]
    assert all("<<<DRAFT" in r["messages"][0]["content"] for r in tier2_requests)
    # The production request: the contract's schema as structured output, the cached rubric.
    assert tier2_requests[0]["output_config"]["format"]["type"] == "json_schema"
    assert tier2_requests[0]["system"][0]["cache_control"] == {"type": "ephemeral"}

    rows = ModelCall.objects.filter(purpose=ModelCall.Purpose.EVALUATION)
    assert rows.count() == 10 and not rows.filter(lead__isnull=False).exists()
    assert sorted(str(c.cost_usd) for c in rows if c.tier == 1) == ["0.00030000"] * 5


def test_it_sends_what_the_gate_filters_when_asked(fake, tmp_path):
    out = tmp_path / "run.jsonl"
    run(SMALL, "--record", out, "--direct", "--include-filtered")
    assert ("f_ooo.eml", 1) in results(out) and ("f_ooo.eml", 2) in results(out)
    assert not [x for x in lines(out) if x["kind"] == "filtered"]
    assert messages_sent(fake) == 12


def test_it_records_contract_errors_and_forced_escalations(fake, tmp_path):
    def broken(request):
        if "haiku" in request["model"] and "Login broken" in request["messages"][0]["content"]:
            return FakeMessage(json.dumps({"verdict": "hot"}), usage=USAGE)
        return simulated(request)

    fake.default = broken
    out = tmp_path / "run.jsonl"
    run(SMALL, "--record", out, "--direct")
    line = results(out)[("c_support.eml", 1)]
    assert line["output"] is None
    assert "category: missing" in line["errors"]
    assert line["escalate"] == ["invalid_output"]
    # Tier 2 got no draft to check, and answered on its own.
    assert results(out)[("c_support.eml", 2)]["output"]["category"] == "support"


def test_it_records_through_a_message_batch_at_half_price(fake, tmp_path):
    out = tmp_path / "run.jsonl"
    run(SMALL, "--record", out, "--poll-seconds", 0)

    assert messages_sent(fake) == 0
    created = fake.requests_to("/v1/messages/batches", "POST")
    assert len(created) == 2  # tier 1, then tier 2 with tier 1's drafts
    assert len(created[0].json["requests"]) == 5
    recorded = results(out)
    assert len(recorded) == 10 and all(x["batch"] for x in recorded.values())
    assert Decimal(recorded[("a_pricing.eml", 1)]["cost_usd"]) == Decimal("0.00015000")
    batch_lines = [x for x in lines(out) if x["kind"] == "batch"]
    assert [x["tier"] for x in batch_lines] == [1, 2]
    assert len([x for x in lines(out) if x["kind"] == "batch_done"]) == 2
    rows = ModelCall.objects.filter(purpose=ModelCall.Purpose.EVALUATION, batch=True)
    assert rows.count() == 10
    assert {str(c.cost_usd) for c in rows if c.tier == 2} == {"0.00300000"}


def test_it_resumes_after_the_api_fails_on_the_nth_call(fake, tmp_path, settings):
    settings.ANTHROPIC_MAX_ATTEMPTS = 1
    answered = []

    def fails_fourth(request):
        answered.append(request["model"])
        if len(answered) == 4:
            return FakeError(529, "overloaded_error", "Overloaded")
        return simulated(request)

    fake.default = fails_fourth
    out = tmp_path / "run.jsonl"
    with pytest.raises(CommandError, match="run the command again to resume"):
        run(SMALL, "--record", out, "--direct")
    assert len(results(out)) == 3

    fake.default = simulated
    run(SMALL, "--record", out, "--direct")
    assert len(results(out)) == 10
    # 4 calls the first time (the fourth failed), 7 the second: nothing recorded was paid twice.
    assert messages_sent(fake) == 11
    assert run(SMALL, "--record", out, "--direct").startswith(f"{out}: 10 of 10")
    assert messages_sent(fake) == 11


def test_it_picks_up_a_batch_left_in_flight(fake, tmp_path):
    # The first run sends tier 1's batch, then cannot read its status: it stops.
    fake.server_error(endpoint="batch_retrieve")
    out = tmp_path / "run.jsonl"
    with pytest.raises(CommandError, match="run the command again to pick it up"):
        run(SMALL, "--record", out, "--poll-seconds", 0)
    (batch,) = [x for x in lines(out) if x["kind"] == "batch"]
    assert results(out) == {}

    run(SMALL, "--record", out, "--poll-seconds", 0)
    created = fake.requests_to("/v1/messages/batches", "POST")
    assert len(created) == 2  # the tier-1 batch was not sent again; then tier 2's
    tier1 = [x for x in results(out).values() if x["tier"] == 1]
    assert len(tier1) == 5
    assert fake.requests_to(f"/v1/messages/batches/{batch['batch_id']}/results")


def test_it_records_a_refused_request_and_stops_on_an_account_error(fake, tmp_path):
    fake.bad_request("prompt is too long")
    out = tmp_path / "run.jsonl"
    fake.queue(FakeMessage(json.dumps(answer("pricing_request", True, 0.9)), usage=USAGE))
    fake.queue(FakeMessage(json.dumps(answer("demo_request", True, 0.9)), usage=USAGE))
    fake.unauthorized()
    with pytest.raises(CommandError, match="run the command again to resume"):
        run(SMALL, "--record", out, "--direct")
    recorded = results(out)
    # The 400 is this message's answer; the 401 is the account's: nothing recorded for it.
    assert recorded[("a_pricing.eml", 1)]["errors"][0].startswith("api: HTTP 400")
    assert recorded[("a_pricing.eml", 1)]["escalate"] == ["invalid_output"]
    assert len(recorded) == 3


def test_it_refuses_a_file_recorded_with_another_policy_model(fake, tmp_path):
    out = tmp_path / "run.jsonl"
    run(SMALL, "--record", out, "--direct")
    RoutingPolicy.objects.update(tier1_model="claude-haiku-4-5-20251001")
    with pytest.raises(CommandError, match="record into a new file"):
        run(SMALL, "--record", out, "--direct")


def test_it_needs_an_api_key_to_record(settings, tmp_path):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="ANTHROPIC_API_KEY"):
        run(SMALL, "--record", tmp_path / "run.jsonl")


def test_it_keeps_evaluation_calls_out_of_cost_per_lead_and_the_budget(fake, tmp_path):
    lead = make_lead()
    ModelCall.objects.create(
        lead=lead, model="claude-haiku-5-5", tier=1, cost_usd=Decimal("0.00100000")
    )
    run(SMALL, "--record", tmp_path / "run.jsonl", "--direct")
    evaluation = ModelCall.objects.evaluation()
    assert evaluation.count() == 10 and sum(c.cost_usd for c in evaluation) > 0

    calls.forget_spend()
    assert calls.spend_today() == Decimal("0.00100000")
    assert list(ModelCall.objects.for_leads()) == [ModelCall.objects.get(lead=lead)]
    today = timezone.localdate()
    rng = dashboard.Range(today, today)
    assert dashboard.cost_per_lead(rng)["overall"]["total"] == Decimal("0.00100000")
    spend = dashboard.spend(rng, dashboard.active_policy())
    assert spend["total"] == Decimal("0.00100000") and spend["calls"] == 1


# --- replay -------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_replays_without_any_request(fake, tmp_path, settings):
    out = tmp_path / "run.jsonl"
    run(SMALL, "--record", out, "--direct")
    before = len(fake.requests)
    # Nothing listens there: a request would fail the command.
    settings.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    llm.reset_client()
    report = json.loads(run(SMALL, "--replay", out, "--json", "--bootstrap", 50))
    assert len(fake.requests) == before
    assert report["set"]["messages"] == 5
    assert report["set"]["skipped"] == {"filtered by the hygiene gate": 1}
    assert report["set"]["tier1_accuracy"] == pytest.approx(0.8)
    assert report["set"]["tier2_accuracy"] == 1.0


def write_replay(tmp_path: Path, rows: list[tuple]) -> tuple[Path, Path]:
    """A labelled set (empty .eml files are fine: replay never reads them) and a recording.
    rows: (label category, label is_lead, value, t1 category, t1 lead, confidence, forced,
    t2 category, t2 lead, cost1, cost2)."""
    root = tmp_path / "set"
    root.mkdir()
    (root / "categories.txt").write_text("a\nb\nc\n")
    labels = ["file,category,is_lead,value_usd"]
    recording = []
    for i, (cat, lead, value, c1, l1, conf, forced, c2, l2, cost1, cost2) in enumerate(rows):
        name = f"m{i}.eml"
        (root / name).write_bytes(b"Subject: x\n\nx\n")
        labels.append(f"{name},{cat},{'yes' if lead else 'no'},{value}")
        for tier, category, is_lead, confidence, cost in (
            (1, c1, l1, conf, cost1),
            (2, c2, l2, 0.9, cost2),
        ):
            line = {
                "kind": "result",
                "file": name,
                "tier": tier,
                "output": None
                if category is None
                else {"category": category, "is_lead": is_lead, "confidence": confidence},
                "cost_usd": str(cost),
            }
            if tier == 1:
                line["escalate"] = ["model_asked: unsure"] if forced else []
            recording.append(json.dumps(line))
    (root / "labels.csv").write_text("\n".join(labels) + "\n")
    path = tmp_path / "replay.jsonl"
    path.write_text("\n".join(recording) + "\n")
    return root, path


# Ten messages with known answers. Tier 1 costs 1, tier 2 costs 10 each (all-tier-2: 100).
# Tier 1 is wrong on m0 (conf 0.3), m1 (conf 0.6) and m2 (is_lead wrong, conf 0.8); m9 is
# forced (tier 1 asked) and right. Tier 2 is right everywhere except m3.
KNOWN = [
    ("a", True, 100000, "b", False, 0.30, False, "a", True, 1, 10),
    ("b", False, "", "a", False, 0.60, False, "b", False, 1, 10),
    ("a", True, 1000, "a", False, 0.80, False, "a", True, 1, 10),
    ("c", False, "", "c", False, 0.95, False, "b", False, 1, 10),
    ("a", True, "", "a", True, 0.95, False, "a", True, 1, 10),
    ("b", False, "", "b", False, 0.95, False, "b", False, 1, 10),
    ("c", False, "", "c", False, 0.95, False, "c", False, 1, 10),
    ("a", True, "", "a", True, 0.95, False, "a", True, 1, 10),
    ("b", False, "", "b", False, 0.95, False, "b", False, 1, 10),
    ("c", False, "", "c", False, 0.95, True, "c", False, 1, 10),
]


def curve_at(report: dict, threshold: float) -> dict:
    return next(p for p in report["curve"] if p["threshold"] == threshold)


def test_it_computes_known_metrics_baselines_and_apgr(tmp_path):
    root, path = write_replay(tmp_path, KNOWN)
    report = json.loads(
        run(root, "--replay", path, "--json", "--value-threshold", 50000, "--bootstrap", 200)
    )
    assert set(report) >= {"curve", "baselines", "chosen", "test", "router", "per_category"}
    assert len(report["curve"]) == 101

    base = report["baselines"]
    # All tier 1: categories right on 8 of 10.
    assert base["all_tier1"]["accuracy"] == pytest.approx(0.8)
    assert base["all_tier1"]["cost_share"] == pytest.approx(0.1)
    assert base["all_tier1"]["escalation_rate"] == 0.0
    # Tier 1 says is_lead for m4 and m7 only: precision 1, recall 2 of 4 leads.
    assert base["all_tier1"]["lead_precision"] == 1.0
    assert base["all_tier1"]["lead_recall"] == pytest.approx(0.5)
    # The one lead worth ≥ $50,000 (m0) tier 1 calls no lead.
    assert base["all_tier1"]["high_value_recall"] == 0.0
    # Misses: the wrong ones tier 1 keeps (m0, m1, m2): 3 of 10.
    assert base["all_tier1"]["miss_rate"] == pytest.approx(0.3)
    assert base["all_tier2"]["accuracy"] == pytest.approx(0.9)
    # The baseline pays no tier-1 call; the router at threshold 1.0 pays both.
    assert base["all_tier2"]["cost_share"] == 1.0
    assert curve_at(report, 1.0)["cost_share"] == pytest.approx(1.1)
    assert base["all_tier2"]["high_value_recall"] == 1.0
    # Tier 2's macro-F1: a: 4/4 right (F1 1); b: 3 true, 4 predicted, 3 right (6/7);
    # c: 3 true, 2 predicted, 2 right (4/5).
    assert base["all_tier2"]["macro_f1"] == pytest.approx((1 + 6 / 7 + 4 / 5) / 3)
    # The oracle escalates m0, m1, m2 (tier 1 wrong) and nothing else: tier 2 fixes all three.
    assert base["oracle"]["escalation_rate"] == pytest.approx(0.3)
    assert base["oracle"]["accuracy"] == 1.0
    assert base["oracle"]["cost_share"] == pytest.approx(0.4)
    assert base["oracle"]["miss_rate"] == 0.0
    low, high = base["all_tier2"]["interval"]["accuracy"]
    assert low <= 0.9 <= high

    # Threshold 0.5: m0 (0.3) and the forced m9 go to tier 2.
    half = curve_at(report, 0.5)
    assert half["escalation_rate"] == pytest.approx(0.2)
    assert half["cost_share"] == pytest.approx(0.3)
    assert half["accuracy"] == pytest.approx(0.9)
    assert half["miss_rate"] == pytest.approx(0.2)
    # PGR = (0.9 - 0.8) / (0.9 - 0.8) = 1.
    assert half["pgr"] == pytest.approx(1.0)
    # Threshold 0.0: only the forced m9, which tier 2 also gets right: all tier 1's accuracy.
    assert curve_at(report, 0.0)["accuracy"] == pytest.approx(0.8)
    assert curve_at(report, 0.0)["pgr"] == pytest.approx(0.0)
    # Threshold 1.0: everyone escalated; m3 is then wrong (tier 2's error).
    assert curve_at(report, 1.0)["accuracy"] == pytest.approx(0.9)

    # The curve's points (share sent to tier 2, PGR): (0.1, 0) for t ≤ 0.30; (0.2, 1) to
    # 0.60; (0.3, 2) to 0.80 (m0 and m1 fixed: better than all tier 2, which gets m3 wrong);
    # (0.4, 2) to 0.95; (1, 1) above; with (0, 0) added. PGR ≥ 90% first at 20% of calls.
    assert curve_at(report, 0.7)["pgr"] == pytest.approx(2.0)
    router = report["router"]
    assert router["cpt90"] == pytest.approx(0.2) and router["cpt95"] == pytest.approx(0.2)
    # Trapezoids: 0 + 0.05 + 0.15 + 0.2 + 0.6 × 1.5 = 1.3.
    assert router["apgr"] == pytest.approx(1.3)

    # Ten items calibrate nothing at alpha 0.05: random escalation runs at the policy's rate
    # (0.70: m0, m1 and the forced m9), averaged over seeded draws.
    assert report["chosen"]["global"] is None
    assert base["policy"]["escalation_rate"] == pytest.approx(0.3)
    assert base["random"]["escalation_rate"] == pytest.approx(0.3)
    assert base["random"]["draws"] == 200
    assert 0.8 <= base["random"]["accuracy"] <= 0.9


def test_it_calibrates_on_one_part_and_reports_the_other(tmp_path):
    # 200 messages: tier 1 is wrong on a tenth of them, always at confidence 0.4; right ones
    # are at 0.9. Tier 2 is always right. Categories a and b, 100 each.
    rows = []
    for i in range(200):
        cat = "a" if i % 2 else "b"
        other = "b" if cat == "a" else "a"
        wrong = i % 10 == 0
        rows.append(
            (
                cat,
                False,
                "",
                other if wrong else cat,
                False,
                0.4 if wrong else 0.9,
                False,
                cat,
                False,
                1,
                10,
            )
        )
    root, path = write_replay(tmp_path, rows)
    report = json.loads(
        run(root, "--replay", path, "--json", "--alpha", 0.05, "--seed", 7, "--bootstrap", 100)
    )
    chosen, test = report["chosen"], report["test"]
    assert chosen["calibration_items"] == 100 and chosen["test_items"] == 100
    # Any threshold in (0.4, 0.9] has no miss; the cheapest is 0.41.
    assert chosen["global"]["threshold"] == pytest.approx(0.41)
    assert chosen["global"]["bound"] <= 0.05
    # 50 calibration items per tier-1 category: at least minimum_items(0.05) = 19.
    assert set(chosen["per_category"]) == {"a", "b"}
    assert test["items"] == 100
    assert test["miss_rate"] == 0.0 and test["miss_rate_within_alpha"] is True
    # Exactly the wrong ones escalate, and tier 2 fixes them.
    rate = test["chosen"]["escalation_rate"]
    assert 0 < rate < 0.2
    assert test["chosen"]["accuracy"] == 1.0
    assert test["accuracy_loss"] == 0.0
    # Cost: 100 tier-1 calls (1 each) and the escalations (10 each) against 100 tier-2 calls.
    assert test["chosen"]["cost_share"] == pytest.approx(0.1 + rate)

    # Another seed, another split: the same stratified sizes.
    again = json.loads(run(root, "--replay", path, "--json", "--seed", 8, "--bootstrap", 10))
    assert again["chosen"]["calibration_items"] == 100


def test_it_says_when_too_few_items_to_calibrate(tmp_path):
    root, path = write_replay(tmp_path, KNOWN)
    report = json.loads(run(root, "--replay", path, "--json", "--alpha", 0.01))
    assert report["chosen"]["global"] is None
    assert "at least 99" in report["chosen"]["note"]
    assert report["test"]["chosen"] is None
    assert "no threshold keeps the bound" in run(root, "--replay", path, "--alpha", 0.01)


def test_it_prints_a_table_and_markdown(tmp_path):
    root, path = write_replay(tmp_path, KNOWN)
    text = run(root, "--replay", path, "--bootstrap", 20)
    assert "all tier 1" in text and "oracle" in text and "APGR 1.300" in text
    assert "threshold" in text and "0.50" in text
    markdown = run(root, "--replay", path, "--markdown", "--bootstrap", 20)
    assert "| router | escalated |" in markdown and "|---|" in markdown


def test_it_plots_the_curve_as_svg(tmp_path):
    root, path = write_replay(tmp_path, KNOWN)
    plot = tmp_path / "curve.svg"
    run(root, "--replay", path, "--plot", plot, "--bootstrap", 20)
    tree = ElementTree.parse(plot)
    ns = "{http://www.w3.org/2000/svg}"
    assert tree.getroot().tag == f"{ns}svg"
    texts = [t.text for t in tree.iter(f"{ns}text")]
    assert "cost as a share of all-tier-2" in texts and "category accuracy" in texts
    assert {"threshold curve", "all tier 1", "all tier 2", "oracle"} <= set(texts)
    # The threshold curve, and the curve with the local model's second opinion.
    assert len(list(tree.iter(f"{ns}polyline"))) == 2


def test_it_rejects_a_missing_or_empty_recording(tmp_path):
    with pytest.raises(CommandError, match="no such recording"):
        run(SMALL, "--replay", tmp_path / "nothing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"kind": "filtered", "file": "f_ooo.eml"}) + "\n")
    with pytest.raises(CommandError, match="nothing to replay .1 filtered by the hygiene gate, 5"):
        run(SMALL, "--replay", empty)
