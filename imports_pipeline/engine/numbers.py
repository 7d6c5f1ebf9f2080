"""Locale-aware number parsing of whole columns, vectorised with Arrow.

One table of conventions (decimal mark, accepted thousands separators) drives
both parsing and per-column locale inference, so the two can never disagree.

A column of a million cells is parsed in a handful of Arrow passes: one
anchored regex says which cells are "plain" numbers (digits, separators, sign,
exponent); those are cleaned with literal replacements (fast) and cast. Only the
remaining cells (currency symbols, surrounding spaces, garbage) pay for the
slower regex match and regex cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from imports_pipeline.errors import UnsupportedLocaleError

SPACES = (" ", "\u00a0", "\u202f")
"""Space, no-break space and narrow no-break space: what spreadsheets put between thousands."""

CURRENCIES = ("€", "$", "£", "EUR", "USD", "GBP")
"""Stripped around a number: customers paste amounts with their currency."""


@dataclass(frozen=True)
class NumberConvention:
    decimal: str
    groups: tuple[str, ...]
    """Accepted thousands separators."""


DOT_DECIMAL = NumberConvention(".", (",",))
COMMA_DECIMAL = NumberConvention(",", (".", *SPACES))
SPACE_GROUPED = NumberConvention(",", SPACES)

CONVENTIONS: dict[str, NumberConvention] = {
    "es_ES": COMMA_DECIMAL,
    "en_US": DOT_DECIMAL,
    "en_GB": DOT_DECIMAL,
    "de_DE": COMMA_DECIMAL,
    "fr_FR": SPACE_GROUPED,
    "pt_PT": COMMA_DECIMAL,
    "it_IT": COMMA_DECIMAL,
}
SUPPORTED_LOCALES: tuple[str, ...] = tuple(CONVENTIONS)

INFERRED_LOCALES: dict[NumberConvention, str] = {
    DOT_DECIMAL: "en_US",
    COMMA_DECIMAL: "es_ES",
    SPACE_GROUPED: "fr_FR",
}
"""The locale reported for each convention inference can tell apart."""

_WS = r"[\s\x{00A0}\x{202F}]*"
_CURRENCY = "(?:" + "|".join(re.escape(c) if len(c) == 1 else f"(?i:{c})" for c in CURRENCIES) + ")"
_CURRENCY_CODES = "(?i:" + "|".join(c for c in CURRENCIES if len(c) > 1) + ")"
_EXPONENT = r"(?:[eE][+-]?\d+)?"


def convention_for(locale: str) -> NumberConvention:
    """The convention of a supported locale; the error lists the supported ones."""
    try:
        return CONVENTIONS[locale]
    except KeyError:
        raise UnsupportedLocaleError(
            f"numeric_locale '{locale}' is not supported; "
            f"use one of {', '.join(SUPPORTED_LOCALES)}",
            locale=locale,
        ) from None


def _unsigned(convention: NumberConvention) -> str:
    """Digits with correctly placed thousands separators
    (groups of exactly 3) and an optional decimal part."""
    group = "[" + "".join(re.escape(g) for g in convention.groups) + "]"
    decimal = re.escape(convention.decimal)
    return rf"(?:(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{decimal}\d+)?|{decimal}\d+){_EXPONENT}"


@cache
def _plain_pattern(convention: NumberConvention) -> str:
    """A bare number, as most cells hold it: cleaned with literal replacements only."""
    return rf"^[+-]?{_unsigned(convention)}$"


@cache
def _full_pattern(convention: NumberConvention) -> str:
    """A number with surrounding spaces and a currency before or after
    (sign on either side of a leading one)."""
    prefix = rf"{_WS}(?:{_CURRENCY}{_WS})?[+-]?{_WS}(?:{_CURRENCY}{_WS})?"
    return rf"^{prefix}{_unsigned(convention)}{_WS}{_CURRENCY}?{_WS}$"


@cache
def _noise_pattern(convention: NumberConvention) -> str:
    """Everything a valid number may hold besides digits, sign, exponent and decimal mark."""
    return rf"{_CURRENCY_CODES}|[^0-9eE+\-{re.escape(convention.decimal)}]"


def as_arrow(raw: pd.Series) -> pa.Array:
    """The cells as one Arrow string array (no copy for the default pyarrow-backed "str" dtype)."""
    strings = raw if isinstance(raw.dtype, pd.StringDtype) else raw.astype("str")
    texts = pa.array(strings.array)
    return texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts


def take(texts: pa.Array, positions: np.ndarray) -> pa.Array:
    """The cells at ``positions``; no copy when that is every cell, the usual case."""
    return texts if len(positions) == len(texts) else texts.take(positions)


def holds(texts: pa.Array, text: str) -> bool:
    """Whether any cell contains ``text``: one byte search of the data buffer,
    far cheaper than a pass per cell.

    The buffer may extend past a sliced array's cells;
    a false positive only costs a useless replace.
    """
    data = texts.buffers()[2]
    return data is not None and text.encode() in data.to_pybytes()


def to_mask(result: pa.Array) -> np.ndarray:
    """Arrow booleans → numpy; a null cell (no text) never matches."""
    return cast("np.ndarray", pc.fill_null(result, False).to_numpy(zero_copy_only=False))


class NumberTexts:
    """One column's cells plus validity masks per convention,
    computed once and shared by inference and parsing."""

    def __init__(self, texts: pa.Array) -> None:
        self.texts = texts
        self.present = ~to_mask(texts.is_null())
        self._plain: dict[NumberConvention, np.ndarray] = {}
        self._valid: dict[NumberConvention, np.ndarray] = {}

    def plain(self, convention: NumberConvention) -> np.ndarray:
        if convention not in self._plain:
            self._plain[convention] = to_mask(
                pc.match_substring_regex(self.texts, _plain_pattern(convention))
            )
        return self._plain[convention]

    def valid(self, convention: NumberConvention) -> np.ndarray:
        """Plain cells, plus those of the other cells that match the full pattern.

        A cell plain under any convention holds no currency and no outer spaces,
        which is all the full pattern adds, so only cells plain under none of the
        conventions tried so far pay for the second regex.
        """
        if convention not in self._valid:
            valid = self.plain(convention).copy()
            rest = np.flatnonzero(self.present & ~np.logical_or.reduce(list(self._plain.values())))
            if len(rest):
                valid[rest] = to_mask(
                    pc.match_substring_regex(self.texts.take(rest), _full_pattern(convention))
                )
            self._valid[convention] = valid
        return self._valid[convention]

    def unreadable(self, valid: np.ndarray) -> np.ndarray:
        """Cells with text that is not valid; empty or whitespace-only cells count as empty,
        not unreadable."""
        unreadable = self.present & ~valid
        candidates = np.flatnonzero(unreadable)
        if len(candidates):
            trimmed = pc.utf8_trim_whitespace(self.texts.take(candidates))
            unreadable[candidates] = ~to_mask(pc.equal(trimmed, ""))
        return cast("np.ndarray", unreadable)


def _to_float(texts: pa.Array, convention: NumberConvention, bare: bool) -> np.ndarray:
    """Valid cells → float64. Bare cells lose their separators by literal replacement;
    others by regex."""
    if bare:
        for group in convention.groups:
            if holds(texts, group):
                texts = pc.replace_substring(texts, group, "")
    else:
        texts = pc.replace_substring_regex(texts, _noise_pattern(convention), "")
    if convention.decimal != ".":
        texts = pc.replace_substring(texts, convention.decimal, ".")
    return cast("np.ndarray", pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False))


def parse_numbers(
    column: NumberTexts, convention: NumberConvention
) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN where not a number, invalid
    mask of non-empty cells that are not numbers)."""
    values = np.full(len(column.texts), np.nan)
    plain = column.plain(convention)
    valid = column.valid(convention)
    for positions, bare in ((np.flatnonzero(plain), True), (np.flatnonzero(valid & ~plain), False)):
        if len(positions):
            values[positions] = _to_float(take(column.texts, positions), convention, bare)
    overflow = np.isinf(values)
    values[overflow] = np.nan
    return values, column.unreadable(valid & ~overflow)


