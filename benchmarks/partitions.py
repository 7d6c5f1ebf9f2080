"""Dagster with many import partitions: do sensor ticks and the asset pages stay fast, and does the
hourly sweep bring the count down?

Builds a fresh ``DAGSTER_HOME`` (the repository's ``dagster.yaml``, SQLite) and session store with
``--partitions`` processed imports: one partition each, a materialization of ``processing_summary``
and ``destination_rows`` each (reported as Dagster records them, without running 20,000 runs),
and session rows whose processing settled 8 days ago for all but ``--recent`` of them. Then it
times, before and after one run of ``expire_sessions_job`` (the hourly sweep):

- a ``submitted_imports`` tick with one queued import, and a ``dropped_files`` tick with an
  empty inbox (``build_sensor_context`` on the real instance, as the daemon calls them);
- the GraphQL queries of an asset's page and of its partitions tab, through a real
  ``dagster-webserver`` process, as the UI sends them (partition stats and statuses);
- the sweep itself.

    .venv/bin/python benchmarks/partitions.py --partitions 20000

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imports_pipeline_tests.end_to_end.processes import (  # noqa: E402
    command,
    free_port,
    running,
    wait_for,
)

ASSET_PAGE = """
query AssetPage($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) {
    ... on AssetNode {
      assetKey { path }
      partitionStats { numMaterialized numPartitions numFailed numMaterializing }
    }
  }
}
"""
PARTITIONS_TAB = """
query AssetPartitions($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) {
    ... on AssetNode {
      partitionKeysByDimension { name partitionKeys }
      assetPartitionStatuses {
        ... on DefaultPartitionStatuses { materializedPartitions failedPartitions }
      }
    }
  }
}
"""
ASSETS = ("processing_summary", "destination_rows")


def populate(instance, service, count: int, recent: int, submission: dict) -> list[str]:
    """``count`` processed imports as Dagster and the session store would hold them, each with
    ``submission`` (a real one's)."""
    import dagster as dg
    import sqlalchemy as sa

    from imports_pipeline.orchestration.partitions import PARTITIONS_NAME
    from imports_pipeline.store.tables import ImportSessionRow

    keys = [str(uuid.uuid4()) for _ in range(count)]
    for start in range(0, count, 1000):
        instance.add_dynamic_partitions(PARTITIONS_NAME, keys[start : start + 1000])
    for key in keys:
        for asset in ASSETS:
            instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=key))
    now = service.clock()
    rows = []
    for index, key in enumerate(keys):
        settled = now - (timedelta(hours=1) if index < recent else timedelta(days=8))
        rows.append(
            {
                "id": key,
                "organization_id": "bench-org",
                "template_id": "logistics_requests",
                "file_name": f"trips-{index}.csv",
                "file_type": "csv",
                "status": "submitted",
                "actor_type": "api_key",
                "total_rows": 240,
                "valid_rows": 238,
                "error_rows": 2,
                "source_columns": [],
                "sheets": [],
                "detected_header_row": 0,
                "parse_info": {},
                "last_confirmed_at": settled,
                "created_at": settled,
                "updated_at": settled,
                "expires_at": settled + timedelta(days=1),
                "processing_status": "partially_completed",
                "submission": submission,
                "artifacts": {},
                "version": 1,
            }
        )
    columns = {column.name for column in ImportSessionRow.__table__.columns}
    rows = [{k: v for k, v in row.items() if k in columns} for row in rows]
    with service.stores.engine.begin() as connection:
        for start in range(0, count, 2000):
            connection.execute(sa.insert(ImportSessionRow), rows[start : start + 2000])
    return keys


def queued_session(service) -> str:
    """One import waiting in ``queued``, so the submitted-imports tick has work to do."""
    from imports_pipeline.vocabulary import Actor
    from imports_pipeline_tests.service import SAMPLE_CSV, SAMPLE_MAPPING

    actor = Actor(organization_id="bench-org", user_id="bench")
    created = service.create_session(
        actor,
        "logistics_requests",
        "q.csv",
        io.BytesIO(SAMPLE_CSV.read_bytes()),
        numeric_locale="es_ES",
    )
    service.validate(actor, created.import_id, mapping=SAMPLE_MAPPING)
    service.submit(actor, created.import_id, ignore_errors=True)
    return created.import_id


