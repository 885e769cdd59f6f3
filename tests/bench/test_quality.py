"""Benchmark section 5's quality side (bench/quality.py): the seeded, stratified split, the
readings (replicas), the gate, the threshold chosen on the calibration part, and the
paired-bootstrap losses. No database."""

from collections import Counter
from dataclasses import replace

from bench import quality
from bench.labelled import read_labels
from bench.simulator.model import Parameters, draw, truth_from_label


def strata(rows):
    return Counter(
        (row["category"], quality.difficulty(row), row.get("language", "en") == "en")
        for row in rows
    )


def test_it_splits_every_stratum_in_half_the_same_way_every_time():
    rows = read_labels()
    calibration, held_out = quality.split(rows)
    assert quality.split(rows) == (calibration, held_out)
    assert sorted(r["file"] for r in calibration + held_out) == sorted(r["file"] for r in rows)
    assert not {r["file"] for r in calibration} & {r["file"] for r in held_out}
    both = strata(rows)
    for key, n in both.items():
        assert abs(strata(calibration)[key] - strata(held_out)[key]) <= 1, key
        assert strata(calibration)[key] + strata(held_out)[key] == n
    assert quality.split(rows, seed=2) != (calibration, held_out)


def test_it_stratifies_by_difficulty_when_the_labels_give_one():
    rows = [
        {"file": f"{n:04}.eml", "category": "support", "difficulty": d, "kind": "person"}
        for n, d in enumerate(["easy"] * 10 + ["hard"] * 6 + ["ambiguous"] * 4)
    ]
    calibration, held_out = quality.split(rows)
    assert strata(calibration) == strata(held_out)


def test_it_chooses_a_threshold_that_keeps_the_calibration_bound_under_alpha():
    rows = [
        {"file": f"{n:04}.eml", "category": "support", "is_lead": "no", "difficulty": d}
        for n, d in enumerate(["easy"] * 60 + ["hard"] * 30 + ["ambiguous"] * 30)
    ]
    choice = quality.calibrate(rows, params=Parameters(), alpha=0.05)
    assert choice is not None
    assert choice.bound <= 0.05
    assert 0 < choice.threshold < 1 and choice.escalation_rate > 0


def test_it_reports_no_loss_when_routing_answers_as_all_tier2_and_a_loss_when_not():
    truth = ["a"] * 50 + ["b"] * 50
    same = quality.paired_loss(quality.accuracy, truth, truth, truth)
    assert (same.loss, same.low, same.high) == (0.0, 0.0, 0.0)
    worse = ["b"] * 10 + truth[10:]
    loss = quality.paired_loss(quality.accuracy, worse, truth, truth)
    assert round(loss.loss, 6) == 10.0
    assert 0 < loss.low <= loss.loss <= loss.high
    assert quality.f1([True, False], [True, True]) == 2 / 3


def test_it_stratifies_by_language_as_well():
    rows = [
        {"file": f"{n:04}.eml", "category": "support", "difficulty": "easy", "language": lang}
        for n, lang in enumerate(["en"] * 10 + ["de"] * 10)
    ]
    calibration, held_out = quality.split(rows)
    assert Counter(r["language"] for r in calibration) == Counter({"en": 5, "de": 5})
    assert Counter(r["language"] for r in held_out) == Counter({"en": 5, "de": 5})


def test_its_readings_are_independent_draws_of_the_same_messages():
    rows = [
        {"file": f"{n:04}.eml", "category": "demo_request", "is_lead": "yes", "difficulty": "hard"}
        for n in range(200)
    ]
    readings = quality.replicate(rows, 3)
    assert len(readings) == 600
    assert len({quality.key(row) for row in readings}) == 600
    assert quality.key(readings[0]) == "0000.eml" and quality.key(readings[200]) == "0000.eml#r1"
    first, second = (
        [draw(truth_from_label(row), tier=1, params=Parameters()) for row in part]
        for part in (readings[:200], readings[200:400])
    )
    assert first != second  # another reading, another draw
    # ...with the same error rate: hard in English, 25% at tier 1.
    for answers in (first, second):
        assert 0.15 < sum(not a.right for a in answers) / 200 < 0.35
    # Copy 0 is the message itself: the same answer as without replicas.
    assert first == [draw(truth_from_label(row), tier=1, params=Parameters()) for row in rows]


def test_the_calibration_side_holds_what_the_gate_lets_through():
    rows = read_labels()
    passed = [row for row in rows if quality.reaches_tier1(row)]
    assert all(row["kind"] == "person" for row in passed)
    # Every machine mail is kept out, and so is some people's mail with list headers.
    assert len(passed) < sum(row["kind"] == "person" for row in rows)


def test_it_compares_replicated_decisions_by_their_own_keys():
    rows = quality.replicate(
        [{"file": "0001.eml", "category": "support", "is_lead": "no", "difficulty": "easy"}], 2
    )
    decisions = {
        "0001.eml": {"category": "support", "is_lead": False, "tier1_alone": True},
        "0001.eml#r1": {"category": "spam", "is_lead": False, "tier1_alone": True},
    }
    held = quality.compare(rows, decisions, params=Parameters())
    assert held["n"] == 2 and held["misses"] == 1 and held["miss_rate"] == 0.5


def test_the_simulated_figures_keep_the_miss_rate_under_alpha_on_average():
    """Conformal risk control on the section's own data: over seeds of split and draws, the
    held-out miss rate's mean stays at or under alpha (it bounds the mean, not each run)."""
    rows = read_labels()
    figures = []
    for seed in range(13, 23):
        calibration, held_out = quality.split(rows, seed=seed)
        figures.append(
            quality.simulate(
                calibration, held_out, params=replace(Parameters(), seed=seed), copies=4
            )
        )
    assert all(figures)
    mean_miss = sum(f["miss_rate"] for f in figures) / len(figures)
    assert mean_miss <= quality.ALPHA + 0.005  # 10 repetitions: the mean's own noise
    assert all(0 < f["escalated"] < 0.5 for f in figures)
