"""How long an import waits for Dagster, through the real processes.

Starts the API (uvicorn) and ``dagster-daemon run`` on a fresh data folder and
``DAGSTER_HOME`` (the repository's ``dagster.yaml``), submits the 240-row example
over HTTP ``--imports`` times one after the other, and for each reads from the
Dagster instance when its run was created (the sensor's tick), when it started
(its worker process began the job) and, from ``GET /status``, when it finished.
Then it times what a run worker pays before its first step (a fresh interpreter
importing ``dagster`` and the code location), and one ``dropped_files`` tick with
1,000 small files waiting, on a real (ephemeral) instance.

    .venv/bin/python benchmarks/dagster_latency.py --imports 10

Prints a markdown table of p50/p95 per stage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imports_pipeline_tests.end_to_end.processes import (  # noqa: E402
    command,
    create_api_key,
    free_port,
    running,
    server_environment,
    wait_for,
)

SAMPLE = REPO / "imports_pipeline" / "samples" / "logistics_march.csv"
ORGANIZATION = "org-latency"
TEMPLATE = "logistics_requests"
FINISHED = {"completed", "partially_completed", "failed", "rolled_back"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def submit(api: httpx.Client) -> tuple[str, float]:
    """Create, suggest, validate and submit the example; the id and the wall time of the submit
    answer."""
    with open(SAMPLE, "rb") as upload:
        created = api.post(
            "/v2/imports/sessions",
            data={"template_id": TEMPLATE, "numeric_locale": "es_ES"},
            files={"upload_file": (SAMPLE.name, upload, "text/csv")},
        )
    created.raise_for_status()
    import_id = created.json()["import_id"]
    mapping = api.post(f"/v2/imports/{import_id}/mapping/suggest", json={}).json()["mapping"]
    api.post(f"/v2/imports/{import_id}/validate", json={"mapping": mapping}).raise_for_status()
    api.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True}).raise_for_status()
    return import_id, time.time()


def finished_status(api: httpx.Client, import_id: str) -> dict | None:
    status = api.get(f"/v2/imports/{import_id}/status").json()
    return status if status["processing_status"] in FINISHED else None


def run_times(home: Path, import_id: str) -> dict[str, float] | None:
    """When the import's run was created, dequeued, its worker began, it started and its first
    step started (epoch seconds), from the instance's run record and event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(
            filters=dg.RunsFilter(tags={"imports/session": import_id}), limit=1
        )
        if not records or records[0].start_time is None:
            return None
        run_id = records[0].dagster_run.run_id
        events = instance.all_logs(run_id)
    times = {"created": records[0].create_timestamp.timestamp(), "started": records[0].start_time}
    for event in events:
        kind = event.dagster_event.event_type_value if event.dagster_event else ""
        if kind == "PIPELINE_STARTING" and "dequeued" not in times:
            times["dequeued"] = event.timestamp
        elif kind == "ENGINE_EVENT" and "Started process" in event.message:
            times.setdefault("worker", event.timestamp)
        elif kind == "STEP_START" and "first_step" not in times:
            times["first_step"] = event.timestamp
    return times


def measure_imports(count: int, root: Path) -> list[dict[str, float]]:
    data, home, logs = root / "data", root / "dagster_home", root / "logs"
    for folder in (data, home, logs):
        folder.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = server_environment(data, f"sqlite:///{data / 'imports.db'}")
    env.update(DAGSTER_HOME=str(home), PYTHONUNBUFFERED="1")
    key = create_api_key(env, ORGANIZATION)
    port = free_port()
    measured: list[dict[str, float]] = []
    with running(logs, env) as processes:
        uvicorn = [command("uvicorn"), "imports_pipeline.api.app:from_environment", "--factory"]
        processes.start("api", [*uvicorn, "--port", str(port), "--log-level", "warning"])
        workspace = str(REPO / "workspace.yaml")
        processes.start("daemon", [command("dagster-daemon"), "run", "-w", workspace])
        headers = {"x-api-key": key, "x-organization-id": ORGANIZATION}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as api:
            wait_for("the API", lambda: api.get("/v2/imports/templates").status_code == 200, 60)
            for _ in range(count + 1):  # the first warms the daemon's code location up
                import_id, submitted = submit(api)
                status = wait_for(
                    f"import {import_id}",
                    lambda import_id=import_id: finished_status(api, import_id),
                    180,
                    interval=0.1,
                    alive=processes.check_alive,
                )
                finished = time.time()
                times = run_times(home, import_id)
                if times is None:
                    raise SystemExit(f"import {import_id} has no started run: {status}")
                created, started = times["created"], times["started"]
                measured.append(
                    {
                        "submit → run created": created - submitted,
                        "run created → dequeued (run queue)": times["dequeued"] - created,
                        "dequeued → worker process running (launch)": times["worker"]
                        - times["dequeued"],
                        "worker running → run start (code location loaded)": started
                        - times["worker"],
                        "run start → first step": times["first_step"] - started,
                        "submit → run start": started - submitted,
                        "run start → completed": finished - started,
                        "submit → completed": finished - submitted,
                    }
                )
    return measured[1:]


def import_seconds(module: str) -> float:
    """A fresh interpreter importing ``module``: what each run worker pays before its first
    step."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=REPO)
    return time.perf_counter() - started


def sensor_tick_seconds(files: int, root: Path) -> float:
    """One ``dropped_files`` tick with ``files`` small settled files waiting."""
    import dagster as dg

    from imports_pipeline.orchestration.resources import ImportsResource
    from imports_pipeline.orchestration.sensors import dropped_files

    folder = root / "drops" / "inbox" / ORGANIZATION / TEMPLATE
    folder.mkdir(parents=True)
    past = time.time() - 60
    for number in range(files):
        path = folder / f"trips_{number:04}.csv"
        path.write_text(f"Reference\nR{number}\n")
        os.utime(path, (past, past))
    imports = ImportsResource(
        database_url=f"sqlite:///{root / 'imports.db'}",
        data_dir=str(root),
        drops_dir=str(root / "drops"),
    )
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"imports": imports})
        started = time.perf_counter()
        result = dropped_files(context)
        seconds = time.perf_counter() - started
    assert len(result.run_requests) == files, len(result.run_requests)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=10)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        tick = sensor_tick_seconds(args.files, root / "sensor")
        measured = measure_imports(args.imports, root / "processes")
    print(f"\n{args.imports} imports of the 240-row example, API + dagster-daemon, one at a time\n")
    print("| stage | p50 (s) | p95 (s) |")
    print("|---|---|---|")
    for stage in measured[0]:
        values = [m[stage] for m in measured]
        print(f"| {stage} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} |")
    print(f"| dropped_files tick, {args.files:,} files waiting | {tick:.2f} | |")
    for module in ("dagster", "imports_pipeline.orchestration.definitions"):
        print(f"| fresh `python -c 'import {module}'` | {import_seconds(module):.2f} | |")


if __name__ == "__main__":
    main()
