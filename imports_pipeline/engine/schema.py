"""The pandera schema generated from a template.

Cells reach the schema already coerced to their types (see ``coercion``), so
the schema only checks rules: required, range, pattern, length, options,
email shape. Each check's position is remembered so a pandera failure maps
back to one of our stable error codes. ``failing_cells`` runs each column's
checks itself rather than through ``DataFrameSchema.validate`` (see there why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

if TYPE_CHECKING:
    import pandera.pandas as pa

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$"


@dataclass(frozen=True)
class RuleSchema:
    schema: pa.DataFrameSchema
    check_codes: dict[tuple[str, int], str]
    """(column, check_number) → error code, e.g. ("distance_km", 0) → "out_of_range"."""


def _checks_for(column: TemplateColumn, options: list[Option]) -> list[tuple[str, pa.Check]]:
    import pandera.pandas as pa  # 0.3 s: imported when a schema is built, not by every importer

    checks: list[tuple[str, pa.Check]] = []
    numeric = column.type in (ColumnType.NUMBER, ColumnType.INTEGER)
    if numeric and column.min is not None:
        checks.append(("out_of_range", pa.Check.ge(column.min)))
    if numeric and column.max is not None:
        checks.append(("out_of_range", pa.Check.le(column.max)))
    if column.type is ColumnType.EMAIL:
        checks.append(("invalid_email", pa.Check.str_matches(EMAIL_PATTERN)))
    if column.pattern:
        checks.append(("pattern", pa.Check.str_matches(column.pattern)))
    if column.max_length:
        checks.append(("too_long", pa.Check.str_length(max_value=column.max_length)))
    if column.type is ColumnType.CATEGORY:
        checks.append(("invalid_option", _in_options([option.value for option in options])))
    return checks


def _in_options(values: list[str]) -> pa.Check:
    """``Check.isin`` with its value set built once: pandas' ``isin`` on Arrow strings turns
    every allowed value into an Arrow scalar on each call, 0.5 ms for the 250 countries however
    few rows are checked, and a one-row patch checks four such columns."""
    import pandera.pandas as pa
    import pyarrow
    import pyarrow.compute as pc

    allowed = pyarrow.array(values, type=pyarrow.large_string())

    def in_options(series: pd.Series) -> pd.Series:
        cells = pyarrow.array(series.astype("str"), from_pandas=True)
        found = pc.is_in(cells.cast(allowed.type), value_set=allowed).fill_null(False)
        return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index, dtype=bool)

    return pa.Check(in_options, name="isin", error=f"isin({values})")


def build_rule_schema(template: Template, options_by_column: dict[str, list[Option]]) -> RuleSchema:
    import pandera.pandas as pa

    columns: dict[str, pa.Column] = {}
    codes: dict[tuple[str, int], str] = {}
    for column in template.columns:
        checks = _checks_for(column, options_by_column.get(column.key, []))
        for number, (code, _) in enumerate(checks):
            codes[(column.key, number)] = code
        columns[column.key] = pa.Column(
            None,
            checks=[check for _, check in checks],
            nullable=not column.required,
            required=False,
        )
    return RuleSchema(pa.DataFrameSchema(columns, strict=False), codes)


@dataclass(frozen=True)
class RuleFailures:
    """The cells that failed the template's rules: parallel arrays, one entry per cell and rule."""

    rows: np.ndarray
    columns: np.ndarray
    codes: list[str]
    typed_values: list[object]


TEXT_RULES = frozenset({"pattern", "too_long", "invalid_email", "invalid_option"})
"""Rules on a cell's text. On a number or date column (a ``pattern`` on an integer postcode) they
read the cell as written, "08001" and not 8001; pandera's string checks would fail on the typed
column itself."""


def _as_written(series: pd.Series, raw: pd.DataFrame, key: str) -> pd.Series:
    """A typed column's cells as the file wrote them (the typed value as text where the file had
    none, e.g. a default)."""
    text = series.astype("str")
    if key not in raw.columns:
        return text
    written = raw[key].reindex(series.index).astype("str")
    return written.where(written.notna(), text)


def failing_cells(rules: RuleSchema, typed: pd.DataFrame, raw: pd.DataFrame) -> RuleFailures:
    """Run each column's pandera checks on that column and collect the cells that fail.

    The checks are pandera's, called one by one on their column, not through
    ``DataFrameSchema.validate(lazy=True)``: the lazy run consolidates every failure into
    a frame of failure cases, once per failing column and again for the whole schema, which
    cost three times the checks themselves (19 ms against 6 ms on the 240-row example; a
    one-row patch paid the same). Nulls are the ``required`` rule's alone, as in pandera:
    a check sees only the non-empty cells.
    """
    rows: list[np.ndarray] = []
    columns: list[str] = []
    codes: list[str] = []
    values: list[object] = []
    for key, column in rules.schema.columns.items():
        if key not in typed.columns:
            continue
        series = typed[key]
        failed: list[tuple[str, pd.Series]] = []
        if not column.nullable:
            missing = series.isna()
            if missing.any():
                failed.append(("required", series[missing]))
        written = series if pd.api.types.is_string_dtype(series) else None
        for number, check in enumerate(column.checks):
            code = rules.check_codes[(key, number)]
            if code in TEXT_RULES and written is None:
                written = _as_written(series, raw, key)
            result = check(written if code in TEXT_RULES else series)
            if not bool(result.check_passed):
                passed = result.check_output.astype(bool)
                failed.append((code, series.loc[passed.index[~passed.to_numpy()]]))
        for code, cells in failed:
            rows.append(cells.index.to_numpy(dtype="int64"))
            columns.extend([key] * len(cells))
            codes.extend([code] * len(cells))
            values.extend(cells.astype(object).tolist())
    return RuleFailures(
        np.concatenate(rows) if rows else np.empty(0, dtype="int64"),
        np.array(columns, dtype=object),
        codes,
        values,
    )
