"""The API hands an import's run to Dagster's webserver itself (one run, the sensor adds none);
then, after a destination outage, an operator re-executes one failed import from failure and
backfills another from its asset's page, through Dagster's GraphQL API as the UI sends them; the
destination ends exact and the API's status agrees.

Real processes: ``dagster dev`` (webserver and daemon, the repository's ``dagster.yaml``: two run
retries) and the API under uvicorn, a real PostgreSQL destination. The outage is real too: the
destination database stops accepting connections (``ALLOW_CONNECTIONS false``) while both imports
run, then accepts them again.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import httpx
import pytest
import sqlalchemy as sa

from imports_pipeline.orchestration.assets import PHASE_ASSETS
from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    command,
    free_port,
    running,
    wait_for,
)
from imports_pipeline_tests.end_to_end.test_real_processes import (
    ORGANIZATION,
    SAMPLE,
    create_key,
    destination_rows,
    environment,
    expected_rows,
    status_of,
)
from imports_pipeline_tests.service import SAMPLE_MAPPING
from imports_pipeline_tests.webhook_receiver import webhook_receiver

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SETTLED = {"completed", "partially_completed", "failed"}
REEXECUTE = """
mutation($parentRunId: String!) {
  launchPipelineReexecution(
    reexecutionParams: {parentRunId: $parentRunId, strategy: FROM_FAILURE}
  ) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on Error { message }
  }
}
"""
BACKFILL = """
mutation($partitionNames: [String!], $assetSelection: [AssetKeyInput!]) {
  launchPartitionBackfill(backfillParams: {
      partitionNames: $partitionNames, assetSelection: $assetSelection, fromFailure: false}) {
    __typename ... on LaunchBackfillSuccess { backfillId } ... on Error { message }
  }
}
"""
BACKFILL_STATUS = """
query($backfillId: String!) {
  partitionBackfillOrError(backfillId: $backfillId) {
    ... on PartitionBackfill { status runs(limit: 10) { runId status } }
  }
}
"""


def five_events(received: list) -> list[tuple[str, str]]:
    """The (import, event) pairs heard, once there are five; else what was heard, to say so."""
    heard = [
        (event["data"]["id"], event["type"])
        for event in map(json.loads, (r.body for r in received))
    ]
    assert len(heard) >= 5, f"heard only {heard}"
    return heard


def outage(admin_url: str, database: str, accepting: bool) -> None:
    """The destination database refuses (or accepts again) every new connection; the open
    ones are cut, so no process keeps writing through a pool."""
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(
                sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {accepting}')
            )
            if not accepting:
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :database AND pid <> pg_backend_pid()"
                    ),
                    {"database": database},
                )
    finally:
        engine.dispose()


def submit(api: httpx.Client, path: Path) -> str:
    with open(path, "rb") as upload:
        created = api.post(
            "/v2/imports/sessions",
            data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
            files={"upload_file": (path.name, upload, "text/csv")},
        )
    assert created.status_code == 201, created.text
    import_id = created.json()["import_id"]
    validated = api.post(f"/v2/imports/{import_id}/validate", json={"mapping": SAMPLE_MAPPING})
    assert validated.status_code == 200, validated.text
    submitted = api.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True})
    assert submitted.status_code == 200, submitted.text
    return import_id


def graphql(url: str, query: str, **variables) -> dict:
    answer = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60)
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return answer.json()["data"]


def runs_of(home: Path, import_id: str) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs(filters=dg.RunsFilter(tags={"imports/session": import_id})))


def test_direct_submit_then_a_rerun_and_a_backfill_after_a_destination_outage(
    tmp_path, postgres_server, postgres_url
):
    database = postgres_url.rsplit("/", 1)[1]
    env = environment(tmp_path, postgres_url)
    dagster_port, api_port = free_port(), free_port()
    dagster_url = f"http://127.0.0.1:{dagster_port}"
    env["IMPORTS_DAGSTER_URL"] = dagster_url
    key = create_key(env)
    again, late = tmp_path / "again_march.csv", tmp_path / "late_march.csv"
    for copy, prefix in ((again, ";AGAIN-"), (late, ";LATE-")):  # the trips, other references
        copy.write_text(SAMPLE.read_text(encoding="utf-8").replace(";TRIP-", prefix))
    logs = tmp_path / "logs"
    logs.mkdir()
    with running(logs, env) as processes, webhook_receiver() as receiver:
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
            alive = processes.check_alive
            wait_for(
                "the API", lambda: api.get("/v2/imports/templates").is_success, 60, alive=alive
            )
            wait_for(
                "the webserver",
                lambda: httpx.get(f"{dagster_url}/server_info").is_success,
                180,
                alive=alive,
            )
            hook = api.post(
                "/v2/imports/webhooks",
                json={"url": receiver.url, "events": ["import.completed", "import.failed"]},
            )
            assert hook.status_code == 201, hook.text

            first = submit(api, SAMPLE)  # the API asks the webserver for its run at once
            first_status = wait_for(
                f"import {first} to be processed",
                lambda: (s := status_of(api, first))["processing_status"] in SETTLED and s,
                240,
                interval=0.5,
                alive=alive,
            )
            assert first_status["processing_status"] == "partially_completed", first_status

            outage(postgres_server.url(), database, accepting=False)
            rerun, backfilled = submit(api, again), submit(api, late)
            failed = {
                import_id: wait_for(
                    f"import {import_id} to fail after its retries",
                    lambda import_id=import_id: (
                        (s := status_of(api, import_id))["processing_status"] in SETTLED and s
                    ),
                    240,
                    interval=1,
                    alive=alive,
                )
                for import_id in (rerun, backfilled)
            }
            assert {s["processing_status"] for s in failed.values()} == {"failed"}, failed
            outage(postgres_server.url(), database, accepting=True)

            # The run page's "Re-execute from failure" on the last attempt of the first import.
            launched = graphql(dagster_url, REEXECUTE, parentRunId=failed[rerun]["dagster_run_id"])[
                "launchPipelineReexecution"
            ]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            rerun_id = launched["run"]["runId"]
            # The asset page's "Materialize" of the chosen partition, every phase asset.
            assets = [{"path": key.path} for asset in PHASE_ASSETS for key in asset.keys]
            backfill = graphql(
                dagster_url, BACKFILL, partitionNames=[backfilled], assetSelection=assets
            )["launchPartitionBackfill"]
            assert backfill["__typename"] == "LaunchBackfillSuccess", backfill

            done = {
                import_id: wait_for(
                    f"import {import_id} to be processed again",
                    lambda import_id=import_id: (
                        (s := status_of(api, import_id))["processing_status"]
                        == "partially_completed"
                        and s
                    ),
                    240,
                    interval=1,
                    alive=alive,
                )
                for import_id in (rerun, backfilled)
            }
            backfill_runs = graphql(
                dagster_url, BACKFILL_STATUS, backfillId=backfill["backfillId"]
            )["partitionBackfillOrError"]["runs"]
            wait_for("five webhook deliveries", lambda: five_events(receiver.received), 60)
        first_runs = runs_of(Path(env["DAGSTER_HOME"]), first)  # many sensor ticks later

    [run] = first_runs  # one run, however many sensor ticks saw the session queued first
    assert "dagster/sensor_name" not in run.tags  # the API's, not the sensor's
    assert run.tags["dagster/partition"] == first
    assert run.tags["imports/file"] == SAMPLE.name
    assert run.status == dg.DagsterRunStatus.SUCCESS

    assert done[rerun]["dagster_run_id"] == rerun_id
    assert done[backfilled]["dagster_run_id"] in {run["runId"] for run in backfill_runs}
    for status in done.values():
        assert (status["processed_rows"], status["failed_rows"]) == (238, 2), status
        assert status["stats"] == {"created": 238, "updated": 0, "unchanged": 0, "deleted": 0}
    rows = destination_rows(postgres_url)
    by_import = {first: "TRIP-", rerun: "AGAIN-", backfilled: "LATE-"}
    assert len(rows) == 3 * 238
    assert all(row.row_key.startswith(by_import[row.import_id]) for row in rows)
    for import_id in by_import:
        written = sorted(
            (r.trip_date, r.client, float(r.distance_km), r.origin_country, r.destination_country)
            for r in rows
            if r.import_id == import_id
        )
        assert written == expected_rows()
    # Subscribers heard each import fail, then complete.
    events = [json.loads(got.body) for got in receiver.received]
    heard = sorted((event["data"]["id"], event["type"]) for event in events)
    assert heard == sorted(
        [(i, "import.failed") for i in (rerun, backfilled)]
        + [(i, "import.completed") for i in by_import]
    )
