"""The real API server SIGKILLed inside a long step (parse at create, validate, patch, submit), on
SQLite and PostgreSQL, then the flow finished by retrying (issue 14). Before leases, a killed create
stayed ``created`` and its Idempotency-Key answered 409 for 30 minutes, a killed validate stayed
``validating`` and a killed submit ``submitting``, each refusing every call."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

import httpx
import pytest

from imports_pipeline.settings import Settings
from imports_pipeline_tests.end_to_end.processes import (
    Server,
    create_api_key,
    running,
    server_environment,
    wait_for,
)
from imports_pipeline_tests.service import SEED_MAPPING

pytestmark = pytest.mark.slow
ORGANIZATION = "org-killed"
PATCH_SECONDS = 600
"""A whole patch of a million-row session on a loaded 2-core machine."""
ROWS = 1_000_000
"""Enough rows that each step runs for a second or more: time to see it running and kill it."""


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "trips.csv"
    header = "Trip Date;Client;Distance;Origin Country;Destination Country\n"
    lines = (f"2026-03-{1 + i % 28:02d};Client {i % 500};{i % 2500},5;ES;FR\n" for i in range(ROWS))
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'imports.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def server(tmp_path, database_url):
    env = server_environment(tmp_path / "data", database_url)
    with running(tmp_path, env) as processes:
        api = Server(processes, create_api_key(env, ORGANIZATION), ORGANIZATION)
        api.start()
        yield api


def create(api: Server, big_csv: Path, **headers: str) -> httpx.Response:
    with big_csv.open("rb") as upload:
        return api.call(
            "POST",
            "/v2/imports/sessions",
            headers=headers,
            data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
            files={"upload_file": ("trips.csv", upload, "text/csv")},
        )


def test_a_create_killed_while_parsing_fails_with_a_reason_and_its_key_works_again(server, big_csv):
    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):  # killed: no answer is the point
            create(server, big_csv, **{"Idempotency-Key": "create-1"})

    threading.Thread(target=post, daemon=True).start()
    parsing = wait_for(
        "the create to be parsing",
        lambda: [
            s
            for s in server.call("GET", "/v2/imports/sessions").json()["items"]
            if s["status"] == "created"
        ],
        60,
        interval=0.02,
    )
    server.kill()
    server.start()
    stopped = server.status(parsing[0]["id"])
    assert stopped["status"] == "failed" and stopped["import_status"] == "failed"
    assert "stopped while it read the upload" in stopped["reason"]
    retried = create(server, big_csv, **{"Idempotency-Key": "create-1"})
    assert retried.status_code == 201, retried.text  # not 409 for half an hour
    assert retried.json()["total_rows"] == ROWS


def test_a_validate_killed_midway_goes_back_and_runs_again(server, big_csv):
    import_id = create(server, big_csv).json()["import_id"]
    server.in_background(
        "POST", f"/v2/imports/{import_id}/validate", json={"mapping": SEED_MAPPING}
    )
    wait_for("validating", lambda: server.status(import_id)["status"] == "validating", 60, 0.02)
    server.kill()
    server.start()
    back = server.status(import_id)
    assert back["status"] == "parsed" and "during validate" in back["status_detail"]
    again = server.call("POST", f"/v2/imports/{import_id}/validate", json={"mapping": SEED_MAPPING})
    assert (again.status_code, again.json()["status"]) == (200, "validated")


def test_a_submit_killed_midway_goes_back_to_validated_and_submits_again(server, big_csv):
    import_id = create(server, big_csv).json()["import_id"]
    validated = server.call(
        "POST", f"/v2/imports/{import_id}/validate", json={"mapping": SEED_MAPPING}
    )
    assert validated.status_code == 200
    body = {"ignore_errors": True}
    server.in_background("POST", f"/v2/imports/{import_id}/submit", json=body)
    wait_for("submitting", lambda: server.status(import_id)["status"] == "submitting", 60, 0.02)
    server.kill()
    server.start()
    back = server.status(import_id)
    assert (back["status"], back["processing_status"]) == ("validated", None)
    again = server.call("POST", f"/v2/imports/{import_id}/submit", json=body)
    assert (again.status_code, again.json()["status"]) == (200, "processing")
    assert server.status(import_id)["processing_status"] == "queued"


CORRECTED = 10_000
"""Rows one PATCH corrects: a second or more of work on a million-row session, time to see it
holding the session's lock and kill it inside."""


def held_by_another_process(lock_file: Path) -> bool:
    """Whether some process holds ``flock`` on ``lock_file`` (the session lock's backend), tried
    without waiting; a lock won here is let go at once."""
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock this probe won
    return False


def test_a_patch_killed_midway_leaves_the_last_whole_state_and_runs_again(
    server, big_csv, tmp_path
):
    """A patch writes new files and then switches to them in one transaction; killed before the
    switch, the session is as it was before the patch, and the same patch then applies whole.

    The kill comes the moment the patch holds the session's lock, not after a fixed head start:
    on a fast machine a whole patch once committed inside a one-second head start."""
    import_id = create(server, big_csv).json()["import_id"]
    validated = server.call(
        "POST", f"/v2/imports/{import_id}/validate", json={"mapping": SEED_MAPPING}
    ).json()
    before = (validated["valid_rows"], validated["error_rows"])
    patch = {
        "corrections": [
            {"row_index": index, "column": "distance_km", "value": -1} for index in range(CORRECTED)
        ]
    }
    lock_file = Settings(data_dir=tmp_path / "data").files_dir / "sessions" / import_id / ".lock"
    assert lock_file.exists() and not held_by_another_process(lock_file)  # validate let go
    server.in_background("PATCH", f"/v2/imports/{import_id}/rows", json=patch)
    log = server.processes.started[-1].log
    wait_for("the patch to hold the lock", lambda: held_by_another_process(lock_file), 60, 0.005)
    server.kill()
    # Killed inside the step: the server never answered it.
    assert f"PATCH /v2/imports/{import_id}/rows" not in log.read_text()
    server.start()
    back = server.status(import_id)
    assert back["status"] == "validated"
    assert (back["valid_rows"], back["error_rows"]) == before
    first = server.call("GET", f"/v2/imports/{import_id}/rows?page=1&page_size=1").json()
    assert first["rows"][0]["values"]["distance_km"] != -1
    again = httpx.patch(
        f"{server.url}/v2/imports/{import_id}/rows",
        headers=server.headers,
        json=patch,
        timeout=PATCH_SECONDS,
    )
    assert again.status_code == 200, again.text
    assert again.json()["error_rows"] == before[1] + CORRECTED
