"""The error report's files as a person opens them: typed cells, row numbers they can find, safe
text, readable widths, a frozen header and a summary."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from imports_pipeline.engine.report_rows import ReportFacts, neutralise
from imports_pipeline.engine.report_workbook import MAX_WIDTH
from imports_pipeline.engine.reports import error_report

MAPPING = {"trip_date": "Fecha", "distance_km": "Km", "paid": "Pagado", "client": "Cliente"}
FACTS = ReportFacts(
    import_id="11111111-1111-1111-1111-111111111111",
    file_name="trips.xlsx",
    template_id="logistics_requests",
    total_rows=40,
    detected_header_row=2,  # the header is on the sheet's row 3
    made_at=datetime(2026, 4, 8, 14, 0, 0),
)
LONG_NOTE = "x" * 300


def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows 0 and 5 of a file: row 0's Km did not coerce, row 5's date did not."""
    source = pd.DataFrame(
        {
            "Fecha": ["2026-03-01", "31/02/2026"],
            "Km": ["12 km", "-12,5"],
            "Pagado": ["sí", "no"],
            "Cliente": ['=HYPERLINK("x")', "-ACME"],
            "Nota": [LONG_NOTE, "-7"],
        },
        index=pd.Index([0, 5]),
    )
    errors = pd.DataFrame(
        {
            "row_index": [0, 5],
            "column": ["distance_km", "trip_date"],
            "code": ["invalid_type", "invalid_date"],
            "message": ["'12 km' is not a number", "'31/02/2026' is not a date"],
            "value": ["12 km", "31/02/2026"],
        }
    )
    typed = pd.DataFrame(
        {
            "trip_date": pd.to_datetime(["2026-03-01", None]).astype("datetime64[ms]"),
            "distance_km": pd.array([None, -12.5], dtype="Float64"),
            "paid": pd.array([True, False], dtype="boolean"),
            "client": ['=HYPERLINK("x")', "-ACME"],
        },
        index=pd.Index([0, 5]),
    )
    return source, errors, typed


def workbook():
    source, errors, typed = frames()
    return load_workbook(io.BytesIO(error_report(source, errors, MAPPING, "xlsx", FACTS, typed)))


def test_xlsx_cells_are_typed_where_they_coerced_and_the_persons_text_where_they_failed():
    sheet = workbook()["errors"]
    assert [c.value for c in sheet[1]] == [
        "row_index",
        "spreadsheet_row",
        "Fecha",
        "Km",
        "Pagado",
        "Cliente",
        "Nota",
        "error_columns",
        "error_codes",
        "errors",
    ]
    first = sheet[2]
    assert first[2].value == datetime(2026, 3, 1) and first[2].is_date
    assert first[2].number_format == "yyyy-mm-dd"
    assert first[3].value == "12 km" and first[3].data_type == "s"  # failed: as written
    assert first[4].value is True and first[4].data_type == "b"
    second = sheet[3]
    assert second[2].value == "31/02/2026" and second[2].data_type == "s"  # failed: as written
    assert second[3].value == -12.5 and second[3].data_type == "n"  # no apostrophe
    assert second[4].value is False


def test_row_numbers_are_the_ones_the_spreadsheet_shows_beside_the_row_index():
    sheet = workbook()["errors"]
    # the header on row 3: data row 0 is on row 4, data row 5 on row 9
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)] == [(0, 4), (5, 9)]
    source, errors, _ = frames()
    rows = list(
        csv.DictReader(
            io.StringIO(error_report(source, errors, MAPPING, "csv", FACTS).decode("utf-8-sig"))
        )
    )
    assert [(r["row_index"], r["spreadsheet_row"]) for r in rows] == [("0", "4"), ("5", "9")]
    as_json = json.loads(error_report(source, errors, MAPPING, "json", FACTS))
    assert [(r["row_index"], r["spreadsheet_row"]) for r in as_json] == [(0, 4), (5, 9)]


def test_only_text_a_spreadsheet_would_run_is_neutralised():
    sheet = workbook()["errors"]
    assert sheet["F2"].value == '\'=HYPERLINK("x")' and sheet["F2"].data_type == "s"
    assert sheet["F3"].value == "'-ACME"
    assert sheet["G3"].value == "-7"  # an unmapped column's plain number: left alone
    source, errors, _ = frames()
    text = error_report(source, errors, MAPPING, "csv", FACTS).decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(text)))[1]
    assert row["Km"] == "-12,5" and row["Nota"] == "-7" and row["Cliente"] == "'-ACME"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("-12.5", "-12.5"),
        ("+1.234,5", "+1.234,5"),
        ("-3e2", "-3e2"),
        ("-5%", "-5%"),
        ("-.5", "-.5"),
        ("-2+3", "'-2+3"),
        ("=1+2", "'=1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t12", "'\t12"),
        ("\r=1", "'\r=1"),
        ("+", "'+"),
        ("ACME", "ACME"),
        (None, None),
    ],
)
def test_neutralise_leaves_plain_numbers_and_guards_formulas(text, shown):
    assert neutralise(text) == shown


def test_failing_cells_are_highlighted_with_their_message_as_a_comment():
    sheet = workbook()["errors"]
    assert sheet["D2"].fill.start_color.rgb == "FFF4CCCC"
    assert sheet["D2"].comment.text == "'12 km' is not a number"
    assert sheet["C3"].comment.text == "'31/02/2026' is not a date"
    assert sheet["C2"].comment is None and sheet["E2"].comment is None


def test_columns_are_as_wide_as_their_content_capped_and_the_header_row_is_frozen():
    sheet = workbook()["errors"]
    assert sheet.freeze_panes == "A2"
    width = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert width["B"] == len("spreadsheet_row") + 2
    assert width["C"] == len("yyyy-mm-dd") + 2  # a date's shown width, not its header's
    assert width["G"] == MAX_WIDTH  # the 300-character note
    assert width["J"] == len("'31/02/2026' is not a date") + 2
    assert sheet[1][0].font.bold


def test_the_summary_sheet_says_which_file_how_many_rows_and_where_the_errors_are():
    book = workbook()
    assert book.sheetnames == ["errors", "summary"]  # a re-upload reads the first
    summary = [[c.value for c in row] for row in book["summary"].iter_rows()]
    assert summary[:8] == [
        ["Error report", None],
        ["File", "trips.xlsx"],
        ["Template", "logistics_requests"],
        ["Import", FACTS.import_id],
        ["Made at (UTC)", datetime(2026, 4, 8, 14, 0, 0)],
        ["Rows in the file", 40],
        ["Rows with errors", 2],
        ["Errors", 2],
    ]
    assert book["summary"]["B5"].number_format == "yyyy-mm-dd hh:mm:ss"
    by_column = summary[summary.index(["Errors by column", "errors"]) + 1 :][:2]
    assert sorted(map(tuple, by_column)) == [("distance_km", 1), ("trip_date", 1)]
    by_code = summary[summary.index(["Errors by error code", "errors"]) + 1 :]
    assert sorted(map(tuple, by_code)) == [("invalid_date", 1), ("invalid_type", 1)]


def test_a_date_only_value_is_a_date_and_a_moment_keeps_its_time():
    from imports_pipeline.engine.report_workbook import typed_cell

    assert typed_cell(pd.Timestamp("2026-03-01")) == date(2026, 3, 1)
    assert typed_cell(pd.Timestamp("2026-03-01 08:30")) == datetime(2026, 3, 1, 8, 30)
    assert typed_cell(pd.NA) is None and typed_cell(float("nan")) is None
    assert typed_cell("text") is None  # text shows as the person wrote it
