"""Suggest which source column feeds each template column.

Two signals are combined. The header: normalised (accents, abbreviations,
bracketed units) and compared with rapidfuzz against the template column's
key, label and aliases. The values: a profile of the first rows (dates,
numbers, emails, booleans, known options) confirms or contradicts a header
match, and alone can place a column with a meaningless header when only one
template column could hold such values. Conflicts are resolved globally, best
pair first, so a source column never feeds two template columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from imports_pipeline.engine.normalize import (
    normalize_label,
    normalize_unit,
    normalize_value,
    split_unit,
)
from imports_pipeline.engine.schema import EMAIL_PATTERN
from imports_pipeline.engine.values import option_lookup
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

SUBSET_WEIGHT = 0.8
"""A header whose words are all in the name ("Date" in "trip date") is likely but not certain."""

SHARPNESS = 1.5
"""Raw ratios give ~0.67 to names sharing one word of two;
raising to this power pushes those below the bar."""

VALUE_WEIGHT = 0.2
"""How far a fully (in)compatible value profile moves a fuzzy name score: ±0.1."""

VALUES_ONLY_WEIGHT = 0.75
"""Score of a values-only match at 100% compatible cells; needs ≥80% to pass the default bar."""

VALUES_ONLY_KINDS = ("date", "email", "category")
"""Profiles distinctive enough to place a column without its header
(numbers and flags are everywhere)."""

CANDIDATE_FLOOR = 0.4
"""Runner-ups below this are not worth showing in a picker."""

MAX_CANDIDATES = 3
FUZZY_CAP = 0.99
"""1.0 is kept for exact and remembered matches."""

DATE_PATTERN = (
    r"([0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{4}|[0-9]{2}))"
    r"([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[-+][0-9]{2}:?[0-9]{2})?)?"
)
"""ISO and day-first dates, with an optional time. ASCII
classes so pandas can hand the match to pyarrow."""
NUMBER_PATTERN = (
    r"[-+]?[€$£]? ?"
    r"([0-9]{1,3}([.,' ][0-9]{3})+([.,][0-9]+)?|[0-9]+([.,][0-9]*)?|[.,][0-9]+)"
    r"([eE][-+]?[0-9]+)? ?[€$£%]?"
)
"""Numbers in any locale: "125,4", "1.234,5", "1,234.5", "1 234", "€ 12", "15%"."""
BOOLEAN_WORDS = frozenset(
    {"true", "false", "yes", "no", "y", "n", "t", "f", "si", "sí", "verdadero", "falso"}
)


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


# --- header scores -----------------------------------------------------------


def _header_variants(text: str) -> list[str]:
    """The header without its unit, and with it spelled out
    ("distance km" meets ``distance_km``)."""
    base = normalize_label(text)
    _, unit = split_unit(text)
    variants = [base, f"{base} {normalize_unit(unit)}".strip() if unit else ""]
    return list(dict.fromkeys(v for v in variants if v)) or [""]


def _template_names(column: TemplateColumn) -> list[tuple[str, str]]:
    """(normalised name, reason) for the key, the label and every alias."""
    names = [
        (name, "exact") for text in (column.key, column.label) for name in _header_variants(text)
    ]
    names += [(name, "alias") for text in column.aliases for name in _header_variants(text)]
    return [(name, reason) for name, reason in dict.fromkeys(names) if name]


def _group_max(matrix: np.ndarray, owners: list[int], axis: int) -> np.ndarray:
    """Best score per owner along an axis (names → column, variants → source)."""
    starts = np.flatnonzero(np.diff(np.asarray(owners), prepend=-1))
    return np.maximum.reduceat(matrix, starts, axis=axis)


def _header_scores(
    template: Template, source_columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Fuzzy name score (template × source) and the exact-match reason ("" when not exact)."""
    names: list[str] = []
    name_owner: list[int] = []
    exact_index: dict[str, dict[int, str]] = {}
    for t, column in enumerate(template.columns):
        for name, reason in _template_names(column):
            names.append(name)
            name_owner.append(t)
            exact_index.setdefault(name.replace(" ", ""), {}).setdefault(t, reason)
    variants, variant_owner = [], []
    for s, source in enumerate(source_columns):
        for variant in _header_variants(source):
            variants.append(variant)
            variant_owner.append(s)
    ratio = process.cdist(names, variants, scorer=fuzz.ratio, processor=None, dtype=np.float32)
    ordered = process.cdist(
        names, variants, scorer=fuzz.token_sort_ratio, processor=None, dtype=np.float32
    )
    subset = process.cdist(
        names, variants, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float32
    )
    raw = np.maximum(np.maximum(ratio, ordered), SUBSET_WEIGHT * subset) / 100.0
    scores = _group_max(_group_max(raw, name_owner, axis=0), variant_owner, axis=1)
    scores = np.minimum(scores**SHARPNESS, FUZZY_CAP)
    exact = np.full(scores.shape, "", dtype=object)
    for variant, s in zip(variants, variant_owner, strict=True):
        for t, reason in exact_index.get(variant.replace(" ", ""), {}).items():
            if exact[t, s] != "exact":
                exact[t, s] = reason
    return np.where(exact != "", 1.0, scores), exact


