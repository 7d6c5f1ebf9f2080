"""At most N heavy requests (parse, validate, patch) at once per API process, instead of the
process growing with every request it takes on. One over the limit waits a few seconds for a slot
(its body still unread, so it costs a socket, not memory) and answers 429 with Retry-After only
if none frees up in that time or too many are already waiting: under a burst, clients are served
in turn instead of each one sleeping out a Retry-After while slots stand idle.

Waiting requests are served in order, and sessions under way first: a freed slot goes to the
oldest waiting validate or patch, and only when none waits to the oldest create or upload. Under
overload the waiting then falls on new sessions, at their start, and a person half-way through
a review is not kept waiting behind every upload that arrived since. (Served by polling, the
order was a lottery: at 50 clients a validate waited 0.6 s at the median and 5.5 s at p95.)
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import heapq
import itertools
import re
import threading
from dataclasses import dataclass, field
from enum import IntEnum

import pyarrow as pa
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from imports_pipeline.api.errors import problem_response


class Turn(IntEnum):
    """Which waiting request a freed slot goes to first (lower first)."""

    UNDER_WAY = 0
    """Validate and patch: a session somebody is working on."""
    NEW = 1
    """Create and the async upload: a session that has not started."""


HEAVY_REQUESTS = (
    ("POST", re.compile(r"^/v2/imports/sessions/?$"), Turn.NEW),
    ("PUT", re.compile(r"^/v2/imports/uploads/[^/]+$"), Turn.NEW),
    ("POST", re.compile(r"^/v2/imports/[^/]+/validate$"), Turn.UNDER_WAY),
    ("PATCH", re.compile(r"^/v2/imports/[^/]+/rows$"), Turn.UNDER_WAY),
)
"""Create (it parses the upload), the async upload, validate and patch."""
RETRY_AFTER_SECONDS = 1
WAITING_PER_SLOT = 8
"""At most this many requests of each turn wait per slot; beyond that the answer is 429 at once."""


@dataclass
class _Waiter:
    turn: Turn
    loop: asyncio.AbstractEventLoop
    granted: asyncio.Future[None]
    handed: bool = field(default=False)
    """Set (under the lock) when a finishing request passed its slot on to this one."""


class HeavyRequestLimit:
    def __init__(self, app: ASGIApp, max_running: int, wait_seconds: float) -> None:
        self.app = app
        self.max_running = max_running
        self.wait_seconds = wait_seconds
        self.running = 0
        # One middleware may serve several event loops (tests run one per client): a lock, and
        # waiters woken on their own loop.
        self._lock = threading.Lock()
        self._queue: list[tuple[int, int, _Waiter]] = []
        self._tickets = itertools.count()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    async def take_slot(self, turn: Turn) -> bool:
        """A slot now, or after waiting in line up to ``wait_seconds``; False when none came."""
        with self._lock:
            if self.running < self.max_running and not self._queue:
                self.running += 1
                return True
            if sum(1 for _, _, w in self._queue if w.turn == turn) >= (
                self.max_running * WAITING_PER_SLOT
            ):
                return False
            loop = asyncio.get_running_loop()
            waiter = _Waiter(turn, loop, loop.create_future())
            heapq.heappush(self._queue, (int(turn), next(self._tickets), waiter))
        try:
            await asyncio.wait_for(asyncio.shield(waiter.granted), self.wait_seconds)
            return True
        except TimeoutError:
            return self._leave(waiter)  # True: handed over just as the wait ran out
        except asyncio.CancelledError:  # the client went away while waiting
            if self._leave(waiter):
                self.release_slot()
            raise

    def _leave(self, waiter: _Waiter) -> bool:
        """Leave the line; True when a slot had already been handed to ``waiter``."""
        with self._lock:
            if waiter.handed:
                return True
            self._queue = [entry for entry in self._queue if entry[2] is not waiter]
            heapq.heapify(self._queue)
            return False

    def release_slot(self) -> bool:
        """Pass the slot to the next in line, or free it; True when nothing runs any more."""
        with self._lock:
            while self._queue:
                _, _, waiter = heapq.heappop(self._queue)
                try:
                    waiter.loop.call_soon_threadsafe(_grant, waiter.granted)
                except RuntimeError:  # its event loop has closed: the request is gone
                    continue
                waiter.handed = True
                return False
            self.running -= 1
            return self.running == 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        turn = heavy_turn(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if turn is None:
            await self.app(scope, receive, send)
            return
        if not await self.take_slot(turn):
            refused = problem_response(
                429,
                "TOO_MANY_REQUESTS",
                f"{self.max_running} uploads, validations or patches are running in this process;"
                f" retry in {RETRY_AFTER_SECONDS} s",
                scope["path"],
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                max_running=self.max_running,
            )
            await refused(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            if self.release_slot():
                await run_in_threadpool(give_memory_back)


def _grant(granted: asyncio.Future[None]) -> None:
    if not granted.done():
        granted.set_result(None)


def give_memory_back() -> None:
    """After the last heavy request, hand the freed memory of its tables back to the system:
    Arrow's pool and glibc's heap both keep it otherwise, and the process stays at its peak."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def heavy_turn(method: str, path: str) -> Turn | None:
    """The turn of a heavy request; None for every other request (never held back)."""
    for heavy_method, pattern, turn in HEAVY_REQUESTS:
        if method == heavy_method and pattern.match(path):
            return turn
    return None


def is_heavy(method: str, path: str) -> bool:
    return heavy_turn(method, path) is not None
