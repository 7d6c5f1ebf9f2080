"""Applying a person's corrections: re-coerce and re-check only the rows they touch.

Used by patch (the new corrections) and by validate (every stored correction,
re-applied on top of a new full pass). Uniqueness is rechecked only among the
rows that share a key, old or new, with a touched row, so a ten-row patch never
rescans a million rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from imports_pipeline.engine.validation import (
    ValidationRules,
    coerce_rows,
    duplicate_key_errors,
    empty_errors,
    rule_errors,
    sort_errors,
)
from imports_pipeline.sessions.tables import SessionTables
from imports_pipeline.store.tables import CorrectionRow, ImportSessionRow


@dataclass(frozen=True)
class CorrectionContext:
    """How the session's cells are read: its mapping, value mapping, native columns and detected
    conventions."""

    row: ImportSessionRow
    mapping: Mapping[str, str]
    value_mapping: Mapping[str, Mapping[str, str]]
    native: Sequence[str]
    detected: Mapping[str, Mapping[str, str]]

    @classmethod
    def of(cls, row: ImportSessionRow) -> CorrectionContext:
        """The context the session's last validation left."""
        mapping = row.mapping or {}
        return cls(
            row,
            mapping,
            row.value_mapping or {},
            native_template_columns(row, mapping),
            row.parse_info.get("detected", {}),
        )


def native_template_columns(row: ImportSessionRow, mapping: Mapping[str, str]) -> list[str]:
    """Template columns mapped to workbook cells that came typed (numbers, dates): no locale applies
    to them."""
    native = set(row.parse_info.get("native_columns", []))
    return [key for key, source in mapping.items() if source in native]


def apply_corrections(
    tables: SessionTables,
    context: CorrectionContext,
    rules: ValidationRules,
    artifacts: Mapping[str, str],
    errors: pd.DataFrame,
    corrections: Sequence[CorrectionRow],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-coerce and re-check the corrected cells; return the new overlay and the new error list.

    ``corrections`` are all the stored corrections of the rows they touch. Only the columns they
    correct are read again: every rule is a rule of one cell, so a touched row's other cells keep
    their typed values from the full pass (``artifacts["rows"]``) and their errors from
    ``errors``. Re-coercing all ten columns of a row was a fifth of a one-cell patch.
    """
    row = context.row
    touched = np.array(sorted({c.row_index for c in corrections}), dtype=np.int64)
    corrected_columns = sorted({c.column for c in corrections})
    mapped = {k: v for k, v in context.mapping.items() if k in corrected_columns}
    raw = (
        tables.raw_frame(row, mapped, touched) if mapped else pd.DataFrame(index=pd.Index(touched))
    )
    by_column: dict[str, dict[int, str | None]] = {}
    for correction in corrections:  # one assignment per column: per cell it was 5 ms each
        by_column.setdefault(correction.column, {})[correction.row_index] = correction_text(
            correction.value
        )
    for column, values in by_column.items():
        if column not in raw.columns:
            raw[column] = pd.Series(pd.NA, index=raw.index, dtype="str")
        raw.loc[list(values), column] = pd.Series(values, dtype="str")
    numbers = [
        c.column
        for c in corrections
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    ]
    native = list(context.native) + numbers
    coerced = coerce_rows(
        raw,
        rules,
        row.numeric_locale,
        context.value_mapping,
        native,
        context.detected,
        only=corrected_columns,
    )
    typed = tables.full_pass_rows(row, artifacts, touched)
    for column in corrected_columns:
        typed[column] = coerced.typed[column]
    previous_overlay = tables.overlay(row, artifacts)
    if previous_overlay is None:
        previous_overlay = typed.iloc[0:0]
    overlay = pd.concat([previous_overlay[~previous_overlay.index.isin(touched)], typed])
    overlay = overlay.sort_index()
    overlay.index.name = "row_index"
    key_columns = sorted({c for group in rules.uniqueness_groups for c in group})
    keys = (
        keys_sharing_values(
            tables.key_columns(row, artifacts, key_columns),
            previous_overlay,
            overlay,
            touched,
            rules,
        )
        if key_columns
        else overlay.iloc[0:0]
    )
    affected = np.union1d(touched, keys.index.to_numpy(dtype=np.int64))
    repeated = errors["code"].eq("duplicate_key") & errors["row_index"].isin(affected)
    recomputed = errors["row_index"].isin(touched) & errors["column"].isin(corrected_columns)
    kept = errors[~recomputed & ~repeated]
    new_errors = [
        kept,
        coerced.errors,
        rule_errors(coerced, raw, rules),
        duplicate_key_errors(keys, rules),
    ]
    combined = pd.concat(
        [e for e in new_errors if not e.empty] or [empty_errors()], ignore_index=True
    )
    return overlay, sort_errors(combined, rules.template)


def keys_sharing_values(
    base: pd.DataFrame,
    previous: pd.DataFrame,
    overlay: pd.DataFrame,
    touched: np.ndarray,
    rules: ValidationRules,
) -> pd.DataFrame:
    """The key columns of every row whose duplicate status can change when ``touched`` rows change.

    Those are the rows sharing a key, old or new, with a touched row. They are
    found with ``isin`` on the whole key columns (fast on Arrow strings) and
    only they are rechecked, so a patch never re-scans uniqueness of the whole file.
    ``base`` holds the key columns of the last full validation; ``previous`` and ``overlay``
    the corrected rows before and after this patch.
    """
    corrected = overlay[base.columns]
    old_keys = base.iloc[touched]
    before = previous.index.intersection(pd.Index(touched))
    if len(before):
        old_keys = pd.concat([old_keys, previous.loc[before, list(base.columns)]])
    new_keys = corrected.loc[corrected.index.intersection(pd.Index(touched))]
    wanted = np.zeros(len(base), dtype=bool)
    overlay_wanted = np.zeros(len(corrected), dtype=bool)
    for group in rules.uniqueness_groups:
        columns = list(group)
        values = {c: pd.concat([old_keys[c], new_keys[c]]).dropna().unique() for c in columns}
        if any(len(v) == 0 for v in values.values()):
            continue
        wanted |= np.logical_and.reduce([base[c].isin(values[c]).to_numpy() for c in columns])
        overlay_wanted |= np.logical_and.reduce(
            [corrected[c].isin(values[c]).to_numpy() for c in columns]
        )
    # A corrected row counts with its corrected key only: its original key no longer binds it.
    wanted[corrected.index.to_numpy(dtype=np.int64)] = False
    from_base = base.iloc[np.flatnonzero(wanted)]
    from_overlay = corrected[overlay_wanted]
    return pd.concat([from_base, from_overlay]).sort_index()


def correction_text(value: Any) -> Any:
    """A JSON value as the text a cell would hold; numbers then skip the locale (they are
    native)."""
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def error_counts(errors: pd.DataFrame, total_rows: int) -> dict[str, Any]:
    """``valid_rows``, ``error_rows`` and ``errors_by_column`` (rows, not errors) of an error
    list."""
    rows = errors["row_index"].to_numpy(dtype=np.int64)
    error_rows = len(np.unique(rows))
    codes, names = pd.factorize(errors["column"], sort=True)
    cells = np.unique(rows * max(len(names), 1) + codes)  # one per (row, column) with errors
    per_column = np.bincount(cells % max(len(names), 1), minlength=len(names))
    by_column = {str(name): int(n) for name, n in zip(names, per_column, strict=True)}
    return {
        "valid_rows": total_rows - error_rows,
        "error_rows": error_rows,
        "errors_by_column": by_column,
    }
