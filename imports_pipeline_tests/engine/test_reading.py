"""The parse phase on real files: every case writes the exact bytes a customer would upload."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

import pytest

from imports_pipeline.engine.reading import SUPPORTED_EXTENSIONS, TableLimits, read_table
from imports_pipeline.errors import (
    CellTooLongError,
    EmptyFileError,
    SheetTooLargeError,
    TooManyColumnsError,
    TooManyRowsError,
    UnknownSheetError,
    UnreadableFileError,
    UnsupportedFileTypeError,
)
from imports_pipeline_tests.files import set_cached_values, write_csv, write_xlsx

TRIPS = [
    ["Trip Date", "Client", "Distance"],
    ["2026-03-01", "Peña Logística", "125,4"],
    ["2026-03-02", "Café Olé", "12"],
]


def read_csv_rows(
    tmp_path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ","
):
    return read_table(write_csv(tmp_path / "upload", rows, encoding, delimiter), "trips.csv")


# --- CSV: encodings ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_reads_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    parsed = read_csv_rows(tmp_path, TRIPS, encoding)
    assert parsed.encoding == encoding
    assert parsed.source_columns == [
        "Trip Date",
        "Client",
        "Distance",
    ]  # no BOM glued to the first name
    assert parsed.sample_rows() == [
        ["2026-03-01", "Peña Logística", "125,4"],
        ["2026-03-02", "Café Olé", "12"],
    ]
    assert parsed.detected_header_row == 0
    assert (parsed.file_type, parsed.sheets, parsed.selected_sheet, parsed.native_columns) == (
        "csv",
        [],
        None,
        frozenset(),
    )


def test_reads_big_endian_utf16(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(codecs.BOM_UTF16_BE + "Client,Total\r\nPeña,1\r\n".encode("utf-16-be"))
    parsed = read_table(path, "x.csv")
    assert (parsed.encoding, parsed.source_columns) == ("utf-16", ["Client", "Total"])
    assert parsed.sample_rows() == [["Peña", "1"]]


def test_reads_windows_1252(tmp_path: Path) -> None:
    parsed = read_csv_rows(
        tmp_path, [["Nombre", "Año", "Importe"], ["José Muñoz", "2026", "12,5 €"]], "cp1252", ";"
    )
    assert parsed.encoding == "cp1252"
    assert parsed.source_columns == ["Nombre", "Año", "Importe"]
    assert parsed.sample_rows() == [["José Muñoz", "2026", "12,5 €"]]


def test_windows_1252_bytes_after_a_utf8_sample_are_still_decoded(tmp_path: Path) -> None:
    rows = [["Id", "Name"], *[[str(n), "plain ascii"] for n in range(8000)], ["8000", "Ñandú"]]
    parsed = read_csv_rows(tmp_path, rows, "cp1252")
    assert parsed.encoding == "cp1252"
    assert parsed.total_rows == 8001
    assert parsed.table.column("Name")[-1].as_py() == "Ñandú"


# --- CSV: delimiters, quoting --------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniffs_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    rows = [["Client", "Amount", "Note"], ["ACME", "10", "a, b; c"], ["Globex", "20", ""]]
    parsed = read_csv_rows(tmp_path, rows, delimiter=delimiter)
    assert parsed.delimiter == delimiter
    assert parsed.source_columns == ["Client", "Amount", "Note"]
    assert parsed.sample_rows() == [["ACME", "10", "a, b; c"], ["Globex", "20", None]]


def test_decimal_commas_do_not_fool_the_sniffer(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(
        b'Fecha;Distancia;Coste\n2026-03-01;"125,4";10,5\n2026-03-02;"7,25";3,1\n2026-03-03;n/a;\n'
    )
    parsed = read_table(path, "viajes.csv")
    assert parsed.delimiter == ";"
    assert parsed.sample_rows() == [
        ["2026-03-01", "125,4", "10,5"],
        ["2026-03-02", "7,25", "3,1"],
        ["2026-03-03", "n/a", None],
    ]


def test_quoted_values_keep_embedded_newlines_and_delimiters(tmp_path: Path) -> None:
    rows = [["Client", "Address"], ["ACME", "Calle Mayor 1\nMadrid, 28001"], ["Globex", 'Say "hi"']]
    parsed = read_csv_rows(tmp_path, rows)
    assert parsed.total_rows == 2
    assert parsed.sample_rows() == [
        ["ACME", "Calle Mayor 1\nMadrid, 28001"],
        ["Globex", 'Say "hi"'],
    ]


def test_embedded_newline_after_the_sniffed_sample(tmp_path: Path) -> None:
    """The sniffed sample has no quotes, so the fast parser runs without newline support in
    values."""
    rows = [
        ["Id", "Note"],
        *[[str(n), "x" * 20] for n in range(4000)],
        ["4000", "two\nlines"],
        ["4001", "end"],
    ]
    parsed = read_csv_rows(tmp_path, rows)
    assert parsed.total_rows == 4002
    assert parsed.table.column("Note").to_pylist()[-2:] == ["two\nlines", "end"]


# --- CSV: header detection and clean-up ----------------------------------------------------


def test_skips_title_rows_above_the_header(tmp_path: Path) -> None:
    rows = [["Informe de viajes marzo 2026", "", ""], [], *TRIPS]
    parsed = read_csv_rows(tmp_path, rows, delimiter=";")
    assert parsed.detected_header_row == 2
    assert parsed.source_columns == ["Trip Date", "Client", "Distance"]
    assert parsed.total_rows == 2
    assert parsed.sample_rows(1) == [["2026-03-01", "Peña Logística", "125,4"]]


def test_drops_blank_rows_and_trailing_blank_columns_and_trims(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(
        b"Client;Amount;;\r\n  ACME  ;\t10 ;;\r\n;;;\r\nGlobex;   ;;\r\n;;;\r\n   \r\n\r\n;;;\r\n"
    )
    parsed = read_table(path, "a.csv")
    assert parsed.source_columns == ["Client", "Amount"]
    assert parsed.total_rows == 2
    assert parsed.sample_rows() == [["ACME", "10"], ["Globex", None]]


def test_names_empty_and_duplicate_headers(tmp_path: Path) -> None:
    rows = [["Amount", "", "Amount", " Load\n(kg) ", "Amount"], ["1", "2", "3", "4", "5"]]
    parsed = read_csv_rows(tmp_path, rows)
    assert parsed.source_columns == ["Amount", "Column 2", "Amount (2)", "Load (kg)", "Amount (3)"]
    assert parsed.table.column_names == parsed.source_columns
    assert parsed.sample_rows() == [["1", "2", "3", "4", "5"]]


def test_ragged_rows_keep_extra_cells_and_pad_short_rows(tmp_path: Path) -> None:
    rows = [
        ["Client", "Amount", "Note"],
        ["ACME", "10", "ok", "stray", "more"],
        ["Globex"],
        ["Initech", "5", "x"],
    ]
    parsed = read_csv_rows(tmp_path, rows)
    assert parsed.source_columns == ["Client", "Amount", "Note", "Column 4", "Column 5"]
    assert parsed.sample_rows() == [
        ["ACME", "10", "ok", "stray", "more"],
        ["Globex", None, None, None, None],
        ["Initech", "5", "x", None, None],
    ]


def test_single_column_file(tmp_path: Path) -> None:
    parsed = read_csv_rows(tmp_path, [["Reference"], ["REF-1"], ["REF-2"]])
    assert parsed.source_columns == ["Reference"]
    assert parsed.total_rows == 2


def test_file_name_decides_the_format_not_the_stored_path(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "blob-1234", TRIPS)
    assert read_table(path, "Viajes Marzo.TXT").source_columns == TRIPS[0]


# --- CSV: errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ["a.csv", "a.xlsx"])
def test_zero_bytes_is_empty(tmp_path: Path, file_name: str) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match="0 bytes"):
        read_table(path, file_name)


def test_blank_lines_only_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"\r\n   \r\n;;;\r\n\r\n")
    with pytest.raises(EmptyFileError, match="blank rows"):
        read_table(path, "a.csv")


def test_header_without_data_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyFileError, match="no data rows"):
        read_csv_rows(tmp_path, [["Client", "Amount"], [], ["", ""]])


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n\x00\x01\x02binary\x00stream\xff\xfe" * 50, bytes(range(256)) * 40],
    ids=["nul-bytes", "all-bytes"],
)
def test_binary_junk_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError):
        read_table(path, "data.csv")


def test_a_name_without_an_extension_is_read_by_its_bytes(tmp_path: Path) -> None:
    """``curl -F upload_file=@-`` and some exporting systems send names with no extension."""
    text = write_csv(tmp_path / "text", TRIPS, delimiter=";")
    book = write_xlsx(tmp_path / "book", {"Trips": TRIPS})
    junk = tmp_path / "junk"
    junk.write_bytes(bytes(range(256)) * 4)
    assert read_table(text, "export").file_type == "csv"
    assert read_table(text, "export").sample_rows() == read_table(text, "export.csv").sample_rows()
    assert read_table(book, "export").file_type == "xlsx"
    assert read_table(book, "export").source_columns == TRIPS[0]
    with pytest.raises(UnreadableFileError):
        read_table(junk, "export")


def test_unsupported_extension_names_it_and_lists_supported(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(UnsupportedFileTypeError) as caught:
        read_table(path, "report.PDF")
    assert "'.pdf'" in caught.value.message
    assert all(extension in caught.value.message for extension in SUPPORTED_EXTENSIONS)


# --- Workbooks -----------------------------------------------------------------------------------


def test_lists_sheets_and_defaults_to_first_non_empty(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "upload",
        {"Notes": [], "Trips": TRIPS, "Fuel": [["Fuel", "Litres"], ["diesel", 40]]},
    )
    parsed = read_table(path, "book.xlsx")
    assert (parsed.file_type, parsed.sheets, parsed.selected_sheet) == (
        "xlsx",
        ["Notes", "Trips", "Fuel"],
        "Trips",
    )
    assert parsed.source_columns == ["Trip Date", "Client", "Distance"]
    assert (parsed.encoding, parsed.delimiter) == (None, None)


def test_selected_sheet_is_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "upload", {"Trips": TRIPS, "Fuel": [["Fuel", "Litres"], ["diesel", 40]]}
    )
    parsed = read_table(path, "book.xlsm", selected_sheet="Fuel")
    assert (parsed.file_type, parsed.selected_sheet) == ("xlsx", "Fuel")
    assert parsed.sample_rows() == [["diesel", "40"]]
    assert parsed.native_columns == {"Litres"}


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "upload", {"Trips": TRIPS, "Fuel": [["Fuel"], ["diesel"]]})
    with pytest.raises(UnknownSheetError, match="Trips, Fuel"):
        read_table(path, "book.xlsx", selected_sheet="Viajes")


def test_typed_cells_are_rendered_canonically(tmp_path: Path) -> None:
    rows = [
        ["Date", "When", "Qty", "Price", "Paid", "Client", "Mixed"],
        [dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 10, 30), 12, 125.4, True, "ACME", 7],
        [
            dt.datetime(2026, 3, 2),
            dt.datetime(2026, 3, 2, 0, 0, 5),
            3.0,
            0.1 + 0.2,
            False,
            "  Globex ",
            "n/a",
        ],
        [None, None, None, None, None, "Initech", "x"],
    ]
    parsed = read_table(write_xlsx(tmp_path / "upload", {"Data": rows}), "book.xlsx")
    assert parsed.sample_rows() == [
        ["2026-03-01", "2026-03-01T10:30:00", "12", "125.4", "true", "ACME", "7"],
        ["2026-03-02", "2026-03-02T00:00:05", "3", "0.3", "false", "Globex", "n/a"],
        [None, None, None, None, None, "Initech", "x"],
    ]
    assert parsed.native_columns == {"Date", "When", "Qty", "Price"}


def test_formulas_give_cached_values_and_errors_are_null(tmp_path: Path) -> None:
    rows = [
        ["Distance", "Double", "Ratio", "Lookup"],
        [10, "=A2*2", "=A2/0", "=NA()"],
        [2.5, "=A3*2", "=A3/5", '="ok"'],
    ]
    path = write_xlsx(tmp_path / "upload", {"Data": rows})
    set_cached_values(
        path, {"B2": 20, "C2": "#DIV/0!", "D2": "#N/A", "B3": 5, "C3": 0.5, "D3": "ok"}
    )
    parsed = read_table(path, "book.xlsx")
    assert parsed.sample_rows() == [["10", "20", None, None], ["2.5", "5", "0.5", "ok"]]


def test_workbook_title_rows_and_blank_rows(tmp_path: Path) -> None:
    rows = [
        ["Informe de viajes marzo 2026"],
        [],
        ["Client", "Amount", None],
        ["ACME", 10, None],
        [],
        ["Globex", 20.5, None],
    ]
    parsed = read_table(write_xlsx(tmp_path / "upload", {"Informe": rows}), "book.xlsx")
    assert parsed.detected_header_row == 2
    assert parsed.source_columns == ["Client", "Amount"]
    assert parsed.sample_rows() == [["ACME", "10"], ["Globex", "20.5"]]
    assert parsed.native_columns == {"Amount"}


def test_empty_workbook_and_header_only_sheet_are_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyFileError, match="All sheets"):
        read_table(write_xlsx(tmp_path / "a", {"One": [], "Two": [[None, ""]]}), "book.xlsx")
    with pytest.raises(EmptyFileError, match="no data rows"):
        read_table(write_xlsx(tmp_path / "b", {"One": [["Client", "Amount"]]}), "book.xlsx")


@pytest.mark.parametrize(
    ("content", "file_name"),
    [
        (b"not a zip at all" * 10, "book.xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "book.xlsx"),
        (b"Client,Amount\nACME,1\n", "book.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 600, "book.xls"),
        (b"PK\x03\x04" + b"\x01" * 300, "book.ods"),
    ],
    ids=["garbage", "broken-zip", "csv-renamed", "broken-xls", "broken-ods"],
)
def test_corrupt_workbook_is_unreadable(tmp_path: Path, content: bytes, file_name: str) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError):
        read_table(path, file_name)


def test_truncated_workbook_is_unreadable(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "upload", {"Trips": TRIPS})
    path.write_bytes(path.read_bytes()[:400])
    with pytest.raises(UnreadableFileError):
        read_table(path, "book.xlsx")


def test_ragged_rows_stay_in_place_around_titles_multiline_cells_and_blank_lines(
    tmp_path: Path,
) -> None:
    rows = [
        ["Informe", "", ""],
        [],
        ["Client", "Load\n(kg)", "Note"],
        ["r1", "1", "a\nb"],
        ["r2", "2"],
        [],
        *[[f"n{n}", str(n), "x"] for n in range(3000)],
        ["r3", "3", "c", "extra"],
        ["r4", "4", "d"],
    ]
    parsed = read_csv_rows(tmp_path, rows)
    assert parsed.detected_header_row == 2
    assert parsed.source_columns == ["Client", "Load (kg)", "Note", "Column 4"]
    assert parsed.total_rows == 3004
    assert parsed.sample_rows(2) == [["r1", "1", "a\nb", None], ["r2", "2", None, None]]
    assert parsed.table.slice(3002).to_pylist() == [
        {"Client": "r3", "Load (kg)": "3", "Note": "c", "Column 4": "extra"},
        {"Client": "r4", "Load (kg)": "4", "Note": "d", "Column 4": None},
    ]


def test_ods_workbook_sheets_dates_and_numbers(tmp_path):
    """OpenDocument sheets (LibreOffice's format) read like xlsx; written with pandas' odf
    engine."""
    import pandas as pd

    path = tmp_path / "viajes.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame([["Informe"]]).to_excel(
            writer, sheet_name="Resumen", index=False, header=False
        )
        pd.DataFrame(
            {
                "Fecha": [dt.date(2026, 3, 1), dt.date(2026, 3, 2)],
                "Cliente": ["ACME", "Norte"],
                "Km": [125.4, 12.0],
            }
        ).to_excel(writer, sheet_name="Viajes", index=False)
    parsed = read_table(path, "viajes.ods", "Viajes")
    assert (parsed.file_type, parsed.sheets, parsed.selected_sheet) == (
        "ods",
        ["Resumen", "Viajes"],
        "Viajes",
    )
    assert parsed.source_columns == ["Fecha", "Cliente", "Km"]
    assert parsed.sample_rows() == [["2026-03-01", "ACME", "125.4"], ["2026-03-02", "Norte", "12"]]
    assert parsed.native_columns == frozenset({"Fecha", "Km"})
    assert read_table(path, "viajes", "Viajes").sample_rows() == parsed.sample_rows()


def test_legacy_xls_workbook(tmp_path):
    """Excel 97-2003 files still arrive from old ERPs; written here with xlwt."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Viajes")
    for column, header in enumerate(["Fecha", "Cliente", "Km"]):
        sheet.write(0, column, header)
    sheet.write(1, 0, dt.datetime(2026, 3, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(1, 1, "Logística Sur")
    sheet.write(1, 2, 125.4)
    path = tmp_path / "viajes.xls"
    book.save(str(path))
    parsed = read_table(path, "viajes.xls")
    assert (parsed.file_type, parsed.sheets) == ("xls", ["Viajes"])
    assert parsed.sample_rows() == [["2026-03-01", "Logística Sur", "125.4"]]
    assert read_table(path, "viajes").file_type == "xls"  # no extension: told by its bytes


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"Client,Distance", EmptyFileError, "no data rows"),  # header without a final newline
        (b"x", EmptyFileError, "no data rows"),
        (
            "a,b\n1,2\n".encode("utf-16")[:-1],
            UnreadableFileError,
            "not valid utf-16",
        ),  # cut mid-character
    ],
)
def test_truncated_and_header_only_files_get_clear_errors(tmp_path, content, error, message):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    with pytest.raises(error, match=message):
        read_table(path, "file.csv")


