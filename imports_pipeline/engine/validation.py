"""Row validation: coerce mapped cells to their types, then check the template's rules.

Three sources of row errors, each with a stable code:
- coercion (``invalid_type``): a non-empty cell that is not a number/date/…;
- the pandera schema generated from the template (``required``, ``out_of_range``,
  ``invalid_option``, ``pattern``, ``invalid_email``, ``too_long``);
- uniqueness of the key columns and of ``unique`` columns (``duplicate_key``),
  which spans the whole file and so is checked on the key columns alone, also
  when only a few rows were patched.
A cell that failed coercion reports only ``invalid_type``, never also ``required``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from imports_pipeline.engine.coercion import coerce_column
from imports_pipeline.engine.schema import RuleSchema, build_rule_schema, failing_cells
from imports_pipeline.engine.values import map_categories, option_candidates
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

PARALLEL_THRESHOLD = 50_000
"""Below this many rows, threads cost more than they save."""


def empty_errors() -> pd.DataFrame:
    """A typed empty error list (a cheap view of one built once: patches call this a lot)."""
    return _EMPTY_ERRORS.copy(deep=False)


def _build_empty_errors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_index": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
            "code": pd.Series([], dtype="str"),
            "value": pd.Series([], dtype="str"),
            "message": pd.Series([], dtype="str"),
        }
    )


_EMPTY_ERRORS = _build_empty_errors()


@dataclass(frozen=True)
class ValidationRules:
    """Everything validation needs from the template, resolved once per template."""

    template: Template
    options_by_column: dict[str, list[Option]]
    rule_schema: RuleSchema = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "rule_schema", build_rule_schema(self.template, self.options_by_column)
        )

    @property
    def uniqueness_groups(self) -> list[tuple[str, ...]]:
        groups: list[tuple[str, ...]] = []
        if self.template.key_columns:
            groups.append(tuple(self.template.key_columns))
        for column in self.template.columns:
            if column.unique and (column.key,) not in groups:
                groups.append((column.key,))
        return groups


@dataclass(frozen=True)
class CoercedRows:
    typed: pd.DataFrame
    """One column per template column, index = row_index."""
    errors: pd.DataFrame
    detected: dict[str, dict[str, str]]


def _default_series(column: TemplateColumn, index: pd.Index) -> pd.Series:
    fill = pd.NA if column.default is None else str(column.default)
    return pd.Series(fill, index=index, dtype="str")


@dataclass(frozen=True)
class _CoercionSettings:
    rules: ValidationRules
    numeric_locale: str | None
    value_mapping: Mapping[str, Mapping[str, str]]
    native_columns: Sequence[str]
    conventions: Mapping[str, Mapping[str, str]]


def _coerce_one(
    raw: pd.DataFrame, column: TemplateColumn, settings: _CoercionSettings
) -> tuple[pd.Series, dict[str, str], pd.DataFrame]:
    """One template column: typed values, what was detected, and its invalid_type errors."""
    if column.key in raw.columns:
        series = raw[column.key]
        if column.default is not None:
            series = series.fillna(str(column.default))
    else:
        series = _default_series(column, raw.index)
    if column.type is ColumnType.CATEGORY:
        options = settings.rules.options_by_column.get(column.key, [])
        return (
            map_categories(series, options, settings.value_mapping.get(column.key)),
            {},
            empty_errors(),
        )
    pinned = settings.conventions.get(column.key, {})
    locale = pinned.get("numeric_locale") or settings.numeric_locale
    result = coerce_column(
        series,
        column,
        numeric_locale=locale,
        native=column.key in settings.native_columns,
        date_order=pinned.get("date_order"),
    )
    if not result.invalid.any():
        return result.values, dict(result.detected), empty_errors()
    bad = np.flatnonzero(result.invalid)
    values = series.iloc[bad]
    shown_locale = locale or result.detected.get("numeric_locale")
    errors = pd.DataFrame(
        {
            "row_index": raw.index[bad].to_numpy(dtype="int64"),
            "column": column.key,
            "code": "invalid_type",
            "value": values.to_numpy(dtype=object),
            "message": [_invalid_type_message(column, v, shown_locale) for v in values],
        }
    )
    return result.values, dict(result.detected), errors


def coerce_rows(
    raw: pd.DataFrame,
    rules: ValidationRules,
    numeric_locale: str | None,
    value_mapping: Mapping[str, Mapping[str, str]] | None = None,
    native_columns: Sequence[str] = (),
    conventions: Mapping[str, Mapping[str, str]] | None = None,
    only: Collection[str] | None = None,
) -> CoercedRows:
    """Turn raw strings (columns = mapped template keys, index = row_index) into typed columns.

    Unmapped template columns take their default (or stay empty). Empty mapped cells
    take the default too. ``conventions`` pins what an earlier full pass detected per
    column (numeric locale, date order), so a patched row is read like the rest of its column.
    ``only`` limits the work to those template columns (a patch re-reads the corrected ones).
    Columns are coerced in threads: the work is in Arrow kernels that release the GIL.
    """
    settings = _CoercionSettings(
        rules, numeric_locale, value_mapping or {}, native_columns, conventions or {}
    )
    columns = [c for c in rules.template.columns if only is None or c.key in only]
    if len(raw) >= PARALLEL_THRESHOLD:
        with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
            results = list(pool.map(lambda column: _coerce_one(raw, column, settings), columns))
    else:
        results = [_coerce_one(raw, column, settings) for column in columns]
    frame = pd.DataFrame(
        {c.key: values for c, (values, _, _) in zip(columns, results, strict=True)}, index=raw.index
    )
    detected = {c.key: found for c, (_, found, _) in zip(columns, results, strict=True) if found}
    return CoercedRows(frame, _concat_errors([errors for _, _, errors in results]), detected)


_TYPE_NAMES = {
    ColumnType.NUMBER: "a number",
    ColumnType.INTEGER: "a whole number",
    ColumnType.DATE: "a date",
    ColumnType.DATETIME: "a date and time",
    ColumnType.BOOLEAN: "yes/no (true/false)",
}


def _invalid_type_message(column: TemplateColumn, value: object, locale: str | None) -> str:
    expected = _TYPE_NAMES.get(column.type, column.type.value)
    hint = (
        f" (numbers are read as {locale})"
        if locale and column.type in (ColumnType.NUMBER, ColumnType.INTEGER)
        else ""
    )
    if column.format and column.type in (ColumnType.DATE, ColumnType.DATETIME):
        hint = f" (expected format {column.format})"
    return f"{column.label}: '{value}' is not {expected}{hint}"


def _rule_message(
    code: str, column: TemplateColumn, value: object, candidates: tuple[str, ...] = ()
) -> str:
    if code == "required":
        return f"{column.label} is required"
    if code == "out_of_range":
        bounds = []
        if column.min is not None:
            bounds.append(f"at least {column.min:g}")
        if column.max is not None:
            bounds.append(f"at most {column.max:g}")
        return f"{column.label}: {value} is out of range (must be {' and '.join(bounds)})"
    if code == "invalid_option":
        named = " or ".join(f"'{c}'" for c in candidates)
        hint = f"; did you mean {named}?" if candidates else ""
        return f"{column.label}: '{value}' is not one of the allowed options{hint}"
    if code == "invalid_email":
        return f"{column.label}: '{value}' is not a valid email address"
    if code == "pattern":
        return f"{column.label}: '{value}' does not match the expected pattern {column.pattern}"
    if code == "too_long":
        return f"{column.label}: '{value}' is longer than {column.max_length} characters"
    return f"{column.label}: '{value}' failed check {code}"


def rule_errors(coerced: CoercedRows, raw: pd.DataFrame, rules: ValidationRules) -> pd.DataFrame:
    """The template's rules (pandera checks) on the coerced rows, as row errors that quote the
    raw cell. A cell that failed coercion is reported once, as ``invalid_type``."""
    failures = failing_cells(rules.rule_schema, coerced.typed, raw)
    if not failures.codes:
        return empty_errors()
    raw_values = _raw_values(raw, failures.rows, failures.columns)
    near = _near_options(failures.codes, failures.columns, raw_values, rules)
    errors = pd.DataFrame(
        {
            "row_index": failures.rows,
            "column": failures.columns,
            "code": failures.codes,
            "value": raw_values,
            "message": [
                _rule_message(
                    code,
                    rules.template.column(column),
                    raw if raw is not None else value,
                    near.get((column, raw), ()),
                )
                for code, column, raw, value in zip(
                    failures.codes, failures.columns, raw_values, failures.typed_values, strict=True
                )
            ],
        }
    )
    if not coerced.errors.empty:
        errors = errors[~_cells_in(errors, coerced.errors)]
    return errors


def _cells_in(errors: pd.DataFrame, others: pd.DataFrame) -> np.ndarray:
    """Which of ``errors``' (row, column) cells also have an error in ``others``: one integer
    per cell (row × columns + column), where two MultiIndexes and their ``isin`` cost 1 ms."""
    names = pd.Index(pd.concat([errors["column"], others["column"]]).unique())
    width = len(names)

    def cells(frame: pd.DataFrame) -> np.ndarray:
        rows: np.ndarray = frame["row_index"].to_numpy(dtype=np.int64)
        numbers: np.ndarray = names.get_indexer(pd.Index(frame["column"]))
        return cast("np.ndarray", rows * width + numbers)

    found: np.ndarray = np.isin(cells(errors), cells(others))
    return found


def _near_options(
    codes: list[str], columns: np.ndarray, raw_values: np.ndarray, rules: ValidationRules
) -> dict[tuple[str, object], tuple[str, ...]]:
    """Labels of the options each rejected category value might mean, once per distinct value,
    so a row error can name them instead of only saying "not allowed"."""
    wanted: dict[str, set[str]] = {}
    for code, column, value in zip(codes, columns, raw_values, strict=True):
        if code == "invalid_option" and isinstance(value, str):
            wanted.setdefault(str(column), set()).add(value)
    near: dict[tuple[str, object], tuple[str, ...]] = {}
    for column, values in wanted.items():
        options = rules.options_by_column.get(column, [])
        labels = {option.value: option.label for option in options}
        ordered = sorted(values)
        for value, found in zip(ordered, option_candidates(ordered, options), strict=True):
            near[(column, value)] = tuple(labels[option] for option in found)
    return near


def _raw_values(raw: pd.DataFrame, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The raw cell behind each failure, fetched per column in bulk (None for unmapped columns)."""
    values = np.full(len(rows), None, dtype=object)
    positions = raw.index.get_indexer(pd.Index(rows))
    for column in set(columns):
        if column not in raw.columns:
            continue
        here = np.flatnonzero(columns == column)
        cells = raw[column].iloc[positions[here]]
        values[here] = cells.astype(object).where(cells.notna(), None).to_numpy()
    return values


