"""Conformal threshold choice (routing/calibration.py), on synthetic data where the truth is
known: tier 1 is wrong with a probability that falls as its stated confidence rises."""

import numpy as np
import pytest

from routing.calibration import choose_threshold, effective_n, minimum_items, miss_curve


def synthetic(rng, n):
    confidence = rng.uniform(0.3, 1.0, n)
    wrong = rng.uniform(size=n) < (1.0 - confidence) * 0.8
    return confidence, wrong


def test_it_keeps_the_miss_rate_under_alpha_on_new_messages():
    rng = np.random.default_rng(7)
    alpha = 0.05
    test_risks = []
    for _ in range(300):
        conf, wrong = synthetic(rng, 400)
        choice = choose_threshold(conf[:200], wrong[:200], alpha=alpha)
        assert choice is not None and choice.bound <= alpha
        accepted = conf[200:] >= choice.threshold
        test_risks.append(np.mean(accepted & wrong[200:]))
    # The guarantee is on the expectation over calibration draws: the mean test miss rate.
    assert np.mean(test_risks) <= alpha
    # And it is not bought by escalating everything: the threshold stays informative.
    assert np.mean(test_risks) > alpha / 3


def test_it_picks_the_cheapest_threshold_that_passes():
    conf = np.array([0.95] * 50 + [0.5] * 50)
    wrong = np.array([False] * 50 + [True] * 50)
    choice = choose_threshold(conf, wrong, alpha=0.05)
    # Everything at 0.5 is wrong, everything at 0.95 right: 0.51 is the lowest safe threshold.
    assert choice.threshold == pytest.approx(0.51)
    assert choice.risk == 0
    assert choice.escalation_rate == pytest.approx(0.5)


def test_it_advises_nothing_with_too_few_items():
    assert minimum_items(0.05) == 19
    conf = np.full(18, 0.99)
    assert choose_threshold(conf, np.zeros(18, bool), alpha=0.05) is None
    assert choose_threshold(np.full(19, 0.99), np.zeros(19, bool), alpha=0.05) is not None


def test_it_weights_audited_pairs_by_the_inverse_of_the_audit_rate():
    # Ten audited confident decisions stand for a hundred; one of them wrong is a 10% miss.
    conf = np.array([0.9] * 10)
    wrong = np.array([True] + [False] * 9)
    risks, escalated = miss_curve(conf, wrong, weights=np.full(10, 10.0))
    assert risks[0] == pytest.approx(0.1)
    assert escalated[0] == 0
    assert effective_n(np.full(10, 10.0)) == pytest.approx(10)
    assert effective_n(np.array([1.0, 1.0, 98.0])) < 3


def test_it_refuses_an_alpha_outside_zero_and_one():
    with pytest.raises(ValueError, match="alpha"):
        choose_threshold([0.5], [False], alpha=1.5)
