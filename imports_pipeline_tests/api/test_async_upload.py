"""PackageX's upload_mode=async (issue 9), over HTTP on SQLite and PostgreSQL: the session first,
then its file sent once to a signed, expiring URL that needs no API key."""

from __future__ import annotations

from datetime import datetime, timedelta

from imports_pipeline_tests.api.conftest import contract_body
from imports_pipeline_tests.service import SAMPLE_CSV, SEED_MAPPING


def request_upload(api, **form: str):
    return api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={
            "template_id": "logistics_requests",
            "numeric_locale": "es_ES",
            "upload_mode": "async",
            "file_name": "march.csv",
            **form,
        },
    )


def test_the_file_goes_to_the_upload_url_once_and_the_flow_goes_on(any_db_api):
    api = any_db_api
    requested = request_upload(api, name="March")
    assert requested.status_code == 201, requested.text
    body = requested.json()
    assert (body["status"], body["upload_mode"], body["file_name"]) == (
        "created",
        "async",
        "march.csv",
    )
    assert "upload_token" not in body and body["upload_url"].startswith("http://testserver/")
    import_id = body["import_id"]
    waiting = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert (waiting["status"], waiting["has_upload_file"], waiting["import_status"]) == (
        "created",
        False,
        "requested",
    )

    uploaded = api.client.put(body["upload_url"], content=SAMPLE_CSV.read_bytes())  # no API key
    assert uploaded.status_code == 200, uploaded.text
    assert (uploaded.json()["import_id"], uploaded.json()["total_rows"]) == (import_id, 240)
    again = api.client.put(body["upload_url"], content=b"a,b\n1,2\n")
    assert again.status_code == 409 and contract_body(again)["code"] == "INVALID_STATE"

    status = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert (status["status"], status["has_upload_file"], status["name"]) == (
        "parsed",
        True,
        "March",
    )
    assert status["file_size"] == len(SAMPLE_CSV.read_bytes())
    validated = api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    assert (validated.status_code, validated.json()["error_rows"]) == (200, 2)


def test_a_forged_or_tampered_upload_url_is_refused(any_db_api):
    api = any_db_api
    body = request_upload(api).json()
    token = body["upload_url"].rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "not-a-token", token.split(".")[0]):
        response = api.client.put(f"/v2/imports/uploads/{bad}", content=b"a,b\n1,2\n")
        assert (
            response.status_code == 403 and contract_body(response)["code"] == "INVALID_SIGNED_LINK"
        )


def test_an_upload_url_expires(any_db_api, clock):
    api = any_db_api
    body = request_upload(api).json()
    expires_at = datetime.fromisoformat(body["upload_url_expires_at"])
    assert expires_at - clock.now == timedelta(minutes=60)
    clock.now = expires_at
    response = api.client.put(body["upload_url"], content=SAMPLE_CSV.read_bytes())
    assert response.status_code == 410 and contract_body(response)["code"] == "SIGNED_LINK_EXPIRED"


def test_a_sync_create_without_a_file_is_still_the_contracts_422(any_db_api):
    api = any_db_api
    response = api.client.post(
        "/v2/imports/sessions", headers=api.headers, data={"template_id": "logistics_requests"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "upload_file"]


def test_an_async_create_checks_the_file_name_at_once(any_db_api):
    api = any_db_api
    response = request_upload(api, file_name="report.pdf")
    assert (
        response.status_code == 415 and contract_body(response)["code"] == "UNSUPPORTED_FILE_TYPE"
    )


def test_an_async_create_needs_the_name_of_the_file_to_come(any_db_api):
    api = any_db_api
    response = api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={"template_id": "logistics_requests", "upload_mode": "async"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file_name"]


def test_a_token_with_characters_outside_ascii_is_refused_not_a_500(any_db_api):
    api = any_db_api
    response = api.client.put("/v2/imports/uploads/abc.%C3%A9", content=b"a,b\n1,2\n")
    assert response.status_code == 403 and contract_body(response)["code"] == "INVALID_SIGNED_LINK"


def test_a_link_that_cannot_take_a_file_is_refused_before_the_body_is_read(any_db_api):
    """Issue 14: the token was checked after the whole body was spooled, so a forged or used
    link cost the server an upload of up to IMPORTS_MAX_UPLOAD_BYTES."""
    api = any_db_api
    token = request_upload(api).json()["upload_url"].rsplit("/", 1)[1]
    sent: list[int] = []

    def body():
        for number in range(200):
            sent.append(number)
            yield b"x" * 65536

    forged = api.client.put("/v2/imports/uploads/not-a-token", content=body())
    assert forged.status_code == 403 and len(sent) < 200
    used = api.client.put(f"/v2/imports/uploads/{token}", content=SAMPLE_CSV.read_bytes())
    assert used.status_code == 200
    sent.clear()
    again = api.client.put(f"/v2/imports/uploads/{token}", content=body())
    assert again.status_code == 409 and len(sent) < 200
