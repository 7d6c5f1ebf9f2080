"""The whole service as it runs in production: the API under uvicorn and the Dagster daemon, as real
processes.

Nothing is called in-process: a key is issued by the ``imports-pipeline`` command, the
session goes through real HTTP, the daemon's sensors turn the submitted session (and a
file dropped into the inbox) into runs, and the runs write a real PostgreSQL destination.
The test only reads what the processes left: the status over HTTP, the destination
table, and the Dagster instance's record of the runs.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import time
import uuid
from datetime import date
from pathlib import Path

import dagster as dg
import httpx
import pytest
import sqlalchemy as sa
import standardwebhooks

from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    command,
    free_port,
    running,
    wait_for,
)
from imports_pipeline_tests.service import SAMPLE_MAPPING
from imports_pipeline_tests.webhook_receiver import webhook_receiver

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ORGANIZATION = "org-e2e"
TEMPLATE = "logistics_requests"
SAMPLE = REPO_ROOT / "imports_pipeline" / "samples" / "logistics_march.csv"
ROWS_WITH_ERRORS = {17: "invalid_type", 203: "out_of_range"}
"""The sample's two bad distances ("128.4 km?", "-15,0"): left out with ``ignore_errors``."""
FINISHED = {"completed", "partially_completed", "failed", "rolled_back"}
PROCESSING_TIMEOUT = 150
"""Sensor ticks every 15 s, the run queue, one run per template at a time, a process per step: slow
on 2 cores."""


def expected_rows() -> list[tuple]:
    """The sample read independently of the engine: es_ES numbers, every row but the two with
    errors."""
    with open(SAMPLE, encoding="utf-8", newline="") as source:
        records = list(csv.reader(source, delimiter=";"))[1:]
    return sorted(
        (
            date.fromisoformat(day),
            client,
            float(distance.replace(".", "").replace(",", ".")),
            origin,
            destination,
        )
        for index, (day, client, distance, origin, destination, _reference) in enumerate(records)
        if index not in ROWS_WITH_ERRORS
    )


def environment(root: Path, destination_url: str) -> dict[str, str]:
    """The caller's environment without any IMPORTS_*/DAGSTER_* setting of its own, plus this test's
    folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPORTS_", "DAGSTER_"))}
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env.update(
        IMPORTS_DATA_DIR=str(root / "data"),
        IMPORTS_DATABASE_URL=f"sqlite:///{root / 'data' / 'imports.db'}",
        IMPORTS_DESTINATION_URL=destination_url,
        DAGSTER_HOME=str(home),
        PYTHONUNBUFFERED="1",
    )
    return env


def create_key(env: dict[str, str]) -> str:
    done = subprocess.run(
        [command("imports-pipeline"), "keys", "create", "--org", ORGANIZATION, "--name", "e2e"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def drop_sample(data_dir: Path) -> Path:
    """The sample in the organization's inbox, settled (older than the inbox's 5 s), with the
    folder's settings."""
    folder = data_dir / "inbox" / ORGANIZATION / TEMPLATE
    folder.mkdir(parents=True)
    (folder / "imports.yaml").write_text("numeric_locale: es_ES\nignore_errors: true\n")
    dropped = folder / "march-dropped.csv"
    dropped.write_bytes(SAMPLE.read_bytes())
    past = time.time() - 60
    os.utime(dropped, (past, past))
    return dropped


def submit_over_http(api: httpx.Client) -> str:
    with open(SAMPLE, "rb") as upload:
        created = api.post(
            "/v2/imports/sessions",
            data={"template_id": TEMPLATE, "numeric_locale": "es_ES"},
            files={"upload_file": (SAMPLE.name, upload, "text/csv")},
        )
    assert created.status_code == 201, created.text
    import_id = created.json()["import_id"]
    assert created.json()["total_rows"] == 240

    suggested = api.post(f"/v2/imports/{import_id}/mapping/suggest", json={})
    assert suggested.status_code == 200, suggested.text
    assert suggested.json()["unmapped_required"] == []
    mapping = suggested.json()["mapping"]
    assert mapping == SAMPLE_MAPPING

    validated = api.post(f"/v2/imports/{import_id}/validate", json={"mapping": mapping})
    assert validated.status_code == 200, validated.text
    assert (validated.json()["valid_rows"], validated.json()["error_rows"]) == (238, 2)

    submitted = api.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True})
    assert submitted.status_code == 200, submitted.text
    return import_id


def status_of(api: httpx.Client, import_id: str) -> dict:
    response = api.get(f"/v2/imports/{import_id}/status")
    assert response.status_code == 200, response.text
    return response.json()


def destination_rows(url: str) -> list[sa.Row]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "SELECT row_key, trip_date, client, distance_km,"
                        " origin_country, destination_country, import_id"
                        " FROM imports_logistics_requests"
                        " WHERE organization_id = :organization ORDER BY row_key"
                    ),
                    {"organization": ORGANIZATION},
                )
            )
    finally:
        engine.dispose()


def milestone(started: float, what: str) -> None:
    """Printed as the test goes: pytest shows them with the processes' logs when it fails."""
    print(f"{time.monotonic() - started:6.1f} s  {what}", flush=True)