# --- value profile -------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """Sample cells of every source column, stacked so each check runs once for all columns."""

    cells: pd.Series
    owner: np.ndarray
    filled: np.ndarray

    def share(self, hits: np.ndarray) -> np.ndarray:
        counts = np.bincount(self.owner[hits], minlength=len(self.filled))
        return cast(
            "np.ndarray",
            np.divide(
                counts, self.filled, out=np.full(len(self.filled), np.nan), where=self.filled > 0
            ),
        )

    def matches(self, pattern: str) -> np.ndarray:
        return self.cells.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def _profile(sample: pd.DataFrame, source_columns: Sequence[str]) -> _Profile:
    frame = sample.reindex(columns=list(source_columns))
    cells = pd.Series(frame.to_numpy(dtype=object).ravel(order="F"), dtype="str").str.strip()
    owner = np.repeat(np.arange(len(source_columns)), len(frame))
    keep = (cells.notna() & (cells != "")).to_numpy(dtype=bool)
    cells, owner = cells[keep].reset_index(drop=True), owner[keep]
    return _Profile(cells, owner, np.bincount(owner, minlength=len(source_columns)).astype(float))


def _kind(column: TemplateColumn, options: Sequence[Option]) -> str | None:
    """What a compatible cell looks like; columns of the same kind compete for the same values."""
    if column.type in (ColumnType.DATE, ColumnType.DATETIME):
        return "date"
    if column.type in (ColumnType.NUMBER, ColumnType.INTEGER):
        return "number"
    if column.type in (ColumnType.EMAIL, ColumnType.BOOLEAN):
        return column.type.value
    if column.type is ColumnType.CATEGORY and options:
        return "category:" + "|".join(sorted(option.value for option in options))
    return None


def _option_hits(
    profile: _Profile,
    skip: np.ndarray,
    kinds: list[str],
    options_of: Mapping[str, Sequence[Option]],
) -> dict[str, np.ndarray]:
    """Share of cells naming an option, per category kind; numbers and dates are never looked up."""
    codes, uniques = pd.factorize(profile.cells.where(~skip))
    normalized = pd.Series([normalize_value(value) for value in uniques], dtype="str")
    hits = {}
    for kind in kinds:
        known = np.append(
            normalized.isin(set(option_lookup(options_of[kind]))).to_numpy(dtype=bool), False
        )
        hits[kind] = profile.share(known[codes])
    return hits


def _kind_shares(
    kinds: set[str], profile: _Profile, options_of: Mapping[str, Sequence[Option]]
) -> dict[str, np.ndarray]:
    """Share of compatible sample cells per source column, for each kind the template uses."""
    dates = profile.matches(DATE_PATTERN)
    numbers = profile.matches(NUMBER_PATTERN)
    shares = {"date": profile.share(dates), "number": profile.share(numbers)}
    if "email" in kinds:
        shares["email"] = profile.share(profile.matches(EMAIL_PATTERN))
    if "boolean" in kinds:
        shares["boolean"] = profile.share(
            profile.cells.str.casefold().isin(BOOLEAN_WORDS).to_numpy(dtype=bool)
        )
    categories = [kind for kind in kinds if kind.startswith("category:")]
    if categories:
        shares |= _option_hits(profile, dates | numbers, categories, options_of)
    return shares


