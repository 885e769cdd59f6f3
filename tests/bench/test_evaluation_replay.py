"""bench/evaluation.py: the replay timing the benchmark table reports."""

from bench.evaluation import measure_replay, synthetic
from routing.evaluation import replay


def test_it_times_a_replay_of_a_synthetic_recording():
    lines, labelled_set = synthetic(300)
    data = replay.build(lines, labelled_set)
    assert len(data) == 300 and 0 < data.wrong1.mean() < 0.5
    assert measure_replay(300) > 0
