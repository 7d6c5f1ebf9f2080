"""The header row is detected, and can be chosen (issue 13: the web importer shows the detected
row and lets a person change it)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from imports_pipeline_tests.api.conftest import contract_body

TITLED = (
    b"Trips report;;\nTrip Date;Client;Distance\n2026-03-01;ACME;125,4\n2026-03-02;Rhein;914,5\n"
)


def test_a_csv_read_from_the_row_asked_for(any_db_api):
    api = any_db_api
    detected = api.create(TITLED, name="trips.csv").json()
    assert (detected["detected_header_row"], detected["source_columns"]) == (
        1,
        ["Trip Date", "Client", "Distance"],
    )
    chosen = api.create(TITLED, name="trips.csv", header_row="2")
    assert chosen.status_code == 201, chosen.text
    body = chosen.json()
    assert body["detected_header_row"] == 2
    assert body["source_columns"] == ["2026-03-01", "ACME", "125,4"]
    assert body["total_rows"] == 1


def test_a_header_row_asked_for_asynchronously_is_kept_for_the_upload(api):
    requested = api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={
            "template_id": "logistics_requests",
            "upload_mode": "async",
            "file_name": "trips.csv",
            "header_row": "1",
        },
    ).json()
    token = requested["upload_url"].rsplit("/", 1)[-1]
    uploaded = api.client.put(f"/v2/imports/uploads/{token}", content=TITLED)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["source_columns"] == ["Trip Date", "Client", "Distance"]


@pytest.mark.parametrize("row", ["0", "9", "1000"])
def test_a_row_that_is_blank_or_past_the_file_is_refused_naming_the_field(api, row):
    blank_first = b"\n" + TITLED
    answer = api.create(blank_first, name="trips.csv", header_row=row)
    assert answer.status_code == 422, answer.text
    body = contract_body(answer)
    assert (body["code"], body["field"]) == ("INVALID_HEADER_ROW", "header_row")
    assert f"header_row {row} is not a row" in body["detail"]


def test_a_workbook_read_from_the_row_asked_for(api):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (["Report"], ["Trip Date", "Client"], ["2026-03-01", "ACME"], ["x", "y"]):
        sheet.append(line)
    data = io.BytesIO()
    book.save(data)
    answer = api.create(data.getvalue(), name="trips.xlsx", header_row="2")
    assert answer.status_code == 201, answer.text
    assert answer.json()["source_columns"] == ["2026-03-01", "ACME"]
    refused = api.create(data.getvalue(), name="trips.xlsx", header_row="7")
    assert contract_body(refused)["code"] == "INVALID_HEADER_ROW"
    assert "of sheet 'Sheet'" in refused.json()["detail"]
