"""Real processes for the end-to-end tests: started in their own process group, logged to files,
always stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
"""The virtualenv's scripts (``uvicorn``, ``dagster-daemon``, ``imports-pipeline``) sit beside its
python."""

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command(name: str) -> str:
    return str(VENV_BIN / name)


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Processes:
    """Every process a test started; ``stop_all`` ends their whole process groups (runs the daemon
    launched too)."""

    logs: Path
    env: Mapping[str, str]
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, args: Sequence[str], cwd: Path = REPO_ROOT) -> Started:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as sink:
            process = subprocess.Popen(
                list(args),
                cwd=cwd,
                env=dict(self.env),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = Started(name, process, log)
        self.started.append(started)
        return started

    def check_alive(self) -> None:
        for started in self.started:
            if started.process.poll() is not None:
                raise AssertionError(
                    f"{started.name} exited with {started.process.returncode}:\n"
                    f"{started.output()[-5000:]}"
                )

    def stop_all(self, grace_seconds: float = 5.0) -> None:
        for started in self.started:
            _signal_group(started.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for started in self.started:
            with suppress(subprocess.TimeoutExpired):
                started.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for started in self.started:
            # The group too: the daemon's code server and run workers outlive a stopped daemon
            # otherwise.
            _signal_group(started.process, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                started.process.wait(timeout=10)

    def report(self) -> str:
        return "\n".join(
            f"===== {s.name} (exit {s.process.poll()}) =====\n{s.output()[-20000:]}"
            for s in self.started
        )


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # start_new_session: the group id is the process id


@contextmanager
def running(logs: Path, env: Mapping[str, str]) -> Iterator[Processes]:
    """Processes that are stopped however the test ends; their logs are printed when it fails."""
    processes = Processes(logs, env)
    try:
        yield processes
    except BaseException:
        print(processes.report())
        raise
    finally:
        processes.stop_all()


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    interval: float = 0.5,
    alive: Callable[[], None] | None = None,
) -> T:
    """Call ``probe`` until it returns something truthy; fail with ``what`` after ``timeout``
    seconds."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        if alive is not None:
            alive()
        try:
            value = probe()
        except Exception as error:
            value, last = None, error
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})"
            )
        time.sleep(interval)


def server_environment(data_dir: Path, database_url: str) -> dict[str, str]:
    """This environment without our settings, then the data folder and database given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPORTS_", "DAGSTER_"))}
    env.update(IMPORTS_DATA_DIR=str(data_dir), IMPORTS_DATABASE_URL=database_url)
    return env


def with_dagster_home(env: dict[str, str], folder: Path) -> dict[str, str]:
    """``env`` with a fresh DAGSTER_HOME under ``folder`` holding the checkout's dagster.yaml, for
    tests that run the daemon beside the API."""
    home = folder / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return {**env, "DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def create_api_key(env: Mapping[str, str], organization_id: str) -> str:
    """A key made by the real command line, as an operator would."""
    done = subprocess.run(
        [command("imports-pipeline"), "keys", "create", "--org", organization_id],
        env=dict(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


class Server:
    """The API as ``imports-pipeline serve`` runs it, a real process, started again after each
    kill on the same data."""

    def __init__(
        self,
        processes: Processes,
        key: str,
        organization_id: str,
        serve_options: Sequence[str] = (),
    ) -> None:
        self.processes = processes
        self.serve_options = list(serve_options)
        self.headers = {"x-api-key": key, "x-organization-id": organization_id}
        self.url = ""
        self.starts = 0

    def start(self) -> None:
        port = free_port()
        self.starts += 1
        started = self.processes.start(
            f"api-{self.starts}",
            [command("imports-pipeline"), "serve", "--port", str(port), *self.serve_options],
        )
        self.process = started.process
        self.url = f"http://127.0.0.1:{port}"
        wait_for("the API", lambda: httpx.get(f"{self.url}/openapi.json").status_code == 200, 30)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=120, **kwargs)

    def status(self, import_id: str) -> dict:
        return self.call("GET", f"/v2/imports/{import_id}/status").json()

    def in_background(self, method: str, path: str, **kwargs) -> threading.Thread:
        """Send a request the server will not live to answer."""

        def send() -> None:
            with contextlib.suppress(httpx.HTTPError):  # killed: no answer is the point
                self.call(method, path, **kwargs)

        thread = threading.Thread(target=send, daemon=True)
        thread.start()
        return thread


@contextmanager
def live_api(
    folder: Path,
    database_url: str,
    organizations: Sequence[str],
    serve_options: Sequence[str] = (),
) -> Iterator[tuple[Server, dict[str, str], Processes]]:
    """``imports-pipeline serve`` (with ``serve_options``) on a fresh data folder under
    ``folder``, with a key made by the command line for each organization; the Server sends the
    first one's."""
    env = server_environment(folder / "data", database_url)
    keys = {org: create_api_key(env, org) for org in organizations}
    with running(folder, env) as processes:
        api = Server(processes, keys[organizations[0]], organizations[0], serve_options)
        api.start()
        yield api, keys, processes


def worker_processes(pid: int) -> list[int]:
    """``pid``'s children that are API workers (multiprocessing spawns)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid`` so far, in clock ticks (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def database_for(database: str, folder: Path, request: Any) -> str:
    """The URL of a test parametrized over ``sqlite`` and ``postgres`` (a fresh database on the
    suite's PostgreSQL server)."""
    if database == "sqlite":
        return f"sqlite:///{folder / 'data' / 'imports.db'}"
    return str(request.getfixturevalue("postgres_url"))
