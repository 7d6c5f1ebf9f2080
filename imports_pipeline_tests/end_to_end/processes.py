"""Real processes for the end-to-end tests: started in their own process group, logged to files,
always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

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
