"""`imports-pipeline serve --workers N` as a real process: a socket per worker, a dead worker
replaced, a taken port refused, and SIGTERM stopping every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    command,
    free_port,
    server_environment,
    wait_for,
    worker_processes,
)

pytestmark = pytest.mark.slow


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [command("imports-pipeline"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=REPO_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/openapi.json", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_workers_are_replaced_a_taken_port_is_refused_and_sigterm_stops_them_all(tmp_path):
    env = server_environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'imports.db'}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = serve(env, port, tmp_path / "serve.log")
    try:
        wait_for("the API", lambda: answers(url), 60)
        wait_for("two workers", lambda: len(worker_processes(server.pid)) == 2, 30)
        workers = worker_processes(server.pid)

        # A second server on the same port is refused instead of sharing its connections.
        second = subprocess.run(
            [command("imports-pipeline"), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "Address already in use" in second.stderr, second.stderr[-2000:]
        assert answers(url)

        # A worker that dies is started again; the other goes on answering meanwhile.
        os.kill(workers[0], signal.SIGKILL)
        wait_for(
            "a new worker",
            lambda: len(now := worker_processes(server.pid)) == 2 and workers[0] not in now,
            30,
        )
        wait_for("the API", lambda: answers(url), 30)

        # SIGTERM to the parent alone stops every process it started.
        replaced = worker_processes(server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
        wait_for("the workers to exit", lambda: all(gone(pid) for pid in replaced), 15)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
    assert "died (exit code -9); starting another" in (tmp_path / "serve.log").read_text()
