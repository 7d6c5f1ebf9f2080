"""The process run workers are forked from: it imports Dagster and the heavy libraries once, then
forks one child per run, so a run starts in a fraction of a second instead of paying 4–16 s of
imports in a fresh interpreter (what Dagster's default launcher does for every run).

Started by ``launcher.WarmRunLauncher`` as ``python -m imports_pipeline.orchestration.warm_worker
MODULE…``; it reads one JSON line per run on stdin (``{"run_id", "instance_ref"}``) and answers one
line with the child's pid. Our own code is imported by each child, never here, so a reloaded code
location is what the next run executes. It exits when stdin closes (its launcher is gone).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
from typing import IO


def run_in_child(run_id: str, instance_ref: str) -> int:
    """What ``dagster api execute_run`` does, in this already warm process."""
    from dagster import DagsterInstance
    from dagster._cli.api import _execute_run_command_body
    from dagster._core.instance.ref import InstanceRef
    from dagster._serdes import deserialize_value
    from dagster._utils.interrupts import capture_interrupts

    with (
        capture_interrupts(),
        DagsterInstance.from_ref(deserialize_value(instance_ref, InstanceRef)) as instance,
    ):
        return _execute_run_command_body(
            run_id, instance, lambda _event: None, set_exit_code_on_failure=True
        )


def fork_run(request: dict[str, str], replies: IO[str]) -> int:
    """Fork a child that executes the run; the parent returns its pid at once."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the run may wait on its own children
        replies.close()
        sys.stdin.close()
        os.dup2(2, 1)  # the run's prints go where the daemon's logs go
        code = run_in_child(request["run_id"], request["instance_ref"])
    except BaseException:  # the child must never go on with the parent's loop
        import traceback

        traceback.print_exc()
    sys.stderr.flush()
    raise SystemExit(code)  # out of serve()'s loop: the child ends, the parent never sees it


def serve(preload: list[str]) -> None:
    for module in preload:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished runs are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of `dagster dev` is for the daemon
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if line.strip():
            pid = fork_run(json.loads(line), replies)
            replies.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    serve(sys.argv[1:])
