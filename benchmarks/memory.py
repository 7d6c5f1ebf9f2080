"""How much one large request grows the API process, and whether the memory goes back (issue 14).

    .venv/bin/python benchmarks/memory.py [--rows 1000000] [--wide-columns 2000] [--wide-rows 50000]

Starts ``imports-pipeline serve`` as a real process on a fresh data folder and, over HTTP, runs
in turn: create + validate of the ``--rows``-row benchmark CSV; create of a wide CSV
(``--wide-columns`` × ``--wide-rows`` short cells); and a small create. The server's RSS is
sampled every 20 ms from /proc during each request (its peak) and read again 2 s after it (what
stayed). Prints a table and writes ``benchmarks/results/memory.json``.

Target: no request grows the process more than 1 GiB above the 1M-row validate's peak.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from datasets import KNOWN_MAPPING, ensure_csv  # noqa: E402

from imports_pipeline_tests.end_to_end.processes import (  # noqa: E402
    Server,
    create_api_key,
    running,
    server_environment,
)

MIB = 1 << 20
ORG = "bench-memory"


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def measured(pid: int, request: Callable[[], httpx.Response]) -> tuple[int, int, int]:
    """(peak RSS during the request, RSS 2 s after, HTTP status)."""
    peak = [rss_bytes(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        status = request().status_code
    finally:
        done.set()
        sampler.join()
    time.sleep(2)
    return peak[0], rss_bytes(pid), status


def wide_csv(path: Path, columns: int, rows: int) -> Path:
    with open(path, "w") as out:
        out.write(",".join(f"c{n}" for n in range(columns)) + "\n")
        line = ",".join("1" for _ in range(columns)) + "\n"
        for _ in range(rows):
            out.write(line)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--wide-columns", type=int, default=2_000)
    parser.add_argument("--wide-rows", type=int, default=50_000)
    args = parser.parse_args()
    big = ensure_csv(args.rows)
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="imports-memory-") as scratch:
        folder = Path(scratch)
        wide = wide_csv(folder / "wide.csv", args.wide_columns, args.wide_rows)
        env = server_environment(folder / "data", f"sqlite:///{folder / 'data' / 'imports.db'}")
        key = create_api_key(env, ORG)
        with running(folder, env) as processes:
            api = Server(processes, key, ORG)
            api.start()
            pid = api.process.pid
            idle = rss_bytes(pid)
            client = httpx.Client(base_url=api.url, headers=api.headers, timeout=3600)

            def create(path: Path, locale: str | None) -> httpx.Response:
                data = {"template_id": "logistics_requests"} | (
                    {"numeric_locale": locale} if locale else {}
                )
                with open(path, "rb") as upload:
                    return client.post(
                        "/v2/imports/sessions",
                        data=data,
                        files={"upload_file": (path.name, upload)},
                    )

            created: dict[str, str] = {}

            def create_big() -> httpx.Response:
                answer = create(big, "es_ES")
                created["id"] = answer.json().get("import_id", "")
                return answer

            def validate_big() -> httpx.Response:
                return client.post(
                    f"/v2/imports/{created['id']}/validate", json={"mapping": KNOWN_MAPPING}
                )

            steps = [
                (f"create, {args.rows:,}-row CSV", create_big),
                (f"validate, {args.rows:,} rows", validate_big),
                (
                    f"create, {args.wide_columns:,} × {args.wide_rows:,} CSV",
                    lambda: create(wide, None),
                ),
                (
                    "create, 240-row example",
                    lambda: create(
                        REPO / "imports_pipeline" / "samples" / "logistics_march.csv", "es_ES"
                    ),
                ),
            ]
            for name, request in steps:
                peak, after, status = measured(pid, request)
                results.append({"step": name, "status": status, "peak": peak, "after": after})
            client.close()
    print(f"API process RSS at idle: {idle / MIB:,.0f} MiB\n")
    print("| request | HTTP | peak RSS MiB | growth over idle MiB | RSS 2 s after MiB |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['step']} | {r['status']} | {r['peak'] / MIB:,.0f} |"
            f" {(r['peak'] - idle) / MIB:,.0f} | {r['after'] / MIB:,.0f} |"
        )
    validate_peak = results[1]["peak"]
    worst = max(r["peak"] for r in results)
    verdict = "met" if worst - validate_peak <= 1024 * MIB else "NOT met"
    print(f"\nTarget (no request > 1 GiB above the 1M-row validate's peak): {verdict}")
    out = HERE / "results" / "memory.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"idle": idle, "steps": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