def tick_times(instance, imports, sensor, repeat: int = 15) -> float:
    """The median of ``repeat`` evaluations, in seconds."""
    import dagster as dg

    times = []
    for _ in range(repeat):
        context = dg.build_sensor_context(instance=instance, resources={"imports": imports})
        started = time.perf_counter()
        sensor(context)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def graphql_times(url: str, query: str, repeat: int = 5) -> tuple[float, float]:
    """The first (cold) answer and the median of the next ``repeat``, in seconds."""
    times = []
    with httpx.Client(timeout=600) as client:
        for _ in range(repeat + 1):
            started = time.perf_counter()
            answer = client.post(
                f"{url}/graphql",
                json={"query": query, "variables": {"key": {"path": [ASSETS[0]]}}},
            )
            times.append(time.perf_counter() - started)
            body = answer.json()
            if answer.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"GraphQL answered {answer.status_code}: {answer.text[:500]}")
    return times[0], statistics.median(times[1:])


def measure(instance, imports, url: str) -> dict[str, str]:
    from imports_pipeline.orchestration.partitions import PARTITIONS_NAME
    from imports_pipeline.orchestration.sensors import dropped_files, submitted_imports

    started = time.perf_counter()
    count = len(instance.get_dynamic_partitions(PARTITIONS_NAME))
    all_keys = time.perf_counter() - started
    page_cold, page_warm = graphql_times(url, ASSET_PAGE)
    tab_cold, tab_warm = graphql_times(url, PARTITIONS_TAB)
    return {
        "partitions": f"{count:,}",
        "reading every partition key (what the sensor did per tick)": f"{all_keys * 1000:.0f} ms",
        "submitted_imports tick, one queued (p50)": (
            f"{tick_times(instance, imports, submitted_imports) * 1000:.0f} ms"
        ),
        "dropped_files tick, empty inbox (p50)": (
            f"{tick_times(instance, imports, dropped_files) * 1000:.0f} ms"
        ),
        "asset page query, first / p50 of next 5": f"{page_cold:.2f} s / {page_warm:.2f} s",
        "partitions tab query, first / p50 of next 5": f"{tab_cold:.2f} s / {tab_warm:.2f} s",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", type=int, default=20_000)
    parser.add_argument("--recent", type=int, default=1_000, help="imports settled an hour ago")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="imports-bench-partitions-"))
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "IMPORTS_DATA_DIR": str(root / "data"),
        "IMPORTS_DATABASE_URL": f"sqlite:///{root / 'imports.db'}",
    }
    os.environ.update(env)

    import dagster as dg

    from imports_pipeline.orchestration.jobs import expire_sessions_job
    from imports_pipeline.orchestration.resources import ImportsResource

    imports = ImportsResource(database_url=env["IMPORTS_DATABASE_URL"], data_dir=str(root / "data"))
    service = imports.service
    try:
        with dg.DagsterInstance.get() as instance:
            started = time.perf_counter()
            queued = queued_session(service)
            submission = service.stores.processing.session(queued).submission
            populate(instance, service, args.partitions, args.recent, submission)
            seconds = time.perf_counter() - started
            print(f"populated {args.partitions:,} partitions in {seconds:.0f} s")
            port = free_port()
            logs = root / "logs"
            logs.mkdir()
            with running(logs, env) as processes:
                processes.start(
                    "webserver",
                    [
                        command("dagster-webserver"),
                        "-w",
                        str(REPO / "workspace.yaml"),
                        "-p",
                        str(port),
                        "-h",
                        "127.0.0.1",
                    ],
                )
                url = f"http://127.0.0.1:{port}"
                wait_for(
                    "the webserver",
                    lambda: httpx.get(f"{url}/server_info", timeout=5).status_code == 200,
                    180,
                    alive=processes.check_alive,
                )
                before = measure(instance, imports, url)
                started = time.perf_counter()
                result = expire_sessions_job.execute_in_process(
                    instance=instance, resources={"imports": imports}
                )
                sweep = time.perf_counter() - started
                assert result.success
                after = measure(instance, imports, url)
    finally:
        service.stores.engine.dispose()
        shutil.rmtree(root, ignore_errors=True)
    print("\n| measure | before the sweep | after it |\n|---|---|---|")
    for name in before:
        print(f"| {name} | {before[name]} | {after[name]} |")
    print(f"| the sweep (expire_sessions_job, in process) | {sweep:.1f} s | |")


if __name__ == "__main__":
    main()
