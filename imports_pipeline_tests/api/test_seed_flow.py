"""Every request example of the two Dcycle documents, replayed over HTTP, on SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid

from imports_pipeline_tests.api.conftest import ORG, USER
from imports_pipeline_tests.service import (
    REFERENCE_FIELDS,
    SAMPLE_MAPPING,
    SEED_MAPPING,
    SESSION_FIELDS,
)


def test_the_contract_flow_from_create_to_status(any_db_api):
    api = any_db_api
    headers = api.headers

    created = api.create()
    assert created.status_code == 201
    body = created.json()
    import_id = body.pop("import_id")
    assert body == {
        "file_name": "logistics.csv",
        "total_rows": 240,
        "numeric_locale": "es_ES",
        "sheets": [],
        "selected_sheet": None,
        "detected_header_row": 0,
        "source_columns": [
            "Trip Date",
            "Client",
            "Distance",
            "Origin Country",
            "Destination Country",
            "Reference",  # the sample's key, beyond the contract's five columns
        ],
        "sample_rows": body["sample_rows"],
        "inferred_numeric_locales": {},
    }
    assert body["sample_rows"][0] == ["2026-03-01", "ACME", "125,4", "ES", "FR", "TRIP-0001"]

    suggested = api.client.post(
        f"/v2/imports/{import_id}/mapping/suggest", headers=headers, json={}
    )
    assert suggested.status_code == 200
    assert (
        suggested.json()["mapping"] == SAMPLE_MAPPING
        and suggested.json()["unmapped_required"] == []
    )

    values = api.client.post(
        f"/v2/imports/{import_id}/unique-values", headers=headers, json={"mapping": SEED_MAPPING}
    )
    assert values.status_code == 200
    columns = values.json()["columns"]
    assert set(columns) == {"origin_country", "destination_country"}
    assert all(v["is_valid"] for v in columns["origin_country"])
    assert sum(v["count"] for v in columns["origin_country"]) == 240

    validated = api.client.post(
        f"/v2/imports/{import_id}/validate?page=1&page_size=50",
        headers=headers,
        json={"mapping": SEED_MAPPING},
    )
    assert validated.status_code == 200
    result = validated.json()
    assert (result["status"], result["total_rows"], result["valid_rows"], result["error_rows"]) == (
        "validated",
        240,
        238,
        2,
    )
    assert result["errors_by_column"] == {"distance_km": 2}
    assert (result["page"], result["page_size"], result["pages"], len(result["rows"])) == (
        1,
        50,
        5,
        50,
    )
    assert result["rows"][0]["values"]["distance_km"] == 125.4

    listed = api.client.get(
        "/v2/imports/sessions?status=validated&template_id=logistics_requests", headers=headers
    )
    assert [s["id"] for s in listed.json()["items"]] == [import_id]
    resume = api.client.get(
        "/v2/imports/sessions",
        headers=headers,
        params={"user_id": USER, "status": "validated", "template_id": "logistics_requests"},
    )
    session = resume.json()["items"][0]
    assert session["id"] == import_id and session["file_name"] == "logistics.csv"

    errors = api.client.get(
        f"/v2/imports/{import_id}/rows?errors_only=true", headers=headers
    ).json()
    assert [r["row_index"] for r in errors["rows"]] == [17, 203]
    assert errors["rows"][0]["errors"][0]["code"] == "invalid_type"

    patched = api.client.patch(
        f"/v2/imports/{import_id}/rows",
        headers=headers,
        json={"corrections": [{"row_index": 17, "column": "distance_km", "value": 128.4}]},
    )
    assert patched.status_code == 200
    patch = patched.json()
    assert (patch["remaining_errors"], patch["error_rows"], patch["valid_rows"]) == (1, 1, 239)
    assert (
        patch["updated_rows"][0]["values"]["distance_km"] == 128.4
        and patch["updated_rows"][0]["is_valid"]
    )

    submit_headers = {**headers, "x-partner": "dcycle"}
    refused = api.client.post(
        f"/v2/imports/{import_id}/submit", headers=submit_headers, json={"ignore_errors": False}
    )
    assert refused.status_code == 409
    assert (
        refused.json()["code"] == "VALIDATION_ERRORS_REMAIN" and refused.json()["error_rows"] == 1
    )
    assert "1 rows with errors" in refused.json()["detail"]

    submitted = api.client.post(
        f"/v2/imports/{import_id}/submit", headers=submit_headers, json={"ignore_errors": True}
    )
    assert submitted.status_code == 200
    submission = submitted.json()
    # The contract's submit answer: exactly these four fields, the job named before any run starts.
    assert set(submission) == {"status", "file_id", "processing_job_id", "rows_submitted"}
    assert (submission["rows_submitted"], submission["status"]) == (239, "processing")
    assert str(uuid.UUID(submission["processing_job_id"])) == submission["processing_job_id"]
    assert submission["file_id"]

    status = api.client.get(f"/v2/imports/{import_id}/status", headers=headers)
    assert status.status_code == 200
    current = status.json()
    assert set(current) >= SESSION_FIELDS
    assert (current["status"], current["submitted_file_id"], current["rows_submitted"]) == (
        "submitted",
        submission["file_id"],
        239,
    )
    assert current["processing_job_id"] == submission["processing_job_id"]
    assert current["submission"]["partner"] == "dcycle"
    assert (
        current["submission"]["action"] == "merge"
        and current["submission"]["duplicate_handling"] == "ignore_all"
    )
    processing = current["processing"]
    assert (processing["processing_status"], processing["rows_submitted"]) == ("queued", 239)
    assert processing["_upload_url"] == f"http://testserver/v2/imports/{import_id}/files/upload"
    assert (
        processing["_errors_csv_url"]
        == f"http://testserver/v2/imports/{import_id}/files/errors.csv"
    )

    page = api.client.get("/v2/imports/sessions?page=1&size=25", headers=headers).json()
    assert (page["total"], page["page"], page["size"], page["pages"]) == (1, 1, 25, 1)
    item = page["items"][0]
    assert set(item) == SESSION_FIELDS | REFERENCE_FIELDS
    assert item == {
        **item,
        "id": import_id,
        "organization_id": ORG,
        "user_id": USER,
        "template_id": "logistics_requests",
        "file_name": "logistics.csv",
        "file_type": "csv",
        "status": "submitted",
        "numeric_locale": "es_ES",
        "actor_type": "user",
        "total_rows": 240,
        "valid_rows": 239,
        "error_rows": 1,
        "source_columns": [
            "Trip Date",
            "Client",
            "Distance",
            "Origin Country",
            "Destination Country",
            "Reference",
        ],
        "mapping": SEED_MAPPING,
        "errors_by_column": {"distance_km": 1},
        "status_detail": None,
        "project_id": None,
        "folder_id": None,
        "selected_sheet": None,
        "detected_header_row": 0,
        "created_at": "2026-04-08T14:00:00",
        "expires_at": "2026-04-09T14:00:00",
    }
    assert item["actor_api_key_id"]  # the key that created it
    assert (
        api.client.get("/v2/imports/sessions?status=validated", headers=headers).json()["items"]
        == []
    )


def test_list_pages_newest_first_with_cursor_ranges_and_sort(api, clock):
    from datetime import timedelta

    made = []
    for _ in range(3):
        made.append(api.created_id())
        clock.now += timedelta(minutes=1)
    first = api.client.get("/v2/imports/sessions?size=2", headers=api.headers).json()
    assert [s["id"] for s in first["items"]] == [made[2], made[1]]
    assert (first["total"], first["pages"]) == (3, 2)
    second = api.client.get(
        "/v2/imports/sessions",
        headers=api.headers,
        params={"size": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [s["id"] for s in second["items"]] == [made[0]] and second["next_cursor"] is None
    ranged = api.client.get(
        "/v2/imports/sessions",
        headers=api.headers,
        params={"created_at_gte": "2026-04-08T14:01:00", "sort": "created_at"},
    ).json()
    assert [s["id"] for s in ranged["items"]] == [made[1], made[2]]
    before = api.client.get(
        "/v2/imports/sessions", headers=api.headers, params={"created_at_lt": "2026-04-08T14:01:00"}
    ).json()
    assert [s["id"] for s in before["items"]] == [made[0]]
    bad = api.client.get("/v2/imports/sessions", headers=api.headers, params={"cursor": "nope"})
    # The schema declares the cursor's shape, so a malformed one fails as a parameter that names it.
    assert bad.status_code == 422 and bad.json()["code"] == "INVALID_REQUEST"
    assert "cursor" in str(bad.json()["detail"])
