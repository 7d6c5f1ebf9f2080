"""The joint assignment: best total, each source once, memory first."""

from __future__ import annotations

import numpy as np

from imports_pipeline.engine.mapping.assignment import assign


def test_joint_assignment_beats_best_pair_first() -> None:
    # Greedy would give source 0 to column 0 (0.9) and leave column 1 without a source.
    scores = np.array([[0.9, 0.85], [0.88, 0.0]])
    chosen, memory = assign(["a", "b"], ["x", "y"], scores, {}, 0.6)
    assert chosen == {0: 1, 1: 0}
    assert memory == set()


def test_one_certain_pair_beats_two_pairs_just_over_the_bar() -> None:
    scores = np.array([[0.58, 0.64], [0.62, 1.0]])
    chosen, _ = assign(["issue", "due"], ["Data documento", "Data scadenza"], scores, {}, 0.6)
    assert chosen == {1: 1}


def test_remembered_pairs_go_first_and_below_the_bar_nothing_is_assigned() -> None:
    scores = np.array([[0.95, 0.3], [0.2, 0.5]])
    chosen, memory = assign(["a", "b"], ["x", "y"], scores, {"a": "y"}, 0.6)
    assert chosen == {0: 1}
    assert memory == {0}


def test_more_template_columns_than_sources() -> None:
    scores = np.array([[0.7], [0.9], [0.8]])
    chosen, _ = assign(["a", "b", "c"], ["x"], scores, {}, 0.6)
    assert chosen == {1: 0}
