"""Prevalidate: turn a column of raw text cells into typed values,
flagging cells that are not of the type.

Runs before the pandera rules, which then only see typed values. Every type is
coerced a whole column at a time (numbers and dates in ``numbers``/``dates``,
booleans on their distinct values), because files reach a million rows.
A cell that is empty (or only whitespace) is missing, never invalid: whether it
may be missing is the ``required`` rule's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from imports_pipeline.engine.dates import parse_dates
from imports_pipeline.engine.normalize import normalize_value
from imports_pipeline.engine.numbers import (
    DOT_DECIMAL,
    INFERRED_LOCALES,
    SUPPORTED_LOCALES,
    NumberTexts,
    as_arrow,
    convention_for,
    infer_convention,
    infer_numeric_locale,
    parse_number,
    parse_numbers,
)
from imports_pipeline.templates.model import ColumnType, TemplateColumn

__all__ = [
    "SUPPORTED_LOCALES",
    "CoercedColumn",
    "coerce_column",
    "infer_numeric_locale",
    "parse_number",
]

TRUE_WORDS = ("true", "t", "yes", "y", "1", "si", "verdadero", "vrai", "ja", "sim", "x")
FALSE_WORDS = ("false", "f", "no", "n", "0", "falso", "faux", "nein", "nao")
"""Yes/no in the languages of our users, compared accent- and case-free ("Sí", "NÃO")."""
BOOLEANS: dict[str, bool] = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)

INT64_LIMIT = 2.0**63


@dataclass(frozen=True)
class CoercedColumn:
    values: pd.Series
    """Typed, same index as the raw column: Float64, Int64, datetime64[ms], boolean or str."""
    invalid: np.ndarray
    """True where a non-empty cell could not be coerced (reported as ``invalid_type``)."""
    detected: dict[str, str] = field(default_factory=dict)
    """What was inferred from the values,
    e.g. {"numeric_locale": "es_ES"} or {"date_order": "day_first"}."""


def _typed(
    raw: pd.Series, values: object, invalid: np.ndarray, detected: dict[str, str] | None = None
) -> CoercedColumn:
    return CoercedColumn(pd.Series(values, index=raw.index, name=raw.name), invalid, detected or {})


def _numbers(
    raw: pd.Series, integer: bool, numeric_locale: str | None, native: bool
) -> CoercedColumn:
    """Locale-aware numbers; without a locale, the column's own decisive cells pick one."""
    texts = NumberTexts(as_arrow(raw))
    detected: dict[str, str] = {}
    if native:
        convention = DOT_DECIMAL
    elif numeric_locale:
        convention = convention_for(numeric_locale)
    else:
        inferred = infer_convention(texts)
        convention = inferred or DOT_DECIMAL
        if inferred:
            detected["numeric_locale"] = INFERRED_LOCALES[inferred]
    values, invalid = parse_numbers(texts, convention)
    if native and numeric_locale and invalid.any():
        values, invalid = _text_cells_in_locale(raw, values, invalid, numeric_locale)
    if not integer:
        return _typed(raw, pd.arrays.FloatingArray(values, np.isnan(values)), invalid, detected)
    fractional = ~np.isnan(values) & (
        (values != np.trunc(values)) | (np.abs(values) >= INT64_LIMIT)
    )
    values[fractional] = np.nan
    missing = np.isnan(values)
    integers = pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)
    return _typed(raw, integers, invalid | fractional, detected)


def _text_cells_in_locale(
    raw: pd.Series, values: np.ndarray, invalid: np.ndarray, numeric_locale: str
) -> tuple[np.ndarray, np.ndarray]:
    """A typed spreadsheet column can still hold a few text cells
    ("99,5"): read those in the locale."""
    positions = np.flatnonzero(invalid)
    retried, still_invalid = parse_numbers(
        NumberTexts(as_arrow(raw.iloc[positions])), convention_for(numeric_locale)
    )
    values = values.copy()
    values[positions] = retried
    invalid = invalid.copy()
    invalid[positions] = still_invalid
    return values, invalid


def _dates(
    raw: pd.Series, column: TemplateColumn, native: bool, date_order: str | None
) -> CoercedColumn:
    parsed = parse_dates(raw, column.format, native, date_order)
    values = parsed.values
    if column.type is ColumnType.DATE:
        values = values.astype("datetime64[D]").astype("datetime64[ms]")
    return _typed(raw, values, parsed.invalid, parsed.detected)


def _booleans(raw: pd.Series) -> CoercedColumn:
    """Looked up once per distinct spelling: a yes/no column holds a handful of them."""
    codes, uniques = pd.factorize(raw)
    blank = np.array([str(value).strip() == "" for value in uniques] + [True])
    truth = [BOOLEANS.get(normalize_value(str(value))) for value in uniques] + [None]
    known = np.array([value is not None for value in truth])
    flags = np.array([bool(value) for value in truth])
    values = pd.arrays.BooleanArray(flags[codes], ~known[codes])
    return _typed(raw, values, ~known[codes] & ~blank[codes])


def _text(raw: pd.Series, lowercase: bool) -> CoercedColumn:
    """Trimmed text; pattern, option and email checks belong to the schema,
    so nothing is invalid here."""
    text = raw.astype("str").str.strip()
    if lowercase:
        text = text.str.lower()
    return _typed(raw, text.mask(text == ""), np.zeros(len(raw), dtype=bool))


def coerce_column(
    raw: pd.Series,
    column: TemplateColumn,
    numeric_locale: str | None = None,
    native: bool = False,
    date_order: str | None = None,
) -> CoercedColumn:
    """Typed values of one column of raw text cells (NA for empty cells).

    ``native`` cells come from typed spreadsheet cells rendered canonically
    ("1234.5", "2026-03-01"), so the locale and date-order detection do not apply.
    ``date_order`` pins an order decided earlier on the whole column, so a few
    patched cells are read like the rest of their column.
    """
    if numeric_locale is not None:
        convention_for(numeric_locale)
    if column.type in (ColumnType.NUMBER, ColumnType.INTEGER):
        return _numbers(raw, column.type is ColumnType.INTEGER, numeric_locale, native)
    if column.type in (ColumnType.DATE, ColumnType.DATETIME):
        return _dates(raw, column, native, date_order)
    if column.type is ColumnType.BOOLEAN:
        return _booleans(raw)
    return _text(raw, lowercase=column.type is ColumnType.EMAIL)
