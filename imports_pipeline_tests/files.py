"""Real customer-like upload files for tests: CSV with exact bytes, XLSX built with openpyxl."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

Row = Sequence[object]


def write_csv(
    path: Path, rows: Sequence[Row], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    """Rows as Excel writes them (CRLF, quotes only where needed); ``[]`` is a blank line.

    ``encoding`` is applied to the whole text, so "utf-8-sig" and "utf-16" write their BOM.
    """
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Row]]) -> Path:
    """One worksheet per entry, in order; cells keep their Python types (dates, numbers,
    "=formulas")."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def set_cached_values(path: Path, values: Mapping[str, object], sheet_number: int = 1) -> Path:
    """Give formula cells the cached results Excel would have saved (openpyxl saves none).

    ``values`` maps cell references ("C2") to a result; a string starting with "#"
    ("#N/A", "#DIV/0!") makes the cell an error cell, as Excel stores failed formulas.
    """
    member = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename == member:
                data = _with_cached_values(data.decode(), values).encode()
            target.writestr(info, data)
    return path


def _with_cached_values(xml: str, values: Mapping[str, object]) -> str:
    for reference, value in values.items():
        kind = (
            "e"
            if isinstance(value, str) and value.startswith("#")
            else "str"
            if isinstance(value, str)
            else "n"
        )
        pattern = re.compile(rf'<c r="{reference}"([^>]*?)(?: t="\w+")?><f>(.*?)</f><v\s*/>')
        xml, found = pattern.subn(rf'<c r="{reference}"\1 t="{kind}"><f>\2</f><v>{value}</v>', xml)
        if not found:
            raise ValueError(f"{reference} is not a formula cell without a cached value")
    return xml