def test_a_cell_longer_than_arrows_block_is_read_whole(tmp_path):
    """A pasted document in one cell (here 3 MB, where the cell limit is set that high) must not
    make the reader fail."""
    path = tmp_path / "long.csv"
    path.write_bytes(b"Client,Note\nACME," + b"x" * 3_000_000 + b"\nNorte,short\n")
    parsed = read_table(path, "long.csv", limits=TableLimits(max_cell_chars=3_000_000))
    assert parsed.total_rows == 2
    assert len(parsed.table.column("Note")[0].as_py()) == 3_000_000
    assert parsed.table.column("Client").to_pylist() == ["ACME", "Norte"]


# --- width ---------------------------------------------------------------------------------


def test_2000_columns_are_read_and_more_are_refused_with_the_count(tmp_path: Path) -> None:
    def wide(columns: int) -> list[list[object]]:
        return [[f"col{i}" for i in range(columns)], [str(i) for i in range(columns)]]

    assert read_csv_rows(tmp_path, wide(2000)).table.num_columns == 2000
    with pytest.raises(TooManyColumnsError, match="has 2,001 columns; at most 2,000") as refused:
        read_csv_rows(tmp_path, wide(2001))
    assert (refused.value.http_status, refused.value.context) == (
        422,
        {"columns": 2001, "max_columns": 2000},
    )
    with pytest.raises(
        TooManyColumnsError, match=r"has at least [0-9,]+ columns"
    ):  # the header outgrows the sniffed sample
        read_csv_rows(tmp_path, wide(20_000))
    with pytest.raises(TooManyColumnsError, match="has 2,001 columns"):
        read_table(write_xlsx(tmp_path / "upload.xlsx", {"Trips": wide(2001)}), "trips.xlsx")


