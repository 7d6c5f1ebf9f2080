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
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "benchmarks"))

from datasets import KNOWN_MAPPING, ensure_csv  # noqa: E402

from imports_pipeline_tests.end_to_end.processes import (  # noqa: E402
    command,
    create_api_key,
    free_port,
    running,
    server_environment,
    wait_for,
)

SAMPLE = REPO / "imports_pipeline" / "samples" / "logistics_march.csv"
ORGANIZATION = "bench-org"
"""processing.py's, whose COPY + INSERT peer writes for it."""
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
    run = records[0]
    times = {
        "created": run.create_timestamp.timestamp(),
        "started": run.start_time,
        "by_sensor": float("dagster/sensor_name" in run.dagster_run.tags),
    }
    for event in events:
        kind = event.dagster_event.event_type_value if event.dagster_event else ""
        if kind == "PIPELINE_STARTING" and "dequeued" not in times:
            times["dequeued"] = event.timestamp
        elif kind == "ENGINE_EVENT" and "Started process" in event.message:
            times.setdefault("worker", event.timestamp)
        elif kind == "STEP_START" and "first_step" not in times:
            times["first_step"] = event.timestamp
    return times


def measure_imports(
    count: int,
    root: Path,
    direct: bool,
    destination_url: str | None = None,
    large: Path | None = None,
) -> tuple[list[dict[str, float]], dict[str, Any] | None]:
    """``count`` imports of the example, then (``large``) one import of a big CSV whose rows go to
    ``destination_url``."""
    data, home, logs = root / "data", root / "dagster_home", root / "logs"
    for folder in (data, home, logs):
        folder.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = server_environment(data, f"sqlite:///{data / 'imports.db'}")
    env.update(DAGSTER_HOME=str(home), PYTHONUNBUFFERED="1")
    if destination_url:
        env["IMPORTS_DESTINATION_URL"] = destination_url
    key = create_api_key(env, ORGANIZATION)
    port, dagster_port = free_port(), free_port()
    dagster_url = f"http://127.0.0.1:{dagster_port}"
    if direct:
        env["IMPORTS_DAGSTER_URL"] = dagster_url
    measured: list[dict[str, float]] = []
    with running(logs, env) as processes:
        uvicorn = [command("uvicorn"), "imports_pipeline.api.app:from_environment", "--factory"]
        processes.start("api", [*uvicorn, "--port", str(port), "--log-level", "warning"])
        workspace = str(REPO / "workspace.yaml")
        processes.start(
            "dagster-dev", [command("dagster"), "dev", "-w", workspace, "-p", str(dagster_port)]
        )
        headers = {"x-api-key": key, "x-organization-id": ORGANIZATION}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as api:
            wait_for("the API", lambda: api.get("/v2/imports/templates").status_code == 200, 60)
            wait_for(
                "the webserver", lambda: httpx.get(f"{dagster_url}/server_info").is_success, 120
            )
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
                        "runs the sensor created (count)": times["by_sensor"],
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
            big = import_large(api, home, large, processes) if large else None
    return measured[1:], big


def import_large(api: httpx.Client, home: Path, csv_path: Path, processes: Any) -> dict[str, Any]:
    """Upload → rows in the destination for one big CSV, through the same processes."""
    started = time.time()
    with open(csv_path, "rb") as upload:
        created = api.post(
            "/v2/imports/sessions",
            data={"template_id": TEMPLATE, "numeric_locale": "es_ES"},
            files={"upload_file": (csv_path.name, upload, "text/csv")},
            timeout=900,
        )
    created.raise_for_status()
    import_id = created.json()["import_id"]
    uploaded = time.time()
    mapping = api.post(f"/v2/imports/{import_id}/mapping/suggest", json={}).json()["mapping"]
    if any(mapping.get(k) != v for k, v in KNOWN_MAPPING.items()):
        mapping = dict(KNOWN_MAPPING)
    validated = api.post(
        f"/v2/imports/{import_id}/validate", json={"mapping": mapping}, timeout=900
    )
    validated.raise_for_status()
    before_submit = time.time()
    api.post(
        f"/v2/imports/{import_id}/submit",
        json={"ignore_errors": True, "action": "merge", "duplicate_handling": "ignore_all"},
        timeout=900,
    ).raise_for_status()
    submitted = time.time()
    status = wait_for(
        f"import {import_id}",
        lambda: finished_status(api, import_id),
        1800,
        interval=0.2,
        alive=processes.check_alive,
    )
    finished = time.time()
    times = run_times(home, import_id) or {"started": float("nan")}
    return {
        "import_id": import_id,
        "processing_status": status["processing_status"],
        "processed_rows": status["processed_rows"],
        "upload → rows in PostgreSQL": finished - started,
        "create (upload + parse)": uploaded - started,
        "suggest + validate": before_submit - uploaded,
        "submit call": submitted - before_submit,
        "submit → run start": times["started"] - submitted,
        "run start → completed": finished - times["started"],
        "phases": {p["phase"]: p.get("duration_seconds") for p in status.get("phases", [])},
    }


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


