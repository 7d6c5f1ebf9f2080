"""Error reports: the rows that failed, with their original columns plus what is wrong.

Like Salesforce's failed-results file: a person opens it in a spreadsheet, finds the row by the
number their spreadsheet shows (``spreadsheet_row``, beside the 0-based ``row_index`` the API
uses), fixes the cells and uploads it again. Text a spreadsheet would run as a formula (leading
``=``, ``+``, ``-``, ``@``, tab, CR, unless it is a plain number such as ``-12.5``) is neutralised
with a leading apostrophe (OWASP CSV injection), in CSV and XLSX alike. The XLSX itself is built
in ``report_workbook``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

import pandas as pd

from imports_pipeline.engine.report_rows import (
    ERROR_COLUMNS,
    ROW_COLUMNS,
    FailingRows,
    ReportFacts,
    neutralise,
)

REPORT_FORMATS = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def error_report(
    source: pd.DataFrame,
    errors: pd.DataFrame,
    mapping: Mapping[str, str],
    fmt: str,
    facts: ReportFacts,
    typed: pd.DataFrame | None = None,
) -> bytes:
    """``source``: the failing rows' original cells (index = row_index); ``errors``: their row
    errors; ``typed``: their coerced template values (index = row_index), which the XLSX shows as
    numbers, dates and booleans where they did not fail."""
    rows = FailingRows.of(source, errors)
    if fmt == "json":
        return json.dumps(
            [
                {
                    "row_index": i,
                    "spreadsheet_row": facts.spreadsheet_row(i),
                    "values": dict(zip(rows.columns, cells, strict=False)),
                    "errors": rows.errors.get(i, []),
                }
                for i, cells in rows.cells.items()
            ],
            ensure_ascii=False,
            indent=1,
        ).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*ROW_COLUMNS, *rows.columns, *ERROR_COLUMNS])
        writer.writerows(
            [
                i,
                facts.spreadsheet_row(i),
                *[neutralise(v) for v in cells],
                *[neutralise(v) for v in rows.error_cells(i)],
            ]
            for i, cells in rows.cells.items()
        )
        return out.getvalue().encode("utf-8-sig")
    from imports_pipeline.engine.report_workbook import workbook_report  # openpyxl: 0.2 s

    return workbook_report(rows, mapping, facts, typed)
