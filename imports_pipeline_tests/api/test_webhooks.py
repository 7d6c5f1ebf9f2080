"""Webhook subscriptions over real HTTP: one organization's own, checked fields named in the
error, the secret shown once, deleted ones gone, embed tokens refused."""

from __future__ import annotations

import pytest

from imports_pipeline_tests.api.conftest import contract_body

HOOKS = "/v2/imports/webhooks"


def subscribe(api, **body) -> dict:
    wanted = {"url": "https://hooks.example.com/imports", "events": ["import.completed"], **body}
    answer = api.client.post(HOOKS, headers=api.headers, json=wanted)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_subscription_is_created_listed_read_and_deleted(api, clock):
    created = subscribe(
        api, events=["import.failed", "import.completed", "import.failed"], description="ops"
    )
    assert created["events"] == ["import.failed", "import.completed"]  # each once, as given
    assert created["url"] == "https://hooks.example.com/imports"
    assert created["description"] == "ops"
    assert created["created_at"] == clock.now.isoformat()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) == 38
    listed = api.client.get(HOOKS, headers=api.headers).json()["items"]
    assert [hook["id"] for hook in listed] == [created["id"]]
    assert "secret" not in listed[0]  # shown once, at creation
    read = api.client.get(f"{HOOKS}/{created['id']}", headers=api.headers).json()
    assert read == listed[0]
    assert api.client.get(f"{HOOKS}/{created['id']}/deliveries", headers=api.headers).json() == {
        "items": []
    }
    gone = api.client.delete(f"{HOOKS}/{created['id']}", headers=api.headers)
    assert (gone.status_code, gone.content) == (204, b"")
    assert api.client.get(HOOKS, headers=api.headers).json() == {"items": []}
    again = api.client.delete(f"{HOOKS}/{created['id']}", headers=api.headers)
    assert again.status_code == 404
    assert contract_body(again)["code"] == "WEBHOOK_NOT_FOUND"


def test_another_organization_neither_sees_nor_deletes_a_subscription(api):
    created = subscribe(api)
    assert api.client.get(HOOKS, headers=api.other_headers).json() == {"items": []}
    for method in ("GET", "DELETE"):
        answer = api.client.request(method, f"{HOOKS}/{created['id']}", headers=api.other_headers)
        assert answer.status_code == 404, answer.text
    assert len(api.client.get(HOOKS, headers=api.headers).json()["items"]) == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "ftp://files.example.com/x"}, "url", "is not an http or https URL with a host"),
        ({"url": "https://"}, "url", "is not an http or https URL with a host"),
        ({"url": "https://example.com:port/x"}, "url", "Port could not be cast"),
        ({"url": "https://example.com/" + "a" * 2100}, "url", "at most 2,048"),
        ({"events": []}, "events", "name at least one of import.completed"),
        ({"events": ["import.done"]}, "events", "'import.done' is not an event"),
        ({"url": "https://example.com/\x00"}, "url", "NUL character at character 20"),
        ({"description": "ops\x00"}, "description", "NUL character at character 3"),
    ],
)
def test_a_subscription_that_cannot_work_is_refused_naming_its_field(api, body, field, message):
    wanted = {"url": "https://hooks.example.com/imports", "events": ["import.completed"], **body}
    answer = api.client.post(HOOKS, headers=api.headers, json=wanted)
    assert answer.status_code == 422, answer.text
    error = contract_body(answer)
    assert error["code"] == "INVALID_WEBHOOK"
    assert error["detail"].startswith(f"{field}: ") and message in error["detail"]
    assert api.client.get(HOOKS, headers=api.headers).json() == {"items": []}


def test_a_missing_field_is_named_by_the_schema_check(api):
    answer = api.client.post(HOOKS, headers=api.headers, json={"url": "https://example.com/h"})
    assert answer.status_code == 422
    assert "events" in answer.text


def test_an_embed_token_cannot_manage_webhooks(api):
    token = api.client.post(
        "/v2/imports/embed-tokens",
        headers=api.headers,
        json={"template_id": "logistics_requests"},
    ).json()["token"]
    answer = api.client.get(HOOKS, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403, answer.text


def test_a_repeated_create_with_one_idempotency_key_makes_one_subscription(api):
    headers = {**api.headers, "Idempotency-Key": "hook-1"}
    body = {"url": "https://hooks.example.com/imports", "events": ["import.failed"]}
    first = api.client.post(HOOKS, headers=headers, json=body)
    second = api.client.post(HOOKS, headers=headers, json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert len(api.client.get(HOOKS, headers=api.headers).json()["items"]) == 1
