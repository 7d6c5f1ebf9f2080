"""What the reference documents add to the session object (issue 9), over HTTP on SQLite and
PostgreSQL: name and note, an import code, the upload's size and checksum, who changed it last,
and the processing outcome with its counters and times on both the status and the list."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.api.conftest import ORG, USER
from imports_pipeline_tests.service import SAMPLE_CSV, SEED_MAPPING


def create_named(api, **form: str):
    """A create with form fields the ``Api`` helper's own arguments would shadow (``name``)."""
    return api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={"template_id": "logistics_requests", "numeric_locale": "es_ES", **form},
        files={"upload_file": ("logistics.csv", SAMPLE_CSV.read_bytes(), "text/csv")},
    )


def test_a_new_session_has_its_name_note_code_size_and_checksum(any_db_api):
    api = any_db_api
    created = create_named(api, name="March trips", note="from the partner portal")
    assert created.status_code == 201, created.text
    import_id = created.json()["import_id"]
    session = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    content = SAMPLE_CSV.read_bytes()
    assert (session["name"], session["note"], session["type"]) == (
        "March trips",
        "from the partner portal",
        "logistics_requests",
    )
    assert re.fullmatch(r"IMP-[0-9A-HJKMNP-TV-Z]{6}", session["import_code"])
    assert (session["file_size"], session["checksum"]) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert (session["has_upload_file"], session["has_errors_file"]) == (True, False)
    assert session["updated_by"] == USER
    unnamed = api.client.get(f"/v2/imports/{api.created_id()}/status", headers=api.headers).json()
    assert unnamed["name"] == "logistics.csv" and unnamed["note"] is None
    assert unnamed["import_code"] != session["import_code"]


def test_a_name_over_256_characters_is_refused_naming_the_field(api):
    response = create_named(api, name="x" * 257)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_processing_outcome_and_times_on_the_status_and_every_list_item(any_db_api, tmp_path):
    api = any_db_api
    import_id = api.created_id()
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    before = api.client.get("/v2/imports/sessions", headers=api.headers).json()["items"][0]
    assert (before["has_errors_file"], before["processing_status"], before["started_at"]) == (
        True,  # the example has 2 rows with errors
        None,
        None,
    )
    submitted = api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": True}
    ).json()
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    processing.parse(dagster_run_id="run-7")
    for phase in PHASE_ORDER[1:]:
        getattr(processing, phase.value)()

    status = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    [item] = api.client.get("/v2/imports/sessions", headers=api.headers).json()["items"]
    for body in (status, item):
        assert (body["processing_status"], body["processing_job_id"], body["dagster_run_id"]) == (
            "partially_completed",
            submitted["processing_job_id"],
            "run-7",
        )
        assert (body["processed_rows"], body["failed_rows"], body["success_rate"]) == (
            238,
            2,
            99.17,
        )
        started, finished = (datetime.fromisoformat(body[k]) for k in ("started_at", "finished_at"))
        assert started <= finished and body["completed_at"] == body["finished_at"]
        assert body["has_errors_file"] is True and body["organization_id"] == ORG
