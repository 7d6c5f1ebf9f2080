"""How far each worksheet of an .xlsx/.xlsm reaches,
read from its XML before python-calamine loads it.

python-calamine turns a sheet into one dense grid spanning A1 to its last used
cell, and aborts the whole process (not an exception) when that grid cannot be
allocated: a 5 KB file with one value in XFD1048576 asked for 512 GiB. So the
extent is read first: the ``<dimension ref="A1:XFD1048576"/>`` that Excel,
LibreOffice, openpyxl and XlsxWriter write at the top of each sheet, or, when a
writer left it out, the last row element and the widest cell reference. A sheet
whose grid would exceed ``MAX_SHEET_CELLS`` is refused with its range named.
A crafted file whose dimension understates its cells is not caught.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from imports_pipeline.errors import SheetTooLargeError

MAX_SHEET_CELLS = 50_000_000
"""A 1,048,576-row sheet of 47 columns; about 1.6 GB of grid in python-calamine."""
HEAD_BYTES = 64 * 1024
"""The dimension element comes before the sheet data;
it is looked for in this much of the sheet's XML."""

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3}\d+)(?::([A-Z]{1,3}\d+))?"')
_MULTI_LETTER_REF = re.compile(rb' r="([A-Z]{2,3})\d')  # a literal prefix: 8x faster than \br=
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def column_number(letters: str) -> int:
    """'A' → 1, 'XFD' → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    """1 → 'A', 16384 → 'XFD'."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def check_sheet_extent(path: Path, sheet_name: str) -> None:
    """Refuse ``sheet_name`` if the grid python-calamine would build for it is too large;
    silent when unsure.

    Files that are not a readable .xlsx package are left to python-calamine, which
    reports them as corrupt.
    """
    try:
        with zipfile.ZipFile(path) as package:
            part = _sheet_part(package, sheet_name)
            if part is None:
                return
            rows, columns, last = _extent(package, part)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return
    if rows * columns > MAX_SHEET_CELLS:
        raise SheetTooLargeError(
            f"Sheet {sheet_name!r} reaches cell {last}: "
            f"read as a grid that is {rows:,} rows by {columns:,} columns "
            f"({rows * columns:,} cells, at most {MAX_SHEET_CELLS:,}). "
            "Delete the cells far outside the data, or save the sheet as CSV.",
            sheet=sheet_name,
            last_cell=last,
        )


def _sheet_part(package: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding ``sheet_name``'s XML,
    through xl/workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    relationship = next(
        (
            sheet.get(_RELATIONSHIP_ID)
            for sheet in workbook.iter()
            if sheet.tag.endswith("}sheet") and sheet.get("name") == sheet_name
        ),
        None,
    )
    if relationship is None:
        return None
    relationships = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in relationships if r.get("Id") == relationship), None)
    if not target:
        return None
    return (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.normpath(posixpath.join("xl", target))
    )


def _extent(package: zipfile.ZipFile, part: str) -> tuple[int, int, str]:
    """(last row, last column, last cell) of the sheet:
    its dimension element, else a scan of its cells."""
    with package.open(part) as stream:
        head = stream.read(HEAD_BYTES)
        dimension = _DIMENSION.search(head)
        if dimension is None:
            return _extent_of_cells(head + stream.read())
    last = (dimension.group(2) or dimension.group(1)).decode()
    letters, row = _REF.match(last).groups()  # type: ignore[union-attr]
    return int(row), column_number(letters), last


def _extent_of_cells(xml: bytes) -> tuple[int, int, str]:
    """For writers that leave the dimension out (openpyxl's write-only mode): the
    sheet's last row element, and its widest cell reference. Single-letter columns
    (A–Z) are not even looked at: at most 26 columns are always within the limit.
    0.2 s on a 100,000-row sheet, where matching every cell took 1.4 s."""
    letters = set(_MULTI_LETTER_REF.findall(xml))
    columns = max((column_number(text.decode()) for text in letters), default=26)
    rows = _last_row(xml)
    return rows, columns, f"{column_letters(columns)}{rows}"


def _last_row(xml: bytes) -> int:
    """Rows come in order inside ``<sheetData>``:
    the last row element's ``r``, or the number of rows without one."""
    end = xml.rfind(b"sheetData>")
    start = max(xml.rfind(b"<row ", 0, end), xml.rfind(b":row ", 0, end))
    if start < 0:
        return xml.count(b"<row>") + xml.count(b":row>")
    number = _ROW_NUMBER.search(xml, start, xml.find(b">", start))
    return int(number.group(1)) if number else xml.count(b"<row ") + xml.count(b":row ")
