"""Value evidence: how well the sample cells of each source column fit each template column.

A share of compatible cells per (template column, source column), NaN where the template
column says nothing about its values. The column's type, ``min``/``max``, ``pattern``,
``unique`` and options all count, and so do shapes implied by its name (an IBAN column should
hold IBANs, a postcode column postcodes). The shares both raise a header match and veto one:
person names under "E-mail" or amounts above a percentage's ``max: 100`` do not fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from imports_pipeline.engine.dates import parse_dates
from imports_pipeline.engine.mapping.vocabulary import canonical_label
from imports_pipeline.engine.normalize import normalize_value
from imports_pipeline.engine.schema import EMAIL_PATTERN
from imports_pipeline.engine.values import option_lookup, suggest_options
from imports_pipeline.templates.model import ColumnType, Option, TemplateColumn

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
    {
        "true",
        "false",
        "yes",
        "no",
        "y",
        "n",
        "t",
        "f",
        "si",
        "sí",
        "sì",
        "verdadero",
        "falso",
        "0",
        "1",
        "oui",
        "non",
        "ja",
        "nein",
        "sim",
        "não",
        "nao",
        "vrai",
        "faux",
        "x",
    }
)
SHAPES: dict[str, str] = {
    "email": EMAIL_PATTERN.strip("^$"),
    "phone": r"\+?[0-9][0-9 ()./\-]{5,19}",
    "iban": r"[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{10,32}",
    "taxid": r"([A-Za-z]{2})?[A-Za-z0-9][0-9A-Za-z.\- ]{6,14}",
    "postcode": r"[A-Za-z0-9][A-Za-z0-9 \-]{2,9}",
    "barcode": r"[0-9]{8,14}",
    "currency": r"[A-Za-z]{3}|[€$£]",
}
"""What a cell looks like when the column's canonical name says what it holds."""
TEXT_WORDS = frozenset(
    {
        "name",
        "company",
        "city",
        "customer",
        "supplier",
        "merchant",
        "counterparty",
        "carrier",
        "firstname",
        "lastname",
        "person",
        "contact",
        "department",
        "street",
        "address",
    }
)
"""Columns named like this hold words, not numbers or dates."""
ID_WORDS = frozenset({"id", "sku", "reference", "iban", "taxid", "barcode"})
"""...unless they are identifiers ("Customer ID" holds codes like C10023)."""
TEXT_SHAPE = r".*[^\W\d_]{2}.*"
UNIQUE_SHARE = 0.9
VALUES_ONLY_KINDS = ("date", "email", "category")
"""Profiles distinctive enough to place a column without its header."""
LEFTOVER_KINDS = (*VALUES_ONLY_KINDS, "boolean")
"""...and those that may take the last fitting source of their kind: a file's one yes/no column
("Contrôlé: Oui/Non") is the template's one boolean when both are the last of their kind."""
PROFILE_ROWS = 60
"""Rows of the sample that are profiled: shares settle long before 200 rows, and 200 columns
of 60 cells keep a suggestion well under 100 ms."""
LEFTOVER_FIT = 0.95
"""A leftover source must fit this well to take the last open column of its kind."""
DATE_LIKE = 0.8
"""Source columns with this share of date cells take part in date order checks."""
CATEGORY_DISTINCT = 0.6
"""Only columns that repeat their values are looked up fuzzily: categories repeat, text does not."""
NAMED_FLOOR = 0.4
"""Header score from which a source's values are worth a fuzzy option lookup."""
FUZZY_OPTION_SCORE = 0.8
"""A cell counts as naming an option when its suggestion scores this much."""


@dataclass(frozen=True)
class Profile:
    """Sample cells of every source column, stacked so each check runs once for all columns."""

    cells: pd.Series
    owner: np.ndarray
    filled: np.ndarray
    distinct: np.ndarray

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