def test_thousands_of_trailing_delimiters_are_not_columns(tmp_path: Path) -> None:
    """Excel exports can end every line with thousands of empty cells; only used columns count
    towards the limit."""
    path = tmp_path / "upload"
    path.write_text(
        "".join(
            f"{a};{b}" + ";" * 2500 + "\n" for a, b in [("ref", "qty"), ("R1", "2"), ("R2", "3")]
        )
    )
    parsed = read_table(path, "trips.csv")
    assert parsed.source_columns == ["ref", "qty"]
    assert parsed.sample_rows() == [["R1", "2"], ["R2", "3"]]


# --- workbooks whose used range is huge ---------------------------------------------------


def _far_cell_workbook(path: Path, without_dimension: bool = False) -> Path:
    """Data in A1:B3 of "Trips", one stray value in XFD1048576 of "Far" (python-calamine would
    allocate 512 GiB)."""
    import zipfile

    from openpyxl import load_workbook

    write_xlsx(path, {"Trips": TRIPS, "Far": [["a"], [1]]})
    book = load_workbook(path)
    book["Far"]["XFD1048576"] = "far"
    book.save(path)
    if without_dimension:  # some writers leave the <dimension> element out
        stripped = path.with_name("stripped.xlsx")
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename.startswith("xl/worksheets/"):
                    data = re.sub(rb"<dimension [^>]*/>", b"", data)
                target.writestr(item, data)
        stripped.replace(path)
    return path


