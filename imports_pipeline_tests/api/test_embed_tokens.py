"""Embed tokens (issue 13): a product hands its customer a token instead of an API key; the token
sees one template of one organization, expires, and dies with the key that issued it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from imports_pipeline_tests.api.conftest import ORG, contract_body

TEMPLATE = "logistics_requests"


def embed_headers(api, template_id: str = TEMPLATE, minutes: int = 15) -> dict[str, str]:
    answer = api.client.post(
        "/v2/imports/embed-tokens",
        headers=api.headers,
        json={"template_id": template_id, "minutes": minutes},
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_a_token_names_its_scope_and_an_importer_url_that_carries_it(api, clock):
    answer = api.client.post(
        "/v2/imports/embed-tokens", headers=api.headers, json={"template_id": TEMPLATE}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["organization_id"], body["template_id"]) == (ORG, TEMPLATE)
    assert body["expires_at"] == (clock.now + timedelta(minutes=15)).isoformat()
    assert body["importer_url"] == f"http://testserver/importer/?token={body['token']}"
    page = api.client.get(body["importer_url"])
    assert page.status_code == 200 and '<script type="module" src="importer.js">' in page.text


def test_the_token_sees_its_template_and_its_sessions_only(api):
    token = embed_headers(api)
    [listed] = api.client.get("/v2/imports/templates", headers=token).json()
    assert listed["id"] == TEMPLATE
    other = api.client.get("/v2/imports/templates/logistics_recharges", headers=token)
    assert (other.status_code, other.json()["code"]) == (404, "TEMPLATE_NOT_FOUND")
    assert "imports into 'logistics_requests' only" in other.json()["detail"]

    mine = api.created_id(headers=token)
    # The organization's sessions of another template, made with the API key, are not its.
    elsewhere = api.create(
        content=b"Recharge date;Vehicle plate\n2026-01-01;1234ABC\n",
        headers=api.headers,
        template_id="logistics_recharges",
    )
    assert elsewhere.status_code == 201, elsewhere.text
    hidden = elsewhere.json()["import_id"]
    assert api.client.get(f"/v2/imports/{mine}/status", headers=token).status_code == 200
    for path in (f"/v2/imports/{hidden}/status", f"/v2/imports/{hidden}/rows"):
        refused = api.client.get(path, headers=token)
        assert (refused.status_code, refused.json()["code"]) == (404, "IMPORT_NOT_FOUND"), path
    # Listing and rollback are not the importer's: another customer's sessions stay unseen.
    for method, path in (("GET", "/v2/imports/sessions"), ("POST", f"/v2/imports/{mine}/rollback")):
        refused = api.client.request(method, path, headers=token)
        assert (refused.status_code, refused.json()["code"]) == (403, "OUTSIDE_EMBED_SCOPE")
        assert f"cannot use {method} {path}" in refused.json()["detail"]
    into_other = api.create(headers=token, template_id="logistics_recharges")
    assert (into_other.status_code, into_other.json()["code"]) == (404, "TEMPLATE_NOT_FOUND")
    # The API key itself still sees everything of its organization.
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 2


def test_another_organizations_sessions_stay_unknown_to_the_token(api):
    theirs = api.created_id(headers=api.other_headers)
    refused = api.client.get(f"/v2/imports/{theirs}/status", headers=embed_headers(api))
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        ("not-a-token", "is not one this service signed"),
        ("eyJwIjogImVtYmVkIn0.forged", "is not one this service signed"),
    ],
)
def test_a_forged_token_is_a_401_that_says_so(api, token, detail):
    answer = api.client.get("/v2/imports/templates", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert contract_body(answer) == {
        "detail": f"The embed token {detail}",
        "code": "INVALID_EMBED_TOKEN",
    }


def test_an_expired_token_is_a_401_naming_when(api, clock):
    token = embed_headers(api, minutes=5)
    expires = (clock.now + timedelta(minutes=5)).isoformat()
    clock.now += timedelta(minutes=5, seconds=1)
    answer = api.client.get("/v2/imports/templates", headers=token)
    assert answer.status_code == 401
    assert answer.json()["detail"] == f"The embed token expired at {expires}; ask for a new one"


def test_an_upload_link_is_not_an_embed_token(api):
    requested = api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={"template_id": TEMPLATE, "upload_mode": "async", "file_name": "x.csv"},
    )
    upload_token = requested.json()["upload_url"].rsplit("/", 1)[-1]
    answer = api.client.get(
        "/v2/imports/templates", headers={"Authorization": f"Bearer {upload_token}"}
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_EMBED_TOKEN")


def test_revoking_the_issuing_key_ends_its_tokens(api):
    token = embed_headers(api)
    [key] = [k for k in api.keys.list(ORG) if k.revoked_at is None]
    api.keys.revoke(key.id)
    answer = api.client.get("/v2/imports/templates", headers=token)
    assert answer.status_code == 401
    assert "was revoked" in answer.json()["detail"]


def test_a_token_cannot_make_tokens_nor_live_past_an_hour(api):
    token = embed_headers(api)
    again = api.client.post(
        "/v2/imports/embed-tokens", headers=token, json={"template_id": TEMPLATE}
    )
    assert (again.status_code, again.json()["code"]) == (403, "OUTSIDE_EMBED_SCOPE")
    too_long = api.client.post(
        "/v2/imports/embed-tokens",
        headers=api.headers,
        json={"template_id": TEMPLATE, "minutes": 61},
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "minutes"]
    unknown = api.client.post(
        "/v2/imports/embed-tokens", headers=api.headers, json={"template_id": "nope"}
    )
    assert unknown.status_code == 404