def _first_rows(keys: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first row with the same key (itself when it is the first).

    Factorising numbers keys in order of first appearance, so the first row of
    each code is found with one numpy scatter instead of a groupby.
    """
    codes: np.ndarray
    if keys.shape[1] == 1:
        codes, _ = pd.factorize(keys.iloc[:, 0])
    else:
        codes = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
    positions = np.arange(len(codes))
    first: np.ndarray = np.empty(codes.max() + 1 if len(codes) else 0, dtype=np.int64)
    first[codes[::-1]] = positions[::-1]
    return first[codes]


def duplicate_key_errors(
    keys: pd.DataFrame, rules: ValidationRules, only_rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Rows whose key repeats an earlier row's key (the first copy is not an error).

    ``keys`` holds the typed key/unique columns of every row that can share a key
    with the rows in question (index = row_index); ``only_rows`` limits the report
    to rows whose status may have changed.
    """
    parts: list[pd.DataFrame] = []
    for group in rules.uniqueness_groups:
        if not set(group) <= set(keys.columns):
            continue
        candidates = keys.loc[keys[list(group)].notna().all(axis=1), list(group)]
        first = _first_rows(candidates)
        repeated = first != np.arange(len(candidates))
        if only_rows is not None:
            repeated &= candidates.index.isin(only_rows)
        if not repeated.any():
            continue
        first_rows = candidates.index.to_numpy()[first[repeated]]
        shown = candidates[repeated].astype(str)
        values = shown.agg(" / ".join, axis=1) if len(group) > 1 else shown[group[0]]
        label = " + ".join(rules.template.column(c).label for c in group)
        parts.append(
            pd.DataFrame(
                {
                    "row_index": values.index.to_numpy(dtype="int64"),
                    "column": group[0],
                    "code": "duplicate_key",
                    "value": values.to_numpy(dtype=object),
                    "message": [
                        f"{label} '{value}' is duplicated: it already appears in row {row}"
                        for value, row in zip(values, first_rows, strict=True)
                    ],
                }
            )
        )
    return _concat_errors(parts)


ERROR_DTYPES = {"row_index": "int64", "column": "str", "code": "str", "message": "str"}


def _concat_errors(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [part for part in parts if not part.empty]
    if not parts:
        return empty_errors()
    errors = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    wrong = {c: t for c, t in ERROR_DTYPES.items() if errors[c].dtype != t}
    return errors.astype(wrong) if wrong else errors


def sort_errors(errors: pd.DataFrame, template: Template) -> pd.DataFrame:
    """By row, then the template's column order, then code (stable): one ``lexsort`` and one
    ``take``, where assign, sort_values and drop copied the frame three times."""
    if len(errors) < 2:
        return errors.reset_index(drop=True)
    keys = pd.Index(template.column_keys)
    position = keys.get_indexer(pd.Index(errors["column"]))
    position[position < 0] = len(keys)  # not a template column: last, as NaN sorted
    codes, _ = pd.factorize(errors["code"], sort=True)
    order = np.lexsort((codes, position, errors["row_index"].to_numpy(dtype=np.int64)))
    return errors.take(order).reset_index(drop=True)


def check_rows(coerced: CoercedRows, raw: pd.DataFrame, rules: ValidationRules) -> pd.DataFrame:
    """Every row error of a full pass over coerced rows, sorted by row."""
    key_columns = sorted({c for group in rules.uniqueness_groups for c in group})
    errors = _concat_errors(
        [
            coerced.errors,
            rule_errors(coerced, raw, rules),
            duplicate_key_errors(coerced.typed[key_columns], rules),
        ]
    )
    return sort_errors(errors, rules.template)
