"""Workbook (.xlsx/.xlsm/.xls/.ods) -> a grid of string columns, with its header cells.

python-calamine reads the cached cell values (so formulas give their results and
error cells come back empty) about 15x faster than openpyxl. Typed cells are
rendered canonically here ("1234.5", "2026-03-01"), and the columns made of them
are reported so no numeric locale is applied to them later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook

from imports_pipeline.engine.sniffing import WIDTH_SAMPLE_ROWS, detect_header_row, is_blank
from imports_pipeline.engine.workbook_extent import check_sheet_extent
from imports_pipeline.engine.workbook_parts import (
    DEFAULT_PART_LIMITS,
    PartLimits,
    check_workbook_parts,
)
from imports_pipeline.errors import (
    EmptyFileError,
    InvalidHeaderRowError,
    UnknownSheetError,
    UnreadableFileError,
)

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta

_NATIVE_TYPES = (float, int, dt.date, dt.datetime, dt.time, dt.timedelta)


@dataclass(frozen=True)
class SheetGrid:
    sheets: list[str]
    selected_sheet: str
    header_row: int  # among the sheet's physical rows
    header: list[str]
    body: pa.Table  # positional string columns, untrimmed
    native_positions: frozenset[int]  # 0-based columns of mostly typed numbers/dates


def read_sheet_grid(
    path: Path,
    selected_sheet: str | None,
    header_row: int | None = None,
    part_limits: PartLimits = DEFAULT_PART_LIMITS,
) -> SheetGrid:
    check_workbook_parts(path, part_limits)  # before python-calamine inflates any part
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            sheets = list(workbook.sheet_names)
            name, first_row, cells = _pick_sheet(workbook, sheets, selected_sheet, path)
    except CalamineError as error:
        raise UnreadableFileError(
            "The workbook is corrupt or not a spreadsheet.", detail=str(error)
        ) from error
    head = [[render_cell(cell) for cell in row] for row in cells[:WIDTH_SAMPLE_ROWS]]
    header_index = detect_header_row(head) if header_row is None else header_row - first_row
    if header_row is not None and not (
        0 <= header_index < len(head) and not all(is_blank(cell) for cell in head[header_index])
    ):
        raise InvalidHeaderRowError(
            f"header_row {header_row} is not a row with cells among the first {len(head)} rows"
            f" of sheet '{name}'",
            field="header_row",
        )
    columns = list(zip(*cells[header_index + 1 :], strict=False)) or [
        () for _ in head[header_index]
    ]
    rendered = [_render_column(column) for column in columns]
    return SheetGrid(
        sheets=sheets,
        selected_sheet=name,
        header_row=first_row + header_index,
        header=head[header_index],
        body=pa.table(rendered, names=[f"f{index}" for index in range(len(rendered))]),
        native_positions=frozenset(
            index for index, column in enumerate(columns) if _mostly_typed(column)
        ),
    )


def _pick_sheet(
    workbook: CalamineWorkbook, sheets: list[str], selected_sheet: str | None, path: Path
) -> tuple[str, int, list[list[Cell]]]:
    """The requested sheet, or the first one with any content;
    with its first row's physical index."""
    if selected_sheet is not None and selected_sheet not in sheets:
        raise UnknownSheetError(
            f"Sheet {selected_sheet!r} not found; the workbook has: {', '.join(sheets)}.",
            sheet=selected_sheet,
            sheets=sheets,
        )
    for name in [selected_sheet] if selected_sheet is not None else sheets:
        check_sheet_extent(path, name)  # before python-calamine allocates the sheet's grid
        sheet = workbook.get_sheet_by_name(name)
        cells = sheet.to_python()
        if any(not _is_empty(cell) for row in cells for cell in row):
            return name, sheet.start[0] if sheet.start else 0, cells
    where = (
        f"Sheet {selected_sheet!r} is"
        if selected_sheet is not None
        else "All sheets of the workbook are"
    )
    raise EmptyFileError(f"{where} empty.")


def _is_empty(cell: Cell) -> bool:
    return isinstance(cell, str) and is_blank(cell)


def _mostly_typed(column: Sequence[Cell]) -> bool:
    """Typed if most non-empty cells are numbers/dates;
    counted by exact type, so bools are not numbers."""
    kinds = Counter(map(type, column))
    filled = len(column) - column.count("")
    return sum(kinds[kind] for kind in _NATIVE_TYPES) * 2 > filled


def _render_datetime(value: dt.datetime) -> str:
    return value.date().isoformat() if value.time() == dt.time() else value.isoformat()


def _render_duration(value: dt.timedelta) -> str:
    """Durations past 24 h stay in hours ("26:30:00"), as Excel's [h]:mm:ss shows them."""
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# Dispatch on the exact type: faster than an isinstance chain over a million cells,
# and bool/datetime must not fall into int/date.
_RENDERERS: dict[type, Callable[[Any], str]] = {
    str: str.__str__,
    # Excel shows 15 significant digits; beyond that a formula result is float noise
    # (250.79999999999998). "g" also drops the ".0" of whole numbers: 12.0 -> "12".
    float: lambda value: format(value, ".15g"),
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    dt.datetime: _render_datetime,
    dt.date: dt.date.isoformat,
    dt.time: dt.time.isoformat,
    dt.timedelta: _render_duration,
}


def render_cell(cell: Cell) -> str:
    return _RENDERERS[type(cell)](cell)


def _render_column(column: Sequence[Cell]) -> pa.Array:
    """Text-only columns (the usual case) go to Arrow as they are, skipping a call per cell."""
    if set(map(type, column)) == {str}:
        return pa.array(column, pa.string())
    return pa.array([_RENDERERS[type(cell)](cell) for cell in column], pa.string())
