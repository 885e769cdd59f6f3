"""Benchmark section 5's quality side (bench/quality.py): the seeded, stratified split, the
threshold chosen on the calibration part, and the paired-bootstrap losses. No database."""

from collections import Counter

from bench import quality
from bench.labelled import read_labels
from bench.simulator.model import Parameters


def strata(rows):
    return Counter((row["category"], quality.difficulty(row)) for row in rows)


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