def test_api_and_dagster_daemon_process_an_http_session_and_a_dropped_file_into_postgresql(
    tmp_path, postgres_url
):
    started = time.monotonic()
    env = environment(tmp_path, postgres_url)
    data_dir = Path(env["IMPORTS_DATA_DIR"])
    key = create_key(env)
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()

    with running(logs, env) as processes, webhook_receiver() as receiver:
        processes.start(
            "api",
            [
                command("uvicorn"),
                "imports_pipeline.api.app:from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
        )
        processes.start(
            "daemon", [command("dagster-daemon"), "run", "-w", str(REPO_ROOT / "workspace.yaml")]
        )
        dropped = drop_sample(data_dir)

        headers = {"x-api-key": key, "x-organization-id": ORGANIZATION}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as api:
            wait_for(
                "the API",
                lambda: api.get("/v2/imports/templates").status_code == 200,
                60,
                alive=processes.check_alive,
            )
            milestone(started, "API answers")
            hook = api.post(
                "/v2/imports/webhooks",
                json={"url": receiver.url, "events": ["import.completed", "import.failed"]},
            )
            assert hook.status_code == 201, hook.text
            api_import = submit_over_http(api)
            milestone(started, f"submitted {api_import} over HTTP")

            # The dropped_files sensor claims the file, imports it as a session and moves it to
            # processed/ with a report.
            processed = data_dir / "processed" / ORGANIZATION / TEMPLATE
            report_path, report = wait_for(
                "the dropped file to be imported",
                # The report is written just after the move: a half-written one fails to parse and
                # is read again.
                lambda: next(
                    (path, json.loads(path.read_text())) for path in processed.glob("*.report.json")
                ),
                PROCESSING_TIMEOUT,
                alive=processes.check_alive,
            )
            assert (report["outcome"], report["organization_id"], report["file_name"]) == (
                "submitted",
                ORGANIZATION,
                dropped.name,
            )
            assert not dropped.exists()
            assert [p.name for p in processed.iterdir() if not p.name.endswith(".report.json")] == [
                report_path.name.removesuffix(".report.json")
            ]
            dropped_import = report["import_id"]
            milestone(started, f"dropped file imported as {dropped_import}")

            finished = {}
            for import_id in (api_import, dropped_import):
                finished[import_id] = wait_for(
                    f"import {import_id} to finish processing",
                    lambda import_id=import_id: (
                        (s := status_of(api, import_id))["processing_status"] in FINISHED and s
                    ),
                    PROCESSING_TIMEOUT,
                    interval=1,
                    alive=processes.check_alive,
                )
                milestone(started, f"{import_id} {finished[import_id]['processing_status']}")

            # The daemon's run-status sensor tells the subscriber about both, signed.
            wait_for(
                "both webhook deliveries",
                lambda: len(receiver.received) >= 2,
                60,
                interval=0.2,
                alive=processes.check_alive,
            )
            milestone(started, "both webhooks received")
            events = [
                standardwebhooks.Webhook(hook.json()["secret"]).verify(got.body, got.headers)
                for got in receiver.received
            ]
            assert sorted(event["data"]["id"] for event in events) == sorted(finished)
            assert {event["type"] for event in events} == {"import.completed"}
            assert {event["data"]["processing_status"] for event in events} == {
                "partially_completed"
            }

        # Each import: 238 rows written, the two bad rows reported, every phase completed.
        for status in finished.values():
            assert status["processing_status"] == "partially_completed", status
            assert (
                status["total_rows"],
                status["processed_rows"],
                status["failed_rows"],
                status["success_rate"],
            ) == (240, 238, 2, round(100 * 238 / 240, 2))
            assert [(p["phase"], p["status"]) for p in status["phases"]] == [
                (phase, "completed") for phase in PHASE_ORDER
            ]
            assert status["processing"]["processing_status"] == "partially_completed"

        # The same file twice: the import that ran first created the rows, the other found them all
        # unchanged.
        process_detail = {
            import_id: next(p["detail"] for p in status["phases"] if p["phase"] == "process")
            for import_id, status in finished.items()
        }
        outcomes = sorted(
            ((d["created"], d["updated"], d["unchanged"], d["deleted"]), import_id)
            for import_id, d in process_detail.items()
        )
        assert [counts for counts, _ in outcomes] == [(0, 0, 238, 0), (238, 0, 0, 0)]
        first_import = outcomes[1][1]
        assert all(d["staged_with"] == "copy" for d in process_detail.values())

        # The destination holds exactly the file's valid rows, once, written by the import that
        # created them.
        rows = destination_rows(postgres_url)
        assert len(rows) == 238
        assert len({r.row_key for r in rows}) == 238
        assert {r.import_id for r in rows} == {first_import}
        assert (
            sorted(
                (r.trip_date, r.client, r.distance_km, r.origin_country, r.destination_country)
                for r in rows
            )
            == expected_rows()
        )
        assert (date(2026, 3, 1), "ACME", 125.4, "ES", "FR") in {
            (r.trip_date, r.client, r.distance_km, r.origin_country, r.destination_country)
            for r in rows
        }

        # dagster_run_id is the real Dagster run that processed the import, that run carries the
        # processing job id submit answered with, and it succeeded.
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            for import_id, status in finished.items():
                run_id = status["dagster_run_id"]
                assert str(uuid.UUID(run_id)) == run_id
                run = wait_for(
                    f"run {run_id} to succeed",
                    lambda run_id=run_id: (
                        (r := instance.get_run_by_id(run_id)) and r.is_finished and r
                    ),
                    30,
                    alive=processes.check_alive,
                )
                assert run.status == dg.DagsterRunStatus.SUCCESS
                assert run.job_name == "process_import_job"
                assert (
                    run.tags["imports/session"],
                    run.tags["imports/organization"],
                    run.tags["imports/destination"],
                ) == (import_id, ORGANIZATION, TEMPLATE)
                assert run.tags["dagster/partition"] == import_id
                assert run.tags["imports/processing_job"] == status["processing_job_id"]
                stats = instance.get_run_stats(run_id)
                phases = sum(p["duration_seconds"] or 0 for p in status["phases"])
                milestone(
                    started,
                    f"run {run_id}: {stats.end_time - stats.start_time:.1f} s, "
                    f"of which phases {phases:.1f} s",
                )
