"""``WarmRunLauncher``: runs start in a child forked from a warm process (``warm_worker``), not in
a fresh interpreter.

Measured on the 240-row example (benchmarks/dagster_latency.py): with Dagster's default launcher
a run waited 9 s (p50, load 2–3) from created to started, nearly all of it the new interpreter
importing Dagster, pandas, pyarrow and SQLAlchemy; the code location's own modules are a small
part, and are still imported fresh by each run. Set in ``dagster.yaml``::

    run_launcher:
      module: imports_pipeline.orchestration.launcher
      class: WarmRunLauncher

The worker runs on the daemon's host (like the default launcher's), so the run's pid and host
are tags: termination signals it and run monitoring asks the kernel whether it is alive.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Self

import dagster as dg
from dagster._core.launcher import (
    CheckRunHealthResult,
    LaunchRunContext,
    RunLauncher,
    WorkerStatus,
)
from dagster._serdes import ConfigurableClass, ConfigurableClassData, serialize_value

PRELOADED = (
    "dagster",
    "dagster._cli.api",
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.parquet",
    "sqlalchemy",
    "sqlalchemy.orm",
    "psycopg",
    "pydantic",
    "yaml",
    "httpx",
    "alembic.command",
    "alembic.config",
)
"""Third-party modules only: our own code stays fresh in every run."""
WARM_WORKER = "imports_pipeline.orchestration.warm_worker"
WORKER_PID_TAG = "imports/worker_pid"
WORKER_HOST_TAG = "imports/worker_host"


class WarmRunLauncher(RunLauncher, ConfigurableClass):
    """Launch each run in a child of one long-lived, pre-imported process (started on first use,
    again if it died)."""

    def __init__(
        self, inst_data: ConfigurableClassData | None = None, preload_modules: Sequence[str] = ()
    ) -> None:
        self._inst_data = inst_data
        self.preload_modules = list(preload_modules or PRELOADED)
        self._worker: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"preload_modules": dg.Field([str], is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> Self:
        return cls(inst_data=inst_data, **config_value)

    def _warm_worker(self) -> subprocess.Popen[str]:
        if self._worker is None or self._worker.poll() is not None:
            self._worker = subprocess.Popen(
                [sys.executable, "-m", WARM_WORKER, *self.preload_modules],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
            self._answer(self._worker)  # {"ready": true} once the imports are done
        return self._worker

    @staticmethod
    def _answer(worker: subprocess.Popen[str]) -> dict[str, Any]:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm run worker exited with {worker.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        request = {"run_id": run.run_id, "instance_ref": serialize_value(self._instance.get_ref())}
        with self._lock:
            worker = self._warm_worker()
            assert worker.stdin is not None
            worker.stdin.write(json.dumps(request) + "\n")
            pid = int(self._answer(worker)["pid"])
        self._instance.add_run_tags(
            run.run_id, {WORKER_PID_TAG: str(pid), WORKER_HOST_TAG: socket.gethostname()}
        )

    def _pid(self, run: dg.DagsterRun) -> int | None:
        """The run's worker pid when it ran on this host."""
        if run.tags.get(WORKER_HOST_TAG) != socket.gethostname():
            return None
        pid = run.tags.get(WORKER_PID_TAG)
        return int(pid) if pid else None

    def terminate(self, run_id: str) -> bool:
        """An interrupt, as Ctrl-C would be: Dagster then marks the run canceled."""
        run = self._instance.get_run_by_id(run_id)
        pid = self._pid(run) if run is not None else None
        if run is None or pid is None or run.is_finished or not alive(pid):
            return False
        self._instance.report_run_canceling(run)
        os.kill(pid, signal.SIGINT)
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        pid = self._pid(run)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "the run's worker is on another host")
        if alive(pid):
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(WorkerStatus.FAILED, f"run worker {pid} is gone")

    def dispose(self) -> None:
        """Closing its stdin ends the warm process; running runs go on."""
        if self._worker is not None and self._worker.stdin is not None:
            self._worker.stdin.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