def _compatibility(
    template: Template,
    source_columns: Sequence[str],
    sample: pd.DataFrame,
    options_by_column: Mapping[str, Sequence[Option]],
) -> tuple[np.ndarray, np.ndarray]:
    """Compatible-cell share (template × source; NaN = no opinion)
    and which columns may match on values alone."""
    kinds = [_kind(column, options_by_column.get(column.key, ())) for column in template.columns]
    options_of = {
        kind: options_by_column.get(column.key, ())
        for kind, column in zip(kinds, template.columns, strict=True)
        if kind
    }
    shares = _kind_shares(set(options_of), _profile(sample, source_columns), options_of)
    empty = np.full(len(source_columns), np.nan)
    compat = (
        np.vstack([shares[kind] if kind else empty for kind in kinds])
        if kinds
        else np.empty((0, len(source_columns)))
    )
    alone = np.array(
        [
            kind is not None and kind.split(":")[0] in VALUES_ONLY_KINDS and kinds.count(kind) == 1
            for kind in kinds
        ],
        dtype=bool,
    )
    return compat, alone


# --- assignment ----------------------------------------------------------------


def _combined(
    name: np.ndarray, exact: np.ndarray, compat: np.ndarray, alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Final score and reason per pair: exact headers stand; fuzzy ones move with the values."""
    known = ~np.isnan(compat)
    adjusted = np.where(
        known, np.clip(name + VALUE_WEIGHT * (np.nan_to_num(compat) - 0.5), 0.0, FUZZY_CAP), name
    )
    adjusted = np.where(exact != "", 1.0, adjusted)
    by_values = np.where(alone[:, None] & known, VALUES_ONLY_WEIGHT * np.nan_to_num(compat), 0.0)
    reason = np.where(exact != "", exact, np.where(by_values > adjusted, "values", "fuzzy"))
    return np.maximum(adjusted, by_values), reason


def _assign(
    template: Template,
    source_columns: Sequence[str],
    scores: np.ndarray,
    tiebreak: np.ndarray,
    remembered: Mapping[str, str],
    min_score: float,
) -> tuple[dict[int, int], set[int]]:
    """Template column index → source index, and which pairs were remembered.

    Remembered pairs go first (the organization confirmed them), then greedy on
    the best score overall; ties go to the source whose values fit better.
    """
    position = {source: s for s, source in enumerate(source_columns)}
    chosen: dict[int, int] = {}
    for t, column in enumerate(template.columns):
        s = position.get(remembered.get(column.key, ""))
        if s is not None and s not in chosen.values():
            chosen[t] = s
    from_memory = set(chosen)
    rows, cols = np.nonzero(scores >= min_score)
    order = np.lexsort((cols, rows, -tiebreak[rows, cols], -scores[rows, cols]))
    taken = set(chosen.values())
    for t, s in zip(rows[order], cols[order], strict=True):
        if t not in chosen and s not in taken:
            chosen[int(t)] = int(s)
            taken.add(int(s))
    return chosen, from_memory


def _runner_ups(
    row: np.ndarray, source_columns: Sequence[str], chosen: int | None
) -> tuple[Candidate, ...]:
    order = np.argsort(-row, kind="stable")
    picks = [s for s in order if s != chosen and row[s] >= CANDIDATE_FLOOR][:MAX_CANDIDATES]
    return tuple(Candidate(source_columns[s], round(float(row[s]), 4)) for s in picks)


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
    if not source_columns:
        scores = np.zeros((len(template.columns), 0))
        reasons = np.full(scores.shape, "", dtype=object)
        chosen: dict[int, int] = {}
        from_memory: set[int] = set()
    else:
        name, exact = _header_scores(template, source_columns)
        compat, alone = _compatibility(template, source_columns, sample, options_by_column)
        scores, reasons = _combined(name, exact, compat, alone)
        tiebreak = np.nan_to_num(compat, nan=0.5)
        chosen, from_memory = _assign(
            template, source_columns, scores, tiebreak, remembered or {}, min_score
        )
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
        score, reason = (
            (1.0, "remembered")
            if t in from_memory
            else (round(float(scores[t, s]), 4), str(reasons[t, s]))
        )
        columns.append(
            ColumnSuggestion(
                column.key,
                source_columns[s],
                score,
                reason,
                _runner_ups(scores[t], source_columns, s),
            )
        )
    mapping = {c.template_column: c.source_column for c in columns if c.source_column is not None}
    unmapped = [
        c.key for c in template.columns if c.required and c.default is None and c.key not in mapping
    ]
    return MappingSuggestion(mapping, columns, unmapped)
