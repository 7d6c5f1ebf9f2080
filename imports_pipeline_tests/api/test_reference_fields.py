"""What the reference documents add to the session object (issue 9), over HTTP on SQLite and
PostgreSQL: name and note, an import code, the upload's size and checksum, who changed it last,
and the processing outcome with its counters and times on both the status and the list."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import pytest

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


def test_a_name_over_256_characters_is_refused_naming_the_field(any_db_api):
    api = any_db_api
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


def status_of(api, import_id: str) -> dict:
    return api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()


def test_every_packagex_status_is_reached_with_a_reason_where_it_did_not_simply_succeed(
    any_db_api, clock
):
    from datetime import timedelta

    api = any_db_api
    import_id = api.created_id()
    assert (status_of(api, import_id)["import_status"], status_of(api, import_id)["reason"]) == (
        "requested",
        None,
    )
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": True}
    )
    assert status_of(api, import_id)["import_status"] == "queued"
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    processing.parse(dagster_run_id="run-9")
    assert status_of(api, import_id)["import_status"] == "processing"
    clock.now += timedelta(minutes=361)  # the default timeout is 360 minutes
    timed_out = status_of(api, import_id)
    assert timed_out["import_status"] == "timed_out"
    assert "360 minutes" in timed_out["reason"] and "run-9" in timed_out["reason"]
    for phase in PHASE_ORDER[1:]:
        getattr(processing, phase.value)()
    done = status_of(api, import_id)
    assert (done["import_status"], done["reason"]) == (
        "completed",
        "2 rows were left out (see the error file)",
    )
    assert done["stats"] == {"created": 238, "updated": 0, "unchanged": 0, "deleted": 0}

    abandoned = api.created_id()  # never submitted: it expires 24 h after creation
    broken = api.create(content=b"\x00\x01\x02binary", name="broken.csv")
    assert broken.status_code == 422
    failed_id = broken.json()["import_id"]  # a parse failure is recorded before the 422
    unsupported = status_of(api, failed_id)
    assert unsupported["import_status"] == "unsupported" and unsupported["reason"]
    empty = api.create(content=b"", name="empty.csv")
    assert empty.status_code == 422 and empty.json()["code"] == "EMPTY_FILE"
    failed = status_of(api, empty.json()["import_id"])
    assert failed["import_status"] == "failed" and "empty" in failed["reason"].lower()
    clock.now += timedelta(hours=25)
    expired = status_of(api, abandoned)
    assert expired["import_status"] == "expired" and "expired at" in expired["reason"]


def test_a_failed_phase_is_the_reason_of_a_failed_import(any_db_api):
    api = any_db_api
    import_id = api.created_id()
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": True}
    )
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    processing.parse()
    with pytest.raises(FileNotFoundError):
        processing.process()  # out of order: there is nothing validated to write yet
    failed = status_of(api, import_id)
    assert failed["import_status"] == "failed" and failed["stats"] is None
    assert failed["reason"].startswith(
        "the process phase failed: a table the previous phase hands over is missing"
    )
    assert "re-execute the run from failure" in failed["status_detail"]
    [process] = [p for p in failed["phases"] if p["phase"] == "process"]
    assert process["detail"]["error"].startswith("FileNotFoundError")  # the technical error


def test_imported_by_names_the_person_behind_the_key_on_the_status_and_the_list(any_db_api):
    api = any_db_api
    issued = api.keys.create(ORG, user_id="u-ana", full_name="Ana García", email="ana@example.com")
    headers = {"x-api-key": issued.secret, "x-organization-id": ORG}
    import_id = api.created_id(headers=headers)
    anonymous = api.created_id()  # the fixture's key has no owner recorded
    expected = {"id": "u-ana", "full_name": "Ana García", "email": "ana@example.com"}
    status = api.client.get(f"/v2/imports/{import_id}/status", headers=headers).json()
    assert status["imported_by"] == expected
    items = api.client.get("/v2/imports/sessions", headers=headers).json()["items"]
    by_id = {item["id"]: item["imported_by"] for item in items}
    assert by_id == {
        import_id: expected,
        anonymous: {"id": USER, "full_name": None, "email": None},
    }


def test_the_command_line_records_the_owner_of_a_new_key(tmp_path, monkeypatch, capsys):
    from imports_pipeline.cli import main
    from imports_pipeline.settings import Settings
    from imports_pipeline.store.api_keys import ApiKeyStore
    from imports_pipeline.store.database import create_database_engine

    monkeypatch.setenv("IMPORTS_DATA_DIR", str(tmp_path))
    status = main(
        ["keys", "create", "--org", ORG, "--full-name", "Ana García", "--email", "ana@example.com"]
    )
    assert status == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    engine = create_database_engine(Settings.from_environment().session_database_url)
    record = ApiKeyStore(engine).verify(secret)
    assert record is not None and (record.full_name, record.email) == (
        "Ana García",
        "ana@example.com",
    )


def test_an_unattended_import_that_stopped_for_a_person_is_incomplete(any_db_api, tmp_path):
    api = any_db_api
    import time

    from imports_pipeline.inbox import scan_inbox

    folder = tmp_path / "drops" / "inbox" / ORG / "logistics_requests"
    folder.mkdir(parents=True)
    (folder / "codes.csv").write_bytes(b"Col A;Col B\n2026-03-01;ACME\n")  # nothing maps
    [outcome] = scan_inbox(api.service, tmp_path / "drops", now=lambda: time.time() + 60)
    assert outcome.outcome == "needs_attention"
    stopped = status_of(api, outcome.import_id)
    assert stopped["import_status"] == "incomplete"
    assert stopped["reason"].startswith("unattended import stopped: required columns")


def test_updated_by_follows_whoever_changed_the_session_last(any_db_api):
    api = any_db_api
    import_id = api.created_id()
    issued = api.keys.create(ORG, user_id="u-bea")
    other = {"x-api-key": issued.secret, "x-organization-id": ORG}
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=other, json={"mapping": SEED_MAPPING}
    )
    assert status_of(api, import_id)["updated_by"] == "u-bea"
    api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": True}
    )
    assert status_of(api, import_id)["updated_by"] == USER
