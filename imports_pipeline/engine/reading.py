"""The parse phase: bytes of an uploaded file -> a table of strings with unique,
visible column names.

Format-specific readers (``reading_csv``, ``reading_excel``) only produce a header and
positional raw string columns; the clean-up every format shares (trimming, empty ->
null, dropping blank rows and blank trailing columns, naming) is done once here.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from imports_pipeline.engine.reading_csv import read_csv_grid
from imports_pipeline.engine.reading_excel import read_sheet_grid
from imports_pipeline.engine.reading_rows import RowOffsets, csv_row_offsets, offsets_of
from imports_pipeline.engine.sniffing import check_width, unique_column_names
from imports_pipeline.engine.workbook_parts import DEFAULT_PART_LIMITS, PartLimits
from imports_pipeline.errors import (
    CellTooLongError,
    EmptyFileError,
    TooManyRowsError,
    UnsupportedFileTypeError,
)

_FILE_TYPES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_FILE_TYPES)


def _in_any_case(word: str) -> str:
    return "".join(f"[{ch.lower()}{ch.upper()}]" if ch.isalpha() else re.escape(ch) for ch in word)


SUPPORTED_FILE_NAME = (
    r"^(?:[^/\\\x00]*[/\\])*(?:[^/\\.\x00]*|[^/\\\x00]*\.(?:"
    + "|".join(_in_any_case(extension[1:]) for extension in sorted(_FILE_TYPES))
    + "))$"
)
"""A file name we read, as a pattern both JSON Schema (ECMA-262) and Python take: its last path
part has no dot (the bytes say the format) or ends in a supported extension, in any case; no NUL."""


def names_supported_file(file_name: str) -> bool:
    return re.fullmatch(SUPPORTED_FILE_NAME, file_name) is not None


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of a compound document: an .xls workbook."""
ZIP_SIGNATURE = b"PK\x03\x04"
ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
"""An .ods zip starts with an uncompressed ``mimetype`` member naming its kind."""


@dataclass(frozen=True)
class TableLimits:
    """What one file may hold once read; the defaults are the settings' (``max_rows``,
    ``max_cell_chars``, ``max_workbook_part_bytes`` and ``_ratio``)."""

    max_rows: int = 5_000_000
    max_cell_chars: int = 32_767
    """Excel's own limit for a cell: longer text is not a spreadsheet's, and one 200 MB "cell"
    would be copied by every step after the parse."""
    workbook_parts: PartLimits = DEFAULT_PART_LIMITS


@dataclass(frozen=True)
class ParsedFile:
    table: (
        pa.Table
    )  # every column pa.string(); empty cells are null; column names == source_columns
    source_columns: list[str]
    detected_header_row: int  # 0-based, among the file's physical rows
    file_type: str  # "csv" | "xlsx" | "xls" | "ods"
    sheets: list[str]  # all sheet names for workbooks, [] for CSV
    selected_sheet: str | None  # None for CSV
    encoding: str | None  # CSV only
    delimiter: str | None  # CSV only
    # Workbook columns of typed numbers/dates, already rendered canonically ("1234.5",
    # "2026-03-01"): a numeric locale must not be applied to them.
    native_columns: frozenset[str]
    row_offsets: RowOffsets | None = None
    """Each data row's spreadsheet row (``reading_rows``); None: counted from the header."""

    @property
    def total_rows(self) -> int:
        """Data rows, header excluded."""
        return cast("int", self.table.num_rows)

    def sample_rows(self, n: int = 5) -> list[list[str | None]]:
        """The first ``n`` data rows, cells in column order."""
        return [list(row.values()) for row in self.table.slice(0, n).to_pylist()]


def read_table(
    path: Path,
    file_name: str,
    selected_sheet: str | None = None,
    limits: TableLimits = TableLimits(),
    header_row: int | None = None,
) -> ParsedFile:
    """Read the stored bytes at ``path``; ``file_name`` (the client's name) decides the format,
    or the first bytes do when the name has no extension."""
    if path.stat().st_size == 0:
        raise EmptyFileError("The file is empty (0 bytes).")
    file_type = _file_type(file_name) if Path(file_name).suffix else sniffed_file_type(path)
    if file_type == "csv":
        grid = read_csv_grid(path, header_row)
        layout = grid.layout
        table = _within(limits, _tidy(layout.header, grid.body)[0])
        offsets = csv_row_offsets(
            path, layout.encoding, layout.delimiter, layout.header_row, table.num_rows
        )
        return ParsedFile(
            table=table,
            source_columns=table.column_names,
            detected_header_row=layout.header_row,
            file_type=file_type,
            sheets=[],
            selected_sheet=None,
            encoding=layout.encoding,
            delimiter=layout.delimiter,
            native_columns=frozenset(),
            row_offsets=offsets,
        )
    sheet = read_sheet_grid(path, selected_sheet, header_row, limits.workbook_parts)
    table, kept = _tidy(sheet.header, sheet.body)
    table = _within(limits, table)
    return ParsedFile(
        table=table,
        source_columns=table.column_names,
        detected_header_row=sheet.header_row,
        file_type=file_type,
        sheets=sheet.sheets,
        selected_sheet=sheet.selected_sheet,
        encoding=None,
        delimiter=None,
        native_columns=frozenset(table.column_names[index] for index in sheet.native_positions),
        # A sheet's rows below the header are all in its body, blank ones included.
        row_offsets=offsets_of(sheet.header_row + 2, kept),
    )


