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


def test_a_freed_slot_goes_to_the_session_under_way_before_a_new_one(api, monkeypatch):
    """Waiting requests are served in order, validations and patches before creates: a create
    that came first still waits behind a validate that came later, and two waiting validates
    run in the order they came."""
    import time

    from imports_pipeline_tests.service import SAMPLE_CSV

    service = api.service
    service.settings = Settings(max_heavy_requests=1, heavy_request_wait_seconds=10)
    app = create_app(service)
    first_id, second_id, third_id = (api.created_id() for _ in range(3))
    entered, release = threading.Event(), threading.Event()
    order: list[str] = []
    real_validate, real_create = service.validate, service.create

    def recorded_validate(actor, import_id, *args, **kwargs):
        order.append(f"validate {[first_id, second_id, third_id].index(import_id) + 1}")
        if import_id == first_id:
            entered.set()
            release.wait(10)
        return real_validate(actor, import_id, *args, **kwargs)

    def recorded_create(*args, **kwargs):
        order.append("create")
        return real_create(*args, **kwargs)

    monkeypatch.setattr(service, "validate", recorded_validate)
    monkeypatch.setattr(service, "create", recorded_create)
    answers: dict[str, int] = {}

    def validate(name: str, import_id: str) -> None:
        with TestClient(app) as client:
            answers[name] = client.post(
                f"/v2/imports/{import_id}/validate",
                headers=api.headers,
                json={"mapping": SEED_MAPPING},
            ).status_code

    def create() -> None:
        with TestClient(app) as client:
            answers["create"] = client.post(
                "/v2/imports/sessions",
                headers=api.headers,
                data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
                files={"upload_file": ("logistics.csv", SAMPLE_CSV.read_bytes(), "text/csv")},
            ).status_code

    threads = [threading.Thread(target=validate, args=("validate 1", first_id))]
    threads[0].start()
    assert entered.wait(10)
    for target, args in ((create, ()), (validate, ("validate 2", second_id))):
        threads.append(threading.Thread(target=target, args=args))
        threads[-1].start()
        time.sleep(0.3)  # each in line before the next arrives
    threads.append(threading.Thread(target=validate, args=("validate 3", third_id)))
    threads[-1].start()
    time.sleep(0.3)
    assert order == ["validate 1"]  # the others wait
    release.set()
    for thread in threads:
        thread.join(20)
    assert order == ["validate 1", "validate 2", "validate 3", "create"]
    assert answers == {"validate 1": 200, "validate 2": 200, "validate 3": 200, "create": 201}
