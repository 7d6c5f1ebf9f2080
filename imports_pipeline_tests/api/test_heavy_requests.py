"""Heavy requests beyond the process's limit wait for a slot, then answer 429 with Retry-After
(issue 14)."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from imports_pipeline.api.app import create_app
from imports_pipeline.settings import Settings
from imports_pipeline_tests.api.conftest import contract_body
from imports_pipeline_tests.service import SEED_MAPPING


def test_a_validation_over_the_limit_is_refused_while_light_calls_go_on(api, monkeypatch):
    service = api.service
    service.settings = Settings(max_heavy_requests=1, heavy_request_wait_seconds=0.2)
    app = create_app(service)
    import_id = api.created_id()
    entered, release = threading.Event(), threading.Event()
    real_validate = service.validate

    def slow_validate(*args, **kwargs):
        entered.set()
        release.wait(10)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(service, "validate", slow_validate)
    url = f"/v2/imports/{import_id}/validate"
    first: dict = {}

    def run_first() -> None:
        with TestClient(app) as client:
            first["response"] = client.post(
                url, headers=api.headers, json={"mapping": SEED_MAPPING}
            )

    worker = threading.Thread(target=run_first)
    worker.start()
    assert entered.wait(10)
    with TestClient(app) as client:
        refused = client.post(url, headers=api.headers, json={"mapping": SEED_MAPPING})
        status = client.get(f"/v2/imports/{import_id}/status", headers=api.headers)
    release.set()
    worker.join(10)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    body = contract_body(refused)
    assert (body["code"], body["max_running"]) == ("TOO_MANY_REQUESTS", 1)
    assert status.status_code == 200  # reads are never held back
    assert first["response"].status_code == 200
    with TestClient(app) as client:  # the slot is free again
        again = client.post(url, headers=api.headers, json={"mapping": SEED_MAPPING})
    assert again.status_code == 200


def test_a_validation_over_the_limit_waits_for_the_slot_and_is_served(api, monkeypatch):
    """Under a burst the next request is served when a slot frees, not sent away to sleep."""
    service = api.service
    service.settings = Settings(max_heavy_requests=1, heavy_request_wait_seconds=10)
    app = create_app(service)
    import_id = api.created_id()
    entered, release = threading.Event(), threading.Event()
    real_validate = service.validate
    calls = []

    def slow_first_validate(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            release.wait(10)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(service, "validate", slow_first_validate)
    url = f"/v2/imports/{import_id}/validate"
    answers: dict[str, int] = {}

    def send(name: str) -> None:
        with TestClient(app) as client:
            answers[name] = client.post(
                url, headers=api.headers, json={"mapping": SEED_MAPPING}
            ).status_code

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert entered.wait(10)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    second.join(0.5)
    assert second.is_alive() and len(calls) == 1  # waiting for the slot, not yet running
    release.set()
    first.join(10)
    second.join(10)
    assert answers == {"first": 200, "second": 200} and len(calls) == 2