@pytest.mark.parametrize("without_dimension", [False, True])
def test_a_sheet_reaching_far_beyond_its_data_is_refused_naming_the_cell(
    tmp_path: Path, without_dimension: bool
) -> None:
    path = _far_cell_workbook(tmp_path / "upload.xlsx", without_dimension)
    with pytest.raises(SheetTooLargeError, match="Sheet 'Far' reaches cell XFD1048576") as refused:
        read_table(path, "trips.xlsx", selected_sheet="Far")
    assert refused.value.http_status == 422 and refused.value.context == {
        "sheet": "Far",
        "last_cell": "XFD1048576",
    }
    # Only the sheets actually read are checked: the first sheet has data and reads as usual.
    parsed = read_table(path, "trips.xlsx")
    assert (parsed.selected_sheet, parsed.source_columns, parsed.sheets) == (
        "Trips",
        TRIPS[0],
        ["Trips", "Far"],
    )


def test_a_cell_past_the_limit_is_refused_naming_its_column_and_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "upload", [*TRIPS, ["2026-03-03", "x" * 101, "5"]])
    with pytest.raises(CellTooLongError) as caught:
        read_table(path, "trips.csv", limits=TableLimits(max_cell_chars=100))
    assert "Column 'Client', row_index 2: a cell of 101 characters" in caught.value.message
    assert read_table(path, "trips.csv", limits=TableLimits(max_cell_chars=101)).total_rows == 3


def test_more_rows_than_the_limit_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "upload", TRIPS)
    with pytest.raises(TooManyRowsError, match="2 data rows; at most 1"):
        read_table(path, "trips.csv", limits=TableLimits(max_rows=1))
    assert read_table(path, "trips.csv", limits=TableLimits(max_rows=2)).total_rows == 2


def test_cells_are_trimmed_of_unicode_whitespace_only_where_they_have_it(tmp_path: Path) -> None:
    """Columns without edge whitespace are no longer copied to be trimmed; those with it (a
    no-break space from Excel, an ideographic space, an em space) still are."""
    rows = [["Client", "Code"], ["ACME\u00a0", "A1"], ["\u3000Norte", "B2"], ["Sur\u2003", "C3"]]
    parsed = read_table(write_csv(tmp_path / "upload", rows, delimiter=";"), "t.csv")
    assert parsed.table.column("Client").to_pylist() == ["ACME", "Norte", "Sur"]
    assert parsed.table.column("Code").to_pylist() == ["A1", "B2", "C3"]
