"""The load test at full size (issue 14): many clients of three organizations doing whole imports
of the 240-row example against a live API server, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/load.py [--clients 50] [--sessions 500] [--database both]

The server is the real process (``imports-pipeline serve``) on a fresh data folder; PostgreSQL
is a real server started for the run. The load starts once the server's processes have warmed
up. Each session is create, suggest, validate, rows with errors, a correction, submit and
status, every answer checked (``imports_pipeline_tests/end_to_end/load.py``). Clients
honour 429 + Retry-After as a client should, and a step's latency includes those waits.

Prints one table per database (throughput, p50/p95 per step, 5xx, lost answers, wrong values,
429s) and writes ``benchmarks/results/load.json``.
Target on a 2-core machine: >= 10 complete sessions/s on PostgreSQL with validate p95 < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from imports_pipeline_tests.end_to_end.load import LoadResult, run_load  # noqa: E402
from imports_pipeline_tests.end_to_end.processes import (  # noqa: E402
    cpu_ticks,
    live_api,
    worker_processes,
)
from imports_pipeline_tests.postgres_server import remove_server_folder, start_postgres  # noqa: E402

SAMPLE_CSV = REPO / "imports_pipeline" / "samples" / "logistics_march.csv"
ORGANIZATIONS = ("bench-load-a", "bench-load-b", "bench-load-c")
STEPS = ("create", "suggest", "validate", "rows", "patch", "submit", "status")
TARGET_SESSIONS_PER_S = 10.0
TARGET_VALIDATE_P95_S = 1.0


def run_on(
    database_url: str, folder: Path, clients: int, sessions: int, workers: int
) -> LoadResult:
    options = ["--workers", str(workers)]
    with live_api(folder, database_url, ORGANIZATIONS, options) as (api, keys, processes):
        pids = worker_processes(api.process.pid) or [api.process.pid]
        wait_for_warm_up(pids)
        before = [cpu_ticks(pid) for pid in pids]
        result = asyncio.run(run_load(api.url, keys, SAMPLE_CSV.read_bytes(), clients, sessions))
        processes.check_alive()
        ticks = os.sysconf("SC_CLK_TCK")
        result.worker_cpu_seconds = [
            (cpu_ticks(pid) - start) / ticks for pid, start in zip(pids, before, strict=True)
        ]
    return result


def wait_for_warm_up(pids: list[int], timeout_seconds: float = 60.0) -> None:
    """Wait until the API processes have finished warming up (encoder, rules: about 1.5 CPU-s
    each, in a background thread from the start), so the figures are those of a running server
    and not of its first seconds: until they spend under 5 % of a core for half a second."""
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        start = sum(cpu_ticks(pid) for pid in pids)
        time.sleep(0.5)
        if sum(cpu_ticks(pid) for pid in pids) - start < 0.05 * 0.5 * ticks * len(pids):
            return


def table(name: str, result: LoadResult) -> str:
    rate = result.completed / result.seconds if result.seconds else 0.0
    lines = [
        f"### {name}: {result.completed} complete sessions in {result.seconds:.1f} s"
        f" = {rate:.1f} sessions/s",
        "",
        f"5xx: {result.server_errors} · lost answers: {len(result.lost)} · wrong values:"
        f" {len(result.wrong)} · 429 answers (retried): {result.statuses.get(429, 0)}",
        "",
        "CPU seconds per API process during the run: "
        + ", ".join(f"{seconds:.1f}" for seconds in result.worker_cpu_seconds),
        "",
        "| step | requests | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for step in STEPS:
        p50, p95 = (result.percentile(step, q) * 1000 for q in (0.5, 0.95))
        lines.append(f"| {step} | {len(result.latencies.get(step, []))} | {p50:.0f} | {p95:.0f} |")
    return "\n".join(lines)


def summary(result: LoadResult) -> dict:
    return {
        "completed": result.completed,
        "seconds": result.seconds,
        "sessions_per_s": result.completed / result.seconds if result.seconds else 0.0,
        "server_errors": result.server_errors,
        "lost": result.lost[:20],
        "wrong": result.wrong[:20],
        "statuses": dict(result.statuses),
        "worker_cpu_seconds": result.worker_cpu_seconds,
        "p50_ms": {s: result.percentile(s, 0.5) * 1000 for s in STEPS},
        "p95_ms": {s: result.percentile(s, 0.95) * 1000 for s in STEPS},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="imports-pipeline serve --workers")
    args = parser.parse_args()
    results: dict[str, LoadResult] = {}
    with tempfile.TemporaryDirectory(prefix="imports-load-") as scratch:
        folder = Path(scratch)
        if args.database in ("sqlite", "both"):
            (folder / "sqlite").mkdir()
            url = f"sqlite:///{folder / 'sqlite' / 'data' / 'imports.db'}"
            results["SQLite"] = run_on(
                url, folder / "sqlite", args.clients, args.sessions, args.workers
            )
        if args.database in ("postgres", "both"):
            server = start_postgres()
            try:
                (folder / "postgres").mkdir()
                url = server.create_database("load")
                results["PostgreSQL"] = run_on(
                    url, folder / "postgres", args.clients, args.sessions, args.workers
                )
            finally:
                server.stop()
                remove_server_folder(server)
    print(
        f"Load: {args.clients} clients, 3 organizations, {args.sessions} sessions each run,"
        f" {args.workers} API worker process(es)\n"
    )
    for name, result in results.items():
        print(table(name, result), "\n")
    failed = any(r.server_errors or r.lost or r.wrong for r in results.values())
    if "PostgreSQL" in results:
        pg = results["PostgreSQL"]
        rate = pg.completed / pg.seconds if pg.seconds else 0.0
        met = (
            rate >= TARGET_SESSIONS_PER_S
            and pg.percentile("validate", 0.95) < TARGET_VALIDATE_P95_S
        )
        print(
            f"Target (PostgreSQL >= {TARGET_SESSIONS_PER_S:.0f} sessions/s, validate p95 <"
            f" {TARGET_VALIDATE_P95_S:.0f} s): {'met' if met else 'NOT met'}"
        )
    out = HERE / "results" / "load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({name: summary(r) for name, r in results.items()}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
