"""Suggest which source column feeds each template column.

Three kinds of evidence are combined. The header (``headers``): normalised and rewritten
into canonical English words (``vocabulary``), compared with the template column's key,
label, aliases and description. The values (``profiles``): a profile of the first rows (dates,
numbers in range, e-mails, shapes such as IBAN or postcode, options, distinctness) raises a
header match or vetoes it, and alone can place a column with a meaningless header when only
one template column could hold such values; the order of two date columns tells an issue date
from a due date. The assignment (``assignment``) is joint: each source column is used once,
the best total wins. Scores are then calibrated (``calibration``) so that >= 0.9 means right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from imports_pipeline.engine.mapping.assignment import assign
from imports_pipeline.engine.mapping.calibration import calibrated
from imports_pipeline.engine.mapping.headers import FUZZY_CAP, header_scores
from imports_pipeline.engine.mapping.profiles import compatibility, date_order, leftovers
from imports_pipeline.engine.mapping.vocabulary import canonical_label
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

VALUE_BONUS = 0.03
"""Values that fit (>= FITTING) lift a non-exact header this much."""
FITTING = 0.9
VETO_FLOOR = 0.56
"""A header whose values fit not at all keeps this share of its score: below the 0.6 bar even
for an exact header, still a runner-up (>= 0.4) for a fair fuzzy one."""
VALUES_ONLY_WEIGHT = 0.75
"""Score of a values-only match at 100% compatible cells; needs ≥80% to pass the default bar."""
LEFTOVER_SCORE = 0.65
"""Score of a pair found only because it was the last fitting source of its kind: over the
default bar, far from auto-apply."""
ORDER_BONUS = 0.08
"""How much the order of two date columns moves an issue/due (start/end) decision."""
DATE_RANK: dict[str, int] = {
    "birth": 0,
    "issue": 1,
    "document": 1,
    "order": 1,
    "start": 1,
    "booking": 1,
    "ship": 1,
    "transaction": 1,
    "value": 2,
    "delivery": 2,
    "due": 2,
    "end": 2,
    "registration": 1,
    "created": 1,
    "departure": 3,
    "completion": 2,
    "solved": 2,
    "renewal": 2,
    "expiry": 2,
    "opened": 1,
    "return": 2,
}
"""Which dates come later in a row: a birth before a hire, an issue before its due date, a
booking before the arrival ("delivery": goods or guests) before the departure."""
CANDIDATE_FLOOR = 0.4
"""Runner-ups below this are not worth showing in a picker."""
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Candidate:
    source_column: str
    score: float


@dataclass(frozen=True)
class ColumnSuggestion:
    template_column: str
    source_column: str | None
    score: float
    reason: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class MappingSuggestion:
    mapping: dict[str, str]
    columns: list[ColumnSuggestion]
    unmapped_required: list[str]


def _combined(
    name: np.ndarray, reason: np.ndarray, compat: np.ndarray, alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Final score and reason per pair: fitting values lift a header, unfitting ones veto it."""
    known = ~np.isnan(compat)
    fit = np.nan_to_num(compat, nan=1.0)
    lifted = np.where(reason == "exact", name, np.minimum(name + VALUE_BONUS, FUZZY_CAP + 0.04))
    vetoed = name * (VETO_FLOOR + (1 - VETO_FLOOR) * fit)
    adjusted = np.where(~known, name, np.where(fit >= FITTING, np.maximum(name, lifted), vetoed))
    by_values = np.where(alone[:, None] & known, VALUES_ONLY_WEIGHT * np.nan_to_num(compat), 0.0)
    reason = np.where(by_values > adjusted, "values", reason)
    return np.maximum(adjusted, by_values), reason


def _date_rank(column: TemplateColumn) -> int | None:
    if column.type not in (ColumnType.DATE, ColumnType.DATETIME):
        return None
    words = canonical_label(f"{column.label} {column.key.replace('_', ' ')}").split()
    ranks = [DATE_RANK[w] for w in words if w in DATE_RANK]
    return max(ranks) if ranks else 1


