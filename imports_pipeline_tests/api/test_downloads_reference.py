"""PackageX's downloads (issue 9), over HTTP on SQLite and PostgreSQL: the upload converted to CSV
and JSON, and error reports that cover every row left out, processing's rejections included."""

from __future__ import annotations

import csv
import io

import openpyxl

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.service import SAMPLE_CSV, SEED_MAPPING


def links(api, import_id: str) -> dict:
    body = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    return body["processing"]


def test_the_upload_converts_to_csv_and_json_with_the_same_rows(any_db_api):
    api = any_db_api
    import_id = api.created_id()
    urls = links(api, import_id)
    as_csv = api.client.get(urls["_upload_csv_url"], headers=api.headers)
    as_json = api.client.get(urls["_upload_json_url"], headers=api.headers)
    assert (as_csv.status_code, as_json.status_code) == (200, 200)
    assert as_csv.headers["content-type"].startswith("text/csv")
    original = list(csv.reader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8")), delimiter=";"))
    converted = list(csv.reader(io.StringIO(as_csv.text)))
    assert converted[0] == original[0] and len(converted) == len(original) == 241
    assert converted[1] == original[1]
    records = as_json.json()
    assert len(records) == 240 and records[0] == dict(zip(original[0], original[1], strict=True))
    assert 'filename="logistics.json"' in as_json.headers["content-disposition"]
    unknown = api.client.get(f"/v2/imports/{import_id}/files/upload.xml", headers=api.headers)
    assert unknown.status_code == 422


def test_error_reports_cover_the_rows_processing_left_out(any_db_api):
    api = any_db_api
    header = "Trip Date;Client;Distance;Origin Country;Destination Country;Reference"
    rows = [
        "2026-03-01;ACME;10,5;ES;FR;R1",
        "2026-03-02;ACME;11,5;ES;FR;R2",
        "2026-03-03;ACME;12,5;ES;FR;R2",  # R2 twice: ignore_all leaves both out
        "2026-03-04;ACME;abc;ES;FR;R3",  # a validation error
    ]
    content = ("\n".join([header, *rows]) + "\n").encode()
    import_id = api.created_id(content=content)
    mapping = {**SEED_MAPPING, "reference": "Reference"}
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": mapping}
    )
    before = api.client.get(links(api, import_id)["_errors_json_url"], headers=api.headers).json()
    assert sorted(r["row_index"] for r in before) == [2, 3]  # the later R2, the bad distance
    api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": True}
    )
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    for phase in PHASE_ORDER:
        getattr(processing, phase.value)()

    urls = links(api, import_id)
    after = api.client.get(urls["_errors_json_url"], headers=api.headers).json()
    by_row = {r["row_index"]: {e["code"] for e in r["errors"]} for r in after}
    assert by_row == {1: {"duplicate_key"}, 2: {"duplicate_key"}, 3: {"invalid_type"}}
    report = api.client.get(urls["_errors_csv_url"], headers=api.headers).text
    assert sorted(line.split(",")[0] for line in report.splitlines()[1:]) == ["1", "2", "3"]
    workbook = openpyxl.load_workbook(
        io.BytesIO(api.client.get(urls["_errors_xlsx_url"], headers=api.headers).content)
    )
    assert workbook.active.max_row == 4  # header + the three rows
    status = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert (status["failed_rows"], status["has_errors_file"]) == (3, True)
