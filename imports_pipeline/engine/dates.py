"""Date parsing of whole columns: ISO, numeric day/month orders decided per column, Excel serials.

Per-value format guessing is both slow and inconsistent ("03/04/2026" would be
read differently from "13/04/2026" in the same column), so each cell is sorted
by shape with one Arrow regex and each shape is parsed in bulk: ISO cells by
pandas' ISO parser, numeric dates by extracting their parts and assembling them
with numpy in the order that the column's unambiguous cells vote for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from imports_pipeline.engine.numbers import as_arrow, take, to_mask

ISO = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$"
NUMERIC_DATE = (
    r"^(?P<first>\d{1,2})[/.\-](?P<second>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<seconds>\d{2}))?)?$"
)
SERIAL = r"^\d{1,5}(?:\.\d+)?$"
SERIAL_RANGE = (1.0, 80000.0)
"""Serials Excel could plausibly hold for business dates: 1900-01-01 to 2119."""
EXCEL_EPOCH = np.datetime64("1899-12-30", "ms")
"""Day 0 of Excel serials (two days before 1900-01-01, absorbing Excel's fake 1900-02-29)."""
CENTURY_PIVOT = 69
"""Two-digit years below this are 20xx, the rest 19xx (POSIX %y)."""
NAT = np.datetime64("NaT", "ms")
EARLIEST = np.datetime64("0001-01-01", "ms")
LATEST = np.datetime64("9999-12-31T23:59:59.999", "ms")
"""Years outside 1–9999 ("0000-01-01") are unreadable:
Python dates, SQL and JSON clients cannot hold them."""
MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class ParsedDates:
    values: np.ndarray
    """datetime64[ms], NaT where empty or unreadable."""
    invalid: np.ndarray
    detected: dict[str, str]


def _ints(texts: pa.Array) -> np.ndarray:
    """Digit strings → int64; an optional regex group that did not take part ("") counts as 0."""
    return cast(
        "np.ndarray",
        pc.cast(pc.if_else(pc.equal(texts, ""), "0", texts), pa.int64()).to_numpy(
            zero_copy_only=False
        ),
    )


def _to_pandas(texts: pa.Array) -> pd.Series:
    return pd.Series(pd.array(texts, dtype="str"))


def _with_format(texts: pa.Array, fmt: str) -> np.ndarray:
    """The template's explicit format, parsed once per distinct value
    (strptime formats are slow per cell)."""
    codes, uniques = pd.factorize(_to_pandas(texts))
    parsed = pd.to_datetime(pd.Series(uniques, dtype="str"), format=fmt, errors="coerce")
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(None)
    lookup = np.append(parsed.to_numpy().astype("datetime64[ms]"), NAT)
    return lookup[codes]


def _iso(texts: pa.Array) -> np.ndarray:
    return (
        pd.to_datetime(_to_pandas(texts), format="ISO8601", errors="coerce")
        .to_numpy()
        .astype("datetime64[ms]")
    )


def _assemble(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, ms_of_day: np.ndarray
) -> np.ndarray:
    """Dates from their parts, NaT where the parts name no real day (31/02, month 13)."""
    ok = (month >= 1) & (month <= 12) & (day >= 1)
    first = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    start = first.astype("datetime64[D]")
    days_in_month = ((first + 1).astype("datetime64[D]") - start).astype(np.int64)
    ok &= day <= days_in_month
    result = (start + (day - 1).astype("timedelta64[D]")).astype(
        "datetime64[ms]"
    ) + ms_of_day.astype("timedelta64[ms]")
    result[~ok] = NAT
    return cast("np.ndarray", result)


def _numeric_dates(
    texts: pa.Array, date_order: str | None = None
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(matched mask, values of the matched cells,
    "day_first"/"month_first" or None when no cell matched).

    The order is the column's: day-first unless more cells can only be month-first;
    a ``date_order`` decided earlier on the whole column (a patched cell) wins.
    """
    parts = pc.extract_regex(texts, NUMERIC_DATE)
    matched = to_mask(parts.is_valid())
    if not matched.any():
        return matched, np.array([], dtype="datetime64[ms]"), None
    parts = parts.filter(pa.array(matched))
    first, second, year, hour, minute, seconds = (_ints(parts.field(i)) for i in range(6))
    day_first = (
        int((first > 12).sum()) >= int((second > 12).sum())
        if date_order is None
        else date_order == "day_first"
    )
    day, month = (first, second) if day_first else (second, first)
    short = pc.utf8_length(parts.field(2)).to_numpy(zero_copy_only=False) == 2
    year = np.where(short, np.where(year < CENTURY_PIVOT, 2000, 1900) + year, year)
    ms_of_day = ((hour * 60 + minute) * 60 + seconds) * 1000
    parsed = _assemble(year, month, day, ms_of_day)
    parsed[(hour > 23) | (minute > 59) | (seconds > 59)] = NAT
    return matched, parsed, "day_first" if day_first else "month_first"


def _serials(texts: pa.Array) -> np.ndarray:
    """Excel day numbers (fractions are the time of day) → datetimes;
    NaT outside the plausible range."""
    days = pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False)
    values = EXCEL_EPOCH + np.round(days * MS_PER_DAY).astype("timedelta64[ms]")
    values[(days < SERIAL_RANGE[0]) | (days > SERIAL_RANGE[1])] = NAT
    return cast("np.ndarray", values)


def _detected_shapes(
    texts: pa.Array, present: np.ndarray, native: bool, date_order: str | None = None
) -> tuple[np.ndarray, dict[str, str]]:
    """Cells sorted by shape and parsed; native cells are canonical ISO,
    so only ISO and serials apply."""
    values = np.full(len(texts), NAT)
    iso = np.flatnonzero(to_mask(pc.match_substring_regex(texts, ISO)))
    if len(iso):
        values[iso] = _iso(take(texts, iso))
    detected: dict[str, str] = {}
    rest = np.flatnonzero(present & np.isnat(values))
    if not len(rest):
        return values, detected
    others = texts.take(rest)
    if not native:
        matched, parsed, order = _numeric_dates(others, date_order)
        values[rest[matched]] = parsed
        if order:
            detected["date_order"] = order
    serial = to_mask(pc.match_substring_regex(others, SERIAL))
    if serial.sum() * 2 > present.sum():
        values[rest[serial]] = _serials(others.filter(pa.array(serial)))
        detected["date_format"] = "excel_serial"
    return values, detected


def parse_dates(
    raw: pd.Series, fmt: str | None, native: bool, date_order: str | None = None
) -> ParsedDates:
    """A column of date/datetime cells; an explicit ``fmt`` wins over detection."""
    texts = pc.utf8_trim_whitespace(as_arrow(raw))
    present = to_mask(pc.not_equal(texts, ""))
    if fmt:
        values, detected = _with_format(texts, fmt), dict[str, str]()
        values[~present] = NAT
    else:
        values, detected = _detected_shapes(texts, present, native, date_order)
    values[(values < EARLIEST) | (values > LATEST)] = NAT
    return ParsedDates(values, present & np.isnat(values), detected)
