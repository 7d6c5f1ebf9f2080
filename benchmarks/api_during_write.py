"""How long API calls wait while a large import is written to the destination (issue 14).

One command, one table. For each layout, a real uvicorn server runs on a fresh data folder; a
--rows-row import is created, validated and submitted through it, then processed by a separate
Python process (as a Dagster run worker would) while this one keeps calling the API: a create of
the 240-row example and a GET status, in turn. The layouts:

- ``own file``: the embedded default, the destination in ``destination.db``;
- ``shared file``: ``IMPORTS_DESTINATION_URL`` pointing at the session store's ``imports.db``, as
  the previous version did.

    .venv/bin/python benchmarks/api_during_write.py              # 1,000,000 rows
    .venv/bin/python benchmarks/api_during_write.py --rows 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import ensure_csv

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "imports_pipeline" / "samples" / "logistics_march.csv"
MAPPING = {
    "trip_date": "Trip Date",
    "client": "Client",
    "distance_km": "Distance",
    "origin_country": "Origin Country",
    "destination_country": "Destination Country",
}
ORG = "bench-org"
PROCESS_SCRIPT = """
import sys
from imports_pipeline.processing import ImportProcessing
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings
from imports_pipeline.vocabulary import PHASE_ORDER
service = ImportService.from_settings(Settings.from_environment())
processing = ImportProcessing(service, service.stores.destination, sys.argv[1])
for phase in PHASE_ORDER:
    getattr(processing, phase.value)()
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_layout(name: str, csv_path: Path, shared: bool) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="api-during-write-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPORTS_", "DAGSTER_"))}
    env["IMPORTS_DATA_DIR"] = str(folder)
    if shared:
        env["IMPORTS_DESTINATION_URL"] = f"sqlite:///{folder / 'imports.db'}"
    cli = str(Path(sys.executable).with_name("imports-pipeline"))
    key = subprocess.run(
        [cli, "keys", "create", "--org", ORG], env=env, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    port = 8800 + (1 if shared else 0)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "imports_pipeline.api.app:from_environment",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"x-api-key": key, "x-organization-id": ORG}
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with (
            httpx.Client(base_url=base, headers=headers, timeout=300) as client,
            csv_path.open("rb") as upload,
        ):
            created = client.post(
                "/v2/imports/sessions",
                data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
                files={"upload_file": (csv_path.name, upload, "text/csv")},
            ).json()
            import_id = created["import_id"]
            client.post(f"/v2/imports/{import_id}/validate", json={"mapping": MAPPING})
            client.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True})
            worker = subprocess.Popen([sys.executable, "-c", PROCESS_SCRIPT, import_id], env=env)
            started = time.perf_counter()
            creates: list[float] = []
            statuses: list[float] = []
            while worker.poll() is None:
                t0 = time.perf_counter()
                client.post(
                    "/v2/imports/sessions",
                    data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
                    files={"upload_file": ("sample.csv", SAMPLE.read_bytes(), "text/csv")},
                )
                creates.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                client.get(f"/v2/imports/{import_id}/status")
                statuses.append(time.perf_counter() - t0)
            write_s = time.perf_counter() - started
            final = client.get(f"/v2/imports/{import_id}/status").json()
    finally:
        server.terminate()
        server.wait(10)
    return {
        "layout": name,
        "write_s": write_s,
        "processing_status": final["processing_status"],
        "creates": creates,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    csv_path = ensure_csv(args.rows)
    results = [
        run_layout("own file (default)", csv_path, shared=False),
        run_layout("shared file (previous)", csv_path, shared=True),
    ]
    print(f"\n## API calls during a {args.rows:,}-row destination write (SQLite, 2 processes)\n")
    print(
        "| layout | write (s) | status | calls | create p50/p95/max (s)"
        " | GET status p50/p95/max (s) |"
    )
    print("|---|---:|---|---:|---:|---:|")
    for r in results:
        c, s = r["creates"], r["statuses"]
        assert isinstance(c, list) and isinstance(s, list)

        def triple(values: list[float]) -> str:
            if not values:
                return "—"
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            return f"{p50:.3f} / {p95:.3f} / {max(values):.3f}"

        print(
            f"| {r['layout']} | {r['write_s']:.1f} | {r['processing_status']} | {len(c)} |"
            f" {triple(c)} | {triple(s)} |"
        )
    print("\nTarget: p95 of create and status under 1 s while the import is written.")


if __name__ == "__main__":
    main()
