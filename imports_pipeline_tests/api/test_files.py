"""Downloads: the original upload byte for byte, and error reports a spreadsheet can open safely."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from openpyxl import load_workbook

from imports_pipeline_tests.service import SAMPLE_CSV

CONTENT = (
    b"Fecha;Cliente;Km;Origen;Destino\n"
    b"2026-03-01;ACME;12,5;ES;FR\n"
    b'2026-03-02;=HYPERLINK("x");abc;ES;FR\n'
    b"2026-03-03;;-4;ES;FR\n"
)
MAPPING = {
    "trip_date": "Fecha",
    "client": "Cliente",
    "distance_km": "Km",
    "origin_country": "Origen",
    "destination_country": "Destino",
}


def validated(api) -> str:
    import_id = api.created_id(content=CONTENT, name="trips.csv")
    assert (
        api.client.post(
            f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": MAPPING}
        ).status_code
        == 200
    )
    return import_id


def test_the_original_upload_comes_back_byte_for_byte(api):
    import_id = api.created_id()
    response = api.client.get(f"/v2/imports/{import_id}/files/upload", headers=api.headers)
    assert response.status_code == 200 and response.content == SAMPLE_CSV.read_bytes()
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="logistics.csv"' in response.headers["content-disposition"]


def test_error_reports_open_in_csv_json_and_xlsx_with_formulas_neutralised(api):
    import_id = validated(api)
    links = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()[
        "processing"
    ]

    as_csv = api.client.get(links["_errors_csv_url"], headers=api.headers)
    assert (
        as_csv.status_code == 200
        and 'filename="trips.errors.csv"' in as_csv.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [r["row_index"] for r in rows] == ["1", "2"]
    assert (
        rows[0]["Cliente"] == '\'=HYPERLINK("x")'
        and rows[0]["Km"] == "abc"
        and rows[0]["error_codes"] == "invalid_type"
    )
    assert rows[1]["Km"] == "-4" and rows[1]["error_columns"] == "client, distance_km"
    assert [r["spreadsheet_row"] for r in rows] == ["3", "4"]  # the CSV's header is row 1

    as_json = json.loads(api.client.get(links["_errors_json_url"], headers=api.headers).content)
    assert [r["row_index"] for r in as_json] == [1, 2] and as_json[0]["errors"][0][
        "column"
    ] == "distance_km"

    as_xlsx = api.client.get(links["_errors_xlsx_url"], headers=api.headers)
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["errors"]
    assert [c.value for c in sheet[1]][:7] == [
        "row_index",
        "spreadsheet_row",
        "Fecha",
        "Cliente",
        "Km",
        "Origen",
        "Destino",
    ]
    assert sheet["D2"].value == '\'=HYPERLINK("x")' and sheet["D2"].data_type == "s"
    assert sheet["E3"].value == "-4" and sheet["E3"].comment is not None  # out of range: as written
    assert sheet["C2"].value == datetime(2026, 3, 2) and sheet["C2"].number_format == "yyyy-mm-dd"


def test_reports_need_a_validation_and_a_known_format(api):
    import_id = api.created_id()
    status = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()[
        "processing"
    ]
    assert status["_errors_csv_url"] is None and status["_upload_url"].endswith("/files/upload")
    early = api.client.get(f"/v2/imports/{import_id}/files/errors.csv", headers=api.headers)
    assert early.status_code == 409 and early.json()["code"] == "INVALID_STATE"
    unknown = api.client.get(f"/v2/imports/{import_id}/files/errors.pdf", headers=api.headers)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["path", "fmt"]
