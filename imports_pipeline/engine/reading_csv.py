"""CSV/TXT/TSV bytes -> a grid of raw string columns, with its header cells.

The layout (encoding, delimiter, header row) is sniffed on the first ~64 KB, then
``pyarrow.csv`` reads the whole file multithreaded. Ragged files (rows wider or
narrower than the header) are read a second time, serially, keeping every cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from imports_pipeline.engine.sniffing import (
    SAMPLE_BYTES,
    check_width,
    decode_sample,
    detect_encoding,
    detect_header_row,
    is_blank,
    parse_rows_with_lines,
    sniff_delimiter,
)
from imports_pipeline.errors import EmptyFileError, InvalidHeaderRowError, UnreadableFileError


@dataclass(frozen=True)
class CsvLayout:
    encoding: str
    delimiter: str
    header_row: int  # physical line where the header starts
    lines_through_header: int  # physical lines up to the end of the header (it may span lines)
    header: list[str]
    quoted: bool  # the sample contains quotes, so values may hold newlines


@dataclass(frozen=True)
class CsvGrid:
    layout: CsvLayout
    body: pa.Table  # positional, untrimmed string columns; at least as wide as the header


class _RaggedRows(Exception):
    """Some row has a different number of fields than the header."""


class _InvalidUtf8(Exception):
    """Bytes past the sample are not UTF-8 although the sample was."""


def read_csv_grid(path: Path, header_row: int | None = None) -> CsvGrid:
    layout = sniff_layout(path, header_row)
    body, layout = _read_body(path, layout)
    return CsvGrid(layout=layout, body=body)


def sniff_layout(path: Path, header_row: int | None = None) -> CsvLayout:
    """Encoding, delimiter and header of the file; the header is found, or is the row that
    starts at physical line ``header_row`` (0-based, as ``detected_header_row`` counts)."""
    with path.open("rb") as stream:
        sample = stream.read(SAMPLE_BYTES)
    complete = len(sample) == path.stat().st_size
    encoding = detect_encoding(sample, complete)
    text = decode_sample(sample, encoding, complete)
    delimiter = sniff_delimiter(text)
    rows, line_ends = parse_rows_with_lines(text, delimiter)
    if all(is_blank(cell) for row in rows for cell in row):
        raise EmptyFileError("The file only contains blank rows.")
    header = (
        detect_header_row(rows) if header_row is None else chosen_row(rows, line_ends, header_row)
    )
    check_width(_used_width(rows[header]), at_least=not complete)
    return CsvLayout(
        encoding=encoding,
        delimiter=delimiter,
        header_row=line_ends[header - 1] if header else 0,
        lines_through_header=line_ends[header],
        header=rows[header],
        quoted='"' in text,
    )


def _used_width(cells: list[str]) -> int:
    """Cells up to the last non-blank one: trailing delimiters
    (Excel exports add thousands) are no columns."""
    width = len(cells)
    while width and is_blank(cells[width - 1]):
        width -= 1
    return width


def _read_body(path: Path, layout: CsvLayout) -> tuple[pa.Table, CsvLayout]:
    """Fast path first; a UTF-8 sample followed by Windows-1252 bytes is re-read as cp1252."""
    try:
        try:
            return _read_regular(path, layout), layout
        except _RaggedRows:
            return _read_ragged(path, layout), layout
    except _InvalidUtf8:
        if layout.encoding != "utf-8":
            raise UnreadableFileError(
                "The file mixes text encodings and cannot be decoded."
            ) from None
        return _read_body(path, replace(layout, encoding="cp1252"))
    except (pa.ArrowException, UnicodeError) as error:
        raise UnreadableFileError(
            "The file could not be read as CSV text.", detail=str(error)
        ) from error


def _read_regular(path: Path, layout: CsvLayout) -> pa.Table:
    """Multithreaded read of a file whose rows all match the header;
    whitespace-only lines are skipped."""
    ragged: list[str] = []

    def abort_on_ragged(row: pa_csv.InvalidRow) -> str:
        if not row.text.strip():
            return "skip"
        ragged.append(row.text)
        return "error"

    try:
        return _arrow_read(path, layout, abort_on_ragged, use_threads=True)
    except pa.ArrowInvalid as error:
        if ragged:
            raise _RaggedRows from error
        raise


def _read_ragged(path: Path, layout: CsvLayout) -> pa.Table:
    """Lossless read of rows wider or narrower than the header, still at Arrow speed.

    Arrow sets the ragged rows aside; they are parsed here, null-padded (extra cells
    get columns of their own) and put back in place. Only a serial read numbers the
    rows: ``number`` counts the skipped lines plus the non-blank rows, 1-based.
    """
    set_aside: list[tuple[int, str]] = []

    def keep_aside(row: pa_csv.InvalidRow) -> str:
        set_aside.append((row.number, row.text))
        return "skip"

    regular = _arrow_read(path, layout, keep_aside, use_threads=False)
    rows = [
        next(csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter), [])
        for _, text in set_aside
    ]
    width = max(len(row) for row in [layout.header, *rows])
    check_width(max(_used_width(row) for row in [layout.header, *rows]))
    for index in range(regular.num_columns, width):
        regular = regular.append_column(f"f{index}", pa.nulls(regular.num_rows, pa.string()))
    padded = [row + [None] * (width - len(row)) for row in rows]
    ragged = pa.table(
        [pa.array(column, pa.string()) for column in zip(*padded, strict=True)],
        names=regular.column_names,
    )
    is_ragged = np.zeros(regular.num_rows + len(rows), dtype=bool)
    is_ragged[[number - layout.lines_through_header - 1 for number, _ in set_aside]] = True
    order = np.empty(len(is_ragged), dtype=np.int64)
    order[~is_ragged] = np.arange(regular.num_rows)
    order[is_ragged] = regular.num_rows + np.arange(len(rows))
    return pa.concat_tables([regular, ragged]).take(order)


LARGE_BLOCK_BYTES = 64 << 20
"""Arrow parses in 1 MB blocks by default; a row
(or a header) longer than a block needs a bigger one."""
_BLOCK_TOO_SMALL = ("straddling", "larger than block size")


def _arrow_read(
    path: Path,
    layout: CsvLayout,
    on_invalid_row: Callable[[pa_csv.InvalidRow], str],
    use_threads: bool,
) -> pa.Table:
    """Every column as a nullable string, named by position.

    Retried once with large blocks when a row does not fit Arrow's default block;
    if the header is then still all there is, the body is empty (not an error here:
    the caller reports "header but no data rows").
    """
    try:
        return _arrow_read_blocks(path, layout, on_invalid_row, use_threads, block_size=None)
    except pa.ArrowInvalid as error:
        if not any(marker in str(error) for marker in _BLOCK_TOO_SMALL):
            raise
    try:
        return _arrow_read_blocks(
            path, layout, on_invalid_row, use_threads, block_size=LARGE_BLOCK_BYTES
        )
    except pa.ArrowInvalid as error:
        if "Could not skip initial" in str(error):
            return pa.table(
                {f"f{index}": pa.array([], pa.string()) for index in range(len(layout.header))}
            )
        raise


def _arrow_read_blocks(
    path: Path,
    layout: CsvLayout,
    on_invalid_row: Callable[[pa_csv.InvalidRow], str],
    use_threads: bool,
    block_size: int | None,
) -> pa.Table:
    """``newlines_in_values`` slows the multithreaded parser,
    so it is only enabled when the sample has quotes."""
    names = [f"f{index}" for index in range(len(layout.header))]
    read_options = pa_csv.ReadOptions(
        use_threads=use_threads,
        # Arrow skips a UTF-8 BOM itself; naming "utf-8-sig" would force slow transcoding.
        encoding="utf-8" if layout.encoding == "utf-8-sig" else layout.encoding,
        skip_rows=layout.lines_through_header,
        column_names=names,
    )
    if block_size:
        read_options.block_size = block_size
    try:
        return pa_csv.read_csv(
            path,
            read_options=read_options,
            parse_options=pa_csv.ParseOptions(
                delimiter=layout.delimiter,
                newlines_in_values=layout.quoted,
                invalid_row_handler=on_invalid_row,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as error:
        if "UTF8" in str(error):
            raise _InvalidUtf8 from error
        raise


def chosen_row(rows: list[list[str]], line_ends: list[int], header_row: int) -> int:
    """The index of the row that starts at physical line ``header_row``, among the rows read to
    find the layout; a line inside a quoted cell, a blank row or one past them is refused."""
    starts = [0, *line_ends[:-1]]
    if header_row in starts and not all(is_blank(cell) for cell in rows[starts.index(header_row)]):
        return starts.index(header_row)
    raise InvalidHeaderRowError(
        f"header_row {header_row} is not a row with cells that starts a line among the first"
        f" {len(rows):,} rows of the file",
        field="header_row",
    )
