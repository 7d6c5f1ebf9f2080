"""`imports-pipeline up` (what `python3 dev.py run` starts), as a real process with `dagster dev`
under it (issue 12): the URLs are printed once both answer, Dagster does not warn that our
dagster.yaml "will not be used", and Ctrl-C leaves no process, zombie or not, within 10 s."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    command,
    free_port,
    server_environment,
    wait_for,
)

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 240
STOP_SECONDS = 10


def descendants(root: int) -> set[int]:
    """Every process under ``root``, found by walking /proc's parent links."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        children = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= children
        frontier = children
    return found


def still_there(pid: int) -> bool:
    """Alive or a zombie: either way not cleaned up."""
    try:
        return bool(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return False


def test_up_prints_its_urls_once_they_answer_and_ctrl_c_leaves_nothing(tmp_path):
    env = server_environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'imports.db'}")
    env["PYTHONUNBUFFERED"] = "1"
    api_port, dagster_port = free_port(), free_port()
    log = tmp_path / "up.log"
    with open(log, "wb") as sink:
        up = subprocess.Popen(
            [
                command("imports-pipeline"),
                "up",
                "--port",
                str(api_port),
                "--dagster-port",
                str(dagster_port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # as a terminal's foreground job, Ctrl-C reaching `up` alone
        )
    try:
        wait_for("the banner", lambda: "imports_pipeline is up" in log.read_text(), STARTUP_SECONDS)
        # Printed once both answered, so both answer now.
        assert httpx.get(f"http://127.0.0.1:{api_port}/openapi.json").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{dagster_port}/server_info").status_code == 200
        output = log.read_text()
        assert f"Web importer: http://127.0.0.1:{api_port}/importer/" in output
        assert f"Dagster UI:   http://127.0.0.1:{dagster_port}" in output
        started = descendants(up.pid) | {up.pid}
        assert len(started) >= 4, started  # up, dagster dev, its webserver and daemon at least

        os.kill(up.pid, signal.SIGINT)
        asked = time.monotonic()
        up.wait(timeout=STOP_SECONDS + 5)
        while any(still_there(pid) for pid in started) and time.monotonic() - asked < STOP_SECONDS:
            time.sleep(0.2)
        took = time.monotonic() - asked
        left = {pid for pid in started if still_there(pid)}
        assert not left, f"still there after {took:.1f} s: {left}\n{log.read_text()[-3000:]}"
        assert took < STOP_SECONDS
        assert "will not be used" not in log.read_text()
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