def infer_convention(column: NumberTexts) -> NumberConvention | None:
    """The column's convention by majority of decisive cells, or None when no cell decides.

    A cell decides when it reads as a number in one decimal convention and not in
    the other ("125,4", "1.234,5" vs "125.4", "1,234.5"); "1.234" and "1,234"
    read both ways and do not count. Ties go to the decimal comma, as most of our
    users are European. Space-grouped thousands among the comma cells mean fr_FR.
    """
    for convention in (COMMA_DECIMAL, DOT_DECIMAL):
        column.plain(
            convention
        )  # both before either full check, which then skips the other's plain cells
    comma, dot = column.valid(COMMA_DECIMAL), column.valid(DOT_DECIMAL)
    comma_decisive = comma & ~dot
    comma_votes, dot_votes = int(comma_decisive.sum()), int((dot & ~comma).sum())
    if comma_votes == dot_votes == 0:
        return None
    if dot_votes > comma_votes:
        return DOT_DECIMAL
    if not any(holds(column.texts, space) for space in SPACES):
        return COMMA_DECIMAL
    space_grouped = to_mask(pc.match_substring_regex(column.texts, r"\d[ \x{00A0}\x{202F}]\d{3}"))
    return SPACE_GROUPED if (space_grouped & comma_decisive).any() else COMMA_DECIMAL


def infer_numeric_locale(raw: pd.Series) -> str | None:
    """The locale a column's numbers are written in, or None when nothing in it decides."""
    convention = infer_convention(NumberTexts(as_arrow(raw)))
    return None if convention is None else INFERRED_LOCALES[convention]


def parse_number(text: str, numeric_locale: str | None) -> float | None:
    """One cell, as a person patched it; None when it is not a number (or is empty)."""
    column = NumberTexts(pa.array([text], pa.large_string()))
    convention = (
        convention_for(numeric_locale)
        if numeric_locale
        else infer_convention(column) or DOT_DECIMAL
    )
    values, _ = parse_numbers(column, convention)
    return None if np.isnan(values[0]) else float(values[0])
