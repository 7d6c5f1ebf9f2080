"""x-api-key + x-organization-id on every call: the contract's 401 body, 403 across
organizations."""

from __future__ import annotations

import pytest

from imports_pipeline_tests.api.conftest import ORG, OTHER_ORG, contract_body

INVALID = {"detail": "Invalid API key", "code": "INVALID_API_KEY"}
ENDPOINTS = [
    ("GET", "/v2/imports/sessions"),
    ("GET", "/v2/imports/templates"),
    ("GET", "/v2/imports/options/countries"),
    ("GET", "/v2/imports/some-id/status"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_missing_or_unknown_key_answers_the_contract_401(api, method, path):
    assert contract_body(api.client.request(method, path)) == INVALID
    missing = api.client.request(method, path, headers={"x-organization-id": ORG})
    wrong = api.client.request(
        method, path, headers={"x-api-key": "imp_not-a-key", "x-organization-id": ORG}
    )
    assert (missing.status_code, contract_body(missing)) == (401, INVALID)
    assert (wrong.status_code, contract_body(wrong)) == (401, INVALID)


def test_a_revoked_key_stops_working_at_once(api):
    headers = api.key_headers(ORG)
    assert api.client.get("/v2/imports/sessions", headers=headers).status_code == 200
    record = api.keys.verify(headers["x-api-key"])
    api.keys.revoke(record.id)
    response = api.client.get("/v2/imports/sessions", headers=headers)
    assert (response.status_code, contract_body(response)) == (401, INVALID)
    assert {k.id: k.revoked_at for k in api.keys.list(ORG)}[record.id] == api.service.clock()


def test_a_key_used_with_another_organization_is_forbidden(api):
    mismatched = {**api.headers, "x-organization-id": OTHER_ORG}
    response = api.client.get("/v2/imports/sessions", headers=mismatched)
    assert response.status_code == 403 and response.json()["code"] == "ORGANIZATION_MISMATCH"
    missing_org = api.client.get(
        "/v2/imports/sessions", headers={"x-api-key": api.headers["x-api-key"]}
    )
    assert missing_org.status_code == 403 and missing_org.json()["code"] == "ORGANIZATION_MISMATCH"


def test_sessions_record_who_created_them(api):
    org_key = api.key_headers(ORG)
    import_id = api.created_id(headers=org_key)
    record = api.keys.verify(org_key["x-api-key"])
    session = api.client.get(f"/v2/imports/{import_id}/status", headers=org_key).json()
    assert (session["actor_type"], session["user_id"], session["actor_api_key_id"]) == (
        "api_key",
        None,
        record.id,
    )
    user_session = api.client.get(
        f"/v2/imports/{api.created_id()}/status", headers=api.headers
    ).json()
    assert (user_session["actor_type"], user_session["user_id"]) == (
        "user",
        "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
    )


def test_keys_are_stored_hashed(api):
    headers = api.key_headers(ORG)
    stored = api.keys.verify(headers["x-api-key"])
    assert headers["x-api-key"] not in (stored.key_hash, stored.key_prefix)
    assert len(stored.key_hash) == 64 and headers["x-api-key"].startswith(stored.key_prefix)


def test_the_schema_says_the_key_needs_its_organization_header_or_else_an_embed_token(api):
    """Each header alone is refused (above), so the schema must not offer either alone: an
    OpenAPI client or fuzzer reading FastAPI's default would send just one."""
    paths = api.client.get("/openapi.json").json()["paths"]
    secured = [op for methods in paths.values() for op in methods.values() if op.get("security")]
    assert len(secured) >= 15
    for operation in secured:
        assert operation["security"] == [{"ApiKey": [], "OrganizationId": []}, {"EmbedToken": []}]