def _file_type(file_name: str) -> str:
    extension = Path(file_name).suffix.lower()
    if extension not in _FILE_TYPES:
        raise UnsupportedFileTypeError(
            f"{extension!r} files are not supported;"
            f" upload one of: {', '.join(sorted(SUPPORTED_EXTENSIONS))}.",
            extension=extension,
            supported=sorted(SUPPORTED_EXTENSIONS),
        )
    return _FILE_TYPES[extension]


def sniffed_file_type(path: Path) -> str:
    """A name without an extension (piped from another program, saved by a system that adds
    none) is read by what its bytes are: an OLE document is .xls, a zip .ods or .xlsx, and
    anything else is given to the CSV reader, which refuses what is not text."""
    with open(path, "rb") as stored:
        head = stored.read(30 + len(ODS_MIMETYPE))
    if head.startswith(OLE_SIGNATURE):
        return "xls"
    if head.startswith(ZIP_SIGNATURE):
        return "ods" if ODS_MIMETYPE in head else "xlsx"
    return "csv"


def _tidy(header: list[str], body: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """Trimmed values, empty -> null, no blank rows nor blank trailing columns, unique names;
    with the body positions of the rows kept."""
    # Arrow kernels release the GIL: cleaning columns in parallel uses every core.
    with ThreadPoolExecutor(max_workers=pa.cpu_count()) as pool:
        columns = list(pool.map(_clean_strings, body.columns))
    cells = [*header, *[None] * (len(columns) - len(header))]
    while (
        columns
        and not (cells[len(columns) - 1] or "").strip()
        and columns[-1].null_count == len(columns[-1])
    ):
        columns.pop()
    check_width(len(columns))
    table = pa.table(columns, names=unique_column_names(cells[: len(columns)]))
    table, kept = _drop_blank_rows(table)
    if table.num_rows == 0:
        raise EmptyFileError("The file has a header row but no data rows.")
    return table, kept


def _within(limits: TableLimits, table: pa.Table) -> pa.Table:
    """Refuse a table past the limits, naming the first cell that is too long."""
    if table.num_rows > limits.max_rows:
        raise TooManyRowsError(
            f"The file has {table.num_rows:,} data rows; at most {limits.max_rows:,} are read"
            " (setting IMPORTS_MAX_ROWS): split it",
            rows=table.num_rows,
            max_rows=limits.max_rows,
        )
    for name, column in zip(table.column_names, table.columns, strict=True):
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_cell_chars:
            row_index = pc.index(pc.greater(lengths, limits.max_cell_chars), True).as_py()
            raise CellTooLongError(
                f"Column '{name}', row_index {row_index}: a cell of {longest:,} characters; at"
                f" most {limits.max_cell_chars:,} are read (setting IMPORTS_MAX_CELL_CHARS)",
                column=name,
                row_index=row_index,
                max_cell_chars=limits.max_cell_chars,
            )
    return table


EDGE_WHITESPACE = r"^[\s\x{0B}\x{85}\pZ]|[\s\x{0B}\x{85}\pZ]$"
"""A cell that starts or ends with what ``utf8_trim_whitespace`` removes (Unicode White_Space)."""


def _clean_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    # Trimming copies the column; most columns need none, and a 2,000-column file held twice
    # doubled the parse's memory (issue 14). The test costs one bit per cell.
    needs_trim = pc.any(pc.match_substring_regex(column, EDGE_WHITESPACE)).as_py()
    trimmed = pc.utf8_trim_whitespace(column) if needs_trim else column
    emptied = pc.equal(trimmed, "")
    if not pc.any(emptied).as_py():
        return trimmed
    return pc.if_else(emptied, pa.scalar(None, pa.string()), trimmed)


def _drop_blank_rows(table: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """The rows with a cell, and their positions in ``table``."""
    blank = None
    for column in table.columns:
        nulls = pc.is_null(column)
        blank = nulls if blank is None else pc.and_(blank, nulls)
    if blank is None or not pc.any(blank).as_py():
        return table, np.arange(table.num_rows)
    kept = np.flatnonzero(~np.asarray(blank.to_numpy(), dtype=bool))
    return table.filter(pc.invert(blank)), kept
