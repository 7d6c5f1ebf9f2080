"""Guessing the layout of a customer's file: text encoding, delimiter, header row, column names.

Everything here looks at a small sample only (the first ~64 KB, the first rows),
so the full read of a big file stays a single vectorised pass.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections import Counter
from collections.abc import Sequence

import charset_normalizer

from imports_pipeline.errors import TooManyColumnsError, UnreadableFileError

SAMPLE_BYTES = 64 * 1024
MAX_COLUMNS = 2_000
"""Wider files are refused: no template maps more than a few dozen columns, and the per-column work
(cleaning, locale inference, profiles) took 40 s on a 20,000-column CSV of 20 rows."""
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 20
WIDTH_SAMPLE_ROWS = 200

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters never found in a real text table (tab, newlines and form feed are fine).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_MAX_CONTROL_RATIO = 0.01
# Numbers, dates, times, amounts: "125,4", "2026-03-01", "10:30", "-3%", "€ 12".
_NUMERIC_LOOKING = re.compile(r"^[\s\d.,:/+\-%€$()]*\d[\s\d.,:/+\-%€$()]*$")


def detect_encoding(sample: bytes, complete: bool) -> str:
    """BOM first, then strict UTF-8, then Windows-1252, and only then charset-normalizer.

    charset-normalizer alone misreads short Spanish/French samples (cp775, big5, …),
    while Windows-1252 is what Excel writes for our customers when it is not UTF-8.
    ``complete`` says whether the sample is the whole file (a cut multi-byte
    character at the end of a partial sample is not an error).
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    for encoding in ("utf-8", "cp1252"):
        if _decodes(sample, encoding, complete):
            return encoding
    guess = charset_normalizer.from_bytes(sample).best()
    if guess is None:
        raise UnreadableFileError(
            "The file is not text in any supported encoding; is it really a CSV?"
        )
    return guess.encoding


def decode_sample(sample: bytes, encoding: str, complete: bool) -> str:
    """Decode the sample, cut at its last full line, and reject binary content renamed to .csv."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"The file starts like {encoding} text but is not valid {encoding} "
            f"(byte {error.start}); is it complete?"
        ) from error
    if not complete:
        text = text[: text.rfind("\n") + 1] or text
    if "\x00" in text or len(_CONTROL_CHARS.findall(text)) > len(text) * _MAX_CONTROL_RATIO:
        raise UnreadableFileError("The file contains binary data, not text; is it really a CSV?")
    return text


def _decodes(sample: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def parse_rows(text: str, delimiter: str) -> list[list[str]]:
    """Rows as the CSV parser sees them; a blank line is an empty row."""
    return parse_rows_with_lines(text, delimiter)[0]


def parse_rows_with_lines(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Rows, and for each row the number of physical lines read up to its end.

    A quoted value can span lines, so row indexes and line numbers differ; Arrow's
    ``skip_rows`` counts lines.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line_ends = [], []
    for row in reader:
        rows.append(row)
        line_ends.append(reader.line_num)
    return rows, line_ends


def sniff_delimiter(text: str) -> str:
    """The delimiter giving the most rows with the same (>1) number of fields, quotes respected.

    A Spanish ``;`` file with decimal commas also splits consistently on ``,`` in its
    data rows, but not in its header nor in rows with an empty or integer amount; on a
    tie the delimiter giving more columns wins.
    """

    def score(delimiter: str) -> tuple[int, int]:
        widths = Counter(len(row) for row in parse_rows(text, delimiter)[:WIDTH_SAMPLE_ROWS] if row)
        width, rows = max(widths.items(), key=lambda item: (item[1], item[0]), default=(1, 0))
        return (rows, width) if width > 1 else (0, 0)

    return max(DELIMITERS, key=score)


def is_blank(cell: str | None) -> bool:
    return cell is None or not cell.strip()


def detect_header_row(rows: Sequence[Sequence[str | None]]) -> int:
    """Index of the first row that looks like a header, skipping title rows above it.

    A header has about as many filled cells as a typical data row (title rows have one
    or two), looks like labels (mostly non-numeric, mostly unique) and has data below it.
    Without such a row, the first non-blank row is the header.
    """
    filled = [sum(not is_blank(cell) for cell in row) for row in rows]
    nonblank = [index for index, count in enumerate(filled) if count]
    if not nonblank:
        return 0
    typical = _percentile([filled[index] for index in nonblank[:WIDTH_SAMPLE_ROWS]], 0.9)
    needed = max(1, math.ceil(0.6 * typical))
    for position, index in enumerate(nonblank[:HEADER_SEARCH_ROWS]):
        has_data_below = position + 1 < len(nonblank)
        if filled[index] >= needed and has_data_below and _looks_like_labels(rows[index]):
            return index
    return nonblank[0]


def _percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[int(fraction * (len(ordered) - 1))]


def _looks_like_labels(row: Sequence[str | None]) -> bool:
    cells = [cell.strip() for cell in row if cell is not None and not is_blank(cell)]
    numeric = sum(bool(_NUMERIC_LOOKING.match(cell)) for cell in cells)
    return numeric <= 0.2 * len(cells) and len(set(cells)) >= 0.5 * len(cells)


def unique_column_names(header: Sequence[str | None]) -> list[str]:
    """Visible, unique names: blank -> "Column 3" (1-based position), repeats -> "Amount (2)".

    Inner whitespace (Excel headers often wrap onto two lines) collapses to one space.
    """
    names: list[str] = []
    taken: set[str] = set()
    for position, cell in enumerate(header, start=1):
        base = " ".join((cell or "").split()) or f"Column {position}"
        name, repeat = base, 2
        while name in taken:
            name, repeat = f"{base} ({repeat})", repeat + 1
        taken.add(name)
        names.append(name)
    return names


def check_width(columns: int, at_least: bool = False) -> None:
    """Refuse a table wider than ``MAX_COLUMNS`` before any per-column work
    (``at_least``: counted in a sample)."""
    if columns > MAX_COLUMNS:
        raise TooManyColumnsError(
            f"The file has {'at least ' if at_least else ''}{columns:,} columns; "
            f"at most {MAX_COLUMNS:,} are supported "
            "(if it should have fewer, check the delimiter or the sheet)",
            columns=columns,
            max_columns=MAX_COLUMNS,
        )
