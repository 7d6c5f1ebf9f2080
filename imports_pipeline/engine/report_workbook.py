"""The XLSX error report: an ``errors`` sheet to fix and upload again, and a ``summary`` sheet.

The errors sheet is the first, so a re-upload reads it. Cells that coerced show as what they are
(numbers, dates with a date format, booleans); a cell that failed, or a text column, keeps the text
the person wrote. Failing cells are highlighted and explain themselves in a comment. Columns are as
wide as their content (capped) and the header row stays frozen.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from imports_pipeline.engine.report_rows import (
    ERROR_COLUMNS,
    ROW_COLUMNS,
    FailingRows,
    ReportFacts,
    neutralise,
)

ERROR_FILL = PatternFill(start_color="FFF4CCCC", end_color="FFF4CCCC", fill_type="solid")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Column widths in characters: wide enough for a short header, never wider than a screen."""
BOLD = Font(bold=True)
Cell = str | int | float | bool | date | datetime | None


def workbook_report(
    rows: FailingRows,
    mapping: Mapping[str, str],
    facts: ReportFacts,
    typed: pd.DataFrame | None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "errors"
    _errors_sheet(sheet, rows, mapping, facts, typed)
    _summary_sheet(book.create_sheet("summary"), rows, facts)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _errors_sheet(
    sheet: Worksheet,
    rows: FailingRows,
    mapping: Mapping[str, str],
    facts: ReportFacts,
    typed: pd.DataFrame | None,
) -> None:
    header = [*ROW_COLUMNS, *rows.columns, *ERROR_COLUMNS]
    sheet.append([_xml_text(name) for name in header])
    offset = len(ROW_COLUMNS) + 1
    position = {name: index + offset for index, name in enumerate(rows.columns)}
    template_key: dict[str, str] = {}
    for key, source in mapping.items():
        template_key.setdefault(source, key)
    coerced_by_key: dict[str, dict[int, Any]] = (
        {}
        if typed is None
        else {
            key: dict(zip(typed.index.tolist(), typed[key].tolist(), strict=True))
            for key in set(template_key.values())
            if key in typed.columns
        }
    )
    widths = [len(str(name)) for name in header]
    # Rows counted here: openpyxl's ``max_row`` scans every cell, which made the report
    # quadratic (30k rows: 134 s).
    for excel_row, (i, cells) in enumerate(rows.cells.items(), start=2):
        errors = rows.errors.get(i, [])
        failed = {error["column"] for error in errors}
        values: list[Cell] = [i, facts.spreadsheet_row(i)]
        for name, text in zip(rows.columns, cells, strict=True):
            key = template_key.get(name, "")
            coerced = None if key in failed else typed_cell(coerced_by_key.get(key, {}).get(i))
            values.append(coerced if coerced is not None else neutralise(text))
        values.extend(neutralise(message) for message in rows.error_cells(i))
        sheet.append([_xml_text(value) for value in values])
        for column, value in enumerate(values, start=1):
            widths[column - 1] = max(widths[column - 1], _shown_width(value))
            if isinstance(value, datetime):
                sheet.cell(row=excel_row, column=column).number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                sheet.cell(row=excel_row, column=column).number_format = DATE_FORMAT
        for error in errors:
            mapped = mapping.get(error["column"])
            if mapped in position:
                cell = sheet.cell(row=excel_row, column=position[mapped])
                cell.fill = ERROR_FILL
                previous = cell.comment.text + "\n" if cell.comment else ""
                cell.comment = Comment(_xml_text(previous + error["message"]), "imports_pipeline")
    for cell in sheet[1]:
        cell.font = BOLD
    _set_widths(sheet, widths)
    sheet.freeze_panes = "A2"


def typed_cell(value: Any) -> int | float | bool | date | datetime | None:
    """A coerced value as a spreadsheet cell; None for a missing one or text (which the report
    shows as the person wrote it)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp | datetime):
        moment = pd.Timestamp(value).to_pydatetime()
        has_time = (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0)
        return moment.replace(tzinfo=None) if has_time else moment.date()
    if isinstance(value, date):
        return value
    return None


def _summary_sheet(sheet: Worksheet, rows: FailingRows, facts: ReportFacts) -> None:
    """What a person (or their manager) reads first: which file, how bad, and where."""
    every = [error for errors in rows.errors.values() for error in errors]
    lines: list[list[Cell]] = [
        ["Error report", None],
        ["File", facts.file_name],
        ["Template", facts.template_id],
        ["Import", facts.import_id],
        ["Made at (UTC)", facts.made_at.replace(tzinfo=None)],
        ["Rows in the file", facts.total_rows],
        ["Rows with errors", len(rows.cells)],
        ["Errors", len(every)],
        [None, None],
        ["Errors by column", "errors"],
        *[[name, n] for name, n in Counter(e["column"] for e in every).most_common()],
        [None, None],
        ["Errors by error code", "errors"],
        *[[code, n] for code, n in Counter(e["code"] for e in every).most_common()],
    ]
    for line in lines:
        sheet.append([_xml_text(value) for value in line])
    sheet["B5"].number_format = DATETIME_FORMAT
    for row in (1, 10, 12 + len({e["column"] for e in every})):
        for cell in sheet[row]:
            cell.font = BOLD
    widths = [max(_shown_width(line[column]) for line in lines) for column in range(2)]
    _set_widths(sheet, widths)


def _shown_width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max(len(part) for part in str(value).split("\n"))


def _set_widths(sheet: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )


def _xml_text(value: Cell) -> Cell:
    """Control characters (NUL, form feed, …) that a CSV can hold but XML cannot, shown as
    U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
