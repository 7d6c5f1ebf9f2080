"""The API submits an import's run through a real `dagster dev` (webserver, daemon, sensors), and
the sensor, which sees the same queued session, never adds a second run.

Real processes: uvicorn with ``IMPORTS_DAGSTER_URL`` and ``dagster dev`` on the repository's
``dagster.yaml`` (the warm run launcher); the run is read back from the instance on disk.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest

from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    command,
    create_api_key,
    free_port,
    running,
    server_environment,
    wait_for,
)

pytestmark = pytest.mark.slow

SAMPLE = REPO_ROOT / "imports_pipeline" / "samples" / "logistics_march.csv"
ORGANIZATION = "org-direct"
SENSOR_LOOP_SECONDS = 5
"""The daemon evaluates sensors at most this often (dagster's MIN_INTERVAL_LOOP_TIME)."""


def runs_of(home: Path, import_id: str) -> list[dg.DagsterRun]:
    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        return list(instance.get_runs(filters=dg.RunsFilter(tags={"imports/session": import_id})))


def test_the_api_submits_the_run_through_the_webserver_and_the_sensor_adds_none(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    home, data = tmp_path / "dagster_home", tmp_path / "data"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = server_environment(data, f"sqlite:///{data / 'imports.db'}")
    dagster_port, api_port = free_port(), free_port()
    env.update(
        DAGSTER_HOME=str(home),
        IMPORTS_DAGSTER_URL=f"http://127.0.0.1:{dagster_port}",
        PYTHONUNBUFFERED="1",
    )
    key = create_api_key(env, ORGANIZATION)
    with running(tmp_path, env) as processes:
        workspace = str(REPO_ROOT / "workspace.yaml")
        processes.start(
            "dagster-dev", [command("dagster"), "dev", "-w", workspace, "-p", str(dagster_port)]
        )
        uvicorn = [command("uvicorn"), "imports_pipeline.api.app:from_environment", "--factory"]
        processes.start("api", [*uvicorn, "--port", str(api_port)])
        headers = {"x-api-key": key, "x-organization-id": ORGANIZATION}
        with httpx.Client(
            base_url=f"http://127.0.0.1:{api_port}", headers=headers, timeout=60
        ) as api:
            wait_for("the API", lambda: api.get("/v2/imports/templates").is_success, 60)
            server_info = f"http://127.0.0.1:{dagster_port}/server_info"
            wait_for("the webserver", lambda: httpx.get(server_info).is_success, 180)
            with open(SAMPLE, "rb") as upload:
                created = api.post(
                    "/v2/imports/sessions",
                    data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
                    files={"upload_file": (SAMPLE.name, upload, "text/csv")},
                ).json()
            import_id = created["import_id"]
            mapping = api.post(f"/v2/imports/{import_id}/mapping/suggest", json={}).json()
            api.post(f"/v2/imports/{import_id}/validate", json={"mapping": mapping["mapping"]})
            submitted = api.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True})
            assert submitted.status_code == 200, submitted.text

            status = wait_for(
                f"import {import_id} to complete",
                lambda: (
                    body
                    if (body := api.get(f"/v2/imports/{import_id}/status").json())[
                        "processing_status"
                    ]
                    in ("completed", "partially_completed")
                    else None
                ),
                240,
                alive=processes.check_alive,
            )
            time.sleep(2 * SENSOR_LOOP_SECONDS)  # the sensor has had its ticks since
            runs = runs_of(home, import_id)

    assert status["processed_rows"] == 238  # the example's two rows with errors left out
    [run] = runs  # one run, however many sensor ticks saw the session queued first
    assert "dagster/sensor_name" not in run.tags  # the API's, not the sensor's
    assert run.tags["dagster/partition"] == import_id
    assert run.tags["imports/processing_job"] == submitted.json()["processing_job_id"]
    assert run.tags["imports/file"] == SAMPLE.name
    assert run.status == dg.DagsterRunStatus.SUCCESS
