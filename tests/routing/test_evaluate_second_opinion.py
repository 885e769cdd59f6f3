"""evaluate_router's second opinion: the local model's confident disagreement with tier 1 as
one more strategy on the replay curve (routing/evaluation/second_opinion.py)."""

import json

import numpy as np
import pytest

from routing.evaluation import labelled, replay, second_opinion
from tests.routing.test_evaluate_router import KNOWN, run, write_replay

pytestmark = pytest.mark.django_db


def known_replay(tmp_path):
    root, path = write_replay(tmp_path, KNOWN)
    data = replay.build(
        [json.loads(line) for line in path.read_text().splitlines()], labelled.load(root)
    )
    return root, path, data


def answers_for(data, categories, confidences):
    code = {slug: i for i, slug in enumerate(data.categories)}
    return second_opinion.LocalAnswers(
        category=np.array([code[c] for c in categories]),
        lead=np.array([c == "a" for c in categories]),
        confidence=np.array(confidences, dtype=float),
        model="local v1",
    )


def test_it_escalates_where_the_local_model_confidently_disagrees(tmp_path):
    _, _, data = known_replay(tmp_path)
    # The local model agrees with the labels everywhere, sure at 0.95, except m1 (0.65).
    truth = [row[0] for row in KNOWN]
    answers = answers_for(data, truth, [0.95, 0.65] + [0.95] * 8)

    report = second_opinion.strategy(
        data, answers, high_value=None, plain={"apgr": 1.3, "cpt90": 0.2, "cpt95": 0.2}
    )

    by_level = {row["level"]: row for row in report["levels"]}
    # At 0.6 it flags tier 1's three errors (m0, m1, m2: m2 has is_lead wrong) and m3-m9
    # none (it agrees with tier 1 there): 3 of 10, every flag an error.
    assert by_level[0.6]["flagged"] == pytest.approx(0.3)
    assert by_level[0.6]["wrong_flagged"] == 1.0
    assert by_level[0.6]["flagged_wrong"] == 1.0
    # At 0.7 m1 (0.65) is not flagged any more.
    assert by_level[0.7]["flagged"] == pytest.approx(0.2)
    # At threshold 0 the 0.6 level alone is the oracle plus the forced m9: all right.
    assert by_level[0.6]["at_threshold_0"]["accuracy"] == 1.0
    # PGR ≥ 90% already at threshold 0, where 40% go to tier 2 (3 flagged + forced m9)...
    assert by_level[0.6]["cpt95"] == pytest.approx(0.4)
    # ...against 20% for the threshold alone on this set: not cheaper here.
    assert report["best_level"] in by_level
    assert report["verdict"].startswith("not cheaper")
    assert len(report["best_curve"]) == 101


def test_it_replays_the_shipped_local_model_as_a_strategy(tmp_path):
    root, path, _ = known_replay(tmp_path)

    report = json.loads(run(root, "--replay", path, "--json", "--bootstrap", 20))

    found = report["strategies"]["second_opinion"]
    assert found["model"].startswith("local v")
    assert [row["level"] for row in found["levels"]] == list(second_opinion.LEVELS)
    assert found["plain"] == {k: report["router"][k] for k in ("apgr", "cpt90", "cpt95")}
    table = run(root, "--replay", path, "--bootstrap", 20)
    assert "Second opinion (local v" in table and "Verdict:" in table
    svg = tmp_path / "curve.svg"
    run(root, "--replay", path, "--bootstrap", 20, "--plot", svg)
    assert "+ second opinion" in svg.read_text()


def test_it_leaves_the_strategy_out_when_asked(tmp_path):
    root, path, _ = known_replay(tmp_path)
    report = json.loads(
        run(root, "--replay", path, "--json", "--bootstrap", 20, "--no-second-opinion")
    )
    assert "strategies" not in report
