"""Idempotency-Key on create and submit: retries replay the first response and do the work once."""

from __future__ import annotations

from imports_pipeline.api.idempotency import fingerprint
from imports_pipeline_tests.service import SEED_MAPPING


def with_key(api, key: str, headers=None) -> dict[str, str]:
    return {**(headers or api.headers), "Idempotency-Key": key}


def test_a_retried_create_returns_the_first_response_and_creates_one_session(api):
    first = api.create(headers=with_key(api, "create-1"))
    retry = api.create(headers=with_key(api, "create-1"))
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert (
        retry.headers["Idempotent-Replayed"] == "true"
        and "Idempotent-Replayed" not in first.headers
    )
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 1


def test_a_retried_async_create_sent_as_a_urlencoded_form_is_replayed_not_a_500(api):
    """An async create has no file part, so clients send it urlencoded; its stream is read by
    FastAPI's form parsing before the fingerprint, which used to fail with "Stream consumed"."""
    form = {"template_id": "logistics_requests", "upload_mode": "async", "file_name": "later.csv"}
    first = api.client.post("/v2/imports/sessions", headers=with_key(api, "a-1"), data=form)
    retry = api.client.post("/v2/imports/sessions", headers=with_key(api, "a-1"), data=form)
    assert first.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (first.status_code, retry.status_code) == (201, 201), first.text
    assert retry.content == first.content and retry.headers["Idempotent-Replayed"] == "true"
    changed = api.client.post(
        "/v2/imports/sessions", headers=with_key(api, "a-1"), data={**form, "file_name": "b.csv"}
    )
    assert (changed.status_code, changed.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 1


def test_the_same_key_with_a_different_request_is_refused(api):
    assert api.create(headers=with_key(api, "k")).status_code == 201
    other_file = api.create(
        b"Trip Date;Client;Distance;Origin Country;Destination Country\n2026-03-01;X;1;ES;FR\n",
        headers=with_key(api, "k"),
    )
    assert other_file.status_code == 422 and other_file.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    other_field = api.create(headers=with_key(api, "k"), project_id="p1")
    assert other_field.status_code == 422 and other_field.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    import_id = api.client.get("/v2/imports/sessions", headers=api.headers).json()["items"][0]["id"]
    other_path = api.client.post(
        f"/v2/imports/{import_id}/submit", headers=with_key(api, "k"), json={}
    )
    assert other_path.status_code == 422 and other_path.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 1


def test_keys_are_scoped_per_organization(api):
    mine = api.create(headers=with_key(api, "shared"))
    theirs = api.create(headers=with_key(api, "shared", api.other_headers))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["import_id"] != theirs.json()["import_id"]


def test_a_retried_submit_returns_the_first_response_and_submits_once(api):
    import_id = api.created_id()
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    path = f"/v2/imports/{import_id}/submit"
    blocked = api.client.post(
        path, headers=with_key(api, "submit-1"), json={"ignore_errors": False}
    )
    assert (
        blocked.status_code == 409
    )  # failures are not stored: the same key may run again once fixed
    api.client.patch(
        f"/v2/imports/{import_id}/rows",
        headers=api.headers,
        json={
            "corrections": [
                {"row_index": 17, "column": "distance_km", "value": 128.4},
                {"row_index": 203, "column": "distance_km", "value": 15},
            ]
        },
    )
    first = api.client.post(path, headers=with_key(api, "submit-1"), json={"ignore_errors": False})
    retry = api.client.post(path, headers=with_key(api, "submit-1"), json={"ignore_errors": False})
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json() and first.json()["rows_submitted"] == 240
    without_key = api.client.post(path, headers=api.headers, json={"ignore_errors": False})
    assert without_key.status_code == 409 and "already submitted" in without_key.json()["detail"]
    changed = api.client.post(path, headers=with_key(api, "submit-1"), json={"ignore_errors": True})
    assert changed.status_code == 422 and changed.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_retry_while_the_first_request_runs_is_refused(api):
    from imports_pipeline_tests.api.conftest import ORG

    import_id = api.created_id()
    path = f"/v2/imports/{import_id}/submit"
    body = b'{"ignore_errors": true}'
    api.client.app.state.idempotency.begin(ORG, "running", fingerprint("POST", path, [body]))
    response = api.client.post(
        path, headers={**with_key(api, "running"), "content-type": "application/json"}, content=body
    )
    assert response.status_code == 409 and response.json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