def profile(sample: pd.DataFrame, source_columns: Sequence[str]) -> Profile:
    frame = sample.iloc[:PROFILE_ROWS]
    if list(sample.columns) != list(source_columns):
        frame = frame.loc[:, ~frame.columns.duplicated()].reindex(columns=list(source_columns))
    cells = pd.Series(frame.to_numpy(dtype=object).ravel(order="F"), dtype="str").str.strip()
    owner = np.repeat(np.arange(len(source_columns)), len(frame))
    keep = (cells.notna() & (cells != "")).to_numpy(dtype=bool)
    cells, owner = cells[keep].reset_index(drop=True), owner[keep]
    filled = np.bincount(owner, minlength=len(source_columns)).astype(float)
    codes, uniques = pd.factorize(cells)
    pairs = np.unique(owner.astype(np.int64) * (len(uniques) + 1) + codes)
    distinct = np.bincount(pairs // (len(uniques) + 1), minlength=len(source_columns))
    share = np.where(filled > 0, distinct / np.maximum(filled, 1), np.nan)
    return Profile(cells, owner, filled, share)


def to_float(cells: pd.Series) -> np.ndarray:
    """Locale-tolerant numbers: the last of ``.``/``,`` is the decimal mark."""
    text = cells.str.replace(r"[€$£%\s']", "", regex=True)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    comma_last = text.str.rfind(",") > text.str.rfind(".")
    comma_decimal = (both & comma_last) | (
        ~both & text.str.fullmatch(r"-?[0-9]*,[0-9]{1,2}|-?[0-9]+,[0-9]{4,}")
    )
    dot_grouping = both & comma_last
    text = text.where(~dot_grouping, text.str.replace(".", "", regex=False))
    text = text.where(~comma_decimal, text.str.replace(",", ".", regex=False))
    text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def kind_of(column: TemplateColumn, options: Sequence[Option]) -> str | None:
    """What a compatible cell looks like; columns of the same kind compete for the same values."""
    if column.type in (ColumnType.DATE, ColumnType.DATETIME):
        return "date"
    if column.type in (ColumnType.NUMBER, ColumnType.INTEGER):
        return "number"
    if column.type in (ColumnType.EMAIL, ColumnType.BOOLEAN):
        return column.type.value
    if column.type is ColumnType.CATEGORY and options:
        return "category:" + "|".join(sorted(option.value for option in options))
    if column.pattern:
        return "pattern:" + column.pattern
    words = set(canonical_label(f"{column.label} {column.key.replace('_', ' ')}").split())
    shape = next((name for name in SHAPES if name in words), None)
    if shape:
        return "shape:" + shape
    return "text" if words & TEXT_WORDS and not words & ID_WORDS else None


def _option_shares(
    profile: Profile, skip: np.ndarray, options: Sequence[Option], named: np.ndarray
) -> np.ndarray:
    """Share of cells naming an option, exactly or, in columns whose header already points at
    this category (``named``) and that repeat their values as categories do, by a confident
    suggestion. Fuzzy lookups are the expensive part, so they are kept to those few columns."""
    codes, uniques = pd.factorize(profile.cells.where(~skip))
    values = [str(value) for value in uniques]
    lookup = option_lookup(options)
    known = np.array([normalize_value(v) in lookup for v in values], dtype=bool)
    repetitive = np.zeros(len(values) + 1, dtype=bool)
    looked_up = (profile.distinct <= CATEGORY_DISTINCT) & named
    repetitive[codes[looked_up[profile.owner]]] = True
    pending = [i for i, ok in enumerate(known) if not ok and repetitive[i]]
    if pending:
        suggested = suggest_options([values[i] for i in pending], options, similar=False)
        for i, (option, score) in zip(pending, suggested, strict=True):
            known[i] = option is not None and score >= FUZZY_OPTION_SCORE
    return profile.share(np.append(known, False)[codes])


def _in_range(profile: Profile, values: np.ndarray, column: TemplateColumn) -> np.ndarray:
    fits = ~np.isnan(values)
    if column.min is not None:
        fits &= values >= column.min
    if column.max is not None:
        fits &= values <= column.max
    if column.type is ColumnType.INTEGER:
        fits &= np.isclose(values, np.round(values))
    return profile.share(fits)


def _named(
    kind: str, kinds: Sequence[str | None], name_scores: np.ndarray | None, source_count: int
) -> np.ndarray:
    """Sources whose header scores at least NAMED_FLOOR for some column of this kind."""
    if name_scores is None:
        return np.ones(source_count, dtype=bool)
    rows = [t for t, k in enumerate(kinds) if k == kind]
    return cast("np.ndarray", name_scores[rows].max(axis=0) >= NAMED_FLOOR)


def compatibility(
    columns: Sequence[TemplateColumn],
    source_count: int,
    sample: pd.DataFrame,
    source_columns: Sequence[str],
    options_by_column: Mapping[str, Sequence[Option]],
    name_scores: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Compatible-cell share (template × source; NaN = no opinion), which columns may match
    on values alone, and each column's kind."""
    prof = profile(sample, source_columns)
    dates = prof.matches(DATE_PATTERN)
    numbers = prof.matches(NUMBER_PATTERN)
    kinds = [kind_of(c, options_by_column.get(c.key, ())) for c in columns]
    cache: dict[str, np.ndarray] = {
        "date": prof.share(dates),
        "number": prof.share(numbers),
        "text": prof.share(prof.matches(TEXT_SHAPE) & ~dates & ~numbers),
    }
    rows = []
    number_values: np.ndarray | None = None
    for column, kind in zip(columns, kinds, strict=True):
        if kind is None:
            row = np.full(source_count, np.nan)
        elif kind == "number" and (
            column.min is not None or column.max is not None or column.type is ColumnType.INTEGER
        ):
            if number_values is None:
                number_values = np.full(len(prof.cells), np.nan)
                number_values[numbers] = to_float(prof.cells[numbers])
            row = _in_range(prof, number_values, column)
        elif kind == "date" and column.format:
            parsed = pd.to_datetime(prof.cells, format=column.format, errors="coerce")
            row = prof.share(parsed.notna().to_numpy(dtype=bool))
        elif kind in cache:
            row = cache[kind]
        elif kind == "email":
            row = cache.setdefault(kind, prof.share(prof.matches(EMAIL_PATTERN.strip("^$"))))
        elif kind == "boolean":
            row = cache.setdefault(
                kind, prof.share(prof.cells.str.casefold().isin(BOOLEAN_WORDS).to_numpy(dtype=bool))
            )
        elif kind.startswith("category:"):
            row = cache.setdefault(
                kind,
                _option_shares(
                    prof,
                    dates | numbers,
                    options_by_column[column.key],
                    _named(kind, kinds, name_scores, source_count),
                ),
            )
        else:
            pattern = kind.partition(":")[2]
            if kind.startswith("shape:"):
                pattern = SHAPES[pattern]
            else:
                pattern = pattern.removeprefix("^").removesuffix("$")
            try:
                row = cache.setdefault(kind, prof.share(prof.matches(pattern)))
            except re.error:
                row = np.full(source_count, np.nan)
        if column.unique:
            row = np.nan_to_num(row, nan=1.0) * np.minimum(1.0, prof.distinct / UNIQUE_SHARE)
        rows.append(row)
    compat = np.vstack(rows) if rows else np.empty((0, source_count))
    alone = np.array(
        [
            kind is not None and kind.split(":")[0] in VALUES_ONLY_KINDS and kinds.count(kind) == 1
            for kind in kinds
        ],
        dtype=bool,
    )
    return compat, alone, kinds


def leftovers(
    chosen: dict[int, int], compat: np.ndarray, kinds: Sequence[str | None]
) -> dict[int, int]:
    """The last open column of a distinctive kind takes the last unused source whose values fit
    it, when there is exactly one of each (the second date of a file whose header says nothing)."""
    taken = set(chosen.values())
    found: dict[int, int] = {}
    for kind in {k for k in kinds if k and k.split(":")[0] in LEFTOVER_KINDS}:
        open_columns = [t for t, k in enumerate(kinds) if k == kind and t not in chosen]
        if len(open_columns) != 1:
            continue
        t = open_columns[0]
        fitting = [
            s for s in range(compat.shape[1]) if s not in taken and compat[t, s] >= LEFTOVER_FIT
        ]
        if len(fitting) == 1:
            found[t] = fitting[0]
            taken.add(fitting[0])
    return found


def date_order(
    sample: pd.DataFrame, source_columns: Sequence[str], date_share: np.ndarray
) -> dict[tuple[int, int], float]:
    """For date-like source pairs: +1 when the first is earlier on every row, -1 when later."""
    frame = sample.iloc[:PROFILE_ROWS]
    frame = frame.loc[:, ~frame.columns.duplicated()].reindex(columns=list(source_columns))
    parsed = {}
    for s in (s for s in range(len(source_columns)) if date_share[s] >= DATE_LIKE):
        values = parse_dates(frame.iloc[:, s].astype("str"), None, native=False).values
        days = values.astype("datetime64[ms]").astype("int64").astype("float64")
        days[np.isnat(values)] = np.nan
        parsed[s] = days
    order: dict[tuple[int, int], float] = {}
    for a in parsed:
        for b in parsed:
            if a < b:
                both = ~np.isnan(parsed[a]) & ~np.isnan(parsed[b])
                if both.sum() >= 3:
                    relation = np.sign(parsed[b][both] - parsed[a][both]).mean()
                    order[(a, b)], order[(b, a)] = relation, -relation
    return order
