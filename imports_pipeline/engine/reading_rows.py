"""Which spreadsheet row each data row came from, so an error report names the row the person
sees when they open their file, also below blank rows and multi-line cells.

Blank rows are dropped when a file is read, so data row ``i`` is not always ``i`` rows below
the header. A spreadsheet shows a CSV record per row: a quoted cell with newlines is one row
however many lines it spans, and a blank line is a row. The numbers are kept compactly, as
*breakpoints*: ``[[row_index, offset], ...]`` sorted by ``row_index``; data row ``i`` is on
spreadsheet row ``i + offset`` of the last breakpoint at or before ``i``. A file with no blank
rows in its body has one breakpoint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RowOffsets = list[list[int]]
"""``[[row_index, offset], ...]``: see the module's docstring."""
MAX_BREAKPOINTS = 100_000
"""More blank runs than this are not kept (a session row holds them): the report then counts
rows from the header, as if there were none."""
SCAN_BYTES = 8 << 20
"""A CSV is scanned in blocks of this size: numpy needs a few bytes of temporaries per byte."""
ASCII_COMPATIBLE = ("utf-8", "utf-8-sig", "ascii", "cp1252", "latin-1", "iso-8859-1")
QUOTE, NEWLINE = ord('"'), ord("\n")
BLANK_BYTES = (ord(" "), ord("\t"), ord("\r"), NEWLINE, QUOTE)
"""Bytes that leave a record blank (with the delimiter): what the reader trims or empties."""


def offsets_of(first_row_number: int, kept_positions: np.ndarray) -> RowOffsets:
    """Breakpoints for data rows that were at ``kept_positions`` among the rows below the
    header, the first of which is spreadsheet row ``first_row_number``."""
    offsets = first_row_number + kept_positions.astype(np.int64) - np.arange(len(kept_positions))
    if len(offsets) == 0:
        return [[0, first_row_number]]
    starts = np.flatnonzero(np.diff(offsets, prepend=offsets[0] - 1))
    if len(starts) > MAX_BREAKPOINTS:
        return [[0, first_row_number]]
    return [[int(start), int(offsets[start])] for start in starts]


def spreadsheet_row_of(row_offsets: RowOffsets, row_index: int) -> int:
    """The spreadsheet row of data row ``row_index`` (1-based, as a spreadsheet numbers)."""
    starts = [start for start, _ in row_offsets]
    found = int(np.searchsorted(starts, row_index, side="right")) - 1
    return row_index + row_offsets[max(found, 0)][1]


def spreadsheet_rows_of(row_offsets: RowOffsets, row_indices: np.ndarray) -> np.ndarray:
    """``spreadsheet_row_of`` for many rows at once."""
    starts = np.array([start for start, _ in row_offsets], dtype=np.int64)
    shifts = np.array([offset for _, offset in row_offsets], dtype=np.int64)
    found = np.maximum(np.searchsorted(starts, row_indices, side="right") - 1, 0)
    return np.asarray(row_indices, dtype=np.int64) + shifts[found]


def csv_row_offsets(
    path: Path, encoding: str, delimiter: str, header_line: int, data_rows: int
) -> RowOffsets | None:
    """Breakpoints of a CSV whose header starts at physical line ``header_line``: its records
    (quote-aware: a newline inside quotes does not end one) counted as a spreadsheet shows
    them, blank ones skipped as the reader skips them. None when the scan cannot be trusted:
    an encoding whose bytes are not ASCII's, or a count of non-blank records below the header
    that differs from the ``data_rows`` the reader kept."""
    if encoding.lower() not in ASCII_COMPATIBLE or len(delimiter.encode(encoding)) != 1:
        return None
    records = _scan_records(path, delimiter.encode(encoding)[0])
    starts_line, filled = records
    header = np.flatnonzero(starts_line == header_line)
    if len(header) == 0:
        return None
    below = filled[header[0] + 1 :]
    kept = np.flatnonzero(below)
    if len(kept) != data_rows:
        return None
    return offsets_of(int(header[0]) + 2, kept)


def _scan_records(path: Path, delimiter: int) -> tuple[np.ndarray, np.ndarray]:
    """For each record: the physical line it starts on (0-based) and whether it has a cell
    that is not blank."""
    blank = np.zeros(256, dtype=bool)
    blank[[*BLANK_BYTES, delimiter]] = True
    in_quotes = False
    lines_before = 0  # newlines before this block
    record_start_line = 0
    record_filled = False
    starts: list[np.ndarray] = []
    filled: list[np.ndarray] = []
    any_bytes = False
    with path.open("rb") as stream:
        while block := stream.read(SCAN_BYTES):
            data = np.frombuffer(block, dtype=np.uint8)
            any_bytes = True
            quotes = np.cumsum(data == QUOTE, dtype=np.int32)
            inside = ((quotes & 1) == 1) ^ in_quotes
            newline = data == NEWLINE
            ends = np.flatnonzero(newline & ~inside)
            lines = np.cumsum(newline, dtype=np.int32)
            significant = np.cumsum(~blank[data], dtype=np.int32)
            if len(ends):
                counts = np.diff(significant[ends], prepend=0)
                block_filled = counts > 0
                block_filled[0] |= record_filled
                block_starts = np.empty(len(ends), dtype=np.int64)
                block_starts[0] = record_start_line
                block_starts[1:] = lines_before + lines[ends[:-1]]
                starts.append(block_starts)
                filled.append(block_filled)
                record_start_line = lines_before + int(lines[ends[-1]])
                record_filled = bool(significant[-1] > significant[ends[-1]])
            else:
                record_filled |= bool(significant[-1] > 0)
            lines_before += int(lines[-1])
            in_quotes ^= bool(quotes[-1] & 1)
    if any_bytes and (record_filled or not starts):
        starts.append(np.array([record_start_line], dtype=np.int64))
        filled.append(np.array([record_filled]))
    if not starts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return np.concatenate(starts), np.concatenate(filled)
