"""Scores that mean something: a suggestion at >= 0.9 should be right 99% of the time.

The raw score says how well a name and its values fit; it does not say whether another
source column fits as well. A confident raw score keeps its value only when the pair wins
clearly, both in its row (no other source is close) and in its column (no other template
column wanted this source as much) and the values agree (or have no opinion); otherwise it is
capped below the confident band. The margins were set on the tune part of
``benchmarks/mapping_eval`` and checked on its held-out part.
"""

from __future__ import annotations

import numpy as np

CONFIDENT = 0.9
"""Lower bound of the confident band, the one drop folders may apply unattended."""
CLEAR_MARGIN = 0.12
"""How far the runner-up (same row or same column) must trail for a score to stay confident."""
AGREEING_VALUES = 0.9
"""Values must fit at least this well (or have no opinion) for a confident score."""
UNSURE_CAP = 0.89
"""Where a raw score that does not win clearly is capped: likely, not confident."""


def calibrated(scores: np.ndarray, compat: np.ndarray, t: int, s: int, reason: str) -> float:
    """The score reported for the chosen pair (template column ``t``, source ``s``)."""
    raw = float(scores[t, s])
    if reason == "similar":  # the sentence encoder alone is never confident
        return min(raw, UNSURE_CAP)
    if reason == "remembered" or raw < CONFIDENT:
        return raw
    row = np.delete(scores[t], s)
    column = np.delete(scores[:, s], t)
    runner_up = max(row.max(initial=0.0), column.max(initial=0.0))
    agree = bool(np.isnan(compat[t, s]) or compat[t, s] >= AGREEING_VALUES)
    if raw - runner_up >= CLEAR_MARGIN and agree:
        return raw
    return min(raw, UNSURE_CAP)
