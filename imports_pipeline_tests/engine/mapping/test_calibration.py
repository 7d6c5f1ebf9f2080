"""Calibrated scores: confident only for a clear winner whose values agree."""

from __future__ import annotations

import numpy as np

from imports_pipeline.engine.mapping.calibration import UNSURE_CAP, calibrated


def test_a_clear_winner_keeps_its_score() -> None:
    scores = np.array([[0.97, 0.5], [0.4, 0.8]])
    compat = np.array([[1.0, np.nan], [np.nan, np.nan]])
    assert calibrated(scores, compat, 0, 0, "vocabulary") == 0.97


def test_a_close_runner_up_caps_the_score_below_confident() -> None:
    scores = np.array([[0.97, 0.9], [0.4, 0.8]])
    compat = np.full((2, 2), np.nan)
    assert calibrated(scores, compat, 0, 0, "vocabulary") == UNSURE_CAP


def test_values_that_fit_poorly_cap_the_score() -> None:
    scores = np.array([[1.0, 0.2]])
    compat = np.array([[0.7, 0.0]])
    assert calibrated(scores, compat, 0, 0, "exact") == UNSURE_CAP


def test_scores_below_the_band_are_unchanged() -> None:
    scores = np.array([[0.75, 0.74]])
    assert calibrated(scores, np.full((1, 2), np.nan), 0, 0, "fuzzy") == 0.75
