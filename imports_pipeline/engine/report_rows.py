"""The failing rows of an error report, what it says about its session, and the two rules every
format shares: the row number a spreadsheet shows, and formula neutralisation (OWASP CSV
injection: text a spreadsheet would run gets a leading apostrophe; plain numbers such as ``-12.5``
stay as they are)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from imports_pipeline.engine.reading_rows import RowOffsets, spreadsheet_row_of

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,' ]*)?\d(?:[eE][+-]?\d+)?%?|[+-]?[.,]\d+")
"""A number as people type it (``-12.5``, ``+1.234,5``, ``-3e2``, ``-5%``): never a formula."""
ROW_COLUMNS = ["row_index", "spreadsheet_row"]
ERROR_COLUMNS = ["error_columns", "error_codes", "errors"]


@dataclass(frozen=True)
class ReportFacts:
    """What the report says about its session, besides the rows: its summary and row numbers."""

    import_id: str
    file_name: str
    template_id: str
    total_rows: int
    detected_header_row: int
    made_at: datetime
    row_offsets: RowOffsets | None = None

    def spreadsheet_row(self, row_index: int) -> int:
        return spreadsheet_row(self.detected_header_row, row_index, self.row_offsets)


def spreadsheet_row(
    detected_header_row: int, row_index: int, row_offsets: RowOffsets | None = None
) -> int:
    """The row number a spreadsheet shows for data row ``row_index``: where the reader found it
    (``row_offsets``, blank rows and multi-line cells above it counted as a spreadsheet shows
    them), or for a session read before those were kept, counted from the header: its 0-based
    row plus one is its number, data starts on the next (a CSV's first data row is 2)."""
    if row_offsets:
        return spreadsheet_row_of(row_offsets, row_index)
    return detected_header_row + 2 + row_index


def neutralise(value: str | None) -> str | None:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    if value and value.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class FailingRows:
    """The failing rows' original cells (text as read) and their errors, by row_index."""

    columns: list[str]
    cells: dict[int, list[str | None]]
    errors: dict[int, list[dict[str, Any]]]

    @classmethod
    def of(cls, source: pd.DataFrame, errors: pd.DataFrame) -> FailingRows:
        grouped: dict[int, list[dict[str, Any]]] = {}
        items: Iterable[Any] = errors.itertuples(index=False)
        for item in items:
            grouped.setdefault(int(item.row_index), []).append(
                {
                    "column": item.column,
                    "code": item.code,
                    "message": item.message,
                    "value": None if pd.isna(item.value) else item.value,
                }
            )
        cells = {
            int(i): [None if pd.isna(v) else str(v) for v in row]
            for i, row in zip(source.index, source.itertuples(index=False, name=None), strict=True)
        }
        return cls(columns=list(source.columns), cells=cells, errors=grouped)

    def error_cells(self, row_index: int) -> list[str]:
        """What the trailing columns say for one row: columns, codes, messages."""
        found = self.errors.get(row_index, [])
        return [
            ", ".join(e["column"] for e in found),
            ", ".join(e["code"] for e in found),
            "; ".join(e["message"] for e in found),
        ]
