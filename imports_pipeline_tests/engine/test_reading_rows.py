"""The spreadsheet row of each data row, as a person sees it when they open their file: blank
rows and multi-line (quoted newline) cells above a row must not shift the number an error
report gives them."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from openpyxl import Workbook

from imports_pipeline.engine import reading_rows
from imports_pipeline.engine.reading import read_table
from imports_pipeline.engine.reading_rows import spreadsheet_rows_of
from imports_pipeline.engine.report_rows import spreadsheet_row

# Spreadsheet rows, as LibreOffice and Excel open this file: 1 header, 2 data, 3 an empty
# line, 4 only delimiters, 5 a record whose quoted cell spans two lines (one row), 6 data,
# 7 spaces only, 8 data.
AWKWARD_CSV = (
    "Fecha;Cliente;Km;Origen;Destino\n"
    "2026-03-01;ACME;12,5;ES;FR\n"
    "\n"
    ";;;;\n"
    '2026-03-02;"two\nlines";abc;ES;FR\n'
    "2026-03-03;X;-4;ES;FR\n"
    "   \n"
    "2026-03-04;Y;zz;ES;FR\n"
)


def csv_rows(tmp_path, text: str, newline: str = "\n") -> list[int]:
    path = tmp_path / "trips.csv"
    path.write_bytes(text.replace("\n", newline).encode())
    parsed = read_table(path, "trips.csv")
    return [
        spreadsheet_row(parsed.detected_header_row, i, parsed.row_offsets)
        for i in range(parsed.total_rows)
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_rows_below_blank_rows_and_multi_line_cells(tmp_path, newline):
    assert csv_rows(tmp_path, AWKWARD_CSV, newline) == [2, 5, 6, 8]


def test_csv_rows_below_blank_lines_above_the_header(tmp_path):
    assert csv_rows(tmp_path, "\n\n" + AWKWARD_CSV) == [4, 7, 8, 10]


def test_a_plain_csv_has_one_breakpoint(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("a;b\n" + "".join(f"{n};x\n" for n in range(1000)))
    parsed = read_table(path, "plain.csv")
    assert parsed.row_offsets == [[0, 2]]


def test_csv_scanned_in_many_blocks_counts_across_their_edges(tmp_path, monkeypatch):
    """Quotes and records that straddle a block edge: scanned 7 bytes at a time."""
    monkeypatch.setattr(reading_rows, "SCAN_BYTES", 7)
    assert csv_rows(tmp_path, AWKWARD_CSV) == [2, 5, 6, 8]


def test_the_numbers_match_a_spreadsheet_reading_of_a_generated_file(tmp_path):
    """Random blank lines and multi-line cells; Python's csv module (as a spreadsheet, one
    record per row, a blank line a row) is the reference."""
    generator = np.random.default_rng(12)
    lines = ["key;note"]
    for n in range(3000):
        kind = generator.integers(0, 6)
        if kind == 0:
            lines.append("")
        elif kind == 1:
            lines.append(";")
        else:
            lines.append(f'K{n};"a\nb"' if kind == 2 else f"K{n};plain")
    text = "\n".join(lines) + "\n"
    expected = [
        number
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1)
        if number > 1 and any(cell.strip() for cell in record)
    ]
    assert csv_rows(tmp_path, text) == expected


def test_workbook_rows_below_blank_rows(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Report of March"])
    sheet.append([])
    sheet.append(["Fecha", "Cliente", "Km"])  # row 3
    sheet.append(["2026-03-01", "ACME", 12.5])  # row 4
    sheet.append([])
    sheet.append([])
    sheet.append(["2026-03-02", "Rhein", 3])  # row 7
    sheet.append([None, None, None])
    sheet.append(["2026-03-03", "Nord", 4])  # row 9
    path = tmp_path / "trips.xlsx"
    book.save(path)
    parsed = read_table(path, "trips.xlsx")
    assert parsed.detected_header_row == 2
    rows = spreadsheet_rows_of(parsed.row_offsets or [], np.arange(parsed.total_rows))
    assert rows.tolist() == [4, 7, 9]


def test_an_encoding_whose_bytes_are_not_ascii_falls_back_to_counting_from_the_header(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes("a;b\n1;x\n\n2;y\n".encode("utf-16"))
    parsed = read_table(path, "wide.csv")
    assert parsed.row_offsets is None
    assert [spreadsheet_row(parsed.detected_header_row, i) for i in range(2)] == [2, 3]
