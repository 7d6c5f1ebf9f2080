"""Screenshots of the Dagster pages an operator reads, taken from a real ``dagster dev`` with
headless Chromium: an API import's run, a dropped file's run, a dropped file that failed (the
failure as the run page shows it) and the partitions page of the imports.

    .venv/bin/python scripts/dagster_screenshots.py [--out screenshots]

Starts the API and ``dagster dev`` on a fresh data folder and DAGSTER_HOME, imports the
contract's example over HTTP, drops it and a file that cannot be mapped into the inbox, waits
for the three runs, then opens each page in Debian's ``chromium`` (Playwright drives it; its own
browser download is never used) and writes one PNG per page to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    with_dagster_home,
)
from imports_pipeline_tests.service import SAMPLE_CSV, SAMPLE_MAPPING  # noqa: E402

ORGANIZATION = "acme-logistics"
TEMPLATE = "logistics_requests"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def import_over_http(api: httpx.Client) -> str:
    with open(SAMPLE_CSV, "rb") as upload:
        created = api.post(
            "/v2/imports/sessions",
            data={"template_id": TEMPLATE, "numeric_locale": "es_ES"},
            files={"upload_file": (SAMPLE_CSV.name, upload, "text/csv")},
        ).json()
    import_id = created["import_id"]
    api.post(f"/v2/imports/{import_id}/validate", json={"mapping": SAMPLE_MAPPING})
    api.post(f"/v2/imports/{import_id}/submit", json={"ignore_errors": True}).raise_for_status()
    return import_id


def drop(data: Path, name: str, content: bytes) -> None:
    folder = data / "inbox" / ORGANIZATION / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "imports.yaml").write_text("numeric_locale: es_ES\nignore_errors: true\n")
    path = folder / name
    path.write_bytes(content)
    past = time.time() - 60  # settled: the sensor takes files unchanged for 5 s
    os.utime(path, (past, past))


def finished_runs(home: Path, count: int) -> list:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="process_import_job"))
    return runs if len(runs) >= count and all(run.is_finished for run in runs) else []


def shoot(url: str, out: Path, pages: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Debian's chromium is needed (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for name, path in pages.items():
            page.goto(f"{url}{path}", wait_until="networkidle", timeout=120_000)
            skip = page.get_by_role("button", name="Skip")  # the UI's first-visit newsletter box
            if skip.count():
                skip.click()
            time.sleep(3)  # the run log and the partition bars draw after the data arrives
            page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            print(f"{out / name}.png  {url}{path}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="imports-screenshots-"))
    data = root / "data"
    env = with_dagster_home(server_environment(data, f"sqlite:///{data / 'imports.db'}"), root)
    dagster_port, api_port = free_port(), free_port()
    dagster_url = f"http://127.0.0.1:{dagster_port}"
    env["IMPORTS_DAGSTER_URL"] = dagster_url
    home = Path(env["DAGSTER_HOME"])
    key = create_api_key(env, ORGANIZATION)
    try:
        with running(root, env) as processes:
            workspace = str(REPO / "workspace.yaml")
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
                wait_for("the API", lambda: api.get("/v2/imports/templates").is_success, 90)
                wait_for(
                    "the webserver",
                    lambda: httpx.get(f"{dagster_url}/server_info").is_success,
                    180,
                    alive=alive,
                )
                api_import = import_over_http(api)
            drop(data, "march-from-partner.csv", SAMPLE_CSV.read_bytes())
            drop(data, "wrong-columns.csv", b"Colour;Size\nred;3\nblue;4\n")
            runs = wait_for("three finished runs", lambda: finished_runs(home, 3), 300, alive=alive)
            by_file = {
                run.tags.get("imports/file"): run
                for run in runs
                if "imports/claimed_file" in run.tags
            }
            [api_run] = [run for run in runs if run.tags.get("imports/session") == api_import]
            shoot(
                dagster_url,
                args.out,
                {
                    "1-api-import-run": f"/runs/{api_run.run_id}",
                    "2-dropped-file-run": f"/runs/{by_file['march-from-partner.csv'].run_id}",
                    "3-failed-dropped-file": f"/runs/{by_file['wrong-columns.csv'].run_id}",
                    "4-partitions": "/assets/processing_summary?view=partitions",
                },
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