def peers(data: Path, import_id: str, server: Any, folder: Path) -> dict[str, Any]:
    """The same rows our import wrote, loaded by processing.py's COPY + INSERT … ON CONFLICT and by
    dlt's merge, each into an empty database of its own on the same server."""
    from types import SimpleNamespace

    from processing import Baseline, baseline_rows

    from imports_pipeline.sessions import ImportService
    from imports_pipeline.settings import Settings
    from imports_pipeline.vocabulary import Actor

    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'imports.db'}")
    ours = SimpleNamespace(
        service=ImportService.from_settings(settings),
        actor=Actor(organization_id=ORGANIZATION, user_id="bench"),
    )
    rows, _ = baseline_rows(ours, import_id)
    baseline = Baseline(server.create_database("copy_peer"))
    try:
        copy = baseline.write(rows, import_id)
    finally:
        baseline.close()
    return {"rows": rows.num_rows, "copy": copy, "dlt": dlt_merge(server, rows, folder)}


def dlt_merge(server: Any, rows: Any, folder: Path) -> dict[str, Any]:
    """dlt's ``merge`` on ``row_key`` (CSV files through COPY, its fastest PostgreSQL loader)."""
    try:
        import dlt
    except ImportError:
        return {"error": "dlt is not installed: pip install 'dlt[postgres]'"}
    url = server.create_database("dlt_peer").replace("postgresql+psycopg://", "postgresql://")
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:  # dlt insists on a password
        connection.execute("ALTER ROLE CURRENT_USER PASSWORD 'bench'")
    import sqlalchemy as sa

    url = sa.engine.make_url(url).set(password="bench").render_as_string(hide_password=False)
    pipeline = dlt.pipeline(
        pipeline_name="bench_dlt",
        destination=dlt.destinations.postgres(credentials=url),
        dataset_name="bench",
        pipelines_dir=str(folder / "dlt"),
    )
    started = time.perf_counter()
    try:
        pipeline.run(
            rows,
            table_name="imports_logistics_requests",
            write_disposition="merge",
            primary_key="row_key",
            loader_file_format="csv",
        )
    except Exception as error:  # the other figures still print
        return {"error": f"dlt failed: {str(error)[:300]}"}
    return {"seconds": time.perf_counter() - started, "version": dlt.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=10)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="the large file; 0: none")
    args = parser.parse_args()
    from imports_pipeline_tests.postgres_server import remove_server_folder, start_postgres

    load_before = os.getloadavg()
    large = ensure_csv(args.rows) if args.rows else None
    server = start_postgres() if large else None
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            tick = sensor_tick_seconds(args.files, root / "sensor")
            destination = server.create_database("ours") if server else None
            direct, big = measure_imports(args.imports, root / "direct", True, destination, large)
            sensor, _ = measure_imports(args.imports, root / "sensor-only", direct=False)
            compared = (
                peers(root / "direct" / "data", big["import_id"], server, root)
                if big and server
                else None
            )
    finally:
        if server is not None:
            server.stop()
            remove_server_folder(server)
    load_after = os.getloadavg()
    print(
        f"\n{args.imports} imports of the 240-row example, API + `dagster dev`, one at a time;"
        f" load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    print("| stage | API submits (p50 / p95 s) | sensor only (p50 / p95 s) |")
    print("|---|---|---|")
    for stage in direct[0]:
        cells = []
        for measured in (direct, sensor):
            values = [m[stage] for m in measured]
            if "(count)" in stage:
                cells.append(f"{sum(values):.0f} of {len(values)}")
            else:
                cells.append(f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f}")
        print(f"| {stage} | {' | '.join(cells)} |")
    print(f"| dropped_files tick, {args.files:,} files waiting | {tick:.2f} | |")
    for module in ("dagster", "imports_pipeline.orchestration.definitions"):
        print(f"| fresh `python -c 'import {module}'` | {import_seconds(module):.2f} | |")
    if big and compared:
        print_large(big, compared, args.rows)


def print_large(big: dict[str, Any], compared: dict[str, Any], rows: int) -> None:
    ours = big["upload → rows in PostgreSQL"]
    copy = compared["copy"]["seconds"]
    print(
        f"\n{rows:,}-row CSV through the API and `dagster dev` (API submits), destination on"
        f" PostgreSQL; {big['processed_rows']:,} rows written ({big['processing_status']}); peers"
        f" load the same {compared['rows']:,} rows into empty databases on the same server\n"
    )
    print("| what | seconds | × COPY + INSERT |")
    print("|---|---|---|")
    print(
        f"| ours: upload → rows in PostgreSQL | {ours:.1f} | {ours / copy:.2f}x (target ≤ 1.3x) |"
    )
    for stage in ("create (upload + parse)", "suggest + validate", "submit call"):
        print(f"| ours: {stage} | {big[stage]:.1f} | |")
    for stage in ("submit → run start", "run start → completed"):
        print(f"| ours: {stage} | {big[stage]:.1f} | |")
    for phase, seconds in big["phases"].items():
        print(f"| ours: phase {phase} | {seconds or 0:.1f} | |")
    print(
        f"| COPY + INSERT … ON CONFLICT (COPY {compared['copy']['copy_s']:.1f} s)"
        f" | {copy:.1f} | 1.00x |"
    )
    dlt = compared["dlt"]
    if "seconds" in dlt:
        print(
            f"| dlt {dlt['version']} merge | {dlt['seconds']:.1f} | {dlt['seconds'] / copy:.2f}x |"
        )
    else:
        print(f"| dlt merge | {dlt['error']} | |")


if __name__ == "__main__":
    main()
