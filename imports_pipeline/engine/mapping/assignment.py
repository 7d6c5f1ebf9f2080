"""Joint assignment: each source column feeds at most one template column, best total first.

Greedy best-pair-first can take a source for a column that scores it 0.80 when another
column scores it 0.78 and has no other option; the Hungarian method maximises the sum instead.
scipy is not a dependency, so this is a small Kuhn-Munkres on the (small) score matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

BAR_SLACK = 0.05
"""Pairs count by how far they clear the bar, not by their whole score: two pairs just over
the bar must not outweigh one certain pair (an exact due date beats a swapped pair of dates)."""


def _hungarian(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost matching of every row of ``cost`` (rows <= columns), O(rows² × columns)."""
    rows, cols = cost.shape
    u, v = np.zeros(rows + 1), np.zeros(cols + 1)
    match = np.zeros(cols + 1, dtype=int)
    way = np.zeros(cols + 1, dtype=int)
    for i in range(1, rows + 1):
        match[0] = i
        j0 = 0
        minv = np.full(cols + 1, np.inf)
        used = np.zeros(cols + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (reduced < minv[1:])
            minv[1:][better] = reduced[better]
            way[1:][better] = j0
            candidates = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    return [(int(match[j]) - 1, j - 1) for j in range(1, cols + 1) if match[j]]


def assign(
    template_keys: Sequence[str],
    source_columns: Sequence[str],
    scores: np.ndarray,
    remembered: Mapping[str, str],
    min_score: float,
) -> tuple[dict[int, int], set[int]]:
    """Template column index → source index, and which pairs were remembered.

    Remembered pairs go first (the organization confirmed them); the rest is the assignment
    with the highest total score among pairs at or above ``min_score``.
    """
    position = {source: s for s, source in enumerate(source_columns)}
    chosen: dict[int, int] = {}
    for t, key in enumerate(template_keys):
        s = position.get(remembered.get(key, ""))
        if s is not None and s not in chosen.values():
            chosen[t] = s
    from_memory = set(chosen)
    free_rows = [t for t in range(len(template_keys)) if t not in chosen]
    taken = set(chosen.values())
    free_cols = [
        s
        for s in range(len(source_columns))
        if s not in taken and free_rows and scores[free_rows, s].max() >= min_score
    ]
    if not free_rows or not free_cols:
        return chosen, from_memory
    gain = scores[np.ix_(free_rows, free_cols)] - (min_score - BAR_SLACK)
    gain = np.where(gain >= BAR_SLACK, gain, 0.0)
    transposed = gain.shape[0] > gain.shape[1]
    pairs = _hungarian(-(gain.T if transposed else gain))
    for a, b in pairs:
        r, c = (b, a) if transposed else (a, b)
        if gain[r, c] >= BAR_SLACK:
            chosen[free_rows[r]] = free_cols[c]
    return chosen, from_memory