def _order_dates(
    template: Template, scores: np.ndarray, order: dict[tuple[int, int], float]
) -> np.ndarray:
    """Favour the later source for the later template date when two date columns compete."""
    ranks = [_date_rank(column) for column in template.columns]
    scores = scores.copy()
    for early, r_early in enumerate(ranks):
        for late, r_late in enumerate(ranks):
            if r_early is None or r_late is None or r_early >= r_late:
                continue
            for (a, b), relation in order.items():
                if relation >= 0.8:
                    for t, s, sign in ((early, a, 1), (late, b, 1), (early, b, -1), (late, a, -1)):
                        if scores[t, s] > 0:
                            scores[t, s] = max(0.0, scores[t, s] + sign * ORDER_BONUS * relation)
    return scores


def _runner_ups(
    row: np.ndarray, source_columns: Sequence[str], chosen: int | None
) -> tuple[Candidate, ...]:
    order = np.argsort(-row, kind="stable")
    picks = [s for s in order if s != chosen and row[s] >= CANDIDATE_FLOOR][:MAX_CANDIDATES]
    return tuple(Candidate(source_columns[s], round(float(min(row[s], 1.0)), 4)) for s in picks)


def _score_matrix(
    template: Template,
    source_columns: list[str],
    sample: pd.DataFrame,
    options_by_column: Mapping[str, Sequence[Option]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None]]:
    name, reason = header_scores(template, source_columns)
    compat, alone, kinds = compatibility(
        template.columns, len(source_columns), sample, source_columns, options_by_column, name
    )
    scores, reasons = _combined(name, reason, compat, alone)
    dates = [t for t, c in enumerate(template.columns) if _date_rank(c) is not None]
    if len(dates) >= 2:
        share = np.nanmax(np.nan_to_num(compat[dates], nan=0.0), axis=0)
        scores = _order_dates(template, scores, date_order(sample, source_columns, share))
    return np.clip(scores, 0.0, 1.0), reasons, compat, kinds


def suggest_mapping(
    template: Template,
    source_columns: list[str],
    sample: pd.DataFrame,
    options_by_column: Mapping[str, Sequence[Option]],
    remembered: Mapping[str, str] | None = None,
    min_score: float = 0.6,
) -> MappingSuggestion:
    """Best-effort mapping: confident pairs in ``mapping``,
    every column's choice and runner-ups in ``columns``."""
    kinds: list[str | None] = []
    if source_columns:
        scores, reasons, compat, kinds = _score_matrix(
            template, source_columns, sample, options_by_column
        )
    else:
        scores = np.zeros((len(template.columns), 0))
        reasons = np.full(scores.shape, "", dtype=object)
        compat = scores.copy()
    chosen, from_memory = assign(
        template.column_keys, source_columns, scores, remembered or {}, min_score
    )
    by_values = leftovers(chosen, compat, kinds) if kinds else {}
    chosen |= by_values
    columns = []
    for t, column in enumerate(template.columns):
        s = chosen.get(t)
        if s is None:
            columns.append(
                ColumnSuggestion(
                    column.key, None, 0.0, "", _runner_ups(scores[t], source_columns, None)
                )
            )
            continue
        reason = "remembered" if t in from_memory else str(reasons[t, s])
        score = 1.0 if t in from_memory else calibrated(scores, compat, t, s, reason)
        if t in by_values:
            reason, score = "values", LEFTOVER_SCORE
        columns.append(
            ColumnSuggestion(
                column.key,
                source_columns[s],
                round(score, 4),
                reason,
                _runner_ups(scores[t], source_columns, s),
            )
        )
    mapping = {c.template_column: c.source_column for c in columns if c.source_column is not None}
    unmapped = [
        c.key for c in template.columns if c.required and c.default is None and c.key not in mapping
    ]
    return MappingSuggestion(mapping, columns, unmapped)
