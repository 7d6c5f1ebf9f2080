"""Several API processes on one port, each listening on a socket of its own (``SO_REUSEPORT``),
so that the kernel spreads connections across them.

uvicorn's own ``--workers`` shares one listening socket, and whichever process wakes first
accepts. Clients that open their keep-alive connections together can then all land on one
worker: in a whole-suite run the load test's two workers spent 1,864 and 2 clock ticks of CPU.
With a socket per process the kernel picks the process by a hash of each connection's
addresses, so a second process adds a core.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

APP = "imports_pipeline.api.app:from_environment"
STARTUP_SECONDS = 10.0
"""A worker that exits by itself sooner than this after its start failed to start (its app
or its socket): it is not started again, since it would fail the same way. One killed by a
signal (the OOM killer, an operator) is always replaced."""
GRACE_SECONDS = 10.0
"""How long the workers get to finish their requests once asked to stop."""
POLL_SECONDS = 0.5


def _socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def port_group_socket(host: str, port: int, listen: bool = True) -> socket.socket:
    """A TCP socket bound to ``host:port`` in the port's ``SO_REUSEPORT`` group."""
    sock = _socket(host)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def run_worker(host: str, port: int, keep_alive: int) -> None:
    """One API process: the app on the environment's settings, on a socket of its own."""
    import uvicorn

    config = uvicorn.Config(APP, factory=True, timeout_keep_alive=keep_alive)
    uvicorn.Server(config).run(sockets=[port_group_socket(host, port)])


def serve_with_workers(host: str, port: int, workers: int, keep_alive: int) -> int:
    """Run ``workers`` API processes until SIGINT or SIGTERM; one that dies is started again.
    Returns 1 when a worker could not start, else 0."""
    # A plain bind first: a port already taken (by another server, or by a second `serve` that
    # would otherwise join the group and take part of the connections) fails here.
    with _socket(host) as probe:
        probe.bind((host, port))
    # Held, never listening, while the server runs: the port stays ours while a dead worker is
    # replaced.
    holder = port_group_socket(host, port, listen=False)
    context = multiprocessing.get_context("spawn")
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=run_worker, args=(host, port, keep_alive))
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    status = 0
    try:
        while not stopping:
            for index, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                exited = process.exitcode is not None and process.exitcode >= 0
                if exited and time.monotonic() - started < STARTUP_SECONDS:
                    print(
                        f"imports-pipeline serve: a worker stopped while starting (exit code"
                        f" {process.exitcode}); stopping the others",
                        file=sys.stderr,
                    )
                    stopping.append(0)
                    status = 1
                    break
                print(
                    f"imports-pipeline serve: worker {process.pid} died (exit code"
                    f" {process.exitcode}); starting another",
                    file=sys.stderr,
                )
                running[index] = start()
            time.sleep(POLL_SECONDS)
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + GRACE_SECONDS
        for process, _ in running:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        holder.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status
