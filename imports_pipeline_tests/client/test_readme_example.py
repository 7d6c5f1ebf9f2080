"""The README's "Python client" example, read from the README and run as a script against a live
API, so the example cannot drift from the client."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import pytest

from imports_pipeline.client import ImportsClient
from imports_pipeline.vocabulary import ProcessingStatus, SessionStatus
from imports_pipeline_tests.client.conftest import LiveApi, process_in_background
from imports_pipeline_tests.end_to_end.processes import REPO_ROOT
from imports_pipeline_tests.service import SAMPLE_CSV as SAMPLE

pytestmark = pytest.mark.slow


def readme_example() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python client", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the Python client section has one example"
    return blocks[0]


def process_what_gets_submitted(api: LiveApi, stop: threading.Event) -> threading.Thread:
    """Stands in for the Dagster daemon: the first queued session is processed."""

    def watch() -> None:
        with ImportsClient(api.url, api.key, api.organization_id) as client:
            while not stop.is_set():
                page = client.list_sessions(status=[SessionStatus.SUBMITTED], size=100)
                queued = [s for s in page.items if s.processing_status is ProcessingStatus.QUEUED]
                if queued:
                    process_in_background(api, queued[0].id, delay=0).join(120)
                    return
                time.sleep(0.3)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_the_readme_example_runs_against_a_live_server(live_api, tmp_path):
    (tmp_path / "logistics.csv").write_bytes(SAMPLE.read_bytes())
    env = {
        "API_URL": live_api.url,
        "API_KEY": live_api.key,
        "ORGANIZATION_ID": live_api.organization_id,
    }
    stop = threading.Event()
    processor = process_what_gets_submitted(live_api, stop)
    try:
        done = subprocess.run(
            [sys.executable, "-c", readme_example()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        stop.set()
        processor.join(30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "238 valid, 2 with errors",
        "17 [('distance_km', 'invalid_type')]",
        "203 [('distance_km', 'out_of_range')]",
        "partially_completed 238",
    ]
    assert (tmp_path / "errors.xlsx").read_bytes()[:2] == b"PK"  # an xlsx is a zip
